/*
 * sink_redis.c - the Redis sink (see sink.h): every line (or its CEF form)
 * as RPUSH KEY line (mode=list, the default), PUBLISH KEY line
 * (mode=channel) or XADD KEY * event line (mode=stream), through hiredis.
 *
 * Lines wait in a bounded queue (sink_queue.h) and leave it only when the
 * server has answered their command, so a server that goes away and comes
 * back gets every queued line, once and in order.  Commands go out in
 * pipelined batches of at most REDIS_BATCH when SINK_REDIS_EVERY lines have
 * gathered, 0.2 s have passed, or on flush; a down server is retried with a
 * backoff from 0.5 s to 30 s, and each connect or reply waits at most
 * 0.5 s / 2 s.  A line the server refuses (an error reply such as
 * WRONGTYPE) is dropped and counted (rejected); a server that is not ready
 * (LOADING its data after a restart, BUSY, MISCONF, ...) keeps the line
 * queued and is retried like one that is down.  The first command on a new
 * connection goes alone, so a batch never meets a server still loading.  A server that dies after
 * running a command but before its answer arrives gets that command again
 * (at-least-once at a crash; exactly once across a clean stop).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <hiredis/hiredis.h>
#include <jansson.h>

#include "eve.h"
#include "sink.h"
#include "sink_int.h"
#include "sink_queue.h"
#include "event.h"

#define REDIS_BATCH          256
#define SINK_REDIS_EVERY     64
#define REDIS_PUMP_SECONDS   0.2
#define REDIS_CONNECT_MS     500
#define REDIS_REPLY_MS       2000

enum redis_mode { RM_LIST = 0, RM_CHANNEL, RM_STREAM };

static const struct ot_tok redis_mode_names[] = {
	{ RM_LIST, "list" }, { RM_CHANNEL, "channel" }, { RM_STREAM, "stream" },
	{ 0, NULL }
};

struct redis_sink {
	char *target;           /* the URI, the stats key */
	char host[256];
	int port;
	char *key;
	int mode;               /* enum redis_mode */
	int cef;
	redisContext *c;
	int probe;              /* next batch: one command (new connection) */
	struct sink_queue q;
	size_t qcap;
	double next_try, backoff, last_pump;
	uint64_t lines, sent, skipped, rejected, not_ready, send_errors;
	uint64_t connects, disconnects, lost_at_exit;
	int finished;                   /* redis_finish() ran */
};

static void redis_drop_connection(struct redis_sink *r, int count)
{
	if (r->c) {
		redisFree(r->c);
		r->c = NULL;
		if (count)
			r->disconnects++;
	}
	r->next_try = sink_now() + r->backoff;
	r->backoff = r->backoff * 2 > SINK_BACKOFF_MAX ? SINK_BACKOFF_MAX : r->backoff * 2;
}

/* 1 when connected (now or already). */
static int redis_connect(struct redis_sink *r)
{
	struct timeval ct = { 0, REDIS_CONNECT_MS * 1000 };
	struct timeval rt = { REDIS_REPLY_MS / 1000, (REDIS_REPLY_MS % 1000) * 1000 };

	if (r->c)
		return 1;
	if (sink_now() < r->next_try)
		return 0;
	r->c = redisConnectWithTimeout(r->host, r->port, ct);
	if (!r->c || r->c->err || redisSetTimeout(r->c, rt) != REDIS_OK) {
		redis_drop_connection(r, 0);
		return 0;
	}
	r->connects++;
	r->probe = 1;
	return 1;
}

/* An error answer that says "not now" rather than "never". */
static int redis_error_transient(const redisReply *rep)
{
	static const char *const words[] = {
		"LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN",
		"MISCONF", "NOREPLICAS", "READONLY",
	};
	size_t i, n;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = strlen(words[i]);
		if (rep->str && (size_t)rep->len >= n && strncmp(rep->str, words[i], n) == 0)
			return 1;
	}
	return 0;
}

static void redis_append(struct redis_sink *r, const struct sink_msg *m)
{
	switch (r->mode) {
	case RM_CHANNEL:
		redisAppendCommand(r->c, "PUBLISH %s %b", r->key, m->buf, m->len);
		break;
	case RM_STREAM:
		redisAppendCommand(r->c, "XADD %s * event %b", r->key, m->buf, m->len);
		break;
	default:
		redisAppendCommand(r->c, "RPUSH %s %b", r->key, m->buf, m->len);
		break;
	}
}

/* Send what is queued, a batch at a time; a line leaves the queue when its
 * answer is in.  On an I/O error the rest stays for the next connection. */
static void redis_pump(struct redis_sink *r)
{
	r->last_pump = sink_now();
	while (r->q.count && redis_connect(r)) {
		size_t n = r->q.count < REDIS_BATCH ? r->q.count : REDIS_BATCH, i;

		if (r->probe)
			n = 1;

		for (i = 0; i < n; i++)
			redis_append(r, sq_at(&r->q, i));
		for (i = 0; i < n; i++) {
			redisReply *rep = NULL;

			if (redisGetReply(r->c, (void **)&rep) != REDIS_OK || !rep) {
				r->send_errors++;
				redis_drop_connection(r, 1);
				return;
			}
			if (rep->type == REDIS_REPLY_ERROR && redis_error_transient(rep)) {
				/* this line and the rest stay queued */
				freeReplyObject(rep);
				r->not_ready++;
				redis_drop_connection(r, 0);
				return;
			}
			if (rep->type == REDIS_REPLY_ERROR)
				r->rejected++;
			else
				r->sent++;
			freeReplyObject(rep);
			sq_pop(&r->q);
			r->probe = 0;
			r->backoff = SINK_BACKOFF_MIN;
		}
	}
}

static int redis_write(void *ctx, const char *line, size_t len)
{
	struct redis_sink *r = ctx;
	char *msg;
	size_t mlen;

	r->lines++;
	if (r->cef) {
		msg = sink_cef_render(line, len);
		if (!msg) {
			r->skipped++;
			return 0;
		}
		mlen = strlen(msg);
	} else {
		msg = malloc(len + 1);
		if (!msg) {
			r->send_errors++;
			return -1;
		}
		memcpy(msg, line, len);
		msg[len] = 0;
		mlen = len;
	}
	if (sq_push(&r->q, msg, mlen) < 0)
		return -1;
	if (r->q.count >= SINK_REDIS_EVERY || sink_now() - r->last_pump >= REDIS_PUMP_SECONDS)
		redis_pump(r);
	return 0;
}

static void redis_flush(void *ctx)
{
	redis_pump(ctx);
}

static void redis_free(struct redis_sink *r)
{
	if (!r)
		return;
	if (r->c)
		redisFree(r->c);
	sq_free(&r->q);
	free(r->key);
	free(r->target);
	free(r);
}

/* One round of sink_drain(): reconnect now if down, send; no socket to
 * wait on (hiredis owns it). */
static int redis_drain_pump(void *ctx)
{
	struct redis_sink *r = ctx;

	if (!r->c && r->next_try > sink_now())
		r->next_try = sink_now();
	redis_pump(r);
	return -1;
}

/* End of the run: queued lines get a bounded chance to leave. */
static void redis_finish(void *ctx)
{
	struct redis_sink *r = ctx;

	if (r->finished)
		return;
	r->finished = 1;
	r->lost_at_exit = sink_drain(&r->q, redis_drain_pump, r, r->target);
}

static void redis_close(void *ctx)
{
	struct redis_sink *r = ctx;

	if (!r)
		return;
	redis_finish(r);
	redis_free(r);
}

/* Lines taken and then lost: refused by the server, left at exit. */
static uint64_t redis_lost(void *ctx)
{
	struct redis_sink *r = ctx;

	return r->rejected + r->lost_at_exit;
}

/* Losing lines now: the queue is full. */
static int redis_failing(void *ctx)
{
	struct redis_sink *r = ctx;

	return r->q.cap && r->q.count >= r->q.cap ? ENOBUFS : 0;
}

static void redis_stats(void *ctx, json_t *obj)
{
	struct redis_sink *r = ctx;

	json_object_set_new(obj, "type", json_string("redis"));
	json_object_set_new(obj, "mode", json_string(ot_tok_str(redis_mode_names, r->mode)));
	json_object_set_new(obj, "format", json_string(r->cef ? "cef" : "json"));
	json_object_set_new(obj, "lines", json_integer((json_int_t)r->lines));
	json_object_set_new(obj, "sent", json_integer((json_int_t)r->sent));
	json_object_set_new(obj, "skipped", json_integer((json_int_t)r->skipped));
	json_object_set_new(obj, "rejected", json_integer((json_int_t)r->rejected));
	json_object_set_new(obj, "not_ready", json_integer((json_int_t)r->not_ready));
	json_object_set_new(obj, "send_errors", json_integer((json_int_t)r->send_errors));
	json_object_set_new(obj, "queued", json_integer((json_int_t)r->q.count));
	json_object_set_new(obj, "queue_cap", json_integer((json_int_t)r->q.cap));
	json_object_set_new(obj, "dropped_overflow", json_integer((json_int_t)r->q.dropped_overflow));
	json_object_set_new(obj, "connects", json_integer((json_int_t)r->connects));
	json_object_set_new(obj, "disconnects", json_integer((json_int_t)r->disconnects));
	json_object_set_new(obj, "connected", json_boolean(r->c != NULL));
}

/* ?mode=list|channel|stream&queue=N */
static int redis_query(struct redis_sink *r, char *q, char *err, size_t errlen)
{
	char *save = NULL, *kv;

	for (kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '='), *end;
		const struct ot_tok *t;
		long v;

		if (!eq) {
			snprintf(err, errlen, "bad setting '%s' (expected NAME=VALUE)", kv);
			return -1;
		}
		*eq++ = 0;
		if (strcmp(kv, "mode") == 0) {
			for (t = redis_mode_names; t->name; t++)
				if (strcmp(t->name, eq) == 0)
					break;
			if (!t->name) {
				snprintf(err, errlen, "unknown mode '%s' (list, channel or stream)", eq);
				return -1;
			}
			r->mode = t->code;
		} else if (strcmp(kv, "queue") == 0) {
			v = strtol(eq, &end, 10);
			if (*end || v < 1 || v > 10000000) {
				snprintf(err, errlen, "bad queue size '%s'", eq);
				return -1;
			}
			r->qcap = (size_t)v;
		} else {
			snprintf(err, errlen, "unknown setting '%s'", kv);
			return -1;
		}
	}
	return 0;
}

int sink_redis_open(const char *uri, int cef, struct eve_sink *out, char *err, size_t errlen)
{
	struct redis_sink *r = calloc(1, sizeof(*r));
	char *rest = NULL, *q, *slash, *colon, *end;
	long port = 6379;

	if (!r || !(r->target = strdup(uri)) || !(rest = strdup(uri + strlen("redis://")))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	r->cef = cef;
	r->qcap = SINK_QUEUE_DEFAULT;
	r->backoff = SINK_BACKOFF_MIN;
	q = strchr(rest, '?');
	if (q) {
		*q++ = 0;
		if (redis_query(r, q, err, errlen) < 0)
			goto fail;
	}
	slash = strchr(rest, '/');
	if (!slash || !slash[1] || strpbrk(slash + 1, "/ ")) {
		snprintf(err, errlen, "expected redis://HOST:PORT/KEY");
		goto fail;
	}
	*slash = 0;
	r->key = strdup(slash + 1);
	if (!r->key) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (rest[0] == '[') {           /* [IPv6]:PORT */
		char *close = strchr(rest, ']');

		if (!close || (close[1] && close[1] != ':')) {
			snprintf(err, errlen, "expected [IPv6]:PORT");
			goto fail;
		}
		*close = 0;
		colon = close[1] ? close + 1 : NULL;
		memmove(rest, rest + 1, strlen(rest + 1) + 1);
	} else {
		colon = strrchr(rest, ':');
	}
	if (colon) {
		*colon = 0;
		port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535) {
			snprintf(err, errlen, "bad port '%s'", colon + 1);
			goto fail;
		}
	}
	if (!rest[0] || strlen(rest) >= sizeof(r->host)) {
		snprintf(err, errlen, "expected redis://HOST:PORT/KEY");
		goto fail;
	}
	snprintf(r->host, sizeof(r->host), "%s", rest);
	r->port = (int)port;
	if (sq_init(&r->q, r->qcap) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	free(rest);
	redis_connect(r);               /* a server that is down now is retried */
	memset(out, 0, sizeof(*out));
	out->name = r->target;
	out->ctx = r;
	out->write = redis_write;
	out->flush = redis_flush;
	out->close = redis_close;
	out->stats = redis_stats;
	out->lost = redis_lost;
	out->failing = redis_failing;
	out->finish = redis_finish;
	return 0;
fail:
	free(rest);
	redis_free(r);
	return -1;
}
