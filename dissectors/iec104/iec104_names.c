/*
 * iec104_names.c - IEC 60870-5-104 code -> name tables: the log, the rule
 * keywords and otsentry-iec104(7) use these and no others.
 *
 * Type identifications: IEC 60870-5-101:2003 7.2.1.1 (tables 8-14) with the
 * file transfer types of 7.3.6 and IEC 60870-5-104:2006 table 1 (type 127).
 * Causes of transmission: IEC 60870-5-101 7.2.3 (table 14).  U functions:
 * IEC 60870-5-104 5.3.
 */
#include <strings.h>

#include "iec104.h"

#define T(id, lay, size, time, cat, name) \
	{ id, IEC104_EL_##lay, size, time, OT_CAT_##cat, name }

/* Every standard type: element octets exclude the IOA and the time tag. */
static const struct iec104_type iec104_types[] = {
	/* process information in monitor direction */
	T(1, SIQ, 1, 0, READ, "M_SP_NA_1"),
	T(2, SIQ, 1, 3, READ, "M_SP_TA_1"),
	T(3, DIQ, 1, 0, READ, "M_DP_NA_1"),
	T(4, DIQ, 1, 3, READ, "M_DP_TA_1"),
	T(5, VTI_QDS, 2, 0, READ, "M_ST_NA_1"),
	T(6, VTI_QDS, 2, 3, READ, "M_ST_TA_1"),
	T(7, BSI_QDS, 5, 0, READ, "M_BO_NA_1"),
	T(8, BSI_QDS, 5, 3, READ, "M_BO_TA_1"),
	T(9, NVA_QDS, 3, 0, READ, "M_ME_NA_1"),
	T(10, NVA_QDS, 3, 3, READ, "M_ME_TA_1"),
	T(11, SVA_QDS, 3, 0, READ, "M_ME_NB_1"),
	T(12, SVA_QDS, 3, 3, READ, "M_ME_TB_1"),
	T(13, FLT_QDS, 5, 0, READ, "M_ME_NC_1"),
	T(14, FLT_QDS, 5, 3, READ, "M_ME_TC_1"),
	T(15, BCR, 5, 0, READ, "M_IT_NA_1"),
	T(16, BCR, 5, 3, READ, "M_IT_TA_1"),
	T(17, SEP, 3, 3, READ, "M_EP_TA_1"),
	T(18, SPE_QDP, 4, 3, READ, "M_EP_TB_1"),
	T(19, OCI_QDP, 4, 3, READ, "M_EP_TC_1"),
	T(20, SCD_QDS, 5, 0, READ, "M_PS_NA_1"),
	T(21, NVA, 2, 0, READ, "M_ME_ND_1"),
	T(30, SIQ, 1, 7, READ, "M_SP_TB_1"),
	T(31, DIQ, 1, 7, READ, "M_DP_TB_1"),
	T(32, VTI_QDS, 2, 7, READ, "M_ST_TB_1"),
	T(33, BSI_QDS, 5, 7, READ, "M_BO_TB_1"),
	T(34, NVA_QDS, 3, 7, READ, "M_ME_TD_1"),
	T(35, SVA_QDS, 3, 7, READ, "M_ME_TE_1"),
	T(36, FLT_QDS, 5, 7, READ, "M_ME_TF_1"),
	T(37, BCR, 5, 7, READ, "M_IT_TB_1"),
	T(38, SEP, 3, 7, READ, "M_EP_TD_1"),
	T(39, SPE_QDP, 4, 7, READ, "M_EP_TE_1"),
	T(40, OCI_QDP, 4, 7, READ, "M_EP_TF_1"),
	/* process information in control direction */
	T(45, SCO, 1, 0, CONTROL, "C_SC_NA_1"),
	T(46, DCO, 1, 0, CONTROL, "C_DC_NA_1"),
	T(47, RCO, 1, 0, CONTROL, "C_RC_NA_1"),
	T(48, NVA_QOS, 3, 0, WRITE, "C_SE_NA_1"),
	T(49, SVA_QOS, 3, 0, WRITE, "C_SE_NB_1"),
	T(50, FLT_QOS, 5, 0, WRITE, "C_SE_NC_1"),
	T(51, BSI, 4, 0, CONTROL, "C_BO_NA_1"),
	T(58, SCO, 1, 7, CONTROL, "C_SC_TA_1"),
	T(59, DCO, 1, 7, CONTROL, "C_DC_TA_1"),
	T(60, RCO, 1, 7, CONTROL, "C_RC_TA_1"),
	T(61, NVA_QOS, 3, 7, WRITE, "C_SE_TA_1"),
	T(62, SVA_QOS, 3, 7, WRITE, "C_SE_TB_1"),
	T(63, FLT_QOS, 5, 7, WRITE, "C_SE_TC_1"),
	T(64, BSI, 4, 7, CONTROL, "C_BO_TA_1"),
	/* system information in monitor direction */
	T(70, COI, 1, 0, READ, "M_EI_NA_1"),
	/* system information in control direction */
	T(100, QOI, 1, 0, READ, "C_IC_NA_1"),
	T(101, QCC, 1, 0, READ, "C_CI_NA_1"),
	T(102, NONE, 0, 0, READ, "C_RD_NA_1"),
	T(103, CLOCK, 0, 7, TIME, "C_CS_NA_1"),
	T(104, FBP, 2, 0, DIAGNOSTIC, "C_TS_NA_1"),
	T(105, QRP, 1, 0, MODE, "C_RP_NA_1"),
	T(106, CP16, 2, 0, TIME, "C_CD_NA_1"),
	T(107, TSC, 2, 7, DIAGNOSTIC, "C_TS_TA_1"),
	/* parameters in control direction */
	T(110, NVA_QPM, 3, 0, WRITE, "P_ME_NA_1"),
	T(111, SVA_QPM, 3, 0, WRITE, "P_ME_NB_1"),
	T(112, FLT_QPM, 5, 0, WRITE, "P_ME_NC_1"),
	T(113, QPA, 1, 0, WRITE, "P_AC_NA_1"),
	/* file transfer */
	T(120, FILE_READY, 6, 0, FILE, "F_FR_NA_1"),
	T(121, SECTION_READY, 7, 0, FILE, "F_SR_NA_1"),
	T(122, CALL, 4, 0, FILE, "F_SC_NA_1"),
	T(123, LAST, 5, 0, FILE, "F_LS_NA_1"),
	T(124, ACK, 4, 0, FILE, "F_AF_NA_1"),
	T(125, SEGMENT, 4, 0, FILE, "F_SG_NA_1"),      /* + LOS octets */
	T(126, DIRECTORY, 6, 7, FILE, "F_DR_TA_1"),
	T(127, QUERY_LOG, 16, 0, FILE, "F_SC_NB_1"),
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
	const struct iec104_type *t = iec104_type_info(type_id);

	return t ? t->name : NULL;
}

int iec104_type_from_name(const char *s)
{
	size_t i;

	for (i = 0; s && i < N_TYPES; i++)
		if (strcasecmp(s, iec104_types[i].name) == 0)
			return iec104_types[i].id;
	return -1;
}

/* Causes of transmission: the name the log writes, then the standard's
 * abbreviation (accepted by the rule keywords too). */
static const struct {
	uint8_t code;
	const char *name, *abbrev;
} iec104_causes[] = {
	{ 1, "periodic", "per/cyc" }, { 2, "background", "back" },
	{ 3, "spontaneous", "spont" }, { 4, "initialized", "init" },
	{ 5, "request", "req" }, { 6, "activation", "act" },
	{ 7, "activation_con", "actcon" }, { 8, "deactivation", "deact" },
	{ 9, "deactivation_con", "deactcon" }, { 10, "activation_term", "actterm" },
	{ 11, "return_remote", "retrem" }, { 12, "return_local", "retloc" },
	{ 13, "file_transfer", "file" },
	{ 20, "interrogated_station", "inrogen" },
	{ 21, "interrogated_group_1", "inro1" }, { 22, "interrogated_group_2", "inro2" },
	{ 23, "interrogated_group_3", "inro3" }, { 24, "interrogated_group_4", "inro4" },
	{ 25, "interrogated_group_5", "inro5" }, { 26, "interrogated_group_6", "inro6" },
	{ 27, "interrogated_group_7", "inro7" }, { 28, "interrogated_group_8", "inro8" },
	{ 29, "interrogated_group_9", "inro9" }, { 30, "interrogated_group_10", "inro10" },
	{ 31, "interrogated_group_11", "inro11" }, { 32, "interrogated_group_12", "inro12" },
	{ 33, "interrogated_group_13", "inro13" }, { 34, "interrogated_group_14", "inro14" },
	{ 35, "interrogated_group_15", "inro15" }, { 36, "interrogated_group_16", "inro16" },
	{ 37, "counter_request_general", "reqcogen" },
	{ 38, "counter_request_group_1", "reqco1" }, { 39, "counter_request_group_2", "reqco2" },
	{ 40, "counter_request_group_3", "reqco3" }, { 41, "counter_request_group_4", "reqco4" },
	{ 44, "unknown_type", "uknown_type" }, { 45, "unknown_cause", "uknown_cause" },
	{ 46, "unknown_common_address", "uknown_asdu_address" },
	{ 47, "unknown_ioa", "uknown_object_address" },
};

#define N_CAUSES (sizeof(iec104_causes) / sizeof(iec104_causes[0]))

const char *iec104_cause_name(int cause)
{
	size_t i;

	for (i = 0; i < N_CAUSES; i++)
		if (iec104_causes[i].code == cause)
			return iec104_causes[i].name;
	return NULL;
}

int iec104_cause_from_name(const char *s)
{
	size_t i;

	for (i = 0; s && i < N_CAUSES; i++)
		if (strcasecmp(s, iec104_causes[i].name) == 0 ||
		    strcasecmp(s, iec104_causes[i].abbrev) == 0)
			return iec104_causes[i].code;
	return -1;
}

static const struct ot_tok iec104_u_names[] = {
	{ IEC104_U_STARTDT_ACT, "startdt_act" }, { IEC104_U_STARTDT_CON, "startdt_con" },
	{ IEC104_U_STOPDT_ACT, "stopdt_act" }, { IEC104_U_STOPDT_CON, "stopdt_con" },
	{ IEC104_U_TESTFR_ACT, "testfr_act" }, { IEC104_U_TESTFR_CON, "testfr_con" },
	{ 0, NULL }
};

const char *iec104_u_name(int u_func)
{
	return ot_tok_name(iec104_u_names, u_func);
}

int iec104_u_from_name(const char *s)
{
	const struct ot_tok *t;

	for (t = iec104_u_names; s && t->name; t++)
		if (strcasecmp(s, t->name) == 0)
			return t->code;
	return -1;
}

const char *iec104_format_name(int format)
{
	static const char *const n[] = { "I", "S", "U" };

	return (unsigned)format <= IEC104_U ? n[format] : NULL;
}

/* QOI (7.2.6.22): 20 station, 21..36 groups 1..16. */
const char *iec104_qoi_name(int qoi)
{
	static const char *const groups[16] = {
		"group_1", "group_2", "group_3", "group_4", "group_5", "group_6",
		"group_7", "group_8", "group_9", "group_10", "group_11", "group_12",
		"group_13", "group_14", "group_15", "group_16",
	};

	if (qoi == 20)
		return "station";
	if (qoi >= 21 && qoi <= 36)
		return groups[qoi - 21];
	return NULL;
}

/* QRP (7.2.6.27). */
const char *iec104_qrp_name(int qrp)
{
	return qrp == 1 ? "general_reset" : qrp == 2 ? "reset_event_buffer" : NULL;
}

/* DPI (7.2.6.2) and DCS (7.2.6.16) share the values. */
const char *iec104_dpi_name(int dpi)
{
	static const char *const n[4] = { "intermediate", "off", "on", "indeterminate" };

	return n[dpi & 3];
}

/* RCS (7.2.6.17). */
const char *iec104_rcs_name(int rcs)
{
	static const char *const n[4] = { "not_permitted", "lower", "higher", "not_permitted" };

	return n[rcs & 3];
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
