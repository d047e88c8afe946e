/*
 * inventory_int.h - the inventory's records, shared by the files that make
 * up the inventory (not for other modules; they use inventory.h):
 *
 *   inventory.c  the asset and address tables, the observer inputs, queries
 *   roles.c      role names and role inference
 *   document.c   the otsentry-inventory(5) JSON document and stats
 *   export.c     files: the document and the graph pictures, written atomically
 *   observer.c   the sensor observer: outputs at the end and on snapshots
 *
 * Ownership: struct inventory owns its assets, address records and graph;
 * everything here is borrowed from it.
 */
#ifndef OTS_INVENTORY_INT_H
#define OTS_INVENTORY_INT_H

#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <jansson.h>

#include "addr.h"
#include "event.h"
#include "geo.h"
#include "graph.h"
#include "inventory.h"
#include "list.h"

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
	uint8_t ot;                     /* label from an OT dissector */
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

/* inv_ot counters of protocols 1.. summed, kept as the events arrive:
 * role inference reads them at every event. */
struct inv_ot_sum {
	uint64_t req_sent, resp_sent, unsol_sent, req_recv, resp_recv, errors_recv;
	uint64_t io_orig, io_target;
	uint32_t client_protos;                 /* protocols with req_sent > 0 */
};

struct inv_ot {
	uint64_t req_sent, resp_sent, unsol_sent, req_recv, resp_recv;
	uint64_t errors_sent, errors_recv, anomalies;
	uint64_t req_sent_as_server;            /* requests from the accepting side */
	uint64_t cat_sent[OT_CAT_COUNT];
	uint64_t io_orig, io_target;            /* class 0/1 I/O connections opened
						 * as originator (scanner) / target (adapter) */
};

/* IEC 104 station facts (stations.c); allocated on the asset's first
 * IEC 104 message. */
struct inv_ioa_range {
	uint16_t ca;                            /* common address */
	uint8_t type;                           /* type identification */
	const char *type_name;                  /* static */
	uint32_t lo, hi;                        /* information object addresses */
	uint64_t objects;                       /* objects reported or commanded */
};

struct inv_iec104 {
	uint64_t startdt_act, interrogations, commands, clock_syncs, other_requests;
	uint64_t startdt_con, monitoring;
	uint64_t ranges_dropped;                /* over INV_MAX_IOA_RANGES */
	uint16_t n_ranges;
	struct inv_ioa_range ranges[INV_MAX_IOA_RANGES];
};

struct asset {
	uint64_t id;
	uint8_t key_is_mac, has_mac;
	uint8_t mac[6];
	struct ot_ip key_ip;                    /* when keyed by IP */
	enum inv_role role;
	uint8_t role_dirty;                     /* role inputs changed since role was
						 * inferred (see inv_role_event_matters) */
	const char *vendor;
	struct timeval first, last;
	uint64_t pkts[2], bytes[2];             /* [0] sent, [1] received */
	uint16_t vlans[INV_MAX_VLANS];
	uint8_t n_vlans;
	uint8_t n_addrs, n_labels;
	uint8_t addr_hint;                      /* addrs[] entry found or added last */
	uint16_t n_protos, cap_protos, n_facts;
	uint32_t n_ips, n_ipv4;
	uint64_t ips_dropped, overflow;
	struct inv_ip *ips;
	struct inv_proto *protos;
	struct inv_fact *facts;
	char (*labels)[GRAPH_LABEL_LEN];
	struct inv_addr addrs[INV_MAX_ADDRS];
	struct inv_ot *ot;                      /* [OT_PROTO_COUNT], on the first OT event */
	uint64_t cat_sent_all[OT_CAT_COUNT];    /* ot[1..].cat_sent summed: read by
						 * role inference at every event */
	struct inv_ot_sum ot_sum;               /* the other ot[1..] counters summed */
	uint32_t n_routed;                      /* address records with hops > 0 */
	struct inv_iec104 *iec104;              /* on the first IEC 104 message */
	uint8_t units[32];                      /* Modbus unit ids addressed as client */
	uint8_t funcs[32];                      /* function codes sent in requests */
	uint32_t n_units, n_funcs;
	uint32_t ot_servers, ot_clients;        /* OT edges as client / server */
	uint32_t ot_port_servers;               /* hosts contacted on an OT port */
	uint32_t it_clients, it_servers;        /* non-OT edges as server / client */
	struct asset *hnext, *idnext;
	struct ots_link lru;                    /* all assets, recent first */
};

/*
 * The assets and address records of a flow's two ends, remembered by flow
 * id, and its graph edge, so that its packets and events skip the table
 * look-ups.  The records are trusted only while gen equals the inventory's
 * (bumped whenever an asset or address record is freed), the edge while
 * the graph has freed none since; each use checks that what is remembered
 * carries the key it would have looked up.
 */
#define INV_FLOW_SLOTS 4096             /* power of two */
/* Two of each: a flow seen on both sides of a router shows one end behind
 * two MAC addresses, two assets taking turns (and two edges). */
#define INV_SLOT_WAYS  2
_Static_assert(INV_SLOT_WAYS == 2, "slot_store() and flow_edge() keep two ways");

/*
 * One flow end's last look-up as it was asked (the MAC when the packet had
 * one, the address) and its answer.  An asset's key and an address
 * record's owner never change and freeing either bumps gen, so the same
 * question gives the same answer while the slot's gen holds: the packets
 * of a flow ask it over and over.
 */
struct inv_end_memo {
	struct asset *a;                        /* NULL: nothing remembered */
	struct inv_ip *r;                       /* a's record of ip; NULL: no address */
	uint64_t key[4];                        /* inv_memo_key() of the question */
};

/* The question (mac: NULL when the packet had none) packed for a compare of
 * four words: the MAC, the address (an IPv4 one in its four bytes), the
 * MAC's presence with the address version. */
static inline void inv_memo_key(uint64_t key[4], const uint8_t *mac, const struct ot_ip *ip)
{
	uint64_t m = 0, lo, hi;

	if (mac)
		memcpy(&m, mac, 6);
	if (ip->ver == 4) {
		uint32_t v4;

		memcpy(&v4, ip->a, 4);
		lo = v4;
		hi = 0;
	} else {
		memcpy(&lo, ip->a, 8);
		memcpy(&hi, ip->a + 8, 8);
	}
	key[0] = m;
	key[1] = lo;
	key[2] = hi;
	key[3] = (uint64_t)(mac != NULL) | (uint64_t)ip->ver << 8;
}

/*
 * A direction's last packet as it showed its two ends (the MACs with
 * has_mac, the IPv4 addresses: dir_key()) and the answers endpoint() gave
 * for them: its source's asset and record, its destination's (NULL when
 * the destination is not unicast).  The same packet ends give the same
 * answers while the slot's gen holds, as for struct inv_end_memo.
 */
struct inv_dir_memo {
	uint64_t key[3];
	struct asset *a[2];                     /* [0] source (NULL: nothing
						 * remembered), [1] destination */
	struct inv_ip *r[2];
};

struct inv_flow_slot {
	uint64_t flow_id;
	uint64_t gen;
	/* [0] client end, [1] server end; [way]: 0 the one used last */
	struct asset *a[2][INV_SLOT_WAYS];
	struct inv_ip *r[2][INV_SLOT_WAYS];
	/* [end][way], while gen holds; way 0 the question asked last (an
	 * end behind two MAC addresses asks two questions by turns) */
	struct inv_end_memo memo[2][INV_SLOT_WAYS];
	struct inv_dir_memo dir[2];             /* [flow end of the source], while gen holds */
	/* [end]: the flow's own addresses resolved (flow_end_asset()); they
	 * are fixed once the flow has its MACs, so gen and has_mac decide */
	struct {
		struct asset *a;                /* NULL: not yet */
		struct inv_ip *r;
		uint8_t has_mac;
	} fend[2];
	const char *ot_name;                    /* flow's dissector name, when */
	int ot_id;                              /* ... resolved to this enum ot_proto */
	/* the label last given to edge id from the flow's (ot_proto,
	 * app_proto), and the edge's relabels then: while all four hold, the
	 * same label again changes nothing.  [way]: 0 the one given last (a
	 * flow on two edges, as behind a router, labels them by turns) */
	struct {
		uint64_t id;                    /* 0: none */
		uint32_t relabels;
		const char *ot;
		char app[32];                   /* sizeof(struct flow).app_proto */
	} lab[INV_SLOT_WAYS];
	struct graph_edge *edge[INV_SLOT_WAYS]; /* the flow's edges, while the graph's */
	uint64_t edge_gen;                      /* ... evictions are still this */
};

struct inventory {
	struct inventory_config cfg;
	struct oui_db *oui;
	struct geo *geo;
	struct eve *eve;
	struct graph *graph;
	const uint64_t *graph_evicted;          /* graph_evictions(graph) */
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
	uint64_t gen;                           /* assets and address records freed */
	struct inv_flow_slot *slots;            /* [INV_FLOW_SLOTS] */
	uint8_t hops_of_ttl[256];               /* ttl_hops(), by table */
	uint32_t event_count;
	/* outputs (observer.c, set by inventory_observe) */
	const char *out_file;
	const char *graph_files[2];
	int n_graph_files;
	int quiet, live;
};

#define SCAN_MIN_SERVERS   16   /* distinct OT servers polled, or contacted on OT ports */

struct role_reasons {
	char text[6][112];
	int n;
};

/* roles.c: the role an asset's traffic shows; with rr, the reasons too. */
enum inv_role inv_infer_role(const struct asset *a, struct role_reasons *rr);

/*
 * Role inference after an OT event, only where its answer can differ.
 * The invariant: an asset whose role_dirty is 0 has the role
 * inv_infer_role() gives (role_update() sets both; every change of an
 * input outside inventory_event() sets role_dirty or infers at once).
 * inventory_event() notes what it changed in the summed counters:
 *
 *   ROLE_CH_REQ_SENT   ot_sum.req_sent grew, from above 0
 *   ROLE_CH_RESP_RECV  ot_sum.resp_recv grew
 *   ROLE_CH_ANY        anything else the tree reads: a truth test that may
 *                      flip (a counter leaving 0: req_sent, resp_sent,
 *                      unsol_sent, req_recv, io_orig, io_target, the
 *                      program/mode/write/control requests), or a
 *                      threshold one (errors_recv, client_protos, identity
 *                      requests, n_units, n_funcs)
 *
 * Counters only grow.  req_sent appears in inv_infer_role() only as a
 * truth test and in "fewer than" tests that, when they hold, make the
 * asset a scanner (sweeps) or an engineering station (identity share);
 * resp_recv only in the error share, which makes a scanner.  So with the
 * role neither of those, more requests (or responses) keep every test as
 * it was; the other counters' growth past 0 changes no truth test.  An
 * engineering station that sent program or mode requests stays one
 * whatever the identity share.
 */
#define ROLE_CH_REQ_SENT  0x1u
#define ROLE_CH_RESP_RECV 0x2u
#define ROLE_CH_ANY       0x4u

static inline int inv_role_event_matters(const struct asset *a, unsigned ch)
{
	if (a->role_dirty || (ch & ROLE_CH_ANY))
		return 1;
	if (a->role == INV_ROLE_SCANNER)
		return ch != 0;
	if (a->role == INV_ROLE_ENGINEERING)
		return (ch & ROLE_CH_REQ_SENT) &&
		       a->cat_sent_all[OT_CAT_PROGRAM] + a->cat_sent_all[OT_CAT_MODE] == 0;
	return 0;
}

/* stations.c: IEC 104 station facts of the sender and the points of the
 * server (the controlled station) from one event; the roles the facts show
 * (1 when any); the asset's "iec104" object (new reference, NULL when none). */
void inv_iec104_event(struct inventory *inv, struct asset *snd, struct asset *srv,
		      const struct ot_event *ev);
int inv_iec104_role(const struct asset *a, int *controlling, int *controlled);
json_t *inv_iec104_json(const struct asset *a);

/* inventory.c: small shared helpers (new references) */
json_t *inv_ip_json(const struct ot_ip *ip);
json_t *inv_mac_json(const uint8_t mac[6]);
const char *inv_addr_kind_name(int kind);

/* document.c */
json_t *inv_stats_json(const struct inventory *inv);
/* Assets sorted by id (caller frees); NULL when there are none. */
const struct asset **inv_sorted_assets(const struct inventory *inv, size_t *n);

#endif /* OTS_INVENTORY_INT_H */
