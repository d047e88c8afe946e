/*
 * export.c - the inventory's files: the JSON document (--inventory) and the
 * graph pictures (--graph: Graphviz DOT or GraphML), each written
 * atomically.  See inventory.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "inventory_int.h"

static int dump_doc(FILE *fp, const json_t *doc)
{
	int rc = doc ? json_dumpf(doc, fp, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : -1;

	if (rc == 0)
		fputc('\n', fp);
	return rc < 0 || ferror(fp) ? -1 : 0;
}

static int write_doc(FILE *fp, const void *arg)
{
	json_t *doc = inventory_json(arg);
	int rc = dump_doc(fp, doc);

	json_decref(doc);
	return rc;
}

static int write_given_doc(FILE *fp, const void *arg)
{
	return dump_doc(fp, arg);
}

int inventory_write(const struct inventory *inv, const char *path, char *err, size_t errlen)
{
	return ots_atomic_write(path, write_doc, inv, err, errlen);
}

int inventory_doc_write(const json_t *doc, const char *path, char *err, size_t errlen)
{
	return ots_atomic_write(path, write_given_doc, doc, err, errlen);
}

/* Node descriptions for the graph writers; strings live in bufs. */
struct node_set {
	struct graph_node *nodes;
	char (*text)[3][96];
	size_t n;
};

static int node_set_build(const struct inventory *inv, struct node_set *ns)
{
	const struct asset **v;
	size_t i;

	memset(ns, 0, sizeof(*ns));
	v = inv_sorted_assets(inv, &ns->n);
	if (!v)
		return ns->n ? -1 : 0;
	ns->nodes = calloc(ns->n, sizeof(*ns->nodes));
	ns->text = calloc(ns->n, sizeof(*ns->text));
	if (!ns->nodes || !ns->text) {
		free(v);
		free(ns->nodes);
		free(ns->text);
		return -1;
	}
	for (i = 0; i < ns->n; i++) {
		const struct asset *a = v[i];
		struct graph_node *nd = &ns->nodes[i];
		const struct inv_ip *r;
		static const uint8_t model_keys[] = {
			OT_ID_MODEL, OT_ID_PRODUCT, OT_ID_MODULE, OT_ID_ORDER_NUMBER, OT_ID_PRODUCT_CODE,
		};
		char model[OT_IDENT_LEN] = "", vend[OT_IDENT_LEN] = "", *name = ns->text[i][0];
		uint16_t k;
		size_t m;

		nd->id = a->id;
		nd->role = inventory_role_name(a->role);
		nd->role_label = inventory_role_label(a->role);
		for (k = 0; k < a->n_facts; k++)
			if (a->facts[k].key == OT_ID_VENDOR && !vend[0])
				snprintf(vend, sizeof(vend), "%s", a->facts[k].value);
		for (m = 0; m < sizeof(model_keys) && !model[0]; m++)
			for (k = 0; k < a->n_facts && !model[0]; k++)
				if (a->facts[k].key == model_keys[m])
					snprintf(model, sizeof(model), "%s", a->facts[k].value);
		snprintf(name, 96, "%.40s%s%.50s", vend[0] ? vend : a->vendor ? a->vendor : "",
			 (vend[0] || a->vendor) && model[0] ? " " : "", model);
		nd->name = name;
		if (a->ips) {
			/* the address this asset was seen with first */
			const struct inv_ip *first = a->ips;

			for (r = a->ips; r; r = r->anext) {
				if (timercmp(&r->first, &first->first, <))
					first = r;
				nd->external |= r->geo.external;
			}
			ot_ip_str(&first->ip, ns->text[i][1], 96);
			if (a->n_ips > 1) {
				size_t l = strlen(ns->text[i][1]);

				snprintf(ns->text[i][1] + l, 96 - l, " (+%u)", a->n_ips - 1);
			}
			nd->ip = ns->text[i][1];
		}
		if (a->has_mac) {
			ot_mac_str(a->mac, ns->text[i][2], 96);
			nd->mac = ns->text[i][2];
		}
	}
	free(v);
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static int write_dot(FILE *fp, const void *arg)
{
	const struct inventory *inv = arg;
	struct node_set ns;
	int rc;

	if (node_set_build(inv, &ns) < 0)
		return -1;
	rc = graph_write_dot(inv->graph, ns.nodes, ns.n, fp);
	free(ns.nodes);
	free(ns.text);
	return rc;
}

static int write_graphml(FILE *fp, const void *arg)
{
	const struct inventory *inv = arg;
	struct node_set ns;
	int rc;

	if (node_set_build(inv, &ns) < 0)
		return -1;
	rc = graph_write_graphml(inv->graph, ns.nodes, ns.n, fp);
	free(ns.nodes);
	free(ns.text);
	return rc;
}

int inventory_graph_path_ok(const char *path)
{
	return ends_with(path, ".graphml") || ends_with(path, ".dot") || ends_with(path, ".gv");
}

int inventory_write_graph(const struct inventory *inv, const char *path, char *err, size_t errlen)
{
	if (ends_with(path, ".graphml"))
		return ots_atomic_write(path, write_graphml, inv, err, errlen);
	if (ends_with(path, ".dot") || ends_with(path, ".gv"))
		return ots_atomic_write(path, write_dot, inv, err, errlen);
	snprintf(err, errlen, "--graph %s: the name must end in .dot, .gv or .graphml", path);
	return -1;
}

/* ---- a document's picture (a merged site) ---- */

struct doc_graph {
	const json_t *doc;
	int graphml;
};

static const char *djstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The first value of an identity fact named key, or "". */
static const char *doc_fact(const json_t *a, const char *key)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(a, "identity"), i, f) {
		const char *k = djstr(f, "key"), *v = djstr(f, "value");

		if (k && v && strcmp(k, key) == 0)
			return v;
	}
	return "";
}

static int write_doc_graph(FILE *fp, const void *arg)
{
	static const uint8_t model_keys[] = {
		OT_ID_MODEL, OT_ID_PRODUCT, OT_ID_MODULE, OT_ID_ORDER_NUMBER, OT_ID_PRODUCT_CODE,
	};
	const struct doc_graph *dg = arg;
	json_t *assets = json_object_get(dg->doc, "assets"), *a, *x;
	struct graph_config gc = { 0, 1 };
	struct graph_node *nodes;
	char (*text)[3][96];
	struct graph *g;
	size_t n = json_array_size(assets), i, k;
	int rc = -1;

	gc.max_edges = (uint32_t)json_array_size(json_object_get(dg->doc, "edges")) + 1;
	nodes = calloc(n ? n : 1, sizeof(*nodes));
	text = calloc(n ? n : 1, sizeof(*text));
	g = graph_new(&gc);
	if (!nodes || !text || !g)
		goto out;
	json_array_foreach(assets, i, a) {
		struct graph_node *nd = &nodes[i];
		const char *vend = doc_fact(a, ot_ident_key_name(OT_ID_VENDOR)), *model = "";
		const char *first = NULL, *fs = NULL;
		size_t nips = json_array_size(json_object_get(a, "ips"));

		if (!vend[0])
			vend = djstr(a, "vendor") ? djstr(a, "vendor") : "";
		for (k = 0; k < sizeof(model_keys) && !model[0]; k++)
			model = doc_fact(a, ot_ident_key_name((enum ot_ident_key)model_keys[k]));
		nd->id = (uint64_t)json_integer_value(json_object_get(a, "id"));
		nd->role = djstr(a, "role") ? djstr(a, "role") : "unknown";
		nd->role_label = djstr(a, "role_label");
		snprintf(text[i][0], 96, "%.40s%s%.50s", vend, vend[0] && model[0] ? " " : "", model);
		nd->name = text[i][0];
		json_array_foreach(json_object_get(a, "ips"), k, x) {
			const char *t = djstr(x, "first_seen");

			if (djstr(x, "ip") && (!first || (t && fs && strcmp(t, fs) < 0))) {
				first = djstr(x, "ip");
				fs = t;
			}
			nd->external |= json_is_true(json_object_get(x, "external"));
		}
		if (first) {
			if (nips > 1)
				snprintf(text[i][1], 96, "%.60s (+%zu)", first, nips - 1);
			else
				snprintf(text[i][1], 96, "%.60s", first);
			nd->ip = text[i][1];
		}
		if (djstr(a, "mac")) {
			snprintf(text[i][2], 96, "%s", djstr(a, "mac"));
			nd->mac = text[i][2];
		}
	}
	json_array_foreach(json_object_get(dg->doc, "edges"), i, x)
		if (!graph_edge_restore(g, x))
			goto out;
	rc = dg->graphml ? graph_write_graphml(g, nodes, n, fp) : graph_write_dot(g, nodes, n, fp);
out:
	graph_free(g);
	free(nodes);
	free(text);
	return rc;
}

int inventory_doc_write_graph(const json_t *doc, const char *path, char *err, size_t errlen)
{
	struct doc_graph dg = { doc, ends_with(path, ".graphml") };

	if (!inventory_graph_path_ok(path)) {
		snprintf(err, errlen, "--graph %s: the name must end in .dot, .gv or .graphml", path);
		return -1;
	}
	return ots_atomic_write(path, write_doc_graph, &dg, err, errlen);
}
