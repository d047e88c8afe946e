/*
 * protolog.c - protocol and anomaly lines (see protolog.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dissector.h"
#include "event.h"
#include "jw.h"
#include "eve.h"
#include "protolog.h"
#include "sensor.h"

struct protolog {
	struct eve *eve;
	unsigned protocols;
	int anomalies;
	uint64_t messages[OT_PROTO_COUNT];
	uint64_t anomaly_lines;
	uint64_t anomalies_suppressed;  /* over the per-second cap */
	uint64_t no_detail;             /* messages without a record to log */
	time_t anomaly_second;          /* packet-time second being counted */
	uint32_t anomaly_in_second;
	const struct dissector *dissectors[OT_PROTO_COUNT];
};

/* Anomaly lines per second of packet time: crafted or broken traffic can
 * make one anomaly every few bytes; past the cap they are only counted. */
#define PROTOLOG_MAX_ANOMALIES_PER_SECOND 200

static void write_message(struct protolog *pl, const struct ot_event *ev)
{
	const char *name = ot_proto_name(ev->proto);
	const struct dissector *d = pl->dissectors[ev->proto];
	struct jw *w;

	if (!d || !d->log || !ev->record) {
		pl->no_detail++;
		return;
	}
	w = eve_line_begin(pl->eve, name, &ev->ts, ev->flow, ev->from_client);
	jw_object_open_name(w, name);
	d->log(w, ev);
	pl->messages[ev->proto]++;
	eve_line_end(pl->eve, w);
}

static void write_anomaly(struct protolog *pl, const struct ot_event *ev)
{
	struct jw *w;

	if (ev->ts.tv_sec != pl->anomaly_second) {
		pl->anomaly_second = ev->ts.tv_sec;
		pl->anomaly_in_second = 0;
	}
	if (++pl->anomaly_in_second > PROTOLOG_MAX_ANOMALIES_PER_SECOND) {
		pl->anomalies_suppressed++;
		return;
	}
	w = eve_line_begin(pl->eve, "anomaly", &ev->ts, ev->flow, ev->from_client);
	jw_object_open(w, "anomaly");
	eve_anomaly(w, ev);
	pl->anomaly_lines++;
	eve_line_end(pl->eve, w);
}

static void protolog_event(void *ctx, const struct ot_event *ev)
{
	struct protolog *pl = ctx;

	if ((unsigned)ev->proto >= OT_PROTO_COUNT)
		return;
	if (ev->kind == OT_EV_MESSAGE) {
		if (pl->protocols & (1u << ev->proto))
			write_message(pl, ev);
	} else if (ev->kind == OT_EV_ANOMALY) {
		if (pl->anomalies)
			write_anomaly(pl, ev);
	}
}

static void protolog_stats(void *ctx, json_t *stats)
{
	const struct protolog *pl = ctx;
	json_t *o = json_object();
	int i;

	for (i = 1; i < OT_PROTO_COUNT; i++)
		json_object_set_new(o, ot_proto_name((enum ot_proto)i),
				    json_integer((json_int_t)pl->messages[i]));
	json_object_set_new(o, "anomaly", json_integer((json_int_t)pl->anomaly_lines));
	json_object_set_new(o, "anomaly_suppressed", json_integer((json_int_t)pl->anomalies_suppressed));
	json_object_set_new(o, "no_detail", json_integer((json_int_t)pl->no_detail));
	json_object_set_new(stats, "protolog", o);
}

static void protolog_free(void *ctx)
{
	free(ctx);
}

int protolog_attach(struct sensor *s, unsigned protocols, int anomalies)
{
	struct protolog *pl = calloc(1, sizeof(*pl));
	int i;
	struct sensor_observer o = {
		.name = "protolog",
		.on_event = protolog_event,
		.on_stats = protolog_stats,
		.on_free = protolog_free,
	};

	if (!pl)
		return -1;
	pl->eve = sensor_eve(s);
	for (i = 0; i < OT_PROTO_COUNT; i++)
		pl->dissectors[i] = dissector_by_proto((enum ot_proto)i);
	pl->protocols = protocols;
	pl->anomalies = anomalies;
	/* nothing to write (no protocol log, no anomaly log): the events
	 * need not come here at all */
	if (!protocols && !anomalies)
		o.on_event = NULL;
	o.ctx = pl;
	if (sensor_add_observer(s, &o) < 0) {
		free(pl);
		return -1;
	}
	return 0;
}
