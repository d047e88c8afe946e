/*
 * jw.h - a streaming JSON writer: values go straight into one growable
 * output buffer, in the compact form the EVE lines use (no spaces).
 *
 * Every value call takes a key: the member name inside an object, NULL
 * inside an array or for the top-level value.  Commas are placed by the
 * writer.  Calls never fail individually: the first error (out of memory,
 * nesting deeper than JW_MAX_DEPTH, a close that matches no open) is
 * sticky; jw_error() says so and jw_finish() refuses the text.
 *
 * Text rules - the one place packet bytes become JSON text:
 *  - jw_string / jw_stringn: text the program owns (names, formatted
 *    numbers, addresses), assumed valid UTF-8; escaped as jansson escapes:
 *    '"' and '\\' and the control characters below 0x20 (\b \f \n \r \t,
 *    the others as \u00XX with upper-case hex); everything else as is.
 *  - jw_bytes: bytes from the wire.  When they are valid UTF-8 (no overlong
 *    forms, no surrogates, nothing above U+10FFFF) and hold no NUL, they are
 *    written as text with the escapes above; otherwise the whole value is
 *    written as lower-case hex ("c0af").  Empty or NULL: "".
 *  - jw_hex: bytes always as lower-case hex.
 *  - jw_plain: text the program made of characters no JSON string escapes
 *    (digits, letters, '.', ':', '-', '+', '/', '=': timestamps, addresses,
 *    base64): copied without a scan.  Never for names a user or the wire
 *    can choose.
 *
 * Numbers: jw_int / jw_uint in decimal.  jw_real writes the shortest
 * decimal that reads back as the same double, at least 15 significant
 * digits' worth of layout as printf's %.15g/%.16g/%.17g would choose it,
 * with ".0" added when it would read as an integer and the exponent
 * without '+' or leading zeros (1e15, 2.5e-7): the text jansson-built
 * EVE lines have always had.  NaN and infinities have no JSON form: null.
 *
 * Ownership: the writer owns its buffer; jw_reset() empties it and keeps
 * the memory (no allocation per line once it has grown), jw_free() releases
 * it (jw_free on a zeroed or freed writer is a no-op).
 */
#ifndef OTS_JW_H
#define OTS_JW_H

#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 64

struct jw {
	char *buf;
	size_t len, cap;
	int err;                        /* sticky: see jw_error() */
	unsigned depth;
	uint8_t has_member[JW_MAX_DEPTH + 1]; /* a value was written at this level */
};

void jw_init(struct jw *w);             /* empty writer, no allocation */
void jw_free(struct jw *w);
void jw_reset(struct jw *w);            /* empty, keep the buffer */

/*
 * The key's length, for the calls below (macros around the *_k functions,
 * which take it): 0 for NULL.  When the compiler knows it (a string
 * literal: the program's own member names), JW_KEY_LITERAL is set beside
 * it and the key is copied without a scan for bytes to escape; so a
 * literal key must be plain (no '"', '\\' or control character), which
 * the sanitizer builds check on every call.  Keys made at run time are
 * scanned and escaped.
 */
#define JW_KEY_LITERAL ((size_t)1 << (sizeof(size_t) * 8 - 1))

static inline __attribute__((always_inline)) size_t jw_klen(const char *key)
{
	size_t n = key ? __builtin_strlen(key) : 0;

	return n | (__builtin_constant_p(n) ? JW_KEY_LITERAL : 0);
}

void jw_object_open_k(struct jw *w, const char *key, size_t klen);
void jw_array_open_k(struct jw *w, const char *key, size_t klen);
/* Close the innermost object or array: c is '}' or ']' (the calls
 * jw_object_close / jw_array_close below). */
void jw_close_k(struct jw *w, char c);

void jw_string_k(struct jw *w, const char *key, size_t klen, const char *s);
void jw_stringn_k(struct jw *w, const char *key, size_t klen, const char *s, size_t n);
void jw_plain_k(struct jw *w, const char *key, size_t klen, const char *s, size_t n);
void jw_bytes_k(struct jw *w, const char *key, size_t klen, const uint8_t *p, size_t n);
void jw_hex_k(struct jw *w, const char *key, size_t klen, const uint8_t *p, size_t n);
void jw_int_k(struct jw *w, const char *key, size_t klen, int64_t v);
void jw_uint_k(struct jw *w, const char *key, size_t klen, uint64_t v);
void jw_real_k(struct jw *w, const char *key, size_t klen, double v);
void jw_bool_k(struct jw *w, const char *key, size_t klen, int v);
void jw_null_k(struct jw *w, const char *key, size_t klen);
/* A string in static storage that never changes while the program runs
 * (a name table's entry, a literal; never a buffer, the wire's bytes or a
 * user's text): written as jw_string writes it, its length and escapes
 * found once and remembered by address.  NULL: "". */
void jw_name_k(struct jw *w, const char *key, size_t klen, const char *s);
/* An object whose key is such a string (a protocol's name). */
void jw_object_open_name(struct jw *w, const char *name);
/* A value already serialised by a jw (or anything producing compact JSON);
 * copied as is. */
void jw_raw_k(struct jw *w, const char *key, size_t klen, const char *json, size_t n);

/* Values whose comma and key are written already (the inline calls below
 * use them): the same bytes and the same errors as the calls above. */
void jw_value_stringn(struct jw *w, const char *s, size_t n);
void jw_value_plain(struct jw *w, const char *s, size_t n);
void jw_value_hex(struct jw *w, const uint8_t *p, size_t n);
void jw_value_name(struct jw *w, const char *s);
void jw_value_raw(struct jw *w, const char *json, size_t n);
/* The decimal digits of v at o (room for 20); returns the end. */
char *jw_udec(char *o, uint64_t v);
/* "00" "01" .. "99": the two digits of n at jw_pairs + 2 * n. */
extern const char jw_pairs[201];

/*
 * Inline fast path.  Most members of a line have a literal key and land in
 * a buffer with room to spare: for those the comma, key and (for numbers,
 * booleans and brackets) the value are stored at the call site, the key's
 * bytes as constants, without a scan or a length loop.  Everything else -
 * a key made at run time, a writer in error, a buffer that must grow,
 * nesting at the limit, the sanitizer builds that check literal keys (see
 * jw_klen) or a build without optimisation - takes the out-of-line call,
 * which writes the same bytes (check_jw compares the two).
 */
#if defined(__SANITIZE_ADDRESS__)
#define JW_INLINE_KEYS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JW_INLINE_KEYS 0
#endif
#endif
#ifndef JW_INLINE_KEYS
#define JW_INLINE_KEYS 1
#endif

/* The comma and a literal key (NULL: none) with room for need more bytes
 * after them: returns where the value goes, or NULL (nothing written) when
 * the out-of-line call must do it. */
static inline __attribute__((always_inline)) char *jw_key_fast(struct jw *w, const char *key,
							       size_t klen, size_t need)
{
	size_t kn = klen & ~JW_KEY_LITERAL;
	char *o;

	if (!JW_INLINE_KEYS || !__builtin_constant_p(klen) || !(klen & JW_KEY_LITERAL) ||
	    kn > 64 || w->err || w->cap - w->len <= kn + need + 5)
		return NULL;
	o = w->buf + w->len;
	/* has_member is 0 or 1: a comma, kept only after a member */
	*o = ',';
	o += w->has_member[w->depth];
	w->has_member[w->depth] = 1;
	if (key) {
		*o++ = '"';
		__builtin_memcpy(o, key, kn);
		o += kn;
		*o++ = '"';
		*o++ = ':';
	}
	return o;
}

/* The decimal digits of v at o; returns the end (up to two inline). */
static inline __attribute__((always_inline)) char *jw_dec_at(char *o, uint64_t v)
{
	if (v >= 100)
		return jw_udec(o, v);
	if (v >= 10) {
		__builtin_memcpy(o, jw_pairs + 2 * v, 2);
		return o + 2;
	}
	*o = (char)('0' + v);
	return o + 1;
}

static inline __attribute__((always_inline)) void jw_uint_i(struct jw *w, const char *key,
							    size_t klen, uint64_t v)
{
	char *o = jw_key_fast(w, key, klen, 20);

	if (o)
		w->len = (size_t)(jw_dec_at(o, v) - w->buf);
	else
		jw_uint_k(w, key, klen, v);
}

static inline __attribute__((always_inline)) void jw_int_i(struct jw *w, const char *key,
							   size_t klen, int64_t v)
{
	char *o = jw_key_fast(w, key, klen, 21);

	if (!o) {
		jw_int_k(w, key, klen, v);
	} else if (v < 0) {
		*o = '-';
		w->len = (size_t)(jw_udec(o + 1, 0ULL - (uint64_t)v) - w->buf);
	} else {
		w->len = (size_t)(jw_dec_at(o, (uint64_t)v) - w->buf);
	}
}

static inline __attribute__((always_inline)) void jw_bool_i(struct jw *w, const char *key,
							    size_t klen, int v)
{
	char *o = jw_key_fast(w, key, klen, 5);

	if (!o) {
		jw_bool_k(w, key, klen, v);
		return;
	}
	/* five bytes either way: "true" and its NUL land past the end */
	__builtin_memcpy(o, v ? "true" : "false", 5);
	w->len = (size_t)(o - w->buf) + (v ? 4 : 5);
}

/* The comma and a literal key alone, for a value written out of line:
 * 1 when done (w->len past the colon), 0 when the out-of-line call must
 * write the member. */
static inline __attribute__((always_inline)) int jw_key_only(struct jw *w, const char *key,
							     size_t klen)
{
	char *o = jw_key_fast(w, key, klen, 0);

	if (!o)
		return 0;
	w->len = (size_t)(o - w->buf);
	return 1;
}

#define jw_stringn_i(w, key, klen, s, n) \
	(jw_key_only((w), (key), (klen)) ? jw_value_stringn((w), (s), (n)) \
					 : jw_stringn_k((w), (key), (klen), (s), (n)))
#define jw_plain_i(w, key, klen, s, n) \
	(jw_key_only((w), (key), (klen)) ? jw_value_plain((w), (s), (n)) \
					 : jw_plain_k((w), (key), (klen), (s), (n)))
#define jw_name_i(w, key, klen, s) \
	(jw_key_only((w), (key), (klen)) ? jw_value_name((w), (s)) \
					 : jw_name_k((w), (key), (klen), (s)))
#define jw_raw_i(w, key, klen, json, n) \
	(jw_key_only((w), (key), (klen)) ? jw_value_raw((w), (json), (n)) \
					 : jw_raw_k((w), (key), (klen), (json), (n)))
#define jw_hex_i(w, key, klen, p, n) \
	(jw_key_only((w), (key), (klen)) ? jw_value_hex((w), (p), (n)) \
					 : jw_hex_k((w), (key), (klen), (p), (n)))

static inline __attribute__((always_inline)) void jw_string_i(struct jw *w, const char *key,
							      size_t klen, const char *s)
{
	jw_stringn_i(w, key, klen, s, s ? __builtin_strlen(s) : 0);
}

static inline __attribute__((always_inline)) void jw_open_i(struct jw *w, const char *key,
							    size_t klen, char c)
{
	char *o = w->depth < JW_MAX_DEPTH ? jw_key_fast(w, key, klen, 1) : NULL;

	if (!o) {
		if (c == '{')
			jw_object_open_k(w, key, klen);
		else
			jw_array_open_k(w, key, klen);
		return;
	}
	*o++ = c;
	w->len = (size_t)(o - w->buf);
	w->depth++;
	w->has_member[w->depth] = 0;
}

static inline __attribute__((always_inline)) void jw_close_i(struct jw *w, char c)
{
	if (!JW_INLINE_KEYS || w->err || w->depth == 0 || w->cap - w->len <= 1) {
		jw_close_k(w, c);
		return;
	}
	w->depth--;
	w->buf[w->len++] = c;
}

/* The calls: key NULL inside an array; the key is read twice, so it must
 * be an expression without side effects. */
#define jw_object_open(w, key)          jw_open_i((w), (key), jw_klen(key), '{')
#define jw_array_open(w, key)           jw_open_i((w), (key), jw_klen(key), '[')
#define jw_object_close(w)              jw_close_i((w), '}')
#define jw_array_close(w)               jw_close_i((w), ']')
#define jw_string(w, key, s)            jw_string_i((w), (key), jw_klen(key), (s))
#define jw_stringn(w, key, s, n)        jw_stringn_i((w), (key), jw_klen(key), (s), (n))
#define jw_plain(w, key, s, n)          jw_plain_i((w), (key), jw_klen(key), (s), (n))
#define jw_name(w, key, s)              jw_name_i((w), (key), jw_klen(key), (s))
#define jw_bytes(w, key, p, n)          jw_bytes_k((w), (key), jw_klen(key), (p), (n))
#define jw_hex(w, key, p, n)            jw_hex_i((w), (key), jw_klen(key), (p), (n))
#define jw_int(w, key, v)               jw_int_i((w), (key), jw_klen(key), (v))
#define jw_uint(w, key, v)              jw_uint_i((w), (key), jw_klen(key), (v))
#define jw_real(w, key, v)              jw_real_k((w), (key), jw_klen(key), (v))
#define jw_bool(w, key, v)              jw_bool_i((w), (key), jw_klen(key), (v))
#define jw_null(w, key)                 jw_null_k((w), (key), jw_klen(key))
#define jw_raw(w, key, json, n)         jw_raw_i((w), (key), jw_klen(key), (json), (n))

/* Members already serialised by a jw ("a":1,"b":"x": a run of them, as
 * written into an object, without braces), appended to the open object;
 * for text a caller keeps and writes again. */
void jw_members(struct jw *w, const char *text, size_t n);

/* Nonzero after an error. */
static inline int jw_error(const struct jw *w)
{
	return w->err;
}

/* Nesting depth now (0: top level). */
static inline unsigned jw_depth(const struct jw *w)
{
	return w->depth;
}

/* The text, NUL-terminated, *len without the NUL (len may be NULL); NULL
 * after an error or with an object or array still open.  Valid until the
 * next call on w. */
const char *jw_finish(struct jw *w, size_t *len);

/* 1 when p[0..n) is valid UTF-8 (the jw_bytes test; NUL is valid here). */
int jw_utf8_valid(const uint8_t *p, size_t n);

#endif /* OTS_JW_H */
