/*
 * roles.c - role names and role inference: what an asset's traffic says it
 * is (PLC, HMI, engineering workstation, historian, scanner...).  See
 * inventory.h and otsentry-inventory(5).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "inventory_int.h"

static const struct ot_tok role_names[] = {
	{ INV_ROLE_UNKNOWN, "unknown" },
	{ INV_ROLE_PLC, "plc" },
	{ INV_ROLE_HMI, "hmi" },
	{ INV_ROLE_ENGINEERING, "engineering_workstation" },
	{ INV_ROLE_HISTORIAN, "historian" },
	{ INV_ROLE_SERVER, "server" },
	{ INV_ROLE_SCANNER, "scanner" },
	{ INV_ROLE_IT_HOST, "it_host" },
	{ INV_ROLE_ROUTER, "router" },
	{ 0, NULL },
};

static const struct ot_tok role_labels[] = {
	{ INV_ROLE_UNKNOWN, "unknown" },
	{ INV_ROLE_PLC, "PLC/RTU/outstation" },
	{ INV_ROLE_HMI, "HMI/SCADA master" },
	{ INV_ROLE_ENGINEERING, "engineering workstation" },
	{ INV_ROLE_HISTORIAN, "historian" },
	{ INV_ROLE_SERVER, "server" },
	{ INV_ROLE_SCANNER, "scanner" },
	{ INV_ROLE_IT_HOST, "IT host" },
	{ INV_ROLE_ROUTER, "router/gateway" },
	{ 0, NULL },
};

const char *inventory_role_name(enum inv_role r)
{
	return ot_tok_str(role_names, (int)r);
}

const char *inventory_role_label(enum inv_role r)
{
	return ot_tok_str(role_labels, (int)r);
}

/* ---- role inference ---- */


static void reason(struct role_reasons *rr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reason(struct role_reasons *rr, const char *fmt, ...)
{
	va_list ap;

	if (!rr || rr->n >= (int)(sizeof(rr->text) / sizeof(rr->text[0])))
		return;
	va_start(ap, fmt);
	vsnprintf(rr->text[rr->n++], sizeof(rr->text[0]), fmt, ap);
	va_end(ap);
}

/* The arguments are worked out only when the reasons are wanted: role
 * inference runs at every event, the reasons only when the role changes. */
#define REASON(rr, ...) do { if (rr) reason((rr), __VA_ARGS__); } while (0)

struct ot_totals {
	const struct inv_ot_sum *s;     /* the asset's running sums */
	const uint64_t *cat;            /* requests sent by category */
	int top_client, top_server;     /* protocol with most requests / answers */
};

/* The sums role inference decides on (kept by inventory.c as events
 * arrive); with_top: also the protocols the reasons name (a scan of the
 * per-protocol counters, done only when the reasons are wanted). */
static void ot_totals(const struct asset *a, struct ot_totals *t, int with_top)
{
	uint64_t best_c = 0, best_s = 0;
	int p;

	t->s = &a->ot_sum;
	t->cat = a->cat_sent_all;
	t->top_client = t->top_server = 0;
	for (p = 1; with_top && a->ot && p < OT_PROTO_COUNT; p++) {
		const struct inv_ot *o = &a->ot[p];

		if (o->req_sent > best_c) {
			best_c = o->req_sent;
			t->top_client = p;
		}
		if (o->resp_sent + o->unsol_sent + o->req_recv > best_s) {
			best_s = o->resp_sent + o->unsol_sent + o->req_recv;
			t->top_server = p;
		}
	}
}

/* IEC 104 names the two ends of a link: the controlling station starts data
 * transfer (STARTDT act) and sends interrogations and commands; the
 * controlled station (outstation) confirms STARTDT and sends monitoring
 * data.  The facts come from stations.c. */
static void iec104_reasons(const struct asset *a, struct role_reasons *rr)
{
	const struct inv_iec104 *s = a->iec104;
	int controlling, controlled;

	if (!rr || !inv_iec104_role(a, &controlling, &controlled))
		return;
	if (controlling)
		REASON(rr, "IEC 104 controlling station: STARTDT act x%llu, %llu interrogations, "
		       "%llu commands/set points, %llu clock syncs",
		       (unsigned long long)s->startdt_act, (unsigned long long)s->interrogations,
		       (unsigned long long)s->commands, (unsigned long long)s->clock_syncs);
	if (controlled)
		REASON(rr, "IEC 104 controlled station: STARTDT con x%llu, %llu monitoring ASDUs",
		       (unsigned long long)s->startdt_con, (unsigned long long)s->monitoring);
}

/* Thresholds of the role heuristics (documented in otsentry-inventory(5)). */
#define SCAN_MIN_UNITS     32   /* distinct Modbus unit ids addressed */
#define SWEEP_MAX_EACH     4    /* ... with fewer requests than this per target */
#define SCAN_MIN_FUNCS     24   /* distinct function codes requested */
#define SCAN_MIN_ERRORS    10   /* error responses, and at least half of all */
#define ENG_MIN_IDENTITY   5    /* identity / SZL requests, and >= 20% of all */
#define SERVER_MIN_CLIENTS 3    /* IT clients of a server */
#define HISTORIAN_MIN_CLIENTS 2 /* IT clients of an OT master that is a historian */

enum inv_role inv_infer_role(const struct asset *a, struct role_reasons *rr)
{
	struct ot_totals t;
	uint64_t prog;

	if (a->key_is_mac && (a->n_ipv4 >= INV_ROUTER_IPS || a->n_ips >= 2 * INV_ROUTER_IPS)) {
		REASON(rr, "%u IP addresses behind one MAC address", a->n_ips);
		return INV_ROLE_ROUTER;
	}
	if (a->key_is_mac && a->n_routed) {
		const struct inv_ip *r, *routed = NULL;

		for (r = a->ips; r; r = r->anext)
			if (r->hops != HOPS_UNKNOWN && r->hops > 0 && (!routed || r->hops > routed->hops))
				routed = r;
		if (routed) {
			char buf[OTS_IPSTR_LEN];

			REASON(rr, "traffic from %s arrives %u router hop(s) away (TTL) through this MAC: a gateway",
			       ot_ip_str(&routed->ip, buf, sizeof(buf)), routed->hops);
			return INV_ROLE_ROUTER;
		}
	}
	ot_totals(a, &t, rr != NULL);
	if (a->ot_port_servers >= SCAN_MIN_SERVERS && a->ot_port_servers >= 2 * a->ot_servers) {
		REASON(rr, "contacted %u hosts on OT ports, %u of them answered in an OT protocol",
		       a->ot_port_servers, a->ot_servers);
		return INV_ROLE_SCANNER;
	}
	if (t.s->req_sent) {
		int scan = 0;

		/* a sweep touches many targets a few times each; a master
		 * polls its many targets over and over */
		if (a->ot_servers >= SCAN_MIN_SERVERS && t.s->req_sent < SWEEP_MAX_EACH * a->ot_servers) {
			REASON(rr, "swept %u OT hosts with only %llu requests in all", a->ot_servers,
			       (unsigned long long)t.s->req_sent);
			scan = 1;
		}
		if (a->n_units >= SCAN_MIN_UNITS && t.s->req_sent < SWEEP_MAX_EACH * a->n_units) {
			REASON(rr, "swept %u Modbus unit ids with only %llu requests in all", a->n_units,
			       (unsigned long long)t.s->req_sent);
			scan = 1;
		}
		if (a->n_funcs >= SCAN_MIN_FUNCS) {
			REASON(rr, "tried %u different function codes", a->n_funcs);
			scan = 1;
		}
		if (t.s->errors_recv >= SCAN_MIN_ERRORS && t.s->errors_recv * 2 >= t.s->resp_recv) {
			REASON(rr, "%llu of %llu responses were errors or exceptions",
			       (unsigned long long)t.s->errors_recv, (unsigned long long)t.s->resp_recv);
			scan = 1;
		}
		if (scan)
			return INV_ROLE_SCANNER;
		prog = t.cat[OT_CAT_PROGRAM] + t.cat[OT_CAT_MODE];
		if (prog) {
			REASON(rr, "sent %llu program/mode requests (%llu program, %llu run/stop or restart)",
			       (unsigned long long)prog, (unsigned long long)t.cat[OT_CAT_PROGRAM],
			       (unsigned long long)t.cat[OT_CAT_MODE]);
			return INV_ROLE_ENGINEERING;
		}
		if (t.cat[OT_CAT_IDENTITY] >= ENG_MIN_IDENTITY &&
		    t.cat[OT_CAT_IDENTITY] * 5 >= t.s->req_sent) {
			REASON(rr, "identity/SZL-heavy: %llu of %llu requests read device identity",
			       (unsigned long long)t.cat[OT_CAT_IDENTITY], (unsigned long long)t.s->req_sent);
			return INV_ROLE_ENGINEERING;
		}
	}
	if (t.s->io_orig) {
		/* the EtherNet/IP scanner: it opens the cyclic I/O to its adapters */
		REASON(rr, "EtherNet/IP scanner: originated %llu class 0/1 I/O connection(s)",
		       (unsigned long long)t.s->io_orig);
		if (t.s->io_target)
			REASON(rr, "and is the adapter of %llu I/O connection(s) from others",
			       (unsigned long long)t.s->io_target);
		return INV_ROLE_PLC;
	}
	if (t.s->io_target)
		REASON(rr, "EtherNet/IP adapter: target of %llu class 0/1 I/O connection(s)",
		       (unsigned long long)t.s->io_target);
	if (t.s->resp_sent || t.s->unsol_sent) {
		REASON(rr, "answered %llu %s requests%s", (unsigned long long)t.s->resp_sent,
		       ot_proto_name((enum ot_proto)t.top_server),
		       t.s->unsol_sent ? " and sent unsolicited responses" : "");
		iec104_reasons(a, rr);
		return INV_ROLE_PLC;
	}
	if (t.s->req_sent) {
		enum inv_role r = INV_ROLE_HMI;

		if (a->it_clients >= HISTORIAN_MIN_CLIENTS) {
			REASON(rr, "polls OT devices and serves %u IT client(s)", a->it_clients);
			r = INV_ROLE_HISTORIAN;
		} else if (t.s->client_protos >= 2 && t.cat[OT_CAT_WRITE] + t.cat[OT_CAT_CONTROL] == 0) {
			REASON(rr, "collects: reads only, over %u OT protocols", t.s->client_protos);
			r = INV_ROLE_HISTORIAN;
		}
		REASON(rr, "sent %llu %s requests to %u server(s) (%llu reads, %llu writes, %llu controls)",
		       (unsigned long long)t.s->req_sent, ot_proto_name((enum ot_proto)t.top_client),
		       a->ot_servers, (unsigned long long)t.cat[OT_CAT_READ],
		       (unsigned long long)t.cat[OT_CAT_WRITE], (unsigned long long)t.cat[OT_CAT_CONTROL]);
		iec104_reasons(a, rr);
		return r;
	}
	if (t.s->req_recv) {
		REASON(rr, "received %llu %s requests (no answer seen)", (unsigned long long)t.s->req_recv,
		       ot_proto_name((enum ot_proto)t.top_server));
		return INV_ROLE_PLC;
	}
	if (a->it_clients >= SERVER_MIN_CLIENTS || (a->it_clients >= 2 && a->it_servers == 0)) {
		REASON(rr, "serves %u clients on IT protocols", a->it_clients);
		return INV_ROLE_SERVER;
	}
	if (a->it_clients || a->it_servers) {
		REASON(rr, "IT protocols only (%u as client, %u as server)", a->it_servers, a->it_clients);
		return INV_ROLE_IT_HOST;
	}
	REASON(rr, "no distinctive traffic seen");
	return INV_ROLE_UNKNOWN;
}
