/*
 * dnp3_rules.c - Suricata's DNP3 rule keywords, on every message:
 *
 *   dnp3_func: N|NAME          application function code
 *   dnp3_ind: NAME[, NAME...]  any of these internal indications (responses)
 *   dnp3_obj: GROUP,VARIATION  an object header of that group and variation
 *                              (VARIATION * : any variation of the group)
 *
 * (dnp3.func, dnp3.ind, dnp3.obj: the same.)
 */
#include <stdio.h>
#include <string.h>

#include "dnp3.h"
#include "keyword.h"

#define KW_ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static int dnp3_func_parse(char *arg, struct ot_rule_check *c, int max,
			   char *err, size_t errlen)
{
	int code;

	(void)max;
	if (ot_kw_num_or_name(ot_kw_trim(arg), dnp3_function_names, 255, &code) < 0)
		return KW_ERR("unknown function '%s'", ot_kw_trim(arg));
	c->a = code;
	return 1;
}

static int dnp3_func_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	return ev->func == c->a;
}

static int dnp3_func_funcs(const struct ot_rule_check *c, uint8_t funcs[32])
{
	return ot_kw_funcs_one(c->a, funcs);
}

static int dnp3_ind_parse(char *arg, struct ot_rule_check *c, int max,
			  char *err, size_t errlen)
{
	char *parts[16];
	int n, i, bit;

	(void)max;
	n = ot_kw_split(arg, parts, 16);
	if (n < 1 || !*parts[0])
		return KW_ERR("expected indicator names");
	for (i = 0; i < n; i++) {
		if (ot_tok_code(dnp3_iin_names, parts[i], &bit) < 0)
			return KW_ERR("unknown indicator '%s'", parts[i]);
		/* IIN1 in the high byte of ev->iin */
		c->mask |= bit < 8 ? 0x100u << bit : 1u << (bit - 8);
	}
	return 1;
}

static int dnp3_ind_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	return ev->iin >= 0 && ((uint32_t)ev->iin & c->mask) != 0;
}

static int dnp3_obj_parse(char *arg, struct ot_rule_check *c, int max,
			  char *err, size_t errlen)
{
	char *parts[2];
	int64_t g, v;

	(void)max;
	if (ot_kw_split(arg, parts, 2) != 2 || ot_kw_uint(parts[0], 255, &g) < 0)
		return KW_ERR("expected 'group,variation'");
	if (strcmp(parts[1], "*") == 0)
		v = -1;         /* any variation */
	else if (ot_kw_uint(parts[1], 255, &v) < 0)
		return KW_ERR("expected 'group,variation'");
	c->a = (int32_t)g;
	c->b = (int32_t)v;
	return 1;
}

static int dnp3_obj_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	return ot_event_has_range(ev, OT_SPACE_DNP3, c->a, c->b);
}

const struct ot_keyword dnp3_keywords[] = {
	{ "dnp3_func", "dnp3.func", OT_KW_ALL, dnp3_func_parse, dnp3_func_match,
	  dnp3_func_funcs },
	{ "dnp3_ind", "dnp3.ind", OT_KW_ALL, dnp3_ind_parse, dnp3_ind_match, NULL },
	{ "dnp3_obj", "dnp3.obj", OT_KW_ALL, dnp3_obj_parse, dnp3_obj_match, NULL },
	{ NULL }
};

/* Suricata's app-layer event names for the dnp3 anomaly reasons. */
const struct ot_event_alias dnp3_event_aliases[] = {
	{ "flooded", "too_many_pending" },
	{ "len_too_small", "bad_length" },
	{ "bad_link_crc", "bad_crc" },
	{ "bad_transport_crc", "bad_crc" },
	{ "malformed", "app_too_short" },
	{ NULL }
};
