/*
 * addr.h - IP addresses as the sensor stores them (v4 and v6 in one type).
 */
#ifndef OTS_ADDR_H
#define OTS_ADDR_H

#include <stdint.h>
#include <stddef.h>

#define OTS_IPSTR_LEN 46    /* INET6_ADDRSTRLEN */

struct ot_ip {
	uint8_t ver;            /* 4 or 6; 0 = none */
	uint8_t a[16];          /* IPv4 in a[0..3], the rest zero */
};

int ot_ip_cmp(const struct ot_ip *x, const struct ot_ip *y);
/* Text form into buf (at least OTS_IPSTR_LEN); returns buf. */
const char *ot_ip_str(const struct ot_ip *ip, char *buf, size_t len);
/* Parse "10.0.0.1" or "fe80::1"; 0 on success, -1 otherwise. */
int ot_ip_parse(const char *s, struct ot_ip *ip);
/* 1 when the address is globally routable: not RFC 1918, loopback,
 * link-local, CGNAT, multicast, broadcast, documentation or ULA. */
int ot_ip_is_public(const struct ot_ip *ip);
/* "00:11:22:33:44:55" into buf (at least 18 bytes); returns buf. */
const char *ot_mac_str(const uint8_t mac[6], char *buf, size_t len);
/* Hash of an address (seeded); for tables. */
uint64_t ot_ip_hash(const struct ot_ip *ip, uint64_t seed);

#endif /* OTS_ADDR_H */
