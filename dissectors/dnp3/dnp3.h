/*
 * dnp3.h - DNP3 (IEEE 1815-2012) internals shared by dnp3.c (link layer,
 * transport reassembly, application header, request/response pairing) and
 * dnp3_objects.c (object headers and object values).
 *
 * Only the descriptor dnp3_dissector (dnp3.c) is used by the pipeline; the
 * functions below are exported for the unit tests and the fuzz target.
 *
 * Ownership: nothing here allocates except dnp3_objects_parse(), which adds
 * new JSON values to the caller's array (the caller owns the array).
 */
#ifndef OTS_DNP3_H
#define OTS_DNP3_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "dissector.h"

/* The address space (dnp3_spaces, dnp3_names.c): block = group,
 * variation = variation, start..: point index. */
#define OT_SPACE_DNP3 OT_SPACE_ID(OT_PROTO_DNP3, 1)

struct jw;

#define DNP3_START1       0x05
#define DNP3_START2       0x64
#define DNP3_HEADER_LEN   10      /* start(2) len ctrl dst(2) src(2) crc(2) */
#define DNP3_BLOCK_LEN    16      /* user data bytes per CRC block */
#define DNP3_MIN_LEN_FIELD 5      /* LEN counts ctrl, dst, src */
#define DNP3_MAX_FRAME    292     /* LEN 255: 10 + 250 + 2 * 16 */

/* Link control octet (IEEE 1815 9.2.4.1.3). */
#define DNP3_LINK_DIR     0x80
#define DNP3_LINK_PRM     0x40
#define DNP3_LINK_FCB     0x20
#define DNP3_LINK_FCV     0x10    /* DFC in secondary frames */
#define DNP3_LINK_FUNC    0x0f

/* Transport header octet. */
#define DNP3_TP_FIN       0x80
#define DNP3_TP_FIR       0x40
#define DNP3_TP_SEQ       0x3f

/* Application control octet. */
#define DNP3_AC_FIR       0x80
#define DNP3_AC_FIN       0x40
#define DNP3_AC_CON       0x20
#define DNP3_AC_UNS       0x10
#define DNP3_AC_SEQ       0x0f

/* Application function codes used by name in the code. */
#define DNP3_FC_CONFIRM           0
#define DNP3_FC_READ              1
#define DNP3_FC_WRITE             2
#define DNP3_FC_RESPONSE          129
#define DNP3_FC_UNSOLICITED       130
#define DNP3_FC_AUTH_RESPONSE     131

/* Per-flow counters (both directions). */
struct dnp3_counters {
	uint64_t frames;            /* link frames with good CRCs */
	uint64_t link_only;         /* of which without user data */
	uint64_t bad_crc;           /* frames dropped for a header or block CRC */
	uint64_t bad_length;        /* headers with LEN < 5, datagrams with a cut frame */
	uint64_t messages;          /* application fragments decoded */
	uint64_t tp_discarded;      /* transport segments discarded (sequence) */
	uint64_t tp_duplicates;     /* repeated transport segments ignored */
	uint64_t fragments_dropped; /* incomplete fragments abandoned */
	uint64_t pending_dropped;   /* requests evicted from the pending table */
};

/* Counters of a state made by dnp3_dissector.state_new (NULL: zeros). */
void dnp3_get_counters(const void *state, struct dnp3_counters *out);

/* DNP3 CRC-16 (polynomial 0x3D65, reflected, result inverted) of n bytes. */
uint16_t dnp3_crc16(const uint8_t *p, size_t n);
/* Whole link frame length for the header's LEN octet (>= 5), CRCs included. */
size_t dnp3_frame_len(uint8_t len_field);
/*
 * Encode one link frame (header, user data n <= 250 in CRC blocks) into out
 * (room for DNP3_MAX_FRAME bytes).  Returns the frame length, 0 when n is
 * too large.  Used by the tests, the fuzz target and traffic generators.
 */
size_t dnp3_link_encode(uint8_t ctrl, uint16_t dst, uint16_t src,
			const uint8_t *user, size_t n, uint8_t *out);
/* dnp3_names.c: the code -> name tables (first name of a code: the log's). */
extern const struct ot_tok dnp3_function_names[];
extern const struct ot_tok dnp3_iin_names[];
extern const struct ot_names dnp3_names[];
extern const struct ot_space_info dnp3_spaces[];
/* dnp3_rules.c */
extern const struct ot_keyword dnp3_keywords[];
extern const struct ot_event_alias dnp3_event_aliases[];

/* Function code name ("read"), or NULL for codes the standard does not define. */
const char *dnp3_func_name(int fc);

/* What one application fragment's objects produced. */
struct dnp3_objects_result {
	uint32_t objects;       /* object headers decoded */
	uint32_t points;        /* points decoded (objects with data or prefixes) */
	int complete;           /* 1: every byte of the fragment was understood */
	int has_group0;         /* a device attribute object was present */
	int has_time;           /* a time object (group 50) was present */
	int has_file;           /* a file object (group 70) was present */
	int has_crob;           /* a control block (groups 12, 41) was present */
};

/*
 * Decode the object headers (and, when with_data, the object values) that
 * follow the application header.  Values go into ev (values[], ranges[],
 * ident[] for group 0 in responses).  Parsing: w NULL, problems become
 * anomalies through ctx and end decoding of the fragment (res->complete =
 * 0).  Logging: ctx NULL, w the log's open application object: an
 * "objects" array (when there are objects) with at most lim->max_log_values
 * points in all; ev is then a scratch copy.
 */
/* Object layouts are found among their group's rows only: the number of
 * (group, variation) pairs for which that differs from a search of every
 * row (0 when sound; for the unit test). */
size_t dnp3_obj_lookup_mismatches(void);
void dnp3_objects_parse(struct dissect_ctx *ctx, const struct ot_limits *lim,
			struct cursor *c, int with_data, struct ot_event *ev,
			struct jw *w, struct dnp3_objects_result *res);

/* One application fragment (struct ot_event.record of DNP3 messages).
 * Pointers reach into the reassembled fragment: valid during ot_emit. */
struct dnp3_record {
	uint8_t link_ctrl;
	uint16_t src, dst;              /* link addresses */
	uint8_t app_ctrl, function_code;
	uint8_t has_iin;                /* a response with its IIN */
	uint16_t iin;                   /* IIN1 | IIN2 << 8 */
	uint8_t with_data;              /* objects carry values */
	uint8_t complete;               /* every byte understood */
	const uint8_t *objects;         /* the object headers and data */
	size_t objects_len;
	const struct ot_limits *lim;
};

/* dnp3_log.c */
void dnp3_log(struct jw *w, const struct ot_event *ev);

#endif /* OTS_DNP3_H */
