/*
 * alert.c - the alerter: EVE `alert` lines, repeat counting, rate cap.
 *
 * Output shape (one line per alert, Suricata EVE conventions):
 *
 *   {"timestamp": ..., "event_type": "alert", "flow_id": ..., "src_ip": ...,
 *    "app_proto": "modbus",
 *    "alert": {"action": "allowed", "gid": 1, "signature_id": 9100001,
 *              "rev": 1, "signature": "...", "category": "...",
 *              "severity": 1,
 *              "metadata": {"mitre_technique_id": ["T0881"],
 *                           "mitre_technique_name": ["Manipulation of Control"],
 *                           "source": "rule", ...}},
 *    "modbus": {...the object the modbus log writes for the message...},
 *    "ether": {"src_mac": ..., "dest_mac": ...},
 *    "evidence": {...}}
 *
 * Repeats: an alert whose (sid, dedup_key) was already alerted is not
 * written again; it is counted.  The count goes out as one
 * `event_type: "alert_summary"` line when the repeats end (no repeat for
 * repeat_summary_interval seconds), every repeat_summary_interval while
 * they go on, when the key is evicted from the bounded table, and at the
 * end of input.  A summary line is not an alert: SIEM alert counts stay
 * one per distinct deviation.
 *
 * Rate cap: at most max_per_second new alert lines per second of packet
 * time; the others are counted (rate_suppressed) and not tracked as
 * repeats, so the next occurrence after the burst alerts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "eve.h"
#include "flow.h"
#include "table_mem.h"
#include "sensor.h"
#include "dissector.h"
#include "event.h"
#include "hash.h"
#include "jw.h"
#include "list.h"
#include "seed.h"

#define ALERT_HASH_MIN 64

struct repeat {
	struct repeat *hnext;           /* hash chain */
	struct ots_link lru;            /* in alerter.lru, oldest first */
	uint64_t hash;
	uint32_t sid, gid, rev;
	int severity;
	char *key;
	char *signature;
	char *category;
	uint64_t count;                 /* repeats since the last summary */
	uint64_t total;                 /* repeats since the first alert */
	struct timeval first, last, last_summary;
	uint64_t flow_id;
};

struct alerter {
	struct eve *eve;
	struct alert_config cfg;
	struct repeat **buckets;
	size_t nbuckets;
	struct ots_list lru;            /* repeat keys, least recently seen first */
	uint64_t seed;                  /* of the key hash */
	uint32_t nkeys;
	time_t rate_sec;
	uint32_t rate_used;
	double end_after;               /* seconds without a repeat that end a key */

	uint64_t raised, written, repeats, summaries, rate_suppressed;
	uint64_t evicted, write_errors;
	uint64_t by_gid[3];             /* written: other, rule, baseline */
	int finished;
	struct timeval finish_ts;       /* end of input, for late summaries */
	alert_observer_fn observer;     /* sees every raised alert; may be NULL */
	void *observer_ctx;
	int slow_metadata;              /* alerter_set_fast_path(al, 0) */
};

static double tv_diff(const struct timeval *a, const struct timeval *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (a->tv_usec - b->tv_usec) / 1e6;
}

static uint64_t repeat_hash(const struct alerter *al, uint32_t sid, uint32_t gid,
			    const char *key)
{
	uint64_t w[2] = { sid, gid };

	return ots_hash_str(key, ots_hash_words(w, 2, al->seed));
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct alerter *alerter_new(struct eve *eve, const struct alert_config *cfg)
{
	struct alerter *al = calloc(1, sizeof(*al));
	size_t n = ALERT_HASH_MIN;

	if (!al)
		return NULL;
	al->eve = eve;
	al->cfg = *cfg;
	al->seed = ots_random_seed();
	ots_list_init(&al->lru);
	if (al->cfg.max_dedup_keys == 0)
		al->cfg.max_dedup_keys = 1;
	while (n < al->cfg.max_dedup_keys && n < (1u << 20))
		n <<= 1;
	al->nbuckets = n;
	al->buckets = ots_table_calloc(n, sizeof(*al->buckets));
	if (!al->buckets) {
		free(al);
		return NULL;
	}
	al->rate_sec = -1;
	al->end_after = al->cfg.repeat_summary_interval > 0 ?
			al->cfg.repeat_summary_interval : 300.0;
	return al;
}

static void repeat_free(struct repeat *r)
{
	if (!r)
		return;
	free(r->key);
	free(r->signature);
	free(r->category);
	free(r);
}

static struct repeat *oldest(const struct alerter *al)
{
	return ots_list_entry(al->lru.first, struct repeat, lru);
}

static void repeat_remove(struct alerter *al, struct repeat *r)
{
	struct repeat **pp = &al->buckets[r->hash & (al->nbuckets - 1)];

	while (*pp && *pp != r)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = r->hnext;
	ots_list_unlink(&al->lru, &r->lru);
	al->nkeys--;
	repeat_free(r);
}

static void count_write(struct alerter *al, json_t *ev)
{
	if (!al->eve) {
		json_decref(ev);
		return;
	}
	if (eve_write(al->eve, ev) < 0)
		al->write_errors++;
}

/* One alert_summary line for the repeats counted since the last one. */
static void write_summary(struct alerter *al, struct repeat *r,
			  const struct timeval *now, const char *reason)
{
	char b1[40], b2[40];
	json_t *ev, *s;

	if (r->count == 0)
		return;
	ev = eve_event_new("alert_summary", now, NULL, 1);
	if (!ev)
		return;
	if (r->flow_id)
		json_object_set_new(ev, "flow_id", json_integer((json_int_t)(r->flow_id & INT64_MAX)));
	s = json_object();
	json_object_set_new(s, "gid", json_integer(r->gid));
	json_object_set_new(s, "signature_id", json_integer(r->sid));
	json_object_set_new(s, "rev", json_integer(r->rev));
	json_object_set_new(s, "signature", json_string(r->signature ? r->signature : ""));
	json_object_set_new(s, "category", json_string(r->category ? r->category : ""));
	json_object_set_new(s, "severity", json_integer(r->severity));
	json_object_set_new(s, "dedup_key", json_string(r->key));
	json_object_set_new(s, "repeat_count", json_integer((json_int_t)r->count));
	json_object_set_new(s, "total_repeats", json_integer((json_int_t)r->total));
	json_object_set_new(s, "first_seen", json_string(eve_timestamp(&r->first, b1, sizeof(b1))));
	json_object_set_new(s, "last_seen", json_string(eve_timestamp(&r->last, b2, sizeof(b2))));
	json_object_set_new(s, "reason", json_string(reason));
	json_object_set_new(ev, "alert_summary", s);
	count_write(al, ev);
	al->summaries++;
	r->count = 0;
	r->last_summary = *now;
}

static struct repeat *repeat_find(const struct alerter *al, uint32_t sid, uint32_t gid,
				  const char *key, uint64_t h)
{
	struct repeat *r;

	for (r = al->buckets[h & (al->nbuckets - 1)]; r; r = r->hnext)
		if (r->hash == h && r->sid == sid && r->gid == gid && strcmp(r->key, key) == 0)
			return r;
	return NULL;
}

static void repeat_insert(struct alerter *al, const struct alert *a, uint64_t h)
{
	struct repeat *r;
	size_t b;

	if (al->nkeys >= al->cfg.max_dedup_keys && oldest(al)) {
		write_summary(al, oldest(al), &a->ts, "evicted");
		repeat_remove(al, oldest(al));
		al->evicted++;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return;
	r->key = strdup(a->dedup_key);
	r->signature = dup_or_null(a->signature);
	r->category = dup_or_null(a->category);
	if (!r->key || (a->signature && !r->signature) || (a->category && !r->category)) {
		repeat_free(r);
		return;
	}
	r->hash = h;
	r->sid = a->sid;
	r->gid = a->gid;
	r->rev = a->rev;
	r->severity = a->severity;
	r->first = r->last = r->last_summary = a->ts;
	r->flow_id = a->flow ? a->flow->id : 0;
	b = h & (al->nbuckets - 1);
	r->hnext = al->buckets[b];
	al->buckets[b] = r;
	ots_list_push_back(&al->lru, &r->lru);
	al->nkeys++;
}

/* The next piece of a "T0881, T0858" list at *s: its start in *piece and
 * its length (spaces around it trimmed, maybe 0) in *n, *s moved past it;
 * 0 at the end. */
static int split_next(const char **s, const char **piece, size_t *n)
{
	const char *p = *s;
	size_t len;

	if (!p || !*p)
		return 0;
	while (*p == ',' || *p == ' ')
		p++;
	len = strcspn(p, ",");
	*s = p + len;
	while (len > 0 && p[len - 1] == ' ')
		len--;
	*piece = p;
	*n = len;
	return 1;
}

/* "T0881, T0858" -> ["T0881", "T0858"] appended to arr. */
static void append_split(json_t *arr, const char *s)
{
	const char *p;
	size_t n;

	while (split_next(&s, &p, &n))
		if (n > 0)
			json_array_append_new(arr, json_stringn(p, n));
}

/* The array under key, made this alert's own (metadata values may be
 * shared with the caller's object, which must not change). */
static json_t *meta_array(json_t *meta, const char *key)
{
	json_t *arr = json_object_get(meta, key);

	if (json_is_array(arr)) {
		json_t *own = json_copy(arr);

		json_object_set_new(meta, key, own);
		return own;
	}
	if (arr) {
		json_t *n = json_array();

		json_array_append(n, arr);
		json_object_set_new(meta, key, n);
		return n;
	}
	arr = json_array();
	json_object_set_new(meta, key, arr);
	return arr;
}

static json_t *build_metadata(const struct alert *a)
{
	json_t *meta = json_object();
	const char *k;
	json_t *v;

	if (a->metadata && json_is_object(a->metadata)) {
		json_object_foreach(a->metadata, k, v)
			json_object_set(meta, k, v);
	}
	if (a->mitre_id)
		append_split(meta_array(meta, "mitre_technique_id"), a->mitre_id);
	if (a->mitre_name)
		append_split(meta_array(meta, "mitre_technique_name"), a->mitre_name);
	if (a->source && !json_object_get(meta, "source"))
		json_object_set_new(meta, "source", json_string(a->source));
	return meta;
}

/* The techniques in s (append_split's pieces: those a jansson string
 * takes, valid UTF-8) as a "key": [...] member, after the caller's value
 * v of that member if any (its elements when an array). */
static void put_techniques(struct jw *w, const char *key, json_t *v, const char *s)
{
	const char *p;
	size_t i, n;
	json_t *x;

	jw_array_open(w, key);
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			eve_put_json(w, NULL, x);
	} else if (v) {
		eve_put_json(w, NULL, v);
	}
	while (split_next(&s, &p, &n))
		if (n > 0 && jw_utf8_valid((const uint8_t *)p, n))
			jw_stringn(w, NULL, p, n);
	jw_array_close(w);
}

/* The alert's metadata member, written straight as build_metadata's
 * object reads: the caller's members in order, a technique member of
 * theirs in its place with ours appended, techniques they lack and the
 * source (unless theirs) after them. */
static void put_metadata(const struct alerter *al, struct jw *w, const struct alert *a)
{
	json_t *m = a->metadata && json_is_object(a->metadata) ? a->metadata : NULL;
	int have_id = 0, have_name = 0, have_source = 0;
	const char *k;
	json_t *v;

	if (al->slow_metadata) {
		json_t *meta = build_metadata(a);

		eve_put_json(w, "metadata", meta);
		json_decref(meta);
		return;
	}
	jw_object_open(w, "metadata");
	if (m) {
		json_object_foreach(m, k, v) {
			if (a->mitre_id && strcmp(k, "mitre_technique_id") == 0) {
				put_techniques(w, k, v, a->mitre_id);
				have_id = 1;
			} else if (a->mitre_name && strcmp(k, "mitre_technique_name") == 0) {
				put_techniques(w, k, v, a->mitre_name);
				have_name = 1;
			} else {
				eve_put_json(w, k, v);
				if (strcmp(k, "source") == 0)
					have_source = 1;
			}
		}
	}
	if (a->mitre_id && !have_id)
		put_techniques(w, "mitre_technique_id", NULL, a->mitre_id);
	if (a->mitre_name && !have_name)
		put_techniques(w, "mitre_technique_name", NULL, a->mitre_name);
	if (a->source && !have_source && jw_utf8_valid((const uint8_t *)a->source, strlen(a->source)))
		jw_string(w, "source", a->source);
	jw_object_close(w);
}

/* The normalized fields of the triggering event, under the protocol name. */
static json_t *event_summary(const struct ot_event *ev)
{
	json_t *o = json_object();
	int i;

	json_object_set_new(o, "direction", json_string(ot_dir_name(ev->dir)));
	if (ev->func >= 0) {
		json_object_set_new(o, "func", json_integer(ev->func));
		if (ev->func_name)
			json_object_set_new(o, "name", json_string(ev->func_name));
	}
	if (ev->subfunc >= 0) {
		json_object_set_new(o, "subfunc", json_integer(ev->subfunc));
		if (ev->subfunc_name)
			json_object_set_new(o, "subfunc_name", json_string(ev->subfunc_name));
	}
	if (ev->group >= 0)
		json_object_set_new(o, "group", json_integer(ev->group));
	json_object_set_new(o, "category", json_string(ot_category_name(ev->cat)));
	if (ev->unit >= 0)
		json_object_set_new(o, "unit", json_integer(ev->unit));
	if (ev->link_src >= 0)
		json_object_set_new(o, "link_src", json_integer(ev->link_src));
	if (ev->link_dst >= 0)
		json_object_set_new(o, "link_dst", json_integer(ev->link_dst));
	if (ev->rack >= 0)
		json_object_set_new(o, "rack", json_integer(ev->rack));
	if (ev->slot >= 0)
		json_object_set_new(o, "slot", json_integer(ev->slot));
	if (ev->txn >= 0)
		json_object_set_new(o, "txn", json_integer(ev->txn));
	if (ev->status > 0) {
		json_object_set_new(o, "status", json_integer(ev->status));
		if (ev->status_name)
			json_object_set_new(o, "status_name", json_string(ev->status_name));
	}
	if (ev->n_ranges) {
		json_t *arr = json_array();

		for (i = 0; i < ev->n_ranges && i < OT_MAX_RANGES; i++) {
			const struct ot_range *r = &ev->ranges[i];
			json_t *ro = json_object();

			json_object_set_new(ro, "space", json_string(ot_space_name(r->space)));
			if (r->block || (ot_space_flags(r->space) & OT_SPACE_BLOCK))
				json_object_set_new(ro, "block", json_integer(r->block));
			if (r->variation)
				json_object_set_new(ro, "variation", json_integer(r->variation));
			json_object_set_new(ro, "start", json_integer(r->start));
			json_object_set_new(ro, "count", json_integer(r->count));
			json_array_append_new(arr, ro);
		}
		json_object_set_new(o, "addresses", arr);
	}
	if (ev->n_values) {
		json_t *arr = json_array();

		for (i = 0; i < ev->n_values && i < OT_MAX_VALUES; i++) {
			const struct ot_value *v = &ev->values[i];
			json_t *vo = json_object();

			json_object_set_new(vo, "space", json_string(ot_space_name(v->space)));
			json_object_set_new(vo, "index", json_integer(v->index));
			json_object_set_new(vo, "value", json_real(v->value));
			json_array_append_new(arr, vo);
		}
		json_object_set_new(o, "values", arr);
	}
	if (ev->kind == OT_EV_ANOMALY && ev->anomaly) {
		json_object_set_new(o, "anomaly", json_string(ev->anomaly));
		json_object_set_new(o, "anomaly_detail", json_string(ev->anomaly_detail));
	}
	return o;
}

/*
 * One alert line, streamed.  The triggering message is embedded as the
 * object its protocol log writes (the protocol's log()); an anomaly as the
 * anomaly line's object; a message of a protocol without log() as its
 * normalized fields.
 */
static void write_alert(struct alerter *al, struct alert *a)
{
	const struct ot_event *e = a->ev;
	const char *app = NULL;
	struct jw *w;

	al->written++;
	al->by_gid[a->gid < 3 ? a->gid : 0]++;
	if (!al->eve) {
		json_decref(a->evidence);
		a->evidence = NULL;
		return;
	}
	w = eve_line_begin(al->eve, "alert", &a->ts, a->flow, a->from_client);
	jw_object_open(w, "alert");
	jw_string(w, "action", "allowed");
	jw_uint(w, "gid", a->gid);
	jw_uint(w, "signature_id", a->sid);
	jw_uint(w, "rev", a->rev);
	jw_string(w, "signature", a->signature ? a->signature : "");
	jw_string(w, "category", a->category ? a->category : "");
	jw_int(w, "severity", a->severity);
	put_metadata(al, w, a);
	jw_object_close(w);

	if (e && e->proto != OT_PROTO_UNKNOWN) {
		const struct dissector *d = dissector_by_proto(e->proto);

		app = ot_proto_name(e->proto);
		if (e->kind == OT_EV_ANOMALY) {
			jw_object_open(w, "anomaly");
			eve_anomaly(w, e);
			jw_object_close(w);
		} else if (d && d->log && e->record) {
			jw_object_open(w, app);
			d->log(w, e);
			jw_object_close(w);
		} else {
			json_t *o = event_summary(e);

			eve_put_json(w, app, o);
			json_decref(o);
		}
	} else if (a->flow && a->flow->ot_proto) {
		app = a->flow->ot_proto;
	} else if (a->flow && a->flow->app_proto[0]) {
		app = a->flow->app_proto;
	}
	if (app)
		jw_string(w, "app_proto", app);
	if (a->flow && a->flow->has_mac) {
		/* the hardware addresses of the two assets, Suricata's "ether" */
		char m1[18], m2[18];
		const uint8_t *sm = a->from_client ? a->flow->cli_mac : a->flow->srv_mac;
		const uint8_t *dm = a->from_client ? a->flow->srv_mac : a->flow->cli_mac;

		jw_object_open(w, "ether");
		jw_string(w, "src_mac", ot_mac_str(sm, m1, sizeof(m1)));
		jw_string(w, "dest_mac", ot_mac_str(dm, m2, sizeof(m2)));
		jw_object_close(w);
	}
	if (a->evidence) {
		eve_put_json(w, "evidence", a->evidence);
		json_decref(a->evidence);
		a->evidence = NULL;
	} else if (a->rule_file &&
		   jw_utf8_valid((const uint8_t *)a->rule_file, strlen(a->rule_file))) {
		jw_object_open(w, "evidence");
		jw_string(w, "rule_file", a->rule_file);
		jw_int(w, "rule_line", a->rule_line);
		jw_object_close(w);
	}
	if (eve_line_end(al->eve, w) < 0)
		al->write_errors++;
}

static int rate_allows(struct alerter *al, const struct timeval *ts)
{
	if (al->cfg.max_per_second == 0)
		return 1;
	if (ts->tv_sec != al->rate_sec) {
		al->rate_sec = ts->tv_sec;
		al->rate_used = 0;
	}
	if (al->rate_used >= al->cfg.max_per_second)
		return 0;
	al->rate_used++;
	return 1;
}

int alert_wanted(const struct alerter *al, const struct alert *a)
{
	if (!al || !a)
		return 0;
	if (al->observer)
		return 1;
	/* alert_raise's decisions, made without a change: a repeat is
	 * counted, one over the rate cap suppressed; neither is written */
	if (a->dedup_key &&
	    repeat_find(al, a->sid, a->gid, a->dedup_key, repeat_hash(al, a->sid, a->gid, a->dedup_key)))
		return 0;
	return al->cfg.max_per_second == 0 || a->ts.tv_sec != al->rate_sec ||
	       al->rate_used < al->cfg.max_per_second;
}

void alert_raise(struct alerter *al, struct alert *a)
{
	struct repeat *r = NULL;
	uint64_t h = 0;

	if (!al || !a)
		return;
	al->raised++;
	if (al->observer)
		al->observer(al->observer_ctx, a);
	if (a->dedup_key) {
		h = repeat_hash(al, a->sid, a->gid, a->dedup_key);
		r = repeat_find(al, a->sid, a->gid, a->dedup_key, h);
	}
	if (r) {
		r->count++;
		r->total++;
		r->last = a->ts;
		ots_list_unlink(&al->lru, &r->lru);
		ots_list_push_back(&al->lru, &r->lru);
		al->repeats++;
		if (al->cfg.repeat_summary_interval > 0 &&
		    tv_diff(&a->ts, &r->last_summary) >= al->cfg.repeat_summary_interval)
			write_summary(al, r, &a->ts, "periodic");
		goto done;
	}
	if (!rate_allows(al, &a->ts)) {
		al->rate_suppressed++;
		goto done;
	}
	write_alert(al, a);
	if (a->dedup_key)
		repeat_insert(al, a, h);
done:
	json_decref(a->evidence);
	a->evidence = NULL;
	json_decref(a->metadata);
	a->metadata = NULL;
}

void alerter_set_fast_path(struct alerter *al, int on)
{
	if (al)
		al->slow_metadata = !on;
}

void alerter_set_observer(struct alerter *al, alert_observer_fn fn, void *ctx)
{
	if (!al)
		return;
	al->observer = fn;
	al->observer_ctx = ctx;
}

/* The keys without a repeat for end_after seconds, oldest first. */
static void tick_expire(struct alerter *al, const struct timeval *now)
{
	struct repeat *r;

	/* Oldest first: the first key seen recently ends the walk. */
	while ((r = oldest(al)) && tv_diff(now, &r->last) >= al->end_after) {
		write_summary(al, r, now, "ended");
		repeat_remove(al, r);
	}
}

/* 1 when the oldest key has ended: the test of tick_expire()'s first
 * step, made on every tick before anything else. */
static inline int tick_due(const struct alerter *al, const struct timeval *now)
{
	return al->lru.first && tv_diff(now, &oldest(al)->last) >= al->end_after;
}

void alerter_tick(struct alerter *al, const struct timeval *now)
{
	if (al && tick_due(al, now))
		tick_expire(al, now);
}

void alerter_finish(struct alerter *al, const struct timeval *now)
{
	struct ots_link *l;

	if (!al)
		return;
	al->finished = 1;
	al->finish_ts = *now;
	for (l = al->lru.first; l; l = l->next)
		write_summary(al, ots_container_of(l, struct repeat, lru), now, "end_of_input");
}

void alerter_free(struct alerter *al)
{
	struct ots_link *l, *n;

	if (!al)
		return;
	for (l = al->lru.first; l; l = n) {
		n = l->next;
		repeat_free(ots_container_of(l, struct repeat, lru));
	}
	ots_table_free(al->buckets, al->nbuckets, sizeof(*al->buckets));
	free(al);
}

void alerter_stats(const struct alerter *al, json_t *obj)
{
	json_t *o;

	if (!al || !obj)
		return;
	o = json_object();
	json_object_set_new(o, "raised", json_integer((json_int_t)al->raised));
	json_object_set_new(o, "written", json_integer((json_int_t)al->written));
	json_object_set_new(o, "rules", json_integer((json_int_t)al->by_gid[1]));
	json_object_set_new(o, "baseline", json_integer((json_int_t)al->by_gid[2]));
	json_object_set_new(o, "repeats", json_integer((json_int_t)al->repeats));
	json_object_set_new(o, "summaries", json_integer((json_int_t)al->summaries));
	json_object_set_new(o, "rate_suppressed", json_integer((json_int_t)al->rate_suppressed));
	json_object_set_new(o, "dedup_keys", json_integer(al->nkeys));
	json_object_set_new(o, "dedup_evicted", json_integer((json_int_t)al->evicted));
	json_object_set_new(o, "write_errors", json_integer((json_int_t)al->write_errors));
	json_object_set_new(obj, "alerts", o);
}

static void obs_tick(void *ctx, const struct timeval *now)
{
	if (tick_due(ctx, now))
		tick_expire(ctx, now);
}

static void obs_finish(void *ctx, const struct timeval *last)
{
	alerter_finish(ctx, last);
}

static void obs_stats(void *ctx, json_t *stats)
{
	alerter_stats(ctx, stats);
}

static void obs_free(void *ctx)
{
	struct alerter *al = ctx;

	/* Repeats counted after the end-of-input summaries (modules that
	 * finish after the alerter) still get their summary line. */
	if (al && al->finished)
		alerter_finish(al, &al->finish_ts);
	alerter_free(al);
}

int alerter_attach(struct sensor *s, struct alerter *al)
{
	struct sensor_observer o;

	if (!al)
		return -1;
	memset(&o, 0, sizeof(o));
	o.name = "alerts";
	o.ctx = al;
	o.on_tick = obs_tick;
	o.on_finish = obs_finish;
	o.on_stats = obs_stats;
	o.on_free = obs_free;
	if (sensor_add_observer(s, &o) < 0) {
		alerter_free(al);
		return -1;
	}
	return 0;
}
