/*
 * enip.h - EtherNet/IP encapsulation and CIP: the protocol record and the
 * functions the four parts of the dissector share.
 *
 * enip_parse.c   bytes -> struct enip_record (+ the ot_event), per-flow state
 * enip_names.c   the code -> name tables (log, rules and man page agree)
 * enip_log.c     struct enip_record -> the EVE "enip" object
 * enip_rules.c   the rule keywords (enip_command, cip_service, ...)
 *
 * Specifications: The CIP Networks Library, Volume 1 (CIP: message router
 * request/response format 2-4, logical/port/data segments appendix C, general
 * status appendix B, Connection Manager services 3-5.5, Identity object 5-2)
 * and Volume 2 (EtherNet/IP: encapsulation header and commands 2-3, common
 * packet format 2-6, ListIdentity 2-4.2, implicit I/O on UDP 2222 3-2).
 * Logix tag services: Rockwell publication 1756-PM020.
 *
 * Ownership: a struct enip_record is plain data owned by whoever declared it;
 * its strings are inline arrays, nothing in it points into packet bytes.
 */
#ifndef OTS_ENIP_H
#define OTS_ENIP_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "keyword.h"

/* The address space (enip_spaces, enip_names.c), a CIP object: block =
 * class (0 none), variation = service, start = instance, count =
 * attribute (0 none). */
#define OT_SPACE_CIP OT_SPACE_ID(OT_PROTO_ENIP, 1)

#define ENIP_TCP_PORT       44818
#define ENIP_IO_PORT        2222
#define ENIP_HEADER_LEN     24
#define ENIP_MAX_DATA       65511   /* 65535 - header: largest command data */

#define ENIP_MAX_ITEMS      8       /* CPF items kept per message */
#define ENIP_MAX_CIP        128     /* CIP services kept per message */
#define ENIP_SYMBOL_LEN     64      /* symbolic path text kept */
#define ENIP_ROUTE_LEN      32      /* route path text kept */
#define ENIP_NAME_LEN       33      /* identity product name: 32 + NUL */
#define ENIP_MSG_ANOMALIES  4

/* Encapsulation commands (Vol 2, 2-3.2). */
enum enip_command {
	ENIP_CMD_NOP = 0x0000,
	ENIP_CMD_LIST_SERVICES = 0x0004,
	ENIP_CMD_LIST_IDENTITY = 0x0063,
	ENIP_CMD_LIST_INTERFACES = 0x0064,
	ENIP_CMD_REGISTER_SESSION = 0x0065,
	ENIP_CMD_UNREGISTER_SESSION = 0x0066,
	ENIP_CMD_SEND_RR_DATA = 0x006F,
	ENIP_CMD_SEND_UNIT_DATA = 0x0070,
	ENIP_CMD_INDICATE_STATUS = 0x0072,
	ENIP_CMD_CANCEL = 0x0073
};

/* Common packet format item types (Vol 2, 2-6). */
enum enip_item_type {
	ENIP_ITEM_NULL = 0x0000,
	ENIP_ITEM_IDENTITY = 0x000C,
	ENIP_ITEM_CONNECTED_ADDR = 0x00A1,
	ENIP_ITEM_CONNECTED_DATA = 0x00B1,
	ENIP_ITEM_UNCONNECTED_DATA = 0x00B2,
	ENIP_ITEM_SERVICES = 0x0100,
	ENIP_ITEM_SOCKADDR_OT = 0x8000,
	ENIP_ITEM_SOCKADDR_TO = 0x8001,
	ENIP_ITEM_SEQUENCED_ADDR = 0x8002
};

/* CIP services used by name in the code (Vol 1 appendix A, 3-5.5). */
#define CIP_SVC_GET_ATTRIBUTE_ALL      0x01
#define CIP_SVC_GET_ATTRIBUTE_LIST     0x03
#define CIP_SVC_MULTIPLE_SERVICE       0x0A
#define CIP_SVC_GET_ATTRIBUTE_SINGLE   0x0E
#define CIP_SVC_FORWARD_CLOSE          0x4E
#define CIP_SVC_UNCONNECTED_SEND       0x52
#define CIP_SVC_FORWARD_OPEN           0x54
#define CIP_SVC_LARGE_FORWARD_OPEN     0x5B
#define CIP_CLASS_IDENTITY             0x01
#define CIP_CLASS_CONNECTION_MANAGER   0x06

struct cip_path {
	int64_t class_id;       /* -1: absent (each of these five) */
	int64_t instance;
	int64_t attribute;
	int64_t member;
	int64_t conn_point;
	uint8_t n_segments;
	uint8_t bad;            /* a segment could not be decoded */
	uint8_t has_symbol;
	char symbol[ENIP_SYMBOL_LEN];   /* symbolic / ANSI extended, '.'-joined */
};

/* Forward Open / Large Forward Open / Forward Close facts. */
struct cip_connection_params {
	uint8_t present;
	uint8_t large;          /* Large Forward Open: 32-bit parameters */
	uint32_t ot_id, to_id;  /* connection ids (open request and reply) */
	uint16_t serial;        /* connection serial number */
	uint16_t vendor;        /* originator vendor id */
	uint32_t orig_serial;   /* originator serial number */
	uint8_t timeout_mult;
	uint32_t ot_rpi, to_rpi;        /* requested packet intervals, us */
	uint32_t ot_params, to_params;  /* network connection parameters */
	uint32_t ot_api, to_api;        /* reply: actual packet intervals, us */
	uint8_t trigger;        /* transport class and trigger byte */
	struct cip_path conn_path;
};

/* One CIP service: the outer one, an Unconnected Send's embedded request,
 * or one service inside a Multiple Service Packet. */
struct cip_service {
	uint8_t service;        /* without the response bit */
	uint8_t response;       /* response bit set */
	uint8_t embedded;       /* inside an Unconnected Send */
	uint8_t in_msp;         /* inside a Multiple Service Packet */
	uint8_t path_from_request; /* response: path copied from its request */
	uint8_t n_ext;          /* extended status words (first 2 kept) */
	int16_t status;         /* general status; -1 on requests */
	uint16_t ext_status[2];
	uint32_t data_len;      /* request/response data bytes */
	struct cip_path path;
	char route[ENIP_ROUTE_LEN]; /* Unconnected Send route path, "port/link" */
	enum ot_category cat;
};

struct enip_item {
	uint16_t type;
	uint16_t length;
};

/* enip_identity.fields bits: which facts the message carried. */
#define ENIP_IDF_VENDOR     0x01
#define ENIP_IDF_DEVTYPE    0x02
#define ENIP_IDF_PRODUCT    0x04
#define ENIP_IDF_REVISION   0x08
#define ENIP_IDF_STATUS     0x10
#define ENIP_IDF_SERIAL     0x20
#define ENIP_IDF_NAME       0x40
#define ENIP_IDF_STATE      0x80

struct enip_identity {
	uint8_t present;
	uint8_t fields;         /* ENIP_IDF_* */
	uint16_t encap_version;
	uint16_t sock_port;
	uint8_t sock_addr[4];
	uint16_t vendor;
	uint16_t device_type;
	uint16_t product_code;
	uint8_t rev_major, rev_minor;
	uint16_t status;
	uint32_t serial;
	char product_name[ENIP_NAME_LEN];
	int16_t state;          /* -1: absent (the byte is optional in practice) */
	uint8_t from_cip;       /* 1: an Identity object answer, 0: ListIdentity */
};

/* One implicit I/O connection (UDP 2222), summarised. */
struct enip_io_summary {
	uint32_t conn_id;
	uint64_t packets;
	uint32_t first_seq, last_seq;
	uint64_t seq_gaps;      /* packets whose sequence jumped by more than 1 */
	double first_ts, last_ts;
	uint32_t last_len;
	uint8_t final;          /* 1: the flow ended */
};
/* One encapsulation message, decoded (or, with is_io, one I/O summary).
 * A message clears only the flags and counts at the start (and the
 * identity's and connection's flags, enip_parse.c): every other member is
 * read only as far as they say (has_rr: interface_handle and timeout,
 * n_items: items, conn.present: conn, n_cip: cip...), and whoever sets a
 * flag has set what it guards. */
struct enip_record {
	/* flags and counts: cleared per message */
	uint8_t is_io;          /* an I/O summary (io), not a message */
	uint8_t is_request;     /* direction: 1 request, 0 reply */
	uint8_t has_rr;         /* SendRRData / SendUnitData */
	uint8_t has_register;   /* RegisterSession */
	uint8_t has_services;   /* ListServices */
	uint8_t n_items;
	uint8_t connected;      /* a connected address item */
	uint8_t has_sequenced;  /* sequenced address item (I/O) */
	uint8_t has_cip_seq;
	uint8_t n_anom;
	uint16_t item_count;    /* as on the wire */
	uint16_t n_cip;         /* services kept */
	uint32_t cip_total;     /* services seen (n_cip + dropped at the cap) */
	uint8_t svc_seen[16];   /* bit per service code (0..127) seen: cip[]'s and more */

	/* the header: set by every decoded message */
	uint16_t command;
	const char *command_name;       /* enip_command_name(command) */
	uint16_t length;
	uint32_t session;
	uint32_t status;
	uint8_t context[8];
	uint32_t options;

	struct enip_io_summary io;      /* is_io */
	/* has_rr */
	uint32_t interface_handle;
	uint16_t timeout;
	/* has_register */
	uint16_t protocol_version, option_flags;
	/* has_services */
	uint16_t svc_version, svc_flags;
	char svc_name[17];
	struct enip_item items[ENIP_MAX_ITEMS]; /* n_items */
	uint32_t conn_id;       /* connected */
	uint32_t encap_seq;     /* has_sequenced */
	uint16_t cip_seq;       /* has_cip_seq: connected data sequence count */

	struct enip_identity ident;         /* ident.present, ident.fields */
	struct cip_connection_params conn;  /* conn.present: Forward Open/Close facts */
	const char *anom[ENIP_MSG_ANOMALIES];   /* n_anom */
	char anom_detail[ENIP_MSG_ANOMALIES][OT_DETAIL_LEN];

	/* last: only the first n_cip entries are ever set or read */
	struct cip_service cip[ENIP_MAX_CIP];
};

/* ---- enip_names.c --------------------------------------------------- */
const char *enip_command_name(unsigned cmd);        /* "send_rr_data"; NULL unknown */
const char *enip_status_name(uint32_t st);          /* "success"; "unknown" */
const char *enip_item_name(unsigned type);          /* "null_address"; "unknown" */
/* Service name in the context of its class (-1: unknown class); "unknown". */
const char *cip_service_name(unsigned service, int64_t class_id);
/* Service code for a name as cip_service_name spells it; -1 on miss. */
int cip_service_from_name(const char *name);
const char *cip_status_name(int status);            /* "success"; "unknown" */
const char *cip_class_name(int64_t class_id);       /* "identity"; NULL unknown */
const char *cip_vendor_name(unsigned vendor);       /* NULL unknown */
const char *cip_device_type_name(unsigned type);    /* NULL unknown */
const char *enip_state_name(int state);             /* identity state byte */
/* Operation category of a service on a class (-1 unknown). */
enum ot_category cip_service_category(unsigned service, int64_t class_id, int has_symbol);
/* Command code for a name as enip_command_name spells it; -1 on miss. */
int enip_command_from_name(const char *name);

/* ---- enip_parse.c --------------------------------------------------- */
/*
 * Decode one whole encapsulation message (header + data, len bytes) into
 * rec, without per-flow state.  from_client says which end sent it.
 * Returns 0, or -1 when len is below the header (rec then holds nothing).
 */
/* What a response's request asked: lets a response (which carries no path)
 * be decoded by the class it answers (Identity object answers). */
struct enip_hint_svc {
	uint8_t service;
	uint8_t used;
	int64_t class_id, instance, attribute;
};
#define ENIP_HINT_MAX 16
struct enip_hint {
	uint8_t n;
	uint8_t next;   /* every entry below it is used (a search starts
			 * there): 0 whenever a used flag is cleared */
	struct enip_hint_svc svc[ENIP_HINT_MAX];
};
int enip_parse_message(const uint8_t *msg, size_t len, int from_client,
		       struct enip_hint *hint, struct enip_record *rec);
/* Decode one CIP message router request or response into rec's services
 * (used for the UDP 2222 connected data too).  Returns 0 or -1. */
int cip_parse_message(const uint8_t *p, size_t len, struct enip_hint *hint,
		      struct enip_record *rec);
/* Decode a CIP path of len bytes (padded EPATH). Returns 0 or -1. */
int cip_parse_path(const uint8_t *p, size_t len, struct cip_path *path);
/* 0: every path and common packet format through the general loops, not
 * the shortcuts for their usual shapes (for tests); default 1. */
void enip_set_fast_paths(int on);
void cip_path_init(struct cip_path *path);

/* ---- enip_log.c ----------------------------------------------------- */
struct jw;
/* The members of the "enip" EVE object of one message (ev->record is a
 * struct enip_record) into the object w has open. */
void enip_log(struct jw *w, const struct ot_event *ev);

/* ---- enip_names.c: the tables as documentation and rules see them ---- */
extern const struct ot_names enip_names[];
extern const struct ot_space_info enip_spaces[];
extern const struct ot_tok enip_command_names[];
extern const struct ot_tok cip_status_names[];
extern const struct ot_tok cip_class_names[];

/* ---- enip_rules.c --------------------------------------------------- */
extern const struct ot_keyword enip_keywords[];

#endif /* OTS_ENIP_H */
