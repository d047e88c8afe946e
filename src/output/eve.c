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

#include "eve.h"
#include "flow.h"
#include "event.h"

#define EVE_MAX_SINKS 16

struct eve {
	struct eve_sink sinks[EVE_MAX_SINKS];
	int nsinks;
	uint64_t lines, errors, serialise_errors;
	char *buf;              /* serialisation buffer, grown on demand */
	size_t bufsz;
};

/* ---- file sink ---- */

struct file_sink {
	char *path;             /* NULL for standard output */
	FILE *fp;
	uint64_t lines, bytes, errors, reopens;
};

static int file_sink_write(void *ctx, const char *line, size_t len)
{
	struct file_sink *fs = ctx;

	if (!fs->fp || fwrite(line, 1, len, fs->fp) != len || putc('\n', fs->fp) == EOF) {
		fs->errors++;
		return -1;
	}
	fs->lines++;
	fs->bytes += len + 1;
	return 0;
}

static void file_sink_reopen(void *ctx)
{
	struct file_sink *fs = ctx;
	FILE *fp;

	if (!fs->path)
		return;
	fp = fopen(fs->path, "a");
	if (!fp) {
		fs->errors++;
		fprintf(stderr, "otsentry: reopen %s: %s\n", fs->path, strerror(errno));
		return;         /* keep writing to the old file */
	}
	if (fs->fp)
		fclose(fs->fp);
	fs->fp = fp;
	fs->reopens++;
}

static void file_sink_flush(void *ctx)
{
	struct file_sink *fs = ctx;

	if (fs->fp && fflush(fs->fp) != 0)
		fs->errors++;
}

static void file_sink_close(void *ctx)
{
	struct file_sink *fs = ctx;

	if (!fs)
		return;
	if (fs->fp) {
		if (fs->path)
			fclose(fs->fp);
		else
			fflush(fs->fp);
	}
	free(fs->path);
	free(fs);
}

static void file_sink_stats(void *ctx, json_t *obj)
{
	struct file_sink *fs = ctx;

	json_object_set_new(obj, "lines", json_integer((json_int_t)fs->lines));
	json_object_set_new(obj, "bytes", json_integer((json_int_t)fs->bytes));
	json_object_set_new(obj, "errors", json_integer((json_int_t)fs->errors));
	json_object_set_new(obj, "reopens", json_integer((json_int_t)fs->reopens));
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
	free(e->buf);
	free(e);
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
	struct file_sink *fs = calloc(1, sizeof(*fs));
	struct eve_sink sink = {
		.name = "file", .write = file_sink_write, .reopen = file_sink_reopen,
		.flush = file_sink_flush, .close = file_sink_close, .stats = file_sink_stats,
	};

	if (!fs)
		goto nomem;
	if (strcmp(path, "-") == 0) {
		fs->fp = stdout;
		sink.name = "stdout";
	} else {
		fs->path = strdup(path);
		if (!fs->path)
			goto nomem;
		fs->fp = fopen(path, "a");
		if (!fs->fp) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			file_sink_close(fs);
			return -1;
		}
	}
	setvbuf(fs->fp, NULL, _IOFBF, 1 << 16);
	sink.ctx = fs;
	if (eve_add_sink(e, &sink) < 0) {
		snprintf(err, errlen, "too many outputs (at most %d)", EVE_MAX_SINKS);
		file_sink_close(fs);
		return -1;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	file_sink_close(fs);
	return -1;
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

const char *eve_timestamp(const struct timeval *ts, char *buf, size_t len)
{
	struct tm tm;
	time_t t = ts->tv_sec;
	long usec = (long)ts->tv_usec;
	char *p = buf;

	if (usec < 0 || usec > 999999)
		usec = 0;
	if (!gmtime_r(&t, &tm)) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 70;
		tm.tm_mday = 1;
	}
	if (len < 32 || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+0000",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
		return buf;
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
	*p++ = '.';
	p = put_digits(p, (unsigned)usec, 6);
	memcpy(p, "+0000", 6);
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

json_t *eve_event_new(const char *event_type, const struct timeval *ts,
		      const struct flow *f, int from_client)
{
	json_t *ev = json_object();
	char buf[64];

	if (!ev)
		return NULL;
	json_object_set_new(ev, "timestamp", json_string(eve_timestamp(ts, buf, sizeof(buf))));
	if (f)
		json_object_set_new(ev, "flow_id", json_integer((json_int_t)(f->id & 0x7fffffffffffffffULL)));
	json_object_set_new(ev, "event_type", json_string(event_type));
	if (!f)
		return ev;
	if (f->nvlan) {
		json_t *v = json_array();
		int i;

		for (i = 0; i < f->nvlan && i < PKT_MAX_VLAN; i++)
			json_array_append_new(v, json_integer(f->vlan[i]));
		json_object_set_new(ev, "vlan", v);
	}
	{
		const struct ot_ip *sip = from_client ? &f->cli_ip : &f->srv_ip;
		const struct ot_ip *dip = from_client ? &f->srv_ip : &f->cli_ip;
		uint16_t sp = from_client ? f->cli_port : f->srv_port;
		uint16_t dp = from_client ? f->srv_port : f->cli_port;
		int ports = f->l4 == IPPROTO_TCP || f->l4 == IPPROTO_UDP || f->l4 == IPPROTO_SCTP;
		const char *pn = ot_tok_name(l4_names, f->l4);

		json_object_set_new(ev, "src_ip", json_string(ot_ip_str(sip, buf, sizeof(buf))));
		if (ports)
			json_object_set_new(ev, "src_port", json_integer(sp));
		json_object_set_new(ev, "dest_ip", json_string(ot_ip_str(dip, buf, sizeof(buf))));
		if (ports)
			json_object_set_new(ev, "dest_port", json_integer(dp));
		if (pn) {
			json_object_set_new(ev, "proto", json_string(pn));
		} else {
			snprintf(buf, sizeof(buf), "%03u", f->l4);
			json_object_set_new(ev, "proto", json_string(buf));
		}
	}
	return ev;
}

/*
 * Compact serialisation, byte-identical to json_dumpb(JSON_COMPACT) for
 * the values events hold, without its per-character callbacks: the
 * writer's main cost when every protocol message becomes a line.
 */
struct outbuf {
	char *p;
	size_t len, cap;
	int err;
};

static int ob_reserve(struct outbuf *b, size_t n)
{
	size_t ncap;
	char *np;

	if (b->len + n <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 4096;
	while (ncap < b->len + n)
		ncap *= 2;
	np = realloc(b->p, ncap);
	if (!np) {
		b->err = 1;
		return -1;
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

static inline void ob_put(struct outbuf *b, const char *s, size_t n)
{
	if (ob_reserve(b, n) == 0) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

static inline void ob_putc(struct outbuf *b, char c)
{
	if (b->len < b->cap || ob_reserve(b, 1) == 0)
		b->p[b->len++] = c;
}

/* One reservation for the worst case (every byte as \u00XX), then plain
 * stores: strings are most of every line. */
static void put_string(struct outbuf *b, const char *s, size_t n)
{
	static const char hexd[] = "0123456789ABCDEF";
	char *o;
	size_t i;

	if (n > (SIZE_MAX - 2) / 6 || ob_reserve(b, n * 6 + 2) < 0) {
		b->err = 1;
		return;
	}
	o = b->p + b->len;
	*o++ = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hexd[c >> 4];
			*o++ = hexd[c & 15];
			break;
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->p);
}

static void put_int(struct outbuf *b, json_int_t v)
{
	char tmp[24];
	int i = (int)sizeof(tmp);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	ob_put(b, tmp + i, sizeof(tmp) - (size_t)i);
}

/* jansson's real layout (a ".0" when it looks like an integer, no '+' and
 * no leading zeros in the exponent) with the shortest digits that read
 * back as the same double: 50.986, not 50.985999999999997. */
static void put_real(struct outbuf *b, double d)
{
	char tmp[64], *e, *q;
	int prec, n = 0;

	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (n <= 0 || n >= (int)sizeof(tmp) - 3 || strtod(tmp, NULL) == d)
			break;
	}

	if (n <= 0 || n >= (int)sizeof(tmp) - 3) {
		b->err = 1;
		return;
	}
	if (!strpbrk(tmp, ".eE")) {
		memcpy(tmp + n, ".0", 3);
		n += 2;
	}
	e = strchr(tmp, 'e');
	if (e) {
		q = e + 1;
		if (*q == '-')
			q++;
		{
			char *r = q;

			if (*r == '+')
				r++;
			while (*r == '0' && r[1])
				r++;
			memmove(q, r, strlen(r) + 1);
		}
		n = (int)strlen(tmp);
	}
	ob_put(b, tmp, (size_t)n);
}

static void put_value(struct outbuf *b, json_t *v, int depth)
{
	const char *key;
	json_t *val;
	size_t i;
	int first = 1;

	if (depth > 64) {
		b->err = 1;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		ob_putc(b, '{');
		json_object_foreach(v, key, val) {
			if (!first)
				ob_putc(b, ',');
			first = 0;
#if JANSSON_VERSION_HEX >= 0x020e00
			put_string(b, key, json_object_iter_key_len(json_object_key_to_iter(key)));
#else
			put_string(b, key, strlen(key));
#endif
			ob_putc(b, ':');
			put_value(b, val, depth + 1);
		}
		ob_putc(b, '}');
		break;
	case JSON_ARRAY:
		ob_putc(b, '[');
		json_array_foreach(v, i, val) {
			if (i)
				ob_putc(b, ',');
			put_value(b, val, depth + 1);
		}
		ob_putc(b, ']');
		break;
	case JSON_STRING:
		put_string(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		put_int(b, json_integer_value(v));
		break;
	case JSON_REAL:
		put_real(b, json_real_value(v));
		break;
	case JSON_TRUE:
		ob_put(b, "true", 4);
		break;
	case JSON_FALSE:
		ob_put(b, "false", 5);
		break;
	default:
		ob_put(b, "null", 4);
		break;
	}
}

int eve_serialise(json_t *ev, char **buf, size_t *cap, size_t *len)
{
	struct outbuf b = { *buf, 0, *cap, 0 };

	put_value(&b, ev, 0);
	ob_putc(&b, 0);
	*buf = b.p;
	*cap = b.cap;
	*len = b.len ? b.len - 1 : 0;
	return b.err ? -1 : 0;
}

int eve_write(struct eve *e, json_t *ev)
{
	size_t n;
	int i, rc = 0;

	if (!ev || !json_is_object(ev)) {
		e->serialise_errors++;
		json_decref(ev);
		return -1;
	}
	if (eve_serialise(ev, &e->buf, &e->bufsz, &n) < 0) {
		e->serialise_errors++;
		json_decref(ev);
		return -1;
	}
	json_decref(ev);
	for (i = 0; i < e->nsinks; i++) {
		if (e->sinks[i].write(e->sinks[i].ctx, e->buf, n) < 0) {
			e->errors++;
			rc = -1;
		}
	}
	e->lines++;
	return rc;
}

void eve_get_counts(const struct eve *e, uint64_t *lines, uint64_t *errors)
{
	*lines = e->lines;
	*errors = e->errors + e->serialise_errors;
}

void eve_stats(const struct eve *e, json_t *obj)
{
	int i;

	json_object_set_new(obj, "lines", json_integer((json_int_t)e->lines));
	json_object_set_new(obj, "write_errors", json_integer((json_int_t)e->errors));
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

json_t *eve_string(const uint8_t *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	json_t *j;
	char *hex;
	size_t i;

	if (!s || n == 0)
		return json_string("");
	if (!memchr(s, 0, n)) {
		j = json_stringn((const char *)s, n);
		if (j)
			return j;
	}
	hex = malloc(n * 2 + 1);
	if (!hex)
		abort();
	for (i = 0; i < n; i++) {
		hex[2 * i] = hexd[s[i] >> 4];
		hex[2 * i + 1] = hexd[s[i] & 15];
	}
	j = json_stringn(hex, n * 2);
	free(hex);
	if (!j)
		abort();
	return j;
}
