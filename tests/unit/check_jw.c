/*
 * check_jw.c - the streaming JSON writer: exact bytes of every value kind,
 * escapes, keys of every length, the packet-bytes rule, reals against the printf layout they
 * replace, NaN and infinities, huge strings, nesting limits, buffer reuse.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jw.h"

/* The finished text of w, which must be free of errors. */
static const char *text(struct jw *w)
{
	const char *s = jw_finish(w, NULL);

	ck_assert_ptr_nonnull(s);
	return s;
}

START_TEST(object_members)
{
	struct jw w;

	jw_init(&w);
	jw_object_open(&w, NULL);
	jw_string(&w, "a", "x");
	jw_int(&w, "b", -12);
	jw_uint(&w, "c", 18446744073709551615ULL);
	jw_bool(&w, "d", 1);
	jw_bool(&w, "e", 0);
	jw_null(&w, "f");
	jw_array_open(&w, "g");
	jw_int(&w, NULL, 1);
	jw_object_open(&w, NULL);
	jw_object_close(&w);
	jw_array_open(&w, NULL);
	jw_array_close(&w);
	jw_int(&w, NULL, 0);
	jw_array_close(&w);
	jw_int(&w, "h", INT64_MIN);
	jw_raw(&w, "i", "{\"k\":1}", 7);
	jw_object_close(&w);
	ck_assert_str_eq(text(&w),
		"{\"a\":\"x\",\"b\":-12,\"c\":18446744073709551615,\"d\":true,"
		"\"e\":false,\"f\":null,\"g\":[1,{},[],0],"
		"\"h\":-9223372036854775808,\"i\":{\"k\":1}}");
	jw_free(&w);
	jw_free(&w);            /* twice: a no-op */
}
END_TEST

START_TEST(string_escapes)
{
	/* a key made at run time (a literal key must be plain: jw.h) */
	static volatile char quote = '"';
	char key_quoted[] = { 'k', 0, 'e', 'y', 0 };
	struct jw w;
	const char in[] = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f caf\xc3\xa9";

	key_quoted[1] = quote;
	jw_init(&w);
	jw_stringn(&w, NULL, in, sizeof(in) - 1);
	ck_assert_str_eq(text(&w),
		"\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001F\x7f caf\xc3\xa9\"");
	jw_reset(&w);
	jw_object_open(&w, NULL);
	jw_string(&w, key_quoted, NULL);
	jw_stringn(&w, "nul", "a\0b", 3);
	jw_object_close(&w);
	ck_assert_str_eq(text(&w), "{\"k\\\"ey\":\"\",\"nul\":\"a\\u0000b\"}");
	jw_free(&w);
}
END_TEST

/* Keys of every length around the one-pass limit, plain and with a byte to
 * escape at the start, in the middle and past the limit. */
START_TEST(key_lengths)
{
	struct jw w;
	char key[80], want[600], esc[512];
	size_t n, i, pos;

	jw_init(&w);
	for (n = 0; n < 70; n++) {
		for (pos = 0; pos <= n; pos++) {
			char *e = esc;

			for (i = 0; i < n; i++)
				key[i] = (char)('a' + i % 26);
			if (pos < n)
				key[pos] = '"';
			key[n] = 0;
			for (i = 0; i < n; i++) {
				if (key[i] == '"')
					*e++ = '\\';
				*e++ = key[i];
			}
			*e = 0;
			jw_reset(&w);
			jw_object_open(&w, NULL);
			jw_int(&w, "x", 1);
			jw_int(&w, key, 2);
			jw_object_close(&w);
			snprintf(want, sizeof(want), "{\"x\":1,\"%s\":2}", esc);
			ck_assert_str_eq(text(&w), want);
		}
	}
	jw_free(&w);
}
END_TEST

/* The writer's escape, byte by byte, for the test below. */
static char *ref_escape(char *o, const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
			*o++ = '\\';
			*o++ = c == '\b' ? 'b' : c == '\f' ? 'f' : c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else if (c < 0x20) {
			o += sprintf(o, "\\u%04X", c);
		} else {
			*o++ = (char)c;
		}
	}
	*o = 0;
	return o;
}

/* Strings and keys scanned a word at a time: each byte that needs an
 * escape, and each neighbour of those that does not, at every position of
 * every length up to three words and a bit, as value and as key. */
START_TEST(escape_every_position)
{
	static const unsigned char probe[] = {
		0x00, 0x01, '\b', '\t', '\n', 0x1f, '"', '\\',          /* escaped */
		0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xa2, 0xdc, 0xff, /* not */
	};
	unsigned char str[40];
	char esc[300], want[700];
	struct jw w;
	size_t n, pos, p, i;

	jw_init(&w);
	for (n = 1; n < sizeof(str); n++) {
		for (pos = 0; pos < n; pos++) {
			for (p = 0; p < sizeof(probe); p++) {
				for (i = 0; i < n; i++)
					str[i] = (unsigned char)('A' + (i * 7) % 26);
				str[pos] = probe[p];
				ref_escape(esc, str, n);
				jw_reset(&w);
				jw_stringn(&w, NULL, (const char *)str, n);
				snprintf(want, sizeof(want), "\"%s\"", esc);
				ck_assert_msg(strcmp(text(&w), want) == 0,
					      "value of %zu bytes, 0x%02x at %zu", n, probe[p], pos);
				if (probe[p] == 0)
					continue;       /* a key ends at its NUL */
				str[n] = 0;
				jw_reset(&w);
				jw_object_open(&w, NULL);
				jw_null(&w, (const char *)str);
				jw_object_close(&w);
				snprintf(want, sizeof(want), "{\"%s\":null}", esc);
				ck_assert_msg(strcmp(text(&w), want) == 0,
					      "key of %zu bytes, 0x%02x at %zu", n, probe[p], pos);
			}
		}
	}
	jw_free(&w);
}
END_TEST

START_TEST(packet_bytes_rule)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} cases[] = {
		{ "caf\xc3\xa9", 5, "\"caf\xc3\xa9\"" },
		{ "a\xff" "b", 3, "\"61ff62\"" },
		{ "a\0b", 3, "\"610062\"" },                    /* NUL: hex */
		{ "\xc0\xaf", 2, "\"c0af\"" },                  /* overlong */
		{ "\xe0\x80\xaf", 3, "\"e080af\"" },            /* overlong 3 */
		{ "\xed\xa0\x80", 3, "\"eda080\"" },            /* surrogate */
		{ "\xf4\x90\x80\x80", 4, "\"f4908080\"" },      /* > U+10FFFF */
		{ "\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"" }, /* U+1F600 */
		{ "\xe2\x82", 2, "\"e282\"" },                  /* cut short */
		{ "tab\there", 8, "\"tab\\there\"" },
		{ "", 0, "\"\"" },
	};
	struct jw w;
	size_t i;

	jw_init(&w);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		jw_reset(&w);
		jw_bytes(&w, NULL, (const uint8_t *)cases[i].in, cases[i].n);
		ck_assert_msg(strcmp(text(&w), cases[i].out) == 0, "case %zu: %s", i, text(&w));
	}
	jw_reset(&w);
	jw_bytes(&w, NULL, NULL, 5);
	ck_assert_str_eq(text(&w), "\"\"");
	jw_reset(&w);
	jw_hex(&w, NULL, (const uint8_t *)"\x00\xab", 2);
	ck_assert_str_eq(text(&w), "\"00ab\"");
	jw_free(&w);
}
END_TEST

/*
 * The layout EVE lines have always had, derived independently: the fewest
 * significant digits P (15 <= P <= 17) whose %.*e form reads back as d;
 * then printf's %g choice between fixed and exponent form for that P,
 * trailing zeros dropped, ".0" on integers, exponent without '+' or
 * leading zeros.
 */
static void ref_real(double d, char *out, size_t size)
{
	char sci[64], digits[32], *p;
	int prec, nd = 0, x, i, n = 0;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(sci, sizeof(sci), "%.*e", prec - 1, d);
		if (strtod(sci, NULL) == d)
			break;
	}
	if (prec > 17)
		prec = 17;
	p = sci;
	if (*p == '-')
		out[n++] = *p++;
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	x = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (x < -4 || x >= prec) {
		out[n++] = digits[0];
		if (nd > 1) {
			out[n++] = '.';
			memcpy(out + n, digits + 1, nd - 1);
			n += nd - 1;
		}
		snprintf(out + n, size - n, "e%d", x);
		return;
	}
	if (x < 0) {
		n += snprintf(out + n, size - n, "0.");
		for (i = x + 1; i < 0; i++)
			out[n++] = '0';
		memcpy(out + n, digits, nd);
		out[n + nd] = 0;
		return;
	}
	for (i = 0; i <= x; i++)
		out[n++] = i < nd ? digits[i] : '0';
	out[n++] = '.';
	if (nd > x + 1) {
		memcpy(out + n, digits + x + 1, nd - x - 1);
		n += nd - x - 1;
	} else {
		out[n++] = '0';
	}
	out[n] = 0;
}

static void assert_real(struct jw *w, double d)
{
	char want[64];

	ref_real(d, want, sizeof(want));
	jw_reset(w);
	jw_real(w, NULL, d);
	ck_assert_msg(strcmp(text(w), want) == 0, "%.17g: got %s want %s", d, text(w), want);
}

START_TEST(reals_exact)
{
	static const struct {
		double d;
		const char *out;
	} cases[] = {
		{ 0.0, "0.0" }, { -0.0, "-0.0" }, { 1.0, "1.0" }, { -2.5, "-2.5" },
		{ 9999.0, "9999.0" }, { 0.1, "0.1" }, { 50.986, "50.986" },
		{ 0.001, "0.001" }, { 0.0001, "0.0001" }, { 0.00001, "1e-5" },
		{ 1.5e-7, "1.5e-7" }, { 1e15, "1e15" }, { 1e16, "1e16" },
		{ 123456789012345.0, "123456789012345.0" },
		{ 1234567890123456.0, "1234567890123456.0" },
		{ 0.1 + 0.2, "0.30000000000000004" }, { 1e300, "1e300" },
		{ 5e-324, "4.94065645841247e-324" }, { 3.0e-3, "0.003" },
		{ 100.0, "100.0" }, { 1.7976931348623157e308, "1.7976931348623157e308" },
		{ (double)50.986f, "50.986000061035156" }, { 0.000123, "0.000123" },
	};
	struct jw w;
	size_t i;

	jw_init(&w);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		jw_reset(&w);
		jw_real(&w, NULL, cases[i].d);
		ck_assert_msg(strcmp(text(&w), cases[i].out) == 0, "case %zu: %s", i, text(&w));
		assert_real(&w, cases[i].d);
	}
	jw_free(&w);
}
END_TEST

/* Many doubles of every shape: integers, short decimals, float32 values,
 * random bit patterns, near powers of ten. */
START_TEST(reals_match_printf_layout)
{
	struct jw w;
	unsigned i, k;
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	jw_init(&w);
	for (i = 0; i < 200000; i++) {
		double d;
		uint64_t bits;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		switch (i % 6) {
		case 0:
			memcpy(&d, &x, sizeof(d));
			if (!isfinite(d))
				continue;
			break;
		case 1:
			d = (double)(int64_t)(x % 2000000000000000ULL) - 1e15;
			break;
		case 2:
			d = (double)(x % 100000000) / pow(10.0, (double)(x >> 60));
			break;
		case 3: {
			float f;
			uint32_t b32 = (uint32_t)x;

			memcpy(&f, &b32, sizeof(f));
			if (!isfinite(f))
				continue;
			d = f;
			break;
		}
		case 4:
			k = (unsigned)(x % 40);
			d = pow(10.0, (double)k - 20.0);
			bits = 0;
			memcpy(&bits, &d, sizeof(d));
			bits += (x >> 40) % 5;
			bits -= 2;
			memcpy(&d, &bits, sizeof(d));
			break;
		default:
			d = (double)(x % 1000000) / 1000.0 * ((x >> 63) ? -1 : 1);
			break;
		}
		assert_real(&w, d);
	}
	jw_free(&w);
}
END_TEST

/* Whole numbers (written without the search for the shortest digits)
 * against the reference: every power of ten and of two and their
 * neighbours up to and past 10^15, both signs, and a spread between. */
START_TEST(reals_whole_numbers)
{
	struct jw w;
	double p;
	int k, j;
	uint64_t x = 88172645463325252ULL;

	jw_init(&w);
	for (p = 1; p <= 1e17; p *= 10) {
		for (j = -2; j <= 2; j++) {
			assert_real(&w, p + j);
			assert_real(&w, -(p + j));
		}
	}
	for (k = 0; k <= 53; k++) {
		p = ldexp(1.0, k);
		assert_real(&w, p);
		assert_real(&w, p - 1);
		assert_real(&w, -p);
	}
	assert_real(&w, 999999999999999.0);
	assert_real(&w, 1e15);
	for (k = 0; k < 20000; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		assert_real(&w, (double)(x >> (14 + k % 50)));
	}
	jw_free(&w);
}
END_TEST

START_TEST(reals_not_finite)
{
	struct jw w;

	jw_init(&w);
	jw_array_open(&w, NULL);
	jw_real(&w, NULL, NAN);
	jw_real(&w, NULL, INFINITY);
	jw_real(&w, NULL, -INFINITY);
	jw_real(&w, NULL, 2.0);
	jw_array_close(&w);
	ck_assert_str_eq(text(&w), "[null,null,null,2.0]");
	jw_free(&w);
}
END_TEST

START_TEST(huge_string)
{
	struct jw w;
	size_t n = 4u << 20, len;
	char *s = malloc(n);
	const char *out;

	ck_assert_ptr_nonnull(s);
	memset(s, '\n', n);
	jw_init(&w);
	jw_stringn(&w, NULL, s, n);
	out = jw_finish(&w, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(len, 2 * n + 2);
	ck_assert_int_eq(out[0], '"');
	ck_assert_int_eq(out[1], '\\');
	ck_assert_int_eq(out[2], 'n');
	ck_assert_int_eq(out[len - 1], '"');
	jw_reset(&w);
	memset(s, 0xff, n);
	jw_bytes(&w, NULL, (const uint8_t *)s, n);
	out = jw_finish(&w, &len);
	ck_assert_uint_eq(len, 2 * n + 2);
	ck_assert_int_eq(memcmp(out, "\"ffff", 5), 0);
	free(s);
	jw_free(&w);
}
END_TEST

START_TEST(nesting_limit)
{
	struct jw w;
	unsigned i;

	jw_init(&w);
	for (i = 0; i < JW_MAX_DEPTH; i++)
		jw_array_open(&w, NULL);
	ck_assert_int_eq(jw_error(&w), 0);
	ck_assert_uint_eq(jw_depth(&w), JW_MAX_DEPTH);
	for (i = 0; i < JW_MAX_DEPTH; i++)
		jw_array_close(&w);
	ck_assert_uint_eq(strlen(text(&w)), 2 * JW_MAX_DEPTH);

	jw_reset(&w);
	for (i = 0; i <= JW_MAX_DEPTH; i++)
		jw_object_open(&w, i ? "k" : NULL);
	ck_assert_int_ne(jw_error(&w), 0);
	ck_assert_ptr_null(jw_finish(&w, NULL));
	jw_int(&w, "x", 1);     /* sticky: nothing more is written */
	ck_assert_ptr_null(jw_finish(&w, NULL));

	jw_reset(&w);           /* reset clears the error */
	jw_array_close(&w);     /* close without open */
	ck_assert_int_ne(jw_error(&w), 0);
	jw_reset(&w);
	jw_object_open(&w, NULL);
	ck_assert_ptr_null(jw_finish(&w, NULL)); /* still open */
	jw_object_close(&w);
	ck_assert_str_eq(text(&w), "{}");
	jw_free(&w);
}
END_TEST

START_TEST(buffer_reused)
{
	struct jw w;
	char *buf;
	int i;

	jw_init(&w);
	ck_assert_ptr_null(w.buf);
	jw_object_open(&w, NULL);
	jw_string(&w, "k", "v");
	jw_object_close(&w);
	text(&w);
	buf = w.buf;
	for (i = 0; i < 1000; i++) {
		jw_reset(&w);
		jw_object_open(&w, NULL);
		jw_int(&w, "i", i);
		jw_real(&w, "r", i / 8.0);
		jw_object_close(&w);
		text(&w);
	}
	ck_assert_ptr_eq(w.buf, buf);   /* no reallocation once grown */
	ck_assert_str_eq(text(&w), "{\"i\":999,\"r\":124.875}");
	jw_free(&w);
}
END_TEST

/*
 * The inline fast path (literal keys stored at the call site, jw.h) against
 * the out-of-line calls: the same members written both ways - through the
 * macros and through the *_k functions with the key's length given without
 * JW_KEY_LITERAL (a key made at run time: never the fast path) - must give
 * the same bytes, from an empty writer (the first calls grow the buffer),
 * across buffer growth, and at every depth.
 */
#define KL(k) ((k) ? strlen(k) : 0)

static void fast_members(struct jw *w, uint64_t u, int64_t i, const char *s)
{
	static const uint8_t ctx[8] = { 0xc0, 0xa8, 0x64, 0x1c, 0x00, 0x00, 0x40, 0x7e };

	jw_object_open(w, NULL);
	jw_uint(w, "u", u);
	jw_int(w, "service_code", i);
	jw_bool(w, "response", (int)(u & 1));
	jw_bool(w, "f", 0);
	jw_string(w, "status", s);
	jw_stringn(w, "key_longer_than_four_eight_byte_words", s, s ? strlen(s) : 0);
	jw_plain(w, "ts", "2024-01-02T03:04:05.000001+0000", 31);
	jw_hex(w, "sender_context", ctx, 8);
	jw_raw(w, "flow_id", "{\"k\":[1,2]}", 11);
	jw_object_open(w, "o");
	jw_object_close(w);
	jw_array_open(w, "items");
	jw_uint(w, NULL, u);
	jw_int(w, NULL, i);
	jw_string(w, NULL, s);
	jw_bool(w, NULL, 1);
	jw_raw(w, NULL, "null", 4);
	jw_object_open(w, NULL);
	jw_uint(w, "type_id", 178);
	jw_array_open(w, "e");
	jw_array_close(w);
	jw_object_close(w);
	jw_array_close(w);
	jw_object_close(w);
}

static void slow_members(struct jw *w, uint64_t u, int64_t i, const char *s)
{
	static const uint8_t ctx[8] = { 0xc0, 0xa8, 0x64, 0x1c, 0x00, 0x00, 0x40, 0x7e };
	const char *k;

	jw_object_open_k(w, NULL, 0);
	jw_uint_k(w, "u", 1, u);
	k = "service_code";
	jw_int_k(w, k, KL(k), i);
	k = "response";
	jw_bool_k(w, k, KL(k), (int)(u & 1));
	jw_bool_k(w, "f", 1, 0);
	k = "status";
	jw_string_k(w, k, KL(k), s);
	k = "key_longer_than_four_eight_byte_words";
	jw_stringn_k(w, k, KL(k), s, s ? strlen(s) : 0);
	jw_plain_k(w, "ts", 2, "2024-01-02T03:04:05.000001+0000", 31);
	k = "sender_context";
	jw_hex_k(w, k, KL(k), ctx, 8);
	k = "flow_id";
	jw_raw_k(w, k, KL(k), "{\"k\":[1,2]}", 11);
	jw_object_open_k(w, "o", 1);
	jw_close_k(w, '}');
	k = "items";
	jw_array_open_k(w, k, KL(k));
	jw_uint_k(w, NULL, 0, u);
	jw_int_k(w, NULL, 0, i);
	jw_string_k(w, NULL, 0, s);
	jw_bool_k(w, NULL, 0, 1);
	jw_raw_k(w, NULL, 0, "null", 4);
	jw_object_open_k(w, NULL, 0);
	k = "type_id";
	jw_uint_k(w, k, KL(k), 178);
	jw_array_open_k(w, "e", 1);
	jw_close_k(w, ']');
	jw_close_k(w, '}');
	jw_close_k(w, ']');
	jw_close_k(w, '}');
}

START_TEST(fast_path_same_bytes)
{
	static const char *const strs[] = { "success", "", NULL, "q\"b\\\n", "caf\xc3\xa9" };
	struct jw a, b;
	uint64_t u;
	int64_t i;
	size_t n = 0, r;
	unsigned d;
	int round;

	for (round = 0; round < 2; round++) {
		/* round 0: fresh writers per value (growth from nothing);
		 * round 1: one long array (growth in the middle of it) */
		jw_init(&a);
		jw_init(&b);
		if (round) {
			jw_array_open(&a, NULL);
			jw_array_open_k(&b, NULL, 0);
		}
		for (d = 0; d <= 20; d++) {
			/* 10^d - 1, 10^d, 10^d + 1: every digit count's edges */
			uint64_t p = 1;

			for (r = 0; r < d && r < 19; r++)
				p *= 10;
			for (r = 0; r < 3; r++) {
				u = d == 20 ? UINT64_MAX - r : p - 1 + r;
				i = (int64_t)u;
				if (r == 1)
					i = d == 20 ? INT64_MIN : -(int64_t)(p - 1 + r);
				if (!round) {
					jw_reset(&a);
					jw_reset(&b);
				}
				fast_members(&a, u, i, strs[n % 5]);
				slow_members(&b, u, i, strs[n % 5]);
				n++;
				if (!round)
					ck_assert_str_eq(text(&a), text(&b));
			}
		}
		if (round) {
			jw_array_close(&a);
			jw_close_k(&b, ']');
			ck_assert_msg(strcmp(text(&a), text(&b)) == 0, "the long array differs");
			ck_assert_uint_gt(strlen(text(&a)), 4096);
		}
		jw_free(&a);
		jw_free(&b);
	}
	/* nesting at the limit and a close without an open: the same errors */
	jw_init(&a);
	for (d = 0; d <= JW_MAX_DEPTH; d++)
		jw_object_open(&a, d ? "k" : NULL);
	ck_assert_int_ne(jw_error(&a), 0);
	jw_reset(&a);
	jw_object_close(&a);
	ck_assert_int_ne(jw_error(&a), 0);
	jw_free(&a);
}
END_TEST

START_TEST(udec_every_length)
{
	char got[24], want[24];
	uint64_t p = 1, v;
	int d, k;

	for (d = 0; d < 20; d++) {
		for (k = -1; k <= 1; k++) {
			v = p + (uint64_t)k;
			if (d == 0 && k < 0)
				v = 0;
			*jw_udec(got, v) = 0;
			snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
			ck_assert_str_eq(got, want);
		}
		if (d < 19)
			p *= 10;
	}
	*jw_udec(got, UINT64_MAX) = 0;
	ck_assert_str_eq(got, "18446744073709551615");
	/* values of every magnitude with every digit in every chunk position */
	v = 0x9E3779B97F4A7C15ULL;
	for (k = 0; k < 20000; k++) {
		uint64_t x;

		v ^= v << 13;
		v ^= v >> 7;
		v ^= v << 17;
		x = v >> (k % 64);
		*jw_udec(got, x) = 0;
		snprintf(want, sizeof(want), "%llu", (unsigned long long)x);
		ck_assert_str_eq(got, want);
	}
}
END_TEST

/* Names (jw_name: static strings remembered by address) against
 * jw_string: first sight and later ones, lengths around the kept text's
 * limit, names with bytes to escape, NULL, and enough distinct names to
 * displace each other from the memo. */
START_TEST(names_as_strings)
{
	static const char *const fixed[] = {
		"", "a", "success", "send_rr_data", "connection_manager",
		"exactly_thirty_bytes_long_name", "thirty_one_bytes_long_name_abc",
		"a name well past the thirty-two bytes kept",
		"q\"uote", "back\\slash", "tab\there", "caf\xc3\xa9", NULL,
	};
	static char many[600][16];
	struct jw a, b;
	int round;
	size_t i;

	for (i = 0; i < 600; i++)
		snprintf(many[i], sizeof(many[i]), "name_%zu", i * 7919);
	jw_init(&a);
	jw_init(&b);
	for (round = 0; round < 3; round++) {
		jw_reset(&a);
		jw_reset(&b);
		jw_array_open(&a, NULL);
		jw_array_open(&b, NULL);
		for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
			const char *k = fixed[i] ? fixed[i] : "";

			jw_object_open(&a, NULL);
			jw_name(&a, "k", fixed[i]);
			jw_name(&a, NULL, fixed[i]);
			jw_object_open_name(&a, k);
			jw_object_open_name(&a, k);
			jw_object_close(&a);
			jw_object_close(&a);
			jw_object_close(&a);
			jw_object_open(&b, NULL);
			jw_string(&b, "k", fixed[i]);
			jw_string(&b, NULL, fixed[i]);
			jw_object_open_k(&b, k, strlen(k));
			jw_object_open_k(&b, k, strlen(k));
			jw_close_k(&b, '}');
			jw_close_k(&b, '}');
			jw_close_k(&b, '}');
		}
		for (i = 0; i < 600; i++) {
			jw_name(&a, NULL, many[(i * 37 + (size_t)round) % 600]);
			jw_string(&b, NULL, many[(i * 37 + (size_t)round) % 600]);
		}
		jw_array_close(&a);
		jw_array_close(&b);
		ck_assert_msg(strcmp(text(&a), text(&b)) == 0, "names differ in round %d", round);
	}
	/* an object named at the nesting limit: the same error */
	jw_reset(&a);
	for (i = 0; i < JW_MAX_DEPTH; i++)
		jw_array_open(&a, NULL);
	ck_assert_int_eq(jw_error(&a), 0);
	jw_object_open_name(&a, "modbus");
	ck_assert_int_ne(jw_error(&a), 0);
	/* a writer with less room than the kept text: grows, same bytes */
	jw_free(&a);
	jw_init(&a);
	for (i = 0; i < 200; i++)
		jw_name(&a, NULL, fixed[4]);
	ck_assert_uint_eq(strlen(text(&a)), 200 * 21 - 1);
	ck_assert_int_eq(strncmp(text(&a), "\"connection_manager\",\"connection", 32), 0);
	jw_free(&a);
	jw_free(&b);
}
END_TEST

static Suite *jw_suite(void)
{
	Suite *s = suite_create("jw");
	TCase *t = tcase_create("core");

	/* the printf comparisons take seconds in a sanitizer build on a busy machine */
	tcase_set_timeout(t, 60);
	tcase_add_test(t, object_members);
	tcase_add_test(t, string_escapes);
	tcase_add_test(t, key_lengths);
	tcase_add_test(t, escape_every_position);
	tcase_add_test(t, packet_bytes_rule);
	tcase_add_test(t, reals_exact);
	tcase_add_test(t, reals_match_printf_layout);
	tcase_add_test(t, reals_not_finite);
	tcase_add_test(t, reals_whole_numbers);
	tcase_add_test(t, huge_string);
	tcase_add_test(t, nesting_limit);
	tcase_add_test(t, buffer_reused);
	tcase_add_test(t, fast_path_same_bytes);
	tcase_add_test(t, udec_every_length);
	tcase_add_test(t, names_as_strings);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jw_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
