/*
 * modbus.h - the Modbus/TCP record, names and logger shared by the parts of
 * dissectors/modbus/ (parse, names, log, rules).  Outside this folder only
 * tests include it: other modules see the descriptor (registry.c) only.
 *
 * Ownership: a record lives on the parser's stack for one ot_emit(); its
 * pointers reach into the ADU being parsed and the flow's value buffer.
 */
#ifndef OTS_MODBUS_H
#define OTS_MODBUS_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "keyword.h"

/* Address spaces (described in modbus_spaces, modbus_names.c). */
#define OT_SPACE_MB_COIL OT_SPACE_ID(OT_PROTO_MODBUS, 1)
#define OT_SPACE_MB_DISCRETE OT_SPACE_ID(OT_PROTO_MODBUS, 2)
#define OT_SPACE_MB_HOLDING OT_SPACE_ID(OT_PROTO_MODBUS, 3)
#define OT_SPACE_MB_INPUT OT_SPACE_ID(OT_PROTO_MODBUS, 4)
#define OT_SPACE_MB_FILE OT_SPACE_ID(OT_PROTO_MODBUS, 5)  /* block = file number, start = record */
#define OT_SPACE_MB_FIFO OT_SPACE_ID(OT_PROTO_MODBUS, 6)  /* start = FIFO pointer address */

struct jw;

/* Body fields a message carried (struct modbus_record.has). */
enum modbus_field {
	MBF_END = 0,            /* ends a layout */
	MBF_ADDRESS, MBF_QUANTITY, MBF_BYTE_COUNT, MBF_VALUES, MBF_RAW_VALUE,
	MBF_AND_MASK, MBF_OR_MASK, MBF_READ_ADDRESS, MBF_READ_QUANTITY,
	MBF_WRITE_ADDRESS, MBF_WRITE_QUANTITY, MBF_FILE_RECORDS,
	MBF_SUB_FUNCTION, MBF_VALUE, MBF_DATA_LENGTH, MBF_DATA, MBF_MEI,
	MBF_DEVICE_ID, MBF_FIFO_COUNT, MBF_STATUS, MBF_EVENT_COUNT,
	MBF_MESSAGE_COUNT, MBF_SERVER_ID, MBF_OUTPUT_DATA, MBF_UMAS,
	MBF_COUNT
};

#define MB_MSG_ANOMALIES    4       /* anomalies kept per message */
#define MB_MAX_SUBRECORDS   128     /* file records / device id objects per ADU */

struct modbus_file_record {
	uint8_t reference_type;
	uint16_t file_number, record_number, record_length;
};

struct modbus_object {
	uint8_t id;
	uint8_t len;
	const uint8_t *value;   /* len bytes in the ADU */
};

struct modbus_record {
	/* MBAP header and function */
	uint16_t transaction_id, protocol_id, length;
	uint8_t unit_id, function_code;         /* without the exception bit */
	uint8_t is_exception, exception_code;
	/* the request a response answers */
	uint8_t paired, request_function;
	double response_time;                   /* seconds */

	/* the body: what the function carried (written in the order of its
	 * layout, modbus_log.c) */
	uint32_t has;                           /* 1u << MBF_*: present */
	uint16_t address, quantity, byte_count, raw_value, and_mask, or_mask;
	uint16_t read_address, read_quantity, write_address, write_quantity;
	uint16_t sub_function, value, fifo_count, status, event_count, message_count;
	uint8_t mei_type, output_data;
	const uint8_t *data;                    /* opaque bytes shown as hex */
	size_t data_length;
	const uint8_t *server_id;               /* FC 17 response */
	size_t server_id_len;
	uint8_t run_indicator;
	/* MEI 14 read device identification */
	uint8_t devid_code, object_id, conformity_level, more_follows;
	uint8_t next_object_id, number_of_objects;
	uint16_t n_objects;
	/* FC 90 (Schneider UMAS): session key, UMAS function (a response's:
	 * its request's, when paired), a response's status code (0xFE ok,
	 * 0xFD error); the rest of the PDU is data */
	uint8_t umas_session_key, umas_func, umas_status;
	uint8_t umas_has_func;                  /* umas_func known */
	/* FC 20/21 sub-requests and sub-responses */
	uint16_t n_files;
	uint8_t files_are_responses;            /* reference type + length only */
	/* values in message order, at most max_log_values of n_values */
	const uint16_t *values;
	uint32_t n_values, max_log_values;

	unsigned n_anomalies;
	const char *anomalies[MB_MSG_ANOMALIES];

	/* last: read only up to n_objects / n_files (not cleared per message) */
	struct modbus_object objects[MB_MAX_SUBRECORDS];
	struct modbus_file_record files[MB_MAX_SUBRECORDS];
};

/* modbus_names.c: the code -> name tables (first name of a code: the log's). */
extern const struct ot_tok modbus_function_names[];
extern const struct ot_tok modbus_exception_names[];
extern const struct ot_tok modbus_diag_names[];
extern const struct ot_tok modbus_mei_names[];
extern const struct ot_tok modbus_devid_code_names[];
extern const struct ot_tok modbus_object_names[];
extern const struct ot_tok modbus_table_names[];        /* rules: 1 << space */
extern const struct ot_tok modbus_umas_names[];         /* UMAS functions (FC 90) */
extern const struct ot_tok modbus_umas_status_names[];
extern const struct ot_tok modbus_func_class_names[];   /* rules: class bits */
extern const struct ot_names modbus_names[];
extern const struct ot_space_info modbus_spaces[];
int modbus_func_user_defined(unsigned fc);
int modbus_func_known(unsigned fc);             /* public, user-defined, UMAS */
const char *modbus_func_name(unsigned fc);      /* "unknown" / "user_defined" */
enum ot_category modbus_func_category(unsigned fc);
unsigned modbus_func_class(unsigned fc);        /* MB_CLASS_* bit */
const char *modbus_object_name(uint8_t id);     /* "other" / "reserved" */
enum ot_category modbus_umas_category(unsigned umas_func);

#define MB_CLASS_ASSIGNED   1u
#define MB_CLASS_UNASSIGNED 2u
#define MB_CLASS_USER       4u
#define MB_CLASS_RESERVED   8u

/* modbus_log.c */
void modbus_log(struct jw *w, const struct ot_event *ev);

/* modbus_rules.c */
extern const struct ot_keyword modbus_keywords[];
extern const struct ot_event_alias modbus_event_aliases[];

#endif /* OTS_MODBUS_H */
