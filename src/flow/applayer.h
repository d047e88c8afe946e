/*
 * applayer.h - choosing an OT dissector for a flow and feeding it.
 *
 * Each direction's first payload bytes are offered to the dissectors'
 * probes: those whose default ports match the flow first, then every other
 * dissector that supports the transport.  A probe that needs more bytes gets
 * them from a small per-direction buffer; probing stops for good after
 * APPLAYER_PROBE_MAX_PKTS payload packets or APPLAYER_PROBE_MAX_BYTES bytes.
 * The first MINE claims the flow: its state is created, the buffered bytes
 * are replayed, and from then on every in-order chunk (TCP) or datagram
 * (UDP) goes to parse(), every stream gap to gap().
 *
 * A dissector that owns the flow's server port but answers NOT_MINE makes
 * one "protocol_mismatch" anomaly per flow.  A flow picked up mid-stream (or
 * a direction after a gap) may start inside a PDU, so there NOT_MINE only
 * discards the buffered bytes and the next chunk is probed afresh; the
 * anomaly then comes when probing gives up.
 *
 * Dissectors are probed in their .probe_order (applayer_init sorts its copy
 * of the list; equal orders keep the list's order).
 *
 * Ownership: struct applayer borrows the dissectors and limits; a
 * struct applayer_flow owns its dissector state until applayer_flow_end.
 */
#ifndef OTS_APPLAYER_H
#define OTS_APPLAYER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "dissector.h"

struct flow;

#define APPLAYER_PROBE_BUF       64
#define APPLAYER_PROBE_MAX_PKTS  8
#define APPLAYER_PROBE_MAX_BYTES 4096
#define APPLAYER_MAX_DISSECTORS  32

struct applayer_stats {
	uint64_t claimed;           /* flows a dissector claimed */
	uint64_t mismatch;          /* protocol_mismatch anomalies */
	uint64_t gave_up;           /* flows no dissector claimed */
	uint64_t no_memory;         /* dissector state allocation failed */
};

/* One dissector's totals: the flows it claimed and its counters (names in
 * d->counter_names) summed over the flows whose state has been freed. */
struct applayer_dissector_stats {
	const struct dissector *d;
	uint64_t claimed;
	uint64_t counters[DISSECT_MAX_COUNTERS];
};

/* The consumers of the events at most (applayer_add_consumer). */
#define APPLAYER_MAX_CONSUMERS 17

struct applayer_consumer {
	void (*on_event)(void *ud, const struct ot_event *ev);
	void *ud;
};

struct applayer {
	const struct dissector *list[APPLAYER_MAX_DISSECTORS]; /* by probe_order */
	size_t n;
	const struct ot_limits *lim;
	int want_detail;
	/* every event goes to each, in this order (no fan-out in between) */
	struct applayer_consumer consumer[APPLAYER_MAX_CONSUMERS];
	size_t n_consumers;
	struct applayer_stats st;
	struct applayer_dissector_stats per[APPLAYER_MAX_DISSECTORS]; /* [i]: list[i] */
};

enum applayer_status { AL_PROBING = 0, AL_CLAIMED, AL_DONE };

struct applayer_flow {
	const struct dissector *d;  /* claimed dissector, else NULL */
	void *state;
	uint8_t status;             /* enum applayer_status */
	uint8_t mismatch_sent;
	uint8_t port_not_mine;      /* a port dissector said NOT_MINE (lenient) */
	uint8_t npkts;              /* payload chunks probed */
	uint8_t partial[2];         /* direction's history incomplete: lenient */
	uint8_t plen[2];            /* bytes in pbuf */
	uint32_t rejected;          /* bit i: list[i] answered NOT_MINE */
	uint32_t probed_bytes;
	uint8_t pbuf[2][APPLAYER_PROBE_BUF];
};

/* list may hold at most APPLAYER_MAX_DISSECTORS entries (more are ignored).
 * on_event (may be NULL): the first consumer of the events. */
void applayer_init(struct applayer *al, const struct dissector *const *list, size_t n,
		   const struct ot_limits *lim, int want_detail,
		   void (*on_event)(void *ud, const struct ot_event *ev), void *ud);
/* One more consumer of every event, after those there.  0, or -1 when
 * APPLAYER_MAX_CONSUMERS are there. */
int applayer_add_consumer(struct applayer *al,
			  void (*on_event)(void *ud, const struct ot_event *ev), void *ud);
void applayer_flow_init(struct applayer_flow *af);

/* In-order bytes (TCP) or one datagram (UDP) of direction dir (enum
 * flow_dir) arriving at ts. */
void applayer_data(struct applayer *al, struct applayer_flow *af, struct flow *f,
		   const struct timeval *ts, int dir, const uint8_t *data, size_t len);
/* len bytes of direction dir are lost. */
void applayer_gap(struct applayer *al, struct applayer_flow *af, struct flow *f,
		  const struct timeval *ts, int dir, size_t len);
/* A transport anomaly of direction dir (reason: a stable code with its
 * layer prefix, "stream.*"), as an anomaly event of the flow's protocol
 * (none while no dissector claimed it); detail: free text. */
void applayer_anomaly(struct applayer *al, struct applayer_flow *af, struct flow *f,
		      const struct timeval *ts, int dir, const char *reason,
		      const char *detail);
/* The flow ends: the dissector flushes, its state is freed.  Idempotent. */
void applayer_flow_end(struct applayer *al, struct applayer_flow *af, struct flow *f,
		       const struct timeval *ts);
/* Add the counters of af's live dissector state (if any) to out, an array
 * of al->n entries laid out like al->per. */
void applayer_flow_counters(const struct applayer *al, const struct applayer_flow *af,
			    struct applayer_dissector_stats *out);

#endif /* OTS_APPLAYER_H */
