/*
 * check_eve.c - the EVE writer: timestamps, common fields, UTF-8 fallback,
 * compact lines to file sinks, reopen for rotation; addresses.
 */
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "eve.h"
#include "flow.h"

START_TEST(timestamp_format)
{
	struct timeval tv = { 1704164645, 123456 };    /* 2024-01-02T03:04:05 UTC */
	struct timeval z = { 0, 7 };
	char buf[64];

	ck_assert_str_eq(eve_timestamp(&tv, buf, sizeof(buf)), "2024-01-02T03:04:05.123456+0000");
	ck_assert_str_eq(eve_timestamp(&z, buf, sizeof(buf)), "1970-01-01T00:00:00.000007+0000");
}
END_TEST

/* The reference: gmtime_r and printf, nothing remembered. */
static void ref_timestamp(const struct timeval *tv, char *buf, size_t len)
{
	struct tm tm;
	time_t t = tv->tv_sec;
	long us = (long)tv->tv_usec;

	if (us < 0 || us > 999999)
		us = 0;
	ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+0000", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
}

/* The remembered second and the two-digit fraction against the reference:
 * runs within one second (the memo), each second, minute, day, month and
 * year boundary and leap days crossed forwards and backwards, before 1970,
 * the last second of 9999 and past it, and every microsecond edge
 * (including values out of range, written as 0). */
START_TEST(timestamp_fast_equals_reference)
{
	static const time_t edges[] = {
		0, 59, 3599, 86399, 951782399 /* 2000-02-28 23:59:59 */,
		951868799 /* 2000-02-29 23:59:59 */, 946684799 /* 1999-12-31 23:59:59 */,
		1704067199 /* 2023-12-31 23:59:59 */, 1709251199 /* 2024-02-29 23:59:59 */,
		4107542399, -1, -86401, 253402300799 /* 9999-12-31 23:59:59 */,
	};
	static const long usecs[] = { 0, 1, 9, 10, 99, 100, 9999, 10000, 99999, 100000,
				      123456, 999999, -1, 1000000 };
	struct timeval tv;
	char got[64], want[64];
	size_t i, j;
	int d;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		for (d = -2; d <= 2; d++) {
			for (j = 0; j < sizeof(usecs) / sizeof(usecs[0]); j++) {
				tv.tv_sec = edges[i] + d;
				tv.tv_usec = (suseconds_t)usecs[j];
				ref_timestamp(&tv, want, sizeof(want));
				eve_timestamp(&tv, got, sizeof(got));
				ck_assert_str_eq(got, want);
				/* again: the same second from memory */
				eve_timestamp(&tv, got, sizeof(got));
				ck_assert_str_eq(got, want);
			}
		}
		/* back to an earlier second after a later one */
		tv.tv_sec = edges[i] - 1;
		tv.tv_usec = 5;
		ref_timestamp(&tv, want, sizeof(want));
		ck_assert_str_eq(eve_timestamp(&tv, got, sizeof(got)), want);
	}
}
END_TEST

START_TEST(timestamp_parse_inverse)
{
	/* every written form reads back to the same instant, across leap
	 * days and centuries */
	static const time_t secs[] = {
		0, 951782400 /* 2000-02-29 */, 1704164645, 4107542399 /* 2100-02-28 23:59:59 */,
		1582934400 /* 2020-02-29 */, 253402300799 /* 9999-12-31 23:59:59 */,
	};
	struct timeval tv, back;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		tv.tv_sec = secs[i];
		tv.tv_usec = (suseconds_t)(i * 123457 % 1000000);
		ck_assert_int_eq(eve_timestamp_parse(eve_timestamp(&tv, buf, sizeof(buf)), &back), 0);
		ck_assert_int_eq((long long)back.tv_sec, (long long)tv.tv_sec);
		ck_assert_int_eq((long)back.tv_usec, (long)tv.tv_usec);
	}
	ck_assert_int_eq(eve_timestamp_parse("2024-01-02T03:04:05Z", &back), 0);
	ck_assert_int_eq((long long)back.tv_sec, 1704164645LL);
	ck_assert_int_eq((long)back.tv_usec, 0);
	ck_assert_int_eq(eve_timestamp_parse("2024-01-02T03:04:05.5+0000", &back), 0);
	ck_assert_int_eq((long)back.tv_usec, 500000);
	ck_assert_int_eq(eve_timestamp_parse("2024-01-02T03:04:05.1+0200", &back), -1);
	ck_assert_int_eq(eve_timestamp_parse("2024-13-02T03:04:05", &back), -1);
	ck_assert_int_eq(eve_timestamp_parse("2024-01-02 03:04:05", &back), -1);
	ck_assert_int_eq(eve_timestamp_parse("", &back), -1);
	ck_assert_int_eq(eve_timestamp_parse(NULL, &back), -1);
}
END_TEST

START_TEST(string_utf8_or_hex)
{
	const uint8_t ok[] = "caf\xc3\xa9";
	const uint8_t bad[] = { 'a', 0xff, 'b' };
	const uint8_t nul[] = { 'a', 0, 'b' };
	const uint8_t overlong[] = { 0xc0, 0xaf };
	json_t *j;

	j = eve_string(ok, 5);
	ck_assert_str_eq(json_string_value(j), "caf\xc3\xa9");
	json_decref(j);
	j = eve_string(bad, 3);
	ck_assert_str_eq(json_string_value(j), "61ff62");
	json_decref(j);
	j = eve_string(nul, 3);
	ck_assert_str_eq(json_string_value(j), "610062");
	json_decref(j);
	j = eve_string(overlong, 2);
	ck_assert_str_eq(json_string_value(j), "c0af");
	json_decref(j);
	j = eve_string(NULL, 0);
	ck_assert_str_eq(json_string_value(j), "");
	json_decref(j);
}
END_TEST

static void make_flow(struct flow *f)
{
	memset(f, 0, sizeof(*f));
	f->id = 42;
	f->l4 = IPPROTO_TCP;
	ot_ip_parse("10.0.0.1", &f->cli_ip);
	ot_ip_parse("10.0.0.2", &f->srv_ip);
	f->cli_port = 40000;
	f->srv_port = 502;
}

START_TEST(common_fields)
{
	struct timeval tv = { 1704164645, 5 };
	struct flow f;
	json_t *ev, *v;

	make_flow(&f);
	ev = eve_event_new("modbus", &tv, &f, 1);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "timestamp")),
			 "2024-01-02T03:04:05.000005+0000");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "event_type")), "modbus");
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "flow_id")), 42);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "src_ip")), "10.0.0.1");
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "src_port")), 40000);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "dest_ip")), "10.0.0.2");
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "dest_port")), 502);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "proto")), "TCP");
	ck_assert_ptr_null(json_object_get(ev, "vlan"));
	json_decref(ev);

	/* server -> client, UDP, QinQ, IPv6 */
	f.l4 = IPPROTO_UDP;
	f.nvlan = 2;
	f.vlan[0] = 10;
	f.vlan[1] = 20;
	ot_ip_parse("fe80::1", &f.srv_ip);
	ev = eve_event_new("dnp3", &tv, &f, 0);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "src_ip")), "fe80::1");
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "src_port")), 502);
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "dest_port")), 40000);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "proto")), "UDP");
	v = json_object_get(ev, "vlan");
	ck_assert_int_eq(json_array_size(v), 2);
	ck_assert_int_eq(json_integer_value(json_array_get(v, 0)), 10);
	ck_assert_int_eq(json_integer_value(json_array_get(v, 1)), 20);
	json_decref(ev);

	/* the transport's whole name, no ports outside TCP/UDP/SCTP; a number
	 * with no name in three digits */
	f.l4 = IPPROTO_ICMPV6;
	ev = eve_event_new("flow", &tv, &f, 1);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "proto")), "IPv6-ICMP");
	ck_assert_ptr_null(json_object_get(ev, "src_port"));
	json_decref(ev);
	f.l4 = 253;
	ev = eve_event_new("flow", &tv, &f, 1);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "proto")), "253");
	json_decref(ev);
	f.l4 = 7;
	ev = eve_event_new("flow", &tv, &f, 1);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "proto")), "007");
	json_decref(ev);

	/* no flow: no tuple */
	ev = eve_event_new("stats", &tv, NULL, 1);
	ck_assert_ptr_null(json_object_get(ev, "src_ip"));
	ck_assert_ptr_null(json_object_get(ev, "flow_id"));
	json_decref(ev);
}
END_TEST

static size_t read_file(const char *path, char *buf, size_t n);

/* A streamed line and a tree line with the same members are the same bytes. */
START_TEST(streamed_line_equals_tree_line)
{
	char path[] = "/tmp/check_eve_XXXXXX", buf[4096];
	struct timeval tv = { 1704164645, 5 };
	struct eve *e = eve_new();
	struct flow f;
	struct jw *w;
	json_t *ev, *o;
	char err[128];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(eve_add_file(e, path, err, sizeof(err)), 0);
	make_flow(&f);
	f.nvlan = 1;
	f.vlan[0] = 7;
	ev = eve_event_new("modbus", &tv, &f, 0);
	o = json_object();
	json_object_set_new(o, "s", eve_string((const uint8_t *)"\xff", 1));
	json_object_set_new(o, "r", json_real(0.25));
	json_object_set_new(ev, "modbus", o);
	ck_assert_int_eq(eve_write(e, ev), 0);
	w = eve_line_begin(e, "modbus", &tv, &f, 0);
	jw_object_open(w, "modbus");
	jw_bytes(w, "s", (const uint8_t *)"\xff", 1);
	jw_real(w, "r", 0.25);
	ck_assert_int_eq(eve_line_end(e, w), 0);     /* closes what is open */
	eve_flush(e);
	read_file(path, buf, sizeof(buf));
	ck_assert_str_eq(buf,
		"{\"timestamp\":\"2024-01-02T03:04:05.000005+0000\",\"flow_id\":42,"
		"\"event_type\":\"modbus\",\"vlan\":[7],\"src_ip\":\"10.0.0.2\","
		"\"src_port\":502,\"dest_ip\":\"10.0.0.1\",\"dest_port\":40000,"
		"\"proto\":\"TCP\",\"community_id\":\"1:/+JBy2Q1zp1KkEWqSPgaxJf5R90=\","
		"\"modbus\":{\"s\":\"ff\",\"r\":0.25}}\n"
		"{\"timestamp\":\"2024-01-02T03:04:05.000005+0000\",\"flow_id\":42,"
		"\"event_type\":\"modbus\",\"vlan\":[7],\"src_ip\":\"10.0.0.2\","
		"\"src_port\":502,\"dest_ip\":\"10.0.0.1\",\"dest_port\":40000,"
		"\"proto\":\"TCP\",\"community_id\":\"1:/+JBy2Q1zp1KkEWqSPgaxJf5R90=\","
		"\"modbus\":{\"s\":\"ff\",\"r\":0.25}}\n");
	eve_free(e);
	unlink(path);
}
END_TEST

static size_t read_file(const char *path, char *buf, size_t n)
{
	FILE *fp = fopen(path, "r");
	size_t r;

	ck_assert_ptr_nonnull(fp);
	r = fread(buf, 1, n - 1, fp);
	buf[r] = 0;
	fclose(fp);
	return r;
}

/* The lines of the file at path, flushed from e, into line[max]: each run
 * of three (a tree line, then two streamed) must be equal.  Returns the
 * number of lines. */
static int lines_in_threes(struct eve *e, const char *path, char *buf, size_t size,
			   char **line, int max)
{
	char *p;
	int n = 0, i;

	eve_flush(e);
	read_file(path, buf, size);
	for (p = strtok(buf, "\n"); p && n < max; p = strtok(NULL, "\n"))
		line[n++] = p;
	for (i = 0; i + 2 < n; i += 3) {
		ck_assert_str_eq(line[i + 1], line[i]);
		ck_assert_str_eq(line[i + 2], line[i]);
	}
	return n;
}

/* The tuple text remembered per flow and direction follows every change:
 * each streamed line equals the tree line built afresh, through repeats,
 * both directions, a changed address under the same flow id, Community ID
 * off and on, and another seed. */
START_TEST(tuple_memo_follows_the_flow)
{
	char path[] = "/tmp/check_eve_XXXXXX", buf[16384], *line[32];
	struct timeval tv = { 1704164645, 5 };
	struct eve *e = eve_new();
	struct flow f;
	struct jw *w;
	char err[128];
	int fd = mkstemp(path), step;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(eve_add_file(e, path, err, sizeof(err)), 0);
	make_flow(&f);
	for (step = 0; step < 8; step++) {
		int dir = step & 1;

		if (step == 4)
			ot_ip_parse("10.9.9.9", &f.srv_ip);     /* same id, new tuple */
		if (step == 5)
			eve_set_community_id(0, 0);
		if (step == 6)
			eve_set_community_id(1, 7);
		if (step == 7)
			eve_set_community_id(1, 0);
		ck_assert_int_eq(eve_write(e, eve_event_new("flow", &tv, &f, dir)), 0);
		w = eve_line_begin(e, "flow", &tv, &f, dir);
		ck_assert_int_eq(eve_line_end(e, w), 0);
		w = eve_line_begin(e, "flow", &tv, &f, dir);     /* again: from memory */
		ck_assert_int_eq(eve_line_end(e, w), 0);
	}
	ck_assert_int_eq(lines_in_threes(e, path, buf, sizeof(buf), line, 32), 24);
	ck_assert_ptr_nonnull(strstr(line[0], "\"src_ip\":\"10.0.0.2\""));
	ck_assert_ptr_nonnull(strstr(line[3], "\"src_ip\":\"10.0.0.1\""));
	ck_assert_ptr_nonnull(strstr(line[12], "\"src_ip\":\"10.9.9.9\""));
	ck_assert_ptr_null(strstr(line[15], "community_id"));
	ck_assert_ptr_nonnull(strstr(line[18], "community_id"));
	ck_assert_str_ne(line[18], line[21]);           /* another seed */
	eve_free(e);
	unlink(path);
}
END_TEST

/* The flow_id's digits from the memo: ids of every length, the top bit
 * (not written), each line from memory equal to the tree line. */
START_TEST(tuple_memo_flow_ids)
{
	static const uint64_t ids[] = {
		1, 9, 10, 99999999, 100000000, 123456789012345ULL,
		0x7fffffffffffffffULL, 0x8000000000000005ULL, UINT64_MAX,
	};
	char path[] = "/tmp/check_eve_XXXXXX", buf[16384], err[128], *line[40];
	struct timeval tv = { 1704164645, 5 };
	struct eve *e = eve_new();
	struct flow f;
	struct jw *w;
	int fd = mkstemp(path), i;
	size_t k;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(eve_add_file(e, path, err, sizeof(err)), 0);
	make_flow(&f);
	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		f.id = ids[k];
		ck_assert_int_eq(eve_write(e, eve_event_new("flow", &tv, &f, 1)), 0);
		for (i = 0; i < 2; i++) {
			w = eve_line_begin(e, "flow", &tv, &f, 1);
			ck_assert_int_eq(eve_line_end(e, w), 0);
		}
	}
	ck_assert_int_eq(lines_in_threes(e, path, buf, sizeof(buf), line, 40), 27);
	ck_assert_ptr_nonnull(strstr(line[21], "\"flow_id\":5,"));
	ck_assert_ptr_nonnull(strstr(line[24], "\"flow_id\":9223372036854775807,"));
	eve_free(e);
	unlink(path);
}
END_TEST

/* Many flows, both directions one after the other: flows and directions
 * that share a memo slot never take each other's text. */
START_TEST(tuple_memo_many_flows)
{
	struct timeval tv = { 1704164645, 5 };
	struct eve *e = eve_new();
	struct flow f;
	struct jw *w;
	char path[] = "/tmp/check_eve_XXXXXX", err[128], *buf, *a, *b, *save = NULL;
	int fd = mkstemp(path), id, dir, pairs = 0;
	const size_t cap = 16u << 20;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(eve_add_file(e, path, err, sizeof(err)), 0);
	eve_set_community_id(1, 0);
	make_flow(&f);
	for (id = 1; id <= 5000; id++) {
		f.id = (uint64_t)id;
		f.cli_port = (uint16_t)(1024 + id);
		for (dir = 0; dir < 2; dir++) {
			w = eve_line_begin(e, "flow", &tv, &f, dir);
			ck_assert_int_eq(eve_line_end(e, w), 0);
			ck_assert_int_eq(eve_write(e, eve_event_new("flow", &tv, &f, dir)), 0);
		}
	}
	eve_flush(e);
	buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_lt(read_file(path, buf, cap), cap - 1);
	for (a = strtok_r(buf, "\n", &save); a; a = strtok_r(NULL, "\n", &save)) {
		b = strtok_r(NULL, "\n", &save);
		ck_assert_ptr_nonnull(b);
		ck_assert_str_eq(a, b);
		pairs++;
	}
	ck_assert_int_eq(pairs, 10000);
	free(buf);
	eve_free(e);
	unlink(path);
}
END_TEST

/* The sensor's name ends every line, escaped as any string; a new name
 * replaces it and an empty one removes it. */
START_TEST(host_member)
{
	char path[] = "/tmp/check_eve_XXXXXX", buf[4096], err[128], *l2, *l3;
	struct timeval tv = { 1704164645, 5 };
	struct eve *e = eve_new();
	struct jw *w;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(eve_add_file(e, path, err, sizeof(err)), 0);
	ck_assert_int_eq(eve_set_host(e, "se\"n\\sor\t1"), 0);
	ck_assert_str_eq(eve_host(e), "se\"n\\sor\t1");
	w = eve_line_begin(e, "flow", &tv, NULL, 1);
	jw_object_open(w, "x");
	jw_int(w, "a", 1);
	ck_assert_int_eq(eve_line_end(e, w), 0);
	ck_assert_int_eq(eve_set_host(e, "vm"), 0);
	ck_assert_int_eq(eve_write(e, eve_event_new("flow", &tv, NULL, 1)), 0);
	ck_assert_int_eq(eve_set_host(e, ""), 0);
	ck_assert_ptr_null(eve_host(e));
	ck_assert_int_eq(eve_write(e, eve_event_new("flow", &tv, NULL, 1)), 0);
	eve_flush(e);
	read_file(path, buf, sizeof(buf));
	l2 = strchr(buf, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;
	l2[-1] = l3[-1] = 0;
	ck_assert_str_eq(buf, "{\"timestamp\":\"2024-01-02T03:04:05.000005+0000\","
			 "\"event_type\":\"flow\",\"x\":{\"a\":1},"
			 "\"host\":\"se\\\"n\\\\sor\\t1\"}");
	ck_assert_str_eq(l2, "{\"timestamp\":\"2024-01-02T03:04:05.000005+0000\","
			 "\"event_type\":\"flow\",\"host\":\"vm\"}");
	ck_assert_str_eq(l3, "{\"timestamp\":\"2024-01-02T03:04:05.000005+0000\","
			 "\"event_type\":\"flow\"}\n");
	eve_free(e);
	unlink(path);
}
END_TEST

START_TEST(file_sink_lines_and_reopen)
{
	char path[] = "/tmp/check_eve_XXXXXX", rotated[64], buf[4096], err[128];
	struct timeval tv = { 1704164645, 0 };
	struct eve *e = eve_new();
	uint64_t lines, errors;
	json_t *ev;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(eve_add_file(e, path, err, sizeof(err)), 0);
	ev = eve_event_new("stats", &tv, NULL, 1);
	json_object_set_new(ev, "x", json_string("a\"b\n"));
	ck_assert_int_eq(eve_write(e, ev), 0);
	eve_flush(e);
	read_file(path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{\"timestamp\":\"2024-01-02T03:04:05.000000+0000\","
			 "\"event_type\":\"stats\",\"x\":\"a\\\"b\\n\"}\n");

	/* rotation: rename, reopen, the next line goes to a fresh file */
	snprintf(rotated, sizeof(rotated), "%s.1", path);
	ck_assert_int_eq(rename(path, rotated), 0);
	eve_reopen(e);
	ck_assert_int_eq(eve_write(e, eve_event_new("flow", &tv, NULL, 1)), 0);
	eve_flush(e);
	read_file(path, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\"event_type\":\"flow\""));
	ck_assert_ptr_null(strstr(buf, "stats"));
	eve_get_counts(e, &lines, &errors);
	ck_assert_uint_eq(lines, 2);
	ck_assert_uint_eq(errors, 0);
	{
		json_t *st = json_object();

		eve_stats(e, st);
		ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "file"), "reopens")), 1);
		json_decref(st);
	}
	ck_assert_int_eq(eve_write(e, NULL), -1);
	eve_free(e);
	eve_free(NULL);
	unlink(path);
	unlink(rotated);

	e = eve_new();
	ck_assert_int_eq(eve_add_file(e, "/nonexistent-dir/x.json", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x.json"));
	eve_free(e);
}
END_TEST

START_TEST(addresses)
{
	struct ot_ip a, b;
	char buf[OTS_IPSTR_LEN];
	uint8_t mac[6] = { 0, 0x1b, 0x1b, 0xaa, 0xbb, 0xcc };

	ck_assert_int_eq(ot_ip_parse("192.168.1.10", &a), 0);
	ck_assert_str_eq(ot_ip_str(&a, buf, sizeof(buf)), "192.168.1.10");
	ck_assert_int_eq(ot_ip_is_public(&a), 0);
	ck_assert_int_eq(ot_ip_parse("0.10.100.255", &b), 0);
	ck_assert_str_eq(ot_ip_str(&b, buf, sizeof(buf)), "0.10.100.255");
	ck_assert_str_eq(ot_ip_str(&b, buf, 8), "0.10.10");     /* cut, terminated */
	ck_assert_int_eq(ot_ip_parse("8.8.8.8", &b), 0);
	ck_assert_int_eq(ot_ip_is_public(&b), 1);
	ck_assert_int_lt(ot_ip_cmp(&b, &a), 0);
	ck_assert_int_ne(ot_ip_hash(&a, 1), ot_ip_hash(&b, 1));
	ck_assert_int_ne(ot_ip_hash(&a, 1), ot_ip_hash(&a, 2));
	ck_assert_int_eq(ot_ip_parse("100.64.0.1", &a), 0);
	ck_assert_int_eq(ot_ip_is_public(&a), 0);
	ck_assert_int_eq(ot_ip_parse("224.0.0.1", &a), 0);
	ck_assert_int_eq(ot_ip_is_public(&a), 0);
	ck_assert_int_eq(ot_ip_parse("2001:db8::1", &a), 0);
	ck_assert_int_eq(ot_ip_is_public(&a), 0);
	ck_assert_int_eq(ot_ip_parse("2a00:1450::1", &a), 0);
	ck_assert_int_eq(ot_ip_is_public(&a), 1);
	ck_assert_int_eq(ot_ip_parse("fd00::1", &a), 0);
	ck_assert_int_eq(ot_ip_is_public(&a), 0);
	ck_assert_int_eq(ot_ip_parse("::ffff:8.8.8.8", &a), 0);
	ck_assert_int_eq(ot_ip_is_public(&a), 1);
	ck_assert_int_eq(ot_ip_parse("10.0.0.256", &a), -1);
	ck_assert_int_eq(ot_ip_parse("junk", &a), -1);
	ck_assert_str_eq(ot_mac_str(mac, buf, sizeof(buf)), "00:1b:1b:aa:bb:cc");
}
END_TEST

/* Reals come out in their shortest form that reads back exactly. */
START_TEST(serialiser_shortest_reals)
{
	static const struct { double d; const char *text; } cases[] = {
		{ 50.986, "[50.986]" }, { 0.1, "[0.1]" }, { 9.6e-5, "[9.6e-5]" },
		{ 1e-7, "[1e-7]" }, { 3e300, "[3e300]" }, { 2.0, "[2.0]" },
		{ 0.30000000000000004, "[0.30000000000000004]" },
	};
	char *buf = NULL;
	size_t cap = 0, len, i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *a = json_array();
		json_array_append_new(a, json_real(cases[i].d));
		ck_assert_int_eq(eve_serialise(a, &buf, &cap, &len), 0);
		ck_assert_str_eq(buf, cases[i].text);
		ck_assert(strtod(buf + 1, NULL) == cases[i].d);
		json_decref(a);
	}
	free(buf);
}
END_TEST

/* Apart from real digits, the serialiser gives exactly what jansson's
 * compact dump gives. */
START_TEST(serialiser_matches_jansson)
{
	/* reals whose shortest round-trip form has 17 digits or is exact */
	static const double reals[] = { 0.0019118785858154297, 1.0, -2.5, 1e20, 123456789.125, -0.0 };
	char raw[128], *buf = NULL, *ref;
	size_t cap = 0, len, i;
	json_t *o = json_object(), *a = json_array(), *inner = json_object();

	for (i = 0; i < 127; i++)
		raw[i] = (char)(i + 1);
	json_object_set_new(o, "ctl", json_stringn(raw, 127));
	json_object_set_new(o, "utf8", json_string("caf\xc3\xa9 \xe2\x82\xac / \\ \""));
	json_object_set_new(o, "empty", json_string(""));
	json_object_set_new(o, "k\"ey\n", json_integer(-9223372036854775807LL - 1));
	json_object_set_new(o, "max", json_integer(9223372036854775807LL));
	json_object_set_new(o, "zero", json_integer(0));
	for (i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
		json_array_append_new(a, json_real(reals[i]));
	json_array_append_new(a, json_true());
	json_array_append_new(a, json_false());
	json_array_append_new(a, json_null());
	json_array_append_new(a, json_array());
	json_array_append_new(a, json_object());
	json_object_set_new(o, "arr", a);
	json_object_set_new(inner, "b", json_integer(2));
	json_object_set_new(inner, "a", json_integer(1));
	json_object_set_new(o, "inner", inner);

	ck_assert_int_eq(eve_serialise(o, &buf, &cap, &len), 0);
	ref = json_dumps(o, JSON_COMPACT);
	ck_assert_str_eq(buf, ref);
	ck_assert_uint_eq(len, strlen(ref));
	free(ref);

	/* nesting past 64 levels is refused, not recursed into */
	{
		json_t *deep = json_array(), *cur = deep;

		for (i = 0; i < 100; i++) {
			json_t *n = json_array();
			json_array_append_new(cur, n);
			cur = n;
		}
		ck_assert_int_eq(eve_serialise(deep, &buf, &cap, &len), -1);
		json_decref(deep);
	}
	free(buf);
	json_decref(o);
}
END_TEST

static Suite *eve_suite(void)
{
	Suite *s = suite_create("eve");
	TCase *tc = tcase_create("eve");

	tcase_add_test(tc, timestamp_format);
	tcase_add_test(tc, timestamp_parse_inverse);
	tcase_add_test(tc, string_utf8_or_hex);
	tcase_add_test(tc, common_fields);
	tcase_add_test(tc, file_sink_lines_and_reopen);
	tcase_add_test(tc, streamed_line_equals_tree_line);
	tcase_add_test(tc, tuple_memo_follows_the_flow);
	tcase_add_test(tc, tuple_memo_many_flows);
	tcase_add_test(tc, addresses);
	tcase_add_test(tc, serialiser_matches_jansson);
	tcase_add_test(tc, serialiser_shortest_reals);
	tcase_add_test(tc, timestamp_fast_equals_reference);
	tcase_add_test(tc, host_member);
	tcase_add_test(tc, tuple_memo_flow_ids);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(eve_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
