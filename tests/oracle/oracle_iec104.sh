#!/bin/sh
# oracle_iec104.sh - otsentry's IEC 60870-5-104 APDUs against tshark's.
#
# For every shared capture where either finds IEC 104, three histograms must
# equal tshark's: APDUs by format (iec60870_104.type: I, S, U), ASDUs by type
# identification (iec60870_asdu.typeid) and by cause of transmission
# (iec60870_asdu.causetx).  tshark decodes IEC 104 on TCP 2404 only;
# otsentry also finds it off that port by payload, so a capture with IEC 104
# elsewhere would show as a difference (none in the shared set today).
#
# Exit 77 (skip) when the shared captures, tshark or the binary are absent.
set -u

PCAPS=${OTS_SHARED_PCAPS:-}
BIN=${OTS_TOP_BUILDDIR:-.}/src/otsentry

[ -n "$PCAPS" ] && [ -d "$PCAPS" ] || { echo "no shared captures: skip"; exit 77; }
command -v tshark >/dev/null 2>&1 || { echo "no tshark: skip"; exit 77; }
[ -x "$BIN" ] || { echo "no $BIN: skip"; exit 77; }

# Expected differences: capture name, then why tshark's count is not the truth.
expected_reason() {
	case "$1" in
	*) echo "" ;;
	esac
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/oracle-iec104.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# "value:count value:count ..." of the lines on stdin, sorted by value.
hist() {
	grep . | sort | uniq -c | sort -k2,2n -k2,2 | awk '{printf "%s:%s ", $2, $1}'
}

# tshark: one line per APDU field value (a frame with four APDUs gives four).
tshark_fields() {
	tshark -n -r "$1" -Y iec60870_104 -T fields -E occurrence=a -E separator=/t \
		-e iec60870_104.type -e iec60870_asdu.typeid -e iec60870_asdu.causetx \
		2>/dev/null > "$tmp/t"
}

t_format() {
	cut -f1 "$tmp/t" | tr ',' '\n' | grep . |
		sed 's/^0x0*0$/I/; s/^0x0*1$/S/; s/^0x0*3$/U/' | hist
}
t_col() {
	cut -f"$1" "$tmp/t" | tr ',' '\n' | hist
}

ots_lines() {
	"$BIN" -q --no-flow-log --no-anomaly-log --log iec104 -r "$1" 2>/dev/null |
		grep '"event_type":"iec104"' > "$tmp/o"
}
o_format() {
	grep -o '"iec104":{"format":"."' "$tmp/o" | sed 's/.*"\(.\)"$/\1/' | hist
}
o_type() {
	grep -o '"asdu":{"type_id":[0-9]*' "$tmp/o" | sed 's/.*://' | hist
}
o_cause() {
	grep -o '"asdu":{"type_id":[0-9]*,"type":"[^"]*","sq":[a-z]*,"count":[0-9]*,"cause":[0-9]*' \
		"$tmp/o" | sed 's/.*://' | hist
}

fail=0 same=0 known=0
for f in $(find "$PCAPS" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort); do
	tshark_fields "$f"
	ots_lines "$f"
	[ -s "$tmp/t" ] || [ -s "$tmp/o" ] || continue
	name=$(basename "$f")
	t="format $(t_format) type $(t_col 2) cause $(t_col 3)"
	o="format $(o_format) type $(o_type) cause $(o_cause)"
	if [ "$t" = "$o" ]; then
		same=$((same + 1))
		echo "ok      $name  $o"
		continue
	fi
	why=$(expected_reason "$name")
	if [ -n "$why" ]; then
		known=$((known + 1))
		echo "known   $name"
		echo "        tshark:   $t"
		echo "        otsentry: $o"
		echo "        reason:   $why"
	else
		fail=$((fail + 1))
		echo "DIFFER  $name"
		echo "        tshark:   $t"
		echo "        otsentry: $o"
	fi
done
echo "iec104 oracle: $same captures equal, $known known differences, $fail unexpected"
[ $((same + known)) -gt 0 ] || { echo "no IEC 104 capture found: skip"; exit 77; }
[ "$fail" -eq 0 ]
