/*
 * iec104.h - IEC 60870-5-104: the protocol record and the four parts that
 * share it.
 *
 *   iec104_parse.c  bytes -> struct iec104_apdu (APCI, ASDU, information
 *                   objects) and the ot_event; sequence tracking; descriptor
 *   iec104_names.c  the one code -> name table of each field
 *   iec104_log.c    struct iec104_apdu -> the EVE "iec104" object
 *   iec104_rules.c  rule keyword rows (iec104_type, iec104_cot, ...)
 *
 * Specifications: IEC 60870-5-104:2006 (APCI: clause 5, sequence numbers:
 * clause 5.1, U functions: clause 5.3), IEC 60870-5-101:2003 clause 7 (ASDU
 * layout, type identifications, causes of transmission, information
 * elements), IEC 60870-5-4 (CP16/CP24/CP56Time2a).  Field sizes are the
 * 104 defaults: 2-octet cause of transmission (cause + originator),
 * 2-octet common address, 3-octet information object address.
 *
 * Ownership: a struct iec104_apdu is a plain value (no pointers into the
 * packet); the flow's state holds it, ev->record points to it for one
 * ot_emit() call.
 */
#ifndef OTS_IEC104_H
#define OTS_IEC104_H

#include <stddef.h>
#include <stdint.h>

#include "dissector.h"
#include "keyword.h"

/* The address space (iec104_spaces, iec104_names.c): information object
 * addresses, block = common address. */
#define OT_SPACE_IEC104 OT_SPACE_ID(OT_PROTO_IEC104, 1)

struct jw;

#define IEC104_PORT         2404
#define IEC104_START        0x68
#define IEC104_APCI_LEN     6       /* start, length, 4 control octets */
#define IEC104_MIN_LEN      4       /* length octet: control field only */
#define IEC104_MAX_LEN      253     /* length octet: at most 249 ASDU octets */
#define IEC104_MAX_APDU     (IEC104_MAX_LEN + 2)
#define IEC104_ASDU_HEADER  6       /* type, VSQ, COT(2), CA(2) */
#define IEC104_IOA_LEN      3
#define IEC104_SEQ_MOD      32768   /* 15-bit send and receive numbers */
#define IEC104_MAX_OBJECTS  127     /* the VSQ count has 7 bits */
#define IEC104_MAX_PENDING  16      /* commands awaiting confirmation, per flow */
#define IEC104_CONFIRM_TIMEOUT 15.0 /* seconds: t1, the standard's default */

enum iec104_format {
	IEC104_I = 0,                   /* numbered information transfer */
	IEC104_S,                       /* numbered supervisory (acknowledge) */
	IEC104_U                        /* unnumbered control */
};

/* U-format functions: the control octet's function bit (5.3). */
#define IEC104_U_STARTDT_ACT 0x04
#define IEC104_U_STARTDT_CON 0x08
#define IEC104_U_STOPDT_ACT  0x10
#define IEC104_U_STOPDT_CON  0x20
#define IEC104_U_TESTFR_ACT  0x40
#define IEC104_U_TESTFR_CON  0x80

/*
 * The function code of the ot_event: the type identification for an
 * I-format APDU (1..255), IEC104_FUNC_U_BASE + bit index (0..5) for a
 * U-format one (256 STARTDT act ... 261 TESTFR con); -1 for S-format.
 */
#define IEC104_FUNC_U_BASE   256

/* Cause of transmission octet (7.2.3). */
#define IEC104_COT_TEST      0x80
#define IEC104_COT_NEGATIVE  0x40
#define IEC104_COT_CAUSE     0x3f

/* Quality bits shared by SIQ, DIQ, QDS, QDP, SEP (7.2.6). */
#define IEC104_Q_OV          0x01   /* QDS: overflow */
#define IEC104_Q_EI          0x08   /* QDP/SEP: elapsed time invalid */
#define IEC104_Q_BL          0x10   /* blocked */
#define IEC104_Q_SB          0x20   /* substituted */
#define IEC104_Q_NT          0x40   /* not topical */
#define IEC104_Q_IV          0x80   /* invalid */

/* The information element layout of a type identification. */
enum iec104_layout {
	IEC104_EL_UNKNOWN = 0,
	IEC104_EL_SIQ,          /* single point with quality */
	IEC104_EL_DIQ,          /* double point with quality */
	IEC104_EL_VTI_QDS,      /* step position + QDS */
	IEC104_EL_BSI_QDS,      /* bitstring of 32 bits + QDS */
	IEC104_EL_NVA_QDS,      /* normalized value + QDS */
	IEC104_EL_SVA_QDS,      /* scaled value + QDS */
	IEC104_EL_FLT_QDS,      /* short floating point + QDS */
	IEC104_EL_BCR,          /* binary counter reading */
	IEC104_EL_SEP,          /* protection event: SEP + CP16 elapsed */
	IEC104_EL_SPE_QDP,      /* packed start events + QDP + CP16 */
	IEC104_EL_OCI_QDP,      /* packed output circuit info + QDP + CP16 */
	IEC104_EL_SCD_QDS,      /* status and status change detection + QDS */
	IEC104_EL_NVA,          /* normalized value without quality */
	IEC104_EL_SCO,          /* single command */
	IEC104_EL_DCO,          /* double command */
	IEC104_EL_RCO,          /* regulating step command */
	IEC104_EL_NVA_QOS,      /* set point normalized + QOS */
	IEC104_EL_SVA_QOS,      /* set point scaled + QOS */
	IEC104_EL_FLT_QOS,      /* set point short float + QOS */
	IEC104_EL_BSI,          /* bitstring command */
	IEC104_EL_COI,          /* end of initialization */
	IEC104_EL_QOI,          /* interrogation */
	IEC104_EL_QCC,          /* counter interrogation */
	IEC104_EL_NONE,         /* read: the address alone */
	IEC104_EL_CLOCK,        /* clock synchronization: CP56 only */
	IEC104_EL_FBP,          /* test: fixed test pattern */
	IEC104_EL_QRP,          /* reset process */
	IEC104_EL_CP16,         /* delay acquisition */
	IEC104_EL_TSC,          /* test with time tag: test sequence counter */
	IEC104_EL_NVA_QPM,      /* parameter normalized + QPM */
	IEC104_EL_SVA_QPM,      /* parameter scaled + QPM */
	IEC104_EL_FLT_QPM,      /* parameter short float + QPM */
	IEC104_EL_QPA,          /* parameter activation */
	IEC104_EL_FILE_READY,   /* NOF LOF FRQ */
	IEC104_EL_SECTION_READY,/* NOF NOS LOF SRQ */
	IEC104_EL_CALL,         /* NOF NOS SCQ */
	IEC104_EL_LAST,         /* NOF NOS LSQ CHS */
	IEC104_EL_ACK,          /* NOF NOS AFQ */
	IEC104_EL_SEGMENT,      /* NOF NOS LOS segment */
	IEC104_EL_DIRECTORY,    /* NOF LOF SOF CP56 */
	IEC104_EL_QUERY_LOG,    /* NOF CP56 start CP56 stop */
	IEC104_EL_COUNT
};

/* What a type identification is: the one table (iec104_names.c). */
struct iec104_type {
	uint8_t id;
	uint8_t layout;         /* enum iec104_layout */
	uint8_t size;           /* element octets, time tag excluded */
	uint8_t time;           /* time tag octets: 0, 3 (CP24) or 7 (CP56) */
	uint8_t cat;            /* enum ot_category */
};

/* CP24Time2a / CP56Time2a (IEC 60870-5-4 6.8). */
struct iec104_time {
	uint16_t ms;            /* milliseconds in the minute, 0..59999 */
	uint8_t minute, hour, day, dow, month, year;
	uint8_t invalid, summer;
};

/* One information object as decoded; the layout says which fields hold. */
struct iec104_object {
	uint32_t ioa;
	uint8_t has_value;
	uint8_t has_quality;
	uint8_t has_qualifier;
	uint8_t time_len;       /* 0, 3, 7 */
	uint8_t quality;        /* quality / flag octet (SIQ, DIQ, QDS, QDP, SEP, BCR) */
	uint8_t qualifier;      /* SCO DCO RCO QOS QOI QCC QRP COI QPM QPA FRQ SRQ SCQ LSQ AFQ SOF */
	uint8_t section;        /* file transfer: name of section */
	uint8_t checksum;       /* file transfer: CHS; SPE/OCI bits */
	double value;           /* the element's value as a number */
	uint32_t raw;           /* the value bits as sent (NVA, BSI, float, BCR, SCD) */
	uint16_t aux;           /* CP16 elapsed ms, SCD change bits, name of file, TSC */
	uint32_t length;        /* file transfer: LOF / LOS */
	struct iec104_time time, time2;
};

struct iec104_asdu {
	uint8_t header_len;     /* header octets present: 0..6 (6: whole) */
	uint8_t type_id;
	const struct iec104_type *type;  /* NULL when not a standard type */
	uint8_t sq;             /* 1: one address, consecutive elements */
	uint8_t count;          /* VSQ number of objects */
	uint8_t cause;          /* COT bits 0-5 */
	uint8_t negative, test; /* P/N and T bits */
	uint8_t originator;
	uint16_t ca;            /* common address */
	uint8_t n_objects;      /* decoded, <= count */
	uint8_t complete;       /* every octet understood, lengths fit */
	struct iec104_object obj[IEC104_MAX_OBJECTS];
};

struct iec104_apdu {
	uint8_t format;         /* enum iec104_format */
	uint8_t length;         /* the APCI length octet */
	uint16_t send_seq;      /* I: N(S) */
	uint16_t recv_seq;      /* I, S: N(R) */
	uint8_t u_func;         /* U: the function bits, IEC104_U_* */
	uint16_t log_max;       /* information objects the log writes */
	struct iec104_asdu asdu;/* I only */
};

/* Per-flow counters (both directions). */
struct iec104_counters {
	uint64_t apdus;             /* APDUs decoded */
	uint64_t i_frames, s_frames, u_frames;
	uint64_t bad_apci;          /* bad length or control field */
	uint64_t asdu_malformed;    /* ASDU shorter or longer than its objects */
	uint64_t unknown_type;      /* type identification not in the standard */
	uint64_t seq_gaps;          /* I-frames whose N(S) jumped ahead */
	uint64_t seq_duplicates;    /* N(S) seen again */
	uint64_t seq_out_of_order;  /* N(S) missing before, arriving late */
	uint64_t seq_ack_ahead;     /* N(R) acknowledging frames never seen */
	uint64_t commands;          /* activations of commands, set points,
				     * system commands, parameters */
	uint64_t commands_confirmed, commands_negative;
	uint64_t commands_unconfirmed;  /* no actcon within IEC104_CONFIRM_TIMEOUT */
	uint64_t commands_dropped;  /* waiting table full: the oldest dropped */
	uint64_t confirms_unmatched;/* actcon of no activation seen */
};

/* Counters of a state made by iec104_dissector.state_new (NULL: zeros). */
void iec104_get_counters(const void *state, struct iec104_counters *out);

/* The first problem iec104_decode() found: a stable anomaly code and text. */
struct iec104_problem {
	const char *reason;     /* NULL: none */
	char detail[OT_DETAIL_LEN];
};

/*
 * Decode one whole APDU (start octet to the last ASDU octet) into a.
 * Returns 0 when the APCI is valid (the ASDU may still be incomplete:
 * a->asdu.complete == 0), -1 when p does not hold an APDU.  pr (may be
 * NULL) receives the first problem found.
 */
int iec104_decode(const uint8_t *p, size_t len, struct iec104_apdu *a,
		  struct iec104_problem *pr);

/* Names (iec104_names.c): the first spelling of a code is the log's, the
 * later ones are what rules accept too.  NULL for codes not defined. */
extern const struct ot_tok iec104_type_names[];
extern const struct ot_tok iec104_cause_names[];
extern const struct ot_tok iec104_u_names[];
extern const struct ot_tok iec104_quality_names[];
extern const struct ot_names iec104_names[];
extern const struct ot_space_info iec104_spaces[];
extern const struct ot_keyword iec104_keywords[];
const struct iec104_type *iec104_type_info(int type_id);
const char *iec104_type_name(int type_id);
const char *iec104_cause_name(int cause);
const char *iec104_u_name(int u_func);          /* "startdt_act" */
const char *iec104_format_name(int format);     /* "I", "S", "U" */
const char *iec104_qoi_name(int qoi);           /* "station", "group_1" ... */
const char *iec104_qrp_name(int qrp);
const char *iec104_dpi_name(int dpi);           /* "off", "on" ... */
const char *iec104_rcs_name(int rcs);
/* The ot_event function code (see IEC104_FUNC_U_BASE) and its name. */
int iec104_func_code(const struct iec104_apdu *a);
const char *iec104_func_name(int func);
/* Iterate the standard type table: entry i, NULL past the end. */
const struct iec104_type *iec104_type_at(size_t i);

/* The members of the EVE "iec104" object of one APDU (ev->record). */
void iec104_log(struct jw *w, const struct ot_event *ev);

#endif /* OTS_IEC104_H */
