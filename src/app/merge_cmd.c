/*
 * merge_cmd.c - otsentry --merge-inventory.  See merge_cmd.h; the rules of
 * the merge are in src/inventory/merge.c and otsentry-inventory(5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "merge_cmd.h"
#include "report_html.h"

/* A sensor's name: the document's "sensor", else the file's base name
 * without ".json" (into buf). */
static const char *sensor_of(const json_t *doc, const char *path, char *buf, size_t len)
{
	const char *s = json_string_value(json_object_get(doc, "sensor"));
	const char *base = strrchr(path, '/');
	size_t n;

	if (s && s[0])
		return s;
	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	snprintf(buf, len, "%.*s", (int)n, base);
	return buf;
}

/* An identity conflict as an "asset" EVE line, stamped with the latest
 * time a conflicting value was seen. */
static void conflict_event(void *ud, const json_t *asset, const json_t *c)
{
	struct eve *eve = ud;
	struct timeval ts = { 0, 0 }, t;
	json_t *ev, *brief, *ch, *v, *ip, *ips;
	size_t i;
	static const char *const keep[] = { "id", "mac", "vendor", "role", NULL };

	json_array_foreach(json_object_get(c, "values"), i, v)
		if (eve_timestamp_parse(json_string_value(json_object_get(v, "last_seen")), &t) == 0 &&
		    timercmp(&t, &ts, >))
			ts = t;
	if (!(ev = eve_event_new("asset", &ts, NULL, 1)))
		return;
	ip = json_object_get(json_array_get(json_object_get(asset, "ips"), 0), "ip");
	if (ip)
		json_object_set(ev, "src_ip", ip);
	brief = json_object();
	for (i = 0; keep[i]; i++)
		if (json_object_get(asset, keep[i]))
			json_object_set(brief, keep[i], json_object_get(asset, keep[i]));
	ips = json_array();
	json_array_foreach(json_object_get(asset, "ips"), i, v)
		if (json_object_get(v, "ip"))
			json_array_append(ips, json_object_get(v, "ip"));
	json_object_set_new(brief, "ips", ips);
	json_object_set_new(ev, "asset", brief);
	ch = json_object();
	json_object_set_new(ch, "what", json_string("identity_conflict"));
	json_object_update(ch, (json_t *)c);
	json_object_set_new(ev, "change", ch);
	eve_write(eve, ev);
}

int merge_command(const struct ots_options *o, struct eve *eve)
{
	struct inv_merge_input *in;
	struct inv_merge_config cfg;
	struct inv_merge_stats st;
	char (*names)[128];
	json_t *site = NULL;
	char err[512];
	int i, rc = 1;

	in = calloc((size_t)o->n_merge, sizeof(*in));
	names = calloc((size_t)o->n_merge, sizeof(*names));
	if (!in || !names) {
		fputs("otsentry: out of memory\n", stderr);
		goto out;
	}
	for (i = 0; i < o->n_merge; i++) {
		json_error_t jerr;
		const char *path = o->merge_files[i];

		in[i].doc = json_load_file(path, 0, &jerr);
		if (!in[i].doc) {
			if (jerr.line > 0)
				fprintf(stderr, "otsentry: --merge-inventory %s:%d:%d: %s\n", path,
					jerr.line, jerr.column, jerr.text);
			else
				fprintf(stderr, "otsentry: --merge-inventory %s: %s\n", path, jerr.text);
			goto out;
		}
		if (inventory_doc_check(in[i].doc, err, sizeof(err)) < 0) {
			fprintf(stderr, "otsentry: --merge-inventory %s: %s\n", path, err);
			goto out;
		}
		in[i].file = path;
		in[i].name = sensor_of(in[i].doc, path, names[i], sizeof(names[i]));
	}
	cfg.max_assets = o->max_assets;
	cfg.max_edges = o->max_edges;
	site = inventory_merge(in, (size_t)o->n_merge, &cfg, conflict_event, eve, &st, eve_host(eve));
	if (!site) {
		fputs("otsentry: out of memory\n", stderr);
		goto out;
	}
	rc = 0;
	if (o->inventory_file && inventory_doc_write(site, o->inventory_file, err, sizeof(err)) < 0) {
		fprintf(stderr, "otsentry: %s\n", err);
		rc = 1;
	}
	for (i = 0; i < o->n_graph_files; i++)
		if (inventory_doc_write_graph(site, o->graph_files[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "otsentry: %s\n", err);
			rc = 1;
		}
	if (o->report_file) {
		struct report_html_run run;
		struct report_html *r;

		memset(&run, 0, sizeof(run));
		run.inputs = o->merge_files;
		run.n_inputs = o->n_merge;
		run.no_rules = 1;
		r = report_html_new_doc(site, &run);
		if (!r || report_html_write(r, o->report_file, err, sizeof(err)) < 0) {
			fprintf(stderr, "otsentry: --report: %s\n", r ? err : "out of memory");
			rc = 1;
		}
		report_html_free(r);
	}
	if (!o->quiet) {
		fprintf(stderr, "otsentry: merged %d inventories: %llu assets in, %llu site assets "
			"(%llu matched across inventories), %llu edges; %llu identity conflicts, "
			"%llu role conflicts\n", o->n_merge,
			(unsigned long long)st.assets_in, (unsigned long long)st.assets,
			(unsigned long long)st.assets_matched, (unsigned long long)st.edges,
			(unsigned long long)st.identity_conflicts,
			(unsigned long long)st.role_conflicts);
		if (st.assets_dropped || st.edges_dropped || st.list_overflow)
			fprintf(stderr, "otsentry: over the caps: %llu assets (--max-assets %u), "
				"%llu edges (--max-edges %u), %llu list items left out\n",
				(unsigned long long)st.assets_dropped, cfg.max_assets,
				(unsigned long long)st.edges_dropped, cfg.max_edges,
				(unsigned long long)st.list_overflow);
	}
	{
		uint64_t lines, werrs;

		eve_get_counts(eve, &lines, &werrs);
		if (werrs) {
			fprintf(stderr, "otsentry: %llu write errors: events were lost\n",
				(unsigned long long)werrs);
			rc = 1;
		}
	}
out:
	json_decref(site);
	for (i = 0; in && i < o->n_merge; i++)
		json_decref(in[i].doc);
	free(in);
	free(names);
	return rc;
}
