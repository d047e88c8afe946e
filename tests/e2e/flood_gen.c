/*
 * flood_gen.c - write a spoofed-source flood capture for tests/flood.sh.
 *
 *   flood_gen OUT.pcap COUNT [SEED [modbus|ooo|dnp3noise|l4mix|holes]]
 *
 * COUNT Ethernet frames, 10000 per second of packet time, alternating TCP
 * SYNs to Modbus/TCP (502) and UDP datagrams to DNP3 (20000, a link-layer
 * header with a valid start), each from a random source MAC, IPv4 address
 * and port towards one of eight PLCs.  Every frame opens a new flow, a new
 * asset and a new graph edge, so only the table caps keep memory bounded.
 * Deterministic for a given seed.
 *
 * With "modbus": one Modbus/TCP session instead (picked up mid-stream),
 * COUNT requests from one HMI to one PLC, every other one a read of the same
 * registers and the rest reads of random function, unit and address: a new
 * request kind, polling channel and request order almost every time, which
 * only the baseline's key cap bounds.
 *
 * With "ooo": the same session, one Modbus request, then a one-byte hole
 * and COUNT one-byte segments after it: out-of-order data the reassembly
 * must buffer (or give up on) without walking an ever longer list.
 *
 * With "dnp3noise": a DNP3 session on port 20000, one valid link frame, then
 * COUNT segments of 1400 bytes of "05 64 ff" (a frame start with a bad
 * header CRC every three bytes).
 *
 * With "l4mix": COUNT packets between two hosts cycling through ICMP, GRE,
 * a TCP SYN and a UDP datagram, both to port 0: edges that differ only in
 * the transport.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static unsigned csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* DNP3 link-layer CRC (polynomial 0x3D65, reflected, inverted). */
static unsigned dnp3_crc(const uint8_t *p, size_t n)
{
	unsigned crc = 0;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = (crc & 1) ? (crc >> 1) ^ 0xA6BC : crc >> 1;
	}
	return ~crc & 0xffff;
}

/* One frame into buf; its length. */
static size_t frame(uint8_t *buf, unsigned long i)
{
	int udp = i & 1;
	uint32_t r = rng();
	size_t l4len = udp ? 8 + 10 : 20, iplen = 20 + l4len;
	uint8_t *ip = buf + 14, *l4 = ip + 20;

	memset(buf, 0, 14 + iplen);
	/* destination: one of eight PLCs, 02:00:00:00:00:0N */
	buf[0] = 0x02;
	buf[5] = (uint8_t)(1 + (r & 7));
	/* source: random locally administered unicast MAC */
	buf[6] = (uint8_t)((rng() & 0xfc) | 0x02);
	put16(buf + 7, rng() & 0xffff);
	put16(buf + 9, rng() & 0xffff);
	buf[11] = (uint8_t)rng();
	put16(buf + 12, 0x0800);

	ip[0] = 0x45;
	put16(ip + 2, (unsigned)iplen);
	put16(ip + 4, (unsigned)(i & 0xffff));
	ip[8] = 64;
	ip[9] = udp ? 17 : 6;
	/* random source in 10.0.0.0/8 outside the PLC /24, PLCs 192.168.1.1..8 */
	ip[12] = 10;
	ip[13] = (uint8_t)(1 + rng() % 254);
	ip[14] = (uint8_t)rng();
	ip[15] = (uint8_t)(1 + rng() % 254);
	ip[16] = 192;
	ip[17] = 168;
	ip[18] = 1;
	ip[19] = (uint8_t)(1 + (r & 7));
	put16(ip + 10, csum(ip, 20));

	put16(l4, 1024 + rng() % 60000);
	if (udp) {
		put16(l4 + 2, 20000);
		put16(l4 + 4, (unsigned)l4len);
		/* DNP3 link header: request link status to outstation 1 from a
		 * random master address */
		l4[8] = 0x05;
		l4[9] = 0x64;
		l4[10] = 0x05;
		l4[11] = 0xc9;
		l4[12] = 0x01;
		put16(l4 + 14, rng() & 0xffff);
		{
			unsigned c = dnp3_crc(l4 + 8, 8);

			l4[16] = (uint8_t)c;
			l4[17] = (uint8_t)(c >> 8);
		}
	} else {
		put16(l4 + 2, 502);
		put16(l4 + 4, rng() >> 16);
		put16(l4 + 6, rng() & 0xffff);
		l4[12] = 0x50;
		l4[13] = 0x02;   /* SYN */
		put16(l4 + 14, 64240);
	}
	return 14 + iplen;
}

/* Frame i of the l4mix capture into buf; its length. */
static size_t l4mix_frame(uint8_t *buf, unsigned long i)
{
	static const uint8_t protos[4] = { 1, 47, 6, 17 };
	uint8_t *ip = buf + 14, *l4 = ip + 20;
	size_t iplen = 20 + 20;

	memset(buf, 0, 14 + iplen);
	buf[0] = 0x02;
	buf[5] = 0x01;
	buf[6] = 0x02;
	buf[11] = 0x02;
	put16(buf + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (unsigned)iplen);
	put16(ip + 4, (unsigned)(i & 0xffff));
	ip[8] = 64;
	ip[9] = protos[i % 4];
	ip[12] = 10; ip[15] = 1;
	ip[16] = 10; ip[19] = 2;
	put16(ip + 10, csum(ip, 20));
	switch (ip[9]) {
	case 1:                 /* echo request */
		l4[0] = 8;
		put16(l4 + 6, (unsigned)(i & 0xffff));
		put16(l4 + 2, csum(l4, 20));
		break;
	case 6:                 /* SYN to port 0 */
		put16(l4, 40000);
		l4[12] = 0x50;
		l4[13] = 0x02;
		break;
	case 17:
		put16(l4, 40000);
		put16(l4 + 4, 20);
		break;
	default:                /* GRE, IPv4 payload */
		put16(l4 + 2, 0x0800);
		break;
	}
	return 14 + iplen;
}

/* Frame i of the one-session floods (modbus, ooo 1, dnp3noise ooo 2) into
 * buf; its length. */
static size_t modbus_frame(uint8_t *buf, unsigned long i, uint32_t *seq, int ooo)
{
	static const uint8_t funcs[] = { 1, 2, 3, 4 };
	uint8_t *ip = buf + 14, *tcp = ip + 20, *adu = tcp + 20;
	size_t iplen = 20 + 20 + 12;

	memset(buf, 0, 14 + iplen);
	buf[0] = 0x02;
	buf[5] = 0x01;
	buf[6] = 0x02;
	buf[11] = 0x02;
	put16(buf + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (unsigned)iplen);
	put16(ip + 4, (unsigned)(i & 0xffff));
	ip[8] = 64;
	ip[9] = 6;
	ip[12] = 192; ip[13] = 168; ip[14] = 1; ip[15] = 100;
	ip[16] = 192; ip[17] = 168; ip[18] = 1; ip[19] = 1;
	put16(ip + 10, csum(ip, 20));
	put16(tcp, 49152);
	put16(tcp + 2, 502);
	put16(tcp + 4, *seq >> 16);
	put16(tcp + 6, *seq & 0xffff);
	put16(tcp + 10, 1);     /* ack 1 */
	tcp[12] = 0x50;
	tcp[13] = 0x18;         /* PSH ACK */
	put16(tcp + 14, 64240);
	*seq += 12;
	put16(adu, (unsigned)(i & 0xffff));     /* transaction */
	put16(adu + 4, 6);
	if (ooo == 2) {
		/* DNP3: a valid link frame first, then header noise */
		size_t plen = i ? 1400 : 10, k;
		unsigned c;

		put16(ip + 2, (unsigned)(40 + plen));
		put16(ip + 10, 0);
		put16(ip + 10, csum(ip, 20));
		put16(tcp + 2, 20000);
		*seq = 1000 + (uint32_t)(i ? 10 + (i - 1) * 1400 : 0);
		put16(tcp + 4, *seq >> 16);
		put16(tcp + 6, *seq & 0xffff);
		for (k = 0; k < plen; k++)
			adu[k] = (uint8_t)(k % 3 == 0 ? 0x05 : k % 3 == 1 ? 0x64 : 0xff);
		if (!i) {
			adu[2] = 0x05;
			adu[3] = 0xc9;
			adu[4] = 0x0a;
			adu[5] = 0x00;
			adu[6] = 0x01;
			adu[7] = 0x00;
			c = dnp3_crc(adu, 8);
			adu[8] = (uint8_t)c;
			adu[9] = (uint8_t)(c >> 8);
		}
		return 14 + 40 + plen;
	}
	if (ooo && i > 0) {
		/* one byte, after a one-byte hole behind the first request */
		put16(ip + 2, 20 + 20 + 1);
		put16(ip + 10, 0);
		put16(ip + 10, csum(ip, 20));
		*seq = 1000 + 12 + (uint32_t)i;
		put16(tcp + 4, *seq >> 16);
		put16(tcp + 6, *seq & 0xffff);
		adu[0] = 'A';
		return 14 + 20 + 20 + 1;
	}
	if (i & 1) {
		adu[6] = (uint8_t)(1 + rng() % 247);
		adu[7] = funcs[rng() % 4];
		put16(adu + 8, rng() & 0xffff);
		put16(adu + 10, 1 + rng() % 100);
	} else {
		adu[6] = 1;
		adu[7] = 3;
		put16(adu + 10, 10);
	}
	return 14 + iplen;
}

/* Frame i of the holes flood: each pair of frames is a new TCP session
 * from a random source to a Modbus server, a 12-byte request and then 200
 * bytes 100 bytes further on, so every session buffers 200 bytes behind
 * a hole that never fills. */
static size_t holes_frame(uint8_t *buf, unsigned long i)
{
	static uint8_t src[4], mac[6];
	static uint16_t sport;
	uint8_t *ip = buf + 14, *tcp = ip + 20, *data = tcp + 20;
	size_t plen = i & 1 ? 200 : 12;
	uint32_t seq = i & 1 ? 1000 + 12 + 100 : 1000;

	if (!(i & 1)) {
		mac[0] = (uint8_t)((rng() & 0xfc) | 0x02);
		mac[1] = (uint8_t)rng(); mac[2] = (uint8_t)rng();
		mac[3] = (uint8_t)rng(); mac[4] = (uint8_t)rng(); mac[5] = (uint8_t)rng();
		src[0] = 10;
		src[1] = (uint8_t)(1 + rng() % 254);
		src[2] = (uint8_t)rng();
		src[3] = (uint8_t)(1 + rng() % 254);
		sport = (uint16_t)(1024 + rng() % 60000);
	}
	memset(buf, 0, 14 + 40 + plen);
	buf[0] = 0x02;
	buf[5] = 0x01;
	memcpy(buf + 6, mac, 6);
	put16(buf + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (unsigned)(40 + plen));
	put16(ip + 4, (unsigned)(i & 0xffff));
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, src, 4);
	ip[16] = 192; ip[17] = 168; ip[18] = 1; ip[19] = 1;
	put16(ip + 10, csum(ip, 20));
	put16(tcp, sport);
	put16(tcp + 2, 502);
	put16(tcp + 4, seq >> 16);
	put16(tcp + 6, seq & 0xffff);
	put16(tcp + 10, 1);
	tcp[12] = 0x50;
	tcp[13] = 0x18;         /* PSH ACK */
	put16(tcp + 14, 64240);
	memset(data, 'h', plen);
	return 14 + 40 + plen;
}

int main(int argc, char **argv)
{
	uint8_t hdr[24], rec[16], buf[1536];
	unsigned long n, i;
	FILE *fp;

	uint32_t seq = 1000;
	int ooo = argc != 5 ? 0 : strcmp(argv[4], "ooo") == 0 ? 1 :
		  strcmp(argv[4], "dnp3noise") == 0 ? 2 : 0;
	int modbus = ooo || (argc == 5 && strcmp(argv[4], "modbus") == 0);
	int l4mix = argc == 5 && strcmp(argv[4], "l4mix") == 0;
	int holes = argc == 5 && strcmp(argv[4], "holes") == 0;

	if (argc < 3 || argc > 5 || (argc == 5 && !modbus && !l4mix && !holes)) {
		fputs("usage: flood_gen OUT.pcap COUNT [SEED [modbus|ooo|dnp3noise|l4mix|holes]]\n", stderr);
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	rng_state = argc >= 4 ? strtoull(argv[3], NULL, 10) : 1;
	if (!rng_state)
		rng_state = 1;
	if (!(fp = fopen(argv[1], "wb"))) {
		perror(argv[1]);
		return 1;
	}
	memset(hdr, 0, sizeof(hdr));
	put32le(hdr, 0xa1b2c3d4u);
	hdr[4] = 2;             /* version 2.4 */
	hdr[6] = 4;
	put32le(hdr + 16, 65535);
	put32le(hdr + 20, 1);   /* Ethernet */
	fwrite(hdr, 1, sizeof(hdr), fp);
	for (i = 0; i < n; i++) {
		size_t len = holes ? holes_frame(buf, i) : l4mix ? l4mix_frame(buf, i) :
			     modbus ? modbus_frame(buf, i, &seq, ooo) : frame(buf, i);

		put32le(rec, (uint32_t)(1700000000u + i / 10000));
		put32le(rec + 4, (uint32_t)(i % 10000 * 100));
		put32le(rec + 8, (uint32_t)len);
		put32le(rec + 12, (uint32_t)len);
		fwrite(rec, 1, sizeof(rec), fp);
		fwrite(buf, 1, len, fp);
	}
	if (fclose(fp) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
