/*
 * sink_queue.c - the bounded message FIFO of the network sinks (see
 * sink_queue.h).
 */
#include <stdlib.h>

#include "sink_queue.h"

int sq_init(struct sink_queue *q, size_t cap)
{
	q->ring = calloc(cap ? cap : 1, sizeof(*q->ring));
	if (!q->ring)
		return -1;
	q->cap = cap ? cap : 1;
	q->head = q->count = q->bytes = 0;
	return 0;
}

void sq_free(struct sink_queue *q)
{
	while (q->ring && q->count)
		sq_pop(q);
	free(q->ring);
	q->ring = NULL;
	q->cap = 0;
}

int sq_push(struct sink_queue *q, char *msg, size_t len)
{
	if (q->count >= q->cap || q->bytes + len > SINK_QUEUE_MAX_BYTES) {
		q->dropped_overflow++;
		free(msg);
		return -1;
	}
	q->ring[(q->head + q->count) % q->cap] = (struct sink_msg){ msg, len };
	q->count++;
	q->bytes += len;
	return 0;
}

struct sink_msg *sq_at(struct sink_queue *q, size_t i)
{
	return &q->ring[(q->head + i) % q->cap];
}

void sq_pop(struct sink_queue *q)
{
	struct sink_msg *m = &q->ring[q->head];

	q->bytes -= m->len;
	free(m->buf);
	m->buf = NULL;
	q->head = (q->head + 1) % q->cap;
	q->count--;
}
