/*
 * linefile.h - JSON lines into a file (or standard output), each line whole
 * or not at all.
 *
 * Lines are gathered in one buffer and written with write(2).  When a write
 * stops part-way (a full disk, a quota, an I/O error), the bytes of the line
 * cut in two are taken back (ftruncate, for regular files) so no half line
 * ever stays in the file; the lines that did not reach the file are counted
 * exactly (lost) and dropped, and the next flush tries again.  A sink that
 * lost lines is "failing" until a flush succeeds.
 *
 * Ownership: the struct is the caller's (embedded); linefile_close() frees
 * what linefile_open() allocated and closes the file (not standard output).
 */
#ifndef OTS_LINEFILE_H
#define OTS_LINEFILE_H

#include <stddef.h>
#include <stdint.h>

struct linefile {
	char *path;             /* NULL: standard output */
	int fd;
	char *buf;              /* whole lines waiting, each ending in '\n' */
	size_t len, cap;
	uint64_t pending;       /* lines in buf */
	uint64_t lines, bytes;  /* written to the file */
	uint64_t lost;          /* never reached it */
	uint64_t failures;      /* flushes that lost lines */
	uint64_t reopens;
	uint64_t trunc_failures; /* a cut line that could not be taken back */
	int failing;            /* 1: the last flush lost lines */
	int err;                /* errno of the last failure */
};

/* Open path for appending ("-": standard output).  0, or -1 with err set. */
int linefile_open(struct linefile *lf, const char *path, char *err, size_t errlen);
/* One line (without its newline) into the buffer; the buffer is flushed
 * first when it is full.  0, or -1 when out of memory (the line is lost
 * and counted). */
int linefile_put(struct linefile *lf, const char *line, size_t len);
/* Write what is buffered.  0, or -1 when lines were lost (counted). */
int linefile_flush(struct linefile *lf);
/* Flush, then open the path again (log rotation); on failure the old file
 * stays in use.  0 or -1 (message on stderr). */
int linefile_reopen(struct linefile *lf);
/* Flush and close; safe on a struct that never opened (zeroed, fd -1). */
void linefile_close(struct linefile *lf);

#endif /* OTS_LINEFILE_H */
