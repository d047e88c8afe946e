/*
 * otsgen.c - the plant traffic generator's command line and ground-truth
 * file.  The plant lives in gen_plant.c, the attacks in gen_attack.c, the
 * protocol builders in gen_proto.c and the wire in gen_wire.c; see
 * pcaps/README.md and man/otsgen.1.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "gen_plant.h"
#include "gen_stream.h"

#define DEFAULT_START 1764590400LL      /* 2025-12-01T12:00:00Z */
#define DEFAULT_NORMAL_DURATION 600
#define DEFAULT_ATTACK_DURATION 120
#define MAX_PLCS 2000

/* ------------------------------------------------------------ truth JSON */

static void iso_time(gen_time t, char *out, size_t n)
{
	time_t s = (time_t)(t / GEN_SEC);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(t % GEN_SEC));
}

/* "a,b,c" as a JSON array of strings. */
static json_t *str_list(const char *list)
{
	json_t *a = json_array();
	const char *p = list ? list : "";

	while (*p) {
		size_t l = strcspn(p, ",");

		if (l)
			json_array_append_new(a, json_stringn(p, l));
		p += l + (p[l] == ',');
	}
	return a;
}

/* "1,2" as a JSON array of integers. */
static json_t *int_list(const char *list)
{
	json_t *a = json_array();
	const char *p = list ? list : "";
	char *end;

	while (*p) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		json_array_append_new(a, json_integer(v));
		p = *end == ',' ? end + 1 : end;
	}
	return a;
}

/* Keys in decimal, or in hex ("0x04") as S7 function codes are written. */
static json_t *histogram(const uint64_t *v, int n, int hex)
{
	json_t *o = json_object();
	char k[8];
	int i;

	for (i = 0; i < n; i++)
		if (v[i]) {
			snprintf(k, sizeof(k), hex ? "0x%02x" : "%d", i);
			json_object_set_new(o, k, json_integer((json_int_t)v[i]));
		}
	return o;
}

static int write_truth(struct plant *P, const char *path, const char *pcap)
{
	json_t *root = json_object(), *evs = json_array(), *hosts = json_array(),
	       *counts = json_object(), *x;
	char ts[64], mac[18], ip[16];
	const char *base = strrchr(pcap, '/');
	int i, rc;

	iso_time(P->start, ts, sizeof(ts));
	json_object_set_new(root, "generator", json_string("otsgen"));
	json_object_set_new(root, "scenario", json_string(scenario_names[P->sc]));
	json_object_set_new(root, "pcap", json_string(base ? base + 1 : pcap));
	json_object_set_new(root, "seed", json_integer((json_int_t)P->seed));
	json_object_set_new(root, "plcs", json_integer(P->nmb));
	json_object_set_new(root, "start", json_string(ts));
	json_object_set_new(root, "start_epoch", json_real((double)P->start / GEN_SEC));
	iso_time(P->end, ts, sizeof(ts));
	json_object_set_new(root, "end", json_string(ts));
	json_object_set_new(root, "end_epoch", json_real((double)P->end / GEN_SEC));
	iso_time(P->epoch, ts, sizeof(ts));
	json_object_set_new(root, "learning_start", json_string(ts));

	for (i = 0; i < P->ntruth; i++) {
		struct truth *e = &P->truth[i];
		json_t *o = json_object();

		iso_time(e->t, ts, sizeof(ts));
		json_object_set_new(o, "time", json_string(ts));
		json_object_set_new(o, "epoch", json_real((double)e->t / GEN_SEC));
		json_object_set_new(o, "src_ip", json_string(e->src));
		json_object_set_new(o, "dst_ip", json_string(e->dst));
		json_object_set_new(o, "protocol", json_string(e->proto));
		json_object_set_new(o, "what", json_string(e->what));
		json_object_set_new(o, "expect", str_list(e->expect));
		json_object_set_new(o, "allow", str_list(e->allow));
		json_object_set_new(o, "rules", str_list(e->rules));
		json_object_set_new(o, "rule_sids", int_list(e->sids));
		json_array_append_new(evs, o);
	}
	json_object_set_new(root, "events", evs);
	gen_ip_str(P->hmi1->ip, ip, sizeof(ip));
	snprintf(ts, sizeof(ts), "MODBUS_OPERATORS=[%s]", ip);
	x = json_array();
	json_array_append_new(x, json_string(ts));
	for (i = 0; i < P->ntruth; i++) {
		const char *v = P->truth[i].operators_var;
		int k, dup = 0;

		for (k = 0; k < i && v; k++)
			dup |= P->truth[k].operators_var && !strcmp(P->truth[k].operators_var, v);
		if (!v || dup)
			continue;
		snprintf(ts, sizeof(ts), "%s=[%s]", v, ip);
		json_array_append_new(x, json_string(ts));
	}
	json_object_set_new(root, "rule_vars", x);

	if (P->www->seen || P->ext->seen)
		P->gw->seen = 1;        /* its MAC carried them */
	for (i = 0; i < P->nhosts; i++) {
		struct gen_host *h = &P->hosts[i];
		const uint8_t *m = h->l2_peer ? h->l2_peer : h->mac;
		json_t *o;

		if (!h->seen)
			continue;
		o = json_object();
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 m[0], m[1], m[2], m[3], m[4], m[5]);
		gen_ip_str(h->ip, ip, sizeof(ip));
		json_object_set_new(o, "name", json_string(h->name));
		json_object_set_new(o, "role", json_string(h->role));
		json_object_set_new(o, "ip", json_string(ip));
		json_object_set_new(o, "mac", json_string(mac));
		json_object_set_new(o, "vendor", json_string(h->l2_peer ?
					"Cisco Systems, Inc (router)" : h->vendor));
		json_array_append_new(hosts, o);
	}
	json_object_set_new(root, "hosts", hosts);

	json_object_set_new(counts, "frames", json_integer((json_int_t)P->frames));
	x = json_object();
	json_object_set_new(x, "messages", json_integer((json_int_t)P->cnt.mb_msgs));
	json_object_set_new(x, "function_codes", histogram(P->cnt.mb_fc, 128, 0));
	json_object_set_new(counts, "modbus", x);
	x = json_object();
	json_object_set_new(x, "frames", json_integer((json_int_t)P->cnt.dnp3_frames));
	json_object_set_new(x, "function_codes", histogram(P->cnt.dnp3_fc, 256, 0));
	json_object_set_new(counts, "dnp3", x);
	x = json_object();
	json_object_set_new(x, "pdus", json_integer((json_int_t)P->cnt.s7_pdus));
	json_object_set_new(x, "userdata", json_integer((json_int_t)P->cnt.s7_userdata));
	json_object_set_new(x, "functions", histogram(P->cnt.s7_func, 256, 1));
	json_object_set_new(counts, "s7comm", x);
	json_object_set_new(counts, "iec104", iec104_counts_json(P));
	json_object_set_new(root, "counts", counts);

	rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			    JSON_REAL_PRECISION(16));
	json_decref(root);
	if (rc != 0)
		fprintf(stderr, "otsgen: cannot write %s\n", path);
	return rc;
}

/* ------------------------------------------------------------------ main */

struct opts {
	const char *scenario;
	uint64_t seed;
	int plcs;
	double duration, attack_duration, normal_duration;
	int64_t start;
	const char *out, *truth;
	int quiet;
};

static int generate(const struct opts *o, enum scenario sc, double duration,
		    const char *out, const char *truth_path)
{
	struct plant P;
	int rc;

	plant_init(&P, o->seed, o->plcs, sc, (gen_time)o->start * GEN_SEC,
		   (gen_time)(o->normal_duration * GEN_SEC), (gen_time)(duration * GEN_SEC));
	rc = plant_run(&P, out);
	if (rc == 0 && truth_path)
		rc = write_truth(&P, truth_path, out);
	if (!o->quiet)
		fprintf(stderr, "otsgen: %s: %s, %" PRIu64 " frames, %" PRIu64
			" bytes, %d injected event(s)\n", out, scenario_names[sc],
			P.frames, P.bytes, P.ntruth);
	plant_free(&P);
	return rc;
}

/* The silent I/O (from two fifths of the capture on) must outlast
 * otsentry's I/O summary period (60 s) and ten packet intervals. */
static double io_silent_duration(double d)
{
	return d < 200 ? 200 : d;
}

static void usage(FILE *f)
{
	int i;

	fprintf(f,
		"usage: otsgen [options]\n"
		"Simulate a small OT plant (Modbus/TCP, DNP3, S7comm, IT noise) and\n"
		"write it as a pcap file, with a ground-truth JSON file.\n\n"
		"  --scenario NAME       normal (default), an attack, or all\n"
		"  --seed N              plant and traffic seed (default 1)\n"
		"  --plcs N              Modbus PLCs; S7 PLCs and DNP3 outstations\n"
		"                        scale with it (default 3, at most %d)\n"
		"  --duration SEC        length of this capture (normal: 600,\n"
		"                        attacks: 120)\n"
		"  --normal-duration SEC length of the learning capture; attack\n"
		"                        captures start where it ends (default 600)\n"
		"  --attack-duration SEC with --scenario all: each attack capture\n"
		"  --start EPOCH         start of the learning capture, Unix seconds\n"
		"                        (default %lld = 2025-12-01T12:00:00Z)\n"
		"  -o FILE               pcap to write (--scenario all: a directory)\n"
		"  --truth FILE.json     ground truth and message counts\n"
		"  -q, --quiet           no summary on standard error\n"
		"  -h, --help            this text\n\nscenarios:",
		MAX_PLCS, (long long)DEFAULT_START);
	for (i = 0; i < SC_BUNDLED; i++)
		fprintf(f, " %s", scenario_names[i]);
	fprintf(f, "\nall: the scenarios above, into the directory -o names\n"
		"extra deviations (not in all):");
	for (i = SC_BUNDLED; i < SC_COUNT; i++)
		fprintf(f, " %s", scenario_names[i]);
	fprintf(f, "\ntransport scenarios (one short conversation, no truth file):");
	for (i = 0; gen_stream_names[i]; i++)
		fprintf(f, " %s", gen_stream_names[i]);
	fprintf(f, "\n");
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "scenario", required_argument, NULL, 'S' },
		{ "seed", required_argument, NULL, 's' },
		{ "plcs", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "normal-duration", required_argument, NULL, 'n' },
		{ "attack-duration", required_argument, NULL, 'a' },
		{ "start", required_argument, NULL, 't' },
		{ "truth", required_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o;
	double v;
	int c, i, sc = -1, all = 0, rc = 0, dur_set = 0;

	memset(&o, 0, sizeof(o));
	o.scenario = "normal";
	o.seed = 1;
	o.plcs = 3;
	o.duration = DEFAULT_NORMAL_DURATION;
	o.normal_duration = DEFAULT_NORMAL_DURATION;
	o.attack_duration = DEFAULT_ATTACK_DURATION;
	o.start = DEFAULT_START;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			o.scenario = optarg;
			break;
		case 's': {
			char *end;

			errno = 0;
			o.seed = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-') {
				fprintf(stderr, "otsgen: bad --seed '%s'\n", optarg);
				return 2;
			}
			break;
		}
		case 'p':
			if (parse_num(optarg, 1, MAX_PLCS, &v)) {
				fprintf(stderr, "otsgen: --plcs must be 1..%d\n", MAX_PLCS);
				return 2;
			}
			o.plcs = (int)v;
			break;
		case 'd':
		case 'n':
		case 'a':
			if (parse_num(optarg, 10, 30 * 86400.0, &v)) {
				fprintf(stderr, "otsgen: durations are 10 s .. 30 days\n");
				return 2;
			}
			if (c == 'd') {
				o.duration = v;
				dur_set = 1;
			} else if (c == 'n') {
				o.normal_duration = v;
			} else {
				o.attack_duration = v;
			}
			break;
		case 't':
			if (parse_num(optarg, 0, 4e9, &v)) {
				fprintf(stderr, "otsgen: bad --start '%s'\n", optarg);
				return 2;
			}
			o.start = (int64_t)v;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'T':
			o.truth = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "otsgen: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!o.out) {
		fprintf(stderr, "otsgen: -o FILE is required (see --help)\n");
		return 2;
	}
	for (i = 0; gen_stream_names[i]; i++)
		if (strcmp(o.scenario, gen_stream_names[i]) == 0) {
			rc = gen_stream_scenario(o.scenario, o.seed, (gen_time)o.start * GEN_SEC, o.out);
			if (rc != 0)
				fprintf(stderr, "otsgen: cannot write %s\n", o.out);
			return rc ? 1 : 0;
		}
	if (strcmp(o.scenario, "all") == 0)
		all = 1;
	for (i = 0; i < SC_COUNT && !all; i++)
		if (strcmp(o.scenario, scenario_names[i]) == 0)
			sc = i;
	if (!all && sc < 0) {
		fprintf(stderr, "otsgen: unknown scenario '%s' (see --help)\n", o.scenario);
		return 2;
	}
	if (all) {
		char pcap[4096], truth[4096];

		if (dur_set)
			o.normal_duration = o.duration;
		if (mkdir(o.out, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "otsgen: cannot create %s: %s\n", o.out, strerror(errno));
			return 1;
		}
		for (i = 0; i < SC_BUNDLED && rc == 0; i++) {
			const char *n = scenario_names[i];

			if (i == SC_NORMAL) {
				snprintf(pcap, sizeof(pcap), "%s/plant_normal.pcap", o.out);
				snprintf(truth, sizeof(truth), "%s/plant_normal.truth.json", o.out);
			} else {
				snprintf(pcap, sizeof(pcap), "%s/plant_attack_%s.pcap", o.out, n);
				snprintf(truth, sizeof(truth), "%s/plant_attack_%s.truth.json",
					 o.out, n);
			}
			rc = generate(&o, (enum scenario)i,
				      i == SC_NORMAL ? o.normal_duration :
				      i == SC_ENIP_IO_SILENT ? io_silent_duration(o.attack_duration) :
				      o.attack_duration,
				      pcap, truth);
		}
		return rc ? 1 : 0;
	}
	if (sc == SC_NORMAL && dur_set)
		o.normal_duration = o.duration;
	if (sc == SC_NORMAL && !dur_set)
		o.duration = o.normal_duration;
	if (sc != SC_NORMAL && !dur_set)
		o.duration = o.attack_duration;
	/* silence must outlast otsentry's --silence-timeout (300 s) */
	if ((sc == SC_CHANNEL_SILENT || sc == SC_IEC104_STATION_SILENT) && !dur_set)
		o.duration = 600;
	if (sc == SC_ENIP_IO_SILENT && !dur_set)
		o.duration = io_silent_duration(o.duration);
	return generate(&o, (enum scenario)sc, o.duration, o.out, o.truth) ? 1 : 0;
}
