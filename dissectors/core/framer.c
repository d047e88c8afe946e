/*
 * framer.c - length-prefixed PDU framing over a byte stream (see framer.h).
 */
#include <stdlib.h>
#include <string.h>

#include "framer.h"

/* Bytes taken at a time while a header is still undecided. */
#define FRAMER_HEADER_STEP 16

void framer_init(struct framer *f, size_t max)
{
	memset(f, 0, sizeof(*f));
	f->max = max ? max : 65536;
}

void framer_free(struct framer *f)
{
	if (!f)
		return;
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = 0;
}

void framer_reset(struct framer *f)
{
	f->len = 0;
}

/* Append n bytes to the carry buffer; n never takes it past f->max. */
static int framer_append(struct framer *f, const uint8_t *p, size_t n)
{
	if (f->len + n > f->cap) {
		size_t want = f->cap ? f->cap : 256;
		uint8_t *nb;

		while (want < f->len + n)
			want *= 2;
		if (want > f->max)
			want = f->max;
		nb = realloc(f->buf, want);
		if (!nb)
			return -1;
		f->buf = nb;
		f->cap = want;
	}
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	return 0;
}

static void framer_drop_front(struct framer *f, size_t n)
{
	if (n >= f->len) {
		f->len = 0;
		return;
	}
	memmove(f->buf, f->buf + n, f->len - n);
	f->len -= n;
}

/* Work on the carry buffer until it is empty or needs more input.
 * Consumes input bytes as needed. */
static size_t framer_drain_buffer(struct framer *f, const uint8_t **data, size_t *len,
				  framer_len_fn len_fn, framer_pdu_fn on_pdu, void *ud)
{
	size_t skipped = 0;

	while (f->len > 0) {
		long r = len_fn(f->buf, f->len, ud);
		size_t take;

		if (r < 0) {
			size_t n = (size_t)-r < f->len ? (size_t)-r : f->len;
			framer_drop_front(f, n);
			skipped += n;
			continue;
		}
		if (r > 0 && (size_t)r > f->max) {
			f->oversize++;
			framer_drop_front(f, 1);
			skipped++;
			continue;
		}
		if (r > 0 && (size_t)r <= f->len) {
			f->pdus++;
			on_pdu(f->buf, (size_t)r, ud);
			framer_drop_front(f, (size_t)r);
			continue;
		}
		if (*len == 0)
			break;
		if (r == 0) {
			if (f->len >= f->max) {     /* header never decides */
				framer_drop_front(f, 1);
				skipped++;
				continue;
			}
			take = FRAMER_HEADER_STEP;
			if (take > f->max - f->len)
				take = f->max - f->len;
		} else {
			take = (size_t)r - f->len;
		}
		if (take > *len)
			take = *len;
		if (framer_append(f, *data, take) < 0) {
			skipped += f->len;
			f->len = 0;
			break;
		}
		*data += take;
		*len -= take;
	}
	return skipped;
}

/* framer_feed's work, inline so that framer_sync_feed gets its own copy
 * with its two callbacks known (direct calls, no pointer hops). */
static inline __attribute__((always_inline)) size_t
feed_loop(struct framer *f, const uint8_t *data, size_t len,
	  framer_len_fn len_fn, framer_pdu_fn on_pdu, void *ud)
{
	size_t skipped = 0;

	if (f->len > 0)
		skipped += framer_drain_buffer(f, &data, &len, len_fn, on_pdu, ud);

	/* Fast path: PDUs wholly inside the fed bytes go out without a copy. */
	while (len > 0 && f->len == 0) {
		long r = len_fn(data, len, ud);

		if (r < 0) {
			size_t n = (size_t)-r < len ? (size_t)-r : len;
			data += n;
			len -= n;
			skipped += n;
			continue;
		}
		if (r > 0 && (size_t)r > f->max) {
			f->oversize++;
			data++;
			len--;
			skipped++;
			continue;
		}
		if (r > 0 && (size_t)r <= len) {
			f->pdus++;
			on_pdu(data, (size_t)r, ud);
			data += r;
			len -= (size_t)r;
			continue;
		}
		/* Partial PDU (or undecided header) at the end: carry it. */
		if (r == 0 && len >= f->max) {
			data++;
			len--;
			skipped++;
			continue;
		}
		if (framer_append(f, data, len) < 0)
			skipped += len;
		len = 0;
	}
	f->skipped += skipped;
	return skipped;
}

size_t framer_feed(struct framer *f, const uint8_t *data, size_t len,
		   framer_len_fn len_fn, framer_pdu_fn on_pdu, void *ud)
{
	return feed_loop(f, data, len, len_fn, on_pdu, ud);
}

/* ---- resynchronising on delivery boundaries ---------------------------- */

void framer_sync_init(struct framer_sync *s, size_t max, uint32_t max_bad_feeds)
{
	memset(s, 0, sizeof(*s));
	framer_init(&s->fr, max);
	s->max_bad_feeds = max_bad_feeds;
}

void framer_sync_free(struct framer_sync *s)
{
	if (s)
		framer_free(&s->fr);
}

struct framer_sync_call {
	struct framer_sync *s;
	const struct framer_sync_ops *ops;
	void *ud;
};

static long framer_sync_len(const uint8_t *p, size_t avail, void *ud)
{
	struct framer_sync_call *c = ud;
	struct framer_sync *s = c->s;
	long r;

	if (s->drop_feed || s->dead)
		return -(long)avail;
	r = c->ops->pdu_len(p, avail);
	if (r >= 0)
		return r;
	s->drop_feed = 1;
	if (s->feed_pdus > 0) {
		c->ops->on_break(FRAMER_BREAK_AFTER_PDU, avail, c->ud);
		return -(long)avail;
	}
	s->bad_feeds++;
	if (!s->resync && !s->reported) {
		s->reported = 1;
		c->ops->on_break(FRAMER_BREAK_FIRST, avail, c->ud);
	}
	if (s->bad_feeds >= s->max_bad_feeds)
		s->dead = 1;
	return -(long)avail;
}

static void framer_sync_pdu(const uint8_t *pdu, size_t len, void *ud)
{
	struct framer_sync_call *c = ud;

	c->s->bad_feeds = 0;
	c->s->resync = 0;
	c->s->feed_pdus++;
	c->ops->on_pdu(pdu, len, c->ud);
}

void framer_sync_feed(struct framer_sync *s, const uint8_t *data, size_t len,
		      const struct framer_sync_ops *ops, void *ud)
{
	struct framer_sync_call c = { s, ops, ud };

	if (s->dead) {
		s->ignored += len;
		return;
	}
	s->drop_feed = 0;
	s->feed_pdus = 0;
	s->ignored += feed_loop(&s->fr, data, len, framer_sync_len, framer_sync_pdu, &c);
}

int framer_sync_gap(struct framer_sync *s)
{
	int had = s->fr.len > 0;

	framer_reset(&s->fr);
	s->resync = 1;
	s->drop_feed = 0;
	return had;
}

size_t framer_sync_end(struct framer_sync *s)
{
	size_t n = s->fr.len > 0 && !s->dead && !s->resync ? s->fr.len : 0;

	framer_reset(&s->fr);
	return n;
}
