/*
 * classify.c - application labels from nDPI 4.x (see classify.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <ndpi/ndpi_api.h>

#include "classify.h"
#include "flow.h"
#include "table_mem.h"

struct classify {
	struct ndpi_detection_module_struct *ndpi;
	uint32_t max_packets;
	struct classify_stats st;
};

struct classify_flow {
	uint32_t packets;
	struct ndpi_flow_struct nf;
};

/*
 * nDPI allocates some 100,000 small blocks as a module starts (its address
 * trees and string automata) and keeps them for the module's life.  Those
 * are carved from large chunks instead of malloc'd one by one: no header
 * or free-list work per block.  A carved block is never freed on its own
 * (nDPI's frees of one are ignored); the chunks go when the last module
 * does.  Blocks nDPI asks for later, per flow, come from malloc as usual.
 * Modules are made and freed by one thread; the free hook only reads the
 * chunk list, which changes only then.
 */
#define CHUNK_SIZE ((size_t)1 << 21)    /* a huge page on x86-64 and arm64 */

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

static struct chunk *chunks;
static int carving;             /* a module is being made */
static unsigned modules;        /* modules alive, the chunks' users */

static int carved(const void *p)
{
	const struct chunk *c;

	for (c = chunks; c; c = c->next)
		if ((const char *)p >= (const char *)c->data &&
		    (const char *)p < (const char *)c->data + c->size)
			return 1;
	return 0;
}

/*
 * A new chunk: nDPI writes every block it is given as it starts, so the
 * pages would be faulted in one by one anyway (some 1,400 faults, a quarter
 * of a run's fixed cost on a virtual machine); ots_table_calloc maps it as
 * one huge page, faulted in at once, which is also one TLB entry for the
 * trees searched at every new flow.
 */
static struct chunk *chunk_map(void)
{
	return ots_table_calloc(1, CHUNK_SIZE);
}

static void *ndpi_alloc_hook(size_t n)
{
	struct chunk *c = chunks;
	void *p;

	if (!carving || n > CHUNK_SIZE / 8)
		return malloc(n);
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!c || c->size - c->used < n) {
		if (!(c = chunk_map()))
			return NULL;
		c->used = 0;
		c->size = CHUNK_SIZE - sizeof(*c);
		c->next = chunks;
		chunks = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

static void ndpi_free_hook(void *p)
{
	if (p && !carved(p))
		free(p);
}

static void chunks_release(void)
{
	while (chunks) {
		struct chunk *c = chunks;

		chunks = c->next;
		ots_table_free(c, 1, CHUNK_SIZE);
	}
}

struct classify *classify_new(uint32_t max_packets, char *err, size_t errlen)
{
	struct classify *c;
	NDPI_PROTOCOL_BITMASK all;

	if (ndpi_detection_get_sizeof_ndpi_flow_struct() != SIZEOF_FLOW_STRUCT) {
		snprintf(err, errlen, "nDPI library and headers disagree (flow struct %u vs %zu bytes)",
			 ndpi_detection_get_sizeof_ndpi_flow_struct(), SIZEOF_FLOW_STRUCT);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->max_packets = max_packets ? max_packets : 1;
	set_ndpi_malloc(ndpi_alloc_hook);
	set_ndpi_free(ndpi_free_hook);
	carving = 1;
	modules++;
	c->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
	if (!c->ndpi) {
		carving = 0;
		if (--modules == 0)
			chunks_release();
		snprintf(err, errlen, "nDPI initialisation failed");
		free(c);
		return NULL;
	}
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(c->ndpi, &all);
	ndpi_finalize_initialization(c->ndpi);
	carving = 0;
	return c;
}

/*
 * As the program exits, the detection module (some 100,000 blocks: the
 * address trees and string automata nDPI builds at start) is left to the
 * operating system rather than freed block by block, which costs as much
 * as a few thousand packets.  It stays reachable from here, so leak
 * checkers do not count it.
 */
static int leave_at_exit;
static struct ndpi_detection_module_struct *left_at_exit;

void classify_leave_at_exit(void)
{
	leave_at_exit = 1;
}

void classify_free(struct classify *c)
{
	if (!c)
		return;
	if (leave_at_exit && !left_at_exit) {
		left_at_exit = c->ndpi;         /* its chunks stay too */
	} else {
		ndpi_exit_detection_module(c->ndpi);
		if (--modules == 0)
			chunks_release();
	}
	free(c);
}

static void release(struct classify *c, struct classify_flow **cf)
{
	ndpi_free_flow_data(&(*cf)->nf);
	free(*cf);
	*cf = NULL;
	c->st.active--;
}

static void set_label(struct classify *c, ndpi_protocol proto, char *label, size_t labellen)
{
	char buf[64];

	ndpi_protocol2name(c->ndpi, proto, buf, sizeof(buf));
	snprintf(label, labellen, "%s", buf);
}

static int is_known(ndpi_protocol proto)
{
	return proto.app_protocol != NDPI_PROTOCOL_UNKNOWN ||
	       proto.master_protocol != NDPI_PROTOCOL_UNKNOWN;
}

int classify_packet(struct classify *c, struct classify_flow **cf,
		    const struct pkt_meta *p, char *label, size_t labellen)
{
	ndpi_protocol proto;
	uint64_t ms;

	if (!p->l3 || !p->l3_len)
		return 0;
	if (!*cf) {
		*cf = calloc(1, sizeof(**cf));
		if (!*cf) {
			c->st.no_memory++;
			return 0;
		}
		c->st.flows++;
		c->st.active++;
	}
	ms = (uint64_t)p->ts.tv_sec * 1000u + (uint64_t)p->ts.tv_usec / 1000u;
	proto = ndpi_detection_process_packet(c->ndpi, &(*cf)->nf, p->l3,
					      p->l3_len > 0xffff ? 0xffff : (unsigned short)p->l3_len,
					      ms);
	(*cf)->packets++;
	if (is_known(proto)) {
		c->st.detected++;
	} else if ((*cf)->packets >= c->max_packets) {
		uint8_t guessed = 0;

		proto = ndpi_detection_giveup(c->ndpi, &(*cf)->nf, 1, &guessed);
		c->st.given_up++;
	} else {
		return 0;
	}
	set_label(c, proto, label, labellen);
	release(c, cf);
	return 1;
}

static uint32_t ipv4_host(const struct ot_ip *ip)
{
	uint32_t v = 0;

	if (ip->ver == 4)
		memcpy(&v, ip->a, 4);   /* network byte order, as nDPI takes it */
	return v;
}

void classify_finish(struct classify *c, struct classify_flow **cf,
		     const struct flow *f, char *label, size_t labellen)
{
	ndpi_protocol proto;
	uint8_t guessed = 0;

	if (*cf) {
		proto = ndpi_detection_giveup(c->ndpi, &(*cf)->nf, 1, &guessed);
		c->st.given_up++;
		set_label(c, proto, label, labellen);
		release(c, cf);
		return;
	}
	proto = ndpi_guess_undetected_protocol(c->ndpi, NULL, f->l4,
					       ipv4_host(&f->cli_ip), f->cli_port,
					       ipv4_host(&f->srv_ip), f->srv_port);
	c->st.by_port++;
	set_label(c, proto, label, labellen);
}

size_t classify_flow_bytes(void)
{
	return sizeof(struct classify_flow);
}

void classify_get_stats(const struct classify *c, struct classify_stats *st)
{
	if (c)
		*st = c->st;
	else
		memset(st, 0, sizeof(*st));
}
