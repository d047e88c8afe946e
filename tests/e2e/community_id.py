#!/usr/bin/env python3
"""community_id.py - check the community_id of EVE lines.

    community_id.py [--seed N] FILE.eve.json...

Recomputes every community_id from the line's own src_ip, src_port,
dest_ip, dest_port and proto with Python's hashlib (Community ID v1: SHA-1
over seed, the ordered addresses, protocol, a zero byte and the ordered
ports, base64, "1:" in front), and checks that all lines of one flow_id
carry the same value, whichever direction they were written in.  Exit 1
on any mismatch, or when no flow was seen in both directions.
"""
import argparse
import base64
import hashlib
import ipaddress
import json
import struct
import sys

# The names otsentry writes as proto (others as three digits).
PROTOS = {"TCP": 6, "UDP": 17, "ICMP": 1, "IGMP": 2, "IPv6-ICMP": 58,
          "SCTP": 132, "GRE": 47, "ESP": 50}


def community_id(seed, proto, sip, sport, dip, dport):
    a = ipaddress.ip_address(sip).packed
    b = ipaddress.ip_address(dip).packed
    ports = proto in (6, 17, 132)
    if not ports:
        sport = dport = 0
    if (a, sport) > (b, dport):
        a, b, sport, dport = b, a, dport, sport
    data = struct.pack("!H", seed) + a + b + struct.pack("BB", proto, 0)
    if ports:
        data += struct.pack("!HH", sport, dport)
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()

    bad = checked = 0
    flows = {}      # flow_id -> (community ids, directions seen)
    missing = 0
    for path in args.files:
        with open(path, encoding="utf-8") as fp:
            for lineno, line in enumerate(fp, 1):
                ev = json.loads(line)
                if "flow_id" not in ev or "src_ip" not in ev:
                    continue
                cid = ev.get("community_id")
                proto = PROTOS.get(ev.get("proto"))
                if proto is None:
                    proto = int(ev["proto"]) if ev["proto"].isdigit() else None
                if cid is None:
                    if proto not in (None, 1, 58):
                        print(f"{path}:{lineno}: {ev['event_type']} without community_id")
                        bad += 1
                    continue
                want = community_id(args.seed, proto, ev["src_ip"], ev.get("src_port", 0),
                                    ev["dest_ip"], ev.get("dest_port", 0))
                checked += 1
                if cid != want:
                    print(f"{path}:{lineno}: community_id {cid}, recomputed {want}")
                    bad += 1
                key = (path, ev["flow_id"])
                ids, dirs = flows.setdefault(key, (set(), set()))
                ids.add(cid)
                dirs.add((ev["src_ip"], ev.get("src_port", 0)))
    split = [k for k, (ids, _) in flows.items() if len(ids) > 1]
    both = sum(1 for ids, dirs in flows.values() if len(dirs) > 1)
    for k in split[:10]:
        print(f"{k[0]}: flow {k[1]} has {len(flows[k][0])} community ids")
    print(f"community_id: {checked} lines recomputed, {len(flows)} flows, "
          f"{both} seen in both directions, {len(split)} with more than one id, {bad} bad")
    return 1 if bad or split or not both else 0


if __name__ == "__main__":
    sys.exit(main())
