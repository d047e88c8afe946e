/*
 * check_enip.c - the EtherNet/IP + CIP dissector: record fields of valid
 * messages, every truncated prefix, malformed input, limits, pairing,
 * connections, implicit I/O and stream framing.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dissector.h"
#include "enip.h"
#include "keyword.h"
#include "recorder.h"

extern const struct dissector enip_dissector;

#define REC_MAX 512

static struct recorder rec;
static struct enip_record r;    /* large: not on the test's stack */

static int rec_anomalies(const char *reason)
{
	return recorder_anomalies(&rec, reason);
}

/* The i-th message event and its record (asserted present), or NULL. */
static const struct ot_event *rec_msg(int i, const struct enip_record **record)
{
	const struct recorded *m = recorder_msg(&rec, i);

	if (m && record) {
		*record = m->ev.record;
		ck_assert_ptr_nonnull(*record);
	}
	return m ? &m->ev : NULL;
}

static struct dissect_ctx ctx;

static void *st_new(void)
{
	recorder_start(&rec, &enip_dissector, sizeof(struct enip_record), REC_MAX, &ctx);
	return enip_dissector.state_new(&rec.lim);
}

static void feed(void *st, int from_client, const uint8_t *b, size_t n)
{
	ctx.from_client = (uint8_t)from_client;
	enip_dissector.parse(&ctx, st, b, n);
}

static void put16(uint8_t *p, unsigned v) { p[0] = v & 0xff; p[1] = (v >> 8) & 0xff; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

/* Encapsulation header + data; returns the message length. */
static size_t encap(uint8_t *out, unsigned cmd, uint32_t session, uint32_t status,
		    uint8_t ctxbyte, const uint8_t *data, size_t n)
{
	memset(out, 0, 24);
	put16(out, cmd);
	put16(out + 2, (unsigned)n);
	put32(out + 4, session);
	put32(out + 8, status);
	out[12] = ctxbyte;
	if (n)
		memcpy(out + 24, data, n);
	return 24 + n;
}

/* SendRRData (unconnected) carrying one CIP message. */
static size_t rr(uint8_t *out, uint8_t ctxbyte, const uint8_t *cip, size_t n)
{
	uint8_t d[600];

	memset(d, 0, 16);
	put16(d + 6, 2);                /* item count */
	put16(d + 8, ENIP_ITEM_NULL);
	put16(d + 10, 0);
	put16(d + 12, ENIP_ITEM_UNCONNECTED_DATA);
	put16(d + 14, (unsigned)n);
	memcpy(d + 16, cip, n);
	return encap(out, ENIP_CMD_SEND_RR_DATA, 0x11223344, 0, ctxbyte, d, 16 + n);
}

/* SendUnitData (connected) with connection id and sequence count. */
static size_t unit(uint8_t *out, uint32_t conn, uint16_t seq, const uint8_t *cip, size_t n)
{
	uint8_t d[600];

	memset(d, 0, 20);
	put16(d + 6, 2);
	put16(d + 8, ENIP_ITEM_CONNECTED_ADDR);
	put16(d + 10, 4);
	put32(d + 12, conn);
	put16(d + 16, ENIP_ITEM_CONNECTED_DATA);
	put16(d + 18, (unsigned)(n + 2));
	put16(d + 20, seq);
	memcpy(d + 22, cip, n);
	return encap(out, ENIP_CMD_SEND_UNIT_DATA, 0x11223344, 0, 0, d, 22 + n);
}

/* A SendRRData request from the client, then its reply (same context). */
static void feed_rr_pair(void *st, uint8_t ctxbyte, const uint8_t *req, size_t nreq,
			 const uint8_t *resp, size_t nresp)
{
	uint8_t m[700];

	feed(st, 1, m, rr(m, ctxbyte, req, nreq));
	feed(st, 0, m, rr(m, ctxbyte, resp, nresp));
}

/* Get_Attribute_Single Identity instance 1 attribute 7; its answer. */
static const uint8_t gas_req[] = { 0x0e, 0x03, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07 };
static const uint8_t gas_resp[] = { 0x8e, 0x00, 0x00, 0x00, 5, 'P', 'L', 'C', '-', '5' };

/* Identity Get_Attribute_All answer. */
static const uint8_t gaa_resp[] = {
	0x81, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x0e, 0x00, 0x36, 0x00, 20, 11, 0x60, 0x30,
	0x78, 0x56, 0x34, 0x12, 11, '1', '7', '5', '6', '-', 'L', '6', '1', '/', 'B', ' ', 3
};
static const uint8_t gaa_req[] = { 0x01, 0x02, 0x20, 0x01, 0x24, 0x01 };

/* ListIdentity reply item. */
static size_t list_identity_reply(uint8_t *out)
{
	uint8_t d[128];
	size_t n = 0, item;

	put16(d, 1);
	put16(d + 2, ENIP_ITEM_IDENTITY);
	n = 6;
	put16(d + n, 1); n += 2;                        /* encap version */
	d[n++] = 0; d[n++] = 2;                         /* AF_INET, big-endian */
	d[n++] = 0xaf; d[n++] = 0x12;                   /* 44818 */
	d[n++] = 10; d[n++] = 1; d[n++] = 2; d[n++] = 3;
	memset(d + n, 0, 8); n += 8;
	memcpy(d + n, gaa_resp + 4, sizeof(gaa_resp) - 4); n += sizeof(gaa_resp) - 4;
	item = n - 6;
	put16(d + 4, (unsigned)item);
	return encap(out, ENIP_CMD_LIST_IDENTITY, 0, 0, 7, d, n);
}

/* ---- valid messages --------------------------------------------------- */

START_TEST(list_identity_reply_record)
{
	uint8_t m[200];
	size_t n = list_identity_reply(m);

	ck_assert_int_eq(enip_parse_message(m, n, 0, NULL, &r), 0);
	ck_assert_uint_eq(r.command, ENIP_CMD_LIST_IDENTITY);
	ck_assert_uint_eq(r.item_count, 1);
	ck_assert_uint_eq(r.items[0].type, ENIP_ITEM_IDENTITY);
	ck_assert(r.ident.present);
	ck_assert_uint_eq(r.ident.vendor, 1);
	ck_assert_uint_eq(r.ident.device_type, 14);
	ck_assert_uint_eq(r.ident.product_code, 0x36);
	ck_assert_uint_eq(r.ident.rev_major, 20);
	ck_assert_uint_eq(r.ident.rev_minor, 11);
	ck_assert_uint_eq(r.ident.status, 0x3060);
	ck_assert_uint_eq(r.ident.serial, 0x12345678);
	ck_assert_str_eq(r.ident.product_name, "1756-L61/B ");
	ck_assert_int_eq(r.ident.state, 3);
	ck_assert_uint_eq(r.ident.sock_port, 44818);
	ck_assert_uint_eq(r.ident.sock_addr[3], 3);
	ck_assert_int_eq(r.n_anom, 0);
}
END_TEST

START_TEST(list_identity_event_ident)
{
	uint8_t m[200];
	size_t n = list_identity_reply(m);
	void *st = st_new();
	const struct ot_event *ev;

	ctx.is_udp = 1;
	feed(st, 0, m, n);
	ev = rec_msg(0, NULL);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->proto, OT_PROTO_ENIP);
	ck_assert_int_eq(ev->cat, OT_CAT_DISCOVERY);
	ck_assert_str_eq(recorder_ident(ev, OT_ID_VENDOR), "Rockwell Automation/Allen-Bradley");
	ck_assert_str_eq(recorder_ident(ev, OT_ID_PRODUCT), "1756-L61/B");
	ck_assert_str_eq(recorder_ident(ev, OT_ID_SERIAL), "0x12345678");
	ck_assert_str_eq(recorder_ident(ev, OT_ID_FIRMWARE), "20.011");
	ck_assert_str_eq(recorder_ident(ev, OT_ID_MODULE), "Programmable Logic Controller");
	enip_dissector.state_free(st);
}
END_TEST

START_TEST(request_path_and_identity_answer_paired)
{
	uint8_t m[700];
	size_t n;
	void *st = st_new();
	const struct ot_event *ev;
	const struct enip_record *er = NULL;

	n = rr(m, 0x42, gas_req, sizeof(gas_req));
	ck_assert_int_eq(enip_parse_message(m, n, 1, NULL, &r), 0);
	ck_assert_uint_eq(r.n_cip, 1);
	ck_assert_uint_eq(r.cip[0].service, 0x0e);
	ck_assert_int_eq(r.cip[0].path.class_id, 1);
	ck_assert_int_eq(r.cip[0].path.instance, 1);
	ck_assert_int_eq(r.cip[0].path.attribute, 7);
	ck_assert_int_eq(r.cip[0].cat, OT_CAT_IDENTITY);

	feed(st, 1, m, n);
	n = rr(m, 0x42, gas_resp, sizeof(gas_resp));
	feed(st, 0, m, n);
	ck_assert_int_eq(rec.n_msg, 2);
	ev = rec_msg(1, &er);
	ck_assert_int_eq(ev->dir, OT_DIR_RESPONSE);
	ck_assert_int_eq(ev->subfunc, 0x0e);
	ck_assert_int_eq(ev->group, 1);
	ck_assert_str_eq(recorder_ident(ev, OT_ID_PRODUCT), "PLC-5");
	ck_assert(ev->rtt >= 0);
	ck_assert(er->cip[0].path_from_request);
	ck_assert_int_eq(er->cip[0].path.class_id, 1);
	ck_assert_int_eq(er->cip[0].path.attribute, 7);
	ck_assert_int_eq(er->cip[0].status, 0);

	/* unpaired: the same answer without its request gives no identity */
	recorder_clear(&rec);
	feed(st, 0, m, n);
	ev = rec_msg(0, NULL);
	ck_assert_ptr_null(recorder_ident(ev, OT_ID_PRODUCT));
	enip_dissector.state_free(st);
}
END_TEST

START_TEST(get_attribute_all_identity)
{
	void *st = st_new();
	const struct ot_event *ev;

	feed_rr_pair(st, 9, gaa_req, sizeof(gaa_req), gaa_resp, sizeof(gaa_resp));
	ev = rec_msg(1, NULL);
	ck_assert_str_eq(recorder_ident(ev, OT_ID_PRODUCT_CODE), "54");
	ck_assert_str_eq(recorder_ident(ev, OT_ID_SERIAL), "0x12345678");
	ck_assert_str_eq(recorder_ident(ev, OT_ID_OTHER), "status 0x3060 state operational");
	enip_dissector.state_free(st);
}
END_TEST

START_TEST(get_attribute_list_identity)
{
	static const uint8_t gal_req[] = { 0x03, 0x02, 0x20, 0x01, 0x24, 0x01,
					   0x03, 0x00, 0x06, 0x00, 0x09, 0x00, 0x07, 0x00 };
	/* serial, attribute 9 in error (no value), name */
	static const uint8_t gal_resp[] = { 0x83, 0x00, 0x00, 0x00, 0x03, 0x00,
					    0x06, 0x00, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12,
					    0x09, 0x00, 0x14, 0x00,
					    0x07, 0x00, 0x00, 0x00, 0x03, 'A', 'B', 'C' };
	void *st = st_new();
	const struct enip_record *er = NULL;

	feed_rr_pair(st, 3, gal_req, sizeof(gal_req), gal_resp, sizeof(gal_resp));
	rec_msg(1, &er);
	ck_assert(er->ident.present);
	ck_assert_uint_eq(er->ident.fields, ENIP_IDF_SERIAL | ENIP_IDF_NAME);
	ck_assert_uint_eq(er->ident.serial, 0x12345678);
	ck_assert_str_eq(er->ident.product_name, "ABC");
	ck_assert_str_eq(recorder_ident(rec_msg(1, NULL), OT_ID_PRODUCT), "ABC");
	enip_dissector.state_free(st);
}
END_TEST

START_TEST(unconnected_send_embedded_and_route)
{
	/* Unconnected_Send to the Connection Manager, embedded Read Tag of a
	 * symbolic path "Tag1.X", route path port 1 slot 2 */
	static const uint8_t us[] = {
		0x52, 0x02, 0x20, 0x06, 0x24, 0x01,
		0x07, 0xe9, 14, 0x00,
		0x4c, 0x05, 0x91, 0x04, 'T', 'a', 'g', '1', 0x91, 0x01, 'X', 0x00, 0x01, 0x00,
		0x01, 0x00, 0x01, 0x02
	};
	uint8_t m[700];
	size_t n = rr(m, 1, us, sizeof(us));

	ck_assert_int_eq(enip_parse_message(m, n, 1, NULL, &r), 0);
	ck_assert_uint_eq(r.n_cip, 2);
	ck_assert_uint_eq(r.cip[0].service, 0x52);
	ck_assert_str_eq(r.cip[0].route, "1/2");
	ck_assert_uint_eq(r.cip[1].service, 0x4c);
	ck_assert(r.cip[1].embedded);
	ck_assert(r.cip[1].path.has_symbol);
	ck_assert_str_eq(r.cip[1].path.symbol, "Tag1.X");
	ck_assert_int_eq(r.cip[1].cat, OT_CAT_READ);
	ck_assert_int_eq(r.n_anom, 0);
}
END_TEST

/* Multiple Service Packet with n Get_Attribute_Single requests. */
static size_t msp(uint8_t *cip, unsigned n)
{
	size_t at, i;

	cip[0] = 0x0a; cip[1] = 0x02; cip[2] = 0x20; cip[3] = 0x02; cip[4] = 0x24; cip[5] = 0x01;
	put16(cip + 6, n);
	at = 8 + 2 * (size_t)n;
	for (i = 0; i < n; i++) {
		put16(cip + 8 + 2 * i, (unsigned)(at - 6));
		memcpy(cip + at, gas_req, sizeof(gas_req));
		cip[at + 7] = (uint8_t)(i + 1);        /* attribute */
		at += sizeof(gas_req);
	}
	return at;
}

START_TEST(multiple_service_packet_items)
{
	uint8_t cip[600], m[700];
	size_t n = rr(m, 1, cip, msp(cip, 3));

	ck_assert_int_eq(enip_parse_message(m, n, 1, NULL, &r), 0);
	ck_assert_uint_eq(r.n_cip, 4);
	ck_assert_uint_eq(r.cip[0].service, 0x0a);
	ck_assert(r.cip[1].in_msp && r.cip[2].in_msp && r.cip[3].in_msp);
	ck_assert_int_eq(r.cip[3].path.attribute, 3);
	ck_assert_int_eq(r.n_anom, 0);
}
END_TEST

/* A Multiple Service Packet answer whose services come in another order
 * than the request's: each takes the first unanswered request service of
 * its code, so every reply service gets its own request's path. */
START_TEST(msp_reply_out_of_order_paired)
{
	/* request: Get_Attribute_Single attr 1, Get_Attribute_List,
	 * Get_Attribute_Single attr 3 (all on class 0x64 instance 1) */
	static const uint8_t req[] = {
		0x0a, 0x02, 0x20, 0x02, 0x24, 0x01, 0x03, 0x00,
		0x08, 0x00, 0x10, 0x00, 0x1c, 0x00,
		0x0e, 0x03, 0x20, 0x64, 0x24, 0x01, 0x30, 0x01,
		0x03, 0x03, 0x20, 0x64, 0x24, 0x01, 0x30, 0x04, 0x01, 0x00, 0x06, 0x00,
		0x0e, 0x03, 0x20, 0x64, 0x24, 0x01, 0x30, 0x03,
	};
	/* reply: the list answer first, then the two single answers */
	static const uint8_t resp[] = {
		0x8a, 0x00, 0x00, 0x00, 0x03, 0x00,
		0x08, 0x00, 0x12, 0x00, 0x18, 0x00,
		0x83, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00,
		0x8e, 0x00, 0x00, 0x00, 0x05, 0x00,
		0x8e, 0x00, 0x00, 0x00, 0x07, 0x00,
	};
	void *st = st_new();
	const struct enip_record *er = NULL;

	feed_rr_pair(st, 5, req, sizeof(req), resp, sizeof(resp));
	ck_assert_int_eq(rec.n_msg, 2);
	rec_msg(0, &er);
	ck_assert_uint_eq(er->n_cip, 4);
	ck_assert_int_eq(er->n_anom, 0);
	rec_msg(1, &er);
	ck_assert_int_eq(er->n_anom, 0);
	ck_assert_uint_eq(er->n_cip, 4);
	ck_assert_uint_eq(er->cip[0].service, 0x0a);
	ck_assert_int_eq(er->cip[0].path.class_id, 2);
	ck_assert_uint_eq(er->cip[1].service, 0x03);
	ck_assert(er->cip[1].path_from_request);
	ck_assert_int_eq(er->cip[1].path.attribute, 4);
	ck_assert_uint_eq(er->cip[2].service, 0x0e);
	ck_assert_int_eq(er->cip[2].path.attribute, 1);
	ck_assert_uint_eq(er->cip[3].service, 0x0e);
	ck_assert(er->cip[3].path_from_request);
	ck_assert_int_eq(er->cip[3].path.attribute, 3);
	enip_dissector.state_free(st);
}
END_TEST

/* The event: a range per service (class, service, instance, attribute),
 * at most OT_MAX_RANGES of them, then marked truncated; the category of
 * the highest ranked service; the first failed service's status. */
START_TEST(event_ranges_category_status)
{
	/* a Get_Attribute_Single answer in error (0x14) after a good one */
	static const uint8_t resp[] = {
		0x8a, 0x00, 0x00, 0x00, 0x02, 0x00, 0x06, 0x00, 0x0c, 0x00,
		0x8e, 0x00, 0x00, 0x00, 0x05, 0x00,
		0x8e, 0x00, 0x14, 0x00,
	};
	uint8_t cip[600], m[700];
	size_t n = rr(m, 1, cip, msp(cip, OT_MAX_RANGES + 2));
	void *st = st_new();
	const struct ot_event *ev;

	feed(st, 1, m, n);
	ev = rec_msg(0, NULL);
	ck_assert_uint_eq(ev->n_ranges, OT_MAX_RANGES);
	ck_assert(ev->truncated);
	ck_assert_uint_eq(ev->ranges[0].variation, 0x0a);
	ck_assert_uint_eq(ev->ranges[0].block, 2);
	ck_assert_uint_eq(ev->ranges[3].space, OT_SPACE_CIP);
	ck_assert_uint_eq(ev->ranges[3].variation, 0x0e);
	ck_assert_uint_eq(ev->ranges[3].block, 1);
	ck_assert_uint_eq(ev->ranges[3].start, 1);
	ck_assert_uint_eq(ev->ranges[3].count, 3);
	ck_assert_int_eq(ev->cat, OT_CAT_IDENTITY);
	ck_assert_int_eq(ev->status, 0);

	recorder_clear(&rec);
	feed(st, 0, m, rr(m, 1, resp, sizeof(resp)));
	ev = rec_msg(0, NULL);
	ck_assert_uint_eq(ev->n_ranges, 3);
	ck_assert(!ev->truncated);
	ck_assert_int_eq(ev->status, 0x14);
	ck_assert_str_eq(ev->status_name, cip_status_name(0x14));
	enip_dissector.state_free(st);
}
END_TEST

/* The usual path shape decoded without the segment loop gives what the
 * loop gives: built paths of every length up to 8 from segment bytes that
 * make the shape often, with and without the shortcut. */
START_TEST(path_shortcut_matches_loop)
{
	static const uint8_t alphabet[] = { 0x20, 0x24, 0x30, 0x21, 0x25, 0x28, 0x2c, 0x34,
					    0x91, 0x00, 0x01, 0x07, 0xff };
	uint32_t x = 12345;
	unsigned i, k, shaped = 0;

	for (i = 0; i < 200000; i++) {
		uint8_t b[8];
		size_t len;
		struct cip_path fast, loop;
		int rf, rl;

		x = x * 1103515245u + 12345u;
		len = (x >> 16) % 9;
		if ((x >> 8) & 1)
			len = (x >> 9) & 1 ? 4 : 6;
		for (k = 0; k < len; k++) {
			x = x * 1103515245u + 12345u;
			b[k] = (x >> 20) & 1 ? alphabet[(x >> 16) % sizeof(alphabet)] : (uint8_t)(x >> 24);
		}
		if (len >= 4 && ((x >> 10) & 3) == 0) {      /* the shape, any values */
			b[0] = 0x20;
			b[2] = 0x24;
			if (len >= 6)
				b[4] = 0x30;
		}
		if ((len == 4 || len == 6) && b[0] == 0x20 && b[2] == 0x24 && (len == 4 || b[4] == 0x30))
			shaped++;
		enip_set_fast_paths(1);
		rf = cip_parse_path(len ? b : NULL, len, &fast);
		enip_set_fast_paths(0);
		rl = cip_parse_path(len ? b : NULL, len, &loop);
		enip_set_fast_paths(1);
		ck_assert_int_eq(rf, rl);
		ck_assert_int_eq(fast.class_id, loop.class_id);
		ck_assert_int_eq(fast.instance, loop.instance);
		ck_assert_int_eq(fast.attribute, loop.attribute);
		ck_assert_int_eq(fast.member, loop.member);
		ck_assert_int_eq(fast.conn_point, loop.conn_point);
		ck_assert_uint_eq(fast.n_segments, loop.n_segments);
		ck_assert_uint_eq(fast.bad, loop.bad);
		ck_assert_uint_eq(fast.has_symbol, loop.has_symbol);
		ck_assert_str_eq(fast.symbol, loop.symbol);
	}
	ck_assert_uint_gt(shaped, 10000);
}
END_TEST

/* Two records decode the same message alike: every member their flags
 * and counts say is set. */
static void records_equal(const struct enip_record *a, const struct enip_record *b)
{
	unsigned i;

	ck_assert_uint_eq(a->is_request, b->is_request);
	ck_assert_uint_eq(a->has_rr, b->has_rr);
	ck_assert_uint_eq(a->item_count, b->item_count);
	ck_assert_uint_eq(a->n_items, b->n_items);
	for (i = 0; i < a->n_items; i++) {
		ck_assert_uint_eq(a->items[i].type, b->items[i].type);
		ck_assert_uint_eq(a->items[i].length, b->items[i].length);
	}
	ck_assert_uint_eq(a->connected, b->connected);
	if (a->connected)
		ck_assert_uint_eq(a->conn_id, b->conn_id);
	ck_assert_uint_eq(a->has_sequenced, b->has_sequenced);
	ck_assert_uint_eq(a->has_cip_seq, b->has_cip_seq);
	if (a->has_cip_seq)
		ck_assert_uint_eq(a->cip_seq, b->cip_seq);
	ck_assert_uint_eq(a->n_anom, b->n_anom);
	for (i = 0; i < a->n_anom; i++) {
		ck_assert_str_eq(a->anom[i], b->anom[i]);
		ck_assert_str_eq(a->anom_detail[i], b->anom_detail[i]);
	}
	ck_assert_uint_eq(a->cip_total, b->cip_total);
	ck_assert_mem_eq(a->svc_seen, b->svc_seen, sizeof(a->svc_seen));
	ck_assert_uint_eq(a->n_cip, b->n_cip);
	for (i = 0; i < a->n_cip; i++) {
		const struct cip_service *x = &a->cip[i], *y = &b->cip[i];

		ck_assert_uint_eq(x->service, y->service);
		ck_assert_uint_eq(x->response, y->response);
		ck_assert_uint_eq(x->embedded, y->embedded);
		ck_assert_uint_eq(x->in_msp, y->in_msp);
		ck_assert_int_eq(x->status, y->status);
		ck_assert_uint_eq(x->n_ext, y->n_ext);
		ck_assert_uint_eq(x->data_len, y->data_len);
		ck_assert_int_eq(x->path.class_id, y->path.class_id);
		ck_assert_int_eq(x->path.instance, y->path.instance);
		ck_assert_int_eq(x->path.attribute, y->path.attribute);
		ck_assert_uint_eq(x->path.n_segments, y->path.n_segments);
		ck_assert_uint_eq(x->path.bad, y->path.bad);
		ck_assert_str_eq(x->route, y->route);
		ck_assert_int_eq(x->cat, y->cat);
	}
}

/* The usual common packet format decoded without the item loop gives the
 * record the loop gives: SendRRData and SendUnitData messages with a
 * Multiple Service Packet, their common packet format bytes (count, item
 * types and lengths, the sequence count) changed at random. */
START_TEST(cpf_shortcut_matches_loop)
{
	static struct enip_record fast, loop;
	uint8_t cip[600], m[700];
	size_t n, k = msp(cip, 3);
	uint32_t x = 777;
	unsigned i, shaped = 0;

	for (i = 0; i < 20000; i++) {
		int unit_data = i & 1, from_client, rf, rl;

		n = unit_data ? unit(m, 0x1234, (uint16_t)i, cip, k) : rr(m, 1, cip, k);
		x = x * 1103515245u + 12345u;
		if ((x >> 12) & 1) {    /* change one or two bytes of the items */
			unsigned at = 30 + (x >> 16) % (unit_data ? 14 : 10);

			m[at] = (uint8_t)(x >> 24);
			if ((x >> 13) & 1)
				m[30 + (x >> 20) % 10] ^= 1;
		}
		if (((x >> 14) & 7) == 0)       /* cut short */
			n -= (x >> 17) % 20;
		from_client = (x >> 15) & 1;
		memset(&fast, 0xaa, sizeof(fast));
		memset(&loop, 0x55, sizeof(loop));
		enip_set_fast_paths(1);
		rf = enip_parse_message(m, n, from_client, NULL, &fast);
		enip_set_fast_paths(0);
		rl = enip_parse_message(m, n, from_client, NULL, &loop);
		enip_set_fast_paths(1);
		ck_assert_int_eq(rf, rl);
		records_equal(&fast, &loop);
		shaped += fast.n_items == 2 && fast.n_anom == 0;
	}
	ck_assert_uint_gt(shaped, 5000);
}
END_TEST

START_TEST(services_cap)
{
	static uint8_t cip[20000], m[21000];
	size_t n, k;
	uint8_t d[20100];

	k = msp(cip, ENIP_MAX_CIP + 20);
	/* SendRRData by hand: the helper's buffer is small */
	memset(d, 0, 16);
	put16(d + 6, 2);
	put16(d + 12, ENIP_ITEM_UNCONNECTED_DATA);
	put16(d + 14, (unsigned)k);
	memcpy(d + 16, cip, k);
	n = encap(m, ENIP_CMD_SEND_RR_DATA, 1, 0, 0, d, 16 + k);
	ck_assert_int_eq(enip_parse_message(m, n, 1, NULL, &r), 0);
	ck_assert_uint_eq(r.n_cip, ENIP_MAX_CIP);
	ck_assert_uint_eq(r.cip_total, ENIP_MAX_CIP + 21);
}
END_TEST

START_TEST(forward_open_then_connected_data)
{
	static const uint8_t fo[] = {
		0x54, 0x02, 0x20, 0x06, 0x24, 0x01,
		0x0a, 0x0e, 0, 0, 0, 0, 0x78, 0x56, 0x34, 0x12,     /* O->T 0 (target picks), T->O */
		0x34, 0x12, 0x01, 0x00, 0xef, 0xbe, 0xad, 0xde,     /* serial, vendor, orig serial */
		0x01, 0, 0, 0,
		0x40, 0x42, 0x0f, 0x00, 0xf4, 0x43,                 /* O->T RPI 1 s, params */
		0x40, 0x42, 0x0f, 0x00, 0xf4, 0x43,                 /* T->O */
		0xa3, 0x02, 0x20, 0x02, 0x24, 0x01
	};
	static const uint8_t fo_reply[] = {
		0xd4, 0x00, 0x00, 0x00,
		0x11, 0x11, 0x11, 0x11, 0x78, 0x56, 0x34, 0x12,
		0x34, 0x12, 0x01, 0x00, 0xef, 0xbe, 0xad, 0xde,
		0x40, 0x42, 0x0f, 0x00, 0x40, 0x42, 0x0f, 0x00, 0x00, 0x00
	};
	uint8_t m[700];
	size_t n;
	void *st = st_new();
	uint64_t cnt[DISSECT_MAX_COUNTERS] = { 0 };
	const struct enip_record *er = NULL;

	n = rr(m, 5, fo, sizeof(fo));
	ck_assert_int_eq(enip_parse_message(m, n, 1, NULL, &r), 0);
	ck_assert(r.conn.present);
	ck_assert_uint_eq(r.conn.serial, 0x1234);
	ck_assert_uint_eq(r.conn.vendor, 1);
	ck_assert_uint_eq(r.conn.orig_serial, 0xdeadbeef);
	ck_assert_uint_eq(r.conn.ot_rpi, 1000000);
	ck_assert_uint_eq(r.conn.to_id, 0x12345678);
	ck_assert_uint_eq(r.conn.trigger, 0xa3);
	ck_assert_int_eq(r.conn.conn_path.class_id, 2);
	feed(st, 1, m, n);
	n = rr(m, 5, fo_reply, sizeof(fo_reply));
	feed(st, 0, m, n);
	ck_assert_int_eq(rec.n_anom, 0);

	/* connected Read Tag on the O->T id, its answer on T->O */
	n = unit(m, 0x11111111, 7, gas_req, sizeof(gas_req));
	feed(st, 1, m, n);
	n = unit(m, 0x12345678, 7, gas_resp, sizeof(gas_resp));
	feed(st, 0, m, n);
	ck_assert_int_eq(rec.n_msg, 4);
	ck_assert_int_eq(rec_msg(3, &er)->txn, 7);
	ck_assert(er->has_cip_seq);
	ck_assert_uint_eq(er->cip_seq, 7);
	ck_assert(er->connected);
	ck_assert_uint_eq(er->conn_id, 0x12345678);
	rec_msg(1, &er);
	ck_assert(er->conn.present);
	ck_assert_uint_eq(er->conn.ot_id, 0x11111111);
	ck_assert_uint_eq(er->conn.ot_api, 1000000);
	/* the reply's event: the connection facts of request and reply */
	ck_assert_int_eq(rec_msg(0, NULL)->conn.what, OT_CONN_NONE);
	{
		const struct ot_conn *k = &rec_msg(1, NULL)->conn;

		ck_assert_int_eq(k->what, OT_CONN_OPENED);
		ck_assert_uint_eq(k->ot_id, 0x11111111);
		ck_assert_uint_eq(k->to_id, 0x12345678);
		ck_assert_uint_eq(k->serial, 0x1234);
		ck_assert_uint_eq(k->orig_serial, 0xdeadbeef);
		ck_assert_uint_eq(k->ot_rpi, 1000000);
		ck_assert_uint_eq(k->to_rpi, 1000000);
		ck_assert_uint_eq(k->ot_size, 0x1f4);   /* 0x43f4: size in bits 0-8 */
		ck_assert_uint_eq(k->to_size, 0x1f4);
		ck_assert_uint_eq(k->transport_class, 3);
		ck_assert_uint_eq(k->trigger, 2);       /* application object */
		ck_assert_str_eq(k->path, "class 2/instance 1");
	}
	ck_assert_int_eq(rec_msg(2, NULL)->conn.what, OT_CONN_NONE);
	ck_assert_str_eq(recorder_ident(rec_msg(3, NULL), OT_ID_PRODUCT), "PLC-5");
	enip_dissector.counters(st, cnt);
	ck_assert_uint_eq(cnt[0], 4);           /* messages */
	ck_assert_uint_eq(cnt[4], 0);           /* unpaired */
	enip_dissector.state_free(st);
}
END_TEST

/* ---- truncation and malformed input --------------------------------- */

START_TEST(every_truncated_prefix)
{
	uint8_t cip[600], m[700];
	size_t n = rr(m, 1, cip, msp(cip, 3)), k;

	for (k = 0; k < n; k++) {
		int rc = enip_parse_message(m, k, 1, NULL, &r);

		if (k < ENIP_HEADER_LEN) {
			ck_assert_int_eq(rc, -1);
			continue;
		}
		ck_assert_int_eq(rc, 0);
		/* the header claims more than is there: always flagged */
		ck_assert_int_ge(r.n_anom, 1);
		ck_assert_str_eq(r.anom[0], "length_mismatch");
		ck_assert_uint_le(r.n_cip, 4);
	}
	/* as a stream: a prefix alone emits nothing, the rest completes it */
	for (k = 1; k < n; k++) {
		void *st = st_new();

		feed(st, 1, m, k);
		ck_assert_int_eq(rec.n_msg, 0);
		feed(st, 1, m + k, n - k);
		ck_assert_int_eq(rec.n_msg, 1);
		enip_dissector.state_free(st);
	}
}
END_TEST

START_TEST(malformed_inputs)
{
	static const uint8_t bad_path[] = { 0x0e, 0x02, 0xe0, 0x01, 0x24, 0x01 };
	static const uint8_t msp_bad[] = { 0x0a, 0x02, 0x20, 0x02, 0x24, 0x01, 0x02, 0x00,
					   0x06, 0x00, 0xff, 0x00 };
	static const uint8_t short_path[] = { 0x0e, 0x09, 0x20, 0x01 };
	uint8_t m[700];
	size_t n;

	n = rr(m, 1, bad_path, sizeof(bad_path));
	enip_parse_message(m, n, 1, NULL, &r);
	ck_assert(r.cip[0].path.bad);
	ck_assert_str_eq(r.anom[0], "bad_path");

	n = rr(m, 1, msp_bad, sizeof(msp_bad));
	enip_parse_message(m, n, 1, NULL, &r);
	ck_assert_str_eq(r.anom[0], "bad_msp");

	n = rr(m, 1, short_path, sizeof(short_path));
	enip_parse_message(m, n, 1, NULL, &r);
	ck_assert_str_eq(r.anom[0], "truncated_cip");

	/* unknown command and item length past the end */
	n = encap(m, 0x0042, 0, 0, 0, NULL, 0);
	enip_parse_message(m, n, 1, NULL, &r);
	ck_assert_str_eq(r.anom[0], "unknown_command");
	n = rr(m, 1, gas_req, sizeof(gas_req));
	put16(m + 24 + 14, 200);
	enip_parse_message(m, n, 1, NULL, &r);
	ck_assert_str_eq(r.anom[0], "length_mismatch");
	ck_assert_uint_eq(r.n_cip, 1);
}
END_TEST

START_TEST(stream_not_enip)
{
	static const uint8_t junk[64] = { 0x47, 0x45, 0x54, 0x20, 0x2f };
	void *st = st_new();
	int i;

	for (i = 0; i < 20; i++)
		feed(st, 1, junk, sizeof(junk));
	ck_assert_int_eq(rec_anomalies("not_enip"), 1);
	ck_assert_int_eq(rec.n_msg, 0);
	enip_dissector.state_free(st);
}
END_TEST

/* ---- stream cases ----------------------------------------------------- */

START_TEST(stream_split_every_byte)
{
	uint8_t cip[600], m[700];
	size_t n = rr(m, 1, cip, msp(cip, 5)), i;
	void *st = st_new();

	for (i = 0; i < n; i++)
		feed(st, 1, m + i, 1);
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(rec.n_anom, 0);
	ck_assert_int_eq(rec_msg(0, NULL)->n_ranges, 6);
	enip_dissector.state_free(st);
}
END_TEST

START_TEST(stream_several_per_segment)
{
	uint8_t m[3000];
	size_t n = 0;
	void *st = st_new();
	int i;

	for (i = 0; i < 5; i++)
		n += rr(m + n, (uint8_t)i, gas_req, sizeof(gas_req));
	n += encap(m + n, ENIP_CMD_NOP, 0, 0, 0, NULL, 0);
	feed(st, 1, m, n);
	ck_assert_int_eq(rec.n_msg, 6);
	ck_assert_int_eq(rec_msg(5, NULL)->func, ENIP_CMD_NOP);
	enip_dissector.state_free(st);
}
END_TEST

START_TEST(pending_cap_counted)
{
	uint8_t m[700];
	size_t n;
	void *st = st_new();
	uint64_t cnt[DISSECT_MAX_COUNTERS] = { 0 };
	int i;

	for (i = 0; i < 40; i++) {
		n = rr(m, (uint8_t)i, gas_req, sizeof(gas_req));
		feed(st, 1, m, n);
	}
	enip_dissector.counters(st, cnt);
	ck_assert_uint_eq(cnt[3], 40 - rec.lim.max_pending);
	ck_assert_int_eq(rec_anomalies("too_many_pending"), 1);
	enip_dissector.state_free(st);
}
END_TEST

START_TEST(io_counted_per_connection)
{
	uint8_t d[64];
	void *st = st_new();
	uint64_t cnt[DISSECT_MAX_COUNTERS] = { 0 };
	const struct enip_record *er = NULL;
	int i;

	ctx.is_udp = 1;
	for (i = 0; i < 100; i++) {
		memset(d, 0, sizeof(d));
		put16(d, 2);
		put16(d + 2, ENIP_ITEM_SEQUENCED_ADDR);
		put16(d + 4, 8);
		put32(d + 6, (i & 1) ? 0xaaaa : 0xbbbb);
		put32(d + 10, (uint32_t)(i / 2 + ((i & 1) && i > 50 ? 3 : 0)));
		put16(d + 14, ENIP_ITEM_CONNECTED_DATA);
		put16(d + 16, 6);
		ctx.ts.tv_usec = i * 1000;
		feed(st, i & 1, d, 24);
	}
	ck_assert_int_eq(rec.n_msg, 2);        /* each id's first packet, nothing per packet */
	ck_assert_uint_eq(rec_msg(0, NULL)->conn.packets, 1);
	ck_assert_uint_eq(rec_msg(1, NULL)->conn.packets, 1);
	recorder_clear(&rec);
	enip_dissector.flow_end(&ctx, st);
	ck_assert_int_eq(rec.n_msg, 2);
	rec_msg(0, &er);
	ck_assert(er->is_io);
	ck_assert_uint_eq(er->io.packets, 50);
	ck_assert_uint_eq(er->io.first_seq, 0);
	ck_assert_uint_eq(er->io.last_seq, 49);
	ck_assert(er->io.final);
	ck_assert_int_eq(rec_msg(0, NULL)->conn.what, OT_CONN_TRAFFIC);
	ck_assert_uint_eq(rec_msg(0, NULL)->conn.packets, 50);
	ck_assert(rec_msg(0, NULL)->conn.final);
	ck_assert(rec_msg(0, NULL)->conn.report_every > 0);
	rec_msg(1, &er);
	ck_assert_uint_eq(er->io.packets, 50);
	ck_assert_uint_eq(er->io.seq_gaps, 1);    /* the jump by 3 after packet 50 */
	{
		const struct ot_event *e0 = rec_msg(0, NULL), *e1 = rec_msg(1, NULL);

		/* each summary names its own connection and the end that sends it */
		ck_assert_uint_ne(e0->conn.id, e1->conn.id);
		ck_assert_int_eq(e0->from_client, e0->conn.id == 0xaaaa);
		ck_assert_int_eq(e1->from_client, e1->conn.id == 0xaaaa);
		ck_assert_uint_eq(e1->conn.seq_gaps, 1);
	}
	enip_dissector.counters(st, cnt);
	ck_assert_uint_eq(cnt[6], 100);
	enip_dissector.state_free(st);
}
END_TEST

/* The EtherNet/IP keywords read the message's record: their funcs() never
 * leave out a command on which match() passes, for every keyword value
 * kind, with a CIP service that matches in the record, request and reply. */
START_TEST(keyword_funcs_are_sound)
{
	static const struct {
		const char *kw, *value;
		int narrow;
	} cases[] = {
		{ "enip_command", "list_identity", 1 },
		{ "enip_command", "0x6f", 1 },
		{ "cip_service", "0x4d", 5 },
		{ "cip_service", "0x10,0x01", 5 },
		{ "cip_class", "0x01", 5 },
		{ "cip_status", "0x08", 5 },
	};
	static struct enip_record msg;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ot_keyword *k = NULL;
		const struct dissector *ds = dissector_by_proto(OT_PROTO_ENIP);
		struct ot_rule_check c;
		struct ot_event ev;
		uint8_t set[32];
		char value[64], err[OT_KW_ERR_LEN];
		int f, resp, n = 0, hits = 0;

		ck_assert_ptr_nonnull(ds);
		for (k = ds->keywords; k && k->name && strcmp(k->name, cases[i].kw); k++)
			;
		ck_assert_msg(k && k->name && k->funcs, "%s: no funcs()", cases[i].kw);
		memset(&c, 0, sizeof(c));
		c.b = -1;
		c.kw = k;
		snprintf(value, sizeof(value), "%s", cases[i].value);
		ck_assert_int_eq(k->parse(value, &c, 1, err, sizeof(err)), 1);
		memset(set, 0, sizeof(set));
		ck_assert_int_eq(k->funcs(&c, set), 1);
		for (f = 0; f < 256; f++)
			n += set[f >> 3] >> (f & 7) & 1;
		ck_assert_int_le(n, cases[i].narrow);
		for (resp = 0; resp < 2; resp++) {
			memset(&msg, 0, sizeof(msg));
			msg.n_cip = 1;
			msg.cip[0].service = 0x4d;
			msg.cip[0].response = (uint8_t)resp;
			msg.cip[0].status = resp ? 8 : -1;
			cip_path_init(&msg.cip[0].path);
			msg.cip[0].path.class_id = 1;
			msg.cip[0].path.attribute = 1;
			if (strstr(cases[i].value, "0x10"))
				msg.cip[0].service = 0x10;
			msg.svc_seen[msg.cip[0].service >> 3] |= (uint8_t)(1u << (msg.cip[0].service & 7));
			for (f = 0; f < 256; f++) {
				msg.command = (uint16_t)f;
				memset(&ev, 0, sizeof(ev));
				ev.kind = OT_EV_MESSAGE;
				ev.proto = OT_PROTO_ENIP;
				ev.dir = resp ? OT_DIR_RESPONSE : OT_DIR_REQUEST;
				ev.func = f;
				ev.record = &msg;
				if (k->match(&c, &ev)) {
					hits++;
					ck_assert_msg(set[f >> 3] >> (f & 7) & 1,
						      "%s: %s matches command %d outside its set",
						      cases[i].kw, cases[i].value, f);
				}
			}
		}
		ck_assert_msg(hits > 0, "%s: %s matched nothing", cases[i].kw, cases[i].value);
	}
}
END_TEST

/* Command names come from an indexed table: the same as a row by row search
 * of enip_command_names for every 16-bit command; service names by class. */
START_TEST(names_by_index)
{
	int code;

	for (code = 0; code <= 0x10000; code++) {
		const char *a = ot_tok_name(enip_command_names, code);
		const char *b = enip_command_name((unsigned)code);

		ck_assert_msg(a == b, "command %d: %s vs %s", code, a ? a : "-", b ? b : "-");
	}
	ck_assert_str_eq(enip_command_name(0x6f), "send_rr_data");
	ck_assert_str_eq(cip_service_name(0x0e, 1), "get_attribute_single");
	ck_assert_str_eq(cip_service_name(0x12, 1), "unknown");
	ck_assert_str_eq(cip_service_name(0x4c, 0x6b), "read_tag");
	ck_assert_str_eq(cip_service_name(0x4c, -1), "read_tag");
	ck_assert_str_eq(cip_service_name(0x54, 6), "forward_open");
	ck_assert_str_eq(cip_service_name(0x54, 1), "object_specific");
	ck_assert_str_eq(cip_service_name(0x70, 6), "unknown");
	ck_assert_str_eq(cip_service_name(0x1ff, 6), "unknown");
	ck_assert_str_eq(enip_status_name(0x69), "unsupported_protocol_revision");
	ck_assert_str_eq(enip_status_name(0x04), "unknown");
	ck_assert_str_eq(enip_status_name(0x100), "unknown");
}
END_TEST

START_TEST(probe_and_free_null)
{
	uint8_t m[200];
	size_t n = list_identity_reply(m);
	static const uint8_t http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

	ck_assert_int_eq(enip_dissector.probe(m, n, 0), PROBE_MINE);
	ck_assert_int_eq(enip_dissector.probe(m, 10, 0), PROBE_NEED_MORE);
	ck_assert_int_eq(enip_dissector.probe(http, sizeof(http) - 1, 1), PROBE_NOT_MINE);
	enip_dissector.state_free(NULL);
	enip_dissector.counters(NULL, NULL);
}
END_TEST

static Suite *enip_suite(void)
{
	Suite *s = suite_create("enip");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, list_identity_reply_record);
	tcase_add_test(tc, list_identity_event_ident);
	tcase_add_test(tc, request_path_and_identity_answer_paired);
	tcase_add_test(tc, get_attribute_all_identity);
	tcase_add_test(tc, get_attribute_list_identity);
	tcase_add_test(tc, unconnected_send_embedded_and_route);
	tcase_add_test(tc, multiple_service_packet_items);
	tcase_add_test(tc, msp_reply_out_of_order_paired);
	tcase_add_test(tc, event_ranges_category_status);
	tcase_add_test(tc, path_shortcut_matches_loop);
	tcase_add_test(tc, cpf_shortcut_matches_loop);
	tcase_add_test(tc, services_cap);
	tcase_add_test(tc, forward_open_then_connected_data);
	tcase_add_test(tc, every_truncated_prefix);
	tcase_add_test(tc, malformed_inputs);
	tcase_add_test(tc, stream_not_enip);
	tcase_add_test(tc, stream_split_every_byte);
	tcase_add_test(tc, stream_several_per_segment);
	tcase_add_test(tc, pending_cap_counted);
	tcase_add_test(tc, io_counted_per_connection);
	tcase_add_test(tc, keyword_funcs_are_sound);
	tcase_add_test(tc, probe_and_free_null);
	tcase_add_test(tc, names_by_index);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(enip_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
