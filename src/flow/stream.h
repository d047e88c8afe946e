/*
 * stream.h - one direction of TCP reassembly.
 *
 * A struct stream turns the segments one side of a TCP connection sends into
 * the in-order byte stream the application layer reads.  Sequence numbers are
 * compared with 32-bit serial arithmetic, so wraparound needs no special case.
 *
 *  - The initial sequence number comes from the SYN (stream_syn), or from the
 *    first segment seen when the capture started mid-connection.
 *  - In-order data with nothing buffered is handed out in place (no copy).
 *  - Out-of-order segments are copied into a sorted list, bounded per
 *    direction and across all streams sharing one struct stream_pool.
 *  - Overlaps and retransmissions: the first bytes seen for a sequence range
 *    win.  A later copy whose overlap with bytes already delivered (as far
 *    as the last STREAM_TAIL bytes reach) or buffered is identical is
 *    trimmed and its new tail delivered.  A copy whose overlap differs is a
 *    conflicting copy (two versions of one direction: injected or relayed
 *    data): none of its bytes are delivered, not even those past the
 *    delivered point, and the sink hears of it (STREAM_AN_CONFLICT).  A
 *    one-byte segment just behind the delivered point is a keep-alive
 *    probe, never a conflict.
 *  - Once the stream's position is established (a SYN, or the peer
 *    acknowledged data this side sent), RFC 9293 section 3.10.7.4 limits
 *    hold: an acknowledgement more than one receive window past the
 *    highest byte this side sent is ignored (STREAM_AN_BAD_ACK), and data
 *    starting more than one window ahead of the receiver's position is
 *    neither buffered nor skipped to (STREAM_AN_OUT_OF_WINDOW).  When a
 *    rejected segment and a rejected acknowledgement agree with each other
 *    (the ack falls inside or at either end of the segment), the capture
 *    is following the wrong position: the stream re-anchors there
 *    (STREAM_AN_REANCHOR) after a gap of unknown length.
 *  - A hole that cannot be filled (buffer cap reached, the peer acknowledged
 *    beyond it, RST, end of flow) is reported as a gap of known length and
 *    the stream continues after it.
 *  - Every chunk handed to the sink carries the time of the packet that
 *    carried it: bytes that waited behind a hole keep their own time.
 *
 * Ownership: a stream owns its buffered segments; stream_release() frees
 * them and returns their bytes to the pool.  Data handed to a sink is valid
 * only during the call.
 */
#ifndef OTS_STREAM_H
#define OTS_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

/* Shared limits and counters of every stream of one flow table. */
struct stream_pool {
	uint32_t max_per_stream;    /* buffered out-of-order bytes per direction */
	uint64_t max_total;         /* all streams */
	uint64_t bytes_now, bytes_peak;
	uint64_t segs_now;          /* buffered segments, all streams */
	uint64_t ooo_segments;      /* segments that arrived ahead of a hole */
	uint64_t ooo_dropped;       /* could not be buffered (cap, memory) */
	uint64_t retransmits;       /* segments wholly inside data already seen */
	uint64_t overlaps;          /* segments partly overlapping data seen */
	uint64_t overlap_differs;   /* conflicting copies dropped (STREAM_AN_CONFLICT) */
	uint64_t keepalives;        /* one-byte probes behind the delivered point */
	uint64_t bad_acks;          /* acknowledgements ignored (STREAM_AN_BAD_ACK) */
	uint64_t out_of_window;     /* segments dropped (STREAM_AN_OUT_OF_WINDOW) */
	uint64_t reanchors;         /* STREAM_AN_REANCHOR */
	uint64_t gaps, gap_bytes;   /* holes skipped */
};

/* What a stream tells its sink besides data and gaps. */
enum stream_anomaly {
	STREAM_AN_CONFLICT = 0,     /* a copy that differs from what was seen: dropped */
	STREAM_AN_BAD_ACK,          /* an ack beyond anything sent: ignored */
	STREAM_AN_OUT_OF_WINDOW,    /* data beyond the receive window: dropped */
	STREAM_AN_REANCHOR,         /* the position moved where segments and acks agree */
	STREAM_AN_COUNT
};

/* Where a stream delivers.  Any callback may be NULL.  ts: the time of the
 * packet that carried these bytes (NULL when the caller gave none).
 * anomaly: seq and len describe the segment (or ack, len 0) concerned;
 * detail is 0 or, for a conflict, the bytes of its overlap. */
struct stream_sink {
	void *ud;
	void (*data)(void *ud, const uint8_t *data, size_t len, const struct timeval *ts);
	void (*gap)(void *ud, size_t len);
	void (*anomaly)(void *ud, enum stream_anomaly what, uint32_t seq, uint32_t len,
			uint32_t detail);
};

struct stream_seg;

/* Buffered segments at most: STREAM_MAX_SEGS per direction, and in all
 * streams together one per STREAM_SEG_FLOOR bytes of max_total (never fewer
 * than STREAM_MAX_SEGS).  Tiny segments cost a list walk and their overhead,
 * not only their bytes. */
#define STREAM_MAX_SEGS 1024
#define STREAM_SEG_FLOOR 64

/* Bytes of delivered data remembered to compare retransmissions with. */
#define STREAM_TAIL 64

/* The receive window assumed when the handshake was not seen (the window
 * scale is then unknown), and the least one assumed when it was. */
#define STREAM_WND_UNKNOWN (1u << 20)
#define STREAM_WND_FLOOR 65535u

struct stream {
	uint32_t next_seq;          /* first byte not yet delivered */
	uint8_t started;            /* next_seq is known */
	uint8_t fin_seen;
	uint8_t acked_valid;
	uint8_t anchored;           /* position established: SYN or data acknowledged */
	uint8_t rej_seg_valid, rej_ack_valid;
	uint32_t fin_seq;           /* sequence number just past the data */
	uint32_t acked;             /* highest acknowledgement the peer sent */
	uint32_t first_seq;         /* where this side's data started */
	uint32_t snd_max;           /* just past the highest byte accepted from this side */
	uint32_t wnd;               /* largest receive window the peer announced */
	uint32_t rej_seg_start, rej_seg_end; /* the last segment refused as out of window */
	uint32_t rej_ack;           /* the last acknowledgement refused */
	uint32_t buffered;          /* bytes in ooo */
	uint32_t nseg;              /* segments in ooo */
	struct stream_seg *ooo;     /* sorted by sequence, no overlaps */
	uint8_t tail_len;           /* valid bytes in tail */
	uint8_t tail[STREAM_TAIL];  /* the last bytes delivered, ending at next_seq */
};

void stream_pool_init(struct stream_pool *pool, uint32_t max_per_stream,
		      uint64_t max_total);
void stream_init(struct stream *s);
/* Free buffered segments without delivering them.  NULL-safe. */
void stream_release(struct stream_pool *pool, struct stream *s);

/* A SYN from this side: its sequence number is the ISN (data starts at
 * isn + 1).  A SYN with another ISN restarts the stream. */
void stream_syn(struct stream_pool *pool, struct stream *s, uint32_t isn);

/* One segment of len bytes starting at seq, carried by a packet of time ts
 * (may be NULL); fin: the segment carries FIN. */
void stream_segment(struct stream_pool *pool, struct stream *s, uint32_t seq,
		    const uint8_t *data, uint32_t len, int fin,
		    const struct timeval *ts, const struct stream_sink *out);

/* The peer acknowledged everything before ack and announced a receive
 * window of wnd bytes (scaled; STREAM_WND_UNKNOWN when the scale is not
 * known).  A hole the ack covers will not be filled by this capture, so
 * skip it (gap) and deliver what follows.  The highest ack is remembered:
 * a segment arriving later beyond an acknowledged hole skips it at once.
 * An ack the sender cannot have earned is ignored (see above). */
void stream_ack(struct stream_pool *pool, struct stream *s, uint32_t ack,
		uint32_t wnd, const struct stream_sink *out);

/* Deliver everything buffered, reporting the holes between (RST, flow end). */
void stream_flush(struct stream_pool *pool, struct stream *s,
		  const struct stream_sink *out);

#endif /* OTS_STREAM_H */
