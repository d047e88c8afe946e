/*
 * fuzz_flow.c - libFuzzer target for the flow table, TCP reassembly and the
 * hand-off to the registered dissectors.
 *
 * The input is a script of packets between two hosts.  Each packet is a
 * control byte (bit 0: direction, bit 1: UDP, bits 2-4: port pair, bit 5:
 * time step, bit 6: VLAN), a TCP flags byte, 2-byte sequence and
 * acknowledgement offsets, a length byte and that many payload bytes.  The
 * table is small (4 flows, tiny reassembly caps) so eviction, timeouts and
 * the cap paths run; the checks are the sanitizers plus the table's own
 * accounting after every packet.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "flow.h"
#include "event.h"
#include "options.h"

static const uint16_t server_ports[8] = { 502, 20000, 102, 80, 40000, 502, 20000, 102 };

static unsigned events;

static void on_event(void *ud, const struct ot_event *ev)
{
	events++;
	if (!ev->flow)
		abort();
}

static void on_flow_end(void *ud, const struct flow *f)
{
	if (f->id == 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct flow_callbacks cb = { NULL, NULL, on_event, on_flow_end };
	struct flow_config cfg;
	struct flow_table *ft;
	struct flow_stats st;
	struct cursor c;
	char err[128];
	uint32_t isn[2] = { 1000, 0xfffff000u };
	struct timeval now = { 1000, 0 };

	ots_flow_config_default(&cfg);
	cfg.max_flows = 4;
	cfg.max_ooo_per_flow = 512;
	cfg.max_ooo_total = 1024;
	cfg.ndpi_enable = 0;
	cfg.idle_timeout = 5;
	cfg.tcp_idle_timeout = 20;
	cfg.tcp_closed_timeout = 2;
	cfg.tcp_embryonic_timeout = 3;
	ft = flow_table_new(&cfg, &cb, err, sizeof(err));
	if (!ft)
		abort();

	cur_init(&c, data, size);
	while (cur_left(&c)) {
		struct pkt_meta p;
		uint8_t ctl = cur_u8(&c), flags = cur_u8(&c);
		uint32_t seq = cur_be16(&c), ack = cur_be16(&c), len = cur_u8(&c);
		const uint8_t *payload = cur_bytes(&c, len);
		int c2s = !(ctl & 1);
		uint16_t cport = 45000, sport = server_ports[(ctl >> 2) & 7];

		if (!payload)
			break;
		memset(&p, 0, sizeof(p));
		if (ctl & 0x20)
			now.tv_sec += 1 + (ctl >> 7) * 10;
		p.ts = now;
		p.src_ip.ver = p.dst_ip.ver = 4;
		p.src_ip.a[0] = p.dst_ip.a[0] = 10;
		p.src_ip.a[3] = c2s ? 1 : 2;
		p.dst_ip.a[3] = c2s ? 2 : 1;
		p.sport = c2s ? cport : sport;
		p.dport = c2s ? sport : cport;
		p.l4 = (ctl & 2) ? IPPROTO_UDP : IPPROTO_TCP;
		if (ctl & 0x40) {
			p.nvlan = 1;
			p.vlan[0] = 7;
		}
		p.tcp_flags = flags;
		p.seq = isn[!c2s] + seq;
		p.ack = isn[c2s] + ack;
		p.payload = payload;
		p.payload_len = len;
		p.ip_len = 40 + len;
		flow_table_process(ft, &p);

		flow_table_get_stats(ft, &st);
		if (st.active > cfg.max_flows || st.ooo_bytes_now > cfg.max_ooo_total ||
		    st.created != st.active + st.ended)
			abort();
	}
	flow_table_flush(ft);
	flow_table_get_stats(ft, &st);
	if (st.active != 0 || st.ooo_bytes_now != 0)
		abort();
	flow_table_free(ft);
	return 0;
}
