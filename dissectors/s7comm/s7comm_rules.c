/*
 * s7comm_rules.c - S7comm rule keywords (otsentry's own, see
 * otsentry-rules(5)).  On requests (ROSCTR job, userdata requests) unless
 * the rule names a ROSCTR or a flow direction itself:
 *
 *   s7comm_rosctr: N|NAME          header ROSCTR
 *   s7comm_func: N|NAME            job function
 *   s7comm_userdata: group N|NAME[, subfunction M|NAME]
 *   s7comm_area: NAME              a variable in that memory area's
 *                                  address space (the log's area_name)
 *   s7comm_db: N                   a variable in data block N (DB or DI)
 *   s7comm_szl: N                  read SZL with that id
 *   s7comm_pi: NAME                PI service, wire ("_INSE") or log name
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "keyword.h"
#include "s7comm.h"

#define KW_ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

/* Area words that name an address space rather than a wire area. */
static const struct ot_tok s7comm_space_words[] = {
	{ OT_SPACE_S7_OTHER, "other" },
	{ 0, NULL }
};

enum {
	S7_OP_ROSCTR = 1, S7_OP_FUNC, S7_OP_USERDATA, S7_OP_AREA, S7_OP_DB,
	S7_OP_SZL, S7_OP_PI
};

/* The keywords taking one number or name. */
static int s7_simple(char *arg, struct ot_rule_check *c, int op,
		     const struct ot_tok *names, int64_t max, char *err, size_t errlen)
{
	int code;

	arg = ot_kw_trim(arg);
	if (ot_kw_num_or_name(arg, names, max, &code) < 0)
		return KW_ERR("unknown value '%s'", arg);
	c->op = (uint8_t)op;
	c->a = code;
	return 1;
}

static int s7_rosctr_parse(char *arg, struct ot_rule_check *c, int max, char *err, size_t errlen)
{
	(void)max;
	return s7_simple(arg, c, S7_OP_ROSCTR, s7comm_rosctr_names, 255, err, errlen);
}

static int s7_func_parse(char *arg, struct ot_rule_check *c, int max, char *err, size_t errlen)
{
	(void)max;
	return s7_simple(arg, c, S7_OP_FUNC, s7comm_func_names, 255, err, errlen);
}

/* A memory area by the log's name (area_name) or "other": the check
 * holds the area's address space, so "counter" and "iec_counter" are one. */
static int s7_area_parse(char *arg, struct ot_rule_check *c, int max, char *err, size_t errlen)
{
	int code;

	(void)max;
	arg = ot_kw_trim(arg);
	if (ot_kw_num_or_name(arg, s7comm_area_names, -1, &code) == 0)
		code = s7_area_space((uint8_t)code);
	else if (ot_kw_num_or_name(arg, s7comm_space_words, -1, &code) < 0)
		return KW_ERR("unknown value '%s'", arg);
	c->op = S7_OP_AREA;
	c->a = code;
	return 1;
}

static int s7_db_parse(char *arg, struct ot_rule_check *c, int max, char *err, size_t errlen)
{
	(void)max;
	return s7_simple(arg, c, S7_OP_DB, NULL, 65535, err, errlen);
}

static int s7_szl_parse(char *arg, struct ot_rule_check *c, int max, char *err, size_t errlen)
{
	(void)max;
	return s7_simple(arg, c, S7_OP_SZL, NULL, 65535, err, errlen);
}

static int s7_userdata_parse(char *arg, struct ot_rule_check *c, int max,
			     char *err, size_t errlen)
{
	char *parts[2];
	int n, code;

	(void)max;
	n = ot_kw_split(arg, parts, 2);
	if (n < 1 || strncmp(parts[0], "group", 5) != 0 ||
	    ot_kw_num_or_name(ot_kw_trim(parts[0] + 5), s7comm_group_names, 15, &code) < 0)
		return KW_ERR("expected 'group N[, subfunction M]'");
	c->op = S7_OP_USERDATA;
	c->a = code;
	if (n == 2) {
		const struct ot_tok *subt = s7comm_group_sub_names(code);
		int sf;

		if (strncmp(parts[1], "subfunction", 11) != 0 ||
		    ot_kw_num_or_name(ot_kw_trim(parts[1] + 11), subt, 255, &sf) < 0)
			return KW_ERR("bad subfunction '%s'", parts[1]);
		c->b = (int32_t)sf;
	}
	return 1;
}

static int s7_pi_parse(char *arg, struct ot_rule_check *c, int max, char *err, size_t errlen)
{
	size_t i, n;

	(void)max;
	arg = ot_kw_trim(arg);
	n = strlen(arg);
	if (n >= 2 && arg[0] == '"' && arg[n - 1] == '"') {
		arg[n - 1] = 0;
		arg++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(c->str))
		return KW_ERR("bad service name '%s'", arg);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)arg[i]) && arg[i] != '_')
			return KW_ERR("bad service name '%s'", arg);
	c->op = S7_OP_PI;
	memcpy(c->str, arg, n + 1);
	return 1;
}

/* Wire service names (as rules write them) -> the dissector's service name
 * in ev->subfunc_name.  Prefix entries end in '*'. */
static const struct {
	const char *wire, *name;
} s7_pi_wire[] = {
	{ "_INSE", "insert_block" }, { "_DELE", "delete_block" },
	{ "P_PROGRAM", "program_start" }, { "_MODU", "copy_ram_to_rom" },
	{ "_GARB", "compress_memory" }, { "_EXTMOD*", "external_module" },
	{ "_N_*", "nc_service" },
};

static int s7_event_pi_is(const struct ot_event *ev, const char *name)
{
	size_t i, n;

	if (!ev->subfunc_name)
		return 0;
	if (strcasecmp(ev->subfunc_name, name) == 0)
		return 1;
	for (i = 0; i < sizeof(s7_pi_wire) / sizeof(s7_pi_wire[0]); i++) {
		n = strlen(s7_pi_wire[i].wire);
		if (s7_pi_wire[i].wire[n - 1] == '*' ? strncasecmp(name, s7_pi_wire[i].wire, n - 1) == 0
						     : strcasecmp(name, s7_pi_wire[i].wire) == 0)
			return strcmp(ev->subfunc_name, s7_pi_wire[i].name) == 0;
	}
	return 0;
}

static int s7_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	switch (c->op) {
	case S7_OP_ROSCTR:
		return ev->rosctr == c->a;
	case S7_OP_FUNC:
		return ev->group < 0 && ev->func == c->a;
	case S7_OP_USERDATA:
		return ev->group == c->a && (c->b < 0 || ev->subfunc == c->b);
	case S7_OP_AREA:
		return ot_event_has_range(ev, c->a, -1, -1);
	case S7_OP_DB:
		return ot_event_has_range(ev, OT_SPACE_S7_DB, c->a, -1) ||
		       ot_event_has_range(ev, OT_SPACE_S7_DI, c->a, -1);
	case S7_OP_SZL:
		return ev->szl_id >= 0 && ev->szl_id == c->a;
	case S7_OP_PI:
		return s7_event_pi_is(ev, c->str);
	default:
		return 0;
	}
}

static int s7_funcs(const struct ot_rule_check *c, uint8_t funcs[32])
{
	return c->op == S7_OP_FUNC ? ot_kw_funcs_one(c->a, funcs) : 0;
}

const struct ot_keyword s7comm_keywords[] = {
	{ "s7comm_rosctr", NULL, OT_KW_DIRECTION, s7_rosctr_parse, s7_match, NULL },
	{ "s7comm_func", NULL, OT_KW_REQUESTS_UNLESS, s7_func_parse, s7_match, s7_funcs },
	{ "s7comm_area", NULL, OT_KW_REQUESTS_UNLESS, s7_area_parse, s7_match, NULL },
	{ "s7comm_db", NULL, OT_KW_REQUESTS_UNLESS, s7_db_parse, s7_match, NULL },
	{ "s7comm_szl", NULL, OT_KW_REQUESTS_UNLESS, s7_szl_parse, s7_match, NULL },
	{ "s7comm_userdata", NULL, OT_KW_REQUESTS_UNLESS, s7_userdata_parse, s7_match, NULL },
	{ "s7comm_pi", NULL, OT_KW_REQUESTS_UNLESS, s7_pi_parse, s7_match, NULL },
	{ NULL }
};
