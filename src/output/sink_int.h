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
#include <stdint.h>

struct eve_sink;
struct sink_queue;

#define SINK_BACKOFF_MIN     0.5        /* seconds before the first reconnect */
#define SINK_BACKOFF_MAX     30.0       /* doubling up to this */
#define SINK_DRAIN_SECONDS   5.0        /* at exit, queued lines get this long */

/* Seconds on the monotonic clock. */
double sink_now(void);

/* End of the run: queued lines get SINK_DRAIN_SECONDS to leave.  Until q
 * is empty or the time is up, pump(ctx) is called (it reconnects at once
 * when down, sends what it can and returns the socket to wait on for room,
 * or -1: then the wait is a 100 ms pause).  Returns the lines left, which
 * are lost: said on stderr under target. */
uint64_t sink_drain(const struct sink_queue *q, int (*pump)(void *ctx), void *ctx,
		    const char *target);

/* redis://HOST[:PORT]/KEY[?mode=list|channel|stream&queue=N]: 0, or -1
 * with err set. */
int sink_redis_open(const char *uri, int cef, struct eve_sink *out, char *err, size_t errlen);

/*
 * TLS for the syslog stream sink (sink_tls.c).  sink_tls_new: the server
 * must present a certificate chaining to ca (NULL: the system's CAs) for
 * host (a DNS name or an address literal); cert and key (both or neither)
 * are the client's.  NULL with err set on failure.  On a connected
 * non-blocking socket: sink_tls_start (0 or -1), then sink_tls_handshake
 * until it returns 1 (0: call again, -1: refused or failed, see
 * sink_tls_error), sink_tls_send (bytes written, 0 would block, -1 error),
 * sink_tls_peer_gone (1 when the server closed), sink_tls_stop (drops the
 * session; the caller closes the socket).  sink_tls_free(NULL) is a no-op.
 */
struct sink_tls;
struct sink_tls *sink_tls_new(const char *host, const char *ca, const char *cert,
			      const char *key, char *err, size_t errlen);
void sink_tls_free(struct sink_tls *t);
int sink_tls_start(struct sink_tls *t, int fd);
int sink_tls_handshake(struct sink_tls *t);
long sink_tls_send(struct sink_tls *t, const char *buf, size_t len);
int sink_tls_peer_gone(struct sink_tls *t);
void sink_tls_stop(struct sink_tls *t);
const char *sink_tls_error(const struct sink_tls *t);

#endif /* OTS_SINK_INT_H */
