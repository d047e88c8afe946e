/*
 * rules.h - the rules engine: Suricata/Snort-style rule files matched on
 * OT events (and, for ip/tcp/udp header rules, on the first packet of a
 * flow).  The language is documented in otsentry-rules(5).
 *
 *   alert modbus $HMI any -> $PLC 502 (msg:"Modbus write single coil";
 *       modbus: function 5; sid:1000001; rev:1; classtype:policy-violation;
 *       metadata: mitre_technique_id T0855;)
 *
 * Loading: rules_new() starts with the default variables (HOME_NET,
 * EXTERNAL_NET, ...); rules_set_var() sets a command-line variable, which
 * `var` lines in rule files cannot override; rules_load_path() reads a file,
 * or every *.rules file of a folder in name order.  Every line that does not
 * parse is recorded as "FILE:LINE: reason" (rules_error()) and skipped; the
 * caller decides whether that is fatal.
 *
 * Matching: rules_match_event() / rules_match_packet() return the rules that
 * fire, after `pass` rules and thresholds.  rules_attach() wires the whole
 * thing into the sensor and raises alerts through an alerter.
 *
 * Ownership: struct rules owns its rules, variables and threshold table;
 * rules_free(NULL) is a no-op.  Returned rule pointers live as long as the
 * rule set.
 */
#ifndef OTS_RULES_H
#define OTS_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <jansson.h>

#include "pkt.h"

struct flow;
struct ot_event;
struct sensor;
struct alerter;

struct rules;
struct rule;

/* What an alert needs to know about a rule. */
struct rule_info {
	uint32_t sid, rev, gid;
	const char *msg;
	const char *category;
	int severity;                   /* 1 high .. 4 */
	const json_t *metadata;         /* {"key": ["value", ...]} */
	const char *file;               /* where it was read */
	int line;
};

struct rules *rules_new(void);
void rules_free(struct rules *rs);

/* NAME=VALUE or (name, value) from the command line: wins over `var` lines.
 * 0, or -1 (recorded as an error) for a bad name. */
int rules_set_var(struct rules *rs, const char *name, const char *value);
int rules_set_var_arg(struct rules *rs, const char *name_eq_value);

/* A rule file, or every *.rules file in a folder.  Returns the number of
 * errors recorded while reading it (0: all loaded). */
int rules_load_path(struct rules *rs, const char *path);
/* Rules from a string; origin names it in error messages. */
int rules_load_string(struct rules *rs, const char *text, const char *origin);

size_t rules_count(const struct rules *rs);

/*
 * Rules that name a site variable (declared with `site_var`, e.g.
 * MODBUS_OPERATORS) the site has not set are not loaded: they wait, and
 * load as soon as --var or a later `var` line gives the variable a value.
 * rules_waiting() gives the i-th one's sid, the variable, and where it was
 * read (file and line may be NULL); -1 past the end.  The strings live as
 * long as the rule set.
 */
size_t rules_waiting_count(const struct rules *rs);
int rules_waiting(const struct rules *rs, size_t i, uint32_t *sid, const char **var,
		  const char **file, int *line);
/* "otsentry: 4 rules wait for $MODBUS_OPERATORS (...): 9300003 ..." lines. */
void rules_print_waiting(const struct rules *rs, FILE *f);
size_t rules_error_count(const struct rules *rs);
/* "rules/x.rules:12: unknown keyword 'foo'"; NULL past the end. */
const char *rules_error(const struct rules *rs, size_t i);

/* Rule by sid, or NULL. */
const struct rule *rules_find(const struct rules *rs, uint32_t sid);
void rules_get_info(const struct rule *r, struct rule_info *info);

/* The rules that fire on ev (at most max, written to out).  Thresholds are
 * applied (and their state updated) here; a matching `pass` rule silences
 * every alert rule for this event.  Returns how many fired. */
int rules_match_event(struct rules *rs, const struct ot_event *ev,
		      const struct rule **out, int max);
/* Header-only ip/tcp/udp rules, for the first packet of a flow. */
int rules_match_packet(struct rules *rs, const struct pkt_meta *p,
		       const struct rule **out, int max);

/* Counters: rules, matches, threshold table. */
void rules_stats(const struct rules *rs, json_t *obj);

/* Where the default rule set lives: the source tree's rules/ when this
 * binary runs from its build tree, else the installed set; NULL when
 * neither exists. */
const char *rules_default_path(void);

/* What rules_attach() loads (src/app/wiring.c fills it from the options).
 * The arrays and strings are borrowed: they must live as long as the
 * observer, whose reload reads them again. */
struct rules_config {
	const char *const *paths;   /* rule files or folders; none: the default set */
	int n_paths;
	const char *const *vars;    /* NAME=VALUE, set before loading */
	int n_vars;
	int warn_only;              /* a rule that does not parse only warns */
	int quiet;                  /* no notes on stderr (errors still) */
};

/*
 * Load the rules of cfg (the default set when it names no path) and attach
 * the rule observer, which raises alerts through al (borrowed) and loads
 * the same rules again on reload.  Load errors are printed on stderr as
 * "otsentry: FILE:LINE: reason".  Returns 0; -2 when a rule did not parse
 * and cfg->warn_only is not set (otsentry must not start); -1 on another
 * failure.
 */
int rules_attach(struct sensor *s, const struct rules_config *cfg, struct alerter *al);

#endif /* OTS_RULES_H */
