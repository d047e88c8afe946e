/*
 * baseline_int.h - the baseline model's private types, shared by
 * baseline.c (learning, detection) and baseline_io.c (files).
 */
#ifndef OTS_BASELINE_INT_H
#define OTS_BASELINE_INT_H

#include <stdint.h>
#include <jansson.h>

#include "addr.h"
#include "baseline.h"

/* Kinds of learned entries. */
enum bl_ekind {
	BE_ASSET = 1,   /* a: ip */
	BE_IDENT,       /* a: ip, ident: key */
	BE_SERVICE,     /* a: ip, proto, role */
	BE_EDGE,        /* a: client, b: server, proto/l4, port */
	BE_UNIT,        /* edge + unit */
	BE_OP,          /* edge + func, sub */
	BE_RANGE,       /* edge + func, sub, space, block */
	BE_CHAN,        /* edge + symbol */
	BE_TRANS,       /* edge + symbol hash from, to */
	BE_VALUE,       /* a: server, unit, space, block, start = index */
	BE_IOCONN,      /* edge (a: originator, b: target) + func: transport class,
			 * s1: hash of the target path */
	BE_IOSTREAM,    /* a: sender, b: receiver, proto, l4, port: receiver's port */
	BE_KIND_MAX
};

/* A request symbol: what a recurring request asks for. */
struct bl_sym {
	int32_t func, sub;
	uint8_t space;
	uint16_t block;
	uint32_t start, count;
};

/* Binary key, compared with memcmp: always memset to 0 before filling. */
struct bl_key {
	uint8_t kind;
	uint8_t proto;          /* enum ot_proto; 0 for a plain TCP/UDP edge */
	uint8_t l4;             /* 6 or 17 */
	uint8_t role;           /* service: 0 client, 1 server */
	uint8_t ident;          /* enum ot_ident_key */
	uint8_t space;
	uint16_t port;
	uint16_t block;
	uint16_t pad;
	int32_t func, sub, unit;
	uint32_t start, count;
	uint64_t s1, s2;        /* transition symbol hashes */
	struct ot_ip a, b;
};

#define BL_MAX_MACS  8
#define BL_MAX_VLANS 4
#define BL_MAX_RANGES 64
#define BL_NEAR 8
#define BL_FLOW_EDGES 256      /* a power of two */

struct bl_entry {
	struct bl_key k;
	struct bl_entry *hnext;         /* hash chain */
	struct bl_entry *lnext;         /* all entries, insertion order */
	struct bl_entry *cnext;         /* channels (b->chans), io streams (b->ios),
					 * io connections (b->ioconns) */
	double first, last;             /* learned first / last seen */
	uint64_t count;

	/* asset */
	uint8_t nmac, nvlan, many_macs;
	uint8_t macs[BL_MAX_MACS][6];
	uint16_t vlans[BL_MAX_VLANS];

	/* identity value (owned) */
	char *text;

	/* edge: categories of requests (bit per enum ot_category), exceptions */
	uint32_t cats;
	uint64_t requests, errors;
	uint64_t order_mark;            /* requests when the last new transition was learned */

	/* range list: merged inclusive [lo, hi] pairs, owned */
	uint32_t (*rng)[2];
	uint16_t nr, cr;

	/* channel period / value range (Welford) */
	uint64_t n;
	double mean, m2, min, max;
	double prev_ts;                 /* channel: previous request while learning */

	/* transition: the two symbols (for the file) */
	struct bl_sym from, to;

	/* io connection: requested packet intervals (us), sizes, trigger;
	 * io stream: the summaries' report period (s); text: the path */
	uint32_t io_rpi[2];
	uint16_t io_size[2];
	uint8_t io_trigger;
	double io_report;
	/* value point: how it changed while learning (classification) */
	double vprev;                   /* the last value learned */
	uint32_t ups, downs;            /* increases (wraps included), decreases */
	uint32_t texts;                 /* samples read inside a text-looking run */

	/* channel: bl_sym_hash of its request symbol (the symbol is the
	 * key's func, sub, space, block, start, count), 0 until first asked
	 * (the hash is never 0); never saved */
	uint64_t sym_hash;

	/* detection-time state (never saved) */
	double d_last, d_ewma, d_win_start;
	uint32_t d_n, d_win_count;
	uint8_t d_silent, d_drift;
	uint64_t d_prev_sym;            /* edge: previous request symbol, detection */
	struct bl_sym d_prev;           /* edge: that symbol itself (for evidence) */
	uint8_t d_seq_off;              /* edge: the last transition was unexpected */
	uint64_t l_prev_sym;            /* edge: previous request symbol, learning */
	struct bl_sym l_prev;           /* edge: that symbol itself (for new transitions) */

	/* Shortcuts (never saved): entries found from this one before, tried
	 * before the table.  Edge: its unit, its server's and client's
	 * service, the first value point of a response, its last transition,
	 * a few operations; operation: its (first) range, a few channels;
	 * value point: the point read after it in a response; range: the one
	 * read after it in a request; transition: the one after it.
	 * Only found entries are kept, never a miss (learning may add it),
	 * and entries live as long as the model, so a kept one stays valid. */
	struct bl_entry *near[BL_NEAR];
	uint8_t near_rr;                /* next slot to replace among the several */
	uint8_t near_tail;              /* bit i: near[i]'s key ends (from s1 on) as
					 * this entry's does */
};

struct bl_scan_src;

/* A channel the silence sweep judges, with its silence limit. */
struct bl_watch {
	struct bl_entry *c;
	double lim;
};

struct baseline {
	struct bl_config cfg;
	struct bl_entry **buckets;
	uint32_t nbuckets;
	uint64_t nkeys, refused;
	uint64_t per_kind[BE_KIND_MAX];
	struct bl_entry *head, *tail;   /* insertion order */
	struct bl_entry *chans;         /* channel list */
	struct bl_entry *ios;           /* io stream list */
	struct bl_entry *ioconns;       /* io connection list */
	double next_io_check;           /* packet time of the next io silence sweep */
	double next_io_due;             /* no io stream falls silent before this packet
					 * time (a lower bound; 0: unknown): sweeps
					 * before it skip the walk */
	int learning, detecting;
	double learn_start, learn_end;  /* packet time covered by learning */
	double detect_start;
	double updated;
	uint64_t learned_events, learned_packets;
	struct alerter *alerter;
	uint64_t alerts[BL_KIND_COUNT];

	struct bl_scan_src *scan;       /* max_scan_sources slots */
	uint64_t scan_evicted;
	double last_tick;
	double next_silence_check;      /* earliest time a channel can fall silent */
	/* The channels the silence sweep judges (confident and periodic, or
	 * reports), in b->chans order: what was learned does not change while
	 * only detecting, so the sweep walks these instead of every channel.
	 * Made at the first sweep, dropped when a channel is added, a silent
	 * one is heard again or learning is switched; a channel that falls
	 * silent leaves it (the order kept); never used while learning.  One
	 * slot per channel. */
	struct bl_watch *watch;
	uint32_t nwatch;
	int watch_valid;
	/* The edges of recent messages by their flow's address (a direct-mapped
	 * shortcut tried before the table, checked by the full key). */
	struct bl_entry *flow_edge[BL_FLOW_EDGES];
};

/* What a value point's learned samples look like. */
enum bl_vclass {
	BL_VC_ANALOG = 0,       /* varies both ways: judged by its range */
	BL_VC_CONSTANT,         /* one value: judged by its range (margin only) */
	BL_VC_COUNTER,          /* only rose (16-bit wraps allowed): not judged */
	BL_VC_TEXT,             /* register pairs of printable characters: a
				 * change of a constant text is a text_change */
};

/* baseline.c */
enum bl_vclass bl_value_class(const struct bl_entry *e);
const char *bl_vclass_name(enum bl_vclass c);
/* Enough evidence to judge: samples (value samples, periods, messages by
 * the entry's kind) and span of packet time against cfg.  Entries of other
 * kinds are always confident (they alert by their absence). */
int bl_confident(const struct bl_config *cfg, const struct bl_entry *e);
double bl_entry_span(const struct bl_entry *e);
/* baseline_io.c: a request symbol as the file writes it */
json_t *bl_sym_json(const struct bl_sym *s);
/* The two readers baseline_load tries in turn (both give the same model):
 * the file's text read directly, NULL when it gives up (any error, or a
 * layout it does not follow); then the whole file as one jansson tree,
 * NULL with err naming what is wrong. */
struct baseline *bl_load_streamed(const char *path, const struct bl_config *cfg,
				  char *err, size_t errlen);
struct baseline *bl_load_tree(const char *path, const struct bl_config *cfg,
			      char *err, size_t errlen);

/* on 0: every shortcut slot kept from then on checked by the whole key,
 * and the flows' edge slots too (the slow twin of the checks by the key's
 * head and by the flow's fields, for the tests); 1, the default. */
void bl_set_fast_path(int on);

struct bl_entry *bl_find(const struct baseline *b, const struct bl_key *k);
/* Find or insert; NULL (counted in refused) when the cap is reached. */
struct bl_entry *bl_get(struct baseline *b, const struct bl_key *k, double ts, int *created);
void bl_range_add(struct bl_entry *e, uint32_t lo, uint32_t hi);
int bl_range_covers(const struct bl_entry *e, uint32_t lo, uint32_t hi);
uint64_t bl_sym_hash(const struct bl_sym *s);
const char *bl_ekind_name(enum bl_ekind k);

#endif /* OTS_BASELINE_INT_H */
