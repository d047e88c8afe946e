/*
 * applayer.c - dissector selection and hand-off (see applayer.h).
 */
#include <netinet/in.h>
#include <string.h>

#include "applayer.h"
#include "flow.h"

void applayer_init(struct applayer *al, const struct dissector *const *list, size_t n,
		   const struct ot_limits *lim, int want_detail,
		   void (*on_event)(void *ud, const struct ot_event *ev), void *ud)
{
	size_t i, k;

	memset(al, 0, sizeof(*al));
	al->n = n > APPLAYER_MAX_DISSECTORS ? APPLAYER_MAX_DISSECTORS : n;
	/* insertion sort by probe order, stable */
	for (i = 0; i < al->n; i++) {
		for (k = i; k > 0 && al->list[k - 1]->probe_order > list[i]->probe_order; k--)
			al->list[k] = al->list[k - 1];
		al->list[k] = list[i];
	}
	al->lim = lim;
	al->want_detail = want_detail;
	if (on_event)
		applayer_add_consumer(al, on_event, ud);
	for (i = 0; i < al->n; i++)
		al->per[i].d = al->list[i];
}

int applayer_add_consumer(struct applayer *al,
			  void (*on_event)(void *ud, const struct ot_event *ev), void *ud)
{
	if (al->n_consumers >= APPLAYER_MAX_CONSUMERS)
		return -1;
	al->consumer[al->n_consumers].on_event = on_event;
	al->consumer[al->n_consumers].ud = ud;
	al->n_consumers++;
	return 0;
}

void applayer_flow_init(struct applayer_flow *af)
{
	af->d = NULL;
	af->state = NULL;
	af->status = AL_PROBING;
	af->mismatch_sent = 0;
	af->port_not_mine = 0;
	af->npkts = 0;
	af->partial[0] = af->partial[1] = 0;
	af->plen[0] = af->plen[1] = 0;
	af->rejected = 0;
	af->probed_bytes = 0;
}

/* Index of dissector d in the list (al->n when it is not there). */
static size_t per_index(const struct applayer *al, const struct dissector *d)
{
	size_t i;

	for (i = 0; i < al->n && al->per[i].d != d; i++)
		;
	return i;
}

void applayer_flow_counters(const struct applayer *al, const struct applayer_flow *af,
			    struct applayer_dissector_stats *out)
{
	size_t i;

	if (af->status != AL_CLAIMED || !af->d->counters ||
	    af->d->n_counters > DISSECT_MAX_COUNTERS)
		return;
	i = per_index(al, af->d);
	if (i < al->n)
		af->d->counters(af->state, out[i].counters);
}

static void applayer_emit(struct dissect_ctx *ctx, struct ot_event *ev)
{
	const struct applayer *al = ctx->emit_ud;
	const struct applayer_consumer *c = al->consumer, *end = c + al->n_consumers;

	/* the list is fixed while events flow: its end is read once */
	for (; c < end; c++)
		c->on_event(c->ud, ev);
}

static void make_ctx(struct applayer *al, struct dissect_ctx *ctx, const struct flow *f,
		     const struct timeval *ts, int dir)
{
	ctx->flow = f;
	ctx->ts = *ts;
	ctx->from_client = dir == FLOW_C2S;
	ctx->is_udp = f->l4 == IPPROTO_UDP;
	ctx->want_detail = (uint8_t)(al->want_detail != 0);
	ctx->lim = al->lim;
	ctx->emit = applayer_emit;
	ctx->emit_ud = al;
}

static int has_port(const struct dissector *d, uint16_t port)
{
	int i;

	for (i = 0; i < DISSECT_MAX_PORTS && d->ports[i]; i++)
		if (d->ports[i] == port)
			return 1;
	return 0;
}

static void mismatch(struct applayer *al, struct applayer_flow *af, const struct flow *f,
		     const struct timeval *ts, int dir, const struct dissector *d)
{
	struct dissect_ctx ctx;

	if (af->mismatch_sent)
		return;
	af->mismatch_sent = 1;
	al->st.mismatch++;
	make_ctx(al, &ctx, f, ts, dir);
	ot_anomaly(&ctx, d->proto, "protocol_mismatch",
		   "%s port %u carries traffic that is not %s",
		   f->l4 == IPPROTO_UDP ? "udp" : "tcp", f->srv_port, d->name);
}

/*
 * Offer bytes to every dissector still in the running, port owners first.
 * Returns the claiming dissector, or NULL with *need set when one wants more.
 */
static const struct dissector *run_probes(struct applayer *al, struct applayer_flow *af,
					  const struct flow *f, const struct timeval *ts,
					  int dir, int lenient, const uint8_t *data,
					  size_t len, int *need)
{
	unsigned want = f->l4 == IPPROTO_UDP ? DISSECT_UDP : DISSECT_TCP;
	int pass;
	size_t i;

	*need = 0;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < al->n; i++) {
			const struct dissector *d = al->list[i];
			int on_port = has_port(d, f->srv_port) || has_port(d, f->cli_port);
			enum probe_result r;

			if ((af->rejected >> i) & 1u || !(d->transports & want) || !d->probe)
				continue;
			if (on_port != (pass == 0))
				continue;
			r = d->probe(data, len, dir == FLOW_C2S);
			if (r == PROBE_MINE)
				return d;
			if (r == PROBE_NEED_MORE) {
				*need = 1;
				continue;
			}
			/* NOT_MINE */
			if (lenient) {
				if (has_port(d, f->srv_port))
					af->port_not_mine = 1;
				continue;
			}
			af->rejected |= 1u << i;
			if (has_port(d, f->srv_port))
				mismatch(al, af, f, ts, dir, d);
		}
	}
	return NULL;
}

static inline __attribute__((always_inline)) void feed(struct applayer *al,
							 struct applayer_flow *af, const struct flow *f,
		 const struct timeval *ts, int dir, const uint8_t *data, size_t len)
{
	struct dissect_ctx ctx;

	if (!len || !af->d->parse)
		return;
	make_ctx(al, &ctx, f, ts, dir);
	af->d->parse(&ctx, af->state, data, len);
}

static void claim(struct applayer *al, struct applayer_flow *af, struct flow *f,
		  const struct timeval *ts, int dir, const struct dissector *d,
		  size_t replay, const uint8_t *data, size_t len)
{
	int other = !dir;
	size_t i;

	if (d->state_new) {
		af->state = d->state_new(al->lim);
		if (!af->state) {
			al->st.no_memory++;
			af->status = AL_DONE;
			return;
		}
	}
	af->d = d;
	af->status = AL_CLAIMED;
	f->ot_proto = d->name;
	al->st.claimed++;
	i = per_index(al, d);
	if (i < al->n)
		al->per[i].claimed++;

	/* what the other direction sent while probing, when it is whole */
	if (af->plen[other] && !af->partial[other])
		feed(al, af, f, ts, other, af->pbuf[other], af->plen[other]);
	else if (af->plen[other] || af->partial[other])
		applayer_gap(al, af, f, ts, other, 0);
	feed(al, af, f, ts, dir, af->pbuf[dir], replay);
	af->plen[0] = af->plen[1] = 0;
	feed(al, af, f, ts, dir, data, len);
}

static void give_up(struct applayer *al, struct applayer_flow *af, const struct flow *f,
		    const struct timeval *ts, int dir)
{
	size_t i;

	af->status = AL_DONE;
	al->st.gave_up++;
	if (!af->port_not_mine)
		return;
	for (i = 0; i < al->n; i++)
		if (has_port(al->list[i], f->srv_port)) {
			mismatch(al, af, f, ts, dir, al->list[i]);
			break;
		}
}

static void probe_chunk(struct applayer *al, struct applayer_flow *af, struct flow *f,
			const struct timeval *ts, int dir, const uint8_t *data, size_t len)
{
	int is_udp = f->l4 == IPPROTO_UDP;
	int lenient = !is_udp && (f->role_guessed || af->partial[dir]);
	const struct dissector *d;
	const uint8_t *view = data;
	size_t vlen = len, old = af->plen[dir];
	int need;

	if (old) {
		/* probe on the buffered start plus as much of this chunk as fits */
		size_t add = len < APPLAYER_PROBE_BUF - old ? len : APPLAYER_PROBE_BUF - old;

		memcpy(af->pbuf[dir] + old, data, add);
		view = af->pbuf[dir];
		vlen = old + add;
	}
	d = run_probes(al, af, f, ts, dir, lenient, view, vlen, &need);
	if (!d && old && lenient) {
		/* picked up mid-stream, the buffered start may be stray bytes (a
		 * keep-alive probe's one octet): judge this chunk alone; the
		 * dissector still gets the buffered bytes and resynchronises */
		int need2;

		d = run_probes(al, af, f, ts, dir, lenient, data, len, &need2);
	}
	if (d) {
		claim(al, af, f, ts, dir, d, old, data, len);
		return;
	}

	if (af->npkts < 255)
		af->npkts++;
	af->probed_bytes += len > APPLAYER_PROBE_MAX_BYTES ? APPLAYER_PROBE_MAX_BYTES : (uint32_t)len;
	if (!need && !lenient) {
		give_up(al, af, f, ts, dir);       /* everyone said NOT_MINE */
		return;
	}
	if (af->npkts >= APPLAYER_PROBE_MAX_PKTS || af->probed_bytes >= APPLAYER_PROBE_MAX_BYTES) {
		give_up(al, af, f, ts, dir);
		return;
	}
	if (is_udp)
		return;                 /* each datagram is judged alone */
	if (!need || old + len > APPLAYER_PROBE_BUF) {
		/* not a PDU start, or too long to keep: judge the next chunk afresh */
		af->plen[dir] = 0;
		af->partial[dir] = 1;
		return;
	}
	if (!old)
		memcpy(af->pbuf[dir], data, len);
	af->plen[dir] = (uint8_t)(old + len);
}

void applayer_data(struct applayer *al, struct applayer_flow *af, struct flow *f,
		   const struct timeval *ts, int dir, const uint8_t *data, size_t len)
{
	if (!len)
		return;
	switch (af->status) {
	case AL_CLAIMED:
		feed(al, af, f, ts, dir, data, len);
		break;
	case AL_PROBING:
		if (al->n)
			probe_chunk(al, af, f, ts, dir, data, len);
		else
			af->status = AL_DONE;
		break;
	default:
		break;
	}
}

void applayer_gap(struct applayer *al, struct applayer_flow *af, struct flow *f,
		  const struct timeval *ts, int dir, size_t len)
{
	struct dissect_ctx ctx;

	if (af->status == AL_PROBING) {
		af->plen[dir] = 0;
		af->partial[dir] = 1;
		return;
	}
	if (af->status != AL_CLAIMED || !af->d->gap)
		return;
	make_ctx(al, &ctx, f, ts, dir);
	af->d->gap(&ctx, af->state, len);
}

void applayer_anomaly(struct applayer *al, struct applayer_flow *af, struct flow *f,
		      const struct timeval *ts, int dir, const char *reason,
		      const char *detail)
{
	struct dissect_ctx ctx;

	make_ctx(al, &ctx, f, ts, dir);
	ot_anomaly(&ctx, af->status == AL_CLAIMED ? af->d->proto : OT_PROTO_UNKNOWN,
		   reason, "%s", detail);
}

void applayer_flow_end(struct applayer *al, struct applayer_flow *af, struct flow *f,
		       const struct timeval *ts)
{
	struct dissect_ctx ctx;

	if (af->status == AL_CLAIMED) {
		if (af->d->flow_end) {
			make_ctx(al, &ctx, f, ts, FLOW_C2S);
			af->d->flow_end(&ctx, af->state);
		}
		applayer_flow_counters(al, af, al->per);
		if (af->d->state_free)
			af->d->state_free(af->state);
		af->state = NULL;
	}
	af->status = AL_DONE;
}
