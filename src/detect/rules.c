/*
 * rules.c - matching rules on OT events and first packets, thresholds,
 * the default rule set and the sensor observer that raises rule alerts.
 *
 * Which messages a keyword looks at:
 *   - modbus: requests only (as Suricata's modbus keyword);
 *   - s7comm_*: requests (ROSCTR job, or userdata requests) unless the rule
 *     names a ROSCTR or a flow direction itself;
 *   - dnp3_func, dnp3_obj: every message; dnp3_ind: the IIN of responses;
 *   - a protocol header without keywords: every message of that protocol;
 *   - app-layer-event: the anomaly events of that protocol (and only those);
 *   - ip/tcp/udp header rules: the first packet of each flow.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert.h"
#include "flow.h"
#include "jw.h"
#include "rules_int.h"
#include "sensor.h"
#include "event.h"

#ifndef OTS_SRCDIR
#define OTS_SRCDIR "."
#endif
#ifndef OTS_BUILDDIR
#define OTS_BUILDDIR OTS_SRCDIR
#endif
#ifndef OTS_RULESDIR
#define OTS_RULESDIR "/usr/local/share/otsentry/rules"
#endif

#define RULES_MAX_HITS 32       /* alerts one event can raise */
#define RULES_STATS_WAITING 64  /* waiting rules listed in a stats event */

struct rules *rules_new(void)
{
	struct rules *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->thresh = calloc(RULES_THRESH_SLOTS, sizeof(*rs->thresh));
	if (!rs->thresh) {
		free(rs);
		return NULL;
	}
	/* Defaults; --var and `var` lines replace them.  HOME_NET: private
	 * networks (RFC 1918, link-local, loopback, IPv6 ULA, link-local and
	 * loopback).  The site variables have no default: who may write to
	 * a controller is the site's to say, and any guess would make every
	 * write look authorised or every write look foreign.  Rules that name
	 * one wait until it is set (rules_waiting()). */
	if (rules_load_string(rs,
			      "var HOME_NET [10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,"
			      "169.254.0.0/16,127.0.0.0/8,fc00::/7,fe80::/10,::1/128]\n"
			      "var EXTERNAL_NET !$HOME_NET\n"
			      "site_var MODBUS_OPERATORS\n"
			      "site_var CIP_OPERATORS\n"
			      "site_var IEC104_CONTROLLING\n"
			      "var MODBUS_SERVERS any\n"
			      "var DNP3_MASTERS any\n"
			      "var DNP3_OUTSTATIONS any\n"
			      "var S7_ENGINEERING any\n"
			      "var S7_PLCS any\n"
			      "var MODBUS_PORTS 502\n"
			      "var DNP3_PORTS 20000\n"
			      "var S7_PORTS 102\n", "defaults") != 0) {
		rules_free(rs);
		return NULL;
	}
	return rs;
}

void rules_free(struct rules *rs)
{
	size_t i;
	int v;

	if (!rs)
		return;
	for (i = 0; i < rs->n; i++)
		rules_rule_free(rs->rules[i]);
	free(rs->rules);
	for (v = 0; v < rs->nvars; v++) {
		free(rs->vars[v].name);
		free(rs->vars[v].value);
	}
	for (i = 0; i < rs->nwaiting; i++)
		rules_wait_free(&rs->waiting[i]);
	free(rs->waiting);
	for (i = 0; i < rs->nerrors && i < RULES_MAX_ERRORS; i++)
		free(rs->errors[i]);
	free(rs->thresh);
	free(rs->ev_refs);
	free(rs->ev_fn);
	free(rs->ev_fn_start);
	free(rs->ev_fn_pass);
	free(rs);
}

size_t rules_count(const struct rules *rs)
{
	return rs ? rs->n : 0;
}

size_t rules_waiting_count(const struct rules *rs)
{
	return rs ? rs->nwaiting : 0;
}

int rules_waiting(const struct rules *rs, size_t i, uint32_t *sid, const char **var,
		  const char **file, int *line)
{
	if (!rs || i >= rs->nwaiting)
		return -1;
	*sid = rs->waiting[i].sid;
	*var = rs->waiting[i].var;
	if (file)
		*file = rs->waiting[i].file;
	if (line)
		*line = rs->waiting[i].line;
	return 0;
}

/* One line per variable: the sids that wait for it. */
void rules_print_waiting(const struct rules *rs, FILE *f)
{
	size_t i, j, nsid;

	for (i = 0; rs && i < rs->nwaiting; i++) {
		const char *var = rs->waiting[i].var;

		for (j = 0; j < i; j++)
			if (strcmp(rs->waiting[j].var, var) == 0)
				break;
		if (j < i)
			continue;       /* this variable's line is written */
		nsid = 0;
		for (j = i; j < rs->nwaiting; j++)
			nsid += strcmp(rs->waiting[j].var, var) == 0;
		fprintf(f, "otsentry: %zu rule%s wait%s for $%s (set it with --var %s=... or a var line):",
			nsid, nsid == 1 ? "" : "s", nsid == 1 ? "s" : "", var, var);
		for (j = i; j < rs->nwaiting; j++)
			if (strcmp(rs->waiting[j].var, var) == 0)
				fprintf(f, " %u", rs->waiting[j].sid);
		fputc('\n', f);
	}
}

size_t rules_error_count(const struct rules *rs)
{
	return rs ? rs->nerrors : 0;
}

const char *rules_error(const struct rules *rs, size_t i)
{
	if (!rs || i >= rs->nerrors || i >= RULES_MAX_ERRORS)
		return NULL;
	return rs->errors[i];
}

const struct rule *rules_find(const struct rules *rs, uint32_t sid)
{
	size_t i;

	for (i = 0; rs && i < rs->n; i++)
		if (rs->rules[i]->sid == sid)
			return rs->rules[i];
	return NULL;
}

void rules_get_info(const struct rule *r, struct rule_info *info)
{
	memset(info, 0, sizeof(*info));
	if (!r)
		return;
	info->sid = r->sid;
	info->rev = r->rev;
	info->gid = r->gid;
	info->msg = r->msg;
	info->category = r->category;
	info->severity = r->severity;
	info->metadata = r->metadata;
	info->file = r->file;
	info->line = r->line;
}

static inline int check_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	if (c->kw)
		return c->kw->match(c, ev);
	switch (c->op) {
	case CK_FLOW:
		return c->a == 1 ? ev->from_client != 0 : ev->from_client == 0;
	case CK_APP_EVENT:
		return ev->kind == OT_EV_ANOMALY && ev->anomaly && strcmp(ev->anomaly, c->str) == 0;
	case CK_STREAM_EVENT: {
		const char *want = flow_stream_anomaly_reason(c->a);

		return ev->kind == OT_EV_ANOMALY && ev->anomaly && want && strcmp(ev->anomaly, want) == 0;
	}
	default:
		return 0;
	}
}

static int rule_has_check(const struct rule *r, int op)
{
	int i;

	for (i = 0; i < r->nchecks; i++)
		if (!r->checks[i].kw && r->checks[i].op == op)
			return 1;
	return 0;
}

/* Keywords that look at requests unless the rule says otherwise (each
 * keyword's scope, keyword.h). */
static int rule_wants_requests_only(const struct rule *r)
{
	int i, always = 0, unless = 0, named = 0;

	for (i = 0; i < r->nchecks; i++) {
		const struct ot_keyword *k = r->checks[i].kw;

		if (!k) {
			named |= r->checks[i].op == CK_FLOW;
			continue;
		}
		always |= k->scope == OT_KW_REQUESTS;
		unless |= k->scope == OT_KW_REQUESTS_UNLESS;
		named |= k->scope == OT_KW_DIRECTION;
	}
	return always || (unless && !named);
}

/* Header: addresses and ports of sender (s) and receiver (d). */
static int header_match(const struct rule *r, const struct ot_ip *sip, uint16_t sp,
			const struct ot_ip *dip, uint16_t dp)
{
	if (rules_addr_map_match(&r->msrc, &r->src, sip) &&
	    rules_port_map_match(&r->msport, &r->sport, sp) &&
	    rules_addr_map_match(&r->mdst, &r->dst, dip) &&
	    rules_port_map_match(&r->mdport, &r->dport, dp))
		return 1;
	return r->bidir &&
	       rules_addr_map_match(&r->msrc, &r->src, dip) &&
	       rules_port_map_match(&r->msport, &r->sport, dp) &&
	       rules_addr_map_match(&r->mdst, &r->dst, sip) &&
	       rules_port_map_match(&r->mdport, &r->dport, sp);
}

static int event_header_match(const struct rule *r, const struct ot_event *ev)
{
	const struct flow *f = ev->flow;
	struct ot_ip none;

	if (f) {
		const struct ot_ip *sip = ev->from_client ? &f->cli_ip : &f->srv_ip;
		const struct ot_ip *dip = ev->from_client ? &f->srv_ip : &f->cli_ip;
		uint16_t sp = ev->from_client ? f->cli_port : f->srv_port;
		uint16_t dp = ev->from_client ? f->srv_port : f->cli_port;

		return header_match(r, sip, sp, dip, dp);
	}
	memset(&none, 0, sizeof(none));
	return header_match(r, &none, 0, &none, 0);
}

/* The header result not in the cache: tested, and kept when there is a
 * flow id to key it by. */
static __attribute__((noinline)) int event_header_miss(struct rule_ref *e,
							const struct ot_event *ev, int w)
{
	const struct flow *f = ev->flow;
	int d = ev->from_client != 0;

	if (!f || !f->id)
		return event_header_match(e->r, ev);
	if (w == RULES_HDR_WAYS) {
		w = e->hdr_next;
		e->hdr_next = (uint8_t)((w + 1) % RULES_HDR_WAYS);
		e->hdr_flow[w] = f->id;
		e->hdr_result[w][0] = e->hdr_result[w][1] = 0;
	}
	e->hdr_result[w][d] = (uint8_t)(1 + event_header_match(e->r, ev));
	return e->hdr_result[w][d] - 1;
}

static inline __attribute__((always_inline)) int event_header_cached(struct rule_ref *e,
								      const struct ot_event *ev)
{
	const struct flow *f = ev->flow;
	int w;

	if (!f || !f->id)
		return event_header_miss(e, ev, 0);
	for (w = 0; w < RULES_HDR_WAYS && e->hdr_flow[w] != f->id; w++)
		;
	if (w < RULES_HDR_WAYS && e->hdr_result[w][ev->from_client != 0])
		return e->hdr_result[w][ev->from_client != 0] - 1;
	return event_header_miss(e, ev, w);
}

/*
 * The protocol and the event kind are those of the index bucket, and so is
 * the direction: a rule that looks at requests only is not in the buckets
 * of the other messages (func_index), so e->requests_only needs no test
 * here.  e->l4, e->nchecks and e->checks are the rule's, copied into the
 * ref so that a candidate is tested from the ref alone.
 */
static inline __attribute__((always_inline)) int event_rule_match(struct rule_ref *e,
								   const struct ot_event *ev)
{
	const struct flow *f = ev->flow;
	int i;

	if (e->l4) {
		/* tcp: not on a flow of another protocol; udp: only on a udp flow */
		if (f ? f->l4 != e->l4 : e->l4 == 17)
			return 0;
	}
	if (!e->any_header && !event_header_cached(e, ev))
		return 0;
	for (i = 0; i < e->nchecks; i++)
		if (!check_match(&e->checks[i], ev))
			return 0;
	return 1;
}

static int net_is_any(const struct net_node *n)
{
	return n->kind == NK_ANY && !n->neg;
}

/* 1 when rule r belongs in index group b (protocol * 2 + anomaly): its
 * protocol's messages or anomalies; a stream-event rule without a protocol
 * in the anomaly group of every protocol (the stream layer reports under
 * the flow's protocol, none while unclaimed). */
static int rule_in_group(const struct rule *r, size_t b)
{
	int stream = rule_has_check(r, CK_STREAM_EVENT);
	unsigned anomaly = (unsigned)(rule_has_check(r, CK_APP_EVENT) || stream);

	if (!r->ot_proto)
		return stream && (b & 1);
	return r->ot_proto < OT_PROTO_COUNT && r->ot_proto * 2u + anomaly == b;
}

/* The ev->func values (0..255) on which rule r can match, as its keywords'
 * funcs() tell; all of them when none can tell. */
static void rule_funcs(const struct rule *r, uint8_t set[32])
{
	uint8_t one[32];
	int i, j;

	memset(set, 0xff, 32);
	for (i = 0; i < r->nchecks; i++) {
		const struct ot_keyword *k = r->checks[i].kw;

		memset(one, 0, sizeof(one));
		if (!k || !k->funcs || !k->funcs(&r->checks[i], one))
			continue;
		for (j = 0; j < 32; j++)
			set[j] &= one[j];
	}
}

/* Per group, per function bucket, the refs that can match (see
 * rules_int.h); -1 when memory runs out. */
static int func_index(struct rules *rs, struct rule_ref *refs, size_t nrefs)
{
	size_t nb = OT_PROTO_COUNT * 2 * RULES_FUNC_BUCKETS * 2, g, f, i, k = 0, total = 0;
	int req;
	uint8_t (*sets)[32] = malloc((nrefs ? nrefs : 1) * sizeof(*sets));
	uint32_t *start = malloc((nb + 1) * sizeof(*start)), *list = NULL;
	uint32_t *pass = malloc(nb * sizeof(*pass));
	int action;

	if (!sets || !start || !pass)
		goto fail;
	for (i = 0; i < nrefs; i++)
		rule_funcs(refs[i].r, sets[i]);
	for (g = 0; g < OT_PROTO_COUNT * 2; g++)
		for (i = rs->ev_start[g]; i < rs->ev_start[g + 1]; i++)
			for (f = 0; f < RULES_FUNC_BUCKETS; f++)
				total += 2 * (f == 256 || (sets[i][f >> 3] >> (f & 7) & 1));
	if (!(list = malloc((total ? total : 1) * sizeof(*list))))
		goto fail;
	for (g = 0; g < OT_PROTO_COUNT * 2; g++) {
		for (f = 0; f < RULES_FUNC_BUCKETS; f++) {
			for (req = 0; req < 2; req++) {
				size_t bk = (g * RULES_FUNC_BUCKETS + f) * 2 + (size_t)req;

				start[bk] = (uint32_t)k;
				/* the pass rules, then the alert rules */
				for (action = RA_PASS; action >= RA_ALERT; action--) {
					for (i = rs->ev_start[g]; i < rs->ev_start[g + 1]; i++)
						if (refs[i].r->action == action &&
						    (f == 256 || (sets[i][f >> 3] >> (f & 7) & 1)) &&
						    (req || !refs[i].requests_only))
							list[k++] = (uint32_t)i;
					if (action == RA_PASS)
						pass[bk] = (uint32_t)(k - start[bk]);
				}
			}
		}
	}
	start[nb] = (uint32_t)k;
	free(sets);
	free(rs->ev_fn);
	free(rs->ev_fn_start);
	free(rs->ev_fn_pass);
	rs->ev_fn = list;
	rs->ev_fn_start = start;
	rs->ev_fn_pass = pass;
	return 0;
fail:
	free(sets);
	free(start);
	free(pass);
	free(list);
	return -1;
}

/* Group the protocol rules by (protocol, anomaly) so that an event visits
 * only the rules that can match it; rule order is kept inside a group. */
static int event_index(struct rules *rs)
{
	struct rule_ref *refs = malloc((rs->n ? rs->n : 1) * OT_PROTO_COUNT * sizeof(*refs));
	size_t i, b, k = 0;

	if (!refs)
		return -1;
	for (b = 0; b < OT_PROTO_COUNT * 2; b++) {
		rs->ev_start[b] = k;
		for (i = 0; i < rs->n; i++) {
			const struct rule *r = rs->rules[i];

			if (!rule_in_group(r, b))
				continue;
			refs[k].r = r;
			refs[k].idx = (uint32_t)i;
			refs[k].any_header = net_is_any(&r->src) && net_is_any(&r->sport) &&
					     net_is_any(&r->dst) && net_is_any(&r->dport);
			refs[k].requests_only = (uint8_t)rule_wants_requests_only(r);
			refs[k].l4 = r->proto == RP_TCP ? 6 : r->proto == RP_UDP ? 17 : 0;
			refs[k].nchecks = (uint8_t)r->nchecks;
			refs[k].checks = r->checks;
			refs[k].match1 = NULL;
			if (!refs[k].l4 && refs[k].any_header && r->nchecks == 1 && r->checks[0].kw)
				refs[k].match1 = r->checks[0].kw->match;
			memset(refs[k].hdr_result, 0, sizeof(refs[k].hdr_result));
			memset(refs[k].hdr_flow, 0, sizeof(refs[k].hdr_flow));
			refs[k].hdr_next = 0;
			k++;
		}
	}
	rs->ev_start[b] = k;
	if (func_index(rs, refs, k) < 0) {
		free(refs);
		return -1;
	}
	free(rs->ev_refs);
	rs->ev_refs = refs;
	rs->ev_indexed = rs->n;
	return 0;
}

/* ---- thresholds --------------------------------------------------------- */

/* ot_ip_cmp(x, y) == 0, inline: the version, then 4 or 16 bytes. */
static inline int ip_same(const struct ot_ip *x, const struct ot_ip *y)
{
	if (x->ver != y->ver)
		return 0;
	return x->ver == 4 ? memcmp(x->a, y->a, 4) == 0 : memcmp(x->a, y->a, 16) == 0;
}

/* 1 when the rule may alert now.  One slot per (rule, address) hash: a
 * colliding key takes the slot over (counted), which can only make a
 * threshold alert early, never hide a first alert. */
static int threshold_allows(struct rules *rs, size_t idx, const struct rule *r,
			    const struct ot_ip *src, const struct ot_ip *dst, time_t now)
{
	struct ot_ip ip;
	struct thresh_slot *s;
	uint64_t h;

	if (r->th_type == TH_NONE)
		return 1;
	memset(&ip, 0, sizeof(ip));
	if (r->th_track == TT_BY_SRC && src)
		ip = *src;
	else if (r->th_track == TT_BY_DST && dst)
		ip = *dst;
	h = ot_ip_hash(&ip, 0x9e3779b97f4a7c15ULL ^ (uint64_t)idx);
	s = &rs->thresh[h % RULES_THRESH_SLOTS];
	if (s->rule_idx != idx + 1 || !ip_same(&s->ip, &ip)) {
		if (s->rule_idx)
			rs->th_replaced++;
		s->rule_idx = (uint32_t)(idx + 1);
		s->ip = ip;
		s->start = now;
		s->count = 0;
	}
	if (now - s->start >= (time_t)r->th_seconds || now < s->start) {
		s->start = now;
		s->count = 0;
	}
	if (s->count < UINT32_MAX)
		s->count++;
	switch (r->th_type) {
	case TH_LIMIT:
		return s->count <= r->th_count;
	case TH_THRESHOLD:
		if (s->count >= r->th_count) {
			s->count = 0;
			return 1;
		}
		return 0;
	case TH_BOTH:
		return s->count == r->th_count;
	default:
		return 1;
	}
}

static int collect(struct rules *rs, const struct rule **out, int max, int n,
		   size_t idx, const struct ot_ip *src, const struct ot_ip *dst, time_t now)
{
	struct rule *r = rs->rules[idx];

	if (!threshold_allows(rs, idx, r, src, dst, now)) {
		r->thresholded++;
		return n;
	}
	r->matches++;
	if (n < max)
		out[n++] = r;
	return n;
}

/* rules_match_event() with rs and ev set; inlined into the observer. */
static inline __attribute__((always_inline)) int match_event(struct rules *rs,
							     const struct ot_event *ev,
							     const struct rule **out, int max)
{
	const struct ot_ip *src = NULL, *dst = NULL;
	const uint32_t *list;
	struct rule_ref *refs;
	size_t i, b, f, len, npass;
	int n = 0;

	rs->events_seen++;
	if ((!rs->ev_refs || rs->ev_indexed != rs->n) && event_index(rs) < 0)
		return 0;
	if ((unsigned)ev->proto >= OT_PROTO_COUNT)
		return 0;
	b = (size_t)ev->proto * 2 + (ev->kind == OT_EV_ANOMALY);
	f = (unsigned)ev->func < 256 ? (size_t)ev->func : 256;
	b = (b * RULES_FUNC_BUCKETS + f) * 2 + (ev->dir == OT_DIR_REQUEST);
	list = rs->ev_fn + rs->ev_fn_start[b];
	len = rs->ev_fn_start[b + 1] - rs->ev_fn_start[b];
	npass = rs->ev_fn_pass[b];
	refs = rs->ev_refs;
	/* the bucket's pass rules come first in it, then its alert rules */
	for (i = 0; i < npass; i++)
		if (event_rule_match(&refs[list[i]], ev)) {
			rs->passed++;
			return 0;
		}
	for (; i < len; i++) {
		struct rule_ref *e = &refs[list[i]];

		if (e->match1 ? !e->match1(e->checks, ev) : !event_rule_match(e, ev))
			continue;
		if (!src && ev->flow) {
			src = ev->from_client ? &ev->flow->cli_ip : &ev->flow->srv_ip;
			dst = ev->from_client ? &ev->flow->srv_ip : &ev->flow->cli_ip;
		}
		n = collect(rs, out, max, n, e->idx, src, dst, ev->ts.tv_sec);
	}
	return n;
}

int rules_match_event(struct rules *rs, const struct ot_event *ev,
		      const struct rule **out, int max)
{
	if (!rs || !ev)
		return 0;
	return match_event(rs, ev, out, max);
}

static int packet_rule_match(const struct rule *r, const struct pkt_meta *p)
{
	if (r->ot_proto || rule_has_check(r, CK_STREAM_EVENT))
		return 0;
	if (r->proto == RP_TCP && p->l4 != 6)
		return 0;
	if (r->proto == RP_UDP && p->l4 != 17)
		return 0;
	return header_match(r, &p->src_ip, p->sport, &p->dst_ip, p->dport);
}

int rules_match_packet(struct rules *rs, const struct pkt_meta *p,
		       const struct rule **out, int max)
{
	size_t i;
	int n = 0;

	if (!rs || !p)
		return 0;
	rs->packets_seen++;
	for (i = 0; i < rs->n; i++)
		if (rs->rules[i]->action == RA_PASS && packet_rule_match(rs->rules[i], p)) {
			rs->passed++;
			return 0;
		}
	for (i = 0; i < rs->n; i++)
		if (rs->rules[i]->action == RA_ALERT && packet_rule_match(rs->rules[i], p))
			n = collect(rs, out, max, n, i, &p->src_ip, &p->dst_ip, p->ts.tv_sec);
	return n;
}

void rules_stats(const struct rules *rs, json_t *obj)
{
	json_t *o;
	uint64_t matches = 0, held = 0;
	size_t i;

	if (!rs || !obj)
		return;
	for (i = 0; i < rs->n; i++) {
		matches += rs->rules[i]->matches;
		held += rs->rules[i]->thresholded;
	}
	o = json_object();
	json_object_set_new(o, "loaded", json_integer((json_int_t)rs->n));
	json_object_set_new(o, "load_errors", json_integer((json_int_t)rs->nerrors));
	json_object_set_new(o, "events_inspected", json_integer((json_int_t)rs->events_seen));
	json_object_set_new(o, "flows_inspected", json_integer((json_int_t)rs->packets_seen));
	json_object_set_new(o, "matches", json_integer((json_int_t)matches));
	json_object_set_new(o, "thresholded", json_integer((json_int_t)held));
	json_object_set_new(o, "passed", json_integer((json_int_t)rs->passed));
	json_object_set_new(o, "threshold_slots", json_integer(RULES_THRESH_SLOTS));
	json_object_set_new(o, "threshold_replaced", json_integer((json_int_t)rs->th_replaced));
	if (rs->nwaiting) {
		json_t *a = json_array();

		for (i = 0; i < rs->nwaiting && i < RULES_STATS_WAITING; i++)
			json_array_append_new(a, json_pack("{s:I,s:s}", "sid",
							   (json_int_t)rs->waiting[i].sid,
							   "var", rs->waiting[i].var));
		json_object_set_new(o, "waiting", json_integer((json_int_t)rs->nwaiting));
		json_object_set_new(o, "waiting_for_vars", a);
	}
	json_object_set_new(obj, "rules", o);
}

/* ---- the default rule set ---------------------------------------------- */

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *rules_default_path(void)
{
	static char exe[PATH_MAX];
	static const char build_src[] = OTS_BUILDDIR "/src/";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = 0;
		/* running uninstalled, from the build tree */
		if (strncmp(exe, build_src, sizeof(build_src) - 1) == 0 &&
		    is_dir(OTS_SRCDIR "/rules"))
			return OTS_SRCDIR "/rules";
	}
	if (is_dir(OTS_RULESDIR))
		return OTS_RULESDIR;
	if (is_dir(OTS_SRCDIR "/rules"))
		return OTS_SRCDIR "/rules";
	return NULL;
}

/* ---- the observer ------------------------------------------------------ */

struct rules_obs {
	struct rules *rs;
	struct alerter *al;
	struct sensor *s;
	struct rules_config cfg;        /* its arrays: borrowed, see rules.h */
	int packet_rules;               /* rs has rules that match on packets */
	/* the repeat key of the last flow alerted on ("flow:<id>"): a
	 * function of the id alone */
	uint64_t key_id;
	char key[32];                   /* "" none yet */
};

static void raise_rule_alert(struct rules_obs *o, const struct rule *r,
			     const struct timeval *ts, const struct flow *f,
			     int from_client, const struct ot_event *ev)
{
	struct alert a;
	const char *slash = strrchr(r->file, '/');

	memset(&a, 0, sizeof(a));
	a.sid = r->sid;
	a.rev = r->rev;
	a.gid = r->gid;
	a.signature = r->msg;
	a.category = r->category ? r->category : "";
	a.severity = r->severity;
	a.source = "rule";
	a.ts = *ts;
	a.flow = f;
	a.from_client = from_client;
	a.ev = ev;
	a.metadata = json_incref(r->metadata);  /* read only by the alerter */
	a.rule_file = slash ? slash + 1 : r->file;
	a.rule_line = r->line;
	/* Repeats of one rule on one flow are counted, not re-alerted:
	 * the key is "flow:<id>", written here as it runs once a hit */
	if (f) {
		if (!o->key[0] || o->key_id != f->id) {
			memcpy(o->key, "flow:", 5);
			*jw_udec(o->key + 5, f->id) = '\0';
			o->key_id = f->id;
		}
		a.dedup_key = o->key;
	}
	alert_raise(o->al, &a);
}

static void obs_event(void *ctx, const struct ot_event *ev)
{
	struct rules_obs *o = ctx;
	const struct rule *hits[RULES_MAX_HITS];
	int n, i;

	n = o->rs ? match_event(o->rs, ev, hits, RULES_MAX_HITS) : 0;
	for (i = 0; i < n; i++)
		raise_rule_alert(o, hits[i], &ev->ts, ev->flow, ev->from_client, ev);
}

static void obs_packet(void *ctx, const struct pkt_meta *p, const struct flow *f, int dir)
{
	struct rules_obs *o = ctx;
	const struct rule *hits[RULES_MAX_HITS];
	int n, i;

	if (!o->packet_rules)
		return;
	if (!f || f->pkts[0] + f->pkts[1] != 1)
		return;         /* header rules look at a flow's first packet */
	n = rules_match_packet(o->rs, p, hits, RULES_MAX_HITS);
	for (i = 0; i < n; i++)
		raise_rule_alert(o, hits[i], &p->ts, f, dir == FLOW_C2S, NULL);
}

static void obs_stats(void *ctx, json_t *stats)
{
	struct rules_obs *o = ctx;

	rules_stats(o->rs, stats);
}

static void obs_free(void *ctx)
{
	struct rules_obs *o = ctx;

	if (!o)
		return;
	rules_free(o->rs);
	free(o);
}

static int has_packet_rules(const struct rules *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (!rs->rules[i]->ot_proto)
			return 1;
	return 0;
}

/* The rule set cfg names: its variables, then its paths or the shipped set.
 * Errors are printed (as warnings with cfg->warn_only); with errors and
 * not warn_only, -2.  Else 0 with *out set, or -1 out of memory. */
static int load_ruleset(const struct rules_config *cfg, struct rules **out)
{
	struct rules *rs;
	size_t i;
	int k;

	*out = NULL;
	rs = rules_new();
	if (!rs)
		return -1;
	for (k = 0; k < cfg->n_vars; k++)
		rules_set_var_arg(rs, cfg->vars[k]);
	if (cfg->n_paths) {
		for (k = 0; k < cfg->n_paths; k++)
			rules_load_path(rs, cfg->paths[k]);
	} else {
		const char *def = rules_default_path();

		if (def)
			rules_load_path(rs, def);
		else if (!cfg->quiet)
			fputs("otsentry: no default rule set found; running without rules\n", stderr);
	}
	for (i = 0; i < rules_error_count(rs); i++) {
		const char *e = rules_error(rs, i);

		if (!e) {
			fprintf(stderr, "otsentry: ... %zu more rule errors\n", rules_error_count(rs) - i);
			break;
		}
		fprintf(stderr, "otsentry: %s%s\n", cfg->warn_only ? "warning: " : "", e);
	}
	if (!cfg->quiet)
		rules_print_waiting(rs, stderr);
	if (rules_error_count(rs) && !cfg->warn_only) {
		rules_free(rs);
		return -2;
	}
	*out = rs;
	return 0;
}

/* SIGUSR2: the rule files again; the old set stays when the new one does
 * not load.  Flows carry on; their cached address results belong to the
 * old set and go with it. */
static void obs_reload(void *ctx, const struct timeval *now)
{
	struct rules_obs *o = ctx;
	struct rules *rs;
	int r = load_ruleset(&o->cfg, &rs);

	if (r < 0) {
		sensor_notice(o->s, now, "reload_failed",
			      "rules reload: %s; the previous %zu rules stay in force",
			      r == -2 ? "rule errors (printed above)" : "out of memory", o->rs->n);
		return;
	}
	rules_free(o->rs);
	o->rs = rs;
	o->packet_rules = has_packet_rules(rs);
	sensor_notice(o->s, now, "reload", "rules reloaded: %zu rules", rs->n);
}

int rules_attach(struct sensor *s, const struct rules_config *cfg, struct alerter *al)
{
	struct sensor_observer ob;
	struct rules_obs *o;
	struct rules *rs;
	int r;

	if ((r = load_ruleset(cfg, &rs)) < 0)
		return r;
	o = calloc(1, sizeof(*o));
	if (!o) {
		rules_free(rs);
		return -1;
	}
	o->rs = rs;
	o->al = al;
	o->s = s;
	o->cfg = *cfg;
	o->packet_rules = has_packet_rules(rs);
	memset(&ob, 0, sizeof(ob));
	ob.name = "rules";
	ob.ctx = o;
	ob.on_event = obs_event;
	ob.on_packet = obs_packet;
	ob.on_stats = obs_stats;
	ob.on_free = obs_free;
	ob.on_reload = obs_reload;
	if (sensor_add_observer(s, &ob) < 0) {
		obs_free(o);
		return -1;
	}
	return 0;
}
