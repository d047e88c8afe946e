/*
 * fuzz_iec104.c - libFuzzer target for the IEC 60870-5-104 dissector.
 *
 * The first input byte picks the mode:
 *   bit 0: wrap each chunk into an I-format APCI (start, length, N(S) from
 *          a counter that bit 2 of the chunk's control byte skips), so the
 *          ASDU decoder and sequence tracking are reached;
 *   bit 1: small log limit (max_log_values 2);
 *   bit 2: no detail object (protocol log off).
 * The rest is a series of chunks: one control byte (bit 0 direction,
 * bit 1 a stream gap before the chunk, bit 2 skip a sequence number,
 * bits 3-7 length - 1 times 8) then the bytes.  The probe sees the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iec104.h"
#include "jw.h"
#include "options.h"

extern const struct dissector iec104_dissector;

static void fuzz_emit(struct dissect_ctx *ctx, struct ot_event *ev)
{
	struct jw w;
	size_t len;

	if (!ev->record || !ctx->want_detail)
		return;
	jw_init(&w);                /* write the object as the protocol log would */
	jw_object_open(&w, NULL);
	iec104_log(&w, ev);
	jw_object_close(&w);
	if (!jw_finish(&w, &len))
		abort();            /* an unbalanced object is a bug */
	jw_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ot_limits lim;
	struct dissect_ctx ctx;
	uint8_t frame[IEC104_MAX_APDU];
	uint16_t ns[2] = { 0, 0 };
	uint8_t mode;
	void *st;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	ots_limits_default(&lim);
	if (mode & 2)
		lim.max_log_values = 2;
	memset(&ctx, 0, sizeof(ctx));
	ctx.lim = &lim;
	ctx.want_detail = !(mode & 4);
	ctx.emit = fuzz_emit;
	ctx.ts.tv_sec = 1;

	iec104_dissector.probe(data, size, 1);
	st = iec104_dissector.state_new(&lim);
	while (size > 0) {
		uint8_t c = data[0];
		size_t n = ((size_t)(c >> 3) + 1) * 8;
		int d;

		data++;
		size--;
		if (n > size)
			n = size;
		d = c & 1;
		ctx.from_client = (uint8_t)d;
		if (c & 2)
			iec104_dissector.gap(&ctx, st, 10);
		if (mode & 1) {
			size_t m = n > IEC104_MAX_LEN - 4 ? IEC104_MAX_LEN - 4 : n;

			if (c & 4)
				ns[d]++;
			frame[0] = IEC104_START;
			frame[1] = (uint8_t)(m + 4);
			frame[2] = (uint8_t)(ns[d] << 1);
			frame[3] = (uint8_t)(ns[d] >> 7);
			frame[4] = (uint8_t)(ns[!d] << 1);
			frame[5] = (uint8_t)(ns[!d] >> 7);
			memcpy(frame + 6, data, m);
			ns[d] = (ns[d] + 1) & (IEC104_SEQ_MOD - 1);
			iec104_dissector.parse(&ctx, st, frame, m + 6);
		} else {
			iec104_dissector.parse(&ctx, st, data, n);
		}
		data += n;
		size -= n;
	}
	iec104_dissector.state_free(st);
	return 0;
}
