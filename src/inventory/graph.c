/*
 * graph.c - communication edges, their OT operations and polling periods,
 * and the Graphviz (DOT) and GraphML writers.  See graph.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "eve.h"
#include "graph.h"
#include "hash.h"
#include "table_mem.h"

#define EDGE_OF(l) ots_list_entry((l), struct graph_edge, lru)

struct graph {
	struct graph_config cfg;
	struct graph_edge **bucket;
	size_t nbucket;         /* power of two */
	size_t n;
	uint64_t next_id;
	struct ots_list lru;    /* first: most recent */
	struct graph_stats st;
};

/* ---- Welford period statistics ---- */

void graph_period_add(struct graph_period *p, const struct timeval *ts)
{
	double dt, d;

	if (p->last.tv_sec == 0 && p->last.tv_usec == 0) {
		p->last = *ts;
		return;
	}
	dt = (double)(ts->tv_sec - p->last.tv_sec) + (double)(ts->tv_usec - p->last.tv_usec) / 1e6;
	p->last = *ts;
	if (dt < 0)             /* out-of-order timestamps: no interval */
		return;
	p->n++;
	d = dt - p->mean;
	p->mean += d / (double)p->n;
	p->m2 += d * (dt - p->mean);
	if (p->n == 1 || dt < p->min)
		p->min = dt;
	if (p->n == 1 || dt > p->max)
		p->max = dt;
}

double graph_period_stddev(const struct graph_period *p)
{
	return p->n > 1 ? sqrt(p->m2 / (double)(p->n - 1)) : 0.0;
}

/* ---- table ---- */

static size_t edge_hash(const struct graph *g, uint64_t c, uint64_t s, uint8_t l4, uint16_t port)
{
	uint64_t h = ots_mix64(g->cfg.seed ^ c);

	h = ots_mix64(h ^ s);
	h = ots_mix64(h ^ ((uint64_t)l4 << 16 | port));
	return (size_t)(h & (g->nbucket - 1));
}

struct graph *graph_new(const struct graph_config *cfg)
{
	struct graph *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->cfg = *cfg;
	if (g->cfg.max_edges == 0)
		g->cfg.max_edges = 1;
	g->nbucket = 64;
	while (g->nbucket < g->cfg.max_edges && g->nbucket < (1u << 24))
		g->nbucket <<= 1;
	g->bucket = ots_table_calloc(g->nbucket, sizeof(*g->bucket));
	if (!g->bucket) {
		free(g);
		return NULL;
	}
	g->next_id = 1;
	return g;
}

static void edge_free(struct graph_edge *e)
{
	free(e->ops);
	free(e->ranges);
	free(e->recur);
	free(e->io);
	free(e);
}

void graph_free(struct graph *g)
{
	struct graph_edge *e, *nx;

	if (!g)
		return;
	for (e = EDGE_OF(g->lru.first); e; e = nx) {
		nx = EDGE_OF(e->lru.next);
		edge_free(e);
	}
	ots_table_free(g->bucket, g->nbucket, sizeof(*g->bucket));
	free(g);
}

static inline __attribute__((always_inline)) void touch(struct graph *g, struct graph_edge *e,
							 const struct timeval *ts)
{
	if (timercmp(ts, &e->last, >))
		e->last = *ts;
	ots_list_move_front(&g->lru, &e->lru);
}

const uint64_t *graph_evictions(const struct graph *g)
{
	return &g->st.evicted;
}

static void evict_oldest(struct graph *g)
{
	struct graph_edge *e = EDGE_OF(g->lru.last), **pp;

	if (!e)
		return;
	pp = &g->bucket[edge_hash(g, e->client, e->server, e->l4, e->port)];
	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	ots_list_unlink(&g->lru, &e->lru);
	g->st.ops_dropped += e->ops_dropped;
	g->st.ranges_dropped += e->ranges_dropped;
	g->st.recur_replaced += e->recur_replaced;
	g->st.io_replaced += e->io_replaced;
	edge_free(e);
	g->n--;
	g->st.evicted++;
}

size_t graph_edge_bytes(void)
{
	return sizeof(struct graph_edge) + 2 * sizeof(void *);
}

struct graph_edge *graph_edge_find(const struct graph *g, uint64_t client, uint64_t server,
				   uint8_t l4, uint16_t port)
{
	struct graph_edge *e = g->bucket[edge_hash(g, client, server, l4, port)];

	for (; e; e = e->hnext)
		if (e->client == client && e->server == server && e->l4 == l4 && e->port == port)
			return e;
	return NULL;
}

struct graph_edge *graph_edge_get(struct graph *g, uint64_t client, uint64_t server,
				  uint8_t l4, uint16_t port, const struct timeval *ts,
				  int *created)
{
	struct graph_edge *e = graph_edge_find(g, client, server, l4, port);
	size_t h;

	*created = 0;
	if (e) {
		touch(g, e, ts);
		return e;
	}
	while (g->n >= g->cfg.max_edges)
		evict_oldest(g);
	if (!(e = calloc(1, sizeof(*e)))) {
		g->st.no_memory++;
		return NULL;
	}
	e->id = g->next_id++;
	e->client = client;
	e->server = server;
	e->l4 = l4;
	e->port = port;
	e->first = e->last = *ts;
	snprintf(e->proto, sizeof(e->proto), "%s",
		 l4 == IPPROTO_TCP ? "tcp" : l4 == IPPROTO_UDP ? "udp" : "ip");
	h = edge_hash(g, client, server, l4, port);
	e->hnext = g->bucket[h];
	g->bucket[h] = e;
	ots_list_push_front(&g->lru, &e->lru);
	g->n++;
	g->st.created++;
	*created = 1;
	return e;
}

void graph_edge_packet(struct graph *g, struct graph_edge *e, int dir, uint64_t bytes,
		       const struct timeval *ts)
{
	dir = dir ? 1 : 0;
	e->pkts[dir]++;
	e->bytes[dir] += bytes;
	touch(g, e, ts);
}

int graph_edge_label(struct graph_edge *e, const char *proto, int is_ot, int proto_id)
{
	if (!proto || !proto[0] || (e->is_ot && !is_ot))
		return 0;
	/* the same protocol again (every packet and message of a flow) */
	if (is_ot && e->is_ot && proto_id > 0 && e->proto_id == proto_id)
		return 0;
	if (strncmp(e->proto, proto, sizeof(e->proto) - 1) == 0 && e->is_ot == !!is_ot)
		return 0;
	graph_label_copy(e->proto, sizeof(e->proto), proto);
	e->is_ot = !!is_ot;
	e->proto_id = (uint8_t)(is_ot ? proto_id : 0);
	e->relabels++;
	return 1;
}

/* ---- operations, ranges, recurring requests ---- */

int graph_array_grow(void **arr, uint16_t *capn, uint16_t n, uint16_t cap, size_t elem)
{
	uint16_t nc;
	void *p;

	if (n < *capn)
		return 0;
	if (*capn >= cap)
		return -1;
	nc = *capn ? (uint16_t)(*capn * 2) : 4;
	if (nc > cap)
		nc = cap;
	if (!(p = realloc(*arr, nc * elem)))
		return -1;
	*arr = p;
	*capn = nc;
	return 0;
}

static int op_is(const struct graph_op *op, const struct ot_event *ev)
{
	return op->func == ev->func && op->group == ev->group && op->subfunc == ev->subfunc;
}

static void add_op(struct graph_edge *e, const struct ot_event *ev)
{
	struct graph_op *op = NULL;
	uint16_t i;

	/* operations are unique by (func, group, subfunc): the one used last
	 * is tried first */
	if (e->op_hint < e->n_ops && op_is(&e->ops[e->op_hint], ev))
		op = &e->ops[e->op_hint];
	for (i = 0; !op && i < e->n_ops; i++)
		if (op_is(&e->ops[i], ev))
			op = &e->ops[i];
	if (!op) {
		if (graph_array_grow((void **)&e->ops, &e->cap_ops, e->n_ops, GRAPH_MAX_OPS, sizeof(*e->ops)) < 0) {
			e->ops_dropped++;
			return;
		}
		op = &e->ops[e->n_ops++];
		memset(op, 0, sizeof(*op));
		op->func = ev->func;
		op->group = ev->group;
		op->subfunc = ev->subfunc;
		op->first = ev->ts;
	}
	e->op_hint = (uint16_t)(op - e->ops);
	{
		/* S7 userdata has no function code: its sub-function names it */
		const char *name = ev->func < 0 && ev->subfunc_name ? ev->subfunc_name : ev->func_name;

		if (name && (!op->name || ev->dir == OT_DIR_REQUEST))
			op->name = name;
	}
	if (ev->cat != OT_CAT_OTHER || ev->dir == OT_DIR_REQUEST)
		op->cat = (uint8_t)ev->cat;
	if (ev->dir == OT_DIR_REQUEST)
		op->requests++;
	else if (ev->dir == OT_DIR_RESPONSE)
		op->responses++;
	else
		op->other++;
	if (ev->status > 0)
		op->errors++;
	op->last = ev->ts;
}

static int range_same_space(const struct graph_range *r, uint8_t space, uint16_t block)
{
	return r->space == space && r->block == block;
}

/* Merge every range of r's space that overlaps or touches the one at idx;
 * the merged range's index. */
static uint16_t range_coalesce(struct graph_edge *e, uint16_t idx)
{
	uint16_t i = 0;

	while (i < e->n_ranges) {
		struct graph_range *a = &e->ranges[idx], *b = &e->ranges[i];

		if (i != idx && range_same_space(b, a->space, a->block) &&
		    b->start <= a->end && a->start <= b->end) {
			if (b->start < a->start)
				a->start = b->start;
			if (b->end > a->end)
				a->end = b->end;
			/* remove b: move the last range into its slot */
			e->n_ranges--;
			if (i != e->n_ranges) {
				e->ranges[i] = e->ranges[e->n_ranges];
				if (idx == e->n_ranges)
					idx = i;
			}
			i = 0;
			continue;
		}
		i++;
	}
	return idx;
}

static void add_range(struct graph_edge *e, const struct ot_range *r)
{
	uint64_t end = (uint64_t)r->start + (r->count ? r->count : 1);
	uint16_t i, best = UINT16_MAX;
	uint64_t best_gap = UINT64_MAX;
	struct graph_range *n = e->range_hint < e->n_ranges ? &e->ranges[e->range_hint] : NULL;

	/* The ranges of a space neither overlap nor touch (range_coalesce), so
	 * a range inside the one used last changes nothing: polls repeat. */
	if (n && range_same_space(n, r->space, r->block) && n->start <= r->start && end <= n->end)
		return;
	for (i = 0; i < e->n_ranges; i++) {
		struct graph_range *x = &e->ranges[i];
		uint64_t gap;

		if (!range_same_space(x, r->space, r->block))
			continue;
		if (x->start <= end && r->start <= x->end) {
			if (x->start <= r->start && end <= x->end) {
				e->range_hint = i;      /* inside it: nothing changes */
				return;
			}
			if (r->start < x->start)
				x->start = r->start;
			if (end > x->end)
				x->end = end;
			e->range_hint = range_coalesce(e, i);
			return;
		}
		gap = x->end < r->start ? r->start - x->end : x->start - end;
		if (gap < best_gap) {
			best_gap = gap;
			best = i;
		}
	}
	if (graph_array_grow((void **)&e->ranges, &e->cap_ranges, e->n_ranges, GRAPH_MAX_RANGES,
		 sizeof(*e->ranges)) == 0) {
		n = &e->ranges[e->n_ranges++];
		n->space = r->space;
		n->variation = r->variation;
		n->block = r->block;
		n->start = r->start;
		n->end = end;
		e->range_hint = (uint16_t)(e->n_ranges - 1);
		return;
	}
	if (best == UINT16_MAX) {
		e->ranges_dropped++;
		return;
	}
	/* full: widen the nearest range of the same space to cover the new one */
	n = &e->ranges[best];
	if (r->start < n->start)
		n->start = r->start;
	if (end > n->end)
		n->end = end;
	e->ranges_widened++;
	e->range_hint = range_coalesce(e, best);
}

static int recur_is(const struct graph_recur *y, const struct ot_event *ev, uint8_t space,
		    uint16_t block, uint32_t start, uint32_t count)
{
	return y->func == ev->func && y->group == ev->group && y->subfunc == ev->subfunc &&
	       y->space == space && y->block == block && y->start == start && y->count == count;
}

static void add_recur(struct graph_edge *e, const struct ot_event *ev)
{
	const struct ot_range *r = ev->n_ranges ? &ev->ranges[0] : NULL;
	uint8_t space = r ? r->space : 0;
	uint16_t block = r ? r->block : 0;
	uint32_t start = r ? r->start : 0, count = r ? r->count : 0;
	struct graph_recur *x = NULL;
	uint16_t i;

	/* unique by their key: the one seen last is tried first */
	if (e->recur_hint < e->n_recur &&
	    recur_is(&e->recur[e->recur_hint], ev, space, block, start, count))
		x = &e->recur[e->recur_hint];
	for (i = 0; !x && i < e->n_recur; i++)
		if (recur_is(&e->recur[i], ev, space, block, start, count))
			x = &e->recur[i];
	if (!x) {
		if (graph_array_grow((void **)&e->recur, &e->cap_recur, e->n_recur, GRAPH_MAX_RECUR,
			 sizeof(*e->recur)) == 0) {
			x = &e->recur[e->n_recur++];
		} else {
			/* full: replace the request idle longest */
			x = &e->recur[0];
			for (i = 1; i < e->n_recur; i++)
				if (timercmp(&e->recur[i].period.last, &x->period.last, <))
					x = &e->recur[i];
			e->recur_replaced++;
		}
		memset(x, 0, sizeof(*x));
		x->func = ev->func;
		x->group = ev->group;
		x->subfunc = ev->subfunc;
		x->space = space;
		x->block = block;
		x->start = start;
		x->count = count;
	}
	e->recur_hint = (uint16_t)(x - e->recur);
	graph_period_add(&x->period, &ev->ts);
}

/* The slot of a connection (by serial, vendor, originator serial) or a
 * stream (by id); a new one, replacing the one seen longest ago when full. */
static struct graph_io *io_slot(struct graph_edge *e, const struct ot_conn *k, int kind)
{
	struct graph_io *x = NULL;
	uint16_t i;

	for (i = 0; i < e->n_io; i++) {
		struct graph_io *y = &e->io[i];

		if (y->kind != kind)
			continue;
		if (kind == GRAPH_IO_STREAM ? y->id == k->id :
		    y->serial == k->serial && y->vendor == k->vendor && y->orig_serial == k->orig_serial)
			return y;
	}
	if (graph_array_grow((void **)&e->io, &e->cap_io, e->n_io, GRAPH_MAX_IO, sizeof(*e->io)) == 0) {
		x = &e->io[e->n_io++];
	} else {
		x = &e->io[0];
		for (i = 1; i < e->n_io; i++)
			if (timercmp(&e->io[i].last_seen, &x->last_seen, <))
				x = &e->io[i];
		e->io_replaced++;
	}
	memset(x, 0, sizeof(*x));
	x->kind = (uint8_t)kind;
	x->transport_class = x->trigger = 0xff;
	return x;
}

static void add_io(struct graph_edge *e, const struct ot_event *ev)
{
	const struct ot_conn *k = &ev->conn;
	struct graph_io *x = io_slot(e, k, k->what == OT_CONN_TRAFFIC ? GRAPH_IO_STREAM
								  : GRAPH_IO_CONNECTION);

	if (!x->first_seen.tv_sec && !x->first_seen.tv_usec)
		x->first_seen = ev->ts;
	x->last_seen = ev->ts;
	if (k->what == OT_CONN_TRAFFIC) {
		if (k->packets < x->packets - x->base)
			x->base = x->packets;   /* a new flow counts from 0 again */
		x->id = k->id;
		x->size = k->size;
		x->packets = x->base + k->packets;
		x->seq_gaps = k->seq_gaps;
		if (x->first == 0 || k->first < x->first)
			x->first = k->first;
		x->last = k->last;
		return;
	}
	x->serial = k->serial;
	x->vendor = k->vendor;
	x->orig_serial = k->orig_serial;
	if (k->what == OT_CONN_REFUSED) {
		x->refused++;
		return;
	}
	if (k->what == OT_CONN_CLOSED) {
		x->open = 0;
		x->closes++;
		return;
	}
	x->open = 1;
	x->opens++;
	x->ot_id = k->ot_id;
	x->to_id = k->to_id;
	x->ot_api = k->ot_api;
	x->to_api = k->to_api;
	if (k->transport_class != 0xff) {
		x->transport_class = k->transport_class;
		x->trigger = k->trigger;
		x->ot_rpi = k->ot_rpi;
		x->to_rpi = k->to_rpi;
		x->ot_size = k->ot_size;
		x->to_size = k->to_size;
		memcpy(x->path, k->path, sizeof(x->path));
	}
}

void graph_edge_event(struct graph *g, struct graph_edge *e, const struct ot_event *ev)
{
	uint8_t i;

	touch(g, e, &ev->ts);
	if (ev->kind == OT_EV_ANOMALY) {
		e->anomalies++;
		return;
	}
	if (ev->conn.what != OT_CONN_NONE)
		add_io(e, ev);
	if (ev->func >= 0 || ev->group >= 0)
		add_op(e, ev);
	if (ev->status > 0)
		e->errors++;
	if (ev->dir == OT_DIR_REQUEST && (unsigned)ev->cat < OT_CAT_COUNT)
		e->cat_count[ev->cat]++;
	for (i = 0; i < ev->n_ranges && i < OT_MAX_RANGES; i++)
		add_range(e, &ev->ranges[i]);
	if (ev->kind == OT_EV_MESSAGE && ev->dir == OT_DIR_REQUEST && (ev->func >= 0 || ev->group >= 0))
		add_recur(e, ev);
}

int graph_edge_is_notable(const struct graph_edge *e)
{
	return e->cat_count[OT_CAT_WRITE] || e->cat_count[OT_CAT_CONTROL] ||
	       e->cat_count[OT_CAT_PROGRAM] || e->cat_count[OT_CAT_MODE];
}

/* ---- an edge back from its JSON (a merged site's picture) ---- */

static int category_of(const char *name)
{
	int c;

	for (c = 0; name && c < OT_CAT_COUNT; c++)
		if (strcmp(ot_category_name((enum ot_category)c), name) == 0)
			return c;
	return -1;
}

static uint64_t ju64(const json_t *o, const char *k)
{
	json_int_t v = json_integer_value(json_object_get(o, k));

	return v > 0 ? (uint64_t)v : 0;
}

struct graph_edge *graph_edge_restore(struct graph *g, const json_t *o)
{
	const char *tr = json_string_value(json_object_get(o, "transport"));
	const char *proto = json_string_value(json_object_get(o, "proto"));
	uint8_t l4 = tr && strcmp(tr, "tcp") == 0 ? IPPROTO_TCP : tr && strcmp(tr, "udp") == 0 ?
		     IPPROTO_UDP : 0;
	struct timeval zero = { 0, 0 };
	struct graph_edge *e;
	json_t *ops, *x;
	int created, ot = json_is_true(json_object_get(o, "ot"));
	size_t i;

	e = graph_edge_get(g, ju64(o, "client"), ju64(o, "server"), l4,
			   (uint16_t)ju64(o, "port"), &zero, &created);
	if (!e)
		return NULL;
	if (proto)
		graph_edge_label(e, proto, ot, ot ? (int)ot_proto_from_name(proto) : 0);
	e->pkts[0] += ju64(o, "packets_to_server");
	e->pkts[1] += ju64(o, "packets_to_client");
	e->bytes[0] += ju64(o, "bytes_to_server");
	e->bytes[1] += ju64(o, "bytes_to_client");
	e->flows += ju64(o, "flows");
	e->errors += ju64(o, "errors");
	e->anomalies += ju64(o, "anomalies");
	ops = json_object_get(o, "operations");
	json_array_foreach(ops, i, x) {
		struct graph_op *op;
		json_t *v;
		int c = category_of(json_string_value(json_object_get(x, "category")));

		if (graph_array_grow((void **)&e->ops, &e->cap_ops, e->n_ops, GRAPH_MAX_OPS,
				     sizeof(*e->ops)) < 0) {
			e->ops_dropped++;
			continue;
		}
		op = &e->ops[e->n_ops++];
		memset(op, 0, sizeof(*op));
		op->func = (int32_t)json_integer_value(json_object_get(x, "func"));
		op->group = (v = json_object_get(x, "group")) ? (int32_t)json_integer_value(v) : -1;
		op->subfunc = (v = json_object_get(x, "subfunc")) ? (int32_t)json_integer_value(v) : -1;
		op->name = json_string_value(json_object_get(x, "name"));
		op->cat = c < 0 ? 0 : (uint8_t)c;
		op->requests = ju64(x, "requests");
		op->responses = ju64(x, "responses");
		op->errors = ju64(x, "errors");
		if (c >= 0)
			e->cat_count[c] += op->requests;
	}
	return e;
}

/* ---- iteration and stats ---- */

const struct graph_edge *graph_first(const struct graph *g)
{
	return g ? EDGE_OF(g->lru.first) : NULL;
}

const struct graph_edge *graph_next(const struct graph_edge *e)
{
	return e ? EDGE_OF(e->lru.next) : NULL;
}

size_t graph_count(const struct graph *g)
{
	return g ? g->n : 0;
}

void graph_get_stats(const struct graph *g, struct graph_stats *st)
{
	const struct graph_edge *e;

	*st = g->st;
	st->edges = g->n;
	for (e = EDGE_OF(g->lru.first); e; e = EDGE_OF(e->lru.next)) {
		st->ops_dropped += e->ops_dropped;
		st->ranges_dropped += e->ranges_dropped;
		st->recur_replaced += e->recur_replaced;
		st->io_replaced += e->io_replaced;
	}
}

/* ---- JSON ---- */

json_t *graph_ts_json(const struct timeval *tv)
{
	char buf[64];

	return json_string(eve_timestamp(tv, buf, sizeof(buf)));
}

static const char *l4_name(uint8_t l4)
{
	return l4 == IPPROTO_TCP ? "tcp" : l4 == IPPROTO_UDP ? "udp" : "ip";
}

static json_t *range_json(const struct graph_range *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "space", json_string(ot_space_name(r->space)));
	if (ot_space_flags(r->space) & OT_SPACE_BLOCK)
		json_object_set_new(o, "block", json_integer(r->block));
	json_object_set_new(o, "start", json_integer(r->start));
	json_object_set_new(o, "count", json_integer((json_int_t)(r->end - r->start)));
	return o;
}

static const char *io_trigger_name(unsigned t)
{
	return t == 0 ? "cyclic" : t == 1 ? "change_of_state" : t == 2 ? "application" : "unknown";
}

static json_t *io_json(const struct graph_io *x)
{
	json_t *o = json_object();

	if (x->kind == GRAPH_IO_STREAM) {
		json_object_set_new(o, "kind", json_string("traffic"));
		json_object_set_new(o, "connection_id", json_integer(x->id));
		json_object_set_new(o, "packets", json_integer((json_int_t)x->packets));
		json_object_set_new(o, "sequence_gaps", json_integer((json_int_t)x->seq_gaps));
		json_object_set_new(o, "data_length", json_integer(x->size));
		if (x->packets > 1 && x->last > x->first)
			json_object_set_new(o, "interval", json_real((x->last - x->first) /
								      (double)(x->packets - 1)));
	} else {
		json_object_set_new(o, "kind", json_string("connection"));
		json_object_set_new(o, "state", json_string(x->open ? "open" : x->opens ? "closed"
									 : "refused"));
		json_object_set_new(o, "o_t_connection_id", json_integer(x->ot_id));
		json_object_set_new(o, "t_o_connection_id", json_integer(x->to_id));
		json_object_set_new(o, "connection_serial", json_integer(x->serial));
		json_object_set_new(o, "originator_vendor", json_integer(x->vendor));
		json_object_set_new(o, "originator_serial", json_integer(x->orig_serial));
		if (x->transport_class != 0xff) {
			json_object_set_new(o, "transport_class", json_integer(x->transport_class));
			json_object_set_new(o, "trigger", json_string(io_trigger_name(x->trigger)));
			json_object_set_new(o, "o_t_rpi", json_integer(x->ot_rpi));
			json_object_set_new(o, "t_o_rpi", json_integer(x->to_rpi));
			json_object_set_new(o, "o_t_size", json_integer(x->ot_size));
			json_object_set_new(o, "t_o_size", json_integer(x->to_size));
			if (x->path[0])
				json_object_set_new(o, "path", json_string(x->path));
		}
		if (x->ot_api || x->to_api) {
			json_object_set_new(o, "o_t_api", json_integer(x->ot_api));
			json_object_set_new(o, "t_o_api", json_integer(x->to_api));
		}
		json_object_set_new(o, "opens", json_integer((json_int_t)x->opens));
		json_object_set_new(o, "closes", json_integer((json_int_t)x->closes));
		if (x->refused)
			json_object_set_new(o, "refused", json_integer((json_int_t)x->refused));
	}
	json_object_set_new(o, "first_seen", graph_ts_json(&x->first_seen));
	json_object_set_new(o, "last_seen", graph_ts_json(&x->last_seen));
	return o;
}

void graph_edge_io_text(const struct graph_edge *e, char *buf, size_t len)
{
	uint32_t rpi_min = 0, rpi_max = 0;
	uint64_t pkts = 0;
	unsigned nconn = 0, nio = 0, nstream = 0;
	uint16_t i;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < e->n_io; i++) {
		const struct graph_io *x = &e->io[i];
		uint32_t r;

		if (x->kind == GRAPH_IO_STREAM) {
			nstream++;
			pkts += x->packets;
			continue;
		}
		if (!x->open)
			continue;
		nconn++;
		if (x->transport_class <= 1)
			nio++;
		r = x->ot_api ? x->ot_api : x->ot_rpi;
		if (r && (!rpi_min || r < rpi_min))
			rpi_min = r;
		r = x->to_api ? x->to_api : x->to_rpi;
		if (r && (!rpi_min || r < rpi_min))
			rpi_min = r;
		if (r > rpi_max)
			rpi_max = r;
	}
	if (nconn)
		snprintf(buf, len, "%u connection(s) open, %u class 0/1 I/O, RPI %.1f-%.1f ms", nconn, nio,
			 rpi_min / 1000.0, (rpi_max > rpi_min ? rpi_max : rpi_min) / 1000.0);
	else if (nstream)
		snprintf(buf, len, "I/O: %u connection id(s), %llu packets", nstream,
			 (unsigned long long)pkts);
}

json_t *graph_edge_json(const struct graph_edge *e)
{
	json_t *o = json_object(), *arr;
	uint16_t i;

	json_object_set_new(o, "id", json_integer((json_int_t)e->id));
	json_object_set_new(o, "client", json_integer((json_int_t)e->client));
	json_object_set_new(o, "server", json_integer((json_int_t)e->server));
	json_object_set_new(o, "proto", json_string(e->proto));
	json_object_set_new(o, "transport", json_string(l4_name(e->l4)));
	json_object_set_new(o, "port", json_integer(e->port));
	json_object_set_new(o, "ot", json_boolean(e->is_ot));
	json_object_set_new(o, "first_seen", graph_ts_json(&e->first));
	json_object_set_new(o, "last_seen", graph_ts_json(&e->last));
	json_object_set_new(o, "packets_to_server", json_integer((json_int_t)e->pkts[0]));
	json_object_set_new(o, "packets_to_client", json_integer((json_int_t)e->pkts[1]));
	json_object_set_new(o, "bytes_to_server", json_integer((json_int_t)e->bytes[0]));
	json_object_set_new(o, "bytes_to_client", json_integer((json_int_t)e->bytes[1]));
	json_object_set_new(o, "flows", json_integer((json_int_t)e->flows));
	json_object_set_new(o, "notable", json_boolean(graph_edge_is_notable(e)));
	if (!e->is_ot)
		return o;

	json_object_set_new(o, "errors", json_integer((json_int_t)e->errors));
	json_object_set_new(o, "anomalies", json_integer((json_int_t)e->anomalies));
	arr = json_array();
	for (i = 0; i < e->n_ops; i++) {
		const struct graph_op *op = &e->ops[i];
		json_t *x = json_object();

		json_object_set_new(x, "func", json_integer(op->func));
		if (op->group >= 0)
			json_object_set_new(x, "group", json_integer(op->group));
		if (op->subfunc >= 0)
			json_object_set_new(x, "subfunc", json_integer(op->subfunc));
		if (op->name)
			json_object_set_new(x, "name", json_string(op->name));
		json_object_set_new(x, "category",
				    json_string(ot_category_name((enum ot_category)op->cat)));
		json_object_set_new(x, "requests", json_integer((json_int_t)op->requests));
		json_object_set_new(x, "responses", json_integer((json_int_t)op->responses));
		if (op->other)
			json_object_set_new(x, "other", json_integer((json_int_t)op->other));
		json_object_set_new(x, "errors", json_integer((json_int_t)op->errors));
		json_object_set_new(x, "first_seen", graph_ts_json(&op->first));
		json_object_set_new(x, "last_seen", graph_ts_json(&op->last));
		json_array_append_new(arr, x);
	}
	json_object_set_new(o, "operations", arr);
	if (e->ops_dropped)
		json_object_set_new(o, "operations_dropped", json_integer((json_int_t)e->ops_dropped));

	arr = json_array();
	for (i = 0; i < e->n_ranges; i++)
		json_array_append_new(arr, range_json(&e->ranges[i]));
	json_object_set_new(o, "ranges", arr);
	if (e->ranges_dropped || e->ranges_widened) {
		json_object_set_new(o, "ranges_dropped", json_integer((json_int_t)e->ranges_dropped));
		json_object_set_new(o, "ranges_widened", json_integer((json_int_t)e->ranges_widened));
	}

	arr = json_array();
	for (i = 0; i < e->n_recur; i++) {
		const struct graph_recur *r = &e->recur[i];
		json_t *x = json_object();

		json_object_set_new(x, "func", json_integer(r->func));
		if (r->group >= 0)
			json_object_set_new(x, "group", json_integer(r->group));
		if (r->subfunc >= 0)
			json_object_set_new(x, "subfunc", json_integer(r->subfunc));
		if (r->space) {
			json_object_set_new(x, "space",
					    json_string(ot_space_name(r->space)));
			json_object_set_new(x, "block", json_integer(r->block));
			json_object_set_new(x, "start", json_integer(r->start));
			json_object_set_new(x, "count", json_integer(r->count));
		}
		json_object_set_new(x, "requests", json_integer((json_int_t)(r->period.n + 1)));
		if (r->period.n > 0) {
			json_object_set_new(x, "period_mean", json_real(r->period.mean));
			json_object_set_new(x, "period_stddev",
					    json_real(graph_period_stddev(&r->period)));
			json_object_set_new(x, "period_min", json_real(r->period.min));
			json_object_set_new(x, "period_max", json_real(r->period.max));
		}
		json_object_set_new(x, "last_seen", graph_ts_json(&r->period.last));
		json_array_append_new(arr, x);
	}
	json_object_set_new(o, "recurring", arr);
	if (e->recur_replaced)
		json_object_set_new(o, "recurring_replaced", json_integer((json_int_t)e->recur_replaced));
	if (e->n_io) {
		arr = json_array();
		for (i = 0; i < e->n_io; i++)
			json_array_append_new(arr, io_json(&e->io[i]));
		json_object_set_new(o, "io_connections", arr);
	}
	if (e->io_replaced)
		json_object_set_new(o, "io_connections_replaced", json_integer((json_int_t)e->io_replaced));
	return o;
}

static uint64_t op_total(const struct graph_op *op)
{
	return op->requests ? op->requests : op->responses + op->other;
}

void graph_edge_ops_text(const struct graph_edge *e, char *buf, size_t len, int max_ops)
{
	uint8_t used[GRAPH_MAX_OPS] = { 0 };
	size_t off = 0;
	int k;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (k = 0; k < max_ops; k++) {
		int best = -1;
		uint16_t i;
		int w;

		/* notable categories first, then by count */
		for (i = 0; i < e->n_ops; i++) {
			const struct graph_op *a = &e->ops[i];

			if (used[i])
				continue;
			if (best < 0) {
				best = i;
				continue;
			}
			{
				const struct graph_op *b = &e->ops[best];
				int na = a->cat == OT_CAT_WRITE || a->cat == OT_CAT_CONTROL ||
					 a->cat == OT_CAT_PROGRAM || a->cat == OT_CAT_MODE;
				int nb = b->cat == OT_CAT_WRITE || b->cat == OT_CAT_CONTROL ||
					 b->cat == OT_CAT_PROGRAM || b->cat == OT_CAT_MODE;

				if (na > nb || (na == nb && op_total(a) > op_total(b)))
					best = i;
			}
		}
		if (best < 0)
			break;
		used[best] = 1;
		if (e->ops[best].name)
			w = snprintf(buf + off, len - off, "%s%s x%llu", off ? ", " : "",
				     e->ops[best].name, (unsigned long long)op_total(&e->ops[best]));
		else
			w = snprintf(buf + off, len - off, "%sfc %d x%llu", off ? ", " : "",
				     e->ops[best].func, (unsigned long long)op_total(&e->ops[best]));
		if (w < 0 || (size_t)w >= len - off) {
			buf[off] = '\0';
			break;
		}
		off += (size_t)w;
	}
	if (k == max_ops && e->n_ops > max_ops && off + 6 < len)
		snprintf(buf + off, len - off, ", ...");
}

/* ---- writers ---- */

struct role_style {
	const char *role;
	const char *color;
	const char *shape;
};

static const struct role_style role_styles[] = {
	{ "plc", "#f4a460", "box3d" },
	{ "hmi", "#87cefa", "box" },
	{ "engineering_workstation", "#da70d6", "box" },
	{ "historian", "#90ee90", "cylinder" },
	{ "server", "#98fb98", "cylinder" },
	{ "scanner", "#ff6347", "octagon" },
	{ "router", "#ffd700", "diamond" },
	{ "it_host", "#dcdcdc", "ellipse" },
	{ NULL, "#ffffff", "ellipse" },
};

static const struct role_style *style_for(const char *role)
{
	size_t i;

	for (i = 0; role_styles[i].role; i++)
		if (role && strcmp(role, role_styles[i].role) == 0)
			return &role_styles[i];
	return &role_styles[i];
}

/* Text safe inside a DOT double-quoted string. */
static void dot_str(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fputc('\\', fp);
		fputc(c >= 0x20 && c < 0x7f ? c : '.', fp);
	}
}

static void xml_str(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&apos;", fp); break;
		default: fputc(c >= 0x20 && c < 0x7f ? c : '.', fp);
		}
	}
}

static int id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted ids of the nodes given; NULL when n is 0 or memory runs out. */
static uint64_t *node_ids(const struct graph_node *nodes, size_t n)
{
	uint64_t *ids = n ? malloc(n * sizeof(*ids)) : NULL;
	size_t i;

	if (!ids)
		return NULL;
	for (i = 0; i < n; i++)
		ids[i] = nodes[i].id;
	qsort(ids, n, sizeof(*ids), id_cmp);
	return ids;
}

/* Call fn once for each edge endpoint missing from nodes (evicted assets). */
static void missing_nodes(const struct graph *g, const struct graph_node *nodes, size_t n,
			  FILE *fp, void (*fn)(FILE *, uint64_t))
{
	uint64_t *known = node_ids(nodes, n), *miss;
	const struct graph_edge *e;
	size_t nm = 0, i;

	if (!(miss = malloc((g->n * 2 + 1) * sizeof(*miss)))) {
		free(known);
		return;
	}
	for (e = EDGE_OF(g->lru.first); e; e = EDGE_OF(e->lru.next)) {
		uint64_t ids[2] = { e->client, e->server };
		int k;

		for (k = 0; k < 2; k++)
			if (!known || !bsearch(&ids[k], known, n, sizeof(*known), id_cmp))
				miss[nm++] = ids[k];
	}
	qsort(miss, nm, sizeof(*miss), id_cmp);
	for (i = 0; i < nm; i++)
		if (i == 0 || miss[i] != miss[i - 1])
			fn(fp, miss[i]);
	free(miss);
	free(known);
}

static void dot_missing(FILE *fp, uint64_t id)
{
	fprintf(fp, "  a%llu [label=\"evicted asset #%llu\", style=\"dashed\", color=\"grey\"];\n",
		(unsigned long long)id, (unsigned long long)id);
}

int graph_write_dot(const struct graph *g, const struct graph_node *nodes, size_t n, FILE *fp)
{
	const struct graph_edge *e;
	size_t i;

	fputs("digraph otsentry {\n"
	      "  graph [rankdir=LR, overlap=false, fontname=\"Helvetica\"];\n"
	      "  node [style=filled, fontname=\"Helvetica\", fontsize=10];\n"
	      "  edge [fontname=\"Helvetica\", fontsize=8];\n", fp);
	for (i = 0; i < n; i++) {
		const struct graph_node *nd = &nodes[i];
		const struct role_style *st = style_for(nd->role);

		fprintf(fp, "  a%llu [label=\"", (unsigned long long)nd->id);
		dot_str(fp, nd->role_label ? nd->role_label : nd->role);
		if (nd->name && nd->name[0]) {
			fputs("\\n", fp);
			dot_str(fp, nd->name);
		}
		if (nd->ip) {
			fputs("\\n", fp);
			dot_str(fp, nd->ip);
		} else if (nd->mac) {
			fputs("\\n", fp);
			dot_str(fp, nd->mac);
		}
		if (nd->external)
			fputs("\\n(external)", fp);
		fprintf(fp, "\", fillcolor=\"%s\", shape=%s%s];\n", st->color, st->shape,
			nd->external ? ", peripheries=2" : "");
	}
	missing_nodes(g, nodes, n, fp, dot_missing);
	for (e = EDGE_OF(g->lru.first); e; e = EDGE_OF(e->lru.next)) {
		char ops[160], io[80];
		int notable = graph_edge_is_notable(e);

		graph_edge_ops_text(e, ops, sizeof(ops), 3);
		fprintf(fp, "  a%llu -> a%llu [label=\"", (unsigned long long)e->client,
			(unsigned long long)e->server);
		dot_str(fp, e->proto);
		fprintf(fp, "/%u", e->port);
		if (ops[0]) {
			fputs("\\n", fp);
			dot_str(fp, ops);
		}
		graph_edge_io_text(e, io, sizeof(io));
		if (io[0]) {
			fputs("\\n", fp);
			dot_str(fp, io);
		}
		fputs("\"", fp);
		if (notable)
			fputs(", color=\"red\", fontcolor=\"red\", style=bold, penwidth=2.5", fp);
		else if (!e->is_ot)
			fputs(", color=\"grey50\", style=dashed", fp);
		fputs("];\n", fp);
	}
	fputs("}\n", fp);
	return ferror(fp) ? -1 : 0;
}

static void graphml_missing(FILE *fp, uint64_t id)
{
	fprintf(fp, "    <node id=\"a%llu\"><data key=\"role\">evicted</data></node>\n",
		(unsigned long long)id);
}

static void graphml_data(FILE *fp, const char *key, const char *val)
{
	if (!val || !val[0])
		return;
	fprintf(fp, "<data key=\"%s\">", key);
	xml_str(fp, val);
	fputs("</data>", fp);
}

int graph_write_graphml(const struct graph *g, const struct graph_node *nodes, size_t n, FILE *fp)
{
	static const char *const nkeys[] = { "role", "label", "name", "ip", "mac", "external" };
	static const char *const ekeys[] = { "proto", "port", "packets", "bytes", "operations", "notable", "io" };
	const struct graph_edge *e;
	size_t i;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n", fp);
	for (i = 0; i < sizeof(nkeys) / sizeof(nkeys[0]); i++)
		fprintf(fp, "  <key id=\"%s\" for=\"node\" attr.name=\"%s\" attr.type=\"string\"/>\n",
			nkeys[i], nkeys[i]);
	for (i = 0; i < sizeof(ekeys) / sizeof(ekeys[0]); i++)
		fprintf(fp, "  <key id=\"%s\" for=\"edge\" attr.name=\"%s\" attr.type=\"%s\"/>\n",
			ekeys[i], ekeys[i],
			(i == 1 || i == 2 || i == 3) ? "long" : i == 5 ? "boolean" : "string");
	fputs("  <graph id=\"otsentry\" edgedefault=\"directed\">\n", fp);
	for (i = 0; i < n; i++) {
		const struct graph_node *nd = &nodes[i];

		fprintf(fp, "    <node id=\"a%llu\">", (unsigned long long)nd->id);
		graphml_data(fp, "role", nd->role);
		graphml_data(fp, "label", nd->role_label);
		graphml_data(fp, "name", nd->name);
		graphml_data(fp, "ip", nd->ip);
		graphml_data(fp, "mac", nd->mac);
		graphml_data(fp, "external", nd->external ? "true" : "false");
		fputs("</node>\n", fp);
	}
	missing_nodes(g, nodes, n, fp, graphml_missing);
	for (e = EDGE_OF(g->lru.first); e; e = EDGE_OF(e->lru.next)) {
		char ops[256], io[80];

		graph_edge_ops_text(e, ops, sizeof(ops), 6);
		graph_edge_io_text(e, io, sizeof(io));
		fprintf(fp, "    <edge id=\"e%llu\" source=\"a%llu\" target=\"a%llu\">",
			(unsigned long long)e->id, (unsigned long long)e->client,
			(unsigned long long)e->server);
		graphml_data(fp, "proto", e->proto);
		fprintf(fp, "<data key=\"port\">%u</data><data key=\"packets\">%llu</data>"
			"<data key=\"bytes\">%llu</data>", e->port,
			(unsigned long long)(e->pkts[0] + e->pkts[1]),
			(unsigned long long)(e->bytes[0] + e->bytes[1]));
		graphml_data(fp, "operations", ops);
		graphml_data(fp, "notable", graph_edge_is_notable(e) ? "true" : "false");
		graphml_data(fp, "io", io);
		fputs("</edge>\n", fp);
	}
	fputs("  </graph>\n</graphml>\n", fp);
	return ferror(fp) ? -1 : 0;
}
