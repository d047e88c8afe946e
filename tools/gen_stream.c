/*
 * gen_stream.c - otsgen's transport scenarios: short captures of one Modbus
 * conversation whose TCP stream (or IP layer) is under attack or simply
 * awkward, for the stream and capture layers' tests.
 *
 *   tcp_conflict     an in-path relay re-sends every response with one more
 *                    register from its own MAC, the sequence number shifted
 *                    by two bytes per response relayed; the mirror sees
 *                    both copies (RFC 9293 3.9: one byte stream per
 *                    direction; two versions of it are an attack)
 *   tcp_bad_ack      one exchange, a server segment 128 KiB past the
 *                    window, a client ack 2e9 past anything sent, three
 *                    normal exchanges (RFC 9293 3.10.7.4)
 *   tcp_late_release a response's first segment is lost and retransmitted
 *                    3 s later; the next exchange waits behind the hole
 *   tcp_syn_retry    an unanswered SYN, then a SYN with a new initial
 *                    sequence number from the same port, answered
 *   ipv6_frag        Modbus over IPv6 with a response split into two IPv6
 *                    fragments (RFC 8200 4.5)
 *
 * Each writes a pcap (no truth file): the expected results are stated in
 * tests/e2e/stream_attacks.sh, which checks otsentry against them.
 */
#include <string.h>

#include "gen.h"
#include "gen_stream.h"

#define F_FIN 0x01
#define F_SYN 0x02
#define F_PSH 0x08
#define F_ACK 0x10

const char *const gen_stream_names[] = {
	"tcp_conflict", "tcp_bad_ack", "tcp_late_release", "tcp_syn_retry", "ipv6_frag", NULL
};

struct sconv {
	struct gen_writer *w;
	struct gen_host cli, srv, relay;
	struct gen_tcp c;
	struct gen_rng rng;
	gen_time t;
};

static void host(struct gen_host *h, const char *name, const uint8_t mac[6], uint32_t ip,
		 uint16_t win)
{
	memset(h, 0, sizeof(*h));
	h->name = name;
	h->role = name;
	h->vendor = "";
	memcpy(h->mac, mac, 6);
	h->ip = ip;
	h->ttl = 64;
	h->df = 1;
	h->ip_id = 1;
	h->next_port = 49152;
	h->win = win;
}

static void conv_init(struct sconv *s, struct gen_writer *w, uint64_t seed, gen_time t)
{
	static const uint8_t mcli[6] = { 0x00, 0x1b, 0x1b, 0x10, 0x00, 0x0a };
	static const uint8_t msrv[6] = { 0x00, 0x80, 0xf4, 0x10, 0x00, 0x14 };
	static const uint8_t mrel[6] = { 0x02, 0x00, 0x5e, 0x66, 0x66, 0x66 };

	memset(s, 0, sizeof(*s));
	s->w = w;
	gen_rng_seed(&s->rng, seed, 0x57ea);
	host(&s->cli, "hmi", mcli, 0x0a00000a, 8192);
	host(&s->srv, "plc", msrv, 0x0a000014, 8192);
	/* the relay answers for the PLC's address from its own MAC */
	s->relay = s->srv;
	memcpy(s->relay.mac, mrel, 6);
	gen_tcp_init(&s->c, &s->rng, &s->cli, &s->srv, 502);
	s->t = t;
}

/* One read of four holding registers and its answer, 1 s apart from the
 * previous exchange; the response's first byte is at *resp_seq. */
static void exchange(struct sconv *s, unsigned tid, uint32_t *resp_seq)
{
	static const uint16_t v[4] = { 100, 200, 300, 400 };
	struct gen_buf g;

	s->t += GEN_SEC;
	mb_read_req(&g, tid, 1, 3, 0, 4);
	gen_tcp_data(s->w, &s->c, 0, s->t, &g);
	if (resp_seq)
		*resp_seq = s->c.sseq;
	mb_regs_resp(&g, tid, 1, 3, v, 4);
	gen_tcp_data(s->w, &s->c, 1, s->t + 300, &g);
	gen_tcp_ack(s->w, &s->c, 0, s->t + 500);
}

static void sc_conflict(struct sconv *s)
{
	static const uint16_t forged[5] = { 100, 200, 9999, 400, 1 };
	unsigned i;

	s->t = gen_tcp_connect(s->w, &s->rng, &s->c, s->t);
	for (i = 1; i <= 4; i++) {
		struct gen_buf g;
		uint32_t seq;

		exchange(s, i, &seq);
		/* the relayed copy: one register more (MBAP length + 2) */
		mb_regs_resp(&g, i, 1, 3, forged, 5);
		gen_tcp_segment(s->w, s->t + 400, &s->relay, s->c.sport, &s->cli, s->c.cport,
				seq + 2 * i, s->c.cseq, F_PSH | F_ACK, 0, g.b, g.n);
	}
	gen_tcp_close(s->w, &s->rng, &s->c, s->t + GEN_SEC);
}

static void sc_bad_ack(struct sconv *s)
{
	static const uint16_t v[4] = { 7, 7, 7, 7 };
	struct gen_buf g;
	unsigned i;

	s->t = gen_tcp_connect(s->w, &s->rng, &s->c, s->t);
	exchange(s, 1, NULL);
	/* a server segment 128 KiB past the client's window */
	mb_regs_resp(&g, 77, 1, 3, v, 4);
	gen_tcp_segment(s->w, s->t + 700, &s->srv, s->c.sport, &s->cli, s->c.cport,
			s->c.sseq + 128 * 1024, s->c.cseq, F_PSH | F_ACK, 0, g.b, g.n);
	/* a client ack of data the server never sent */
	gen_tcp_segment(s->w, s->t + 800, &s->cli, s->c.cport, &s->srv, s->c.sport,
			s->c.cseq, s->c.sseq + 2000000000u, F_ACK, 0, NULL, 0);
	for (i = 2; i <= 4; i++)
		exchange(s, i, NULL);
	gen_tcp_close(s->w, &s->rng, &s->c, s->t + GEN_SEC);
}

static void sc_late_release(struct sconv *s)
{
	static const uint16_t v[4] = { 11, 22, 33, 44 };
	struct gen_buf req, resp;
	uint32_t hole;

	s->t = gen_tcp_connect(s->w, &s->rng, &s->c, s->t);
	exchange(s, 1, NULL);
	/* exchange 2: the response in two segments, the first lost */
	s->t += GEN_SEC;
	mb_read_req(&req, 2, 1, 3, 0, 4);
	gen_tcp_data(s->w, &s->c, 0, s->t, &req);
	mb_regs_resp(&resp, 2, 1, 3, v, 4);
	hole = s->c.sseq;
	gen_tcp_segment(s->w, s->t + 300, &s->srv, s->c.sport, &s->cli, s->c.cport,
			hole + 5, s->c.cseq, F_PSH | F_ACK, 0, resp.b + 5, resp.n - 5);
	s->c.sseq += (uint32_t)resp.n;
	/* exchange 3, 1 s later: the client still acks only up to the hole */
	mb_read_req(&req, 3, 1, 3, 0, 4);
	gen_tcp_segment(s->w, s->t + GEN_SEC, &s->cli, s->c.cport, &s->srv, s->c.sport,
			s->c.cseq, hole, F_PSH | F_ACK, 0, req.b, req.n);
	s->c.cseq += (uint32_t)req.n;
	mb_regs_resp(&resp, 3, 1, 3, v, 4);
	gen_tcp_segment(s->w, s->t + GEN_SEC + 300, &s->srv, s->c.sport, &s->cli, s->c.cport,
			s->c.sseq, s->c.cseq, F_PSH | F_ACK, 0, resp.b, resp.n);
	s->c.sseq += (uint32_t)resp.n;
	/* 3 s after it was first sent, the lost segment is retransmitted */
	mb_regs_resp(&resp, 2, 1, 3, v, 4);
	gen_tcp_segment(s->w, s->t + 3 * GEN_SEC + 300, &s->srv, s->c.sport, &s->cli,
			s->c.cport, hole, s->c.cseq, F_ACK, 0, resp.b, 5);
	gen_tcp_ack(s->w, &s->c, 0, s->t + 3 * GEN_SEC + 500);
	s->t += 3 * GEN_SEC;
	exchange(s, 4, NULL);
	gen_tcp_close(s->w, &s->rng, &s->c, s->t + GEN_SEC);
}

static void sc_syn_retry(struct sconv *s)
{
	uint32_t first = s->c.cseq ^ 0x5a5a5a5au;

	/* an attempt nobody answers, retried once with the same ISN */
	gen_tcp_segment(s->w, s->t, &s->cli, s->c.cport, &s->srv, s->c.sport,
			first, 0, F_SYN, 1, NULL, 0);
	gen_tcp_segment(s->w, s->t + GEN_SEC, &s->cli, s->c.cport, &s->srv, s->c.sport,
			first, 0, F_SYN, 1, NULL, 0);
	/* the client starts over from the same port with a new ISN */
	s->t = gen_tcp_connect(s->w, &s->rng, &s->c, s->t + 2 * GEN_SEC);
	exchange(s, 1, NULL);
	exchange(s, 2, NULL);
	gen_tcp_close(s->w, &s->rng, &s->c, s->t + GEN_SEC);
}

/* ---- IPv6 ------------------------------------------------------------- */

struct v6end {
	uint8_t mac[6];
	uint8_t ip[16];
	uint16_t port;
	uint32_t seq;
};

/*
 * One TCP segment from a to b over IPv6.  frag > 0: the IPv6 payload (TCP
 * header and data) is sent as fragments of at most frag bytes (a multiple
 * of 8), the last one first, with identification id.
 */
static void v6_segment(struct gen_writer *w, gen_time t, struct v6end *a, const struct v6end *b,
		       unsigned flags, const uint8_t *data, size_t n, size_t frag, uint32_t id)
{
	uint8_t l4[20 + GEN_MAX_PAYLOAD], pseudo[40], f[GEN_MAX_FRAME];
	size_t l4len = 20 + n, off;
	uint32_t sum;

	if (n > GEN_MAX_PAYLOAD)
		return;
	memset(l4, 0, 20);
	gen_put16(l4, a->port);
	gen_put16(l4 + 2, b->port);
	gen_put32(l4 + 4, a->seq);
	gen_put32(l4 + 8, (flags & F_ACK) ? b->seq : 0);
	l4[12] = 5 << 4;
	l4[13] = (uint8_t)flags;
	gen_put16(l4 + 14, 16384);
	if (n)
		memcpy(l4 + 20, data, n);     /* data may be NULL when n is 0 */
	memcpy(pseudo, a->ip, 16);
	memcpy(pseudo + 16, b->ip, 16);
	gen_put32(pseudo + 32, (uint32_t)l4len);
	memset(pseudo + 36, 0, 3);
	pseudo[39] = 6;
	sum = gen_csum_add(0, pseudo, 40);
	gen_put16(l4 + 16, gen_csum_fold(gen_csum_add(sum, l4, l4len)));
	a->seq += (uint32_t)n + ((flags & (F_SYN | F_FIN)) ? 1u : 0u);

	off = frag ? ((l4len - 1) / frag) * frag : 0;
	for (;;) {
		size_t part = frag ? l4len - off : l4len, hl = frag ? 8 : 0;

		if (frag && part > frag)
			part = frag;
		memcpy(f, b->mac, 6);
		memcpy(f + 6, a->mac, 6);
		gen_put16(f + 12, 0x86dd);
		gen_put32(f + 14, 0x60000000u);
		gen_put16(f + 18, (unsigned)(hl + part));
		f[20] = frag ? 44 : 6;
		f[21] = 64;
		memcpy(f + 22, a->ip, 16);
		memcpy(f + 38, b->ip, 16);
		if (frag) {
			f[54] = 6;
			f[55] = 0;
			gen_put16(f + 56, (unsigned)(off | (off + part < l4len ? 1 : 0)));
			gen_put32(f + 58, id);
		}
		memcpy(f + 54 + hl, l4 + off, part);
		gen_frame(w, t, f, 54 + hl + part);
		if (!frag || off == 0)
			break;
		off -= frag;
		t += 20;
	}
}

static void sc_ipv6_frag(struct gen_writer *w, gen_time t)
{
	struct v6end c = { { 0x00, 0x1b, 0x1b, 0x10, 0x00, 0x0a },
			   { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a }, 49200, 1000 };
	struct v6end s = { { 0x00, 0x80, 0xf4, 0x10, 0x00, 0x14 },
			   { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14 }, 502, 900000 };
	uint16_t v[100];
	struct gen_buf g;
	unsigned i;

	for (i = 0; i < 100; i++)
		v[i] = (uint16_t)(i * 3);
	v6_segment(w, t, &c, &s, F_SYN, NULL, 0, 0, 0);
	v6_segment(w, t + 200, &s, &c, F_SYN | F_ACK, NULL, 0, 0, 0);
	v6_segment(w, t + 400, &c, &s, F_ACK, NULL, 0, 0, 0);
	for (i = 1; i <= 3; i++) {
		t += GEN_SEC;
		mb_read_req(&g, i, 1, 3, 0, 100);
		v6_segment(w, t, &c, &s, F_PSH | F_ACK, g.b, g.n, 0, 0);
		mb_regs_resp(&g, i, 1, 3, v, 100);       /* 209 bytes: two fragments */
		v6_segment(w, t + 300, &s, &c, F_PSH | F_ACK, g.b, g.n, 128, 0x1000 + i);
		v6_segment(w, t + 500, &c, &s, F_ACK, NULL, 0, 0, 0);
	}
	v6_segment(w, t + GEN_SEC, &c, &s, F_FIN | F_ACK, NULL, 0, 0, 0);
	v6_segment(w, t + GEN_SEC + 200, &s, &c, F_FIN | F_ACK, NULL, 0, 0, 0);
	v6_segment(w, t + GEN_SEC + 400, &c, &s, F_ACK, NULL, 0, 0, 0);
}

int gen_stream_scenario(const char *name, uint64_t seed, gen_time start, const char *out)
{
	struct gen_writer w;
	struct sconv s;
	int i, rc;

	for (i = 0; gen_stream_names[i] && strcmp(gen_stream_names[i], name); i++)
		;
	if (!gen_stream_names[i])
		return -2;
	if (gen_writer_open(&w, out) != 0)
		return -1;
	conv_init(&s, &w, seed, start);
	switch (i) {
	case 0: sc_conflict(&s); break;
	case 1: sc_bad_ack(&s); break;
	case 2: sc_late_release(&s); break;
	case 3: sc_syn_retry(&s); break;
	default: sc_ipv6_frag(&w, start); break;
	}
	rc = gen_writer_close(&w);
	return rc;
}
