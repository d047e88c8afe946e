/*
 * check_decode.c - link types, VLAN tags, IPv4/IPv6, TCP/UDP, malformed
 * headers by reason, IPv4 fragment reassembly.
 */
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "frag.h"

static const struct timeval T0 = { 1700000000, 0 };

/* ---- packet builders ---- */

static size_t put16(uint8_t *b, uint16_t v) { b[0] = v >> 8; b[1] = v & 0xff; return 2; }

static size_t build_tcp(uint8_t *b, uint16_t sp, uint16_t dp, uint8_t flags,
			const char *payload)
{
	size_t n = payload ? strlen(payload) : 0;

	memset(b, 0, 20);
	put16(b, sp);
	put16(b + 2, dp);
	b[4] = 0x11; b[5] = 0x22; b[6] = 0x33; b[7] = 0x44;    /* seq */
	b[11] = 7;                                              /* ack */
	b[12] = 5 << 4;
	b[13] = flags;
	put16(b + 14, 8192);
	if (n)
		memcpy(b + 20, payload, n);
	return 20 + n;
}

static size_t build_udp(uint8_t *b, uint16_t sp, uint16_t dp, const char *payload)
{
	size_t n = payload ? strlen(payload) : 0;

	put16(b, sp);
	put16(b + 2, dp);
	put16(b + 4, (uint16_t)(8 + n));
	put16(b + 6, 0);
	if (n)
		memcpy(b + 8, payload, n);
	return 8 + n;
}

/* IPv4 header + l4 bytes; fo = flags|offset/8 field. */
static size_t build_ipv4(uint8_t *b, uint8_t proto, const uint8_t *l4, size_t l4len,
			 uint16_t id, uint16_t fo)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	put16(b + 2, (uint16_t)(20 + l4len));
	put16(b + 4, id);
	put16(b + 6, fo);
	b[8] = 64;
	b[9] = proto;
	b[12] = 10; b[13] = 0; b[14] = 0; b[15] = 1;
	b[16] = 10; b[17] = 0; b[18] = 0; b[19] = 2;
	memcpy(b + 20, l4, l4len);
	return 20 + l4len;
}

static size_t build_ipv6(uint8_t *b, uint8_t nh, const uint8_t *rest, size_t len)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, (uint16_t)len);
	b[6] = nh;
	b[7] = 255;
	b[8] = 0xfe; b[9] = 0x80; b[23] = 1;
	b[24] = 0xfe; b[25] = 0x80; b[39] = 2;
	memcpy(b + 40, rest, len);
	return 40 + len;
}

static size_t build_eth(uint8_t *b, const uint16_t *tags, int ntags, uint16_t outer_tpid,
			uint16_t type, const uint8_t *pl, size_t plen)
{
	size_t n = 0;
	int i;

	for (i = 0; i < 6; i++)
		b[n++] = 0x02;
	for (i = 0; i < 6; i++)
		b[n++] = (uint8_t)(0x10 + i);
	for (i = 0; i < ntags; i++) {
		n += put16(b + n, i == 0 ? outer_tpid : 0x8100);
		n += put16(b + n, tags[i]);
	}
	n += put16(b + n, type);
	memcpy(b + n, pl, plen);
	return n + plen;
}

static size_t tcp_ipv4(uint8_t *b, const char *payload)
{
	uint8_t l4[256];
	size_t n = build_tcp(l4, 40000, 502, TCP_ACK | TCP_PSH, payload);

	return build_ipv4(b, IPPROTO_TCP, l4, n, 1, 0x4000);
}

static struct decoder *dec;
static struct pkt_meta pm;
static struct decode_stats ds;

static void setup(void) { dec = decoder_new(NULL); ck_assert_ptr_nonnull(dec); }
static void teardown(void) { decoder_free(dec); dec = NULL; }

static int run(int lt, const uint8_t *b, size_t n)
{
	int r = decode_packet(dec, lt, &T0, (uint32_t)n, (uint32_t)n, b, &pm);

	decode_get_stats(dec, &ds);
	return r;
}

static void assert_tcp_ipv4(const char *payload)
{
	ck_assert_uint_eq(pm.src_ip.ver, 4);
	ck_assert_uint_eq(pm.src_ip.a[3], 1);
	ck_assert_uint_eq(pm.dst_ip.a[3], 2);
	ck_assert_uint_eq(pm.l4, IPPROTO_TCP);
	ck_assert_uint_eq(pm.sport, 40000);
	ck_assert_uint_eq(pm.dport, 502);
	ck_assert_uint_eq(pm.seq, 0x11223344);
	ck_assert_uint_eq(pm.ack, 7);
	ck_assert_uint_eq(pm.tcp_flags, TCP_ACK | TCP_PSH);
	ck_assert_uint_eq(pm.win, 8192);
	ck_assert_uint_eq(pm.ttl, 64);
	ck_assert_uint_eq(pm.payload_len, strlen(payload));
	ck_assert(memcmp(pm.payload, payload, strlen(payload)) == 0);
	ck_assert_ptr_nonnull(pm.l3);
	ck_assert_uint_eq(pm.l3_len, pm.ip_len);
}

/* ---- link types ---- */

START_TEST(ethernet_ipv4_tcp)
{
	uint8_t ip[300], fr[400];
	size_t n = tcp_ipv4(ip, "hello"), m = build_eth(fr, NULL, 0, 0, 0x0800, ip, n);

	ck_assert_int_eq(run(OTS_DLT_EN10MB, fr, m), 1);
	assert_tcp_ipv4("hello");
	ck_assert_uint_eq(pm.has_mac, 1);
	ck_assert_uint_eq(pm.src_mac[0], 0x10);
	ck_assert_uint_eq(pm.dst_mac[5], 0x02);
	ck_assert_uint_eq(pm.nvlan, 0);
	ck_assert_uint_eq(pm.ip_len, n);
	ck_assert_uint_eq(ds.decoded, 1);
}
END_TEST

START_TEST(ethernet_padding_is_not_payload)
{
	uint8_t ip[300], fr[400];
	size_t n = tcp_ipv4(ip, "ab"), m = build_eth(fr, NULL, 0, 0, 0x0800, ip, n);

	memset(fr + m, 0xee, 60 - m);           /* pad to the 60-byte minimum */
	ck_assert_int_eq(run(OTS_DLT_EN10MB, fr, 60), 1);
	ck_assert_uint_eq(pm.payload_len, 2);
}
END_TEST

START_TEST(vlan_8021q_and_qinq)
{
	uint8_t ip[300], fr[400];
	uint16_t one[] = { 100 }, two[] = { 0x2000 | 10, 20 }, three[] = { 1, 2, 3 };
	size_t n = tcp_ipv4(ip, "x"), m;

	m = build_eth(fr, one, 1, 0x8100, 0x0800, ip, n);
	ck_assert_int_eq(run(OTS_DLT_EN10MB, fr, m), 1);
	ck_assert_uint_eq(pm.nvlan, 1);
	ck_assert_uint_eq(pm.vlan[0], 100);
	assert_tcp_ipv4("x");

	m = build_eth(fr, two, 2, 0x88a8, 0x0800, ip, n);
	ck_assert_int_eq(run(OTS_DLT_EN10MB, fr, m), 1);
	ck_assert_uint_eq(pm.nvlan, 2);
	ck_assert_uint_eq(pm.vlan[0], 10);      /* priority bits stripped */
	ck_assert_uint_eq(pm.vlan[1], 20);

	m = build_eth(fr, two, 2, 0x9100, 0x0800, ip, n);
	ck_assert_int_eq(run(OTS_DLT_EN10MB, fr, m), 1);
	ck_assert_uint_eq(pm.nvlan, 2);

	m = build_eth(fr, three, 3, 0x88a8, 0x0800, ip, n);
	ck_assert_int_eq(run(OTS_DLT_EN10MB, fr, m), 0);
	ck_assert_uint_eq(ds.reason[DEC_VLAN_TOO_DEEP], 1);

	m = build_eth(fr, one, 1, 0x8100, 0x0800, ip, n);
	ck_assert_int_eq(run(OTS_DLT_EN10MB, fr, 16), 0);
	ck_assert_uint_eq(ds.reason[DEC_VLAN_TRUNCATED], 1);
}
END_TEST

START_TEST(linux_sll_v1_v2)
{
	uint8_t ip[300], fr[400];
	size_t n = tcp_ipv4(ip, "sll");

	memset(fr, 0, 16);
	fr[1] = 4;                      /* outgoing */
	fr[3] = 1;                      /* ARPHRD_ETHER */
	fr[5] = 6;
	put16(fr + 14, 0x0800);
	memcpy(fr + 16, ip, n);
	ck_assert_int_eq(run(OTS_DLT_LINUX_SLL, fr, 16 + n), 1);
	assert_tcp_ipv4("sll");
	ck_assert_uint_eq(pm.has_mac, 0);
	ck_assert_int_eq(run(OTS_DLT_LINUX_SLL, fr, 15), 0);
	ck_assert_uint_eq(ds.reason[DEC_SLL_TRUNCATED], 1);

	memset(fr, 0, 20);
	put16(fr, 0x0800);
	fr[9] = 1;                      /* ARPHRD_ETHER */
	fr[11] = 6;
	memcpy(fr + 20, ip, n);
	ck_assert_int_eq(run(OTS_DLT_LINUX_SLL2, fr, 20 + n), 1);
	assert_tcp_ipv4("sll");
	ck_assert_int_eq(run(OTS_DLT_LINUX_SLL2, fr, 19), 0);
	ck_assert_uint_eq(ds.reason[DEC_SLL2_TRUNCATED], 1);
	put16(fr, 0x0806);              /* ARP */
	ck_assert_int_eq(run(OTS_DLT_LINUX_SLL2, fr, 20 + n), 0);
	ck_assert_uint_eq(ds.reason[DEC_NON_IP], 1);
}
END_TEST

START_TEST(raw_ip_link_types)
{
	uint8_t ip[300], l4[64], ip6[300];
	size_t n = tcp_ipv4(ip, "raw"), m;

	ck_assert_int_eq(run(OTS_DLT_RAW, ip, n), 1);
	assert_tcp_ipv4("raw");
	ck_assert_int_eq(run(OTS_LINKTYPE_RAW, ip, n), 1);
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV4, ip, n), 1);
	assert_tcp_ipv4("raw");

	m = build_ipv6(ip6, IPPROTO_UDP, l4, build_udp(l4, 20000, 20001, "dnp"));
	ck_assert_int_eq(run(OTS_DLT_RAW, ip6, m), 1);
	ck_assert_uint_eq(pm.src_ip.ver, 6);
	ck_assert_uint_eq(pm.l4, IPPROTO_UDP);
	ck_assert_uint_eq(pm.dport, 20001);
	ck_assert_uint_eq(pm.payload_len, 3);
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV6, ip6, m), 1);
	ck_assert_uint_eq(pm.ttl, 255);

	ip[0] = 0x75;                   /* version 7 */
	ck_assert_int_eq(run(OTS_DLT_RAW, ip, n), 0);
	ck_assert_uint_eq(ds.reason[DEC_RAW_BAD_VERSION], 1);
	ck_assert_int_eq(run(147, ip, n), 0);   /* a user DLT */
	ck_assert_uint_eq(ds.reason[DEC_UNSUPPORTED_LINKTYPE], 1);
}
END_TEST

START_TEST(bsd_loopback)
{
	uint8_t ip[300], fr[400], l4[64], ip6[300];
	size_t n = tcp_ipv4(ip, "lo"), m;

	memset(fr, 0, 4);
	fr[0] = 2;                      /* AF_INET, little-endian host */
	memcpy(fr + 4, ip, n);
	ck_assert_int_eq(run(OTS_DLT_NULL, fr, 4 + n), 1);
	assert_tcp_ipv4("lo");
	memset(fr, 0, 4);
	fr[3] = 2;                      /* AF_INET, big-endian host */
	ck_assert_int_eq(run(OTS_DLT_NULL, fr, 4 + n), 1);
	ck_assert_int_eq(run(OTS_DLT_LOOP, fr, 4 + n), 1);

	m = build_ipv6(ip6, IPPROTO_UDP, l4, build_udp(l4, 1, 2, NULL));
	memset(fr, 0, 4);
	fr[0] = 30;                     /* AF_INET6 on macOS */
	memcpy(fr + 4, ip6, m);
	ck_assert_int_eq(run(OTS_DLT_NULL, fr, 4 + m), 1);
	ck_assert_uint_eq(pm.src_ip.ver, 6);
	fr[0] = 24;                     /* NetBSD/OpenBSD */
	ck_assert_int_eq(run(OTS_DLT_NULL, fr, 4 + m), 1);
	fr[0] = 7;
	ck_assert_int_eq(run(OTS_DLT_NULL, fr, 4 + m), 0);
	ck_assert_uint_eq(ds.reason[DEC_NULL_UNKNOWN_FAMILY], 1);
	ck_assert_int_eq(run(OTS_DLT_NULL, fr, 3), 0);
	ck_assert_uint_eq(ds.reason[DEC_NULL_TRUNCATED], 1);
}
END_TEST

/* ---- IPv6 extension headers ---- */

START_TEST(ipv6_extension_headers)
{
	uint8_t rest[256], ip6[400], l4[64];
	size_t l4n = build_tcp(l4, 1234, 102, TCP_SYN, NULL), n = 0, m;

	/* hop-by-hop (8) -> dest opts (16) -> routing (8) -> fragment (atomic) -> AH (12) -> TCP */
	memset(rest, 0, sizeof(rest));
	rest[n] = 60; rest[n + 1] = 0; n += 8;
	rest[n] = 43; rest[n + 1] = 1; n += 16;
	rest[n] = 44; rest[n + 1] = 0; n += 8;
	rest[n] = 51; n += 8;           /* fragment: offset 0, M 0 */
	rest[n] = IPPROTO_TCP; rest[n + 1] = 1; n += 12;        /* AH: (1+2)*4 */
	memcpy(rest + n, l4, l4n);
	m = build_ipv6(ip6, 0, rest, n + l4n);
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV6, ip6, m), 1);
	ck_assert_uint_eq(pm.l4, IPPROTO_TCP);
	ck_assert_uint_eq(pm.sport, 1234);
	ck_assert_uint_eq(pm.dport, 102);
	ck_assert_uint_eq(pm.tcp_flags, TCP_SYN);
	ck_assert_uint_eq(pm.payload_len, 0);

	/* first fragment (M=1): held for the rest, counted */
	ip6[40 + 32 + 2] = 0; ip6[40 + 32 + 3] = 1;
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV6, ip6, m), 0);
	ck_assert_uint_eq(ds.reason[DEC_IPV6_FRAGMENT_HELD], 1);

	/* an extension header running past the packet */
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV6, ip6, 40 + 12), 0);
	ck_assert_uint_gt(ds.reason[DEC_IPV6_TRUNCATED] + ds.reason[DEC_IPV6_EXT_TRUNCATED], 0);

	/* a chain of nine hop-by-hop headers */
	memset(rest, 0, sizeof(rest));
	for (n = 0; n < 9 * 8; n += 8)
		rest[n] = 0;
	rest[n - 8] = IPPROTO_TCP;
	memcpy(rest + n, l4, l4n);
	m = build_ipv6(ip6, 0, rest, n + l4n);
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV6, ip6, m), 0);
	ck_assert_uint_eq(ds.reason[DEC_IPV6_TOO_MANY_EXT], 1);
}
END_TEST

/* ---- malformed and truncated ---- */

START_TEST(every_truncated_prefix_is_counted)
{
	uint8_t ip[300], fr[400];
	size_t n = tcp_ipv4(ip, "abcdef"), m = build_eth(fr, NULL, 0, 0, 0x0800, ip, n), k;
	uint64_t before, after;
	int i;

	for (k = 0; k < m; k++) {
		struct pkt_meta p;
		uint8_t *copy = malloc(k ? k : 1);

		memcpy(copy, fr, k);
		decode_get_stats(dec, &ds);
		before = 0;
		for (i = 0; i < DEC_REASON_COUNT; i++)
			before += ds.reason[i];
		/* caplen == wirelen: the frame really is this short */
		ck_assert_int_eq(decode_packet(dec, OTS_DLT_EN10MB, &T0, (uint32_t)k,
					       (uint32_t)k, copy, &p), 0);
		decode_get_stats(dec, &ds);
		after = 0;
		for (i = 0; i < DEC_REASON_COUNT; i++)
			after += ds.reason[i];
		ck_assert_uint_eq(after, before + 1);
		free(copy);
	}
	ck_assert_uint_eq(ds.reason[DEC_ETH_TRUNCATED], 14);
	ck_assert_uint_eq(ds.reason[DEC_IPV4_TRUNCATED], 20);
	ck_assert_uint_eq(ds.reason[DEC_IPV4_BAD_TOTAL_LEN], m - 34);
}
END_TEST

START_TEST(snaplen_cut_is_decoded_as_far_as_captured)
{
	uint8_t ip[300], fr[400];
	size_t n = tcp_ipv4(ip, "abcdefgh"), m = build_eth(fr, NULL, 0, 0, 0x0800, ip, n);

	ck_assert_int_eq(decode_packet(dec, OTS_DLT_EN10MB, &T0, (uint32_t)m - 4,
				       (uint32_t)m, fr, &pm), 1);
	decode_get_stats(dec, &ds);
	ck_assert_uint_eq(pm.payload_len, 4);
	ck_assert_uint_eq(pm.ip_len, n);
	ck_assert_uint_eq(ds.reason[DEC_IPV4_CAPTURE_TRUNCATED], 1);
	ck_assert_int_eq(decode_packet(dec, OTS_DLT_EN10MB, &T0, 14 + 20 + 10,
				       (uint32_t)m, fr, &pm), 0);
	decode_get_stats(dec, &ds);
	ck_assert_uint_eq(ds.reason[DEC_TCP_TRUNCATED], 1);
}
END_TEST

START_TEST(malformed_headers_by_reason)
{
	uint8_t ip[300], l4[64];
	size_t n = tcp_ipv4(ip, "zz");

	ip[0] = 0x44;                           /* hlen 16 */
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV4, ip, n), 0);
	ck_assert_uint_eq(ds.reason[DEC_IPV4_BAD_HLEN], 1);
	ip[0] = 0x55;
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV4, ip, n), 0);
	ck_assert_uint_eq(ds.reason[DEC_IPV4_BAD_VERSION], 1);
	ip[0] = 0x4f;                           /* hlen 60 > the bytes there */
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV4, ip, n), 0);
	ck_assert_uint_eq(ds.reason[DEC_IPV4_TRUNCATED], 1);
	ip[0] = 0x45;
	put16(ip + 2, 19);                      /* total below the header */
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV4, ip, n), 0);
	ck_assert_uint_eq(ds.reason[DEC_IPV4_BAD_TOTAL_LEN], 1);
	put16(ip + 2, (uint16_t)n);

	ip[20 + 12] = 4 << 4;                   /* TCP data offset 16 */
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV4, ip, n), 0);
	ck_assert_uint_eq(ds.reason[DEC_TCP_BAD_OFFSET], 1);
	ip[20 + 12] = 15 << 4;                  /* 60, past the segment */
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV4, ip, n), 0);
	ck_assert_uint_eq(ds.reason[DEC_TCP_BAD_OFFSET], 2);

	n = build_ipv4(ip, IPPROTO_UDP, l4, build_udp(l4, 5, 6, "abc"), 9, 0);
	put16(ip + 20 + 4, 4);                  /* UDP length below 8 */
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV4, ip, n), 1);
	ck_assert_uint_eq(pm.payload_len, 0);
	ck_assert_uint_eq(ds.reason[DEC_UDP_BAD_LEN], 1);
	put16(ip + 20 + 4, 200);                /* past the datagram */
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV4, ip, n), 1);
	ck_assert_uint_eq(pm.payload_len, 0);
	ck_assert_uint_eq(ds.reason[DEC_UDP_BAD_LEN], 2);
	put16(ip + 20 + 4, 9);                  /* shorter than the IP payload */
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV4, ip, n), 1);
	ck_assert_uint_eq(pm.payload_len, 1);
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV4, ip, 20 + 6), 0);
	ck_assert_uint_eq(ds.reason[DEC_IPV4_BAD_TOTAL_LEN], 2);
}
END_TEST

START_TEST(non_ip_and_llc_skipped)
{
	uint8_t fr[100], pl[46];

	memset(pl, 0, sizeof(pl));
	ck_assert_int_eq(run(OTS_DLT_EN10MB, fr, build_eth(fr, NULL, 0, 0, 0x0806, pl, 28)), 0);
	ck_assert_int_eq(run(OTS_DLT_EN10MB, fr, build_eth(fr, NULL, 0, 0, 46, pl, 46)), 0);
	ck_assert_uint_eq(ds.reason[DEC_NON_IP], 2);
	ck_assert_uint_eq(ds.decoded, 0);
}
END_TEST

/* ---- IPv4 fragments through the decoder ---- */

static uint8_t dgram_payload[200];

/* Fragment of the UDP datagram (8-byte header + 192 bytes) at [off, off+len). */
static int send_frag(uint16_t id, size_t off, size_t len, int more, long sec)
{
	uint8_t l4[256], ip[300];
	struct timeval ts = { T0.tv_sec + sec, 0 };
	size_t n;

	build_udp(l4, 20000, 20000, NULL);
	put16(l4 + 4, 200);
	memcpy(l4 + 8, dgram_payload, 192);
	n = build_ipv4(ip, IPPROTO_UDP, l4 + off, len, id,
		       (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
	n = decode_packet(dec, OTS_LINKTYPE_IPV4, &ts, (uint32_t)n, (uint32_t)n, ip, &pm);
	decode_get_stats(dec, &ds);
	return (int)n;
}

static void fill_payload(void)
{
	size_t i;

	for (i = 0; i < sizeof(dgram_payload); i++)
		dgram_payload[i] = (uint8_t)(i * 7 + 1);
}

/* A counter of one of the decoder's fragment tables ("ipv4_frag",
 * "ipv6_frag"), through its stats JSON. */
static json_int_t frag_table_counter(const char *table, const char *name)
{
	json_t *o = json_object();
	json_int_t v;

	decode_stats_json(dec, o);
	v = json_integer_value(json_object_get(json_object_get(o, table), name));
	json_decref(o);
	return v;
}

#define frag_counter(name) frag_table_counter("ipv4_frag", name)
#define frag6_counter(name) frag_table_counter("ipv6_frag", name)

static void assert_whole_datagram(void)
{
	ck_assert_uint_eq(pm.reassembled, 1);
	ck_assert_uint_eq(pm.l4, IPPROTO_UDP);
	ck_assert_uint_eq(pm.ip_len, 220);
	ck_assert_uint_eq(pm.payload_len, 192);
	ck_assert(memcmp(pm.payload, dgram_payload, 192) == 0);
}

START_TEST(fragments_in_order)
{
	fill_payload();
	ck_assert_int_eq(send_frag(7, 0, 64, 1, 0), 0);
	ck_assert_int_eq(send_frag(7, 64, 64, 1, 0), 0);
	ck_assert_int_eq(send_frag(7, 128, 72, 0, 0), 1);
	assert_whole_datagram();
	ck_assert_uint_eq(ds.reason[DEC_IPV4_FRAGMENT_HELD], 2);
	ck_assert_uint_eq(ds.ipv4, 3);
	ck_assert_uint_eq(ds.udp, 1);
	ck_assert_int_eq(frag_counter("reassembled"), 1);
	ck_assert_int_eq(frag_counter("in_progress"), 0);
	ck_assert_int_eq(frag_counter("overlaps"), 0);
}
END_TEST

START_TEST(fragments_out_of_order)
{
	fill_payload();
	ck_assert_int_eq(send_frag(8, 128, 72, 0, 0), 0);
	ck_assert_int_eq(send_frag(8, 0, 64, 1, 0), 0);
	ck_assert_int_eq(send_frag(8, 64, 64, 1, 0), 1);
	assert_whole_datagram();
}
END_TEST

START_TEST(fragments_overlap_first_wins)
{
	uint8_t l4[256], ip[300], bogus[64];
	size_t n;

	fill_payload();
	ck_assert_int_eq(send_frag(9, 0, 64, 1, 0), 0);
	/* a conflicting fragment over [32, 96): its first 32 bytes must lose */
	memset(bogus, 0xAA, sizeof(bogus));
	memcpy(bogus + 32, dgram_payload + 56, 32);     /* [64,96) of l4 = payload[56..88) */
	n = build_ipv4(ip, IPPROTO_UDP, bogus, 64, 9, 0x2000 | 4);
	ck_assert_int_eq(decode_packet(dec, OTS_LINKTYPE_IPV4, &T0, (uint32_t)n, (uint32_t)n, ip, &pm), 0);
	ck_assert_int_eq(send_frag(9, 64, 64, 1, 0), 0);        /* overlaps [64,96) too */
	ck_assert_int_eq(send_frag(9, 128, 72, 0, 0), 1);
	assert_whole_datagram();
	ck_assert_int_eq(frag_counter("overlaps"), 2);
	(void)l4;
}
END_TEST

START_TEST(fragments_incomplete_expire)
{
	struct timeval later = { T0.tv_sec + 31, 0 };

	fill_payload();
	ck_assert_int_eq(send_frag(10, 0, 64, 1, 0), 0);
	ck_assert_int_eq(send_frag(10, 128, 72, 0, 0), 0);
	decode_expire(dec, &later);
	/* the missing middle arrives too late: a new, incomplete datagram */
	ck_assert_int_eq(frag_counter("timeouts"), 1);
	ck_assert_int_eq(send_frag(10, 64, 64, 1, 31), 0);
	ck_assert_int_eq(frag_counter("in_progress"), 1);
	ck_assert_int_eq(frag_counter("reassembled"), 0);
	/* the tables were found empty at the last expiry; this one is held
	 * since, and expires in its turn (not early, not never) */
	later.tv_sec += 29;
	decode_expire(dec, &later);
	ck_assert_int_eq(frag_counter("timeouts"), 1);
	later.tv_sec += 1;
	decode_expire(dec, &later);
	ck_assert_int_eq(frag_counter("timeouts"), 2);
	ck_assert_int_eq(frag_counter("in_progress"), 0);
	decode_expire(dec, &later);             /* nothing left: nothing done */
	ck_assert_int_eq(frag_counter("timeouts"), 2);
}
END_TEST

START_TEST(fragments_bogus_are_counted)
{
	fill_payload();
	/* non-last fragment whose length is not a multiple of 8 */
	ck_assert_int_eq(send_frag(11, 0, 60, 1, 0), 0);
	/* two different ends */
	ck_assert_int_eq(send_frag(12, 128, 72, 0, 0), 0);
	ck_assert_int_eq(send_frag(12, 128, 64, 0, 0), 0);
	ck_assert_int_eq(send_frag(12, 0, 64, 1, 0), 0);
	ck_assert_int_eq(send_frag(12, 64, 64, 1, 0), 1);
	assert_whole_datagram();
	ck_assert_int_eq(frag_counter("bad"), 2);
}
END_TEST

/* ---- the fragment table alone ---- */

static const uint8_t hdr20[20] = { 0x45, 0, 0, 0, 0x12, 0x34, 0x20, 0, 64, 17, 0, 0,
				   10, 0, 0, 1, 10, 0, 0, 2 };

static int fadd(struct frag_table *t, uint16_t id, uint32_t off, size_t len, int more,
		long sec, const uint8_t **out, size_t *outlen)
{
	static uint8_t data[70000];
	uint8_t h[20];
	struct timeval ts = { T0.tv_sec + sec, 0 };

	memcpy(h, hdr20, 20);
	put16(h + 4, id);
	memset(data, (int)(off & 0xff), len < sizeof(data) ? len : sizeof(data));
	return frag_add(t, &ts, h, 20, data, len, off, more, out, outlen);
}

/* A TCP segment over IPv6 in two fragments (RFC 8200 4.5), after a
 * hop-by-hop header: [0, 16) with M=1, [16, 40) last.  frag: 0 or 1. */
static size_t ipv6_fragment(uint8_t *out, int frag, uint32_t id)
{
	uint8_t rest[128], l4[64];
	size_t l4n = build_tcp(l4, 40000, 502, TCP_ACK | TCP_PSH, "modbus over v6!!!!!!"), n = 0;
	size_t off = frag ? 16 : 0, len = frag ? l4n - 16 : 16;

	memset(rest, 0, sizeof(rest));
	rest[n] = 44; n += 8;                   /* hop-by-hop, 8 bytes */
	rest[n] = IPPROTO_TCP;                  /* fragment header */
	put16(rest + n + 2, (uint16_t)(off | (frag ? 0 : 1)));
	rest[n + 4] = (uint8_t)(id >> 24); rest[n + 5] = (uint8_t)(id >> 16);
	rest[n + 6] = (uint8_t)(id >> 8); rest[n + 7] = (uint8_t)id;
	n += 8;
	memcpy(rest + n, l4 + off, len);
	return build_ipv6(out, 0, rest, n + len);
}

START_TEST(ipv6_fragments_reassembled)
{
	uint8_t a[200], b[200];
	size_t na = ipv6_fragment(a, 0, 0x01020304), nb = ipv6_fragment(b, 1, 0x01020304);

	ck_assert_int_eq(run(OTS_LINKTYPE_IPV6, b, nb), 0);     /* the last first */
	ck_assert_uint_eq(ds.reason[DEC_IPV6_FRAGMENT_HELD], 1);
	ck_assert_int_eq(frag6_counter("in_progress"), 1);
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV6, a, na), 1);
	ck_assert_uint_eq(pm.reassembled, 1);
	ck_assert_uint_eq(pm.l4, IPPROTO_TCP);
	ck_assert_uint_eq(pm.sport, 40000);
	ck_assert_uint_eq(pm.dport, 502);
	ck_assert_uint_eq(pm.ip_len, 40 + 40);
	ck_assert_uint_eq(pm.payload_len, 20);
	ck_assert(memcmp(pm.payload, "modbus over v6!!!!!!", 20) == 0);
	ck_assert_int_eq(frag6_counter("fragments"), 2);
	ck_assert_int_eq(frag6_counter("reassembled"), 1);
	ck_assert_int_eq(frag6_counter("in_progress"), 0);
	ck_assert_int_eq(frag_counter("fragments"), 0);         /* IPv4's table untouched */

	/* another identification is another packet; the same ids from
	 * another source too */
	nb = ipv6_fragment(b, 1, 7);
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV6, b, nb), 0);
	b[23] = 9;
	ck_assert_int_eq(run(OTS_LINKTYPE_IPV6, b, nb), 0);
	ck_assert_int_eq(frag6_counter("in_progress"), 2);
	/* a fragment the snap length cut is of no use */
	ck_assert_int_eq(decode_packet(dec, OTS_LINKTYPE_IPV6, &T0, (uint32_t)na - 4,
				       (uint32_t)na, a, &pm), 0);
	decode_get_stats(dec, &ds);
	ck_assert_uint_eq(ds.reason[DEC_IPV6_FRAGMENT_TRUNCATED], 1);
}
END_TEST

START_TEST(ipv6_fragments_share_the_caps)
{
	struct frag_config cfg;
	uint8_t b[200];
	size_t nb;
	uint32_t id;

	frag_config_default(&cfg);
	cfg.max_datagrams = 2;
	decoder_free(dec);
	dec = decoder_new(&cfg);
	ck_assert_ptr_nonnull(dec);
	for (id = 1; id <= 3; id++) {
		nb = ipv6_fragment(b, 1, id);
		ck_assert_int_eq(run(OTS_LINKTYPE_IPV6, b, nb), 0);
	}
	ck_assert_int_eq(frag6_counter("in_progress"), 2);
	ck_assert_int_eq(frag6_counter("evicted"), 1);
	/* incomplete ones expire like IPv4's */
	decode_expire(dec, &(struct timeval){ T0.tv_sec + 31, 0 });
	ck_assert_int_eq(frag6_counter("timeouts"), 2);
	ck_assert_int_eq(frag6_counter("in_progress"), 0);
}
END_TEST

START_TEST(frag_table_limits)
{
	struct frag_config cfg;
	struct frag_table *t;
	struct frag_stats st;
	const uint8_t *out;
	size_t outlen;

	frag_config_default(&cfg);
	cfg.max_datagrams = 2;
	t = frag_new(&cfg);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(fadd(t, 1, 0, 8, 1, 0, &out, &outlen), 0);
	ck_assert_int_eq(fadd(t, 2, 0, 8, 1, 0, &out, &outlen), 0);
	ck_assert_int_eq(fadd(t, 3, 0, 8, 1, 0, &out, &outlen), 0);     /* evicts id 1 */
	frag_get_stats(t, &st);
	ck_assert_uint_eq(st.evicted, 1);
	ck_assert_uint_eq(st.in_progress, 2);
	ck_assert_int_eq(fadd(t, 1, 8, 8, 0, 0, &out, &outlen), 0);     /* id 1 is gone */
	ck_assert_int_eq(fadd(t, 3, 8, 8, 0, 0, &out, &outlen), 1);
	ck_assert_uint_eq(outlen, 36);
	ck_assert_uint_eq(out[2], 0);
	ck_assert_uint_eq(out[3], 36);
	ck_assert_uint_eq(out[6], 0);           /* MF cleared */
	ck_assert_uint_eq(out[20], 0);
	ck_assert_uint_eq(out[28], 8);

	/* past 65535 bytes */
	ck_assert_int_eq(fadd(t, 4, 65528, 16, 0, 0, &out, &outlen), 0);
	frag_get_stats(t, &st);
	ck_assert_uint_eq(st.too_large, 1);

	/* expiry after the timeout, counted */
	ck_assert_int_eq(fadd(t, 5, 0, 8, 1, 100, &out, &outlen), 0);
	frag_get_stats(t, &st);
	ck_assert_uint_eq(st.timeouts, 1);      /* the second id 1 (id 2 was evicted) */
	ck_assert_uint_eq(st.in_progress, 1);
	frag_free(t);

	/* byte cap: a second big datagram pushes the first out */
	cfg.max_datagrams = 100;
	cfg.max_bytes = 40000;
	t = frag_new(&cfg);
	ck_assert_int_eq(fadd(t, 1, 0, 30000, 1, 0, &out, &outlen), 0);
	ck_assert_int_eq(fadd(t, 2, 0, 30000, 1, 0, &out, &outlen), 0);
	frag_get_stats(t, &st);
	ck_assert_uint_eq(st.evicted, 1);
	ck_assert_uint_le(st.bytes, 40000);
	ck_assert_uint_le(st.bytes_peak, 40000);
	frag_free(t);
	frag_free(NULL);
}
END_TEST

START_TEST(frag_overlap_keeps_first_bytes)
{
	struct frag_config cfg;
	struct frag_table *t;
	struct frag_stats st;
	const uint8_t *out;
	size_t outlen, i;

	frag_config_default(&cfg);
	t = frag_new(&cfg);
	ck_assert_int_eq(fadd(t, 1, 16, 16, 1, 0, &out, &outlen), 0);   /* bytes = 16 */
	ck_assert_int_eq(fadd(t, 1, 8, 32, 1, 0, &out, &outlen), 0);    /* bytes = 8, overlaps */
	ck_assert_int_eq(fadd(t, 1, 0, 8, 1, 0, &out, &outlen), 0);
	ck_assert_int_eq(fadd(t, 1, 40, 3, 0, 0, &out, &outlen), 1);
	ck_assert_uint_eq(outlen, 20 + 43);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(out[20 + i], 0);
	for (i = 8; i < 16; i++)
		ck_assert_uint_eq(out[20 + i], 8);
	for (i = 16; i < 32; i++)
		ck_assert_uint_eq(out[20 + i], 16);     /* first arrival kept */
	for (i = 32; i < 40; i++)
		ck_assert_uint_eq(out[20 + i], 8);
	for (i = 40; i < 43; i++)
		ck_assert_uint_eq(out[20 + i], 40);
	frag_get_stats(t, &st);
	ck_assert_uint_eq(st.overlaps, 1);
	ck_assert_uint_eq(st.reassembled, 1);
	ck_assert_uint_eq(st.in_progress, 0);
	ck_assert_uint_eq(st.bytes, 0);
	frag_free(t);
}
END_TEST

START_TEST(frag_too_many_pieces)
{
	struct frag_config cfg;
	struct frag_table *t;
	struct frag_stats st;
	const uint8_t *out;
	size_t outlen;
	uint32_t i;

	frag_config_default(&cfg);
	cfg.max_pieces = 4;
	t = frag_new(&cfg);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(fadd(t, 1, i * 16 + 8, 8, 1, 0, &out, &outlen), 0);
	frag_get_stats(t, &st);
	ck_assert_uint_eq(st.too_many_pieces, 1);
	ck_assert_uint_eq(st.in_progress, 0);
	frag_free(t);
}
END_TEST

/* ---- the common frame's one-pass decoder against the general path ---- */

/* Every member of two pkt_meta equal (their padding aside). */
static int pm_same(const struct pkt_meta *a, const struct pkt_meta *z)
{
	return a->ts.tv_sec == z->ts.tv_sec && a->ts.tv_usec == z->ts.tv_usec &&
	       a->caplen == z->caplen && a->wirelen == z->wirelen &&
	       a->has_mac == z->has_mac && !memcmp(a->src_mac, z->src_mac, 6) &&
	       !memcmp(a->dst_mac, z->dst_mac, 6) && a->nvlan == z->nvlan &&
	       a->vlan[0] == z->vlan[0] && a->vlan[1] == z->vlan[1] &&
	       a->src_ip.ver == z->src_ip.ver && !memcmp(a->src_ip.a, z->src_ip.a, 16) &&
	       a->dst_ip.ver == z->dst_ip.ver && !memcmp(a->dst_ip.a, z->dst_ip.a, 16) &&
	       a->ip_len == z->ip_len && a->ttl == z->ttl && a->reassembled == z->reassembled &&
	       a->iface == z->iface && a->l4 == z->l4 && a->sport == z->sport &&
	       a->dport == z->dport && a->tcp_flags == z->tcp_flags && a->seq == z->seq &&
	       a->ack == z->ack && a->win == z->win && a->wscale == z->wscale &&
	       a->payload == z->payload && a->payload_len == z->payload_len &&
	       a->l3 == z->l3 && a->l3_len == z->l3_len;
}

/* Decode one frame with the fast path on and off: the same verdict, the
 * same pkt_meta member by member, the same counters.  Both start from
 * stale bytes (the fast path writes every member itself, no memset).
 * Returns the verdict. */
static int same_both_ways(struct decoder *fast, struct decoder *slow, const uint8_t *b,
			  uint32_t caplen, uint32_t wirelen)
{
	struct pkt_meta a, z;
	struct decode_stats sa, sz;
	int ra, rz;

	memset(&a, 0xa5, sizeof(a));
	memset(&z, 0x5a, sizeof(z));
	ra = decode_packet(fast, OTS_DLT_EN10MB, &T0, caplen, wirelen, b, &a);
	rz = decode_packet(slow, OTS_DLT_EN10MB, &T0, caplen, wirelen, b, &z);
	ck_assert_int_eq(ra, rz);
	if (ra)
		ck_assert_msg(pm_same(&a, &z),
			      "pkt_meta differs (caplen %u, l4 %u, flags 0x%x, len %u/%u)",
			      caplen, z.l4, z.tcp_flags, a.payload_len, z.payload_len);
	decode_get_stats(fast, &sa);
	decode_get_stats(slow, &sz);
	ck_assert_msg(memcmp(&sa, &sz, sizeof(sa)) == 0, "counters differ (caplen %u)", caplen);
	return ra;
}

START_TEST(fast_path_matches_general_path)
{
	static const uint8_t flag_set[] = {
		TCP_ACK, TCP_ACK | TCP_PSH, TCP_SYN, TCP_SYN | TCP_ACK, TCP_FIN | TCP_ACK,
		TCP_RST, 0,
	};
	static const char *const payloads[] = { NULL, "x", "hello", "a longer payload here" };
	struct decoder *fast = decoder_new(NULL), *slow = decoder_new(NULL);
	uint8_t l4[256], ip[400], fr[512], m[512];
	unsigned seed = 12345, i, k, decoded = 0;
	size_t n, len;

	ck_assert_ptr_nonnull(fast);
	ck_assert_ptr_nonnull(slow);
	decode_set_fast_path(slow, 0);
	for (i = 0; i < 40000; i++) {
		const char *pl = payloads[i % 4];
		uint8_t proto = (i / 4) % 3 == 0 ? IPPROTO_UDP : (i / 4) % 3 == 1 ?
				IPPROTO_TCP : (uint8_t)(i & 0xff);

		if (proto == IPPROTO_UDP) {
			n = build_udp(l4, 2222, 20000, pl);
		} else {
			n = build_tcp(l4, 40000, 502, flag_set[(i / 12) % 7], pl);
			if (i % 5 == 0 && (l4[13] & TCP_SYN)) {
				/* options: a window scale, then padding */
				memmove(l4 + 24, l4 + 20, n - 20);
				l4[20] = 1; l4[21] = 3; l4[22] = 3; l4[23] = 7;
				l4[12] = 6 << 4;
				n += 4;
			}
		}
		n = build_ipv4(ip, proto, l4, n, (uint16_t)i, i % 7 == 0 ? 0 : 0x4000);
		len = build_eth(fr, NULL, 0, 0, 0x0800, ip, n);
		memset(fr + len, 0xee, sizeof(fr) - len);       /* link padding */
		memcpy(m, fr, sizeof(m));
		/* damage: a few bytes of the headers at random, sometimes none */
		for (k = 0; k < i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			m[14 + (seed >> 8) % 48] = (uint8_t)(seed >> 20);
		}
		/* and a captured length around the frame's, sometimes past it
		 * (padding) or cut short of the headers */
		seed = seed * 1103515245u + 12345u;
		len = (i % 3 == 0) ? len : (seed >> 8) % (len + 24);
		decoded += (unsigned)same_both_ways(fast, slow, m, (uint32_t)len,
						    (uint32_t)len + (i % 11 == 0 ? 9 : 0));
	}
	/* the frames were mostly sound: the comparison saw many decoded */
	ck_assert_uint_gt(decoded, 10000);
	decoder_free(fast);
	decoder_free(slow);
}
END_TEST

static Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("link");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ethernet_ipv4_tcp);
	tcase_add_test(tc, ethernet_padding_is_not_payload);
	tcase_add_test(tc, vlan_8021q_and_qinq);
	tcase_add_test(tc, linux_sll_v1_v2);
	tcase_add_test(tc, raw_ip_link_types);
	tcase_add_test(tc, bsd_loopback);
	tcase_add_test(tc, ipv6_extension_headers);
	tcase_add_test(tc, every_truncated_prefix_is_counted);
	tcase_add_test(tc, snaplen_cut_is_decoded_as_far_as_captured);
	tcase_add_test(tc, malformed_headers_by_reason);
	tcase_add_test(tc, non_ip_and_llc_skipped);
	tcase_add_test(tc, fast_path_matches_general_path);
	suite_add_tcase(s, tc);

	tc = tcase_create("fragments");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fragments_in_order);
	tcase_add_test(tc, fragments_out_of_order);
	tcase_add_test(tc, fragments_overlap_first_wins);
	tcase_add_test(tc, fragments_incomplete_expire);
	tcase_add_test(tc, fragments_bogus_are_counted);
	tcase_add_test(tc, frag_table_limits);
	tcase_add_test(tc, ipv6_fragments_reassembled);
	tcase_add_test(tc, ipv6_fragments_share_the_caps);
	tcase_add_test(tc, frag_overlap_keeps_first_bytes);
	tcase_add_test(tc, frag_too_many_pieces);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(decode_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
