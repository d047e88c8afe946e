/*
 * check_s7comm.c - the S7comm dissector: TPKT/COTP framing and reassembly,
 * every S7 function with request and response bytes, userdata and SZL
 * identity, S7comm-plus recognition, truncated and malformed input, limits.
 *
 * Most vectors are payloads of public captures (gymgit/s7-pcaps,
 * cisagov/icsnpp-s7comm, Wireshark sample captures) as shown by tshark.
 *
 * Events come through the shared recorder (tests/lib/recorder.h).  Values
 * the record holds are asserted on struct s7comm_record; the log's object
 * is asserted where the point is what the log writes: names, packet text,
 * the rack/slot it takes from the event, the per-line value cap.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dissector.h"
#include "jw.h"
#include "s7comm.h"
#include "recorder.h"

extern const struct dissector s7comm_dissector;

#define MAX_REC 256

static struct recorder rec;
static struct dissect_ctx ctx;
static void *st;

static void setup(void)
{
	recorder_start(&rec, &s7comm_dissector, sizeof(struct s7comm_record), MAX_REC, &ctx);
	st = s7comm_dissector.state_new(&rec.lim);
	ck_assert_ptr_nonnull(st);
}

static void teardown(void)
{
	s7comm_dissector.state_free(st);
	st = NULL;
	recorder_clear(&rec);
}

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (h[0] && h[1] && n < cap) {
		unsigned v;
		sscanf(h, "%2x", &v);
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

/* Feed hex bytes from the client (1) or the server (0). */
static void feed(int from_client, const char *hex)
{
	static uint8_t b[8192];
	size_t n = unhex(hex, b, sizeof(b));

	ctx.from_client = (uint8_t)from_client;
	ctx.ts.tv_usec += 1000;
	s7comm_dissector.parse(&ctx, st, b, n);
}

/* The last message event. */
static const struct recorded *last_msg(void)
{
	return recorder_msg(&rec, rec.n_msg - 1);
}

/* The S7 record of an event (its scalars: pointers died at emit). */
static const struct s7comm_record *s7(const struct recorded *r)
{
	ck_assert_ptr_nonnull(r->ev.record);
	return r->ev.record;
}

static long long jint(const struct recorded *r, const char *key)
{
	json_t *v = r->obj ? json_object_get(r->obj, key) : NULL;

	ck_assert_msg(v != NULL, "missing %s", key);
	return json_integer_value(v);
}

static const char *jstr(const struct recorded *r, const char *key)
{
	json_t *v = r->obj ? json_object_get(r->obj, key) : NULL;

	ck_assert_msg(v != NULL, "missing %s", key);
	return json_string_value(v);
}

/* ---- vectors ---- */

#define CR_0101 "0300001611e00000000100c0010ac1020100c2020101"
#define CC_0101 "0300001611d00001000100c0010ac1020100c2020101"
#define SETUP_REQ "0300001902f08032010000000000080000f0000001000101e0"
#define SETUP_RES "0300001b02f080320300000000000800000000f0000001000101e0"
#define READ_REQ "0300001f02f080320100001900000e00000401120a10080001000083000080"
#define READ_RES "0300001d02f0803203000019000002000800000401ff07000400000000"
#define WRITE_REQ "0300002702f080320100001800000e00080501120a100800010000830000800007000479e9f642"
#define WRITE_RES "0300001602f0803203000018000002000100000501ff"
#define READ5_REQ "0300004f02f080320100000a00003e00000405120a10020010000083000000120a10020010000081000000120a10020010000082000000120a101d000800001d000000120a101c000800001c000000"
#define READ5_RES "0300002902f080320300000a0000020014000004050a0000040a0000040a0000040a0000040a000004"
#define STOP_REQ "0300002102f080320100001c000010000029000000000009505f50524f4752414d"
#define STOP_RES "0300001402f080320300001c0000010000000029"
#define PI_MODU_REQ "0300002302f080320100001d000012000028000000000000fd00024550055f4d4f4455"
#define PI_MODU_RES "0300001402f080320300001d0000010000000028"
#define PI_START_REQ "0300002702f080320100001f000016000028000000000000fd0002432009505f50524f4752414d"
#define PI_INSE_REQ "0300002b02f080320100000f00001a000028000000000000fd000a01003041303030303150055f494e5345"
#define UPSTART_REQ "0300002302f080320100000800001200001d00000000000000095f3042303030303041"
#define UPSTART_RES "0300002302f0803203000008000010000000001d000100000000070730303030323136"
#define UPLOAD_REQ "0300001902f080320100000900000800001e00000000000007"
#define UPEND_REQ "0300001902f080320100000a00000800001f00000000000007"
#define UPEND_RES "0300001402f080320300000a000001000000001f"
#define UPSTART_NACK "0300001302f08032020000150000000000d20c"
#define UPSTART_OB_REQ "0300002302f080320100001500001200001d00000000000000095f3038303030303041"
#define REQDL_REQ "0300003102f080320100000e00002000001a00010000000000095f30413030303031500d31303030353030303030343030"
#define REQDL_RES "0300001402f080320300000e000001000000001a"
#define DLBLOCK_REQ "0300002302f080320100000100001200001b00000000000000095f3041303030303150"
#define DLEND_REQ "0300002302f080320100000700001200001c00000000000000095f3041303030303150"
#define SZL11_REQ "0300002102f080320700000100000800080001120411440100ff09000400110000"
#define SZL11_RES "0300009902f080320700000100000c007c000112081284010000000000ff09007800110000001c0004000136455337203331352d32454831342d304142302000c000040001000636455337203331352d32454831342d304142302000c0000400010007202020202020202020202020202020202020202000c0560302060081426f6f74204c6f61646572202020202020202020000041200909"
#define SZL1C_REQ "0300002102f080320700000200000800080001120411440100ff090004001c0000"
#define SZL1C_RES "0300017d02f080320700000200000c0160000112081284010000000000ff09015c001c00000022000a0001534e4150372d53455256455200000000000000000000000000000000000000000002435055203331352d3220504e2f445000000000000000000000000000000000000003000000000000000000000000000000000000000000000000000000000000000000044f726967696e616c205369656d656e732045717569706d656e7400000000000000055320432d433255523238393232303132000000000000000000000000000000000007435055203331352d3220504e2f4450000000000000000000000000000000000000084d4d4320323637464631314600000000000000000000000000000000000000000009002af60000010000000000000000000000000000000000000000000000000000000a0000000000000000000000000000000000000000000000000000000000000000000b0000000000000000000000000000000000000000000000000000000000000000"
#define SZL424_REQ "0300002102f080320700000400000800080001120411440100ff09000404240000"
#define SZL424_RES "0300003d02f080320700000400000c0020000112081284010000000000ff09001c04240000001400015144ff0800000000000000002410042124250005"
/* 0x001C answer in two pieces (snap7 server) */
#define SZL1C_P1_REQ "0300002102f080320700000200000800080001120411440100ff090004001c0000"
#define SZL1C_P1_RES "030000f702f080320700000200000c00da0001120812840102d5010000ff0900d6001c00000022000a000153373330302f45543230304d2073746174696f6e5f31000000000000000000000002504c435f310000000000000000000000000000000000000000000000000000000003000000000000000000000000000000000000000000000000000000000000000000044f726967696e616c205369656d656e732045717569706d656e7400000000000000055320432d423155333933313432303131000000000000000000000000000000000007435055203331352d3220504e2f445000000000000000000000000000000000000008"
#define SZL1C_P2_REQ "0300002102f080320700000300000c00040001120812440102000000000a000000"
#define SZL1C_P2_RES "030000a702f080320700000300000c008a0001120812840102d5000000ff0900864d4d4320344131414330313900000000000000000000000000000000000000000009002af60000010000000000000000000000000000000000000000000000000000000a0000000000000000000000000000000000000000000000000000000000000000000b0000000000000000000000000000000000000000000000000000000000000000"
#define PASSWORD_REQ "0300002502f0803207000006000008000c0001120411450100ff090008213a1b1d6e681b1d"
#define PASSWORD_RES "0300002102f080320700000600000c00040001120812850101000000000a000000"
#define CLOCK_REQ "0300001d02f0803207000016000008000400011204114701000a000000"
#define CLOCK_RES "0300002b02f080320700001600000c000e000112081287010200000000ff09000a00191602081451379162"
#define SETCLOCK_REQ "0300002702f0803207000017000008000e0001120411470200ff09000a00191602082308100002"
#define LISTBLK_REQ "0300001d02f0803207000007000008000400011204114301000a000000"
#define LISTBLK_RES "0300003d02f080320700000700000c0020000112081283010000000000ff09001c30380001304500013043000030410002304200083044004d3046000f"
#define BLKINFO_REQ "0300002502f080320700000b000008000c0001120411430300ff0900083041303030303041"
#define PLUS_V1_CREATE "0300002202f080720100ca31000004ca0000000100000120360000011d0004000000"
#define PLUS_V2_SETMULTI_RES "0300001f02f080720200103200000542000000023400000000000072020000"
#define PLUS_V3_SETVAR "0300004a02f0807203005920e969a95a852ab0e288480ccecb618e48779f4b68a1ce9a9c42cd6aa53680068331000004f20000831a70000e4d7470000e5101881d000700ce000004e889"
#define PLUS_V3_NOTIFY "0300004902f0807203004c20858c8cc6515200791f6d4a7e8f8e05e765695838645e875af747f0fd2c904e743370000e51040000000000d28ec151019200000019000e417e964c9200"

/* ---- framing ---- */

START_TEST(cotp_connect_gives_rack_slot)
{
	const struct recorded *r;

	feed(1, CR_0101);
	feed(0, CC_0101);
	ck_assert_int_eq(rec.n_session, 2);
	ck_assert_int_eq(rec.ev[0].ev.rack, 0);
	ck_assert_int_eq(rec.ev[0].ev.slot, 1);
	ck_assert_int_eq(rec.ev[0].ev.func, 0xe0);
	ck_assert_int_eq(rec.ev[0].ev.dir, OT_DIR_REQUEST);
	ck_assert_int_eq(rec.ev[1].ev.dir, OT_DIR_RESPONSE);
	ck_assert_uint_eq(s7(&rec.ev[0])->tpdu_size, 1024);
	ck_assert_str_eq(json_string_value(json_object_get(
		json_object_get(rec.ev[0].obj, "cotp"), "called_tsap")), "0101");
	feed(1, SETUP_REQ);
	r = last_msg();
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->ev.rack, 0);
	ck_assert_int_eq(r->ev.slot, 1);
	ck_assert_int_eq(jint(r, "slot"), 1);
}
END_TEST

START_TEST(tsap_rack_slot_bits)
{
	/* called TSAP 0x0123: rack 1 (0x23 >> 5), slot 3 */
	feed(1, "0300001611e00000000100c0010ac1020100c2020123");
	ck_assert_int_eq(rec.ev[0].ev.rack, 1);
	ck_assert_int_eq(rec.ev[0].ev.slot, 3);
}
END_TEST

START_TEST(several_tpkts_in_one_segment)
{
	feed(1, SETUP_REQ READ_REQ WRITE_REQ);
	ck_assert_int_eq(rec.n_msg, 3);
	ck_assert_int_eq(rec.ev[0].ev.func, 0xf0);
	ck_assert_int_eq(rec.ev[1].ev.func, 0x04);
	ck_assert_int_eq(rec.ev[2].ev.func, 0x05);
	ck_assert_int_eq(rec.n_anom, 0);
}
END_TEST

START_TEST(tpkt_split_byte_by_byte)
{
	uint8_t b[256];
	size_t n = unhex(READ_REQ SETUP_REQ, b, sizeof(b)), i;

	ctx.from_client = 1;
	for (i = 0; i < n; i++)
		s7comm_dissector.parse(&ctx, st, b + i, 1);
	ck_assert_int_eq(rec.n_msg, 2);
	ck_assert_int_eq(rec.ev[0].ev.func, 0x04);
	ck_assert_int_eq(rec.ev[1].ev.func, 0xf0);
	ck_assert_int_eq(rec.n_anom, 0);
}
END_TEST

START_TEST(cotp_multi_tpdu_reassembly)
{
	/* READ_REQ's S7 PDU (24 bytes) in three DT TPDUs, EOT on the last,
	 * with an empty non-EOT DT keep-alive in between */
	feed(1, "0300000f02f000" "320100001900000e");
	feed(1, "0300000702f000");
	feed(1, "0300000f02f000" "00000401120a1008");
	ck_assert_int_eq(rec.n_msg, 0);
	feed(1, "0300000f02f080" "0001000083000080");
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(rec.ev[0].ev.func, 0x04);
	ck_assert_int_eq(rec.ev[0].ev.n_ranges, 1);
	ck_assert_int_eq(rec.n_anom, 0);
}
END_TEST

START_TEST(cotp_reassembly_limit)
{
	int i;

	rec.lim.max_reassembly = 64;
	for (i = 0; i < 10; i++)
		feed(1, "0300000f02f000" "0001000083000080");
	ck_assert_int_ge(recorder_anomalies(&rec, "cotp_reassembly_overflow"), 1);
	feed(1, "0300000f02f080" "0001000083000080");
	ck_assert_int_eq(rec.n_msg, 0);
	/* the next message decodes again */
	feed(1, READ_REQ);
	ck_assert_int_eq(rec.n_msg, 1);
}
END_TEST

START_TEST(gap_resynchronises)
{
	feed(1, "0300001f02f0803201000019");     /* partial TPKT */
	s7comm_dissector.gap(&ctx, st, 100);
	feed(1, SETUP_REQ);
	ck_assert_int_eq(rec.n_msg, 1);
	ck_assert_int_eq(rec.ev[rec.n - 1].ev.func, 0xf0);
}
END_TEST

/* ---- jobs and acks ---- */

START_TEST(setup_communication)
{
	const struct recorded *r;

	feed(1, SETUP_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.dir, OT_DIR_REQUEST);
	ck_assert_int_eq(r->ev.cat, OT_CAT_SESSION);
	ck_assert_int_eq(s7(r)->rosctr, S7_ROSCTR_JOB);
	ck_assert_str_eq(jstr(r, "rosctr_name"), "job");
	ck_assert_str_eq(jstr(r, "function_name"), "setup_communication");
	ck_assert_int_eq(s7(r)->pdu_size, 480);
	ck_assert_int_eq(s7(r)->max_amq_calling, 1);
	feed(0, SETUP_RES);
	r = last_msg();
	ck_assert_int_eq(r->ev.dir, OT_DIR_RESPONSE);
	ck_assert_int_eq(r->ev.status, 0);
	ck_assert(r->ev.rtt >= 0.0);
	ck_assert((s7(r)->has & S7H_ERROR) && s7(r)->error_class == 0);
	ck_assert_int_eq(s7(r)->pdu_size, 480);
}
END_TEST

START_TEST(read_var_single)
{
	const struct recorded *r;
	json_t *it;

	feed(1, READ_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.func, 4);
	ck_assert_int_eq(r->ev.cat, OT_CAT_READ);
	ck_assert_int_eq(r->ev.txn, 0x1900);
	ck_assert_int_eq(r->ev.n_ranges, 1);
	ck_assert_int_eq(r->ev.ranges[0].space, OT_SPACE_S7_FLAGS);
	ck_assert_int_eq(r->ev.ranges[0].start, 0x80);     /* MB16 -> bit 128 */
	ck_assert_int_eq(r->ev.ranges[0].count, 32);       /* one REAL */
	it = json_array_get(json_object_get(r->obj, "items"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(it, "area_name")), "flags");
	ck_assert_int_eq(json_integer_value(json_object_get(it, "byte")), 16);
	ck_assert_int_eq(json_integer_value(json_object_get(it, "bit")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(it, "transport_size_name")), "real");
	/* the record the log wrote that from */
	ck_assert_ptr_nonnull(r->ev.record);
	ck_assert_int_eq(s7(r)->kind, S7R_PDU);
	ck_assert_int_eq(s7(r)->rosctr, S7_ROSCTR_JOB);
	ck_assert(s7(r)->has & S7H_ITEMS);
	ck_assert_int_eq(s7(r)->item_count, 1);
	ck_assert_int_eq(s7(r)->n_items, 1);
	ck_assert(s7(r)->items[0].has_spec && s7(r)->items[0].s7any);
	ck_assert_int_eq(s7(r)->items[0].spec.area, 0x83);
	ck_assert_int_eq(s7(r)->items[0].spec.tsize, 0x08);
	ck_assert_int_eq(s7(r)->items[0].spec.addr, 0x80);
	ck_assert(!s7(r)->items[0].has_data);
	feed(0, READ_RES);
	r = last_msg();
	ck_assert_int_eq(r->ev.dir, OT_DIR_RESPONSE);
	ck_assert_int_eq(r->ev.n_values, 1);
	ck_assert(r->ev.values[0].value == 0.0);
	ck_assert_int_eq(r->ev.values[0].index, 0x80);
	ck_assert_int_eq(r->ev.n_ranges, 1);
	it = json_array_get(json_object_get(r->obj, "items"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(it, "return_code_name")), "success");
	ck_assert_int_eq(s7(r)->rosctr, S7_ROSCTR_ACK_DATA);
	ck_assert(s7(r)->has & S7H_ERROR);
	ck_assert(s7(r)->items[0].has_rc && s7(r)->items[0].has_values);
	ck_assert_int_eq(s7(r)->items[0].rc, 0xff);
	ck_assert_int_eq(s7(r)->items[0].data_len, 4);
	ck_assert(s7(r)->items[0].typed);       /* typed by the request's REAL */
	ck_assert_int_eq(s7(r)->items[0].type.tsize, 0x08);
}
END_TEST

START_TEST(read_var_five_items_errors)
{
	const struct recorded *r;
	json_t *items;

	feed(1, READ5_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.n_ranges, 5);
	ck_assert_int_eq(r->ev.ranges[0].space, OT_SPACE_S7_FLAGS);
	ck_assert_int_eq(r->ev.ranges[0].count, 16 * 8);
	ck_assert_int_eq(r->ev.ranges[1].space, OT_SPACE_S7_INPUTS);
	ck_assert_int_eq(r->ev.ranges[2].space, OT_SPACE_S7_OUTPUTS);
	ck_assert_int_eq(r->ev.ranges[3].space, OT_SPACE_S7_TIMER);
	ck_assert_int_eq(r->ev.ranges[3].count, 8);        /* 8 timers */
	ck_assert_int_eq(r->ev.ranges[4].space, OT_SPACE_S7_COUNTER);
	feed(0, READ5_RES);
	r = last_msg();
	ck_assert_int_eq(r->ev.status, 0x0a);              /* object does not exist */
	ck_assert_int_eq(s7(r)->n_items, 5);
	items = json_object_get(r->obj, "items");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 4),
		"return_code_name")), "object_does_not_exist");
	ck_assert_int_eq(rec.n_anom, 0);
}
END_TEST

START_TEST(write_var)
{
	const struct recorded *r;

	feed(1, WRITE_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.cat, OT_CAT_WRITE);
	ck_assert_int_eq(r->ev.n_values, 1);
	ck_assert_int_eq(r->ev.values[0].space, OT_SPACE_S7_FLAGS);
	/* 0x79e9f642 as an IEEE float */
	ck_assert(r->ev.values[0].value > 1.5e35 && r->ev.values[0].value < 1.6e35);
	feed(0, WRITE_RES);
	r = last_msg();
	ck_assert_int_eq(r->ev.func, 5);
	ck_assert_int_eq(r->ev.status, 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
		json_object_get(r->obj, "items"), 0), "return_code_name")), "success");
}
END_TEST

START_TEST(write_var_db_bytes)
{
	const struct recorded *r;

	/* DB5.DBB10, 3 bytes 01 02 03 */
	feed(1, "0300002602f080320100000042000e000705" "01120a10020003000584000050" "00040018010203");
	r = last_msg();
	ck_assert_int_eq(r->ev.n_ranges, 1);
	ck_assert_int_eq(r->ev.ranges[0].space, OT_SPACE_S7_DB);
	ck_assert_int_eq(r->ev.ranges[0].block, 5);
	ck_assert_int_eq(r->ev.ranges[0].start, 80);
	ck_assert_int_eq(r->ev.ranges[0].count, 24);
	ck_assert_int_eq(r->ev.n_values, 3);
	ck_assert(r->ev.values[2].value == 3.0);
	ck_assert_int_eq(r->ev.values[2].index, 96);
	ck_assert_int_eq(r->ev.values[2].block, 5);
}
END_TEST

START_TEST(values_are_capped)
{
	char hex[512];
	const struct recorded *r;
	int i;

	/* DB1.DBB0, 100 bytes written: 32 values in the event, 5 in the line */
	rec.lim.max_log_values = 5;
	strcpy(hex, "0300008702f08032010000005000" "0e0068" "0501120a1002006400018400000000040320");
	for (i = 0; i < 100; i++)
		sprintf(hex + strlen(hex), "%02x", i);
	feed(1, hex);
	r = last_msg();
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->ev.n_values, OT_MAX_VALUES);
	ck_assert(r->ev.truncated);
	ck_assert(r->ev.values[31].value == 31.0);
	ck_assert_int_eq(r->ev.values[31].index, 31 * 8);
	ck_assert_int_eq(json_array_size(json_object_get(json_array_get(
		json_object_get(r->obj, "items"), 0), "values")), 5);
	ck_assert_int_eq(rec.n_anom, 0);
}
END_TEST

START_TEST(more_items_and_blocks)
{
	const struct recorded *r;
	json_t *items;

	/* write MB0 (1 byte, then a fill byte) and DI7.DBW2 (word), PIW4 read */
	feed(1, "0300003702f080" "320100000043001a000c" "0502"
	     "120a10020001000083000000" "120a10040001000785000010"
	     "000400085a00" "00040010beef");
	r = last_msg();
	ck_assert_int_eq(rec.n_anom, 0);
	ck_assert_int_eq(r->ev.n_ranges, 2);
	ck_assert_int_eq(r->ev.ranges[1].space, OT_SPACE_S7_DI);
	ck_assert_int_eq(r->ev.ranges[1].block, 7);
	ck_assert_int_eq(r->ev.n_values, 2);
	ck_assert(r->ev.values[0].value == 0x5a);
	ck_assert(r->ev.values[1].value == 0xbeef);
	ck_assert_int_eq(r->ev.values[1].index, 16);
	/* one item refused */
	feed(0, "0300001702f080" "320300000043000200020000" "0502ff05");
	r = last_msg();
	ck_assert_int_eq(r->ev.status, 5);
	items = json_object_get(r->obj, "items");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 1),
		"return_code_name")), "invalid_address");
	/* download block answer: the block length */
	feed(0, "0300005102f0803203000005000002003c00001b00003800fb0401100c010000c7000504010000010100000052545749000000000054657374484d490044415441444200000100c0df0000000000000000");
	r = last_msg();
	ck_assert_int_eq(r->ev.func, 0x1b);
	ck_assert_uint_eq(s7(r)->blocklength, 0x38);
	/* compress memory */
	feed(1, "0300002102f080320100001e000010000028000000000000fd0000055f47415242");
	r = last_msg();
	ck_assert_int_eq(r->ev.subfunc, 5);
	ck_assert_int_eq(r->ev.cat, OT_CAT_PROGRAM);
}
END_TEST

START_TEST(plc_stop)
{
	const struct recorded *r;

	feed(1, STOP_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.func, 0x29);
	ck_assert_int_eq(r->ev.cat, OT_CAT_MODE);
	ck_assert_str_eq(jstr(r, "pi_service"), "P_PROGRAM");
	feed(0, STOP_RES);
	r = last_msg();
	ck_assert_int_eq(r->ev.func, 0x29);
	ck_assert_int_eq(r->ev.cat, OT_CAT_MODE);
	ck_assert_int_eq(r->ev.dir, OT_DIR_RESPONSE);
}
END_TEST

START_TEST(pi_services)
{
	const struct recorded *r;

	feed(1, PI_MODU_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.func, 0x28);
	ck_assert_int_eq(r->ev.subfunc, 4);
	ck_assert_int_eq(r->ev.cat, OT_CAT_PROGRAM);
	ck_assert_str_eq(jstr(r, "pi_service_name"), "copy_ram_to_rom");
	ck_assert_str_eq(jstr(r, "pi_parameter"), "EP");
	feed(0, PI_MODU_RES);
	r = last_msg();
	ck_assert_int_eq(r->ev.subfunc, 4);
	feed(1, PI_START_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.subfunc, 3);
	ck_assert_int_eq(r->ev.cat, OT_CAT_MODE);
	feed(1, PI_INSE_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.subfunc, 1);
	ck_assert_int_eq(r->ev.cat, OT_CAT_PROGRAM);
	ck_assert_int_eq(r->ev.n_ranges, 1);
	ck_assert_int_eq(r->ev.ranges[0].space, OT_SPACE_S7_BLOCK);
	ck_assert_int_eq(r->ev.ranges[0].block, 'A');
	ck_assert_int_eq(r->ev.ranges[0].start, 1);
}
END_TEST

START_TEST(upload_sequence)
{
	const struct recorded *r;

	feed(1, UPSTART_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.func, 0x1d);
	ck_assert_int_eq(r->ev.cat, OT_CAT_PROGRAM);
	ck_assert_str_eq(jstr(r, "filename"), "_0B00000A");
	ck_assert_str_eq(jstr(r, "block_type"), "SDB");
	ck_assert((s7(r)->has & S7H_BLOCK_ID) && s7(r)->block.number == 0);
	ck_assert_str_eq(jstr(r, "destination_filesystem"), "active");
	ck_assert_int_eq(r->ev.ranges[0].space, OT_SPACE_S7_BLOCK);
	ck_assert_int_eq(r->ev.ranges[0].block, 'B');
	feed(0, UPSTART_RES);
	r = last_msg();
	ck_assert_uint_eq(s7(r)->session_id, 7);
	ck_assert_uint_eq(s7(r)->blocklength, 216);
	feed(1, UPLOAD_REQ);
	ck_assert_int_eq(last_msg()->ev.func, 0x1e);
	ck_assert_uint_eq(s7(last_msg())->session_id, 7);
	feed(1, UPEND_REQ);
	feed(0, UPEND_RES);
	r = last_msg();
	ck_assert_int_eq(r->ev.func, 0x1f);
	ck_assert_int_eq(r->ev.dir, OT_DIR_RESPONSE);
	ck_assert(r->ev.rtt >= 0);
	/* refused upload of OB0: ack with error class 0xd2 */
	feed(1, UPSTART_OB_REQ);
	ck_assert_int_eq(last_msg()->ev.ranges[0].block, '8');
	feed(0, UPSTART_NACK);
	r = last_msg();
	ck_assert_int_eq(r->ev.status, 0xd20c);
	ck_assert_int_eq(r->ev.func, 0x1d);        /* from the request */
	ck_assert_int_eq(s7(r)->error_class, 0xd2);
}
END_TEST

START_TEST(download_sequence)
{
	const struct recorded *r;

	feed(1, REQDL_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.func, 0x1a);
	ck_assert_int_eq(r->ev.cat, OT_CAT_PROGRAM);
	ck_assert_str_eq(jstr(r, "block_type"), "DB");
	ck_assert_uint_eq(s7(r)->block.number, 1);
	ck_assert_uint_eq(s7(r)->load_memory_length, 500);
	ck_assert_uint_eq(s7(r)->mc7_length, 400);
	ck_assert_int_eq(r->ev.ranges[0].space, OT_SPACE_S7_BLOCK);
	feed(0, REQDL_RES);
	ck_assert_int_eq(last_msg()->ev.func, 0x1a);
	feed(0, DLBLOCK_REQ);
	ck_assert_int_eq(last_msg()->ev.func, 0x1b);
	ck_assert_int_eq(last_msg()->ev.ranges[0].start, 1);
	feed(0, DLEND_REQ);
	ck_assert_int_eq(last_msg()->ev.func, 0x1c);
	ck_assert_int_eq(rec.n_anom, 0);
}
END_TEST

/* ---- userdata ---- */

START_TEST(szl_module_identification)
{
	const struct recorded *r;

	feed(1, SZL11_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.group, 4);
	ck_assert_int_eq(r->ev.subfunc, 1);
	ck_assert_int_eq(r->ev.cat, OT_CAT_IDENTITY);
	ck_assert_int_eq(r->ev.dir, OT_DIR_REQUEST);
	ck_assert_int_eq(s7(r)->szl_id, 0x11);
	ck_assert((s7(r)->has & S7H_SZL_ID) && s7(r)->szl_index == 0);
	feed(0, SZL11_RES);
	r = last_msg();
	ck_assert_int_eq(r->ev.dir, OT_DIR_RESPONSE);
	ck_assert_str_eq(recorder_ident(&r->ev, OT_ID_ORDER_NUMBER), "6ES7 315-2EH14-0AB0");
	ck_assert_str_eq(recorder_ident(&r->ev, OT_ID_HARDWARE), "4");
	ck_assert_str_eq(recorder_ident(&r->ev, OT_ID_FIRMWARE), "V3.2.6");
	ck_assert_str_eq(recorder_ident(&r->ev, OT_ID_VENDOR), "Siemens");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r->obj,
		"identity"), "firmware_version")), "V3.2.6");
	ck_assert(s7(r)->has & S7H_SZL_ANSWER);
	ck_assert_int_eq(s7(r)->szl_id, 0x11);
	ck_assert_int_eq(s7(r)->n_ident, 3);
	ck_assert_int_eq(s7(r)->ident[0].field, S7I_ORDER_NUMBER);
	ck_assert_int_eq(s7(r)->ident[1].field, S7I_HARDWARE);
	ck_assert_int_eq(s7(r)->ident[2].field, S7I_FIRMWARE);
	ck_assert_str_eq(s7(r)->firmware_version, "V3.2.6");
}
END_TEST

START_TEST(szl_component_identification)
{
	const struct recorded *r;

	feed(1, SZL1C_REQ);
	feed(0, SZL1C_RES);
	r = last_msg();
	ck_assert_str_eq(recorder_ident(&r->ev, OT_ID_NAME), "SNAP7-SERVER");
	ck_assert_str_eq(recorder_ident(&r->ev, OT_ID_MODULE), "CPU 315-2 PN/DP");
	ck_assert_str_eq(recorder_ident(&r->ev, OT_ID_COPYRIGHT), "Original Siemens Equipment");
	ck_assert_str_eq(recorder_ident(&r->ev, OT_ID_SERIAL), "S C-C2UR28922012");
	ck_assert_str_eq(recorder_ident(&r->ev, OT_ID_MODEL), "CPU 315-2 PN/DP");
	ck_assert_ptr_null(recorder_ident(&r->ev, OT_ID_PLANT));      /* blank */
	ck_assert_str_eq(recorder_ident(&r->ev, OT_ID_VENDOR), "Siemens");
	ck_assert_int_eq(rec.n_anom, 0);
}
END_TEST

START_TEST(szl_cpu_mode)
{
	feed(1, SZL424_REQ);
	feed(0, SZL424_RES);
	ck_assert_str_eq(recorder_ident(&last_msg()->ev, OT_ID_CPU_MODE), "RUN");
}
END_TEST

START_TEST(szl_answer_in_two_pieces)
{
	const struct recorded *r;

	feed(1, SZL1C_P1_REQ);
	feed(0, SZL1C_P1_RES);
	r = last_msg();
	ck_assert_int_eq(r->ev.n_ident, 0);        /* more follow */
	feed(1, SZL1C_P2_REQ);
	feed(0, SZL1C_P2_RES);
	r = last_msg();
	ck_assert_str_eq(recorder_ident(&r->ev, OT_ID_NAME), "S7300/ET200M station_1");
	ck_assert_str_eq(recorder_ident(&r->ev, OT_ID_MODULE), "PLC_1");
	ck_assert_str_eq(recorder_ident(&r->ev, OT_ID_SERIAL), "S C-B1U393142011");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r->obj,
		"identity"), "memory_card_serial")), "MMC 4A1AC019");
	ck_assert_int_eq(rec.n_anom, 0);
}
END_TEST

START_TEST(password_is_security_and_not_logged)
{
	const struct recorded *r;
	char *s;

	feed(1, PASSWORD_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.group, 5);
	ck_assert_int_eq(r->ev.subfunc, 1);
	ck_assert_int_eq(r->ev.cat, OT_CAT_SECURITY);
	ck_assert_uint_eq(s7(r)->password_length, 8);
	s = json_dumps(r->obj, 0);
	ck_assert_ptr_null(strstr(s, "213a1b1d"));
	free(s);
	feed(0, PASSWORD_RES);
	r = last_msg();
	ck_assert_int_eq(r->ev.dir, OT_DIR_RESPONSE);
	ck_assert_int_eq(r->ev.status, 0x0a);
}
END_TEST

START_TEST(time_functions)
{
	const struct recorded *r;

	feed(1, CLOCK_REQ);
	ck_assert_int_eq(last_msg()->ev.cat, OT_CAT_TIME);
	feed(0, CLOCK_RES);
	r = last_msg();
	ck_assert_int_eq(r->ev.subfunc, 1);
	ck_assert_str_eq(s7(r)->plc_time, "2016-02-08T14:51:37.916");
	feed(1, SETCLOCK_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.subfunc, 2);
	ck_assert_str_eq(jstr(r, "subfunction_name"), "set_clock");
	ck_assert_str_eq(s7(r)->plc_time, "2016-02-08T23:08:10.000");
}
END_TEST

START_TEST(block_functions)
{
	const struct recorded *r;
	json_t *a;

	feed(1, LISTBLK_REQ);
	feed(0, LISTBLK_RES);
	r = last_msg();
	ck_assert_int_eq(r->ev.group, 3);
	ck_assert_str_eq(jstr(r, "subfunction_name"), "list_blocks");
	a = json_object_get(r->obj, "block_counts");
	ck_assert_uint_eq(s7(r)->n_block_counts, 7);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "block_type")), "OB");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(a, 4), "count")), 8);
	feed(1, BLKINFO_REQ);
	r = last_msg();
	ck_assert_int_eq(r->ev.subfunc, 3);
	ck_assert_int_eq(r->ev.ranges[0].space, OT_SPACE_S7_BLOCK);
	ck_assert_int_eq(r->ev.ranges[0].block, 'A');
	ck_assert_int_eq(r->ev.ranges[0].start, 0);
}
END_TEST

/* ---- S7comm-plus ---- */

START_TEST(programmer_and_mode_userdata)
{
	const struct recorded *r;

	/* TIA "flash LED": programmer commands, subfunction 0x16 */
	feed(1, "0300003902f080320700006c01000c001c000112081241160000000000ff090018001400000000000000010000000000010001000100010000");
	r = last_msg();
	ck_assert_int_eq(r->ev.group, 1);
	ck_assert_int_eq(r->ev.subfunc, 0x16);
	ck_assert_int_eq(r->ev.dir, OT_DIR_REQUEST);
	ck_assert_int_eq(r->ev.cat, OT_CAT_DIAGNOSTIC);
	ck_assert_str_eq(jstr(r, "subfunction_name"), "flash_led");
	/* variable status pushed by the PLC */
	feed(0, "0300003b02f080320700000000000c001e000112081201020200000000ff09001a00040012010000020002ff0900064133851fdeadff0900010200");
	r = last_msg();
	ck_assert_int_eq(r->ev.dir, OT_DIR_UNSOLICITED);
	ck_assert_str_eq(jstr(r, "subfunction_name"), "variable_status");
	/* mode-transition push (short parameter form, head 0x010010): STOP */
	feed(0, "0300001902f080320700000000000800000100101000000000");
	r = last_msg();
	ck_assert_int_eq(r->ev.group, 0);
	ck_assert_int_eq(r->ev.subfunc, 0);
	ck_assert_int_eq(r->ev.cat, OT_CAT_MODE);
	ck_assert_int_eq(r->ev.dir, OT_DIR_UNSOLICITED);
	ck_assert_str_eq(jstr(r, "subfunction_name"), "stop");
	ck_assert_int_eq(rec.n_anom, 0);
}
END_TEST

START_TEST(s7comm_plus_recognised)
{
	const struct recorded *r;

	feed(1, PLUS_V1_CREATE);
	r = last_msg();
	ck_assert_int_eq(r->ev.proto, OT_PROTO_S7COMM_PLUS);
	ck_assert_int_eq(r->ev.func, 0x04ca);
	ck_assert_int_eq(r->ev.dir, OT_DIR_REQUEST);
	ck_assert_int_eq(s7(r)->plus_version, 1);
	ck_assert_str_eq(jstr(r, "function_name"), "CreateObject");
	feed(0, PLUS_V2_SETMULTI_RES);
	r = last_msg();
	ck_assert_int_eq(r->ev.func, 0x0542);
	ck_assert_int_eq(r->ev.dir, OT_DIR_RESPONSE);
	ck_assert_int_eq(r->ev.cat, OT_CAT_WRITE);
	ck_assert_int_eq(r->ev.txn, 2);
	feed(1, PLUS_V3_SETVAR);
	r = last_msg();
	ck_assert_int_eq(s7(r)->plus_version, 3);
	ck_assert_int_eq(r->ev.func, 0x04f2);
	ck_assert_str_eq(jstr(r, "function_name"), "SetVariable");
	feed(0, PLUS_V3_NOTIFY);
	r = last_msg();
	ck_assert_int_eq(r->ev.dir, OT_DIR_UNSOLICITED);
	ck_assert_str_eq(jstr(r, "opcode_name"), "notification");
	ck_assert_int_eq(rec.n_anom, 0);
}
END_TEST

/* ---- malformed input ---- */

START_TEST(item_count_overruns)
{
	/* read request announcing 200 items, carrying one */
	feed(1, "0300001f02f080320100001900000e000004c8120a10080001000083000080");
	ck_assert_int_ge(recorder_anomalies(&rec, "item_overrun"), 1);
	ck_assert_int_eq(last_msg()->ev.n_ranges, 1);
	/* read response announcing 3 items, data for one */
	feed(0, "0300001d02f0803203000019000002000800000403ff07000400000000");
	ck_assert_int_eq(last_msg()->ev.n_values, 1);
}
END_TEST

/* One malformed input each: the anomaly it raises and the messages that
 * still come out. */
static const struct {
	int from_client;
	const char *hex;
	const char *reason;
	int messages;
} malformed[] = {
	/* bytes that cannot start a TPKT before a valid one */
	{ 1, "deadbeef" SETUP_REQ, "tpkt_resync", 1 },
	/* COTP length indicator beyond the TPKT */
	{ 1, "0300000708f080", "cotp_bad_length", 0 },
	/* response item says 0x100 bytes, 4 present */
	{ 0, "0300001d02f0803203000019000002000800000401ff09010000000000", "item_overrun", 1 },
	/* parameter length 0x20, only 8 bytes follow */
	{ 1, "0300001902f08032010000000000200000f0000001000101e0", "length_mismatch", 1 },
	/* userdata parameter part cut short */
	{ 1, "0300001702f08032070000010000060000000112041144", "bad_parameter", 1 },
	/* S7 header shorter than 10 bytes */
	{ 1, "0300000b02f08032010000", "bad_header", 0 },
	/* S7comm-plus header cut short */
	{ 1, "0300000902f0807201", "bad_header", 0 },
	/* SZL answer announcing more records than present */
	{ 0, "0300002d02f080320700000100000c0010000112081284010000000000ff09000c00110000001c000500013645", "item_overrun", 1 },
	/* userdata with function group 9 */
	{ 1, "0300001d02f0803207000016000008000400011204114901000a000000", "unknown_function", 1 },
	/* COTP TPDU code 0x30 */
	{ 1, "03000007023000", "cotp_unknown_type", 0 },
	/* COTP TPDU error */
	{ 0, "0300000c0670000000010100", "cotp_error", 0 },
};

START_TEST(malformed_inputs)
{
	feed(malformed[_i].from_client, malformed[_i].hex);
	ck_assert_msg(recorder_anomalies(&rec, malformed[_i].reason) > 0, "case %d: no %s",
		      _i, malformed[_i].reason);
	ck_assert_int_eq(rec.n_msg, malformed[_i].messages);
}
END_TEST

START_TEST(reassembly_timeout_and_szl_limit)
{
	feed(1, "0300000f02f000" "320100001900000e");
	ctx.ts.tv_sec += 100;           /* beyond the 30 s reassembly timeout */
	feed(1, "0300000f02f080" "0001000083000080");
	ck_assert_int_ge(recorder_anomalies(&rec, "cotp_reassembly_timeout"), 1);
	recorder_clear(&rec);
	rec.lim.max_reassembly = 100;       /* the first SZL piece alone is 214 bytes */
	feed(1, SZL1C_P1_REQ);
	feed(0, SZL1C_P1_RES);
	ck_assert_int_ge(recorder_anomalies(&rec, "szl_reassembly_overflow"), 1);
	feed(1, SZL1C_P2_REQ);
	feed(0, SZL1C_P2_RES);
	ck_assert_int_eq(last_msg()->ev.n_ident, 0);
}
END_TEST

START_TEST(cotp_disconnect)
{
	feed(1, CR_0101);
	feed(1, "0300000b06800001000101");     /* DR, reason 1 */
	feed(0, "0300000b06c00001000101");     /* DC */
	ck_assert_int_eq(rec.n_session, 3);
	ck_assert_int_eq(rec.ev[1].ev.func, 0x80);
	ck_assert_int_eq(rec.ev[1].ev.dir, OT_DIR_REQUEST);
	ck_assert_int_eq(rec.ev[2].ev.func, 0xc0);
	ck_assert_int_eq(rec.ev[2].ev.dir, OT_DIR_RESPONSE);
	ck_assert_str_eq(json_string_value(json_object_get(
		json_object_get(rec.ev[1].obj, "cotp"), "pdu_name")), "disconnect_request");
}
END_TEST

START_TEST(unknown_rosctr_and_function)
{
	feed(1, "0300001902f08032090000000000080000f0000001000101e0");
	ck_assert_int_ge(recorder_anomalies(&rec, "unknown_rosctr"), 1);
	ck_assert_int_eq(rec.n_msg, 0);
	feed(1, "0300001302f080320100000100000200007700");
	ck_assert_int_ge(recorder_anomalies(&rec, "unknown_function"), 1);
	ck_assert_int_eq(last_msg()->ev.func, 0x77);
}
END_TEST

START_TEST(foreign_cotp_payload_reported_once)
{
	feed(1, "0300000b02f080" "01020304");
	feed(1, "0300000b02f080" "01020304");
	ck_assert_int_eq(rec.n_anom, 1);
	ck_assert_int_ge(recorder_anomalies(&rec, "unknown_protocol_id"), 1);
}
END_TEST

START_TEST(pending_is_bounded)
{
	int i;
	char buf[128];

	rec.lim.max_pending = 4;
	s7comm_dissector.state_free(st);
	st = s7comm_dissector.state_new(&rec.lim);
	for (i = 0; i < 6; i++) {
		snprintf(buf, sizeof(buf),
			 "0300001902f08032010000%04x00080000f0000001000101e0", i + 1);
		feed(1, buf);
	}
	ck_assert_int_ge(recorder_anomalies(&rec, "pending_overflow"), 1);
	/* the newest is still paired */
	feed(0, "0300001b02f080320300000006000800000000f0000001000101e0");
	ck_assert(last_msg()->ev.rtt >= 0);
	/* the oldest was dropped */
	feed(0, "0300001b02f080320300000001000800000000f0000001000101e0");
	ck_assert(last_msg()->ev.rtt < 0);
}
END_TEST

/* Answers pair with their request wherever it sits in the table: after
 * holes, after a repeated PDU reference (kept once), and not twice. */
static void setup_req(int ref)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "0300001902f08032010000%04x00080000f0000001000101e0", ref);
	feed(1, buf);
}

static double answer_rtt(int ref)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "0300001b02f08032030000%04x000800000000f0000001000101e0", ref);
	feed(0, buf);
	return last_msg()->ev.rtt;
}

START_TEST(pending_found_past_holes)
{
	int i;

	rec.lim.max_pending = 8;
	s7comm_dissector.state_free(st);
	st = s7comm_dissector.state_new(&rec.lim);
	for (i = 1; i <= 5; i++)
		setup_req(i);
	ck_assert(answer_rtt(1) >= 0);
	ck_assert(answer_rtt(2) >= 0);
	ck_assert(answer_rtt(5) >= 0);          /* the last used slot, past two holes */
	setup_req(3);                           /* again: the entry is replaced */
	ck_assert(answer_rtt(3) >= 0);
	ck_assert(answer_rtt(3) < 0);           /* answered once only */
	setup_req(7);                           /* into the first hole */
	ck_assert(answer_rtt(4) >= 0);
	ck_assert(answer_rtt(7) >= 0);
	ck_assert(answer_rtt(4) < 0);
	for (i = 10; i < 18; i++)               /* exactly full: nothing dropped */
		setup_req(i);
	ck_assert_int_eq(recorder_anomalies(&rec, "pending_overflow"), 0);
	for (i = 17; i >= 10; i--)
		ck_assert(answer_rtt(i) >= 0);
}
END_TEST

/* Every prefix of every vector, with the TPKT length fixed to the prefix:
 * no crash, and each produces an event (message or anomaly). */
static const char *const vectors[] = {
	SETUP_REQ, SETUP_RES, READ_REQ, READ_RES, WRITE_REQ, WRITE_RES, READ5_REQ,
	READ5_RES, STOP_REQ, PI_MODU_REQ, PI_START_REQ, PI_INSE_REQ, UPSTART_REQ,
	UPSTART_RES, UPLOAD_REQ, UPEND_RES, UPSTART_NACK, REQDL_REQ, DLBLOCK_REQ,
	SZL11_REQ, SZL11_RES, SZL1C_RES, SZL424_RES, SZL1C_P1_RES, SZL1C_P2_RES,
	PASSWORD_REQ, CLOCK_RES, SETCLOCK_REQ, LISTBLK_RES, BLKINFO_REQ,
	PLUS_V1_CREATE, PLUS_V3_SETVAR, PLUS_V3_NOTIFY, CR_0101, CC_0101,
};

START_TEST(every_truncated_prefix)
{
	uint8_t full[1024], b[1024];
	size_t n, k;
	int from;

	n = unhex(vectors[_i], full, sizeof(full));
	for (k = 7; k < n; k++) {
		for (from = 0; from < 2; from++) {
			void *s = s7comm_dissector.state_new(&rec.lim);
			int before = rec.n;

			memcpy(b, full, k);
			b[2] = (uint8_t)(k >> 8);
			b[3] = (uint8_t)k;
			ctx.from_client = (uint8_t)from;
			s7comm_dissector.parse(&ctx, s, b, k);
			if (k > 7 && b[5] == 0xf0) /* a DT with a payload */
				ck_assert_msg(rec.n > before, "vector %d prefix %zu: no event",
					      _i, k);
			s7comm_dissector.state_free(s);
			recorder_clear(&rec);
		}
	}
	/* and the stream cut short: nothing comes out, nothing breaks */
	for (k = 1; k < n; k++) {
		void *s = s7comm_dissector.state_new(&rec.lim);

		ctx.from_client = 1;
		s7comm_dissector.parse(&ctx, s, full, k);
		ck_assert_int_eq(rec.n_msg, 0);
		s7comm_dissector.state_free(s);
		recorder_clear(&rec);
	}
}
END_TEST

/* ---- probe, descriptor ---- */

static enum probe_result probe_hex(const char *hex)
{
	uint8_t b[256];
	size_t n = unhex(hex, b, sizeof(b));

	return s7comm_dissector.probe(b, n, 1);
}

START_TEST(counters_add_up)
{
	uint64_t c[DISSECT_MAX_COUNTERS] = { 0 };
	size_t i;

	ck_assert_uint_le(s7comm_dissector.n_counters, DISSECT_MAX_COUNTERS);
	feed(1, "deadbeef" SETUP_REQ READ_REQ);
	feed(0, SETUP_RES);
	feed(1, PLUS_V1_CREATE);
	s7comm_dissector.counters(st, c);
	s7comm_dissector.counters(NULL, c);     /* adds nothing */
	for (i = 0; i < s7comm_dissector.n_counters; i++) {
		const char *n = s7comm_dissector.counter_names[i];

		if (strcmp(n, "tpkts") == 0)
			ck_assert_uint_eq(c[i], 4);
		else if (strcmp(n, "bytes_skipped") == 0)
			ck_assert_uint_eq(c[i], 4);
		else if (strcmp(n, "s7comm_pdus") == 0)
			ck_assert_uint_eq(c[i], 3);
		else if (strcmp(n, "s7comm_plus_pdus") == 0)
			ck_assert_uint_eq(c[i], 1);
		else
			ck_assert_uint_eq(c[i], 0);
	}
}
END_TEST

START_TEST(probe_by_payload)
{
	ck_assert_int_eq(probe_hex(CR_0101), PROBE_MINE);
	ck_assert_int_eq(probe_hex(SETUP_REQ), PROBE_MINE);
	ck_assert_int_eq(probe_hex(PLUS_V1_CREATE), PROBE_MINE);
	/* S7comm-plus connect with a "SIMATIC-ROOT-HMI" TSAP */
	ck_assert_int_eq(probe_hex("030000241fe00000011200c1020620c21053494d415449432d524f4f542d484d49c0010a"),
			 PROBE_MINE);
	/* ISO transport with an MMS-style TSAP 0x0001 is not S7 */
	ck_assert_int_eq(probe_hex("0300001611e00000000100c0010ac1020001c2020001"), PROBE_NOT_MINE);
	ck_assert_int_eq(probe_hex("0300000b02f080" "01020304"), PROBE_NOT_MINE);
	ck_assert_int_eq(probe_hex("474554202f20485454502f312e310d0a"), PROBE_NOT_MINE);
	ck_assert_int_eq(probe_hex("030000"), PROBE_NEED_MORE);
	ck_assert_int_eq(probe_hex("0300000702f000"), PROBE_NEED_MORE);
	/* empty DT keep-alives are skipped: the TPKT after them decides */
	ck_assert_int_eq(probe_hex("0300000702f000" "0300000702f000" SETUP_REQ), PROBE_MINE);
	ck_assert_int_eq(probe_hex("0300000702f000" "0300000b02f080" "01020304"), PROBE_NOT_MINE);
}
END_TEST

START_TEST(descriptor_and_free_null)
{
	ck_assert_str_eq(s7comm_dissector.name, "s7comm");
	ck_assert_int_eq(s7comm_dissector.ports[0], 102);
	ck_assert(s7comm_dissector.transports & DISSECT_TCP);
	ck_assert_ptr_eq(dissector_by_name("s7comm"), &s7comm_dissector);
	s7comm_dissector.state_free(NULL);
}
END_TEST

/* The record and the object the log makes of it do not depend on whether
 * a protocol log is on: an alert embeds the same object either way. */
START_TEST(log_object_without_protocol_log)
{
	char *off[2], *on;
	int i;

	ctx.want_detail = 0;
	rec.always_log = 1;     /* the object an alert embeds */
	feed(1, READ5_REQ);
	feed(0, SZL11_RES);
	ck_assert_int_eq(rec.n, 2);
	ck_assert_int_eq(rec.ev[0].ev.n_ranges, 5);
	ck_assert_str_eq(recorder_ident(&last_msg()->ev, OT_ID_FIRMWARE), "V3.2.6");
	for (i = 0; i < 2; i++)
		off[i] = json_dumps(rec.ev[i].obj, JSON_COMPACT);
	teardown();
	setup();
	feed(1, READ5_REQ);
	feed(0, SZL11_RES);
	ck_assert_int_eq(rec.n, 2);
	for (i = 0; i < 2; i++) {
		on = json_dumps(rec.ev[i].obj, JSON_COMPACT);
		ck_assert_str_eq(off[i], on);
		free(on);
		free(off[i]);
	}
	/* S7comm-plus messages are logged by this dissector too */
	ck_assert_ptr_eq(dissector_by_proto(OT_PROTO_S7COMM_PLUS), &s7comm_dissector);
}
END_TEST

static Suite *s7comm_suite(void)
{
	Suite *s = suite_create("s7comm");
	TCase *tc;

	tc = tcase_create("framing");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cotp_connect_gives_rack_slot);
	tcase_add_test(tc, tsap_rack_slot_bits);
	tcase_add_test(tc, several_tpkts_in_one_segment);
	tcase_add_test(tc, tpkt_split_byte_by_byte);
	tcase_add_test(tc, cotp_multi_tpdu_reassembly);
	tcase_add_test(tc, cotp_disconnect);
	tcase_add_test(tc, cotp_reassembly_limit);
	tcase_add_test(tc, gap_resynchronises);
	tcase_add_test(tc, probe_by_payload);
	tcase_add_test(tc, descriptor_and_free_null);
	tcase_add_test(tc, counters_add_up);
	suite_add_tcase(s, tc);

	tc = tcase_create("functions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, setup_communication);
	tcase_add_test(tc, read_var_single);
	tcase_add_test(tc, read_var_five_items_errors);
	tcase_add_test(tc, write_var);
	tcase_add_test(tc, write_var_db_bytes);
	tcase_add_test(tc, values_are_capped);
	tcase_add_test(tc, more_items_and_blocks);
	tcase_add_test(tc, plc_stop);
	tcase_add_test(tc, pi_services);
	tcase_add_test(tc, upload_sequence);
	tcase_add_test(tc, download_sequence);
	tcase_add_test(tc, log_object_without_protocol_log);
	suite_add_tcase(s, tc);

	tc = tcase_create("userdata");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, szl_module_identification);
	tcase_add_test(tc, szl_component_identification);
	tcase_add_test(tc, szl_cpu_mode);
	tcase_add_test(tc, szl_answer_in_two_pieces);
	tcase_add_test(tc, password_is_security_and_not_logged);
	tcase_add_test(tc, time_functions);
	tcase_add_test(tc, block_functions);
	tcase_add_test(tc, programmer_and_mode_userdata);
	tcase_add_test(tc, s7comm_plus_recognised);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, item_count_overruns);
	tcase_add_test(tc, unknown_rosctr_and_function);
	tcase_add_loop_test(tc, malformed_inputs, 0,
			    (int)(sizeof(malformed) / sizeof(malformed[0])));
	tcase_add_test(tc, foreign_cotp_payload_reported_once);
	tcase_add_test(tc, pending_is_bounded);
	tcase_add_test(tc, pending_found_past_holes);
	tcase_add_test(tc, reassembly_timeout_and_szl_limit);
	tcase_add_loop_test(tc, every_truncated_prefix, 0,
			    (int)(sizeof(vectors) / sizeof(vectors[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(s7comm_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
