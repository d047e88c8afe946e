/*
 * gen_iec104.c - otsgen's IEC 60870-5-104 substation: a controlling station
 * (the SCADA front end) with a TCP link to each of two RTUs, and the attack
 * scenarios against it.
 *
 * Each link: STARTDT act/con, then a general interrogation every 20 s
 * (C_IC_NA_1 act, actcon, the station's points with cause "interrogated by
 * station", actterm), measured values with time tag sent spontaneously,
 * cyclic measured values every 10 s, S-frames acknowledging every few
 * I-frames, a select-before-execute command now and then (single command on
 * the first RTU, double command on the second) with its confirmations and
 * the changed point reported back, and a clock synchronization every ten
 * minutes.  Send and receive sequence numbers are kept per link, so the
 * normal capture has no sequence anomaly.
 *
 * The substation draws from its own random stream (never the plant's), and
 * its tasks re-arm themselves: adding it leaves every other device's
 * traffic byte for byte as it was.
 *
 * Specifications: IEC 60870-5-104:2006 clause 5 (APCI), IEC 60870-5-101:2003
 * clause 7 (ASDU), IEC 60870-5-4 (CP56Time2a).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "gen_plant.h"

#define I104_PORT       2404
#define GI_PERIOD       (20 * GEN_SEC)
#define CYCLIC_PERIOD   (10 * GEN_SEC)
#define CLOCK_PERIOD    (600 * GEN_SEC)
#define ACK_EVERY       4       /* I-frames received before an S-frame (w = 8) */

/* type identifications and causes used here */
enum {
	M_SP_NA_1 = 1, M_DP_NA_1 = 3, M_ME_NC_1 = 13, M_SP_TB_1 = 30, M_DP_TB_1 = 31,
	M_ME_TF_1 = 36, C_SC_NA_1 = 45, C_DC_NA_1 = 46, M_EI_NA_1 = 70,
	C_IC_NA_1 = 100, C_CS_NA_1 = 103, C_RP_NA_1 = 105
};
enum {
	COT_CYCLIC = 1, COT_SPONT = 3, COT_INIT = 4, COT_ACT = 6, COT_ACTCON = 7,
	COT_ACTTERM = 10, COT_INROGEN = 20, COT_UNKNOWN_CA = 46
};
#define COT_NEGATIVE 0x40

/* what a task does (task.b) */
enum { I104_CONNECT, I104_GI, I104_SPONT, I104_CYCLIC, I104_COMMAND, I104_CLOCK };

struct i104_link {
	struct gen_tcp tcp;
	unsigned ns[2];         /* I-frames sent: [0] controlling, [1] controlled */
	unsigned unacked[2];    /* I-frames received and not yet acknowledged */
	int started;
};

struct i104_rtu {
	struct gen_host *h;
	unsigned ca;
	struct i104_link l;
	int32_t base[4], amp[4];        /* measured values 3001..3004, in 1/1000 */
	uint32_t phase[4];              /* ms into the 60 s wave */
	uint8_t sp[8];          /* single points 1001..1008 */
	uint8_t dp[2];          /* double points 2001..2002: 1 off, 2 on */
	unsigned ncmd;
	int silent;             /* stopped reporting (station_silent scenario) */
};

struct iec104_sub {
	struct gen_rng rng;
	struct gen_host *master;
	struct i104_rtu rtu[2];
	uint64_t apdus[3], types[256];  /* counts: I, S, U; type ids */
};

/* ------------------------------------------------------------ building */

static gen_time think(struct iec104_sub *S, int lo_ms, int hi_ms)
{
	return (gen_time)lo_ms * GEN_MSEC +
	       (gen_time)gen_rng_below(&S->rng, (uint32_t)(hi_ms - lo_ms) * 1000 + 1);
}

/* v in thousandths: an exact integer to float conversion and one IEEE
 * division give the same bits on every machine. */
static void put_float(struct gen_buf *g, int32_t v)
{
	float f = (float)v / 1000.0f;
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	gb_le32(g, u);
}

/* CP56Time2a of t (UTC). */
static void put_cp56(struct gen_buf *g, gen_time t)
{
	time_t s = (time_t)(t / GEN_SEC);
	struct tm tm;

	gmtime_r(&s, &tm);
	gb_le16(g, (unsigned)(tm.tm_sec * 1000 + (int)(t % GEN_SEC / GEN_MSEC)));
	gb_u8(g, (unsigned)tm.tm_min);
	gb_u8(g, (unsigned)tm.tm_hour);
	gb_u8(g, (unsigned)(tm.tm_mday | ((tm.tm_wday ? tm.tm_wday : 7) << 5)));
	gb_u8(g, (unsigned)(tm.tm_mon + 1));
	gb_u8(g, (unsigned)(tm.tm_year % 100));
}

static void put_ioa(struct gen_buf *g, uint32_t ioa)
{
	gb_u8(g, ioa & 0xff);
	gb_u8(g, (ioa >> 8) & 0xff);
	gb_u8(g, (ioa >> 16) & 0xff);
}

/* The APCI of an I-frame and the ASDU header; i104_end() sets the length. */
static void i104_begin(struct gen_buf *g, unsigned ns, unsigned nr, unsigned type,
		       unsigned vsq, unsigned cot, unsigned ca)
{
	gb_reset(g);
	gb_u8(g, 0x68);
	gb_u8(g, 0);
	gb_u8(g, (ns << 1) & 0xfe);
	gb_u8(g, (ns >> 7) & 0xff);
	gb_u8(g, (nr << 1) & 0xfe);
	gb_u8(g, (nr >> 7) & 0xff);
	gb_u8(g, type);
	gb_u8(g, vsq);
	gb_u8(g, cot);
	gb_u8(g, 0);            /* originator address */
	gb_le16(g, ca);
}

static void i104_end(struct gen_buf *g)
{
	g->b[1] = (uint8_t)(g->n - 2);
}

/* Queue frame g from one side of link l; count it. */
static gen_time i104_send(struct plant *P, struct i104_link *l, int from_rtu, gen_time t,
			  const struct gen_buf *g)
{
	struct iec104_sub *S = P->i104;

	t = plant_chan_ready(P, &l->tcp, t);
	if ((g->b[2] & 1) == 0) {
		S->apdus[0]++;
		S->types[g->b[6]]++;
	} else {
		S->apdus[(g->b[2] & 3) == 1 ? 1 : 2]++;
	}
	return gen_tcp_data(&P->w, &l->tcp, from_rtu, t, g);
}

static gen_time send_u(struct plant *P, struct i104_link *l, int from_rtu, gen_time t,
		       unsigned ctrl)
{
	struct gen_buf g;

	gb_reset(&g);
	gb_bytes(&g, "\x68\x04", 2);
	gb_u8(&g, ctrl);
	gb_bytes(&g, "\x00\x00\x00", 3);
	return i104_send(P, l, from_rtu, t, &g);
}

static gen_time send_s(struct plant *P, struct i104_link *l, int from_rtu, gen_time t)
{
	struct gen_buf g;
	unsigned nr = l->ns[!from_rtu] & 0x7fff;

	gb_reset(&g);
	gb_bytes(&g, "\x68\x04\x01\x00", 4);
	gb_u8(&g, (nr << 1) & 0xfe);
	gb_u8(&g, (nr >> 7) & 0xff);
	l->unacked[from_rtu] = 0;
	return i104_send(P, l, from_rtu, t, &g);
}

/* An I-frame: the ASDU in g (built with i104_begin) gets this side's
 * numbers here. */
static gen_time send_i(struct plant *P, struct i104_link *l, int from_rtu, gen_time t,
		       struct gen_buf *g)
{
	unsigned ns = l->ns[from_rtu] & 0x7fff, nr = l->ns[!from_rtu] & 0x7fff;

	g->b[2] = (uint8_t)((ns << 1) & 0xfe);
	g->b[3] = (uint8_t)((ns >> 7) & 0xff);
	g->b[4] = (uint8_t)((nr << 1) & 0xfe);
	g->b[5] = (uint8_t)((nr >> 7) & 0xff);
	l->ns[from_rtu]++;
	l->unacked[from_rtu] = 0;       /* its N(R) acknowledged the other side */
	l->unacked[!from_rtu]++;
	return i104_send(P, l, from_rtu, t, g);
}

/* After the RTU sent I-frames: the controlling station acknowledges once
 * ACK_EVERY are outstanding, else its TCP stack just ACKs. */
static void master_ack(struct plant *P, struct i104_link *l, gen_time t)
{
	struct iec104_sub *S = P->i104;

	if (l->unacked[0] >= ACK_EVERY)
		send_s(P, l, 0, t + think(S, 1, 30));
	else
		gen_tcp_ack(&P->w, &l->tcp, 0, t + think(S, 1, 40));
}

/* A measured value: a 60 s triangle wave inside base +- amp with 2 %
 * noise, in thousandths (integer arithmetic only). */
static int32_t mv_at(struct iec104_sub *S, const struct i104_rtu *r, int k, gen_time t)
{
	int64_t x = (t / GEN_MSEC + r->phase[k]) % 60000, tri = x < 30000 ? x : 60000 - x;
	int32_t n = r->amp[k] / 50;

	return (int32_t)(r->base[k] - r->amp[k] + 2 * r->amp[k] * tri / 30000) +
	       (int32_t)gen_rng_below(&S->rng, (uint32_t)(2 * n + 1)) - n;
}

/* ------------------------------------------------------------- behaviour */

static void rtu_interrogation(struct plant *P, struct i104_rtu *r, gen_time t)
{
	struct iec104_sub *S = P->i104;
	struct i104_link *l = &r->l;
	struct gen_buf g;
	int k;

	i104_begin(&g, 0, 0, C_IC_NA_1, 1, COT_ACT, r->ca);
	put_ioa(&g, 0);
	gb_u8(&g, 20);          /* QOI: station interrogation */
	i104_end(&g);
	t = send_i(P, l, 0, t, &g);
	g.b[8] = COT_ACTCON;
	t = send_i(P, l, 1, t + think(S, 3, 15), &g);
	if (r->silent)
		goto term;

	i104_begin(&g, 0, 0, M_SP_NA_1, 0x80 | 8, COT_INROGEN, r->ca);
	put_ioa(&g, 1001);
	for (k = 0; k < 8; k++)
		gb_u8(&g, r->sp[k]);
	i104_end(&g);
	t = send_i(P, l, 1, t + think(S, 1, 5), &g);

	i104_begin(&g, 0, 0, M_DP_NA_1, 2, COT_INROGEN, r->ca);
	for (k = 0; k < 2; k++) {
		put_ioa(&g, 2001 + (uint32_t)k);
		gb_u8(&g, r->dp[k]);
	}
	i104_end(&g);
	t = send_i(P, l, 1, t + think(S, 1, 5), &g);

	i104_begin(&g, 0, 0, M_ME_NC_1, 0x80 | 4, COT_INROGEN, r->ca);
	put_ioa(&g, 3001);
	for (k = 0; k < 4; k++) {
		put_float(&g, mv_at(S, r, k, t));
		gb_u8(&g, 0);   /* QDS: good */
	}
	i104_end(&g);
	t = send_i(P, l, 1, t + think(S, 1, 5), &g);
term:
	i104_begin(&g, 0, 0, C_IC_NA_1, 1, COT_ACTTERM, r->ca);
	put_ioa(&g, 0);
	gb_u8(&g, 20);
	i104_end(&g);
	t = send_i(P, l, 1, t + think(S, 1, 5), &g);
	master_ack(P, l, t);
}

static void rtu_spontaneous(struct plant *P, struct i104_rtu *r, gen_time t)
{
	struct iec104_sub *S = P->i104;
	struct gen_buf g;
	int k = (int)gen_rng_below(&S->rng, 4);

	if (r->silent)
		return;
	i104_begin(&g, 0, 0, M_ME_TF_1, 1, COT_SPONT, r->ca);
	put_ioa(&g, 3001 + (uint32_t)k);
	put_float(&g, mv_at(S, r, k, t));
	gb_u8(&g, 0);
	put_cp56(&g, t - think(S, 5, 50));
	i104_end(&g);
	t = send_i(P, &r->l, 1, t, &g);
	master_ack(P, &r->l, t);
}

static void rtu_cyclic(struct plant *P, struct i104_rtu *r, gen_time t)
{
	struct iec104_sub *S = P->i104;
	struct gen_buf g;
	int k;

	if (r->silent)
		return;
	i104_begin(&g, 0, 0, M_ME_NC_1, 0x80 | 4, COT_CYCLIC, r->ca);
	put_ioa(&g, 3001);
	for (k = 0; k < 4; k++) {
		put_float(&g, mv_at(S, r, k, t));
		gb_u8(&g, 0);
	}
	i104_end(&g);
	t = send_i(P, &r->l, 1, t, &g);
	master_ack(P, &r->l, t);
}

/* Select, then execute, each confirmed; the execution terminated and the
 * switched point reported with its time.  RTU 0: single command at 5001
 * switching single point 1008; RTU 1: double command at 6001 switching the
 * breaker at 2001. */
static gen_time rtu_command(struct plant *P, struct i104_rtu *r, gen_time t, int rtu_index)
{
	struct iec104_sub *S = P->i104;
	struct i104_link *l = &r->l;
	struct gen_buf g;
	int dbl = rtu_index == 1, step;
	unsigned state = dbl ? (r->dp[0] == 2 ? 1 : 2) : !r->sp[7];

	for (step = 0; step < 2; step++) {
		unsigned q = state | (step == 0 ? 0x80 : 0);   /* S/E: select */

		i104_begin(&g, 0, 0, dbl ? C_DC_NA_1 : C_SC_NA_1, 1, COT_ACT, r->ca);
		put_ioa(&g, dbl ? 6001 : 5001);
		gb_u8(&g, q);
		i104_end(&g);
		t = send_i(P, l, 0, plant_chan_ready(P, &l->tcp, t), &g);
		g.b[8] = COT_ACTCON;
		t = send_i(P, l, 1, t + think(S, 5, 30), &g);
		if (step == 1) {
			g.b[8] = COT_ACTTERM;
			t = send_i(P, l, 1, t + think(S, 50, 200), &g);
		}
		t += think(S, 20, 80);
	}
	r->ncmd++;
	if (r->silent)
		return t;
	if (dbl) {
		r->dp[0] = (uint8_t)state;
		i104_begin(&g, 0, 0, M_DP_TB_1, 1, COT_SPONT, r->ca);
		put_ioa(&g, 2001);
		gb_u8(&g, r->dp[0]);
	} else {
		r->sp[7] = (uint8_t)state;
		i104_begin(&g, 0, 0, M_SP_TB_1, 1, COT_SPONT, r->ca);
		put_ioa(&g, 1008);
		gb_u8(&g, r->sp[7]);
	}
	put_cp56(&g, t - think(S, 1, 20));
	i104_end(&g);
	t = send_i(P, l, 1, t, &g);
	master_ack(P, l, t);
	return t;
}

static void master_clock(struct plant *P, struct i104_rtu *r, gen_time t)
{
	struct iec104_sub *S = P->i104;
	struct gen_buf g;

	i104_begin(&g, 0, 0, C_CS_NA_1, 1, COT_ACT, r->ca);
	put_ioa(&g, 0);
	put_cp56(&g, t);
	i104_end(&g);
	t = send_i(P, &r->l, 0, t, &g);
	g.b[8] = COT_ACTCON;
	t = send_i(P, &r->l, 1, t + think(S, 3, 15), &g);
	master_ack(P, &r->l, t);
}

static gen_time link_start(struct plant *P, struct i104_link *l, struct gen_host *cli,
			   struct gen_host *srv, gen_time t)
{
	struct iec104_sub *S = P->i104;

	memset(l, 0, sizeof(*l));
	gen_tcp_init(&l->tcp, &S->rng, cli, srv, I104_PORT);
	t = gen_tcp_connect(&P->w, &S->rng, &l->tcp, t);
	t = send_u(P, l, 0, t + think(S, 1, 5), 0x07);          /* STARTDT act */
	t = send_u(P, l, 1, t + think(S, 2, 10), 0x0b);         /* STARTDT con */
	l->started = 1;
	return t;
}

/* ------------------------------------------------------------- the plant */

void iec104_layout(struct plant *P, struct gen_host *(*host)(struct plant *, const char *,
			const char *, int, uint32_t, int), int oui_master, int oui_rtu)
{
	struct iec104_sub *S = calloc(1, sizeof(*S));
	int i, k;

	if (!S) {
		fprintf(stderr, "otsgen: out of memory\n");
		exit(1);
	}
	P->i104 = S;
	gen_rng_seed(&S->rng, P->seed, 0x104 + gen_hash_str(scenario_names[P->sc]));
	S->master = host(P, "scada-104", "iec104_master", oui_master,
			 (10u << 24) | (10u << 16) | (1u << 8) | 21, 1);
	for (i = 0; i < 2; i++) {
		struct i104_rtu *r = &S->rtu[i];
		struct gen_rng L;

		/* the layout does not depend on the scenario */
		gen_rng_seed(&L, P->seed, 0x1040 + (uint64_t)i);
		r->h = host(P, i ? "rtu-104-2" : "rtu-104-1", "outstation", oui_rtu,
			    (10u << 24) | (10u << 16) | (90u << 8) | (10u + (unsigned)i), 0);
		r->h->win = 4096;
		r->ca = 101 + (unsigned)i;
		for (k = 0; k < 4; k++) {
			r->base[k] = 50000 * (k + 1) + (int32_t)gen_rng_below(&L, 50000);
			r->amp[k] = 2000 + (int32_t)gen_rng_below(&L, 8000);
			r->phase[k] = gen_rng_below(&L, 60000);
		}
		for (k = 0; k < 8; k++)
			r->sp[k] = (uint8_t)gen_rng_below(&L, 2);
		r->dp[0] = r->dp[1] = 2;        /* breakers closed */
	}
}

void iec104_tasks(struct plant *P)
{
	struct iec104_sub *S = P->i104;
	int i;

	for (i = 0; i < 2; i++) {
		gen_time t0 = P->start + 200 * GEN_MSEC + (gen_time)gen_rng_below(&S->rng, 300000);

		plant_task_add(P, T_IEC104, i, I104_CONNECT, t0);
		plant_task_add(P, T_IEC104, i, I104_GI, t0 + GEN_SEC + (gen_time)gen_rng_below(&S->rng, 500000));
		plant_task_add(P, T_IEC104, i, I104_SPONT, t0 + 2 * GEN_SEC);
		plant_task_add(P, T_IEC104, i, I104_CYCLIC,
			       t0 + 3 * GEN_SEC + (gen_time)gen_rng_below(&S->rng, 5000000));
		plant_task_add(P, T_IEC104, i, I104_COMMAND, t0 + (60 + 30 * i) * GEN_SEC);
		plant_task_add(P, T_IEC104, i, I104_CLOCK, t0 + (100 + 5 * i) * GEN_SEC);
	}
}

gen_time iec104_task(struct plant *P, struct task *tk)
{
	struct iec104_sub *S = P->i104;
	struct i104_rtu *r = &S->rtu[tk->a];
	gen_time t = tk->fire, next = 0;

	if ((tk->b != I104_CONNECT && !r->l.started) || t >= P->end - 2 * GEN_SEC)
		return 0;
	switch (tk->b) {
	case I104_CONNECT:
		link_start(P, &r->l, S->master, r->h, t);
		break;
	case I104_GI:
		rtu_interrogation(P, r, plant_chan_ready(P, &r->l.tcp, t));
		next = tk->fire + GI_PERIOD + (gen_time)gen_rng_below(&S->rng, 40000) - 20000;
		break;
	case I104_SPONT:
		rtu_spontaneous(P, r, plant_chan_ready(P, &r->l.tcp, t));
		next = tk->fire + 500 * GEN_MSEC + (gen_time)gen_rng_below(&S->rng, 3000000);
		break;
	case I104_CYCLIC:
		rtu_cyclic(P, r, plant_chan_ready(P, &r->l.tcp, t));
		next = tk->fire + CYCLIC_PERIOD + (gen_time)gen_rng_below(&S->rng, 20000) - 10000;
		break;
	case I104_COMMAND:
		rtu_command(P, r, t, tk->a);
		next = tk->fire + (tk->a ? 180 : 120) * GEN_SEC;
		break;
	case I104_CLOCK:
		master_clock(P, r, plant_chan_ready(P, &r->l.tcp, t));
		next = tk->fire + CLOCK_PERIOD;
		break;
	default:
		break;
	}
	return next < P->end - 2 * GEN_SEC ? next : 0;
}

void iec104_close(struct plant *P, gen_time t)
{
	struct iec104_sub *S = P->i104;
	int i;

	for (i = 0; S && i < 2; i++)
		if (S->rtu[i].l.tcp.open)
			gen_tcp_close(&P->w, &S->rng, &S->rtu[i].l.tcp,
				      t > S->rtu[i].l.tcp.busy + GEN_MSEC ? t : S->rtu[i].l.tcp.busy + GEN_MSEC);
}

void iec104_free(struct plant *P)
{
	free(P->i104);
	P->i104 = NULL;
}

json_t *iec104_counts_json(const struct plant *P)
{
	const struct iec104_sub *S = P->i104;
	json_t *o = json_object(), *h = json_object();
	char k[8];
	int i;

	json_object_set_new(o, "i_frames", json_integer((json_int_t)S->apdus[0]));
	json_object_set_new(o, "s_frames", json_integer((json_int_t)S->apdus[1]));
	json_object_set_new(o, "u_frames", json_integer((json_int_t)S->apdus[2]));
	for (i = 0; i < 256; i++)
		if (S->types[i]) {
			snprintf(k, sizeof(k), "%d", i);
			json_object_set_new(h, k, json_integer((json_int_t)S->types[i]));
		}
	json_object_set_new(o, "type_ids", h);
	return o;
}

/* ------------------------------------------------------------- attacks */

/* A host that never spoke IEC 104 opens a link to the first RTU and sends
 * a single and a double command straight to execution (no select). */
static void attack_rogue_command(struct plant *P, gen_time t)
{
	struct iec104_sub *S = P->i104;
	struct i104_rtu *r = &S->rtu[0];
	struct i104_link l;
	struct gen_buf g;
	struct truth *e;
	int k;

	t = link_start(P, &l, P->rogue, r->h, t);
	t = plant_chan_ready(P, &l.tcp, t + think(S, 200, 400));
	e = plant_truth_add(P, t, P->rogue, r->h, "iec104",
			    "a host that never spoke IEC 104 sends single and double commands "
			    "(direct execute) to an RTU");
	plant_truth_kinds(e, "new_protocol", "new_asset,new_edge,new_function,unexpected_write,"
			  "new_address_range", "", "");
	for (k = 0; k < 2; k++) {
		i104_begin(&g, 0, 0, k ? C_DC_NA_1 : C_SC_NA_1, 1, COT_ACT, r->ca);
		put_ioa(&g, k ? 5002 : 5001);
		gb_u8(&g, k ? 1 : 0);   /* open / off, execute */
		i104_end(&g);
		t = send_i(P, &l, 0, t, &g);
		g.b[8] = COT_ACTCON;
		t = send_i(P, &l, 1, t + think(S, 5, 30), &g);
		g.b[8] = COT_ACTTERM;
		t = send_i(P, &l, 1, t + think(S, 50, 200), &g);
		t += think(S, 300, 900);
	}
	send_s(P, &l, 0, t);
	gen_tcp_close(&P->w, &S->rng, &l.tcp, l.tcp.busy + think(S, 20, 100));
}

/* The controlling station sends a reset process command (general reset)
 * to the second RTU, which confirms and reports end of initialization. */
static void attack_reset_process(struct plant *P, gen_time t)
{
	struct iec104_sub *S = P->i104;
	struct i104_rtu *r = &S->rtu[1];
	struct gen_buf g;
	struct truth *e;

	t = plant_chan_ready(P, &r->l.tcp, t);
	e = plant_truth_add(P, t, S->master, r->h, "iec104",
			    "the controlling station sends a reset process command (C_RP_NA_1, "
			    "general reset) to an RTU");
	plant_truth_kinds(e, "new_function", "unexpected_sequence", "iec104_reset_process", "9600001");
	i104_begin(&g, 0, 0, C_RP_NA_1, 1, COT_ACT, r->ca);
	put_ioa(&g, 0);
	gb_u8(&g, 1);           /* QRP: general reset of process */
	i104_end(&g);
	t = send_i(P, &r->l, 0, t, &g);
	g.b[8] = COT_ACTCON;
	t = send_i(P, &r->l, 1, t + think(S, 5, 30), &g);
	i104_begin(&g, 0, 0, M_EI_NA_1, 1, COT_INIT, r->ca);
	put_ioa(&g, 0);
	gb_u8(&g, 2);           /* COI: remote reset */
	i104_end(&g);
	t = send_i(P, &r->l, 1, t + 2 * GEN_SEC + think(S, 0, 500), &g);
	master_ack(P, &r->l, t);
}

/* A new host interrogates common addresses 1-16 on both RTUs: every wrong
 * address is refused (negative actcon, unknown common address). */
static void attack_interrogation_sweep(struct plant *P, gen_time t)
{
	struct iec104_sub *S = P->i104;
	struct truth *e;
	int i;
	unsigned ca;

	for (i = 0; i < 2; i++) {
		struct i104_rtu *r = &S->rtu[i];
		struct i104_link l;
		struct gen_buf g;

		t = link_start(P, &l, P->scanner, r->h, t);
		if (i == 0) {
			e = plant_truth_add(P, t, P->scanner, r->h, "iec104",
					    "a new host opens IEC 104 links to both RTUs and sends "
					    "general interrogations to common addresses 1-16 and "
					    "the RTU's own");
			plant_truth_kinds(e, "new_protocol",
					  "new_asset,new_edge,scan,error_burst,new_function", "", "");
		}
		for (ca = 1; ca <= 17; ca++) {
			unsigned a = ca == 17 ? r->ca : ca;

			i104_begin(&g, 0, 0, C_IC_NA_1, 1, COT_ACT, a);
			put_ioa(&g, 0);
			gb_u8(&g, 20);
			i104_end(&g);
			t = send_i(P, &l, 0, t + think(S, 20, 60), &g);
			g.b[8] = a == r->ca ? COT_ACTCON : COT_NEGATIVE | COT_UNKNOWN_CA;
			t = send_i(P, &l, 1, t + think(S, 3, 15), &g);
			if (a == r->ca) {
				g.b[8] = COT_ACTTERM;
				t = send_i(P, &l, 1, t + think(S, 5, 20), &g);
			}
		}
		send_s(P, &l, 0, t + think(S, 1, 10));
		t = gen_tcp_close(&P->w, &S->rng, &l.tcp, l.tcp.busy + think(S, 20, 100));
		t += think(S, 500, 2000);
	}
}

/* The controlling station floods the first RTU with general
 * interrogations, one a second for 30 s. */
static void attack_gi_flood(struct plant *P, gen_time t)
{
	struct iec104_sub *S = P->i104;
	struct i104_rtu *r = &S->rtu[0];
	struct truth *e;
	int k;

	t = plant_chan_ready(P, &r->l.tcp, t);
	e = plant_truth_add(P, t, S->master, r->h, "iec104",
			    "general interrogation period drops from 20 s to 1 s for 30 s");
	plant_truth_kinds(e, "period_drift", "unexpected_sequence", "", "");
	for (k = 0; k < 30; k++)
		rtu_interrogation(P, r, plant_chan_ready(P, &r->l.tcp, t + k * GEN_SEC));
}

/* An I-frame injected into the controlling station's stream to the first
 * RTU: a single command at an address never commanded, carrying a send
 * sequence number ahead of the station's own. */
static void attack_injected_iframe(struct plant *P, gen_time t)
{
	struct iec104_sub *S = P->i104;
	struct i104_rtu *r = &S->rtu[0];
	struct i104_link *l = &r->l;
	struct gen_buf g;
	struct truth *e;
	unsigned ns = (l->ns[0] + 9) & 0x7fff, nr = l->ns[1] & 0x7fff;

	t = plant_chan_ready(P, &l->tcp, t);
	e = plant_truth_add(P, t, S->master, r->h, "iec104",
			    "an injected I-frame with a send sequence number 9 ahead carries a "
			    "single command to an address never commanded");
	plant_truth_kinds(e, "new_address_range", "new_function,unexpected_sequence", "", "");
	i104_begin(&g, ns, nr, C_SC_NA_1, 1, COT_ACT, r->ca);
	put_ioa(&g, 5017);
	gb_u8(&g, 1);           /* on, execute */
	i104_end(&g);
	i104_send(P, l, 0, t, &g);      /* numbers as the injector wrote them */
	l->unacked[1]++;
	/* the RTU executes it as if the controlling station had sent it */
	g.b[8] = COT_ACTCON;
	send_i(P, l, 1, t + think(S, 5, 30), &g);
}

/* The second RTU's last spontaneous report; from then on it sends no
 * monitoring data (interrogations get their confirmation and termination
 * only), while the controlling station keeps interrogating it. */
static void attack_station_silent(struct plant *P, gen_time t)
{
	struct iec104_sub *S = P->i104;
	struct i104_rtu *r = &S->rtu[1];
	struct truth *e;

	t = plant_chan_ready(P, &r->l.tcp, t);
	e = plant_truth_add(P, t, r->h, S->master, "iec104",
			    "an RTU stops sending monitoring data (spontaneous, cyclic, "
			    "interrogated) after this report; its link stays up");
	plant_truth_kinds(e, "channel_silent", "period_drift,unexpected_sequence", "", "");
	rtu_spontaneous(P, r, t);
	r->silent = 1;
}

int iec104_attack(struct plant *P, gen_time t)
{
	switch (P->sc) {
	case SC_IEC104_ROGUE_COMMAND:
		attack_rogue_command(P, t);
		return 1;
	case SC_IEC104_RESET_PROCESS:
		attack_reset_process(P, t);
		return 1;
	case SC_IEC104_INTERROGATION_SWEEP:
		attack_interrogation_sweep(P, t);
		return 1;
	case SC_IEC104_GI_FLOOD:
		attack_gi_flood(P, t);
		return 1;
	case SC_IEC104_INJECTED_IFRAME:
		attack_injected_iframe(P, t);
		return 1;
	case SC_IEC104_STATION_SILENT:
		attack_station_silent(P, t);
		return 1;
	default:
		return 0;
	}
}
