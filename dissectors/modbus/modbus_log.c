/*
 * modbus_log.c - struct modbus_record -> the members of the "modbus" EVE
 * object (the protocol line and the alerts that embed a Modbus message).
 *
 * Field names follow Suricata's modbus log where it has them
 * (transaction_id, protocol_id, unit_id, function_code ...).  A function's
 * body members come in the order of its layout below.
 */
#include <stddef.h>

#include "jw.h"
#include "modbus.h"

#define MB_HEX_MAX 64   /* opaque bytes shown as hex */

/* Body layouts: requests and responses of each public function code. */
static const uint8_t lay_none[] = { MBF_END };
static const uint8_t lay_opaque[] = { MBF_DATA_LENGTH, MBF_DATA, MBF_END };
static const uint8_t lay_read_req[] = { MBF_ADDRESS, MBF_QUANTITY, MBF_END };
static const uint8_t lay_read_resp[] = {
	MBF_BYTE_COUNT, MBF_ADDRESS, MBF_QUANTITY, MBF_VALUES, MBF_END };
static const uint8_t lay_single[] = {
	MBF_ADDRESS, MBF_QUANTITY, MBF_VALUES, MBF_RAW_VALUE, MBF_END };
static const uint8_t lay_multi_req[] = {
	MBF_ADDRESS, MBF_QUANTITY, MBF_BYTE_COUNT, MBF_VALUES, MBF_END };
static const uint8_t lay_diag[] = { MBF_SUB_FUNCTION, MBF_VALUE, MBF_DATA, MBF_END };
static const uint8_t lay_exc_status[] = { MBF_OUTPUT_DATA, MBF_END };
static const uint8_t lay_counter[] = { MBF_STATUS, MBF_EVENT_COUNT, MBF_END };
static const uint8_t lay_event_log[] = {
	MBF_BYTE_COUNT, MBF_STATUS, MBF_EVENT_COUNT, MBF_MESSAGE_COUNT,
	MBF_DATA_LENGTH, MBF_DATA, MBF_END };
static const uint8_t lay_server_id[] = { MBF_BYTE_COUNT, MBF_SERVER_ID, MBF_END };
static const uint8_t lay_file[] = { MBF_BYTE_COUNT, MBF_FILE_RECORDS, MBF_VALUES, MBF_END };
static const uint8_t lay_mask[] = { MBF_ADDRESS, MBF_AND_MASK, MBF_OR_MASK, MBF_END };
static const uint8_t lay_rw_req[] = {
	MBF_READ_ADDRESS, MBF_READ_QUANTITY, MBF_WRITE_ADDRESS, MBF_WRITE_QUANTITY,
	MBF_BYTE_COUNT, MBF_VALUES, MBF_END };
static const uint8_t lay_rw_resp[] = {
	MBF_BYTE_COUNT, MBF_READ_ADDRESS, MBF_READ_QUANTITY, MBF_VALUES, MBF_END };
static const uint8_t lay_fifo_req[] = { MBF_ADDRESS, MBF_END };
static const uint8_t lay_fifo_resp[] = { MBF_BYTE_COUNT, MBF_FIFO_COUNT, MBF_VALUES, MBF_END };
static const uint8_t lay_mei[] = { MBF_MEI, MBF_DEVICE_ID, MBF_DATA_LENGTH, MBF_DATA, MBF_END };
static const uint8_t lay_umas[] = { MBF_UMAS, MBF_DATA_LENGTH, MBF_DATA, MBF_END };

static const struct {
	uint8_t fc;
	const uint8_t *request, *response;
} mb_layouts[] = {
	{ 1, lay_read_req, lay_read_resp },
	{ 2, lay_read_req, lay_read_resp },
	{ 3, lay_read_req, lay_read_resp },
	{ 4, lay_read_req, lay_read_resp },
	{ 5, lay_single, lay_single },
	{ 6, lay_single, lay_single },
	{ 7, lay_none, lay_exc_status },
	{ 8, lay_diag, lay_diag },
	{ 11, lay_none, lay_counter },
	{ 12, lay_none, lay_event_log },
	{ 15, lay_multi_req, lay_single },
	{ 16, lay_multi_req, lay_single },
	{ 17, lay_none, lay_server_id },
	{ 20, lay_file, lay_file },
	{ 21, lay_file, lay_file },
	{ 22, lay_mask, lay_mask },
	{ 23, lay_rw_req, lay_rw_resp },
	{ 24, lay_fifo_req, lay_fifo_resp },
	{ 43, lay_mei, lay_mei },
	{ 90, lay_umas, lay_umas },
};

static const uint8_t *mb_layout(unsigned fc, int is_req)
{
	size_t i;

	for (i = 0; i < sizeof(mb_layouts) / sizeof(mb_layouts[0]); i++)
		if (mb_layouts[i].fc == fc)
			return is_req ? mb_layouts[i].request : mb_layouts[i].response;
	return lay_opaque;
}

static void mb_log_hex(struct jw *w, const char *key, const uint8_t *p, size_t n)
{
	jw_hex(w, key, p, n > MB_HEX_MAX ? MB_HEX_MAX : n);
}

static void mb_log_device_id(struct jw *w, const struct modbus_record *r, int is_req)
{
	unsigned i;

	jw_object_open(w, "read_device_id");
	jw_uint(w, "code", r->devid_code);
	jw_name(w, "code_name", ot_tok_str(modbus_devid_code_names, r->devid_code));
	if (is_req) {
		jw_uint(w, "object_id", r->object_id);
		jw_object_close(w);
		return;
	}
	jw_uint(w, "conformity_level", r->conformity_level);
	jw_bool(w, "more_follows", r->more_follows);
	jw_uint(w, "next_object_id", r->next_object_id);
	jw_uint(w, "number_of_objects", r->number_of_objects);
	jw_array_open(w, "objects");
	for (i = 0; i < r->n_objects; i++) {
		const struct modbus_object *o = &r->objects[i];

		jw_object_open(w, NULL);
		jw_uint(w, "id", o->id);
		jw_name(w, "name", modbus_object_name(o->id));
		jw_bytes(w, "value", o->value, o->len);
		jw_object_close(w);
	}
	jw_array_close(w);
	jw_object_close(w);
}

/* "umas": {"session_key", ["status_code", "status",] "function_code", "function"} */
static void mb_log_umas(struct jw *w, const struct modbus_record *r, int is_req)
{
	jw_object_open(w, "umas");
	jw_uint(w, "session_key", r->umas_session_key);
	if (!is_req) {
		jw_uint(w, "status_code", r->umas_status);
		jw_name(w, "status", ot_tok_str(modbus_umas_status_names, r->umas_status));
	}
	if (r->umas_has_func) {
		jw_uint(w, "function_code", r->umas_func);
		jw_name(w, "function", ot_tok_str(modbus_umas_names, r->umas_func));
	}
	jw_object_close(w);
}

static void mb_log_files(struct jw *w, const struct modbus_record *r)
{
	unsigned i;

	jw_array_open(w, "file_records");
	for (i = 0; i < r->n_files; i++) {
		const struct modbus_file_record *f = &r->files[i];

		jw_object_open(w, NULL);
		jw_uint(w, "reference_type", f->reference_type);
		if (!r->files_are_responses) {
			jw_uint(w, "file_number", f->file_number);
			jw_uint(w, "record_number", f->record_number);
		}
		jw_uint(w, "record_length", f->record_length);
		jw_object_close(w);
	}
	jw_array_close(w);
}

static void mb_log_values(struct jw *w, const struct modbus_record *r)
{
	uint32_t i, n = r->n_values < r->max_log_values ? r->n_values : r->max_log_values;

	if (n > 0) {
		jw_array_open(w, "values");
		for (i = 0; i < n; i++)
			jw_uint(w, NULL, r->values[i]);
		jw_array_close(w);
	}
	if (r->n_values > r->max_log_values)
		jw_bool(w, "values_truncated", 1);
}

static void mb_log_field(struct jw *w, const struct ot_event *ev,
			 const struct modbus_record *r, unsigned f)
{
	switch (f) {
	case MBF_ADDRESS: jw_uint(w, "address", r->address); break;
	case MBF_QUANTITY: jw_uint(w, "quantity", r->quantity); break;
	case MBF_BYTE_COUNT: jw_uint(w, "byte_count", r->byte_count); break;
	case MBF_VALUES: mb_log_values(w, r); break;
	case MBF_RAW_VALUE: jw_uint(w, "raw_value", r->raw_value); break;
	case MBF_AND_MASK: jw_uint(w, "and_mask", r->and_mask); break;
	case MBF_OR_MASK: jw_uint(w, "or_mask", r->or_mask); break;
	case MBF_READ_ADDRESS: jw_uint(w, "read_address", r->read_address); break;
	case MBF_READ_QUANTITY: jw_uint(w, "read_quantity", r->read_quantity); break;
	case MBF_WRITE_ADDRESS: jw_uint(w, "write_address", r->write_address); break;
	case MBF_WRITE_QUANTITY: jw_uint(w, "write_quantity", r->write_quantity); break;
	case MBF_FILE_RECORDS: mb_log_files(w, r); break;
	case MBF_SUB_FUNCTION:
		jw_uint(w, "sub_function", r->sub_function);
		jw_name(w, "sub_function_name", ot_tok_str(modbus_diag_names, r->sub_function));
		break;
	case MBF_VALUE: jw_uint(w, "value", r->value); break;
	case MBF_DATA_LENGTH: jw_uint(w, "data_length", r->data_length); break;
	case MBF_DATA: mb_log_hex(w, "data", r->data, r->data_length); break;
	case MBF_MEI:
		jw_uint(w, "mei_type", r->mei_type);
		jw_name(w, "mei_type_name", ot_tok_str(modbus_mei_names, r->mei_type));
		break;
	case MBF_DEVICE_ID: mb_log_device_id(w, r, ev->dir == OT_DIR_REQUEST); break;
	case MBF_FIFO_COUNT: jw_uint(w, "fifo_count", r->fifo_count); break;
	case MBF_STATUS: jw_uint(w, "status", r->status); break;
	case MBF_EVENT_COUNT: jw_uint(w, "event_count", r->event_count); break;
	case MBF_MESSAGE_COUNT: jw_uint(w, "message_count", r->message_count); break;
	case MBF_SERVER_ID:
		mb_log_hex(w, "server_id", r->server_id, r->server_id_len);
		jw_string(w, "run_indicator", r->run_indicator == 0xFF ? "on" :
			  r->run_indicator == 0x00 ? "off" : "invalid");
		break;
	case MBF_OUTPUT_DATA: jw_uint(w, "output_data", r->output_data); break;
	case MBF_UMAS: mb_log_umas(w, r, ev->dir == OT_DIR_REQUEST); break;
	default: break;
	}
}

void modbus_log(struct jw *w, const struct ot_event *ev)
{
	const struct modbus_record *r = ev->record;
	const uint8_t *lay;
	unsigned i;

	jw_name(w, "direction", ot_dir_name(ev->dir));
	jw_uint(w, "transaction_id", r->transaction_id);
	jw_uint(w, "protocol_id", r->protocol_id);
	jw_uint(w, "unit_id", r->unit_id);
	jw_uint(w, "length", r->length);
	jw_uint(w, "function_code", r->function_code);
	jw_name(w, "function", modbus_func_name(r->function_code));
	if (r->paired) {
		jw_uint(w, "request_function", r->request_function);
		jw_real(w, "response_time", r->response_time);
	}
	if (r->is_exception) {
		jw_uint(w, "exception_code", r->exception_code);
		jw_name(w, "exception", ot_tok_str(modbus_exception_names, r->exception_code));
	}
	lay = mb_layout(r->function_code, ev->dir == OT_DIR_REQUEST);
	for (i = 0; lay[i] != MBF_END; i++)
		if (r->has & (1u << lay[i]))
			mb_log_field(w, ev, r, lay[i]);
	jw_name(w, "category", ot_category_name(ev->cat));
	if (r->n_anomalies > 0) {
		jw_array_open(w, "anomalies");
		for (i = 0; i < r->n_anomalies; i++)
			jw_string(w, NULL, r->anomalies[i]);
		jw_array_close(w);
	}
}
