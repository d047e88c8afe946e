/*
 * eve.h - one JSON object per line, in Suricata's EVE conventions.
 *
 * eve_event_new() builds the common fields (timestamp with microseconds,
 * event_type, flow_id, src/dest ip and port, proto, community_id, vlan); the caller adds
 * its own object and hands the event to eve_write(), which serialises it and
 * passes the line to every sink, adding the sensor's name as "host" (as
 * Suricata does with its sensor-name) when one is set.
 *
 * Sinks: a file or standard output here; sink.h adds others (syslog, sockets).
 *
 * Ownership: eve_write() steals the event reference.  Strings from packets
 * go in through eve_string() (valid UTF-8 always).
 */
#ifndef OTS_EVE_H
#define OTS_EVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>
#include <jansson.h>

#include "jtext.h"
#include "jw.h"

struct flow;

/* A destination for serialised lines. */
struct eve_sink {
	const char *name;
	void *ctx;
	/* line is NUL-terminated, without the trailing newline. 0 or -1. */
	int (*write)(void *ctx, const char *line, size_t len);
	void (*reopen)(void *ctx);      /* SIGHUP: log rotation; may be NULL */
	void (*flush)(void *ctx);       /* may be NULL */
	void (*close)(void *ctx);       /* frees ctx */
	void (*stats)(void *ctx, json_t *obj); /* counters; may be NULL */
	/* Lines write() accepted that never reached the destination (a full
	 * disk, a queue left at exit); may be NULL. */
	uint64_t (*lost)(void *ctx);
	/* 0 while lines get through, else an errno (or -1): the sink is
	 * losing lines now.  May be NULL. */
	int (*failing)(void *ctx);
	/* End of the run: deliver what waits (bounded in time) so that lost()
	 * is final.  May be NULL. */
	void (*finish)(void *ctx);
};

struct eve;

struct eve *eve_new(void);
void eve_free(struct eve *e);       /* closes every sink */
/* Add a file sink: path "-" is standard output.  0, or -1 with err set. */
int eve_add_file(struct eve *e, const char *path, char *err, size_t errlen);
/* Add any sink (copied); 0 or -1 when the sink table is full. */
int eve_add_sink(struct eve *e, const struct eve_sink *sink);
/* The sensor's name, written as "host" (the last field) in every event;
 * NULL or "" writes none.  Copied.  0, or -1 when out of memory. */
int eve_set_host(struct eve *e, const char *name);
/* The name set above, or NULL. */
const char *eve_host(const struct eve *e);
void eve_reopen(struct eve *e);
void eve_flush(struct eve *e);

/*
 * New event object with the common fields.  f may be NULL.  from_client
 * selects which end is src: 1 (or f NULL) src = client.  event_type, here
 * and in eve_line_begin / eve_common, is a string in static storage (a
 * literal or a protocol's name: jw_name in jw.h).
 */
json_t *eve_event_new(const char *event_type, const struct timeval *ts,
		      const struct flow *f, int from_client);
/*
 * Events of a flow carry its Community ID v1 (community_id.h) after proto,
 * hashed with seed: on by default with seed 0.  Set once at startup.
 */
void eve_set_community_id(int on, uint16_t seed);
/*
 * Live capture: events of a flow carry "in_iface" (Suricata's name, after
 * flow_id), names[flow.iface].  names is borrowed and must outlive every
 * event; NULL (the default, files) writes none.  Set once at startup.
 */
void eve_set_ifaces(const char *const *names, int n);
/* Serialise and write; steals ev.  Returns 0 or -1. */
int eve_write(struct eve *e, json_t *ev);
/* The compact one-line form of v (what eve_write writes) into *buf,
 * growing it (*cap bytes) as needed; NUL-terminated, *len without the NUL.
 * 0, or -1 (out of memory, nesting deeper than 64). */
int eve_serialise(json_t *v, char **buf, size_t *cap, size_t *len);
/*
 * Streaming lines (no tree): eve_line_begin() resets the writer's one line
 * buffer, opens the object and writes the common fields; the caller adds
 * its members through the returned writer (valid until eve_line_end) and
 * eve_line_end() closes what is open and hands the line to every sink.
 * 0 or -1 (a writer error: the line is dropped and counted).
 */
struct jw *eve_line_begin(struct eve *e, const char *event_type,
			  const struct timeval *ts, const struct flow *f,
			  int from_client);
int eve_line_end(struct eve *e, struct jw *w);
/* The common fields (as eve_event_new) into an open object of w. */
void eve_common(struct jw *w, const char *event_type, const struct timeval *ts,
		const struct flow *f, int from_client);
/* A jansson value (a document built once: metadata, evidence) as member
 * key of w's open object (key NULL in an array); v NULL: nothing. */
void eve_put_json(struct jw *w, const char *key, json_t *v);
/* The members of an anomaly object {type, proto, event, detail}: what
 * anomaly lines and alerts on anomalies carry. */
struct ot_event;
void eve_anomaly(struct jw *w, const struct ot_event *ev);
/* Lines written, and lines lost: refused by a sink, lost by one after it
 * took them, or not serialised (each sink that lost a line counts it). */
void eve_get_counts(const struct eve *e, uint64_t *lines, uint64_t *errors);
/* The sinks added so far (sink indexes are 0 .. count-1). */
int eve_sink_count(const struct eve *e);
/* Sink i (0 first): its name, whether it is failing now (an errno, 0 when
 * not) and the lines it lost so far.  0, or -1 past the last sink. */
int eve_sink_health(const struct eve *e, int i, const char **name, int *failing,
		    uint64_t *lost);
/* End of the run: every sink delivers what waits (eve_sink.finish). */
void eve_finish(struct eve *e);
/* Counters of every sink into obj. */
void eve_stats(const struct eve *e, json_t *obj);

/* eve_string(): JSON string from packet bytes (jtext.h). */
/* "2024-01-02T03:04:05.123456+0000" into buf (at least 40 bytes). */
const char *eve_timestamp(const struct timeval *ts, char *buf, size_t len);
/* The inverse: an EVE timestamp (UTC, "+0000"; the fraction optional) to
 * *tv.  0, or -1 when s is not one. */
int eve_timestamp_parse(const char *s, struct timeval *tv);

#endif /* OTS_EVE_H */
