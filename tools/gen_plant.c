/*
 * gen_plant.c - otsgen's plant: layout, device behaviour and scheduler.
 *
 * The plant (addresses from --plcs, identities and bands from --seed):
 *   hmi1, hmi2       Modbus/TCP masters polling every Modbus PLC in fixed
 *                    scan cycles (FC3/FC1, FC4/FC2); hmi1 also writes
 *                    setpoints (FC6/FC16), reads device identification
 *                    (43/14) when it connects and reads S7 PLCs.
 *   scada            DNP3 master: class polls (g60v2-4), integrity polls
 *                    (g60v1), confirms, device attributes (group 0); one
 *                    outstation over UDP, the rest over TCP.
 *   es               S7 engineering station: short sessions with SZL
 *                    0x0011 / 0x001C / 0x0424 reads.
 *   hist             historian: short Modbus and S7 read sessions.
 *   ws1, ws2, dns, ntp, gw, www   IT hosts and noise (DNS, NTP, HTTP).
 * Every random draw comes from the plant's own PRNG, one draw per
 * expression (C leaves the order inside an expression open), and process
 * values use integer arithmetic only: the same options give the same bytes
 * from any compiler on any machine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_plant.h"
#include "gen_enip.h"

const char *const scenario_names[SC_COUNT] = {
	"normal", "scan", "unauthorized_write", "polling_change",
	"value_out_of_range", "identity_change", "s7_stop", "s7_download",
	"dnp3_cold_restart", "dnp3_direct_operate_new_master", "external_modbus",
	"lateral_movement", "iec104_rogue_command", "iec104_reset_process",
	"iec104_interrogation_sweep", "iec104_gi_flood", "iec104_injected_iframe",
	"enip_identity_reset", "enip_rogue_forward_open",
	"enip_set_attribute", "enip_io_silent", "enip_rpi_change",
	"enip_list_identity_sweep", "enip_unauthorised_tag_write",
	"umas_download", "umas_stop",
	"new_address_range", "error_burst", "channel_silent", "new_protocol",
	"ip_mac_change", "iec104_station_silent",
};

/* ------------------------------------------------------------ utilities */

static gen_time tmax(gen_time a, gen_time b)
{
	return a > b ? a : b;
}

static uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}

/* Sine of a in 1/65536 turns, scaled to +-16384, in integer arithmetic
 * (Bhaskara I's approximation, within 0.2 %): the same bytes on every
 * machine, whatever its libm or floating-point contraction. */
static int64_t isin(uint32_t a)
{
	int64_t x = a & 0x7fff, p = x * (32768 - x);
	int64_t v = 16 * p * 16384 / (5LL * 32768 * 32768 - 4 * p);

	return (a & 0x8000) ? -v : v;
}

static int64_t sig_at(const struct sig *s, gen_time t, struct gen_rng *r)
{
	uint32_t a = (uint32_t)(((t + s->phase) % s->period) * 65536 / s->period);

	return s->base + s->amp * isin(a) / 16384 +
	       (int64_t)gen_rng_below(r, (uint32_t)(2 * s->noise + 1)) - s->noise;
}

static int64_t sig_hi(const struct sig *s)
{
	return s->base + s->amp + s->noise;
}

/* Periods near 60 s / (k + 0.382) or 60 s / (k + 0.618) (the golden
 * ratio's fractions), so that even the slowest poll (DNP3 integrity, every
 * 60 s) lands on well spread phases and a learning period sees the whole
 * band; random phase; noise 5 % of the amplitude. */
static void sig_init(struct sig *s, struct gen_rng *r, int64_t base, int64_t amp)
{
	static const int64_t periods_ms[] = { 37082, 43416, 97082, 157082 };

	s->base = base;
	s->amp = amp;
	/* one draw per statement: C leaves the order inside an expression open */
	s->period = periods_ms[gen_rng_below(r, 4)];
	s->period = (s->period + (int64_t)gen_rng_below(r, 200)) * GEN_MSEC;
	s->phase = (int64_t)gen_rng_below(r, (uint32_t)(s->period / GEN_MSEC)) * GEN_MSEC;
	s->noise = amp / 20;
}

static uint16_t u16_clamp(int64_t v)
{
	if (v < 0)
		return 0;
	if (v > 65535)
		return 65535;
	return (uint16_t)v;
}

/* ---------------------------------------------------------------- truth */

struct truth *plant_truth_add(struct plant *P, gen_time t, const struct gen_host *src,
			      const struct gen_host *dst, const char *proto,
			      const char *what)
{
	struct truth *e;

	if (P->ntruth >= MAX_TRUTH)
		return NULL;
	e = &P->truth[P->ntruth++];
	memset(e, 0, sizeof(*e));
	e->t = t;
	gen_ip_str(src->ip, e->src, sizeof(e->src));
	gen_ip_str(dst->ip, e->dst, sizeof(e->dst));
	e->proto = proto;
	e->what = what;
	return e;
}

/* Alert kinds, rule names and rule sids as comma-separated lists ("" for
 * none).  The sids assume --var MODBUS_OPERATORS=[hmi1] (and any operator
 * list plant_truth_operators names, also [hmi1]): the truth file's
 * "rule_vars". */
void plant_truth_kinds(struct truth *e, const char *expect, const char *allow,
		       const char *rules, const char *sids)
{
	if (!e)
		return;
	e->expect = expect;
	e->allow = allow;
	e->rules = rules;
	e->sids = sids;
}

void plant_truth_operators(struct truth *e, const char *var)
{
	if (e)
		e->operators_var = var;
}

/* ------------------------------------------------------------- counting */

void plant_count_mb(struct plant *P, const struct gen_buf *g)
{
	P->cnt.mb_msgs++;
	if (g->n > 7)
		P->cnt.mb_fc[g->b[7] & 0x7f]++;
}

/* One link frame carrying one application fragment. */
void plant_count_dnp3(struct plant *P, const struct gen_buf *app)
{
	P->cnt.dnp3_frames++;
	if (app->n > 1)
		P->cnt.dnp3_fc[app->b[1]]++;
}

void plant_count_s7(struct plant *P, unsigned rosctr, const struct gen_buf *param)
{
	P->cnt.s7_pdus++;
	if (rosctr == S7_USERDATA)
		P->cnt.s7_userdata++;
	else if (param->n)
		P->cnt.s7_func[param->b[0]]++;
}

/* ------------------------------------------------------ TCP conversation */

/* Delay before a device answers: lo..hi milliseconds. */
gen_time plant_think(struct plant *P, int lo_ms, int hi_ms)
{
	return (gen_time)lo_ms * GEN_MSEC +
	       (gen_time)gen_rng_below(&P->rng, (uint32_t)(hi_ms - lo_ms) * 1000 + 1);
}

/* Earliest time the client may send on c: 0.3-1 ms after what is already
 * queued.  The gap is a function of the last frame's time, so asking twice
 * gives the same answer (the truth file records the time a caller asked
 * for, and the frame must carry exactly that time). */
gen_time plant_chan_ready(struct plant *P, struct gen_tcp *c, gen_time t)
{
	uint64_t h = (uint64_t)c->busy * 0x9e3779b97f4a7c15ULL;

	(void)P;
	return tmax(t, c->busy + 300 + (gen_time)((h >> 40) % 700));
}

/* Client request at t, server answer after think time, client ACK.
 * Returns the time of the answer. */
gen_time plant_tcp_rr(struct plant *P, struct gen_tcp *c, gen_time t,
		      const struct gen_buf *req, const struct gen_buf *resp,
		      int lo_ms, int hi_ms)
{
	gen_time tr;

	gen_tcp_data(&P->w, c, 0, t, req);
	tr = t + plant_think(P, lo_ms, hi_ms);
	gen_tcp_data(&P->w, c, 1, tr, resp);
	gen_tcp_ack(&P->w, c, 0, tr + plant_think(P, 1, 40));
	return tr;
}

/* A short-lived session: handshake from cli at t; returns when the client
 * may send its first request. */
gen_time plant_session_open(struct plant *P, struct gen_tcp *c, struct gen_host *cli,
			    struct gen_host *srv, uint16_t port, gen_time t)
{
	gen_tcp_init(c, &P->rng, cli, srv, port);
	return plant_chan_ready(P, c, gen_tcp_connect(&P->w, &P->rng, c, t));
}

/* The client closes lo..hi ms after the last frame. */
gen_time plant_session_close(struct plant *P, struct gen_tcp *c, int lo_ms, int hi_ms)
{
	return gen_tcp_close(&P->w, &P->rng, c, c->busy + plant_think(P, lo_ms, hi_ms));
}

/* ---------------------------------------------------------------- Modbus */

static void mb_values(struct plant *P, struct mbplc *m, gen_time t, uint16_t *hr)
{
	int i;

	for (i = 0; i < 10; i++) {
		int64_t v = sig_at(&m->hr[i], t, &P->rng);

		if (i == m->oor_reg && t >= m->oor_from && t < m->oor_to)
			v = sig_hi(&m->hr[i]) + 3 * m->hr[i].amp;
		hr[i] = u16_clamp(v);
	}
	hr[10] = m->sp[0];
	hr[11] = m->sp[1];
}

static void mb_check_oor(struct plant *P, struct mbplc *m, gen_time tr,
			 const struct gen_host *reader)
{
	struct truth *e;

	if (m->oor_reg < 0 || tr < m->oor_from || tr >= m->oor_to)
		return;
	/* only the first response carrying the bad value is the event */
	e = plant_truth_add(P, tr, m->h, reader, "modbus",
			    "holding register 2 read far above its band "
			    "(process value out of range)");
	plant_truth_kinds(e, "value_out_of_range", "", "", "");
	m->oor_reg = -1;
}

/* One Modbus read exchange on c. */
gen_time plant_mb_read(struct plant *P, struct mbplc *m, struct gen_tcp *c,
		       unsigned *tid, gen_time t, unsigned fc)
{
	struct gen_buf req, resp;
	uint16_t regs[12];
	unsigned i, n;
	gen_time tr;

	*tid = (*tid + 1) & 0xffff;
	switch (fc) {
	case 1:
	case 2: {
		uint8_t *bits = fc == 1 ? m->coil : m->di;

		for (i = 0; i < 16; i++)
			if (gen_rng_below(&P->rng, 400) == 0)
				bits[i] ^= 1;
		mb_read_req(&req, *tid, 1, fc, 0, 16);
		mb_bits_resp(&resp, *tid, 1, fc, bits, 16);
		break;
	}
	case 3:
		mb_values(P, m, t, regs);
		mb_read_req(&req, *tid, 1, 3, 0, 12);
		mb_regs_resp(&resp, *tid, 1, 3, regs, 12);
		break;
	default:
		n = 8;
		for (i = 0; i < n; i++)
			regs[i] = u16_clamp(sig_at(&m->ir[i], t, &P->rng));
		mb_read_req(&req, *tid, 1, 4, 0, n);
		mb_regs_resp(&resp, *tid, 1, 4, regs, n);
		break;
	}
	if (t >= m->exc_from && t < m->exc_to)
		mb_exception(&resp, *tid, 1, fc, 0x04);         /* device failure */
	plant_count_mb(P, &req);
	plant_count_mb(P, &resp);
	tr = plant_tcp_rr(P, c, t, &req, &resp, 2, 12);
	if (fc == 3)
		mb_check_oor(P, m, tr, c->cli);
	if (t >= m->exc_from && t < m->exc_to && !m->exc_seen) {
		struct truth *e = plant_truth_add(P, tr, m->h, c->cli, "modbus",
						  "PLC answers every read with exception 0x04 "
						  "(server device failure) for 15 s");

		plant_truth_kinds(e, "error_burst", "unexpected_sequence,new_function", "", "");
		m->exc_seen = 1;
	}
	return tr;
}

/* Read Device Identification, regular objects (vendor, product code,
 * revision, vendor URL, product name, model name). */
gen_time plant_mb_devid(struct plant *P, struct mbplc *m, struct gen_tcp *c,
			unsigned *tid, gen_time t)
{
	const char *objs[6] = { m->vendor, m->product, m->revision, m->url,
				m->name, m->model };
	struct gen_buf req, resp;

	*tid = (*tid + 1) & 0xffff;
	mb_devid_req(&req, *tid, 1, 2, 0);
	mb_devid_resp(&resp, *tid, 1, 2, objs, 6);
	plant_count_mb(P, &req);
	plant_count_mb(P, &resp);
	return plant_tcp_rr(P, c, t, &req, &resp, 3, 15);
}

/* hmi1's setpoint writes: register 10 alternates between a day and a night
 * value (FC6); FC16 writes registers 10-11, register 11 alternating too. */
static void mb_write(struct plant *P, struct mbplc *m, struct chan *c,
		     gen_time t, unsigned fc, uint32_t cycle)
{
	struct gen_buf req, resp;

	c->tid = (c->tid + 1) & 0xffff;
	m->sp[0] = (cycle / 60) % 2 ? 650 : 700;
	if (fc == 6) {
		mb_write_single(&req, c->tid, 1, 10, m->sp[0]);
		mb_write_single(&resp, c->tid, 1, 10, m->sp[0]);
	} else {
		m->sp[1] = (cycle / 120) % 2 ? 55 : 45;
		mb_write_multi_req(&req, c->tid, 1, 10, m->sp, 2);
		mb_write_multi_resp(&resp, c->tid, 1, 10, 2);
	}
	plant_count_mb(P, &req);
	plant_count_mb(P, &resp);
	plant_tcp_rr(P, &c->tcp, t, &req, &resp, 3, 15);
}

/* ------------------------------------------------------------------ S7 */

/* A TCP connection from cli to the PLC, COTP connect with TSAPs for
 * connection type ctype (1 PG, 2 OP, 3 basic) to rack 0 slot 2, and S7
 * setup communication. */
gen_time plant_s7_open(struct plant *P, struct gen_tcp *c, struct gen_host *cli,
		       struct gen_host *plc, unsigned *pduref, gen_time t, unsigned ctype)
{
	struct gen_buf a, b, par;
	unsigned cref = 1 + gen_rng_below(&P->rng, 0xfffe);
	unsigned sref = 1 + gen_rng_below(&P->rng, 0xfffe);
	unsigned ltsap = ctype << 8, rtsap = (ctype << 8) | 0x02;   /* rack 0, slot 2 */

	gen_tcp_init(c, &P->rng, cli, plc, 102);
	t = gen_tcp_connect(&P->w, &P->rng, c, t) + plant_think(P, 0, 2);
	s7_cotp_cr(&a, cref, ltsap, rtsap);
	s7_cotp_cc(&b, cref, sref, ltsap, rtsap);
	t = plant_tcp_rr(P, c, t, &a, &b, 1, 5);

	*pduref = (*pduref + 1) & 0xffff;
	gb_reset(&par);
	gb_u8(&par, 0xf0);
	gb_u8(&par, 0);
	gb_be16(&par, 1);
	gb_be16(&par, 1);
	gb_be16(&par, 480);
	s7_pdu(&a, S7_JOB, *pduref, &par, NULL);
	plant_count_s7(P, S7_JOB, &par);
	gb_put_be16_at(&par, 5, 240);
	s7_pdu(&b, S7_ACK_DATA, *pduref, &par, NULL);
	plant_count_s7(P, S7_ACK_DATA, &par);
	return plant_tcp_rr(P, c, plant_chan_ready(P, c, t), &a, &b, 2, 10);
}

/* A job answered by an ack-data with the given parameter and data. */
gen_time plant_s7_job(struct plant *P, struct gen_tcp *c, unsigned *pduref,
		      gen_time t, const struct gen_buf *jpar, const struct gen_buf *jdata,
		      const struct gen_buf *apar, const struct gen_buf *adata)
{
	struct gen_buf a, b;

	*pduref = (*pduref + 1) & 0xffff;
	s7_pdu(&a, S7_JOB, *pduref, jpar, jdata);
	s7_pdu(&b, S7_ACK_DATA, *pduref, apar, adata);
	plant_count_s7(P, S7_JOB, jpar);
	plant_count_s7(P, S7_ACK_DATA, apar);
	return plant_tcp_rr(P, c, plant_chan_ready(P, c, t), &a, &b, 3, 20);
}

/* Read var item: S7ANY, byte-sized transfer. */
static void s7_item(struct gen_buf *par, unsigned area, unsigned db,
		    unsigned byte_off, unsigned len)
{
	gb_u8(par, 0x12);
	gb_u8(par, 0x0a);
	gb_u8(par, 0x10);
	gb_u8(par, 0x02);       /* transport size BYTE */
	gb_be16(par, len);
	gb_be16(par, db);
	gb_u8(par, area);
	gb_be24(par, byte_off * 8);
}

static void s7_item_data(struct gen_buf *data, const uint8_t *v, unsigned len, int last)
{
	gb_u8(data, 0xff);
	gb_u8(data, 0x04);      /* BYTE/WORD/DWORD: length in bits */
	gb_be16(data, len * 8);
	gb_bytes(data, v, len);
	if ((len & 1) && !last)
		gb_u8(data, 0);
}

static void put_real(uint8_t *p, float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	p[0] = (uint8_t)(u >> 24);
	p[1] = (uint8_t)(u >> 16);
	p[2] = (uint8_t)(u >> 8);
	p[3] = (uint8_t)u;
}

/* HMI cyclic read: DB1.DBB0 (4 REALs) and MB0..MB1. */
static gen_time s7_read_cycle(struct plant *P, struct s7plc *s, gen_time t)
{
	struct gen_buf jp, ap, ad;
	uint8_t v[16];
	int i;

	for (i = 0; i < 4; i++)
		put_real(v + 4 * i, (float)sig_at(&s->db[i], t, &P->rng) / 1000.0f);
	if (gen_rng_below(&P->rng, 50) == 0)
		s->flags[0] ^= (uint8_t)(1u << gen_rng_below(&P->rng, 8));
	gb_reset(&jp);
	gb_u8(&jp, 0x04);
	gb_u8(&jp, 2);
	s7_item(&jp, 0x84, 1, 0, 16);
	s7_item(&jp, 0x83, 0, 0, 2);
	gb_reset(&ap);
	gb_u8(&ap, 0x04);
	gb_u8(&ap, 2);
	gb_reset(&ad);
	s7_item_data(&ad, v, 16, 0);
	s7_item_data(&ad, s->flags, 2, 1);
	return plant_s7_job(P, &s->hmi.tcp, &s->hmi.tid, t, &jp, NULL, &ap, &ad);
}

/* Userdata SZL read (CPU functions, read SZL). */
static gen_time s7_szl(struct plant *P, struct s7plc *s, struct gen_tcp *c,
		       unsigned *pduref, gen_time t, unsigned id)
{
	struct gen_buf jp, jd, ap, ad, a, b;
	size_t lenpos;
	unsigned i;

	*pduref = (*pduref + 1) & 0xffff;
	gb_reset(&jp);
	gb_bytes(&jp, "\x00\x01\x12\x04\x11\x44\x01\x00", 8);
	gb_reset(&jd);
	gb_bytes(&jd, "\xff\x09\x00\x04", 4);
	gb_be16(&jd, id);
	gb_be16(&jd, 0);
	gb_reset(&ap);
	gb_bytes(&ap, "\x00\x01\x12\x08\x12\x84\x01\x01\x00\x00\x00\x00", 12);
	gb_reset(&ad);
	gb_u8(&ad, 0xff);
	gb_u8(&ad, 0x09);
	lenpos = ad.n;
	gb_be16(&ad, 0);
	gb_be16(&ad, id);
	gb_be16(&ad, 0);
	if (id == 0x0011) {
		gb_be16(&ad, 28);
		gb_be16(&ad, 3);
		gb_be16(&ad, 0x0001);
		gb_padstr(&ad, s->order, 20, ' ');
		gb_be16(&ad, 0x00c0);
		gb_be16(&ad, 0x0004);
		gb_be16(&ad, 0x0001);
		gb_be16(&ad, 0x0006);
		gb_padstr(&ad, s->order, 20, ' ');
		gb_be16(&ad, 0x00c0);
		gb_be16(&ad, 0x0004);
		gb_be16(&ad, 0x0001);
		gb_be16(&ad, 0x0007);
		gb_padstr(&ad, "", 20, ' ');
		gb_be16(&ad, 0x00c0);
		gb_u8(&ad, 'V');
		gb_u8(&ad, s->fw[0]);
		gb_u8(&ad, s->fw[1]);
		gb_u8(&ad, s->fw[2]);
	} else if (id == 0x001c) {
		const char *txt[5] = { s->name, s->module, s->plant,
				       "Original Siemens Equipment", s->serial };

		gb_be16(&ad, 34);
		gb_be16(&ad, 5);
		for (i = 0; i < 5; i++) {
			gb_be16(&ad, i + 1);
			gb_padstr(&ad, txt[i], 32, 0);
		}
	} else {                /* 0x0424: CPU mode, RUN */
		gb_be16(&ad, 20);
		gb_be16(&ad, 1);
		gb_bytes(&ad, "\x51\x44\xff\x08\x00\x00\x00\x00\x00\x00", 10);
		gb_bytes(&ad, "\x25\x12\x01\x12\x08\x30\x00\x00\x00\x04", 10);
	}
	gb_put_be16_at(&ad, lenpos, (unsigned)(ad.n - 4));
	s7_pdu(&a, S7_USERDATA, *pduref, &jp, &jd);
	s7_pdu(&b, S7_USERDATA, *pduref, &ap, &ad);
	plant_count_s7(P, S7_USERDATA, &jp);
	plant_count_s7(P, S7_USERDATA, &ap);
	return plant_tcp_rr(P, c, plant_chan_ready(P, c, t), &a, &b, 5, 25);
}

/* ---------------------------------------------------------------- DNP3 */

static void dnp3_send(struct plant *P, struct outst *o, int from_master, gen_time t,
		      const struct gen_buf *app)
{
	struct gen_buf f;
	unsigned tseq = from_master ? o->m.tseq_m++ : o->m.tseq_o++;

	if (from_master)
		dnp3_frame(&f, DNP3_CTRL_FROM_MASTER, o->addr, 1, tseq, app);
	else
		dnp3_frame(&f, DNP3_CTRL_FROM_OUTST, 1, o->addr, tseq, app);
	plant_count_dnp3(P, app);
	if (o->udp) {
		if (from_master)
			gen_udp(&P->w, t, P->scada, 20000, o->h, 20000, f.b, f.n);
		else
			gen_udp(&P->w, t, o->h, 20000, P->scada, 20000, f.b, f.n);
	} else {
		gen_tcp_data(&P->w, &o->m.tcp, !from_master, t, &f);
	}
}

static void dnp3_static(struct plant *P, struct outst *o, gen_time t, struct gen_buf *g)
{
	int i;

	gb_bytes(g, "\x01\x02\x00\x00\x07", 5);         /* g1v2, 0..7 */
	for (i = 0; i < 8; i++)
		gb_u8(g, 0x01 | (o->bi[i] ? 0x80 : 0));
	gb_bytes(g, "\x1e\x01\x00\x00\x03", 5);         /* g30v1, 0..3 */
	for (i = 0; i < 4; i++) {
		int32_t v = (int32_t)sig_at(&o->ai[i], t, &P->rng);

		gb_u8(g, 0x01);
		gb_le32(g, (uint32_t)v);
		o->ai_last[i] = v;
	}
}

/* Let the field move: binary changes and analog deadband crossings queue
 * events for the next class poll. */
static void dnp3_field(struct plant *P, struct outst *o, gen_time t)
{
	int i;

	for (i = 0; i < 8; i++)
		if (gen_rng_below(&P->rng, 300) == 0 && o->nbev < 8) {
			o->bi[i] ^= 1;
			o->bev_idx[o->nbev] = (uint8_t)i;
			o->bev_state[o->nbev] = o->bi[i];
			o->bev_t[o->nbev] = t - (gen_time)gen_rng_below(&P->rng, 4000000);
			o->nbev++;
		}
	for (i = 0; i < 4; i++) {
		int32_t v = (int32_t)sig_at(&o->ai[i], t, &P->rng);

		if (llabs((long long)v - o->ai_last[i]) > o->ai[i].amp / 2 &&
		    o->naev < 4) {
			o->aev_idx[o->naev] = (uint8_t)i;
			o->aev_val[o->naev] = v;
			o->naev++;
			o->ai_last[i] = v;
		}
	}
}

static int dnp3_events(struct outst *o, struct gen_buf *g)
{
	int i, any = o->nbev || o->naev;

	if (o->nbev) {          /* g2v2: binary input event with time */
		gb_bytes(g, "\x02\x02\x17", 3);
		gb_u8(g, o->nbev);
		for (i = 0; i < o->nbev; i++) {
			gb_u8(g, o->bev_idx[i]);
			gb_u8(g, 0x01 | (o->bev_state[i] ? 0x80 : 0));
			gb_leN(g, (uint64_t)(o->bev_t[i] / GEN_MSEC), 6);
		}
	}
	if (o->naev) {          /* g32v1: analog input event, 32-bit */
		gb_bytes(g, "\x20\x01\x17", 3);
		gb_u8(g, o->naev);
		for (i = 0; i < o->naev; i++) {
			gb_u8(g, o->aev_idx[i]);
			gb_u8(g, 0x01);
			gb_le32(g, (uint32_t)o->aev_val[i]);
		}
	}
	o->nbev = o->naev = 0;
	return any;
}

static void dnp3_attr(struct gen_buf *g, unsigned var, const char *s)
{
	size_t l = strlen(s);

	gb_u8(g, 0);
	gb_u8(g, var);
	gb_u8(g, 0x00);
	gb_u8(g, 0);
	gb_u8(g, 0);
	gb_u8(g, 1);            /* VSTR */
	gb_u8(g, (unsigned)l);
	gb_bytes(g, s, l);
}

/* Master request, outstation response, and a confirm when asked for.
 * After a cold restart the outstation reports IIN1.7 (device restart) until
 * the master clears it by writing g80v1 index 7, as masters do. */
gen_time plant_dnp3_poll(struct plant *P, struct outst *o, gen_time t, enum dnp3_req kind)
{
	struct gen_buf req, resp, conf;
	unsigned seq = o->m.app_seq++ & 0x0f;
	int con = 0;
	gen_time tr, tc;

	if (!o->udp)
		t = plant_chan_ready(P, &o->m.tcp, t);
	gb_reset(&req);
	gb_u8(&req, 0xc0 | seq);
	gb_u8(&req, kind == DR_COLD_RESTART ? 13 : kind == DR_CLEAR_RESTART ? 2 : 1);
	if (kind == DR_CLEAR_RESTART) {
		gb_bytes(&req, "\x50\x01\x00\x07\x07\x00", 6);
		o->restarted = 0;
	} else if (kind == DR_EVENTS || kind == DR_INTEGRITY) {
		gb_bytes(&req, "\x3c\x02\x06\x3c\x03\x06\x3c\x04\x06", 9);
		if (kind == DR_INTEGRITY)
			gb_bytes(&req, "\x3c\x01\x06", 3);
	} else if (kind == DR_ATTRS) {
		static const unsigned vars[4] = { 252, 250, 242, 248 };
		int i;

		for (i = 0; i < 4; i++) {
			gb_u8(&req, 0);
			gb_u8(&req, vars[i]);
			gb_bytes(&req, "\x00\x00\x00", 3);
		}
	}
	dnp3_send(P, o, 1, t, &req);

	dnp3_field(P, o, t);
	gb_reset(&resp);
	gb_u8(&resp, 0xc0 | seq);
	gb_u8(&resp, 0x81);
	gb_u8(&resp, o->restarted ? 0x80 : 0x00);       /* IIN1 */
	gb_u8(&resp, 0x00);     /* IIN2 */
	if (kind == DR_EVENTS || kind == DR_INTEGRITY) {
		con = dnp3_events(o, &resp);
		if (kind == DR_INTEGRITY)
			dnp3_static(P, o, t, &resp);
		if (con)        /* events sent: ask for a confirm */
			resp.b[0] |= 0x20;
	} else if (kind == DR_ATTRS) {
		dnp3_attr(&resp, 252, o->maker);
		dnp3_attr(&resp, 250, o->model);
		dnp3_attr(&resp, 242, o->fw);
		dnp3_attr(&resp, 248, o->serial);
	} else if (kind == DR_COLD_RESTART) {
		gb_bytes(&resp, "\x34\x02\x07\x01", 4);  /* g52v2: delay, ms */
		gb_le16(&resp, 5000);
		o->restarted = 1;
	}
	tr = t + plant_think(P, 5, 30);
	dnp3_send(P, o, 0, tr, &resp);
	if (!con) {
		if (!o->udp)
			gen_tcp_ack(&P->w, &o->m.tcp, 0, tr + plant_think(P, 1, 40));
		if (o->restarted && kind != DR_COLD_RESTART)
			return plant_dnp3_poll(P, o, tr + plant_think(P, 20, 60), DR_CLEAR_RESTART);
		return tr;
	}
	gb_reset(&conf);
	gb_u8(&conf, 0xc0 | seq);
	gb_u8(&conf, 0x00);
	tc = tr + plant_think(P, 1, 5);
	dnp3_send(P, o, 1, tc, &conf);
	if (!o->udp)
		gen_tcp_ack(&P->w, &o->m.tcp, 1, tc + plant_think(P, 1, 20));
	if (o->restarted)
		return plant_dnp3_poll(P, o, tc + plant_think(P, 20, 60), DR_CLEAR_RESTART);
	return tr;
}

/* --------------------------------------------------------------- IT noise */

static const char *const dns_names[] = {
	"intranet.plant.local", "mail.plant.local", "www.example.com",
	"time.plant.local", "update.example.net", "wiki.plant.local",
};

static void it_dns(struct plant *P, struct gen_host *ws, gen_time t)
{
	struct gen_buf q;
	const char *name = dns_names[gen_rng_below(&P->rng, 6)], *p;
	unsigned id = gen_rng_below(&P->rng, 65536);
	uint16_t sport = gen_host_port(ws);
	size_t qend;

	gb_reset(&q);
	gb_be16(&q, id);
	gb_be16(&q, 0x0100);    /* standard query, recursion desired */
	gb_be16(&q, 1);
	gb_be16(&q, 0);
	gb_be16(&q, 0);
	gb_be16(&q, 0);
	for (p = name; *p;) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		gb_u8(&q, (unsigned)l);
		gb_bytes(&q, p, l);
		p += l + (dot ? 1 : 0);
	}
	gb_u8(&q, 0);
	gb_be16(&q, 1);         /* A */
	gb_be16(&q, 1);         /* IN */
	qend = q.n;
	gen_udp(&P->w, t, ws, sport, P->dns, 53, q.b, q.n);
	/* the answer: same question plus one A record */
	gb_put_be16_at(&q, 2, 0x8180);
	gb_put_be16_at(&q, 6, 1);
	q.n = qend;
	gb_be16(&q, 0xc00c);
	gb_be16(&q, 1);
	gb_be16(&q, 1);
	gb_be32(&q, 300);
	gb_be16(&q, 4);
	gb_be32(&q, strstr(name, "example") ? P->www->ip : ip4(10, 10, 5, 80));
	gen_udp(&P->w, t + plant_think(P, 1, 8), P->dns, 53, ws, sport, q.b, q.n);
}

static void ntp_packet(struct gen_buf *g, int server, gen_time t)
{
	uint64_t ntp = (uint64_t)(t / GEN_SEC + 2208988800LL) << 32 |
		       ((uint64_t)(t % GEN_SEC) << 32) / GEN_SEC;
	int i;

	gb_reset(g);
	gb_u8(g, server ? 0x24 : 0x23);  /* v4, mode 4 / mode 3 */
	gb_u8(g, server ? 2 : 0);        /* stratum */
	gb_u8(g, 6);
	gb_u8(g, server ? 0xe9 : 0xe9);
	gb_be32(g, server ? 0x00000200 : 0);
	gb_be32(g, server ? 0x00000400 : 0);
	gb_be32(g, server ? ip4(10, 10, 0, 1) : 0);
	for (i = 0; i < 3; i++) {
		gb_be32(g, server ? (uint32_t)(ntp >> 32) : 0);
		gb_be32(g, server ? (uint32_t)ntp : 0);
	}
	gb_be32(g, (uint32_t)(ntp >> 32));
	gb_be32(g, (uint32_t)ntp);
}

static void it_ntp(struct plant *P, struct gen_host *h, gen_time t)
{
	struct gen_buf g;
	gen_time tr = t + plant_think(P, 0, 2);

	ntp_packet(&g, 0, t);
	gen_udp(&P->w, t, h, 123, P->ntp, 123, g.b, g.n);
	ntp_packet(&g, 1, tr);
	gen_udp(&P->w, tr, P->ntp, 123, h, 123, g.b, g.n);
}

static void it_http(struct plant *P, struct gen_host *ws, gen_time t)
{
	static const char body[] = "<html><body>ok</body></html>\n";
	struct gen_tcp c;
	struct gen_buf req, resp;
	int n;

	t = plant_session_open(P, &c, ws, P->www, 80, t);
	gb_reset(&req);
	n = snprintf((char *)req.b, sizeof(req.b),
		     "GET /status HTTP/1.1\r\nHost: www.example.com\r\n"
		     "User-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n");
	req.n = (size_t)n;
	gb_reset(&resp);
	n = snprintf((char *)resp.b, sizeof(resp.b),
		     "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
		     "Content-Length: %zu\r\n\r\n%s", sizeof(body) - 1, body);
	resp.n = (size_t)n;
	t = plant_tcp_rr(P, &c, t, &req, &resp, 15, 60);
	plant_session_close(P, &c, 5, 50);
}

/* -------------------------------------------------------------- sessions */

static gen_time hist_mb(struct plant *P, struct mbplc *m, gen_time t)
{
	struct gen_tcp c;
	unsigned tid = gen_rng_below(&P->rng, 1000);

	t = plant_session_open(P, &c, P->hist, m->h, 502, t);
	plant_mb_read(P, m, &c, &tid, t, 3);
	plant_mb_read(P, m, &c, &tid, plant_chan_ready(P, &c, c.busy), 4);
	return plant_session_close(P, &c, 2, 20);
}

static gen_time hist_s7(struct plant *P, struct s7plc *s, gen_time t)
{
	struct gen_tcp c;
	struct gen_buf jp, ap, ad;
	unsigned ref = 0;
	uint8_t v[8];
	int i;

	t = plant_s7_open(P, &c, P->hist, s->h, &ref, t, 3);
	for (i = 0; i < 2; i++) {
		s->counters[i] += 1 + gen_rng_below(&P->rng, 40);
		v[4 * i] = (uint8_t)(s->counters[i] >> 24);
		v[4 * i + 1] = (uint8_t)(s->counters[i] >> 16);
		v[4 * i + 2] = (uint8_t)(s->counters[i] >> 8);
		v[4 * i + 3] = (uint8_t)s->counters[i];
	}
	gb_reset(&jp);
	gb_u8(&jp, 0x04);
	gb_u8(&jp, 1);
	s7_item(&jp, 0x84, 10, 0, 8);
	gb_reset(&ap);
	gb_u8(&ap, 0x04);
	gb_u8(&ap, 1);
	gb_reset(&ad);
	s7_item_data(&ad, v, 8, 1);
	plant_s7_job(P, &c, &ref, t, &jp, NULL, &ap, &ad);
	return plant_session_close(P, &c, 2, 20);
}

static gen_time es_session(struct plant *P, struct s7plc *s, gen_time t)
{
	struct gen_tcp c;
	unsigned ref = 0;

	t = plant_s7_open(P, &c, P->es, s->h, &ref, t, 1);
	t = s7_szl(P, s, &c, &ref, t, 0x0011);
	t = s7_szl(P, s, &c, &ref, t, 0x001c);
	s7_szl(P, s, &c, &ref, t, 0x0424);
	return plant_session_close(P, &c, 50, 400);
}

/* ------------------------------------------------------------- scheduler */

static int task_before(const void *x, const void *y)
{
	const struct task *a = x, *b = y;

	return a->fire < b->fire || (a->fire == b->fire && a->id < b->id);
}

static void sched(struct plant *P, struct task *t)
{
	if (gen_heap_push(&P->sched, t) != 0) {
		fprintf(stderr, "otsgen: out of memory\n");
		exit(1);
	}
}

static struct task *task_add(struct plant *P, int kind, int a, int b,
			     double period_s, int jitter_pm, gen_time first)
{
	struct task *t;

	if (P->ntasks == P->captasks)
		return NULL;    /* sized up front in plant_tasks() */
	t = &P->tasks[P->ntasks];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->a = a;
	t->b = b;
	t->period = (gen_time)(period_s * GEN_SEC);
	t->jitter = t->period / 1000 * jitter_pm;
	t->nominal = first;
	t->fire = first;
	t->id = (uint32_t)P->ntasks++;
	return t;
}

/* First firing somewhere in the first period, after the connections. */
static gen_time phase(struct plant *P, double period_s)
{
	return P->start + GEN_SEC +
	       (gen_time)gen_rng_below(&P->rng, (uint32_t)(period_s * 1000)) * GEN_MSEC;
}

void plant_task_add(struct plant *P, int kind, int a, int b, gen_time first)
{
	task_add(P, kind, a, b, 0, 0, first);
}

struct task *plant_task_every(struct plant *P, int kind, int a, int b, double period_s,
			      int jitter_pm, gen_time first)
{
	return task_add(P, kind, a, b, period_s, jitter_pm, first);
}

gen_time plant_phase(struct plant *P, double period_s)
{
	return phase(P, period_s);
}

static void plant_tasks(struct plant *P)
{
	int i, j;
	struct task *t;
	gen_time ta = P->start + (P->end - P->start) * 2 / 5, first;

	P->captasks = 16 * (P->nmb + P->ns7 + P->ndnp) + 32 + ENIP_TASKS;
	P->tasks = calloc((size_t)P->captasks, sizeof(*P->tasks));
	P->sched.before = task_before;
	if (!P->tasks) {
		fprintf(stderr, "otsgen: out of memory\n");
		exit(1);
	}
	for (i = 0; i < P->nmb; i++) {
		task_add(P, T_CONNECT_MB, i, 0, 0, 0,
			 P->start + 10 * GEN_MSEC + gen_rng_below(&P->rng, 400000));
		task_add(P, T_MB_LOOP, i, 1, 1.0, 10, phase(P, 1.0) + GEN_SEC);
		t = task_add(P, T_MB_LOOP, i, 2, 1.0, 10, phase(P, 1.0) + GEN_SEC);
		if (t && P->sc == SC_POLLING_CHANGE && i == 0)
			t->changed = 1;         /* the loop that will change */
		task_add(P, T_HIST_MB, i, 0, 30.0, 50, phase(P, 30.0));
	}
	for (i = 0; i < P->ndnp; i++) {
		if (!P->dn[i].udp)
			task_add(P, T_CONNECT_DNP3, i, 0, 0, 0,
				 P->start + 10 * GEN_MSEC + gen_rng_below(&P->rng, 400000));
		else
			task_add(P, T_CONNECT_DNP3, i, 0, 0, 0, P->start + 500 * GEN_MSEC);
		/* integrity polls fall half-way between class polls: the order
		 * of the two on the channel never depends on jitter */
		first = phase(P, 5.0) + GEN_SEC;
		task_add(P, T_DNP3_EVENTS, i, 0, 5.0, 10, first);
		task_add(P, T_DNP3_INTEGRITY, i, 0, 60.0, 10,
			 first + 2500 * GEN_MSEC + 5 * GEN_SEC * gen_rng_below(&P->rng, 12));
	}
	for (i = 0; i < P->ns7; i++) {
		task_add(P, T_CONNECT_S7, i, 0, 0, 0,
			 P->start + 10 * GEN_MSEC + gen_rng_below(&P->rng, 400000));
		task_add(P, T_S7_READ, i, 0, 2.0, 20, phase(P, 2.0) + GEN_SEC);
		task_add(P, T_HIST_S7, i, 0, 60.0, 50, phase(P, 60.0));
		task_add(P, T_ES, i, 0, 300.0, 200, phase(P, 300.0));
	}
	for (j = 0; j < 2; j++) {
		task_add(P, T_DNS, j, 0, 20.0, 500, phase(P, 20.0));
		task_add(P, T_HTTP, j, 0, 45.0, 500, phase(P, 45.0));
	}
	task_add(P, T_NTP, 0, 0, 64.0, 10, phase(P, 64.0));
	task_add(P, T_NTP, 1, 0, 64.0, 10, phase(P, 64.0));
	task_add(P, T_NTP, 2, 0, 64.0, 10, phase(P, 64.0));
	task_add(P, T_NTP, 3, 0, 64.0, 10, phase(P, 64.0));
	if (P->sc != SC_NORMAL)
		task_add(P, T_ATTACK, P->sc, 0, 0, 0, ta);
	enip_tasks(P);
	iec104_tasks(P);
	/* as reschedule(): nothing starts in the last second (a first firing
	 * of a long period can fall past a short capture) */
	for (i = 0; i < P->ntasks; i++)
		if (P->tasks[i].fire < P->end - GEN_SEC)
			sched(P, &P->tasks[i]);
}

void plant_mb_connect(struct plant *P, struct mbplc *m, gen_time t)
{
	gen_tcp_init(&m->hmi1.tcp, &P->rng, P->hmi1, m->h, 502);
	gen_tcp_init(&m->hmi2.tcp, &P->rng, P->hmi2, m->h, 502);
	t = gen_tcp_connect(&P->w, &P->rng, &m->hmi1.tcp, t);
	gen_tcp_connect(&P->w, &P->rng, &m->hmi2.tcp, t + plant_think(P, 5, 60));
	t = plant_mb_devid(P, m, &m->hmi1.tcp, &m->hmi1.tid, plant_chan_ready(P, &m->hmi1.tcp, t));
	if (P->sc == SC_IDENTITY && m == &P->mb[P->nmb > 1 ? 1 : 0]) {
		struct truth *e = plant_truth_add(P, t, m->h, P->hmi1, "modbus",
						  "PLC answers read device identification "
						  "with a new firmware revision");

		plant_truth_kinds(e, "identity_change", "", "", "");
	}
}

/* One scan cycle (1 s) of an HMI's Modbus driver for one PLC, in a fixed
 * order as real drivers do.  hmi1 (b 1): holding registers every 2 cycles,
 * coils every 5, a setpoint write (FC6) every 60 and both setpoints (FC16)
 * every 120.  hmi2 (b 2): input registers every 5 cycles, discrete inputs
 * every 10; after a polling_change the input registers every cycle. */
static void mb_loop(struct plant *P, struct mbplc *m, struct task *tk)
{
	uint32_t n = tk->tick++;
	struct chan *c = tk->b == 1 ? &m->hmi1 : &m->hmi2;
	struct gen_tcp *tcp = &c->tcp;
	gen_time t = tk->fire;

	if (!tcp->open || t < m->down_until)
		return;
	if (tk->b == 1) {
		if (n % 2 == 0)
			plant_mb_read(P, m, tcp, &c->tid, plant_chan_ready(P, tcp, t), 3);
		if (n % 5 == 0)
			plant_mb_read(P, m, tcp, &c->tid, plant_chan_ready(P, tcp, t), 1);
		if (n % 60 == 30)
			mb_write(P, m, c, plant_chan_ready(P, tcp, t), 6, n);
		if (n % 120 == 90)
			mb_write(P, m, c, plant_chan_ready(P, tcp, t), 16, n);
		return;
	}
	if (n % 5 == 0 || tk->changed >= 2) {
		gen_time ts = plant_chan_ready(P, tcp, t);

		plant_mb_read(P, m, tcp, &c->tid, ts, 4);
		if (tk->changed == 2 && n % 5 != 0) {
			struct truth *e = plant_truth_add(P, ts, P->hmi2, m->h, "modbus",
							  "input register poll (FC4) period "
							  "changes from 5 s to 1 s");

			plant_truth_kinds(e, "period_drift", "unexpected_sequence", "", "");
			tk->changed = 3;
		}
	}
	if (n % 10 == 0)
		plant_mb_read(P, m, tcp, &c->tid, plant_chan_ready(P, tcp, t), 2);
}

static void run_task(struct plant *P, struct task *tk)
{
	gen_time t = tk->fire;

	switch (tk->kind) {
	case T_CONNECT_MB:
		plant_mb_connect(P, &P->mb[tk->a], t);
		break;
	case T_MB_LOOP:
		mb_loop(P, &P->mb[tk->a], tk);
		break;
	case T_HIST_MB:
		hist_mb(P, &P->mb[tk->a], t);
		break;
	case T_CONNECT_DNP3: {
		struct outst *o = &P->dn[tk->a];

		if (!o->udp) {
			gen_tcp_init(&o->m.tcp, &P->rng, P->scada, o->h, 20000);
			t = gen_tcp_connect(&P->w, &P->rng, &o->m.tcp, t);
		}
		t = plant_dnp3_poll(P, o, t + plant_think(P, 1, 5), DR_ATTRS);
		plant_dnp3_poll(P, o, t + plant_think(P, 20, 60), DR_INTEGRITY);
		break;
	}
	case T_DNP3_EVENTS:
		plant_dnp3_poll(P, &P->dn[tk->a], t, DR_EVENTS);
		break;
	case T_DNP3_INTEGRITY:
		plant_dnp3_poll(P, &P->dn[tk->a], t, DR_INTEGRITY);
		break;
	case T_CONNECT_S7: {
		struct s7plc *s = &P->s7[tk->a];

		plant_s7_open(P, &s->hmi.tcp, P->hmi1, s->h, &s->hmi.tid, t, 2);
		break;
	}
	case T_S7_READ:
		s7_read_cycle(P, &P->s7[tk->a], t);
		break;
	case T_HIST_S7:
		hist_s7(P, &P->s7[tk->a], t);
		break;
	case T_ES:
		es_session(P, &P->s7[tk->a], t);
		break;
	case T_DNS:
		it_dns(P, P->ws[tk->a], t);
		break;
	case T_HTTP:
		it_http(P, P->ws[tk->a], t);
		break;
	case T_NTP: {
		struct gen_host *h[4] = { P->hmi1, P->hmi2, P->scada, P->hist };

		it_ntp(P, h[tk->a], t);
		break;
	}
	case T_ENIP_CONNECT:
	case T_ENIP_IO:
	case T_ENIP_HMI:
	case T_ENIP_LISTID:
		enip_run_task(P, tk);
		break;
	case T_ATTACK:
		attack_run(P, t);
		break;
	case T_IEC104:
		if ((tk->fire = iec104_task(P, tk)) != 0)
			sched(P, tk);
		break;
	default:
		break;
	}
}

static void reschedule(struct plant *P, struct task *tk)
{
	gen_time j;

	if (!tk->period)
		return;
	tk->nominal += tk->period;
	j = (gen_time)gen_rng_below(&P->rng, (uint32_t)(2 * tk->jitter / 10 + 1)) * 10 -
	    tk->jitter;
	tk->fire = tk->nominal + j;
	if (tk->fire < P->end - GEN_SEC)
		sched(P, tk);
}

static void close_all(struct plant *P)
{
	gen_time t = P->end - 500 * GEN_MSEC;
	int i;

	gen_writer_flush_before(&P->w, t);
	for (i = 0; i < P->nmb; i++) {
		struct gen_tcp *c[2] = { &P->mb[i].hmi1.tcp, &P->mb[i].hmi2.tcp };
		int k;

		for (k = 0; k < 2; k++)
			if (c[k]->open)
				gen_tcp_close(&P->w, &P->rng, c[k],
					      tmax(t, c[k]->busy + GEN_MSEC));
	}
	for (i = 0; i < P->ns7; i++)
		if (P->s7[i].hmi.tcp.open)
			gen_tcp_close(&P->w, &P->rng, &P->s7[i].hmi.tcp,
				      tmax(t, P->s7[i].hmi.tcp.busy + GEN_MSEC));
	for (i = 0; i < P->ndnp; i++)
		if (!P->dn[i].udp && P->dn[i].m.tcp.open)
			gen_tcp_close(&P->w, &P->rng, &P->dn[i].m.tcp,
				      tmax(t, P->dn[i].m.tcp.busy + GEN_MSEC));
	iec104_close(P, t);
	enip_close(P, t);
}

/* ----------------------------------------------------------- plant layout */

struct oui {
	uint8_t p[3];
	const char *vendor;
	uint32_t next;          /* next low 24 bits for this prefix */
};

enum {
	OUI_SIEMENS_A, OUI_SIEMENS_B, OUI_SCHNEIDER, OUI_ROCKWELL, OUI_SEL,
	OUI_DELL, OUI_HP, OUI_CISCO, OUI_RPI, OUI_INTEL, OUI_COUNT
};

static struct oui ouis[OUI_COUNT] = {
	{ { 0x00, 0x1b, 0x1b }, "Siemens AG", 0 },
	{ { 0x00, 0x0e, 0x8c }, "Siemens AG", 0 },
	{ { 0x00, 0x80, 0xf4 }, "TELEMECANIQUE ELECTRIQUE (Schneider Electric)", 0 },
	{ { 0x00, 0x00, 0xbc }, "Rockwell Automation", 0 },
	{ { 0x00, 0x30, 0xa7 }, "SCHWEITZER ENGINEERING LABORATORIES", 0 },
	{ { 0xf0, 0x1f, 0xaf }, "Dell Inc.", 0 },
	{ { 0x3c, 0xd9, 0x2b }, "Hewlett Packard", 0 },
	{ { 0x00, 0x1b, 0x54 }, "Cisco Systems, Inc", 0 },
	{ { 0xb8, 0x27, 0xeb }, "Raspberry Pi Foundation", 0 },
	{ { 0x00, 0x1b, 0x21 }, "Intel Corporate", 0 },
};

static struct gen_host *host_new(struct plant *P, const char *name, const char *role,
				 int oui, uint32_t ip, int windows)
{
	struct gen_host *h = &P->hosts[P->nhosts++];
	struct oui *o = &ouis[oui];
	uint32_t low = o->next;

	o->next = (o->next + 0x0a3c15) & 0xffffff;      /* odd stride: unique */
	memset(h, 0, sizeof(*h));
	h->name = name;
	h->role = role;
	h->vendor = o->vendor;
	memcpy(h->mac, o->p, 3);
	h->mac[3] = (uint8_t)(low >> 16);
	h->mac[4] = (uint8_t)(low >> 8);
	h->mac[5] = (uint8_t)low;
	h->ip = ip;
	h->ttl = windows ? 128 : 64;
	h->df = windows ? 1 : 0;
	h->win = windows ? 64240 : 8192;
	h->ip_id = (uint16_t)(ip * 2654435761u >> 16);
	h->next_port = windows ? 49700 : 40000;
	h->next_port = (uint16_t)(h->next_port + (ip & 0xff) * 7);
	return h;
}

struct gen_host *plant_host_new(struct plant *P, const char *name, const char *role,
				const char *vendor, unsigned a, unsigned b, unsigned c, unsigned d)
{
	int i;

	for (i = 0; i < OUI_COUNT; i++)
		if (strcmp(ouis[i].vendor, vendor) == 0)
			break;
	return host_new(P, name, role, i < OUI_COUNT ? i : OUI_INTEL, ip4(a, b, c, d), 0);
}

/* prefix followed by n, zero-padded to width digits; caller frees. */
static char *name_alloc(const char *prefix, int width, int n)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%s%0*d", prefix, width, n);
	return strdup(buf);
}

static void plant_layout(struct plant *P, int plcs)
{
	struct gen_rng L;
	int i, n;

	gen_rng_seed(&L, P->seed, 1);
	for (i = 0; i < OUI_COUNT; i++)
		ouis[i].next = (uint32_t)(gen_rng_next(&L) & 0xffffff);
	P->nmb = plcs;
	P->ns7 = plcs > 1 ? (plcs + 1) / 2 : 1;
	P->ndnp = (plcs > 1 ? (plcs + 1) / 2 : 1) + 1;
	n = 16 + P->nmb + P->ns7 + P->ndnp + IEC104_HOSTS + ENIP_HOSTS;
	P->hosts = calloc((size_t)n, sizeof(*P->hosts));
	P->mb = calloc((size_t)P->nmb, sizeof(*P->mb));
	P->s7 = calloc((size_t)P->ns7, sizeof(*P->s7));
	P->dn = calloc((size_t)P->ndnp, sizeof(*P->dn));
	if (!P->hosts || !P->mb || !P->s7 || !P->dn) {
		fprintf(stderr, "otsgen: out of memory\n");
		exit(1);
	}
	P->gw = host_new(P, "gw", "router", OUI_CISCO, ip4(10, 10, 0, 1), 0);
	P->hmi1 = host_new(P, "hmi1", "hmi", OUI_DELL, ip4(10, 10, 1, 10), 1);
	P->hmi2 = host_new(P, "hmi2", "hmi", OUI_HP, ip4(10, 10, 1, 11), 1);
	P->scada = host_new(P, "scada", "dnp3_master", OUI_DELL, ip4(10, 10, 1, 20), 1);
	P->es = host_new(P, "es", "engineering_station", OUI_HP, ip4(10, 10, 1, 30), 1);
	P->hist = host_new(P, "hist", "historian", OUI_DELL, ip4(10, 10, 1, 40), 1);
	P->ws[0] = host_new(P, "ws1", "it_workstation", OUI_DELL, ip4(10, 10, 5, 21), 1);
	P->ws[1] = host_new(P, "ws2", "it_workstation", OUI_HP, ip4(10, 10, 5, 22), 1);
	P->dns = host_new(P, "dns", "it_server", OUI_HP, ip4(10, 10, 5, 2), 0);
	P->ntp = host_new(P, "ntp", "it_server", OUI_HP, ip4(10, 10, 5, 3), 0);
	P->www = host_new(P, "www", "external_server", OUI_CISCO, ip4(93, 184, 216, 34), 0);
	P->www->l2_peer = P->gw->mac;
	P->www->ttl = 52;
	P->scanner = host_new(P, "scanner", "attacker", OUI_RPI, ip4(10, 10, 1, 99), 0);
	P->rogue = host_new(P, "rogue_master", "attacker", OUI_INTEL, ip4(10, 10, 1, 77), 1);
	P->ext = host_new(P, "external", "attacker", OUI_CISCO, ip4(45, 33, 32, 156), 0);
	P->ext->l2_peer = P->gw->mac;
	P->ext->ttl = 47;

	for (i = 0; i < P->nmb; i++) {
		struct mbplc *m = &P->mb[i];
		int k, schneider = (i % 2) == 0;

		m->h = host_new(P, name_alloc("plc-mb-", 1, i + 1), "plc",
				schneider ? OUI_SCHNEIDER : OUI_ROCKWELL,
				ip4(10, 10, 2 + i / 200, 10 + i % 200), 0);
		m->h->win = 2048;
		if (schneider) {
			m->vendor = "Schneider Electric";
			m->product = "BMX P34 2020";
			m->revision = "v3.20";
			m->url = "www.se.com";
			m->name = "Modicon M340";
			m->model = "BMXP342020";
		} else {
			m->vendor = "Rockwell Automation";
			m->product = "2080-LC50-24QWB";
			m->revision = "12.011";
			m->url = "www.rockwellautomation.com";
			m->name = "Micro850";
			m->model = "2080-LC50-24QWB";
		}
		for (k = 0; k < 10; k++) {
			int64_t base = 500 + 100 * k + gen_rng_below(&L, 100);

			sig_init(&m->hr[k], &L, base, 20 + gen_rng_below(&L, 200));
		}
		for (k = 0; k < 8; k++)
			sig_init(&m->ir[k], &L, 2000 + 250 * k, 50 + gen_rng_below(&L, 400));
		m->sp[0] = 700;
		m->sp[1] = 45;
		for (k = 0; k < 16; k++) {
			m->coil[k] = (uint8_t)gen_rng_below(&L, 2);
			m->di[k] = (uint8_t)gen_rng_below(&L, 2);
		}
		m->oor_reg = -1;
	}
	for (i = 0; i < P->ns7; i++) {
		struct s7plc *s = &P->s7[i];
		int k;

		s->h = host_new(P, name_alloc("plc-s7-", 1, i + 1), "plc",
				i % 2 ? OUI_SIEMENS_B : OUI_SIEMENS_A,
				ip4(10, 10, 40 + i / 200, 10 + i % 200), 0);
		s->h->win = 4096;
		s->order = "6ES7 315-2EH14-0AB0";
		s->fw[0] = 3;
		s->fw[1] = 2;
		s->fw[2] = 6;
		s->name = name_alloc("PLC_LINE_", 1, i + 1);
		s->module = "CPU 315-2 PN/DP";
		s->plant = "BOTTLING";
		s->serial = name_alloc("S C-H7K", 5, 31000 + (int)gen_rng_below(&L, 60000));
		for (k = 0; k < 4; k++)
			sig_init(&s->db[k], &L, 20000 + 15000 * k, 2000 + 1000 * k);
		s->counters[0] = gen_rng_below(&L, 100000);
		s->counters[1] = gen_rng_below(&L, 100000);
		s->flags[0] = 0x05;
		s->flags[1] = 0x80;
	}
	for (i = 0; i < P->ndnp; i++) {
		struct outst *o = &P->dn[i];
		int k, udp = i == P->ndnp - 1;

		o->udp = udp;
		o->addr = 10 + (unsigned)i;
		o->h = host_new(P, name_alloc(udp ? "rtu-dnp3-udp-" : "rtu-dnp3-", 1, i + 1),
				"outstation", OUI_SEL, ip4(10, 10, 80 + i / 200, 10 + i % 200), 0);
		o->h->win = 4096;
		o->maker = "SEL";
		o->model = udp ? "SEL-3505 RTAC" : "SEL-651R";
		o->fw = udp ? "R148-V2" : "R206-V1";
		o->serial = name_alloc("11", 8, (int)gen_rng_below(&L, 100000000));
		for (k = 0; k < 4; k++)
			sig_init(&o->ai[k], &L, 1000 * (k + 1), 100 + gen_rng_below(&L, 300));
		for (k = 0; k < 8; k++)
			o->bi[k] = (uint8_t)gen_rng_below(&L, 2);
	}
	iec104_layout(P, host_new, OUI_DELL, OUI_SIEMENS_B);
	enip_layout(P, &L);
	/* the identity change is a property of the firmware on the wire */
	if (P->sc == SC_IDENTITY) {
		struct mbplc *m = &P->mb[P->nmb > 1 ? 1 : 0];

		m->revision = strcmp(m->revision, "v3.20") == 0 ? "v3.40" : "12.013";
	}
}

void plant_free(struct plant *P)
{
	int i;

	for (i = 0; i < P->nmb; i++)
		free((char *)P->mb[i].h->name);
	for (i = 0; i < P->ns7; i++) {
		free((char *)P->s7[i].h->name);
		free((char *)P->s7[i].name);
		free((char *)P->s7[i].serial);
	}
	for (i = 0; i < P->ndnp; i++) {
		free((char *)P->dn[i].h->name);
		free((char *)P->dn[i].serial);
	}
	free(P->hosts);
	free(P->mb);
	free(P->s7);
	free(P->dn);
	iec104_free(P);
	enip_free(P);
	free(P->tasks);
	gen_heap_free(&P->sched);
}

void plant_init(struct plant *P, uint64_t seed, int plcs, enum scenario sc,
		gen_time epoch, gen_time normal_len, gen_time len)
{
	memset(P, 0, sizeof(*P));
	P->seed = seed;
	P->sc = sc;
	P->epoch = epoch;
	P->start = epoch + (sc != SC_NORMAL ? normal_len : 0);
	P->end = P->start + len;
	gen_rng_seed(&P->rng, seed, 2 + gen_hash_str(scenario_names[sc]));
	plant_layout(P, plcs);
	plant_tasks(P);
}

int plant_run(struct plant *P, const char *out)
{
	struct task *tk;
	int rc;

	if (gen_writer_open(&P->w, out) != 0) {
		fprintf(stderr, "otsgen: cannot write %s: %s\n", out, strerror(errno));
		return -1;
	}
	while ((tk = gen_heap_pop(&P->sched)) != NULL) {
		gen_writer_flush_before(&P->w, tk->fire);
		run_task(P, tk);
		reschedule(P, tk);
	}
	close_all(P);
	gen_writer_flush_before(&P->w, P->end + GEN_SEC);
	P->frames = P->w.packets;
	P->bytes = P->w.bytes;
	rc = gen_writer_close(&P->w);
	if (rc != 0)
		fprintf(stderr, "otsgen: error writing %s\n", out);
	return rc;
}
