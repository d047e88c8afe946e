/*
 * fuzz_stream.c - libFuzzer target for TCP reassembly (src/flow/stream.c) with
 * an oracle.
 *
 * The input is a script: 4 bytes ISN, 2 bytes choosing the per-stream and
 * pool caps, then operations (a control byte; bits 0-1: 0/1 segment, 2 ACK,
 * 3 flush).  A segment is a 2-byte offset from the ISN, a length byte and
 * that many bytes; an ACK is a 2-byte offset.
 *
 * Oracle: the rule is "first bytes seen win".  A model remembers the first
 * byte seen at every offset still ahead of the delivery point; every byte
 * delivered must equal it, every byte reported as a gap must be one never
 * seen, a segment that repeats what was seen never counts as different
 * data (and is never dropped as a conflicting copy), a conflicting copy
 * delivers none of its bytes, and the caps must hold after every operation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "stream.h"

#define WIN (65536 + 256)

struct model {
	uint8_t byte[WIN];
	uint8_t seen[WIN];
	uint32_t pos;               /* offset of the next byte delivered */
};

static struct model m;

static int conflict_seen;

static void model_anomaly(void *ud, enum stream_anomaly what, uint32_t seq, uint32_t len,
			  uint32_t detail)
{
	if (what == STREAM_AN_CONFLICT)
		conflict_seen = 1;
	else
		abort();        /* offsets stay within one window of the ISN */
}

static void model_data(void *ud, const uint8_t *d, size_t len, const struct timeval *ts)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint32_t o = m.pos + (uint32_t)i;

		if (o >= WIN || !m.seen[o] || m.byte[o] != d[i])
			abort();
	}
	m.pos += (uint32_t)len;
}

static void model_gap(void *ud, size_t len)
{
	size_t i;

	if (len == 0)
		abort();
	for (i = 0; i < len; i++) {
		uint32_t o = m.pos + (uint32_t)i;

		if (o < WIN && m.seen[o])
			abort();
	}
	m.pos += (uint32_t)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream_pool pool;
	struct stream st;
	struct stream_sink sink = { NULL, model_data, model_gap, model_anomaly };
	struct cursor c;
	uint32_t isn, per, total;

	cur_init(&c, data, size);
	isn = cur_be32(&c);
	per = 1 + cur_u8(&c) * 16u;
	total = 1 + cur_u8(&c) * 32u;
	if (!cur_ok(&c))
		return 0;
	memset(&m, 0, sizeof(m));
	stream_pool_init(&pool, per, total);
	stream_init(&st);
	stream_syn(&pool, &st, isn);

	while (cur_left(&c)) {
		uint8_t op = cur_u8(&c);
		uint32_t off = cur_be16(&c), len, i;
		const uint8_t *b;
		uint64_t differs;
		uint8_t fresh[256];
		int agree;

		if (!cur_ok(&c))
			break;
		switch (op & 3) {
		case 0:
		case 1:
			len = cur_u8(&c);
			b = cur_bytes(&c, len);
			if (!b)
				break;
			agree = 1;
			for (i = 0; i < len; i++)
				if (m.seen[off + i] && m.byte[off + i] != b[i])
					agree = 0;
			differs = pool.overlap_differs;
			memset(fresh, 0, len);
			for (i = 0; i < len; i++)
				if (off + i >= m.pos && !m.seen[off + i]) {
					m.seen[off + i] = 1;
					m.byte[off + i] = b[i];
					fresh[i] = 1;
				}
			conflict_seen = 0;
			stream_segment(&pool, &st, isn + 1 + off, b, len, 0, NULL, &sink);
			/* bytes equal to the first copy are never "different" */
			if (agree && (pool.overlap_differs != differs || conflict_seen))
				abort();
			if (conflict_seen) {
				/* a conflicting copy is dropped whole: nothing of it
				 * was delivered, none of its bytes count as seen */
				if (pool.overlap_differs != differs + 1)
					abort();
				for (i = 0; i < len; i++)
					if (fresh[i]) {
						if (off + i < m.pos)
							abort();
						m.seen[off + i] = 0;
					}
			}
			break;
		case 2:
			stream_ack(&pool, &st, isn + 1 + off, STREAM_WND_UNKNOWN, &sink);
			break;
		default:
			stream_flush(&pool, &st, &sink);
			if (st.buffered)
				abort();
			break;
		}
		if (st.buffered > per || pool.bytes_now > total || pool.bytes_now != st.buffered)
			abort();
		if (st.next_seq - (isn + 1) != m.pos)
			abort();
	}
	stream_flush(&pool, &st, &sink);
	stream_release(&pool, &st);
	if (pool.bytes_now)
		abort();
	return 0;
}
