#!/usr/bin/env python3
"""Write a pcap in which a Modbus/TCP server answers Read Device
Identification (function 43, MEI 14) with hostile identity strings: markup,
script-closing tags, an attribute break-out and control bytes.

usage: hostile_ident_pcap.py OUT.pcap

The strings are chosen so that, if any of them ever ran as markup in the
HTML report, it would set data-pwned on <body> or create an <img>.
"""
import struct
import sys

CLIENT_MAC = bytes.fromhex("02aabbcc0001")
SERVER_MAC = bytes.fromhex("02aabbcc0002")
CLIENT_IP = bytes([10, 66, 0, 10])
SERVER_IP = bytes([10, 66, 0, 20])
CPORT, SPORT = 40001, 502

# (object id, value): 0 vendor, 1 product code, 2 revision, 3 url,
# 4 product name, 5 model, 6 user application name
HOSTILE = [
    [(0, b"<script>document.body.setAttribute('data-pwned','1')</script>"),
     (5, b"\"><img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">")],
    [(4, b"</script><script>document.body.setAttribute('data-pwned','3')</script>"),
     (2, b"v1\x01\x02\x1b[31m\x7f<!--")],
    [(6, b"'><svg onload=document.body.setAttribute('data-pwned','4')>"),
     (3, b"javascript:document.body.setAttribute('data-pwned','5')")],
]


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Conn:
    def __init__(self):
        self.seq = {0: 1000, 1: 5000}
        self.out = []
        self.t = 1764590400.0

    def pkt(self, d, flags, payload=b""):
        src_mac, dst_mac = (CLIENT_MAC, SERVER_MAC) if d == 0 else (SERVER_MAC, CLIENT_MAC)
        sip, dip = (CLIENT_IP, SERVER_IP) if d == 0 else (SERVER_IP, CLIENT_IP)
        sp, dp = (CPORT, SPORT) if d == 0 else (SPORT, CPORT)
        ack = self.seq[1 - d] if flags != 0x02 else 0
        tcp = struct.pack("!HHIIBBHHH", sp, dp, self.seq[d], ack, 5 << 4, flags, 65535, 0, 0)
        pseudo = sip + dip + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        c = csum(pseudo + tcp + payload)
        tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0x4000,
                         64, 6, 0, sip, dip)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        frame = dst_mac + src_mac + b"\x08\x00" + ip + tcp + payload
        self.seq[d] += len(payload) + (1 if flags & 0x03 else 0)
        self.t += 0.01
        self.out.append((self.t, frame))


def main():
    c = Conn()
    c.pkt(0, 0x02)          # SYN
    c.pkt(1, 0x12)          # SYN ACK
    c.pkt(0, 0x10)          # ACK
    for tid, objects in enumerate(HOSTILE, 1):
        req = struct.pack("!BBBB", 0x2B, 0x0E, 0x03, objects[0][0])
        c.pkt(0, 0x18, struct.pack("!HHHB", tid, 0, len(req) + 1, 1) + req)
        body = struct.pack("!BBBBBBB", 0x2B, 0x0E, 0x03, 0x83, 0x00, 0x00, len(objects))
        for oid, val in objects:
            body += struct.pack("!BB", oid, len(val)) + val
        c.pkt(1, 0x18, struct.pack("!HHHB", tid, 0, len(body) + 1, 1) + body)
        c.pkt(0, 0x10)
    c.pkt(0, 0x11)          # FIN
    c.pkt(1, 0x11)
    c.pkt(0, 0x10)
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, frame in c.out:
            f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(frame), len(frame)))
            f.write(frame)


if __name__ == "__main__":
    main()
