/*
 * sensor.h - the pipeline: capture -> decode -> flows -> dissectors ->
 * observers (EVE protocol logs, inventory, baseline, rules).
 *
 * Modules that consume packets and OT events register a struct
 * sensor_observer; the sensor calls every observer in registration order.
 * Observers never call each other through the sensor.
 *
 * Ownership: the sensor owns the decoder, flow table and EVE writer; each
 * observer owns its ctx and frees it in on_free (called once, at
 * sensor_free).
 */
#ifndef OTS_SENSOR_H
#define OTS_SENSOR_H

#include <stdint.h>
#include <sys/time.h>
#include <jansson.h>

#include "pkt.h"
#include "flow.h"
#include "dissector.h"

struct eve;

#define SENSOR_MAX_OBSERVERS 16

struct sensor_observer {
	const char *name;
	void *ctx;
	void (*on_packet)(void *ctx, const struct pkt_meta *p, const struct flow *f, int dir);
	void (*on_event)(void *ctx, const struct ot_event *ev);
	void (*on_flow_end)(void *ctx, const struct flow *f);
	/* About once a second of packet (or wall, when live) time. */
	void (*on_tick)(void *ctx, const struct timeval *now);
	/* End of input: write final reports. */
	void (*on_finish)(void *ctx, const struct timeval *last);
	/* Add this module's counters to the stats event object. */
	void (*on_stats)(void *ctx, json_t *stats);
	void (*on_free)(void *ctx);
	/* A snapshot was asked for (SIGUSR1 when live): write current reports
	 * now, keep running.  Called from the capture loop, never from the
	 * signal handler.  May be NULL. */
	void (*on_snapshot)(void *ctx, const struct timeval *now);
	/* Reload what this module reads from files (SIGUSR2): a file that does
	 * not load leaves the old state in force, said with sensor_notice().
	 * Called from the capture loop, never from the signal handler.  May be
	 * NULL. */
	void (*on_reload)(void *ctx, const struct timeval *now);
};

struct sensor;

/* Counters by reason for packets the decoder refused. */
struct sensor_stats {
	uint64_t packets, bytes;       /* decoded: the decoder's own count */
	uint64_t pcap_recv, pcap_drop, pcap_ifdrop;
};

/* Live capture: several interfaces in one sensor. */
#define SENSOR_MAX_IFACES 16

/* One interface's counters, kept by the capture loop (capture.c). */
struct sensor_iface_stats {
	uint64_t packets;               /* handed to the sensor */
	uint64_t kernel_recv, kernel_drop, kernel_ifdrop; /* pcap_stats, summed over reopens */
	int up;                         /* 1: the capture handle is open */
	uint32_t downs;                 /* times the interface went away */
	uint32_t reopens;               /* times capture resumed after that */
	uint64_t down_seconds;          /* wall seconds spent down, finished outages */
};

/* Takes eve on success (freed by sensor_free); on failure (NULL, err set)
 * the caller still owns eve. */
struct sensor *sensor_new(struct eve *eve, const struct flow_config *fcfg,
			  char *err, size_t errlen);
void sensor_free(struct sensor *s);
int sensor_add_observer(struct sensor *s, const struct sensor_observer *o);
/* The EVE writer every module writes through. */
struct eve *sensor_eve(struct sensor *s);
/* One captured packet. */
void sensor_packet(struct sensor *s, int linktype, const struct timeval *ts,
		   uint32_t caplen, uint32_t wirelen, const uint8_t *data);
/* Live capture: time passes without packets. */
void sensor_tick(struct sensor *s, const struct timeval *now);
/* End of input: flush flows, let observers finish, write the stats event. */
void sensor_finish(struct sensor *s);
/* The counters of the stats event (every observer's included); new
 * reference, NULL when out of memory. */
json_t *sensor_stats_json(struct sensor *s);
/* Write a stats event now (periodic, live). */
void sensor_write_stats(struct sensor *s, const struct timeval *now);
void sensor_set_capture_stats(struct sensor *s, uint64_t recv, uint64_t drop, uint64_t ifdrop);
/* Live: register an interface (name borrowed, must outlive the sensor);
 * its index, or -1 when SENSOR_MAX_IFACES are registered.  Its counters
 * appear under stats.capture.interfaces, and capture loss under
 * stats.capture_loss, once one is registered. */
int sensor_add_iface(struct sensor *s, const char *name);
/* The interface the following packets come from (its flows' in_iface). */
void sensor_set_iface(struct sensor *s, int idx);
void sensor_set_iface_stats(struct sensor *s, int idx, const struct sensor_iface_stats *st);
/* Live: judge capture loss (gap bytes / TCP bytes, see otsentry(8)) every
 * interval seconds of tick time; above threshold percent: a "sensor" event
 * with reason capture_loss, and capture_loss_ended once a later interval
 * is below it.  threshold <= 0 or interval <= 0: never. */
void sensor_set_loss_alarm(struct sensor *s, double threshold, double interval);
/* A warning about how the sensor runs (e.g. as root): listed under
 * "warnings" in the next stats event.  Copied. */
void sensor_add_warning(struct sensor *s, const char *text);
/* Flow events on (default) or off (--no-flow-log). */
void sensor_set_flow_log(struct sensor *s, int on);
/* Ask every observer's on_snapshot (now, from the caller's context). */
void sensor_request_snapshot(struct sensor *s, const struct timeval *now);
/* Ask for a snapshot every sec seconds of tick time, the first one sec
 * after the first tick (live: --snapshot-interval; 0, the default: never). */
void sensor_set_snapshot_interval(struct sensor *s, double sec);
/* Ask every observer's on_reload (SIGUSR2). */
void sensor_request_reload(struct sensor *s, const struct timeval *now);
/* A health event about the sensor itself: one "sensor" EVE line with a
 * stable reason ("reload", "reload_failed", ...) and free text, and the
 * same text on standard error (even with -q: these are rare and matter). */
void sensor_notice(struct sensor *s, const struct timeval *ts, const char *reason,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same with the interface concerned ("interface"; may be NULL) and
 * more members of the "sensor" object (extra: an object, stolen; may be
 * NULL). */
void sensor_health(struct sensor *s, const struct timeval *ts, const char *reason,
		   const char *iface, json_t *extra, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#endif /* OTS_SENSOR_H */
