/*
 * fuzz_packets.c - libFuzzer target for the whole packet path: decoder,
 * IPv4 fragment reassembly, flow table, TCP reassembly, dissectors and the
 * protocol log, writing to a sink that discards the lines.
 *
 * Input: records of [link selector][time step][length hi][length lo][frame].
 * The link selector picks one of the supported link types; the time step
 * (seconds) moves packet time forward so timeouts and expiry run too.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "eve.h"
#include "protolog.h"
#include "sensor.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int discard(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	(void)line;
	(void)len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int links[] = {
		OTS_DLT_EN10MB, OTS_DLT_LINUX_SLL, OTS_DLT_LINUX_SLL2, OTS_DLT_RAW,
		OTS_LINKTYPE_IPV4, OTS_LINKTYPE_IPV6, OTS_DLT_NULL, OTS_DLT_LOOP
	};
	struct eve_sink sink = { .name = "null", .write = discard };
	struct flow_config fc;
	struct timeval ts = { 1700000000, 0 };
	struct eve *e = eve_new();
	struct sensor *s;
	char err[128];
	size_t off = 0;

	if (!e)
		return 0;
	eve_add_sink(e, &sink);
	ots_flow_config_default(&fc);
	fc.max_flows = 64;
	fc.ndpi_enable = 0;
	s = sensor_new(e, &fc, err, sizeof(err));
	if (!s) {
		eve_free(e);
		return 0;
	}
	protolog_attach(s, ~0u, 1);
	while (size - off >= 4) {
		int lt = links[data[off] % (sizeof(links) / sizeof(links[0]))];
		size_t len = ((size_t)data[off + 2] << 8) | data[off + 3];

		ts.tv_sec += data[off + 1] & 0x3f;
		ts.tv_usec = (ts.tv_usec + 1) % 1000000;
		off += 4;
		if (len > size - off)
			len = size - off;
		/* a wire length above caplen now and then: snapped packets */
		sensor_packet(s, lt, &ts, (uint32_t)len,
			      (uint32_t)len + ((data[off - 4] & 0x80) ? 100 : 0), data + off);
		off += len;
	}
	sensor_finish(s);
	sensor_free(s);
	return 0;
}
