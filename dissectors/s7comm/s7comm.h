/*
 * s7comm.h - the S7comm record, names and logger shared by the parts of
 * dissectors/s7comm/ (parse, names, log, rules).  Nothing outside this
 * folder includes it: other modules see the descriptor (registry.c) only.
 *
 * s7comm_parse.c frames TPKT (RFC 1006) and COTP (ISO 8073 class 0),
 * decodes the S7comm header, the job/ack-data functions and recognises
 * S7comm-plus; s7comm_szl.c decodes the userdata PDUs (function groups, SZL
 * identity); s7comm_util.c holds what both use.  Each message fills one
 * struct s7comm_record, which the event points to (ev->record) during
 * ot_emit(); s7comm_log.c turns it into the "s7comm" (or "s7comm_plus")
 * EVE object.
 *
 * Ownership: struct s7_state is allocated by state_new and owned by the
 * flow; struct s7_msg and the record live on the parser's stack for one
 * PDU.  The record's pointers reach into the PDU being parsed (the packet,
 * the COTP reassembly buffer or the SZL buffer), valid until ot_emit()
 * returns.
 */
#ifndef OTS_S7COMM_H
#define OTS_S7COMM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "cursor.h"
#include "dissector.h"
#include "framer.h"

struct jw;

/* Address spaces (described in s7comm_spaces, s7comm_names.c). */
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

/* Items of one message in the record: the item count is one byte. */
#define S7_REC_ITEMS 255

/* Identity members of one SZL answer (distinct keys, see s7_ident_fields). */
#define S7_REC_IDENT 16

/* Longest packet text the log writes (after trailing NULs and blanks). */
#define S7_TEXT_MAX 256

#define S7_ROSCTR_JOB      1
#define S7_ROSCTR_ACK      2
#define S7_ROSCTR_ACK_DATA 3
#define S7_ROSCTR_USERDATA 7

#define S7_SYNTAX_S7ANY    0x10

/* One S7ANY item of a read/write request. */
struct s7_item {
	uint8_t syntax;         /* syntax id, 0x10 = S7ANY */
	uint8_t tsize;          /* request transport size (element type) */
	uint8_t area;
	uint16_t count;         /* elements */
	uint16_t db;
	uint32_t addr;          /* byte * 8 + bit, or timer/counter number */
};

/* An outstanding request (job or userdata), keyed by PDU reference.  Only
 * the first n_items items are ever set or read (pend_copy copies no more). */
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
	uint32_t n_pend;                /* entries of pend in use */
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

/* ---- the record ---- */

/* Packet bytes shown as text (printable ASCII) or hex: n is the length
 * after trailing NULs and blanks, at most S7_TEXT_MAX; 0: absent. */
struct s7_text {
	const uint8_t *p;
	size_t n;
};

/* A "_0A00001P"-style block id. */
struct s7_block_id {
	uint8_t type;           /* wire type char ('8' OB, 'A' DB ...) */
	uint8_t has_filesystem;
	uint8_t filesystem;     /* 'P', 'A', 'B' */
	uint32_t number;
};

/* One item of a read/write message: the request's specification, a return
 * code (responses), the data (write requests, read responses). */
struct s7_rec_item {
	uint8_t has_spec, has_rc, has_data;
	uint8_t has_values;     /* the data part holds values (request, or rc 0xff) */
	/* specification */
	uint8_t spec_type;      /* 0x12 normally */
	uint8_t spec_len;
	uint8_t s7any;          /* the S7ANY fields in spec are valid */
	uint8_t truncated;      /* the parameter part ended inside the item */
	struct s7_item spec;
	/* return code and data */
	uint8_t rc;
	uint8_t data_tsize;
	uint8_t typed;          /* type: the request item the values follow */
	struct s7_item type;
	const uint8_t *data;    /* the item's value bytes */
	size_t data_len;
};

/* The identity members an SZL answer carried, in first-seen order; a later
 * value of the same member replaces the earlier one in place. */
struct s7_rec_ident {
	uint8_t field;          /* index into s7_ident_fields */
	struct s7_text text;
};

/* Optional members of an S7comm PDU (struct s7comm_record.has). */
enum s7_has {
	S7H_ERROR = 1u << 0,            /* ack / ack-data header error */
	S7H_FUNC = 1u << 1,
	S7H_SETUP = 1u << 2,
	S7H_ITEMS = 1u << 3,
	S7H_FUNCTION_STATUS = 1u << 4,
	S7H_SESSION_ID = 1u << 5,
	S7H_BLOCKLENGTH = 1u << 6,
	S7H_FILENAME = 1u << 7,
	S7H_BLOCK_ID = 1u << 8,
	S7H_LOAD_LENGTH = 1u << 9,
	S7H_MC7_LENGTH = 1u << 10,
	S7H_PI_SERVICE = 1u << 11,      /* the service name text */
	S7H_PI_NAME = 1u << 12,
	S7H_PI_BLOCKS = 1u << 13,
	S7H_PI_PARAMETER = 1u << 14,
	S7H_USERDATA = 1u << 15,        /* the userdata parameter part */
	S7H_UD_EXTENDED = 1u << 16,     /* data unit reference, last unit, error */
	S7H_UD_DATA = 1u << 17,         /* return code, transport size */
	S7H_SZL_FRAGMENT = 1u << 18,
	S7H_SZL_ID = 1u << 19,          /* request: id, index */
	S7H_SZL_ANSWER = 1u << 20,      /* answer header (with S7H_SZL_ID) */
	S7H_BLOCK_TYPE = 1u << 21,      /* list blocks of type */
	S7H_BLOCK_COUNTS = 1u << 22,
	S7H_PLC_TIME = 1u << 23,
	S7H_PASSWORD = 1u << 24
};

/* Which message a record describes. */
enum s7_rec_kind {
	S7R_PDU = 0,            /* S7comm (protocol id 0x32) */
	S7R_PLUS,               /* S7comm-plus (0x72) */
	S7R_COTP                /* COTP connect / disconnect */
};

/* The COTP parameters, in the order the record keeps them. */
enum s7_cotp_param { S7P_TPDU_SIZE = 0, S7P_CALLING_TSAP, S7P_CALLED_TSAP, S7P_COUNT };

struct s7comm_record {
	uint8_t kind;           /* enum s7_rec_kind */
	uint32_t has;           /* enum s7_has bits */

	/* S7comm header */
	uint8_t rosctr;
	uint16_t pdu_ref, param_len, data_len;
	uint8_t error_class, error_code;

	/* job and ack-data */
	uint8_t func;
	uint16_t max_amq_calling, max_amq_called, pdu_size;
	uint8_t item_count;
	uint8_t function_status;
	uint32_t session_id, blocklength, load_memory_length, mc7_length;
	struct s7_text filename;
	struct s7_block_id block;
	struct s7_text pi_service, pi_parameter;
	uint8_t pi;             /* enum s7_pi */
	const uint8_t *pi_blocks;       /* n_pi_blocks ids of 8 bytes */
	unsigned n_pi_blocks;
	uint32_t max_log_values;        /* values the log writes per message */

	/* userdata */
	uint32_t ud_head;
	uint8_t ud_method, ud_type, ud_group, ud_sub, ud_seq;
	uint8_t ud_dur, ud_last;
	uint16_t ud_error;
	uint8_t ud_rc, ud_tsize;
	uint16_t szl_id, szl_index, szl_rlen, szl_count;
	uint8_t n_ident;        /* ident[] */
	uint8_t block_type;     /* list blocks of type: wire type char */
	const uint8_t *block_counts;    /* n_block_counts entries of 4 bytes */
	size_t n_block_counts;
	size_t password_length;

	/* S7comm-plus */
	uint8_t plus_version, plus_has_opcode, plus_opcode, plus_has_function;
	uint16_t plus_data_len, plus_function, plus_seq;

	/* COTP connect, confirm, disconnect */
	uint8_t cotp_code, cotp_class, cotp_has_class, cotp_has_reason;
	uint16_t cotp_dref, cotp_sref;
	uint32_t tpdu_size;
	struct s7_text calling_tsap, called_tsap;
	uint8_t n_cotp_params;  /* cotp_params[] */

	/* from here on not cleared per message (s7_record_init): each member
	 * is read only as far as a count or a has bit above says, and whoever
	 * sets the count or the bit has written what it covers */
	uint16_t n_items;       /* items[]: cleared as they are taken */
	uint8_t cotp_params[S7P_COUNT]; /* enum s7_cotp_param, first-seen order */
	struct s7_rec_ident ident[S7_REC_IDENT];
	char plc_time[40];      /* S7H_PLC_TIME */
	/* scratch of the SZL decoder: the text ident[] points to */
	char hardware_version[16], firmware_version[16];
	struct s7_rec_item items[S7_REC_ITEMS];
};

/* PI service codes of our own (ev->subfunc), see otsentry-s7comm(7). */
enum s7_pi {
	PI_UNKNOWN = 0,
	PI_INSERT,
	PI_DELETE,
	PI_PROGRAM,
	PI_COPY_RAM_TO_ROM,
	PI_COMPRESS,
	PI_NC,
	PI_EXTMOD
};

/* One S7 PDU being decoded. */
struct s7_msg {
	struct dissect_ctx *ctx;
	struct s7_state *st;
	struct ot_event *ev;
	struct s7comm_record *rec;
	const struct s7_pending *req;   /* the paired request, or NULL */
	struct s7_pending *out;         /* request being recorded, or NULL */
};

/* ---- s7comm_names.c: the code -> name tables (first name: the log's) ---- */
extern const struct ot_tok s7comm_cotp_names[];
extern const struct ot_tok s7comm_rosctr_names[];
extern const struct ot_tok s7comm_func_names[];
extern const struct ot_tok s7comm_error_class_names[];
extern const struct ot_tok s7comm_return_code_names[];
extern const struct ot_tok s7comm_area_names[];
extern const struct ot_tok s7comm_item_tsize_names[];
extern const struct ot_tok s7comm_data_tsize_names[];
extern const struct ot_tok s7comm_syntax_names[];
extern const struct ot_tok s7comm_pi_names[];
extern const struct ot_tok s7comm_block_type_names[];
extern const struct ot_tok s7comm_filesystem_names[];
extern const struct ot_tok s7comm_plus_opcode_names[];
extern const struct ot_tok s7comm_plus_func_names[];
extern const struct ot_tok s7comm_group_names[];
extern const struct ot_tok s7comm_ud_type_names[];
extern const struct ot_tok s7comm_szl_list_names[];
extern const struct ot_tok s7comm_cpu_mode_names[];
/* Subfunction names of a userdata function group, or NULL. */
const struct ot_tok *s7comm_group_sub_names(int group);
/* The JSON member names of the identity an SZL answer carries. */
extern const char *const s7_ident_fields[];
enum s7_ident_field {
	S7I_ORDER_NUMBER = 0, S7I_HARDWARE, S7I_FIRMWARE, S7I_PLC_NAME,
	S7I_MODULE_NAME, S7I_PLANT_ID, S7I_COPYRIGHT, S7I_SERIAL,
	S7I_MODULE_TYPE, S7I_MEMORY_CARD_SERIAL, S7I_LOCATION, S7I_CPU_MODE,
	S7I_COUNT
};
extern const struct ot_names s7comm_names[];
extern const struct ot_space_info s7comm_spaces[];

/* ---- s7comm_util.c: shared by s7comm_parse.c, s7comm_szl.c, s7comm_log.c ---- */
/* Append n bytes to a growing buffer (caller bounds the size); 0 or -1. */
int s7_buf_append(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *p, size_t n);
/* p[0..n) as packet text: trailing NULs and blanks off, at most S7_TEXT_MAX. */
struct s7_text s7_text(const uint8_t *p, size_t n);
/* A block id at p: 0 and *b filled, -1 when it is not one.  On success
 * also adds an OT_SPACE_S7_BLOCK range to ev (ev NULL: no range). */
int s7_block_id_parse(struct ot_event *ev, const uint8_t *p, size_t n, struct s7_block_id *b);
/* Name of a block type code ('8' OB, 'A' DB ...), or NULL. */
const char *s7_block_type_name(int c);
/* n decimal digits at p into *v: 0, or -1 on a non-digit. */
int s7_digit_run(const uint8_t *p, size_t n, uint32_t *v);
/* The values of a data item: bytes per value, or 0 when the item's type
 * is composite (only its length is reported).  x: the request item, or
 * NULL when unpaired. */
unsigned s7_value_bytes(const struct s7_item *x, uint8_t data_tsize);
/* The value of one raw big-endian element of that item. */
double s7_value(const struct s7_item *x, uint8_t data_tsize, uint32_t raw);
/* The normalized address space of an S7ANY memory area. */
enum ot_space s7_area_space(uint8_t area);
/* Bits per element of an S7ANY transport size; 8 when unknown. */
unsigned s7_elem_bits(uint8_t tsize);

/* s7comm_szl.c: a userdata PDU (ROSCTR 7). */
void s7_userdata(struct s7_msg *m, struct cursor *par, struct cursor *data);

/* s7comm_log.c */
void s7comm_log(struct jw *w, const struct ot_event *ev);

/* s7comm_rules.c */
extern const struct ot_keyword s7comm_keywords[];

#endif /* OTS_S7COMM_H */
