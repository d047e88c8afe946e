/*
 * modbus_names.c - the Modbus code -> name tables: the log writes a code's
 * first name, rules accept every spelling, otsentry-modbus(7) lists them.
 *
 * MODBUS Application Protocol Specification V1.1b3: 5.1 (function codes),
 * 6.8.1 (diagnostics sub-functions), 6.19-6.21 (MEI types, read device id
 * codes and objects), 7 (exception codes).
 *
 * UMAS (function 90) has no public specification: its function codes are
 * those of the public protocol descriptions of Schneider's Modicon
 * M340/M580 engineering traffic (Kaspersky ICS CERT, "The secrets of
 * Schneider Electric's UMAS protocol", 2022, and the community dissectors
 * built from it).
 */
#include <stddef.h>

#include "modbus.h"

/* 5.1, public function codes; 90 is Schneider's UMAS.  Later rows of a
 * code: the names Snort's and Suricata's keywords use. */
const struct ot_tok modbus_function_names[] = {
	{ 1, "read_coils" },
	{ 2, "read_discrete_inputs" },
	{ 3, "read_holding_registers" },
	{ 4, "read_input_registers" },
	{ 5, "write_single_coil" },
	{ 6, "write_single_register" },
	{ 7, "read_exception_status" },
	{ 8, "diagnostics" },
	{ 8, "diagnostic" },
	{ 11, "get_comm_event_counter" },
	{ 12, "get_comm_event_log" },
	{ 15, "write_multiple_coils" },
	{ 16, "write_multiple_registers" },
	{ 17, "report_server_id" },
	{ 17, "report_slave_id" },
	{ 20, "read_file_record" },
	{ 21, "write_file_record" },
	{ 22, "mask_write_register" },
	{ 23, "read_write_multiple_registers" },
	{ 24, "read_fifo_queue" },
	{ 43, "encapsulated_interface_transport" },
	{ 43, "read_device_identification" },
	{ 90, "umas" },
	{ 0, NULL }
};

/* UMAS function codes: the byte after the session key in a request. */
const struct ot_tok modbus_umas_names[] = {
	{ 0x01, "init_comm" },
	{ 0x02, "read_id" },
	{ 0x03, "read_project_info" },
	{ 0x04, "read_plc_info" },
	{ 0x06, "read_card_info" },
	{ 0x0a, "repeat" },
	{ 0x10, "take_plc_reservation" },
	{ 0x11, "release_plc_reservation" },
	{ 0x12, "keep_alive" },
	{ 0x20, "read_memory_block" },
	{ 0x22, "read_variables" },
	{ 0x23, "write_variables" },
	{ 0x24, "read_coils_registers" },
	{ 0x25, "write_coils_registers" },
	{ 0x30, "initialize_upload" },
	{ 0x31, "upload_block" },
	{ 0x32, "end_strategy_upload" },
	{ 0x33, "initialize_download" },
	{ 0x34, "download_block" },
	{ 0x35, "end_strategy_download" },
	{ 0x39, "read_eth_master_data" },
	{ 0x40, "start_plc" },
	{ 0x41, "stop_plc" },
	{ 0x50, "monitor_plc" },
	{ 0x58, "check_plc" },
	{ 0x70, "read_io_object" },
	{ 0x71, "write_io_object" },
	{ 0x73, "get_status_module" },
	{ 0, NULL }
};

/* The byte in that place in a UMAS response. */
const struct ot_tok modbus_umas_status_names[] = {
	{ 0xfe, "ok" },
	{ 0xfd, "error" },
	{ 0, NULL }
};

/* 7. */
const struct ot_tok modbus_exception_names[] = {
	{ 1, "illegal_function" },
	{ 2, "illegal_data_address" },
	{ 3, "illegal_data_value" },
	{ 4, "server_device_failure" },
	{ 5, "acknowledge" },
	{ 6, "server_device_busy" },
	{ 7, "negative_acknowledge" },
	{ 8, "memory_parity_error" },
	{ 10, "gateway_path_unavailable" },
	{ 11, "gateway_target_device_failed_to_respond" },
	{ 0, NULL }
};

/* 6.8.1. */
const struct ot_tok modbus_diag_names[] = {
	{ 0, "return_query_data" },
	{ 1, "restart_communications" },
	{ 2, "return_diagnostic_register" },
	{ 3, "change_ascii_input_delimiter" },
	{ 4, "force_listen_only_mode" },
	{ 10, "clear_counters_and_diagnostic_register" },
	{ 11, "return_bus_message_count" },
	{ 12, "return_bus_communication_error_count" },
	{ 13, "return_bus_exception_error_count" },
	{ 14, "return_server_message_count" },
	{ 15, "return_server_no_response_count" },
	{ 16, "return_server_nak_count" },
	{ 17, "return_server_busy_count" },
	{ 18, "return_bus_character_overrun_count" },
	{ 20, "clear_overrun_counter_and_flag" },
	{ 0, NULL }
};

/* 6.19-6.21. */
const struct ot_tok modbus_mei_names[] = {
	{ 13, "canopen_general_reference" },
	{ 14, "read_device_identification" },
	{ 0, NULL }
};

/* 6.21: read device id codes and object ids. */
const struct ot_tok modbus_devid_code_names[] = {
	{ 1, "basic" },
	{ 2, "regular" },
	{ 3, "extended" },
	{ 4, "specific" },
	{ 0, NULL }
};

const struct ot_tok modbus_object_names[] = {
	{ 0x00, "vendor_name" },
	{ 0x01, "product_code" },
	{ 0x02, "major_minor_revision" },
	{ 0x03, "vendor_url" },
	{ 0x04, "product_name" },
	{ 0x05, "model_name" },
	{ 0x06, "user_application_name" },
	{ 0, NULL }
};

/* The data tables a rule's "access" names (bit 1 << enum ot_space). */
const struct ot_tok modbus_table_names[] = {
	{ 1 << OT_SPACE_MB_COIL, "coils" },
	{ 1 << OT_SPACE_MB_DISCRETE, "discretes" },
	{ 1 << OT_SPACE_MB_HOLDING, "holding" },
	{ 1 << OT_SPACE_MB_INPUT, "input" },
	{ 0, NULL }
};

/* Function code classes (5.1) as a rule's "function" names them. */
const struct ot_tok modbus_func_class_names[] = {
	{ MB_CLASS_ASSIGNED, "assigned" },
	{ MB_CLASS_UNASSIGNED, "unassigned" },
	{ MB_CLASS_ASSIGNED | MB_CLASS_UNASSIGNED, "public" },
	{ MB_CLASS_USER, "user" },
	{ MB_CLASS_RESERVED, "reserved" },
	{ 15, "all" },
	{ 0, NULL }
};

const struct ot_names modbus_names[] = {
	{ "function", modbus_function_names, "modbus", "function %s" },
	{ "function class", modbus_func_class_names, "modbus", "function %s" },
	{ "table", modbus_table_names, "modbus", "access read %s" },
	{ "exception", modbus_exception_names, NULL, NULL },
	{ "diagnostics sub-function", modbus_diag_names, NULL, NULL },
	{ "MEI type", modbus_mei_names, NULL, NULL },
	{ "read device id code", modbus_devid_code_names, NULL, NULL },
	{ "device id object", modbus_object_names, NULL, NULL },
	{ "UMAS function", modbus_umas_names, "umas_func", "%s" },
	{ "UMAS status", modbus_umas_status_names, NULL, NULL },
	{ NULL }
};

int modbus_func_user_defined(unsigned fc)
{
	return (fc >= 65 && fc <= 72) || (fc >= 100 && fc <= 110);
}

/* The name table by code (looked up once per message, twice for some). */
static const char *func_table_name(unsigned fc)
{
	static struct ot_tok_index idx = OT_TOK_INDEX(modbus_function_names);

	return ot_tok_index_name(&idx, (int)fc);
}

int modbus_func_known(unsigned fc)
{
	return func_table_name(fc) != NULL || modbus_func_user_defined(fc);
}

const char *modbus_func_name(unsigned fc)
{
	const char *n = func_table_name(fc);

	if (n)
		return n;
	return modbus_func_user_defined(fc) ? "user_defined" : "unknown";
}

enum ot_category modbus_func_category(unsigned fc)
{
	switch (fc) {
	case 1: case 2: case 3: case 4: case 24:
		return OT_CAT_READ;
	case 5: case 6: case 15: case 16: case 22: case 23:
		return OT_CAT_WRITE;
	case 7: case 8: case 11: case 12:
		return OT_CAT_DIAGNOSTIC;
	case 17:
		return OT_CAT_IDENTITY;
	case 20: case 21:
		return OT_CAT_FILE;
	case 90:
		return OT_CAT_PROGRAM;
	default:
		return OT_CAT_OTHER;
	}
}

enum ot_category modbus_umas_category(unsigned umas_func)
{
	switch (umas_func) {
	case 0x02: case 0x03: case 0x04: case 0x06: case 0x39: case 0x73:
		return OT_CAT_IDENTITY;
	case 0x01: case 0x0a: case 0x12:
		return OT_CAT_SESSION;
	case 0x20: case 0x22: case 0x24: case 0x50: case 0x70:
		return OT_CAT_READ;
	case 0x23: case 0x25: case 0x71:
		return OT_CAT_WRITE;
	case 0x10: case 0x11:           /* the engineering station's lock */
	case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35:
		return OT_CAT_PROGRAM;
	case 0x40: case 0x41:
		return OT_CAT_MODE;
	case 0x58:
		return OT_CAT_DIAGNOSTIC;
	default:
		return OT_CAT_PROGRAM;  /* an unknown UMAS function */
	}
}

unsigned modbus_func_class(unsigned fc)
{
	static const uint8_t assigned[] = { 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 15, 16,
					    17, 20, 21, 22, 23, 24, 43 };
	static const uint8_t reserved[] = { 9, 10, 13, 14, 41, 42, 90, 91, 125, 126, 127 };
	size_t i;

	for (i = 0; i < sizeof(assigned); i++)
		if (fc == assigned[i])
			return MB_CLASS_ASSIGNED;
	for (i = 0; i < sizeof(reserved); i++)
		if (fc == reserved[i])
			return MB_CLASS_RESERVED;
	if (modbus_func_user_defined(fc))
		return MB_CLASS_USER;
	return MB_CLASS_UNASSIGNED;
}

const char *modbus_object_name(uint8_t id)
{
	const char *n = ot_tok_name(modbus_object_names, id);

	if (n)
		return n;
	return id >= 0x80 ? "other" : "reserved";
}

/* The address spaces: registers are analog quantities, bits are states. */
const struct ot_space_info modbus_spaces[] = {
	{ OT_SPACE_MB_COIL, "coils", 0, NULL },
	{ OT_SPACE_MB_DISCRETE, "discretes", 0, NULL },
	{ OT_SPACE_MB_HOLDING, "holding", OT_SPACE_ANALOG | OT_SPACE_TEXT16, NULL },
	{ OT_SPACE_MB_INPUT, "input", OT_SPACE_ANALOG | OT_SPACE_TEXT16, NULL },
	{ OT_SPACE_MB_FILE, "file", OT_SPACE_BLOCK, NULL },
	{ OT_SPACE_MB_FIFO, "fifo", 0, NULL },
	{ 0, NULL, 0, NULL }
};
