/*
 * linefile.c - whole JSON lines into a file (see linefile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linefile.h"

#define LINEFILE_BUF (1 << 16)

int linefile_open(struct linefile *lf, const char *path, char *err, size_t errlen)
{
	memset(lf, 0, sizeof(*lf));
	lf->fd = -1;
	lf->buf = malloc(LINEFILE_BUF);
	if (!lf->buf)
		goto nomem;
	lf->cap = LINEFILE_BUF;
	if (strcmp(path, "-") == 0) {
		lf->fd = STDOUT_FILENO;
		return 0;
	}
	lf->path = strdup(path);
	if (!lf->path)
		goto nomem;
	lf->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (lf->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		linefile_close(lf);
		return -1;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	linefile_close(lf);
	return -1;
}

/* Newlines in b[0..n). */
static uint64_t count_lines(const char *b, size_t n)
{
	uint64_t c = 0;
	const char *p = b, *end = b + n;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		c++;
		p++;
	}
	return c;
}

/* written bytes of the buffer reached the file, then the write failed:
 * take back the start of the line that was cut, keep the whole ones. */
static void take_back(struct linefile *lf, size_t written)
{
	size_t whole = written;
	struct stat st;
	off_t end;

	while (whole > 0 && lf->buf[whole - 1] != '\n')
		whole--;
	if (whole < written) {
		end = lseek(lf->fd, 0, SEEK_END);
		if (fstat(lf->fd, &st) < 0 || !S_ISREG(st.st_mode) || end < 0 ||
		    ftruncate(lf->fd, end - (off_t)(written - whole)) < 0)
			lf->trunc_failures++;
	}
	lf->lines += count_lines(lf->buf, whole);
	lf->bytes += whole;
}

int linefile_flush(struct linefile *lf)
{
	size_t off = 0;
	ssize_t n;
	uint64_t before;

	if (lf->fd < 0 || lf->len == 0)
		return lf->fd < 0 && lf->pending ? -1 : 0;
	while (off < lf->len) {
		n = write(lf->fd, lf->buf + off, lf->len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		lf->err = n < 0 ? errno : EIO;
		break;
	}
	if (off == lf->len) {
		lf->lines += lf->pending;
		lf->bytes += lf->len;
		lf->len = 0;
		lf->pending = 0;
		lf->failing = 0;
		return 0;
	}
	before = lf->lines;
	take_back(lf, off);
	lf->lost += lf->pending - (lf->lines - before);
	lf->failures++;
	lf->failing = 1;
	lf->len = 0;
	lf->pending = 0;
	return -1;
}

int linefile_put(struct linefile *lf, const char *line, size_t len)
{
	if (lf->len + len + 1 > lf->cap) {
		linefile_flush(lf);
		if (len + 1 > lf->cap) {
			/* a line larger than the buffer: room for it alone */
			char *nb = realloc(lf->buf, len + 1);

			if (!nb) {
				lf->lost++;
				lf->failing = 1;
				lf->err = ENOMEM;
				return -1;
			}
			lf->buf = nb;
			lf->cap = len + 1;
		}
	}
	memcpy(lf->buf + lf->len, line, len);
	lf->buf[lf->len + len] = '\n';
	lf->len += len + 1;
	lf->pending++;
	return 0;
}

int linefile_reopen(struct linefile *lf)
{
	int fd;

	if (!lf->path)
		return 0;
	linefile_flush(lf);
	fd = open(lf->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		fprintf(stderr, "otsentry: reopen %s: %s\n", lf->path, strerror(errno));
		return -1;      /* keep writing to the old file */
	}
	if (lf->fd >= 0)
		close(lf->fd);
	lf->fd = fd;
	lf->reopens++;
	return 0;
}

void linefile_close(struct linefile *lf)
{
	if (!lf)
		return;
	linefile_flush(lf);
	if (lf->path && lf->fd >= 0)
		close(lf->fd);
	lf->fd = -1;
	free(lf->buf);
	free(lf->path);
	lf->buf = NULL;
	lf->path = NULL;
}
