/*
 * flow.h - the bidirectional flow table, TCP reassembly and the hand-off to
 * the application layer (nDPI label, OT dissectors).
 *
 * A flow is keyed by the 5-tuple plus VLAN ids.  The table is bounded
 * (max_flows): when full, the least recently seen flow is ended and counted.
 * Flows end on idle timeout, on TCP close/reset (after a short linger), on
 * eviction, and at the end of the input (flow_table_flush).
 *
 * Direction: index 0 is client -> server, 1 is server -> client.  The client
 * is the SYN sender; mid-stream flows guess it (the lower port, or the side
 * talking to a known OT/server port, is the server) and set role_guessed.
 *
 * Ownership: the table owns every flow; a struct flow pointer handed to a
 * callback is valid only during that call.
 */
#ifndef OTS_FLOW_H
#define OTS_FLOW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "addr.h"
#include "dissector.h"
#include "pkt.h"

struct ot_event;
struct dissect_ctx;
struct dissector;
struct applayer_dissector_stats;

enum flow_dir { FLOW_C2S = 0, FLOW_S2C = 1 };

enum flow_tcp_state {
	FLOW_TCP_NONE = 0,      /* not TCP, or nothing seen yet */
	FLOW_TCP_SYN_SENT,
	FLOW_TCP_SYN_RECV,
	FLOW_TCP_ESTABLISHED,
	FLOW_TCP_CLOSING,       /* FIN seen */
	FLOW_TCP_CLOSED,        /* both FINs seen */
	FLOW_TCP_RESET
};

enum flow_end_reason {
	FLOW_END_TIMEOUT = 0,
	FLOW_END_CLOSED,
	FLOW_END_EVICTED,
	FLOW_END_SHUTDOWN       /* end of input */
};

struct flow {
	uint64_t id;            /* stable, unique, non-zero: EVE flow_id */
	uint8_t l4;             /* IPPROTO_TCP / IPPROTO_UDP / other */
	uint8_t nvlan;
	uint16_t vlan[PKT_MAX_VLAN];
	struct ot_ip cli_ip, srv_ip;
	uint16_t cli_port, srv_port;
	uint8_t has_mac;
	uint8_t cli_mac[6], srv_mac[6];
	uint8_t role_guessed;   /* 1: client/server guessed, no handshake seen */
	uint8_t tcp_state;      /* enum flow_tcp_state */
	uint8_t end_reason;     /* enum flow_end_reason, valid at flow end */
	uint8_t iface;          /* live: interface of the first packet (pkt_meta.iface) */
	struct timeval first, last;
	uint64_t pkts[2];
	uint64_t bytes[2];      /* IP bytes each way */
	char app_proto[32];     /* nDPI label ("Modbus", "HTTP", ...) or "" */
	const char *ot_proto;   /* dissector name once one claims the flow, else NULL */
	uint64_t gaps[2];       /* reassembly gaps each way */
	uint32_t conflicts[2];  /* conflicting copies dropped each way */
	uint32_t bad_acks[2];   /* impossible acks sent each way, ignored */
	uint32_t out_of_window[2]; /* segments beyond the receive window, dropped */
	void *priv;             /* flow.c's own state (reassembly, nDPI, dissector) */
};

/* The largest max_flows the table takes. */
#define FLOW_MAX_FLOWS (1u << 26)

/* Defaults: ots_flow_config_default() (src/app/options.c). */
struct flow_config {
	uint32_t max_flows;             /* table cap */
	double idle_timeout;            /* seconds, UDP and other */
	double tcp_idle_timeout;        /* seconds, established TCP */
	double tcp_closed_timeout;      /* seconds after FIN/RST */
	double tcp_embryonic_timeout;   /* seconds for a bare SYN */
	uint32_t max_ooo_per_flow;      /* buffered out-of-order bytes per direction */
	uint64_t max_ooo_total;         /* all flows */
	uint32_t ndpi_max_packets;      /* packets given to nDPI per flow */
	int ndpi_enable;                /* nDPI labels on */
	int ot_enable;                  /* run OT dissectors */
	int want_detail;                /* dissectors build EVE detail */
	struct ot_limits lim;           /* the dissectors' hard limits */
	/* Dissectors to probe; NULL: the registry (dissector_list). */
	const struct dissector *const *dissectors;
	size_t n_dissectors;
};

/* Consumers; any callback may be NULL. */
struct flow_callbacks {
	void *ud;
	/* Every packet, after the flow counters were updated. */
	void (*on_packet)(void *ud, const struct pkt_meta *p, const struct flow *f, int dir);
	/* Every OT event from a dissector or the application layer. */
	void (*on_event)(void *ud, const struct ot_event *ev);
	/* A flow ends (timeout, close, eviction, shutdown). */
	void (*on_flow_end)(void *ud, const struct flow *f);
};

struct flow_stats {
	uint64_t created, ended, evicted, timed_out, active;
	uint64_t tcp_gaps, tcp_gap_bytes, ooo_segments, ooo_dropped, retransmits, overlaps;
	uint64_t overlap_differs;       /* conflicting copies dropped */
	uint64_t keepalives;            /* one-byte keep-alive probes */
	uint64_t bad_acks;              /* acks of data never sent, ignored */
	uint64_t out_of_window;         /* segments beyond the receive window */
	uint64_t reanchors;             /* streams moved to where data and acks agree */
	uint64_t ooo_bytes_now, ooo_bytes_peak;
	uint64_t no_room;               /* packets not tracked: no memory */
	uint64_t ot_claimed;            /* flows an OT dissector claimed */
	uint64_t ot_mismatch;           /* OT port, payload of another kind */
	uint64_t ndpi_flows;            /* flows given to nDPI */
	uint64_t ndpi_active;           /* nDPI flow states held now (freed once labelled) */
};

struct flow_table;

/* NULL on allocation failure or bad configuration (err says why). */
struct flow_table *flow_table_new(const struct flow_config *cfg,
				  const struct flow_callbacks *cb,
				  char *err, size_t errlen);
void flow_table_free(struct flow_table *ft);
/* Account one decoded packet: flow lookup/creation, counters, nDPI, TCP
 * reassembly, dissectors.  Also expires idle flows as packet time advances. */
void flow_table_process(struct flow_table *ft, const struct pkt_meta *p);
/* One more consumer of every packet (on_packet) and of every OT event
 * (on_event), either may be NULL, called after the callbacks given to
 * flow_table_new and those added before, with ud: what a fan-out behind
 * one callback would do, without the fan-out.  0, or -1 (nothing added)
 * after FLOW_MAX_CONSUMERS calls. */
#define FLOW_MAX_CONSUMERS 16
int flow_table_add_consumer(struct flow_table *ft,
			    void (*on_packet)(void *ud, const struct pkt_meta *p,
					      const struct flow *f, int dir),
			    void (*on_event)(void *ud, const struct ot_event *ev), void *ud);
/* Expire flows idle at time now (also called on live-capture ticks). */
void flow_table_expire(struct flow_table *ft, const struct timeval *now);
/* End every flow (end of input). */
void flow_table_flush(struct flow_table *ft);
void flow_table_get_stats(const struct flow_table *ft, struct flow_stats *st);
/* Bytes one flow can hold besides its reassembly buffers: the entry, its
 * streams and application-layer state, nDPI's state, the hash slot (for
 * --memcap; dissector buffers are bounded by each dissector). */
size_t flow_table_flow_bytes(void);
/* Per-dissector totals (struct applayer_dissector_stats, applayer.h): the
 * ended flows' counters plus those of the flows still open.  out has room
 * for APPLAYER_MAX_DISSECTORS entries; returns how many were filled (one
 * per dissector the table probes, in probe-list order). */
size_t flow_table_dissector_stats(const struct flow_table *ft,
				  struct applayer_dissector_stats *out);

/* The reason code ("stream.*") of the stream layer's anomaly events, by
 * enum stream_anomaly (stream.h); NULL past the last. */
const char *flow_stream_anomaly_reason(int what);

const char *flow_tcp_state_name(int state);
const char *flow_end_reason_name(int reason);

#endif /* OTS_FLOW_H */
