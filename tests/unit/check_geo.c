/*
 * check_geo.c - GeoIP over two small databases built by
 * tests/make_test_mmdb.pl (city and ASN): fields from both, internal
 * addresses never looked up, public addresses flagged without a database,
 * IPv6, and a clear error for a bad path.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "geo.h"

static char dir[] = "/tmp/check_geo_XXXXXX";
static char city_db[300], asn_db[300];

static int build_dbs(void)
{
	const char *src = getenv("OTS_TOP_SRCDIR");
	char cmd[1200];

	if (!mkdtemp(dir))
		return -1;
	snprintf(city_db, sizeof(city_db), "%s/city.mmdb", dir);
	snprintf(asn_db, sizeof(asn_db), "%s/asn.mmdb", dir);
	snprintf(cmd, sizeof(cmd), "perl '%s/tests/e2e/make_test_mmdb.pl' '%s' '%s'",
		 src ? src : OTS_SRCDIR, city_db, asn_db);
	return system(cmd) == 0 ? 0 : -1;
}

static struct geo *open_both(void)
{
	const char *paths[2] = { city_db, asn_db };
	char err[256] = "";
	struct geo *g = geo_open(paths, 2, err, sizeof(err));

	ck_assert_msg(g != NULL, "%s", err);
	return g;
}

static void ip(const char *s, struct ot_ip *a)
{
	ck_assert_int_eq(ot_ip_parse(s, a), 0);
}

START_TEST(city_and_asn_from_two_databases)
{
	struct geo *g = open_both();
	struct geo_info gi;
	struct ot_ip a;

	ip("8.8.8.8", &a);
	ck_assert_int_eq(geo_lookup(g, &a, &gi), 1);
	ck_assert(gi.external && gi.found);
	ck_assert_str_eq(gi.country, "US");
	ck_assert_str_eq(gi.country_name, "United States");
	ck_assert_str_eq(gi.city, "Mountain View");
	ck_assert_uint_eq(gi.asn, 15169);
	ck_assert_str_eq(gi.as_org, "GOOGLE");

	ip("193.0.3.4", &a);
	geo_lookup(g, &a, &gi);
	ck_assert_str_eq(gi.country, "NL");
	ck_assert_str_eq(gi.city, "Amsterdam");
	ck_assert_uint_eq(gi.asn, 3333);

	/* country only: no city, no ASN */
	ip("141.81.0.10", &a);
	geo_lookup(g, &a, &gi);
	ck_assert_str_eq(gi.country, "DE");
	ck_assert_str_eq(gi.city, "");
	ck_assert_uint_eq(gi.asn, 0);

	ip("2001:4860::8888", &a);
	ck_assert_int_eq(geo_lookup(g, &a, &gi), 1);
	ck_assert_str_eq(gi.country, "US");
	ck_assert_int_eq(geo_count(g), 2);
	geo_close(g);
}
END_TEST

START_TEST(internal_and_unknown_addresses)
{
	static const char *const internal[] = {
		"10.1.2.3", "192.168.1.1", "172.16.5.5", "169.254.1.1", "127.0.0.1",
		"192.0.2.7", "fe80::1", "fd00::1", "224.0.0.1",
	};
	struct geo *g = open_both();
	struct geo_info gi;
	struct ot_ip a;
	uint64_t lookups, errors;
	size_t i;

	for (i = 0; i < sizeof(internal) / sizeof(internal[0]); i++) {
		ip(internal[i], &a);
		ck_assert_msg(geo_lookup(g, &a, &gi) == 0, "%s flagged external", internal[i]);
		ck_assert(!gi.external && !gi.found);
	}
	geo_counters(g, &lookups, &errors);
	ck_assert_uint_eq(lookups, 0);          /* never asked the databases */

	ip("9.9.9.9", &a);                      /* public, in no database */
	ck_assert_int_eq(geo_lookup(g, &a, &gi), 1);
	ck_assert(gi.external && !gi.found);
	ck_assert_str_eq(gi.country, "");
	geo_counters(g, &lookups, &errors);
	ck_assert_uint_eq(lookups, 2);
	ck_assert_uint_eq(errors, 0);
	geo_close(g);
}
END_TEST

START_TEST(no_database_still_flags_external)
{
	struct geo *g;
	struct geo_info gi;
	struct ot_ip a;
	char err[64];

	ip("8.8.8.8", &a);
	ck_assert_int_eq(geo_lookup(NULL, &a, &gi), 1);
	ck_assert(gi.external && !gi.found);
	g = geo_open(NULL, 0, err, sizeof(err));
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(geo_lookup(g, &a, &gi), 1);
	ck_assert(!gi.found);
	geo_close(g);
	geo_close(NULL);
}
END_TEST

START_TEST(bad_path_is_a_clear_error)
{
	const char *paths[2] = { city_db, "/nonexistent/GeoLite2-ASN.mmdb" };
	const char *notdb[1] = { "/etc/hostname" };
	char err[256] = "";

	ck_assert_ptr_null(geo_open(paths, 2, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/GeoLite2-ASN.mmdb"));
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_null(geo_open(notdb, 1, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/etc/hostname"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("geo");
	TCase *tc = tcase_create("maxminddb");
	SRunner *sr;
	char cmd[400];
	int failed;

	if (build_dbs() < 0) {
		fputs("check_geo: cannot build the test databases (libmaxmind-db-writer-perl?)\n", stderr);
		return 77;
	}
	tcase_add_test(tc, city_and_asn_from_two_databases);
	tcase_add_test(tc, internal_and_unknown_addresses);
	tcase_add_test(tc, no_database_still_flags_external);
	tcase_add_test(tc, bad_path_is_a_clear_error);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fputs("check_geo: could not remove the temporary directory\n", stderr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
