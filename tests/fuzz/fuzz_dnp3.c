/*
 * fuzz_dnp3.c - libFuzzer target for the DNP3 dissector.
 *
 * The first input byte picks the mode:
 *   bit 0: UDP (each chunk is one datagram) instead of a TCP stream;
 *   bit 1: wrap each chunk into a link frame with valid CRCs, so the
 *          transport and application layers are reached;
 *   bit 2: small limits (objects, points, pending, reassembly).
 * The rest is a series of chunks: one control byte (bit 0 direction,
 * bit 1 a stream gap before the chunk, bits 2-7 length - 1) then the bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3.h"
#include "jw.h"
#include "options.h"

extern const struct dissector dnp3_dissector;

static void fuzz_emit(struct dissect_ctx *ctx, struct ot_event *ev)
{
	struct jw w;

	(void)ctx;
	if (!ev->record)
		return;
	/* write the log's object as the protocol log would */
	jw_init(&w);
	jw_object_open(&w, NULL);
	dnp3_dissector.log(&w, ev);
	jw_object_close(&w);
	if (!jw_finish(&w, NULL))
		abort();
	jw_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ot_limits lim;
	struct dissect_ctx ctx;
	uint8_t frame[DNP3_MAX_FRAME];
	uint8_t mode;
	void *st;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	ots_limits_default(&lim);
	if (mode & 4) {
		lim.max_objects = 4;
		lim.max_points = 40;
		lim.max_pending = 2;
		lim.max_reassembly = 300;
		lim.max_log_values = 3;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.lim = &lim;
	ctx.is_udp = mode & 1;
	ctx.want_detail = 1;
	ctx.emit = fuzz_emit;
	ctx.ts.tv_sec = 1;

	dnp3_dissector.probe(data, size, 1);
	st = dnp3_dissector.state_new(&lim);
	while (size > 0) {
		uint8_t c = data[0];
		size_t n = (size_t)(c >> 2) + 1;

		data++;
		size--;
		if (n > size)
			n = size;
		ctx.from_client = c & 1;
		ctx.ts.tv_sec += (c >> 7);
		if ((c & 2) && !ctx.is_udp)
			dnp3_dissector.gap(&ctx, st, 10);
		if (mode & 2) {
			size_t len = dnp3_link_encode(ctx.from_client ? 0xc4 : 0x44,
						      ctx.from_client ? 4 : 3,
						      ctx.from_client ? 3 : 4,
						      data, n, frame);
			dnp3_dissector.parse(&ctx, st, frame, len);
		} else {
			dnp3_dissector.parse(&ctx, st, data, n);
		}
		data += n;
		size -= n;
	}
	dnp3_dissector.flow_end(&ctx, st);
	dnp3_dissector.state_free(st);
	return 0;
}
