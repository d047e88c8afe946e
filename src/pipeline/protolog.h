/*
 * protolog.h - the observer that writes protocol and anomaly lines.
 *
 * For each OT_EV_MESSAGE that carries its protocol's record and whose
 * protocol is enabled, one line `event_type: "<proto>"` with the object the
 * protocol's log() writes under the key of the protocol name
 * ("modbus": {...}); messages without a record are counted (no_detail).  For each OT_EV_ANOMALY (when enabled),
 * one line `event_type: "anomaly"` with
 * `anomaly: {type: "applayer" (a dissector's) or "stream" (the TCP stream
 * layer's), proto, event, detail}`.
 *
 * Ownership: the observer borrows the sensor's EVE writer; its own context is
 * freed by the sensor (on_free).
 */
#ifndef OTS_PROTOLOG_H
#define OTS_PROTOLOG_H

struct sensor;

/* protocols: bit (1 << enum ot_proto) per protocol to log.
 * 0, or -1 on allocation failure / full observer table. */
int protolog_attach(struct sensor *s, unsigned protocols, int anomalies);

#endif /* OTS_PROTOLOG_H */
