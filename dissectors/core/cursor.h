/*
 * cursor.h - the one bounds-checked reader for packet bytes.
 *
 * Every dissector reads wire data only through a struct cursor.  A read past
 * the end never touches memory: it returns 0, sets the sticky error flag and
 * leaves the cursor at the end, so a parser can read a whole header and check
 * cur_ok() once.  Sub-windows (cur_sub) give a length-prefixed field its own
 * cursor that cannot read past the field.  No struct overlays, no casts.
 *
 * Ownership: a cursor borrows its bytes; it never allocates or frees.
 */
#ifndef OTS_CURSOR_H
#define OTS_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t *p;   /* first byte of the window */
	size_t len;         /* bytes in the window */
	size_t off;         /* read position, 0..len */
	int err;            /* sticky: set by any read past the end */
};

static inline void cur_init(struct cursor *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->len = p ? len : 0;
	c->off = 0;
	c->err = 0;
}

static inline size_t cur_left(const struct cursor *c) { return c->len - c->off; }
static inline size_t cur_pos(const struct cursor *c) { return c->off; }
static inline int cur_ok(const struct cursor *c) { return !c->err; }
static inline const uint8_t *cur_ptr(const struct cursor *c) { return c->p + c->off; }

/* Returns 1 when n bytes are available, else marks the error and returns 0.
 * Invariant: an error always leaves off == len (here, in cur_init's NULL
 * window and in cur_fail), so a read of n > 0 bytes fails on the length test
 * alone; only a zero-byte read must look at the flag.  With n a constant (every
 * fixed-width read) the flag test folds away. */
static inline int cur_need(struct cursor *c, size_t n)
{
	if (n > c->len - c->off || (n == 0 && c->err)) {
		c->err = 1;
		c->off = c->len;
		return 0;
	}
	return 1;
}

/* Mark the cursor bad (a field the caller cannot accept): sticky, and the
 * window is left used up like any failed read. */
static inline void cur_fail(struct cursor *c)
{
	c->err = 1;
	c->off = c->len;
}

static inline void cur_skip(struct cursor *c, size_t n)
{
	if (cur_need(c, n))
		c->off += n;
}

/* Pointer to n bytes and advance, or NULL (error set) when short. */
static inline const uint8_t *cur_bytes(struct cursor *c, size_t n)
{
	const uint8_t *r;

	if (!cur_need(c, n))
		return NULL;
	r = c->p + c->off;
	c->off += n;
	return r;
}

/* Copy n bytes out; zero-fills dst when short. */
static inline void cur_copy(struct cursor *c, void *dst, size_t n)
{
	const uint8_t *s = cur_bytes(c, n);

	if (s)
		memcpy(dst, s, n);
	else
		memset(dst, 0, n);
}

/* A child cursor over the next n bytes; the parent advances past them.
 * When fewer than n bytes remain the child is empty and both carry the error. */
static inline struct cursor cur_sub(struct cursor *c, size_t n)
{
	struct cursor s;
	const uint8_t *p = cur_bytes(c, n);

	cur_init(&s, p, p ? n : 0);
	if (!p)
		s.err = 1;
	return s;
}

/* Peek without advancing; 0 and no error when out of range. */
static inline int cur_peek_u8(const struct cursor *c, size_t at, uint8_t *v)
{
	if (at >= c->len - c->off)
		return 0;
	*v = c->p[c->off + at];
	return 1;
}

static inline uint8_t cur_u8(struct cursor *c)
{
	return cur_need(c, 1) ? c->p[c->off++] : 0;
}

static inline uint16_t cur_be16(struct cursor *c)
{
	const uint8_t *b = cur_bytes(c, 2);
	return b ? (uint16_t)((b[0] << 8) | b[1]) : 0;
}

static inline uint16_t cur_le16(struct cursor *c)
{
	const uint8_t *b = cur_bytes(c, 2);
	return b ? (uint16_t)((b[1] << 8) | b[0]) : 0;
}

static inline uint32_t cur_be24(struct cursor *c)
{
	const uint8_t *b = cur_bytes(c, 3);
	return b ? ((uint32_t)b[0] << 16) | ((uint32_t)b[1] << 8) | b[2] : 0;
}

static inline uint32_t cur_le24(struct cursor *c)
{
	const uint8_t *b = cur_bytes(c, 3);
	return b ? ((uint32_t)b[2] << 16) | ((uint32_t)b[1] << 8) | b[0] : 0;
}

static inline uint32_t cur_be32(struct cursor *c)
{
	const uint8_t *b = cur_bytes(c, 4);
	return b ? ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
		   ((uint32_t)b[2] << 8) | b[3] : 0;
}

static inline uint32_t cur_le32(struct cursor *c)
{
	const uint8_t *b = cur_bytes(c, 4);
	return b ? ((uint32_t)b[3] << 24) | ((uint32_t)b[2] << 16) |
		   ((uint32_t)b[1] << 8) | b[0] : 0;
}

/* Little-endian unsigned of 1..8 bytes (DNP3 uses 6-byte times). */
static inline uint64_t cur_leN(struct cursor *c, size_t n)
{
	const uint8_t *b;
	uint64_t v = 0;

	if (n == 0 || n > 8 || !(b = cur_bytes(c, n)))
		return 0;
	while (n--)
		v = (v << 8) | b[n];
	return v;
}

static inline uint64_t cur_beN(struct cursor *c, size_t n)
{
	const uint8_t *b;
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 8 || !(b = cur_bytes(c, n)))
		return 0;
	for (i = 0; i < n; i++)
		v = (v << 8) | b[i];
	return v;
}

#endif /* OTS_CURSOR_H */
