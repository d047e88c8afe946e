/*
 * main.c - otsentry: parse the command line, wire the pipeline, run it.
 *
 * Everything here is glue: option parsing into struct ots_options, the EVE
 * writer and its sinks, the sensor and its observers, then capture.  Exit
 * status (otsentry(8), EXIT STATUS): 0 success; 1 a failure while running
 * (nothing could be read, a module could not start, events lost on any
 * output); 2 bad command line or configuration, found before any input is
 * read; 3 read, but an input was skipped (not a capture, unreadable, an
 * interface never opened).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "baseline.h"
#include "capture.h"
#include "classify.h"
#include "conffile.h"
#include "eve.h"
#include "flow.h"
#include "inventory.h"
#include "merge_cmd.h"
#include "options.h"
#include "privdrop.h"
#include "protolog.h"
#include "rules.h"
#include "sensor.h"
#include "sink.h"
#include "wiring.h"
#include "event.h"

enum {
	OPT_STATS_INTERVAL = 256, OPT_LOG, OPT_NO_LOG, OPT_NO_FLOW_LOG,
	OPT_NO_ANOMALY_LOG, OPT_MAX_FLOWS, OPT_FLOW_TIMEOUT, OPT_TCP_TIMEOUT,
	OPT_MAX_REASSEMBLY, OPT_NO_NDPI, OPT_INVENTORY, OPT_GRAPH, OPT_GEOIP,
	OPT_OUI_FILE, OPT_MAX_ASSETS, OPT_MAX_EDGES, OPT_SNAPSHOT_INTERVAL, OPT_REPORT,
	OPT_LEARN, OPT_BASELINE, OPT_LEARN_FOR, OPT_PERIOD_SPREAD,
	OPT_VALUE_MARGIN, OPT_SILENCE_TIMEOUT, OPT_MAX_BASELINE_KEYS,
	OPT_CONFIDENCE_SAMPLES, OPT_CONFIDENCE_SPAN,
	OPT_BASELINE_SHOW, OPT_BASELINE_DIFF, OPT_RULES,
	OPT_VAR, OPT_RULES_WARN, OPT_NO_RULES, OPT_ALERT_RATE, OPT_SINK, OPT_CEF,
	OPT_ALERT_ALL_CONV, OPT_CONFIG, OPT_USER, OPT_GROUP, OPT_PIDFILE,
	OPT_SENSOR_NAME, OPT_COMMUNITY_ID_SEED, OPT_NO_COMMUNITY_ID,
	OPT_NO_MERGE, OPT_MAX_OPEN_FILES, OPT_IFACE_SILENCE, OPT_LOSS_THRESHOLD,
	OPT_LOSS_INTERVAL, OPT_MERGE_INVENTORY, OPT_MEMCAP,
	OPT_HELP, OPT_VERSION
};

static const struct option long_opts[] = {
	{ "read", required_argument, NULL, 'r' },
	{ "recursive", no_argument, NULL, 'R' },
	{ "no-merge", no_argument, NULL, OPT_NO_MERGE },
	{ "max-open-files", required_argument, NULL, OPT_MAX_OPEN_FILES },
	{ "interface", required_argument, NULL, 'i' },
	{ "filter", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "snaplen", required_argument, NULL, 's' },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "no-promisc", no_argument, NULL, 'p' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
	{ "iface-silence", required_argument, NULL, OPT_IFACE_SILENCE },
	{ "capture-loss-threshold", required_argument, NULL, OPT_LOSS_THRESHOLD },
	{ "capture-loss-interval", required_argument, NULL, OPT_LOSS_INTERVAL },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "no-log", required_argument, NULL, OPT_NO_LOG },
	{ "no-flow-log", no_argument, NULL, OPT_NO_FLOW_LOG },
	{ "no-anomaly-log", no_argument, NULL, OPT_NO_ANOMALY_LOG },
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "flow-timeout", required_argument, NULL, OPT_FLOW_TIMEOUT },
	{ "tcp-timeout", required_argument, NULL, OPT_TCP_TIMEOUT },
	{ "max-reassembly-bytes", required_argument, NULL, OPT_MAX_REASSEMBLY },
	{ "no-ndpi", no_argument, NULL, OPT_NO_NDPI },
	{ "inventory", required_argument, NULL, OPT_INVENTORY },
	{ "merge-inventory", required_argument, NULL, OPT_MERGE_INVENTORY },
	{ "graph", required_argument, NULL, OPT_GRAPH },
	{ "geoip", required_argument, NULL, OPT_GEOIP },
	{ "oui-file", required_argument, NULL, OPT_OUI_FILE },
	{ "max-assets", required_argument, NULL, OPT_MAX_ASSETS },
	{ "max-edges", required_argument, NULL, OPT_MAX_EDGES },
	{ "snapshot-interval", required_argument, NULL, OPT_SNAPSHOT_INTERVAL },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "learn", required_argument, NULL, OPT_LEARN },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "learn-for", required_argument, NULL, OPT_LEARN_FOR },
	{ "period-spread", required_argument, NULL, OPT_PERIOD_SPREAD },
	{ "value-margin", required_argument, NULL, OPT_VALUE_MARGIN },
	{ "silence-timeout", required_argument, NULL, OPT_SILENCE_TIMEOUT },
	{ "max-baseline-keys", required_argument, NULL, OPT_MAX_BASELINE_KEYS },
	{ "confidence-samples", required_argument, NULL, OPT_CONFIDENCE_SAMPLES },
	{ "confidence-span", required_argument, NULL, OPT_CONFIDENCE_SPAN },
	{ "alert-all-conversations", no_argument, NULL, OPT_ALERT_ALL_CONV },
	{ "baseline-show", required_argument, NULL, OPT_BASELINE_SHOW },
	{ "baseline-diff", required_argument, NULL, OPT_BASELINE_DIFF },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "var", required_argument, NULL, OPT_VAR },
	{ "rules-warn", no_argument, NULL, OPT_RULES_WARN },
	{ "no-rules", no_argument, NULL, OPT_NO_RULES },
	{ "alert-rate", required_argument, NULL, OPT_ALERT_RATE },
	{ "sink", required_argument, NULL, OPT_SINK },
	{ "cef", no_argument, NULL, OPT_CEF },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "user", required_argument, NULL, OPT_USER },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "memcap", required_argument, NULL, OPT_MEMCAP },
	{ "sensor-name", required_argument, NULL, OPT_SENSOR_NAME },
	{ "community-id-seed", required_argument, NULL, OPT_COMMUNITY_ID_SEED },
	{ "no-community-id", no_argument, NULL, OPT_NO_COMMUNITY_ID },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const char usage_text[] =
"Usage: otsentry [OPTIONS] -r PATH [PATH...] | -i IFACE\n"
"       otsentry --merge-inventory FILE [FILE...] --inventory SITE.json [--graph F] [--report F]\n"
"Passive OT network sensor: Modbus/TCP, DNP3, S7comm, EtherNet/IP, IEC 104; EVE JSON lines out.\n"
"\n"
"Capture:\n"
"  -r PATH                 read capture files: pcap/pcapng, also gzip- or\n"
"                          zstd-compressed; a directory: every file in it;\n"
"                          repeatable, and operands after it too; - = stdin.\n"
"                          Packets of all files merged by time\n"
"  -R, --recursive         read the subdirectories of -r directories too\n"
"  --no-merge              read the files one after the other, not by time\n"
"  --max-open-files N      files open at once while merging (" OTS_DEF_STR(OTS_DEF_MAX_OPEN_FILES) ")\n"
"  -i IFACE                capture live on IFACE (repeatable, up to " OTS_DEF_STR(OTS_MAX_IFACES) ";\n"
"                          events carry in_iface)\n"
"  -f BPF                  capture filter (both modes)\n"
"  -s SNAPLEN              live: bytes kept per packet (" OTS_DEF_STR(OTS_DEF_SNAPLEN) ")\n"
"  -B MIB                  live: kernel buffer size in MiB (" OTS_DEF_STR(OTS_DEF_BUFFER_MB) ")\n"
"  -p                      live: do not enable promiscuous mode\n"
"  --stats-interval SEC    live: seconds between stats events (" OTS_DEF_STR(OTS_DEF_STATS_INTERVAL) "; 0 off)\n"
"  --iface-silence SEC     live: no packet on an interface this long: a\n"
"                          sensor event (" OTS_DEF_STR(OTS_DEF_IFACE_SILENCE) "; 0 off)\n"
"  --capture-loss-threshold PCT  live: estimated capture loss above PCT\n"
"                          percent: a sensor event (" OTS_DEF_STR(OTS_DEF_LOSS_THRESHOLD) "; 0 off)\n"
"  --capture-loss-interval SEC  live: the period loss is judged over (" OTS_DEF_STR(OTS_DEF_LOSS_INTERVAL) ")\n"
"Output:\n"
"  -o FILE                 write events to FILE (default/-: stdout)\n"
"  --log LIST              protocol logs to write (modbus,dnp3,s7comm,... or all)\n"
"  --no-log LIST           protocol logs to suppress (default: all on)\n"
"  --no-flow-log           no flow events\n"
"  --no-anomaly-log        no anomaly events\n"
"  --sink URI              extra output (repeatable; see otsentry(8))\n"
"  --cef                   alerts rendered as CEF on the sinks\n"
"  --sensor-name NAME      \"host\" in every event and syslog header (host name)\n"
"  --community-id-seed N   seed of the Community ID flow hash (0; 0-65535)\n"
"  --no-community-id       no community_id in events\n"
"  -q                      no summary or progress line on stderr\n"
"Flows:\n"
"  --max-flows N           flow table cap (" OTS_DEF_STR(OTS_DEF_MAX_FLOWS) ")\n"
"  --flow-timeout SEC      idle timeout, UDP and other (" OTS_DEF_STR(OTS_DEF_FLOW_TIMEOUT) ")\n"
"  --tcp-timeout SEC       idle timeout, established TCP (" OTS_DEF_STR(OTS_DEF_TCP_TIMEOUT) ")\n"
"  --max-reassembly-bytes N  out-of-order bytes buffered, all flows (" OTS_DEF_STR(OTS_DEF_MAX_REASSEMBLY) ")\n"
"  --no-ndpi               no nDPI application labels\n"
"Inventory and graph:\n"
"  --inventory FILE        write the asset inventory (JSON)\n"
"  --graph FILE            write the communication graph (.dot or .graphml; twice)\n"
"  --merge-inventory FILE  merge the --inventory files of several sensors (and\n"
"                          the operands after it) into one site: written with\n"
"                          --inventory, --graph, --report; no capture\n"
"  --geoip FILE            MaxMind database (repeatable)\n"
"  --oui-file PATH         IEEE OUI registry (" OTS_OUI_FILE ")\n"
"  --max-assets N          asset table cap (" OTS_DEF_STR(OTS_DEF_MAX_ASSETS) ")\n"
"  --max-edges N           graph edge cap (" OTS_DEF_STR(OTS_DEF_MAX_EDGES) ")\n"
"  --snapshot-interval SEC live: inventory and report snapshot period (0 off)\n"
"  --report FILE.html      write the plant as one self-contained HTML page\n"
"Baseline:\n"
"  --learn FILE            learn a baseline and write it to FILE\n"
"  --baseline FILE         detect deviations from the baseline in FILE\n"
"  --learn-for DURATION    learn this long, then detect (300, 5m, 2h, 1d)\n"
"  --period-spread K       tolerated spread of polling periods (" OTS_DEF_STR(OTS_DEF_PERIOD_SPREAD) ")\n"
"  --value-margin FRACTION tolerated margin around learned value ranges (" OTS_DEF_STR(OTS_DEF_VALUE_MARGIN) ")\n"
"  --silence-timeout SEC   a learned conversation silent this long alerts (" OTS_DEF_STR(OTS_DEF_SILENCE_TIMEOUT) ")\n"
"  --max-baseline-keys N   baseline entry cap (" OTS_DEF_STR(OTS_DEF_MAX_BASELINE_KEYS) ")\n"
"  --confidence-samples N  samples a learned value, polling period or\n"
"                          conversation needs before it is judged (" OTS_DEF_STR(OTS_DEF_CONFIDENCE_SAMPLES) ")\n"
"  --confidence-span DURATION  ... and packet time between its first and\n"
"                          last sample (" OTS_DEF_STR(OTS_DEF_CONFIDENCE_SPAN) "; 0: samples only)\n"
"  --alert-all-conversations  new IT conversations alert between any hosts,\n"
"                          not only with an OT asset\n"
"  --baseline-show FILE    print a baseline as a summary and exit\n"
"  --baseline-diff OLD NEW print what differs between two baselines and exit\n"
"Rules and alerts:\n"
"  --rules PATH            rule file or directory (repeatable)\n"
"  --var NAME=VALUE        rule variable (repeatable)\n"
"  --rules-warn            a broken rule file warns instead of failing\n"
"  --no-rules              load no rules\n"
"  --alert-rate N          alerts per second at most (" OTS_DEF_STR(OTS_DEF_ALERT_RATE) ")\n"
"Service:\n"
"  --config FILE           options, one per line ('none': no file; default,\n"
"                          when it exists: " OTS_CONFIG_FILE ")\n"
"  --user USER             after opening capture and outputs, run as USER\n"
"  --group GROUP           ... and GROUP (default: USER's primary group)\n"
"  --pidfile FILE          write the process id to FILE\n"
"  --memcap SIZE           share SIZE bytes (K, M, G suffixes; at least 1M)\n"
"                          among flows, reassembly, assets and edges by\n"
"                          lowering their caps (see otsentry(8), MEMORY)\n"
"Other:\n"
"  --help                  this text\n"
"  --version               version\n";

static void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Set while the configuration file is read: errors name FILE:LINE. */
static const char *conf_path;
static int conf_line;

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("otsentry: ", stderr);
	if (conf_path)
		fprintf(stderr, "%s:%d: ", conf_path, conf_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(conf_path ? "\nSee otsentry(8), CONFIGURATION FILE.\n" : "\nTry 'otsentry --help'.\n", stderr);
	exit(2);
}

static uint64_t parse_u64(const char *opt, const char *s, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!s[0] || s[0] == '-' || s[0] == '+' || s[0] == ' ')
		usage_error("%s: '%s' is not a number", opt, s);
	v = strtoull(s, &end, 10);
	if (*end)
		usage_error("%s: '%s' is not a number", opt, s);
	if (errno == ERANGE || v > max)
		usage_error("%s: '%s' is out of range", opt, s);
	return v;
}

/* parse_u64 with a lower bound too: a cap of 0 is not a cap. */
static uint64_t parse_range(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v = parse_u64(opt, s, max);

	if (v < min)
		usage_error("%s: '%s' is out of range (%llu to %llu)", opt, s,
			    (unsigned long long)min, (unsigned long long)max);
	return v;
}

static double parse_double(const char *opt, const char *s)
{
	char *end;
	double v;

	errno = 0;
	if (!s[0] || s[0] == ' ')
		usage_error("%s: '%s' is not a number", opt, s);
	v = strtod(s, &end);
	if (*end || v != v)
		usage_error("%s: '%s' is not a number", opt, s);
	if (errno == ERANGE || v < 0 || v > 1e12)
		usage_error("%s: '%s' is out of range", opt, s);
	return v;
}

/* "134217728", "128M", "512K", "2G" -> bytes, 1 MiB to 1 TiB. */
static uint64_t parse_size(const char *opt, const char *s)
{
	char buf[32];
	size_t n = strlen(s);
	uint64_t mult = 1, v;

	if (n == 0 || n >= sizeof(buf))
		usage_error("%s: '%s' is not a size", opt, s);
	memcpy(buf, s, n + 1);
	switch (buf[n - 1]) {
	case 'k': case 'K': mult = 1ULL << 10; buf[--n] = 0; break;
	case 'm': case 'M': mult = 1ULL << 20; buf[--n] = 0; break;
	case 'g': case 'G': mult = 1ULL << 30; buf[--n] = 0; break;
	default: break;
	}
	if (n == 0)
		usage_error("%s: '%s' is not a size", opt, s);
	v = parse_u64(opt, buf, (1ULL << 40) / mult);
	if (v * mult < (1ULL << 20))
		usage_error("%s: '%s' is out of range (1M to 1024G)", opt, s);
	return v * mult;
}

/* "300", "300s", "5m", "2h", "1d" -> seconds. */
static double parse_duration(const char *opt, const char *s)
{
	char buf[64];
	size_t n = strlen(s);
	double mult = 1;

	if (n == 0 || n >= sizeof(buf))
		usage_error("%s: '%s' is not a duration", opt, s);
	memcpy(buf, s, n + 1);
	switch (buf[n - 1]) {
	case 's': mult = 1; buf[--n] = 0; break;
	case 'm': mult = 60; buf[--n] = 0; break;
	case 'h': mult = 3600; buf[--n] = 0; break;
	case 'd': mult = 86400; buf[--n] = 0; break;
	default: break;
	}
	if (n == 0)
		usage_error("%s: '%s' is not a duration", opt, s);
	return parse_double(opt, buf) * mult;
}

/* Comma-separated protocol names or "all" -> bit set. */
static unsigned parse_proto_list(const char *opt, const char *s)
{
	unsigned bits = 0;
	const char *p = s;

	while (*p) {
		char name[32];
		size_t n = strcspn(p, ",");
		enum ot_proto pr;

		if (n == 0 || n >= sizeof(name))
			usage_error("%s: bad protocol list '%s'", opt, s);
		memcpy(name, p, n);
		name[n] = 0;
		if (strcmp(name, "all") == 0) {
			bits |= ~0u;
		} else {
			pr = ot_proto_from_name(name);
			if (pr == OT_PROTO_UNKNOWN)
				usage_error("%s: unknown protocol '%s'", opt, name);
			bits |= 1u << pr;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (!bits)
		usage_error("%s: bad protocol list '%s'", opt, s);
	return bits;
}

static void add_multi(const char *opt, const char **arr, int *n, int max, const char *v)
{
	char lim[16];

	if (*n >= max) {
		snprintf(lim, sizeof(lim), "%d", max);
		usage_error("%s: at most %s times", opt, lim);
	}
	arr[(*n)++] = v;
}

/* A sensor name fits an RFC 5424 HOSTNAME: printable ASCII, no spaces. */
static int sensor_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > OTS_SENSOR_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < 33 || s[i] > 126)
			return 0;
	return 1;
}

/* One more path in a growing list (-r, --merge-inventory). */
static void add_path(const char ***list, int *n, const char *path)
{
	const char **v;

	if ((*n & (*n - 1)) == 0) {     /* 0, 1, 2, 4, ...: grow */
		v = realloc(*list, (size_t)(*n ? 2 * *n : 1) * sizeof(*v));
		if (!v) {
			fputs("otsentry: out of memory\n", stderr);
			exit(1);
		}
		*list = v;
	}
	(*list)[(*n)++] = path;
}

/* -r PATH and the operands after it: any number. */
static void add_input(struct ots_options *o, const char *path)
{
	add_path(&o->inputs, &o->n_inputs, path);
}

/* --merge-inventory FILE and the operands after it. */
static void add_merge(struct ots_options *o, const char *path)
{
	if (o->n_merge >= OTS_MAX_MERGE_FILES)
		usage_error("--merge-inventory: at most %d files", OTS_MAX_MERGE_FILES);
	add_path(&o->merge_files, &o->n_merge, path);
}

static void parse_args(int argc, char **argv, struct ots_options *o)
{
	int c, first_log = 1;

	while ((c = getopt_long(argc, argv, "r:Ri:f:o:s:B:pqhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'r': add_input(o, optarg); break;
		case 'R': o->recursive = 1; break;
		case OPT_NO_MERGE: o->no_merge = 1; break;
		case OPT_MAX_OPEN_FILES: o->max_open_files = (int)parse_u64("--max-open-files", optarg, 1000);
			if (o->max_open_files < 1)
				usage_error("--max-open-files: '%s' is out of range", optarg);
			break;
		case 'i':
			add_multi("-i", o->ifaces, &o->n_ifaces, OTS_MAX_IFACES, optarg);
			o->iface = o->ifaces[0];
			break;
		case 'f': o->bpf = optarg; break;
		case 'o': o->output = optarg; break;
		case 's': o->snaplen = (int)parse_u64("-s", optarg, 262144); break;
		case 'B': o->buffer_mb = (int)parse_u64("-B", optarg, 4096); break;
		case 'p': o->no_promisc = 1; break;
		case 'q': o->quiet = 1; break;
		case OPT_STATS_INTERVAL: o->stats_interval = parse_double("--stats-interval", optarg); break;
		case OPT_IFACE_SILENCE: o->iface_silence = parse_double("--iface-silence", optarg); break;
		case OPT_LOSS_THRESHOLD:
			o->loss_threshold = parse_double("--capture-loss-threshold", optarg);
			if (o->loss_threshold > 100)
				usage_error("--capture-loss-threshold: '%s' is out of range (0-100)", optarg);
			break;
		case OPT_LOSS_INTERVAL:
			o->loss_interval = parse_double("--capture-loss-interval", optarg);
			if (o->loss_interval < 1)
				usage_error("--capture-loss-interval: '%s' is out of range (at least 1)", optarg);
			break;
		case OPT_LOG:
			if (first_log)
				o->log_protocols = 0;
			first_log = 0;
			o->log_protocols |= parse_proto_list("--log", optarg);
			break;
		case OPT_NO_LOG: o->log_protocols &= ~parse_proto_list("--no-log", optarg); break;
		case OPT_NO_FLOW_LOG: o->log_flows = 0; break;
		case OPT_NO_ANOMALY_LOG: o->log_anomalies = 0; break;
		case OPT_MAX_FLOWS: o->max_flows = (uint32_t)parse_range("--max-flows", optarg, 1, FLOW_MAX_FLOWS); break;
		case OPT_FLOW_TIMEOUT: o->flow_timeout = parse_double("--flow-timeout", optarg); break;
		case OPT_TCP_TIMEOUT: o->tcp_timeout = parse_double("--tcp-timeout", optarg); break;
		case OPT_MAX_REASSEMBLY: o->max_ooo_bytes = parse_u64("--max-reassembly-bytes", optarg, UINT64_MAX / 2); break;
		case OPT_NO_NDPI: o->no_ndpi = 1; break;
		case OPT_INVENTORY: o->inventory_file = optarg; break;
		case OPT_GRAPH: add_multi("--graph", o->graph_files, &o->n_graph_files, 2, optarg); break;
		case OPT_GEOIP: add_multi("--geoip", o->geoip, &o->n_geoip, OTS_MAX_MULTI, optarg); break;
		case OPT_OUI_FILE: o->oui_file = optarg; break;
		case OPT_MAX_ASSETS: o->max_assets = (uint32_t)parse_range("--max-assets", optarg, 2, 100000000); break;
		case OPT_MAX_EDGES: o->max_edges = (uint32_t)parse_range("--max-edges", optarg, 1, 100000000); break;
		case OPT_REPORT: o->report_file = optarg; break;
		case OPT_SNAPSHOT_INTERVAL: o->snapshot_interval = parse_double("--snapshot-interval", optarg); break;
		case OPT_LEARN: o->learn_file = optarg; break;
		case OPT_BASELINE: o->baseline_file = optarg; break;
		case OPT_LEARN_FOR: o->learn_for = parse_duration("--learn-for", optarg); break;
		case OPT_PERIOD_SPREAD: o->period_spread = parse_double("--period-spread", optarg); break;
		case OPT_VALUE_MARGIN: o->value_margin = parse_double("--value-margin", optarg); break;
		case OPT_SILENCE_TIMEOUT: o->silence_timeout = parse_double("--silence-timeout", optarg); break;
		case OPT_MAX_BASELINE_KEYS: o->max_baseline_keys = (uint32_t)parse_range("--max-baseline-keys", optarg, 1, 100000000); break;
		case OPT_CONFIDENCE_SAMPLES: o->confidence_samples = (uint32_t)parse_u64("--confidence-samples", optarg, 1000000000); break;
		case OPT_CONFIDENCE_SPAN: o->confidence_span = parse_duration("--confidence-span", optarg); break;
		case OPT_ALERT_ALL_CONV: o->alert_all_conversations = 1; break;
		case OPT_BASELINE_SHOW: o->baseline_show = optarg; break;
		case OPT_MERGE_INVENTORY: add_merge(o, optarg); break;
		case OPT_BASELINE_DIFF:
			o->baseline_diff[0] = optarg;
			if (optind >= argc || argv[optind][0] == '-')
				usage_error("--baseline-diff needs two files: OLD NEW");
			o->baseline_diff[1] = argv[optind++];
			break;
		case OPT_RULES: add_multi("--rules", o->rules, &o->n_rules, OTS_MAX_MULTI, optarg); break;
		case OPT_VAR:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				usage_error("%s: '%s' is not NAME=VALUE", "--var", optarg);
			add_multi("--var", o->vars, &o->n_vars, OTS_MAX_MULTI, optarg);
			break;
		case OPT_RULES_WARN: o->rules_warn_only = 1; break;
		case OPT_NO_RULES: o->no_rules = 1; break;
		case OPT_ALERT_RATE: o->alert_rate = (uint32_t)parse_u64("--alert-rate", optarg, 1000000000); break;
		case OPT_SINK: add_multi("--sink", o->sinks, &o->n_sinks, OTS_MAX_MULTI, optarg); break;
		case OPT_CEF: o->cef = 1; break;
		case OPT_CONFIG: break;         /* read before the command line */
		case OPT_USER: o->user = optarg; break;
		case OPT_GROUP: o->group = optarg; break;
		case OPT_PIDFILE: o->pidfile = optarg; break;
		case OPT_MEMCAP: o->memcap = parse_size("--memcap", optarg); break;
		case OPT_SENSOR_NAME:
			if (!sensor_name_ok(optarg))
				usage_error("--sensor-name: '%s' must be 1 to %d printable ASCII characters without spaces",
					    optarg, OTS_SENSOR_NAME_MAX);
			o->sensor_name = optarg;
			break;
		case OPT_COMMUNITY_ID_SEED:
			o->community_id_seed = (uint16_t)parse_u64("--community-id-seed", optarg, 65535);
			break;
		case OPT_NO_COMMUNITY_ID: o->no_community_id = 1; break;
		case 'h':
		case OPT_HELP: fputs(usage_text, stdout); exit(0);
		case 'V':
		case OPT_VERSION: printf("otsentry %s\n", PACKAGE_VERSION); exit(0);
		default:
			if (conf_path)
				usage_error("not a valid option line");
			fputs("Try 'otsentry --help'.\n", stderr);
			exit(2);
		}
	}
	/* operands after -r are more inputs (-r a.pcap b.pcap.gz DIR), after
	 * --merge-inventory more inventories */
	if (optind < argc && !o->n_inputs && !o->n_merge)
		usage_error("unexpected argument '%s'", argv[optind]);
	while (optind < argc) {
		if (o->n_inputs)
			add_input(o, argv[optind++]);
		else
			add_merge(o, argv[optind++]);
	}
}

static void print_summary(const struct capture_result *res, struct sensor *s)
{
	struct eve *e = sensor_eve(s);
	uint64_t lines = 0, errs = 0;

	eve_get_counts(e, &lines, &errs);
	fprintf(stderr, "otsentry: %llu packets, %d input(s) read, %d failed, %llu events written%s\n",
		(unsigned long long)res->packets, res->files_ok, res->files_failed,
		(unsigned long long)lines, errs ? " (write errors)" : "");
	if (res->files_skipped)
		fprintf(stderr, "otsentry: %d input(s) skipped (listed above): exit status 3\n",
			res->files_skipped);
}

/* A file written only at the end of the run (--inventory, --graph, --learn)
 * needs a writable directory: found out now, not after hours of input.
 * 0, or -1 with the reason printed. */
static int check_output_dir(const char *opt, const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), "(name too long)");
	if (access(dir, W_OK | X_OK) != 0) {
		fprintf(stderr, "otsentry: %s %s: cannot write in %s: %s\n", opt, path, dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* -f: a filter that compiles for none of the usual link types is a bad
 * option (exit 2), found before any input is opened.  0 or -1. */
static int filter_check(const char *bpf)
{
	static const int linktypes[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_RAW };
	struct bpf_program prog;
	char msg[PCAP_ERRBUF_SIZE] = "";
	size_t i;

	for (i = 0; i < sizeof(linktypes) / sizeof(linktypes[0]); i++) {
		pcap_t *p = pcap_open_dead(linktypes[i], 65535);

		if (!p)
			return 0;       /* cannot tell: capture will */
		if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) == 0) {
			pcap_freecode(&prog);
			pcap_close(p);
			return 0;
		}
		if (!msg[0])
			snprintf(msg, sizeof(msg), "%s", pcap_geterr(p));
		pcap_close(p);
	}
	fprintf(stderr, "otsentry: -f '%s': %s\n", bpf, msg);
	return -1;
}

/* --baseline-show / --baseline-diff: print and exit (0, or 2 on a bad file). */
static int baseline_command(const struct ots_options *o)
{
	struct bl_config cfg;
	char err[512];
	int r;

	wiring_baseline_config(o, &cfg);
	if (o->baseline_show)
		r = baseline_show(o->baseline_show, &cfg, stdout, err, sizeof(err));
	else
		r = baseline_diff(o->baseline_diff[0], o->baseline_diff[1], stdout, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "otsentry: %s\n", err);
		return 2;
	}
	return 0;
}

/* Options a configuration file may not hold: commands, not settings. */
static const char *const conf_refused[] = {
	"config", "help", "version", "baseline-show", "baseline-diff", "merge-inventory", NULL
};

/* The configuration file named by --config (scanned for before the command
 * line is parsed), else OTS_CONFIG_FILE when it exists: each line is parsed
 * as the option it names, errors as FILE:LINE.  The strings stay allocated
 * for the life of the process (the options point into them). */
static void read_config(int argc, char **argv, struct ots_options *o)
{
	static struct conffile cf;
	const char *path = NULL;
	char err[512];
	int i, explicit = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i], explicit = 1;
		else if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9, explicit = 1;
	}
	if (explicit && strcmp(path, "none") == 0)
		return;
	if (!explicit) {
		if (access(OTS_CONFIG_FILE, F_OK) != 0)
			return;
		path = OTS_CONFIG_FILE;
	}
	if (conffile_read(&cf, path, long_opts, conf_refused, err, sizeof(err)) < 0) {
		fprintf(stderr, "otsentry: %s\n", err);
		exit(2);
	}
	conf_path = cf.path;
	for (i = 0; i < cf.n; i++) {
		char *av[3] = { argv[0], cf.args[i], NULL };

		conf_line = cf.lines[i];
		optind = 0;
		parse_args(2, av, o);
	}
	conf_path = NULL;
	optind = 0;
}

/* --pidfile: the process id, written whole (0 or -1 with a message). */
static int write_pidfile(const char *path)
{
	char buf[32];
	FILE *f = fopen(path, "w");
	int n;

	if (!f) {
		fprintf(stderr, "otsentry: --pidfile %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (fwrite(buf, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0) {
		fprintf(stderr, "otsentry: --pidfile %s: write failed\n", path);
		unlink(path);
		return -1;
	}
	return 0;
}

static const char root_warning[] =
	"running as root; give --user to drop privileges once the capture is open";
/* The sensor whose first stats event repeats the warning above. */
static struct sensor *run_sensor;

/* Capture is open: leave root (and every capability) behind. */
static int drop_privileges(void *ud)
{
	const struct ots_options *o = ud;
	char err[256];

	if (!o->user && !o->group) {
		if (getuid() == 0) {
			if (o->iface) {
				fprintf(stderr, "otsentry: warning: %s\n", root_warning);
				sensor_add_warning(run_sensor, root_warning);
			}
			return 0;
		}
	}
	if (privdrop(o->user, o->group, o->iface != NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "otsentry: %s\n", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* static: the options (and the input list they own) stay reachable
	 * on every way out of main */
	static struct ots_options opt;
	struct flow_config fcfg;
	struct capture_config ccfg;
	struct capture_result res;
	struct alert_config acfg;
	struct alerter *alerter = NULL;
	struct eve *eve = NULL;
	struct sensor *s = NULL;
	struct inventory *inv;
	char err[256];
	int rc = 1, crc, pid_written = 0;

	ots_options_default(&opt);
	read_config(argc, argv, &opt);
	parse_args(argc, argv, &opt);
	wiring_memcap(&opt);

	/* MODULE-COMMANDS: standalone commands that exit before capture */
	if (opt.baseline_show || opt.baseline_diff[0])
		return baseline_command(&opt);

	if (opt.n_merge && (opt.n_inputs || opt.iface))
		usage_error("--merge-inventory reads inventory files, not captures: no -r or -i with it");
	if (opt.n_merge && !opt.inventory_file && !opt.n_graph_files && !opt.report_file)
		usage_error("--merge-inventory: nothing to write: give --inventory, --graph or --report");
	if (!opt.n_inputs && !opt.iface && !opt.n_merge)
		usage_error("nothing to read: give -r FILE or -i IFACE");
	if (opt.n_inputs && opt.iface)
		usage_error("-r and -i exclude each other");
	if ((opt.inventory_file && check_output_dir("--inventory", opt.inventory_file) < 0) ||
	    (opt.n_graph_files > 0 && check_output_dir("--graph", opt.graph_files[0]) < 0) ||
	    (opt.n_graph_files > 1 && check_output_dir("--graph", opt.graph_files[1]) < 0) ||
	    (opt.learn_file && check_output_dir("--learn", opt.learn_file) < 0) ||
	    (opt.report_file && check_output_dir("--report", opt.report_file) < 0))
		return 2;

	if (opt.bpf && filter_check(opt.bpf) < 0)
		return 2;
	if ((opt.user || opt.group) && privdrop_check(opt.user, opt.group, err, sizeof(err)) < 0) {
		fprintf(stderr, "otsentry: %s\n", err);
		return 2;
	}

	/* until capture takes them over: a log rotation or a snapshot request
	 * while the modules start must not end the sensor */
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	eve = eve_new();
	if (!eve) {
		fputs("otsentry: out of memory\n", stderr);
		return 1;
	}
	{
		/* the sensor's name: --sensor-name, else the host name */
		char host[OTS_SENSOR_NAME_MAX + 1] = "";

		if (!opt.sensor_name && gethostname(host, sizeof(host)) == 0) {
			host[sizeof(host) - 1] = 0;
			host[strcspn(host, " \t\r\n")] = 0;
		}
		if (eve_set_host(eve, opt.sensor_name ? opt.sensor_name : host) < 0) {
			fputs("otsentry: out of memory\n", stderr);
			goto out;
		}
	}
	eve_set_community_id(!opt.no_community_id, opt.community_id_seed);
	if (eve_add_file(eve, opt.output ? opt.output : "-", err, sizeof(err)) < 0) {
		fprintf(stderr, "otsentry: %s\n", err);
		goto out;
	}
	for (crc = 0; crc < opt.n_sinks; crc++) {
		if (sink_add(eve, opt.sinks[crc], opt.cef, err, sizeof(err)) < 0) {
			fprintf(stderr, "otsentry: --sink %s: %s\n", opt.sinks[crc], err);
			rc = 2;
			goto out;
		}
	}

	if (opt.n_merge) {
		rc = merge_command(&opt, eve);
		goto out;
	}

	wiring_flow_config(&opt, &fcfg);
	s = sensor_new(eve, &fcfg, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "otsentry: %s\n", err);
		goto out;
	}
	eve = NULL;     /* the sensor owns it now */
	sensor_set_flow_log(s, opt.log_flows);
	if (opt.iface) {
		sensor_set_snapshot_interval(s, opt.snapshot_interval);
		sensor_set_loss_alarm(s, opt.loss_threshold, opt.loss_interval);
		eve_set_ifaces(opt.ifaces, opt.n_ifaces);
	}

	if (protolog_attach(s, opt.log_protocols, opt.log_anomalies) < 0) {
		fputs("otsentry: cannot start the protocol log\n", stderr);
		goto out;
	}

	/* MODULES: each module attaches its observer here (keep one call per line) */
	if (!(inv = inventory_attach(s, &opt, err, sizeof(err)))) {
		fprintf(stderr, "otsentry: %s\n", err);
		rc = 2;
		goto out;
	}
	ots_alert_config_default(&acfg);
	acfg.max_per_second = opt.alert_rate;
	alerter = alerter_new(sensor_eve(s), &acfg);
	if (!alerter || alerter_attach(s, alerter) < 0) {
		fputs("otsentry: cannot start the alert output\n", stderr);
		goto out;
	}
	if (baseline_attach(s, alerter, &opt, err, sizeof(err)) < 0) {
		fprintf(stderr, "otsentry: %s\n", err);
		rc = 2;
		goto out;
	}
	if ((crc = wiring_rules_attach(s, alerter, &opt)) < 0) {
		if (crc == -2)
			fputs("otsentry: rule errors; fix them or run with --rules-warn\n", stderr);
		rc = crc == -2 ? 2 : 1;
		goto out;
	}
	if (memory_attach(s, &opt) < 0) {
		fputs("otsentry: cannot start the memory accounting\n", stderr);
		goto out;
	}
	/* the page: last, so it is written after every other module finished */
	if (report_attach(s, inv, alerter, &opt, err, sizeof(err)) < 0) {
		fprintf(stderr, "otsentry: --report: %s\n", err);
		goto out;
	}

	if (opt.pidfile) {
		if (write_pidfile(opt.pidfile) < 0) {
			rc = 1;
			goto out;
		}
		pid_written = 1;
	}
	capture_config_default(&ccfg);
	run_sensor = s;
	ccfg.on_open = drop_privileges;
	ccfg.on_open_ud = &opt;
	ccfg.bpf = opt.bpf;
	ccfg.snaplen = opt.snaplen;
	ccfg.buffer_mb = opt.buffer_mb;
	ccfg.promisc = !opt.no_promisc;
	ccfg.stats_interval = opt.stats_interval;
	ccfg.silence = opt.iface_silence;
	ccfg.recursive = opt.recursive;
	ccfg.no_merge = opt.no_merge;
	ccfg.max_open = opt.max_open_files;
	ccfg.quiet = opt.quiet;
	ccfg.progress = !opt.quiet && isatty(STDERR_FILENO);
	if (opt.iface)
		crc = capture_live(s, opt.ifaces, opt.n_ifaces, &ccfg, &res);
	else
		crc = capture_files(s, opt.inputs, opt.n_inputs, &ccfg, &res);
	sensor_finish(s);
	/* every output delivers what waits, so the count of lost lines is final */
	eve_finish(sensor_eve(s));
	if (!opt.quiet)
		print_summary(&res, s);
	rc = crc < 0 ? 1 : res.files_skipped ? 3 : 0;
	{
		/* events that never reached an output are lost data: say so */
		uint64_t lines, lost;

		eve_get_counts(sensor_eve(s), &lines, &lost);
		if (lost) {
			fprintf(stderr, "otsentry: %llu events lost (an output could not take them): "
				"exit status 1\n", (unsigned long long)lost);
			rc = 1;
		}
	}
out:
	if (pid_written && unlink(opt.pidfile) < 0 && errno != ENOENT)
		fprintf(stderr, "otsentry: --pidfile %s: cannot remove it: %s\n", opt.pidfile,
			strerror(errno));
	classify_leave_at_exit();
	sensor_free(s);
	eve_free(eve);
	free(opt.inputs);
	free(opt.merge_files);
	return rc;
}
