/*
 * options.h - everything the command line sets, in one frozen struct, and
 * every default: the one place where the sensor's numbers are written.
 *
 * main.c parses the command line into struct ots_options (every option is
 * documented in man/otsentry.8 and --help, which prints the OTS_DEF_*
 * values below); wiring.c turns the options into each module's
 * configuration.  The modules themselves hold no defaults: their
 * configurations start from the ots_*_config_default() functions here
 * (tests too).  After parsing the struct is read-only.
 */
#ifndef OTS_OPTIONS_H
#define OTS_OPTIONS_H

#include <stdint.h>

struct flow_config;
struct bl_config;
struct inventory_config;
struct ot_limits;
struct alert_config;

/* Defaults of the command-line settings (plain numbers: --help prints them
 * with OTS_DEF_STR). */
#define OTS_DEF_SNAPLEN             262144
#define OTS_DEF_BUFFER_MB           64
#define OTS_DEF_STATS_INTERVAL      60
#define OTS_DEF_MAX_OPEN_FILES      32
#define OTS_DEF_MAX_FLOWS           65536
#define OTS_DEF_FLOW_TIMEOUT        120
#define OTS_DEF_TCP_TIMEOUT         3600
#define OTS_DEF_MAX_REASSEMBLY      67108864    /* 64 MiB, all flows */
#define OTS_DEF_MAX_ASSETS          65536
#define OTS_DEF_MAX_EDGES           262144
#define OTS_DEF_PERIOD_SPREAD       3
#define OTS_DEF_VALUE_MARGIN        0.1
#define OTS_DEF_SILENCE_TIMEOUT     300
#define OTS_DEF_MAX_BASELINE_KEYS   100000
#define OTS_DEF_CONFIDENCE_SAMPLES  8
#define OTS_DEF_CONFIDENCE_SPAN     60
#define OTS_DEF_ALERT_RATE          100
#define OTS_DEF_IFACE_SILENCE       300
#define OTS_DEF_LOSS_THRESHOLD      5
#define OTS_DEF_LOSS_INTERVAL       60

/* Defaults of tunables no option sets (the modules get them through their
 * configurations, filled by the functions at the end of this file). */
#define OTS_DEF_MAX_PENDING         32          /* outstanding requests per flow */
#define OTS_DEF_MAX_OBJECTS         2048        /* DNP3 objects per message */
#define OTS_DEF_MAX_POINTS          16384       /* DNP3 points per message */
#define OTS_DEF_MAX_LOG_VALUES      64          /* values written to one EVE line */
#define OTS_DEF_MAX_PDU_BUFFER      65536       /* framer bytes per direction */
#define OTS_DEF_MAX_PDU_REASSEMBLY  65536       /* DNP3 transport / COTP fragments */
#define OTS_DEF_REASSEMBLY_TIMEOUT  30.0        /* seconds for an incomplete fragment */
#define OTS_DEF_ALERT_DEDUP_KEYS    65536       /* tracked alert repeat keys */
#define OTS_DEF_ALERT_SUMMARY       300.0       /* seconds between repeat summaries */

#define OTS_DEF_STR_(x) #x
#define OTS_DEF_STR(x) OTS_DEF_STR_(x)

#define OTS_MAX_MULTI    16     /* repeatable options: --rules, --geoip, --var, --sink */
#define OTS_MAX_IFACES   16     /* -i IFACE (repeatable) */
#define OTS_SENSOR_NAME_MAX 63  /* --sensor-name: fits a syslog HOSTNAME field */

struct ots_options {
	/* capture */
	const char **inputs;                  /* -r PATH (repeatable) and the operands
					       * after it; "-" = stdin; allocated */
	int n_inputs;
	int recursive;                        /* -R: subdirectories of -r directories */
	int no_merge;                         /* --no-merge: inputs in turn, not by time */
	int max_open_files;                   /* --max-open-files N */
	const char **merge_files;             /* --merge-inventory FILE... (allocated) */
	int n_merge;
	const char *iface;                    /* the first -i IFACE, or NULL (files) */
	const char *ifaces[OTS_MAX_IFACES];   /* -i IFACE (repeatable) */
	int n_ifaces;
	const char *bpf;                      /* -f 'BPF' */
	int snaplen;                          /* -s */
	int buffer_mb;                        /* -B MiB */
	int no_promisc;                       /* -p */
	double stats_interval;                /* --stats-interval SEC (live; 0 off) */
	double iface_silence;                 /* --iface-silence SEC (live; 0 off) */
	double loss_threshold;                /* --capture-loss-threshold PERCENT (live; 0 off) */
	double loss_interval;                 /* --capture-loss-interval SEC (live) */

	/* output */
	const char *output;                   /* -o FILE ("-" or NULL = stdout) */
	unsigned log_protocols;               /* bit (1 << enum ot_proto): protocol logs on */
	int log_anomalies;                    /* anomaly events (default on) */
	int log_flows;                        /* flow events (default on) */
	int quiet;                            /* -q: no summary on stderr */
	const char *sensor_name;              /* --sensor-name NAME ("host"; NULL: the host name) */
	int no_community_id;                  /* --no-community-id */
	uint16_t community_id_seed;           /* --community-id-seed N (0) */

	/* flows */
	uint32_t max_flows;                   /* --max-flows */
	double flow_timeout;                  /* --flow-timeout SEC */
	double tcp_timeout;                   /* --tcp-timeout SEC */
	uint64_t max_ooo_bytes;               /* --max-reassembly-bytes */
	int no_ndpi;                          /* --no-ndpi */

	/* inventory and graph */
	const char *inventory_file;           /* --inventory FILE */
	const char *graph_files[2];           /* --graph FILE.dot|FILE.graphml (twice at most) */
	int n_graph_files;
	const char *geoip[OTS_MAX_MULTI];     /* --geoip FILE (repeatable) */
	int n_geoip;
	const char *oui_file;                 /* --oui-file PATH */
	uint32_t max_assets;                  /* --max-assets */
	uint32_t max_edges;                   /* --max-edges */
	double snapshot_interval;             /* --snapshot-interval SEC (live) */
	const char *report_file;              /* --report FILE.html */

	/* baseline */
	const char *learn_file;               /* --learn FILE */
	const char *baseline_file;            /* --baseline FILE */
	double learn_for;                     /* --learn-for DURATION (live), seconds */
	double period_spread;                 /* --period-spread K */
	double value_margin;                  /* --value-margin FRACTION */
	double silence_timeout;               /* --silence-timeout SEC */
	uint32_t max_baseline_keys;           /* --max-baseline-keys */
	uint32_t confidence_samples;          /* --confidence-samples N */
	double confidence_span;               /* --confidence-span DURATION, seconds */
	int alert_all_conversations;          /* --alert-all-conversations */
	const char *baseline_show;            /* --baseline-show FILE: print and exit */
	const char *baseline_diff[2];         /* --baseline-diff OLD NEW: print and exit */

	/* rules and alerts */
	const char *rules[OTS_MAX_MULTI];     /* --rules PATH (repeatable) */
	int n_rules;
	const char *vars[OTS_MAX_MULTI];      /* --var NAME=VALUE (repeatable) */
	int n_vars;
	int rules_warn_only;                  /* --rules-warn: a broken rule file warns */
	int no_rules;                         /* --no-rules */
	uint32_t alert_rate;                  /* --alert-rate N per second */
	const char *sinks[OTS_MAX_MULTI];     /* --sink URI (repeatable; see sink.h) */
	int n_sinks;
	int cef;                              /* --cef: alerts rendered as CEF on sinks */
	/* service */
	const char *user;                     /* --user: run as USER once capture is open */
	const char *group;                    /* --group */
	const char *pidfile;                  /* --pidfile FILE */
	uint64_t memcap;                      /* --memcap BYTES (0: none) */
	uint64_t memcap_flow_bytes;           /* its reckoning of one flow (wiring_memcap) */
};

/* Defaults for every field. */
void ots_options_default(struct ots_options *o);

/* Each module's configuration with every default, including the tunables
 * that have no option (timeouts of closed and half-open TCP, nDPI packets,
 * baseline thresholds...). */
void ots_flow_config_default(struct flow_config *cfg);
void ots_baseline_config_default(struct bl_config *cfg);
void ots_limits_default(struct ot_limits *lim);         /* the dissectors' limits */
void ots_alert_config_default(struct alert_config *cfg);
void ots_inventory_config_default(struct inventory_config *cfg);

#endif /* OTS_OPTIONS_H */
