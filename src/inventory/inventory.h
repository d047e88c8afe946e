/*
 * inventory.h - the asset inventory: every device seen, what it is, what it
 * speaks, and who it talks to (the communication graph, graph.h).
 *
 * It consumes only packet metadata (struct pkt_meta, struct flow) and the
 * normalized OT events (struct ot_event) through a sensor observer.
 *
 * An asset is one device, keyed by its MAC address where the link layer
 * shows one, else by its IP address.  Every IP address an asset used is
 * kept as a sub-record of its own (counters, OT roles per address, GeoIP),
 * so a router's MAC, which carries many addresses, stays truthful: the
 * router is reported as such, with the addresses seen behind it.  An IP
 * address that appears behind a new MAC gets a new sub-record (the old one
 * stays) and an "ip_moved" change.  Identity facts in an event describe its
 * sender.  Roles are inferred from behaviour and carry their reasons.
 *
 * Bounds: max_assets assets and max_ips address sub-records (oldest idle
 * evicted, counted); per asset at most INV_MAX_IPS_PER_ASSET addresses,
 * INV_MAX_PROTOS services, INV_MAX_FACTS identity facts, INV_MAX_ADDRS OT
 * addresses, INV_MAX_LABELS nDPI labels, INV_MAX_VLANS VLANs (overflow is
 * counted).  The graph has its own cap (max_edges).
 *
 * Ownership: the inventory owns its assets, its graph, and the OUI and
 * GeoIP handles given to inventory_new().  The EVE writer is borrowed.
 * inventory_free(NULL) is a no-op.  After inventory_observe() the sensor
 * owns the inventory (freed at sensor_free).
 */
#ifndef OTS_INVENTORY_H
#define OTS_INVENTORY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <jansson.h>

#include "addr.h"
#include "pkt.h"
#include "flow.h"
#include "graph.h"
#include "event.h"

#define INVENTORY_FORMAT  "otsentry-inventory"
#define INVENTORY_VERSION 1

#define INV_MAX_IPS_PER_ASSET 32
#define INV_MAX_PROTOS        32
#define INV_MAX_FACTS         32
#define INV_MAX_ADDRS         16
#define INV_MAX_LABELS        16
#define INV_MAX_VLANS         8
#define INV_MAX_IOA_RANGES    64      /* IEC 104 (CA, type, IOA) ranges */
/* "asset" EVE lines per second of packet time at most (a flood of new
 * sources is counted, not logged line by line). */
#define INV_MAX_EVENTS_PER_SEC 200
/* A MAC with this many IPv4 addresses (or twice as many of any family) is
 * a router or gateway. */
#define INV_ROUTER_IPS        4

enum inv_role {
	INV_ROLE_UNKNOWN = 0,
	INV_ROLE_PLC,           /* PLC / RTU / outstation: answers OT requests */
	INV_ROLE_HMI,           /* HMI / SCADA master: polls */
	INV_ROLE_ENGINEERING,   /* engineering workstation: programs, controls */
	INV_ROLE_HISTORIAN,     /* polls OT devices and serves IT clients */
	INV_ROLE_SERVER,        /* serves IT protocols to several clients */
	INV_ROLE_SCANNER,       /* many hosts / unit ids / function codes / errors */
	INV_ROLE_IT_HOST,
	INV_ROLE_ROUTER,        /* many addresses behind one MAC */
	INV_ROLE_COUNT
};

/* Defaults: ots_inventory_config_default() (src/app/options.c). */
struct inventory_config {
	uint32_t max_assets;
	uint32_t max_ips;       /* address sub-records; 0: 2 * max_assets */
	uint32_t max_edges;
	uint64_t seed;          /* hash seed; 0 = random */
};

struct inventory_stats {
	uint64_t assets, assets_created, assets_evicted;
	uint64_t ips, ips_created, ips_evicted, ips_moved;
	uint64_t edges, edges_created, edges_evicted;
	uint64_t asset_events;          /* "asset" EVE lines */
	uint64_t asset_events_suppressed; /* over INV_MAX_EVENTS_PER_SEC */
	uint64_t ot_events, events_without_flow;
	uint64_t overflow;              /* per-asset list caps hit */
	uint64_t io_replaced;           /* I/O connections replaced on full edges */
	uint64_t no_memory;
	uint64_t snapshots, write_errors;
};

struct inventory;
struct eve;
struct oui_db;
struct geo;
struct sensor;

/* NULL on allocation failure.  oui and geo (either may be NULL) are taken;
 * eve (may be NULL: no asset lines) is borrowed. */
/* Bytes of one asset with its address records, when made; for --memcap. */
size_t inventory_asset_bytes(void);
struct inventory *inventory_new(const struct inventory_config *cfg, struct oui_db *oui,
				struct geo *geo, struct eve *eve);
void inventory_free(struct inventory *inv);

/* The observer's inputs, callable directly (tests). */
void inventory_packet(struct inventory *inv, const struct pkt_meta *p,
		      const struct flow *f, int dir);
void inventory_event(struct inventory *inv, const struct ot_event *ev);
void inventory_flow_end(struct inventory *inv, const struct flow *f);

/* The whole inventory and graph as the versioned document of
 * otsentry-inventory(5); new reference. */
json_t *inventory_json(const struct inventory *inv);
/* Write path atomically (temporary file in the same directory, fsync,
 * rename).  0, or -1 with a one-line reason in err. */
int inventory_write(const struct inventory *inv, const char *path, char *err, size_t errlen);
/* Graph picture: Graphviz when path ends in ".dot" or ".gv", GraphML when
 * it ends in ".graphml"; atomic as above.  0 or -1 with err set. */
int inventory_write_graph(const struct inventory *inv, const char *path, char *err, size_t errlen);
/* Human summary for a plant engineer (report.c). */
void inventory_report(const struct inventory *inv, FILE *fp);
void inventory_get_stats(const struct inventory *inv, struct inventory_stats *st);

/* 1 when path names a graph picture inventory_write_graph() can write. */
int inventory_graph_path_ok(const char *path);

/* What the observer writes, and when. */
struct inventory_outputs {
	const char *inventory_file;     /* --inventory, or NULL */
	const char *graph_files[2];     /* --graph (DOT or GraphML) */
	int n_graph_files;
	int quiet;                      /* no summary on stderr */
	int live;                       /* live capture: no summary */
};

/*
 * Attach inv to the sensor as an observer: it is fed every packet, event and
 * flow end, writes out's files at the end (and on the sensor's snapshots),
 * prints the summary unless quiet or live (graph names: see
 * inventory_graph_path_ok()).
 * On success the sensor owns inv (it frees it); on failure (-1, one-line
 * reason in err) the caller still does.
 */
int inventory_observe(struct sensor *s, struct inventory *inv, const struct inventory_outputs *out,
		      char *err, size_t errlen);

/* ---- read-only queries (stable; for the baseline and rules) ---- */

struct inventory_asset_info {
	uint64_t id;            /* stable for the asset's lifetime, never 0 */
	uint8_t has_mac;
	uint8_t mac[6];
	uint8_t external;       /* some address of the asset is public */
	enum inv_role role;
	const char *vendor;     /* OUI organisation, borrowed; NULL unknown */
	struct timeval first_seen, last_seen;
	uint32_t n_ips;
};

/* The asset using ip (the one that is not a router and was seen last when
 * several have it).  0 found, -1 not. */
int inventory_find_ip(const struct inventory *inv, const struct ot_ip *ip,
		      struct inventory_asset_info *out);
int inventory_find_mac(const struct inventory *inv, const uint8_t mac[6],
		       struct inventory_asset_info *out);
int inventory_find_id(const struct inventory *inv, uint64_t id,
		      struct inventory_asset_info *out);
/* Latest value of an identity fact of the asset, copied into buf.
 * 0 found, -1 not. */
int inventory_asset_ident(const struct inventory *inv, uint64_t id, enum ot_ident_key key,
			  char *buf, size_t len);
/* The communication graph (read-only; see graph.h for the edge layout). */
const struct graph *inventory_graph(const struct inventory *inv);

const char *inventory_role_name(enum inv_role r);   /* "plc", "hmi" ... */
const char *inventory_role_label(enum inv_role r);  /* "PLC/RTU/outstation" ... */

/* ---- one site from several sensors (merge.c) ---- */

struct inv_merge_input {
	const char *name;       /* the sensor's name */
	const char *file;       /* where the document came from, may be NULL */
	json_t *doc;            /* borrowed; passed inventory_doc_check() */
};

/* Defaults: the inventory's (--max-assets, --max-edges). */
struct inv_merge_config {
	uint32_t max_assets, max_edges;
};

struct inv_merge_stats {
	uint64_t inputs, assets_in, assets, assets_matched, assets_dropped;
	uint64_t edges_in, edges, edges_matched, edges_dropped, edge_ends_unknown;
	uint64_t role_conflicts, identity_conflicts, list_overflow;
};

/* Called once per identity conflict: the site asset and the conflict
 * ({"key", "proto", "values": [{"value", "sensors", "last_seen"}]}). */
typedef void (*inv_merge_conflict_fn)(void *ud, const json_t *asset, const json_t *conflict);

/* 0 when doc is an inventory document this version reads, else -1 with
 * the reason in err. */
int inventory_doc_check(const json_t *doc, char *err, size_t errlen);
/* One site document from n inventory documents (rules: merge.c and
 * otsentry-inventory(5)); new reference, NULL when memory runs out.
 * sensor_name (may be NULL) names the merging host in the document. */
json_t *inventory_merge(const struct inv_merge_input *in, size_t n,
			const struct inv_merge_config *cfg, inv_merge_conflict_fn fn, void *ud,
			struct inv_merge_stats *st, const char *sensor_name);
json_t *inventory_merge_stats_json(const struct inv_merge_stats *st,
				   const struct inv_merge_config *cfg);
/* A document to path, atomically (as inventory_write()). */
int inventory_doc_write(const json_t *doc, const char *path, char *err, size_t errlen);
/* A document's graph picture (as inventory_write_graph()). */
int inventory_doc_write_graph(const json_t *doc, const char *path, char *err, size_t errlen);

#endif /* OTS_INVENTORY_H */
