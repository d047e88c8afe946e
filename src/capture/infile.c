/*
 * infile.c - capture files through a stdio cookie: plain, gzip (zlib's
 * inflate with the gzip wrapper, several members in a row as gzip writes
 * them), zstd (libzstd's streaming decoder, several frames in a row).
 * See infile.h.
 *
 * Formats: gzip RFC 1952 (magic 1f 8b); zstd RFC 8878 (frame magic
 * 28 b5 2f fd, little-endian 0xFD2FB528).
 */
#define _GNU_SOURCE     /* fopencookie */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "infile.h"

#define INFILE_RAW_BUF  (128 * 1024)    /* compressed bytes read at once */
#define INFILE_STDIO_BUF (64 * 1024)    /* the stream's own buffer */

struct infile {
	int fd;
	int own_fd;                     /* 0 for standard input */
	enum infile_kind kind;
	uint64_t size;
	uint64_t raw_bytes;

	char *iobuf;                    /* the stream's buffer: stdio gives a
					 * cookie stream BUFSIZ bytes whatever
					 * setvbuf asks unless it is handed one;
					 * not touched by fclose after the close */
	unsigned char *raw;             /* raw[pos, len) not yet used */
	size_t pos, len;
	int eof;

	z_stream z;
	int z_ready;
	int z_member_end;               /* last inflate ended a gzip member */
	ZSTD_DStream *zs;
	size_t zs_hint;                 /* last ZSTD_decompressStream: 0 = frame done */

	int failed;                     /* corrupt data: every read fails */
	char err[128];                  /* why the data did not read to its end */
};

/* Refill raw[] (keeping what is not used yet).  0, or -1 with errno. */
static int raw_fill(struct infile *f)
{
	ssize_t n;

	if (f->pos > 0) {
		memmove(f->raw, f->raw + f->pos, f->len - f->pos);
		f->len -= f->pos;
		f->pos = 0;
	}
	while (!f->eof && f->len < INFILE_RAW_BUF) {
		n = read(f->fd, f->raw + f->len, INFILE_RAW_BUF - f->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			f->eof = 1;
		f->len += (size_t)n;
		f->raw_bytes += (uint64_t)n;
		break;          /* one read: a pipe returns what it has */
	}
	return 0;
}

static ssize_t read_plain(struct infile *f, char *buf, size_t size)
{
	size_t have = f->len - f->pos;
	ssize_t n;

	if (have > 0) {
		if (have > size)
			have = size;
		memcpy(buf, f->raw + f->pos, have);
		f->pos += have;
		return (ssize_t)have;
	}
	if (f->eof)
		return 0;
	do {
		n = read(f->fd, buf, size);
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		f->raw_bytes += (uint64_t)n;
	else if (n == 0)
		f->eof = 1;
	return n;
}

static void set_truncated(struct infile *f)
{
	if (!f->err[0])
		snprintf(f->err, sizeof(f->err), "truncated compressed file: the %s data ends early",
			 f->kind == INFILE_GZIP ? "gzip" : "zstd");
}

static ssize_t read_gzip(struct infile *f, char *buf, size_t size)
{
	int r;

	if (f->failed)
		return -1;
	if (f->err[0])
		return 0;       /* truncated: stays at its end */
	if (size > UINT32_MAX)
		size = UINT32_MAX;
	f->z.next_out = (Bytef *)buf;
	f->z.avail_out = (uInt)size;
	while (f->z.avail_out == size) {
		if (f->pos == f->len && raw_fill(f) < 0)
			return -1;
		if (f->z_member_end) {
			/* another member follows, or the data ends here; bytes
			 * after the last member that start no member (padding)
			 * end the data, as gzip -d ignores them */
			if (f->pos == f->len || f->raw[f->pos] != 0x1f)
				return 0;
			if (inflateReset(&f->z) != Z_OK)
				goto corrupt;
			f->z_member_end = 0;
		}
		if (f->pos == f->len) {
			set_truncated(f);
			return 0;
		}
		f->z.next_in = f->raw + f->pos;
		f->z.avail_in = (uInt)(f->len - f->pos);
		r = inflate(&f->z, Z_NO_FLUSH);
		f->pos = f->len - f->z.avail_in;
		if (r == Z_STREAM_END)
			f->z_member_end = 1;
		else if (r != Z_OK && r != Z_BUF_ERROR)
			goto corrupt;
	}
	return (ssize_t)(size - f->z.avail_out);
corrupt:
	snprintf(f->err, sizeof(f->err), "corrupt gzip data: %s",
		 f->z.msg ? f->z.msg : "inflate failed");
	f->failed = 1;
	errno = EIO;
	return -1;
}

static ssize_t read_zstd(struct infile *f, char *buf, size_t size)
{
	ZSTD_outBuffer out = { buf, size, 0 };
	ZSTD_inBuffer in;
	size_t r;

	if (f->failed)
		return -1;
	if (f->err[0])
		return 0;       /* truncated: stays at its end */
	while (out.pos == 0) {
		if (f->pos == f->len && raw_fill(f) < 0)
			return -1;
		if (f->pos == f->len) {
			if (f->zs_hint != 0)
				set_truncated(f);
			return 0;
		}
		in.src = f->raw + f->pos;
		in.size = f->len - f->pos;
		in.pos = 0;
		r = ZSTD_decompressStream(f->zs, &out, &in);
		f->pos += in.pos;
		if (ZSTD_isError(r)) {
			snprintf(f->err, sizeof(f->err), "corrupt zstd data: %s",
				 ZSTD_getErrorName(r));
			f->failed = 1;
			errno = EIO;
			return -1;
		}
		f->zs_hint = r;
	}
	return (ssize_t)out.pos;
}

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
	struct infile *f = cookie;

	if (size == 0)
		return 0;
	switch (f->kind) {
	case INFILE_GZIP: return read_gzip(f, buf, size);
	case INFILE_ZSTD: return read_zstd(f, buf, size);
	default: return read_plain(f, buf, size);
	}
}

ssize_t infile_read(struct infile *inf, void *buf, size_t n)
{
	return cookie_read(inf, buf, n);
}

static void infile_free(struct infile *f)
{
	if (!f)
		return;
	if (f->z_ready)
		inflateEnd(&f->z);
	ZSTD_freeDStream(f->zs);
	if (f->own_fd && f->fd >= 0)
		close(f->fd);
	free(f->iobuf);
	free(f->raw);
	free(f);
}

static int cookie_close(void *cookie)
{
	infile_free(cookie);
	return 0;
}

/* Decide the kind from the first bytes and set its decoder up. */
static int start_decoder(struct infile *f, char *err, size_t errlen)
{
	static const unsigned char zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

	while (!f->eof && f->len < 4)
		if (raw_fill(f) < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
	if (f->len >= 2 && f->raw[0] == 0x1f && f->raw[1] == 0x8b) {
		f->kind = INFILE_GZIP;
		if (inflateInit2(&f->z, 16 + MAX_WBITS) != Z_OK) {
			snprintf(err, errlen, "cannot start the gzip decoder");
			return -1;
		}
		f->z_ready = 1;
	} else if (f->len >= 4 && memcmp(f->raw, zstd_magic, 4) == 0) {
		f->kind = INFILE_ZSTD;
		f->zs = ZSTD_createDStream();
		if (!f->zs || ZSTD_isError(ZSTD_initDStream(f->zs))) {
			snprintf(err, errlen, "cannot start the zstd decoder");
			return -1;
		}
		f->zs_hint = 1;
	} else {
		f->kind = INFILE_PLAIN;
	}
	return 0;
}

FILE *infile_open(const char *path, struct infile **inf, char *err, size_t errlen)
{
	static const cookie_io_functions_t io = {
		.read = cookie_read, .write = NULL, .seek = NULL, .close = cookie_close,
	};
	struct infile *f;
	struct stat st;
	FILE *fp;

	*inf = NULL;
	f = calloc(1, sizeof(*f));
	if (!f || !(f->raw = malloc(INFILE_RAW_BUF)) || !(f->iobuf = malloc(INFILE_STDIO_BUF))) {
		snprintf(err, errlen, "out of memory");
		if (f)
			free(f->raw);
		free(f);
		return NULL;
	}
	if (strcmp(path, "-") == 0) {
		f->fd = STDIN_FILENO;
	} else {
		f->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (f->fd < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto fail;
		}
		f->own_fd = 1;
	}
	if (fstat(f->fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "is a directory");
			goto fail;
		}
		if (S_ISREG(st.st_mode) && st.st_size > 0)
			f->size = (uint64_t)st.st_size;
	}
	if (start_decoder(f, err, errlen) < 0)
		goto fail;
	fp = fopencookie(f, "r", io);
	if (!fp) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	/* plain files only: a decoder hands back what it has before a corrupt
	 * spot only per read, and a long read would lose the packets before it */
	if (f->kind == INFILE_PLAIN)
		setvbuf(fp, f->iobuf, _IOFBF, INFILE_STDIO_BUF);
	else
		setvbuf(fp, NULL, _IOFBF, INFILE_STDIO_BUF);
	*inf = f;
	return fp;
fail:
	infile_free(f);
	return NULL;
}

enum infile_kind infile_kind(const struct infile *inf)
{
	return inf->kind;
}

const char *infile_kind_suffix(enum infile_kind k)
{
	switch (k) {
	case INFILE_GZIP: return ".gz";
	case INFILE_ZSTD: return ".zst";
	default: return "";
	}
}

uint64_t infile_raw_bytes(const struct infile *inf)
{
	return inf->raw_bytes;
}

uint64_t infile_size(const struct infile *inf)
{
	return inf->size;
}

const char *infile_error(const struct infile *inf)
{
	return inf->err[0] ? inf->err : NULL;
}

int infile_corrupt(const struct infile *inf)
{
	return inf->failed;
}
