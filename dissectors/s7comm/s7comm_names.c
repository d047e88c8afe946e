/*
 * s7comm_names.c - the S7comm code -> name tables: the log writes a code's
 * first name, rules accept every spelling, otsentry-s7comm(7) lists them.
 *
 * Codes as publicly documented for S7comm (protocol id 0x32): header
 * ROSCTR, job functions, header error classes, item return codes, memory
 * areas, transport sizes, syntax ids; userdata types, function groups and
 * their subfunctions; SZL list ids.  ISO 8073 13.1 for the COTP TPDU codes.
 */
#include <stddef.h>

#include "s7comm.h"

const struct ot_tok s7comm_cotp_names[] = {
	{ 0xe0, "connection_request" },
	{ 0xd0, "connection_confirm" },
	{ 0x80, "disconnect_request" },
	{ 0xc0, "disconnect_confirm" },
	{ 0xf0, "data" },
	{ 0x70, "tpdu_error" },
	{ 0x10, "expedited_data" },
	{ 0x20, "expedited_data_ack" },
	{ 0x50, "reject" },
	{ 0x60, "data_ack" },
	{ 0, NULL }
};

const struct ot_tok s7comm_rosctr_names[] = {
	{ S7_ROSCTR_JOB, "job" },
	{ S7_ROSCTR_ACK, "ack" },
	{ S7_ROSCTR_ACK_DATA, "ack_data" },
	{ S7_ROSCTR_USERDATA, "userdata" },
	{ 0, NULL }
};

const struct ot_tok s7comm_func_names[] = {
	{ 0x00, "cpu_services" },
	{ 0x04, "read_var" },
	{ 0x05, "write_var" },
	{ 0x1a, "request_download" },
	{ 0x1b, "download_block" },
	{ 0x1c, "download_ended" },
	{ 0x1d, "start_upload" },
	{ 0x1e, "upload" },
	{ 0x1f, "end_upload" },
	{ 0x28, "pi_service" },
	{ 0x29, "plc_stop" },
	{ 0xf0, "setup_communication" },
	{ 0, NULL }
};

/* Header error classes */
const struct ot_tok s7comm_error_class_names[] = {
	{ 0x00, "no_error" },
	{ 0x81, "application_relationship" },
	{ 0x82, "object_definition" },
	{ 0x83, "no_resources" },
	{ 0x84, "service_processing" },
	{ 0x85, "supplies" },
	{ 0x87, "access" },
	{ 0, NULL }
};

/* Item return codes in the data part (also in userdata) */
const struct ot_tok s7comm_return_code_names[] = {
	{ 0x00, "reserved" },
	{ 0x01, "hardware_fault" },
	{ 0x03, "access_denied" },
	{ 0x05, "invalid_address" },
	{ 0x06, "data_type_not_supported" },
	{ 0x07, "data_type_inconsistent" },
	{ 0x0a, "object_does_not_exist" },
	{ 0xff, "success" },
	{ 0, NULL }
};

/* Memory areas of an S7ANY item; "merker" is the German name of flags. */
const struct ot_tok s7comm_area_names[] = {
	{ 0x03, "system_info_200" },
	{ 0x05, "system_flags_200" },
	{ 0x06, "analog_inputs_200" },
	{ 0x07, "analog_outputs_200" },
	{ 0x1c, "counter" },
	{ 0x1d, "timer" },
	{ 0x1e, "iec_counter" },
	{ 0x1f, "iec_timer" },
	{ 0x80, "peripheral" },
	{ 0x81, "inputs" },
	{ 0x82, "outputs" },
	{ 0x83, "flags" },
	{ 0x84, "db" },
	{ 0x85, "di" },
	{ 0x86, "local" },
	{ 0x87, "previous_local" },
	{ 0x83, "merker" },
	{ 0, NULL }
};

/* Element types of an S7ANY item (request transport size) */
const struct ot_tok s7comm_item_tsize_names[] = {
	{ 0x01, "bit" },
	{ 0x02, "byte" },
	{ 0x03, "char" },
	{ 0x04, "word" },
	{ 0x05, "int" },
	{ 0x06, "dword" },
	{ 0x07, "dint" },
	{ 0x08, "real" },
	{ 0x09, "date" },
	{ 0x0a, "tod" },
	{ 0x0b, "time" },
	{ 0x0c, "s5time" },
	{ 0x0f, "date_and_time" },
	{ 0x1c, "counter" },
	{ 0x1d, "timer" },
	{ 0x1e, "iec_timer" },
	{ 0x1f, "iec_counter" },
	{ 0x20, "hs_counter" },
	{ 0, NULL }
};

/* Transport sizes of the data part */
const struct ot_tok s7comm_data_tsize_names[] = {
	{ 0x00, "null" },
	{ 0x03, "bit" },
	{ 0x04, "byte_word_dword" },
	{ 0x05, "integer" },
	{ 0x06, "dinteger" },
	{ 0x07, "real" },
	{ 0x09, "octet_string" },
	{ 0, NULL }
};

const struct ot_tok s7comm_syntax_names[] = {
	{ 0x10, "s7any" },
	{ 0x13, "pbc_r_id" },
	{ 0x15, "alarm_lockfree" },
	{ 0x16, "alarm_ind" },
	{ 0x19, "alarm_ack" },
	{ 0x1a, "alarm_queryreq" },
	{ 0x1c, "notify_ind" },
	{ 0x82, "nck" },
	{ 0x83, "nck_metric" },
	{ 0x84, "nck_inch" },
	{ 0xa2, "driveesany" },
	{ 0xb0, "dbread" },
	{ 0xb2, "1200sym" },
	{ 0, NULL }
};

/* Our PI service codes (enum s7_pi); the rules also take the wire names. */
const struct ot_tok s7comm_pi_names[] = {
	{ PI_UNKNOWN, "unknown" },
	{ PI_INSERT, "insert_block" },
	{ PI_DELETE, "delete_block" },
	{ PI_PROGRAM, "program_start" },
	{ PI_COPY_RAM_TO_ROM, "copy_ram_to_rom" },
	{ PI_COMPRESS, "compress_memory" },
	{ PI_NC, "nc_service" },
	{ PI_EXTMOD, "external_module" },
	{ 0, NULL }
};

const struct ot_tok s7comm_block_type_names[] = {
	{ '8', "OB" },
	{ 'A', "DB" },
	{ 'B', "SDB" },
	{ 'C', "FC" },
	{ 'D', "SFC" },
	{ 'E', "FB" },
	{ 'F', "SFB" },
	{ 0, NULL }
};

const struct ot_tok s7comm_filesystem_names[] = {
	{ 'P', "passive" },
	{ 'A', "active" },
	{ 'B', "active_and_passive" },
	{ 0, NULL }
};

const struct ot_tok s7comm_plus_opcode_names[] = {
	{ 0x31, "request" },
	{ 0x32, "response" },
	{ 0x33, "notification" },
	{ 0x02, "response2" },
	{ 0, NULL }
};

const struct ot_tok s7comm_plus_func_names[] = {
	{ 0x04b1, "Error" },
	{ 0x04bb, "Explore" },
	{ 0x04ca, "CreateObject" },
	{ 0x04d4, "DeleteObject" },
	{ 0x04f2, "SetVariable" },
	{ 0x04fc, "GetVariable" },
	{ 0x0506, "AddLink" },
	{ 0x051a, "RemoveLink" },
	{ 0x0524, "GetLink" },
	{ 0x0542, "SetMultiVariables" },
	{ 0x054c, "GetMultiVariables" },
	{ 0x0556, "BeginSequence" },
	{ 0x0560, "EndSequence" },
	{ 0x056b, "Invoke" },
	{ 0x057c, "SetVarSubStreamed" },
	{ 0x0586, "GetVarSubStreamed" },
	{ 0x0590, "GetVariablesAddress" },
	{ 0x059a, "Abort" },
	{ 0x05a9, "Error2" },
	{ 0x05b3, "InitSsl" },
	{ 0, NULL }
};

/* Userdata function groups: the log's names, then the rules' short ones. */
const struct ot_tok s7comm_group_names[] = {
	{ 0x0, "mode_transition" },
	{ 0x1, "programmer_commands" },
	{ 0x2, "cyclic_data" },
	{ 0x3, "block_functions" },
	{ 0x4, "cpu_functions" },
	{ 0x5, "security" },
	{ 0x6, "pbc_bsend_brecv" },
	{ 0x7, "time_functions" },
	{ 0xf, "nc_programming" },
	{ 0x1, "programmer" },
	{ 0x6, "pbc" },
	{ 0x7, "time" },
	{ 0, NULL }
};

/* Userdata type (high nibble of the type/group byte) */
const struct ot_tok s7comm_ud_type_names[] = {
	{ 0x0, "push" },
	{ 0x4, "request" },
	{ 0x8, "response" },
	{ 0x3, "nc_push" },
	{ 0x7, "nc_request" },
	{ 0xb, "nc_response" },
	{ 0, NULL }
};

static const struct ot_tok prog_sub_names[] = {
	{ 0x01, "block_status" },
	{ 0x02, "variable_status" },
	{ 0x03, "output_istack" },
	{ 0x04, "output_bstack" },
	{ 0x05, "output_lstack" },
	{ 0x06, "time_measurement" },
	{ 0x07, "force_selection" },
	{ 0x08, "modify_variable" },
	{ 0x09, "force" },
	{ 0x0a, "breakpoint" },
	{ 0x0b, "exit_hold" },
	{ 0x0c, "memory_reset" },
	{ 0x0d, "disable_job" },
	{ 0x0e, "enable_job" },
	{ 0x0f, "delete_job" },
	{ 0x10, "read_job_list" },
	{ 0x11, "read_job" },
	{ 0x12, "replace_job" },
	{ 0x13, "block_status_v2" },
	{ 0x16, "flash_led" },
	{ 0, NULL }
};

static const struct ot_tok cyclic_sub_names[] = {
	{ 0x01, "cyclic_transfer" },
	{ 0x04, "unsubscribe" },
	{ 0x05, "change_driven_transfer" },
	{ 0x07, "change_driven_transfer_modify" },
	{ 0x08, "rdrec" },
	{ 0, NULL }
};

static const struct ot_tok block_sub_names[] = {
	{ 0x01, "list_blocks" },
	{ 0x02, "list_blocks_of_type" },
	{ 0x03, "get_block_info" },
	{ 0, NULL }
};

static const struct ot_tok cpu_sub_names[] = {
	{ 0x01, "read_szl" },
	{ 0x02, "message_service" },
	{ 0x03, "diagnostic_message" },
	{ 0x05, "alarm8_indication" },
	{ 0x06, "notify_indication" },
	{ 0x07, "alarm8_lock" },
	{ 0x08, "alarm8_unlock" },
	{ 0x09, "scan_indication" },
	{ 0x0b, "alarm_ack" },
	{ 0x0c, "alarm_ack_indication" },
	{ 0x0d, "alarm_lock_indication" },
	{ 0x0e, "alarm_unlock_indication" },
	{ 0x11, "alarm_sq_indication" },
	{ 0x12, "alarm_s_indication" },
	{ 0x13, "alarm_query" },
	{ 0x16, "notify8_indication" },
	{ 0, NULL }
};

static const struct ot_tok security_sub_names[] = {
	{ 0x01, "plc_password" },
	{ 0, NULL }
};

static const struct ot_tok pbc_sub_names[] = {
	{ 0x01, "bsend_brecv" },
	{ 0, NULL }
};

static const struct ot_tok time_sub_names[] = {
	{ 0x01, "read_clock" },
	{ 0x02, "set_clock" },
	{ 0x03, "read_clock_following" },
	{ 0x04, "set_clock_2" },
	{ 0, NULL }
};

/* Mode transition: the subfunction is the new mode. */
static const struct ot_tok mode_sub_names[] = {
	{ 0x00, "stop" },
	{ 0x01, "warm_restart" },
	{ 0x02, "run" },
	{ 0x03, "hot_restart" },
	{ 0x04, "hold" },
	{ 0x06, "cold_restart" },
	{ 0x09, "run_r" },
	{ 0x0b, "link_up" },
	{ 0x0c, "update" },
	{ 0, NULL }
};

const struct ot_tok *s7comm_group_sub_names(int group)
{
	switch (group) {
	case 0x0: return mode_sub_names;
	case 0x1: return prog_sub_names;
	case 0x2: return cyclic_sub_names;
	case 0x3: return block_sub_names;
	case 0x4: return cpu_sub_names;
	case 0x5: return security_sub_names;
	case 0x6: return pbc_sub_names;
	case 0x7: return time_sub_names;
	default: return NULL;
	}
}

/* SZL list ids by their low byte */
const struct ot_tok s7comm_szl_list_names[] = {
	{ 0x00, "list_of_szl_ids" },
	{ 0x11, "module_identification" },
	{ 0x12, "cpu_characteristics" },
	{ 0x13, "user_memory_areas" },
	{ 0x14, "system_areas" },
	{ 0x15, "block_types" },
	{ 0x19, "module_led_status" },
	{ 0x1c, "component_identification" },
	{ 0x22, "interrupt_status" },
	{ 0x24, "modes" },
	{ 0x25, "process_image_partitions" },
	{ 0x31, "communication_capabilities" },
	{ 0x32, "communication_status" },
	{ 0x37, "ethernet_details" },
	{ 0x74, "module_led_status" },
	{ 0x91, "module_status" },
	{ 0x92, "rack_station_status" },
	{ 0x94, "rack_station_status" },
	{ 0x95, "dp_master_system" },
	{ 0x96, "module_status_profinet" },
	{ 0xa0, "diagnostic_buffer" },
	{ 0xb1, "module_diagnostic_data" },
	{ 0, NULL }
};

/* Current mode in the bzu-id byte of list xx24 (low nibble). */
const struct ot_tok s7comm_cpu_mode_names[] = {
	{ 0x1, "STOP (update)" },
	{ 0x2, "STOP (memory reset)" },
	{ 0x3, "STOP (self initialization)" },
	{ 0x4, "STOP (internal)" },
	{ 0x5, "STARTUP (complete restart)" },
	{ 0x6, "STARTUP (restart)" },
	{ 0x7, "STARTUP (hot restart)" },
	{ 0x8, "RUN" },
	{ 0x9, "RUN-R" },
	{ 0xa, "HOLD" },
	{ 0xd, "DEFECT" },
	{ 0, NULL }
};

/* Members of the "identity" object, by enum s7_ident_field. */
const char *const s7_ident_fields[] = {
	[S7I_ORDER_NUMBER] = "order_number",
	[S7I_HARDWARE] = "hardware_version",
	[S7I_FIRMWARE] = "firmware_version",
	[S7I_PLC_NAME] = "plc_name",
	[S7I_MODULE_NAME] = "module_name",
	[S7I_PLANT_ID] = "plant_id",
	[S7I_COPYRIGHT] = "copyright",
	[S7I_SERIAL] = "serial_number",
	[S7I_MODULE_TYPE] = "module_type_name",
	[S7I_MEMORY_CARD_SERIAL] = "memory_card_serial",
	[S7I_LOCATION] = "location",
	[S7I_CPU_MODE] = "cpu_mode",
};

/* The address spaces as the logs, inventory and baseline name them.  S7
 * data carries no type on the wire (raw bytes): no space is analog. */
const struct ot_space_info s7comm_spaces[] = {
	{ OT_SPACE_S7_INPUTS, "inputs", 0, NULL },
	{ OT_SPACE_S7_OUTPUTS, "outputs", 0, NULL },
	{ OT_SPACE_S7_FLAGS, "flags", 0, NULL },
	{ OT_SPACE_S7_DB, "db", OT_SPACE_BLOCK, NULL },
	{ OT_SPACE_S7_DI, "di", OT_SPACE_BLOCK, NULL },
	{ OT_SPACE_S7_COUNTER, "counter", 0, NULL },
	{ OT_SPACE_S7_TIMER, "timer", 0, NULL },
	{ OT_SPACE_S7_PERIPHERAL, "peripheral", 0, NULL },
	{ OT_SPACE_S7_OTHER, "s7_other", 0, NULL },
	{ OT_SPACE_S7_BLOCK, "block", OT_SPACE_BLOCK, NULL },
	{ 0, NULL, 0, NULL }
};

/* What the rule keywords take (otsentry-rules(5)). */
const struct ot_names s7comm_names[] = {
	{ "ROSCTR", s7comm_rosctr_names, "s7comm_rosctr", "%s" },
	{ "job function", s7comm_func_names, "s7comm_func", "%s" },
	{ "userdata group", s7comm_group_names, "s7comm_userdata", "group %s" },
	{ "mode transition", mode_sub_names, "s7comm_userdata",
	  "group mode_transition, subfunction %s" },
	{ "programmer command", prog_sub_names, "s7comm_userdata",
	  "group programmer_commands, subfunction %s" },
	{ "cyclic data function", cyclic_sub_names, "s7comm_userdata",
	  "group cyclic_data, subfunction %s" },
	{ "block function", block_sub_names, "s7comm_userdata",
	  "group block_functions, subfunction %s" },
	{ "CPU function", cpu_sub_names, "s7comm_userdata",
	  "group cpu_functions, subfunction %s" },
	{ "security function", security_sub_names, "s7comm_userdata",
	  "group security, subfunction %s" },
	{ "PBC function", pbc_sub_names, "s7comm_userdata",
	  "group pbc_bsend_brecv, subfunction %s" },
	{ "time function", time_sub_names, "s7comm_userdata",
	  "group time_functions, subfunction %s" },
	{ "memory area", s7comm_area_names, "s7comm_area", "%s" },
	{ "PI service", s7comm_pi_names, "s7comm_pi", "%s" },
	{ NULL }
};
