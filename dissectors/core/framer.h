/*
 * framer.h - cuts length-prefixed PDUs out of one direction of a byte stream.
 *
 * Shared by every stream protocol (Modbus MBAP, TPKT, DNP3 link frames).  A
 * PDU that lies wholly inside the fed bytes is handed out in place, without a
 * copy; only a partial PDU at the end of a feed is buffered, never more than
 * `max` bytes.  Bytes that cannot start a PDU are skipped (resynchronisation)
 * and counted.
 *
 * struct framer_sync adds the resynchronisation of protocols whose TCP
 * segments normally start on a PDU (Modbus MBAP, EtherNet/IP encapsulation):
 * a header that breaks the framing drops the rest of that delivery, and
 * decoding resumes at the next one.
 *
 * Ownership: the framer owns its buffer; framer_free() releases it (and
 * framer_sync_free() a framer_sync's).
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

/*
 * One direction of a stream framed with resynchronisation on delivery
 * boundaries.  A break (a header the protocol's length function refuses)
 * drops the rest of the delivery.  A break in a delivery that already gave
 * PDUs means the last PDU's length was short (FRAMER_BREAK_AFTER_PDU).  A
 * break at the start of a delivery is a bad delivery: the first one that
 * does not follow a gap is reported (FRAMER_BREAK_FIRST), and after
 * max_bad_feeds bad deliveries in a row the direction is abandoned (dead:
 * its bytes are only counted).  Any PDU ends the run of bad deliveries and
 * the recovery from a gap.
 */
struct framer_sync {
	struct framer fr;
	uint8_t drop_feed;      /* drop the rest of the current delivery */
	uint8_t resync;         /* after a gap: bad headers are expected */
	uint8_t dead;           /* judged not this protocol: bytes ignored */
	uint8_t reported;       /* FRAMER_BREAK_FIRST already reported */
	uint32_t bad_feeds;     /* consecutive deliveries with a bad header */
	uint32_t feed_pdus;     /* PDUs cut from the current delivery */
	uint32_t max_bad_feeds;
	uint64_t ignored;       /* bytes dropped (bad headers, dead direction) */
};

enum framer_break {
	FRAMER_BREAK_AFTER_PDU, /* bytes after a PDU do not start a PDU */
	FRAMER_BREAK_FIRST      /* the stream breaks the framing: not this protocol */
};

struct framer_sync_ops {
	/* > 0 the PDU's length, 0 need more bytes, < 0 p breaks the framing */
	long (*pdu_len)(const uint8_t *p, size_t avail);
	framer_pdu_fn on_pdu;
	/* a break to report; avail: the bytes from the break to the end of
	 * what the framer holds */
	void (*on_break)(enum framer_break why, size_t avail, void *ud);
};

void framer_sync_init(struct framer_sync *s, size_t max, uint32_t max_bad_feeds);
void framer_sync_free(struct framer_sync *s);
/* One delivery (a TCP chunk): PDUs to ops->on_pdu, breaks to ops->on_break. */
void framer_sync_feed(struct framer_sync *s, const uint8_t *data, size_t len,
		      const struct framer_sync_ops *ops, void *ud);
/* A stream gap: drops the partial PDU (returns 1 when there was one) and
 * expects bad headers until the next PDU. */
int framer_sync_gap(struct framer_sync *s);
/* The flow ends: the bytes of the partial PDU the stream itself left (0
 * when none, or when it follows a gap or the direction is dead); the
 * partial PDU is dropped. */
size_t framer_sync_end(struct framer_sync *s);

#endif /* OTS_FRAMER_H */
