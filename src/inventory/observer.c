/*
 * observer.c - the inventory as a sensor observer: feeds the asset table,
 * writes --inventory / --graph at the end of the input and on snapshots,
 * prints the summary at the end.  See inventory.h.
 */
#include <stdio.h>
#include <string.h>

#include "inventory_int.h"
#include "sensor.h"

static void obs_packet(void *ctx, const struct pkt_meta *p, const struct flow *f, int dir)
{
	inventory_packet(ctx, p, f, dir);
}

static void obs_event(void *ctx, const struct ot_event *ev)
{
	inventory_event(ctx, ev);
}

static void obs_flow_end(void *ctx, const struct flow *f)
{
	inventory_flow_end(ctx, f);
}

static void write_outputs(struct inventory *inv)
{
	char err[512];
	int i;

	if (inv->out_file && inventory_write(inv, inv->out_file, err, sizeof(err)) < 0) {
		fprintf(stderr, "otsentry: inventory: %s\n", err);
		inv->st.write_errors++;
	}
	for (i = 0; i < inv->n_graph_files; i++)
		if (inventory_write_graph(inv, inv->graph_files[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "otsentry: graph: %s\n", err);
			inv->st.write_errors++;
		}
}

static void obs_snapshot(void *ctx, const struct timeval *now)
{
	struct inventory *inv = ctx;

	inv->st.snapshots++;
	write_outputs(inv);
}

static void obs_finish(void *ctx, const struct timeval *last)
{
	struct inventory *inv = ctx;

	write_outputs(inv);
	if (!inv->quiet && !inv->live)
		inventory_report(inv, stderr);
}

static void obs_stats(void *ctx, json_t *stats)
{
	json_object_set_new(stats, "inventory", inv_stats_json(ctx));
}

static void obs_free(void *ctx)
{
	inventory_free(ctx);
}

int inventory_observe(struct sensor *s, struct inventory *inv, const struct inventory_outputs *out,
		      char *err, size_t errlen)
{
	struct sensor_observer obs;
	int i;

	inv->out_file = out->inventory_file;
	for (i = 0; i < out->n_graph_files && i < 2; i++)
		inv->graph_files[inv->n_graph_files++] = out->graph_files[i];
	inv->quiet = out->quiet;
	inv->live = out->live;

	memset(&obs, 0, sizeof(obs));
	obs.name = "inventory";
	obs.ctx = inv;
	obs.on_packet = obs_packet;
	obs.on_event = obs_event;
	obs.on_flow_end = obs_flow_end;
	obs.on_finish = obs_finish;
	obs.on_stats = obs_stats;
	obs.on_free = obs_free;
	obs.on_snapshot = obs_snapshot;
	if (sensor_add_observer(s, &obs) < 0) {
		snprintf(err, errlen, "too many sensor observers");
		return -1;
	}
	return 0;
}
