/*
 * modbus_rules.c - the "modbus" rule keyword (Suricata's, see
 * otsentry-rules(5)), on requests only:
 *
 *   modbus: [unit N[, ]] function N|NAME[, subfunction M]
 *   modbus: [unit N[, ]] function [!]assigned|unassigned|public|user|reserved|all
 *   modbus: [unit N[, ]] access read|write [coils|discretes|holding|input]
 *           [, address A[, value V]]
 *
 * Numbers and ranges as Suricata writes them: N, <N, >N, N<>M.
 *
 * And otsentry's own, on requests with function 90 (Schneider UMAS):
 *
 *   umas_func: N|NAME      the UMAS function (the log's umas.function)
 */
#include <stdio.h>
#include <string.h>

#include "keyword.h"
#include "modbus.h"

enum { MB_OP_FUNC = 1, MB_OP_CLASS, MB_OP_ACCESS, MB_OP_UNIT };

#define MB_READ  1u
#define MB_WRITE 2u

#define KW_ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

/* function N [, subfunction M] | function [!]class */
static int mb_parse_function(char *arg, struct ot_rule_check *c, char *err, size_t errlen)
{
	char *parts[3], *w;
	int n, code, neg = 0;

	n = ot_kw_split(arg, parts, 3);
	if (n < 1 || n > 2)
		return KW_ERR("expected 'function N[, subfunction M]'");
	w = ot_kw_trim(parts[0] + strlen("function"));
	if (*w == '!') {
		neg = 1;
		w = ot_kw_trim(w + 1);
	}
	if (ot_tok_code(modbus_func_class_names, w, &code) == 0) {
		if (n > 1)
			return KW_ERR("subfunction needs a function code");
		c->op = MB_OP_CLASS;
		c->mask = (uint32_t)code;
		c->neg = (uint8_t)neg;
		return 1;
	}
	if (neg)
		return KW_ERR("'!' only applies to a function category");
	if (ot_kw_num_or_name(w, modbus_function_names, 255, &code) < 0 || code == 0)
		return KW_ERR("unknown function '%s'", w);
	c->op = MB_OP_FUNC;
	c->a = code;
	if (n == 2) {
		int64_t sf;
		char *s = parts[1];

		if (strncmp(s, "subfunction", 11) != 0 ||
		    ot_kw_uint(ot_kw_trim(s + 11), 65535, &sf) < 0)
			return KW_ERR("bad subfunction '%s'", s);
		c->b = (int32_t)sf;
	}
	return 1;
}

/* access read|write [table] [, address A] [, value V] */
static int mb_parse_access(char *arg, struct ot_rule_check *c, char *err, size_t errlen)
{
	char *parts[3], *w, *sp;
	int n, i, table = 0;

	n = ot_kw_split(arg, parts, 3);
	if (n < 1)
		return KW_ERR("expected 'access read|write [table]'");
	c->op = MB_OP_ACCESS;
	w = ot_kw_trim(parts[0] + strlen("access"));
	sp = w + strcspn(w, " \t");
	if (*sp) {
		*sp++ = 0;
		sp = ot_kw_trim(sp);
	}
	if (strcmp(w, "read") == 0)
		c->mask = MB_READ;
	else if (strcmp(w, "write") == 0)
		c->mask = MB_WRITE;
	else
		return KW_ERR("access must be read or write, not '%s'", w);
	if (*sp) {
		if (ot_tok_code(modbus_table_names, sp, &table) < 0)
			return KW_ERR("unknown table '%s'", sp);
		if (c->mask == MB_WRITE && (table == (1 << OT_SPACE_MB_DISCRETE) ||
					    table == (1 << OT_SPACE_MB_INPUT)))
			return KW_ERR("%s can only be read", sp);
	}
	c->b = table;
	for (i = 1; i < n; i++) {
		if (strncmp(parts[i], "address", 7) == 0 && i == 1) {
			if (ot_kw_range(ot_kw_trim(parts[i] + 7), 65535, &c->addr) < 0)
				return KW_ERR("bad address '%s'", ot_kw_trim(parts[i] + 7));
			c->has_addr = 1;
		} else if (strncmp(parts[i], "value", 5) == 0 && i == 2) {
			if (c->mask != MB_WRITE)
				return KW_ERR("value only applies to write access");
			if (c->addr.lo != c->addr.hi)
				return KW_ERR("value needs a single address");
			if (ot_kw_range(ot_kw_trim(parts[i] + 5), 65535, &c->value) < 0)
				return KW_ERR("bad value '%s'", ot_kw_trim(parts[i] + 5));
			c->has_value = 1;
		} else {
			return KW_ERR("unexpected '%s'", parts[i]);
		}
	}
	return 1;
}

static int mb_kw_parse(char *arg, struct ot_rule_check *out, int max,
		       char *err, size_t errlen)
{
	int n = 0, r;

	arg = ot_kw_trim(arg);
	if (ot_kw_word(arg, "unit") && arg[4]) {
		char *rest = strchr(arg, ',');

		if (rest)
			*rest++ = 0;
		out[0].op = MB_OP_UNIT;
		if (ot_kw_range(ot_kw_trim(arg + 4), 255, &out[0].r) < 0)
			return KW_ERR("bad unit '%s'", ot_kw_trim(arg + 4));
		n = 1;
		if (!rest)
			return n;
		arg = ot_kw_trim(rest);
	}
	if (n >= max)
		return KW_ERR("too many tests");
	if (strncmp(arg, "function", 8) == 0)
		r = mb_parse_function(arg, &out[n], err, errlen);
	else if (strncmp(arg, "access", 6) == 0)
		r = mb_parse_access(arg, &out[n], err, errlen);
	else
		return KW_ERR("expected function, access or unit, not '%s'", arg);
	return r < 0 ? -1 : n + r;
}

/* Read/write access and tables a request function touches. */
static void mb_func_access(int fc, unsigned *rw, unsigned *tables)
{
	*rw = 0;
	*tables = 0;
	switch (fc) {
	case 1: *rw = MB_READ; *tables = 1u << OT_SPACE_MB_COIL; break;
	case 2: *rw = MB_READ; *tables = 1u << OT_SPACE_MB_DISCRETE; break;
	case 3: *rw = MB_READ; *tables = 1u << OT_SPACE_MB_HOLDING; break;
	case 4: *rw = MB_READ; *tables = 1u << OT_SPACE_MB_INPUT; break;
	case 5: case 15: *rw = MB_WRITE; *tables = 1u << OT_SPACE_MB_COIL; break;
	case 6: case 16: case 22: *rw = MB_WRITE; *tables = 1u << OT_SPACE_MB_HOLDING; break;
	case 23: *rw = MB_READ | MB_WRITE; *tables = 1u << OT_SPACE_MB_HOLDING; break;
	case 20: case 24: *rw = MB_READ; break;
	case 21: *rw = MB_WRITE; break;
	default: break;
	}
}

static int mb_access_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	unsigned rw, tables, want_tables;
	int i, hit = 0;

	mb_func_access(ev->func, &rw, &tables);
	if (!(rw & c->mask) || (c->b && !(tables & (unsigned)c->b)))
		return 0;
	if (!c->has_addr)
		return 1;
	want_tables = c->b ? (unsigned)c->b : tables;
	for (i = 0; i < ev->n_ranges; i++) {
		const struct ot_range *r = &ev->ranges[i];
		int64_t lo = r->start, hi = (int64_t)r->start + (r->count ? r->count : 1) - 1;

		if (r->space >= 32 || !(want_tables & (1u << r->space)))
			continue;
		if (lo <= c->addr.hi && c->addr.lo <= hi) {
			hit = 1;
			break;
		}
	}
	if (!hit)
		return 0;
	if (!c->has_value)
		return 1;
	for (i = 0; i < ev->n_values; i++) {
		const struct ot_value *v = &ev->values[i];

		if (v->space < 32 && (want_tables & (1u << v->space)) &&
		    v->index == (uint32_t)c->addr.lo && v->value >= (double)c->value.lo &&
		    v->value <= (double)c->value.hi)
			return 1;
	}
	return 0;
}

static int mb_kw_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	switch (c->op) {
	case MB_OP_FUNC:
		return ev->func == c->a && (c->b < 0 || ev->subfunc == c->b);
	case MB_OP_CLASS:
		if (ev->func < 0)
			return 0;
		return ((modbus_func_class((unsigned)ev->func) & c->mask) != 0) != (c->neg != 0);
	case MB_OP_UNIT:
		return ev->unit >= 0 && ev->unit >= c->r.lo && ev->unit <= c->r.hi;
	case MB_OP_ACCESS:
		return mb_access_match(c, ev);
	default:
		return 0;
	}
}

static int mb_kw_funcs(const struct ot_rule_check *c, uint8_t funcs[32])
{
	unsigned f;

	switch (c->op) {
	case MB_OP_FUNC:
		return ot_kw_funcs_one(c->a, funcs);
	case MB_OP_CLASS:
		for (f = 0; f < 256; f++)
			if (((modbus_func_class(f) & c->mask) != 0) != (c->neg != 0))
				funcs[f >> 3] |= (uint8_t)(1u << (f & 7));
		return 1;
	default:
		return 0;
	}
}

static int umas_kw_parse(char *arg, struct ot_rule_check *c, int max,
			 char *err, size_t errlen)
{
	int code;

	(void)max;
	arg = ot_kw_trim(arg);
	if (ot_kw_num_or_name(arg, modbus_umas_names, 255, &code) < 0)
		return KW_ERR("unknown UMAS function '%s'", arg);
	c->a = code;
	return 1;
}

static int umas_kw_match(const struct ot_rule_check *c, const struct ot_event *ev)
{
	return ev->func == 90 && ev->subfunc == c->a;
}

static int umas_kw_funcs(const struct ot_rule_check *c, uint8_t funcs[32])
{
	(void)c;
	return ot_kw_funcs_one(90, funcs);
}

const struct ot_keyword modbus_keywords[] = {
	{ "modbus", NULL, OT_KW_REQUESTS, mb_kw_parse, mb_kw_match, mb_kw_funcs },
	{ "umas_func", "umas.func", OT_KW_REQUESTS, umas_kw_parse, umas_kw_match, umas_kw_funcs },
	{ NULL }
};

/* Suricata's app-layer event names for the modbus anomaly reasons. */
const struct ot_event_alias modbus_event_aliases[] = {
	{ "invalid_protocol_id", "not_modbus" },
	{ "unsolicited_response", "response_without_request" },
	{ "invalid_length", "length_mismatch" },
	{ "flooded", "too_many_pending" },
	{ NULL }
};
