/*
 * community_id.c - Community ID v1 (see community_id.h).
 *
 * The ICMP type pairs are those of the specification (after Zeek's
 * ICMP4_counterpart / ICMP6_counterpart): RFC 792 echo 8/0, timestamp
 * 13/14, information 15/16, address mask 17/18, RFC 1256 router
 * solicitation 10 -> advertisement 9; RFC 4443 echo 128/129, RFC 2710 MLD
 * query/report 130/131, RFC 4861 router 133/134 and neighbour 135/136,
 * who-are-you 139/140, RFC 6275 home agent address discovery 144/145.
 */
#include <netinet/in.h>
#include <string.h>
#include <openssl/evp.h>

#include "community_id.h"

struct icmp_pair {
	uint8_t type, reply;
};

static const struct icmp_pair icmp4_pairs[] = {
	{ 8, 0 }, { 0, 8 }, { 13, 14 }, { 14, 13 }, { 15, 16 }, { 16, 15 },
	{ 10, 9 }, { 17, 18 }, { 18, 17 },
};

static const struct icmp_pair icmp6_pairs[] = {
	{ 128, 129 }, { 129, 128 }, { 133, 134 }, { 134, 133 }, { 135, 136 },
	{ 136, 135 }, { 130, 131 }, { 131, 130 }, { 139, 140 }, { 140, 139 },
	{ 144, 145 }, { 145, 144 },
};

/* The reply type of an ICMP type, or -1 when it has none (one-way). */
static int icmp_reply(const struct icmp_pair *t, size_t n, uint16_t type)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].type == type)
			return t[i].reply;
	return -1;
}

/*
 * SHA-1 of in[0..n) into md (20 bytes).  The digest and a context are
 * fetched once and the context reused: EVP_Digest would allocate a context
 * and look the algorithm up in the provider again for every hash, several
 * times the cost of hashing 40 bytes.  Both are kept for the life of the
 * program (one each).  0, or -1.
 */
static int sha1(const uint8_t *in, size_t n, uint8_t *md)
{
	static EVP_MD *alg;
	static EVP_MD_CTX *ctx;
	unsigned int mdlen = 0;

	if (!alg && !(alg = EVP_MD_fetch(NULL, "SHA1", NULL)))
		return -1;
	if (!ctx && !(ctx = EVP_MD_CTX_new()))
		return -1;
	if (EVP_DigestInit_ex2(ctx, alg, NULL) != 1 || EVP_DigestUpdate(ctx, in, n) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 20)
		return -1;
	return 0;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int community_id_v1(uint16_t seed, uint8_t proto,
		    const struct ot_ip *src, uint16_t sport,
		    const struct ot_ip *dst, uint16_t dport,
		    char out[COMMUNITY_ID_LEN])
{
	uint8_t in[2 + 16 + 16 + 2 + 4], md[EVP_MAX_MD_SIZE];
	size_t alen, n = 0;
	int ports = 1, one_way = 0, c;
	const struct ot_ip *a = src, *b = dst;
	uint16_t pa = sport, pb = dport;

	out[0] = 0;
	if (!src->ver || src->ver != dst->ver)
		return -1;
	alen = src->ver == 4 ? 4 : 16;
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		int reply = proto == IPPROTO_ICMP ?
			icmp_reply(icmp4_pairs, sizeof(icmp4_pairs) / sizeof(icmp4_pairs[0]), sport) :
			icmp_reply(icmp6_pairs, sizeof(icmp6_pairs) / sizeof(icmp6_pairs[0]), sport);

		if (reply >= 0)
			pb = (uint16_t)reply;
		else
			one_way = 1;    /* type and code as they are */
	} else if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_SCTP) {
		ports = 0;
		pa = pb = 0;
	}
	c = memcmp(a->a, b->a, alen);
	if (!one_way && (c > 0 || (c == 0 && pa > pb))) {
		const struct ot_ip *t = a;
		uint16_t tp = pa;

		a = b;
		b = t;
		pa = pb;
		pb = tp;
	}
	put_be16(in + n, seed);
	n += 2;
	memcpy(in + n, a->a, alen);
	n += alen;
	memcpy(in + n, b->a, alen);
	n += alen;
	in[n++] = proto;
	in[n++] = 0;
	if (ports) {
		put_be16(in + n, pa);
		put_be16(in + n + 2, pb);
		n += 4;
	}
	if (sha1(in, n, md) < 0)
		return -1;
	memcpy(out, "1:", 2);
	/* 20 bytes -> 28 base64 characters and a NUL */
	EVP_EncodeBlock((unsigned char *)out + 2, md, 20);
	return 0;
}
