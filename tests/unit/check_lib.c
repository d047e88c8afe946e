/*
 * check_lib.c - the shared helpers: intrusive list, hashes, seed, growable
 * buffer, atomic file write.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "atomicfile.h"
#include "buf.h"
#include "hash.h"
#include "list.h"
#include "seed.h"
#include "table_mem.h"

/* ---- list ---- */

struct item {
	int v;
	struct ots_link link;
};

#define ITEM_OF(l) ots_list_entry((l), struct item, link)

/* The values from first to last into out; returns the count, and checks
 * that walking back from last gives the same sequence. */
static int list_values(const struct ots_list *l, int *out, int max)
{
	const struct ots_link *n;
	int k = 0, j;

	for (n = l->first; n && k < max; n = n->next)
		out[k++] = ITEM_OF(n)->v;
	j = k;
	for (n = l->last; n; n = n->prev)
		ck_assert_int_eq(ITEM_OF(n)->v, out[--j]);
	ck_assert_int_eq(j, 0);
	return k;
}

START_TEST(list_push_move_unlink)
{
	struct item it[4] = { { 0, { 0, 0 } }, { 1, { 0, 0 } }, { 2, { 0, 0 } }, { 3, { 0, 0 } } };
	struct ots_list l;
	int v[8], n;

	ots_list_init(&l);
	ck_assert(ots_list_empty(&l));
	ck_assert_ptr_null(ITEM_OF(l.first));
	ots_list_push_front(&l, &it[0].link);   /* 0 */
	ots_list_push_front(&l, &it[1].link);   /* 1 0 */
	ots_list_push_back(&l, &it[2].link);    /* 1 0 2 */
	ots_list_push_front(&l, &it[3].link);   /* 3 1 0 2 */
	n = list_values(&l, v, 8);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(v[0], 3);
	ck_assert_int_eq(v[1], 1);
	ck_assert_int_eq(v[2], 0);
	ck_assert_int_eq(v[3], 2);
	ck_assert(ots_list_linked(&l, &it[3].link));

	ots_list_move_front(&l, &it[2].link);   /* 2 3 1 0 */
	ots_list_move_back(&l, &it[3].link);    /* 2 1 0 3 */
	ots_list_move_front(&l, &it[2].link);   /* no-op at the front */
	n = list_values(&l, v, 8);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(v[0], 2);
	ck_assert_int_eq(v[1], 1);
	ck_assert_int_eq(v[2], 0);
	ck_assert_int_eq(v[3], 3);

	ots_list_unlink(&l, &it[2].link);       /* the first */
	ots_list_unlink(&l, &it[3].link);       /* the last */
	ots_list_unlink(&l, &it[0].link);       /* the middle */
	ck_assert(!ots_list_linked(&l, &it[0].link));
	ck_assert_ptr_null(it[0].link.prev);
	ck_assert_ptr_null(it[0].link.next);
	n = list_values(&l, v, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(v[0], 1);
	ck_assert_ptr_eq(l.first, l.last);
	ots_list_unlink(&l, &it[1].link);
	ck_assert(ots_list_empty(&l));
	ck_assert_ptr_null(l.last);
}
END_TEST

/* ---- hash ---- */

START_TEST(hash_mix_and_spread)
{
	uint64_t w[3] = { 1, 2, 3 }, w2[3] = { 1, 2, 3 };
	unsigned counts[16] = { 0 };
	uint64_t i;
	const char s[] = "abcdefghijklmnopq";

	ck_assert_uint_eq(ots_mix64(0), 0);     /* the finalizer is a bijection */
	ck_assert_uint_ne(ots_mix64(1), ots_mix64(2));
	ck_assert_uint_eq(ots_hash_words(w, 3, 7), ots_hash_words(w2, 3, 7));
	ck_assert_uint_ne(ots_hash_words(w, 3, 7), ots_hash_words(w, 3, 8));
	ck_assert_uint_ne(ots_hash_words(w, 3, 7), ots_hash_words(w, 2, 7));
	w2[2] = 4;
	ck_assert_uint_ne(ots_hash_words(w, 3, 7), ots_hash_words(w2, 3, 7));

	/* bytes: every length up to two words, tails matter, seeds matter */
	for (i = 0; i < sizeof(s) - 1; i++) {
		ck_assert_uint_ne(ots_hash_bytes(s, i, 0), ots_hash_bytes(s, i + 1, 0));
		ck_assert_uint_ne(ots_hash_bytes(s, i + 1, 0), ots_hash_bytes(s, i + 1, 1));
	}
	ck_assert_uint_eq(ots_hash_str("plc", 5), ots_hash_bytes("plc", 3, 5));
	/* a zero tail byte is not the same key as a shorter one */
	ck_assert_uint_ne(ots_hash_bytes("a\0", 2, 0), ots_hash_bytes("a", 1, 0));

	/* sequential keys spread over 16 buckets: none gets more than twice
	 * its share of 16384 */
	for (i = 0; i < 16384; i++)
		counts[ots_hash_words(&i, 1, 42) & 15]++;
	for (i = 0; i < 16; i++) {
		ck_assert_uint_gt(counts[i], 512);
		ck_assert_uint_lt(counts[i], 2048);
	}
}
END_TEST

/* The 128-bit multiply against its four-product twin, on edge values and
 * a stream of mixed ones. */
START_TEST(mulfold_matches_its_portable_twin)
{
	static const uint64_t edge[] = {
		0, 1, 2, 0xffffffffu, UINT64_C(0x100000000), UINT64_C(0xffffffffffffffff),
		UINT64_C(0x8000000000000000), UINT64_C(0x7fffffffffffffff),
		UINT64_C(0x9e3779b97f4a7c15),
	};
	size_t i, j;
	uint64_t x = 1;

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		for (j = 0; j < sizeof(edge) / sizeof(edge[0]); j++)
			ck_assert_uint_eq(ots_mulfold(edge[i], edge[j]),
					  ots_mulfold32(edge[i], edge[j]));
	for (i = 0; i < 100000; i++) {
		uint64_t a = ots_mix64(x++), b = ots_mix64(x++);

		ck_assert_uint_eq(ots_mulfold(a, b), ots_mulfold32(a, b));
	}
	/* a known product: (2^64 - 1)^2 = 2^128 - 2^65 + 1 */
	ck_assert_uint_eq(ots_mulfold(UINT64_MAX, UINT64_MAX),
			  UINT64_C(1) ^ UINT64_C(0xfffffffffffffffe));
}
END_TEST

/* The keyed hash of six words: deterministic per seed, every word and
 * every position counts, the seed counts, and keys that differ in one
 * small field (a port, as flow keys do) spread over the buckets. */
START_TEST(keyhash_words_positions_and_spread)
{
	struct ots_keyhash a, b;
	uint64_t w[OTS_KEYHASH_WORDS] = { 1, 2, 3, 4, 5, 6 }, w2[OTS_KEYHASH_WORDS];
	unsigned counts[64] = { 0 };
	size_t i, j;

	ots_keyhash_init(&a, 42);
	ots_keyhash_init(&b, 43);
	ck_assert_uint_eq(ots_hash_key(&a, w), ots_hash_key(&a, w));
	ck_assert_uint_ne(ots_hash_key(&a, w), ots_hash_key(&b, w));
	for (i = 0; i < OTS_KEYHASH_WORDS; i++) {
		memcpy(w2, w, sizeof(w));
		w2[i] ^= 1;
		ck_assert_uint_ne(ots_hash_key(&a, w), ots_hash_key(&a, w2));
		for (j = i + 1; j < OTS_KEYHASH_WORDS; j++) {
			/* the same words in swapped places: another key */
			memcpy(w2, w, sizeof(w));
			w2[i] = w[j];
			w2[j] = w[i];
			ck_assert_uint_ne(ots_hash_key(&a, w), ots_hash_key(&a, w2));
		}
	}
	/* all-zero words hash to something else than zero */
	memset(w2, 0, sizeof(w2));
	ck_assert_uint_ne(ots_hash_key(&a, w2), 0);

	/* 65536 keys differing only in one 16-bit field over 64 buckets:
	 * none gets more than twice or less than half its share */
	memset(w2, 0, sizeof(w2));
	w2[0] = 0x0100000a;     /* an IPv4 address in the first word */
	for (i = 0; i < 65536; i++) {
		w2[4] = (uint64_t)i << 16;
		counts[ots_hash_key(&a, w2) & 63]++;
	}
	for (i = 0; i < 64; i++) {
		ck_assert_uint_gt(counts[i], 512);
		ck_assert_uint_lt(counts[i], 2048);
	}
}
END_TEST

START_TEST(seed_is_random_and_nonzero)
{
	uint64_t a = ots_random_seed(), b = ots_random_seed(), c = ots_random_seed();

	ck_assert_uint_ne(a, 0);
	ck_assert_uint_ne(b, 0);
	/* three equal 64-bit draws would mean no randomness at all */
	ck_assert(!(a == b && b == c));
}
END_TEST

/* ---- buf ---- */

START_TEST(buf_grows_and_caps)
{
	struct ots_buf b = OTS_BUF_INIT(4, 0);
	char big[1000];
	int i;

	ck_assert_str_eq(ots_buf_str(&b), "");
	ck_assert_int_eq(ots_buf_puts(&b, "ab"), 0);
	ck_assert_int_eq(ots_buf_putc(&b, 'c'), 0);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_uint_eq(b.cap, 4);            /* the NUL fits exactly */
	ck_assert_str_eq(ots_buf_str(&b), "abc");
	memset(big, 'x', sizeof(big));
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(ots_buf_append(&b, big, sizeof(big)), 0);
	ck_assert_uint_eq(b.len, 3 + 100 * sizeof(big));
	ck_assert_uint_ge(b.cap, b.len + 1);
	ck_assert_int_eq(b.p[b.len], 0);
	ck_assert(!b.err);
	ots_buf_consume(&b, 2);
	ck_assert_uint_eq(b.len, 1 + 100 * sizeof(big));
	ck_assert_int_eq(b.p[0], 'c');
	ck_assert_int_eq(b.p[1], 'x');
	ots_buf_consume(&b, (size_t)-1);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(ots_buf_str(&b), "");
	ots_buf_free(&b);
	ots_buf_free(&b);                       /* twice is harmless */
	ck_assert_ptr_null(b.p);

	/* a cap of 16: 15 bytes and the NUL, then refusals that change nothing */
	ots_buf_init(&b, 0, 16);
	ck_assert_int_eq(ots_buf_append(&b, big, 10), 0);
	ck_assert_int_eq(ots_buf_append(&b, big, 6), -1);
	ck_assert(b.err);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_int_eq(ots_buf_append(&b, big, 5), 0);
	ck_assert_uint_eq(b.len, 15);
	ck_assert_uint_eq(b.cap, 16);
	ck_assert_int_eq(ots_buf_putc(&b, 'y'), -1);
	ck_assert_int_eq(ots_buf_append(&b, big, (size_t)-1), -1);
	ck_assert_uint_eq(b.len, 15);
	{
		char *s = ots_buf_take(&b);

		ck_assert_uint_eq(strlen(s), 15);
		free(s);
	}
	ck_assert_ptr_null(b.p);
	ck_assert_uint_eq(b.len, 0);
	ots_buf_free(&b);
}
END_TEST

/* ---- atomicfile ---- */

static int write_text(FILE *fp, const void *arg)
{
	return fputs(arg, fp) < 0 ? -1 : 0;
}

static int write_fails(FILE *fp, const void *arg)
{
	(void)arg;
	fputs("partial", fp);
	errno = ENOSPC;
	return -1;
}

/* Files in dir other than . and .. */
static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void read_file(const char *path, char *out, size_t n)
{
	FILE *fp = fopen(path, "r");
	size_t got;

	ck_assert_ptr_nonnull(fp);
	got = fread(out, 1, n - 1, fp);
	out[got] = 0;
	fclose(fp);
}

START_TEST(atomic_write_replaces_or_keeps)
{
	char dir[] = "/tmp/check_lib.XXXXXX", path[256], err[512], text[64];
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.json", dir);

	ck_assert_int_eq(ots_atomic_write(path, write_text, "first\n", err, sizeof(err)), 0);
	read_file(path, text, sizeof(text));
	ck_assert_str_eq(text, "first\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);

	ck_assert_int_eq(ots_atomic_write(path, write_text, "second\n", err, sizeof(err)), 0);
	read_file(path, text, sizeof(text));
	ck_assert_str_eq(text, "second\n");

	/* a failing writer: the old file stays whole, no temporary is left */
	ck_assert_int_eq(ots_atomic_write(path, write_fails, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot write"));
	ck_assert_ptr_nonnull(strstr(err, strerror(ENOSPC)));
	read_file(path, text, sizeof(text));
	ck_assert_str_eq(text, "second\n");
	ck_assert_int_eq(count_files(dir), 1);

	/* a directory that does not exist: a clear error naming the file */
	snprintf(path, sizeof(path), "%s/nodir/out.json", dir);
	ck_assert_int_eq(ots_atomic_write(path, write_text, "x", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "nodir/out.json"));

	/* clean up */
	snprintf(path, sizeof(path), "%s/out.json", dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* ot_mac_str against the printf format it replaced, at every buffer length
 * from one byte to more than enough, over random and edge addresses. */
START_TEST(mac_str_matches_printf)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int n;

	for (n = 0; n < 2000; n++) {
		uint8_t mac[6];
		char want[32], got[32];
		size_t len, i;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		for (i = 0; i < 6; i++)
			mac[i] = n == 0 ? 0 : n == 1 ? 0xff : (uint8_t)(x >> (8 * i));
		for (len = 1; len <= sizeof(got); len++) {
			memset(got, 'x', sizeof(got));
			snprintf(want, len, "%02x:%02x:%02x:%02x:%02x:%02x",
				 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
			ck_assert_ptr_eq(ot_mac_str(mac, got, len), got);
			ck_assert_str_eq(got, want);
			if (len < sizeof(got))
				ck_assert_int_eq(got[len], 'x');    /* nothing written past len */
		}
	}
	ck_assert_str_eq(ot_mac_str((const uint8_t *)"\0\0\0\0\0\0", NULL, 0), "");
}
END_TEST

/* Tables below, within and above the mapped range come back zeroed,
 * writable to their last byte and aligned as calloc's; an overflowing
 * size is refused. */
START_TEST(table_calloc_zeroed_at_every_size)
{
	static const size_t sizes[] = {
		8, 4096, OTS_TABLE_MAP_MIN - 8, OTS_TABLE_MAP_MIN, OTS_TABLE_MAP_MIN + 8,
		(size_t)2 << 20, ((size_t)2 << 20) + 8, ((size_t)3 << 20) - 8,
		OTS_TABLE_PREFAULT_MAX, OTS_TABLE_PREFAULT_MAX + 8,
	};
	size_t i, j;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i] / 8;
		uint64_t *t = ots_table_calloc(n, 8);

		ck_assert_ptr_nonnull(t);
		ck_assert_uint_eq((uintptr_t)t % 16, 0);
		for (j = 0; j < n; j += 509)
			ck_assert_uint_eq(t[j], 0);
		ck_assert_uint_eq(t[n - 1], 0);
		t[0] = 1;
		t[n - 1] = 2;           /* the last element is the table's */
		ots_table_free(t, n, 8);
	}
	ck_assert_ptr_null(ots_table_calloc(SIZE_MAX / 4, 8));
	ots_table_free(NULL, 0, 8);
}
END_TEST

static Suite *lib_suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc = tcase_create("list");

	tcase_add_test(tc, list_push_move_unlink);
	suite_add_tcase(s, tc);
	tc = tcase_create("hash");
	tcase_add_test(tc, hash_mix_and_spread);
	tcase_add_test(tc, mulfold_matches_its_portable_twin);
	tcase_add_test(tc, keyhash_words_positions_and_spread);
	tcase_add_test(tc, seed_is_random_and_nonzero);
	suite_add_tcase(s, tc);
	tc = tcase_create("buf");
	tcase_add_test(tc, buf_grows_and_caps);
	suite_add_tcase(s, tc);
	tc = tcase_create("addr");
	tcase_add_test(tc, mac_str_matches_printf);
	suite_add_tcase(s, tc);
	tc = tcase_create("table_mem");
	tcase_add_test(tc, table_calloc_zeroed_at_every_size);
	suite_add_tcase(s, tc);
	tc = tcase_create("atomicfile");
	tcase_add_test(tc, atomic_write_replaces_or_keeps);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lib_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
