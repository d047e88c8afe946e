/*
 * fuzz_pcap.c - libFuzzer target for the whole sensor, wired as a real run
 * reading one capture file: decoder, flows and reassembly, dissectors, the
 * protocol and anomaly logs, the inventory and graph, the baseline (learning
 * for the first seconds of packet time, then detecting), the shipped rules
 * and the alert output.  Events go to /dev/null and to a checking sink that
 * requires every line to be one JSON object with an event_type.
 *
 * Input: a two-byte header, then packet records.
 *   header[0]  bits 0-2: link type of the file; bits 3-4 both set: nDPI
 *              labels on (its set-up costs more than most inputs, so only a
 *              quarter of them have it); bit 6: save the learned
 *              baseline to a file and load it back; bit 7: write the
 *              inventory and both graph formats at the end
 *   header[1]  seconds of learning before detection (1..64)
 *   record     [ctl][length hi][length lo][frame bytes]
 *              ctl bits 0-4: seconds to the next packet; bit 5: time goes
 *              back that far instead; bit 6: wire length above caplen
 *              (snapped); bit 7: wire length below caplen (corrupt header)
 * Tables are capped small so every eviction path runs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "alert.h"
#include "baseline.h"
#include "decode.h"
#include "eve.h"
#include "inventory.h"
#include "options.h"
#include "wiring.h"
#include "protolog.h"
#include "rules.h"
#include "sensor.h"

#ifndef OTS_SRCDIR
#define OTS_SRCDIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct check {
	unsigned long lines, stats;
};

/* Every line one JSON object with an event_type; count the stats events. */
static int check_write(void *ctx, const char *line, size_t len)
{
	struct check *ck = ctx;
	json_error_t jerr;
	json_t *v = json_loadb(line, len, 0, &jerr);
	const char *type;

	if (!v || !json_is_object(v) || !(type = json_string_value(json_object_get(v, "event_type")))) {
		fprintf(stderr, "fuzz_pcap: bad EVE line (%s): %.*s\n", v ? "no event_type" : jerr.text,
			(int)(len > 400 ? 400 : len), line);
		abort();
	}
	if (strlen(line) != len)
		abort();        /* a NUL inside the line */
	if (strcmp(type, "stats") == 0)
		ck->stats++;
	ck->lines++;
	json_decref(v);
	return 0;
}

/* A small vendor registry (the full one takes too long to read per input). */
static const char oui_csv[] =
	"Registry,Assignment,Organization Name,Organization Address\n"
	"MA-L,000000,XEROX CORPORATION,M/S 105-50C WEBSTER NY US 14580\n"
	"MA-L,001B1B,Siemens AG,I IA SC MF-K PV Nuernberg DE 90475\n"
	"MA-L,0080F4,TELEMECANIQUE ELECTRIQUE,33 BIS AVENUE FR 92506\n"
	"MA-L,000BAB,\"Advantech Technology (CHINA) Co., Ltd.\",Kunshan CN 215300\n"
	"MA-L,FFFFFF,\"Quoted, Name\",Nowhere\n";

static void set_paths(char *bl, char *inv, char *dot, char *gml, char *oui, size_t n)
{
	long pid = (long)getpid();
	FILE *fp;

	snprintf(bl, n, "/tmp/fuzz_pcap.%ld.baseline.json", pid);
	snprintf(inv, n, "/tmp/fuzz_pcap.%ld.inventory.json", pid);
	snprintf(dot, n, "/tmp/fuzz_pcap.%ld.dot", pid);
	snprintf(gml, n, "/tmp/fuzz_pcap.%ld.graphml", pid);
	snprintf(oui, n, "/tmp/fuzz_pcap.%ld.oui.csv", pid);
	if (!(fp = fopen(oui, "w")) || fputs(oui_csv, fp) < 0 || fclose(fp) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int links[8] = {
		OTS_DLT_EN10MB, OTS_DLT_EN10MB, OTS_DLT_LINUX_SLL, OTS_DLT_LINUX_SLL2,
		OTS_DLT_RAW, OTS_LINKTYPE_IPV4, OTS_DLT_NULL, OTS_DLT_LOOP
	};
	static char bl_path[96], inv_path[96], dot_path[96], gml_path[96], oui_path[96];
	struct check ck = { 0, 0 };
	struct eve_sink sink = { .name = "check", .ctx = &ck, .write = check_write };
	struct ots_options opt;
	struct flow_config fc;
	struct alert_config acfg;
	struct alerter *al;
	struct inventory *inv;
	struct timeval ts = { 1700000000, 0 };
	struct eve *e;
	struct sensor *s;
	char err[512];
	size_t off = 2;
	int linktype;

	if (size < 2)
		return 0;
	if (!bl_path[0])
		set_paths(bl_path, inv_path, dot_path, gml_path, oui_path, sizeof(bl_path));
	linktype = links[data[0] & 7];

	ots_options_default(&opt);
	opt.quiet = 1;
	opt.oui_file = oui_path;
	opt.max_flows = 64;
	opt.max_assets = 16;
	opt.max_edges = 32;
	opt.max_baseline_keys = 256;
	opt.learn_for = 1 + (data[1] & 63);
	if (data[0] & 0x40)
		opt.learn_file = bl_path;
	if (data[0] & 0x80) {
		opt.inventory_file = inv_path;
		opt.graph_files[0] = dot_path;
		opt.graph_files[1] = gml_path;
		opt.n_graph_files = 2;
	}
	opt.rules[0] = OTS_SRCDIR "/rules";
	opt.n_rules = 1;

	if (!(e = eve_new()))
		return 0;
	if (eve_add_file(e, "/dev/null", err, sizeof(err)) < 0 || eve_add_sink(e, &sink) < 0)
		abort();
	ots_flow_config_default(&fc);
	fc.max_flows = opt.max_flows;
	fc.max_ooo_per_flow = 4096;
	fc.max_ooo_total = 16384;
	fc.idle_timeout = 30;
	fc.tcp_idle_timeout = 120;
	fc.ndpi_enable = (data[0] & 0x18) == 0x18;
	fc.want_detail = 1;
	if (!(s = sensor_new(e, &fc, err, sizeof(err))))
		abort();
	if (protolog_attach(s, opt.log_protocols, opt.log_anomalies) < 0)
		abort();
	if (!(inv = inventory_attach(s, &opt, err, sizeof(err))))
		abort();
	ots_alert_config_default(&acfg);
	al = alerter_new(sensor_eve(s), &acfg);
	if (!al || alerter_attach(s, al) < 0)
		abort();
	if (baseline_attach(s, al, &opt, err, sizeof(err)) < 0)
		abort();
	if (wiring_rules_attach(s, al, &opt) < 0)
		abort();        /* the shipped rules must load */

	while (size - off >= 3) {
		uint8_t ctl = data[off];
		size_t len = ((size_t)data[off + 1] << 8) | data[off + 2];
		uint32_t wire;

		if (ctl & 0x20)
			ts.tv_sec -= ctl & 0x1f;
		else
			ts.tv_sec += ctl & 0x1f;
		ts.tv_usec = (ts.tv_usec + 1000) % 1000000;
		off += 3;
		if (len > size - off)
			len = size - off;
		wire = (uint32_t)len;
		if (ctl & 0x40)
			wire += 1000;
		if (ctl & 0x80)
			wire /= 2;
		sensor_packet(s, linktype, &ts, (uint32_t)len, wire, data + off);
		off += len;
	}
	sensor_finish(s);
	if (ck.stats != 1)
		abort();        /* exactly one stats event at the end */
	{
		json_t *doc = inventory_json(inv);
		char *txt = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

		if (!txt)
			abort();
		free(txt);
		json_decref(doc);
	}
	sensor_free(s);

	if (opt.learn_file) {
		/* what was learned reads back */
		struct bl_config bc;
		struct baseline *b;

		ots_baseline_config_default(&bc);
		b = baseline_load(bl_path, &bc, err, sizeof(err));
		if (!b) {
			fprintf(stderr, "fuzz_pcap: learned baseline does not load: %s\n", err);
			abort();
		}
		baseline_free(b);
		unlink(bl_path);
	}
	return 0;
}
