/*
 * gen_enip.h - otsgen's EtherNet/IP cell: a Logix-style controller that is
 * the scanner of two adapters (an I/O block and a drive) over class 1 I/O,
 * read and written by hmi1 with Unconnected Send, and the EtherNet/IP
 * attack scenarios.
 *
 * Specifications: The CIP Networks Library Vol 2 (encapsulation 2-3,
 * common packet format 2-6, ListIdentity 2-4.2, class 0/1 I/O on UDP 2222
 * 3-2) and Vol 1 (Connection Manager Forward Open/Close 3-5.5, Unconnected
 * Send 3-5.5.2, Identity object Reset 5-2); Logix Read/Write Tag: Rockwell
 * publication 1756-PM020.
 *
 * Ownership: struct enip_site belongs to the plant (plant_free frees it);
 * its hosts are the plant's.
 */
#ifndef OTS_GEN_ENIP_H
#define OTS_GEN_ENIP_H

#include "gen_plant.h"

struct enip_adapter {
	struct gen_host *h;
	const char *product;
	unsigned devtype, prodcode, rev[2];
	uint32_t serial;
	uint32_t rpi;           /* microseconds, both directions */
	uint32_t ot_id, to_id;  /* the open connection's ids */
	uint16_t conn_serial;
	uint32_t eseq_ot, eseq_to;      /* encapsulation sequence numbers */
	uint16_t cseq_ot, cseq_to;      /* CIP sequence counts */
	int up;                 /* connection open: I/O flows */
	gen_time cut_at;        /* from here the adapter is off the wire (0: never) */
	gen_time last_frame;    /* its last I/O frame (O->T or T->O) */
	int cut_noted;          /* the silence is in the ground truth */
	int hijacked;           /* it produces for the rogue originator instead */
	uint32_t rogue_ot, rogue_to;
	uint16_t rogue_cseq;
	uint32_t rogue_eseq;
};

struct enip_site {
	struct gen_host *plc;
	uint32_t plc_serial;
	struct enip_adapter io[2];
	struct gen_tcp hmi;     /* hmi1's session to the controller */
	uint32_t hmi_session;
	uint32_t ctx;           /* sender context counter */
	uint16_t next_conn_serial;
	uint32_t next_id;
	gen_time pause_until;   /* the controller restarts: no I/O, no answers */
	uint32_t speed_sp;
};

#define ENIP_HOSTS 3            /* hosts enip_layout adds */
#define ENIP_TASKS 8            /* tasks enip_tasks adds */

/* Lay out the cell (hosts from the plant's host array). */
void enip_layout(struct plant *P, struct gen_rng *L);
/* Schedule its tasks. */
void enip_tasks(struct plant *P);
/* Run one of its tasks (T_ENIP_*). */
void enip_run_task(struct plant *P, struct task *tk);
/* Close its sessions at the end of the capture, from t on. */
void enip_close(struct plant *P, gen_time t);
/* The EtherNet/IP attack scenarios at t. */
void enip_attack(struct plant *P, gen_time t);
void enip_free(struct plant *P);

#endif /* OTS_GEN_ENIP_H */
