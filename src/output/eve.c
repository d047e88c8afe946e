/*
 * eve.c - the EVE JSON writer: common fields, compact one-line serialisation,
 * file/stdout sinks with reopen (see eve.h).
 *
 * Field names follow Suricata's EVE format (timestamp, flow_id, event_type,
 * vlan, src_ip, src_port, dest_ip, dest_port, proto).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "community_id.h"
#include "eve.h"
#include "flow.h"
#include "event.h"
#include "jw.h"
#include "linefile.h"

#define EVE_MAX_SINKS 16

struct eve {
	struct eve_sink sinks[EVE_MAX_SINKS];
	int nsinks;
	uint64_t lines, errors, serialise_errors;
	struct jw w;            /* the line being written; its buffer is reused */
	char *host;             /* "host" value (the sensor's name), or NULL */
	char *host_member;      /* "host":"..." as written (escaped), or NULL */
	size_t host_len;
};

/* ---- file sink: whole lines or none (linefile.h) ---- */

static int file_sink_write(void *ctx, const char *line, size_t len)
{
	return linefile_put(ctx, line, len) < 0 ? -1 : 0;
}

static void file_sink_reopen(void *ctx)
{
	linefile_reopen(ctx);
}

static void file_sink_flush(void *ctx)
{
	linefile_flush(ctx);
}

static void file_sink_close(void *ctx)
{
	linefile_close(ctx);
	free(ctx);
}

static void file_sink_stats(void *ctx, json_t *obj)
{
	struct linefile *lf = ctx;

	/* taken: written, or waiting in the buffer (lost counts those that
	 * never reach the file) */
	json_object_set_new(obj, "lines", json_integer((json_int_t)(lf->lines + lf->pending)));
	json_object_set_new(obj, "bytes", json_integer((json_int_t)(lf->bytes + lf->len)));
	json_object_set_new(obj, "errors", json_integer((json_int_t)lf->failures));
	json_object_set_new(obj, "lost", json_integer((json_int_t)lf->lost));
	json_object_set_new(obj, "reopens", json_integer((json_int_t)lf->reopens));
}

static uint64_t file_sink_lost(void *ctx)
{
	return ((struct linefile *)ctx)->lost;
}

static int file_sink_failing(void *ctx)
{
	struct linefile *lf = ctx;

	return lf->failing ? (lf->err ? lf->err : -1) : 0;
}

/* ---- writer ---- */

struct eve *eve_new(void)
{
	return calloc(1, sizeof(struct eve));
}

void eve_free(struct eve *e)
{
	int i;

	if (!e)
		return;
	for (i = 0; i < e->nsinks; i++)
		if (e->sinks[i].close)
			e->sinks[i].close(e->sinks[i].ctx);
	jw_free(&e->w);
	free(e->host);
	free(e->host_member);
	free(e);
}

int eve_set_host(struct eve *e, const char *name)
{
	char *h = NULL, *m = NULL;
	const char *text;
	struct jw w;
	size_t n = 0;

	if (name && *name) {
		/* the member as every line ends with it, written once */
		jw_init(&w);
		jw_object_open(&w, NULL);
		jw_string(&w, "host", name);
		jw_object_close(&w);
		text = jw_finish(&w, &n);
		h = strdup(name);
		m = text && n > 2 ? strndup(text + 1, n - 2) : NULL;
		jw_free(&w);
		if (!h || !m) {
			free(h);
			free(m);
			return -1;
		}
		n -= 2;
	}
	free(e->host);
	free(e->host_member);
	e->host = h;
	e->host_member = m;
	e->host_len = n;
	return 0;
}

const char *eve_host(const struct eve *e)
{
	return e->host;
}

int eve_add_sink(struct eve *e, const struct eve_sink *sink)
{
	if (e->nsinks >= EVE_MAX_SINKS)
		return -1;
	e->sinks[e->nsinks++] = *sink;
	return 0;
}

int eve_add_file(struct eve *e, const char *path, char *err, size_t errlen)
{
	struct linefile *lf = calloc(1, sizeof(*lf));
	struct eve_sink sink = {
		.name = "file", .write = file_sink_write, .reopen = file_sink_reopen,
		.flush = file_sink_flush, .close = file_sink_close, .stats = file_sink_stats,
		.lost = file_sink_lost, .failing = file_sink_failing,
	};

	if (!lf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (linefile_open(lf, path, err, errlen) < 0) {
		free(lf);
		return -1;
	}
	if (strcmp(path, "-") == 0)
		sink.name = "stdout";
	sink.ctx = lf;
	if (eve_add_sink(e, &sink) < 0) {
		snprintf(err, errlen, "too many outputs (at most %d)", EVE_MAX_SINKS);
		file_sink_close(lf);
		return -1;
	}
	return 0;
}

void eve_reopen(struct eve *e)
{
	int i;

	for (i = 0; i < e->nsinks; i++)
		if (e->sinks[i].reopen)
			e->sinks[i].reopen(e->sinks[i].ctx);
}

void eve_flush(struct eve *e)
{
	int i;

	for (i = 0; i < e->nsinks; i++)
		if (e->sinks[i].flush)
			e->sinks[i].flush(e->sinks[i].ctx);
}

/* n decimal digits of v, zero-padded, at p. */
static char *put_digits(char *p, unsigned v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/* The date and time of day of the last second formatted ("YYYY-MM-DDTHH:MM:SS"):
 * events come in runs within one second, and gmtime_r is most of a
 * timestamp's cost.  A pure memo: the text is the same without it. */
static struct {
	time_t sec;
	int valid;
	char text[20];
} ts_memo;

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

int eve_timestamp_parse(const char *s, struct timeval *tv)
{
	unsigned mo, d, h, mi, sec;
	long y, us = 0, scale = 100000;
	const char *p;
	int n = 0;

	if (!s || sscanf(s, "%4ld-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &sec, &n) < 6 ||
	    n != 19 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	p = s + n;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			us += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p && strcmp(p, "+0000") != 0 && strcmp(p, "Z") != 0)
		return -1;
	tv->tv_sec = (time_t)(days_from_civil(y, mo, d) * 86400L + h * 3600L + mi * 60L + sec);
	tv->tv_usec = (suseconds_t)us;
	return 0;
}

/* The text of ts into buf[len] (as eve_timestamp); returns its length. */
static size_t ts_text(const struct timeval *ts, char *buf, size_t len)
{
	struct tm tm;
	time_t t = ts->tv_sec;
	long usec = (long)ts->tv_usec;
	unsigned u;
	char *p = buf;
	int n;

	if (usec < 0 || usec > 999999)
		usec = 0;
	if (len >= 32 && ts_memo.valid && ts_memo.sec == t) {
		memcpy(p, ts_memo.text, 19);
		p += 19;
		goto fraction;
	}
	if (!gmtime_r(&t, &tm)) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 70;
		tm.tm_mday = 1;
	}
	if (len < 32 || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+0000",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			     tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
		return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len ? len - 1 : 0;
	}
	/* The hot path: one per event; no printf. */
	p = put_digits(p, (unsigned)(tm.tm_year + 1900), 4);
	*p++ = '-';
	p = put_digits(p, (unsigned)tm.tm_mon + 1, 2);
	*p++ = '-';
	p = put_digits(p, (unsigned)tm.tm_mday, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)tm.tm_hour, 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)tm.tm_min, 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)tm.tm_sec, 2);
	memcpy(ts_memo.text, buf, 19);
	ts_memo.sec = t;
	ts_memo.valid = 1;
fraction:
	/* six digits, two at a time */
	u = (unsigned)usec;
	*p++ = '.';
	memcpy(p, jw_pairs + 2 * (u / 10000), 2);
	memcpy(p + 2, jw_pairs + 2 * (u / 100 % 100), 2);
	memcpy(p + 4, jw_pairs + 2 * (u % 100), 2);
	memcpy(p + 6, "+0000", 6);
	return (size_t)(p + 11 - buf);
}

const char *eve_timestamp(const struct timeval *ts, char *buf, size_t len)
{
	ts_text(ts, buf, len);
	return buf;
}

/* IANA protocol numbers, the names Suricata prints. */
static const struct ot_tok l4_names[] = {
	{ IPPROTO_TCP, "TCP" },
	{ IPPROTO_UDP, "UDP" },
	{ IPPROTO_ICMP, "ICMP" },
	{ IPPROTO_IGMP, "IGMP" },
	{ IPPROTO_ICMPV6, "IPv6-ICMP" },
	{ IPPROTO_SCTP, "SCTP" },
	{ IPPROTO_GRE, "GRE" },
	{ IPPROTO_ESP, "ESP" },
	{ 0, NULL }
};

/* The flow's endpoints as the line shows them. */
struct eve_tuple {
	char src[64], dst[64], pnum[8];
	const char *proto;              /* l4_names' name, or pnum */
	uint16_t sport, dport;
	int ports;
	const char *community_id;       /* NULL: none */
};

/* Frozen at startup (eve_set_community_id), read by every event. */
static int community_on = 1;
static uint16_t community_seed;

void eve_set_community_id(int on, uint16_t seed)
{
	community_on = on;
	community_seed = seed;
}

/* Live capture: the interface names, indexed by flow.iface (frozen at
 * startup, eve_set_ifaces); none when reading files. */
static const char *const *iface_names;
static int n_iface_names;

void eve_set_ifaces(const char *const *names, int n)
{
	iface_names = names;
	n_iface_names = names ? n : 0;
}

/* in_iface of a flow's events, or NULL. */
static const char *flow_iface(const struct flow *f)
{
	return f && f->iface < n_iface_names ? iface_names[f->iface] : NULL;
}

/* What a memo below was made from: the flow's id and whole tuple, the
 * Community ID setting, and for the tuple text the direction. */
struct memo_key {
	uint64_t id;
	struct ot_ip cli, srv;
	uint16_t cli_port, srv_port, seed;
	uint8_t l4, community, from_client, valid;
};

static void memo_key_set(struct memo_key *k, const struct flow *f, int from_client)
{
	memset(k, 0, sizeof(*k));
	k->id = f->id;
	k->cli = f->cli_ip;
	k->srv = f->srv_ip;
	k->cli_port = f->cli_port;
	k->srv_port = f->srv_port;
	k->seed = community_seed;
	k->community = (uint8_t)community_on;
	k->l4 = f->l4;
	k->from_client = from_client != 0;
	k->valid = 1;
}

/* x and y the same address (version and all 16 bytes), as two words. */
static inline int ip_same(const struct ot_ip *x, const struct ot_ip *y)
{
	uint64_t a[2], b[2];

	memcpy(a, x->a, 16);
	memcpy(b, y->a, 16);
	return x->ver == y->ver && ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
}

static int memo_key_is(const struct memo_key *k, const struct flow *f, int from_client)
{
	return k->valid && k->id == f->id && k->from_client == (from_client != 0) &&
	       k->community == (uint8_t)community_on && k->seed == community_seed &&
	       k->l4 == f->l4 && k->cli_port == f->cli_port && k->srv_port == f->srv_port &&
	       ip_same(&k->cli, &f->cli_ip) && ip_same(&k->srv, &f->srv_ip);
}

/* The flow's Community ID, or NULL (off, ICMP whose type and code the
 * flow does not keep, or no address).  A hash per event is most of an
 * event's cost, so results are remembered in a small direct-mapped table
 * indexed by flow id and checked against the whole tuple and seed: a pure
 * memo, the text is the same with or without it. */
#define CID_MEMO_BITS 9

struct cid_memo {
	struct memo_key k;
	char text[COMMUNITY_ID_LEN];
};

static struct cid_memo cid_memo[1u << CID_MEMO_BITS];

static const char *flow_community_id(const struct flow *f)
{
	struct cid_memo *m;

	if (!community_on || f->l4 == IPPROTO_ICMP || f->l4 == IPPROTO_ICMPV6)
		return NULL;
	m = &cid_memo[(f->id * 0x9E3779B97F4A7C15ULL) >> (64 - CID_MEMO_BITS)];
	if (memo_key_is(&m->k, f, 0))
		return m->text;
	m->k.valid = 0;
	if (community_id_v1(community_seed, f->l4, &f->cli_ip, f->cli_port,
			    &f->srv_ip, f->srv_port, m->text) < 0)
		return NULL;
	memo_key_set(&m->k, f, 0);
	return m->text;
}

static void eve_tuple(const struct flow *f, int from_client, struct eve_tuple *t)
{
	const char *pn = ot_tok_name(l4_names, f->l4);

	ot_ip_str(from_client ? &f->cli_ip : &f->srv_ip, t->src, sizeof(t->src));
	ot_ip_str(from_client ? &f->srv_ip : &f->cli_ip, t->dst, sizeof(t->dst));
	t->sport = from_client ? f->cli_port : f->srv_port;
	t->dport = from_client ? f->srv_port : f->cli_port;
	t->ports = f->l4 == IPPROTO_TCP || f->l4 == IPPROTO_UDP || f->l4 == IPPROTO_SCTP;
	if (pn)
		t->proto = pn;
	else {
		snprintf(t->pnum, sizeof(t->pnum), "%03u", f->l4);
		t->proto = t->pnum;
	}
	t->community_id = flow_community_id(f);
}

json_t *eve_event_new(const char *event_type, const struct timeval *ts,
		      const struct flow *f, int from_client)
{
	json_t *ev = json_object();
	struct eve_tuple t;
	char buf[64];
	int i;

	if (!ev)
		return NULL;
	json_object_set_new(ev, "timestamp", json_string(eve_timestamp(ts, buf, sizeof(buf))));
	if (f)
		json_object_set_new(ev, "flow_id", json_integer((json_int_t)(f->id & 0x7fffffffffffffffULL)));
	if (flow_iface(f))
		json_object_set_new(ev, "in_iface", json_string(flow_iface(f)));
	json_object_set_new(ev, "event_type", json_string(event_type));
	if (!f)
		return ev;
	if (f->nvlan) {
		json_t *v = json_array();

		for (i = 0; i < f->nvlan && i < PKT_MAX_VLAN; i++)
			json_array_append_new(v, json_integer(f->vlan[i]));
		json_object_set_new(ev, "vlan", v);
	}
	eve_tuple(f, from_client, &t);
	json_object_set_new(ev, "src_ip", json_string(t.src));
	if (t.ports)
		json_object_set_new(ev, "src_port", json_integer(t.sport));
	json_object_set_new(ev, "dest_ip", json_string(t.dst));
	if (t.ports)
		json_object_set_new(ev, "dest_port", json_integer(t.dport));
	json_object_set_new(ev, "proto", json_string(t.proto));
	if (t.community_id)
		json_object_set_new(ev, "community_id", json_string(t.community_id));
	return ev;
}

/* The tuple members of a flow's lines (src_ip .. community_id) and the
 * flow_id's digits as text, remembered per flow and direction in a small
 * direct-mapped table and checked as the memo above, with the direction:
 * a line of a flow written a moment ago copies them instead of formatting
 * two addresses and a number again.  A pure memo: the text is the same
 * with or without it. */
#define TUPLE_MEMO_BITS 8
#define TUPLE_TEXT_MAX  256

struct tuple_memo {
	struct memo_key k;
	uint16_t len;
	uint8_t id_len;
	char id[24];            /* the flow_id's digits (the key holds the id) */
	char text[TUPLE_TEXT_MAX];
};

static struct tuple_memo tuple_memo[1u << TUPLE_MEMO_BITS];

static struct tuple_memo *tuple_slot(const struct flow *f, int from_client)
{
	uint64_t h = (f->id * 2 + (from_client != 0)) * 0x9E3779B97F4A7C15ULL;

	return &tuple_memo[h >> (64 - TUPLE_MEMO_BITS)];
}

static void tuple_keep(struct tuple_memo *m, const struct flow *f, int from_client,
		       const char *text, size_t n)
{
	m->k.valid = 0;
	if (n == 0 || n > sizeof(m->text))
		return;
	memcpy(m->text, text, n);
	m->len = (uint16_t)n;
	m->id_len = (uint8_t)(jw_udec(m->id, f->id & 0x7fffffffffffffffULL) - m->id);
	memo_key_set(&m->k, f, from_client);
}

void eve_common(struct jw *w, const char *event_type, const struct timeval *ts,
		const struct flow *f, int from_client)
{
	struct tuple_memo *m = f && f->id ? tuple_slot(f, from_client) : NULL;
	int i, known = m && memo_key_is(&m->k, f, from_client);
	struct eve_tuple t;
	char buf[64];
	size_t at;

	size_t tn = ts_text(ts, buf, sizeof(buf));

	/* the tuple's text is the program's own digits, addresses and base64 */
	jw_plain(w, "timestamp", buf, tn);
	if (known)
		jw_raw(w, "flow_id", m->id, m->id_len);
	else if (f)
		jw_int(w, "flow_id", (int64_t)(f->id & 0x7fffffffffffffffULL));
	if (flow_iface(f))
		jw_string(w, "in_iface", flow_iface(f));
	jw_name(w, "event_type", event_type);
	if (!f)
		return;
	if (f->nvlan) {
		jw_array_open(w, "vlan");
		for (i = 0; i < f->nvlan && i < PKT_MAX_VLAN; i++)
			jw_int(w, NULL, f->vlan[i]);
		jw_array_close(w);
	}
	if (known) {
		jw_members(w, m->text, m->len);
		return;
	}
	at = w->len;
	eve_tuple(f, from_client, &t);
	jw_plain(w, "src_ip", t.src, strlen(t.src));
	if (t.ports)
		jw_uint(w, "src_port", t.sport);
	jw_plain(w, "dest_ip", t.dst, strlen(t.dst));
	if (t.ports)
		jw_uint(w, "dest_port", t.dport);
	jw_plain(w, "proto", t.proto, strlen(t.proto));
	if (t.community_id)
		jw_plain(w, "community_id", t.community_id, strlen(t.community_id));
	if (m && !jw_error(w) && w->len > at) {
		if (w->buf[at] == ',')
			at++;   /* the comma before src_ip is the writer's */
		tuple_keep(m, f, from_client, w->buf + at, w->len - at);
	}
}

/* A jansson value through the streaming writer: the one serialiser, so a
 * line built as a tree reads exactly as one written straight. */
static void put_value(struct jw *w, const char *key, json_t *v)
{
	const char *k;
	json_t *val;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jw_object_open(w, key);
		json_object_foreach(v, k, val)
			put_value(w, k, val);
		jw_object_close(w);
		break;
	case JSON_ARRAY:
		jw_array_open(w, key);
		json_array_foreach(v, i, val)
			put_value(w, NULL, val);
		jw_array_close(w);
		break;
	case JSON_STRING:
		jw_stringn(w, key, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jw_int(w, key, (int64_t)json_integer_value(v));
		break;
	case JSON_REAL:
		jw_real(w, key, json_real_value(v));
		break;
	case JSON_TRUE:
		jw_bool(w, key, 1);
		break;
	case JSON_FALSE:
		jw_bool(w, key, 0);
		break;
	default:
		jw_null(w, key);
		break;
	}
}

void eve_put_json(struct jw *w, const char *key, json_t *v)
{
	if (v)
		put_value(w, key, v);
}

void eve_anomaly(struct jw *w, const struct ot_event *ev)
{
	const char *reason = ev->anomaly ? ev->anomaly : "unknown";

	/* transport anomalies carry their layer in the code: "stream.*" */
	jw_name(w, "type", strncmp(reason, "stream.", 7) == 0 ? "stream" : "applayer");
	jw_name(w, "proto", ot_proto_name(ev->proto));
	jw_bytes(w, "event", (const uint8_t *)reason, strlen(reason));
	if (ev->anomaly_detail[0])
		jw_bytes(w, "detail", (const uint8_t *)ev->anomaly_detail,
			 strnlen(ev->anomaly_detail, sizeof(ev->anomaly_detail)));
}

int eve_serialise(json_t *ev, char **buf, size_t *cap, size_t *len)
{
	struct jw w;
	const char *text;

	jw_init(&w);
	w.buf = *buf;
	w.cap = *cap;
	put_value(&w, NULL, ev);
	text = jw_finish(&w, len);
	*buf = w.buf;
	*cap = w.cap;
	if (!text) {
		*len = 0;
		return -1;
	}
	return 0;
}

/* One finished line to every sink. */
static int eve_emit(struct eve *e, const char *line, size_t n)
{
	int i, rc = 0;

	for (i = 0; i < e->nsinks; i++) {
		if (e->sinks[i].write(e->sinks[i].ctx, line, n) < 0) {
			e->errors++;
			rc = -1;
		}
	}
	e->lines++;
	return rc;
}

int eve_write(struct eve *e, json_t *ev)
{
	const char *k;
	json_t *val;

	if (!ev || !json_is_object(ev)) {
		e->serialise_errors++;
		json_decref(ev);
		return -1;
	}
	/* the members into an open object: eve_line_end adds host and closes */
	jw_reset(&e->w);
	jw_object_open(&e->w, NULL);
	json_object_foreach(ev, k, val)
		put_value(&e->w, k, val);
	json_decref(ev);
	return eve_line_end(e, &e->w);
}

struct jw *eve_line_begin(struct eve *e, const char *event_type,
			  const struct timeval *ts, const struct flow *f,
			  int from_client)
{
	jw_reset(&e->w);
	jw_object_open(&e->w, NULL);
	eve_common(&e->w, event_type, ts, f, from_client);
	return &e->w;
}

int eve_line_end(struct eve *e, struct jw *w)
{
	const char *line;
	size_t n;

	while (jw_depth(w) > 1 && !jw_error(w))
		jw_object_close(w);
	if (e->host_member && jw_depth(w) == 1)
		jw_members(w, e->host_member, e->host_len);
	while (jw_depth(w) > 0 && !jw_error(w))
		jw_object_close(w);
	line = jw_finish(w, &n);
	if (!line) {
		e->serialise_errors++;
		return -1;
	}
	return eve_emit(e, line, n);
}

static uint64_t sinks_lost(const struct eve *e)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < e->nsinks; i++)
		if (e->sinks[i].lost)
			n += e->sinks[i].lost(e->sinks[i].ctx);
	return n;
}

void eve_get_counts(const struct eve *e, uint64_t *lines, uint64_t *errors)
{
	*lines = e->lines;
	*errors = e->errors + sinks_lost(e) + e->serialise_errors;
}

int eve_sink_count(const struct eve *e)
{
	return e->nsinks;
}

int eve_sink_health(const struct eve *e, int i, const char **name, int *failing,
		    uint64_t *lost)
{
	const struct eve_sink *k;

	if (i < 0 || i >= e->nsinks)
		return -1;
	k = &e->sinks[i];
	*name = k->name ? k->name : "sink";
	*failing = k->failing ? k->failing(k->ctx) : 0;
	*lost = k->lost ? k->lost(k->ctx) : 0;
	return 0;
}

void eve_finish(struct eve *e)
{
	int i;

	for (i = 0; i < e->nsinks; i++) {
		if (e->sinks[i].flush)
			e->sinks[i].flush(e->sinks[i].ctx);
		if (e->sinks[i].finish)
			e->sinks[i].finish(e->sinks[i].ctx);
	}
}

void eve_stats(const struct eve *e, json_t *obj)
{
	int i;

	json_object_set_new(obj, "lines", json_integer((json_int_t)e->lines));
	json_object_set_new(obj, "write_errors", json_integer((json_int_t)e->errors));
	json_object_set_new(obj, "lost", json_integer((json_int_t)(e->errors + sinks_lost(e))));
	json_object_set_new(obj, "serialise_errors", json_integer((json_int_t)e->serialise_errors));
	for (i = 0; i < e->nsinks; i++) {
		json_t *o;

		if (!e->sinks[i].stats)
			continue;
		o = json_object();
		e->sinks[i].stats(e->sinks[i].ctx, o);
		json_object_set_new(obj, e->sinks[i].name ? e->sinks[i].name : "sink", o);
	}
}

