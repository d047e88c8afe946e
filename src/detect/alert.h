/*
 * alert.h - alerts from the baseline and the rules, in Suricata's EVE shape.
 *
 * Every alert passes through the alerter, which:
 *   - writes `event_type: "alert"` lines with alert.signature_id, signature,
 *     category, severity, metadata (mitre_technique_id ...), the flow, the
 *     assets and the evidence;
 *   - alerts a repeated deviation (same sid and dedup key) once, then counts
 *     it and writes a summary line with the count when it ends or periodically;
 *   - applies a global rate cap with counted suppression.
 *
 * Ownership: alert_raise() steals a->evidence; everything else is borrowed.
 */
#ifndef OTS_ALERT_H
#define OTS_ALERT_H

#include <stdint.h>
#include <sys/time.h>
#include <jansson.h>

struct eve;
struct flow;
struct ot_event;

struct alert {
	uint32_t sid;
	uint32_t rev;
	uint32_t gid;               /* 1 rules, 2 baseline */
	const char *signature;
	const char *category;
	int severity;               /* 1 high .. 3 low (Suricata) */
	const char *mitre_id;       /* "T0855" or NULL */
	const char *mitre_name;     /* "Unauthorized Command Message" or NULL */
	const char *source;         /* "baseline" or "rule" */
	struct timeval ts;
	const struct flow *flow;    /* may be NULL */
	int from_client;            /* which end of flow is src */
	const struct ot_event *ev;  /* triggering event, may be NULL */
	const char *dedup_key;      /* repeats with the same sid+key are counted; NULL: no dedup */
	json_t *evidence;           /* stolen; may be NULL */
	const char *rule_file;      /* a rule's file and line: written as the
				     * evidence {rule_file, rule_line} when
				     * evidence is NULL, built only for a line
				     * that is written; NULL: none */
	int rule_line;
	json_t *metadata;           /* stolen; extra alert.metadata keys; may be NULL */
};

struct alert_config {
	uint32_t max_per_second;    /* global cap */
	uint32_t max_dedup_keys;    /* tracked repeat keys */
	double repeat_summary_interval; /* seconds between repeat summaries */
};
/* (The defaults: ots_alert_config_default() in src/app/options.c.) */

struct alerter;

/* cfg is required (copied). */
struct alerter *alerter_new(struct eve *eve, const struct alert_config *cfg);
void alerter_free(struct alerter *a);
/* Raise one alert (may be deduplicated or rate-limited, always counted). */
void alert_raise(struct alerter *al, struct alert *a);
/* 1 when raising a now (its sid, gid, dedup key and time) would write an
 * alert line or show it to the observer: whether its evidence and
 * metadata are worth building (a repeat or an alert over the rate cap
 * only counts).  Changes nothing; a need not have them yet. */
int alert_wanted(const struct alerter *al, const struct alert *a);
/* One observer sees every raised alert, before deduplication and the rate
 * cap (a report counts them all); the alert is borrowed for the call and
 * must not be changed.  fn NULL removes it. */
typedef void (*alert_observer_fn)(void *ctx, const struct alert *a);
void alerter_set_observer(struct alerter *al, alert_observer_fn fn, void *ctx);
void alerter_tick(struct alerter *al, const struct timeval *now);
/* on 0: every alert line's metadata built as a jansson object first (the
 * general way); 1, the default: the usual ones written straight.  Both
 * write the same text (the tests compare them). */
void alerter_set_fast_path(struct alerter *al, int on);
/* End of input: summaries for counted repeats. */
void alerter_finish(struct alerter *al, const struct timeval *now);
void alerter_stats(const struct alerter *al, json_t *obj);

struct sensor;
/* Hand the alerter to the sensor: it ticks it, finishes it, adds its
 * counters to stats and frees it at sensor_free.  Attach it after every
 * module that raises alerts, so its end-of-input summaries come last.
 * 0, or -1 when the observer table is full (the alerter is then freed). */
int alerter_attach(struct sensor *s, struct alerter *al);

#endif /* OTS_ALERT_H */
