/*
 * dnp3.c - DNP3 over TCP and UDP: link frames, transport reassembly,
 * application header, request/response pairing.
 *
 * Specification: IEEE 1815-2012 (DNP3): clause 9 (data link layer: frame
 * format, CRC), clause 8 (transport function), clause 4.2.2 (application
 * header, function codes, internal indications).  IEEE 1815 Annex E and the
 * DNP3 "IP networking" rules put whole link frames in TCP or UDP port 20000.
 *
 * Link frames are cut from the byte stream by the shared framer; the header
 * CRC and the CRC of every 16-byte data block are verified and a frame with
 * a bad CRC is dropped (anomaly "bad_crc").  Transport segments are
 * reassembled per (source, destination) link address pair, bounded by
 * lim->max_reassembly bytes and lim->reassembly_timeout seconds.  Each
 * application fragment becomes one OT_EV_MESSAGE; the objects are decoded by
 * dnp3_objects.c.
 */
#include <stdlib.h>
#include <string.h>

#include "dnp3.h"
#include "framer.h"

#define DNP3_PORT               20000
#define DNP3_MAX_FRAGMENTS      8       /* reassembly slots per flow */
#define DNP3_PENDING_MAX_AGE    60.0    /* seconds a request may wait */
#define DNP3_KEEP_BUFFER        2048    /* reassembly buffer kept between fragments */

/* IIN2 bits that report an error: the event status. */
#define DNP3_IIN2_ERRORS 0x3f

/* One transport reassembly in progress. */
struct dnp3_fragment {
	int used;
	uint16_t src, dst;
	uint8_t from_client;
	uint8_t next_seq;
	struct timeval started;     /* first segment: the timeout runs from here */
	struct timeval last;        /* latest segment: least recently used eviction */
	uint8_t *buf;
	size_t len, cap;
};

struct dnp3_pending {
	uint8_t seq;
	uint8_t func;
	uint8_t cat;
	uint16_t master, outstation;
	struct timeval ts;
};

struct dnp3_state {
	const struct ot_limits *lim;
	struct framer framer[2];            /* [from_client] */
	struct dnp3_fragment frag[DNP3_MAX_FRAGMENTS];
	uint32_t n_frags;                   /* frag[] slots in use */
	struct dnp3_pending *pending;       /* oldest first */
	uint32_t n_pending;
	uint32_t pending_cap;               /* entries allocated in pending */
	size_t reasm_bytes;                 /* sum of frag[].len, <= max_reassembly */
	int pending_reported;               /* too_many_pending sent, not yet drained */
	int hunt_reported;                  /* a bad header reported in this parse() */
	struct dissect_ctx *ctx;            /* valid during parse() */
	const uint8_t *hdr_ok;              /* frame whose header the last dnp3_link_len verified */
	struct dnp3_counters cnt;
};

/* The link header fields of the frame that completed a fragment. */
struct dnp3_link {
	uint8_t ctrl;
	uint16_t dst, src;
};

/* CRC-16/DNP (reflected polynomial 0xA6BC): the CRC of each byte value. */
static const uint16_t dnp3_crc_table[256] = {
	0x0000, 0x365e, 0x6cbc, 0x5ae2, 0xd978, 0xef26, 0xb5c4, 0x839a,
	0xff89, 0xc9d7, 0x9335, 0xa56b, 0x26f1, 0x10af, 0x4a4d, 0x7c13,
	0xb26b, 0x8435, 0xded7, 0xe889, 0x6b13, 0x5d4d, 0x07af, 0x31f1,
	0x4de2, 0x7bbc, 0x215e, 0x1700, 0x949a, 0xa2c4, 0xf826, 0xce78,
	0x29af, 0x1ff1, 0x4513, 0x734d, 0xf0d7, 0xc689, 0x9c6b, 0xaa35,
	0xd626, 0xe078, 0xba9a, 0x8cc4, 0x0f5e, 0x3900, 0x63e2, 0x55bc,
	0x9bc4, 0xad9a, 0xf778, 0xc126, 0x42bc, 0x74e2, 0x2e00, 0x185e,
	0x644d, 0x5213, 0x08f1, 0x3eaf, 0xbd35, 0x8b6b, 0xd189, 0xe7d7,
	0x535e, 0x6500, 0x3fe2, 0x09bc, 0x8a26, 0xbc78, 0xe69a, 0xd0c4,
	0xacd7, 0x9a89, 0xc06b, 0xf635, 0x75af, 0x43f1, 0x1913, 0x2f4d,
	0xe135, 0xd76b, 0x8d89, 0xbbd7, 0x384d, 0x0e13, 0x54f1, 0x62af,
	0x1ebc, 0x28e2, 0x7200, 0x445e, 0xc7c4, 0xf19a, 0xab78, 0x9d26,
	0x7af1, 0x4caf, 0x164d, 0x2013, 0xa389, 0x95d7, 0xcf35, 0xf96b,
	0x8578, 0xb326, 0xe9c4, 0xdf9a, 0x5c00, 0x6a5e, 0x30bc, 0x06e2,
	0xc89a, 0xfec4, 0xa426, 0x9278, 0x11e2, 0x27bc, 0x7d5e, 0x4b00,
	0x3713, 0x014d, 0x5baf, 0x6df1, 0xee6b, 0xd835, 0x82d7, 0xb489,
	0xa6bc, 0x90e2, 0xca00, 0xfc5e, 0x7fc4, 0x499a, 0x1378, 0x2526,
	0x5935, 0x6f6b, 0x3589, 0x03d7, 0x804d, 0xb613, 0xecf1, 0xdaaf,
	0x14d7, 0x2289, 0x786b, 0x4e35, 0xcdaf, 0xfbf1, 0xa113, 0x974d,
	0xeb5e, 0xdd00, 0x87e2, 0xb1bc, 0x3226, 0x0478, 0x5e9a, 0x68c4,
	0x8f13, 0xb94d, 0xe3af, 0xd5f1, 0x566b, 0x6035, 0x3ad7, 0x0c89,
	0x709a, 0x46c4, 0x1c26, 0x2a78, 0xa9e2, 0x9fbc, 0xc55e, 0xf300,
	0x3d78, 0x0b26, 0x51c4, 0x679a, 0xe400, 0xd25e, 0x88bc, 0xbee2,
	0xc2f1, 0xf4af, 0xae4d, 0x9813, 0x1b89, 0x2dd7, 0x7735, 0x416b,
	0xf5e2, 0xc3bc, 0x995e, 0xaf00, 0x2c9a, 0x1ac4, 0x4026, 0x7678,
	0x0a6b, 0x3c35, 0x66d7, 0x5089, 0xd313, 0xe54d, 0xbfaf, 0x89f1,
	0x4789, 0x71d7, 0x2b35, 0x1d6b, 0x9ef1, 0xa8af, 0xf24d, 0xc413,
	0xb800, 0x8e5e, 0xd4bc, 0xe2e2, 0x6178, 0x5726, 0x0dc4, 0x3b9a,
	0xdc4d, 0xea13, 0xb0f1, 0x86af, 0x0535, 0x336b, 0x6989, 0x5fd7,
	0x23c4, 0x159a, 0x4f78, 0x7926, 0xfabc, 0xcce2, 0x9600, 0xa05e,
	0x6e26, 0x5878, 0x029a, 0x34c4, 0xb75e, 0x8100, 0xdbe2, 0xedbc,
	0x91af, 0xa7f1, 0xfd13, 0xcb4d, 0x48d7, 0x7e89, 0x246b, 0x1235,
};

/*
 * Four bytes a step ("slicing"): slice[k][v] is the CRC register after byte
 * v went in and k zero bytes followed it, so the register after four bytes
 * is slice[3][x0] ^ slice[2][x1] ^ slice[1][b2] ^ slice[0][b3], x0 and x1
 * being the low and high byte of the register XORed with b0 and b1 (the CRC
 * is linear; the 16-bit register holds only two bytes).  slice[0] is
 * dnp3_crc_table; the other three are derived from it on first use.
 */
static uint16_t dnp3_crc_slice[3][256];
static int dnp3_crc_slice_ready;

static void dnp3_crc_slice_build(void)
{
	const uint16_t *prev = dnp3_crc_table;
	int k, v;

	for (k = 0; k < 3; k++) {
		for (v = 0; v < 256; v++)
			dnp3_crc_slice[k][v] = (uint16_t)((prev[v] >> 8) ^ dnp3_crc_table[prev[v] & 0xff]);
		prev = dnp3_crc_slice[k];
	}
	dnp3_crc_slice_ready = 1;
}

uint16_t dnp3_crc16(const uint8_t *p, size_t n)
{
	uint32_t crc = 0;
	size_t i = 0;

	if (!p)
		return (uint16_t)~crc;
	if (!dnp3_crc_slice_ready)
		dnp3_crc_slice_build();
	for (; i + 4 <= n; i += 4) {
		uint32_t x = crc ^ (p[i] | (uint32_t)p[i + 1] << 8);

		crc = dnp3_crc_slice[2][x & 0xff] ^ dnp3_crc_slice[1][x >> 8] ^
		      dnp3_crc_slice[0][p[i + 2]] ^ dnp3_crc_table[p[i + 3]];
	}
	for (; i < n; i++)
		crc = (crc >> 8) ^ dnp3_crc_table[(crc ^ p[i]) & 0xff];
	return (uint16_t)~crc;
}

size_t dnp3_frame_len(uint8_t len_field)
{
	size_t data = len_field >= DNP3_MIN_LEN_FIELD ? len_field - DNP3_MIN_LEN_FIELD : 0;

	return DNP3_HEADER_LEN + data + 2 * ((data + DNP3_BLOCK_LEN - 1) / DNP3_BLOCK_LEN);
}

static void put_crc(uint8_t *out, const uint8_t *p, size_t n)
{
	uint16_t crc = dnp3_crc16(p, n);

	out[0] = crc & 0xff;
	out[1] = crc >> 8;
}

size_t dnp3_link_encode(uint8_t ctrl, uint16_t dst, uint16_t src,
			const uint8_t *user, size_t n, uint8_t *out)
{
	size_t o = DNP3_HEADER_LEN, i;

	if (n > 255 - DNP3_MIN_LEN_FIELD || (n && !user))
		return 0;
	out[0] = DNP3_START1;
	out[1] = DNP3_START2;
	out[2] = (uint8_t)(n + DNP3_MIN_LEN_FIELD);
	out[3] = ctrl;
	out[4] = dst & 0xff;
	out[5] = dst >> 8;
	out[6] = src & 0xff;
	out[7] = src >> 8;
	put_crc(out + 8, out, 8);
	for (i = 0; i < n; i += DNP3_BLOCK_LEN) {
		size_t b = n - i < DNP3_BLOCK_LEN ? n - i : DNP3_BLOCK_LEN;

		memcpy(out + o, user + i, b);
		put_crc(out + o + b, user + i, b);
		o += b + 2;
	}
	return o;
}

const char *dnp3_func_name(int fc)
{
	static struct ot_tok_index idx = OT_TOK_INDEX(dnp3_function_names);

	return ot_tok_index_name(&idx, fc);
}

void dnp3_get_counters(const void *state, struct dnp3_counters *out)
{
	const struct dnp3_state *st = state;

	if (st)
		*out = st->cnt;
	else
		memset(out, 0, sizeof(*out));
}

/* Stats counters, in the order dnp3_counters_add() adds them. */
static const char *const dnp3_counter_names[] = {
	"frames", "link_only", "bad_crc", "bad_length", "messages",
	"tp_discarded", "tp_duplicates", "fragments_dropped", "pending_dropped",
	"bytes_skipped",
};

static void dnp3_counters_add(const void *state, uint64_t *out)
{
	const struct dnp3_state *st = state;

	if (!st)
		return;
	out[0] += st->cnt.frames;
	out[1] += st->cnt.link_only;
	out[2] += st->cnt.bad_crc;
	out[3] += st->cnt.bad_length;
	out[4] += st->cnt.messages;
	out[5] += st->cnt.tp_discarded;
	out[6] += st->cnt.tp_duplicates;
	out[7] += st->cnt.fragments_dropped;
	out[8] += st->cnt.pending_dropped;
	out[9] += st->framer[0].skipped + st->framer[1].skipped;
}

static double tv_diff(const struct timeval *a, const struct timeval *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (a->tv_usec - b->tv_usec) / 1e6;
}

/* ---- link header ---------------------------------------------------- */

/* The link header in c (10 bytes), its CRC checked when check is set:
 * 1 ok, 0 short or bad CRC. */
static int link_header_read(struct cursor *c, uint8_t *len_field, struct dnp3_link *l,
			    int check)
{
	struct cursor h = cur_sub(c, 8);
	uint16_t crc = cur_le16(c);

	if (!cur_ok(c) || (check && dnp3_crc16(h.p, h.len) != crc))
		return 0;
	cur_skip(&h, 2);
	*len_field = cur_u8(&h);
	l->ctrl = cur_u8(&h);
	l->dst = cur_le16(&h);
	l->src = cur_le16(&h);
	return 1;
}

/* Verified link header in c (10 bytes): 1 ok, 0 bad CRC. */
static int link_header(struct cursor *c, uint8_t *len_field, struct dnp3_link *l)
{
	return link_header_read(c, len_field, l, 1);
}

/* Offset of the next possible frame start after offset 0 (avail when none). */
static size_t next_start(const uint8_t *p, size_t avail)
{
	struct cursor c;
	uint8_t b, n;
	size_t i;

	cur_init(&c, p, avail);
	for (i = 1; cur_peek_u8(&c, i, &b); i++)
		if (b == DNP3_START1 && (!cur_peek_u8(&c, i + 1, &n) || n == DNP3_START2))
			return i;
	return avail;
}

/* framer_len_fn: the link frame at p, or how far to skip to the next start. */
static long dnp3_link_len(const uint8_t *p, size_t avail, void *ud)
{
	struct dnp3_state *st = ud;
	struct dnp3_link l;
	struct cursor c;
	uint8_t b0, b1, len_field = 0;

	st->hdr_ok = NULL;
	cur_init(&c, p, avail);
	if (!cur_peek_u8(&c, 0, &b0))
		return 0;
	if (b0 != DNP3_START1)
		return -(long)next_start(p, avail);
	if (!cur_peek_u8(&c, 1, &b1))
		return 0;
	if (b1 != DNP3_START2)
		return -(long)next_start(p, avail);
	if (avail < DNP3_HEADER_LEN)
		return 0;
	/* hunting for a frame start: every bad header is counted, the first
	 * of each parse() call is reported (noise must not become a flood of
	 * lines; the resync anomaly tells how much was skipped) */
	if (!link_header(&c, &len_field, &l)) {
		st->cnt.bad_crc++;
		if (st->ctx && !st->hunt_reported) {
			st->hunt_reported = 1;
			ot_anomaly(st->ctx, OT_PROTO_DNP3, "bad_crc", "link header CRC");
		}
		return -(long)next_start(p, avail);
	}
	if (len_field < DNP3_MIN_LEN_FIELD) {
		st->cnt.bad_length++;
		if (st->ctx && !st->hunt_reported) {
			st->hunt_reported = 1;
			ot_anomaly(st->ctx, OT_PROTO_DNP3, "bad_length",
				   "link LEN %u below 5", len_field);
		}
		return -(long)next_start(p, avail);
	}
	st->hdr_ok = p;
	return (long)dnp3_frame_len(len_field);
}

/* ---- application layer ---------------------------------------------- */

/* Request functions whose object headers carry no object data. */
static int func_has_data(int fc)
{
	switch (fc) {
	case 0: case 1: case 7: case 8: case 9: case 10: case 13: case 14: case 15:
	case 19: case 20: case 21: case 22: case 23: case 24:
		return 0;
	default:
		return 1;
	}
}

/* Requests that the outstation answers with a response. */
static int func_wants_response(int fc)
{
	return fc != 0 && fc != 6 && fc != 8 && fc != 10 && fc != 12 && fc != 33 &&
	       fc < 129;
}

static enum ot_category func_category(int fc, const struct dnp3_objects_result *r)
{
	switch (fc) {
	case 0: case 20: case 21:
		return OT_CAT_SESSION;
	case 1:
		return r->has_group0 ? OT_CAT_IDENTITY : r->has_file ? OT_CAT_FILE : OT_CAT_READ;
	case 2:
		return r->has_time ? OT_CAT_TIME : r->has_file ? OT_CAT_FILE : OT_CAT_WRITE;
	case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 10: case 11: case 12:
		return OT_CAT_CONTROL;
	case 13: case 14: case 15: case 16: case 17: case 18:
		return OT_CAT_MODE;
	case 19: case 31:
		return OT_CAT_PROGRAM;
	case 22:
		return OT_CAT_WRITE;
	case 23: case 24:
		return OT_CAT_TIME;
	case 25: case 26: case 27: case 28: case 29: case 30:
		return OT_CAT_FILE;
	case 32: case 33: case 131:
		return OT_CAT_SECURITY;
	case 129: case 130:
		return OT_CAT_READ;
	default:
		return OT_CAT_OTHER;
	}
}

static void pending_add(struct dnp3_state *st, struct dissect_ctx *ctx, uint8_t seq,
			uint8_t fc, uint8_t cat, const struct dnp3_link *l)
{
	uint32_t cap = st->pending ? st->pending_cap : st->lim->max_pending;
	struct dnp3_pending *p;

	if (cap == 0)
		return;
	if (!st->pending) {
		st->pending = calloc(cap, sizeof(*st->pending));
		if (!st->pending)
			return;
		st->pending_cap = cap;      /* the limit in force when allocated */
	}
	if (st->n_pending >= cap) {
		memmove(st->pending, st->pending + 1, (cap - 1) * sizeof(*st->pending));
		st->n_pending = cap - 1;
		st->cnt.pending_dropped++;
		if (!st->pending_reported) {
			st->pending_reported = 1;
			ot_anomaly(ctx, OT_PROTO_DNP3, "too_many_pending",
				   "more than %u requests without response", cap);
		}
	}
	p = &st->pending[st->n_pending++];
	p->seq = seq;
	p->func = fc;
	p->cat = cat;
	p->master = l->src;
	p->outstation = l->dst;
	p->ts = ctx->ts;
}

/* The pending request a response answers; fills rtt and cat.  1 when found. */
static int pending_match(struct dnp3_state *st, struct dissect_ctx *ctx, uint8_t seq,
			 const struct dnp3_link *l, struct ot_event *ev)
{
	uint32_t i;

	for (i = 0; i < st->n_pending; i++) {
		struct dnp3_pending *p = &st->pending[i];
		double age = tv_diff(&ctx->ts, &p->ts);

		if (p->seq != seq || p->master != l->dst || p->outstation != l->src)
			continue;
		if (age >= 0 && age <= DNP3_PENDING_MAX_AGE) {
			ev->rtt = age;
			ev->cat = (enum ot_category)p->cat;
		}
		if (i + 1 < st->n_pending)
			memmove(p, p + 1, (st->n_pending - i - 1) * sizeof(*p));
		st->n_pending--;
		st->pending_reported = 0;
		return 1;
	}
	return 0;
}

/* One reassembled application fragment: one message event. */
static void app_fragment(struct dnp3_state *st, const struct dnp3_link *l,
			 const uint8_t *p, size_t n)
{
	struct dissect_ctx *ctx = st->ctx;
	struct dnp3_objects_result res;
	struct ot_event ev;
	struct dnp3_record rec;
	struct cursor c;
	uint8_t ac, fc, iin1 = 0, iin2 = 0;
	int is_resp, header_ok;
	uint16_t iin;

	cur_init(&c, p, n);
	ac = cur_u8(&c);
	fc = cur_u8(&c);
	if (!cur_ok(&c)) {
		ot_anomaly(ctx, OT_PROTO_DNP3, "app_too_short",
			   "application fragment of %zu bytes", n);
		return;
	}
	is_resp = fc == DNP3_FC_RESPONSE || fc == DNP3_FC_UNSOLICITED ||
		  fc == DNP3_FC_AUTH_RESPONSE;
	if (is_resp) {
		iin1 = cur_u8(&c);
		iin2 = cur_u8(&c);
	}
	header_ok = cur_ok(&c);
	iin = (uint16_t)(iin1 | (iin2 << 8));
	st->cnt.messages++;

	ot_event_init(&ev, ctx, OT_PROTO_DNP3, OT_EV_MESSAGE);
	ev.dir = fc == DNP3_FC_UNSOLICITED ? OT_DIR_UNSOLICITED :
		 is_resp ? OT_DIR_RESPONSE : OT_DIR_REQUEST;
	ev.link_src = l->src;
	ev.link_dst = l->dst;
	ev.func = fc;
	ev.func_name = dnp3_func_name(fc);
	if (!ev.func_name)
		ev.func_name = "unknown";
	ev.txn = ac & DNP3_AC_SEQ;
	if (is_resp && header_ok) {
		int e = iin2 & DNP3_IIN2_ERRORS, b = 0;

		ev.status = e;
		ev.iin = iin1 << 8 | iin2;
		while (e && !(e & (1 << b)))
			b++;
		ev.status_name = e ? ot_tok_str(dnp3_iin_names, 8 + b) : NULL;
	}
	memset(&rec, 0, sizeof(rec));
	rec.link_ctrl = l->ctrl;
	rec.src = l->src;
	rec.dst = l->dst;
	rec.app_ctrl = ac;
	rec.function_code = fc;
	rec.has_iin = is_resp && header_ok;
	rec.iin = iin;
	rec.with_data = is_resp || func_has_data(fc);
	rec.objects = cur_ptr(&c);
	rec.objects_len = header_ok ? cur_left(&c) : 0;
	rec.lim = ctx->lim;
	if (!dnp3_func_name(fc))
		ot_anomaly(ctx, OT_PROTO_DNP3, "unknown_function", "function code %u", fc);

	memset(&res, 0, sizeof(res));
	if (header_ok) {
		dnp3_objects_parse(ctx, ctx->lim, &c, rec.with_data, &ev, NULL, &res);
	} else {
		ot_anomaly(ctx, OT_PROTO_DNP3, "app_too_short", "response without IIN");
		res.complete = 0;
	}
	ev.cat = func_category(fc, &res);
	if (ev.dir == OT_DIR_REQUEST && func_wants_response(fc))
		pending_add(st, ctx, ac & DNP3_AC_SEQ, fc, (uint8_t)ev.cat, l);
	else if (fc == DNP3_FC_RESPONSE || fc == DNP3_FC_AUTH_RESPONSE)
		pending_match(st, ctx, ac & DNP3_AC_SEQ, l, &ev);
	rec.complete = (uint8_t)(res.complete != 0);
	ev.record = &rec;
	ot_emit(ctx, &ev);
}

/* ---- transport layer ------------------------------------------------ */

/* Free a slot; a large buffer is released so idle flows stay small. */
static void frag_clear(struct dnp3_state *st, struct dnp3_fragment *f)
{
	st->reasm_bytes -= f->len;
	st->n_frags--;          /* only slots in use are cleared */
	f->used = 0;
	f->len = 0;
	if (f->cap > DNP3_KEEP_BUFFER) {
		free(f->buf);
		f->buf = NULL;
		f->cap = 0;
	}
}

static struct dnp3_fragment *frag_find(struct dnp3_state *st, uint16_t src, uint16_t dst)
{
	int i;

	if (st->n_frags == 0)   /* the common case: single-segment fragments */
		return NULL;
	for (i = 0; i < DNP3_MAX_FRAGMENTS; i++)
		if (st->frag[i].used && st->frag[i].src == src && st->frag[i].dst == dst)
			return &st->frag[i];
	return NULL;
}

/* A free slot, or the least recently used one (its fragment is dropped). */
static struct dnp3_fragment *frag_slot(struct dnp3_state *st)
{
	struct dnp3_fragment *old = &st->frag[0];
	int i;

	for (i = 0; i < DNP3_MAX_FRAGMENTS; i++) {
		if (!st->frag[i].used)
			return &st->frag[i];
		if (tv_diff(&st->frag[i].last, &old->last) < 0)
			old = &st->frag[i];
	}
	st->cnt.fragments_dropped++;
	frag_clear(st, old);
	return old;
}

static int frag_append(struct dnp3_state *st, struct dnp3_fragment *f,
		       const uint8_t *p, size_t n)
{
	size_t max = st->lim->max_reassembly;

	if (n == 0)
		return 0;
	if (st->reasm_bytes + n > max)    /* all fragments of the flow together */
		return -1;
	if (f->len + n > f->cap) {
		size_t want = f->cap ? f->cap : 512;
		uint8_t *nb;

		while (want < f->len + n)
			want *= 2;
		if (want > max)
			want = max;
		nb = realloc(f->buf, want);
		if (!nb)
			return -1;
		f->buf = nb;
		f->cap = want;
	}
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	st->reasm_bytes += n;
	return 0;
}

static void transport_segment(struct dnp3_state *st, const struct dnp3_link *l,
			      const uint8_t *user, size_t n)
{
	struct dissect_ctx *ctx = st->ctx;
	struct dnp3_fragment *f;
	struct cursor c;
	uint8_t th, seq;
	size_t seglen;
	const uint8_t *seg;

	cur_init(&c, user, n);
	th = cur_u8(&c);
	seglen = cur_left(&c);
	seg = cur_bytes(&c, seglen);
	seq = th & DNP3_TP_SEQ;

	f = frag_find(st, l->src, l->dst);
	if (f && tv_diff(&ctx->ts, &f->started) > st->lim->reassembly_timeout) {
		st->cnt.fragments_dropped++;
		ot_anomaly(ctx, OT_PROTO_DNP3, "reassembly_timeout",
			   "fragment %u->%u of %zu bytes timed out", l->src, l->dst, f->len);
		frag_clear(st, f);
		f = NULL;
	}
	if (th & DNP3_TP_FIR) {
		if (f) {
			if ((th & DNP3_TP_FIN) == 0 && seq == (uint8_t)((f->next_seq - 1) & DNP3_TP_SEQ) &&
			    f->len == seglen && seglen > 0 && seg && memcmp(f->buf, seg, seglen) == 0) {
				st->cnt.tp_duplicates++;    /* link-layer retry of the first segment */
				return;
			}
			st->cnt.fragments_dropped++;
			ot_anomaly(ctx, OT_PROTO_DNP3, "fragment_incomplete",
				   "new first segment before the final one (%zu bytes dropped)",
				   f->len);
			frag_clear(st, f);
		}
		if (th & DNP3_TP_FIN) {
			app_fragment(st, l, seg, seg ? seglen : 0);
			return;
		}
		f = frag_slot(st);
		f->used = 1;
		st->n_frags++;
		f->src = l->src;
		f->dst = l->dst;
		f->from_client = ctx->from_client;
		f->started = ctx->ts;
	} else {
		if (!f) {
			st->cnt.tp_discarded++;
			ot_anomaly(ctx, OT_PROTO_DNP3, "transport_sequence",
				   "segment %u without a first segment", seq);
			return;
		}
		if (seq == (uint8_t)((f->next_seq - 1) & DNP3_TP_SEQ)) {
			st->cnt.tp_duplicates++;
			return;
		}
		if (seq != f->next_seq) {
			st->cnt.tp_discarded++;
			st->cnt.fragments_dropped++;
			ot_anomaly(ctx, OT_PROTO_DNP3, "transport_sequence",
				   "segment %u, expected %u", seq, f->next_seq);
			frag_clear(st, f);
			return;
		}
	}
	f->last = ctx->ts;
	f->next_seq = (seq + 1) & DNP3_TP_SEQ;
	if (seg && frag_append(st, f, seg, seglen) < 0) {
		st->cnt.fragments_dropped++;
		ot_anomaly(ctx, OT_PROTO_DNP3, "reassembly_too_long",
			   "fragment %u->%u: over %u bytes in reassembly in the flow",
			   l->src, l->dst, st->lim->max_reassembly);
		frag_clear(st, f);
		return;
	}
	if (th & DNP3_TP_FIN) {
		app_fragment(st, l, f->buf, f->len);
		frag_clear(st, f);
	}
}

/* framer_pdu_fn: one whole link frame. */
static void dnp3_link_frame(const uint8_t *pdu, size_t len, void *ud)
{
	struct dnp3_state *st = ud;
	uint8_t user[DNP3_MAX_FRAME];
	struct dnp3_link l;
	struct cursor c;
	uint8_t len_field = 0;
	size_t data_len, n = 0;
	int verified;

	/* The framer hands a frame out right after dnp3_link_len measured it
	 * at the same address: that call checked this header's CRC already. */
	verified = pdu == st->hdr_ok;
	st->hdr_ok = NULL;
	cur_init(&c, pdu, len);
	if (!link_header_read(&c, &len_field, &l, !verified) || len_field < DNP3_MIN_LEN_FIELD) {
		st->cnt.bad_crc++;
		ot_anomaly(st->ctx, OT_PROTO_DNP3, "bad_crc", "link header CRC");
		return;
	}
	data_len = len_field - DNP3_MIN_LEN_FIELD;
	while (n < data_len) {
		size_t blk = data_len - n < DNP3_BLOCK_LEN ? data_len - n : DNP3_BLOCK_LEN;
		struct cursor b = cur_sub(&c, blk);
		uint16_t crc = cur_le16(&c);

		if (!cur_ok(&c) || dnp3_crc16(b.p, b.len) != crc) {
			st->cnt.bad_crc++;
			ot_anomaly(st->ctx, OT_PROTO_DNP3, "bad_crc",
				   "data block at offset %zu of frame %u->%u", n, l.src, l.dst);
			return;
		}
		cur_copy(&b, user + n, blk);
		n += blk;
	}
	st->cnt.frames++;
	if (data_len == 0) {
		uint8_t func = l.ctrl & DNP3_LINK_FUNC;

		st->cnt.link_only++;
		/* primary confirmed/unconfirmed user data must carry a segment */
		if ((l.ctrl & DNP3_LINK_PRM) && (func == 3 || func == 4))
			ot_anomaly(st->ctx, OT_PROTO_DNP3, "link_only",
				   "user data frame %u->%u without data", l.src, l.dst);
		return;
	}
	transport_segment(st, &l, user, n);
}

/* ---- descriptor ----------------------------------------------------- */

static enum probe_result dnp3_probe(const uint8_t *data, size_t len, int from_client)
{
	struct dnp3_link l;
	struct cursor c;
	uint8_t b, len_field = 0;

	(void)from_client;
	cur_init(&c, data, len);
	if (cur_peek_u8(&c, 0, &b) && b != DNP3_START1)
		return PROBE_NOT_MINE;
	if (cur_peek_u8(&c, 1, &b) && b != DNP3_START2)
		return PROBE_NOT_MINE;
	if (cur_peek_u8(&c, 2, &b) && b < DNP3_MIN_LEN_FIELD)
		return PROBE_NOT_MINE;
	if (len < DNP3_HEADER_LEN)
		return PROBE_NEED_MORE;
	return link_header(&c, &len_field, &l) ? PROBE_MINE : PROBE_NOT_MINE;
}

static void *dnp3_state_new(const struct ot_limits *lim)
{
	struct dnp3_state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->lim = lim;
	framer_init(&st->framer[0], DNP3_MAX_FRAME);
	framer_init(&st->framer[1], DNP3_MAX_FRAME);
	return st;
}

static void dnp3_state_free(void *state)
{
	struct dnp3_state *st = state;
	int i;

	if (!st)
		return;
	framer_free(&st->framer[0]);
	framer_free(&st->framer[1]);
	for (i = 0; i < DNP3_MAX_FRAGMENTS; i++)
		free(st->frag[i].buf);
	free(st->pending);
	free(st);
}

static void dnp3_parse(struct dissect_ctx *ctx, void *state, const uint8_t *data, size_t len)
{
	struct dnp3_state *st = state;
	struct framer *f;
	size_t skipped;

	if (!st)
		return;
	st->lim = ctx->lim;
	st->ctx = ctx;
	st->hunt_reported = 0;
	f = &st->framer[ctx->from_client ? 1 : 0];
	skipped = framer_feed(f, data, len, dnp3_link_len, dnp3_link_frame, st);
	if (skipped)
		ot_anomaly(ctx, OT_PROTO_DNP3, "resync",
			   "%zu bytes skipped to the next frame start", skipped);
	if (ctx->is_udp && f->len > 0) {
		/* a datagram holds whole frames: the rest is a cut frame */
		st->cnt.bad_length++;
		ot_anomaly(ctx, OT_PROTO_DNP3, "bad_length",
			   "datagram ends inside a %zu-byte partial frame", f->len);
		framer_reset(f);
	}
	st->ctx = NULL;
}

static void dnp3_gap(struct dissect_ctx *ctx, void *state, size_t len)
{
	struct dnp3_state *st = state;
	int i;

	(void)len;
	if (!st)
		return;
	framer_reset(&st->framer[ctx->from_client ? 1 : 0]);
	for (i = 0; i < DNP3_MAX_FRAGMENTS; i++)
		if (st->frag[i].used && st->frag[i].from_client == ctx->from_client) {
			st->cnt.fragments_dropped++;
			frag_clear(st, &st->frag[i]);
		}
}

static void dnp3_flow_end(struct dissect_ctx *ctx, void *state)
{
	struct dnp3_state *st = state;
	int i;

	if (!st)
		return;
	for (i = 0; i < DNP3_MAX_FRAGMENTS; i++)
		if (st->frag[i].used) {
			st->cnt.fragments_dropped++;
			ot_anomaly(ctx, OT_PROTO_DNP3, "fragment_incomplete",
				   "flow ended inside fragment %u->%u (%zu bytes)",
				   st->frag[i].src, st->frag[i].dst, st->frag[i].len);
			frag_clear(st, &st->frag[i]);
		}
	st->n_pending = 0;
}

const struct dissector dnp3_dissector = {
	.name = "dnp3",
	.proto = OT_PROTO_DNP3,
	.transports = DISSECT_TCP | DISSECT_UDP,
	.ports = { DNP3_PORT, 0 },
	.probe_order = 20,
	.spaces = dnp3_spaces,
	.probe = dnp3_probe,
	.state_new = dnp3_state_new,
	.state_free = dnp3_state_free,
	.parse = dnp3_parse,
	.gap = dnp3_gap,
	.flow_end = dnp3_flow_end,
	.counter_names = dnp3_counter_names,
	.n_counters = sizeof(dnp3_counter_names) / sizeof(dnp3_counter_names[0]),
	.counters = dnp3_counters_add,
	.log = dnp3_log,
	.keywords = dnp3_keywords,
	.names = dnp3_names,
	.event_aliases = dnp3_event_aliases,
};
