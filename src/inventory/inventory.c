/*
 * inventory.c - assets, their addresses, identities and roles; the sensor
 * observer that feeds them and the graph.  See inventory.h.
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

#include "atomicfile.h"
#include "config.h"
#include "dissector.h"
#include "eve.h"
#include "geo.h"
#include "hash.h"
#include "inventory.h"
#include "list.h"
#include "options.h"
#include "oui.h"
#include "seed.h"
#include "sensor.h"

/* ---- records ---- */

#define ASSET_OF(l) ots_list_entry((l), struct asset, lru)
#define IP_OF(l) ots_list_entry((l), struct inv_ip, lru)

struct asset;

struct inv_ip {
	struct ot_ip ip;
	struct asset *owner;
	struct inv_ip *hnext;                   /* index chain (by address) */
	struct ots_link lru;                    /* all records, recent first */
	struct inv_ip *anext;                   /* owner's list */
	struct timeval first, last;
	uint64_t pkts[2], bytes[2];             /* [0] sent, [1] received */
	uint32_t ot_client, ot_server;          /* bit (1 << enum ot_proto) */
	uint8_t has_prev_mac;
	uint8_t hops;                           /* fewest routers seen (TTL), HOPS_UNKNOWN */
	uint8_t prev_mac[6];                    /* the address moved from here */
	struct geo_info geo;
};

#define HOPS_UNKNOWN 0xff

struct inv_proto {
	char label[GRAPH_LABEL_LEN];
	uint8_t l4, server, named;
	uint16_t port;
	uint64_t edges;
	struct timeval first, last;
};

struct inv_fact {
	uint8_t key, proto;
	char value[OT_IDENT_LEN];
	struct timeval first, last;
	uint64_t count;
};

enum inv_addr_kind { ADDR_UNIT = 0, ADDR_LINK, ADDR_RACK_SLOT };

struct inv_addr {
	uint8_t proto, kind;
	int32_t a, b;
};

struct inv_ot {
	uint64_t req_sent, resp_sent, unsol_sent, req_recv, resp_recv;
	uint64_t errors_sent, errors_recv, anomalies;
	uint64_t req_sent_as_server;            /* requests from the accepting side */
	uint64_t cat_sent[OT_CAT_COUNT];
};

struct asset {
	uint64_t id;
	uint8_t key_is_mac, has_mac;
	uint8_t mac[6];
	struct ot_ip key_ip;                    /* when keyed by IP */
	enum inv_role role;
	const char *vendor;
	struct timeval first, last;
	uint64_t pkts[2], bytes[2];             /* [0] sent, [1] received */
	uint16_t vlans[INV_MAX_VLANS];
	uint8_t n_vlans;
	uint8_t n_addrs, n_labels;
	uint16_t n_protos, cap_protos, n_facts;
	uint32_t n_ips, n_ipv4;
	uint64_t ips_dropped, overflow;
	struct inv_ip *ips;
	struct inv_proto *protos;
	struct inv_fact *facts;
	char (*labels)[GRAPH_LABEL_LEN];
	struct inv_addr addrs[INV_MAX_ADDRS];
	struct inv_ot *ot;                      /* [OT_PROTO_COUNT], on the first OT event */
	uint8_t units[32];                      /* Modbus unit ids addressed as client */
	uint8_t funcs[32];                      /* function codes sent in requests */
	uint32_t n_units, n_funcs;
	uint32_t ot_servers, ot_clients;        /* OT edges as client / server */
	uint32_t ot_port_servers;               /* hosts contacted on an OT port */
	uint32_t it_clients, it_servers;        /* non-OT edges as server / client */
	struct asset *hnext, *idnext;
	struct ots_link lru;                    /* all assets, recent first */
};

struct inventory {
	struct inventory_config cfg;
	struct oui_db *oui;
	struct geo *geo;
	struct eve *eve;
	struct graph *graph;
	struct asset **abucket, **idbucket;      /* by key, by id */
	struct inv_ip **ibucket;
	size_t nabucket, nibucket;              /* powers of two */
	struct ots_list assets;                 /* struct asset, first = most recent */
	struct ots_list ips;                    /* struct inv_ip, first = most recent */
	uint64_t next_id;
	struct timeval first_ts, last_ts;
	struct inventory_stats st;
	uint8_t ot_ports[65536 / 8];            /* server ports of the dissectors */
	time_t event_sec;                       /* asset-line rate window */
	uint32_t event_count;
	/* attach-time settings */
	const char *out_file;
	const char *graph_files[2];
	int n_graph_files;
	int quiet, live;
};

static const struct ot_tok role_names[] = {
	{ INV_ROLE_UNKNOWN, "unknown" },
	{ INV_ROLE_PLC, "plc" },
	{ INV_ROLE_HMI, "hmi" },
	{ INV_ROLE_ENGINEERING, "engineering_workstation" },
	{ INV_ROLE_HISTORIAN, "historian" },
	{ INV_ROLE_SERVER, "server" },
	{ INV_ROLE_SCANNER, "scanner" },
	{ INV_ROLE_IT_HOST, "it_host" },
	{ INV_ROLE_ROUTER, "router" },
	{ 0, NULL },
};

static const struct ot_tok role_labels[] = {
	{ INV_ROLE_UNKNOWN, "unknown" },
	{ INV_ROLE_PLC, "PLC/RTU/outstation" },
	{ INV_ROLE_HMI, "HMI/SCADA master" },
	{ INV_ROLE_ENGINEERING, "engineering workstation" },
	{ INV_ROLE_HISTORIAN, "historian" },
	{ INV_ROLE_SERVER, "server" },
	{ INV_ROLE_SCANNER, "scanner" },
	{ INV_ROLE_IT_HOST, "IT host" },
	{ INV_ROLE_ROUTER, "router/gateway" },
	{ 0, NULL },
};

const char *inventory_role_name(enum inv_role r)
{
	return ot_tok_str(role_names, (int)r);
}

const char *inventory_role_label(enum inv_role r)
{
	return ot_tok_str(role_labels, (int)r);
}

static const struct ot_tok addr_kind_names[] = {
	{ ADDR_UNIT, "unit" },
	{ ADDR_LINK, "link_address" },
	{ ADDR_RACK_SLOT, "rack_slot" },
	{ 0, NULL },
};

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

static json_t *ip_json(const struct ot_ip *ip)
{
	char buf[OTS_IPSTR_LEN];

	return json_string(ot_ip_str(ip, buf, sizeof(buf)));
}

static json_t *mac_json(const uint8_t mac[6])
{
	char buf[18];

	return json_string(ot_mac_str(mac, buf, sizeof(buf)));
}

/* ---- configuration, lifetime ---- */

void inventory_config_default(struct inventory_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_assets = 65536;
	cfg->max_ips = 0;
	cfg->max_edges = 262144;
}

struct inventory *inventory_new(const struct inventory_config *cfg, struct oui_db *oui,
				struct geo *geo, struct eve *eve)
{
	struct inventory *inv = calloc(1, sizeof(*inv));
	struct graph_config gc;

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
	inv->abucket = calloc(inv->nabucket, sizeof(*inv->abucket));
	inv->idbucket = calloc(inv->nabucket, sizeof(*inv->idbucket));
	inv->ibucket = calloc(inv->nibucket, sizeof(*inv->ibucket));
	gc.max_edges = cfg->max_edges;
	gc.seed = ots_mix64(inv->cfg.seed + 1);
	inv->graph = graph_new(&gc);
	if (!inv->abucket || !inv->idbucket || !inv->ibucket || !inv->graph)
		goto fail;
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
		free(inv->abucket);
		free(inv->idbucket);
		free(inv->ibucket);
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
	free(inv->abucket);
	free(inv->idbucket);
	free(inv->ibucket);
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
		if (is_mac ? memcmp(a->mac, mac, 6) == 0 : ot_ip_cmp(&a->key_ip, ip) == 0)
			return a;
	}
	return NULL;
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
	ip_unlink_index(inv, r);
	ots_list_unlink(&inv->ips, &r->lru);
	free(r);
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
	inv->st.assets--;
	inv->st.assets_evicted++;
}

static void asset_touch(struct inventory *inv, struct asset *a, const struct timeval *ts)
{
	if (timercmp(ts, &a->last, >))
		a->last = *ts;
	ots_list_move_front(&inv->assets, &a->lru);
}

/* ---- change events ---- */

static json_t *asset_brief(const struct asset *a)
{
	json_t *o = json_object(), *ips = json_array();
	const struct inv_ip *r;

	json_object_set_new(o, "id", json_integer((json_int_t)a->id));
	if (a->has_mac)
		json_object_set_new(o, "mac", mac_json(a->mac));
	if (a->vendor)
		json_object_set_new(o, "vendor", json_string(a->vendor));
	for (r = a->ips; r; r = r->anext)
		json_array_append_new(ips, ip_json(&r->ip));
	json_object_set_new(o, "ips", ips);
	json_object_set_new(o, "role", json_string(inventory_role_name(a->role)));
	return o;
}

/*
 * One "asset" EVE line: the asset in brief and what changed.  what is the
 * change kind; old_v/new_v (stolen, may be NULL) the values.
 */
static void asset_change(struct inventory *inv, const struct asset *a, const struct timeval *ts,
			 const char *what, json_t *old_v, json_t *new_v)
{
	json_t *ev, *ch;

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
	ev = eve_event_new("asset", ts, NULL, 1);
	if (!ev) {
		json_decref(old_v);
		json_decref(new_v);
		return;
	}
	ch = json_object();
	json_object_set_new(ch, "what", json_string(what));
	if (old_v)
		json_object_set_new(ch, "old", old_v);
	if (new_v)
		json_object_set_new(ch, "new", new_v);
	if (a->ips)     /* the address added last */
		json_object_set_new(ev, "src_ip", ip_json(&a->ips->ip));
	json_object_set_new(ev, "asset", asset_brief(a));
	json_object_set_new(ev, "change", ch);
	eve_write(inv->eve, ev);
	inv->st.asset_events++;
}

/* ---- role inference ---- */

struct role_reasons {
	char text[6][112];
	int n;
};

static void reason(struct role_reasons *rr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reason(struct role_reasons *rr, const char *fmt, ...)
{
	va_list ap;

	if (!rr || rr->n >= (int)(sizeof(rr->text) / sizeof(rr->text[0])))
		return;
	va_start(ap, fmt);
	vsnprintf(rr->text[rr->n++], sizeof(rr->text[0]), fmt, ap);
	va_end(ap);
}

struct ot_totals {
	uint64_t req_sent, resp_sent, unsol_sent, req_recv, resp_recv, errors_recv, anomalies;
	uint64_t cat[OT_CAT_COUNT];
	int top_client, top_server;     /* protocol with most requests / answers */
	int n_client_protos;            /* OT protocols it sent requests in */
};

static void ot_totals(const struct asset *a, struct ot_totals *t)
{
	uint64_t best_c = 0, best_s = 0;
	int p, c;

	memset(t, 0, sizeof(*t));
	for (p = 1; a->ot && p < OT_PROTO_COUNT; p++) {
		const struct inv_ot *o = &a->ot[p];

		t->req_sent += o->req_sent;
		t->resp_sent += o->resp_sent;
		t->unsol_sent += o->unsol_sent;
		t->req_recv += o->req_recv;
		t->resp_recv += o->resp_recv;
		t->errors_recv += o->errors_recv;
		t->anomalies += o->anomalies;
		for (c = 0; c < OT_CAT_COUNT; c++)
			t->cat[c] += o->cat_sent[c];
		if (o->req_sent)
			t->n_client_protos++;
		if (o->req_sent > best_c) {
			best_c = o->req_sent;
			t->top_client = p;
		}
		if (o->resp_sent + o->unsol_sent + o->req_recv > best_s) {
			best_s = o->resp_sent + o->unsol_sent + o->req_recv;
			t->top_server = p;
		}
	}
}

/* Thresholds of the role heuristics (documented in otsentry-inventory(5)). */
#define SCAN_MIN_SERVERS   16   /* distinct OT servers polled, or contacted on OT ports */
#define SCAN_MIN_UNITS     32   /* distinct Modbus unit ids addressed */
#define SWEEP_MAX_EACH     4    /* ... with fewer requests than this per target */
#define SCAN_MIN_FUNCS     24   /* distinct function codes requested */
#define SCAN_MIN_ERRORS    10   /* error responses, and at least half of all */
#define ENG_MIN_IDENTITY   5    /* identity / SZL requests, and >= 20% of all */
#define SERVER_MIN_CLIENTS 3    /* IT clients of a server */
#define HISTORIAN_MIN_CLIENTS 2 /* IT clients of an OT master that is a historian */

static enum inv_role infer_role(const struct asset *a, struct role_reasons *rr)
{
	struct ot_totals t;
	uint64_t prog;

	if (a->key_is_mac && (a->n_ipv4 >= INV_ROUTER_IPS || a->n_ips >= 2 * INV_ROUTER_IPS)) {
		reason(rr, "%u IP addresses behind one MAC address", a->n_ips);
		return INV_ROLE_ROUTER;
	}
	if (a->key_is_mac) {
		const struct inv_ip *r, *routed = NULL;

		for (r = a->ips; r; r = r->anext)
			if (r->hops != HOPS_UNKNOWN && r->hops > 0 && (!routed || r->hops > routed->hops))
				routed = r;
		if (routed) {
			char buf[OTS_IPSTR_LEN];

			reason(rr, "traffic from %s arrives %u router hop(s) away (TTL) through this MAC: a gateway",
			       ot_ip_str(&routed->ip, buf, sizeof(buf)), routed->hops);
			return INV_ROLE_ROUTER;
		}
	}
	ot_totals(a, &t);
	if (a->ot_port_servers >= SCAN_MIN_SERVERS && a->ot_port_servers >= 2 * a->ot_servers) {
		reason(rr, "contacted %u hosts on OT ports, %u of them answered in an OT protocol",
		       a->ot_port_servers, a->ot_servers);
		return INV_ROLE_SCANNER;
	}
	if (t.req_sent) {
		int scan = 0;

		/* a sweep touches many targets a few times each; a master
		 * polls its many targets over and over */
		if (a->ot_servers >= SCAN_MIN_SERVERS && t.req_sent < SWEEP_MAX_EACH * a->ot_servers) {
			reason(rr, "swept %u OT hosts with only %llu requests in all", a->ot_servers,
			       (unsigned long long)t.req_sent);
			scan = 1;
		}
		if (a->n_units >= SCAN_MIN_UNITS && t.req_sent < SWEEP_MAX_EACH * a->n_units) {
			reason(rr, "swept %u Modbus unit ids with only %llu requests in all", a->n_units,
			       (unsigned long long)t.req_sent);
			scan = 1;
		}
		if (a->n_funcs >= SCAN_MIN_FUNCS) {
			reason(rr, "tried %u different function codes", a->n_funcs);
			scan = 1;
		}
		if (t.errors_recv >= SCAN_MIN_ERRORS && t.errors_recv * 2 >= t.resp_recv) {
			reason(rr, "%llu of %llu responses were errors or exceptions",
			       (unsigned long long)t.errors_recv, (unsigned long long)t.resp_recv);
			scan = 1;
		}
		if (scan)
			return INV_ROLE_SCANNER;
		prog = t.cat[OT_CAT_PROGRAM] + t.cat[OT_CAT_MODE];
		if (prog) {
			reason(rr, "sent %llu program/mode requests (%llu program, %llu run/stop or restart)",
			       (unsigned long long)prog, (unsigned long long)t.cat[OT_CAT_PROGRAM],
			       (unsigned long long)t.cat[OT_CAT_MODE]);
			return INV_ROLE_ENGINEERING;
		}
		if (t.cat[OT_CAT_IDENTITY] >= ENG_MIN_IDENTITY &&
		    t.cat[OT_CAT_IDENTITY] * 5 >= t.req_sent) {
			reason(rr, "identity/SZL-heavy: %llu of %llu requests read device identity",
			       (unsigned long long)t.cat[OT_CAT_IDENTITY], (unsigned long long)t.req_sent);
			return INV_ROLE_ENGINEERING;
		}
	}
	if (t.resp_sent || t.unsol_sent) {
		reason(rr, "answered %llu %s requests%s", (unsigned long long)t.resp_sent,
		       ot_proto_name((enum ot_proto)t.top_server),
		       t.unsol_sent ? " and sent unsolicited responses" : "");
		return INV_ROLE_PLC;
	}
	if (t.req_sent) {
		enum inv_role r = INV_ROLE_HMI;

		if (a->it_clients >= HISTORIAN_MIN_CLIENTS) {
			reason(rr, "polls OT devices and serves %u IT client(s)", a->it_clients);
			r = INV_ROLE_HISTORIAN;
		} else if (t.n_client_protos >= 2 && t.cat[OT_CAT_WRITE] + t.cat[OT_CAT_CONTROL] == 0) {
			reason(rr, "collects: reads only, over %d OT protocols", t.n_client_protos);
			r = INV_ROLE_HISTORIAN;
		}
		reason(rr, "sent %llu %s requests to %u server(s) (%llu reads, %llu writes, %llu controls)",
		       (unsigned long long)t.req_sent, ot_proto_name((enum ot_proto)t.top_client),
		       a->ot_servers, (unsigned long long)t.cat[OT_CAT_READ],
		       (unsigned long long)t.cat[OT_CAT_WRITE], (unsigned long long)t.cat[OT_CAT_CONTROL]);
		return r;
	}
	if (t.req_recv) {
		reason(rr, "received %llu %s requests (no answer seen)", (unsigned long long)t.req_recv,
		       ot_proto_name((enum ot_proto)t.top_server));
		return INV_ROLE_PLC;
	}
	if (a->it_clients >= SERVER_MIN_CLIENTS || (a->it_clients >= 2 && a->it_servers == 0)) {
		reason(rr, "serves %u clients on IT protocols", a->it_clients);
		return INV_ROLE_SERVER;
	}
	if (a->it_clients || a->it_servers) {
		reason(rr, "IT protocols only (%u as client, %u as server)", a->it_servers, a->it_clients);
		return INV_ROLE_IT_HOST;
	}
	reason(rr, "no distinctive traffic seen");
	return INV_ROLE_UNKNOWN;
}

static void role_update(struct inventory *inv, struct asset *a, const struct timeval *ts)
{
	enum inv_role r = infer_role(a, NULL), old = a->role;
	struct role_reasons rr;

	if (r == old)
		return;
	a->role = r;
	memset(&rr, 0, sizeof(rr));
	infer_role(a, &rr);
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
		if (r->owner == owner && ot_ip_cmp(&r->ip, ip) == 0)
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
		    ot_ip_cmp(&r->ip, ip) == 0 && (!best || timercmp(&r->last, &best->last, >)))
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
 * gets the address record (may be NULL when memory ran out).
 */
static struct asset *endpoint(struct inventory *inv, const uint8_t *mac, const struct ot_ip *ip,
			      const struct timeval *ts, struct inv_ip **rec)
{
	int is_mac = mac && !oui_mac_is_group(mac) && mac_u64(mac) != 0;
	int has_ip = ip_is_specified(ip);
	struct asset *a;
	struct inv_ip *r = NULL;
	int created = 0, added = 0;

	*rec = NULL;
	if (!is_mac && !has_ip)
		return NULL;
	a = asset_find_key(inv, is_mac, mac, ip);
	if (!a) {
		if (!(a = asset_new(inv, is_mac, mac, ip, ts)))
			return NULL;
		created = 1;
	}
	if (has_ip) {
		r = ip_find(inv, ip, a);
		if (!r)
			added = (r = ip_add(inv, a, ip, ts)) != NULL;
		if (r) {
			if (timercmp(ts, &r->last, >))
				r->last = *ts;
			ots_list_move_front(&inv->ips, &r->lru);
		}
	}
	asset_touch(inv, a, ts);
	if (created)
		asset_change(inv, a, ts, "new", NULL, NULL);
	if (added && r->has_prev_mac)
		asset_change(inv, a, ts, "ip_moved", mac_json(r->prev_mac), ip_json(ip));
	else if (added && !created)
		asset_change(inv, a, ts, "ip", NULL, ip_json(ip));
	if (added && !created)
		role_update(inv, a, ts);
	*rec = r;
	return a;
}

/* Resolve an end of a flow without creating anything. */
static struct asset *flow_end_asset(const struct inventory *inv, const struct flow *f, int server,
				    struct inv_ip **rec)
{
	const uint8_t *mac = server ? f->srv_mac : f->cli_mac;
	const struct ot_ip *ip = server ? &f->srv_ip : &f->cli_ip;
	int is_mac = f->has_mac && !oui_mac_is_group(mac) && mac_u64(mac) != 0;
	struct asset *a = asset_find_key(inv, is_mac, mac, ip);

	*rec = a ? ip_find(inv, ip, a) : NULL;
	return a;
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

/* Record the service (l4, port, side) on an asset; label upgrades in place. */
static void add_proto(struct inventory *inv, struct asset *a, const struct graph_edge *e,
		      int server, const struct timeval *ts)
{
	struct inv_proto *x = NULL;
	int named = label_is_named(e->proto);
	uint16_t i;

	for (i = 0; i < a->n_protos; i++)
		if (a->protos[i].l4 == e->l4 && a->protos[i].port == e->port &&
		    a->protos[i].server == server) {
			x = &a->protos[i];
			break;
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
		snprintf(x->label, sizeof(x->label), "%s", e->proto);
	}
	x->last = *ts;
	if (named && (!x->named || (e->is_ot && strcmp(x->label, e->proto) != 0))) {
		json_t *nv = json_object();

		snprintf(x->label, sizeof(x->label), "%s", e->proto);
		x->named = 1;
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
	snprintf(a->labels[a->n_labels++], GRAPH_LABEL_LEN, "%s", label);
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
 * label naming one of the dissected protocols ("Modbus", "DNP3", "s7comm"). */
static int ot_label_of(const struct flow *f, int *proto_id)
{
	enum ot_proto p = f->ot_proto ? ot_proto_from_name(f->ot_proto) : OT_PROTO_UNKNOWN;
	int i;

	for (i = 1; p == OT_PROTO_UNKNOWN && f->app_proto[0] && i < OT_PROTO_COUNT; i++)
		if (strcasecmp(f->app_proto, ot_proto_name((enum ot_proto)i)) == 0)
			p = (enum ot_proto)i;
	*proto_id = (int)p;
	return p != OT_PROTO_UNKNOWN;
}

/* Label the edge from the flow; on a change update both assets' services. */
static void edge_label_from_flow(struct inventory *inv, struct graph_edge *e, const struct flow *f,
				 struct asset *cli, struct asset *srv, const struct timeval *ts,
				 int created)
{
	int pid, changed;

	if (ot_label_of(f, &pid))
		changed = graph_edge_label(e, ot_proto_name((enum ot_proto)pid), 1, pid);
	else
		changed = graph_edge_label(e, f->app_proto, 0, 0);
	if (!changed && !created)
		return;
	add_proto(inv, cli, e, 0, ts);
	add_proto(inv, srv, e, 1, ts);
	if (!e->is_ot && (changed || created)) {
		add_label(inv, cli, f->app_proto);
		add_label(inv, srv, f->app_proto);
	}
}

enum { EDGE_UNCOUNTED = 0, EDGE_IT, EDGE_OT };

/*
 * Relationship counters for role inference: an edge counts as OT once a
 * dissector claimed it, as IT once it has a non-OT name (or, at flow end,
 * when an unnamed service answered).  An IT edge that turns out to be OT
 * moves over.  Roles are re-inferred on every change.
 */
static void edge_classify(struct inventory *inv, struct graph_edge *e, struct asset *cli,
			  struct asset *srv, int answered, const struct timeval *ts)
{
	int want;

	/* every packet comes here: settled edges return before any label test */
	if (e->owner_mark == EDGE_OT || (e->owner_mark == EDGE_IT && !e->is_ot))
		return;
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

void inventory_packet(struct inventory *inv, const struct pkt_meta *p, const struct flow *f,
		      int dir)
{
	struct asset *src, *dst = NULL;
	struct inv_ip *rs, *rd = NULL;
	uint64_t len = p->ip_len ? p->ip_len : p->wirelen;

	if (!p->src_ip.ver && !p->has_mac)
		return;
	if (inv->first_ts.tv_sec == 0 && inv->first_ts.tv_usec == 0)
		inv->first_ts = p->ts;
	if (timercmp(&p->ts, &inv->last_ts, >))
		inv->last_ts = p->ts;

	src = endpoint(inv, p->has_mac ? p->src_mac : NULL, &p->src_ip, &p->ts, &rs);
	if (ip_is_unicast(&p->dst_ip) && !(p->has_mac && oui_mac_is_group(p->dst_mac)))
		dst = endpoint(inv, p->has_mac ? p->dst_mac : NULL, &p->dst_ip, &p->ts, &rd);
	/* src sits at the head of the LRU lists, so resolving dst (which may
	 * evict from the tail, with at least two slots) cannot free it; its
	 * address record is looked up again all the same */
	if (src && rs)
		rs = ip_find(inv, &p->src_ip, src);
	if (src) {
		src->pkts[0]++;
		src->bytes[0] += len;
		if (rs) {
			uint8_t hops = ttl_hops(p->ttl);

			rs->pkts[0]++;
			rs->bytes[0] += len;
			if (hops < rs->hops) {
				int was_routed = rs->hops != HOPS_UNKNOWN && rs->hops > 0;

				rs->hops = hops;
				/* first sight, or a routed address turned out local */
				if (was_routed || hops > 0)
					role_update(inv, src, &p->ts);
			}
		}
		add_vlans(inv, src, p);
	}
	if (dst) {
		dst->pkts[1]++;
		dst->bytes[1] += len;
		if (rd) {
			rd->pkts[1]++;
			rd->bytes[1] += len;
		}
		add_vlans(inv, dst, p);
	}
	if (f && src && dst) {
		struct asset *cli = dir == FLOW_C2S ? src : dst, *srv = dir == FLOW_C2S ? dst : src;
		int created = 0;
		struct graph_edge *e = graph_edge_get(inv->graph, cli->id, srv->id, f->l4,
						      f->srv_port, &p->ts, &created);

		if (!e)
			return;
		if (f->pkts[0] + f->pkts[1] == 1)
			e->flows++;
		if (created && (f->l4 == IPPROTO_TCP || f->l4 == IPPROTO_UDP) &&
		    (inv->ot_ports[f->srv_port >> 3] & (1u << (f->srv_port & 7))) && cli != srv) {
			cli->ot_port_servers++;
			if (cli->ot_port_servers == SCAN_MIN_SERVERS)
				role_update(inv, cli, &p->ts);
		}
		graph_edge_packet(inv->graph, e, dir == FLOW_C2S ? 0 : 1, len, &p->ts);
		edge_label_from_flow(inv, e, f, cli, srv, &p->ts, created);
		edge_classify(inv, e, cli, srv, 0, &p->ts);
	}
}

static void bitmap_add(uint8_t bm[32], uint32_t *n, int v)
{
	if (v < 0 || v > 255 || (bm[v >> 3] & (1u << (v & 7))))
		return;
	bm[v >> 3] |= (uint8_t)(1u << (v & 7));
	(*n)++;
}

static void add_ot_addr(struct inventory *inv, struct asset *a, uint8_t proto, uint8_t kind,
			int32_t x, int32_t y, const struct timeval *ts)
{
	uint8_t i;
	json_t *nv;

	if (x < 0)
		return;
	for (i = 0; i < a->n_addrs; i++)
		if (a->addrs[i].proto == proto && a->addrs[i].kind == kind &&
		    a->addrs[i].a == x && a->addrs[i].b == y)
			return;
	if (a->n_addrs >= INV_MAX_ADDRS) {
		a->overflow++;
		inv->st.overflow++;
		return;
	}
	a->addrs[a->n_addrs].proto = proto;
	a->addrs[a->n_addrs].kind = kind;
	a->addrs[a->n_addrs].a = x;
	a->addrs[a->n_addrs].b = y;
	a->n_addrs++;
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
	int created, p = (unsigned)ev->proto < OT_PROTO_COUNT ? (int)ev->proto : 0;
	uint8_t i;

	inv->st.ot_events++;
	if (!f) {
		inv->st.events_without_flow++;
		return;
	}
	cli = flow_end_asset(inv, f, 0, &rc);
	srv = flow_end_asset(inv, f, 1, &rsv);
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

	e = graph_edge_get(inv->graph, cli->id, srv->id, f->l4, f->srv_port, &ev->ts, &created);
	if (e) {
		if (graph_edge_label(e, ot_proto_name(ev->proto), 1, p) || created) {
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
	switch (ev->dir) {
	case OT_DIR_REQUEST:
		if (!ev->from_client && !f->role_guessed) {
			/* a job sent by the side that accepted the connection
			 * (an S7 CPU pulling blocks during a download): part of
			 * serving that session, not polling */
			so->req_sent_as_server++;
			break;
		}
		so->req_sent++;
		if ((unsigned)ev->cat < OT_CAT_COUNT)
			so->cat_sent[ev->cat]++;
		ro->req_recv++;
		bitmap_add(snd->funcs, &snd->n_funcs, ev->func);
		if (rsnd)
			rsnd->ot_client |= 1u << p;
		if (rrcv)
			rrcv->ot_server |= 1u << p;
		break;
	case OT_DIR_RESPONSE:
	case OT_DIR_UNSOLICITED:
		if (ev->dir == OT_DIR_RESPONSE)
			so->resp_sent++;
		else
			so->unsol_sent++;
		ro->resp_recv++;
		if (ev->status > 0) {
			so->errors_sent++;
			ro->errors_recv++;
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
		if (ev->dir == OT_DIR_REQUEST)
			bitmap_add(snd->units, &snd->n_units, ev->unit);
	}
	if (ev->link_src >= 0)
		add_ot_addr(inv, snd, (uint8_t)p, ADDR_LINK, ev->link_src, -1, &ev->ts);
	if (ev->link_dst >= 0 && ev->link_dst < 0xfff0)     /* not a broadcast address */
		add_ot_addr(inv, rcv, (uint8_t)p, ADDR_LINK, ev->link_dst, -1, &ev->ts);
	if (ev->rack >= 0 && ev->slot >= 0)
		add_ot_addr(inv, srv, (uint8_t)p, ADDR_RACK_SLOT, ev->rack, ev->slot, &ev->ts);

	for (i = 0; i < ev->n_ident && i < OT_MAX_IDENT; i++)
		add_fact(inv, snd, ev, &ev->ident[i]);

	role_update(inv, snd, &ev->ts);
	role_update(inv, rcv, &ev->ts);
}

void inventory_flow_end(struct inventory *inv, const struct flow *f)
{
	struct inv_ip *r;
	struct asset *cli = flow_end_asset(inv, f, 0, &r), *srv = flow_end_asset(inv, f, 1, &r);
	struct graph_edge *e;

	if (!cli || !srv)
		return;
	e = graph_edge_find(inv->graph, cli->id, srv->id, f->l4, f->srv_port);
	if (e && !e->is_ot) {
		edge_label_from_flow(inv, e, f, cli, srv, &f->last, 0);
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
		if (ot_ip_cmp(&r->ip, ip) != 0)
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
}

/* ---- the document ---- */

static json_t *proto_set_json(uint32_t bits)
{
	json_t *a = json_array();
	int p;

	for (p = 1; p < OT_PROTO_COUNT; p++)
		if (bits & (1u << p))
			json_array_append_new(a, json_string(ot_proto_name((enum ot_proto)p)));
	return a;
}

static json_t *ip_record_json(const struct inv_ip *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "ip", ip_json(&r->ip));
	json_object_set_new(o, "first_seen", graph_ts_json(&r->first));
	json_object_set_new(o, "last_seen", graph_ts_json(&r->last));
	json_object_set_new(o, "packets_sent", json_integer((json_int_t)r->pkts[0]));
	json_object_set_new(o, "packets_received", json_integer((json_int_t)r->pkts[1]));
	json_object_set_new(o, "bytes_sent", json_integer((json_int_t)r->bytes[0]));
	json_object_set_new(o, "bytes_received", json_integer((json_int_t)r->bytes[1]));
	json_object_set_new(o, "ot_client", proto_set_json(r->ot_client));
	json_object_set_new(o, "ot_server", proto_set_json(r->ot_server));
	json_object_set_new(o, "external", json_boolean(r->geo.external));
	if (r->hops != HOPS_UNKNOWN)
		json_object_set_new(o, "hops", json_integer(r->hops));
	if (r->has_prev_mac)
		json_object_set_new(o, "previous_mac", mac_json(r->prev_mac));
	if (r->geo.found) {
		json_t *g = json_object();

		if (r->geo.country[0])
			json_object_set_new(g, "country", json_string(r->geo.country));
		if (r->geo.country_name[0])
			json_object_set_new(g, "country_name", json_string(r->geo.country_name));
		if (r->geo.city[0])
			json_object_set_new(g, "city", json_string(r->geo.city));
		if (r->geo.asn)
			json_object_set_new(g, "asn", json_integer(r->geo.asn));
		if (r->geo.as_org[0])
			json_object_set_new(g, "as_org", json_string(r->geo.as_org));
		json_object_set_new(o, "geo", g);
	}
	return o;
}

static json_t *asset_json(const struct asset *a)
{
	static const char *const sides[2] = { "client", "server" };
	json_t *o = json_object(), *arr, *x;
	struct role_reasons rr;
	const struct inv_ip *r;
	int i, s, p, external = 0;

	json_object_set_new(o, "id", json_integer((json_int_t)a->id));
	json_object_set_new(o, "key", json_string(a->key_is_mac ? "mac" : "ip"));
	if (a->has_mac) {
		json_object_set_new(o, "mac", mac_json(a->mac));
		json_object_set_new(o, "mac_local", json_boolean(oui_mac_is_local(a->mac)));
	}
	if (a->vendor)
		json_object_set_new(o, "vendor", json_string(a->vendor));
	memset(&rr, 0, sizeof(rr));
	infer_role(a, &rr);
	json_object_set_new(o, "role", json_string(inventory_role_name(a->role)));
	json_object_set_new(o, "role_label", json_string(inventory_role_label(a->role)));
	arr = json_array();
	for (i = 0; i < rr.n; i++)
		json_array_append_new(arr, json_string(rr.text[i]));
	json_object_set_new(o, "role_reasons", arr);
	json_object_set_new(o, "first_seen", graph_ts_json(&a->first));
	json_object_set_new(o, "last_seen", graph_ts_json(&a->last));
	json_object_set_new(o, "packets_sent", json_integer((json_int_t)a->pkts[0]));
	json_object_set_new(o, "packets_received", json_integer((json_int_t)a->pkts[1]));
	json_object_set_new(o, "bytes_sent", json_integer((json_int_t)a->bytes[0]));
	json_object_set_new(o, "bytes_received", json_integer((json_int_t)a->bytes[1]));

	arr = json_array();
	for (r = a->ips; r; r = r->anext) {
		json_array_append_new(arr, ip_record_json(r));
		external |= r->geo.external;
	}
	json_object_set_new(o, "ips", arr);
	json_object_set_new(o, "external", json_boolean(external));
	if (a->ips_dropped)
		json_object_set_new(o, "ips_dropped", json_integer((json_int_t)a->ips_dropped));
	arr = json_array();
	for (i = 0; i < a->n_vlans; i++)
		json_array_append_new(arr, json_integer(a->vlans[i]));
	json_object_set_new(o, "vlans", arr);

	x = json_object();
	for (s = 0; s < 2; s++) {
		json_t *side = json_array();

		for (i = 0; i < a->n_protos; i++) {
			const struct inv_proto *pr = &a->protos[i];
			json_t *y;

			if (pr->server != s)
				continue;
			y = json_object();
			json_object_set_new(y, "proto", json_string(pr->label));
			json_object_set_new(y, "transport", json_string(pr->l4 == IPPROTO_TCP ? "tcp" :
						pr->l4 == IPPROTO_UDP ? "udp" : "ip"));
			json_object_set_new(y, "port", json_integer(pr->port));
			json_object_set_new(y, "first_seen", graph_ts_json(&pr->first));
			json_object_set_new(y, "last_seen", graph_ts_json(&pr->last));
			json_array_append_new(side, y);
		}
		json_object_set_new(x, sides[s], side);
	}
	json_object_set_new(o, "protocols", x);

	arr = json_array();
	for (i = 0; i < a->n_labels; i++)
		json_array_append_new(arr, json_string(a->labels[i]));
	json_object_set_new(o, "app_labels", arr);

	arr = json_array();
	for (i = 0; i < a->n_addrs; i++) {
		const struct inv_addr *ad = &a->addrs[i];

		x = json_object();
		json_object_set_new(x, "proto", json_string(ot_proto_name((enum ot_proto)ad->proto)));
		if (ad->kind == ADDR_RACK_SLOT) {
			json_object_set_new(x, "rack", json_integer(ad->a));
			json_object_set_new(x, "slot", json_integer(ad->b));
		} else {
			json_object_set_new(x, ot_tok_str(addr_kind_names, ad->kind), json_integer(ad->a));
		}
		json_array_append_new(arr, x);
	}
	json_object_set_new(o, "ot_addresses", arr);

	arr = json_array();
	for (i = 0; i < a->n_facts; i++) {
		const struct inv_fact *fa = &a->facts[i];

		x = json_object();
		json_object_set_new(x, "key", json_string(ot_ident_key_name((enum ot_ident_key)fa->key)));
		json_object_set_new(x, "value", eve_string((const uint8_t *)fa->value, strlen(fa->value)));
		json_object_set_new(x, "proto", json_string(ot_proto_name((enum ot_proto)fa->proto)));
		json_object_set_new(x, "first_seen", graph_ts_json(&fa->first));
		json_object_set_new(x, "last_seen", graph_ts_json(&fa->last));
		json_object_set_new(x, "count", json_integer((json_int_t)fa->count));
		json_array_append_new(arr, x);
	}
	json_object_set_new(o, "identity", arr);

	x = json_object();
	for (p = 1; a->ot && p < OT_PROTO_COUNT; p++) {
		const struct inv_ot *t = &a->ot[p];
		json_t *y, *cats;
		int c;

		if (!(t->req_sent | t->resp_sent | t->unsol_sent | t->req_recv | t->resp_recv |
		      t->anomalies | t->req_sent_as_server))
			continue;
		y = json_object();
		json_object_set_new(y, "requests_sent", json_integer((json_int_t)t->req_sent));
		json_object_set_new(y, "responses_sent", json_integer((json_int_t)t->resp_sent));
		json_object_set_new(y, "unsolicited_sent", json_integer((json_int_t)t->unsol_sent));
		json_object_set_new(y, "requests_received", json_integer((json_int_t)t->req_recv));
		json_object_set_new(y, "responses_received", json_integer((json_int_t)t->resp_recv));
		json_object_set_new(y, "requests_sent_as_server", json_integer((json_int_t)t->req_sent_as_server));
		json_object_set_new(y, "errors_sent", json_integer((json_int_t)t->errors_sent));
		json_object_set_new(y, "errors_received", json_integer((json_int_t)t->errors_recv));
		json_object_set_new(y, "anomalies", json_integer((json_int_t)t->anomalies));
		cats = json_object();
		for (c = 0; c < OT_CAT_COUNT; c++)
			if (t->cat_sent[c])
				json_object_set_new(cats, ot_category_name((enum ot_category)c),
						    json_integer((json_int_t)t->cat_sent[c]));
		json_object_set_new(y, "requests_by_category", cats);
		json_object_set_new(x, ot_proto_name((enum ot_proto)p), y);
	}
	json_object_set_new(o, "ot", x);
	if (a->overflow)
		json_object_set_new(o, "overflow", json_integer((json_int_t)a->overflow));
	return o;
}

static int asset_id_cmp(const void *x, const void *y)
{
	const struct asset *a = *(const struct asset *const *)x, *b = *(const struct asset *const *)y;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* Assets sorted by id (caller frees); NULL when there are none. */
static const struct asset **sorted_assets(const struct inventory *inv, size_t *n)
{
	const struct asset **v;
	const struct asset *a;
	size_t i = 0;

	*n = 0;
	if (!inv->st.assets || !(v = malloc(inv->st.assets * sizeof(*v))))
		return NULL;
	for (a = ASSET_OF(inv->assets.first); a && i < inv->st.assets; a = ASSET_OF(a->lru.next))
		v[i++] = a;
	qsort(v, i, sizeof(*v), asset_id_cmp);
	*n = i;
	return v;
}

static json_t *stats_json(const struct inventory *inv)
{
	struct inventory_stats st;
	json_t *o = json_object();

	inventory_get_stats(inv, &st);
	json_object_set_new(o, "assets", json_integer((json_int_t)st.assets));
	json_object_set_new(o, "assets_created", json_integer((json_int_t)st.assets_created));
	json_object_set_new(o, "assets_evicted", json_integer((json_int_t)st.assets_evicted));
	json_object_set_new(o, "max_assets", json_integer(inv->cfg.max_assets));
	json_object_set_new(o, "ips", json_integer((json_int_t)st.ips));
	json_object_set_new(o, "ips_evicted", json_integer((json_int_t)st.ips_evicted));
	json_object_set_new(o, "ips_moved", json_integer((json_int_t)st.ips_moved));
	json_object_set_new(o, "edges", json_integer((json_int_t)st.edges));
	json_object_set_new(o, "edges_created", json_integer((json_int_t)st.edges_created));
	json_object_set_new(o, "edges_evicted", json_integer((json_int_t)st.edges_evicted));
	json_object_set_new(o, "max_edges", json_integer(inv->cfg.max_edges));
	json_object_set_new(o, "asset_events", json_integer((json_int_t)st.asset_events));
	json_object_set_new(o, "asset_events_suppressed",
			    json_integer((json_int_t)st.asset_events_suppressed));
	json_object_set_new(o, "ot_events", json_integer((json_int_t)st.ot_events));
	json_object_set_new(o, "events_unmatched", json_integer((json_int_t)st.events_without_flow));
	json_object_set_new(o, "list_overflow", json_integer((json_int_t)st.overflow));
	json_object_set_new(o, "no_memory", json_integer((json_int_t)st.no_memory));
	json_object_set_new(o, "snapshots", json_integer((json_int_t)st.snapshots));
	json_object_set_new(o, "write_errors", json_integer((json_int_t)st.write_errors));
	return o;
}

json_t *inventory_json(const struct inventory *inv)
{
	json_t *doc = json_object(), *arr = json_array();
	const struct asset **v;
	const struct graph_edge *e;
	struct timeval now;
	size_t n, i;

	gettimeofday(&now, NULL);
	json_object_set_new(doc, "format", json_string(INVENTORY_FORMAT));
	json_object_set_new(doc, "version", json_integer(INVENTORY_VERSION));
	json_object_set_new(doc, "generator", json_string(PACKAGE_STRING));
	json_object_set_new(doc, "generated", graph_ts_json(&now));
	json_object_set_new(doc, "first_seen", graph_ts_json(&inv->first_ts));
	json_object_set_new(doc, "last_seen", graph_ts_json(&inv->last_ts));
	json_object_set_new(doc, "stats", stats_json(inv));
	v = sorted_assets(inv, &n);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, asset_json(v[i]));
	free(v);
	json_object_set_new(doc, "assets", arr);
	arr = json_array();
	for (e = graph_first(inv->graph); e; e = graph_next(e))
		json_array_append_new(arr, graph_edge_json(e));
	json_object_set_new(doc, "edges", arr);
	return doc;
}

/* ---- files (written atomically, see atomicfile.h) ---- */

static int write_doc(FILE *fp, const void *arg)
{
	const struct inventory *inv = arg;
	json_t *doc = inventory_json(inv);
	int rc = json_dumpf(doc, fp, JSON_INDENT(1) | JSON_PRESERVE_ORDER);

	json_decref(doc);
	if (rc == 0)
		fputc('\n', fp);
	return rc < 0 || ferror(fp) ? -1 : 0;
}

int inventory_write(const struct inventory *inv, const char *path, char *err, size_t errlen)
{
	return ots_atomic_write(path, write_doc, inv, err, errlen);
}

/* Node descriptions for the graph writers; strings live in bufs. */
struct node_set {
	struct graph_node *nodes;
	char (*text)[3][96];
	size_t n;
};

static int node_set_build(const struct inventory *inv, struct node_set *ns)
{
	const struct asset **v;
	size_t i;

	memset(ns, 0, sizeof(*ns));
	v = sorted_assets(inv, &ns->n);
	if (!v)
		return ns->n ? -1 : 0;
	ns->nodes = calloc(ns->n, sizeof(*ns->nodes));
	ns->text = calloc(ns->n, sizeof(*ns->text));
	if (!ns->nodes || !ns->text) {
		free(v);
		free(ns->nodes);
		free(ns->text);
		return -1;
	}
	for (i = 0; i < ns->n; i++) {
		const struct asset *a = v[i];
		struct graph_node *nd = &ns->nodes[i];
		const struct inv_ip *r;
		static const uint8_t model_keys[] = {
			OT_ID_MODEL, OT_ID_PRODUCT, OT_ID_MODULE, OT_ID_ORDER_NUMBER, OT_ID_PRODUCT_CODE,
		};
		char model[OT_IDENT_LEN] = "", vend[OT_IDENT_LEN] = "", *name = ns->text[i][0];
		uint16_t k;
		size_t m;

		nd->id = a->id;
		nd->role = inventory_role_name(a->role);
		nd->role_label = inventory_role_label(a->role);
		for (k = 0; k < a->n_facts; k++)
			if (a->facts[k].key == OT_ID_VENDOR && !vend[0])
				snprintf(vend, sizeof(vend), "%s", a->facts[k].value);
		for (m = 0; m < sizeof(model_keys) && !model[0]; m++)
			for (k = 0; k < a->n_facts && !model[0]; k++)
				if (a->facts[k].key == model_keys[m])
					snprintf(model, sizeof(model), "%s", a->facts[k].value);
		snprintf(name, 96, "%.40s%s%.50s", vend[0] ? vend : a->vendor ? a->vendor : "",
			 (vend[0] || a->vendor) && model[0] ? " " : "", model);
		nd->name = name;
		if (a->ips) {
			/* the address this asset was seen with first */
			const struct inv_ip *first = a->ips;

			for (r = a->ips; r; r = r->anext) {
				if (timercmp(&r->first, &first->first, <))
					first = r;
				nd->external |= r->geo.external;
			}
			ot_ip_str(&first->ip, ns->text[i][1], 96);
			if (a->n_ips > 1) {
				size_t l = strlen(ns->text[i][1]);

				snprintf(ns->text[i][1] + l, 96 - l, " (+%u)", a->n_ips - 1);
			}
			nd->ip = ns->text[i][1];
		}
		if (a->has_mac) {
			ot_mac_str(a->mac, ns->text[i][2], 96);
			nd->mac = ns->text[i][2];
		}
	}
	free(v);
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static int write_dot(FILE *fp, const void *arg)
{
	const struct inventory *inv = arg;
	struct node_set ns;
	int rc;

	if (node_set_build(inv, &ns) < 0)
		return -1;
	rc = graph_write_dot(inv->graph, ns.nodes, ns.n, fp);
	free(ns.nodes);
	free(ns.text);
	return rc;
}

static int write_graphml(FILE *fp, const void *arg)
{
	const struct inventory *inv = arg;
	struct node_set ns;
	int rc;

	if (node_set_build(inv, &ns) < 0)
		return -1;
	rc = graph_write_graphml(inv->graph, ns.nodes, ns.n, fp);
	free(ns.nodes);
	free(ns.text);
	return rc;
}

int inventory_write_graph(const struct inventory *inv, const char *path, char *err, size_t errlen)
{
	if (ends_with(path, ".graphml"))
		return ots_atomic_write(path, write_graphml, inv, err, errlen);
	if (ends_with(path, ".dot") || ends_with(path, ".gv"))
		return ots_atomic_write(path, write_dot, inv, err, errlen);
	snprintf(err, errlen, "--graph %s: the name must end in .dot, .gv or .graphml", path);
	return -1;
}

/* ---- the sensor observer ---- */

static void obs_packet(void *ctx, const struct pkt_meta *p, const struct flow *f, int dir)
{
	inventory_packet(ctx, p, f, dir);
}

static void obs_event(void *ctx, const struct ot_event *ev)
{
	inventory_event(ctx, ev);
}

static void obs_flow_end(void *ctx, const struct flow *f)
{
	inventory_flow_end(ctx, f);
}

static void write_outputs(struct inventory *inv)
{
	char err[512];
	int i;

	if (inv->out_file && inventory_write(inv, inv->out_file, err, sizeof(err)) < 0) {
		fprintf(stderr, "otsentry: inventory: %s\n", err);
		inv->st.write_errors++;
	}
	for (i = 0; i < inv->n_graph_files; i++)
		if (inventory_write_graph(inv, inv->graph_files[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "otsentry: graph: %s\n", err);
			inv->st.write_errors++;
		}
}

static void obs_snapshot(void *ctx, const struct timeval *now)
{
	struct inventory *inv = ctx;

	inv->st.snapshots++;
	write_outputs(inv);
}

static void obs_finish(void *ctx, const struct timeval *last)
{
	struct inventory *inv = ctx;

	write_outputs(inv);
	if (!inv->quiet && !inv->live)
		inventory_report(inv, stderr);
}

static void obs_stats(void *ctx, json_t *stats)
{
	json_object_set_new(stats, "inventory", stats_json(ctx));
}

static void obs_free(void *ctx)
{
	inventory_free(ctx);
}

struct inventory *inventory_attach(struct sensor *s, const struct ots_options *o,
				   char *err, size_t errlen)
{
	struct inventory_config cfg;
	struct sensor_observer obs;
	struct oui_db *oui = NULL;
	struct geo *geo;
	struct inventory *inv;
	int i;

	for (i = 0; i < o->n_graph_files; i++)
		if (!ends_with(o->graph_files[i], ".dot") && !ends_with(o->graph_files[i], ".gv") &&
		    !ends_with(o->graph_files[i], ".graphml")) {
			snprintf(err, errlen, "--graph %s: the name must end in .dot, .gv or .graphml",
				 o->graph_files[i]);
			return NULL;
		}
	if (o->oui_file && o->oui_file[0]) {
		oui = oui_load(o->oui_file, 1, err, errlen);
		if (!oui && strcmp(o->oui_file, OTS_OUI_FILE) != 0)
			return NULL;    /* an explicit --oui-file must work */
		if (!oui)
			fprintf(stderr, "otsentry: warning: %s; MAC vendors unknown\n", err);
	}
	if (!(geo = geo_open(o->geoip, o->n_geoip, err, errlen))) {
		oui_free(oui);
		return NULL;
	}
	inventory_config_default(&cfg);
	if (o->max_assets)
		cfg.max_assets = o->max_assets;
	if (o->max_edges)
		cfg.max_edges = o->max_edges;
	if (!(inv = inventory_new(&cfg, oui, geo, sensor_eve(s)))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	inv->out_file = o->inventory_file;
	for (i = 0; i < o->n_graph_files && i < 2; i++)
		inv->graph_files[inv->n_graph_files++] = o->graph_files[i];
	inv->quiet = o->quiet;
	inv->live = o->iface != NULL;

	memset(&obs, 0, sizeof(obs));
	obs.name = "inventory";
	obs.ctx = inv;
	obs.on_packet = obs_packet;
	obs.on_event = obs_event;
	obs.on_flow_end = obs_flow_end;
	obs.on_finish = obs_finish;
	obs.on_stats = obs_stats;
	obs.on_free = obs_free;
	obs.on_snapshot = obs_snapshot;
	if (sensor_add_observer(s, &obs) < 0) {
		inventory_free(inv);
		snprintf(err, errlen, "too many sensor observers");
		return NULL;
	}
	return inv;
}
