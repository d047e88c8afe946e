/*
 * check_stream.c - one direction of TCP reassembly (src/flow/stream.c).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

/* What the sink saw: data bytes, with '?' standing for each lost byte. */
struct rec {
	char out[70000];
	size_t n;
	unsigned gaps;
	size_t gap_bytes;
	const uint8_t *last_ptr;
};

static void rec_data(void *ud, const uint8_t *d, size_t len)
{
	struct rec *r = ud;

	ck_assert_uint_le(r->n + len, sizeof(r->out) - 1);
	memcpy(r->out + r->n, d, len);
	r->n += len;
	r->out[r->n] = 0;
	r->last_ptr = d;
}

static void rec_gap(void *ud, size_t len)
{
	struct rec *r = ud;

	r->gaps++;
	r->gap_bytes += len;
	if (r->n + len < 200) {
		memset(r->out + r->n, '?', len);
		r->n += len;
		r->out[r->n] = 0;
	}
}

static struct stream_pool pool;
static struct stream st;
static struct rec rec;
static struct stream_sink sink;

static void setup(void)
{
	stream_pool_init(&pool, 1 << 16, 1 << 20);
	stream_init(&st);
	memset(&rec, 0, sizeof(rec));
	sink.ud = &rec;
	sink.data = rec_data;
	sink.gap = rec_gap;
}

static void teardown(void)
{
	stream_release(&pool, &st);
	ck_assert_uint_eq(pool.bytes_now, 0);
}

static void seg(uint32_t seq, const char *s)
{
	stream_segment(&pool, &st, seq, (const uint8_t *)s, (uint32_t)strlen(s), 0, &sink);
}

START_TEST(in_order_zero_copy)
{
	static const char b[] = "def";

	stream_syn(&pool, &st, 1000);
	seg(1001, "abc");
	stream_segment(&pool, &st, 1004, (const uint8_t *)b, 3, 0, &sink);
	ck_assert_str_eq(rec.out, "abcdef");
	ck_assert_ptr_eq(rec.last_ptr, (const uint8_t *)b);   /* no copy */
	ck_assert_uint_eq(pool.ooo_segments, 0);
	ck_assert_uint_eq(pool.bytes_peak, 0);
}
END_TEST

START_TEST(out_of_order)
{
	stream_syn(&pool, &st, 1000);
	seg(1007, "ghi");
	seg(1004, "def");
	ck_assert_str_eq(rec.out, "");
	ck_assert_uint_eq(st.buffered, 6);
	ck_assert_uint_eq(pool.bytes_now, 6);
	seg(1001, "abc");
	ck_assert_str_eq(rec.out, "abcdefghi");
	ck_assert_uint_eq(pool.ooo_segments, 2);
	ck_assert_uint_eq(pool.bytes_now, 0);
	ck_assert_uint_eq(pool.bytes_peak, 6);
	ck_assert_uint_eq(rec.gaps, 0);
}
END_TEST

START_TEST(retransmission_first_wins)
{
	stream_syn(&pool, &st, 1000);
	seg(1001, "abc");
	seg(1001, "abc");           /* plain retransmission */
	ck_assert_uint_eq(pool.overlap_differs, 0);
	seg(1001, "XYZ");           /* same range, other bytes: too late */
	ck_assert_uint_eq(pool.retransmits, 2);
	ck_assert_uint_eq(pool.overlap_differs, 1);
	seg(1002, "bcde");          /* overlaps the delivered tail, same bytes */
	ck_assert_str_eq(rec.out, "abcde");
	ck_assert_uint_eq(pool.overlaps, 1);
	ck_assert_uint_eq(pool.overlap_differs, 1);
	seg(1005, "Efg");           /* overlaps with other bytes */
	ck_assert_str_eq(rec.out, "abcdefg");
	ck_assert_uint_eq(pool.overlap_differs, 2);
}
END_TEST

START_TEST(retransmission_compared_with_the_tail_only)
{
	char big[200];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	stream_syn(&pool, &st, 0);
	seg(1, big);                /* 199 bytes: only the last STREAM_TAIL kept */
	seg(1, "y");                /* differs, but too old to compare */
	ck_assert_uint_eq(pool.overlap_differs, 0);
	seg(200 - STREAM_TAIL, "y");    /* the oldest byte still remembered */
	ck_assert_uint_eq(pool.overlap_differs, 1);
	seg(200, "z");
	seg(191, "xxxxxxxxxz");     /* tail spans both deliveries: equal */
	ck_assert_uint_eq(pool.overlap_differs, 1);
	ck_assert_uint_eq(pool.retransmits, 3);
}
END_TEST

START_TEST(overlap_buffered_first_wins)
{
	stream_syn(&pool, &st, 1000);
	seg(1004, "def");           /* buffered behind a hole */
	seg(1004, "DEFG");          /* overlaps it: only G is new */
	ck_assert_uint_eq(pool.overlaps, 1);
	ck_assert_uint_eq(pool.overlap_differs, 1);
	seg(1005, "ef");            /* wholly buffered already, same bytes */
	ck_assert_uint_eq(pool.retransmits, 1);
	ck_assert_uint_eq(pool.overlap_differs, 1);
	seg(1001, "abcXYZ");        /* in order, the buffered copy wins */
	ck_assert_str_eq(rec.out, "abcdefG");
	ck_assert_uint_eq(pool.overlap_differs, 2);
	ck_assert_uint_eq(pool.bytes_now, 0);
}
END_TEST

START_TEST(overlap_fills_between_segments)
{
	stream_syn(&pool, &st, 0);
	seg(3, "c");
	seg(6, "f");
	seg(2, "BCDEFGH");          /* spans both: pieces b, de, gh are new */
	ck_assert_uint_eq(st.buffered, 7);
	seg(1, "a");
	ck_assert_str_eq(rec.out, "aBcDEfGH");
}
END_TEST

START_TEST(gap_by_ack)
{
	stream_syn(&pool, &st, 1000);
	seg(1001, "abc");
	seg(1007, "ghi");           /* def lost by the capture */
	stream_ack(&pool, &st, 1005, &sink);  /* peer has up to 'd' */
	ck_assert_str_eq(rec.out, "abc?");
	ck_assert_uint_eq(rec.gaps, 1);
	seg(1005, "ef");            /* the rest of the hole still arrives */
	ck_assert_str_eq(rec.out, "abc?efghi");
	seg(1013, "mn");
	stream_ack(&pool, &st, 1015, &sink);
	ck_assert_str_eq(rec.out, "abc?efghi???mn");
	ck_assert_uint_eq(rec.gaps, 2);
	ck_assert_uint_eq(pool.gaps, 2);
	ck_assert_uint_eq(pool.gap_bytes, 4);
	seg(1016, "p");
	stream_ack(&pool, &st, 1015, &sink); /* ack behind the hole: no skip */
	ck_assert_str_eq(rec.out, "abc?efghi???mn");
}
END_TEST

START_TEST(gap_by_earlier_ack)
{
	stream_syn(&pool, &st, 1000);
	seg(1001, "abc");
	stream_ack(&pool, &st, 1007, &sink);  /* "def" acked, never seen */
	ck_assert_str_eq(rec.out, "abc");
	seg(1007, "ghi");                     /* no wait for a later ack */
	ck_assert_str_eq(rec.out, "abc???ghi");
	ck_assert_uint_eq(st.buffered, 0);
	seg(1014, "n");                       /* a hole not acked yet: buffered */
	ck_assert_uint_eq(st.buffered, 1);
	stream_ack(&pool, &st, 1003, &sink);  /* an old ack changes nothing */
	seg(1012, "l");
	ck_assert_str_eq(rec.out, "abc???ghi");
	stream_ack(&pool, &st, 1015, &sink);
	ck_assert_str_eq(rec.out, "abc???ghi??l?n");
}
END_TEST

START_TEST(gap_by_flush_then_continue)
{
	stream_syn(&pool, &st, 1000);
	seg(1001, "ab");
	seg(1005, "ef");
	seg(1010, "jk");
	stream_flush(&pool, &st, &sink);
	ck_assert_str_eq(rec.out, "ab??ef???jk");
	ck_assert_uint_eq(rec.gaps, 2);
	ck_assert_uint_eq(rec.gap_bytes, 5);
	seg(1012, "lm");            /* the stream goes on after the gaps */
	ck_assert_str_eq(rec.out, "ab??ef???jklm");
}
END_TEST

START_TEST(wraparound)
{
	stream_syn(&pool, &st, 0xfffffff9u);   /* data from 0xfffffffa */
	seg(0xfffffffau, "abc");
	seg(0x00000001u, "hij");                /* ahead, across the wrap */
	seg(0xfffffffdu, "defg");               /* fills to 0x00000001 */
	ck_assert_str_eq(rec.out, "abcdefghij");
	seg(0xfffffffeu, "e");                  /* old, from before the wrap */
	ck_assert_uint_eq(pool.retransmits, 1);
	ck_assert_uint_eq(st.next_seq, 4);
}
END_TEST

START_TEST(midstream_pickup)
{
	seg(555555, "xyz");         /* no SYN: the first segment starts the stream */
	seg(555558, "w");
	ck_assert_str_eq(rec.out, "xyzw");
	seg(555550, "early");       /* from before the pickup: ignored */
	ck_assert_str_eq(rec.out, "xyzw");
}
END_TEST

START_TEST(cap_per_stream)
{
	stream_pool_init(&pool, 8, 1 << 20);
	stream_syn(&pool, &st, 0);
	seg(11, "klmno");           /* 5 buffered */
	seg(21, "uvw");             /* 8 buffered: at the cap */
	ck_assert_uint_eq(st.buffered, 8);
	seg(31, "EF");              /* no room: the oldest hole is given up */
	ck_assert_uint_eq(pool.ooo_dropped, 1);
	ck_assert_str_eq(rec.out, "??????????klmno");
	ck_assert_uint_eq(st.buffered, 5);
	seg(41, "0123456789");      /* longer than the cap: delivered after a gap */
	ck_assert_uint_eq(st.buffered, 0);
	ck_assert_uint_le(pool.bytes_peak, 8);
	ck_assert_uint_eq(rec.n, 50);
	ck_assert_str_eq(rec.out + 40, "0123456789");
	ck_assert_uint_eq(rec.gaps, 4);
}
END_TEST

START_TEST(cap_keeps_a_segment_inside_the_first_hole)
{
	stream_pool_init(&pool, 8, 1 << 20);
	stream_syn(&pool, &st, 0);
	seg(11, "klmno");
	seg(21, "uvw");             /* at the cap */
	seg(5, "efg");              /* no room, but it comes before the buffer */
	ck_assert_str_eq(rec.out, "????efg");
	ck_assert_uint_eq(st.buffered, 8);
	seg(8, "hij");
	ck_assert_str_eq(rec.out, "????efghijklmno");
	ck_assert_uint_eq(st.buffered, 3);
}
END_TEST

START_TEST(cap_global)
{
	struct stream other;
	struct rec orec;
	struct stream_sink osink = { &orec, rec_data, rec_gap };

	memset(&orec, 0, sizeof(orec));
	stream_pool_init(&pool, 100, 6);
	stream_init(&other);
	stream_syn(&pool, &st, 0);
	stream_syn(&pool, &other, 0);
	stream_segment(&pool, &other, 5, (const uint8_t *)"abcde", 5, 0, &osink);
	ck_assert_uint_eq(pool.bytes_now, 5);
	seg(3, "xy");               /* would make 7 > 6: this stream gives way */
	ck_assert_uint_eq(pool.bytes_now, 5);
	ck_assert_str_eq(rec.out, "??xy");
	ck_assert_uint_eq(pool.ooo_dropped, 1);
	seg(9, "z");                /* 6: fits */
	ck_assert_uint_eq(pool.bytes_now, 6);
	ck_assert_uint_le(pool.bytes_peak, 6);
	stream_release(&pool, &other);
	ck_assert_uint_eq(pool.bytes_now, 1);
}
END_TEST

START_TEST(syn_restart_and_fin)
{
	stream_syn(&pool, &st, 100);
	seg(103, "c");
	ck_assert_uint_eq(pool.bytes_now, 1);
	stream_syn(&pool, &st, 100);        /* retransmitted SYN: no change */
	ck_assert_uint_eq(pool.bytes_now, 1);
	stream_syn(&pool, &st, 9000);       /* another ISN: a new stream */
	ck_assert_uint_eq(pool.bytes_now, 0);
	stream_segment(&pool, &st, 9001, (const uint8_t *)"ab", 2, 1, &sink);
	ck_assert_str_eq(rec.out, "ab");
	ck_assert(st.fin_seen);
	ck_assert_uint_eq(st.fin_seq, 9003);
}
END_TEST

/* Random segmentation, duplication and reordering of one stream must give
 * back exactly the original bytes. */
START_TEST(random_shuffle_reassembles)
{
	enum { LEN = 60000, MAXSEG = 200 };
	static uint8_t src[LEN];
	static struct { uint32_t off, len; } segs[LEN];
	unsigned seed = 12345u + (unsigned)_i;
	size_t nseg = 0, i, off = 0;
	uint32_t isn = 0xffff0000u + (uint32_t)_i * 7919u;

	for (i = 0; i < LEN; i++)
		src[i] = (uint8_t)('a' + rand_r(&seed) % 26);
	while (off < LEN) {
		uint32_t l = 1 + (uint32_t)(rand_r(&seed) % MAXSEG);

		if (off + l > LEN)
			l = (uint32_t)(LEN - off);
		segs[nseg].off = (uint32_t)off;
		segs[nseg].len = l;
		nseg++;
		/* sometimes a duplicate that straddles the next boundary */
		if (rand_r(&seed) % 5 == 0 && nseg < LEN) {
			uint32_t dl = l + (uint32_t)(rand_r(&seed) % 50);

			if (off + dl > LEN)
				dl = (uint32_t)(LEN - off);
			segs[nseg].off = (uint32_t)off;
			segs[nseg].len = dl;
			nseg++;
		}
		off += l;
	}
	/* local reordering: swap neighbours within a window of 8 */
	for (i = 0; i + 1 < nseg; i++) {
		size_t j = i + (size_t)(rand_r(&seed) % 8);

		if (j < nseg) {
			uint32_t o = segs[i].off, l = segs[i].len;

			segs[i] = segs[j];
			segs[j].off = o;
			segs[j].len = l;
		}
	}
	stream_syn(&pool, &st, isn);
	for (i = 0; i < nseg; i++)
		stream_segment(&pool, &st, isn + 1 + segs[i].off, src + segs[i].off,
			       segs[i].len, 0, &sink);
	ck_assert_uint_eq(rec.gaps, 0);
	ck_assert_uint_eq(rec.n, LEN);
	ck_assert(memcmp(rec.out, src, LEN) == 0);
	ck_assert_uint_eq(pool.bytes_now, 0);
	ck_assert_uint_eq(pool.overlap_differs, 0);
}
END_TEST

static Suite *stream_suite(void)
{
	Suite *s = suite_create("stream");
	TCase *tc = tcase_create("reassembly");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, in_order_zero_copy);
	tcase_add_test(tc, out_of_order);
	tcase_add_test(tc, retransmission_first_wins);
	tcase_add_test(tc, retransmission_compared_with_the_tail_only);
	tcase_add_test(tc, overlap_buffered_first_wins);
	tcase_add_test(tc, overlap_fills_between_segments);
	tcase_add_test(tc, gap_by_ack);
	tcase_add_test(tc, gap_by_earlier_ack);
	tcase_add_test(tc, gap_by_flush_then_continue);
	tcase_add_test(tc, wraparound);
	tcase_add_test(tc, midstream_pickup);
	tcase_add_test(tc, cap_per_stream);
	tcase_add_test(tc, cap_keeps_a_segment_inside_the_first_hole);
	tcase_add_test(tc, cap_global);
	tcase_add_test(tc, syn_restart_and_fin);
	tcase_add_loop_test(tc, random_shuffle_reassembles, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(stream_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
