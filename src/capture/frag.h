/*
 * frag.h - bounded IP fragment reassembly (IPv4: RFC 791 section 3.2;
 * IPv6: RFC 8200 section 4.5).
 *
 * IPv4 datagrams are keyed by (source, destination, protocol,
 * identification), IPv6 ones by (source, destination, identification).
 * One table holds one IP version's datagrams (the decoder keeps one per
 * version, with the same configuration and counters).
 * Limits: at most max_datagrams in progress and max_bytes buffered in all
 * (the oldest datagram is dropped, counted, to make room); a datagram may not
 * exceed 65535 bytes; an incomplete datagram expires timeout seconds after
 * its first fragment.  Overlapping fragments: the bytes that arrived first
 * win, the overlap is counted.  Fragments may arrive in any order.
 *
 * Ownership: the table owns every buffer; the datagram handed back by
 * frag_add() stays valid until the next frag_* call.
 */
#ifndef OTS_FRAG_H
#define OTS_FRAG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>
#include <jansson.h>

struct frag_config {
	uint32_t max_datagrams;     /* in progress (default 1024) */
	uint64_t max_bytes;         /* buffered payload, all datagrams (default 16 MiB) */
	double timeout;             /* seconds after the first fragment (default 30) */
	uint32_t max_pieces;        /* disjoint pieces per datagram (default 64) */
};

struct frag_stats {
	uint64_t fragments;         /* fragments offered */
	uint64_t reassembled;       /* datagrams completed */
	uint64_t overlaps;          /* fragments that overlapped earlier data */
	uint64_t timeouts;          /* incomplete datagrams expired */
	uint64_t evicted;           /* dropped to make room (count or bytes cap) */
	uint64_t too_large;         /* would exceed 65535 bytes */
	uint64_t bad;               /* inconsistent: unaligned non-last, two ends, data past the end */
	uint64_t too_many_pieces;   /* datagram dropped: too many disjoint pieces */
	uint64_t nomem;
	uint64_t in_progress;       /* now */
	uint64_t bytes;             /* buffered now */
	uint64_t bytes_peak;
};

struct frag_table;

void frag_config_default(struct frag_config *cfg);
/* NULL on allocation failure. */
struct frag_table *frag_new(const struct frag_config *cfg);
void frag_free(struct frag_table *t);   /* NULL: no-op */

/*
 * Add one fragment: hdr/hlen is its IPv4 header (options included), data/len
 * the fragment's payload, off its offset in bytes, more the MF flag.
 * Returns 1 and sets *out and *outlen to the whole datagram (a 20..60-byte IPv4
 * header with total length set and fragment fields cleared, then the
 * payload) when this fragment completes it; else 0.
 */
int frag_add(struct frag_table *t, const struct timeval *ts,
	     const uint8_t *hdr, size_t hlen, const uint8_t *data, size_t len,
	     uint32_t off, int more, const uint8_t **out, size_t *outlen);
/*
 * Add one IPv6 fragment: hdr is the packet's 40-byte fixed header, next the
 * fragment header's next header, id its identification, data/len the
 * fragment's payload, off its offset in bytes, more the M flag.  Returns 1
 * and sets *out and *outlen to the whole packet when this fragment
 * completes it: the fixed header (payload length set, next header = next;
 * the extension headers before the fragment header are left out), then the
 * reassembled payload (at most 65535 bytes); else 0.
 */
int frag_add6(struct frag_table *t, const struct timeval *ts, const uint8_t *hdr,
	      uint8_t next, uint32_t id, const uint8_t *data, size_t len,
	      uint32_t off, int more, const uint8_t **out, size_t *outlen);
/* Drop datagrams whose first fragment is older than the timeout. */
void frag_expire(struct frag_table *t, const struct timeval *now);
void frag_get_stats(const struct frag_table *t, struct frag_stats *st);
void frag_stats_json(const struct frag_table *t, json_t *obj);

#endif /* OTS_FRAG_H */
