/*
 * check_community_id.c - Community ID v1 against the values published with
 * the specification (its baseline tables, seed 0 and seed 1: TCP and UDP
 * over IPv4 and IPv6, SCTP, ICMP and ICMPv6 request/reply pairs and
 * one-way messages, a protocol without ports), plus the refusals.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "community_id.h"

struct vector {
	uint16_t seed;
	uint8_t proto;
	const char *saddr;
	uint16_t sport;         /* ICMP: type */
	const char *daddr;
	uint16_t dport;         /* ICMP: code */
	const char *want;
};

/* The specification's baseline_deflt.json (seed 0) and
 * baseline_seed1.json (seed 1); ports null there are 0 here. */
static const struct vector vectors[] = {
	{ 0, 58, "fe80::200:86ff:fe05:80da", 135, "fe80::260:97ff:fe07:69ea", 136, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
	{ 0, 58, "fe80::260:97ff:fe07:69ea", 136, "fe80::200:86ff:fe05:80da", 135, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
	{ 0, 58, "fe80::260:97ff:fe07:69ea", 135, "fe80::200:86ff:fe05:80da", 136, "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
	{ 0, 58, "fe80::200:86ff:fe05:80da", 136, "fe80::260:97ff:fe07:69ea", 135, "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
	{ 0, 58, "3ffe:501:1800:2345::2", 3, "3ffe:507:0:1:200:86ff:fe05:80da", 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=" },
	{ 0, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", 1, "3ffe:507:0:1:200:86ff:fe05:80da", 4, "1:hLZd0XGWojozrvxqE0dWB1iM6R0=" },
	{ 0, 58, "3ffe:507:0:1:200:86ff:fe05:80da", 128, "3ffe:501:0:1001::2", 129, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
	{ 0, 58, "3ffe:501:0:1001::2", 129, "3ffe:507:0:1:200:86ff:fe05:80da", 128, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
	{ 0, 58, "fe80::200:86ff:fe05:80da", 133, "ff02::2", 134, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=" },
	{ 0, 58, "fe80::260:97ff:fe07:69ea", 134, "ff02::1", 133, "1:pkvHqCL88/tg1k4cPigmZXUtL00=" },
	{ 0, 1, "192.168.0.89", 8, "192.168.0.1", 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
	{ 0, 1, "192.168.0.1", 0, "192.168.0.89", 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
	{ 0, 1, "10.0.0.1", 11, "10.0.0.2", 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM=" },
	{ 0, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", 63943, "2607:f8b0:400c:c03::1a", 25, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 0, 6, "2607:f8b0:400c:c03::1a", 25, "2001:470:e5bf:dead:4957:2174:e82c:4887", 63943, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 0, 132, "192.168.170.8", 7, "192.168.170.56", 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 0, 132, "192.168.170.56", 7, "192.168.170.8", 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 0, 6, "128.232.110.120", 34855, "66.35.250.204", 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 0, 6, "66.35.250.204", 80, "128.232.110.120", 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 0, 17, "192.168.1.52", 54585, "8.8.8.8", 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 0, 17, "8.8.8.8", 53, "192.168.1.52", 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 0, 46, "10.1.12.1", 0, "10.1.12.2", 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	{ 0, 46, "10.1.12.2", 0, "10.1.12.1", 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	{ 1, 58, "fe80::200:86ff:fe05:80da", 135, "fe80::260:97ff:fe07:69ea", 136, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 1, 58, "fe80::260:97ff:fe07:69ea", 136, "fe80::200:86ff:fe05:80da", 135, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 1, 58, "fe80::260:97ff:fe07:69ea", 135, "fe80::200:86ff:fe05:80da", 136, "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
	{ 1, 58, "fe80::200:86ff:fe05:80da", 136, "fe80::260:97ff:fe07:69ea", 135, "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
	{ 1, 58, "3ffe:501:1800:2345::2", 3, "3ffe:507:0:1:200:86ff:fe05:80da", 0, "1:lVEtCZpYu84Xqaa++3lXFyuu2n4=" },
	{ 1, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", 1, "3ffe:507:0:1:200:86ff:fe05:80da", 4, "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8=" },
	{ 1, 58, "3ffe:507:0:1:200:86ff:fe05:80da", 128, "3ffe:501:0:1001::2", 129, "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
	{ 1, 58, "3ffe:501:0:1001::2", 129, "3ffe:507:0:1:200:86ff:fe05:80da", 128, "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
	{ 1, 58, "fe80::200:86ff:fe05:80da", 133, "ff02::2", 134, "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8=" },
	{ 1, 58, "fe80::260:97ff:fe07:69ea", 134, "ff02::1", 133, "1:K/ee5UCqAMAQXDorP5nSa2CGLjc=" },
	{ 1, 1, "192.168.0.89", 8, "192.168.0.1", 0, "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
	{ 1, 1, "192.168.0.1", 0, "192.168.0.89", 8, "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
	{ 1, 1, "10.0.0.1", 11, "10.0.0.2", 0, "1:XjUibYHaafLQ3pxQeiMI8g25q20=" },
	{ 1, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", 63943, "2607:f8b0:400c:c03::1a", 25, "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 1, 6, "2607:f8b0:400c:c03::1a", 25, "2001:470:e5bf:dead:4957:2174:e82c:4887", 63943, "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 1, 132, "192.168.170.8", 7, "192.168.170.56", 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 1, 132, "192.168.170.56", 7, "192.168.170.8", 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 1, 6, "128.232.110.120", 34855, "66.35.250.204", 80, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 1, 6, "66.35.250.204", 80, "128.232.110.120", 34855, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 1, 17, "192.168.1.52", 54585, "8.8.8.8", 53, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 1, 17, "8.8.8.8", 53, "192.168.1.52", 54585, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 1, 46, "10.1.12.1", 0, "10.1.12.2", 0, "1:rYir8gphR31noO9iDRQmF/BteEI=" },
	{ 1, 46, "10.1.12.2", 0, "10.1.12.1", 0, "1:rYir8gphR31noO9iDRQmF/BteEI=" },
};

START_TEST(published_values)
{
	const struct vector *v = &vectors[_i];
	struct ot_ip s, d;
	char out[COMMUNITY_ID_LEN];

	ck_assert_int_eq(ot_ip_parse(v->saddr, &s), 0);
	ck_assert_int_eq(ot_ip_parse(v->daddr, &d), 0);
	ck_assert_int_eq(community_id_v1(v->seed, v->proto, &s, v->sport, &d, v->dport, out), 0);
	ck_assert_msg(strcmp(out, v->want) == 0, "seed %u proto %u %s:%u -> %s:%u: %s, want %s",
		      v->seed, v->proto, v->saddr, v->sport, v->daddr, v->dport, out, v->want);
}
END_TEST

/* Both directions of a TCP flow hash alike, a different seed does not. */
START_TEST(directions_and_seed)
{
	struct ot_ip a, b;
	char x[COMMUNITY_ID_LEN], y[COMMUNITY_ID_LEN], z[COMMUNITY_ID_LEN];

	ot_ip_parse("10.10.1.20", &a);
	ot_ip_parse("10.10.80.10", &b);
	ck_assert_int_eq(community_id_v1(0, 6, &a, 49840, &b, 20000, x), 0);
	ck_assert_int_eq(community_id_v1(0, 6, &b, 20000, &a, 49840, y), 0);
	ck_assert_str_eq(x, y);
	ck_assert_int_eq(strlen(x), 30);
	ck_assert_int_eq(community_id_v1(7, 6, &a, 49840, &b, 20000, z), 0);
	ck_assert_str_ne(x, z);
	/* same address both ends: the port orders them */
	ck_assert_int_eq(community_id_v1(0, 17, &a, 5000, &a, 502, x), 0);
	ck_assert_int_eq(community_id_v1(0, 17, &a, 502, &a, 5000, y), 0);
	ck_assert_str_eq(x, y);
}
END_TEST

START_TEST(refusals)
{
	struct ot_ip v4, v6, none;
	char out[COMMUNITY_ID_LEN] = "x";

	ot_ip_parse("10.0.0.1", &v4);
	ot_ip_parse("fe80::1", &v6);
	memset(&none, 0, sizeof(none));
	ck_assert_int_eq(community_id_v1(0, 6, &v4, 1, &v6, 2, out), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(community_id_v1(0, 6, &none, 1, &none, 2, out), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("community_id");
	TCase *tc = tcase_create("v1");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, published_values, 0, (int)(sizeof(vectors) / sizeof(vectors[0])));
	tcase_add_test(tc, directions_and_seed);
	tcase_add_test(tc, refusals);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
