/*
 * s7comm.h - internal interface between the S7comm dissector files.
 *
 * s7comm.c frames TPKT (RFC 1006) and COTP (ISO 8073 class 0), decodes the
 * S7comm header, the job/ack-data functions and S7comm-plus recognition;
 * s7comm_szl.c decodes the userdata PDUs (function groups, SZL identity).
 * Nothing here is exported outside the dissector: the one public symbol is
 * s7comm_dissector (s7comm.c).
 *
 * Ownership: struct s7_state is allocated by s7comm.c's state_new and owned
 * by the flow; struct s7_msg lives on the stack for one S7 PDU.
 */
#ifndef OTS_S7COMM_H
#define OTS_S7COMM_H

#include <stdint.h>
#include <sys/time.h>
#include <jansson.h>

#include "cursor.h"
#include "dissector.h"
#include "framer.h"

/* Address spaces (described in s7comm_spaces, s7comm_rules.c). */
#define OT_SPACE_S7_INPUTS OT_SPACE_ID(OT_PROTO_S7COMM, 1) /* start = byte offset * 8 + bit, count in bits */
#define OT_SPACE_S7_OUTPUTS OT_SPACE_ID(OT_PROTO_S7COMM, 2)
#define OT_SPACE_S7_FLAGS OT_SPACE_ID(OT_PROTO_S7COMM, 3)
#define OT_SPACE_S7_DB OT_SPACE_ID(OT_PROTO_S7COMM, 4)     /* block = DB number */
#define OT_SPACE_S7_DI OT_SPACE_ID(OT_PROTO_S7COMM, 5)     /* instance DB, block = DB number */
#define OT_SPACE_S7_COUNTER OT_SPACE_ID(OT_PROTO_S7COMM, 6)
#define OT_SPACE_S7_TIMER OT_SPACE_ID(OT_PROTO_S7COMM, 7)
#define OT_SPACE_S7_PERIPHERAL OT_SPACE_ID(OT_PROTO_S7COMM, 8)
#define OT_SPACE_S7_OTHER OT_SPACE_ID(OT_PROTO_S7COMM, 9)
/* program block: block = wire type char ('8' OB, 'A' DB, 'B' SDB,
 * 'C' FC, 'D' SFC, 'E' FB, 'F' SFB), start = number */
#define OT_SPACE_S7_BLOCK OT_SPACE_ID(OT_PROTO_S7COMM, 10)

/* Items remembered per request for pairing with the response (an S7 PDU
 * of 240..960 bytes cannot hold many more); later items are not paired. */
#define S7_MAX_ITEMS 20

/* One S7ANY item of a read/write request. */
struct s7_item {
	uint8_t syntax;         /* syntax id, 0x10 = S7ANY */
	uint8_t tsize;          /* request transport size (element type) */
	uint8_t area;
	uint16_t count;         /* elements */
	uint16_t db;
	uint32_t addr;          /* byte * 8 + bit, or timer/counter number */
};

/* An outstanding request (job or userdata), keyed by PDU reference. */
struct s7_pending {
	uint8_t used;
	uint8_t rosctr;
	uint8_t func;           /* job function, or userdata subfunction */
	int8_t group;           /* userdata function group, -1 for jobs */
	uint8_t szl_followup;   /* userdata read-SZL request for the next fragment */
	int8_t pi;              /* PI service code of a 0x28 job, -1 none */
	uint16_t pdu_ref;
	struct timeval ts;
	uint8_t n_items;
	struct s7_item items[S7_MAX_ITEMS];
};

/* One direction of the connection. */
struct s7_dir {
	struct framer fr;
	uint8_t *frag;          /* COTP DT TPDUs without EOT, bounded by max_reassembly */
	size_t frag_len, frag_cap;
	struct timeval frag_ts;
	uint8_t frag_dropping;  /* message overflowed: drop until EOT */
};

struct s7_state {
	const struct ot_limits *lim;
	struct s7_dir dir[2];   /* 0 client -> server, 1 server -> client */
	int32_t rack, slot;     /* from the COTP called TSAP, -1 unknown */
	struct s7_pending *pend;        /* lim->max_pending entries */
	uint32_t n_pend;
	uint64_t pend_dropped;
	uint64_t reasm_dropped;
	uint64_t szl_dropped;   /* SZL answers over max_reassembly */
	uint64_t s7_pdus, plus_pdus;    /* S7comm / S7comm-plus PDUs decoded */
	uint8_t foreign_seen;   /* a non-S7 COTP payload was reported */
	/* SZL answer split over several userdata responses */
	uint8_t *szl;
	size_t szl_len, szl_cap;
	uint8_t szl_active;     /* a first fragment was seen, more follow */
	/* during one parse() call */
	struct dissect_ctx *ctx;
};

/* One S7 PDU being decoded. */
struct s7_msg {
	struct dissect_ctx *ctx;
	struct s7_state *st;
	struct ot_event *ev;
	json_t *o;              /* the "s7comm" detail object, or NULL */
	uint32_t values_left;   /* values still allowed in the EVE line */
	const struct s7_pending *req;   /* the paired request, or NULL */
	struct s7_pending *out;         /* request being recorded, or NULL */
};

/* s7comm_util.c: shared by s7comm.c and s7comm_szl.c */
extern const struct ot_tok s7_return_code_names[];
/* Append n bytes to a growing buffer (caller bounds the size); 0 or -1. */
int s7_buf_append(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *p, size_t n);
void s7_json_int(json_t *o, const char *key, long long v);
void s7_json_str(json_t *o, const char *key, const char *s);
/* Packet text or identifiers (trailing NULs/blanks trimmed, at most 256
 * bytes) as a JSON string: printable ASCII as is, anything else as hex
 * (binary TSAPs and file names go through here, so not jw_bytes' rule). */
void s7_json_text(json_t *o, const char *key, const uint8_t *p, size_t n);
/* "_0A00001P"-style block id (type 2 chars, number 5 digits, [filesystem]):
 * adds an OT_SPACE_S7_BLOCK range and block_type/block_number to o. */
void s7_block_id(struct s7_msg *m, json_t *o, const uint8_t *p, size_t n);

/* Name of a block type code ('8' OB, 'A' DB ...), or NULL. */
const char *s7_block_type_name(int c);
/* n decimal digits at p into *v: 0, or -1 on a non-digit. */
int s7_digit_run(const uint8_t *p, size_t n, uint32_t *v);

/* s7comm_szl.c: a userdata PDU (ROSCTR 7). */
void s7_userdata(struct s7_msg *m, struct cursor *par, struct cursor *data);

/* s7comm_rules.c: rule keywords and the names they take. */
extern const struct ot_keyword s7comm_keywords[];
extern const struct ot_names s7comm_names[];
extern const struct ot_space_info s7comm_spaces[];

#endif /* OTS_S7COMM_H */
