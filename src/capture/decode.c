/*
 * decode.c - L2-L4 header decoding (see decode.h).
 *
 * References: IEEE 802.3 / 802.1Q (Ethernet, VLAN tags), the tcpdump.org
 * link-type list (LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL,
 * LINKTYPE_LOOP, LINKTYPE_RAW/IPV4/IPV6), RFC 791 (IPv4), RFC 8200 (IPv6
 * and its extension headers), RFC 4302 (AH), RFC 9293 (TCP), RFC 768 (UDP).
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "event.h"
#include "decode.h"

#define ETHERTYPE_IPV4   0x0800
#define ETHERTYPE_IPV6   0x86dd
#define ETHERTYPE_VLAN   0x8100
#define ETHERTYPE_QINQ   0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100

#define IP6_MAX_EXT      8       /* extension headers walked at most */

struct decoder {
	struct frag_table *frag;        /* IPv4 fragments */
	struct frag_table *frag6;       /* IPv6 fragments: the same limits */
	struct decode_stats st;
	int no_fast;                    /* 1: every frame takes the general path */
	int frag_busy;                  /* 0: both fragment tables known empty */
};

static const struct ot_tok reason_names[] = {
	{ DEC_UNSUPPORTED_LINKTYPE, "unsupported_linktype" },
	{ DEC_NON_IP, "non_ip" },
	{ DEC_ETH_TRUNCATED, "eth_truncated" },
	{ DEC_VLAN_TRUNCATED, "vlan_truncated" },
	{ DEC_VLAN_TOO_DEEP, "vlan_too_deep" },
	{ DEC_SLL_TRUNCATED, "sll_truncated" },
	{ DEC_SLL2_TRUNCATED, "sll2_truncated" },
	{ DEC_NULL_TRUNCATED, "null_truncated" },
	{ DEC_NULL_UNKNOWN_FAMILY, "null_unknown_family" },
	{ DEC_RAW_BAD_VERSION, "raw_bad_version" },
	{ DEC_IPV4_TRUNCATED, "ipv4_truncated" },
	{ DEC_IPV4_BAD_VERSION, "ipv4_bad_version" },
	{ DEC_IPV4_BAD_HLEN, "ipv4_bad_hlen" },
	{ DEC_IPV4_BAD_TOTAL_LEN, "ipv4_bad_total_len" },
	{ DEC_IPV4_CAPTURE_TRUNCATED, "ipv4_capture_truncated" },
	{ DEC_IPV4_FRAGMENT_HELD, "ipv4_fragment_held" },
	{ DEC_IPV4_FRAGMENT_TRUNCATED, "ipv4_fragment_truncated" },
	{ DEC_IPV6_TRUNCATED, "ipv6_truncated" },
	{ DEC_IPV6_BAD_VERSION, "ipv6_bad_version" },
	{ DEC_IPV6_CAPTURE_TRUNCATED, "ipv6_capture_truncated" },
	{ DEC_IPV6_EXT_TRUNCATED, "ipv6_ext_truncated" },
	{ DEC_IPV6_TOO_MANY_EXT, "ipv6_too_many_ext" },
	{ DEC_IPV6_FRAGMENT_HELD, "ipv6_fragment_held" },
	{ DEC_IPV6_FRAGMENT_TRUNCATED, "ipv6_fragment_truncated" },
	{ DEC_TCP_TRUNCATED, "tcp_truncated" },
	{ DEC_TCP_BAD_OFFSET, "tcp_bad_offset" },
	{ DEC_UDP_TRUNCATED, "udp_truncated" },
	{ DEC_UDP_BAD_LEN, "udp_bad_len" },
	{ 0, NULL }
};

const char *decode_reason_name(int reason)
{
	return ot_tok_str(reason_names, reason);
}

struct decoder *decoder_new(const struct frag_config *fcfg)
{
	struct decoder *d = calloc(1, sizeof(*d));
	struct frag_config def;

	if (!d)
		return NULL;
	if (!fcfg) {
		frag_config_default(&def);
		fcfg = &def;
	}
	d->frag = frag_new(fcfg);
	d->frag6 = frag_new(fcfg);
	if (!d->frag || !d->frag6) {
		decoder_free(d);
		return NULL;
	}
	return d;
}

void decoder_free(struct decoder *d)
{
	if (!d)
		return;
	frag_free(d->frag);
	frag_free(d->frag6);
	free(d);
}

int decode_linktype_supported(int linktype)
{
	switch (linktype) {
	case OTS_DLT_NULL: case OTS_DLT_EN10MB: case OTS_DLT_RAW:
	case OTS_DLT_RAW_OPENBSD: case OTS_LINKTYPE_RAW: case OTS_DLT_LOOP:
	case OTS_DLT_LINUX_SLL: case OTS_LINKTYPE_IPV4: case OTS_LINKTYPE_IPV6:
	case OTS_DLT_LINUX_SLL2:
		return 1;
	default:
		return 0;
	}
}

static int drop(struct decoder *d, enum decode_reason r)
{
	d->st.reason[r]++;
	return 0;
}

/* The window scale option (RFC 7323 2.2) among a SYN's options, or -1. */
static int8_t tcp_wscale(struct cursor *o)
{
	while (cur_left(o)) {
		uint8_t kind = cur_u8(o), len;

		if (kind == 0)                  /* end of options */
			break;
		if (kind == 1)                  /* no-operation */
			continue;
		len = cur_u8(o);
		if (!cur_ok(o) || len < 2 || cur_left(o) < (size_t)(len - 2))
			break;
		if (kind == 3 && len == 3)
			return (int8_t)(cur_u8(o) & 0x7f);
		cur_skip(o, len - 2);
	}
	return -1;
}

/* TCP or UDP header at c (the captured part of the L4 segment); seglen is
 * the segment length the IP header claims. */
static int decode_l4(struct decoder *d, struct cursor *c, uint32_t seglen, struct pkt_meta *p)
{
	if (p->l4 == IPPROTO_TCP) {
		struct cursor h;
		uint8_t doff;

		d->st.tcp++;
		/* the fixed header in a window of its own: once it is there,
		 * the reads in it cannot fail (and need no checks) */
		h = cur_sub(c, 20);
		if (!cur_ok(&h))
			return drop(d, DEC_TCP_TRUNCATED);
		p->sport = cur_be16(&h);
		p->dport = cur_be16(&h);
		p->seq = cur_be32(&h);
		p->ack = cur_be32(&h);
		doff = (uint8_t)((cur_u8(&h) >> 4) * 4);
		p->tcp_flags = cur_u8(&h);
		p->win = cur_be16(&h);
		/* checksum, urgent pointer: not read */
		if (doff < 20 || doff > seglen)
			return drop(d, DEC_TCP_BAD_OFFSET);
		if (cur_left(c) < (size_t)(doff - 20))
			return drop(d, DEC_TCP_TRUNCATED);
		p->wscale = -1;
		if (p->tcp_flags & TCP_SYN) {
			struct cursor o = cur_sub(c, doff - 20);

			p->wscale = tcp_wscale(&o);
		} else {
			cur_skip(c, doff - 20); /* options */
		}
	} else if (p->l4 == IPPROTO_UDP) {
		struct cursor h;
		uint16_t ulen;

		d->st.udp++;
		h = cur_sub(c, 8);
		if (!cur_ok(&h))
			return drop(d, DEC_UDP_TRUNCATED);
		p->sport = cur_be16(&h);
		p->dport = cur_be16(&h);
		ulen = cur_be16(&h);
		/* checksum: not read */
		if (ulen < 8 || ulen > seglen) {
			/* The ports are sound; the length is not: no payload. */
			d->st.reason[DEC_UDP_BAD_LEN]++;
			p->payload = cur_ptr(c);
			p->payload_len = 0;
			return 1;
		}
		if (cur_left(c) > (size_t)ulen - 8)
			c->len = c->off + ulen - 8;     /* trailing bytes beyond UDP */
	} else {
		d->st.other_l4++;
	}
	p->payload = cur_ptr(c);
	p->payload_len = (uint32_t)cur_left(c);
	return 1;
}

static int decode_ipv4(struct decoder *d, const uint8_t *ip, size_t avail, int snapped,
		       struct pkt_meta *p);

static int decode_ipv4_fragment(struct decoder *d, const uint8_t *ip, size_t hlen,
				size_t total, uint16_t fo, struct pkt_meta *p)
{
	const uint8_t *out;
	size_t outlen;

	d->frag_busy = 1;
	if (!frag_add(d->frag, &p->ts, ip, hlen, ip + hlen, total - hlen,
		      (uint32_t)(fo & 0x1fff) * 8, (fo & 0x2000) != 0, &out, &outlen))
		return drop(d, DEC_IPV4_FRAGMENT_HELD);
	p->reassembled = 1;
	d->st.ipv4--;   /* counted again by the recursive call */
	return decode_ipv4(d, out, outlen, 0, p);
}

static int decode_ipv4(struct decoder *d, const uint8_t *ip, size_t avail, int snapped,
		       struct pkt_meta *p)
{
	struct cursor c, h;
	uint8_t b0, hlen;
	uint16_t total, fo;

	d->st.ipv4++;
	cur_init(&c, ip, avail);
	/* the fixed header in a window of its own: once it is there, the
	 * reads in it cannot fail (and need no checks) */
	h = cur_sub(&c, 20);
	if (!cur_ok(&h))
		return drop(d, DEC_IPV4_TRUNCATED);
	b0 = cur_u8(&h);
	if ((b0 >> 4) != 4)
		return drop(d, DEC_IPV4_BAD_VERSION);
	hlen = (uint8_t)((b0 & 0x0f) * 4);
	if (hlen < 20)
		return drop(d, DEC_IPV4_BAD_HLEN);
	if (hlen > avail)
		return drop(d, DEC_IPV4_TRUNCATED);
	cur_skip(&h, 1);
	total = cur_be16(&h);
	cur_skip(&h, 2);                /* identification */
	fo = cur_be16(&h);
	p->ttl = cur_u8(&h);
	p->l4 = cur_u8(&h);
	cur_skip(&h, 2);                /* checksum: not verified (offload) */
	p->src_ip.ver = 4;
	cur_copy(&h, p->src_ip.a, 4);
	p->dst_ip.ver = 4;
	cur_copy(&h, p->dst_ip.a, 4);
	if (total < hlen)
		return drop(d, DEC_IPV4_BAD_TOTAL_LEN);
	if (total > avail) {
		if (!snapped)
			return drop(d, DEC_IPV4_BAD_TOTAL_LEN);
		d->st.reason[DEC_IPV4_CAPTURE_TRUNCATED]++;
	} else {
		avail = total;          /* link-layer padding is not ours */
	}
	if (fo & 0x3fff) {
		if (total > avail)
			return drop(d, DEC_IPV4_FRAGMENT_TRUNCATED);
		return decode_ipv4_fragment(d, ip, hlen, total, fo, p);
	}
	p->ip_len = total;
	p->l3 = ip;
	p->l3_len = (uint32_t)avail;
	cur_init(&c, ip + hlen, avail - hlen);
	return decode_l4(d, &c, (uint32_t)total - hlen, p);
}

static int decode_ipv6(struct decoder *d, const uint8_t *ip, size_t avail, int snapped,
		       struct pkt_meta *p);

/* An IPv6 fragment: c is just past its fragment header; the packet claims
 * claimed bytes of which avail were captured. */
static int decode_ipv6_fragment(struct decoder *d, const uint8_t *ip, struct cursor *c,
				uint32_t claimed, size_t avail, uint8_t next, uint32_t id,
				uint16_t offfl, struct pkt_meta *p)
{
	const uint8_t *out;
	size_t outlen;

	if (claimed > avail)
		return drop(d, DEC_IPV6_FRAGMENT_TRUNCATED);
	d->frag_busy = 1;
	if (!frag_add6(d->frag6, &p->ts, ip, next, id, cur_ptr(c), cur_left(c),
		       offfl & 0xfff8, offfl & 1, &out, &outlen))
		return drop(d, DEC_IPV6_FRAGMENT_HELD);
	p->reassembled = 1;
	d->st.ipv6--;   /* counted again by the recursive call */
	return decode_ipv6(d, out, outlen, 0, p);
}

static int decode_ipv6(struct decoder *d, const uint8_t *ip, size_t avail, int snapped,
		       struct pkt_meta *p)
{
	struct cursor c;
	uint32_t plen, claimed, id;
	uint8_t nh;
	int i;

	d->st.ipv6++;
	cur_init(&c, ip, avail);
	if (avail < 40)
		return drop(d, DEC_IPV6_TRUNCATED);
	if ((cur_u8(&c) >> 4) != 6)
		return drop(d, DEC_IPV6_BAD_VERSION);
	cur_skip(&c, 3);                /* traffic class, flow label */
	plen = cur_be16(&c);
	nh = cur_u8(&c);
	p->ttl = cur_u8(&c);
	p->src_ip.ver = 6;
	cur_copy(&c, p->src_ip.a, 16);
	p->dst_ip.ver = 6;
	cur_copy(&c, p->dst_ip.a, 16);
	if (plen == 0 && nh == 0)
		plen = (uint32_t)avail - 40;    /* jumbogram: trust the capture */
	claimed = plen + 40;
	if (claimed > avail) {
		if (!snapped)
			return drop(d, DEC_IPV6_TRUNCATED);
		d->st.reason[DEC_IPV6_CAPTURE_TRUNCATED]++;
	} else {
		avail = claimed;
	}
	cur_init(&c, ip, avail);
	cur_skip(&c, 40);
	p->ip_len = claimed;
	p->l3 = ip;
	p->l3_len = (uint32_t)avail;

	for (i = 0; ; i++) {
		uint8_t next, hl;
		uint16_t offfl;

		if (nh != 0 && nh != 43 && nh != 60 && nh != 44 && nh != 51)
			break;
		if (i >= IP6_MAX_EXT)
			return drop(d, DEC_IPV6_TOO_MANY_EXT);
		if (cur_left(&c) < 8)
			return drop(d, DEC_IPV6_EXT_TRUNCATED);
		next = cur_u8(&c);
		hl = cur_u8(&c);
		switch (nh) {
		case 44:                        /* fragment: fixed 8 bytes */
			offfl = cur_be16(&c);
			id = cur_be32(&c);
			if (!(offfl & 0xfff9))
				break;          /* atomic fragment (RFC 6946): whole */
			return decode_ipv6_fragment(d, ip, &c, claimed, avail, next, id,
						    offfl, p);
		case 51:                        /* AH: length in 4-byte units, minus 2 */
			if (cur_left(&c) < (size_t)(hl + 2) * 4 - 2)
				return drop(d, DEC_IPV6_EXT_TRUNCATED);
			cur_skip(&c, (size_t)(hl + 2) * 4 - 2);
			break;
		default:                        /* length in 8-byte units, minus 1 */
			if (cur_left(&c) < (size_t)(hl + 1) * 8 - 2)
				return drop(d, DEC_IPV6_EXT_TRUNCATED);
			cur_skip(&c, (size_t)(hl + 1) * 8 - 2);
			break;
		}
		nh = next;
	}
	p->l4 = nh;
	{
		uint32_t hdrs = (uint32_t)cur_pos(&c);
		uint32_t seglen = claimed > hdrs ? claimed - hdrs : 0;

		return decode_l4(d, &c, seglen, p);
	}
}

/* Dispatch on an EtherType at the cursor position. */
static int decode_ethertype(struct decoder *d, struct cursor *c, uint16_t type,
			    int snapped, struct pkt_meta *p, enum decode_reason trunc)
{
	int ntags = 0;

	while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
		uint16_t tci;

		if (cur_left(c) < 4)
			return drop(d, trunc == DEC_ETH_TRUNCATED ? DEC_VLAN_TRUNCATED : trunc);
		if (ntags >= PKT_MAX_VLAN)
			return drop(d, DEC_VLAN_TOO_DEEP);
		tci = cur_be16(c);
		type = cur_be16(c);
		p->vlan[ntags++] = tci & 0x0fff;
		p->nvlan = (uint8_t)ntags;
	}
	if (type == ETHERTYPE_IPV4)
		return decode_ipv4(d, cur_ptr(c), cur_left(c), snapped, p);
	if (type == ETHERTYPE_IPV6)
		return decode_ipv6(d, cur_ptr(c), cur_left(c), snapped, p);
	return drop(d, DEC_NON_IP);
}

static int decode_by_version(struct decoder *d, struct cursor *c, int snapped,
			     struct pkt_meta *p)
{
	uint8_t v;

	if (!cur_peek_u8(c, 0, &v))
		return drop(d, DEC_IPV4_TRUNCATED);
	if ((v >> 4) == 4)
		return decode_ipv4(d, cur_ptr(c), cur_left(c), snapped, p);
	if ((v >> 4) == 6)
		return decode_ipv6(d, cur_ptr(c), cur_left(c), snapped, p);
	return drop(d, DEC_RAW_BAD_VERSION);
}

/*
 * The common frame in one pass: untagged Ethernet II, an IPv4 header of 20
 * bytes (no options), not a fragment, the whole datagram captured, and in
 * it a TCP segment that is not a SYN (a SYN's options are read by the
 * general path) or a UDP datagram whose length field is sound.  1 when p
 * and the counters now say what the general path would have said (the
 * same fields, the same counters: check_decode compares the two on many
 * frames); 0, with nothing touched, for any other frame.
 *
 * The reads are at fixed offsets of windows of constant length, each
 * opened only after the bytes were found there (the link and IP headers in
 * the frame, then the L4 header inside the datagram), so the cursor's
 * checks fold away and the reads are plain loads.  Every member of p is
 * written here (no memset first): the zeros of the general path's memset
 * are written as zeros.
 */
_Static_assert(sizeof(struct pkt_meta) == 136,
	       "decode_fast writes every member of struct pkt_meta: set a new one there too");

static inline int decode_fast(struct decoder *d, const struct timeval *ts, uint32_t caplen,
			      uint32_t wirelen, const uint8_t *data, struct pkt_meta *p)
{
	struct cursor h, t;
	uint16_t type, total, fo, sport, dport, win, ulen;
	uint32_t seq, ack, len;
	uint8_t b0, ttl, proto, doff, flags;
	const uint8_t *ip, *payload;

	if (!data || caplen < 14 + 20)
		return 0;
	cur_init(&h, data, 14 + 20);
	cur_skip(&h, 12);               /* the addresses: copied once it is ours */
	type = cur_be16(&h);
	b0 = cur_u8(&h);
	if (type != ETHERTYPE_IPV4 || b0 != 0x45)
		return 0;
	cur_skip(&h, 1);
	total = cur_be16(&h);
	cur_skip(&h, 2);                /* identification */
	fo = cur_be16(&h);
	ttl = cur_u8(&h);
	proto = cur_u8(&h);
	if (total < 20 || total > caplen - 14 || (fo & 0x3fff))
		return 0;
	ip = data + 14;
	/* the datagram's L4 part, ip[20, total): link-layer padding is not ours */
	if (proto == IPPROTO_TCP) {
		if (total < 20 + 20)
			return 0;
		cur_init(&t, ip + 20, 20);
		sport = cur_be16(&t);
		dport = cur_be16(&t);
		seq = cur_be32(&t);
		ack = cur_be32(&t);
		doff = (uint8_t)((cur_u8(&t) >> 4) * 4);
		flags = cur_u8(&t);
		win = cur_be16(&t);
		/* the options are inside the datagram when doff <= its L4 bytes */
		if (doff < 20 || doff > total - 20 || (flags & TCP_SYN))
			return 0;
		payload = ip + 20 + doff;       /* past the options */
		len = (uint32_t)total - 20 - doff;
		p->seq = seq;
		p->ack = ack;
		p->tcp_flags = flags;
		p->win = win;
		p->wscale = -1;
		d->st.tcp++;
	} else if (proto == IPPROTO_UDP) {
		if (total < 20 + 8)
			return 0;
		cur_init(&t, ip + 20, 8);
		sport = cur_be16(&t);
		dport = cur_be16(&t);
		ulen = cur_be16(&t);
		if (ulen < 8 || ulen > total - 20)
			return 0;
		payload = ip + 20 + 8;
		len = (uint32_t)ulen - 8;       /* trailing bytes beyond UDP are not */
		p->seq = 0;
		p->ack = 0;
		p->tcp_flags = 0;
		p->win = 0;
		p->wscale = 0;
		d->st.udp++;
	} else {
		return 0;
	}
	p->ts = *ts;
	p->caplen = caplen;
	p->wirelen = wirelen;
	memcpy(p->dst_mac, data, 6);
	memcpy(p->src_mac, data + 6, 6);
	p->has_mac = 1;
	p->nvlan = 0;
	p->vlan[0] = 0;
	p->vlan[1] = 0;
	p->ttl = ttl;
	p->reassembled = 0;
	p->iface = 0;
	p->l4 = proto;
	p->src_ip.ver = 4;
	memcpy(p->src_ip.a, ip + 12, 4);
	memset(p->src_ip.a + 4, 0, 12);
	p->dst_ip.ver = 4;
	memcpy(p->dst_ip.a, ip + 16, 4);
	memset(p->dst_ip.a + 4, 0, 12);
	p->ip_len = total;
	p->l3 = ip;
	p->l3_len = total;
	p->sport = sport;
	p->dport = dport;
	p->payload = payload;
	p->payload_len = len;
	d->st.ipv4++;
	return 1;
}

/* Every frame the one-pass path does not take (decode_packet). */
static __attribute__((noinline)) int decode_general(struct decoder *d, int linktype,
						     const struct timeval *ts, uint32_t caplen,
						     uint32_t wirelen, const uint8_t *data,
						     struct pkt_meta *p)
{
	struct cursor c;
	int snapped = wirelen > caplen, r;
	uint16_t type;
	uint32_t fam;

	memset(p, 0, sizeof(*p));
	p->ts = *ts;
	p->caplen = caplen;
	p->wirelen = wirelen;
	d->st.frames++;
	cur_init(&c, data, caplen);

	switch (linktype) {
	case OTS_DLT_EN10MB:
		if (caplen < 14)
			return drop(d, DEC_ETH_TRUNCATED);
		cur_copy(&c, p->dst_mac, 6);
		cur_copy(&c, p->src_mac, 6);
		p->has_mac = 1;
		type = cur_be16(&c);
		/* untagged IPv4, the common frame: what decode_ethertype would do */
		if (type == ETHERTYPE_IPV4)
			r = decode_ipv4(d, cur_ptr(&c), cur_left(&c), snapped, p);
		else
			r = decode_ethertype(d, &c, type, snapped, p, DEC_ETH_TRUNCATED);
		break;
	case OTS_DLT_LINUX_SLL:
		/* packet type, ARPHRD type, address length, address[8], protocol */
		if (caplen < 16)
			return drop(d, DEC_SLL_TRUNCATED);
		cur_skip(&c, 14);
		type = cur_be16(&c);
		r = decode_ethertype(d, &c, type, snapped, p, DEC_SLL_TRUNCATED);
		break;
	case OTS_DLT_LINUX_SLL2:
		/* protocol, reserved, ifindex, ARPHRD type, packet type, addr len, addr[8] */
		if (caplen < 20)
			return drop(d, DEC_SLL2_TRUNCATED);
		type = cur_be16(&c);
		cur_skip(&c, 18);
		r = decode_ethertype(d, &c, type, snapped, p, DEC_SLL2_TRUNCATED);
		break;
	case OTS_DLT_RAW:
	case OTS_DLT_RAW_OPENBSD:
	case OTS_LINKTYPE_RAW:
		r = decode_by_version(d, &c, snapped, p);
		break;
	case OTS_LINKTYPE_IPV4:
		r = decode_ipv4(d, data, caplen, snapped, p);
		break;
	case OTS_LINKTYPE_IPV6:
		r = decode_ipv6(d, data, caplen, snapped, p);
		break;
	case OTS_DLT_NULL:
	case OTS_DLT_LOOP:
		/* Address family: host order of the capturing machine for NULL
		 * (either order accepted), network order for LOOP. */
		if (caplen < 4)
			return drop(d, DEC_NULL_TRUNCATED);
		fam = cur_be32(&c);
		if (linktype == OTS_DLT_NULL && (fam & 0xffff) == 0)
			fam = ((fam >> 24) & 0xff) | ((fam >> 8) & 0xff00);
		switch (fam) {
		case 2:
			r = decode_ipv4(d, cur_ptr(&c), cur_left(&c), snapped, p);
			break;
		case 10: case 24: case 28: case 30:
			r = decode_ipv6(d, cur_ptr(&c), cur_left(&c), snapped, p);
			break;
		default:
			return drop(d, DEC_NULL_UNKNOWN_FAMILY);
		}
		break;
	default:
		return drop(d, DEC_UNSUPPORTED_LINKTYPE);
	}
	if (r)
		d->st.decoded++;
	return r;
}

/* The one-pass path first, in a frame of its own size (the general path,
 * with its many locals, is entered only when it declines). */
int decode_packet(struct decoder *d, int linktype, const struct timeval *ts,
		  uint32_t caplen, uint32_t wirelen, const uint8_t *data,
		  struct pkt_meta *p)
{
	if (linktype == OTS_DLT_EN10MB && !d->no_fast &&
	    decode_fast(d, ts, caplen, wirelen, data, p)) {
		d->st.frames++;
		d->st.decoded++;
		return 1;
	}
	return decode_general(d, linktype, ts, caplen, wirelen, data, p);
}

void decode_set_fast_path(struct decoder *d, int on)
{
	d->no_fast = !on;
}

void decode_expire(struct decoder *d, const struct timeval *now)
{
	struct frag_stats a, b;

	/* a datagram enters a table only through frag_add/frag_add6: none
	 * since both were found empty, nothing to expire (the common tick) */
	if (!d->frag_busy)
		return;
	frag_expire(d->frag, now);
	frag_expire(d->frag6, now);
	frag_get_stats(d->frag, &a);
	frag_get_stats(d->frag6, &b);
	d->frag_busy = a.in_progress || b.in_progress;
}

void decode_get_stats(const struct decoder *d, struct decode_stats *st)
{
	*st = d->st;
}

void decode_stats_json(const struct decoder *d, json_t *obj)
{
	json_t *err = json_object(), *fr = json_object();
	int i;

	json_object_set_new(obj, "frames", json_integer((json_int_t)d->st.frames));
	json_object_set_new(obj, "decoded", json_integer((json_int_t)d->st.decoded));
	json_object_set_new(obj, "ipv4", json_integer((json_int_t)d->st.ipv4));
	json_object_set_new(obj, "ipv6", json_integer((json_int_t)d->st.ipv6));
	json_object_set_new(obj, "tcp", json_integer((json_int_t)d->st.tcp));
	json_object_set_new(obj, "udp", json_integer((json_int_t)d->st.udp));
	json_object_set_new(obj, "other_l4", json_integer((json_int_t)d->st.other_l4));
	for (i = 0; i < DEC_REASON_COUNT; i++)
		if (d->st.reason[i])
			json_object_set_new(err, decode_reason_name(i),
					    json_integer((json_int_t)d->st.reason[i]));
	json_object_set_new(obj, "errors", err);
	frag_stats_json(d->frag, fr);
	json_object_set_new(obj, "ipv4_frag", fr);
	fr = json_object();
	frag_stats_json(d->frag6, fr);
	json_object_set_new(obj, "ipv6_frag", fr);
}
