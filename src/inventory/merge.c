/*
 * merge.c - one site inventory from the inventory documents of several
 * sensors (--merge-inventory).  See inventory.h.
 *
 * It works on the documents of otsentry-inventory(5), once per run, so it
 * uses jansson throughout.  Matching: assets keyed by MAC address are one
 * site asset per MAC; then every asset keyed by IP address joins the site
 * asset that has the same address on the same VLAN (routers excepted: the
 * addresses behind a router are not the router), else it becomes one of
 * its own.  Assets with a MAC are matched first, over every input, so the
 * result does not depend on which sensor's file comes first.
 *
 * Reconciling: times are the earliest first_seen and the latest last_seen;
 * counters are the largest any one sensor saw (two sensors on overlapping
 * mirror ports see the same packets: a sum would count them twice), and
 * each sensor's own counters are kept in the asset's "sensors" list; sets
 * (addresses, VLANs, services, labels, OT addresses, identity facts) are
 * unions under the inventory's own caps.  Nothing a sensor said is
 * overwritten: the role is the one of the sensor that saw the asset most,
 * with every other sensor's role kept and a "role_conflict" list where
 * they differ; an identity fact whose latest value differs between sensors
 * is an "identity_conflicts" entry and a callback (an "asset" event).
 * Fields this code does not know are taken from the first input holding
 * the asset.  A merged document merges again: its "sensors" lists are
 * carried, not replaced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "config.h"
#include "eve.h"
#include "inventory.h"

#define MERGE_MAX_SENSORS  64   /* sensor entries per asset or edge */
#define MERGE_MAX_REASONS  8

struct merge {
	const struct inv_merge_config *cfg;
	struct inv_merge_stats *st;
	json_t *assets;         /* the site's assets */
	json_t *by_mac;         /* "aa:bb:.." -> index into assets */
	json_t *by_ip;          /* "ip|vlan" -> index */
	json_t *edges;
	json_t *by_edge;        /* "client|server|transport|port" -> index */
	json_t **idmap;         /* per input: "original id" -> site id */
	uint64_t next_id;
	uint64_t next_edge_id;
	char err[256];
};

/* ---- small helpers ---- */

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_int_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* Timestamps of the documents are fixed-width UTC text: they compare as
 * strings.  dst[k] = the earlier (want < 0) or later (want > 0). */
static void ts_pick(json_t *dst, const json_t *src, const char *k, int want)
{
	const char *a = jstr(dst, k), *b = jstr(src, k);

	if (!b)
		return;
	if (!a || (want < 0 ? strcmp(b, a) < 0 : strcmp(b, a) > 0))
		json_object_set_new(dst, k, json_string(b));
}

static void ts_span(json_t *dst, const json_t *src)
{
	ts_pick(dst, src, "first_seen", -1);
	ts_pick(dst, src, "last_seen", 1);
}

static void max_int(json_t *dst, const json_t *src, const char *k)
{
	json_t *b = json_object_get(src, k);

	if (!json_is_integer(b))
		return;
	if (!json_is_integer(json_object_get(dst, k)) ||
	    json_integer_value(b) > jint(dst, k))
		json_object_set_new(dst, k, json_integer(json_integer_value(b)));
}

/* Every integer member of src: the larger into dst (recursing into
 * objects, e.g. requests_by_category). */
static void max_all(json_t *dst, const json_t *src)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)src, k, v) {
		json_t *d = json_object_get(dst, k);

		if (json_is_integer(v))
			max_int(dst, src, k);
		else if (json_is_object(v) && json_is_object(d))
			max_all(d, v);
		else if (!d)
			json_object_set(dst, k, v);
	}
}

static void or_bool(json_t *dst, const json_t *src, const char *k)
{
	if (json_is_true(json_object_get(src, k)))
		json_object_set_new(dst, k, json_true());
}

/* The array dst[k], made when missing. */
static json_t *arr_of(json_t *dst, const char *k)
{
	json_t *a = json_object_get(dst, k);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(dst, k, a);
	}
	return a;
}

static long arr_find_equal(const json_t *arr, const json_t *v)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x)
		if (json_equal(x, v))
			return (long)i;
	return -1;
}

/* Union of plain values (strings, numbers, small objects): at most cap
 * items, the rest counted in *dropped. */
static void union_equal(json_t *dst, const json_t *src, size_t cap, uint64_t *dropped)
{
	size_t i;
	json_t *v;

	if (!json_is_array(src))
		return;
	json_array_foreach(src, i, v) {
		if (arr_find_equal(dst, v) >= 0)
			continue;
		if (json_array_size(dst) >= cap) {
			(*dropped)++;
			continue;
		}
		json_array_append(dst, v);
	}
}

/* Items of arr whose members named in keys[] equal those of v. */
static json_t *arr_find_keys(const json_t *arr, const json_t *v, const char *const *keys)
{
	size_t i, k;
	json_t *x;

	json_array_foreach(arr, i, x) {
		for (k = 0; keys[k]; k++) {
			const json_t *a = json_object_get(x, keys[k]), *b = json_object_get(v, keys[k]);

			if (!(a == NULL && b == NULL) && !(a && b && json_equal(a, b)))
				break;
		}
		if (!keys[k])
			return x;
	}
	return NULL;
}

/* The names of the sensors in a "sensors" list of strings: union. */
static void sensors_union(json_t *dst, const json_t *src)
{
	uint64_t dropped = 0;

	union_equal(arr_of(dst, "sensors"), json_object_get(src, "sensors"), MERGE_MAX_SENSORS,
		    &dropped);
}

/* Keyed union of record lists: a record already there is merged by fn
 * (NULL: max counters, time span, sensors), a new one is copied. */
static void union_keyed(json_t *dst, const json_t *src, const char *const *keys, size_t cap,
			uint64_t *dropped, void (*fn)(json_t *, const json_t *))
{
	size_t i;
	json_t *v;

	if (!json_is_array(src))
		return;
	json_array_foreach(src, i, v) {
		json_t *d = arr_find_keys(dst, v, keys);

		if (!json_is_object(v))
			continue;
		if (d) {
			if (fn) {
				fn(d, v);
			} else {
				max_all(d, v);
				ts_span(d, v);
				if (json_object_get(v, "sensors"))
					sensors_union(d, v);
			}
			continue;
		}
		if (json_array_size(dst) >= cap) {
			(*dropped)++;
			continue;
		}
		json_array_append_new(dst, json_deep_copy(v));
	}
}

/* ---- assets ---- */

static void ip_merge(json_t *d, const json_t *s)
{
	uint64_t dropped = 0;
	json_t *hs = json_object_get(s, "hops"), *hd = json_object_get(d, "hops");

	ts_span(d, s);
	max_int(d, s, "packets_sent");
	max_int(d, s, "packets_received");
	max_int(d, s, "bytes_sent");
	max_int(d, s, "bytes_received");
	union_equal(arr_of(d, "ot_client"), json_object_get(s, "ot_client"), OT_PROTO_COUNT, &dropped);
	union_equal(arr_of(d, "ot_server"), json_object_get(s, "ot_server"), OT_PROTO_COUNT, &dropped);
	or_bool(d, s, "external");
	if (json_is_integer(hs) && (!json_is_integer(hd) ||
				    json_integer_value(hs) < json_integer_value(hd)))
		json_object_set_new(d, "hops", json_integer(json_integer_value(hs)));
	if (!json_object_get(d, "previous_mac") && json_object_get(s, "previous_mac"))
		json_object_set(d, "previous_mac", json_object_get(s, "previous_mac"));
	if (!json_object_get(d, "geo") && json_object_get(s, "geo"))
		json_object_set(d, "geo", json_object_get(s, "geo"));
}

/* The per-sensor entries one input contributes for an asset (or edge):
 * its own "sensors" list when it is a merged document, else one entry. */
static json_t *contributions(const json_t *rec, const char *sensor, int asset)
{
	json_t *c = json_object_get(rec, "sensors"), *e, *out;
	static const char *const copy[] = {
		"first_seen", "last_seen", "packets_sent", "packets_received", "bytes_sent",
		"bytes_received", "packets_to_server", "packets_to_client", "bytes_to_server",
		"bytes_to_client", "role", "role_label", "role_reasons", NULL
	};
	size_t k;

	if (json_is_array(c) && json_array_size(c) && json_is_object(json_array_get(c, 0)))
		return json_deep_copy(c);
	e = json_object();
	json_object_set_new(e, "sensor", json_string(sensor));
	if (asset)
		json_object_set(e, "id", json_object_get(rec, "id"));
	for (k = 0; copy[k]; k++)
		if (json_object_get(rec, copy[k]))
			json_object_set(e, copy[k], json_object_get(rec, copy[k]));
	out = json_array();
	json_array_append_new(out, e);
	return out;
}

static uint64_t entry_packets(const json_t *e)
{
	return (uint64_t)(jint(e, "packets_sent") + jint(e, "packets_received") +
			  jint(e, "packets_to_server") + jint(e, "packets_to_client"));
}

/* Add the entries to the record's per-sensor list; one entry per sensor
 * name (the same sensor in two files: spans and counters reconciled). */
static void sensor_entries_add(json_t *rec, json_t *entries, uint64_t *dropped)
{
	json_t *list = arr_of(rec, "sensors"), *e;
	static const char *const key[] = { "sensor", NULL };
	size_t i;

	json_array_foreach(entries, i, e) {
		json_t *d;

		if (!jstr(e, "sensor"))
			continue;
		d = arr_find_keys(list, e, key);
		if (d) {
			if (entry_packets(e) > entry_packets(d)) {
				static const char *const role[] = { "role", "role_label", "role_reasons", "id" };
				size_t r;

				for (r = 0; r < 4; r++)
					if (json_object_get(e, role[r]))
						json_object_set(d, role[r], json_object_get(e, role[r]));
			}
			max_all(d, e);
			ts_span(d, e);
		} else if (json_array_size(list) >= MERGE_MAX_SENSORS) {
			(*dropped)++;
		} else {
			json_array_append(list, e);
		}
	}
	json_decref(entries);
}

/* Facts of a plain document carry no "sensors" list: they are this
 * input's (a merged document's facts have theirs already). */
static void identity_tag(json_t *facts, const char *sensor)
{
	size_t i;
	json_t *f;

	json_array_foreach(facts, i, f)
		if (json_is_object(f) && !json_is_array(json_object_get(f, "sensors"))) {
			json_t *s = json_array();

			json_array_append_new(s, json_string(sensor));
			json_object_set_new(f, "sensors", s);
		}
}

/* A new site asset from an input's record. */
static json_t *asset_new(struct merge *m, const json_t *a, const char *sensor)
{
	json_t *s = json_deep_copy(a);
	static const char *const drop[] = {
		"sensors", "role_conflict", "identity_conflicts", NULL
	};
	size_t k;

	for (k = 0; drop[k]; k++)
		json_object_del(s, drop[k]);
	json_object_set_new(s, "id", json_integer((json_int_t)++m->next_id));
	identity_tag(json_object_get(s, "identity"), sensor);
	sensor_entries_add(s, contributions(a, sensor, 1), &m->st->list_overflow);
	return s;
}

static void asset_merge(struct merge *m, json_t *s, const json_t *a, const char *sensor)
{
	static const char *const k_ip[] = { "ip", NULL };
	static const char *const k_svc[] = { "proto", "transport", "port", NULL };
	static const char *const k_fact[] = { "key", "proto", "value", NULL };
	uint64_t *ovf = &m->st->list_overflow;
	json_t *facts, *ps, *pd;
	static const char *const sides[] = { "client", "server" };
	size_t k;

	sensor_entries_add(s, contributions(a, sensor, 1), ovf);
	ts_span(s, a);
	max_int(s, a, "packets_sent");
	max_int(s, a, "packets_received");
	max_int(s, a, "bytes_sent");
	max_int(s, a, "bytes_received");
	max_int(s, a, "overflow");
	or_bool(s, a, "external");
	if (!json_object_get(s, "vendor") && json_object_get(a, "vendor"))
		json_object_set(s, "vendor", json_object_get(a, "vendor"));
	if (!json_object_get(s, "mac") && json_object_get(a, "mac")) {
		json_object_set(s, "mac", json_object_get(a, "mac"));
		if (json_object_get(a, "mac_local"))
			json_object_set(s, "mac_local", json_object_get(a, "mac_local"));
	}
	union_keyed(arr_of(s, "ips"), json_object_get(a, "ips"), k_ip, INV_MAX_IPS_PER_ASSET,
		    ovf, ip_merge);
	union_equal(arr_of(s, "vlans"), json_object_get(a, "vlans"), INV_MAX_VLANS, ovf);
	ps = json_object_get(a, "protocols");
	pd = json_object_get(s, "protocols");
	if (!json_is_object(pd)) {
		pd = json_object();
		json_object_set_new(s, "protocols", pd);
	}
	for (k = 0; k < 2; k++)
		union_keyed(arr_of(pd, sides[k]), json_object_get(ps, sides[k]), k_svc,
			    INV_MAX_PROTOS, ovf, NULL);
	union_equal(arr_of(s, "app_labels"), json_object_get(a, "app_labels"), INV_MAX_LABELS, ovf);
	union_equal(arr_of(s, "ot_addresses"), json_object_get(a, "ot_addresses"), INV_MAX_ADDRS, ovf);
	facts = json_deep_copy(json_object_get(a, "identity"));
	if (json_is_array(facts)) {
		identity_tag(facts, sensor);
		union_keyed(arr_of(s, "identity"), facts, k_fact, INV_MAX_FACTS, ovf, NULL);
	}
	json_decref(facts);
	if (json_is_object(json_object_get(a, "ot"))) {
		if (!json_is_object(json_object_get(s, "ot")))
			json_object_set_new(s, "ot", json_object());
		max_all(json_object_get(s, "ot"), json_object_get(a, "ot"));
	}
}

static int is_router(const json_t *a)
{
	const char *r = jstr(a, "role");

	return r && strcmp(r, "router") == 0;
}

/*
 * Walk the record's "ip|vlan" keys (no VLAN: VLAN 0).  With ix >= 0 each
 * key not yet indexed is indexed to ix (routers excepted: the addresses
 * behind a router are not the router) and -1 is returned; with ix < 0 the
 * first key found gives its site asset, else -1.
 */
static long ip_keys(struct merge *m, const json_t *a, long ix)
{
	json_t *vl = json_object_get(a, "vlans"), *ip, *hit;
	size_t i, k, nv = json_array_size(vl);
	char key[96];

	if (ix >= 0 && is_router(a))
		return -1;
	json_array_foreach(json_object_get(a, "ips"), i, ip) {
		const char *s = jstr(ip, "ip");

		if (!s)
			continue;
		for (k = 0; k < (nv ? nv : 1); k++) {
			snprintf(key, sizeof(key), "%s|%lld", s,
				 nv ? (long long)json_integer_value(json_array_get(vl, k)) : 0LL);
			hit = json_object_get(m->by_ip, key);
			if (ix < 0 && hit)
				return (long)json_integer_value(hit);
			if (ix >= 0 && !hit)
				json_object_set_new(m->by_ip, key, json_integer((json_int_t)ix));
		}
	}
	return -1;
}

static int mac_keyed(const json_t *a)
{
	const char *k = jstr(a, "key");

	return jstr(a, "mac") && (!k || strcmp(k, "mac") == 0);
}

/* One input's asset into the site: matched, merged or added. */
static void asset_take(struct merge *m, size_t in, const json_t *a, const char *sensor)
{
	char idkey[32];
	long ix = -1;
	json_t *hit, *s;

	if (mac_keyed(a)) {
		if ((hit = json_object_get(m->by_mac, jstr(a, "mac"))))
			ix = (long)json_integer_value(hit);
	} else {
		ix = ip_keys(m, a, -1);
	}
	if (ix >= 0) {
		s = json_array_get(m->assets, (size_t)ix);
		asset_merge(m, s, a, sensor);
		m->st->assets_matched++;
	} else {
		if (json_array_size(m->assets) >= m->cfg->max_assets) {
			m->st->assets_dropped++;
			return;
		}
		s = asset_new(m, a, sensor);
		ix = (long)json_array_size(m->assets);
		json_array_append_new(m->assets, s);
		if (mac_keyed(a))
			json_object_set_new(m->by_mac, jstr(a, "mac"), json_integer(ix));
	}
	ip_keys(m, s, ix);
	snprintf(idkey, sizeof(idkey), "%lld", (long long)jint(a, "id"));
	json_object_set_new(m->idmap[in], idkey, json_integer(jint(s, "id")));
}

/* Role: the one of the sensor that saw the asset most, among the sensors
 * that gave it one; every other role is kept in role_conflict. */
static void role_reconcile(struct merge *m, json_t *s)
{
	json_t *list = json_object_get(s, "sensors"), *e, *best = NULL, *roles = json_object();
	size_t i;
	const char *r;
	json_t *names;

	json_array_foreach(list, i, e) {
		r = jstr(e, "role");
		if (!r || strcmp(r, "unknown") == 0)
			continue;
		if (!best || entry_packets(e) > entry_packets(best))
			best = e;
		if (!(names = json_object_get(roles, r))) {
			names = json_array();
			json_object_set_new(roles, r, names);
		}
		json_array_append(names, json_object_get(e, "sensor"));
	}
	if (best) {
		json_object_set(s, "role", json_object_get(best, "role"));
		if (json_object_get(best, "role_label"))
			json_object_set(s, "role_label", json_object_get(best, "role_label"));
		if (json_object_get(best, "role_reasons"))
			json_object_set(s, "role_reasons", json_object_get(best, "role_reasons"));
	}
	json_object_del(s, "role_conflict");
	if (json_object_size(roles) > 1) {
		json_t *c = json_array();

		json_object_foreach(roles, r, names) {
			json_t *x = json_object();

			json_object_set_new(x, "role", json_string(r));
			json_object_set(x, "sensors", names);
			json_array_append_new(c, x);
		}
		json_object_set_new(s, "role_conflict", c);
		m->st->role_conflicts++;
	}
	json_decref(roles);
}

/* Identity: for each (key, protocol), each sensor's latest value; where
 * sensors' latest values differ, an identity_conflicts entry. */
static void identity_reconcile(struct merge *m, json_t *s, inv_merge_conflict_fn fn, void *ud)
{
	json_t *facts = json_object_get(s, "identity"), *f, *groups = json_object(), *g, *out;
	const char *gk;
	size_t i, j;
	char key[128];

	json_array_foreach(facts, i, f) {
		json_t *sn;

		snprintf(key, sizeof(key), "%s|%s", jstr(f, "key") ? jstr(f, "key") : "",
			 jstr(f, "proto") ? jstr(f, "proto") : "");
		if (!(g = json_object_get(groups, key))) {
			g = json_object();      /* sensor -> latest fact */
			json_object_set_new(groups, key, g);
		}
		json_array_foreach(json_object_get(f, "sensors"), j, sn) {
			const char *name = json_string_value(sn);
			json_t *cur;

			if (!name)
				continue;
			cur = json_object_get(g, name);
			if (!cur || (jstr(f, "last_seen") && jstr(cur, "last_seen") &&
				     strcmp(jstr(f, "last_seen"), jstr(cur, "last_seen")) > 0))
				json_object_set(g, name, f);
		}
	}
	out = json_array();
	json_object_foreach(groups, gk, g) {
		json_t *vals = json_array(), *cur, *c;
		const char *sensor;

		json_object_foreach(g, sensor, cur) {
			json_t *v = NULL;
			size_t k;

			json_array_foreach(vals, k, v)
				if (json_equal(json_object_get(v, "value"), json_object_get(cur, "value")))
					break;
			if (k == json_array_size(vals)) {
				v = json_object();
				json_object_set(v, "value", json_object_get(cur, "value"));
				json_object_set_new(v, "sensors", json_array());
				json_object_set(v, "last_seen", json_object_get(cur, "last_seen"));
				json_array_append_new(vals, v);
			}
			json_array_append_new(json_object_get(v, "sensors"), json_string(sensor));
			ts_pick(v, cur, "last_seen", 1);
		}
		if (json_array_size(vals) > 1) {
			cur = json_object_iter_value(json_object_iter(g));
			c = json_object();
			json_object_set(c, "key", json_object_get(cur, "key"));
			json_object_set(c, "proto", json_object_get(cur, "proto"));
			json_object_set(c, "values", vals);
			json_array_append_new(out, c);
			m->st->identity_conflicts++;
			if (fn)
				fn(ud, s, c);
		}
		json_decref(vals);
	}
	json_object_del(s, "identity_conflicts");
	if (json_array_size(out))
		json_object_set(s, "identity_conflicts", out);
	json_decref(out);
	json_decref(groups);
}

/* ---- edges ---- */

static void op_merge(json_t *d, const json_t *s)
{
	max_all(d, s);
	ts_span(d, s);
}

static void recur_merge(json_t *d, const json_t *s)
{
	/* one period model: the one with more requests behind it */
	if (jint(s, "requests") > jint(d, "requests")) {
		const char *k;
		json_t *v;

		json_object_foreach((json_t *)s, k, v)
			json_object_set(d, k, v);
	}
}

static json_int_t map_id(struct merge *m, size_t in, json_int_t id)
{
	char key[32];
	json_t *hit;

	snprintf(key, sizeof(key), "%lld", (long long)id);
	if ((hit = json_object_get(m->idmap[in], key)))
		return json_integer_value(hit);
	/* an end whose asset the sensor had evicted: an id of its own, drawn
	 * as an evicted asset */
	m->st->edge_ends_unknown++;
	json_object_set_new(m->idmap[in], key, json_integer((json_int_t)++m->next_id));
	return (json_int_t)m->next_id;
}

static void edge_take(struct merge *m, size_t in, const json_t *e, const char *sensor)
{
	static const char *const k_op[] = { "func", "group", "subfunc", "name", NULL };
	static const char *const k_rec[] = {
		"func", "group", "subfunc", "space", "block", "start", "count", NULL
	};
	json_int_t c = map_id(m, in, jint(e, "client")), sv = map_id(m, in, jint(e, "server"));
	uint64_t *ovf = &m->st->list_overflow;
	char key[160];
	json_t *hit, *d;

	snprintf(key, sizeof(key), "%lld|%lld|%s|%lld", (long long)c, (long long)sv,
		 jstr(e, "transport") ? jstr(e, "transport") : "", (long long)jint(e, "port"));
	if (!(hit = json_object_get(m->by_edge, key))) {
		if (json_array_size(m->edges) >= m->cfg->max_edges) {
			m->st->edges_dropped++;
			return;
		}
		d = json_deep_copy(e);
		json_object_del(d, "sensors");
		json_object_set_new(d, "id", json_integer((json_int_t)++m->next_edge_id));
		json_object_set_new(d, "client", json_integer(c));
		json_object_set_new(d, "server", json_integer(sv));
		json_object_set_new(m->by_edge, key, json_integer((json_int_t)json_array_size(m->edges)));
		json_array_append_new(m->edges, d);
		sensor_entries_add(d, contributions(e, sensor, 0), ovf);
		return;
	}
	d = json_array_get(m->edges, (size_t)json_integer_value(hit));
	m->st->edges_matched++;
	sensor_entries_add(d, contributions(e, sensor, 0), ovf);
	/* an OT label wins over an application or transport one */
	if (json_is_true(json_object_get(e, "ot")) && !json_is_true(json_object_get(d, "ot"))) {
		json_object_set(d, "proto", json_object_get(e, "proto"));
		json_object_set_new(d, "ot", json_true());
	}
	ts_span(d, e);
	max_int(d, e, "packets_to_server");
	max_int(d, e, "packets_to_client");
	max_int(d, e, "bytes_to_server");
	max_int(d, e, "bytes_to_client");
	max_int(d, e, "flows");
	max_int(d, e, "errors");
	max_int(d, e, "anomalies");
	or_bool(d, e, "notable");
	union_keyed(arr_of(d, "operations"), json_object_get(e, "operations"), k_op,
		    GRAPH_MAX_OPS, ovf, op_merge);
	union_equal(arr_of(d, "ranges"), json_object_get(e, "ranges"), GRAPH_MAX_RANGES, ovf);
	union_keyed(arr_of(d, "recurring"), json_object_get(e, "recurring"), k_rec,
		    GRAPH_MAX_RECUR, ovf, recur_merge);
}

/* ---- the documents ---- */

int inventory_doc_check(const json_t *doc, char *err, size_t errlen)
{
	const char *f = jstr(doc, "format");
	json_t *assets = json_object_get(doc, "assets"), *edges = json_object_get(doc, "edges"), *a;
	size_t i;

	if (!json_is_object(doc) || !f || strcmp(f, INVENTORY_FORMAT) != 0) {
		snprintf(err, errlen, "not an otsentry inventory (no \"format\": \"%s\")",
			 INVENTORY_FORMAT);
		return -1;
	}
	if (jint(doc, "version") != INVENTORY_VERSION) {
		snprintf(err, errlen, "inventory version %lld, this otsentry reads version %d",
			 (long long)jint(doc, "version"), INVENTORY_VERSION);
		return -1;
	}
	if (!json_is_array(assets) || !json_is_array(edges)) {
		snprintf(err, errlen, "no \"assets\" or \"edges\" array");
		return -1;
	}
	json_array_foreach(assets, i, a) {
		if (!json_is_object(a) || !json_is_integer(json_object_get(a, "id")) ||
		    jint(a, "id") <= 0 || !json_is_array(json_object_get(a, "ips"))) {
			snprintf(err, errlen, "asset %zu: no positive \"id\" or no \"ips\" array", i);
			return -1;
		}
		if (!mac_keyed(a) && json_array_size(json_object_get(a, "ips")) == 0) {
			snprintf(err, errlen, "asset %zu: neither a MAC key nor an address", i);
			return -1;
		}
	}
	json_array_foreach(edges, i, a)
		if (!json_is_object(a) || !json_is_integer(json_object_get(a, "client")) ||
		    !json_is_integer(json_object_get(a, "server"))) {
			snprintf(err, errlen, "edge %zu: no \"client\" or \"server\" id", i);
			return -1;
		}
	return 0;
}

static void merge_free(struct merge *m, size_t n)
{
	size_t i;

	json_decref(m->assets);
	json_decref(m->by_mac);
	json_decref(m->by_ip);
	json_decref(m->edges);
	json_decref(m->by_edge);
	for (i = 0; m->idmap && i < n; i++)
		json_decref(m->idmap[i]);
	free(m->idmap);
}

json_t *inventory_merge(const struct inv_merge_input *in, size_t n,
			const struct inv_merge_config *cfg, inv_merge_conflict_fn fn, void *ud,
			struct inv_merge_stats *st, const char *sensor_name)
{
	struct merge m;
	json_t *doc, *sensors, *a;
	size_t i, j, pass;
	struct timeval now;
	char buf[64];

	memset(&m, 0, sizeof(m));
	memset(st, 0, sizeof(*st));
	m.cfg = cfg;
	m.st = st;
	m.assets = json_array();
	m.by_mac = json_object();
	m.by_ip = json_object();
	m.edges = json_array();
	m.by_edge = json_object();
	m.idmap = calloc(n ? n : 1, sizeof(*m.idmap));
	doc = json_object();
	sensors = json_array();
	if (!m.assets || !m.by_mac || !m.by_ip || !m.edges || !m.by_edge || !m.idmap || !doc ||
	    !sensors) {
		merge_free(&m, 0);
		json_decref(doc);
		json_decref(sensors);
		return NULL;
	}
	for (i = 0; i < n; i++)
		m.idmap[i] = json_object();
	st->inputs = n;
	/* MAC-keyed assets of every input first, then the IP-keyed ones */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++)
			json_array_foreach(json_object_get(in[i].doc, "assets"), j, a) {
				if (mac_keyed(a) != (pass == 0))
					continue;
				st->assets_in++;
				asset_take(&m, i, a, in[i].name);
			}
	for (i = 0; i < n; i++)
		json_array_foreach(json_object_get(in[i].doc, "edges"), j, a) {
			st->edges_in++;
			edge_take(&m, i, a, in[i].name);
		}
	json_array_foreach(m.assets, j, a) {
		role_reconcile(&m, a);
		identity_reconcile(&m, a, fn, ud);
	}
	st->assets = json_array_size(m.assets);
	st->edges = json_array_size(m.edges);

	gettimeofday(&now, NULL);
	json_object_set_new(doc, "format", json_string(INVENTORY_FORMAT));
	json_object_set_new(doc, "version", json_integer(INVENTORY_VERSION));
	json_object_set_new(doc, "generator", json_string(PACKAGE_STRING));
	json_object_set_new(doc, "generated", json_string(eve_timestamp(&now, buf, sizeof(buf))));
	if (sensor_name)
		json_object_set_new(doc, "sensor", json_string(sensor_name));
	for (i = 0; i < n; i++) {
		json_t *x = json_object();

		json_object_set_new(x, "sensor", json_string(in[i].name));
		if (in[i].file)
			json_object_set_new(x, "file", json_string(in[i].file));
		if (jstr(in[i].doc, "generated"))
			json_object_set(x, "generated", json_object_get(in[i].doc, "generated"));
		json_object_set(x, "first_seen", json_object_get(in[i].doc, "first_seen"));
		json_object_set(x, "last_seen", json_object_get(in[i].doc, "last_seen"));
		json_object_set_new(x, "assets", json_integer((json_int_t)json_array_size(
						json_object_get(in[i].doc, "assets"))));
		json_object_set_new(x, "edges", json_integer((json_int_t)json_array_size(
						json_object_get(in[i].doc, "edges"))));
		json_array_append_new(sensors, x);
		ts_span(doc, in[i].doc);
	}
	json_object_set_new(doc, "stats", inventory_merge_stats_json(st, cfg));
	json_object_set_new(doc, "sensors", sensors);
	json_object_set(doc, "assets", m.assets);
	json_object_set(doc, "edges", m.edges);
	merge_free(&m, n);
	return doc;
}

json_t *inventory_merge_stats_json(const struct inv_merge_stats *st,
				   const struct inv_merge_config *cfg)
{
	json_t *o = json_object();

	json_object_set_new(o, "inputs", json_integer((json_int_t)st->inputs));
	json_object_set_new(o, "assets_in", json_integer((json_int_t)st->assets_in));
	json_object_set_new(o, "assets", json_integer((json_int_t)st->assets));
	json_object_set_new(o, "assets_matched", json_integer((json_int_t)st->assets_matched));
	json_object_set_new(o, "assets_dropped", json_integer((json_int_t)st->assets_dropped));
	json_object_set_new(o, "max_assets", json_integer(cfg->max_assets));
	json_object_set_new(o, "edges_in", json_integer((json_int_t)st->edges_in));
	json_object_set_new(o, "edges", json_integer((json_int_t)st->edges));
	json_object_set_new(o, "edges_matched", json_integer((json_int_t)st->edges_matched));
	json_object_set_new(o, "edges_dropped", json_integer((json_int_t)st->edges_dropped));
	json_object_set_new(o, "max_edges", json_integer(cfg->max_edges));
	json_object_set_new(o, "edge_ends_unknown", json_integer((json_int_t)st->edge_ends_unknown));
	json_object_set_new(o, "role_conflicts", json_integer((json_int_t)st->role_conflicts));
	json_object_set_new(o, "identity_conflicts", json_integer((json_int_t)st->identity_conflicts));
	json_object_set_new(o, "list_overflow", json_integer((json_int_t)st->list_overflow));
	return o;
}
