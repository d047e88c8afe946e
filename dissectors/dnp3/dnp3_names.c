/*
 * dnp3_names.c - the DNP3 code -> name tables: the log writes a code's
 * first name, rules accept every spelling (the later rows are the names
 * Suricata's dnp3_func keyword uses), otsentry-dnp3(7) lists them.
 *
 * IEEE 1815-2012: table 4-1 (application function codes), 4.2.2.7.2
 * (internal indications).
 */
#include <stddef.h>

#include "dnp3.h"

const struct ot_tok dnp3_function_names[] = {
	{ 0, "confirm" }, { 1, "read" }, { 2, "write" }, { 3, "select" },
	{ 4, "operate" }, { 5, "direct_operate" }, { 6, "direct_operate_no_ack" },
	{ 7, "immediate_freeze" }, { 8, "immediate_freeze_no_ack" },
	{ 9, "freeze_clear" }, { 10, "freeze_clear_no_ack" },
	{ 11, "freeze_at_time" }, { 12, "freeze_at_time_no_ack" },
	{ 13, "cold_restart" }, { 14, "warm_restart" }, { 15, "initialize_data" },
	{ 16, "initialize_application" }, { 17, "start_application" },
	{ 18, "stop_application" }, { 19, "save_configuration" },
	{ 20, "enable_unsolicited" }, { 21, "disable_unsolicited" },
	{ 22, "assign_class" }, { 23, "delay_measurement" },
	{ 24, "record_current_time" }, { 25, "open_file" }, { 26, "close_file" },
	{ 27, "delete_file" }, { 28, "get_file_info" }, { 29, "authenticate_file" },
	{ 30, "abort_file" }, { 31, "activate_configuration" },
	{ 32, "authentication_request" }, { 33, "authentication_request_no_ack" },
	{ 129, "response" }, { 130, "unsolicited_response" },
	{ 131, "authentication_response" },
	/* Suricata's spellings */
	{ 6, "direct_operate_nr" }, { 7, "immed_freeze" }, { 8, "immed_freeze_nr" },
	{ 10, "freeze_clear_nr" }, { 12, "freeze_at_time_nr" },
	{ 16, "initialize_appl" }, { 17, "start_appl" }, { 18, "stop_appl" },
	{ 19, "save_config" }, { 23, "delay_measure" }, { 31, "activate_config" },
	{ 32, "authenticate_req" }, { 33, "authenticate_err" },
	{ 131, "authenticate_resp" },
	{ 0, NULL }
};

/* Bit = IIN1 bit, or 8 + IIN2 bit. */
const struct ot_tok dnp3_iin_names[] = {
	{ 0, "all_stations" }, { 1, "class_1_events" }, { 2, "class_2_events" },
	{ 3, "class_3_events" }, { 4, "need_time" }, { 5, "local_control" },
	{ 6, "device_trouble" }, { 7, "device_restart" },
	{ 8, "no_func_code_support" }, { 9, "object_unknown" },
	{ 10, "parameter_error" }, { 11, "event_buffer_overflow" },
	{ 12, "already_executing" }, { 13, "config_corrupt" },
	{ 14, "reserved_2" }, { 15, "reserved_1" },
	{ 0, NULL }
};

const struct ot_names dnp3_names[] = {
	{ "function", dnp3_function_names, "dnp3_func", "%s" },
	{ "internal indication", dnp3_iin_names, "dnp3_ind", "%s" },
	{ NULL }
};

/* Analog inputs, frozen analogs and their events (groups 30-34), analog
 * outputs and their status (40-42): the groups whose values have a range.
 * Binaries flip and counters only grow. */
static int dnp3_group_is_analog(uint16_t group)
{
	return (group >= 30 && group <= 34) || (group >= 40 && group <= 42);
}

const struct ot_space_info dnp3_spaces[] = {
	{ OT_SPACE_DNP3, "dnp3", OT_SPACE_BLOCK, dnp3_group_is_analog },
	{ 0, NULL, 0, NULL }
};
