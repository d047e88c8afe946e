/*
 * baseline_io.c - the baseline file (otsentry-baseline(5)): versioned JSON,
 * written atomically, validated field by field on load; the human summary
 * and difference commands; and the sensor observer that runs the lifecycle
 * (--learn, --baseline, both, --learn-for).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <jansson.h>

#include "alert.h"
#include "atomicfile.h"
#include "baseline.h"
#include "baseline_int.h"
#include "hash.h"
#include "sensor.h"
#include "event.h"

/* ---- names ------------------------------------------------------------------ */

static const char *edge_proto_name(const struct bl_key *k)
{
	if (k->proto)
		return ot_proto_name((enum ot_proto)k->proto);
	return k->l4 == IPPROTO_TCP ? "tcp" : k->l4 == IPPROTO_UDP ? "udp" : "ip";
}

static int ident_from_name(const char *s)
{
	int i;

	for (i = 0; i < OT_ID_COUNT; i++)
		if (strcmp(s, ot_ident_key_name((enum ot_ident_key)i)) == 0)
			return i;
	return -1;
}

static int category_from_name(const char *s)
{
	int i;

	for (i = 0; i < OT_CAT_COUNT; i++)
		if (strcmp(s, ot_category_name((enum ot_category)i)) == 0)
			return i;
	return -1;
}

static double entry_std(const struct bl_entry *e)
{
	return e->n > 1 ? sqrt(e->m2 / (double)(e->n - 1)) : 0.0;
}

/* ---- save ---------------------------------------------------------------------- */

static json_t *j_ip(const struct ot_ip *ip)
{
	char s[OTS_IPSTR_LEN];
	return json_string(ot_ip_str(ip, s, sizeof(s)));
}

static void put_edge(json_t *o, const struct bl_key *k)
{
	char l4[8];

	json_object_set_new(o, "client", j_ip(&k->a));
	json_object_set_new(o, "server", j_ip(&k->b));
	json_object_set_new(o, "protocol", json_string(edge_proto_name(k)));
	/* tcp, udp, or another IP protocol by number ("1" for ICMP) */
	snprintf(l4, sizeof(l4), "%u", k->l4);
	json_object_set_new(o, "transport", json_string(k->l4 == IPPROTO_UDP ? "udp" :
							 k->l4 == IPPROTO_TCP ? "tcp" : l4));
	json_object_set_new(o, "port", json_integer(k->port));
}

json_t *bl_sym_json(const struct bl_sym *s)
{
	return json_pack("{s:i,s:i,s:s,s:i,s:I,s:I}", "function", (int)s->func, "sub", (int)s->sub,
			 "space", ot_space_name(s->space), "block", (int)s->block,
			 "start", (json_int_t)s->start, "count", (json_int_t)s->count);
}

static json_t *entry_json(const struct bl_entry *e)
{
	const struct bl_key *k = &e->k;
	json_t *o = json_object();
	char mac[20];
	int i;

	switch ((enum bl_ekind)k->kind) {
	case BE_ASSET: {
		json_t *macs = json_array(), *vlans = json_array();
		json_object_set_new(o, "ip", j_ip(&k->a));
		for (i = 0; i < e->nmac; i++)
			json_array_append_new(macs, json_string(ot_mac_str(e->macs[i], mac, sizeof(mac))));
		for (i = 0; i < e->nvlan; i++)
			json_array_append_new(vlans, json_integer(e->vlans[i]));
		json_object_set_new(o, "macs", macs);
		json_object_set_new(o, "vlans", vlans);
		json_object_set_new(o, "many_macs", json_boolean(e->many_macs));
		break;
	}
	case BE_IDENT:
		json_object_set_new(o, "ip", j_ip(&k->a));
		json_object_set_new(o, "attribute", json_string(ot_ident_key_name((enum ot_ident_key)k->ident)));
		json_object_set_new(o, "value", json_string(e->text ? e->text : ""));
		break;
	case BE_SERVICE:
		json_object_set_new(o, "ip", j_ip(&k->a));
		json_object_set_new(o, "protocol", json_string(ot_proto_name((enum ot_proto)k->proto)));
		json_object_set_new(o, "role", json_string(k->role ? "server" : "client"));
		break;
	case BE_EDGE: {
		json_t *cats = json_array();
		put_edge(o, k);
		for (i = 0; i < OT_CAT_COUNT; i++)
			if (e->cats & (1u << i))
				json_array_append_new(cats, json_string(ot_category_name((enum ot_category)i)));
		json_object_set_new(o, "request_categories", cats);
		json_object_set_new(o, "requests", json_integer((json_int_t)e->requests));
		json_object_set_new(o, "errors", json_integer((json_int_t)e->errors));
		json_object_set_new(o, "order_stable_from", json_integer((json_int_t)e->order_mark));
		break;
	}
	case BE_UNIT:
		put_edge(o, k);
		json_object_set_new(o, "unit", json_integer(k->unit));
		break;
	case BE_OP:
		put_edge(o, k);
		json_object_set_new(o, "function", json_integer(k->func));
		json_object_set_new(o, "sub", json_integer(k->sub));
		json_object_set_new(o, "category", json_string(ot_category_name((enum ot_category)e->cats)));
		break;
	case BE_RANGE: {
		json_t *r = json_array();
		put_edge(o, k);
		json_object_set_new(o, "function", json_integer(k->func));
		json_object_set_new(o, "sub", json_integer(k->sub));
		json_object_set_new(o, "space", json_string(ot_space_name(k->space)));
		json_object_set_new(o, "block", json_integer(k->block));
		for (i = 0; i < e->nr; i++)
			json_array_append_new(r, json_pack("[I,I]", (json_int_t)e->rng[i][0],
							   (json_int_t)e->rng[i][1]));
		json_object_set_new(o, "ranges", r);
		break;
	}
	case BE_CHAN:
		put_edge(o, k);
		json_object_set_new(o, "request", bl_sym_json(&e->from));
		json_object_set_new(o, "period", json_pack("{s:I,s:f,s:f,s:f,s:f}",
				"samples", (json_int_t)e->n, "mean", e->mean, "stddev", entry_std(e),
				"min", e->n ? e->min : 0.0, "max", e->n ? e->max : 0.0));
		break;
	case BE_TRANS:
		put_edge(o, k);
		json_object_set_new(o, "from", bl_sym_json(&e->from));
		json_object_set_new(o, "to", bl_sym_json(&e->to));
		break;
	case BE_IOCONN:
		put_edge(o, k);
		json_object_set_new(o, "path", json_string(e->text ? e->text : ""));
		json_object_set_new(o, "transport_class", json_integer(k->func));
		json_object_set_new(o, "trigger", json_integer(e->io_trigger));
		json_object_set_new(o, "o_t_rpi", json_integer(e->io_rpi[0]));
		json_object_set_new(o, "t_o_rpi", json_integer(e->io_rpi[1]));
		json_object_set_new(o, "o_t_size", json_integer(e->io_size[0]));
		json_object_set_new(o, "t_o_size", json_integer(e->io_size[1]));
		break;
	case BE_IOSTREAM:
		put_edge(o, k);         /* client: the sender, server: the receiver */
		json_object_set_new(o, "report_every", json_real(e->io_report));
		json_object_set_new(o, "interval", json_pack("{s:I,s:f,s:f,s:f,s:f}",
				"samples", (json_int_t)e->n, "mean", e->mean, "stddev", entry_std(e),
				"min", e->n ? e->min : 0.0, "max", e->n ? e->max : 0.0));
		break;
	case BE_VALUE:
		json_object_set_new(o, "server", j_ip(&k->a));
		json_object_set_new(o, "protocol", json_string(ot_proto_name((enum ot_proto)k->proto)));
		json_object_set_new(o, "unit", json_integer(k->unit));
		json_object_set_new(o, "space", json_string(ot_space_name(k->space)));
		json_object_set_new(o, "block", json_integer(k->block));
		json_object_set_new(o, "index", json_integer(k->start));
		json_object_set_new(o, "samples", json_integer((json_int_t)e->n));
		json_object_set_new(o, "mean", json_real(e->mean));
		json_object_set_new(o, "stddev", json_real(entry_std(e)));
		json_object_set_new(o, "min", json_real(e->n ? e->min : 0.0));
		json_object_set_new(o, "max", json_real(e->n ? e->max : 0.0));
		json_object_set_new(o, "class", json_string(bl_vclass_name(bl_value_class(e))));
		json_object_set_new(o, "increases", json_integer(e->ups));
		json_object_set_new(o, "decreases", json_integer(e->downs));
		json_object_set_new(o, "text_samples", json_integer(e->texts));
		json_object_set_new(o, "last_value", json_real(e->n ? e->vprev : 0.0));
		break;
	default:
		break;
	}
	json_object_set_new(o, "count", json_integer((json_int_t)e->count));
	json_object_set_new(o, "first_seen", json_real(e->first));
	json_object_set_new(o, "last_seen", json_real(e->last));
	return o;
}

/* JSON array names, by entry kind. */
static const char *const section_names[BE_KIND_MAX] = {
	[BE_ASSET] = "assets", [BE_IDENT] = "identity", [BE_SERVICE] = "services",
	[BE_EDGE] = "edges", [BE_UNIT] = "units", [BE_OP] = "operations",
	[BE_RANGE] = "ranges", [BE_CHAN] = "channels", [BE_TRANS] = "transitions",
	[BE_VALUE] = "values", [BE_IOCONN] = "io_connections", [BE_IOSTREAM] = "io_streams",
};

/* The file is the JSON of the model at one indent per level, reals to 12
 * digits.  It is written a value at a time, never built whole: the tree of
 * a large model is many times the file (fresh memory for every value, most
 * of the cost of a save).  A value at depth levels of nesting is dumped on
 * its own and each of its line breaks indented by depth spaces, which is
 * what the whole tree's dump writes (strings escape their own breaks). */
#define BL_DUMP_FLAGS (JSON_INDENT(1) | JSON_REAL_PRECISION(12))

/* Steals v. */
static int dump_at(FILE *fp, json_t *v, int depth)
{
	char *s = v ? json_dumps(v, BL_DUMP_FLAGS | JSON_ENCODE_ANY) : NULL;
	const char *p, *nl;
	int rc = 0;

	json_decref(v);
	if (!s) {
		errno = ENOMEM;
		return -1;
	}
	for (p = s; rc == 0 && (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		if (fwrite(p, 1, (size_t)(nl + 1 - p), fp) != (size_t)(nl + 1 - p) ||
		    fprintf(fp, "%*s", depth, "") < 0)
			rc = -1;
	if (rc == 0 && fputs(p, fp) == EOF)
		rc = -1;
	free(s);
	return rc;
}

static int write_baseline(FILE *fp, const void *arg)
{
	const struct baseline *b = arg;
	const struct {
		const char *key;
		json_t *v;
	} head[] = {
		{ "format", json_string(BASELINE_FORMAT) },
		{ "version", json_integer(BASELINE_VERSION) },
		{ "learn_start", json_real(b->learn_start > 0 ? b->learn_start : 0) },
		{ "learn_end", json_real(b->learn_end > 0 ? b->learn_end : 0) },
		{ "learned_packets", json_integer((json_int_t)b->learned_packets) },
		{ "learned_events", json_integer((json_int_t)b->learned_events) },
		{ "refused", json_integer((json_int_t)b->refused) },
	};
	const struct bl_entry *e;
	size_t i;
	int k, rc = 0, n;

	if (fputc('{', fp) == EOF)
		rc = -1;
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
		if (rc == 0 && fprintf(fp, "%s\n \"%s\": ", i ? "," : "", head[i].key) < 0)
			rc = -1;
		if (rc == 0)
			rc = dump_at(fp, head[i].v, 1);
		else
			json_decref(head[i].v);
	}
	for (k = 1; rc == 0 && k < BE_KIND_MAX; k++) {
		if (fprintf(fp, ",\n \"%s\": [", section_names[k]) < 0)
			return -1;
		n = 0;
		for (e = b->head; e && rc == 0; e = e->lnext) {
			if (e->k.kind != k)
				continue;
			if (fputs(n++ ? ",\n  " : "\n  ", fp) == EOF)
				return -1;
			rc = dump_at(fp, entry_json(e), 2);
		}
		if (rc == 0 && fputs(n ? "\n ]" : "]", fp) == EOF)
			rc = -1;
	}
	if (rc < 0 || fputs("\n}\n", fp) == EOF)
		return -1;
	return 0;
}

int baseline_save(const struct baseline *b, const char *path, char *err, size_t errlen)
{
	return ots_atomic_write(path, write_baseline, b, err, errlen);
}

/* ---- load: every field checked, or nothing ------------------------------------- */

/*
 * Words: eight bytes of the text looked at together, the first byte the
 * lowest (a little-endian load; elsewhere the loops go a byte at a time).
 * A mask of a word's bytes has each flagged byte's highest bit set, and a
 * flag's byte is its lowest set bit divided by eight.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BL_WORDS 1
#else
#define BL_WORDS 0
#endif
#define BL_ONES 0x0101010101010101ULL
#define BL_HIGHS 0x8080808080808080ULL

static inline uint64_t word_at(const char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* p[0..n) and q[0..n) are the same bytes. */
static inline int same_bytes(const char *p, const char *q, size_t n)
{
	size_t i;

	if (BL_WORDS && n >= 8) {
		/* words from the start, the last one ending at the end */
		for (i = 0; i + 8 < n; i += 8)
			if (word_at(p + i) != word_at(q + i))
				return 0;
		return word_at(p + n - 8) == word_at(q + n - 8);
	}
	if (n >= 4) {
		/* four bytes from the start, four ending at the end */
		uint32_t a, b, x, y;

		memcpy(&a, p, 4);
		memcpy(&b, q, 4);
		memcpy(&x, p + n - 4, 4);
		memcpy(&y, q + n - 4, 4);
		return a == b && x == y;
	}
	for (i = 0; i < n; i++)
		if (p[i] != q[i])
			return 0;
	return 1;
}

/*
 * A loaded value (the top level's own fields, or one entry) is held as
 * nodes in one array that the next value reuses: no memory per value.
 * The nodes come from the plain reader below (the text of a saved file)
 * or from a jansson tree (anything else), and the checks that follow see
 * the same thing either way: a number with a fraction or an exponent is
 * a real, else an integer, as jansson types them; strings are whole
 * (NUL-terminated, no NUL inside, as jansson refuses \u0000) and stay
 * where they are: in the file's text (the plain reader ends each with a
 * NUL over its closing quote) or in the jansson tree.
 */
enum bl_ntype { BN_NULL, BN_FALSE, BN_TRUE, BN_INT, BN_REAL, BN_STR, BN_ARR, BN_OBJ };

struct bl_node {
	uint8_t type;
	const char *kp;         /* a member's name (in the file or the jansson
				 * tree, alive while the node is) and length */
	uint32_t klen;
	uint32_t next;          /* the next member or element; 0: none */
	uint32_t first, n;      /* object, array: first member or element, how many */
	uint32_t hint;          /* object: the member found last (a lookup starts after it) */
	uint32_t sl;            /* string: length */
	const char *s;          /* string: its text (alive while the node is) */
	json_int_t i;
	double r;
};

/*
 * The text from the end of an object's member (or its '{') to the start of
 * the next member's value: blanks, ',', the key and ':' (a gap), as the
 * plain reader saw it in an earlier object.  An object of a saved file has
 * the same keys, in the same order and with the same blanks around them,
 * as the one before it at its place: when the text at hand is the same
 * bytes as the earlier object's next gap, it reads the same way and needs
 * no looking at.  So with the value after it (a number, string or literal
 * read last at that member): the same bytes are the same value.  The
 * pointers are into the file's text, which outlives the reading; a kept
 * string's closing quote is its NUL there (the templates are dropped when
 * the quotes are put back).
 */
struct bl_gap {
	const char *p;
	const char *vp;                 /* the value's text; NULL: none kept */
	json_int_t i;                   /* the value as a node has it */
	double r;
	uint8_t len, koff, klen;        /* the gap's length; its key's offset and length */
	uint8_t vlen, vtype;            /* the value's length, its node type */
};

#define BL_TMPL_KEYS 32         /* gaps kept of an object (the first ones) */
#define BL_TMPLS 16             /* objects kept, by their place (tmpl_place) */

/* The gaps of a whole object that the plain reader took, in order: their
 * keys are different from one another. */
struct bl_tmpl {
	uint32_t n;
	struct bl_gap g[BL_TMPL_KEYS];
};

/* Nodes; node 0 is never used (0 means none); the templates of the plain
 * reader.  Ownership: the loader's, freed by doc_free. */
struct bl_doc {
	struct bl_node *v;
	uint32_t n, cap;
	struct bl_tmpl tmpl[BL_TMPLS];
};

static void doc_reset(struct bl_doc *d)
{
	d->n = 1;
}

static void doc_free(struct bl_doc *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* Room for one more node; -1 when out of memory or too many. */
static int doc_grow(struct bl_doc *d)
{
	uint32_t cap = d->cap ? d->cap * 2 : 256;
	struct bl_node *nv = cap > d->cap && cap < UINT32_MAX / 2 ?
			     realloc(d->v, (size_t)cap * sizeof(*nv)) : NULL;

	if (!nv)
		return -1;
	d->v = nv;
	d->cap = cap;
	return 0;
}

/* A new node of type t, zeroed; 0 when out of memory or too many. */
static inline uint32_t doc_node(struct bl_doc *d, enum bl_ntype t)
{
	if (d->n == 0)
		d->n = 1;
	if (__builtin_expect(d->n >= d->cap, 0) && doc_grow(d) < 0)
		return 0;
	memset(&d->v[d->n], 0, sizeof(d->v[0]));
	d->v[d->n].type = (uint8_t)t;
	return d->n++;
}

/* Append node m to parent, after last (0: m is the first). */
static void doc_link(struct bl_doc *d, uint32_t parent, uint32_t *last, uint32_t m)
{
	if (*last)
		d->v[*last].next = m;
	else
		d->v[parent].first = m;
	d->v[parent].n++;
	*last = m;
}

/* Levels of a jansson value taken as nodes: deeper than any entry. */
#define BL_DOC_LEVELS 64

/* The jansson value v as nodes, with levels levels of members or elements
 * below it (the containers below are left empty); 0 when out of memory. */
static uint32_t doc_from_json(struct bl_doc *d, json_t *v, int levels)
{
	uint32_t at = 0, last = 0, m;
	size_t len;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_ARRAY: {
		int obj = json_is_object(v);
		void *it = obj ? json_object_iter(v) : NULL;
		size_t i, n = obj ? 0 : json_array_size(v);

		if (!(at = doc_node(d, obj ? BN_OBJ : BN_ARR)) || levels <= 0)
			return at;
		for (i = 0; obj ? it != NULL : i < n; i++) {
			m = doc_from_json(d, obj ? json_object_iter_value(it) : json_array_get(v, i),
					  levels - 1);
			if (!m)
				return 0;
			if (obj) {
				d->v[m].kp = json_object_iter_key(it);
				d->v[m].klen = (uint32_t)strlen(d->v[m].kp);
				it = json_object_iter_next(v, it);
			}
			doc_link(d, at, &last, m);
		}
		return at;
	}
	case JSON_STRING:
		if (!(at = doc_node(d, BN_STR)) || (len = strlen(json_string_value(v))) >= UINT32_MAX)
			return 0;
		d->v[at].s = json_string_value(v);     /* the tree outlives the node */
		d->v[at].sl = (uint32_t)len;
		return at;
	case JSON_INTEGER:
		if ((at = doc_node(d, BN_INT)))
			d->v[at].i = json_integer_value(v);
		return at;
	case JSON_REAL:
		if ((at = doc_node(d, BN_REAL)))
			d->v[at].r = json_real_value(v);
		return at;
	case JSON_TRUE:
		return doc_node(d, BN_TRUE);
	case JSON_FALSE:
		return doc_node(d, BN_FALSE);
	default:
		return doc_node(d, BN_NULL);
	}
}

#define JCTX_IPS 4

/* A name read last and what it stood for (len 0: none). */
struct jlast {
	char text[32];
	uint8_t len;
	int val;
};

struct jctx {
	const char *path;
	char *err;
	size_t errlen;
	struct bl_doc *d;
	/* where: "<sec>[<idx>]<where>" in an entry, "<where>" elsewhere; the
	 * entry's part is only formatted when there is an error to name */
	const char *sec;
	size_t idx;
	char where[64];
	int failed;
	/* The last few addresses and the last address space read, as text
	 * and as parsed (neighbouring entries mostly share their edge's
	 * client, server and space): the same text is the same value, read
	 * again without parsing.  Addresses replaced round robin. */
	char ip_text[JCTX_IPS][48];
	uint8_t ip_len[JCTX_IPS];       /* 0: none */
	struct ot_ip ip_val[JCTX_IPS];
	unsigned ip_rr;
	struct jlast space, proto;
};

/* Member key of object o (NULL when o is not an object or has none).  The
 * members are looked at from the one after the last found, round, so a
 * value read in the order it was written is found at the first look. */
/* Inline: the callers' keys are literals, their lengths known. */
static inline __attribute__((always_inline)) struct bl_node *
nget(struct jctx *c, struct bl_node *o, const char *key)
{
	struct bl_node *v = c->d->v;
	size_t kl = strlen(key);
	uint32_t i, start;

	if (!o || o->type != BN_OBJ || !o->first)
		return NULL;
	start = o->hint && v[o->hint].next ? v[o->hint].next : o->first;
	i = start;
	do {
		if (v[i].klen == kl && memcmp(v[i].kp, key, kl) == 0) {
			o->hint = i;
			return &v[i];
		}
		i = v[i].next ? v[i].next : o->first;
	} while (i != start);
	return NULL;
}

/* Element i of array a, NULL when there is none. */
static struct bl_node *nidx(struct jctx *c, struct bl_node *a, size_t i)
{
	uint32_t at;

	if (!a || a->type != BN_ARR || i >= a->n)
		return NULL;
	for (at = a->first; i > 0; i--)
		at = c->d->v[at].next;
	return &c->d->v[at];
}

/* The element after v in its array, NULL after the last. */
static struct bl_node *nnext(struct jctx *c, const struct bl_node *v)
{
	return v->next ? &c->d->v[v->next] : NULL;
}

static struct bl_node *nfirst(struct jctx *c, const struct bl_node *a)
{
	return a->first ? &c->d->v[a->first] : NULL;
}

/* Elements of array a in order: i counts them, v is each. */
#define nforeach(c, a, i, v) \
	for ((i) = 0, (v) = nfirst((c), (a)); (v); (i)++, (v) = nnext((c), (v)))

static int nis_obj(const struct bl_node *v) { return v && v->type == BN_OBJ; }
static int nis_arr(const struct bl_node *v) { return v && v->type == BN_ARR; }
static int nis_str(const struct bl_node *v) { return v && v->type == BN_STR; }
static int nis_int(const struct bl_node *v) { return v && v->type == BN_INT; }
static int nis_num(const struct bl_node *v) { return v && (v->type == BN_INT || v->type == BN_REAL); }
static int nis_bool(const struct bl_node *v) { return v && (v->type == BN_TRUE || v->type == BN_FALSE); }
static int nis_true(const struct bl_node *v) { return v && v->type == BN_TRUE; }

static double nnum(const struct bl_node *v)
{
	return v->type == BN_INT ? (double)v->i : v->r;
}

static const char *nstr(const struct bl_node *v)
{
	return v->s;
}

static int jfail(struct jctx *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int jfail(struct jctx *c, const char *key, const char *fmt, ...)
{
	char msg[160], sec[96] = "";
	va_list ap;

	if (c->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->sec)
		snprintf(sec, sizeof(sec), "%s[%zu]", c->sec, c->idx);
	snprintf(c->err, c->errlen, "%s: %s%s%s%s: %s", c->path, sec, c->where, key ? "." : "",
		 key ? key : "", msg);
	c->failed = 1;
	return -1;
}

/* The error position names an entry: section name and index. */
static void jat_entry(struct jctx *c, const char *sec, size_t idx)
{
	c->sec = sec;
	c->idx = idx;
	c->where[0] = 0;
}

/* Member key of an object, found already as v (NULL: missing), as an
 * integer in lo..hi. */
static inline int jint_at(struct jctx *c, struct bl_node *v, const char *key, json_int_t lo,
			  json_int_t hi, json_int_t *out)
{
	if (!v)
		return jfail(c, key, "missing");
	if (!nis_int(v))
		return jfail(c, key, "expected an integer");
	if (v->i < lo || v->i > hi)
		return jfail(c, key, "%lld is outside %lld..%lld", (long long)v->i,
			     (long long)lo, (long long)hi);
	*out = v->i;
	return 0;
}

static inline int jint(struct jctx *c, struct bl_node *o, const char *key, json_int_t lo, json_int_t hi,
		json_int_t *out)
{
	return jint_at(c, nget(c, o, key), key, lo, hi, out);
}

static inline int jnum_at(struct jctx *c, struct bl_node *v, const char *key, double *out)
{
	if (!v)
		return jfail(c, key, "missing");
	if (!nis_num(v))
		return jfail(c, key, "expected a number");
	*out = nnum(v);
	if (!isfinite(*out))
		return jfail(c, key, "not a finite number");
	return 0;
}

static inline int jnum(struct jctx *c, struct bl_node *o, const char *key, double *out)
{
	return jnum_at(c, nget(c, o, key), key, out);
}

/* The string member key of o; NULL (and the error) when there is none. */
static inline struct bl_node *jstrv(struct jctx *c, struct bl_node *o, const char *key)
{
	struct bl_node *v = nget(c, o, key);

	if (!v)
		return jfail(c, key, "missing"), NULL;
	if (!nis_str(v))
		return jfail(c, key, "expected a string"), NULL;
	return v;
}

static inline int jstr(struct jctx *c, struct bl_node *o, const char *key, const char **out)
{
	struct bl_node *v = jstrv(c, o, key);

	if (!v)
		return -1;
	*out = nstr(v);
	return 0;
}

/* String node v's text is t[0..n) (its length known: no NUL looked for). */
static inline int nstr_is(const struct bl_node *v, const char *t, size_t n)
{
	return v->sl == n && same_bytes(v->s, t, n);
}

/* The string node v is the name in l: its value in *val. */
static inline int jlast_is(const struct jlast *l, const struct bl_node *v, int *val)
{
	if (!l->len || !nstr_is(v, l->text, l->len))
		return 0;
	*val = l->val;
	return 1;
}

static inline void jlast_keep(struct jlast *l, const struct bl_node *v, int val)
{
	if (v->sl > 0 && v->sl < sizeof(l->text)) {
		memcpy(l->text, v->s, v->sl + 1);
		l->len = (uint8_t)v->sl;
		l->val = val;
	}
}

static inline __attribute__((always_inline)) int
jip(struct jctx *c, struct bl_node *o, const char *key, struct ot_ip *ip)
{
	struct bl_node *v = jstrv(c, o, key);
	unsigned i;

	if (!v)
		return -1;
	for (i = 0; i < JCTX_IPS; i++)
		if (c->ip_len[i] && nstr_is(v, c->ip_text[i], c->ip_len[i])) {
			*ip = c->ip_val[i];
			return 0;
		}
	if (ot_ip_parse(v->s, ip) < 0)
		return jfail(c, key, "'%s' is not an IP address", v->s);
	if (v->sl > 0 && v->sl < sizeof(c->ip_text[0])) {
		i = c->ip_rr++ % JCTX_IPS;
		memcpy(c->ip_text[i], v->s, v->sl + 1);
		c->ip_len[i] = (uint8_t)v->sl;
		c->ip_val[i] = *ip;
	}
	return 0;
}

static inline int jspace(struct jctx *c, struct bl_node *o, const char *key, uint8_t *sp)
{
	struct bl_node *v = jstrv(c, o, key);
	int x;

	if (!v)
		return -1;
	if (!jlast_is(&c->space, v, &x)) {
		if ((x = ot_space_from_name(v->s)) < 0)
			return jfail(c, key, "unknown address space '%s'", v->s);
		jlast_keep(&c->space, v, x);
	}
	*sp = (uint8_t)x;
	return 0;
}

static int jproto(struct jctx *c, struct bl_node *o, struct bl_key *k, int allow_plain)
{
	struct bl_node *v = jstrv(c, o, "protocol");
	int x;

	if (!v)
		return -1;
	if (!jlast_is(&c->proto, v, &x)) {
		x = ot_proto_from_name(v->s);
		jlast_keep(&c->proto, v, x);
	}
	k->proto = (uint8_t)x;
	if (k->proto == OT_PROTO_UNKNOWN && !(allow_plain &&
	    (nstr_is(v, "tcp", 3) || nstr_is(v, "udp", 3) || nstr_is(v, "ip", 2))))
		return jfail(c, "protocol", "unknown protocol '%s'", v->s);
	return 0;
}

static int jedge(struct jctx *c, struct bl_node *o, struct bl_key *k)
{
	struct bl_node *tv;
	const char *t;
	json_int_t port = 0;

	if (jip(c, o, "client", &k->a) < 0 || jip(c, o, "server", &k->b) < 0 ||
	    jproto(c, o, k, 1) < 0 || !(tv = jstrv(c, o, "transport")) ||
	    jint(c, o, "port", 0, 65535, &port) < 0)
		return -1;
	t = tv->s;
	if (nstr_is(tv, "tcp", 3) || nstr_is(tv, "udp", 3)) {
		k->l4 = t[0] == 'u' ? IPPROTO_UDP : IPPROTO_TCP;
	} else {
		char *end;
		unsigned long n = strtoul(t, &end, 10);

		if (!t[0] || *end || t[0] == '-' || t[0] == '+' || t[0] == ' ' || n > 255 ||
		    n == IPPROTO_TCP || n == IPPROTO_UDP)
			return jfail(c, "transport", "expected \"tcp\", \"udp\" or an IP protocol number");
		k->l4 = (uint8_t)n;
	}
	k->port = (uint16_t)port;
	return 0;
}

static inline int jsym(struct jctx *c, struct bl_node *o, const char *key, struct bl_sym *s)
{
	struct bl_node *v = nget(c, o, key);
	json_int_t x = 0;
	size_t wl, kl;
	int rc = 0;

	if (!v || !nis_obj(v))
		return jfail(c, key, "expected an object");
	wl = strlen(c->where);  /* put back after: only this appends */
	kl = strlen(key);
	if (wl + 1 + kl < sizeof(c->where)) {   /* "<where>.<key>" */
		c->where[wl] = '.';
		memcpy(c->where + wl + 1, key, kl + 1);
	}
	memset(s, 0, sizeof(*s));
	if (jint(c, v, "function", -1, 0xffff, &x) < 0) rc = -1; else s->func = (int32_t)x;
	if (!rc && jint(c, v, "sub", -1, 0xffffff, &x) < 0) rc = -1; else s->sub = (int32_t)x;
	if (!rc && jspace(c, v, "space", &s->space) < 0) rc = -1;
	if (!rc && jint(c, v, "block", 0, 0xffff, &x) < 0) rc = -1; else s->block = (uint16_t)x;
	if (!rc && jint(c, v, "start", 0, UINT32_MAX, &x) < 0) rc = -1; else s->start = (uint32_t)x;
	if (!rc && jint(c, v, "count", 0, UINT32_MAX, &x) < 0) rc = -1; else s->count = (uint32_t)x;
	c->where[wl] = 0;
	return rc;
}
static void sym_key(struct bl_key *k, const struct bl_sym *s)
{
	k->func = s->func;
	k->sub = s->sub;
	k->space = s->space;
	k->block = s->block;
	k->start = s->start;
	k->count = s->count;
}

static int hex_value(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
	       ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	int i, hi, lo;

	/* the form a saved file has (two hex digits each, colons) read here;
	 * sscanf decides anything else */
	for (i = 0; i < 6; i++) {
		if ((hi = hex_value(s[3 * i])) < 0 || (lo = hex_value(s[3 * i + 1])) < 0 ||
		    s[3 * i + 2] != (i < 5 ? ':' : 0))
			break;
		v[i] = (unsigned)(hi << 4 | lo);
	}
	if (i == 6) {
		for (i = 0; i < 6; i++)
			mac[i] = (uint8_t)v[i];
		return 0;
	}
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6 ||
	    strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

/* A value point's shape (how it changed while learning).  Optional: a
 * file written before the point classes were learned has none, and its
 * points are then judged as analog ones.  "class" is derived, not read. */

/* An optional count: left as it is when the member is missing. */
static inline int jcount_opt(struct jctx *c, struct bl_node *o, const char *key, uint32_t *dst)
{
	struct bl_node *v = nget(c, o, key);
	json_int_t x = 0;

	if (!v)
		return 0;
	if (jint_at(c, v, key, 0, UINT32_MAX, &x) < 0)
		return -1;
	*dst = (uint32_t)x;
	return 0;
}

static int load_value_shape(struct jctx *c, struct bl_node *o, struct bl_entry *e)
{
	struct bl_node *v;

	if (jcount_opt(c, o, "increases", &e->ups) < 0 || jcount_opt(c, o, "decreases", &e->downs) < 0 ||
	    jcount_opt(c, o, "text_samples", &e->texts) < 0)
		return -1;
	if ((v = nget(c, o, "last_value")) && jnum_at(c, v, "last_value", &e->vprev) < 0)
		return -1;
	if ((uint64_t)e->texts > e->n)
		return jfail(c, "text_samples", "more than samples");
	return 0;
}

/* Decode one entry of section kind into a key and, after insertion, fill it. */
static int load_entry(struct baseline *b, struct jctx *c, enum bl_ekind kind, struct bl_node *o)
{
	struct bl_key k;
	struct bl_entry *e;
	json_int_t x = 0;
	double first = 0, last = 0;
	const char *s = NULL;
	struct bl_sym from, to;
	int created;
	size_t i;

	if (!nis_obj(o))
		return jfail(c, NULL, "expected an object");
	memset(&k, 0, sizeof(k));
	memset(&from, 0, sizeof(from));
	memset(&to, 0, sizeof(to));
	k.kind = (uint8_t)kind;
	switch (kind) {
	case BE_ASSET:
		if (jip(c, o, "ip", &k.a) < 0)
			return -1;
		break;
	case BE_IDENT:
		if (jip(c, o, "ip", &k.a) < 0 || jstr(c, o, "attribute", &s) < 0)
			return -1;
		if (ident_from_name(s) < 0)
			return jfail(c, "attribute", "unknown attribute '%s'", s);
		k.ident = (uint8_t)ident_from_name(s);
		if (jstr(c, o, "value", &s) < 0)
			return -1;
		break;
	case BE_SERVICE:
		if (jip(c, o, "ip", &k.a) < 0 || jproto(c, o, &k, 0) < 0 || jstr(c, o, "role", &s) < 0)
			return -1;
		if (strcmp(s, "client") && strcmp(s, "server"))
			return jfail(c, "role", "expected \"client\" or \"server\"");
		k.role = strcmp(s, "server") == 0;
		break;
	case BE_EDGE:
		if (jedge(c, o, &k) < 0)
			return -1;
		break;
	case BE_UNIT:
		if (jedge(c, o, &k) < 0 || jint(c, o, "unit", -1, 0xffff, &x) < 0)
			return -1;
		k.unit = (int32_t)x;
		break;
	case BE_OP:
	case BE_RANGE:
		if (jedge(c, o, &k) < 0 || jint(c, o, "function", -1, 0xffff, &x) < 0)
			return -1;
		k.func = (int32_t)x;
		if (jint(c, o, "sub", -1, 0xffffff, &x) < 0)
			return -1;
		k.sub = (int32_t)x;
		if (kind == BE_RANGE) {
			if (jspace(c, o, "space", &k.space) < 0 || jint(c, o, "block", 0, 0xffff, &x) < 0)
				return -1;
			k.block = (uint16_t)x;
		}
		break;
	case BE_CHAN:
		if (jedge(c, o, &k) < 0 || jsym(c, o, "request", &from) < 0)
			return -1;
		sym_key(&k, &from);
		break;
	case BE_TRANS:
		if (jedge(c, o, &k) < 0 || jsym(c, o, "from", &from) < 0 || jsym(c, o, "to", &to) < 0)
			return -1;
		k.s1 = bl_sym_hash(&from);
		k.s2 = bl_sym_hash(&to);
		break;
	case BE_IOCONN:
		if (jedge(c, o, &k) < 0 || jint(c, o, "transport_class", 0, 3, &x) < 0 ||
		    jstr(c, o, "path", &s) < 0)
			return -1;
		if (strlen(s) >= OT_CONN_PATH_LEN)
			return jfail(c, "path", "longer than %d characters", OT_CONN_PATH_LEN - 1);
		k.func = (int32_t)x;
		k.s1 = ots_hash_bytes(s, strlen(s), 0) | 1;
		break;
	case BE_IOSTREAM:
		if (jedge(c, o, &k) < 0)
			return -1;
		break;
	case BE_VALUE:
		if (jip(c, o, "server", &k.a) < 0 || jproto(c, o, &k, 0) < 0 ||
		    jint(c, o, "unit", -1, 0xffff, &x) < 0)
			return -1;
		k.unit = (int32_t)x;
		if (jspace(c, o, "space", &k.space) < 0 || jint(c, o, "block", 0, 0xffff, &x) < 0)
			return -1;
		k.block = (uint16_t)x;
		if (jint(c, o, "index", 0, UINT32_MAX, &x) < 0)
			return -1;
		k.start = (uint32_t)x;
		break;
	default:
		return jfail(c, NULL, "internal: unknown section");
	}
	if (jint(c, o, "count", 0, INT64_MAX, &x) < 0 || jnum(c, o, "first_seen", &first) < 0 ||
	    jnum(c, o, "last_seen", &last) < 0)
		return -1;

	e = bl_get(b, &k, first, &created);
	if (!e)
		return jfail(c, NULL, "more entries than --max-baseline-keys (%u) allows",
			     b->cfg.max_keys);
	if (!created)
		return jfail(c, NULL, "duplicate %s entry", bl_ekind_name(kind));
	e->count = (uint64_t)x;
	e->last = last;
	e->from = from;
	e->to = to;

	switch (kind) {
	case BE_ASSET: {
		struct bl_node *macs = nget(c, o, "macs"), *vlans = nget(c, o, "vlans"), *v;
		struct bl_node *many = nget(c, o, "many_macs");
		if (!nis_arr(macs) || macs->n > BL_MAX_MACS)
			return jfail(c, "macs", "expected an array of at most %d MAC addresses", BL_MAX_MACS);
		nforeach(c, macs, i, v) {
			if (!nis_str(v) || parse_mac(nstr(v), e->macs[e->nmac]) < 0)
				return jfail(c, "macs", "element %zu is not a MAC address", i);
			e->nmac++;
		}
		if (!nis_arr(vlans) || vlans->n > BL_MAX_VLANS)
			return jfail(c, "vlans", "expected an array of at most %d VLAN ids", BL_MAX_VLANS);
		nforeach(c, vlans, i, v) {
			if (!nis_int(v) || v->i < 0 || v->i > 4095)
				return jfail(c, "vlans", "element %zu is not a VLAN id", i);
			e->vlans[e->nvlan++] = (uint16_t)v->i;
		}
		if (many && !nis_bool(many))
			return jfail(c, "many_macs", "expected true or false");
		e->many_macs = nis_true(many);
		break;
	}
	case BE_IDENT:
		jstr(c, o, "value", &s);
		e->text = strdup(s);
		if (!e->text)
			return jfail(c, "value", "out of memory");
		break;
	case BE_EDGE: {
		struct bl_node *cats = nget(c, o, "request_categories"), *v;
		json_int_t r, er, om;
		if (!nis_arr(cats))
			return jfail(c, "request_categories", "expected an array");
		nforeach(c, cats, i, v) {
			int cat = nis_str(v) ? category_from_name(nstr(v)) : -1;
			if (cat < 0)
				return jfail(c, "request_categories", "element %zu is not a category", i);
			e->cats |= 1u << cat;
		}
		if (jint(c, o, "requests", 0, INT64_MAX, &r) < 0 || jint(c, o, "errors", 0, INT64_MAX, &er) < 0)
			return -1;
		if (jint(c, o, "order_stable_from", 0, INT64_MAX, &om) < 0)
			return -1;
		e->requests = (uint64_t)r;
		e->errors = (uint64_t)er;
		e->order_mark = (uint64_t)om;
		break;
	}
	case BE_OP: {
		int cat;
		if (jstr(c, o, "category", &s) < 0)
			return -1;
		if ((cat = category_from_name(s)) < 0)
			return jfail(c, "category", "unknown category '%s'", s);
		e->cats = (uint32_t)cat;
		break;
	}
	case BE_RANGE: {
		struct bl_node *r = nget(c, o, "ranges"), *v;
		if (!nis_arr(r))
			return jfail(c, "ranges", "expected an array of [low, high] pairs");
		nforeach(c, r, i, v) {
			struct bl_node *lo = nidx(c, v, 0), *hi = nidx(c, v, 1);
			if (!nis_arr(v) || v->n != 2 || !nis_int(lo) ||
			    !nis_int(hi) || lo->i < 0 ||
			    hi->i > UINT32_MAX || lo->i > hi->i)
				return jfail(c, "ranges", "element %zu is not a [low, high] pair", i);
			bl_range_add(e, (uint32_t)lo->i, (uint32_t)hi->i);
		}
		break;
	}
	case BE_IOCONN: {
		json_int_t v[5] = { 0 };

		if (jint(c, o, "trigger", 0, 7, &v[0]) < 0 ||
		    jint(c, o, "o_t_rpi", 0, UINT32_MAX, &v[1]) < 0 ||
		    jint(c, o, "t_o_rpi", 0, UINT32_MAX, &v[2]) < 0 ||
		    jint(c, o, "o_t_size", 0, 0xffff, &v[3]) < 0 ||
		    jint(c, o, "t_o_size", 0, 0xffff, &v[4]) < 0)
			return -1;
		e->io_trigger = (uint8_t)v[0];
		e->io_rpi[0] = (uint32_t)v[1];
		e->io_rpi[1] = (uint32_t)v[2];
		e->io_size[0] = (uint16_t)v[3];
		e->io_size[1] = (uint16_t)v[4];
		jstr(c, o, "path", &s);
		if (!(e->text = strdup(s)))
			return jfail(c, "path", "out of memory");
		break;
	}
	case BE_CHAN:
	case BE_IOSTREAM:
	case BE_VALUE: {
		struct bl_node *p = kind == BE_CHAN ? nget(c, o, "period") :
			    kind == BE_IOSTREAM ? nget(c, o, "interval") : o;
		double mean, sd, mn, mx;
		json_int_t n = 0;
		char saved[64];
		int rc = 0;

		if (!nis_obj(p))
			return jfail(c, kind == BE_IOSTREAM ? "interval" : "period", "expected an object");
		memcpy(saved, c->where, sizeof(saved));
		if (kind == BE_CHAN)
			strncat(c->where, ".period", sizeof(c->where) - strlen(c->where) - 1);
		if (kind == BE_IOSTREAM) {
			if (jnum(c, o, "report_every", &e->io_report) < 0)
				return -1;
			if (e->io_report < 0)
				return jfail(c, "report_every", "negative");
			strncat(c->where, ".interval", sizeof(c->where) - strlen(c->where) - 1);
		}
		if (jint(c, p, "samples", 0, INT64_MAX, &n) < 0 || jnum(c, p, "mean", &mean) < 0 ||
		    jnum(c, p, "stddev", &sd) < 0 || jnum(c, p, "min", &mn) < 0 || jnum(c, p, "max", &mx) < 0)
			rc = -1;
		else if (sd < 0 || (n > 0 && mn > mx))
			rc = jfail(c, NULL, "stddev < 0 or min > max");
		memcpy(c->where, saved, sizeof(saved));
		if (rc < 0)
			return -1;
		e->n = (uint64_t)n;
		e->mean = mean;
		e->m2 = n > 1 ? sd * sd * (double)(n - 1) : 0;
		e->min = n ? mn : INFINITY;
		e->max = n ? mx : -INFINITY;
		if (kind == BE_VALUE && load_value_shape(c, o, e) < 0)
			return -1;
		break;
	}
	default:
		break;
	}
	return 0;
}

/* The top level's own fields (format, version, learning span) into a new
 * model; NULL with err set when one is missing, mistyped or unsupported. */
static struct baseline *load_header(struct jctx *c, struct bl_node *root, const struct bl_config *cfg)
{
	struct baseline *b = NULL;
	const char *fmt = NULL;
	json_int_t ver = 0, x = 0;

	if (!nis_obj(root)) {
		jfail(c, NULL, "the top level is not a JSON object");
		return NULL;
	}
	snprintf(c->where, sizeof(c->where), "%s", "baseline");
	if (jstr(c, root, "format", &fmt) < 0)
		return NULL;
	if (strcmp(fmt, BASELINE_FORMAT) != 0) {
		jfail(c, "format", "'%s' is not an otsentry baseline", fmt);
		return NULL;
	}
	if (jint(c, root, "version", 0, INT32_MAX, &ver) < 0)
		return NULL;
	if (ver != BASELINE_VERSION) {
		jfail(c, "version", "version %lld is not supported (this otsentry reads version %d)",
		      (long long)ver, BASELINE_VERSION);
		return NULL;
	}
	b = baseline_new(cfg);
	if (!b) {
		snprintf(c->err, c->errlen, "%s: out of memory", c->path);
		return NULL;
	}
	if (jnum(c, root, "learn_start", &b->learn_start) < 0 ||
	    jnum(c, root, "learn_end", &b->learn_end) < 0 ||
	    jint(c, root, "learned_packets", 0, INT64_MAX, &x) < 0)
		goto fail;
	b->learned_packets = (uint64_t)x;
	if (jint(c, root, "learned_events", 0, INT64_MAX, &x) < 0)
		goto fail;
	b->learned_events = (uint64_t)x;
	return b;
fail:
	baseline_free(b);
	return NULL;
}

/* The whole file as one JSON tree: every error named (file, line, field).
 * Each entry (and the top level's own fields) is taken from the tree into
 * nodes on its own. */
struct baseline *bl_load_tree(const char *path, const struct bl_config *cfg,
			      char *err, size_t errlen)
{
	struct baseline *b = NULL;
	struct bl_doc d = { 0 };
	json_error_t je;
	json_t *root, *v;
	struct jctx c;
	uint32_t n;
	size_t i;
	int k;

	memset(&c, 0, sizeof(c));
	c.path = path;
	c.err = err;
	c.errlen = errlen;
	c.d = &d;
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (je.line <= 0)
			snprintf(err, errlen, "%s: %s", path, je.text);
		else
			snprintf(err, errlen, "%s:%d:%d: not a valid baseline: %s", path, je.line,
				 je.column, je.text);
		return NULL;
	}
	doc_reset(&d);
	if (!(n = doc_from_json(&d, root, 1)))
		goto oom;
	if (!(b = load_header(&c, &d.v[n], cfg)))
		goto fail;
	for (k = 1; k < BE_KIND_MAX; k++) {
		json_t *arr = json_object_get(root, section_names[k]);
		/* the I/O sections came later: a file without them learned none */
		if (!arr && (k == BE_IOCONN || k == BE_IOSTREAM))
			continue;
		if (!json_is_array(arr)) {
			jfail(&c, section_names[k], "missing or not an array");
			goto fail;
		}
		json_array_foreach(arr, i, v) {
			jat_entry(&c, section_names[k], i);
			doc_reset(&d);
			if (!(n = doc_from_json(&d, v, BL_DOC_LEVELS)))
				goto oom;
			if (load_entry(b, &c, (enum bl_ekind)k, &d.v[n]) < 0)
				goto fail;
		}
	}
	json_decref(root);
	doc_free(&d);
	return b;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	json_decref(root);
	doc_free(&d);
	baseline_free(b);
	return NULL;
}

/*
 * The same file read one entry at a time.  The tree of a large baseline is
 * many times the file's size, and building it (fresh memory for every
 * value) cost more than reading the capture it was learned from; here the
 * top level is split by a structural scan, and each entry is read from
 * the text into the nodes the entry before used, so the same few
 * kilobytes serve them all and no value is allocated.  It accepts only
 * what bl_load_tree accepts and yields the same model (the sections in
 * the same order); anything it does not follow (a syntax error, an
 * escaped key, a bad field) gives up, and bl_load_tree then reads the
 * file and names the error.
 */

/* Nesting the scan follows before it gives up (entries are 3 deep). */
#define BL_SCAN_DEPTH 64

static inline const char *skip_ws(const char *p, const char *end)
{
	/* a saved file's line break and indent: the spaces a word at a time */
	if (BL_WORDS && p < end && *p == '\n')
		for (p++; end - p >= 8; p += 8) {
			uint64_t w = word_at(p) ^ (BL_ONES * ' ');

			if (w) {
				p += __builtin_ctzll(w) >> 3;   /* the first byte not a space */
				break;
			}
		}
	/* the first test alone tells most bytes (all above ' ') apart */
	while (p < end && (unsigned char)*p <= ' ' &&
	       (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* The end of the JSON value at p (its extent only: jansson checks it);
 * NULL when it is not closed before end or nests too deep. */
static const char *value_end(const char *p, const char *end)
{
	int depth = 0;

	if (p >= end)
		return NULL;
	if (*p != '{' && *p != '[' && *p != '"') {
		while (p < end && !strchr(",}] \n\t\r", *p))
			p++;
		return p;
	}
	for (; p < end; p++) {
		switch (*p) {
		case '"':
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			if (p >= end)
				return NULL;
			if (depth == 0)
				return p + 1;
			break;
		case '{':
		case '[':
			if (++depth > BL_SCAN_DEPTH)
				return NULL;
			break;
		case '}':
		case ']':
			if (--depth == 0)
				return p + 1;
			break;
		default:
			break;
		}
	}
	return NULL;
}

/*
 * A value is read here when it is of the plain kind a saved baseline
 * holds: strings of printable ASCII without escapes, numbers, literals,
 * little nesting.  Its nodes are what jansson's tree of it gives (a
 * number with a fraction or an exponent is a real, else an integer;
 * strtod and strtoll as jansson uses them).  Anything else (an escape,
 * other bytes, a repeated key, a number out of range, a syntax error)
 * gives up, and jansson reads the value and says what is wrong.
 */
#define BL_PLAIN_DEPTH 8

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* The bytes a plain string holds: printable ASCII but '"' and '\\'. */
static const uint8_t plain_char[256] = {
	[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1,   /* no 0x22, 0x5c */
};

/* The bytes of word w a plain string may not hold, flagged.  Only the
 * lowest flag is sure to be right (a borrow or a carry runs upward, and
 * only out of a byte that is flagged itself): it is all the callers use. */
static inline uint64_t word_stops(uint64_t w)
{
	uint64_t q = w ^ (BL_ONES * '"'), b = w ^ (BL_ONES * '\\');

	return (((w - BL_ONES * 0x20) & ~w) |           /* below ' ' */
		w | (w + BL_ONES) |                     /* 0x7f and above */
		((q - BL_ONES) & ~q) |                  /* '"' */
		((b - BL_ONES) & ~b)) & BL_HIGHS;       /* '\\' */
}

/* The string at *pp ('"'): its text and length, *pp past it; -1 if not plain. */
static inline int plain_string(const char **pp, const char *end, const char **text, size_t *len)
{
	const char *q = *pp + 1;

	*text = q;
	if (BL_WORDS)
		for (; end - q >= 8; q += 8) {
			uint64_t stops = word_stops(word_at(q));

			if (stops) {
				q += __builtin_ctzll(stops) >> 3;
				goto stopped;
			}
		}
	while (q < end && plain_char[(unsigned char)*q])
		q++;
stopped:
	if (q >= end || *q != '"')
		return -1;      /* not closed, or a byte it may not hold */
	*len = (size_t)(q - *text);
	*pp = q + 1;
	return 0;
}

/*
 * The number at *pp, checked to be JSON and read in the same pass, into a
 * node.  Without strtod/strtoll when that gives the same value exactly:
 * an integer of at most 18 digits; a decimal without exponent whose
 * digits make an integer m below 2^53 with at most 22 of them after the
 * point, which is m / 10^k, both exact doubles, so the one rounding of the
 * division is strtod's (Clinger's fast path).  Else strtod/strtoll decide.
 */
static uint32_t plain_number(struct bl_doc *d, const char **pp, const char *end)
{
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
	const char *p = *pp, *q = p;
	char buf[64], *stop;
	uint64_t m = 0;         /* the digits (wrapped past 19: then not used) */
	int neg = 0, digits = 0, frac = -1, expo = 0;
	struct bl_node *v;
	size_t n;
	uint32_t at;

	if (q < end && *q == '-') {
		neg = 1;
		q++;
	}
	if (q >= end || !is_digit(*q))
		return 0;
	if (*q == '0') {
		q++;
		digits = 1;
	} else {
		for (; q < end && is_digit(*q); q++, digits++)
			m = m * 10 + (uint64_t)(*q - '0');
	}
	if (q < end && *q == '.') {
		if (++q >= end || !is_digit(*q))
			return 0;
		for (frac = 0; q < end && is_digit(*q); q++, digits++, frac++)
			m = m * 10 + (uint64_t)(*q - '0');
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		expo = 1;
		if (++q < end && (*q == '+' || *q == '-'))
			q++;
		if (q >= end || !is_digit(*q))
			return 0;
		while (q < end && is_digit(*q))
			q++;
	}
	if ((n = (size_t)(q - p)) >= sizeof(buf) || !(at = doc_node(d, BN_NULL)))
		return 0;
	v = &d->v[at];
	if (!expo && digits <= 18) {
		if (frac < 0) {
			v->type = BN_INT;
			v->i = neg ? -(json_int_t)m : (json_int_t)m;
			*pp = q;
			return at;
		}
		if (m < (1ULL << 53) && frac <= 22) {
			double x = (double)m / pow10[frac];

			v->type = BN_REAL;
			v->r = neg ? -x : x;
			*pp = q;
			return at;
		}
	}
	memcpy(buf, p, n);
	buf[n] = 0;
	errno = 0;
	if (frac >= 0 || expo) {
		double x = strtod(buf, &stop);

		if (errno || stop != buf + n || !isfinite(x))
			return 0;
		v->type = BN_REAL;
		v->r = x;
	} else {
		long long x = strtoll(buf, &stop, 10);

		if (errno || stop != buf + n)
			return 0;
		v->type = BN_INT;
		v->i = (json_int_t)x;
	}
	*pp = q;
	return at;
}

static uint32_t plain_value(struct bl_doc *d, const char **pp, const char *end, int depth,
			    uint32_t member);

/* A bit for a member name: a repeated name is looked for only when its
 * bit is already set. */
static uint64_t key_bit(const char *s, size_t len)
{
	return 1ULL << ((len * 7 + (len ? (unsigned char)s[0] + 3u * (unsigned char)s[len - 1] : 0)) & 63);
}

/* The template of an object at depth, member i of its parent: objects at
 * depth 1 (an entry's members) have several, and each depth one of its own
 * apart from all the others', so an object never shares its template with
 * an object it is inside of (which is still comparing with its own). */
static unsigned tmpl_place(int depth, uint32_t i)
{
	return depth <= 0 ? 0 : depth == 1 ? 1 + i % 8 : 7 + (unsigned)depth;
}

/* The text at p is gap g's bytes. */
static inline int gap_is(const char *p, const char *end, const struct bl_gap *g)
{
	return (size_t)(end - p) >= g->len && same_bytes(p, g->p, g->len);
}

/* A byte that goes on a number. */
static inline int number_char(char ch)
{
	return is_digit(ch) || ch == '.' || ch == 'e' || ch == 'E' || ch == '+' || ch == '-';
}

/* The value at *pp as a node when its text is the one kept in g (*pp past
 * it); 0 when it is not. */
static inline uint32_t value_again(struct bl_doc *d, const char **pp, const char *end,
				   const struct bl_gap *g)
{
	const char *p = *pp;
	size_t n = g->vlen;
	uint32_t at;

	if (!g->vp || (size_t)(end - p) < n)
		return 0;
	if (g->vtype == BN_STR) {
		/* the kept text ends in its NUL, this one in its quote */
		if (!same_bytes(p, g->vp, n - 1) || p[n - 1] != '"')
			return 0;
	} else if (!same_bytes(p, g->vp, n) ||
		   ((g->vtype == BN_INT || g->vtype == BN_REAL) && (size_t)(end - p) > n &&
		    number_char(p[n]))) {
		return 0;       /* other bytes, or a longer number */
	}
	if (!(at = doc_node(d, (enum bl_ntype)g->vtype)))
		return 0;
	if (g->vtype == BN_STR) {
		d->v[at].s = g->vp + 1;
		d->v[at].sl = (uint32_t)(n - 2);
	}
	d->v[at].i = g->i;
	d->v[at].r = g->r;
	*pp = p + n;
	return at;
}

/* Value node v, read from [p, q), kept in g (or not, when a container or
 * too long). */
static inline void value_keep(struct bl_gap *g, const struct bl_node *v, const char *p, const char *q)
{
	if (v->type == BN_OBJ || v->type == BN_ARR || q - p > UINT8_MAX || q - p < 1) {
		g->vp = NULL;
		return;
	}
	g->vp = p;
	g->vlen = (uint8_t)(q - p);
	g->vtype = v->type;
	g->i = v->i;
	g->r = v->r;
}

/* The elements after '[' at *pp into an array node. */
static uint32_t plain_array(struct bl_doc *d, const char **pp, const char *end, int depth)
{
	const char *p = skip_ws(*pp + 1, end);
	uint32_t at = doc_node(d, BN_ARR), last = 0, m;

	if (!at)
		return 0;
	if (p < end && *p == ']') {
		*pp = p + 1;
		return at;
	}
	for (;;) {
		if (!(m = plain_value(d, &p, end, depth + 1, 0)))
			return 0;
		doc_link(d, at, &last, m);
		p = skip_ws(p, end);
		if (p < end && *p == ']') {
			*pp = p + 1;
			return at;
		}
		if (p >= end || *p != ',')
			return 0;
		p = skip_ws(p + 1, end);
	}
}

/*
 * The members after '{' at *pp into an object node.  Where the object
 * stands (depth, and member of its parent) picks the template its gaps
 * are compared with.  While every gap so far is the template's, the keys
 * are the template's first ones, different from one another; from the
 * first gap that is not, each is read and its key checked against those
 * before it, and the object's gaps become the template when it ends.
 */
static uint32_t plain_object(struct bl_doc *d, const char **pp, const char *end, int depth,
			     uint32_t member)
{
	/* depth <= BL_PLAIN_DEPTH (plain_value's check): every place is a template */
	_Static_assert(7 + BL_PLAIN_DEPTH < BL_TMPLS, "a template for each depth");
	unsigned place = tmpl_place(depth, member);
	struct bl_tmpl *tp = &d->tmpl[place < BL_TMPLS ? place : BL_TMPLS - 1];
	struct bl_gap cur[BL_TMPL_KEYS], *keep;
	const char *p = *pp + 1, *g, *text = NULL, *v;
	uint32_t at = doc_node(d, BN_OBJ), last = 0, m, i, k;
	uint64_t seen = 0, bit;
	size_t len = 0;
	int on = 1;             /* every gap so far the template's */

	if (!at)
		return 0;
	for (i = 0;; i++) {
		g = p;
		if (on && i < tp->n && gap_is(p, end, &tp->g[i])) {
			text = p + tp->g[i].koff;
			len = tp->g[i].klen;
			p = skip_ws(p + tp->g[i].len, end);
			keep = &tp->g[i];
			if ((m = value_again(d, &p, end, keep)) != 0)
				goto read;
		} else {
			p = skip_ws(p, end);
			if (p < end && *p == '}')
				break;
			if (i > 0) {
				if (p >= end || *p != ',')
					return 0;
				p = skip_ws(p + 1, end);
			}
			if (on) {
				/* off the template: the keys so far as the
				 * repeated-key check knows them */
				on = 0;
				memcpy(cur, tp->g, (i < BL_TMPL_KEYS ? i : BL_TMPL_KEYS) * sizeof(cur[0]));
				for (k = d->v[at].first; k; k = d->v[k].next)
					seen |= key_bit(d->v[k].kp, d->v[k].klen);
			}
			if (p >= end || *p != '"' || plain_string(&p, end, &text, &len) < 0 ||
			    len >= UINT32_MAX)
				return 0;
			bit = key_bit(text, len);
			if (seen & bit)
				for (k = d->v[at].first; k; k = d->v[k].next)
					if (d->v[k].klen == len && memcmp(d->v[k].kp, text, len) == 0)
						return 0;       /* a repeated key: jansson names it */
			seen |= bit;
			if (p < end && *p == ':')
				p++;
			else if ((p = skip_ws(p, end)) < end && *p == ':')
				p++;
			else
				return 0;
			if (p < end && *p == ' ')       /* the one blank a saved file has */
				p++;
			p = skip_ws(p, end);
			keep = NULL;
			if (i < BL_TMPL_KEYS) {
				if (p - g <= UINT8_MAX) {
					keep = &cur[i];
					cur[i].p = g;
					cur[i].len = (uint8_t)(p - g);
					cur[i].koff = (uint8_t)(text - g);
					cur[i].klen = (uint8_t)len;
				} else {
					cur[i].p = NULL;        /* too long to keep: ends the template */
				}
			}
		}
		v = p;
		if (!(m = plain_value(d, &p, end, depth + 1, i)))
			return 0;
		if (keep)
			value_keep(keep, &d->v[m], v, p);
read:
		d->v[m].kp = text;
		d->v[m].klen = (uint32_t)len;
		doc_link(d, at, &last, m);
	}
	*pp = p + 1;
	if (!on) {
		for (k = 0; k < i && k < BL_TMPL_KEYS && cur[k].p; k++)
			tp->g[k] = cur[k];
		tp->n = k;
	}
	return at;
}

/* The value at *pp as nodes, *pp past it; 0 when it is not plain.  A
 * string's closing quote in the text becomes its NUL (the text is the
 * loader's own copy of the file; doc_value puts the quotes back when it
 * leaves the value to jansson after all). */
static uint32_t plain_value(struct bl_doc *d, const char **pp, const char *end, int depth,
			    uint32_t member)
{
	const char *p = *pp, *text;
	size_t len;
	uint32_t at;

	if (p >= end || depth > BL_PLAIN_DEPTH)
		return 0;
	switch (*p) {
	case '{':
		return plain_object(d, pp, end, depth, member);
	case '[':
		return plain_array(d, pp, end, depth);
	case '"':
		if (plain_string(&p, end, &text, &len) < 0 || len >= UINT32_MAX ||
		    !(at = doc_node(d, BN_STR)))
			return 0;
		((char *)text)[len] = 0;
		d->v[at].s = text;
		d->v[at].sl = (uint32_t)len;
		*pp = p;
		return at;
	case 't':
		if (end - p < 4 || memcmp(p, "true", 4) || !(at = doc_node(d, BN_TRUE)))
			return 0;
		*pp = p + 4;
		return at;
	case 'f':
		if (end - p < 5 || memcmp(p, "false", 5) || !(at = doc_node(d, BN_FALSE)))
			return 0;
		*pp = p + 5;
		return at;
	case 'n':
		if (end - p < 4 || memcmp(p, "null", 4) || !(at = doc_node(d, BN_NULL)))
			return 0;
		*pp = p + 4;
		return at;
	default:
		return plain_number(d, pp, end);
	}
}

/* The value at *pp as nodes, *pp past it: by the plain reader, else by
 * jansson (*jv then holds its tree, which the nodes' names point into: the
 * caller frees it after use).  bounded: the value is all of [*pp, end)
 * (a top-level field, any JSON value); else it is an object or array (an
 * entry) and ends at its closing bracket, before end.  0 when the value is
 * not valid JSON, or not what it must be. */
static uint32_t doc_value(struct bl_doc *d, const char **pp, const char *end, int bounded,
			  json_t **jv)
{
	const char *p = *pp;
	json_error_t je;
	uint32_t at, i, mark = d->n ? d->n : 1;

	*jv = NULL;
	if ((at = plain_value(d, pp, end, 0, 0)) != 0 && (!bounded || *pp == end))
		return at;
	/* what the plain reader left is dropped, its strings' quotes put back
	 * (of those it read, not those it took from a template: those are
	 * before the value); the templates, whose strings may be among them,
	 * go with them */
	for (i = mark; i < d->n; i++)
		if (d->v[i].type == BN_STR && d->v[i].s >= p && d->v[i].s < end)
			((char *)d->v[i].s)[d->v[i].sl] = '"';
	for (i = 0; i < BL_TMPLS; i++)
		d->tmpl[i].n = 0;
	d->n = mark;
	*pp = p;
	*jv = json_loadb(p, (size_t)(end - p), (bounded ? JSON_DECODE_ANY : JSON_DISABLE_EOF_CHECK) |
			 JSON_REJECT_DUPLICATES, &je);
	if (!*jv)
		return 0;
	if (bounded) {
		*pp = end;
	} else {
		/* an object or array ends at its closing bracket: where the
		 * parse stopped is where the next element may begin */
		if (je.position <= 0 || p + je.position > end ||
		    (p[je.position - 1] != '}' && p[je.position - 1] != ']'))
			return 0;
		*pp = p + je.position;
	}
	return doc_from_json(d, *jv, BL_DOC_LEVELS);
}

static int section_from_name(const char *s, size_t n)
{
	int k;

	for (k = 1; k < BE_KIND_MAX; k++)
		if (strlen(section_names[k]) == n && memcmp(section_names[k], s, n) == 0)
			return k;
	return -1;
}

/* Each element of the array at p ('[', closed before end) loaded as an
 * entry of kind k; past its ']', or NULL. */
static const char *load_section_text(struct baseline *b, struct jctx *c, int k, const char *p,
				     const char *end)
{
	size_t i;

	p = skip_ws(p + 1, end);        /* past '[' */
	if (p < end && *p == ']')
		return p + 1;
	for (i = 0;; i++) {
		json_t *jv;
		uint32_t at;
		int rc;

		doc_reset(c->d);
		at = doc_value(c->d, &p, end, 0, &jv);
		jat_entry(c, section_names[k], i);
		rc = at ? load_entry(b, c, (enum bl_ekind)k, &c->d->v[at]) : -1;
		json_decref(jv);
		if (rc < 0)
			return NULL;
		p = skip_ws(p, end);
		if (p < end && *p == ']')
			return p + 1;
		if (p >= end || *p != ',')
			return NULL;
		p = skip_ws(p + 1, end);
	}
}

/* The streamed reading of the file; NULL when it gives up (bl_load_tree
 * then reads the file and names the error). */
struct baseline *bl_load_streamed(const char *path, const struct bl_config *cfg,
				  char *err, size_t errlen)
{
	const char *sec[BE_KIND_MAX] = { 0 }, *sec_end[BE_KIND_MAX] = { 0 };
	uint8_t loaded[BE_KIND_MAX] = { 0 };
	struct baseline *b = NULL;
	struct bl_doc d = { 0 }, dr = { 0 };
	json_t *held[16];
	unsigned nheld = 0, i;
	struct jctx c;
	char *buf = NULL;
	const char *p, *end;
	size_t len = 0, cap = 0, n;
	uint32_t root, last = 0;
	struct stat st;
	FILE *fp;
	int k, last_k = 0, deferred = 0;

	memset(&c, 0, sizeof(c));
	c.path = path;
	c.err = err;
	c.errlen = errlen;
	if (!(fp = fopen(path, "rb")))
		return NULL;
	if (fstat(fileno(fp), &st) == 0 && st.st_size > 0 && (uintmax_t)st.st_size < SIZE_MAX / 2) {
		cap = (size_t)st.st_size + 1;   /* + 1: the end is seen in one read */
		if (!(buf = malloc(cap)))
			cap = 0;
	}
	for (;;) {
		if (len == cap) {
			char *nb = cap < SIZE_MAX / 2 ? realloc(buf, cap ? cap * 2 : 65536) : NULL;
			if (!nb)
				break;
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp) || !feof(fp)) {
		fclose(fp);
		goto fail;
	}
	fclose(fp);

	/*
	 * The top level: keys without escapes; the other values read into
	 * nodes of their own (dr), members of a root node.  A section is
	 * loaded where it stands when the fields before it make the header
	 * and it comes after the sections loaded so far (a saved file: the
	 * header first, the sections in their order); else (another layout)
	 * it and every section after it are only measured, and loaded at the
	 * end in their order, after the header.  Each entry is read into d.
	 */
	end = buf + len;
	p = skip_ws(buf, end);
	doc_reset(&dr);
	if (p >= end || *p != '{' || !(root = doc_node(&dr, BN_OBJ)))
		goto fail;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		goto fail;      /* nothing to load: bl_load_tree says what is missing */
	for (;;) {
		const char *key, *e;
		uint32_t m;
		size_t kl;
		json_t *jv;

		if (p >= end || *p != '"')
			goto fail;
		key = ++p;
		while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20 &&
		       (unsigned char)*p < 0x7f)
			p++;
		if (p >= end || *p != '"' || (kl = (size_t)(p - key)) >= 64)
			goto fail;
		for (m = dr.v[root].first; m; m = dr.v[m].next)
			if (dr.v[m].klen == kl && memcmp(dr.v[m].kp, key, kl) == 0)
				goto fail;      /* a duplicate */
		p = skip_ws(p + 1, end);
		if (p >= end || *p != ':')
			goto fail;
		p = skip_ws(p + 1, end);
		if ((k = section_from_name(key, kl)) > 0 && *p == '[') {
			if (!b && !deferred) {
				c.d = &dr;
				if (!(b = load_header(&c, &dr.v[root], cfg))) {
					deferred = 1;   /* perhaps the header comes later */
					c.failed = 0;
				}
			}
			if (!deferred && k > last_k) {
				c.d = &d;
				if (!(e = load_section_text(b, &c, k, p, end)))
					goto fail;
				loaded[k] = 1;
				last_k = k;
			} else {
				deferred = 1;
				if (!(e = value_end(p, end)))
					goto fail;
				sec[k] = p;
				sec_end[k] = e;
			}
			/* a member of its own marks the key as seen */
			m = doc_node(&dr, BN_NULL);
		} else {
			if (k > 0 || !(e = value_end(p, end)))
				goto fail;
			m = doc_value(&dr, &p, e, 1, &jv);
			if (jv && nheld < sizeof(held) / sizeof(held[0]))
				held[nheld++] = jv;     /* the names point into it */
			else if (jv) {
				json_decref(jv);
				goto fail;
			}
		}
		if (!m)
			goto fail;
		dr.v[m].kp = key;
		dr.v[m].klen = (uint32_t)kl;
		doc_link(&dr, root, &last, m);
		p = skip_ws(e, end);
		if (p < end && *p == '}')
			break;
		if (p >= end || *p != ',')
			goto fail;
		p = skip_ws(p + 1, end);
	}
	if (skip_ws(p + 1, end) != end)
		goto fail;

	c.d = &dr;
	if (!b && !(b = load_header(&c, &dr.v[root], cfg)))
		goto fail;
	c.d = &d;
	for (k = 1; k < BE_KIND_MAX; k++) {
		if (loaded[k] || (!sec[k] && (k == BE_IOCONN || k == BE_IOSTREAM)))
			continue;
		/* a section after one loaded later in order: not the model's order */
		if (!sec[k] || k < last_k || load_section_text(b, &c, k, sec[k], sec_end[k]) != sec_end[k])
			goto fail;
	}
	for (i = 0; i < nheld; i++)
		json_decref(held[i]);
	doc_free(&d);
	doc_free(&dr);
	free(buf);
	return b;
fail:
	for (i = 0; i < nheld; i++)
		json_decref(held[i]);
	doc_free(&d);
	doc_free(&dr);
	free(buf);
	baseline_free(b);
	return NULL;
}

struct baseline *baseline_load(const char *path, const struct bl_config *cfg,
			       char *err, size_t errlen)
{
	struct baseline *b = bl_load_streamed(path, cfg, err, errlen);

	return b ? b : bl_load_tree(path, cfg, err, errlen);
}

/* ---- show and diff ----------------------------------------------------------- */

static void sym_text(const struct bl_sym *s, char *buf, size_t len)
{
	if (s->space)
		snprintf(buf, len, "fc %d%s %s %u:%u+%u", s->func, s->sub >= 0 ? "/sub" : "",
			 ot_space_name(s->space), s->block, s->start, s->count);
	else
		snprintf(buf, len, "fc %d", s->func);
}

static void entry_text(const struct bl_entry *e, char *buf, size_t len)
{
	const struct bl_key *k = &e->k;
	char a[OTS_IPSTR_LEN], b[OTS_IPSTR_LEN], s1[96], s2[96];

	ot_ip_str(&k->a, a, sizeof(a));
	ot_ip_str(&k->b, b, sizeof(b));
	switch ((enum bl_ekind)k->kind) {
	case BE_ASSET:
		snprintf(buf, len, "asset %s (%u MAC%s)", a, e->nmac, e->nmac == 1 ? "" : "s");
		break;
	case BE_IDENT:
		snprintf(buf, len, "identity %s %s = \"%s\"", a,
			 ot_ident_key_name((enum ot_ident_key)k->ident), e->text ? e->text : "");
		break;
	case BE_SERVICE:
		snprintf(buf, len, "service %s %s %s", a, ot_proto_name((enum ot_proto)k->proto),
			 k->role ? "server" : "client");
		break;
	case BE_EDGE:
		snprintf(buf, len, "edge %s -> %s %s/%u", a, b, edge_proto_name(k), k->port);
		break;
	case BE_UNIT:
		snprintf(buf, len, "unit %s -> %s %s unit %d", a, b, edge_proto_name(k), k->unit);
		break;
	case BE_OP:
		snprintf(buf, len, "operation %s -> %s %s fc %d%s (%s)", a, b, edge_proto_name(k),
			 k->func, k->sub >= 0 ? "/sub" : "", ot_category_name((enum ot_category)e->cats));
		break;
	case BE_RANGE:
		snprintf(buf, len, "range %s -> %s %s fc %d %s %u: %u range%s", a, b, edge_proto_name(k),
			 k->func, ot_space_name(k->space), k->block, e->nr,
			 e->nr == 1 ? "" : "s");
		break;
	case BE_CHAN:
		sym_text(&e->from, s1, sizeof(s1));
		snprintf(buf, len, "channel %s -> %s %s %s every %.3fs (sd %.3f, n %llu)", a, b,
			 edge_proto_name(k), s1, e->mean, entry_std(e), (unsigned long long)e->n);
		break;
	case BE_TRANS:
		sym_text(&e->from, s1, sizeof(s1));
		sym_text(&e->to, s2, sizeof(s2));
		snprintf(buf, len, "order %s -> %s %s: [%s] then [%s]", a, b, edge_proto_name(k), s1, s2);
		break;
	case BE_IOCONN:
		snprintf(buf, len, "io connection %s -> %s %s class %d path \"%s\" RPI %u/%u us size %u/%u",
			 a, b, edge_proto_name(k), k->func, e->text ? e->text : "", e->io_rpi[0],
			 e->io_rpi[1], e->io_size[0], e->io_size[1]);
		break;
	case BE_IOSTREAM:
		snprintf(buf, len, "io stream %s -> %s %s/%u every %.3fs (sd %.3f, n %llu)", a, b,
			 edge_proto_name(k), k->port, e->mean, entry_std(e), (unsigned long long)e->n);
		break;
	case BE_VALUE:
		snprintf(buf, len, "value %s %s unit %d %s %u:%u %s in [%g, %g] (n %llu)", a,
			 ot_proto_name((enum ot_proto)k->proto), k->unit,
			 ot_space_name(k->space), k->block, k->start,
			 bl_vclass_name(bl_value_class(e)),
			 e->n ? e->min : 0.0, e->n ? e->max : 0.0, (unsigned long long)e->n);
		break;
	default:
		snprintf(buf, len, "?");
	}
}

static struct baseline *load_for_command(const char *path, char *err, size_t errlen)
{
	struct bl_config cfg;

	/* printing needs no thresholds, only room for every entry */
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_keys = UINT32_MAX;
	return baseline_load(path, &cfg, err, errlen);
}

/* The evidence an element was learned from, and whether it is judged:
 * "" for the kinds that alert by their absence. */
static void evidence_text(const struct bl_config *cfg, const struct bl_entry *e,
			  char *buf, size_t len)
{
	const char *yes;

	switch ((enum bl_ekind)e->k.kind) {
	case BE_VALUE:
	case BE_CHAN:
	case BE_EDGE:
		break;
	default:
		buf[0] = 0;
		return;
	}
	yes = bl_confident(cfg, e) ? "confident" : "not confident";
	if (e->k.kind == BE_EDGE)
		snprintf(buf, len, " [%llu messages, %llu requests over %.1f s: %s%s]",
			 (unsigned long long)e->count, (unsigned long long)e->requests,
			 bl_entry_span(e), yes,
			 e->requests >= 50 && e->order_mark * 2 <= e->requests ? ", order stable" : "");
	else
		snprintf(buf, len, " [%llu samples over %.1f s: %s]", (unsigned long long)e->n,
			 bl_entry_span(e), yes);
}

int baseline_show(const char *path, const struct bl_config *cfg, FILE *out,
		  char *err, size_t errlen)
{
	struct baseline *b = load_for_command(path, err, errlen);
	const struct bl_entry *e;
	char line[512], ev[160];
	uint64_t judged[BE_KIND_MAX] = { 0 };
	int k;

	if (!b)
		return -1;
	fprintf(out, "baseline %s (format %s version %d)\n", path, BASELINE_FORMAT, BASELINE_VERSION);
	fprintf(out, "learned from %.0f to %.0f (%.0f s): %llu packets, %llu OT messages\n",
		b->learn_start, b->learn_end, b->learn_end - b->learn_start,
		(unsigned long long)b->learned_packets, (unsigned long long)b->learned_events);
	fprintf(out, "confident (judged): values from %u samples, channels from %u periods, "
		"edges from %u messages, each over at least %g s\n", cfg->min_value_samples,
		cfg->min_period_samples, cfg->min_value_samples, cfg->min_span);
	for (e = b->head; e; e = e->lnext)
		if (e->k.kind < BE_KIND_MAX && bl_confident(cfg, e))
			judged[e->k.kind]++;
	for (k = 1; k < BE_KIND_MAX; k++) {
		if (k == BE_VALUE || k == BE_CHAN || k == BE_EDGE)
			fprintf(out, "  %-12s %llu (%llu confident)\n", section_names[k],
				(unsigned long long)b->per_kind[k], (unsigned long long)judged[k]);
		else
			fprintf(out, "  %-12s %llu\n", section_names[k], (unsigned long long)b->per_kind[k]);
	}
	for (k = 1; k < BE_KIND_MAX; k++) {
		if (k == BE_TRANS || k == BE_UNIT)
			continue;       /* counted above; too many lines to be useful */
		for (e = b->head; e; e = e->lnext) {
			if (e->k.kind != k)
				continue;
			entry_text(e, line, sizeof(line));
			evidence_text(cfg, e, ev, sizeof(ev));
			fprintf(out, "%s%s\n", line, ev);
		}
	}
	baseline_free(b);
	return 0;
}

int baseline_diff(const char *pa, const char *pb, FILE *out, char *err, size_t errlen)
{
	struct baseline *a = load_for_command(pa, err, errlen), *b;
	const struct bl_entry *e, *o;
	char line[512];
	unsigned long added = 0, removed = 0, changed = 0;

	if (!a)
		return -1;
	b = load_for_command(pb, err, errlen);
	if (!b) {
		baseline_free(a);
		return -1;
	}
	for (e = a->head; e; e = e->lnext) {
		entry_text(e, line, sizeof(line));
		o = bl_find(b, &e->k);
		if (!o) {
			fprintf(out, "- %s\n", line);
			removed++;
		} else if (e->k.kind == BE_IDENT && strcmp(e->text ? e->text : "", o->text ? o->text : "")) {
			fprintf(out, "- %s\n", line);
			entry_text(o, line, sizeof(line));
			fprintf(out, "+ %s\n", line);
			changed++;
		}
	}
	for (e = b->head; e; e = e->lnext) {
		if (bl_find(a, &e->k))
			continue;
		entry_text(e, line, sizeof(line));
		fprintf(out, "+ %s\n", line);
		added++;
	}
	fprintf(out, "%lu added, %lu removed, %lu changed\n", added, removed, changed);
	baseline_free(a);
	baseline_free(b);
	return 0;
}

/* ---- the observer ----------------------------------------------------------------- */

struct bl_obs {
	struct baseline *b;
	struct sensor *s;
	struct alerter *al;
	const char *baseline_file;      /* reloaded on SIGUSR2; may be NULL */
	struct bl_config cfg;
	const char *learn_file;
	double learn_for;
	double first_ts;
	double last_save;               /* packet time of the last save */
	double last_save_mono;          /* CLOCK_MONOTONIC of the last save */
	int switched;
	int time_idle;                  /* obs_time_idle() as obs_time left it */
};

/* While learning, the file is rewritten when this much time has passed both
 * in the traffic and on the sensor's own clock: live, that is every 600 s;
 * a capture file that covers days of traffic but is read in a minute is not
 * rewritten at every jump of its timestamps (each write is the whole model). */
#define BL_SAVE_INTERVAL 600.0

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void obs_save(struct bl_obs *o, const char *why)
{
	char err[512];

	if (!o->learn_file)
		return;
	if (baseline_save(o->b, o->learn_file, err, sizeof(err)) < 0)
		fprintf(stderr, "otsentry: baseline not saved (%s): %s\n", why, err);
}

/* obs_time has nothing to do once the first time was seen and the save
 * clock started, while only detecting with no switch from learning
 * pending: it is skipped then.  What this looks at changes only in
 * obs_time (learning is switched there; a reload keeps the mode), so
 * obs_time keeps the answer in time_idle for the packets and ticks after. */
static int obs_time_idle(const struct bl_obs *o)
{
	return o->first_ts >= 0 && o->last_save > 0 && !o->b->learning &&
	       !(o->learn_for > 0 && !o->switched);
}

static void obs_time(struct bl_obs *o, double t)
{
	if (o->first_ts < 0)
		o->first_ts = t;
	if (o->learn_for > 0 && !o->switched && t - o->first_ts >= o->learn_for) {
		o->switched = 1;
		obs_save(o, "end of learning");
		baseline_set_learning(o->b, 0, 1);
		o->b->detect_start = t;
	}
	if (o->b->learning && o->learn_file && o->last_save > 0 && t - o->last_save >= BL_SAVE_INTERVAL) {
		double m = mono_now();

		/* a minute of slack: a live packet's time is taken before it is read */
		if (m - o->last_save_mono >= BL_SAVE_INTERVAL - 60.0) {
			obs_save(o, "periodic");
			o->last_save_mono = m;
		}
		o->last_save = t;
	}
	if (o->last_save <= 0) {
		o->last_save = t;
		o->last_save_mono = mono_now();
	}
	o->time_idle = obs_time_idle(o);
}

static void obs_packet(void *ctx, const struct pkt_meta *p, const struct flow *f, int dir)
{
	struct bl_obs *o = ctx;

	if (!o->time_idle)
		obs_time(o, (double)p->ts.tv_sec + p->ts.tv_usec / 1e6);
	baseline_packet(o->b, p, f, dir);
}

static void obs_event(void *ctx, const struct ot_event *ev)
{
	baseline_event(((struct bl_obs *)ctx)->b, ev);
}

static void obs_tick(void *ctx, const struct timeval *now)
{
	struct bl_obs *o = ctx;

	if (!o->time_idle)
		obs_time(o, (double)now->tv_sec + now->tv_usec / 1e6);
	baseline_tick(o->b, now);
}

static void obs_finish(void *ctx, const struct timeval *last)
{
	struct bl_obs *o = ctx;

	(void)last;
	if (o->b->learning)
		obs_save(o, "end of input");
}

static void obs_stats(void *ctx, json_t *stats)
{
	struct bl_obs *o = ctx;
	struct baseline *b = o->b;
	json_t *al = json_object(), *keys = json_object();
	int k;

	for (k = 1; k < BL_KIND_COUNT; k++)
		json_object_set_new(al, bl_kind_name((enum bl_kind)k), json_integer((json_int_t)b->alerts[k]));
	for (k = 1; k < BE_KIND_MAX; k++)
		json_object_set_new(keys, section_names[k], json_integer((json_int_t)b->per_kind[k]));
	json_object_set_new(stats, "baseline", json_pack("{s:s,s:I,s:I,s:I,s:o,s:o}",
		"mode", b->learning && b->detecting ? "detect+learn" : b->learning ? "learn" : "detect",
		"keys", (json_int_t)b->nkeys, "refused", (json_int_t)b->refused,
		"scan_sources_evicted", (json_int_t)b->scan_evicted, "learned", keys, "alerts", al));
}

static void obs_free(void *ctx)
{
	struct bl_obs *o = ctx;

	if (!o)
		return;
	baseline_free(o->b);
	free(o);
}

/* SIGUSR2: the --baseline file again.  The model it holds replaces the
 * one in force (what was learned since it was loaded goes with it); a file
 * that does not load leaves the old model in force. */
static void obs_reload(void *ctx, const struct timeval *now)
{
	struct bl_obs *o = ctx;
	struct baseline *nb;
	char err[512];

	if (!o->baseline_file) {
		sensor_notice(o->s, now, "reload", "baseline reload: no --baseline file to reload%s",
			      o->learn_file ? " (learning goes on)" : "");
		return;
	}
	nb = baseline_load(o->baseline_file, &o->cfg, err, sizeof(err));
	if (!nb) {
		sensor_notice(o->s, now, "reload_failed",
			      "baseline reload: %s; the previous baseline stays in force", err);
		return;
	}
	baseline_set_learning(nb, o->b->learning, o->b->detecting);
	baseline_set_alerter(nb, o->al);
	baseline_free(o->b);
	o->b = nb;
	sensor_notice(o->s, now, "reload", "baseline reloaded from %s: %llu keys",
		      o->baseline_file, (unsigned long long)nb->nkeys);
}

static void obs_flow_end(void *ctx, const struct flow *f)
{
	struct bl_obs *o = ctx;

	baseline_flow_end(o->b, f);
}

int baseline_observe(struct sensor *s, struct baseline *b, struct alerter *al,
		     const struct baseline_run *run, char *err, size_t errlen)
{
	struct sensor_observer ob;
	struct bl_obs *o;

	o = calloc(1, sizeof(*o));
	if (!o) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	o->b = b;
	o->first_ts = -1;
	o->s = s;
	o->al = al;
	o->baseline_file = run->baseline_file;
	o->cfg = run->cfg;
	o->learn_file = run->learn_file;
	o->learn_for = run->learn_for;
	memset(&ob, 0, sizeof(ob));
	ob.name = "baseline";
	ob.ctx = o;
	ob.on_packet = obs_packet;
	ob.on_event = obs_event;
	ob.on_tick = obs_tick;
	ob.on_finish = obs_finish;
	ob.on_stats = obs_stats;
	ob.on_free = obs_free;
	ob.on_reload = obs_reload;
	ob.on_flow_end = obs_flow_end;
	if (sensor_add_observer(s, &ob) < 0) {
		free(o);
		snprintf(err, errlen, "too many observers");
		return -1;
	}
	return 0;
}
