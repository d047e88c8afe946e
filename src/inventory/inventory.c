/*
 * inventory.c - the asset table: assets, their addresses, identities and
 * protocols, fed by packets, OT events and flow ends, and the graph edges
 * between them; change events; read-only queries.  See inventory.h; the
 * other parts are listed in inventory_int.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>

#include "config.h"
#include "dissector.h"
#include "eve.h"
#include "jw.h"
#include "geo.h"
#include "hash.h"
#include "inventory_int.h"
#include "oui.h"
#include "seed.h"
#include "sensor.h"
#include "table_mem.h"

static const struct ot_tok addr_kind_names[] = {
	{ ADDR_UNIT, "unit" },
	{ ADDR_LINK, "link_address" },
	{ ADDR_RACK_SLOT, "rack_slot" },
	{ 0, NULL },
};

const char *inv_addr_kind_name(int kind)
{
	return ot_tok_str(addr_kind_names, kind);
}

/* ---- small helpers ---- */

static size_t pow2_at_least(size_t n)
{
	size_t b = 64;

	while (b < n && b < ((size_t)1 << 26))
		b <<= 1;
	return b;
}

static uint64_t mac_u64(const uint8_t mac[6])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = (v << 8) | mac[i];
	return v;
}

/* A MAC that keys an asset: unicast, not all zeros. */
static int mac_is_key(const uint8_t *mac)
{
	return !oui_mac_is_group(mac) && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) != 0;
}

/* ot_ip_cmp(x, y) == 0, with sizes the compiler inlines: the tables
 * compare addresses on every packet. */
static int ip_eq(const struct ot_ip *x, const struct ot_ip *y)
{
	if (x->ver != y->ver)
		return 0;
	return x->ver == 4 ? memcmp(x->a, y->a, 4) == 0 : memcmp(x->a, y->a, 16) == 0;
}

json_t *inv_ip_json(const struct ot_ip *ip)
{
	char buf[OTS_IPSTR_LEN];

	return json_string(ot_ip_str(ip, buf, sizeof(buf)));
}

json_t *inv_mac_json(const uint8_t mac[6])
{
	char buf[18];

	return json_string(ot_mac_str(mac, buf, sizeof(buf)));
}

static uint8_t ttl_hops(uint8_t ttl);

/* ---- configuration, lifetime ---- */

size_t inventory_asset_bytes(void)
{
	/* max_ips is twice max_assets: two address records an asset */
	return sizeof(struct asset) + 2 * sizeof(struct inv_ip) + 4 * sizeof(void *);
}

static void inventory_tables_free(struct inventory *inv)
{
	ots_table_free(inv->abucket, inv->nabucket, sizeof(*inv->abucket));
	ots_table_free(inv->idbucket, inv->nabucket, sizeof(*inv->idbucket));
	ots_table_free(inv->ibucket, inv->nibucket, sizeof(*inv->ibucket));
	ots_table_free(inv->slots, INV_FLOW_SLOTS, sizeof(*inv->slots));
}

struct inventory *inventory_new(const struct inventory_config *cfg, struct oui_db *oui,
				struct geo *geo, struct eve *eve)
{
	struct inventory *inv = calloc(1, sizeof(*inv));
	struct graph_config gc;
	int t;

	if (!inv)
		goto fail;
	inv->cfg = *cfg;
	if (inv->cfg.max_assets < 2)
		inv->cfg.max_assets = 2;
	if (inv->cfg.max_ips == 0)
		inv->cfg.max_ips = inv->cfg.max_assets > UINT32_MAX / 2 ? UINT32_MAX
								: inv->cfg.max_assets * 2;
	if (inv->cfg.max_ips < 2)
		inv->cfg.max_ips = 2;
	if (inv->cfg.seed == 0)
		inv->cfg.seed = ots_random_seed();
	inv->nabucket = pow2_at_least(inv->cfg.max_assets);
	inv->nibucket = pow2_at_least(inv->cfg.max_ips);
	inv->abucket = ots_table_calloc(inv->nabucket, sizeof(*inv->abucket));
	inv->idbucket = ots_table_calloc(inv->nabucket, sizeof(*inv->idbucket));
	inv->ibucket = ots_table_calloc(inv->nibucket, sizeof(*inv->ibucket));
	inv->slots = ots_table_calloc(INV_FLOW_SLOTS, sizeof(*inv->slots));
	for (t = 0; t < 256; t++)
		inv->hops_of_ttl[t] = ttl_hops((uint8_t)t);
	gc.max_edges = cfg->max_edges;
	gc.seed = ots_mix64(inv->cfg.seed + 1);
	inv->graph = graph_new(&gc);
	if (!inv->abucket || !inv->idbucket || !inv->ibucket || !inv->slots || !inv->graph)
		goto fail;
	inv->graph_evicted = graph_evictions(inv->graph);
	{
		size_t n, i, k;
		const struct dissector *const *d = dissector_list(&n);

		for (i = 0; i < n; i++)
			for (k = 0; k < DISSECT_MAX_PORTS && d[i]->ports[k]; k++)
				inv->ot_ports[d[i]->ports[k] >> 3] |= (uint8_t)(1u << (d[i]->ports[k] & 7));
	}
	inv->oui = oui;
	inv->geo = geo;
	inv->eve = eve;
	inv->next_id = 1;
	return inv;
fail:
	if (inv) {
		inventory_tables_free(inv);
		graph_free(inv->graph);
		free(inv);
	}
	oui_free(oui);
	geo_close(geo);
	return NULL;
}

static void asset_free(struct asset *a)
{
	free(a->protos);
	free(a->ot);
	free(a->iec104);
	free(a->facts);
	free(a->labels);
	free(a);
}

void inventory_free(struct inventory *inv)
{
	struct asset *a, *an;
	struct inv_ip *r, *rn;

	if (!inv)
		return;
	for (r = IP_OF(inv->ips.first); r; r = rn) {
		rn = IP_OF(r->lru.next);
		free(r);
	}
	for (a = ASSET_OF(inv->assets.first); a; a = an) {
		an = ASSET_OF(a->lru.next);
		asset_free(a);
	}
	inventory_tables_free(inv);
	graph_free(inv->graph);
	oui_free(inv->oui);
	geo_close(inv->geo);
	free(inv);
}

/* ---- asset table ---- */

static size_t akey_hash(const struct inventory *inv, int is_mac, const uint8_t *mac,
			const struct ot_ip *ip)
{
	uint64_t h = is_mac ? ots_mix64(inv->cfg.seed ^ mac_u64(mac))
			    : ot_ip_hash(ip, inv->cfg.seed);

	return (size_t)(h & (inv->nabucket - 1));
}

static size_t ip_hash(const struct inventory *inv, const struct ot_ip *ip)
{
	return (size_t)(ot_ip_hash(ip, inv->cfg.seed ^ 0x5bd1e995) & (inv->nibucket - 1));
}

static struct asset *asset_find_key(const struct inventory *inv, int is_mac,
				    const uint8_t *mac, const struct ot_ip *ip)
{
	struct asset *a = inv->abucket[akey_hash(inv, is_mac, mac, ip)];

	for (; a; a = a->hnext) {
		if (a->key_is_mac != is_mac)
			continue;
		if (is_mac ? memcmp(a->mac, mac, 6) == 0 : ip_eq(&a->key_ip, ip))
			return a;
	}
	return NULL;
}

/* ---- flow slots (inventory_int.h) ---- */

/* The slot of flow f, emptied when it held another flow. */
static struct inv_flow_slot *flow_slot(struct inventory *inv, const struct flow *f)
{
	struct inv_flow_slot *s = &inv->slots[f->id & (INV_FLOW_SLOTS - 1)];

	if (s->flow_id != f->id) {
		memset(s, 0, sizeof(*s));
		s->flow_id = f->id;
		s->gen = inv->gen;
	}
	return s;
}

/* The slot's asset of end when it holds the one keyed by (is_mac, mac,
 * ip), else NULL (look it up). */
static struct asset *slot_asset(const struct inventory *inv, const struct inv_flow_slot *s, int end,
				int is_mac, const uint8_t *mac, const struct ot_ip *ip)
{
	struct asset *a;
	int w;

	for (w = 0; s && s->gen == inv->gen && w < INV_SLOT_WAYS; w++) {
		if (!(a = s->a[end][w]) || a->key_is_mac != is_mac)
			continue;
		if (is_mac ? memcmp(a->mac, mac, 6) == 0 : ip_eq(&a->key_ip, ip))
			return a;
	}
	return NULL;
}

/* The slot's address record of end when it holds a's record of ip, else
 * NULL. */
static struct inv_ip *slot_ip(const struct inventory *inv, const struct inv_flow_slot *s, int end,
			      const struct asset *a, const struct ot_ip *ip)
{
	struct inv_ip *r;
	int w;

	for (w = 0; s && s->gen == inv->gen && w < INV_SLOT_WAYS; w++)
		if ((r = s->r[end][w]) && r->owner == a && ip_eq(&r->ip, ip))
			return r;
	return NULL;
}

/* a and r as end's records used last (the other way keeps the previous). */
static void slot_store(const struct inventory *inv, struct inv_flow_slot *s, int end,
		       struct asset *a, struct inv_ip *r)
{
	if (!s)
		return;
	if (s->gen != inv->gen) {
		memset(s->a, 0, sizeof(s->a));
		memset(s->r, 0, sizeof(s->r));
		memset(s->memo, 0, sizeof(s->memo));
		memset(s->dir, 0, sizeof(s->dir));
		memset(s->fend, 0, sizeof(s->fend));
		s->gen = inv->gen;
	}
	if (s->a[end][0] != a) {
		s->a[end][1] = s->a[end][0];
		s->r[end][1] = s->r[end][0];
		s->a[end][0] = a;
	}
	s->r[end][0] = r;
}

/* The memo of end when it answers (mac, ip): mac NULL when the packet had
 * none; else NULL. */
static inline __attribute__((always_inline)) const struct inv_end_memo *memo_get(const struct inventory *inv,
					   const struct inv_flow_slot *s, int end,
					   const uint8_t *mac, const struct ot_ip *ip)
{
	const struct inv_end_memo *m;
	uint64_t k[4];

	if (!s || s->gen != inv->gen || !(m = &s->memo[end][0])->a)
		return NULL;
	inv_memo_key(k, mac, ip);
	if (((m->key[0] ^ k[0]) | (m->key[1] ^ k[1]) | (m->key[2] ^ k[2]) | (m->key[3] ^ k[3])) == 0)
		return m;
	/* way 1 is empty (a NULL) or holds another question (memo_put()) */
	m = &s->memo[end][1];
	return m->a && ((m->key[0] ^ k[0]) | (m->key[1] ^ k[1]) | (m->key[2] ^ k[2]) |
			(m->key[3] ^ k[3])) == 0 ? m : NULL;
}

/* Remember end's answer (after slot_store(), which settles the slot's gen). */
static void memo_put(struct inv_flow_slot *s, int end, const uint8_t *mac,
		     const struct ot_ip *ip, struct asset *a, struct inv_ip *r)
{
	struct inv_end_memo *m;

	if (!s)
		return;
	m = &s->memo[end][0];
	s->memo[end][1] = *m;   /* memo_get() missed both: keep the newer */
	m->a = a;
	m->r = r;
	inv_memo_key(m->key, mac, ip);
}

/*
 * The edge (cli, srv, the flow's transport and server port) from the slot
 * when it holds it, else from the graph (graph_edge_get()).  An edge from
 * the slot is not marked active here: both callers pass it to
 * graph_edge_packet() or graph_edge_event() next, which do, with the same
 * time and no other edge touched in between.
 */
static __attribute__((noinline)) struct graph_edge *
flow_edge_lookup(struct inventory *inv, struct inv_flow_slot *s, const struct flow *f,
		 const struct asset *cli, const struct asset *srv, const struct timeval *ts,
		 int *created)
{
	struct graph_edge *e = NULL;
	int w;

	for (w = 0; s->edge_gen == *inv->graph_evicted && w < INV_SLOT_WAYS; w++) {
		struct graph_edge *x = s->edge[w];

		if (x && x->client == cli->id && x->server == srv->id && x->l4 == f->l4 &&
		    x->port == f->srv_port) {
			*created = 0;
			e = x;
			break;
		}
	}
	if (!e)
		e = graph_edge_get(inv->graph, cli->id, srv->id, f->l4, f->srv_port, ts, created);
	if (s->edge_gen != *inv->graph_evicted) {
		memset(s->edge, 0, sizeof(s->edge));
		s->edge_gen = *inv->graph_evicted;
	}
	if (s->edge[0] != e) {
		s->edge[1] = s->edge[0];
		s->edge[0] = e;
	}
	return e;
}

/* flow_edge_lookup(), answered at once when the slot's last edge is it
 * (the eviction count first: a remembered edge may be freed). */
static inline __attribute__((always_inline)) struct graph_edge *
flow_edge(struct inventory *inv, struct inv_flow_slot *s, const struct flow *f,
	  const struct asset *cli, const struct asset *srv, const struct timeval *ts, int *created)
{
	struct graph_edge *x = s->edge[0];

	if (x && s->edge_gen == *inv->graph_evicted && x->client == cli->id &&
	    x->server == srv->id && x->l4 == f->l4 && x->port == f->srv_port) {
		*created = 0;
		return x;
	}
	return flow_edge_lookup(inv, s, f, cli, srv, ts, created);
}

static void ip_unlink_index(struct inventory *inv, struct inv_ip *r)
{
	struct inv_ip **pp = &inv->ibucket[ip_hash(inv, &r->ip)];

	while (*pp && *pp != r)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = r->hnext;
}

/* Remove an address record from everything and free it. */
static void ip_drop(struct inventory *inv, struct inv_ip *r)
{
	struct asset *a = r->owner;
	struct inv_ip **pp = &a->ips;

	while (*pp && *pp != r)
		pp = &(*pp)->anext;
	if (*pp)
		*pp = r->anext;
	a->n_ips--;
	if (r->ip.ver == 4)
		a->n_ipv4--;
	if (r->hops != HOPS_UNKNOWN && r->hops > 0)
		a->n_routed--;
	a->role_dirty = 1;      /* inferred again at its next event */
	ip_unlink_index(inv, r);
	ots_list_unlink(&inv->ips, &r->lru);
	free(r);
	inv->gen++;             /* flow slots may hold r */
	inv->st.ips--;
}

static void asset_evict(struct inventory *inv, struct asset *a)
{
	struct asset **pp = &inv->abucket[akey_hash(inv, a->key_is_mac, a->mac, &a->key_ip)];

	while (*pp && *pp != a)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = a->hnext;
	pp = &inv->idbucket[ots_mix64(a->id) & (inv->nabucket - 1)];
	while (*pp && *pp != a)
		pp = &(*pp)->idnext;
	if (*pp)
		*pp = a->idnext;
	while (a->ips)
		ip_drop(inv, a->ips);
	ots_list_unlink(&inv->assets, &a->lru);
	asset_free(a);
	inv->gen++;             /* flow slots may hold a */
	inv->st.assets--;
	inv->st.assets_evicted++;
}

/*
 * *last = the later of *last and *ts.  latest: ts is known to be no
 * earlier than *last.  The times of assets and address records come from
 * packets only (inventory_packet()), so a packet no earlier than every
 * packet before it (inv->last_ts) is no earlier than any of them: then
 * there is nothing to compare.
 */
static inline void ts_raise(struct timeval *last, const struct timeval *ts, int latest)
{
	if (latest || timercmp(ts, last, >))
		*last = *ts;
}

static inline void asset_touch(struct inventory *inv, struct asset *a, const struct timeval *ts,
			       int latest)
{
	ts_raise(&a->last, ts, latest);
	ots_list_move_front(&inv->assets, &a->lru);
}

/* ---- change events ---- */

/* The asset in brief, the "asset" member of an asset line. */
static void asset_brief(struct jw *w, const struct asset *a)
{
	char buf[OTS_IPSTR_LEN > 18 ? OTS_IPSTR_LEN : 18];
	const struct inv_ip *r;

	jw_object_open(w, "asset");
	jw_uint(w, "id", a->id);
	if (a->has_mac)
		jw_string(w, "mac", ot_mac_str(a->mac, buf, sizeof(buf)));
	/* as a jansson string, which refuses text that is not UTF-8 */
	if (a->vendor && jw_utf8_valid((const uint8_t *)a->vendor, strlen(a->vendor)))
		jw_string(w, "vendor", a->vendor);
	jw_array_open(w, "ips");
	for (r = a->ips; r; r = r->anext)
		jw_string(w, NULL, ot_ip_str(&r->ip, buf, sizeof(buf)));
	jw_array_close(w);
	jw_string(w, "role", inventory_role_name(a->role));
	jw_object_close(w);
}

/*
 * One "asset" EVE line: the asset in brief and what changed.  what is the
 * change kind; old_v/new_v (stolen, may be NULL) the values.  Written
 * straight into the line (no tree for the common part).
 */
static void asset_change(struct inventory *inv, const struct asset *a, const struct timeval *ts,
			 const char *what, json_t *old_v, json_t *new_v)
{
	char buf[OTS_IPSTR_LEN];
	struct jw *w;

	if (ts->tv_sec != inv->event_sec) {
		inv->event_sec = ts->tv_sec;
		inv->event_count = 0;
	}
	if (++inv->event_count > INV_MAX_EVENTS_PER_SEC) {
		json_decref(old_v);
		json_decref(new_v);
		inv->st.asset_events_suppressed++;
		return;
	}
	if (!inv->eve) {
		json_decref(old_v);
		json_decref(new_v);
		inv->st.asset_events++;
		return;
	}
	w = eve_line_begin(inv->eve, "asset", ts, NULL, 1);
	if (a->ips)     /* the address added last */
		jw_string(w, "src_ip", ot_ip_str(&a->ips->ip, buf, sizeof(buf)));
	asset_brief(w, a);
	jw_object_open(w, "change");
	jw_string(w, "what", what);
	eve_put_json(w, "old", old_v);
	eve_put_json(w, "new", new_v);
	jw_object_close(w);
	eve_line_end(inv->eve, w);
	json_decref(old_v);
	json_decref(new_v);
	inv->st.asset_events++;
}

static void role_update(struct inventory *inv, struct asset *a, const struct timeval *ts)
{
	enum inv_role r = inv_infer_role(a, NULL), old = a->role;
	struct role_reasons rr;

	a->role_dirty = 0;
	if (r == old)
		return;
	a->role = r;
	memset(&rr, 0, sizeof(rr));
	inv_infer_role(a, &rr);
	{
		json_t *nv = json_object();

		json_object_set_new(nv, "role", json_string(inventory_role_name(r)));
		json_object_set_new(nv, "reason", json_string(rr.n ? rr.text[0] : ""));
		asset_change(inv, a, ts, "role", json_string(inventory_role_name(old)), nv);
	}
}

/* ---- asset and address records ---- */

static struct asset *asset_new(struct inventory *inv, int is_mac, const uint8_t *mac,
			       const struct ot_ip *ip, const struct timeval *ts)
{
	struct asset *a;
	size_t h;

	while (inv->st.assets >= inv->cfg.max_assets && inv->assets.last)
		asset_evict(inv, ASSET_OF(inv->assets.last));
	if (!(a = calloc(1, sizeof(*a)))) {
		inv->st.no_memory++;
		return NULL;
	}
	a->id = inv->next_id++;
	a->key_is_mac = (uint8_t)is_mac;
	if (is_mac) {
		a->has_mac = 1;
		memcpy(a->mac, mac, 6);
		a->vendor = oui_lookup(inv->oui, mac);
	} else {
		a->key_ip = *ip;
	}
	a->first = a->last = *ts;
	h = akey_hash(inv, is_mac, mac, ip);
	a->hnext = inv->abucket[h];
	inv->abucket[h] = a;
	h = ots_mix64(a->id) & (inv->nabucket - 1);
	a->idnext = inv->idbucket[h];
	inv->idbucket[h] = a;
	ots_list_push_front(&inv->assets, &a->lru);
	inv->st.assets++;
	inv->st.assets_created++;
	return a;
}

static struct inv_ip *ip_find(const struct inventory *inv, const struct ot_ip *ip,
			      const struct asset *owner)
{
	struct inv_ip *r = inv->ibucket[ip_hash(inv, ip)];

	for (; r; r = r->hnext)
		if (r->owner == owner && ip_eq(&r->ip, ip))
			return r;
	return NULL;
}

/* Another MAC-keyed asset that used ip before; NULL when none. */
static struct inv_ip *ip_other_mac(const struct inventory *inv, const struct ot_ip *ip,
				   const struct asset *self)
{
	struct inv_ip *r = inv->ibucket[ip_hash(inv, ip)], *best = NULL;

	for (; r; r = r->hnext)
		if (r->owner != self && r->owner->key_is_mac && r->owner->role != INV_ROLE_ROUTER &&
		    ip_eq(&r->ip, ip) && (!best || timercmp(&r->last, &best->last, >)))
			best = r;
	return best;
}

static struct inv_ip *ip_add(struct inventory *inv, struct asset *a, const struct ot_ip *ip,
			     const struct timeval *ts)
{
	struct inv_ip *r, *old;
	size_t h;

	if (a->n_ips >= INV_MAX_IPS_PER_ASSET) {
		struct inv_ip *x, *oldest = a->ips;

		for (x = a->ips; x; x = x->anext)
			if (timercmp(&x->last, &oldest->last, <))
				oldest = x;
		ip_drop(inv, oldest);
		a->ips_dropped++;
		inv->st.ips_evicted++;
	}
	while (inv->st.ips >= inv->cfg.max_ips && inv->ips.last) {
		struct inv_ip *victim = IP_OF(inv->ips.last);

		/* never take the asset's own key address away from it */
		if (victim->owner == a && a->n_ips == 1)
			break;
		ip_drop(inv, victim);
		inv->st.ips_evicted++;
	}
	if (!(r = calloc(1, sizeof(*r)))) {
		inv->st.no_memory++;
		return NULL;
	}
	r->ip = *ip;
	r->hops = HOPS_UNKNOWN;
	r->owner = a;
	r->first = r->last = *ts;
	geo_lookup(inv->geo, ip, &r->geo);
	old = a->key_is_mac ? ip_other_mac(inv, ip, a) : NULL;
	if (old) {
		r->has_prev_mac = 1;
		memcpy(r->prev_mac, old->owner->mac, 6);
	}
	h = ip_hash(inv, ip);
	r->hnext = inv->ibucket[h];
	inv->ibucket[h] = r;
	r->anext = a->ips;
	a->ips = r;
	a->n_ips++;
	if (ip->ver == 4)
		a->n_ipv4++;
	a->role_dirty = 1;
	ots_list_push_front(&inv->ips, &r->lru);
	inv->st.ips++;
	inv->st.ips_created++;
	if (old)
		inv->st.ips_moved++;
	return r;
}

/* 0 for no address and for 0.0.0.0 / :: (DHCP, duplicate address detection). */
static int ip_is_specified(const struct ot_ip *ip)
{
	int i, n = ip->ver == 4 ? 4 : ip->ver == 6 ? 16 : 0;

	for (i = 0; i < n; i++)
		if (ip->a[i])
			return 1;
	return 0;
}

/*
 * The asset of one packet end: by MAC when the link layer gives a unicast
 * one, else by IP.  Creates it (and its address record) when new.  *rec
 * gets the address record (may be NULL when memory ran out).  slot (may be
 * NULL) is the flow's, end the flow end of this packet end.
 */
static __attribute__((noinline)) struct asset *endpoint_lookup(struct inventory *inv, struct inv_flow_slot *slot, int end,
				     const uint8_t *mac, const struct ot_ip *ip,
				     const struct timeval *ts, int latest, struct inv_ip **rec)
{
	int is_mac = mac && mac_is_key(mac);
	int has_ip = ip_is_specified(ip);
	struct asset *a;
	struct inv_ip *r = NULL;
	int created = 0, added = 0;

	*rec = NULL;
	if (!is_mac && !has_ip)
		return NULL;
	a = slot_asset(inv, slot, end, is_mac, mac, ip);
	if (!a)
		a = asset_find_key(inv, is_mac, mac, ip);
	if (!a) {
		if (!(a = asset_new(inv, is_mac, mac, ip, ts)))
			return NULL;
		created = 1;
	}
	if (has_ip) {
		r = slot_ip(inv, slot, end, a, ip);
		if (!r)
			r = ip_find(inv, ip, a);
		if (!r)
			added = (r = ip_add(inv, a, ip, ts)) != NULL;
		if (r) {
			ts_raise(&r->last, ts, latest);
			ots_list_move_front(&inv->ips, &r->lru);
		}
	}
	asset_touch(inv, a, ts, latest);
	if (created)
		asset_change(inv, a, ts, "new", NULL, NULL);
	if (added && r->has_prev_mac)
		asset_change(inv, a, ts, "ip_moved", inv_mac_json(r->prev_mac), inv_ip_json(ip));
	else if (added && !created)
		asset_change(inv, a, ts, "ip", NULL, inv_ip_json(ip));
	if (added && !created)
		role_update(inv, a, ts);
	slot_store(inv, slot, end, a, r);
	if (r || !has_ip)
		memo_put(slot, end, mac, ip, a, r);
	*rec = r;
	return a;
}

/* A packet end known already: its address record r (may be NULL) and
 * asset a marked seen now, as endpoint_lookup() does. */
static inline __attribute__((always_inline)) void end_touch(struct inventory *inv, struct asset *a,
							    struct inv_ip *r, const struct timeval *ts,
							    int latest)
{
	if (r) {
		ts_raise(&r->last, ts, latest);
		ots_list_move_front(&inv->ips, &r->lru);
	}
	asset_touch(inv, a, ts, latest);
}

/* endpoint_lookup(), answered from the slot's memo when it holds the
 * question: then the asset and address are known, and only touched. */
static inline __attribute__((always_inline)) struct asset *endpoint(struct inventory *inv, struct inv_flow_slot *slot, int end,
				     const uint8_t *mac, const struct ot_ip *ip,
				     const struct timeval *ts, int latest, struct inv_ip **rec)
{
	const struct inv_end_memo *m = memo_get(inv, slot, end, mac, ip);
	struct inv_ip *r;

	if (!m)
		return endpoint_lookup(inv, slot, end, mac, ip, ts, latest, rec);
	r = m->r;
	end_touch(inv, m->a, r, ts, latest);
	*rec = r;
	return m->a;
}

/* Resolve an end of flow f (slot: its slot) without creating anything. */
static __attribute__((noinline)) struct asset *
flow_end_lookup(struct inventory *inv, const struct flow *f, struct inv_flow_slot *slot,
		int server, struct inv_ip **rec)
{
	const uint8_t *mac = server ? f->srv_mac : f->cli_mac;
	const struct ot_ip *ip = server ? &f->srv_ip : &f->cli_ip;
	const struct inv_end_memo *m;
	struct asset *a;
	int is_mac;

	if ((m = memo_get(inv, slot, server, f->has_mac ? mac : NULL, ip))) {
		a = m->a;
		*rec = m->r;
		goto found;
	}
	is_mac = f->has_mac && mac_is_key(mac);
	if (!(a = slot_asset(inv, slot, server, is_mac, mac, ip)) &&
	    !(a = asset_find_key(inv, is_mac, mac, ip))) {
		*rec = NULL;
		return NULL;
	}
	if (!(*rec = slot_ip(inv, slot, server, a, ip)))
		*rec = ip_find(inv, ip, a);
	slot_store(inv, slot, server, a, *rec);
	if (*rec || !ip_is_specified(ip))
		memo_put(slot, server, f->has_mac ? mac : NULL, ip, a, *rec);
found:
	if (slot && slot->gen == inv->gen && (*rec || !ip_is_specified(ip))) {
		slot->fend[server].a = a;
		slot->fend[server].r = *rec;
		slot->fend[server].has_mac = f->has_mac;
	}
	return a;
}

/* flow_end_lookup(), answered by the slot when it has the end already. */
static inline __attribute__((always_inline)) struct asset *
flow_end_asset(struct inventory *inv, const struct flow *f, struct inv_flow_slot *slot,
	       int server, struct inv_ip **rec)
{
	if (slot && slot->gen == inv->gen && slot->fend[server].a &&
	    slot->fend[server].has_mac == f->has_mac) {
		*rec = slot->fend[server].r;
		return slot->fend[server].a;
	}
	return flow_end_lookup(inv, f, slot, server, rec);
}

static void add_vlans(struct inventory *inv, struct asset *a, const struct pkt_meta *p)
{
	uint8_t i, j;

	for (i = 0; i < p->nvlan && i < PKT_MAX_VLAN; i++) {
		for (j = 0; j < a->n_vlans; j++)
			if (a->vlans[j] == p->vlan[i])
				break;
		if (j < a->n_vlans)
			continue;
		if (a->n_vlans >= INV_MAX_VLANS) {
			a->overflow++;
			inv->st.overflow++;
			continue;
		}
		a->vlans[a->n_vlans++] = p->vlan[i];
		asset_change(inv, a, &p->ts, "vlan", NULL, json_integer(p->vlan[i]));
	}
}

static int label_is_named(const char *label)
{
	return strcmp(label, "tcp") != 0 && strcmp(label, "udp") != 0 && strcmp(label, "ip") != 0;
}

/* Record the service (l4, port, side) on an asset; a label upgrades in
 * place (transport, then application, then OT protocol).  Two OT protocols
 * on one port (S7comm and S7comm-plus on 102) are two services: a relabel
 * between them at every message would be a change event each time. */
static void add_proto(struct inventory *inv, struct asset *a, const struct graph_edge *e,
		      int server, const struct timeval *ts)
{
	struct inv_proto *x = NULL;
	int named = label_is_named(e->proto);
	uint16_t i;

	for (i = 0; i < a->n_protos; i++) {
		struct inv_proto *y = &a->protos[i];

		if (y->l4 != e->l4 || y->port != e->port || y->server != server)
			continue;
		if (!e->is_ot || !y->ot || strcmp(y->label, e->proto) == 0) {
			x = y;
			break;
		}
	}
	if (!x) {
		if (graph_array_grow((void **)&a->protos, &a->cap_protos, a->n_protos,
				     INV_MAX_PROTOS, sizeof(*a->protos)) < 0) {
			a->overflow++;
			inv->st.overflow++;
			return;
		}
		x = &a->protos[a->n_protos++];
		memset(x, 0, sizeof(*x));
		x->l4 = e->l4;
		x->port = e->port;
		x->server = (uint8_t)server;
		x->first = *ts;
		graph_label_copy(x->label, sizeof(x->label), e->proto);
	}
	x->last = *ts;
	if (named && (!x->named || (e->is_ot && strcmp(x->label, e->proto) != 0))) {
		json_t *nv = json_object();

		graph_label_copy(x->label, sizeof(x->label), e->proto);
		x->named = 1;
		x->ot = e->is_ot ? 1 : 0;
		json_object_set_new(nv, "proto", json_string(e->proto));
		json_object_set_new(nv, "port", json_integer(e->port));
		json_object_set_new(nv, "side", json_string(server ? "server" : "client"));
		asset_change(inv, a, ts, "protocol", NULL, nv);
	}
}

static void add_label(struct inventory *inv, struct asset *a, const char *label)
{
	uint8_t i;

	if (!label || !label[0])
		return;
	for (i = 0; i < a->n_labels; i++)
		if (strncmp(a->labels[i], label, GRAPH_LABEL_LEN - 1) == 0)
			return;
	if (a->n_labels >= INV_MAX_LABELS) {
		a->overflow++;
		inv->st.overflow++;
		return;
	}
	if (!a->labels && !(a->labels = calloc(INV_MAX_LABELS, sizeof(*a->labels)))) {
		inv->st.no_memory++;
		return;
	}
	graph_label_copy(a->labels[a->n_labels++], GRAPH_LABEL_LEN, label);
}

/* nDPI labels of industrial protocols: never counted as IT traffic. */
static const char *const ics_labels[] = {
	"Modbus", "DNP3", "S7COMM", "s7comm", "IEC60870", "EthernetIP", "BACnet",
	"Profinet", "OPC-UA", "IEC61850", NULL,
};

static int label_is_ics(const char *label)
{
	int i;

	for (i = 0; ics_labels[i]; i++)
		if (strcasecmp(label, ics_labels[i]) == 0)
			return 1;
	return 0;
}

/* The OT protocol of a flow: the dissector that claimed it, else an nDPI
 * label naming one of the dissected protocols ("Modbus", "DNP3", "s7comm").
 * The slot remembers the dissector's (static) name resolved. */
static int ot_label_of(const struct flow *f, struct inv_flow_slot *slot, int *proto_id)
{
	enum ot_proto p = OT_PROTO_UNKNOWN;
	int i;

	if (f->ot_proto && slot && slot->ot_name == f->ot_proto) {
		p = (enum ot_proto)slot->ot_id;
	} else if (f->ot_proto) {
		p = ot_proto_from_name(f->ot_proto);
		if (slot) {
			slot->ot_name = f->ot_proto;
			slot->ot_id = (int)p;
		}
	}

	for (i = 1; p == OT_PROTO_UNKNOWN && f->app_proto[0] && i < OT_PROTO_COUNT; i++)
		if (strcasecmp(f->app_proto, ot_proto_name((enum ot_proto)i)) == 0)
			p = (enum ot_proto)i;
	*proto_id = (int)p;
	return p != OT_PROTO_UNKNOWN;
}

/* Label the edge from the flow; on a change update both assets' services. */
static __attribute__((noinline)) void
edge_relabel(struct inventory *inv, struct graph_edge *e, const struct flow *f,
	     struct inv_flow_slot *slot, struct asset *cli, struct asset *srv,
	     const struct timeval *ts, int created)
{
	int pid, changed;

	if (ot_label_of(f, slot, &pid))
		changed = graph_edge_label(e, ot_proto_name((enum ot_proto)pid), 1, pid);
	else
		changed = graph_edge_label(e, f->app_proto, 0, 0);
	if (slot) {
		if (slot->lab[0].id != e->id)
			slot->lab[1] = slot->lab[0];
		slot->lab[0].id = e->id;
		slot->lab[0].relabels = e->relabels;
		slot->lab[0].ot = f->ot_proto;
		memcpy(slot->lab[0].app, f->app_proto, sizeof(slot->lab[0].app));
	}
	if (!changed && !created)
		return;
	add_proto(inv, cli, e, 0, ts);
	add_proto(inv, srv, e, 1, ts);
	if (!e->is_ot && (changed || created)) {
		add_label(inv, cli, f->app_proto);
		add_label(inv, srv, f->app_proto);
	}
}

static inline __attribute__((always_inline)) void
edge_label_from_flow(struct inventory *inv, struct graph_edge *e, const struct flow *f,
		     struct inv_flow_slot *slot, struct asset *cli, struct asset *srv,
		     const struct timeval *ts, int created)
{
	int w;

	_Static_assert(sizeof(slot->lab[0].app) == sizeof(f->app_proto), "lab holds app_proto");
	for (w = 0; !created && slot && w < INV_SLOT_WAYS; w++)
		if (slot->lab[w].id == e->id) {
			if (slot->lab[w].relabels == e->relabels && slot->lab[w].ot == f->ot_proto &&
			    memcmp(slot->lab[w].app, f->app_proto, sizeof(slot->lab[w].app)) == 0)
				return; /* what changed nothing last time, on an edge unchanged since */
			break;
		}
	edge_relabel(inv, e, f, slot, cli, srv, ts, created);
}

enum { EDGE_UNCOUNTED = 0, EDGE_IT, EDGE_OT };

/*
 * Relationship counters for role inference: an edge counts as OT once a
 * dissector claimed it, as IT once it has a non-OT name (or, at flow end,
 * when an unnamed service answered).  An IT edge that turns out to be OT
 * moves over.  Roles are re-inferred on every change.
 */
static __attribute__((noinline)) void edge_reclassify(struct inventory *inv, struct graph_edge *e,
						       struct asset *cli, struct asset *srv,
						       int answered, const struct timeval *ts)
{
	int want;

	want = e->is_ot ? EDGE_OT
	     : (label_is_named(e->proto) || answered) && !label_is_ics(e->proto) ? EDGE_IT
	     : EDGE_UNCOUNTED;
	if (want <= e->owner_mark)
		return;
	if (e->owner_mark == EDGE_IT) {
		if (cli->it_servers)
			cli->it_servers--;
		if (srv->it_clients)
			srv->it_clients--;
	}
	if (want == EDGE_IT) {
		cli->it_servers++;
		srv->it_clients++;
	} else {
		cli->ot_servers++;
		srv->ot_clients++;
	}
	e->owner_mark = (uint8_t)want;
	role_update(inv, cli, ts);
	if (srv != cli)
		role_update(inv, srv, ts);
}

static inline __attribute__((always_inline)) void
edge_classify(struct inventory *inv, struct graph_edge *e, struct asset *cli, struct asset *srv,
	      int answered, const struct timeval *ts)
{
	/* every packet comes here: settled edges return before any label test */
	if (e->owner_mark == EDGE_OT || (e->owner_mark == EDGE_IT && !e->is_ot))
		return;
	edge_reclassify(inv, e, cli, srv, answered, ts);
}

/*
 * Routers between the sender and the sensor, from the TTL: the distance
 * below the nearest usual initial value (30, 32, 60, 64, 100, 128, 200,
 * 255).  A TTL equal to one of them counts as direct.  0 for no TTL.
 */
static uint8_t ttl_hops(uint8_t ttl)
{
	static const uint8_t initial[] = { 30, 32, 60, 64, 100, 128, 200, 255 };
	size_t i;

	if (ttl == 0)
		return HOPS_UNKNOWN;
	for (i = 0; i < sizeof(initial); i++)
		if (ttl <= initial[i])
			return (uint8_t)(initial[i] - ttl);
	return 0;
}

static int ip_is_unicast(const struct ot_ip *ip)
{
	if (ip->ver == 4)
		return !(ip->a[0] >= 224) && !(ip->a[0] == 0);
	if (ip->ver == 6)
		return ip->a[0] != 0xff;
	return 0;
}

/* ---- observer inputs ---- */

/* The packet's two ends packed for a struct inv_dir_memo: the MACs and
 * has_mac, the two IPv4 addresses; 0 (no key) unless both are IPv4. */
static inline int dir_key(uint64_t key[3], const struct pkt_meta *p)
{
	uint64_t sm = 0, dm = 0;
	uint32_t s4, d4;

	if (p->src_ip.ver != 4 || p->dst_ip.ver != 4)
		return 0;
	memcpy(&sm, p->src_mac, 6);
	memcpy(&dm, p->dst_mac, 6);
	memcpy(&s4, p->src_ip.a, 4);
	memcpy(&d4, p->dst_ip.a, 4);
	key[0] = sm | (uint64_t)p->has_mac << 56;
	key[1] = dm;
	key[2] = s4 | (uint64_t)d4 << 32;
	return 1;
}

void inventory_packet(struct inventory *inv, const struct pkt_meta *p, const struct flow *f,
		      int dir)
{
	struct asset *src, *dst = NULL;
	struct inv_ip *rs, *rd = NULL;
	struct inv_flow_slot *slot;
	struct inv_dir_memo *dm;
	uint64_t len = p->ip_len ? p->ip_len : p->wirelen, gen, key[3];
	int se = dir == FLOW_C2S ? 0 : 1;       /* the flow end of the source */
	int latest;                             /* no packet before was later (ts_raise()) */
	int keyed;                              /* key: the packet's ends (dir_key()) */

	if (!p->src_ip.ver && !p->has_mac)
		return;
	if (inv->first_ts.tv_sec == 0 && inv->first_ts.tv_usec == 0)
		inv->first_ts = p->ts;
	latest = !timercmp(&p->ts, &inv->last_ts, <);
	if (latest)
		inv->last_ts = p->ts;

	slot = f ? flow_slot(inv, f) : NULL;
	keyed = slot && dir_key(key, p);
	if (keyed && slot->gen == inv->gen && (dm = &slot->dir[se])->a[0] &&
	    ((dm->key[0] ^ key[0]) | (dm->key[1] ^ key[1]) | (dm->key[2] ^ key[2])) == 0) {
		/* the two endpoint() calls below, answered from the memo */
		src = dm->a[0];
		rs = dm->r[0];
		end_touch(inv, src, rs, &p->ts, latest);
		if ((dst = dm->a[1])) {
			rd = dm->r[1];
			end_touch(inv, dst, rd, &p->ts, latest);
		}
	} else {
		int asked = ip_is_unicast(&p->dst_ip) && !(p->has_mac && oui_mac_is_group(p->dst_mac));

		src = endpoint(inv, slot, se, p->has_mac ? p->src_mac : NULL, &p->src_ip, &p->ts, latest, &rs);
		gen = inv->gen;
		if (asked)
			dst = endpoint(inv, slot, !se, p->has_mac ? p->dst_mac : NULL, &p->dst_ip, &p->ts, latest, &rd);
		/* src sits at the head of the LRU lists, so resolving dst (which may
		 * evict from the tail, with at least two slots) cannot free it; its
		 * address record is looked up again when anything was freed */
		if (src && rs && inv->gen != gen)
			rs = ip_find(inv, &p->src_ip, src);
		/* remembered only as complete answers: both ends with their
		 * address records (the destination when asked) */
		if (keyed && slot->gen == inv->gen && src && rs && (asked ? dst && rd : !dst)) {
			dm = &slot->dir[se];
			memcpy(dm->key, key, sizeof(dm->key));
			dm->a[0] = src;
			dm->r[0] = rs;
			dm->a[1] = dst;
			dm->r[1] = rd;
		}
	}
	if (src) {
		src->pkts[0]++;
		src->bytes[0] += len;
		if (rs) {
			uint8_t hops = inv->hops_of_ttl[p->ttl];

			rs->pkts[0]++;
			rs->bytes[0] += len;
			if (hops < rs->hops) {
				int was_routed = rs->hops != HOPS_UNKNOWN && rs->hops > 0;

				rs->hops = hops;
				src->n_routed += (hops > 0) - was_routed;
				/* first sight, or a routed address turned out local */
				if (was_routed || hops > 0)
					role_update(inv, src, &p->ts);
			}
		}
		if (p->nvlan)
			add_vlans(inv, src, p);
	}
	if (dst) {
		dst->pkts[1]++;
		dst->bytes[1] += len;
		if (rd) {
			rd->pkts[1]++;
			rd->bytes[1] += len;
		}
		if (p->nvlan)
			add_vlans(inv, dst, p);
	}
	if (f && src && dst) {
		struct asset *cli = dir == FLOW_C2S ? src : dst, *srv = dir == FLOW_C2S ? dst : src;
		int created = 0;
		struct graph_edge *e = flow_edge(inv, slot, f, cli, srv, &p->ts, &created);

		if (!e)
			return;
		if (f->pkts[0] + f->pkts[1] == 1)
			e->flows++;
		if (created && (f->l4 == IPPROTO_TCP || f->l4 == IPPROTO_UDP) &&
		    (inv->ot_ports[f->srv_port >> 3] & (1u << (f->srv_port & 7))) && cli != srv) {
			cli->ot_port_servers++;
			cli->role_dirty = 1;
			if (cli->ot_port_servers == SCAN_MIN_SERVERS)
				role_update(inv, cli, &p->ts);
		}
		graph_edge_packet(inv->graph, e, dir == FLOW_C2S ? 0 : 1, len, &p->ts);
		edge_label_from_flow(inv, e, f, slot, cli, srv, &p->ts, created);
		edge_classify(inv, e, cli, srv, 0, &p->ts);
	}
}

/* 1 when v is new to the bitmap (and counted in *n). */
static int bitmap_add(uint8_t bm[32], uint32_t *n, int v)
{
	if (v < 0 || v > 255 || (bm[v >> 3] & (1u << (v & 7))))
		return 0;
	bm[v >> 3] |= (uint8_t)(1u << (v & 7));
	(*n)++;
	return 1;
}

/* ROLE_CH_ANY when a counter about to grow is 0 (a truth test may flip). */
#define ROLE_CH_FROM_ZERO(x) ((x) == 0 ? ROLE_CH_ANY : 0u)

static int addr_is(const struct inv_addr *d, uint8_t proto, uint8_t kind, int32_t x, int32_t y)
{
	return d->proto == proto && d->kind == kind && d->a == x && d->b == y;
}

static __attribute__((noinline)) void add_ot_addr_new(struct inventory *inv, struct asset *a,
						      uint8_t proto, uint8_t kind, int32_t x,
						      int32_t y, const struct timeval *ts)
{
	uint8_t i;
	json_t *nv;

	for (i = 0; i < a->n_addrs; i++)
		if (addr_is(&a->addrs[i], proto, kind, x, y)) {
			a->addr_hint = i;
			return;
		}
	if (a->n_addrs >= INV_MAX_ADDRS) {
		a->overflow++;
		inv->st.overflow++;
		return;
	}
	a->addrs[a->n_addrs].proto = proto;
	a->addrs[a->n_addrs].kind = kind;
	a->addrs[a->n_addrs].a = x;
	a->addrs[a->n_addrs].b = y;
	a->addr_hint = a->n_addrs++;
	nv = json_object();
	json_object_set_new(nv, "proto", json_string(ot_proto_name((enum ot_proto)proto)));
	if (kind == ADDR_RACK_SLOT) {
		json_object_set_new(nv, "rack", json_integer(x));
		json_object_set_new(nv, "slot", json_integer(y));
	} else {
		json_object_set_new(nv, ot_tok_str(addr_kind_names, kind), json_integer(x));
	}
	asset_change(inv, a, ts, "ot_address", NULL, nv);
}

/* An OT address of the asset (x < 0: none); a new one is a change event.
 * The addresses are unique: the one found or added last is tried first
 * (a device's messages repeat its address). */
static inline void add_ot_addr(struct inventory *inv, struct asset *a, uint8_t proto, uint8_t kind,
			       int32_t x, int32_t y, const struct timeval *ts)
{
	if (x < 0 || (a->addr_hint < a->n_addrs && addr_is(&a->addrs[a->addr_hint], proto, kind, x, y)))
		return;
	add_ot_addr_new(inv, a, proto, kind, x, y, ts);
}

static void add_fact(struct inventory *inv, struct asset *a, const struct ot_event *ev,
		     const struct ot_ident *id)
{
	struct inv_fact *x, *prev = NULL;
	uint16_t i;
	json_t *nv;

	for (i = 0; i < a->n_facts; i++) {
		x = &a->facts[i];
		if (x->key != id->key || x->proto != ev->proto)
			continue;
		if (strncmp(x->value, id->value, OT_IDENT_LEN) == 0) {
			x->last = ev->ts;
			x->count++;
			return;
		}
		if (!prev || timercmp(&x->last, &prev->last, >))
			prev = x;
	}
	if (a->n_facts >= INV_MAX_FACTS) {
		a->overflow++;
		inv->st.overflow++;
		return;
	}
	if (!a->facts && !(a->facts = calloc(INV_MAX_FACTS, sizeof(*a->facts)))) {
		inv->st.no_memory++;
		return;
	}
	x = &a->facts[a->n_facts++];
	x->key = id->key;
	x->proto = (uint8_t)ev->proto;
	memcpy(x->value, id->value, OT_IDENT_LEN);
	x->value[OT_IDENT_LEN - 1] = '\0';
	x->first = x->last = ev->ts;
	x->count = 1;
	nv = json_object();
	json_object_set_new(nv, "key", json_string(ot_ident_key_name((enum ot_ident_key)id->key)));
	json_object_set_new(nv, "value", eve_string((const uint8_t *)x->value, strlen(x->value)));
	json_object_set_new(nv, "proto", json_string(ot_proto_name(ev->proto)));
	asset_change(inv, a, &ev->ts, "identity",
		     prev ? eve_string((const uint8_t *)prev->value, strlen(prev->value)) : NULL, nv);
}

void inventory_event(struct inventory *inv, const struct ot_event *ev)
{
	const struct flow *f = ev->flow;
	struct asset *cli, *srv, *snd, *rcv;
	struct inv_ip *rc, *rsv, *rsnd, *rrcv;
	struct graph_edge *e;
	struct inv_ot *so, *ro;
	struct inv_ot_sum *snd_sum, *rcv_sum, unsummed;
	struct inv_flow_slot *slot;
	int created, p = (unsigned)ev->proto < OT_PROTO_COUNT ? (int)ev->proto : 0;
	/* ROLE_CH_*: role inputs changed; *_sch by the sums, which count
	 * only for protocols 1.. */
	unsigned snd_ch = 0, rcv_ch = 0, snd_sch = 0, rcv_sch = 0;
	uint8_t i;

	inv->st.ot_events++;
	if (!f) {
		inv->st.events_without_flow++;
		return;
	}
	slot = flow_slot(inv, f);
	cli = flow_end_asset(inv, f, slot, 0, &rc);
	srv = flow_end_asset(inv, f, slot, 1, &rsv);
	if (!cli || !srv) {
		inv->st.events_without_flow++;
		return;
	}
	snd = ev->from_client ? cli : srv;
	rcv = ev->from_client ? srv : cli;
	rsnd = ev->from_client ? rc : rsv;
	rrcv = ev->from_client ? rsv : rc;
	if ((!snd->ot && !(snd->ot = calloc(OT_PROTO_COUNT, sizeof(*snd->ot)))) ||
	    (!rcv->ot && !(rcv->ot = calloc(OT_PROTO_COUNT, sizeof(*rcv->ot))))) {
		inv->st.no_memory++;
		return;
	}
	so = &snd->ot[p];
	ro = &rcv->ot[p];
	/* role inference sums protocols 1..: what protocol 0 counts stays out */
	if (p > 0) {
		snd_sum = &snd->ot_sum;
		rcv_sum = &rcv->ot_sum;
	} else {
		memset(&unsummed, 0, sizeof(unsummed));
		snd_sum = rcv_sum = &unsummed;
	}

	e = flow_edge(inv, slot, f, cli, srv, &ev->ts, &created);
	if (e) {
		/* an edge already labelled with this OT protocol keeps it */
		if (((!e->is_ot || p == 0 || e->proto_id != p) &&
		     graph_edge_label(e, ot_proto_name(ev->proto), 1, p)) || created) {
			add_proto(inv, cli, e, 0, &ev->ts);
			add_proto(inv, srv, e, 1, &ev->ts);
		}
		edge_classify(inv, e, cli, srv, 0, &ev->ts);
		graph_edge_event(inv->graph, e, ev);
	}

	if (ev->kind == OT_EV_ANOMALY) {
		so->anomalies++;
		return;
	}
	if (ev->conn.what == OT_CONN_OPENED && ev->conn.transport_class <= 1) {
		/* the originator opens from the client side of the session */
		cli->ot[p].io_orig++;
		srv->ot[p].io_target++;
		if (p > 0) {
			*(cli == snd ? &snd_ch : &rcv_ch) |= ROLE_CH_FROM_ZERO(cli->ot_sum.io_orig);
			*(srv == snd ? &snd_ch : &rcv_ch) |= ROLE_CH_FROM_ZERO(srv->ot_sum.io_target);
		}
		(cli == snd ? snd_sum : rcv_sum)->io_orig++;
		(srv == snd ? snd_sum : rcv_sum)->io_target++;
	}
	switch (ev->dir) {
	case OT_DIR_REQUEST:
		if (!ev->from_client && !f->role_guessed) {
			/* a job sent by the side that accepted the connection
			 * (an S7 CPU pulling blocks during a download): part of
			 * serving that session, not polling */
			so->req_sent_as_server++;
			break;
		}
		if (so->req_sent++ == 0) {
			snd_sum->client_protos++;
			snd_sch |= ROLE_CH_ANY;
		}
		snd_sch |= snd_sum->req_sent++ == 0 ? ROLE_CH_ANY : ROLE_CH_REQ_SENT;
		if ((unsigned)ev->cat < OT_CAT_COUNT) {
			so->cat_sent[ev->cat]++;
			if (p > 0) {    /* as role inference sums them */
				switch (ev->cat) {
				case OT_CAT_IDENTITY:
					snd_ch |= ROLE_CH_ANY;
					break;
				case OT_CAT_PROGRAM:
				case OT_CAT_MODE:
				case OT_CAT_WRITE:
				case OT_CAT_CONTROL:
					snd_ch |= ROLE_CH_FROM_ZERO(snd->cat_sent_all[ev->cat]);
					break;
				default:        /* read only for the reasons */
					break;
				}
				snd->cat_sent_all[ev->cat]++;
			}
		}
		ro->req_recv++;
		rcv_sch |= ROLE_CH_FROM_ZERO(rcv_sum->req_recv);
		rcv_sum->req_recv++;
		if (bitmap_add(snd->funcs, &snd->n_funcs, ev->func))
			snd_ch |= ROLE_CH_ANY;
		if (rsnd)
			rsnd->ot_client |= 1u << p;
		if (rrcv)
			rrcv->ot_server |= 1u << p;
		break;
	case OT_DIR_RESPONSE:
	case OT_DIR_UNSOLICITED:
		if (ev->dir == OT_DIR_RESPONSE) {
			so->resp_sent++;
			snd_sch |= ROLE_CH_FROM_ZERO(snd_sum->resp_sent);
			snd_sum->resp_sent++;
		} else {
			so->unsol_sent++;
			snd_sch |= ROLE_CH_FROM_ZERO(snd_sum->unsol_sent);
			snd_sum->unsol_sent++;
		}
		ro->resp_recv++;
		rcv_sum->resp_recv++;
		rcv_sch |= ROLE_CH_RESP_RECV;
		if (ev->status > 0) {
			so->errors_sent++;
			ro->errors_recv++;
			rcv_sum->errors_recv++;
			rcv_sch |= ROLE_CH_ANY;
		}
		if (rsnd)
			rsnd->ot_server |= 1u << p;
		if (rrcv)
			rrcv->ot_client |= 1u << p;
		break;
	default:
		break;
	}

	/* protocol addresses */
	if (ev->unit >= 0) {
		add_ot_addr(inv, srv, (uint8_t)p, ADDR_UNIT, ev->unit, -1, &ev->ts);
		if (ev->dir == OT_DIR_REQUEST && bitmap_add(snd->units, &snd->n_units, ev->unit))
			snd_ch |= ROLE_CH_ANY;
	}
	if (ev->link_src >= 0)
		add_ot_addr(inv, snd, (uint8_t)p, ADDR_LINK, ev->link_src, -1, &ev->ts);
	if (ev->link_dst >= 0 && ev->link_dst < 0xfff0)     /* not a broadcast address */
		add_ot_addr(inv, rcv, (uint8_t)p, ADDR_LINK, ev->link_dst, -1, &ev->ts);
	if (ev->rack >= 0 && ev->slot >= 0)
		add_ot_addr(inv, srv, (uint8_t)p, ADDR_RACK_SLOT, ev->rack, ev->slot, &ev->ts);

	for (i = 0; i < ev->n_ident && i < OT_MAX_IDENT; i++)
		add_fact(inv, snd, ev, &ev->ident[i]);
	if (ev->proto == OT_PROTO_IEC104)
		inv_iec104_event(inv, snd, srv, ev);

	/* role inference where the event may have changed the answer */
	if (p > 0) {
		snd_ch |= snd_sch;
		rcv_ch |= rcv_sch;
	}
	if (inv_role_event_matters(snd, snd_ch))
		role_update(inv, snd, &ev->ts);
	if (inv_role_event_matters(rcv, rcv_ch))
		role_update(inv, rcv, &ev->ts);
}

void inventory_flow_end(struct inventory *inv, const struct flow *f)
{
	struct inv_flow_slot *slot = flow_slot(inv, f);
	struct inv_ip *r;
	struct asset *cli = flow_end_asset(inv, f, slot, 0, &r), *srv = flow_end_asset(inv, f, slot, 1, &r);
	struct graph_edge *e;

	if (!cli || !srv)
		return;
	e = graph_edge_find(inv->graph, cli->id, srv->id, f->l4, f->srv_port);
	if (e && !e->is_ot) {
		edge_label_from_flow(inv, e, f, slot, cli, srv, &f->last, 0);
		edge_classify(inv, e, cli, srv,
			      f->pkts[1] > 0 && (f->l4 == IPPROTO_TCP || f->l4 == IPPROTO_UDP), &f->last);
	}
	if (f->app_proto[0]) {
		add_label(inv, cli, f->app_proto);
		add_label(inv, srv, f->app_proto);
	}
}

/* ---- queries ---- */

static void fill_info(const struct asset *a, struct inventory_asset_info *out)
{
	const struct inv_ip *r;

	memset(out, 0, sizeof(*out));
	out->id = a->id;
	out->has_mac = a->has_mac;
	memcpy(out->mac, a->mac, 6);
	out->role = a->role;
	out->vendor = a->vendor;
	out->first_seen = a->first;
	out->last_seen = a->last;
	out->n_ips = a->n_ips;
	for (r = a->ips; r; r = r->anext)
		if (r->geo.external)
			out->external = 1;
}

int inventory_find_ip(const struct inventory *inv, const struct ot_ip *ip,
		      struct inventory_asset_info *out)
{
	const struct inv_ip *r = inv->ibucket[ip_hash(inv, ip)], *best = NULL;

	for (; r; r = r->hnext) {
		if (!ip_eq(&r->ip, ip))
			continue;
		if (!best || (best->owner->role == INV_ROLE_ROUTER && r->owner->role != INV_ROLE_ROUTER) ||
		    ((best->owner->role == INV_ROLE_ROUTER) == (r->owner->role == INV_ROLE_ROUTER) &&
		     timercmp(&r->last, &best->last, >)))
			best = r;
	}
	if (!best)
		return -1;
	fill_info(best->owner, out);
	return 0;
}

int inventory_find_mac(const struct inventory *inv, const uint8_t mac[6],
		       struct inventory_asset_info *out)
{
	const struct asset *a = asset_find_key(inv, 1, mac, NULL);

	if (!a)
		return -1;
	fill_info(a, out);
	return 0;
}

static const struct asset *asset_by_id(const struct inventory *inv, uint64_t id)
{
	const struct asset *a = inv->idbucket[ots_mix64(id) & (inv->nabucket - 1)];

	for (; a; a = a->idnext)
		if (a->id == id)
			return a;
	return NULL;
}

int inventory_find_id(const struct inventory *inv, uint64_t id, struct inventory_asset_info *out)
{
	const struct asset *a = asset_by_id(inv, id);

	if (!a)
		return -1;
	fill_info(a, out);
	return 0;
}

int inventory_asset_ident(const struct inventory *inv, uint64_t id, enum ot_ident_key key,
			  char *buf, size_t len)
{
	const struct asset *a = asset_by_id(inv, id);
	const struct inv_fact *best = NULL;
	uint16_t i;

	if (!a || len == 0)
		return -1;
	for (i = 0; i < a->n_facts; i++)
		if (a->facts[i].key == key && (!best || timercmp(&a->facts[i].last, &best->last, >)))
			best = &a->facts[i];
	if (!best)
		return -1;
	snprintf(buf, len, "%s", best->value);
	return 0;
}

const struct graph *inventory_graph(const struct inventory *inv)
{
	return inv->graph;
}

void inventory_get_stats(const struct inventory *inv, struct inventory_stats *st)
{
	struct graph_stats gs;

	*st = inv->st;
	graph_get_stats(inv->graph, &gs);
	st->edges = gs.edges;
	st->edges_created = gs.created;
	st->edges_evicted = gs.evicted;
	st->io_replaced = gs.io_replaced;
}
