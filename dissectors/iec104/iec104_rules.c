/*
 * iec104_rules.c - the IEC 60870-5-104 rule keywords, on every APDU:
 *
 *   iec104_type: N|NAME|N<>M       ASDU type identification ("C_SC_NA_1")
 *   iec104_cot: N|NAME[, negative|positive][, test]
 *                                  cause of transmission ("activation" or
 *                                  "act"), optionally the P/N and T bits
 *   iec104_ca: N|<N|>N|N<>M        common address of the ASDU
 *   iec104_ioa: N|<N|>N|N<>M       any information object address in range
 *   iec104_u: NAME                 U-format function ("startdt_act")
 *
 * Ranges as Suricata writes them: <N, >N, N<>M with exclusive bounds.
 */
#include <stdio.h>
#include <string.h>

#include "iec104.h"
#include "keyword.h"

#define KW_ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

enum { COT_NEGATIVE = 1, COT_POSITIVE = 2, COT_TEST = 4 };

static int has_range_op(const char *s)
{
	return strchr(s, '<') || strchr(s, '>');
}

static int type_parse(char *arg, struct ot_rule_check *c, int max, char *err, size_t errlen)
{
	int code;

	(void)max;
	arg = ot_kw_trim(arg);
	if (has_range_op(arg)) {
		if (ot_kw_range(arg, 255, &c->r) < 0)
			return KW_ERR("bad type range '%s'", arg);
		return 1;
	}
	if (ot_kw_num_or_name(arg, iec104_type_names, 255, &code) < 0)
		return KW_ERR("unknown type identification '%s'", arg);
	c->r.lo = c->r.hi = code;
	return 1;
}

static const struct iec104_apdu *apdu_of(const struct ot_event *ev)
{
	const struct iec104_apdu *a = ev->record;

	return a && a->format == IEC104_I && a->asdu.header_len >= IEC104_ASDU_HEADER ? a : NULL;
}

static int type_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	return ev->func >= 0 && ev->func < IEC104_FUNC_U_BASE &&
	       ev->func >= c->r.lo && ev->func <= c->r.hi;
}

static int type_funcs(const struct ot_rule_check *c, uint8_t funcs[32])
{
	int64_t f;

	for (f = c->r.lo < 0 ? 0 : c->r.lo; f <= c->r.hi && f < IEC104_FUNC_U_BASE && f < 256; f++)
		funcs[f >> 3] |= (uint8_t)(1u << (f & 7));
	return 1;
}

static int cot_parse(char *arg, struct ot_rule_check *c, int max, char *err, size_t errlen)
{
	char *parts[3];
	int n, i, code;

	(void)max;
	n = ot_kw_split(arg, parts, 3);
	if (n < 1 || !*parts[0])
		return KW_ERR("expected a cause of transmission");
	if (ot_kw_num_or_name(parts[0], iec104_cause_names, 63, &code) < 0)
		return KW_ERR("unknown cause of transmission '%s'", parts[0]);
	c->a = code;
	for (i = 1; i < n; i++) {
		if (strcmp(parts[i], "negative") == 0)
			c->mask |= COT_NEGATIVE;
		else if (strcmp(parts[i], "positive") == 0)
			c->mask |= COT_POSITIVE;
		else if (strcmp(parts[i], "test") == 0)
			c->mask |= COT_TEST;
		else
			return KW_ERR("expected negative, positive or test, not '%s'", parts[i]);
	}
	if ((c->mask & (COT_NEGATIVE | COT_POSITIVE)) == (COT_NEGATIVE | COT_POSITIVE))
		return KW_ERR("negative and positive both");
	return 1;
}

static int cot_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	const struct iec104_apdu *a = apdu_of(ev);

	if (!a || a->asdu.cause != c->a)
		return 0;
	if ((c->mask & COT_NEGATIVE) && !a->asdu.negative)
		return 0;
	if ((c->mask & COT_POSITIVE) && a->asdu.negative)
		return 0;
	return !(c->mask & COT_TEST) || a->asdu.test;
}

static int range_parse(char *arg, struct ot_rule_check *c, int64_t max, const char *what,
		       char *err, size_t errlen)
{
	arg = ot_kw_trim(arg);
	if (ot_kw_range(arg, max, &c->r) < 0)
		return KW_ERR("bad %s '%s'", what, arg);
	return 1;
}

static int ca_parse(char *arg, struct ot_rule_check *c, int max, char *err, size_t errlen)
{
	(void)max;
	return range_parse(arg, c, 0xffff, "common address", err, errlen);
}

static int ca_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	const struct iec104_apdu *a = apdu_of(ev);

	return a && a->asdu.ca >= c->r.lo && a->asdu.ca <= c->r.hi;
}

static int ioa_parse(char *arg, struct ot_rule_check *c, int max, char *err, size_t errlen)
{
	(void)max;
	return range_parse(arg, c, 0xffffff, "information object address", err, errlen);
}

/* Every decoded object counts, not only those the event's ranges hold. */
static int ioa_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	const struct iec104_apdu *a = apdu_of(ev);
	unsigned i;

	for (i = 0; a && i < a->asdu.n_objects; i++)
		if (a->asdu.obj[i].ioa >= c->r.lo && a->asdu.obj[i].ioa <= c->r.hi)
			return 1;
	return 0;
}

static int u_parse(char *arg, struct ot_rule_check *c, int max, char *err, size_t errlen)
{
	int bit, i;

	(void)max;
	arg = ot_kw_trim(arg);
	if (ot_tok_code(iec104_u_names, arg, &bit) < 0)
		return KW_ERR("unknown U function '%s'", arg);
	for (i = 0; i < 6 && (IEC104_U_STARTDT_ACT << i) != bit; i++)
		;
	c->a = IEC104_FUNC_U_BASE + i;
	return 1;
}

static int u_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	return ev->func == c->a;
}

const struct ot_keyword iec104_keywords[] = {
	{ "iec104_type", "iec104.type", OT_KW_ALL, type_parse, type_match, type_funcs },
	{ "iec104_cot", "iec104.cot", OT_KW_ALL, cot_parse, cot_match, NULL },
	{ "iec104_ca", "iec104.ca", OT_KW_ALL, ca_parse, ca_match, NULL },
	{ "iec104_ioa", "iec104.ioa", OT_KW_ALL, ioa_parse, ioa_match, NULL },
	{ "iec104_u", "iec104.u", OT_KW_ALL, u_parse, u_match, NULL },
	{ NULL }
};
