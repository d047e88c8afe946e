/*
 * stations.c - IEC 60870-5-104 station facts of an asset: what it did as a
 * controlling station (STARTDT act, interrogations, commands, clock
 * synchronization) and as a controlled station (STARTDT con, monitoring
 * data), and, per controlled station, the information object addresses it
 * reports or is commanded at, as ranges per common address and type
 * identification.  See otsentry-inventory(5).
 *
 * Bounds: at most INV_MAX_IOA_RANGES ranges per asset; a range that does not
 * touch a known one of its (common address, type) when the list is full is
 * dropped and counted (the asset's ioa_ranges_dropped and the inventory's
 * overflow counter).  The record goes with its asset when that is evicted.
 */
#include <stdlib.h>
#include <string.h>

#include "inventory_int.h"

/* ot_event function codes of IEC 104 (dissectors/iec104/iec104.h): the
 * type identification for I-format APDUs, 256 + bit for U-format ones. */
#define U_STARTDT_ACT 256
#define U_STARTDT_CON 257
#define TYPE_GI       100       /* C_IC_NA_1 interrogation command */
#define TYPE_CLOCK    103       /* C_CS_NA_1 clock synchronization */
#define TYPE_MON_MAX  44        /* 1..44: process information, monitor direction */
#define COT_ACT       6         /* cause: activation */

static int type_has_points(int type)
{
	/* system commands (100-107) address IOA 0; file transfer names files */
	return type > 0 && type < 100 ? 1 : (type >= 110 && type <= 113);
}

static void range_add(struct inventory *inv, struct inv_iec104 *s, uint16_t ca, int type,
		      const char *type_name, uint32_t lo, uint32_t hi, uint32_t objects)
{
	struct inv_ioa_range *r;
	uint16_t i;

	for (i = 0; i < s->n_ranges; i++) {
		r = &s->ranges[i];
		if (r->ca != ca || r->type != type)
			continue;
		if ((uint64_t)lo > (uint64_t)r->hi + 1 || (uint64_t)hi + 1 < r->lo)
			continue;
		if (lo < r->lo)
			r->lo = lo;
		if (hi > r->hi)
			r->hi = hi;
		r->objects += objects;
		return;
	}
	if (s->n_ranges >= INV_MAX_IOA_RANGES) {
		s->ranges_dropped++;
		inv->st.overflow++;
		return;
	}
	r = &s->ranges[s->n_ranges++];
	r->ca = ca;
	r->type = (uint8_t)type;
	r->type_name = type_name;
	r->lo = lo;
	r->hi = hi;
	r->objects = objects;
}

static struct inv_iec104 *station_of(struct inventory *inv, struct asset *a)
{
	if (!a->iec104 && !(a->iec104 = calloc(1, sizeof(*a->iec104))))
		inv->st.no_memory++;
	return a->iec104;
}

void inv_iec104_event(struct inventory *inv, struct asset *snd, struct asset *srv,
		      const struct ot_event *ev)
{
	struct inv_iec104 *s, *o;
	uint8_t i;

	if (ev->kind != OT_EV_MESSAGE || ev->proto != OT_PROTO_IEC104 || ev->func < 0)
		return;
	if (!(s = station_of(inv, snd)))
		return;
	if (ev->func == U_STARTDT_ACT) {
		s->startdt_act++;
		return;
	}
	if (ev->func == U_STARTDT_CON) {
		s->startdt_con++;
		return;
	}
	if (ev->func > 255)
		return;         /* STOPDT, TESTFR: either side */
	if (ev->func <= TYPE_MON_MAX && ev->dir != OT_DIR_REQUEST) {
		s->monitoring++;
	} else if (ev->dir == OT_DIR_REQUEST && ev->subfunc == COT_ACT) {
		if (ev->func == TYPE_GI)
			s->interrogations++;
		else if (ev->func == TYPE_CLOCK)
			s->clock_syncs++;
		else if (ev->cat == OT_CAT_CONTROL || ev->cat == OT_CAT_WRITE)
			s->commands++;
		else
			s->other_requests++;
	}
	/* points belong to the controlled station: the flow's server */
	if (!type_has_points(ev->func) || ev->n_ranges == 0 || !(o = station_of(inv, srv)))
		return;
	for (i = 0; i < ev->n_ranges && i < OT_MAX_RANGES; i++) {
		const struct ot_range *r = &ev->ranges[i];
		uint64_t hi = (uint64_t)r->start + (r->count ? r->count - 1 : 0);

		if (OT_SPACE_PROTO(r->space) != OT_PROTO_IEC104)
			continue;
		range_add(inv, o, r->block, ev->func, ev->func_name, r->start,
			  hi > UINT32_MAX ? UINT32_MAX : (uint32_t)hi, r->count ? r->count : 1);
	}
}

int inv_iec104_role(const struct asset *a, int *controlling, int *controlled)
{
	const struct inv_iec104 *s = a->iec104;

	*controlling = s && (s->startdt_act || s->interrogations || s->commands || s->clock_syncs);
	*controlled = s && (s->startdt_con || s->monitoring);
	return *controlling || *controlled;
}

static int range_cmp(const void *x, const void *y)
{
	const struct inv_ioa_range *a = x, *b = y;

	if (a->ca != b->ca)
		return a->ca < b->ca ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

json_t *inv_iec104_json(const struct asset *a)
{
	const struct inv_iec104 *s = a->iec104;
	struct inv_ioa_range sorted[INV_MAX_IOA_RANGES];
	json_t *o, *x, *cas, *arr;
	int controlling, controlled;
	uint16_t i;

	if (!s || !inv_iec104_role(a, &controlling, &controlled))
		return NULL;
	o = json_object();
	if (controlling) {
		x = json_pack("{s:I,s:I,s:I,s:I,s:I}", "startdt_act", (json_int_t)s->startdt_act,
			      "interrogations", (json_int_t)s->interrogations,
			      "commands", (json_int_t)s->commands,
			      "clock_syncs", (json_int_t)s->clock_syncs,
			      "other_requests", (json_int_t)s->other_requests);
		json_object_set_new(o, "controlling", x);
	}
	if (controlled) {
		x = json_pack("{s:I,s:I}", "startdt_con", (json_int_t)s->startdt_con,
			      "monitoring", (json_int_t)s->monitoring);
		json_object_set_new(o, "controlled", x);
	}
	memcpy(sorted, s->ranges, s->n_ranges * sizeof(sorted[0]));
	qsort(sorted, s->n_ranges, sizeof(sorted[0]), range_cmp);
	cas = json_array();
	arr = json_array();
	for (i = 0; i < s->n_ranges; i++) {
		const struct inv_ioa_range *r = &sorted[i];

		if (i == 0 || r->ca != sorted[i - 1].ca)
			json_array_append_new(cas, json_integer(r->ca));
		x = json_pack("{s:i,s:i,s:s,s:I,s:I,s:I}", "ca", (int)r->ca, "type_id", (int)r->type,
			      "type", r->type_name ? r->type_name : "unknown",
			      "start", (json_int_t)r->lo, "end", (json_int_t)r->hi,
			      "objects", (json_int_t)r->objects);
		json_array_append_new(arr, x);
	}
	if (s->n_ranges) {
		json_object_set_new(o, "common_addresses", cas);
		json_object_set_new(o, "ioa_ranges", arr);
	} else {
		json_decref(cas);
		json_decref(arr);
	}
	if (s->ranges_dropped)
		json_object_set_new(o, "ioa_ranges_dropped", json_integer((json_int_t)s->ranges_dropped));
	return o;
}
