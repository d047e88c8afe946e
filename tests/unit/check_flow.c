/*
 * check_flow.c - the flow table: keys, roles, TCP states, timeouts,
 * eviction, port reuse, lazy allocation, flow ids, nDPI labels.
 */
#include <check.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "addr.h"
#include "options.h"

#define MAX_ENDED 64

/* What the callbacks saw. */
static struct flow ended[MAX_ENDED];
static unsigned n_ended;
static unsigned n_packets;
static int last_dir;
static int priv_seen;           /* last on_packet: f->priv was set */

static void cb_packet(void *ud, const struct pkt_meta *p, const struct flow *f, int dir)
{
	n_packets++;
	last_dir = dir;
	priv_seen = f->priv != NULL;
}

static void cb_flow_end(void *ud, const struct flow *f)
{
	if (n_ended < MAX_ENDED)
		ended[n_ended] = *f;
	n_ended++;
}

static struct flow_table *ft;
static struct flow_config cfg;
static const struct dissector *const no_dissectors[] = { NULL };

static void reset_seen(void)
{
	n_ended = 0;
	n_packets = 0;
	last_dir = -1;
	priv_seen = 0;
}

static struct flow_table *table(void)
{
	static const struct flow_callbacks cb = { NULL, cb_packet, NULL, cb_flow_end };
	char err[128] = "";
	struct flow_table *t = flow_table_new(&cfg, &cb, err, sizeof(err));

	ck_assert_msg(t != NULL, "flow_table_new: %s", err);
	return t;
}

static void setup(void)
{
	reset_seen();
	ots_flow_config_default(&cfg);
	cfg.ndpi_enable = 0;
	cfg.max_flows = 64;
	cfg.dissectors = no_dissectors;     /* the registry plays no part here */
	cfg.n_dissectors = 0;
	ft = NULL;
}

static void teardown(void)
{
	flow_table_free(ft);
	ft = NULL;
}

static struct pkt_meta pkt(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			   uint8_t l4, uint8_t flags, double t)
{
	struct pkt_meta p;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(ot_ip_parse(src, &p.src_ip), 0);
	ck_assert_int_eq(ot_ip_parse(dst, &p.dst_ip), 0);
	p.sport = sport;
	p.dport = dport;
	p.l4 = l4;
	p.tcp_flags = flags;
	p.ts.tv_sec = (time_t)t;
	p.ts.tv_usec = (suseconds_t)lround((t - (double)(time_t)t) * 1e6);
	p.ip_len = 40;
	return p;
}

static void tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport,
		uint8_t flags, uint32_t seq, uint32_t ack, const char *data, double t)
{
	struct pkt_meta p = pkt(src, sport, dst, dport, IPPROTO_TCP, flags, t);

	p.seq = seq;
	p.ack = ack;
	if (data) {
		p.payload = (const uint8_t *)data;
		p.payload_len = (uint32_t)strlen(data);
		p.ip_len += p.payload_len;
	}
	flow_table_process(ft, &p);
}

static void udp(const char *src, uint16_t sport, const char *dst, uint16_t dport, double t)
{
	struct pkt_meta p = pkt(src, sport, dst, dport, IPPROTO_UDP, 0, t);

	p.payload = (const uint8_t *)"x";
	p.payload_len = 1;
	flow_table_process(ft, &p);
}

static struct flow_stats stats(void)
{
	struct flow_stats st;

	flow_table_get_stats(ft, &st);
	return st;
}

static int ip_is(const struct ot_ip *ip, const char *s)
{
	struct ot_ip x;

	ck_assert_int_eq(ot_ip_parse(s, &x), 0);
	return ot_ip_cmp(ip, &x) == 0;
}

START_TEST(handshake_both_directions)
{
	ft = table();
	tcp("10.0.0.1", 40000, "10.0.0.2", 8080, TCP_SYN, 100, 0, NULL, 1.0);
	ck_assert_int_eq(last_dir, FLOW_C2S);
	tcp("10.0.0.2", 8080, "10.0.0.1", 40000, TCP_SYN | TCP_ACK, 500, 101, NULL, 1.1);
	ck_assert_int_eq(last_dir, FLOW_S2C);
	tcp("10.0.0.1", 40000, "10.0.0.2", 8080, TCP_ACK, 101, 501, NULL, 1.2);
	ck_assert_int_eq(last_dir, FLOW_C2S);
	ck_assert_uint_eq(stats().created, 1);
	ck_assert_uint_eq(stats().active, 1);
	flow_table_flush(ft);
	ck_assert_uint_eq(n_ended, 1);
	ck_assert(ip_is(&ended[0].cli_ip, "10.0.0.1"));
	ck_assert(ip_is(&ended[0].srv_ip, "10.0.0.2"));
	ck_assert_uint_eq(ended[0].cli_port, 40000);
	ck_assert_uint_eq(ended[0].srv_port, 8080);
	ck_assert_uint_eq(ended[0].role_guessed, 0);
	ck_assert_uint_eq(ended[0].pkts[FLOW_C2S], 2);
	ck_assert_uint_eq(ended[0].pkts[FLOW_S2C], 1);
	ck_assert_uint_eq(ended[0].bytes[FLOW_C2S], 80);
	ck_assert_uint_eq(ended[0].tcp_state, FLOW_TCP_ESTABLISHED);
	ck_assert_uint_eq(ended[0].end_reason, FLOW_END_SHUTDOWN);
	ck_assert_uint_ne(ended[0].id, 0);
	ck_assert_int_eq(ended[0].first.tv_sec, 1);
	ck_assert_int_eq(ended[0].last.tv_usec, 200000);
	ck_assert_uint_eq(stats().active, 0);
	ck_assert_uint_eq(stats().ended, 1);
}
END_TEST

START_TEST(vlan_is_part_of_the_key)
{
	struct pkt_meta p;

	ft = table();
	p = pkt("10.0.0.1", 11000, "10.0.0.2", 12000, IPPROTO_UDP, 0, 1.0);
	flow_table_process(ft, &p);
	p.nvlan = 1;
	p.vlan[0] = 10;
	flow_table_process(ft, &p);
	p.nvlan = 2;
	p.vlan[1] = 20;
	flow_table_process(ft, &p);
	flow_table_process(ft, &p);
	ck_assert_uint_eq(stats().created, 3);
	flow_table_flush(ft);
	ck_assert_uint_eq(n_ended, 3);
	/* ended oldest first within the list: the QinQ flow was touched last */
	ck_assert_uint_eq(ended[0].nvlan, 0);
	ck_assert_uint_eq(ended[1].nvlan, 1);
	ck_assert_uint_eq(ended[1].vlan[0], 10);
	ck_assert_uint_eq(ended[2].nvlan, 2);
	ck_assert_uint_eq(ended[2].vlan[1], 20);
	ck_assert_uint_eq(ended[2].pkts[FLOW_C2S], 2);
}
END_TEST

/* Each field of the key tells two flows apart, also right after a packet
 * of the other flow (the previous packet's flow is matched on its key
 * alone); the same packet reversed stays in its flow. */
START_TEST(every_key_field_counts_back_to_back)
{
	struct pkt_meta base, v[10], r;
	size_t i, n = sizeof(v) / sizeof(v[0]);

	ft = table();
	base = pkt("a00:1::", 11000, "a00:2::", 12000, IPPROTO_UDP, 0, 1.0);
	for (i = 0; i < n; i++)
		v[i] = base;
	ck_assert_int_eq(ot_ip_parse("a00:1::1", &v[0].src_ip), 0);     /* last byte */
	ck_assert_int_eq(ot_ip_parse("a00:3::", &v[1].dst_ip), 0);
	v[2].sport = 11001;
	v[3].dport = 12001;
	v[4].l4 = IPPROTO_TCP;
	v[5].nvlan = 1;                         /* tag 0 */
	v[6].nvlan = 2;
	v[6].vlan[1] = 7;
	ck_assert_int_eq(ot_ip_parse("10.0.0.1", &v[7].src_ip), 0);     /* same bytes, v4 */
	ck_assert_int_eq(ot_ip_parse("10.0.0.2", &v[7].dst_ip), 0);
	ck_assert_int_eq(ot_ip_parse("900::", &v[8].src_ip), 0);        /* first bytes */
	v[9].sport = 12000;                     /* ports swapped, addresses not */
	v[9].dport = 11000;
	r = base;                               /* reversed: the same flow */
	r.src_ip = base.dst_ip;
	r.dst_ip = base.src_ip;
	r.sport = base.dport;
	r.dport = base.sport;
	for (i = 0; i < n; i++) {
		flow_table_process(ft, &base);
		flow_table_process(ft, &v[i]);
		flow_table_process(ft, &r);
		ck_assert_uint_eq(stats().created, 2 + i);
	}
	flow_table_flush(ft);
	ck_assert_uint_eq(n_ended, n + 1);
	for (i = 0; i < n_ended; i++)
		if (ended[i].pkts[FLOW_C2S] + ended[i].pkts[FLOW_S2C] != 1)
			break;
	/* one flow took the base packets and their reverses, n each */
	ck_assert_uint_lt(i, n_ended);
	ck_assert_uint_eq(ended[i].pkts[FLOW_C2S] + ended[i].pkts[FLOW_S2C], 2 * n);
	ck_assert_uint_eq(ended[i].pkts[FLOW_C2S], n);
}
END_TEST

START_TEST(ipv6_flow)
{
	ft = table();
	tcp("fe80::1", 5000, "2001:db8::2", 443, TCP_SYN, 1, 0, NULL, 1.0);
	tcp("2001:db8::2", 443, "fe80::1", 5000, TCP_SYN | TCP_ACK, 9, 2, NULL, 1.0);
	ck_assert_uint_eq(stats().created, 1);
	flow_table_flush(ft);
	ck_assert(ip_is(&ended[0].cli_ip, "fe80::1"));
	ck_assert_uint_eq(ended[0].pkts[FLOW_S2C], 1);
}
END_TEST

START_TEST(synack_alone_names_the_server)
{
	ft = table();
	tcp("10.0.0.2", 45000, "10.0.0.1", 50000, TCP_SYN | TCP_ACK, 500, 101, NULL, 1.0);
	ck_assert_int_eq(last_dir, FLOW_S2C);
	flow_table_flush(ft);
	ck_assert_uint_eq(ended[0].srv_port, 45000);
	ck_assert(ip_is(&ended[0].srv_ip, "10.0.0.2"));
	ck_assert_uint_eq(ended[0].role_guessed, 0);
	ck_assert_uint_eq(ended[0].tcp_state, FLOW_TCP_SYN_RECV);
}
END_TEST

START_TEST(midstream_roles_guessed)
{
	ft = table();
	/* a response from the well-known port seen first */
	tcp("10.0.0.2", 80, "10.0.0.1", 51000, TCP_ACK | TCP_PSH, 1, 1, "resp", 1.0);
	ck_assert_int_eq(last_dir, FLOW_S2C);
	/* two high ports: the lower one is the server */
	tcp("10.0.0.1", 40000, "10.0.0.2", 40001, TCP_ACK, 1, 1, NULL, 1.0);
	ck_assert_int_eq(last_dir, FLOW_S2C);
	/* a dissector port wins over a port below 1024 (no dissectors here:
	 * 502 is just low) */
	tcp("10.0.0.3", 502, "10.0.0.4", 1000, TCP_ACK, 1, 1, NULL, 1.0);
	ck_assert_int_eq(last_dir, FLOW_S2C);
	/* UDP between two high ports: the first sender is the client */
	udp("10.0.0.5", 50000, "10.0.0.6", 40000, 1.0);
	ck_assert_int_eq(last_dir, FLOW_C2S);
	flow_table_flush(ft);
	ck_assert_uint_eq(n_ended, 4);
	ck_assert_uint_eq(ended[0].srv_port, 80);
	ck_assert_uint_eq(ended[0].role_guessed, 1);
	ck_assert_uint_eq(ended[0].tcp_state, FLOW_TCP_ESTABLISHED);
	ck_assert_uint_eq(ended[1].srv_port, 40000);
	ck_assert_uint_eq(ended[2].srv_port, 502);
	ck_assert_uint_eq(ended[3].srv_port, 40000);
	ck_assert(ip_is(&ended[3].cli_ip, "10.0.0.5"));
}
END_TEST

START_TEST(idle_and_state_timeouts)
{
	cfg.idle_timeout = 120;
	cfg.tcp_embryonic_timeout = 30;
	cfg.tcp_idle_timeout = 3600;
	cfg.tcp_closed_timeout = 10;
	ft = table();
	udp("10.0.0.1", 11000, "10.0.0.2", 2000, 0.0);                               /* A */
	tcp("10.0.0.1", 1001, "10.0.0.2", 2001, TCP_SYN, 1, 0, NULL, 0.0);             /* B */
	tcp("10.0.0.1", 1002, "10.0.0.2", 2002, TCP_ACK, 1, 1, NULL, 0.0);             /* C */
	tcp("10.0.0.1", 1003, "10.0.0.2", 2003, TCP_SYN, 1, 0, NULL, 0.0);             /* D */
	tcp("10.0.0.2", 2003, "10.0.0.1", 1003, TCP_SYN | TCP_ACK, 7, 2, NULL, 0.0);
	tcp("10.0.0.1", 1003, "10.0.0.2", 2003, TCP_ACK, 2, 8, NULL, 0.0);
	tcp("10.0.0.1", 1003, "10.0.0.2", 2003, TCP_FIN | TCP_ACK, 2, 8, NULL, 1.0);
	tcp("10.0.0.2", 2003, "10.0.0.1", 1003, TCP_FIN | TCP_ACK, 8, 3, NULL, 1.0);
	ck_assert_uint_eq(stats().active, 4);

	/* D closed at 1.0: lingers 10 s */
	udp("10.0.0.9", 9, "10.0.0.8", 8, 10.5);
	ck_assert_uint_eq(n_ended, 0);
	udp("10.0.0.9", 9, "10.0.0.8", 8, 11.0);
	ck_assert_uint_eq(n_ended, 1);
	ck_assert_uint_eq(ended[0].srv_port, 2003);
	ck_assert_uint_eq(ended[0].tcp_state, FLOW_TCP_CLOSED);
	ck_assert_uint_eq(ended[0].end_reason, FLOW_END_CLOSED);

	/* B: a bare SYN goes after 30 s */
	udp("10.0.0.9", 9, "10.0.0.8", 8, 30.0);
	ck_assert_uint_eq(n_ended, 2);
	ck_assert_uint_eq(ended[1].srv_port, 2001);
	ck_assert_uint_eq(ended[1].end_reason, FLOW_END_TIMEOUT);

	/* A: UDP idle 120 s; C established TCP stays */
	{
		struct timeval now = { 125, 0 };

		flow_table_expire(ft, &now);
	}
	ck_assert_uint_eq(n_ended, 3);
	ck_assert_uint_eq(ended[2].srv_port, 2000);
	ck_assert_uint_eq(stats().timed_out, 2);
	ck_assert_uint_eq(stats().active, 2);       /* C and the UDP probe flow */
	{
		struct timeval now = { 3601, 0 };

		flow_table_expire(ft, &now);
	}
	ck_assert_uint_eq(stats().active, 0);
	ck_assert_uint_eq(ended[3].srv_port, 1002);     /* mid-stream: lower port */
	ck_assert_uint_eq(ended[3].end_reason, FLOW_END_TIMEOUT);
	ck_assert_uint_eq(stats().ended, 5);
}
END_TEST

START_TEST(time_going_backwards_is_harmless)
{
	ft = table();
	udp("10.0.0.1", 11000, "10.0.0.2", 2000, 100.0);
	udp("10.0.0.3", 11000, "10.0.0.4", 2000, 50.0);  /* older packet */
	ck_assert_uint_eq(stats().active, 2);
	udp("10.0.0.3", 11000, "10.0.0.4", 2000, 150.0);
	udp("10.0.0.3", 11000, "10.0.0.4", 2000, 221.0);
	ck_assert_uint_eq(n_ended, 1);
	ck_assert_uint_eq(ended[0].srv_port, 2000);
	ck_assert_uint_eq(ended[0].cli_ip.a[3], 1);
	ck_assert_uint_eq(stats().active, 1);
	flow_table_flush(ft);
	ck_assert_int_eq(ended[1].first.tv_sec, 50);
	ck_assert_int_eq(ended[1].last.tv_sec, 221);
}
END_TEST

START_TEST(eviction_at_the_cap_is_lru)
{
	char ip[32];
	int i;

	cfg.max_flows = 4;
	ft = table();
	for (i = 0; i < 4; i++) {
		snprintf(ip, sizeof(ip), "10.0.1.%d", i + 1);
		udp(ip, 1000, "10.0.0.100", 53, 1.0 + i);
	}
	/* touch the oldest: the second one becomes least recent */
	udp("10.0.1.1", 1000, "10.0.0.100", 53, 5.0);
	udp("10.0.1.5", 1000, "10.0.0.100", 53, 6.0);
	udp("10.0.1.6", 1000, "10.0.0.100", 53, 7.0);
	ck_assert_uint_eq(stats().active, 4);
	ck_assert_uint_eq(stats().evicted, 2);
	ck_assert_uint_eq(stats().created, 6);
	ck_assert_uint_eq(n_ended, 2);
	ck_assert(ip_is(&ended[0].cli_ip, "10.0.1.2"));
	ck_assert(ip_is(&ended[1].cli_ip, "10.0.1.3"));
	ck_assert_uint_eq(ended[0].end_reason, FLOW_END_EVICTED);
	/* a TCP flow is evicted the same way, across lists */
	tcp("10.0.2.1", 1000, "10.0.0.100", 80, TCP_SYN, 1, 0, NULL, 8.0);
	ck_assert(ip_is(&ended[2].cli_ip, "10.0.1.4"));
	ck_assert_uint_eq(stats().evicted, 3);
}
END_TEST

START_TEST(port_reuse_starts_a_new_flow)
{
	ft = table();
	tcp("10.0.0.1", 40000, "10.0.0.2", 80, TCP_SYN, 100, 0, NULL, 1.0);
	tcp("10.0.0.2", 80, "10.0.0.1", 40000, TCP_SYN | TCP_ACK, 500, 101, NULL, 1.0);
	tcp("10.0.0.1", 40000, "10.0.0.2", 80, TCP_RST, 101, 0, NULL, 1.1);
	tcp("10.0.0.1", 40000, "10.0.0.2", 80, TCP_ACK, 101, 501, NULL, 1.2); /* late */
	ck_assert_uint_eq(stats().created, 1);
	tcp("10.0.0.1", 40000, "10.0.0.2", 80, TCP_SYN, 90000, 0, NULL, 2.0);
	ck_assert_uint_eq(stats().created, 2);
	ck_assert_uint_eq(n_ended, 1);
	ck_assert_uint_eq(ended[0].tcp_state, FLOW_TCP_RESET);
	ck_assert_uint_eq(ended[0].end_reason, FLOW_END_CLOSED);
	ck_assert_uint_eq(ended[0].pkts[FLOW_C2S], 3);
	/* a retransmitted SYN of a live flow is the same flow */
	tcp("10.0.0.1", 40000, "10.0.0.2", 80, TCP_SYN, 90000, 0, NULL, 2.5);
	ck_assert_uint_eq(stats().created, 2);
	/* closed by FIN both ways, then reused */
	tcp("10.0.0.2", 80, "10.0.0.1", 40000, TCP_SYN | TCP_ACK, 700, 90001, NULL, 2.6);
	tcp("10.0.0.1", 40000, "10.0.0.2", 80, TCP_FIN | TCP_ACK, 90001, 701, NULL, 2.7);
	tcp("10.0.0.2", 80, "10.0.0.1", 40000, TCP_FIN | TCP_ACK, 701, 90002, NULL, 2.8);
	ck_assert_uint_eq(stats().created, 2);
	tcp("10.0.0.1", 40000, "10.0.0.2", 80, TCP_SYN, 123456, 0, NULL, 3.0);
	ck_assert_uint_eq(stats().created, 3);
	ck_assert_uint_eq(n_ended, 2);
	ck_assert_uint_eq(ended[1].tcp_state, FLOW_TCP_CLOSED);
	ck_assert_uint_eq(ended[1].pkts[FLOW_C2S], 3);
	flow_table_flush(ft);
	ck_assert_uint_ne(ended[0].id, ended[1].id);
	ck_assert_uint_ne(ended[1].id, ended[2].id);
	ck_assert_uint_eq(ended[2].tcp_state, FLOW_TCP_SYN_SENT);
}
END_TEST

START_TEST(new_isn_during_unanswered_attempt_is_a_new_flow)
{
	ft = table();
	tcp("10.0.0.1", 40000, "10.0.0.2", 502, TCP_SYN, 100, 0, NULL, 1.0);
	tcp("10.0.0.1", 40000, "10.0.0.2", 502, TCP_SYN, 100, 0, NULL, 2.0); /* retry */
	ck_assert_uint_eq(stats().created, 1);
	/* unanswered, the client starts over with another ISN */
	tcp("10.0.0.1", 40000, "10.0.0.2", 502, TCP_SYN, 777777, 0, NULL, 4.0);
	ck_assert_uint_eq(stats().created, 2);
	ck_assert_uint_eq(n_ended, 1);
	ck_assert_uint_eq(ended[0].tcp_state, FLOW_TCP_SYN_SENT);
	ck_assert_uint_eq(ended[0].end_reason, FLOW_END_CLOSED);
	ck_assert_uint_eq(ended[0].pkts[FLOW_C2S], 2);
	tcp("10.0.0.2", 502, "10.0.0.1", 40000, TCP_SYN | TCP_ACK, 500, 777778, NULL, 4.1);
	tcp("10.0.0.1", 40000, "10.0.0.2", 502, TCP_ACK, 777778, 501, NULL, 4.2);
	/* answered: a SYN with yet another ISN is no new attempt of this flow */
	tcp("10.0.0.1", 40000, "10.0.0.2", 502, TCP_SYN, 999, 0, NULL, 4.3);
	ck_assert_uint_eq(stats().created, 2);
	flow_table_flush(ft);
	ck_assert_uint_eq(n_ended, 2);
	ck_assert_uint_eq(ended[1].tcp_state, FLOW_TCP_ESTABLISHED);
	ck_assert_uint_eq(ended[1].pkts[FLOW_C2S], 3);
	ck_assert_uint_ne(ended[0].id, ended[1].id);
}
END_TEST

START_TEST(bare_syn_allocates_nothing_more)
{
	cfg.ndpi_enable = 0;
	ft = table();
	tcp("10.0.0.1", 40000, "10.0.0.2", 80, TCP_SYN, 100, 0, NULL, 1.0);
	ck_assert_int_eq(priv_seen, 0);
	tcp("10.0.0.2", 80, "10.0.0.1", 40000, TCP_SYN | TCP_ACK, 500, 101, NULL, 1.0);
	tcp("10.0.0.1", 40000, "10.0.0.2", 80, TCP_ACK, 101, 501, NULL, 1.0);
	ck_assert_int_eq(priv_seen, 0);
	tcp("10.0.0.1", 40000, "10.0.0.2", 80, TCP_ACK | TCP_PSH, 101, 501, "GET", 1.0);
	/* on_packet runs before the payload is handled; the next one sees it */
	tcp("10.0.0.2", 80, "10.0.0.1", 40000, TCP_ACK, 501, 104, NULL, 1.0);
	ck_assert_int_eq(priv_seen, 1);
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

START_TEST(flow_ids_unique)
{
	enum { N = 5000 };
	static uint64_t ids[N];
	char ip[32];
	int i;

	cfg.max_flows = 100;
	ft = table();
	for (i = 0; i < N; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 250, i % 250);
		udp(ip, 1000, "10.0.0.100", 53, 1.0);
		ck_assert_uint_eq(n_ended, i >= 100 ? 1 : 0);
		if (i >= 100) {
			ids[i - 100] = ended[0].id;
			n_ended = 0;
		}
	}
	ck_assert_uint_eq(stats().evicted, N - 100);
	qsort(ids, N - 100, sizeof(ids[0]), cmp_u64);
	for (i = 0; i < N - 100; i++) {
		ck_assert_uint_ne(ids[i], 0);
		ck_assert_uint_lt(ids[i], UINT64_C(1) << 53);
		if (i)
			ck_assert_uint_ne(ids[i], ids[i - 1]);
	}
}
END_TEST

/* Packet consumers added to the table: after flow_table_new's callback, in
 * the order added, at most FLOW_MAX_CONSUMERS of them (nothing taken past
 * that), and silent once the table is being freed. */
static char consumer_log[64];
static unsigned consumer_n;

static void consumer_a(void *ud, const struct pkt_meta *p, const struct flow *f, int dir)
{
	if (consumer_n < sizeof(consumer_log))
		consumer_log[consumer_n++] = *(const char *)ud;
}

START_TEST(consumers_in_order_and_capped)
{
	static const char names[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	unsigned i;

	ft = table();
	consumer_n = 0;
	for (i = 0; i < FLOW_MAX_CONSUMERS; i++)
		ck_assert_int_eq(flow_table_add_consumer(ft, consumer_a, NULL, (void *)&names[i]), 0);
	ck_assert_int_eq(flow_table_add_consumer(ft, consumer_a, NULL, (void *)&names[20]), -1);
	udp("10.0.0.1", 1000, "10.0.0.2", 2000, 1.0);
	ck_assert_uint_eq(n_packets, 1);        /* flow_table_new's callback */
	ck_assert_uint_eq(consumer_n, FLOW_MAX_CONSUMERS);
	ck_assert(memcmp(consumer_log, names, FLOW_MAX_CONSUMERS) == 0);
	udp("10.0.0.2", 2000, "10.0.0.1", 1000, 1.5);
	ck_assert_uint_eq(consumer_n, 2 * FLOW_MAX_CONSUMERS);
	ck_assert(memcmp(consumer_log + FLOW_MAX_CONSUMERS, names, FLOW_MAX_CONSUMERS) == 0);
	flow_table_free(ft);    /* ends the open flow without telling anyone */
	ft = NULL;
	ck_assert_uint_eq(consumer_n, 2 * FLOW_MAX_CONSUMERS);
	ck_assert_uint_eq(n_ended, 0);
}
END_TEST

START_TEST(table_grows_and_finds_every_flow)
{
	enum { N = 5000 };
	char ip[32];
	int i, round;

	cfg.max_flows = 8192;
	ft = table();
	for (round = 0; round < 2; round++)
		for (i = 0; i < N; i++) {
			snprintf(ip, sizeof(ip), "10.1.%d.%d", i / 200, i % 200);
			udp(ip, 1000, "10.0.0.100", 53, 1.0 + round);
		}
	ck_assert_uint_eq(stats().created, N);
	ck_assert_uint_eq(stats().active, N);
	ck_assert_uint_eq(n_packets, 2 * N);
	flow_table_flush(ft);
	ck_assert_uint_eq(stats().ended, N);
}
END_TEST

START_TEST(bad_config_refused)
{
	char err[128] = "";

	cfg.max_flows = 0;
	ck_assert_ptr_null(flow_table_new(&cfg, NULL, err, sizeof(err)));
	ck_assert(strstr(err, "max flows") != NULL);
	cfg.max_flows = 10;
	cfg.idle_timeout = -1;
	ck_assert_ptr_null(flow_table_new(&cfg, NULL, err, sizeof(err)));
	cfg.idle_timeout = 1e300;
	ck_assert_ptr_null(flow_table_new(&cfg, NULL, err, sizeof(err)));
	ck_assert(strstr(err, "timeouts") != NULL);
	flow_table_free(NULL);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(flow_tcp_state_name(FLOW_TCP_ESTABLISHED), "established");
	ck_assert_str_eq(flow_tcp_state_name(FLOW_TCP_RESET), "reset");
	ck_assert_str_eq(flow_end_reason_name(FLOW_END_EVICTED), "evicted");
	ck_assert_str_eq(flow_end_reason_name(99), "unknown");
}
END_TEST

/* An IPv4 + TCP packet as it sits on the wire, for nDPI. */
static size_t build_ipv4_tcp(uint8_t *b, const uint8_t src[4], const uint8_t dst[4],
			     uint16_t sport, uint16_t dport, uint8_t flags,
			     uint32_t seq, uint32_t ack, const char *data)
{
	size_t dl = data ? strlen(data) : 0, tot = 40 + dl;

	memset(b, 0, 40);
	b[0] = 0x45;
	b[2] = (uint8_t)(tot >> 8);
	b[3] = (uint8_t)tot;
	b[8] = 64;
	b[9] = IPPROTO_TCP;
	memcpy(b + 12, src, 4);
	memcpy(b + 16, dst, 4);
	b[20] = (uint8_t)(sport >> 8);
	b[21] = (uint8_t)sport;
	b[22] = (uint8_t)(dport >> 8);
	b[23] = (uint8_t)dport;
	b[24] = (uint8_t)(seq >> 24); b[25] = (uint8_t)(seq >> 16);
	b[26] = (uint8_t)(seq >> 8); b[27] = (uint8_t)seq;
	b[28] = (uint8_t)(ack >> 24); b[29] = (uint8_t)(ack >> 16);
	b[30] = (uint8_t)(ack >> 8); b[31] = (uint8_t)ack;
	b[32] = 0x50;
	b[33] = flags;
	b[34] = 0xff;
	b[35] = 0xff;
	if (dl)
		memcpy(b + 40, data, dl);
	return tot;
}

static void tcp_wire(uint16_t sport, uint16_t dport, int c2s, uint8_t flags,
		     uint32_t seq, uint32_t ack, const char *data, double t)
{
	static const uint8_t a[4] = { 192, 168, 1, 10 }, b[4] = { 192, 168, 1, 20 };
	uint8_t buf[1600];
	const char *src = c2s ? "192.168.1.10" : "192.168.1.20";
	const char *dst = c2s ? "192.168.1.20" : "192.168.1.10";
	struct pkt_meta p = pkt(src, c2s ? sport : dport, dst, c2s ? dport : sport,
				IPPROTO_TCP, flags, t);

	p.l3_len = (uint32_t)build_ipv4_tcp(buf, c2s ? a : b, c2s ? b : a, p.sport, p.dport,
					    flags, seq, ack, data);
	p.l3 = buf;
	p.ip_len = p.l3_len;
	p.seq = seq;
	p.ack = ack;
	if (data) {
		p.payload = buf + 40;
		p.payload_len = (uint32_t)strlen(data);
	}
	flow_table_process(ft, &p);
}

START_TEST(ndpi_labels_flows)
{
	static const char get[] = "GET /index.html HTTP/1.1\r\nHost: plc.example\r\n"
				  "User-Agent: test\r\nAccept: */*\r\n\r\n";
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nServer: x\r\n\r\n";

	cfg.ndpi_enable = 1;
	cfg.ndpi_max_packets = 2;
	ft = table();
	tcp_wire(41000, 8081, 1, TCP_SYN, 1000, 0, NULL, 1.0);
	tcp_wire(41000, 8081, 0, TCP_SYN | TCP_ACK, 5000, 1001, NULL, 1.0);
	tcp_wire(41000, 8081, 1, TCP_ACK, 1001, 5001, NULL, 1.0);
	tcp_wire(41000, 8081, 1, TCP_ACK | TCP_PSH, 1001, 5001, get, 1.1);
	/* labelled on its first payload packet: the nDPI state is gone again */
	ck_assert_uint_eq(stats().ndpi_flows, 1);
	ck_assert_uint_eq(stats().ndpi_active, 0);
	tcp_wire(41000, 8081, 0, TCP_ACK | TCP_PSH, 5001, 1001 + (uint32_t)strlen(get), ok, 1.2);
	/* a flow that never carried payload: labelled from its port */
	tcp_wire(41001, 80, 1, TCP_SYN, 1000, 0, NULL, 1.3);
	/* nothing nDPI knows: the state lives for ndpi_max_packets packets */
	tcp_wire(41002, 39999, 1, TCP_ACK | TCP_PSH, 1, 1, "qwertyuiop", 1.4);
	ck_assert_uint_eq(stats().ndpi_active, 1);
	tcp_wire(41002, 39999, 0, TCP_ACK | TCP_PSH, 1, 11, "asdfghjkl", 1.5);
	ck_assert_uint_eq(stats().ndpi_active, 0);
	ck_assert_uint_eq(stats().ndpi_flows, 2);
	flow_table_flush(ft);
	ck_assert_uint_eq(n_ended, 3);
	ck_assert_str_eq(ended[0].app_proto, "HTTP");
	ck_assert_str_eq(ended[1].app_proto, "HTTP");
	ck_assert_str_eq(ended[2].app_proto, "Unknown");
}
END_TEST

static Suite *flow_suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc = tcase_create("table");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, handshake_both_directions);
	tcase_add_test(tc, vlan_is_part_of_the_key);
	tcase_add_test(tc, every_key_field_counts_back_to_back);
	tcase_add_test(tc, ipv6_flow);
	tcase_add_test(tc, synack_alone_names_the_server);
	tcase_add_test(tc, midstream_roles_guessed);
	tcase_add_test(tc, idle_and_state_timeouts);
	tcase_add_test(tc, time_going_backwards_is_harmless);
	tcase_add_test(tc, eviction_at_the_cap_is_lru);
	tcase_add_test(tc, port_reuse_starts_a_new_flow);
	tcase_add_test(tc, new_isn_during_unanswered_attempt_is_a_new_flow);
	tcase_add_test(tc, bare_syn_allocates_nothing_more);
	tcase_add_test(tc, flow_ids_unique);
	tcase_add_test(tc, table_grows_and_finds_every_flow);
	tcase_add_test(tc, consumers_in_order_and_capped);
	tcase_add_test(tc, bad_config_refused);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);
	tc = tcase_create("ndpi");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ndpi_labels_flows);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(flow_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
