/*
 * s7comm_parse.c - Siemens S7 communication over ISO-on-TCP.
 *
 * Specifications: RFC 1006 (TPKT: version 3, reserved 0, 16-bit length
 * including the 4-byte header), ISO 8073 / X.224 class 0 (COTP: CR, CC, DR,
 * DC, DT with the EOT flag, ER), and the S7comm PDU layout as publicly
 * documented (protocol id 0x32: header, parameter part, data part).
 * S7comm-plus (protocol id 0x72) is recognised and reported by its version,
 * opcode and function code only.
 *
 * Layering: parse() -> framer (TPKT) -> s7_tpdu (COTP, DT reassembly bounded
 * by lim->max_reassembly) -> s7_payload -> s7_pdu (S7comm) / s7plus_pdu.
 * Userdata PDUs and SZL identity are in s7comm_szl.c.
 *
 * Every packet byte is read through struct cursor.  Requests wait in a
 * table of lim->max_pending entries for their response (PDU reference);
 * when it is full the oldest is dropped and counted.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s7comm.h"

#define S7_PROTO_ID         0x32
#define S7PLUS_PROTO_ID     0x72
#define TPKT_VERSION        3
#define TPKT_HDR            4
#define TPKT_MIN            7       /* TPKT header + smallest COTP DT */

/* COTP TPDU codes (ISO 8073 13.1, high nibble) */
#define COTP_CR 0xe0
#define COTP_CC 0xd0
#define COTP_DR 0x80
#define COTP_DC 0xc0
#define COTP_DT 0xf0
#define COTP_ER 0x70

#define ROSCTR_JOB      S7_ROSCTR_JOB
#define ROSCTR_ACK      S7_ROSCTR_ACK
#define ROSCTR_ACK_DATA S7_ROSCTR_ACK_DATA
#define ROSCTR_USERDATA S7_ROSCTR_USERDATA

#define FN_CPU_SERVICES 0x00
#define FN_READ_VAR     0x04
#define FN_WRITE_VAR    0x05
#define FN_REQ_DOWNLOAD 0x1a
#define FN_DOWNLOAD     0x1b
#define FN_DOWNLOAD_END 0x1c
#define FN_START_UPLOAD 0x1d
#define FN_UPLOAD       0x1e
#define FN_END_UPLOAD   0x1f
#define FN_PI_SERVICE   0x28
#define FN_PLC_STOP     0x29
#define FN_SETUP_COMM   0xf0

#define SYNTAX_S7ANY    S7_SYNTAX_S7ANY

/* ---- helpers for the normalized event ---- */

/* Counters and timers are addressed by number, everything else by bit. */
static int s7_area_numbered(uint8_t area)
{
	return area == 0x1c || area == 0x1d || area == 0x1e || area == 0x1f;
}

static enum ot_category s7_func_category(uint8_t fn)
{
	switch (fn) {
	case FN_READ_VAR: return OT_CAT_READ;
	case FN_WRITE_VAR: return OT_CAT_WRITE;
	case FN_SETUP_COMM: return OT_CAT_SESSION;
	case FN_REQ_DOWNLOAD: case FN_DOWNLOAD: case FN_DOWNLOAD_END:
	case FN_START_UPLOAD: case FN_UPLOAD: case FN_END_UPLOAD:
	case FN_PI_SERVICE:
		return OT_CAT_PROGRAM;
	case FN_PLC_STOP: return OT_CAT_MODE;
	default: return OT_CAT_OTHER;
	}
}

/* ---- request/response pairing ---- */

/* n_pend is the number of used entries: the search ends once it saw them
 * all (the first match in table order is the one found either way). */
static struct s7_pending *pend_find(struct s7_state *st, uint16_t ref)
{
	uint32_t i, seen = 0;

	for (i = 0; i < st->lim->max_pending && seen < st->n_pend; i++) {
		if (!st->pend[i].used)
			continue;
		if (st->pend[i].pdu_ref == ref)
			return &st->pend[i];
		seen++;
	}
	return NULL;
}

/* *dst = *src, as far as it is ever read: the head and n_items items. */
static void pend_copy(struct s7_pending *dst, const struct s7_pending *src)
{
	memcpy(dst, src, offsetof(struct s7_pending, items) +
	       (size_t)src->n_items * sizeof(src->items[0]));
}

static void pend_put(struct s7_state *st, const struct s7_pending *p)
{
	struct s7_pending *slot = pend_find(st, p->pdu_ref);
	uint32_t i;

	if (!slot) {
		for (i = 0; i < st->lim->max_pending; i++)
			if (!st->pend[i].used) {
				slot = &st->pend[i];
				break;
			}
	}
	if (!slot) {
		/* full: drop the oldest */
		slot = &st->pend[0];
		for (i = 1; i < st->lim->max_pending; i++)
			if (timercmp(&st->pend[i].ts, &slot->ts, <))
				slot = &st->pend[i];
		st->pend_dropped++;
		if (st->pend_dropped == 1 || st->pend_dropped % 1000 == 0)
			ot_anomaly(st->ctx, OT_PROTO_S7COMM, "pending_overflow",
				   "more than %u unanswered requests; %llu dropped",
				   st->lim->max_pending,
				   (unsigned long long)st->pend_dropped);
	}
	if (!slot->used)
		st->n_pend++;
	pend_copy(slot, p);
	slot->used = 1;
}

/* ---- read/write variable ---- */

/* Item i of the record, cleared when first used (i < S7_REC_ITEMS: the
 * item count is one byte). */
static struct s7_rec_item *rec_item(struct s7comm_record *r, unsigned i)
{
	while (r->n_items <= i)
		memset(&r->items[r->n_items++], 0, sizeof(r->items[0]));
	return &r->items[i];
}

/* One item specification of a read/write request. */
static void s7_item_spec(struct s7_msg *m, struct cursor *par, unsigned idx)
{
	struct s7_rec_item *it = rec_item(m->rec, idx);
	struct cursor spec;
	uint8_t kind, slen, syntax;

	kind = cur_u8(par);
	slen = cur_u8(par);
	spec = cur_sub(par, slen);
	syntax = cur_u8(&spec);
	it->has_spec = 1;
	it->spec_type = kind;
	it->spec_len = slen;
	it->spec.syntax = syntax;
	if (syntax == SYNTAX_S7ANY && cur_left(&spec) >= 9) {
		struct s7_item x;
		enum ot_space sp;
		uint32_t count;

		x.syntax = syntax;
		x.tsize = cur_u8(&spec);
		x.count = cur_be16(&spec);
		x.db = cur_be16(&spec);
		x.area = cur_u8(&spec);
		x.addr = cur_be24(&spec);
		sp = s7_area_space(x.area);
		if (s7_area_numbered(x.area))
			count = x.count;
		else
			count = (uint32_t)x.count * s7_elem_bits(x.tsize);
		ot_range_add(m->ev, sp, sp == OT_SPACE_S7_DB || sp == OT_SPACE_S7_DI ? x.db : 0,
			     0, x.addr, count);
		if (m->out && m->out->n_items < S7_MAX_ITEMS)
			m->out->items[m->out->n_items++] = x;
		it->s7any = 1;
		it->spec = x;
	} else if (m->out && m->out->n_items < S7_MAX_ITEMS) {
		struct s7_item *x = &m->out->items[m->out->n_items++];

		memset(x, 0, sizeof(*x));
		x->syntax = syntax;
	}
	if (!cur_ok(par))
		it->truncated = 1;
}

/* Values of one data item, typed by the request item when known. */
static void s7_item_values(struct s7_msg *m, const struct s7_item *x,
			   uint8_t data_tsize, struct cursor *val)
{
	unsigned bytes = s7_value_bytes(x, data_tsize);
	unsigned bits = x ? s7_elem_bits(x->tsize) : 8;
	enum ot_space sp = x ? s7_area_space(x->area) : OT_SPACE_S7_OTHER;
	uint16_t blk = x && (sp == OT_SPACE_S7_DB || sp == OT_SPACE_S7_DI) ? x->db : 0;
	uint32_t i = 0;

	if (bytes == 0)
		return;         /* composite types: only the raw size is reported */
	while (cur_left(val) >= bytes) {
		double v = s7_value(x, data_tsize, (uint32_t)cur_beN(val, bytes));
		uint32_t index;

		if (x == NULL)
			index = i;
		else if (s7_area_numbered(x->area))
			index = x->addr + i;
		else
			index = x->addr + i * (x->tsize == 0x01 ? 1 : bits);
		if (ot_value_add(m->ev, sp, blk, index, v) < 0)
			break;  /* the event's values are full (marked truncated) */
		i++;
	}
}

/* Byte length of a data item from its transport size and length field. */
static size_t s7_data_bytes(uint8_t tsize, uint16_t len)
{
	if (tsize == 0x03 || tsize == 0x04 || tsize == 0x05)
		return ((size_t)len + 7) / 8;
	return len;
}

/* The data part of a write request or read response: n items. */
static void s7_data_items(struct s7_msg *m, struct cursor *data, unsigned n,
			  const struct s7_pending *req)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		uint8_t rc, tsize;
		uint16_t len;
		size_t nb;
		struct cursor val;
		struct s7_rec_item *it;
		const struct s7_item *x = req && i < req->n_items ? &req->items[i] : NULL;

		if (cur_left(data) < 4) {
			ot_anomaly(m->ctx, OT_PROTO_S7COMM, "item_overrun",
				   "%u data items announced, %u fit", n, i);
			return;
		}
		rc = cur_u8(data);
		tsize = cur_u8(data);
		len = cur_be16(data);
		/* in responses only a successful item carries data */
		nb = (m->ev->dir == OT_DIR_REQUEST || rc == 0xff) ? s7_data_bytes(tsize, len) : 0;
		it = rec_item(m->rec, i);
		if (m->ev->dir != OT_DIR_REQUEST) {
			it->has_rc = 1;
			it->rc = rc;
			if (rc != 0xff && (m->ev->status <= 0))
				m->ev->status = rc;
		}
		it->has_data = 1;
		it->data_tsize = tsize;
		if (nb > cur_left(data)) {
			ot_anomaly(m->ctx, OT_PROTO_S7COMM, "item_overrun",
				   "item %u: %zu data bytes announced, %zu left",
				   i, nb, cur_left(data));
			nb = cur_left(data);
		}
		val = cur_sub(data, nb);
		if (rc == 0xff || m->ev->dir == OT_DIR_REQUEST) {
			it->has_values = 1;
			it->data = cur_ptr(&val);
			it->data_len = cur_left(&val);
			it->typed = x != NULL;
			if (x)
				it->type = *x;
			s7_item_values(m, x, tsize, &val);
		}
		if ((nb & 1) && i + 1 < n && cur_left(data) > 0)
			cur_skip(data, 1);      /* fill byte */
	}
}

static void s7_read_write(struct s7_msg *m, uint8_t rosctr, uint8_t fn,
			  struct cursor *par, struct cursor *data)
{
	struct s7comm_record *r = m->rec;
	unsigned n, i;

	n = cur_u8(par);
	r->has |= S7H_ITEMS;
	r->item_count = (uint8_t)n;
	if (rosctr == ROSCTR_JOB) {
		for (i = 0; i < n; i++) {
			if (cur_left(par) < 2) {
				ot_anomaly(m->ctx, OT_PROTO_S7COMM, "item_overrun",
					   "%u items announced, %u fit in the parameters", n, i);
				break;
			}
			s7_item_spec(m, par, i);
		}
		if (fn == FN_WRITE_VAR)
			s7_data_items(m, data, n, m->out);
	} else if (rosctr == ROSCTR_ACK_DATA) {
		const struct s7_pending *req = m->req && m->req->func == fn ? m->req : NULL;

		if (fn == FN_READ_VAR) {
			s7_data_items(m, data, n, req);
		} else {
			/* write response: one return code per item */
			for (i = 0; i < n && cur_left(data) > 0; i++) {
				struct s7_rec_item *it = rec_item(r, i);
				uint8_t rc = cur_u8(data);

				if (rc != 0xff && m->ev->status <= 0)
					m->ev->status = rc;
				it->has_rc = 1;
				it->rc = rc;
			}
			if (i < n)
				ot_anomaly(m->ctx, OT_PROTO_S7COMM, "item_overrun",
					   "%u return codes announced, %u present", n, i);
		}
		if (req) {
			const struct s7_pending *q = req;
			for (i = 0; i < q->n_items; i++) {
				const struct s7_item *x = &q->items[i];
				enum ot_space sp;

				if (x->syntax != SYNTAX_S7ANY)
					continue;
				sp = s7_area_space(x->area);
				ot_range_add(m->ev, sp,
					     sp == OT_SPACE_S7_DB || sp == OT_SPACE_S7_DI ? x->db : 0, 0,
					     x->addr, s7_area_numbered(x->area) ? x->count :
					     (uint32_t)x->count * s7_elem_bits(x->tsize));
			}
		}
	}
}

/* ---- setup communication, upload/download, PI service, stop ---- */

static void s7_setup(struct s7_msg *m, struct cursor *par)
{
	struct s7comm_record *r = m->rec;

	cur_skip(par, 1);
	r->has |= S7H_SETUP;
	r->max_amq_calling = cur_be16(par);
	r->max_amq_called = cur_be16(par);
	r->pdu_size = cur_be16(par);
}

static void s7_updown(struct s7_msg *m, uint8_t rosctr, uint8_t fn,
		      struct cursor *par, struct cursor *data)
{
	struct s7comm_record *r = m->rec;

	if (cur_left(par) == 0)
		return;
	r->has |= S7H_FUNCTION_STATUS;
	r->function_status = cur_u8(par);
	if (rosctr == ROSCTR_ACK_DATA && (fn == FN_DOWNLOAD || fn == FN_UPLOAD)) {
		uint16_t len = cur_be16(data);

		cur_skip(data, 2);
		if (cur_ok(data)) {
			r->has |= S7H_BLOCKLENGTH;
			r->blocklength = len;
		}
		return;
	}
	if (cur_left(par) < 6)
		return;
	cur_skip(par, 2);
	r->has |= S7H_SESSION_ID;
	r->session_id = cur_be32(par);
	if (cur_left(par) > 0) {
		uint8_t n = cur_u8(par);
		const uint8_t *s = cur_bytes(par, n);

		if (!s)
			return;
		if (rosctr == ROSCTR_ACK_DATA && fn == FN_START_UPLOAD) {
			uint32_t bl;
			if (s7_digit_run(s, n, &bl) == 0) {
				r->has |= S7H_BLOCKLENGTH;
				r->blocklength = bl;
			}
			return;
		}
		r->filename = s7_text(s, n);
		if (r->filename.n)
			r->has |= S7H_FILENAME;
		if (s7_block_id_parse(m->ev, s, n, &r->block) == 0)
			r->has |= S7H_BLOCK_ID;
	}
	if (fn == FN_REQ_DOWNLOAD && cur_left(par) > 0) {
		uint8_t n = cur_u8(par);
		const uint8_t *s = cur_bytes(par, n);
		uint32_t v;

		/* "1" + load memory length (6 digits) + MC7 length (6 digits) */
		if (s && n >= 13 && s7_digit_run(s + 1, 6, &v) == 0) {
			r->has |= S7H_LOAD_LENGTH;
			r->load_memory_length = v;
			if (s7_digit_run(s + 7, 6, &v) == 0) {
				r->has |= S7H_MC7_LENGTH;
				r->mc7_length = v;
			}
		}
	}
}

static int s7_pi_code(const uint8_t *s, size_t n)
{
	if (n == 5 && memcmp(s, "_INSE", 5) == 0) return PI_INSERT;
	if (n == 5 && memcmp(s, "_DELE", 5) == 0) return PI_DELETE;
	if (n == 9 && memcmp(s, "P_PROGRAM", 9) == 0) return PI_PROGRAM;
	if (n == 5 && memcmp(s, "_MODU", 5) == 0) return PI_COPY_RAM_TO_ROM;
	if (n == 5 && memcmp(s, "_GARB", 5) == 0) return PI_COMPRESS;
	if (n >= 7 && memcmp(s, "_EXTMOD", 7) == 0) return PI_EXTMOD;
	if (n >= 3 && memcmp(s, "_N_", 3) == 0) return PI_NC;
	return PI_UNKNOWN;
}

static void s7_pi_service(struct s7_msg *m, uint8_t fn, struct cursor *par)
{
	struct s7comm_record *r = m->rec;
	struct cursor blk;
	const uint8_t *name;
	uint8_t n;
	int code;

	/* PLC stop: 5 unknown bytes; PI service: 7 unknown bytes, parameter block */
	if (fn == FN_PLC_STOP) {
		cur_skip(par, 5);
		cur_init(&blk, NULL, 0);
	} else {
		cur_skip(par, 7);
		blk = cur_sub(par, cur_be16(par));
	}
	n = cur_u8(par);
	name = cur_bytes(par, n);
	if (!name) {
		ot_anomaly(m->ctx, OT_PROTO_S7COMM, "bad_parameter",
			   "%s: truncated service name", ot_tok_str(s7comm_func_names, fn));
		return;
	}
	code = s7_pi_code(name, n);
	r->pi_service = s7_text(name, n);
	if (r->pi_service.n)
		r->has |= S7H_PI_SERVICE;
	if (fn == FN_PLC_STOP)
		return;
	m->ev->subfunc = code;
	m->ev->subfunc_name = ot_tok_str(s7comm_pi_names, code);
	r->has |= S7H_PI_NAME;
	r->pi = (uint8_t)code;
	if (code == PI_PROGRAM)
		m->ev->cat = OT_CAT_MODE;
	if ((code == PI_INSERT || code == PI_DELETE) && cur_left(&blk) >= 2) {
		uint8_t cnt = cur_u8(&blk);
		unsigned i;

		cur_skip(&blk, 1);
		r->has |= S7H_PI_BLOCKS;
		r->pi_blocks = cur_ptr(&blk);
		for (i = 0; i < cnt && cur_left(&blk) >= 8; i++) {
			struct s7_block_id b;

			s7_block_id_parse(m->ev, cur_bytes(&blk, 8), 8, &b);
		}
		r->n_pi_blocks = i;
	} else if (cur_left(&blk) > 0) {
		r->pi_parameter = s7_text(cur_ptr(&blk), cur_left(&blk));
		if (r->pi_parameter.n)
			r->has |= S7H_PI_PARAMETER;
	}
}

/* ---- the S7comm PDU ---- */

static void s7_set_rackslot(const struct s7_state *st, struct ot_event *ev)
{
	ev->rack = st->rack;
	ev->slot = st->slot;
}

/* The record's head cleared, up to n_items: what follows is read only as
 * far as the head says (see struct s7comm_record). */
static void s7_record_init(struct s7comm_record *r, enum s7_rec_kind kind)
{
	memset(r, 0, offsetof(struct s7comm_record, n_items));
	r->n_items = 0;
	r->kind = (uint8_t)kind;
}

static void s7_job_ackdata(struct s7_msg *m, uint8_t rosctr, struct cursor *par,
			   struct cursor *data)
{
	uint8_t fn;

	if (cur_left(par) == 0) {
		/* an ack without parameters answers its request's function */
		if (m->req && m->req->group < 0) {
			m->ev->func = m->req->func;
			m->ev->func_name = ot_tok_str(s7comm_func_names, m->req->func);
			m->ev->cat = s7_func_category(m->req->func);
			m->rec->has |= S7H_FUNC;
			m->rec->func = m->req->func;
		}
		return;
	}
	fn = cur_u8(par);
	m->ev->func = fn;
	m->ev->func_name = ot_tok_name(s7comm_func_names, fn);
	m->ev->cat = s7_func_category(fn);
	m->rec->has |= S7H_FUNC;
	m->rec->func = fn;
	if (!m->ev->func_name) {
		m->ev->func_name = "unknown";
		ot_anomaly(m->ctx, OT_PROTO_S7COMM, "unknown_function",
			   "%s with function 0x%02x", ot_tok_str(s7comm_rosctr_names, rosctr), fn);
	}
	if (m->out)
		m->out->func = fn;
	switch (fn) {
	case FN_SETUP_COMM:
		s7_setup(m, par);
		break;
	case FN_READ_VAR:
	case FN_WRITE_VAR:
		s7_read_write(m, rosctr, fn, par, data);
		break;
	case FN_REQ_DOWNLOAD: case FN_DOWNLOAD: case FN_DOWNLOAD_END:
	case FN_START_UPLOAD: case FN_UPLOAD: case FN_END_UPLOAD:
		s7_updown(m, rosctr, fn, par, data);
		break;
	case FN_PI_SERVICE:
	case FN_PLC_STOP:
		if (rosctr == ROSCTR_JOB) {
			s7_pi_service(m, fn, par);
		} else if (m->req && m->req->func == fn && m->req->pi >= 0) {
			/* a PI response takes the request's service */
			m->ev->subfunc = m->req->pi;
			m->ev->subfunc_name = ot_tok_str(s7comm_pi_names, m->req->pi);
			m->rec->has |= S7H_PI_NAME;
			m->rec->pi = (uint8_t)m->req->pi;
			if (m->req->pi == PI_PROGRAM)
				m->ev->cat = OT_CAT_MODE;
		}
		break;
	default:
		break;
	}
}

static void s7_pdu(struct s7_state *st, const uint8_t *p, size_t n)
{
	struct dissect_ctx *ctx = st->ctx;
	struct cursor c, par, data;
	struct ot_event ev;
	struct s7_msg m;
	struct s7_pending req, out;
	struct s7comm_record rec;
	uint8_t rosctr, ecls = 0, ecode = 0;
	uint16_t ref, plen, dlen;
	int is_request = 0, is_response = 0;

	cur_init(&c, p, n);
	cur_skip(&c, 1);
	rosctr = cur_u8(&c);
	cur_skip(&c, 2);
	ref = cur_be16(&c);
	plen = cur_be16(&c);
	dlen = cur_be16(&c);
	if (rosctr == ROSCTR_ACK || rosctr == ROSCTR_ACK_DATA) {
		ecls = cur_u8(&c);
		ecode = cur_u8(&c);
	}
	if (!cur_ok(&c)) {
		ot_anomaly(ctx, OT_PROTO_S7COMM, "bad_header",
			   "S7 header truncated (%zu bytes)", n);
		return;
	}
	if (!ot_tok_name(s7comm_rosctr_names, rosctr)) {
		ot_anomaly(ctx, OT_PROTO_S7COMM, "unknown_rosctr",
			   "ROSCTR %u (pdu reference %u)", rosctr, ref);
		return;
	}
	if ((size_t)plen + dlen != cur_left(&c)) {
		ot_anomaly(ctx, OT_PROTO_S7COMM, "length_mismatch",
			   "parameter %u + data %u bytes announced, %zu present",
			   plen, dlen, cur_left(&c));
		if (plen > cur_left(&c))
			plen = (uint16_t)cur_left(&c);
		if (dlen > cur_left(&c) - plen)
			dlen = (uint16_t)(cur_left(&c) - plen);
	}
	par = cur_sub(&c, plen);
	data = cur_sub(&c, dlen);

	ot_event_init(&ev, ctx, OT_PROTO_S7COMM, OT_EV_MESSAGE);
	s7_record_init(&rec, S7R_PDU);
	memset(&m, 0, sizeof(m));
	m.ctx = ctx;
	m.st = st;
	m.ev = &ev;
	m.rec = &rec;
	ev.txn = ref;
	ev.rosctr = rosctr;
	rec.rosctr = rosctr;
	rec.pdu_ref = ref;
	rec.param_len = plen;
	rec.data_len = dlen;
	rec.max_log_values = st->lim->max_log_values;
	s7_set_rackslot(st, &ev);

	if (rosctr == ROSCTR_JOB) {
		is_request = 1;
	} else if (rosctr == ROSCTR_USERDATA) {
		uint8_t tg;
		/* the type nibble (parameter byte 5) says request or response */
		if (cur_peek_u8(&par, 5, &tg)) {
			if ((tg >> 4) == 4 || (tg >> 4) == 7)
				is_request = 1;
			else if ((tg >> 4) == 8 || (tg >> 4) == 0xb)
				is_response = 1;
		}
	} else {
		is_response = 1;
		ev.status = ecls << 8 | ecode;
		if (ecls)
			ev.status_name = ot_tok_str(s7comm_error_class_names, ecls);
		rec.has |= S7H_ERROR;
		rec.error_class = ecls;
		rec.error_code = ecode;
	}
	if (is_response) {
		struct s7_pending *pp = pend_find(st, ref);
		ev.dir = OT_DIR_RESPONSE;
		/* a userdata answer pairs with a userdata request, an ack with a job */
		if (pp && (rosctr == ROSCTR_USERDATA) == (pp->group >= 0)) {
			pend_copy(&req, pp);
			pp->used = 0;
			st->n_pend--;
			m.req = &req;
			ev.rtt = (double)(ctx->ts.tv_sec - req.ts.tv_sec) +
				 (double)(ctx->ts.tv_usec - req.ts.tv_usec) / 1e6;
		}
	} else if (is_request) {
		ev.dir = OT_DIR_REQUEST;
		memset(&out, 0, offsetof(struct s7_pending, items));
		out.rosctr = rosctr;
		out.pdu_ref = ref;
		out.ts = ctx->ts;
		out.group = -1;
		out.pi = -1;
		m.out = &out;
	}

	if (rosctr == ROSCTR_USERDATA)
		s7_userdata(&m, &par, &data);
	else
		s7_job_ackdata(&m, rosctr, &par, &data);

	if (m.out) {
		/* remember the PI service of a request for its response */
		if (rosctr == ROSCTR_JOB && out.func == FN_PI_SERVICE && ev.subfunc >= 0)
			out.pi = (int8_t)ev.subfunc;
		pend_put(st, &out);
	}
	if (ev.status < 0)
		ev.status = 0;
	st->s7_pdus++;
	ev.record = &rec;
	ot_emit(ctx, &ev);
}

/* ---- S7comm-plus: recognised, not decoded ---- */

static enum ot_category s7plus_category(uint16_t fn)
{
	switch (fn) {
	case 0x04bb: case 0x04fc: case 0x054c: case 0x0586: case 0x0590: case 0x0524:
		return OT_CAT_READ;
	case 0x04f2: case 0x0542: case 0x057c:
		return OT_CAT_WRITE;
	case 0x04ca: case 0x04d4: case 0x0556: case 0x0560: case 0x05b3: case 0x059a:
		return OT_CAT_SESSION;
	case 0x056b:
		return OT_CAT_CONTROL;
	default:
		return OT_CAT_OTHER;
	}
}

static void s7plus_pdu(struct s7_state *st, const uint8_t *p, size_t n)
{
	struct dissect_ctx *ctx = st->ctx;
	struct cursor c;
	struct ot_event ev;
	struct s7comm_record rec;
	uint8_t ver, opcode = 0;
	uint16_t dlen;

	cur_init(&c, p, n);
	cur_skip(&c, 1);
	ver = cur_u8(&c);
	dlen = cur_be16(&c);
	if (!cur_ok(&c)) {
		ot_anomaly(ctx, OT_PROTO_S7COMM_PLUS, "bad_header",
			   "S7comm-plus header truncated (%zu bytes)", n);
		return;
	}
	st->plus_pdus++;
	ot_event_init(&ev, ctx, OT_PROTO_S7COMM_PLUS, OT_EV_MESSAGE);
	s7_record_init(&rec, S7R_PLUS);
	rec.plus_version = ver;
	rec.plus_data_len = dlen;
	ev.rack = st->rack;
	ev.slot = st->slot;
	if (ver == 3) {
		/* integrity part: digest length and digest */
		uint8_t dl = cur_u8(&c);
		cur_skip(&c, dl);
	}
	if (cur_left(&c) > 0 && ver <= 3) {
		opcode = cur_u8(&c);
		rec.plus_has_opcode = 1;
		rec.plus_opcode = opcode;
		if (opcode == 0x31)
			ev.dir = OT_DIR_REQUEST;
		else if (opcode == 0x32 || opcode == 0x02)
			ev.dir = OT_DIR_RESPONSE;
		else if (opcode == 0x33)
			ev.dir = OT_DIR_UNSOLICITED;
		if (opcode == 0x31 || opcode == 0x32) {
			uint16_t fn, seq;

			cur_skip(&c, 2);
			fn = cur_be16(&c);
			cur_skip(&c, 2);
			seq = cur_be16(&c);
			if (cur_ok(&c)) {
				ev.func = fn;
				ev.func_name = ot_tok_str(s7comm_plus_func_names, fn);
				ev.cat = s7plus_category(fn);
				ev.txn = seq;
				rec.plus_has_function = 1;
				rec.plus_function = fn;
				rec.plus_seq = seq;
			}
		}
	}
	ev.record = &rec;
	ot_emit(ctx, &ev);
}

/* ---- COTP ---- */

static void s7_payload(struct s7_state *st, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	if (p[0] == S7_PROTO_ID) {
		s7_pdu(st, p, n);
	} else if (p[0] == S7PLUS_PROTO_ID) {
		s7plus_pdu(st, p, n);
	} else if (!st->foreign_seen) {
		st->foreign_seen = 1;
		ot_anomaly(st->ctx, OT_PROTO_S7COMM, "unknown_protocol_id",
			   "COTP data with protocol id 0x%02x (reported once per flow)", p[0]);
	}
}

static void s7_frag_drop(struct s7_dir *d)
{
	d->frag_len = 0;
	d->frag_dropping = 0;
}

static void s7_dt(struct s7_state *st, struct s7_dir *d, int eot,
		  const uint8_t *p, size_t n)
{
	struct dissect_ctx *ctx = st->ctx;

	if (eot && d->frag_len == 0 && !d->frag_dropping) {
		s7_payload(st, p, n);
		return;
	}
	if (n == 0 && !eot)
		return;     /* empty DT, used as a keep-alive */
	if (d->frag_len > 0 &&
	    (double)(ctx->ts.tv_sec - d->frag_ts.tv_sec) > ctx->lim->reassembly_timeout) {
		st->reasm_dropped++;
		ot_anomaly(ctx, OT_PROTO_S7COMM, "cotp_reassembly_timeout",
			   "%zu buffered bytes older than %.0f s dropped",
			   d->frag_len, ctx->lim->reassembly_timeout);
		s7_frag_drop(d);
	}
	if (!d->frag_dropping) {
		if (d->frag_len + n > ctx->lim->max_reassembly) {
			st->reasm_dropped++;
			ot_anomaly(ctx, OT_PROTO_S7COMM, "cotp_reassembly_overflow",
				   "COTP message over %u bytes dropped",
				   ctx->lim->max_reassembly);
			d->frag_len = 0;
			d->frag_dropping = 1;
		} else {
			if (d->frag_len == 0)
				d->frag_ts = ctx->ts;
			if (s7_buf_append(&d->frag, &d->frag_len, &d->frag_cap, p, n) < 0) {
				d->frag_len = 0;
				d->frag_dropping = 1;
				return;
			}
		}
	}
	if (eot) {
		if (!d->frag_dropping)
			s7_payload(st, d->frag, d->frag_len);
		s7_frag_drop(d);
	}
}

/* A COTP parameter of the record, kept in first-seen order. */
static void s7_cotp_param(struct s7comm_record *r, enum s7_cotp_param p)
{
	uint8_t i;

	for (i = 0; i < r->n_cotp_params; i++)
		if (r->cotp_params[i] == p)
			return;
	r->cotp_params[r->n_cotp_params++] = (uint8_t)p;
}

/* Connection request/confirm: references, class, TSAPs, TPDU size. */
static void s7_connect(struct s7_state *st, uint8_t code, struct cursor *hdr)
{
	struct dissect_ctx *ctx = st->ctx;
	struct ot_event ev;
	struct s7comm_record rec;
	uint16_t dref, sref;
	uint8_t cls;

	dref = cur_be16(hdr);
	sref = cur_be16(hdr);
	cls = cur_u8(hdr);
	ot_event_init(&ev, ctx, OT_PROTO_S7COMM, OT_EV_SESSION);
	s7_record_init(&rec, S7R_COTP);
	ev.dir = OT_DIR_NONE;
	if (code == COTP_CR || code == COTP_DR)
		ev.dir = OT_DIR_REQUEST;
	else if (code == COTP_CC || code == COTP_DC)
		ev.dir = OT_DIR_RESPONSE;
	ev.func = code;
	ev.func_name = ot_tok_str(s7comm_cotp_names, code);
	ev.cat = OT_CAT_SESSION;
	rec.cotp_code = code;
	rec.cotp_dref = dref;
	rec.cotp_sref = sref;
	if (code == COTP_CR || code == COTP_CC) {
		rec.cotp_has_class = 1;
		rec.cotp_class = cls >> 4;
		while (cur_left(hdr) >= 2) {
			uint8_t pc = cur_u8(hdr);
			uint8_t pl = cur_u8(hdr);
			const uint8_t *pv = cur_bytes(hdr, pl);
			struct s7_text t;

			if (!pv)
				break;
			if (pc == 0xc0 && pl == 1 && pv[0] >= 7 && pv[0] <= 13) {
				rec.tpdu_size = 1u << pv[0];
				s7_cotp_param(&rec, S7P_TPDU_SIZE);
			} else if (pc == 0xc1) {
				t = s7_text(pv, pl);
				if (t.n) {
					rec.calling_tsap = t;
					s7_cotp_param(&rec, S7P_CALLING_TSAP);
				}
			} else if (pc == 0xc2) {
				t = s7_text(pv, pl);
				if (t.n) {
					rec.called_tsap = t;
					s7_cotp_param(&rec, S7P_CALLED_TSAP);
				}
				/* rack and slot: second byte of a 2-byte called TSAP */
				if (pl == 2 && (code == COTP_CR || st->rack < 0)) {
					st->rack = pv[1] >> 5;
					st->slot = pv[1] & 0x1f;
				}
			}
		}
		if (!cur_ok(hdr))
			ot_anomaly(ctx, OT_PROTO_S7COMM, "cotp_bad_length",
				   "COTP %s parameters overrun the header", ev.func_name);
	} else if (code == COTP_DR) {
		rec.cotp_has_reason = 1;
		rec.cotp_class = cls;
	}
	s7_set_rackslot(st, &ev);
	ev.record = &rec;
	ot_emit(ctx, &ev);
}

/* One TPKT: the COTP TPDU inside. */
static void s7_tpdu(const uint8_t *pdu, size_t len, void *ud)
{
	struct s7_state *st = ud;
	struct dissect_ctx *ctx = st->ctx;
	struct s7_dir *d = &st->dir[ctx->from_client ? 0 : 1];
	struct cursor c, hdr;
	uint8_t li, code;

	cur_init(&c, pdu, len);
	cur_skip(&c, TPKT_HDR);
	li = cur_u8(&c);
	if (li == 0 || li > cur_left(&c)) {
		ot_anomaly(ctx, OT_PROTO_S7COMM, "cotp_bad_length",
			   "COTP length indicator %u, %zu bytes in the TPKT",
			   li, cur_left(&c));
		return;
	}
	hdr = cur_sub(&c, li);
	code = cur_u8(&hdr) & 0xf0;
	switch (code) {
	case COTP_DT: {
		uint8_t nr = cur_u8(&hdr);
		s7_dt(st, d, (nr & 0x80) != 0, cur_ptr(&c), cur_left(&c));
		break;
	}
	case COTP_CR:
	case COTP_CC:
	case COTP_DR:
	case COTP_DC:
		if (code == COTP_DR || code == COTP_DC) {
			s7_frag_drop(&st->dir[0]);
			s7_frag_drop(&st->dir[1]);
		}
		s7_connect(st, code, &hdr);
		break;
	case COTP_ER: {
		cur_skip(&hdr, 2);
		ot_anomaly(ctx, OT_PROTO_S7COMM, "cotp_error",
			   "COTP TPDU error, reject cause %u", cur_u8(&hdr));
		break;
	}
	default:
		if (!ot_tok_name(s7comm_cotp_names, code))
			ot_anomaly(ctx, OT_PROTO_S7COMM, "cotp_unknown_type",
				   "COTP TPDU code 0x%02x", code);
		break;
	}
}

/* TPKT framing for the shared framer. */
static long s7_tpkt_len(const uint8_t *p, size_t avail, void *ud)
{
	unsigned len;

	(void)ud;
	if (p[0] != TPKT_VERSION)
		return -1;
	if (avail < TPKT_HDR)
		return 0;
	if (p[1] != 0)
		return -1;
	len = ((unsigned)p[2] << 8) | p[3];
	if (len < TPKT_MIN)
		return -1;
	return (long)len;
}

/* ---- descriptor callbacks ---- */

static int s7_tsap_plausible(const uint8_t *v, size_t n)
{
	if (n == 2)
		return v[0] >= 0x01 && v[0] <= 0x1f;
	return n >= 7 && memcmp(v, "SIMATIC", 7) == 0;
}

/* Judge one TPKT at data; *next is set to the following TPKT when this one
 * is an empty DT that decides nothing. */
static enum probe_result s7_probe_tpkt(const uint8_t *data, size_t len, size_t *next)
{
	struct cursor c, hdr;
	unsigned tlen;
	uint8_t li, code, b;

	*next = 0;
	if (len < 6)
		return len > 0 && data[0] != TPKT_VERSION ? PROBE_NOT_MINE : PROBE_NEED_MORE;
	cur_init(&c, data, len);
	if (cur_u8(&c) != TPKT_VERSION || cur_u8(&c) != 0)
		return PROBE_NOT_MINE;
	tlen = cur_be16(&c);
	li = cur_u8(&c);
	if (tlen < TPKT_MIN || li == 0 || (unsigned)li + 5 > tlen)
		return PROBE_NOT_MINE;
	if (!cur_peek_u8(&c, 0, &code))
		return PROBE_NEED_MORE;
	code &= 0xf0;
	if (code == COTP_DT) {
		if (tlen == (unsigned)li + 5) {         /* empty DT: look further */
			*next = tlen;
			return PROBE_NEED_MORE;
		}
		if (!cur_peek_u8(&c, li, &b))
			return PROBE_NEED_MORE;
		return b == S7_PROTO_ID || b == S7PLUS_PROTO_ID ? PROBE_MINE : PROBE_NOT_MINE;
	}
	if (code == COTP_CR || code == COTP_CC) {
		if (len < (size_t)li + 5)
			return PROBE_NEED_MORE;
		hdr = cur_sub(&c, li);
		cur_skip(&hdr, 6);
		while (cur_left(&hdr) >= 2) {
			uint8_t pc = cur_u8(&hdr), pl = cur_u8(&hdr);
			const uint8_t *pv = cur_bytes(&hdr, pl);

			if (pv && pc == 0xc2)
				return s7_tsap_plausible(pv, pl) ? PROBE_MINE : PROBE_NOT_MINE;
		}
		return PROBE_NOT_MINE;
	}
	return PROBE_NOT_MINE;
}

static enum probe_result s7_probe(const uint8_t *data, size_t len, int from_client)
{
	enum probe_result r;
	size_t next;

	(void)from_client;
	for (;;) {
		r = s7_probe_tpkt(data, len, &next);
		if (r != PROBE_NEED_MORE || next == 0 || next >= len)
			return r;
		data += next;   /* next <= len: every loop consumes at least 7 bytes */
		len -= next;
	}
}

/* Stats counters, in the order s7_counters() adds them. */
static const char *const s7_counter_names[] = {
	"tpkts", "bytes_skipped", "oversize", "pending_dropped", "reassembly_dropped",
	"s7comm_pdus", "s7comm_plus_pdus", "szl_dropped",
};

static void s7_counters(const void *state, uint64_t *out)
{
	const struct s7_state *st = state;
	int i;

	if (!st)
		return;
	for (i = 0; i < 2; i++) {
		out[0] += st->dir[i].fr.pdus;
		out[1] += st->dir[i].fr.skipped;
		out[2] += st->dir[i].fr.oversize;
	}
	out[3] += st->pend_dropped;
	out[4] += st->reasm_dropped;
	out[5] += st->s7_pdus;
	out[6] += st->plus_pdus;
	out[7] += st->szl_dropped;
}

static void s7_state_free(void *p)
{
	struct s7_state *st = p;
	int i;

	if (!st)
		return;
	for (i = 0; i < 2; i++) {
		framer_free(&st->dir[i].fr);
		free(st->dir[i].frag);
	}
	free(st->szl);
	free(st->pend);
	free(st);
}

static void *s7_state_new(const struct ot_limits *lim)
{
	struct s7_state *st = calloc(1, sizeof(*st));
	int i;

	if (!st)
		return NULL;
	st->lim = lim;
	st->rack = st->slot = -1;
	st->pend = calloc(lim->max_pending ? lim->max_pending : 1, sizeof(*st->pend));
	if (!st->pend) {
		free(st);
		return NULL;
	}
	for (i = 0; i < 2; i++)
		framer_init(&st->dir[i].fr, lim->max_pdu_buffer);
	return st;
}

static void s7_parse(struct dissect_ctx *ctx, void *state, const uint8_t *data, size_t len)
{
	struct s7_state *st = state;
	struct s7_dir *d = &st->dir[ctx->from_client ? 0 : 1];
	size_t skipped;

	if (!st->lim->max_pending)
		return;
	st->ctx = ctx;
	skipped = framer_feed(&d->fr, data, len, s7_tpkt_len, s7_tpdu, st);
	if (skipped)
		ot_anomaly(ctx, OT_PROTO_S7COMM, "tpkt_resync",
			   "%zu bytes without a valid TPKT header skipped", skipped);
	st->ctx = NULL;
}

static void s7_gap(struct dissect_ctx *ctx, void *state, size_t len)
{
	struct s7_state *st = state;
	struct s7_dir *d = &st->dir[ctx->from_client ? 0 : 1];

	(void)len;
	framer_reset(&d->fr);
	s7_frag_drop(d);
	if (!ctx->from_client) {
		st->szl_len = 0;
		st->szl_active = 0;
	}
}

const struct dissector s7comm_dissector = {
	.name = "s7comm",
	.proto = OT_PROTO_S7COMM,
	.transports = DISSECT_TCP,
	.ports = { 102, 0 },
	.probe_order = 10,
	.spaces = s7comm_spaces,
	.probe = s7_probe,
	.state_new = s7_state_new,
	.state_free = s7_state_free,
	.parse = s7_parse,
	.gap = s7_gap,
	.flow_end = NULL,
	.counter_names = s7_counter_names,
	.n_counters = sizeof(s7_counter_names) / sizeof(s7_counter_names[0]),
	.counters = s7_counters,
	.log = s7comm_log,
	.keywords = s7comm_keywords,
	.names = s7comm_names,
	.also_proto = OT_PROTO_S7COMM_PLUS,
};
