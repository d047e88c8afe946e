/*
 * buf.h - a growable byte buffer with an optional hard cap.
 *
 * Capacity doubles from a first allocation of `initial` bytes (256 when 0)
 * and never goes past `max` (0: no cap but SIZE_MAX).  An append that would
 * pass the cap, or whose allocation fails, changes nothing and returns -1;
 * the caller counts it (err stays set until ots_buf_free() or
 * ots_buf_init(), so a caller can append a whole record and check once).
 * The buffer is always NUL-terminated after its
 * bytes when cap > len (so text can be read as a C string), but the NUL is
 * not counted in len.
 *
 * Ownership: the buffer owns p; ots_buf_free() releases it (a zeroed or
 * freed buffer is empty and valid).  ots_buf_take() hands p to the caller.
 */
#ifndef OTS_BUF_H
#define OTS_BUF_H

#include <stddef.h>
#include <stdint.h>

struct ots_buf {
	uint8_t *p;
	size_t len, cap;
	size_t initial;         /* first allocation (0: 256) */
	size_t max;             /* hard cap on cap (0: none) */
	int err;                /* sticky: an append was refused */
};

#define OTS_BUF_INIT(initial, max) { NULL, 0, 0, (initial), (max), 0 }

void ots_buf_init(struct ots_buf *b, size_t initial, size_t max);
void ots_buf_free(struct ots_buf *b);
/* Room for n more bytes (and the NUL): 0, or -1 (err set) at the cap or
 * out of memory. */
int ots_buf_reserve(struct ots_buf *b, size_t n);
int ots_buf_append(struct ots_buf *b, const void *p, size_t n);
int ots_buf_puts(struct ots_buf *b, const char *s);
int ots_buf_putc(struct ots_buf *b, char c);
/* Drop the first n bytes (all when n >= len), keeping the allocation. */
void ots_buf_consume(struct ots_buf *b, size_t n);
static inline void ots_buf_reset(struct ots_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
}
/* Hand the bytes (NUL-terminated, NULL when empty) to the caller, who frees
 * them; the buffer is left empty. */
char *ots_buf_take(struct ots_buf *b);
/* The bytes as a C string ("" when nothing was ever appended). */
static inline const char *ots_buf_str(const struct ots_buf *b)
{
	return b->p ? (const char *)b->p : "";
}

#endif /* OTS_BUF_H */
