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
	unsigned nchunks;
	long chunk_sec[16];         /* packet time of each delivered chunk */
	unsigned anomalies[STREAM_AN_COUNT];
	uint32_t an_seq, an_len, an_detail;     /* the last anomaly */
};

static void rec_data(void *ud, const uint8_t *d, size_t len, const struct timeval *ts)
{
	struct rec *r = ud;

	if (r->nchunks < 16)
		r->chunk_sec[r->nchunks] = ts ? (long)ts->tv_sec : -1;
	r->nchunks++;

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

static void rec_anomaly(void *ud, enum stream_anomaly what, uint32_t seq, uint32_t len,
			uint32_t detail)
{
	struct rec *r = ud;

	ck_assert_int_lt(what, STREAM_AN_COUNT);
	r->anomalies[what]++;
	r->an_seq = seq;
	r->an_len = len;
	r->an_detail = detail;
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
	sink.anomaly = rec_anomaly;
}

static void teardown(void)
{
	stream_release(&pool, &st);
	ck_assert_uint_eq(pool.bytes_now, 0);
}

static void seg(uint32_t seq, const char *s)
{
	stream_segment(&pool, &st, seq, (const uint8_t *)s, (uint32_t)strlen(s), 0, NULL, &sink);
}

/* A segment carried by a packet of time sec. */
static void seg_at(uint32_t seq, const char *s, long sec)
{
	struct timeval tv = { .tv_sec = sec, .tv_usec = 0 };

	stream_segment(&pool, &st, seq, (const uint8_t *)s, (uint32_t)strlen(s), 0, &tv, &sink);
}

static void ack(uint32_t a)
{
	stream_ack(&pool, &st, a, 65535, &sink);
}

START_TEST(in_order_zero_copy)
{
	static const char b[] = "def";

	stream_syn(&pool, &st, 1000);
	seg(1001, "abc");
	stream_segment(&pool, &st, 1004, (const uint8_t *)b, 3, 0, NULL, &sink);
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
	ck_assert_uint_eq(pool.retransmits, 1);
	seg(1001, "XYZ");           /* same range, other bytes: a conflicting copy */
	ck_assert_uint_eq(pool.retransmits, 1);
	ck_assert_uint_eq(pool.overlap_differs, 1);
	ck_assert_uint_eq(rec.anomalies[STREAM_AN_CONFLICT], 1);
	ck_assert_uint_eq(rec.an_detail, 3);
	seg(1002, "bcde");          /* overlaps the delivered tail, same bytes */
	ck_assert_str_eq(rec.out, "abcde");
	ck_assert_uint_eq(pool.overlaps, 1);
	ck_assert_uint_eq(pool.overlap_differs, 1);
	seg(1005, "Efg");           /* overlaps with other bytes: none delivered */
	ck_assert_str_eq(rec.out, "abcde");
	ck_assert_uint_eq(pool.overlap_differs, 2);
	ck_assert_uint_eq(rec.anomalies[STREAM_AN_CONFLICT], 2);
	seg(1006, "fg");            /* the first version goes on */
	ck_assert_str_eq(rec.out, "abcdefg");
	ck_assert_uint_eq(rec.gaps, 0);
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
	ck_assert_uint_eq(pool.retransmits, 2);
}
END_TEST

START_TEST(keepalive_is_no_conflict)
{
	stream_syn(&pool, &st, 0);
	seg(1, "abc");
	stream_segment(&pool, &st, 3, (const uint8_t *)"", 1, 0, NULL, &sink); /* one 0 byte */
	ck_assert_uint_eq(pool.keepalives, 1);
	ck_assert_uint_eq(pool.overlap_differs, 0);
	ck_assert_uint_eq(rec.anomalies[STREAM_AN_CONFLICT], 0);
	seg(4, "d");
	ck_assert_str_eq(rec.out, "abcd");
}
END_TEST

START_TEST(overlap_buffered_first_wins)
{
	stream_syn(&pool, &st, 1000);
	seg(1004, "def");           /* buffered behind a hole */
	seg(1004, "defG");          /* overlaps it with the same bytes: G is new */
	ck_assert_uint_eq(pool.overlaps, 1);
	ck_assert_uint_eq(st.buffered, 4);
	seg(1004, "DEFGH");         /* other bytes: a conflicting copy, H not kept */
	ck_assert_uint_eq(pool.overlap_differs, 1);
	ck_assert_uint_eq(st.buffered, 4);
	seg(1005, "ef");            /* wholly buffered already, same bytes */
	ck_assert_uint_eq(pool.retransmits, 1);
	ck_assert_uint_eq(pool.overlap_differs, 1);
	seg(1001, "abcXYZ");        /* in order, but conflicts with the buffer */
	ck_assert_str_eq(rec.out, "");
	ck_assert_uint_eq(pool.overlap_differs, 2);
	seg(1001, "abc");
	ck_assert_str_eq(rec.out, "abcdefG");
	ck_assert_uint_eq(pool.bytes_now, 0);
	ck_assert_uint_eq(rec.anomalies[STREAM_AN_CONFLICT], 2);
}
END_TEST

/* An in-path relay re-sends each response with one register more (two
 * bytes longer) at a sequence number shifted by two bytes per message
 * relayed so far: the mirror sees both versions.  The first seen is kept
 * whole, every relayed copy is dropped whole. */
START_TEST(relayed_copies_with_shifted_sequence)
{
	static const char *const orig[4] = {
		"R1:0001-0002;", "R2:0003-0004;", "R3:0005-0006;", "R4:0007-0008;" };
	static const char *const relayed[4] = {
		"R1:0001-0002-99;", "R2:0003-0004-99;", "R3:0005-0006-99;", "R4:0007-0008-99;" };
	uint32_t pos = 1;
	int i;

	stream_syn(&pool, &st, 0);
	for (i = 0; i < 4; i++) {
		seg(pos, orig[i]);
		seg(pos + 2u * (uint32_t)(i + 1), relayed[i]);
		pos += (uint32_t)strlen(orig[i]);
	}
	ck_assert_str_eq(rec.out, "R1:0001-0002;R2:0003-0004;R3:0005-0006;R4:0007-0008;");
	ck_assert_uint_eq(pool.overlap_differs, 4);
	ck_assert_uint_eq(rec.anomalies[STREAM_AN_CONFLICT], 4);
	ck_assert_uint_eq(rec.gaps, 0);
	ck_assert_uint_eq(st.buffered, 0);
}
END_TEST

START_TEST(impossible_ack_and_far_segment_ignored)
{
	stream_syn(&pool, &st, 0);
	ack(1);
	seg(1, "abc");
	seg(4 + 128 * 1024, "far");         /* beyond any window: not buffered */
	ck_assert_uint_eq(st.buffered, 0);
	ck_assert_uint_eq(pool.out_of_window, 1);
	ck_assert_uint_eq(rec.anomalies[STREAM_AN_OUT_OF_WINDOW], 1);
	ack(4 + 2000000000u);               /* data never sent: ignored */
	ck_assert_uint_eq(pool.bad_acks, 1);
	ck_assert_uint_eq(rec.anomalies[STREAM_AN_BAD_ACK], 1);
	ck_assert_uint_eq(st.acked, 1);
	seg(4, "def");                      /* the stream goes on in place */
	seg(7, "ghi");
	ck_assert_str_eq(rec.out, "abcdefghi");
	ck_assert_uint_eq(rec.gaps, 0);
	ack(10 + 1000);                     /* a little beyond: within the window */
	ck_assert_uint_eq(pool.bad_acks, 1);
	ck_assert_uint_eq(st.acked, 1010);
}
END_TEST

START_TEST(window_checks_wait_for_an_anchor)
{
	seg(555555, "xyz");         /* mid-stream: the position is a guess */
	seg(555558 + 300000, "far");
	ck_assert_uint_eq(st.buffered, 3);
	ck_assert_uint_eq(pool.out_of_window, 0);
	stream_release(&pool, &st);
	stream_init(&st);
	seg(1000, "abc");
	ack(1003);                  /* the peer confirms it: anchored */
	ck_assert(st.anchored);
	seg(1003 + 2000000, "far");
	ck_assert_uint_eq(pool.out_of_window, 1);
	ck_assert_uint_eq(st.buffered, 0);
}
END_TEST

START_TEST(reanchor_where_data_and_acks_agree)
{
	stream_syn(&pool, &st, 0);
	seg(1, "abc");
	seg(5000000, "hello");      /* far ahead: refused */
	ck_assert_uint_eq(pool.out_of_window, 1);
	ack(5000005);               /* the peer acknowledges exactly that */
	ck_assert_uint_eq(pool.reanchors, 1);
	ck_assert_uint_eq(rec.anomalies[STREAM_AN_REANCHOR], 1);
	ck_assert_uint_eq(rec.gaps, 1);
	seg(5000005, "world");
	ck_assert_str_eq(rec.out, "abcworld");

	/* the other order: the ack first, then the segment it covers */
	stream_release(&pool, &st);
	stream_init(&st);
	memset(&rec, 0, sizeof(rec));
	stream_syn(&pool, &st, 0);
	seg(1, "abc");
	ack(7000005);
	ck_assert_uint_eq(rec.anomalies[STREAM_AN_BAD_ACK], 1);
	seg(7000000, "hello");
	ck_assert_uint_eq(rec.anomalies[STREAM_AN_REANCHOR], 1);
	ck_assert_str_eq(rec.out, "abchello");
	seg(7000005, "!");
	ck_assert_str_eq(rec.out, "abchello!");
}
END_TEST

START_TEST(released_bytes_keep_their_packet_time)
{
	stream_syn(&pool, &st, 1000);
	seg_at(1004, "def", 5);     /* waits behind a hole */
	seg_at(1007, "ghi", 6);
	seg_at(1001, "abc", 9);     /* fills it at t=9 */
	ck_assert_str_eq(rec.out, "abcdefghi");
	ck_assert_uint_eq(rec.nchunks, 3);
	ck_assert_int_eq(rec.chunk_sec[0], 9);
	ck_assert_int_eq(rec.chunk_sec[1], 5);
	ck_assert_int_eq(rec.chunk_sec[2], 6);
}
END_TEST

START_TEST(overlap_fills_between_segments)
{
	stream_syn(&pool, &st, 0);
	seg(3, "c");
	seg(6, "f");
	seg(2, "bcdefgh");          /* spans both: pieces b, de, gh are new */
	ck_assert_uint_eq(st.buffered, 7);
	ck_assert_uint_eq(pool.overlaps, 1);
	seg(1, "a");
	ck_assert_str_eq(rec.out, "abcdefgh");
}
END_TEST

START_TEST(gap_by_ack)
{
	stream_syn(&pool, &st, 1000);
	seg(1001, "abc");
	seg(1007, "ghi");           /* def lost by the capture */
	ack(1005);  /* peer has up to 'd' */
	ck_assert_str_eq(rec.out, "abc?");
	ck_assert_uint_eq(rec.gaps, 1);
	seg(1005, "ef");            /* the rest of the hole still arrives */
	ck_assert_str_eq(rec.out, "abc?efghi");
	seg(1013, "mn");
	ack(1015);
	ck_assert_str_eq(rec.out, "abc?efghi???mn");
	ck_assert_uint_eq(rec.gaps, 2);
	ck_assert_uint_eq(pool.gaps, 2);
	ck_assert_uint_eq(pool.gap_bytes, 4);
	seg(1016, "p");
	ack(1015); /* ack behind the hole: no skip */
	ck_assert_str_eq(rec.out, "abc?efghi???mn");
}
END_TEST

START_TEST(gap_by_earlier_ack)
{
	stream_syn(&pool, &st, 1000);
	seg(1001, "abc");
	ack(1007);  /* "def" acked, never seen */
	ck_assert_str_eq(rec.out, "abc");
	seg(1007, "ghi");                     /* no wait for a later ack */
	ck_assert_str_eq(rec.out, "abc???ghi");
	ck_assert_uint_eq(st.buffered, 0);
	seg(1014, "n");                       /* a hole not acked yet: buffered */
	ck_assert_uint_eq(st.buffered, 1);
	ack(1003);  /* an old ack changes nothing */
	seg(1012, "l");
	ck_assert_str_eq(rec.out, "abc???ghi");
	ack(1015);
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
	struct stream_sink osink = { &orec, rec_data, rec_gap, rec_anomaly };

	memset(&orec, 0, sizeof(orec));
	stream_pool_init(&pool, 100, 6);
	stream_init(&other);
	stream_syn(&pool, &st, 0);
	stream_syn(&pool, &other, 0);
	stream_segment(&pool, &other, 5, (const uint8_t *)"abcde", 5, 0, NULL, &osink);
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
	stream_segment(&pool, &st, 9001, (const uint8_t *)"ab", 2, 1, NULL, &sink);
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
			       segs[i].len, 0, NULL, &sink);
	ck_assert_uint_eq(rec.gaps, 0);
	ck_assert_uint_eq(rec.n, LEN);
	ck_assert(memcmp(rec.out, src, LEN) == 0);
	ck_assert_uint_eq(pool.bytes_now, 0);
	ck_assert_uint_eq(pool.overlap_differs, 0);
}
END_TEST

/* The in-order shortcut of stream_segment against the full path: the
 * same bytes in the same segments, once each starting where the data
 * delivered ends (the shortcut), once each starting a byte earlier with
 * that byte again (the full path trims it).  Both deliver the same bytes
 * in place and leave the same next_seq, snd_max and tail; then an ack just
 * past the data, within no window, is taken alike (no bad ack). */
START_TEST(in_order_shortcut_matches_the_full_path)
{
	enum { LEN = 5000 };
	static uint8_t src[LEN];
	struct stream_pool pool2;
	struct stream st2;
	struct rec *rec2 = calloc(1, sizeof(*rec2));
	struct stream_sink sink2 = { rec2, rec_data, rec_gap, rec_anomaly };
	unsigned seed = 99u;
	uint32_t isn = 0xfffffc00u, off = 0, l;

	ck_assert_ptr_nonnull(rec2);
	stream_pool_init(&pool2, 1 << 16, 1 << 20);
	stream_init(&st2);
	for (off = 0; off < LEN; off++)
		src[off] = (uint8_t)('a' + rand_r(&seed) % 26);
	stream_syn(&pool, &st, isn);
	stream_syn(&pool2, &st2, isn);
	for (off = 0; off < LEN; off += l) {
		l = 1 + (uint32_t)(rand_r(&seed) % 300);
		if (off + l > LEN)
			l = LEN - off;
		stream_segment(&pool, &st, isn + 1 + off, src + off, l, 0, NULL, &sink);
		if (off == 0)
			stream_segment(&pool2, &st2, isn + 1, src, l, 0, NULL, &sink2);
		else
			stream_segment(&pool2, &st2, isn + off, src + off - 1, l + 1, 0, NULL,
				       &sink2);
		ck_assert_ptr_eq(rec.last_ptr, src + off);     /* in place */
		ck_assert_ptr_eq(rec2->last_ptr, src + off);
		ck_assert_uint_eq(st.next_seq, st2.next_seq);
		ck_assert_uint_eq(st.snd_max, st2.snd_max);
		ck_assert_uint_eq(st.tail_len, st2.tail_len);
		ck_assert(memcmp(st.tail, st2.tail, st.tail_len) == 0);
	}
	ck_assert_uint_eq(rec.n, LEN);
	ck_assert_uint_eq(rec2->n, LEN);
	ck_assert(memcmp(rec.out, rec2->out, LEN) == 0);
	ck_assert(memcmp(rec.out, src, LEN) == 0);
	ck_assert_uint_eq(pool.retransmits + pool.overlaps + pool.keepalives, 0);
	/* the highest byte sent is known alike: an ack of it is no bad ack,
	 * one far past it is */
	stream_ack(&pool, &st, isn + 1 + LEN, 0, &sink);
	stream_ack(&pool2, &st2, isn + 1 + LEN, 0, &sink2);
	ck_assert_uint_eq(pool.bad_acks, 0);
	ck_assert_uint_eq(pool2.bad_acks, 0);
	stream_ack(&pool, &st, isn + 1 + LEN + 0x40000000u, 0, &sink);
	ck_assert_uint_eq(pool.bad_acks, 1);
	stream_release(&pool2, &st2);
	free(rec2);
}
END_TEST

static Suite *stream_suite(void)
{
	Suite *s = suite_create("stream");
	TCase *tc = tcase_create("reassembly");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, in_order_zero_copy);
	tcase_add_test(tc, in_order_shortcut_matches_the_full_path);
	tcase_add_test(tc, out_of_order);
	tcase_add_test(tc, retransmission_first_wins);
	tcase_add_test(tc, retransmission_compared_with_the_tail_only);
	tcase_add_test(tc, keepalive_is_no_conflict);
	tcase_add_test(tc, relayed_copies_with_shifted_sequence);
	tcase_add_test(tc, impossible_ack_and_far_segment_ignored);
	tcase_add_test(tc, window_checks_wait_for_an_anchor);
	tcase_add_test(tc, reanchor_where_data_and_acks_agree);
	tcase_add_test(tc, released_bytes_keep_their_packet_time);
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
