#!/bin/sh
# robust_captures.sh - bad input gets a clear error or a counted anomaly,
# never a crash, a hang or lost events.
#
#  1. Every shared capture and every pcaps/*.pcap, with every feature on:
#     protocol logs, --inventory, --graph (both formats), --learn, then
#     --baseline with the learned file: exit 0 and JSON lines only.
#  2. Captures cut at several byte offsets: a one-line error naming the
#     file, the events decoded before the cut still written (the same as
#     from a capture that ends cleanly at the last whole packet), no crash.
#  3. A corrupt pcap header, an empty file, a header with no packets, a
#     nonexistent file, a directory; bad option values; a corrupt baseline
#     and a broken rule file: a clear one-line message and the documented
#     exit status.
# Without the shared captures only pcaps/ is checked, and a pass is reported
# as a skip (77).  ROBUST_MAX_CAPTURES limits part 1 to the first N captures.
set -u

top=${OTS_TOP_BUILDDIR:-.}
src=${OTS_TOP_SRCDIR:-.}
shared=${OTS_SHARED_PCAPS:-$src/../shared/pcaps}
ots=$top/src/otsentry
per_run_timeout=${ROBUST_TIMEOUT:-600}

[ -x "$ots" ] || { echo "FAIL: $ots not built"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ots-robust.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0 runs=0
bad() { echo "FAIL: $*"; fail=1; }

if command -v jq >/dev/null 2>&1; then
	json_ok() { jq -e -c 'if type == "object" and (.event_type | type) == "string" then . else error("no event_type") end' "$1" > /dev/null 2>&1; }
else
	json_ok() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
    assert isinstance(json.loads(l)["event_type"], str)' "$1" 2> /dev/null; }
fi
to=""
command -v timeout >/dev/null 2>&1 && to="timeout $per_run_timeout"

# A sanitizer report or a signal is a failure even where the exit status is
# the one expected.
crashed() {
	grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' "$1"
}

# ots NAME EXPECTED-RC ARGS...: run, check the exit status and the output.
ots() {
	name=$1 want=$2
	shift 2
	runs=$((runs + 1))
	$to "$ots" "$@" > "$tmp/out.json" 2> "$tmp/err.txt"
	rc=$?
	if [ $rc -ne "$want" ] || crashed "$tmp/err.txt"; then
		bad "$name: exit $rc (want $want): otsentry $*"
		head -20 "$tmp/err.txt"
		return 1
	fi
	if [ -s "$tmp/out.json" ] && ! json_ok "$tmp/out.json"; then
		bad "$name: output is not EVE JSON lines"
		return 1
	fi
	return 0
}

# err_is NAME PATTERN: stderr is exactly one line matching PATTERN (grep -E),
# ignoring the "Try 'otsentry --help'." hint.
err_is() {
	grep -v "^Try 'otsentry --help'" "$tmp/err.txt" > "$tmp/err1.txt"
	if [ "$(wc -l < "$tmp/err1.txt")" -ne 1 ] || ! grep -q -E -- "$2" "$tmp/err1.txt"; then
		bad "$1: want one line matching '$2', got:"
		cat "$tmp/err.txt"
	fi
}

captures() {
	ls "$src"/pcaps/*.pcap 2> /dev/null
	[ -d "$shared" ] && find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort
}
captures > "$tmp/all"
head -n "${ROBUST_MAX_CAPTURES:-100000}" "$tmp/all" > "$tmp/list"
[ -s "$tmp/list" ] || { echo "SKIP: no captures (pcaps/ and $shared empty)"; exit 77; }

# ---- 1. every capture, every feature --------------------------------------
while read -r f; do
	ots "learn $f" 0 -q -r "$f" --log all --inventory "$tmp/inv.json" \
		--graph "$tmp/g.dot" --graph "$tmp/g.graphml" --learn "$tmp/bl.json" || continue
	[ -s "$tmp/inv.json" ] && jq -e .assets "$tmp/inv.json" > /dev/null 2>&1 ||
		bad "$f: no inventory written"
	[ -s "$tmp/g.dot" ] && [ -s "$tmp/g.graphml" ] || bad "$f: no graph written"
	[ -s "$tmp/bl.json" ] || { bad "$f: no baseline written"; continue; }
	ots "detect $f" 0 -q -r "$f" --log all --baseline "$tmp/bl.json" \
		--inventory "$tmp/inv.json" || continue
	# a capture checked against its own baseline: no new asset or edge
	n=$(grep -c -e '"signature":"otsentry baseline: new_asset' \
		-e '"signature":"otsentry baseline: new_edge' "$tmp/out.json")
	[ "$n" -eq 0 ] || bad "$f: $n new_asset/new_edge alerts against its own baseline"
done < "$tmp/list"
echo "every capture: $(wc -l < "$tmp/list") files"

# ---- 2. truncated captures ----------------------------------------------
# pcap record offsets of a classic pcap (either byte order); stops at n.
pcap_ends() {
	od -A n -t u1 -v "$1" | tr -s ' \n' '\n\n' | awk -v max="$2" '
		NF { b[n++] = $1 }
		END {
			if (n < 24) exit
			le = (b[0] == 212 && b[1] == 195)
			off = 24
			while (off + 16 <= n) {
				if (le) len = b[off+8] + 256 * (b[off+9] + 256 * (b[off+10] + 256 * b[off+11]))
				else len = b[off+11] + 256 * (b[off+10] + 256 * (b[off+9] + 256 * b[off+8]))
				if (off + 16 + len > n) exit
				off += 16 + len
				print off
				if (off >= max) exit
			}
		}'
}

# A few captures of each kind: Modbus, DNP3, S7comm and a generated one.
pick() {
	grep -E "$1" "$tmp/all" | grep -E '\.pcap$' | head -n "$2"
}
{
	pick '/modbus/' 2
	pick '/dnp3/' 2
	pick '/s7comm/' 2
	pick '/pcaps/plant_attack_s7_stop' 1
} > "$tmp/cutlist"
cuts=0
while read -r f; do
	size=$(wc -c < "$f")
	[ "$size" -gt 200 ] || continue
	for frac in 3 50 97; do
		cut=$((size * frac / 100 + 7))
		[ $cut -lt "$size" ] || continue
		base=$(basename "$f" .pcap)
		c="$tmp/$base.cut$cut.pcap"
		head -c $cut "$f" > "$c"
		# the same capture ending at the last whole packet before the cut
		last=$(pcap_ends "$f" $cut | awk -v c=$cut '$1 <= c { l = $1 } END { print l + 0 }')
		[ "$last" -ge 24 ] || continue
		head -c "$last" "$f" > "$tmp/whole.pcap"
		cuts=$((cuts + 1))
		[ "$last" -lt $cut ] || continue        # cut fell on a record boundary
		ots "cut $base at $cut" 0 -r "$c" --log all -q --inventory "$tmp/inv.json" || continue
		err_is "cut $base at $cut" "^otsentry: .*$base\\.cut$cut\\.pcap: .*truncated"
		grep -v '"event_type":"stats"' "$tmp/out.json" > "$tmp/cut.events"
		ots "whole $base to $last" 0 -r "$tmp/whole.pcap" --log all -q || continue
		grep -v '"event_type":"stats"' "$tmp/out.json" > "$tmp/whole.events"
		cmp -s "$tmp/cut.events" "$tmp/whole.events" ||
			bad "cut $base at $cut: events differ from the capture ending before the cut ($(wc -l < "$tmp/cut.events") vs $(wc -l < "$tmp/whole.events"))"
	done
done < "$tmp/cutlist"
echo "truncated captures: $cuts cuts"

# ---- 3. bad files, options, baselines and rules ---------------------------
p=$(head -n 1 "$tmp/list")
: > "$tmp/empty.pcap"
printf 'this is not a capture file at all.\n' > "$tmp/corrupt.pcap"
head -c 24 "$p" > "$tmp/header.pcap"
# a pcap header with a bad version and an absurd snaplen
printf '\324\303\262\241\011\000\011\000\000\000\000\000\000\000\000\000\377\377\377\377\001\000\000\000' > "$tmp/badhdr.pcap"
mkdir "$tmp/dir.pcap"

ots "empty file" 1 -q -r "$tmp/empty.pcap" && err_is "empty file" "empty\\.pcap"
ots "corrupt header" 1 -q -r "$tmp/corrupt.pcap" && err_is "corrupt header" "corrupt\\.pcap: .*format"
ots "bad pcap header" 1 -q -r "$tmp/badhdr.pcap" && err_is "bad pcap header" "badhdr\\.pcap"
ots "no packets" 0 -q -r "$tmp/header.pcap" &&
	[ "$(grep -c '"event_type":"stats"' "$tmp/out.json")" -eq 1 ] || bad "no packets: want one stats event"
ots "nonexistent file" 1 -q -r "$tmp/nope.pcap" && err_is "nonexistent file" "nope\\.pcap: No such file"
ots "directory" 1 -q -r "$tmp/dir.pcap" && err_is "directory" "dir\\.pcap: .*directory"
# one bad file among good ones: reported, the others read, exit 3 (skipped)
ots "bad among good" 3 -q -r "$tmp/nope.pcap" -r "$p" && err_is "bad among good" "nope\\.pcap"
grep -q '"event_type":"stats"' "$tmp/out.json" || bad "bad among good: no stats event"

# bad option values: exit 2 and a message naming the option
while IFS='|' read -r opt val pat; do
	ots "$opt '$val'" 2 -r "$p" "$opt" "$val" && err_is "$opt '$val'" "^otsentry: .*$pat"
done <<EOF
--max-flows|abc|--max-flows: 'abc' is not a number
--max-flows|-5|--max-flows: '-5' is not a number
--max-flows|99999999999999999999|--max-flows: .* out of range
--max-assets|12x|--max-assets: '12x' is not a number
--max-edges||--max-edges: '' is not a number
--flow-timeout|-1|--flow-timeout: '-1' is out of range
--tcp-timeout|nan|--tcp-timeout: 'nan' is not a number
--value-margin|inf|--value-margin: 'inf'
--learn-for|5q|--learn-for: '5q'
--learn-for|m|--learn-for: 'm' is not a duration
--alert-rate|1e3|--alert-rate: '1e3' is not a number
--max-reassembly-bytes|0x10|--max-reassembly-bytes: '0x10' is not a number
-s|999999999|-s: '999999999' is out of range
--log|modbus,,dnp3|--log: bad protocol list
--log|bogus|--log: unknown protocol 'bogus'
--no-log|all,x|--no-log: unknown protocol 'x'
--var|=x|--var: '=x' is not NAME=VALUE
--graph|g.png|--graph g\\.png: .*\\.dot
--sink|nowhere://x|--sink nowhere://x: unknown sink
--oui-file|$tmp/nope.csv|nope\\.csv
--geoip|$tmp/nope.mmdb|nope\\.mmdb
EOF
# files written at the end need a writable directory, checked at the start
for o in --inventory --graph --learn; do
	ots "$o unwritable" 2 -r "$p" $o "$tmp/nodir/x.dot" &&
		err_is "$o unwritable" "^otsentry: $o .*/nodir/x\\.dot: cannot write in .*/nodir"
done
# an output that fails: events lost is an error, not a quiet success
if [ -c /dev/full ]; then
	# two lines: the moment the output starts losing events, then the count
	# at the end with the exit status it explains
	if ots "output to a full disk" 1 -q -r "$p" -o /dev/full; then
		if [ "$(wc -l < "$tmp/err.txt")" -ne 2 ] ||
			! grep -q -E "^otsentry: output 1 \(file\): events are being lost: No space left on device$" "$tmp/err.txt" ||
			! grep -q -E "^otsentry: [1-9][0-9]* events lost \(an output could not take them\): exit status 1$" "$tmp/err.txt"; then
			bad "output to a full disk: want the loss named when it starts and counted at the end, got:"
			cat "$tmp/err.txt"
		fi
	fi
fi
ots "unknown option" 2 -r "$p" --no-such-option && err_is "unknown option" "no-such-option"
ots "nothing to read" 2 && err_is "nothing to read" "nothing to read"
ots "stray argument" 2 -i lo stray && err_is "stray argument" "unexpected argument 'stray'"
# operands after -r are inputs too
ots "operand input" 3 -q -r "$p" stray && err_is "operand input" "stray: No such file"

# corrupt baselines: exit 2, the file and the problem named
printf '{"format":"otsentry-baseline","version":1,' > "$tmp/cut.json"
printf 'not json\n' > "$tmp/text.json"
printf '{"format":"something-else","version":1}\n' > "$tmp/other.json"
printf '{"format":"otsentry-baseline","version":999}\n' > "$tmp/future.json"
for b in cut text other future nope; do
	ots "baseline $b" 2 -r "$p" --baseline "$tmp/$b.json" && err_is "baseline $b" "$b\\.json"
	ots "baseline-show $b" 2 --baseline-show "$tmp/$b.json" && err_is "baseline-show $b" "$b\\.json"
done
# a learned baseline with one field mistyped
ots "learn for mistype" 0 -q -r "$p" --learn "$tmp/good.json"
if [ -s "$tmp/good.json" ] && command -v jq >/dev/null 2>&1; then
	jq -c '.version = "1"' "$tmp/good.json" > "$tmp/mistyped.json"
	ots "baseline mistyped" 2 -r "$p" --baseline "$tmp/mistyped.json" &&
		err_is "baseline mistyped" "mistyped\\.json"
fi

# edges that differ only in the transport (ICMP, GRE, TCP and UDP to port
# 0) survive the baseline file: it loads and its own capture raises nothing
if [ -x "$top/tests/e2e/flood_gen" ]; then
	"$top/tests/e2e/flood_gen" "$tmp/l4mix.pcap" 8 1 l4mix
	ots "learn l4mix" 0 -q -r "$tmp/l4mix.pcap" --learn "$tmp/l4mix.json" &&
	ots "detect l4mix" 0 -q -r "$tmp/l4mix.pcap" --baseline "$tmp/l4mix.json" &&
		{ ! grep -q '"event_type":"alert"' "$tmp/out.json" || bad "l4mix: alerts against its own baseline"; }
fi

# broken rule files: exit 2 with FILE:LINE, or a warning with --rules-warn
printf 'alert modbus any any -> any 502 (msg:"x"; nosuchkeyword; sid:1;)\n' > "$tmp/broken.rules"
printf 'alert modbus any any -> any 502 (msg:"unterminated; sid:2;\n' > "$tmp/quote.rules"
printf 'alert modbus any any -> any 502 (msg:"no sid";)\n' > "$tmp/nosid.rules"
for r in broken quote nosid; do
	ots "rules $r" 2 -r "$p" --rules "$tmp/$r.rules" &&
		grep -q -E "^otsentry: .*$r\\.rules:1: " "$tmp/err.txt" || bad "rules $r: no FILE:LINE message"
done
ots "rules missing" 2 -r "$p" --rules "$tmp/nope.rules" &&
	grep -q "nope\\.rules" "$tmp/err.txt" || bad "rules missing: file not named"
ots "rules-warn" 0 -q -r "$p" --rules "$tmp/broken.rules" --rules-warn &&
	grep -q "broken\\.rules:1: " "$tmp/err.txt" || bad "rules-warn: no warning"

echo "$runs otsentry runs"
[ $fail -eq 0 ] || exit 1
if [ ! -d "$shared" ]; then
	echo "SKIP: no shared captures in $shared (pcaps/ only checked, and passed)"
	exit 77
fi
echo "PASS"
exit 0
