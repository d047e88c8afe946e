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
 *    win; later copies are trimmed, counted, and compared with the earlier
 *    copy where it is still buffered or among the last STREAM_TAIL bytes
 *    delivered (a difference, the mark of injected data, is counted too).
 *  - A hole that cannot be filled (buffer cap reached, the peer acknowledged
 *    beyond it, RST, end of flow) is reported as a gap of known length and
 *    the stream continues after it.
 *
 * Ownership: a stream owns its buffered segments; stream_release() frees
 * them and returns their bytes to the pool.  Data handed to a sink is valid
 * only during the call.
 */
#ifndef OTS_STREAM_H
#define OTS_STREAM_H

#include <stddef.h>
#include <stdint.h>

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
	uint64_t overlap_differs;   /* a later copy carried different bytes */
	uint64_t gaps, gap_bytes;   /* holes skipped */
};

/* Where a stream delivers.  Either callback may be NULL. */
struct stream_sink {
	void *ud;
	void (*data)(void *ud, const uint8_t *data, size_t len);
	void (*gap)(void *ud, size_t len);
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

struct stream {
	uint32_t next_seq;          /* first byte not yet delivered */
	uint8_t started;            /* next_seq is known */
	uint8_t fin_seen;
	uint8_t acked_valid;
	uint32_t fin_seq;           /* sequence number just past the data */
	uint32_t acked;             /* highest acknowledgement the peer sent */
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

/* One segment of len bytes starting at seq; fin: the segment carries FIN. */
void stream_segment(struct stream_pool *pool, struct stream *s, uint32_t seq,
		    const uint8_t *data, uint32_t len, int fin,
		    const struct stream_sink *out);

/* The peer acknowledged everything before ack: a hole it covers will not be
 * filled by this capture, so skip it (gap) and deliver what follows.  The
 * highest ack is remembered: a segment arriving later beyond an
 * acknowledged hole skips it at once. */
void stream_ack(struct stream_pool *pool, struct stream *s, uint32_t ack,
		const struct stream_sink *out);

/* Deliver everything buffered, reporting the holes between (RST, flow end). */
void stream_flush(struct stream_pool *pool, struct stream *s,
		  const struct stream_sink *out);

#endif /* OTS_STREAM_H */
