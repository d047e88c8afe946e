/*
 * conffile.c - read the configuration file into command-line arguments
 * (see conffile.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"

static const struct option *find_option(const struct option *opts, const char *name)
{
	for (; opts->name; opts++)
		if (strcmp(opts->name, name) == 0)
			return opts;
	return NULL;
}

static int refused(const char *const *refuse, const char *name)
{
	for (; refuse && *refuse; refuse++)
		if (strcmp(*refuse, name) == 0)
			return 1;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = 0;
	return s;
}

/* Cut a comment: '#' at the start or after a blank. */
static void cut_comment(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = 0;
			return;
		}
}

static int add_arg(struct conffile *cf, const char *name, const char *value, int line)
{
	size_t n = strlen(name) + 3 + (value ? strlen(value) + 1 : 0);
	char *a = malloc(n);

	if (!a)
		return -1;
	if (value)
		snprintf(a, n, "--%s=%s", name, value);
	else
		snprintf(a, n, "--%s", name);
	cf->args[cf->n] = a;
	cf->lines[cf->n++] = line;
	return 0;
}

int conffile_read(struct conffile *cf, const char *path, const struct option *opts,
		  const char *const *refuse, char *err, size_t errlen)
{
	char buf[CONFFILE_MAX_LINE + 2];
	FILE *f;
	int line = 0;

	memset(cf, 0, sizeof(*cf));
	if (!(f = fopen(path, "r"))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	cf->path = strdup(path);
	cf->args = calloc(CONFFILE_MAX_LINES, sizeof(*cf->args));
	cf->lines = calloc(CONFFILE_MAX_LINES, sizeof(*cf->lines));
	if (!cf->path || !cf->args || !cf->lines) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	while (fgets(buf, sizeof(buf), f)) {
		const struct option *o;
		char *s, *name, *value = NULL;
		size_t n;

		line++;
		n = strlen(buf);
		if (n > CONFFILE_MAX_LINE && buf[n - 1] != '\n') {
			snprintf(err, errlen, "%s:%d: line longer than %d bytes", path, line,
				 CONFFILE_MAX_LINE);
			goto fail;
		}
		if (memchr(buf, 0, n) != NULL && strlen(buf) != n) {
			snprintf(err, errlen, "%s:%d: NUL byte in the line", path, line);
			goto fail;
		}
		cut_comment(buf);
		s = trim(buf);
		if (!*s)
			continue;
		name = s;
		if (name[0] == '-') {
			snprintf(err, errlen, "%s:%d: write the option without dashes: '%s'",
				 path, line, name + strspn(name, "-"));
			goto fail;
		}
		n = strcspn(s, " \t=");
		if (s[n]) {
			char *v = s + n;

			*v++ = 0;
			v = trim(v);
			if (*v == '=')
				v = trim(v + 1);
			value = v;
		}
		for (char *p = name; *p; p++)
			if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-')) {
				snprintf(err, errlen, "%s:%d: '%s' is not an option name", path, line, name);
				goto fail;
			}
		if (!(o = find_option(opts, name)) || strlen(name) < 2) {
			snprintf(err, errlen, "%s:%d: unknown option '%s'", path, line, name);
			goto fail;
		}
		if (refused(refuse, name)) {
			snprintf(err, errlen, "%s:%d: '%s' is not allowed in a configuration file",
				 path, line, name);
			goto fail;
		}
		if (o->has_arg == required_argument && (!value || !*value)) {
			snprintf(err, errlen, "%s:%d: '%s' needs a value", path, line, name);
			goto fail;
		}
		if (o->has_arg == no_argument && value && *value) {
			snprintf(err, errlen, "%s:%d: '%s' takes no value (got '%s')", path, line,
				 name, value);
			goto fail;
		}
		if (cf->n >= CONFFILE_MAX_LINES) {
			snprintf(err, errlen, "%s:%d: more than %d options", path, line,
				 CONFFILE_MAX_LINES);
			goto fail;
		}
		if (add_arg(cf, name, o->has_arg == no_argument ? NULL : value, line) < 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto fail;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	conffile_free(cf);
	return -1;
}

void conffile_free(struct conffile *cf)
{
	int i;

	if (!cf)
		return;
	for (i = 0; i < cf->n; i++)
		free(cf->args[i]);
	free(cf->args);
	free(cf->lines);
	free(cf->path);
	memset(cf, 0, sizeof(*cf));
}
