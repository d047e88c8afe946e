/*
 * jw.c - the streaming JSON writer (see jw.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "jw.h"

void jw_init(struct jw *w)
{
	memset(w, 0, sizeof(*w));
}

void jw_free(struct jw *w)
{
	if (!w)
		return;
	free(w->buf);
	jw_init(w);
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	w->err = 0;
	w->depth = 0;
	w->has_member[0] = 0;
}

/* The slow half of jw_reserve: grow the buffer. */
static int jw_grow(struct jw *w, size_t n)
{
	size_t ncap;
	char *np;

	if (w->err)
		return -1;
	if (n > ((size_t)-1) / 4 - w->len) {
		w->err = 1;
		return -1;
	}
	ncap = w->cap ? w->cap : 1024;
	while (ncap - w->len <= n)
		ncap *= 2;
	np = realloc(w->buf, ncap);
	if (!np) {
		w->err = 1;
		return -1;
	}
	w->buf = np;
	w->cap = ncap;
	return 0;
}

/* Room for n more bytes plus a NUL; 0, or -1 (sticky error). */
static inline int jw_reserve(struct jw *w, size_t n)
{
	if (__builtin_expect(!w->err && n < w->cap - w->len, 1))
		return 0;
	return jw_grow(w, n);
}

static inline void jw_copy(char *o, const char *s, size_t n);

static inline void jw_put(struct jw *w, const char *s, size_t n)
{
	if (jw_reserve(w, n) == 0) {
		if (n <= 32)
			jw_copy(w->buf + w->len, s, n);
		else
			memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
}

static inline void jw_putc(struct jw *w, char c)
{
	if (jw_reserve(w, 1) == 0)
		w->buf[w->len++] = c;
}

/* 1 for the bytes a JSON string cannot hold as they are. */
static const uint8_t jw_needs_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,         /* '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,         /* '\\' */
};

/* Word-at-a-time tests on 8 bytes (each true when some byte is). */
#define JW_ONES  0x0101010101010101ULL
#define JW_HIGHS 0x8080808080808080ULL

/* 1 when one of the 8 bytes of x is below 0x20, '"' or '\\'. */
static inline int jw_word_needs_escape(uint64_t x)
{
	uint64_t q = x ^ (JW_ONES * '"'), b = x ^ (JW_ONES * '\\');

	return (((x - JW_ONES * 0x20) & ~x) | ((q - JW_ONES) & ~q) |
		((b - JW_ONES) & ~b)) & JW_HIGHS ? 1 : 0;
}

/* s[0..n) to o, for the short strings of a line (keys, names) without a
 * call: overlapping word copies, never reading s past its end. */
static inline void jw_copy(char *o, const char *s, size_t n)
{
	uint64_t x;
	uint32_t y;
	uint16_t z;
	size_t i;

	if (n >= 8) {
		for (i = 0; i + 8 <= n; i += 8) {
			memcpy(&x, s + i, 8);
			memcpy(o + i, &x, 8);
		}
		memcpy(&x, s + n - 8, 8);
		memcpy(o + n - 8, &x, 8);
	} else if (n >= 4) {
		memcpy(&y, s, 4);
		memcpy(o, &y, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(o + n - 4, &y, 4);
	} else if (n >= 2) {
		memcpy(&z, s, 2);
		memcpy(o, &z, 2);
		memcpy(&z, s + n - 2, 2);
		memcpy(o + n - 2, &z, 2);
	} else if (n) {
		o[0] = s[0];
	}
}

/*
 * Copy s[0..n) to o and say whether it can stay as it is: 1 when no byte
 * needs an escape (then all n bytes are at o), 0 when one does (o holds
 * some of them: the caller escapes the whole string over them).  One pass,
 * a word at a time: the last word overlaps the one before it, a short
 * string is read as two overlapping halves with 'a's in the unused bytes;
 * neither s nor o is touched past n bytes.
 */
static inline int jw_copy_clean(char *o, const char *s, size_t n)
{
	const uint64_t pad = JW_ONES * 'a';
	uint64_t x;
	uint32_t a, b;
	uint16_t c, d;
	size_t i;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8) {
			memcpy(&x, s + i, 8);
			if (jw_word_needs_escape(x))
				return 0;
			memcpy(o + i, &x, 8);
		}
		memcpy(&x, s + n - 8, 8);
		if (jw_word_needs_escape(x))
			return 0;
		memcpy(o + n - 8, &x, 8);
	} else if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		if (jw_word_needs_escape(a | (uint64_t)b << 32))
			return 0;
		memcpy(o, &a, 4);
		memcpy(o + n - 4, &b, 4);
	} else if (n >= 2) {
		memcpy(&c, s, 2);
		memcpy(&d, s + n - 2, 2);
		if (jw_word_needs_escape(c | (uint64_t)d << 16 | (pad << 32)))
			return 0;
		memcpy(o, &c, 2);
		memcpy(o + n - 2, &d, 2);
	} else if (n) {
		if (jw_word_needs_escape((uint8_t)s[0] | (pad << 8)))
			return 0;
		o[0] = s[0];
	}
	return 1;
}

/* The escaped form of byte c at o (which needs escaping); returns the end. */
static char *jw_escape_byte(char *o, unsigned char c)
{
	static const char hexd[] = "0123456789ABCDEF";

	*o++ = '\\';
	switch (c) {
	case '"': *o++ = '"'; break;
	case '\\': *o++ = '\\'; break;
	case '\b': *o++ = 'b'; break;
	case '\f': *o++ = 'f'; break;
	case '\n': *o++ = 'n'; break;
	case '\r': *o++ = 'r'; break;
	case '\t': *o++ = 't'; break;
	default:
		*o++ = 'u';
		*o++ = '0';
		*o++ = '0';
		*o++ = hexd[c >> 4];
		*o++ = hexd[c & 15];
		break;
	}
	return o;
}

/* The escaped body of s[0..n) at o, which has room for 6 * n bytes;
 * returns the end.  Eight bytes at a time while none needs an escape. */
static char *jw_escape_into(char *o, const char *s, size_t n)
{
	size_t i = 0, j;
	uint64_t x;

	while (i < n) {
		if (i + 8 <= n) {
			memcpy(&x, s + i, 8);
			if (!jw_word_needs_escape(x)) {
				memcpy(o, &x, 8);
				o += 8;
				i += 8;
				continue;
			}
			j = i + 8;
		} else {
			j = n;
		}
		for (; i < j; i++) {
			unsigned char c = (unsigned char)s[i];

			if (jw_needs_escape[c])
				o = jw_escape_byte(o, c);
			else
				*o++ = (char)c;
		}
	}
	return o;
}

/* Literal keys are checked in the sanitizer builds (see jw_klen()). */
#if defined(__SANITIZE_ADDRESS__)
#define JW_CHECK_LITERAL_KEYS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JW_CHECK_LITERAL_KEYS 1
#endif
#endif

/* Comma and key (kn bytes, NULL: none; JW_KEY_LITERAL: a literal) before
 * a value; -1 when the writer is in error.  A key without a byte to escape
 * (the program's own names) is copied as it is. */
static inline __attribute__((always_inline)) int jw_begin(struct jw *w, const char *key, size_t kn)
{
	int literal = (kn & JW_KEY_LITERAL) != 0;
	char *o;

	if (w->err)
		return -1;
	if (!key) {
		if (jw_reserve(w, 1) < 0)
			return -1;
		if (w->has_member[w->depth])
			w->buf[w->len++] = ',';
		w->has_member[w->depth] = 1;
		return 0;
	}
	kn &= ~JW_KEY_LITERAL;
	if (kn > ((size_t)-1) / 8 || jw_reserve(w, kn * 6 + 12) < 0) {
		w->err = 1;
		return -1;
	}
	o = w->buf + w->len;
	if (w->has_member[w->depth])
		*o++ = ',';
	w->has_member[w->depth] = 1;
	*o++ = '"';
#ifdef JW_CHECK_LITERAL_KEYS
	if (literal && !jw_copy_clean(o, key, kn)) {
		fprintf(stderr, "jw: literal key \"%s\" needs escaping\n", key);
		abort();
	}
	literal = 0;
#endif
	if (literal) {
		jw_copy(o, key, kn);
		o += kn;
	} else if (jw_copy_clean(o, key, kn)) {
		o += kn;
	} else {
		o = jw_escape_into(o, key, kn);
	}
	*o++ = '"';
	*o++ = ':';
	w->len = (size_t)(o - w->buf);
	return 0;
}

static void jw_open(struct jw *w, const char *key, size_t kn, char c)
{
	if (jw_begin(w, key, kn) < 0)
		return;
	if (w->depth >= JW_MAX_DEPTH) {
		w->err = 1;
		return;
	}
	jw_putc(w, c);
	w->depth++;
	w->has_member[w->depth] = 0;
}

void jw_close_k(struct jw *w, char c)
{
	if (w->err)
		return;
	if (w->depth == 0) {
		w->err = 1;
		return;
	}
	w->depth--;
	jw_putc(w, c);
}

void jw_object_open_k(struct jw *w, const char *key, size_t kn)
{
	jw_open(w, key, kn, '{');
}

void jw_array_open_k(struct jw *w, const char *key, size_t kn)
{
	jw_open(w, key, kn, '[');
}

void jw_stringn_k(struct jw *w, const char *key, size_t kn, const char *s, size_t n)
{
	if (jw_begin(w, key, kn) == 0)
		jw_value_stringn(w, s, n);
}

void jw_value_stringn(struct jw *w, const char *s, size_t n)
{
	char *o;

	if (w->err)
		return;
	if (!s)
		n = 0;
	/* worst case every byte as \\u00XX: one reservation, then stores */
	if (n > ((size_t)-1) / 8 || jw_reserve(w, n * 6 + 10) < 0) {
		w->err = 1;
		return;
	}
	o = w->buf + w->len;
	*o++ = '"';
	if (jw_copy_clean(o, s, n))
		o += n;
	else
		o = jw_escape_into(o, s, n);
	*o++ = '"';
	w->len = (size_t)(o - w->buf);
}

void jw_plain_k(struct jw *w, const char *key, size_t kn, const char *s, size_t n)
{
	if (jw_begin(w, key, kn) == 0)
		jw_value_plain(w, s, n);
}

void jw_value_plain(struct jw *w, const char *s, size_t n)
{
	char *o;

	if (w->err)
		return;
	if (!s)
		n = 0;
	if (n > ((size_t)-1) / 2 || jw_reserve(w, n + 2) < 0) {
		w->err = 1;
		return;
	}
	o = w->buf + w->len;
	*o++ = '"';
	if (n <= 32)
		jw_copy(o, s, n);
	else
		memcpy(o, s, n);
	o += n;
	*o++ = '"';
	w->len = (size_t)(o - w->buf);
}

void jw_string_k(struct jw *w, const char *key, size_t kn, const char *s)
{
	jw_stringn_k(w, key, kn, s, s ? strlen(s) : 0);
}

/* ---- names: strings in static storage, remembered by address ---- */

/* Each name's length, whether it is plain (no byte to escape) and, when it
 * is plain and short, its quoted text: found on first sight and kept in a
 * small direct-mapped table indexed by its address.  Sound because
 * jw_name's strings never change (jw.h); the sanitizer builds check that
 * on every use. */
#define JW_NAME_BITS 8
#define JW_NAME_TEXT 32         /* quoted text kept up to this length */

struct jw_name_memo {
	const char *p;
	size_t n;
	int plain;              /* no byte to escape, and n + 2 <= JW_NAME_TEXT */
	char q[JW_NAME_TEXT];   /* when plain: '"', the name, '"' */
};

static __thread struct jw_name_memo jw_names[1u << JW_NAME_BITS];

static int jw_is_plain(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (jw_needs_escape[(unsigned char)s[i]])
			return 0;
	return 1;
}

/* First sight of s (or s displaced another name from its place). */
static __attribute__((noinline)) void jw_name_fill(struct jw_name_memo *m, const char *s)
{
	m->n = strlen(s);
	m->plain = jw_is_plain(s, m->n) && m->n + 2 <= JW_NAME_TEXT;
	if (m->plain) {
		m->q[0] = '"';
		memcpy(m->q + 1, s, m->n);
		m->q[m->n + 1] = '"';
	}
	m->p = s;
}

static struct jw_name_memo *jw_name_slot(const char *s)
{
	return &jw_names[((uintptr_t)s * 0x9E3779B97F4A7C15ULL) >> (64 - JW_NAME_BITS)];
}

/* The name of s looked up (filled on a miss; checked in the sanitizer
 * builds), then written. */
static __attribute__((noinline)) void jw_value_name_slow(struct jw *w, const char *s)
{
	struct jw_name_memo *m = jw_name_slot(s);

	if (w->err)
		return;
	if (m->p != s)
		jw_name_fill(m, s);
#ifdef JW_CHECK_LITERAL_KEYS
	else if (strlen(s) != m->n ||
		 (jw_is_plain(s, m->n) && m->n + 2 <= JW_NAME_TEXT) != m->plain ||
		 (m->plain && memcmp(m->q + 1, s, m->n) != 0)) {
		fprintf(stderr, "jw: name \"%s\" changed at its address\n", s);
		abort();
	}
#endif
	if (!m->plain) {
		jw_value_stringn(w, s, m->n);
		return;
	}
	if (jw_reserve(w, JW_NAME_TEXT) < 0) {
		w->err = 1;
		return;
	}
	memcpy(w->buf + w->len, m->q, JW_NAME_TEXT);
	w->len += m->n + 2;
}

void jw_value_name(struct jw *w, const char *s)
{
	if (!s)
		s = "";
#ifndef JW_CHECK_LITERAL_KEYS
	{
		const struct jw_name_memo *m = jw_name_slot(s);

		/* a name seen before: its whole kept text (the bytes past
		 * the name are overwritten by what follows), so room for
		 * all of it */
		if (m->p == s && m->plain && !w->err && w->cap - w->len > JW_NAME_TEXT) {
			memcpy(w->buf + w->len, m->q, JW_NAME_TEXT);
			w->len += m->n + 2;
			return;
		}
	}
#endif
	jw_value_name_slow(w, s);
}

void jw_object_open_name(struct jw *w, const char *name)
{
#ifndef JW_CHECK_LITERAL_KEYS
	struct jw_name_memo *m = jw_name_slot(name);
	char *o;

	if (m->p != name)
		jw_name_fill(m, name);
	/* the kept text, then ":{" over its tail: room for all of it */
	if (m->plain && !w->err && w->depth < JW_MAX_DEPTH &&
	    w->cap - w->len > JW_NAME_TEXT + 3) {
		o = w->buf + w->len;
		*o = ',';
		o += w->has_member[w->depth];
		w->has_member[w->depth] = 1;
		memcpy(o, m->q, JW_NAME_TEXT);
		o += m->n + 2;
		*o++ = ':';
		*o++ = '{';
		w->len = (size_t)(o - w->buf);
		w->depth++;
		w->has_member[w->depth] = 0;
		return;
	}
#endif
	jw_object_open_k(w, name, strlen(name));
}

void jw_name_k(struct jw *w, const char *key, size_t kn, const char *s)
{
	if (jw_begin(w, key, kn) == 0)
		jw_value_name(w, s);
}

int jw_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t u = p[i];
		uint32_t cp;
		size_t k, len;

		if (u < 0x80) {
			i++;
			continue;
		}
		if (u >= 0xC2 && u <= 0xDF) {
			len = 2;
			cp = u & 0x1F;
		} else if (u >= 0xE0 && u <= 0xEF) {
			len = 3;
			cp = u & 0x0F;
		} else if (u >= 0xF0 && u <= 0xF4) {
			len = 4;
			cp = u & 0x07;
		} else {
			return 0;       /* continuation byte, C0/C1, F5..FF */
		}
		if (len > n - i)
			return 0;
		for (k = 1; k < len; k++) {
			if (p[i + k] < 0x80 || p[i + k] > 0xBF)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
		    (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
			return 0;
		i += len;
	}
	return 1;
}

void jw_hex_k(struct jw *w, const char *key, size_t kn, const uint8_t *p, size_t n)
{
	if (jw_begin(w, key, kn) == 0)
		jw_value_hex(w, p, n);
}

void jw_value_hex(struct jw *w, const uint8_t *p, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	char *o;
	size_t i;

	if (w->err)
		return;
	if (!p)
		n = 0;
	if (n > ((size_t)-1) / 4 || jw_reserve(w, 2 * n + 2) < 0) {
		w->err = 1;
		return;
	}
	o = w->buf + w->len;
	*o++ = '"';
	for (i = 0; i < n; i++) {
		*o++ = hexd[p[i] >> 4];
		*o++ = hexd[p[i] & 15];
	}
	*o++ = '"';
	w->len = (size_t)(o - w->buf);
}

void jw_bytes_k(struct jw *w, const char *key, size_t kn, const uint8_t *p, size_t n)
{
	if (!p || n == 0) {
		jw_stringn_k(w, key, kn, "", 0);
		return;
	}
	if (!memchr(p, 0, n) && jw_utf8_valid(p, n))
		jw_stringn_k(w, key, kn, (const char *)p, n);
	else
		jw_hex_k(w, key, kn, p, n);
}

const char jw_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Eight digits of x (< 10^8, zero-padded) ending at end. */
static inline void jw_digits8(char *end, uint32_t x)
{
	uint32_t hi = x / 10000, lo = x % 10000;

	memcpy(end - 8, jw_pairs + 2 * (hi / 100), 2);
	memcpy(end - 6, jw_pairs + 2 * (hi % 100), 2);
	memcpy(end - 4, jw_pairs + 2 * (lo / 100), 2);
	memcpy(end - 2, jw_pairs + 2 * (lo % 100), 2);
}

/* Decimal digits of u at the end of tmp[24]; returns the first.  Eight
 * digits per 64-bit division while u is that long, then two per 32-bit
 * division. */
static char *jw_udigits(char *end, uint64_t u)
{
	uint32_t x;

	while (u >= 100000000) {
		jw_digits8(end, (uint32_t)(u % 100000000));
		u /= 100000000;
		end -= 8;
	}
	x = (uint32_t)u;
	while (x >= 100) {
		unsigned r = x % 100;

		x /= 100;
		end -= 2;
		memcpy(end, jw_pairs + 2 * r, 2);
	}
	if (x >= 10) {
		end -= 2;
		memcpy(end, jw_pairs + 2 * x, 2);
	} else {
		*--end = (char)('0' + x);
	}
	return end;
}

char *jw_udec(char *o, uint64_t v)
{
	static const uint64_t p10[20] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
		10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
		100000000000ULL, 1000000000000ULL, 10000000000000ULL,
		100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
		100000000000000000ULL, 1000000000000000000ULL,
		10000000000000000000ULL,
	};
	/* digits: about log10 from the bit length (1233 / 4096 ~ log10(2)),
	 * then one comparison settles it; v | 1 has as many as v, and 1 for 0 */
	uint64_t x = v | 1;
	unsigned t = (unsigned)(64 - __builtin_clzll(x)) * 1233 >> 12;
	unsigned n = t + 1 - (x < p10[t]);
	char *end = o + n;

	jw_udigits(end, v);
	return end;
}

void jw_uint_k(struct jw *w, const char *key, size_t kn, uint64_t v)
{
	char tmp[24], *p;

	if (jw_begin(w, key, kn) < 0)
		return;
	p = jw_udigits(tmp + sizeof(tmp), v);
	jw_put(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

void jw_int_k(struct jw *w, const char *key, size_t kn, int64_t v)
{
	char tmp[24], *p;
	uint64_t u = v < 0 ? 0ULL - (uint64_t)v : (uint64_t)v;

	if (jw_begin(w, key, kn) < 0)
		return;
	p = jw_udigits(tmp + sizeof(tmp), u);
	if (v < 0)
		*--p = '-';
	jw_put(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

void jw_members(struct jw *w, const char *text, size_t n)
{
	if (w->err || n == 0)
		return;
	if (n > ((size_t)-1) / 2 || jw_reserve(w, n + 1) < 0) {
		w->err = 1;
		return;
	}
	if (w->has_member[w->depth])
		w->buf[w->len++] = ',';
	w->has_member[w->depth] = 1;
	memcpy(w->buf + w->len, text, n);
	w->len += n;
}

void jw_bool_k(struct jw *w, const char *key, size_t kn, int v)
{
	if (jw_begin(w, key, kn) == 0)
		jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null_k(struct jw *w, const char *key, size_t kn)
{
	if (jw_begin(w, key, kn) == 0)
		jw_put(w, "null", 4);
}

void jw_raw_k(struct jw *w, const char *key, size_t kn, const char *json, size_t n)
{
	if (jw_begin(w, key, kn) == 0)
		jw_put(w, json, n);
}

void jw_value_raw(struct jw *w, const char *json, size_t n)
{
	if (!w->err)
		jw_put(w, json, n);
}

/* ---- reals ------------------------------------------------------------ */

static const double jw_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * The slow path: printf at 15, 16, then 17 significant digits, the first
 * that reads back as d, laid out as described in jw.h.  Used only when the
 * shortest form needs more than 15 digits or d is far from 1.
 */
static int jw_real_printf(double d, char *tmp, size_t size)
{
	char *e, *q, *r;
	int prec, n = 0;

	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(tmp, size, "%.*g", prec, d);
		if (n <= 0 || n >= (int)size - 3 || strtod(tmp, NULL) == d)
			break;
	}
	if (n <= 0 || n >= (int)size - 3)
		return -1;
	if (!strpbrk(tmp, ".eE")) {
		memcpy(tmp + n, ".0", 3);
		n += 2;
	}
	e = strchr(tmp, 'e');
	if (e) {
		q = e + 1;
		if (*q == '-')
			q++;
		r = q;
		if (*r == '+')
			r++;
		while (*r == '0' && r[1])
			r++;
		memmove(q, r, strlen(r) + 1);
		n = (int)strlen(tmp);
	}
	return n;
}

/*
 * The fast path: the shortest decimal of at most 15 significant digits that
 * reads back as d (0 < d), found by scaling with exact powers of ten.  Such
 * a decimal is unique at each scale (15 digits are fewer than a double
 * holds), so it is what %.15g prints.  Returns the length written to tmp,
 * or 0 when d needs more digits or lies outside the exact range.
 */
static int jw_real_short(double d, char *tmp)
{
	char dig[24], *dp;
	uint64_t m = 0;
	int k, exp10, nd, i, n = 0;

	if (d >= 1e15 || d < 1e-7)
		return 0;
	/* exp10: about the decimal exponent of the leading digit (it only
	 * bounds the search; the digits found settle it below) */
	exp10 = 0;
	while (exp10 < 15 && d >= jw_pow10[exp10 + 1])
		exp10++;
	/* only below 10 (exp10 still 0): jw_pow10 has no negative index */
	while (exp10 <= 0 && exp10 > -8 && d * jw_pow10[-exp10 + 1] < 10.0)
		exp10--;
	for (k = 0; exp10 + 1 + k <= 16 && k <= 22; k++) {
		double s = d * jw_pow10[k];
		double r;

		if (s >= 9007199254740992.0)
			return 0;
		m = (uint64_t)(s + 0.5);
		r = (double)m / jw_pow10[k];
		if (r == d)
			break;
	}
	if (exp10 + 1 + k > 16 || k > 22 || m == 0)
		return 0;
	/* digits of m without trailing zeros; m's own exponent settles exp10 */
	dp = jw_udigits(dig + sizeof(dig), m);
	nd = (int)(dig + sizeof(dig) - dp);
	exp10 = nd - 1 - k;
	while (nd > 1 && dp[nd - 1] == '0')
		nd--;
	if (nd > 15)
		return 0;
	if (exp10 < -4 || exp10 >= 15) {
		tmp[n++] = dp[0];
		if (nd > 1) {
			tmp[n++] = '.';
			memcpy(tmp + n, dp + 1, (size_t)nd - 1);
			n += nd - 1;
		}
		tmp[n++] = 'e';
		if (exp10 < 0) {
			tmp[n++] = '-';
			exp10 = -exp10;
		}
		if (exp10 >= 10)
			tmp[n++] = (char)('0' + exp10 / 10);
		tmp[n++] = (char)('0' + exp10 % 10);
		return n;
	}
	if (exp10 < 0) {
		tmp[n++] = '0';
		tmp[n++] = '.';
		for (i = -1; i > exp10; i--)
			tmp[n++] = '0';
		memcpy(tmp + n, dp, (size_t)nd);
		return n + nd;
	}
	for (i = 0; i <= exp10; i++)
		tmp[n++] = i < nd ? dp[i] : '0';
	tmp[n++] = '.';
	if (nd > exp10 + 1) {
		memcpy(tmp + n, dp + exp10 + 1, (size_t)(nd - exp10 - 1));
		n += nd - exp10 - 1;
	} else {
		tmp[n++] = '0';
	}
	return n;
}

void jw_real_k(struct jw *w, const char *key, size_t kn, double d)
{
	char tmp[64], *p;
	int n, neg = 0;
	double a;

	if (!isfinite(d)) {
		jw_null(w, key);
		return;
	}
	if (jw_begin(w, key, kn) < 0)
		return;
	if (d == 0.0) {
		if (signbit(d))
			jw_put(w, "-0.0", 4);
		else
			jw_put(w, "0.0", 3);
		return;
	}
	if (d < 0) {
		neg = 1;
		tmp[0] = '-';
	}
	/* a whole number below 10^15 (most values a device sends): its
	 * digits and ".0", the text jw_real_short would find for it */
	a = neg ? -d : d;
	if (a < 1e15 && a == (double)(uint64_t)a) {
		p = jw_udec(tmp + neg, (uint64_t)a);
		memcpy(p, ".0", 2);
		jw_put(w, tmp, (size_t)(p + 2 - tmp));
		return;
	}
	n = jw_real_short(a, tmp + neg);
	if (n > 0) {
		jw_put(w, tmp, (size_t)(n + neg));
		return;
	}
	n = jw_real_printf(d, tmp, sizeof(tmp));
	if (n < 0) {
		w->err = 1;
		return;
	}
	jw_put(w, tmp, (size_t)n);
}

const char *jw_finish(struct jw *w, size_t *len)
{
	if (w->err || w->depth != 0 || jw_reserve(w, 0) < 0)
		return NULL;
	w->buf[w->len] = '\0';
	if (len)
		*len = w->len;
	return w->buf;
}
