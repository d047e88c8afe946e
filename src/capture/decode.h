/*
 * decode.h - link, network and transport headers into struct pkt_meta.
 *
 * Link types: Ethernet II with 802.1Q/802.1ad/QinQ tags, Linux cooked
 * capture v1 and v2, raw IP (DLT_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6), BSD
 * loopback (DLT_NULL, DLT_LOOP).  Network: IPv4 (options skipped, fragments
 * reassembled through frag.h), IPv6 (hop-by-hop, routing, destination
 * options and AH headers skipped; fragments reassembled through frag.h
 * with the same limits and counters as IPv4's).
 * Transport: TCP and UDP; other IP protocols pass with ports 0.
 *
 * Nothing in a header is trusted: every malformed or truncated header is
 * counted under a named reason (decode_reason_name) and the packet dropped.
 *
 * Ownership: the decoder owns its fragment table; pkt_meta pointers point
 * into the caller's frame or the fragment table's buffer and stay valid
 * until the next decode_packet() call.
 */
#ifndef OTS_DECODE_H
#define OTS_DECODE_H

#include <stdint.h>
#include <sys/time.h>
#include <jansson.h>

#include "frag.h"
#include "pkt.h"

/* libpcap link-type values the decoder accepts (pcap/dlt.h numbering). */
#define OTS_DLT_NULL        0
#define OTS_DLT_EN10MB      1
#define OTS_DLT_RAW         12      /* DLT_RAW on Linux; LINKTYPE_RAW 101 maps here */
#define OTS_DLT_RAW_OPENBSD 14
#define OTS_LINKTYPE_RAW    101
#define OTS_DLT_LOOP        108
#define OTS_DLT_LINUX_SLL   113
#define OTS_LINKTYPE_IPV4   228
#define OTS_LINKTYPE_IPV6   229
#define OTS_DLT_LINUX_SLL2  276

/* Why a packet was not (fully) decoded.  Names in decode_reason_name(). */
enum decode_reason {
	DEC_UNSUPPORTED_LINKTYPE = 0,
	DEC_NON_IP,                 /* ARP, LLC, LLDP ...: counted, skipped */
	DEC_ETH_TRUNCATED,
	DEC_VLAN_TRUNCATED,
	DEC_VLAN_TOO_DEEP,          /* more tags than PKT_MAX_VLAN + 2 */
	DEC_SLL_TRUNCATED,
	DEC_SLL2_TRUNCATED,
	DEC_NULL_TRUNCATED,
	DEC_NULL_UNKNOWN_FAMILY,
	DEC_RAW_BAD_VERSION,
	DEC_IPV4_TRUNCATED,
	DEC_IPV4_BAD_VERSION,
	DEC_IPV4_BAD_HLEN,
	DEC_IPV4_BAD_TOTAL_LEN,
	DEC_IPV4_CAPTURE_TRUNCATED, /* snaplen cut the datagram: decoded as far as captured */
	DEC_IPV4_FRAGMENT_HELD,     /* fragment waiting for the rest */
	DEC_IPV4_FRAGMENT_TRUNCATED,/* a fragment cut by the snaplen cannot be used */
	DEC_IPV6_TRUNCATED,
	DEC_IPV6_BAD_VERSION,
	DEC_IPV6_CAPTURE_TRUNCATED,
	DEC_IPV6_EXT_TRUNCATED,
	DEC_IPV6_TOO_MANY_EXT,
	DEC_IPV6_FRAGMENT_HELD,     /* fragment waiting for the rest */
	DEC_IPV6_FRAGMENT_TRUNCATED,/* a fragment cut by the snaplen cannot be used */
	DEC_TCP_TRUNCATED,
	DEC_TCP_BAD_OFFSET,
	DEC_UDP_TRUNCATED,
	DEC_UDP_BAD_LEN,            /* length field below 8 or past the datagram: payload ignored */
	DEC_REASON_COUNT
};

struct decode_stats {
	uint64_t frames;            /* frames offered */
	uint64_t ipv4, ipv6, tcp, udp, other_l4;
	uint64_t decoded;           /* packets handed on (pkt_meta filled) */
	uint64_t reason[DEC_REASON_COUNT];
};

struct decoder;

/* NULL on allocation failure; fcfg NULL = defaults. */
struct decoder *decoder_new(const struct frag_config *fcfg);
void decoder_free(struct decoder *d);   /* NULL: no-op */

/* 1 when p now describes an IP packet to process, 0 when the frame was
 * consumed without one (non-IP, malformed: counted; fragment held). */
int decode_packet(struct decoder *d, int linktype, const struct timeval *ts,
		  uint32_t caplen, uint32_t wirelen, const uint8_t *data,
		  struct pkt_meta *p);
/* The one-pass decoder of the common frame (untagged Ethernet, IPv4
 * without options, TCP or UDP) on (the default) or off: off, every frame
 * takes the general path.  Both give the same result; tests compare them. */
void decode_set_fast_path(struct decoder *d, int on);
/* Expire incomplete fragments (time passes without packets). */
void decode_expire(struct decoder *d, const struct timeval *now);
void decode_get_stats(const struct decoder *d, struct decode_stats *st);
const char *decode_reason_name(int reason);
/* Counters into obj: "errors": {reason: n, ...} (non-zero only) and
 * "ipv4_frag": {...}. */
void decode_stats_json(const struct decoder *d, json_t *obj);
/* 1 when libpcap's link type is one decode_packet understands. */
int decode_linktype_supported(int linktype);

#endif /* OTS_DECODE_H */
