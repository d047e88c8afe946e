/*
 * recorder.h - the event recorder of the dissector suites: a dissect_ctx
 * whose emit keeps a copy of every event, of its record and of the object
 * the protocol's log() writes for it.
 *
 * A dissector's ot_event, its record and everything they point to live
 * only during ot_emit(): the recorder copies the event, the record's bytes
 * (record_size of them: scalars stay valid, pointers into the packet do
 * not) and the log's object, as JSON text with sorted keys and as a parsed
 * jansson object.
 *
 * Ownership: the recorder owns its copies; recorder_free() releases them,
 * recorder_clear() forgets the events and keeps the recorder.
 */
#ifndef OTS_TEST_RECORDER_H
#define OTS_TEST_RECORDER_H

#include <stddef.h>

#include <jansson.h>

#include "dissector.h"

struct recorded {
	struct ot_event ev;     /* a copy: record points to this event's copy
				 * of the record (NULL when it had none) */
	char *json;             /* the log's object, keys sorted; NULL unless
				 * the context wants detail (or always_log is
				 * set) and the event has a record and the
				 * dissector a log() */
	json_t *obj;            /* the same object parsed (NULL with json) */
};

struct recorder {
	const struct dissector *d;
	size_t record_size;
	int max;                /* events kept; later ones are only counted */
	int n;                  /* events emitted (may exceed max) */
	int n_msg, n_anom, n_session;   /* emitted, by kind */
	int always_log;         /* 1: make json even when the context wants no
				 * detail, as an alert does (recorder_start
				 * sets it back to 0) */
	struct recorded *ev;    /* [max] */
	unsigned char *records; /* [max * record_size] */
	struct ot_limits lim;   /* ots_limits_default(), for the context */
};

/* Record the events of dissector d, whose records are record_size bytes
 * (0: keep none), at most max of them.  Aborts the test when out of memory. */
void recorder_init(struct recorder *r, const struct dissector *d, size_t record_size, int max);
void recorder_free(struct recorder *r);
void recorder_clear(struct recorder *r);
/* A context that emits into r: default limits, want_detail on, packet time
 * 1000 s, from_client 0. */
void recorder_ctx(struct recorder *r, struct dissect_ctx *ctx);

/* For each test: recorder_init() on the first call, recorder_clear() and
 * always_log off on later ones, then recorder_ctx(). */
void recorder_start(struct recorder *r, const struct dissector *d, size_t record_size,
		    int max, struct dissect_ctx *ctx);

/* Anomalies with this reason among the kept events. */
int recorder_anomalies(const struct recorder *r, const char *reason);
/* The k-th message event (0 the first, anomalies skipped), or NULL. */
const struct recorded *recorder_msg(const struct recorder *r, int k);
/* The value of the first identity fact with this key, or NULL. */
const char *recorder_ident(const struct ot_event *ev, enum ot_ident_key key);

#endif /* OTS_TEST_RECORDER_H */
