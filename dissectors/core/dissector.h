/*
 * dissector.h - the interface every protocol implements.
 *
 * A protocol is one folder dissectors/<proto>/ with four parts and one
 * const struct dissector that ties them together:
 *
 *   <proto>_parse.c  bytes -> the protocol's record (a plain C struct of the
 *                    message's own fields, defined in <proto>.h) and the
 *                    normalized struct ot_event that points to it
 *                    (ev->record); emitted through ot_emit().  The record
 *                    and anything it points to (packet bytes included) need
 *                    only live until ot_emit() returns.
 *   <proto>_names.c  THE code -> name tables (struct ot_tok), listed in
 *                    .names: the log writes a code's first name, the rule
 *                    keywords accept every spelling, the manual lists them.
 *   <proto>_log.c    .log(w, ev): the members of the protocol's EVE object
 *                    for one message, from ev and ev->record, into an
 *                    object the caller has opened ("<proto>": {...}).  It is
 *                    called only when that protocol log is on or an alert
 *                    embeds the message: the protocol line and the alert
 *                    carry the same object.
 *   <proto>_rules.c  .keywords: rows {name, parse, match} (keyword.h); the
 *                    rules engine finds a protocol's keywords only there.
 *
 * The descriptor also carries the protocol's name, ports, probe order and
 * address spaces (.spaces: name and kind of each), which inventory,
 * baseline, rules and output read through the registry.  Outside its
 * folder a protocol is one line in protocols.h and one include of its
 * <proto>.mk in Makefile.am.  Nothing under src/ names a protocol.
 *
 * The application layer (src/flow/applayer.c) picks a dissector for a flow
 * by payload (probe); ports only order the probes.  It then feeds each
 * direction's in-order byte stream (TCP, after reassembly) or each datagram
 * (UDP) to parse(), and reports stream gaps to gap() so the dissector can
 * resynchronise.  A dissector never touches the inventory, baseline, rules
 * or output directly.
 *
 * Ownership: state_new() allocates the per-flow state, the flow owns it and
 * calls state_free() exactly once (state_free(NULL) must be a no-op).
 * Descriptors, names and keyword rows are static const data.
 */
#ifndef OTS_DISSECTOR_H
#define OTS_DISSECTOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "event.h"
#include "keyword.h"

struct flow;
struct jw;

enum probe_result {
	PROBE_NEED_MORE = 0,    /* too few bytes to judge */
	PROBE_NOT_MINE,
	PROBE_MINE
};

/* Per-protocol hard limits, read once from configuration (the defaults:
 * ots_limits_default() in src/app/options.c). */
struct ot_limits {
	uint32_t max_pending;       /* outstanding requests per flow (32) */
	uint32_t max_objects;       /* DNP3 objects per message (2048) */
	uint32_t max_points;        /* DNP3 points per message (16384) */
	uint32_t max_log_values;    /* values written to one EVE line (64) */
	uint32_t max_pdu_buffer;    /* framer buffered bytes per direction (65536) */
	uint32_t max_reassembly;    /* DNP3 transport / COTP fragment bytes (65536) */
	double reassembly_timeout;  /* seconds for an incomplete fragment (30) */
};


struct dissect_ctx;
typedef void (*ot_emit_fn)(struct dissect_ctx *ctx, struct ot_event *ev);

/* Everything a dissector may know about the data it is handed. */
struct dissect_ctx {
	const struct flow *flow;
	struct timeval ts;          /* time of the packet that delivered the data */
	uint8_t from_client;        /* 1: these bytes travel client -> server */
	uint8_t is_udp;
	uint8_t want_detail;        /* a protocol log is on (records are filled
				     * either way: alerts embed them too) */
	const struct ot_limits *lim;
	ot_emit_fn emit;            /* the pipeline's consumer */
	void *emit_ud;
};

#define DISSECT_TCP 0x1
#define DISSECT_UDP 0x2
#define DISSECT_MAX_PORTS 4

struct dissector {
	const char *name;           /* "modbus", "dnp3", "s7comm": as in protocols.h */
	enum ot_proto proto;        /* OT_PROTO_<its line in protocols.h> */
	unsigned transports;        /* DISSECT_TCP | DISSECT_UDP */
	uint16_t ports[DISSECT_MAX_PORTS]; /* default server ports, 0-terminated */
	/* Flows on none of a dissector's ports are probed by every dissector
	 * in turn, lowest probe_order first: stricter probes go first. */
	unsigned probe_order;
	/* The protocol's address spaces (NULL: none). */
	const struct ot_space_info *spaces;

	/* Judge the first bytes a direction carries.  Must not read past len. */
	enum probe_result (*probe)(const uint8_t *data, size_t len, int from_client);

	void *(*state_new)(const struct ot_limits *lim);
	void (*state_free)(void *state);

	/* In-order stream bytes (TCP) or one whole datagram (UDP). */
	void (*parse)(struct dissect_ctx *ctx, void *state,
		      const uint8_t *data, size_t len);
	/* len bytes of this direction were lost (0 when unknown). Optional. */
	void (*gap)(struct dissect_ctx *ctx, void *state, size_t len);
	/* The flow ends: flush pending state (unanswered requests...). Optional. */
	void (*flow_end)(struct dissect_ctx *ctx, void *state);

	/*
	 * Per-flow counters, optional (NULL / 0: none).  counter_names holds
	 * n_counters (at most DISSECT_MAX_COUNTERS) stable snake_case names, the
	 * keys of the dissector's object in the stats event.  counters() ADDS
	 * the flow's values to out[0..n_counters-1]; state may be NULL (add
	 * nothing).  The application layer calls it before state_free().
	 */
	const char *const *counter_names;
	size_t n_counters;
	void (*counters)(const void *state, uint64_t *out);

	/* The protocol object of one message (see the top of this file):
	 * members into the open object of w, from ev and ev->record.  Never
	 * called with ev->record NULL. */
	void (*log)(struct jw *w, const struct ot_event *ev);

	/* Rule keywords: rows ending in one with name NULL (NULL: none). */
	const struct ot_keyword *keywords;

	/* The code -> name tables: rows ending in one with what NULL. */
	const struct ot_names *names;

	/* app-layer-event names other engines use for this protocol's anomaly
	 * reasons: rows ending in {NULL} (NULL: none). */
	const struct ot_event_alias *event_aliases;

	/* A second protocol whose messages this dissector emits, logs and
	 * names (S7comm-plus for s7comm), or OT_PROTO_UNKNOWN. */
	enum ot_proto also_proto;
};

#define DISSECT_MAX_COUNTERS 32

/* Registry (registry.c).  The list is in protocol id order. */
const struct dissector *const *dissector_list(size_t *n);
const struct dissector *dissector_by_name(const char *name);
const struct dissector *dissector_by_proto(enum ot_proto p);

/* Event helpers (event.c). */
void ot_event_init(struct ot_event *ev, const struct dissect_ctx *ctx,
		   enum ot_proto proto, enum ot_kind kind);
/* Hands ev to the pipeline; ev->record is cleared when it returns. */
void ot_emit(struct dissect_ctx *ctx, struct ot_event *ev);
/* Emit an OT_EV_ANOMALY with a stable reason code and printf-style detail. */
void ot_anomaly(struct dissect_ctx *ctx, enum ot_proto proto, const char *reason,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif /* OTS_DISSECTOR_H */
