/*
 * check_report_html.c - the HTML report from an inventory of two assets and
 * hand-made alerts: the per-signature summary and its caps, the assets an
 * alert names, conversations marked as unknown to the baseline, the empty
 * state, and the escaping of hostile text (markup, script closers, control
 * bytes, bytes that are not UTF-8) in HTML text and in the inline JSON.
 */
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "inventory.h"
#include "report_html.h"

static struct inventory *inv;
static struct report_html *rep;
static struct ot_ip ip_a, ip_b;

/* Two assets: 10.0.0.1 talks Modbus/TCP to 10.0.0.2. */
static void setup(void)
{
	struct inventory_config cfg;
	struct pkt_meta p;
	struct flow f;
	int dir;

	memset(&cfg, 0, sizeof(cfg));
	cfg.max_assets = 16;
	cfg.max_ips = 32;
	cfg.max_edges = 16;
	cfg.seed = 1;
	inv = inventory_new(&cfg, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(inv);
	ck_assert_int_eq(ot_ip_parse("10.0.0.1", &ip_a), 0);
	ck_assert_int_eq(ot_ip_parse("10.0.0.2", &ip_b), 0);
	memset(&f, 0, sizeof(f));
	f.id = 1;
	f.l4 = IPPROTO_TCP;
	f.cli_ip = ip_a;
	f.srv_ip = ip_b;
	f.cli_port = 40000;
	f.srv_port = 502;
	f.first.tv_sec = f.last.tv_sec = 1700000000;
	for (dir = 0; dir < 2; dir++) {
		memset(&p, 0, sizeof(p));
		p.ts = f.first;
		p.src_ip = dir ? ip_b : ip_a;
		p.dst_ip = dir ? ip_a : ip_b;
		p.ip_len = 60;
		p.wirelen = 74;
		p.l4 = IPPROTO_TCP;
		p.sport = dir ? 502 : 40000;
		p.dport = dir ? 40000 : 502;
		f.pkts[dir]++;
		f.bytes[dir] += 60;
		inventory_packet(inv, &p, &f, dir);
	}
	rep = report_html_new(inv, NULL, NULL);
	ck_assert_ptr_nonnull(rep);
}

static void teardown(void)
{
	report_html_free(rep);
	inventory_free(inv);
}

/* The page as a string (caller frees). */
static char *page(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(report_html_write_fp(rep, fp), 0);
	fclose(fp);
	ck_assert_ptr_nonnull(buf);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static void raise_one(uint32_t sid, const char *sig, int sev, long sec, int new_edge)
{
	struct report_alert a;

	memset(&a, 0, sizeof(a));
	a.gid = 1;
	a.sid = sid;
	a.signature = sig;
	a.category = "Test";
	a.source = "rule";
	a.severity = sev;
	a.mitre_id = "T0855";
	a.ts.tv_sec = 1700000000 + sec;
	a.client = ip_a;
	a.server = ip_b;
	a.l4 = IPPROTO_TCP;
	a.port = 502;
	a.new_edge = new_edge;
	report_html_alert(rep, &a);
}

START_TEST(test_empty_state)
{
	char *s = page();

	ck_assert_ptr_nonnull(strstr(s, "id=\"no-alerts\""));
	ck_assert_uint_eq(count(s, "<tr class=\"asset-row\""), 2);
	ck_assert_uint_eq(count(s, "<g class=\"node\""), 2);
	ck_assert_uint_eq(count(s, "<tr class=\"alert-row\""), 0);
	ck_assert_ptr_null(strstr(s, "stroke-dasharray"));
	ck_assert_ptr_nonnull(strstr(s, "</html>\n"));
	free(s);
}
END_TEST

START_TEST(test_signatures_and_assets)
{
	struct report_html_stats st;
	char *s;
	int i;

	for (i = 0; i < 5; i++)
		raise_one(7, "repeated", 1, i, 0);
	raise_one(8, "other", 3, 10, 1);
	report_html_get_stats(rep, &st);
	ck_assert_uint_eq(st.alerts, 6);
	ck_assert_uint_eq(st.signatures, 2);
	s = page();
	ck_assert_uint_eq(count(s, "<tr class=\"alert-row\""), 2);
	/* the count of the repeated signature, and both assets named */
	ck_assert_ptr_nonnull(strstr(s, "<td data-v=\"5\">5</td>"));
	ck_assert_ptr_nonnull(strstr(s, ">10.0.0.1</span>, <span data-asset="));
	/* the conversation the baseline did not know is dashed */
	ck_assert_uint_eq(count(s, "stroke-dasharray"), 1);
	ck_assert_ptr_null(strstr(s, "id=\"no-alerts\""));
	free(s);
}
END_TEST

START_TEST(test_caps)
{
	struct report_html_stats st;
	char *s;
	uint32_t i;

	for (i = 0; i < REPORT_MAX_SIGNATURES + 10; i++)
		raise_one(100 + i, "many", 2, 0, 0);
	for (i = 0; i < REPORT_TIMELINE_MAX; i++)
		raise_one(100, "many", 2, (long)i, 0);
	report_html_get_stats(rep, &st);
	ck_assert_uint_eq(st.signatures, REPORT_MAX_SIGNATURES);
	ck_assert_uint_eq(st.signatures_dropped, 10);
	s = page();
	ck_assert_uint_eq(count(s, "<tr class=\"alert-row\""), REPORT_MAX_SIGNATURES);
	ck_assert_ptr_nonnull(strstr(s, "10 alerts of signatures past the first 256"));
	ck_assert_ptr_nonnull(strstr(s, "The timeline shows the latest 4096 alerts"));
	free(s);
}
END_TEST

START_TEST(test_hostile_text)
{
	const char *evil = "</script><script>x()</script><!--\"'<b>&\x01\x1f\x7f\xff\xc3(end";
	char *s, *data, *end;

	raise_one(9, evil, 1, 0, 0);
	s = page();
	/* the page's own two script blocks, no comment opener anywhere */
	ck_assert_uint_eq(count(s, "</script"), 2);
	ck_assert_uint_eq(count(s, "<script"), 2);
	ck_assert_uint_eq(count(s, "<!--"), 0);
	ck_assert_uint_eq(count(s, "<b>"), 0);
	/* as text: references, control pictures, U+FFFD for bad bytes */
	ck_assert_ptr_nonnull(strstr(s, "&lt;/script&gt;&lt;script&gt;x()&lt;/script&gt;&lt;!--&quot;"
					"&#39;&lt;b&gt;&amp;\xe2\x90\x81\xe2\x90\x9f\xe2\x90\xa1"
					"\xef\xbf\xbd\xef\xbf\xbd(end"));
	/* in the inline JSON (the asset panel's alert list) '<', '>' and '&'
	 * are \u escapes */
	data = strstr(s, "<script type=\"application/json\" id=\"report-data\">");
	ck_assert_ptr_nonnull(data);
	data += strlen("<script type=\"application/json\" id=\"report-data\">");
	end = strstr(data, "</script>");
	ck_assert_ptr_nonnull(end);
	*end = 0;
	ck_assert_ptr_nonnull(strstr(data, "\\u003c/script\\u003e\\u003cscript\\u003ex()"));
	ck_assert_ptr_null(strchr(data, '<'));
	ck_assert_ptr_null(strchr(data, '>'));
	ck_assert_ptr_null(strchr(data, '&'));
	free(s);
}
END_TEST

START_TEST(test_write_atomic)
{
	char path[] = "/tmp/check_report_html.XXXXXX", file[64], err[256];
	FILE *fp;
	char buf[32];

	ck_assert_ptr_nonnull(mkdtemp(path));
	snprintf(file, sizeof(file), "%s/r.html", path);
	ck_assert_int_eq(report_html_write(rep, file, err, sizeof(err)), 0);
	fp = fopen(file, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	ck_assert_str_eq(buf, "<!DOCTYPE html>\n");
	fclose(fp);
	unlink(file);
	rmdir(path);
	/* a directory that does not exist: an error with the reason */
	ck_assert_int_eq(report_html_write(rep, "/nonexistent-dir/r.html", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/r.html"));
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report_html");
	TCase *tc = tcase_create("report");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_empty_state);
	tcase_add_test(tc, test_signatures_and_assets);
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_hostile_text);
	tcase_add_test(tc, test_write_atomic);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
