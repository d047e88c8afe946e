/*
 * check_rules.c - the rule parser (every keyword, every error message),
 * variables, address and port expressions, the matcher on OT events and
 * first packets, pass rules and thresholds.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules.h"
#include "flow.h"
#include "dissector.h"
#include "event.h"
#include "dnp3.h"
#include "modbus.h"
#include "s7comm.h"
#include "options.h"
#include "rules_int.h"

static struct flow test_flow;

static void set_flow(const char *cli, uint16_t cport, const char *srv, uint16_t sport)
{
	static uint64_t next_id = 42;

	memset(&test_flow, 0, sizeof(test_flow));
	test_flow.id = next_id++;       /* a flow id is never reused */
	test_flow.l4 = 6;
	ck_assert_int_eq(ot_ip_parse(cli, &test_flow.cli_ip), 0);
	ck_assert_int_eq(ot_ip_parse(srv, &test_flow.srv_ip), 0);
	test_flow.cli_port = cport;
	test_flow.srv_port = sport;
}

static void ev_init(struct ot_event *ev, enum ot_proto p, enum ot_dir dir, int func)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = OT_EV_MESSAGE;
	ev->proto = p;
	ev->dir = dir;
	ev->from_client = dir == OT_DIR_REQUEST;
	ev->flow = &test_flow;
	ev->unit = ev->link_src = ev->link_dst = ev->rack = ev->slot = -1;
	ev->func = func;
	ev->group = ev->subfunc = -1;
	ev->txn = -1;
	ev->status = -1;
	ev->rtt = -1;
	ev->iin = ev->szl_id = ev->szl_index = -1;
	/* S7: a request is a job, a response an ack_data */
	ev->rosctr = p != OT_PROTO_S7COMM ? -1 : dir == OT_DIR_REQUEST ? 1 : 3;
	ev->ts.tv_sec = 1000;
}

/* One rule text -> a rule set that must load cleanly. */
static struct rules *load_ok(const char *text)
{
	struct rules *rs = rules_new();
	int errs;

	ck_assert_ptr_nonnull(rs);
	errs = rules_load_string(rs, text, "t.rules");
	ck_assert_msg(errs == 0, "unexpected error: %s", rules_error(rs, 0));
	return rs;
}

/* Number of rules firing on ev. */
static int fires(struct rules *rs, const struct ot_event *ev)
{
	const struct rule *out[8];

	return rules_match_event(rs, ev, out, 8);
}

static int rule_fires_on(const char *rule, const struct ot_event *ev)
{
	struct rules *rs = load_ok(rule);
	int n = fires(rs, ev);

	rules_free(rs);
	return n;
}

/* ---- parser: errors ------------------------------------------------------ */

static const struct {
	const char *rule;
	const char *message;
} bad_rules[] = {
	{ "alrt modbus any any -> any any (sid:1;)", "t.rules:1: unknown action 'alrt'" },
	{ "alert modbuz any any -> any any (sid:1;)", "t.rules:1: unknown protocol 'modbuz'" },
	{ "alert modbus any any -> any any sid:1;", "t.rules:1: rule options must be in parentheses" },
	{ "alert modbus any any -> any any (sid:1;) x", "t.rules:1: text after the closing parenthesis" },
	{ "alert modbus any any -> any (sid:1;)", "t.rules:1: incomplete header: expected 'proto src sport -> dst dport'" },
	{ "alert modbus any any -> any any any (sid:1;)", "t.rules:1: unexpected text in the header before '('" },
	{ "alert modbus any any => any any (sid:1;)", "t.rules:1: bad direction '=>' (-> or <>)" },
	{ "alert modbus 10.0.0.300 any -> any any (sid:1;)", "t.rules:1: bad address '10.0.0.300'" },
	{ "alert modbus 10.0.0.0/33 any -> any any (sid:1;)", "t.rules:1: bad prefix length in '10.0.0.0/33'" },
	{ "alert modbus $NOPE any -> any any (sid:1;)", "t.rules:1: undefined variable '$NOPE'" },
	{ "alert modbus [10.0.0.1 any -> any any (sid:1;)", "t.rules:1: unbalanced brackets in the header" },
	{ "alert modbus any 70000 -> any any (sid:1;)", "t.rules:1: bad port '70000'" },
	{ "alert modbus any 600:500 -> any any (sid:1;)", "t.rules:1: bad port '600:500'" },
	{ "alert modbus any [] -> any any (sid:1;)", "t.rules:1: empty port" },
	{ "alert modbus any any -> any any (msg:\"x\";)", "t.rules:1: rule has no sid" },
	{ "alert modbus any any -> any any (sid:0;)", "t.rules:1: sid must not be 0" },
	{ "alert modbus any any -> any any (sid:x;)", "t.rules:1: sid: 'x' is not a number up to 4294967295" },
	{ "alert modbus any any -> any any (sid:1; rev:-1;)", "t.rules:1: rev: '-1' is not a number up to 4294967295" },
	{ "alert modbus any any -> any any (sid:1; gid:a;)", "t.rules:1: gid: 'a' is not a number up to 4294967295" },
	{ "alert modbus any any -> any any (sid:1; priority:0;)", "t.rules:1: priority must be 1 or more" },
	{ "alert modbus any any -> any any (sid:1; severity:300;)", "t.rules:1: severity: '300' is not a number up to 255" },
	{ "alert modbus any any -> any any (sid:1; msg:x;)", "t.rules:1: msg: value must be in double quotes" },
	{ "alert modbus any any -> any any (sid:1; msg;)", "t.rules:1: msg needs a value" },
	{ "alert modbus any any -> any any (sid:1; msg:\"a\"; msg:\"b\";)", "t.rules:1: msg given twice" },
	{ "alert modbus any any -> any any (sid:1; msg:\"a;)", "t.rules:1: unterminated quote" },
	{ "alert modbus any any -> any any (sid:1; rev:1)", "t.rules:1: option 'rev:1' not terminated by ';'" },
	{ "alert modbus any any -> any any (sid:1; ;)", "t.rules:1: empty option" },
	{ "alert modbus any any -> any any (sid:1; foo:1;)", "t.rules:1: unknown keyword 'foo'" },
	{ "alert modbus any any -> any any (sid:1; classtype:nope;)", "t.rules:1: unknown classtype 'nope'" },
	{ "alert modbus any any -> any any (sid:1; classtype:misc-activity; category:\"x\";)", "t.rules:1: classtype/category given twice" },
	{ "alert modbus any any -> any any (sid:1; metadata: lonely;)", "t.rules:1: metadata: expected 'key value', not 'lonely'" },
	{ "alert modbus any any -> any any (sid:1; threshold: type limit, track by_src, count 1;)", "t.rules:1: threshold: expected type, track, count and seconds" },
	{ "alert modbus any any -> any any (sid:1; threshold: type sometimes, track by_src, count 1, seconds 5;)", "t.rules:1: threshold: unknown type 'sometimes'" },
	{ "alert modbus any any -> any any (sid:1; threshold: type limit, track by_port, count 1, seconds 5;)", "t.rules:1: threshold: unknown track 'by_port'" },
	{ "alert modbus any any -> any any (sid:1; threshold: type limit, track by_src, count 0, seconds 5;)", "t.rules:1: threshold: bad count '0'" },
	{ "alert modbus any any -> any any (sid:1; threshold: type limit, track by_src, count 1, seconds x;)", "t.rules:1: threshold: bad seconds 'x'" },
	{ "alert modbus any any -> any any (sid:1; threshold: type limit, track by_src, count 1, minutes 5;)", "t.rules:1: threshold: unknown setting 'minutes'" },
	{ "alert modbus any any -> any any (sid:1; threshold: type limit, type limit, count 1, seconds 5;)", "t.rules:1: threshold: expected type, track, count and seconds" },
	{ "alert modbus any any -> any any (sid:1; flow: sideways;)", "t.rules:1: flow: unknown option 'sideways'" },
	{ "alert modbus any any -> any any (sid:1; modbus: function 0;)", "t.rules:1: modbus: unknown function '0'" },
	{ "alert modbus any any -> any any (sid:1; modbus: function write_everything;)", "t.rules:1: modbus: unknown function 'write_everything'" },
	{ "alert modbus any any -> any any (sid:1; modbus: function 8, subfunction x;)", "t.rules:1: modbus: bad subfunction 'subfunction x'" },
	{ "alert modbus any any -> any any (sid:1; modbus: function public, subfunction 1;)", "t.rules:1: modbus: subfunction needs a function code" },
	{ "alert modbus any any -> any any (sid:1; modbus: function !5;)", "t.rules:1: modbus: '!' only applies to a function category" },
	{ "alert modbus any any -> any any (sid:1; modbus: function 8, subfunction 1, x;)", "t.rules:1: modbus: expected 'function N[, subfunction M]'" },
	{ "alert modbus any any -> any any (sid:1; modbus: access modify;)", "t.rules:1: modbus: access must be read or write, not 'modify'" },
	{ "alert modbus any any -> any any (sid:1; modbus: access read tables;)", "t.rules:1: modbus: unknown table 'tables'" },
	{ "alert modbus any any -> any any (sid:1; modbus: access write input;)", "t.rules:1: modbus: input can only be read" },
	{ "alert modbus any any -> any any (sid:1; modbus: access write discretes;)", "t.rules:1: modbus: discretes can only be read" },
	{ "alert modbus any any -> any any (sid:1; modbus: access read coils, address x;)", "t.rules:1: modbus: bad address 'x'" },
	{ "alert modbus any any -> any any (sid:1; modbus: access read coils, address 5, value 1;)", "t.rules:1: modbus: value only applies to write access" },
	{ "alert modbus any any -> any any (sid:1; modbus: access write coils, address 5<>9, value 1;)", "t.rules:1: modbus: value needs a single address" },
	{ "alert modbus any any -> any any (sid:1; modbus: access write coils, address 5, value 1<>1;)", "t.rules:1: modbus: bad value '1<>1'" },
	{ "alert modbus any any -> any any (sid:1; modbus: access write coils, value 1;)", "t.rules:1: modbus: unexpected 'value 1'" },
	{ "alert modbus any any -> any any (sid:1; modbus: unit 256;)", "t.rules:1: modbus: bad unit '256'" },
	{ "alert modbus any any -> any any (sid:1; umas_func: reboot_plc;)", "t.rules:1: umas_func: unknown UMAS function 'reboot_plc'" },
	{ "alert modbus any any -> any any (sid:1; umas_func: 256;)", "t.rules:1: umas_func: unknown UMAS function '256'" },
	{ "alert modbus any any -> any any (sid:1; modbus: register 5;)", "t.rules:1: modbus: expected function, access or unit, not 'register 5'" },
	{ "alert dnp3 any any -> any any (sid:1; modbus: function 5;)", "t.rules:1: keyword 'modbus' does not apply to this rule's protocol" },
	{ "alert tcp any any -> any any (sid:1; modbus: function 5; dnp3_func: 13;)", "t.rules:1: keyword 'dnp3_func' mixes protocols" },
	{ "alert dnp3 any any -> any any (sid:1; dnp3_func: reboot;)", "t.rules:1: dnp3_func: unknown function 'reboot'" },
	{ "alert dnp3 any any -> any any (sid:1; dnp3_ind: device_restart, alarm;)", "t.rules:1: dnp3_ind: unknown indicator 'alarm'" },
	{ "alert dnp3 any any -> any any (sid:1; dnp3_obj: 12;)", "t.rules:1: dnp3_obj: expected 'group,variation'" },
	{ "alert dnp3 any any -> any any (sid:1; dnp3_obj: 12,**;)", "t.rules:1: dnp3_obj: expected 'group,variation'" },
	{ "alert s7comm any any -> any any (sid:1; s7comm_rosctr: boss;)", "t.rules:1: s7comm_rosctr: unknown value 'boss'" },
	{ "alert s7comm any any -> any any (sid:1; s7comm_func: explode;)", "t.rules:1: s7comm_func: unknown value 'explode'" },
	{ "alert s7comm any any -> any any (sid:1; s7comm_area: 3;)", "t.rules:1: s7comm_area: unknown value '3'" },
	{ "alert s7comm any any -> any any (sid:1; s7comm_db: 70000;)", "t.rules:1: s7comm_db: unknown value '70000'" },
	{ "alert s7comm any any -> any any (sid:1; s7comm_szl: zz;)", "t.rules:1: s7comm_szl: unknown value 'zz'" },
	{ "alert s7comm any any -> any any (sid:1; s7comm_userdata: grp 4;)", "t.rules:1: s7comm_userdata: expected 'group N[, subfunction M]'" },
	{ "alert s7comm any any -> any any (sid:1; s7comm_userdata: group 4, subfunction x;)", "t.rules:1: s7comm_userdata: bad subfunction 'subfunction x'" },
	{ "alert s7comm any any -> any any (sid:1; s7comm_pi: P-PROG;)", "t.rules:1: s7comm_pi: bad service name 'P-PROG'" },
	{ "alert tcp any any -> any any (sid:1; app-layer-event: modbus;)", "t.rules:1: app-layer-event: expected PROTOCOL.EVENT, not 'modbus'" },
	{ "alert tcp any any -> any any (sid:1; app-layer-event: http.bad;)", "t.rules:1: app-layer-event: unknown protocol 'http'" },
	{ "alert tcp any any -> any any (sid:1; app-layer-event: modbus.Bad-Name;)", "t.rules:1: app-layer-event: bad event name 'Bad-Name'" },
	{ "alert dnp3 any any -> any any (sid:1; app-layer-event: modbus.flooded;)", "t.rules:1: keyword 'app-layer-event' does not apply to this rule's protocol" },
	{ "alert tcp any any -> any any (sid:1; stream-event: overlap;)", "t.rules:1: stream-event: unknown event 'overlap'" },
	{ "alert udp any any -> any any (sid:1; stream-event: est_invalid_ack;)", "t.rules:1: stream-event: applies to tcp rules" },
	{ "alert tcp any any -> any any (sid:1; app-layer-protocol: ftp;)", "t.rules:1: app-layer-protocol: unknown protocol 'ftp'" },
	{ "var 1BAD any", "t.rules:1: var: bad variable name '1BAD'" },
	{ "var ONLYNAME", "t.rules:1: var: expected 'var NAME VALUE'" },
	{ "site_var", "t.rules:1: site_var: expected 'site_var NAME'" },
	{ "site_var A B", "t.rules:1: site_var: expected 'site_var NAME'" },
	{ "site_var 9A", "t.rules:1: site_var: bad variable name '9A'" },
	/* a rule waiting for a site variable is still checked whole */
	{ "alert modbus !$MODBUS_OPERATORS any -> any any (sid:1; foo:1;)", "t.rules:1: unknown keyword 'foo'" },
	{ "alert modbus any any -> any any (sid:1; metadata: a b, c;)", "t.rules:1: metadata: expected 'key value', not 'c'" },
};

START_TEST(parse_error_messages)
{
	struct rules *rs = rules_new();
	int errs;

	errs = rules_load_string(rs, bad_rules[_i].rule, "t.rules");
	ck_assert_msg(errs == 1, "%s: %d errors", bad_rules[_i].rule, errs);
	ck_assert_str_eq(rules_error(rs, 0), bad_rules[_i].message);
	ck_assert_uint_eq(rules_count(rs), 0);
	rules_free(rs);
}
END_TEST

START_TEST(parse_duplicate_sid_and_lines)
{
	struct rules *rs = rules_new();
	const char *text =
		"# comment\n"
		"\n"
		"alert modbus any any -> any any (msg:\"one\"; sid:7;)\n"
		"alert modbus any any -> any any \\\n"
		"   (msg:\"two\"; sid:7;)\n"
		"alert modbus any any -> any any (msg:\"ok\"; sid:8;)\n"
		"junk\n";

	ck_assert_int_eq(rules_load_string(rs, text, "f.rules"), 2);
	ck_assert_str_eq(rules_error(rs, 0), "f.rules:4: duplicate sid 7 (first at f.rules:3)");
	ck_assert_str_eq(rules_error(rs, 1), "f.rules:7: unknown action 'junk'");
	ck_assert_uint_eq(rules_count(rs), 2);
	ck_assert_ptr_null(rules_error(rs, 2));
	rules_free(rs);
}
END_TEST

START_TEST(parse_every_option)
{
	struct rules *rs = load_ok(
		"alert modbus $HOME_NET any -> any 502 (msg:\"Write \\\"quoted\\\"\\; ok\"; "
		"sid:1000001; rev:3; gid:1; classtype:attempted-admin; "
		"metadata: mitre_technique_id T0855, mitre_technique_name Unauthorized_Command_Message, "
		"mitre_technique_id T0836; reference:url,example.org; flow:established,to_server; "
		"threshold: type limit, track by_src, count 1, seconds 60; modbus: function 5;)\n"
		"alert dnp3 any any -> any any (msg:\"d\"; sid:2; category:\"Custom thing\"; severity:2;)\n");
	const struct rule *r = rules_find(rs, 1000001);
	struct rule_info ri;
	const json_t *ids;

	ck_assert_ptr_nonnull(r);
	rules_get_info(r, &ri);
	ck_assert_str_eq(ri.msg, "Write \"quoted\"; ok");
	ck_assert_uint_eq(ri.rev, 3);
	ck_assert_str_eq(ri.category, "Attempted Administrator Privilege Gain");
	ck_assert_int_eq(ri.severity, 1);
	ids = json_object_get(ri.metadata, "mitre_technique_id");
	ck_assert_uint_eq(json_array_size(ids), 2);
	ck_assert_str_eq(json_string_value(json_array_get(ids, 1)), "T0836");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(ri.metadata, "mitre_technique_name"), 0)),
			 "Unauthorized_Command_Message");
	ck_assert_str_eq(ri.file, "t.rules");
	ck_assert_int_eq(ri.line, 1);
	rules_get_info(rules_find(rs, 2), &ri);
	ck_assert_str_eq(ri.category, "Custom thing");
	ck_assert_int_eq(ri.severity, 2);
	ck_assert_ptr_null(rules_find(rs, 3));
	rules_free(rs);
}
END_TEST

/* Error paths that need long or generated input. */
START_TEST(parse_limits)
{
	struct rules *rs = rules_new();
	char *big = malloc(70000), name[32];
	size_t n = 0;
	int i;

	/* 65 list items */
	n = (size_t)sprintf(big, "alert modbus [");
	for (i = 0; i < 65; i++)
		n += (size_t)sprintf(big + n, "%s10.0.0.%d", i ? "," : "", i);
	sprintf(big + n, "] any -> any any (sid:1;)");
	ck_assert_int_eq(rules_load_string(rs, big, "l.rules"), 1);
	ck_assert_str_eq(rules_error(rs, 0), "l.rules:1: more than 64 items in a list");
	rules_free(rs);

	/* 17 protocol keywords */
	rs = rules_new();
	n = (size_t)sprintf(big, "alert dnp3 any any -> any any (sid:1;");
	for (i = 0; i < 17; i++)
		n += (size_t)sprintf(big + n, " dnp3_func: %d;", i);
	sprintf(big + n, ")");
	ck_assert_int_eq(rules_load_string(rs, big, "k.rules"), 1);
	ck_assert_str_eq(rules_error(rs, 0), "k.rules:1: more than 16 protocol keywords");
	rules_free(rs);

	/* 33 metadata entries */
	rs = rules_new();
	n = (size_t)sprintf(big, "alert dnp3 any any -> any any (sid:1; metadata:");
	for (i = 0; i < 33; i++)
		n += (size_t)sprintf(big + n, "%s k%d v", i ? "," : "", i);
	sprintf(big + n, ";)");
	ck_assert_int_eq(rules_load_string(rs, big, "m.rules"), 1);
	ck_assert_str_eq(rules_error(rs, 0), "m.rules:1: metadata: at most 32 entries");
	rules_free(rs);

	/* a rule longer than 64 KiB, continued over lines */
	rs = rules_new();
	memset(big, 'a', 69990);
	for (i = 1000; i < 69990; i += 1000)
		big[i] = '\n', big[i - 1] = '\\';
	big[69990] = 0;
	ck_assert_int_eq(rules_load_string(rs, big, "b.rules"), 1);
	ck_assert_str_eq(rules_error(rs, 0), "b.rules:1: rule longer than 65536 bytes");
	rules_free(rs);

	/* a 32-byte PI name */
	rs = rules_new();
	ck_assert_int_eq(rules_load_string(rs,
		"alert s7comm any any -> any any (sid:1; s7comm_pi: ABCDEFGHIJKLMNOPQRSTUVWXYZ012345;)", "p.rules"), 1);
	ck_assert_str_eq(rules_error(rs, 0), "p.rules:1: s7comm_pi: bad service name 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'");
	rules_free(rs);

	/* the variable table is bounded */
	rs = rules_new();
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "V%d", i);
		if (rules_set_var(rs, name, "any") < 0)
			break;
	}
	ck_assert_int_lt(i, 300);
	ck_assert_str_eq(rules_error(rs, 0), "--var: too many variables");
	ck_assert_int_eq(rules_load_string(rs, "var MORE any", "v.rules"), 1);
	ck_assert_str_eq(rules_error(rs, 1), "v.rules:1: var: too many variables");
	rules_free(rs);
	free(big);
}
END_TEST

START_TEST(parse_binary_file_refused)
{
	char path[] = "/tmp/check_rules_bin_XXXXXX";
	int fd = mkstemp(path);
	struct rules *rs = rules_new();
	char msg[128];

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "alert\0modbus", 12), 12);
	close(fd);
	ck_assert_int_eq(rules_load_path(rs, path), 1);
	snprintf(msg, sizeof(msg), "%s: not a text file (NUL byte)", path);
	ck_assert_str_eq(rules_error(rs, 0), msg);
	unlink(path);
	rules_free(rs);
}
END_TEST

/* ---- variables, addresses, ports -------------------------------------- */

START_TEST(vars_command_line_wins)
{
	struct rules *rs = rules_new();
	struct ot_event ev;

	ck_assert_int_eq(rules_set_var_arg(rs, "PLC=10.1.1.1"), 0);
	ck_assert_int_eq(rules_load_string(rs,
		"var PLC 10.9.9.9\n"
		"var HMI [10.0.0.5,10.0.0.6]\n"
		"alert modbus $HMI any -> $PLC 502 (sid:1; modbus: function 5;)\n", "v.rules"), 0);
	set_flow("10.0.0.6", 40000, "10.1.1.1", 502);
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 5);
	ck_assert_int_eq(fires(rs, &ev), 1);
	set_flow("10.0.0.6", 40000, "10.9.9.9", 502);   /* file's PLC value lost */
	ck_assert_int_eq(fires(rs, &ev), 0);
	set_flow("10.0.0.7", 40000, "10.1.1.1", 502);   /* not an HMI */
	ck_assert_int_eq(fires(rs, &ev), 0);
	ck_assert_int_eq(rules_set_var_arg(rs, "=x"), -1);
	ck_assert_int_eq(rules_set_var(rs, "bad-name", "x"), -1);
	ck_assert_str_eq(rules_error(rs, 0), "--var: '=x' is not NAME=VALUE");
	ck_assert_str_eq(rules_error(rs, 1), "--var: bad variable name 'bad-name'");
	rules_free(rs);
}
END_TEST

/* The sid and variable of waiting rule i. */
static void assert_waiting(const struct rules *rs, size_t i, uint32_t sid, const char *var)
{
	uint32_t s = 0;
	const char *v = NULL, *file = NULL;
	int line = 0;

	ck_assert_int_eq(rules_waiting(rs, i, &s, &v, &file, &line), 0);
	ck_assert_uint_eq(s, sid);
	ck_assert_str_eq(v, var);
	ck_assert_ptr_nonnull(file);
	ck_assert_int_gt(line, 0);
}

/* A rule that names an unset site variable waits, unloaded, until the
 * variable is set: by --var, or by a var line read later. */
START_TEST(vars_site_rules_wait)
{
	struct rules *rs = rules_new();
	struct ot_event ev;
	const char *text =
		"site_var OPS\n"
		"alert modbus !$OPS any -> any any (sid:7; modbus: function 5;)\n"
		"alert modbus any any -> any any (sid:8; modbus: function 6;)\n";
	json_t *st, *w;
	uint32_t sid;
	const char *var;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	ck_assert_int_eq(rules_load_string(rs, text, "w.rules"), 0);
	ck_assert_uint_eq(rules_count(rs), 1);
	ck_assert_uint_eq(rules_waiting_count(rs), 1);
	assert_waiting(rs, 0, 7, "OPS");
	ck_assert_int_eq(rules_waiting(rs, 1, &sid, &var, NULL, NULL), -1);
	ck_assert_ptr_null(rules_find(rs, 7));
	set_flow("10.0.0.6", 40000, "10.1.1.1", 502);
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 5);
	ck_assert_int_eq(fires(rs, &ev), 0);
	/* listed in the stats and the start-up summary */
	st = json_object();
	rules_stats(rs, st);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "rules"), "waiting")), 1);
	w = json_array_get(json_object_get(json_object_get(st, "rules"), "waiting_for_vars"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(w, "sid")), 7);
	ck_assert_str_eq(json_string_value(json_object_get(w, "var")), "OPS");
	json_decref(st);
	f = open_memstream(&out, &outlen);
	ck_assert_ptr_nonnull(f);
	rules_print_waiting(rs, f);
	fclose(f);
	ck_assert_str_eq(out, "otsentry: 1 rule waits for $OPS (set it with --var OPS=... or a var line): 7\n");
	free(out);
	/* set: it loads and watches */
	ck_assert_int_eq(rules_set_var(rs, "OPS", "10.0.0.5"), 0);
	ck_assert_uint_eq(rules_waiting_count(rs), 0);
	ck_assert_uint_eq(rules_count(rs), 2);
	ck_assert_ptr_nonnull(rules_find(rs, 7));
	ck_assert_int_eq(fires(rs, &ev), 1);
	set_flow("10.0.0.5", 40000, "10.1.1.1", 502);
	ck_assert_int_eq(fires(rs, &ev), 0);
	st = json_object();
	rules_stats(rs, st);
	ck_assert_ptr_null(json_object_get(json_object_get(st, "rules"), "waiting_for_vars"));
	json_decref(st);
	rules_free(rs);

	/* set on the command line first: loads at once, the declaration
	 * does not unset it */
	rs = rules_new();
	ck_assert_int_eq(rules_set_var_arg(rs, "OPS=10.0.0.5"), 0);
	ck_assert_int_eq(rules_load_string(rs, text, "w.rules"), 0);
	ck_assert_uint_eq(rules_count(rs), 2);
	ck_assert_uint_eq(rules_waiting_count(rs), 0);
	rules_free(rs);

	/* a var line in a file read later */
	rs = rules_new();
	ck_assert_int_eq(rules_load_string(rs, text, "w.rules"), 0);
	ck_assert_uint_eq(rules_waiting_count(rs), 1);
	ck_assert_int_eq(rules_load_string(rs, "var OPS [10.0.0.5,10.0.0.6]\n", "site.rules"), 0);
	ck_assert_uint_eq(rules_count(rs), 2);
	ck_assert_uint_eq(rules_waiting_count(rs), 0);
	rules_free(rs);
}
END_TEST

/* Two unset site variables: the rule waits for one, then the other. */
START_TEST(vars_site_two_and_duplicates)
{
	struct rules *rs = rules_new();

	ck_assert_int_eq(rules_load_string(rs,
		"site_var A\nsite_var B\n"
		"alert modbus $A any -> $B any (sid:1;)\n", "t.rules"), 0);
	assert_waiting(rs, 0, 1, "A");
	ck_assert_int_eq(rules_set_var(rs, "A", "10.0.0.1"), 0);
	ck_assert_uint_eq(rules_count(rs), 0);
	assert_waiting(rs, 0, 1, "B");
	ck_assert_int_eq(rules_set_var(rs, "B", "10.0.0.2"), 0);
	ck_assert_uint_eq(rules_count(rs), 1);
	ck_assert_uint_eq(rules_waiting_count(rs), 0);
	/* a sid taken by a waiting rule, and a waiting rule whose sid is taken */
	ck_assert_int_eq(rules_load_string(rs,
		"site_var C\n"
		"alert modbus $C any -> any any (sid:2;)\n"
		"alert modbus any any -> any any (sid:2;)\n"
		"alert modbus $C any -> any any (sid:1;)\n", "d.rules"), 2);
	ck_assert_str_eq(rules_error(rs, 0), "d.rules:3: duplicate sid 2 (first at d.rules:2)");
	ck_assert_str_eq(rules_error(rs, 1), "d.rules:4: duplicate sid 1 (first at t.rules:3)");
	ck_assert_uint_eq(rules_waiting_count(rs), 1);
	rules_free(rs);
}
END_TEST

START_TEST(vars_loop_is_an_error)
{
	struct rules *rs = rules_new();

	ck_assert_int_eq(rules_load_string(rs,
		"var A $B\nvar B $A\nalert modbus $A any -> any any (sid:1;)\n", "l.rules"), 1);
	ck_assert_str_eq(rules_error(rs, 0), "l.rules:3: addresses nested too deep (variable loop?)");
	rules_free(rs);
}
END_TEST

START_TEST(addresses_lists_negation_cidr_v6)
{
	struct ot_event ev;
	const char *r_home = "alert modbus $HOME_NET any -> any any (sid:1;)";
	const char *r_ext = "alert modbus $EXTERNAL_NET any -> any any (sid:1;)";
	const char *r_list = "alert modbus [10.0.0.0/8,!10.1.0.0/16] any -> any any (sid:1;)";
	const char *r_neg = "alert modbus ![10.0.0.1,10.0.0.2] any -> any any (sid:1;)";
	const char *r_v6 = "alert modbus 2001:db8::/32 any -> any any (sid:1;)";
	const char *r_bi = "alert modbus 8.8.8.8 any <> 10.0.0.0/8 any (sid:1;)";

	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 3);
	set_flow("192.168.1.5", 40000, "192.168.1.6", 502);
	ck_assert_int_eq(rule_fires_on(r_home, &ev), 1);
	ck_assert_int_eq(rule_fires_on(r_ext, &ev), 0);
	set_flow("8.8.8.8", 40000, "10.0.0.1", 502);
	ck_assert_int_eq(rule_fires_on(r_home, &ev), 0);
	ck_assert_int_eq(rule_fires_on(r_ext, &ev), 1);
	ck_assert_int_eq(rule_fires_on(r_bi, &ev), 1);
	ev.dir = OT_DIR_RESPONSE;       /* sent by 10.0.0.1: <> still matches */
	ev.from_client = 0;
	ck_assert_int_eq(rule_fires_on(r_bi, &ev), 1);
	ev.dir = OT_DIR_REQUEST;
	ev.from_client = 1;
	set_flow("10.2.3.4", 40000, "10.0.0.1", 502);
	ck_assert_int_eq(rule_fires_on(r_list, &ev), 1);
	ck_assert_int_eq(rule_fires_on(r_neg, &ev), 1);
	set_flow("10.1.3.4", 40000, "10.0.0.1", 502);
	ck_assert_int_eq(rule_fires_on(r_list, &ev), 0);
	set_flow("10.0.0.2", 40000, "10.0.0.1", 502);
	ck_assert_int_eq(rule_fires_on(r_neg, &ev), 0);
	set_flow("2001:db8::5", 40000, "fe80::1", 502);
	ck_assert_int_eq(rule_fires_on(r_v6, &ev), 1);
	ck_assert_int_eq(rule_fires_on(r_home, &ev), 0);
	set_flow("2001:db9::5", 40000, "fe80::1", 502);
	ck_assert_int_eq(rule_fires_on(r_v6, &ev), 0);
}
END_TEST

START_TEST(ports_ranges_lists_negation)
{
	struct ot_event ev;

	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 3);
	set_flow("10.0.0.1", 40000, "10.0.0.2", 502);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any 502 (sid:1;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any 503 (sid:1;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any 1024: -> any :1023 (sid:1;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any 30000:39999 -> any any (sid:1;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any [80,502,8080] (sid:1;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any !502 (sid:1;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any [1:1000,!502] (sid:1;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any $MODBUS_PORTS (sid:1;)", &ev), 1);
	/* the response travels 502 -> 40000: a -> rule to port 502 is quiet */
	ev.dir = OT_DIR_RESPONSE;
	ev.from_client = 0;
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any 502 (sid:1;)", &ev), 0);
}
END_TEST

/* ---- compiled headers: the map against the walk of the tree ------------- */

static uint32_t map_rng = 12345;

static uint32_t rnd(void)
{
	map_rng = map_rng * 1103515245u + 12345u;
	return map_rng >> 8;
}

/* Bytes that make neighbouring and nested prefixes likely. */
static uint8_t rnd_byte(void)
{
	static const uint8_t pool[] = { 0, 1, 10, 127, 128, 192, 254, 255 };

	return rnd() % 3 ? pool[rnd() % sizeof(pool)] : (uint8_t)rnd();
}

static void rnd_ip(struct ot_ip *ip, int ver)
{
	int i;

	memset(ip, 0, sizeof(*ip));
	ip->ver = (uint8_t)ver;
	for (i = 0; i < (ver == 4 ? 4 : ver == 6 ? 16 : 0); i++)
		ip->a[i] = rnd_byte();
}

static uint16_t rnd_port(void)
{
	static const uint16_t pool[] = { 0, 1, 101, 102, 103, 502, 1023, 1024,
					 20000, 65534, 65535 };

	return rnd() % 3 ? pool[rnd() % (sizeof(pool) / sizeof(pool[0]))] : (uint16_t)rnd();
}

static void rnd_node(struct net_node *n, int is_port, int depth)
{
	unsigned k = rnd() % 10;
	int i;

	memset(n, 0, sizeof(*n));
	n->neg = rnd() % 3 == 0;
	if (k == 0) {
		n->kind = NK_ANY;
	} else if (k < 4 && depth < 3) {
		n->kind = NK_LIST;
		n->nkids = 1 + (int)(rnd() % 5);
		n->kids = calloc((size_t)n->nkids, sizeof(*n->kids));
		ck_assert_ptr_nonnull(n->kids);
		for (i = 0; i < n->nkids; i++)
			rnd_node(&n->kids[i], is_port, depth + 1);
	} else if (is_port) {
		uint16_t a = rnd_port(), b = rnd_port();

		n->kind = NK_PORTS;
		n->lo = a < b ? a : b;
		n->hi = a < b ? b : a;
	} else {
		n->kind = NK_CIDR;
		rnd_ip(&n->ip, rnd() % 2 ? 4 : 6);
		n->plen = (uint8_t)(rnd() % ((n->ip.ver == 4 ? 32 : 128) + 1));
		if (rnd() % 2)  /* the usual round lengths */
			n->plen = (uint8_t)(n->plen & ~7u);
	}
}

/* One address in each IPv4 and IPv6 region of the map: at every point and
 * just below it. */
static void map_check_points(const struct net_map *m, const struct net_node *n)
{
	struct ot_ip ip;
	uint32_t i;
	int d, b;

	for (i = 0; i < m->n4; i++)
		for (d = 0; d < 2; d++) {
			uint32_t k = m->b4[i] - (uint32_t)d;

			memset(&ip, 0, sizeof(ip));
			ip.ver = 4;
			for (b = 0; b < 4; b++)
				ip.a[b] = (uint8_t)(k >> (24 - 8 * b));
			ck_assert_int_eq(rules_addr_map_match(m, n, &ip), rules_addr_match(n, &ip));
		}
	for (i = 0; i < m->n6; i++)
		for (d = 0; d < 2; d++) {
			uint64_t hi = m->b6[2 * i], lo = m->b6[2 * i + 1];

			if (d && lo-- == 0)
				hi--;
			memset(&ip, 0, sizeof(ip));
			ip.ver = 6;
			for (b = 0; b < 8; b++) {
				ip.a[b] = (uint8_t)(hi >> (56 - 8 * b));
				ip.a[8 + b] = (uint8_t)(lo >> (56 - 8 * b));
			}
			ck_assert_int_eq(rules_addr_map_match(m, n, &ip), rules_addr_match(n, &ip));
		}
}

/* The compiled form gives the walk's result on random expressions, at
 * random keys and at every point where the result flips. */
START_TEST(header_map_matches_tree_walk)
{
	int t, j, compiled = 0, flips = 0;

	for (t = 0; t < 3000; t++) {
		struct net_node a, p;
		struct net_map ma, mp;
		struct ot_ip ip;

		rnd_node(&a, 0, 0);
		rnd_node(&p, 1, 0);
		ck_assert_int_eq(rules_map_build(&ma, &a, 0), 0);
		ck_assert_int_eq(rules_map_build(&mp, &p, 1), 0);
		compiled += ma.ok && mp.ok;
		flips += ma.n4 + ma.n6 > 1;
		for (j = 0; j < 60; j++) {
			uint16_t port = rnd_port();

			rnd_ip(&ip, j % 7 == 0 ? 0 : j % 2 ? 4 : 6);
			ck_assert_int_eq(rules_addr_map_match(&ma, &a, &ip), rules_addr_match(&a, &ip));
			ck_assert_int_eq(rules_port_map_match(&mp, &p, port), rules_port_match(&p, port));
		}
		for (j = 0; j < (int)mp.n4; j++) {
			uint16_t port = (uint16_t)mp.b4[j];

			ck_assert_int_eq(rules_port_map_match(&mp, &p, port), rules_port_match(&p, port));
			port--;
			ck_assert_int_eq(rules_port_map_match(&mp, &p, port), rules_port_match(&p, port));
		}
		map_check_points(&ma, &a);
		rules_map_free(&ma);
		rules_map_free(&mp);
		rules_net_free(&a);
		rules_net_free(&p);
	}
	ck_assert_int_eq(compiled, 3000);
	ck_assert_int_gt(flips, 1000);     /* the expressions were not trivial */
}
END_TEST

/* ---- matcher: protocol keywords ------------------------------------------ */

START_TEST(match_modbus_function_and_unit)
{
	struct ot_event ev;

	set_flow("10.0.0.1", 40000, "10.0.0.2", 502);
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 8);
	ev.subfunc = 4;
	ev.unit = 3;
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function 8, subfunction 4;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function 8, subfunction 1;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function diagnostics;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function 5;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function public;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function assigned;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function !assigned;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function user;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: unit 3;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: unit >3;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: unit 2<>4, function 8;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: unit <3;)", &ev), 0);
	ev.func = 90;
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function reserved;)", &ev), 1);
	ev.func = 66;
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function user;)", &ev), 1);
	ev.func = 50;
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function unassigned;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function all;)", &ev), 1);
	/* responses never match modbus keywords (Suricata: requests) */
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_RESPONSE, 8);
	ev.subfunc = 4;
	ck_assert_int_eq(rule_fires_on("alert modbus any any <> any any (sid:1; modbus: function 8;)", &ev), 0);
	/* a dnp3 event does not match a modbus rule */
	ev_init(&ev, OT_PROTO_DNP3, OT_DIR_REQUEST, 8);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function 8;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert tcp any any -> any any (sid:1; modbus: function 8;)", &ev), 0);
}
END_TEST

START_TEST(match_modbus_access)
{
	struct ot_event ev;

	set_flow("10.0.0.1", 40000, "10.0.0.2", 502);
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 6);
	ot_range_add(&ev, OT_SPACE_MB_HOLDING, 0, 0, 500, 1);
	ot_value_add(&ev, OT_SPACE_MB_HOLDING, 0, 500, 2500);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access write;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access read;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access write holding;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access write coils;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access write holding, address 500;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access write holding, address 501;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access write holding, address >499;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access write holding, address <500;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access write holding, address 400<>600;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access write holding, address 500, value >2000;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access write holding, address 500, value <2000;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access write holding, address 500, value 2500;)", &ev), 1);
	/* a multi-register read overlapping the address */
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 4);
	ot_range_add(&ev, OT_SPACE_MB_INPUT, 0, 0, 90, 20);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access read input, address 100;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access read input, address 110;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access read discretes;)", &ev), 0);
	/* write multiple coils */
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 15);
	ot_range_add(&ev, OT_SPACE_MB_COIL, 0, 0, 0, 8);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: access write coils, address 7;)", &ev), 1);
}
END_TEST

/* umas_func: the UMAS function of a function 90 request. */
START_TEST(match_umas_func)
{
	struct ot_event ev;

	set_flow("10.0.0.1", 40000, "10.0.0.2", 502);
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 90);
	ev.subfunc = 0x41;
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; umas_func: stop_plc;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; umas_func: 0x41;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; umas.func: 65;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; umas_func: start_plc;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; modbus: function 90, subfunction 65;)", &ev), 1);
	/* the same sub-function number under another function code */
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 8);
	ev.subfunc = 0x41;
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; umas_func: stop_plc;)", &ev), 0);
	/* the PLC's answer is not the command */
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_RESPONSE, 90);
	ev.subfunc = 0x41;
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; umas_func: stop_plc;)", &ev), 0);
}
END_TEST

START_TEST(match_dnp3_keywords)
{
	struct ot_event ev;

	set_flow("10.0.0.1", 40000, "10.0.0.2", 20000);
	ev_init(&ev, OT_PROTO_DNP3, OT_DIR_REQUEST, 13);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_func: cold_restart;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_func: 13;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_func: warm_restart;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3.func: 13;)", &ev), 1);
	ev_init(&ev, OT_PROTO_DNP3, OT_DIR_REQUEST, 5);
	ot_range_add(&ev, OT_SPACE_DNP3, 12, 1, 0, 1);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_obj: 12,1;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_obj: 12,2;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_obj: 41,1;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_obj: 12,*;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_obj: 41,*;)", &ev), 0);
	ot_range_add(&ev, OT_SPACE_DNP3, 41, 3, 0, 1);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_obj: 41,*;)", &ev), 1);
	/* IIN of a response: IIN1 << 8 | IIN2 */
	ev_init(&ev, OT_PROTO_DNP3, OT_DIR_RESPONSE, 129);
	ev.iin = 0x8000 | 0x0002;
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_ind: device_restart;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_ind: need_time,object_unknown;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_ind: need_time;)", &ev), 0);
	ev.iin = 0x1000 | 0x2000;
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_ind: need_time;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_ind: device_trouble;)", &ev), 0);
	/* IIN 0 (no indicator) and none at all */
	ev.iin = 0;
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_ind: need_time;)", &ev), 0);
	ev.iin = -1;
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any -> any any (sid:1; dnp3_ind: need_time;)", &ev), 0);
}
END_TEST

START_TEST(match_s7_keywords)
{
	struct ot_event ev;

	set_flow("10.0.0.1", 40000, "10.0.0.2", 102);
	ev_init(&ev, OT_PROTO_S7COMM, OT_DIR_REQUEST, 0x29);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_func: plc_stop;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_func: 0x29;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_func: read_var;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_rosctr: job;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_rosctr: userdata;)", &ev), 0);
	/* the ack_data answer: quiet unless the rule asks for it */
	ev_init(&ev, OT_PROTO_S7COMM, OT_DIR_RESPONSE, 0x29);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any <> any any (sid:1; s7comm_func: plc_stop;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any <> any any (sid:1; s7comm_rosctr: ack_data; s7comm_func: plc_stop;)", &ev), 1);
	/* PI service by name */
	ev_init(&ev, OT_PROTO_S7COMM, OT_DIR_REQUEST, 0x28);
	ev.subfunc_name = "P_PROGRAM";
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_pi: P_PROGRAM;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_pi: \"_DELE\";)", &ev), 0);
	/* the dissector's service names answer to the wire names */
	ev.subfunc_name = "delete_block";
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_pi: _DELE;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_pi: delete_block;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_pi: _INSE;)", &ev), 0);
	ev.subfunc_name = "nc_service";
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_pi: _N_F_DMDA;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_pi: _DELE;)", &ev), 0);
	ev.subfunc_name = NULL;
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_pi: _DELE;)", &ev), 0);
	/* read of DB 5, flags */
	ev_init(&ev, OT_PROTO_S7COMM, OT_DIR_REQUEST, 0x04);
	ot_range_add(&ev, OT_SPACE_S7_DB, 5, 0, 0, 16);
	ot_range_add(&ev, OT_SPACE_S7_FLAGS, 0, 0, 0, 8);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_db: 5;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_db: 6;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_area: flags;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_area: outputs;)", &ev), 0);
	/* userdata: security group (password), SZL read */
	ev_init(&ev, OT_PROTO_S7COMM, OT_DIR_REQUEST, -1);
	ev.rosctr = 7;
	ev.group = 5;
	ev.subfunc = 1;
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_userdata: group 5, subfunction 1;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_userdata: group security;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_userdata: group 4;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_rosctr: 7;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_func: 0;)", &ev), 0);
	ev.group = 4;
	ev.szl_id = 0x0011;
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_szl: 0x0011;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_szl: 0x001c;)", &ev), 0);
	ev.szl_id = -1;
	ck_assert_int_eq(rule_fires_on("alert s7comm any any -> any any (sid:1; s7comm_szl: 0x0011;)", &ev), 0);
}
END_TEST

START_TEST(match_flow_keyword_and_header_only)
{
	struct ot_event ev;

	set_flow("10.0.0.1", 40000, "10.0.0.2", 20000);
	ev_init(&ev, OT_PROTO_DNP3, OT_DIR_RESPONSE, 129);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any <> any any (sid:1; flow: to_client;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any <> any any (sid:1; flow: established, to_server;)", &ev), 0);
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any <> any any (sid:1;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert s7comm any any <> any any (sid:1;)", &ev), 0);
	/* anomalies are not matched */
	ev.kind = OT_EV_ANOMALY;
	ck_assert_int_eq(rule_fires_on("alert dnp3 any any <> any any (sid:1;)", &ev), 0);
}
END_TEST

START_TEST(match_pass_rule_silences)
{
	struct ot_event ev;
	struct rules *rs = load_ok(
		"alert modbus any any -> any any (sid:1; modbus: function 5;)\n"
		"alert modbus any any -> any any (sid:2; modbus: access write;)\n"
		"pass modbus 10.0.0.9 any -> any any (sid:3;)\n");

	set_flow("10.0.0.1", 40000, "10.0.0.2", 502);
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 5);
	ot_range_add(&ev, OT_SPACE_MB_COIL, 0, 0, 1, 1);
	ck_assert_int_eq(fires(rs, &ev), 2);
	set_flow("10.0.0.9", 40000, "10.0.0.2", 502);
	ck_assert_int_eq(fires(rs, &ev), 0);
	rules_free(rs);
}
END_TEST

/* Rules of several protocols, interleaved and loaded in two steps (the
 * second after events were matched): an event gets exactly the rules of its
 * protocol and kind, in rule order. */
START_TEST(match_index_by_protocol_and_kind)
{
	struct ot_event ev;
	const struct rule *out[8];
	struct rule_info ri;
	struct rules *rs = load_ok(
		"alert dnp3 any any -> any any (sid:1;)\n"
		"alert modbus any any -> any any (sid:2;)\n"
		"alert modbus any any -> any any (sid:3; app-layer-event: modbus.length_mismatch;)\n"
		"alert modbus any any -> any 503 (sid:4;)\n");

	set_flow("10.0.0.1", 40000, "10.0.0.2", 502);
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 3);
	ck_assert_int_eq(rules_match_event(rs, &ev, out, 8), 1);
	rules_get_info(out[0], &ri);
	ck_assert_uint_eq(ri.sid, 2);
	ck_assert_int_eq(rules_load_string(rs,
		"alert s7comm any any -> any any (sid:5;)\n"
		"alert modbus 10.0.0.1 any -> any any (sid:6;)\n", "more.rules"), 0);
	ck_assert_int_eq(rules_match_event(rs, &ev, out, 8), 2);
	rules_get_info(out[0], &ri);
	ck_assert_uint_eq(ri.sid, 2);
	rules_get_info(out[1], &ri);
	ck_assert_uint_eq(ri.sid, 6);
	ev.kind = OT_EV_ANOMALY;
	ev.anomaly = "length_mismatch";
	ck_assert_int_eq(rules_match_event(rs, &ev, out, 8), 1);
	rules_get_info(out[0], &ri);
	ck_assert_uint_eq(ri.sid, 3);
	ev_init(&ev, OT_PROTO_S7COMM, OT_DIR_REQUEST, 4);
	ck_assert_int_eq(rules_match_event(rs, &ev, out, 8), 1);
	rules_get_info(out[0], &ri);
	ck_assert_uint_eq(ri.sid, 5);
	ev_init(&ev, OT_PROTO_S7COMM_PLUS, OT_DIR_REQUEST, 4);
	ck_assert_int_eq(rules_match_event(rs, &ev, out, 8), 0);
	rules_free(rs);
}
END_TEST

/* A keyword's funcs() never leaves out a function on which its match()
 * passes (the index would then hide a real match), and it narrows. */
START_TEST(keyword_funcs_are_sound)
{
	static const struct {
		const char *kw, *value;
		int narrow;     /* at most this many functions in the set */
	} cases[] = {
		{ "dnp3_func", "write", 1 },
		{ "dnp3_func", "0", 1 },
		{ "dnp3_func", "255", 1 },
		{ "modbus", "function 5", 1 },
		{ "modbus", "function 8, subfunction 1", 1 },
		{ "modbus", "function public", 255 },
		{ "modbus", "function !public", 255 },
		{ "modbus", "function user", 255 },
		{ "modbus", "function !reserved", 255 },
		{ "modbus", "function all", 256 },
		{ "umas_func", "0x10", 1 },
		{ "s7comm_func", "0x28", 1 },
		{ "s7comm_func", "4", 1 },
		{ "iec104_type", "45", 1 },
		{ "iec104_type", "45<>50", 4 },
		{ "iec104_type", "<10", 10 },
		{ "iec104_type", ">100", 155 },
	};
	size_t i;
	int p, seen = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ot_keyword *k = NULL;
		enum ot_proto proto = OT_PROTO_UNKNOWN;
		struct ot_rule_check c;
		struct ot_event ev;
		uint8_t set[32];
		char value[64], err[OT_KW_ERR_LEN];
		int f, d, n = 0, hits = 0;

		for (p = 1; p < OT_PROTO_COUNT && !k; p++) {
			const struct dissector *ds = dissector_by_proto((enum ot_proto)p);
			const struct ot_keyword *x;

			for (x = ds ? ds->keywords : NULL; x && x->name; x++)
				if (strcmp(x->name, cases[i].kw) == 0) {
					k = x;
					proto = ds->proto;
					break;
				}
		}
		ck_assert_msg(k && k->funcs, "%s: no keyword with funcs()", cases[i].kw);
		memset(&c, 0, sizeof(c));
		c.b = -1;
		c.kw = k;
		snprintf(value, sizeof(value), "%s", cases[i].value);
		ck_assert_int_eq(k->parse(value, &c, 1, err, sizeof(err)), 1);
		memset(set, 0, sizeof(set));
		ck_assert_int_eq(k->funcs(&c, set), 1);
		for (f = 0; f < 256; f++) {
			int in = set[f >> 3] >> (f & 7) & 1;

			n += in;
			for (d = OT_DIR_REQUEST; d <= OT_DIR_RESPONSE; d++) {
				ev_init(&ev, proto, (enum ot_dir)d, f);
				if (proto == OT_PROTO_MODBUS && f == 90)
					ev.subfunc = 0x10;
				if (cases[i].kw[0] == 'm' && strstr(cases[i].value, "subfunction"))
					ev.subfunc = 1;
				if (k->match(&c, &ev)) {
					hits++;
					ck_assert_msg(in, "%s: %s matches function %d outside its set",
						      cases[i].kw, cases[i].value, f);
				}
			}
		}
		ck_assert_msg(n <= cases[i].narrow, "%s: %s: %d functions in the set",
			      cases[i].kw, cases[i].value, n);
		ck_assert_msg(hits > 0, "%s: %s matched nothing", cases[i].kw, cases[i].value);
		seen++;
	}
	ck_assert_int_eq(seen, (int)(sizeof(cases) / sizeof(cases[0])));
}
END_TEST

/* The index by function: a rule is tried on the functions its keywords
 * allow, a rule without a function keyword on every one, and an event
 * without a function (or one past 255) on every rule; rule order kept. */
START_TEST(match_index_by_function)
{
	struct ot_event ev;
	const struct rule *out[8];
	struct rule_info ri;
	struct rules *rs = load_ok(
		"alert dnp3 any any -> any any (sid:1; dnp3_func: write;)\n"
		"alert dnp3 any any -> any any (sid:2; dnp3_ind: device_restart;)\n"
		"alert dnp3 any any -> any any (sid:3; dnp3_func: 2;)\n"
		"alert dnp3 any any -> any any (sid:4; dnp3_func: cold_restart; dnp3_func: write;)\n"
		"pass dnp3 10.0.0.9 any -> any any (sid:5; dnp3_func: read;)\n");

	set_flow("10.0.0.1", 40000, "10.0.0.2", 20000);
	ev_init(&ev, OT_PROTO_DNP3, OT_DIR_REQUEST, 2);
	ev.iin = 0x8000;        /* IIN1.7 device restart */
	ck_assert_int_eq(rules_match_event(rs, &ev, out, 8), 3);
	rules_get_info(out[0], &ri);
	ck_assert_uint_eq(ri.sid, 1);
	rules_get_info(out[1], &ri);
	ck_assert_uint_eq(ri.sid, 2);
	rules_get_info(out[2], &ri);
	ck_assert_uint_eq(ri.sid, 3);
	ev.func = 13;           /* cold restart */
	ck_assert_int_eq(rules_match_event(rs, &ev, out, 8), 1);
	rules_get_info(out[0], &ri);
	ck_assert_uint_eq(ri.sid, 2);
	ev.func = -1;
	ck_assert_int_eq(rules_match_event(rs, &ev, out, 8), 1);
	ev.func = 300;
	ck_assert_int_eq(rules_match_event(rs, &ev, out, 8), 1);
	/* a pass rule on its function silences, and only from its host */
	ev.func = 1;
	ck_assert_int_eq(rules_match_event(rs, &ev, out, 8), 1);
	set_flow("10.0.0.9", 40000, "10.0.0.2", 20000);
	ev_init(&ev, OT_PROTO_DNP3, OT_DIR_REQUEST, 1);
	ev.iin = 0x8000;
	ck_assert_int_eq(rules_match_event(rs, &ev, out, 8), 0);
	ev.func = 2;
	ck_assert_int_eq(rules_match_event(rs, &ev, out, 8), 3);
	rules_free(rs);
}
END_TEST

START_TEST(match_packet_rules)
{
	struct rules *rs = load_ok(
		"alert tcp any any -> any 23 (sid:1; msg:\"telnet\";)\n"
		"alert udp any any -> any 161 (sid:2;)\n"
		"alert ip 8.8.8.8 any -> any any (sid:3;)\n"
		"alert modbus any any -> any any (sid:4;)\n");
	struct pkt_meta p;
	const struct rule *out[4];

	memset(&p, 0, sizeof(p));
	ot_ip_parse("10.0.0.1", &p.src_ip);
	ot_ip_parse("10.0.0.2", &p.dst_ip);
	p.l4 = 6;
	p.sport = 40000;
	p.dport = 23;
	ck_assert_int_eq(rules_match_packet(rs, &p, out, 4), 1);
	ck_assert_uint_eq(out[0] == rules_find(rs, 1), 1);
	p.l4 = 17;
	ck_assert_int_eq(rules_match_packet(rs, &p, out, 4), 0);
	p.dport = 161;
	ck_assert_int_eq(rules_match_packet(rs, &p, out, 4), 1);
	ot_ip_parse("8.8.8.8", &p.src_ip);
	ck_assert_int_eq(rules_match_packet(rs, &p, out, 4), 2);
	rules_free(rs);
}
END_TEST

/* ---- matcher on events the real dissectors decode ---------------------- */

struct decoded {
	struct rules *rs;
	uint32_t sids[16];
	int n;
};

static void collect_hits(struct dissect_ctx *ctx, struct ot_event *ev)
{
	struct decoded *d = ctx->emit_ud;
	const struct rule *out[8];
	struct rule_info ri;
	int i, n = rules_match_event(d->rs, ev, out, 8);

	for (i = 0; i < n && d->n < 16; i++) {
		rules_get_info(out[i], &ri);
		d->sids[d->n++] = ri.sid;
	}
}

/* Feed bytes through a dissector; the sids that fired, in order. */
static int decode_and_match(struct decoded *d, const char *proto, int from_client,
			    const uint8_t *bytes, size_t len)
{
	const struct dissector *ds = dissector_by_name(proto);
	struct ot_limits lim;
	struct dissect_ctx ctx;
	void *st;

	ck_assert_ptr_nonnull(ds);
	ots_limits_default(&lim);
	memset(&ctx, 0, sizeof(ctx));
	ctx.flow = &test_flow;
	ctx.ts.tv_sec = 1000;
	ctx.from_client = (uint8_t)from_client;
	ctx.want_detail = 0;    /* rules read the normalized fields only */
	ctx.lim = &lim;
	ctx.emit = collect_hits;
	ctx.emit_ud = d;
	d->n = 0;
	st = ds->state_new(&lim);
	ds->parse(&ctx, st, bytes, len);
	ds->state_free(st);
	return d->n;
}

START_TEST(match_real_decoded_events)
{
	/* Modbus/TCP: write single coil 0x0001 = ON to unit 0; diagnostics 8/4 */
	static const uint8_t mb_write[] = { 0, 1, 0, 0, 0, 6, 0, 5, 0, 1, 0xff, 0 };
	static const uint8_t mb_listen[] = { 0, 2, 0, 0, 0, 6, 10, 8, 0, 4, 0, 0 };
	/* DNP3: cold restart request 1 -> 10; response with IIN device_restart */
	static const uint8_t dnp3_cold[] = { 0x05, 0x64, 0x08, 0xc4, 0x0a, 0x00, 0x01, 0x00,
					     0xfc, 0x42, 0xc0, 0xc1, 0x0d, 0xd2, 0x2d };
	static const uint8_t dnp3_iin[] = { 0x05, 0x64, 0x0a, 0x44, 0x01, 0x00, 0x0a, 0x00,
					    0x6e, 0x25, 0xc0, 0xc1, 0x81, 0x80, 0x00, 0x5b, 0x31 };
	struct decoded d;

	set_flow("10.0.0.1", 40000, "10.0.0.2", 502);
	d.rs = load_ok(
		"alert modbus any any -> any 502 (sid:1; modbus: unit 0, access write coils, address 1, value 1;)\n"
		"alert modbus any any -> any any (sid:2; modbus: function 8, subfunction 4;)\n"
		"alert modbus any any -> any any (sid:3; modbus: access read;)\n");
	ck_assert_int_eq(decode_and_match(&d, "modbus", 1, mb_write, sizeof(mb_write)), 1);
	ck_assert_uint_eq(d.sids[0], 1);
	ck_assert_int_eq(decode_and_match(&d, "modbus", 1, mb_listen, sizeof(mb_listen)), 1);
	ck_assert_uint_eq(d.sids[0], 2);
	rules_free(d.rs);

	set_flow("10.0.0.1", 40000, "10.0.0.2", 20000);
	d.rs = load_ok(
		"alert dnp3 any any -> any any (sid:11; dnp3_func: cold_restart;)\n"
		"alert dnp3 any any -> any any (sid:12; dnp3_ind: device_restart;)\n"
		"alert dnp3 any any -> any any (sid:13; dnp3_ind: need_time;)\n");
	ck_assert_int_eq(decode_and_match(&d, "dnp3", 1, dnp3_cold, sizeof(dnp3_cold)), 1);
	ck_assert_uint_eq(d.sids[0], 11);
	ck_assert_int_eq(decode_and_match(&d, "dnp3", 0, dnp3_iin, sizeof(dnp3_iin)), 1);
	ck_assert_uint_eq(d.sids[0], 12);
	rules_free(d.rs);
}
END_TEST

START_TEST(match_app_layer_events)
{
	struct ot_event ev;
	static const uint8_t not_mbap[] = { 0, 1, 0, 5, 0, 6, 1, 3, 0, 0, 0, 1 };
	struct decoded d;

	set_flow("10.0.0.1", 40000, "10.0.0.2", 502);
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, -1);
	ev.kind = OT_EV_ANOMALY;
	ev.anomaly = "length_mismatch";
	/* Suricata's name and otsentry's for the same thing */
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; app-layer-event: modbus.invalid_length;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert tcp any any -> any any (sid:1; app-layer-event: modbus.length_mismatch;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; app-layer-event: modbus.flooded;)", &ev), 0);
	/* anomalies never match message rules, messages never match event rules */
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; app-layer-protocol: modbus;)", &ev), 0);
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 3);
	ck_assert_int_eq(rule_fires_on("alert tcp any any -> any any (sid:1; app-layer-protocol: modbus;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert modbus any any -> any any (sid:1; app-layer-event: modbus.invalid_length;)", &ev), 0);
	/* a real one: a Modbus/TCP header with protocol id 5 */
	d.rs = load_ok("alert modbus any any -> any any (sid:21; app-layer-event: modbus.invalid_protocol_id;)\n");
	ck_assert_int_eq(decode_and_match(&d, "modbus", 1, not_mbap, sizeof(not_mbap)), 1);
	ck_assert_uint_eq(d.sids[0], 21);
	rules_free(d.rs);
}
END_TEST

START_TEST(match_stream_events)
{
	static const char conflict[] = "alert tcp any any -> any any (sid:1; "
		"stream-event: reassembly_overlap_different_data;)";
	struct ot_event ev;
	struct rules *rs;
	int p;

	set_flow("10.0.0.1", 40000, "10.0.0.2", 502);
	/* the stream layer reports under the flow's protocol, or none */
	for (p = OT_PROTO_UNKNOWN; p < OT_PROTO_COUNT; p++) {
		ev_init(&ev, (enum ot_proto)p, OT_DIR_NONE, -1);
		ev.kind = OT_EV_ANOMALY;
		ev.anomaly = "stream.reassembly_overlap_different_data";
		ck_assert_int_eq(rule_fires_on(conflict, &ev), 1);
		ck_assert_int_eq(rule_fires_on("alert tcp any any -> any any (sid:1; "
					       "stream-event: est_invalid_ack;)", &ev), 0);
	}
	/* bound to a protocol, only that protocol's flows */
	ev_init(&ev, OT_PROTO_DNP3, OT_DIR_NONE, -1);
	ev.kind = OT_EV_ANOMALY;
	ev.anomaly = "stream.est_invalid_ack";
	ck_assert_int_eq(rule_fires_on("alert tcp any any -> any any (sid:1; app-layer-protocol: dnp3; "
				       "stream-event: est_invalid_ack;)", &ev), 1);
	ck_assert_int_eq(rule_fires_on("alert tcp any any -> any any (sid:1; app-layer-protocol: modbus; "
				       "stream-event: est_invalid_ack;)", &ev), 0);
	/* a dissector's anomaly and a message never match */
	ev.anomaly = "length_mismatch";
	ck_assert_int_eq(rule_fires_on(conflict, &ev), 0);
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 3);
	ck_assert_int_eq(rule_fires_on(conflict, &ev), 0);
	/* nor is it a header rule that fires on a flow's first packet */
	rs = load_ok(conflict);
	ck_assert_int_eq(fires(rs, &ev), 0);
	rules_free(rs);
}
END_TEST

/* ---- thresholds ------------------------------------------------------------ */

static int fire_n(struct rules *rs, struct ot_event *ev, int times, long sec)
{
	int i, n = 0;

	for (i = 0; i < times; i++) {
		ev->ts.tv_sec = sec;
		n += fires(rs, ev);
	}
	return n;
}

START_TEST(threshold_limit_threshold_both)
{
	struct ot_event ev;
	struct rules *rs = load_ok(
		"alert modbus any any -> any any (sid:1; modbus: function 5; threshold: type limit, track by_src, count 2, seconds 60;)\n");
	json_t *st;

	set_flow("10.0.0.1", 40000, "10.0.0.2", 502);
	ev_init(&ev, OT_PROTO_MODBUS, OT_DIR_REQUEST, 5);
	ck_assert_int_eq(fire_n(rs, &ev, 5, 1000), 2);
	ck_assert_int_eq(fire_n(rs, &ev, 5, 1030), 0);  /* same window */
	set_flow("10.0.0.3", 40000, "10.0.0.2", 502);   /* other source */
	ck_assert_int_eq(fire_n(rs, &ev, 5, 1030), 2);
	set_flow("10.0.0.1", 40000, "10.0.0.2", 502);
	ck_assert_int_eq(fire_n(rs, &ev, 5, 1061), 2);  /* new window */
	st = json_object();
	rules_stats(rs, st);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "rules"), "matches")), 6);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st, "rules"), "thresholded")), 14);
	json_decref(st);
	rules_free(rs);

	rs = load_ok("alert modbus any any -> any any (sid:1; modbus: function 5; threshold: type threshold, track by_dst, count 3, seconds 60;)\n");
	ck_assert_int_eq(fire_n(rs, &ev, 2, 1000), 0);
	ck_assert_int_eq(fire_n(rs, &ev, 1, 1000), 1);  /* the 3rd */
	ck_assert_int_eq(fire_n(rs, &ev, 6, 1001), 2);  /* every 3rd */
	rules_free(rs);

	rs = load_ok("alert modbus any any -> any any (sid:1; modbus: function 5; threshold: type both, track by_rule, count 3, seconds 60;)\n");
	ck_assert_int_eq(fire_n(rs, &ev, 2, 1000), 0);
	ck_assert_int_eq(fire_n(rs, &ev, 10, 1000), 1); /* once per window */
	set_flow("10.0.0.7", 40000, "10.0.0.8", 502);   /* by_rule: all sources count */
	ck_assert_int_eq(fire_n(rs, &ev, 10, 1000), 0);
	ck_assert_int_eq(fire_n(rs, &ev, 3, 1100), 1);
	rules_free(rs);
}
END_TEST

/* ---- files and folders ------------------------------------------------------- */

START_TEST(load_folder_in_name_order)
{
	char dir[] = "/tmp/check_rules_XXXXXX";
	char path[256];
	FILE *f;
	struct rules *rs = rules_new();

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/b.rules", dir);
	f = fopen(path, "w");
	fputs("alert modbus $X any -> any any (sid:2;)\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/a.rules", dir);
	f = fopen(path, "w");
	fputs("var X 10.0.0.1\nalert modbus any any -> any any (sid:1;)\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/ignored.txt", dir);
	f = fopen(path, "w");
	fputs("garbage\n", f);
	fclose(f);
	ck_assert_int_eq(rules_load_path(rs, dir), 0);
	ck_assert_uint_eq(rules_count(rs), 2);
	snprintf(path, sizeof(path), "%s/none.rules", dir);
	ck_assert_int_eq(rules_load_path(rs, path), 1);
	ck_assert_ptr_nonnull(strstr(rules_error(rs, 0), "none.rules: cannot open: "));
	rules_free(rs);
	snprintf(path, sizeof(path), "%s/a.rules", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/b.rules", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ignored.txt", dir);
	unlink(path);
	rmdir(dir);
	rules_free(NULL);
}
END_TEST

START_TEST(shipped_rules_load)
{
	const char *top = getenv("OTS_TOP_SRCDIR");
	char path[1024];
	struct rules *rs = rules_new();

	snprintf(path, sizeof(path), "%s/rules", top ? top : OTS_SRCDIR);
	ck_assert_int_eq(rules_load_path(rs, path), 0);
	ck_assert_uint_ge(rules_count(rs), 25);
	rules_free(rs);
}
END_TEST

/* The shipped rules that judge who sends a write wait for the site's
 * lists; given them, they load. */
START_TEST(shipped_rules_wait_for_site_vars)
{
	const char *top = getenv("OTS_TOP_SRCDIR");
	static const struct { uint32_t sid; const char *var; } want[] = {
		{ 9300003, "MODBUS_OPERATORS" }, { 9300004, "MODBUS_OPERATORS" },
		{ 9300005, "MODBUS_OPERATORS" }, { 9500005, "CIP_OPERATORS" },
		{ 9500006, "CIP_OPERATORS" }, { 9600002, "IEC104_CONTROLLING" },
		{ 9600003, "IEC104_CONTROLLING" },
	};
	char path[1024];
	struct rules *rs = rules_new();
	size_t i, j, n, all;

	snprintf(path, sizeof(path), "%s/rules", top ? top : OTS_SRCDIR);
	ck_assert_int_eq(rules_load_path(rs, path), 0);
	n = rules_waiting_count(rs);
	all = rules_count(rs) + n;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		uint32_t sid;
		const char *var;

		ck_assert_ptr_null(rules_find(rs, want[i].sid));
		for (j = 0; j < n; j++) {
			ck_assert_int_eq(rules_waiting(rs, j, &sid, &var, NULL, NULL), 0);
			if (sid == want[i].sid)
				break;
		}
		ck_assert_msg(j < n, "sid %u does not wait", want[i].sid);
		ck_assert_str_eq(var, want[i].var);
	}
	rules_free(rs);
	rs = rules_new();
	ck_assert_int_eq(rules_set_var_arg(rs, "MODBUS_OPERATORS=10.0.0.5"), 0);
	ck_assert_int_eq(rules_set_var_arg(rs, "CIP_OPERATORS=10.0.0.5"), 0);
	ck_assert_int_eq(rules_set_var_arg(rs, "IEC104_CONTROLLING=10.0.0.5"), 0);
	ck_assert_int_eq(rules_load_path(rs, path), 0);
	ck_assert_uint_eq(rules_waiting_count(rs), 0);
	ck_assert_uint_eq(rules_count(rs), all);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_ptr_nonnull(rules_find(rs, want[i].sid));
	rules_free(rs);
}
END_TEST

/*
 * Every spelling of every code in every protocol's names table loads in
 * the keyword that takes those names: what a log writes, a rule accepts.
 */
START_TEST(names_tables_load_as_rules)
{
	const struct dissector *const *l;
	size_t i, n, rules = 0;
	unsigned sid = 1;

	l = dissector_list(&n);
	for (i = 0; i < n; i++) {
		const struct ot_names *nm;

		/* a protocol with rule keywords lists the names they take */
		ck_assert_msg(l[i]->names != NULL || l[i]->keywords == NULL,
			      "%s has keywords but no names", l[i]->name);
		for (nm = l[i]->names; nm && nm->what; nm++) {
			const struct ot_tok *t;

			if (!nm->keyword)
				continue;
			for (t = nm->tok; t->name; t++) {
				struct rules *rs = rules_new();
				char value[128], rule[512];
				int code;
				const char *at = strstr(nm->fmt, "%s");

				ck_assert_ptr_nonnull(at);
				snprintf(value, sizeof(value), "%.*s%s%s", (int)(at - nm->fmt),
					 nm->fmt, t->name, at + 2);
				snprintf(rule, sizeof(rule),
					 "alert %s any any -> any any (msg:\"n\"; %s: %s; sid:%u;)",
					 l[i]->name, nm->keyword, value, sid++);
				ck_assert_ptr_nonnull(rs);
				ck_assert_msg(rules_load_string(rs, rule, "names") == 0,
					      "%s %s '%s' refused: %s", l[i]->name, nm->what,
					      t->name, rules_error_count(rs) ? rules_error(rs, 0) : "");
				ck_assert_uint_eq(rules_count(rs), 1);
				/* and the name reads back as its code */
				ck_assert_int_eq(ot_tok_code(nm->tok, t->name, &code), 0);
				ck_assert_int_eq(code, t->code);
				rules_free(rs);
				rules++;
			}
		}
	}
	ck_assert_uint_gt(rules, 100);
}
END_TEST

/* The spellings the logs write are the first of each code. */
START_TEST(log_spellings_are_first)
{
	const struct dissector *d = dissector_by_proto(OT_PROTO_DNP3);
	const struct dissector *m = dissector_by_proto(OT_PROTO_MODBUS);
	struct rules *rs = rules_new();

	ck_assert_str_eq(ot_tok_name(d->names[0].tok, 6), "direct_operate_no_ack");
	ck_assert_str_eq(ot_tok_name(m->names[0].tok, 8), "diagnostics");
	ck_assert_int_eq(rules_load_string(rs,
		"alert dnp3 any any -> any any (msg:\"a\"; dnp3_func:direct_operate_no_ack; sid:1;)\n"
		"alert dnp3 any any -> any any (msg:\"b\"; dnp3.func:direct_operate_nr; sid:2;)\n"
		"alert modbus any any -> any any (msg:\"c\"; modbus: function report_slave_id; sid:3;)\n",
		"names"), 0);
	ck_assert_uint_eq(rules_count(rs), 3);
	rules_free(rs);
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, names_tables_load_as_rules);
	tcase_add_test(tc, log_spellings_are_first);

	tcase_add_loop_test(tc, parse_error_messages, 0, (int)(sizeof(bad_rules) / sizeof(bad_rules[0])));
	tcase_add_test(tc, parse_duplicate_sid_and_lines);
	tcase_add_test(tc, parse_every_option);
	tcase_add_test(tc, parse_limits);
	tcase_add_test(tc, parse_binary_file_refused);
	tcase_add_test(tc, vars_command_line_wins);
	tcase_add_test(tc, vars_loop_is_an_error);
	tcase_add_test(tc, vars_site_rules_wait);
	tcase_add_test(tc, vars_site_two_and_duplicates);
	tcase_add_test(tc, shipped_rules_wait_for_site_vars);
	tcase_add_test(tc, load_folder_in_name_order);
	tcase_add_test(tc, shipped_rules_load);
	suite_add_tcase(s, tc);
	tc = tcase_create("match");
	tcase_add_test(tc, addresses_lists_negation_cidr_v6);
	tcase_add_test(tc, ports_ranges_lists_negation);
	tcase_add_test(tc, header_map_matches_tree_walk);
	tcase_add_test(tc, match_modbus_function_and_unit);
	tcase_add_test(tc, match_modbus_access);
	tcase_add_test(tc, match_dnp3_keywords);
	tcase_add_test(tc, match_umas_func);
	tcase_add_test(tc, match_s7_keywords);
	tcase_add_test(tc, match_flow_keyword_and_header_only);
	tcase_add_test(tc, match_pass_rule_silences);
	tcase_add_test(tc, match_index_by_protocol_and_kind);
	tcase_add_test(tc, match_packet_rules);
	tcase_add_test(tc, match_real_decoded_events);
	tcase_add_test(tc, keyword_funcs_are_sound);
	tcase_add_test(tc, match_index_by_function);
	tcase_add_test(tc, match_app_layer_events);
	tcase_add_test(tc, match_stream_events);
	tcase_add_test(tc, threshold_limit_threshold_both);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
