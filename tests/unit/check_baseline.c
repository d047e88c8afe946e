/*
 * check_baseline.c - learning, every deviation type, the file format.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "alert.h"
#include "baseline.h"
#include "baseline_int.h"
#include "flow.h"
#include "pkt.h"
#include "event.h"
#include "modbus.h"
#include "options.h"

/* The sensor's default thresholds. */
static const struct bl_config *bl_defaults(void)
{
	static struct bl_config cfg;

	ots_baseline_config_default(&cfg);
	return &cfg;
}

static struct flow mkflow(const char *cli, const char *srv, uint16_t port)
{
	struct flow f;

	memset(&f, 0, sizeof(f));
	f.id = 1;
	f.l4 = IPPROTO_TCP;
	ck_assert_int_eq(ot_ip_parse(cli, &f.cli_ip), 0);
	ck_assert_int_eq(ot_ip_parse(srv, &f.srv_ip), 0);
	f.cli_port = 40000;
	f.srv_port = port;
	return f;
}

static struct ot_event mkev(const struct flow *f, double ts, enum ot_dir dir, int func,
			    enum ot_category cat)
{
	struct ot_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = OT_EV_MESSAGE;
	ev.proto = OT_PROTO_MODBUS;
	ev.dir = dir;
	ev.from_client = dir == OT_DIR_REQUEST;
	ev.flow = f;
	ev.ts.tv_sec = (time_t)ts;
	ev.ts.tv_usec = (suseconds_t)((ts - (double)(time_t)ts) * 1e6);
	ev.unit = 1;
	ev.link_src = ev.link_dst = ev.rack = ev.slot = -1;
	ev.func = func;
	ev.group = ev.subfunc = -1;
	ev.cat = cat;
	ev.txn = -1;
	ev.status = 0;
	ev.rtt = -1;
	return ev;
}

/* One poll: FC3 read of holding 0..9 and its response with values. */
static void poll(struct baseline *b, const struct flow *f, double ts, double value)
{
	struct ot_event rq = mkev(f, ts, OT_DIR_REQUEST, 3, OT_CAT_READ);
	struct ot_event rs = mkev(f, ts + 0.01, OT_DIR_RESPONSE, 3, OT_CAT_READ);

	ot_range_add(&rq, OT_SPACE_MB_HOLDING, 0, 0, 0, 10);
	baseline_event(b, &rq);
	ot_value_add(&rs, OT_SPACE_MB_HOLDING, 0, 4, value);
	ot_ident_add(&rs, OT_ID_FIRMWARE, (const uint8_t *)"v1.0", 4);
	baseline_event(b, &rs);
}

static uint64_t total_alerts(const struct baseline *b)
{
	uint64_t n = 0;
	int k;

	for (k = 1; k < BL_KIND_COUNT; k++)
		n += baseline_alert_count(b, (enum bl_kind)k);
	return n;
}

/* The last baseline alert seen by the alerter: its kind and evidence. */
struct seen_alert {
	int n;
	char kind[32];
	json_t *evidence;
};

static void keep_alert(void *ctx, const struct alert *a)
{
	struct seen_alert *s = ctx;
	const char *k = json_string_value(json_object_get(a->metadata, "kind"));

	s->n++;
	snprintf(s->kind, sizeof(s->kind), "%s", k ? k : "");
	json_decref(s->evidence);
	s->evidence = json_deep_copy(a->evidence);
}

/* Learn 100 polls one second apart, values 10..20; then switch to detect. */
static struct baseline *learned(const struct flow *f, double *t)
{
	struct baseline *b = baseline_new(bl_defaults());
	int i;

	ck_assert_ptr_nonnull(b);
	baseline_set_learning(b, 1, 0);
	for (i = 0; i < 100; i++)
		poll(b, f, 1000.0 + i + (i % 3) * 0.01, 10.0 + (i % 11));
	*t = 1100.0;
	baseline_set_learning(b, 0, 1);
	return b;
}

START_TEST(normal_traffic_is_quiet)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	double t;
	struct baseline *b = learned(&f, &t);
	struct timeval tv;
	int i;

	for (i = 0; i < 200; i++) {
		poll(b, &f, t + i + (i % 3) * 0.01, 11.0 + (i % 9));
		tv.tv_sec = (time_t)(t + i);
		tv.tv_usec = 0;
		baseline_tick(b, &tv);
	}
	ck_assert_uint_eq(total_alerts(b), 0);
	baseline_free(b);
}
END_TEST

START_TEST(write_where_only_reads)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	double t;
	struct baseline *b = learned(&f, &t);
	struct ot_event w = mkev(&f, t, OT_DIR_REQUEST, 6, OT_CAT_WRITE);

	ot_range_add(&w, OT_SPACE_MB_HOLDING, 0, 0, 4, 1);
	baseline_event(b, &w);
	ck_assert_uint_eq(baseline_alert_count(b, BL_UNEXPECTED_WRITE), 1);
	ck_assert_uint_eq(baseline_alert_count(b, BL_NEW_FUNCTION), 0);
	baseline_free(b);
}
END_TEST

START_TEST(new_function_edge_protocol)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	struct flow g = mkflow("10.0.0.5", "10.0.0.11", 502);   /* known client, new server */
	struct flow h = mkflow("10.0.0.6", "10.0.0.10", 502);   /* new client */
	double t;
	struct baseline *b = learned(&f, &t);
	struct ot_event e1 = mkev(&f, t, OT_DIR_REQUEST, 43, OT_CAT_IDENTITY);
	struct ot_event e2 = mkev(&g, t, OT_DIR_REQUEST, 3, OT_CAT_READ);
	struct ot_event e3 = mkev(&h, t, OT_DIR_REQUEST, 3, OT_CAT_READ);

	baseline_event(b, &e1);
	ck_assert_uint_eq(baseline_alert_count(b, BL_NEW_FUNCTION), 1);
	baseline_event(b, &e2);
	ck_assert_uint_eq(baseline_alert_count(b, BL_NEW_PROTOCOL), 1);  /* .11 never served */
	baseline_event(b, &e3);
	ck_assert_uint_eq(baseline_alert_count(b, BL_NEW_PROTOCOL), 2);  /* .6 never a client */
	baseline_free(b);
}
END_TEST

START_TEST(new_edge_between_known_hosts)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	struct flow g = mkflow("10.0.0.6", "10.0.0.11", 502);
	struct flow x = mkflow("10.0.0.5", "10.0.0.11", 502);
	struct baseline *b = baseline_new(bl_defaults());
	struct alerter *al;
	struct seen_alert sa = { 0, "", NULL };
	struct alert_config acfg;
	struct ot_event e;
	int i;

	baseline_set_learning(b, 1, 0);
	for (i = 0; i < 20; i++) {
		poll(b, &f, 1000 + i, 10);
		poll(b, &g, 1000 + i, 10);
	}
	baseline_set_learning(b, 0, 1);
	ots_alert_config_default(&acfg);
	al = alerter_new(NULL, &acfg);
	alerter_set_observer(al, keep_alert, &sa);
	baseline_set_alerter(b, al);
	e = mkev(&x, 2000, OT_DIR_REQUEST, 3, OT_CAT_READ);
	baseline_event(b, &e);
	ck_assert_uint_eq(baseline_alert_count(b, BL_NEW_EDGE), 1);
	ck_assert_uint_eq(baseline_alert_count(b, BL_NEW_PROTOCOL), 0);
	/* what the two hosts were learned doing instead */
	ck_assert_str_eq(json_string_value(json_array_get(
		json_object_get(sa.evidence, "client_learned_ot"), 0)), "modbus/client");
	ck_assert_str_eq(json_string_value(json_array_get(
		json_object_get(sa.evidence, "server_learned_ot"), 0)), "modbus/server");
	json_decref(sa.evidence);
	alerter_free(al);
	baseline_free(b);
}
END_TEST

START_TEST(new_address_range)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	double t;
	struct baseline *b = learned(&f, &t);
	struct ot_event in = mkev(&f, t, OT_DIR_REQUEST, 3, OT_CAT_READ);
	struct ot_event out = mkev(&f, t + 0.5, OT_DIR_REQUEST, 3, OT_CAT_READ);

	ot_range_add(&in, OT_SPACE_MB_HOLDING, 0, 0, 2, 5);     /* inside 0..9 */
	baseline_event(b, &in);
	ck_assert_uint_eq(baseline_alert_count(b, BL_NEW_ADDRESS_RANGE), 0);
	ot_range_add(&out, OT_SPACE_MB_HOLDING, 0, 0, 8, 5);    /* 8..12 */
	baseline_event(b, &out);
	ck_assert_uint_eq(baseline_alert_count(b, BL_NEW_ADDRESS_RANGE), 1);
	baseline_free(b);
}
END_TEST

START_TEST(identity_change)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	double t;
	struct baseline *b = learned(&f, &t);
	struct ot_event rs = mkev(&f, t, OT_DIR_RESPONSE, 43, OT_CAT_IDENTITY);

	ot_ident_add(&rs, OT_ID_FIRMWARE, (const uint8_t *)"v1.0", 4);
	baseline_event(b, &rs);
	ck_assert_uint_eq(baseline_alert_count(b, BL_IDENTITY_CHANGE), 0);
	rs.n_ident = 0;
	ot_ident_add(&rs, OT_ID_FIRMWARE, (const uint8_t *)"v6.66", 5);
	baseline_event(b, &rs);
	ck_assert_uint_eq(baseline_alert_count(b, BL_IDENTITY_CHANGE), 1);
	baseline_free(b);
}
END_TEST

START_TEST(period_drift_and_silence)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	double t;
	struct baseline *b = learned(&f, &t);
	struct timeval tv;
	int i;

	for (i = 0; i < 10; i++)
		poll(b, &f, t + i * 0.3, 12);           /* 3x faster than learned */
	ck_assert_uint_eq(baseline_alert_count(b, BL_PERIOD_DRIFT), 1);
	tv.tv_sec = (time_t)t + 1000;
	tv.tv_usec = 0;
	baseline_tick(b, &tv);
	ck_assert_uint_eq(baseline_alert_count(b, BL_CHANNEL_SILENT), 1);
	tv.tv_sec += 10;
	baseline_tick(b, &tv);                          /* alerted once */
	ck_assert_uint_eq(baseline_alert_count(b, BL_CHANNEL_SILENT), 1);
	baseline_free(b);
}
END_TEST

START_TEST(value_out_of_range)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	double t;
	struct baseline *b = learned(&f, &t);

	poll(b, &f, t, 20.5);           /* within 10% of the 10..20 span */
	ck_assert_uint_eq(baseline_alert_count(b, BL_VALUE_OUT_OF_RANGE), 0);
	poll(b, &f, t + 1, 95.0);
	ck_assert_uint_eq(baseline_alert_count(b, BL_VALUE_OUT_OF_RANGE), 1);
	baseline_free(b);
}
END_TEST

START_TEST(external_peer)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	struct flow x = mkflow("8.8.4.4", "10.0.0.10", 502);
	double t;
	struct baseline *b = learned(&f, &t);
	struct ot_event e = mkev(&x, t, OT_DIR_REQUEST, 3, OT_CAT_READ);

	baseline_event(b, &e);
	ck_assert_uint_eq(baseline_alert_count(b, BL_EXTERNAL_OT_PEER), 1);
	ck_assert_uint_eq(baseline_alert_count(b, BL_NEW_PROTOCOL), 0);
	baseline_free(b);
}
END_TEST

static struct pkt_meta mkpkt(const char *src, const char *dst, uint16_t dport, uint8_t flags,
			     double ts, uint8_t mac_last)
{
	struct pkt_meta p;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(ot_ip_parse(src, &p.src_ip), 0);
	ck_assert_int_eq(ot_ip_parse(dst, &p.dst_ip), 0);
	p.ts.tv_sec = (time_t)ts;
	p.l4 = IPPROTO_TCP;
	p.sport = 40000;
	p.dport = dport;
	p.tcp_flags = flags;
	p.has_mac = 1;
	p.src_mac[0] = 0x00;
	p.src_mac[1] = 0x1b;
	p.src_mac[2] = 0x1b;
	p.src_mac[5] = mac_last;
	return p;
}

START_TEST(assets_bindings_and_scan)
{
	struct baseline *b = baseline_new(bl_defaults());
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	struct pkt_meta p;
	int i;

	baseline_set_learning(b, 1, 0);
	f.pkts[0] = 1;
	p = mkpkt("10.0.0.5", "10.0.0.10", 502, TCP_SYN, 100, 5);
	baseline_packet(b, &p, &f, FLOW_C2S);
	baseline_set_learning(b, 0, 1);

	/* the same binding: quiet; a new MAC for the IP: ip_mac_change */
	baseline_packet(b, &p, &f, FLOW_C2S);
	ck_assert_uint_eq(total_alerts(b), 0);
	p = mkpkt("10.0.0.5", "10.0.0.10", 502, TCP_ACK, 101, 99);
	baseline_packet(b, &p, &f, FLOW_C2S);
	ck_assert_uint_eq(baseline_alert_count(b, BL_IP_MAC_CHANGE), 1);

	/* a new host sweeping ports: new_asset once, scan once */
	for (i = 0; i < 30; i++) {
		struct flow g = mkflow("10.0.0.66", "10.0.0.10", (uint16_t)(1 + i));
		g.pkts[0] = 1;
		p = mkpkt("10.0.0.66", "10.0.0.10", (uint16_t)(1 + i), TCP_SYN, 200 + i * 0.1, 66);
		baseline_packet(b, &p, &g, FLOW_C2S);
	}
	ck_assert_uint_ge(baseline_alert_count(b, BL_NEW_ASSET), 1);
	ck_assert_uint_eq(baseline_alert_count(b, BL_SCAN), 1);
	baseline_free(b);
}
END_TEST

START_TEST(unit_scan_and_error_burst)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	double t;
	struct baseline *b = learned(&f, &t);
	int i;

	for (i = 2; i < 12; i++) {
		struct ot_event e = mkev(&f, t + i * 0.1, OT_DIR_REQUEST, 3, OT_CAT_READ);
		e.unit = i;
		ot_range_add(&e, OT_SPACE_MB_HOLDING, 0, 0, 0, 10);
		baseline_event(b, &e);
	}
	ck_assert_uint_eq(baseline_alert_count(b, BL_SCAN), 1);
	for (i = 0; i < 8; i++) {
		struct ot_event r = mkev(&f, t + 2 + i * 0.1, OT_DIR_RESPONSE, 3, OT_CAT_READ);
		r.status = 2;
		baseline_event(b, &r);
	}
	ck_assert_uint_eq(baseline_alert_count(b, BL_ERROR_BURST), 1);
	baseline_free(b);
}
END_TEST

/* The requests of a strict cycle, one second apart: A (holding 0..9) at
 * t, C (input 0..4) at t + 0.3, D (input 10..14) at t + 0.6. */
static struct ot_event cycle_req(const struct flow *f, char which, double t)
{
	struct ot_event e = mkev(f, t + (which == 'A' ? 0 : which == 'C' ? 0.3 : 0.6),
				 OT_DIR_REQUEST, which == 'A' ? 3 : 4, OT_CAT_READ);

	if (which == 'A')
		ot_range_add(&e, OT_SPACE_MB_HOLDING, 0, 0, 0, 10);
	else
		ot_range_add(&e, OT_SPACE_MB_INPUT, 0, 0, which == 'C' ? 0 : 10, 5);
	return e;
}

/* Learn n cycles A, C, D from t0, then detect. */
static void learn_cycles(struct baseline *b, const struct flow *f, double t0, int n)
{
	struct ot_event e;
	int i;

	baseline_set_learning(b, 1, 0);
	for (i = 0; i < n; i++) {
		e = cycle_req(f, 'A', t0 + i);
		baseline_event(b, &e);
		e = cycle_req(f, 'C', t0 + i);
		baseline_event(b, &e);
		e = cycle_req(f, 'D', t0 + i);
		baseline_event(b, &e);
	}
	baseline_set_learning(b, 0, 1);
}

/* Send the requests named in seq, one cycle (second) per group. */
static void send_cycle(struct baseline *b, const struct flow *f, double t, const char *seq)
{
	struct ot_event e;

	for (; *seq; seq++) {
		e = cycle_req(f, *seq, t);
		t += 0.01;
		baseline_event(b, &e);
	}
}

START_TEST(message_order)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	struct baseline *b = baseline_new(bl_defaults());

	/* a strict cycle over more than the confidence span */
	learn_cycles(b, &f, 1000, 70);
	send_cycle(b, &f, 2000, "ACD");
	ck_assert_uint_eq(baseline_alert_count(b, BL_UNEXPECTED_SEQUENCE), 0);
	send_cycle(b, &f, 2001, "AD");         /* C skipped: A then D never learned */
	ck_assert_uint_eq(baseline_alert_count(b, BL_UNEXPECTED_SEQUENCE), 1);
	baseline_free(b);
}
END_TEST


static char tmpdir[64];

static void mk_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/ots_blXXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* b saved to a file in a new tmpdir (its name in path) and loaded again,
 * the copy only detecting. */
static struct baseline *saved_and_loaded(const struct baseline *b, char *path, size_t len)
{
	struct baseline *l;
	char err[256];

	mk_tmpdir();
	snprintf(path, len, "%s/b.json", tmpdir);
	ck_assert_int_eq(baseline_save(b, path, err, sizeof(err)), 0);
	l = baseline_load(path, bl_defaults(), err, sizeof(err));
	ck_assert_msg(l != NULL, "load failed: %s", err);
	baseline_set_learning(l, 0, 1);
	return l;
}

/* A channel keeps its request symbol's hash (the fast path); it must be
 * bl_sym_hash of the symbol its key holds (the slow one), the value the
 * file's transitions are keyed by when loaded. */
START_TEST(channel_keeps_its_symbol_hash)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	struct baseline *b = baseline_new(bl_defaults()), *l;
	const struct bl_entry *c;
	char path[128];
	int kept = 0;

	learn_cycles(b, &f, 1000, 70);
	send_cycle(b, &f, 2000, "ACD");
	for (c = b->chans; c; c = c->cnext) {
		struct bl_sym s;

		if (!c->sym_hash)
			continue;
		memset(&s, 0, sizeof(s));
		s.func = c->k.func;
		s.sub = c->k.sub;
		s.space = c->k.space;
		s.block = c->k.block;
		s.start = c->k.start;
		s.count = c->k.count;
		ck_assert_uint_eq(c->sym_hash, bl_sym_hash(&s));
		kept++;
	}
	ck_assert_int_ge(kept, 3);

	/* the hashes detection goes by meet the loaded file's transitions */
	l = saved_and_loaded(b, path, sizeof(path));
	send_cycle(l, &f, 2000, "ACD");
	ck_assert_uint_eq(baseline_alert_count(l, BL_UNEXPECTED_SEQUENCE), 0);
	send_cycle(l, &f, 2001, "AD");
	ck_assert_uint_eq(baseline_alert_count(l, BL_UNEXPECTED_SEQUENCE), 1);
	baseline_free(l);
	baseline_free(b);
	unlink(path);
	rmdir(tmpdir);
}
END_TEST

/* ---- one alert per message, point classes, confidence ------------------- */

/* A read response of holding 0..n-1 with values vals. */
static void respond(struct baseline *b, const struct flow *f, double ts, const double *vals, int n)
{
	struct ot_event rs = mkev(f, ts, OT_DIR_RESPONSE, 3, OT_CAT_READ);
	int i;

	for (i = 0; i < n; i++)
		ot_value_add(&rs, OT_SPACE_MB_HOLDING, 0, (uint32_t)i, vals[i]);
	baseline_event(b, &rs);
}

/*
 * 24 registers learned over 100 s, one poll a second:
 *   0..19  analog, 10..20
 *   20     a counter (rises by one each poll)
 *   21..23 text "AB" "CD" "EF", constant
 */
static struct baseline *learned_block(const struct flow *f, const struct bl_config *cfg,
				      int polls)
{
	struct baseline *b = baseline_new(cfg);
	double v[24];
	int i, j;

	baseline_set_learning(b, 1, 0);
	for (i = 0; i < polls; i++) {
		struct ot_event rq = mkev(f, 1000.0 + i, OT_DIR_REQUEST, 3, OT_CAT_READ);
		ot_range_add(&rq, OT_SPACE_MB_HOLDING, 0, 0, 0, 24);
		baseline_event(b, &rq);
		for (j = 0; j < 20; j++)
			v[j] = 10.0 + ((i + j) % 11);
		v[20] = 100.0 + i;
		v[21] = 0x4142;
		v[22] = 0x4344;
		v[23] = 0x4546;
		respond(b, f, 1000.0 + i + 0.01, v, 24);
	}
	baseline_set_learning(b, 0, 1);
	return b;
}

static void normal_block(double *v)
{
	int j;

	for (j = 0; j < 20; j++)
		v[j] = 15.0;
	v[20] = 5000.0;         /* a counter far ahead: not judged */
	v[21] = 0x4142;
	v[22] = 0x4344;
	v[23] = 0x4546;
}

/* The learned block in detection, its alerts kept in sa. */
static struct baseline *watched_block(const struct flow *f, struct alerter **al,
				      struct seen_alert *sa)
{
	struct baseline *b = learned_block(f, bl_defaults(), 100);
	struct alert_config acfg;

	memset(sa, 0, sizeof(*sa));
	ots_alert_config_default(&acfg);
	*al = alerter_new(NULL, &acfg);
	alerter_set_observer(*al, keep_alert, sa);
	baseline_set_alerter(b, *al);
	return b;
}

START_TEST(one_alert_per_message)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	struct alerter *al;
	struct seen_alert sa;
	struct baseline *b = watched_block(&f, &al, &sa);
	double v[24];
	int j;

	normal_block(v);
	respond(b, &f, 2000.0, v, 24);
	ck_assert_int_eq(sa.n, 0);

	/* three points out of range in one message: one alert listing three */
	v[2] = 500.0;
	v[3] = 600.0;
	v[7] = -400.0;
	respond(b, &f, 2001.0, v, 24);
	ck_assert_int_eq(sa.n, 1);
	ck_assert_str_eq(sa.kind, "value_out_of_range");
	ck_assert_int_eq(json_integer_value(json_object_get(sa.evidence, "count")), 3);
	ck_assert(json_is_false(json_object_get(sa.evidence, "truncated")));
	ck_assert_uint_eq(json_array_size(json_object_get(sa.evidence, "points")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(
		json_array_get(json_object_get(sa.evidence, "points"), 2), "index")), 7);
	ck_assert_str_eq(json_string_value(json_object_get(
		json_array_get(json_object_get(sa.evidence, "points"), 0), "class")), "analog");
	ck_assert_uint_eq(baseline_alert_count(b, BL_VALUE_OUT_OF_RANGE), 1);

	/* all twenty analog points: one alert, sixteen listed, truncated */
	for (j = 0; j < 20; j++)
		v[j] = 900.0;
	respond(b, &f, 2002.0, v, 24);
	ck_assert_int_eq(sa.n, 2);
	ck_assert_int_eq(json_integer_value(json_object_get(sa.evidence, "count")), 20);
	ck_assert(json_is_true(json_object_get(sa.evidence, "truncated")));
	ck_assert_uint_eq(json_array_size(json_object_get(sa.evidence, "points")), 16);
	ck_assert_uint_eq(baseline_alert_count(b, BL_VALUE_OUT_OF_RANGE), 2);
	ck_assert_uint_eq(baseline_alert_count(b, BL_TEXT_CHANGE), 0);
	json_decref(sa.evidence);
	alerter_free(al);
	baseline_free(b);
}
END_TEST

START_TEST(text_and_counters_not_ranges)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	struct alerter *al;
	struct seen_alert sa;
	struct baseline *b = watched_block(&f, &al, &sa);
	double v[24];

	normal_block(v);
	v[20] = 3.0;            /* a counter going back is not a range deviation */
	respond(b, &f, 2000.0, v, 24);
	ck_assert_int_eq(sa.n, 0);

	/* the text changes: one text_change with the old and new text */
	v[22] = 0x5859;         /* "CD" -> "XY" */
	respond(b, &f, 2001.0, v, 24);
	ck_assert_int_eq(sa.n, 1);
	ck_assert_str_eq(sa.kind, "text_change");
	ck_assert_uint_eq(baseline_alert_count(b, BL_VALUE_OUT_OF_RANGE), 0);
	ck_assert_uint_eq(baseline_alert_count(b, BL_TEXT_CHANGE), 1);
	{
		json_t *p = json_array_get(json_object_get(sa.evidence, "points"), 0);
		ck_assert_int_eq(json_integer_value(json_object_get(p, "index")), 22);
		ck_assert_str_eq(json_string_value(json_object_get(p, "text")), "XY");
		ck_assert_str_eq(json_string_value(json_object_get(p, "learned_text")), "CD");
		ck_assert_str_eq(json_string_value(json_object_get(p, "class")), "text");
	}
	json_decref(sa.evidence);
	alerter_free(al);
	baseline_free(b);
}
END_TEST

START_TEST(confidence_thresholds)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	struct bl_config cfg = *bl_defaults();
	struct baseline *b;
	double v[24];

	/* 30 polls over 29 s: enough samples, too short a span */
	b = learned_block(&f, &cfg, 30);
	normal_block(v);
	v[5] = 999.0;
	respond(b, &f, 2000.0, v, 24);
	ck_assert_uint_eq(baseline_alert_count(b, BL_VALUE_OUT_OF_RANGE), 0);
	baseline_free(b);

	/* the same with the span requirement off: judged */
	cfg.min_span = 0;
	b = learned_block(&f, &cfg, 30);
	respond(b, &f, 2000.0, v, 24);
	ck_assert_uint_eq(baseline_alert_count(b, BL_VALUE_OUT_OF_RANGE), 1);
	baseline_free(b);

	/* too few samples, whatever the span */
	cfg.min_value_samples = 50;
	b = learned_block(&f, &cfg, 30);
	respond(b, &f, 2000.0, v, 24);
	ck_assert_uint_eq(baseline_alert_count(b, BL_VALUE_OUT_OF_RANGE), 0);
	baseline_free(b);
}
END_TEST

START_TEST(sequence_one_per_departure)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	struct baseline *b = baseline_new(bl_defaults());
	struct ot_event x;

	/* a request on demand, learned once: known, not periodic */
	baseline_set_learning(b, 1, 0);
	x = mkev(&f, 999.5, OT_DIR_REQUEST, 3, OT_CAT_READ);
	ot_range_add(&x, OT_SPACE_MB_HOLDING, 0, 0, 100, 2);
	baseline_event(b, &x);
	learn_cycles(b, &f, 1000, 140);

	send_cycle(b, &f, 2000, "ACD");
	/* C skipped: A->D and D->C are both unlearned, one departure */
	send_cycle(b, &f, 2001, "ADCD");
	ck_assert_uint_eq(baseline_alert_count(b, BL_UNEXPECTED_SEQUENCE), 1);
	/* the same request twice is a retry, not a step */
	send_cycle(b, &f, 2002, "AACD");
	ck_assert_uint_eq(baseline_alert_count(b, BL_UNEXPECTED_SEQUENCE), 1);
	/* a request on demand between two polls is not judged by order */
	send_cycle(b, &f, 2003, "A");
	x.ts.tv_sec = 2003;
	x.ts.tv_usec = 100000;
	baseline_event(b, &x);
	send_cycle(b, &f, 2003.2, "CD");
	ck_assert_uint_eq(baseline_alert_count(b, BL_UNEXPECTED_SEQUENCE), 1);
	/* back in order, then a new departure alerts again */
	send_cycle(b, &f, 2004, "ACA");
	ck_assert_uint_eq(baseline_alert_count(b, BL_UNEXPECTED_SEQUENCE), 2);
	baseline_free(b);
}
END_TEST

START_TEST(show_says_confidence_and_class)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	struct baseline *b = learned_block(&f, bl_defaults(), 100), *l;
	struct bl_config cfg = *bl_defaults();
	char path[128], err[256], *out = NULL;
	size_t outlen = 0;
	FILE *mem;

	mk_tmpdir();
	snprintf(path, sizeof(path), "%s/b.json", tmpdir);
	ck_assert_int_eq(baseline_save(b, path, err, sizeof(err)), 0);
	mem = open_memstream(&out, &outlen);
	ck_assert_int_eq(baseline_show(path, &cfg, mem, err, sizeof(err)), 0);
	fclose(mem);
	ck_assert_ptr_nonnull(strstr(out, "holding 0:20 counter in [100, 199] (n 100) "
				      "[100 samples over 99.0 s: confident]"));
	ck_assert_ptr_nonnull(strstr(out, "holding 0:21 text in [16706, 16706]"));
	ck_assert_ptr_nonnull(strstr(out, "holding 0:0 analog in [10, 20]"));
	ck_assert_ptr_nonnull(strstr(out, "values       24 (24 confident)"));
	free(out);
	out = NULL;
	cfg.min_span = 120;     /* the same file under a longer span: nothing judged */
	mem = open_memstream(&out, &outlen);
	ck_assert_int_eq(baseline_show(path, &cfg, mem, err, sizeof(err)), 0);
	fclose(mem);
	ck_assert_ptr_nonnull(strstr(out, "values       24 (0 confident)"));
	ck_assert_ptr_nonnull(strstr(out, "[100 samples over 99.0 s: not confident]"));
	free(out);

	/* the classes survive the file */
	l = baseline_load(path, bl_defaults(), err, sizeof(err));
	ck_assert_msg(l != NULL, "load failed: %s", err);
	baseline_set_learning(l, 0, 1);
	{
		double v[24];
		normal_block(v);
		v[21] = 0x3030;
		respond(l, &f, 2000.0, v, 24);
	}
	ck_assert_uint_eq(baseline_alert_count(l, BL_TEXT_CHANGE), 1);
	ck_assert_uint_eq(baseline_alert_count(l, BL_VALUE_OUT_OF_RANGE), 0);
	baseline_free(l);
	baseline_free(b);
	unlink(path);
	rmdir(tmpdir);
}
END_TEST

START_TEST(save_load_roundtrip)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	double t;
	struct baseline *b = learned(&f, &t), *l;
	char path[128], err[256], diffout[4096];
	struct ot_event w;
	FILE *mem;

	l = saved_and_loaded(b, path, sizeof(path));
	/* the loaded model judges like the original */
	poll(l, &f, t, 15);
	ck_assert_uint_eq(total_alerts(l), 0);
	w = mkev(&f, t + 1, OT_DIR_REQUEST, 16, OT_CAT_WRITE);
	baseline_event(l, &w);
	ck_assert_uint_eq(baseline_alert_count(l, BL_UNEXPECTED_WRITE), 1);
	poll(l, &f, t + 2, 500);
	ck_assert_uint_eq(baseline_alert_count(l, BL_VALUE_OUT_OF_RANGE), 1);

	/* a baseline equals itself */
	mem = fmemopen(diffout, sizeof(diffout), "w");
	ck_assert_int_eq(baseline_diff(path, path, mem, err, sizeof(err)), 0);
	fclose(mem);
	ck_assert_ptr_nonnull(strstr(diffout, "0 added, 0 removed, 0 changed"));
	baseline_free(l);
	baseline_free(b);
	unlink(path);
	rmdir(tmpdir);
}
END_TEST

/* A controlled station's irregular unsolicited reports (IEC 104
 * spontaneous data every 0.5-3.5 s): no alert while it reports, one when it
 * stops for the silence timeout, again after it resumes and stops, and the
 * same from a saved and loaded model. */
static void report(struct baseline *b, const struct flow *f, double ts)
{
	struct ot_event ev = mkev(f, ts, OT_DIR_UNSOLICITED, 36, OT_CAT_READ);

	ev.proto = OT_PROTO_IEC104;
	ev.subfunc = 3;
	ot_range_add(&ev, OT_SPACE_ID(OT_PROTO_IEC104, 1), 101, 0, 3001, 1);  /* ioa */
	baseline_event(b, &ev);
}

static void tick_at(struct baseline *b, double t)
{
	struct timeval tv = { (time_t)t, 0 };

	baseline_tick(b, &tv);
}

START_TEST(station_reports_fall_silent)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.60", 2404);
	struct baseline *b = baseline_new(bl_defaults()), *l;
	char path[128], err[256];
	double t = 1000.0;
	int i, k;

	ck_assert_ptr_nonnull(b);
	baseline_set_learning(b, 1, 0);
	for (i = 0; i < 400; i++) {
		report(b, &f, t);
		t += 0.5 + (double)((i * 7) % 31) / 10.0;       /* 0.5 .. 3.5 s */
	}
	mk_tmpdir();
	snprintf(path, sizeof(path), "%s/r.json", tmpdir);
	ck_assert_int_eq(baseline_save(b, path, err, sizeof(err)), 0);
	l = baseline_load(path, bl_defaults(), err, sizeof(err));
	ck_assert_msg(l != NULL, "load failed: %s", err);
	unlink(path);
	rmdir(tmpdir);
	for (k = 0; k < 2; k++) {
		struct baseline *m = k ? l : b;
		double d = t;

		baseline_set_learning(m, 0, 1);
		for (i = 0; i < 200; i++) {             /* reporting: quiet */
			report(m, &f, d);
			tick_at(m, d);
			d += 0.5 + (double)((i * 5) % 31) / 10.0;
		}
		ck_assert_uint_eq(total_alerts(m), 0);
		tick_at(m, d + 200);                    /* within the 300 s timeout */
		ck_assert_uint_eq(baseline_alert_count(m, BL_CHANNEL_SILENT), 0);
		tick_at(m, d + 400);
		ck_assert_uint_eq(baseline_alert_count(m, BL_CHANNEL_SILENT), 1);
		tick_at(m, d + 500);                    /* once */
		ck_assert_uint_eq(baseline_alert_count(m, BL_CHANNEL_SILENT), 1);
		report(m, &f, d + 510);                 /* back, then silent again */
		tick_at(m, d + 600);
		ck_assert_uint_eq(baseline_alert_count(m, BL_CHANNEL_SILENT), 1);
		tick_at(m, d + 900);
		ck_assert_uint_eq(baseline_alert_count(m, BL_CHANNEL_SILENT), 2);
		ck_assert_uint_eq(total_alerts(m), 2);
	}
	baseline_free(l);
	baseline_free(b);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

/* b saved to path (in a new tmpdir) and the file's text, len bytes. */
static char *save_read(struct baseline *b, char *path, size_t pathlen, size_t *len)
{
	char err[256], *text;
	FILE *fp;

	mk_tmpdir();
	snprintf(path, pathlen, "%s/b.json", tmpdir);
	ck_assert_int_eq(baseline_save(b, path, err, sizeof(err)), 0);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	fseek(fp, 0, SEEK_END);
	*len = (size_t)ftell(fp);
	rewind(fp);
	text = calloc(1, *len + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, *len, fp), *len);
	fclose(fp);
	return text;
}

START_TEST(corrupt_files_refused)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	double t;
	struct baseline *b = learned(&f, &t);
	char path[128], err[256], *text;
	size_t len;

	text = save_read(b, path, sizeof(path), &len);

	/* truncated */
	text[len / 2] = '\0';
	write_file(path, text);
	ck_assert_ptr_null(baseline_load(path, bl_defaults(), err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not a valid baseline"));

	/* wrong version, wrong format, mistyped field, missing file */
	write_file(path, "{\"format\":\"otsentry-baseline\",\"version\":99}");
	ck_assert_ptr_null(baseline_load(path, bl_defaults(), err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "version 99 is not supported"));
	write_file(path, "{\"format\":\"something-else\",\"version\":1}");
	ck_assert_ptr_null(baseline_load(path, bl_defaults(), err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "is not an otsentry baseline"));
	write_file(path, "{\"format\":\"otsentry-baseline\",\"version\":1,\"learn_start\":0,"
		   "\"learn_end\":0,\"learned_packets\":0,\"learned_events\":0,"
		   "\"assets\":[{\"ip\":\"10.0.0.300\",\"macs\":[],\"vlans\":[],\"count\":1,"
		   "\"first_seen\":0,\"last_seen\":0}]}");
	ck_assert_ptr_null(baseline_load(path, bl_defaults(), err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "assets[0].ip"));
	unlink(path);
	ck_assert_ptr_null(baseline_load(path, bl_defaults(), err, sizeof(err)));
	free(text);
	baseline_free(b);
	rmdir(tmpdir);
}
END_TEST

/* What baseline_show prints for path (the whole model, entry by entry). */
static char *show_text(const char *path)
{
	char err[256], *out = NULL;
	size_t outlen = 0;
	FILE *mem = open_memstream(&out, &outlen);

	ck_assert_ptr_nonnull(mem);
	ck_assert_msg(baseline_show(path, bl_defaults(), mem, err, sizeof(err)) == 0, "show: %s", err);
	fclose(mem);
	return out;
}

/* The file is read entry by entry; its layout is JSON's business, not the
 * model's: the same model whatever the key order, spacing, escapes,
 * unknown keys or characters, and what JSON refuses stays refused. */
START_TEST(file_layout_does_not_matter)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	double t;
	struct baseline *b = learned(&f, &t);
	char path[128], err[256], *want, *got, *text;
	json_t *root, *rev, *v;
	const char *k;
	void *it;
	json_error_t je;
	size_t len;

	mk_tmpdir();
	snprintf(path, sizeof(path), "%s/b.json", tmpdir);
	ck_assert_int_eq(baseline_save(b, path, err, sizeof(err)), 0);
	want = show_text(path);
	ck_assert_ptr_nonnull(strstr(want, "operation"));
	root = json_load_file(path, 0, &je);
	ck_assert_ptr_nonnull(root);

	/* compact, keys in reverse order (sections first, header last), and
	 * unknown keys whose strings hold brackets and quotes */
	rev = json_object();
	json_object_set_new(rev, "note", json_pack("{s:[s,s,{s:s}]}", "x", "]}", "\"[{", "y", "\\\""));
	{
		const char *keys[64];
		int n = 0;

		json_object_foreach(root, k, v)
			keys[n++] = k;
		while (n-- > 0)
			json_object_set(rev, keys[n], json_object_get(root, keys[n]));
	}
	/* an entry with an escaped and a non-ASCII string (read by jansson,
	 * not the plain reader) */
	json_object_set_new(json_array_get(json_object_get(root, "assets"), 0), "note",
			    json_string("caf\xc3\xa9 \"x\""));
	ck_assert_int_eq(json_dump_file(rev, path, JSON_COMPACT), 0);
	got = show_text(path);
	ck_assert_str_eq(got, want);
	free(got);

	/* an escaped key (\u0061ssets is "assets") */
	text = json_dumps(root, JSON_INDENT(2));
	ck_assert_ptr_nonnull(text);
	{
		char *a = strstr(text, "\"assets\"");
		char *esc = calloc(1, strlen(text) + 8);

		ck_assert_ptr_nonnull(a);
		memcpy(esc, text, (size_t)(a - text));
		strcat(esc, "\"\\u0061ssets\"");
		strcat(esc, a + strlen("\"assets\""));
		write_file(path, esc);
		free(esc);
	}
	got = show_text(path);
	ck_assert_str_eq(got, want);
	free(got);

	/* refused: text after the object, a key twice, a trailing comma */
	len = strlen(text);
	{
		char *bad = calloc(1, len + 64);

		snprintf(bad, len + 64, "%s x", text);
		write_file(path, bad);
		ck_assert_ptr_null(baseline_load(path, bl_defaults(), err, sizeof(err)));
		ck_assert_ptr_nonnull(strstr(err, "not a valid baseline"));

		snprintf(bad, len + 64, "{\"version\": 1,%s", text + 1);
		write_file(path, bad);
		ck_assert_ptr_null(baseline_load(path, bl_defaults(), err, sizeof(err)));
		ck_assert_ptr_nonnull(strstr(err, "duplicate object key"));

		it = strstr(text, "}\n  ],");
		ck_assert_ptr_nonnull(it);
		memcpy(bad, text, (size_t)((char *)it - text) + 1);
		bad[(char *)it - text + 1] = 0;
		strcat(bad, ",");
		strcat(bad, (char *)it + 1);
		write_file(path, bad);
		ck_assert_ptr_null(baseline_load(path, bl_defaults(), err, sizeof(err)));
		ck_assert_ptr_nonnull(strstr(err, "not a valid baseline"));
		free(bad);
	}

	free(text);
	free(want);
	json_decref(rev);
	json_decref(root);
	baseline_free(b);
	unlink(path);
	rmdir(tmpdir);
}
END_TEST

/* The file is written a value at a time: byte for byte what dumping the
 * whole tree writes (one indent per level, reals to 12 digits, empty
 * sections as []). */
START_TEST(file_is_the_tree_dump)
{
	struct flow f = mkflow("10.0.0.5", "10.0.0.10", 502);
	double t;
	struct baseline *b = learned(&f, &t);
	char path[128], *text, *tree;
	json_error_t je;
	json_t *root;
	size_t len;

	text = save_read(b, path, sizeof(path), &len);
	root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	ck_assert_msg(root != NULL, "%s", je.text);
	ck_assert_int_eq(json_array_size(json_object_get(root, "io_streams")), 0);
	ck_assert_int_gt(json_array_size(json_object_get(root, "values")), 0);
	ck_assert(json_is_real(json_object_get(root, "learn_end")));
	tree = json_dumps(root, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
	ck_assert_ptr_nonnull(tree);
	ck_assert_uint_eq(len, strlen(tree) + 1);
	ck_assert(strncmp(text, tree, len - 1) == 0);
	ck_assert_int_eq(text[len - 1], '\n');
	free(tree);
	free(text);
	json_decref(root);
	baseline_free(b);
	unlink(path);
	rmdir(tmpdir);
}
END_TEST

START_TEST(key_cap_holds)
{
	struct bl_config cfg;
	struct baseline *b;
	uint64_t keys, refused;
	int i;

	ots_baseline_config_default(&cfg);
	cfg.max_keys = 50;
	b = baseline_new(&cfg);
	baseline_set_learning(b, 1, 0);
	for (i = 0; i < 500; i++) {
		char ip[32];
		struct flow f;
		snprintf(ip, sizeof(ip), "10.1.%d.%d", i / 250, i % 250 + 1);
		f = mkflow(ip, "10.0.0.10", 502);
		poll(b, &f, 1000 + i, 1);
	}
	baseline_counts(b, &keys, &refused);
	ck_assert_uint_eq(keys, 50);
	ck_assert_uint_gt(refused, 0);
	baseline_free(b);
}
END_TEST

/* ---- cyclic I/O (EtherNet/IP Forward Open and class 1 summaries) ---- */

static struct ot_event io_open(const struct flow *f, double ts, uint32_t rpi, const char *path)
{
	struct ot_event ev = mkev(f, ts, OT_DIR_RESPONSE, 0x6f, OT_CAT_SESSION);

	ev.proto = OT_PROTO_ENIP;
	ev.from_client = 0;
	ev.conn.what = OT_CONN_OPENED;
	ev.conn.transport_class = 1;
	ev.conn.trigger = 0;
	ev.conn.ot_rpi = ev.conn.to_rpi = rpi;
	ev.conn.ot_size = 14;
	ev.conn.to_size = 18;
	ev.conn.ot_id = 0x100;
	ev.conn.to_id = 0x200;
	snprintf(ev.conn.path, sizeof(ev.conn.path), "%s", path);
	return ev;
}

/* A summary of packets every 0.2 s from first to last, sent by the
 * flow's client (the UDP 2222 datagrams of one connection id). */
static struct ot_event io_traffic(const struct flow *f, double first, double last)
{
	struct ot_event ev = mkev(f, last, OT_DIR_NONE, -1, OT_CAT_READ);

	ev.proto = OT_PROTO_ENIP;
	ev.from_client = 1;
	ev.conn.what = OT_CONN_TRAFFIC;
	ev.conn.transport_class = ev.conn.trigger = 0xff;
	ev.conn.id = 0x200;
	ev.conn.first = first;
	ev.conn.last = last;
	ev.conn.packets = (uint64_t)((last - first) / 0.2) + 1;
	ev.conn.report_every = 60;
	return ev;
}

START_TEST(io_connections_and_silence)
{
	struct flow fo = mkflow("10.0.0.5", "10.0.0.20", 44818), io = mkflow("10.0.0.5", "10.0.0.20", 2222);
	struct baseline *b = baseline_new(bl_defaults());
	struct ot_event ev;
	struct timeval tv;
	double t;
	int i;

	io.l4 = IPPROTO_UDP;
	io.cli_port = 2222;
	baseline_set_learning(b, 1, 0);
	ev = io_open(&fo, 1000, 200000, "class 4/instance 1/point 102");
	baseline_event(b, &ev);
	for (t = 1000; t < 1600; t += 60) {
		ev = io_traffic(&io, 1000, t + 60);
		baseline_event(b, &ev);
	}
	baseline_set_learning(b, 0, 1);

	/* the same connection again, and its packets every minute: quiet */
	ev = io_open(&fo, 2000, 200000, "class 4/instance 1/point 102");
	baseline_event(b, &ev);
	for (i = 0; i < 600; i++) {
		t = 2000 + i;
		if (i % 60 == 59) {
			ev = io_traffic(&io, 2000, t);
			baseline_event(b, &ev);
		}
		tv.tv_sec = (time_t)t;
		tv.tv_usec = 0;
		baseline_tick(b, &tv);
	}
	ck_assert_uint_eq(total_alerts(b), 0);

	/* re-opened with another RPI; a new target path */
	ev = io_open(&fo, 2600, 100000, "class 4/instance 1/point 102");
	baseline_event(b, &ev);
	ck_assert_uint_eq(baseline_alert_count(b, BL_IO_CONNECTION_CHANGED), 1);
	ev = io_open(&fo, 2601, 200000, "class 4/instance 1/point 150");
	baseline_event(b, &ev);
	ck_assert_uint_eq(baseline_alert_count(b, BL_NEW_IO_CONNECTION), 1);
	ck_assert_uint_eq(baseline_alert_count(b, BL_IO_SILENT), 0);

	/* the stream stops at 2599: silent after its report period plus ten
	 * intervals, alerted once, re-armed when heard again */
	tv.tv_sec = 2599 + 60;
	baseline_tick(b, &tv);
	ck_assert_uint_eq(baseline_alert_count(b, BL_IO_SILENT), 0);
	tv.tv_sec = 2599 + 63;
	baseline_tick(b, &tv);
	ck_assert_uint_eq(baseline_alert_count(b, BL_IO_SILENT), 1);
	tv.tv_sec += 100;
	baseline_tick(b, &tv);
	ck_assert_uint_eq(baseline_alert_count(b, BL_IO_SILENT), 1);
	ev = io_traffic(&io, 2800, 2810);
	baseline_event(b, &ev);
	tv.tv_sec = 2810 + 70;
	baseline_tick(b, &tv);
	ck_assert_uint_eq(baseline_alert_count(b, BL_IO_SILENT), 2);
	baseline_free(b);
}
END_TEST

/* Every raised alert in order, as text: kind, time, dedup key, evidence. */
struct alert_log {
	char *text;
	size_t len;
	int n;
};

static void log_alert(void *ctx, const struct alert *a)
{
	struct alert_log *l = ctx;
	char *ev = a->evidence ? json_dumps(a->evidence, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
	char line[1024];
	int n;

	n = snprintf(line, sizeof(line), "%u %ld.%06ld %s %s\n", a->sid, (long)a->ts.tv_sec,
		     (long)a->ts.tv_usec, a->dedup_key ? a->dedup_key : "-", ev ? ev : "-");
	free(ev);
	ck_assert_int_lt(n, (int)sizeof(line));
	l->text = realloc(l->text, l->len + (size_t)n + 1);
	ck_assert_ptr_nonnull(l->text);
	memcpy(l->text + l->len, line, (size_t)n + 1);
	l->len += (size_t)n;
	l->n++;
}

/* A baseline pair judged side by side, each with an alerter whose
 * observer logs every alert. */
struct twin_watch {
	struct alerter *afast, *aslow;
	struct alert_log lf, ls;
};

static void twin_watch_start(struct twin_watch *tw, struct baseline *fast, struct baseline *slow)
{
	struct alert_config acfg;

	memset(tw, 0, sizeof(*tw));
	ots_alert_config_default(&acfg);
	tw->afast = alerter_new(NULL, &acfg);
	tw->aslow = alerter_new(NULL, &acfg);
	alerter_set_observer(tw->afast, log_alert, &tw->lf);
	alerter_set_observer(tw->aslow, log_alert, &tw->ls);
	baseline_set_alerter(fast, tw->afast);
	baseline_set_alerter(slow, tw->aslow);
}

/* The two logs the same, else the first difference shown. */
static void twin_watch_end(struct twin_watch *tw)
{
	const char *x = tw->lf.text ? tw->lf.text : "", *y = tw->ls.text ? tw->ls.text : "";
	size_t at = 0;

	ck_assert_int_eq(tw->lf.n, tw->ls.n);
	while (x[at] && x[at] == y[at])
		at++;
	ck_assert_msg(x[at] == y[at], "alerts differ: fast \"%.160s\" slow \"%.160s\"",
		      x + at, y + at);
	alerter_free(tw->afast);
	alerter_free(tw->aslow);
	free(tw->lf.text);
	free(tw->ls.text);
}

/* A summary of packets every iv seconds from first to last, sent by the
 * flow's client, reported every report seconds. */
static struct ot_event io_summary(const struct flow *f, double first, double last, double iv,
				  double report)
{
	struct ot_event ev = io_traffic(f, first, last);

	ev.conn.packets = (uint64_t)((last - first) / iv) + 1;
	ev.conn.report_every = report;
	return ev;
}

#define IO_TWIN_STREAMS 6

static struct flow io_twin_flow(int i)
{
	char cli[32];
	struct flow f;

	snprintf(cli, sizeof(cli), "10.0.1.%d", 10 + i);
	f = mkflow(cli, "10.0.0.20", 2222);
	f.l4 = IPPROTO_UDP;
	f.cli_port = 2222;
	return f;
}

/* The io streams learned: intervals from 10 ms to 5 s, reports every 10
 * to 60 s. */
static struct baseline *io_twin_learned(const double *iv, const double *report)
{
	struct baseline *b = baseline_new(bl_defaults());
	struct ot_event ev;
	int i;
	double t;

	ck_assert_ptr_nonnull(b);
	baseline_set_learning(b, 1, 0);
	for (i = 0; i < IO_TWIN_STREAMS; i++) {
		struct flow f = io_twin_flow(i);

		for (t = 1000; t < 1600; t += report[i]) {
			ev = io_summary(&f, t, t + report[i], iv[i], report[i]);
			baseline_event(b, &ev);
		}
	}
	baseline_set_learning(b, 0, 1);
	return b;
}

/* The io sweep skips its walk until the earliest deadline: the same
 * alerts, at the same times and with the same evidence, as a sweep that
 * walks every stream each time (its deadline forgotten before each tick). */
START_TEST(io_sweep_deadline_matches_full_sweep)
{
	static const double iv[IO_TWIN_STREAMS] = { 0.01, 0.2, 0.5, 2.0, 5.0, 0.05 };
	static const double report[IO_TWIN_STREAMS] = { 10, 20, 60, 60, 30, 15 };
	struct baseline *fast = io_twin_learned(iv, report), *slow = io_twin_learned(iv, report);
	struct twin_watch tw;
	double next[IO_TWIN_STREAMS], t = 5000.0;
	uint32_t rnd = 12345;
	int i, step;

	twin_watch_start(&tw, fast, slow);
	for (i = 0; i < IO_TWIN_STREAMS; i++)
		next[i] = t + report[i];
	/* stream 5 is first heard late, its summary covering time before
	 * detection began */
	next[5] = t + 400;
	for (step = 0; step < 20000; step++) {
		struct timeval tv;

		rnd = rnd * 1103515245u + 12345u;
		t += 0.05 + (double)(rnd >> 16 & 0x3ff) / 1024.0;    /* 0.05 .. 1.05 s */
		for (i = 0; i < IO_TWIN_STREAMS; i++) {
			struct flow f = io_twin_flow(i);
			struct ot_event ev;

			if (t < next[i])
				continue;
			ev = io_summary(&f, next[i] - report[i], i == 5 && step < 1000 ? 4990.0 : t,
					iv[i], report[i]);
			baseline_event(fast, &ev);
			baseline_event(slow, &ev);
			next[i] = t + report[i];
			/* now and then an outage of up to ~4 report periods */
			rnd = rnd * 1103515245u + 12345u;
			if ((rnd >> 16) % 7 == 0)
				next[i] += report[i] * (double)((rnd >> 8) % 5);
		}
		tv.tv_sec = (time_t)t;
		tv.tv_usec = (suseconds_t)((t - floor(t)) * 1e6);
		slow->next_io_due = 0;
		baseline_tick(fast, &tv);
		baseline_tick(slow, &tv);
	}
	ck_assert_uint_gt(baseline_alert_count(slow, BL_IO_SILENT), 20);
	ck_assert_uint_eq(baseline_alert_count(fast, BL_IO_SILENT),
			  baseline_alert_count(slow, BL_IO_SILENT));
	twin_watch_end(&tw);
	baseline_free(fast);
	baseline_free(slow);
}
END_TEST

/* ---- shortcut slots checked by the key's head against the whole key ---- */

#define SHAPE_CLIENTS 3
#define SHAPE_SERVERS 2

static uint32_t shape_rand(uint32_t *r)
{
	*r = *r * 1103515245u + 12345u;
	return *r >> 16;
}

/* One message to both baselines: the fast one checking shortcut slots by
 * the key's head, the slow one by the whole key. */
static void shape_event(struct baseline *fast, struct baseline *slow, const struct ot_event *ev)
{
	bl_set_fast_path(1);
	baseline_event(fast, ev);
	bl_set_fast_path(0);
	baseline_event(slow, ev);
	bl_set_fast_path(1);
}

/* One polling cycle at time t on every edge: the same request shapes on
 * each (reads of three holding blocks, one of them in two ranges, input
 * registers, coils; units 1 and 2; the addresses a little apart from one
 * client to the next) and their responses, every edge's messages through
 * one flow record (one shortcut slot for all of them); while judging
 * (odd) now and then another start, function, unit, a write, an
 * out-of-range value, a skipped or repeated request. */
static void shape_cycle(struct baseline *fast, struct baseline *slow, double t, int odd,
			uint32_t *r)
{
	static const uint32_t starts[] = { 0, 100, 200 };
	int c, sv, q;

	for (sv = 0; sv < SHAPE_SERVERS; sv++)
		for (c = 0; c < SHAPE_CLIENTS; c++) {
			char cli[32], srv[32];
			struct flow f;
			double ts = t + 0.05 * (c * SHAPE_SERVERS + sv);

			snprintf(cli, sizeof(cli), "10.0.2.%d", 10 + c);
			snprintf(srv, sizeof(srv), "10.0.3.%d", 20 + sv);
			f = mkflow(cli, srv, 502);
			f.id = (uint64_t)(1 + c * SHAPE_SERVERS + sv);
			for (q = 0; q < 5; q++) {
				struct ot_event rq, rs;
				uint32_t start = (q < 3 ? starts[q] : 0) + 7 * (uint32_t)c;
				uint32_t x = shape_rand(r) % 100, i;
				int func = q < 3 ? 3 : q == 3 ? 4 : 1;
				enum ot_space sp = q < 3 ? OT_SPACE_MB_HOLDING
					: q == 3 ? OT_SPACE_MB_INPUT : OT_SPACE_MB_COIL;

				if (odd && x < 3)
					continue;               /* skipped */
				if (odd && x == 3)
					start += 1000;          /* another block */
				if (odd && x == 4)
					func = 23;              /* another function */
				rq = mkev(&f, ts + 0.001 * q, OT_DIR_REQUEST, func, OT_CAT_READ);
				rq.unit = q < 2 ? 1 : 2;
				if (odd && x == 5)
					rq.unit = 7;
				if (odd && x == 6) {
					rq.func = 16;
					rq.cat = OT_CAT_WRITE;
				}
				ot_range_add(&rq, sp, 0, 0, start, 10);
				if (q == 2)
					ot_range_add(&rq, OT_SPACE_MB_HOLDING, 0, 0, start + 50, 5);
				shape_event(fast, slow, &rq);
				if (odd && x == 7)
					shape_event(fast, slow, &rq);   /* repeated */
				rs = mkev(&f, ts + 0.001 * q + 0.0005, OT_DIR_RESPONSE, rq.func, rq.cat);
				rs.unit = rq.unit;
				for (i = 0; i < 10 && q < 4; i++)
					ot_value_add(&rs, sp, 0, start + i,
						     odd && x == 8 && i == 3 ? 9000.0
									   : 10.0 + (shape_rand(r) % 10));
				shape_event(fast, slow, &rs);
			}
		}
}

/* Shortcut slots whose entry shares the key's tail are checked by the
 * key's head: the same alerts, at the same times and with the same
 * evidence, as slots checked by the whole key. */
START_TEST(near_head_matches_whole_key)
{
	struct baseline *fast = baseline_new(bl_defaults()), *slow = baseline_new(bl_defaults());
	struct twin_watch tw;
	uint32_t r = 777;
	int i;

	ck_assert_ptr_nonnull(fast);
	ck_assert_ptr_nonnull(slow);
	baseline_set_learning(fast, 1, 0);
	baseline_set_learning(slow, 1, 0);
	for (i = 0; i < 200; i++)
		shape_cycle(fast, slow, 1000.0 + i, 0, &r);
	baseline_set_learning(fast, 0, 1);
	baseline_set_learning(slow, 0, 1);
	twin_watch_start(&tw, fast, slow);
	for (i = 0; i < 300; i++)
		shape_cycle(fast, slow, 1200.0 + i * (i > 150 && i < 200 ? 1.4 : 1.0), 1, &r);
	ck_assert_int_gt(tw.ls.n, 100);
	ck_assert_uint_gt(baseline_alert_count(slow, BL_UNEXPECTED_SEQUENCE), 0);
	ck_assert_uint_gt(baseline_alert_count(slow, BL_NEW_ADDRESS_RANGE), 0);
	ck_assert_uint_gt(baseline_alert_count(slow, BL_VALUE_OUT_OF_RANGE), 0);
	twin_watch_end(&tw);
	baseline_free(fast);
	baseline_free(slow);
}
END_TEST

START_TEST(io_save_load)
{
	struct flow fo = mkflow("10.0.0.5", "10.0.0.20", 44818), io = mkflow("10.0.0.5", "10.0.0.20", 2222);
	struct baseline *b = baseline_new(bl_defaults()), *l;
	struct ot_event ev;
	struct timeval tv;
	char path[128], err[256];

	io.l4 = IPPROTO_UDP;
	baseline_set_learning(b, 1, 0);
	ev = io_open(&fo, 1000, 200000, "class 4/instance 1/point 102");
	baseline_event(b, &ev);
	ev = io_traffic(&io, 1000, 1060);
	baseline_event(b, &ev);
	mk_tmpdir();
	snprintf(path, sizeof(path), "%s/io.json", tmpdir);
	ck_assert_int_eq(baseline_save(b, path, err, sizeof(err)), 0);
	l = baseline_load(path, bl_defaults(), err, sizeof(err));
	ck_assert_msg(l != NULL, "load failed: %s", err);
	baseline_set_learning(l, 0, 1);
	ev = io_open(&fo, 2000, 200000, "class 4/instance 1/point 102");
	baseline_event(l, &ev);
	ck_assert_uint_eq(total_alerts(l), 0);
	ev = io_open(&fo, 2001, 200000, "class 4/instance 1/point 103");
	baseline_event(l, &ev);
	ck_assert_uint_eq(baseline_alert_count(l, BL_NEW_IO_CONNECTION), 1);
	tv.tv_sec = 2000;
	tv.tv_usec = 0;
	baseline_tick(l, &tv);
	tv.tv_sec = 2100;
	baseline_tick(l, &tv);
	ck_assert_uint_eq(baseline_alert_count(l, BL_IO_SILENT), 1);
	baseline_free(l);
	baseline_free(b);
	unlink(path);
	rmdir(tmpdir);
}
END_TEST

static Suite *baseline_suite(void)
{
	Suite *s = suite_create("baseline");
	TCase *tc = tcase_create("detect");

	tcase_add_test(tc, normal_traffic_is_quiet);
	tcase_add_test(tc, write_where_only_reads);
	tcase_add_test(tc, new_function_edge_protocol);
	tcase_add_test(tc, new_edge_between_known_hosts);
	tcase_add_test(tc, new_address_range);
	tcase_add_test(tc, identity_change);
	tcase_add_test(tc, period_drift_and_silence);
	tcase_add_test(tc, station_reports_fall_silent);
	tcase_add_test(tc, value_out_of_range);
	tcase_add_test(tc, external_peer);
	tcase_add_test(tc, assets_bindings_and_scan);
	tcase_add_test(tc, unit_scan_and_error_burst);
	tcase_add_test(tc, message_order);
	tcase_add_test(tc, channel_keeps_its_symbol_hash);
	tcase_add_test(tc, io_connections_and_silence);
	tcase_add_test(tc, io_sweep_deadline_matches_full_sweep);
	tcase_add_test(tc, near_head_matches_whole_key);
	tcase_add_test(tc, one_alert_per_message);
	tcase_add_test(tc, text_and_counters_not_ranges);
	tcase_add_test(tc, confidence_thresholds);
	tcase_add_test(tc, sequence_one_per_departure);
	suite_add_tcase(s, tc);
	tc = tcase_create("file");
	tcase_add_test(tc, save_load_roundtrip);
	tcase_add_test(tc, corrupt_files_refused);
	tcase_add_test(tc, file_layout_does_not_matter);
	tcase_add_test(tc, file_is_the_tree_dump);
	tcase_add_test(tc, key_cap_holds);
	tcase_add_test(tc, io_save_load);
	tcase_add_test(tc, show_says_confidence_and_class);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(baseline_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
