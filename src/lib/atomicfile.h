/*
 * atomicfile.h - replace a file atomically: write a new temporary file
 * beside it (mkstemp, so O_EXCL and a fresh name), fsync it, rename it over
 * the target, fsync the directory.  A reader sees the old file or the whole
 * new one, never a half-written one; a crash leaves at most a
 * "<path>.tmp.XXXXXX" file behind.
 */
#ifndef OTS_ATOMICFILE_H
#define OTS_ATOMICFILE_H

#include <stddef.h>
#include <stdio.h>

/* Writes the content to fp; 0, or -1 (errno set where it means something). */
typedef int (*ots_write_fn)(FILE *fp, const void *arg);

/*
 * Write path through fn.  The file gets mode 0644.  0 on success; -1 with a
 * one-line reason in err (path included) and no temporary file left.
 */
int ots_atomic_write(const char *path, ots_write_fn fn, const void *arg, char *err,
		     size_t errlen);

#endif /* OTS_ATOMICFILE_H */
