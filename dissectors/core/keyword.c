/*
 * keyword.c - helpers for protocol rule keywords (see keyword.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyword.h"

char *ot_kw_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

int ot_kw_uint(const char *s, int64_t max, int64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10);
	if (*end || errno == ERANGE || v > (unsigned long long)max)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int ot_kw_range(const char *s, int64_t max, struct ot_num_range *r)
{
	const char *sep = strstr(s, "<>");
	int64_t a, b;
	char tmp[64];

	if (strlen(s) >= sizeof(tmp))
		return -1;
	if (sep) {
		memcpy(tmp, s, (size_t)(sep - s));
		tmp[sep - s] = 0;
		if (ot_kw_uint(ot_kw_trim(tmp), max, &a) < 0)
			return -1;
		snprintf(tmp, sizeof(tmp), "%s", sep + 2);
		if (ot_kw_uint(ot_kw_trim(tmp), max, &b) < 0 || b <= a + 1)
			return -1;
		r->lo = a + 1;
		r->hi = b - 1;
		return 0;
	}
	if (s[0] == '<') {
		if (ot_kw_uint(s + 1, max, &a) < 0 || a == 0)
			return -1;
		r->lo = 0;
		r->hi = a - 1;
		return 0;
	}
	if (s[0] == '>') {
		if (ot_kw_uint(s + 1, max, &a) < 0 || a >= max)
			return -1;
		r->lo = a + 1;
		r->hi = max;
		return 0;
	}
	if (ot_kw_uint(s, max, &a) < 0)
		return -1;
	r->lo = r->hi = a;
	return 0;
}

int ot_kw_num_or_name(const char *s, const struct ot_tok *t, int64_t max, int *out)
{
	int64_t v;

	if (max >= 0 && ot_kw_uint(s, max, &v) == 0) {
		*out = (int)v;
		return 0;
	}
	return t ? ot_tok_code(t, s, out) : -1;
}

int ot_kw_split(char *s, char **parts, int max)
{
	int n = 0, depth = 0;
	char *start = s;

	for (;; s++) {
		if (*s == '[')
			depth++;
		else if (*s == ']')
			depth--;
		if ((*s == ',' && depth == 0) || *s == 0) {
			int end = (*s == 0);

			if (n >= max)
				return -1;
			*s = 0;
			parts[n++] = ot_kw_trim(start);
			if (end)
				break;
			start = s + 1;
		}
	}
	return n;
}

int ot_kw_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 && (s[n] == 0 || isspace((unsigned char)s[n]));
}

int ot_event_has_range(const struct ot_event *ev, int space, int block, int variation)
{
	int i;

	for (i = 0; i < ev->n_ranges; i++) {
		const struct ot_range *r = &ev->ranges[i];

		if (space >= 0 && r->space != space)
			continue;
		if (block >= 0 && r->block != block)
			continue;
		if (variation >= 0 && r->variation != variation)
			continue;
		return 1;
	}
	return 0;
}

int ot_kw_funcs_one(int64_t code, uint8_t funcs[32])
{
	if (code < 0 || code > 255)
		return 0;
	funcs[code >> 3] |= (uint8_t)(1u << (code & 7));
	return 1;
}
