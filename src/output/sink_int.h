/*
 * sink_int.h - what the sink files share (sink.c, sink_redis.c,
 * sink_tls.c): timing constants, the monotonic clock and the openers of
 * the sinks that live in their own files.  Not for use outside src/output.
 *
 * Ownership: as sink_open() (sink.h).
 */
#ifndef OTS_SINK_INT_H
#define OTS_SINK_INT_H

#include <stddef.h>

struct eve_sink;

#define SINK_BACKOFF_MIN     0.5        /* seconds before the first reconnect */
#define SINK_BACKOFF_MAX     30.0       /* doubling up to this */
#define SINK_DRAIN_SECONDS   5.0        /* at exit, queued lines get this long */

/* Seconds on the monotonic clock. */
double sink_now(void);

/* redis://HOST[:PORT]/KEY[?mode=list|channel|stream&queue=N]: 0, or -1
 * with err set. */
int sink_redis_open(const char *uri, int cef, struct eve_sink *out, char *err, size_t errlen);

#endif /* OTS_SINK_INT_H */
