/*
 * iec104_parse.c - IEC 60870-5-104 over TCP: APDUs cut from the stream,
 * APCI (I, S, U formats), ASDU and information objects into struct
 * iec104_apdu; per-direction send/receive sequence tracking; the ot_event.
 *
 * Specification: IEC 60870-5-104:2006 clause 5 (APCI, sequence numbers,
 * U functions), IEC 60870-5-101:2003 clause 7 (ASDU, information elements),
 * IEC 60870-5-4 (time tags).  Sizes are the 104 defaults (2-octet COT,
 * 2-octet common address, 3-octet IOA); an ASDU whose length does not fit
 * its type and count is an anomaly ("asdu_length").
 *
 * Sequence tracking: for each direction the next expected N(S) and a
 * 64-frame window of the numbers already received.  An I-frame ahead of the
 * expected number is a gap, one received again a duplicate, a missing one
 * arriving late out of order; an N(R) acknowledging frames the other side
 * never sent is "ack_ahead".  A stream gap unsynchronises the direction.
 *
 * Command confirmation: every command, set point, system command or
 * parameter with cause activation waits (at most IEC104_MAX_PENDING per
 * flow, the oldest dropped and counted when full) for the other side's
 * activation confirmation of the same type, common address and first
 * information object address.  A negative confirmation (P/N set, or one of
 * the causes 44-47 that refuse an unknown type, cause, common address or
 * information object address) is the anomaly
 * "command_negative"; no confirmation within IEC104_CONFIRM_TIMEOUT seconds
 * (t1 of the standard), judged when the flow carries its next APDU, is
 * "command_unconfirmed".  A confirmation gives the event its response time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "framer.h"
#include "iec104.h"

/* Numbers further back than this from the expected one are not judged
 * duplicate or late by the window; half the sequence space splits ahead
 * from behind. */
#define IEC104_SEQ_WINDOW 64
#define IEC104_SEQ_HALF   (IEC104_SEQ_MOD / 2)

struct iec104_seq {
	uint8_t synced;         /* an I-frame was seen since the start or a gap */
	uint16_t next;          /* expected N(S) */
	uint64_t seen;          /* bit i: next - 1 - i was received */
};

/* A command waiting for its activation confirmation. */
struct iec104_pending {
	uint8_t used, type, from_client;
	uint16_t ca;
	uint32_t ioa;
	struct timeval ts;
};

struct iec104_state {
	struct framer framer[2];        /* [from_client] */
	struct iec104_pending pending[IEC104_MAX_PENDING];
	struct iec104_seq seq[2];       /* [from_client]: that direction's N(S) */
	struct iec104_counters cnt;
	int hunt_reported;              /* one bad-header anomaly per parse() */
	struct dissect_ctx *ctx;        /* valid during parse() */
	struct iec104_apdu rec;         /* the APDU being decoded (7 KB: off the stack) */
};

void iec104_get_counters(const void *state, struct iec104_counters *out)
{
	const struct iec104_state *st = state;

	if (st)
		*out = st->cnt;
	else
		memset(out, 0, sizeof(*out));
}

/* Stats counters, in the order iec104_counters_add() adds them. */
static const char *const iec104_counter_names[] = {
	"apdus", "i_frames", "s_frames", "u_frames", "bad_apci", "asdu_malformed",
	"unknown_type", "seq_gaps", "seq_duplicates", "seq_out_of_order",
	"seq_ack_ahead", "bytes_skipped", "oversize", "commands", "commands_confirmed",
	"commands_negative", "commands_unconfirmed", "commands_dropped", "confirms_unmatched",
};

static void iec104_counters_add(const void *state, uint64_t *out)
{
	const struct iec104_state *st = state;

	if (!st)
		return;
	out[0] += st->cnt.apdus;
	out[1] += st->cnt.i_frames;
	out[2] += st->cnt.s_frames;
	out[3] += st->cnt.u_frames;
	out[4] += st->cnt.bad_apci;
	out[5] += st->cnt.asdu_malformed;
	out[6] += st->cnt.unknown_type;
	out[7] += st->cnt.seq_gaps;
	out[8] += st->cnt.seq_duplicates;
	out[9] += st->cnt.seq_out_of_order;
	out[10] += st->cnt.seq_ack_ahead;
	out[11] += st->framer[0].skipped + st->framer[1].skipped;
	out[12] += st->framer[0].oversize + st->framer[1].oversize;
	out[13] += st->cnt.commands;
	out[14] += st->cnt.commands_confirmed;
	out[15] += st->cnt.commands_negative;
	out[16] += st->cnt.commands_unconfirmed;
	out[17] += st->cnt.commands_dropped;
	out[18] += st->cnt.confirms_unmatched;
}

/* ---- decoding: bytes -> record ------------------------------------- */

static void problem(struct iec104_problem *pr, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct iec104_problem *pr, const char *reason, const char *fmt, ...)
{
	va_list ap;

	if (!pr || pr->reason)
		return;             /* the first problem is the one reported */
	pr->reason = reason;
	va_start(ap, fmt);
	vsnprintf(pr->detail, sizeof(pr->detail), fmt, ap);
	va_end(ap);
}

static void read_time(struct cursor *c, int len, struct iec104_time *t)
{
	uint8_t b;

	memset(t, 0, sizeof(*t));
	t->ms = cur_le16(c);
	b = cur_u8(c);
	t->minute = b & 0x3f;
	t->invalid = b >> 7;
	if (len < 7)
		return;
	b = cur_u8(c);
	t->hour = b & 0x1f;
	t->summer = b >> 7;
	b = cur_u8(c);
	t->day = b & 0x1f;
	t->dow = b >> 5;
	t->month = cur_u8(c) & 0x0f;
	t->year = cur_u8(c) & 0x7f;
}

static double float_bits(uint32_t raw)
{
	float f;

	memcpy(&f, &raw, sizeof(f));
	return (double)f;
}

/* The element of one object (address already read) through c. */
static void read_element(struct cursor *c, const struct iec104_type *t,
			 struct iec104_object *o)
{
	uint8_t b;

	switch ((enum iec104_layout)t->layout) {
	case IEC104_EL_SIQ:
	case IEC104_EL_DIQ:
		b = cur_u8(c);
		o->value = t->layout == IEC104_EL_SIQ ? (b & 1) : (b & 3);
		o->quality = b & 0xf0;
		o->has_value = o->has_quality = 1;
		break;
	case IEC104_EL_VTI_QDS:
		b = cur_u8(c);
		o->raw = b;
		o->value = (b & 0x40) ? (int)(b & 0x7f) - 128 : (b & 0x3f);
		o->quality = cur_u8(c);
		o->has_value = o->has_quality = 1;
		break;
	case IEC104_EL_BSI_QDS:
	case IEC104_EL_BSI:
		o->raw = cur_le32(c);
		o->value = o->raw;
		o->has_value = 1;
		if (t->layout == IEC104_EL_BSI_QDS) {
			o->quality = cur_u8(c);
			o->has_quality = 1;
		}
		break;
	case IEC104_EL_NVA_QDS:
	case IEC104_EL_NVA:
	case IEC104_EL_NVA_QOS:
	case IEC104_EL_NVA_QPM:
		o->raw = cur_le16(c);
		o->value = (int16_t)o->raw / 32768.0;
		o->has_value = 1;
		break;
	case IEC104_EL_SVA_QDS:
	case IEC104_EL_SVA_QOS:
	case IEC104_EL_SVA_QPM:
		o->raw = cur_le16(c);
		o->value = (int16_t)o->raw;
		o->has_value = 1;
		break;
	case IEC104_EL_FLT_QDS:
	case IEC104_EL_FLT_QOS:
	case IEC104_EL_FLT_QPM:
		o->raw = cur_le32(c);
		o->value = float_bits(o->raw);
		o->has_value = 1;
		break;
	case IEC104_EL_BCR:
		o->raw = cur_le32(c);
		o->value = (int32_t)o->raw;
		o->quality = cur_u8(c);         /* SQ bits 0-4, CY, CA, IV */
		o->has_value = o->has_quality = 1;
		break;
	case IEC104_EL_SEP:
		b = cur_u8(c);
		o->value = b & 3;
		o->quality = b & 0xf8;
		o->aux = cur_le16(c);
		o->has_value = o->has_quality = 1;
		break;
	case IEC104_EL_SPE_QDP:
	case IEC104_EL_OCI_QDP:
		o->checksum = cur_u8(c);
		o->value = o->checksum;
		o->quality = cur_u8(c);
		o->aux = cur_le16(c);
		o->has_value = o->has_quality = 1;
		break;
	case IEC104_EL_SCD_QDS:
		o->raw = cur_le32(c);
		o->value = o->raw & 0xffff;
		o->aux = (uint16_t)(o->raw >> 16);
		o->quality = cur_u8(c);
		o->has_value = o->has_quality = 1;
		break;
	case IEC104_EL_SCO:
	case IEC104_EL_DCO:
	case IEC104_EL_RCO:
		b = cur_u8(c);
		o->value = t->layout == IEC104_EL_SCO ? (b & 1) : (b & 3);
		o->qualifier = b;
		o->has_value = o->has_qualifier = 1;
		break;
	case IEC104_EL_COI:
	case IEC104_EL_QOI:
	case IEC104_EL_QCC:
	case IEC104_EL_QRP:
	case IEC104_EL_QPA:
		o->qualifier = cur_u8(c);
		o->has_qualifier = 1;
		break;
	case IEC104_EL_FBP:
	case IEC104_EL_TSC:
		o->raw = cur_le16(c);
		o->value = o->raw;
		o->has_value = 1;
		break;
	case IEC104_EL_CP16:
		o->aux = cur_le16(c);
		o->value = o->aux;
		o->has_value = 1;
		break;
	case IEC104_EL_FILE_READY:
		o->aux = cur_le16(c);
		o->length = cur_le24(c);
		o->qualifier = cur_u8(c);
		o->has_qualifier = 1;
		break;
	case IEC104_EL_SECTION_READY:
		o->aux = cur_le16(c);
		o->section = cur_u8(c);
		o->length = cur_le24(c);
		o->qualifier = cur_u8(c);
		o->has_qualifier = 1;
		break;
	case IEC104_EL_CALL:
	case IEC104_EL_ACK:
		o->aux = cur_le16(c);
		o->section = cur_u8(c);
		o->qualifier = cur_u8(c);
		o->has_qualifier = 1;
		break;
	case IEC104_EL_LAST:
		o->aux = cur_le16(c);
		o->section = cur_u8(c);
		o->qualifier = cur_u8(c);
		o->checksum = cur_u8(c);
		o->has_qualifier = 1;
		break;
	case IEC104_EL_SEGMENT:
		o->aux = cur_le16(c);
		o->section = cur_u8(c);
		o->length = cur_u8(c);
		cur_skip(c, o->length);         /* the segment's octets */
		break;
	case IEC104_EL_DIRECTORY:
		o->aux = cur_le16(c);
		o->length = cur_le24(c);
		o->qualifier = cur_u8(c);       /* SOF */
		o->has_qualifier = 1;
		break;
	case IEC104_EL_QUERY_LOG:
		o->aux = cur_le16(c);
		read_time(c, 7, &o->time);
		read_time(c, 7, &o->time2);
		o->time_len = 7;
		break;
	default:
		break;
	}
	/* the QOS / QPM octet after a set point or parameter value */
	if (t->layout == IEC104_EL_NVA_QDS || t->layout == IEC104_EL_SVA_QDS ||
	    t->layout == IEC104_EL_FLT_QDS) {
		o->quality = cur_u8(c);
		o->has_quality = 1;
	} else if (t->layout == IEC104_EL_NVA_QOS || t->layout == IEC104_EL_SVA_QOS ||
		   t->layout == IEC104_EL_FLT_QOS || t->layout == IEC104_EL_NVA_QPM ||
		   t->layout == IEC104_EL_SVA_QPM || t->layout == IEC104_EL_FLT_QPM) {
		o->qualifier = cur_u8(c);
		o->has_qualifier = 1;
	}
	if (t->time) {
		read_time(c, t->time, &o->time);
		o->time_len = t->time;
	}
}

static void decode_asdu(struct cursor *c, struct iec104_asdu *s, struct iec104_problem *pr)
{
	const struct iec104_type *t;
	uint8_t vsq, cot;
	uint32_t first = 0;
	unsigned i;

	s->header_len = (uint8_t)(c->len < IEC104_ASDU_HEADER ? c->len : IEC104_ASDU_HEADER);
	s->type_id = cur_u8(c);
	vsq = cur_u8(c);
	cot = cur_u8(c);
	s->originator = cur_u8(c);
	s->ca = cur_le16(c);
	s->sq = vsq >> 7;
	s->count = vsq & 0x7f;
	s->cause = cot & IEC104_COT_CAUSE;
	s->negative = (cot & IEC104_COT_NEGATIVE) != 0;
	s->test = (cot & IEC104_COT_TEST) != 0;
	if (!cur_ok(c)) {
		problem(pr, "asdu_length", "ASDU header of %u octets", s->header_len);
		return;
	}
	t = s->type = iec104_type_info(s->type_id);
	if (!t) {
		problem(pr, "unknown_type", "type identification %u", s->type_id);
		return;
	}
	if (s->count == 0) {
		problem(pr, "asdu_length", "%s with no information object",
			iec104_type_name(t->id));
		return;
	}
	for (i = 0; i < s->count; i++) {
		struct iec104_object *o = &s->obj[s->n_objects];
		size_t at = cur_pos(c);

		memset(o, 0, sizeof(*o));
		if (s->sq && i > 0) {
			o->ioa = (first + i) & 0xffffff;
		} else {
			o->ioa = cur_le24(c);
			first = o->ioa;
		}
		read_element(c, t, o);
		if (!cur_ok(c)) {
			problem(pr, "asdu_length",
				"%s: %u objects announced, object %u cut at octet %zu of %zu",
				iec104_type_name(t->id), s->count, i + 1, at + IEC104_ASDU_HEADER,
				c->len + IEC104_ASDU_HEADER);
			return;
		}
		s->n_objects++;
	}
	if (cur_left(c) > 0) {
		problem(pr, "asdu_length", "%s: %zu octets after %u objects",
			iec104_type_name(t->id), cur_left(c), s->count);
		return;
	}
	s->complete = 1;
}

int iec104_decode(const uint8_t *p, size_t len, struct iec104_apdu *a,
		  struct iec104_problem *pr)
{
	struct cursor c, asdu;
	uint8_t start, c1, c2, c3, c4, fn;

	memset(a, 0, offsetof(struct iec104_apdu, asdu));
	memset(&a->asdu, 0, offsetof(struct iec104_asdu, obj));
	if (pr) {
		pr->reason = NULL;
		pr->detail[0] = '\0';
	}
	cur_init(&c, p, len);
	start = cur_u8(&c);
	a->length = cur_u8(&c);
	c1 = cur_u8(&c);
	c2 = cur_u8(&c);
	c3 = cur_u8(&c);
	c4 = cur_u8(&c);
	if (!cur_ok(&c) || start != IEC104_START || a->length < IEC104_MIN_LEN ||
	    a->length > IEC104_MAX_LEN || (size_t)a->length + 2 != len)
		return -1;
	if ((c1 & 1) == 0) {
		a->format = IEC104_I;
		a->send_seq = (uint16_t)((c1 >> 1) | (c2 << 7));
		a->recv_seq = (uint16_t)((c3 >> 1) | (c4 << 7));
		if (c3 & 1)
			problem(pr, "bad_control", "I-format receive field with bit 0 set");
		asdu = cur_sub(&c, cur_left(&c));
		decode_asdu(&asdu, &a->asdu, pr);
		return 0;
	}
	if ((c1 & 3) == 1) {
		a->format = IEC104_S;
		a->recv_seq = (uint16_t)((c3 >> 1) | (c4 << 7));
		if ((c1 & 0xfc) || c2 || (c3 & 1))
			problem(pr, "bad_control", "S-format control %02x %02x %02x %02x",
				c1, c2, c3, c4);
	} else {
		a->format = IEC104_U;
		fn = c1 & 0xfc;
		a->u_func = fn;
		if (!fn || (fn & (fn - 1)))
			problem(pr, "bad_u_function", "U-format function bits %02x", fn >> 2);
		else if (c2 || c3 || c4)
			problem(pr, "bad_control", "U-format control %02x %02x %02x %02x",
				c1, c2, c3, c4);
	}
	if (cur_left(&c) > 0)
		problem(pr, "bad_length", "%s-format APDU with %zu octets after the control field",
			iec104_format_name(a->format), cur_left(&c));
	return 0;
}

/* ---- sequence tracking ---------------------------------------------- */

static uint16_t seq_sub(uint16_t a, uint16_t b)
{
	return (uint16_t)((a - b) & (IEC104_SEQ_MOD - 1));
}

static void seq_shift(struct iec104_seq *q, unsigned n)
{
	q->seen = n >= IEC104_SEQ_WINDOW ? 0 : q->seen << n;
}

/* An I-frame's N(S) in direction q. */
static void seq_send(struct iec104_state *st, struct dissect_ctx *ctx,
		     struct iec104_seq *q, uint16_t ns)
{
	uint16_t ahead, back;

	if (!q->synced) {
		q->synced = 1;
		q->next = (ns + 1) & (IEC104_SEQ_MOD - 1);
		q->seen = 1;
		return;
	}
	ahead = seq_sub(ns, q->next);
	if (ahead == 0) {
		seq_shift(q, 1);
		q->seen |= 1;
		q->next = (ns + 1) & (IEC104_SEQ_MOD - 1);
		return;
	}
	if (ahead < IEC104_SEQ_HALF) {
		st->cnt.seq_gaps++;
		ot_anomaly(ctx, OT_PROTO_IEC104, "sequence_gap",
			   "I-frame N(S) %u, expected %u (%u missing)", ns, q->next, ahead);
		seq_shift(q, ahead + 1u);
		q->seen |= 1;
		q->next = (ns + 1) & (IEC104_SEQ_MOD - 1);
		return;
	}
	back = seq_sub(q->next, ns) - 1;        /* 0: the last one received */
	if (back < IEC104_SEQ_WINDOW && (q->seen >> back) & 1) {
		st->cnt.seq_duplicates++;
		ot_anomaly(ctx, OT_PROTO_IEC104, "sequence_duplicate",
			   "I-frame N(S) %u received again (expected %u)", ns, q->next);
		return;
	}
	if (back < IEC104_SEQ_WINDOW)
		q->seen |= 1ull << back;
	st->cnt.seq_out_of_order++;
	ot_anomaly(ctx, OT_PROTO_IEC104, "sequence_out_of_order",
		   "I-frame N(S) %u after %u", ns, (q->next - 1) & (IEC104_SEQ_MOD - 1));
}

/* An I- or S-frame's N(R): acknowledges the other direction's frames. */
static void seq_recv(struct iec104_state *st, struct dissect_ctx *ctx,
		     const struct iec104_seq *peer, uint16_t nr)
{
	uint16_t ahead;

	if (!peer->synced)
		return;
	ahead = seq_sub(nr, peer->next);
	if (ahead == 0 || ahead >= IEC104_SEQ_HALF)
		return;
	st->cnt.seq_ack_ahead++;
	ot_anomaly(ctx, OT_PROTO_IEC104, "ack_ahead",
		   "N(R) %u acknowledges %u frames never sent (next N(S) %u)",
		   nr, ahead, peer->next);
}

/* ---- the event ------------------------------------------------------ */

/* Causes carried by commands and requests; the rest answer or report. */
static enum ot_dir cause_dir(const struct iec104_asdu *s, int from_client)
{
	switch (s->cause) {
	case 5: case 6: case 8:
		return OT_DIR_REQUEST;
	case 1: case 2: case 3: case 4: case 11: case 12:
		return OT_DIR_UNSOLICITED;
	case 7: case 9: case 10: case 44: case 45: case 46: case 47:
		return OT_DIR_RESPONSE;
	default:
		if (s->cause >= 20 && s->cause <= 41)
			return OT_DIR_RESPONSE;
		return from_client ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
	}
}

/* Analog layouts: their values are judged by range downstream. */
static int layout_is_analog(int layout)
{
	switch (layout) {
	case IEC104_EL_VTI_QDS:
	case IEC104_EL_NVA_QDS: case IEC104_EL_SVA_QDS: case IEC104_EL_FLT_QDS:
	case IEC104_EL_NVA:
	case IEC104_EL_NVA_QOS: case IEC104_EL_SVA_QOS: case IEC104_EL_FLT_QOS:
	case IEC104_EL_NVA_QPM: case IEC104_EL_SVA_QPM: case IEC104_EL_FLT_QPM:
		return 1;
	default:
		return 0;
	}
}

static void fill_event(struct ot_event *ev, const struct iec104_apdu *a, int from_client)
{
	const struct iec104_asdu *s = &a->asdu;
	uint32_t start = 0, count = 0;
	unsigned i;

	ev->func = iec104_func_code(a);
	ev->func_name = ev->func >= 0 ? iec104_func_name(ev->func) : NULL;
	if (a->format == IEC104_S) {
		ev->func_name = "S";
		ev->cat = OT_CAT_SESSION;
		ev->dir = from_client ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
		return;
	}
	if (a->format == IEC104_U) {
		ev->cat = OT_CAT_SESSION;
		ev->dir = (a->u_func & (IEC104_U_STARTDT_CON | IEC104_U_STOPDT_CON |
					IEC104_U_TESTFR_CON)) ? OT_DIR_RESPONSE : OT_DIR_REQUEST;
		return;
	}
	ev->txn = a->send_seq;
	ev->cat = s->type ? (enum ot_category)s->type->cat : OT_CAT_OTHER;
	if (ev->func >= 0 && !ev->func_name)
		ev->func_name = "unknown";
	if (s->header_len < IEC104_ASDU_HEADER) {      /* cut header */
		ev->dir = from_client ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
		return;
	}
	ev->dir = cause_dir(s, from_client);
	ev->unit = s->ca;
	ev->subfunc = s->cause;
	ev->subfunc_name = iec104_cause_name(s->cause);
	if (ev->dir == OT_DIR_RESPONSE || s->negative)
		ev->status = (s->negative || s->cause >= 44) ? s->cause : 0;
	if (ev->status > 0)
		ev->status_name = ev->subfunc_name;
	for (i = 0; i < s->n_objects; i++) {
		const struct iec104_object *o = &s->obj[i];

		if (count && o->ioa == start + count) {
			count++;
		} else {
			if (count)
				ot_range_add(ev, OT_SPACE_IEC104, s->ca, 0, start, count);
			start = o->ioa;
			count = 1;
		}
		if (o->has_value && s->type && layout_is_analog(s->type->layout))
			ot_value_add(ev, OT_SPACE_IEC104, s->ca, o->ioa, o->value);
	}
	if (count)
		ot_range_add(ev, OT_SPACE_IEC104, s->ca, 0, start, count);
}

/* ---- command confirmation ----------------------------------------- */

/* Types a controlling station activates and the controlled station confirms:
 * commands and set points (45-69), system commands (100-107), parameters
 * (110-113). */
static int type_is_confirmed(int type)
{
	return (type >= 45 && type <= 69) || (type >= 100 && type <= 107) ||
	       (type >= 110 && type <= 113);
}

static double tv_diff(const struct timeval *a, const struct timeval *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_usec - b->tv_usec) / 1e6;
}

/* Commands whose confirmation is overdue at ctx->ts. */
static void pending_expire(struct iec104_state *st, struct dissect_ctx *ctx)
{
	unsigned i;

	for (i = 0; i < IEC104_MAX_PENDING; i++) {
		struct iec104_pending *q = &st->pending[i];
		double age;

		if (!q->used || (age = tv_diff(&ctx->ts, &q->ts)) <= IEC104_CONFIRM_TIMEOUT)
			continue;
		q->used = 0;
		st->cnt.commands_unconfirmed++;
		ot_anomaly(ctx, OT_PROTO_IEC104, "command_unconfirmed",
			   "%s to common address %u IOA %u not confirmed within %.0f s",
			   iec104_type_name(q->type) ? iec104_type_name(q->type) : "command",
			   q->ca, q->ioa, age);
	}
}

/* An activation (record it) or its confirmation (match it); ev gets the
 * response time of a matched confirmation. */
static void pending_note(struct iec104_state *st, struct dissect_ctx *ctx,
			 const struct iec104_asdu *s, struct ot_event *ev)
{
	uint32_t ioa = s->n_objects ? s->obj[0].ioa : 0;
	struct iec104_pending *q, *oldest = NULL;
	unsigned i;
	int refused;

	if (s->header_len < IEC104_ASDU_HEADER || !type_is_confirmed(s->type_id))
		return;
	if (s->cause == 6 && !s->negative) {            /* activation */
		st->cnt.commands++;
		for (i = 0; i < IEC104_MAX_PENDING; i++) {
			q = &st->pending[i];
			if (!q->used)
				break;
			if (!oldest || timercmp(&q->ts, &oldest->ts, <))
				oldest = q;
		}
		if (i == IEC104_MAX_PENDING) {
			st->cnt.commands_dropped++;
			q = oldest;
		}
		q->used = 1;
		q->type = s->type_id;
		q->from_client = ctx->from_client;
		q->ca = s->ca;
		q->ioa = ioa;
		q->ts = ctx->ts;
		return;
	}
	/* actcon, or the refusals 44-47 (unknown type, cause, common address,
	 * information object address) that answer an activation */
	refused = s->cause >= 44 && s->cause <= 47;
	if (s->cause != 7 && !refused)
		return;
	for (i = 0; i < IEC104_MAX_PENDING; i++) {
		q = &st->pending[i];
		if (q->used && q->from_client != ctx->from_client && q->type == s->type_id &&
		    q->ca == s->ca && q->ioa == ioa)
			break;
	}
	if (i == IEC104_MAX_PENDING) {
		st->cnt.confirms_unmatched++;
		return;
	}
	q->used = 0;
	ev->rtt = tv_diff(&ctx->ts, &q->ts);
	if (!s->negative && !refused) {
		st->cnt.commands_confirmed++;
		return;
	}
	st->cnt.commands_negative++;
	ot_anomaly(ctx, OT_PROTO_IEC104, "command_negative",
		   "%s to common address %u IOA %u refused (negative confirmation, cause %u)",
		   iec104_type_name(q->type) ? iec104_type_name(q->type) : "command", q->ca, q->ioa,
		   s->cause);
}

/* framer_pdu_fn: one whole APDU. */
static void iec104_apdu(const uint8_t *pdu, size_t len, void *ud)
{
	struct iec104_state *st = ud;
	struct dissect_ctx *ctx = st->ctx;
	struct iec104_apdu *a = &st->rec;
	struct iec104_problem pr;
	struct ot_event ev;
	int dir = ctx->from_client ? 1 : 0;

	if (iec104_decode(pdu, len, a, &pr) < 0) {
		st->cnt.bad_apci++;
		ot_anomaly(ctx, OT_PROTO_IEC104, "bad_length", "APDU of %zu octets", len);
		return;
	}
	st->cnt.apdus++;
	if (a->format == IEC104_I) {
		st->cnt.i_frames++;
		seq_send(st, ctx, &st->seq[dir], a->send_seq);
	} else if (a->format == IEC104_S) {
		st->cnt.s_frames++;
	} else {
		st->cnt.u_frames++;
	}
	if (a->format != IEC104_U)
		seq_recv(st, ctx, &st->seq[!dir], a->recv_seq);
	if (pr.reason) {
		if (strcmp(pr.reason, "unknown_type") == 0)
			st->cnt.unknown_type++;
		else if (strcmp(pr.reason, "asdu_length") == 0)
			st->cnt.asdu_malformed++;
		else
			st->cnt.bad_apci++;
		ot_anomaly(ctx, OT_PROTO_IEC104, pr.reason, "%s", pr.detail);
	}

	pending_expire(st, ctx);
	ot_event_init(&ev, ctx, OT_PROTO_IEC104, OT_EV_MESSAGE);
	fill_event(&ev, a, ctx->from_client);
	if (a->format == IEC104_I)
		pending_note(st, ctx, &a->asdu, &ev);
	a->log_max = (uint16_t)(ctx->lim->max_log_values < IEC104_MAX_OBJECTS ?
				ctx->lim->max_log_values : IEC104_MAX_OBJECTS);
	ev.record = a;
	ot_emit(ctx, &ev);
}

/* Offset of the next start octet after offset 0 (avail when none). */
static size_t next_start(const uint8_t *p, size_t avail)
{
	struct cursor c;
	uint8_t b;
	size_t i;

	cur_init(&c, p, avail);
	for (i = 1; cur_peek_u8(&c, i, &b); i++)
		if (b == IEC104_START)
			return i;
	return avail;
}

/* framer_len_fn: the APDU at p, or how far to skip to the next start. */
static long iec104_apdu_len(const uint8_t *p, size_t avail, void *ud)
{
	struct iec104_state *st = ud;
	struct cursor c;
	uint8_t b0, l;

	cur_init(&c, p, avail);
	if (!cur_peek_u8(&c, 0, &b0))
		return 0;
	if (b0 != IEC104_START)
		return -(long)next_start(p, avail);
	if (!cur_peek_u8(&c, 1, &l))
		return 0;
	if (l < IEC104_MIN_LEN || l > IEC104_MAX_LEN) {
		st->cnt.bad_apci++;
		if (st->ctx && !st->hunt_reported) {
			st->hunt_reported = 1;
			ot_anomaly(st->ctx, OT_PROTO_IEC104, "bad_length",
				   "APCI length %u outside 4..253", l);
		}
		return -(long)next_start(p, avail);
	}
	return (long)l + 2;
}

/* ---- descriptor ----------------------------------------------------- */

static enum probe_result iec104_probe(const uint8_t *data, size_t len, int from_client)
{
	struct cursor c;
	uint8_t b[12], fn;
	size_t i, n = len < sizeof(b) ? len : sizeof(b);

	(void)from_client;
	cur_init(&c, data, len);
	for (i = 0; i < n; i++)
		cur_peek_u8(&c, i, &b[i]);
	if (n >= 1 && b[0] != IEC104_START)
		return PROBE_NOT_MINE;
	if (n >= 2 && (b[1] < IEC104_MIN_LEN || b[1] > IEC104_MAX_LEN))
		return PROBE_NOT_MINE;
	if (n < IEC104_APCI_LEN)
		return PROBE_NEED_MORE;
	if ((b[2] & 1) == 0) {                  /* I: the ASDU header must make sense */
		if (b[1] < IEC104_MIN_LEN + IEC104_ASDU_HEADER || (b[4] & 1))
			return PROBE_NOT_MINE;
		if (n < IEC104_APCI_LEN + IEC104_ASDU_HEADER)
			return PROBE_NEED_MORE;
		if (!iec104_type_info(b[6]) || (b[7] & 0x7f) == 0 ||
		    !iec104_cause_name(b[8] & IEC104_COT_CAUSE))
			return PROBE_NOT_MINE;
		return PROBE_MINE;
	}
	if (b[1] != IEC104_MIN_LEN)
		return PROBE_NOT_MINE;
	if ((b[2] & 3) == 1)                    /* S */
		return b[2] == 1 && b[3] == 0 && !(b[4] & 1) ? PROBE_MINE : PROBE_NOT_MINE;
	fn = b[2] & 0xfc;                       /* U: one function, zero octets */
	if (!fn || (fn & (fn - 1)) || b[3] || b[4] || b[5])
		return PROBE_NOT_MINE;
	return PROBE_MINE;
}

static void *iec104_state_new(const struct ot_limits *lim)
{
	struct iec104_state *st = calloc(1, sizeof(*st));

	(void)lim;
	if (!st)
		return NULL;
	framer_init(&st->framer[0], IEC104_MAX_APDU);
	framer_init(&st->framer[1], IEC104_MAX_APDU);
	return st;
}

static void iec104_state_free(void *state)
{
	struct iec104_state *st = state;

	if (!st)
		return;
	framer_free(&st->framer[0]);
	framer_free(&st->framer[1]);
	free(st);
}

static void iec104_parse(struct dissect_ctx *ctx, void *state, const uint8_t *data, size_t len)
{
	struct iec104_state *st = state;
	size_t skipped;

	if (!st)
		return;
	st->ctx = ctx;
	st->hunt_reported = 0;
	skipped = framer_feed(&st->framer[ctx->from_client ? 1 : 0], data, len,
			      iec104_apdu_len, iec104_apdu, st);
	if (skipped)
		ot_anomaly(ctx, OT_PROTO_IEC104, "resync",
			   "%zu octets skipped to the next APDU start", skipped);
	st->ctx = NULL;
}

/* Lost bytes: drop the partial APDU; the direction's numbers resync. */
static void iec104_gap(struct dissect_ctx *ctx, void *state, size_t len)
{
	struct iec104_state *st = state;
	int dir = ctx->from_client ? 1 : 0;

	(void)len;
	if (!st)
		return;
	framer_reset(&st->framer[dir]);
	st->seq[dir].synced = 0;
}

const struct dissector iec104_dissector = {
	.name = "iec104",
	.proto = OT_PROTO_IEC104,
	.transports = DISSECT_TCP,
	.ports = { IEC104_PORT, 0 },
	.probe_order = 30,
	.spaces = iec104_spaces,
	.probe = iec104_probe,
	.state_new = iec104_state_new,
	.state_free = iec104_state_free,
	.parse = iec104_parse,
	.gap = iec104_gap,
	.counter_names = iec104_counter_names,
	.n_counters = sizeof(iec104_counter_names) / sizeof(iec104_counter_names[0]),
	.counters = iec104_counters_add,
	.log = iec104_log,
	.keywords = iec104_keywords,
	.names = iec104_names,
};
