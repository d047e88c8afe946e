/*
 * fuzz_s7comm.c - libFuzzer target for the TPKT/COTP/S7comm dissector.
 *
 * Input: one mode byte, then chunks.
 *   mode bit 0: wrap every chunk into TPKT + COTP DT, so the fuzzer reaches
 *               the S7 parsers without having to find valid framing;
 *   mode bit 1: small limits (pending, reassembly, logged values);
 *   mode bit 2: no protocol log (the records are not written out).
 * Chunk: control byte (bit 0 direction, bit 1 stream gap before the chunk,
 * bit 2 COTP EOT when wrapping, bits 3-7 where to split the chunk into two
 * feeds), length byte, then up to length bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissector.h"
#include "jw.h"
#include "options.h"

extern const struct dissector s7comm_dissector;

/* Every record through the logger, as the protocol log and alerts do. */
static void fuzz_emit(struct dissect_ctx *ctx, struct ot_event *ev)
{
	static struct jw w;

	if (!ev->record || !ctx->want_detail)
		return;
	jw_reset(&w);
	jw_object_open(&w, NULL);
	s7comm_dissector.log(&w, ev);
	jw_object_close(&w);
	if (!jw_finish(&w, NULL))
		abort();
}

static void feed_split(struct dissect_ctx *ctx, void *st, const uint8_t *p, size_t n,
		       unsigned split)
{
	size_t at = n ? (split * n) / 32 : 0;

	s7comm_dissector.parse(ctx, st, p, at);
	s7comm_dissector.parse(ctx, st, p + at, n - at);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ot_limits lim;
	struct dissect_ctx ctx;
	uint8_t buf[7 + 256];
	uint8_t mode;
	void *st;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	ots_limits_default(&lim);
	if (mode & 2) {
		lim.max_pending = 2;
		lim.max_reassembly = 200;
		lim.max_log_values = 3;
		lim.max_pdu_buffer = 300;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.lim = &lim;
	ctx.want_detail = !(mode & 4);
	ctx.emit = fuzz_emit;
	ctx.ts.tv_sec = 1;

	s7comm_dissector.probe(data, size, 1);
	st = s7comm_dissector.state_new(&lim);
	if (!st)
		return 0;
	while (size >= 2) {
		uint8_t ctl = data[0];
		size_t n = data[1];
		const uint8_t *p = data + 2;

		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		ctx.from_client = ctl & 1;
		ctx.ts.tv_sec++;
		if (ctl & 2)
			s7comm_dissector.gap(&ctx, st, n);
		if (mode & 1) {
			size_t tl = n + 7;

			buf[0] = 3;
			buf[1] = 0;
			buf[2] = (uint8_t)(tl >> 8);
			buf[3] = (uint8_t)tl;
			buf[4] = 2;
			buf[5] = 0xf0;
			buf[6] = (ctl & 4) ? 0x80 : 0x00;
			memcpy(buf + 7, p, n);
			feed_split(&ctx, st, buf, tl, ctl >> 3);
		} else {
			feed_split(&ctx, st, p, n, ctl >> 3);
		}
		data += n;
		size -= n;
	}
	s7comm_dissector.state_free(st);
	return 0;
}
