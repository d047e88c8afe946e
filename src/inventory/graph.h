/*
 * graph.h - the communication graph: who talks to whom, how, and how often.
 *
 * An edge is (client asset, server asset, transport, server port); its
 * protocol label is the best name known for that service (the OT dissector
 * that claimed it, else nDPI's label, else "tcp"/"udp"), so the first
 * packets of a flow, sent before any label exists, land on the same edge.
 * For OT protocols an edge also keeps the operations used (function codes
 * with request/response/error counts), the address ranges touched (merged
 * when they overlap or touch, bounded per edge) and, per recurring request
 * (same function and first address range), the inter-arrival statistics
 * (count, mean, standard deviation, min, max: Welford's method).
 *
 * Bounds: max_edges edges, oldest-idle eviction (counted); per edge at most
 * GRAPH_MAX_OPS operations, GRAPH_MAX_RANGES ranges (a new range that finds
 * no room is merged into the nearest one of its space, widening it, or is
 * counted as dropped) and GRAPH_MAX_RECUR recurring requests (the one idle
 * longest is replaced, counted) and GRAPH_MAX_IO cyclic I/O connections
 * and streams (the one seen longest ago is replaced, counted).
 *
 * Ownership: the graph owns its edges; a struct graph_edge pointer is valid
 * until the next graph_edge_get() (which may evict) or graph_free().
 * graph_free(NULL) is a no-op.  Writers borrow the node list.
 */
#ifndef OTS_GRAPH_H
#define OTS_GRAPH_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <jansson.h>

#include "event.h"
#include "list.h"

#define GRAPH_MAX_OPS    48
#define GRAPH_MAX_RANGES 64
#define GRAPH_MAX_RECUR  32
#define GRAPH_LABEL_LEN  32
#define GRAPH_MAX_IO     16     /* cyclic I/O connections and streams per edge */

/* Running statistics of a period (Welford). */
struct graph_period {
	uint64_t n;             /* intervals seen (requests - 1) */
	double mean, m2;        /* seconds; m2 = sum of squared deviations */
	double min, max;
	struct timeval last;    /* time of the latest request */
};

double graph_period_stddev(const struct graph_period *p);

/* snprintf(dst, size, "%s", src) without printf (size > 0): protocol
 * labels are copied as edges and services are relabelled. */
static inline void graph_label_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Helper the inventory shares: an EVE-style timestamp string (new
 * reference). */
json_t *graph_ts_json(const struct timeval *tv);
/* Make room for one more element in a bounded array: doubles *capn (from 4)
 * up to max.  0 when arr[n] may be written, -1 when full or out of memory. */
int graph_array_grow(void **arr, uint16_t *capn, uint16_t n, uint16_t max, size_t elem);
void graph_period_add(struct graph_period *p, const struct timeval *ts);

struct graph_op {
	int32_t func, group, subfunc;   /* -1 where not applicable (S7 userdata: group) */
	const char *name;       /* static string from the dissector, may be NULL */
	uint8_t cat;            /* enum ot_category */
	uint64_t requests, responses, other, errors;
	struct timeval first, last;
};

struct graph_range {
	uint8_t space;          /* enum ot_space */
	uint8_t variation;
	uint16_t block;
	uint32_t start;
	uint64_t end;           /* exclusive */
};

struct graph_recur {
	int32_t func, group, subfunc;
	uint8_t space;
	uint16_t block;
	uint32_t start, count;
	struct graph_period period;
};

/* A cyclic I/O connection opened over this edge (kind CONNECTION: the
 * originator is the edge's client) or the packets of one connection id
 * carried on it (kind STREAM). */
enum graph_io_kind { GRAPH_IO_CONNECTION = 0, GRAPH_IO_STREAM };

struct graph_io {
	uint8_t kind;           /* enum graph_io_kind */
	uint8_t open;           /* connection: opened and not closed since */
	uint8_t transport_class, trigger;       /* 0xff unknown */
	uint16_t serial, vendor;
	uint32_t orig_serial;
	uint32_t ot_id, to_id;
	uint32_t ot_rpi, to_rpi, ot_api, to_api;        /* microseconds */
	uint16_t ot_size, to_size;
	char path[OT_CONN_PATH_LEN];
	uint64_t opens, closes, refused;
	/* stream */
	uint32_t id, size;
	uint64_t packets, base, seq_gaps;       /* packets = base + the flow's count */
	double first, last;
	struct timeval first_seen, last_seen;
};

struct graph_edge {
	uint64_t id;            /* stable, non-zero */
	uint64_t client, server;        /* asset ids */
	uint8_t l4;             /* IPPROTO_TCP / IPPROTO_UDP / other */
	uint16_t port;          /* server port (0 when the transport has none) */
	char proto[GRAPH_LABEL_LEN];    /* "modbus", "HTTP", "tcp" ... */
	uint8_t is_ot;          /* proto is an OT protocol */
	uint8_t proto_id;       /* enum ot_proto when is_ot */
	uint8_t owner_mark;     /* free for the graph's owner (0 on creation) */
	uint32_t relabels;      /* times graph_edge_label() changed the label */
	struct timeval first, last;
	uint64_t flows;
	uint64_t pkts[2], bytes[2];     /* [0] client -> server, [1] back */
	uint64_t cat_count[OT_CAT_COUNT]; /* OT messages by category (requests) */
	uint64_t errors, anomalies;
	uint64_t ops_dropped, ranges_dropped, ranges_widened, recur_replaced, io_replaced;

	struct graph_op *ops;
	uint16_t n_ops, cap_ops;
	struct graph_range *ranges;
	uint16_t n_ranges, cap_ranges;
	struct graph_recur *recur;
	uint16_t n_recur, cap_recur;
	struct graph_io *io;
	uint16_t n_io, cap_io;
	uint16_t op_hint, range_hint, recur_hint;       /* the entries used last */

	/* table links (private) */
	struct graph_edge *hnext;
	struct ots_link lru;    /* recency list, first = most recent */
};

struct graph_config {
	uint32_t max_edges;
	uint64_t seed;          /* hash seed */
};

struct graph_stats {
	uint64_t edges, created, evicted, no_memory;
	uint64_t ops_dropped, ranges_dropped, recur_replaced, io_replaced;
};

/* What the writers draw for one asset. */
struct graph_node {
	uint64_t id;
	const char *role;       /* role name ("plc", "hmi", ...) */
	const char *role_label; /* "PLC/RTU/outstation" */
	const char *name;       /* vendor / model / station name, may be NULL */
	const char *ip;         /* first address, may be NULL */
	const char *mac;        /* may be NULL */
	int external;
};

struct graph;

struct graph *graph_new(const struct graph_config *cfg);
/* Bytes of one edge when made (its lists of operations grow within their
 * own bounds); for --memcap. */
size_t graph_edge_bytes(void);
void graph_free(struct graph *g);

/* Find or create the edge; NULL only when memory runs out.  *created is set
 * to 1 for a new edge.  May evict the edge idle longest. */
struct graph_edge *graph_edge_get(struct graph *g, uint64_t client, uint64_t server,
				  uint8_t l4, uint16_t port, const struct timeval *ts,
				  int *created);
/* The count of edges freed so far, kept current (read it through the
 * pointer at any time): a struct graph_edge pointer kept across calls to
 * graph_edge_get() is still valid while the count is unchanged.  A kept
 * edge is marked active by graph_edge_packet() and graph_edge_event(). */
const uint64_t *graph_evictions(const struct graph *g);
/* Lookup only; NULL when absent. */
struct graph_edge *graph_edge_find(const struct graph *g, uint64_t client, uint64_t server,
				   uint8_t l4, uint16_t port);
/* One packet on the edge, dir 0 client -> server. */
void graph_edge_packet(struct graph *g, struct graph_edge *e, int dir, uint64_t bytes,
		       const struct timeval *ts);
/* Set the protocol label; an OT label is never replaced by a non-OT one.
 * With is_ot, a proto_id above 0 is the enum ot_proto that proto names
 * (ot_proto_name(proto_id)): an edge labelled with that id already is
 * left alone.  Returns 1 when the label changed. */
int graph_edge_label(struct graph_edge *e, const char *proto, int is_ot, int proto_id);
/* Account one OT event (message or anomaly) carried on this edge. */
void graph_edge_event(struct graph *g, struct graph_edge *e, const struct ot_event *ev);
/* 1 when the edge carried writes, controls, programming or mode changes. */
int graph_edge_is_notable(const struct graph_edge *e);

/* Iterate edges, most recently active first; NULL at the end. */
const struct graph_edge *graph_first(const struct graph *g);
const struct graph_edge *graph_next(const struct graph_edge *e);
size_t graph_count(const struct graph *g);
void graph_get_stats(const struct graph *g, struct graph_stats *st);

/* The edge an edge's JSON describes, added to g (packets, operations and
 * their categories; times are not restored).  Operation names point into
 * o, which must outlive g.  NULL when memory runs out. */
struct graph_edge *graph_edge_restore(struct graph *g, const json_t *o);
/* One edge as JSON (new reference). */
json_t *graph_edge_json(const struct graph_edge *e);
/* Short text of the connections on the edge: "2 connection(s) open, 2 class
 * 0/1 I/O, RPI 10.0-20.0 ms", or of its I/O packets; "" when none. */
void graph_edge_io_text(const struct graph_edge *e, char *buf, size_t len);
/* Short text of the main operations: "read holding x120, write single x3". */
void graph_edge_ops_text(const struct graph_edge *e, char *buf, size_t len, int max_ops);

/* Writers.  nodes: the assets to draw (edges to an asset missing from the
 * list get a grey "evicted" node).  0, or -1 on a write error. */
int graph_write_dot(const struct graph *g, const struct graph_node *nodes, size_t n, FILE *fp);
int graph_write_graphml(const struct graph *g, const struct graph_node *nodes, size_t n, FILE *fp);

#endif /* OTS_GRAPH_H */
