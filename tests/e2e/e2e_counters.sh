#!/bin/bash
# e2e_counters.sh - dissector counters reach the final stats event:
# a DNP3 link frame with a bad header CRC made here with text2pcap, and
# shared captures with a known fault (a DNP3 fragment that never ends,
# Modbus with lost segments, Modbus responses without a request).
set -u

bin=${OTS_TOP_BUILDDIR:-.}/src/otsentry
pcaps=${OTS_SHARED_PCAPS:-}

command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
[ -x "$bin" ] || { echo "FAIL: $bin missing"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 ran=0

# otsentry over FILE into $tmp/out, once per file
last=
run() {
	[ "$1" = "$last" ] && return
	last=$1
	if ! "$bin" -q -r "$1" >"$tmp/out" 2>"$tmp/err"; then
		echo "FAIL ${1##*/}: otsentry failed: $(head -c 300 "$tmp/err")"
		fail=1
		: >"$tmp/out"
	fi
}

# want FILE PROTO KEY OP N: .stats.dissectors.PROTO.KEY of the final line
# compared with N (-eq, -ge ...)
want() {
	local v
	run "$1"
	v=$(tail -n 1 "$tmp/out" | jq -r --arg p "$2" --arg k "$3" \
		'if .event_type == "stats" then (.stats.dissectors[$p][$k] // "missing") else "no stats" end')
	ran=$((ran + 1))
	if ! [ "$v" -ge 0 ] 2>/dev/null || ! [ "$v" "$4" "$5" ]; then
		echo "FAIL ${1##*/}: $2.$3 = $v, want $4 $5"; fail=1
	else
		echo "ok   ${1##*/}: $2.$3 = $v"
	fi
}

if command -v text2pcap >/dev/null; then
	# UDP: link status request, the same with a bad header CRC, again good
	printf '%s\n' '0000  05 64 05 c9 01 00 0a 00 af fa' \
		'0000  05 64 05 c9 01 00 0a 00 af fb' \
		'0000  05 64 05 c9 01 00 0a 00 af fa' >"$tmp/crc.txt"
	text2pcap -q -4 10.0.0.1,10.0.0.2 -u 40000,20000 "$tmp/crc.txt" "$tmp/crc.pcap" >/dev/null 2>&1
	want "$tmp/crc.pcap" dnp3 flows -eq 1
	want "$tmp/crc.pcap" dnp3 bad_crc -eq 1
	want "$tmp/crc.pcap" dnp3 frames -eq 2
	want "$tmp/crc.pcap" dnp3 link_only -eq 2
	want "$tmp/crc.pcap" modbus flows -eq 0
else
	echo "text2pcap not installed: crafted capture skipped"
fi

if [ -n "$pcaps" ] && [ -d "$pcaps" ]; then
	f=$pcaps/dnp3/sv_dnp3-too-long-reassembly-request.pcap
	[ -f "$f" ] && want "$f" dnp3 fragments_dropped -ge 1
	f=$pcaps/modbus/zeek_modbus_fuzz-72.pcap
	[ -f "$f" ] && want "$f" modbus gap_partial_adus -ge 1
	f=$pcaps/modbus/plant1_ModbusTCP.pcap
	[ -f "$f" ] && want "$f" modbus unpaired_responses -ge 1
else
	echo "no shared captures (OTS_SHARED_PCAPS): those checks skipped"
fi

[ $ran -gt 0 ] || exit 77
exit $fail
