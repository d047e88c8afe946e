/*
 * event.c - normalized OT event helpers and name tables (see event.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dissector.h"
#include "event.h"

const char *ot_dir_name(enum ot_dir d)
{
	static const char *const n[] = { "request", "response", "unsolicited_response", "none" };
	return (unsigned)d <= OT_DIR_NONE ? n[d] : "none";
}

static const char *const category_names[OT_CAT_COUNT] = {
	[OT_CAT_OTHER] = "other",
	[OT_CAT_READ] = "read",
	[OT_CAT_WRITE] = "write",
	[OT_CAT_CONTROL] = "control",
	[OT_CAT_DIAGNOSTIC] = "diagnostic",
	[OT_CAT_PROGRAM] = "program",
	[OT_CAT_MODE] = "mode",
	[OT_CAT_IDENTITY] = "identity",
	[OT_CAT_FILE] = "file",
	[OT_CAT_SECURITY] = "security",
	[OT_CAT_TIME] = "time",
	[OT_CAT_SESSION] = "session",
	[OT_CAT_DISCOVERY] = "discovery",
};

const char *ot_category_name(enum ot_category c)
{
	return (unsigned)c < OT_CAT_COUNT ? category_names[c] : "other";
}

static const char *const ident_names[OT_ID_COUNT] = {
	[OT_ID_VENDOR] = "vendor",
	[OT_ID_PRODUCT] = "product",
	[OT_ID_PRODUCT_CODE] = "product_code",
	[OT_ID_MODEL] = "model",
	[OT_ID_FIRMWARE] = "firmware",
	[OT_ID_HARDWARE] = "hardware",
	[OT_ID_SERIAL] = "serial",
	[OT_ID_NAME] = "name",
	[OT_ID_MODULE] = "module",
	[OT_ID_PLANT] = "plant",
	[OT_ID_ORDER_NUMBER] = "order_number",
	[OT_ID_URL] = "url",
	[OT_ID_APP_NAME] = "application",
	[OT_ID_CPU_MODE] = "cpu_mode",
	[OT_ID_COPYRIGHT] = "copyright",
	[OT_ID_OTHER] = "other",
};

const char *ot_ident_key_name(enum ot_ident_key k)
{
	return (unsigned)k < OT_ID_COUNT ? ident_names[k] : "other";
}

const char *ot_conn_what_name(enum ot_conn_what w)
{
	static const char *const n[] = {
		[OT_CONN_NONE] = "none", [OT_CONN_OPENED] = "opened", [OT_CONN_REFUSED] = "refused",
		[OT_CONN_CLOSED] = "closed", [OT_CONN_TRAFFIC] = "traffic",
	};

	return (unsigned)w < sizeof(n) / sizeof(n[0]) ? n[w] : "none";
}

const char *ot_tok_name(const struct ot_tok *t, int code)
{
	for (; t && t->name; t++)
		if (t->code == code)
			return t->name;
	return NULL;
}

struct tok_pos {
	int code;
	size_t pos;
};

static int tok_pos_cmp(const void *a, const void *b)
{
	const struct tok_pos *x = a, *y = b;

	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void tok_index_build(struct ot_tok_index *x)
{
	struct tok_pos *tp;
	size_t n = 0, i, k = 0;
	int small = 1;

	while (x->t[n].name) {
		small &= x->t[n].code >= 0 && x->t[n].code < 256;
		n++;
	}
	if (small && (x->direct = calloc(256, sizeof(*x->direct))) != NULL) {
		for (i = n; i-- > 0;)
			x->direct[x->t[i].code] = x->t[i].name;  /* the first row last */
		x->state = 1;
		return;
	}
	tp = malloc((n ? n : 1) * sizeof(*tp));
	x->rows = malloc((n ? n : 1) * sizeof(*x->rows));
	if (!tp || !x->rows) {
		free(tp);
		free(x->rows);
		x->rows = NULL;
		x->state = -1;
		return;
	}
	for (i = 0; i < n; i++) {
		tp[i].code = x->t[i].code;
		tp[i].pos = i;
	}
	qsort(tp, n, sizeof(*tp), tok_pos_cmp);
	for (i = 0; i < n; i++)
		if (k == 0 || x->rows[k - 1].code != tp[i].code)
			x->rows[k++] = x->t[tp[i].pos];
	free(tp);
	x->n = k;
	x->state = 1;
}

const char *ot_tok_index_search(struct ot_tok_index *x, int code)
{
	size_t lo = 0, hi;

	if (x->state == 0)
		tok_index_build(x);
	if (x->state < 0)
		return ot_tok_name(x->t, code);
	if (x->direct)
		return code >= 0 && code < 256 ? x->direct[code] : NULL;
	hi = x->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->rows[mid].code == code)
			return x->rows[mid].name;
		if (x->rows[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int ot_tok_code(const struct ot_tok *t, const char *name, int *code)
{
	for (; t && t->name; t++)
		if (strcasecmp(t->name, name) == 0) {
			*code = t->code;
			return 0;
		}
	return -1;
}

const char *ot_tok_str(const struct ot_tok *t, int code)
{
	const char *n = ot_tok_name(t, code);
	return n ? n : "unknown";
}

int ot_ident_add(struct ot_event *ev, enum ot_ident_key key,
		 const uint8_t *raw, size_t len)
{
	struct ot_ident *id;
	size_t i, n = 0;
	char tmp[OT_IDENT_LEN];

	for (i = 0; i < len && n < OT_IDENT_LEN - 1; i++) {
		uint8_t c = raw[i];
		if (c == 0)
			break;
		tmp[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
	}
	while (n > 0 && tmp[n - 1] == ' ')
		n--;
	i = 0;
	while (i < n && tmp[i] == ' ')
		i++;
	if (i == n)
		return 0;
	if (ev->n_ident >= OT_MAX_IDENT) {
		ev->truncated = 1;
		return -1;
	}
	id = &ev->ident[ev->n_ident++];
	id->key = (uint8_t)key;
	memcpy(id->value, tmp + i, n - i);
	id->value[n - i] = '\0';
	return 0;
}

void ot_event_init(struct ot_event *ev, const struct dissect_ctx *ctx,
		   enum ot_proto proto, enum ot_kind kind)
{
	/* Each member before conn is set here, one by one: a memset of the
	 * event's head was an inlined "rep stos", the dearest part of an event.
	 * The rest is read only as far as its own fields say: conn when
	 * conn.what is set (whoever sets it sets all of conn), the arrays up
	 * to their counts, the anomaly detail up to its NUL. */
	ev->kind = kind;
	ev->proto = proto;
	ev->dir = OT_DIR_NONE;
	ev->from_client = ctx->from_client;
	ev->flow = ctx->flow;
	ev->ts = ctx->ts;
	ev->unit = ev->link_src = ev->link_dst = -1;
	ev->rack = ev->slot = -1;
	ev->func = ev->group = ev->subfunc = -1;
	ev->func_name = ev->subfunc_name = NULL;
	ev->cat = OT_CAT_OTHER;
	ev->txn = -1;
	ev->status = -1;
	ev->status_name = NULL;
	ev->rtt = -1.0;
	ev->iin = ev->rosctr = ev->szl_id = ev->szl_index = -1;
	ev->n_ranges = ev->n_values = ev->n_ident = 0;
	ev->truncated = 0;
	ev->conn.what = OT_CONN_NONE;
	ev->anomaly = NULL;
	ev->anomaly_detail[0] = '\0';
	ev->record = NULL;
}

void ot_emit(struct dissect_ctx *ctx, struct ot_event *ev)
{
	if (ctx->emit)
		ctx->emit(ctx, ev);
	ev->record = NULL;
}

void ot_anomaly(struct dissect_ctx *ctx, enum ot_proto proto, const char *reason,
		const char *fmt, ...)
{
	struct ot_event ev;
	va_list ap;

	ot_event_init(&ev, ctx, proto, OT_EV_ANOMALY);
	ev.anomaly = reason;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(ev.anomaly_detail, sizeof(ev.anomaly_detail), fmt, ap);
		va_end(ap);
	}
	ot_emit(ctx, &ev);
}
