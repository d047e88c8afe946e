/*
 * stream.c - one direction of TCP reassembly (see stream.h).
 *
 * Sequence numbers follow RFC 793 / RFC 1982 serial arithmetic: a is before
 * b when (int32_t)(a - b) < 0, so a stream may wrap past 2^32 freely.
 */
#include <stdlib.h>
#include <string.h>

#include "stream.h"

struct stream_seg {
	struct stream_seg *next;
	uint32_t seq;
	uint32_t len;
	struct timeval ts;          /* the packet that carried these bytes */
	uint8_t data[];
};

static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

void stream_pool_init(struct stream_pool *pool, uint32_t max_per_stream,
		      uint64_t max_total)
{
	memset(pool, 0, sizeof(*pool));
	pool->max_per_stream = max_per_stream;
	pool->max_total = max_total;
}

void stream_init(struct stream *s)
{
	memset(s, 0, sizeof(*s));
}

static void seg_free(struct stream_pool *pool, struct stream *s, struct stream_seg *g)
{
	s->buffered -= g->len;
	s->nseg--;
	pool->bytes_now -= g->len;
	pool->segs_now--;
	free(g);
}

void stream_release(struct stream_pool *pool, struct stream *s)
{
	struct stream_seg *g, *n;

	if (!s)
		return;
	for (g = s->ooo; g; g = n) {
		n = g->next;
		seg_free(pool, s, g);
	}
	s->ooo = NULL;
}

/* Hand bytes ending at next_seq to the sink, remembering the last ones. */
static void emit_data(struct stream *s, const struct stream_sink *out,
		      const uint8_t *data, size_t len, const struct timeval *ts)
{
	if (!len)
		return;
	if (len >= STREAM_TAIL) {
		memcpy(s->tail, data + len - STREAM_TAIL, STREAM_TAIL);
		s->tail_len = STREAM_TAIL;
	} else {
		size_t keep = s->tail_len + len > STREAM_TAIL ? STREAM_TAIL - len : s->tail_len;

		memmove(s->tail, s->tail + s->tail_len - keep, keep);
		memcpy(s->tail + keep, data, len);
		s->tail_len = (uint8_t)(keep + len);
	}
	if (out && out->data)
		out->data(out->ud, data, len, ts);
}

static void report(const struct stream_sink *out, enum stream_anomaly what, uint32_t seq,
		   uint32_t len, uint32_t detail)
{
	if (out && out->anomaly)
		out->anomaly(out->ud, what, seq, len, detail);
}

/* A retransmission of delivered bytes [seq, seq+len): 1 when it differs
 * from what was delivered, as far as the remembered tail reaches. */
static int differs_from_tail(const struct stream *s, uint32_t seq, const uint8_t *data,
			     uint32_t len)
{
	uint32_t tail_start = s->next_seq - s->tail_len, a = seq, b = seq + len;

	if (seq_diff(a, tail_start) < 0)
		a = tail_start;
	if (seq_diff(b, s->next_seq) > 0)
		b = s->next_seq;
	if (seq_diff(b, a) <= 0)
		return 0;
	return memcmp(s->tail + (a - tail_start), data + (a - seq), b - a) != 0;
}

static void emit_gap(struct stream_pool *pool, const struct stream_sink *out, uint32_t len)
{
	if (!len)
		return;
	pool->gaps++;
	pool->gap_bytes += len;
	if (out && out->gap)
		out->gap(out->ud, len);
}

/* Deliver buffered segments that now start at (or before) next_seq. */
static void drain(struct stream_pool *pool, struct stream *s, const struct stream_sink *out)
{
	struct stream_seg *g;

	while ((g = s->ooo) != NULL && seq_diff(g->seq, s->next_seq) <= 0) {
		uint32_t skip = s->next_seq - g->seq;

		s->ooo = g->next;
		if (skip < g->len) {
			s->next_seq = g->seq + g->len;
			emit_data(s, out, g->data + skip, g->len - skip, &g->ts);
		}
		seg_free(pool, s, g);
	}
}

/* Give up on the hole before the first buffered segment, up to `upto`
 * (at most the segment's start), and deliver what becomes contiguous. */
static void skip_hole(struct stream_pool *pool, struct stream *s, uint32_t upto,
		      const struct stream_sink *out)
{
	if (s->ooo && seq_diff(upto, s->ooo->seq) > 0)
		upto = s->ooo->seq;
	if (seq_diff(upto, s->next_seq) > 0) {
		emit_gap(pool, out, upto - s->next_seq);
		s->next_seq = upto;
		s->tail_len = 0;
	}
	drain(pool, s, out);
}

/*
 * Bytes of [seq, seq+len) that buffered segments already cover.  With data
 * given, *differs is set when a buffered copy holds other bytes.
 */
static uint32_t covered_bytes(const struct stream *s, uint32_t seq, uint32_t len,
			      const uint8_t *data, int *differs)
{
	const struct stream_seg *g;
	uint32_t end = seq + len, covered = 0;

	for (g = s->ooo; g; g = g->next) {
		uint32_t a = g->seq, b = g->seq + g->len;

		if (seq_diff(a, end) >= 0)
			break;
		if (seq_diff(b, seq) <= 0)
			continue;
		if (seq_diff(a, seq) < 0)
			a = seq;
		if (seq_diff(b, end) > 0)
			b = end;
		covered += b - a;
		if (data && memcmp(g->data + (a - g->seq), data + (a - seq), b - a))
			*differs = 1;
	}
	return covered;
}

/*
 * Buffer an out-of-order segment; bytes already buffered win (first seen).
 * Returns 0 when stored, 1 when the caps leave no room (nothing changed),
 * -1 on memory failure (part may be stored).
 */
static int seg_insert(struct stream_pool *pool, struct stream *s, uint32_t seq,
		      const uint8_t *data, uint32_t len, const struct timeval *ts)
{
	struct stream_seg **pp = &s->ooo, *g, *n;
	uint32_t cur = seq, end = seq + len, fresh;

	fresh = len - covered_bytes(s, seq, len, NULL, NULL);
	if ((uint64_t)s->buffered + fresh > pool->max_per_stream ||
	    pool->bytes_now + fresh > pool->max_total)
		return 1;
	if (fresh && (s->nseg >= STREAM_MAX_SEGS ||
		      (pool->segs_now >= STREAM_MAX_SEGS &&
		       pool->segs_now >= pool->max_total / STREAM_SEG_FLOOR)))
		return 1;
	if (fresh < len) {
		/* the buffered copy wins (an identical one: conflicts never get here) */
		if (fresh == 0)
			pool->retransmits++;
		else
			pool->overlaps++;
	}

	while (seq_diff(end, cur) > 0) {
		g = *pp;
		if (g && seq_diff(g->seq + g->len, cur) <= 0) {
			pp = &g->next;          /* wholly before cur */
			continue;
		}
		if (!g || seq_diff(g->seq, cur) > 0) {
			/* a piece nothing covers: [cur, min(end, g->seq)) */
			uint32_t pend = end, plen;

			if (g && seq_diff(g->seq, end) < 0)
				pend = g->seq;
			plen = pend - cur;
			n = malloc(sizeof(*n) + plen);
			if (!n)
				return -1;
			n->seq = cur;
			n->len = plen;
			n->ts = *ts;
			memcpy(n->data, data + (cur - seq), plen);
			n->next = g;
			*pp = n;
			pp = &n->next;
			s->buffered += plen;
			s->nseg++;
			pool->bytes_now += plen;
			pool->segs_now++;
			if (pool->bytes_now > pool->bytes_peak)
				pool->bytes_peak = pool->bytes_now;
			cur = pend;
			continue;
		}
		/* g covers cur: keep the buffered bytes */
		cur = seq_diff(g->seq + g->len, end) > 0 ? end : g->seq + g->len;
		pp = &g->next;
	}
	return 0;
}

/*
 * Bytes of [seq, seq+len) that overlap what was delivered (as far as the
 * tail reaches) or buffered, and whether they differ from it.  Returns the
 * overlapping bytes compared; *differs is set on a difference.
 */
static uint32_t compare_overlap(const struct stream *s, uint32_t seq, const uint8_t *data,
				uint32_t len, int *differs)
{
	uint32_t olap = 0;

	*differs = 0;
	if (seq_diff(seq, s->next_seq) < 0) {
		uint32_t old = s->next_seq - seq;

		olap = old < len ? old : len;
		if (differs_from_tail(s, seq, data, len))
			*differs = 1;
	}
	if (s->ooo)
		olap += covered_bytes(s, seq, len, data, differs);
	return olap;
}

/* The receive window the peer allows this side. */
static uint32_t window(const struct stream *s)
{
	return s->wnd ? s->wnd : STREAM_WND_UNKNOWN;
}

/* Data starting more than one window ahead of what the receiver holds. */
static int beyond_window(const struct stream *s, uint32_t seq)
{
	uint32_t base = s->next_seq;
	int32_t rel;

	if (s->acked_valid && seq_diff(s->acked, base) > 0)
		base = s->acked;
	rel = seq_diff(seq, base);
	return rel > 0 && (uint32_t)rel > window(s);
}

/* The capture followed the wrong position: continue at pos after a gap of
 * unknown length, forgetting what was buffered for the old one. */
static __attribute__((noinline)) void reanchor(struct stream_pool *pool, struct stream *s,
						uint32_t pos, const struct stream_sink *out)
{
	stream_release(pool, s);
	pool->reanchors++;
	pool->gaps++;
	if (out && out->gap)
		out->gap(out->ud, 0);
	s->next_seq = pos;
	s->snd_max = pos;
	s->tail_len = 0;
	s->acked_valid = 0;
	s->rej_seg_valid = 0;
	s->rej_ack_valid = 0;
	s->anchored = 1;
	report(out, STREAM_AN_REANCHOR, pos, 0, 0);
}

void stream_syn(struct stream_pool *pool, struct stream *s, uint32_t isn)
{
	if (s->started && s->first_seq == isn + 1 && s->anchored)
		return;
	stream_release(pool, s);
	stream_init(s);
	s->started = 1;
	s->anchored = 1;
	s->next_seq = isn + 1;
	s->first_seq = isn + 1;
	s->snd_max = isn + 1;
}

/* stream_segment() for every segment its shortcut does not take; ts is
 * not NULL.  Out of line: the shortcut does not pay for this path's frame. */
static __attribute__((noinline)) void segment_general(struct stream_pool *pool,
						       struct stream *s, uint32_t seq,
						       const uint8_t *data, uint32_t len,
						       int fin, const struct timeval *ts,
						       const struct stream_sink *out)
{
	int counted = 0, refused = 0, differs;
	uint32_t olap;

	if (!s->started) {
		s->started = 1;
		s->next_seq = seq;
		s->first_seq = seq;
		s->snd_max = seq;
	}
	if (fin && !s->fin_seen) {
		s->fin_seen = 1;
		s->fin_seq = seq + len;
	}
	if (!len || !data)
		return;

	if (len == 1 && seq + 1 == s->next_seq) {
		/* a keep-alive probe: one old byte, often not the original */
		pool->keepalives++;
		return;
	}
	if (s->anchored && beyond_window(s, seq)) {
		pool->out_of_window++;
		if (!s->rej_ack_valid || seq_diff(s->rej_ack, seq) < 0 ||
		    seq_diff(s->rej_ack, seq + len) > 0) {
			s->rej_seg_valid = 1;
			s->rej_seg_start = seq;
			s->rej_seg_end = seq + len;
			report(out, STREAM_AN_OUT_OF_WINDOW, seq, len, 0);
			return;
		}
		/* the peer acknowledged this segment's neighbourhood: follow it */
		reanchor(pool, s, seq, out);
	}
	olap = compare_overlap(s, seq, data, len, &differs);
	if (differs) {
		pool->overlap_differs++;
		report(out, STREAM_AN_CONFLICT, seq, len, olap);
		return;
	}
	if (seq_diff(seq + len, s->snd_max) > 0)
		s->snd_max = seq + len;

	for (;;) {
		int32_t rel = seq_diff(seq, s->next_seq);

		if (rel < 0) {
			/* starts before next_seq: drop what was delivered */
			uint32_t old = s->next_seq - seq;

			if (old >= len) {
				if (!counted)
					pool->retransmits++;
				return;
			}
			if (!counted)
				pool->overlaps++;
			counted = 1;
			seq += old;
			data += old;
			len -= old;
			rel = 0;
		}
		if (rel == 0) {
			struct stream_seg *g = s->ooo;
			uint32_t ahead;

			if (!g || seq_diff(g->seq, seq + len) >= 0) {
				/* the common case: hand the packet bytes out in place */
				s->next_seq = seq + len;
				emit_data(s, out, data, len, ts);
				if (g)
					drain(pool, s, out);
				return;
			}
			/* buffered data (identical, see above) starts inside this
			 * segment: deliver the part before it, the buffered copy
			 * the rest */
			ahead = g->seq - seq;
			s->next_seq = g->seq;
			emit_data(s, out, data, ahead, ts);
			seq += ahead;
			data += ahead;
			len -= ahead;
			if (!counted)
				pool->overlaps++;
			counted = 1;
			drain(pool, s, out);
			continue;
		}

		/* ahead of a hole the peer already acknowledged: it is lost */
		if (s->acked_valid && seq_diff(s->acked, s->next_seq) > 0) {
			skip_hole(pool, s, seq_diff(s->acked, seq) < 0 ? s->acked : seq, out);
			continue;
		}
		/* ahead of a hole: buffer it */
		if (!counted)
			pool->ooo_segments++;
		counted = 1;
		switch (seg_insert(pool, s, seq, data, len, ts)) {
		case 0:
			return;
		case -1:
			pool->ooo_dropped++;
			return;
		default:
			break;
		}
		/* no room: give up the oldest hole and retry */
		if (!refused)
			pool->ooo_dropped++;
		refused = 1;
		if (!s->ooo) {
			/* nothing buffered to release: skip straight to it */
			emit_gap(pool, out, (uint32_t)rel);
			s->next_seq = seq;
			s->tail_len = 0;
			continue;
		}
		/* up to this segment when it lies in the first hole, so its
		 * bytes are delivered rather than skipped */
		skip_hole(pool, s, seq, out);
	}
}

void stream_segment(struct stream_pool *pool, struct stream *s, uint32_t seq,
		    const uint8_t *data, uint32_t len, int fin,
		    const struct timeval *ts, const struct stream_sink *out)
{
	static const struct timeval no_time;

	if (!ts)
		ts = &no_time;
	/* The common case, the shortcut of segment_general: a segment that
	 * starts where the delivered data ends, with nothing buffered and no
	 * FIN, overlaps nothing, is within any window (the window's base is
	 * next_seq or an ack past it) and is no keep-alive (that starts a
	 * byte before next_seq): its bytes go out in place. */
	if (s->started && seq == s->next_seq && !s->ooo && len && data && !fin) {
		if (seq_diff(seq + len, s->snd_max) > 0)
			s->snd_max = seq + len;
		s->next_seq = seq + len;
		emit_data(s, out, data, len, ts);
		return;
	}
	segment_general(pool, s, seq, data, len, fin, ts, out);
}

/* RFC 9293 3.10.7.4: an ack of data never sent (stream_ack).  Out of line,
 * as the rest of stream_ack's rare work: the common ack pays for none of
 * its frame. */
static __attribute__((noinline)) void bad_ack(struct stream_pool *pool, struct stream *s,
					       uint32_t ack, const struct stream_sink *out)
{
	pool->bad_acks++;
	if (s->rej_seg_valid && seq_diff(ack, s->rej_seg_start) >= 0 &&
	    seq_diff(ack, s->rej_seg_end) <= 0) {
		reanchor(pool, s, ack, out);
		return;
	}
	s->rej_ack_valid = 1;
	s->rej_ack = ack;
	report(out, STREAM_AN_BAD_ACK, ack, 0, 0);
}

/* The peer acknowledged bytes beyond holes before buffered data: they will
 * not come (stream_ack). */
static __attribute__((noinline)) void skip_acked_holes(struct stream_pool *pool,
							struct stream *s, uint32_t ack,
							const struct stream_sink *out)
{
	while (s->ooo && seq_diff(ack, s->next_seq) > 0)
		skip_hole(pool, s, ack, out);
}

void stream_ack(struct stream_pool *pool, struct stream *s, uint32_t ack,
		uint32_t wnd, const struct stream_sink *out)
{
	if (!s->started)
		return;
	if (wnd < STREAM_WND_FLOOR)
		wnd = STREAM_WND_FLOOR;
	if (wnd > s->wnd)
		s->wnd = wnd;
	if (!s->anchored && seq_diff(ack, s->first_seq) > 0 && seq_diff(ack, s->snd_max) <= 0)
		s->anchored = 1;        /* the peer confirms data this side sent */
	if (s->anchored) {
		int32_t past = seq_diff(ack, s->snd_max);

		if (past > 0 && (uint32_t)past > s->wnd) {
			bad_ack(pool, s, ack, out);
			return;
		}
	}
	if (!s->acked_valid || seq_diff(ack, s->acked) > 0) {
		s->acked = ack;
		s->acked_valid = 1;
	}
	if (s->ooo && seq_diff(ack, s->next_seq) > 0)
		skip_acked_holes(pool, s, ack, out);
}

void stream_flush(struct stream_pool *pool, struct stream *s,
		  const struct stream_sink *out)
{
	while (s->ooo)
		skip_hole(pool, s, s->ooo->seq, out);
}
