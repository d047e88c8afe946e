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

#define SENSOR_MAX_OUTPUTS 16   /* outputs watched for lost lines */

struct sensor {
	struct eve *eve;
	struct decoder *dec;
	struct flow_table *ft;
	struct sensor_observer obs[SENSOR_MAX_OBSERVERS];
	int nobs;
	/* the observers that take ticks, in the order they were added (those
	 * that take packets and events are the flow table's consumers) */
	const struct sensor_observer *on_tick[SENSOR_MAX_OBSERVERS];
	int n_on_tick;
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
	/* live capture */
	struct {
		const char *name;
		struct sensor_iface_stats st;
	} ifaces[SENSOR_MAX_IFACES];
	int n_ifaces, cur_iface;
	uint64_t tcp_bytes;             /* TCP payload bytes seen (capture loss) */
	double loss_threshold, loss_interval;
	struct timeval loss_start;      /* start of the interval being judged */
	uint64_t loss_tcp0, loss_gap0;  /* counters at loss_start */
	double loss_last;               /* percent of the last interval judged, -1 none */
	int loss_alarm;                 /* 1: above the threshold */
	json_t *warnings;               /* array for the next stats event, or NULL */
	/* outputs: failing now, and lines lost before the outage began */
	int out_failing[SENSOR_MAX_OUTPUTS];
	uint64_t out_lost0[SENSOR_MAX_OUTPUTS];
};

/* Capture loss is judged over an interval with at least this many TCP
 * bytes (seen plus missing): fewer say nothing. */
#define LOSS_MIN_BYTES 65536

/* ---- flow table callbacks (packets and events go to the observers
 * straight from the flow table: sensor_add_observer) ---- */

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
		.on_flow_end = fan_flow_end,
	};

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->flow_log = 1;
	s->loss_last = -1;
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
	json_decref(s->warnings);
	free(s);
}

int sensor_add_iface(struct sensor *s, const char *name)
{
	if (s->n_ifaces >= SENSOR_MAX_IFACES)
		return -1;
	s->ifaces[s->n_ifaces].name = name;
	return s->n_ifaces++;
}

void sensor_set_iface(struct sensor *s, int idx)
{
	if (idx >= 0 && idx < s->n_ifaces)
		s->cur_iface = idx;
}

void sensor_set_iface_stats(struct sensor *s, int idx, const struct sensor_iface_stats *st)
{
	if (idx >= 0 && idx < s->n_ifaces)
		s->ifaces[idx].st = *st;
}

void sensor_set_loss_alarm(struct sensor *s, double threshold, double interval)
{
	s->loss_threshold = threshold;
	s->loss_interval = interval;
}

void sensor_add_warning(struct sensor *s, const char *text)
{
	if (!s->warnings)
		s->warnings = json_array();
	if (s->warnings)
		json_array_append_new(s->warnings, json_string(text));
}

int sensor_add_observer(struct sensor *s, const struct sensor_observer *o)
{
	if (s->nobs >= SENSOR_MAX_OBSERVERS)
		return -1;
	/* packets and events: called by the flow table in the order added */
	if ((o->on_packet || o->on_event) &&
	    flow_table_add_consumer(s->ft, o->on_packet, o->on_event, o->ctx) < 0)
		return -1;
	s->obs[s->nobs] = *o;
	if (o->on_tick)
		s->on_tick[s->n_on_tick++] = &s->obs[s->nobs];
	s->nobs++;
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

/* Output i started (failing) or stopped losing lines: stderr and a sensor
 * event, which reaches the outputs that work; the one about recovery
 * reaches the recovered one too, with the count.  Out of line: the check
 * each tick does not pay for this rare path's frame. */
static __attribute__((noinline)) void output_changed(struct sensor *s,
						      const struct timeval *now, int i,
						      const char *name, int failing,
						      uint64_t lost)
{
	json_t *x = json_object();

	json_object_set_new(x, "output", json_string(name));
	if (failing) {
		s->out_failing[i] = 1;
		json_object_set_new(x, "lost", json_integer((json_int_t)(lost - s->out_lost0[i])));
		sensor_health(s, now, "output_failed", NULL, x,
			      "output %d (%s): events are being lost: %s", i + 1, name,
			      failing > 0 ? strerror(failing) : "write error");
	} else {
		s->out_failing[i] = 0;
		json_object_set_new(x, "lost", json_integer((json_int_t)(lost - s->out_lost0[i])));
		json_object_set_new(x, "lost_total", json_integer((json_int_t)lost));
		sensor_health(s, now, "output_recovered", NULL, x,
			      "output %d (%s): writing again; %llu events were lost meanwhile",
			      i + 1, name, (unsigned long long)(lost - s->out_lost0[i]));
	}
}

/* Once a tick: has an output started or stopped losing lines? */
static void watch_outputs(struct sensor *s, const struct timeval *now)
{
	const char *name;
	uint64_t lost;
	int i, n = eve_sink_count(s->eve), failing;

	for (i = 0; i < SENSOR_MAX_OUTPUTS && i < n &&
		    eve_sink_health(s->eve, i, &name, &failing, &lost) == 0; i++) {
		if (!failing && !s->out_failing[i])
			s->out_lost0[i] = lost;         /* lost before the next outage */
		if (!failing == !s->out_failing[i])
			continue;
		output_changed(s, now, i, name, failing, lost);
	}
}

static void observers_tick(struct sensor *s, const struct timeval *now)
{
	int i;

	watch_outputs(s, now);

	for (i = 0; i < s->n_on_tick; i++)
		s->on_tick[i]->on_tick(s->on_tick[i]->ctx, now);
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
	if (!s->have_ts) {
		s->first_ts = *ts;
		s->have_ts = 1;
	}
	/* apart from packets++ (not in one block): two plain adds, not the
	 * vector add a compiler makes of neighbours */
	s->st.bytes += wirelen;
	if (timercmp(ts, &s->last_ts, >))
		s->last_ts = *ts;
	if (decode_packet(s->dec, linktype, ts, caplen, wirelen, data, &p)) {
		p.iface = (uint8_t)s->cur_iface;
		if (p.l4 == IPPROTO_TCP)
			s->tcp_bytes += p.payload_len;
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

/* Every loss_interval seconds: the share of TCP bytes that were missing
 * (holes given up: acknowledged but never seen, or no room to wait for
 * them), an alarm when it passes the threshold, its end when it falls
 * back. */
static void judge_loss(struct sensor *s, const struct timeval *now)
{
	struct flow_stats fs;
	uint64_t gap, tcp;
	double pct;

	if (s->loss_interval <= 0)
		return;
	if (s->loss_start.tv_sec == 0) {
		flow_table_get_stats(s->ft, &fs);
		s->loss_start = *now;
		s->loss_tcp0 = s->tcp_bytes;
		s->loss_gap0 = fs.tcp_gap_bytes;
		return;
	}
	if ((double)(now->tv_sec - s->loss_start.tv_sec) +
	    (double)(now->tv_usec - s->loss_start.tv_usec) / 1e6 < s->loss_interval)
		return;
	flow_table_get_stats(s->ft, &fs);
	gap = fs.tcp_gap_bytes - s->loss_gap0;
	tcp = s->tcp_bytes - s->loss_tcp0;
	s->loss_start = *now;
	s->loss_tcp0 = s->tcp_bytes;
	s->loss_gap0 = fs.tcp_gap_bytes;
	if (gap + tcp < LOSS_MIN_BYTES)
		return;
	pct = 100.0 * (double)gap / (double)(gap + tcp);
	s->loss_last = pct;
	if (s->loss_threshold <= 0)
		return;
	if (pct > s->loss_threshold && !s->loss_alarm) {
		json_t *x = json_object();

		json_object_set_new(x, "loss_percent", json_real(pct));
		json_object_set_new(x, "gap_bytes", json_integer((json_int_t)gap));
		json_object_set_new(x, "tcp_bytes", json_integer((json_int_t)tcp));
		s->loss_alarm = 1;
		sensor_health(s, now, "capture_loss", NULL, x,
			      "capture loss %.2f%% over the last %.0f s (%llu of %llu TCP bytes missing), "
			      "above the %.2f%% threshold", pct, s->loss_interval,
			      (unsigned long long)gap, (unsigned long long)(gap + tcp), s->loss_threshold);
	} else if (pct <= s->loss_threshold && s->loss_alarm) {
		json_t *x = json_object();

		json_object_set_new(x, "loss_percent", json_real(pct));
		s->loss_alarm = 0;
		sensor_health(s, now, "capture_loss_ended", NULL, x,
			      "capture loss %.2f%% over the last %.0f s, back under the %.2f%% threshold",
			      pct, s->loss_interval, s->loss_threshold);
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
	judge_loss(s, now);
}

void sensor_request_reload(struct sensor *s, const struct timeval *now)
{
	size_t i;

	for (i = 0; i < (size_t)s->nobs; i++)
		if (s->obs[i].on_reload)
			s->obs[i].on_reload(s->obs[i].ctx, now);
}

static void health_v(struct sensor *s, const struct timeval *ts, const char *reason,
		     const char *iface, json_t *extra, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

static void health_v(struct sensor *s, const struct timeval *ts, const char *reason,
		     const char *iface, json_t *extra, const char *fmt, va_list ap)
{
	char text[512];
	json_t *ev, *o;

	vsnprintf(text, sizeof(text), fmt, ap);
	fprintf(stderr, "otsentry: %s\n", text);
	if (!(ev = eve_event_new("sensor", ts, NULL, 0)) || !(o = json_object())) {
		json_decref(ev);
		json_decref(extra);
		return;
	}
	json_object_set_new(o, "reason", json_string(reason));
	if (iface)
		json_object_set_new(o, "interface", eve_string((const uint8_t *)iface, strlen(iface)));
	if (extra)
		json_object_update(o, extra);
	json_decref(extra);
	json_object_set_new(o, "detail", eve_string((const uint8_t *)text, strlen(text)));
	json_object_set_new(ev, "sensor", o);
	eve_write(s->eve, ev);
}

void sensor_notice(struct sensor *s, const struct timeval *ts, const char *reason,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	health_v(s, ts, reason, NULL, NULL, fmt, ap);
	va_end(ap);
}

void sensor_health(struct sensor *s, const struct timeval *ts, const char *reason,
		   const char *iface, json_t *extra, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	health_v(s, ts, reason, iface, extra, fmt, ap);
	va_end(ap);
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
	if (s->n_ifaces) {
		/* live: the sums of the interfaces, then each one */
		json_t *all = json_object();
		uint64_t recv = 0, drop = 0, ifdrop = 0;

		for (i = 0; i < s->n_ifaces; i++) {
			const struct sensor_iface_stats *k = &s->ifaces[i].st;
			json_t *one = json_object();

			recv += k->kernel_recv;
			drop += k->kernel_drop;
			ifdrop += k->kernel_ifdrop;
			JI(one, "packets", k->packets);
			JI(one, "kernel_packets", k->kernel_recv);
			JI(one, "kernel_drops", k->kernel_drop);
			JI(one, "kernel_ifdrops", k->kernel_ifdrop);
			json_object_set_new(one, "up", json_boolean(k->up));
			JI(one, "downs", k->downs);
			JI(one, "reopens", k->reopens);
			JI(one, "down_seconds", k->down_seconds);
			json_object_set_new(all, s->ifaces[i].name, one);
		}
		JI(o, "kernel_packets", recv);
		JI(o, "kernel_drops", drop);
		JI(o, "kernel_ifdrops", ifdrop);
		json_object_set_new(o, "interfaces", all);
	} else {
		JI(o, "kernel_packets", s->st.pcap_recv);
		JI(o, "kernel_drops", s->st.pcap_drop);
		JI(o, "kernel_ifdrops", s->st.pcap_ifdrop);
	}
	json_object_set_new(st, "capture", o);
	if (s->n_ifaces) {
		/* the estimate of otsentry(8), CAPTURE LOSS */
		struct flow_stats ls;
		uint64_t miss;

		flow_table_get_stats(s->ft, &ls);
		miss = ls.tcp_gap_bytes;
		o = json_object();
		JI(o, "tcp_bytes", s->tcp_bytes);
		JI(o, "gap_bytes", miss);
		json_object_set_new(o, "percent", json_real(miss + s->tcp_bytes ?
			100.0 * (double)miss / (double)(miss + s->tcp_bytes) : 0.0));
		if (s->loss_last >= 0)
			json_object_set_new(o, "last_interval_percent", json_real(s->loss_last));
		json_object_set_new(o, "alarm", json_boolean(s->loss_alarm));
		json_object_set_new(st, "capture_loss", o);
	}
	if (s->warnings) {
		json_object_set_new(st, "warnings", s->warnings);
		s->warnings = NULL;     /* once: the first stats event */
	}

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
