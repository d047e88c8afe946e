/*
 * gen_wire.c - otsgen's wire layer: PRNG, byte builder, Ethernet II /
 * IPv4 (RFC 791) / TCP (RFC 793) / UDP (RFC 768) framing with real
 * checksums (RFC 1071), TCP sessions, and the time-ordered frame queue
 * written out with libpcap's dump API.
 *
 * Frames live in fixed-size slots taken from a pooled free list (chunks of
 * GEN_POOL_CHUNK slots), so queueing a frame never calls malloc once the
 * pool has warmed up.
 */
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "gen.h"

#define GEN_POOL_CHUNK 512
#define GEN_IOBUF (1u << 20)

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

struct gen_pkt {
	gen_time t;
	uint64_t order;
	uint32_t len;
	struct gen_pkt *next_free;
	uint8_t data[GEN_MAX_FRAME];
};

/* ------------------------------------------------------------------ PRNG */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void gen_rng_seed(struct gen_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t gen_rng_next(struct gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

double gen_rng_unit(struct gen_rng *r)
{
	return (double)(gen_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint32_t gen_rng_below(struct gen_rng *r, uint32_t n)
{
	return (uint32_t)(gen_rng_unit(r) * n);
}

double gen_rng_sym(struct gen_rng *r)
{
	return 2.0 * gen_rng_unit(r) - 1.0;
}

uint64_t gen_hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s) {
		h ^= (uint8_t)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void gen_ip_str(uint32_t ip, char *out, size_t n)
{
	snprintf(out, n, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
		 (ip >> 8) & 255, ip & 255);
}

/* ---------------------------------------------------------- byte builder */

void gb_reset(struct gen_buf *g)
{
	g->n = 0;
	g->overflow = 0;
}

void gb_bytes(struct gen_buf *g, const void *p, size_t n)
{
	if (n > sizeof(g->b) - g->n) {
		g->overflow = 1;
		return;
	}
	memcpy(g->b + g->n, p, n);
	g->n += n;
}

void gb_u8(struct gen_buf *g, unsigned v)
{
	uint8_t b = (uint8_t)v;

	gb_bytes(g, &b, 1);
}

void gb_be16(struct gen_buf *g, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	gb_bytes(g, b, 2);
}

void gb_le16(struct gen_buf *g, unsigned v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	gb_bytes(g, b, 2);
}

void gb_be24(struct gen_buf *g, uint32_t v)
{
	uint8_t b[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	gb_bytes(g, b, 3);
}

void gb_be32(struct gen_buf *g, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	gb_bytes(g, b, 4);
}

void gb_le32(struct gen_buf *g, uint32_t v)
{
	gb_leN(g, v, 4);
}

void gb_leN(struct gen_buf *g, uint64_t v, size_t n)
{
	uint8_t b[8];
	size_t i;

	if (n > 8) {
		g->overflow = 1;
		return;
	}
	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	gb_bytes(g, b, n);
}

void gb_padstr(struct gen_buf *g, const char *s, size_t width, unsigned pad)
{
	size_t l = strlen(s), i;

	if (l > width)
		l = width;
	gb_bytes(g, s, l);
	for (i = l; i < width; i++)
		gb_u8(g, pad);
}

void gb_put_be16_at(struct gen_buf *g, size_t at, unsigned v)
{
	if (at + 2 > g->n) {
		g->overflow = 1;
		return;
	}
	g->b[at] = (uint8_t)(v >> 8);
	g->b[at + 1] = (uint8_t)v;
}

/* ------------------------------------------------------------- the queue */

static int pkt_before(const void *x, const void *y)
{
	const struct gen_pkt *a = x, *b = y;

	return a->t < b->t || (a->t == b->t && a->order < b->order);
}

int gen_heap_push(struct gen_heap *h, void *item)
{
	size_t i;

	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 1024;
		void **n = realloc(h->v, nc * sizeof(*n));

		if (!n)
			return -1;
		h->v = n;
		h->cap = nc;
	}
	i = h->n++;
	while (i > 0) {
		size_t up = (i - 1) / 2;

		if (!h->before(item, h->v[up]))
			break;
		h->v[i] = h->v[up];
		i = up;
	}
	h->v[i] = item;
	return 0;
}

void *gen_heap_pop(struct gen_heap *h)
{
	void *top, *last;
	size_t i = 0;

	if (!h->n)
		return NULL;
	top = h->v[0];
	last = h->v[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, m;

		if (l >= h->n)
			break;
		m = l;
		if (l + 1 < h->n && h->before(h->v[l + 1], h->v[l]))
			m = l + 1;
		if (!h->before(h->v[m], last))
			break;
		h->v[i] = h->v[m];
		i = m;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

void gen_heap_free(struct gen_heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

static struct gen_pkt *pool_get(struct gen_writer *w)
{
	struct gen_pkt *p;

	if (!w->free_list) {
		struct gen_pkt *chunk;
		size_t i;

		if (w->nchunks == w->capchunks) {
			size_t nc = w->capchunks ? w->capchunks * 2 : 16;
			void **n = realloc(w->chunks, nc * sizeof(*n));

			if (!n)
				return NULL;
			w->chunks = n;
			w->capchunks = nc;
		}
		chunk = malloc(GEN_POOL_CHUNK * sizeof(*chunk));
		if (!chunk)
			return NULL;
		w->chunks[w->nchunks++] = chunk;
		for (i = 0; i < GEN_POOL_CHUNK; i++) {
			chunk[i].next_free = w->free_list;
			w->free_list = &chunk[i];
		}
	}
	p = w->free_list;
	w->free_list = p->next_free;
	return p;
}

static void pkt_release(struct gen_writer *w, struct gen_pkt *p)
{
	p->next_free = w->free_list;
	w->free_list = p;
}

int gen_writer_open(struct gen_writer *w, const char *path)
{
	memset(w, 0, sizeof(*w));
	w->queue.before = pkt_before;
	w->pd = pcap_open_dead(DLT_EN10MB, GEN_SNAPLEN);
	if (!w->pd)
		return -1;
	w->fp = fopen(path, "wb");
	if (!w->fp)
		goto fail;
	w->iobuf = malloc(GEN_IOBUF);
	if (w->iobuf)
		setvbuf(w->fp, w->iobuf, _IOFBF, GEN_IOBUF);
	w->dumper = pcap_dump_fopen(w->pd, w->fp);
	if (!w->dumper)
		goto fail;
	return 0;
fail:
	if (w->fp)
		fclose(w->fp);
	w->fp = NULL;
	free(w->iobuf);
	w->iobuf = NULL;
	pcap_close(w->pd);
	w->pd = NULL;
	return -1;
}

static void write_one(struct gen_writer *w, struct gen_pkt *p)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(p->t / GEN_SEC);
	h.ts.tv_usec = (suseconds_t)(p->t % GEN_SEC);
	h.caplen = p->len;
	h.len = p->len;
	pcap_dump((u_char *)w->dumper, &h, p->data);
	w->packets++;
	w->bytes += p->len;
	pkt_release(w, p);
}

void gen_writer_flush_before(struct gen_writer *w, gen_time t)
{
	while (w->queue.n && ((struct gen_pkt *)w->queue.v[0])->t < t)
		write_one(w, gen_heap_pop(&w->queue));
}

int gen_writer_close(struct gen_writer *w)
{
	size_t i;
	int rc = w->err ? -1 : 0;

	if (w->dumper) {
		while (w->queue.n)
			write_one(w, gen_heap_pop(&w->queue));
		if (pcap_dump_flush(w->dumper) != 0 || ferror(w->fp))
			rc = -1;
		pcap_dump_close(w->dumper);    /* closes fp */
	} else if (w->fp) {
		fclose(w->fp);
	}
	if (w->pd)
		pcap_close(w->pd);
	for (i = 0; i < w->nchunks; i++)
		free(w->chunks[i]);
	free(w->chunks);
	gen_heap_free(&w->queue);
	free(w->iobuf);
	memset(w, 0, sizeof(*w));
	return rc;
}

/* ------------------------------------------------------- frame building */

void gen_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void gen_put32(uint8_t *p, uint32_t v)
{
	gen_put16(p, v >> 16);
	gen_put16(p + 2, v & 0xffff);
}

uint32_t gen_csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

uint16_t gen_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void gen_frame(struct gen_writer *w, gen_time t, const uint8_t *frame, size_t n)
{
	struct gen_pkt *p;

	if (n > GEN_MAX_FRAME || !(p = pool_get(w))) {
		w->err = 1;
		return;
	}
	memcpy(p->data, frame, n);
	p->t = t;
	p->order = w->order++;
	p->len = (uint32_t)n;
	if (gen_heap_push(&w->queue, p) != 0) {
		w->err = 1;
		pkt_release(w, p);
	}
}

/* Queue one IPv4 datagram carrying the l4 bytes already placed at
 * frame offset 34; fills Ethernet, IP and the L4 checksum. */
static void queue_ip(struct gen_writer *w, struct gen_pkt *p, gen_time t,
		     struct gen_host *src, struct gen_host *dst, unsigned proto,
		     size_t l4len, size_t csum_off)
{
	uint8_t *f = p->data, *ip = f + 14, pseudo[12];
	const uint8_t *smac = src->l2_peer ? src->l2_peer : src->mac;
	const uint8_t *dmac = dst->l2_peer ? dst->l2_peer : dst->mac;
	uint32_t sum;
	uint16_t c;

	src->seen = dst->seen = 1;
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	gen_put16(f + 12, 0x0800);
	ip[0] = 0x45;
	ip[1] = 0;
	gen_put16(ip + 2, (unsigned)(20 + l4len));
	gen_put16(ip + 4, src->ip_id++);
	gen_put16(ip + 6, src->df ? 0x4000 : 0);
	ip[8] = src->ttl;
	ip[9] = (uint8_t)proto;
	gen_put16(ip + 10, 0);
	gen_put32(ip + 12, src->ip);
	gen_put32(ip + 16, dst->ip);
	gen_put16(ip + 10, gen_csum_fold(gen_csum_add(0, ip, 20)));

	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = (uint8_t)proto;
	gen_put16(pseudo + 10, (unsigned)l4len);
	sum = gen_csum_add(0, pseudo, 12);
	sum = gen_csum_add(sum, ip + 20, l4len);
	c = gen_csum_fold(sum);
	if (proto == 17 && c == 0)
		c = 0xffff;
	gen_put16(ip + 20 + csum_off, c);

	p->t = t;
	p->order = w->order++;
	p->len = (uint32_t)(34 + l4len);
	if (gen_heap_push(&w->queue, p) != 0) {
		w->err = 1;
		pkt_release(w, p);
	}
}

void gen_udp(struct gen_writer *w, gen_time t, struct gen_host *src, uint16_t sport,
	     struct gen_host *dst, uint16_t dport, const uint8_t *pl, size_t n)
{
	struct gen_pkt *p;
	uint8_t *u;

	if (n > GEN_MAX_FRAME - 42 || !(p = pool_get(w))) {
		w->err = 1;
		return;
	}
	u = p->data + 34;
	gen_put16(u, sport);
	gen_put16(u + 2, dport);
	gen_put16(u + 4, (unsigned)(8 + n));
	gen_put16(u + 6, 0);
	memcpy(u + 8, pl, n);
	queue_ip(w, p, t, src, dst, 17, 8 + n, 6);
}

void gen_tcp_segment(struct gen_writer *w, gen_time t, struct gen_host *src,
		     uint16_t sport, struct gen_host *dst, uint16_t dport,
		     uint32_t seq, uint32_t ack, unsigned flags, int mss,
		     const uint8_t *pl, size_t n)
{
	struct gen_pkt *p;
	size_t hl = mss ? 24 : 20;
	uint8_t *h;

	if (n > GEN_MAX_FRAME - 34 - hl || !(p = pool_get(w))) {
		w->err = 1;
		return;
	}
	h = p->data + 34;
	gen_put16(h, sport);
	gen_put16(h + 2, dport);
	gen_put32(h + 4, seq);
	gen_put32(h + 8, (flags & TH_ACK) ? ack : 0);
	h[12] = (uint8_t)((hl / 4) << 4);
	h[13] = (uint8_t)flags;
	gen_put16(h + 14, (flags & TH_RST) ? 0 : src->win);
	gen_put16(h + 16, 0);
	gen_put16(h + 18, 0);
	if (mss) {
		h[20] = 2;      /* MSS option */
		h[21] = 4;
		gen_put16(h + 22, 1460);
	}
	if (n)
		memcpy(h + hl, pl, n);
	queue_ip(w, p, t, src, dst, 6, hl + n, 16);
}

/* ------------------------------------------------------------ TCP sessions */

uint16_t gen_host_port(struct gen_host *h)
{
	uint16_t p = h->next_port;

	h->next_port = (uint16_t)(p >= 64999 ? 49152 : p + 1);
	return p;
}

/* LAN round trip: 150..650 microseconds. */
static gen_time lan_rtt(struct gen_rng *r)
{
	return 150 + (gen_time)gen_rng_below(r, 500);
}

void gen_tcp_init(struct gen_tcp *c, struct gen_rng *r, struct gen_host *cli,
		  struct gen_host *srv, uint16_t sport)
{
	memset(c, 0, sizeof(*c));
	c->cli = cli;
	c->srv = srv;
	c->sport = sport;
	c->cport = gen_host_port(cli);
	c->cseq = (uint32_t)gen_rng_next(r);
	c->sseq = (uint32_t)gen_rng_next(r);
}

/* Three segments: the client's flags (SYN, or FIN|ACK), the server's answer
 * with the same flag plus ACK, the client's ACK.  SYN and FIN each take one
 * sequence number on both sides. */
static gen_time tcp_three_way(struct gen_writer *w, struct gen_rng *r,
			      struct gen_tcp *c, gen_time t, unsigned flags)
{
	gen_time t1 = t + lan_rtt(r) / 2, t2 = t1 + lan_rtt(r) / 2 + 20;
	int syn = (flags & TH_SYN) != 0;

	gen_tcp_segment(w, t, c->cli, c->cport, c->srv, c->sport, c->cseq,
			c->sseq, flags, syn, NULL, 0);
	c->cseq++;
	gen_tcp_segment(w, t1, c->srv, c->sport, c->cli, c->cport, c->sseq,
			c->cseq, flags | TH_ACK, syn, NULL, 0);
	c->sseq++;
	gen_tcp_segment(w, t2, c->cli, c->cport, c->srv, c->sport, c->cseq,
			c->sseq, TH_ACK, 0, NULL, 0);
	c->busy = t2;
	return t2;
}

gen_time gen_tcp_connect(struct gen_writer *w, struct gen_rng *r,
			 struct gen_tcp *c, gen_time t)
{
	c->open = 1;
	return tcp_three_way(w, r, c, t, TH_SYN);
}

gen_time gen_tcp_data(struct gen_writer *w, struct gen_tcp *c, int from_server,
		      gen_time t, const struct gen_buf *g)
{
	if (g->overflow || !g->n) {
		w->err = 1;
		return t;
	}
	if (from_server) {
		gen_tcp_segment(w, t, c->srv, c->sport, c->cli, c->cport, c->sseq,
				c->cseq, TH_PSH | TH_ACK, 0, g->b, g->n);
		c->sseq += (uint32_t)g->n;
	} else {
		gen_tcp_segment(w, t, c->cli, c->cport, c->srv, c->sport, c->cseq,
				c->sseq, TH_PSH | TH_ACK, 0, g->b, g->n);
		c->cseq += (uint32_t)g->n;
	}
	if (t > c->busy)
		c->busy = t;
	return t;
}

gen_time gen_tcp_ack(struct gen_writer *w, struct gen_tcp *c, int from_server,
		     gen_time t)
{
	if (from_server)
		gen_tcp_segment(w, t, c->srv, c->sport, c->cli, c->cport, c->sseq,
				c->cseq, TH_ACK, 0, NULL, 0);
	else
		gen_tcp_segment(w, t, c->cli, c->cport, c->srv, c->sport, c->cseq,
				c->sseq, TH_ACK, 0, NULL, 0);
	if (t > c->busy)
		c->busy = t;
	return t;
}

gen_time gen_tcp_close(struct gen_writer *w, struct gen_rng *r,
		       struct gen_tcp *c, gen_time t)
{
	if (!c->open)
		return t;
	c->open = 0;
	return tcp_three_way(w, r, c, t, TH_FIN | TH_ACK);
}

gen_time gen_tcp_reset(struct gen_writer *w, struct gen_tcp *c, int from_server,
		       gen_time t)
{
	if (!c->open)
		return t;
	if (from_server)
		gen_tcp_segment(w, t, c->srv, c->sport, c->cli, c->cport, c->sseq,
				c->cseq, TH_RST | TH_ACK, 0, NULL, 0);
	else
		gen_tcp_segment(w, t, c->cli, c->cport, c->srv, c->sport, c->cseq,
				c->sseq, TH_RST | TH_ACK, 0, NULL, 0);
	c->open = 0;
	c->busy = t;
	return t;
}

gen_time gen_tcp_probe(struct gen_writer *w, struct gen_rng *r, struct gen_host *cli,
		       struct gen_host *srv, uint16_t dport, int open, gen_time t)
{
	uint16_t sport = gen_host_port(cli);
	uint32_t isn = (uint32_t)gen_rng_next(r);
	gen_time t1 = t + lan_rtt(r) / 2;

	gen_tcp_segment(w, t, cli, sport, srv, dport, isn, 0, TH_SYN, 1, NULL, 0);
	if (open) {
		uint32_t sisn = (uint32_t)gen_rng_next(r);
		gen_time t2 = t1 + lan_rtt(r) / 2;

		gen_tcp_segment(w, t1, srv, dport, cli, sport, sisn, isn + 1,
				TH_SYN | TH_ACK, 1, NULL, 0);
		gen_tcp_segment(w, t2, cli, sport, srv, dport, isn + 1, 0, TH_RST,
				0, NULL, 0);
		return t2;
	}
	gen_tcp_segment(w, t1, srv, dport, cli, sport, 0, isn + 1,
			TH_RST | TH_ACK, 0, NULL, 0);
	return t1;
}
