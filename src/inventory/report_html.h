/*
 * report_html.h - the plant as one self-contained HTML page (--report).
 *
 * The page is written from the inventory document (inventory_json), the
 * sensor's counters (sensor_stats_json) and a bounded summary of the run's
 * alerts, at the end of the run and, when live, on SIGUSR1 and at each
 * --snapshot-interval, atomically like the inventory.  It holds a map of the
 * assets by Purdue level (SVG), the assets table, the conversations, the
 * alerts (timeline and table by signature) and the run summary.  It loads
 * nothing: no external resource, and a Content-Security-Policy that forbids
 * any network access and runs only the page's own script (per-page nonce).
 *
 * Every value that came off the wire is escaped for where it goes: HTML
 * text and attributes (the same rule, inline SVG included; control
 * characters shown as their Unicode control pictures) and the inline JSON
 * data (a <script type="application/json"> block in which '<', '>' and '&'
 * are written as \u escapes, so neither "</script" nor "<!--" can occur).
 *
 * Alerts come in through report_html_alert(): the report does not know the
 * detection modules; the program wires the alerter's observer to it.
 *
 * Bounds: REPORT_MAX_SIGNATURES signatures (more are counted), per
 * signature REPORT_MAX_SIG_ASSETS assets, the REPORT_TIMELINE_MAX latest
 * alerts on the timeline, REPORT_MAX_EDGE_MARKS conversations with alert
 * marks; the page draws at most REPORT_MAP_MAX_NODES assets one by one
 * (more are grouped by level and subnet, and the page says so), lists at
 * most REPORT_MAX_ROWS assets and REPORT_MAX_CONVERSATIONS conversations
 * (the rest counted on the page).
 *
 * Ownership: the report borrows the inventory, the sensor and the run
 * description (it reads them only while writing, which ends before
 * sensor_free) and copies every string given to report_html_alert().
 * After report_html_observe() the sensor owns the report (and the path,
 * borrowed).  report_html_free(NULL) is a no-op.
 */
#ifndef OTS_REPORT_HTML_H
#define OTS_REPORT_HTML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <jansson.h>

#include "addr.h"

#define REPORT_MAX_SIGNATURES     256
#define REPORT_MAX_SIG_ASSETS     16
#define REPORT_TIMELINE_MAX       4096
#define REPORT_MAX_EDGE_MARKS     4096
#define REPORT_MAP_MAX_NODES      300
#define REPORT_MAX_ROWS           5000
#define REPORT_MAX_CONVERSATIONS  1500

/* One raised alert as the report sees it (all strings borrowed for the
 * call; NULL where unknown). */
struct report_alert {
	uint32_t gid, sid;
	const char *signature;
	const char *category;
	const char *source;         /* "baseline", "rule" */
	int severity;               /* 1 high .. 3 low */
	const char *mitre_id;       /* "T0855" or "T0881,T0858" */
	const char *mitre_name;
	struct timeval ts;
	/* the conversation: client and server (ver 0 when none) */
	struct ot_ip client, server;
	uint8_t l4;
	uint16_t port;              /* server port */
	int new_edge;               /* the conversation was not in the baseline */
};

/* What the run summary says about the run (NULL / 0 where not
 * applicable). */
struct report_html_run {
	const char *const *inputs;  /* capture files read */
	int n_inputs;
	const char *iface;          /* live interface */
	const char *bpf;            /* capture filter */
	const char *learn_file;     /* baseline learned into */
	const char *baseline_file;  /* baseline detected against */
	int no_rules;               /* rules off */
};

struct report_html_stats {
	uint64_t written, write_errors;
	uint64_t alerts, signatures, signatures_dropped;
	uint64_t edge_marks_dropped;
};

struct report_html;
struct inventory;
struct sensor;

/* NULL on allocation failure.  inv is borrowed; s (may be NULL: no run
 * counters on the page) is borrowed; run (may be NULL) is copied, the
 * strings it points to are borrowed for the report's life. */
struct report_html *report_html_new(struct inventory *inv, struct sensor *s,
				    const struct report_html_run *run);
/* A page of an inventory document instead (a merged site: no alerts, no
 * run counters); doc is referenced, not copied.  NULL on allocation
 * failure. */
struct report_html *report_html_new_doc(json_t *doc, const struct report_html_run *run);
void report_html_free(struct report_html *r);

/* Count one raised alert (before deduplication and rate limits). */
void report_html_alert(struct report_html *r, const struct report_alert *a);

/* The page to fp.  0, or -1 on a write error. */
int report_html_write_fp(struct report_html *r, FILE *fp);
/* The page to path atomically (temporary file beside it, fsync, rename).
 * 0, or -1 with a one-line reason in err. */
int report_html_write(struct report_html *r, const char *path, char *err, size_t errlen);
void report_html_get_stats(const struct report_html *r, struct report_html_stats *st);

/*
 * Hand the report to the sensor as an observer that writes path at the end
 * and on every snapshot (SIGUSR1, the sensor's snapshot timer).  Observe it
 * after every other module, so it writes last.  0, or -1 with err set (the
 * report is then still the caller's).
 */
int report_html_observe(struct sensor *s, struct report_html *r, const char *path,
			char *err, size_t errlen);

#endif /* OTS_REPORT_HTML_H */
