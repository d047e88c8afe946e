/*
 * flow.c - the bidirectional flow table (see flow.h).
 *
 * Layout: a chained hash table (power-of-two buckets, seeded hash of the
 * canonical key) plus one recency list per timeout class.  Every list is
 * ordered by the table clock at the flow's last packet, so its tail is the
 * next flow of that class to time out: expiry checks a few tails per packet
 * (bounded, amortised work) and eviction ends the oldest of the tails.
 *
 * Per packet: one hash lookup (skipped when the packet belongs to the same
 * flow as the one before, the common request/response case), no
 * allocation.  The bucket array starts small, so a plant's few hundred
 * flows stay in cache, and doubles as flows grow, up to max_flows.
 *
 * A bare SYN costs one struct flow_entry.  Reassembly, nDPI and dissector
 * state (struct flow_ext) are allocated on the first payload byte.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "stream.h"
#include "classify.h"
#include "applayer.h"
#include "dissector.h"
#include "hash.h"
#include "list.h"
#include "seed.h"

/* Timeout classes, one recency list each. */
enum flow_list {
	LIST_EMBRYONIC = 0,     /* TCP handshake not complete */
	LIST_TCP,               /* TCP established or half closed */
	LIST_CLOSED,            /* TCP closed or reset: linger */
	LIST_OTHER,             /* UDP and other */
	LIST_COUNT
};

#define EXPIRE_PER_PACKET 8
#define FLOW_MIN_BUCKETS 1024u
#define FLOW_MAX_TIMEOUT 1e10          /* seconds (317 years) */
#define FLOW_MAX_BUCKETS FLOW_MAX_FLOWS
#define FLOW_ID_MASK ((UINT64_C(1) << 51) - 1) /* EVE readers parse as doubles */

/* Canonical key: the lower (address, port) endpoint first.  No implicit
 * padding, and the tail zeroed: it hashes and compares as six words. */
struct flow_key {
	union {
		struct {
			uint8_t lo_ip[16], hi_ip[16];
			uint16_t lo_port, hi_port;
			uint16_t vlan[PKT_MAX_VLAN];
			uint8_t ver, l4, nvlan, pad[5];
		};
		uint64_t w[OTS_KEYHASH_WORDS];
	};
};

_Static_assert(sizeof(struct flow_key) == OTS_KEYHASH_WORDS * 8, "flow_key is six words");

/* What a flow allocates once it carries payload. */
struct flow_ext {
	struct stream st[2];
	struct classify_flow *cls;
	struct applayer_flow al;
	uint8_t stream_off;     /* no dissector wants the bytes: stop reassembly */
	uint8_t reported[2];    /* bit per enum stream_anomaly: anomaly written */
};

struct flow_entry {
	struct flow f;
	struct flow_key key;
	uint64_t hash;
	struct flow_entry *hnext;
	struct ots_link link;              /* recency list, first = newest */
	int64_t touch;                     /* table clock at the last packet (us) */
	uint32_t isn[2];                   /* SYN sequence numbers by direction */
	uint8_t isn_known[2];
	int8_t wscale[2];                  /* window scale each SYN offered, -1 none */
	uint8_t fin_seen[2];
	uint8_t list;                      /* enum flow_list */
	uint8_t cli_is_lo;                 /* the client is the key's lo side */
	uint8_t labelled;                  /* app_proto is final */
	struct flow_ext *ext;
};

/* A consumer of every packet. */
struct flow_packet_consumer {
	void (*on_packet)(void *ud, const struct pkt_meta *p, const struct flow *f, int dir);
	void *ud;
};

/* One direction's delivery target while a packet is processed. */
struct flow_sink_ctx {
	struct flow_table *ft;
	struct flow_entry *e;
	const struct timeval *ts;
	int dir;
};

struct flow_table {
	struct flow_config cfg;
	struct flow_callbacks cb;
	/* every packet goes to each, in this order: cb.on_packet first */
	struct flow_packet_consumer pc[FLOW_MAX_CONSUMERS + 1];
	size_t n_pc;
	size_t n_added;                    /* flow_table_add_consumer calls taken */
	struct ot_limits lim;
	struct flow_entry **buckets;
	uint64_t mask;
	uint64_t max_buckets;              /* the array never grows past this */
	struct flow_entry *recent;         /* the flow of the previous packet */
	int64_t next_expiry;               /* no flow times out before this (us) */
	struct ots_keyhash kh;             /* the key hash's keys, from a random seed */
	struct ots_list lists[LIST_COUNT];
	int64_t timeout_us[LIST_COUNT];
	int64_t now;                       /* newest packet time seen (us) */
	uint64_t id_counter;
	struct stream_pool pool;
	struct classify *cls;
	struct applayer al;
	struct flow_stats st;
	uint8_t ot_ports[2][8192];         /* [udp?][port bit]: dissector ports */
	/* the delivery targets by direction: set up once, aimed at a flow
	 * and a packet time by sinks_for() */
	struct flow_sink_ctx sink_ctx[2];
	struct stream_sink sink[2];
};

/* ---- configuration ---------------------------------------------------- */

static const struct ot_tok tcp_state_names[] = {
	{ FLOW_TCP_NONE, "none" },
	{ FLOW_TCP_SYN_SENT, "syn_sent" },
	{ FLOW_TCP_SYN_RECV, "syn_recv" },
	{ FLOW_TCP_ESTABLISHED, "established" },
	{ FLOW_TCP_CLOSING, "closing" },
	{ FLOW_TCP_CLOSED, "closed" },
	{ FLOW_TCP_RESET, "reset" },
	{ 0, NULL }
};

static const struct ot_tok end_reason_names[] = {
	{ FLOW_END_TIMEOUT, "timeout" },
	{ FLOW_END_CLOSED, "closed" },
	{ FLOW_END_EVICTED, "evicted" },
	{ FLOW_END_SHUTDOWN, "shutdown" },
	{ 0, NULL }
};

const char *flow_tcp_state_name(int state)
{
	return ot_tok_str(tcp_state_names, state);
}

const char *flow_end_reason_name(int reason)
{
	return ot_tok_str(end_reason_names, reason);
}

/* ---- hashing and ids --------------------------------------------------- */

static uint64_t key_hash(const struct flow_table *ft, const struct flow_key *k)
{
	return ots_hash_key(&ft->kh, k->w);
}

static int key_equal(const struct flow_key *a, const struct flow_key *b)
{
	return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) |
		(a->w[3] ^ b->w[3]) | (a->w[4] ^ b->w[4]) | (a->w[5] ^ b->w[5])) == 0;
}

/* A bijection on 51-bit numbers: distinct counters give distinct ids. */
static uint64_t flow_id_permute(uint64_t n)
{
	uint64_t x = (n + UINT64_C(0x2545F4914F6CDD1D)) & FLOW_ID_MASK;

	x = (x * UINT64_C(0x9E3779B97F4A7C15)) & FLOW_ID_MASK;
	x ^= x >> 23;
	x = (x * UINT64_C(0xBF58476D1CE4E5B9)) & FLOW_ID_MASK;
	x ^= x >> 29;
	return x;
}

static uint64_t next_flow_id(struct flow_table *ft)
{
	uint64_t id;

	do
		id = flow_id_permute(ft->id_counter++);
	while (id == 0);
	return id;
}

static inline int64_t tv_us(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * 1000000 + tv->tv_usec;
}

/* ---- keys and roles ---------------------------------------------------- */

/* Fill k from p; returns 1 when the packet's source is the key's lo side
 * (the lower address by memcmp, then the lower port). */
static int make_key(const struct pkt_meta *p, struct flow_key *k)
{
	uint64_t s[2], d[2], sb, db;
	int src_lo;
	uint8_t nvlan = p->nvlan > PKT_MAX_VLAN ? PKT_MAX_VLAN : p->nvlan;

	memcpy(s, p->src_ip.a, 16);
	memcpy(d, p->dst_ip.a, 16);
	/* as big-endian words the addresses order as memcmp orders them */
	sb = __builtin_bswap64(s[0]);
	db = __builtin_bswap64(d[0]);
	if (sb == db) {
		sb = __builtin_bswap64(s[1]);
		db = __builtin_bswap64(d[1]);
	}
	src_lo = sb != db ? sb < db : p->sport <= p->dport;

	k->w[4] = 0;
	k->w[5] = 0;
	if (src_lo) {
		memcpy(k->lo_ip, s, 16);
		memcpy(k->hi_ip, d, 16);
		k->lo_port = p->sport;
		k->hi_port = p->dport;
	} else {
		memcpy(k->lo_ip, d, 16);
		memcpy(k->hi_ip, s, 16);
		k->lo_port = p->dport;
		k->hi_port = p->sport;
	}
	_Static_assert(PKT_MAX_VLAN == 2, "make_key copies two tags");
	k->nvlan = nvlan;
	k->vlan[0] = nvlan > 0 ? p->vlan[0] : 0;
	k->vlan[1] = nvlan > 1 ? p->vlan[1] : 0;
	k->ver = p->src_ip.ver;
	k->l4 = p->l4;
	return src_lo;
}

static int is_ot_port(const struct flow_table *ft, uint8_t l4, uint16_t port)
{
	int u = l4 == IPPROTO_UDP;

	return (ft->ot_ports[u][port >> 3] >> (port & 7)) & 1;
}

static int server_score(const struct flow_table *ft, uint8_t l4, uint16_t port)
{
	if (is_ot_port(ft, l4, port))
		return 2;
	if (port && port < 1024)
		return 1;
	return 0;
}

/* Mid-stream or connectionless: 1 when the packet's source is the server. */
static int guess_src_is_server(const struct flow_table *ft, const struct pkt_meta *p)
{
	int s = server_score(ft, p->l4, p->sport), d = server_score(ft, p->l4, p->dport);

	if (s != d)
		return s > d;
	if (p->l4 == IPPROTO_TCP && p->sport != p->dport)
		return p->sport < p->dport;
	return 0;       /* the first packet's destination is the server */
}

/* ---- lists and hash chains ------------------------------------------- */

#define ENTRY_OF(l) ots_list_entry((l), struct flow_entry, link)

static void list_unlink(struct flow_table *ft, struct flow_entry *e)
{
	ots_list_unlink(&ft->lists[e->list], &e->link);
}

static void list_push(struct flow_table *ft, struct flow_entry *e, int list)
{
	struct ots_list *l = &ft->lists[list];

	e->list = (uint8_t)list;
	if (ots_list_empty(l) && e->touch + ft->timeout_us[list] < ft->next_expiry)
		ft->next_expiry = e->touch + ft->timeout_us[list];
	ots_list_push_front(l, &e->link);
}

static int list_for(const struct flow_entry *e)
{
	if (e->f.l4 != IPPROTO_TCP)
		return LIST_OTHER;
	switch (e->f.tcp_state) {
	case FLOW_TCP_SYN_SENT:
	case FLOW_TCP_SYN_RECV:
		return LIST_EMBRYONIC;
	case FLOW_TCP_CLOSED:
	case FLOW_TCP_RESET:
		return LIST_CLOSED;
	default:
		return LIST_TCP;
	}
}

static void hash_unlink(struct flow_table *ft, struct flow_entry *e)
{
	struct flow_entry **pp = &ft->buckets[e->hash & ft->mask];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
}

/* The flow of key k, or NULL; *hp: the key's hash either way. */
static struct flow_entry *lookup(struct flow_table *ft, const struct flow_key *k, uint64_t *hp)
{
	struct flow_entry *e = ft->recent;
	uint64_t h;

	/* the flow of the packet before (request and response alike): its
	 * key is the same, so is its hash, already stored */
	if (e && key_equal(&e->key, k)) {
		*hp = e->hash;
		return e;
	}
	h = *hp = key_hash(ft, k);
	for (e = ft->buckets[h & ft->mask]; e; e = e->hnext)
		if (e->hash == h && key_equal(&e->key, k))
			return e;
	return NULL;
}

/* ---- delivery from reassembly into the application layer --------------- */

static void sink_data(void *ud, const uint8_t *data, size_t len, const struct timeval *ts)
{
	struct flow_sink_ctx *c = ud;

	/* bytes that waited behind a hole keep the time of their own packet */
	applayer_data(&c->ft->al, &c->e->ext->al, &c->e->f, ts ? ts : c->ts, c->dir,
		      data, len);
}

/* Stream anomalies: reason codes of the anomaly events (one per kind and
 * direction per flow; every one is counted). */
static const char *const stream_anomaly_reason[STREAM_AN_COUNT] = {
	[STREAM_AN_CONFLICT] = "stream.reassembly_overlap_different_data",
	[STREAM_AN_BAD_ACK] = "stream.est_invalid_ack",
	[STREAM_AN_OUT_OF_WINDOW] = "stream.est_packet_out_of_window",
	[STREAM_AN_REANCHOR] = "stream.reanchored",
};

const char *flow_stream_anomaly_reason(int what)
{
	return what >= 0 && what < STREAM_AN_COUNT ? stream_anomaly_reason[what] : NULL;
}

static void sink_anomaly(void *ud, enum stream_anomaly what, uint32_t seq, uint32_t len,
			 uint32_t detail)
{
	struct flow_sink_ctx *c = ud;
	struct flow *f = &c->e->f;
	struct flow_ext *x = c->e->ext;
	int dir = c->dir;
	char text[128];

	switch (what) {
	case STREAM_AN_CONFLICT:
		f->conflicts[dir]++;
		snprintf(text, sizeof(text), "segment of %u bytes at seq %u overlaps %u bytes "
			 "already seen with other data: dropped, the first copy kept", len, seq, detail);
		break;
	case STREAM_AN_BAD_ACK:
		/* the ack came from the other side, about this side's data */
		f->bad_acks[!dir]++;
		snprintf(text, sizeof(text), "ack %u is more than a receive window past "
			 "the data sent: ignored", seq);
		break;
	case STREAM_AN_OUT_OF_WINDOW:
		f->out_of_window[dir]++;
		snprintf(text, sizeof(text), "segment of %u bytes at seq %u starts more than "
			 "a receive window ahead: dropped", len, seq);
		break;
	case STREAM_AN_REANCHOR:
		snprintf(text, sizeof(text), "data and acks agree on seq %u: the stream "
			 "continues there after a gap", seq);
		break;
	default:
		return;
	}
	if ((unsigned)what >= 8 || (x->reported[dir] >> what) & 1u)
		return;
	x->reported[dir] |= (uint8_t)(1u << what);
	applayer_anomaly(&c->ft->al, &x->al, f, c->ts, dir, stream_anomaly_reason[what], text);
}

static void sink_gap(void *ud, size_t len)
{
	struct flow_sink_ctx *c = ud;

	c->e->f.gaps[c->dir]++;
	applayer_gap(&c->ft->al, &c->e->ext->al, &c->e->f, c->ts, c->dir, len);
}

static void sinks_init(struct flow_table *ft)
{
	int d;

	for (d = 0; d < 2; d++) {
		ft->sink_ctx[d].ft = ft;
		ft->sink_ctx[d].dir = d;
		ft->sink[d].ud = &ft->sink_ctx[d];
		ft->sink[d].data = sink_data;
		ft->sink[d].gap = sink_gap;
		ft->sink[d].anomaly = sink_anomaly;
	}
}

/* The two directions' sinks, delivering to e with packet time ts.  Valid
 * until the next call: one flow's delivery never starts another's (the
 * consumers of events and data do not call into the table). */
static const struct stream_sink *sinks_for(struct flow_table *ft, struct flow_entry *e,
					   const struct timeval *ts)
{
	ft->sink_ctx[0].e = e;
	ft->sink_ctx[1].e = e;
	ft->sink_ctx[0].ts = ts;
	ft->sink_ctx[1].ts = ts;
	return ft->sink;
}

/* ---- flow life ---------------------------------------------------------- */

static void free_entry(struct flow_table *ft, struct flow_entry *e)
{
	if (e->ext) {
		stream_release(&ft->pool, &e->ext->st[0]);
		stream_release(&ft->pool, &e->ext->st[1]);
		free(e->ext);
	}
	free(e);
}

static void end_flow(struct flow_table *ft, struct flow_entry *e, int reason)
{
	struct flow *f = &e->f;
	struct flow_ext *x = e->ext;
	struct classify_flow *none = NULL;

	f->end_reason = (uint8_t)reason;
	if (x) {
		if (!x->stream_off) {
			const struct stream_sink *sink = sinks_for(ft, e, &f->last);

			stream_flush(&ft->pool, &x->st[0], &sink[0]);
			stream_flush(&ft->pool, &x->st[1], &sink[1]);
		}
		applayer_flow_end(&ft->al, &x->al, f, &f->last);
	}
	if (ft->cls && !e->labelled)
		classify_finish(ft->cls, x ? &x->cls : &none, f, f->app_proto,
				sizeof(f->app_proto));
	e->labelled = 1;
	if (ft->cb.on_flow_end)
		ft->cb.on_flow_end(ft->cb.ud, f);

	hash_unlink(ft, e);
	list_unlink(ft, e);
	if (ft->recent == e)
		ft->recent = NULL;
	ft->st.ended++;
	ft->st.active--;
	if (reason == FLOW_END_TIMEOUT)
		ft->st.timed_out++;
	else if (reason == FLOW_END_EVICTED)
		ft->st.evicted++;
	free_entry(ft, e);
}

static int expire_some(struct flow_table *ft, unsigned budget)
{
	int l, n = 0;

	for (l = 0; l < LIST_COUNT; l++) {
		struct flow_entry *e;

		while (budget && (e = ENTRY_OF(ft->lists[l].last)) != NULL &&
		       e->touch + ft->timeout_us[l] <= ft->now) {
			end_flow(ft, e, l == LIST_CLOSED ? FLOW_END_CLOSED : FLOW_END_TIMEOUT);
			budget--;
			n++;
		}
	}
	/* when the next check is due (early is harmless, late is not) */
	ft->next_expiry = INT64_MAX;
	for (l = 0; l < LIST_COUNT; l++) {
		struct flow_entry *t = ENTRY_OF(ft->lists[l].last);

		if (t && t->touch + ft->timeout_us[l] < ft->next_expiry)
			ft->next_expiry = t->touch + ft->timeout_us[l];
	}
	return n;
}

static void evict_oldest(struct flow_table *ft)
{
	struct flow_entry *old = NULL;
	int l;

	for (l = 0; l < LIST_COUNT; l++) {
		struct flow_entry *t = ENTRY_OF(ft->lists[l].last);

		if (t && (!old || t->touch < old->touch))
			old = t;
	}
	if (old)
		end_flow(ft, old, FLOW_END_EVICTED);
}

/* Double the bucket array (up to max_buckets) once flows outnumber it.
 * On allocation failure the table keeps working with longer chains. */
static void maybe_grow(struct flow_table *ft)
{
	uint64_t nb = (ft->mask + 1) * 2, i;
	struct flow_entry **nbk, *e, *n;

	if (ft->st.active <= ft->mask + 1 || nb > ft->max_buckets)
		return;
	nbk = calloc(nb, sizeof(*nbk));
	if (!nbk)
		return;
	for (i = 0; i <= ft->mask; i++)
		for (e = ft->buckets[i]; e; e = n) {
			n = e->hnext;
			e->hnext = nbk[e->hash & (nb - 1)];
			nbk[e->hash & (nb - 1)] = e;
		}
	free(ft->buckets);
	ft->buckets = nbk;
	ft->mask = nb - 1;
}

static struct flow_entry *create_flow(struct flow_table *ft, const struct pkt_meta *p,
				      const struct flow_key *k, uint64_t h, int src_lo)
{
	struct flow_entry *e;
	struct flow *f;
	int src_is_cli;

	if (ft->st.active >= ft->cfg.max_flows)
		evict_oldest(ft);
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	f = &e->f;
	e->key = *k;
	e->hash = h;

	if (p->l4 == IPPROTO_TCP && (p->tcp_flags & (TCP_SYN | TCP_RST)) == TCP_SYN) {
		/* SYN: its sender is the client; SYN/ACK: its sender the server */
		src_is_cli = !(p->tcp_flags & TCP_ACK);
		f->tcp_state = src_is_cli ? FLOW_TCP_SYN_SENT : FLOW_TCP_SYN_RECV;
	} else {
		src_is_cli = !guess_src_is_server(ft, p);
		f->role_guessed = 1;
		if (p->l4 == IPPROTO_TCP)
			f->tcp_state = (p->tcp_flags & TCP_RST) ? FLOW_TCP_RESET
								: FLOW_TCP_ESTABLISHED;
	}
	e->cli_is_lo = (uint8_t)(src_is_cli ? src_lo : !src_lo);

	f->id = next_flow_id(ft);
	f->l4 = p->l4;
	f->nvlan = k->nvlan;
	memcpy(f->vlan, k->vlan, sizeof(f->vlan));
	f->cli_ip = src_is_cli ? p->src_ip : p->dst_ip;
	f->srv_ip = src_is_cli ? p->dst_ip : p->src_ip;
	f->cli_port = src_is_cli ? p->sport : p->dport;
	f->srv_port = src_is_cli ? p->dport : p->sport;
	f->first = f->last = p->ts;
	f->iface = p->iface;
	f->priv = NULL;
	f->ot_proto = NULL;

	e->hnext = ft->buckets[h & ft->mask];
	ft->buckets[h & ft->mask] = e;
	e->touch = ft->now;
	list_push(ft, e, list_for(e));
	ft->st.created++;
	ft->st.active++;
	maybe_grow(ft);
	return e;
}

static struct flow_ext *ext_get(struct flow_table *ft, struct flow_entry *e)
{
	struct flow_ext *x = e->ext;
	int d;

	if (x)
		return x;
	x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	for (d = 0; d < 2; d++) {
		stream_init(&x->st[d]);
		if (e->isn_known[d])
			stream_syn(&ft->pool, &x->st[d], e->isn[d]);
	}
	applayer_flow_init(&x->al);
	x->stream_off = !ft->cfg.ot_enable;
	e->ext = x;
	e->f.priv = x;
	return x;
}

static void tcp_track(struct flow_entry *e, const struct pkt_meta *p, int dir)
{
	struct flow *f = &e->f;
	uint8_t fl = p->tcp_flags;

	if (fl & TCP_RST) {
		f->tcp_state = FLOW_TCP_RESET;
		return;
	}
	if (fl & TCP_SYN) {
		e->isn[dir] = p->seq;
		e->isn_known[dir] = 1;
		e->wscale[dir] = p->wscale;
		if (!(fl & TCP_ACK)) {
			if (f->tcp_state == FLOW_TCP_NONE)
				f->tcp_state = FLOW_TCP_SYN_SENT;
		} else if (f->tcp_state == FLOW_TCP_NONE || f->tcp_state == FLOW_TCP_SYN_SENT) {
			f->tcp_state = FLOW_TCP_SYN_RECV;
		}
	} else if ((f->tcp_state == FLOW_TCP_SYN_SENT || f->tcp_state == FLOW_TCP_SYN_RECV) &&
		   (fl & TCP_ACK)) {
		f->tcp_state = FLOW_TCP_ESTABLISHED;
	}
	if (fl & TCP_FIN) {
		e->fin_seen[dir] = 1;
		if (f->tcp_state != FLOW_TCP_CLOSED && f->tcp_state != FLOW_TCP_RESET)
			f->tcp_state = (e->fin_seen[0] && e->fin_seen[1]) ? FLOW_TCP_CLOSED
									 : FLOW_TCP_CLOSING;
	}
}

/* The receive window the sender of p announces, in bytes: scaled as the
 * handshake agreed (RFC 7323 2.2: only when both SYNs carried the option,
 * never in a SYN), or STREAM_WND_UNKNOWN when the handshake was not seen. */
static uint32_t announced_window(const struct flow_entry *e, const struct pkt_meta *p, int dir)
{
	int shift = 0;

	if (!e->isn_known[0] || !e->isn_known[1])
		return STREAM_WND_UNKNOWN;
	if (!(p->tcp_flags & TCP_SYN) && e->wscale[0] >= 0 && e->wscale[1] >= 0)
		shift = e->wscale[dir] > 14 ? 14 : e->wscale[dir];
	return (uint32_t)p->win << shift;
}

/* Reassembly (TCP) or datagram hand-off (UDP) for one packet. */
static void app_packet(struct flow_table *ft, struct flow_entry *e, struct flow_ext *x,
		       const struct pkt_meta *p, int dir)
{
	const struct stream_sink *sink;
	uint32_t seq;

	if (x->stream_off)
		return;
	if (p->l4 == IPPROTO_UDP) {
		applayer_data(&ft->al, &x->al, &e->f, &p->ts, dir, p->payload, p->payload_len);
	} else if (p->l4 == IPPROTO_TCP) {
		sink = sinks_for(ft, e, &p->ts);
		if (p->tcp_flags & TCP_SYN)
			stream_syn(&ft->pool, &x->st[dir], p->seq);
		if (p->tcp_flags & TCP_ACK)
			stream_ack(&ft->pool, &x->st[!dir], p->ack,
				   announced_window(e, p, dir), &sink[!dir]);
		seq = p->seq + ((p->tcp_flags & TCP_SYN) ? 1u : 0u);
		stream_segment(&ft->pool, &x->st[dir], seq, p->payload, p->payload_len,
			       p->tcp_flags & TCP_FIN, &p->ts, &sink[dir]);
		if (e->f.tcp_state == FLOW_TCP_RESET || e->f.tcp_state == FLOW_TCP_CLOSED) {
			stream_flush(&ft->pool, &x->st[0], &sink[0]);
			stream_flush(&ft->pool, &x->st[1], &sink[1]);
		}
	} else {
		return;
	}
	if (x->al.status == AL_DONE) {
		/* nobody reads this flow's bytes any more */
		x->stream_off = 1;
		stream_release(&ft->pool, &x->st[0]);
		stream_release(&ft->pool, &x->st[1]);
	}
}

void flow_table_process(struct flow_table *ft, const struct pkt_meta *p)
{
	struct flow_key k;
	struct flow_entry *e;
	struct flow_ext *x;
	struct flow *f;
	uint64_t h;
	int64_t ts = tv_us(&p->ts);
	int src_lo, dir, list;
	uint8_t state0;
	size_t i;

	if (ts > ft->now)
		ft->now = ts;
	if (ft->now >= ft->next_expiry)
		expire_some(ft, EXPIRE_PER_PACKET);

	src_lo = make_key(p, &k);
	e = lookup(ft, &k, &h);
	if (e && p->l4 == IPPROTO_TCP &&
	    (p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
	    (e->f.tcp_state == FLOW_TCP_CLOSED || e->f.tcp_state == FLOW_TCP_RESET ||
	     (e->f.tcp_state == FLOW_TCP_SYN_SENT && (src_lo == e->cli_is_lo) &&
	      e->isn_known[FLOW_C2S] && e->isn[FLOW_C2S] != p->seq))) {
		/* the port pair is reused by a new connection, or the client
		 * gave up an unanswered attempt and starts another with a new
		 * initial sequence number: the receiving host would take it
		 * as a new connection (RFC 9293 3.10.7.2, a SYN in LISTEN) */
		end_flow(ft, e, FLOW_END_CLOSED);
		e = NULL;
	}
	if (!e) {
		e = create_flow(ft, p, &k, h, src_lo);
		if (!e) {
			ft->st.no_room++;
			return;
		}
	}
	f = &e->f;
	dir = (src_lo == e->cli_is_lo) ? FLOW_C2S : FLOW_S2C;
	f->pkts[dir]++;
	f->bytes[dir] += p->ip_len;
	if (timercmp(&p->ts, &f->last, >))
		f->last = p->ts;
	if (p->has_mac && !f->has_mac) {
		f->has_mac = 1;
		memcpy(f->cli_mac, dir == FLOW_C2S ? p->src_mac : p->dst_mac, 6);
		memcpy(f->srv_mac, dir == FLOW_C2S ? p->dst_mac : p->src_mac, 6);
	}
	state0 = f->tcp_state;
	if (p->l4 == IPPROTO_TCP)
		tcp_track(e, p, dir);

	/* newest first in its timeout class.  The flow of the packet before
	 * was put first in its class then, and nothing has been put before it
	 * since (expiry and eviction only take flows out): unless its state
	 * moved it to another class, it is there still. */
	e->touch = ft->now;
	if (e != ft->recent || f->tcp_state != state0) {
		list = list_for(e);
		if (list != e->list || ft->lists[list].first != &e->link) {
			list_unlink(ft, e);
			list_push(ft, e, list);
		}
	}

	ft->recent = e;
	for (i = 0; i < ft->n_pc; i++)
		ft->pc[i].on_packet(ft->pc[i].ud, p, f, dir);

	x = e->ext;
	if (!x && p->payload_len) {
		x = ext_get(ft, e);
		if (!x)
			ft->st.no_room++;
	}
	if (!x)
		return;
	if (ft->cls && !e->labelled && (p->payload_len || p->l4 != IPPROTO_TCP) &&
	    classify_packet(ft->cls, &x->cls, p, f->app_proto, sizeof(f->app_proto)))
		e->labelled = 1;
	app_packet(ft, e, x, p, dir);
}

int flow_table_add_consumer(struct flow_table *ft,
			    void (*on_packet)(void *ud, const struct pkt_meta *p,
					      const struct flow *f, int dir),
			    void (*on_event)(void *ud, const struct ot_event *ev), void *ud)
{
	/* room for one more of each besides flow_table_new's callbacks:
	 * the lists hold one slot more */
	_Static_assert(APPLAYER_MAX_CONSUMERS >= FLOW_MAX_CONSUMERS + 1,
		       "the application layer takes every event consumer");
	if (ft->n_added >= FLOW_MAX_CONSUMERS)
		return -1;
	ft->n_added++;
	if (on_event)
		applayer_add_consumer(&ft->al, on_event, ud);
	if (on_packet) {
		ft->pc[ft->n_pc].on_packet = on_packet;
		ft->pc[ft->n_pc].ud = ud;
		ft->n_pc++;
	}
	return 0;
}

void flow_table_expire(struct flow_table *ft, const struct timeval *now)
{
	int64_t t = tv_us(now);

	if (t > ft->now)
		ft->now = t;
	while (expire_some(ft, 1024) > 0)
		;
}

void flow_table_flush(struct flow_table *ft)
{
	int l;

	for (l = 0; l < LIST_COUNT; l++)
		while (ft->lists[l].last)
			end_flow(ft, ENTRY_OF(ft->lists[l].last), FLOW_END_SHUTDOWN);
}

size_t flow_table_flow_bytes(void)
{
	return sizeof(struct flow_entry) + sizeof(struct flow_ext) + classify_flow_bytes() +
	       2 * sizeof(struct flow_entry *);
}

void flow_table_get_stats(const struct flow_table *ft, struct flow_stats *st)
{
	*st = ft->st;
	st->tcp_gaps = ft->pool.gaps;
	st->tcp_gap_bytes = ft->pool.gap_bytes;
	st->ooo_segments = ft->pool.ooo_segments;
	st->ooo_dropped = ft->pool.ooo_dropped;
	st->retransmits = ft->pool.retransmits;
	st->overlaps = ft->pool.overlaps;
	st->overlap_differs = ft->pool.overlap_differs;
	st->keepalives = ft->pool.keepalives;
	st->bad_acks = ft->pool.bad_acks;
	st->out_of_window = ft->pool.out_of_window;
	st->reanchors = ft->pool.reanchors;
	st->ooo_bytes_now = ft->pool.bytes_now;
	st->ooo_bytes_peak = ft->pool.bytes_peak;
	st->ot_claimed = ft->al.st.claimed;
	st->ot_mismatch = ft->al.st.mismatch;
	if (ft->cls) {
		struct classify_stats cs;

		classify_get_stats(ft->cls, &cs);
		st->ndpi_flows = cs.flows;
		st->ndpi_active = cs.active;
	}
}

size_t flow_table_dissector_stats(const struct flow_table *ft,
				  struct applayer_dissector_stats *out)
{
	const struct flow_entry *e;
	int l;

	memcpy(out, ft->al.per, ft->al.n * sizeof(*out));
	for (l = 0; l < LIST_COUNT; l++)
		for (e = ENTRY_OF(ft->lists[l].first); e; e = ENTRY_OF(e->link.next))
			if (e->ext)
				applayer_flow_counters(&ft->al, &e->ext->al, out);
	return ft->al.n;
}

/* ---- construction ------------------------------------------------------ */

static int check_config(const struct flow_config *cfg, char *err, size_t errlen)
{
	if (cfg->max_flows == 0 || cfg->max_flows > FLOW_MAX_BUCKETS) {
		snprintf(err, errlen, "max flows must be 1..%u", FLOW_MAX_BUCKETS);
		return -1;
	}
	if (!(cfg->idle_timeout >= 0 && cfg->idle_timeout <= FLOW_MAX_TIMEOUT) ||
	    !(cfg->tcp_idle_timeout >= 0 && cfg->tcp_idle_timeout <= FLOW_MAX_TIMEOUT) ||
	    !(cfg->tcp_closed_timeout >= 0 && cfg->tcp_closed_timeout <= FLOW_MAX_TIMEOUT) ||
	    !(cfg->tcp_embryonic_timeout >= 0 && cfg->tcp_embryonic_timeout <= FLOW_MAX_TIMEOUT)) {
		snprintf(err, errlen, "flow timeouts must be 0..%.0f seconds", FLOW_MAX_TIMEOUT);
		return -1;
	}
	return 0;
}

static void mark_ot_ports(struct flow_table *ft, const struct dissector *const *l, size_t n)
{
	size_t i;
	int j;

	for (i = 0; i < n; i++)
		for (j = 0; j < DISSECT_MAX_PORTS && l[i]->ports[j]; j++) {
			uint16_t port = l[i]->ports[j];

			if (l[i]->transports & DISSECT_TCP)
				ft->ot_ports[0][port >> 3] |= (uint8_t)(1u << (port & 7));
			if (l[i]->transports & DISSECT_UDP)
				ft->ot_ports[1][port >> 3] |= (uint8_t)(1u << (port & 7));
		}
}

struct flow_table *flow_table_new(const struct flow_config *cfg,
				  const struct flow_callbacks *cb,
				  char *err, size_t errlen)
{
	struct flow_table *ft;
	const struct dissector *const *list;
	uint64_t nb = 1;
	size_t n;

	if (check_config(cfg, err, errlen) < 0)
		return NULL;
	ft = calloc(1, sizeof(*ft));
	if (!ft)
		goto nomem;
	ft->cfg = *cfg;
	if (cb)
		ft->cb = *cb;
	if (ft->cb.on_packet) {
		ft->pc[0].on_packet = ft->cb.on_packet;
		ft->pc[0].ud = ft->cb.ud;
		ft->n_pc = 1;
	}
	ft->lim = cfg->lim;
	while (nb < cfg->max_flows)
		nb <<= 1;
	ft->max_buckets = nb;
	if (nb > FLOW_MIN_BUCKETS)
		nb = FLOW_MIN_BUCKETS;
	ft->buckets = calloc(nb, sizeof(*ft->buckets));
	if (!ft->buckets)
		goto nomem;
	ft->mask = nb - 1;
	ft->next_expiry = INT64_MAX;
	sinks_init(ft);
	ots_keyhash_init(&ft->kh, ots_random_seed());
	ft->timeout_us[LIST_EMBRYONIC] = (int64_t)(cfg->tcp_embryonic_timeout * 1e6);
	ft->timeout_us[LIST_TCP] = (int64_t)(cfg->tcp_idle_timeout * 1e6);
	ft->timeout_us[LIST_CLOSED] = (int64_t)(cfg->tcp_closed_timeout * 1e6);
	ft->timeout_us[LIST_OTHER] = (int64_t)(cfg->idle_timeout * 1e6);
	ft->now = INT64_MIN / 2;
	ft->id_counter = 1;
	stream_pool_init(&ft->pool, cfg->max_ooo_per_flow, cfg->max_ooo_total);
	if (cfg->dissectors) {
		list = cfg->dissectors;
		n = cfg->n_dissectors;
	} else {
		list = dissector_list(&n);
	}
	/* the application layer's events go straight to the consumer */
	applayer_init(&ft->al, list, n, &ft->lim, cfg->want_detail, ft->cb.on_event, ft->cb.ud);
	mark_ot_ports(ft, ft->al.list, ft->al.n);
	if (cfg->ndpi_enable) {
		ft->cls = classify_new(cfg->ndpi_max_packets, err, errlen);
		if (!ft->cls) {
			free(ft->buckets);
			free(ft);
			return NULL;
		}
	}
	return ft;
nomem:
	snprintf(err, errlen, "out of memory for the flow table");
	if (ft)
		free(ft->buckets);
	free(ft);
	return NULL;
}

void flow_table_free(struct flow_table *ft)
{
	if (!ft)
		return;
	/* end what is left without telling anyone: the consumers may be gone */
	memset(&ft->cb, 0, sizeof(ft->cb));
	ft->n_pc = 0;
	ft->al.n_consumers = 0;
	flow_table_flush(ft);
	classify_free(ft->cls);
	free(ft->buckets);
	free(ft);
}
