/*
 * check_counters.c - the dissector counters hook: per-dissector totals kept
 * by the application layer across flow end, eviction and shutdown (with toy
 * dissectors defined here, fed UDP datagrams through the flow table), and
 * each registered dissector's counters mapped to the right names.
 */
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "addr.h"
#include "applayer.h"
#include "dissector.h"
#include "options.h"

/* ---- toy dissectors ------------------------------------------------------ */

/* "tally": datagrams starting with 'C'; counts datagrams and bytes. */
struct tally_state {
	uint64_t chunks, bytes;
};

static unsigned n_states, n_frees, n_greedy_calls;

static enum probe_result tally_probe(const uint8_t *d, size_t len, int from_client)
{
	(void)from_client;
	return len && d[0] == 'C' ? PROBE_MINE : PROBE_NOT_MINE;
}

static void *tally_new(const struct ot_limits *lim)
{
	(void)lim;
	n_states++;
	return calloc(1, sizeof(struct tally_state));
}

static void tally_free(void *state)
{
	if (!state)
		return;
	n_frees++;
	free(state);
}

static void tally_parse(struct dissect_ctx *ctx, void *state, const uint8_t *data, size_t len)
{
	struct tally_state *s = state;

	(void)ctx;
	(void)data;
	s->chunks++;
	s->bytes += len;
}

static const char *const tally_names[] = { "chunks", "bytes" };

static void tally_counters(const void *state, uint64_t *out)
{
	const struct tally_state *s = state;

	if (!s)
		return;
	out[0] += s->chunks;
	out[1] += s->bytes;
}

static const struct dissector tally = {
	.name = "tally",
	.transports = DISSECT_UDP,
	.probe = tally_probe,
	.state_new = tally_new,
	.state_free = tally_free,
	.parse = tally_parse,
	.counter_names = tally_names,
	.n_counters = 2,
	.counters = tally_counters,
};

/* "plain": datagrams starting with 'P'; no counters hook. */
static enum probe_result plain_probe(const uint8_t *d, size_t len, int from_client)
{
	(void)from_client;
	return len && d[0] == 'P' ? PROBE_MINE : PROBE_NOT_MINE;
}

static const struct dissector plain = {
	.name = "plain",
	.transports = DISSECT_UDP,
	.probe = plain_probe,
	.state_new = tally_new,
	.state_free = tally_free,
	.parse = tally_parse,
};

/* "greedy": declares more counters than the cap: its hook must not run. */
static enum probe_result greedy_probe(const uint8_t *d, size_t len, int from_client)
{
	(void)from_client;
	return len && d[0] == 'G' ? PROBE_MINE : PROBE_NOT_MINE;
}

static void greedy_counters(const void *state, uint64_t *out)
{
	(void)state;
	(void)out;
	n_greedy_calls++;
}

static const struct dissector greedy = {
	.name = "greedy",
	.transports = DISSECT_UDP,
	.probe = greedy_probe,
	.state_new = tally_new,
	.state_free = tally_free,
	.parse = tally_parse,
	.counter_names = tally_names,
	.n_counters = DISSECT_MAX_COUNTERS + 1,
	.counters = greedy_counters,
};

static const struct dissector *const toys[] = { &plain, &tally, &greedy };

/* ---- the flow table around them ------------------------------------------- */

static struct flow_table *ft;
static struct flow_config cfg;

static void setup(void)
{
	n_states = n_frees = n_greedy_calls = 0;
	ots_flow_config_default(&cfg);
	cfg.ndpi_enable = 0;
	cfg.dissectors = toys;
	cfg.n_dissectors = 3;
	ft = NULL;
}

static void teardown(void)
{
	flow_table_free(ft);
	ft = NULL;
	ck_assert_uint_eq(n_states, n_frees);
}

static void start(void)
{
	char err[128] = "";

	ft = flow_table_new(&cfg, NULL, err, sizeof(err));
	ck_assert_msg(ft != NULL, "%s", err);
}

/* One datagram of flow 10.2.2.1:sport -> 10.2.2.2:5000 at second t. */
static void udp(uint16_t sport, long t, const char *data)
{
	struct pkt_meta p;

	memset(&p, 0, sizeof(p));
	ot_ip_parse("10.2.2.1", &p.src_ip);
	ot_ip_parse("10.2.2.2", &p.dst_ip);
	p.sport = sport;
	p.dport = 5000;
	p.l4 = IPPROTO_UDP;
	p.ts.tv_sec = t;
	p.payload = (const uint8_t *)data;
	p.payload_len = (uint32_t)strlen(data);
	p.ip_len = 28 + p.payload_len;
	flow_table_process(ft, &p);
}

/* The toys' totals, in toys[] order. */
static void totals(struct applayer_dissector_stats per[APPLAYER_MAX_DISSECTORS])
{
	size_t n = flow_table_dissector_stats(ft, per);

	ck_assert_uint_eq(n, 3);
	ck_assert_ptr_eq(per[0].d, &plain);
	ck_assert_ptr_eq(per[1].d, &tally);
	ck_assert_ptr_eq(per[2].d, &greedy);
}

START_TEST(live_then_ended_flows)
{
	struct applayer_dissector_stats per[APPLAYER_MAX_DISSECTORS];
	struct flow_stats fs;
	struct timeval later = { 1000, 0 };

	start();
	udp(40001, 100, "C1");
	udp(40001, 101, "C22");
	udp(40001, 102, "C333");
	totals(per);                    /* open flow: counted from its live state */
	ck_assert_uint_eq(per[1].claimed, 1);
	ck_assert_uint_eq(per[1].counters[0], 3);
	ck_assert_uint_eq(per[1].counters[1], 9);

	flow_table_expire(ft, &later); /* idle timeout: state freed */
	flow_table_get_stats(ft, &fs);
	ck_assert_uint_eq(fs.timed_out, 1);
	ck_assert_uint_eq(n_frees, 1);
	totals(per);
	ck_assert_uint_eq(per[1].counters[0], 3);
	ck_assert_uint_eq(per[1].counters[1], 9);

	udp(40002, 1001, "C4444");
	udp(40002, 1002, "C55555");
	flow_table_flush(ft);           /* shutdown: added once, not twice */
	totals(per);
	ck_assert_uint_eq(per[1].claimed, 2);
	ck_assert_uint_eq(per[1].counters[0], 5);
	ck_assert_uint_eq(per[1].counters[1], 20);
	ck_assert_uint_eq(per[0].claimed, 0);
}
END_TEST

START_TEST(evicted_flow_counted)
{
	struct applayer_dissector_stats per[APPLAYER_MAX_DISSECTORS];
	struct flow_stats fs;

	cfg.max_flows = 1;
	start();
	udp(40001, 100, "C1");
	udp(40001, 100, "C22");
	udp(40002, 101, "C333");        /* evicts the first flow */
	flow_table_get_stats(ft, &fs);
	ck_assert_uint_eq(fs.evicted, 1);
	ck_assert_uint_eq(fs.active, 1);
	ck_assert_uint_eq(n_frees, 1);
	totals(per);
	ck_assert_uint_eq(per[1].claimed, 2);
	ck_assert_uint_eq(per[1].counters[0], 3);
	ck_assert_uint_eq(per[1].counters[1], 9);

	udp(40003, 102, "P");           /* evicts the second, claimed by plain */
	totals(per);
	ck_assert_uint_eq(per[1].counters[0], 3);
	ck_assert_uint_eq(per[0].claimed, 1);
	ck_assert_uint_eq(per[0].counters[0], 0);
}
END_TEST

START_TEST(over_the_cap_is_ignored)
{
	struct applayer_dissector_stats per[APPLAYER_MAX_DISSECTORS];
	size_t j;

	start();
	udp(40001, 100, "G");
	totals(per);
	flow_table_flush(ft);
	totals(per);
	ck_assert_uint_eq(per[2].claimed, 1);
	ck_assert_uint_eq(n_greedy_calls, 0);
	for (j = 0; j < DISSECT_MAX_COUNTERS; j++)
		ck_assert_uint_eq(per[2].counters[j], 0);
}
END_TEST

START_TEST(nothing_claimed_nothing_counted)
{
	struct applayer_dissector_stats per[APPLAYER_MAX_DISSECTORS];

	start();
	udp(40001, 100, "xyz");
	flow_table_flush(ft);
	totals(per);
	ck_assert_uint_eq(per[0].claimed + per[1].claimed + per[2].claimed, 0);
	ck_assert_uint_eq(per[1].counters[0], 0);
	ck_assert_uint_eq(n_states, 0);
}
END_TEST

/* ---- the registered dissectors --------------------------------------------- */

static unsigned n_events;

static void count_emit(struct dissect_ctx *ctx, struct ot_event *ev)
{
	(void)ctx;
	(void)ev;
	n_events++;
}

static struct ot_limits lim;
static struct dissect_ctx ctx;

static void ctx_setup(void)
{
	ots_limits_default(&lim);
	memset(&ctx, 0, sizeof(ctx));
	ctx.lim = &lim;
	ctx.emit = count_emit;
	ctx.ts.tv_sec = 100;
	n_events = 0;
}

/* The value of counter `name` of dissector d for state. */
static uint64_t counter(const struct dissector *d, const void *state, const char *name)
{
	uint64_t out[DISSECT_MAX_COUNTERS];
	size_t i;

	memset(out, 0, sizeof(out));
	d->counters(state, out);
	for (i = 0; i < d->n_counters; i++)
		if (strcmp(d->counter_names[i], name) == 0)
			return out[i];
	ck_abort_msg("%s has no counter %s", d->name, name);
	return 0;
}

START_TEST(registry_names_are_well_formed)
{
	const struct dissector *const *l;
	size_t n, i, j, k;

	l = dissector_list(&n);
	ck_assert_uint_ge(n, 3);
	for (i = 0; i < n; i++) {
		const struct dissector *d = l[i];
		uint64_t out[DISSECT_MAX_COUNTERS] = { 0 };
		void *st;

		ck_assert_msg(d->counters && d->n_counters > 0, "%s: no counters", d->name);
		ck_assert_uint_le(d->n_counters, DISSECT_MAX_COUNTERS);
		for (j = 0; j < d->n_counters; j++) {
			const char *c = d->counter_names[j];

			ck_assert_ptr_nonnull(c);
			ck_assert_uint_gt(strlen(c), 0);
			ck_assert_str_ne(c, "flows");   /* the sensor's own key */
			for (k = 0; c[k]; k++)
				ck_assert_msg((c[k] >= 'a' && c[k] <= 'z') ||
					      (c[k] >= '0' && c[k] <= '9') || c[k] == '_',
					      "%s: counter %s is not snake_case", d->name, c);
			for (k = 0; k < j; k++)
				ck_assert_str_ne(c, d->counter_names[k]);
		}
		d->counters(NULL, out);
		st = d->state_new(&lim);
		ck_assert_ptr_nonnull(st);
		d->counters(st, out);
		for (j = 0; j < DISSECT_MAX_COUNTERS; j++)
			ck_assert_uint_eq(out[j], 0);
		d->state_free(st);
	}
}
END_TEST

#define B(lit) (const uint8_t *)(lit), sizeof(lit) - 1

START_TEST(modbus_counters)
{
	const struct dissector *d = dissector_by_name("modbus");
	void *st;

	lim.max_pending = 2;
	st = d->state_new(&lim);
	ck_assert_ptr_nonnull(st);
	ctx.from_client = 0;            /* a response nobody asked for */
	d->parse(&ctx, st, B("\x00\x01\x00\x00\x00\x05\x01\x03\x02\x00\x2a"));
	ctx.from_client = 1;            /* three reads, room for two */
	d->parse(&ctx, st, B("\x00\x01\x00\x00\x00\x06\x01\x03\x00\x00\x00\x01"));
	d->parse(&ctx, st, B("\x00\x02\x00\x00\x00\x06\x01\x03\x00\x00\x00\x01"));
	d->parse(&ctx, st, B("\x00\x03\x00\x00\x00\x06\x01\x03\x00\x00\x00\x01"));
	d->parse(&ctx, st, B("\x00\x04\x00\x00\x00"));  /* half an ADU, then loss */
	d->gap(&ctx, st, 100);
	ck_assert_uint_eq(counter(d, st, "adus"), 4);
	ck_assert_uint_eq(counter(d, st, "unpaired_responses"), 1);
	ck_assert_uint_eq(counter(d, st, "pending_dropped"), 1);
	ck_assert_uint_eq(counter(d, st, "gap_partial_adus"), 1);
	ck_assert_uint_eq(counter(d, st, "bytes_ignored"), 0);
	d->state_free(st);
}
END_TEST

START_TEST(dnp3_counters)
{
	const struct dissector *d = dissector_by_name("dnp3");
	void *st = d->state_new(&lim);

	ck_assert_ptr_nonnull(st);
	ctx.from_client = 1;            /* link status request, good then bad CRC */
	d->parse(&ctx, st, B("\x05\x64\x05\xc9\x01\x00\x0a\x00\xaf\xfa"
			     "\x05\x64\x05\xc9\x01\x00\x0a\x00\xaf\xfb"));
	ck_assert_uint_eq(counter(d, st, "frames"), 1);
	ck_assert_uint_eq(counter(d, st, "link_only"), 1);
	ck_assert_uint_eq(counter(d, st, "bad_crc"), 1);
	ck_assert_uint_eq(counter(d, st, "messages"), 0);
	ck_assert_uint_gt(n_events, 0);
	d->state_free(st);
}
END_TEST

START_TEST(s7comm_counters)
{
	const struct dissector *d = dissector_by_name("s7comm");
	void *st = d->state_new(&lim);

	ck_assert_ptr_nonnull(st);
	ctx.from_client = 1;            /* two junk bytes, one empty COTP DT */
	d->parse(&ctx, st, B("\xaa\xaa\x03\x00\x00\x07\x02\xf0\x00"));
	ck_assert_uint_eq(counter(d, st, "tpkts"), 1);
	ck_assert_uint_eq(counter(d, st, "bytes_skipped"), 2);
	ck_assert_uint_eq(counter(d, st, "pending_dropped"), 0);
	d->state_free(st);
}
END_TEST

static Suite *counters_suite(void)
{
	Suite *s = suite_create("counters");
	TCase *tc = tcase_create("applayer");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, live_then_ended_flows);
	tcase_add_test(tc, evicted_flow_counted);
	tcase_add_test(tc, over_the_cap_is_ignored);
	tcase_add_test(tc, nothing_claimed_nothing_counted);
	suite_add_tcase(s, tc);

	tc = tcase_create("dissectors");
	tcase_add_checked_fixture(tc, ctx_setup, NULL);
	tcase_add_test(tc, registry_names_are_well_formed);
	tcase_add_test(tc, modbus_counters);
	tcase_add_test(tc, dnp3_counters);
	tcase_add_test(tc, s7comm_counters);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(counters_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
