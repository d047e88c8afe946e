/*
 * event.h - the normalized OT event every dissector emits.
 *
 * Inventory, graph, baseline, rules and the EVE protocol logs consume only
 * struct ot_event (plus packet metadata), so a new protocol needs a dissector
 * and nothing else.  An event lives on the dissector's stack for the duration
 * of one ot_emit() call: consumers copy what they keep.
 *
 * Identity facts (ident[]) describe the *sender* of the message: a Modbus
 * 43/14 response, a DNP3 group 0 response or an S7 SZL response describe the
 * server that sent it.
 */
#ifndef OTS_EVENT_H
#define OTS_EVENT_H

#include <stdint.h>
#include <stddef.h>
#include <sys/time.h>

#include "protocols.h"

struct flow;

/* Protocol ids, one per line of protocols.h, in its order; 0 is none. */
#define OT_PROTO_ENUM_ROW(ID, name) OT_PROTO_##ID,
enum ot_proto {
	OT_PROTO_UNKNOWN = 0,
	OT_PROTOCOLS(OT_PROTO_ENUM_ROW, OT_PROTO_ENUM_ROW)
	OT_PROTO_COUNT
};
#undef OT_PROTO_ENUM_ROW

enum ot_kind {
	OT_EV_MESSAGE = 0,      /* one protocol message (request/response) */
	OT_EV_ANOMALY,          /* malformed or suspicious traffic, with a reason */
	OT_EV_SESSION           /* session set-up facts (COTP connect, S7 setup) */
};

enum ot_dir {
	OT_DIR_REQUEST = 0,
	OT_DIR_RESPONSE,
	OT_DIR_UNSOLICITED,
	OT_DIR_NONE
};

/* What an operation does; rules and baseline reason on this. */
enum ot_category {
	OT_CAT_OTHER = 0,
	OT_CAT_READ,
	OT_CAT_WRITE,
	OT_CAT_CONTROL,         /* operate outputs: CROB, direct operate, force */
	OT_CAT_DIAGNOSTIC,
	OT_CAT_PROGRAM,         /* download/upload/delete blocks, UMAS program */
	OT_CAT_MODE,            /* run/stop, restart, listen-only */
	OT_CAT_IDENTITY,        /* device identification, SZL, group 0 */
	OT_CAT_FILE,
	OT_CAT_SECURITY,        /* passwords, secure authentication */
	OT_CAT_TIME,
	OT_CAT_SESSION,         /* setup communication, confirm, keep-alive */
	OT_CAT_DISCOVERY,       /* device discovery: ENIP ListIdentity/ListServices */
	OT_CAT_COUNT
};

/*
 * Address spaces for ranges and values.  A space belongs to one protocol:
 * its id carries the protocol id in the high four bits and the protocol's
 * own number of the space (1..15) in the low four, so ids sort by protocol
 * and never clash.  Each protocol defines its ids in its own header
 * (#define OT_SPACE_MB_HOLDING OT_SPACE_ID(OT_PROTO_MODBUS, 3)) and
 * describes them, name and kind, in its descriptor's .spaces.  0 is no
 * space ("none").
 */
enum ot_space {
	OT_SPACE_NONE = 0,
	OT_SPACE_LAST = 0xff
};
#define OT_SPACE_ID(proto, n) ((proto) << 4 | (n))
#define OT_SPACE_PROTO(space) ((unsigned)(space) >> 4)
_Static_assert(OT_PROTO_COUNT <= 16, "a space id holds the protocol id in 4 bits");

/*
 * One address space of a protocol (.spaces rows, ending in one with name
 * NULL).  space is OT_SPACE_ID(the protocol, 1..15).
 */
#define OT_SPACE_ANALOG 0x1     /* values are analog quantities: the
				 * baseline learns their range */
#define OT_SPACE_BLOCK  0x2     /* the block names the object (DNP3 group,
				 * S7 DB, Modbus file): written even when 0 */
#define OT_SPACE_TEXT16 0x4     /* 16-bit registers that may hold text, two
				 * characters each (the baseline's text class) */
struct ot_space_info {
	uint8_t space;
	const char *name;           /* stable, unique over all protocols */
	unsigned flags;             /* OT_SPACE_ANALOG | OT_SPACE_BLOCK | OT_SPACE_TEXT16 */
	/* optional: analog by block (DNP3 groups); flags still apply */
	int (*block_is_analog)(uint16_t block);
};

enum ot_ident_key {
	OT_ID_VENDOR = 0,
	OT_ID_PRODUCT,          /* product name */
	OT_ID_PRODUCT_CODE,
	OT_ID_MODEL,
	OT_ID_FIRMWARE,         /* firmware / software revision */
	OT_ID_HARDWARE,         /* hardware version */
	OT_ID_SERIAL,
	OT_ID_NAME,             /* station / PLC / device name */
	OT_ID_MODULE,           /* module name / type */
	OT_ID_PLANT,            /* plant id / location */
	OT_ID_ORDER_NUMBER,
	OT_ID_URL,
	OT_ID_APP_NAME,         /* user application name */
	OT_ID_CPU_MODE,         /* run / stop ... */
	OT_ID_COPYRIGHT,
	OT_ID_OTHER,
	OT_ID_COUNT
};

#define OT_MAX_RANGES   16
#define OT_MAX_VALUES   32
#define OT_MAX_IDENT    12
#define OT_IDENT_LEN    96
#define OT_DETAIL_LEN   128

struct ot_range {
	uint8_t space;          /* enum ot_space: OT_SPACE_ID() of a protocol */
	uint8_t variation;      /* DNP3 variation, else 0 */
	uint16_t block;         /* DNP3 group, S7 DB number / block type, Modbus file */
	uint32_t start;
	uint32_t count;
};

struct ot_value {
	uint8_t space;          /* enum ot_space: OT_SPACE_ID() of a protocol */
	uint16_t block;
	uint32_t index;         /* register / point index */
	double value;
};

/* A cyclic I/O connection (EtherNet/IP Forward Open / Forward Close and
 * class 0/1 implicit I/O): what the message says about it.  what is 0 on
 * every other event. */
enum ot_conn_what {
	OT_CONN_NONE = 0,
	OT_CONN_OPENED,         /* open reply, success: ids, RPIs, sizes, path */
	OT_CONN_REFUSED,        /* open reply, error */
	OT_CONN_CLOSED,         /* close reply, success */
	OT_CONN_TRAFFIC         /* summary of the connection's packets */
};

#define OT_CONN_PATH_LEN 48

struct ot_conn {
	uint8_t what;           /* enum ot_conn_what */
	uint8_t transport_class;/* 0..3; 0xff unknown */
	uint8_t trigger;        /* 0 cyclic, 1 change of state, 2 application; 0xff unknown */
	uint8_t final;          /* traffic: the flow ended, no summary follows */
	uint16_t serial;        /* connection serial number */
	uint16_t vendor;        /* originator vendor id */
	uint32_t orig_serial;   /* originator serial number */
	uint32_t ot_id, to_id;  /* connection ids, originator->target and back */
	uint32_t ot_rpi, to_rpi;/* requested packet intervals, microseconds */
	uint32_t ot_api, to_api;/* actual packet intervals (open reply), us */
	uint16_t ot_size, to_size;      /* connection sizes, bytes */
	char path[OT_CONN_PATH_LEN];    /* target application path, as text */
	/* traffic: the packets of connection id (sent by the event's sender) */
	uint32_t id;
	uint32_t size;          /* data bytes of the last packet */
	uint64_t packets, seq_gaps;
	double first, last;     /* first and last packet, seconds */
	double report_every;    /* while packets flow, another summary follows
				 * within this many seconds (+ one interval) */
};

struct ot_ident {
	uint8_t key;            /* enum ot_ident_key */
	char value[OT_IDENT_LEN]; /* printable, NUL-terminated (see ot_ident_add) */
};

/* ot_event_init sets every member before conn one by one: a member added
 * there must be set there too. */
struct ot_event {
	enum ot_kind kind;
	enum ot_proto proto;
	enum ot_dir dir;
	uint8_t from_client;    /* 1: sent by the flow's client */
	const struct flow *flow; /* set by ot_event_init from the context */
	struct timeval ts;

	/* addressing inside the protocol; -1 where not applicable */
	int32_t unit;           /* Modbus unit id, IEC 104 common address */
	int32_t link_src;       /* DNP3 link source address */
	int32_t link_dst;       /* DNP3 link destination address */
	int32_t rack, slot;     /* S7: from the COTP called TSAP */

	/* the operation; -1 / NULL where not applicable */
	int32_t func;           /* function code without exception bit */
	const char *func_name;  /* static string */
	int32_t group;          /* S7 userdata function group */
	int32_t subfunc;        /* Modbus diag/MEI sub-function, S7 subfunction, PI service */
	const char *subfunc_name;
	enum ot_category cat;
	int64_t txn;            /* transaction id / PDU ref / app seq; -1 none */

	int32_t status;         /* 0 ok, >0 exception / error code, -1 unknown */
	const char *status_name;
	double rtt;             /* response time in seconds, <0 when unpaired */

	/* protocol facts the rules match on; -1 where not applicable */
	int32_t iin;            /* DNP3 response: IIN1 << 8 | IIN2 */
	int32_t rosctr;         /* S7comm header ROSCTR */
	int32_t szl_id, szl_index; /* S7comm read-SZL request / response */

	uint8_t n_ranges, n_values, n_ident;
	uint8_t truncated;      /* ranges/values/ident hit their array caps */
	struct ot_conn conn;    /* cyclic I/O connection facts; what 0: none (the
				 * rest is then unset; who sets what sets all) */
	struct ot_range ranges[OT_MAX_RANGES];
	struct ot_value values[OT_MAX_VALUES];
	struct ot_ident ident[OT_MAX_IDENT];

	/* anomalies: a stable reason code ("length_mismatch") and free text
	 * (NUL-terminated; nothing past the NUL is read) */
	const char *anomaly;
	char anomaly_detail[OT_DETAIL_LEN];

	/* the protocol's record of this message: a plain struct of the
	 * protocol's own fields, defined in dissectors/<proto>/, read only by
	 * that protocol's log() and rule keywords.  Valid during ot_emit(); NULL
	 * for anomalies and for messages the protocol keeps no record of. */
	const void *record;
};

/* Protocol and space names come from the descriptors (registry.c). */
const char *ot_proto_name(enum ot_proto p);      /* "modbus", "dnp3", ... */
enum ot_proto ot_proto_from_name(const char *s); /* OT_PROTO_UNKNOWN on miss */
const char *ot_space_name(enum ot_space space); /* "holding", "dnp3", "db" ...; "none" */
int ot_space_from_name(const char *s);           /* the space id, -1 on miss */
/* The row of a space id, or NULL for none / unknown. */
const struct ot_space_info *ot_space_info(enum ot_space space);
unsigned ot_space_flags(enum ot_space space);   /* OT_SPACE_ANALOG ...; 0 for unknown */
/* Is this value an analog quantity (by its space's kind and block)? */
int ot_value_is_analog(const struct ot_value *v);
const char *ot_dir_name(enum ot_dir d);          /* "request", ... */
const char *ot_category_name(enum ot_category c);/* "read", "write", ... */
const char *ot_ident_key_name(enum ot_ident_key k); /* "vendor", "firmware" ... */
const char *ot_conn_what_name(enum ot_conn_what w); /* "opened", "traffic" ... */

/* Add to the bounded arrays; set ev->truncated and return -1 when full
 * (inline: called per point of a message). */
static inline int ot_range_add(struct ot_event *ev, enum ot_space sp, uint16_t block,
			       uint8_t variation, uint32_t start, uint32_t count)
{
	struct ot_range *r;

	if (ev->n_ranges >= OT_MAX_RANGES) {
		ev->truncated = 1;
		return -1;
	}
	r = &ev->ranges[ev->n_ranges++];
	r->space = (uint8_t)sp;
	r->block = block;
	r->variation = variation;
	r->start = start;
	r->count = count;
	return 0;
}

static inline int ot_value_add(struct ot_event *ev, enum ot_space sp, uint16_t block,
			       uint32_t index, double value)
{
	struct ot_value *v;

	if (ev->n_values >= OT_MAX_VALUES) {
		ev->truncated = 1;
		return -1;
	}
	v = &ev->values[ev->n_values++];
	v->space = (uint8_t)sp;
	v->block = block;
	v->index = index;
	v->value = value;
	return 0;
}

/* Copies up to OT_IDENT_LEN-1 bytes of raw packet text: stops at NUL, trims
 * trailing blanks, replaces bytes outside printable ASCII with '.'.
 * Empty values are not added (returns 0). */
int ot_ident_add(struct ot_event *ev, enum ot_ident_key key,
		 const uint8_t *raw, size_t len);

/* Code -> name tables: arrays ending in {0, NULL}.  A code may appear more
 * than once: its first row is the name the logs write, later rows are
 * other spellings the rules accept (Suricata's, older ones). */
struct ot_tok {
	int code;
	const char *name;
};

/* Code for name (any spelling, case-insensitive): 0, or -1 when absent. */
int ot_tok_code(const struct ot_tok *t, const char *name, int *code);
/* Name for code, or NULL when absent. */
const char *ot_tok_name(const struct ot_tok *t, int code);
/* Name for code, or "unknown"; never NULL. */
const char *ot_tok_str(const struct ot_tok *t, int code);

/*
 * A table looked up per message: on first use, a table by code when every
 * code is in 0..255, else its rows sorted by code and searched by halves
 * (either way the first row of a code wins, as with ot_tok_name).  Declare one per table, static, with OT_TOK_INDEX(table); the
 * sorted copy lives until exit.  Without memory for it, the table is
 * searched row by row.
 */
struct ot_tok_index {
	const struct ot_tok *t;
	struct ot_tok *rows;
	const char **direct;    /* codes all in 0..255: the name by code */
	size_t n;
	int state;      /* 0 not built, 1 built, -1 no memory */
};
#define OT_TOK_INDEX(table) { (table), NULL, NULL, 0, 0 }
/* The look-up past the by-code table: builds the index on first use,
 * searches the sorted rows (or the table itself without memory). */
const char *ot_tok_index_search(struct ot_tok_index *x, int code);

/* direct is set only once the index is built, so a built by-code table is
 * read here without a call; everything else goes to ot_tok_index_search. */
static inline const char *ot_tok_index_name(struct ot_tok_index *x, int code)
{
	if (x->direct)
		return (unsigned)code < 256 ? x->direct[code] : NULL;
	return ot_tok_index_search(x, code);
}

/* The same, or "unknown" (as ot_tok_str); never NULL. */
static inline const char *ot_tok_index_str(struct ot_tok_index *x, int code)
{
	const char *n = ot_tok_index_name(x, code);

	return n ? n : "unknown";
}

#endif /* OTS_EVENT_H */
