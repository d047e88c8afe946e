/*
 * check_modbus.c - the Modbus/TCP dissector: every function code, truncated
 * and malformed ADUs, stream framing, pairing, limits and the probe.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "dissector.h"
#include "jw.h"
#include "modbus.h"
#include "recorder.h"

extern const struct dissector modbus_dissector;

#define REC_MAX 512

static struct recorder rec;

static int rec_anomalies(const char *reason)
{
	return recorder_anomalies(&rec, reason);
}

/* The i-th message event (skipping anomalies) and its log object, or NULL. */
static const struct ot_event *rec_msg(int i, const char **json)
{
	const struct recorded *r = recorder_msg(&rec, i);

	if (json)
		*json = r ? r->json : NULL;
	return r ? &r->ev : NULL;
}

/* The record of the i-th message event (scalars), or NULL. */
static const struct modbus_record *rec_mb(int i)
{
	const struct ot_event *e = rec_msg(i, NULL);

	return e ? e->record : NULL;
}

static int json_has(const char *json, const char *needle)
{
	return json && strstr(json, needle) != NULL;
}

static struct dissect_ctx ctx;

static void *mb_new(void)
{
	recorder_start(&rec, &modbus_dissector, sizeof(struct modbus_record), REC_MAX, &ctx);
	return modbus_dissector.state_new(&rec.lim);
}

static void feed(void *st, int from_client, const uint8_t *b, size_t n)
{
	ctx.from_client = (uint8_t)from_client;
	modbus_dissector.parse(&ctx, st, b, n);
}

/* ADU from transaction, unit and PDU; returns its length. */
static size_t adu(uint8_t *out, uint16_t txn, uint8_t unit, const uint8_t *pdu, size_t n)
{
	out[0] = txn >> 8;
	out[1] = txn & 0xff;
	out[2] = out[3] = 0;
	out[4] = (uint8_t)((n + 1) >> 8);
	out[5] = (uint8_t)((n + 1) & 0xff);
	out[6] = unit;
	memcpy(out + 7, pdu, n);
	return n + 7;
}

static void send_pdu(void *st, int from_client, uint16_t txn, uint8_t unit,
		     const uint8_t *pdu, size_t n)
{
	uint8_t b[300];

	feed(st, from_client, b, adu(b, txn, unit, pdu, n));
}

/* ---- per function code vectors --------------------------------------- */

struct vec {
	const char *what;
	const uint8_t *req;
	size_t req_len;
	size_t req_min;         /* shortest complete request PDU */
	int req_tail;           /* extra trailing byte must be flagged */
	const uint8_t *resp;
	size_t resp_len;
	size_t resp_min;
	int resp_tail;
	enum ot_category cat;
};

#define V(a) a, sizeof(a)
static const uint8_t rq1[] = { 1, 0x00, 0x10, 0x00, 0x0a };
static const uint8_t rs1[] = { 1, 2, 0x55, 0x01 };
static const uint8_t rq2[] = { 2, 0x00, 0x00, 0x00, 0x03 };
static const uint8_t rs2[] = { 2, 1, 0x05 };
static const uint8_t rq3[] = { 3, 0x00, 0x64, 0x00, 0x02 };
static const uint8_t rs3[] = { 3, 4, 0x12, 0x34, 0xab, 0xcd };
static const uint8_t rq4[] = { 4, 0x00, 0x01, 0x00, 0x01 };
static const uint8_t rs4[] = { 4, 2, 0x00, 0x2a };
static const uint8_t rq5[] = { 5, 0x00, 0x07, 0xff, 0x00 };
static const uint8_t rq6[] = { 6, 0x00, 0x08, 0x12, 0x34 };
static const uint8_t rq7[] = { 7 };
static const uint8_t rs7[] = { 7, 0x6d };
static const uint8_t rq8[] = { 8, 0x00, 0x00, 0xa5, 0x37 };
static const uint8_t rq11[] = { 11 };
static const uint8_t rs11[] = { 11, 0xff, 0xff, 0x01, 0x08 };
static const uint8_t rq12[] = { 12 };
static const uint8_t rs12[] = { 12, 8, 0x00, 0x00, 0x01, 0x08, 0x01, 0x21, 0x20, 0x00 };
static const uint8_t rq15[] = { 15, 0x00, 0x13, 0x00, 0x0a, 0x02, 0xcd, 0x01 };
static const uint8_t rs15[] = { 15, 0x00, 0x13, 0x00, 0x0a };
static const uint8_t rq16[] = { 16, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0a, 0x01, 0x02 };
static const uint8_t rs16[] = { 16, 0x00, 0x01, 0x00, 0x02 };
static const uint8_t rq17[] = { 17 };
static const uint8_t rs17[] = { 17, 3, 'A', 'B', 0xff };
static const uint8_t rq20[] = { 20, 14, 6, 0x00, 0x04, 0x00, 0x01, 0x00, 0x02,
				6, 0x00, 0x03, 0x00, 0x09, 0x00, 0x02 };
static const uint8_t rs20[] = { 20, 12, 5, 6, 0x0d, 0xfe, 0x00, 0x20,
				5, 6, 0x33, 0xcd, 0x00, 0x40 };
static const uint8_t rq21[] = { 21, 13, 6, 0x00, 0x04, 0x00, 0x07, 0x00, 0x03,
				0x06, 0xaf, 0x04, 0xbe, 0x10, 0x0d };
static const uint8_t rq22[] = { 22, 0x00, 0x04, 0x00, 0xf2, 0x00, 0x25 };
static const uint8_t rq23[] = { 23, 0x00, 0x03, 0x00, 0x06, 0x00, 0x0e, 0x00, 0x03, 0x06,
				0x00, 0xff, 0x00, 0xff, 0x00, 0xff };
static const uint8_t rs23[] = { 23, 12, 0x00, 0xfe, 0x0a, 0xcd, 0x00, 0x01, 0x00, 0x03,
				0x00, 0x0d, 0x00, 0xff };
static const uint8_t rq24[] = { 24, 0x04, 0xde };
static const uint8_t rs24[] = { 24, 0x00, 0x06, 0x00, 0x02, 0x01, 0xb8, 0x12, 0x84 };
static const uint8_t rq43[] = { 43, 14, 1, 0 };
static const uint8_t rs43[] = { 43, 14, 1, 0x01, 0x00, 0x00, 3,
				0x00, 5, 'A', 'c', 'm', 'e', ' ',
				0x01, 3, 'P', 'L', 'C',
				0x02, 4, 'V', '2', '.', '1' };
static const uint8_t rq43c[] = { 43, 13, 0x01, 0x02, 0x03 };
static const uint8_t rs43c[] = { 43, 13, 0x04 };
static const uint8_t rq65[] = { 65, 0xde, 0xad };
static const uint8_t rs65[] = { 65, 0xbe, 0xef, 0x00 };
static const uint8_t rq90[] = { 90, 0x00, 0x02 };
static const uint8_t rs90[] = { 90, 0x00, 0xfe, 0x01 };

static const struct vec vecs[] = {
	{ "fc1", V(rq1), 5, 1, V(rs1), 4, 0, OT_CAT_READ },
	{ "fc2", V(rq2), 5, 1, V(rs2), 3, 0, OT_CAT_READ },
	{ "fc3", V(rq3), 5, 1, V(rs3), 6, 1, OT_CAT_READ },
	{ "fc4", V(rq4), 5, 1, V(rs4), 4, 1, OT_CAT_READ },
	{ "fc5", V(rq5), 5, 1, V(rq5), 5, 1, OT_CAT_WRITE },
	{ "fc6", V(rq6), 5, 1, V(rq6), 5, 1, OT_CAT_WRITE },
	{ "fc7", V(rq7), 1, 1, V(rs7), 2, 1, OT_CAT_DIAGNOSTIC },
	{ "fc8", V(rq8), 3, 0, V(rq8), 3, 0, OT_CAT_DIAGNOSTIC },
	{ "fc11", V(rq11), 1, 1, V(rs11), 5, 1, OT_CAT_DIAGNOSTIC },
	{ "fc12", V(rq12), 1, 1, V(rs12), 10, 1, OT_CAT_DIAGNOSTIC },
	{ "fc15", V(rq15), 8, 1, V(rs15), 5, 1, OT_CAT_WRITE },
	{ "fc16", V(rq16), 10, 1, V(rs16), 5, 1, OT_CAT_WRITE },
	{ "fc17", V(rq17), 1, 1, V(rs17), 5, 1, OT_CAT_IDENTITY },
	{ "fc20", V(rq20), 16, 1, V(rs20), 14, 1, OT_CAT_FILE },
	{ "fc21", V(rq21), 15, 1, V(rq21), 15, 1, OT_CAT_FILE },
	{ "fc22", V(rq22), 7, 1, V(rq22), 7, 1, OT_CAT_WRITE },
	{ "fc23", V(rq23), 16, 1, V(rs23), 14, 1, OT_CAT_WRITE },
	{ "fc24", V(rq24), 3, 1, V(rs24), 9, 1, OT_CAT_READ },
	{ "fc43/14", V(rq43), 4, 1, V(rs43), 25, 1, OT_CAT_IDENTITY },
	{ "fc43/13", V(rq43c), 2, 0, V(rs43c), 2, 0, OT_CAT_OTHER },
	{ "fc65", V(rq65), 1, 0, V(rs65), 1, 0, OT_CAT_OTHER },
	{ "fc90", V(rq90), 3, 0, V(rs90), 3, 0, OT_CAT_IDENTITY },
};
#define N_VECS (sizeof(vecs) / sizeof(vecs[0]))

static int rec_malformed(void)
{
	return rec_anomalies("truncated_adu") + rec_anomalies("length_mismatch");
}

/* Whole request and response: two messages, paired, no anomaly. */
START_TEST(function_code_valid)
{
	const struct vec *v = &vecs[_i];
	void *st = mb_new();
	const struct ot_event *q, *r;
	const char *js;

	send_pdu(st, 1, 0x1234, 7, v->req, v->req_len);
	send_pdu(st, 0, 0x1234, 7, v->resp, v->resp_len);
	ck_assert_msg(rec.n_msg == 2 && rec.n_anom == 0, "%s: %d msgs %d anomalies (%s)",
		      v->what, rec.n_msg, rec.n_anom,
		      rec.n > 1 && rec.ev[1].ev.anomaly ? rec.ev[1].ev.anomaly : "-");
	q = rec_msg(0, &js);
	ck_assert_int_eq(q->dir, OT_DIR_REQUEST);
	ck_assert_int_eq(q->func, v->req[0]);
	ck_assert_int_eq(q->unit, 7);
	ck_assert_int_eq(q->txn, 0x1234);
	ck_assert_int_eq(q->cat, v->cat);
	ck_assert_uint_eq(rec_mb(0)->transaction_id, 0x1234);
	ck_assert_uint_eq(rec_mb(0)->unit_id, 7);
	ck_assert_uint_eq(rec_mb(0)->protocol_id, 0);
	ck_assert_uint_eq(rec_mb(0)->function_code, v->req[0]);
	ck_assert_uint_eq(rec_mb(0)->length, v->req_len + 1);
	ck_assert_uint_eq(rec_mb(1)->paired, 1);
	ck_assert_uint_eq(rec_mb(1)->request_function, v->req[0]);
	ck_assert_msg(json_has(js, "\"transaction_id\":4660"), "%s", js);
	ck_assert(json_has(js, "\"direction\":\"request\""));
	r = rec_msg(1, &js);
	ck_assert_int_eq(r->dir, OT_DIR_RESPONSE);
	ck_assert_int_eq(r->status, 0);
	ck_assert(r->rtt >= 0);
	ck_assert_msg(json_has(js, "\"response_time\":"), "%s", js);
	ck_assert(json_has(js, "\"request_function\":"));
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

/* Every prefix of each PDU: one message, flagged when incomplete. */
static void prefixes(const struct vec *v, int is_req)
{
	const uint8_t *pdu = is_req ? v->req : v->resp;
	size_t len = is_req ? v->req_len : v->resp_len;
	size_t min = is_req ? v->req_min : v->resp_min;
	size_t k;

	for (k = 1; k < len; k++) {
		void *st = mb_new();

		if (!is_req)
			send_pdu(st, 1, 9, 1, v->req, v->req_len);
		send_pdu(st, !!is_req, 9, 1, pdu, k);
		ck_assert_msg(rec.n_msg == (is_req ? 1 : 2), "%s prefix %zu", v->what, k);
		if (k < min)
			ck_assert_msg(rec_malformed() > 0, "%s %s prefix %zu not flagged",
				      v->what, is_req ? "request" : "response", k);
		modbus_dissector.state_free(st);
	}
	recorder_clear(&rec);
}

START_TEST(function_code_prefixes)
{
	prefixes(&vecs[_i], 1);
	prefixes(&vecs[_i], 0);
}
END_TEST

/* One byte too many after a fixed layout is a length mismatch. */
START_TEST(function_code_trailing)
{
	const struct vec *v = &vecs[_i];
	uint8_t pdu[300];
	void *st;

	st = mb_new();
	memcpy(pdu, v->req, v->req_len);
	pdu[v->req_len] = 0xee;
	send_pdu(st, 1, 3, 1, pdu, v->req_len + 1);
	if (v->req_tail)
		ck_assert_msg(rec_anomalies("length_mismatch") == 1, "%s request", v->what);
	memcpy(pdu, v->resp, v->resp_len);
	pdu[v->resp_len] = 0xee;
	send_pdu(st, 0, 3, 1, pdu, v->resp_len + 1);
	ck_assert_int_eq(rec.n_msg, 2);
	if (v->resp_tail)
		ck_assert_msg(rec_anomalies("length_mismatch") == 1 + v->req_tail,
			      "%s response", v->what);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

/* ---- field-level checks ----------------------------------------------- */

START_TEST(read_holding_values_pair_with_address)
{
	void *st = mb_new();
	const struct ot_event *r;
	const char *js;

	send_pdu(st, 1, 1, 1, rq3, sizeof(rq3));
	ctx.ts.tv_usec = 250000;
	send_pdu(st, 0, 1, 1, rs3, sizeof(rs3));
	r = rec_msg(1, &js);
	ck_assert_int_eq(r->n_values, 2);
	ck_assert_int_eq(r->values[0].space, OT_SPACE_MB_HOLDING);
	ck_assert_uint_eq(r->values[0].index, 100);
	ck_assert(r->values[0].value == 0x1234);
	ck_assert_uint_eq(r->values[1].index, 101);
	ck_assert(r->values[1].value == 0xabcd);
	ck_assert_int_eq(r->n_ranges, 1);
	ck_assert_uint_eq(r->ranges[0].start, 100);
	ck_assert_uint_eq(r->ranges[0].count, 2);
	ck_assert(r->rtt > 0.249 && r->rtt < 0.251);
	ck_assert(rec_mb(1)->response_time > 0.249 && rec_mb(1)->response_time < 0.251);
	ck_assert(rec_mb(1)->has & (1u << MBF_ADDRESS));
	ck_assert_uint_eq(rec_mb(1)->address, 100);
	ck_assert_uint_eq(rec_mb(1)->quantity, 2);
	ck_assert_uint_eq(rec_mb(1)->byte_count, 4);
	ck_assert_uint_eq(rec_mb(1)->n_values, 2);
	ck_assert_msg(json_has(js, "\"values\":[4660,43981]"), "%s", js);
	ck_assert(json_has(js, "\"address\":100"));
	ck_assert(json_has(js, "\"category\":\"read\""));
	ck_assert(json_has(js, "\"function\":\"read_holding_registers\""));
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(coils_bits_and_writes)
{
	void *st = mb_new();
	const struct ot_event *e;
	const char *js;

	send_pdu(st, 1, 1, 1, rq1, sizeof(rq1));   /* 10 coils from 16 */
	send_pdu(st, 0, 1, 1, rs1, sizeof(rs1));   /* 0x55 0x01 */
	e = rec_msg(1, &js);
	ck_assert_int_eq(e->n_values, 10);
	ck_assert_uint_eq(e->values[0].index, 16);
	ck_assert(e->values[0].value == 1 && e->values[1].value == 0);
	ck_assert(e->values[8].value == 1 && e->values[9].value == 0);
	ck_assert_msg(json_has(js, "\"values\":[1,0,1,0,1,0,1,0,1,0]"), "%s", js);
	send_pdu(st, 1, 2, 1, rq15, sizeof(rq15)); /* 10 coils from 19: cd 01 */
	e = rec_msg(2, &js);
	ck_assert_int_eq(e->n_values, 10);
	ck_assert_uint_eq(e->values[0].index, 19);
	ck_assert(json_has(js, "\"values\":[1,0,1,1,0,0,1,1,1,0]"));
	ck_assert(json_has(js, "\"byte_count\":2"));
	send_pdu(st, 1, 3, 1, rq5, sizeof(rq5));
	e = rec_msg(3, &js);
	ck_assert_int_eq(e->n_values, 1);
	ck_assert(e->values[0].value == 1);
	ck_assert_uint_eq(e->values[0].index, 7);
	ck_assert(json_has(js, "\"raw_value\":65280"));
	send_pdu(st, 1, 4, 1, rq16, sizeof(rq16));
	e = rec_msg(4, &js);
	ck_assert_int_eq(e->cat, OT_CAT_WRITE);
	ck_assert_int_eq(e->n_values, 2);
	ck_assert(e->values[1].value == 0x102);
	ck_assert(json_has(js, "\"values\":[10,258]"));
	ck_assert_int_eq(rec.n_anom, 0);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(read_write_multiple_and_fifo)
{
	void *st = mb_new();
	const struct ot_event *e;
	const char *js;

	send_pdu(st, 1, 5, 1, rq23, sizeof(rq23));
	e = rec_msg(0, &js);
	ck_assert_int_eq(e->n_ranges, 2);
	ck_assert_uint_eq(e->ranges[0].start, 3);
	ck_assert_uint_eq(e->ranges[1].start, 14);
	ck_assert_int_eq(e->n_values, 3);
	ck_assert_uint_eq(e->values[2].index, 16);
	ck_assert(json_has(js, "\"read_address\":3"));
	ck_assert(json_has(js, "\"write_quantity\":3"));
	send_pdu(st, 0, 5, 1, rs23, sizeof(rs23));
	e = rec_msg(1, &js);
	ck_assert_int_eq(e->n_values, 6);
	ck_assert_uint_eq(e->values[0].index, 3);
	ck_assert(e->values[1].value == 0x0acd);
	send_pdu(st, 1, 6, 1, rq24, sizeof(rq24));
	send_pdu(st, 0, 6, 1, rs24, sizeof(rs24));
	e = rec_msg(3, &js);
	ck_assert(json_has(js, "\"fifo_count\":2"));
	ck_assert_int_eq(e->n_ranges, 1);
	ck_assert_int_eq(e->ranges[0].space, OT_SPACE_MB_FIFO);
	ck_assert_uint_eq(e->ranges[0].start, 0x4de);
	ck_assert_int_eq(e->n_values, 2);
	ck_assert(e->values[1].value == 0x1284);
	ck_assert_int_eq(rec.n_anom, 0);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(file_records)
{
	void *st = mb_new();
	const struct ot_event *e;
	const char *js;

	send_pdu(st, 1, 1, 1, rq20, sizeof(rq20));
	e = rec_msg(0, &js);
	ck_assert_int_eq(e->n_ranges, 2);
	ck_assert_int_eq(e->ranges[0].space, OT_SPACE_MB_FILE);
	ck_assert_uint_eq(e->ranges[0].block, 4);
	ck_assert_uint_eq(e->ranges[0].start, 1);
	ck_assert_uint_eq(e->ranges[0].count, 2);
	ck_assert_uint_eq(e->ranges[1].block, 3);
	ck_assert_uint_eq(rec_mb(0)->n_files, 2);
	ck_assert_uint_eq(rec_mb(0)->files[1].file_number, 3);
	ck_assert_uint_eq(rec_mb(0)->files[0].reference_type, 6);
	ck_assert(json_has(js, "\"file_number\":3"));
	send_pdu(st, 1, 2, 1, rq21, sizeof(rq21));
	e = rec_msg(1, NULL);
	ck_assert_int_eq(e->n_values, 3);
	ck_assert_uint_eq(e->values[0].block, 4);
	ck_assert_uint_eq(e->values[0].index, 7);
	ck_assert(e->values[2].value == 0x100d);
	ck_assert_int_eq(rec.n_anom, 0);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(device_identification)
{
	void *st = mb_new();
	const struct ot_event *e;
	const char *js;
	static const uint8_t more[] = { 43, 14, 3, 0x83, 0xff, 0x05, 2,
					0x04, 3, 'X', 'Y', 'Z',
					0x81, 2, 0xc3, 0x28 };  /* invalid UTF-8 */

	send_pdu(st, 1, 1, 1, rq43, sizeof(rq43));
	send_pdu(st, 0, 1, 1, rs43, sizeof(rs43));
	e = rec_msg(1, &js);
	ck_assert_int_eq(e->cat, OT_CAT_IDENTITY);
	ck_assert_int_eq(e->subfunc, 14);
	ck_assert_int_eq(e->n_ident, 3);
	ck_assert_int_eq(e->ident[0].key, OT_ID_VENDOR);
	ck_assert_str_eq(e->ident[0].value, "Acme");
	ck_assert_int_eq(e->ident[1].key, OT_ID_PRODUCT_CODE);
	ck_assert_int_eq(e->ident[2].key, OT_ID_FIRMWARE);
	ck_assert_str_eq(e->ident[2].value, "V2.1");
	ck_assert_msg(json_has(js, "\"name\":\"vendor_name\""), "%s", js);
	ck_assert(json_has(js, "\"value\":\"PLC\""));
	ck_assert(json_has(js, "\"more_follows\":false"));
	ck_assert(json_has(js, "\"mei_type\":14"));
	send_pdu(st, 1, 2, 1, rq43, sizeof(rq43));
	send_pdu(st, 0, 2, 1, more, sizeof(more));
	e = rec_msg(3, &js);
	ck_assert_int_eq(e->n_ident, 1);
	ck_assert_int_eq(e->ident[0].key, OT_ID_PRODUCT);
	ck_assert_msg(json_has(js, "\"more_follows\":true"), "%s", js);
	ck_assert(json_has(js, "\"next_object_id\":5"));
	ck_assert(json_has(js, "\"name\":\"other\""));
	ck_assert(json_has(js, "\"value\":\"c328\""));       /* hex fallback */
	ck_assert_int_eq(rec.n_anom, 0);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(diagnostic_subfunctions)
{
	static const struct { uint16_t sub; enum ot_category cat; const char *name; } t[] = {
		{ 0, OT_CAT_DIAGNOSTIC, "return_query_data" },
		{ 1, OT_CAT_MODE, "restart_communications" },
		{ 2, OT_CAT_DIAGNOSTIC, "return_diagnostic_register" },
		{ 3, OT_CAT_DIAGNOSTIC, "change_ascii_input_delimiter" },
		{ 4, OT_CAT_MODE, "force_listen_only_mode" },
		{ 10, OT_CAT_DIAGNOSTIC, "clear_counters_and_diagnostic_register" },
		{ 14, OT_CAT_DIAGNOSTIC, "return_server_message_count" },
		{ 18, OT_CAT_DIAGNOSTIC, "return_bus_character_overrun_count" },
		{ 20, OT_CAT_DIAGNOSTIC, "clear_overrun_counter_and_flag" },
		{ 99, OT_CAT_DIAGNOSTIC, "unknown" },
	};
	void *st = mb_new();
	unsigned i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t pdu[] = { 8, 0, (uint8_t)t[i].sub, 0xff, 0x00 };
		const struct ot_event *e;
		const char *js;

		send_pdu(st, 1, (uint16_t)i, 1, pdu, sizeof(pdu));
		e = rec_msg((int)i, &js);
		ck_assert_int_eq(e->subfunc, t[i].sub);
		ck_assert_int_eq(e->cat, t[i].cat);
		ck_assert_str_eq(e->subfunc_name, t[i].name);
		ck_assert(json_has(js, "\"value\":65280"));
	}
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(exception_response)
{
	void *st = mb_new();
	static const uint8_t exc[] = { 0x83, 0x02 };
	const struct ot_event *e;
	const char *js;

	send_pdu(st, 1, 1, 1, rq3, sizeof(rq3));
	send_pdu(st, 0, 1, 1, exc, sizeof(exc));
	e = rec_msg(1, &js);
	ck_assert_int_eq(e->func, 3);
	ck_assert_int_eq(e->status, 2);
	ck_assert_str_eq(e->status_name, "illegal_data_address");
	ck_assert_int_eq(e->cat, OT_CAT_READ);
	ck_assert_msg(json_has(js, "\"exception_code\":2"), "%s", js);
	ck_assert(json_has(js, "\"exception\":\"illegal_data_address\""));
	ck_assert(json_has(js, "\"function_code\":3"));
	ck_assert_int_eq(rec.n_anom, 0);
	/* an exception without its code byte */
	send_pdu(st, 1, 2, 1, rq3, sizeof(rq3));
	send_pdu(st, 0, 2, 1, exc, 1);
	ck_assert_int_eq(rec_anomalies("truncated_adu"), 1);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(exception_burst_rate_limited)
{
	void *st = mb_new();
	static const uint8_t exc[] = { 0x81, 0x01 };
	int i;

	for (i = 0; i < 30; i++) {
		ctx.ts.tv_sec = 2000 + i / 10;
		send_pdu(st, 1, (uint16_t)i, 1, rq1, sizeof(rq1));
		send_pdu(st, 0, (uint16_t)i, 1, exc, sizeof(exc));
	}
	ck_assert_int_eq(rec_anomalies("exception_burst"), 1);
	ctx.ts.tv_sec = 2100;           /* after the re-arm time */
	for (i = 0; i < 10; i++) {
		send_pdu(st, 1, (uint16_t)i, 1, rq1, sizeof(rq1));
		send_pdu(st, 0, (uint16_t)i, 1, exc, sizeof(exc));
	}
	ck_assert_int_eq(rec_anomalies("exception_burst"), 2);
	modbus_dissector.state_free(st);

	/* slow exceptions never burst */
	st = mb_new();
	for (i = 0; i < 40; i++) {
		ctx.ts.tv_sec = 3000 + i;
		send_pdu(st, 1, (uint16_t)i, 1, rq1, sizeof(rq1));
		send_pdu(st, 0, (uint16_t)i, 1, exc, sizeof(exc));
	}
	ck_assert_int_eq(rec_anomalies("exception_burst"), 0);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(invalid_function_codes)
{
	void *st = mb_new();
	static const uint8_t f0[] = { 0, 0, 0, 0, 0 };
	static const uint8_t f50[] = { 50 };
	static const uint8_t f127[] = { 127, 0x01 };

	send_pdu(st, 1, 1, 1, f0, sizeof(f0));
	send_pdu(st, 1, 2, 1, f50, sizeof(f50));
	send_pdu(st, 1, 3, 1, f127, sizeof(f127));
	send_pdu(st, 1, 4, 1, rq65, sizeof(rq65));     /* user-defined: fine */
	ck_assert_int_eq(rec.n_msg, 4);
	ck_assert_int_eq(rec_anomalies("invalid_function_code"), 3);
	ck_assert_str_eq(rec_msg(1, NULL)->func_name, "unknown");
	ck_assert_str_eq(rec_msg(3, NULL)->func_name, "user_defined");
	ck_assert(json_has(rec.ev[rec.n - 1].json, "\"data_length\":2"));
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(malformed_counts)
{
	void *st = mb_new();
	static const uint8_t q0[] = { 3, 0, 0, 0, 0 };
	static const uint8_t q126[] = { 4, 0, 0, 0, 126 };
	static const uint8_t bc_bad[] = { 16, 0, 1, 0, 2, 3, 0, 1, 0 };
	static const uint8_t bc_over[] = { 15, 0, 1, 0, 16, 9, 0xff, 0xff };
	static const uint8_t resp_bc[] = { 3, 200, 0, 1 };

	send_pdu(st, 1, 1, 1, q0, sizeof(q0));
	send_pdu(st, 1, 2, 1, q126, sizeof(q126));
	ck_assert_int_eq(rec_anomalies("invalid_quantity"), 2);
	send_pdu(st, 1, 3, 1, bc_bad, sizeof(bc_bad));
	ck_assert_int_eq(rec_anomalies("length_mismatch"), 1);
	send_pdu(st, 1, 4, 1, bc_over, sizeof(bc_over));
	ck_assert_int_eq(rec_anomalies("length_mismatch"), 2);
	ck_assert_int_eq(rec_msg(3, NULL)->n_values, 16);
	send_pdu(st, 0, 1, 1, resp_bc, sizeof(resp_bc));
	ck_assert_int_eq(rec_anomalies("length_mismatch"), 3);
	ck_assert_int_eq(rec.n_msg, 5);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(invalid_values)
{
	void *st = mb_new();
	static const uint8_t coil[] = { 5, 0, 1, 0x12, 0x34 };
	static const uint8_t fileref[] = { 20, 7, 7, 0, 1, 0, 2, 0, 3 };
	static const uint8_t devid[] = { 43, 14, 9, 0 };
	static const uint8_t devresp[] = { 43, 14, 1, 1, 0x4d, 0, 0 };
	static const uint8_t fifo[] = { 24, 0, 2, 0, 40 };
	static const uint8_t rw[] = { 23, 0, 0, 0, 1, 0, 0, 0, 2, 2, 0, 1 };
	static const uint8_t rwresp[] = { 23, 4, 0, 1, 0, 2 };

	send_pdu(st, 1, 1, 1, coil, sizeof(coil));
	ck_assert(rec_msg(0, NULL)->values[0].value == 0);
	send_pdu(st, 1, 2, 1, fileref, sizeof(fileref));
	send_pdu(st, 1, 3, 1, devid, sizeof(devid));
	send_pdu(st, 0, 3, 1, devresp, sizeof(devresp));
	ck_assert_int_eq(rec_anomalies("invalid_value"), 4);
	send_pdu(st, 0, 4, 1, fifo, sizeof(fifo));
	ck_assert_int_eq(rec_anomalies("invalid_quantity"), 1);
	ck_assert_int_eq(rec_anomalies("length_mismatch"), 1);
	send_pdu(st, 1, 5, 1, rw, sizeof(rw));      /* 2 registers, 2 bytes */
	ck_assert_int_eq(rec_anomalies("length_mismatch"), 2);
	send_pdu(st, 0, 5, 1, rwresp, sizeof(rwresp)); /* 1 register read, 4 bytes */
	ck_assert_int_eq(rec_anomalies("length_mismatch"), 3);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(device_identification_all_objects)
{
	void *st = mb_new();
	static const uint8_t resp[] = { 43, 14, 3, 0x83, 0, 0, 8,
		0, 1, 'V', 1, 1, 'C', 2, 1, 'R', 3, 1, 'U',
		4, 1, 'P', 5, 1, 'M', 6, 1, 'A', 7, 1, 'X' };
	static const enum ot_ident_key want[] = { OT_ID_VENDOR, OT_ID_PRODUCT_CODE,
		OT_ID_FIRMWARE, OT_ID_URL, OT_ID_PRODUCT, OT_ID_MODEL, OT_ID_APP_NAME };
	const struct ot_event *e;
	const char *js;
	unsigned i;

	send_pdu(st, 1, 1, 1, rq43, sizeof(rq43));
	send_pdu(st, 0, 1, 1, resp, sizeof(resp));
	e = rec_msg(1, &js);
	ck_assert_int_eq(e->n_ident, 7);
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(e->ident[i].key, want[i]);
	ck_assert_str_eq(e->ident[6].value, "A");
	ck_assert_msg(json_has(js, "{\"id\":7,\"name\":\"reserved\",\"value\":\"X\"}"), "%s", js);
	ck_assert(json_has(js, "\"name\":\"user_application_name\""));
	ck_assert_int_eq(rec.n_anom, 0);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

/* Over UDP a datagram holds whole ADUs: a partial one is dropped at once. */
START_TEST(udp_datagrams)
{
	void *st = mb_new();
	uint8_t b[300];
	size_t n = adu(b, 1, 1, rq3, sizeof(rq3));

	ctx.is_udp = 1;
	feed(st, 1, b, n - 1);
	ck_assert_int_eq(rec_anomalies("truncated_adu"), 1);
	feed(st, 1, b, n);
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(rec.n_anom, 1);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

/* ---- pairing ---------------------------------------------------------- */

START_TEST(pairing_by_transaction_and_unit)
{
	void *st = mb_new();
	const struct ot_event *e;
	const char *js;

	send_pdu(st, 1, 10, 1, rq3, sizeof(rq3));
	send_pdu(st, 1, 11, 1, rq4, sizeof(rq4));
	send_pdu(st, 0, 10, 2, rs3, sizeof(rs3));      /* other unit */
	ck_assert_int_eq(rec_anomalies("response_without_request"), 1);
	e = rec_msg(2, &js);
	ck_assert(e->rtt < 0);
	ck_assert(!json_has(js, "response_time"));
	ck_assert_int_eq(e->n_values, 0);              /* index unknown */
	ck_assert(json_has(js, "\"values\":[4660,43981]"));
	send_pdu(st, 0, 11, 1, rs4, sizeof(rs4));      /* out of order */
	send_pdu(st, 0, 10, 1, rs3, sizeof(rs3));
	ck_assert_int_eq(rec_anomalies("response_without_request"), 1);
	ck_assert_uint_eq(rec_msg(3, NULL)->values[0].index, 1);
	ck_assert_uint_eq(rec_msg(4, NULL)->values[0].index, 100);
	send_pdu(st, 0, 10, 1, rs3, sizeof(rs3));      /* answered already */
	ck_assert_int_eq(rec_anomalies("response_without_request"), 2);
	send_pdu(st, 1, 12, 1, rq3, sizeof(rq3));
	send_pdu(st, 0, 12, 1, rs4, sizeof(rs4));
	ck_assert_int_eq(rec_anomalies("function_mismatch"), 1);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(pending_cap)
{
	void *st;
	int i;

	recorder_start(&rec, &modbus_dissector, sizeof(struct modbus_record), REC_MAX, &ctx);
	rec.lim.max_pending = 4;
	ctx.want_detail = 0;
	ctx.ts.tv_sec = 0;
	st = modbus_dissector.state_new(&rec.lim);
	for (i = 0; i < 6; i++)
		send_pdu(st, 1, (uint16_t)i, 1, rq3, sizeof(rq3));
	ck_assert_int_eq(rec_anomalies("too_many_pending"), 1);
	ck_assert_ptr_null(rec.ev[0].json);               /* no detail wanted */
	for (i = 0; i < 6; i++)
		send_pdu(st, 0, (uint16_t)i, 1, rs3, sizeof(rs3));
	/* the two oldest were dropped */
	ck_assert_int_eq(rec_anomalies("response_without_request"), 2);
	ck_assert(rec_msg(6, NULL)->rtt < 0);
	ck_assert(rec_msg(7, NULL)->rtt < 0);
	ck_assert(rec_msg(8, NULL)->rtt >= 0);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(values_cap)
{
	void *st = mb_new();
	uint8_t pdu[6 + 2 * 40];
	const struct ot_event *e;
	const char *js;
	int i;

	rec.lim.max_log_values = 4;
	modbus_dissector.state_free(st);
	st = modbus_dissector.state_new(&rec.lim);
	pdu[0] = 16; pdu[1] = 0; pdu[2] = 0; pdu[3] = 0; pdu[4] = 40; pdu[5] = 80;
	for (i = 0; i < 40; i++) {
		pdu[6 + 2 * i] = 0;
		pdu[7 + 2 * i] = (uint8_t)i;
	}
	send_pdu(st, 1, 1, 1, pdu, sizeof(pdu));
	e = rec_msg(0, &js);
	ck_assert_int_eq(e->n_values, OT_MAX_VALUES);
	ck_assert(e->truncated);
	ck_assert_uint_eq(rec_mb(0)->n_values, 40);        /* all counted */
	ck_assert_uint_eq(rec_mb(0)->max_log_values, 4);   /* four kept */
	ck_assert_msg(json_has(js, "\"values\":[0,1,2,3]"), "%s", js);
	ck_assert(json_has(js, "\"values_truncated\":true"));
	ck_assert_int_eq(rec.n_anom, 0);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

/* ---- stream ----------------------------------------------------------- */

START_TEST(stream_split_every_byte)
{
	void *st = mb_new();
	uint8_t b[600];
	size_t n = 0, i;

	n += adu(b + n, 1, 1, rq16, sizeof(rq16));
	n += adu(b + n, 2, 1, rq43, sizeof(rq43));
	for (i = 0; i < n; i++)
		feed(st, 1, b + i, 1);
	ck_assert_int_eq(rec.n_msg, 2);
	ck_assert_int_eq(rec.n_anom, 0);
	ck_assert_int_eq(rec_msg(1, NULL)->func, 43);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(stream_many_per_segment)
{
	void *st = mb_new();
	uint8_t b[2000];
	size_t n = 0;
	int i;

	for (i = 0; i < 50; i++)
		n += adu(b + n, (uint16_t)i, 1, rq3, sizeof(rq3));
	n += adu(b + n, 99, 1, rq16, 4);        /* partial at the end... */
	feed(st, 1, b, n - 3);
	ck_assert_int_eq(rec.n_msg, 50);
	feed(st, 1, b + n - 3, 3);              /* ...completed */
	ck_assert_int_eq(rec.n_msg, 51);
	ck_assert_int_eq(rec_anomalies("truncated_adu"), 1); /* 4-byte FC16 */
	ck_assert_int_eq(rec_anomalies("not_modbus"), 0);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(stream_gap_then_resync)
{
	void *st = mb_new();
	uint8_t b[300];
	size_t n;

	memset(b, 0xaa, sizeof(b));
	n = adu(b, 1, 1, rq16, sizeof(rq16));
	feed(st, 1, b, 9);                      /* partial ADU */
	modbus_dissector.gap(&ctx, st, 100);
	feed(st, 1, b + 20, 10);                /* mid-ADU garbage after the gap */
	ck_assert_int_eq(rec.n_msg, 0);
	feed(st, 1, b, n);                      /* next ADU lines up again */
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(rec_anomalies("not_modbus"), 0);
	ck_assert_int_eq(rec.n_anom, 0);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(stream_partial_superseded)
{
	void *st = mb_new();
	uint8_t a[300], b[300];
	size_t na, nb;

	/* a header announcing more bytes than ever come, then a fresh ADU */
	na = adu(a, 1, 1, rq3, sizeof(rq3));
	a[5] = 37;
	nb = adu(b, 2, 1, rq4, sizeof(rq4));
	feed(st, 1, a, na);
	feed(st, 1, b, nb);
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(rec_msg(0, NULL)->func, 4);
	ck_assert_int_eq(rec_anomalies("truncated_adu"), 1);
	/* flow end with a partial ADU held */
	feed(st, 1, a, na);
	modbus_dissector.flow_end(&ctx, st);
	ck_assert_int_eq(rec_anomalies("truncated_adu"), 2);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(stream_not_modbus)
{
	void *st = mb_new();
	static const uint8_t junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	static const uint8_t zero_len[] = { 0, 1, 0, 0, 0, 0, 1, 3 };
	uint8_t b[300];
	size_t n = adu(b, 5, 1, rq3, sizeof(rq3));
	int i;

	feed(st, 1, b, n);
	feed(st, 1, junk, sizeof(junk) - 1);
	feed(st, 1, junk, sizeof(junk) - 1);
	ck_assert_int_eq(rec_anomalies("not_modbus"), 1);
	ck_assert_int_eq(rec.n_msg, 1);
	feed(st, 1, b, n);                      /* recovers on the next delivery */
	ck_assert_int_eq(rec.n_msg, 2);
	feed(st, 1, zero_len, sizeof(zero_len));
	ck_assert_int_eq(rec.n_msg, 2);
	for (i = 0; i < 20; i++)
		feed(st, 0, junk, sizeof(junk) - 1);
	feed(st, 0, b, n);                      /* server side abandoned */
	ck_assert_int_eq(rec.n_msg, 2);
	ck_assert_int_eq(rec_anomalies("not_modbus"), 2);
	feed(st, 1, b, n);                      /* client side still decoded */
	ck_assert_int_eq(rec.n_msg, 3);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

/* An ADU whose MBAP length is shorter than its segment: the leftover is a
 * length mismatch, not a stream of another protocol. */
START_TEST(stream_short_length_leftover)
{
	void *st = mb_new();
	static const uint8_t seg[] = { 0, 1, 0, 0, 0, 5, 10, 42, 14, 4, 1, 1, 1, 0x23 };

	feed(st, 1, seg, sizeof(seg));
	feed(st, 1, seg, sizeof(seg));
	ck_assert_int_eq(rec.n_msg, 2);
	ck_assert_int_eq(rec_anomalies("length_mismatch"), 2);
	ck_assert_int_eq(rec_anomalies("not_modbus"), 0);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

/*
 * UMAS (FC 90): an engineering station's session as the public protocol
 * descriptions give it - init, reservation (the PLC hands out the session
 * key), program download, stop and start - each message's UMAS function,
 * category and log fields; a response takes its request's function.
 */
START_TEST(umas_session)
{
	static const struct {
		uint8_t key, func;
		const char *name;
		enum ot_category cat;
		uint8_t status;         /* of the response */
	} steps[] = {
		{ 0x00, 0x01, "init_comm", OT_CAT_SESSION, 0xfe },
		{ 0x00, 0x02, "read_id", OT_CAT_IDENTITY, 0xfe },
		{ 0x00, 0x10, "take_plc_reservation", OT_CAT_PROGRAM, 0xfe },
		{ 0x7b, 0x33, "initialize_download", OT_CAT_PROGRAM, 0xfe },
		{ 0x7b, 0x34, "download_block", OT_CAT_PROGRAM, 0xfe },
		{ 0x7b, 0x35, "end_strategy_download", OT_CAT_PROGRAM, 0xfe },
		{ 0x7b, 0x41, "stop_plc", OT_CAT_MODE, 0xfd },
		{ 0x7b, 0x40, "start_plc", OT_CAT_MODE, 0xfe },
		{ 0x7b, 0x23, "write_variables", OT_CAT_WRITE, 0xfe },
		{ 0x7b, 0x22, "read_variables", OT_CAT_READ, 0xfe },
		{ 0x7b, 0x11, "release_plc_reservation", OT_CAT_PROGRAM, 0xfe },
	};
	void *st = mb_new();
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		uint8_t q[] = { 90, steps[i].key, steps[i].func, 0x00, 0x01, 0xaa };
		uint8_t r[] = { 90, steps[i].key, steps[i].status, 0x7b };
		const struct ot_event *e;
		const struct modbus_record *m;
		const char *js;
		char want[160];

		recorder_clear(&rec);
		send_pdu(st, 1, (uint16_t)(100 + i), 1, q, sizeof(q));
		send_pdu(st, 0, (uint16_t)(100 + i), 1, r, sizeof(r));
		ck_assert_int_eq(rec.n_msg, 2);
		ck_assert_int_eq(rec.n_anom, 0);
		e = rec_msg(0, &js);
		m = rec_mb(0);
		ck_assert_int_eq(e->func, 90);
		ck_assert_int_eq(e->subfunc, steps[i].func);
		ck_assert_str_eq(e->subfunc_name, steps[i].name);
		ck_assert_int_eq(e->cat, steps[i].cat);
		ck_assert_uint_eq(m->umas_session_key, steps[i].key);
		ck_assert_uint_eq(m->umas_func, steps[i].func);
		snprintf(want, sizeof(want),
			 "\"umas\":{\"function\":\"%s\",\"function_code\":%u,\"session_key\":%u}",
			 steps[i].name, steps[i].func, steps[i].key);
		ck_assert_msg(json_has(js, want), "%s not in %s", want, js);
		ck_assert_msg(json_has(js, "\"data\":\"0001aa\""), "%s", js);
		ck_assert_msg(json_has(js, "\"data_length\":3"), "%s", js);
		/* the response: its status, its request's function */
		e = rec_msg(1, &js);
		ck_assert_int_eq(e->subfunc, steps[i].func);
		ck_assert_int_eq(e->cat, steps[i].cat);
		ck_assert_uint_eq(rec_mb(1)->umas_status, steps[i].status);
		snprintf(want, sizeof(want),
			 "\"umas\":{\"function\":\"%s\",\"function_code\":%u,\"session_key\":%u,"
			 "\"status\":\"%s\",\"status_code\":%u}",
			 steps[i].name, steps[i].func, steps[i].key,
			 steps[i].status == 0xfe ? "ok" : "error", steps[i].status);
		ck_assert_msg(json_has(js, want), "%s not in %s", want, js);
	}
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

/* Unknown UMAS function and status bytes are flagged; a response with no
 * request names no function; a bare function code is truncated. */
START_TEST(umas_malformed)
{
	void *st = mb_new();
	static const uint8_t q[] = { 90, 0x00, 0x99 };
	static const uint8_t r[] = { 90, 0x00, 0x42 };
	static const uint8_t bare[] = { 90 };
	const struct ot_event *e;
	const char *js;

	send_pdu(st, 1, 1, 1, q, sizeof(q));
	e = rec_msg(0, &js);
	ck_assert_int_eq(e->subfunc, 0x99);
	ck_assert_str_eq(e->subfunc_name, "unknown");
	ck_assert_int_eq(rec_anomalies("invalid_value"), 1);
	ck_assert_msg(json_has(js, "\"function\":\"unknown\",\"function_code\":153"), "%s", js);
	send_pdu(st, 0, 2, 1, r, sizeof(r));           /* no request 2 */
	e = rec_msg(1, &js);
	ck_assert_int_eq(e->subfunc, -1);
	ck_assert_int_eq(rec_anomalies("invalid_value"), 2);
	ck_assert_int_eq(rec_anomalies("response_without_request"), 1);
	ck_assert_msg(json_has(js, "\"umas\":{\"session_key\":0,\"status\":\"unknown\",\"status_code\":66}"), "%s", js);
	send_pdu(st, 1, 3, 1, bare, sizeof(bare));
	ck_assert_int_eq(rec_anomalies("truncated_adu"), 1);
	e = rec_msg(2, &js);
	ck_assert_int_eq(e->subfunc, -1);
	ck_assert_msg(!json_has(js, "\"umas\":{"), "%s", js);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(stream_length_limits)
{
	void *st = mb_new();
	uint8_t b[300], pdu[254];
	size_t n;

	memset(pdu, 0, sizeof(pdu));
	pdu[0] = 90;                            /* UMAS sends MBAP length 255 */
	n = adu(b, 1, 1, pdu, sizeof(pdu));
	ck_assert_uint_eq(b[5], 255);
	feed(st, 1, b, n);
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(rec_anomalies("oversized_pdu"), 1);
	b[4] = 1;                               /* length 261: not Modbus */
	b[5] = 5;
	feed(st, 1, b, n);
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(rec_anomalies("not_modbus"), 1);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

/* An exception sent by the connection's client is still a response. */
START_TEST(exception_from_client_side)
{
	void *st = mb_new();
	static const uint8_t exc[] = { 0x81, 0x06 };
	const struct ot_event *e;

	send_pdu(st, 1, 1, 10, exc, sizeof(exc));
	e = rec_msg(0, NULL);
	ck_assert_int_eq(e->dir, OT_DIR_RESPONSE);
	ck_assert_int_eq(e->status, 6);
	ck_assert_int_eq(rec_anomalies("response_without_request"), 1);
	ck_assert_int_eq(rec_anomalies("invalid_function_code"), 0);
	modbus_dissector.state_free(st);
	recorder_clear(&rec);
}
END_TEST

START_TEST(state_free_null)
{
	modbus_dissector.state_free(NULL);
	modbus_dissector.gap(&ctx, NULL, 10);
	modbus_dissector.flow_end(&ctx, NULL);
	modbus_dissector.parse(&ctx, NULL, (const uint8_t *)"x", 1);
	ck_assert_ptr_eq(dissector_by_name("modbus"), &modbus_dissector);
	ck_assert_ptr_eq(dissector_by_proto(OT_PROTO_MODBUS), &modbus_dissector);
}
END_TEST

/* ---- probe ------------------------------------------------------------ */

START_TEST(probe_mbap)
{
	uint8_t b[300] = { 0 };
	size_t n = adu(b, 1, 1, rq3, sizeof(rq3));
	static const uint8_t tpkt[] = { 3, 0, 0, 22, 17, 0xe0, 0, 0, 0, 1, 0 };
	static const uint8_t dnp3[] = { 0x05, 0x64, 0x05, 0xc9, 0x01, 0x00, 0x00, 0x04 };
	static const uint8_t sweep0[] = { 0, 0, 0, 0, 0, 6, 1, 0, 0, 0, 0, 0 };
	static const uint8_t exc[] = { 0, 0, 0, 0, 0, 3, 1, 0x83, 2 };

	ck_assert_int_eq(modbus_dissector.probe(b, n, 1), PROBE_MINE);
	ck_assert_int_eq(modbus_dissector.probe(b, 8, 1), PROBE_MINE);
	ck_assert_int_eq(modbus_dissector.probe(b, 5, 1), PROBE_NEED_MORE);
	ck_assert_int_eq(modbus_dissector.probe(b, 0, 1), PROBE_NEED_MORE);
	ck_assert_int_eq(modbus_dissector.probe(tpkt, sizeof(tpkt), 1), PROBE_NOT_MINE);
	ck_assert_int_eq(modbus_dissector.probe(dnp3, sizeof(dnp3), 1), PROBE_NOT_MINE);
	ck_assert_int_eq(modbus_dissector.probe(sweep0, sizeof(sweep0), 1), PROBE_MINE);
	ck_assert_int_eq(modbus_dissector.probe(sweep0, 10, 1), PROBE_NEED_MORE);
	ck_assert_int_eq(modbus_dissector.probe(exc, sizeof(exc), 0), PROBE_MINE);
	ck_assert_int_eq(modbus_dissector.probe(exc, sizeof(exc), 1), PROBE_MINE);
	b[5] = 1;               /* length 1: below the minimum */
	ck_assert_int_eq(modbus_dissector.probe(b, n, 1), PROBE_NOT_MINE);
	b[5] = 6;
	b[7] = 50;              /* unknown function, not ADU-aligned */
	ck_assert_int_eq(modbus_dissector.probe(b, n + 1, 1), PROBE_NOT_MINE);
}
END_TEST

static Suite *modbus_suite(void)
{
	Suite *s = suite_create("modbus");
	TCase *tc = tcase_create("functions");

	tcase_add_loop_test(tc, function_code_valid, 0, N_VECS);
	tcase_add_loop_test(tc, function_code_prefixes, 0, N_VECS);
	tcase_add_loop_test(tc, function_code_trailing, 0, N_VECS);
	tcase_add_test(tc, read_holding_values_pair_with_address);
	tcase_add_test(tc, coils_bits_and_writes);
	tcase_add_test(tc, read_write_multiple_and_fifo);
	tcase_add_test(tc, file_records);
	tcase_add_test(tc, device_identification);
	tcase_add_test(tc, diagnostic_subfunctions);
	tcase_add_test(tc, exception_response);
	tcase_add_test(tc, invalid_function_codes);
	tcase_add_test(tc, malformed_counts);
	tcase_add_test(tc, invalid_values);
	tcase_add_test(tc, device_identification_all_objects);
	tcase_add_test(tc, udp_datagrams);
	tcase_add_test(tc, umas_session);
	tcase_add_test(tc, umas_malformed);
	suite_add_tcase(s, tc);
	tc = tcase_create("pairing");
	tcase_add_test(tc, pairing_by_transaction_and_unit);
	tcase_add_test(tc, pending_cap);
	tcase_add_test(tc, values_cap);
	tcase_add_test(tc, exception_burst_rate_limited);
	suite_add_tcase(s, tc);
	tc = tcase_create("stream");
	tcase_add_test(tc, stream_split_every_byte);
	tcase_add_test(tc, stream_many_per_segment);
	tcase_add_test(tc, stream_gap_then_resync);
	tcase_add_test(tc, stream_partial_superseded);
	tcase_add_test(tc, stream_not_modbus);
	tcase_add_test(tc, stream_short_length_leftover);
	tcase_add_test(tc, stream_length_limits);
	tcase_add_test(tc, exception_from_client_side);
	tcase_add_test(tc, state_free_null);
	tcase_add_test(tc, probe_mbap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(modbus_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
