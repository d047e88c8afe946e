/*
 * conffile.h - the configuration file: one long option per line.
 *
 *   # a comment (also after a value, when preceded by a blank)
 *   interface eth1
 *   output = /var/log/otsentry/eve.json
 *   no-flow-log
 *
 * A line is a long option's name (without "--"), then its value, separated
 * by blanks or by '='; options without a value stand alone.  Names and
 * meanings are the command line's; the command line, read after the file,
 * overrides it (a repeatable option given in both adds to the file's).
 *
 * Ownership: conffile_read() returns a vector of heap strings ("--name=value"
 * or "--name") with, for each, its line number; conffile_free() releases it.
 */
#ifndef OTS_CONFFILE_H
#define OTS_CONFFILE_H

#include <stddef.h>
#include <getopt.h>

#define CONFFILE_MAX_LINES 1024         /* option lines per file */
#define CONFFILE_MAX_LINE  4096         /* bytes per line */

struct conffile {
	char *path;
	char **args;            /* "--name=value" / "--name" */
	int *lines;             /* line number of args[i] */
	int n;
};

/* Read and check path against the long options in opts (has_arg tells
 * which need a value).  Options listed in refuse (NULL-terminated; may be
 * NULL) are refused with the reason "not allowed in a configuration file".
 * 0, or -1 with "FILE:LINE: reason" (or "FILE: reason") in err. */
int conffile_read(struct conffile *cf, const char *path, const struct option *opts,
		  const char *const *refuse, char *err, size_t errlen);
void conffile_free(struct conffile *cf);

#endif /* OTS_CONFFILE_H */
