/*
 * gen_attack.c - otsgen's attack scenarios: each injects one event into the
 * normal plant and records it in the ground truth, with the alert kinds that
 * must and may report it and the shipped rules (rules/) that fire.  The
 * identity change (a PLC's firmware) lives in the plant's layout and the
 * polling change in the HMI's scan cycle; their truth is recorded where the
 * deviating message is sent.
 */
#include <string.h>

#include "gen_plant.h"
#include "gen_enip.h"

static gen_time tmax_(gen_time a, gen_time b)
{
	return a > b ? a : b;
}

static void attack_scan(struct plant *P, gen_time t)
{
	static const uint16_t ports[] = { 21, 22, 23, 80, 102, 443, 502, 2404,
					  20000, 44818 };
	struct gen_host *sc = P->scanner;
	struct truth *e;
	struct gen_tcp c;
	struct gen_buf req, resp;
	unsigned tid = 0, unit;
	int i, k;
	const char *objs[3];
	struct mbplc *m = &P->mb[0];

	e = plant_truth_add(P, t, sc, P->mb[0].h, "modbus",
			    "new host sweeps OT ports on every PLC, then probes "
			    "Modbus unit ids 1-16 with read device identification");
	plant_truth_kinds(e, "scan,new_asset",
			  "new_edge,new_protocol,new_function,error_burst,unexpected_sequence",
			  "ot_scan", "9300005");
	for (i = 0; i < P->nmb + P->ns7 + P->ndnp; i++) {
		struct gen_host *h;
		uint16_t open;

		if (i < P->nmb) {
			h = P->mb[i].h;
			open = 502;
		} else if (i < P->nmb + P->ns7) {
			h = P->s7[i - P->nmb].h;
			open = 102;
		} else {
			struct outst *o = &P->dn[i - P->nmb - P->ns7];

			h = o->h;
			open = o->udp ? 0 : 20000;     /* UDP-only RTU: all closed */
		}
		for (k = 0; k < (int)(sizeof(ports) / sizeof(ports[0])); k++) {
			gen_tcp_probe(&P->w, &P->rng, sc, h, ports[k],
				      ports[k] == open, t);
			t += 2000 + gen_rng_below(&P->rng, 3000);
		}
	}
	objs[0] = m->vendor;
	objs[1] = m->product;
	objs[2] = m->revision;
	t = plant_session_open(P, &c, sc, m->h, 502, t + 100 * GEN_MSEC);
	for (unit = 1; unit <= 16; unit++) {
		tid++;
		mb_devid_req(&req, tid, unit, 1, 0);
		if (unit == 1)
			mb_devid_resp(&resp, tid, unit, 1, objs, 3);
		else
			mb_exception(&resp, tid, unit, 43, 0x0b);
		plant_count_mb(P, &req);
		plant_count_mb(P, &resp);
		plant_tcp_rr(P, &c, plant_chan_ready(P, &c, t), &req, &resp, 2, 8);
		t = c.busy + 5 * GEN_MSEC;
	}
	plant_session_close(P, &c, 2, 2);
}

static void attack_unauth_write(struct plant *P, gen_time t)
{
	struct mbplc *m = &P->mb[0];
	struct gen_tcp c;
	struct gen_buf req;
	unsigned tid = 7;
	gen_time tw;
	struct truth *e;

	tw = plant_session_open(P, &c, P->hist, m->h, 502, t);
	mb_write_single(&req, tid, 1, 3, 9999);
	plant_count_mb(P, &req);
	plant_count_mb(P, &req);
	plant_tcp_rr(P, &c, tw, &req, &req, 3, 10);
	plant_session_close(P, &c, 2, 20);
	e = plant_truth_add(P, tw, P->hist, m->h, "modbus",
			    "historian (a read-only client) writes holding register 3 "
			    "(never written before) with function 6");
	/* 9999 is also far outside the band register 3 reads in */
	plant_truth_kinds(e, "unexpected_write",
			  "new_function,new_address_range,value_out_of_range,unexpected_sequence",
			  "modbus_write_non_operator", "9300004");
}

static void attack_s7_stop(struct plant *P, gen_time t)
{
	struct s7plc *s = &P->s7[0];
	struct gen_tcp c;
	struct gen_buf jp, ap;
	unsigned ref = 0;
	gen_time tj;
	struct truth *e;

	t = plant_s7_open(P, &c, P->es, s->h, &ref, t, 1);
	gb_reset(&jp);
	gb_bytes(&jp, "\x29\x00\x00\x00\x00\x00\x09", 7);
	gb_bytes(&jp, "P_PROGRAM", 9);
	gb_reset(&ap);
	gb_u8(&ap, 0x29);
	tj = plant_chan_ready(P, &c, t);
	plant_s7_job(P, &c, &ref, tj, &jp, NULL, &ap, NULL);
	plant_session_close(P, &c, 20, 200);
	e = plant_truth_add(P, tj, P->es, s->h, "s7comm",
			    "engineering station sends PLC STOP (function 0x29, P_PROGRAM)");
	plant_truth_kinds(e, "new_function", "unexpected_sequence,unexpected_write",
			  "s7_plc_stop", "9100001");
}

/* The PLC sends a job (download block / ended) and the station answers. */
static gen_time s7_plc_job(struct plant *P, struct s7plc *s, struct gen_tcp *c,
			   gen_time t, const struct gen_buf *jp,
			   const struct gen_buf *ap, const struct gen_buf *ad)
{
	struct gen_buf a, b;
	gen_time tr;

	s->plc_pduref = (s->plc_pduref + 2) & 0xffff;
	s7_pdu(&a, S7_JOB, s->plc_pduref, jp, NULL);
	s7_pdu(&b, S7_ACK_DATA, s->plc_pduref, ap, ad);
	plant_count_s7(P, S7_JOB, jp);
	plant_count_s7(P, S7_ACK_DATA, ap);
	gen_tcp_data(&P->w, c, 1, t, &a);
	tr = t + plant_think(P, 2, 15);
	gen_tcp_data(&P->w, c, 0, tr, &b);
	gen_tcp_ack(&P->w, c, 1, tr + plant_think(P, 1, 10));
	return c->busy;
}

static void s7_filename_param(struct gen_buf *g, unsigned func, const char *file)
{
	gb_reset(g);
	gb_u8(g, func);
	gb_bytes(g, "\x00\x00\x00\x00\x00\x00\x00", 7);
	gb_u8(g, (unsigned)strlen(file));
	gb_bytes(g, file, strlen(file));
}

static void attack_s7_download(struct plant *P, gen_time t)
{
	static const char file[] = "_0800001P";         /* OB1, passive FS */
	struct s7plc *s = &P->s7[0];
	struct gen_tcp c;
	struct gen_buf jp, ap, ad;
	unsigned ref = 0, i;
	gen_time tj;
	struct truth *e;

	s->plc_pduref = 0;
	t = plant_s7_open(P, &c, P->es, s->h, &ref, t, 1);
	tj = plant_chan_ready(P, &c, t);
	/* request download: file name plus load-memory and MC7 lengths */
	s7_filename_param(&jp, 0x1a, file);
	jp.b[2] = 1;
	gb_u8(&jp, 13);
	gb_bytes(&jp, "1000268000144", 13);
	gb_reset(&ap);
	gb_u8(&ap, 0x1a);
	t = plant_s7_job(P, &c, &ref, tj, &jp, NULL, &ap, NULL);
	/* the PLC pulls the block in two parts */
	for (i = 0; i < 2; i++) {
		s7_filename_param(&jp, 0x1b, file);
		gb_reset(&ap);
		gb_u8(&ap, 0x1b);
		gb_u8(&ap, i == 0 ? 1 : 0);     /* more data follows */
		gb_reset(&ad);
		gb_be16(&ad, i == 0 ? 160 : 108);
		gb_be16(&ad, 0x00fb);
		if (i == 0)
			gb_bytes(&ad, "\x70\x70\x01\x01\x01\x08\x00\x01\x00\x00\x01\x0c", 12);
		while (ad.n < (i == 0 ? 164u : 112u))
			gb_u8(&ad, (unsigned)gen_rng_below(&P->rng, 256));
		t = s7_plc_job(P, s, &c, t + plant_think(P, 2, 10), &jp, &ap, &ad);
	}
	s7_filename_param(&jp, 0x1c, file);
	gb_reset(&ap);
	gb_u8(&ap, 0x1c);
	t = s7_plc_job(P, s, &c, t + plant_think(P, 2, 10), &jp, &ap, NULL);
	/* PI service: insert the block */
	gb_reset(&jp);
	gb_bytes(&jp, "\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x0a\x01\x00", 12);
	gb_bytes(&jp, "0800001P", 8);
	gb_u8(&jp, 5);
	gb_bytes(&jp, "_INSE", 5);
	gb_reset(&ap);
	gb_u8(&ap, 0x28);
	plant_s7_job(P, &c, &ref, t, &jp, NULL, &ap, NULL);
	plant_session_close(P, &c, 50, 300);
	e = plant_truth_add(P, tj, P->es, s->h, "s7comm",
			    "engineering station downloads OB1: request download, "
			    "download block, download ended, PI insert");
	plant_truth_kinds(e, "new_function", "unexpected_sequence,unexpected_write",
			  "s7_program_download", "9100003,9100009");
}

/*
 * UMAS (Modbus function 90) sessions of an engineering tool with a Modicon
 * M340, as the public protocol descriptions give them: one request and its
 * answer (status 0xFE) after another; the session key is 0 until the
 * reservation, then the one the PLC answers it with.
 */
struct umas_step {
	uint8_t func;
	const char *req, *resp;         /* data after the function / status */
	size_t req_n, resp_n;
};

#define UMAS_KEY 0x3c   /* the PLC's answer to the reservation */

static gen_time umas_session(struct plant *P, struct gen_tcp *c, gen_time t,
			     const struct umas_step *steps, size_t n)
{
	struct gen_buf req, resp;
	unsigned tid = 0, key = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct umas_step *s = &steps[i];

		tid++;
		mb_umas(&req, tid, 1, key, s->func, s->req, s->req_n);
		mb_umas(&resp, tid, 1, key, 0xfe, s->resp, s->resp_n);
		plant_count_mb(P, &req);
		plant_count_mb(P, &resp);
		t = plant_tcp_rr(P, c, plant_chan_ready(P, c, t), &req, &resp, 2, 15);
		t += plant_think(P, 5, 40);
		if (s->func == 0x10)
			key = UMAS_KEY;
		else if (s->func == 0x11)
			key = 0;
	}
	return t;
}

/* The engineering station downloads a new program to plc-mb-1. */
static void attack_umas_download(struct plant *P, gen_time t)
{
	static const char owner[] = "\x00\x00\x0cES-PROJECT-01";
	static const char block[] = "\x00\x01\x02\x00\x00\x00\x00\x00\x10\x00"
				    "APX-STRATEGY-BLOCK-0001";
	static const struct umas_step steps[] = {
		{ 0x02, "", "\x10\xff\x5a\x01", 0, 4 },             /* read_id */
		{ 0x01, "\x00", "\xfd\x00\x01\x04", 1, 4 },         /* init_comm */
		{ 0x03, "\x00", "\x02\x05\x00\x00", 1, 4 },         /* read_project_info */
		{ 0x04, "", "\x02\x82\x80\x06", 0, 4 },             /* read_plc_info */
		{ 0x10, owner, "\x3c", sizeof(owner) - 1, 1 },        /* take_plc_reservation */
		{ 0x33, "\x00\x01\xfb\x00", "\x00\x01\x37\x30", 4, 4 },  /* initialize_download */
		{ 0x34, block, "", sizeof(block) - 1, 0 },              /* download_block */
		{ 0x34, block, "", sizeof(block) - 1, 0 },
		{ 0x34, block, "", sizeof(block) - 1, 0 },
		{ 0x35, "\x00\x01", "", 2, 0 },                        /* end_strategy_download */
		{ 0x11, "", "", 0, 0 },                                 /* release_plc_reservation */
	};
	struct mbplc *m = &P->mb[0];
	struct gen_tcp c;
	gen_time t0;
	struct truth *e;

	t0 = plant_session_open(P, &c, P->es, m->h, 502, t);
	umas_session(P, &c, t0, steps, sizeof(steps) / sizeof(steps[0]));
	plant_session_close(P, &c, 50, 300);
	e = plant_truth_add(P, t0, P->es, m->h, "modbus",
			    "engineering station downloads a program to plc-mb-1 over "
			    "UMAS (function 90): read id, init, reservation, "
			    "initialize download, 3 download blocks, end download, release");
	plant_truth_kinds(e, "new_protocol", "new_edge,new_function,unexpected_sequence",
			  "umas_program_download", "9300011");
}

/* The engineering station stops plc-mb-3 over UMAS. */
static void attack_umas_stop(struct plant *P, gen_time t)
{
	static const char owner[] = "\x00\x00\x0cES-PROJECT-01";
	static const struct umas_step steps[] = {
		{ 0x01, "\x00", "\xfd\x00\x01\x04", 1, 4 },         /* init_comm */
		{ 0x10, owner, "\x3c", sizeof(owner) - 1, 1 },        /* take_plc_reservation */
		{ 0x41, "", "", 0, 0 },                                 /* stop_plc */
		{ 0x11, "", "", 0, 0 },                                 /* release_plc_reservation */
	};
	struct mbplc *m = &P->mb[P->nmb > 2 ? 2 : 0];
	struct gen_tcp c;
	gen_time t0;
	struct truth *e;

	t0 = plant_session_open(P, &c, P->es, m->h, 502, t);
	umas_session(P, &c, t0, steps, sizeof(steps) / sizeof(steps[0]));
	plant_session_close(P, &c, 50, 300);
	e = plant_truth_add(P, t0, P->es, m->h, "modbus",
			    "engineering station stops a Modicon PLC over UMAS "
			    "(function 90): init, reservation, stop PLC, release");
	plant_truth_kinds(e, "new_protocol", "new_edge,new_function,unexpected_sequence",
			  "umas_plc_stop", "9300009");
}

static void attack_dnp3_operate(struct plant *P, gen_time t)
{
	/* g12v1, qualifier 0x28 (count and index 16-bit), one object at index
	 * 2: latch on, count 1, on 1000 ms, off 0, status 0 */
	static const uint8_t crob[] = {
		0x0c, 0x01, 0x28, 0x01, 0x00, 0x02, 0x00,
		0x03, 0x01, 0xe8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct outst *o = &P->dn[P->ndnp > 2 ? 1 : 0];  /* a TCP outstation */
	struct gen_tcp c;
	struct gen_buf app, f;
	gen_time tr;
	struct truth *e;

	t = plant_session_open(P, &c, P->rogue, o->h, 20000, t);
	gb_reset(&app);
	gb_u8(&app, 0xc3);      /* FIR, FIN, sequence 3 */
	gb_u8(&app, 5);         /* direct operate */
	gb_bytes(&app, crob, sizeof(crob));
	dnp3_frame(&f, DNP3_CTRL_FROM_MASTER, o->addr, 100, 0, &app);
	plant_count_dnp3(P, &app);
	gen_tcp_data(&P->w, &c, 0, t, &f);

	gb_reset(&app);         /* the echo, with IIN and status 0 */
	gb_u8(&app, 0xc3);
	gb_u8(&app, 0x81);
	gb_u8(&app, 0);
	gb_u8(&app, 0);
	gb_bytes(&app, crob, sizeof(crob));
	dnp3_frame(&f, DNP3_CTRL_FROM_OUTST, 100, o->addr, 0, &app);
	plant_count_dnp3(P, &app);
	tr = t + plant_think(P, 10, 40);
	gen_tcp_data(&P->w, &c, 1, tr, &f);
	gen_tcp_ack(&P->w, &c, 0, tr + plant_think(P, 1, 20));
	plant_session_close(P, &c, 100, 500);
	e = plant_truth_add(P, t, P->rogue, o->h, "dnp3",
			    "unknown host (link address 100) sends DIRECT OPERATE of a "
			    "control relay output block (g12v1, latch on)");
	plant_truth_kinds(e, "new_asset,new_edge",
			  "new_function,unexpected_write,new_protocol,unexpected_sequence",
			  "dnp3_direct_operate", "9200008");
}

static void attack_external(struct plant *P, gen_time t)
{
	struct mbplc *m = &P->mb[0];
	struct gen_tcp c;
	unsigned tid = 0;
	gen_time t0;
	struct truth *e;

	t0 = plant_session_open(P, &c, P->ext, m->h, 502, t);
	plant_mb_devid(P, m, &c, &tid, t0);
	plant_mb_read(P, m, &c, &tid, plant_chan_ready(P, &c, c.busy) + 200 * GEN_MSEC, 3);
	plant_session_close(P, &c, 100, 400);
	e = plant_truth_add(P, t0, P->ext, m->h, "modbus",
			    "public internet address reads device identification and "
			    "holding registers from a PLC");
	plant_truth_kinds(e, "external_ot_peer",
			  "new_asset,new_edge,new_protocol,new_function,new_address_range",
			  "ot_external_peer", "9400001,9300005");
}

/* hmi2's input register poll of the first PLC: every cycle from now on
 * (mb_loop in gen_plant.c sends it and records the truth). */
static void attack_polling_change(struct plant *P)
{
	int i;

	for (i = 0; i < P->ntasks; i++)
		if (P->tasks[i].kind == T_MB_LOOP && P->tasks[i].changed == 1)
			P->tasks[i].changed = 2;
}

/* Holding register 2 of the first PLC reads far above its band for 20 s
 * (the first response carrying it records the truth). */
static void attack_value_range(struct plant *P, gen_time t)
{
	P->mb[0].oor_reg = 2;
	P->mb[0].oor_from = t;
	P->mb[0].oor_to = t + 20 * GEN_SEC;
}

static void attack_dnp3_cold(struct plant *P, gen_time t)
{
	struct outst *o = &P->dn[0];
	gen_time tc = o->udp ? t : plant_chan_ready(P, &o->m.tcp, t);
	struct truth *e;

	plant_dnp3_poll(P, o, tc, DR_COLD_RESTART);
	e = plant_truth_add(P, tc, P->scada, o->h, "dnp3",
			    "master sends COLD RESTART (function 13) to an outstation; it "
			    "then reports IIN1.7 until the master clears it (write g80v1)");
	plant_truth_kinds(e, "new_function",
			  "unexpected_sequence,unexpected_write,new_address_range",
			  "dnp3_cold_restart", "9200001");
}

/* Opaque bytes for one message of an IT session: n random bytes, as TLS
 * application data records when tls (RFC 8446 5.1). */
static void it_payload(struct plant *P, struct gen_buf *g, int n, int tls)
{
	int k;

	gb_reset(g);
	if (tls) {
		gb_u8(g, 0x17);
		gb_be16(g, 0x0303);
		gb_be16(g, (unsigned)n);
	}
	for (k = 0; k < n; k++)
		gb_u8(g, gen_rng_below(&P->rng, 256));
}

/* One TCP conversation of n request/answer rounds of IT payloads. */
static gen_time it_session(struct plant *P, struct gen_host *cli, struct gen_host *srv,
			   uint16_t port, gen_time t, const struct gen_buf *first_req,
			   const struct gen_buf *first_resp, int rounds, int tls)
{
	struct gen_tcp c;
	struct gen_buf req, resp;
	int i;

	t = plant_session_open(P, &c, cli, srv, port, t);
	t = plant_tcp_rr(P, &c, plant_chan_ready(P, &c, t), first_req, first_resp, 2, 15);
	for (i = 0; i < rounds; i++) {
		it_payload(P, &req, 48 + 16 * i, tls);
		it_payload(P, &resp, 96 + 32 * i, tls);
		t = plant_tcp_rr(P, &c, plant_chan_ready(P, &c, c.busy) + 20 * GEN_MSEC,
				 &req, &resp, 2, 15);
	}
	plant_session_close(P, &c, 5, 50);
	return c.busy;
}

/* Lateral movement over IT protocols between plant hosts: the engineering
 * station opens SSH to a Modbus PLC, a Modbus HMI mounts an SMB share on
 * the first S7 PLC's address, and one DNP3 outstation opens a TLS channel
 * to another on a port nobody uses. */
static void attack_lateral(struct plant *P, gen_time t)
{
	static const char ssh_cli[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
	static const char ssh_srv[] = "SSH-2.0-dropbear_2022.83\r\n";
	struct gen_buf q, r;
	struct truth *e;
	struct outst *o1 = &P->dn[0], *o2 = &P->dn[P->ndnp > 1 ? 1 : 0];
	int k;

	gb_reset(&q);
	gb_reset(&r);
	gb_bytes(&q, ssh_cli, sizeof(ssh_cli) - 1);
	gb_bytes(&r, ssh_srv, sizeof(ssh_srv) - 1);
	e = plant_truth_add(P, t, P->es, P->mb[0].h, "ssh",
			    "engineering station opens an SSH session to a Modbus PLC");
	plant_truth_kinds(e, "remote_access", "", "", "");
	t = it_session(P, P->es, P->mb[0].h, 22, t, &q, &r, 4, 0) + 2 * GEN_SEC;

	/* SMB2 NEGOTIATE request and response headers (MS-SMB2 2.2.3, 2.2.4) */
	gb_reset(&q);
	gb_reset(&r);
	gb_be32(&q, 0x00000068);
	gb_bytes(&q, "\xfeSMB", 4);
	gb_le16(&q, 64);
	for (k = 0; k < 58 + 36; k++)
		gb_u8(&q, 0);
	gb_be32(&r, 0x000000a0);
	gb_bytes(&r, "\xfeSMB", 4);
	gb_le16(&r, 64);
	for (k = 0; k < 58 + 94; k++)
		gb_u8(&r, k == 4 ? 1 : 0);
	e = plant_truth_add(P, t, P->hmi2, P->s7[0].h, "smb",
			    "an HMI opens an SMB session to an S7 PLC's address");
	plant_truth_kinds(e, "file_transfer", "", "", "");
	t = it_session(P, P->hmi2, P->s7[0].h, 445, t, &q, &r, 3, 0) + 2 * GEN_SEC;

	/* a TLS ClientHello / ServerHello pair opening the channel */
	gb_reset(&q);
	gb_reset(&r);
	gb_u8(&q, 0x16); gb_be16(&q, 0x0301); gb_be16(&q, 45);
	gb_u8(&q, 0x01); gb_be24(&q, 41); gb_be16(&q, 0x0303);
	for (k = 0; k < 32; k++)
		gb_u8(&q, gen_rng_below(&P->rng, 256));
	gb_u8(&q, 0); gb_be16(&q, 2); gb_be16(&q, 0xc02f); gb_u8(&q, 1); gb_u8(&q, 0);
	gb_u8(&r, 0x16); gb_be16(&r, 0x0303); gb_be16(&r, 42);
	gb_u8(&r, 0x02); gb_be24(&r, 38); gb_be16(&r, 0x0303);
	for (k = 0; k < 32; k++)
		gb_u8(&r, gen_rng_below(&P->rng, 256));
	gb_u8(&r, 0); gb_be16(&r, 0xc02f); gb_u8(&r, 0);
	e = plant_truth_add(P, t, o1->h, o2->h, "tls",
			    "a DNP3 outstation opens a TLS channel to another outstation on "
			    "port 8443 (command and control between RTUs)");
	plant_truth_kinds(e, "it_conversation", "", "", "");
	it_session(P, o1->h, o2->h, 8443, t, &q, &r, 6, 1);
}

/* ------------------------------------------------ extra deviations */

/* hmi1 reads holding registers 100-109, a block it never read before. */
static void attack_new_range(struct plant *P, gen_time t)
{
	struct mbplc *m = &P->mb[0];
	struct chan *c = &m->hmi1;
	struct gen_buf req, resp;
	uint16_t regs[10];
	gen_time ts = plant_chan_ready(P, &c->tcp, t);
	struct truth *e;
	unsigned i;

	for (i = 0; i < 10; i++)
		regs[i] = (uint16_t)(1000 + 7 * i);
	c->tid = (c->tid + 1) & 0xffff;
	mb_read_req(&req, c->tid, 1, 3, 100, 10);
	mb_regs_resp(&resp, c->tid, 1, 3, regs, 10);
	plant_count_mb(P, &req);
	plant_count_mb(P, &resp);
	plant_tcp_rr(P, &c->tcp, ts, &req, &resp, 2, 12);
	e = plant_truth_add(P, ts, P->hmi1, m->h, "modbus",
			    "HMI reads holding registers 100-109, never read before");
	plant_truth_kinds(e, "new_address_range", "unexpected_sequence", "", "");
}

/* hmi2's driver for the first PLC stops: it closes the connection and
 * polls no more. */
static void attack_channel_silent(struct plant *P, gen_time t)
{
	struct mbplc *m = &P->mb[0];
	gen_time tc = plant_chan_ready(P, &m->hmi2.tcp, t);
	struct truth *e;

	gen_tcp_close(&P->w, &P->rng, &m->hmi2.tcp, tc);
	e = plant_truth_add(P, tc, P->hmi2, m->h, "modbus",
			    "HMI stops polling a PLC (FC4 every 5 s, FC2 every 10 s): "
			    "it closes the connection and the channel falls silent");
	plant_truth_kinds(e, "channel_silent", "period_drift", "", "");
}

/* hmi2, a Modbus-only client, opens an S7 connection to an S7 PLC. */
static void attack_new_protocol(struct plant *P, gen_time t)
{
	struct s7plc *s = &P->s7[0];
	struct gen_tcp c;
	unsigned ref = 0;
	struct truth *e;

	plant_s7_open(P, &c, P->hmi2, s->h, &ref, t, 2);
	plant_session_close(P, &c, 20, 200);
	e = plant_truth_add(P, t, P->hmi2, s->h, "s7comm",
			    "a Modbus-only HMI connects to an S7 PLC (COTP, setup "
			    "communication)");
	plant_truth_kinds(e, "new_protocol,new_edge", "new_function", "", "");
}

/* The last Modbus PLC is replaced: the new unit (same IP, new MAC) resets
 * both HMI connections, the HMIs reconnect 4 s later. */
static void attack_ip_mac_change(struct plant *P, gen_time t)
{
	struct mbplc *m = &P->mb[P->nmb - 1];
	gen_time t1 = tmax_(plant_chan_ready(P, &m->hmi1.tcp, t),
			    plant_chan_ready(P, &m->hmi2.tcp, t));
	struct truth *e;

	m->h->mac[3] ^= 0x5a;   /* same vendor, another unit */
	m->h->mac[4] ^= 0xc3;
	gen_tcp_reset(&P->w, &m->hmi1.tcp, 1, t1);
	gen_tcp_reset(&P->w, &m->hmi2.tcp, 1, t1 + plant_think(P, 1, 5));
	m->down_until = t1 + 4 * GEN_SEC;
	plant_mb_connect(P, m, m->down_until);
	e = plant_truth_add(P, t1, m->h, P->hmi1, "modbus",
			    "a PLC is replaced: its IP address answers from a new MAC "
			    "address (and resets the HMIs' connections)");
	plant_truth_kinds(e, "ip_mac_change", "new_asset,unexpected_sequence,period_drift",
			  "", "");
}

/* The scenario's injection, at two fifths of the capture. */
void attack_run(struct plant *P, gen_time t)
{
	if (iec104_attack(P, t))
		return;
	switch (P->sc) {
	case SC_SCAN:
		attack_scan(P, t);
		break;
	case SC_UNAUTH_WRITE:
		attack_unauth_write(P, t);
		break;
	case SC_POLLING_CHANGE:
		attack_polling_change(P);
		break;
	case SC_VALUE_RANGE:
		attack_value_range(P, t);
		break;
	case SC_S7_STOP:
		attack_s7_stop(P, t);
		break;
	case SC_S7_DOWNLOAD:
		attack_s7_download(P, t);
		break;
	case SC_DNP3_COLD:
		attack_dnp3_cold(P, t);
		break;
	case SC_DNP3_OPERATE:
		attack_dnp3_operate(P, t);
		break;
	case SC_EXTERNAL_MODBUS:
		attack_external(P, t);
		break;
	case SC_LATERAL_MOVEMENT:
		attack_lateral(P, t);
		break;
	case SC_ENIP_RESET:
	case SC_ENIP_ROGUE_OPEN:
	case SC_ENIP_SET_ATTRIBUTE:
	case SC_ENIP_IO_SILENT:
	case SC_ENIP_RPI_CHANGE:
	case SC_ENIP_LIST_IDENTITY_SWEEP:
	case SC_ENIP_TAG_WRITE:
		enip_attack(P, t);
		break;
	case SC_UMAS_DOWNLOAD:
		attack_umas_download(P, t);
		break;
	case SC_UMAS_STOP:
		attack_umas_stop(P, t);
		break;
	case SC_NEW_RANGE:
		attack_new_range(P, t);
		break;
	case SC_ERROR_BURST:
		P->mb[0].exc_from = t;
		P->mb[0].exc_to = t + 15 * GEN_SEC;
		break;
	case SC_CHANNEL_SILENT:
		attack_channel_silent(P, t);
		break;
	case SC_NEW_PROTOCOL:
		attack_new_protocol(P, t);
		break;
	case SC_IP_MAC_CHANGE:
		attack_ip_mac_change(P, t);
		break;
	default:
		break;
	}
}
