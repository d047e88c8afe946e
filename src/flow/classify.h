/*
 * classify.h - application labels from nDPI.
 *
 * One struct classify wraps one nDPI detection module.  Each flow gets its
 * nDPI state only when it first carries payload (classify_packet allocates
 * it), gives nDPI at most max_packets packets, and frees that state as soon
 * as nDPI has decided: a classified flow costs nothing afterwards.  Flows
 * nDPI never saw (no payload, no IP header) are labelled from their ports
 * at classify_finish.
 *
 * Ownership: the caller holds one struct classify_flow pointer per flow,
 * NULL until classify_packet allocates it and NULL again after
 * classify_packet returns 1 or classify_finish runs.
 */
#ifndef OTS_CLASSIFY_H
#define OTS_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

struct flow;
struct classify;
struct classify_flow;

struct classify_stats {
	uint64_t flows;             /* flows given to nDPI */
	uint64_t detected;          /* decided by nDPI from packets */
	uint64_t given_up;          /* decided at the packet bound or flow end */
	uint64_t by_port;           /* flows nDPI never saw, labelled from ports */
	uint64_t active;            /* nDPI flow states allocated now */
	uint64_t no_memory;
};

/* NULL on failure (err says why). */
struct classify *classify_new(uint32_t max_packets, char *err, size_t errlen);
void classify_free(struct classify *c);
/* Called by the program just before it exits: the next classify_free()
 * leaves the nDPI module's memory to the operating system. */
void classify_leave_at_exit(void);

/* Give one packet (with p->l3 set) to nDPI.  Returns 1 when the flow is
 * classified: label is written and *cf freed; 0 when nDPI wants more. */
int classify_packet(struct classify *c, struct classify_flow **cf,
		    const struct pkt_meta *p, char *label, size_t labellen);

/* The flow ends: label from what nDPI saw, or from the flow's ports when it
 * saw nothing.  Frees *cf. */
void classify_finish(struct classify *c, struct classify_flow **cf,
		     const struct flow *f, char *label, size_t labellen);

void classify_get_stats(const struct classify *c, struct classify_stats *st);
/* Bytes of one flow's nDPI state while nDPI is deciding. */
size_t classify_flow_bytes(void);

#endif /* OTS_CLASSIFY_H */
