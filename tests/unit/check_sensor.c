/*
 * check_sensor.c - the pipeline: packets in, flow and stats events out,
 * observers called in order with ticks on packet time.
 */
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <unistd.h>

#include "capture.h"
#include "decode.h"
#include "eve.h"
#include "protolog.h"
#include "sensor.h"
#include "options.h"

/* ---- a sink that keeps the lines ---- */

struct mem_sink {
	json_t *lines;          /* array of parsed objects */
	int closed;
};

static int mem_write(void *ctx, const char *line, size_t len)
{
	struct mem_sink *m = ctx;
	json_error_t e;
	json_t *j = json_loadb(line, len, 0, &e);

	ck_assert_msg(j != NULL, "invalid JSON line: %s", line);
	ck_assert_ptr_null(strchr(line, '\n'));
	json_array_append_new(m->lines, j);
	return 0;
}

static void mem_close(void *ctx)
{
	struct mem_sink *m = ctx;

	m->closed = 1;
}

static struct mem_sink ms;

static struct eve *mem_eve(void)
{
	struct eve *e = eve_new();
	struct eve_sink s = { .name = "mem", .ctx = &ms, .write = mem_write, .close = mem_close };

	ms.lines = json_array();
	ms.closed = 0;
	ck_assert_int_eq(eve_add_sink(e, &s), 0);
	return e;
}

static json_t *find_line(const char *type, int nth)
{
	size_t i;
	json_t *l;

	json_array_foreach(ms.lines, i, l) {
		const char *t = json_string_value(json_object_get(l, "event_type"));
		if (t && strcmp(t, type) == 0 && nth-- == 0)
			return l;
	}
	return NULL;
}

static int count_lines(const char *type)
{
	int n = 0;

	while (find_line(type, n))
		n++;
	return n;
}

/* ---- an observer that records calls ---- */

struct rec {
	int packets, flow_ends, ticks, finishes, stats, frees, snapshots;
	char order[64];
	size_t norder;
	char tag;
};

static void rec_packet(void *ctx, const struct pkt_meta *p, const struct flow *f, int dir)
{
	struct rec *r = ctx;

	ck_assert_ptr_nonnull(f);
	ck_assert(dir == 0 || dir == 1);
	r->packets++;
	if (r->norder < sizeof(r->order) - 1)
		r->order[r->norder++] = r->tag;
	(void)p;
}

static void rec_flow_end(void *ctx, const struct flow *f) { ((struct rec *)ctx)->flow_ends++; (void)f; }
static void rec_tick(void *ctx, const struct timeval *now) { ((struct rec *)ctx)->ticks++; (void)now; }
static void rec_finish(void *ctx, const struct timeval *t) { ((struct rec *)ctx)->finishes++; (void)t; }
static void rec_snapshot(void *ctx, const struct timeval *t) { ((struct rec *)ctx)->snapshots++; (void)t; }
static void rec_free(void *ctx) { ((struct rec *)ctx)->frees++; }

static void rec_stats(void *ctx, json_t *st)
{
	((struct rec *)ctx)->stats++;
	json_object_set_new(st, "rec", json_integer(1));
}

static void attach_rec(struct sensor *s, struct rec *r, char tag)
{
	struct sensor_observer o = {
		.name = "rec", .ctx = r, .on_packet = rec_packet, .on_flow_end = rec_flow_end,
		.on_tick = rec_tick, .on_finish = rec_finish, .on_stats = rec_stats,
		.on_free = rec_free, .on_snapshot = rec_snapshot,
	};

	memset(r, 0, sizeof(*r));
	r->tag = tag;
	ck_assert_int_eq(sensor_add_observer(s, &o), 0);
}

/* ---- packets ---- */

static size_t udp_frame(uint8_t *b, uint8_t last_src, uint8_t last_dst, uint16_t sp,
			uint16_t dp, size_t plen, uint16_t vlan)
{
	size_t n = 0, ipstart;
	int i;

	for (i = 0; i < 12; i++)
		b[n++] = (uint8_t)(i < 6 ? last_dst : last_src);
	if (vlan) {
		b[n++] = 0x81; b[n++] = 0x00;
		b[n++] = (uint8_t)(vlan >> 8); b[n++] = (uint8_t)vlan;
	}
	b[n++] = 0x08; b[n++] = 0x00;
	ipstart = n;
	memset(b + n, 0, 28);
	b[n] = 0x45;
	b[n + 2] = (uint8_t)((28 + plen) >> 8);
	b[n + 3] = (uint8_t)(28 + plen);
	b[n + 8] = 64;
	b[n + 9] = IPPROTO_UDP;
	b[n + 12] = 192; b[n + 13] = 168; b[n + 14] = 0; b[n + 15] = last_src;
	b[n + 16] = 192; b[n + 17] = 168; b[n + 18] = 0; b[n + 19] = last_dst;
	n += 20;
	b[n] = (uint8_t)(sp >> 8); b[n + 1] = (uint8_t)sp;
	b[n + 2] = (uint8_t)(dp >> 8); b[n + 3] = (uint8_t)dp;
	b[n + 4] = (uint8_t)((8 + plen) >> 8); b[n + 5] = (uint8_t)(8 + plen);
	n += 8;
	memset(b + n, 'x', plen);
	(void)ipstart;
	return n + plen;
}

static void feed(struct sensor *s, long sec, long usec, const uint8_t *b, size_t n)
{
	struct timeval ts = { 1700000000 + sec, usec };

	sensor_packet(s, OTS_DLT_EN10MB, &ts, (uint32_t)n, (uint32_t)n, b);
}

static struct sensor *new_sensor(struct eve *e)
{
	struct flow_config fc;
	char err[128];
	struct sensor *s;

	ots_flow_config_default(&fc);
	fc.ndpi_enable = 0;
	s = sensor_new(e, &fc, err, sizeof(err));
	ck_assert_msg(s != NULL, "sensor_new: %s", err);
	return s;
}

START_TEST(flow_and_stats_events)
{
	struct eve *e = mem_eve();
	struct sensor *s = new_sensor(e);
	struct rec a, b;
	uint8_t fr[200];
	size_t n;
	json_t *fl, *st;

	attach_rec(s, &a, 'a');
	attach_rec(s, &b, 'b');
	n = udp_frame(fr, 1, 2, 40000, 20000, 10, 7);
	feed(s, 0, 0, fr, n);
	feed(s, 0, 500000, fr, n);
	n = udp_frame(fr, 2, 1, 20000, 40000, 20, 7);
	feed(s, 2, 250000, fr, n);
	fr[12] = 0x08; fr[13] = 0x06;           /* ARP: decoded no further */
	feed(s, 3, 0, fr, n);
	ck_assert_int_eq(count_lines("flow"), 0);
	sensor_finish(s);
	sensor_finish(s);                       /* twice: no second report */

	ck_assert_int_eq(count_lines("flow"), 1);
	ck_assert_int_eq(count_lines("stats"), 1);
	fl = find_line("flow", 0);
	ck_assert_str_eq(json_string_value(json_object_get(fl, "proto")), "UDP");
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(fl, "vlan"), 0)), 7);
	fl = json_object_get(fl, "flow");
	ck_assert_int_eq(json_integer_value(json_object_get(fl, "pkts_toserver")) +
			 json_integer_value(json_object_get(fl, "pkts_toclient")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(fl, "bytes_toserver")) +
			 json_integer_value(json_object_get(fl, "bytes_toclient")), 38 + 38 + 48);
	ck_assert_str_eq(json_string_value(json_object_get(fl, "start")), "2023-11-14T22:13:20.000000+0000");
	ck_assert_str_eq(json_string_value(json_object_get(fl, "end")), "2023-11-14T22:13:22.250000+0000");
	ck_assert_str_eq(json_string_value(json_object_get(fl, "state")), "established");
	ck_assert_str_eq(json_string_value(json_object_get(fl, "reason")), flow_end_reason_name(FLOW_END_SHUTDOWN));

	st = json_object_get(find_line("stats", 0), "stats");
	ck_assert_int_eq(json_integer_value(json_object_get(st, "packets")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(st, "decoder"), "errors"), "non_ip")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "flow"), "created")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(st, "rec")), 1);

	/* observers: every packet to both, in registration order */
	ck_assert_int_eq(a.packets, 3);
	ck_assert_int_eq(b.packets, 3);
	ck_assert_int_eq(a.flow_ends, 1);
	ck_assert_int_eq(a.finishes, 1);
	ck_assert_int_eq(b.stats, 1);
	/* packet seconds 0, 0, 2, 3: ticks at 0, 2, 3 */
	ck_assert_int_eq(a.ticks, 3);
	ck_assert_int_eq(a.order[0], 'a');
	ck_assert_int_eq(b.order[0], 'b');
	sensor_request_snapshot(s, &(struct timeval){ 1, 0 });
	ck_assert_int_eq(b.snapshots, 1);
	sensor_free(s);
	ck_assert_int_eq(a.frees, 1);
	ck_assert_int_eq(b.frees, 1);
	ck_assert_int_eq(ms.closed, 1);
	json_decref(ms.lines);
	sensor_free(NULL);
}
END_TEST

START_TEST(flow_log_off_and_live_ticks)
{
	struct eve *e = mem_eve();
	struct sensor *s = new_sensor(e);
	struct rec a;
	uint8_t fr[200];
	size_t n = udp_frame(fr, 1, 2, 1000, 2000, 4, 0);
	struct timeval later = { 1700000000 + 100000, 0 };

	attach_rec(s, &a, 'a');
	ck_assert_int_eq(protolog_attach(s, ~0u, 1), 0);
	sensor_set_flow_log(s, 0);
	feed(s, 0, 0, fr, n);
	/* time passes without packets: the idle flow ends */
	sensor_tick(s, &later);
	ck_assert_int_eq(a.flow_ends, 1);
	ck_assert_int_eq(a.ticks, 2);
	sensor_set_capture_stats(s, 10, 3, 1);
	sensor_write_stats(s, &later);
	ck_assert_int_eq(count_lines("stats"), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(
		find_line("stats", 0), "stats"), "capture"), "kernel_drops")), 3);
	ck_assert_ptr_nonnull(json_object_get(json_object_get(find_line("stats", 0), "stats"), "protolog"));
	sensor_finish(s);
	ck_assert_int_eq(count_lines("flow"), 0);
	ck_assert_int_eq(count_lines("stats"), 2);
	sensor_free(s);
	json_decref(ms.lines);
}
END_TEST

START_TEST(observer_table_is_bounded)
{
	struct eve *e = mem_eve();
	struct sensor *s = new_sensor(e);
	struct sensor_observer o = { .name = "x" };
	int i;

	for (i = 0; i < SENSOR_MAX_OBSERVERS; i++)
		ck_assert_int_eq(sensor_add_observer(s, &o), 0);
	ck_assert_int_eq(sensor_add_observer(s, &o), -1);
	ck_assert_int_eq(protolog_attach(s, ~0u, 1), -1);
	sensor_free(s);
	json_decref(ms.lines);
}
END_TEST

/* Write n copies of frame (one second apart) to a pcap file. */
static void write_pcap(const char *path, const uint8_t *fr, size_t len, int n)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(dead, path);
	struct pcap_pkthdr h;
	int i;

	ck_assert_ptr_nonnull(d);
	for (i = 0; i < n; i++) {
		h.ts.tv_sec = 1700000000 + i;
		h.ts.tv_usec = 0;
		h.caplen = h.len = (bpf_u_int32)len;
		pcap_dump((u_char *)d, &h, fr);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

START_TEST(capture_files_survive_bad_inputs)
{
	char good[] = "/tmp/check_sensor_XXXXXX", cut[64];
	const char *paths[3];
	struct capture_config cc;
	struct capture_result res;
	struct eve *e = mem_eve();
	struct sensor *s = new_sensor(e);
	uint8_t fr[200], buf[4096];
	size_t n = udp_frame(fr, 1, 2, 5000, 20000, 30, 0);
	FILE *in, *out;
	size_t got;
	int fd = mkstemp(good);

	ck_assert_int_ge(fd, 0);
	close(fd);
	write_pcap(good, fr, n, 10);
	/* a copy cut in the middle of the fourth record */
	snprintf(cut, sizeof(cut), "%s.cut", good);
	in = fopen(good, "rb");
	out = fopen(cut, "wb");
	got = fread(buf, 1, 24 + 3 * (16 + n) + 20, in);
	fwrite(buf, 1, got, out);
	fclose(in);
	fclose(out);

	capture_config_default(&cc);
	paths[0] = cut;
	paths[1] = "/nonexistent/x.pcap";
	paths[2] = good;
	ck_assert_int_eq(capture_files(s, paths, 3, &cc, &res), 0);
	ck_assert_uint_eq(res.packets, 3 + 10);
	ck_assert_int_eq(res.files_ok, 1);
	ck_assert_int_eq(res.files_failed, 2);

	/* a filter that matches nothing, then one that does not compile */
	cc.bpf = "tcp";
	ck_assert_int_eq(capture_files(s, paths + 2, 1, &cc, &res), 0);
	ck_assert_uint_eq(res.packets, 0);
	cc.bpf = "tcp port";
	ck_assert_int_eq(capture_files(s, paths + 2, 1, &cc, &res), -1);
	ck_assert_int_eq(res.files_failed, 1);
	/* nothing readable at all */
	cc.bpf = NULL;
	ck_assert_int_eq(capture_files(s, paths + 1, 1, &cc, &res), -1);

	sensor_finish(s);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(find_line("stats", 0),
		"stats"), "packets")), 13);
	ck_assert_int_eq(count_lines("flow"), 1);
	sensor_free(s);
	json_decref(ms.lines);
	unlink(good);
	unlink(cut);
}
END_TEST

static Suite *sensor_suite(void)
{
	Suite *s = suite_create("sensor");
	TCase *tc = tcase_create("sensor");

	tcase_add_test(tc, flow_and_stats_events);
	tcase_add_test(tc, flow_log_off_and_live_ticks);
	tcase_add_test(tc, observer_table_is_bounded);
	tcase_add_test(tc, capture_files_survive_bad_inputs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sensor_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
