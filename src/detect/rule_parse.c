/*
 * rule_parse.c - reading rule files: variables, headers (addresses, ports,
 * direction) and options.  The language is documented in
 * otsentry-rules(5); keyword meanings follow Suricata's modbus, dnp3_func,
 * dnp3_ind and dnp3_obj keywords (Suricata user guide, "Modbus Keyword"
 * and "DNP3 Keywords"), plus S7comm keywords of otsentry's own.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dissector.h"
#include "event.h"
#include "flow.h"
#include "keyword.h"
#include "rules_int.h"

struct classtype {
	const char *name, *desc;
	int prio;
};

static const struct classtype classtypes[] = {
	{ "not-suspicious", "Not Suspicious Traffic", 3 },
	{ "unknown", "Unknown Traffic", 3 },
	{ "bad-unknown", "Potentially Bad Traffic", 2 },
	{ "attempted-recon", "Attempted Information Leak", 2 },
	{ "successful-recon-limited", "Information Leak", 2 },
	{ "successful-recon-largescale", "Large Scale Information Leak", 2 },
	{ "attempted-dos", "Attempted Denial of Service", 2 },
	{ "successful-dos", "Denial of Service", 2 },
	{ "attempted-user", "Attempted User Privilege Gain", 1 },
	{ "unsuccessful-user", "Unsuccessful User Privilege Gain", 1 },
	{ "successful-user", "Successful User Privilege Gain", 1 },
	{ "attempted-admin", "Attempted Administrator Privilege Gain", 1 },
	{ "successful-admin", "Successful Administrator Privilege Gain", 1 },
	{ "suspicious-login", "An attempted login using a suspicious username was detected", 2 },
	{ "default-login-attempt", "Attempt to login by a default username and password", 2 },
	{ "system-call-detect", "A system call was detected", 2 },
	{ "network-scan", "Detection of a Network Scan", 3 },
	{ "denial-of-service", "Detection of a Denial of Service Attack", 2 },
	{ "non-standard-protocol", "Detection of a non-standard protocol or event", 2 },
	{ "protocol-command-decode", "Generic Protocol Command Decode", 3 },
	{ "misc-activity", "Misc activity", 3 },
	{ "misc-attack", "Misc Attack", 2 },
	{ "policy-violation", "Potential Corporate Privacy Violation", 1 },
	{ "unusual-client-port-connection", "A client was using an unusual port", 2 },
	{ "tcp-connection", "A TCP connection was detected", 4 },
	{ NULL, NULL, 0 }
};

/* ---- errors ---------------------------------------------------------- */

void rules_error_add(struct rules *rs, const char *file, int line, const char *fmt, ...)
{
	char msg[512], full[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s", file ? file : "-", line, msg);
	else
		snprintf(full, sizeof(full), "%s: %s", file ? file : "-", msg);
	if (rs->nerrors < RULES_MAX_ERRORS)
		rs->errors[rs->nerrors] = strdup(full);
	rs->nerrors++;
}

/* The parse context of one rule: where, and the first error. */
struct pctx {
	struct rules *rs;
	const char *file;
	int line;
	int failed;
	int depth;
	const char *wait_var;   /* first site variable named that has no value */
};

static void perr(struct pctx *pc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void perr(struct pctx *pc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (pc->failed)
		return;         /* the first reason is the one worth reading */
	pc->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rules_error_add(pc->rs, pc->file, pc->line, "%s", msg);
}

/* ---- small string helpers ------------------------------------------- */

/* ---- variables -------------------------------------------------------- */

static void rules_retry_waiting(struct rules *rs);

static struct rule_var *var_find(struct rules *rs, const char *name)
{
	int i;

	for (i = 0; i < rs->nvars; i++)
		if (strcmp(rs->vars[i].name, name) == 0)
			return &rs->vars[i];
	return NULL;
}

static int var_name_ok(const char *n)
{
	if (!n || !*n || !(isalpha((unsigned char)*n) || *n == '_'))
		return 0;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '_')
			return 0;
	return 1;
}

/* Set a variable; command-line ones (locked) are not overridden by files.
 * A NULL value declares a site variable: it creates the variable without
 * a value and leaves one that exists as it is. */
static int var_set(struct rules *rs, const char *name, const char *value, int locked)
{
	struct rule_var *v = var_find(rs, name);
	char *nv = NULL;

	if (v && v->locked && !locked)
		return 0;
	if (!value && v)
		return 0;
	if (value && !(nv = strdup(value)))
		return -1;
	if (!v) {
		if (rs->nvars >= RULES_MAX_VARS) {
			free(nv);
			return -1;
		}
		v = &rs->vars[rs->nvars++];
		v->name = strdup(name);
		v->value = NULL;
		if (!v->name) {
			rs->nvars--;
			free(nv);
			return -1;
		}
	}
	free(v->value);
	v->value = nv;
	v->locked = locked;
	return 0;
}

int rules_set_var(struct rules *rs, const char *name, const char *value)
{
	const char *n = name && name[0] == '$' ? name + 1 : name;

	if (!var_name_ok(n) || !value) {
		rules_error_add(rs, "--var", 0, "bad variable name '%s'", name ? name : "");
		return -1;
	}
	if (var_set(rs, n, value, 1) < 0) {
		rules_error_add(rs, "--var", 0, "too many variables");
		return -1;
	}
	if (rs->nwaiting)
		rules_retry_waiting(rs);
	return 0;
}

int rules_set_var_arg(struct rules *rs, const char *arg)
{
	const char *eq = arg ? strchr(arg, '=') : NULL;
	char name[128];

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		rules_error_add(rs, "--var", 0, "'%s' is not NAME=VALUE", arg ? arg : "");
		return -1;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = 0;
	return rules_set_var(rs, name, eq + 1);
}

/* ---- addresses and ports --------------------------------------------- */

void rules_net_free(struct net_node *n)
{
	int i;

	if (!n)
		return;
	for (i = 0; i < n->nkids; i++)
		rules_net_free(&n->kids[i]);
	free(n->kids);
	n->kids = NULL;
	n->nkids = 0;
}

static int parse_net(struct pctx *pc, const char *spec, int is_port, struct net_node *out);

static int parse_cidr(struct pctx *pc, const char *s, struct net_node *n)
{
	char buf[80];
	const char *slash = strchr(s, '/');
	int64_t plen;
	int maxlen;

	if (strlen(s) >= sizeof(buf)) {
		perr(pc, "bad address '%s'", s);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	if (slash)
		buf[slash - s] = 0;
	if (ot_ip_parse(buf, &n->ip) < 0) {
		perr(pc, "bad address '%s'", s);
		return -1;
	}
	maxlen = n->ip.ver == 4 ? 32 : 128;
	plen = maxlen;
	if (slash && ot_kw_uint(slash + 1, maxlen, &plen) < 0) {
		perr(pc, "bad prefix length in '%s'", s);
		return -1;
	}
	n->kind = NK_CIDR;
	n->plen = (uint8_t)plen;
	return 0;
}

static int parse_portrange(struct pctx *pc, const char *s, struct net_node *n)
{
	const char *colon = strchr(s, ':');
	int64_t lo = 0, hi = 65535;
	char buf[32];

	if (strlen(s) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", s);
	if (colon) {
		buf[colon - s] = 0;
		if (buf[0] && ot_kw_uint(buf, 65535, &lo) < 0)
			goto bad;
		if (colon[1] && ot_kw_uint(colon + 1, 65535, &hi) < 0)
			goto bad;
		if ((!buf[0] && !colon[1]) || lo > hi)
			goto bad;
	} else {
		if (ot_kw_uint(buf, 65535, &lo) < 0)
			goto bad;
		hi = lo;
	}
	n->kind = NK_PORTS;
	n->lo = (uint16_t)lo;
	n->hi = (uint16_t)hi;
	return 0;
bad:
	perr(pc, "bad port '%s'", s);
	return -1;
}

/* One item: !item, [list], any, $VAR, CIDR or port range. */
static int parse_item(struct pctx *pc, const char *s, int is_port, struct net_node *n)
{
	memset(n, 0, sizeof(*n));
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '!') {
		int r = parse_item(pc, s + 1, is_port, n);

		n->neg = (uint8_t)!n->neg;
		return r;
	}
	if (*s == 0) {
		perr(pc, "empty %s", is_port ? "port" : "address");
		return -1;
	}
	if (*s == '[' || *s == '$') {
		struct net_node inner;
		int r;

		if (*s == '$') {
			struct rule_var *v = var_find(pc->rs, s + 1);

			if (!v) {
				perr(pc, "undefined variable '%s'", s);
				return -1;
			}
			if (!v->value) {
				/* a site variable not set yet: the rest of the rule is
				 * still checked, then the rule waits (rules_parse_line) */
				if (!pc->wait_var)
					pc->wait_var = v->name;
				n->kind = NK_ANY;
				return 0;
			}
			s = v->value;
		}
		if (++pc->depth > RULES_MAX_DEPTH) {
			perr(pc, "%s nested too deep (variable loop?)", is_port ? "ports" : "addresses");
			return -1;
		}
		r = parse_net(pc, s, is_port, &inner);
		pc->depth--;
		if (r < 0)
			return -1;
		*n = inner;
		n->neg = 0;
		if (inner.neg) {
			/* a variable whose value is itself "!x": wrap it */
			n->kind = NK_LIST;
			n->kids = calloc(1, sizeof(*n->kids));
			if (!n->kids) {
				rules_net_free(&inner);
				perr(pc, "out of memory");
				return -1;
			}
			n->kids[0] = inner;
			n->nkids = 1;
		}
		return 0;
	}
	if (strcmp(s, "any") == 0) {
		n->kind = NK_ANY;
		return 0;
	}
	return is_port ? parse_portrange(pc, s, n) : parse_cidr(pc, s, n);
}

/* A whole address or port expression. */
static int parse_net(struct pctx *pc, const char *spec, int is_port, struct net_node *out)
{
	char *buf, *s, *parts[RULES_MAX_LIST];
	int n, i;
	size_t len;

	memset(out, 0, sizeof(*out));
	buf = strdup(spec);
	if (!buf) {
		perr(pc, "out of memory");
		return -1;
	}
	s = ot_kw_trim(buf);
	len = strlen(s);
	if (s[0] != '[') {
		n = parse_item(pc, s, is_port, out);
		free(buf);
		return n;
	}
	if (len < 2 || s[len - 1] != ']') {
		perr(pc, "unbalanced brackets in '%s'", spec);
		free(buf);
		return -1;
	}
	s[len - 1] = 0;
	s++;
	n = ot_kw_split(s, parts, RULES_MAX_LIST);
	if (n < 0) {
		perr(pc, "more than %d items in a list", RULES_MAX_LIST);
		free(buf);
		return -1;
	}
	out->kind = NK_LIST;
	out->kids = calloc((size_t)n, sizeof(*out->kids));
	if (!out->kids) {
		perr(pc, "out of memory");
		free(buf);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (parse_item(pc, parts[i], is_port, &out->kids[i]) < 0) {
			out->nkids = i;
			rules_net_free(out);
			free(buf);
			return -1;
		}
		out->nkids = i + 1;
	}
	free(buf);
	return 0;
}

static int cidr_match(const struct net_node *n, const struct ot_ip *ip)
{
	int full = n->plen / 8, rem = n->plen % 8, i;

	if (ip->ver != n->ip.ver)
		return 0;
	/* a few bytes, on every event of a rule with an address list */
	for (i = 0; i < full; i++)
		if (ip->a[i] != n->ip.a[i])
			return 0;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));

		if ((ip->a[full] & mask) != (n->ip.a[full] & mask))
			return 0;
	}
	return 1;
}

/* Value of a node ignoring its own negation. */
static int net_eval(const struct net_node *n, const struct ot_ip *ip, int port)
{
	int i, has_pos = 0, pos = 0, negm = 0;

	switch (n->kind) {
	case NK_ANY:
		return 1;
	case NK_CIDR:
		return ip ? cidr_match(n, ip) : 0;
	case NK_PORTS:
		return port >= n->lo && port <= n->hi;
	default:
		break;
	}
	for (i = 0; i < n->nkids; i++) {
		int v = net_eval(&n->kids[i], ip, port);

		if (n->kids[i].neg) {
			negm |= v;
		} else {
			has_pos = 1;
			pos |= v;
		}
	}
	return (has_pos ? pos : 1) && !negm;
}

int rules_addr_match(const struct net_node *n, const struct ot_ip *ip)
{
	int v = net_eval(n, ip, -1);

	return n->neg ? !v : v;
}

int rules_port_match(const struct net_node *n, uint16_t port)
{
	int v = net_eval(n, NULL, port);

	return n->neg ? !v : v;
}

/* ---- compiled address and port expressions (rules_int.h) ------------ */

struct map_points {
	uint64_t *v;            /* IPv4 / port: one per point; IPv6: pairs */
	size_t n, cap;          /* points */
	int wide;               /* IPv6 */
	int full;               /* more than RULES_MAP_MAX_POINTS */
};

static int points_add(struct map_points *p, uint64_t hi, uint64_t lo)
{
	size_t w = p->wide ? 2 : 1;

	if (p->n >= RULES_MAP_MAX_POINTS) {
		p->full = 1;
		return -1;
	}
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 16;
		uint64_t *nv = realloc(p->v, nc * w * sizeof(*nv));

		if (!nv) {
			p->full = 1;
			return -1;
		}
		p->v = nv;
		p->cap = nc;
	}
	if (p->wide) {
		p->v[2 * p->n] = hi;
		p->v[2 * p->n + 1] = lo;
	} else {
		p->v[p->n] = lo;
	}
	p->n++;
	return 0;
}

static uint64_t be64(const uint8_t *a)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | a[i];
	return v;
}

/* The first and the one-past-last key of every leaf of n in p's key space
 * (ver 4 or 6 for addresses, 0 for ports): where a leaf's result changes. */
static void points_collect(struct map_points *p, const struct net_node *n, int ver)
{
	int i;

	switch (n->kind) {
	case NK_PORTS:
		if (ver == 0) {
			points_add(p, 0, n->lo);
			if (n->hi < 65535)
				points_add(p, 0, (uint64_t)n->hi + 1);
		}
		return;
	case NK_CIDR:
		if (n->ip.ver != ver || ver == 0)
			return;
		if (ver == 4) {
			uint64_t a = (uint64_t)n->ip.a[0] << 24 | (uint64_t)n->ip.a[1] << 16 |
				     (uint64_t)n->ip.a[2] << 8 | n->ip.a[3];
			uint64_t span = n->plen >= 32 ? 1 : 1ULL << (32 - n->plen);

			a &= ~(span - 1);
			points_add(p, 0, a);
			if (a + span <= 0xffffffffULL)
				points_add(p, 0, a + span);
		} else {
			uint64_t hi = be64(n->ip.a), lo = be64(n->ip.a + 8);
			uint64_t mhi, mlo;      /* the host bits */

			if (n->plen >= 128)
				mhi = mlo = 0;
			else if (n->plen >= 64)
				mhi = 0, mlo = ~0ULL >> (n->plen - 64);
			else
				mhi = n->plen ? ~0ULL >> n->plen : ~0ULL, mlo = ~0ULL;
			hi &= ~mhi;
			lo &= ~mlo;
			points_add(p, hi, lo);
			/* one past the last: (hi | mhi, lo | mlo) + 1 */
			hi |= mhi;
			lo |= mlo;
			if (++lo == 0)
				hi++;
			if (hi || lo)   /* did not wrap past the top */
				points_add(p, hi, lo);
		}
		return;
	case NK_LIST:
		for (i = 0; i < n->nkids && !p->full; i++)
			points_collect(p, &n->kids[i], ver);
		return;
	default:
		return;
	}
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static int cmp_u128(const void *x, const void *y)
{
	const uint64_t *a = x, *b = y;

	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

/* The slow result at one key of p's space. */
static int key_eval(const struct net_node *n, int ver, uint64_t hi, uint64_t lo)
{
	struct ot_ip ip;
	int i;

	if (ver == 0)
		return rules_port_match(n, (uint16_t)lo);
	memset(&ip, 0, sizeof(ip));
	ip.ver = (uint8_t)ver;
	if (ver == 4) {
		for (i = 0; i < 4; i++)
			ip.a[i] = (uint8_t)(lo >> (24 - 8 * i));
	} else {
		for (i = 0; i < 8; i++) {
			ip.a[i] = (uint8_t)(hi >> (56 - 8 * i));
			ip.a[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
		}
	}
	return rules_addr_match(n, &ip);
}

/* Points of n in one key space, sorted, kept where the result flips;
 * *first: the result below the first. */
static int space_build(const struct net_node *n, int ver, uint8_t *first,
		       uint64_t **out, uint32_t *nout)
{
	struct map_points p;
	size_t i, k = 0, w;
	int prev;

	memset(&p, 0, sizeof(p));
	p.wide = ver == 6;
	w = p.wide ? 2 : 1;
	points_collect(&p, n, ver);
	if (p.full) {
		free(p.v);
		return -1;
	}
	if (p.n)
		qsort(p.v, p.n, w * sizeof(uint64_t), p.wide ? cmp_u128 : cmp_u64);
	prev = *first = (uint8_t)key_eval(n, ver, 0, 0);
	for (i = 0; i < p.n; i++) {
		uint64_t hi = p.wide ? p.v[2 * i] : 0, lo = p.v[w * i + w - 1];
		int v;

		if (k && (p.wide ? p.v[2 * (k - 1)] == hi && p.v[2 * k - 1] == lo :
			  p.v[k - 1] == lo))
			continue;       /* the same point again */
		v = key_eval(n, ver, hi, lo);
		if (v == prev)
			continue;
		prev = v;
		if (p.wide) {
			p.v[2 * k] = hi;
			p.v[2 * k + 1] = lo;
		} else {
			p.v[k] = lo;
		}
		k++;
	}
	*out = p.v;
	*nout = (uint32_t)k;
	return 0;
}

void rules_map_free(struct net_map *m)
{
	free(m->b4);
	free(m->b6);
	memset(m, 0, sizeof(*m));
}

int rules_map_build(struct net_map *m, const struct net_node *n, int is_port)
{
	uint64_t *v4 = NULL, *v6 = NULL;
	uint32_t i;

	memset(m, 0, sizeof(*m));
	if (space_build(n, is_port ? 0 : 4, &m->first4, &v4, &m->n4) < 0)
		goto fail;
	if (!is_port && space_build(n, 6, &m->first6, &v6, &m->n6) < 0)
		goto fail;
	/* IPv4 and ports fit 32 bits */
	if (m->n4 && !(m->b4 = malloc(m->n4 * sizeof(*m->b4))))
		goto fail;
	for (i = 0; i < m->n4; i++)
		m->b4[i] = (uint32_t)v4[i];
	free(v4);
	m->b6 = v6;
	m->ok = 1;
	return 0;
fail:
	free(v4);
	free(v6);
	rules_map_free(m);
	return -1;
}

/* Points <= k in b[0..n), ascending. */
static uint32_t upper32(const uint32_t *b, uint32_t n, uint32_t k)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (b[mid] <= k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int rules_addr_map_match(const struct net_map *m, const struct net_node *n,
			 const struct ot_ip *ip)
{
	if (!m->ok || (ip->ver != 4 && ip->ver != 6))
		return rules_addr_match(n, ip);
	if (ip->ver == 4) {
		uint32_t k = (uint32_t)ip->a[0] << 24 | (uint32_t)ip->a[1] << 16 |
			     (uint32_t)ip->a[2] << 8 | ip->a[3];

		return m->first4 ^ (upper32(m->b4, m->n4, k) & 1);
	} else {
		uint64_t hi = be64(ip->a), lo = be64(ip->a + 8);
		uint32_t a = 0, b = m->n6;

		while (a < b) {
			uint32_t mid = a + (b - a) / 2;
			const uint64_t *p = &m->b6[2 * mid];

			if (p[0] < hi || (p[0] == hi && p[1] <= lo))
				a = mid + 1;
			else
				b = mid;
		}
		return m->first6 ^ (a & 1);
	}
}

int rules_port_map_match(const struct net_map *m, const struct net_node *n, uint16_t port)
{
	if (!m->ok)
		return rules_port_match(n, port);
	return m->first4 ^ (upper32(m->b4, m->n4, port) & 1);
}

/* ---- protocol keywords ---------------------------------------------- */

static struct ot_rule_check *new_check(struct pctx *pc, struct rule *r, int op)
{
	struct ot_rule_check *c;

	if (r->nchecks >= RULES_MAX_CHECKS) {
		perr(pc, "more than %d protocol keywords", RULES_MAX_CHECKS);
		return NULL;
	}
	c = &r->checks[r->nchecks++];
	memset(c, 0, sizeof(*c));
	c->op = (uint8_t)op;
	c->b = -1;
	return c;
}

/* Every protocol keyword binds the rule to one OT protocol. */
static int bind_proto(struct pctx *pc, struct rule *r, enum ot_proto p, const char *kw)
{
	if (r->proto == RP_OT && r->ot_proto != p) {
		perr(pc, "keyword '%s' does not apply to this rule's protocol", kw);
		return -1;
	}
	if (r->ot_proto && r->ot_proto != p) {
		perr(pc, "keyword '%s' mixes protocols", kw);
		return -1;
	}
	r->ot_proto = (uint8_t)p;
	return 0;
}

/* The row of a protocol keyword and its protocol, or NULL. */
static const struct ot_keyword *find_keyword(const char *name, enum ot_proto *proto)
{
	const struct dissector *const *l;
	const struct ot_keyword *k;
	size_t i, n;

	l = dissector_list(&n);
	for (i = 0; i < n; i++) {
		for (k = l[i]->keywords; k && k->name; k++) {
			if (strcmp(k->name, name) == 0 || (k->alias && strcmp(k->alias, name) == 0)) {
				*proto = l[i]->proto;
				return k;
			}
		}
	}
	return NULL;
}

/* A protocol keyword: its row compiles the value into checks. */
static int kw_protocol(struct pctx *pc, struct rule *r, const struct ot_keyword *k,
		       enum ot_proto p, char *val)
{
	struct ot_rule_check tmp[RULES_MAX_CHECKS];
	char err[OT_KW_ERR_LEN];
	int i, n, room = RULES_MAX_CHECKS - r->nchecks;

	if (bind_proto(pc, r, p, k->name) < 0)
		return -1;
	if (room <= 0) {
		perr(pc, "more than %d protocol keywords", RULES_MAX_CHECKS);
		return -1;
	}
	memset(tmp, 0, sizeof(tmp));
	for (i = 0; i < room; i++)
		tmp[i].b = -1;
	err[0] = 0;
	n = k->parse(ot_kw_trim(val), tmp, room, err, sizeof(err));
	if (n < 0 || n > room) {
		perr(pc, "%s: %s", k->name, err[0] ? err : "bad value");
		return -1;
	}
	for (i = 0; i < n; i++) {
		tmp[i].kw = k;
		r->checks[r->nchecks++] = tmp[i];
	}
	return 0;
}

static int kw_flow(struct pctx *pc, struct rule *r, char *arg)
{
	char *parts[4];
	int n, i, dir = 0;
	struct ot_rule_check *c;

	n = ot_kw_split(arg, parts, 4);
	for (i = 0; i < n; i++) {
		if (!strcmp(parts[i], "to_server") || !strcmp(parts[i], "from_client"))
			dir = 1;
		else if (!strcmp(parts[i], "to_client") || !strcmp(parts[i], "from_server"))
			dir = 2;
		else if (strcmp(parts[i], "established") && strcmp(parts[i], "not_established") &&
			 strcmp(parts[i], "stateless")) {
			perr(pc, "flow: unknown option '%s'", parts[i]);
			return -1;
		}
	}
	if (n < 1) {
		perr(pc, "flow: expected to_server or to_client");
		return -1;
	}
	if (!dir)
		return 0;
	if (!(c = new_check(pc, r, CK_FLOW)))
		return -1;
	c->a = dir;
	return 0;
}

/* app-layer-event: PROTO.NAME -- an anomaly event of that protocol. */
static int kw_app_event(struct pctx *pc, struct rule *r, char *arg)
{
	char *dot = strchr(arg = ot_kw_trim(arg), '.');
	const struct dissector *d;
	const struct ot_event_alias *al;
	const char *name;
	struct ot_rule_check *c;
	enum ot_proto p;
	size_t i;

	if (!dot) {
		perr(pc, "app-layer-event: expected PROTOCOL.EVENT, not '%s'", arg);
		return -1;
	}
	*dot = 0;
	name = dot + 1;
	p = ot_proto_from_name(arg);
	if (p == OT_PROTO_UNKNOWN) {
		perr(pc, "app-layer-event: unknown protocol '%s'", arg);
		return -1;
	}
	for (i = 0; name[i]; i++)
		if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) && name[i] != '_')
			break;
	if (!*name || name[i] || i >= sizeof(c->str)) {
		perr(pc, "app-layer-event: bad event name '%s'", name);
		return -1;
	}
	if (bind_proto(pc, r, p, "app-layer-event") < 0 || !(c = new_check(pc, r, CK_APP_EVENT)))
		return -1;
	/* other engines' names for the protocol's anomaly reasons */
	d = dissector_by_proto(p);
	for (al = d ? d->event_aliases : NULL; al && al->name; al++)
		if (strcmp(al->name, name) == 0)
			name = al->reason;
	snprintf(c->str, sizeof(c->str), "%s", name);
	return 0;
}

/* stream-event: NAME -- one of the TCP stream layer's anomalies, by its
 * code without the "stream." prefix (Suricata's stream-event names). */
static int kw_stream_event(struct pctx *pc, struct rule *r, char *arg)
{
	const char *name = ot_kw_trim(arg), *reason;
	struct ot_rule_check *c;
	int i;

	if (r->proto == RP_UDP) {
		perr(pc, "stream-event: applies to tcp rules");
		return -1;
	}
	for (i = 0; (reason = flow_stream_anomaly_reason(i)) != NULL; i++)
		if (strcmp(reason + 7, name) == 0)
			break;
	if (!reason) {
		perr(pc, "stream-event: unknown event '%s'", name);
		return -1;
	}
	if (!(c = new_check(pc, r, CK_STREAM_EVENT)))
		return -1;
	c->a = i;
	return 0;
}

/* app-layer-protocol: PROTO -- binds a tcp/udp/ip rule to an OT protocol. */
static int kw_app_proto(struct pctx *pc, struct rule *r, char *arg)
{
	enum ot_proto p = ot_proto_from_name(ot_kw_trim(arg));

	if (p == OT_PROTO_UNKNOWN) {
		perr(pc, "app-layer-protocol: unknown protocol '%s'", ot_kw_trim(arg));
		return -1;
	}
	return bind_proto(pc, r, p, "app-layer-protocol");
}

/* ---- generic options ------------------------------------------------- */

/* metadata: key value, key value ...  -> {"key": ["value", ...]} */
static int kw_metadata(struct pctx *pc, struct rule *r, char *arg)
{
	char *parts[32];
	int n, i;

	n = ot_kw_split(arg, parts, 32);
	if (n < 1) {
		perr(pc, "metadata: at most 32 entries");
		return -1;
	}
	for (i = 0; i < n; i++) {
		char *k = parts[i], *v = k + strcspn(k, " \t");
		json_t *arr;

		if (*v)
			*v++ = 0;
		v = ot_kw_trim(v);
		if (!*k || !*v) {
			perr(pc, "metadata: expected 'key value', not '%s'", parts[i]);
			return -1;
		}
		arr = json_object_get(r->metadata, k);
		if (!arr) {
			arr = json_array();
			json_object_set_new(r->metadata, k, arr);
		}
		json_array_append_new(arr, json_string(v));
	}
	return 0;
}

static int kw_threshold(struct pctx *pc, struct rule *r, char *arg)
{
	char *parts[4];
	int n, i, seen = 0;
	int64_t v;

	n = ot_kw_split(arg, parts, 4);
	if (n != 4) {
		perr(pc, "threshold: expected type, track, count and seconds");
		return -1;
	}
	for (i = 0; i < n; i++) {
		char *k = parts[i], *val = k + strcspn(k, " \t");

		if (*val)
			*val++ = 0;
		val = ot_kw_trim(val);
		if (!strcmp(k, "type")) {
			if (!strcmp(val, "limit"))
				r->th_type = TH_LIMIT;
			else if (!strcmp(val, "threshold"))
				r->th_type = TH_THRESHOLD;
			else if (!strcmp(val, "both"))
				r->th_type = TH_BOTH;
			else {
				perr(pc, "threshold: unknown type '%s'", val);
				return -1;
			}
			seen |= 1;
		} else if (!strcmp(k, "track")) {
			if (!strcmp(val, "by_src"))
				r->th_track = TT_BY_SRC;
			else if (!strcmp(val, "by_dst"))
				r->th_track = TT_BY_DST;
			else if (!strcmp(val, "by_rule"))
				r->th_track = TT_BY_RULE;
			else {
				perr(pc, "threshold: unknown track '%s'", val);
				return -1;
			}
			seen |= 2;
		} else if (!strcmp(k, "count")) {
			if (ot_kw_uint(val, 1000000000, &v) < 0 || v == 0) {
				perr(pc, "threshold: bad count '%s'", val);
				return -1;
			}
			r->th_count = (uint32_t)v;
			seen |= 4;
		} else if (!strcmp(k, "seconds")) {
			if (ot_kw_uint(val, 100000000, &v) < 0 || v == 0) {
				perr(pc, "threshold: bad seconds '%s'", val);
				return -1;
			}
			r->th_seconds = (uint32_t)v;
			seen |= 8;
		} else {
			perr(pc, "threshold: unknown setting '%s'", k);
			return -1;
		}
	}
	if (seen != 15) {
		perr(pc, "threshold: expected type, track, count and seconds");
		return -1;
	}
	return 0;
}

static int set_string(struct pctx *pc, char **dst, const char *v, const char *kw)
{
	if (*dst) {
		perr(pc, "%s given twice", kw);
		return -1;
	}
	*dst = strdup(v);
	if (!*dst) {
		perr(pc, "out of memory");
		return -1;
	}
	return 0;
}

/* A quoted string value with \" \; \\ escapes removed. */
static int unquote(struct pctx *pc, char *v, const char *kw)
{
	size_t n = strlen(v), i, o = 0;

	if (n < 2 || v[0] != '"' || v[n - 1] != '"') {
		perr(pc, "%s: value must be in double quotes", kw);
		return -1;
	}
	for (i = 1; i + 1 < n; i++) {
		if (v[i] == '\\' && i + 2 < n)
			i++;
		v[o++] = v[i];
	}
	v[o] = 0;
	return 0;
}

static int opt_number(struct pctx *pc, const char *v, const char *kw, int64_t max, int64_t *out)
{
	if (ot_kw_uint(v, max, out) < 0) {
		perr(pc, "%s: '%s' is not a number up to %lld", kw, v, (long long)max);
		return -1;
	}
	return 0;
}

static int apply_option(struct pctx *pc, struct rule *r, char *key, char *val, int *have_sid)
{
	int64_t v;
	int i;

	if (!strcmp(key, "msg")) {
		if (!val || unquote(pc, val, "msg") < 0)
			return val ? -1 : (perr(pc, "msg needs a value"), -1);
		return set_string(pc, &r->msg, val, "msg");
	}
	if (!val) {
		perr(pc, "%s needs a value", key);
		return -1;
	}
	if (!strcmp(key, "sid")) {
		if (opt_number(pc, val, "sid", UINT32_MAX, &v) < 0)
			return -1;
		if (v == 0) {
			perr(pc, "sid must not be 0");
			return -1;
		}
		r->sid = (uint32_t)v;
		*have_sid = 1;
		return 0;
	}
	if (!strcmp(key, "rev")) {
		if (opt_number(pc, val, "rev", UINT32_MAX, &v) < 0)
			return -1;
		r->rev = (uint32_t)v;
		return 0;
	}
	if (!strcmp(key, "gid")) {
		if (opt_number(pc, val, "gid", UINT32_MAX, &v) < 0)
			return -1;
		r->gid = (uint32_t)v;
		return 0;
	}
	if (!strcmp(key, "priority") || !strcmp(key, "severity")) {
		if (opt_number(pc, val, key, 255, &v) < 0)
			return -1;
		if (v == 0) {
			perr(pc, "%s must be 1 or more", key);
			return -1;
		}
		r->severity = (int)v;
		return 0;
	}
	if (!strcmp(key, "classtype")) {
		for (i = 0; classtypes[i].name; i++)
			if (!strcmp(classtypes[i].name, val))
				break;
		if (!classtypes[i].name) {
			perr(pc, "unknown classtype '%s'", val);
			return -1;
		}
		if (!r->severity)
			r->severity = classtypes[i].prio;
		return set_string(pc, &r->category, classtypes[i].desc, "classtype/category");
	}
	if (!strcmp(key, "category")) {
		if (val[0] == '"' && unquote(pc, val, "category") < 0)
			return -1;
		return set_string(pc, &r->category, val, "classtype/category");
	}
	if (!strcmp(key, "metadata"))
		return kw_metadata(pc, r, val);
	if (!strcmp(key, "threshold"))
		return kw_threshold(pc, r, val);
	if (!strcmp(key, "reference"))
		return 0;       /* accepted, not used */
	if (!strcmp(key, "flow"))
		return kw_flow(pc, r, val);
	if (!strcmp(key, "app-layer-event"))
		return kw_app_event(pc, r, val);
	if (!strcmp(key, "app-layer-protocol"))
		return kw_app_proto(pc, r, val);
	if (!strcmp(key, "stream-event"))
		return kw_stream_event(pc, r, val);
	{
		enum ot_proto p;
		const struct ot_keyword *k = find_keyword(key, &p);

		if (k)
			return kw_protocol(pc, r, k, p, val);
	}
	perr(pc, "unknown keyword '%s'", key);
	return -1;
}

/* Walk "key:value; key; ..." (quotes and backslash escapes respected). */
static int parse_options(struct pctx *pc, struct rule *r, char *s)
{
	int have_sid = 0;

	while (*s) {
		char *start, *key, *val = NULL, *colon;
		int inq = 0;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		start = s;
		for (; *s; s++) {
			if (*s == '\\' && s[1]) {
				s++;
				continue;
			}
			if (*s == '"')
				inq = !inq;
			else if (*s == ';' && !inq)
				break;
		}
		if (inq) {
			perr(pc, "unterminated quote");
			return -1;
		}
		if (*s != ';') {
			perr(pc, "option '%s' not terminated by ';'", ot_kw_trim(start));
			return -1;
		}
		*s++ = 0;
		colon = strchr(start, ':');
		if (colon) {
			*colon = 0;
			val = ot_kw_trim(colon + 1);
		}
		key = ot_kw_trim(start);
		if (!*key) {
			perr(pc, "empty option");
			return -1;
		}
		if (apply_option(pc, r, key, val, &have_sid) < 0)
			return -1;
	}
	if (!have_sid) {
		perr(pc, "rule has no sid");
		return -1;
	}
	return 0;
}

/* ---- header ----------------------------------------------------------- */

/* Next whitespace-separated token, brackets kept whole. */
static char *next_token(char **sp)
{
	char *s = *sp, *t;
	int depth = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return NULL;
	t = s;
	for (; *s; s++) {
		if (*s == '[')
			depth++;
		else if (*s == ']')
			depth--;
		else if (isspace((unsigned char)*s) && depth <= 0)
			break;
	}
	if (*s)
		*s++ = 0;
	*sp = s;
	return t;
}

static const struct ot_tok rule_protos[] = {
	{ RP_IP, "ip" }, { RP_TCP, "tcp" }, { RP_UDP, "udp" },
	{ 0, NULL }
};

void rules_rule_free(struct rule *r)
{
	if (!r)
		return;
	rules_net_free(&r->src);
	rules_net_free(&r->dst);
	rules_net_free(&r->sport);
	rules_net_free(&r->dport);
	rules_map_free(&r->msrc);
	rules_map_free(&r->mdst);
	rules_map_free(&r->msport);
	rules_map_free(&r->mdport);
	free(r->msg);
	free(r->category);
	free(r->file);
	json_decref(r->metadata);
	free(r);
}

/*
 * var NAME VALUE, or site_var NAME (kw "site_var"): a variable only the
 * site can give a value (its operator hosts, say); until it has one, the
 * rules that name it wait.
 */
static int parse_var_line(struct pctx *pc, const char *kw, char *s)
{
	int site = strcmp(kw, "site_var") == 0;
	char *name = next_token(&s);
	char *value = s ? ot_kw_trim(s) : NULL;

	if (!name || (site ? value && *value : !value || !*value)) {
		perr(pc, "%s: expected '%s NAME%s'", kw, kw, site ? "" : " VALUE");
		return -1;
	}
	if (name[0] == '$')
		name++;
	if (!var_name_ok(name)) {
		perr(pc, "%s: bad variable name '%s'", kw, name);
		return -1;
	}
	if (var_set(pc->rs, name, site ? NULL : value, 0) < 0) {
		perr(pc, "%s: too many variables", kw);
		return -1;
	}
	return 0;
}

/* A sid already loaded or waiting: recorded as an error, 1. */
static int sid_taken(struct rules *rs, const struct rule *r, struct pctx *pc)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->rules[i]->sid == r->sid && rs->rules[i]->gid == r->gid) {
			perr(pc, "duplicate sid %u (first at %s:%d)", r->sid,
			     rs->rules[i]->file, rs->rules[i]->line);
			return 1;
		}
	for (i = 0; i < rs->nwaiting; i++)
		if (rs->waiting[i].sid == r->sid && rs->waiting[i].gid == r->gid) {
			perr(pc, "duplicate sid %u (first at %s:%d)", r->sid,
			     rs->waiting[i].file, rs->waiting[i].line);
			return 1;
		}
	return 0;
}

void rules_wait_free(struct rule_wait *w)
{
	if (!w)
		return;
	free(w->text);
	free(w->file);
	free(w->var);
	memset(w, 0, sizeof(*w));
}

/* A rule that parsed but names an unset site variable: kept as text. */
static int add_waiting(struct rules *rs, const struct rule *r, const char *text,
		       struct pctx *pc)
{
	struct rule_wait *w;

	if (sid_taken(rs, r, pc))
		return -1;
	if (rs->nwaiting == rs->capwaiting) {
		size_t nc = rs->capwaiting ? rs->capwaiting * 2 : 16;
		struct rule_wait *nw = realloc(rs->waiting, nc * sizeof(*nw));

		if (!nw) {
			perr(pc, "out of memory");
			return -1;
		}
		rs->waiting = nw;
		rs->capwaiting = nc;
	}
	w = &rs->waiting[rs->nwaiting];
	memset(w, 0, sizeof(*w));
	w->text = strdup(text);
	w->file = strdup(pc->file ? pc->file : "-");
	w->var = strdup(pc->wait_var);
	w->line = pc->line;
	w->sid = r->sid;
	w->gid = r->gid;
	if (!w->text || !w->file || !w->var) {
		rules_wait_free(w);
		perr(pc, "out of memory");
		return -1;
	}
	rs->nwaiting++;
	return 0;
}

/* Parse again the waiting rules whose variable has a value now.  A rule
 * that still names another unset variable goes back to the end of the
 * list, past the loop's reach. */
static void rules_retry_waiting(struct rules *rs)
{
	size_t i = 0, end = rs->nwaiting;

	while (i < end) {
		struct rule_wait w = rs->waiting[i];
		struct rule_var *v = var_find(rs, w.var);

		if (!v || !v->value) {
			i++;
			continue;
		}
		memmove(&rs->waiting[i], &rs->waiting[i + 1],
			(rs->nwaiting - i - 1) * sizeof(rs->waiting[0]));
		rs->nwaiting--;
		end--;
		rules_parse_line(rs, w.text, w.file, w.line);
		rules_wait_free(&w);
	}
}

static int add_rule(struct rules *rs, struct rule *r, struct pctx *pc)
{
	if (sid_taken(rs, r, pc))
		return -1;
	/* The header compiled for lookup; an expression that does not compile
	 * (rules_int.h) is walked instead, with the same result. */
	rules_map_build(&r->msrc, &r->src, 0);
	rules_map_build(&r->mdst, &r->dst, 0);
	rules_map_build(&r->msport, &r->sport, 1);
	rules_map_build(&r->mdport, &r->dport, 1);
	if (rs->n == rs->cap) {
		size_t nc = rs->cap ? rs->cap * 2 : 64;
		struct rule **nr = realloc(rs->rules, nc * sizeof(*nr));

		if (!nr) {
			perr(pc, "out of memory");
			return -1;
		}
		rs->rules = nr;
		rs->cap = nc;
	}
	rs->rules[rs->n++] = r;
	return 0;
}

int rules_parse_line(struct rules *rs, const char *text, const char *file, int line)
{
	struct pctx pc = { rs, file, line, 0, 0, NULL };
	char *buf, *s, *tok, *open, *close;
	struct rule *r = NULL;
	int code;

	buf = strdup(text);
	if (!buf) {
		rules_error_add(rs, file, line, "out of memory");
		return -1;
	}
	s = ot_kw_trim(buf);
	tok = next_token(&s);
	if (!tok)
		goto ok;
	if (!strcmp(tok, "var") || !strcmp(tok, "site_var")) {
		if (parse_var_line(&pc, tok, s) < 0)
			goto fail;
		goto ok;
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->metadata = json_object())) {
		perr(&pc, "out of memory");
		goto fail;
	}
	r->gid = 1;
	r->line = line;
	r->file = strdup(file ? file : "-");
	if (!strcmp(tok, "alert") || !strcmp(tok, "drop") || !strcmp(tok, "reject"))
		r->action = RA_ALERT;
	else if (!strcmp(tok, "pass"))
		r->action = RA_PASS;
	else {
		perr(&pc, "unknown action '%s'", tok);
		goto fail;
	}
	open = strchr(s, '(');
	close = strrchr(s, ')');
	if (!open || !close || close < open) {
		perr(&pc, "rule options must be in parentheses");
		goto fail;
	}
	if (*ot_kw_trim(close + 1)) {
		perr(&pc, "text after the closing parenthesis");
		goto fail;
	}
	*open = 0;
	*close = 0;
	{
		int depth = 0;
		const char *q;

		for (q = s; *q && depth >= 0; q++)
			depth += (*q == '[') - (*q == ']');
		if (depth != 0) {
			perr(&pc, "unbalanced brackets in the header");
			goto fail;
		}
	}
	tok = next_token(&s);
	if (tok && ot_tok_code(rule_protos, tok, &code) == 0) {
		r->proto = (uint8_t)code;
	} else if (tok && ot_proto_from_name(tok) != OT_PROTO_UNKNOWN) {
		r->proto = RP_OT;
		r->ot_proto = (uint8_t)ot_proto_from_name(tok);
	} else {
		perr(&pc, "unknown protocol '%s'", tok ? tok : "");
		goto fail;
	}
	{
		char *src = next_token(&s), *sport = next_token(&s), *dir = next_token(&s);
		char *dst = next_token(&s), *dport = next_token(&s);

		if (!dport) {
			perr(&pc, "incomplete header: expected 'proto src sport -> dst dport'");
			goto fail;
		}
		if (next_token(&s)) {
			perr(&pc, "unexpected text in the header before '('");
			goto fail;
		}
		if (!strcmp(dir, "<>"))
			r->bidir = 1;
		else if (strcmp(dir, "->")) {
			perr(&pc, "bad direction '%s' (-> or <>)", dir);
			goto fail;
		}
		if (parse_net(&pc, src, 0, &r->src) < 0 || parse_net(&pc, sport, 1, &r->sport) < 0 ||
		    parse_net(&pc, dst, 0, &r->dst) < 0 || parse_net(&pc, dport, 1, &r->dport) < 0)
			goto fail;
	}
	if (parse_options(&pc, r, open + 1) < 0)
		goto fail;
	if (!r->msg && !(r->msg = strdup(""))) {
		perr(&pc, "out of memory");
		goto fail;
	}
	if (!r->severity)
		r->severity = 3;
	if (pc.wait_var) {
		/* whole and valid, but it needs a value the site has not given */
		if (add_waiting(rs, r, text, &pc) < 0)
			goto fail;
		rules_rule_free(r);
		goto ok;
	}
	if (add_rule(rs, r, &pc) < 0)
		goto fail;
ok:
	free(buf);
	return 0;
fail:
	rules_rule_free(r);
	free(buf);
	return -1;
}

/* ---- files -------------------------------------------------------------- */

int rules_load_string(struct rules *rs, const char *text, const char *origin)
{
	size_t before = rs->nerrors;
	const char *p = text;
	char *acc = NULL;
	size_t alen = 0;
	int lineno = 0, start_line = 0, skipping = 0;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		int cont;
		char *na;

		lineno++;
		while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		cont = n > 0 && p[n - 1] == '\\';
		if (cont)
			n--;
		if (!acc && !skipping)
			start_line = lineno;
		if (skipping) {
			/* the rest of a rule already reported as too long */
			skipping = cont;
		} else if (alen + n + 2 > RULES_MAX_LINE) {
			rules_error_add(rs, origin, start_line, "rule longer than %d bytes", RULES_MAX_LINE);
			free(acc);
			acc = NULL;
			alen = 0;
			skipping = cont;
		} else {
			na = realloc(acc, alen + n + 2);
			if (!na) {
				rules_error_add(rs, origin, lineno, "out of memory");
				break;
			}
			acc = na;
			memcpy(acc + alen, p, n);
			alen += n;
			acc[alen++] = ' ';
			acc[alen] = 0;
			if (!cont) {
				char *t = ot_kw_trim(acc);

				if (*t && *t != '#')
					rules_parse_line(rs, t, origin, start_line);
				free(acc);
				acc = NULL;
				alen = 0;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	if (acc) {
		char *t = ot_kw_trim(acc);

		if (*t && *t != '#')
			rules_parse_line(rs, t, origin, start_line);
		free(acc);
	}
	if (rs->nwaiting)
		rules_retry_waiting(rs);
	return (int)(rs->nerrors - before);
}

static int load_file(struct rules *rs, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int r;

	if (!f) {
		rules_error_add(rs, path, 0, "cannot open: %s", strerror(errno));
		return 1;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *nb;

			if (cap > (64u << 20)) {
				fclose(f);
				free(buf);
				rules_error_add(rs, path, 0, "file larger than 64 MiB");
				return 1;
			}
			nb = realloc(buf, cap ? cap * 2 : 8192);
			if (!nb) {
				fclose(f);
				free(buf);
				rules_error_add(rs, path, 0, "out of memory");
				return 1;
			}
			buf = nb;
			cap = cap ? cap * 2 : 8192;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		rules_error_add(rs, path, 0, "read error");
		return 1;
	}
	fclose(f);
	buf[len] = 0;
	if (strlen(buf) != len) {
		free(buf);
		rules_error_add(rs, path, 0, "not a text file (NUL byte)");
		return 1;
	}
	r = rules_load_string(rs, buf, path);
	free(buf);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rules_load_path(struct rules *rs, const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int errs = 0;

	if (stat(path, &st) < 0) {
		rules_error_add(rs, path, 0, "cannot open: %s", strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(rs, path);
	d = opendir(path);
	if (!d) {
		rules_error_add(rs, path, 0, "cannot open folder: %s", strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char *full;

		if (l < 7 || strcmp(de->d_name + l - 6, ".rules") != 0 || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap ? cap * 2 : 16) * sizeof(*nn));

			if (!nn)
				break;
			names = nn;
			cap = cap ? cap * 2 : 16;
		}
		full = malloc(strlen(path) + l + 2);
		if (!full)
			break;
		sprintf(full, "%s/%s", path, de->d_name);
		names[n++] = full;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		errs += load_file(rs, names[i]);
		free(names[i]);
	}
	free(names);
	return errs;
}
