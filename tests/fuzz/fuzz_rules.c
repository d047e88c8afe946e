/*
 * fuzz_rules.c - libFuzzer target for the rule parser, the matcher and the
 * CEF rendering.
 *
 * The input is read as a rule file (NUL bytes end it); every rule that
 * loads is then matched against a fixed set of events of each protocol,
 * and the input is also handed to the CEF renderer as an EVE line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "rules.h"
#include "sink.h"
#include "event.h"
#include "dnp3.h"
#include "modbus.h"
#include "s7comm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum ot_proto protos[] = {
		OT_PROTO_MODBUS, OT_PROTO_DNP3, OT_PROTO_S7COMM, OT_PROTO_S7COMM_PLUS
	};
	char *text = malloc(size + 1);
	struct rules *rs = rules_new();
	const struct rule *out[8];
	struct ot_event ev;
	struct flow f;
	struct pkt_meta p;
	size_t i;
	char *cef;

	if (!text || !rs) {
		free(text);
		rules_free(rs);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = 0;
	rules_load_string(rs, text, "fuzz.rules");
	for (i = 0; i < rules_error_count(rs); i++)
		if (rules_error(rs, i))
			(void)strlen(rules_error(rs, i));

	memset(&f, 0, sizeof(f));
	f.id = 1;
	f.l4 = 6;
	ot_ip_parse("10.0.0.1", &f.cli_ip);
	ot_ip_parse("8.8.8.8", &f.srv_ip);
	f.cli_port = 40000;
	f.srv_port = 502;
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]) * 2; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = OT_EV_MESSAGE;
		ev.proto = protos[i / 2];
		ev.dir = i % 2 ? OT_DIR_RESPONSE : OT_DIR_REQUEST;
		ev.from_client = !(i % 2);
		ev.flow = &f;
		ev.unit = 0;
		ev.func = (int32_t)(i * 7 % 40);
		ev.group = i % 3 ? -1 : 5;
		ev.subfunc = 1;
		ev.subfunc_name = "P_PROGRAM";
		ev.ts.tv_sec = (time_t)i;
		ot_range_add(&ev, OT_SPACE_MB_HOLDING, 0, 0, 100, 10);
		ot_range_add(&ev, OT_SPACE_DNP3, 12, 1, 0, 1);
		ot_range_add(&ev, OT_SPACE_S7_DB, 5, 0, 0, 8);
		ot_value_add(&ev, OT_SPACE_MB_HOLDING, 0, 100, 2500);
		rules_match_event(rs, &ev, out, 8);
	}
	memset(&p, 0, sizeof(p));
	p.src_ip = f.cli_ip;
	p.dst_ip = f.srv_ip;
	p.l4 = 6;
	p.sport = 40000;
	p.dport = 23;
	rules_match_packet(rs, &p, out, 8);
	rules_free(rs);

	cef = sink_cef_render((const char *)data, size);
	free(cef);
	free(text);
	return 0;
}
