/*
 * rules_int.h - the rule representation shared by the parser
 * (rule_parse.c) and the matcher (rules.c).  Not for other modules.
 */
#ifndef OTS_RULES_INT_H
#define OTS_RULES_INT_H

#include <stdint.h>
#include <jansson.h>

#include "addr.h"
#include "rules.h"
#include "event.h"
#include "keyword.h"

#define RULES_MAX_ERRORS    100     /* error messages kept */
#define RULES_MAX_VARS      256
#define RULES_MAX_CHECKS    16      /* protocol keywords per rule */
#define RULES_MAX_LIST      64      /* items in one address / port list */
#define RULES_MAX_DEPTH     8       /* nested lists / variables */
#define RULES_MAX_LINE      65536   /* one rule, continuation lines joined */
#define RULES_THRESH_SLOTS  16384   /* threshold tracking slots */

enum rule_action { RA_ALERT = 0, RA_PASS };

/* The header's protocol: ip, tcp, udp, or an OT protocol (rule.ot_proto). */
enum rule_proto { RP_IP = 0, RP_TCP, RP_UDP, RP_OT };

/* An address or port expression: a list whose negated items exclude. */
enum net_kind { NK_ANY = 0, NK_CIDR, NK_PORTS, NK_LIST };

struct net_node {
	uint8_t kind;           /* enum net_kind */
	uint8_t neg;            /* item negated (inside its parent list) */
	uint8_t plen;           /* CIDR prefix length */
	struct ot_ip ip;        /* CIDR network */
	uint16_t lo, hi;        /* NK_PORTS: inclusive range */
	struct net_node *kids;  /* NK_LIST */
	int nkids;
};

/*
 * An address or port expression compiled for lookup: the points of its key
 * space (IPv4, IPv6, port) where its result flips, ascending.  Below the
 * first point the result is first4 (first6); each point flips it, so the
 * result at key k is first ^ (points <= k, odd).  Built from the
 * expression by rules_map_build(), which takes the result between two
 * points from rules_addr_match() / rules_port_match() (the walk of the
 * tree), so both always agree.  ok 0: not compiled (too many items, or
 * out of memory): the tree is walked.
 * Ownership: b4 and b6 belong to the map (rules_map_free()).
 */
#define RULES_MAP_MAX_POINTS 4096       /* per key space */

struct net_map {
	uint8_t ok;
	uint8_t first4, first6;
	uint32_t n4, n6;
	uint32_t *b4;           /* IPv4 addresses (or ports), host order */
	uint64_t *b6;           /* IPv6 addresses: n6 pairs (high, low) */
};

/*
 * A rule's tests are struct ot_rule_check (keyword.h): a protocol keyword's
 * have kw set and are matched by its row; the generic ones (kw NULL) carry
 * their type in op.
 */
enum generic_check {
	CK_FLOW = 1,            /* a = 1 to_server, 2 to_client */
	CK_APP_EVENT,           /* str = anomaly reason of the dissector */
	CK_STREAM_EVENT         /* a = enum stream_anomaly (flow_stream_anomaly_reason) */
};

enum thresh_type { TH_NONE = 0, TH_LIMIT, TH_THRESHOLD, TH_BOTH };
enum thresh_track { TT_BY_SRC = 0, TT_BY_DST, TT_BY_RULE };

struct rule {
	uint32_t sid, rev, gid;
	uint8_t action;         /* enum rule_action */
	uint8_t proto;          /* enum rule_proto */
	uint8_t bidir;          /* <> */
	uint8_t ot_proto;       /* enum ot_proto the checks need (0: header only) */
	struct net_node src, dst, sport, dport;
	struct net_map msrc, mdst, msport, mdport; /* the same, compiled */
	struct ot_rule_check checks[RULES_MAX_CHECKS];
	int nchecks;
	char *msg;
	char *category;
	int severity;
	json_t *metadata;       /* {"key": ["v", ...]} */
	uint8_t th_type, th_track;
	uint32_t th_count;
	uint32_t th_seconds;
	char *file;
	int line;
	uint64_t matches;       /* events the rule fired on */
	uint64_t thresholded;   /* matches a threshold held back */
};

/* A rule in the event index, with what it needs tested precomputed. */
#define RULES_FUNC_BUCKETS 257
#define RULES_HDR_WAYS 4

struct rule_ref {
	const struct rule *r;
	uint32_t idx;           /* in rs->rules */
	uint8_t any_header;     /* any any -> any any: the header always matches */
	uint8_t requests_only;
	uint8_t l4;             /* the header's protocol: 0 any, 6 tcp, 17 udp */
	uint8_t nchecks;        /* r->nchecks */
	const struct ot_rule_check *checks; /* r->checks */
	/* the rule is one protocol keyword and nothing else to test (l4 0,
	 * any_header): that keyword's match, called on checks[0]; else NULL */
	int (*match1)(const struct ot_rule_check *c, const struct ot_event *ev);
	/* header results for the last RULES_HDR_WAYS flows seen (flow ids are
	 * never reused and a flow's addresses and ports do not change; several,
	 * as a device polls on a few connections at once): 0 not yet tested,
	 * 1 no match, 2 match; by ev->from_client */
	uint8_t hdr_result[RULES_HDR_WAYS][2];
	uint64_t hdr_flow[RULES_HDR_WAYS]; /* flow id of each, 0 none */
	uint8_t hdr_next;       /* the way replaced next */
};

struct rule_var {
	char *name;
	char *value;            /* NULL: a site variable not set yet */
	int locked;             /* set on the command line */
};

/* A rule that names a site variable (site_var) the site has not set: kept
 * as text, parsed again once the variable gets a value. */
struct rule_wait {
	char *text;             /* the whole rule, continuation lines joined */
	char *file;
	int line;
	uint32_t sid, gid;
	char *var;              /* the first unset variable it names */
};

struct thresh_slot {
	uint32_t rule_idx;      /* index + 1; 0 = empty */
	struct ot_ip ip;
	time_t start;
	uint32_t count;
};

struct rules {
	struct rule **rules;
	size_t n, cap;
	struct rule_var vars[RULES_MAX_VARS];
	int nvars;
	struct rule_wait *waiting;      /* rules waiting for a site variable */
	size_t nwaiting, capwaiting;
	char *errors[RULES_MAX_ERRORS];
	size_t nerrors;         /* recorded (may exceed the kept ones) */
	struct thresh_slot *thresh;
	uint64_t th_replaced;   /* slots taken over by another key */
	uint64_t events_seen, packets_seen, passed;
	/* the rules an event can match, grouped by (protocol, anomaly or
	 * message) in rule order; built on first use after rules were added */
	struct rule_ref *ev_refs;
	size_t ev_start[OT_PROTO_COUNT * 2 + 1];
	size_t ev_indexed;      /* rs->n when ev_refs was built */
	/* and by the event's function and direction: bucket ((group *
	 * RULES_FUNC_BUCKETS + f) * 2 + request) lists, in rule order, the refs
	 * of the group that can match an event whose func is f (0..255; 256:
	 * any other func), a request or not (rules that look at requests only
	 * are left out of the other half), as positions in ev_refs from
	 * ev_fn[ev_fn_start[bucket]] to ev_fn[ev_fn_start[bucket + 1]]: its
	 * pass rules first (ev_fn_pass[bucket] of them), then its alert rules */
	uint32_t *ev_fn;
	uint32_t *ev_fn_start;
	uint32_t *ev_fn_pass;
};

/* rule_parse.c */
void rules_error_add(struct rules *rs, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void rules_net_free(struct net_node *n);
int rules_addr_match(const struct net_node *n, const struct ot_ip *ip);
int rules_port_match(const struct net_node *n, uint16_t port);
/* Compile n (an address, or a port expression when is_port) into m; 0, or
 * -1 when it stays uncompiled (m->ok 0). */
int rules_map_build(struct net_map *m, const struct net_node *n, int is_port);
void rules_map_free(struct net_map *m);
/* As rules_addr_match() / rules_port_match(), through n's map m. */
int rules_addr_map_match(const struct net_map *m, const struct net_node *n,
			 const struct ot_ip *ip);
int rules_port_map_match(const struct net_map *m, const struct net_node *n, uint16_t port);
void rules_rule_free(struct rule *r);
/* Parse one whole rule (or var / site_var line); 0 (loaded, or waiting
 * for a site variable), or -1 with the error recorded. */
int rules_parse_line(struct rules *rs, const char *text, const char *file, int line);
void rules_wait_free(struct rule_wait *w);

#endif /* OTS_RULES_INT_H */
