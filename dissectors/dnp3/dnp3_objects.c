/*
 * dnp3_objects.c - DNP3 application-layer object headers and object values.
 *
 * Specification: IEEE 1815-2012 (DNP3), clause 4.2.2.7 (object headers,
 * qualifier codes), Annex A (object library: group/variation layouts),
 * clause 11 (device attributes, group 0), clause 7 (secure authentication,
 * group 120) and the file-transfer objects of group 70.
 *
 * Every object byte is read through struct cursor.  Each object header is
 * decoded; object data is decoded when the message carries data (responses,
 * write, select/operate, freeze at time, file and authentication requests).
 * An object whose size cannot be known (unknown group/variation without a
 * size prefix) ends decoding of the message with the anomaly
 * "unknown_object": the bytes after it cannot be interpreted.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dnp3.h"
#include "jw.h"

/* How the data of one object is laid out. */
enum obj_kind {
	K_NONE = 1,     /* no data (class objects, requests for "any") */
	K_BITS,         /* packed: 1 or 2 bits per point */
	K_NUM,          /* [flags|status] [value] [time] [status] */
	K_CROB,         /* control relay output block / pattern control block */
	K_TIME,         /* group 50, 51: absolute time (+ interval) */
	K_RAW,          /* fixed size, shown as hex */
	K_OCTETS,       /* size = variation (groups 110 to 113) */
	K_ATTR,         /* device attribute: type, length, value */
	K_FILE,         /* group 70: needs a size prefix */
	K_AUTH,         /* group 120: needs a size prefix (v3, v4 fixed) */
	K_FREE          /* other free-format objects: need a size prefix */
};

enum val_type { V_NONE = 0, V_U8, V_U16, V_U32, V_S16, V_S32, V_F32, V_F64 };

/* lead octet of K_NUM objects */
#define LEAD_NONE   0
#define LEAD_FLAGS  1
#define LEAD_STATUS 2   /* command status (groups 13, 43) */
/* time field of K_NUM objects */
#define TIME_NONE   0
#define TIME_ABS    1   /* 48-bit milliseconds since 1970 */
#define TIME_REL    2   /* 16-bit milliseconds relative to a CTO */

struct obj_spec {
	uint8_t group;
	uint8_t var;
	uint8_t kind;       /* enum obj_kind */
	uint8_t vtype;      /* enum val_type */
	uint8_t lead;
	uint8_t time;
	uint8_t trail;      /* 1: status octet after the value (group 41) */
	uint8_t state;      /* 1: binary state in flag bit 7; 2: double-bit bits 6-7 */
	uint8_t size;       /* K_BITS: bits per point; K_RAW/K_TIME: bytes */
};

#define NUM(g, v, lead, vt, tm, tr, st) { g, v, K_NUM, vt, lead, tm, tr, st, 0 }
#define BIN(g, v, tm, st)   NUM(g, v, LEAD_FLAGS, V_NONE, tm, 0, st)
#define FV(g, v, vt)        NUM(g, v, LEAD_FLAGS, vt, TIME_NONE, 0, 0)
#define FVT(g, v, vt)       NUM(g, v, LEAD_FLAGS, vt, TIME_ABS, 0, 0)
#define NV(g, v, vt)        NUM(g, v, LEAD_NONE, vt, TIME_NONE, 0, 0)
#define SV(g, v, vt)        NUM(g, v, LEAD_STATUS, vt, TIME_NONE, 0, 0)
#define SVT(g, v, vt)       NUM(g, v, LEAD_STATUS, vt, TIME_ABS, 0, 0)
#define VS(g, v, vt)        NUM(g, v, LEAD_NONE, vt, TIME_NONE, 1, 0)
#define OTHER(g, v, k, sz)  { g, v, k, V_NONE, 0, 0, 0, 0, sz }

/* IEEE 1815-2012 Annex A: the groups and variations decoded here. */
static const struct obj_spec obj_specs[] = {
	OTHER(1, 1, K_BITS, 1), BIN(1, 2, TIME_NONE, 1),
	BIN(2, 1, TIME_NONE, 1), BIN(2, 2, TIME_ABS, 1), BIN(2, 3, TIME_REL, 1),
	OTHER(3, 1, K_BITS, 2), BIN(3, 2, TIME_NONE, 2),
	BIN(4, 1, TIME_NONE, 2), BIN(4, 2, TIME_ABS, 2), BIN(4, 3, TIME_REL, 2),
	OTHER(10, 1, K_BITS, 1), BIN(10, 2, TIME_NONE, 1),
	BIN(11, 1, TIME_NONE, 1), BIN(11, 2, TIME_ABS, 1),
	OTHER(12, 1, K_CROB, 11), OTHER(12, 2, K_CROB, 11), OTHER(12, 3, K_BITS, 1),
	BIN(13, 1, TIME_NONE, 1), BIN(13, 2, TIME_ABS, 1),
	FV(20, 1, V_U32), FV(20, 2, V_U16), FV(20, 3, V_U32), FV(20, 4, V_U16),
	NV(20, 5, V_U32), NV(20, 6, V_U16), NV(20, 7, V_U32), NV(20, 8, V_U16),
	FV(21, 1, V_U32), FV(21, 2, V_U16), FV(21, 3, V_U32), FV(21, 4, V_U16),
	FVT(21, 5, V_U32), FVT(21, 6, V_U16), FVT(21, 7, V_U32), FVT(21, 8, V_U16),
	NV(21, 9, V_U32), NV(21, 10, V_U16), NV(21, 11, V_U32), NV(21, 12, V_U16),
	FV(22, 1, V_U32), FV(22, 2, V_U16), FV(22, 3, V_U32), FV(22, 4, V_U16),
	FVT(22, 5, V_U32), FVT(22, 6, V_U16), FVT(22, 7, V_U32), FVT(22, 8, V_U16),
	FV(23, 1, V_U32), FV(23, 2, V_U16), FV(23, 3, V_U32), FV(23, 4, V_U16),
	FVT(23, 5, V_U32), FVT(23, 6, V_U16), FVT(23, 7, V_U32), FVT(23, 8, V_U16),
	FV(30, 1, V_S32), FV(30, 2, V_S16), NV(30, 3, V_S32), NV(30, 4, V_S16),
	FV(30, 5, V_F32), FV(30, 6, V_F64),
	FV(31, 1, V_S32), FV(31, 2, V_S16), FVT(31, 3, V_S32), FVT(31, 4, V_S16),
	NV(31, 5, V_S32), NV(31, 6, V_S16), FV(31, 7, V_F32), FV(31, 8, V_F64),
	FV(32, 1, V_S32), FV(32, 2, V_S16), FVT(32, 3, V_S32), FVT(32, 4, V_S16),
	FV(32, 5, V_F32), FV(32, 6, V_F64), FVT(32, 7, V_F32), FVT(32, 8, V_F64),
	FV(33, 1, V_S32), FV(33, 2, V_S16), FVT(33, 3, V_S32), FVT(33, 4, V_S16),
	FV(33, 5, V_F32), FV(33, 6, V_F64), FVT(33, 7, V_F32), FVT(33, 8, V_F64),
	NV(34, 1, V_U16), NV(34, 2, V_U32), NV(34, 3, V_F32),
	FV(40, 1, V_S32), FV(40, 2, V_S16), FV(40, 3, V_F32), FV(40, 4, V_F64),
	VS(41, 1, V_S32), VS(41, 2, V_S16), VS(41, 3, V_F32), VS(41, 4, V_F64),
	FV(42, 1, V_S32), FV(42, 2, V_S16), FVT(42, 3, V_S32), FVT(42, 4, V_S16),
	FV(42, 5, V_F32), FV(42, 6, V_F64), FVT(42, 7, V_F32), FVT(42, 8, V_F64),
	SV(43, 1, V_S32), SV(43, 2, V_S16), SVT(43, 3, V_S32), SVT(43, 4, V_S16),
	SV(43, 5, V_F32), SV(43, 6, V_F64), SVT(43, 7, V_F32), SVT(43, 8, V_F64),
	OTHER(50, 1, K_TIME, 6), OTHER(50, 2, K_TIME, 10), OTHER(50, 3, K_TIME, 6),
	OTHER(50, 4, K_TIME, 11),
	OTHER(51, 1, K_TIME, 6), OTHER(51, 2, K_TIME, 6),
	NV(52, 1, V_U16), NV(52, 2, V_U16),
	OTHER(60, 1, K_NONE, 0), OTHER(60, 2, K_NONE, 0), OTHER(60, 3, K_NONE, 0),
	OTHER(60, 4, K_NONE, 0),
	OTHER(80, 1, K_BITS, 1),
	OTHER(101, 1, K_RAW, 2), OTHER(101, 2, K_RAW, 4), OTHER(101, 3, K_RAW, 8),
	NV(102, 1, V_U8),
	OTHER(120, 3, K_AUTH, 6), OTHER(120, 4, K_AUTH, 2),
	OTHER(121, 1, K_RAW, 7), OTHER(122, 1, K_RAW, 7), OTHER(122, 2, K_RAW, 13),
};

#define N_OBJ_SPECS (sizeof(obj_specs) / sizeof(obj_specs[0]))
_Static_assert(N_OBJ_SPECS < 256, "object rows are indexed by a byte");

/* The rows of each group: from its first row to past its last (the rows of
 * a group need not be adjacent: other groups' rows in between are skipped by
 * the group test, so the first matching row is found as by a whole scan).
 * Built on first use; row indexes fit a byte. */
static uint8_t group_from[256], group_to[256];
static int group_rows_ready;

static void group_rows_build(void)
{
	size_t i;

	for (i = N_OBJ_SPECS; i-- > 0;) {
		uint8_t g = obj_specs[i].group;

		if (group_to[g] == 0)
			group_to[g] = (uint8_t)(i + 1);
		group_from[g] = (uint8_t)i;
	}
	group_rows_ready = 1;
}

/* Whole-group layouts: any non-zero variation.  rows_of_group: search
 * only the group's rows (else every row, as the check below compares). */
static int obj_lookup_in(uint8_t group, uint8_t var, struct obj_spec *out, int rows_of_group)
{
	size_t i = 0, end = N_OBJ_SPECS;

	if (rows_of_group) {
		if (!group_rows_ready)
			group_rows_build();
		i = group_from[group];
		end = group_to[group];
	}
	for (; i < end; i++)
		if (obj_specs[i].group == group && obj_specs[i].var == var) {
			*out = obj_specs[i];
			return 0;
		}
	memset(out, 0, sizeof(*out));
	out->group = group;
	out->var = var;
	if (var == 0)
		return -1;
	switch (group) {
	case 0:
		out->kind = K_ATTR;
		return 0;
	case 70:
		out->kind = K_FILE;
		return 0;
	case 120:
		out->kind = K_AUTH;
		return 0;
	case 110: case 111: case 112: case 113:
		out->kind = K_OCTETS;
		out->size = var;
		return 0;
	case 81: case 82: case 83: case 85: case 86: case 87: case 88: case 90:
		out->kind = K_FREE;
		return 0;
	default:
		return -1;
	}
}

static int obj_lookup(uint8_t group, uint8_t var, struct obj_spec *out)
{
	return obj_lookup_in(group, var, out, 1);
}

size_t dnp3_obj_lookup_mismatches(void)
{
	struct obj_spec a, b;
	size_t bad = 0;
	unsigned g, v;

	for (g = 0; g < 256; g++)
		for (v = 0; v < 256; v++) {
			int ra = obj_lookup_in((uint8_t)g, (uint8_t)v, &a, 1);
			int rb = obj_lookup_in((uint8_t)g, (uint8_t)v, &b, 0);

			if (ra != rb || memcmp(&a, &b, sizeof(a)) != 0)
				bad++;
		}
	return bad;
}

static size_t vtype_size(uint8_t vt)
{
	static const uint8_t sz[] = { 0, 1, 2, 4, 2, 4, 4, 8 };
	return vt < sizeof(sz) ? sz[vt] : 0;
}

/* Bytes of one object of a fixed-size kind, 0 when not fixed. */
static size_t obj_fixed_size(const struct obj_spec *s)
{
	switch (s->kind) {
	case K_NUM:
		return (s->lead ? 1 : 0) + vtype_size(s->vtype) +
		       (s->time == TIME_ABS ? 6 : s->time == TIME_REL ? 2 : 0) +
		       (s->trail ? 1 : 0);
	case K_CROB: case K_TIME: case K_RAW: case K_OCTETS: case K_AUTH:
		return s->size;
	default:
		return 0;
	}
}

/* Group 0 attribute variations (IEEE 1815-2012 11.9.5, table 11-19). */
static const struct ot_tok attr_names[] = {
	{ 196, "configuration_id" }, { 197, "configuration_version" },
	{ 198, "configuration_build_date" }, { 199, "configuration_change_date" },
	{ 200, "configuration_signature" }, { 201, "configuration_signature_algorithm" },
	{ 202, "master_resource_id" }, { 203, "altitude" }, { 204, "longitude" },
	{ 205, "latitude" }, { 206, "secondary_operator_name" },
	{ 207, "primary_operator_name" }, { 208, "system_name" },
	{ 209, "secure_authentication_version" }, { 210, "security_statistics_count" },
	{ 211, "user_specific_attributes" }, { 212, "master_data_set_prototypes" },
	{ 213, "outstation_data_set_prototypes" }, { 214, "master_data_sets" },
	{ 215, "outstation_data_sets" }, { 216, "max_binary_outputs_per_request" },
	{ 217, "local_timing_accuracy" }, { 218, "timing_accuracy_duration" },
	{ 219, "analog_output_events" }, { 220, "max_analog_output_index" },
	{ 221, "analog_outputs" }, { 222, "binary_output_events" },
	{ 223, "max_binary_output_index" }, { 224, "binary_outputs" },
	{ 225, "frozen_counter_events" }, { 226, "frozen_counters" },
	{ 227, "counter_events" }, { 228, "max_counter_index" }, { 229, "counters" },
	{ 230, "frozen_analog_inputs" }, { 231, "analog_input_events" },
	{ 232, "max_analog_input_index" }, { 233, "analog_inputs" },
	{ 234, "double_bit_input_events" }, { 235, "max_double_bit_input_index" },
	{ 236, "double_bit_inputs" }, { 237, "binary_input_events" },
	{ 238, "max_binary_input_index" }, { 239, "binary_inputs" },
	{ 240, "max_transmit_fragment_size" }, { 241, "max_receive_fragment_size" },
	{ 242, "software_version" }, { 243, "hardware_version" }, { 244, "owner_name" },
	{ 245, "location" }, { 246, "device_id" }, { 247, "device_name" },
	{ 248, "serial_number" }, { 249, "subset_and_conformance" },
	{ 250, "product_name_and_model" }, { 252, "manufacturer_name" },
	{ 254, "all_attributes" }, { 255, "attribute_list" },
	{ 0, NULL }
};

/* Which group 0 attributes describe the device for the inventory. */
static const struct {
	uint8_t var;
	uint8_t key;            /* enum ot_ident_key */
} attr_ident[] = {
	{ 242, OT_ID_FIRMWARE }, { 243, OT_ID_HARDWARE }, { 245, OT_ID_PLANT },
	{ 247, OT_ID_NAME }, { 248, OT_ID_SERIAL }, { 250, OT_ID_MODEL },
	{ 252, OT_ID_VENDOR },
};

static int attr_ident_key(uint8_t var)
{
	size_t i;

	for (i = 0; i < sizeof(attr_ident) / sizeof(attr_ident[0]); i++)
		if (attr_ident[i].var == var)
			return attr_ident[i].key;
	return -1;
}

/* CROB operation type, trip/close code and command status (A.8.1, A.3). */
static const struct ot_tok crob_op_names[] = {
	{ 0, "nul" }, { 1, "pulse_on" }, { 2, "pulse_off" }, { 3, "latch_on" },
	{ 4, "latch_off" }, { 0, NULL }
};
static const struct ot_tok crob_tcc_names[] = {
	{ 0, "nul" }, { 1, "close" }, { 2, "trip" }, { 3, "reserved" }, { 0, NULL }
};
static const struct ot_tok cmd_status_names[] = {
	{ 0, "success" }, { 1, "timeout" }, { 2, "no_select" }, { 3, "format_error" },
	{ 4, "not_supported" }, { 5, "already_active" }, { 6, "hardware_error" },
	{ 7, "local" }, { 8, "too_many_objs" }, { 9, "not_authorized" },
	{ 10, "automation_inhibit" }, { 11, "processing_limited" },
	{ 12, "out_of_range" }, { 13, "downstream_local" },
	{ 14, "already_complete" }, { 15, "blocked" }, { 16, "cancelled" },
	{ 17, "blocked_other_master" }, { 18, "downstream_fail" },
	{ 126, "non_participating" }, { 127, "undefined" }, { 0, NULL }
};
/* Group 120 variations (IEEE 1815-2012 A.45). */
static const struct ot_tok auth_names[] = {
	{ 1, "challenge" }, { 2, "reply" }, { 3, "aggressive_mode_request" },
	{ 4, "session_key_status_request" }, { 5, "session_key_status" },
	{ 6, "session_key_change" }, { 7, "error" }, { 8, "user_certificate" },
	{ 9, "mac" }, { 10, "user_status_change" }, { 11, "update_key_change_request" },
	{ 12, "update_key_change_reply" }, { 13, "update_key_change" },
	{ 14, "update_key_change_signature" }, { 15, "update_key_change_confirmation" },
	{ 0, NULL }
};
/* Group 70 variations (IEEE 1815-2012 A.37). */
static const struct ot_tok file_names[] = {
	{ 1, "file_identifier" }, { 2, "authentication" }, { 3, "file_command" },
	{ 4, "file_command_status" }, { 5, "file_transport" },
	{ 6, "file_transport_status" }, { 7, "file_descriptor" },
	{ 8, "file_specification" }, { 0, NULL }
};

/* Decoding state for one message. */
struct objs {
	struct dissect_ctx *ctx;        /* NULL when writing the log */
	const struct ot_limits *lim;
	struct ot_event *ev;
	struct dnp3_objects_result *res;
	struct jw *w;                   /* the log, or NULL */
	uint32_t logged;        /* points written to the EVE line */
	int with_data;
	int sender_is_outstation;
	/* what is open on w: the objects array, one object, its points
	 * array, one point (arrays open at their first member) */
	uint8_t objects_open, object_open, points_open, point_open;
};

/* Remaining bytes of d as hex (at most 64 shown) under key; consumes d. */
static void hex_rest(struct jw *pt, const char *key, struct cursor *d)
{
	size_t n = cur_left(d);
	const uint8_t *p;

	if (n > 64)
		n = 64;
	p = cur_bytes(d, n);
	cur_skip(d, cur_left(d));
	if (pt)
		jw_hex(pt, key, p, p ? n : 0);
}

static void set_int(struct jw *pt, const char *k, int64_t v)
{
	if (pt)
		jw_int(pt, k, v);
}

static double read_value(struct cursor *d, uint8_t vt)
{
	union { uint32_t u; float f; } f32;
	union { uint64_t u; double f; } f64;

	switch (vt) {
	case V_U8: return cur_u8(d);
	case V_U16: return cur_le16(d);
	case V_U32: return cur_le32(d);
	case V_S16: return (int16_t)cur_le16(d);
	case V_S32: return (int32_t)cur_le32(d);
	case V_F32:
		f32.u = cur_le32(d);
		return f32.f;
	case V_F64:
		f64.u = cur_leN(d, 8);
		return f64.f;
	default:
		return 0;
	}
}

static void set_value(struct jw *pt, double v, uint8_t vt)
{
	if (!pt)
		return;
	if (vt == V_F32 || vt == V_F64)
		jw_real(pt, "value", v);        /* NaN, inf: null */
	else
		jw_int(pt, "value", (int64_t)v);
}

static void set_flags(struct jw *pt, uint8_t flags)
{
	if (!pt)
		return;
	jw_int(pt, "flags", flags);
	jw_bool(pt, "online", flags & 0x01);
}

static void decode_num(struct objs *o, const struct obj_spec *s, struct cursor *d,
		       uint32_t index, struct jw *pt)
{
	uint8_t lead = 0;
	double v = 0;
	int have_value = 0;

	if (s->lead) {
		lead = cur_u8(d);
		if (s->lead == LEAD_FLAGS)
			set_flags(pt, lead);
		else if (pt) {
			jw_int(pt, "status", lead & 0x7f);
			jw_name(pt, "status_name", ot_tok_str(cmd_status_names, lead & 0x7f));
		}
	}
	if (s->state == 1) {
		v = (lead >> 7) & 1;
		have_value = 1;
		set_int(pt, "state", (int64_t)v);
	} else if (s->state == 2) {
		v = (lead >> 6) & 3;
		have_value = 1;
		set_int(pt, "state", (int64_t)v);
	}
	if (s->vtype) {
		v = read_value(d, s->vtype);
		have_value = 1;
		set_value(pt, v, s->vtype);
	}
	if (s->time == TIME_ABS)
		set_int(pt, "time", (int64_t)cur_leN(d, 6));
	else if (s->time == TIME_REL)
		set_int(pt, "relative_time", cur_le16(d));
	if (s->trail && pt) {
		uint8_t st = cur_u8(d);
		jw_int(pt, "status", st & 0x7f);
		jw_name(pt, "status_name", ot_tok_str(cmd_status_names, st & 0x7f));
	}
	if (have_value && cur_ok(d) && s->group != 52)
		ot_value_add(o->ev, OT_SPACE_DNP3, s->group, index, v);
}

static void decode_crob(struct objs *o, const struct obj_spec *s, struct cursor *d,
			uint32_t index, struct jw *pt)
{
	uint8_t code = cur_u8(d), count = cur_u8(d);
	uint32_t on = cur_le32(d), off = cur_le32(d);
	uint8_t status = cur_u8(d);

	if (!cur_ok(d))
		return;
	ot_value_add(o->ev, OT_SPACE_DNP3, s->group, index, code);
	if (!pt)
		return;
	jw_int(pt, "control_code", code);
	jw_name(pt, "op_type", ot_tok_str(crob_op_names, code & 0x0f));
	jw_bool(pt, "queue", code & 0x10);
	jw_bool(pt, "clear", code & 0x20);
	jw_name(pt, "tcc", ot_tok_str(crob_tcc_names, code >> 6));
	jw_int(pt, "count", count);
	jw_int(pt, "on_time", on);
	jw_int(pt, "off_time", off);
	jw_int(pt, "status", status & 0x7f);
	jw_name(pt, "status_name", ot_tok_str(cmd_status_names, status & 0x7f));
}

static void decode_time(const struct obj_spec *s, struct cursor *d, struct jw *pt)
{
	uint64_t t = cur_leN(d, 6);

	set_int(pt, "time", (int64_t)t);
	if (s->group == 50 && (s->var == 2 || s->var == 4))
		set_int(pt, "interval", cur_le32(d));
	if (s->group == 50 && s->var == 4)
		set_int(pt, "interval_units", cur_u8(d));
}

/* Group 0 attribute: data type, length, value (IEEE 1815-2012 11.9.5). */
static void decode_attr(struct objs *o, const struct obj_spec *s, struct cursor *d,
			struct jw *pt)
{
	uint8_t type = cur_u8(d), len = cur_u8(d);
	const uint8_t *v = cur_bytes(d, len);
	struct cursor vc;
	int key;

	if (!v)
		return;
	set_int(pt, "attribute", s->var);
	if (pt)
		jw_name(pt, "name", ot_tok_str(attr_names, s->var));
	set_int(pt, "data_type", type);
	cur_init(&vc, v, len);
	if (type == 1) {                    /* VSTR */
		if (pt)
			jw_bytes(pt, "value", v, len);
		key = attr_ident_key(s->var);
		if (key >= 0 && o->sender_is_outstation)
			ot_ident_add(o->ev, (enum ot_ident_key)key, v, len);
	} else if ((type == 2 || type == 3) && len >= 1 && len <= 8) {
		uint64_t u = cur_leN(&vc, len);
		if (type == 3 && len < 8 && (u >> (8 * len - 1)) & 1)
			u |= ~0ULL << (8 * len);
		set_int(pt, "value", (int64_t)u);
	} else if (type == 4 && (len == 4 || len == 8)) {
		double f = read_value(&vc, len == 4 ? V_F32 : V_F64);
		if (pt)
			jw_real(pt, "value", f);
	} else if (pt) {
		hex_rest(pt, "value", &vc);
	}
}

/* Group 70 file objects (IEEE 1815-2012 A.37): the identifying fields. */
static void decode_file(const struct obj_spec *s, struct cursor *d, struct jw *pt)
{
	size_t name_off, name_len;

	if (!pt)
		return;
	jw_name(pt, "type", ot_tok_str(file_names, s->var));
	switch (s->var) {
	case 3:     /* file command: name offset, size, created, perms, key, size, mode, block, req */
	case 7:     /* file descriptor: name offset, size, type, size, created, perms, req */
		name_off = cur_le16(d);
		name_len = cur_le16(d);
		if (s->var == 3) {
			cur_skip(d, 6 + 2 + 4);
			set_int(pt, "file_size", cur_le32(d));
			set_int(pt, "mode", cur_le16(d));
			set_int(pt, "max_block_size", cur_le16(d));
		} else {
			set_int(pt, "file_type", cur_le16(d));
			set_int(pt, "file_size", cur_le32(d));
			cur_skip(d, 6 + 2);
		}
		set_int(pt, "request_id", cur_le16(d));
		/* the name follows the fixed fields (offset name_off) */
		if (cur_ok(d) && name_off >= cur_pos(d) && name_off - cur_pos(d) <= cur_left(d)) {
			cur_skip(d, name_off - cur_pos(d));
			if (name_len > cur_left(d))
				name_len = cur_left(d);
			jw_bytes(pt, "file_name", cur_bytes(d, name_len), name_len);
		}
		break;
	case 4:     /* command status: handle, size, block, request id, status */
		set_int(pt, "file_handle", cur_le32(d));
		set_int(pt, "file_size", cur_le32(d));
		set_int(pt, "max_block_size", cur_le16(d));
		set_int(pt, "request_id", cur_le16(d));
		set_int(pt, "status", cur_u8(d));
		break;
	case 5:     /* transport: handle, block (bit 31: last), data */
	case 6:     /* transport status: handle, block, status */
		set_int(pt, "file_handle", cur_le32(d));
		{
			uint32_t blk = cur_le32(d);
			set_int(pt, "block", blk & 0x7fffffffu);
			jw_bool(pt, "last", blk >> 31);
		}
		if (s->var == 6)
			set_int(pt, "status", cur_u8(d));
		else
			set_int(pt, "data_size", (int64_t)cur_left(d));
		break;
	case 8:
		jw_bytes(pt, "file_name", cur_ptr(d), cur_left(d));
		break;
	default:
		break;
	}
	cur_skip(d, cur_left(d));
}

/* Group 120 secure authentication objects (IEEE 1815-2012 A.45). */
static void decode_auth(const struct obj_spec *s, struct cursor *d, struct jw *pt)
{
	if (!pt)
		return;
	jw_name(pt, "type", ot_tok_str(auth_names, s->var));
	switch (s->var) {
	case 1:     /* challenge: CSQ, USR, MAL, reason, data */
		set_int(pt, "csq", cur_le32(d));
		set_int(pt, "user", cur_le16(d));
		set_int(pt, "mac_algorithm", cur_u8(d));
		set_int(pt, "reason", cur_u8(d));
		break;
	case 2:     /* reply: CSQ, USR, MAC */
	case 3:     /* aggressive mode request: CSQ, USR */
		set_int(pt, "csq", cur_le32(d));
		set_int(pt, "user", cur_le16(d));
		break;
	case 4:     /* session key status request: USR */
		set_int(pt, "user", cur_le16(d));
		break;
	case 5:     /* key status: KSQ, USR, key wrap alg, key status, MAL, ... */
		set_int(pt, "ksq", cur_le32(d));
		set_int(pt, "user", cur_le16(d));
		set_int(pt, "key_wrap_algorithm", cur_u8(d));
		set_int(pt, "key_status", cur_u8(d));
		set_int(pt, "mac_algorithm", cur_u8(d));
		break;
	case 6:     /* key change: KSQ, USR, wrapped keys */
		set_int(pt, "ksq", cur_le32(d));
		set_int(pt, "user", cur_le16(d));
		break;
	case 7:     /* error: CSQ, USR, association id, error code, time */
		set_int(pt, "csq", cur_le32(d));
		set_int(pt, "user", cur_le16(d));
		set_int(pt, "association", cur_le16(d));
		set_int(pt, "error_code", cur_u8(d));
		set_int(pt, "time", (int64_t)cur_leN(d, 6));
		break;
	default:
		break;
	}
	set_int(pt, "data_size", (int64_t)cur_left(d));
	cur_skip(d, cur_left(d));
}

/* One object's data in d (exactly its bytes when sized). */
static void decode_object(struct objs *o, const struct obj_spec *s, struct cursor *d,
			  uint32_t index, struct jw *pt)
{
	switch (s->kind) {
	case K_NUM:
		decode_num(o, s, d, index, pt);
		break;
	case K_CROB:
		decode_crob(o, s, d, index, pt);
		break;
	case K_TIME:
		decode_time(s, d, pt);
		break;
	case K_ATTR:
		decode_attr(o, s, d, pt);
		break;
	case K_FILE:
		decode_file(s, d, pt);
		break;
	case K_AUTH:
		decode_auth(s, d, pt);
		break;
	case K_OCTETS:
		if (pt)
			jw_bytes(pt, "value", cur_ptr(d), cur_left(d));
		cur_skip(d, cur_left(d));
		break;
	default:
		if (pt)
			hex_rest(pt, "data", d);
		cur_skip(d, cur_left(d));
		break;
	}
}

/* Close the point written last, if any. */
static void point_end(struct objs *o)
{
	if (o->point_open) {
		jw_object_close(o->w);
		o->point_open = 0;
	}
}

/* A new point object on the log when there is room on the EVE line (its
 * "points" array opened by the first), else NULL. */
static struct jw *point_new(struct objs *o, uint32_t index, int with_index)
{
	if (!o->w || o->logged >= o->lim->max_log_values)
		return NULL;
	point_end(o);
	if (!o->points_open) {
		jw_array_open(o->w, "points");
		o->points_open = 1;
	}
	jw_object_open(o->w, NULL);
	o->point_open = 1;
	if (with_index)
		jw_int(o->w, "index", index);
	o->logged++;
	return o->w;
}

/* Close what is open on the log down to the objects array (all: 1, it too). */
static void objs_close(struct objs *o, int all)
{
	if (!o->w)
		return;
	point_end(o);
	if (o->points_open) {
		jw_array_close(o->w);
		o->points_open = 0;
	}
	if (o->object_open) {
		jw_object_close(o->w);
		o->object_open = 0;
	}
	if (all && o->objects_open) {
		jw_array_close(o->w);
		o->objects_open = 0;
	}
}

/* Packed bits: count points of bits each, from start. */
static int decode_bits(struct objs *o, const struct obj_spec *s, struct cursor *c,
		       uint32_t start, uint32_t count)
{
	uint64_t nbytes = ((uint64_t)count * s->size + 7) / 8;
	const uint8_t *b;
	uint32_t i;

	if (nbytes > cur_left(c))
		return -1;
	b = cur_bytes(c, (size_t)nbytes);
	for (i = 0; b && i < count; i++) {
		uint64_t bit = (uint64_t)i * s->size;
		unsigned v = (b[bit / 8] >> (bit % 8)) & (s->size == 2 ? 3u : 1u);
		struct jw *pt = point_new(o, start + i, 1);

		set_int(pt, "state", v);
		if (s->group != 80 && s->group != 12)
			ot_value_add(o->ev, OT_SPACE_DNP3, s->group, start + i, v);
	}
	return 0;
}

static void objs_stop(struct objs *o, const char *reason, const struct obj_spec *s,
		      const char *what)
{
	o->res->complete = 0;
	if (o->ctx)     /* reported once, when parsing (not again when logging) */
		ot_anomaly(o->ctx, OT_PROTO_DNP3, reason, "g%uv%u: %s", s->group, s->var, what);
}

/* Read a prefix of code pc (1-3 index, 4-6 size). */
static uint32_t read_prefix(struct cursor *c, uint8_t pc)
{
	switch (pc) {
	case 1: case 4: return cur_u8(c);
	case 2: case 5: return cur_le16(c);
	case 3: case 6: return cur_le32(c);
	default: return 0;
	}
}

/* The points of one object header.  0, or -1 when decoding must stop. */
static int decode_points(struct objs *o, const struct obj_spec *s, int known,
			 uint8_t pc, uint8_t rc, uint32_t start, uint32_t count,
			 struct cursor *c)
{
	int data = o->with_data && rc != 6 && s->kind != K_NONE;
	uint32_t i;

	if (!data && pc == 0)
		return 0;               /* header only: nothing follows */
	if (data && !known && (pc < 4 || pc > 6)) {
		objs_stop(o, "unknown_object", s, "unknown size");
		return -1;
	}
	if (data && s->kind == K_BITS && pc == 0) {
		if (decode_bits(o, s, c, start, count) < 0) {
			objs_stop(o, "truncated_object", s, "packed data short");
			return -1;
		}
		return 0;
	}
	if (data && (pc < 4 || pc > 6) && !obj_fixed_size(s) && s->kind != K_ATTR &&
	    s->kind != K_BITS) {
		objs_stop(o, "unknown_object", s, "variable size without size prefix");
		return -1;
	}
	for (i = 0; i < count; i++) {
		uint32_t index = (rc <= 5) ? start + i : i;
		struct cursor d;
		size_t size;
		struct jw *pt;

		if (pc >= 1 && pc <= 3)
			index = read_prefix(c, pc);
		if (!data) {
			if (pc >= 4 && pc <= 6)
				cur_skip(c, read_prefix(c, pc));
			if (!cur_ok(c)) {
				objs_stop(o, "truncated_object", s, "prefix short");
				return -1;
			}
			if (pc >= 1 && pc <= 3)
				point_new(o, index, 1);
			continue;
		}
		if (pc >= 4 && pc <= 6) {
			size = read_prefix(c, pc);
		} else if (s->kind == K_ATTR) {
			uint8_t l;
			size = cur_peek_u8(c, 1, &l) ? 2u + l : 3u;
		} else if (s->kind == K_BITS) {
			size = 1;
		} else {
			size = obj_fixed_size(s);
		}
		if (!cur_ok(c) || size > cur_left(c)) {
			objs_stop(o, "truncated_object", s, "object data short");
			return -1;
		}
		d = cur_sub(c, size);
		pt = point_new(o, index, !(pc >= 4 && pc <= 6 && rc == 0xb));
		if (pt && pc >= 4 && pc <= 6)
			jw_int(pt, "size", (int64_t)size);
		if (s->kind == K_BITS) {
			set_int(pt, "state", cur_u8(&d));
		} else if (known) {
			decode_object(o, s, &d, index, pt);
		} else if (pt) {
			hex_rest(pt, "data", &d);
		}
		if (!cur_ok(&d)) {
			objs_stop(o, "truncated_object", s, "object shorter than its layout");
			return -1;
		}
	}
	return 0;
}

/* The object headers of the fragment, until c is empty or one is bad. */
static void objs_walk(struct objs *o, struct cursor *c)
{
	const struct ot_limits *lim = o->lim;
	struct dnp3_objects_result *res = o->res;
	struct ot_event *ev = o->ev;
	int with_data = o->with_data;

	while (cur_left(c) > 0) {
		struct obj_spec s;
		uint8_t g, v, q, pc, rc;
		uint32_t start = 0, stop = 0, count = 0;
		int known, counted, halt = 0;

		g = cur_u8(c);
		v = cur_u8(c);
		q = cur_u8(c);
		known = obj_lookup(g, v, &s) == 0;
		if (!cur_ok(c)) {
			objs_stop(o, "truncated_object", &s, "object header short");
			return;
		}
		if (res->objects >= lim->max_objects) {
			objs_stop(o, "too_many_objects", &s, "object limit reached");
			return;
		}
		res->objects++;
		pc = (q >> 4) & 7;
		rc = q & 0x0f;
		switch (rc) {
		case 0: case 3:
			start = cur_u8(c);
			stop = cur_u8(c);
			break;
		case 1: case 4:
			start = cur_le16(c);
			stop = cur_le16(c);
			break;
		case 2: case 5:
			start = cur_le32(c);
			stop = cur_le32(c);
			break;
		case 6:
			break;
		case 7: case 0xb:
			count = cur_u8(c);
			break;
		case 8:
			count = cur_le16(c);
			break;
		case 9:
			count = cur_le32(c);
			break;
		default:
			objs_stop(o, "bad_qualifier", &s, "reserved range code");
			return;
		}
		if (pc == 7 || (rc == 0xb && (pc < 4 || pc > 6))) {
			objs_stop(o, "bad_qualifier", &s, "reserved prefix code");
			return;
		}
		if (!cur_ok(c)) {
			objs_stop(o, "truncated_object", &s, "range short");
			return;
		}
		if (rc <= 5) {
			if (stop < start) {
				objs_stop(o, "bad_range", &s, "stop before start");
				return;
			}
			if (stop - start == UINT32_MAX) {
				objs_stop(o, "too_many_points", &s, "range too large");
				return;
			}
			count = stop - start + 1;
		}
		if (g == 0)
			res->has_group0 = 1;
		else if (g == 50)
			res->has_time = 1;
		else if (g == 70)
			res->has_file = 1;
		else if (g == 12 || g == 41)
			res->has_crob = 1;
		ot_range_add(ev, OT_SPACE_DNP3, g, v, rc <= 5 ? start : 0, count);

		if (o->w) {
			if (!o->objects_open) {
				jw_array_open(o->w, "objects");
				o->objects_open = 1;
			}
			jw_object_open(o->w, NULL);
			o->object_open = 1;
			jw_uint(o->w, "group", g);
			jw_uint(o->w, "variation", v);
			jw_uint(o->w, "qualifier", q);
			jw_uint(o->w, "prefix_code", pc);
			jw_uint(o->w, "range_code", rc);
			jw_uint(o->w, "start", rc <= 5 ? start : 0);
			jw_uint(o->w, "stop", rc <= 5 ? stop : 0);
			jw_uint(o->w, "count", count);
		}
		/* points that are decoded one by one: with data or a prefix each */
		counted = rc != 6 && ((with_data && s.kind != K_NONE) || (pc >= 1 && pc <= 6));
		if (counted && count > lim->max_points - res->points) {
			res->points = lim->max_points;
			objs_stop(o, "too_many_points", &s, "point limit reached");
			halt = 1;
		} else {
			if (counted)
				res->points += count;
			halt = decode_points(o, &s, known, pc, rc, start, count, c) < 0;
		}
		objs_close(o, 0);
		if (halt)
			return;
	}
}

void dnp3_objects_parse(struct dissect_ctx *ctx, const struct ot_limits *lim,
			struct cursor *c, int with_data, struct ot_event *ev,
			struct jw *w, struct dnp3_objects_result *res)
{
	struct objs o;

	memset(res, 0, sizeof(*res));
	res->complete = 1;
	memset(&o, 0, sizeof(o));
	o.ctx = ctx;
	o.lim = lim;
	o.w = w;
	o.ev = ev;
	o.res = res;
	o.with_data = with_data;
	o.sender_is_outstation = ev->dir == OT_DIR_RESPONSE || ev->dir == OT_DIR_UNSOLICITED;
	objs_walk(&o, c);
	objs_close(&o, 1);
}
