/*
 * community_id.h - the Community ID flow hash, version 1 (the public
 * "Community ID" specification that Zeek, Suricata and Arkime implement),
 * so an event can be joined with the same flow in those tools.
 *
 *   "1:" base64(SHA-1(seed, saddr, daddr, proto, 0, sport, dport))
 *
 * seed and ports 16-bit big-endian, addresses in network order (4 or 16
 * bytes), proto one byte then one zero byte.  The endpoints are ordered so
 * both directions of a flow hash alike: the smaller address first, or on
 * equal addresses the smaller port.  Ports go in for TCP, UDP and SCTP;
 * ICMP and ICMPv6 use the type and the type of the matching reply (echo,
 * timestamp, information, address mask, router and neighbour discovery,
 * MLD, who-are-you, home agent discovery), or for types with no reply the
 * type and code with no reordering; other protocols hash no ports.
 * SHA-1 and base64 come from OpenSSL's libcrypto.
 *
 * Ownership: the caller owns out.  The SHA-1 algorithm and one digest
 * context are fetched on first use and kept for the life of the program
 * (not thread-safe: the program is single-threaded).
 */
#ifndef OTS_COMMUNITY_ID_H
#define OTS_COMMUNITY_ID_H

#include <stdint.h>

#include "addr.h"

#define COMMUNITY_ID_LEN 32     /* "1:" + 28 base64 characters + NUL, rounded */

/*
 * The Community ID of the flow src:sport -> dst:dport over IP protocol
 * proto into out.  For ICMP (1) and ICMPv6 (58) sport is the message type
 * and dport its code.  0, or -1 (addresses of different families, or no
 * address; out is then "").
 */
int community_id_v1(uint16_t seed, uint8_t proto,
		    const struct ot_ip *src, uint16_t sport,
		    const struct ot_ip *dst, uint16_t dport,
		    char out[COMMUNITY_ID_LEN]);

#endif /* OTS_COMMUNITY_ID_H */
