/*
 * wiring.c - options to module configurations; modules to the sensor
 * (see wiring.h).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "alert.h"
#include "baseline.h"
#include "dissector.h"
#include "geo.h"
#include "inventory.h"
#include "oui.h"
#include "report_html.h"
#include "rules.h"
#include "sensor.h"
#include "wiring.h"
#include "flow.h"
#include "graph.h"

void wiring_flow_config(const struct ots_options *o, struct flow_config *cfg)
{
	ots_flow_config_default(cfg);
	cfg->max_flows = o->max_flows;
	cfg->idle_timeout = o->flow_timeout;
	cfg->tcp_idle_timeout = o->tcp_timeout;
	cfg->max_ooo_total = o->max_ooo_bytes;
	cfg->ndpi_enable = !o->no_ndpi;
	/* detail JSON: only the protocol logs write it (rules match on the
	 * normalized event fields) */
	cfg->want_detail = (o->log_protocols & ((1u << OT_PROTO_COUNT) - 2u)) != 0;
}

struct inventory *inventory_attach(struct sensor *s, const struct ots_options *o,
				   char *err, size_t errlen)
{
	struct inventory_config cfg;
	struct inventory_outputs out;
	struct oui_db *oui = NULL;
	struct geo *geo;
	struct inventory *inv;
	int i;

	for (i = 0; i < o->n_graph_files; i++)
		if (!inventory_graph_path_ok(o->graph_files[i])) {
			snprintf(err, errlen, "--graph %s: the name must end in .dot, .gv or .graphml",
				 o->graph_files[i]);
			return NULL;
		}
	if (o->oui_file && o->oui_file[0]) {
		oui = oui_load(o->oui_file, 1, err, errlen);
		if (!oui && strcmp(o->oui_file, OTS_OUI_FILE) != 0)
			return NULL;    /* an explicit --oui-file must work */
		if (!oui)
			fprintf(stderr, "otsentry: warning: %s; MAC vendors unknown\n", err);
	}
	if (!(geo = geo_open(o->geoip, o->n_geoip, err, errlen))) {
		oui_free(oui);
		return NULL;
	}
	ots_inventory_config_default(&cfg);
	if (o->max_assets)
		cfg.max_assets = o->max_assets;
	if (o->max_edges)
		cfg.max_edges = o->max_edges;
	if (!(inv = inventory_new(&cfg, oui, geo, sensor_eve(s)))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memset(&out, 0, sizeof(out));
	out.inventory_file = o->inventory_file;
	for (i = 0; i < o->n_graph_files && i < 2; i++)
		out.graph_files[out.n_graph_files++] = o->graph_files[i];
	out.quiet = o->quiet;
	out.live = o->iface != NULL;
	if (inventory_observe(s, inv, &out, err, errlen) < 0) {
		inventory_free(inv);
		return NULL;
	}
	return inv;
}

int wiring_rules_attach(struct sensor *s, struct alerter *al, const struct ots_options *o)
{
	struct rules_config cfg;

	if (o->no_rules)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.paths = o->rules;
	cfg.n_paths = o->n_rules;
	cfg.vars = o->vars;
	cfg.n_vars = o->n_vars;
	cfg.warn_only = o->rules_warn_only;
	cfg.quiet = o->quiet;
	return rules_attach(s, &cfg, al);
}

void wiring_baseline_config(const struct ots_options *o, struct bl_config *cfg)
{
	ots_baseline_config_default(cfg);
	if (o->period_spread > 0)
		cfg->period_spread = o->period_spread;
	if (o->value_margin >= 0)
		cfg->value_margin = o->value_margin;
	if (o->silence_timeout > 0)
		cfg->silence_timeout = o->silence_timeout;
	if (o->max_baseline_keys)
		cfg->max_keys = o->max_baseline_keys;
	cfg->min_value_samples = cfg->min_period_samples = o->confidence_samples;
	if (o->confidence_span >= 0)
		cfg->min_span = o->confidence_span;
	cfg->it_conversations_all = o->alert_all_conversations;
}

int baseline_attach(struct sensor *s, struct alerter *al,
		    const struct ots_options *o, char *err, size_t errlen)
{
	struct baseline_run run;
	struct bl_config cfg;
	struct baseline *b;

	if (!o->learn_file && !o->baseline_file && o->learn_for <= 0)
		return 0;
	wiring_baseline_config(o, &cfg);
	if (o->baseline_file) {
		b = baseline_load(o->baseline_file, &cfg, err, errlen);
		if (!b)
			return -1;
		/* detect; with --learn also fold what is seen into the model */
		baseline_set_learning(b, o->learn_file != NULL && o->learn_for <= 0, 1);
		if (o->learn_for > 0)
			baseline_set_learning(b, 1, 0);
	} else {
		b = baseline_new(&cfg);
		if (!b) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		baseline_set_learning(b, 1, 0);
	}
	baseline_set_alerter(b, al);
	memset(&run, 0, sizeof(run));
	run.learn_file = o->learn_file;
	run.learn_for = o->learn_for;
	run.baseline_file = o->baseline_file;
	run.cfg = cfg;
	if (baseline_observe(s, b, al, &run, err, errlen) < 0) {
		baseline_free(b);
		return -1;
	}
	return 0;
}

/* Every raised alert, as the HTML report counts it. */
static void report_alert(void *ctx, const struct alert *a)
{
	struct report_alert ra;
	char ids[64] = "", names[160] = "";
	const json_t *x;
	size_t i;

	memset(&ra, 0, sizeof(ra));
	ra.gid = a->gid;
	ra.sid = a->sid;
	ra.signature = a->signature;
	ra.category = a->category;
	ra.severity = a->severity;
	ra.source = a->source;
	ra.ts = a->ts;
	ra.mitre_id = a->mitre_id;
	ra.mitre_name = a->mitre_name;
	if (!ra.mitre_id && a->metadata) {
		/* rules carry their techniques in the metadata */
		json_array_foreach(json_object_get(a->metadata, "mitre_technique_id"), i, x)
			if (json_is_string(x) && strlen(ids) + json_string_length(x) + 2 < sizeof(ids))
				snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s",
					 ids[0] ? "," : "", json_string_value(x));
		json_array_foreach(json_object_get(a->metadata, "mitre_technique_name"), i, x)
			if (json_is_string(x) && strlen(names) + json_string_length(x) + 2 < sizeof(names))
				snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
					 names[0] ? ", " : "", json_string_value(x));
		ra.mitre_id = ids[0] ? ids : NULL;
		ra.mitre_name = names[0] ? names : NULL;
	}
	if (!ra.source && a->metadata)
		ra.source = json_string_value(json_object_get(a->metadata, "source"));
	if (a->flow) {
		ra.client = a->flow->cli_ip;
		ra.server = a->flow->srv_ip;
		ra.l4 = a->flow->l4;
		ra.port = a->flow->srv_port;
	}
	/* the baseline raises one of these on every message of a conversation
	 * it has not learned */
	if (a->gid == BASELINE_GID && a->flow)
		switch (a->sid - BASELINE_SID_BASE) {
		case BL_NEW_ASSET:
		case BL_NEW_EDGE:
		case BL_NEW_PROTOCOL:
		case BL_EXTERNAL_OT_PEER:
			ra.new_edge = 1;
			break;
		default:
			break;
		}
	report_html_alert(ctx, &ra);
}

int report_attach(struct sensor *s, struct inventory *inv, struct alerter *al,
		  const struct ots_options *o, char *err, size_t errlen)
{
	struct report_html_run run;
	struct report_html *r;

	if (!o->report_file)
		return 0;
	memset(&run, 0, sizeof(run));
	run.inputs = o->inputs;
	run.n_inputs = o->n_inputs;
	run.iface = o->iface;
	run.bpf = o->bpf;
	run.learn_file = o->learn_file;
	run.baseline_file = o->baseline_file;
	run.no_rules = o->no_rules;
	if (!(r = report_html_new(inv, s, &run))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (report_html_observe(s, r, o->report_file, err, errlen) < 0) {
		report_html_free(r);
		return -1;
	}
	alerter_set_observer(al, report_alert, r);
	return 0;
}

/* ---- --memcap ---- */

static uint64_t share(uint64_t cap, unsigned percent, uint64_t each)
{
	uint64_t n = cap / 100 * percent / (each ? each : 1);

	return n ? n : 1;
}

/* The largest state a dissector allocates for a flow it claims, measured
 * by the allocator at startup (with the default limits). */
static size_t dissector_state_bytes(void)
{
	const struct dissector *const *l;
	struct ot_limits lim;
	size_t n, i, max = 0;

	ots_limits_default(&lim);
	l = dissector_list(&n);
	for (i = 0; i < n; i++) {
		struct mallinfo2 before, after;
		void *st;

		if (!l[i]->state_new)
			continue;
		before = mallinfo2();
		st = l[i]->state_new(&lim);
		after = mallinfo2();
		if (after.uordblks > before.uordblks && after.uordblks - before.uordblks > max)
			max = after.uordblks - before.uordblks;
		if (st && l[i]->state_free)
			l[i]->state_free(st);
	}
	return max;
}

size_t wiring_flow_bytes(void)
{
	return flow_table_flow_bytes() + dissector_state_bytes();
}

void wiring_memcap(struct ots_options *o)
{
	uint64_t n;

	if (!o->memcap)
		return;
	o->memcap_flow_bytes = wiring_flow_bytes();
	n = share(o->memcap, 40, o->memcap_flow_bytes);
	if (n < o->max_flows)
		o->max_flows = (uint32_t)n;
	n = o->memcap / 100 * 20;
	if (n < o->max_ooo_bytes)
		o->max_ooo_bytes = n;
	n = share(o->memcap, 10, inventory_asset_bytes());
	if (n < o->max_assets)
		o->max_assets = (uint32_t)(n < 2 ? 2 : n);
	n = share(o->memcap, 10, graph_edge_bytes());
	if (n < o->max_edges)
		o->max_edges = (uint32_t)n;
}

static uint64_t stat_at(json_t *st, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(json_object_get(st, a), b);

	if (c)
		v = json_object_get(v, c);
	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

/* Runs last: the counters of the other modules are in st already. */
static void memory_stats(void *ctx, json_t *st)
{
	const struct ots_options *o = ctx;
	json_t *m = json_object(), *caps = json_object();
	uint64_t flows = stat_at(st, "flow", "active", NULL) * o->memcap_flow_bytes;
	uint64_t reasm = stat_at(st, "reassembly", "memuse", NULL);
	uint64_t frags = stat_at(st, "decoder", "ipv4_frag", "bytes") +
			 stat_at(st, "decoder", "ipv6_frag", "bytes");
	uint64_t assets = stat_at(st, "inventory", "assets", NULL) * inventory_asset_bytes();
	uint64_t edges = stat_at(st, "inventory", "edges", NULL) * graph_edge_bytes();

	json_object_set_new(m, "memcap", json_integer((json_int_t)o->memcap));
	json_object_set_new(m, "flows", json_integer((json_int_t)flows));
	json_object_set_new(m, "reassembly", json_integer((json_int_t)reasm));
	json_object_set_new(m, "fragments", json_integer((json_int_t)frags));
	json_object_set_new(m, "assets", json_integer((json_int_t)assets));
	json_object_set_new(m, "edges", json_integer((json_int_t)edges));
	json_object_set_new(m, "total", json_integer((json_int_t)(flows + reasm + frags + assets + edges)));
	json_object_set_new(caps, "max_flows", json_integer((json_int_t)o->max_flows));
	json_object_set_new(caps, "max_reassembly_bytes", json_integer((json_int_t)o->max_ooo_bytes));
	json_object_set_new(caps, "max_assets", json_integer((json_int_t)o->max_assets));
	json_object_set_new(caps, "max_edges", json_integer((json_int_t)o->max_edges));
	json_object_set_new(caps, "flow_bytes", json_integer((json_int_t)o->memcap_flow_bytes));
	json_object_set_new(m, "caps", caps);
	json_object_set_new(st, "memory", m);
}

int memory_attach(struct sensor *s, const struct ots_options *o)
{
	struct sensor_observer ob = { .name = "memory", .ctx = (void *)o, .on_stats = memory_stats };

	if (!o->memcap)
		return 0;
	return sensor_add_observer(s, &ob);
}
