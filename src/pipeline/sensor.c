/*
 * sensor.c - the pipeline (see sensor.h): decoder -> flow table -> observers,
 * flow events, ticks and the stats event.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

#include "applayer.h"
#include "decode.h"
#include "eve.h"
#include "jw.h"
#include "sensor.h"

struct sensor {
	struct eve *eve;
	struct decoder *dec;
	struct flow_table *ft;
	struct sensor_observer obs[SENSOR_MAX_OBSERVERS];
	int nobs;
	int flow_log;
	int finished;
	struct sensor_stats st;
	uint64_t flow_events;
	time_t last_tick;               /* second of the last tick; 0 none yet */
	struct timeval first_ts, last_ts;
	int have_ts;
	struct timespec started;        /* CLOCK_MONOTONIC at sensor_new */
	double snapshot_interval;       /* seconds; 0 off */
	struct timeval last_snapshot;   /* tv_sec 0: not started yet */
};

/* ---- flow table callbacks: fan out to the observers ---- */

static void fan_packet(void *ud, const struct pkt_meta *p, const struct flow *f, int dir)
{
	struct sensor *s = ud;
	int i;

	for (i = 0; i < s->nobs; i++)
		if (s->obs[i].on_packet)
			s->obs[i].on_packet(s->obs[i].ctx, p, f, dir);
}

static void fan_event(void *ud, const struct ot_event *ev)
{
	struct sensor *s = ud;
	int i;

	for (i = 0; i < s->nobs; i++)
		if (s->obs[i].on_event)
			s->obs[i].on_event(s->obs[i].ctx, ev);
}

/* Suricata's flow.state: new (one side only), established, closed. */
static const char *flow_state_word(const struct flow *f)
{
	switch (f->tcp_state) {
	case FLOW_TCP_ESTABLISHED:
	case FLOW_TCP_CLOSING:
		return "established";
	case FLOW_TCP_CLOSED:
	case FLOW_TCP_RESET:
		return "closed";
	case FLOW_TCP_SYN_SENT:
	case FLOW_TCP_SYN_RECV:
		return "new";
	default:
		return f->pkts[0] && f->pkts[1] ? "established" : "new";
	}
}

/* One flow line, streamed (no tree): the most numerous line after the
 * protocol messages. */
static void write_flow_event(struct sensor *s, const struct flow *f)
{
	struct jw *w = eve_line_begin(s->eve, "flow", &f->last, f, 1);
	char buf[64];
	double age;

	if (f->app_proto[0])
		jw_bytes(w, "app_proto", (const uint8_t *)f->app_proto,
			 strnlen(f->app_proto, sizeof(f->app_proto)));
	if (f->ot_proto)
		jw_string(w, "ot_proto", f->ot_proto);
	jw_object_open(w, "flow");
	jw_uint(w, "pkts_toserver", f->pkts[FLOW_C2S]);
	jw_uint(w, "pkts_toclient", f->pkts[FLOW_S2C]);
	jw_uint(w, "bytes_toserver", f->bytes[FLOW_C2S]);
	jw_uint(w, "bytes_toclient", f->bytes[FLOW_S2C]);
	jw_string(w, "start", eve_timestamp(&f->first, buf, sizeof(buf)));
	jw_string(w, "end", eve_timestamp(&f->last, buf, sizeof(buf)));
	age = (double)(f->last.tv_sec - f->first.tv_sec);
	jw_int(w, "age", age > 0 ? (int64_t)age : 0);
	jw_string(w, "state", flow_state_word(f));
	jw_string(w, "reason", flow_end_reason_name(f->end_reason));
	jw_bool(w, "alerted", 0);
	if (f->role_guessed)
		jw_bool(w, "role_guessed", 1);
	jw_object_close(w);
	if (f->l4 == IPPROTO_TCP) {
		jw_object_open(w, "tcp");
		jw_string(w, "state", flow_tcp_state_name(f->tcp_state));
		jw_uint(w, "gaps_toserver", f->gaps[FLOW_C2S]);
		jw_uint(w, "gaps_toclient", f->gaps[FLOW_S2C]);
		/* attack marks, only where seen */
		if (f->conflicts[FLOW_C2S] || f->conflicts[FLOW_S2C]) {
			jw_uint(w, "conflicts_toserver", f->conflicts[FLOW_C2S]);
			jw_uint(w, "conflicts_toclient", f->conflicts[FLOW_S2C]);
		}
		if (f->bad_acks[FLOW_C2S] || f->bad_acks[FLOW_S2C]) {
			jw_uint(w, "bad_acks_toserver", f->bad_acks[FLOW_C2S]);
			jw_uint(w, "bad_acks_toclient", f->bad_acks[FLOW_S2C]);
		}
		if (f->out_of_window[FLOW_C2S] || f->out_of_window[FLOW_S2C]) {
			jw_uint(w, "out_of_window_toserver", f->out_of_window[FLOW_C2S]);
			jw_uint(w, "out_of_window_toclient", f->out_of_window[FLOW_S2C]);
		}
		jw_object_close(w);
	}
	if (f->has_mac) {
		jw_object_open(w, "ether");
		jw_string(w, "src_mac", ot_mac_str(f->cli_mac, buf, sizeof(buf)));
		jw_string(w, "dest_mac", ot_mac_str(f->srv_mac, buf, sizeof(buf)));
		jw_object_close(w);
	}
	s->flow_events++;
	eve_line_end(s->eve, w);
}

static void fan_flow_end(void *ud, const struct flow *f)
{
	struct sensor *s = ud;
	int i;

	if (s->flow_log)
		write_flow_event(s, f);
	for (i = 0; i < s->nobs; i++)
		if (s->obs[i].on_flow_end)
			s->obs[i].on_flow_end(s->obs[i].ctx, f);
}

/* ---- life cycle ---- */

struct sensor *sensor_new(struct eve *eve, const struct flow_config *fcfg,
			  char *err, size_t errlen)
{
	struct sensor *s = calloc(1, sizeof(*s));
	struct flow_callbacks cb = {
		.on_packet = fan_packet, .on_event = fan_event, .on_flow_end = fan_flow_end,
	};

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->flow_log = 1;
	clock_gettime(CLOCK_MONOTONIC, &s->started);
	s->dec = decoder_new(NULL);
	if (!s->dec) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	cb.ud = s;
	s->ft = flow_table_new(fcfg, &cb, err, errlen);
	if (!s->ft)
		goto fail;
	s->eve = eve;
	return s;
fail:
	decoder_free(s->dec);
	free(s);
	return NULL;
}

void sensor_free(struct sensor *s)
{
	int i;

	if (!s)
		return;
	flow_table_free(s->ft);
	for (i = 0; i < s->nobs; i++)
		if (s->obs[i].on_free)
			s->obs[i].on_free(s->obs[i].ctx);
	decoder_free(s->dec);
	eve_free(s->eve);
	free(s);
}

int sensor_add_observer(struct sensor *s, const struct sensor_observer *o)
{
	if (s->nobs >= SENSOR_MAX_OBSERVERS)
		return -1;
	s->obs[s->nobs++] = *o;
	return 0;
}

struct eve *sensor_eve(struct sensor *s)
{
	return s->eve;
}

void sensor_set_flow_log(struct sensor *s, int on)
{
	s->flow_log = on;
}

static void observers_tick(struct sensor *s, const struct timeval *now)
{
	int i;

	for (i = 0; i < s->nobs; i++)
		if (s->obs[i].on_tick)
			s->obs[i].on_tick(s->obs[i].ctx, now);
	if (s->snapshot_interval <= 0)
		return;
	if (s->last_snapshot.tv_sec == 0) {
		s->last_snapshot = *now;
	} else if ((double)(now->tv_sec - s->last_snapshot.tv_sec) +
		   (double)(now->tv_usec - s->last_snapshot.tv_usec) / 1e6 >= s->snapshot_interval) {
		s->last_snapshot = *now;
		sensor_request_snapshot(s, now);
	}
}

void sensor_set_snapshot_interval(struct sensor *s, double sec)
{
	s->snapshot_interval = sec;
}

void sensor_packet(struct sensor *s, int linktype, const struct timeval *ts,
		   uint32_t caplen, uint32_t wirelen, const uint8_t *data)
{
	struct pkt_meta p;

	s->st.packets++;
	s->st.bytes += wirelen;
	if (!s->have_ts) {
		s->first_ts = *ts;
		s->have_ts = 1;
	}
	if (timercmp(ts, &s->last_ts, >))
		s->last_ts = *ts;
	if (decode_packet(s->dec, linktype, ts, caplen, wirelen, data, &p)) {
		s->st.decoded++;
		flow_table_process(s->ft, &p);
	}
	/* Ticks follow packet time forward, once per second. */
	if (ts->tv_sec > s->last_tick) {
		if (s->last_tick)
			decode_expire(s->dec, ts);
		s->last_tick = ts->tv_sec;
		observers_tick(s, ts);
	}
}

void sensor_tick(struct sensor *s, const struct timeval *now)
{
	if (timercmp(now, &s->last_ts, >))
		s->last_ts = *now;
	flow_table_expire(s->ft, now);
	decode_expire(s->dec, now);
	s->last_tick = now->tv_sec;
	observers_tick(s, now);
}

void sensor_request_reload(struct sensor *s, const struct timeval *now)
{
	size_t i;

	for (i = 0; i < (size_t)s->nobs; i++)
		if (s->obs[i].on_reload)
			s->obs[i].on_reload(s->obs[i].ctx, now);
}

void sensor_notice(struct sensor *s, const struct timeval *ts, const char *reason,
		   const char *fmt, ...)
{
	char text[512];
	json_t *ev, *o;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fprintf(stderr, "otsentry: %s\n", text);
	if (!(ev = eve_event_new("sensor", ts, NULL, 0)))
		return;
	o = json_object();
	json_object_set_new(o, "reason", json_string(reason));
	json_object_set_new(o, "detail", eve_string((const uint8_t *)text, strlen(text)));
	json_object_set_new(ev, "sensor", o);
	eve_write(s->eve, ev);
}

void sensor_request_snapshot(struct sensor *s, const struct timeval *now)
{
	int i;

	for (i = 0; i < s->nobs; i++)
		if (s->obs[i].on_snapshot)
			s->obs[i].on_snapshot(s->obs[i].ctx, now);
}

void sensor_set_capture_stats(struct sensor *s, uint64_t recv, uint64_t drop, uint64_t ifdrop)
{
	s->st.pcap_recv = recv;
	s->st.pcap_drop = drop;
	s->st.pcap_ifdrop = ifdrop;
}

#define JI(obj, key, v) json_object_set_new((obj), (key), json_integer((json_int_t)(v)))

/* "dissectors": {"modbus": {"flows": N, <counter>: N, ...}, ...} */
static json_t *dissector_stats_json(const struct flow_table *ft)
{
	struct applayer_dissector_stats per[APPLAYER_MAX_DISSECTORS];
	json_t *all = json_object();
	size_t i, j, n = flow_table_dissector_stats(ft, per);

	for (i = 0; all && i < n; i++) {
		const struct dissector *d = per[i].d;
		json_t *o = json_object();

		JI(o, "flows", per[i].claimed);
		for (j = 0; d->counters && d->n_counters <= DISSECT_MAX_COUNTERS &&
			    j < d->n_counters; j++)
			JI(o, d->counter_names[j], per[i].counters[j]);
		json_object_set_new(all, d->name, o);
	}
	return all;
}

json_t *sensor_stats_json(struct sensor *s)
{
	json_t *st = json_object(), *o;
	struct flow_stats fs;
	int i;

	if (!st)
		return NULL;
	JI(st, "packets", s->st.packets);
	JI(st, "bytes", s->st.bytes);
	{
		/* Suricata's uptime: whole seconds the sensor has run (wall
		 * time); the packet-time span of the input is capture_span */
		struct timespec mono;

		clock_gettime(CLOCK_MONOTONIC, &mono);
		JI(st, "uptime", mono.tv_sec > s->started.tv_sec ?
		   mono.tv_sec - s->started.tv_sec : 0);
	}
	if (s->have_ts) {
		double span = (double)(s->last_ts.tv_sec - s->first_ts.tv_sec) +
			      (double)(s->last_ts.tv_usec - s->first_ts.tv_usec) / 1e6;
		json_object_set_new(st, "capture_span", json_real(span));
	}

	o = json_object();
	JI(o, "kernel_packets", s->st.pcap_recv);
	JI(o, "kernel_drops", s->st.pcap_drop);
	JI(o, "kernel_ifdrops", s->st.pcap_ifdrop);
	json_object_set_new(st, "capture", o);

	o = json_object();
	decode_stats_json(s->dec, o);
	json_object_set_new(st, "decoder", o);

	flow_table_get_stats(s->ft, &fs);
	o = json_object();
	JI(o, "created", fs.created);
	JI(o, "ended", fs.ended);
	JI(o, "evicted", fs.evicted);
	JI(o, "timed_out", fs.timed_out);
	JI(o, "active", fs.active);
	JI(o, "no_room", fs.no_room);
	JI(o, "ot_claimed", fs.ot_claimed);
	JI(o, "ot_mismatch", fs.ot_mismatch);
	JI(o, "events", s->flow_events);
	json_object_set_new(st, "flow", o);

	o = json_object();
	JI(o, "gaps", fs.tcp_gaps);
	JI(o, "gap_bytes", fs.tcp_gap_bytes);
	JI(o, "ooo_segments", fs.ooo_segments);
	JI(o, "ooo_dropped", fs.ooo_dropped);
	JI(o, "retransmits", fs.retransmits);
	JI(o, "overlaps", fs.overlaps);
	JI(o, "overlap_conflicts", fs.overlap_differs);
	JI(o, "keepalives", fs.keepalives);
	JI(o, "bad_acks", fs.bad_acks);
	JI(o, "out_of_window", fs.out_of_window);
	JI(o, "reanchors", fs.reanchors);
	JI(o, "memuse", fs.ooo_bytes_now);
	JI(o, "memuse_peak", fs.ooo_bytes_peak);
	json_object_set_new(st, "reassembly", o);
	json_object_set_new(st, "dissectors", dissector_stats_json(s->ft));

	for (i = 0; i < s->nobs; i++)
		if (s->obs[i].on_stats)
			s->obs[i].on_stats(s->obs[i].ctx, st);

	o = json_object();
	eve_stats(s->eve, o);
	json_object_set_new(st, "eve", o);
	return st;
}

void sensor_write_stats(struct sensor *s, const struct timeval *now)
{
	json_t *ev = eve_event_new("stats", now, NULL, 1);
	json_t *st = sensor_stats_json(s);

	if (!ev || !st) {
		json_decref(ev);
		json_decref(st);
		return;
	}
	json_object_set_new(ev, "stats", st);
	eve_write(s->eve, ev);
}

void sensor_finish(struct sensor *s)
{
	struct timeval last = s->last_ts;
	int i;

	if (s->finished)
		return;
	s->finished = 1;
	if (!s->have_ts)
		gettimeofday(&last, NULL);      /* nothing read: stamp with the wall clock */
	flow_table_flush(s->ft);
	for (i = 0; i < s->nobs; i++)
		if (s->obs[i].on_finish)
			s->obs[i].on_finish(s->obs[i].ctx, &last);
	sensor_write_stats(s, &last);
	eve_flush(s->eve);
}
