/*
 * sink_queue.h - the bounded FIFO of messages a network sink holds while
 * its receiver is away (stream sockets, Redis, TLS syslog).
 *
 * A ring of at most cap messages and SINK_QUEUE_MAX_BYTES bytes; a push
 * that would exceed either is refused and counted (dropped_overflow).
 *
 * Ownership: sq_push takes msg (freed on refusal too); sq_pop frees the
 * front message; sq_free frees what is left (and is a no-op on a zeroed
 * queue).
 */
#ifndef OTS_SINK_QUEUE_H
#define OTS_SINK_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#define SINK_QUEUE_DEFAULT   10000
#define SINK_QUEUE_MAX_BYTES (64u << 20)

struct sink_msg {
	char *buf;
	size_t len;
};

struct sink_queue {
	struct sink_msg *ring;
	size_t cap, head, count, bytes;
	uint64_t dropped_overflow;
};

/* Room for cap messages.  0, or -1 when out of memory. */
int sq_init(struct sink_queue *q, size_t cap);
void sq_free(struct sink_queue *q);
/* 0, or -1 (full: msg freed and counted). */
int sq_push(struct sink_queue *q, char *msg, size_t len);
/* The i-th message from the front (i < count). */
struct sink_msg *sq_at(struct sink_queue *q, size_t i);
/* Drop the front message (count > 0). */
void sq_pop(struct sink_queue *q);

#endif /* OTS_SINK_QUEUE_H */
