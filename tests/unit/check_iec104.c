/*
 * check_iec104.c - the IEC 60870-5-104 dissector: APCI formats, every
 * standard type identification, truncated and malformed APDUs, stream
 * framing, sequence tracking, limits, the probe and the event it emits.
 *
 * Assertions are on the decoded record (struct iec104_apdu) and on the
 * ot_event fields; the EVE object is checked only for its bounds.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "iec104.h"
#include "jw.h"
#include "recorder.h"

extern const struct dissector iec104_dissector;

#define MAX_SEEN 512

/* ---- fixture -------------------------------------------------------- */

static struct dissect_ctx ctx;
static struct recorder rec;
static void *st;
static struct iec104_apdu apdu;     /* 7 KB: not on the test's stack */

static void setup(void)
{
	recorder_start(&rec, &iec104_dissector, 0, MAX_SEEN, &ctx);
	ctx.from_client = 1;
	st = iec104_dissector.state_new(&rec.lim);
}

static void teardown(void)
{
	iec104_dissector.state_free(st);
	st = NULL;
	recorder_clear(&rec);
}

static void feed(const uint8_t *p, size_t n)
{
	iec104_dissector.parse(&ctx, st, p, n);
}

/* ---- APDU building -------------------------------------------------- */

/* I-format APDU with N(S), N(R) around asdu (n octets); returns its length. */
static size_t build_i(uint16_t ns, uint16_t nr, const uint8_t *asdu, size_t n, uint8_t *out)
{
	out[0] = 0x68;
	out[1] = (uint8_t)(n + 4);
	out[2] = (uint8_t)(ns << 1);
	out[3] = (uint8_t)(ns >> 7);
	out[4] = (uint8_t)(nr << 1);
	out[5] = (uint8_t)(nr >> 7);
	memcpy(out + 6, asdu, n);
	return n + 6;
}

static size_t build_s(uint16_t nr, uint8_t *out)
{
	const uint8_t s[] = { 0x68, 0x04, 0x01, 0x00, (uint8_t)(nr << 1), (uint8_t)(nr >> 7) };

	memcpy(out, s, sizeof(s));
	return sizeof(s);
}

static size_t build_u(uint8_t fn, uint8_t *out)
{
	const uint8_t u[] = { 0x68, 0x04, (uint8_t)(fn | 3), 0, 0, 0 };

	memcpy(out, u, sizeof(u));
	return sizeof(u);
}

/* An ASDU with one information object of type t at ioa: element zeros. */
static size_t build_asdu(uint8_t type, uint8_t vsq, uint8_t cot, uint16_t ca,
			 const uint8_t *objs, size_t n, uint8_t *out)
{
	out[0] = type;
	out[1] = vsq;
	out[2] = cot;
	out[3] = 0;
	out[4] = ca & 0xff;
	out[5] = ca >> 8;
	memcpy(out + 6, objs, n);
	return n + 6;
}

/* Two APDUs of one segment from a public capture (emre 63.pcap frame 14):
 * C_SE_TC_1 activation termination, then M_ME_TF_1 spontaneous. */
static const uint8_t real_two[] = {
	0x68, 0x19, 0xba, 0x00, 0x40, 0x00, 0x3f, 0x01, 0x0a, 0x00, 0x01, 0x00,
	0x70, 0x17, 0x00, 0x42, 0x60, 0xe5, 0x3b, 0x00, 0xa8, 0xde, 0x35, 0x0d,
	0x02, 0x0b, 0x13,
	0x68, 0x19, 0xbc, 0x00, 0x40, 0x00, 0x24, 0x01, 0x03, 0x00, 0x01, 0x00,
	0x58, 0x02, 0x00, 0x42, 0x60, 0xe5, 0x3b, 0x00, 0xa8, 0xde, 0x35, 0x0d,
	0x02, 0x0b, 0x13,
};

/* ---- decoding ------------------------------------------------------- */

START_TEST(real_setpoint_and_measurement)
{
	struct iec104_problem pr;
	const struct iec104_object *o;

	ck_assert_int_eq(iec104_decode(real_two, 27, &apdu, &pr), 0);
	ck_assert_ptr_null(pr.reason);
	ck_assert_int_eq(apdu.format, IEC104_I);
	ck_assert_uint_eq(apdu.send_seq, 93);
	ck_assert_uint_eq(apdu.recv_seq, 32);
	ck_assert_uint_eq(apdu.asdu.type_id, 63);
	ck_assert_str_eq(iec104_type_name(apdu.asdu.type_id), "C_SE_TC_1");
	ck_assert_uint_eq(apdu.asdu.cause, 10);
	ck_assert_uint_eq(apdu.asdu.ca, 1);
	ck_assert_uint_eq(apdu.asdu.n_objects, 1);
	ck_assert(apdu.asdu.complete);
	o = &apdu.asdu.obj[0];
	ck_assert_uint_eq(o->ioa, 6000);
	ck_assert(fabs(o->value - 0.007) < 1e-6);
	ck_assert_uint_eq(o->qualifier, 0);         /* execute, QL 0 */
	ck_assert_uint_eq(o->time_len, 7);
	ck_assert_uint_eq(o->time.ms, 57000);
	ck_assert_uint_eq(o->time.minute, 53);
	ck_assert_uint_eq(o->time.hour, 13);
	ck_assert_uint_eq(o->time.day, 2);
	ck_assert_uint_eq(o->time.month, 11);
	ck_assert_uint_eq(o->time.year, 19);

	ck_assert_int_eq(iec104_decode(real_two + 27, 27, &apdu, &pr), 0);
	ck_assert_uint_eq(apdu.send_seq, 94);
	ck_assert_uint_eq(apdu.asdu.type_id, 36);
	ck_assert_uint_eq(apdu.asdu.cause, 3);
	ck_assert_uint_eq(apdu.asdu.obj[0].ioa, 600);
	ck_assert_uint_eq(apdu.asdu.obj[0].quality, 0);
	ck_assert(apdu.asdu.obj[0].has_quality);
}
END_TEST

START_TEST(real_two_per_segment_events)
{
	const struct recorded *a, *b;

	ctx.from_client = 0;
	feed(real_two, sizeof(real_two));
	ck_assert_int_eq(rec.n_msg, 2);
	ck_assert_int_eq(rec.n_anom, 0);
	a = recorder_msg(&rec, 0);
	b = recorder_msg(&rec, 1);
	ck_assert_int_eq(a->ev.proto, OT_PROTO_IEC104);
	ck_assert_int_eq(a->ev.func, 63);
	ck_assert_str_eq(a->ev.func_name, "C_SE_TC_1");
	ck_assert_int_eq(a->ev.subfunc, 10);
	ck_assert_str_eq(a->ev.subfunc_name, "activation_term");
	ck_assert_int_eq(a->ev.cat, OT_CAT_WRITE);
	ck_assert_int_eq(a->ev.dir, OT_DIR_RESPONSE);
	ck_assert_int_eq(a->ev.unit, 1);
	ck_assert_int_eq(a->ev.txn, 93);
	ck_assert_int_eq(a->ev.status, 0);
	ck_assert_uint_eq(a->ev.n_ranges, 1);
	ck_assert_uint_eq(a->ev.ranges[0].space, OT_SPACE_IEC104);
	ck_assert_uint_eq(a->ev.ranges[0].block, 1);
	ck_assert_uint_eq(a->ev.ranges[0].start, 6000);
	ck_assert_uint_eq(a->ev.ranges[0].count, 1);
	ck_assert_uint_eq(a->ev.n_values, 1);
	ck_assert_uint_eq(a->ev.values[0].index, 6000);
	ck_assert_int_eq(b->ev.func, 36);
	ck_assert_int_eq(b->ev.cat, OT_CAT_READ);
	ck_assert_int_eq(b->ev.dir, OT_DIR_UNSOLICITED);
	ck_assert_ptr_nonnull(b->json);
}
END_TEST

START_TEST(s_and_u_formats)
{
	uint8_t buf[8];
	static const uint8_t fns[6] = {
		IEC104_U_STARTDT_ACT, IEC104_U_STARTDT_CON, IEC104_U_STOPDT_ACT,
		IEC104_U_STOPDT_CON, IEC104_U_TESTFR_ACT, IEC104_U_TESTFR_CON,
	};
	static const char *const names[6] = {
		"startdt_act", "startdt_con", "stopdt_act", "stopdt_con", "testfr_act", "testfr_con",
	};
	struct iec104_problem pr;
	int i, code;

	ck_assert_int_eq(iec104_decode(buf, build_s(12345, buf), &apdu, &pr), 0);
	ck_assert_int_eq(apdu.format, IEC104_S);
	ck_assert_uint_eq(apdu.recv_seq, 12345);
	ck_assert_ptr_null(pr.reason);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(iec104_decode(buf, build_u(fns[i], buf), &apdu, &pr), 0);
		ck_assert_int_eq(apdu.format, IEC104_U);
		ck_assert_uint_eq(apdu.u_func, fns[i]);
		ck_assert_ptr_null(pr.reason);
		ck_assert_int_eq(iec104_func_code(&apdu), IEC104_FUNC_U_BASE + i);
		ck_assert_str_eq(iec104_func_name(IEC104_FUNC_U_BASE + i), names[i]);
		ck_assert_int_eq(ot_tok_code(iec104_u_names, names[i], &code), 0);
		ck_assert_int_eq(code, fns[i]);
	}
	/* two function bits at once */
	ck_assert_int_eq(iec104_decode(buf, build_u(0x14, buf), &apdu, &pr), 0);
	ck_assert_str_eq(pr.reason, "bad_u_function");
	ck_assert_int_eq(iec104_func_code(&apdu), -1);
	/* U with octets after the control field: APCI says 5 */
	{
		const uint8_t u5[] = { 0x68, 0x05, 0x07, 0, 0, 0, 0 };

		ck_assert_int_eq(iec104_decode(u5, sizeof(u5), &apdu, &pr), 0);
		ck_assert_str_eq(pr.reason, "bad_length");
	}

	/* events: session category, act = request, con = response */
	feed(buf, build_u(IEC104_U_STARTDT_ACT, buf));
	ctx.from_client = 0;
	feed(buf, build_u(IEC104_U_STARTDT_CON, buf));
	feed(buf, build_s(0, buf));
	ck_assert_int_eq(rec.n_msg, 3);
	ck_assert_int_eq(recorder_msg(&rec, 0)->ev.cat, OT_CAT_SESSION);
	ck_assert_int_eq(recorder_msg(&rec, 0)->ev.dir, OT_DIR_REQUEST);
	ck_assert_int_eq(recorder_msg(&rec, 0)->ev.func, IEC104_FUNC_U_BASE);
	ck_assert_int_eq(recorder_msg(&rec, 1)->ev.dir, OT_DIR_RESPONSE);
	ck_assert_int_eq(recorder_msg(&rec, 2)->ev.func, -1);
	ck_assert_str_eq(recorder_msg(&rec, 2)->ev.func_name, "S");
}
END_TEST

/* Every standard type: two objects (SQ=0 and SQ=1) decode completely, one
 * octet less or more is an "asdu_length" problem. */
START_TEST(every_type_sizes)
{
	uint8_t objs[256], asdu[300], pdu[310];
	struct iec104_problem pr;
	const struct iec104_type *t;
	size_t i, el, n, len;
	int count = 0, code;

	for (i = 0; (t = iec104_type_at(i)) != NULL; i++) {
		el = (size_t)t->size + t->time;
		ck_assert(el <= 16);
		/* SQ = 0: two addressed objects */
		memset(objs, 0, sizeof(objs));
		objs[0] = 7;
		objs[3 + el] = 9;
		n = build_asdu(t->id, 2, 6, 3, objs, 2 * (3 + el), asdu);
		len = build_i(0, 0, asdu, n, pdu);
		ck_assert_int_eq(iec104_decode(pdu, len, &apdu, &pr), 0);
		ck_assert_msg(apdu.asdu.complete, "type %u: %s", t->id, pr.reason);
		ck_assert_uint_eq(apdu.asdu.n_objects, 2);
		ck_assert_uint_eq(apdu.asdu.obj[0].ioa, 7);
		ck_assert_uint_eq(apdu.asdu.obj[1].ioa, 9);
		if (t->layout != IEC104_EL_QUERY_LOG)       /* its two times are elements */
			ck_assert_uint_eq(apdu.asdu.obj[0].time_len, t->time);
		/* one octet short */
		len = build_i(0, 0, asdu, n - 1, pdu);
		ck_assert_int_eq(iec104_decode(pdu, len, &apdu, &pr), 0);
		ck_assert(!apdu.asdu.complete);
		ck_assert_str_eq(pr.reason, "asdu_length");
		ck_assert_uint_eq(apdu.asdu.n_objects, 1);
		/* one octet over */
		asdu[n] = 0;
		len = build_i(0, 0, asdu, n + 1, pdu);
		ck_assert_int_eq(iec104_decode(pdu, len, &apdu, &pr), 0);
		ck_assert(!apdu.asdu.complete);
		ck_assert_str_eq(pr.reason, "asdu_length");
		/* SQ = 1: one address, consecutive objects */
		n = build_asdu(t->id, 0x80 | 3, 20, 3, objs, 3 + 3 * el, asdu);
		len = build_i(0, 0, asdu, n, pdu);
		ck_assert_int_eq(iec104_decode(pdu, len, &apdu, &pr), 0);
		ck_assert_msg(apdu.asdu.complete, "type %u SQ: %s", t->id, pr.reason);
		ck_assert_uint_eq(apdu.asdu.obj[2].ioa, 9);
		ck_assert_ptr_nonnull(iec104_type_name(t->id));
		ck_assert_int_eq(ot_tok_code(iec104_type_names, iec104_type_name(t->id), &code), 0);
		ck_assert_int_eq(code, t->id);
		count++;
	}
	/* 1-21, 30-40, 45-51, 58-64, 70, 100-107, 110-113, 120-127 */
	ck_assert_int_eq(count, 21 + 11 + 7 + 7 + 1 + 8 + 4 + 8);
	for (i = 22; i < 30; i++)
		ck_assert_ptr_null(iec104_type_info((int)i));
}
END_TEST

START_TEST(element_values)
{
	uint8_t asdu[64], pdu[80];
	struct iec104_problem pr;
	const struct iec104_object *o = &apdu.asdu.obj[0];
	size_t n;
	int code;

	/* M_DP_TB_1: on, invalid + not topical, CP56 with IV and SU */
	{
		const uint8_t ob[] = { 1, 0, 0, 0xc2, 0x10, 0x27, 0x85, 0x8a, 0x45, 0x0c, 0x18 };

		n = build_asdu(31, 1, 3, 5, ob, sizeof(ob), asdu);
		ck_assert_int_eq(iec104_decode(pdu, build_i(0, 0, asdu, n, pdu), &apdu, &pr), 0);
		ck_assert_int_eq((int)o->value, 2);
		ck_assert_str_eq(iec104_dpi_name((int)o->value), "on");
		ck_assert_uint_eq(o->quality, IEC104_Q_IV | IEC104_Q_NT);
		ck_assert_uint_eq(o->time.ms, 10000);
		ck_assert_uint_eq(o->time.minute, 5);
		ck_assert(o->time.invalid);
		ck_assert_uint_eq(o->time.hour, 10);
		ck_assert(o->time.summer);
		ck_assert_uint_eq(o->time.day, 5);
		ck_assert_uint_eq(o->time.dow, 2);
		ck_assert_uint_eq(o->time.year, 24);
	}
	/* M_ST_NA_1: step -3, transient */
	{
		const uint8_t ob[] = { 1, 0, 0, 0xfd, 0x00 };

		n = build_asdu(5, 1, 3, 5, ob, sizeof(ob), asdu);
		ck_assert_int_eq(iec104_decode(pdu, build_i(0, 0, asdu, n, pdu), &apdu, &pr), 0);
		ck_assert_int_eq((int)o->value, -3);
		ck_assert_uint_eq(o->raw >> 7, 1);
	}
	/* M_ME_NA_1: normalized -0.5, overflow */
	{
		const uint8_t ob[] = { 1, 0, 0, 0x00, 0xc0, 0x01 };

		n = build_asdu(9, 1, 1, 5, ob, sizeof(ob), asdu);
		ck_assert_int_eq(iec104_decode(pdu, build_i(0, 0, asdu, n, pdu), &apdu, &pr), 0);
		ck_assert(fabs(o->value + 0.5) < 1e-9);
		ck_assert_uint_eq(o->quality, IEC104_Q_OV);
	}
	/* M_ME_NB_1: scaled -2 */
	{
		const uint8_t ob[] = { 1, 0, 0, 0xfe, 0xff, 0x00 };

		n = build_asdu(11, 1, 1, 5, ob, sizeof(ob), asdu);
		ck_assert_int_eq(iec104_decode(pdu, build_i(0, 0, asdu, n, pdu), &apdu, &pr), 0);
		ck_assert_int_eq((int)o->value, -2);
	}
	/* M_IT_NA_1: counter 1000, sequence 5, carry, invalid */
	{
		const uint8_t ob[] = { 1, 0, 0, 0xe8, 0x03, 0, 0, 0xa5 };

		n = build_asdu(15, 1, 37, 5, ob, sizeof(ob), asdu);
		ck_assert_int_eq(iec104_decode(pdu, build_i(0, 0, asdu, n, pdu), &apdu, &pr), 0);
		ck_assert_int_eq((int)o->value, 1000);
		ck_assert_uint_eq(o->quality & 0x1f, 5);
		ck_assert_uint_eq(o->quality & 0xa0, 0xa0);
	}
	/* C_SC_NA_1: select, on, short pulse */
	{
		const uint8_t ob[] = { 0x10, 0x27, 0, 0x85 };

		n = build_asdu(45, 1, 6, 5, ob, sizeof(ob), asdu);
		ck_assert_int_eq(iec104_decode(pdu, build_i(0, 0, asdu, n, pdu), &apdu, &pr), 0);
		ck_assert_uint_eq(o->ioa, 10000);
		ck_assert_int_eq((int)o->value, 1);
		ck_assert_uint_eq(o->qualifier >> 7, 1);
		ck_assert_uint_eq((o->qualifier & 0x7f) >> 2, 1);
	}
	/* C_IC_NA_1 station interrogation, C_RP_NA_1 general reset */
	{
		const uint8_t ob[] = { 0, 0, 0, 20 };

		n = build_asdu(100, 1, 6, 5, ob, sizeof(ob), asdu);
		ck_assert_int_eq(iec104_decode(pdu, build_i(0, 0, asdu, n, pdu), &apdu, &pr), 0);
		ck_assert_uint_eq(o->qualifier, 20);
		ck_assert_str_eq(iec104_qoi_name(o->qualifier), "station");
		ck_assert_str_eq(iec104_qoi_name(36), "group_16");
		ck_assert_str_eq(iec104_qrp_name(1), "general_reset");
	}
	/* F_SG_NA_1: segment of 3 octets */
	{
		const uint8_t ob[] = { 0, 0, 0, 2, 0, 1, 3, 0xaa, 0xbb, 0xcc };

		n = build_asdu(125, 1, 13, 5, ob, sizeof(ob), asdu);
		ck_assert_int_eq(iec104_decode(pdu, build_i(0, 0, asdu, n, pdu), &apdu, &pr), 0);
		ck_assert(apdu.asdu.complete);
		ck_assert_uint_eq(o->aux, 2);
		ck_assert_uint_eq(o->section, 1);
		ck_assert_uint_eq(o->length, 3);
		n = build_asdu(125, 1, 13, 5, ob, sizeof(ob) - 1, asdu);
		ck_assert_int_eq(iec104_decode(pdu, build_i(0, 0, asdu, n, pdu), &apdu, &pr), 0);
		ck_assert(!apdu.asdu.complete);
	}
	/* negative confirmation, test bit, originator */
	{
		const uint8_t ob[] = { 1, 0, 0, 0x81 };

		n = build_asdu(45, 1, 0xc0 | 47, 5, ob, sizeof(ob), asdu);
		asdu[3] = 9;
		ck_assert_int_eq(iec104_decode(pdu, build_i(0, 0, asdu, n, pdu), &apdu, &pr), 0);
		ck_assert_uint_eq(apdu.asdu.cause, 47);
		ck_assert(apdu.asdu.negative);
		ck_assert(apdu.asdu.test);
		ck_assert_uint_eq(apdu.asdu.originator, 9);
		ck_assert_str_eq(iec104_cause_name(47), "unknown_ioa");
		ck_assert_int_eq(ot_tok_code(iec104_cause_names, "actcon", &code), 0);
		ck_assert_int_eq(code, 7);
		ck_assert_int_eq(ot_tok_code(iec104_cause_names, "spontaneous", &code), 0);
		ck_assert_int_eq(code, 3);
		ck_assert_str_eq(iec104_cause_name(3), "spontaneous");
		ck_assert_int_eq(ot_tok_code(iec104_cause_names, "nonsense", &code), -1);
	}
}
END_TEST

START_TEST(categories)
{
	static const struct { uint8_t type; enum ot_category cat; } want[] = {
		{ 1, OT_CAT_READ }, { 36, OT_CAT_READ }, { 45, OT_CAT_CONTROL },
		{ 46, OT_CAT_CONTROL }, { 47, OT_CAT_CONTROL }, { 48, OT_CAT_WRITE },
		{ 50, OT_CAT_WRITE }, { 58, OT_CAT_CONTROL }, { 63, OT_CAT_WRITE },
		{ 100, OT_CAT_READ }, { 101, OT_CAT_READ }, { 102, OT_CAT_READ },
		{ 103, OT_CAT_TIME }, { 105, OT_CAT_MODE }, { 110, OT_CAT_WRITE },
		{ 113, OT_CAT_WRITE }, { 120, OT_CAT_FILE }, { 127, OT_CAT_FILE },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(iec104_type_info(want[i].type)->cat == want[i].cat,
			      "type %u", want[i].type);
}
END_TEST

/* ---- malformed ------------------------------------------------------ */

START_TEST(malformed_apci)
{
	struct iec104_problem pr;
	uint8_t buf[300];
	size_t n;

	/* not an APDU */
	ck_assert_int_eq(iec104_decode(real_two, 5, &apdu, &pr), -1);
	ck_assert_int_eq(iec104_decode(real_two, 26, &apdu, &pr), -1);   /* length disagrees */
	buf[0] = 0x69;
	memcpy(buf + 1, real_two + 1, 26);
	ck_assert_int_eq(iec104_decode(buf, 27, &apdu, &pr), -1);

	/* stream: garbage, a length octet below 4, then a good S frame */
	{
		const uint8_t junk[] = { 0x00, 0x11, 0x68, 0x02, 0x01, 0x00 };

		memcpy(buf, junk, sizeof(junk));
		n = sizeof(junk) + build_s(1, buf + sizeof(junk));
		feed(buf, n);
		ck_assert_int_eq(rec.n_msg, 1);
		ck_assert_int_eq(recorder_anomalies(&rec, "bad_length"), 1);
		ck_assert_int_eq(recorder_anomalies(&rec, "resync"), 1);
	}
	/* unknown type identification 24: header decoded, no objects */
	{
		const uint8_t a[] = { 24, 1, 6, 0, 1, 0, 1, 0, 0, 0 };

		recorder_clear(&rec);
		n = build_i(0, 0, a, sizeof(a), buf);
		ck_assert_int_eq(iec104_decode(buf, n, &apdu, &pr), 0);
		ck_assert_str_eq(pr.reason, "unknown_type");
		ck_assert_uint_eq(apdu.asdu.type_id, 24);
		ck_assert_uint_eq(apdu.asdu.cause, 6);
		ck_assert_uint_eq(apdu.asdu.n_objects, 0);
		feed(buf, n);
		ck_assert_int_eq(recorder_anomalies(&rec, "unknown_type"), 1);
		ck_assert_int_eq(recorder_msg(&rec, 0)->ev.func, 24);
		ck_assert_str_eq(recorder_msg(&rec, 0)->ev.func_name, "unknown");
	}
	/* cut ASDU headers: 0, 2, 4 octets */
	{
		const uint8_t a[] = { 45, 1, 6, 0 };
		size_t k;

		for (k = 0; k <= 4; k += 2) {
			n = build_i(0, 0, a, k, buf);
			ck_assert_int_eq(iec104_decode(buf, n, &apdu, &pr), 0);
			ck_assert_str_eq(pr.reason, "asdu_length");
			ck_assert_uint_eq(apdu.asdu.header_len, k);
			ck_assert_int_eq(iec104_func_code(&apdu), k ? 45 : -1);
		}
	}
	/* VSQ count 0 */
	{
		const uint8_t a[] = { 45, 0, 6, 0, 1, 0 };

		n = build_i(0, 0, a, sizeof(a), buf);
		ck_assert_int_eq(iec104_decode(buf, n, &apdu, &pr), 0);
		ck_assert_str_eq(pr.reason, "asdu_length");
	}
	/* I-format with bit 0 of the receive field set */
	{
		const uint8_t a[] = { 100, 1, 6, 0, 1, 0, 0, 0, 0, 20 };

		n = build_i(0, 0, a, sizeof(a), buf);
		buf[4] |= 1;
		ck_assert_int_eq(iec104_decode(buf, n, &apdu, &pr), 0);
		ck_assert_str_eq(pr.reason, "bad_control");
		ck_assert(apdu.asdu.complete);
	}
}
END_TEST

START_TEST(truncated_prefixes)
{
	size_t k;

	/* every prefix alone: no message, no crash; the whole: two */
	for (k = 0; k < sizeof(real_two); k++) {
		void *s2 = iec104_dissector.state_new(&rec.lim);

		recorder_clear(&rec);
		iec104_dissector.parse(&ctx, s2, real_two, k);
		ck_assert_int_eq(rec.n_msg, k >= 27 ? 1 : 0);
		ck_assert_int_eq(rec.n_anom, 0);
		iec104_dissector.state_free(s2);
	}
	/* and every prefix of each APDU decoded alone is refused or cut */
	for (k = 0; k < 27; k++) {
		struct iec104_problem pr;
		uint8_t buf[27];

		memcpy(buf, real_two, k);
		if (k >= 2)
			buf[1] = (uint8_t)(k - 2);
		if (iec104_decode(buf, k, &apdu, &pr) == 0) {
			ck_assert(k >= 6);
			ck_assert(!apdu.asdu.complete);
		}
	}
}
END_TEST

START_TEST(split_and_several)
{
	uint8_t buf[200];
	size_t n = 0, k;

	memcpy(buf, real_two, sizeof(real_two));
	n = sizeof(real_two);
	n += build_s(5, buf + n);
	n += build_u(IEC104_U_TESTFR_ACT, buf + n);
	/* one octet at a time */
	for (k = 0; k < n; k++)
		feed(buf + k, 1);
	ck_assert_int_eq(rec.n_msg, 4);
	ck_assert_int_eq(rec.n_anom, 0);
	/* all at once, then split at every point */
	for (k = 0; k <= n; k++) {
		void *s2 = iec104_dissector.state_new(&rec.lim);

		recorder_clear(&rec);
		iec104_dissector.parse(&ctx, s2, buf, k);
		iec104_dissector.parse(&ctx, s2, buf + k, n - k);
		ck_assert_int_eq(rec.n_msg, 4);
		ck_assert_int_eq(rec.n_anom, 0);
		ck_assert_int_eq(recorder_msg(&rec, 3)->ev.func, IEC104_FUNC_U_BASE + 4);
		iec104_dissector.state_free(s2);
	}
}
END_TEST

/* ---- sequence numbers ----------------------------------------------- */

static void send_i(uint16_t ns, uint16_t nr)
{
	const uint8_t a[] = { 1, 1, 3, 0, 1, 0, 1, 0, 0, 1 };
	uint8_t buf[32];

	feed(buf, build_i(ns, nr, a, sizeof(a), buf));
}

START_TEST(sequence_tracking)
{
	struct iec104_counters c;
	uint8_t buf[8];

	ctx.from_client = 0;
	send_i(100, 0);         /* first: synchronises */
	send_i(101, 0);
	send_i(102, 0);
	ck_assert_int_eq(rec.n_anom, 0);
	send_i(105, 0);         /* 103, 104 missing */
	ck_assert_int_eq(recorder_anomalies(&rec, "sequence_gap"), 1);
	send_i(105, 0);         /* again */
	ck_assert_int_eq(recorder_anomalies(&rec, "sequence_duplicate"), 1);
	send_i(103, 0);         /* a missing one, late */
	ck_assert_int_eq(recorder_anomalies(&rec, "sequence_out_of_order"), 1);
	send_i(103, 0);         /* now a duplicate */
	ck_assert_int_eq(recorder_anomalies(&rec, "sequence_duplicate"), 2);
	send_i(106, 0);         /* back in order */
	ck_assert_int_eq(rec.n_anom, 4);

	/* N(R) 108 acknowledges 107, never sent; 107 (all up to 106) is fine */
	ctx.from_client = 1;
	feed(buf, build_s(108, buf));
	ck_assert_int_eq(recorder_anomalies(&rec, "ack_ahead"), 1);
	feed(buf, build_s(107, buf));
	feed(buf, build_s(107 - 64, buf));  /* old acknowledgements are fine */
	ck_assert_int_eq(recorder_anomalies(&rec, "ack_ahead"), 1);

	/* wrap-around at 32767 */
	ctx.from_client = 1;
	send_i(32766, 107);
	send_i(32767, 107);
	send_i(0, 107);
	ck_assert_int_eq(rec.n_anom, 5);

	/* a stream gap unsynchronises that direction */
	ctx.from_client = 0;
	iec104_dissector.gap(&ctx, st, 100);
	send_i(500, 1);
	ck_assert_int_eq(rec.n_anom, 5);

	iec104_get_counters(st, &c);
	ck_assert_uint_eq(c.seq_gaps, 1);
	ck_assert_uint_eq(c.seq_duplicates, 2);
	ck_assert_uint_eq(c.seq_out_of_order, 1);
	ck_assert_uint_eq(c.seq_ack_ahead, 1);
	ck_assert_uint_eq(c.i_frames, 12);
	ck_assert_uint_eq(c.s_frames, 3);
	ck_assert_uint_eq(c.apdus, 15);
}
END_TEST

/* ---- command confirmation ------------------------------------------- */

/* A single command (C_SC_NA_1) at ioa with cause cot from the given side. */
static void command(int from_client, uint8_t cot, uint32_t ioa, uint16_t ns, uint16_t nr)
{
	uint8_t obj[4] = { (uint8_t)ioa, (uint8_t)(ioa >> 8), (uint8_t)(ioa >> 16), 0x01 };
	uint8_t a[16], buf[32];
	size_t n = build_asdu(45, 1, cot, 7, obj, sizeof(obj), a);

	ctx.from_client = (uint8_t)from_client;
	feed(buf, build_i(ns, nr, a, n, buf));
}

START_TEST(command_confirmation)
{
	struct iec104_counters c;
	const struct recorded *m;
	int i;

	command(1, 6, 100, 0, 0);               /* act */
	ctx.ts.tv_usec = 25000;
	command(0, 7, 100, 0, 1);               /* actcon, 25 ms later */
	m = recorder_msg(&rec, 1);
	ck_assert_ptr_nonnull(m);
	ck_assert(m->ev.rtt > 0.0249 && m->ev.rtt < 0.0251);
	ck_assert_int_eq(rec.n_anom, 0);

	command(1, 6, 101, 1, 1);               /* refused */
	command(0, 7 | 0x40, 101, 1, 2);
	ck_assert_int_eq(recorder_anomalies(&rec, "command_negative"), 1);

	command(1, 6, 104, 2, 2);               /* unknown IOA: cause 47 refuses it */
	command(0, 47 | 0x40, 104, 2, 3);
	ck_assert_int_eq(recorder_anomalies(&rec, "command_negative"), 2);

	command(0, 7, 102, 3, 3);               /* confirms nothing: counted only */
	ck_assert_int_eq(rec.n_anom, 2);

	command(1, 6, 103, 3, 4);               /* never confirmed */
	ctx.ts.tv_sec += 10;
	command(0, 3, 999, 4, 4);               /* 10 s: still within t1 */
	ck_assert_int_eq(recorder_anomalies(&rec, "command_unconfirmed"), 0);
	ctx.ts.tv_sec += 6;
	command(0, 3, 999, 5, 4);               /* 16 s */
	ck_assert_int_eq(recorder_anomalies(&rec, "command_unconfirmed"), 1);
	ck_assert_int_eq(rec.n_anom, 3);

	/* a flood of activations: the table keeps the newest, counts the rest */
	for (i = 0; i < IEC104_MAX_PENDING + 5; i++)
		command(1, 6, 200 + (uint32_t)i, (uint16_t)(4 + i), 6);
	command(0, 7, 200 + IEC104_MAX_PENDING + 4, 6, (uint16_t)(4 + IEC104_MAX_PENDING + 5));
	command(0, 7, 200, 7, (uint16_t)(4 + IEC104_MAX_PENDING + 5));  /* dropped: unmatched */
	ck_assert_int_eq(rec.n_anom, 3);

	iec104_get_counters(st, &c);
	ck_assert_uint_eq(c.commands, 4 + IEC104_MAX_PENDING + 5);
	ck_assert_uint_eq(c.commands_confirmed, 2);
	ck_assert_uint_eq(c.commands_negative, 2);
	ck_assert_uint_eq(c.commands_unconfirmed, 1);
	ck_assert_uint_eq(c.commands_dropped, 5);
	ck_assert_uint_eq(c.confirms_unmatched, 2);
}
END_TEST

/* ---- limits --------------------------------------------------------- */

START_TEST(limits_objects)
{
	uint8_t objs[IEC104_MAX_OBJECTS * 4], asdu[260], pdu[270];
	const struct recorded *m;
	size_t n, i;
	json_t *j, *a;
	json_error_t err;

	/* 127 short floats in sequence: 3 + 127 * 5 octets would exceed the
	 * APDU; 48 fit (6 + 3 + 48 * 5 = 249) */
	memset(objs, 0, sizeof(objs));
	objs[0] = 1;
	n = build_asdu(13, 0x80 | 48, 20, 7, objs, 3 + 48 * 5, asdu);
	ck_assert_uint_eq(n, 249);
	rec.lim.max_log_values = 3;
	ctx.from_client = 0;
	feed(pdu, build_i(0, 0, asdu, n, pdu));
	m = recorder_msg(&rec, 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->ev.n_ranges, 1);
	ck_assert_uint_eq(m->ev.ranges[0].count, 48);
	ck_assert_uint_eq(m->ev.n_values, OT_MAX_VALUES);
	ck_assert(m->ev.truncated);
	j = json_loads(m->json, 0, &err);
	ck_assert_ptr_nonnull(j);
	a = json_object_get(json_object_get(j, "asdu"), "objects");
	ck_assert_uint_eq(json_array_size(a), 3);
	ck_assert(json_is_true(json_object_get(json_object_get(j, "asdu"), "truncated")));
	json_decref(j);

	/* 127 single points scattered: ranges capped, event truncated */
	for (i = 0; i < 49; i++) {
		objs[i * 4] = (uint8_t)(i * 2);
		objs[i * 4 + 1] = 0;
		objs[i * 4 + 2] = 0;
		objs[i * 4 + 3] = 1;
	}
	n = build_asdu(1, 49, 20, 7, objs, 49 * 4, asdu);
	recorder_clear(&rec);
	feed(pdu, build_i(1, 0, asdu, n, pdu));
	m = recorder_msg(&rec, 0);
	ck_assert_uint_eq(m->ev.n_ranges, OT_MAX_RANGES);
	ck_assert(m->ev.truncated);
	ck_assert_uint_eq(m->ev.n_values, 0);       /* points are not analog */

	/* a length octet of 254 is refused and resynchronised */
	{
		uint8_t big[300];

		memset(big, 0, sizeof(big));
		big[0] = 0x68;
		big[1] = 254;
		n = build_s(0, big + 256);
		recorder_clear(&rec);
		feed(big, 256 + n);
		ck_assert_int_eq(recorder_anomalies(&rec, "bad_length"), 1);
		ck_assert_int_eq(rec.n_msg, 1);
	}
}
END_TEST

START_TEST(no_detail_without_log)
{
	ctx.want_detail = 0;
	feed(real_two, sizeof(real_two));
	ck_assert_int_eq(rec.n_msg, 2);
	ck_assert_ptr_null(recorder_msg(&rec, 0)->json);
	ck_assert_int_eq(recorder_msg(&rec, 0)->ev.func, 63);
}
END_TEST

START_TEST(probe)
{
	uint8_t buf[16];

	ck_assert_int_eq(iec104_dissector.probe(real_two, sizeof(real_two), 0), PROBE_MINE);
	ck_assert_int_eq(iec104_dissector.probe(real_two, 6, 0), PROBE_NEED_MORE);
	ck_assert_int_eq(iec104_dissector.probe(real_two, 1, 0), PROBE_NEED_MORE);
	ck_assert_int_eq(iec104_dissector.probe(buf, build_s(3, buf), 1), PROBE_MINE);
	ck_assert_int_eq(iec104_dissector.probe(buf, build_u(IEC104_U_TESTFR_CON, buf), 1), PROBE_MINE);
	ck_assert_int_eq(iec104_dissector.probe(buf, build_u(0x0c, buf), 1), PROBE_NOT_MINE);
	buf[0] = 0x69;
	ck_assert_int_eq(iec104_dissector.probe(buf, 6, 1), PROBE_NOT_MINE);
	/* an I-frame with an unknown type or cause 0 */
	memcpy(buf, real_two, 12);
	buf[6] = 99;
	ck_assert_int_eq(iec104_dissector.probe(buf, 12, 1), PROBE_NOT_MINE);
	buf[6] = 1;
	buf[8] = 0;
	ck_assert_int_eq(iec104_dissector.probe(buf, 12, 1), PROBE_NOT_MINE);
	/* Modbus request: 00 01 00 00 00 06 ... */
	{
		const uint8_t mb[] = { 0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10 };

		ck_assert_int_eq(iec104_dissector.probe(mb, sizeof(mb), 1), PROBE_NOT_MINE);
	}
	iec104_dissector.state_free(NULL);
}
END_TEST

static Suite *iec104_suite(void)
{
	Suite *s = suite_create("iec104");
	TCase *t = tcase_create("decode");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, real_setpoint_and_measurement);
	tcase_add_test(t, real_two_per_segment_events);
	tcase_add_test(t, s_and_u_formats);
	tcase_add_test(t, every_type_sizes);
	tcase_add_test(t, element_values);
	tcase_add_test(t, categories);
	tcase_add_test(t, malformed_apci);
	tcase_add_test(t, truncated_prefixes);
	tcase_add_test(t, split_and_several);
	tcase_add_test(t, sequence_tracking);
	tcase_add_test(t, command_confirmation);
	tcase_add_test(t, limits_objects);
	tcase_add_test(t, no_detail_without_log);
	tcase_add_test(t, probe);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(iec104_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
