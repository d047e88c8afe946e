/*
 * check_oui.c - the IEEE registry table: CSV parsing (quoted names,
 * malformed lines), longest-prefix lookup over MA-L / MA-M / MA-S, sibling
 * files, errors, and the installed registry when present.
 */
#include <check.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "oui.h"

static char dir[] = "/tmp/check_oui_XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

static void write_bytes(const char *name, const char *text, size_t len)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	fclose(fp);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file("oui.csv",
		   "Registry,Assignment,Organization Name,Organization Address\n"
		   "MA-L,00000C,\"Cisco Systems, Inc\",170 West Tasman Dr. San Jose CA US 95134 \n"
		   "MA-L,000054,Schneider Electric,\"35, rue Joseph Monier Rueil FR 92506 \"\n"
		   "MA-L,001B1B,\"Siemens AG,\",Karlsruhe DE \n"
		   "MA-L,70B3D5,IEEE Registration Authority,445 Hoes Lane Piscataway NJ US 08554 \n"
		   "MA-L,ZZ1234,Bad Hex Ltd,nowhere\n"
		   "MA-L,12345,Short Ltd,nowhere\n"
		   "garbage line without commas\n"
		   "MA-L,001B1B,Siemens duplicate,ignored\n");
	write_file("mam.csv",
		   "Registry,Assignment,Organization Name,Organization Address\n"
		   "MA-M,70B3D51,\"Quoted \"\"Name\"\" GmbH\",Somewhere DE\n");
	write_file("oui36.csv",
		   "Registry,Assignment,Organization Name,Organization Address\n"
		   "MA-S,70B3D5F2F,TELEPLATFORMS,\"Polbina st., 3/1 Moscow  RU 109388 \"\n");
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/check_oui_XXXXXX");
}

/*
 * The reference: the registry format read the plain way, one byte at a
 * time, to hold the loader to.  A file is cut into lines at each newline
 * (kept with its line), a line running 1023 bytes without one being cut
 * there; a line is read as a C string (a NUL ends it).  Fields: a quoted
 * field runs to its closing quote ("" is one quote; no closing quote: to the
 * line's end, newline and all), then unquoted text to the next ',', CR or
 * LF; each field is cut (registry and assignment at 31 bytes, the name at
 * 120), then trailing blanks and tabs go.  The name loses trailing commas
 * and blanks.  A line whose fields run out, whose assignment is not 6, 7 or
 * 9 hex digits or whose name is empty is skipped; a first line opening with
 * "Registry," is the header.  Of two lines with one prefix the first read
 * wins.  Lookups: 36, then 28, then 24 bits.
 */
#define REF_NAME_MAX 120
#define REF_LINE_MAX 1023

struct ref_ent {
	uint64_t prefix;
	unsigned bits;
	size_t order;
	char name[REF_NAME_MAX + 1];
};

struct ref_db {
	struct ref_ent *ent;
	size_t n, cap, skipped, valid;
};

static int ref_field(const char *s, size_t *pos, char *out, size_t cap)
{
	size_t i = *pos, o = 0;
	int at_end = s[i] == '\0' || s[i] == '\n' || s[i] == '\r';

	if (at_end && i > 0 && s[i - 1] == ',') {       /* an empty last field */
		*out = '\0';
		return 0;
	}
	if (at_end)
		return -1;
	if (s[i] == '"') {
		for (i++; s[i] != '\0';) {
			if (s[i] == '"' && s[i + 1] == '"') {
				if (o < cap - 1)
					out[o++] = '"';
				i += 2;
			} else if (s[i] == '"') {
				i++;
				break;
			} else {
				if (o < cap - 1)
					out[o++] = s[i];
				i++;
			}
		}
	}
	for (; s[i] != '\0' && s[i] != ',' && s[i] != '\n' && s[i] != '\r'; i++)
		if (o < cap - 1)
			out[o++] = s[i];
	for (; o > 0 && strchr(" \t", out[o - 1]) && out[o - 1] != '\0'; o--)
		;                       /* trailing blanks and tabs */
	out[o] = '\0';
	*pos = i + (s[i] == ',');      /* past the separator */
	return 0;
}

static void ref_line(struct ref_db *r, const char *s, int first)
{
	char reg[32], asg[32], name[REF_NAME_MAX + 1];
	size_t pos = 0, len, i;
	uint64_t prefix = 0;

	if (first && strncmp(s, "Registry,", 9) == 0)
		return;
	if (ref_field(s, &pos, reg, sizeof(reg)) < 0 || ref_field(s, &pos, asg, sizeof(asg)) < 0 ||
	    ref_field(s, &pos, name, sizeof(name)) < 0) {
		r->skipped++;
		return;
	}
	len = strlen(asg);
	for (i = 0; i < len && isxdigit((unsigned char)asg[i]); i++) {
		char d[2] = { asg[i], 0 };

		prefix = prefix << 4 | strtoul(d, NULL, 16);
	}
	if (i < len || (len != 6 && len != 7 && len != 9)) {
		r->skipped++;
		return;
	}
	len = strlen(name);
	while (len > 0 && (name[len - 1] == ',' || name[len - 1] == ' '))
		name[--len] = '\0';
	if (len == 0) {
		r->skipped++;
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->ent = realloc(r->ent, r->cap * sizeof(*r->ent));
		ck_assert_ptr_nonnull(r->ent);
	}
	r->ent[r->n].prefix = prefix;
	r->ent[r->n].bits = (unsigned)(4 * strlen(asg));
	r->ent[r->n].order = r->n;
	strcpy(r->ent[r->n].name, name);
	r->n++;
	r->valid++;
}

/* The lines of one file; -1 when it cannot be read or holds no valid line. */
static int ref_file(struct ref_db *r, const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *text = NULL, line[REF_LINE_MAX + 1];
	size_t len = 0, cap = 0, pos = 0, before = r->valid, got;
	int first = 1;

	if (!fp)
		return -1;
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			text = realloc(text, cap);
			ck_assert_ptr_nonnull(text);
		}
		got = fread(text + len, 1, cap - len, fp);
		len += got;
	} while (got > 0);
	fclose(fp);
	while (pos < len) {
		size_t ll = 0;

		while (pos + ll < len && ll < REF_LINE_MAX) {
			line[ll] = text[pos + ll];
			if (text[pos + ll++] == '\n')
				break;
		}
		line[ll] = '\0';
		ref_line(r, line, first);
		first = 0;
		pos += ll;
	}
	free(text);
	return r->valid == before ? -1 : 0;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct ref_ent *x = a, *y = b;
	uint64_t kx = (uint64_t)x->bits << 40 | x->prefix, ky = (uint64_t)y->bits << 40 | y->prefix;

	if (kx != ky)
		return kx < ky ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* Sorted by (bits, prefix), the first read of each kept. */
static void ref_finish(struct ref_db *r)
{
	size_t i, o = 0;

	qsort(r->ent, r->n, sizeof(*r->ent), ref_cmp);
	for (i = 0; i < r->n; i++)
		if (o == 0 || r->ent[o - 1].bits != r->ent[i].bits ||
		    r->ent[o - 1].prefix != r->ent[i].prefix)
			r->ent[o++] = r->ent[i];
	r->n = o;
}

static const char *ref_lookup(const struct ref_db *r, const uint8_t mac[6])
{
	static const unsigned order[] = { 36, 28, 24 };
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < 6; i++)
		m = m << 8 | mac[i];
	for (i = 0; i < 3; i++) {
		struct ref_ent key = { .prefix = m >> (48 - order[i]), .bits = order[i] };
		size_t lo = 0, hi = r->n;

		while (lo < hi) {       /* the first entry not below key */
			size_t mid = lo + (hi - lo) / 2;

			if (r->ent[mid].bits < key.bits ||
			    (r->ent[mid].bits == key.bits && r->ent[mid].prefix < key.prefix))
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < r->n && r->ent[lo].bits == key.bits && r->ent[lo].prefix == key.prefix)
			return r->ent[lo].name;
	}
	return NULL;
}

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state = rng_state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (uint32_t)(rng_state >> 33);
}

static void mac_of(uint64_t prefix, unsigned bits, uint64_t low, uint8_t mac[6])
{
	uint64_t m = prefix << (48 - bits) | (low & ((UINT64_C(1) << (48 - bits)) - 1));
	int i;

	for (i = 5; i >= 0; i--, m >>= 8)
		mac[i] = (uint8_t)m;
}

/*
 * Load path (with its siblings) both ways and hold every answer of the
 * loader to the reference's: the counts, and the lookup of each entry's
 * block (its first, last and a random address) and of random addresses.
 */
static void compare_with_reference(const char *path, int with_siblings)
{
	static const char *const siblings[] = { "mam.csv", "oui36.csv", "iab.csv" };
	struct ref_db r = { 0 };
	char err[512] = "", sib[512];
	struct oui_db *db = oui_load(path, with_siblings, err, sizeof(err));
	const char *slash = strrchr(path, '/');
	size_t i, k, checked = 0;

	if (ref_file(&r, path) < 0) {
		ck_assert_msg(db == NULL, "%s loaded, the reference finds nothing valid", path);
		free(r.ent);
		return;
	}
	ck_assert_msg(db != NULL, "%s: %s", path, err);
	for (i = 0; with_siblings && i < 3; i++) {
		snprintf(sib, sizeof(sib), "%.*s%s", (int)(slash - path + 1), path, siblings[i]);
		if (strcmp(sib, path) != 0)
			(void)ref_file(&r, sib);
	}
	ref_finish(&r);
	ck_assert_uint_eq(oui_count(db), r.n);
	ck_assert_uint_eq(oui_skipped(db), r.skipped);
	for (i = 0; i < r.n; i++) {
		for (k = 0; k < 3; k++) {
			uint64_t low = k == 0 ? 0 : k == 1 ? ~UINT64_C(0) : (uint64_t)rng() << 16 ^ rng();
			uint8_t mac[6];
			const char *got, *want;

			mac_of(r.ent[i].prefix, r.ent[i].bits, low, mac);
			got = oui_lookup(db, mac);
			want = ref_lookup(&r, mac);
			/* a passed ck_assert costs a write: asserted only when wrong */
			if (!got || !want || strcmp(got, want) != 0)
				ck_abort_msg("%s: %02x%02x%02x%02x%02x%02x gives \"%s\", the reference \"%s\"",
					     path, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
					     got ? got : "(none)", want ? want : "(none)");
			checked++;
		}
	}
	for (i = 0; i < 20000; i++) {
		uint8_t mac[6];
		const char *got, *want;

		mac_of((uint64_t)rng() << 16 ^ rng(), 48, 0, mac);
		if (i % 2 && r.n) {     /* near a registered block */
			const struct ref_ent *e = &r.ent[rng() % r.n];

			mac_of(e->prefix >> 4, e->bits - 4, (uint64_t)rng() << 16 ^ rng(), mac);
		}
		got = oui_lookup(db, mac);
		want = ref_lookup(&r, mac);
		if ((got || want) && (!got || !want || strcmp(got, want) != 0))
			ck_abort_msg("%s: random %02x%02x%02x%02x%02x%02x gives \"%s\", the reference \"%s\"",
				     path, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
				     got ? got : "(none)", want ? want : "(none)");
	}
	ck_assert_uint_eq(checked, 3 * r.n);
	oui_free(db);
	free(r.ent);
}

static struct oui_db *load(int siblings)
{
	char path[256], err[256] = "";
	struct oui_db *db;

	snprintf(path, sizeof(path), "%s/oui.csv", dir);
	db = oui_load(path, siblings, err, sizeof(err));
	ck_assert_msg(db != NULL, "load failed: %s", err);
	return db;
}

START_TEST(parses_quoted_and_skips_malformed)
{
	const uint8_t cisco[6] = { 0x00, 0x00, 0x0c, 1, 2, 3 };
	const uint8_t schneider[6] = { 0x00, 0x00, 0x54, 0x14, 0xf2, 0x4f };
	const uint8_t siemens[6] = { 0x00, 0x1b, 0x1b, 0, 0, 1 };
	const uint8_t none[6] = { 0x02, 0x42, 0xac, 0x11, 0, 2 };
	struct oui_db *db = load(0);

	ck_assert_uint_eq(oui_count(db), 4);    /* duplicate prefix kept once */
	ck_assert_uint_eq(oui_skipped(db), 3);  /* bad hex, short, garbage */
	ck_assert_str_eq(oui_lookup(db, cisco), "Cisco Systems, Inc");
	ck_assert_str_eq(oui_lookup(db, schneider), "Schneider Electric");
	ck_assert_str_eq(oui_lookup(db, siemens), "Siemens AG");
	ck_assert_ptr_null(oui_lookup(db, none));
	ck_assert_ptr_null(oui_lookup(NULL, cisco));
	oui_free(db);
	oui_free(NULL);
}
END_TEST

START_TEST(longest_prefix_wins)
{
	const uint8_t mas[6] = { 0x70, 0xb3, 0xd5, 0xf2, 0xf0, 0x01 };  /* 70B3D5F2F */
	const uint8_t mam[6] = { 0x70, 0xb3, 0xd5, 0x1a, 0x00, 0x01 };  /* 70B3D51 */
	const uint8_t mal[6] = { 0x70, 0xb3, 0xd5, 0x99, 0x00, 0x01 };  /* 70B3D5 only */
	struct oui_db *db = load(0);

	/* without the sibling files only the MA-L block answers */
	ck_assert_str_eq(oui_lookup(db, mas), "IEEE Registration Authority");
	oui_free(db);

	db = load(1);
	ck_assert_uint_eq(oui_count(db), 6);
	ck_assert_str_eq(oui_lookup(db, mas), "TELEPLATFORMS");
	ck_assert_str_eq(oui_lookup(db, mam), "Quoted \"Name\" GmbH");
	ck_assert_str_eq(oui_lookup(db, mal), "IEEE Registration Authority");
	oui_free(db);
}
END_TEST

START_TEST(errors_are_one_line)
{
	char err[256] = "", path[256];

	ck_assert_ptr_null(oui_load("/nonexistent/oui.csv", 1, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/oui.csv"));
	ck_assert_ptr_null(strchr(err, '\n'));
	write_file("empty.csv", "Registry,Assignment,Organization Name,Organization Address\n");
	snprintf(path, sizeof(path), "%s/empty.csv", dir);
	ck_assert_ptr_null(oui_load(path, 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "no valid entry"));
}
END_TEST

START_TEST(mac_bits)
{
	const uint8_t local[6] = { 0x02, 0, 0, 0, 0, 1 };
	const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t uni[6] = { 0x00, 0x1b, 0x1b, 0, 0, 1 };

	ck_assert(oui_mac_is_local(local));
	ck_assert(!oui_mac_is_local(uni));
	ck_assert(oui_mac_is_group(bcast));
	ck_assert(!oui_mac_is_group(uni));
}
END_TEST

START_TEST(installed_registry)
{
	const uint8_t schneider[6] = { 0x00, 0x00, 0x54, 0x14, 0xf2, 0x4f };
	const uint8_t siemens[6] = { 0x00, 0x1b, 0x1b, 0x01, 0x02, 0x03 };
	char err[256];
	struct oui_db *db;

	if (access(OTS_OUI_FILE, R_OK) != 0)
		return;         /* ieee-data not installed: nothing to compare */
	db = oui_load(OTS_OUI_FILE, 1, err, sizeof(err));
	ck_assert_msg(db != NULL, "%s", err);
	ck_assert_uint_gt(oui_count(db), 30000);
	ck_assert_ptr_nonnull(strstr(oui_lookup(db, schneider), "Schneider"));
	ck_assert_ptr_nonnull(strstr(oui_lookup(db, siemens), "Siemens"));
	oui_free(db);
}
END_TEST

START_TEST(installed_registry_matches_reference)
{
	static const char *const files[] = { "oui.csv", "mam.csv", "oui36.csv", "iab.csv" };
	const char *slash = strrchr(OTS_OUI_FILE, '/');
	char path[512];
	size_t i;

	if (access(OTS_OUI_FILE, R_OK) != 0)
		return;         /* ieee-data not installed: nothing to compare */
	rng_state = 1;
	compare_with_reference(OTS_OUI_FILE, 1);
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%.*s%s", (int)(slash - OTS_OUI_FILE + 1), OTS_OUI_FILE, files[i]);
		if (access(path, R_OK) == 0)
			compare_with_reference(path, 0);
	}
}
END_TEST

/* Lines that take every turn of the parser: quotes, "" escapes, commas and
 * newlines inside quotes, CR, NUL, blanks, tabs, cuts, bad assignments,
 * lines past 1023 bytes, duplicates, the last line without its newline. */
START_TEST(tricky_lines_match_reference)
{
	static const char lines[] =
		"Registry,Assignment,Organization Name,Organization Address\r\n"
		"MA-L,001122,\"Comma, Inc\",addr\r\n"
		"MA-L,001123,\"Esc \"\"q\"\" Ltd\",a\r\n"
		"MA-L,001124,\"\"\"Lead\",a\n"
		"MA-L,001125,\"\",a\n"
		"MA-L,001126,\"Tail\" more,a\n"
		"MA-L,001127,\"Unterminated name, addr\r\n"
		"MA-L,001128,\"Name\nsplit\",a\n"
		"MA-L,001129,Name,\"addr\nsecond line\"\r\n"
		"MA-L,00112A,NoAddress\r\n"
		"MA-L,00112B,NoAddressLF\n"
		"MA-L,00112D,\r\n"
		"MA-L,00112E\n"
		"MA-L,00112F,Name ,\n"
		"MA-L,001130,Name\t\t,\n"
		"MA-L,001131,\"Name,,, \",\n"
		"MA-L,001132,\"Name\t,\",x\n"
		"MA-L,001133,\"Name \t\",x\n"
		"MA-L,00113,Short\n"
		"MA-L,0011334,Seven\n"
		"MA-L,00113355,Eight\n"
		"MA-L,001133557,Nine\n"
		"MA-L,0011335577,Ten\n"
		"MA-L,00G133,BadHex\n"
		"MA-L,\"001134\",QuotedAsg\n"
		"MA-L, 001135,LeadingSpace\n"
		"MA-L,001136 ,TrailingSpaceAsg\n"
		"MA-L,001137\t,Tab\n"
		"MA-L,001140                              x,CutAsg\n"
		"MA-L,aabbcc,lower\n"
		"MA-L,AaBbCd,Mixed\n"
		"\"MA-L\",001138,QuotedReg\n"
		",001139,EmptyReg\n"
		"\"MA\"\"L\" x,00113F,OddReg\n"
		"MA-L\r\n"
		"\r\n"
		"\n"
		"garbage\n"
		"MA-L,00113A,Nul\0Name,a\n"
		"MA-L,00113B\0,x\n"
		"MA-L,00113C,Name,addr\0more\n"
		"MA-L,001141,Name\r,more\n"
		"Registry,Assignment,Organization Name,Organization Address\n"
		"MA-L,001142,CR only\rMA-L,001143,Second\r\n"
		"MA-L,001144,\"Q\"\r\n"
		"MA-L,001145,\"A\rB\",x\n"
		"MA-L,001146, Lead\n"
		"MA-L,001147,Tab\tIn\x01\x0b\x0c,x\n"
		"MA-L,001148,Sn\xc3\xa5sa \x8e\xff AS,x\n"
		"MA-L,001149,\"\xc3\xa5\x0d\x0e\x0a\n"
		"MA-L,001122,Duplicate\n"
		"MA-M,0011221,Sub28\n"
		"MA-S,001122333,Sub36\n"
		"IAB,00112233F,Iab36\n"
		"MA-S,001122333,Sub36 again\n"
		"MA-L,00114A,\"Two\"\"\",x\n"
		"MA-L,00114B,\"Open\"\"\n"
		"MA-L,00114C,,x\n"
		"MA-L,00114D,\" \",x\n"
		"MA-L,00114E,Ends in comma,,\n";
	static const char mam[] = "MA-M,0011221,Later sub28\r\nMA-L,001122,Later\r\n\"";
	static const char iab[] = "IAB,00112233F,,\r\nIAB,00112233E,\"Iab\"\r";
	char *text = malloc(20000), *t = text, path[256];
	size_t i, line_start;

	ck_assert_ptr_nonnull(text);
	memcpy(t, lines, sizeof(lines) - 1);
	t += sizeof(lines) - 1;
	/* names about the cut: 119, 120, 121 and 200 bytes; a blank or an
	 * escaped quote where it falls */
	for (i = 0; i < 8; i++) {
		static const size_t at[] = { 119, 120, 121, 200 };
		size_t k;

		t += sprintf(t, "MA-L,0022%02zX,%s", i, i < 4 ? "" : "\"");
		for (k = 0; k < at[i % 4]; k++)
			*t++ = (char)('a' + k % 26);
		t += sprintf(t, "%s", i < 4 ? "  x," : "\"\" ,\",");
		t += sprintf(t, "addr\r\n");
		t += sprintf(t, "MA-L,0023%02zX,", i);
		for (k = 0; k + 1 < at[i % 4]; k++)
			*t++ = 'N';
		t += sprintf(t, i < 4 ? " ,, ,tail\n" : "\t\t  \t,tail\n");
	}
	/* a line past 1023 bytes: its piece after the cut is a record too */
	line_start = (size_t)(t - text);
	t += sprintf(t, "MA-L,00113D,Outer,");
	while ((size_t)(t - text) - line_start < 1023)
		*t++ = 'x';
	t += sprintf(t, "MA-L,00113E,Inner piece,x\n");
	t += sprintf(t, "MA-L,00115F,");
	for (i = 0; i < 2500; i++)
		*t++ = (char)(i % 50 == 49 ? ',' : 'y');
	t += sprintf(t, "\nMA-L,001160,\"quoted past the window");
	for (i = 0; i < 1100; i++)
		*t++ = 'z';
	t += sprintf(t, "\",x\n");
	t += sprintf(t, "MA-L,00112C,NoEnd");
	write_bytes("tricky.csv", text, (size_t)(t - text));
	snprintf(path, sizeof(path), "%s/tricky.csv", dir);
	rng_state = 2;
	compare_with_reference(path, 0);
	/* the same as oui.csv, with siblings that repeat some of its keys */
	write_bytes("oui.csv", text, (size_t)(t - text));
	write_bytes("mam.csv", mam, sizeof(mam) - 1);
	write_bytes("oui36.csv", lines + 60, sizeof(lines) - 61);
	write_bytes("iab.csv", iab, sizeof(iab) - 1);
	snprintf(path, sizeof(path), "%s/oui.csv", dir);
	compare_with_reference(path, 1);
	free(text);
}
END_TEST

/* One random line: a record, most of the time nearly well formed. */
static char *random_line(char *t)
{
	static const char *const regs[] = { "MA-L", "MA-M", "MA-S", "IAB", "\"MA-L\"", "", "MA-L " };
	static const char name_bytes[] = "abcXYZ019 ,,\"\"\t.-&\xc3\xa5\x8e";
	static const char *const ends[] = { "\r\n", "\r\n", "\n", "", "\r" };
	unsigned digits = (unsigned[]){ 6, 6, 7, 9, 9, 5, 8, 10 }[rng() % 8], i, len;
	int quoted = rng() % 3 == 0;

	t += sprintf(t, "%s,", regs[rng() % 7]);
	if (rng() % 20 == 0)
		*t++ = rng() % 2 ? '"' : ' ';
	/* few prefixes, so that keys repeat within and across files */
	for (i = 0; i < digits; i++) {
		unsigned v = i < 4 ? rng() % 2 : rng() % 16;

		*t++ = (char)(rng() % 50 == 0 ? 'g' : v < 10 ? '0' + v : (rng() % 2 ? 'a' : 'A') + v - 10);
	}
	t += sprintf(t, "%s", rng() % 20 == 0 ? "\t," : ",");
	len = rng() % 8 == 0 ? 100 + rng() % 60 : rng() % 40;
	if (quoted)
		*t++ = '"';
	for (i = 0; i < len; i++) {
		unsigned r = rng() % 1000;

		*t++ = r == 0 ? '\0' : r == 1 ? '\n' : r == 2 ? '\r' :
		       name_bytes[rng() % (sizeof(name_bytes) - 1)];
	}
	if (quoted && rng() % 10)
		*t++ = '"';
	if (rng() % 4)
		t += sprintf(t, ",%s", rng() % 3 ? "Some street 1 Town DE 12345 " : "\"Road 2, Town\"");
	if (rng() % 50 == 0)
		for (i = rng() % 2000; i > 0; i--)
			*t++ = (char)(i % 97 == 0 ? '\n' : 'w');
	return t + sprintf(t, "%s", ends[rng() % 5]);
}

START_TEST(random_lines_match_reference)
{
	static const char *const files[] = { "oui.csv", "mam.csv", "oui36.csv", "iab.csv" };
	size_t cap = 4000 * 2400, f, i;
	char *text = malloc(cap), path[256];
	uint64_t seed;

	ck_assert_ptr_nonnull(text);
	for (seed = 1; seed <= 4; seed++) {
		rng_state = seed;
		for (f = 0; f < 4; f++) {
			char *t = text;

			if (rng() % 2)
				t += sprintf(t, "Registry,Assignment,Organization Name,Organization Address\r\n");
			for (i = 0; i < 3000; i++)
				t = random_line(t);
			ck_assert_uint_lt((size_t)(t - text), cap);
			write_bytes(files[f], text, (size_t)(t - text));
		}
		snprintf(path, sizeof(path), "%s/oui.csv", dir);
		compare_with_reference(path, 1);
		compare_with_reference(path, 0);
	}
	free(text);
}
END_TEST

static Suite *oui_suite(void)
{
	Suite *s = suite_create("oui");
	TCase *tc = tcase_create("registry");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);     /* the comparisons read the registry twice */
	tcase_add_test(tc, parses_quoted_and_skips_malformed);
	tcase_add_test(tc, longest_prefix_wins);
	tcase_add_test(tc, errors_are_one_line);
	tcase_add_test(tc, mac_bits);
	tcase_add_test(tc, installed_registry);
	tcase_add_test(tc, installed_registry_matches_reference);
	tcase_add_test(tc, tricky_lines_match_reference);
	tcase_add_test(tc, random_lines_match_reference);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(oui_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
