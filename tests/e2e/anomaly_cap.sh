#!/bin/sh
# A burst of malformed traffic cannot flood the output: anomaly lines are
# capped per second of packet time and the rest are counted in stats.
# One good DNP3 link frame, then 1000 UDP datagrams in the same second each
# with a bad header CRC: at least 1000 anomalies, 200 lines, the rest counted.
set -u
bin=${OTS_TOP_BUILDDIR:-.}/src/otsentry
command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skip"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
python3 - "$tmp/burst.pcap" <<'PY'
import struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
def dnp3_crc(b):
    c = 0
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ 0xA6BC if c & 1 else c >> 1
    return struct.pack("<H", ~c & 0xffff)
head = bytes([0x05, 0x64, 0x05, 0xc9, 0x01, 0x00, 0x0a, 0x00])  # link status request
good = head + dnp3_crc(head)
bad = head + bytes([0xde, 0xad])
for i in range(1001):
    frame = good if i == 0 else bad     # the first frame claims the flow
    udp = struct.pack("!HHHH", 40000, 20000, 8 + len(frame), 0) + frame
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex("00112233445566778899aabb0800") + ip + udp
    out.write(struct.pack("<IIII", 1700000000, i * 100, len(eth), len(eth)) + eth)
PY
"$bin" -q -r "$tmp/burst.pcap" --no-rules >"$tmp/out.json" || { echo "FAIL: otsentry exited non-zero"; exit 1; }
lines=$(grep -c '"event_type":"anomaly"' "$tmp/out.json")
supp=$(grep '"event_type":"stats"' "$tmp/out.json" | sed -n 's/.*"anomaly_suppressed":\([0-9]*\).*/\1/p')
echo "anomaly lines: $lines, suppressed: $supp"
[ "$lines" -eq 200 ] || { echo "FAIL: want 200 anomaly lines"; exit 1; }
[ "${supp:-0}" -ge 800 ] || { echo "FAIL: want at least 800 suppressed"; exit 1; }
