/*
 * baseline.c - learning and detection (see baseline.h, otsentry-baseline(5)).
 *
 * Everything learned lives in one bounded hash table of struct bl_entry,
 * keyed by a fixed-size binary struct bl_key.  Per packet the baseline does
 * at most a few lookups and only on the first packet of each flow direction
 * (bindings) or a bare SYN (scans); per OT event a handful of lookups.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <netinet/in.h>
#include <jansson.h>

#include "alert.h"
#include "baseline.h"
#include "baseline_int.h"
#include "hash.h"
#include "flow.h"
#include "pkt.h"
#include "event.h"

#define TV_SEC(tv) ((double)(tv).tv_sec + (double)(tv).tv_usec / 1e6)

/* ---- alert kinds ------------------------------------------------------- */

/* The stream layer's anomaly for a conflicting copy (src/flow/flow.c). */
#define BL_CONFLICT_REASON "stream.reassembly_overlap_different_data"

struct bl_kind_info {
	const char *name;
	const char *signature;
	const char *category;
	int severity;
	const char *mitre_id;
	const char *mitre_name;
};

/* Index: enum bl_kind.  Signature id = BASELINE_SID_BASE + index. */
static const struct bl_kind_info kind_info[BL_KIND_COUNT] = {
	[BL_NEW_ASSET] = { "new_asset", "OT baseline: new asset on the network",
		"Network Discovery", 2, "T0848", "Rogue Master" },
	[BL_IP_MAC_CHANGE] = { "ip_mac_change", "OT baseline: IP address moved to a new MAC",
		"Network Discovery", 1, "T0830", "Adversary-in-the-Middle" },
	[BL_NEW_EDGE] = { "new_edge", "OT baseline: new conversation",
		"Policy Violation", 2, "T0848", "Rogue Master" },
	[BL_NEW_PROTOCOL] = { "new_protocol", "OT baseline: host speaks a new protocol",
		"Policy Violation", 2, "T0869", "Standard Application Layer Protocol" },
	[BL_NEW_FUNCTION] = { "new_function", "OT baseline: new function code on a conversation",
		"Unauthorized Command", 2, "T0855", "Unauthorized Command Message" },
	[BL_UNEXPECTED_WRITE] = { "unexpected_write", "OT baseline: write or control where only reads were learned",
		"Unauthorized Command", 1, "T0855", "Unauthorized Command Message" },
	[BL_NEW_ADDRESS_RANGE] = { "new_address_range", "OT baseline: new address range accessed",
		"Unauthorized Command", 2, "T0836", "Modify Parameter" },
	[BL_IDENTITY_CHANGE] = { "identity_change", "OT baseline: device identity or firmware changed",
		"Device Change", 1, "T0839", "Module Firmware" },
	[BL_PERIOD_DRIFT] = { "period_drift", "OT baseline: polling period drifted beyond its learned spread",
		"Process Anomaly", 3, "T0814", "Denial of Service" },
	[BL_CHANNEL_SILENT] = { "channel_silent", "OT baseline: periodic conversation fell silent",
		"Process Anomaly", 2, "T0804", "Block Reporting Message" },
	[BL_UNEXPECTED_SEQUENCE] = { "unexpected_sequence", "OT baseline: unexpected message order",
		"Process Anomaly", 3, "T0855", "Unauthorized Command Message" },
	[BL_VALUE_OUT_OF_RANGE] = { "value_out_of_range", "OT baseline: process value outside its learned range",
		"Process Anomaly", 2, "T0832", "Manipulation of View" },
	[BL_EXTERNAL_OT_PEER] = { "external_ot_peer", "OT baseline: external address speaks an OT protocol",
		"Policy Violation", 1, "T0883", "Internet Accessible Device" },
	[BL_SCAN] = { "scan", "OT baseline: host probes many addresses, ports or unit ids",
		"Network Discovery", 2, "T0846", "Remote System Discovery" },
	[BL_ERROR_BURST] = { "error_burst", "OT baseline: burst of exception or error responses",
		"Process Anomaly", 3, "T0814", "Denial of Service" },
	[BL_CONFLICTING_COPY] = { "conflicting_copy", "OT baseline: two versions of one TCP stream (conflicting copy)",
		"Network Intrusion", 1, "T0830", "Adversary-in-the-Middle" },
	[BL_IT_CONVERSATION] = { "it_conversation", "OT baseline: new conversation with an OT asset over an IT protocol",
		"Lateral Movement", 2, "T0886", "Remote Services" },
	[BL_REMOTE_ACCESS] = { "remote_access", "OT baseline: new remote access session with an OT asset",
		"Lateral Movement", 1, "T0886", "Remote Services" },
	[BL_FILE_TRANSFER] = { "file_transfer", "OT baseline: new file transfer with an OT asset",
		"Lateral Movement", 1, "T0867", "Lateral Tool Transfer" },
	[BL_NEW_IO_CONNECTION] = { "new_io_connection", "OT baseline: connection opened to a new target or path",
		"Unauthorized Command", 1, "T0848", "Rogue Master" },
	[BL_IO_CONNECTION_CHANGED] = { "io_connection_changed", "OT baseline: I/O connection re-opened with another RPI, size or class",
		"Unauthorized Command", 1, "T0836", "Modify Parameter" },
	[BL_IO_SILENT] = { "io_silent", "OT baseline: cyclic I/O stream fell silent",
		"Process Anomaly", 1, "T0826", "Loss of Availability" },
	[BL_TEXT_CHANGE] = { "text_change", "OT baseline: text held in device registers changed",
		"Device Change", 3, "T0836", "Modify Parameter" },
};

const char *bl_kind_name(enum bl_kind k)
{
	return (k > 0 && k < BL_KIND_COUNT) ? kind_info[k].name : "unknown";
}

const char *bl_ekind_name(enum bl_ekind k)
{
	static const char *const n[BE_KIND_MAX] = {
		[BE_ASSET] = "asset", [BE_IDENT] = "identity", [BE_SERVICE] = "service",
		[BE_EDGE] = "edge", [BE_UNIT] = "unit", [BE_OP] = "operation",
		[BE_RANGE] = "range", [BE_CHAN] = "channel", [BE_TRANS] = "transition",
		[BE_VALUE] = "value", [BE_IOCONN] = "io_connection", [BE_IOSTREAM] = "io_stream",
	};
	return (k > 0 && k < BE_KIND_MAX) ? n[k] : "unknown";
}

/* ---- the table ---------------------------------------------------------- */

/* Keys are fixed-size, zero-padded and a multiple of 8 bytes: hash them a
 * word at a time (the lookup is on every OT event). */
_Static_assert(sizeof(struct bl_key) % 8 == 0, "bl_key must be whole words");

static uint64_t bl_hash_key(const struct bl_key *k)
{
	/* read in place: the key holds 64-bit members, so it is aligned as
	 * a word array is (the program is built with -fno-strict-aliasing) */
	_Static_assert(_Alignof(struct bl_key) >= _Alignof(uint64_t), "bl_key is word-aligned");
	return ots_hash_words((const uint64_t *)(const void *)k, sizeof(*k) / 8, 0);
}

uint64_t bl_sym_hash(const struct bl_sym *s)
{
	struct bl_sym c;

	memset(&c, 0, sizeof(c));
	c.func = s->func;
	c.sub = s->sub;
	c.space = s->space;
	c.block = s->block;
	c.start = s->start;
	c.count = s->count;
	return ots_hash_bytes(&c, sizeof(c), 0) | 1;
}

/* bl_sym_hash of the symbol s of channel c (NULL: none found), kept in
 * the channel: its key holds every field of the symbol, so the hash is the
 * channel's for good. */
static uint64_t chan_sym_hash(struct bl_entry *c, const struct bl_sym *s)
{
	if (!c)
		return bl_sym_hash(s);
	if (!c->sym_hash)
		c->sym_hash = bl_sym_hash(s);
	return c->sym_hash;
}

struct baseline *baseline_new(const struct bl_config *cfg)
{
	struct baseline *b = cfg ? calloc(1, sizeof(*b)) : NULL;

	if (!b)
		return NULL;
	b->cfg = *cfg;
	if (b->cfg.max_keys == 0)
		b->cfg.max_keys = 1;
	if (b->cfg.max_scan_sources == 0)
		b->cfg.max_scan_sources = 1;
	b->nbuckets = 1024;
	b->buckets = calloc(b->nbuckets, sizeof(*b->buckets));
	if (!b->buckets) {
		free(b);
		return NULL;
	}
	b->learning = 1;
	b->learn_start = b->learn_end = b->detect_start = -1;
	return b;
}

static void bl_entry_free(struct bl_entry *e)
{
	free(e->text);
	free(e->rng);
	free(e);
}

void baseline_free(struct baseline *b)
{
	struct bl_entry *e, *n;

	if (!b)
		return;
	for (e = b->head; e; e = n) {
		n = e->lnext;
		bl_entry_free(e);
	}
	free(b->buckets);
	free(b->scan);
	free(b->watch);
	free(b);
}

/* Bytes [lo, hi) (whole words) of two keys alike: a word at a time, read
 * in place (no copy of either key), unrolled; keys that differ mostly do
 * in their first words (kind, function). */
static inline __attribute__((always_inline)) int bl_key_words_eq(const struct bl_key *x,
								 const struct bl_key *y,
								 size_t lo, size_t hi)
{
	const unsigned char *p = (const unsigned char *)x, *q = (const unsigned char *)y;
	size_t i;

#pragma GCC unroll 16
	for (i = lo; i < hi; i += 8) {
		uint64_t a, c;

		memcpy(&a, p + i, sizeof(a));
		memcpy(&c, q + i, sizeof(c));
		if (a != c)
			return 0;
	}
	return 1;
}

static int bl_key_eq(const struct bl_key *x, const struct bl_key *y)
{
	return bl_key_words_eq(x, y, 0, sizeof(*x));
}

/* A key's head: the words before s1, every field but the transition
 * hashes and the two addresses; its tail: those. */
#define BL_KEY_HEAD (offsetof(struct bl_key, s1) / 8)
_Static_assert(offsetof(struct bl_key, s1) % 8 == 0 &&
	       offsetof(struct bl_key, count) + sizeof(uint32_t) <= offsetof(struct bl_key, s1) &&
	       offsetof(struct bl_key, a) > offsetof(struct bl_key, s1) &&
	       offsetof(struct bl_key, b) > offsetof(struct bl_key, s1),
	       "bl_key: the scalar fields first, then s1, s2, a, b");

static int bl_key_head_eq(const struct bl_key *x, const struct bl_key *y)
{
	return bl_key_words_eq(x, y, 0, BL_KEY_HEAD * 8);
}

static int bl_key_tail_eq(const struct bl_key *x, const struct bl_key *y)
{
	const unsigned char *p = (const unsigned char *)x, *q = (const unsigned char *)y;

	return memcmp(p + BL_KEY_HEAD * 8, q + BL_KEY_HEAD * 8, sizeof(*x) - BL_KEY_HEAD * 8) == 0;
}

static int bl_fast_near = 1;

void bl_set_fast_path(int on)
{
	bl_fast_near = on;
}

struct bl_entry *bl_find(const struct baseline *b, const struct bl_key *k)
{
	struct bl_entry *e = b->buckets[bl_hash_key(k) & (b->nbuckets - 1)];

	for (; e; e = e->hnext)
		if (bl_key_eq(&e->k, k))
			return e;
	return NULL;
}

/* Two keys made by key_edge (kind, protocol, transport and port in the
 * first word, the addresses from a on; every other word 0) alike: only
 * those words compared. */
static int bl_key_edge_eq(const struct bl_key *x, const struct bl_key *y)
{
	_Static_assert(offsetof(struct bl_key, port) + sizeof(uint16_t) <= 8 &&
		       offsetof(struct bl_key, a) % 8 == 0,
		       "key_edge's fields: the first word, then the addresses");
	return bl_key_words_eq(x, y, 0, 8) &&
	       bl_key_words_eq(x, y, offsetof(struct bl_key, a), sizeof(*x));
}

/* The flow's shortcut slot for its edge. */
static struct bl_entry **edge_slot(struct baseline *b, const struct flow *f)
{
	uint64_t h = (uint64_t)(uintptr_t)f * UINT64_C(0x9e3779b97f4a7c15);

	_Static_assert((BL_FLOW_EDGES & (BL_FLOW_EDGES - 1)) == 0 && BL_FLOW_EDGES <= 256,
		       "flow_edge is indexed by one byte of the hash");
	return &b->flow_edge[h >> 56 & (BL_FLOW_EDGES - 1)];
}

/* The edge with key k (made by key_edge) of a message on flow f: the
 * flow's shortcut slot, else the table (and the slot set).  A slot only
 * keeps an edge found by such a key, so the two differ, if at all, in the
 * words key_edge fills. */
static struct bl_entry *edge_find(struct baseline *b, const struct flow *f, const struct bl_key *k)
{
	struct bl_entry **slot = edge_slot(b, f);
	struct bl_entry *e = *slot;

	if (e && (bl_fast_near ? bl_key_edge_eq(&e->k, k) : bl_key_eq(&e->k, k)))
		return e;
	if ((e = bl_find(b, k)) != NULL)
		*slot = e;
	return e;
}

static void key_edge(struct bl_key *k, enum bl_ekind kind, const struct flow *f, uint8_t proto);

/* x and y the same address: version and all 16 bytes. */
static inline int bl_ip_same(const struct ot_ip *x, const struct ot_ip *y)
{
	uint64_t a[2], c[2];

	memcpy(a, x->a, sizeof(a));
	memcpy(c, y->a, sizeof(c));
	return x->ver == y->ver && ((a[0] ^ c[0]) | (a[1] ^ c[1])) == 0;
}

/* edge_find for the key key_edge(.., BE_EDGE, f, proto) makes, without
 * making it when the flow's slot holds the edge: the slot's key (made by
 * key_edge too) is compared field by field with what key_edge would put
 * in one. */
static struct bl_entry *edge_of_flow(struct baseline *b, const struct flow *f, uint8_t proto)
{
	struct bl_entry *e = *edge_slot(b, f);
	struct bl_key k;

	_Static_assert(sizeof(struct ot_ip) == 17, "an address: its version and 16 bytes");
	if (bl_fast_near && e && e->k.kind == BE_EDGE && e->k.proto == proto && e->k.l4 == f->l4 &&
	    e->k.port == f->srv_port && bl_ip_same(&e->k.a, &f->cli_ip) &&
	    bl_ip_same(&e->k.b, &f->srv_ip))
		return e;
	key_edge(&k, BE_EDGE, f, proto);
	return edge_find(b, f, &k);
}

/* Shortcut slots (struct bl_entry.near) by the kind of the entry that
 * keeps them: an edge's, then an operation's. */
enum {
	NEAR_UNIT = 0, NEAR_SRV, NEAR_CLI, NEAR_VALUE, NEAR_TRANS, NEAR_OPS,    /* edge */
	NEAR_RANGE = 0, NEAR_CHANS,                                     /* operation */
	NEAR_NEXT = 0,                          /* value point, transition, range */
};

/* Put e (may be NULL) in from's slot i, noting whether its key's tail is
 * from's: keys never change, so the note stays true while it is there.
 * Under bl_set_fast_path(0) nothing is noted: those slots are checked by
 * the whole key. */
static void near_put(struct bl_entry *from, int i, struct bl_entry *e)
{
	_Static_assert(BL_NEAR <= 8, "near_tail has a bit per slot");
	from->near[i] = e;
	if (e && bl_fast_near && bl_key_tail_eq(&e->k, &from->k))
		from->near_tail |= (uint8_t)(1u << i);
	else
		from->near_tail &= (uint8_t)~(1u << i);
}

/* Keep e in from's slots [lo, hi): the only one, else round robin. */
static void near_keep(struct bl_entry *from, int lo, int hi, struct bl_entry *e)
{
	if (hi - lo > 1) {
		if (from->near_rr < lo || from->near_rr >= hi)
			from->near_rr = (uint8_t)lo;
		lo = from->near_rr++;
	}
	near_put(from, lo, e);
}

/* bl_find through from's shortcut slots [lo, hi). */
static struct bl_entry *bl_find_near(const struct baseline *b, struct bl_entry *from,
				     int lo, int hi, const struct bl_key *k)
{
	struct bl_entry *e;
	int i;

	for (i = lo; i < hi; i++)
		if ((e = from->near[i]) != NULL && bl_key_eq(&e->k, k))
			return e;
	if ((e = bl_find(b, k)) != NULL)
		near_keep(from, lo, hi, e);
	return e;
}

/* bl_find_near for a key k whose tail is from's own (the caller's word:
 * k made from the edge's key, and from the edge or an entry found by such
 * a key).  A slot whose entry has that tail too (near_tail) is then the
 * key exactly when the heads match: half the words compared. */
static inline __attribute__((always_inline)) struct bl_entry *
bl_find_near_tail(const struct baseline *b, struct bl_entry *from,
					  int lo, int hi, const struct bl_key *k)
{
	struct bl_entry *e;
	int i;

	for (i = lo; i < hi; i++) {
		if ((e = from->near[i]) == NULL)
			continue;
		if ((from->near_tail >> i & 1) ? bl_key_head_eq(&e->k, k) : bl_key_eq(&e->k, k))
			return e;
	}
	if ((e = bl_find(b, k)) != NULL)
		near_keep(from, lo, hi, e);
	return e;
}

/* bl_get through from's shortcut slots [lo, hi) (from may be NULL). */
static struct bl_entry *bl_get_near(struct baseline *b, struct bl_entry *from, int lo, int hi,
				    const struct bl_key *k, double ts, int *created)
{
	struct bl_entry *e;
	int i;

	if (from) {
		for (i = lo; i < hi; i++)
			if ((e = from->near[i]) != NULL && bl_key_eq(&e->k, k)) {
				if (created)
					*created = 0;
				return e;
			}
	}
	if ((e = bl_get(b, k, ts, created)) != NULL && from)
		near_keep(from, lo, hi, e);
	return e;
}

static void bl_grow(struct baseline *b)
{
	uint32_t nb = b->nbuckets * 2, i;
	struct bl_entry **nt = calloc(nb, sizeof(*nt));
	struct bl_entry *e, *n;

	if (!nt)
		return;         /* keep the old table: slower, still correct */
	for (i = 0; i < b->nbuckets; i++) {
		for (e = b->buckets[i]; e; e = n) {
			uint64_t h = bl_hash_key(&e->k) & (nb - 1);
			n = e->hnext;
			e->hnext = nt[h];
			nt[h] = e;
		}
	}
	free(b->buckets);
	b->buckets = nt;
	b->nbuckets = nb;
}

struct bl_entry *bl_get(struct baseline *b, const struct bl_key *k, double ts, int *created)
{
	struct bl_entry *e = bl_find(b, k);
	uint64_t h;

	if (created)
		*created = 0;
	if (e)
		return e;
	if (b->nkeys >= b->cfg.max_keys) {
		b->refused++;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		b->refused++;
		return NULL;
	}
	e->k = *k;
	e->first = e->last = ts;
	e->min = INFINITY;
	e->max = -INFINITY;
	if (b->nkeys >= b->nbuckets)
		bl_grow(b);
	h = bl_hash_key(k) & (b->nbuckets - 1);
	e->hnext = b->buckets[h];
	b->buckets[h] = e;
	if (b->tail)
		b->tail->lnext = e;
	else
		b->head = e;
	b->tail = e;
	if (k->kind == BE_CHAN) {
		e->cnext = b->chans;
		b->chans = e;
		b->watch_valid = 0;
	} else if (k->kind == BE_IOSTREAM) {
		e->cnext = b->ios;
		b->ios = e;
	} else if (k->kind == BE_IOCONN) {
		e->cnext = b->ioconns;
		b->ioconns = e;
	}
	b->nkeys++;
	if (k->kind < BE_KIND_MAX)
		b->per_kind[k->kind]++;
	if (created)
		*created = 1;
	return e;
}

/* Insert [lo, hi] into the merged, sorted list (adjacent ranges merge).
 * Past BL_MAX_RANGES the last range widens instead: bounded, conservative. */
void bl_range_add(struct bl_entry *e, uint32_t lo, uint32_t hi)
{
	uint16_t i, j;

	for (i = 0; i < e->nr; i++) {
		if (hi < e->rng[i][0] && (uint64_t)hi + 1 < e->rng[i][0])
			break;
		if ((uint64_t)e->rng[i][1] + 1 >= lo) {
			/* overlaps or touches: merge, then absorb followers */
			if (lo < e->rng[i][0])
				e->rng[i][0] = lo;
			if (hi > e->rng[i][1])
				e->rng[i][1] = hi;
			for (j = i + 1; j < e->nr && (uint64_t)e->rng[i][1] + 1 >= e->rng[j][0]; j++)
				if (e->rng[j][1] > e->rng[i][1])
					e->rng[i][1] = e->rng[j][1];
			if (j > i + 1) {
				memmove(&e->rng[i + 1], &e->rng[j], (e->nr - j) * sizeof(e->rng[0]));
				e->nr -= (uint16_t)(j - i - 1);
			}
			return;
		}
	}
	if (e->nr >= BL_MAX_RANGES) {
		uint16_t k = i < e->nr ? i : e->nr - 1;
		if (lo < e->rng[k][0])
			e->rng[k][0] = lo;
		if (hi > e->rng[k][1])
			e->rng[k][1] = hi;
		return;
	}
	if (e->nr >= e->cr) {
		uint16_t nc = e->cr ? e->cr * 2 : 4;
		void *n = realloc(e->rng, nc * sizeof(e->rng[0]));
		if (!n)
			return;
		e->rng = n;
		e->cr = nc;
	}
	memmove(&e->rng[i + 1], &e->rng[i], (e->nr - i) * sizeof(e->rng[0]));
	e->rng[i][0] = lo;
	e->rng[i][1] = hi;
	e->nr++;
}

int bl_range_covers(const struct bl_entry *e, uint32_t lo, uint32_t hi)
{
	uint16_t i;

	for (i = 0; i < e->nr; i++)
		if (e->rng[i][0] <= lo && hi <= e->rng[i][1])
			return 1;
	return 0;
}

static void welford_add(struct bl_entry *e, double x)
{
	double d;

	e->n++;
	d = x - e->mean;
	e->mean += d / (double)e->n;
	e->m2 += d * (x - e->mean);
	if (x < e->min)
		e->min = x;
	if (x > e->max)
		e->max = x;
}

static double welford_std(const struct bl_entry *e)
{
	return e->n > 1 ? sqrt(e->m2 / (double)(e->n - 1)) : 0.0;
}

/* ---- what a value point is, and whether a model element is trusted ---------- */

/* A value is 16-bit register text when each of its two bytes is NUL or a
 * printable ASCII character and not both are NUL; *both: neither is NUL. */
static int reg_text_like(double v, int *both)
{
	unsigned x, hi, lo;

	*both = 0;
	if (!(v >= 1.0 && v <= 65535.0) || v != floor(v))
		return 0;
	x = (unsigned)v;
	hi = x >> 8;
	lo = x & 0xff;
	if ((hi && (hi < 0x20 || hi > 0x7e)) || (lo && (lo < 0x20 || lo > 0x7e)))
		return 0;
	*both = hi && lo;
	return 1;
}

#define BL_TEXT_RUN 3           /* registers in a row that make a text run */

/* Bit i set: value i of ev lies in a run of at least BL_TEXT_RUN
 * consecutive 16-bit registers (OT_SPACE_TEXT16: Modbus holding and input)
 * that all look like text, one of them with two printable characters (a
 * run of small numbers is not text). */
static uint32_t text_runs(const struct ot_event *ev)
{
	uint32_t bits = 0;
	int i = 0, j, both, any, space = -1;
	unsigned flags = 0;

	_Static_assert(OT_MAX_VALUES <= 32, "text_runs keeps one bit per value");
	while (i < ev->n_values) {
		const struct ot_value *v = &ev->values[i];
		if (v->space != space) {        /* the values of a message mostly share it */
			space = v->space;
			flags = ot_space_flags(v->space);
		}
		if (!(flags & OT_SPACE_TEXT16) || !reg_text_like(v->value, &both)) {
			i++;
			continue;
		}
		any = both;
		for (j = i + 1; j < ev->n_values; j++) {
			const struct ot_value *w = &ev->values[j];
			int b2;
			if (w->space != v->space || w->block != v->block ||
			    w->index != v->index + (uint32_t)(j - i) || !reg_text_like(w->value, &b2))
				break;
			any |= b2;
		}
		if (j - i >= BL_TEXT_RUN && any)
			for (; i < j; i++)
				bits |= 1u << i;
		i = j;
	}
	return bits;
}

/* ot_value_is_analog for the values of one message in turn: the answer
 * depends only on the space and block, which they mostly share. */
struct analog_memo {
	int space;              /* -1: nothing asked yet */
	uint16_t block;
	int yes;
};

static int value_is_analog(struct analog_memo *m, const struct ot_value *v)
{
	if (v->space != m->space || v->block != m->block) {
		m->space = v->space;
		m->block = v->block;
		m->yes = ot_value_is_analog(v);
	}
	return m->yes;
}

/* A drop from the top quarter of a 16-bit register to its bottom quarter
 * is a counter wrapping, not a decrease. */
static int value_wrapped(double prev, double v)
{
	return prev >= 49152.0 && prev <= 65535.0 && v >= 0.0 && v < 16384.0;
}

static void value_learn(struct bl_entry *e, double v, int in_text)
{
	/* saturating: after 2^32 samples the shape is known */
	if (e->n > 0 && e->n < UINT32_MAX) {
		if (v > e->vprev || value_wrapped(e->vprev, v))
			e->ups++;
		else if (v < e->vprev)
			e->downs++;
	}
	if (in_text && e->n < UINT32_MAX)
		e->texts++;
	e->vprev = v;
	welford_add(e, v);
}

enum bl_vclass bl_value_class(const struct bl_entry *e)
{
	if (e->n == 0)
		return BL_VC_ANALOG;
	if (e->texts * 2 > e->n)
		return BL_VC_TEXT;
	if (e->min == e->max)
		return BL_VC_CONSTANT;
	if (e->ups >= 3 && e->downs == 0)
		return BL_VC_COUNTER;
	return BL_VC_ANALOG;
}

const char *bl_vclass_name(enum bl_vclass c)
{
	static const char *const n[] = { "analog", "constant", "counter", "text" };
	return (unsigned)c < sizeof(n) / sizeof(n[0]) ? n[c] : "analog";
}

double bl_entry_span(const struct bl_entry *e)
{
	return e->last > e->first ? e->last - e->first : 0.0;
}

int bl_confident(const struct bl_config *cfg, const struct bl_entry *e)
{
	uint64_t have, need;

	switch ((enum bl_ekind)e->k.kind) {
	case BE_VALUE: have = e->n; need = cfg->min_value_samples; break;
	case BE_CHAN: have = e->n; need = cfg->min_period_samples; break;
	case BE_EDGE: have = e->count; need = cfg->min_value_samples; break;
	default: return 1;
	}
	return have >= need && bl_entry_span(e) >= cfg->min_span;
}

/* ---- keys ----------------------------------------------------------------- */

/* The sub-function as keys and symbols hold it: a DNP3 object group in
 * the high bits. */
static int32_t ev_sub(const struct ot_event *ev)
{
	return ev->group >= 0 ? (ev->group << 8) | (ev->subfunc & 0xff) : ev->subfunc;
}

static void key_edge(struct bl_key *k, enum bl_ekind kind, const struct flow *f, uint8_t proto)
{
	memset(k, 0, sizeof(*k));
	k->kind = (uint8_t)kind;
	k->a = f->cli_ip;
	k->b = f->srv_ip;
	k->proto = proto;
	k->l4 = f->l4;
	k->port = f->srv_port;
}

static void key_op(struct bl_key *k, enum bl_ekind kind, const struct flow *f,
		   const struct ot_event *ev)
{
	key_edge(k, kind, f, (uint8_t)ev->proto);
	k->func = ev->func;
	k->sub = ev_sub(ev);
}

/* key_edge(k, kind, f, proto) for the edge found by key_edge(.., BE_EDGE,
 * f, proto): the found key is byte for byte the one searched (padding and
 * unused fields zero included), so a copy with its kind changed is the
 * same key, made without clearing and filling it again. */
static void key_on_edge(struct bl_key *k, enum bl_ekind kind, const struct bl_entry *edge)
{
	*k = edge->k;
	k->kind = (uint8_t)kind;
}

/* key_op(k, kind, f, ev) the same way. */
static void key_op_on_edge(struct bl_key *k, enum bl_ekind kind, const struct bl_entry *edge,
			   const struct ot_event *ev)
{
	key_on_edge(k, kind, edge);
	k->func = ev->func;
	k->sub = ev_sub(ev);
}

static int32_t ev_unit(const struct ot_event *ev)
{
	if (ev->unit >= 0)
		return ev->unit;
	if (ev->dir == OT_DIR_REQUEST && ev->link_dst >= 0)
		return ev->link_dst;
	if (ev->dir != OT_DIR_REQUEST && ev->link_src >= 0)
		return ev->link_src;
	return -1;
}

static void ev_symbol(const struct ot_event *ev, struct bl_sym *s)
{
	memset(s, 0, sizeof(*s));
	s->func = ev->func;
	s->sub = ev_sub(ev);
	if (ev->n_ranges > 0) {
		s->space = ev->ranges[0].space;
		s->block = ev->ranges[0].block;
		s->start = ev->ranges[0].start;
		s->count = ev->ranges[0].count;
	}
}

static void value_key(struct bl_key *k, const struct ot_event *ev, const struct flow *f,
		      const struct ot_value *v)
{
	memset(k, 0, sizeof(*k));
	k->kind = BE_VALUE;
	k->proto = (uint8_t)ev->proto;
	k->a = f->srv_ip;
	k->unit = ev_unit(ev);
	k->space = v->space;
	k->block = v->block;
	k->start = v->index;
}

static int cat_is_write(int cat)
{
	return cat == OT_CAT_WRITE || cat == OT_CAT_CONTROL;
}

/* ---- alerts --------------------------------------------------------------- */

/* An alert on its way: what bl_alert_begin made, bl_alert_end raises. */
struct bl_pending {
	struct alert a;
	enum bl_kind kind;
	int wanted;             /* its evidence and metadata will be read */
	char key[320];
};

/* The alert of kind about to be raised; 1 when its evidence is wanted
 * (alert_wanted: a repeat or one over the rate cap is only counted, and
 * a caller may then skip building the evidence and pass NULL). */
static int bl_alert_begin(struct baseline *b, struct bl_pending *p, enum bl_kind kind, double ts,
			  const struct flow *f, int from_client, const struct ot_event *ev,
			  const char *dedup, const char *mitre_id, const char *mitre_name)
{
	const struct bl_kind_info *ki = &kind_info[kind];
	struct alert *a = &p->a;

	p->kind = kind;
	p->wanted = 0;
	if (!b->alerter)
		return 0;
	memset(a, 0, sizeof(*a));
	a->sid = BASELINE_SID_BASE + (uint32_t)kind;
	a->rev = 1;
	a->gid = BASELINE_GID;
	a->signature = ki->signature;
	a->category = ki->category;
	a->severity = ki->severity;
	a->mitre_id = mitre_id ? mitre_id : ki->mitre_id;
	a->mitre_name = mitre_name ? mitre_name : ki->mitre_name;
	a->source = "baseline";
	a->ts.tv_sec = (time_t)ts;
	a->ts.tv_usec = (suseconds_t)((ts - floor(ts)) * 1e6);
	a->flow = f;
	a->from_client = from_client;
	a->ev = ev;
	snprintf(p->key, sizeof(p->key), "%s|%s", ki->name, dedup ? dedup : "");
	a->dedup_key = p->key;
	p->wanted = alert_wanted(b->alerter, a);
	return p->wanted;
}

/* Count and raise the alert begun in p, with its evidence (stolen). */
static void bl_alert_end(struct baseline *b, struct bl_pending *p, json_t *evidence)
{
	b->alerts[p->kind]++;
	if (!b->alerter) {
		json_decref(evidence);
		return;
	}
	p->a.evidence = evidence;
	p->a.metadata = NULL;
	if (p->wanted) {
		/* {"kind": name}: the names are ASCII */
		p->a.metadata = json_object();
		json_object_set_new_nocheck(p->a.metadata, "kind",
					    json_string_nocheck(kind_info[p->kind].name));
	}
	alert_raise(b->alerter, &p->a);
}

static void bl_alert(struct baseline *b, enum bl_kind kind, double ts,
		     const struct flow *f, int from_client, const struct ot_event *ev,
		     const char *dedup, json_t *evidence, const char *mitre_id,
		     const char *mitre_name)
{
	struct bl_pending p;

	bl_alert_begin(b, &p, kind, ts, f, from_client, ev, dedup, mitre_id, mitre_name);
	bl_alert_end(b, &p, evidence);
}

static json_t *ip_json(const struct ot_ip *ip)
{
	char s[OTS_IPSTR_LEN];
	return json_string(ot_ip_str(ip, s, sizeof(s)));
}

static const char *edge_dedup(const struct flow *f, const char *proto, char *buf, size_t len)
{
	char c[OTS_IPSTR_LEN], s[OTS_IPSTR_LEN];

	snprintf(buf, len, "%s|%s|%s|%u", ot_ip_str(&f->cli_ip, c, sizeof(c)),
		 ot_ip_str(&f->srv_ip, s, sizeof(s)), proto, f->srv_port);
	return buf;
}

/* The edge's dedup key in buf, made on first use (most events raise no
 * alert and need none). */
static const char *edge_key(char *buf, size_t len, const struct flow *f, const struct ot_event *ev)
{
	if (!buf[0])
		edge_dedup(f, ot_proto_name(ev->proto), buf, len);
	return buf;
}

#define EDGE_KEY edge_key(eb, sizeof(eb), f, ev)

/* Learned functions of an edge, for evidence. */
static json_t *edge_learned_funcs(const struct baseline *b, const struct flow *f, uint8_t proto)
{
	json_t *arr = json_array();
	const struct bl_entry *e;
	int n = 0;

	for (e = b->head; e && n < 32; e = e->lnext) {
		if (e->k.kind != BE_OP || e->k.proto != proto || e->k.port != f->srv_port ||
		    ot_ip_cmp(&e->k.a, &f->cli_ip) || ot_ip_cmp(&e->k.b, &f->srv_ip))
			continue;
		json_array_append_new(arr, json_integer(e->k.func));
		n++;
	}
	return arr;
}

/* ---- scans ------------------------------------------------------------------ */

#define SCAN_SET 64

struct bl_scan_src {
	struct ot_ip ip;
	double win_start;
	uint8_t used, alerted;
	uint16_t ntargets;
	uint64_t targets[SCAN_SET];     /* hashes of distinct unlearned targets */
};

static struct bl_scan_src *scan_slot(struct baseline *b, const struct ot_ip *ip, double ts)
{
	uint32_t n = b->cfg.max_scan_sources, i, probe, victim = 0;
	double oldest = INFINITY;
	uint64_t h;
	struct bl_scan_src *s;

	if (!b->scan) {
		b->scan = calloc(n, sizeof(*b->scan));
		if (!b->scan)
			return NULL;
	}
	h = ots_hash_bytes(ip, sizeof(*ip), 0);
	for (probe = 0; probe < 8 && probe < n; probe++) {
		i = (uint32_t)((h + probe) % n);
		s = &b->scan[i];
		if (s->used && ot_ip_cmp(&s->ip, ip) == 0)
			goto found;
		if (!s->used) {
			victim = i;
			oldest = -INFINITY;
			break;
		}
		if (s->win_start < oldest) {
			oldest = s->win_start;
			victim = i;
		}
	}
	s = &b->scan[victim];
	if (s->used)
		b->scan_evicted++;
	memset(s, 0, sizeof(*s));
	s->used = 1;
	s->ip = *ip;
	s->win_start = ts;
found:
	if (ts - s->win_start > b->cfg.scan_window) {
		s->win_start = ts;
		s->ntargets = 0;
		s->alerted = 0;
	}
	return s;
}

/* Count one unlearned target for src; 1 when the source crossed the limit. */
static int scan_note(struct baseline *b, const struct ot_ip *src, uint64_t target,
		     double ts, uint32_t limit)
{
	struct bl_scan_src *s = scan_slot(b, src, ts);
	uint16_t i;

	if (!s)
		return 0;
	for (i = 0; i < s->ntargets; i++)
		if (s->targets[i] == target)
			return 0;
	if (s->ntargets < SCAN_SET)
		s->targets[s->ntargets++] = target;
	if (s->ntargets >= limit && !s->alerted) {
		s->alerted = 1;
		return 1;
	}
	return 0;
}

/* ---- packets ----------------------------------------------------------------- */

static int ip_is_unspecified(const struct ot_ip *ip)
{
	static const uint8_t zero[16];
	return ip->ver == 0 || memcmp(ip->a, zero, 16) == 0;
}

static void asset_learn(struct bl_entry *e, const struct pkt_meta *p)
{
	uint8_t i;

	if (p->has_mac && !e->many_macs) {
		for (i = 0; i < e->nmac; i++)
			if (memcmp(e->macs[i], p->src_mac, 6) == 0)
				break;
		if (i == e->nmac) {
			if (e->nmac < BL_MAX_MACS)
				memcpy(e->macs[e->nmac++], p->src_mac, 6);
			else
				e->many_macs = 1;
		}
	}
	if (p->nvlan) {
		for (i = 0; i < e->nvlan; i++)
			if (e->vlans[i] == p->vlan[0])
				break;
		if (i == e->nvlan && e->nvlan < BL_MAX_VLANS)
			e->vlans[e->nvlan++] = p->vlan[0];
	}
}

static void asset_detect(struct baseline *b, const struct pkt_meta *p, const struct flow *f,
			 int dir, double ts)
{
	struct bl_key k;
	struct bl_entry *e;
	char ipbuf[OTS_IPSTR_LEN], mac[20];
	uint8_t i;

	memset(&k, 0, sizeof(k));
	k.kind = BE_ASSET;
	k.a = p->src_ip;
	e = bl_find(b, &k);
	if (!e) {
		if (ot_ip_is_public(&p->src_ip))
			return;         /* outside addresses are not plant assets */
		bl_alert(b, BL_NEW_ASSET, ts, f, dir == FLOW_C2S, NULL,
			 ot_ip_str(&p->src_ip, ipbuf, sizeof(ipbuf)),
			 json_pack("{s:o,s:s}", "ip", ip_json(&p->src_ip), "mac",
				   p->has_mac ? ot_mac_str(p->src_mac, mac, sizeof(mac)) : ""),
			 NULL, NULL);
		return;
	}
	if (!p->has_mac || e->many_macs || e->nmac == 0)
		return;
	for (i = 0; i < e->nmac; i++)
		if (memcmp(e->macs[i], p->src_mac, 6) == 0)
			return;
	{
		json_t *learned = json_array();
		char dk[80];

		for (i = 0; i < e->nmac; i++)
			json_array_append_new(learned, json_string(ot_mac_str(e->macs[i], mac, sizeof(mac))));
		snprintf(dk, sizeof(dk), "%s|%s", ot_ip_str(&p->src_ip, ipbuf, sizeof(ipbuf)),
			 ot_mac_str(p->src_mac, mac, sizeof(mac)));
		bl_alert(b, BL_IP_MAC_CHANGE, ts, f, dir == FLOW_C2S, NULL, dk,
			 json_pack("{s:o,s:s,s:o}", "ip", ip_json(&p->src_ip), "seen_mac", mac,
				   "learned_macs", learned), NULL, NULL);
	}
}

/* ---- conversations other than OT protocols ------------------------------------ */

/* A flow is judged once: when its packets (both directions) reach
 * CONV_JUDGE_PKTS, when nDPI has had its look, or at its end if it ended
 * sooner. */
#define CONV_JUDGE_PKTS 8

enum conv_class { CONV_OTHER = 0, CONV_REMOTE, CONV_FILE };

/* What the application label (else the server port) says the conversation
 * is: remote access (RDP, VNC, SSH, Telnet) or file transfer (SMB, FTP,
 * TFTP). */
static enum conv_class conv_classify(const struct flow *f)
{
	static const struct { const char *label; enum conv_class c; } labels[] = {
		{ "RDP", CONV_REMOTE }, { "VNC", CONV_REMOTE }, { "SSH", CONV_REMOTE },
		{ "Telnet", CONV_REMOTE }, { "TeamViewer", CONV_REMOTE }, { "AnyDesk", CONV_REMOTE },
		{ "SMB", CONV_FILE }, { "SMBv1", CONV_FILE }, { "SMBv23", CONV_FILE },
		{ "FTP_CONTROL", CONV_FILE }, { "FTP_DATA", CONV_FILE }, { "FTP", CONV_FILE },
		{ "TFTP", CONV_FILE }, { "NFS", CONV_FILE }, { "SFTP", CONV_FILE },
	};
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(f->app_proto, labels[i].label) == 0)
			return labels[i].c;
	if (f->app_proto[0] && strcmp(f->app_proto, "Unknown") != 0)
		return CONV_OTHER;      /* nDPI named it: trust the name over the port */
	switch (f->srv_port) {
	case 22: case 23: case 3389: case 5900: case 5901: case 5938:
		return CONV_REMOTE;
	case 20: case 21: case 69: case 139: case 445: case 2049:
		return CONV_FILE;
	default:
		return CONV_OTHER;
	}
}

/* The OT protocols ip was learned speaking, as "modbus/server" strings into
 * arr (NULL: only say whether there is any).  Number of them. */
static int ot_services(const struct baseline *b, const struct ot_ip *ip, json_t *arr)
{
	struct bl_key k;
	char buf[48];
	int pr, role, n = 0;

	memset(&k, 0, sizeof(k));
	k.kind = BE_SERVICE;
	k.a = *ip;
	for (pr = 1; pr < OT_PROTO_COUNT; pr++)
		for (role = 0; role < 2; role++) {
			k.proto = (uint8_t)pr;
			k.role = (uint8_t)role;
			if (!bl_find(b, &k))
				continue;
			n++;
			if (!arr)
				return n;
			snprintf(buf, sizeof(buf), "%s/%s", ot_proto_name((enum ot_proto)pr),
				 role ? "server" : "client");
			json_array_append_new(arr, json_string(buf));
		}
	return n;
}

static void conversation_judge(struct baseline *b, const struct flow *f, double ts)
{
	static const char *const l4names[256] = { [IPPROTO_TCP] = "tcp", [IPPROTO_UDP] = "udp" };
	struct bl_key k;
	enum conv_class c;
	enum bl_kind kind;
	const char *mitre_id = NULL, *mitre_name = NULL;
	json_t *cli_ot, *srv_ot;
	char cb[OTS_IPSTR_LEN], sb[OTS_IPSTR_LEN], dk[160];
	int ncli, nsrv;

	if (f->ot_proto || ip_is_unspecified(&f->cli_ip))
		return;         /* OT conversations are judged message by message */
	if (f->l4 == IPPROTO_TCP && f->pkts[FLOW_C2S] + f->pkts[FLOW_S2C] < CONV_JUDGE_PKTS &&
	    f->tcp_state != FLOW_TCP_ESTABLISHED && f->tcp_state != FLOW_TCP_CLOSING &&
	    f->tcp_state != FLOW_TCP_CLOSED)
		return;         /* refused, reset or unanswered attempts: the scan detector's */
	key_edge(&k, BE_EDGE, f, 0);
	if (bl_find(b, &k))
		return;
	ncli = ot_services(b, &f->cli_ip, NULL);
	nsrv = ot_services(b, &f->srv_ip, NULL);
	if (!ncli && !nsrv && !b->cfg.it_conversations_all)
		return;
	c = conv_classify(f);
	kind = c == CONV_REMOTE ? BL_REMOTE_ACCESS : c == CONV_FILE ? BL_FILE_TRANSFER
	       : BL_IT_CONVERSATION;
	if (c == CONV_REMOTE && ot_ip_is_public(&f->cli_ip)) {
		mitre_id = "T0822";
		mitre_name = "External Remote Services";
	}
	cli_ot = json_array();
	srv_ot = json_array();
	ot_services(b, &f->cli_ip, cli_ot);
	ot_services(b, &f->srv_ip, srv_ot);
	ot_ip_str(&f->cli_ip, cb, sizeof(cb));
	ot_ip_str(&f->srv_ip, sb, sizeof(sb));
	snprintf(dk, sizeof(dk), "%s|%s|%u|%u", cb, sb, (unsigned)f->l4, (unsigned)f->srv_port);
	bl_alert(b, kind, ts, f, 1, NULL, dk,
		 json_pack("{s:s,s:s,s:s,s:i,s:s,s:o,s:o,s:s}", "client", cb, "server", sb,
			   "transport", l4names[f->l4] ? l4names[f->l4] : "other",
			   "port", (int)f->srv_port, "app_proto", f->app_proto[0] ? f->app_proto : "unknown",
			   "client_learned_ot", cli_ot, "server_learned_ot", srv_ot,
			   "learned", "no conversation between these hosts on this port and transport"),
		 mitre_id, mitre_name);
}

void baseline_flow_end(struct baseline *b, const struct flow *f)
{
	if (b->detecting && f->pkts[FLOW_C2S] + f->pkts[FLOW_S2C] < CONV_JUDGE_PKTS)
		conversation_judge(b, f, TV_SEC(f->last));
}

/* A bare SYN: the scan detector's packet. */
static int pkt_bare_syn(const struct pkt_meta *p)
{
	return p->l4 == IPPROTO_TCP && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
}

static __attribute__((noinline)) void packet_work(struct baseline *b, const struct pkt_meta *p,
						   const struct flow *f, int dir)
{
	double ts = TV_SEC(p->ts);
	struct bl_key k;
	struct bl_entry *e;

	if (b->learn_start < 0 && b->learning)
		b->learn_start = ts;
	if (b->learning) {
		b->learn_end = ts;
		b->learned_packets++;
	}
	if (f && b->detecting && f->pkts[FLOW_C2S] + f->pkts[FLOW_S2C] == CONV_JUDGE_PKTS)
		conversation_judge(b, f, ts);
	if (!f || f->pkts[dir] != 1 || ip_is_unspecified(&p->src_ip))
		goto syn;

	/* First packet of each direction: bindings and the plain edge. */
	if (b->detecting)
		asset_detect(b, p, f, dir, ts);
	if (b->learning) {
		memset(&k, 0, sizeof(k));
		k.kind = BE_ASSET;
		k.a = p->src_ip;
		if ((e = bl_get(b, &k, ts, NULL)) != NULL) {
			asset_learn(e, p);
			e->last = ts;
			e->count++;
		}
		if (dir == FLOW_C2S) {
			key_edge(&k, BE_EDGE, f, 0);
			if ((e = bl_get(b, &k, ts, NULL)) != NULL) {
				e->last = ts;
				e->count++;
			}
		}
	}
syn:
	/* Bare SYNs towards targets the baseline never saw: scans. */
	if (b->detecting && pkt_bare_syn(p)) {
		struct bl_key ek;
		int known_tcp, known_ot = 0, pr;

		memset(&ek, 0, sizeof(ek));
		ek.kind = BE_EDGE;
		ek.a = p->src_ip;
		ek.b = p->dst_ip;
		ek.l4 = IPPROTO_TCP;
		ek.port = p->dport;
		known_tcp = bl_find(b, &ek) != NULL;
		for (pr = 1; pr < OT_PROTO_COUNT && !known_tcp && !known_ot; pr++) {
			ek.proto = (uint8_t)pr;
			known_ot = bl_find(b, &ek) != NULL;
		}
		if (!known_tcp && !known_ot) {
			uint64_t t = ots_hash_bytes(&p->dst_ip, sizeof(p->dst_ip), 0) * 31 + p->dport;
			if (scan_note(b, &p->src_ip, t, ts, b->cfg.scan_targets)) {
				char ipbuf[OTS_IPSTR_LEN];
				bl_alert(b, BL_SCAN, ts, f, dir == FLOW_C2S, NULL,
					 ot_ip_str(&p->src_ip, ipbuf, sizeof(ipbuf)),
					 json_pack("{s:o,s:s,s:i,s:f}", "scanner", ip_json(&p->src_ip),
						   "what", "hosts_or_ports", "targets", (int)b->cfg.scan_targets,
						   "window", b->cfg.scan_window), NULL, NULL);
			}
		}
	}
}

void baseline_packet(struct baseline *b, const struct pkt_meta *p,
		     const struct flow *f, int dir)
{
	/* Only detecting, most packets have nothing to tell packet_work: it
	 * acts on a packet only while learning, on a flow direction's first
	 * packet (or one without a flow), on the packet that makes a flow
	 * CONV_JUDGE_PKTS long, and on a bare SYN.  Anything else returns
	 * here, before the packet time is even computed. */
	if (!b->learning && f && f->pkts[dir] != 1 &&
	    f->pkts[FLOW_C2S] + f->pkts[FLOW_S2C] != CONV_JUDGE_PKTS && !pkt_bare_syn(p))
		return;
	packet_work(b, p, f, dir);
}

/* ---- OT events ----------------------------------------------------------------- */

static double ev_ts(const struct ot_event *ev)
{
	return TV_SEC(ev->ts);
}

/* A server's unsolicited reports (IEC 104 spontaneous and cyclic data,
 * DNP3 unsolicited responses) are one channel of their edge, with function
 * -1 (no request has it): the gaps between reports are learned like a
 * request period, and a station that stops reporting for longer than the
 * silence timeout and five times its longest learned gap falls silent
 * (baseline_tick), however irregular its reports were. */
#define BL_FUNC_REPORTS (-1)

static int ev_is_report(const struct ot_event *ev)
{
	return ev->dir == OT_DIR_UNSOLICITED && !ev->from_client;
}

static void reports_key(struct bl_key *k, const struct flow *f, const struct ot_event *ev)
{
	key_edge(k, BE_CHAN, f, (uint8_t)ev->proto);
	k->func = BL_FUNC_REPORTS;
	k->sub = -1;
}

static void reports_learn(struct baseline *b, const struct flow *f, const struct ot_event *ev,
			  double ts)
{
	struct bl_key k;
	struct bl_entry *e;
	int created;
	double dt;

	reports_key(&k, f, ev);
	if ((e = bl_get(b, &k, ts, &created)) == NULL)
		return;
	dt = ts - e->prev_ts;
	if (!created && e->prev_ts > 0 && dt >= 0 && !(e->n >= 3 && dt > 10.0 * e->mean))
		welford_add(e, dt);
	e->prev_ts = ts;
	e->from.func = BL_FUNC_REPORTS;
	e->from.sub = -1;
	e->count++;
	e->last = ts;
}

static void reports_heard(struct baseline *b, const struct flow *f, const struct ot_event *ev,
			  double ts)
{
	struct bl_key k;
	struct bl_entry *c;

	reports_key(&k, f, ev);
	if ((c = bl_find(b, &k)) == NULL)
		return;
	if (c->d_silent) {
		c->d_silent = 0;
		b->next_silence_check = 0;     /* re-armed: its deadline may be the next */
		b->watch_valid = 0;             /* the sweep's list dropped it */
	}
	c->d_last = ts;
}

static void learn_event(struct baseline *b, const struct ot_event *ev, const struct flow *f,
			const struct ot_ip *sender, double ts)
{
	struct bl_key k, ek;
	struct bl_entry *e, *edge, *op, *prev;
	struct bl_sym sym;
	int i, created;

	b->learned_events++;
	/* identity facts of the sender */
	for (i = 0; i < ev->n_ident; i++) {
		memset(&k, 0, sizeof(k));
		k.kind = BE_IDENT;
		k.a = *sender;
		k.ident = ev->ident[i].key;
		if ((e = bl_get(b, &k, ts, NULL)) != NULL) {
			if (!e->text || strcmp(e->text, ev->ident[i].value) != 0) {
				free(e->text);
				e->text = strdup(ev->ident[i].value);
			}
			e->last = ts;
			e->count++;
		}
	}
	/* services (through the edge's shortcuts once it exists; a new edge
	 * is inserted after them, as ever) */
	key_edge(&ek, BE_EDGE, f, (uint8_t)ev->proto);
	edge = edge_find(b, f, &ek);
	memset(&k, 0, sizeof(k));
	k.kind = BE_SERVICE;
	k.proto = (uint8_t)ev->proto;
	k.a = f->srv_ip;
	k.role = 1;
	if ((e = bl_get_near(b, edge, NEAR_SRV, NEAR_SRV + 1, &k, ts, NULL)) != NULL)
		e->count++;
	k.a = f->cli_ip;
	k.role = 0;
	if ((e = bl_get_near(b, edge, NEAR_CLI, NEAR_CLI + 1, &k, ts, NULL)) != NULL)
		e->count++;

	if (!edge)
		edge = bl_get(b, &ek, ts, NULL);
	if (!edge)
		return;
	edge->last = ts;
	edge->count++;

	if (ev->dir != OT_DIR_REQUEST) {
		uint32_t runs = text_runs(ev);
		struct analog_memo am = { -1, 0, 0 };

		if (ev_is_report(ev))
			reports_learn(b, f, ev, ts);

		if (ev->status > 0)
			edge->errors++;
		/* read values, per server point (and whether each sits in text);
		 * each point the shortcut to the next */
		for (i = 0, prev = NULL; i < ev->n_values; i++) {
			if (!value_is_analog(&am, &ev->values[i]))
				continue;
			value_key(&k, ev, f, &ev->values[i]);
			e = prev ? bl_get_near(b, prev, NEAR_NEXT, NEAR_NEXT + 1, &k, ts, NULL)
				 : bl_get_near(b, edge, NEAR_VALUE, NEAR_VALUE + 1, &k, ts, NULL);
			prev = e;
			if (e != NULL) {
				value_learn(e, ev->values[i].value, (runs >> i) & 1);
				e->last = ts;
				e->count++;
			}
		}
		return;
	}
	edge->requests++;
	if ((unsigned)ev->cat < 32)
		edge->cats |= 1u << ev->cat;

	if (ev_unit(ev) >= 0) {
		key_edge(&k, BE_UNIT, f, (uint8_t)ev->proto);
		k.unit = ev_unit(ev);
		if ((e = bl_get_near(b, edge, NEAR_UNIT, NEAR_UNIT + 1, &k, ts, NULL)) != NULL)
			e->count++;
	}
	if (ev->func < 0)
		return;
	key_op(&k, BE_OP, f, ev);
	if ((op = bl_get_near(b, edge, NEAR_OPS, BL_NEAR, &k, ts, NULL)) != NULL) {
		op->count++;
		op->last = ts;
		op->cats = ev->cat;
	}
	for (i = 0; i < ev->n_ranges; i++) {
		const struct ot_range *r = &ev->ranges[i];
		key_op(&k, BE_RANGE, f, ev);
		k.space = r->space;
		k.block = r->block;
		if ((e = bl_get_near(b, op, NEAR_RANGE, NEAR_RANGE + 1, &k, ts, NULL)) != NULL) {
			uint64_t hi = (uint64_t)r->start + (r->count ? r->count - 1 : 0);
			bl_range_add(e, r->start, hi > UINT32_MAX ? UINT32_MAX : (uint32_t)hi);
			e->count++;
		}
	}
	/* channel period */
	ev_symbol(ev, &sym);
	key_edge(&k, BE_CHAN, f, (uint8_t)ev->proto);
	k.func = sym.func;
	k.sub = sym.sub;
	k.space = sym.space;
	k.block = sym.block;
	k.start = sym.start;
	k.count = sym.count;
	if ((e = bl_get_near(b, op, NEAR_CHANS, BL_NEAR, &k, ts, &created)) != NULL) {
		double dt = ts - e->prev_ts;
		if (!created && e->prev_ts > 0 && dt >= 0 &&
		    !(e->n >= 3 && dt > 10.0 * e->mean))
			welford_add(e, dt);
		e->prev_ts = ts;
		e->from = sym;
		e->count++;
		e->last = ts;
	}
	/* message order */
	{
		uint64_t h = chan_sym_hash(e, &sym);
		if (edge->l_prev_sym) {
			key_edge(&k, BE_TRANS, f, (uint8_t)ev->proto);
			k.s1 = edge->l_prev_sym;
			k.s2 = h;
			/* the last transition the shortcut to this one */
			e = bl_get_near(b, edge->near[NEAR_TRANS], NEAR_NEXT, NEAR_NEXT + 1, &k, ts,
					&created);
			near_put(edge, NEAR_TRANS, e);
			if (e != NULL) {
				if (created) {
					edge->order_mark = edge->requests;
					e->from = edge->l_prev;
					e->to = sym;
				}
				e->count++;
			}
		}
		edge->l_prev_sym = h;
		edge->l_prev = sym;
	}
}

static json_t *event_json(const struct ot_event *ev)
{
	return json_pack("{s:s,s:s,s:i,s:s?,s:s}", "protocol", ot_proto_name(ev->proto),
			 "direction", ot_dir_name(ev->dir), "function_code", (int)ev->func,
			 "function", ev->func_name, "category", ot_category_name(ev->cat));
}

static void detect_identity(struct baseline *b, const struct ot_event *ev, const struct flow *f,
			    const struct ot_ip *sender, double ts)
{
	struct bl_pending p;
	struct bl_key k;
	struct bl_entry *e;
	json_t *evidence;
	char ipbuf[OTS_IPSTR_LEN], dk[200];
	int i;

	for (i = 0; i < ev->n_ident; i++) {
		memset(&k, 0, sizeof(k));
		k.kind = BE_IDENT;
		k.a = *sender;
		k.ident = ev->ident[i].key;
		e = bl_find(b, &k);
		if (!e || !e->text || strcmp(e->text, ev->ident[i].value) == 0)
			continue;
		snprintf(dk, sizeof(dk), "%s|%s|%s", ot_ip_str(sender, ipbuf, sizeof(ipbuf)),
			 ot_ident_key_name(ev->ident[i].key), ev->ident[i].value);
		/* a changed identity is told in every message after: mostly
		 * repeats, whose evidence nobody reads */
		evidence = NULL;
		if (bl_alert_begin(b, &p, BL_IDENTITY_CHANGE, ts, f, ev->from_client, ev, dk,
				   NULL, NULL))
			evidence = json_pack("{s:s,s:s,s:s,s:s}", "asset", ipbuf,
					     "attribute", ot_ident_key_name(ev->ident[i].key),
					     "seen", ev->ident[i].value, "learned", e->text);
		bl_alert_end(b, &p, evidence);
	}
}

/* The requests learned to follow the transition key's first symbol on its
 * edge (at most 8), for evidence. */
static json_t *learned_next(const struct baseline *b, const struct bl_key *tk)
{
	json_t *arr = json_array();
	const struct bl_entry *e;
	int n = 0;

	for (e = b->head; e && n < 8; e = e->lnext) {
		if (e->k.kind != BE_TRANS || e->k.s1 != tk->s1 || e->k.proto != tk->proto ||
		    e->k.port != tk->port || e->k.l4 != tk->l4 || ot_ip_cmp(&e->k.a, &tk->a) ||
		    ot_ip_cmp(&e->k.b, &tk->b))
			continue;
		json_array_append_new(arr, bl_sym_json(&e->to));
		n++;
	}
	return arr;
}

/* MITRE technique for a new function, by what the function does. */
static void func_technique(int cat, const char **id, const char **name)
{
	switch (cat) {
	case OT_CAT_PROGRAM: *id = "T0843"; *name = "Program Download"; break;
	case OT_CAT_MODE: *id = "T0858"; *name = "Change Operating Mode"; break;
	case OT_CAT_IDENTITY: *id = "T0888"; *name = "Remote System Information Discovery"; break;
	case OT_CAT_WRITE: *id = "T0836"; *name = "Modify Parameter"; break;
	case OT_CAT_FILE: *id = "T0867"; *name = "Lateral Tool Transfer"; break;
	default: *id = NULL; *name = NULL; break;
	}
}

static void detect_request(struct baseline *b, const struct ot_event *ev, const struct flow *f,
			   struct bl_entry *edge, double ts)
{
	struct bl_key k;
	struct bl_entry *e, *op, *chan, *prev;
	struct bl_sym sym;
	char dk[256], eb[200];
	int i, periodic = 0;

	eb[0] = 0;      /* the edge's dedup key, made when an alert needs it */
	/* unit ids never used on this edge: unit scans */
	if (ev_unit(ev) >= 0) {
		key_on_edge(&k, BE_UNIT, edge);
		k.unit = ev_unit(ev);
		if (!bl_find_near_tail(b, edge, NEAR_UNIT, NEAR_UNIT + 1, &k) &&
		    scan_note(b, &f->cli_ip, ots_hash_bytes(&k, sizeof(k), 0), ts, b->cfg.scan_units)) {
			bl_alert(b, BL_SCAN, ts, f, 1, ev, EDGE_KEY,
				 json_pack("{s:s,s:s,s:i}", "what", "unit_ids", "edge", EDGE_KEY,
					   "unit_ids", (int)b->cfg.scan_units), NULL, NULL);
		}
	}
	if (ev->func < 0)
		return;
	key_op_on_edge(&k, BE_OP, edge, ev);
	op = bl_find_near_tail(b, edge, NEAR_OPS, BL_NEAR, &k);
	if (!op) {
		int only_reads = !(edge->cats & ((1u << OT_CAT_WRITE) | (1u << OT_CAT_CONTROL)));
		snprintf(dk, sizeof(dk), "%s|%d|%d", EDGE_KEY, ev->func, k.sub);
		if (cat_is_write(ev->cat) && only_reads) {
			bl_alert(b, BL_UNEXPECTED_WRITE, ts, f, 1, ev, dk,
				 json_pack("{s:o,s:o}", "seen", event_json(ev),
					   "learned_functions", edge_learned_funcs(b, f, (uint8_t)ev->proto)),
				 ev->cat == OT_CAT_WRITE ? "T0836" : NULL,
				 ev->cat == OT_CAT_WRITE ? "Modify Parameter" : NULL);
		} else {
			const char *mid, *mname;
			func_technique(ev->cat, &mid, &mname);
			bl_alert(b, BL_NEW_FUNCTION, ts, f, 1, ev, dk,
				 json_pack("{s:o,s:o}", "seen", event_json(ev),
					   "learned_functions", edge_learned_funcs(b, f, (uint8_t)ev->proto)),
				 mid, mname);
		}
		return;         /* a new function has no learned ranges or order */
	}
	/* the range key is the operation's with its kind changed (its space
	 * and block still 0); only space and block vary */
	k.kind = BE_RANGE;
	prev = NULL;
	for (i = 0; i < ev->n_ranges; i++) {
		const struct ot_range *r = &ev->ranges[i];
		uint64_t hi = (uint64_t)r->start + (r->count ? r->count - 1 : 0);
		k.space = r->space;
		k.block = r->block;
		/* the first range the operation's shortcut, each the shortcut
		 * to the next (a message reading several blocks reads them in
		 * the same order each time) */
		e = prev ? bl_find_near_tail(b, prev, NEAR_NEXT, NEAR_NEXT + 1, &k)
			 : bl_find_near_tail(b, op, NEAR_RANGE, NEAR_RANGE + 1, &k);
		prev = e;
		if (e && bl_range_covers(e, r->start, hi > UINT32_MAX ? UINT32_MAX : (uint32_t)hi))
			continue;
		/* a read between learned ranges is routine polling variety; a read
		 * beyond them, or any write outside them, is not */
		if (e && e->nr && !cat_is_write(ev->cat) && r->start >= e->rng[0][0] &&
		    hi <= e->rng[e->nr - 1][1])
			continue;
		snprintf(dk, sizeof(dk), "%s|%d|%s|%u|%u", EDGE_KEY, ev->func, ot_space_name(r->space),
			 r->block, r->start);
		{
			json_t *learned = json_array();
			uint16_t j;
			for (j = 0; e && j < e->nr; j++)
				json_array_append_new(learned, json_pack("[i,i]", (json_int_t)e->rng[j][0],
									 (json_int_t)e->rng[j][1]));
			bl_alert(b, BL_NEW_ADDRESS_RANGE, ts, f, 1, ev, dk,
				 json_pack("{s:o,s:s,s:i,s:I,s:I,s:o}", "seen", event_json(ev),
					   "space", ot_space_name(r->space), "block", (int)r->block,
					   "start", (json_int_t)r->start, "count", (json_int_t)r->count,
					   "learned_ranges", learned),
				 cat_is_write(ev->cat) ? NULL : "T0801",
				 cat_is_write(ev->cat) ? NULL : "Monitor Process State");
		}
	}

	/* period of this request channel */
	ev_symbol(ev, &sym);
	/* from the range key: every field the channel's key adds is set here
	 * (the function and sub-function are the operation's already) */
	k.kind = BE_CHAN;
	k.func = sym.func;
	k.sub = sym.sub;
	k.space = sym.space;
	k.block = sym.block;
	k.start = sym.start;
	k.count = sym.count;
	chan = bl_find_near_tail(b, op, NEAR_CHANS, BL_NEAR, &k);
	if (chan) {
		double std = welford_std(chan);

		periodic = bl_confident(&b->cfg, chan) && chan->mean > 0 && std < 0.5 * chan->mean;
		if (chan->d_silent) {
			chan->d_silent = 0;
			b->next_silence_check = 0;     /* re-armed: its deadline may be the next */
			b->watch_valid = 0;             /* the sweep's list dropped it */
		}
		if (periodic && chan->d_last > 0) {
			double dt = ts - chan->d_last;
			if (dt > 10.0 * chan->mean) {
				chan->d_n = 0;          /* a gap, not a drift */
			} else {
				chan->d_ewma = chan->d_n ? 0.875 * chan->d_ewma + 0.125 * dt : dt;
				chan->d_n++;
			}
			if (chan->d_n >= 8) {
				double lim = b->cfg.period_spread * std;
				int outside = chan->d_ewma < chan->min || chan->d_ewma > chan->max;
				if (lim < b->cfg.period_floor * chan->mean)
					lim = b->cfg.period_floor * chan->mean;
				if (outside && fabs(chan->d_ewma - chan->mean) > lim) {
					if (!chan->d_drift) {
						chan->d_drift = 1;
						snprintf(dk, sizeof(dk), "%s|%d|%u|%u", EDGE_KEY, sym.func,
							 sym.start, sym.count);
						bl_alert(b, BL_PERIOD_DRIFT, ts, f, 1, ev, dk,
							 json_pack("{s:o,s:f,s:f,s:f,s:f,s:f,s:I,s:f}",
								   "seen", event_json(ev),
								   "period", chan->d_ewma,
								   "learned_period", chan->mean,
								   "learned_stddev", std,
								   "learned_min", chan->min,
								   "learned_max", chan->max,
								   "learned_samples", (json_int_t)chan->n,
								   "learned_span", bl_entry_span(chan)),
							 NULL, NULL);
					}
				} else if (fabs(chan->d_ewma - chan->mean) < 0.5 * lim) {
					chan->d_drift = 0;
				}
			}
		}
		chan->d_last = ts;
	}

	/* message order: the cyclic order of periodic requests.  A transition
	 * is judged when both requests are learned periodic channels, one right
	 * after the other; requests on demand (an operator's write, a one-off
	 * read) have no place in the cycle and are judged by function, range
	 * and value instead; the same request again is a retry, not a step */
	{
		uint64_t h = chan_sym_hash(chan, &sym);
		struct bl_entry *t;
		int off = 0;

		if (periodic && h == edge->d_prev_sym)
			return;
		/* judged only where the learned order stopped growing: no new
		 * transition during the second half of the edge's requests */
		if (periodic && edge->d_prev_sym && edge->requests >= 50 &&
		    edge->order_mark * 2 <= edge->requests && bl_confident(&b->cfg, edge)) {
			key_on_edge(&k, BE_TRANS, edge);
			k.s1 = edge->d_prev_sym;
			k.s2 = h;
			t = edge->near[NEAR_TRANS] ? bl_find_near(b, edge->near[NEAR_TRANS], NEAR_NEXT,
								 NEAR_NEXT + 1, &k) : bl_find(b, &k);
			near_put(edge, NEAR_TRANS, t);
			off = !t && b->per_kind[BE_TRANS] > 0;
			/* one alert per departure from the learned order: the
			 * transitions that follow an unexpected message are its
			 * consequence, not new deviations */
			if (off && !edge->d_seq_off) {
				snprintf(dk, sizeof(dk), "%s|%llx|%llx", EDGE_KEY,
					 (unsigned long long)edge->d_prev_sym, (unsigned long long)h);
				bl_alert(b, BL_UNEXPECTED_SEQUENCE, ts, f, 1, ev, dk,
					 json_pack("{s:o,s:o,s:o,s:o,s:I,s:f}", "seen", event_json(ev),
						   "seen_request", bl_sym_json(&sym),
						   "previous_request", bl_sym_json(&edge->d_prev),
						   "learned_next", learned_next(b, &k),
						   "learned_requests", (json_int_t)edge->requests,
						   "learned_span", bl_entry_span(edge)),
					 NULL, NULL);
			}
		}
		edge->d_seq_off = (uint8_t)off;
		edge->d_prev_sym = periodic ? h : 0;
		edge->d_prev = sym;
	}
}

/* At most this many points are listed in one alert's evidence. */
#define BL_LIST_MAX 16

/* Register text as characters (NULs dropped): two and a terminator. */
static const char *reg_text(double v, char buf[3])
{
	unsigned x = v >= 0.0 && v <= 65535.0 ? (unsigned)v : 0;
	int n = 0;

	if (x >> 8)
		buf[n++] = (char)(x >> 8);
	if (x & 0xff)
		buf[n++] = (char)(x & 0xff);
	buf[n] = 0;
	return buf;
}

/* One message's deviating points: listed up to BL_LIST_MAX, all counted,
 * all hashed (the same set of points is the same deviation). */
struct bl_devs {
	json_t *points;
	uint32_t count;
	uint64_t hash;
};

static void devs_add(struct bl_devs *d, const struct ot_value *v, json_t *point)
{
	struct { uint32_t index; uint16_t block; uint8_t space, pad; } id;

	memset(&id, 0, sizeof(id));
	id.index = v->index;
	id.block = v->block;
	id.space = v->space;
	d->hash = ots_hash_bytes(&id, sizeof(id), d->hash);
	d->count++;
	if (!d->points)
		d->points = json_array();
	if (d->count <= BL_LIST_MAX)
		json_array_append_new(d->points, point);
	else
		json_decref(point);
}

/* The alert for d's points, if any (the unit worked out only then). */
static void devs_alert(struct baseline *b, enum bl_kind kind, struct bl_devs *d,
		       const struct ot_event *ev, const struct flow *f, double ts)
{
	char ipbuf[OTS_IPSTR_LEN], dk[128];
	int32_t unit;

	if (!d->count)
		return;
	unit = ev_unit(ev);
	ot_ip_str(&f->srv_ip, ipbuf, sizeof(ipbuf));
	snprintf(dk, sizeof(dk), "%s|%d|%016llx", ipbuf, (int)unit, (unsigned long long)d->hash);
	bl_alert(b, kind, ts, f, ev->from_client, ev, dk,
		 json_pack("{s:s,s:i,s:o,s:i,s:b}", "asset", ipbuf, "unit", (int)unit,
			   "points", d->points, "count", (int)d->count,
			   "truncated", d->count > BL_LIST_MAX),
		 NULL, NULL);
	d->points = NULL;
}

/*
 * The read values of one response against what each point learned: one
 * value_out_of_range alert for all points of the message outside their
 * learned range, one text_change alert for all text points whose learned
 * text changed.  Counters and text that varied while learning are not
 * judged, nor points learned from too little evidence (bl_confident).
 */
static void detect_values(struct baseline *b, const struct ot_event *ev, const struct flow *f,
			  struct bl_entry *edge, double ts)
{
	struct bl_devs range = { NULL, 0, 0 }, text = { NULL, 0, 0 };
	struct analog_memo am = { -1, 0, 0 };
	uint32_t runs = 0;
	int runs_known = 0;     /* text_runs only when a constant point asks */
	struct bl_key k;
	struct bl_entry *e, *prev = NULL;
	int i;

	/* value_key's key for each point: only space, block and index vary */
	if (ev->n_values > 0)
		value_key(&k, ev, f, &ev->values[0]);
	for (i = 0; i < ev->n_values; i++) {
		const struct ot_value *v = &ev->values[i];
		enum bl_vclass cls;
		double span, tol;
		char t1[3], t2[3];

		if (!value_is_analog(&am, v))
			continue;
		k.space = v->space;
		k.block = v->block;
		k.start = v->index;
		/* each point the shortcut to the next */
		e = prev ? bl_find_near_tail(b, prev, NEAR_NEXT, NEAR_NEXT + 1, &k)
			 : bl_find_near(b, edge, NEAR_VALUE, NEAR_VALUE + 1, &k);
		prev = e;
		if (!e || !bl_confident(&b->cfg, e))
			continue;
		cls = bl_value_class(e);
		if (cls == BL_VC_COUNTER)
			continue;
		if (cls == BL_VC_CONSTANT && !runs_known) {
			runs = text_runs(ev);
			runs_known = 1;
		}
		if (cls == BL_VC_TEXT || (cls == BL_VC_CONSTANT && ((runs >> i) & 1))) {
			/* text: only a constant one changing says something */
			if (e->min != e->max || v->value == e->min)
				continue;
			devs_add(&text, v, json_pack("{s:s,s:i,s:I,s:f,s:s,s:f,s:s,s:s,s:I,s:f}",
				"space", ot_space_name(v->space), "block", (int)v->block,
				"index", (json_int_t)v->index, "value", v->value,
				"text", reg_text(v->value, t1), "learned", e->min,
				"learned_text", reg_text(e->min, t2), "class", bl_vclass_name(cls),
				"learned_samples", (json_int_t)e->n, "learned_span", bl_entry_span(e)));
			continue;
		}
		/* the learned span widened by the margin, and never less than four
		 * standard deviations: slow process drift is not an attack */
		span = e->max - e->min;
		tol = span > 0 ? b->cfg.value_margin * span
			       : b->cfg.value_margin * (fabs(e->max) > 1.0 ? fabs(e->max) : 1.0);
		if (tol < 4.0 * welford_std(e))
			tol = 4.0 * welford_std(e);
		if (v->value >= e->min - tol && v->value <= e->max + tol)
			continue;
		devs_add(&range, v, json_pack("{s:s,s:i,s:I,s:f,s:s,s:f,s:f,s:I,s:f}",
			"space", ot_space_name(v->space), "block", (int)v->block,
			"index", (json_int_t)v->index, "value", v->value, "class", bl_vclass_name(cls),
			"learned_min", e->min, "learned_max", e->max,
			"learned_samples", (json_int_t)e->n, "learned_span", bl_entry_span(e)));
	}
	devs_alert(b, BL_VALUE_OUT_OF_RANGE, &range, ev, f, ts);
	devs_alert(b, BL_TEXT_CHANGE, &text, ev, f, ts);
}

static void detect_response(struct baseline *b, const struct ot_event *ev, const struct flow *f,
			    struct bl_entry *edge, double ts)
{
	char eb[200];

	if (ev_is_report(ev))
		reports_heard(b, f, ev, ts);
	eb[0] = 0;      /* the edge's dedup key, made when an alert needs it */
	if (ev->status > 0 && bl_confident(&b->cfg, edge) &&
	    !(edge->count > 0 && edge->errors * 5 > edge->count)) {
		if (ts - edge->d_win_start > b->cfg.scan_window) {
			edge->d_win_start = ts;
			edge->d_win_count = 0;
		}
		if (++edge->d_win_count == b->cfg.error_burst)
			bl_alert(b, BL_ERROR_BURST, ts, f, ev->from_client, ev, EDGE_KEY,
				 json_pack("{s:i,s:f,s:I,s:I,s:f}", "errors", (int)edge->d_win_count,
					   "window", b->cfg.scan_window, "learned_errors",
					   (json_int_t)edge->errors, "learned_messages",
					   (json_int_t)edge->count, "learned_span", bl_entry_span(edge)),
				 NULL, NULL);
	}
	detect_values(b, ev, f, edge, ts);
}

/* Inlined in baseline_event, its one caller: one call's set-up per
 * message instead of two. */
static inline __attribute__((always_inline)) void
detect_event(struct baseline *b, const struct ot_event *ev, const struct flow *f,
	     const struct ot_ip *sender, double ts)
{
	struct bl_key k;
	struct bl_entry *edge;
	char eb[200];
	int new_srv, new_cli;

	detect_identity(b, ev, f, sender, ts);
	eb[0] = 0;      /* the edge's dedup key, made when an alert needs it */
	edge = edge_of_flow(b, f, (uint8_t)ev->proto);
	if (!edge && (ot_ip_is_public(&f->cli_ip) || ot_ip_is_public(&f->srv_ip))) {
		bl_alert(b, BL_EXTERNAL_OT_PEER, ts, f, ev->from_client, ev, EDGE_KEY,
			 json_pack("{s:s,s:o,s:o,s:b,s:b}", "protocol", ot_proto_name(ev->proto),
				   "client", ip_json(&f->cli_ip), "server", ip_json(&f->srv_ip),
				   "client_external", ot_ip_is_public(&f->cli_ip),
				   "server_external", ot_ip_is_public(&f->srv_ip)), NULL, NULL);
		return;
	}
	if (!edge) {
		memset(&k, 0, sizeof(k));
		k.kind = BE_SERVICE;
		k.proto = (uint8_t)ev->proto;
		k.a = f->srv_ip;
		k.role = 1;
		new_srv = !bl_find(b, &k);
		k.a = f->cli_ip;
		k.role = 0;
		new_cli = !bl_find(b, &k);
		if (new_srv || new_cli) {
			char ipbuf[OTS_IPSTR_LEN], dk[120];
			const struct ot_ip *who = new_srv ? &f->srv_ip : &f->cli_ip;
			snprintf(dk, sizeof(dk), "%s|%s|%s", ot_ip_str(who, ipbuf, sizeof(ipbuf)),
				 ot_proto_name(ev->proto), new_srv ? "server" : "client");
			json_t *learned = json_array();

			ot_services(b, who, learned);
			bl_alert(b, BL_NEW_PROTOCOL, ts, f, ev->from_client, ev, dk,
				 json_pack("{s:s,s:s,s:s,s:o,s:o}", "asset", ipbuf, "protocol",
					   ot_proto_name(ev->proto), "role", new_srv ? "server" : "client",
					   "seen", event_json(ev), "learned_ot", learned), NULL, NULL);
		} else {
			/* what both were learned as (a few lookups: this runs for
			 * every message of an unlearned edge) */
			json_t *cli_ot = json_array(), *srv_ot = json_array();

			ot_services(b, &f->cli_ip, cli_ot);
			ot_services(b, &f->srv_ip, srv_ot);
			bl_alert(b, BL_NEW_EDGE, ts, f, ev->from_client, ev, EDGE_KEY,
				 json_pack("{s:o,s:o,s:s,s:i,s:o,s:o,s:o}", "client", ip_json(&f->cli_ip),
					   "server", ip_json(&f->srv_ip), "protocol",
					   ot_proto_name(ev->proto), "port", (int)f->srv_port,
					   "seen", event_json(ev), "client_learned_ot", cli_ot,
					   "server_learned_ot", srv_ot),
				 NULL, NULL);
		}
		return;
	}
	if (ev->dir == OT_DIR_REQUEST)
		detect_request(b, ev, f, edge, ts);
	else
		detect_response(b, ev, f, edge, ts);
}

/* ---- cyclic I/O connections and streams ------------------------------------------ */

/* A stream falls silent when no summary came for its report period plus
 * this many learned packet intervals (at least IO_SILENT_FLOOR seconds). */
#define IO_SILENT_INTERVALS 10
#define IO_SILENT_FLOOR     1.0
#define IO_REPORT_DEFAULT   60.0
#define IO_LEARNED_LIST     8       /* learned paths listed in evidence */

static void key_ioconn(struct bl_key *k, const struct flow *f, const struct ot_event *ev)
{
	key_edge(k, BE_IOCONN, f, (uint8_t)ev->proto);
	k->func = ev->conn.transport_class;
	k->s1 = ots_hash_bytes(ev->conn.path, strnlen(ev->conn.path, sizeof(ev->conn.path)), 0) | 1;
}

static void key_iostream(struct bl_key *k, const struct flow *f, const struct ot_event *ev)
{
	memset(k, 0, sizeof(*k));
	k->kind = BE_IOSTREAM;
	k->proto = (uint8_t)ev->proto;
	k->l4 = f->l4;
	k->a = ev->from_client ? f->cli_ip : f->srv_ip;
	k->b = ev->from_client ? f->srv_ip : f->cli_ip;
	k->port = ev->from_client ? f->srv_port : f->cli_port;
}

/* Mean packet interval a traffic summary shows; 0 when it cannot say. */
static double io_interval(const struct ot_conn *c)
{
	return c->packets > 1 && c->last > c->first ? (c->last - c->first) / (double)(c->packets - 1)
						    : 0.0;
}

static void learn_io(struct baseline *b, const struct ot_event *ev, const struct flow *f, double ts)
{
	const struct ot_conn *c = &ev->conn;
	struct bl_key k;
	struct bl_entry *e;

	if (c->what == OT_CONN_OPENED && c->transport_class != 0xff) {
		key_ioconn(&k, f, ev);
		if ((e = bl_get(b, &k, ts, NULL)) == NULL)
			return;
		e->io_rpi[0] = c->ot_rpi;
		e->io_rpi[1] = c->to_rpi;
		e->io_size[0] = c->ot_size;
		e->io_size[1] = c->to_size;
		e->io_trigger = c->trigger;
		if (!e->text || strcmp(e->text, c->path) != 0) {
			free(e->text);
			e->text = strdup(c->path);
		}
		e->count++;
		e->last = ts;
	} else if (c->what == OT_CONN_TRAFFIC) {
		double iv = io_interval(c);

		key_iostream(&k, f, ev);
		if ((e = bl_get(b, &k, ts, NULL)) == NULL)
			return;
		if (iv > 0)
			welford_add(e, iv);
		if (c->report_every > 0)
			e->io_report = c->report_every;
		e->count++;
		e->last = ts;
	}
}

/* The connections learned to this target (from any originator), for
 * evidence: who normally owns it and with which paths. */
static json_t *io_learned_paths(const struct baseline *b, const struct bl_key *k)
{
	json_t *arr = json_array();
	const struct bl_entry *e;
	char ob[OTS_IPSTR_LEN];
	int n = 0;

	for (e = b->ioconns; e && n < IO_LEARNED_LIST; e = e->cnext) {
		if (e->k.proto != k->proto || ot_ip_cmp(&e->k.b, &k->b))
			continue;
		json_array_append_new(arr, json_pack("{s:s,s:s,s:i,s:I,s:I}",
						     "originator", ot_ip_str(&e->k.a, ob, sizeof(ob)),
						     "path", e->text ? e->text : "",
						     "transport_class", (int)e->k.func,
						     "o_t_rpi", (json_int_t)e->io_rpi[0],
						     "t_o_rpi", (json_int_t)e->io_rpi[1]));
		n++;
	}
	return arr;
}

static json_t *io_seen_json(const struct ot_conn *c)
{
	return json_pack("{s:s,s:i,s:I,s:I,s:i,s:i,s:I,s:I}", "path", c->path,
			 "transport_class", (int)c->transport_class,
			 "o_t_rpi", (json_int_t)c->ot_rpi, "t_o_rpi", (json_int_t)c->to_rpi,
			 "o_t_size", (int)c->ot_size, "t_o_size", (int)c->to_size,
			 "o_t_connection_id", (json_int_t)c->ot_id,
			 "t_o_connection_id", (json_int_t)c->to_id);
}

static void detect_io(struct baseline *b, const struct ot_event *ev, const struct flow *f, double ts)
{
	const struct ot_conn *c = &ev->conn;
	struct bl_key k;
	struct bl_entry *e;
	char cb[OTS_IPSTR_LEN], sb[OTS_IPSTR_LEN], dk[200];

	if (c->what == OT_CONN_TRAFFIC) {
		key_iostream(&k, f, ev);
		if ((e = bl_find(b, &k)) == NULL)
			return;
		/* a silent stream re-armed, or one heard for the first time
		 * (its deadline counted from the detection start until now, and
		 * c->last may lie before it), may be the next to fall silent */
		if (e->d_silent || !(e->d_last > 0))
			b->next_io_due = 0;
		if (c->last > e->d_last)
			e->d_last = c->last;
		e->d_silent = 0;
		return;
	}
	if (c->what != OT_CONN_OPENED || c->transport_class == 0xff)
		return;
	key_ioconn(&k, f, ev);
	ot_ip_str(&f->cli_ip, cb, sizeof(cb));
	ot_ip_str(&f->srv_ip, sb, sizeof(sb));
	e = bl_find(b, &k);
	if (!e) {
		snprintf(dk, sizeof(dk), "%s|%s|%s|%u", cb, sb, c->path, c->transport_class);
		bl_alert(b, BL_NEW_IO_CONNECTION, ts, f, ev->from_client, ev, dk,
			 json_pack("{s:s,s:s,s:o,s:o}", "originator", cb, "target", sb,
				   "seen", io_seen_json(c), "learned", io_learned_paths(b, &k)),
			 NULL, NULL);
		return;
	}
	if (e->io_rpi[0] == c->ot_rpi && e->io_rpi[1] == c->to_rpi && e->io_size[0] == c->ot_size &&
	    e->io_size[1] == c->to_size && e->io_trigger == c->trigger)
		return;
	snprintf(dk, sizeof(dk), "%s|%s|%s|%u|%u|%u|%u|%u", cb, sb, c->path, c->ot_rpi, c->to_rpi,
		 c->ot_size, c->to_size, c->trigger);
	bl_alert(b, BL_IO_CONNECTION_CHANGED, ts, f, ev->from_client, ev, dk,
		 json_pack("{s:s,s:s,s:o,s:{s:s,s:I,s:I,s:i,s:i,s:i}}", "originator", cb, "target", sb,
			   "seen", io_seen_json(c), "learned", "path", e->text ? e->text : "",
			   "o_t_rpi", (json_int_t)e->io_rpi[0], "t_o_rpi", (json_int_t)e->io_rpi[1],
			   "o_t_size", (int)e->io_size[0], "t_o_size", (int)e->io_size[1],
			   "trigger", (int)e->io_trigger),
		 NULL, NULL);
}

/* A sweep may skip the walk while the packet time is this far before the
 * earliest deadline: far more than the rounding of base + limit. */
#define IO_DUE_MARGIN 1.0

/* Learned I/O streams that sent nothing for their report period plus
 * IO_SILENT_INTERVALS intervals: alerted once until heard again.  The
 * walk also finds the earliest deadline of the streams still heard
 * (b->next_io_due); deadlines only move later while only detecting, and
 * what could move one earlier (a stream re-armed or first heard, learning)
 * resets it. */
static void io_silence_sweep(struct baseline *b, double t)
{
	struct bl_entry *e;
	double due = INFINITY;

	for (e = b->ios; e; e = e->cnext) {
		double report, lim, since, base;
		char sb[OTS_IPSTR_LEN], rb[OTS_IPSTR_LEN], dk[120];

		if (e->d_silent || e->n == 0 || e->mean <= 0)
			continue;
		report = e->io_report > 0 ? e->io_report : IO_REPORT_DEFAULT;
		lim = IO_SILENT_INTERVALS * e->mean;
		if (lim < IO_SILENT_FLOOR)
			lim = IO_SILENT_FLOOR;
		lim += report;
		base = e->d_last > 0 ? e->d_last : b->detect_start;
		since = t - base;
		if (since <= lim) {
			double d = base + lim - IO_DUE_MARGIN;

			/* a deadline that is not a number: every sweep walks */
			if (!(d >= due))
				due = isnan(d) ? -INFINITY : d;
			continue;
		}
		e->d_silent = 1;
		ot_ip_str(&e->k.a, sb, sizeof(sb));
		ot_ip_str(&e->k.b, rb, sizeof(rb));
		snprintf(dk, sizeof(dk), "%s|%s|%u", sb, rb, e->k.port);
		bl_alert(b, BL_IO_SILENT, t, NULL, 1, NULL, dk,
			 json_pack("{s:s,s:s,s:s,s:i,s:f,s:f,s:f,s:I}", "sender", sb, "receiver", rb,
				   "protocol", ot_proto_name((enum ot_proto)e->k.proto),
				   "port", (int)e->k.port, "silent_for", since,
				   "learned_interval", e->mean, "report_every", report,
				   "learned_summaries", (json_int_t)e->count),
			 NULL, NULL);
	}
	b->next_io_due = due;
}

void baseline_event(struct baseline *b, const struct ot_event *ev)
{
	const struct flow *f = ev->flow;
	const struct ot_ip *sender;
	double ts = ev_ts(ev);

	if (ev->kind == OT_EV_ANOMALY && f && b->detecting && ev->anomaly &&
	    strcmp(ev->anomaly, BL_CONFLICT_REASON) == 0) {
		/* never normal, so never learned: the stream layer reports one
		 * per flow direction */
		char key[64];

		snprintf(key, sizeof(key), "%llu|%d", (unsigned long long)f->id, ev->from_client);
		bl_alert(b, BL_CONFLICTING_COPY, ts, f, ev->from_client, ev, key,
			 json_pack("{s:s,s:s}", "anomaly", ev->anomaly, "detail",
				   ev->anomaly_detail), NULL, NULL);
		return;
	}
	if (ev->kind != OT_EV_MESSAGE || !f || ev->proto == OT_PROTO_UNKNOWN)
		return;
	sender = ev->from_client ? &f->cli_ip : &f->srv_ip;
	if (ev->conn.what != OT_CONN_NONE) {
		if (b->detecting)
			detect_io(b, ev, f, ts);
		if (b->learning)
			learn_io(b, ev, f, ts);
	}
	if (b->detecting)
		detect_event(b, ev, f, sender, ts);
	if (b->learning)
		learn_event(b, ev, f, sender, ts);
}

/* A channel the silence sweep judges: confident, and periodic or a
 * station's reports; *lim: how long it may stay quiet. */
static int silence_watched(const struct bl_config *cfg, const struct bl_entry *c, double *lim)
{
	if (!bl_confident(cfg, c) || c->mean <= 0)
		return 0;
	if (welford_std(c) >= 0.5 * c->mean && c->k.func != BL_FUNC_REPORTS)
		return 0;       /* not a periodic channel */
	*lim = cfg->silence_timeout;
	if (*lim < 5.0 * c->max)
		*lim = 5.0 * c->max;
	return 1;
}

/* The watched channels, in b->chans order; 0 when out of memory (the
 * sweep then walks every channel). */
static int watch_build(struct baseline *b)
{
	struct bl_entry *c;
	uint32_t n = 0;
	double lim;

	for (c = b->chans; c; c = c->cnext)
		n++;
	free(b->watch);
	b->watch = n ? malloc(n * sizeof(*b->watch)) : NULL;
	b->nwatch = 0;
	if (n && !b->watch)
		return 0;
	for (c = b->chans; c; c = c->cnext)
		if (silence_watched(&b->cfg, c, &lim)) {
			b->watch[b->nwatch].c = c;
			b->watch[b->nwatch].lim = lim;
			b->nwatch++;
		}
	b->watch_valid = 1;
	return 1;
}

/* Judge one watched channel at sweep time t: silent past its limit
 * (alerted), else its deadline bounds the next sweep. */
static void silence_judge(struct baseline *b, struct bl_entry *c, double lim, double t)
{
	double since = t - (c->d_last > 0 ? c->d_last : b->detect_start), span;
	struct bl_pending p;
	char cb[OTS_IPSTR_LEN], sb[OTS_IPSTR_LEN], dk[260];
	const char *proto;
	json_t *o;

	if (since <= lim) {
		if (t - since + lim < b->next_silence_check)
			b->next_silence_check = t - since + lim;
		return;
	}
	c->d_silent = 1;
	ot_ip_str(&c->k.a, cb, sizeof(cb));
	ot_ip_str(&c->k.b, sb, sizeof(sb));
	proto = ot_proto_name((enum ot_proto)c->k.proto);
	/* the edge's dedup key (edge_dedup's text) and the channel's, at once */
	snprintf(dk, sizeof(dk), "%s|%s|%s|%u|%d|%u|%u", cb, sb, proto, c->k.port, c->k.func,
		 c->k.start, c->k.count);
	/* a sweep finds many at once: some over the rate cap, or repeats,
	 * whose evidence nobody reads */
	if (!bl_alert_begin(b, &p, BL_CHANNEL_SILENT, t, NULL, 1, NULL, dk, NULL, NULL)) {
		bl_alert_end(b, &p, NULL);
		return;
	}
	span = bl_entry_span(c);
	if (!isfinite(since) || !isfinite(c->mean) || !isfinite(c->max) || !isfinite(span)) {
		/* json_pack's answer to a real it cannot hold: no evidence */
		bl_alert_end(b, &p,
			     json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:f,s:f,s:f,s:I,s:f}", "what",
				       c->k.func == BL_FUNC_REPORTS ? "reports" : "requests",
				       "client", cb, "server", sb, "protocol", proto,
				       "function", (int)c->k.func, "start", (int)c->k.start,
				       "silent_for", since, "learned_period", c->mean,
				       "learned_max", c->max, "learned_samples", (json_int_t)c->n,
				       "learned_span", span));
		return;
	}
	/* json_pack's object, members in its order, built without parsing a
	 * format (the texts are ASCII: addresses, names) */
	o = json_object();
	json_object_set_new_nocheck(o, "what", json_string_nocheck(c->k.func == BL_FUNC_REPORTS
								    ? "reports" : "requests"));
	json_object_set_new_nocheck(o, "client", json_string_nocheck(cb));
	json_object_set_new_nocheck(o, "server", json_string_nocheck(sb));
	json_object_set_new_nocheck(o, "protocol", json_string_nocheck(proto));
	json_object_set_new_nocheck(o, "function", json_integer((int)c->k.func));
	json_object_set_new_nocheck(o, "start", json_integer((int)c->k.start));
	json_object_set_new_nocheck(o, "silent_for", json_real(since));
	json_object_set_new_nocheck(o, "learned_period", json_real(c->mean));
	json_object_set_new_nocheck(o, "learned_max", json_real(c->max));
	json_object_set_new_nocheck(o, "learned_samples", json_integer((json_int_t)c->n));
	json_object_set_new_nocheck(o, "learned_span", json_real(span));
	bl_alert_end(b, &p, o);
}

/* io: this tick's io sweep walks the streams (baseline_tick). */
static __attribute__((noinline)) void tick_work(struct baseline *b, double t, int io)
{
	struct bl_entry *c;

	if (b->detect_start < 0)
		b->detect_start = t;
	if (io)
		io_silence_sweep(b, t);
	/* Silence is judged in minutes.  A sweep walks every watched channel
	 * (every channel while learning), so it runs only when the earliest deadline found by the last sweep has
	 * passed (deadlines only move later as channels are heard), and at
	 * least once a minute for channels that became periodic since. */
	if (t - b->last_tick < 10.0 || t < b->next_silence_check)
		return;
	b->last_tick = t;
	b->next_silence_check = t + 60.0;
	if (!b->learning && (b->watch_valid || watch_build(b))) {
		uint32_t i, j;

		/* a channel that fell silent leaves the list (order kept); one
		 * heard again has the list made again */
		for (i = j = 0; i < b->nwatch; i++) {
			struct bl_watch w = b->watch[i];

			if (!w.c->d_silent)
				silence_judge(b, w.c, w.lim, t);
			if (!w.c->d_silent)
				b->watch[j++] = w;
		}
		b->nwatch = j;
		return;
	}
	for (c = b->chans; c; c = c->cnext) {
		double lim;

		if (!c->d_silent && silence_watched(&b->cfg, c, &lim))
			silence_judge(b, c, lim, t);
	}
}

void baseline_tick(struct baseline *b, const struct timeval *now)
{
	double t = TV_SEC(*now);
	int io = 0;

	/* most ticks find nothing due: tick_work's tests, made first here */
	if (!b->detecting)
		return;
	/* The io sweeps keep their once-a-second cadence (the times a stream
	 * can be found silent), but a sweep before the earliest deadline
	 * has nothing to find and does not walk the streams (always while
	 * learning: that moves deadlines either way). */
	if (b->ios && t >= b->next_io_check) {
		b->next_io_check = t + 1.0;
		io = b->learning || !(t < b->next_io_due);
	}
	if (b->detect_start < 0 || io ||
	    !(t - b->last_tick < 10.0 || t < b->next_silence_check))
		tick_work(b, t, io);
}

void baseline_set_learning(struct baseline *b, int learning, int detecting)
{
	b->watch_valid = 0;
	b->next_io_due = 0;
	b->learning = learning;
	b->detecting = detecting;
}

void baseline_set_alerter(struct baseline *b, struct alerter *al)
{
	b->alerter = al;
}

uint64_t baseline_alert_count(const struct baseline *b, enum bl_kind k)
{
	return (k > 0 && k < BL_KIND_COUNT) ? b->alerts[k] : 0;
}

void baseline_counts(const struct baseline *b, uint64_t *keys, uint64_t *refused)
{
	*keys = b->nkeys;
	*refused = b->refused;
}

