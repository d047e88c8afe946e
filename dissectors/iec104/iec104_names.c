/*
 * iec104_names.c - IEC 60870-5-104 code -> name tables: the log, the rule
 * keywords and otsentry-iec104(7) use these and no others.
 *
 * Type identifications: IEC 60870-5-101:2003 7.2.1.1 (tables 8-14) with the
 * file transfer types of 7.3.6 and IEC 60870-5-104:2006 table 1 (type 127).
 * Causes of transmission: IEC 60870-5-101 7.2.3 (table 14).  U functions:
 * IEC 60870-5-104 5.3.
 */
#include "iec104.h"

#define T(id, lay, size, time, cat) \
	{ id, IEC104_EL_##lay, size, time, OT_CAT_##cat }

/* Every standard type: element octets exclude the IOA and the time tag. */
static const struct iec104_type iec104_types[] = {
	T(1, SIQ, 1, 0, READ),
	T(2, SIQ, 1, 3, READ),
	T(3, DIQ, 1, 0, READ),
	T(4, DIQ, 1, 3, READ),
	T(5, VTI_QDS, 2, 0, READ),
	T(6, VTI_QDS, 2, 3, READ),
	T(7, BSI_QDS, 5, 0, READ),
	T(8, BSI_QDS, 5, 3, READ),
	T(9, NVA_QDS, 3, 0, READ),
	T(10, NVA_QDS, 3, 3, READ),
	T(11, SVA_QDS, 3, 0, READ),
	T(12, SVA_QDS, 3, 3, READ),
	T(13, FLT_QDS, 5, 0, READ),
	T(14, FLT_QDS, 5, 3, READ),
	T(15, BCR, 5, 0, READ),
	T(16, BCR, 5, 3, READ),
	T(17, SEP, 3, 3, READ),
	T(18, SPE_QDP, 4, 3, READ),
	T(19, OCI_QDP, 4, 3, READ),
	T(20, SCD_QDS, 5, 0, READ),
	T(21, NVA, 2, 0, READ),
	T(30, SIQ, 1, 7, READ),
	T(31, DIQ, 1, 7, READ),
	T(32, VTI_QDS, 2, 7, READ),
	T(33, BSI_QDS, 5, 7, READ),
	T(34, NVA_QDS, 3, 7, READ),
	T(35, SVA_QDS, 3, 7, READ),
	T(36, FLT_QDS, 5, 7, READ),
	T(37, BCR, 5, 7, READ),
	T(38, SEP, 3, 7, READ),
	T(39, SPE_QDP, 4, 7, READ),
	T(40, OCI_QDP, 4, 7, READ),
	T(45, SCO, 1, 0, CONTROL),
	T(46, DCO, 1, 0, CONTROL),
	T(47, RCO, 1, 0, CONTROL),
	T(48, NVA_QOS, 3, 0, WRITE),
	T(49, SVA_QOS, 3, 0, WRITE),
	T(50, FLT_QOS, 5, 0, WRITE),
	T(51, BSI, 4, 0, CONTROL),
	T(58, SCO, 1, 7, CONTROL),
	T(59, DCO, 1, 7, CONTROL),
	T(60, RCO, 1, 7, CONTROL),
	T(61, NVA_QOS, 3, 7, WRITE),
	T(62, SVA_QOS, 3, 7, WRITE),
	T(63, FLT_QOS, 5, 7, WRITE),
	T(64, BSI, 4, 7, CONTROL),
	T(70, COI, 1, 0, READ),
	T(100, QOI, 1, 0, READ),
	T(101, QCC, 1, 0, READ),
	T(102, NONE, 0, 0, READ),
	T(103, CLOCK, 0, 7, TIME),
	T(104, FBP, 2, 0, DIAGNOSTIC),
	T(105, QRP, 1, 0, MODE),
	T(106, CP16, 2, 0, TIME),
	T(107, TSC, 2, 7, DIAGNOSTIC),
	T(110, NVA_QPM, 3, 0, WRITE),
	T(111, SVA_QPM, 3, 0, WRITE),
	T(112, FLT_QPM, 5, 0, WRITE),
	T(113, QPA, 1, 0, WRITE),
	T(120, FILE_READY, 6, 0, FILE),
	T(121, SECTION_READY, 7, 0, FILE),
	T(122, CALL, 4, 0, FILE),
	T(123, LAST, 5, 0, FILE),
	T(124, ACK, 4, 0, FILE),
	T(125, SEGMENT, 4, 0, FILE),      /* + LOS octets */
	T(126, DIRECTORY, 6, 7, FILE),
	T(127, QUERY_LOG, 16, 0, FILE),
};

/* The names of the types above, as the standard writes them. */
const struct ot_tok iec104_type_names[] = {
	{ 1, "M_SP_NA_1" },
	{ 2, "M_SP_TA_1" },
	{ 3, "M_DP_NA_1" },
	{ 4, "M_DP_TA_1" },
	{ 5, "M_ST_NA_1" },
	{ 6, "M_ST_TA_1" },
	{ 7, "M_BO_NA_1" },
	{ 8, "M_BO_TA_1" },
	{ 9, "M_ME_NA_1" },
	{ 10, "M_ME_TA_1" },
	{ 11, "M_ME_NB_1" },
	{ 12, "M_ME_TB_1" },
	{ 13, "M_ME_NC_1" },
	{ 14, "M_ME_TC_1" },
	{ 15, "M_IT_NA_1" },
	{ 16, "M_IT_TA_1" },
	{ 17, "M_EP_TA_1" },
	{ 18, "M_EP_TB_1" },
	{ 19, "M_EP_TC_1" },
	{ 20, "M_PS_NA_1" },
	{ 21, "M_ME_ND_1" },
	{ 30, "M_SP_TB_1" },
	{ 31, "M_DP_TB_1" },
	{ 32, "M_ST_TB_1" },
	{ 33, "M_BO_TB_1" },
	{ 34, "M_ME_TD_1" },
	{ 35, "M_ME_TE_1" },
	{ 36, "M_ME_TF_1" },
	{ 37, "M_IT_TB_1" },
	{ 38, "M_EP_TD_1" },
	{ 39, "M_EP_TE_1" },
	{ 40, "M_EP_TF_1" },
	{ 45, "C_SC_NA_1" },
	{ 46, "C_DC_NA_1" },
	{ 47, "C_RC_NA_1" },
	{ 48, "C_SE_NA_1" },
	{ 49, "C_SE_NB_1" },
	{ 50, "C_SE_NC_1" },
	{ 51, "C_BO_NA_1" },
	{ 58, "C_SC_TA_1" },
	{ 59, "C_DC_TA_1" },
	{ 60, "C_RC_TA_1" },
	{ 61, "C_SE_TA_1" },
	{ 62, "C_SE_TB_1" },
	{ 63, "C_SE_TC_1" },
	{ 64, "C_BO_TA_1" },
	{ 70, "M_EI_NA_1" },
	{ 100, "C_IC_NA_1" },
	{ 101, "C_CI_NA_1" },
	{ 102, "C_RD_NA_1" },
	{ 103, "C_CS_NA_1" },
	{ 104, "C_TS_NA_1" },
	{ 105, "C_RP_NA_1" },
	{ 106, "C_CD_NA_1" },
	{ 107, "C_TS_TA_1" },
	{ 110, "P_ME_NA_1" },
	{ 111, "P_ME_NB_1" },
	{ 112, "P_ME_NC_1" },
	{ 113, "P_AC_NA_1" },
	{ 120, "F_FR_NA_1" },
	{ 121, "F_SR_NA_1" },
	{ 122, "F_SC_NA_1" },
	{ 123, "F_LS_NA_1" },
	{ 124, "F_AF_NA_1" },
	{ 125, "F_SG_NA_1" },
	{ 126, "F_DR_TA_1" },
	{ 127, "F_SC_NB_1" },
	{ 0, NULL }
};

#define N_TYPES (sizeof(iec104_types) / sizeof(iec104_types[0]))

/* Direct index by type id, built on first use would need a global: the
 * table is small and sorted, so a binary search does. */
const struct iec104_type *iec104_type_info(int type_id)
{
	size_t lo = 0, hi = N_TYPES;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (iec104_types[mid].id == type_id)
			return &iec104_types[mid];
		if (iec104_types[mid].id < type_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct iec104_type *iec104_type_at(size_t i)
{
	return i < N_TYPES ? &iec104_types[i] : NULL;
}

const char *iec104_type_name(int type_id)
{
	return ot_tok_name(iec104_type_names, type_id);
}

/* Causes of transmission: the name the log writes first, then the
 * standard's abbreviation, which the rule keywords accept too. */
const struct ot_tok iec104_cause_names[] = {
	{ 1, "periodic" }, { 2, "background" }, { 3, "spontaneous" },
	{ 4, "initialized" }, { 5, "request" }, { 6, "activation" },
	{ 7, "activation_con" }, { 8, "deactivation" }, { 9, "deactivation_con" },
	{ 10, "activation_term" }, { 11, "return_remote" }, { 12, "return_local" },
	{ 13, "file_transfer" }, { 20, "interrogated_station" },
	{ 21, "interrogated_group_1" }, { 22, "interrogated_group_2" },
	{ 23, "interrogated_group_3" }, { 24, "interrogated_group_4" },
	{ 25, "interrogated_group_5" }, { 26, "interrogated_group_6" },
	{ 27, "interrogated_group_7" }, { 28, "interrogated_group_8" },
	{ 29, "interrogated_group_9" }, { 30, "interrogated_group_10" },
	{ 31, "interrogated_group_11" }, { 32, "interrogated_group_12" },
	{ 33, "interrogated_group_13" }, { 34, "interrogated_group_14" },
	{ 35, "interrogated_group_15" }, { 36, "interrogated_group_16" },
	{ 37, "counter_request_general" }, { 38, "counter_request_group_1" },
	{ 39, "counter_request_group_2" }, { 40, "counter_request_group_3" },
	{ 41, "counter_request_group_4" },
	{ 44, "unknown_type" }, { 45, "unknown_cause" },
	{ 46, "unknown_common_address" }, { 47, "unknown_ioa" },
	/* the abbreviations of IEC 60870-5-101 table 14 */
	{ 1, "per/cyc" }, { 1, "cyclic" }, { 2, "back" }, { 3, "spont" }, { 4, "init" },
	{ 5, "req" }, { 6, "act" }, { 7, "actcon" }, { 8, "deact" }, { 9, "deactcon" },
	{ 10, "actterm" }, { 11, "retrem" }, { 12, "retloc" }, { 13, "file" },
	{ 20, "inrogen" }, { 21, "inro1" }, { 22, "inro2" }, { 23, "inro3" },
	{ 24, "inro4" }, { 25, "inro5" }, { 26, "inro6" }, { 27, "inro7" },
	{ 28, "inro8" }, { 29, "inro9" }, { 30, "inro10" }, { 31, "inro11" },
	{ 32, "inro12" }, { 33, "inro13" }, { 34, "inro14" }, { 35, "inro15" },
	{ 36, "inro16" }, { 37, "reqcogen" }, { 38, "reqco1" }, { 39, "reqco2" },
	{ 40, "reqco3" }, { 41, "reqco4" },
	{ 0, NULL }
};

const char *iec104_cause_name(int cause)
{
	return ot_tok_name(iec104_cause_names, cause);
}

/* U functions, by their bit in the first control octet (5.3). */
const struct ot_tok iec104_u_names[] = {
	{ IEC104_U_STARTDT_ACT, "startdt_act" }, { IEC104_U_STARTDT_CON, "startdt_con" },
	{ IEC104_U_STOPDT_ACT, "stopdt_act" }, { IEC104_U_STOPDT_CON, "stopdt_con" },
	{ IEC104_U_TESTFR_ACT, "testfr_act" }, { IEC104_U_TESTFR_CON, "testfr_con" },
	{ 0, NULL }
};

const char *iec104_u_name(int u_func)
{
	return ot_tok_name(iec104_u_names, u_func);
}

/* Quality descriptor bits (7.2.6.1-4), as the log lists them. */
const struct ot_tok iec104_quality_names[] = {
	{ IEC104_Q_OV, "overflow" }, { IEC104_Q_EI, "elapsed_invalid" },
	{ IEC104_Q_BL, "blocked" }, { IEC104_Q_SB, "substituted" },
	{ IEC104_Q_NT, "not_topical" }, { IEC104_Q_IV, "invalid" },
	{ 0, NULL }
};

/* QOI (7.2.6.22): 20 station, 21..36 groups 1..16. */
static const struct ot_tok iec104_qoi_names[] = {
	{ 20, "station" }, { 21, "group_1" }, { 22, "group_2" }, { 23, "group_3" },
	{ 24, "group_4" }, { 25, "group_5" }, { 26, "group_6" }, { 27, "group_7" },
	{ 28, "group_8" }, { 29, "group_9" }, { 30, "group_10" }, { 31, "group_11" },
	{ 32, "group_12" }, { 33, "group_13" }, { 34, "group_14" }, { 35, "group_15" },
	{ 36, "group_16" },
	{ 0, NULL }
};

/* QRP (7.2.6.27). */
static const struct ot_tok iec104_qrp_names[] = {
	{ 1, "general_reset" }, { 2, "reset_event_buffer" },
	{ 0, NULL }
};

/* DPI (7.2.6.2) and DCS (7.2.6.16) share the values; RCS (7.2.6.17). */
static const struct ot_tok iec104_dpi_names[] = {
	{ 0, "intermediate" }, { 1, "off" }, { 2, "on" }, { 3, "indeterminate" },
	{ 0, NULL }
};

static const struct ot_tok iec104_rcs_names[] = {
	{ 0, "not_permitted" }, { 1, "lower" }, { 2, "higher" }, { 3, "not_permitted" },
	{ 0, NULL }
};

const struct ot_names iec104_names[] = {
	{ "type identification", iec104_type_names, "iec104_type", "%s" },
	{ "cause of transmission", iec104_cause_names, "iec104_cot", "%s" },
	{ "U function", iec104_u_names, "iec104_u", "%s" },
	{ "quality", iec104_quality_names, NULL, NULL },
	{ "qualifier of interrogation", iec104_qoi_names, NULL, NULL },
	{ "qualifier of reset process", iec104_qrp_names, NULL, NULL },
	{ "double point state", iec104_dpi_names, NULL, NULL },
	{ "regulating step", iec104_rcs_names, NULL, NULL },
	{ NULL }
};

const char *iec104_format_name(int format)
{
	static const char *const n[] = { "I", "S", "U" };

	return (unsigned)format <= IEC104_U ? n[format] : NULL;
}

const char *iec104_qoi_name(int qoi)
{
	return ot_tok_name(iec104_qoi_names, qoi);
}

const char *iec104_qrp_name(int qrp)
{
	return ot_tok_name(iec104_qrp_names, qrp);
}

const char *iec104_dpi_name(int dpi)
{
	return ot_tok_name(iec104_dpi_names, dpi & 3);
}

const char *iec104_rcs_name(int rcs)
{
	return ot_tok_name(iec104_rcs_names, rcs & 3);
}

int iec104_func_code(const struct iec104_apdu *a)
{
	int b;

	switch (a->format) {
	case IEC104_I:
		return a->asdu.header_len ? a->asdu.type_id : -1;
	case IEC104_U:
		for (b = 0; b < 6; b++)
			if (a->u_func == (IEC104_U_STARTDT_ACT << b))
				return IEC104_FUNC_U_BASE + b;
		return -1;
	default:
		return -1;
	}
}

const char *iec104_func_name(int func)
{
	if (func >= IEC104_FUNC_U_BASE && func < IEC104_FUNC_U_BASE + 6)
		return iec104_u_name(IEC104_U_STARTDT_ACT << (func - IEC104_FUNC_U_BASE));
	return func >= 0 ? iec104_type_name(func) : NULL;
}

/* The parser keeps values of measured values, set points and parameters
 * only: analog quantities. */
const struct ot_space_info iec104_spaces[] = {
	{ OT_SPACE_IEC104, "ioa", OT_SPACE_ANALOG, NULL },
	{ 0, NULL, 0, NULL }
};
