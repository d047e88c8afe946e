/*
 * buf.c - growable byte buffer (see buf.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void ots_buf_init(struct ots_buf *b, size_t initial, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->initial = initial;
	b->max = max;
	b->err = 0;
}

void ots_buf_free(struct ots_buf *b)
{
	if (!b)
		return;
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

char *ots_buf_take(struct ots_buf *b)
{
	char *p = (char *)b->p;

	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

int ots_buf_reserve(struct ots_buf *b, size_t n)
{
	size_t need, ncap, max = b->max ? b->max : SIZE_MAX;
	uint8_t *np;

	if (n > SIZE_MAX - 1 - b->len)
		goto refused;
	need = b->len + n + 1;          /* the trailing NUL */
	if (need <= b->cap)
		return 0;
	if (need > max)
		goto refused;
	ncap = b->cap ? b->cap : (b->initial ? b->initial : 256);
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? SIZE_MAX : ncap * 2;
	if (ncap > max)
		ncap = max;
	np = realloc(b->p, ncap);
	if (!np)
		goto refused;
	b->p = np;
	b->cap = ncap;
	return 0;
refused:
	b->err = 1;
	return -1;
}

int ots_buf_append(struct ots_buf *b, const void *p, size_t n)
{
	if (ots_buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

int ots_buf_puts(struct ots_buf *b, const char *s)
{
	return ots_buf_append(b, s, strlen(s));
}

int ots_buf_putc(struct ots_buf *b, char c)
{
	return ots_buf_append(b, &c, 1);
}

void ots_buf_consume(struct ots_buf *b, size_t n)
{
	if (n >= b->len) {
		ots_buf_reset(b);
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
	b->p[b->len] = 0;
}
