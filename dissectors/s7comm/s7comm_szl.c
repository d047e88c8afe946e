/*
 * s7comm_szl.c - S7comm userdata PDUs (ROSCTR 7): function groups,
 * subfunctions, read-SZL requests and the identity carried by SZL answers.
 *
 * Userdata parameter part: head 00 01 12, length (4 or 8), method (0x11
 * request, 0x12 response), type (high nibble: 0 push, 4 request, 8 response;
 * 3/7/b the same for NC) and function group (low nibble), subfunction,
 * sequence number, and with length 8 the data unit reference, last-data-unit
 * flag and an error code.  Data part: return code, transport size, length.
 *
 * SZL (system status list) answers may be split over several userdata
 * responses; the pieces are joined (bounded by lim->max_reassembly) and the
 * identity lists are decoded when the last piece arrives:
 *   xx11  module identification: order number, hardware and firmware version
 *   xx1C  component identification: PLC name, module name, plant id,
 *         copyright, serial number, module type name ...
 *   xx24  mode transitions: the CPU mode (RUN/STOP ...)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s7comm.h"

#define UD_TYPE_PUSH     0x0
#define UD_TYPE_REQUEST  0x4
#define UD_TYPE_RESPONSE 0x8

#define GRP_MODE        0x0
#define GRP_PROG        0x1
#define GRP_CYCLIC      0x2
#define GRP_BLOCK       0x3
#define GRP_CPU         0x4
#define GRP_SECURITY    0x5
#define GRP_PBC         0x6
#define GRP_TIME        0x7
#define GRP_NC          0xf

#define SUB_READ_SZL    0x01

static const struct ot_tok group_names[] = {
	{ GRP_MODE, "mode_transition" },
	{ GRP_PROG, "programmer_commands" },
	{ GRP_CYCLIC, "cyclic_data" },
	{ GRP_BLOCK, "block_functions" },
	{ GRP_CPU, "cpu_functions" },
	{ GRP_SECURITY, "security" },
	{ GRP_PBC, "pbc_bsend_brecv" },
	{ GRP_TIME, "time_functions" },
	{ GRP_NC, "nc_programming" },
	{ 0, NULL }
};

static const struct ot_tok type_names[] = {
	{ 0x0, "push" },
	{ 0x4, "request" },
	{ 0x8, "response" },
	{ 0x3, "nc_push" },
	{ 0x7, "nc_request" },
	{ 0xb, "nc_response" },
	{ 0, NULL }
};

static const struct ot_tok prog_sub_names[] = {
	{ 0x01, "block_status" },
	{ 0x02, "variable_status" },
	{ 0x03, "output_istack" },
	{ 0x04, "output_bstack" },
	{ 0x05, "output_lstack" },
	{ 0x06, "time_measurement" },
	{ 0x07, "force_selection" },
	{ 0x08, "modify_variable" },
	{ 0x09, "force" },
	{ 0x0a, "breakpoint" },
	{ 0x0b, "exit_hold" },
	{ 0x0c, "memory_reset" },
	{ 0x0d, "disable_job" },
	{ 0x0e, "enable_job" },
	{ 0x0f, "delete_job" },
	{ 0x10, "read_job_list" },
	{ 0x11, "read_job" },
	{ 0x12, "replace_job" },
	{ 0x13, "block_status_v2" },
	{ 0x16, "flash_led" },
	{ 0, NULL }
};

static const struct ot_tok cyclic_sub_names[] = {
	{ 0x01, "cyclic_transfer" },
	{ 0x04, "unsubscribe" },
	{ 0x05, "change_driven_transfer" },
	{ 0x07, "change_driven_transfer_modify" },
	{ 0x08, "rdrec" },
	{ 0, NULL }
};

static const struct ot_tok block_sub_names[] = {
	{ 0x01, "list_blocks" },
	{ 0x02, "list_blocks_of_type" },
	{ 0x03, "get_block_info" },
	{ 0, NULL }
};

static const struct ot_tok cpu_sub_names[] = {
	{ 0x01, "read_szl" },
	{ 0x02, "message_service" },
	{ 0x03, "diagnostic_message" },
	{ 0x05, "alarm8_indication" },
	{ 0x06, "notify_indication" },
	{ 0x07, "alarm8_lock" },
	{ 0x08, "alarm8_unlock" },
	{ 0x09, "scan_indication" },
	{ 0x0b, "alarm_ack" },
	{ 0x0c, "alarm_ack_indication" },
	{ 0x0d, "alarm_lock_indication" },
	{ 0x0e, "alarm_unlock_indication" },
	{ 0x11, "alarm_sq_indication" },
	{ 0x12, "alarm_s_indication" },
	{ 0x13, "alarm_query" },
	{ 0x16, "notify8_indication" },
	{ 0, NULL }
};

static const struct ot_tok security_sub_names[] = {
	{ 0x01, "plc_password" },
	{ 0, NULL }
};

static const struct ot_tok pbc_sub_names[] = {
	{ 0x01, "bsend_brecv" },
	{ 0, NULL }
};

static const struct ot_tok time_sub_names[] = {
	{ 0x01, "read_clock" },
	{ 0x02, "set_clock" },
	{ 0x03, "read_clock_following" },
	{ 0x04, "set_clock_2" },
	{ 0, NULL }
};

/* Mode transition: the subfunction is the new mode. */
static const struct ot_tok mode_sub_names[] = {
	{ 0x00, "stop" },
	{ 0x01, "warm_restart" },
	{ 0x02, "run" },
	{ 0x03, "hot_restart" },
	{ 0x04, "hold" },
	{ 0x06, "cold_restart" },
	{ 0x09, "run_r" },
	{ 0x0b, "link_up" },
	{ 0x0c, "update" },
	{ 0, NULL }
};

static const struct ot_tok szl_list_names[] = {
	{ 0x00, "list_of_szl_ids" },
	{ 0x11, "module_identification" },
	{ 0x12, "cpu_characteristics" },
	{ 0x13, "user_memory_areas" },
	{ 0x14, "system_areas" },
	{ 0x15, "block_types" },
	{ 0x19, "module_led_status" },
	{ 0x1c, "component_identification" },
	{ 0x22, "interrupt_status" },
	{ 0x24, "modes" },
	{ 0x25, "process_image_partitions" },
	{ 0x31, "communication_capabilities" },
	{ 0x32, "communication_status" },
	{ 0x37, "ethernet_details" },
	{ 0x74, "module_led_status" },
	{ 0x91, "module_status" },
	{ 0x92, "rack_station_status" },
	{ 0x94, "rack_station_status" },
	{ 0x95, "dp_master_system" },
	{ 0x96, "module_status_profinet" },
	{ 0xa0, "diagnostic_buffer" },
	{ 0xb1, "module_diagnostic_data" },
	{ 0, NULL }
};

/* Current mode in the bzu-id byte of list xx24 (low nibble). */
static const struct ot_tok cpu_mode_names[] = {
	{ 0x1, "STOP (update)" },
	{ 0x2, "STOP (memory reset)" },
	{ 0x3, "STOP (self initialization)" },
	{ 0x4, "STOP (internal)" },
	{ 0x5, "STARTUP (complete restart)" },
	{ 0x6, "STARTUP (restart)" },
	{ 0x7, "STARTUP (hot restart)" },
	{ 0x8, "RUN" },
	{ 0x9, "RUN-R" },
	{ 0xa, "HOLD" },
	{ 0xd, "DEFECT" },
	{ 0, NULL }
};

/* Component identification (xx1C) record index -> identity key. */
struct s7_comp {
	uint16_t index;
	int key;                /* enum ot_ident_key, or -1: JSON only */
	const char *json;
};

static const struct s7_comp comp_fields[] = {
	{ 1, OT_ID_NAME, "plc_name" },
	{ 2, OT_ID_MODULE, "module_name" },
	{ 3, OT_ID_PLANT, "plant_id" },
	{ 4, OT_ID_COPYRIGHT, "copyright" },
	{ 5, OT_ID_SERIAL, "serial_number" },
	{ 7, OT_ID_MODEL, "module_type_name" },
	{ 8, -1, "memory_card_serial" },
	{ 11, -1, "location" },
	{ 0, 0, NULL }
};

static const struct ot_tok *group_sub_table(int group)
{
	switch (group) {
	case GRP_MODE: return mode_sub_names;
	case GRP_PROG: return prog_sub_names;
	case GRP_CYCLIC: return cyclic_sub_names;
	case GRP_BLOCK: return block_sub_names;
	case GRP_CPU: return cpu_sub_names;
	case GRP_SECURITY: return security_sub_names;
	case GRP_PBC: return pbc_sub_names;
	case GRP_TIME: return time_sub_names;
	default: return NULL;
	}
}

/* Programmer commands that change the process or the CPU state. */
static enum ot_category prog_category(int sub)
{
	switch (sub) {
	case 0x08: return OT_CAT_WRITE;         /* modify variable */
	case 0x07: case 0x09: return OT_CAT_CONTROL;    /* force */
	case 0x0a: case 0x0b: case 0x0c: return OT_CAT_MODE; /* breakpoint, exit HOLD, memory reset */
	default: return OT_CAT_DIAGNOSTIC;
	}
}

static enum ot_category group_category(int group, int sub)
{
	switch (group) {
	case GRP_MODE: return OT_CAT_MODE;
	case GRP_PROG: return prog_category(sub);
	case GRP_CYCLIC: return OT_CAT_READ;
	case GRP_BLOCK: return OT_CAT_PROGRAM;
	case GRP_CPU: return sub == SUB_READ_SZL ? OT_CAT_IDENTITY : OT_CAT_DIAGNOSTIC;
	case GRP_SECURITY: return OT_CAT_SECURITY;
	case GRP_TIME: return OT_CAT_TIME;
	case GRP_NC: return OT_CAT_PROGRAM;
	default: return OT_CAT_OTHER;
	}
}

/* Identity value into the event and the "identity" JSON object. */
static void szl_fact(struct s7_msg *m, json_t *idj, int key, const char *jkey,
		     const uint8_t *p, size_t n)
{
	if (key >= 0)
		ot_ident_add(m->ev, (enum ot_ident_key)key, p, n);
	s7_json_text(idj, jkey, p, n);
}

static void szl_text_fact(struct s7_msg *m, json_t *idj, int key, const char *jkey,
			  const char *s)
{
	szl_fact(m, idj, key, jkey, (const uint8_t *)s, strlen(s));
}

/* xx11: index, order number (20), module type id, Ausbg, Ausbe. */
static void szl_module_ident(struct s7_msg *m, json_t *idj, struct cursor *rec)
{
	uint16_t index = cur_be16(rec);
	const uint8_t *mlfb = cur_bytes(rec, 20);
	uint16_t ausbg, ausbe;
	char v[32];

	cur_skip(rec, 2);
	ausbg = cur_be16(rec);
	ausbe = cur_be16(rec);
	if (!cur_ok(rec))
		return;
	if (index == 0x0001 || (index == 0x0006 && !json_object_get(idj, "order_number"))) {
		szl_fact(m, idj, OT_ID_ORDER_NUMBER, "order_number", mlfb, 20);
		snprintf(v, sizeof(v), "%u", ausbg);
		szl_text_fact(m, idj, OT_ID_HARDWARE, "hardware_version", v);
	} else if (index == 0x0007 && (ausbg >> 8) == 'V') {
		snprintf(v, sizeof(v), "V%u.%u.%u", ausbg & 0xff, ausbe >> 8, ausbe & 0xff);
		szl_text_fact(m, idj, OT_ID_FIRMWARE, "firmware_version", v);
	}
}

/* xx1C: index, then text. */
static void szl_component_ident(struct s7_msg *m, json_t *idj, struct cursor *rec)
{
	uint16_t index = cur_be16(rec);
	const struct s7_comp *f;

	if (!cur_ok(rec))
		return;
	for (f = comp_fields; f->json; f++)
		if (f->index == index) {
			szl_fact(m, idj, f->key, f->json, cur_ptr(rec), cur_left(rec));
			return;
		}
}

/* xx24: event id, ae, bzu-id (low nibble: the mode) ... */
static void szl_mode(struct s7_msg *m, json_t *idj, struct cursor *rec)
{
	const char *mode;
	uint8_t bzu;

	cur_skip(rec, 3);
	bzu = cur_u8(rec);
	if (!cur_ok(rec))
		return;
	mode = ot_tok_name(cpu_mode_names, bzu & 0x0f);
	if (mode)
		szl_text_fact(m, idj, OT_ID_CPU_MODE, "cpu_mode", mode);
}

/* A complete SZL answer: id, index, record length, count, records. */
static void szl_decode(struct s7_msg *m, const uint8_t *p, size_t n)
{
	struct cursor c;
	uint16_t id, index, rlen, count, i;
	json_t *idj = m->o ? json_object() : NULL;
	uint8_t had = m->ev->n_ident;

	cur_init(&c, p, n);
	id = cur_be16(&c);
	index = cur_be16(&c);
	rlen = cur_be16(&c);
	count = cur_be16(&c);
	if (!cur_ok(&c)) {
		json_decref(idj);
		return;
	}
	m->ev->szl_id = id;
	m->ev->szl_index = index;
	s7_json_int(m->o, "szl_id", id);
	s7_json_str(m->o, "szl_id_name", ot_tok_str(szl_list_names, id & 0xff));
	s7_json_int(m->o, "szl_index", index);
	s7_json_int(m->o, "szl_record_length", rlen);
	s7_json_int(m->o, "szl_record_count", count);
	for (i = 0; i < count && rlen > 0 && cur_left(&c) >= rlen; i++) {
		struct cursor rec = cur_sub(&c, rlen);

		switch (id & 0xff) {
		case 0x11: szl_module_ident(m, idj, &rec); break;
		case 0x1c: szl_component_ident(m, idj, &rec); break;
		case 0x24: if (i == 0) szl_mode(m, idj, &rec); break;
		default: break;
		}
	}
	/* xFxx lists carry only the header: record length and count, no records */
	if (i < count && rlen > 0 && (id & 0x0f00) != 0x0f00)
		ot_anomaly(m->ctx, OT_PROTO_S7COMM, "item_overrun",
			   "SZL 0x%04x: %u records of %u bytes announced, %u present",
			   id, count, rlen, i);
	if (m->ev->n_ident > had)
		ot_ident_add(m->ev, OT_ID_VENDOR, (const uint8_t *)"Siemens", 7);
	if (idj && json_object_size(idj) > 0)
		json_object_set_new(m->o, "identity", idj);
	else
		json_decref(idj);
}

static void szl_buf_reset(struct s7_state *st)
{
	st->szl_len = 0;
	st->szl_active = 0;
}

static int szl_buf_append(struct s7_msg *m, const uint8_t *p, size_t n)
{
	struct s7_state *st = m->st;

	if (st->szl_len + n > st->lim->max_reassembly) {
		st->szl_dropped++;
		ot_anomaly(m->ctx, OT_PROTO_S7COMM, "szl_reassembly_overflow",
			   "SZL answer over %u bytes dropped", st->lim->max_reassembly);
		szl_buf_reset(st);
		return -1;
	}
	if (s7_buf_append(&st->szl, &st->szl_len, &st->szl_cap, p, n) < 0) {
		szl_buf_reset(st);
		return -1;
	}
	return 0;
}

/* Read SZL: request (id, index) or answer (possibly one piece of several). */
static void ud_read_szl(struct s7_msg *m, int type, int last_unit, struct cursor *d)
{
	struct s7_state *st = m->st;

	if (type == UD_TYPE_REQUEST) {
		if (cur_left(d) >= 4) {
			m->ev->szl_id = cur_be16(d);
			m->ev->szl_index = cur_be16(d);
			s7_json_int(m->o, "szl_id", m->ev->szl_id);
			s7_json_int(m->o, "szl_index", m->ev->szl_index);
		} else if (m->out) {
			m->out->szl_followup = 1;
		}
		return;
	}
	if (type != UD_TYPE_RESPONSE)
		return;
	/* a piece continues an answer when its request asked for the next piece,
	 * or, unpaired, when an earlier piece said more follow */
	if (st->szl_active && (m->req ? m->req->szl_followup : 1)) {
		if (szl_buf_append(m, cur_ptr(d), cur_left(d)) < 0)
			return;
		s7_json_int(m->o, "szl_fragment", 1);
	} else {
		szl_buf_reset(st);
		if (szl_buf_append(m, cur_ptr(d), cur_left(d)) < 0)
			return;
		st->szl_active = 1;
	}
	if (last_unit) {
		szl_decode(m, st->szl, st->szl_len);
		szl_buf_reset(st);
	}
}

static void ud_block_functions(struct s7_msg *m, int type, int sub, struct cursor *d)
{
	json_t *arr;

	if (sub == 0x03 && type == UD_TYPE_REQUEST && cur_left(d) >= 8) {
		const uint8_t *b = cur_ptr(d);
		s7_json_text(m->o, "filename", b, 8);
		s7_block_id(m, m->o, b, 8);
		return;
	}
	if (sub == 0x02 && type == UD_TYPE_REQUEST && cur_left(d) >= 2) {
		uint8_t t[2];
		const char *n;
		cur_copy(d, t, 2);
		n = s7_block_type_name(t[1]);
		s7_json_str(m->o, "block_type", n ? n : "unknown");
		return;
	}
	if (sub == 0x01 && type == UD_TYPE_RESPONSE && m->o) {
		arr = json_array();
		while (cur_left(d) >= 4) {
			uint8_t t[2];
			const char *n;
			json_t *e = json_object();

			cur_copy(d, t, 2);
			n = s7_block_type_name(t[1]);
			s7_json_str(e, "block_type", n ? n : "unknown");
			s7_json_int(e, "count", cur_be16(d));
			json_array_append_new(arr, e);
		}
		json_object_set_new(m->o, "block_counts", arr);
	}
}

static int bcd(uint8_t b)
{
	return (b >> 4) * 10 + (b & 15);
}

/* Time functions: the 10-byte BCD clock of read-clock answers and set-clock requests. */
static void ud_time(struct s7_msg *m, int type, int sub, struct cursor *d)
{
	const uint8_t *t;
	char buf[40];

	if (!((sub == 0x01 || sub == 0x03) && type == UD_TYPE_RESPONSE) &&
	    !((sub == 0x02 || sub == 0x04) && type == UD_TYPE_REQUEST))
		return;
	t = cur_bytes(d, 10);
	if (!t || !m->o)
		return;
	/* t[0] reserved, t[1] unused century byte, t[2] two-digit year */
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03d",
		 bcd(t[2]) + (bcd(t[2]) < 90 ? 2000 : 1900), bcd(t[3]), bcd(t[4]), bcd(t[5]), bcd(t[6]),
		 bcd(t[7]), bcd(t[8]) * 10 + (t[9] >> 4));
	s7_json_str(m->o, "plc_time", buf);
}

void s7_userdata(struct s7_msg *m, struct cursor *par, struct cursor *data)
{
	struct ot_event *ev = m->ev;
	uint32_t head;
	uint8_t plen, method, tg, sub, seq, dur = 0, last = 0;
	uint16_t err = 0;
	int type, group;
	const struct ot_tok *subt;
	struct cursor d;

	head = cur_be24(par);
	plen = cur_u8(par);
	method = cur_u8(par);
	tg = cur_u8(par);
	sub = cur_u8(par);
	seq = cur_u8(par);
	if (plen >= 8 && cur_left(par) >= 4) {
		dur = cur_u8(par);
		last = cur_u8(par);
		err = cur_be16(par);
	} else {
		plen = 4;       /* mode-transition pushes: no extended fields */
	}
	if (!cur_ok(par)) {
		ot_anomaly(m->ctx, OT_PROTO_S7COMM, "bad_parameter",
			   "userdata parameter part truncated");
		ev->func_name = "userdata";
		return;
	}
	type = tg >> 4;
	group = tg & 0x0f;
	subt = group_sub_table(group);

	ev->func_name = "userdata";
	ev->group = group;
	ev->subfunc = sub;
	ev->subfunc_name = subt ? ot_tok_str(subt, sub) : "unknown";
	ev->cat = group_category(group, sub);
	if (type == UD_TYPE_PUSH || type == 0x3)
		ev->dir = OT_DIR_UNSOLICITED;
	if (err) {
		ev->status = err;
	}
	if (m->out) {
		m->out->func = sub;
		m->out->group = (int8_t)group;
	}
	s7_json_int(m->o, "parameter_head", head);
	s7_json_int(m->o, "method", method);
	s7_json_int(m->o, "type", type);
	s7_json_str(m->o, "type_name", ot_tok_str(type_names, type));
	s7_json_int(m->o, "function_group", group);
	s7_json_str(m->o, "function_group_name", ot_tok_str(group_names, group));
	s7_json_int(m->o, "subfunction_code", sub);
	s7_json_str(m->o, "subfunction_name", ev->subfunc_name);
	s7_json_int(m->o, "sequence_number", seq);
	if (plen >= 8) {
		s7_json_int(m->o, "data_unit_reference", dur);
		s7_json_int(m->o, "last_data_unit", last == 0);
		s7_json_int(m->o, "userdata_error_code", err);
	}
	if (!ot_tok_name(group_names, group))
		ot_anomaly(m->ctx, OT_PROTO_S7COMM, "unknown_function",
			   "userdata function group %u", group);

	/* data part: return code, transport size, length, payload */
	if (cur_left(data) < 4)
		return;
	{
		uint8_t rc = cur_u8(data);
		uint8_t ts = cur_u8(data);
		uint16_t len = cur_be16(data);

		s7_json_int(m->o, "return_code", rc);
		s7_json_str(m->o, "return_code_name", ot_tok_str(s7_return_code_names, rc));
		s7_json_int(m->o, "transport_size", ts);
		if (rc != 0xff && type == UD_TYPE_RESPONSE && ev->status <= 0)
			ev->status = rc;
		if (len > cur_left(data)) {
			ot_anomaly(m->ctx, OT_PROTO_S7COMM, "length_mismatch",
				   "userdata data length %u, %zu present", len, cur_left(data));
			len = (uint16_t)cur_left(data);
		}
		d = cur_sub(data, len);
	}
	switch (group) {
	case GRP_CPU:
		if (sub == SUB_READ_SZL)
			ud_read_szl(m, type, last == 0, &d);
		break;
	case GRP_BLOCK:
		ud_block_functions(m, type, sub, &d);
		break;
	case GRP_TIME:
		ud_time(m, type, sub, &d);
		break;
	case GRP_SECURITY:
		/* the (scrambled) password itself is never logged */
		s7_json_int(m->o, "password_length", (long long)cur_left(&d));
		break;
	default:
		break;
	}
}
