/*
 * sink.h - the SIEM feed: extra EVE destinations named by URI (--sink).
 *
 *   file:///var/log/otsentry/eve.json  (or file:PATH)  a file, reopened on SIGHUP
 *   stdout                             standard output
 *   udp://HOST:PORT                    syslog, RFC 5424, one datagram a line
 *   tcp://HOST:PORT                    syslog, RFC 5424, octet-counted (RFC 6587)
 *   syslog+tls://HOST:PORT             the same over TLS (RFC 5425): ?ca=FILE
 *                                      (else the system's CAs), ?cert=FILE&key=FILE
 *                                      (client certificate); see sink_tls.c
 *   unix:///dev/log                    syslog, RFC 5424, local datagram socket
 *   unix-stream:///run/x.sock          raw lines, newline-terminated
 *   unix-dgram:///run/x.sock           raw lines, one datagram each
 *   redis://HOST[:PORT]/KEY            Redis: ?mode=list (RPUSH, default),
 *                                      channel (PUBLISH), stream (XADD);
 *                                      see sink_redis.c
 *
 * Query settings: ?facility=local0..local7|user|daemon (syslog; default
 * local0), ?queue=N (stream sockets: lines held while the receiver is away,
 * default 10000; at most 64 MiB).
 *
 * Stream sockets (tcp, unix-stream) never block the capture: connects and
 * writes are non-blocking, lines wait in a bounded queue while the receiver
 * is away, reconnects back off from 0.5 s to 30 s, and each write first
 * checks that the receiver has not closed the connection, so a receiver that
 * stops and comes back gets every queued line.  Lines the full queue cannot
 * take are counted (dropped_overflow) in the stats event; at exit the queue
 * is drained for at most 5 seconds, and what is left is counted
 * (lost_at_exit).  TCP has no application acknowledgement: a receiver that
 * crashes can lose what the kernel had already accepted.
 *
 * CEF (cef = 1): alerts are rendered as ArcSight Common Event Format
 *   CEF:0|otsentry|otsentry|VERSION|SID|SIGNATURE|SEVERITY|EXTENSIONS
 * and other events are not sent to that sink (see sink_cef_render()).
 *
 * Ownership: sink_add() hands the sink to the EVE writer, which closes it.
 */
#ifndef OTS_SINK_H
#define OTS_SINK_H

#include <stddef.h>

struct eve;
struct eve_sink;

/* Add the sink named by uri.  0, or -1 with a reason in err. */
int sink_add(struct eve *e, const char *uri, int cef, char *err, size_t errlen);

/* Build the sink without adding it (tests).  0, or -1 with err set. */
int sink_open(const char *uri, int cef, struct eve_sink *out, char *err, size_t errlen);

/*
 * CEF line for one EVE line, or NULL when the line is not an alert (or not
 * JSON).  The caller frees the result.  Severity: EVE severity 1 -> 10,
 * 2 -> 7, 3 -> 5, other -> 3.  Extensions: rt (ms since the epoch), src,
 * spt, dst, dpt, proto, act, cat, app, externalId (flow_id), dvchost
 * (host: the sensor's name), cs1 (MITRE
 * technique ids), cs2 (MITRE technique names), cs3 (baseline kind),
 * cs4 (source: rule or baseline), cn1 (gid), cn2 (rev).
 */
char *sink_cef_render(const char *line, size_t len);

#endif /* OTS_SINK_H */
