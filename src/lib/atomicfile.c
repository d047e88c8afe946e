/*
 * atomicfile.c - temporary file, fsync, rename (see atomicfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"

/* fsync the directory that holds path, so the rename itself is durable.
 * Best effort: some file systems refuse fsync on a directory. */
static void sync_dir(const char *path)
{
	char copy[4096];
	int fd;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int ots_atomic_write(const char *path, ots_write_fn fn, const void *arg, char *err,
		     size_t errlen)
{
	char tmp[4096];
	FILE *fp = NULL;
	int fd, e;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0644) < 0 || !(fp = fdopen(fd, "w"))) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	errno = 0;
	if (fn(fp, arg) < 0 || fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) < 0) {
		e = errno ? errno : EIO;
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(e));
		goto fail;
	}
	e = fclose(fp);
	fp = NULL;
	fd = -1;
	if (e != 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto fail;
	}
	sync_dir(path);
	return 0;
fail:
	if (fp)
		fclose(fp);
	else if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}
