/*
 * fuzz_modbus.c - libFuzzer target for the Modbus/TCP dissector.
 *
 * The input is a script over the stream path: a control byte picks the
 * operation (bits 0-1: 0 client data, 1 server data, 2 gap, 3 time step;
 * bit 2 chooses the gap's direction), the next byte a segment length, and
 * that many bytes follow as the segment.  The first byte also picks detail
 * on/off and a small pending cap, so both the log path and the eviction
 * path run.  The probe sees the whole input in both directions.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissector.h"
#include "jw.h"

extern const struct dissector modbus_dissector;

static void fuzz_emit(struct dissect_ctx *ctx, struct ot_event *ev)
{
	/* touch what a consumer reads, so sanitizers see bad strings */
	if (ev->func_name)
		(void)strlen(ev->func_name);
	if (ev->subfunc_name)
		(void)strlen(ev->subfunc_name);
	if (ev->status_name)
		(void)strlen(ev->status_name);
	if (ev->record && ctx->want_detail) {
		/* the log's object, as the protocol log writes it */
		struct jw w;

		jw_init(&w);
		jw_object_open(&w, NULL);
		modbus_dissector.log(&w, ev);
		jw_object_close(&w);
		if (!jw_finish(&w, NULL))
			abort();
		jw_free(&w);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ot_limits lim;
	struct dissect_ctx ctx;
	void *st;
	size_t off = 1;

	modbus_dissector.probe(data, size, 1);
	modbus_dissector.probe(data, size, 0);
	if (size < 1)
		return 0;
	ot_limits_default(&lim);
	lim.max_pending = (data[0] & 0x08) ? 2 : 32;
	lim.max_log_values = (data[0] & 0x10) ? 3 : 64;
	memset(&ctx, 0, sizeof(ctx));
	ctx.lim = &lim;
	ctx.emit = fuzz_emit;
	ctx.want_detail = !(data[0] & 0x01);
	ctx.ts.tv_sec = 1000;
	st = modbus_dissector.state_new(&lim);
	if (!st)
		return 0;
	while (off + 2 <= size) {
		uint8_t op = data[off], n = data[off + 1];
		size_t len = n;

		off += 2;
		switch (op & 3) {
		case 0:
		case 1:
			if (len > size - off)
				len = size - off;
			ctx.from_client = (op & 3) == 0;
			modbus_dissector.parse(&ctx, st, data + off, len);
			off += len;
			break;
		case 2:
			ctx.from_client = (op >> 2) & 1;
			modbus_dissector.gap(&ctx, st, n);
			break;
		default:
			ctx.ts.tv_usec += n * 1000;
			if (ctx.ts.tv_usec >= 1000000) {
				ctx.ts.tv_sec++;
				ctx.ts.tv_usec -= 1000000;
			}
			break;
		}
	}
	modbus_dissector.flow_end(&ctx, st);
	modbus_dissector.state_free(st);
	return 0;
}
