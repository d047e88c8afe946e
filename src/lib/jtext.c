/*
 * jtext.c - packet bytes as JSON text (see jtext.h).
 */
#include <stdlib.h>
#include <string.h>

#include "jtext.h"
#include "jw.h"

json_t *eve_string(const uint8_t *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	json_t *j;
	char *hex;
	size_t i;

	/* the rule of jw_bytes (jw.h), for values still built as trees */
	if (!s || n == 0)
		return json_string("");
	if (!memchr(s, 0, n) && jw_utf8_valid(s, n)) {
		j = json_stringn((const char *)s, n);
		if (j)
			return j;
	}
	hex = malloc(n * 2 + 1);
	if (!hex)
		abort();
	for (i = 0; i < n; i++) {
		hex[2 * i] = hexd[s[i] >> 4];
		hex[2 * i + 1] = hexd[s[i] & 15];
	}
	j = json_stringn(hex, n * 2);
	free(hex);
	if (!j)
		abort();
	return j;
}
