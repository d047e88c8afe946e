/*
 * baseline.h - learn what normal looks like, then flag departures from it.
 *
 * The model is a bounded set of learned facts about the network:
 *
 *   asset       an IP address, the MACs and VLANs it was seen with
 *   identity    an asset's identity facts (vendor, model, firmware ...)
 *   service     a protocol an address speaks as client or server
 *   edge        client, server, protocol, server port
 *   operation   per edge: function (and sub-function), unit / link address
 *   range       per edge and function: address ranges touched
 *   channel     per recurring request: its period (mean, spread, min, max)
 *   transition  per edge: which request follows which (message order)
 *   value       per server, unit and point: the learned range of read values
 *   io connection  per originator, target and target path: a connection's
 *               transport class, RPIs and sizes (EtherNet/IP Forward Open)
 *   io stream   per sender and receiver: cyclic I/O packets and their interval
 *
 * Learning records facts; detection compares every packet and OT event
 * against them and raises alerts through the alerter (gid 2, sids 2000001..).
 * Every alert type, its signature id and thresholds are documented in
 * otsentry-baseline(5), as is the file format.
 *
 * Ownership: the baseline owns its tables; baseline_observe hands the
 * baseline to the sensor as an observer, which frees it.
 */
#ifndef OTS_BASELINE_H
#define OTS_BASELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

struct sensor;
struct alerter;
struct ot_event;
struct pkt_meta;
struct flow;

#define BASELINE_FORMAT  "otsentry-baseline"
#define BASELINE_VERSION 1

/* Alert kinds; their order is their signature id minus BASELINE_SID_BASE. */
enum bl_kind {
	BL_NEW_ASSET = 1,
	BL_IP_MAC_CHANGE,
	BL_NEW_EDGE,
	BL_NEW_PROTOCOL,
	BL_NEW_FUNCTION,
	BL_UNEXPECTED_WRITE,
	BL_NEW_ADDRESS_RANGE,
	BL_IDENTITY_CHANGE,
	BL_PERIOD_DRIFT,
	BL_CHANNEL_SILENT,
	BL_UNEXPECTED_SEQUENCE,
	BL_VALUE_OUT_OF_RANGE,
	BL_EXTERNAL_OT_PEER,
	BL_SCAN,
	BL_ERROR_BURST,
	BL_CONFLICTING_COPY,
	BL_IT_CONVERSATION,     /* new non-OT conversation with an OT asset */
	BL_REMOTE_ACCESS,       /* ... that is RDP, VNC, SSH or Telnet */
	BL_FILE_TRANSFER,       /* ... that is SMB, FTP or TFTP */
	BL_NEW_IO_CONNECTION,   /* a connection (Forward Open) to a new target or path */
	BL_IO_CONNECTION_CHANGED,       /* ... re-opened with another RPI, size or class */
	BL_IO_SILENT,           /* a learned cyclic I/O stream stopped */
	BL_TEXT_CHANGE,         /* text held in registers changed */
	BL_KIND_COUNT
};

#define BASELINE_SID_BASE 2000000
#define BASELINE_GID      2

/* Defaults: ots_baseline_config_default() (src/app/options.c). */
struct bl_config {
	double period_spread;       /* K: drift beyond K standard deviations */
	double period_floor;        /* drift also needs this fraction of the mean (0.2) */
	double value_margin;        /* fraction of the learned span tolerated */
	double silence_timeout;     /* seconds before a periodic channel is silent */
	uint32_t max_keys;          /* everything learned, all kinds together */
	uint32_t min_period_samples;/* periods learned before a channel is judged (8) */
	uint32_t min_value_samples; /* values learned before a point is judged, and
				     * messages before an edge's errors are (8) */
	double min_span;            /* seconds of packet time between the first and
				     * the last sample of a model element before it
				     * is judged (60): values, channels, an edge's
				     * message order and error rate */
	uint32_t scan_targets;      /* unlearned targets per source per window (10) */
	uint32_t scan_units;        /* unlearned unit ids per source and server (5) */
	double scan_window;         /* seconds (60) */
	uint32_t error_burst;       /* error responses per edge per window (5) */
	uint32_t max_scan_sources;  /* tracked sources for scans (4096) */
	int it_conversations_all;   /* new IT conversations alert between any
				     * two hosts, not only with an OT asset (0) */
};


struct baseline;

/* New empty model; cfg (from ots_baseline_config_default(), adjusted) is
 * copied.  NULL when cfg is NULL or out of memory. */
struct baseline *baseline_new(const struct bl_config *cfg);
void baseline_free(struct baseline *b);

/*
 * Load a baseline file into a new model; NULL with a one-line reason in
 * err (file, what is wrong and where) when the file is unreadable, not
 * JSON, of another format or version, or any field is missing or mistyped.
 * A model is never returned half-read.
 */
struct baseline *baseline_load(const char *path, const struct bl_config *cfg,
			       char *err, size_t errlen);
/* Write atomically (temp file, fsync, rename).  0, or -1 with err set. */
int baseline_save(const struct baseline *b, const char *path, char *err, size_t errlen);

/* Learning on or off (off = detection against what is learned). */
void baseline_set_learning(struct baseline *b, int learning, int detecting);

/* Feed the model directly (the observer calls these). */
void baseline_packet(struct baseline *b, const struct pkt_meta *p,
		     const struct flow *f, int dir);
void baseline_event(struct baseline *b, const struct ot_event *ev);
void baseline_tick(struct baseline *b, const struct timeval *now);
/* A flow ends (judges conversations that ended before they were judged). */
void baseline_flow_end(struct baseline *b, const struct flow *f);

/* Where alerts go; NULL keeps them in counters only (tests). */
void baseline_set_alerter(struct baseline *b, struct alerter *al);
/* Alerts raised per kind so far (index enum bl_kind). */
uint64_t baseline_alert_count(const struct baseline *b, enum bl_kind k);
/* Learned entries, and entries refused because the cap was reached. */
void baseline_counts(const struct baseline *b, uint64_t *keys, uint64_t *refused);

const char *bl_kind_name(enum bl_kind k);  /* "new_edge" ... */

/* Human summary of a baseline file / difference of two; 0 or -1 (err set).
 * cfg: the thresholds that say which learned elements are confident
 * enough to be judged (shown per element). */
int baseline_show(const char *path, const struct bl_config *cfg, FILE *out,
		  char *err, size_t errlen);
int baseline_diff(const char *a, const char *b, FILE *out, char *err, size_t errlen);

/* How an attached baseline runs. */
struct baseline_run {
	const char *learn_file;         /* written at the end of learning, every ten
					 * minutes while learning and at the end of
					 * the input; NULL: not written */
	double learn_for;               /* > 0: learn this many seconds of packet
					 * time, then detect */
	const char *baseline_file;      /* loaded again on a reload request
					 * (SIGUSR2); NULL: nothing to reload */
	struct bl_config cfg;           /* thresholds for a reloaded model */
};

/*
 * Attach b to the sensor as an observer fed every packet, OT event and tick;
 * alerts go to al.  On success the sensor owns b; on failure (-1, err set)
 * the caller still does.
 */
int baseline_observe(struct sensor *s, struct baseline *b, struct alerter *al,
		     const struct baseline_run *run, char *err, size_t errlen);

#endif /* OTS_BASELINE_H */
