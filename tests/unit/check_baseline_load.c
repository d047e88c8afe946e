/*
 * check_baseline_load.c - the baseline file's two readers give the same
 * model: the direct reader of a saved file's text (bl_load_streamed) and
 * the whole-file jansson tree (bl_load_tree), on valid files and on files
 * cut short, mistyped, with repeated or missing keys and numbers at the
 * edges of what a double or an integer holds.  Where the tree refuses a
 * file the direct reader must give up too, and baseline_load then says
 * what the tree says.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "baseline_int.h"
#include "options.h"

static const struct bl_config *bl_defaults(void)
{
	static struct bl_config cfg;

	ots_baseline_config_default(&cfg);
	return &cfg;
}

/* Every section, numbers of every form the file can hold (integers at
 * 18 and 19 digits, reals past 2^53, with exponents, subnormal, -0), an
 * identity value with escapes (read by jansson inside the direct reader),
 * unknown keys. */
static const char sample[] =
	"{\n"
	" \"format\": \"otsentry-baseline\",\n"
	" \"version\": 1,\n"
	" \"learn_start\": 1000.5,\n"
	" \"learn_end\": 1786396862.26,\n"
	" \"learned_packets\": 243512,\n"
	" \"learned_events\": 1234567890123456789,\n"
	" \"refused\": 0,\n"
	" \"note\": {\"x\": [1, \"]}\", {\"y\": null}]},\n"
	" \"assets\": [\n"
	"  {\n"
	"   \"ip\": \"10.10.10.10\",\n"
	"   \"macs\": [\n"
	"    \"10:98:19:00:00:a1\",\n"
	"    \"00:00:bc:05:68:b8\"\n"
	"   ],\n"
	"   \"vlans\": [1, 4095],\n"
	"   \"many_macs\": true,\n"
	"   \"count\": 1,\n"
	"   \"first_seen\": 1.0,\n"
	"   \"last_seen\": 0.1000000000000000055511151231257827\n"
	"  },\n"
	"  {\"ip\": \"fe80::1\", \"macs\": [], \"vlans\": [], \"count\": 9223372036854775807,"
	" \"first_seen\": -0.0, \"last_seen\": 4.9e-324}\n"
	" ],\n"
	" \"identity\": [\n"
	"  {\"ip\": \"10.92.18.17\", \"attribute\": \"other\", \"value\": \"status 0x3160\","
	" \"count\": 1, \"first_seen\": 1200432292.68, \"last_seen\": 1200432292.68},\n"
	"  {\"ip\": \"10.92.18.17\", \"attribute\": \"vendor\", \"value\": \"caf\\u00e9 \\\"x\\\"\","
	" \"count\": 2, \"first_seen\": 2.2250738585072011e-308, \"last_seen\": 1.7976931348623157e308}\n"
	" ],\n"
	" \"services\": [\n"
	"  {\"ip\": \"192.168.100.36\", \"protocol\": \"enip\", \"role\": \"server\", \"count\": 7,"
	" \"first_seen\": 1070465670.73, \"last_seen\": 9007199254740993.0}\n"
	" ],\n"
	" \"edges\": [\n"
	"  {\"client\": \"10.10.10.10\", \"server\": \"192.168.3.100\", \"protocol\": \"udp\","
	" \"transport\": \"udp\", \"port\": 47808, \"request_categories\": [], \"requests\": 0,"
	" \"errors\": 0, \"order_stable_from\": 0, \"count\": 1, \"first_seen\": 1.0, \"last_seen\": 1.0},\n"
	"  {\"client\": \"10.0.0.57\", \"server\": \"10.0.0.3\", \"protocol\": \"modbus\","
	" \"transport\": \"tcp\", \"port\": 502, \"request_categories\": [\"read\", \"write\"],"
	" \"requests\": 123456789012345678, \"errors\": 3, \"order_stable_from\": 17, \"count\": 10,"
	" \"first_seen\": 123456789.123456789, \"last_seen\": 0.30000000000000004},\n"
	"  {\"client\": \"10.0.0.57\", \"server\": \"10.0.0.4\", \"protocol\": \"ip\","
	" \"transport\": \"1\", \"port\": 0, \"request_categories\": [], \"requests\": 0,"
	" \"errors\": 0, \"order_stable_from\": 0, \"count\": 1, \"first_seen\": 1e3, \"last_seen\": 1E+3}\n"
	" ],\n"
	" \"units\": [\n"
	"  {\"client\": \"10.0.0.57\", \"server\": \"10.0.0.3\", \"protocol\": \"modbus\","
	" \"transport\": \"tcp\", \"port\": 502, \"unit\": -1, \"count\": 10,"
	" \"first_seen\": 1093521694.21, \"last_seen\": 1093521694.21}\n"
	" ],\n"
	" \"operations\": [\n"
	"  {\"client\": \"10.0.0.57\", \"server\": \"10.0.0.3\", \"protocol\": \"modbus\","
	" \"transport\": \"tcp\", \"port\": 502, \"function\": 3, \"sub\": -1, \"category\": \"read\","
	" \"count\": 2, \"first_seen\": 10.25, \"last_seen\": 10.75}\n"
	" ],\n"
	" \"ranges\": [\n"
	"  {\"client\": \"10.0.0.57\", \"server\": \"10.0.0.3\", \"protocol\": \"modbus\","
	" \"transport\": \"tcp\", \"port\": 502, \"function\": 3, \"sub\": -1, \"space\": \"holding\","
	" \"block\": 0, \"ranges\": [[0, 9], [20, 29], [4294967295, 4294967295]], \"count\": 2,"
	" \"first_seen\": 10.25, \"last_seen\": 10.75}\n"
	" ],\n"
	" \"channels\": [\n"
	"  {\"client\": \"10.0.0.57\", \"server\": \"10.0.0.3\", \"protocol\": \"modbus\","
	" \"transport\": \"tcp\", \"port\": 502, \"request\": {\"function\": 3, \"sub\": -1,"
	" \"space\": \"holding\", \"block\": 0, \"start\": 0, \"count\": 10}, \"period\": {\"samples\": 99,"
	" \"mean\": 1.00000000000000022, \"stddev\": 9.10453412725e-05, \"min\": 0.99, \"max\": 1.01},"
	" \"count\": 100, \"first_seen\": 1000, \"last_seen\": 1099.5}\n"
	" ],\n"
	" \"transitions\": [\n"
	"  {\"client\": \"10.0.0.57\", \"server\": \"10.0.0.3\", \"protocol\": \"modbus\","
	" \"transport\": \"tcp\", \"port\": 502, \"from\": {\"function\": 3, \"sub\": -1,"
	" \"space\": \"holding\", \"block\": 0, \"start\": 0, \"count\": 10}, \"to\": {\"function\": 4,"
	" \"sub\": -1, \"space\": \"none\", \"block\": 0, \"start\": 0, \"count\": 0}, \"count\": 1,"
	" \"first_seen\": 1070465703.97, \"last_seen\": 1070465703.97}\n"
	" ],\n"
	" \"values\": [\n"
	"  {\"server\": \"10.0.0.3\", \"protocol\": \"modbus\", \"unit\": 10, \"space\": \"holding\","
	" \"block\": 0, \"index\": 5, \"samples\": 2, \"mean\": 10.0, \"stddev\": 1.41421356237,"
	" \"min\": 9.0, \"max\": 11.0, \"class\": \"analog\", \"increases\": 1, \"decreases\": 0,"
	" \"text_samples\": 0, \"last_value\": 11.0, \"count\": 2, \"first_seen\": 1093522405.13,"
	" \"last_seen\": 1093522480.0},\n"
	"  {\"server\": \"10.0.0.3\", \"protocol\": \"modbus\", \"unit\": 10, \"space\": \"holding\","
	" \"block\": 0, \"index\": 6, \"samples\": 0, \"mean\": 0, \"stddev\": 0, \"min\": 0,"
	" \"max\": 0, \"count\": 0, \"first_seen\": 5e-1, \"last_seen\": 123456789012345678901234567890.5}\n"
	" ],\n"
	" \"io_connections\": [\n"
	"  {\"client\": \"192.168.100.28\", \"server\": \"192.168.100.36\", \"protocol\": \"enip\","
	" \"transport\": \"tcp\", \"port\": 44818, \"path\": \"class 4/instance 6/point 1\","
	" \"transport_class\": 1, \"trigger\": 0, \"o_t_rpi\": 10000, \"t_o_rpi\": 4294967295,"
	" \"o_t_size\": 26, \"t_o_size\": 65535, \"count\": 1, \"first_seen\": 1070465704.0,"
	" \"last_seen\": 1070465704.0}\n"
	" ],\n"
	" \"io_streams\": [\n"
	"  {\"client\": \"192.168.1.24\", \"server\": \"192.168.1.22\", \"protocol\": \"enip\","
	" \"transport\": \"udp\", \"port\": 2222, \"report_every\": 60.0, \"interval\": {\"samples\": 12,"
	" \"mean\": 9.10453412725e-05, \"stddev\": 1.34343638803e-06, \"min\": 8.99950663249e-05,"
	" \"max\": 9.28681472252e-05}, \"count\": 24, \"first_seen\": 1594737341.56,"
	" \"last_seen\": 1594737341.56}\n"
	" ]\n"
	"}\n";

static char tmpdir[64];
static char path[128];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ckblload.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/b.json", tmpdir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(tmpdir);
}

static void write_text(const char *text, size_t len)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

/* Doubles the same to the bit. */
static int same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

/* What the file fills in, entry by entry in insertion order; NULL when
 * the same, else what differs. */
static const char *model_diff(const struct baseline *a, const struct baseline *b)
{
	const struct bl_entry *x, *y;
	int k;

	if (!same_bits(a->learn_start, b->learn_start) || !same_bits(a->learn_end, b->learn_end) ||
	    a->learned_packets != b->learned_packets || a->learned_events != b->learned_events)
		return "header";
	if (a->nkeys != b->nkeys || a->refused != b->refused)
		return "counts";
	for (k = 0; k < BE_KIND_MAX; k++)
		if (a->per_kind[k] != b->per_kind[k])
			return "per kind counts";
	for (x = a->head, y = b->head; x && y; x = x->lnext, y = y->lnext) {
		if (memcmp(&x->k, &y->k, sizeof(x->k)) != 0)
			return "key";
		if (!same_bits(x->first, y->first) || !same_bits(x->last, y->last) || x->count != y->count)
			return "first, last or count";
		if (x->nmac != y->nmac || x->nvlan != y->nvlan || x->many_macs != y->many_macs ||
		    memcmp(x->macs, y->macs, sizeof(x->macs)) || memcmp(x->vlans, y->vlans, sizeof(x->vlans)))
			return "macs or vlans";
		if ((x->text == NULL) != (y->text == NULL) || (x->text && strcmp(x->text, y->text)))
			return "text";
		if (x->cats != y->cats || x->requests != y->requests || x->errors != y->errors ||
		    x->order_mark != y->order_mark)
			return "edge counters";
		if (x->nr != y->nr || (x->nr && memcmp(x->rng, y->rng, x->nr * sizeof(x->rng[0]))))
			return "ranges";
		if (x->n != y->n || !same_bits(x->mean, y->mean) || !same_bits(x->m2, y->m2) ||
		    !same_bits(x->min, y->min) || !same_bits(x->max, y->max))
			return "samples";
		if (memcmp(&x->from, &y->from, sizeof(x->from)) || memcmp(&x->to, &y->to, sizeof(x->to)))
			return "symbols";
		if (memcmp(x->io_rpi, y->io_rpi, sizeof(x->io_rpi)) ||
		    memcmp(x->io_size, y->io_size, sizeof(x->io_size)) || x->io_trigger != y->io_trigger ||
		    !same_bits(x->io_report, y->io_report))
			return "io";
		if (!same_bits(x->vprev, y->vprev) || x->ups != y->ups || x->downs != y->downs ||
		    x->texts != y->texts)
			return "value shape";
	}
	return x || y ? "entry count" : NULL;
}

/* Counted outcomes of one_file, to check the mutations reach both ways. */
static unsigned n_loaded, n_refused;

/* The file at path read by both readers: the same model, or both refuse
 * (and baseline_load says what the tree says).  must_stream: the direct
 * reader must not give up on it. */
static void one_file(const char *what, size_t at, int must_stream)
{
	char err_s[512] = "", err_t[512] = "", err_l[512] = "";
	struct baseline *s = bl_load_streamed(path, bl_defaults(), err_s, sizeof(err_s));
	struct baseline *t = bl_load_tree(path, bl_defaults(), err_t, sizeof(err_t));
	struct baseline *l = baseline_load(path, bl_defaults(), err_l, sizeof(err_l));
	const char *d;

	if (!t) {
		ck_assert_msg(s == NULL, "%s at %zu: the direct reader took what the tree refuses (%s)",
			      what, at, err_t);
		ck_assert_msg(l == NULL && strcmp(err_l, err_t) == 0, "%s at %zu: '%s' != '%s'",
			      what, at, err_l, err_t);
		n_refused++;
		return;
	}
	ck_assert_msg(!must_stream || s, "%s at %zu: the direct reader gave up", what, at);
	if (s) {
		d = model_diff(s, t);
		ck_assert_msg(d == NULL, "%s at %zu: the readers differ: %s", what, at, d);
	}
	ck_assert_ptr_nonnull(l);
	d = model_diff(l, t);
	ck_assert_msg(d == NULL, "%s at %zu: baseline_load differs: %s", what, at, d);
	n_loaded++;
	baseline_free(s);
	baseline_free(t);
	baseline_free(l);
}

static void one_text(const char *text, size_t len, const char *what, size_t at, int must_stream)
{
	write_text(text, len);
	one_file(what, at, must_stream);
}

/* The file at path read into memory (NUL-terminated); its length in *len. */
static char *read_path(size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *text = calloc(1, 1 << 16);

	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(text);
	*len = fread(text, 1, (1 << 16) - 1, fp);
	fclose(fp);
	return text;
}

/* The file at path loaded by the direct reader and saved over itself. */
static void resave_path(void)
{
	char err[256];
	struct baseline *b = bl_load_streamed(path, bl_defaults(), err, sizeof(err));

	ck_assert_msg(b != NULL, "%s", err);
	ck_assert_int_eq(baseline_save(b, path, err, sizeof(err)), 0);
	baseline_free(b);
}

/* The sample, and the sample saved: loaded alike; saved again, the same
 * bytes. */
START_TEST(readers_agree_on_valid_files)
{
	char err[256];
	struct baseline *b;
	char *a, *c;
	size_t alen, clen;

	one_text(sample, strlen(sample), "sample", 0, 1);
	b = bl_load_streamed(path, bl_defaults(), err, sizeof(err));
	ck_assert_msg(b != NULL, "%s", err);
	ck_assert_uint_eq(b->per_kind[BE_IOSTREAM], 1);
	ck_assert_uint_eq(b->nkeys, 17);
	ck_assert_int_eq(baseline_save(b, path, err, sizeof(err)), 0);
	baseline_free(b);
	one_file("saved", 0, 1);

	a = read_path(&alen);
	resave_path();
	c = read_path(&clen);
	ck_assert_uint_eq(alen, clen);
	ck_assert_int_eq(memcmp(a, c, alen), 0);
	free(a);
	free(c);
}
END_TEST

/* Cut short at every byte: the tree refuses all but the cuts of the last
 * line break, and the direct reader with it. */
START_TEST(readers_agree_on_cut_files)
{
	size_t len = strlen(sample), at;

	n_loaded = n_refused = 0;
	for (at = 0; at < len; at++)
		one_text(sample, at, "cut", at, 0);
	ck_assert_uint_gt(n_refused, len - 3);
}
END_TEST

/* Every number, string and literal of the sample replaced by each of a
 * set of values: of other types, out of range, at the edges of a double
 * or an integer, and strings the direct reader leaves to jansson. */
START_TEST(readers_agree_on_mistyped_values)
{
	static const char *const subst[] = {
		"\"7\"", "true", "null", "[]", "{}", "-1", "0", "1.5", "-0.0", "1e2",
		"99999999999999999999", "9223372036854775807", "-9223372036854775808",
		"1e999", "4.9e-324", "2.4703282292062327e-324", "0.1000000000000000055511151231257827",
		"9007199254740993.5", "\"10.0.0.1\"", "\"holding\"", "\"server\"", "\"tcp\"", "\"17\"",
		"\"x\\u0041\"", "\"\"", "\"\\u0000\"", "01", "1.", "-", "\"caf\xc3\xa9\"",
		/* bytes a plain string may not hold, before and after the
		 * first eight (the direct reader looks at eight at a time) */
		"\"a\tb\"", "\"01234567\x01\"", "\"0123456\x7f\"", "\"0123456789\\u0041\"",
		"\"0123456789abcde\\\\\"", "\"01234567\x1f\"", "\"0123456789\x7f\"",
	};
	size_t len = strlen(sample), i, j, q, n = 0;
	char *buf = malloc(len + 128);

	ck_assert_ptr_nonnull(buf);
	n_loaded = n_refused = 0;
	for (i = 0; i < len; i++) {
		/* a value: after ": " or "[" or ", " inside an array, up to its end */
		char ch = sample[i];

		if (!(i >= 2 && (sample[i - 1] == ' ' || sample[i - 1] == '[') &&
		      (ch == '"' || ch == '-' || (ch >= '0' && ch <= '9') || ch == 't' || ch == 'f' || ch == 'n')))
			continue;
		if (sample[i - 1] == ' ' && sample[i - 2] != ':' && sample[i - 2] != ',')
			continue;
		q = i;
		if (ch == '"') {
			for (q++; q < len && sample[q] != '"'; q++)
				if (sample[q] == '\\')
					q++;
			q++;
		} else {
			while (q < len && !strchr(",]}\n ", sample[q]))
				q++;
		}
		if (ch == '"' && sample[q] == ':')
			continue;       /* a key */
		/* one in three values, every substitution */
		if (n++ % 3)
			continue;
		for (j = 0; j < sizeof(subst) / sizeof(subst[0]); j++) {
			size_t sl = strlen(subst[j]);

			memcpy(buf, sample, i);
			memcpy(buf + i, subst[j], sl);
			memcpy(buf + i + sl, sample + q, len - q);
			one_text(buf, i + sl + len - q, subst[j], i, 0);
		}
	}
	ck_assert_uint_gt(n, 100);
	ck_assert_uint_gt(n_loaded, 100);
	ck_assert_uint_gt(n_refused, 100);
	free(buf);
}
END_TEST

/* Each member of every object dropped, and repeated. */
START_TEST(readers_agree_on_missing_and_repeated_keys)
{
	size_t len = strlen(sample), i, q;
	char *buf = malloc(2 * len + 1);

	ck_assert_ptr_nonnull(buf);
	n_loaded = n_refused = 0;
	for (i = 1; i < len; i++) {
		int depth = 0;

		/* a member starts at a quote after '{' or ", " / ",\n" and
		 * spaces; it ends before the ',' or '}' at its own depth */
		if (sample[i] != '"')
			continue;
		for (q = i - 1; q > 0 && (sample[q] == ' ' || sample[q] == '\n'); q--)
			;
		if (sample[q] != '{' && sample[q] != ',')
			continue;
		for (q = i; q < len; q++) {
			if (sample[q] == '"') {
				for (q++; sample[q] != '"'; q++)
					if (sample[q] == '\\')
						q++;
			} else if (sample[q] == '{' || sample[q] == '[') {
				depth++;
			} else if (sample[q] == '}' || sample[q] == ']') {
				if (depth-- == 0)
					break;
			} else if (sample[q] == ',' && depth == 0) {
				break;
			}
		}
		if (q >= len || sample[q - 1] == '[' || sample[i - 1] == '[')
			continue;
		/* repeated: the member and ", " inserted before itself */
		memcpy(buf, sample, i);
		memcpy(buf + i, sample + i, q - i);
		memcpy(buf + q, ", ", 2);
		memcpy(buf + q + 2, sample + i, len - i);
		one_text(buf, len + (q - i) + 2, "repeated", i, 0);
		/* dropped (with the comma after it, or before it if the last) */
		if (sample[q] == ',') {
			memcpy(buf, sample, i);
			memcpy(buf + i, sample + q + 1, len - q - 1);
			one_text(buf, i + len - q - 1, "dropped", i, 0);
		}
	}
	ck_assert_uint_gt(n_refused, 100);
	ck_assert_uint_gt(n_loaded, 5);
	free(buf);
}
END_TEST

/* The sample with the first entry of some sections copied twice before
 * it, a key field changed (field: its text in the entry, then two others):
 * entries whose members mostly hold the same values as the entry before. */
static char *sample_with_copies(void)
{
	static const char *const copies[][4] = {
		{ " \"channels\": [\n", "\"port\": 502,", "\"port\": 503,", "\"port\": 504," },
		{ " \"transitions\": [\n", "\"port\": 502,", "\"port\": 503,", "\"port\": 504," },
		{ " \"values\": [\n", "\"index\": 5,", "\"index\": 7,", "\"index\": 8," },
	};
	size_t len = strlen(sample), n, i, c;
	char *text = malloc(4 * len), *at, *e, *f, *orig;

	ck_assert_ptr_nonnull(text);
	memcpy(text, sample, len + 1);
	for (i = 0; i < sizeof(copies) / sizeof(copies[0]); i++) {
		at = strstr(text, copies[i][0]);
		ck_assert_ptr_nonnull(at);
		at += strlen(copies[i][0]);     /* the first entry's line */
		e = strstr(at, "}\n");          /* the last entry's end, or the first's */
		f = strstr(at, "},\n");
		ck_assert_ptr_nonnull(e);
		if (f && f < e)
			e = f;
		n = (size_t)(e + 1 - at);       /* the entry, without ",\n" or "\n" */
		orig = strndup(at, n);
		ck_assert_ptr_nonnull(orig);
		for (c = 2; c >= 1; c--) {
			len = strlen(text);
			memmove(at + n + 2, at, len - (size_t)(at - text) + 1);
			memcpy(at, orig, n);
			memcpy(at + n, ",\n", 2);
			f = strstr(at, copies[i][1]);
			ck_assert(f != NULL && f < at + n);
			ck_assert_uint_eq(strlen(copies[i][1]), strlen(copies[i][c + 1]));
			memcpy(f, copies[i][c + 1], strlen(copies[i][1]));
		}
		free(orig);
	}
	return text;
}

/* The sample with copies, as saved (each member on a line of its own,
 * indented), one byte at a time changed: a member's text mostly matches
 * the same member's of the entry before (its value too), which the direct
 * reader compares a word at a time instead of reading it again. */
START_TEST(readers_agree_on_changed_saved_bytes)
{
	static const char subst[] = " _\":,x}\n1";
	char *text = sample_with_copies();
	size_t len, at;
	char *buf;

	write_text(text, strlen(text));
	one_file("copies", 0, 1);
	free(text);
	resave_path();
	one_file("copies saved", 0, 1);
	buf = read_path(&len);
	ck_assert_uint_gt(len, 1000);
	n_loaded = n_refused = 0;
	for (at = 0; at < len; at++) {
		char was = buf[at], ch = subst[at % (sizeof(subst) - 1)];

		if (ch == was)
			ch = 'y';
		buf[at] = ch;
		one_text(buf, len, "changed", at, 0);
		buf[at] = was;
	}
	ck_assert_uint_gt(n_loaded, 50);
	ck_assert_uint_gt(n_refused, len / 2);
	free(buf);
}
END_TEST

/* A MAC address in the file: read as "%2x:%2x:%2x:%2x:%2x:%2x" of 17
 * characters reads it (the loader reads the usual form itself), or refused. */
START_TEST(macs_read_as_sscanf_reads_them)
{
	static const char *const macs[] = {
		"10:98:19:00:00:a1", "AA:bb:0C:dD:Ee:fF", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00",
		"+1:02:03:04:05:06", " 1:02:03:04:05:06", "aa:bb:cc:dd:ee:fg", "aa:bb:cc:dd:ee:f",
		"aa:bb:cc:dd:ee:ff:", "aa-bb-cc-dd-ee-ff", "aa:bb:cc:dd:ee:ff0", "g0:00:00:00:00:00",
		"0x:00:00:00:00:00", "", ":::::::::::::::::",
	};
	const char *at = strstr(sample, "10:98:19:00:00:a1");
	size_t len = strlen(sample), i, ml;
	char *buf = malloc(len + 64), err[512];

	ck_assert_ptr_nonnull(at);
	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
		unsigned v[6];
		int ok = sscanf(macs[i], "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3], &v[4],
				&v[5]) == 6 && strlen(macs[i]) == 17;
		struct baseline *b;
		int k;

		ml = strlen(macs[i]);
		memcpy(buf, sample, (size_t)(at - sample));
		memcpy(buf + (at - sample), macs[i], ml);
		memcpy(buf + (at - sample) + ml, at + 17, len - (size_t)(at - sample) - 17);
		write_text(buf, len - 17 + ml);
		one_file(macs[i], 0, 0);
		b = baseline_load(path, bl_defaults(), err, sizeof(err));
		ck_assert_msg((b != NULL) == ok, "%s: %s", macs[i], b ? "read" : err);
		if (b) {
			ck_assert_uint_eq(b->head->nmac, 2);
			for (k = 0; k < 6; k++)
				ck_assert_uint_eq(b->head->macs[0][k], v[k]);
		}
		baseline_free(b);
	}
	free(buf);
}
END_TEST

/* An entry whose member holds an object of many members: the inner object
 * is read while the entry is, and what the direct reader remembers of the
 * one must not stand for the other (a repeated key after the inner object
 * is still a repeated key). */
START_TEST(readers_agree_on_nested_objects)
{
	const char *assets = strstr(sample, "\"assets\": [") + strlen("\"assets\": [");
	char entry[2][1024], *buf;
	size_t len = strlen(sample), n, at, k;
	int e;

	buf = malloc(len + sizeof(entry) + 16);
	ck_assert_ptr_nonnull(buf);
	for (e = 0; e < 2; e++) {
		/* "ip", p1..p10, then "obj" (13 members, the last "ip"), then
		 * "count" (the first entry) or "ip" again (the second) */
		n = (size_t)snprintf(entry[e], sizeof(entry[e]), "{\"ip\": \"10.0.0.%d\"", e + 1);
		for (k = 1; k <= 10; k++)
			n += (size_t)snprintf(entry[e] + n, sizeof(entry[e]) - n, ", \"p%zu\": 1", k);
		n += (size_t)snprintf(entry[e] + n, sizeof(entry[e]) - n, ", \"obj\": {\"c0\": 0");
		for (k = 1; k <= 11; k++)
			n += (size_t)snprintf(entry[e] + n, sizeof(entry[e]) - n, ", \"c%zu\": 0", k);
		n += (size_t)snprintf(entry[e] + n, sizeof(entry[e]) - n,
				      ", \"ip\": 0}, \"%s\": 1, \"macs\": [], \"vlans\": [],"
				      " \"count\": 1, \"first_seen\": 1.0, \"last_seen\": 1.0},",
				      e ? "ip" : "refused");
		ck_assert_uint_lt(n, sizeof(entry[e]) - 1);
	}
	at = (size_t)(assets - sample);
	memcpy(buf, sample, at);
	n = at;
	for (e = 0; e < 2; e++) {
		memcpy(buf + n, entry[e], strlen(entry[e]));
		n += strlen(entry[e]);
	}
	memcpy(buf + n, sample + at, len - at);
	n += len - at;
	n_loaded = n_refused = 0;
	one_text(buf, n, "nested, repeated after", 0, 0);
	ck_assert_uint_eq(n_refused, 1);
	/* the second entry like the first but for its address: valid */
	memcpy(strstr(buf + at + strlen(entry[0]), "\"ip\": 1, \"macs\""), "\"xy\"", 4);
	one_text(buf, n, "nested", 0, 1);
	ck_assert_uint_eq(n_loaded, 1);
	free(buf);
}
END_TEST

/* Other layouts: the header after the sections (read by the direct
 * reader), a section out of its order (left to the tree), the sections
 * in reverse order; the same model. */
START_TEST(readers_agree_on_layouts)
{
	const char *sections = strstr(sample, " \"assets\": [");
	const char *io = strstr(sample, " \"io_streams\": [");
	size_t len = strlen(sample), hl, sl, il;
	char *buf = malloc(2 * len + 16);

	ck_assert_ptr_nonnull(sections);
	ck_assert_ptr_nonnull(io);
	ck_assert_ptr_nonnull(buf);
	hl = (size_t)(sections - sample) - 4;   /* after "{\n", before ",\n" and "assets" */
	sl = len - (size_t)(sections - sample) - 3;     /* ... before "\n}\n" */
	il = len - (size_t)(io - sample) - 3;

	n_loaded = 0;
	/* the sections, then the header */
	snprintf(buf, 2 * len + 16, "{\n%.*s,\n%.*s\n}\n", (int)sl, sections, (int)hl, sample + 2);
	one_text(buf, strlen(buf), "header last", 0, 1);

	/* io_streams first: the sections after it are out of order */
	snprintf(buf, 2 * len + 16, "%.*s%.*s,\n%.*s\n}\n", (int)(sections - sample), sample,
		 (int)il, io, (int)((size_t)(io - sections) - 2), sections);
	one_text(buf, strlen(buf), "io_streams first", 0, 0);
	ck_assert_uint_eq(n_loaded, 2);        /* both valid */
	free(buf);
}
END_TEST

/* The key cap and its message hold on the direct path too. */
START_TEST(readers_agree_over_the_cap)
{
	struct bl_config cfg = *bl_defaults();
	char err_s[256], err_t[256], err_l[256];

	write_text(sample, strlen(sample));
	cfg.max_keys = 10;
	ck_assert_ptr_null(bl_load_streamed(path, &cfg, err_s, sizeof(err_s)));
	ck_assert_ptr_null(bl_load_tree(path, &cfg, err_t, sizeof(err_t)));
	ck_assert_ptr_null(baseline_load(path, &cfg, err_l, sizeof(err_l)));
	ck_assert_str_eq(err_l, err_t);
	ck_assert_ptr_nonnull(strstr(err_t, "more entries than --max-baseline-keys (10) allows"));
}
END_TEST

static Suite *load_suite(void)
{
	Suite *s = suite_create("baseline_load");
	TCase *tc = tcase_create("readers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, readers_agree_on_valid_files);
	tcase_add_test(tc, readers_agree_on_cut_files);
	tcase_add_test(tc, readers_agree_on_mistyped_values);
	tcase_add_test(tc, readers_agree_on_missing_and_repeated_keys);
	tcase_add_test(tc, readers_agree_on_changed_saved_bytes);
	tcase_add_test(tc, macs_read_as_sscanf_reads_them);
	tcase_add_test(tc, readers_agree_on_nested_objects);
	tcase_add_test(tc, readers_agree_on_layouts);
	tcase_add_test(tc, readers_agree_over_the_cap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(load_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
