/*
 * frag.c - bounded IPv4 fragment reassembly (see frag.h; RFC 791 3.2,
 * RFC 815 for the hole bookkeeping idea).
 *
 * Each datagram keeps a sorted list of the disjoint byte ranges received.
 * A new fragment only fills bytes not yet held (first arrival wins), so
 * overlapping or retransmitted fragments can never change data already
 * accepted.  The datagram completes when the last fragment (MF=0) fixed
 * its length and one range covers [0, length).
 */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "frag.h"
#include "hash.h"
#include "list.h"
#include "seed.h"

#define FRAG_MAX_DATAGRAM 65535
#define FRAG_MAX_HDR 60
#define FRAG_IPV6_HDR 40

struct piece {
	uint32_t start, end;        /* [start, end) payload bytes */
};

/* What identifies a datagram: IPv4 (RFC 791: source, destination,
 * protocol, 16-bit identification) or IPv6 (RFC 8200 4.5: source,
 * destination, 32-bit identification; the next header is not part of it).
 * No implicit padding: keys compare with memcmp. */
struct frag_key {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t proto;              /* IPv4 protocol; 0 for IPv6 */
	uint8_t ver;                /* 4 or 6 */
	uint8_t pad[2];
};

_Static_assert(sizeof(struct frag_key) == 40, "frag_key is hashed as five words");

struct datagram {
	struct datagram *hnext;     /* hash chain */
	struct ots_link age;        /* age list, first = oldest */
	struct frag_key key;
	struct timeval first;
	uint8_t hdr[FRAG_MAX_HDR];
	uint8_t hlen;               /* 0 until the first fragment (offset 0) arrived */
	uint8_t have_end;
	uint32_t end;               /* payload length once have_end */
	uint8_t *buf;
	uint32_t cap;
	uint32_t npieces;
	struct piece *pieces;
};

struct frag_table {
	struct frag_config cfg;
	struct datagram **buckets;
	uint32_t nbuckets;          /* power of two */
	struct ots_list age;        /* struct datagram, first = oldest */
	uint64_t seed;              /* hash seed */
	struct frag_stats st;
	uint8_t *out;               /* last completed datagram */
};

void frag_config_default(struct frag_config *cfg)
{
	cfg->max_datagrams = 1024;
	cfg->max_bytes = 16u << 20;
	cfg->timeout = 30.0;
	cfg->max_pieces = 64;
}

struct frag_table *frag_new(const struct frag_config *cfg)
{
	struct frag_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cfg = *cfg;
	if (t->cfg.max_datagrams == 0)
		t->cfg.max_datagrams = 1;
	if (t->cfg.max_pieces == 0)
		t->cfg.max_pieces = 1;
	t->seed = ots_random_seed();
	t->nbuckets = 64;
	while (t->nbuckets < t->cfg.max_datagrams && t->nbuckets < (1u << 20))
		t->nbuckets <<= 1;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	t->out = malloc(FRAG_MAX_HDR + FRAG_MAX_DATAGRAM);
	if (!t->buckets || !t->out) {
		frag_free(t);
		return NULL;
	}
	return t;
}

#define DG_OF(l) ots_list_entry((l), struct datagram, age)

static uint32_t key_hash(const struct frag_table *t, const struct frag_key *k)
{
	uint64_t w[5];

	memcpy(w, k, sizeof(w));
	return (uint32_t)ots_hash_words(w, 5, t->seed);
}

static void dg_unlink(struct frag_table *t, struct datagram *d)
{
	struct datagram **pp = &t->buckets[key_hash(t, &d->key) & (t->nbuckets - 1)];

	while (*pp && *pp != d)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = d->hnext;
	ots_list_unlink(&t->age, &d->age);
	t->st.bytes -= d->cap;
	t->st.in_progress--;
	free(d->buf);
	free(d->pieces);
	free(d);
}

void frag_free(struct frag_table *t)
{
	if (!t)
		return;
	while (t->age.first)
		dg_unlink(t, DG_OF(t->age.first));
	free(t->buckets);
	free(t->out);
	free(t);
}

void frag_expire(struct frag_table *t, const struct timeval *now)
{
	while (t->age.first) {
		struct datagram *d = DG_OF(t->age.first);
		double age = (double)(now->tv_sec - d->first.tv_sec) +
			     (double)(now->tv_usec - d->first.tv_usec) / 1e6;

		if (age < t->cfg.timeout)
			break;
		t->st.timeouts++;
		dg_unlink(t, d);
	}
}

static struct datagram *dg_find(struct frag_table *t, const struct frag_key *k,
				const struct timeval *ts, int create)
{
	uint32_t b = key_hash(t, k) & (t->nbuckets - 1);
	struct datagram *d;

	for (d = t->buckets[b]; d; d = d->hnext)
		if (!memcmp(&d->key, k, sizeof(*k)))
			return d;
	if (!create)
		return NULL;
	while (t->st.in_progress >= t->cfg.max_datagrams && t->age.first) {
		t->st.evicted++;
		dg_unlink(t, DG_OF(t->age.first));
	}
	d = calloc(1, sizeof(*d));
	if (!d || !(d->pieces = calloc(t->cfg.max_pieces, sizeof(*d->pieces)))) {
		free(d);
		t->st.nomem++;
		return NULL;
	}
	d->key = *k;
	d->first = *ts;
	d->hnext = t->buckets[b];
	t->buckets[b] = d;
	ots_list_push_back(&t->age, &d->age);
	t->st.in_progress++;
	return d;
}

/* Grow d->buf to hold need bytes, evicting older datagrams past the byte cap.
 * 0, or -1 when it cannot. */
static int dg_reserve(struct frag_table *t, struct datagram *d, uint32_t need)
{
	uint32_t ncap;
	uint8_t *nb;

	if (need <= d->cap)
		return 0;
	ncap = d->cap ? d->cap : 1024;
	while (ncap < need)
		ncap *= 2;
	if (ncap > FRAG_MAX_DATAGRAM)
		ncap = FRAG_MAX_DATAGRAM;
	while (t->st.bytes + (ncap - d->cap) > t->cfg.max_bytes && t->age.first &&
	       t->age.first != &d->age) {
		t->st.evicted++;
		dg_unlink(t, DG_OF(t->age.first));
	}
	if (t->st.bytes + (ncap - d->cap) > t->cfg.max_bytes)
		return -1;
	nb = realloc(d->buf, ncap);
	if (!nb) {
		t->st.nomem++;
		return -1;
	}
	d->buf = nb;
	t->st.bytes += ncap - d->cap;
	if (t->st.bytes > t->st.bytes_peak)
		t->st.bytes_peak = t->st.bytes;
	d->cap = ncap;
	return 0;
}

/* Copy [s, e) of data (offset base) into the gaps of d; returns 1 when some
 * of it overlapped bytes already held.  -1: too many pieces. */
static int dg_fill(struct frag_table *t, struct datagram *d, uint32_t s, uint32_t e,
		   const uint8_t *data)
{
	struct piece merged[2];
	uint32_t i, j, pos = s, overlap = 0;

	/* Copy the uncovered parts; pieces are sorted and disjoint. */
	for (i = 0; i < d->npieces && pos < e; i++) {
		const struct piece *p = &d->pieces[i];

		if (p->end <= pos)
			continue;
		if (p->start >= e)
			break;
		if (p->start > pos)
			memcpy(d->buf + pos, data + (pos - s), p->start - pos);
		overlap = 1;
		pos = p->end;
	}
	if (pos < e)
		memcpy(d->buf + pos, data + (pos - s), e - pos);

	/* Merge [s, e) into the piece list. */
	merged[0].start = s;
	merged[0].end = e;
	for (i = 0; i < d->npieces && d->pieces[i].end < s; i++)
		;
	j = i;
	while (j < d->npieces && d->pieces[j].start <= e) {
		if (d->pieces[j].start < merged[0].start)
			merged[0].start = d->pieces[j].start;
		if (d->pieces[j].end > merged[0].end)
			merged[0].end = d->pieces[j].end;
		j++;
	}
	/* pieces [i, j) collapse into merged[0] */
	if (j == i) {
		if (d->npieces >= t->cfg.max_pieces)
			return -1;
		memmove(&d->pieces[i + 1], &d->pieces[i], (d->npieces - i) * sizeof(*d->pieces));
		d->npieces++;
	} else if (j > i + 1) {
		memmove(&d->pieces[i + 1], &d->pieces[j], (d->npieces - j) * sizeof(*d->pieces));
		d->npieces -= j - i - 1;
	}
	d->pieces[i] = merged[0];
	return (int)overlap;
}

/*
 * One fragment of the datagram k: hdr/hlen the header the whole datagram
 * gets back, data/len the fragment's payload at byte offset off, more: not
 * the last.  max: the largest datagram (header and payload) allowed.
 */
static int frag_insert(struct frag_table *t, const struct timeval *ts, const struct frag_key *k,
		       const uint8_t *hdr, size_t hlen, const uint8_t *data, size_t len,
		       uint32_t off, int more, uint32_t max, const uint8_t **out, size_t *outlen)
{
	uint32_t end;
	struct datagram *d;
	int r;

	frag_expire(t, ts);
	if ((uint64_t)off + len + hlen > max) {
		t->st.too_large++;
		d = dg_find(t, k, ts, 0);
		if (d)
			dg_unlink(t, d);
		return 0;
	}
	if ((more && (len % 8 != 0 || len == 0))) {
		t->st.bad++;
		return 0;
	}
	d = dg_find(t, k, ts, 1);
	if (!d)
		return 0;
	end = off + (uint32_t)len;
	if (!more) {
		if (d->have_end && d->end != end) {
			t->st.bad++;            /* a second, different end: keep the first */
			return 0;
		}
		d->have_end = 1;
		d->end = end;
	}
	if (d->have_end && end > d->end) {
		t->st.bad++;
		if (off >= d->end)
			return 0;
		end = d->end;           /* the part past the end is ignored */
	}
	if (off == 0 && !d->hlen) {
		memcpy(d->hdr, hdr, hlen);
		d->hlen = (uint8_t)hlen;
	}
	if (end > off) {
		if (dg_reserve(t, d, end) < 0) {
			dg_unlink(t, d);
			return 0;
		}
		r = dg_fill(t, d, off, end, data);
		if (r < 0) {
			t->st.too_many_pieces++;
			dg_unlink(t, d);
			return 0;
		}
		if (r > 0)
			t->st.overlaps++;
	}
	if (!d->have_end || !d->hlen || d->npieces != 1 ||
	    d->pieces[0].start != 0 || d->pieces[0].end != d->end)
		return 0;
	if ((uint32_t)d->hlen + d->end > max) {
		t->st.too_large++;
		dg_unlink(t, d);
		return 0;
	}

	/* Complete: the header with its length set, then the payload. */
	memcpy(t->out, d->hdr, d->hlen);
	if (k->ver == 4) {
		/* total length, flags and offset cleared */
		t->out[2] = (uint8_t)((d->hlen + d->end) >> 8);
		t->out[3] = (uint8_t)(d->hlen + d->end);
		t->out[6] = 0;
		t->out[7] = 0;
	} else {
		/* payload length (the header is the 40 fixed bytes) */
		t->out[4] = (uint8_t)(d->end >> 8);
		t->out[5] = (uint8_t)d->end;
	}
	if (d->end)
		memcpy(t->out + d->hlen, d->buf, d->end);
	*out = t->out;
	*outlen = d->hlen + d->end;
	t->st.reassembled++;
	dg_unlink(t, d);
	return 1;
}

int frag_add(struct frag_table *t, const struct timeval *ts,
	     const uint8_t *hdr, size_t hlen, const uint8_t *data, size_t len,
	     uint32_t off, int more, const uint8_t **out, size_t *outlen)
{
	struct frag_key k;
	struct cursor c;

	t->st.fragments++;
	memset(&k, 0, sizeof(k));
	k.ver = 4;
	cur_init(&c, hdr, hlen);
	cur_skip(&c, 4);
	k.id = cur_be16(&c);
	cur_skip(&c, 3);
	k.proto = cur_u8(&c);
	cur_skip(&c, 2);
	cur_copy(&c, k.src, 4);
	cur_copy(&c, k.dst, 4);
	if (!cur_ok(&c) || hlen > FRAG_MAX_HDR) {
		t->st.bad++;
		return 0;
	}
	return frag_insert(t, ts, &k, hdr, hlen, data, len, off, more, FRAG_MAX_DATAGRAM,
			   out, outlen);
}

int frag_add6(struct frag_table *t, const struct timeval *ts, const uint8_t *hdr,
	      uint8_t next, uint32_t id, const uint8_t *data, size_t len,
	      uint32_t off, int more, const uint8_t **out, size_t *outlen)
{
	struct frag_key k;
	uint8_t base[FRAG_IPV6_HDR];

	t->st.fragments++;
	memset(&k, 0, sizeof(k));
	k.ver = 6;
	memcpy(k.src, hdr + 8, 16);
	memcpy(k.dst, hdr + 24, 16);
	k.id = id;
	memcpy(base, hdr, FRAG_IPV6_HDR);
	base[6] = next;                 /* the fragmentable part's first header */
	return frag_insert(t, ts, &k, base, FRAG_IPV6_HDR, data, len, off, more,
			   FRAG_IPV6_HDR + FRAG_MAX_DATAGRAM, out, outlen);
}

void frag_get_stats(const struct frag_table *t, struct frag_stats *st)
{
	*st = t->st;
}

void frag_stats_json(const struct frag_table *t, json_t *obj)
{
	const struct frag_stats *s = &t->st;

#define FS(n) json_object_set_new(obj, #n, json_integer((json_int_t)s->n))
	FS(fragments);
	FS(reassembled);
	FS(overlaps);
	FS(timeouts);
	FS(evicted);
	FS(too_large);
	FS(bad);
	FS(too_many_pieces);
	FS(nomem);
	FS(in_progress);
	FS(bytes);
	FS(bytes_peak);
#undef FS
}
