/*
 * gen_plant.h - otsgen's plant model: the simulated devices, the task
 * scheduler, the scenarios' injections and the ground truth they record.
 *
 *   gen_plant.c   layout (hosts, identities, process bands), device
 *                 behaviour (Modbus, S7, DNP3, IT noise), the scheduler;
 *   gen_attack.c  the attack scenarios, built from the plant_* helpers;
 *   otsgen.c      the command line and the truth file.
 *
 * Ownership: struct plant owns its hosts, devices, tasks and the writer
 * while it runs; plant_free() releases them (safe on a plant that
 * plant_init() set up even if plant_run() failed).
 */
#ifndef OTS_GEN_PLANT_H
#define OTS_GEN_PLANT_H

#include "gen.h"

struct enip_site;

#define MAX_TRUTH 8

/* ------------------------------------------------------------ scenarios */

enum scenario {
	SC_NORMAL,
	SC_SCAN,
	SC_UNAUTH_WRITE,
	SC_POLLING_CHANGE,
	SC_VALUE_RANGE,
	SC_IDENTITY,
	SC_S7_STOP,
	SC_S7_DOWNLOAD,
	SC_DNP3_COLD,
	SC_DNP3_OPERATE,
	SC_EXTERNAL_MODBUS,
	SC_LATERAL_MOVEMENT,
	SC_IEC104_ROGUE_COMMAND,        /* gen_iec104.c */
	SC_IEC104_RESET_PROCESS,
	SC_IEC104_INTERROGATION_SWEEP,
	SC_IEC104_GI_FLOOD,
	SC_IEC104_INJECTED_IFRAME,
	SC_ENIP_RESET,
	SC_ENIP_ROGUE_OPEN,
	SC_ENIP_SET_ATTRIBUTE,
	SC_ENIP_IO_SILENT,
	SC_ENIP_RPI_CHANGE,
	SC_ENIP_LIST_IDENTITY_SWEEP,
	SC_ENIP_TAG_WRITE,
	SC_UMAS_DOWNLOAD,               /* gen_attack.c */
	SC_UMAS_STOP,
	/* extra deviations, not in the bundled set (--scenario all) */
	SC_NEW_RANGE,
	SC_ERROR_BURST,
	SC_CHANNEL_SILENT,
	SC_NEW_PROTOCOL,
	SC_IP_MAC_CHANGE,
	SC_IEC104_STATION_SILENT,       /* gen_iec104.c */
	SC_COUNT
};

#define SC_BUNDLED (SC_UMAS_STOP + 1)  /* normal and the attacks */

extern const char *const scenario_names[SC_COUNT];

/* ------------------------------------------------------------- the plant */

struct sig {                    /* a process value moving within a band */
	int64_t base, amp, noise;       /* in the value's own units */
	int64_t period, phase;          /* microseconds */
};

struct chan {                   /* one long-lived master->device channel */
	struct gen_tcp tcp;
	unsigned tid;           /* Modbus transaction id, S7 PDU reference */
	unsigned app_seq;       /* DNP3 master application sequence */
	unsigned tseq_m, tseq_o;        /* DNP3 transport sequence, each way */
};

struct mbplc {
	struct gen_host *h;
	struct chan hmi1, hmi2;
	const char *vendor, *product, *revision, *url, *name, *model;
	struct sig hr[10], ir[8];
	uint16_t sp[2];         /* setpoints at holding registers 10, 11 */
	uint8_t coil[16], di[16];
	int oor_reg;            /* register forced out of range, or -1 */
	gen_time oor_from, oor_to;
	gen_time exc_from, exc_to;      /* answers exception 0x04 meanwhile */
	int exc_seen;
	gen_time down_until;    /* being replaced: HMIs do not poll */
};

struct s7plc {
	struct gen_host *h;
	struct chan hmi;
	const char *order, *name, *module, *plant, *serial;
	unsigned fw[3];
	struct sig db[4];
	uint32_t counters[2];
	uint8_t flags[2];
	unsigned plc_pduref;    /* jobs the PLC itself sends (downloads) */
};

struct outst {
	struct gen_host *h;
	struct chan m;
	int udp;
	unsigned addr;
	const char *maker, *model, *fw, *serial;
	struct sig ai[4];
	int32_t ai_last[4];
	uint8_t bi[8];
	uint8_t restarted;      /* IIN1.7 set until the master clears it */
	/* pending events */
	uint8_t nbev, naev;
	uint8_t bev_idx[8], bev_state[8];
	gen_time bev_t[8];
	uint8_t aev_idx[4];
	int32_t aev_val[4];
};

enum task_kind {
	T_CONNECT_MB, T_MB_LOOP,
	T_HIST_MB, T_CONNECT_DNP3, T_DNP3_EVENTS, T_DNP3_INTEGRITY,
	T_CONNECT_S7, T_S7_READ, T_HIST_S7, T_ES, T_DNS, T_HTTP, T_NTP,
	T_ENIP_CONNECT, T_ENIP_IO, T_ENIP_HMI, T_ENIP_LISTID,
	T_ATTACK,
	T_IEC104                /* gen_iec104.c: b says what; re-arms itself */
};

struct task {
	int kind;
	int a, b;               /* object index, variant */
	gen_time period;        /* 0: one shot */
	gen_time jitter;        /* at most this far off the nominal time */
	gen_time nominal, fire;
	uint32_t id;
	uint32_t tick;          /* T_MB_LOOP: scan cycles so far */
	int changed;            /* polling_change: 1 armed, 2 changed, 3 seen */
};

struct truth {
	gen_time t;
	char src[16], dst[16];
	const char *proto, *what;
	const char *expect, *allow, *rules;     /* comma-separated */
	const char *sids;       /* sids of shipped rules (rules/) that fire */
	const char *operators_var;      /* a site variable those sids need besides
					 * MODBUS_OPERATORS, set to hmi1 too */
};

struct counts {
	uint64_t mb_msgs, mb_fc[128];
	uint64_t dnp3_frames, dnp3_fc[256];
	uint64_t s7_pdus, s7_userdata, s7_func[256];
};

struct plant {
	uint64_t seed;
	int nmb, ns7, ndnp;
	gen_time epoch;         /* plant start: where the normal capture begins */
	gen_time start, end;    /* this capture */
	enum scenario sc;
	struct gen_rng rng;     /* traffic randomness for this capture */
	struct gen_writer w;

	struct gen_host *hosts;
	int nhosts;
	struct gen_host *hmi1, *hmi2, *scada, *es, *hist, *ws[2], *dns, *ntp,
		*gw, *www, *scanner, *rogue, *ext;
	struct mbplc *mb;
	struct s7plc *s7;
	struct outst *dn;
	struct iec104_sub *i104;        /* the IEC 104 substation (gen_iec104.c) */
	struct enip_site *enip;         /* the EtherNet/IP cell (gen_enip.c) */

	struct task *tasks;
	int ntasks, captasks;
	struct gen_heap sched;   /* struct task *, on (fire, id) */

	struct truth truth[MAX_TRUTH];
	int ntruth;
	struct counts cnt;
	uint64_t frames, bytes;         /* written, for the summary */
};

enum dnp3_req { DR_EVENTS, DR_INTEGRITY, DR_ATTRS, DR_COLD_RESTART, DR_CLEAR_RESTART };

/* plant_init: lay out the plant of plcs Modbus PLCs for scenario sc; the
 * learning capture starts at epoch, an attack capture normal_len later;
 * this capture lasts len.  plant_run: write it to out (0, or -1). */
void plant_init(struct plant *P, uint64_t seed, int plcs, enum scenario sc,
		gen_time epoch, gen_time normal_len, gen_time len);
int plant_run(struct plant *P, const char *out);
void plant_free(struct plant *P);

/* building blocks for the cells in other files: a host with a MAC from
 * the OUI of vendor (as the plant's OUI table spells it) and address
 * a.b.c.d; a task (period 0: one shot; jitter in per mille of the period);
 * a first firing time somewhere in the first period */
struct gen_host *plant_host_new(struct plant *P, const char *name, const char *role,
				const char *vendor, unsigned a, unsigned b, unsigned c, unsigned d);
struct task *plant_task_every(struct plant *P, int kind, int a, int b, double period_s,
			      int jitter_pm, gen_time first);
gen_time plant_phase(struct plant *P, double period_s);

/* ground truth: kinds, rule names and sids as comma-separated lists */
struct truth *plant_truth_add(struct plant *P, gen_time t, const struct gen_host *src,
			      const struct gen_host *dst, const char *proto,
			      const char *what);
void plant_truth_kinds(struct truth *e, const char *expect, const char *allow,
		       const char *rules, const char *sids);
/* the sids also need the operator list var (hmi1) in the truth's rule_vars */
void plant_truth_operators(struct truth *e, const char *var);

/* message counts, as tshark will find them */
void plant_count_mb(struct plant *P, const struct gen_buf *g);
void plant_count_dnp3(struct plant *P, const struct gen_buf *app);
void plant_count_s7(struct plant *P, unsigned rosctr, const struct gen_buf *param);

/* conversations */
gen_time plant_think(struct plant *P, int lo_ms, int hi_ms);
gen_time plant_chan_ready(struct plant *P, struct gen_tcp *c, gen_time t);
gen_time plant_tcp_rr(struct plant *P, struct gen_tcp *c, gen_time t,
		      const struct gen_buf *req, const struct gen_buf *resp,
		      int lo_ms, int hi_ms);
gen_time plant_session_open(struct plant *P, struct gen_tcp *c, struct gen_host *cli,
			    struct gen_host *srv, uint16_t port, gen_time t);
gen_time plant_session_close(struct plant *P, struct gen_tcp *c, int lo_ms, int hi_ms);
gen_time plant_mb_read(struct plant *P, struct mbplc *m, struct gen_tcp *c,
		       unsigned *tid, gen_time t, unsigned fc);
gen_time plant_mb_devid(struct plant *P, struct mbplc *m, struct gen_tcp *c,
			unsigned *tid, gen_time t);
void plant_mb_connect(struct plant *P, struct mbplc *m, gen_time t);
gen_time plant_s7_open(struct plant *P, struct gen_tcp *c, struct gen_host *cli,
		       struct gen_host *plc, unsigned *pduref, gen_time t, unsigned ctype);
gen_time plant_s7_job(struct plant *P, struct gen_tcp *c, unsigned *pduref,
		      gen_time t, const struct gen_buf *jpar, const struct gen_buf *jdata,
		      const struct gen_buf *apar, const struct gen_buf *adata);
gen_time plant_dnp3_poll(struct plant *P, struct outst *o, gen_time t, enum dnp3_req kind);

/* A one-shot task of kind at first (plant_tasks() sized the table). */
void plant_task_add(struct plant *P, int kind, int a, int b, gen_time first);

/* gen_iec104.c: the IEC 104 substation.  Its own random stream and
 * self-re-arming tasks leave the rest of the plant's traffic unchanged.
 * iec104_layout adds its hosts through host(); iec104_task runs one task
 * and returns when it runs next (0: never); iec104_attack runs the
 * scenario's injection when it is an IEC 104 one (1) or returns 0. */
struct task;
typedef struct gen_host *(*plant_host_fn)(struct plant *P, const char *name, const char *role,
					  int oui, uint32_t ip, int windows);
void iec104_layout(struct plant *P, plant_host_fn host, int oui_master, int oui_rtu);
void iec104_tasks(struct plant *P);
gen_time iec104_task(struct plant *P, struct task *tk);
void iec104_close(struct plant *P, gen_time t);
void iec104_free(struct plant *P);
int iec104_attack(struct plant *P, gen_time t);
#define IEC104_HOSTS 3
struct json_t;
struct json_t *iec104_counts_json(const struct plant *P);

/* gen_attack.c: the scenario's injection at time t */
void attack_run(struct plant *P, gen_time t);

#endif /* OTS_GEN_PLANT_H */
