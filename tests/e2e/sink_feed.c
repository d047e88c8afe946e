/*
 * sink_feed.c - drives the SIEM feed for tests/syslog_rsyslog.sh: real
 * alerts through the alerter, the EVE writer and one --sink URI, in
 * phases the script controls with files in CTRL_DIR.
 *
 *   sink_feed URI CTRL_DIR N1 N2 [FILE]
 *
 * With FILE (EVE lines, such as a capture's alerts) its first N1 lines and
 * the N2 after them are written instead of the raised alerts.
 *
 *   1. raise N1 alerts (evidence.seq 0..N1-1), keep the sink flushing until
 *      CTRL_DIR/phase2 exists (the script has stopped the receiver);
 *   2. raise N2 more alerts, write CTRL_DIR/queued;
 *   3. keep flushing until CTRL_DIR/phase3 exists (receiver restarted) and
 *      the queue is empty, then close (bounded drain) and print the sink's
 *      counters as one JSON line.
 *
 * Every wait is bounded (60 s); exit status 0, or 1 on a timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "alert.h"
#include "eve.h"
#include "sink.h"
#include "options.h"

static char ctrl[512];

static int exists(const char *name)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", ctrl, name);
	return access(p, F_OK) == 0;
}

static void touch(const char *name)
{
	char p[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", ctrl, name);
	f = fopen(p, "w");
	if (f)
		fclose(f);
}

static void nap(void)
{
	struct timespec ts = { 0, 20 * 1000000L };

	nanosleep(&ts, NULL);
}

static long queued(struct eve *e, const char *uri)
{
	json_t *o = json_object();
	long q;

	eve_stats(e, o);
	q = (long)json_integer_value(json_object_get(json_object_get(o, uri), "queued"));
	json_decref(o);
	return q;
}

static void raise_alerts(struct alerter *al, int from, int n)
{
	struct alert a;
	int i;

	for (i = from; i < from + n; i++) {
		memset(&a, 0, sizeof(a));
		a.sid = 9900001;
		a.rev = 1;
		a.gid = 1;
		a.signature = "sink feed test alert";
		a.category = "Misc activity";
		a.severity = 2;
		a.mitre_id = "T0855";
		a.source = "rule";
		gettimeofday(&a.ts, NULL);
		a.evidence = json_pack("{s:i}", "seq", i);
		alert_raise(al, &a);
	}
}

/* Lines first .. first+n-1 of fp (rewound by the caller) as events. */
static int replay_lines(struct eve *e, FILE *fp, int n)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int i;

	for (i = 0; i < n; i++) {
		json_t *ev;

		len = getline(&line, &cap, fp);
		if (len <= 0)
			break;
		ev = json_loadb(line, (size_t)len, 0, NULL);
		if (!ev) {
			fprintf(stderr, "sink_feed: line %d is not JSON\n", i + 1);
			break;
		}
		eve_write(e, ev);
	}
	free(line);
	return i == n ? 0 : -1;
}

/* Flush until cond (a control file) exists and, when drain, the queue is
 * empty.  0, or -1 after 60 s. */
static int pump_until(struct eve *e, const char *uri, const char *cond, int drain)
{
	int i;

	for (i = 0; i < 3000; i++) {
		eve_flush(e);
		if ((!cond || exists(cond)) && (!drain || queued(e, uri) == 0))
			return 0;
		nap();
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct eve *e;
	struct alerter *al;
	struct alert_config cfg;
	char err[256];
	int n1, n2, rc = 0;
	json_t *o;
	char *line;

	FILE *lines = NULL;

	if (argc != 5 && argc != 6) {
		fputs("usage: sink_feed URI CTRL_DIR N1 N2 [FILE]\n", stderr);
		return 2;
	}
	if (argc == 6 && !(lines = fopen(argv[5], "r"))) {
		perror(argv[5]);
		return 2;
	}
	snprintf(ctrl, sizeof(ctrl), "%s", argv[2]);
	n1 = atoi(argv[3]);
	n2 = atoi(argv[4]);
	e = eve_new();
	if (!e || sink_add(e, argv[1], 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "sink_feed: %s\n", e ? err : "out of memory");
		return 1;
	}
	ots_alert_config_default(&cfg);
	cfg.max_per_second = 0;
	al = alerter_new(e, &cfg);

	if (lines ? replay_lines(e, lines, n1) < 0 : (raise_alerts(al, 0, n1), 0)) {
		fputs("sink_feed: FILE has fewer lines than N1\n", stderr);
		rc = 1;
	}
	if (pump_until(e, argv[1], "phase2", 1) < 0) {
		fputs("sink_feed: timeout in phase 1\n", stderr);
		rc = 1;
	}
	if (lines ? replay_lines(e, lines, n2) < 0 : (raise_alerts(al, n1, n2), 0)) {
		fputs("sink_feed: FILE has fewer lines than N1 + N2\n", stderr);
		rc = 1;
	}
	eve_flush(e);
	fprintf(stderr, "sink_feed: %ld queued while the receiver is away\n", queued(e, argv[1]));
	touch("queued");
	if (pump_until(e, argv[1], "phase3", 1) < 0) {
		fputs("sink_feed: timeout in phase 3\n", stderr);
		rc = 1;
	}
	o = json_object();
	eve_stats(e, o);
	line = json_dumps(json_object_get(o, argv[1]), JSON_COMPACT);
	printf("%s\n", line ? line : "{}");
	free(line);
	json_decref(o);
	alerter_free(al);
	eve_free(e);
	if (lines)
		fclose(lines);
	return rc;
}
