#!/bin/sh
# oracle_s7comm.sh - otsentry's S7comm decoding against tshark, per capture.
#
# For every shared capture in which otsentry finds S7comm, and every capture
# of the s7comm/ folder (where tshark finds it)
# (protocol id 0x32), the multisets of
#   r<ROSCTR>          one per S7comm PDU            (s7comm.header.rosctr)
#   f<function>        one per job/ack-data PDU with a parameter part
#                                                    (s7comm.param.func)
#   g<function group>  one per userdata PDU          (s7comm.param.userdata.funcgroup)
# must be equal.  tshark's fields list every PDU of a frame, so frames that
# carry several PDUs count each.  S7comm-plus is not compared (tshark 4.0 has
# no dissector for it).
#
# Expected differences (checked exactly), by class: which side is right
# and why.
#   only-copy-after-ack  (otsentry right; RFC 9293 3.4: the data of a
#     sequence number is fixed, whichever copy carries it; 3.10.7.4: a
#     receiver takes the bytes of a segment it has not received before)
#     iti_s7comm_clean.pcap: 12 read-var responses (ack-data, function 4)
#     appear in the capture only as TCP retransmissions of segments whose
#     originals were not captured (the client had acknowledged them).  For
#     the capture the retransmission is the only copy: otsentry's
#     reassembly delivers those bytes once; tshark labels the segments
#     spurious retransmissions and does not dissect them.  Each of the 12
#     answers a job tshark does show.
#
# Skips (77) without the captures, tshark or jq.
set -u

[ -n "${OTS_SHARED_PCAPS:-}" ] && [ -d "$OTS_SHARED_PCAPS" ] || exit 77
command -v tshark >/dev/null 2>&1 || exit 77
command -v jq >/dev/null 2>&1 || exit 77
BIN="${OTS_TOP_BUILDDIR:-.}/src/otsentry"
[ -x "$BIN" ] || { echo "no $BIN"; exit 1; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# Expected extra keys on otsentry's side: "file key count" lines.
cat > "$tmp/expected" <<'EOF'
iti_s7comm_clean.pcap r3 12
iti_s7comm_clean.pcap f4 12
EOF

ours() {
	"$BIN" -q -r "$1" 2>/dev/null | jq -r '
	  select(.event_type == "s7comm" and .s7comm.rosctr_code != null) | .s7comm |
	  ("r\(.rosctr_code)"),
	  (if .rosctr_code != 7 and .parameter_length > 0 and .function_code != null
	   then "f\(.function_code)" else empty end),
	  (if .function_group != null then "g\(.function_group)" else empty end)' |
	sort | uniq -c | awk '{ print $2, $1 }'
}

theirs() {
	tshark -n -r "$1" -Y s7comm -T fields -E separator=/t \
	    -e s7comm.header.rosctr -e s7comm.param.func \
	    -e s7comm.param.userdata.funcgroup 2>/dev/null | awk -F '\t' '
	function hex(s,   i, v) {
		v = 0; s = tolower(s); sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	{
		n = split($1, a, ","); for (i = 1; i <= n; i++) if (a[i] != "") print "r" a[i]
		n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] != "") print "f" hex(a[i])
		n = split($3, a, ","); for (i = 1; i <= n; i++) if (a[i] != "") print "g" a[i]
	}' | sort | uniq -c | awk '{ print $2, $1 }'
}

checked=0
failed=0
for f in $(find "$OTS_SHARED_PCAPS" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort); do
	name=$(basename "$f")
	ours "$f" > "$tmp/ours"
	# tshark (slow) runs on the S7 folder and wherever otsentry saw S7comm;
	# the corpus table (SOURCES.md) has no S7comm frame elsewhere
	case "$f" in
	*/s7comm/*) theirs "$f" > "$tmp/theirs" ;;
	*) if [ -s "$tmp/ours" ]; then theirs "$f" > "$tmp/theirs"; else : > "$tmp/theirs"; fi ;;
	esac
	[ -s "$tmp/ours" ] || [ -s "$tmp/theirs" ] || continue
	checked=$((checked + 1))
	# apply the documented differences to tshark's side
	awk -v n="$name" '$1 == n { print $2, $3 }' "$tmp/expected" > "$tmp/adj"
	awk 'NR == FNR { add[$1] = $2; next }
	     { c = $2 + ($1 in add ? add[$1] : 0); delete add[$1]; print $1, c }
	     END { for (k in add) print k, add[k] }' "$tmp/adj" "$tmp/theirs" |
	    sort > "$tmp/want"
	sort "$tmp/ours" > "$tmp/got"
	if cmp -s "$tmp/got" "$tmp/want"; then
		echo "ok   $name ($(awk '/^r/ { s += $2 } END { print s + 0 }' "$tmp/got") PDUs)"
	else
		echo "FAIL $name (otsentry < > tshark)"
		diff "$tmp/got" "$tmp/want" | sed 's/^/     /'
		failed=$((failed + 1))
	fi
done

echo "$checked captures compared, $failed differ"
[ "$checked" -gt 0 ] || exit 77
[ "$failed" -eq 0 ]
