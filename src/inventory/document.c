/*
 * document.c - the inventory as the versioned JSON document of
 * otsentry-inventory(5), and its stats object.  See inventory.h.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <netinet/in.h>

#include "config.h"
#include "eve.h"
#include "inventory_int.h"
#include "oui.h"

/* ---- the document ---- */

static json_t *proto_set_json(uint32_t bits)
{
	json_t *a = json_array();
	int p;

	for (p = 1; p < OT_PROTO_COUNT; p++)
		if (bits & (1u << p))
			json_array_append_new(a, json_string(ot_proto_name((enum ot_proto)p)));
	return a;
}

static json_t *ip_record_json(const struct inv_ip *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "ip", inv_ip_json(&r->ip));
	json_object_set_new(o, "first_seen", graph_ts_json(&r->first));
	json_object_set_new(o, "last_seen", graph_ts_json(&r->last));
	json_object_set_new(o, "packets_sent", json_integer((json_int_t)r->pkts[0]));
	json_object_set_new(o, "packets_received", json_integer((json_int_t)r->pkts[1]));
	json_object_set_new(o, "bytes_sent", json_integer((json_int_t)r->bytes[0]));
	json_object_set_new(o, "bytes_received", json_integer((json_int_t)r->bytes[1]));
	json_object_set_new(o, "ot_client", proto_set_json(r->ot_client));
	json_object_set_new(o, "ot_server", proto_set_json(r->ot_server));
	json_object_set_new(o, "external", json_boolean(r->geo.external));
	if (r->hops != HOPS_UNKNOWN)
		json_object_set_new(o, "hops", json_integer(r->hops));
	if (r->has_prev_mac)
		json_object_set_new(o, "previous_mac", inv_mac_json(r->prev_mac));
	if (r->geo.found) {
		json_t *g = json_object();

		if (r->geo.country[0])
			json_object_set_new(g, "country", json_string(r->geo.country));
		if (r->geo.country_name[0])
			json_object_set_new(g, "country_name", json_string(r->geo.country_name));
		if (r->geo.city[0])
			json_object_set_new(g, "city", json_string(r->geo.city));
		if (r->geo.asn)
			json_object_set_new(g, "asn", json_integer(r->geo.asn));
		if (r->geo.as_org[0])
			json_object_set_new(g, "as_org", json_string(r->geo.as_org));
		json_object_set_new(o, "geo", g);
	}
	return o;
}

static json_t *asset_json(const struct asset *a)
{
	static const char *const sides[2] = { "client", "server" };
	json_t *o = json_object(), *arr, *x;
	struct role_reasons rr;
	const struct inv_ip *r;
	int i, s, p, external = 0;

	json_object_set_new(o, "id", json_integer((json_int_t)a->id));
	json_object_set_new(o, "key", json_string(a->key_is_mac ? "mac" : "ip"));
	if (a->has_mac) {
		json_object_set_new(o, "mac", inv_mac_json(a->mac));
		json_object_set_new(o, "mac_local", json_boolean(oui_mac_is_local(a->mac)));
	}
	if (a->vendor)
		json_object_set_new(o, "vendor", json_string(a->vendor));
	memset(&rr, 0, sizeof(rr));
	inv_infer_role(a, &rr);
	json_object_set_new(o, "role", json_string(inventory_role_name(a->role)));
	json_object_set_new(o, "role_label", json_string(inventory_role_label(a->role)));
	arr = json_array();
	for (i = 0; i < rr.n; i++)
		json_array_append_new(arr, json_string(rr.text[i]));
	json_object_set_new(o, "role_reasons", arr);
	json_object_set_new(o, "first_seen", graph_ts_json(&a->first));
	json_object_set_new(o, "last_seen", graph_ts_json(&a->last));
	json_object_set_new(o, "packets_sent", json_integer((json_int_t)a->pkts[0]));
	json_object_set_new(o, "packets_received", json_integer((json_int_t)a->pkts[1]));
	json_object_set_new(o, "bytes_sent", json_integer((json_int_t)a->bytes[0]));
	json_object_set_new(o, "bytes_received", json_integer((json_int_t)a->bytes[1]));

	arr = json_array();
	for (r = a->ips; r; r = r->anext) {
		json_array_append_new(arr, ip_record_json(r));
		external |= r->geo.external;
	}
	json_object_set_new(o, "ips", arr);
	json_object_set_new(o, "external", json_boolean(external));
	if (a->ips_dropped)
		json_object_set_new(o, "ips_dropped", json_integer((json_int_t)a->ips_dropped));
	arr = json_array();
	for (i = 0; i < a->n_vlans; i++)
		json_array_append_new(arr, json_integer(a->vlans[i]));
	json_object_set_new(o, "vlans", arr);

	x = json_object();
	for (s = 0; s < 2; s++) {
		json_t *side = json_array();

		for (i = 0; i < a->n_protos; i++) {
			const struct inv_proto *pr = &a->protos[i];
			json_t *y;

			if (pr->server != s)
				continue;
			y = json_object();
			json_object_set_new(y, "proto", json_string(pr->label));
			json_object_set_new(y, "transport", json_string(pr->l4 == IPPROTO_TCP ? "tcp" :
						pr->l4 == IPPROTO_UDP ? "udp" : "ip"));
			json_object_set_new(y, "port", json_integer(pr->port));
			json_object_set_new(y, "first_seen", graph_ts_json(&pr->first));
			json_object_set_new(y, "last_seen", graph_ts_json(&pr->last));
			json_array_append_new(side, y);
		}
		json_object_set_new(x, sides[s], side);
	}
	json_object_set_new(o, "protocols", x);

	arr = json_array();
	for (i = 0; i < a->n_labels; i++)
		json_array_append_new(arr, json_string(a->labels[i]));
	json_object_set_new(o, "app_labels", arr);

	arr = json_array();
	for (i = 0; i < a->n_addrs; i++) {
		const struct inv_addr *ad = &a->addrs[i];

		x = json_object();
		json_object_set_new(x, "proto", json_string(ot_proto_name((enum ot_proto)ad->proto)));
		if (ad->kind == ADDR_RACK_SLOT) {
			json_object_set_new(x, "rack", json_integer(ad->a));
			json_object_set_new(x, "slot", json_integer(ad->b));
		} else {
			json_object_set_new(x, inv_addr_kind_name(ad->kind), json_integer(ad->a));
		}
		json_array_append_new(arr, x);
	}
	json_object_set_new(o, "ot_addresses", arr);

	arr = json_array();
	for (i = 0; i < a->n_facts; i++) {
		const struct inv_fact *fa = &a->facts[i];

		x = json_object();
		json_object_set_new(x, "key", json_string(ot_ident_key_name((enum ot_ident_key)fa->key)));
		json_object_set_new(x, "value", eve_string((const uint8_t *)fa->value, strlen(fa->value)));
		json_object_set_new(x, "proto", json_string(ot_proto_name((enum ot_proto)fa->proto)));
		json_object_set_new(x, "first_seen", graph_ts_json(&fa->first));
		json_object_set_new(x, "last_seen", graph_ts_json(&fa->last));
		json_object_set_new(x, "count", json_integer((json_int_t)fa->count));
		json_array_append_new(arr, x);
	}
	json_object_set_new(o, "identity", arr);

	x = json_object();
	for (p = 1; a->ot && p < OT_PROTO_COUNT; p++) {
		const struct inv_ot *t = &a->ot[p];
		json_t *y, *cats;
		int c;

		if (!(t->req_sent | t->resp_sent | t->unsol_sent | t->req_recv | t->resp_recv |
		      t->anomalies | t->req_sent_as_server))
			continue;
		y = json_object();
		json_object_set_new(y, "requests_sent", json_integer((json_int_t)t->req_sent));
		json_object_set_new(y, "responses_sent", json_integer((json_int_t)t->resp_sent));
		json_object_set_new(y, "unsolicited_sent", json_integer((json_int_t)t->unsol_sent));
		json_object_set_new(y, "requests_received", json_integer((json_int_t)t->req_recv));
		json_object_set_new(y, "responses_received", json_integer((json_int_t)t->resp_recv));
		json_object_set_new(y, "requests_sent_as_server", json_integer((json_int_t)t->req_sent_as_server));
		json_object_set_new(y, "errors_sent", json_integer((json_int_t)t->errors_sent));
		json_object_set_new(y, "errors_received", json_integer((json_int_t)t->errors_recv));
		json_object_set_new(y, "anomalies", json_integer((json_int_t)t->anomalies));
		cats = json_object();
		for (c = 0; c < OT_CAT_COUNT; c++)
			if (t->cat_sent[c])
				json_object_set_new(cats, ot_category_name((enum ot_category)c),
						    json_integer((json_int_t)t->cat_sent[c]));
		json_object_set_new(y, "requests_by_category", cats);
		if (t->io_orig || t->io_target) {
			json_object_set_new(y, "io_role", json_string(t->io_orig && t->io_target ?
				"scanner_and_adapter" : t->io_orig ? "scanner" : "adapter"));
			json_object_set_new(y, "io_connections_originated",
					    json_integer((json_int_t)t->io_orig));
			json_object_set_new(y, "io_connections_targeted",
					    json_integer((json_int_t)t->io_target));
		}
		json_object_set_new(x, ot_proto_name((enum ot_proto)p), y);
	}
	json_object_set_new(o, "ot", x);
	if ((x = inv_iec104_json(a)) != NULL)
		json_object_set_new(o, "iec104", x);
	if (a->overflow)
		json_object_set_new(o, "overflow", json_integer((json_int_t)a->overflow));
	return o;
}

static int asset_id_cmp(const void *x, const void *y)
{
	const struct asset *a = *(const struct asset *const *)x, *b = *(const struct asset *const *)y;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* Assets sorted by id (caller frees); NULL when there are none. */
const struct asset **inv_sorted_assets(const struct inventory *inv, size_t *n)
{
	const struct asset **v;
	const struct asset *a;
	size_t i = 0;

	*n = 0;
	if (!inv->st.assets || !(v = malloc(inv->st.assets * sizeof(*v))))
		return NULL;
	for (a = ASSET_OF(inv->assets.first); a && i < inv->st.assets; a = ASSET_OF(a->lru.next))
		v[i++] = a;
	qsort(v, i, sizeof(*v), asset_id_cmp);
	*n = i;
	return v;
}

json_t *inv_stats_json(const struct inventory *inv)
{
	struct inventory_stats st;
	json_t *o = json_object();

	inventory_get_stats(inv, &st);
	json_object_set_new(o, "assets", json_integer((json_int_t)st.assets));
	json_object_set_new(o, "assets_created", json_integer((json_int_t)st.assets_created));
	json_object_set_new(o, "assets_evicted", json_integer((json_int_t)st.assets_evicted));
	json_object_set_new(o, "max_assets", json_integer(inv->cfg.max_assets));
	json_object_set_new(o, "ips", json_integer((json_int_t)st.ips));
	json_object_set_new(o, "ips_evicted", json_integer((json_int_t)st.ips_evicted));
	json_object_set_new(o, "ips_moved", json_integer((json_int_t)st.ips_moved));
	json_object_set_new(o, "edges", json_integer((json_int_t)st.edges));
	json_object_set_new(o, "edges_created", json_integer((json_int_t)st.edges_created));
	json_object_set_new(o, "edges_evicted", json_integer((json_int_t)st.edges_evicted));
	json_object_set_new(o, "max_edges", json_integer(inv->cfg.max_edges));
	json_object_set_new(o, "asset_events", json_integer((json_int_t)st.asset_events));
	json_object_set_new(o, "asset_events_suppressed",
			    json_integer((json_int_t)st.asset_events_suppressed));
	json_object_set_new(o, "ot_events", json_integer((json_int_t)st.ot_events));
	json_object_set_new(o, "events_unmatched", json_integer((json_int_t)st.events_without_flow));
	json_object_set_new(o, "list_overflow", json_integer((json_int_t)st.overflow));
	json_object_set_new(o, "io_connections_replaced", json_integer((json_int_t)st.io_replaced));
	json_object_set_new(o, "no_memory", json_integer((json_int_t)st.no_memory));
	json_object_set_new(o, "snapshots", json_integer((json_int_t)st.snapshots));
	json_object_set_new(o, "write_errors", json_integer((json_int_t)st.write_errors));
	return o;
}

json_t *inventory_json(const struct inventory *inv)
{
	json_t *doc = json_object(), *arr = json_array();
	const struct asset **v;
	const struct graph_edge *e;
	struct timeval now;
	size_t n, i;

	gettimeofday(&now, NULL);
	json_object_set_new(doc, "format", json_string(INVENTORY_FORMAT));
	json_object_set_new(doc, "version", json_integer(INVENTORY_VERSION));
	json_object_set_new(doc, "generator", json_string(PACKAGE_STRING));
	if (inv->eve && eve_host(inv->eve) && eve_host(inv->eve)[0])
		json_object_set_new(doc, "sensor", json_string(eve_host(inv->eve)));
	json_object_set_new(doc, "generated", graph_ts_json(&now));
	json_object_set_new(doc, "first_seen", graph_ts_json(&inv->first_ts));
	json_object_set_new(doc, "last_seen", graph_ts_json(&inv->last_ts));
	json_object_set_new(doc, "stats", inv_stats_json(inv));
	v = inv_sorted_assets(inv, &n);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, asset_json(v[i]));
	free(v);
	json_object_set_new(doc, "assets", arr);
	arr = json_array();
	for (e = graph_first(inv->graph); e; e = graph_next(e))
		json_array_append_new(arr, graph_edge_json(e));
	json_object_set_new(doc, "edges", arr);
	return doc;
}
