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

/* Component identification (xx1C) record index -> identity key. */
struct s7_comp {
	uint16_t index;
	int key;                /* enum ot_ident_key, or -1: log only */
	enum s7_ident_field field;
};

static const struct s7_comp comp_fields[] = {
	{ 1, OT_ID_NAME, S7I_PLC_NAME },
	{ 2, OT_ID_MODULE, S7I_MODULE_NAME },
	{ 3, OT_ID_PLANT, S7I_PLANT_ID },
	{ 4, OT_ID_COPYRIGHT, S7I_COPYRIGHT },
	{ 5, OT_ID_SERIAL, S7I_SERIAL },
	{ 7, OT_ID_MODEL, S7I_MODULE_TYPE },
	{ 8, -1, S7I_MEMORY_CARD_SERIAL },
	{ 11, -1, S7I_LOCATION },
	{ 0, 0, S7I_COUNT }
};

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

/* The identity member f of the record: a later value replaces an earlier
 * one in place; empty text is not kept. */
static void szl_member(struct s7comm_record *r, enum s7_ident_field f, struct s7_text t)
{
	uint8_t i;

	if (t.n == 0)
		return;
	for (i = 0; i < r->n_ident; i++)
		if (r->ident[i].field == f) {
			r->ident[i].text = t;
			return;
		}
	if (r->n_ident < S7_REC_IDENT) {
		r->ident[r->n_ident].field = (uint8_t)f;
		r->ident[r->n_ident].text = t;
		r->n_ident++;
	}
}

static int szl_has_member(const struct s7comm_record *r, enum s7_ident_field f)
{
	uint8_t i;

	for (i = 0; i < r->n_ident; i++)
		if (r->ident[i].field == f)
			return 1;
	return 0;
}

/* Identity value into the event (key >= 0) and the record. */
static void szl_fact(struct s7_msg *m, int key, enum s7_ident_field f,
		     const uint8_t *p, size_t n)
{
	if (key >= 0)
		ot_ident_add(m->ev, (enum ot_ident_key)key, p, n);
	szl_member(m->rec, f, s7_text(p, n));
}

/* xx11: index, order number (20), module type id, Ausbg, Ausbe. */
static void szl_module_ident(struct s7_msg *m, struct cursor *rec)
{
	struct s7comm_record *r = m->rec;
	uint16_t index = cur_be16(rec);
	const uint8_t *mlfb = cur_bytes(rec, 20);
	uint16_t ausbg, ausbe;

	cur_skip(rec, 2);
	ausbg = cur_be16(rec);
	ausbe = cur_be16(rec);
	if (!cur_ok(rec))
		return;
	if (index == 0x0001 || (index == 0x0006 && !szl_has_member(r, S7I_ORDER_NUMBER))) {
		szl_fact(m, OT_ID_ORDER_NUMBER, S7I_ORDER_NUMBER, mlfb, 20);
		snprintf(r->hardware_version, sizeof(r->hardware_version), "%u", ausbg);
		szl_fact(m, OT_ID_HARDWARE, S7I_HARDWARE, (const uint8_t *)r->hardware_version,
			 strlen(r->hardware_version));
	} else if (index == 0x0007 && (ausbg >> 8) == 'V') {
		snprintf(r->firmware_version, sizeof(r->firmware_version), "V%u.%u.%u",
			 ausbg & 0xff, ausbe >> 8, ausbe & 0xff);
		szl_fact(m, OT_ID_FIRMWARE, S7I_FIRMWARE, (const uint8_t *)r->firmware_version,
			 strlen(r->firmware_version));
	}
}

/* xx1C: index, then text. */
static void szl_component_ident(struct s7_msg *m, struct cursor *rec)
{
	uint16_t index = cur_be16(rec);
	const struct s7_comp *f;

	if (!cur_ok(rec))
		return;
	for (f = comp_fields; f->field != S7I_COUNT; f++)
		if (f->index == index) {
			szl_fact(m, f->key, f->field, cur_ptr(rec), cur_left(rec));
			return;
		}
}

/* xx24: event id, ae, bzu-id (low nibble: the mode) ... */
static void szl_mode(struct s7_msg *m, struct cursor *rec)
{
	const char *mode;
	uint8_t bzu;

	cur_skip(rec, 3);
	bzu = cur_u8(rec);
	if (!cur_ok(rec))
		return;
	mode = ot_tok_name(s7comm_cpu_mode_names, bzu & 0x0f);
	if (mode)
		szl_fact(m, OT_ID_CPU_MODE, S7I_CPU_MODE, (const uint8_t *)mode, strlen(mode));
}

/* A complete SZL answer: id, index, record length, count, records. */
static void szl_decode(struct s7_msg *m, const uint8_t *p, size_t n)
{
	struct s7comm_record *r = m->rec;
	struct cursor c;
	uint16_t id, index, rlen, count, i;
	uint8_t had = m->ev->n_ident;

	cur_init(&c, p, n);
	id = cur_be16(&c);
	index = cur_be16(&c);
	rlen = cur_be16(&c);
	count = cur_be16(&c);
	if (!cur_ok(&c))
		return;
	m->ev->szl_id = id;
	m->ev->szl_index = index;
	r->has |= S7H_SZL_ID | S7H_SZL_ANSWER;
	r->szl_id = id;
	r->szl_index = index;
	r->szl_rlen = rlen;
	r->szl_count = count;
	for (i = 0; i < count && rlen > 0 && cur_left(&c) >= rlen; i++) {
		struct cursor rec = cur_sub(&c, rlen);

		switch (id & 0xff) {
		case 0x11: szl_module_ident(m, &rec); break;
		case 0x1c: szl_component_ident(m, &rec); break;
		case 0x24: if (i == 0) szl_mode(m, &rec); break;
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
			m->rec->has |= S7H_SZL_ID;
			m->rec->szl_id = (uint16_t)m->ev->szl_id;
			m->rec->szl_index = (uint16_t)m->ev->szl_index;
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
		m->rec->has |= S7H_SZL_FRAGMENT;
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
	struct s7comm_record *r = m->rec;

	if (sub == 0x03 && type == UD_TYPE_REQUEST && cur_left(d) >= 8) {
		const uint8_t *b = cur_ptr(d);

		r->filename = s7_text(b, 8);
		if (r->filename.n)
			r->has |= S7H_FILENAME;
		if (s7_block_id_parse(m->ev, b, 8, &r->block) == 0)
			r->has |= S7H_BLOCK_ID;
		return;
	}
	if (sub == 0x02 && type == UD_TYPE_REQUEST && cur_left(d) >= 2) {
		uint8_t t[2];

		cur_copy(d, t, 2);
		r->has |= S7H_BLOCK_TYPE;
		r->block_type = t[1];
		return;
	}
	if (sub == 0x01 && type == UD_TYPE_RESPONSE) {
		r->has |= S7H_BLOCK_COUNTS;
		r->block_counts = cur_ptr(d);
		r->n_block_counts = cur_left(d) / 4;
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

	if (!((sub == 0x01 || sub == 0x03) && type == UD_TYPE_RESPONSE) &&
	    !((sub == 0x02 || sub == 0x04) && type == UD_TYPE_REQUEST))
		return;
	t = cur_bytes(d, 10);
	if (!t)
		return;
	/* t[0] reserved, t[1] unused century byte, t[2] two-digit year */
	snprintf(m->rec->plc_time, sizeof(m->rec->plc_time),
		 "%04d-%02d-%02dT%02d:%02d:%02d.%03d",
		 bcd(t[2]) + (bcd(t[2]) < 90 ? 2000 : 1900), bcd(t[3]), bcd(t[4]), bcd(t[5]), bcd(t[6]),
		 bcd(t[7]), bcd(t[8]) * 10 + (t[9] >> 4));
	m->rec->has |= S7H_PLC_TIME;
}

void s7_userdata(struct s7_msg *m, struct cursor *par, struct cursor *data)
{
	struct ot_event *ev = m->ev;
	struct s7comm_record *r = m->rec;
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
	subt = s7comm_group_sub_names(group);

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
	r->has |= S7H_USERDATA;
	r->ud_head = head;
	r->ud_method = method;
	r->ud_type = (uint8_t)type;
	r->ud_group = (uint8_t)group;
	r->ud_sub = sub;
	r->ud_seq = seq;
	if (plen >= 8) {
		r->has |= S7H_UD_EXTENDED;
		r->ud_dur = dur;
		r->ud_last = last;
		r->ud_error = err;
	}
	if (!ot_tok_name(s7comm_group_names, group))
		ot_anomaly(m->ctx, OT_PROTO_S7COMM, "unknown_function",
			   "userdata function group %u", group);

	/* data part: return code, transport size, length, payload */
	if (cur_left(data) < 4)
		return;
	{
		uint8_t rc = cur_u8(data);
		uint8_t ts = cur_u8(data);
		uint16_t len = cur_be16(data);

		r->has |= S7H_UD_DATA;
		r->ud_rc = rc;
		r->ud_tsize = ts;
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
		r->has |= S7H_PASSWORD;
		r->password_length = cur_left(&d);
		break;
	default:
		break;
	}
}
