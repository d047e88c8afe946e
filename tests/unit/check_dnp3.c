/*
 * check_dnp3.c - the DNP3 dissector: link frames and CRCs, stream framing,
 * transport reassembly, application header, objects, limits.
 *
 * Frames are built here from application bytes (CRC blocks added by
 * build_frames); two vectors are real frames from a public capture.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dnp3.h"
#include "jw.h"
#include "recorder.h"

extern const struct dissector dnp3_dissector;

#define MAX_SEEN 256

/* The record of a recorded message (scalars: pointers died at emit). */
static const struct dnp3_record *dnp3_of(const struct recorded *m)
{
	ck_assert_ptr_nonnull(m->ev.record);
	return m->ev.record;
}

/* ---- fixture -------------------------------------------------------- */

static struct dissect_ctx ctx;
static struct recorder rec;
static void *st;

static void setup(void)
{
	recorder_start(&rec, &dnp3_dissector, sizeof(struct dnp3_record), MAX_SEEN, &ctx);
	ctx.from_client = 1;
	st = dnp3_dissector.state_new(&rec.lim);
}

static void teardown(void)
{
	dnp3_dissector.state_free(st);
	st = NULL;
	recorder_clear(&rec);
}

static void feed(const uint8_t *p, size_t n)
{
	dnp3_dissector.parse(&ctx, st, p, n);
}

/* ---- frame building ------------------------------------------------- */

static size_t link_frame(uint8_t ctrl, uint16_t dst, uint16_t src,
			 const uint8_t *u, size_t n, uint8_t *out)
{
	return dnp3_link_encode(ctrl, dst, src, u, n, out);
}

/*
 * Application fragment app (n bytes) as link frames from src to dst, split in
 * transport segments of at most seg bytes, transport sequence from tseq.
 */
static size_t build_frames(uint16_t src, uint16_t dst, const uint8_t *app, size_t n,
			   size_t seg, uint8_t tseq, uint8_t *out)
{
	uint8_t user[250];
	size_t o = 0, off = 0;

	if (seg > 249)
		seg = 249;
	do {
		size_t take = n - off < seg ? n - off : seg;
		user[0] = (uint8_t)((off == 0 ? 0x40 : 0) | (off + take == n ? 0x80 : 0) |
				    (tseq++ & 0x3f));
		memcpy(user + 1, app + off, take);
		o += link_frame(0xc4, dst, src, user, take + 1, out + o);
		off += take;
	} while (off < n);
	return o;
}

static void feed_app(uint16_t src, uint16_t dst, const uint8_t *app, size_t n)
{
	uint8_t buf[70000];
	size_t len = build_frames(src, dst, app, n, 249, 0, buf);

	feed(buf, len);
}

static int json_has(const struct recorded *e, const char *needle)
{
	return e && e->json && strstr(e->json, needle) != NULL;
}

/* Real frames from zeek dnp3_read.pcap: read class 1,2,3,0 (3 -> 2). */
static const uint8_t real_read[] = {
	0x05, 0x64, 0x14, 0xc4, 0x02, 0x00, 0x03, 0x00, 0x45, 0x03,
	0xc7, 0xc8, 0x01, 0x3c, 0x02, 0x06, 0x3c, 0x03, 0x06, 0x3c,
	0x04, 0x06, 0x3c, 0x01, 0x06, 0x42, 0xac
};

/* ---- tests ---------------------------------------------------------- */

START_TEST(crc_known_vectors)
{
	ck_assert_uint_eq(dnp3_crc16(real_read, 8), 0x0345);
	ck_assert_uint_eq(dnp3_crc16(real_read + 10, 15), 0xac42);
	ck_assert_uint_eq(dnp3_frame_len(5), 10);
	ck_assert_uint_eq(dnp3_frame_len(20), 10 + 15 + 2);
	ck_assert_uint_eq(dnp3_frame_len(21), 10 + 16 + 2);
	ck_assert_uint_eq(dnp3_frame_len(22), 10 + 17 + 4);
	ck_assert_uint_eq(dnp3_frame_len(255), DNP3_MAX_FRAME);
}
END_TEST

/* The CRC as the standard states it: polynomial 0x3D65 shifted in most
 * significant bit first, each byte fed least significant bit first, the
 * register bit-reversed and inverted at the end.  Checks the table code. */
static uint16_t crc_by_definition(const uint8_t *p, size_t n)
{
	unsigned reg = 0, out = 0, k;
	size_t i;

	for (i = 0; i < n; i++)
		for (k = 0; k < 8; k++) {
			unsigned feed = ((reg >> 15) ^ (p[i] >> k)) & 1;

			reg = ((reg << 1) & 0xffff) ^ (feed ? 0x3D65 : 0);
		}
	for (k = 0; k < 16; k++)
		out |= ((reg >> k) & 1) << (15 - k);
	return (uint16_t)(out ^ 0xffff);
}

START_TEST(crc_matches_bitwise)
{
	uint8_t buf[300];
	uint32_t x = 12345;
	size_t i, n, at;

	for (i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (at = 0; at < 4; at++)              /* every alignment */
		for (n = 0; n + at <= sizeof(buf); n++)
			ck_assert_msg(dnp3_crc16(buf + at, n) == crc_by_definition(buf + at, n),
				      "offset %zu length %zu", at, n);
	memset(buf, 0xff, sizeof(buf));
	for (n = 0; n <= 20; n++)
		ck_assert_uint_eq(dnp3_crc16(buf, n), crc_by_definition(buf, n));
	ck_assert_uint_eq(dnp3_crc16(NULL, 5), 0xffff);
}
END_TEST

/* The object layout of every (group, variation) pair is the same found
 * among the group's rows as by a search of every row. */
START_TEST(object_lookup_by_group)
{
	ck_assert_uint_eq(dnp3_obj_lookup_mismatches(), 0);
}
END_TEST

START_TEST(real_read_request)
{
	const struct recorded *m;

	feed(real_read, sizeof(real_read));
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(rec.n_anom, 0);
	m = recorder_msg(&rec, 0);
	ck_assert_int_eq(m->ev.func, 1);
	ck_assert_int_eq(m->ev.dir, OT_DIR_REQUEST);
	ck_assert_int_eq(m->ev.link_src, 3);
	ck_assert_int_eq(m->ev.link_dst, 2);
	ck_assert_int_eq(m->ev.txn, 8);
	ck_assert_int_eq(m->ev.cat, OT_CAT_READ);
	ck_assert_int_eq(m->ev.n_ranges, 4);
	ck_assert_int_eq(m->ev.ranges[0].block, 60);
	ck_assert_int_eq(m->ev.ranges[0].variation, 2);
	ck_assert_uint_eq(dnp3_of(m)->src, 3);
	ck_assert_uint_eq(dnp3_of(m)->dst, 2);
	ck_assert_uint_eq(dnp3_of(m)->function_code, 1);
	ck_assert_uint_eq(dnp3_of(m)->app_ctrl & 0x0f, 8);
	ck_assert_uint_eq(dnp3_of(m)->complete, 1);
	ck_assert_uint_eq(dnp3_of(m)->has_iin, 0);
	ck_assert_uint_gt(dnp3_of(m)->objects_len, 0);
	ck_assert(json_has(m, "\"function\":\"read\""));
	ck_assert(json_has(m, "\"type\":\"request\""));
	ck_assert(json_has(m, "\"complete\":true"));
	ck_assert(json_has(m, "\"sequence\":8"));
}
END_TEST

START_TEST(bad_header_crc)
{
	uint8_t b[sizeof(real_read)];

	memcpy(b, real_read, sizeof(b));
	b[8] ^= 1;
	feed(b, sizeof(b));
	ck_assert_int_eq(rec.n_msg, 0);
	ck_assert_int_eq(recorder_anomalies(&rec, "bad_crc"), 1);
	/* the stream recovers on the next good frame */
	feed(real_read, sizeof(real_read));
	ck_assert_int_eq(rec.n_msg, 1);
}
END_TEST

START_TEST(bad_block_crc)
{
	uint8_t b[sizeof(real_read)];
	struct dnp3_counters cnt;

	memcpy(b, real_read, sizeof(b));
	b[sizeof(b) - 1] ^= 0x80;
	feed(b, sizeof(b));
	ck_assert_int_eq(rec.n_msg, 0);
	ck_assert_int_eq(recorder_anomalies(&rec, "bad_crc"), 1);
	memcpy(b, real_read, sizeof(b));
	b[14] ^= 0x10;                  /* data byte, CRC unchanged */
	feed(b, sizeof(b));
	ck_assert_int_eq(rec.n_msg, 0);
	ck_assert_int_eq(recorder_anomalies(&rec, "bad_crc"), 2);
	dnp3_get_counters(st, &cnt);
	ck_assert_uint_eq(cnt.bad_crc, 2);
	ck_assert_uint_eq(cnt.frames, 0);
}
END_TEST

START_TEST(truncated_prefixes_udp)
{
	size_t n;

	ctx.is_udp = 1;
	for (n = 0; n < sizeof(real_read); n++) {
		recorder_clear(&rec);
		feed(real_read, n);
		ck_assert_int_eq(rec.n_msg, 0);
		if (n >= 10)        /* a whole header announces more than there is */
			ck_assert_int_eq(recorder_anomalies(&rec, "bad_length"), 1);
	}
	recorder_clear(&rec);
	feed(real_read, sizeof(real_read));
	ck_assert_int_eq(rec.n_msg, 1);
}
END_TEST

START_TEST(truncated_prefixes_tcp)
{
	size_t n;

	for (n = 0; n < sizeof(real_read); n++) {
		dnp3_dissector.state_free(st);
		st = dnp3_dissector.state_new(&rec.lim);
		recorder_clear(&rec);
		feed(real_read, n);
		ck_assert_int_eq(rec.n_msg, 0);
		feed(real_read + n, sizeof(real_read) - n);
		ck_assert_int_eq(rec.n_msg, 1);
		ck_assert_int_eq(rec.n_anom, 0);
	}
}
END_TEST

START_TEST(truncated_app_prefixes)
{
	/* write of g12v1 CROB: every cut of the application bytes is safe */
	const uint8_t app[] = { 0xc1, 0x05, 0x0c, 0x01, 0x28, 0x01, 0x00, 0x07, 0x00,
				0x41, 0x01, 0xe8, 0x03, 0, 0, 0xe8, 0x03, 0, 0, 0x00 };
	size_t n;

	for (n = 0; n <= sizeof(app); n++) {
		recorder_clear(&rec);
		feed_app(3, 4, app, n);
		if (n < 2) {
			ck_assert_int_eq(rec.n_msg, 0);
			ck_assert_int_eq(recorder_anomalies(&rec, "app_too_short"), 1);
		} else {
			ck_assert_int_eq(rec.n_msg, 1);
			ck_assert_int_eq(json_has(recorder_msg(&rec, 0), "\"complete\":true"),
					 n == 2 || n == sizeof(app));
		}
	}
}
END_TEST

START_TEST(multi_and_split_frames)
{
	uint8_t buf[4 * sizeof(real_read)];
	size_t i, n = 0;

	for (i = 0; i < 3; i++) {
		memcpy(buf + n, real_read, sizeof(real_read));
		n += sizeof(real_read);
	}
	feed(buf, n);
	ck_assert_int_eq(rec.n_msg, 3);
	recorder_clear(&rec);
	for (i = 0; i < n; i++)
		feed(buf + i, 1);
	ck_assert_int_eq(rec.n_msg, 3);
	ck_assert_int_eq(rec.n_anom, 0);
	/* junk before a frame is skipped */
	recorder_clear(&rec);
	buf[0] = 0x00;
	buf[1] = 0x05;
	buf[2] = 0x11;
	memcpy(buf + 3, real_read, sizeof(real_read));
	feed(buf, 3 + sizeof(real_read));
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(recorder_anomalies(&rec, "resync"), 1);
}
END_TEST

/* A read response carrying n analog points g30v1 from index 0, n*5 bytes. */
static size_t big_response(uint8_t *app, int n)
{
	size_t o = 0;
	int i;

	app[o++] = 0xc2;
	app[o++] = 0x81;
	app[o++] = 0x00;
	app[o++] = 0x00;
	app[o++] = 30;
	app[o++] = 1;
	app[o++] = 0x01;
	app[o++] = 0;
	app[o++] = 0;
	app[o++] = (uint8_t)((n - 1) & 0xff);
	app[o++] = (uint8_t)((n - 1) >> 8);
	for (i = 0; i < n; i++) {
		app[o++] = 0x01;
		app[o++] = (uint8_t)i;
		app[o++] = (uint8_t)(i >> 8);
		app[o++] = 0;
		app[o++] = 0;
	}
	return o;
}

START_TEST(transport_in_order)
{
	uint8_t app[2000], buf[4000];
	size_t n = big_response(app, 300), len;
	const struct recorded *m;

	ctx.from_client = 0;
	len = build_frames(4, 3, app, n, 100, 62, buf);  /* sequence wraps 63 -> 0 */
	feed(buf, len);
	ck_assert_int_eq(rec.n_anom, 0);
	ck_assert_int_eq(rec.n_msg, 1);
	m = recorder_msg(&rec, 0);
	ck_assert_int_eq(m->ev.func, 129);
	ck_assert_int_eq(m->ev.dir, OT_DIR_RESPONSE);
	ck_assert_int_eq(m->ev.status, 0);
	ck_assert(json_has(m, "\"complete\":true"));
	ck_assert(json_has(m, "\"count\":300"));
	ck_assert_int_eq(m->ev.n_values, OT_MAX_VALUES);
	ck_assert(m->ev.values[5].value == 5.0);
}
END_TEST

START_TEST(transport_missing_fir)
{
	uint8_t app[2000], buf[4000];
	size_t n = big_response(app, 100), len, first;

	len = build_frames(4, 3, app, n, 100, 0, buf);
	first = dnp3_frame_len(buf[2]);
	feed(buf + first, len - first);
	ck_assert_int_eq(rec.n_msg, 0);
	ck_assert_int_ge(recorder_anomalies(&rec, "transport_sequence"), 1);
}
END_TEST

START_TEST(transport_missing_fin)
{
	uint8_t app[2000], buf[4000];
	size_t n = big_response(app, 100), len, last = 0, off = 0;

	len = build_frames(4, 3, app, n, 100, 0, buf);
	while (off < len) {     /* find the final frame */
		last = off;
		off += dnp3_frame_len(buf[off + 2]);
	}
	feed(buf, last);        /* everything but the FIN segment */
	ck_assert_int_eq(rec.n_msg, 0);
	feed(real_read, sizeof(real_read)); /* other address pair: unaffected */
	ck_assert_int_eq(rec.n_msg, 1);
	feed(buf, len);         /* a new FIR for the pair abandons the old one */
	ck_assert_int_eq(recorder_anomalies(&rec, "fragment_incomplete"), 1);
	ck_assert_int_eq(rec.n_msg, 2);
}
END_TEST

START_TEST(transport_out_of_sequence)
{
	uint8_t app[2000], buf[4000], swapped[4000];
	size_t n = big_response(app, 100), len, f1, f2;
	struct dnp3_counters cnt;

	len = build_frames(4, 3, app, n, 100, 0, buf);
	f1 = dnp3_frame_len(buf[2]);
	f2 = dnp3_frame_len(buf[f1 + 2]);
	/* frames 0, 2, 1, ...: segment 2 arrives before segment 1 */
	memcpy(swapped, buf, f1);
	memcpy(swapped + f1, buf + f1 + f2, len - f1 - f2);
	memcpy(swapped + len - f2, buf + f1, f2);
	feed(swapped, len);
	ck_assert_int_eq(rec.n_msg, 0);
	ck_assert_int_ge(recorder_anomalies(&rec, "transport_sequence"), 1);
	dnp3_get_counters(st, &cnt);
	ck_assert_uint_ge(cnt.tp_discarded, 1);
	/* a repeated segment (link retry) is ignored, not an error */
	recorder_clear(&rec);
	memcpy(swapped, buf, f1 + f2);
	memcpy(swapped + f1 + f2, buf + f1, len - f1);
	feed(swapped, len + f2);
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(recorder_anomalies(&rec, "transport_sequence"), 0);
}
END_TEST

START_TEST(transport_limits)
{
	uint8_t app[2000], buf[4000];
	size_t n = big_response(app, 100), len, f1;

	rec.lim.max_reassembly = 300;
	len = build_frames(4, 3, app, n, 100, 0, buf);
	feed(buf, len);
	ck_assert_int_eq(rec.n_msg, 0);
	ck_assert_int_eq(recorder_anomalies(&rec, "reassembly_too_long"), 1);
	/* time bound: the rest arrives after the timeout */
	rec.lim.max_reassembly = 65536;
	recorder_clear(&rec);
	f1 = dnp3_frame_len(buf[2]);
	feed(buf, f1);
	ctx.ts.tv_sec += 31;
	feed(buf + f1, len - f1);
	ck_assert_int_eq(rec.n_msg, 0);
	ck_assert_int_eq(recorder_anomalies(&rec, "reassembly_timeout"), 1);
	/* the byte bound covers every fragment of the flow together */
	rec.lim.max_reassembly = 400;
	recorder_clear(&rec);
	f1 = dnp3_frame_len(buf[2]);
	feed(buf, f1);                  /* 100 bytes pending for 4 -> 3 */
	len = build_frames(5, 3, app, n, 100, 0, buf);
	feed(buf, len);                 /* 515 more for 5 -> 3 */
	ck_assert_int_eq(recorder_anomalies(&rec, "reassembly_too_long"), 1);
	ck_assert_int_eq(rec.n_msg, 0);
}
END_TEST

/* fuzz reproducer: segments that carry only the transport header */
START_TEST(transport_empty_segments)
{
	const uint8_t fir[] = { 0x4a }, fin[] = { 0x8b };
	uint8_t buf[64];
	size_t n;

	n = link_frame(0x44, 3, 4, fir, sizeof(fir), buf);
	feed(buf, n);
	n = link_frame(0x44, 3, 4, fin, sizeof(fin), buf);
	feed(buf, n);
	ck_assert_int_eq(rec.n_msg, 0);
	ck_assert_int_eq(recorder_anomalies(&rec, "app_too_short"), 1);
	n = link_frame(0x44, 3, 4, fir, sizeof(fir), buf);
	feed(buf, n);
	dnp3_dissector.flow_end(&ctx, st);
	ck_assert_int_eq(recorder_anomalies(&rec, "fragment_incomplete"), 1);
}
END_TEST

START_TEST(transport_slot_eviction)
{
	uint8_t app[2000], buf[4000];
	size_t n = big_response(app, 40), len, f1;
	struct dnp3_counters cnt;
	uint16_t src;

	/* nine address pairs each start a fragment: the oldest is dropped */
	for (src = 10; src < 19; src++) {
		ctx.ts.tv_usec = src;
		len = build_frames(src, 3, app, n, 100, 0, buf);
		f1 = dnp3_frame_len(buf[2]);
		feed(buf, f1);
	}
	dnp3_get_counters(st, &cnt);
	ck_assert_uint_eq(cnt.fragments_dropped, 1);
	len = build_frames(10, 3, app, n, 100, 0, buf);
	feed(buf + f1, len - f1);
	ck_assert_int_eq(rec.n_msg, 0);
	ck_assert_int_ge(recorder_anomalies(&rec, "transport_sequence"), 1);
	len = build_frames(18, 3, app, n, 100, 0, buf);
	feed(buf + f1, len - f1);
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(recorder_msg(&rec, 0)->ev.link_src, 18);
}
END_TEST

START_TEST(gap_resets)
{
	uint8_t app[2000], buf[4000];
	size_t n = big_response(app, 100), f1;

	build_frames(4, 3, app, n, 100, 0, buf);
	f1 = dnp3_frame_len(buf[2]);
	feed(buf, f1 + 5);
	dnp3_dissector.gap(&ctx, st, 100);
	feed(real_read, sizeof(real_read));
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(rec.n_anom, 0);
}
END_TEST

START_TEST(udp_datagrams)
{
	uint8_t buf[3 * sizeof(real_read)], big[300];
	uint8_t user[251];

	ctx.is_udp = 1;
	memcpy(buf, real_read, sizeof(real_read));
	memcpy(buf + sizeof(real_read), real_read, sizeof(real_read));
	feed(buf, 2 * sizeof(real_read));       /* two frames in one datagram */
	ck_assert_int_eq(rec.n_msg, 2);
	ck_assert_int_eq(rec.n_anom, 0);
	/* a frame cut by the datagram end is not carried into the next one */
	feed(buf, sizeof(real_read) + 12);
	ck_assert_int_eq(rec.n_msg, 3);
	ck_assert_int_eq(recorder_anomalies(&rec, "bad_length"), 1);
	feed(buf + sizeof(real_read) + 12, sizeof(real_read) - 12);
	ck_assert_int_eq(rec.n_msg, 3);
	memset(user, 0xc0, sizeof(user));
	ck_assert_uint_eq(dnp3_link_encode(0xc4, 1, 2, user, 251, big), 0);
	ck_assert_uint_eq(dnp3_link_encode(0xc4, 1, 2, user, 250, big), DNP3_MAX_FRAME);
}
END_TEST

START_TEST(link_only_frames)
{
	uint8_t buf[64];
	size_t n;
	struct dnp3_counters cnt;

	n = link_frame(0xc9, 4, 3, NULL, 0, buf);       /* request link status */
	feed(buf, n);
	n = link_frame(0x0b, 3, 4, NULL, 0, buf);       /* link status */
	feed(buf, n);
	ck_assert_int_eq(rec.n, 0);
	n = link_frame(0xc4, 4, 3, NULL, 0, buf);       /* user data without data */
	feed(buf, n);
	ck_assert_int_eq(recorder_anomalies(&rec, "link_only"), 1);
	ck_assert_int_eq(rec.n_msg, 0);
	dnp3_get_counters(st, &cnt);
	ck_assert_uint_eq(cnt.link_only, 3);
	ck_assert_uint_eq(cnt.frames, 3);
}
END_TEST

START_TEST(probe)
{
	uint8_t b[sizeof(real_read)];

	ck_assert_int_eq(dnp3_dissector.probe(real_read, sizeof(real_read), 1), PROBE_MINE);
	ck_assert_int_eq(dnp3_dissector.probe(real_read, 10, 1), PROBE_MINE);
	ck_assert_int_eq(dnp3_dissector.probe(real_read, 9, 1), PROBE_NEED_MORE);
	ck_assert_int_eq(dnp3_dissector.probe(real_read, 0, 1), PROBE_NEED_MORE);
	memcpy(b, real_read, sizeof(b));
	b[9] ^= 1;
	ck_assert_int_eq(dnp3_dissector.probe(b, sizeof(b), 1), PROBE_NOT_MINE);
	b[1] = 0x65;
	ck_assert_int_eq(dnp3_dissector.probe(b, 2, 1), PROBE_NOT_MINE);
	b[1] = 0x64;
	b[2] = 4;
	ck_assert_int_eq(dnp3_dissector.probe(b, 3, 1), PROBE_NOT_MINE);
	ck_assert_int_eq(dnp3_dissector.probe((const uint8_t *)"GET /", 5, 1), PROBE_NOT_MINE);
}
END_TEST

START_TEST(pairing_and_iin)
{
	const uint8_t req[] = { 0xc5, 0x01, 0x3c, 0x01, 0x06 };
	const uint8_t rsp[] = { 0xc5, 0x81, 0x90, 0x04 };  /* restart, need time, param error */
	const struct recorded *m;

	feed_app(3, 4, req, sizeof(req));
	ctx.ts.tv_usec = 250000;
	ctx.from_client = 0;
	feed_app(4, 3, rsp, sizeof(rsp));
	ck_assert_int_eq(rec.n_msg, 2);
	m = recorder_msg(&rec, 1);
	ck_assert_int_eq(m->ev.dir, OT_DIR_RESPONSE);
	ck_assert_int_eq(m->ev.status, 0x04);
	ck_assert_str_eq(m->ev.status_name, "parameter_error");
	ck_assert(m->ev.rtt > 0.24 && m->ev.rtt < 0.26);
	ck_assert_int_eq(m->ev.cat, OT_CAT_READ);
	ck_assert(json_has(m, "\"indicators\":[\"need_time\",\"device_restart\",\"parameter_error\"]"));
	/* an unsolicited response is not paired */
	{
		const uint8_t uns[] = { 0xf0, 0x82, 0x00, 0x00 };
		feed_app(4, 3, uns, sizeof(uns));
		m = recorder_msg(&rec, 2);
		ck_assert_int_eq(m->ev.dir, OT_DIR_UNSOLICITED);
		ck_assert(m->ev.rtt < 0);
		ck_assert(json_has(m, "\"type\":\"unsolicited_response\""));
		ck_assert(json_has(m, "\"uns\":true"));
	}
}
END_TEST

START_TEST(every_function_named)
{
	static const int fcs[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
				   16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
				   29, 30, 31, 32, 33, 129, 130, 131 };
	size_t i;

	for (i = 0; i < sizeof(fcs) / sizeof(fcs[0]); i++)
		ck_assert_ptr_nonnull(dnp3_func_name(fcs[i]));
	ck_assert_str_eq(dnp3_func_name(5), "direct_operate");
	ck_assert_str_eq(dnp3_func_name(24), "record_current_time");
	ck_assert_ptr_null(dnp3_func_name(34));
	ck_assert_ptr_null(dnp3_func_name(128));
}
END_TEST

START_TEST(unknown_function)
{
	const uint8_t app[] = { 0xc0, 0x50 };

	feed_app(3, 4, app, sizeof(app));
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(recorder_anomalies(&rec, "unknown_function"), 1);
	ck_assert(json_has(recorder_msg(&rec, 0), "\"function\":\"unknown\""));
}
END_TEST

START_TEST(objects_binary_and_counters)
{
	/* response: g1v2 0..2, g2v2 index 7 (1-byte prefix), g10v1 packed 0..9,
	 * g20v1 5..5, g22v5 event with time, g3v1 double-bit 0..3 */
	const uint8_t app[] = {
		0xc0, 0x81, 0x00, 0x00,
		1, 2, 0x00, 0, 2, 0x81, 0x01, 0x81,
		2, 2, 0x17, 1, 7, 0x81, 0x10, 0x27, 0, 0, 0, 0,
		10, 1, 0x00, 0, 9, 0x05, 0x02,
		20, 1, 0x00, 5, 5, 0x01, 0x39, 0x30, 0, 0,
		22, 5, 0x17, 1, 3, 0x01, 0x2a, 0, 0, 0, 0xe8, 0x03, 0, 0, 0, 0,
		3, 1, 0x00, 0, 3, 0xe4,
	};
	const struct recorded *m;
	int i, found = 0;

	feed_app(4, 3, app, sizeof(app));
	ck_assert_int_eq(rec.n_anom, 0);
	m = recorder_msg(&rec, 0);
	ck_assert(json_has(m, "\"complete\":true"));
	ck_assert_int_eq(m->ev.n_ranges, 6);
	ck_assert_int_eq(m->ev.ranges[1].block, 2);
	ck_assert_int_eq(m->ev.ranges[1].count, 1);
	for (i = 0; i < m->ev.n_values; i++) {
		const struct ot_value *v = &m->ev.values[i];
		if (v->block == 20 && v->index == 5 && v->value == 12345.0)
			found |= 1;
		if (v->block == 2 && v->index == 7 && v->value == 1.0)
			found |= 2;
		if (v->block == 10 && v->index == 8 && v->value == 0.0)
			found |= 4;
		if (v->block == 10 && v->index == 9 && v->value == 1.0)
			found |= 8;
		if (v->block == 3 && v->index == 3 && v->value == 3.0)
			found |= 16;
		if (v->block == 22 && v->index == 3 && v->value == 42.0)
			found |= 32;
	}
	ck_assert_int_eq(found, 63);
	ck_assert(json_has(m, "\"index\":7,\"online\":true,\"state\":1,\"time\":10000"));
}
END_TEST

START_TEST(objects_analog)
{
	/* response: g30v1 0..1, g30v5 float, g32v7 float event + time,
	 * g40v2, g30v6 double; then direct operate g41v1 */
	const uint8_t app[] = {
		0xc0, 0x81, 0x00, 0x00,
		30, 1, 0x00, 0, 1, 0x01, 0xff, 0xff, 0xff, 0xff, 0x01, 0x64, 0, 0, 0,
		30, 5, 0x00, 2, 2, 0x01, 0x00, 0x00, 0xc0, 0x3f,
		32, 7, 0x17, 1, 9, 0x01, 0x00, 0x00, 0x20, 0x41, 1, 0, 0, 0, 0, 0,
		40, 2, 0x00, 4, 4, 0x01, 0xfe, 0xff,
		30, 6, 0x00, 3, 3, 0x01, 0, 0, 0, 0, 0, 0, 0x04, 0x40,
	};
	const uint8_t op[] = { 0xc1, 0x05, 41, 1, 0x17, 1, 2, 0x10, 0x27, 0, 0, 0 };
	const struct recorded *m;
	double want[] = { -1, 100, 1.5, 10, -2, 2.5 };
	int i;

	feed_app(4, 3, app, sizeof(app));
	ck_assert_int_eq(rec.n_anom, 0);
	m = recorder_msg(&rec, 0);
	ck_assert_int_eq(m->ev.n_values, 6);
	for (i = 0; i < 6; i++)
		ck_assert(m->ev.values[i].value == want[i]);
	ck_assert_int_eq(m->ev.values[3].index, 9);
	ck_assert(json_has(m, "\"value\":1.5"));
	feed_app(3, 4, op, sizeof(op));
	m = recorder_msg(&rec, 1);
	ck_assert_int_eq(m->ev.cat, OT_CAT_CONTROL);
	ck_assert_int_eq(m->ev.n_values, 1);
	ck_assert(m->ev.values[0].value == 10000.0);
	ck_assert_int_eq(m->ev.values[0].index, 2);
	ck_assert(json_has(m, "\"status_name\":\"success\""));
}
END_TEST

START_TEST(objects_crob)
{
	/* select g12v1, 2-byte count + 2-byte index: latch on, close, 1000/1000 ms */
	const uint8_t app[] = { 0xc1, 0x03, 12, 1, 0x28, 1, 0, 7, 0,
				0x43, 0x01, 0xe8, 0x03, 0, 0, 0xe8, 0x03, 0, 0, 0x00 };
	const struct recorded *m;

	feed_app(3, 4, app, sizeof(app));
	ck_assert_int_eq(rec.n_anom, 0);
	m = recorder_msg(&rec, 0);
	ck_assert_int_eq(m->ev.func, 3);
	ck_assert_int_eq(m->ev.cat, OT_CAT_CONTROL);
	ck_assert_int_eq(m->ev.n_values, 1);
	ck_assert_int_eq(m->ev.values[0].index, 7);
	ck_assert(m->ev.values[0].value == 0x43);
	ck_assert(json_has(m, "\"op_type\":\"latch_on\""));
	ck_assert(json_has(m, "\"tcc\":\"close\""));
	ck_assert(json_has(m, "\"on_time\":1000"));
}
END_TEST

START_TEST(objects_time_and_class)
{
	/* write g50v1 (time), then read of class 0 and a freeze, delay response */
	const uint8_t wr[] = { 0xc2, 0x02, 50, 1, 0x07, 1, 0x10, 0x27, 0, 0, 0, 0 };
	const uint8_t rd[] = { 0xc3, 0x01, 60, 1, 0x06, 60, 2, 0x06 };
	const uint8_t dl[] = { 0xc4, 0x81, 0, 0, 52, 2, 0x07, 1, 0x2c, 0x01 };
	const uint8_t rs[] = { 0xc5, 0x0d };
	const struct recorded *m;

	feed_app(3, 4, wr, sizeof(wr));
	feed_app(3, 4, rd, sizeof(rd));
	feed_app(4, 3, dl, sizeof(dl));
	feed_app(3, 4, rs, sizeof(rs));
	ck_assert_int_eq(rec.n_anom, 0);
	ck_assert_int_eq(rec.n_msg, 4);
	m = recorder_msg(&rec, 0);
	ck_assert_int_eq(m->ev.cat, OT_CAT_TIME);
	ck_assert(json_has(m, "\"time\":10000"));
	ck_assert_int_eq(recorder_msg(&rec, 1)->ev.cat, OT_CAT_READ);
	ck_assert(json_has(recorder_msg(&rec, 2), "\"value\":300"));
	ck_assert_int_eq(recorder_msg(&rec, 3)->ev.cat, OT_CAT_MODE);
}
END_TEST

START_TEST(objects_device_attributes)
{
	/* response with g0v252 vendor, g0v250 model, g0v242 version, g0v240 uint */
	const uint8_t app[] = {
		0xc0, 0x81, 0, 0,
		0, 252, 0x00, 0, 0, 1, 4, 'A', 'c', 'm', 'e',
		0, 250, 0x00, 0, 0, 1, 3, 'R', 'T', 'U',
		0, 242, 0x00, 0, 0, 1, 3, '1', '.', '2',
		0, 240, 0x00, 0, 0, 2, 2, 0x00, 0x08,
	};
	const uint8_t rq[] = { 0xc0, 0x01, 0, 254, 0x06 };
	const struct recorded *m;

	feed_app(3, 4, rq, sizeof(rq));
	ck_assert_int_eq(recorder_msg(&rec, 0)->ev.cat, OT_CAT_IDENTITY);
	feed_app(4, 3, app, sizeof(app));
	ck_assert_int_eq(rec.n_anom, 0);
	m = recorder_msg(&rec, 1);
	ck_assert_int_eq(m->ev.n_ident, 3);
	ck_assert_int_eq(m->ev.ident[0].key, OT_ID_VENDOR);
	ck_assert_str_eq(m->ev.ident[0].value, "Acme");
	ck_assert_int_eq(m->ev.ident[1].key, OT_ID_MODEL);
	ck_assert_str_eq(m->ev.ident[2].value, "1.2");
	ck_assert(json_has(m, "\"name\":\"manufacturer_name\""));
	ck_assert(json_has(m, "\"value\":2048"));
	ck_assert_int_eq(m->ev.cat, OT_CAT_IDENTITY);
}
END_TEST

START_TEST(objects_file_auth_octets)
{
	/* open file g70v3 (0x5B), auth challenge g120v1, octet string g110v4,
	 * write IIN g80v1 */
	const uint8_t open[] = {
		0xc0, 0x19, 70, 3, 0x5b, 1, 30, 0,
		26, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 1, 0, 0, 1, 5, 0, 'a', '.', 't', 'x',
	};
	const uint8_t auth[] = {
		0xc1, 0x83, 0, 0, 120, 1, 0x5b, 1, 12, 0,
		5, 0, 0, 0, 1, 0, 4, 1, 0xaa, 0xbb, 0xcc, 0xdd,
	};
	const uint8_t oct[] = { 0xc2, 0x02, 110, 4, 0x00, 1, 2, 'a', 'b', 'c', 'd',
				'w', 'x', 'y', 'z' };
	const uint8_t iin[] = { 0xc3, 0x02, 80, 1, 0x00, 7, 7, 0x00 };
	const struct recorded *m;

	feed_app(3, 4, open, sizeof(open));
	feed_app(4, 3, auth, sizeof(auth));
	feed_app(3, 4, oct, sizeof(oct));
	feed_app(3, 4, iin, sizeof(iin));
	ck_assert_int_eq(rec.n_anom, 0);
	m = recorder_msg(&rec, 0);
	ck_assert_int_eq(m->ev.cat, OT_CAT_FILE);
	ck_assert(json_has(m, "\"file_name\":\"a.tx\""));
	ck_assert(json_has(m, "\"type\":\"file_command\""));
	m = recorder_msg(&rec, 1);
	ck_assert_int_eq(m->ev.cat, OT_CAT_SECURITY);
	ck_assert(json_has(m, "\"type\":\"challenge\""));
	ck_assert(json_has(m, "\"csq\":5"));
	m = recorder_msg(&rec, 2);
	ck_assert(json_has(m, "\"value\":\"abcd\""));
	ck_assert(json_has(m, "\"value\":\"wxyz\""));
	ck_assert(json_has(recorder_msg(&rec, 3), "\"index\":7,\"state\":0"));
}
END_TEST

START_TEST(objects_aggressive_mode)
{
	/* direct operate in aggressive mode: g120v3, a CROB, g120v9 MAC */
	const uint8_t app[] = {
		0xc4, 0x05, 120, 3, 0x07, 1, 0x09, 0, 0, 0, 0x01, 0x00,
		12, 1, 0x17, 1, 2, 0x41, 1, 0x64, 0, 0, 0, 0, 0, 0, 0, 0,
		120, 9, 0x5b, 1, 4, 0, 0xde, 0xad, 0xbe, 0xef,
	};
	const struct recorded *m;

	feed_app(3, 4, app, sizeof(app));
	ck_assert_int_eq(rec.n_anom, 0);
	m = recorder_msg(&rec, 0);
	ck_assert_int_eq(m->ev.cat, OT_CAT_CONTROL);
	ck_assert_int_eq(m->ev.n_ranges, 3);
	ck_assert(json_has(m, "\"type\":\"aggressive_mode_request\""));
	ck_assert(json_has(m, "\"csq\":9"));
	ck_assert(json_has(m, "\"type\":\"mac\""));
	ck_assert(json_has(m, "\"op_type\":\"pulse_on\""));
	ck_assert(json_has(m, "\"complete\":true"));
}
END_TEST

START_TEST(unknown_object_stops)
{
	/* g99v9 is not defined: decoding stops there, the message is emitted */
	const uint8_t app[] = { 0xc0, 0x81, 0, 0, 99, 9, 0x00, 0, 0, 0x11, 30, 1, 0x06 };
	/* the same unknown object with a size prefix can be stepped over */
	const uint8_t sized[] = { 0xc0, 0x81, 0, 0, 99, 9, 0x5b, 1, 2, 0, 0xab, 0xcd,
				  1, 2, 0x00, 0, 0, 0x81 };
	const uint8_t nosize[] = { 0xc0, 0x19, 70, 3, 0x07, 1, 0, 0, 0, 0, 0, 0 };
	const struct recorded *m;

	feed_app(4, 3, app, sizeof(app));
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(recorder_anomalies(&rec, "unknown_object"), 1);
	m = recorder_msg(&rec, 0);
	ck_assert(json_has(m, "\"complete\":false"));
	ck_assert_int_eq(m->ev.n_ranges, 1);
	feed_app(4, 3, sized, sizeof(sized));
	ck_assert_int_eq(recorder_anomalies(&rec, "unknown_object"), 1);
	ck_assert_int_eq(recorder_anomalies(&rec, "truncated_object"), 0);
	m = recorder_msg(&rec, 1);
	ck_assert(json_has(m, "\"complete\":true"));
	ck_assert(json_has(m, "\"data\":\"abcd\""));
	ck_assert_int_eq(m->ev.n_values, 1);
	/* a free-format object (file command) without its size prefix */
	feed_app(3, 4, nosize, sizeof(nosize));
	ck_assert_int_eq(recorder_anomalies(&rec, "unknown_object"), 2);
	ck_assert_int_eq(recorder_anomalies(&rec, "truncated_object"), 0);
}
END_TEST

START_TEST(malformed_qualifiers)
{
	const uint8_t badrange[] = { 0xc0, 0x01, 1, 2, 0x00, 9, 3 };
	const uint8_t badq[] = { 0xc0, 0x01, 1, 2, 0x0c };
	const uint8_t badp[] = { 0xc0, 0x01, 1, 2, 0x7b, 1 };
	const uint8_t shortdata[] = { 0xc0, 0x81, 0, 0, 30, 1, 0x00, 0, 3, 1, 2, 3 };

	feed_app(3, 4, badrange, sizeof(badrange));
	feed_app(3, 4, badq, sizeof(badq));
	feed_app(3, 4, badp, sizeof(badp));
	feed_app(4, 3, shortdata, sizeof(shortdata));
	ck_assert_int_eq(rec.n_msg, 4);
	ck_assert_int_eq(recorder_anomalies(&rec, "bad_range"), 1);
	ck_assert_int_eq(recorder_anomalies(&rec, "bad_qualifier"), 2);
	ck_assert_int_eq(recorder_anomalies(&rec, "truncated_object"), 1);
}
END_TEST

START_TEST(limit_objects)
{
	uint8_t app[2 + 3 * 3000];
	size_t n = 0;
	int i;

	app[n++] = 0xc0;
	app[n++] = 0x01;
	for (i = 0; i < 2100; i++) {
		app[n++] = 60;
		app[n++] = 1;
		app[n++] = 0x06;
	}
	feed_app(3, 4, app, n);
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(recorder_anomalies(&rec, "too_many_objects"), 1);
	ck_assert(json_has(recorder_msg(&rec, 0), "\"complete\":false"));
	rec.lim.max_objects = 3;
	recorder_clear(&rec);
	feed_app(3, 4, app, 2 + 3 * 3);
	ck_assert_int_eq(recorder_anomalies(&rec, "too_many_objects"), 0);
	feed_app(3, 4, app, 2 + 3 * 4);
	ck_assert_int_eq(recorder_anomalies(&rec, "too_many_objects"), 1);
}
END_TEST

START_TEST(limit_points)
{
	/* a response announcing 65536 binary inputs: over 16384 per message */
	const uint8_t big[] = { 0xc0, 0x81, 0, 0, 1, 2, 0x01, 0, 0, 0xff, 0xff };
	/* a read of the same range decodes no point: no limit */
	const uint8_t rd[] = { 0xc0, 0x01, 1, 2, 0x01, 0, 0, 0xff, 0xff };
	uint8_t app[4000];
	size_t n = 0;
	int k;

	feed_app(4, 3, big, sizeof(big));
	ck_assert_int_eq(recorder_anomalies(&rec, "too_many_points"), 1);
	feed_app(3, 4, rd, sizeof(rd));
	ck_assert_int_eq(recorder_anomalies(&rec, "too_many_points"), 1);
	/* 8192 + 8192 packed points fit, one more does not */
	app[n++] = 0xc0;
	app[n++] = 0x81;
	app[n++] = 0;
	app[n++] = 0;
	for (k = 0; k < 3; k++) {
		uint16_t stop = k < 2 ? 8191 : 0;
		size_t bytes = k < 2 ? 1024 : 1;

		app[n++] = 1;
		app[n++] = 1;
		app[n++] = 0x01;
		app[n++] = 0;
		app[n++] = 0;
		app[n++] = stop & 0xff;
		app[n++] = stop >> 8;
		memset(app + n, 0x55, bytes);
		n += bytes;
	}
	feed_app(4, 3, app, n - 8);
	ck_assert_int_eq(recorder_anomalies(&rec, "too_many_points"), 1);
	ck_assert(json_has(recorder_msg(&rec, 2), "\"complete\":true"));
	feed_app(4, 3, app, n);
	ck_assert_int_eq(recorder_anomalies(&rec, "too_many_points"), 2);
	ck_assert(json_has(recorder_msg(&rec, 3), "\"complete\":false"));
	/* logged points are bounded by max_log_values */
	rec.lim.max_log_values = 10;
	recorder_clear(&rec);
	n = big_response(app, 300);
	feed_app(4, 3, app, n);
	ck_assert_int_eq(rec.n_anom, 0);
	ck_assert(json_has(recorder_msg(&rec, 0), "\"index\":9,"));
	ck_assert(!json_has(recorder_msg(&rec, 0), "\"index\":10,"));
}
END_TEST

START_TEST(limit_pending)
{
	uint8_t app[] = { 0xc0, 0x01, 60, 1, 0x06 };
	const uint8_t rsp[] = { 0xcf, 0x81, 0, 0 };
	struct dnp3_counters cnt;
	int i;

	rec.lim.max_pending = 4;
	for (i = 0; i < 10; i++) {
		app[0] = (uint8_t)(0xc0 | i);
		feed_app(3, 4, app, sizeof(app));
	}
	ck_assert_int_eq(rec.n_msg, 10);
	ck_assert_int_eq(recorder_anomalies(&rec, "too_many_pending"), 1);
	dnp3_get_counters(st, &cnt);
	ck_assert_uint_eq(cnt.pending_dropped, 6);
	/* the oldest were dropped: a response to seq 9 still pairs */
	ctx.from_client = 0;
	app[0] = 0xc9;
	feed_app(4, 3, (const uint8_t[]){ 0xc9, 0x81, 0, 0 }, 4);
	ck_assert(recorder_msg(&rec, 10)->ev.rtt >= 0);
	feed_app(4, 3, rsp, sizeof(rsp));       /* seq 15: nothing pending */
	ck_assert(recorder_msg(&rec, 11)->ev.rtt < 0);
	/* a limit raised later does not outgrow the table made for it */
	rec.lim.max_pending = 64;
	for (i = 0; i < 10; i++)
		feed_app(3, 4, app, sizeof(app));
	dnp3_get_counters(st, &cnt);
	ck_assert_uint_eq(cnt.pending_dropped, 6 + 9);   /* 3 waiting, room for 1 */
}
END_TEST

START_TEST(no_detail_no_json)
{
	ctx.want_detail = 0;
	feed(real_read, sizeof(real_read));
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_ptr_null(recorder_msg(&rec, 0)->json);
	ck_assert_int_eq(recorder_msg(&rec, 0)->ev.n_ranges, 4);
}
END_TEST

START_TEST(state_free_null)
{
	dnp3_dissector.state_free(NULL);
	dnp3_dissector.parse(&ctx, NULL, real_read, sizeof(real_read));
	ck_assert_int_eq(rec.n, 0);
}
END_TEST

static Suite *dnp3_suite(void)
{
	Suite *s = suite_create("dnp3");
	TCase *t = tcase_create("link");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, crc_known_vectors);
	tcase_add_test(t, crc_matches_bitwise);
	tcase_add_test(t, object_lookup_by_group);
	tcase_add_test(t, real_read_request);
	tcase_add_test(t, bad_header_crc);
	tcase_add_test(t, bad_block_crc);
	tcase_add_test(t, truncated_prefixes_udp);
	tcase_add_test(t, truncated_prefixes_tcp);
	tcase_add_test(t, multi_and_split_frames);
	tcase_add_test(t, link_only_frames);
	tcase_add_test(t, udp_datagrams);
	tcase_add_test(t, probe);
	tcase_add_test(t, state_free_null);
	suite_add_tcase(s, t);

	t = tcase_create("transport");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, transport_in_order);
	tcase_add_test(t, transport_missing_fir);
	tcase_add_test(t, transport_missing_fin);
	tcase_add_test(t, transport_out_of_sequence);
	tcase_add_test(t, transport_limits);
	tcase_add_test(t, gap_resets);
	tcase_add_test(t, transport_empty_segments);
	tcase_add_test(t, transport_slot_eviction);
	suite_add_tcase(s, t);

	t = tcase_create("application");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, truncated_app_prefixes);
	tcase_add_test(t, pairing_and_iin);
	tcase_add_test(t, every_function_named);
	tcase_add_test(t, unknown_function);
	tcase_add_test(t, objects_binary_and_counters);
	tcase_add_test(t, objects_analog);
	tcase_add_test(t, objects_crob);
	tcase_add_test(t, objects_time_and_class);
	tcase_add_test(t, objects_device_attributes);
	tcase_add_test(t, objects_file_auth_octets);
	tcase_add_test(t, objects_aggressive_mode);
	tcase_add_test(t, unknown_object_stops);
	tcase_add_test(t, malformed_qualifiers);
	tcase_add_test(t, no_detail_no_json);
	suite_add_tcase(s, t);

	t = tcase_create("limits");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, limit_objects);
	tcase_add_test(t, limit_points);
	tcase_add_test(t, limit_pending);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dnp3_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
