/*
 * check_core.c - the cursor, the framer and the event helpers.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "framer.h"
#include "dissector.h"
#include "modbus.h"
#include "dnp3.h"

START_TEST(cursor_reads_and_sticks)
{
	const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05 };
	struct cursor c;

	cur_init(&c, b, sizeof(b));
	ck_assert_uint_eq(cur_be16(&c), 0x0102);
	ck_assert_uint_eq(cur_le16(&c), 0x0403);
	ck_assert_uint_eq(cur_left(&c), 1);
	ck_assert_uint_eq(cur_be16(&c), 0);     /* short: error, no read */
	ck_assert(!cur_ok(&c));
	ck_assert_uint_eq(cur_left(&c), 0);
	ck_assert_uint_eq(cur_u8(&c), 0);
}
END_TEST

START_TEST(cursor_sub_window)
{
	const uint8_t b[] = { 3, 0xaa, 0xbb, 0xcc, 0xdd };
	struct cursor c, s;

	cur_init(&c, b, sizeof(b));
	s = cur_sub(&c, cur_u8(&c));
	ck_assert_uint_eq(cur_left(&s), 3);
	ck_assert_uint_eq(cur_be24(&s), 0xaabbcc);
	cur_u8(&s);
	ck_assert(!cur_ok(&s));
	ck_assert(cur_ok(&c));
	ck_assert_uint_eq(cur_u8(&c), 0xdd);
	s = cur_sub(&c, 1);
	ck_assert(!cur_ok(&c));
	ck_assert(!cur_ok(&s));
}
END_TEST

START_TEST(cursor_wide_reads)
{
	const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct cursor c;

	cur_init(&c, b, sizeof(b));
	ck_assert_uint_eq(cur_leN(&c, 6), 0x060504030201ULL);
	cur_init(&c, b, sizeof(b));
	ck_assert_uint_eq(cur_be32(&c), 0x01020304);
	ck_assert_uint_eq(cur_le32(&c), 0x08070605);
	cur_init(&c, b, 3);
	ck_assert_uint_eq(cur_beN(&c, 4), 0);
	ck_assert(!cur_ok(&c));
	cur_init(&c, NULL, 10);
	ck_assert_uint_eq(cur_left(&c), 0);
}
END_TEST

/* After any error every read fails, zero-byte ones included: the length
 * test alone for n > 0 (an error leaves the window used up), the flag for 0. */
START_TEST(cursor_error_fails_every_size)
{
	const uint8_t b[] = { 1, 2, 3, 4, 5, 6 };
	struct cursor c, s;
	size_t n;

	for (n = 0; n <= 4; n++) {
		cur_init(&c, b, sizeof(b));
		cur_u8(&c);
		ck_assert_ptr_nonnull(cur_bytes(&c, 0));        /* 0 bytes of a sound window */
		cur_fail(&c);
		ck_assert(!cur_ok(&c));
		ck_assert_uint_eq(cur_left(&c), 0);
		ck_assert_ptr_null(cur_bytes(&c, n));
		ck_assert(!cur_ok(&c));
	}
	cur_init(&c, b, 2);
	ck_assert_uint_eq(cur_le32(&c), 0);             /* short read: error */
	ck_assert_ptr_null(cur_bytes(&c, 0));
	s = cur_sub(&c, 0);
	ck_assert(!cur_ok(&s));
	ck_assert_uint_eq(cur_left(&s), 0);
	ck_assert_ptr_null(cur_bytes(&s, 0));
	cur_init(&c, NULL, 5);                          /* no bytes: n > 0 fails */
	ck_assert_ptr_null(cur_bytes(&c, 1));
	ck_assert(!cur_ok(&c));
}
END_TEST

/* A toy length-prefixed protocol: 0xA5, len byte (payload), payload. */
static long toy_len(const uint8_t *p, size_t avail, void *ud)
{
	(void)ud;
	if (p[0] != 0xA5)
		return -1;
	if (avail < 2)
		return 0;
	return 2 + p[1];
}

struct toy_seen {
	int n;
	size_t lens[64];
	uint8_t first[64];
};

static void toy_pdu(const uint8_t *pdu, size_t len, void *ud)
{
	struct toy_seen *s = ud;

	if (s->n < 64) {
		s->lens[s->n] = len;
		s->first[s->n] = len > 2 ? pdu[2] : 0;
	}
	s->n++;
}

START_TEST(framer_many_in_one)
{
	const uint8_t b[] = { 0xA5, 1, 7, 0xA5, 2, 8, 9, 0xA5, 0 };
	struct framer f;
	struct toy_seen s = { 0 };

	framer_init(&f, 64);
	ck_assert_uint_eq(framer_feed(&f, b, sizeof(b), toy_len, toy_pdu, &s), 0);
	ck_assert_int_eq(s.n, 3);
	ck_assert_uint_eq(s.lens[1], 4);
	ck_assert_uint_eq(s.first[1], 8);
	ck_assert_uint_eq(f.len, 0);
	framer_free(&f);
}
END_TEST

START_TEST(framer_split_every_byte)
{
	const uint8_t b[] = { 0xA5, 3, 1, 2, 3, 0xA5, 1, 4 };
	struct framer f;
	struct toy_seen s = { 0 };
	size_t i;

	framer_init(&f, 64);
	for (i = 0; i < sizeof(b); i++)
		framer_feed(&f, b + i, 1, toy_len, toy_pdu, &s);
	ck_assert_int_eq(s.n, 2);
	ck_assert_uint_eq(s.lens[0], 5);
	ck_assert_uint_eq(s.first[0], 1);
	ck_assert_uint_eq(s.first[1], 4);
	framer_free(&f);
}
END_TEST

START_TEST(framer_resync_and_cap)
{
	const uint8_t junk[] = { 0x00, 0x11, 0xA5, 1, 5 };
	const uint8_t big[] = { 0xA5, 200, 1 };
	struct framer f;
	struct toy_seen s = { 0 };

	framer_init(&f, 16);
	ck_assert_uint_eq(framer_feed(&f, junk, sizeof(junk), toy_len, toy_pdu, &s), 2);
	ck_assert_int_eq(s.n, 1);
	/* 202-byte PDU exceeds the 16-byte cap: skipped, never buffered */
	framer_feed(&f, big, sizeof(big), toy_len, toy_pdu, &s);
	ck_assert_uint_eq(f.oversize, 1);
	ck_assert(f.len <= 16);
	ck_assert_int_eq(s.n, 1);
	framer_free(&f);
}
END_TEST

START_TEST(framer_partial_then_reset)
{
	const uint8_t a[] = { 0xA5, 4, 1 };
	const uint8_t b[] = { 0xA5, 1, 9 };
	struct framer f;
	struct toy_seen s = { 0 };

	framer_init(&f, 64);
	framer_feed(&f, a, sizeof(a), toy_len, toy_pdu, &s);
	ck_assert_uint_eq(f.len, 3);
	framer_reset(&f);
	framer_feed(&f, b, sizeof(b), toy_len, toy_pdu, &s);
	ck_assert_int_eq(s.n, 1);
	ck_assert_uint_eq(s.first[0], 9);
	framer_free(&f);
}
END_TEST

/* framer_sync: the toy protocol's PDUs start with 0xA5 */
static long toy_sync_len(const uint8_t *p, size_t avail)
{
	return toy_len(p, avail, NULL);
}

struct toy_breaks {
	struct toy_seen seen;
	int after_pdu, first;
	size_t last_avail;
};

static void toy_sync_pdu(const uint8_t *pdu, size_t len, void *ud)
{
	toy_pdu(pdu, len, &((struct toy_breaks *)ud)->seen);
}

static void toy_sync_break(enum framer_break why, size_t avail, void *ud)
{
	struct toy_breaks *b = ud;

	if (why == FRAMER_BREAK_AFTER_PDU)
		b->after_pdu++;
	else
		b->first++;
	b->last_avail = avail;
}

static const struct framer_sync_ops toy_sync = {
	.pdu_len = toy_sync_len,
	.on_pdu = toy_sync_pdu,
	.on_break = toy_sync_break,
};

START_TEST(framer_sync_breaks_gaps_and_end)
{
	const uint8_t good[] = { 0xA5, 1, 7, 0xA5, 0 };
	const uint8_t short_len[] = { 0xA5, 0, 0x11, 0x22, 0xA5, 0 };
	const uint8_t junk[] = { 0x11, 0xA5, 0 };
	const uint8_t partial[] = { 0xA5, 3, 1 };
	struct framer_sync fs;
	struct toy_breaks b;
	int i;

	memset(&b, 0, sizeof(b));
	framer_sync_init(&fs, 64, 3);
	framer_sync_feed(&fs, good, sizeof(good), &toy_sync, &b);
	ck_assert_int_eq(b.seen.n, 2);
	/* a break after a PDU drops the rest of the delivery */
	framer_sync_feed(&fs, short_len, sizeof(short_len), &toy_sync, &b);
	ck_assert_int_eq(b.seen.n, 3);
	ck_assert_int_eq(b.after_pdu, 1);
	ck_assert_uint_eq(b.last_avail, 4);
	ck_assert_uint_eq(fs.ignored, 4);
	/* a delivery that starts badly: reported once, dead after 3 in a row */
	for (i = 0; i < 3; i++)
		framer_sync_feed(&fs, junk, sizeof(junk), &toy_sync, &b);
	ck_assert_int_eq(b.first, 1);
	ck_assert(fs.dead);
	ck_assert_uint_eq(fs.ignored, 4 + 3 * sizeof(junk));
	framer_sync_feed(&fs, good, sizeof(good), &toy_sync, &b);
	ck_assert_int_eq(b.seen.n, 3);          /* dead: only counted */
	ck_assert_uint_eq(fs.ignored, 4 + 3 * sizeof(junk) + sizeof(good));
	framer_sync_free(&fs);

	/* after a gap bad headers are expected: not reported; a PDU ends it */
	memset(&b, 0, sizeof(b));
	framer_sync_init(&fs, 64, 3);
	framer_sync_feed(&fs, partial, sizeof(partial), &toy_sync, &b);
	ck_assert_int_eq(framer_sync_gap(&fs), 1);      /* the partial PDU went */
	framer_sync_feed(&fs, junk, sizeof(junk), &toy_sync, &b);
	ck_assert_int_eq(b.first, 0);
	framer_sync_feed(&fs, good, sizeof(good), &toy_sync, &b);
	ck_assert_int_eq(b.seen.n, 2);
	ck_assert_int_eq(fs.bad_feeds, 0);
	framer_sync_feed(&fs, junk, sizeof(junk), &toy_sync, &b);
	ck_assert_int_eq(b.first, 1);
	/* a partial PDU at the end of the flow is the stream's own */
	framer_sync_feed(&fs, partial, sizeof(partial), &toy_sync, &b);
	ck_assert_uint_eq(framer_sync_end(&fs), sizeof(partial));
	ck_assert_uint_eq(framer_sync_end(&fs), 0);
	framer_sync_feed(&fs, partial, sizeof(partial), &toy_sync, &b);
	framer_sync_gap(&fs);
	ck_assert_uint_eq(framer_sync_end(&fs), 0);     /* lost to the gap */
	framer_sync_free(&fs);
}
END_TEST

START_TEST(event_bounded_arrays)
{
	struct ot_event ev;
	struct dissect_ctx ctx;
	const uint8_t name[] = "  Siemens\x01" "AG   \0garbage";
	int i;

	memset(&ctx, 0, sizeof(ctx));
	ot_event_init(&ev, &ctx, OT_PROTO_MODBUS, OT_EV_MESSAGE);
	ck_assert_int_eq(ev.func, -1);
	for (i = 0; i < OT_MAX_RANGES; i++)
		ck_assert_int_eq(ot_range_add(&ev, OT_SPACE_MB_HOLDING, 0, 0, i, 1), 0);
	ck_assert_int_eq(ot_range_add(&ev, OT_SPACE_MB_HOLDING, 0, 0, 99, 1), -1);
	ck_assert(ev.truncated);
	ck_assert_int_eq(ot_ident_add(&ev, OT_ID_VENDOR, name, sizeof(name)), 0);
	ck_assert_str_eq(ev.ident[0].value, "Siemens.AG");
	ck_assert_int_eq(ot_ident_add(&ev, OT_ID_MODEL, (const uint8_t *)"   ", 3), 0);
	ck_assert_int_eq(ev.n_ident, 1);
}
END_TEST

START_TEST(event_names)
{
	static const struct ot_tok t[] = { { 1, "one" }, { 0, NULL } };

	ck_assert_str_eq(ot_proto_name(OT_PROTO_DNP3), "dnp3");
	ck_assert_int_eq(ot_proto_from_name("s7comm"), OT_PROTO_S7COMM);
	ck_assert_int_eq(ot_proto_from_name("nope"), OT_PROTO_UNKNOWN);
	ck_assert_str_eq(ot_category_name(OT_CAT_WRITE), "write");
	ck_assert_str_eq(ot_tok_str(t, 1), "one");
	ck_assert_str_eq(ot_tok_str(t, 2), "unknown");
	ck_assert_ptr_null(ot_tok_name(t, 2));
}
END_TEST

/* The registry: every protocol of protocols.h by id and name, its
 * descriptor where it has one, and its address spaces. */
/* The sorted index answers what the row-by-row search answers: the first
 * row of a code, NULL for a code not there; unsorted rows, repeats. */
START_TEST(tok_index_as_rows)
{
	static const struct ot_tok t[] = {
		{ 40, "forty" }, { 3, "three" }, { -7, "minus" }, { 40, "forty_again" },
		{ 0x7fffffff, "max" }, { 12, "twelve" }, { 3, "three_again" }, { 0, "zero" },
		{ 0, NULL }
	};
	static const struct ot_tok none[] = { { 0, NULL } };
	struct ot_tok_index x = OT_TOK_INDEX(t), y = OT_TOK_INDEX(none);
	int code, found = 0;

	for (code = -10; code < 50; code++) {
		const char *a = ot_tok_name(t, code), *b = ot_tok_index_name(&x, code);

		ck_assert_msg((a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0),
			      "code %d: %s vs %s", code, a ? a : "-", b ? b : "-");
		found += a != NULL;
	}
	ck_assert_int_eq(found, 5);
	ck_assert_str_eq(ot_tok_index_name(&x, 40), "forty");
	ck_assert_str_eq(ot_tok_index_name(&x, 3), "three");
	ck_assert_str_eq(ot_tok_index_name(&x, 0x7fffffff), "max");
	ck_assert_ptr_null(ot_tok_index_name(&y, 0));
	ck_assert_ptr_nonnull(x.rows);          /* a code past 255: by halves */
	free(x.rows);
	free(y.rows);
	free(y.direct);
}
END_TEST

/* Codes all in 0..255: a table by code, the same answers. */
START_TEST(tok_index_direct)
{
	static const struct ot_tok t[] = {
		{ 200, "a" }, { 0, "zero" }, { 7, "b" }, { 200, "a_again" }, { 255, "top" },
		{ 0, NULL }
	};
	struct ot_tok_index x = OT_TOK_INDEX(t);
	int code;

	for (code = -3; code < 300; code++) {
		const char *a = ot_tok_name(t, code), *b = ot_tok_index_name(&x, code);

		ck_assert_msg((a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0),
			      "code %d: %s vs %s", code, a ? a : "-", b ? b : "-");
	}
	ck_assert_ptr_nonnull(x.direct);
	ck_assert_str_eq(ot_tok_index_name(&x, 200), "a");
	free(x.direct);
}
END_TEST

/* The per-message name look-ups read indexed tables: each gives what a row
 * by row search of its table gives, for every code a message can carry
 * (the CIP ones: check_enip). */
START_TEST(tok_index_protocol_tables)
{
	int code;

	for (code = 0; code <= 0x10000; code++) {
		const char *a = ot_tok_name(dnp3_function_names, code);
		const char *b = dnp3_func_name(code);

		ck_assert_msg(a == b, "dnp3 function %d: %s vs %s", code, a ? a : "-", b ? b : "-");
		a = ot_tok_name(modbus_function_names, code);
		ck_assert_int_eq(modbus_func_known((unsigned)code),
				 a != NULL || modbus_func_user_defined((unsigned)code));
		if (a)
			ck_assert_ptr_eq(modbus_func_name((unsigned)code), a);
	}
	ck_assert_ptr_null(dnp3_func_name(-1));
}
END_TEST

START_TEST(registry_protocols_and_spaces)
{
	size_t n, i;
	const struct dissector *const *l = dissector_list(&n);
	const struct ot_space_info *si, *sj;
	int p, dissectors = 0;

	ck_assert_str_eq(ot_proto_name(OT_PROTO_UNKNOWN), "unknown");
	ck_assert_str_eq(ot_proto_name(OT_PROTO_COUNT), "unknown");
	ck_assert_str_eq(ot_proto_name(OT_PROTO_S7COMM_PLUS), "s7comm_plus");
	/* S7comm-plus has no dissector of its own: s7comm's recognises it */
	ck_assert_ptr_eq(dissector_by_proto(OT_PROTO_S7COMM_PLUS), dissector_by_name("s7comm"));
	for (p = 1; p < OT_PROTO_COUNT; p++) {
		const struct dissector *d = dissector_by_proto((enum ot_proto)p);

		ck_assert_int_eq(ot_proto_from_name(ot_proto_name((enum ot_proto)p)), p);
		ck_assert_ptr_nonnull(d);
		if ((int)d->proto != p) {
			ck_assert_int_eq(d->also_proto, p);
			continue;
		}
		dissectors++;
		ck_assert_int_eq(d->proto, p);
		ck_assert_str_eq(d->name, ot_proto_name((enum ot_proto)p));
		ck_assert_ptr_eq(dissector_by_name(d->name), d);
	}
	ck_assert_int_eq(dissectors, (int)n);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_eq(dissector_by_proto(l[i]->proto), l[i]);
		if (i)
			ck_assert_int_lt(l[i - 1]->proto, l[i]->proto);
		for (si = l[i]->spaces; si && si->name; si++) {
			/* the space is the protocol's, named once over all */
			ck_assert_uint_eq(OT_SPACE_PROTO(si->space), l[i]->proto);
			ck_assert_uint_ne(si->space & 0xf, 0);
			ck_assert_ptr_eq(ot_space_info(si->space), si);
			ck_assert_str_eq(ot_space_name(si->space), si->name);
			ck_assert_int_eq(ot_space_from_name(si->name), si->space);
			for (sj = si + 1; sj->name; sj++)
				ck_assert_uint_ne(sj->space, si->space);
		}
	}
	ck_assert_str_eq(ot_space_name(OT_SPACE_NONE), "none");
	ck_assert_int_eq(ot_space_from_name("none"), OT_SPACE_NONE);
	ck_assert_int_eq(ot_space_from_name("nope"), -1);
	ck_assert_str_eq(ot_space_name(OT_SPACE_ID(OT_PROTO_S7COMM_PLUS, 1)), "none");
	ck_assert_str_eq(ot_space_name(OT_SPACE_ID(OT_PROTO_MODBUS, 15)), "none");
	ck_assert_str_eq(ot_space_name(OT_SPACE_MB_HOLDING), "holding");
	ck_assert(ot_space_flags(OT_SPACE_MB_HOLDING) & OT_SPACE_ANALOG);
	ck_assert(!(ot_space_flags(OT_SPACE_MB_COIL) & OT_SPACE_ANALOG));
	ck_assert_uint_eq(ot_space_flags(OT_SPACE_LAST), 0);
}
END_TEST

/* Analog or not: by the space, and for DNP3 by the object group. */
START_TEST(registry_analog_values)
{
	struct ot_value v = { .space = OT_SPACE_MB_HOLDING };

	ck_assert(ot_value_is_analog(&v));
	v.space = OT_SPACE_MB_COIL;
	ck_assert(!ot_value_is_analog(&v));
	v.space = (uint8_t)ot_space_from_name("dnp3");
	v.block = 30;
	ck_assert(ot_value_is_analog(&v));
	v.block = 1;
	ck_assert(!ot_value_is_analog(&v));
	v.block = 42;
	ck_assert(ot_value_is_analog(&v));
	v.space = (uint8_t)ot_space_from_name("db");
	ck_assert(!ot_value_is_analog(&v));
	v.space = (uint8_t)ot_space_from_name("ioa");
	ck_assert(ot_value_is_analog(&v));
	v.space = OT_SPACE_NONE;
	ck_assert(!ot_value_is_analog(&v));
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("cursor");

	tcase_add_test(tc, cursor_reads_and_sticks);
	tcase_add_test(tc, cursor_sub_window);
	tcase_add_test(tc, cursor_wide_reads);
	tcase_add_test(tc, cursor_error_fails_every_size);
	suite_add_tcase(s, tc);
	tc = tcase_create("framer");
	tcase_add_test(tc, framer_many_in_one);
	tcase_add_test(tc, framer_split_every_byte);
	tcase_add_test(tc, framer_resync_and_cap);
	tcase_add_test(tc, framer_partial_then_reset);
	tcase_add_test(tc, framer_sync_breaks_gaps_and_end);
	suite_add_tcase(s, tc);
	tc = tcase_create("event");
	tcase_add_test(tc, event_bounded_arrays);
	tcase_add_test(tc, event_names);
	tcase_add_test(tc, tok_index_as_rows);
	tcase_add_test(tc, tok_index_direct);
	tcase_add_test(tc, tok_index_protocol_tables);
	tcase_add_test(tc, registry_protocols_and_spaces);
	tcase_add_test(tc, registry_analog_values);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(core_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
