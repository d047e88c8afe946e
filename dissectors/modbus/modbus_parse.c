/*
 * modbus_parse.c - Modbus/TCP: bytes -> struct modbus_record and the
 * normalized event; the descriptor.
 *
 * Specifications: MODBUS Application Protocol Specification V1.1b3 (function
 * codes, exception codes, MEI 43/13 and 43/14) and MODBUS Messaging on TCP/IP
 * Implementation Guide V1.0b (MBAP header).
 *
 * ADU = MBAP header (transaction id 2, protocol id 2 = 0, length 2 = unit id +
 * PDU bytes, unit id 1) + PDU (function code 1, data 0..252).  The length
 * field is therefore 2..254; 255..260 is tolerated (Schneider UMAS sends 255)
 * and raises "oversized_pdu"; anything else breaks the framing.
 *
 * Stream handling (per direction): ADUs are cut by the shared framer.  When a
 * header breaks the MBAP rules, the rest of the bytes handed over in that
 * call are dropped and decoding resumes at the next delivery (TCP segments
 * normally start on an ADU boundary); the first such break on a direction
 * that is not recovering from a gap raises "not_modbus" once.  After
 * MB_MAX_BAD_FEEDS consecutive bad deliveries the direction is abandoned.
 * A partial ADU carried between deliveries is dropped (truncated_adu) when
 * the next delivery is itself a whole run of well-formed ADUs.
 *
 * Every message fills a struct modbus_record (modbus.h) on the stack, which
 * the event points to; modbus_log.c writes it, modbus_rules.c matches it.
 *
 * Ownership: the per-flow state owns its two framers, the pending-request
 * table and the value buffer records point to; modbus_state_free(NULL) is a
 * no-op.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "dissector.h"
#include "event.h"
#include "framer.h"
#include "jw.h"
#include "modbus.h"

#define MB_MBAP_LEN         7       /* header up to and including unit id */
#define MB_MIN_LENGTH       2       /* MBAP length: unit id + function code */
#define MB_MAX_LENGTH       254     /* unit id + 253-byte PDU */
#define MB_MAX_LENGTH_SEEN  260     /* tolerated: UMAS sends up to 255 */
#define MB_MAX_ADU          (6 + MB_MAX_LENGTH_SEEN)
#define MB_MAX_BAD_FEEDS    16      /* consecutive bad deliveries: give up */
#define MB_MAX_PENDING_CAP  4096    /* ceiling on lim->max_pending */
#define MB_MAX_LOG_VALUES   2048    /* more than one ADU can carry */

/* Exception bursts: MB_EXC_BURST_N exceptions within MB_EXC_BURST_WINDOW
 * seconds on one flow; at most one report per MB_EXC_BURST_REARM seconds. */
#define MB_EXC_BURST_N      10
#define MB_EXC_BURST_WINDOW 5.0
#define MB_EXC_BURST_REARM  60.0

/* Spec section 6: quantity limits. */
#define MB_MAX_READ_BITS    2000
#define MB_MAX_READ_REGS    125
#define MB_MAX_WRITE_BITS   1968
#define MB_MAX_WRITE_REGS   123
#define MB_MAX_RW_WRITE     121

/* Read Device ID object -> identity key; -1 when not an identity fact. */
static int mb_object_ident(uint8_t id)
{
	switch (id) {
	case 0x00: return OT_ID_VENDOR;
	case 0x01: return OT_ID_PRODUCT_CODE;
	case 0x02: return OT_ID_FIRMWARE;
	case 0x03: return OT_ID_URL;
	case 0x04: return OT_ID_PRODUCT;
	case 0x05: return OT_ID_MODEL;
	case 0x06: return OT_ID_APP_NAME;
	default: return -1;
	}
}

/* ---- state ---------------------------------------------------------- */

struct mb_pending {
	uint16_t txn;
	uint8_t unit;
	uint8_t func;
	uint16_t addr;          /* read address (FC 1-4, 23) */
	uint16_t qty;           /* read quantity */
	int32_t sub;            /* diag sub-function / MEI type, -1 none */
	struct timeval ts;
};

struct modbus_state {
	struct framer_sync dir[2];      /* [0] server -> client, [1] client -> server */
	struct mb_pending *pending;     /* oldest first */
	uint32_t n_pending, max_pending;
	uint32_t max_log_values;
	uint16_t *log_values;           /* max_log_values: the record's values */
	uint64_t pending_dropped;
	uint64_t unpaired;
	uint64_t gap_lost_partial;
	double exc_ring[MB_EXC_BURST_N];
	uint32_t exc_head, exc_n;
	double exc_last_report;         /* < 0: never */
};

static double mb_tv_sec(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static void *modbus_state_new(const struct ot_limits *lim)
{
	struct modbus_state *st = calloc(1, sizeof(*st));
	size_t max = lim && lim->max_pdu_buffer ? lim->max_pdu_buffer : 65536;

	if (!st)
		return NULL;
	st->max_pending = lim && lim->max_pending ? lim->max_pending : 32;
	if (st->max_pending > MB_MAX_PENDING_CAP)
		st->max_pending = MB_MAX_PENDING_CAP;
	st->max_log_values = lim ? lim->max_log_values : 64;
	if (st->max_log_values > MB_MAX_LOG_VALUES)
		st->max_log_values = MB_MAX_LOG_VALUES;
	st->pending = calloc(st->max_pending, sizeof(*st->pending));
	st->log_values = calloc(st->max_log_values ? st->max_log_values : 1,
				sizeof(*st->log_values));
	if (!st->pending || !st->log_values) {
		free(st->pending);
		free(st->log_values);
		free(st);
		return NULL;
	}
	if (max > MB_MAX_ADU)
		max = MB_MAX_ADU;
	framer_sync_init(&st->dir[0], max, MB_MAX_BAD_FEEDS);
	framer_sync_init(&st->dir[1], max, MB_MAX_BAD_FEEDS);
	st->exc_last_report = -1.0;
	return st;
}

static void modbus_state_free(void *state)
{
	struct modbus_state *st = state;

	if (!st)
		return;
	framer_sync_free(&st->dir[0]);
	framer_sync_free(&st->dir[1]);
	free(st->pending);
	free(st->log_values);
	free(st);
}

/* Stats counters, in the order modbus_counters() adds them. */
static const char *const modbus_counter_names[] = {
	"adus", "bytes_ignored", "pending_dropped", "unpaired_responses",
	"gap_partial_adus",
};

static void modbus_counters(const void *state, uint64_t *out)
{
	const struct modbus_state *st = state;
	int i;

	if (!st)
		return;
	for (i = 0; i < 2; i++) {
		out[0] += st->dir[i].fr.pdus;
		out[1] += st->dir[i].ignored;
	}
	out[2] += st->pending_dropped;
	out[3] += st->unpaired;
	out[4] += st->gap_lost_partial;
}

/* ---- one message ---------------------------------------------------- */

struct mb_msg {
	struct dissect_ctx *ctx;
	struct modbus_state *st;
	uint16_t txn;
	uint8_t unit;
	uint8_t func;           /* without the exception bit */
	int paired;
	struct mb_pending req;  /* the paired request (paired) */
	struct mb_pending save; /* what this request leaves for its response */
	/* not cleared per message: */
	char anom_detail[MB_MSG_ANOMALIES][OT_DETAIL_LEN];
	struct ot_event ev;     /* ot_event_init */
	struct modbus_record rec; /* cleared up to its arrays */
};

/* A body field of the record, marked present. */
#define MB_SET(m, field, v, id) \
	do { (m)->rec.field = (v); (m)->rec.has |= 1u << (id); } while (0)

static void mb_flag(struct mb_msg *m, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Queue an anomaly raised while decoding; emitted after the message. */
static void mb_flag(struct mb_msg *m, const char *reason, const char *fmt, ...)
{
	va_list ap;
	unsigned i;

	for (i = 0; i < m->rec.n_anomalies; i++)
		if (strcmp(m->rec.anomalies[i], reason) == 0)
			return;
	if (m->rec.n_anomalies >= MB_MSG_ANOMALIES)
		return;
	m->rec.anomalies[m->rec.n_anomalies] = reason;
	va_start(ap, fmt);
	vsnprintf(m->anom_detail[m->rec.n_anomalies], OT_DETAIL_LEN, fmt, ap);
	va_end(ap);
	m->rec.n_anomalies++;
}

/* Remaining bytes of c as opaque data; consumes them. */
static void mb_rest_as_data(struct mb_msg *m, struct cursor *c)
{
	size_t n = cur_left(c);
	const uint8_t *p = cur_bytes(c, n);

	m->rec.data_length = n;
	m->rec.has |= 1u << MBF_DATA_LENGTH;
	if (p && n > 0) {
		m->rec.data = p;
		m->rec.has |= 1u << MBF_DATA;
	}
}

/*
 * One value: into the normalized event when its index is known (have_index),
 * and into the record's values up to max_log_values (all counted).
 */
static void mb_value(struct mb_msg *m, enum ot_space sp, uint16_t block,
		     int have_index, uint32_t index, unsigned value)
{
	if (have_index)
		ot_value_add(&m->ev, sp, block, index, value);
	if (m->rec.n_values < m->st->max_log_values)
		m->st->log_values[m->rec.n_values] = (uint16_t)value;
	m->rec.n_values++;
	m->rec.has |= 1u << MBF_VALUES;
}

/* A sub-cursor of n bytes, fewer (length_mismatch) when the ADU is short. */
static struct cursor mb_counted(struct mb_msg *m, struct cursor *c, size_t n,
				const char *what)
{
	if (n > cur_left(c)) {
		mb_flag(m, "length_mismatch", "%s %zu exceeds the %zu bytes left",
			what, n, cur_left(c));
		n = cur_left(c);
	}
	return cur_sub(c, n);
}

/* A one-byte byte count, logged, then a sub-cursor over that many bytes.
 * Returns the count, or -1 when the ADU ends before the count byte. */
static int mb_byte_count(struct mb_msg *m, struct cursor *c, struct cursor *data)
{
	uint8_t bc = cur_u8(c);

	if (!cur_ok(c))
		return -1;
	MB_SET(m, byte_count, bc, MBF_BYTE_COUNT);
	*data = mb_counted(m, c, bc, "byte count");
	return bc;
}

static void mb_quantity_check(struct mb_msg *m, unsigned qty, unsigned max)
{
	if (qty == 0 || qty > max)
		mb_flag(m, "invalid_quantity", "quantity %u outside 1..%u", qty, max);
}

/* n packed bits (LSB first) from c; index from base when have_index. */
static void mb_bits(struct mb_msg *m, struct cursor *c, enum ot_space sp,
		    unsigned n, int have_index, uint32_t base)
{
	unsigned i;
	uint8_t byte = 0;

	for (i = 0; i < n && (i % 8 != 0 || cur_left(c) > 0); i++) {
		if (i % 8 == 0)
			byte = cur_u8(c);
		mb_value(m, sp, 0, have_index, base + i, (byte >> (i % 8)) & 1);
	}
	cur_skip(c, cur_left(c));
}

/* 16-bit registers until c is empty. */
static void mb_registers(struct mb_msg *m, struct cursor *c, enum ot_space sp,
			 uint16_t block, int have_index, uint32_t base)
{
	uint32_t i;

	for (i = 0; cur_left(c) >= 2; i++)
		mb_value(m, sp, block, have_index, base + i, cur_be16(c));
	if (cur_left(c) > 0) {
		mb_flag(m, "length_mismatch", "odd register byte count");
		cur_skip(c, cur_left(c));
	}
}

static enum ot_space mb_func_space(unsigned fc)
{
	switch (fc) {
	case 1: case 5: case 15: return OT_SPACE_MB_COIL;
	case 2: return OT_SPACE_MB_DISCRETE;
	case 3: case 6: case 16: case 22: case 23: return OT_SPACE_MB_HOLDING;
	case 4: return OT_SPACE_MB_INPUT;
	default: return OT_SPACE_NONE;
	}
}

/* ---- requests ------------------------------------------------------- */

static void mb_req_read(struct mb_msg *m, struct cursor *c)
{
	unsigned bits = m->func <= 2;
	uint16_t addr = cur_be16(c), qty = cur_be16(c);

	if (!cur_ok(c))
		return;
	MB_SET(m, address, addr, MBF_ADDRESS);
	MB_SET(m, quantity, qty, MBF_QUANTITY);
	mb_quantity_check(m, qty, bits ? MB_MAX_READ_BITS : MB_MAX_READ_REGS);
	ot_range_add(&m->ev, mb_func_space(m->func), 0, 0, addr, qty);
	m->save.addr = addr;
	m->save.qty = qty;
}

static void mb_req_write_single(struct mb_msg *m, struct cursor *c)
{
	uint16_t addr = cur_be16(c), val = cur_be16(c);

	if (!cur_ok(c))
		return;
	MB_SET(m, address, addr, MBF_ADDRESS);
	ot_range_add(&m->ev, mb_func_space(m->func), 0, 0, addr, 1);
	if (m->func == 5) {
		if (val != 0xFF00 && val != 0x0000)
			mb_flag(m, "invalid_value", "coil value 0x%04x", val);
		mb_value(m, OT_SPACE_MB_COIL, 0, 1, addr, val == 0xFF00);
		MB_SET(m, raw_value, val, MBF_RAW_VALUE);
	} else {
		mb_value(m, OT_SPACE_MB_HOLDING, 0, 1, addr, val);
	}
}

static void mb_req_write_multiple(struct mb_msg *m, struct cursor *c)
{
	int coils = m->func == 15;
	uint16_t addr = cur_be16(c), qty = cur_be16(c);
	uint8_t bc = cur_u8(c);
	unsigned want;
	struct cursor data;

	if (!cur_ok(c))
		return;
	MB_SET(m, address, addr, MBF_ADDRESS);
	MB_SET(m, quantity, qty, MBF_QUANTITY);
	MB_SET(m, byte_count, bc, MBF_BYTE_COUNT);
	mb_quantity_check(m, qty, coils ? MB_MAX_WRITE_BITS : MB_MAX_WRITE_REGS);
	ot_range_add(&m->ev, mb_func_space(m->func), 0, 0, addr, qty);
	want = coils ? (qty + 7u) / 8u : 2u * qty;
	if (bc != want)
		mb_flag(m, "length_mismatch", "byte count %u, quantity %u needs %u",
			bc, qty, want);
	data = mb_counted(m, c, bc, "byte count");
	if (coils)
		mb_bits(m, &data, OT_SPACE_MB_COIL, qty, 1, addr);
	else
		mb_registers(m, &data, OT_SPACE_MB_HOLDING, 0, 1, addr);
}

static void mb_req_mask_write(struct mb_msg *m, struct cursor *c)
{
	uint16_t addr = cur_be16(c), and_mask = cur_be16(c), or_mask = cur_be16(c);

	if (!cur_ok(c))
		return;
	MB_SET(m, address, addr, MBF_ADDRESS);
	MB_SET(m, and_mask, and_mask, MBF_AND_MASK);
	MB_SET(m, or_mask, or_mask, MBF_OR_MASK);
	ot_range_add(&m->ev, OT_SPACE_MB_HOLDING, 0, 0, addr, 1);
}

static void mb_req_read_write(struct mb_msg *m, struct cursor *c)
{
	uint16_t raddr = cur_be16(c), rqty = cur_be16(c);
	uint16_t waddr = cur_be16(c), wqty = cur_be16(c);
	uint8_t bc = cur_u8(c);
	struct cursor data;

	if (!cur_ok(c))
		return;
	MB_SET(m, read_address, raddr, MBF_READ_ADDRESS);
	MB_SET(m, read_quantity, rqty, MBF_READ_QUANTITY);
	MB_SET(m, write_address, waddr, MBF_WRITE_ADDRESS);
	MB_SET(m, write_quantity, wqty, MBF_WRITE_QUANTITY);
	MB_SET(m, byte_count, bc, MBF_BYTE_COUNT);
	mb_quantity_check(m, rqty, MB_MAX_READ_REGS);
	mb_quantity_check(m, wqty, MB_MAX_RW_WRITE);
	ot_range_add(&m->ev, OT_SPACE_MB_HOLDING, 0, 0, raddr, rqty);
	ot_range_add(&m->ev, OT_SPACE_MB_HOLDING, 0, 0, waddr, wqty);
	if (bc != 2u * wqty)
		mb_flag(m, "length_mismatch", "byte count %u, write quantity %u", bc, wqty);
	data = mb_counted(m, c, bc, "byte count");
	mb_registers(m, &data, OT_SPACE_MB_HOLDING, 0, 1, waddr);
	m->save.addr = raddr;
	m->save.qty = rqty;
}

/* FC 20 (read) and 21 (write): sub-requests of reference type 6. */
static void mb_file_records(struct mb_msg *m, struct cursor *c, int is_write,
			    int is_request)
{
	struct cursor data;

	if (mb_byte_count(m, c, &data) < 0)
		return;
	m->rec.has |= 1u << MBF_FILE_RECORDS;
	while (cur_left(&data) > 0) {
		uint8_t ref = cur_u8(&data);
		uint16_t file = cur_be16(&data), rec = cur_be16(&data), len = cur_be16(&data);
		struct cursor rd;

		if (!cur_ok(&data)) {
			mb_flag(m, "length_mismatch", "file sub-request cut short");
			break;
		}
		if (ref != 6)
			mb_flag(m, "invalid_value", "file reference type %u", ref);
		ot_range_add(&m->ev, OT_SPACE_MB_FILE, file, 0, rec, len);
		if (m->rec.n_files < MB_MAX_SUBRECORDS) {
			struct modbus_file_record *fr = &m->rec.files[m->rec.n_files++];

			fr->reference_type = ref;
			fr->file_number = file;
			fr->record_number = rec;
			fr->record_length = len;
		}
		if (is_write) {
			rd = mb_counted(m, &data, 2u * len, "record length");
			mb_registers(m, &rd, OT_SPACE_MB_FILE, file, is_request, rec);
		}
	}
}

/* FC 20 response: sub-responses {length, reference type, data}. */
static void mb_resp_read_file(struct mb_msg *m, struct cursor *c)
{
	struct cursor data;

	if (mb_byte_count(m, c, &data) < 0)
		return;
	m->rec.has |= 1u << MBF_FILE_RECORDS;
	m->rec.files_are_responses = 1;
	while (cur_left(&data) > 0) {
		uint8_t len = cur_u8(&data);
		uint8_t ref = cur_u8(&data);
		struct cursor rd;

		if (!cur_ok(&data) || len < 1) {
			mb_flag(m, "length_mismatch", "file sub-response cut short");
			break;
		}
		if (ref != 6)
			mb_flag(m, "invalid_value", "file reference type %u", ref);
		rd = mb_counted(m, &data, len - 1u, "file response length");
		if (m->rec.n_files < MB_MAX_SUBRECORDS) {
			struct modbus_file_record *fr = &m->rec.files[m->rec.n_files++];

			fr->reference_type = ref;
			fr->record_length = (uint16_t)(cur_left(&rd) / 2);
		}
		mb_registers(m, &rd, OT_SPACE_MB_FILE, 0, 0, 0);
	}
}

static void mb_diag(struct mb_msg *m, struct cursor *c)
{
	uint16_t sub = cur_be16(c);
	size_t n;
	const uint8_t *p;

	if (!cur_ok(c))
		return;
	m->ev.subfunc = sub;
	m->ev.subfunc_name = ot_tok_str(modbus_diag_names, sub);
	if (sub == 1 || sub == 4)
		m->ev.cat = OT_CAT_MODE;
	m->save.sub = sub;
	MB_SET(m, sub_function, sub, MBF_SUB_FUNCTION);
	n = cur_left(c);
	p = cur_bytes(c, n);
	if (n == 2 && p)
		MB_SET(m, value, (uint16_t)((p[0] << 8) | p[1]), MBF_VALUE);
	if (p && n > 0) {
		m->rec.data = p;
		m->rec.data_length = n;
		m->rec.has |= 1u << MBF_DATA;
	}
}

static void mb_mei_header(struct mb_msg *m, uint8_t mei)
{
	m->ev.subfunc = mei;
	m->ev.subfunc_name = ot_tok_str(modbus_mei_names, mei);
	if (mei == 14)
		m->ev.cat = OT_CAT_IDENTITY;
	m->save.sub = mei;
	MB_SET(m, mei_type, mei, MBF_MEI);
}

static void mb_req_mei(struct mb_msg *m, struct cursor *c)
{
	uint8_t mei = cur_u8(c);

	if (!cur_ok(c))
		return;
	mb_mei_header(m, mei);
	if (mei == 14) {
		uint8_t code = cur_u8(c), obj = cur_u8(c);

		if (!cur_ok(c))
			return;
		if (code < 1 || code > 4)
			mb_flag(m, "invalid_value", "read device id code %u", code);
		m->rec.devid_code = code;
		MB_SET(m, object_id, obj, MBF_DEVICE_ID);
	} else {
		mb_rest_as_data(m, c);
	}
}

/* FC 24 request: the FIFO pointer address. */
static void mb_req_fifo(struct mb_msg *m, struct cursor *c)
{
	uint16_t ptr = cur_be16(c);

	if (!cur_ok(c))
		return;
	MB_SET(m, address, ptr, MBF_ADDRESS);
	ot_range_add(&m->ev, OT_SPACE_MB_FIFO, 0, 0, ptr, 0);
	m->save.addr = ptr;
}

static void mb_req_read_file(struct mb_msg *m, struct cursor *c)
{
	mb_file_records(m, c, 0, 1);
}

static void mb_req_write_file(struct mb_msg *m, struct cursor *c)
{
	mb_file_records(m, c, 1, 1);
}

/* ---- responses ------------------------------------------------------ */

static void mb_resp_read(struct mb_msg *m, struct cursor *c)
{
	int bits = m->func <= 2;
	struct cursor data;
	int known = m->paired && m->req.func == m->func;
	int bc = mb_byte_count(m, c, &data);
	unsigned want;

	if (bc < 0)
		return;
	if (known) {
		MB_SET(m, address, m->req.addr, MBF_ADDRESS);
		MB_SET(m, quantity, m->req.qty, MBF_QUANTITY);
		ot_range_add(&m->ev, mb_func_space(m->func), 0, 0, m->req.addr, m->req.qty);
		want = bits ? (m->req.qty + 7u) / 8u : 2u * m->req.qty;
		if ((unsigned)bc != want)
			mb_flag(m, "length_mismatch", "byte count %d, request quantity %u",
				bc, m->req.qty);
	}
	if (bits)
		mb_bits(m, &data, mb_func_space(m->func),
			known ? m->req.qty : 8u * bc, known, m->req.addr);
	else
		mb_registers(m, &data, mb_func_space(m->func), 0, known, m->req.addr);
}

/* FC 5, 6 responses echo the request; 15, 16 echo address and quantity. */
static void mb_resp_echo(struct mb_msg *m, struct cursor *c)
{
	uint16_t addr = cur_be16(c), v = cur_be16(c);

	if (!cur_ok(c))
		return;
	MB_SET(m, address, addr, MBF_ADDRESS);
	if (m->func == 15 || m->func == 16) {
		MB_SET(m, quantity, v, MBF_QUANTITY);
		ot_range_add(&m->ev, mb_func_space(m->func), 0, 0, addr, v);
	} else {
		ot_range_add(&m->ev, mb_func_space(m->func), 0, 0, addr, 1);
		if (m->func == 5) {
			mb_value(m, OT_SPACE_MB_COIL, 0, 1, addr, v == 0xFF00);
			MB_SET(m, raw_value, v, MBF_RAW_VALUE);
		} else {
			mb_value(m, OT_SPACE_MB_HOLDING, 0, 1, addr, v);
		}
	}
}

static void mb_resp_read_write(struct mb_msg *m, struct cursor *c)
{
	struct cursor data;
	int known = m->paired && m->req.func == m->func;
	int bc = mb_byte_count(m, c, &data);

	if (bc < 0)
		return;
	if (known) {
		MB_SET(m, read_address, m->req.addr, MBF_READ_ADDRESS);
		MB_SET(m, read_quantity, m->req.qty, MBF_READ_QUANTITY);
		ot_range_add(&m->ev, OT_SPACE_MB_HOLDING, 0, 0, m->req.addr, m->req.qty);
		if ((unsigned)bc != 2u * m->req.qty)
			mb_flag(m, "length_mismatch", "byte count %d, read quantity %u",
				bc, m->req.qty);
	}
	mb_registers(m, &data, OT_SPACE_MB_HOLDING, 0, known, m->req.addr);
}

static void mb_resp_fifo(struct mb_msg *m, struct cursor *c)
{
	uint16_t bc = cur_be16(c), count = cur_be16(c);
	struct cursor data;

	if (!cur_ok(c))
		return;
	MB_SET(m, byte_count, bc, MBF_BYTE_COUNT);
	MB_SET(m, fifo_count, count, MBF_FIFO_COUNT);
	if (count > 31)
		mb_flag(m, "invalid_quantity", "FIFO count %u above 31", count);
	if (bc != 2u + 2u * count)
		mb_flag(m, "length_mismatch", "FIFO byte count %u, count %u", bc, count);
	if (m->paired && m->req.func == 24)
		ot_range_add(&m->ev, OT_SPACE_MB_FIFO, 0, 0, m->req.addr, count);
	data = mb_counted(m, c, bc >= 2 ? bc - 2u : 0u, "FIFO byte count");
	mb_registers(m, &data, OT_SPACE_MB_FIFO, 0, 1, 0);
}

static void mb_resp_event_log(struct mb_msg *m, struct cursor *c)
{
	struct cursor data;
	uint16_t status, events, msgs;
	int bc = mb_byte_count(m, c, &data);

	if (bc < 0)
		return;
	status = cur_be16(&data);
	events = cur_be16(&data);
	msgs = cur_be16(&data);
	if (!cur_ok(&data)) {
		mb_flag(m, "length_mismatch", "event log byte count %d below 6", bc);
		return;
	}
	MB_SET(m, status, status, MBF_STATUS);
	MB_SET(m, event_count, events, MBF_EVENT_COUNT);
	MB_SET(m, message_count, msgs, MBF_MESSAGE_COUNT);
	mb_rest_as_data(m, &data);
}

static void mb_resp_server_id(struct mb_msg *m, struct cursor *c)
{
	struct cursor data;
	const uint8_t *p;
	size_t n;

	if (mb_byte_count(m, c, &data) < 0)
		return;
	n = cur_left(&data);
	p = cur_bytes(&data, n);
	if (!p || n == 0)
		return;
	/* server id (device specific), then the run indicator status byte */
	m->rec.server_id = p;
	m->rec.server_id_len = n - 1;
	MB_SET(m, run_indicator, p[n - 1], MBF_SERVER_ID);
}

static void mb_resp_device_id(struct mb_msg *m, struct cursor *c)
{
	uint8_t code = cur_u8(c), conf = cur_u8(c), more = cur_u8(c);
	uint8_t next = cur_u8(c), nobj = cur_u8(c);
	unsigned i;

	if (!cur_ok(c))
		return;
	if (more != 0x00 && more != 0xFF)
		mb_flag(m, "invalid_value", "more follows 0x%02x", more);
	m->rec.devid_code = code;
	m->rec.conformity_level = conf;
	m->rec.more_follows = more == 0xFF;
	m->rec.next_object_id = next;
	MB_SET(m, number_of_objects, nobj, MBF_DEVICE_ID);
	for (i = 0; i < nobj; i++) {
		uint8_t id = cur_u8(c), len = cur_u8(c);
		const uint8_t *val;
		int key;

		if (!cur_ok(c)) {
			mb_flag(m, "length_mismatch", "%u of %u device id objects present",
				i, nobj);
			return;
		}
		if (len > cur_left(c)) {
			mb_flag(m, "length_mismatch", "object 0x%02x length %u exceeds the ADU",
				id, len);
			len = (uint8_t)cur_left(c);
		}
		val = cur_bytes(c, len);
		key = mb_object_ident(id);
		if (key >= 0 && val)
			ot_ident_add(&m->ev, (enum ot_ident_key)key, val, len);
		if (m->rec.n_objects < MB_MAX_SUBRECORDS) {
			struct modbus_object *o = &m->rec.objects[m->rec.n_objects++];

			o->id = id;
			o->len = val ? len : 0;
			o->value = val;
		}
	}
}

static void mb_resp_mei(struct mb_msg *m, struct cursor *c)
{
	uint8_t mei = cur_u8(c);

	if (!cur_ok(c))
		return;
	mb_mei_header(m, mei);
	if (mei == 14)
		mb_resp_device_id(m, c);
	else
		mb_rest_as_data(m, c);
}

static void mb_resp_exception_status(struct mb_msg *m, struct cursor *c)
{
	uint8_t v = cur_u8(c);

	if (cur_ok(c))
		MB_SET(m, output_data, v, MBF_OUTPUT_DATA);
}

static void mb_resp_event_counter(struct mb_msg *m, struct cursor *c)
{
	uint16_t status = cur_be16(c), events = cur_be16(c);

	if (!cur_ok(c))
		return;
	MB_SET(m, status, status, MBF_STATUS);
	MB_SET(m, event_count, events, MBF_EVENT_COUNT);
}

static void mb_resp_write_file(struct mb_msg *m, struct cursor *c)
{
	mb_file_records(m, c, 1, 0);
}

/* ---- dispatch ------------------------------------------------------- */

/*
 * FC 90, Schneider UMAS: session key (0 until the engineering station
 * takes the PLC reservation, then the key the PLC handed out), then the
 * UMAS function in a request or the status (0xFE ok, 0xFD error) in a
 * response, then the function's data (kept opaque).  A response names
 * the function of the request it answers.
 */
static void mb_umas(struct mb_msg *m, struct cursor *c, int is_req)
{
	uint8_t key = cur_u8(c), code = cur_u8(c);
	int func = -1;

	if (!cur_ok(c))
		return;
	m->rec.umas_session_key = key;
	m->rec.has |= 1u << MBF_UMAS;
	if (is_req) {
		func = code;
		m->save.sub = code;
		if (!ot_tok_name(modbus_umas_names, code))
			mb_flag(m, "invalid_value", "UMAS function %u", code);
	} else {
		m->rec.umas_status = code;
		if (code != 0xfe && code != 0xfd)
			mb_flag(m, "invalid_value", "UMAS status %u", code);
		if (m->paired && m->req.func == 90 && m->req.sub >= 0)
			func = m->req.sub;
	}
	if (func >= 0) {
		m->rec.umas_func = (uint8_t)func;
		m->rec.umas_has_func = 1;
		m->ev.subfunc = func;
		m->ev.subfunc_name = ot_tok_str(modbus_umas_names, func);
		m->ev.cat = modbus_umas_category((unsigned)func);
	}
	mb_rest_as_data(m, c);
}

static void mb_umas_req(struct mb_msg *m, struct cursor *c)
{
	mb_umas(m, c, 1);
}

static void mb_umas_resp(struct mb_msg *m, struct cursor *c)
{
	mb_umas(m, c, 0);
}

typedef void (*mb_body_fn)(struct mb_msg *m, struct cursor *c);

/* Decoders per public function code; NULL: no data in that direction.
 * Codes not listed keep their data opaque ("data", "data_length"). */
static const struct mb_func_ops {
	uint8_t fc;
	mb_body_fn request;
	mb_body_fn response;
} mb_ops[] = {
	{ 1, mb_req_read, mb_resp_read },
	{ 2, mb_req_read, mb_resp_read },
	{ 3, mb_req_read, mb_resp_read },
	{ 4, mb_req_read, mb_resp_read },
	{ 5, mb_req_write_single, mb_resp_echo },
	{ 6, mb_req_write_single, mb_resp_echo },
	{ 7, NULL, mb_resp_exception_status },
	{ 8, mb_diag, mb_diag },
	{ 11, NULL, mb_resp_event_counter },
	{ 12, NULL, mb_resp_event_log },
	{ 15, mb_req_write_multiple, mb_resp_echo },
	{ 16, mb_req_write_multiple, mb_resp_echo },
	{ 17, NULL, mb_resp_server_id },
	{ 20, mb_req_read_file, mb_resp_read_file },
	{ 21, mb_req_write_file, mb_resp_write_file },
	{ 22, mb_req_mask_write, mb_req_mask_write },
	{ 23, mb_req_read_write, mb_resp_read_write },
	{ 24, mb_req_fifo, mb_resp_fifo },
	{ 43, mb_req_mei, mb_resp_mei },
	{ 90, mb_umas_req, mb_umas_resp },
};

static void mb_body(struct mb_msg *m, struct cursor *c, int is_req)
{
	size_t i;

	for (i = 0; i < sizeof(mb_ops) / sizeof(mb_ops[0]); i++) {
		if (mb_ops[i].fc != m->func)
			continue;
		if (is_req ? mb_ops[i].request : mb_ops[i].response)
			(is_req ? mb_ops[i].request : mb_ops[i].response)(m, c);
		return;
	}
	mb_rest_as_data(m, c);
}

/* ---- pairing -------------------------------------------------------- */

static void mb_pending_remove(struct modbus_state *st, uint32_t i)
{
	memmove(&st->pending[i], &st->pending[i + 1],
		(st->n_pending - i - 1) * sizeof(st->pending[0]));
	st->n_pending--;
}

static void mb_pending_add(struct dissect_ctx *ctx, struct modbus_state *st,
			   const struct mb_pending *p)
{
	if (st->n_pending >= st->max_pending) {
		mb_pending_remove(st, 0);
		st->pending_dropped++;
		/* first drop on the flow, then every 256th */
		if ((st->pending_dropped & 0xff) == 1)
			ot_anomaly(ctx, OT_PROTO_MODBUS, "too_many_pending",
				   "%u outstanding requests, %llu dropped so far",
				   st->max_pending,
				   (unsigned long long)st->pending_dropped);
	}
	st->pending[st->n_pending++] = *p;
}

/* Oldest outstanding request with this transaction and unit; removed. */
static int mb_pending_take(struct modbus_state *st, uint16_t txn, uint8_t unit,
			   struct mb_pending *out)
{
	uint32_t i;

	for (i = 0; i < st->n_pending; i++) {
		if (st->pending[i].txn == txn && st->pending[i].unit == unit) {
			*out = st->pending[i];
			mb_pending_remove(st, i);
			return 1;
		}
	}
	return 0;
}

static void mb_exception_seen(struct dissect_ctx *ctx, struct modbus_state *st)
{
	double now = mb_tv_sec(&ctx->ts), oldest;

	st->exc_ring[st->exc_head] = now;
	st->exc_head = (st->exc_head + 1) % MB_EXC_BURST_N;
	if (st->exc_n < MB_EXC_BURST_N)
		st->exc_n++;
	if (st->exc_n < MB_EXC_BURST_N)
		return;
	oldest = st->exc_ring[st->exc_head];    /* the slot written next */
	if (now - oldest > MB_EXC_BURST_WINDOW)
		return;
	if (st->exc_last_report >= 0 && now - st->exc_last_report < MB_EXC_BURST_REARM)
		return;
	st->exc_last_report = now;
	ot_anomaly(ctx, OT_PROTO_MODBUS, "exception_burst",
		   "%d exception responses within %.3f s", MB_EXC_BURST_N, now - oldest);
}

/* ---- ADU ------------------------------------------------------------ */

static void mb_handle_adu(struct dissect_ctx *ctx, struct modbus_state *st,
			  const uint8_t *adu, size_t len)
{
	struct mb_msg m;
	struct cursor c;
	uint16_t proto, length;
	uint8_t fc;
	int is_req;
	unsigned i;

	memset(&m, 0, offsetof(struct mb_msg, anom_detail));
	memset(&m.rec, 0, offsetof(struct modbus_record, objects));
	m.ctx = ctx;
	m.st = st;
	cur_init(&c, adu, len);
	m.txn = cur_be16(&c);
	proto = cur_be16(&c);
	length = cur_be16(&c);
	m.unit = cur_u8(&c);
	fc = cur_u8(&c);
	if (!cur_ok(&c))
		return;         /* the framer never hands out less than a header */
	m.func = fc & 0x7f;
	/* an exception is a response whichever end of the connection sends it */
	is_req = ctx->from_client && !(fc & 0x80);

	ot_event_init(&m.ev, ctx, OT_PROTO_MODBUS, OT_EV_MESSAGE);
	m.ev.dir = is_req ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
	m.ev.unit = m.unit;
	m.ev.func = m.func;
	m.ev.func_name = modbus_func_name(m.func);
	m.ev.cat = modbus_func_category(m.func);
	m.ev.txn = m.txn;
	m.ev.status = 0;
	m.save.txn = m.txn;
	m.save.unit = m.unit;
	m.save.func = m.func;
	m.save.sub = -1;
	m.save.ts = ctx->ts;

	m.rec.transaction_id = m.txn;
	m.rec.protocol_id = proto;
	m.rec.unit_id = m.unit;
	m.rec.length = length;
	m.rec.function_code = m.func;
	m.rec.values = st->log_values;
	m.rec.max_log_values = st->max_log_values;

	if (length > MB_MAX_LENGTH)
		mb_flag(&m, "oversized_pdu", "MBAP length %u above %u", length, MB_MAX_LENGTH);
	if (is_req) {
		if (fc == 0 || !modbus_func_known(fc))
			mb_flag(&m, "invalid_function_code", "function code %u", fc);
	} else {
		m.paired = mb_pending_take(st, m.txn, m.unit, &m.req);
		if (m.paired) {
			int64_t us = ((int64_t)ctx->ts.tv_sec - m.req.ts.tv_sec) * 1000000 +
				     ((int64_t)ctx->ts.tv_usec - m.req.ts.tv_usec);

			m.ev.rtt = us > 0 ? (double)us / 1e6 : 0.0;
			m.rec.paired = 1;
			m.rec.request_function = m.req.func;
			m.rec.response_time = m.ev.rtt;
			if (m.req.func != m.func)
				mb_flag(&m, "function_mismatch",
					"response function %u to request function %u",
					m.func, m.req.func);
		} else {
			st->unpaired++;
			mb_flag(&m, "response_without_request",
				"transaction %u unit %u", m.txn, m.unit);
		}
	}

	if (!is_req && (fc & 0x80)) {
		uint8_t code = cur_u8(&c);

		if (cur_ok(&c)) {
			m.ev.status = code;
			m.ev.status_name = ot_tok_str(modbus_exception_names, code);
			m.rec.is_exception = 1;
			m.rec.exception_code = code;
		}
		mb_exception_seen(ctx, st);
	} else {
		mb_body(&m, &c, is_req);
	}

	if (!cur_ok(&c))
		mb_flag(&m, "truncated_adu", "function %u: ADU of %zu bytes ends early",
			m.func, len);
	else if (cur_left(&c) > 0)
		mb_flag(&m, "length_mismatch", "function %u: %zu bytes past the PDU",
			m.func, cur_left(&c));

	m.ev.record = &m.rec;
	ot_emit(ctx, &m.ev);
	for (i = 0; i < m.rec.n_anomalies; i++)
		ot_anomaly(ctx, OT_PROTO_MODBUS, m.rec.anomalies[i], "%s", m.anom_detail[i]);

	if (is_req)
		mb_pending_add(ctx, st, &m.save);
}

/* ---- framing -------------------------------------------------------- */

/*
 * MBAP header check: total ADU length (> 0), 0 when more bytes are needed,
 * or -1 when the bytes cannot start an ADU.
 */
static long mb_adu_len(const uint8_t *p, size_t avail)
{
	struct cursor c;
	uint8_t b;
	uint16_t length;

	cur_init(&c, p, avail);
	/* protocol id bytes 2-3 must be zero, even when only part is here */
	if ((cur_peek_u8(&c, 2, &b) && b != 0) || (cur_peek_u8(&c, 3, &b) && b != 0))
		return -1;
	if (avail < 6)
		return 0;
	cur_skip(&c, 4);
	length = cur_be16(&c);
	if (length < MB_MIN_LENGTH || length > MB_MAX_LENGTH_SEEN)
		return -1;
	return 6 + (long)length;
}

/* 1 when data is a non-empty run of whole, well-formed ADUs. */
static int mb_aligned(const uint8_t *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		long r = mb_adu_len(data + off, len - off);

		if (r <= 0 || (size_t)r > len - off)
			return 0;
		off += (size_t)r;
	}
	return len > 0;
}

struct mb_feed {
	struct dissect_ctx *ctx;
	struct modbus_state *st;
};

static void mb_framer_pdu(const uint8_t *pdu, size_t len, void *ud)
{
	struct mb_feed *f = ud;

	mb_handle_adu(f->ctx, f->st, pdu, len);
}

static void mb_framer_break(enum framer_break why, size_t avail, void *ud)
{
	struct mb_feed *f = ud;

	if (why == FRAMER_BREAK_AFTER_PDU)
		ot_anomaly(f->ctx, OT_PROTO_MODBUS, "length_mismatch",
			   "%zu bytes after an ADU do not start an ADU", avail);
	else
		ot_anomaly(f->ctx, OT_PROTO_MODBUS, "not_modbus",
			   "%s stream breaks MBAP framing",
			   f->ctx->from_client ? "client" : "server");
}

static const struct framer_sync_ops mb_framing = {
	.pdu_len = mb_adu_len,
	.on_pdu = mb_framer_pdu,
	.on_break = mb_framer_break,
};

static void modbus_parse(struct dissect_ctx *ctx, void *state,
			 const uint8_t *data, size_t len)
{
	struct modbus_state *st = state;
	struct mb_feed f;
	struct framer_sync *d;

	if (!st || !data || len == 0)
		return;
	d = &st->dir[ctx->from_client ? 1 : 0];
	if (!d->dead && d->fr.len > 0 && mb_aligned(data, len)) {
		ot_anomaly(ctx, OT_PROTO_MODBUS, "truncated_adu",
			   "%zu-byte partial ADU followed by a new ADU", d->fr.len);
		framer_reset(&d->fr);
	}
	f.ctx = ctx;
	f.st = st;
	framer_sync_feed(d, data, len, &mb_framing, &f);
	if (ctx->is_udp && d->fr.len > 0) {
		/* a datagram carries whole ADUs: nothing continues it */
		ot_anomaly(ctx, OT_PROTO_MODBUS, "truncated_adu",
			   "datagram ends inside a %zu-byte partial ADU", d->fr.len);
		framer_reset(&d->fr);
	}
}

static void modbus_gap(struct dissect_ctx *ctx, void *state, size_t len)
{
	struct modbus_state *st = state;

	(void)len;
	if (st && framer_sync_gap(&st->dir[ctx->from_client ? 1 : 0]))
		st->gap_lost_partial++;   /* capture loss, not a traffic fault */
}

static void modbus_flow_end(struct dissect_ctx *ctx, void *state)
{
	struct modbus_state *st = state;
	int i;

	if (!st)
		return;
	for (i = 0; i < 2; i++) {
		size_t partial = framer_sync_end(&st->dir[i]);

		if (partial) {
			uint8_t save = ctx->from_client;

			ctx->from_client = (uint8_t)i;
			ot_anomaly(ctx, OT_PROTO_MODBUS, "truncated_adu",
				   "flow ends inside a %zu-byte partial ADU", partial);
			ctx->from_client = save;
		}
	}
	st->n_pending = 0;
}

/* ---- probe ---------------------------------------------------------- */

/*
 * MBAP plausibility: protocol id 0, length 2..254, and a function code that
 * legitimate traffic uses (requests never carry the exception bit).  An
 * unknown function code is accepted only when the bytes are exactly a run of
 * whole ADUs (a PDU boundary at the end of the data).
 */
static enum probe_result modbus_probe(const uint8_t *data, size_t len, int from_client)
{
	struct cursor c;
	long r;
	uint8_t fc;

	r = mb_adu_len(data, len);
	if (r < 0)
		return PROBE_NOT_MINE;
	if (r == 0 || len < MB_MBAP_LEN + 1)
		return PROBE_NEED_MORE;
	cur_init(&c, data, len);
	cur_skip(&c, MB_MBAP_LEN);
	fc = cur_u8(&c);
	if (fc != 0 && modbus_func_known(fc & 0x7f))
		return PROBE_MINE;
	if ((size_t)r > len)
		return PROBE_NEED_MORE;
	return mb_aligned(data, len) ? PROBE_MINE : PROBE_NOT_MINE;
}

const struct dissector modbus_dissector = {
	.name = "modbus",
	.proto = OT_PROTO_MODBUS,
	.transports = DISSECT_TCP,
	.ports = { 502, 0 },
	.probe_order = 40,
	.spaces = modbus_spaces,
	.probe = modbus_probe,
	.state_new = modbus_state_new,
	.state_free = modbus_state_free,
	.parse = modbus_parse,
	.gap = modbus_gap,
	.flow_end = modbus_flow_end,
	.counter_names = modbus_counter_names,
	.n_counters = sizeof(modbus_counter_names) / sizeof(modbus_counter_names[0]),
	.counters = modbus_counters,
	.log = modbus_log,
	.keywords = modbus_keywords,
	.names = modbus_names,
	.event_aliases = modbus_event_aliases,
};
