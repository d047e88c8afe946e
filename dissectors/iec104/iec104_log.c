/*
 * iec104_log.c - struct iec104_apdu -> the members of the EVE "iec104"
 * object (the protocol line and the alerts that embed an APDU).
 *
 * The object holds the APCI, the ASDU header and at most the record's
 * log_max information objects ("truncated": true when more were decoded).
 * Every value name comes from iec104_names.c; otsentry-iec104(7)
 * documents the fields.
 */
#include <stdio.h>

#include "iec104.h"
#include "jw.h"


static void set_int(struct jw *w, const char *k, int64_t v)
{
	jw_int(w, k, v);
}

static void set_bool(struct jw *w, const char *k, int v)
{
	jw_bool(w, k, v);
}

static void set_str(struct jw *w, const char *k, const char *v)
{
	if (v)
		jw_string(w, k, v);
}

static void set_real(struct jw *w, const char *k, double v)
{
	jw_real(w, k, v);       /* NaN and infinities: null */
}

static void set_quality(struct jw *w, uint8_t q)
{
	const struct ot_tok *t;

	jw_array_open(w, "quality");
	for (t = iec104_quality_names; t->name; t++)
		if (q & t->code)
			jw_string(w, NULL, t->name);
	jw_array_close(w);
}

/* CP56Time2a as local calendar time (the standard leaves the zone to the
 * site), CP24Time2a as minutes and seconds. */
static void set_time(struct jw *o, const char *k, const struct iec104_time *t, int len)
{
	char buf[48];

	if (len == 7)
		snprintf(buf, sizeof(buf), "%04u-%02u-%02uT%02u:%02u:%02u.%03u",
			 2000u + t->year, t->month, t->day, t->hour, t->minute,
			 t->ms / 1000u, t->ms % 1000u);
	else
		snprintf(buf, sizeof(buf), "%02u:%02u.%03u", t->minute,
			 t->ms / 1000u, t->ms % 1000u);
	jw_string(o, k, buf);
}

static void set_time_flags(struct jw *o, const struct iec104_time *t)
{
	if (t->invalid)
		set_bool(o, "time_invalid", 1);
	if (t->summer)
		set_bool(o, "time_summer", 1);
}

/* The select/execute bit and qualifier of a command or set point. */
static void set_command(struct jw *o, uint8_t q, int qu_shift)
{
	set_bool(o, "select", q >> 7);
	set_int(o, "qualifier", (q & 0x7f) >> qu_shift);
}

static void object_log(struct jw *o, const struct iec104_type *t, const struct iec104_object *ob)
{
	jw_object_open(o, NULL);
	set_int(o, "ioa", ob->ioa);
	switch ((enum iec104_layout)t->layout) {
	case IEC104_EL_SIQ:
		set_int(o, "value", (int64_t)ob->value);
		set_quality(o, ob->quality);
		break;
	case IEC104_EL_DIQ:
		set_int(o, "value", (int64_t)ob->value);
		set_str(o, "state", iec104_dpi_name((int)ob->value));
		set_quality(o, ob->quality);
		break;
	case IEC104_EL_VTI_QDS:
		set_int(o, "value", (int64_t)ob->value);
		set_bool(o, "transient", ob->raw >> 7);
		set_quality(o, ob->quality & 0xf1);
		break;
	case IEC104_EL_BSI_QDS:
	case IEC104_EL_BSI:
		set_int(o, "value", ob->raw);
		if (ob->has_quality)
			set_quality(o, ob->quality & 0xf1);
		break;
	case IEC104_EL_NVA_QDS:
	case IEC104_EL_NVA:
	case IEC104_EL_NVA_QOS:
	case IEC104_EL_NVA_QPM:
		set_real(o, "value", ob->value);
		set_int(o, "raw", (int16_t)ob->raw);
		break;
	case IEC104_EL_SVA_QDS:
	case IEC104_EL_SVA_QOS:
	case IEC104_EL_SVA_QPM:
		set_int(o, "value", (int64_t)ob->value);
		break;
	case IEC104_EL_FLT_QDS:
	case IEC104_EL_FLT_QOS:
	case IEC104_EL_FLT_QPM:
		set_real(o, "value", ob->value);
		break;
	case IEC104_EL_BCR:
		set_int(o, "value", (int64_t)ob->value);
		set_int(o, "sequence", ob->quality & 0x1f);
		set_bool(o, "carry", (ob->quality >> 5) & 1);
		set_bool(o, "adjusted", (ob->quality >> 6) & 1);
		set_bool(o, "invalid", ob->quality >> 7);
		break;
	case IEC104_EL_SEP:
		set_int(o, "event_state", (int64_t)ob->value);
		set_int(o, "elapsed_ms", ob->aux);
		set_quality(o, ob->quality);
		break;
	case IEC104_EL_SPE_QDP:
	case IEC104_EL_OCI_QDP:
		set_int(o, t->layout == IEC104_EL_SPE_QDP ? "start_events" : "output_circuits",
			ob->checksum);
		set_int(o, "elapsed_ms", ob->aux);
		set_quality(o, ob->quality & 0xf8);
		break;
	case IEC104_EL_SCD_QDS:
		set_int(o, "status", ob->raw & 0xffff);
		set_int(o, "change", ob->aux);
		set_quality(o, ob->quality & 0xf1);
		break;
	case IEC104_EL_SCO:
		set_int(o, "value", (int64_t)ob->value);
		set_command(o, ob->qualifier, 2);
		break;
	case IEC104_EL_DCO:
		set_int(o, "value", (int64_t)ob->value);
		set_str(o, "state", iec104_dpi_name((int)ob->value));
		set_command(o, ob->qualifier, 2);
		break;
	case IEC104_EL_RCO:
		set_int(o, "value", (int64_t)ob->value);
		set_str(o, "step", iec104_rcs_name((int)ob->value));
		set_command(o, ob->qualifier, 2);
		break;
	case IEC104_EL_COI:
		set_int(o, "cause", ob->qualifier & 0x7f);
		set_bool(o, "local_change", ob->qualifier >> 7);
		break;
	case IEC104_EL_QOI:
		set_int(o, "qualifier", ob->qualifier);
		set_str(o, "qualifier_name", iec104_qoi_name(ob->qualifier));
		break;
	case IEC104_EL_QCC:
		set_int(o, "request", ob->qualifier & 0x3f);
		set_int(o, "freeze", ob->qualifier >> 6);
		break;
	case IEC104_EL_QRP:
		set_int(o, "qualifier", ob->qualifier);
		set_str(o, "qualifier_name", iec104_qrp_name(ob->qualifier));
		break;
	case IEC104_EL_QPA:
		set_int(o, "qualifier", ob->qualifier);
		break;
	case IEC104_EL_FBP:
		set_int(o, "pattern", ob->raw);
		break;
	case IEC104_EL_TSC:
		set_int(o, "counter", ob->raw);
		break;
	case IEC104_EL_CP16:
		set_int(o, "delay_ms", ob->aux);
		break;
	case IEC104_EL_FILE_READY:
	case IEC104_EL_SECTION_READY:
	case IEC104_EL_CALL:
	case IEC104_EL_LAST:
	case IEC104_EL_ACK:
	case IEC104_EL_SEGMENT:
	case IEC104_EL_DIRECTORY:
	case IEC104_EL_QUERY_LOG:
		set_int(o, "file", ob->aux);
		if (t->layout != IEC104_EL_FILE_READY && t->layout != IEC104_EL_DIRECTORY &&
		    t->layout != IEC104_EL_QUERY_LOG)
			set_int(o, "section", ob->section);
		if (t->layout == IEC104_EL_FILE_READY || t->layout == IEC104_EL_SECTION_READY ||
		    t->layout == IEC104_EL_SEGMENT || t->layout == IEC104_EL_DIRECTORY)
			set_int(o, "length", ob->length);
		if (t->layout == IEC104_EL_DIRECTORY)
			set_int(o, "status", ob->qualifier);
		else if (ob->has_qualifier)
			set_int(o, "qualifier", ob->qualifier);
		if (t->layout == IEC104_EL_LAST)
			set_int(o, "checksum", ob->checksum);
		if (t->layout == IEC104_EL_QUERY_LOG) {
			set_time(o, "start_time", &ob->time, 7);
			set_time(o, "stop_time", &ob->time2, 7);
		}
		break;
	default:
		break;
	}
	/* set points and parameters: the qualifier octet after the value */
	switch ((enum iec104_layout)t->layout) {
	case IEC104_EL_NVA_QDS: case IEC104_EL_SVA_QDS: case IEC104_EL_FLT_QDS:
		set_quality(o, ob->quality & 0xf1);
		break;
	case IEC104_EL_NVA_QOS: case IEC104_EL_SVA_QOS: case IEC104_EL_FLT_QOS:
		set_command(o, ob->qualifier, 0);
		break;
	case IEC104_EL_NVA_QPM: case IEC104_EL_SVA_QPM: case IEC104_EL_FLT_QPM:
		set_int(o, "kind", ob->qualifier & 0x3f);
		set_bool(o, "local_change", (ob->qualifier >> 6) & 1);
		set_bool(o, "not_in_operation", ob->qualifier >> 7);
		break;
	default:
		break;
	}
	if (ob->time_len && t->layout != IEC104_EL_QUERY_LOG) {
		set_time(o, "time", &ob->time, ob->time_len);
		set_time_flags(o, &ob->time);
	}
	jw_object_close(o);
}

static void asdu_log(struct jw *o, const struct iec104_asdu *s, unsigned max)
{
	unsigned i;

	jw_object_open(o, "asdu");
	/* a cut header: only the fields that arrived */
	if (s->header_len >= 1) {
		set_int(o, "type_id", s->type_id);
		set_str(o, "type", s->type ? iec104_type_name(s->type_id) : "unknown");
	}
	if (s->header_len >= 2) {
		set_bool(o, "sq", s->sq);
		set_int(o, "count", s->count);
	}
	if (s->header_len >= 3) {
		set_int(o, "cause", s->cause);
		set_str(o, "cause_name", iec104_cause_name(s->cause) ? iec104_cause_name(s->cause) : "unknown");
		set_bool(o, "negative", s->negative);
		set_bool(o, "test", s->test);
	}
	if (s->header_len >= 4)
		set_int(o, "originator", s->originator);
	if (s->header_len >= IEC104_ASDU_HEADER)
		set_int(o, "common_address", s->ca);
	if (s->type && s->header_len >= IEC104_ASDU_HEADER) {
		jw_array_open(o, "objects");
		for (i = 0; i < s->n_objects && i < max; i++)
			object_log(o, s->type, &s->obj[i]);
		jw_array_close(o);
	}
	set_bool(o, "truncated", s->n_objects > max);
	set_bool(o, "complete", s->complete);
	jw_object_close(o);
}

void iec104_log(struct jw *o, const struct ot_event *ev)
{
	const struct iec104_apdu *a = ev->record;
	const char *u;

	set_str(o, "format", iec104_format_name(a->format));
	set_int(o, "length", a->length);
	switch (a->format) {
	case IEC104_I:
		set_int(o, "send_seq", a->send_seq);
		set_int(o, "recv_seq", a->recv_seq);
		asdu_log(o, &a->asdu, a->log_max);
		break;
	case IEC104_S:
		set_int(o, "recv_seq", a->recv_seq);
		break;
	default:
		u = iec104_u_name(a->u_func);
		set_str(o, "u_function", u ? u : "invalid");
		if (!u)
			set_int(o, "u_bits", a->u_func >> 2);
		break;
	}
}
