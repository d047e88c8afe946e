/*
 * recorder.c - the event recorder of the dissector suites (see recorder.h).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jw.h"
#include "recorder.h"
#include "options.h"

static void recorder_emit(struct dissect_ctx *ctx, struct ot_event *ev)
{
	struct recorder *r = ctx->emit_ud;
	struct recorded *s;

	if (ev->kind == OT_EV_MESSAGE)
		r->n_msg++;
	else if (ev->kind == OT_EV_ANOMALY)
		r->n_anom++;
	else if (ev->kind == OT_EV_SESSION)
		r->n_session++;
	if (r->n >= r->max) {
		r->n++;
		return;
	}
	s = &r->ev[r->n];
	s->ev = *ev;
	s->ev.record = NULL;
	s->json = NULL;
	s->obj = NULL;
	if (ev->record && r->record_size) {
		void *copy = r->records + (size_t)r->n * r->record_size;

		memcpy(copy, ev->record, r->record_size);
		s->ev.record = copy;
	}
	if (ev->record && (ctx->want_detail || r->always_log) && r->d && r->d->log) {
		/* what the protocol log writes, through the dissector's logger */
		struct jw w;

		jw_init(&w);
		jw_object_open(&w, NULL);
		r->d->log(&w, ev);
		jw_object_close(&w);
		s->obj = json_loads(jw_finish(&w, NULL), 0, NULL);
		ck_assert_ptr_nonnull(s->obj);
		s->json = json_dumps(s->obj, JSON_SORT_KEYS | JSON_COMPACT);
		ck_assert_ptr_nonnull(s->json);
		jw_free(&w);
	}
	r->n++;
}

void recorder_init(struct recorder *r, const struct dissector *d, size_t record_size, int max)
{
	memset(r, 0, sizeof(*r));
	r->d = d;
	r->record_size = record_size;
	r->max = max;
	r->ev = calloc((size_t)max, sizeof(*r->ev));
	ck_assert_ptr_nonnull(r->ev);
	if (record_size) {
		r->records = calloc((size_t)max, record_size);
		ck_assert_ptr_nonnull(r->records);
	}
	ots_limits_default(&r->lim);
}

void recorder_clear(struct recorder *r)
{
	int i;

	for (i = 0; i < r->n && i < r->max; i++) {
		free(r->ev[i].json);
		json_decref(r->ev[i].obj);
		r->ev[i].json = NULL;
		r->ev[i].obj = NULL;
	}
	r->n = r->n_msg = r->n_anom = r->n_session = 0;
}

void recorder_free(struct recorder *r)
{
	if (!r->ev)
		return;
	recorder_clear(r);
	free(r->ev);
	free(r->records);
	r->ev = NULL;
	r->records = NULL;
}

void recorder_ctx(struct recorder *r, struct dissect_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->lim = &r->lim;
	ctx->emit = recorder_emit;
	ctx->emit_ud = r;
	ctx->want_detail = 1;
	ctx->ts.tv_sec = 1000;
}

void recorder_start(struct recorder *r, const struct dissector *d, size_t record_size,
		    int max, struct dissect_ctx *ctx)
{
	if (r->ev) {
		recorder_clear(r);
		r->always_log = 0;
	} else {
		recorder_init(r, d, record_size, max);
	}
	recorder_ctx(r, ctx);
}

int recorder_anomalies(const struct recorder *r, const char *reason)
{
	int i, n = 0;

	for (i = 0; i < r->n && i < r->max; i++)
		if (r->ev[i].ev.kind == OT_EV_ANOMALY && strcmp(r->ev[i].ev.anomaly, reason) == 0)
			n++;
	return n;
}

const struct recorded *recorder_msg(const struct recorder *r, int k)
{
	int i;

	for (i = 0; i < r->n && i < r->max; i++)
		if (r->ev[i].ev.kind == OT_EV_MESSAGE && k-- == 0)
			return &r->ev[i];
	return NULL;
}

const char *recorder_ident(const struct ot_event *ev, enum ot_ident_key key)
{
	int i;

	for (i = 0; i < ev->n_ident && i < OT_MAX_IDENT; i++)
		if (ev->ident[i].key == key)
			return ev->ident[i].value;
	return NULL;
}
