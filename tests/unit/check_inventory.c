/*
 * check_inventory.c - assets and the graph from hand-built packets, flows
 * and OT events: role inference with reasons, identity merging, IP/MAC
 * changes, OT addresses, caps and eviction under a spoofed-source flood,
 * range merging and polling periods, atomic writes, DOT/GraphML, and the
 * "asset" EVE lines.
 */
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "eve.h"
#include "graph.h"
#include "inventory.h"
#include "inventory_int.h"
#include "dissector.h"
#include "iec104.h"
#include "modbus.h"
#include "wiring.h"
#include "sensor.h"

/* ---- builders ---- */

static struct timeval now_ts = { 1700000000, 0 };

static void tick(double s)
{
	long us = (long)(s * 1e6);

	now_ts.tv_sec += us / 1000000;
	now_ts.tv_usec += us % 1000000;
	if (now_ts.tv_usec >= 1000000) {
		now_ts.tv_sec++;
		now_ts.tv_usec -= 1000000;
	}
}

static void mac_of(uint32_t n, uint8_t mac[6])
{
	mac[0] = 0x00;
	mac[1] = 0x1b;          /* 00:1b:1b is Siemens in the IEEE registry */
	mac[2] = 0x1b;
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

static struct flow mk_flow(const char *cli, uint32_t cli_mac, const char *srv, uint32_t srv_mac,
			   uint8_t l4, uint16_t sport)
{
	static uint64_t id;
	struct flow f;

	memset(&f, 0, sizeof(f));
	f.id = ++id;
	f.l4 = l4;
	ck_assert_int_eq(ot_ip_parse(cli, &f.cli_ip), 0);
	ck_assert_int_eq(ot_ip_parse(srv, &f.srv_ip), 0);
	f.cli_port = 40000;
	f.srv_port = sport;
	f.has_mac = cli_mac && srv_mac;
	mac_of(cli_mac, f.cli_mac);
	mac_of(srv_mac, f.srv_mac);
	f.first = f.last = now_ts;
	return f;
}

/* One packet of flow f in direction dir, accounted on the flow first. */
static void packet(struct inventory *inv, struct flow *f, int dir, uint32_t len)
{
	struct pkt_meta p;

	memset(&p, 0, sizeof(p));
	p.ts = now_ts;
	p.has_mac = f->has_mac;
	memcpy(p.src_mac, dir ? f->srv_mac : f->cli_mac, 6);
	memcpy(p.dst_mac, dir ? f->cli_mac : f->srv_mac, 6);
	p.src_ip = dir ? f->srv_ip : f->cli_ip;
	p.dst_ip = dir ? f->cli_ip : f->srv_ip;
	p.ip_len = len;
	p.wirelen = len + 14;
	p.l4 = f->l4;
	p.sport = dir ? f->srv_port : f->cli_port;
	p.dport = dir ? f->cli_port : f->srv_port;
	f->pkts[dir]++;
	f->bytes[dir] += len;
	f->last = now_ts;
	inventory_packet(inv, &p, f, dir);
}

static void ev_init(struct ot_event *ev, const struct flow *f, enum ot_proto proto,
		    enum ot_dir dir, int32_t func, enum ot_category cat)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = OT_EV_MESSAGE;
	ev->proto = proto;
	ev->dir = dir;
	ev->from_client = dir == OT_DIR_REQUEST;
	ev->flow = f;
	ev->ts = now_ts;
	ev->unit = ev->link_src = ev->link_dst = ev->rack = ev->slot = -1;
	ev->func = func;
	ev->func_name = "test_function";
	ev->group = ev->subfunc = -1;
	ev->cat = cat;
	ev->txn = -1;
	ev->status = 0;
	ev->rtt = -1;
}

/* A request and its response on f (packets and events). */
static void exchange(struct inventory *inv, struct flow *f, enum ot_proto proto, int32_t func,
		     enum ot_category cat, int32_t unit, int status)
{
	struct ot_event ev;

	packet(inv, f, 0, 60);
	ev_init(&ev, f, proto, OT_DIR_REQUEST, func, cat);
	ev.unit = unit;
	inventory_event(inv, &ev);
	tick(0.01);
	packet(inv, f, 1, 60);
	ev_init(&ev, f, proto, OT_DIR_RESPONSE, func, cat);
	ev.unit = unit;
	ev.status = status;
	inventory_event(inv, &ev);
}

/* An inventory with these caps (0: the default). */
static struct inventory *mk_inv_caps(uint32_t max_assets, uint32_t max_ips, uint32_t max_edges,
				     struct eve *eve)
{
	struct inventory_config cfg;
	struct inventory *inv;

	ots_inventory_config_default(&cfg);
	if (max_assets)
		cfg.max_assets = max_assets;
	if (max_ips)
		cfg.max_ips = max_ips;
	if (max_edges)
		cfg.max_edges = max_edges;
	cfg.seed = 42;
	inv = inventory_new(&cfg, NULL, NULL, eve);
	ck_assert_ptr_nonnull(inv);
	return inv;
}

static struct inventory *mk_inv(uint32_t max_assets, uint32_t max_edges, struct eve *eve)
{
	return mk_inv_caps(max_assets, 0, max_edges, eve);
}

static struct inventory_asset_info find(struct inventory *inv, const char *ip)
{
	struct inventory_asset_info ai;
	struct ot_ip a;

	ck_assert_int_eq(ot_ip_parse(ip, &a), 0);
	ck_assert_msg(inventory_find_ip(inv, &a, &ai) == 0, "%s not in the inventory", ip);
	return ai;
}

/* The asset object with this id in the document. */
static json_t *doc_asset(json_t *doc, uint64_t id)
{
	json_t *a;
	size_t i;

	json_array_foreach(json_object_get(doc, "assets"), i, a)
		if ((uint64_t)json_integer_value(json_object_get(a, "id")) == id)
			return a;
	return NULL;
}

/* ---- roles ---- */

START_TEST(roles_master_and_outstation)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct flow f = mk_flow("10.0.0.5", 5, "10.0.0.10", 10, IPPROTO_TCP, 502);
	struct inventory_asset_info hmi, plc;
	json_t *doc, *a;
	int i;

	for (i = 0; i < 20; i++) {
		exchange(inv, &f, OT_PROTO_MODBUS, 3, OT_CAT_READ, 1, 0);
		tick(1.0);
	}
	hmi = find(inv, "10.0.0.5");
	plc = find(inv, "10.0.0.10");
	ck_assert_int_eq(hmi.role, INV_ROLE_HMI);
	ck_assert_int_eq(plc.role, INV_ROLE_PLC);
	ck_assert(hmi.has_mac && hmi.mac[5] == 5);
	ck_assert_uint_ne(hmi.id, plc.id);
	{
		struct inventory_asset_info byid;

		ck_assert_int_eq(inventory_find_id(inv, plc.id, &byid), 0);
		ck_assert_int_eq(byid.role, INV_ROLE_PLC);
		ck_assert_int_eq(inventory_find_id(inv, 424242, &byid), -1);
	}

	doc = inventory_json(inv);
	a = doc_asset(doc, plc.id);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(json_string_value(json_object_get(a, "role")), "plc");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(json_object_get(a, "role_reasons"), 0)),
				     "answered 20 modbus requests"));
	/* the unit id belongs to the server, the service to both sides */
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(a, "ot_addresses"), 0),
							   "unit")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(
		json_object_get(a, "protocols"), "server"), 0), "proto")), "modbus");
	ck_assert_int_eq(json_integer_value(json_object_get(a, "packets_sent")), 20);
	json_decref(doc);
	inventory_free(inv);
	inventory_free(NULL);
	/* every role has its own name and label */
	for (i = 1; i < INV_ROLE_COUNT; i++) {
		int k;

		ck_assert_str_ne(inventory_role_name((enum inv_role)i), "unknown");
		ck_assert_str_ne(inventory_role_label((enum inv_role)i), "unknown");
		for (k = 1; k < i; k++)
			ck_assert_str_ne(inventory_role_name((enum inv_role)i),
					 inventory_role_name((enum inv_role)k));
	}
	ck_assert_str_eq(inventory_role_name(INV_ROLE_COUNT), "unknown");
}
END_TEST

START_TEST(roles_engineering_scanner_it_router)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct flow eng = mk_flow("10.0.1.2", 2, "10.0.1.20", 20, IPPROTO_TCP, 102);
	struct flow web;
	uint8_t rmac[6];
	int i;
	char ip[32];

	/* engineering: a program download and a stop to an S7 */
	exchange(inv, &eng, OT_PROTO_S7COMM, 0x1a, OT_CAT_PROGRAM, -1, 0);
	exchange(inv, &eng, OT_PROTO_S7COMM, 0x29, OT_CAT_MODE, -1, 0);
	ck_assert_int_eq(find(inv, "10.0.1.2").role, INV_ROLE_ENGINEERING);
	ck_assert_int_eq(find(inv, "10.0.1.20").role, INV_ROLE_PLC);
	{
		/* during a download the CPU sends the jobs (download block):
		 * that does not make it an engineering workstation */
		struct ot_event ev;
		int n;

		for (n = 0; n < 3; n++) {
			packet(inv, &eng, 1, 80);
			ev_init(&ev, &eng, OT_PROTO_S7COMM, OT_DIR_REQUEST, 0x1b, OT_CAT_PROGRAM);
			ev.from_client = 0;
			inventory_event(inv, &ev);
		}
		ck_assert_int_eq(find(inv, "10.0.1.20").role, INV_ROLE_PLC);
	}
	{
		/* a read-only collector over two OT protocols is a historian */
		struct flow h1 = mk_flow("10.0.1.7", 7, "10.0.1.20", 20, IPPROTO_TCP, 102);
		struct flow h2 = mk_flow("10.0.1.7", 7, "10.0.1.21", 21, IPPROTO_TCP, 502);

		exchange(inv, &h1, OT_PROTO_S7COMM, 4, OT_CAT_READ, -1, 0);
		exchange(inv, &h2, OT_PROTO_MODBUS, 3, OT_CAT_READ, 1, 0);
		ck_assert_int_eq(find(inv, "10.0.1.7").role, INV_ROLE_HISTORIAN);
		exchange(inv, &h2, OT_PROTO_MODBUS, 6, OT_CAT_WRITE, 1, 0);
		ck_assert_int_eq(find(inv, "10.0.1.7").role, INV_ROLE_HMI);
	}

	/* scanner: one client probing 20 Modbus servers */
	for (i = 0; i < 20; i++) {
		struct flow s;

		snprintf(ip, sizeof(ip), "10.0.2.%d", 10 + i);
		s = mk_flow("10.0.2.250", 250, ip, 300 + i, IPPROTO_TCP, 502);
		exchange(inv, &s, OT_PROTO_MODBUS, 43, OT_CAT_IDENTITY, 0, 0);
	}
	ck_assert_int_eq(find(inv, "10.0.2.250").role, INV_ROLE_SCANNER);
	ck_assert_int_eq(find(inv, "10.0.2.15").role, INV_ROLE_PLC);

	/* IT host: a named non-OT service */
	web = mk_flow("10.0.3.2", 402, "10.0.3.80", 480, IPPROTO_TCP, 80);
	snprintf(web.app_proto, sizeof(web.app_proto), "HTTP");
	packet(inv, &web, 0, 100);
	packet(inv, &web, 1, 1000);
	ck_assert_int_eq(find(inv, "10.0.3.2").role, INV_ROLE_IT_HOST);

	/* historian: polls a PLC and serves two IT clients; a plain server
	 * has three IT clients; an nDPI industrial label is not IT */
	{
		struct flow h = mk_flow("10.0.4.5", 405, "10.0.1.20", 20, IPPROTO_TCP, 102);

		exchange(inv, &h, OT_PROTO_S7COMM, 4, OT_CAT_READ, -1, 0);
		for (i = 0; i < 3; i++) {
			struct flow c;

			snprintf(ip, sizeof(ip), "10.0.4.%d", 100 + i);
			c = mk_flow(ip, 500 + i, i < 2 ? "10.0.4.5" : "10.0.4.6", i < 2 ? 405 : 406,
				    IPPROTO_TCP, 1433);
			snprintf(c.app_proto, sizeof(c.app_proto), "MsSQL-TDS");
			packet(inv, &c, 0, 100);
			packet(inv, &c, 1, 100);
			c = mk_flow(ip, 500 + i, "10.0.4.7", 407, IPPROTO_TCP, 80);
			snprintf(c.app_proto, sizeof(c.app_proto), "HTTP");
			packet(inv, &c, 0, 100);
			packet(inv, &c, 1, 100);
			c = mk_flow(ip, 500 + i, "10.0.4.8", 408, IPPROTO_TCP, 2404);
			snprintf(c.app_proto, sizeof(c.app_proto), "IEC60870");
			packet(inv, &c, 0, 100);
			packet(inv, &c, 1, 100);
		}
		ck_assert_int_eq(find(inv, "10.0.4.5").role, INV_ROLE_HISTORIAN);
		ck_assert_int_eq(find(inv, "10.0.4.7").role, INV_ROLE_SERVER);
		ck_assert_int_eq(find(inv, "10.0.4.8").role, INV_ROLE_UNKNOWN);
	}

	/* router: five addresses behind one MAC (routed traffic) */
	mac_of(999, rmac);
	for (i = 0; i < 5; i++) {
		struct flow r;

		snprintf(ip, sizeof(ip), "172.20.0.%d", i + 1);
		r = mk_flow(ip, 999, "10.0.1.20", 20, IPPROTO_TCP, 102);
		exchange(inv, &r, OT_PROTO_S7COMM, 4, OT_CAT_READ, -1, 0);
	}
	{
		struct inventory_asset_info ai;

		ck_assert_int_eq(inventory_find_mac(inv, rmac, &ai), 0);
		ck_assert_int_eq(ai.role, INV_ROLE_ROUTER);
		ck_assert_uint_eq(ai.n_ips, 5);
	}
	/* each routed address keeps its own OT role */
	{
		json_t *doc = inventory_json(inv), *a, *r;
		struct inventory_asset_info ai = find(inv, "172.20.0.3");
		size_t k;
		int seen = 0;

		a = doc_asset(doc, ai.id);
		json_array_foreach(json_object_get(a, "ips"), k, r) {
			ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "ot_client"), 0)),
					 "s7comm");
			seen++;
		}
		ck_assert_int_eq(seen, 5);
		json_decref(doc);
	}
	inventory_free(inv);
}
END_TEST

START_TEST(many_errors_make_a_scanner)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct flow f = mk_flow("10.0.0.5", 5, "10.0.0.10", 10, IPPROTO_TCP, 502);
	int i;

	for (i = 0; i < 9; i++)
		exchange(inv, &f, OT_PROTO_MODBUS, 3, OT_CAT_READ, 1, 2);
	ck_assert_int_eq(find(inv, "10.0.0.5").role, INV_ROLE_HMI);   /* below the threshold */
	exchange(inv, &f, OT_PROTO_MODBUS, 3, OT_CAT_READ, 1, 2);
	ck_assert_int_eq(find(inv, "10.0.0.5").role, INV_ROLE_SCANNER);
	inventory_free(inv);
}
END_TEST

/* ---- identity ---- */

static void ident_response(struct inventory *inv, struct flow *f, const char *vendor,
			   const char *fw)
{
	struct ot_event ev;

	ev_init(&ev, f, OT_PROTO_MODBUS, OT_DIR_RESPONSE, 43, OT_CAT_IDENTITY);
	ev.unit = 1;
	ot_ident_add(&ev, OT_ID_VENDOR, (const uint8_t *)vendor, strlen(vendor));
	ot_ident_add(&ev, OT_ID_FIRMWARE, (const uint8_t *)fw, strlen(fw));
	inventory_event(inv, &ev);
}

START_TEST(identity_merging)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct flow f = mk_flow("10.0.0.5", 5, "10.0.0.10", 10, IPPROTO_TCP, 502);
	struct inventory_asset_info plc, hmi;
	char buf[OT_IDENT_LEN];
	json_t *doc, *ids;

	packet(inv, &f, 0, 60);
	ident_response(inv, &f, "Schneider Electric", "v2.5");
	tick(5);
	ident_response(inv, &f, "Schneider Electric", "v2.5");
	plc = find(inv, "10.0.0.10");
	hmi = find(inv, "10.0.0.5");
	doc = inventory_json(inv);
	ids = json_object_get(doc_asset(doc, plc.id), "identity");
	ck_assert_uint_eq(json_array_size(ids), 2);     /* same facts merged */
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ids, 0), "count")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ids, 0), "proto")), "modbus");
	/* facts describe the sender (the server), not the client */
	ck_assert_uint_eq(json_array_size(json_object_get(doc_asset(doc, hmi.id), "identity")), 0);
	json_decref(doc);

	tick(5);
	ident_response(inv, &f, "Schneider Electric", "v3.1");  /* firmware changed */
	doc = inventory_json(inv);
	ids = json_object_get(doc_asset(doc, plc.id), "identity");
	ck_assert_uint_eq(json_array_size(ids), 3);     /* old firmware kept too */
	json_decref(doc);
	ck_assert_int_eq(inventory_asset_ident(inv, plc.id, OT_ID_FIRMWARE, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "v3.1");
	ck_assert_int_eq(inventory_asset_ident(inv, plc.id, OT_ID_VENDOR, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Schneider Electric");
	ck_assert_int_eq(inventory_asset_ident(inv, plc.id, OT_ID_SERIAL, buf, sizeof(buf)), -1);
	ck_assert_int_eq(inventory_asset_ident(inv, 99999, OT_ID_VENDOR, buf, sizeof(buf)), -1);
	inventory_free(inv);
}
END_TEST

START_TEST(dnp3_link_addresses_and_s7_rack_slot)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct flow d = mk_flow("10.0.0.5", 5, "10.0.0.30", 30, IPPROTO_TCP, 20000);
	struct flow s = mk_flow("10.0.0.5", 5, "10.0.0.40", 40, IPPROTO_TCP, 102);
	struct ot_event ev;
	json_t *doc, *addr;

	packet(inv, &d, 0, 60);
	ev_init(&ev, &d, OT_PROTO_DNP3, OT_DIR_REQUEST, 1, OT_CAT_READ);
	ev.link_src = 3;
	ev.link_dst = 4;
	inventory_event(inv, &ev);
	packet(inv, &s, 0, 60);
	ev_init(&ev, &s, OT_PROTO_S7COMM, OT_DIR_REQUEST, 0xf0, OT_CAT_SESSION);
	ev.rack = 0;
	ev.slot = 2;
	inventory_event(inv, &ev);
	doc = inventory_json(inv);
	addr = json_array_get(json_object_get(doc_asset(doc, find(inv, "10.0.0.30").id), "ot_addresses"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(addr, "link_address")), 4);
	addr = json_array_get(json_object_get(doc_asset(doc, find(inv, "10.0.0.5").id), "ot_addresses"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(addr, "link_address")), 3);
	addr = json_array_get(json_object_get(doc_asset(doc, find(inv, "10.0.0.40").id), "ot_addresses"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(addr, "rack")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(addr, "slot")), 2);
	json_decref(doc);
	inventory_free(inv);
}
END_TEST

/* Two OT protocols on one port (S7comm and S7comm-plus on 102, message by
 * message on one connection) are two services of the asset, each reported
 * once, not one service relabelled at every message. */
START_TEST(two_ot_protocols_on_one_port)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct flow s = mk_flow("10.0.0.5", 5, "10.0.0.40", 40, IPPROTO_TCP, 102);
	struct ot_event ev;
	json_t *doc, *srv;
	size_t i;
	int k, seen_s7 = 0, seen_plus = 0;

	for (k = 0; k < 10; k++) {
		packet(inv, &s, 0, 60);
		ev_init(&ev, &s, k % 2 ? OT_PROTO_S7COMM_PLUS : OT_PROTO_S7COMM,
			OT_DIR_REQUEST, 0x04, OT_CAT_READ);
		inventory_event(inv, &ev);
		tick(1);
	}
	doc = inventory_json(inv);
	srv = json_object_get(json_object_get(doc_asset(doc, find(inv, "10.0.0.40").id), "protocols"), "server");
	ck_assert_int_eq(json_array_size(srv), 2);
	for (i = 0; i < json_array_size(srv); i++) {
		json_t *x = json_array_get(srv, i);
		const char *p = json_string_value(json_object_get(x, "proto"));

		ck_assert_int_eq(json_integer_value(json_object_get(x, "port")), 102);
		seen_s7 += strcmp(p, "s7comm") == 0;
		seen_plus += strcmp(p, "s7comm_plus") == 0;
	}
	ck_assert_int_eq(seen_s7, 1);
	ck_assert_int_eq(seen_plus, 1);
	json_decref(doc);
	inventory_free(inv);
}
END_TEST

/* IEC 104: controlling and controlled station facts, IOA ranges of the
 * controlled station per common address and type, bounded. */
START_TEST(iec104_stations_and_ioa_ranges)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct flow f = mk_flow("10.0.0.5", 5, "10.0.0.60", 60, IPPROTO_TCP, 2404);
	struct inventory_asset_info m, o;
	struct ot_event ev;
	json_t *doc, *a, *r;
	int i;

	packet(inv, &f, 0, 60);
	ev_init(&ev, &f, OT_PROTO_IEC104, OT_DIR_REQUEST, 256, OT_CAT_SESSION); /* STARTDT act */
	inventory_event(inv, &ev);
	ev_init(&ev, &f, OT_PROTO_IEC104, OT_DIR_RESPONSE, 257, OT_CAT_SESSION); /* STARTDT con */
	inventory_event(inv, &ev);
	ev_init(&ev, &f, OT_PROTO_IEC104, OT_DIR_REQUEST, 100, OT_CAT_READ);    /* GI act */
	ev.subfunc = 6;
	ot_range_add(&ev, OT_SPACE_IEC104, 7, 0, 0, 1);
	inventory_event(inv, &ev);
	/* measured values at 1000..1003 and 1004..1005 (merged), a single
	 * point at 2000 of another common address, a command at 3000 */
	ev_init(&ev, &f, OT_PROTO_IEC104, OT_DIR_UNSOLICITED, 13, OT_CAT_READ);
	ev.func_name = "M_ME_NC_1";
	ot_range_add(&ev, OT_SPACE_IEC104, 7, 0, 1000, 4);
	inventory_event(inv, &ev);
	ev.n_ranges = 0;
	ot_range_add(&ev, OT_SPACE_IEC104, 7, 0, 1004, 2);
	inventory_event(inv, &ev);
	ev_init(&ev, &f, OT_PROTO_IEC104, OT_DIR_UNSOLICITED, 1, OT_CAT_READ);
	ot_range_add(&ev, OT_SPACE_IEC104, 8, 0, 2000, 1);
	inventory_event(inv, &ev);
	ev_init(&ev, &f, OT_PROTO_IEC104, OT_DIR_REQUEST, 45, OT_CAT_CONTROL);
	ev.subfunc = 6;
	ot_range_add(&ev, OT_SPACE_IEC104, 7, 0, 3000, 1);
	inventory_event(inv, &ev);
	/* past the cap: disjoint single points of one type are dropped, counted */
	for (i = 0; i < INV_MAX_IOA_RANGES + 10; i++) {
		ev_init(&ev, &f, OT_PROTO_IEC104, OT_DIR_UNSOLICITED, 3, OT_CAT_READ);
		ot_range_add(&ev, OT_SPACE_IEC104, 9, 0, (uint32_t)(10 * i), 1);
		inventory_event(inv, &ev);
	}

	m = find(inv, "10.0.0.5");
	o = find(inv, "10.0.0.60");
	ck_assert_int_eq(m.role, INV_ROLE_HMI);
	ck_assert_int_eq(o.role, INV_ROLE_PLC);
	doc = inventory_json(inv);
	a = json_object_get(doc_asset(doc, m.id), "iec104");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_null(json_object_get(a, "controlled"));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(a, "controlling"), "startdt_act")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(a, "controlling"), "interrogations")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(a, "controlling"), "commands")), 1);
	ck_assert_ptr_null(json_object_get(a, "ioa_ranges"));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(json_object_get(doc_asset(doc, m.id),
		"role_reasons"), 1)), "IEC 104 controlling station"));
	a = json_object_get(doc_asset(doc, o.id), "iec104");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_null(json_object_get(a, "controlling"));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(a, "controlled"), "startdt_con")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(a, "controlled"), "monitoring")),
			 3 + INV_MAX_IOA_RANGES + 10);
	ck_assert_int_eq(json_array_size(json_object_get(a, "common_addresses")), 3);
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(a, "common_addresses"), 0)), 7);
	ck_assert_int_eq(json_array_size(json_object_get(a, "ioa_ranges")), INV_MAX_IOA_RANGES);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "ioa_ranges_dropped")), 13);
	r = json_array_get(json_object_get(a, "ioa_ranges"), 0);       /* sorted: ca 7, type 13 */
	ck_assert_int_eq(json_integer_value(json_object_get(r, "ca")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "type_id")), 13);
	ck_assert_str_eq(json_string_value(json_object_get(r, "type")), "M_ME_NC_1");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "start")), 1000);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "end")), 1005);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "objects")), 6);
	r = json_array_get(json_object_get(a, "ioa_ranges"), 1);       /* the command point */
	ck_assert_int_eq(json_integer_value(json_object_get(r, "type_id")), 45);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "start")), 3000);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(json_object_get(doc_asset(doc, o.id),
		"role_reasons"), 1)), "IEC 104 controlled station"));
	json_decref(doc);
	inventory_free(inv);
}
END_TEST

/* ---- IP / MAC changes, EVE lines ---- */

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	ck_assert_ptr_nonnull(fp);
	n = fread(buf, 1, (1 << 20) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

START_TEST(ip_moves_to_new_mac)
{
	char path[] = "/tmp/check_inv_eve_XXXXXX", err[128];
	int fd = mkstemp(path);
	struct eve *e = eve_new();
	struct inventory *inv;
	struct inventory_stats st;
	struct flow f1, f2;
	struct inventory_asset_info ai;
	uint8_t old_mac[6];
	char *text;
	json_t *doc, *r;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(eve_add_file(e, path, err, sizeof(err)), 0);
	inv = mk_inv(0, 0, e);
	f1 = mk_flow("10.0.0.5", 5, "10.0.0.10", 10, IPPROTO_TCP, 502);
	exchange(inv, &f1, OT_PROTO_MODBUS, 3, OT_CAT_READ, 1, 0);
	tick(60);
	/* the PLC was replaced: same address, new MAC */
	f2 = mk_flow("10.0.0.5", 5, "10.0.0.10", 11, IPPROTO_TCP, 502);
	exchange(inv, &f2, OT_PROTO_MODBUS, 3, OT_CAT_READ, 1, 0);

	inventory_get_stats(inv, &st);
	ck_assert_uint_eq(st.ips_moved, 1);
	ck_assert_uint_eq(st.assets, 3);        /* both PLCs kept */
	ai = find(inv, "10.0.0.10");            /* the latest binding answers */
	ck_assert_uint_eq(ai.mac[5], 11);
	mac_of(10, old_mac);
	ck_assert_int_eq(inventory_find_mac(inv, old_mac, &ai), 0);
	ck_assert_uint_eq(ai.n_ips, 1);

	doc = inventory_json(inv);
	r = json_array_get(json_object_get(doc_asset(doc, find(inv, "10.0.0.10").id), "ips"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(r, "previous_mac")), "00:1b:1b:00:00:0a");
	json_decref(doc);
	{
		char rpath[] = "/tmp/check_inv_mv_XXXXXX";
		int rfd = mkstemp(rpath);
		FILE *rfp = fdopen(rfd, "w");
		char *rep;

		ck_assert_ptr_nonnull(rfp);
		inventory_report(inv, rfp);
		fclose(rfp);
		rep = slurp(rpath);
		ck_assert_ptr_nonnull(strstr(rep, "10.0.0.10 moved from 00:1b:1b:00:00:0a to 00:1b:1b:00:00:0b"));
		free(rep);
		unlink(rpath);
	}
	inventory_free(inv);
	eve_free(e);

	text = slurp(path);
	ck_assert_ptr_nonnull(strstr(text, "\"event_type\":\"asset\""));
	ck_assert_ptr_nonnull(strstr(text, "\"what\":\"new\""));
	ck_assert_ptr_nonnull(strstr(text, "\"what\":\"ip_moved\",\"old\":\"00:1b:1b:00:00:0a\",\"new\":\"10.0.0.10\""));
	ck_assert_ptr_nonnull(strstr(text, "\"what\":\"role\",\"old\":\"unknown\",\"new\":{\"role\":\"plc\""));
	ck_assert_ptr_nonnull(strstr(text, "\"what\":\"protocol\""));
	ck_assert_ptr_nonnull(strstr(text, "\"what\":\"ot_address\""));
	free(text);
	unlink(path);
}
END_TEST

START_TEST(vlans_and_no_mac)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct flow f = mk_flow("192.168.0.1", 0, "192.168.0.2", 0, IPPROTO_UDP, 20000);
	struct pkt_meta p;
	json_t *doc, *a;

	packet(inv, &f, 0, 60);
	memset(&p, 0, sizeof(p));
	p.ts = now_ts;
	p.src_ip = f.cli_ip;
	p.dst_ip = f.srv_ip;
	p.nvlan = 2;
	p.vlan[0] = 100;
	p.vlan[1] = 7;
	p.l4 = IPPROTO_UDP;
	inventory_packet(inv, &p, &f, 0);
	inventory_packet(inv, &p, &f, 0);
	/* a DHCP discover: 0.0.0.0 is no address of anyone */
	memset(&p, 0, sizeof(p));
	p.ts = now_ts;
	p.has_mac = 1;
	mac_of(66, p.src_mac);
	memset(p.dst_mac, 0xff, 6);
	ck_assert_int_eq(ot_ip_parse("0.0.0.0", &p.src_ip), 0);
	ck_assert_int_eq(ot_ip_parse("255.255.255.255", &p.dst_ip), 0);
	p.l4 = IPPROTO_UDP;
	inventory_packet(inv, &p, NULL, 0);
	{
		struct inventory_asset_info ai;
		struct ot_ip zero;

		ck_assert_int_eq(inventory_find_mac(inv, p.src_mac, &ai), 0);
		ck_assert_uint_eq(ai.n_ips, 0);
		ot_ip_parse("0.0.0.0", &zero);
		ck_assert_int_eq(inventory_find_ip(inv, &zero, &ai), -1);
		ot_ip_parse("255.255.255.255", &zero);
		ck_assert_int_eq(inventory_find_ip(inv, &zero, &ai), -1);
	}
	doc = inventory_json(inv);
	a = doc_asset(doc, find(inv, "192.168.0.1").id);
	ck_assert_str_eq(json_string_value(json_object_get(a, "key")), "ip");
	ck_assert_ptr_null(json_object_get(a, "mac"));
	ck_assert_uint_eq(json_array_size(json_object_get(a, "vlans")), 2);
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(a, "vlans"), 1)), 7);
	json_decref(doc);
	inventory_free(inv);
}
END_TEST

/* ---- caps ---- */

START_TEST(spoofed_flood_stays_within_caps)
{
	struct inventory *inv = mk_inv(200, 300, NULL);
	struct flow victim = mk_flow("10.9.9.9", 9, "10.0.0.10", 10, IPPROTO_TCP, 502);
	struct inventory_stats st, st_half;
	uint32_t i;

	exchange(inv, &victim, OT_PROTO_MODBUS, 3, OT_CAT_READ, 1, 0);
	/* 100000 packets from random MACs and addresses to the PLC */
	srand(7);
	for (i = 0; i < 100000; i++) {
		struct flow f;
		char ip[32];

		snprintf(ip, sizeof(ip), "%d.%d.%d.%d", 11 + rand() % 200, rand() % 256,
			 rand() % 256, 1 + rand() % 254);
		f = mk_flow(ip, 0x10000 + i, "10.0.0.10", 10, IPPROTO_TCP, 502);
		f.cli_port = (uint16_t)(1024 + i % 60000);
		packet(inv, &f, 0, 40);
		if (i == 50000)
			inventory_get_stats(inv, &st_half);
		tick(0.0001);
	}
	inventory_get_stats(inv, &st);
	ck_assert_uint_le(st.assets, 200);
	ck_assert_uint_le(st.edges, 300);
	ck_assert_uint_le(st.ips, 400);
	ck_assert_uint_ge(st.assets_evicted, 100000 - 200);
	ck_assert_uint_ge(st.edges_evicted, 100000 - 300);
	/* 10 s of flood: asset lines are rate-capped, the rest counted */
	ck_assert_uint_le(st.asset_events, (uint64_t)INV_MAX_EVENTS_PER_SEC * 12);
	ck_assert_uint_ge(st.asset_events + st.asset_events_suppressed, 100000);
	/* the table is full and stays exactly that full */
	ck_assert_uint_eq(st.assets, st_half.assets);
	ck_assert_uint_eq(st.edges, st_half.edges);
	/* the victim is recently active and survives */
	ck_assert_int_eq(find(inv, "10.0.0.10").role, INV_ROLE_PLC);

	/* one MAC with spoofed addresses: bounded per asset */
	for (i = 0; i < 5000; i++) {
		struct flow f;
		char ip[32];

		snprintf(ip, sizeof(ip), "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		f = mk_flow(ip, 77, "10.0.0.10", 10, IPPROTO_TCP, 502);
		packet(inv, &f, 0, 40);
	}
	{
		uint8_t mac[6];
		struct inventory_asset_info ai;

		mac_of(77, mac);
		ck_assert_int_eq(inventory_find_mac(inv, mac, &ai), 0);
		ck_assert_uint_le(ai.n_ips, INV_MAX_IPS_PER_ASSET);
		ck_assert_int_eq(ai.role, INV_ROLE_ROUTER);
	}
	inventory_get_stats(inv, &st);
	ck_assert_uint_le(st.ips, 400);
	inventory_free(inv);
}
END_TEST

/*
 * A flow remembers the assets and address records of its ends; evictions
 * in between must send it back to the tables (to find or re-create them),
 * and a packet end with another MAC must not get the remembered asset.
 */
START_TEST(flow_memory_follows_evictions)
{
	struct inventory *inv = mk_inv(4, 0, NULL);
	struct flow f = mk_flow("10.1.1.1", 1, "10.1.1.2", 2, IPPROTO_TCP, 502);
	struct inventory_asset_info a0, a1, b1;
	struct inventory_stats st;
	uint8_t mac[6];
	uint32_t i;

	exchange(inv, &f, OT_PROTO_MODBUS, 3, OT_CAT_READ, 1, 0);
	a0 = find(inv, "10.1.1.1");
	/* six other pairs push both ends out of the four-asset table */
	for (i = 0; i < 6; i++) {
		char ip[32];
		struct flow g;

		tick(1);
		snprintf(ip, sizeof(ip), "10.2.0.%u", i + 1);
		g = mk_flow(ip, 100 + i, "10.3.0.1", 200 + i, IPPROTO_TCP, 502);
		packet(inv, &g, 0, 60);
	}
	mac_of(1, mac);
	ck_assert_int_ne(inventory_find_mac(inv, mac, &a1), 0);
	inventory_get_stats(inv, &st);
	ck_assert_uint_ge(st.assets_evicted, 2);

	/* the flow again: both ends come back as new assets, with addresses */
	tick(1);
	exchange(inv, &f, OT_PROTO_MODBUS, 3, OT_CAT_READ, 1, 0);
	ck_assert_int_eq(inventory_find_mac(inv, mac, &a1), 0);
	ck_assert_uint_ne(a1.id, a0.id);
	ck_assert_uint_eq(a1.n_ips, 1);
	ck_assert_int_eq(timercmp(&a1.last_seen, &now_ts, ==), 1);
	b1 = find(inv, "10.1.1.2");
	ck_assert_int_eq(b1.role, INV_ROLE_PLC);

	/* the same addresses behind another MAC (a second router): another asset */
	tick(1);
	mac_of(3, f.cli_mac);
	packet(inv, &f, 0, 60);
	mac_of(3, mac);
	ck_assert_int_eq(inventory_find_mac(inv, mac, &a0), 0);
	ck_assert_uint_ne(a0.id, a1.id);
	ck_assert_int_eq(timercmp(&a0.last_seen, &now_ts, ==), 1);

	/* an address record dropped by the per-asset cap comes back too */
	tick(1);
	mac_of(1, f.cli_mac);
	packet(inv, &f, 0, 60);
	for (i = 0; i < INV_MAX_IPS_PER_ASSET; i++) {
		char ip[32];
		struct flow g;

		snprintf(ip, sizeof(ip), "10.4.%u.%u", i >> 8, i & 255);
		g = mk_flow(ip, 1, "10.1.1.2", 2, IPPROTO_TCP, 502);
		packet(inv, &g, 0, 60);
	}
	tick(1);
	packet(inv, &f, 0, 60);
	a0 = find(inv, "10.1.1.1");
	ck_assert_uint_eq(a0.id, a1.id);
	ck_assert_int_eq(timercmp(&a0.last_seen, &now_ts, ==), 1);
	inventory_free(inv);
}
END_TEST

/*
 * Two flows on one edge with different application labels take turns: each
 * packet labels the edge from its own flow (a flow's slot remembers the
 * label it gave only while the edge keeps it).
 */
START_TEST(edge_label_follows_each_flow)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct flow f1 = mk_flow("10.5.0.1", 51, "10.5.0.2", 52, IPPROTO_TCP, 8080);
	struct flow f2 = mk_flow("10.5.0.1", 51, "10.5.0.2", 52, IPPROTO_TCP, 8080);
	struct inventory_asset_info cli, srv;
	const struct graph_edge *e;
	int i;

	snprintf(f1.app_proto, sizeof(f1.app_proto), "HTTP");
	snprintf(f2.app_proto, sizeof(f2.app_proto), "TLS");
	f2.cli_port = 40001;
	for (i = 0; i < 3; i++) {
		packet(inv, &f1, 0, 60);
		packet(inv, &f1, 1, 60);
		cli = find(inv, "10.5.0.1");
		srv = find(inv, "10.5.0.2");
		e = graph_edge_find(inventory_graph(inv), cli.id, srv.id, IPPROTO_TCP, 8080);
		ck_assert_ptr_nonnull(e);
		ck_assert_str_eq(e->proto, "HTTP");
		packet(inv, &f2, 0, 60);
		ck_assert_str_eq(e->proto, "TLS");
		tick(0.5);
	}
	/* the flow's label changes (classified late): the edge follows */
	packet(inv, &f1, 0, 60);
	ck_assert_str_eq(e->proto, "HTTP");
	snprintf(f1.app_proto, sizeof(f1.app_proto), "HTTP_Proxy");
	packet(inv, &f1, 0, 60);
	ck_assert_str_eq(e->proto, "HTTP_Proxy");
	inventory_free(inv);
}
END_TEST

/*
 * A flow seen behind a router lands on two edges (its client behind two
 * MAC addresses) and labels them by turns; the flow remembers the label
 * it gave each.  Another flow relabelling one of them, and the flow's own
 * label changing, must still reach both edges at their next packet.
 */
START_TEST(edge_labels_of_a_flow_on_two_edges)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct flow f = mk_flow("10.6.0.1", 61, "10.6.0.2", 62, IPPROTO_TCP, 8080);
	struct flow g = mk_flow("10.6.0.1", 61, "10.6.0.2", 62, IPPROTO_TCP, 8080);
	const char *want[2] = { "HTTP", "HTTP" };
	int i, seg;

	snprintf(f.app_proto, sizeof(f.app_proto), "HTTP");
	snprintf(g.app_proto, sizeof(g.app_proto), "TLS");
	g.cli_port = 40001;
	for (i = 0; i < 40; i++) {
		for (seg = 0; seg < 2; seg++) {
			struct inventory_asset_info cli, srv;
			const struct graph_edge *e;

			/* segment 1: the client's packets behind router MAC 63 */
			mac_of(seg ? 63 : 61, f.cli_mac);
			packet(inv, &f, i % 2, 60);
			ck_assert_int_eq(inventory_find_mac(inv, f.cli_mac, &cli), 0);
			ck_assert_int_eq(inventory_find_mac(inv, f.srv_mac, &srv), 0);
			e = graph_edge_find(inventory_graph(inv), cli.id, srv.id, IPPROTO_TCP, 8080);
			ck_assert_ptr_nonnull(e);
			ck_assert_msg(strcmp(e->proto, want[seg]) == 0, "round %d segment %d: %s, want %s",
				      i, seg, e->proto, want[seg]);
			tick(0.01);
		}
		if (i % 10 == 5) {
			/* another flow on the first edge relabels it */
			packet(inv, &g, 0, 60);
			want[0] = "TLS";
			packet(inv, &f, 0, 60);
			want[0] = f.app_proto;
		}
		if (i == 20) {
			snprintf(f.app_proto, sizeof(f.app_proto), "HTTP_Proxy");
			want[0] = want[1] = "HTTP_Proxy";
		}
	}
	inventory_free(inv);
}
END_TEST

/* ---- graph ---- */

START_TEST(graph_ranges_periods_ops)
{
	struct graph_config gc = { 10, 1 };
	struct graph *g = graph_new(&gc);
	struct graph_edge *e;
	struct ot_event ev;
	struct flow f = mk_flow("10.0.0.5", 5, "10.0.0.10", 10, IPPROTO_TCP, 502);
	int created, i;
	char text[200];

	e = graph_edge_get(g, 1, 2, IPPROTO_TCP, 502, &now_ts, &created);
	ck_assert(created);
	ck_assert_str_eq(e->proto, "tcp");
	ck_assert_int_eq(graph_edge_label(e, "modbus", 1, OT_PROTO_MODBUS), 1);
	ck_assert_int_eq(graph_edge_label(e, "HTTP", 0, 0), 0);    /* OT label sticks */
	ck_assert_str_eq(e->proto, "modbus");

	/* a poll every 2 s of holding 0..9, and one of 10..19 (adjacent) */
	for (i = 0; i < 5; i++) {
		ev_init(&ev, &f, OT_PROTO_MODBUS, OT_DIR_REQUEST, 3, OT_CAT_READ);
		ot_range_add(&ev, OT_SPACE_MB_HOLDING, 0, 0, 0, 10);
		graph_edge_event(g, e, &ev);
		tick(2.0);
	}
	ev_init(&ev, &f, OT_PROTO_MODBUS, OT_DIR_REQUEST, 3, OT_CAT_READ);
	ot_range_add(&ev, OT_SPACE_MB_HOLDING, 0, 0, 10, 10);
	ot_range_add(&ev, OT_SPACE_MB_COIL, 0, 0, 5, 1);
	ot_range_add(&ev, OT_SPACE_MB_HOLDING, 0, 0, 100, 2);
	graph_edge_event(g, e, &ev);
	ev_init(&ev, &f, OT_PROTO_MODBUS, OT_DIR_REQUEST, 6, OT_CAT_WRITE);
	ot_range_add(&ev, OT_SPACE_MB_HOLDING, 0, 0, 5, 1);         /* inside 0..19 */
	graph_edge_event(g, e, &ev);
	ev_init(&ev, &f, OT_PROTO_MODBUS, OT_DIR_RESPONSE, 6, OT_CAT_WRITE);
	ev.status = 2;
	graph_edge_event(g, e, &ev);

	ck_assert_uint_eq(e->n_ranges, 3);      /* holding 0-19, coil 5, holding 100-101 */
	ck_assert_uint_eq(e->ranges[0].start, 0);
	ck_assert_uint_eq(e->ranges[0].end, 20);
	ck_assert_uint_eq(e->n_ops, 2);
	ck_assert_uint_eq(e->ops[0].requests, 6);
	ck_assert_uint_eq(e->ops[1].errors, 1);
	ck_assert_uint_eq(e->errors, 1);
	ck_assert(graph_edge_is_notable(e));
	ck_assert_uint_eq(e->n_recur, 3);
	ck_assert_uint_eq(e->recur[0].period.n, 4);
	ck_assert(e->recur[0].period.mean > 1.999 && e->recur[0].period.mean < 2.001);
	ck_assert(graph_period_stddev(&e->recur[0].period) < 1e-6);
	graph_edge_ops_text(e, text, sizeof(text), 3);
	ck_assert_str_eq(text, "test_function x1, test_function x6");   /* the write first */

	/* S7 userdata: no function code, named by group and sub-function */
	ev_init(&ev, &f, OT_PROTO_S7COMM, OT_DIR_REQUEST, -1, OT_CAT_IDENTITY);
	ev.group = 4;
	ev.subfunc = 1;
	ev.subfunc_name = "read_szl";
	graph_edge_event(g, e, &ev);
	ck_assert_uint_eq(e->n_ops, 3);
	ck_assert_str_eq(e->ops[2].name, "read_szl");
	ck_assert_int_eq(e->ops[2].group, 4);

	/* cap: more distinct ranges than fit widen the nearest one */
	for (i = 0; i < GRAPH_MAX_RANGES + 10; i++) {
		ev_init(&ev, &f, OT_PROTO_MODBUS, OT_DIR_REQUEST, 4, OT_CAT_READ);
		ot_range_add(&ev, OT_SPACE_MB_INPUT, 0, 0, (uint32_t)i * 100, 1);
		graph_edge_event(g, e, &ev);
	}
	ck_assert_uint_le(e->n_ranges, GRAPH_MAX_RANGES);
	ck_assert_uint_gt(e->ranges_widened, 0);
	ck_assert_uint_le(e->n_recur, GRAPH_MAX_RECUR);
	ck_assert_uint_gt(e->recur_replaced, 0);

	/* the edge cap evicts the edge idle longest */
	for (i = 0; i < 12; i++) {
		tick(1);
		graph_edge_get(g, 100 + (uint64_t)i, 2, IPPROTO_TCP, 502, &now_ts, &created);
	}
	ck_assert_uint_eq(graph_count(g), 10);
	ck_assert_ptr_null(graph_edge_find(g, 1, 2, IPPROTO_TCP, 502));
	graph_free(g);
	graph_free(NULL);
}
END_TEST

/* ---- files ---- */

static int count_tmp(const char *dir)
{
	char cmd[300];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -a %s | grep -c '\\.tmp\\.' || true", dir);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

START_TEST(atomic_writes_and_graphs)
{
	char dir[] = "/tmp/check_inv_XXXXXX", path[300], dot[300], gml[300], bad[300], err[256];
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct flow f = mk_flow("10.0.0.5", 5, "10.0.0.10", 10, IPPROTO_TCP, 502);
	struct stat st1, st2;
	json_error_t jerr;
	json_t *doc;
	char *text;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/inv.json", dir);
	snprintf(dot, sizeof(dot), "%s/net.dot", dir);
	snprintf(gml, sizeof(gml), "%s/net.graphml", dir);
	exchange(inv, &f, OT_PROTO_MODBUS, 6, OT_CAT_WRITE, 1, 0);

	ck_assert_int_eq(inventory_write(inv, path, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st1), 0);
	doc = json_load_file(path, 0, &jerr);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "format")), "otsentry-inventory");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "version")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "assets")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "edges")), 1);
	json_decref(doc);
	/* a rewrite replaces the file (new inode), never truncates it in place */
	ck_assert_int_eq(inventory_write(inv, path, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st2), 0);
	ck_assert_uint_ne(st1.st_ino, st2.st_ino);
	ck_assert_int_eq(count_tmp(dir), 0);

	ck_assert_int_eq(inventory_write_graph(inv, dot, err, sizeof(err)), 0);
	text = slurp(dot);
	ck_assert_ptr_nonnull(strstr(text, "digraph otsentry"));
	ck_assert_ptr_nonnull(strstr(text, "PLC/RTU/outstation"));
	ck_assert_ptr_nonnull(strstr(text, "color=\"red\""));     /* the write edge */
	ck_assert_ptr_nonnull(strstr(text, "modbus/502"));
	free(text);
	ck_assert_int_eq(inventory_write_graph(inv, gml, err, sizeof(err)), 0);
	text = slurp(gml);
	ck_assert_ptr_nonnull(strstr(text, "<graphml"));
	ck_assert_ptr_nonnull(strstr(text, "<data key=\"notable\">true</data>"));
	free(text);

	snprintf(bad, sizeof(bad), "%s/missing-dir/inv.json", dir);
	ck_assert_int_eq(inventory_write(inv, bad, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "missing-dir"));
	ck_assert_int_eq(inventory_write_graph(inv, path, err, sizeof(err)), -1);  /* .json */
	ck_assert_int_eq(count_tmp(dir), 0);

	inventory_free(inv);
	snprintf(bad, sizeof(bad), "rm -rf %s", dir);
	ck_assert_int_eq(system(bad), 0);
}
END_TEST

START_TEST(report_mentions_what_matters)
{
	char path[] = "/tmp/check_inv_rep_XXXXXX";
	int fd = mkstemp(path);
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct flow f = mk_flow("10.0.0.5", 5, "8.8.8.8", 10, IPPROTO_TCP, 502);
	FILE *fp;
	char *text;

	ck_assert_int_ge(fd, 0);
	exchange(inv, &f, OT_PROTO_MODBUS, 6, OT_CAT_WRITE, 1, 0);
	ident_response(inv, &f, "ACME", "1.0");
	fp = fdopen(fd, "w");
	inventory_report(inv, fp);
	fclose(fp);
	text = slurp(path);
	ck_assert_ptr_nonnull(strstr(text, "PLC/RTU/outstation (1)"));
	ck_assert_ptr_nonnull(strstr(text, "vendor=\"ACME\""));
	ck_assert_ptr_nonnull(strstr(text, "10.0.0.5 -> 8.8.8.8 modbus/502"));
	ck_assert_ptr_nonnull(strstr(text, "(write)"));
	ck_assert_ptr_nonnull(strstr(text, "8.8.8.8 (asset #2, plc) SPEAKS OT"));
	ck_assert_ptr_null(strstr(text, "Address changes"));
	free(text);
	unlink(path);
	inventory_free(inv);
}
END_TEST

START_TEST(attach_errors_and_live_snapshots)
{
	char dir[] = "/tmp/check_inv_att_XXXXXX", inv_path[300], cmd[340], err[256] = "";
	const char *bad_geo = "/nonexistent/city.mmdb";
	struct ots_options o;
	struct flow_config fc;
	struct eve *e = eve_new();
	struct sensor *s;
	struct timeval t;
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(inv_path, sizeof(inv_path), "%s/inv.json", dir);
	ck_assert_int_eq(eve_add_file(e, "/dev/null", err, sizeof(err)), 0);
	ots_flow_config_default(&fc);
	s = sensor_new(e, &fc, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);

	ots_options_default(&o);
	o.geoip[0] = bad_geo;
	o.n_geoip = 1;
	ck_assert_ptr_null(inventory_attach(s, &o, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, bad_geo));
	ots_options_default(&o);
	o.oui_file = "/nonexistent/oui.csv";
	ck_assert_ptr_null(inventory_attach(s, &o, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/oui.csv"));
	ots_options_default(&o);
	o.graph_files[0] = "net.png";
	o.n_graph_files = 1;
	ck_assert_ptr_null(inventory_attach(s, &o, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "net.png"));

	/* live: a snapshot every 10 s of (packet or wall) time, and on request */
	ots_options_default(&o);
	o.iface = "lo";
	o.inventory_file = inv_path;
	o.snapshot_interval = 10;
	o.quiet = 1;
	ck_assert_ptr_nonnull(inventory_attach(s, &o, err, sizeof(err)));
	sensor_set_snapshot_interval(s, o.snapshot_interval);   /* as main.c does */
	t = now_ts;
	sensor_tick(s, &t);
	t.tv_sec += 5;
	sensor_tick(s, &t);
	ck_assert_int_ne(stat(inv_path, &st), 0);       /* not yet due */
	t.tv_sec += 6;
	sensor_tick(s, &t);
	ck_assert_int_eq(stat(inv_path, &st), 0);
	unlink(inv_path);
	sensor_request_snapshot(s, &t);                 /* SIGUSR1 */
	ck_assert_int_eq(stat(inv_path, &st), 0);
	sensor_free(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(sweep_versus_big_master)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	char ip[32];
	int i, k;

	/* a master polling 20 PLCs over and over is no scanner */
	for (k = 0; k < 10; k++)
		for (i = 0; i < 20; i++) {
			struct flow f;

			snprintf(ip, sizeof(ip), "10.1.0.%d", 10 + i);
			f = mk_flow("10.1.0.1", 1, ip, 100 + i, IPPROTO_TCP, 502);
			exchange(inv, &f, OT_PROTO_MODBUS, 3, OT_CAT_READ, 1, 0);
			tick(0.05);
		}
	ck_assert_int_eq(find(inv, "10.1.0.1").role, INV_ROLE_HMI);

	/* SYNs to port 502 on 20 hosts, none answering: a port scan */
	for (i = 0; i < 20; i++) {
		struct flow f;

		snprintf(ip, sizeof(ip), "10.2.0.%d", 10 + i);
		f = mk_flow("10.2.0.1", 2, ip, 200 + i, IPPROTO_TCP, 502);
		packet(inv, &f, 0, 40);
	}
	ck_assert_int_eq(find(inv, "10.2.0.1").role, INV_ROLE_SCANNER);
	/* the targets that never answered stay unknown */
	ck_assert_int_eq(find(inv, "10.2.0.15").role, INV_ROLE_UNKNOWN);
	inventory_free(inv);
}
END_TEST

/* The struct asset with this id (the table's own record). */
static const struct asset *asset_rec(const struct inventory *inv, uint64_t id)
{
	const struct asset *a;

	for (a = ASSET_OF(inv->assets.first); a; a = ASSET_OF(a->lru.next))
		if (a->id == id)
			return a;
	return NULL;
}

/* The role and the dirty mark of every asset against full inference, and
 * the two ends of an event (ends: their MACs, NULL for none) clean. */
static void check_roles(const struct inventory *inv, const uint8_t *ends[2], int *seen, int step)
{
	struct inventory_asset_info ai;
	const struct asset *x;
	int n;

	for (n = 0; n < 2 && ends; n++) {
		if (!ends[n] || inventory_find_mac(inv, ends[n], &ai) < 0)
			continue;
		x = asset_rec(inv, ai.id);
		ck_assert_ptr_nonnull(x);
		ck_assert_msg(x->role_dirty == 0, "step %d: an end of the event left dirty", step);
	}
	for (x = ASSET_OF(inv->assets.first); x; x = ASSET_OF(x->lru.next)) {
		if (x->role_dirty)
			continue;
		ck_assert_msg(x->role == inv_infer_role(x, NULL),
			      "step %d: asset %llu has role %s, inference gives %s", step,
			      (unsigned long long)x->id, inventory_role_name(x->role),
			      inventory_role_name(inv_infer_role(x, NULL)));
		seen[x->role]++;
	}
}

/*
 * Role inference after an event runs only where the event may change the
 * answer (inv_role_event_matters()); inference at every event is its slow
 * twin.  Traffic that crosses the thresholds of the role tree both ways
 * (sweeps of function codes and unit ids, errors, an identity share that
 * fades, program and write requests, I/O connections, a port scan, a
 * router whose idle addresses are evicted) must leave the two ends of
 * every event with the role full inference gives, and every asset not
 * marked dirty likewise.
 */
START_TEST(role_skip_matches_full_inference)
{
	struct inventory *inv = mk_inv_caps(128, 64, 512, NULL);
	int seen[INV_ROLE_COUNT] = { 0 };
	int i, r, total = 12000;

	srand(7);
	for (i = 0; i < total; i++) {
		/* clients: 0 a router (six addresses, then one), 1 sweeps
		 * function codes, 2 unit ids, 3 draws errors, 4 reads
		 * identities (then mostly data), 5 collects over two
		 * protocols (then writes), 6 programs now and then, 7 polls
		 * nine servers (then SYNs many hosts on port 502), 8-9 poll */
		int late = i > total / 2, ci = rand() % 10, si = rand() % 12;
		char a[32], b[32];
		const uint8_t *ends[2];
		struct flow f;
		struct ot_event ev;
		enum ot_proto proto = (enum ot_proto)(1 + rand() % (OT_PROTO_COUNT - 1));
		enum ot_category cat = rand() % 40 ? OT_CAT_READ : OT_CAT_WRITE;

		if (late && rand() % 6 == 0) {
			/* hosts without MAC addresses come and go: address
			 * records are evicted, the router's idle ones too */
			snprintf(a, sizeof(a), "10.4.%d.%d", rand() % 250, 1 + rand() % 250);
			f = mk_flow(a, 0, "10.1.0.1", 0, IPPROTO_UDP, 9999);
			packet(inv, &f, 0, 60);
			check_roles(inv, NULL, seen, i);
			continue;
		}
		snprintf(a, sizeof(a), "10.0.%d.%d", ci == 0 && !late ? rand() % 6 : 0, 1 + ci);
		if (ci == 7)
			si = late ? 20 + rand() % 40 : rand() % 9;
		snprintf(b, sizeof(b), "10.1.0.%d", 1 + si);
		f = mk_flow(a, (uint32_t)(1 + ci), b, (uint32_t)(100 + si), IPPROTO_TCP,
			    (uint16_t)(rand() % 8 ? 502 : 102));
		f.role_guessed = (uint8_t)(rand() % 10 == 0);
		packet(inv, &f, 0, 60);
		if ((ci == 7 && late) || rand() % 8 == 0) {
			check_roles(inv, NULL, seen, i);
			continue;       /* unanswered */
		}
		packet(inv, &f, 1, 60);
		if (ci == 4)
			cat = rand() % (i < total / 6 ? 2 : 40) == 0 ? OT_CAT_IDENTITY : OT_CAT_READ;
		else if (ci == 5)
			cat = late && rand() % 30 == 0 ? OT_CAT_WRITE : OT_CAT_READ;
		else if (ci == 6 && rand() % 50 == 0)
			cat = rand() % 2 ? OT_CAT_PROGRAM : OT_CAT_MODE;
		if (ci == 5)
			proto = rand() % 2 ? OT_PROTO_MODBUS : OT_PROTO_DNP3;
		else if (rand() % 12 == 0)
			proto = (enum ot_proto)0;
		r = rand() % 20;
		ev_init(&ev, &f, proto, r < 9 ? OT_DIR_REQUEST : r < 18 ? OT_DIR_RESPONSE : OT_DIR_UNSOLICITED,
			ci == 1 ? rand() % 40 : rand() % 3, cat);
		if (ci != 5 && rand() % 15 == 0)
			ev.from_client = !ev.from_client;
		ev.unit = ci == 2 ? rand() % 50 : rand() % 2;
		ev.status = rand() % (ci == 3 ? 2 : 50) == 0 ? 1 : 0;
		if (ci != 5 && rand() % 50 == 0) {
			ev.conn.what = OT_CONN_OPENED;
			ev.conn.transport_class = (uint8_t)(rand() % 3);
		}
		if (rand() % 200 == 0)
			ev.kind = OT_EV_ANOMALY;
		inventory_event(inv, &ev);
		tick(0.001);
		ends[0] = f.cli_mac;
		ends[1] = f.srv_mac;
		check_roles(inv, ev.kind == OT_EV_ANOMALY ? NULL : ends, seen, i);
	}
	/* the traffic reached the roles whose thresholds the skip reasons about */
	ck_assert_int_gt(seen[INV_ROLE_SCANNER], 0);
	ck_assert_int_gt(seen[INV_ROLE_ENGINEERING], 0);
	ck_assert_int_gt(seen[INV_ROLE_HISTORIAN], 0);
	ck_assert_int_gt(seen[INV_ROLE_PLC], 0);
	ck_assert_int_gt(seen[INV_ROLE_HMI], 0);
	ck_assert_int_gt(seen[INV_ROLE_ROUTER], 0);
	inventory_free(inv);
}
END_TEST

/*
 * An asset's and an address record's last_seen is the latest packet's
 * time, with the capture's clock going back now and then: packets no
 * earlier than every packet before them store their time without a
 * compare (ts_raise()), the others compare.
 */
START_TEST(last_seen_with_time_going_back)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct timeval want[8];
	int i, k;

	memset(want, 0, sizeof(want));
	srand(5);
	for (i = 0; i < 4000; i++) {
		int c = rand() % 4, s = 4 + rand() % 4, dir = rand() % 2;
		char a[32], b[32];
		struct flow f;

		/* forward, and now and then up to 0.3 s back */
		tick(rand() % 5 ? 0.001 * (rand() % 50) : 0);
		if (rand() % 20 == 0) {
			long back = rand() % 300000;

			now_ts.tv_sec -= back / 1000000 + 1;
			now_ts.tv_usec += 1000000 - back % 1000000;
			if (now_ts.tv_usec >= 1000000) {
				now_ts.tv_sec++;
				now_ts.tv_usec -= 1000000;
			}
		}
		snprintf(a, sizeof(a), "10.9.0.%d", 1 + c);
		snprintf(b, sizeof(b), "10.9.0.%d", 1 + s);
		f = mk_flow(a, (uint32_t)(900 + c), b, (uint32_t)(900 + s), IPPROTO_TCP, 502);
		packet(inv, &f, dir, 60);
		for (k = 0; k < 2; k++) {
			int h = k ? s : c;
			const struct asset *x;
			struct inventory_asset_info ai;

			if (timercmp(&now_ts, &want[h], >))
				want[h] = now_ts;
			ck_assert_int_eq(inventory_find_mac(inv, k ? f.srv_mac : f.cli_mac, &ai), 0);
			ck_assert_msg(!timercmp(&ai.last_seen, &want[h], !=),
				      "packet %d: host %d last seen %ld.%06ld, want %ld.%06ld", i, h,
				      (long)ai.last_seen.tv_sec, (long)ai.last_seen.tv_usec,
				      (long)want[h].tv_sec, (long)want[h].tv_usec);
			x = asset_rec(inv, ai.id);
			ck_assert_ptr_nonnull(x);
			ck_assert_ptr_nonnull(x->ips);
			ck_assert(!timercmp(&x->ips->last, &want[h], !=));
		}
	}
	inventory_free(inv);
}
END_TEST

/* The asset keyed by this IP address (one seen without MAC addresses). */
static const struct asset *asset_keyed_by_ip(const struct inventory *inv, const char *ip)
{
	const struct asset *a;
	struct ot_ip x;

	ck_assert_int_eq(ot_ip_parse(ip, &x), 0);
	for (a = ASSET_OF(inv->assets.first); a; a = ASSET_OF(a->lru.next))
		if (!a->key_is_mac && ot_ip_cmp(&a->key_ip, &x) == 0)
			return a;
	return NULL;
}

/* Asset a sent and received these packets, and so did its one record. */
static void check_counts(const struct asset *a, uint64_t sent, uint64_t recv)
{
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->pkts[0], sent);
	ck_assert_uint_eq(a->pkts[1], recv);
	ck_assert_uint_eq(a->n_ips, 1);
	ck_assert_uint_eq(a->ips->pkts[0], sent);
	ck_assert_uint_eq(a->ips->pkts[1], recv);
}

/*
 * A flow seen on three segments: each end shows up behind a different MAC
 * address on each (the sender, then routers), in runs, by turns or at
 * random, and now and then without MAC addresses at all.  The flow
 * remembers two answers an end and one a direction (its slot's memos);
 * whatever it remembers, every packet counts on the asset of its own MAC
 * address (or IP address) and that asset's record of the IP address, as
 * look-ups in the tables would give.
 */
START_TEST(flow_end_behind_several_macs)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	/* [end][mac 0..2, 3: none][0 sent, 1 received] */
	uint64_t n[2][4][2];
	struct flow f = mk_flow("10.7.0.1", 701, "10.7.1.1", 801, IPPROTO_TCP, 502);
	int i, k, e;

	memset(n, 0, sizeof(n));
	srand(3);
	for (i = 0; i < 4000; i++) {
		int cm = i < 1000 ? i % 2 : rand() % 3, sm = i < 1000 ? cm : rand() % 3;
		int dir = rand() % 2, bare = i >= 2000 && rand() % 5 == 0;

		mac_of((uint32_t)(701 + cm), f.cli_mac);
		mac_of((uint32_t)(801 + sm), f.srv_mac);
		f.has_mac = !bare;
		packet(inv, &f, dir, 60);
		if (bare)
			cm = sm = 3;
		n[0][cm][dir]++;
		n[1][sm][!dir]++;
		tick(0.001);
	}
	for (e = 0; e < 2; e++)
		for (k = 0; k < 3; k++) {
			uint8_t mac[6];
			struct inventory_asset_info ai;

			mac_of((uint32_t)((e ? 801 : 701) + k), mac);
			ck_assert_int_eq(inventory_find_mac(inv, mac, &ai), 0);
			check_counts(asset_rec(inv, ai.id), n[e][k][0], n[e][k][1]);
		}
	check_counts(asset_keyed_by_ip(inv, "10.7.0.1"), n[0][3][0], n[0][3][1]);
	check_counts(asset_keyed_by_ip(inv, "10.7.1.1"), n[1][3][0], n[1][3][1]);
	inventory_free(inv);
}
END_TEST

/* Labels are copied as snprintf("%s") would: whole, or cut to the size
 * with the terminating NUL, the rest of the buffer left alone. */
START_TEST(label_copy_as_snprintf)
{
	char src[64], want[GRAPH_LABEL_LEN + 8], got[GRAPH_LABEL_LEN + 8];
	size_t len, size;

	for (len = 0; len < sizeof(src); len++) {
		memset(src, 0, sizeof(src));
		memset(src, 'a', len);
		if (len)
			src[len - 1] = 'z';
		for (size = 1; size <= GRAPH_LABEL_LEN; size++) {
			memset(want, 0x5a, sizeof(want));
			memset(got, 0x5a, sizeof(got));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-truncation"
			snprintf(want, size, "%s", src);        /* cut on purpose */
#pragma GCC diagnostic pop
			graph_label_copy(got, size, src);
			ck_assert_msg(memcmp(want, got, sizeof(want)) == 0,
				      "label of %zu bytes into %zu", len, size);
		}
	}
}
END_TEST

/* Every OT address an asset is addressed by is kept once, whichever was
 * seen last (the one found or added last is tried first). */
START_TEST(ot_addresses_each_once)
{
	struct inventory *inv = mk_inv(0, 0, NULL);
	struct flow f = mk_flow("10.8.0.1", 81, "10.8.0.2", 82, IPPROTO_TCP, 102);
	int seen[2][2][4][4];   /* [proto][unit 0 / rack-slot 1][a][b] */
	struct inventory_asset_info ai;
	const struct asset *srv;
	int i, n = 0, k;

	memset(seen, 0, sizeof(seen));
	srand(9);
	for (i = 0; i < 3000; i++) {
		struct ot_event ev;
		int pr = rand() % 2, rs = rand() % 2, x = rand() % (rs ? 2 : 4), y = rs ? rand() % 2 : 0;

		if (i < 16) {
			/* first each address new, after one differing from it
			 * in one part only: the unit, the slot, the protocol */
			static const int8_t first[16][4] = {
				{ 0, 0, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 2, 0 }, { 0, 0, 3, 0 },
				{ 1, 0, 3, 0 }, { 1, 0, 2, 0 }, { 1, 0, 1, 0 }, { 1, 0, 0, 0 },
				{ 0, 1, 0, 0 }, { 0, 1, 0, 1 }, { 1, 1, 0, 1 }, { 1, 1, 0, 0 },
				{ 0, 1, 1, 0 }, { 0, 1, 1, 1 }, { 1, 1, 1, 1 }, { 1, 1, 1, 0 },
			};

			pr = first[i][0];
			rs = first[i][1];
			x = first[i][2];
			y = first[i][3];
		}

		ev_init(&ev, &f, pr ? OT_PROTO_S7COMM : OT_PROTO_MODBUS, OT_DIR_REQUEST, 1, OT_CAT_READ);
		if (rs) {
			ev.rack = x;
			ev.slot = y;
		} else {
			ev.unit = x;
		}
		packet(inv, &f, 0, 60);
		inventory_event(inv, &ev);
		n += !seen[pr][rs][x][y];
		seen[pr][rs][x][y] = 1;
		tick(0.001);
		/* the address is there at once */
		ck_assert_int_eq(inventory_find_mac(inv, f.srv_mac, &ai), 0);
		srv = asset_rec(inv, ai.id);
		ck_assert_ptr_nonnull(srv);
		for (k = 0; k < srv->n_addrs; k++)
			if (srv->addrs[k].proto == ev.proto && srv->addrs[k].kind == (rs ? ADDR_RACK_SLOT : ADDR_UNIT) &&
			    srv->addrs[k].a == x && srv->addrs[k].b == (rs ? y : -1))
				break;
		ck_assert_msg(k < srv->n_addrs, "event %d: address not kept", i);
	}
	ck_assert_int_le(n, INV_MAX_ADDRS);
	ck_assert_int_eq(srv->n_addrs, n);
	for (k = 0; k < srv->n_addrs; k++) {
		const struct inv_addr *d = &srv->addrs[k];
		int pr = d->proto == OT_PROTO_S7COMM, rs = d->kind == ADDR_RACK_SLOT;

		ck_assert_int_eq(seen[pr][rs][d->a][rs ? d->b : 0], 1);
		seen[pr][rs][d->a][rs ? d->b : 0] = 2;  /* not twice */
	}
	inventory_free(inv);
}
END_TEST

/* Random packets and events, with out-of-range fields, never crash and keep
 * the caps (run under the sanitizer build too). */
START_TEST(random_inputs_never_crash)
{
	struct inventory *inv = mk_inv(64, 64, NULL);
	struct inventory_stats st;
	json_t *doc;
	int i, k;

	srand(11);
	for (i = 0; i < 20000; i++) {
		char a[32], b[32];
		struct flow f;
		struct ot_event ev;
		uint8_t raw[OT_IDENT_LEN + 8];

		snprintf(a, sizeof(a), "10.%d.0.%d", rand() % 3, rand() % 40);
		snprintf(b, sizeof(b), "10.%d.0.%d", rand() % 3, rand() % 40);
		f = mk_flow(a, (uint32_t)(rand() % 50), b, (uint32_t)(rand() % 50),
			    rand() % 2 ? IPPROTO_TCP : IPPROTO_UDP, (uint16_t)(rand() % 3 ? 502 : rand()));
		if (rand() % 4 == 0)
			f.ot_proto = rand() % 2 ? "modbus" : "bogus";
		if (rand() % 4 == 0)
			snprintf(f.app_proto, sizeof(f.app_proto), "%s", rand() % 2 ? "HTTP" : "DNP3");
		f.nvlan = 0;
		packet(inv, &f, rand() % 2, (uint32_t)rand() % 1500);
		ev_init(&ev, &f, (enum ot_proto)(rand() % (OT_PROTO_COUNT + 2)),
			(enum ot_dir)(rand() % 5), rand() % 300 - 20,
			(enum ot_category)(rand() % (OT_CAT_COUNT + 3)));
		ev.kind = (enum ot_kind)(rand() % 3);
		ev.from_client = (uint8_t)(rand() % 2);
		ev.unit = rand() % 300 - 10;
		ev.link_src = rand() % 70000 - 10;
		ev.link_dst = rand() % 70000 - 10;
		ev.rack = rand() % 10 - 2;
		ev.slot = rand() % 10 - 2;
		ev.status = rand() % 5 - 1;
		ev.subfunc = rand() % 5 - 1;
		for (k = rand() % 20; k > 0; k--)
			ot_range_add(&ev, (enum ot_space)(rand() % 256),
				     (uint16_t)rand(), (uint8_t)rand(), (uint32_t)rand() * 2u,
				     (uint32_t)rand());
		for (k = rand() % 14; k > 0; k--) {
			size_t n;

			for (n = 0; n < sizeof(raw); n++)
				raw[n] = (uint8_t)rand();
			ot_ident_add(&ev, (enum ot_ident_key)(rand() % OT_ID_COUNT), raw,
				     (size_t)rand() % sizeof(raw));
		}
		inventory_event(inv, &ev);
		if (i % 5000 == 0)
			inventory_flow_end(inv, &f);
		tick(0.001);
	}
	inventory_get_stats(inv, &st);
	ck_assert_uint_le(st.assets, 64);
	ck_assert_uint_le(st.edges, 64);
	doc = inventory_json(inv);
	ck_assert_ptr_nonnull(doc);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "assets")), st.assets);
	json_decref(doc);
	inventory_free(inv);
}
END_TEST

static Suite *inventory_suite(void)
{
	Suite *s = suite_create("inventory");
	TCase *tc = tcase_create("assets");

	tcase_add_test(tc, roles_master_and_outstation);
	tcase_add_test(tc, roles_engineering_scanner_it_router);
	tcase_add_test(tc, many_errors_make_a_scanner);
	tcase_add_test(tc, sweep_versus_big_master);
	tcase_add_test(tc, role_skip_matches_full_inference);
	tcase_add_test(tc, last_seen_with_time_going_back);
	tcase_add_test(tc, flow_end_behind_several_macs);
	tcase_add_test(tc, label_copy_as_snprintf);
	tcase_add_test(tc, ot_addresses_each_once);
	tcase_add_test(tc, identity_merging);
	tcase_add_test(tc, dnp3_link_addresses_and_s7_rack_slot);
	tcase_add_test(tc, two_ot_protocols_on_one_port);
	tcase_add_test(tc, iec104_stations_and_ioa_ranges);
	tcase_add_test(tc, ip_moves_to_new_mac);
	tcase_add_test(tc, vlans_and_no_mac);
	suite_add_tcase(s, tc);
	tc = tcase_create("bounds");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, spoofed_flood_stays_within_caps);
	tcase_add_test(tc, flow_memory_follows_evictions);
	tcase_add_test(tc, edge_label_follows_each_flow);
	tcase_add_test(tc, edge_labels_of_a_flow_on_two_edges);
	tcase_add_test(tc, random_inputs_never_crash);
	suite_add_tcase(s, tc);
	tc = tcase_create("graph_and_files");
	tcase_add_test(tc, graph_ranges_periods_ops);
	tcase_add_test(tc, atomic_writes_and_graphs);
	tcase_add_test(tc, report_mentions_what_matters);
	tcase_add_test(tc, attach_errors_and_live_snapshots);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(inventory_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
