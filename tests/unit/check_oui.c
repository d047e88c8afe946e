/*
 * check_oui.c - the IEEE registry table: CSV parsing (quoted names,
 * malformed lines), longest-prefix lookup over MA-L / MA-M / MA-S, sibling
 * files, errors, and the installed registry when present.
 */
#include <check.h>
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

static Suite *oui_suite(void)
{
	Suite *s = suite_create("oui");
	TCase *tc = tcase_create("registry");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, parses_quoted_and_skips_malformed);
	tcase_add_test(tc, longest_prefix_wins);
	tcase_add_test(tc, errors_are_one_line);
	tcase_add_test(tc, mac_bits);
	tcase_add_test(tc, installed_registry);
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
