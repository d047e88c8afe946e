/*
 * framer.h - cuts length-prefixed PDUs out of one direction of a byte stream.
 *
 * Shared by every stream protocol (Modbus MBAP, TPKT, DNP3 link frames).  A
 * PDU that lies wholly inside the fed bytes is handed out in place, without a
 * copy; only a partial PDU at the end of a feed is buffered, never more than
 * `max` bytes.  Bytes that cannot start a PDU are skipped (resynchronisation)
 * and counted.
 *
 * Ownership: the framer owns its buffer; framer_free() releases it.
 */
#ifndef OTS_FRAMER_H
#define OTS_FRAMER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the PDU starting at p, given avail bytes:
 *   > 0  the whole PDU's length in bytes (header included);
 *   = 0  not enough bytes to tell yet;
 *   < 0  p does not start a PDU: skip -ret bytes (at least 1) and retry.
 */
typedef long (*framer_len_fn)(const uint8_t *p, size_t avail, void *ud);
/* One complete PDU; pdu is valid only during the call. */
typedef void (*framer_pdu_fn)(const uint8_t *pdu, size_t len, void *ud);

struct framer {
	uint8_t *buf;           /* partial PDU carried between feeds */
	size_t len;             /* bytes in buf */
	size_t cap;             /* allocated size of buf */
	size_t max;             /* largest PDU accepted, and buffer cap */
	uint64_t pdus;          /* PDUs handed out */
	uint64_t skipped;       /* bytes skipped to resynchronise */
	uint64_t oversize;      /* PDUs longer than max (skipped) */
};

void framer_init(struct framer *f, size_t max);
void framer_free(struct framer *f);
/* Drop any partial PDU (after a stream gap). */
void framer_reset(struct framer *f);
/* Feed bytes; calls on_pdu for each complete PDU.  Returns the number of
 * bytes skipped for resynchronisation during this call. */
size_t framer_feed(struct framer *f, const uint8_t *data, size_t len,
		   framer_len_fn len_fn, framer_pdu_fn on_pdu, void *ud);

#endif /* OTS_FRAMER_H */
