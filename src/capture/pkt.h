/*
 * pkt.h - one decoded packet, as decode.c hands it to the flow table.
 *
 * Pointers (payload) are valid only while the packet is being processed:
 * they point into libpcap's buffer or a fragment reassembly buffer.
 */
#ifndef OTS_PKT_H
#define OTS_PKT_H

#include <stdint.h>
#include <sys/time.h>

#include "addr.h"

#define PKT_MAX_VLAN 2

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

struct pkt_meta {
	struct timeval ts;
	uint32_t caplen;
	uint32_t wirelen;

	uint8_t has_mac;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t nvlan;
	uint16_t vlan[PKT_MAX_VLAN]; /* outer first */

	struct ot_ip src_ip;
	struct ot_ip dst_ip;
	uint32_t ip_len;        /* bytes of the IP datagram (after reassembly) */
	uint8_t ttl;            /* TTL or hop limit */
	uint8_t reassembled;    /* 1: rebuilt from IPv4 or IPv6 fragments */
	uint8_t iface;          /* live: index of the capturing interface (0 first) */

	uint8_t l4;             /* IPPROTO_TCP, IPPROTO_UDP, or other */
	uint16_t sport;
	uint16_t dport;
	uint8_t tcp_flags;
	uint32_t seq;
	uint32_t ack;
	uint16_t win;
	int8_t wscale;          /* SYN: window scale option (RFC 7323), -1 none */

	const uint8_t *payload; /* L4 payload */
	uint32_t payload_len;

	const uint8_t *l3;      /* IP header (v4 or v6; the reassembled datagram
				 * for fragments), for nDPI; NULL when unknown */
	uint32_t l3_len;        /* bytes at l3 */
};

#endif /* OTS_PKT_H */
