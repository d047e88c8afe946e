/*
 * eve.c - the EVE JSON writer: common fields, compact one-line serialisation,
 * file/stdout sinks with reopen (see eve.h).
 *
 * Field names follow Suricata's EVE format (timestamp, flow_id, event_type,
 * vlan, src_ip, src_port, dest_ip, dest_port, proto).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eve.h"
#include "flow.h"
#include "../dissectors/event.h"

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

const char *eve_timestamp(const struct timeval *ts, char *buf, size_t len)
{
	struct tm tm;
	time_t t = ts->tv_sec;
	long usec = (long)ts->tv_usec;

	if (usec < 0 || usec > 999999)
		usec = 0;
	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, len, "1970-01-01T00:00:00.000000+0000");
		return buf;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+0000",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
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

int eve_write(struct eve *e, json_t *ev)
{
	size_t n;
	int i, rc = 0;

	if (!ev) {
		e->serialise_errors++;
		return -1;
	}
	for (;;) {
		n = json_dumpb(ev, e->buf, e->bufsz ? e->bufsz - 1 : 0, JSON_COMPACT);
		if (n == 0) {
			e->serialise_errors++;
			json_decref(ev);
			return -1;
		}
		if (n < e->bufsz)
			break;
		{
			size_t nsz = e->bufsz ? e->bufsz : 4096;
			char *nb;

			while (nsz <= n)
				nsz *= 2;
			nb = realloc(e->buf, nsz);
			if (!nb) {
				e->serialise_errors++;
				json_decref(ev);
				return -1;
			}
			e->buf = nb;
			e->bufsz = nsz;
		}
	}
	json_decref(ev);
	e->buf[n] = 0;
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
