/*
 * check_gen.c - unit tests for otsgen's building blocks (tools/gen_*.c):
 * the PRNG, the byte builder, the heap, the Modbus / DNP3 / S7 builders
 * against bytes taken from real devices' traffic, and the pcap writer
 * (time order, IPv4/TCP/UDP checksums, TCP sequence bookkeeping) read back
 * through libpcap and decoded with the project's cursor.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "cursor.h"
#include "../../tools/gen.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (s[0] && s[1] && n < cap) {
		ck_assert_int_eq(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void assert_bytes(const struct gen_buf *g, const char *hex)
{
	uint8_t want[512];
	size_t n = unhex(hex, want, sizeof(want));

	ck_assert_int_eq(g->overflow, 0);
	ck_assert_uint_eq(g->n, n);
	ck_assert_mem_eq(g->b, want, n);
}

/* ------------------------------------------------------------- PRNG */

START_TEST(test_rng_deterministic)
{
	struct gen_rng a, b, c;
	int i, same = 0;

	gen_rng_seed(&a, 42, 7);
	gen_rng_seed(&b, 42, 7);
	gen_rng_seed(&c, 42, 8);
	for (i = 0; i < 1000; i++) {
		uint64_t x = gen_rng_next(&a);

		ck_assert_uint_eq(x, gen_rng_next(&b));
		same += x == gen_rng_next(&c);
	}
	ck_assert_int_eq(same, 0);
	for (i = 0; i < 10000; i++) {
		double u = gen_rng_unit(&a), s = gen_rng_sym(&a);

		ck_assert(u >= 0.0 && u < 1.0);
		ck_assert(s >= -1.0 && s < 1.0);
		ck_assert_uint_lt(gen_rng_below(&a, 7), 7);
	}
	ck_assert_uint_ne(gen_hash_str("scan"), gen_hash_str("normal"));
}
END_TEST

/* ------------------------------------------------------- byte builder */

START_TEST(test_gb_overflow)
{
	static struct gen_buf g;
	size_t i;

	gb_reset(&g);
	for (i = 0; i < GEN_MAX_PAYLOAD / 4; i++)
		gb_be32(&g, 0x01020304);
	ck_assert_int_eq(g.overflow, 0);
	ck_assert_uint_eq(g.n, GEN_MAX_PAYLOAD);
	gb_u8(&g, 1);
	ck_assert_int_eq(g.overflow, 1);
	ck_assert_uint_eq(g.n, GEN_MAX_PAYLOAD);

	gb_reset(&g);
	gb_padstr(&g, "abcdef", 4, ' ');
	gb_padstr(&g, "ab", 4, 0);
	gb_leN(&g, 0x0102030405ULL, 6);
	assert_bytes(&g, "6162636461620000050403020100");
	gb_put_be16_at(&g, g.n - 1, 7);         /* would run past the end */
	ck_assert_int_eq(g.overflow, 1);
}
END_TEST

/* -------------------------------------------------------------- heap */

static int int_before(const void *a, const void *b)
{
	return *(const int *)a < *(const int *)b;
}

START_TEST(test_heap_order)
{
	struct gen_heap h = { NULL, 0, 0, int_before };
	struct gen_rng r;
	int v[3000], i, last = -1, *p;

	gen_rng_seed(&r, 1, 1);
	ck_assert_ptr_null(gen_heap_pop(&h));
	for (i = 0; i < 3000; i++) {
		v[i] = (int)gen_rng_below(&r, 500);
		ck_assert_int_eq(gen_heap_push(&h, &v[i]), 0);
	}
	for (i = 0; i < 3000; i++) {
		p = gen_heap_pop(&h);
		ck_assert_ptr_nonnull(p);
		ck_assert_int_ge(*p, last);
		last = *p;
	}
	ck_assert_ptr_null(gen_heap_pop(&h));
	gen_heap_free(&h);
	gen_heap_free(&h);      /* twice: a no-op */
}
END_TEST

/* ------------------------------------------------------------ Modbus */

START_TEST(test_modbus_builders)
{
	struct gen_buf g;
	const uint8_t bits[10] = { 1, 0, 1, 1, 0, 0, 0, 1, 0, 1 };
	const uint16_t regs[2] = { 0x1234, 0xabcd };

	mb_read_req(&g, 1, 1, 3, 0, 12);
	assert_bytes(&g, "0001000000060103" "0000000c");
	mb_regs_resp(&g, 0x0102, 1, 4, regs, 2);
	assert_bytes(&g, "0102000000070104" "04" "1234abcd");
	mb_bits_resp(&g, 9, 255, 1, bits, 10);
	assert_bytes(&g, "000900000005ff01" "02" "8d02");
	mb_write_single(&g, 3, 1, 10, 700);
	assert_bytes(&g, "0003000000060106" "000a02bc");
	mb_write_multi_req(&g, 4, 1, 10, regs, 2);
	assert_bytes(&g, "00040000000b0110" "000a000204" "1234abcd");
}
END_TEST

START_TEST(test_modbus_devid_exception)
{
	struct gen_buf g;
	const char *objs[2] = { "ACME", "X1" };

	mb_devid_req(&g, 5, 1, 1, 0);
	assert_bytes(&g, "000500000005012b" "0e0100");
	mb_devid_resp(&g, 5, 1, 1, objs, 2);
	assert_bytes(&g, "000500000012012b" "0e01810000" "02" "000441434d45" "01025831");
	mb_exception(&g, 6, 7, 43, 0x0b);
	assert_bytes(&g, "000600000003" "07ab0b");
	mb_write_multi_resp(&g, 8, 1, 10, 2);
	assert_bytes(&g, "0008000000060110" "000a0002");
}
END_TEST

/* -------------------------------------------------------------- DNP3 */

START_TEST(test_dnp3_crc_and_frames)
{
	/* a real master's cold restart request and direct operate (CROB) */
	static const uint8_t hdr[8] = { 0x05, 0x64, 0x08, 0xc4, 0x0a, 0x00, 0x01, 0x00 };
	struct gen_buf app, f;

	ck_assert_uint_eq(dnp3_crc(hdr, 8), 0x42fc);
	gb_reset(&app);
	gb_u8(&app, 0xc0);
	gb_u8(&app, 0x0d);
	dnp3_frame(&f, DNP3_CTRL_FROM_MASTER, 10, 1, 0, &app);
	assert_bytes(&f, "056408c40a000100fc42" "c0c00d9c86");

	gb_reset(&app);
	unhex("c0050c0128010000000301640000006400000000", app.b, sizeof(app.b));
	app.n = 20;
	dnp3_frame(&f, DNP3_CTRL_FROM_MASTER, 10, 1, 0, &app);
	assert_bytes(&f, "05641ac40a0001008a1c" "c0c0050c012801000000030164000000dded"
		     "6400000000005b");

	/* a fragment too long for one frame is refused, not truncated */
	app.n = 250;
	dnp3_frame(&f, DNP3_CTRL_FROM_MASTER, 10, 1, 0, &app);
	ck_assert_int_eq(f.overflow, 1);
}
END_TEST

/* ---------------------------------------------------------------- S7 */

START_TEST(test_s7_builders)
{
	struct gen_buf g, par;

	/* COTP connect of a real S7-300 session, TSAP 0x0100 -> 0x0102 */
	s7_cotp_cr(&g, 0x0007, 0x0100, 0x0102);
	assert_bytes(&g, "0300001611e00000000700c1020100c2020102c0010a");
	s7_cotp_cc(&g, 0x0007, 0x0003, 0x0100, 0x0102);
	assert_bytes(&g, "0300001611d00007000300c0010ac1020100c2020102");

	gb_reset(&par);
	gb_bytes(&par, "\xf0\x00\x00\x01\x00\x01\x01\xe0", 8);
	s7_pdu(&g, S7_JOB, 0x0200, &par, NULL);
	assert_bytes(&g, "0300001902f08032010000020000080000f0000001000101e0");
	gb_put_be16_at(&par, 6, 0xf0);
	s7_pdu(&g, S7_ACK_DATA, 0x0200, &par, NULL);
	assert_bytes(&g, "0300001b02f080320300000200000800000000f0000001000100f0");
}
END_TEST

/* ------------------------------------------------------ pcap writer */

struct frame {
	struct pcap_pkthdr h;
	uint8_t d[GEN_MAX_FRAME];
};

static int read_back(const char *path, struct frame *out, int max)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	int n = 0;

	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_int_eq(pcap_datalink(p), DLT_EN10MB);
	while (n < max && pcap_next_ex(p, &h, &d) == 1) {
		out[n].h = *h;
		ck_assert_uint_le(h->caplen, GEN_MAX_FRAME);
		memcpy(out[n].d, d, h->caplen);
		n++;
	}
	pcap_close(p);
	return n;
}

/* One frame decoded back through the project's bounds-checked cursor. */
struct seg {
	unsigned ethertype, proto, ip_len, flags;
	uint32_t seq, ack;
	struct cursor ip;       /* the IPv4 header */
	struct cursor l4;       /* the TCP or UDP header and payload */
	struct cursor payload;
};

static void decode(const struct frame *f, struct seg *s)
{
	struct cursor c, ip;
	unsigned ihl;

	memset(s, 0, sizeof(*s));
	cur_init(&c, f->d, f->h.caplen);
	cur_skip(&c, 12);
	s->ethertype = cur_be16(&c);
	ip = c;                         /* from the IPv4 header on */
	ihl = (cur_u8(&c) & 0x0f) * 4u;
	cur_skip(&c, 1);
	s->ip_len = cur_be16(&c);
	cur_skip(&c, 5);
	s->proto = cur_u8(&c);
	ck_assert_uint_eq(ihl, 20);
	ck_assert_uint_eq(cur_left(&ip), s->ip_len);
	s->ip = cur_sub(&ip, ihl);
	s->l4 = ip;
	if (s->proto == 6) {
		struct cursor t = ip;
		unsigned off;

		cur_skip(&t, 4);
		s->seq = cur_be32(&t);
		s->ack = cur_be32(&t);
		off = (cur_u8(&t) >> 4) * 4u;
		s->flags = cur_u8(&t);
		cur_skip(&ip, off);
	} else {
		cur_skip(&ip, 8);
	}
	s->payload = ip;
	ck_assert(cur_ok(&c) && cur_ok(&ip) && cur_ok(&s->ip));
}

/* One's-complement sum of the bytes left in c (consumed). */
static uint32_t sum16(struct cursor c)
{
	uint32_t sum = 0;

	while (cur_left(&c) >= 2)
		sum += cur_be16(&c);
	if (cur_left(&c))
		sum += (uint32_t)cur_u8(&c) << 8;
	return sum;
}

static unsigned fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* The IPv4 header, and the pseudo header plus L4 bytes, both fold to
 * 0xffff when their checksums are right. */
static void assert_checksums(const struct seg *s)
{
	struct cursor addrs = s->ip;
	uint32_t sum;

	ck_assert_uint_eq(s->ethertype, 0x0800);
	ck_assert_uint_eq(fold(sum16(s->ip)), 0xffff);
	cur_skip(&addrs, 12);
	sum = sum16(addrs) + s->proto + (uint32_t)cur_left(&s->l4) + sum16(s->l4);
	ck_assert_uint_eq(fold(sum), 0xffff);
}

START_TEST(test_writer_session)
{
	char path[] = "/tmp/check_gen.XXXXXX";
	struct gen_writer w;
	struct gen_rng r;
	struct gen_host a, b;
	struct gen_tcp c;
	struct gen_buf g;
	static struct frame fr[16];
	struct seg sg[16];
	uint32_t isn_c, isn_s;
	int fd = mkstemp(path), n, i;

	ck_assert_int_ge(fd, 0);
	close(fd);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.ip = 0x0a0a010a;
	b.ip = 0x0a0a020a;
	a.mac[5] = 1;
	b.mac[5] = 2;
	a.ttl = b.ttl = 64;
	a.win = b.win = 8192;
	a.next_port = 50000;
	gen_rng_seed(&r, 3, 3);
	ck_assert_int_eq(gen_writer_open(&w, path), 0);

	/* a UDP datagram queued first but stamped last */
	gen_udp(&w, 10 * GEN_SEC, &a, 123, &b, 123, (const uint8_t *)"abc", 3);
	gen_tcp_init(&c, &r, &a, &b, 502);
	ck_assert_uint_eq(c.cport, 50000);
	isn_c = c.cseq;
	isn_s = c.sseq;
	gen_tcp_connect(&w, &r, &c, GEN_SEC);
	mb_read_req(&g, 1, 1, 3, 0, 2);
	gen_tcp_data(&w, &c, 0, 2 * GEN_SEC, &g);
	gen_tcp_ack(&w, &c, 1, 2 * GEN_SEC + 100);
	gen_tcp_close(&w, &r, &c, 3 * GEN_SEC);
	ck_assert_int_eq(c.open, 0);
	ck_assert_int_eq(gen_writer_close(&w), 0);

	n = read_back(path, fr, 16);
	unlink(path);
	ck_assert_int_eq(n, 9);
	for (i = 0; i < n; i++) {
		decode(&fr[i], &sg[i]);
		assert_checksums(&sg[i]);
		if (i)
			ck_assert(fr[i].h.ts.tv_sec > fr[i - 1].h.ts.tv_sec ||
				  (fr[i].h.ts.tv_sec == fr[i - 1].h.ts.tv_sec &&
				   fr[i].h.ts.tv_usec >= fr[i - 1].h.ts.tv_usec));
	}
	/* SYN, SYN/ACK, ACK: each SYN takes one sequence number */
	ck_assert_uint_eq(sg[0].flags, 0x02);
	ck_assert_uint_eq(sg[0].seq, isn_c);
	ck_assert_uint_eq(sg[1].flags, 0x12);
	ck_assert_uint_eq(sg[1].seq, isn_s);
	ck_assert_uint_eq(sg[1].ack, isn_c + 1);
	ck_assert_uint_eq(sg[2].ack, isn_s + 1);
	/* the request: 12 bytes, PSH|ACK; the server's ACK covers it */
	ck_assert_uint_eq(sg[3].flags, 0x18);
	ck_assert_uint_eq(cur_left(&sg[3].payload), 12);
	ck_assert_uint_eq(sg[4].ack, isn_c + 1 + 12);
	/* FIN/ACK, FIN/ACK, ACK */
	ck_assert_uint_eq(sg[5].flags, 0x11);
	ck_assert_uint_eq(sg[5].seq, isn_c + 13);
	ck_assert_uint_eq(sg[6].ack, isn_c + 14);
	ck_assert_uint_eq(sg[7].ack, isn_s + 2);
	/* and the UDP datagram last, by time */
	ck_assert_uint_eq(sg[8].proto, 17);
	ck_assert_uint_eq(fr[8].h.ts.tv_sec, 10);
	ck_assert_uint_eq(cur_left(&sg[8].payload), 3);
	ck_assert_mem_eq(cur_ptr(&sg[8].payload), "abc", 3);
}
END_TEST

START_TEST(test_writer_refuses_oversize)
{
	char path[] = "/tmp/check_gen.XXXXXX";
	struct gen_writer w;
	struct gen_host a, b;
	static uint8_t big[GEN_MAX_FRAME];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(gen_writer_open(&w, path), 0);
	gen_udp(&w, GEN_SEC, &a, 1, &b, 2, big, sizeof(big));
	ck_assert_int_eq(gen_writer_close(&w), -1);
	unlink(path);
	ck_assert_int_eq(gen_writer_open(&w, "/nonexistent/dir/x.pcap"), -1);
}
END_TEST

static Suite *gen_suite(void)
{
	Suite *s = suite_create("gen");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rng_deterministic);
	tcase_add_test(tc, test_gb_overflow);
	tcase_add_test(tc, test_heap_order);
	tcase_add_test(tc, test_modbus_builders);
	tcase_add_test(tc, test_modbus_devid_exception);
	tcase_add_test(tc, test_dnp3_crc_and_frames);
	tcase_add_test(tc, test_s7_builders);
	tcase_add_test(tc, test_writer_session);
	tcase_add_test(tc, test_writer_refuses_oversize);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gen_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
