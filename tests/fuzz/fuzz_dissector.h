/*
 * fuzz_dissector.h - the script interpreter the per-dissector libFuzzer
 * targets share.
 *
 * The input is a script over the stream path: the first byte picks the
 * run's options (bit 0: protocol log off; bit 3: a pending cap of 2; bit 4:
 * 3 logged values; bit 5: UDP, each segment then one datagram), then
 * records follow: a control byte picks the operation (bits 0-1: 0 client
 * data, 1 server data, 2 gap, 3 time step; bit 2 chooses the gap's
 * direction), the next byte a segment length, and that many bytes follow as
 * the segment.  Every event's log object is written as the protocol log
 * writes it.  The probe sees the whole input in both directions.
 *
 * Ownership: nothing outlives fuzz_dissector_run().
 */
#ifndef OTS_FUZZ_DISSECTOR_H
#define OTS_FUZZ_DISSECTOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissector.h"
#include "jw.h"
#include "options.h"

struct fuzz_emit_ud {
	const struct dissector *d;
};

static void fuzz_dissector_emit(struct dissect_ctx *ctx, struct ot_event *ev)
{
	const struct fuzz_emit_ud *ud = ctx->emit_ud;

	/* touch what a consumer reads, so sanitizers see bad strings */
	if (ev->func_name)
		(void)strlen(ev->func_name);
	if (ev->subfunc_name)
		(void)strlen(ev->subfunc_name);
	if (ev->status_name)
		(void)strlen(ev->status_name);
	if (ev->record && ctx->want_detail && ud->d->log) {
		struct jw w;

		jw_init(&w);
		jw_object_open(&w, NULL);
		ud->d->log(&w, ev);
		jw_object_close(&w);
		if (!jw_finish(&w, NULL))
			abort();
		jw_free(&w);
	}
}

static inline int fuzz_dissector_run(const struct dissector *d, const uint8_t *data,
				     size_t size)
{
	struct ot_limits lim;
	struct dissect_ctx ctx;
	struct fuzz_emit_ud ud;
	void *st;
	size_t off = 1;

	d->probe(data, size, 1);
	d->probe(data, size, 0);
	if (size < 1)
		return 0;
	ots_limits_default(&lim);
	lim.max_pending = (data[0] & 0x08) ? 2 : 32;
	lim.max_log_values = (data[0] & 0x10) ? 3 : 64;
	memset(&ctx, 0, sizeof(ctx));
	ud.d = d;
	ctx.lim = &lim;
	ctx.emit = fuzz_dissector_emit;
	ctx.emit_ud = &ud;
	ctx.want_detail = !(data[0] & 0x01);
	ctx.is_udp = (data[0] & 0x20) != 0 && (d->transports & DISSECT_UDP);
	ctx.ts.tv_sec = 1000;
	st = d->state_new(&lim);
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
			d->parse(&ctx, st, data + off, len);
			off += len;
			break;
		case 2:
			ctx.from_client = (op >> 2) & 1;
			if (d->gap)
				d->gap(&ctx, st, n);
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
	if (d->flow_end)
		d->flow_end(&ctx, st);
	d->state_free(st);
	return 0;
}

#endif /* OTS_FUZZ_DISSECTOR_H */
