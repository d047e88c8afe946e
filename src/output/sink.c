/*
 * sink.c - SIEM sinks: files, stdout, syslog (RFC 5424 over UDP, TCP with
 * RFC 6587 octet counting, local datagram socket), raw Unix sockets, and
 * the CEF rendering of alerts.  See sink.h for the URIs and guarantees.
 */
#define _GNU_SOURCE 1     /* strptime, timegm */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "buf.h"
#include "eve.h"
#include "linefile.h"
#include "sink.h"
#include "sink_int.h"
#include "sink_queue.h"
#include "event.h"

#define SINK_MAX_LINE        (1u << 20)

enum sink_kind {
	SK_FILE = 0, SK_STDOUT, SK_SYSLOG_UDP, SK_SYSLOG_TCP, SK_SYSLOG_UNIX,
	SK_UNIX_STREAM, SK_UNIX_DGRAM, SK_SYSLOG_TLS
};

static const struct ot_tok sink_kind_names[] = {
	{ SK_FILE, "file" }, { SK_STDOUT, "stdout" }, { SK_SYSLOG_UDP, "syslog-udp" },
	{ SK_SYSLOG_TCP, "syslog-tcp" }, { SK_SYSLOG_UNIX, "syslog-unix" },
	{ SK_UNIX_STREAM, "unix-stream" }, { SK_UNIX_DGRAM, "unix-dgram" },
	{ SK_SYSLOG_TLS, "syslog-tls" },
	{ 0, NULL }
};

/* RFC 5424 6.2.1 facilities. */
static const struct ot_tok facility_names[] = {
	{ 1, "user" }, { 3, "daemon" }, { 4, "auth" }, { 16, "local0" },
	{ 17, "local1" }, { 18, "local2" }, { 19, "local3" }, { 20, "local4" },
	{ 21, "local5" }, { 22, "local6" }, { 23, "local7" },
	{ 0, NULL }
};


struct sink {
	int kind;               /* enum sink_kind */
	int cef;
	int facility;
	char *target;           /* as given, for messages and stats */
	char hostname[64];
	long pid;

	struct linefile lf;     /* file / stdout: whole lines (linefile.h) */
	int lf_open;

	struct sockaddr_storage addr;
	socklen_t alen;
	int socktype;
	int fd;
	int connecting;
	double next_try, backoff;

	char peer_host[256];    /* HOST of the URI (TLS checks the certificate for it) */
	struct sink_tls *tls;   /* syslog+tls: the TLS layer, else NULL */
	char *tls_ca, *tls_cert, *tls_key; /* ?ca= ?cert= ?key= */
	int tls_started, tls_up;
	uint64_t tls_failures;

	struct sink_queue q;    /* messages waiting for the receiver */
	size_t qcap, qoff;      /* queue size; bytes of the front one sent */

	uint64_t lines, sent, skipped, send_errors;
	uint64_t connects, disconnects, reopens, lost_at_exit;
	int finished;           /* sink_finish() ran */
	int last_send_failed;   /* datagrams: errno of the last send, 0 sent */
};

double sink_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t sink_drain(const struct sink_queue *q, int (*pump)(void *ctx), void *ctx,
		    const char *target)
{
	double end = sink_now() + SINK_DRAIN_SECONDS;

	while (q->count && sink_now() < end) {
		int fd = pump(ctx);

		if (q->count) {
			struct pollfd p = { fd, POLLOUT, 0 };

			if (fd >= 0)
				poll(&p, 1, 50);
			else
				poll(NULL, 0, 100);
		}
	}
	if (q->count)
		fprintf(stderr, "otsentry: --sink %s: %llu lines could not be delivered\n",
			target, (unsigned long long)q->count);
	return q->count;
}

/* ---- CEF ------------------------------------------------------------------ */

/* Append s to buf, escaping for a CEF header field (| and \) or an
 * extension value (= and \, newlines as \n). */
static void cef_escape(struct ots_buf *b, const char *s, int header)
{
	for (; s && *s; s++) {
		char esc[2] = { *s, 0 };

		if (*s == '\\' || (header && *s == '|') || (!header && *s == '=')) {
			esc[0] = '\\';
			esc[1] = *s;
		} else if (*s == '\n' || *s == '\r') {
			esc[0] = '\\';
			esc[1] = *s == '\n' ? 'n' : 'r';
		}
		ots_buf_append(b, esc, esc[1] ? 2 : 1);
	}
}

static void cef_ext(struct ots_buf *b, const char *key, const char *val)
{
	if (!val || !*val)
		return;
	ots_buf_putc(b, ' ');
	ots_buf_puts(b, key);
	ots_buf_putc(b, '=');
	cef_escape(b, val, 0);
}

static void cef_ext_int(struct ots_buf *b, const char *key, json_t *v)
{
	char tmp[32];

	if (!json_is_integer(v))
		return;
	snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
	cef_ext(b, key, tmp);
}

/* "a,b" from a metadata array (or a string). */
static void join_meta(json_t *meta, const char *key, char *out, size_t n)
{
	json_t *v = json_object_get(meta, key), *e;
	size_t i, used = 0;

	out[0] = 0;
	if (json_is_string(v)) {
		snprintf(out, n, "%s", json_string_value(v));
		return;
	}
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			continue;
		used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s%s",
					 used ? "," : "", json_string_value(e));
		if (used >= n) {
			out[n - 1] = 0;
			return;
		}
	}
}

/* EVE timestamp -> milliseconds since the epoch, or -1. */
static long long eve_ts_ms(const char *s)
{
	struct tm tm;
	const char *p;
	long usec = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (!s || !(p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return -1;
	if (*p == '.')
		usec = strtol(p + 1, NULL, 10);
	t = timegm(&tm);
	return (long long)t * 1000 + usec / 1000;
}

/* Metadata keys carried as CEF custom strings cs1..cs4. */
static const char *const cef_custom[] = {
	"mitre_technique_id", "mitre_technique_name", "kind", "source"
};

char *sink_cef_render(const char *line, size_t len)
{
	json_error_t jerr;
	json_t *ev = json_loadb(line, len, 0, &jerr), *al, *meta;
	struct ots_buf buf = OTS_BUF_INIT(512, 0);
	char tmp[512];
	const char *type;
	int sev, cefsev;
	long long ms;
	size_t i;

	if (!ev)
		return NULL;
	type = json_string_value(json_object_get(ev, "event_type"));
	al = json_object_get(ev, "alert");
	if (!type || strcmp(type, "alert") != 0 || !json_is_object(al)) {
		json_decref(ev);
		return NULL;
	}
	meta = json_object_get(al, "metadata");
	sev = (int)json_integer_value(json_object_get(al, "severity"));
	cefsev = sev == 1 ? 10 : sev == 2 ? 7 : sev == 3 ? 5 : 3;
	ots_buf_puts(&buf, "CEF:0|otsentry|otsentry|");
	cef_escape(&buf, PACKAGE_VERSION, 1);
	snprintf(tmp, sizeof(tmp), "|%lld|",
		 (long long)json_integer_value(json_object_get(al, "signature_id")));
	ots_buf_puts(&buf, tmp);
	cef_escape(&buf, json_string_value(json_object_get(al, "signature")), 1);
	snprintf(tmp, sizeof(tmp), "|%d|", cefsev);
	ots_buf_puts(&buf, tmp);
	ms = eve_ts_ms(json_string_value(json_object_get(ev, "timestamp")));
	if (ms >= 0) {
		snprintf(tmp, sizeof(tmp), "%lld", ms);
		ots_buf_puts(&buf, "rt=");
		ots_buf_puts(&buf, tmp);
	}
	cef_ext(&buf, "src", json_string_value(json_object_get(ev, "src_ip")));
	cef_ext_int(&buf, "spt", json_object_get(ev, "src_port"));
	cef_ext(&buf, "dst", json_string_value(json_object_get(ev, "dest_ip")));
	cef_ext_int(&buf, "dpt", json_object_get(ev, "dest_port"));
	cef_ext(&buf, "proto", json_string_value(json_object_get(ev, "proto")));
	cef_ext(&buf, "act", json_string_value(json_object_get(al, "action")));
	cef_ext(&buf, "cat", json_string_value(json_object_get(al, "category")));
	cef_ext(&buf, "app", json_string_value(json_object_get(ev, "app_proto")));
	cef_ext_int(&buf, "externalId", json_object_get(ev, "flow_id"));
	cef_ext(&buf, "dvchost", json_string_value(json_object_get(ev, "host")));
	for (i = 0; i < sizeof(cef_custom) / sizeof(cef_custom[0]); i++) {
		char label[16], key[8];

		join_meta(meta, cef_custom[i], tmp, sizeof(tmp));
		if (!tmp[0])
			continue;
		snprintf(key, sizeof(key), "cs%zu", i + 1);
		snprintf(label, sizeof(label), "cs%zuLabel", i + 1);
		cef_ext(&buf, label, cef_custom[i]);
		cef_ext(&buf, key, tmp);
	}
	if (json_is_integer(json_object_get(al, "gid"))) {
		cef_ext(&buf, "cn1Label", "gid");
		cef_ext_int(&buf, "cn1", json_object_get(al, "gid"));
	}
	if (json_is_integer(json_object_get(al, "rev"))) {
		cef_ext(&buf, "cn2Label", "rev");
		cef_ext_int(&buf, "cn2", json_object_get(al, "rev"));
	}
	json_decref(ev);
	if (buf.err) {          /* out of memory: no half line */
		ots_buf_free(&buf);
		return NULL;
	}
	return ots_buf_take(&buf);
}

/* ---- the queue ------------------------------------------------------------ */

/* The front message has gone out whole. */
static void queue_pop(struct sink *s)
{
	sq_pop(&s->q);
	s->qoff = 0;
	s->sent++;
}

/* ---- sockets --------------------------------------------------------------- */

static void sock_close(struct sink *s, int count)
{
	if (s->fd >= 0) {
		close(s->fd);
		if (count)
			s->disconnects++;
	}
	if (s->tls)
		sink_tls_stop(s->tls);
	s->tls_started = s->tls_up = 0;
	s->fd = -1;
	s->connecting = 0;
	s->qoff = 0;    /* a half-sent line is resent whole on the next connection */
}

static void schedule_retry(struct sink *s)
{
	s->next_try = sink_now() + s->backoff;
	s->backoff = s->backoff * 2 > SINK_BACKOFF_MAX ? SINK_BACKOFF_MAX : s->backoff * 2;
}

static int sock_new(struct sink *s)
{
	int fd = socket(s->addr.ss_family, s->socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	return fd;
}

/* Stream sockets: start or finish a non-blocking connect.  1 when up. */
static int stream_connect(struct sink *s)
{
	if (s->fd >= 0 && !s->connecting)
		return 1;
	if (s->fd >= 0 && s->connecting) {
		struct pollfd p = { s->fd, POLLOUT, 0 };
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		if (poll(&p, 1, 0) <= 0)
			return 0;
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
			sock_close(s, 0);
			schedule_retry(s);
			return 0;
		}
		s->connecting = 0;
		s->connects++;
		s->backoff = SINK_BACKOFF_MIN;
		return 1;
	}
	if (sink_now() < s->next_try)
		return 0;
	s->fd = sock_new(s);
	if (s->fd < 0) {
		schedule_retry(s);
		return 0;
	}
	if (connect(s->fd, (struct sockaddr *)&s->addr, s->alen) == 0) {
		s->connects++;
		s->backoff = SINK_BACKOFF_MIN;
		return 1;
	}
	if (errno == EINPROGRESS || errno == EAGAIN) {
		s->connecting = 1;
		return stream_connect(s);
	}
	sock_close(s, 0);
	schedule_retry(s);
	return 0;
}

/* syslog+tls: drive the handshake on a connected socket.  1 when the
 * session is up (or there is no TLS), 0 not yet or refused (retried). */
static int stream_tls_ready(struct sink *s)
{
	int r;

	if (!s->tls || s->tls_up)
		return 1;
	if (!s->tls_started) {
		if (sink_tls_start(s->tls, s->fd) < 0)
			goto failed;
		s->tls_started = 1;
	}
	r = sink_tls_handshake(s->tls);
	if (r == 0)
		return 0;
	if (r < 0)
		goto failed;
	s->tls_up = 1;
	return 1;
failed:
	/* say why on the first failure of a run and every 100th */
	if (s->tls_failures++ % 100 == 0)
		fprintf(stderr, "otsentry: --sink %s: TLS: %s\n", s->target, sink_tls_error(s->tls));
	sock_close(s, 0);
	schedule_retry(s);
	return 0;
}

/* 1 when the receiver closed (or broke) the connection. */
static int stream_peer_gone(struct sink *s)
{
	char junk[512];
	ssize_t r;

	if (s->tls)
		return sink_tls_peer_gone(s->tls);
	for (;;) {
		r = recv(s->fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (r > 0)
			continue;       /* receivers do not talk; ignore */
		if (r == 0)
			return 1;
		return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
	}
}

/* Send queued lines while the socket takes them; never blocks. */
static void stream_pump(struct sink *s)
{
	while (s->q.count) {
		struct sink_msg *m;
		ssize_t w;

		if (!stream_connect(s) || !stream_tls_ready(s))
			return;
		if (s->qoff == 0 && stream_peer_gone(s)) {
			sock_close(s, 1);
			schedule_retry(s);
			continue;
		}
		m = sq_at(&s->q, 0);
		if (s->tls) {
			w = sink_tls_send(s->tls, m->buf + s->qoff, m->len - s->qoff);
			if (w == 0)
				return;         /* would block */
			if (w < 0)
				errno = EIO;
		} else {
			w = send(s->fd, m->buf + s->qoff, m->len - s->qoff, MSG_NOSIGNAL | MSG_DONTWAIT);
		}
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			s->send_errors++;
			sock_close(s, 1);
			schedule_retry(s);
			return;
		}
		s->qoff += (size_t)w;
		if (s->qoff == m->len)
			queue_pop(s);
	}
}

/* ---- message building --------------------------------------------------------- */

/* Syslog severity from the line: alerts by their EVE severity. */
static int line_severity(const char *line)
{
	const char *p;

	if (!strstr(line, "\"event_type\":\"alert\""))
		return 6;       /* informational */
	p = strstr(line, "\"severity\":");
	if (!p)
		return 4;
	switch (atoi(p + 11)) {
	case 1: return 2;       /* critical */
	case 2: return 3;       /* error */
	case 3: return 4;       /* warning */
	default: return 5;      /* notice */
	}
}

static void line_msgid(const char *line, char *out, size_t n)
{
	const char *p = strstr(line, "\"event_type\":\"");
	size_t i = 0;

	if (p) {
		p += 14;
		while (p[i] && p[i] != '"' && i + 1 < n && i < 32) {
			out[i] = p[i];
			i++;
		}
	}
	if (i == 0)
		out[i++] = '-';
	out[i] = 0;
}

static int is_stream(const struct sink *s)
{
	return s->kind == SK_SYSLOG_TCP || s->kind == SK_UNIX_STREAM || s->kind == SK_SYSLOG_TLS;
}

static int is_syslog(const struct sink *s)
{
	return s->kind == SK_SYSLOG_UDP || s->kind == SK_SYSLOG_TCP || s->kind == SK_SYSLOG_UNIX ||
	       s->kind == SK_SYSLOG_TLS;
}

/* The bytes one EVE line becomes on this sink (NULL: skip it). */
static char *build_message(struct sink *s, const char *line, size_t len, size_t *outlen)
{
	char *payload = NULL, *msg, ts[40], msgid[40];
	const char *body = line;
	size_t blen = len, hlen = 0, total;
	char header[256];
	struct timespec now;
	struct tm tm;

	if (s->cef) {
		payload = sink_cef_render(line, len);
		if (!payload)
			return NULL;
		body = payload;
		blen = strlen(payload);
	}
	if (is_syslog(s)) {
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		line_msgid(line, msgid, sizeof(msgid));
		/* RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG */
		hlen = (size_t)snprintf(header, sizeof(header), "<%d>1 %s.%06ldZ %s otsentry %ld %s - ",
					s->facility * 8 + line_severity(line), ts,
					now.tv_nsec / 1000, s->hostname, s->pid, msgid);
		if (hlen >= sizeof(header))
			hlen = sizeof(header) - 1;
	}
	total = hlen + blen;
	if (s->kind == SK_SYSLOG_TCP || s->kind == SK_SYSLOG_TLS) {
		/* RFC 6587 / RFC 5425 octet counting */
		char pre[24];
		int pl = snprintf(pre, sizeof(pre), "%zu ", total);

		msg = malloc((size_t)pl + total + 1);
		if (msg) {
			memcpy(msg, pre, (size_t)pl);
			memcpy(msg + pl, header, hlen);
			memcpy(msg + pl + hlen, body, blen);
			total += (size_t)pl;
		}
	} else {
		int nl = s->kind == SK_FILE || s->kind == SK_STDOUT || s->kind == SK_UNIX_STREAM;

		msg = malloc(total + 2);
		if (msg) {
			memcpy(msg, header, hlen);
			memcpy(msg + hlen, body, blen);
			if (nl)
				msg[total++] = '\n';
		}
	}
	free(payload);
	if (!msg)
		return NULL;
	msg[total] = 0;
	*outlen = total;
	return msg;
}

/* ---- the eve_sink callbacks ------------------------------------------------------ */

static int sink_write(void *ctx, const char *line, size_t len)
{
	struct sink *s = ctx;
	size_t mlen = 0;
	char *msg;
	int ok;

	s->lines++;
	if (len > SINK_MAX_LINE) {
		s->send_errors++;
		return -1;
	}
	msg = build_message(s, line, len, &mlen);
	if (!msg) {
		s->skipped++;
		return 0;
	}
	switch (s->kind) {
	case SK_FILE:
	case SK_STDOUT:
		/* msg ends in its newline: the file adds its own */
		ok = linefile_put(&s->lf, msg, mlen - 1) == 0;
		break;
	case SK_SYSLOG_UDP:
	case SK_SYSLOG_UNIX:
	case SK_UNIX_DGRAM:
		if (s->fd < 0)
			s->fd = sock_new(s);
		ok = s->fd >= 0 && sendto(s->fd, msg, mlen, MSG_NOSIGNAL | MSG_DONTWAIT,
					  (struct sockaddr *)&s->addr, s->alen) >= 0;
		s->last_send_failed = ok ? 0 : (errno ? errno : -1);
		break;
	default:
		/* stream sockets: the queue owns msg from here */
		ok = sq_push(&s->q, msg, mlen) == 0;
		stream_pump(s);
		return ok ? 0 : -1;
	}
	free(msg);
	if (!ok) {
		s->send_errors++;
		return -1;
	}
	s->sent++;
	return 0;
}

static void sink_flush(void *ctx)
{
	struct sink *s = ctx;

	if (s->lf_open)
		linefile_flush(&s->lf);
	if (is_stream(s))
		stream_pump(s);
}

static void sink_reopen(void *ctx)
{
	struct sink *s = ctx;

	if (s->kind == SK_FILE && s->lf_open)
		linefile_reopen(&s->lf);
}

static void sink_free(struct sink *s)
{
	if (!s)
		return;
	sq_free(&s->q);
	sink_tls_free(s->tls);
	free(s->tls_ca);
	free(s->tls_cert);
	free(s->tls_key);
	if (s->fd >= 0)
		close(s->fd);
	if (s->lf_open)
		linefile_close(&s->lf);
	free(s->target);
	free(s);
}

/* One round of sink_drain(): reconnect now if down, send, the socket. */
static int sink_drain_pump(void *ctx)
{
	struct sink *s = ctx;

	if (s->fd < 0 && s->next_try > sink_now())
		s->next_try = sink_now();
	stream_pump(s);
	return s->fd;
}

/* End of the run: give queued lines a bounded chance to leave; what is
 * left is lost (counted, and said on stderr). */
static void sink_finish(void *ctx)
{
	struct sink *s = ctx;

	if (s->finished)
		return;
	s->finished = 1;
	if (s->lf_open)
		linefile_flush(&s->lf);
	s->lost_at_exit = sink_drain(&s->q, sink_drain_pump, s, s->target);
}

static void sink_close(void *ctx)
{
	struct sink *s = ctx;

	if (!s)
		return;
	sink_finish(s);
	sink_free(s);
}

/* Lines taken and then lost: a full disk, a queue left at exit.  (A line
 * refused at once, e.g. by a full queue, counts where write() failed.) */
static uint64_t sink_lost(void *ctx)
{
	struct sink *s = ctx;

	return (s->lf_open ? s->lf.lost : 0) + s->lost_at_exit;
}

/* Losing lines now: the file's last flush failed, a datagram's last send
 * failed, or a stream's queue is full. */
static int sink_failing(void *ctx)
{
	struct sink *s = ctx;

	if (s->lf_open)
		return s->lf.failing ? (s->lf.err ? s->lf.err : -1) : 0;
	if (is_stream(s))
		return s->q.cap && s->q.count >= s->q.cap ? ENOBUFS : 0;
	return s->last_send_failed;
}

/* Counters straight into obj, which the EVE writer files under the URI. */
static void sink_stats(void *ctx, json_t *obj)
{
	struct sink *s = ctx;

	json_object_set_new(obj, "type", json_string(ot_tok_str(sink_kind_names, s->kind)));
	json_object_set_new(obj, "format", json_string(s->cef ? "cef" : "json"));
	json_object_set_new(obj, "lines", json_integer((json_int_t)s->lines));
	json_object_set_new(obj, "sent", json_integer((json_int_t)s->sent));
	json_object_set_new(obj, "skipped", json_integer((json_int_t)s->skipped));
	json_object_set_new(obj, "send_errors", json_integer((json_int_t)s->send_errors));
	if (is_stream(s)) {
		json_object_set_new(obj, "queued", json_integer((json_int_t)s->q.count));
		json_object_set_new(obj, "queue_cap", json_integer((json_int_t)s->q.cap));
		json_object_set_new(obj, "dropped_overflow", json_integer((json_int_t)s->q.dropped_overflow));
		json_object_set_new(obj, "connects", json_integer((json_int_t)s->connects));
		json_object_set_new(obj, "disconnects", json_integer((json_int_t)s->disconnects));
		json_object_set_new(obj, "connected", json_boolean(s->fd >= 0 && !s->connecting &&
								   (!s->tls || s->tls_up)));
		if (s->tls)
			json_object_set_new(obj, "tls_failures", json_integer((json_int_t)s->tls_failures));
	}
	if (s->lf_open) {
		json_object_set_new(obj, "lost", json_integer((json_int_t)s->lf.lost));
		if (s->kind == SK_FILE)
			json_object_set_new(obj, "reopens", json_integer((json_int_t)s->lf.reopens));
	}
}

/* ---- URIs -------------------------------------------------------------------------- */

static int parse_query(struct sink *s, char *q, char *err, size_t errlen)
{
	char *save = NULL, *kv;

	for (kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		char *end;
		long v;
		int code = -1;

		if (!eq) {
			snprintf(err, errlen, "bad setting '%s' (expected NAME=VALUE)", kv);
			return -1;
		}
		*eq++ = 0;
		if (strcmp(kv, "facility") == 0) {
			const struct ot_tok *t;

			for (t = facility_names; t->name; t++)
				if (strcmp(t->name, eq) == 0)
					code = t->code;
			if (code < 0) {
				snprintf(err, errlen, "unknown facility '%s'", eq);
				return -1;
			}
			s->facility = code;
		} else if (strcmp(kv, "queue") == 0) {
			v = strtol(eq, &end, 10);
			if (*end || v < 1 || v > 10000000) {
				snprintf(err, errlen, "bad queue size '%s'", eq);
				return -1;
			}
			s->qcap = (size_t)v;
		} else if (s->kind == SK_SYSLOG_TLS &&
			   (strcmp(kv, "ca") == 0 || strcmp(kv, "cert") == 0 || strcmp(kv, "key") == 0)) {
			char **slot = kv[0] == 'c' ? (kv[1] == 'a' ? &s->tls_ca : &s->tls_cert) : &s->tls_key;

			free(*slot);
			*slot = strdup(eq);
			if (!*slot) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		} else {
			snprintf(err, errlen, "unknown setting '%s'", kv);
			return -1;
		}
	}
	return 0;
}

static int resolve_inet(struct sink *s, const char *hostport, int socktype,
			char *err, size_t errlen)
{
	char host[256], *port;
	struct addrinfo hints, *res = NULL;
	int rc;

	if (strlen(hostport) >= sizeof(host)) {
		snprintf(err, errlen, "address too long");
		return -1;
	}
	strcpy(host, hostport);
	if (host[0] == '[') {
		char *close = strchr(host, ']');

		if (!close || close[1] != ':') {
			snprintf(err, errlen, "expected [IPv6]:PORT");
			return -1;
		}
		*close = 0;
		memmove(host, host + 1, strlen(host + 1) + 1);
		port = strchr(hostport, ']') + 2;
	} else {
		port = strrchr(host, ':');
		if (!port) {
			snprintf(err, errlen, "expected HOST:PORT");
			return -1;
		}
		*port++ = 0;
	}
	if (!*host || !*port) {
		snprintf(err, errlen, "expected HOST:PORT");
		return -1;
	}
	{
		char *end;
		long pn = strtol(port, &end, 10);

		if (*port < '0' || *port > '9' || *end || pn < 1 || pn > 65535) {
			snprintf(err, errlen, "bad port '%s' (1-65535)", port);
			return -1;
		}
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(err, errlen, "cannot resolve '%s' port '%s': %s", host, port, gai_strerror(rc));
		return -1;
	}
	snprintf(s->peer_host, sizeof(s->peer_host), "%s", host);
	memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
	s->alen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int set_unix(struct sink *s, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&s->addr;

	if (!*path || strlen(path) >= sizeof(un->sun_path)) {
		snprintf(err, errlen, "bad socket path '%s'", path);
		return -1;
	}
	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	strcpy(un->sun_path, path);
	s->alen = sizeof(*un);
	return 0;
}

int sink_open(const char *uri, int cef, struct eve_sink *out, char *err, size_t errlen)
{
	static const struct { const char *prefix; int kind; } schemes[] = {
		{ "file://", SK_FILE }, { "file:", SK_FILE }, { "udp://", SK_SYSLOG_UDP },
		{ "tcp://", SK_SYSLOG_TCP }, { "unix://", SK_SYSLOG_UNIX },
		{ "syslog+tls://", SK_SYSLOG_TLS },
		{ "unix-stream://", SK_UNIX_STREAM }, { "unix-dgram://", SK_UNIX_DGRAM },
	};
	struct sink *s;
	char *rest = NULL, *q;
	size_t i;

	memset(out, 0, sizeof(*out));
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->fd = -1;
	s->facility = 16;
	s->qcap = SINK_QUEUE_DEFAULT;
	s->backoff = SINK_BACKOFF_MIN;
	s->cef = cef;
	s->pid = (long)getpid();
	if (gethostname(s->hostname, sizeof(s->hostname) - 1) < 0 || !s->hostname[0])
		strcpy(s->hostname, "-");
	s->hostname[strcspn(s->hostname, " ")] = 0;
	s->target = strdup(uri);
	if (!s->target)
		goto nomem;
	if (strcmp(uri, "stdout") == 0 || strcmp(uri, "-") == 0) {
		s->kind = SK_STDOUT;
		if (linefile_open(&s->lf, "-", err, errlen) < 0)
			goto fail;
		s->lf_open = 1;
		goto done;
	}
	if (strncmp(uri, "redis://", 8) == 0) {
		sink_free(s);
		return sink_redis_open(uri, cef, out, err, errlen);
	}
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncmp(uri, schemes[i].prefix, strlen(schemes[i].prefix)) == 0)
			break;
	if (i == sizeof(schemes) / sizeof(schemes[0])) {
		snprintf(err, errlen, "unknown sink '%s' (file://, stdout, udp://, tcp://, unix://, unix-stream://, unix-dgram://, syslog+tls://, redis://)", uri);
		goto fail;
	}
	s->kind = schemes[i].kind;
	rest = strdup(uri + strlen(schemes[i].prefix));
	if (!rest)
		goto nomem;
	q = strchr(rest, '?');
	if (q) {
		*q++ = 0;
		if (parse_query(s, q, err, errlen) < 0)
			goto fail;
	}
	switch (s->kind) {
	case SK_FILE:
		if (!*rest) {
			snprintf(err, errlen, "file sink needs a path");
			goto fail;
		}
		if (linefile_open(&s->lf, rest, err, errlen) < 0)
			goto fail;
		s->lf_open = 1;
		break;
	case SK_SYSLOG_UDP:
		s->socktype = SOCK_DGRAM;
		if (resolve_inet(s, rest, SOCK_DGRAM, err, errlen) < 0)
			goto fail;
		break;
	case SK_SYSLOG_TCP:
		s->socktype = SOCK_STREAM;
		if (resolve_inet(s, rest, SOCK_STREAM, err, errlen) < 0)
			goto fail;
		break;
	case SK_SYSLOG_TLS:
		s->socktype = SOCK_STREAM;
		if (resolve_inet(s, rest, SOCK_STREAM, err, errlen) < 0)
			goto fail;
		s->tls = sink_tls_new(s->peer_host, s->tls_ca, s->tls_cert, s->tls_key, err, errlen);
		if (!s->tls)
			goto fail;
		break;
	case SK_SYSLOG_UNIX:
	case SK_UNIX_DGRAM:
		s->socktype = SOCK_DGRAM;
		if (set_unix(s, rest, err, errlen) < 0)
			goto fail;
		break;
	default:
		s->socktype = SOCK_STREAM;
		if (set_unix(s, rest, err, errlen) < 0)
			goto fail;
		break;
	}
	if (is_stream(s)) {
		if (sq_init(&s->q, s->qcap) < 0)
			goto nomem;
		stream_connect(s);      /* start now; never waits */
	}
done:
	free(rest);
	out->name = s->target;  /* the stats key; lives until close */
	out->ctx = s;
	out->write = sink_write;
	out->reopen = sink_reopen;
	out->flush = sink_flush;
	out->close = sink_close;
	out->stats = sink_stats;
	out->lost = sink_lost;
	out->failing = sink_failing;
	out->finish = sink_finish;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	free(rest);
	sink_free(s);
	return -1;
}

int sink_add(struct eve *e, const char *uri, int cef, char *err, size_t errlen)
{
	struct eve_sink sk;

	if (sink_open(uri, cef, &sk, err, errlen) < 0)
		return -1;
	if (eve_host(e) && sk.write == sink_write) {
		/* the syslog HOSTNAME is the sensor's name (RFC 5424 6.2.4) */
		struct sink *s = sk.ctx;

		snprintf(s->hostname, sizeof(s->hostname), "%s", eve_host(e));
	}
	if (eve_add_sink(e, &sk) < 0) {
		snprintf(err, errlen, "too many outputs");
		sk.close(sk.ctx);
		return -1;
	}
	return 0;
}
