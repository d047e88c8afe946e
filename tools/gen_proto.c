/*
 * gen_proto.c - otsgen's protocol message builders.
 *
 * Modbus/TCP: Modbus Application Protocol Specification V1.1b3 and the
 *   Modbus Messaging on TCP/IP Implementation Guide V1.0b (MBAP header).
 * DNP3: IEEE 1815-2012, clause 9 (link layer frame, CRC-16/DNP:
 *   polynomial 0x3D65, reflected, inverted), clause 8 (transport).
 * S7comm: TPKT (RFC 1006), COTP class 0 (ISO 8073 / RFC 905), and the
 *   S7comm header layout (protocol id 0x32) as real S7-300 traffic shows it.
 *
 * Builders append to a struct gen_buf; a message that would not fit marks
 * the buffer's overflow flag instead of writing past it.
 */
#include <string.h>

#include "gen.h"

/* ---------------------------------------------------------- Modbus/TCP */

static void mbap_begin(struct gen_buf *g, unsigned tid, unsigned unit)
{
	gb_reset(g);
	gb_be16(g, tid);
	gb_be16(g, 0);          /* protocol id */
	gb_be16(g, 0);          /* length, patched by mbap_end */
	gb_u8(g, unit);
}

static void mbap_end(struct gen_buf *g)
{
	gb_put_be16_at(g, 4, (unsigned)(g->n - 6));
}

/* function code and two 16-bit fields: reads, write single, the answer to
 * write multiple */
static void mb_pdu_2x16(struct gen_buf *g, unsigned tid, unsigned unit,
			unsigned fc, unsigned a, unsigned b)
{
	mbap_begin(g, tid, unit);
	gb_u8(g, fc);
	gb_be16(g, a);
	gb_be16(g, b);
	mbap_end(g);
}

void mb_read_req(struct gen_buf *g, unsigned tid, unsigned unit, unsigned fc,
		 unsigned addr, unsigned qty)
{
	mb_pdu_2x16(g, tid, unit, fc, addr, qty);
}

void mb_regs_resp(struct gen_buf *g, unsigned tid, unsigned unit, unsigned fc,
		  const uint16_t *v, unsigned n)
{
	unsigned i;

	mbap_begin(g, tid, unit);
	gb_u8(g, fc);
	gb_u8(g, 2 * n);
	for (i = 0; i < n; i++)
		gb_be16(g, v[i]);
	mbap_end(g);
}

void mb_bits_resp(struct gen_buf *g, unsigned tid, unsigned unit, unsigned fc,
		  const uint8_t *bits, unsigned n)
{
	unsigned i, nbytes = (n + 7) / 8;

	mbap_begin(g, tid, unit);
	gb_u8(g, fc);
	gb_u8(g, nbytes);
	for (i = 0; i < nbytes; i++) {
		unsigned byte = 0, b;

		for (b = 0; b < 8 && i * 8 + b < n; b++)
			if (bits[i * 8 + b])
				byte |= 1u << b;
		gb_u8(g, byte);
	}
	mbap_end(g);
}

void mb_write_single(struct gen_buf *g, unsigned tid, unsigned unit,
		     unsigned addr, unsigned value)
{
	mb_pdu_2x16(g, tid, unit, 6, addr, value);
}

void mb_write_multi_req(struct gen_buf *g, unsigned tid, unsigned unit,
			unsigned addr, const uint16_t *v, unsigned n)
{
	unsigned i;

	mbap_begin(g, tid, unit);
	gb_u8(g, 16);
	gb_be16(g, addr);
	gb_be16(g, n);
	gb_u8(g, 2 * n);
	for (i = 0; i < n; i++)
		gb_be16(g, v[i]);
	mbap_end(g);
}

void mb_write_multi_resp(struct gen_buf *g, unsigned tid, unsigned unit,
			 unsigned addr, unsigned n)
{
	mb_pdu_2x16(g, tid, unit, 16, addr, n);
}

/* Read Device Identification (function 43, MEI type 14). */
void mb_devid_req(struct gen_buf *g, unsigned tid, unsigned unit, unsigned code,
		  unsigned object)
{
	mbap_begin(g, tid, unit);
	gb_u8(g, 43);
	gb_u8(g, 0x0e);
	gb_u8(g, code);
	gb_u8(g, object);
	mbap_end(g);
}

void mb_devid_resp(struct gen_buf *g, unsigned tid, unsigned unit, unsigned code,
		   const char *const *objs, unsigned n)
{
	unsigned i;

	mbap_begin(g, tid, unit);
	gb_u8(g, 43);
	gb_u8(g, 0x0e);
	gb_u8(g, code);
	gb_u8(g, 0x80 | code);  /* conformity: this level, stream and individual */
	gb_u8(g, 0x00);         /* more follows: no */
	gb_u8(g, 0x00);         /* next object id */
	gb_u8(g, n);
	for (i = 0; i < n; i++) {
		size_t l = strlen(objs[i]);

		gb_u8(g, i);
		gb_u8(g, (unsigned)l);
		gb_bytes(g, objs[i], l);
	}
	mbap_end(g);
}

/* Schneider UMAS inside function 90: session key, then the UMAS function
 * (request) or the status 0xFE/0xFD (response), then data. */
void mb_umas(struct gen_buf *g, unsigned tid, unsigned unit, unsigned key,
	     unsigned code, const void *data, size_t n)
{
	mbap_begin(g, tid, unit);
	gb_u8(g, 90);
	gb_u8(g, key);
	gb_u8(g, code);
	if (n)
		gb_bytes(g, data, n);
	mbap_end(g);
}

void mb_exception(struct gen_buf *g, unsigned tid, unsigned unit, unsigned fc,
		  unsigned code)
{
	mbap_begin(g, tid, unit);
	gb_u8(g, fc | 0x80);
	gb_u8(g, code);
	mbap_end(g);
}

/* ---------------------------------------------------------------- DNP3 */

uint16_t dnp3_crc(const uint8_t *p, size_t n)
{
	uint16_t crc = 0;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA6BC)
					: (uint16_t)(crc >> 1);
	}
	return (uint16_t)~crc;
}

void dnp3_frame(struct gen_buf *g, unsigned ctrl, unsigned dst, unsigned src,
		unsigned tseq, const struct gen_buf *app)
{
	uint8_t user[250];
	size_t ulen, off, start;

	gb_reset(g);
	if (app->overflow || app->n > sizeof(user) - 1) {
		g->overflow = 1;
		return;
	}
	user[0] = (uint8_t)(0xC0 | (tseq & 0x3f));  /* FIN, FIR, sequence */
	memcpy(user + 1, app->b, app->n);
	ulen = app->n + 1;

	gb_u8(g, 0x05);
	gb_u8(g, 0x64);
	gb_u8(g, (unsigned)(5 + ulen));
	gb_u8(g, ctrl);
	gb_le16(g, dst);
	gb_le16(g, src);
	gb_le16(g, dnp3_crc(g->b, 8));
	for (off = 0; off < ulen; off += 16) {
		size_t blk = ulen - off < 16 ? ulen - off : 16;

		start = g->n;
		gb_bytes(g, user + off, blk);
		if (g->overflow)
			return;
		gb_le16(g, dnp3_crc(g->b + start, blk));
	}
}

/* ------------------------------------------------------------- S7comm */

static void tpkt_begin(struct gen_buf *g)
{
	gb_reset(g);
	gb_u8(g, 3);
	gb_u8(g, 0);
	gb_be16(g, 0);          /* patched by tpkt_end */
}

static void tpkt_end(struct gen_buf *g)
{
	gb_put_be16_at(g, 2, (unsigned)g->n);
}

void s7_cotp_cr(struct gen_buf *g, unsigned src_ref, unsigned src_tsap,
		unsigned dst_tsap)
{
	tpkt_begin(g);
	gb_u8(g, 17);           /* length indicator */
	gb_u8(g, 0xe0);         /* CR */
	gb_be16(g, 0);          /* destination reference */
	gb_be16(g, src_ref);
	gb_u8(g, 0);            /* class 0 */
	gb_u8(g, 0xc1);         /* calling TSAP */
	gb_u8(g, 2);
	gb_be16(g, src_tsap);
	gb_u8(g, 0xc2);         /* called TSAP */
	gb_u8(g, 2);
	gb_be16(g, dst_tsap);
	gb_u8(g, 0xc0);         /* TPDU size 1024 */
	gb_u8(g, 1);
	gb_u8(g, 0x0a);
	tpkt_end(g);
}

void s7_cotp_cc(struct gen_buf *g, unsigned dst_ref, unsigned src_ref,
		unsigned src_tsap, unsigned dst_tsap)
{
	tpkt_begin(g);
	gb_u8(g, 17);
	gb_u8(g, 0xd0);         /* CC */
	gb_be16(g, dst_ref);
	gb_be16(g, src_ref);
	gb_u8(g, 0);
	gb_u8(g, 0xc0);
	gb_u8(g, 1);
	gb_u8(g, 0x0a);
	gb_u8(g, 0xc1);
	gb_u8(g, 2);
	gb_be16(g, src_tsap);
	gb_u8(g, 0xc2);
	gb_u8(g, 2);
	gb_be16(g, dst_tsap);
	tpkt_end(g);
}

void s7_pdu(struct gen_buf *g, unsigned rosctr, unsigned pduref,
	    const struct gen_buf *param, const struct gen_buf *data)
{
	size_t dlen = data ? data->n : 0;

	tpkt_begin(g);
	gb_u8(g, 2);            /* COTP DT: length indicator */
	gb_u8(g, 0xf0);
	gb_u8(g, 0x80);         /* EOT, TPDU number 0 */
	gb_u8(g, 0x32);
	gb_u8(g, rosctr);
	gb_be16(g, 0);          /* redundancy id */
	gb_be16(g, pduref);
	gb_be16(g, (unsigned)param->n);
	gb_be16(g, (unsigned)dlen);
	if (rosctr == S7_ACK || rosctr == S7_ACK_DATA) {
		gb_u8(g, 0);    /* error class */
		gb_u8(g, 0);    /* error code */
	}
	gb_bytes(g, param->b, param->n);
	if (dlen)
		gb_bytes(g, data->b, dlen);
	if (param->overflow || (data && data->overflow))
		g->overflow = 1;
	tpkt_end(g);
}
