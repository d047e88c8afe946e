/*
 * check_alert.c - the alerter: alert line shape, repeats and summaries,
 * the bounded repeat table and the rate cap.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "eve.h"
#include "flow.h"
#include "event.h"
#include "modbus.h"
#include "options.h"

/* A sink that keeps every line in memory. */
struct capture {
	json_t *lines;          /* array of parsed objects */
};

static int cap_write(void *ctx, const char *line, size_t len)
{
	struct capture *c = ctx;
	json_error_t e;
	json_t *o = json_loadb(line, len, 0, &e);

	ck_assert_msg(o != NULL, "not JSON: %s", line);
	json_array_append_new(c->lines, o);
	return 0;
}

static void cap_close(void *ctx)
{
	(void)ctx;
}

static struct capture cap;

static struct eve *capture_eve(void)
{
	struct eve *e = eve_new();
	struct eve_sink s;

	ck_assert_ptr_nonnull(e);
	cap.lines = json_array();
	memset(&s, 0, sizeof(s));
	s.name = "capture";
	s.ctx = &cap;
	s.write = cap_write;
	s.close = cap_close;
	ck_assert_int_eq(eve_add_sink(e, &s), 0);
	return e;
}

static size_t count_type(const char *type)
{
	size_t i, n = 0;

	for (i = 0; i < json_array_size(cap.lines); i++) {
		const char *t = json_string_value(json_object_get(json_array_get(cap.lines, i), "event_type"));

		if (t && strcmp(t, type) == 0)
			n++;
	}
	return n;
}

static json_t *nth_of_type(const char *type, size_t nth)
{
	size_t i;

	for (i = 0; i < json_array_size(cap.lines); i++) {
		json_t *o = json_array_get(cap.lines, i);
		const char *t = json_string_value(json_object_get(o, "event_type"));

		if (t && strcmp(t, type) == 0 && nth-- == 0)
			return o;
	}
	return NULL;
}

static void sample_alert(struct alert *a, uint32_t sid, long sec, const char *key)
{
	memset(a, 0, sizeof(*a));
	a->sid = sid;
	a->rev = 2;
	a->gid = 1;
	a->signature = "S7 PLC stop";
	a->category = "Attempted Denial of Service";
	a->severity = 1;
	a->mitre_id = "T0881, T0858";
	a->mitre_name = "Service Stop,Change Operating Mode";
	a->source = "rule";
	a->ts.tv_sec = sec;
	a->dedup_key = key;
}

static struct alerter *alerter_default(struct eve *e)
{
	struct alert_config cfg;

	ots_alert_config_default(&cfg);
	return alerter_new(e, &cfg);
}

START_TEST(alert_line_shape)
{
	struct eve *e = capture_eve();
	struct alerter *al = alerter_default(e);
	struct ot_event ev;
	struct flow f;
	struct alert a;
	json_t *o, *al_o, *meta, *mb;

	memset(&ev, 0, sizeof(ev));
	ev.kind = OT_EV_MESSAGE;
	ev.proto = OT_PROTO_MODBUS;
	ev.dir = OT_DIR_REQUEST;
	ev.unit = 1;
	ev.func = 5;
	ev.func_name = "write_single_coil";
	ev.subfunc = ev.group = -1;
	ev.link_src = ev.link_dst = ev.rack = ev.slot = -1;
	ev.txn = 7;
	ev.cat = OT_CAT_WRITE;
	ot_range_add(&ev, OT_SPACE_MB_COIL, 0, 0, 100, 1);

	memset(&f, 0, sizeof(f));
	f.id = 99;
	f.l4 = 6;
	ot_ip_parse("10.0.0.1", &f.cli_ip);
	ot_ip_parse("10.0.0.2", &f.srv_ip);
	f.cli_port = 40000;
	f.srv_port = 502;
	f.has_mac = 1;
	memcpy(f.cli_mac, "\x00\x11\x22\x33\x44\x55", 6);
	memcpy(f.srv_mac, "\x66\x77\x88\x99\xaa\xbb", 6);
	ev.flow = &f;
	sample_alert(&a, 9000001, 1000, NULL);
	a.ev = &ev;
	a.flow = &f;
	a.from_client = 1;
	a.evidence = json_pack("{s:s}", "why", "test");
	a.metadata = json_pack("{s:[s]}", "kind", "unexpected_write");
	alert_raise(al, &a);
	ck_assert_ptr_null(a.evidence);

	ck_assert_uint_eq(count_type("alert"), 1);
	o = nth_of_type("alert", 0);
	al_o = json_object_get(o, "alert");
	ck_assert_str_eq(json_string_value(json_object_get(al_o, "action")), "allowed");
	ck_assert_int_eq(json_integer_value(json_object_get(al_o, "signature_id")), 9000001);
	ck_assert_int_eq(json_integer_value(json_object_get(al_o, "rev")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(al_o, "gid")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(al_o, "severity")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(al_o, "signature")), "S7 PLC stop");
	meta = json_object_get(al_o, "metadata");
	ck_assert_uint_eq(json_array_size(json_object_get(meta, "mitre_technique_id")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(meta, "mitre_technique_id"), 1)), "T0858");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(meta, "mitre_technique_name"), 0)), "Service Stop");
	ck_assert_str_eq(json_string_value(json_object_get(meta, "source")), "rule");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(meta, "kind"), 0)), "unexpected_write");
	mb = json_object_get(o, "modbus");
	ck_assert_ptr_nonnull(mb);
	ck_assert_int_eq(json_integer_value(json_object_get(mb, "func")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(mb, "unit")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(mb, "addresses"), 0), "start")), 100);
	ck_assert_str_eq(json_string_value(json_object_get(o, "app_proto")), "modbus");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "evidence"), "why")), "test");
	ck_assert_str_eq(json_string_value(json_object_get(o, "event_type")), "alert");
	ck_assert_str_eq(json_string_value(json_object_get(o, "src_ip")), "10.0.0.1");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "dest_port")), 502);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "flow_id")), 99);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "ether"), "src_mac")), "00:11:22:33:44:55");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "ether"), "dest_mac")), "66:77:88:99:aa:bb");
	ck_assert_ptr_nonnull(json_object_get(o, "timestamp"));

	alerter_free(al);
	eve_free(e);
	json_decref(cap.lines);
}
END_TEST

START_TEST(alert_repeats_counted_then_summarised)
{
	struct eve *e = capture_eve();
	struct alert_config cfg;
	struct alerter *al;
	struct alert a;
	struct timeval now;
	json_t *st, *s;
	int i;

	ots_alert_config_default(&cfg);
	cfg.repeat_summary_interval = 60;
	al = alerter_new(e, &cfg);
	for (i = 0; i < 5; i++) {
		sample_alert(&a, 1, 1000 + i, "10.0.0.1>10.0.0.2");
		alert_raise(al, &a);
	}
	sample_alert(&a, 1, 1001, "10.0.0.9>10.0.0.2");   /* other key */
	alert_raise(al, &a);
	sample_alert(&a, 2, 1001, "10.0.0.1>10.0.0.2");   /* other sid */
	alert_raise(al, &a);
	ck_assert_uint_eq(count_type("alert"), 3);
	ck_assert_uint_eq(count_type("alert_summary"), 0);

	/* 30 s of quiet: not yet ended. */
	now.tv_sec = 1034;
	now.tv_usec = 0;
	alerter_tick(al, &now);
	ck_assert_uint_eq(count_type("alert_summary"), 0);
	/* 61 s after the last repeat: the run ended, one summary with 4. */
	now.tv_sec = 1065;
	alerter_tick(al, &now);
	ck_assert_uint_eq(count_type("alert_summary"), 1);
	s = json_object_get(nth_of_type("alert_summary", 0), "alert_summary");
	ck_assert_int_eq(json_integer_value(json_object_get(s, "repeat_count")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(s, "signature_id")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(s, "reason")), "ended");
	ck_assert_str_eq(json_string_value(json_object_get(s, "dedup_key")), "10.0.0.1>10.0.0.2");

	/* After it ended, the same deviation alerts again. */
	sample_alert(&a, 1, 1100, "10.0.0.1>10.0.0.2");
	alert_raise(al, &a);
	ck_assert_uint_eq(count_type("alert"), 4);

	st = json_object();
	alerter_stats(al, st);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "alerts"), "repeats")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "alerts"), "raised")), 8);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "alerts"), "written")), 4);
	json_decref(st);
	alerter_free(al);
	eve_free(e);
	json_decref(cap.lines);
}
END_TEST

START_TEST(alert_periodic_and_final_summary)
{
	struct eve *e = capture_eve();
	struct alert_config cfg;
	struct alerter *al;
	struct alert a;
	struct timeval end = { 2000, 0 };
	int i;

	ots_alert_config_default(&cfg);
	cfg.repeat_summary_interval = 10;
	al = alerter_new(e, &cfg);
	/* one alert a second for 25 s: alert, summaries at 10 and 20 s */
	for (i = 0; i <= 25; i++) {
		sample_alert(&a, 5, 1000 + i, "k");
		alert_raise(al, &a);
	}
	ck_assert_uint_eq(count_type("alert"), 1);
	ck_assert_uint_eq(count_type("alert_summary"), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(nth_of_type("alert_summary", 0), "alert_summary"), "repeat_count")), 10);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(nth_of_type("alert_summary", 1), "alert_summary"), "reason")), "periodic");
	alerter_finish(al, &end);
	ck_assert_uint_eq(count_type("alert_summary"), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(nth_of_type("alert_summary", 2), "alert_summary"), "repeat_count")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(nth_of_type("alert_summary", 2), "alert_summary"), "total_repeats")), 25);
	alerter_free(al);
	eve_free(e);
	json_decref(cap.lines);
}
END_TEST

START_TEST(alert_dedup_table_bounded)
{
	struct eve *e = capture_eve();
	struct alert_config cfg;
	struct alerter *al;
	struct alert a;
	char key[32];
	json_t *st, *o;
	int i;

	ots_alert_config_default(&cfg);
	cfg.max_dedup_keys = 4;
	cfg.max_per_second = 0;         /* no cap */
	al = alerter_new(e, &cfg);
	sample_alert(&a, 1, 1000, "key0");
	alert_raise(al, &a);
	alert_raise(al, (sample_alert(&a, 1, 1000, "key0"), &a));   /* a repeat of key0 */
	for (i = 1; i < 10; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		sample_alert(&a, 1, 1000, key);
		alert_raise(al, &a);
	}
	ck_assert_uint_eq(count_type("alert"), 10);
	/* key0 was evicted with its pending repeat: one summary */
	ck_assert_uint_eq(count_type("alert_summary"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(nth_of_type("alert_summary", 0), "alert_summary"), "reason")), "evicted");
	/* key0 again: no longer tracked, so it alerts */
	sample_alert(&a, 1, 1001, "key0");
	alert_raise(al, &a);
	ck_assert_uint_eq(count_type("alert"), 11);
	st = json_object();
	alerter_stats(al, st);
	o = json_object_get(st, "alerts");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "dedup_keys")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "dedup_evicted")), 7);
	json_decref(st);
	alerter_free(al);
	eve_free(e);
	json_decref(cap.lines);
}
END_TEST

START_TEST(alert_rate_cap)
{
	struct eve *e = capture_eve();
	struct alert_config cfg;
	struct alerter *al;
	struct alert a;
	json_t *st;
	int i;

	ots_alert_config_default(&cfg);
	cfg.max_per_second = 3;
	al = alerter_new(e, &cfg);
	for (i = 0; i < 10; i++) {
		sample_alert(&a, 100 + i, 1000, NULL);
		alert_raise(al, &a);
	}
	ck_assert_uint_eq(count_type("alert"), 3);
	/* next second: budget again */
	for (i = 0; i < 2; i++) {
		sample_alert(&a, 200 + i, 1001, NULL);
		alert_raise(al, &a);
	}
	ck_assert_uint_eq(count_type("alert"), 5);
	st = json_object();
	alerter_stats(al, st);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "alerts"), "rate_suppressed")), 7);
	json_decref(st);
	alerter_free(al);
	eve_free(e);
	json_decref(cap.lines);
}
END_TEST

/* The alerter reads a shared metadata object without changing it. */
START_TEST(alert_shared_metadata_untouched)
{
	struct eve *e = capture_eve();
	struct alerter *al = alerter_default(e);
	json_t *shared = json_pack("{s:[s]}", "mitre_technique_id", "T0001");
	struct alert a;
	json_t *ids;

	sample_alert(&a, 1, 1000, NULL);
	a.metadata = json_incref(shared);
	alert_raise(al, &a);
	sample_alert(&a, 2, 1000, NULL);
	a.metadata = json_incref(shared);
	alert_raise(al, &a);
	ck_assert_uint_eq(json_array_size(json_object_get(shared, "mitre_technique_id")), 1);
	ck_assert_int_eq(shared->refcount, 1);
	ids = json_object_get(json_object_get(json_object_get(nth_of_type("alert", 1), "alert"), "metadata"),
			      "mitre_technique_id");
	ck_assert_uint_eq(json_array_size(ids), 3);     /* T0001, T0881, T0858 */
	json_decref(shared);
	alerter_free(al);
	eve_free(e);
	json_decref(cap.lines);
}
END_TEST

static void observe_nothing(void *ctx, const struct alert *a)
{
	(void)ctx;
	(void)a;
}

/* A sink that keeps the lines' text as written. */
static int text_write(void *ctx, const char *line, size_t len)
{
	char **t = ctx;
	size_t n = *t ? strlen(*t) : 0;

	*t = realloc(*t, n + len + 2);
	ck_assert_ptr_nonnull(*t);
	memcpy(*t + n, line, len);
	(*t)[n + len] = '\n';
	(*t)[n + len + 1] = 0;
	return 0;
}

static struct eve *text_eve(char **text)
{
	struct eve *e = eve_new();
	struct eve_sink s;

	ck_assert_ptr_nonnull(e);
	memset(&s, 0, sizeof(s));
	s.name = "text";
	s.ctx = text;
	s.write = text_write;
	s.close = cap_close;
	ck_assert_int_eq(eve_add_sink(e, &s), 0);
	return e;
}

/* Alert i of the metadata cases: the caller's metadata, techniques and
 * source in their usual and odd shapes (empty pieces, bytes that are not
 * UTF-8, members the alerter adds to, a rule's techniques with or
 * without ours). */
#define META_CASES 16

static void meta_case(struct alert *a, int i)
{
	static const char *const ids[] = { "T0881, T0858", "", " , ,", ",T1,,T2 ,",
					   "T\xff" "1,T2", NULL, "T0001", "T0855" };
	static const char *const names[] = { "Service Stop,Change Operating Mode", NULL, "One",
					     " a , b ", "X\xc3", "", "Two,", "Name" };
	static const char *const sources[] = { "rule", "baseline", NULL, "\xc3", "rule",
					       "baseline", "rule", "rule" };

	sample_alert(a, 100 + (uint32_t)i, 1000 + i, NULL);
	a->mitre_id = ids[i % 8];
	a->mitre_name = names[(i + 3) % 8];
	a->source = sources[(i + 5) % 8];
	switch (i % 8) {
	case 0: a->metadata = NULL; break;
	case 1: a->metadata = json_pack("{s:s}", "kind", "channel_silent"); break;
	case 2: a->metadata = json_pack("{s:s,s:i,s:[i,i],s:{s:f}}", "kind", "x", "n", 1,
					"arr", 1, 2, "o", "r", 0.5); break;
	case 3: a->metadata = json_pack("{s:s}", "source", "custom"); break;
	case 4: a->metadata = json_pack("{s:s,s:s}", "k", "v", "mitre_technique_id", "T9"); break;
	case 5: a->metadata = json_pack("{s:[s],s:s}", "mitre_technique_name", "N", "z", "y"); break;
	case 6: a->metadata = json_pack("[s]", "not an object"); break;
	default:        /* a rule's: its techniques and source in the metadata */
		a->metadata = i < 8 ? json_object()
				    : json_pack("{s:[s,s],s:s,s:i}", "mitre_technique_id", "T0001",
						"T0002", "source", "rule", "x", 1);
		break;
	}
	if (i >= 8)
		a->evidence = json_pack("{s:i}", "case", i);
}

/* The metadata written straight reads exactly as the one built as a tree. */
START_TEST(alert_metadata_fast_path_same_text)
{
	char *fast = NULL, *slow = NULL;
	struct eve *ef = text_eve(&fast), *es = text_eve(&slow);
	struct alerter *af = alerter_default(ef), *as = alerter_default(es);
	struct alert a;
	int i;

	alerter_set_fast_path(as, 0);
	for (i = 0; i < META_CASES; i++) {
		meta_case(&a, i);
		alert_raise(af, &a);
		meta_case(&a, i);
		alert_raise(as, &a);
	}
	ck_assert_ptr_nonnull(fast);
	ck_assert_ptr_nonnull(strstr(fast, "\"mitre_technique_id\":[\"T0881\",\"T0858\"]"));
	ck_assert_ptr_nonnull(slow);
	{
		size_t at = 0;

		while (fast[at] && fast[at] == slow[at])
			at++;
		ck_assert_msg(fast[at] == slow[at], "lines differ: straight \"%.160s\" tree \"%.160s\"",
			      fast + at, slow + at);
	}
	alerter_free(af);
	alerter_free(as);
	eve_free(ef);
	eve_free(es);
	free(fast);
	free(slow);
}
END_TEST

/* alert_wanted says beforehand whether alert_raise writes the line: keys
 * new, repeated and evicted, seconds under and over the rate cap; with an
 * observer every alert is wanted. */
START_TEST(alert_wanted_foretells_the_line)
{
	struct eve *e = capture_eve();
	struct alert_config cfg;
	struct alerter *al;
	struct alert a;
	uint32_t r = 99;
	int i, yes = 0, no = 0;

	ots_alert_config_default(&cfg);
	cfg.max_per_second = 3;
	cfg.max_dedup_keys = 8;
	cfg.repeat_summary_interval = 5;
	al = alerter_new(e, &cfg);
	for (i = 0; i < 2000; i++) {
		char key[16];
		size_t before = count_type("alert");
		int w;

		r = r * 1103515245u + 12345u;
		snprintf(key, sizeof(key), "k%u", (r >> 16) % 12);
		sample_alert(&a, 1 + (r >> 20) % 2, 1000 + i / 7, (r >> 8) % 5 ? key : NULL);
		w = alert_wanted(al, &a);
		alert_raise(al, &a);
		ck_assert_int_eq(w, (int)(count_type("alert") - before));
		if (w)
			yes++;
		else
			no++;
		if (i % 50 == 0) {
			struct timeval tv = { 1000 + i / 7, 0 };

			alerter_tick(al, &tv);
		}
	}
	ck_assert_int_gt(yes, 100);
	ck_assert_int_gt(no, 100);
	alerter_set_observer(al, observe_nothing, NULL);
	sample_alert(&a, 1, 1000 + 2000 / 7, "k1");
	ck_assert_int_eq(alert_wanted(al, &a), 1);
	ck_assert_int_eq(alert_wanted(NULL, &a), 0);
	alerter_free(al);
	eve_free(e);
	json_decref(cap.lines);
}
END_TEST

START_TEST(alert_free_null)
{
	struct alert a;

	alerter_free(NULL);
	alerter_tick(NULL, NULL);
	alerter_finish(NULL, NULL);
	sample_alert(&a, 1, 1, NULL);
	alert_raise(NULL, &a);
}
END_TEST

static Suite *alert_suite(void)
{
	Suite *s = suite_create("alert");
	TCase *tc = tcase_create("alerter");

	tcase_add_test(tc, alert_line_shape);
	tcase_add_test(tc, alert_repeats_counted_then_summarised);
	tcase_add_test(tc, alert_periodic_and_final_summary);
	tcase_add_test(tc, alert_dedup_table_bounded);
	tcase_add_test(tc, alert_rate_cap);
	tcase_add_test(tc, alert_shared_metadata_untouched);
	tcase_add_test(tc, alert_metadata_fast_path_same_text);
	tcase_add_test(tc, alert_wanted_foretells_the_line);
	tcase_add_test(tc, alert_free_null);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(alert_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
