/*
 * report_html.c - the plant as one self-contained HTML page: map (SVG),
 * assets, conversations, alerts and the run, from the inventory document,
 * the sensor's counters and the alerts of the run.  See report_html.h.
 */
#define _GNU_SOURCE 1   /* timegm */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "config.h"
#include "atomicfile.h"
#include "hash.h"
#include "inventory.h"
#include "report_html.h"
#include "seed.h"
#include "sensor.h"

#define SIG_TEXT_LEN   160
#define SIG_MITRE_LEN  64
#define MAP_PER_LINE   9        /* nodes on one line of a level band */
#define MAP_WIDTH      1200
#define MAP_X0         70
#define MAP_DX         124
#define MAP_LINE_H     92
#define MAP_BAND_TOP   30
#define MAP_MAX_EDGES  1500     /* busiest drawn, the rest counted */
#define TL_COLS        150      /* timeline columns */
#define TL_ROWS        12       /* timeline rows (signatures; the rest: "other") */
#define DETAIL_MAX_REASONS 8
#define DETAIL_MAX_IPS     16

struct report_sig {
	uint32_t gid, sid;
	int severity;
	char signature[SIG_TEXT_LEN];
	char category[64];
	char source[16];
	char mitre_id[SIG_MITRE_LEN];
	char mitre_name[SIG_TEXT_LEN];
	uint64_t count;
	struct timeval first, last;
	uint64_t assets[REPORT_MAX_SIG_ASSETS];
	uint16_t n_assets;
	uint64_t assets_more;
};

struct tl_entry {
	struct timeval ts;
	uint16_t sig;
};

/* An alerted conversation: client and server asset, transport, port. */
struct edge_mark {
	uint64_t client, server;
	uint16_t port;
	uint8_t l4, used;
	uint8_t new_edge;
	uint32_t alerts;
};

#define MARK_SLOTS (2 * REPORT_MAX_EDGE_MARKS)

struct report_html {
	struct inventory *inv;          /* the live inventory, or NULL ... */
	json_t *doc;                    /* ... a document (a merged site) */
	struct sensor *sensor;
	struct report_html_run run_copy;
	const struct report_html_run *run;  /* &run_copy, or NULL */
	struct report_sig *sigs;
	size_t n_sigs;
	struct tl_entry *tl;            /* ring of the latest alerts */
	size_t tl_head, tl_n;
	uint64_t tl_dropped;
	struct edge_mark *marks;        /* open addressing, MARK_SLOTS */
	size_t n_marks;
	struct report_html_stats st;
	const char *path;               /* --report */
};

/* ---------------------------------------------------------------- alerts */

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static uint64_t asset_of(const struct report_html *r, const struct ot_ip *ip)
{
	struct inventory_asset_info info;

	if (ip->ver == 0 || !r->inv || inventory_find_ip(r->inv, ip, &info) < 0)
		return 0;
	return info.id;
}

static void sig_add_asset(struct report_sig *g, uint64_t id)
{
	uint16_t i;

	if (!id)
		return;
	for (i = 0; i < g->n_assets; i++)
		if (g->assets[i] == id)
			return;
	if (g->n_assets < REPORT_MAX_SIG_ASSETS)
		g->assets[g->n_assets++] = id;
	else
		g->assets_more++;
}

static size_t mark_slot(uint64_t c, uint64_t s, uint8_t l4, uint16_t port)
{
	uint64_t h = ots_mix64(c * 0x9e3779b97f4a7c15ULL ^ ots_mix64(s) ^
				 ((uint64_t)l4 << 16 | port));

	return (size_t)(h % MARK_SLOTS);
}

/* The mark of a conversation; created when create and there is room. */
static struct edge_mark *mark_get(struct report_html *r, uint64_t c, uint64_t s, uint8_t l4,
				  uint16_t port, int create)
{
	size_t i = mark_slot(c, s, l4, port), n;

	for (n = 0; n < MARK_SLOTS; n++, i = (i + 1) % MARK_SLOTS) {
		struct edge_mark *m = &r->marks[i];

		if (!m->used) {
			if (!create)
				return NULL;
			if (r->n_marks >= REPORT_MAX_EDGE_MARKS) {
				r->st.edge_marks_dropped++;
				return NULL;
			}
			m->used = 1;
			m->client = c;
			m->server = s;
			m->l4 = l4;
			m->port = port;
			r->n_marks++;
			return m;
		}
		if (m->client == c && m->server == s && m->l4 == l4 && m->port == port)
			return m;
	}
	return NULL;
}

void report_html_alert(struct report_html *r, const struct report_alert *a)
{
	struct report_sig *g = NULL;
	uint64_t cli, srv;
	size_t i;

	if (!r || !a)
		return;
	r->st.alerts++;
	for (i = 0; i < r->n_sigs; i++)
		if (r->sigs[i].gid == a->gid && r->sigs[i].sid == a->sid) {
			g = &r->sigs[i];
			break;
		}
	if (!g) {
		if (r->n_sigs >= REPORT_MAX_SIGNATURES) {
			r->st.signatures_dropped++;
			return;
		}
		g = &r->sigs[r->n_sigs++];
		memset(g, 0, sizeof(*g));
		g->gid = a->gid;
		g->sid = a->sid;
		g->severity = a->severity;
		copy_str(g->signature, sizeof(g->signature), a->signature);
		copy_str(g->category, sizeof(g->category), a->category);
		copy_str(g->source, sizeof(g->source), a->source);
		copy_str(g->mitre_id, sizeof(g->mitre_id), a->mitre_id);
		copy_str(g->mitre_name, sizeof(g->mitre_name), a->mitre_name);
		g->first = a->ts;
		g->last = a->ts;
		r->st.signatures = r->n_sigs;
	}
	g->count++;
	if (timercmp(&a->ts, &g->first, <))
		g->first = a->ts;
	if (timercmp(&a->ts, &g->last, >))
		g->last = a->ts;
	cli = asset_of(r, &a->client);
	srv = asset_of(r, &a->server);
	sig_add_asset(g, cli);
	sig_add_asset(g, srv);

	/* the latest REPORT_TIMELINE_MAX alerts, oldest overwritten */
	r->tl[r->tl_head].ts = a->ts;
	r->tl[r->tl_head].sig = (uint16_t)(g - r->sigs);
	r->tl_head = (r->tl_head + 1) % REPORT_TIMELINE_MAX;
	if (r->tl_n < REPORT_TIMELINE_MAX)
		r->tl_n++;
	else
		r->tl_dropped++;

	if (cli && srv) {
		struct edge_mark *m = mark_get(r, cli, srv, a->l4, a->port, 1);

		if (m) {
			m->alerts++;
			if (a->new_edge)
				m->new_edge = 1;
		}
	}
}

/* ---------------------------------------------------------------- escaping */

/* Length of the well-formed UTF-8 sequence at p (its lead byte >= 0x80),
 * or 0 when the bytes there are not one. */
static size_t utf8_seq(const unsigned char *p)
{
	unsigned c = *p;
	size_t n = c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	size_t k;

	for (k = 1; n && k < n; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* s as a JSON string, bytes that are not UTF-8 as U+FFFD (new reference). */
static json_t *json_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char buf[1024];
	size_t o = 0, n;

	for (; *p && o + 4 < sizeof(buf); p += n ? n : 1) {
		n = *p < 0x80 ? 1 : utf8_seq(p);
		if (n) {
			memcpy(buf + o, p, n);
			o += n;
		} else {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
		}
	}
	buf[o] = 0;
	return json_string(buf);
}

/*
 * s as HTML text or as a double-quoted attribute value (one rule serves
 * both, inline SVG included): & < > " ' as character references, control
 * characters as their Unicode control pictures (U+2400 + c; DEL U+2421),
 * bytes that are not UTF-8 as U+FFFD.  At most max_chars characters
 * (0: all), with an ellipsis when cut.
 */
static void esc_n(FILE *fp, const char *s, size_t max_chars)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t chars = 0;

	while (*p) {
		unsigned c = *p;
		size_t n;

		if (max_chars && chars == max_chars) {
			fputs("\xe2\x80\xa6", fp);
			return;
		}
		chars++;
		switch (c) {
		case '&': fputs("&amp;", fp); p++; continue;
		case '<': fputs("&lt;", fp); p++; continue;
		case '>': fputs("&gt;", fp); p++; continue;
		case '"': fputs("&quot;", fp); p++; continue;
		case '\'': fputs("&#39;", fp); p++; continue;
		default: break;
		}
		if (c < 0x20) {         /* U+2400 + c: e2 90 80+c */
			fputc(0xe2, fp);
			fputc(0x90, fp);
			fputc(0x80 + c, fp);
			p++;
			continue;
		}
		if (c == 0x7f) {
			fputs("\xe2\x90\xa1", fp);
			p++;
			continue;
		}
		if (c < 0x80) {
			fputc((int)c, fp);
			p++;
			continue;
		}
		n = utf8_seq(p);
		if (!n) {
			fputs("\xef\xbf\xbd", fp);
			p++;
			continue;
		}
		fwrite(p, 1, n, fp);
		p += n;
	}
}

static void esc(FILE *fp, const char *s)
{
	esc_n(fp, s, 0);
}

/* JSON for a <script type="application/json"> block: '<', '>' and '&'
 * (which JSON has only inside strings) as \u escapes, so the text can hold
 * neither "</script" nor "<!--". */
static void put_script_json(FILE *fp, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);
	const char *p;

	if (!s) {
		fputs("{}", fp);
		return;
	}
	for (p = s; *p; p++) {
		if (*p == '<')
			fputs("\\u003c", fp);
		else if (*p == '>')
			fputs("\\u003e", fp);
		else if (*p == '&')
			fputs("\\u0026", fp);
		else
			fputc(*p, fp);
	}
	free(s);
}

/* ---------------------------------------------------------------- the document */

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static long long jint(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* "2025-12-01T12:00:00.023610+0000" -> seconds since the epoch (0 when not
 * a timestamp). */
static double parse_ts(const char *s)
{
	struct tm tm;
	int us = 0;

	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%6d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &us) < 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (double)timegm(&tm) + us / 1e6;
}

/* A timestamp of the document to the second: "2025-12-01 12:00:00" (s
 * itself when shorter than that); returns buf. */
static const char *ts_short(const char *s, char buf[20])
{
	if (!s || strlen(s) < 19)
		return s ? s : "";
	memcpy(buf, s, 19);
	buf[19] = 0;
	buf[10] = ' ';
	return buf;
}

static void put_ts(FILE *fp, const char *s)
{
	char b[20];

	esc(fp, ts_short(s, b));
}

/* In the tables: the time of day alone on the run's first day (day:
 * "2025-12-01"), else date and time. */
static void put_time(FILE *fp, const char *s, const char *day)
{
	char b[20];

	if (s && day[0] && strlen(s) >= 19 && !strncmp(s, day, 10)) {
		ts_short(s, b);
		esc(fp, b + 11);
		return;
	}
	put_ts(fp, s);
}

/* The same as a JSON string with " UTC" (new reference). */
static json_t *ts_text(const char *s)
{
	char b[20], out[32];

	snprintf(out, sizeof(out), "%s UTC", ts_short(s, b));
	return json_string(out);
}

static void put_tv(FILE *fp, const struct timeval *tv)
{
	char b[32];
	struct tm tm;
	time_t t = tv->tv_sec;

	gmtime_r(&t, &tm);
	strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S", &tm);
	fputs(b, fp);
}

static void put_bytes(FILE *fp, double b)
{
	if (b >= 1e9)
		fprintf(fp, "%.1f GB", b / 1e9);
	else if (b >= 1e6)
		fprintf(fp, "%.1f MB", b / 1e6);
	else if (b >= 1e4)
		fprintf(fp, "%.1f kB", b / 1e3);
	else
		fprintf(fp, "%.0f B", b);
}

static void put_duration(FILE *fp, double s)
{
	if (s >= 86400)
		fprintf(fp, "%.1f days", s / 86400);
	else if (s >= 3600)
		fprintf(fp, "%.1f h", s / 3600);
	else if (s >= 60)
		fprintf(fp, "%.1f min", s / 60);
	else
		fprintf(fp, "%.3f s", s);
}

/* Purdue levels, top to bottom. */
enum level { LV_EXT, LV_DMZ, LV_OPS, LV_SUP, LV_CTL, LV_UNK, LV_COUNT };

static const char *const level_names[LV_COUNT] = {
	"Levels 4-5: enterprise, IT and external",
	"Level 3.5: routers and gateways",
	"Level 3: operations (servers, historians, engineering)",
	"Level 2: supervisory (HMI, SCADA masters)",
	"Level 1: control (PLC, RTU, outstations)",
	"Not classified yet",
};

/* The level of the asset's role; an asset with a public address and no
 * OT role (a lab or a careless plant may give PLCs public addresses: they
 * stay PLCs) is enterprise or external. */
static enum level asset_level(const json_t *a)
{
	const char *role = jstr(a, "role");

	if (!strcmp(role, "plc"))
		return LV_CTL;
	if (!strcmp(role, "hmi"))
		return LV_SUP;
	if (!strcmp(role, "engineering") || !strcmp(role, "historian"))
		return LV_OPS;
	if (json_is_true(json_object_get(a, "external")))
		return LV_EXT;
	if (!strcmp(role, "server"))
		return LV_OPS;
	if (!strcmp(role, "router"))
		return LV_DMZ;
	if (!strcmp(role, "it_host") || !strcmp(role, "scanner"))
		return LV_EXT;
	return LV_UNK;
}

static const char *role_colour(const char *role)
{
	static const struct { const char *role, *colour; } t[] = {
		{ "plc", "#2e7d32" }, { "hmi", "#1565c0" }, { "engineering", "#6a1b9a" },
		{ "historian", "#00838f" }, { "server", "#5d4037" }, { "scanner", "#c62828" },
		{ "it_host", "#757575" }, { "router", "#ef6c00" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(role, t[i].role))
			return t[i].colour;
	return "#9e9e9e";
}

/* Edge colour by protocol label. */
static const char *proto_colour(const char *proto, int is_ot)
{
	static const struct { const char *p, *colour; } t[] = {
		{ "modbus", "#1f77b4" }, { "dnp3", "#2ca02c" }, { "s7comm", "#d62728" },
		{ "enip", "#9467bd" }, { "cip", "#9467bd" }, { "iec104", "#ff7f0e" },
		{ "bacnet", "#8c564b" }, { "opcua", "#17becf" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcasecmp(proto, t[i].p))
			return t[i].colour;
	return is_ot ? "#e377c2" : "#a0a4a8";
}

/* Latest value of an identity fact ("" when none); facts are in arrival
 * order, so the last one of the key wins. */
static const char *ident(const json_t *a, const char *key)
{
	const json_t *ids = json_object_get(a, "identity"), *x;
	const char *v = "";
	size_t i;

	json_array_foreach(ids, i, x)
		if (!strcmp(jstr(x, "key"), key))
			v = jstr(x, "value");
	return v;
}

static const char *asset_ip(const json_t *a)
{
	const json_t *ips = json_object_get(a, "ips");

	return json_array_size(ips) ? jstr(json_array_get(ips, 0), "ip") : NULL;
}

/* What a person calls the asset: its first address, else MAC, else #id. */
static const char *asset_title(const json_t *a, char *buf, size_t len)
{
	const char *ip = asset_ip(a);

	if (ip && *ip)
		return ip;
	if (json_object_get(a, "mac"))
		return jstr(a, "mac");
	snprintf(buf, len, "#%lld", jint(a, "id"));
	return buf;
}

/* A second line for the map: station name, model, product or vendor. */
static const char *asset_subtitle(const json_t *a)
{
	static const char *const keys[] = { "name", "model", "product", "product_code", "vendor" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (*ident(a, keys[i]))
			return ident(a, keys[i]);
	return jstr(a, "vendor");
}

/* The assets array is sorted by id. */
static long asset_index(const json_t *assets, long long id)
{
	size_t lo = 0, hi = json_array_size(assets);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		long long x = jint(json_array_get(assets, mid), "id");

		if (x == id)
			return (long)mid;
		if (x < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int is_notable_cat(const char *cat)
{
	return !strcmp(cat, "write") || !strcmp(cat, "control") || !strcmp(cat, "program") ||
	       !strcmp(cat, "mode");
}

/* ---------------------------------------------------------------- page model */

struct node {
	double x, y;
	enum level level;
	uint32_t count;         /* assets in the node (grouped map) */
	long first;             /* index of a member asset */
	char key[64];           /* group key (subnet) */
};

struct view {
	const json_t *doc, *assets, *edges, *stats;
	size_t n_assets;
	long *node_of;          /* asset index -> node index */
	uint32_t *alerts_of;    /* asset index -> alert signatures naming it */
	struct node *nodes;
	size_t n_nodes;
	int grouped;            /* 0 one node per asset, 1 by subnet, 2 by level */
	double map_h;
	double band_y[LV_COUNT], band_h[LV_COUNT];
	char day[11];           /* the run's first day, "2025-12-01" ("" none) */
};

static void subnet_key(const json_t *a, int by_level_only, char *buf, size_t len)
{
	const char *ip = asset_ip(a);
	unsigned o[4];

	if (by_level_only || !ip)
		snprintf(buf, len, "%s", ip ? "all addresses" : "no IP address");
	else if (sscanf(ip, "%u.%u.%u.%u", &o[0], &o[1], &o[2], &o[3]) == 4)
		snprintf(buf, len, "%u.%u.%u.0/24", o[0], o[1], o[2]);
	else {
		/* IPv6: the first four groups (a /64) */
		const char *p = ip;
		int colons = 0;

		while (*p && colons < 4) {
			if (*p == ':')
				colons++;
			p++;
		}
		snprintf(buf, len, "%.*s:/64", (int)(p - ip), ip);
	}
}

static int build_nodes(struct view *v, int grouping)
{
	size_t i, j;

	v->n_nodes = 0;
	v->grouped = grouping;
	for (i = 0; i < v->n_assets; i++) {
		const json_t *a = json_array_get(v->assets, i);
		enum level lv = asset_level(a);
		char key[64] = "";

		if (grouping) {
			subnet_key(a, grouping == 2, key, sizeof(key));
			/* linear over the nodes of the grouped map: only ever
			 * asked for when the node count must stay small */
			for (j = 0; j < v->n_nodes; j++)
				if (v->nodes[j].level == lv && !strcmp(v->nodes[j].key, key))
					break;
			if (j < v->n_nodes) {
				v->nodes[j].count++;
				v->node_of[i] = (long)j;
				continue;
			}
			if (v->n_nodes >= REPORT_MAP_MAX_NODES)
				return -1;
		}
		j = v->n_nodes++;
		memset(&v->nodes[j], 0, sizeof(v->nodes[j]));
		v->nodes[j].level = lv;
		v->nodes[j].count = 1;
		v->nodes[j].first = (long)i;
		snprintf(v->nodes[j].key, sizeof(v->nodes[j].key), "%s", key);
		v->node_of[i] = (long)j;
	}
	return 0;
}

static void layout(struct view *v)
{
	size_t per[LV_COUNT] = { 0 }, seen[LV_COUNT] = { 0 }, i;
	double y = 10;
	int l;

	for (i = 0; i < v->n_nodes; i++)
		per[v->nodes[i].level]++;
	for (l = 0; l < LV_COUNT; l++) {
		size_t lines = (per[l] + MAP_PER_LINE - 1) / MAP_PER_LINE;

		v->band_y[l] = y;
		v->band_h[l] = per[l] ? MAP_BAND_TOP + (double)lines * MAP_LINE_H : 0;
		y += v->band_h[l] + (per[l] ? 8 : 0);
	}
	v->map_h = y;
	for (i = 0; i < v->n_nodes; i++) {
		struct node *n = &v->nodes[i];
		size_t k = seen[n->level]++, line = k / MAP_PER_LINE, col = k % MAP_PER_LINE;
		size_t on_line = per[n->level] - line * MAP_PER_LINE;
		double off;

		if (on_line > MAP_PER_LINE)
			on_line = MAP_PER_LINE;
		/* centre short lines; stagger alternate lines so edges between
		 * lines do not run through nodes */
		off = (double)(MAP_PER_LINE - on_line) * MAP_DX / 2 + (line % 2 ? MAP_DX / 2.0 : 0);
		n->x = MAP_X0 + off + (double)col * MAP_DX;
		n->y = v->band_y[n->level] + MAP_BAND_TOP + 22 + (double)line * MAP_LINE_H;
	}
}

/* ---------------------------------------------------------------- sections */

static const char page_style[] =
"body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}"
"header{background:#263238;color:#fff;padding:12px 20px}header h1{margin:0;font-size:20px}"
"header p{margin:4px 0 0;color:#cfd8dc}nav a{color:#80cbc4;margin-right:14px}"
"section{padding:10px 20px;border-bottom:1px solid #ddd}h2{font-size:17px;margin:8px 0}"
".mapwrap{display:flex;gap:12px;align-items:flex-start}.mapwrap svg{flex:0 1 auto;max-width:calc(100% - 300px);height:auto;background:#fff;border:1px solid #ccc}"
"#detail{flex:1;min-width:240px;max-width:420px;background:#fff;border:1px solid #ccc;padding:8px;position:sticky;top:4px;max-height:90vh;overflow:auto}"
"#detail h3{margin:0 0 6px;font-size:15px}#detail dt{font-weight:600;margin-top:4px}#detail dd{margin:0 0 0 10px;overflow-wrap:anywhere}"
".node{cursor:pointer}.node:hover circle,.node:focus circle,.node.sel circle{stroke:#000;stroke-width:3}"
".node text{font-size:11px;fill:#222}.node text.sub{fill:#666;font-size:10px}.band{fill:#f1f4f6}.bandl{font-size:12px;fill:#546e7a;font-weight:600}"
".edge{opacity:.75}.edge:hover{opacity:1}"
"table{border-collapse:collapse;background:#fff;font-size:12.5px}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}"
"th{background:#eceff1;cursor:pointer;user-select:none;position:sticky;top:0}th.asc::after{content:' \\25b2'}th.desc::after{content:' \\25bc'}"
"tr.sel td{background:#fff8e1}tr.notable td{background:#fff3f0}mark.n{background:#ffccbc;padding:0 2px}"
".sev1{color:#b71c1c;font-weight:700}.sev2{color:#e65100;font-weight:600}.sev3{color:#555}"
".empty{color:#2e7d32;font-weight:600}.note{color:#666;font-size:12px}.legend span{display:inline-block;margin-right:12px}"
".sw{display:inline-block;width:22px;height:4px;vertical-align:middle;margin-right:4px}"
"dl.run{display:grid;grid-template-columns:max-content auto;gap:2px 14px}dl.run dt{font-weight:600}dl.run dd{margin:0}"
"input[type=search]{width:320px;padding:3px;margin:4px 0}";

/* Sorting, filtering and the detail panel: DOM text only (textContent),
 * never markup built from data.  "#asset-ID" ("#group-N" on a grouped
 * map) in the address opens that asset's (group's) panel.  Sets data-report-ready on <body> when everything is
 * wired (tests look for it). */
static const char page_script[] =
"(function(){'use strict';\n"
"var data=JSON.parse(document.getElementById('report-data').textContent);\n"
"var panel=document.getElementById('detail');\n"
"function el(t,x,c){var e=document.createElement(t);if(x!==undefined&&x!==null)e.textContent=String(x);if(c)e.className=c;return e;}\n"
"function item(dl,k,v){if(v===undefined||v===null||v===''||(Array.isArray(v)&&!v.length))return;dl.appendChild(el('dt',k));"
"(Array.isArray(v)?v:[v]).forEach(function(x){dl.appendChild(el('dd',x));});}\n"
"function select(attr,id){document.querySelectorAll('.sel').forEach(function(n){n.classList.remove('sel');});"
"document.querySelectorAll('['+attr+'=\"'+id+'\"]').forEach(function(n){n.classList.add('sel');});}\n"
"function showAsset(id){var a=data.assets[id];if(!a)return;panel.textContent='';panel.appendChild(el('h3',a.name));var dl=el('dl');"
"item(dl,'Role',a.role);item(dl,'Why',a.why);item(dl,'Addresses',a.ips);item(dl,'MAC',a.mac);item(dl,'MAC vendor',a.vendor);"
"item(dl,'Identity',(a.identity||[]).map(function(f){return f[0]+': '+f[1];}));item(dl,'OT addresses',a.ot);"
"item(dl,'Services',a.services);item(dl,'First seen',a.first);item(dl,'Last seen',a.last);"
"item(dl,'Alerts',(a.alerts||[]).map(function(s){return s;}));panel.appendChild(dl);select('data-asset',id);}\n"
"function showGroup(id){var g=data.groups[id];if(!g)return;panel.textContent='';panel.appendChild(el('h3',g.name));var dl=el('dl');"
"item(dl,'Level',g.level);item(dl,'Assets',String(g.count));item(dl,'Members',g.members);panel.appendChild(dl);select('data-group',id);}\n"
"document.querySelectorAll('[data-asset]').forEach(function(n){var id=n.getAttribute('data-asset');"
"n.addEventListener('click',function(){showAsset(id);});n.addEventListener('keydown',function(e){if(e.key==='Enter')showAsset(id);});});\n"
"document.querySelectorAll('[data-group]').forEach(function(n){var id=n.getAttribute('data-group');"
"n.addEventListener('click',function(){showGroup(id);});n.addEventListener('keydown',function(e){if(e.key==='Enter')showGroup(id);});});\n"
"document.querySelectorAll('table.sortable').forEach(function(t){var ths=t.tHead.rows[0].cells;"
"Array.prototype.forEach.call(ths,function(th,i){th.addEventListener('click',function(){var asc=!th.classList.contains('asc');"
"Array.prototype.forEach.call(ths,function(h){h.classList.remove('asc','desc');});th.classList.add(asc?'asc':'desc');"
"var rows=Array.prototype.slice.call(t.tBodies[0].rows);rows.sort(function(a,b){var x=a.cells[i],y=b.cells[i];"
"var u=x.getAttribute('data-v'),w=y.getAttribute('data-v');var r=(u!==null&&w!==null)?(parseFloat(u)-parseFloat(w)):"
"x.textContent.localeCompare(y.textContent);return asc?r:-r;});rows.forEach(function(r){t.tBodies[0].appendChild(r);});});});});\n"
"document.querySelectorAll('input[data-filter]').forEach(function(inp){var t=document.getElementById(inp.getAttribute('data-filter'));"
"var out=document.getElementById(inp.getAttribute('data-count'));inp.addEventListener('input',function(){var q=inp.value.toLowerCase(),n=0;"
"Array.prototype.forEach.call(t.tBodies[0].rows,function(r){var hide=q&&r.textContent.toLowerCase().indexOf(q)<0;r.hidden=!!hide;if(!hide)n++;});"
"if(out)out.textContent=String(n);});});\n"
"function fromHash(){var m=/^#(asset|group)-([0-9]+)$/.exec(location.hash);if(m)(m[1]==='asset'?showAsset:showGroup)(m[2]);}\n"
"window.addEventListener('hashchange',fromHash);fromHash();\n"
"document.body.setAttribute('data-report-ready','1');})();\n";

static void put_asset_link(FILE *fp, const json_t *assets, long long id)
{
	long i = asset_index(assets, id);
	char b[32];

	if (i < 0) {
		fprintf(fp, "#%lld (evicted)", id);
		return;
	}
	fprintf(fp, "<span data-asset=\"%lld\">", id);
	esc(fp, asset_title(json_array_get(assets, (size_t)i), b, sizeof(b)));
	fputs("</span>", fp);
}

/* One line of the map: a conversation, or on a grouped map all the
 * conversations of one protocol between two groups. */
struct map_line {
	size_t na, nb;          /* nodes */
	const char *proto;      /* borrowed from the document */
	int is_ot, new_edge;
	uint8_t l4;
	uint16_t port;
	double vol;             /* bytes both ways */
	uint64_t pkts;
	uint32_t n_conv, alerts;
};

static int cmp_line_key(const void *pa, const void *pb)
{
	const struct map_line *a = pa, *b = pb;

	if (a->na != b->na)
		return a->na < b->na ? -1 : 1;
	if (a->nb != b->nb)
		return a->nb < b->nb ? -1 : 1;
	return strcmp(a->proto, b->proto);
}

static int cmp_line_vol(const void *pa, const void *pb)
{
	const struct map_line *a = pa, *b = pb;

	return a->vol < b->vol ? 1 : a->vol > b->vol ? -1 : 0;
}

static uint8_t transport_number(const char *t)
{
	return !strcmp(t, "tcp") ? 6 : !strcmp(t, "udp") ? 17 : 0;
}

/* The lines to draw, busiest first; NULL (and *n 0) when out of memory. */
static struct map_line *collect_lines(const struct view *v, struct report_html *r, size_t *n)
{
	size_t n_edges = json_array_size(v->edges), i, k = 0;
	struct map_line *lines = calloc(n_edges ? n_edges : 1, sizeof(*lines));
	const json_t *e;

	*n = 0;
	if (!lines)
		return NULL;
	json_array_foreach(v->edges, i, e) {
		long ci = asset_index(v->assets, jint(e, "client"));
		long si = asset_index(v->assets, jint(e, "server"));
		struct map_line *ln = &lines[k];
		const struct edge_mark *m;

		if (ci < 0 || si < 0 || v->node_of[ci] == v->node_of[si])
			continue;
		ln->na = (size_t)v->node_of[ci];
		ln->nb = (size_t)v->node_of[si];
		ln->proto = jstr(e, "proto");
		ln->is_ot = json_is_true(json_object_get(e, "ot"));
		ln->l4 = transport_number(jstr(e, "transport"));
		ln->port = (uint16_t)jint(e, "port");
		ln->vol = (double)jint(e, "bytes_to_server") + (double)jint(e, "bytes_to_client");
		ln->pkts = (uint64_t)(jint(e, "packets_to_server") + jint(e, "packets_to_client"));
		ln->n_conv = 1;
		m = mark_get(r, (uint64_t)jint(e, "client"), (uint64_t)jint(e, "server"), ln->l4,
			     ln->port, 0);
		ln->alerts = m ? m->alerts : 0;
		ln->new_edge = m ? m->new_edge : 0;
		k++;
	}
	if (v->grouped && k > 1) {
		size_t out = 0;

		/* one line per (group, group, protocol) */
		qsort(lines, k, sizeof(*lines), cmp_line_key);
		for (i = 1; i < k; i++) {
			struct map_line *o = &lines[out];

			if (cmp_line_key(o, &lines[i]) == 0) {
				o->vol += lines[i].vol;
				o->pkts += lines[i].pkts;
				o->n_conv += lines[i].n_conv;
				o->alerts += lines[i].alerts;
				o->new_edge |= lines[i].new_edge;
			} else {
				lines[++out] = lines[i];
			}
		}
		k = out + 1;
	}
	qsort(lines, k, sizeof(*lines), cmp_line_vol);
	*n = k;
	return lines;
}

/* A node's name: the asset's address, or the group's subnet. */
static void put_node_name(FILE *fp, const struct view *v, size_t node)
{
	char b[32];

	if (v->grouped)
		esc(fp, v->nodes[node].key);
	else
		esc(fp, asset_title(json_array_get(v->assets, (size_t)v->nodes[node].first), b, sizeof(b)));
}

static void section_map(FILE *fp, struct view *v, struct report_html *r)
{
	size_t i, drawn = 0, n_edges = json_array_size(v->edges);
	double w = MAP_X0 * 2 + (MAP_PER_LINE - 1) * MAP_DX + MAP_DX / 2.0;
	const char *seen_protos[24];
	const char *seen_colours[24];
	size_t n_seen = 0;
	int any_dashed = 0;
	int l;

	fputs("<section id=\"map\"><h2>Map</h2>\n", fp);
	if (v->grouped)
		fprintf(fp, "<p class=\"note\">%zu assets are more than the %d the map draws one by one: "
			"they are grouped by Purdue level and %s (%zu groups). Click a group for its members.</p>\n",
			v->n_assets, REPORT_MAP_MAX_NODES,
			v->grouped == 1 ? "IPv4 /24 or IPv6 /64 subnet" : "level only", v->n_nodes);
	fprintf(fp, "<div class=\"mapwrap\"><svg xmlns=\"http://www.w3.org/2000/svg\" id=\"mapsvg\" "
		"width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"asset map\">\n",
		w, v->map_h, w, v->map_h);
	for (l = 0; l < LV_COUNT; l++) {
		if (v->band_h[l] <= 0)
			continue;
		fprintf(fp, "<rect class=\"band\" x=\"2\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" rx=\"6\"/>"
			"<text class=\"bandl\" x=\"10\" y=\"%.0f\">%s</text>\n",
			v->band_y[l], w - 4, v->band_h[l], v->band_y[l] + 17, level_names[l]);
	}

	/* lines, busiest first */
	{
		size_t n_lines = 0;
		struct map_line *lines = collect_lines(v, r, &n_lines);

		fputs("<g id=\"edges\" fill=\"none\">\n", fp);
		for (i = 0; lines && i < n_lines && drawn < MAP_MAX_EDGES; i++) {
			const struct map_line *ln = &lines[i];
			const struct node *a = &v->nodes[ln->na], *b = &v->nodes[ln->nb];
			const char *colour = proto_colour(ln->proto, ln->is_ot);
			double dx = b->x - a->x, dy = b->y - a->y, cx, cy, sw;
			size_t k;

			for (k = 0; k < n_seen; k++)
				if (!strcmp(seen_protos[k], ln->proto))
					break;
			if (k == n_seen && n_seen < sizeof(seen_protos) / sizeof(seen_protos[0])) {
				seen_protos[n_seen] = ln->proto;
				seen_colours[n_seen++] = colour;
			}
			/* a slight curve, its bend by protocol, so parallel
			 * conversations of two protocols stay apart */
			cx = (a->x + b->x) / 2 - dy * (0.08 + 0.05 * (double)(k % 4));
			cy = (a->y + b->y) / 2 + dx * (0.08 + 0.05 * (double)(k % 4));
			sw = 1 + 1.2 * log10(1 + ln->vol / 200);
			if (sw > 9)
				sw = 9;
			fprintf(fp, "<path class=\"edge\" d=\"M%.0f %.0fQ%.0f %.0f %.0f %.0f\" stroke=\"%s\" "
				"stroke-width=\"%.1f\"%s><title>", a->x, a->y, cx, cy, b->x, b->y, colour, sw,
				ln->new_edge ? " stroke-dasharray=\"7 4\"" : "");
			if (ln->new_edge)
				any_dashed = 1;
			put_node_name(fp, v, ln->na);
			fputs(" \xe2\x86\x92 ", fp);
			put_node_name(fp, v, ln->nb);
			fputc(' ', fp);
			esc(fp, ln->proto);
			if (ln->n_conv == 1)
				fprintf(fp, "/%s %u", ln->l4 == 6 ? "tcp" : ln->l4 == 17 ? "udp" : "ip", ln->port);
			else
				fprintf(fp, ": %u conversations", ln->n_conv);
			fprintf(fp, ": %llu packets, ", (unsigned long long)ln->pkts);
			put_bytes(fp, ln->vol);
			if (ln->alerts)
				fprintf(fp, ", %u alert(s)", ln->alerts);
			if (ln->new_edge)
				fputs(", not in the baseline", fp);
			fputs("</title></path>\n", fp);
			drawn++;
		}
		fputs("</g>\n", fp);
		free(lines);
		n_edges = n_lines;
	}

	/* nodes */
	fputs("<g id=\"nodes\">\n", fp);
	for (i = 0; i < v->n_nodes; i++) {
		const struct node *n = &v->nodes[i];
		const json_t *a = json_array_get(v->assets, (size_t)n->first);
		char b[32];

		if (v->grouped) {
			fprintf(fp, "<g class=\"node group\" data-group=\"%zu\" data-count=\"%u\" tabindex=\"0\" "
				"transform=\"translate(%.0f %.0f)\"><circle r=\"%.0f\" fill=\"#78909c\" stroke=\"#fff\" stroke-width=\"2\"/>",
				i, n->count, n->x, n->y, 12 + 4 * log10(1 + n->count));
			fputs("<text y=\"32\" text-anchor=\"middle\">", fp);
			esc_n(fp, n->key, 22);
			fprintf(fp, "</text><text class=\"sub\" y=\"45\" text-anchor=\"middle\">%u asset%s</text><title>",
				n->count, n->count == 1 ? "" : "s");
			esc(fp, level_names[n->level]);
			fputs(": ", fp);
			esc(fp, n->key);
			fprintf(fp, ", %u assets</title></g>\n", n->count);
			continue;
		}
		{
			const char *role = jstr(a, "role");
			long idx = n->first;
			const json_t *ids = json_object_get(a, "identity"), *x;
			size_t k;

			fprintf(fp, "<g class=\"node\" data-asset=\"%lld\" tabindex=\"0\" transform=\"translate(%.0f %.0f)\">"
				"<circle r=\"15\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%d\"/>",
				jint(a, "id"), n->x, n->y, role_colour(role),
				v->alerts_of[idx] ? "#d50000" : "#fff", v->alerts_of[idx] ? 4 : 2);
			fputs("<text y=\"30\" text-anchor=\"middle\">", fp);
			esc_n(fp, asset_title(a, b, sizeof(b)), 22);
			fputs("</text><text class=\"sub\" y=\"43\" text-anchor=\"middle\">", fp);
			esc_n(fp, asset_subtitle(a), 18);
			/* the hover text: identity, addresses, role with reasons, alerts */
			fputs("</text><title>", fp);
			esc(fp, asset_title(a, b, sizeof(b)));
			fputs(" \xe2\x80\x94 ", fp);
			esc(fp, jstr(a, "role_label"));
			if (json_object_get(a, "mac")) {
				fputs("\nMAC ", fp);
				esc(fp, jstr(a, "mac"));
				fputc(' ', fp);
				esc(fp, jstr(a, "vendor"));
			}
			json_array_foreach(json_object_get(a, "ips"), k, x) {
				if (k == 8)
					break;
				fputs("\nIP ", fp);
				esc(fp, jstr(x, "ip"));
			}
			json_array_foreach(ids, k, x) {
				if (k == 12)
					break;
				fputc('\n', fp);
				esc(fp, jstr(x, "key"));
				fputs(": ", fp);
				esc(fp, jstr(x, "value"));
			}
			json_array_foreach(json_object_get(a, "role_reasons"), k, x) {
				if (k == 4)
					break;
				fputs("\nwhy: ", fp);
				esc(fp, json_string_value(x));
			}
			if (v->alerts_of[idx])
				fprintf(fp, "\nalerts: %u signature(s)", v->alerts_of[idx]);
			fputs("</title></g>\n", fp);
		}
	}
	fputs("</g></svg>\n<aside id=\"detail\"><p class=\"note\">Click an asset on the map or in the "
	      "table for its identity, addresses, roles and alerts.</p></aside></div>\n", fp);

	fputs("<p class=\"legend\">", fp);
	for (i = 0; i < n_seen; i++) {
		fprintf(fp, "<span><i class=\"sw\" data-colour=\"%s\"></i>", seen_colours[i]);
		esc(fp, seen_protos[i]);
		fputs("</span>", fp);
	}
	fputs("<span>line width: bytes (log scale)</span>", fp);
	if (any_dashed)
		fputs("<span>dashed: seen only in detection (not in the baseline)</span>", fp);
	fputs("<span>red ring: asset named in alerts</span></p>\n", fp);
	if (v->grouped)
		fputs("<p class=\"note\">A line stands for all the conversations of one protocol between "
		      "two groups; conversations inside a group are not drawn.</p>\n", fp);
	if (drawn < n_edges)
		fprintf(fp, "<p class=\"note\">The %zu busiest of %zu lines are drawn.</p>\n",
			drawn, n_edges);
	fputs("<p class=\"note\">Field devices (level 0) behind a gateway show as the OT addresses "
	      "(unit ids, link addresses) of the asset that answers for them.</p></section>\n", fp);
}

static void put_times_note(FILE *fp, const struct view *v)
{
	if (v->day[0])
		fprintf(fp, "<p class=\"note\">Times are UTC; a time without a date is on %s.</p>\n",
			v->day);
}

static void section_assets(FILE *fp, const struct view *v)
{
	size_t i, k, rows = v->n_assets < REPORT_MAX_ROWS ? v->n_assets : REPORT_MAX_ROWS;
	const json_t *x;

	fprintf(fp, "<section id=\"assets\"><h2>Assets (%zu)</h2>\n"
		"<input type=\"search\" placeholder=\"filter\" data-filter=\"asset-table\" data-count=\"asset-shown\" "
		"aria-label=\"filter assets\"> <span class=\"note\"><span id=\"asset-shown\">%zu</span> shown; click a "
		"column to sort</span>\n", v->n_assets, rows);
	if (rows < v->n_assets)
		fprintf(fp, "<p class=\"note\">The first %zu assets (by id) are listed; the inventory file "
			"has all %zu.</p>\n", rows, v->n_assets);
	put_times_note(fp, v);
	fputs("<table id=\"asset-table\" class=\"sortable\"><thead><tr><th>#</th><th>Address</th><th>MAC</th>"
	      "<th>Vendor</th><th>Model</th><th>Firmware</th><th>Serial</th><th>Role</th><th>Protocols</th>"
	      "<th>OT addresses</th><th>First seen</th><th>Last seen</th><th>Alerts</th></tr></thead><tbody>\n", fp);
	for (i = 0; i < rows; i++) {
		const json_t *a = json_array_get(v->assets, i), *ips = json_object_get(a, "ips");
		const char *vendor = ident(a, "vendor"), *model = ident(a, "model");
		const json_t *prot = json_object_get(a, "protocols");
		int n = 0;

		if (!*model)
			model = ident(a, "product");
		if (!*model)
			model = ident(a, "product_code");
		fprintf(fp, "<tr class=\"asset-row\" data-asset=\"%lld\"><td data-v=\"%lld\">%lld</td><td>",
			jint(a, "id"), jint(a, "id"), jint(a, "id"));
		json_array_foreach(ips, k, x) {
			if (k == 4) {
				fprintf(fp, " +%zu", json_array_size(ips) - 4);
				break;
			}
			if (k)
				fputs("<br>", fp);
			esc(fp, jstr(x, "ip"));
		}
		fputs("</td><td>", fp);
		esc(fp, jstr(a, "mac"));
		fputs("</td><td>", fp);
		if (*vendor)
			esc(fp, vendor);
		else if (*jstr(a, "vendor")) {
			fputs("<span class=\"note\">", fp);
			esc(fp, jstr(a, "vendor"));
			fputs(" (NIC)</span>", fp);
		}
		fputs("</td><td>", fp);
		esc(fp, model);
		fputs("</td><td>", fp);
		esc(fp, ident(a, "firmware"));
		fputs("</td><td>", fp);
		esc(fp, ident(a, "serial"));
		fputs("</td><td>", fp);
		esc(fp, jstr(a, "role_label"));
		fputs("</td><td>", fp);
		json_array_foreach(json_object_get(prot, "server"), k, x) {
			if (n++ >= 8)
				break;
			esc(fp, jstr(x, "proto"));
			fprintf(fp, " server/%lld ", jint(x, "port"));
		}
		json_array_foreach(json_object_get(prot, "client"), k, x) {
			if (n++ >= 8)
				break;
			esc(fp, jstr(x, "proto"));
			fputs(" client ", fp);
		}
		fputs("</td><td>", fp);
		json_array_foreach(json_object_get(a, "ot_addresses"), k, x) {
			if (k)
				fputs(", ", fp);
			esc(fp, jstr(x, "proto"));
			if (json_object_get(x, "unit"))
				fprintf(fp, " unit %lld", jint(x, "unit"));
			else if (json_object_get(x, "link_address"))
				fprintf(fp, " address %lld", jint(x, "link_address"));
			else if (json_object_get(x, "rack"))
				fprintf(fp, " rack %lld slot %lld", jint(x, "rack"), jint(x, "slot"));
		}
		fputs("</td><td>", fp);
		put_time(fp, jstr(a, "first_seen"), v->day);
		fputs("</td><td>", fp);
		put_time(fp, jstr(a, "last_seen"), v->day);
		fprintf(fp, "</td><td data-v=\"%u\">%u</td></tr>\n", v->alerts_of[i], v->alerts_of[i]);
	}
	fputs("</tbody></table></section>\n", fp);
}

/* "read_holding_registers" of the edge's operation with this code. */
static const char *op_name(const json_t *e, long long func)
{
	const json_t *x;
	size_t i;

	json_array_foreach(json_object_get(e, "operations"), i, x)
		if (jint(x, "func") == func && *jstr(x, "name"))
			return jstr(x, "name");
	return NULL;
}

static int edge_rank(const json_t *e)
{
	if (json_is_true(json_object_get(e, "notable")))
		return 0;
	return json_is_true(json_object_get(e, "ot")) ? 1 : 2;
}

static const json_t *cmp_edges_arr;

static int cmp_edges(const void *pa, const void *pb)
{
	const json_t *a = json_array_get(cmp_edges_arr, *(const size_t *)pa);
	const json_t *b = json_array_get(cmp_edges_arr, *(const size_t *)pb);
	double va, vb;

	if (edge_rank(a) != edge_rank(b))
		return edge_rank(a) - edge_rank(b);
	va = (double)jint(a, "bytes_to_server") + (double)jint(a, "bytes_to_client");
	vb = (double)jint(b, "bytes_to_server") + (double)jint(b, "bytes_to_client");
	return va < vb ? 1 : va > vb ? -1 : 0;
}

static void section_conversations(FILE *fp, const struct view *v, struct report_html *r)
{
	size_t n = json_array_size(v->edges), i, k, shown;
	size_t *order = calloc(n ? n : 1, sizeof(*order));
	const json_t *x;

	fprintf(fp, "<section id=\"conversations\"><h2>Conversations (%zu)</h2>\n", n);
	if (!order) {
		fputs("<p>out of memory</p></section>\n", fp);
		return;
	}
	for (i = 0; i < n; i++)
		order[i] = i;
	/* qsort has no context argument; the report is written by one
	 * thread at a time */
	cmp_edges_arr = v->edges;
	qsort(order, n, sizeof(*order), cmp_edges);
	cmp_edges_arr = NULL;
	shown = n < REPORT_MAX_CONVERSATIONS ? n : REPORT_MAX_CONVERSATIONS;
	fputs("<p class=\"note\">Writes, controls, programming and mode changes are highlighted; "
	      "conversations carrying them come first, then the other OT ones, then IT, busiest first. "
	      "Polling: each recurring request (operation and first address range) with its mean "
	      "period \xc2\xb1 standard deviation and (count).</p>\n", fp);
	if (shown < n)
		fprintf(fp, "<p class=\"note\">The first %zu are listed; the inventory file has all %zu.</p>\n",
			shown, n);
	fputs("<input type=\"search\" placeholder=\"filter\" data-filter=\"conv-table\" data-count=\"conv-shown\" "
	      "aria-label=\"filter conversations\"> <span class=\"note\"><span id=\"conv-shown\">", fp);
	fprintf(fp, "%zu</span> shown</span>\n", shown);
	put_times_note(fp, v);
	fputs("<table id=\"conv-table\" class=\"sortable\"><thead><tr><th>Client</th><th>Server</th><th>Protocol</th>"
	      "<th>Packets</th><th>Bytes</th><th>First seen</th><th>Last seen</th><th>Operations</th>"
	      "<th>Address ranges</th><th>Polling</th><th>Alerts</th></tr></thead><tbody>\n", fp);
	for (i = 0; i < shown; i++) {
		const json_t *e = json_array_get(v->edges, order[i]);
		const struct edge_mark *m;
		double bytes = (double)jint(e, "bytes_to_server") + (double)jint(e, "bytes_to_client");
		long long pk = jint(e, "packets_to_server") + jint(e, "packets_to_client");
		int notable = json_is_true(json_object_get(e, "notable"));
		int polls;

		m = mark_get(r, (uint64_t)jint(e, "client"), (uint64_t)jint(e, "server"),
			     !strcmp(jstr(e, "transport"), "tcp") ? 6 :
			     !strcmp(jstr(e, "transport"), "udp") ? 17 : 0,
			     (uint16_t)jint(e, "port"), 0);
		fprintf(fp, "<tr class=\"conv%s\" data-edge=\"%lld\"><td>", notable ? " notable" : "",
			jint(e, "id"));
		put_asset_link(fp, v->assets, jint(e, "client"));
		fputs("</td><td>", fp);
		put_asset_link(fp, v->assets, jint(e, "server"));
		fputs("</td><td>", fp);
		esc(fp, jstr(e, "proto"));
		fprintf(fp, " %s/%lld", !strcmp(jstr(e, "transport"), "tcp") ? "tcp" :
			!strcmp(jstr(e, "transport"), "udp") ? "udp" : "ip", jint(e, "port"));
		if (m && m->new_edge)
			fputs(" <mark class=\"n\">new</mark>", fp);
		fprintf(fp, "</td><td data-v=\"%lld\">%lld</td><td data-v=\"%.0f\">", pk, pk, bytes);
		put_bytes(fp, bytes);
		fputs("</td><td>", fp);
		put_time(fp, jstr(e, "first_seen"), v->day);
		fputs("</td><td>", fp);
		put_time(fp, jstr(e, "last_seen"), v->day);
		fputs("</td><td>", fp);
		json_array_foreach(json_object_get(e, "operations"), k, x) {
			const char *cat = jstr(x, "category");
			int hi = is_notable_cat(cat);

			if (k)
				fputs(", ", fp);
			if (k == 12) {
				fprintf(fp, "+%zu more", json_array_size(json_object_get(e, "operations")) - 12);
				break;
			}
			if (hi)
				fputs("<mark class=\"n\">", fp);
			if (*jstr(x, "name"))
				esc(fp, jstr(x, "name"));
			else
				fprintf(fp, "function %lld", jint(x, "func"));
			fprintf(fp, " \xc3\x97%lld", jint(x, "requests"));
			if (hi) {
				fputs(" (", fp);
				esc(fp, cat);
				fputc(')', fp);
			}
			if (jint(x, "errors"))
				fprintf(fp, ", %lld errors", jint(x, "errors"));
			if (hi)
				fputs("</mark>", fp);
		}
		fputs("</td><td>", fp);
		json_array_foreach(json_object_get(e, "ranges"), k, x) {
			long long start = jint(x, "start"), count = jint(x, "count");

			if (k)
				fputs(", ", fp);
			if (k == 10) {
				fprintf(fp, "+%zu more", json_array_size(json_object_get(e, "ranges")) - 10);
				break;
			}
			esc(fp, jstr(x, "space"));
			if (jint(x, "block"))
				fprintf(fp, " block %lld", jint(x, "block"));
			if (count > 1)
				fprintf(fp, " %lld\xe2\x80\x93%lld", start, start + count - 1);
			else
				fprintf(fp, " %lld", start);
		}
		fputs("</td><td>", fp);
		polls = 0;
		json_array_foreach(json_object_get(e, "recurring"), k, x) {
			const char *name = op_name(e, jint(x, "func"));

			/* a period needs two intervals at least */
			if (jint(x, "requests") < 3)
				continue;
			if (polls++ == 8) {
				fputs("\xe2\x80\xa6", fp);
				break;
			}
			if (name)
				esc(fp, name);
			else
				fprintf(fp, "function %lld", jint(x, "func"));
			if (*jstr(x, "space") && strcmp(jstr(x, "space"), "none")) {
				fputc(' ', fp);
				esc(fp, jstr(x, "space"));
				fprintf(fp, " %lld+%lld", jint(x, "start"), jint(x, "count"));
			}
			fprintf(fp, " %.3f s \xc2\xb1%.3f (%lld)<br>",
				json_number_value(json_object_get(x, "period_mean")),
				json_number_value(json_object_get(x, "period_stddev")), jint(x, "requests"));
		}
		fprintf(fp, "</td><td data-v=\"%u\">%u</td></tr>\n", m ? m->alerts : 0, m ? m->alerts : 0);
	}
	fputs("</tbody></table></section>\n", fp);
	free(order);
}

static int cmp_sigs(const void *pa, const void *pb)
{
	const struct report_sig *a = *(const struct report_sig *const *)pa;
	const struct report_sig *b = *(const struct report_sig *const *)pb;

	if (a->severity != b->severity)
		return a->severity - b->severity;
	return a->count < b->count ? 1 : a->count > b->count ? -1 : 0;
}

static void section_alerts(FILE *fp, const struct view *v, struct report_html *r)
{
	const struct report_sig *sorted[REPORT_MAX_SIGNATURES];
	int row_of[REPORT_MAX_SIGNATURES];
	size_t i, k;
	struct timeval t0, t1;
	double span, tl_w = 900, x0 = 230, row_h = 18;
	int rows;

	fprintf(fp, "<section id=\"alerts\"><h2>Alerts (%llu)</h2>\n", (unsigned long long)r->st.alerts);
	if (!r->n_sigs) {
		const struct report_html_run *o = r->run;

		fputs("<p class=\"empty\" id=\"no-alerts\">No alerts in this run.</p><p class=\"note\">", fp);
		if (o && o->baseline_file) {
			fputs("Compared with the baseline ", fp);
			esc(fp, o->baseline_file);
			fputs("; ", fp);
		} else {
			fputs("No baseline to compare with (--baseline); ", fp);
		}
		fputs(o && o->no_rules ? "rules off (--no-rules).</p></section>\n" :
		      "rules on (see Run for how many matched).</p></section>\n", fp);
		return;
	}
	for (i = 0; i < r->n_sigs; i++)
		sorted[i] = &r->sigs[i];
	qsort(sorted, r->n_sigs, sizeof(sorted[0]), cmp_sigs);
	rows = r->n_sigs > TL_ROWS ? TL_ROWS : (int)r->n_sigs;
	for (i = 0; i < r->n_sigs; i++)
		row_of[sorted[i] - r->sigs] = (int)i < TL_ROWS - (r->n_sigs > TL_ROWS) ? (int)i : TL_ROWS - 1;

	/* the timeline: one row per signature, one column per slice of time,
	 * opacity by the count in the slice */
	t0 = sorted[0]->first;
	t1 = sorted[0]->last;
	for (i = 0; i < r->n_sigs; i++) {
		if (timercmp(&r->sigs[i].first, &t0, <))
			t0 = r->sigs[i].first;
		if (timercmp(&r->sigs[i].last, &t1, >))
			t1 = r->sigs[i].last;
	}
	{
		/* the axis is the whole run when its span is known */
		double f = parse_ts(jstr(v->doc, "first_seen")), l = parse_ts(jstr(v->doc, "last_seen"));

		if (f > 0 && l > f && f <= (double)t0.tv_sec + 1 && l + 1 >= (double)t1.tv_sec) {
			t0.tv_sec = (time_t)f;
			t0.tv_usec = (suseconds_t)((f - (double)t0.tv_sec) * 1e6);
			t1.tv_sec = (time_t)l;
			t1.tv_usec = (suseconds_t)((l - (double)t1.tv_sec) * 1e6);
		}
	}
	span = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_usec - t0.tv_usec) / 1e6;
	if (span <= 0)
		span = 1;
	{
		static uint32_t cells[TL_ROWS][TL_COLS];
		uint32_t maxc = 1;
		int rr, c;

		memset(cells, 0, sizeof(cells));
		for (k = 0; k < r->tl_n; k++) {
			const struct tl_entry *t = &r->tl[k];
			double dt = (double)(t->ts.tv_sec - t0.tv_sec) + (t->ts.tv_usec - t0.tv_usec) / 1e6;

			c = (int)(dt / span * (TL_COLS - 1));
			if (c < 0)
				c = 0;
			if (c >= TL_COLS)
				c = TL_COLS - 1;
			rr = row_of[t->sig];
			if (++cells[rr][c] > maxc)
				maxc = cells[rr][c];
		}
		fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"timeline\" width=\"%.0f\" height=\"%.0f\" "
			"role=\"img\" aria-label=\"alert timeline\">\n", x0 + tl_w + 20, rows * row_h + 40);
		for (rr = 0; rr < rows; rr++) {
			const struct report_sig *g = sorted[rr];

			fprintf(fp, "<text x=\"4\" y=\"%.0f\" font-size=\"11\" fill=\"#333\">", 13 + rr * row_h);
			if (rr == TL_ROWS - 1 && r->n_sigs > TL_ROWS)
				fprintf(fp, "%zu other signatures", r->n_sigs - (TL_ROWS - 1));
			else
				esc_n(fp, g->signature, 34);
			fputs("</text>\n", fp);
			for (c = 0; c < TL_COLS; c++) {
				int sev = rr == TL_ROWS - 1 && r->n_sigs > TL_ROWS ? 3 : g->severity;

				if (!cells[rr][c])
					continue;
				fprintf(fp, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\" "
					"fill-opacity=\"%.2f\"><title>%u</title></rect>", x0 + c * tl_w / TL_COLS,
					3 + rr * row_h, tl_w / TL_COLS + 0.5, row_h - 4,
					sev <= 1 ? "#c62828" : sev == 2 ? "#ef6c00" : "#607d8b",
					0.35 + 0.65 * (double)cells[rr][c] / maxc, cells[rr][c]);
			}
			fputc('\n', fp);
		}
		fprintf(fp, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>",
			x0, rows * row_h + 4, x0 + tl_w, rows * row_h + 4);
		fprintf(fp, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" fill=\"#555\">", x0, rows * row_h + 20);
		put_tv(fp, &t0);
		fprintf(fp, "</text><text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" fill=\"#555\" text-anchor=\"end\">",
			x0 + tl_w, rows * row_h + 20);
		put_tv(fp, &t1);
		fputs(" UTC</text></svg>\n", fp);
		if (r->tl_dropped)
			fprintf(fp, "<p class=\"note\">The timeline shows the latest %d alerts; %llu earlier ones "
				"are in the counts below.</p>\n", REPORT_TIMELINE_MAX,
				(unsigned long long)r->tl_dropped);
	}

	fputs("<p class=\"note\">Counts are every alert raised, before repeats are folded into "
	      "summary lines and before the rate cap of the EVE output.</p>\n", fp);
	if (r->st.signatures_dropped)
		fprintf(fp, "<p class=\"note\">%llu alerts of signatures past the first %d are not listed.</p>\n",
			(unsigned long long)r->st.signatures_dropped, REPORT_MAX_SIGNATURES);
	fputs("<table id=\"alert-table\" class=\"sortable\"><thead><tr><th>Severity</th><th>Signature</th>"
	      "<th>Id</th><th>Category</th><th>ATT&amp;CK for ICS</th><th>Count</th><th>First seen</th>"
	      "<th>Last seen</th><th>Assets</th></tr></thead><tbody>\n", fp);
	for (i = 0; i < r->n_sigs; i++) {
		const struct report_sig *g = sorted[i];

		fprintf(fp, "<tr class=\"alert-row\"><td data-v=\"%d\" class=\"sev%d\">%s</td><td>", g->severity,
			g->severity < 1 ? 1 : g->severity > 3 ? 3 : g->severity,
			g->severity <= 1 ? "high" : g->severity == 2 ? "medium" : "low");
		esc(fp, g->signature);
		fprintf(fp, " <span class=\"note\">(");
		esc(fp, g->source);
		fprintf(fp, ")</span></td><td data-v=\"%u\">%u:%u</td><td>", g->sid, g->gid, g->sid);
		esc(fp, g->category);
		fputs("</td><td>", fp);
		esc(fp, g->mitre_id);
		if (g->mitre_name[0]) {
			fputs(" <span class=\"note\">", fp);
			esc(fp, g->mitre_name);
			fputs("</span>", fp);
		}
		fprintf(fp, "</td><td data-v=\"%llu\">%llu</td><td>", (unsigned long long)g->count,
			(unsigned long long)g->count);
		put_tv(fp, &g->first);
		fputs("</td><td>", fp);
		put_tv(fp, &g->last);
		fputs("</td><td>", fp);
		for (k = 0; k < g->n_assets; k++) {
			if (k)
				fputs(", ", fp);
			put_asset_link(fp, v->assets, (long long)g->assets[k]);
		}
		if (g->assets_more)
			fprintf(fp, " +%llu more", (unsigned long long)g->assets_more);
		fputs("</td></tr>\n", fp);
	}
	fputs("</tbody></table></section>\n", fp);
}

static void run_row(FILE *fp, const char *k)
{
	fprintf(fp, "<dt>%s</dt><dd>", k);
}

/* "key N, key N" of the non-zero integers of obj ("none" when all zero). */
static void put_nonzero(FILE *fp, const json_t *obj)
{
	const char *k;
	const json_t *x;
	int n = 0;

	json_object_foreach((json_t *)obj, k, x) {
		if (!json_is_integer(x) || !json_integer_value(x))
			continue;
		if (n++)
			fputs(", ", fp);
		esc(fp, k);
		fprintf(fp, " %lld", (long long)json_integer_value(x));
	}
	if (!n)
		fputs("none", fp);
}

static void section_run(FILE *fp, const struct view *v, struct report_html *r)
{
	const struct report_html_run *o = r->run;
	const json_t *st = v->stats, *x, *istats = json_object_get(v->doc, "stats");
	const char *first = jstr(v->doc, "first_seen"), *last = jstr(v->doc, "last_seen");
	const char *k;
	int i, n;
	size_t j;

	fputs("<section id=\"run\"><h2>Run</h2><dl class=\"run\">\n", fp);
	run_row(fp, "Inputs");
	if (o && o->iface) {
		fputs("live interface ", fp);
		esc(fp, o->iface);
	}
	for (i = 0; o && i < o->n_inputs; i++) {
		if (i)
			fputs("<br>", fp);
		esc(fp, o->inputs[i]);
	}
	if (o && o->bpf) {
		fputs("<br>filter: ", fp);
		esc(fp, o->bpf);
	}
	fputs("</dd>\n", fp);
	if (json_array_size(json_object_get(v->doc, "sensors"))) {
		/* a merged site: the sensors it came from */
		run_row(fp, "Sensors");
		json_array_foreach(json_object_get(v->doc, "sensors"), j, x) {
			if (j)
				fputs("<br>", fp);
			esc(fp, jstr(x, "sensor"));
			fprintf(fp, " (%lld assets)", jint(x, "assets"));
		}
		fputs("</dd>\n", fp);
	}
	run_row(fp, "Time span");
	if (*first) {
		put_ts(fp, first);
		fputs(" \xe2\x80\x93 ", fp);
		put_ts(fp, last);
		fputs(" UTC (", fp);
		put_duration(fp, parse_ts(last) - parse_ts(first));
		fputs(")", fp);
	} else {
		fputs("no traffic", fp);
	}
	fputs("</dd>\n", fp);
	if (st) {
		run_row(fp, "Packets");
		fprintf(fp, "%lld (", jint(st, "packets"));
		put_bytes(fp, (double)jint(st, "bytes"));
		fprintf(fp, "), %lld decoded</dd>\n", jint(json_object_get(st, "decoder"), "decoded") ?
			jint(json_object_get(st, "decoder"), "decoded") : jint(st, "packets"));
		run_row(fp, "Protocols (flows)");
		n = 0;
		json_object_foreach(json_object_get(st, "dissectors"), k, x) {
			if (!jint(x, "flows"))
				continue;
			if (n++)
				fputs(", ", fp);
			esc(fp, k);
			fprintf(fp, " %lld", jint(x, "flows"));
		}
		if (!n)
			fputs("none", fp);
		fputs("</dd>\n", fp);
		run_row(fp, "Flows");
		put_nonzero(fp, json_object_get(st, "flow"));
		fputs("</dd>\n", fp);
		run_row(fp, "Decode errors");
		put_nonzero(fp, json_object_get(json_object_get(st, "decoder"), "errors"));
		fputs("; fragments: ", fp);
		put_nonzero(fp, json_object_get(json_object_get(st, "decoder"), "ipv4_frag"));
		fputs("</dd>\n", fp);
		run_row(fp, "Drops");
		put_nonzero(fp, json_object_get(st, "capture"));
		fputs("; reassembly: ", fp);
		put_nonzero(fp, json_object_get(st, "reassembly"));
		fputs("</dd>\n", fp);
	}
	run_row(fp, "Other services seen");
	{
		/* the labels of non-OT conversations, each once */
		const char *seen[32];
		size_t ns = 0, q;

		json_array_foreach(v->edges, j, x) {
			const char *p = jstr(x, "proto");

			if (json_is_true(json_object_get(x, "ot")))
				continue;
			for (q = 0; q < ns; q++)
				if (!strcmp(seen[q], p))
					break;
			if (q == ns && ns < 32)
				seen[ns++] = p;
		}
		for (q = 0; q < ns; q++) {
			if (q)
				fputs(", ", fp);
			esc(fp, seen[q]);
		}
		if (!ns)
			fputs("none", fp);
	}
	fputs("</dd>\n", fp);
	run_row(fp, "Baseline");
	if (o && o->learn_file && o->baseline_file) {
		fputs("detection against ", fp);
		esc(fp, o->baseline_file);
		fputs(", learning into ", fp);
		esc(fp, o->learn_file);
	} else if (o && o->learn_file) {
		fputs("learned into ", fp);
		esc(fp, o->learn_file);
	} else if (o && o->baseline_file) {
		fputs("detection against ", fp);
		esc(fp, o->baseline_file);
	} else {
		fputs("none (no --learn or --baseline)", fp);
	}
	if (st && (x = json_object_get(st, "baseline"))) {
		fputs(" \xe2\x80\x94 mode ", fp);
		esc(fp, jstr(x, "mode"));
		fputs("; ", fp);
		put_nonzero(fp, x);
	}
	fputs("</dd>\n", fp);
	run_row(fp, "Rules");
	if (o && o->no_rules)
		fputs("off (--no-rules)", fp);
	else if (st && (x = json_object_get(st, "rules")))
		put_nonzero(fp, x);
	else
		fputs("none", fp);
	fputs("</dd>\n", fp);
	run_row(fp, "Inventory");
	fprintf(fp, "%lld assets, %lld conversations; evicted: %lld assets, %lld conversations</dd>\n",
		jint(istats, "assets"), jint(istats, "edges"), jint(istats, "assets_evicted"),
		jint(istats, "edges_evicted"));
	run_row(fp, "Alerts");
	fprintf(fp, "%llu raised, %zu signatures", (unsigned long long)r->st.alerts, r->n_sigs);
	if (st && (x = json_object_get(st, "alerts"))) {
		fputs("; EVE output: ", fp);
		put_nonzero(fp, x);
	}
	fputs("</dd>\n", fp);
	run_row(fp, "Generated");
	esc(fp, jstr(v->doc, "generated"));
	fprintf(fp, " by otsentry %s</dd>\n</dl></section>\n", PACKAGE_VERSION);
}

/* The data of the detail panel: per asset (and per group) what the panel
 * shows, as text. */
static json_t *detail_json(const struct view *v, struct report_html *r)
{
	json_t *root = json_object(), *assets = json_object(), *groups = json_object();
	size_t i, k, rows = v->n_assets < REPORT_MAX_ROWS ? v->n_assets : REPORT_MAX_ROWS;
	const json_t *x;
	char key[32], b[32];

	for (i = 0; i < rows; i++) {
		const json_t *a = json_array_get(v->assets, i);
		json_t *d = json_object(), *arr;
		long long id = jint(a, "id");
		const json_t *prot = json_object_get(a, "protocols");

		json_object_set_new(d, "name", json_string(asset_title(a, b, sizeof(b))));
		json_object_set_new(d, "role", json_string(jstr(a, "role_label")));
		arr = json_array();
		json_array_foreach(json_object_get(a, "role_reasons"), k, x)
			if (k < DETAIL_MAX_REASONS)
				json_array_append(arr, (json_t *)x);
		json_object_set_new(d, "why", arr);
		arr = json_array();
		json_array_foreach(json_object_get(a, "ips"), k, x) {
			char line[160];

			if (k == DETAIL_MAX_IPS)
				break;
			snprintf(line, sizeof(line), "%s%s", jstr(x, "ip"),
				 json_is_true(json_object_get(x, "external")) ? " (public)" : "");
			json_array_append_new(arr, json_string(line));
		}
		json_object_set_new(d, "ips", arr);
		if (json_object_get(a, "mac"))
			json_object_set(d, "mac", json_object_get(a, "mac"));
		if (json_object_get(a, "vendor"))
			json_object_set(d, "vendor", json_object_get(a, "vendor"));
		arr = json_array();
		json_array_foreach(json_object_get(a, "identity"), k, x)
			json_array_append_new(arr, json_pack("[OO]", json_object_get(x, "key"),
							     json_object_get(x, "value")));
		json_object_set_new(d, "identity", arr);
		arr = json_array();
		json_array_foreach(json_object_get(a, "ot_addresses"), k, x) {
			char line[96];

			if (json_object_get(x, "unit"))
				snprintf(line, sizeof(line), "%s unit %lld", jstr(x, "proto"), jint(x, "unit"));
			else if (json_object_get(x, "link_address"))
				snprintf(line, sizeof(line), "%s address %lld", jstr(x, "proto"),
					 jint(x, "link_address"));
			else
				snprintf(line, sizeof(line), "%s rack %lld slot %lld", jstr(x, "proto"),
					 jint(x, "rack"), jint(x, "slot"));
			json_array_append_new(arr, json_string(line));
		}
		json_object_set_new(d, "ot", arr);
		arr = json_array();
		json_array_foreach(json_object_get(prot, "server"), k, x) {
			char line[96];

			snprintf(line, sizeof(line), "%s server on %s/%lld", jstr(x, "proto"),
				 jstr(x, "transport"), jint(x, "port"));
			json_array_append_new(arr, json_string(line));
		}
		json_array_foreach(json_object_get(prot, "client"), k, x) {
			char line[96];

			snprintf(line, sizeof(line), "%s client to %s/%lld", jstr(x, "proto"),
				 jstr(x, "transport"), jint(x, "port"));
			json_array_append_new(arr, json_string(line));
		}
		json_object_set_new(d, "services", arr);
		json_object_set_new(d, "first", ts_text(jstr(a, "first_seen")));
		json_object_set_new(d, "last", ts_text(jstr(a, "last_seen")));
		arr = json_array();
		for (k = 0; k < r->n_sigs; k++) {
			const struct report_sig *g = &r->sigs[k];
			uint16_t q;

			for (q = 0; q < g->n_assets; q++)
				if (g->assets[q] == (uint64_t)id) {
					char line[SIG_TEXT_LEN + 64];

					snprintf(line, sizeof(line), "%s (%llu, %s)", g->signature,
						 (unsigned long long)g->count,
						 g->severity <= 1 ? "high" : g->severity == 2 ? "medium" : "low");
					json_array_append_new(arr, json_text(line));
					break;
				}
		}
		json_object_set_new(d, "alerts", arr);
		snprintf(key, sizeof(key), "%lld", id);
		json_object_set_new(assets, key, d);
	}
	for (i = 0; v->grouped && i < v->n_nodes; i++) {
		const struct node *n = &v->nodes[i];
		json_t *g = json_object(), *mem = json_array();
		size_t q, listed = 0;

		json_object_set_new(g, "name", json_string(n->key));
		json_object_set_new(g, "level", json_string(level_names[n->level]));
		json_object_set_new(g, "count", json_integer(n->count));
		for (q = 0; q < v->n_assets && listed < 50; q++)
			if (v->node_of[q] == (long)i) {
				const json_t *a = json_array_get(v->assets, q);
				char line[160];

				snprintf(line, sizeof(line), "#%lld %s %s", jint(a, "id"), asset_title(a, b, sizeof(b)),
					 jstr(a, "role_label"));
				json_array_append_new(mem, json_string(line));
				listed++;
			}
		if (n->count > listed) {
			char line[64];

			snprintf(line, sizeof(line), "+%zu more", (size_t)n->count - listed);
			json_array_append_new(mem, json_string(line));
		}
		json_object_set_new(g, "members", mem);
		snprintf(key, sizeof(key), "%zu", i);
		json_object_set_new(groups, key, g);
	}
	json_object_set_new(root, "assets", assets);
	json_object_set_new(root, "groups", groups);
	return root;
}

/* 32 hex digits from the system's random source (seed.h). */
static void make_nonce(char out[33])
{
	uint64_t a = ots_random_seed(), b = ots_random_seed();

	snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

int report_html_write_fp(struct report_html *r, FILE *fp)
{
	struct view v;
	json_t *doc, *data;
	char nonce[33];
	size_t i, k;
	int rc = 0;

	memset(&v, 0, sizeof(v));
	if (!r || !fp)
		return -1;
	doc = r->inv ? inventory_json(r->inv) : json_incref(r->doc);
	if (!doc)
		return -1;
	v.doc = doc;
	v.assets = json_object_get(doc, "assets");
	v.edges = json_object_get(doc, "edges");
	v.n_assets = json_array_size(v.assets);
	if (strlen(jstr(doc, "first_seen")) >= 10)
		snprintf(v.day, sizeof(v.day), "%.10s", jstr(doc, "first_seen"));
	v.stats = r->sensor ? sensor_stats_json(r->sensor) : NULL;
	v.node_of = calloc(v.n_assets ? v.n_assets : 1, sizeof(*v.node_of));
	v.alerts_of = calloc(v.n_assets ? v.n_assets : 1, sizeof(*v.alerts_of));
	v.nodes = calloc(v.n_assets ? v.n_assets : 1, sizeof(*v.nodes));
	if (!v.node_of || !v.alerts_of || !v.nodes) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < r->n_sigs; i++)
		for (k = 0; k < r->sigs[i].n_assets; k++) {
			long ix = asset_index(v.assets, (long long)r->sigs[i].assets[k]);

			if (ix >= 0)
				v.alerts_of[ix]++;
		}
	/* one node per asset; past the cap, by level and subnet; past it
	 * again, by level */
	if (v.n_assets > REPORT_MAP_MAX_NODES) {
		if (build_nodes(&v, 1) < 0)
			build_nodes(&v, 2);
	} else {
		build_nodes(&v, 0);
	}
	layout(&v);
	make_nonce(nonce);

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n", fp);
	fprintf(fp, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"script-src 'nonce-%s'; style-src 'nonce-%s'; img-src 'none'; connect-src 'none'; "
		"font-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; "
		"worker-src 'none'; manifest-src 'none'; base-uri 'none'; form-action 'none'\">\n", nonce, nonce);
	fputs("<meta name=\"referrer\" content=\"no-referrer\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width\">\n<title>otsentry plant report</title>\n", fp);
	fprintf(fp, "<style nonce=\"%s\">%s", nonce, page_style);
	/* legend swatches: one rule per colour in use, no style attributes */
	fputs(".sw[data-colour='#1f77b4']{background:#1f77b4}.sw[data-colour='#2ca02c']{background:#2ca02c}"
	      ".sw[data-colour='#d62728']{background:#d62728}.sw[data-colour='#9467bd']{background:#9467bd}"
	      ".sw[data-colour='#ff7f0e']{background:#ff7f0e}.sw[data-colour='#8c564b']{background:#8c564b}"
	      ".sw[data-colour='#17becf']{background:#17becf}.sw[data-colour='#e377c2']{background:#e377c2}"
	      ".sw[data-colour='#a0a4a8']{background:#a0a4a8}</style>\n</head>\n", fp);
	fprintf(fp, "<body data-assets=\"%zu\" data-map-nodes=\"%zu\" data-grouped=\"%d\">\n", v.n_assets,
		v.n_nodes, v.grouped);
	fputs("<header><h1>otsentry plant report</h1><p>", fp);
	fprintf(fp, "%zu assets, %zu conversations, %llu alerts", v.n_assets, json_array_size(v.edges),
		(unsigned long long)r->st.alerts);
	if (*jstr(doc, "first_seen")) {
		fputs(" \xc2\xb7 traffic from ", fp);
		put_ts(fp, jstr(doc, "first_seen"));
		fputs(" to ", fp);
		put_ts(fp, jstr(doc, "last_seen"));
		fputs(" UTC", fp);
	}
	fputs("</p><nav><a href=\"#map\">Map</a><a href=\"#assets\">Assets</a><a href=\"#conversations\">"
	      "Conversations</a><a href=\"#alerts\">Alerts</a><a href=\"#run\">Run</a></nav></header>\n", fp);
	section_map(fp, &v, r);
	section_assets(fp, &v);
	section_conversations(fp, &v, r);
	section_alerts(fp, &v, r);
	section_run(fp, &v, r);
	fputs("<script type=\"application/json\" id=\"report-data\">", fp);
	data = detail_json(&v, r);
	put_script_json(fp, data);
	json_decref(data);
	fprintf(fp, "</script>\n<script nonce=\"%s\">%s</script>\n</body></html>\n", nonce, page_script);
	if (ferror(fp))
		rc = -1;
out:
	free(v.node_of);
	free(v.alerts_of);
	free(v.nodes);
	json_decref((json_t *)v.stats);
	json_decref(doc);
	return rc;
}

/* ---------------------------------------------------------------- lifecycle */

struct report_html *report_html_new_doc(json_t *doc, const struct report_html_run *run)
{
	struct report_html *r = report_html_new(NULL, NULL, run);

	if (r)
		r->doc = json_incref(doc);
	return r;
}

struct report_html *report_html_new(struct inventory *inv, struct sensor *s,
				    const struct report_html_run *run)
{
	struct report_html *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->inv = inv;
	r->sensor = s;
	if (run) {
		r->run_copy = *run;
		r->run = &r->run_copy;
	}
	r->sigs = calloc(REPORT_MAX_SIGNATURES, sizeof(*r->sigs));
	r->tl = calloc(REPORT_TIMELINE_MAX, sizeof(*r->tl));
	r->marks = calloc(MARK_SLOTS, sizeof(*r->marks));
	if (!r->sigs || !r->tl || !r->marks) {
		report_html_free(r);
		return NULL;
	}
	return r;
}

void report_html_free(struct report_html *r)
{
	if (!r)
		return;
	free(r->sigs);
	free(r->tl);
	free(r->marks);
	json_decref(r->doc);
	free(r);
}

void report_html_get_stats(const struct report_html *r, struct report_html_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (r)
		*st = r->st;
}

static int write_page(FILE *fp, const void *arg)
{
	return report_html_write_fp((struct report_html *)(uintptr_t)arg, fp);
}

int report_html_write(struct report_html *r, const char *path, char *err, size_t errlen)
{
	return ots_atomic_write(path, write_page, r, err, errlen);
}

/* ---------------------------------------------------------------- observer */

static void write_now(struct report_html *r)
{
	char err[512];

	if (report_html_write(r, r->path, err, sizeof(err)) < 0) {
		r->st.write_errors++;
		fprintf(stderr, "otsentry: --report %s\n", err);
		return;
	}
	r->st.written++;
}

static void obs_snapshot(void *ctx, const struct timeval *now)
{
	(void)now;
	write_now(ctx);
}

static void obs_finish(void *ctx, const struct timeval *last)
{
	(void)last;
	write_now(ctx);
}

static void obs_stats(void *ctx, json_t *stats)
{
	const struct report_html *r = ctx;

	json_object_set_new(stats, "report", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
		"written", (json_int_t)r->st.written, "write_errors", (json_int_t)r->st.write_errors,
		"alerts", (json_int_t)r->st.alerts, "signatures", (json_int_t)r->st.signatures,
		"signatures_dropped", (json_int_t)r->st.signatures_dropped,
		"alert_marks_dropped", (json_int_t)r->st.edge_marks_dropped));
}

static void obs_free(void *ctx)
{
	report_html_free(ctx);
}

int report_html_observe(struct sensor *s, struct report_html *r, const char *path,
			char *err, size_t errlen)
{
	struct sensor_observer obs;

	r->path = path;
	memset(&obs, 0, sizeof(obs));
	obs.name = "report";
	obs.ctx = r;
	obs.on_finish = obs_finish;
	obs.on_stats = obs_stats;
	obs.on_free = obs_free;
	obs.on_snapshot = obs_snapshot;
	if (sensor_add_observer(s, &obs) < 0) {
		snprintf(err, errlen, "too many sensor observers");
		return -1;
	}
	return 0;
}
