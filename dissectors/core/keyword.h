/*
 * keyword.h - protocol rule keywords: the rows each protocol hangs off its
 * descriptor (dissectors/<proto>/<proto>_rules.c), and the helpers their
 * parse functions share for keyword values.
 *
 * The rules engine (src/detect) owns the language: variables, header,
 * the option walk and the generic keywords (msg, sid, flow, threshold,
 * app-layer-event ...).  For any other option it looks the name up in the
 * rows of every registered dissector; the row's parse() compiles the value
 * into plain checks stored in the rule, and match() tests one check against
 * an event of that protocol.  A keyword binds its rule to its protocol.
 *
 * Ownership: rows and checks are plain data; a check holds no pointers to
 * free.  parse() writes into a value it may modify (trimmed, NUL-ended).
 */
#ifndef OTS_KEYWORD_H
#define OTS_KEYWORD_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* An inclusive numeric range, from "N", "<N", ">N" or "N<>M". */
struct ot_num_range {
	int64_t lo, hi;
};

/* One compiled test.  op, a, b, mask, str and the ranges mean what the
 * keyword's own parse() made them mean. */
struct ot_rule_check {
	const struct ot_keyword *kw;    /* set by the engine */
	uint8_t op;                     /* the keyword's sub-test */
	uint8_t neg;
	uint8_t has_addr, has_value;
	int32_t a, b;
	uint32_t mask;
	struct ot_num_range r, addr, value;
	char str[32];
};

/* Which messages a keyword looks at. */
enum ot_kw_scope {
	OT_KW_ALL = 0,          /* every message of the protocol */
	OT_KW_REQUESTS,         /* requests only, always (Suricata's modbus) */
	OT_KW_REQUESTS_UNLESS,  /* requests, unless the rule names a direction
				 * itself (flow:, or an OT_KW_DIRECTION keyword) */
	OT_KW_DIRECTION         /* the keyword itself selects the direction */
};

#define OT_KW_ERR_LEN 160

struct ot_keyword {
	const char *name;       /* as rules write it: "modbus", "dnp3_func" */
	const char *alias;      /* a second spelling ("dnp3.func") or NULL */
	enum ot_kw_scope scope;
	/*
	 * Compile the value (trimmed, writable) into at most max checks at out
	 * (zeroed, b = -1).  Returns how many, or -1 with a message in err
	 * (without the keyword name: the engine adds file, line and name).
	 */
	int (*parse)(char *value, struct ot_rule_check *out, int max,
		     char *err, size_t errlen);
	/* 1 when ev (a message or anomaly of the keyword's protocol) passes. */
	int (*match)(const struct ot_rule_check *c, const struct ot_event *ev);
	/*
	 * Optional, for the rules engine's index: set in funcs (256 bits, bit
	 * f of byte f / 8, zeroed by the caller) every ev->func value 0..255
	 * on which match() can pass, and return 1; or return 0 when it cannot
	 * tell (the check then narrows nothing).  It must never leave out a
	 * value match() passes on: a rule is not tried on an event whose
	 * function is outside the set.  Events whose func is not in 0..255
	 * are tried against every rule.
	 */
	int (*funcs)(const struct ot_rule_check *c, uint8_t funcs[32]);
};

/* funcs() helper: the set holds exactly code (0..255); 0 when code is out
 * of that range (nothing can be told). */
int ot_kw_funcs_one(int64_t code, uint8_t funcs[32]);

/*
 * A names table as the documentation, the rules and the tests see it:
 * what the codes are, the table, and the keyword that takes these names
 * ("modbus", with fmt "function %s") or NULL when no keyword does.
 */
struct ot_names {
	const char *what;               /* "function", "indicator" ... */
	const struct ot_tok *tok;       /* first spelling of a code: the log's */
	const char *keyword;
	const char *fmt;                /* keyword value around the name */
};

/* An anomaly reason under another engine's app-layer event name. */
struct ot_event_alias {
	const char *name;       /* Suricata's: "invalid_length" */
	const char *reason;     /* ours: "length_mismatch" */
};

/* ---- helpers for parse() ---- */

char *ot_kw_trim(char *s);
/* Strict unsigned number, decimal or 0x hex, at most max: 0 or -1. */
int ot_kw_uint(const char *s, int64_t max, int64_t *out);
/* "N", "<N", ">N", "N<>M" (exclusive bounds) -> inclusive range: 0 or -1. */
int ot_kw_range(const char *s, int64_t max, struct ot_num_range *r);
/* A number up to max (max < 0: names only) or a name of t (any spelling,
 * case-insensitive): 0 or -1. */
int ot_kw_num_or_name(const char *s, const struct ot_tok *t, int64_t max, int *out);
/* Split "a, b, c" at top-level commas into at most max trimmed parts;
 * the count, or -1 when there are more. */
int ot_kw_split(char *s, char **parts, int max);
/* 1 when s starts with word followed by a blank or the end. */
int ot_kw_word(const char *s, const char *word);
/* 1 when an address range of the event (space < 0, block < 0, variation
 * < 0: any) is there. */
int ot_event_has_range(const struct ot_event *ev, int space, int block, int variation);

#endif /* OTS_KEYWORD_H */
