/*
 * addr.c - IPv4/IPv6 addresses in one type (see addr.h).
 *
 * Special-purpose ranges: RFC 6890 (IPv4 and IPv6 special-purpose address
 * registries), RFC 1918, RFC 6598 (CGNAT), RFC 5737 / RFC 3849
 * (documentation), RFC 4193 (ULA).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "hash.h"

int ot_ip_cmp(const struct ot_ip *x, const struct ot_ip *y)
{
	if (x->ver != y->ver)
		return x->ver < y->ver ? -1 : 1;
	return memcmp(x->a, y->a, x->ver == 4 ? 4 : 16);
}

const char *ot_ip_str(const struct ot_ip *ip, char *buf, size_t len)
{
	if (!buf || len == 0)
		return "";
	buf[0] = 0;
	if (ip->ver == 4) {
		/* every event carries two addresses: no printf here */
		char tmp[16], *p = tmp;
		size_t n;
		int i;

		for (i = 0; i < 4; i++) {
			unsigned v = ip->a[i];

			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = '.';
		}
		n = (size_t)(p - tmp) - 1;      /* without the last dot */
		if (n > len - 1)
			n = len - 1;
		memcpy(buf, tmp, n);
		buf[n] = 0;
	} else if (ip->ver == 6) {
		if (!inet_ntop(AF_INET6, ip->a, buf, (socklen_t)len))
			buf[0] = 0;
	}
	return buf;
}

int ot_ip_parse(const char *s, struct ot_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (!s)
		return -1;
	if (inet_pton(AF_INET, s, ip->a) == 1) {
		ip->ver = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->a) == 1) {
		ip->ver = 6;
		return 0;
	}
	memset(ip, 0, sizeof(*ip));
	return -1;
}

/* Non-public IPv4 prefixes: address (host order), prefix length. */
static const struct { uint32_t net; unsigned bits; } v4_special[] = {
	{ 0x00000000, 8 },      /* 0.0.0.0/8 this network */
	{ 0x0a000000, 8 },      /* 10/8 */
	{ 0x64400000, 10 },     /* 100.64/10 CGNAT */
	{ 0x7f000000, 8 },      /* loopback */
	{ 0xa9fe0000, 16 },     /* link-local */
	{ 0xac100000, 12 },     /* 172.16/12 */
	{ 0xc0000000, 24 },     /* 192.0.0/24 IETF protocol assignments */
	{ 0xc0000200, 24 },     /* TEST-NET-1 */
	{ 0xc0a80000, 16 },     /* 192.168/16 */
	{ 0xc6120000, 15 },     /* 198.18/15 benchmarking */
	{ 0xc6336400, 24 },     /* TEST-NET-2 */
	{ 0xcb007100, 24 },     /* TEST-NET-3 */
	{ 0xe0000000, 4 },      /* multicast */
	{ 0xf0000000, 4 },      /* reserved, broadcast */
};

static int v4_is_public(const uint8_t *a)
{
	uint32_t v = ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) |
		     ((uint32_t)a[2] << 8) | a[3];
	size_t i;

	for (i = 0; i < sizeof(v4_special) / sizeof(v4_special[0]); i++) {
		uint32_t mask = 0xffffffffu << (32 - v4_special[i].bits);
		if ((v & mask) == v4_special[i].net)
			return 0;
	}
	return 1;
}

int ot_ip_is_public(const struct ot_ip *ip)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (ip->ver == 4)
		return v4_is_public(ip->a);
	if (ip->ver != 6)
		return 0;
	if (memcmp(ip->a, mapped, 12) == 0)
		return v4_is_public(ip->a + 12);
	/* Only global unicast 2000::/3 is public, minus 2001:db8::/32. */
	if ((ip->a[0] & 0xe0) != 0x20)
		return 0;
	if (ip->a[0] == 0x20 && ip->a[1] == 0x01 && ip->a[2] == 0x0d && ip->a[3] == 0xb8)
		return 0;
	return 1;
}

const char *ot_mac_str(const uint8_t mac[6], char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char t[18];
	size_t i;

	if (!buf || len == 0)
		return "";
	/* "%02x:%02x:%02x:%02x:%02x:%02x", cut to len as snprintf would */
	for (i = 0; i < 6; i++) {
		t[3 * i] = hex[mac[i] >> 4];
		t[3 * i + 1] = hex[mac[i] & 15];
		t[3 * i + 2] = ':';
	}
	t[17] = '\0';
	if (len >= sizeof(t)) {
		memcpy(buf, t, sizeof(t));
	} else {
		memcpy(buf, t, len - 1);
		buf[len - 1] = '\0';
	}
	return buf;
}

uint64_t ot_ip_hash(const struct ot_ip *ip, uint64_t seed)
{
	uint64_t w0 = 0, w1 = 0;
	uint32_t v4;

	/* In-process tables only: the words' byte order does not matter. */
	if (ip->ver == 6) {
		memcpy(&w0, ip->a, 8);
		memcpy(&w1, ip->a + 8, 8);
	} else {
		memcpy(&v4, ip->a, 4);
		w0 = v4;
	}
	return ots_mix64(ots_mix64(seed ^ ip->ver ^ w0) + 0x9e3779b97f4a7c15ULL + w1);
}
