/*
 * protocols.h - the one list of protocols.  A new protocol adds one line.
 *
 * OT_PROTOCOLS(D, E) expands to D(ID, name) for each protocol with its own
 * dissector (the folder dissectors/<name>/ exports the descriptor
 * <name>_dissector) and E(ID, name) for a protocol that another dissector
 * recognises (S7comm-plus: the s7comm dissector).  Everything else about a
 * protocol (its name, ports, probe, address spaces, names tables, logger,
 * rule keywords) is in its descriptor (dissector.h).
 *
 * The position in the list is the protocol's id, OT_PROTO_<ID> (event.h):
 * per-protocol counters and lists are written in this order.  Probing
 * follows each descriptor's .probe_order instead.  At most 15 protocols:
 * an address space id carries its protocol in four bits (event.h).
 */
#ifndef OTS_PROTOCOLS_H
#define OTS_PROTOCOLS_H

#define OT_PROTOCOLS(D, E) \
	D(MODBUS, modbus) \
	D(DNP3, dnp3) \
	D(S7COMM, s7comm) \
	E(S7COMM_PLUS, s7comm_plus) \
	D(ENIP, enip) \
	D(IEC104, iec104) \
	/* one line per protocol, above this one */

#endif /* OTS_PROTOCOLS_H */
