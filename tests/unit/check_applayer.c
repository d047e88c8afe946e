/*
 * check_applayer.c - picking a dissector by payload and feeding it, through
 * the flow table and TCP reassembly, with a toy protocol defined here:
 * "TY", one length byte, that many body bytes; default port 7777.
 */
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "addr.h"
#include "framer.h"
#include "dissector.h"
#include "applayer.h"
#include "options.h"


/* ---- the toy dissector ------------------------------------------------- */

#define MAX_REC 32

static char pdus[MAX_REC][64];          /* "c:body" / "s:body" */
static unsigned n_pdus;
static size_t gaps[MAX_REC];
static unsigned n_gaps;
static unsigned n_states, n_frees, n_flow_ends;
static unsigned n_messages, n_anomalies;
static char anomaly[64];
static uint16_t anomaly_port;

struct toy_state {
	struct framer fr[2];
};

struct toy_pdu_ctx {
	struct dissect_ctx *ctx;
};

static enum probe_result toy_probe(const uint8_t *d, size_t len, int from_client)
{
	if (len >= 1 && d[0] != 'T')
		return PROBE_NOT_MINE;
	if (len < 2)
		return PROBE_NEED_MORE;
	return d[1] == 'Y' ? PROBE_MINE : PROBE_NOT_MINE;
}

static void *toy_new(const struct ot_limits *lim)
{
	struct toy_state *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	framer_init(&s->fr[0], 300);
	framer_init(&s->fr[1], 300);
	n_states++;
	return s;
}

static void toy_free(void *state)
{
	struct toy_state *s = state;

	if (!s)
		return;
	framer_free(&s->fr[0]);
	framer_free(&s->fr[1]);
	free(s);
	n_frees++;
}

static long toy_len(const uint8_t *p, size_t avail, void *ud)
{
	if (avail >= 1 && p[0] != 'T')
		return -1;
	if (avail >= 2 && p[1] != 'Y')
		return -1;
	if (avail < 3)
		return 0;
	return 3 + (long)p[2];
}

static void toy_pdu(const uint8_t *pdu, size_t len, void *ud)
{
	struct toy_pdu_ctx *pc = ud;
	struct ot_event ev;

	if (n_pdus < MAX_REC)
		snprintf(pdus[n_pdus], sizeof(pdus[0]), "%c:%.*s",
			 pc->ctx->from_client ? 'c' : 's', (int)(len - 3), (const char *)pdu + 3);
	n_pdus++;
	ot_event_init(&ev, pc->ctx, OT_PROTO_UNKNOWN, OT_EV_MESSAGE);
	ot_emit(pc->ctx, &ev);
}

static void toy_parse(struct dissect_ctx *ctx, void *state, const uint8_t *data, size_t len)
{
	struct toy_state *s = state;
	struct toy_pdu_ctx pc = { ctx };

	framer_feed(&s->fr[!ctx->from_client], data, len, toy_len, toy_pdu, &pc);
}

static void toy_gap(struct dissect_ctx *ctx, void *state, size_t len)
{
	struct toy_state *s = state;

	if (n_gaps < MAX_REC)
		gaps[n_gaps] = len;
	n_gaps++;
	framer_reset(&s->fr[!ctx->from_client]);
}

static void toy_flow_end(struct dissect_ctx *ctx, void *state)
{
	n_flow_ends++;
}

static const struct dissector toy = {
	.name = "toy",
	.proto = OT_PROTO_UNKNOWN,
	.transports = DISSECT_TCP | DISSECT_UDP,
	.ports = { 7777, 0 },
	.probe = toy_probe,
	.state_new = toy_new,
	.state_free = toy_free,
	.parse = toy_parse,
	.gap = toy_gap,
	.flow_end = toy_flow_end,
};

/* A second protocol that never matches, to show probing walks the list. */
static enum probe_result never_probe(const uint8_t *d, size_t len, int from_client)
{
	return PROBE_NOT_MINE;
}

static const struct dissector never = {
	.name = "never",
	.proto = OT_PROTO_UNKNOWN,
	.transports = DISSECT_TCP,
	.ports = { 9999, 0 },
	.probe = never_probe,
};

static const struct dissector *const toy_list[] = { &never, &toy, NULL };

/* ---- the pipeline around it --------------------------------------------- */

static struct flow ended;
static unsigned n_ended;

static void cb_event(void *ud, const struct ot_event *ev)
{
	ck_assert_ptr_nonnull(ev->flow);
	if (ev->kind == OT_EV_ANOMALY) {
		n_anomalies++;
		snprintf(anomaly, sizeof(anomaly), "%s", ev->anomaly);
		anomaly_port = ev->flow->srv_port;
	} else {
		n_messages++;
	}
}

static void cb_flow_end(void *ud, const struct flow *f)
{
	ended = *f;
	n_ended++;
}

static struct flow_table *ft;
static struct flow_config cfg;

static void setup(void)
{
	n_pdus = n_gaps = n_states = n_frees = n_flow_ends = 0;
	n_messages = n_anomalies = n_ended = 0;
	anomaly[0] = 0;
	anomaly_port = 0;
	memset(pdus, 0, sizeof(pdus));
	ots_flow_config_default(&cfg);
	cfg.ndpi_enable = 0;
	cfg.dissectors = toy_list;
	cfg.n_dissectors = 2;
	ft = NULL;
}

static void start(void)
{
	static const struct flow_callbacks cb = { NULL, NULL, cb_event, cb_flow_end };
	char err[128] = "";

	ft = flow_table_new(&cfg, &cb, err, sizeof(err));
	ck_assert_msg(ft != NULL, "%s", err);
}

static void teardown(void)
{
	flow_table_free(ft);
	ft = NULL;
	ck_assert_uint_eq(n_states, n_frees);
}

static uint32_t cseq, sseq;     /* next sequence numbers of client and server */

static void seg(int c2s, uint16_t port, uint8_t flags, uint32_t seq, const char *data,
		size_t len)
{
	struct pkt_meta p;

	memset(&p, 0, sizeof(p));
	ot_ip_parse(c2s ? "10.1.1.1" : "10.1.1.2", &p.src_ip);
	ot_ip_parse(c2s ? "10.1.1.2" : "10.1.1.1", &p.dst_ip);
	p.sport = c2s ? 45000 : port;
	p.dport = c2s ? port : 45000;
	p.l4 = IPPROTO_TCP;
	p.tcp_flags = flags;
	p.seq = seq;
	p.ack = c2s ? sseq : cseq;
	p.ts.tv_sec = 100;
	p.payload = (const uint8_t *)data;
	p.payload_len = (uint32_t)len;
	p.ip_len = 40 + (uint32_t)len;
	flow_table_process(ft, &p);
}

static void handshake(uint16_t port)
{
	cseq = 1000;
	sseq = 7000;
	seg(1, port, TCP_SYN, cseq++, NULL, 0);
	seg(0, port, TCP_SYN | TCP_ACK, sseq++, NULL, 0);
	seg(1, port, TCP_ACK, cseq, NULL, 0);
}

/* In-order data from one side. */
static void send_c(uint16_t port, const char *d, size_t len)
{
	seg(1, port, TCP_ACK | TCP_PSH, cseq, d, len);
	cseq += (uint32_t)len;
}

static void send_s(uint16_t port, const char *d, size_t len)
{
	seg(0, port, TCP_ACK | TCP_PSH, sseq, d, len);
	sseq += (uint32_t)len;
}

#define S(lit) lit, sizeof(lit) - 1

START_TEST(claimed_by_payload_on_another_port)
{
	start();
	handshake(9100);
	send_c(9100, S("TY\003abc"));
	send_s(9100, S("TY\002ok"));
	flow_table_flush(ft);
	ck_assert_uint_eq(n_pdus, 2);
	ck_assert_str_eq(pdus[0], "c:abc");
	ck_assert_str_eq(pdus[1], "s:ok");
	ck_assert_uint_eq(n_messages, 2);
	ck_assert_uint_eq(n_anomalies, 0);
	ck_assert_str_eq(ended.ot_proto, "toy");
	ck_assert_uint_eq(n_states, 1);
	ck_assert_uint_eq(n_flow_ends, 1);
	ck_assert_uint_eq(n_frees, 1);
	{
		struct flow_stats st;

		flow_table_get_stats(ft, &st);
		ck_assert_uint_eq(st.ot_claimed, 1);
		ck_assert_uint_eq(st.ot_mismatch, 0);
	}
}
END_TEST

START_TEST(mismatch_on_the_default_port)
{
	struct flow_stats st;

	start();
	handshake(7777);
	send_c(7777, S("GET / HTTP/1.0\r\n\r\n"));
	send_s(7777, S("HTTP/1.0 200 OK\r\n\r\n"));
	send_c(7777, S("TY\001x"));      /* too late: probing has stopped */
	ck_assert_uint_eq(n_anomalies, 1);
	ck_assert_str_eq(anomaly, "protocol_mismatch");
	ck_assert_uint_eq(anomaly_port, 7777);
	flow_table_flush(ft);
	ck_assert_ptr_null(ended.ot_proto);
	ck_assert_uint_eq(n_pdus, 0);
	flow_table_get_stats(ft, &st);
	ck_assert_uint_eq(st.ot_mismatch, 1);
	ck_assert_uint_eq(st.ot_claimed, 0);
}
END_TEST

START_TEST(no_mismatch_off_the_default_port)
{
	start();
	handshake(8000);
	send_c(8000, S("GET / HTTP/1.0\r\n\r\n"));
	flow_table_flush(ft);
	ck_assert_uint_eq(n_anomalies, 0);
}
END_TEST

START_TEST(need_more_is_buffered)
{
	start();
	handshake(9100);
	send_c(9100, S("T"));           /* the probe cannot tell yet */
	ck_assert_uint_eq(n_states, 0);
	send_c(9100, S("Y\003ab"));
	ck_assert_uint_eq(n_states, 1);
	send_c(9100, S("cTY\001d"));
	flow_table_flush(ft);
	ck_assert_uint_eq(n_pdus, 2);
	ck_assert_str_eq(pdus[0], "c:abc");
	ck_assert_str_eq(pdus[1], "c:d");
}
END_TEST

/* A probe that always wants more, unless the bytes so far contain "GO". */
static enum probe_result needy_probe(const uint8_t *d, size_t len, int from_client)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (d[i] == 'G' && d[i + 1] == 'O')
			return PROBE_MINE;
	return PROBE_NEED_MORE;
}

static const struct dissector needy = {
	.name = "needy",
	.proto = OT_PROTO_UNKNOWN,
	.transports = DISSECT_TCP,
	.probe = needy_probe,
};

static const struct dissector *const needy_list[] = { &needy, NULL };

/* _i = 0: "GO" comes in the last chunk probing looks at; 1: one too late. */
START_TEST(need_more_packet_bound)
{
	int i;

	cfg.dissectors = needy_list;
	cfg.n_dissectors = 1;
	start();
	handshake(9100);
	for (i = 0; i < APPLAYER_PROBE_MAX_PKTS - 1 + _i; i++)
		send_c(9100, S("x"));
	send_c(9100, S("GO"));
	flow_table_flush(ft);
	if (_i == 0)
		ck_assert_str_eq(ended.ot_proto, "needy");
	else
		ck_assert_ptr_null(ended.ot_proto);
}
END_TEST

START_TEST(need_more_gives_up_after_the_byte_bound)
{
	static char big[5000];

	memset(big, 'x', sizeof(big));
	cfg.dissectors = needy_list;
	cfg.n_dissectors = 1;
	start();
	handshake(9100);
	send_c(9100, big, sizeof(big));
	send_c(9100, S("GO"));
	flow_table_flush(ft);
	ck_assert_ptr_null(ended.ot_proto);
}
END_TEST

START_TEST(midstream_resynchronises)
{
	start();
	cseq = 50000;
	sseq = 90000;
	/* picked up inside a PDU: not a start, so the next chunk is tried */
	send_c(7777, S("tail of an earlier PDU"));
	ck_assert_uint_eq(n_anomalies, 0);
	send_c(7777, S("TY\002hi"));
	flow_table_flush(ft);
	ck_assert_uint_eq(ended.role_guessed, 1);
	ck_assert_str_eq(ended.ot_proto, "toy");
	ck_assert_uint_eq(n_pdus, 1);
	ck_assert_str_eq(pdus[0], "c:hi");
	ck_assert_uint_eq(n_anomalies, 0);
}
END_TEST

START_TEST(midstream_mismatch_when_probing_ends)
{
	int i;

	start();
	cseq = 50000;
	sseq = 90000;
	for (i = 0; i < 7; i++)
		send_c(7777, S("no toy here"));
	ck_assert_uint_eq(n_anomalies, 0);
	send_c(7777, S("no toy here"));
	ck_assert_uint_eq(n_anomalies, 1);
	ck_assert_str_eq(anomaly, "protocol_mismatch");
	for (i = 0; i < 5; i++)
		send_c(7777, S("no toy here"));
	ck_assert_uint_eq(n_anomalies, 1);
}
END_TEST

START_TEST(pdu_split_and_many_in_one)
{
	start();
	handshake(7777);
	send_c(7777, S("TY\005he"));
	send_c(7777, S("l"));
	send_c(7777, S("loTY\001aTY\001bTY\001c"));
	flow_table_flush(ft);
	ck_assert_uint_eq(n_pdus, 4);
	ck_assert_str_eq(pdus[0], "c:hello");
	ck_assert_str_eq(pdus[1], "c:a");
	ck_assert_str_eq(pdus[3], "c:c");
}
END_TEST

START_TEST(out_of_order_segments)
{
	struct flow_stats st;

	start();
	handshake(7777);
	/* the stream is "TY\001a" "TY\001b"; its pieces arrive backwards */
	seg(1, 7777, TCP_ACK, cseq + 4, S("TY\001b"));
	seg(1, 7777, TCP_ACK, cseq + 2, S("\001a"));
	ck_assert_uint_eq(n_pdus, 0);
	seg(1, 7777, TCP_ACK, cseq, S("TYY"));  /* 3rd byte differs: a conflicting copy */
	ck_assert_uint_eq(n_pdus, 0);           /* none of it delivered, "TY" neither */
	ck_assert_uint_eq(n_anomalies, 1);
	ck_assert_str_eq(anomaly, "stream.reassembly_overlap_different_data");
	flow_table_get_stats(ft, &st);
	ck_assert_uint_eq(st.overlap_differs, 1);
	seg(1, 7777, TCP_ACK, cseq, S("TY"));   /* the missing bytes themselves */
	ck_assert_uint_eq(n_pdus, 2);
	seg(1, 7777, TCP_ACK, cseq, S("TY\002"));        /* late, other bytes */
	flow_table_get_stats(ft, &st);
	ck_assert_uint_eq(st.ooo_segments, 2);
	ck_assert_uint_eq(st.overlap_differs, 2);
	ck_assert_uint_eq(st.retransmits, 0);
	ck_assert_uint_eq(n_anomalies, 1);      /* one per flow direction */
	flow_table_flush(ft);
	ck_assert_uint_eq(ended.conflicts[FLOW_C2S], 2);
	ck_assert_uint_eq(ended.conflicts[FLOW_S2C], 0);
	ck_assert_uint_eq(n_pdus, 2);
	ck_assert_str_eq(pdus[0], "c:a");
	ck_assert_str_eq(pdus[1], "c:b");
	ck_assert_uint_eq(n_gaps, 0);
}
END_TEST

START_TEST(gap_reported_and_stream_continues)
{
	struct flow_stats st;

	start();
	handshake(7777);
	send_c(7777, S("TY\003abc"));
	cseq += 6;                              /* "TY\003def" lost */
	send_c(7777, S("TY\003ghi"));           /* buffered behind the hole */
	ck_assert_uint_eq(n_pdus, 1);
	seg(0, 7777, TCP_ACK, sseq, NULL, 0);   /* server acks it all: skip */
	ck_assert_uint_eq(n_gaps, 1);
	ck_assert_uint_eq(gaps[0], 6);
	ck_assert_uint_eq(n_pdus, 2);
	ck_assert_str_eq(pdus[1], "c:ghi");
	send_c(7777, S("TY\001j"));
	ck_assert_uint_eq(n_pdus, 3);
	flow_table_get_stats(ft, &st);
	ck_assert_uint_eq(st.tcp_gaps, 1);
	ck_assert_uint_eq(st.tcp_gap_bytes, 6);
	flow_table_flush(ft);
	ck_assert_uint_eq(ended.gaps[FLOW_C2S], 1);
	ck_assert_uint_eq(ended.gaps[FLOW_S2C], 0);
}
END_TEST

START_TEST(gap_at_reset_and_flow_end)
{
	start();
	handshake(7777);
	send_c(7777, S("TY\001a"));
	seg(1, 7777, TCP_ACK, cseq + 4, S("TY\001c"));  /* "TY\001b" missing */
	seg(1, 7777, TCP_RST, cseq + 8, NULL, 0);
	ck_assert_uint_eq(n_gaps, 1);
	ck_assert_uint_eq(gaps[0], 4);
	ck_assert_uint_eq(n_pdus, 2);
	ck_assert_str_eq(pdus[1], "c:c");
	ck_assert_uint_eq(n_flow_ends, 0);
	flow_table_flush(ft);
	ck_assert_uint_eq(n_flow_ends, 1);
}
END_TEST

START_TEST(udp_datagrams)
{
	struct pkt_meta p;
	int i;

	start();
	memset(&p, 0, sizeof(p));
	ot_ip_parse("10.1.1.1", &p.src_ip);
	ot_ip_parse("10.1.1.2", &p.dst_ip);
	p.sport = 40000;
	p.dport = 5555;
	p.l4 = IPPROTO_UDP;
	for (i = 0; i < 3; i++) {
		p.payload = (const uint8_t *)"TY\002hi";
		p.payload_len = 5;
		flow_table_process(ft, &p);
	}
	flow_table_flush(ft);
	ck_assert_str_eq(ended.ot_proto, "toy");
	ck_assert_uint_eq(n_pdus, 3);
	ck_assert_uint_eq(ended.role_guessed, 1);
}
END_TEST

START_TEST(ot_disabled)
{
	cfg.ot_enable = 0;
	start();
	handshake(7777);
	send_c(7777, S("TY\001a"));
	flow_table_flush(ft);
	ck_assert_uint_eq(n_states, 0);
	ck_assert_ptr_null(ended.ot_proto);
}
END_TEST

static Suite *applayer_suite(void)
{
	Suite *s = suite_create("applayer");
	TCase *tc = tcase_create("probe");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, claimed_by_payload_on_another_port);
	tcase_add_test(tc, mismatch_on_the_default_port);
	tcase_add_test(tc, no_mismatch_off_the_default_port);
	tcase_add_test(tc, need_more_is_buffered);
	tcase_add_loop_test(tc, need_more_packet_bound, 0, 2);
	tcase_add_test(tc, need_more_gives_up_after_the_byte_bound);
	tcase_add_test(tc, midstream_resynchronises);
	tcase_add_test(tc, midstream_mismatch_when_probing_ends);
	tcase_add_test(tc, udp_datagrams);
	tcase_add_test(tc, ot_disabled);
	suite_add_tcase(s, tc);
	tc = tcase_create("stream");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pdu_split_and_many_in_one);
	tcase_add_test(tc, out_of_order_segments);
	tcase_add_test(tc, gap_reported_and_stream_continues);
	tcase_add_test(tc, gap_at_reset_and_flow_end);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(applayer_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
