/*
 * gen_enip.c - otsgen's EtherNet/IP cell and its attacks (see gen_enip.h).
 *
 * plc-enip-1 (a ControlLogix controller) is the scanner: at start it opens
 * one class 1 connection (Forward Open over a short TCP session) to each
 * adapter, io-enip-1 (a POINT I/O block, RPI 200 ms) and io-enip-2 (a drive,
 * RPI 500 ms), and the I/O then flows both ways on UDP 2222.  hmi1 keeps
 * an EtherNet/IP session to the controller and reads tags through
 * Unconnected Send every 2 s (Tank_Level every cycle, Line_Speed every fifth,
 * a Speed_SP write every sixtieth); every 300 s it asks the three devices
 * for their identity (ListIdentity over UDP).
 */
#include <stdlib.h>
#include <string.h>

#include "gen_enip.h"

#define ENIP_PORT    44818
#define ENIP_IO_PORT 2222
#define VENDOR_ROCKWELL 1

/* ---------------------------------------------------------------- builders */

static void encap(struct gen_buf *g, unsigned cmd, uint32_t session, uint32_t ctx,
		  const struct gen_buf *data)
{
	gb_reset(g);
	gb_le16(g, cmd);
	gb_le16(g, (unsigned)(data ? data->n : 0));
	gb_le32(g, session);
	gb_le32(g, 0);                  /* status */
	gb_le32(g, ctx);                /* sender context: 8 bytes */
	gb_le32(g, 0x4f54534e);
	gb_le32(g, 0);                  /* options */
	if (data)
		gb_bytes(g, data->b, data->n);
}

/* SendRRData: interface handle, timeout, null address + unconnected data. */
static void rr_data(struct gen_buf *g, uint32_t session, uint32_t ctx, const struct gen_buf *cip)
{
	struct gen_buf d;

	gb_reset(&d);
	gb_le32(&d, 0);
	gb_le16(&d, 0);
	gb_le16(&d, 2);
	gb_le16(&d, 0x0000);
	gb_le16(&d, 0);
	gb_le16(&d, 0x00b2);
	gb_le16(&d, (unsigned)cip->n);
	gb_bytes(&d, cip->b, cip->n);
	encap(g, 0x006f, session, ctx, &d);
}

static void register_session(struct gen_buf *g, uint32_t session, uint32_t ctx)
{
	struct gen_buf d;

	gb_reset(&d);
	gb_le16(&d, 1);                 /* protocol version */
	gb_le16(&d, 0);                 /* options */
	encap(g, 0x0065, session, ctx, &d);
}

/* CIP request header: service, padded path of n bytes. */
static void cip_req(struct gen_buf *g, unsigned service, const uint8_t *path, size_t n)
{
	gb_reset(g);
	gb_u8(g, service);
	gb_u8(g, (unsigned)(n / 2));
	gb_bytes(g, path, n);
}

static void cip_reply(struct gen_buf *g, unsigned service)
{
	gb_reset(g);
	gb_u8(g, service | 0x80);
	gb_u8(g, 0);
	gb_u8(g, 0);                    /* general status: success */
	gb_u8(g, 0);                    /* no extended status */
}

static const uint8_t cm_path[] = { 0x20, 0x06, 0x24, 0x01 };   /* Connection Manager 1 */
/* assembly class, configuration instance 1, points 101 (O->T) and 102 (T->O) */
static const uint8_t io_path[] = { 0x20, 0x04, 0x24, 0x01, 0x2c, 0x65, 0x2c, 0x66 };

#define OT_SIZE 14      /* sequence count + run/idle header + 8 bytes of outputs */
#define TO_SIZE 18      /* sequence count + 16 bytes of inputs */

static void forward_open_req(struct gen_buf *g, uint32_t to_id, uint16_t serial,
			     uint32_t orig_serial, uint32_t rpi)
{
	cip_req(g, 0x54, cm_path, sizeof(cm_path));
	gb_u8(g, 0x0a);                 /* priority/time tick */
	gb_u8(g, 0x0e);                 /* timeout ticks */
	gb_le32(g, 0);                  /* O->T id: the target chooses */
	gb_le32(g, to_id);
	gb_le16(g, serial);
	gb_le16(g, VENDOR_ROCKWELL);
	gb_le32(g, orig_serial);
	gb_u8(g, 0);                    /* timeout multiplier x4 */
	gb_u8(g, 0);
	gb_u8(g, 0);
	gb_u8(g, 0);
	gb_le32(g, rpi);
	gb_le16(g, 0x4800 | OT_SIZE);   /* point to point, scheduled, fixed */
	gb_le32(g, rpi);
	gb_le16(g, 0x4800 | TO_SIZE);
	gb_u8(g, 0x01);                 /* class 1, cyclic */
	gb_u8(g, sizeof(io_path) / 2);
	gb_bytes(g, io_path, sizeof(io_path));
}

static void forward_open_reply(struct gen_buf *g, uint32_t ot_id, uint32_t to_id,
			       uint16_t serial, uint32_t orig_serial, uint32_t rpi)
{
	cip_reply(g, 0x54);
	gb_le32(g, ot_id);
	gb_le32(g, to_id);
	gb_le16(g, serial);
	gb_le16(g, VENDOR_ROCKWELL);
	gb_le32(g, orig_serial);
	gb_le32(g, rpi);
	gb_le32(g, rpi);
	gb_u8(g, 0);                    /* application reply size */
	gb_u8(g, 0);
}

static void forward_close_req(struct gen_buf *g, uint16_t serial, uint32_t orig_serial)
{
	cip_req(g, 0x4e, cm_path, sizeof(cm_path));
	gb_u8(g, 0x0a);
	gb_u8(g, 0x0e);
	gb_le16(g, serial);
	gb_le16(g, VENDOR_ROCKWELL);
	gb_le32(g, orig_serial);
	gb_u8(g, sizeof(io_path) / 2);
	gb_u8(g, 0);
	gb_bytes(g, io_path, sizeof(io_path));
}

static void forward_close_reply(struct gen_buf *g, uint16_t serial, uint32_t orig_serial)
{
	cip_reply(g, 0x4e);
	gb_le16(g, serial);
	gb_le16(g, VENDOR_ROCKWELL);
	gb_le32(g, orig_serial);
	gb_u8(g, 0);
	gb_u8(g, 0);
}

/* ANSI extended symbolic segment, padded to a whole word. */
static void symbol_path(struct gen_buf *p, const char *tag)
{
	size_t n = strlen(tag);

	gb_reset(p);
	gb_u8(p, 0x91);
	gb_u8(p, (unsigned)n);
	gb_bytes(p, tag, n);
	if (n & 1)
		gb_u8(p, 0);
}

/* Unconnected Send to the controller in slot 0 of the backplane (port 1)
 * carrying req. */
static void unconnected_send(struct gen_buf *g, const struct gen_buf *req)
{
	cip_req(g, 0x52, cm_path, sizeof(cm_path));
	gb_u8(g, 0x0a);
	gb_u8(g, 0x05);
	gb_le16(g, (unsigned)req->n);
	gb_bytes(g, req->b, req->n);
	if (req->n & 1)
		gb_u8(g, 0);
	gb_u8(g, 1);                    /* route path: 1 word */
	gb_u8(g, 0);
	gb_u8(g, 0x01);                 /* port 1 (backplane), slot 0 */
	gb_u8(g, 0x00);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ListIdentity reply item for a device. */
static void list_identity_reply(struct gen_buf *g, const struct gen_host *h, unsigned devtype,
				unsigned prodcode, const unsigned rev[2], uint32_t serial,
				const char *name)
{
	struct gen_buf d;
	size_t n = strlen(name);

	gb_reset(&d);
	gb_le16(&d, 1);                 /* item count */
	gb_le16(&d, 0x000c);
	gb_le16(&d, (unsigned)(2 + 16 + 2 + 2 + 2 + 2 + 2 + 4 + 1 + n + 1));
	gb_le16(&d, 1);                 /* encapsulation version */
	gb_be16(&d, 2);                 /* sockaddr: AF_INET, port, address */
	gb_be16(&d, ENIP_PORT);
	gb_be32(&d, h->ip);
	gb_be32(&d, 0);
	gb_be32(&d, 0);
	gb_le16(&d, VENDOR_ROCKWELL);
	gb_le16(&d, devtype);
	gb_le16(&d, prodcode);
	gb_u8(&d, rev[0]);
	gb_u8(&d, rev[1]);
	gb_le16(&d, 0x0030);            /* status: run mode, configured */
	gb_le32(&d, serial);
	gb_u8(&d, (unsigned)n);
	gb_bytes(&d, name, n);
	gb_u8(&d, 3);                   /* state: operational */
	encap(g, 0x0063, 0, 0, &d);
}

/* One class 1 datagram: sequenced address item, connected data item with
 * the CIP sequence count, the run/idle header (O->T only) and the data. */
static void io_datagram(struct gen_buf *g, uint32_t conn, uint32_t eseq, uint16_t cseq,
			int run_idle, const uint8_t *data, size_t n)
{
	gb_reset(g);
	gb_le16(g, 2);
	gb_le16(g, 0x8002);
	gb_le16(g, 8);
	gb_le32(g, conn);
	gb_le32(g, eseq);
	gb_le16(g, 0x00b1);
	gb_le16(g, (unsigned)(2 + (run_idle ? 4 : 0) + n));
	gb_le16(g, cseq);
	if (run_idle)
		gb_le32(g, 1);          /* run */
	gb_bytes(g, data, n);
}

/* ------------------------------------------------------------------ the cell */

static struct enip_site *site(struct plant *P)
{
	return P->enip;
}

void enip_layout(struct plant *P, struct gen_rng *L)
{
	static const struct {
		const char *name, *product;
		unsigned devtype, prodcode, rev[2];
		uint32_t rpi;
		uint8_t last;
	} ad[2] = {
		{ "io-enip-1", "1734-AENT/C POINT I/O", 0x0c, 128, { 6, 1 }, 200000, 30 },
		{ "io-enip-2", "PowerFlex 525 2P 480V", 0x7b, 2192, { 7, 1 }, 500000, 31 },
	};
	struct enip_site *S = calloc(1, sizeof(*S));
	int i;

	if (!S) {
		fprintf(stderr, "otsgen: out of memory\n");
		exit(1);
	}
	P->enip = S;
	S->plc = plant_host_new(P, "plc-enip-1", "plc", "Rockwell Automation", 10, 10, 60, 10);
	S->plc->win = 4096;
	S->plc_serial = 0x00c00000u | (uint32_t)(gen_rng_next(L) & 0xffff);
	for (i = 0; i < 2; i++) {
		struct enip_adapter *a = &S->io[i];

		a->h = plant_host_new(P, ad[i].name, "io_adapter", "Rockwell Automation", 10, 10, 60,
				      ad[i].last);
		a->h->win = 2048;
		a->product = ad[i].product;
		a->devtype = ad[i].devtype;
		a->prodcode = ad[i].prodcode;
		a->rev[0] = ad[i].rev[0];
		a->rev[1] = ad[i].rev[1];
		a->serial = 0x40000000u | (uint32_t)(gen_rng_next(L) & 0xffffff);
		a->rpi = ad[i].rpi;
	}
	S->next_conn_serial = (uint16_t)(0x100 + gen_rng_below(L, 0x1000));
	S->next_id = 0x10000000u | (uint32_t)(gen_rng_next(L) & 0x00fff000);
	S->speed_sp = 1450;
}

void enip_free(struct plant *P)
{
	free(P->enip);
	P->enip = NULL;
}

void enip_tasks(struct plant *P)
{
	int i;

	plant_task_every(P, T_ENIP_CONNECT, 0, 0, 0, 0,
			 P->start + 20 * GEN_MSEC + gen_rng_below(&P->rng, 400000));
	for (i = 0; i < 2; i++)
		plant_task_every(P, T_ENIP_IO, i, 0, (double)site(P)->io[i].rpi / 1e6, 5,
				 P->start + GEN_SEC + gen_rng_below(&P->rng, 200000));
	plant_task_every(P, T_ENIP_HMI, 0, 0, 2.0, 10, plant_phase(P, 2.0) + GEN_SEC);
	plant_task_every(P, T_ENIP_LISTID, 0, 0, 300.0, 20, plant_phase(P, 300.0));
}

/* The scanner opens adapter a's connection over a short TCP session. */
static gen_time scanner_open(struct plant *P, struct enip_adapter *a, gen_time t, uint32_t rpi)
{
	struct enip_site *S = site(P);
	struct gen_tcp c;
	struct gen_buf rq, rs, cip;
	uint32_t session = 0x00010000u + a->h->ip % 251;

	t = plant_session_open(P, &c, S->plc, a->h, ENIP_PORT, t);
	register_session(&rq, 0, ++S->ctx);
	register_session(&rs, session, S->ctx);
	t = plant_tcp_rr(P, &c, t, &rq, &rs, 1, 5);
	a->conn_serial = S->next_conn_serial++;
	a->to_id = S->next_id++;
	a->ot_id = S->next_id++ | 0x80000000u;
	a->rpi = rpi;
	forward_open_req(&cip, a->to_id, a->conn_serial, S->plc_serial, rpi);
	rr_data(&rq, session, ++S->ctx, &cip);
	forward_open_reply(&cip, a->ot_id, a->to_id, a->conn_serial, S->plc_serial, rpi);
	rr_data(&rs, session, S->ctx, &cip);
	t = plant_tcp_rr(P, &c, plant_chan_ready(P, &c, t + GEN_MSEC), &rq, &rs, 2, 10);
	plant_session_close(P, &c, 5, 30);
	a->up = 1;
	a->cseq_ot = a->cseq_to = 0;
	return t;
}

/* The scanner closes adapter a's connection (Forward Close). */
static gen_time scanner_close(struct plant *P, struct enip_adapter *a, gen_time t)
{
	struct enip_site *S = site(P);
	struct gen_tcp c;
	struct gen_buf rq, rs, cip;
	uint32_t session = 0x00010000u + a->h->ip % 251 + 1;

	t = plant_session_open(P, &c, S->plc, a->h, ENIP_PORT, t);
	register_session(&rq, 0, ++S->ctx);
	register_session(&rs, session, S->ctx);
	t = plant_tcp_rr(P, &c, t, &rq, &rs, 1, 5);
	forward_close_req(&cip, a->conn_serial, S->plc_serial);
	rr_data(&rq, session, ++S->ctx, &cip);
	forward_close_reply(&cip, a->conn_serial, S->plc_serial);
	rr_data(&rs, session, S->ctx, &cip);
	a->up = 0;
	t = plant_tcp_rr(P, &c, plant_chan_ready(P, &c, t + GEN_MSEC), &rq, &rs, 2, 10);
	plant_session_close(P, &c, 5, 30);
	return t;
}

static void hmi_connect(struct plant *P, gen_time t)
{
	struct enip_site *S = site(P);
	struct gen_buf rq, rs;

	gen_tcp_init(&S->hmi, &P->rng, P->hmi1, S->plc, ENIP_PORT);
	t = plant_chan_ready(P, &S->hmi, gen_tcp_connect(&P->w, &P->rng, &S->hmi, t));
	S->hmi_session = 0x00020000u + (uint32_t)gen_rng_below(&P->rng, 0xffff);
	register_session(&rq, 0, ++S->ctx);
	register_session(&rs, S->hmi_session, S->ctx);
	plant_tcp_rr(P, &S->hmi, t, &rq, &rs, 1, 4);
}

/* One class 1 cycle of adapter i: outputs from the scanner, inputs back.
 * The task follows the connection's RPI. */
static void io_cycle(struct plant *P, struct task *tk)
{
	struct enip_site *S = site(P);
	int i = tk->a;
	struct enip_adapter *a = &S->io[i];
	gen_time t = tk->fire;
	uint8_t out[8], in[16];
	struct gen_buf g;
	int k;

	if (tk->period != (gen_time)a->rpi) {
		tk->period = (gen_time)a->rpi;
		tk->jitter = tk->period / 1000 * 5;
	}
	if (a->cut_at && t >= a->cut_at) {
		if (!a->cut_noted) {
			/* the truth's time is the last frame before the silence */
			struct truth *e = plant_truth_add(P, a->last_frame, S->plc, a->h, "enip",
							  "the drive drops off the network: its "
							  "class 1 I/O with the controller stops "
							  "both ways");

			plant_truth_kinds(e, "io_silent", "", "", "");
			a->cut_noted = 1;
		}
		return;
	}
	memset(out, 0, sizeof(out));
	memset(in, 0, sizeof(in));
	if (a->up && t >= S->pause_until) {
		out[0] = (uint8_t)(0x05 ^ (i << 4));
		put_le32(out + 4, S->speed_sp);
		a->cseq_ot++;
		io_datagram(&g, a->ot_id, ++a->eseq_ot, a->cseq_ot, 1, out, sizeof(out));
		gen_udp(&P->w, t, S->plc, ENIP_IO_PORT, a->h, ENIP_IO_PORT, g.b, g.n);
		a->last_frame = t;
		for (k = 0; k < 16; k += 4)
			put_le32(in + k, (uint32_t)(1000 + 37 * k + (uint32_t)((t / GEN_SEC) % 50)));
		if (!a->hijacked) {
			a->cseq_to++;
			io_datagram(&g, a->to_id, ++a->eseq_to, a->cseq_to, 0, in, sizeof(in));
			gen_udp(&P->w, t + a->rpi / 2, a->h, ENIP_IO_PORT, S->plc, ENIP_IO_PORT,
				g.b, g.n);
			a->last_frame = t + a->rpi / 2;
		}
	}
	if (a->hijacked) {      /* the rogue originator's connection */
		a->rogue_cseq++;
		io_datagram(&g, a->rogue_ot, ++a->rogue_eseq, a->rogue_cseq, 1, out, sizeof(out));
		gen_udp(&P->w, t + a->rpi / 4, P->rogue, ENIP_IO_PORT, a->h, ENIP_IO_PORT, g.b, g.n);
		io_datagram(&g, a->rogue_to, a->rogue_eseq, a->rogue_cseq, 0, in, sizeof(in));
		gen_udp(&P->w, t + a->rpi * 3 / 4, a->h, ENIP_IO_PORT, P->rogue, ENIP_IO_PORT,
			g.b, g.n);
	}
}

/* Read Tag of one element through Unconnected Send; the controller answers
 * with a value of type (0xca REAL, 0xc4 DINT). */
static gen_time hmi_read(struct plant *P, const char *tag, unsigned type, uint32_t value, gen_time t)
{
	struct enip_site *S = site(P);
	struct gen_buf path, req, cip, rq, rs;

	symbol_path(&path, tag);
	cip_req(&req, 0x4c, path.b, path.n);
	gb_le16(&req, 1);
	unconnected_send(&cip, &req);
	rr_data(&rq, S->hmi_session, ++S->ctx, &cip);
	cip_reply(&cip, 0x4c);
	gb_le16(&cip, type);
	gb_le32(&cip, value);
	rr_data(&rs, S->hmi_session, S->ctx, &cip);
	return plant_tcp_rr(P, &S->hmi, plant_chan_ready(P, &S->hmi, t), &rq, &rs, 2, 12);
}

/* Write Tag of one DINT element, through Unconnected Send. */
static void write_tag(struct gen_buf *cip, const char *tag, uint32_t value)
{
	struct gen_buf path, req;

	symbol_path(&path, tag);
	cip_req(&req, 0x4d, path.b, path.n);
	gb_le16(&req, 0xc4);
	gb_le16(&req, 1);
	gb_le32(&req, value);
	unconnected_send(cip, &req);
}

static gen_time hmi_write(struct plant *P, const char *tag, uint32_t value, gen_time t)
{
	struct enip_site *S = site(P);
	struct gen_buf cip, rq, rs;

	write_tag(&cip, tag, value);
	rr_data(&rq, S->hmi_session, ++S->ctx, &cip);
	cip_reply(&cip, 0x4d);
	rr_data(&rs, S->hmi_session, S->ctx, &cip);
	return plant_tcp_rr(P, &S->hmi, plant_chan_ready(P, &S->hmi, t), &rq, &rs, 3, 15);
}

/* hmi1's scan cycle (2 s): Tank_Level every cycle, Line_Speed every fifth,
 * Speed_SP written every sixtieth. */
static void hmi_cycle(struct plant *P, struct task *tk)
{
	struct enip_site *S = site(P);
	uint32_t n = tk->tick++;
	gen_time t = tk->fire;
	uint32_t level;

	if (!S->hmi.open || t < S->pause_until)
		return;
	level = 0x42480000u + (uint32_t)((t / GEN_SEC) % 97) * 0x1000u;   /* ~50.0 as REAL */
	t = hmi_read(P, "Tank_Level", 0xca, level, t);
	if (n % 5 == 0)
		t = hmi_read(P, "Line_Speed", 0xc4, S->speed_sp - 3 + (uint32_t)(n % 7), t);
	if (n % 60 == 30) {
		S->speed_sp = S->speed_sp == 1450 ? 1460 : 1450;
		hmi_write(P, "Speed_SP", S->speed_sp, t);
	}
}

/* The cell's device h answers the ListIdentity request rq with its
 * identity (the request's sender context echoed); 0, or -1 when h is not
 * one of the cell's devices. */
static int identity_answer(struct enip_site *S, const struct gen_host *h,
			   const struct gen_buf *rq, struct gen_buf *rs)
{
	static const unsigned plc_rev[2] = { 32, 11 };
	int i;

	if (h == S->plc) {
		list_identity_reply(rs, h, 0x0e, 166, plc_rev, S->plc_serial,
				    "1756-L83E/B LOGIX5583E");
	} else {
		for (i = 0; i < 2 && S->io[i].h != h; i++)
			;
		if (i == 2)
			return -1;
		list_identity_reply(rs, h, S->io[i].devtype, S->io[i].prodcode, S->io[i].rev,
				    S->io[i].serial, S->io[i].product);
	}
	memcpy(rs->b + 12, rq->b + 12, 8);
	return 0;
}

/* hmi1 asks each device who it is (ListIdentity, unicast UDP). */
static void list_identity(struct plant *P, gen_time t)
{
	struct enip_site *S = site(P);
	struct gen_buf rq, rs;
	uint16_t sport = gen_host_port(P->hmi1);
	int i;

	for (i = 0; i < 3; i++) {
		struct gen_host *h = i == 0 ? S->plc : S->io[i - 1].h;

		encap(&rq, 0x0063, 0, ++S->ctx, NULL);
		gen_udp(&P->w, t, P->hmi1, sport, h, ENIP_PORT, rq.b, rq.n);
		identity_answer(S, h, &rq, &rs);
		gen_udp(&P->w, t + plant_think(P, 1, 8), h, ENIP_PORT, P->hmi1, sport, rs.b, rs.n);
		t += plant_think(P, 20, 60);
	}
}

void enip_run_task(struct plant *P, struct task *tk)
{
	struct enip_site *S = site(P);
	gen_time t = tk->fire;

	switch (tk->kind) {
	case T_ENIP_CONNECT:
		t = scanner_open(P, &S->io[0], t, S->io[0].rpi);
		t = scanner_open(P, &S->io[1], t + plant_think(P, 5, 20), S->io[1].rpi);
		hmi_connect(P, t + plant_think(P, 50, 300));
		break;
	case T_ENIP_IO:
		io_cycle(P, tk);
		break;
	case T_ENIP_HMI:
		hmi_cycle(P, tk);
		break;
	case T_ENIP_LISTID:
		list_identity(P, t);
		break;
	default:
		break;
	}
}

void enip_close(struct plant *P, gen_time t)
{
	struct enip_site *S = site(P);

	if (S && S->hmi.open)
		gen_tcp_close(&P->w, &P->rng, &S->hmi, t > S->hmi.busy ? t : S->hmi.busy + GEN_MSEC);
}

/* ------------------------------------------------------------------ attacks */

/* A short session from src to dst carrying one CIP request and its reply;
 * *sent (when not NULL): the time of the request's frame. */
static gen_time one_request(struct plant *P, struct gen_host *src, struct gen_host *dst,
			    const struct gen_buf *req, const struct gen_buf *resp, gen_time t,
			    gen_time *sent)
{
	struct enip_site *S = site(P);
	struct gen_tcp c;
	struct gen_buf rq, rs;
	uint32_t session = 0x00030000u + (uint32_t)gen_rng_below(&P->rng, 0xffff);

	t = plant_session_open(P, &c, src, dst, ENIP_PORT, t);
	register_session(&rq, 0, ++S->ctx);
	register_session(&rs, session, S->ctx);
	t = plant_tcp_rr(P, &c, t, &rq, &rs, 1, 5);
	rr_data(&rq, session, ++S->ctx, req);
	rr_data(&rs, session, S->ctx, resp);
	t = plant_chan_ready(P, &c, t + GEN_MSEC);
	if (sent)
		*sent = t;
	t = plant_tcp_rr(P, &c, t, &rq, &rs, 2, 15);
	plant_session_close(P, &c, 20, 200);
	return t;
}

/* The engineering station resets the controller (Identity object Reset);
 * the controller restarts its I/O and sessions ten seconds later. */
static void attack_reset(struct plant *P, gen_time t)
{
	static const uint8_t identity[] = { 0x20, 0x01, 0x24, 0x01 };
	struct enip_site *S = site(P);
	struct gen_buf req, resp;
	struct truth *e;
	gen_time tr;
	int i;

	cip_req(&req, 0x05, identity, sizeof(identity));
	gb_u8(&req, 0);                 /* reset type 0: power cycle */
	cip_reply(&resp, 0x05);
	tr = one_request(P, P->es, S->plc, &req, &resp, t, NULL) + 10 * GEN_SEC;
	for (i = 0; i < 2; i++)
		tr = scanner_open(P, &S->io[i], tr + plant_think(P, 5, 20), S->io[i].rpi);
	S->pause_until = tr + 100 * GEN_MSEC;
	e = plant_truth_add(P, t, P->es, S->plc, "enip",
			    "engineering station resets the controller (Identity object "
			    "Reset, service 0x05); its I/O restarts 10 s later");
	plant_truth_kinds(e, "new_protocol", "new_edge,new_function",
			  "cip_identity_reset", "9500001");
}

/* A rogue originator opens the I/O block's exclusive-owner connection; the
 * adapter then produces its inputs for the rogue instead of the scanner. */
static void attack_rogue_open(struct plant *P, gen_time t)
{
	struct enip_site *S = site(P);
	struct enip_adapter *a = &S->io[0];
	struct gen_buf req, resp;
	struct truth *e;
	uint16_t serial = 0x7777;
	uint32_t rserial = 0x0badcafe;

	a->rogue_to = 0x66000001u;
	a->rogue_ot = 0x99000001u;
	forward_open_req(&req, a->rogue_to, serial, rserial, a->rpi);
	forward_open_reply(&resp, a->rogue_ot, a->rogue_to, serial, rserial, a->rpi);
	one_request(P, P->rogue, a->h, &req, &resp, t, NULL);
	a->hijacked = 1;
	e = plant_truth_add(P, t, P->rogue, a->h, "enip",
			    "unknown host opens the I/O block's class 1 connection "
			    "(Forward Open): the adapter now produces for it");
	plant_truth_kinds(e, "new_io_connection",
			  "new_asset,new_protocol,new_edge,io_silent,new_function", "", "");
}

/* hmi1 sets the controller's TCP/IP interface configuration control
 * (class 0xf5, attribute 3) to DHCP: a write of a critical attribute. */
static void attack_set_attribute(struct plant *P, gen_time t)
{
	static const uint8_t tcpip[] = { 0x20, 0xf5, 0x24, 0x01, 0x30, 0x03 };
	struct enip_site *S = site(P);
	struct gen_buf req, cip, rq, rs;
	struct truth *e;

	if (!S->hmi.open)
		return;
	t = plant_chan_ready(P, &S->hmi, t);
	cip_req(&req, 0x10, tcpip, sizeof(tcpip));
	gb_le32(&req, 2);               /* configuration from DHCP */
	rr_data(&rq, S->hmi_session, ++S->ctx, &req);
	cip_reply(&cip, 0x10);
	rr_data(&rs, S->hmi_session, S->ctx, &cip);
	plant_tcp_rr(P, &S->hmi, t, &rq, &rs, 3, 15);
	e = plant_truth_add(P, t, P->hmi1, S->plc, "enip",
			    "HMI sets the controller's TCP/IP configuration control "
			    "(Set_Attribute_Single class 0xf5 attribute 3)");
	plant_truth_kinds(e, "new_function", "unexpected_write,unexpected_sequence", "", "");
}

/* The drive drops off the network (cable cut): its I/O stops both ways
 * (io_cycle records the truth at the last frame). */
static void attack_io_silent(struct plant *P, gen_time t)
{
	site(P)->io[1].cut_at = t;
}

/* The scanner re-opens the I/O block's connection with RPI 50 ms. */
static void attack_rpi_change(struct plant *P, gen_time t)
{
	struct enip_site *S = site(P);
	struct enip_adapter *a = &S->io[0];
	struct truth *e;
	gen_time tr;

	tr = scanner_close(P, a, t);
	e = plant_truth_add(P, tr, S->plc, a->h, "enip",
			    "the scanner re-opens the I/O block's connection with "
			    "RPI 50 ms instead of 200 ms");
	plant_truth_kinds(e, "io_connection_changed", "new_function", "", "");
	scanner_open(P, a, tr + plant_think(P, 50, 200), 50000);
}

/* The plant's OT devices (PLCs, outstations, adapters): the first max in
 * the plant's host order, sorted by address; returns how many. */
static int ot_devices(struct plant *P, struct gen_host **out, int max)
{
	int i, k, n = 0;

	for (i = 0; i < P->nhosts && n < max; i++) {
		struct gen_host *h = &P->hosts[i];

		if (strcmp(h->role, "plc") && strcmp(h->role, "outstation") &&
		    strcmp(h->role, "io_adapter"))
			continue;
		for (k = n; k > 0 && out[k - 1]->ip > h->ip; k--)
			out[k] = out[k - 1];
		out[k] = h;
		n++;
	}
	return n;
}

#define SWEEP_MAX 64            /* addresses one sweep covers */

/* A new host sweeps the plant's OT addresses for EtherNet/IP devices:
 * ListIdentity (UDP 44818, unicast, one socket) to each PLC, outstation
 * and adapter in address order (found before by a host discovery that
 * otsgen does not put on the wire).  The three EtherNet/IP devices answer
 * with the identity they give hmi1; the others do not speak EtherNet/IP
 * and stay silent. */
static void attack_list_identity_sweep(struct plant *P, gen_time t)
{
	struct enip_site *S = site(P);
	struct gen_host *sc = P->scanner, *to[SWEEP_MAX];
	struct gen_buf rq, rs;
	uint16_t sport = gen_host_port(sc);
	struct truth *e;
	int i, n = ot_devices(P, to, SWEEP_MAX);

	if (n == 0)
		return;
	e = plant_truth_add(P, t, sc, to[0], "enip",
			    "new host sends ListIdentity (UDP 44818) to every OT device "
			    "address in turn; the three EtherNet/IP devices answer "
			    "with their identity");
	plant_truth_kinds(e, "new_asset,new_protocol", "new_edge,new_function,scan",
			  "enip_list_identity_sweep", "9500007");
	for (i = 0; i < n; i++) {
		encap(&rq, 0x0063, 0, 0x5e000000u + (uint32_t)i, NULL);
		gen_udp(&P->w, t, sc, sport, to[i], ENIP_PORT, rq.b, rq.n);
		if (identity_answer(S, to[i], &rq, &rs) == 0)
			gen_udp(&P->w, t + plant_think(P, 1, 8), to[i], ENIP_PORT, sc, sport,
				rs.b, rs.n);
		t += plant_think(P, 30, 90);
	}
}

/* The rogue host registers a session with the controller and writes
 * Speed_SP (the drive's speed setpoint, written only by hmi1) through
 * Unconnected Send, as hmi1 does; the controller accepts it and sends the
 * new setpoint to the drive. */
static void attack_tag_write(struct plant *P, gen_time t)
{
	struct enip_site *S = site(P);
	struct gen_buf req, resp;
	struct truth *e;
	gen_time tw = t;

	write_tag(&req, "Speed_SP", 3000);
	cip_reply(&resp, 0x4d);
	one_request(P, P->rogue, S->plc, &req, &resp, t, &tw);
	S->speed_sp = 3000;
	e = plant_truth_add(P, tw, P->rogue, S->plc, "enip",
			    "new host writes the controller's Speed_SP tag (Logix Write "
			    "Tag 0x4d through Unconnected Send, 3000 instead of 1450/1460); "
			    "the controller accepts it");
	plant_truth_kinds(e, "new_asset,new_protocol", "new_edge,new_function,unexpected_write",
			  "cip_tag_write_non_operator", "9500006");
	plant_truth_operators(e, "CIP_OPERATORS");
}

void enip_attack(struct plant *P, gen_time t)
{
	switch (P->sc) {
	case SC_ENIP_RESET:
		attack_reset(P, t);
		break;
	case SC_ENIP_ROGUE_OPEN:
		attack_rogue_open(P, t);
		break;
	case SC_ENIP_SET_ATTRIBUTE:
		attack_set_attribute(P, t);
		break;
	case SC_ENIP_IO_SILENT:
		attack_io_silent(P, t);
		break;
	case SC_ENIP_RPI_CHANGE:
		attack_rpi_change(P, t);
		break;
	case SC_ENIP_LIST_IDENTITY_SWEEP:
		attack_list_identity_sweep(P, t);
		break;
	case SC_ENIP_TAG_WRITE:
		attack_tag_write(P, t);
		break;
	default:
		break;
	}
}
