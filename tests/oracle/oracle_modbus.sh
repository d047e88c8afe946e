#!/bin/sh
# oracle_modbus.sh - otsentry against tshark on every shared capture that
# holds Modbus/TCP: the number of Modbus messages (PDUs) and the histogram of
# function codes (exception bit removed, as tshark's modbus.func_code) must
# be equal per capture.
#
# A capture is examined when tshark finds Modbus in it or otsentry does; to
# keep the run short tshark reads only captures where otsentry saw TCP port
# 502 or Modbus.  Skips (77) without the captures or tshark.
#
# Expected differences: captures where the two disagree, each tagged with
# its class; the test fails if one of them starts to agree (the list must
# stay true).  The classes, which side is right and why:
#
# mbap-length  (otsentry right; Modbus Messaging on TCP/IP Implementation
#   Guide v1.0b, 3.1.3 and 4.2: the MBAP length field counts the bytes that
#   follow it, unit id included, and is what delimits an ADU in the stream)
#   A segment longer than the ADU its header announces: otsentry decodes
#   the ADU and treats the leftover as the start of the next ADU, which
#   cannot start an MBAP header there (too short: truncated_adu); tshark
#   glues the leftover to the next segment and decodes garbage in place of
#   the next real ADU.
# window  (otsentry right; RFC 9293 3.10.7.4: a segment is acceptable only
#   if it starts within the receive window, an acknowledgement of data not
#   yet sent is ignored; RFC 9293 3.4: later in-window segments carry new
#   data)  A segment far beyond the receive window or an ack of data never
#   sent: otsentry refuses it (stream.est_packet_out_of_window,
#   stream.est_invalid_ack) and keeps decoding the in-window segments that
#   follow; tshark advances its idea of the stream to the bogus sequence
#   number and then marks the real segments as retransmissions and does not
#   dissect them.
# no-stream  (neither: fuzzed sequence numbers)  Random sequence and
#   acknowledgement numbers (jumps of 2^31, old retransmissions) leave no
#   single stream to compare; the two reassemblers hand different bytes to
#   their dissectors, both decode what they reassembled.

PCAPS="${OTS_SHARED_PCAPS:-}"
BIN="${OTS_TOP_BUILDDIR:-.}/src/otsentry"

[ -n "$PCAPS" ] && [ -d "$PCAPS" ] || { echo "no shared captures: skip"; exit 77; }
command -v tshark >/dev/null 2>&1 || { echo "no tshark: skip"; exit 77; }
[ -x "$BIN" ] || { echo "missing $BIN"; exit 1; }

# file name | reason
EXPECTED_DIFF='
db_modbus_test_data_part1.pcap|mbap-length: two segments each carry one FC 42 ADU whose MBAP length (5) is 3 bytes short of the segment; otsentry decodes both (the second delivery is a whole ADU, so the 3-byte leftover is dropped as truncated_adu), tshark glues the leftover to the second segment and decodes garbage in its place
zeek_modbus_fuzz-72.pcap|window and no-stream: frame 12, a server segment 128 KiB past the window, and later acks 2^31 away; otsentry refuses them and decodes the server responses 58, 59 and 66 that follow in the window (tshark marks them retransmissions), the exceptions for 28, 47 and 51 and the request 34; tshark decodes a request 50 whose segment the otsentry reassembly of the fuzzed client stream does not deliver
'

TMP="${TMPDIR:-/tmp}/oracle_modbus.$$"
mkdir -p "$TMP" || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM

fail=0
checked=0
expected_seen=0

# Histogram "fc count" lines, sorted, from one value per line on stdin.
histogram() {
	grep -E '^[0-9]+$' | sort -n | uniq -c | awk '{ print $2 " " $1 }'
}

find "$PCAPS" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort >"$TMP/files"
while IFS= read -r f; do
	name=$(basename "$f")
	"$BIN" -q -r "$f" >"$TMP/eve" 2>/dev/null
	if ! grep -q '"event_type":"modbus"' "$TMP/eve" &&
	   ! grep -qE '"(src|dest)_port":502[,}]' "$TMP/eve"; then
		continue
	fi
	grep '"event_type":"modbus"' "$TMP/eve" |
		sed -n 's/.*"modbus":{[^{]*"function_code":\([0-9]*\).*/\1/p' | histogram >"$TMP/ours"
	tshark -n -r "$f" -Y mbtcp -T fields -e modbus.func_code 2>/dev/null |
		tr ',' '\n' | histogram >"$TMP/theirs"
	if [ ! -s "$TMP/ours" ] && [ ! -s "$TMP/theirs" ]; then
		continue
	fi
	checked=$((checked + 1))
	n_ours=$(awk '{ s += $2 } END { print s + 0 }' "$TMP/ours")
	n_theirs=$(awk '{ s += $2 } END { print s + 0 }' "$TMP/theirs")
	reason=$(printf '%s\n' "$EXPECTED_DIFF" | awk -F'|' -v n="$name" '$1 == n { print $2 }')
	if cmp -s "$TMP/ours" "$TMP/theirs"; then
		if [ -n "$reason" ]; then
			echo "FAIL $name: listed as an expected difference but now agrees ($n_ours messages)"
			fail=1
		else
			echo "ok   $name: $n_ours messages"
		fi
		continue
	fi
	if [ -n "$reason" ]; then
		expected_seen=$((expected_seen + 1))
		echo "diff $name (expected): otsentry $n_ours, tshark $n_theirs messages: $reason"
		continue
	fi
	echo "FAIL $name: otsentry $n_ours, tshark $n_theirs messages; function code histograms (fc count):"
	diff "$TMP/ours" "$TMP/theirs" | sed 's/^/    /'
	fail=1
done <"$TMP/files"

echo "$checked captures with Modbus, $expected_seen expected differences"
[ "$checked" -gt 0 ] || { echo "FAIL: no capture with Modbus found under $PCAPS"; fail=1; }
exit $fail
