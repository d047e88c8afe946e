/*
 * enip_rules.c - the EtherNet/IP and CIP rule keywords (otsentry-rules(5)):
 *
 *   enip_command: N|NAME              encapsulation command, every message
 *   cip_service: S|NAME[, C[, A]]     a CIP service (outer, embedded in an
 *                                     Unconnected Send, or inside a Multiple
 *                                     Service Packet) with optional class C
 *                                     and attribute A, as Suricata writes it;
 *                                     requests unless the rule sets flow:
 *   cip_class: C|NAME                 a CIP service on class C (requests
 *                                     unless the rule sets flow:)
 *   cip_status: N|NAME|range          a CIP response's general status
 *
 * Numbers are decimal or 0x hex; names as enip_names.c spells them.
 */
#include <stdio.h>
#include <string.h>

#include "enip.h"
#include "keyword.h"

enum { ENIP_OP_COMMAND = 1, ENIP_OP_SERVICE, ENIP_OP_CLASS, ENIP_OP_STATUS };

#define KW_ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static int enip_parse_command(char *value, struct ot_rule_check *out, int max,
			      char *err, size_t errlen)
{
	int code;

	(void)max;
	if (ot_kw_num_or_name(value, enip_command_names, 0xffff, &code) < 0)
		return KW_ERR("unknown encapsulation command '%s'", value);
	out->op = ENIP_OP_COMMAND;
	out->a = code;
	return 1;
}

/* A class: number (up to 32 bits is legal CIP; rules take 16) or name. */
static int class_code(const char *s, int *out)
{
	return ot_kw_num_or_name(s, cip_class_names, 0xffff, out);
}

static int enip_parse_service(char *value, struct ot_rule_check *out, int max,
			      char *err, size_t errlen)
{
	char *parts[3];
	int n, code;
	int64_t attr;

	(void)max;
	n = ot_kw_split(value, parts, 3);
	if (n < 1)
		return KW_ERR("expected 'SERVICE[, CLASS[, ATTRIBUTE]]'");
	if (ot_kw_uint(parts[0], 0x7f, &attr) == 0) {
		code = (int)attr;
	} else if ((code = cip_service_from_name(parts[0])) < 0) {
		return KW_ERR("unknown CIP service '%s'", parts[0]);
	}
	out->op = ENIP_OP_SERVICE;
	out->a = code;
	out->b = -1;
	out->mask = 0xffffffffu;        /* attribute: any */
	if (n >= 2) {
		int cls;

		if (class_code(parts[1], &cls) < 0)
			return KW_ERR("unknown CIP class '%s'", parts[1]);
		out->b = cls;
	}
	if (n == 3) {
		if (ot_kw_uint(parts[2], 0xffff, &attr) < 0)
			return KW_ERR("bad attribute '%s'", parts[2]);
		out->mask = (uint32_t)attr;
	}
	return 1;
}

static int enip_parse_class(char *value, struct ot_rule_check *out, int max,
			    char *err, size_t errlen)
{
	int cls;

	(void)max;
	if (class_code(value, &cls) < 0)
		return KW_ERR("unknown CIP class '%s'", value);
	out->op = ENIP_OP_CLASS;
	out->a = cls;
	return 1;
}

static int enip_parse_status(char *value, struct ot_rule_check *out, int max,
			     char *err, size_t errlen)
{
	int code;

	(void)max;
	out->op = ENIP_OP_STATUS;
	if (ot_kw_num_or_name(value, cip_status_names, -1, &code) == 0) {
		out->r.lo = out->r.hi = code;
		return 1;
	}
	if (ot_kw_range(value, 0xff, &out->r) < 0)
		return KW_ERR("bad CIP status '%s'", value);
	return 1;
}

static int service_matches(const struct ot_rule_check *c, const struct cip_service *s)
{
	if (c->op == ENIP_OP_CLASS)
		return s->path.class_id == c->a;
	if (s->service != c->a)
		return 0;
	if (c->b >= 0 && s->path.class_id != c->b)
		return 0;
	if (c->mask != 0xffffffffu && s->path.attribute != (int64_t)c->mask)
		return 0;
	return 1;
}

/* The encapsulation commands whose data is read as common packet format
 * items (enip_parse.c), the only place CIP services come from. */
static const uint16_t cip_commands[] = {
	ENIP_CMD_LIST_SERVICES, ENIP_CMD_LIST_IDENTITY, ENIP_CMD_LIST_INTERFACES,
	ENIP_CMD_SEND_RR_DATA, ENIP_CMD_SEND_UNIT_DATA,
};

static int carries_cip(int32_t command)
{
	size_t i;

	for (i = 0; i < sizeof(cip_commands) / sizeof(cip_commands[0]); i++)
		if (command == cip_commands[i])
			return 1;
	return 0;
}

/* A message's ev->func is its encapsulation command (enip_parse.c). */
static int enip_kw_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	const struct enip_record *rec = ev->record;
	unsigned i;

	if (!rec || rec->is_io || ev->kind != OT_EV_MESSAGE)
		return 0;
	if (c->op == ENIP_OP_COMMAND)
		return ev->func == c->a;
	/* a service code the message does not hold: no item can match (the
	 * cheaper test first: both only ever say no) */
	if (c->op == ENIP_OP_SERVICE &&
	    (c->a < 0 || c->a > 0x7f || !(rec->svc_seen[c->a >> 3] >> (c->a & 7) & 1)))
		return 0;
	if (!carries_cip(ev->func))
		return 0;
	switch (c->op) {
	case ENIP_OP_SERVICE:
	case ENIP_OP_CLASS:
		for (i = 0; i < rec->n_cip; i++)
			if (service_matches(c, &rec->cip[i]))
				return 1;
		return 0;
	case ENIP_OP_STATUS:
		for (i = 0; i < rec->n_cip; i++)
			if (rec->cip[i].response && rec->cip[i].status >= c->r.lo &&
			    rec->cip[i].status <= c->r.hi)
				return 1;
		return 0;
	default:
		return 0;
	}
}

static int enip_kw_funcs(const struct ot_rule_check *c, uint8_t funcs[32])
{
	size_t i;

	if (c->op == ENIP_OP_COMMAND)
		return ot_kw_funcs_one(c->a, funcs);
	for (i = 0; i < sizeof(cip_commands) / sizeof(cip_commands[0]); i++)
		(void)ot_kw_funcs_one(cip_commands[i], funcs);
	return 1;
}

const struct ot_keyword enip_keywords[] = {
	{ "enip_command", "enip.command", OT_KW_ALL, enip_parse_command, enip_kw_match,
	  enip_kw_funcs },
	{ "cip_service", "enip.cip_service", OT_KW_REQUESTS_UNLESS, enip_parse_service, enip_kw_match,
	  enip_kw_funcs },
	{ "cip_class", "enip.cip_class", OT_KW_REQUESTS_UNLESS, enip_parse_class, enip_kw_match,
	  enip_kw_funcs },
	{ "cip_status", "enip.cip_status", OT_KW_ALL, enip_parse_status, enip_kw_match,
	  enip_kw_funcs },
	{ NULL, NULL, OT_KW_ALL, NULL, NULL, NULL }
};
