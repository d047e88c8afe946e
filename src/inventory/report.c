/*
 * report.c - the end-of-run summary a plant engineer reads: assets by role
 * with their identity, OT conversations, notable operations and external
 * peers.  Built from the same document as --inventory (inventory_json), so
 * the two never disagree.  Each section is cut at REPORT_MAX_LINES entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"

#define REPORT_MAX_LINES 40

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static long long jint(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* The asset with this id in the id-sorted assets array, or NULL. */
static const json_t *asset_by_id(const json_t *assets, long long id)
{
	size_t lo = 0, hi = json_array_size(assets);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		long long x = jint(json_array_get(assets, mid), "id");

		if (x == id)
			return json_array_get(assets, mid);
		if (x < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* "192.168.1.10" or the MAC, or "#id" for an evicted asset. */
static const char *asset_name(const json_t *assets, long long id, char *buf, size_t len)
{
	const json_t *a = asset_by_id(assets, id);
	const json_t *ips = a ? json_object_get(a, "ips") : NULL;

	if (ips && json_array_size(ips))
		snprintf(buf, len, "%s", jstr(json_array_get(ips, 0), "ip"));
	else if (a && json_object_get(a, "mac"))
		snprintf(buf, len, "%s", jstr(a, "mac"));
	else
		snprintf(buf, len, "#%lld", id);
	return buf;
}

static void print_identity(const json_t *a, FILE *fp)
{
	const json_t *ids = json_object_get(a, "identity"), *x;
	const char *last_key = NULL;
	size_t i;
	int n = 0;

	json_array_foreach(ids, i, x) {
		const char *key = jstr(x, "key");

		/* one value per key: the latest wins (facts are in arrival order) */
		if (last_key && strcmp(last_key, key) == 0)
			continue;
		fprintf(fp, "%s%s=\"%s\"", n++ ? ", " : "      identity: ", key, jstr(x, "value"));
		last_key = key;
	}
	if (n)
		fputc('\n', fp);
}

static void print_ot_sides(const json_t *rec, FILE *fp)
{
	static const char *const sides[2] = { "ot_client", "ot_server" };
	const json_t *p;
	size_t i;
	int k, n = 0;

	for (k = 0; k < 2; k++)
		json_array_foreach(json_object_get(rec, sides[k]), i, p)
			fprintf(fp, "%s%s %s", n++ ? ", " : " (", json_string_value(p),
				k ? "server" : "client");
	if (n)
		fputc(')', fp);
}

static void print_asset(const json_t *a, FILE *fp)
{
	const json_t *ips = json_object_get(a, "ips"), *addrs = json_object_get(a, "ot_addresses");
	const json_t *reasons = json_object_get(a, "role_reasons"), *x;
	size_t i;

	fprintf(fp, "    #%lld", jint(a, "id"));
	json_array_foreach(ips, i, x) {
		if (i == 4) {
			fprintf(fp, " (+%zu more)", json_array_size(ips) - 4);
			break;
		}
		fprintf(fp, " %s", jstr(x, "ip"));
		/* several addresses (a router): say what each one spoke */
		if (json_array_size(ips) > 1)
			print_ot_sides(x, fp);
	}
	if (json_object_get(a, "mac"))
		fprintf(fp, " [%s%s%s]", jstr(a, "mac"), json_object_get(a, "vendor") ? " " : "",
			jstr(a, "vendor"));
	json_array_foreach(addrs, i, x) {
		if (json_object_get(x, "unit"))
			fprintf(fp, " %s unit %lld", jstr(x, "proto"), jint(x, "unit"));
		else if (json_object_get(x, "link_address"))
			fprintf(fp, " %s address %lld", jstr(x, "proto"), jint(x, "link_address"));
		else if (json_object_get(x, "rack"))
			fprintf(fp, " %s rack %lld slot %lld", jstr(x, "proto"), jint(x, "rack"),
				jint(x, "slot"));
		if (i == 3 && json_array_size(addrs) > 4) {
			fprintf(fp, " ...");
			break;
		}
	}
	fputc('\n', fp);
	print_identity(a, fp);
	if (json_array_size(reasons))
		fprintf(fp, "      why: %s\n", json_string_value(json_array_get(reasons, 0)));
}

static void section_roles(const json_t *assets, FILE *fp)
{
	/* the OT side first, as a plant engineer reads a network */
	static const enum inv_role order[] = {
		INV_ROLE_PLC, INV_ROLE_HMI, INV_ROLE_ENGINEERING, INV_ROLE_SCANNER,
		INV_ROLE_HISTORIAN, INV_ROLE_ROUTER, INV_ROLE_SERVER, INV_ROLE_IT_HOST,
		INV_ROLE_UNKNOWN,
	};
	size_t r;

	fputs("  Assets by role:\n", fp);
	for (r = 0; r < sizeof(order) / sizeof(order[0]); r++) {
		const char *name = inventory_role_name(order[r]);
		const json_t *a;
		size_t i, n = 0, shown = 0;

		json_array_foreach(assets, i, a)
			if (strcmp(jstr(a, "role"), name) == 0)
				n++;
		if (!n)
			continue;
		fprintf(fp, "  %s (%zu):\n", inventory_role_label(order[r]), n);
		json_array_foreach(assets, i, a) {
			if (strcmp(jstr(a, "role"), name) != 0)
				continue;
			if (shown++ == REPORT_MAX_LINES) {
				fprintf(fp, "    ... %zu more\n", n - REPORT_MAX_LINES);
				break;
			}
			print_asset(a, fp);
		}
	}
}

static long long op_count(const json_t *op)
{
	long long r = jint(op, "requests");

	return r ? r : jint(op, "responses") + jint(op, "other");
}

/* Indexes of the n busiest operations of an edge, busiest first. */
static size_t top_ops(const json_t *ops, size_t *idx, size_t n)
{
	size_t k = 0, i, j;

	for (i = 0; i < json_array_size(ops); i++) {
		long long c = op_count(json_array_get(ops, i));

		for (j = k; j > 0 && op_count(json_array_get(ops, idx[j - 1])) < c; j--)
			if (j < n)
				idx[j] = idx[j - 1];
		if (j < n) {
			idx[j] = i;
			if (k < n)
				k++;
		}
	}
	return k;
}

static void section_conversations(const json_t *assets, const json_t *edges, FILE *fp)
{
	const json_t *e;
	size_t i, n = 0;

	fputs("  OT conversations:\n", fp);
	json_array_foreach(edges, i, e) {
		const json_t *rec = json_object_get(e, "recurring"), *ops = json_object_get(e, "operations");
		const json_t *best = NULL, *x;
		char c[64], s[64];
		long long reqs = 0;
		size_t k, nt, top[3];

		if (!json_is_true(json_object_get(e, "ot")))
			continue;
		if (n++ == REPORT_MAX_LINES) {
			fputs("    ...\n", fp);
			break;
		}
		json_array_foreach(ops, k, x)
			reqs += jint(x, "requests");
		fprintf(fp, "    %s -> %s %s/%lld: %lld requests", asset_name(assets, jint(e, "client"), c, sizeof(c)),
			asset_name(assets, jint(e, "server"), s, sizeof(s)), jstr(e, "proto"),
			jint(e, "port"), reqs);
		nt = top_ops(ops, top, 3);
		for (k = 0; k < nt; k++) {
			x = json_array_get(ops, top[k]);
			fprintf(fp, "%s%s x%lld", k ? ", " : "; ",
				json_object_get(x, "name") ? jstr(x, "name") : "function", op_count(x));
		}
		if (json_array_size(ops) > nt)
			fputs(", ...", fp);
		json_array_foreach(rec, k, x)
			if (json_object_get(x, "period_mean") &&
			    (!best || jint(x, "requests") > jint(best, "requests")))
				best = x;
		if (best && jint(best, "requests") >= 3)
			fprintf(fp, "; polls every %.3f s (sd %.3f)",
				json_real_value(json_object_get(best, "period_mean")),
				json_real_value(json_object_get(best, "period_stddev")));
		if (jint(e, "errors"))
			fprintf(fp, "; %lld errors", jint(e, "errors"));
		fputc('\n', fp);
	}
	if (!n)
		fputs("    none\n", fp);
}

static void section_notable(const json_t *assets, const json_t *edges, FILE *fp)
{
	const json_t *e;
	size_t i, n = 0;

	fputs("  Notable operations (writes, controls, programming, mode changes):\n", fp);
	json_array_foreach(edges, i, e) {
		const json_t *ops = json_object_get(e, "operations"), *x;
		char c[64], s[64];
		size_t k;

		if (!json_is_true(json_object_get(e, "notable")))
			continue;
		json_array_foreach(ops, k, x) {
			const char *cat = jstr(x, "category");

			if (strcmp(cat, "write") && strcmp(cat, "control") && strcmp(cat, "program") &&
			    strcmp(cat, "mode"))
				continue;
			if (n++ == REPORT_MAX_LINES) {
				fputs("    ...\n", fp);
				return;
			}
			fprintf(fp, "    %s -> %s %s: %s (%s) x%lld\n",
				asset_name(assets, jint(e, "client"), c, sizeof(c)),
				asset_name(assets, jint(e, "server"), s, sizeof(s)), jstr(e, "proto"),
				json_object_get(x, "name") ? jstr(x, "name") : "function", cat,
				jint(x, "requests"));
		}
	}
	if (!n)
		fputs("    none\n", fp);
}

static void section_external(const json_t *assets, FILE *fp)
{
	const json_t *a, *r;
	size_t i, k, n = 0;

	fputs("  External peers:\n", fp);
	json_array_foreach(assets, i, a) {
		json_array_foreach(json_object_get(a, "ips"), k, r) {
			const json_t *geo = json_object_get(r, "geo"), *oc = json_object_get(r, "ot_client"),
				     *os = json_object_get(r, "ot_server");

			if (!json_is_true(json_object_get(r, "external")))
				continue;
			if (n++ == REPORT_MAX_LINES) {
				fputs("    ...\n", fp);
				return;
			}
			fprintf(fp, "    %s (asset #%lld, %s)", jstr(r, "ip"), jint(a, "id"), jstr(a, "role"));
			if (geo) {
				fprintf(fp, " %s", jstr(geo, "country"));
				if (json_object_get(geo, "city"))
					fprintf(fp, " %s", jstr(geo, "city"));
				if (json_object_get(geo, "asn"))
					fprintf(fp, " AS%lld %s", jint(geo, "asn"), jstr(geo, "as_org"));
			}
			if (json_array_size(oc) || json_array_size(os))
				fputs(" SPEAKS OT", fp);
			fputc('\n', fp);
		}
	}
	if (!n)
		fputs("    none\n", fp);
}

static void section_moves(const json_t *assets, FILE *fp)
{
	const json_t *a, *r;
	size_t i, k, n = 0;

	json_array_foreach(assets, i, a)
		json_array_foreach(json_object_get(a, "ips"), k, r) {
			if (!json_object_get(r, "previous_mac"))
				continue;
			if (!n++)
				fputs("  Address changes (an IP address seen behind a new MAC):\n", fp);
			if (n > REPORT_MAX_LINES) {
				fputs("    ...\n", fp);
				return;
			}
			fprintf(fp, "    %s moved from %s to %s (asset #%lld) at %s\n", jstr(r, "ip"),
				jstr(r, "previous_mac"), jstr(a, "mac"), jint(a, "id"),
				jstr(r, "first_seen"));
		}
}

void inventory_report(const struct inventory *inv, FILE *fp)
{
	json_t *doc = inventory_json(inv);
	const json_t *assets = json_object_get(doc, "assets"), *edges = json_object_get(doc, "edges");
	const json_t *st = json_object_get(doc, "stats");

	fprintf(fp, "otsentry inventory: %lld assets, %lld edges (%lld assets and %lld edges evicted)\n",
		jint(st, "assets"), jint(st, "edges"), jint(st, "assets_evicted"),
		jint(st, "edges_evicted"));
	section_roles(assets, fp);
	section_conversations(assets, edges, fp);
	section_notable(assets, edges, fp);
	section_moves(assets, fp);
	section_external(assets, fp);
	json_decref(doc);
}
