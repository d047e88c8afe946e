/*
 * check_linefile.c - whole lines or none: a file size limit (RLIMIT_FSIZE,
 * the same short write and error a full disk gives) stops a flush part-way;
 * the file keeps whole lines only, the lost lines are counted exactly, and
 * writing resumes once there is room.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linefile.h"

#define LINE_LEN 36     /* + the newline: 37 bytes a line */

static char path[64];

static void make_line(char *buf, unsigned i)
{
	snprintf(buf, LINE_LEN + 1, "{\"n\":%08u,\"pad\":\"xxxxxxxxxxxxxx\"}", i);
}

/* Lines in the file; every one must be LINE_LEN bytes of the expected
 * text, in order from first. */
static unsigned check_file(unsigned first)
{
	char want[LINE_LEN + 2], got[256];
	unsigned n = 0;
	FILE *f = fopen(path, "r");

	ck_assert_ptr_nonnull(f);
	while (fgets(got, sizeof(got), f)) {
		make_line(want, first + n);
		strcat(want, "\n");
		ck_assert_str_eq(got, want);
		n++;
	}
	fclose(f);
	return n;
}

/* The soft limit only, so it can be lifted again.  No ck_assert while a
 * limit is on: Check writes its own records to a file. */
static int limit_file_size(rlim_t bytes)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_FSIZE, &rl) < 0)
		return -1;
	rl.rlim_cur = bytes;
	return setrlimit(RLIMIT_FSIZE, &rl);
}

START_TEST(cut_line_taken_back)
{
	struct linefile lf;
	char err[128], line[LINE_LEN + 1];
	struct stat st;
	unsigned i, n;
	int set_rc, lim_rc, put_rc = 0, flush_rc;

	snprintf(path, sizeof(path), "/tmp/check_linefile.%ld", (long)getpid());
	unlink(path);
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(linefile_open(&lf, path, err, sizeof(err)), 0);
	/* room for 10.5 lines: the 11th is cut by the limit */
	set_rc = limit_file_size(10 * (LINE_LEN + 1) + LINE_LEN / 2);
	for (i = 0; i < 100; i++) {
		make_line(line, i);
		put_rc |= linefile_put(&lf, line, LINE_LEN);
	}
	flush_rc = linefile_flush(&lf);
	lim_rc = limit_file_size(RLIM_INFINITY);
	ck_assert_int_eq(set_rc, 0);
	ck_assert_int_eq(lim_rc, 0);
	ck_assert_int_eq(put_rc, 0);
	ck_assert_int_eq(flush_rc, -1);
	ck_assert_int_eq(lf.failing, 1);
	ck_assert_int_eq(lf.err, EFBIG);
	ck_assert_uint_eq(lf.lines, 10);
	ck_assert_uint_eq(lf.lost, 90);
	ck_assert_uint_eq(lf.trunc_failures, 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 10 * (LINE_LEN + 1));
	ck_assert_uint_eq(check_file(0), 10);

	/* no room at all: everything of the next flush is lost, counted */
	set_rc = limit_file_size(10 * (LINE_LEN + 1));
	for (i = 100; i < 105; i++) {
		make_line(line, i);
		linefile_put(&lf, line, LINE_LEN);
	}
	flush_rc = linefile_flush(&lf);
	lim_rc = limit_file_size(RLIM_INFINITY);
	ck_assert_int_eq(set_rc, 0);
	ck_assert_int_eq(lim_rc, 0);
	ck_assert_int_eq(flush_rc, -1);
	ck_assert_uint_eq(lf.lost, 95);

	/* room again: the next lines follow the last whole one */
	for (i = 10; i < 20; i++) {
		make_line(line, i);
		linefile_put(&lf, line, LINE_LEN);
	}
	ck_assert_int_eq(linefile_flush(&lf), 0);
	ck_assert_int_eq(lf.failing, 0);
	ck_assert_uint_eq(lf.lines, 20);
	ck_assert_uint_eq(lf.lost, 95);
	n = check_file(0);
	ck_assert_uint_eq(n, 20);
	linefile_close(&lf);
	unlink(path);
}
END_TEST

START_TEST(line_larger_than_buffer)
{
	struct linefile lf;
	char err[128];
	size_t big = 200000;
	char *line = malloc(big);
	struct stat st;

	ck_assert_ptr_nonnull(line);
	memset(line, 'a', big);
	snprintf(path, sizeof(path), "/tmp/check_linefile_big.%ld", (long)getpid());
	unlink(path);
	ck_assert_int_eq(linefile_open(&lf, path, err, sizeof(err)), 0);
	ck_assert_int_eq(linefile_put(&lf, "{}", 2), 0);
	ck_assert_int_eq(linefile_put(&lf, line, big), 0);
	linefile_close(&lf);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 3 + (off_t)big + 1);
	ck_assert_uint_eq(lf.lines, 2);
	ck_assert_uint_eq(lf.lost, 0);
	unlink(path);
	free(line);
}
END_TEST

START_TEST(open_error_named)
{
	struct linefile lf;
	char err[128];

	ck_assert_int_eq(linefile_open(&lf, "/nonexistent-dir/x.json", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x.json"));
	linefile_close(&lf);    /* safe after a failed open */
}
END_TEST

static Suite *linefile_suite(void)
{
	Suite *s = suite_create("linefile");
	TCase *tc = tcase_create("linefile");

	tcase_add_test(tc, cut_line_taken_back);
	tcase_add_test(tc, line_larger_than_buffer);
	tcase_add_test(tc, open_error_named);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(linefile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
