#!/bin/sh
# flood.sh - memory stays bounded under a spoofed-source flood.
#
# tests/flood_gen writes FLOOD_PACKETS (300000) SYNs and DNP3 datagrams, each
# from a new random MAC, IPv4 address and port, so every packet makes a new
# flow, asset, graph edge and baseline entry.  otsentry runs with small caps;
# the stats event must show the caps held and evictions counted, and the
# peak resident size must stay under FLOOD_MAX_RSS_KB and grow by less than
# FLOOD_MAX_GROWTH_KB between a tenth of the flood and the whole flood.
set -u

top=${OTS_TOP_BUILDDIR:-.}
ots=$top/src/otsentry
gen=$top/tests/e2e/flood_gen
n=${FLOOD_PACKETS:-300000}
max_rss=${FLOOD_MAX_RSS_KB:-131072}
max_growth=${FLOOD_MAX_GROWTH_KB:-16384}
max_flows=1000 max_assets=500 max_edges=800 max_keys=2000

command -v jq >/dev/null 2>&1 || { echo "SKIP: jq not installed"; exit 77; }
[ -x "$ots" ] && [ -x "$gen" ] || { echo "FAIL: $ots or $gen not built"; exit 1; }

. "${OTS_TOP_SRCDIR:-.}/tests/e2e/rss_lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ots-flood.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# A sanitizer build keeps freed memory in quarantine: keep it small so the
# resident size measures otsentry's tables.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
export ASAN_OPTIONS

# Peak resident size (KiB) of otsentry over FILE; events to $tmp/out.json.
run() {
	"$ots" -r "$1" -q --no-flow-log --max-flows $max_flows \
		--max-assets $max_assets --max-edges $max_edges \
		--max-baseline-keys $max_keys --learn "$tmp/bl.json" \
		--inventory "$tmp/inv.json" --graph "$tmp/g.dot" \
		> "$tmp/out.json" 2> "$tmp/err.txt" &
	peak_rss $!
	[ $rc -eq 0 ] || { bad "otsentry exited $rc on $1"; cat "$tmp/err.txt"; }
	echo "$peak" > "$tmp/peak"
}

"$gen" "$tmp/small.pcap" $((n / 10)) 1 && "$gen" "$tmp/flood.pcap" "$n" 2 ||
	{ echo "FAIL: flood_gen"; exit 1; }

run "$tmp/small.pcap"
small=$(cat "$tmp/peak")
run "$tmp/flood.pcap"
peak=$(cat "$tmp/peak")

jq -e . "$tmp/out.json" > /dev/null || bad "output is not JSON lines"
jq -c 'select(.event_type == "stats") | .stats' "$tmp/out.json" > "$tmp/stats.json"
[ "$(wc -l < "$tmp/stats.json")" -eq 1 ] || bad "expected one stats event"

# check NAME JQ-EXPRESSION: the expression holds on the stats object
check() {
	jq -e "$2" "$tmp/stats.json" > /dev/null || bad "$1: $(jq -c "$3" "$tmp/stats.json")"
}
check "all packets decoded" ".decoder.decoded == $n" ".decoder"
check "flows evicted at the cap" \
	".flow.created == $n and .flow.evicted >= $n - $max_flows and .flow.no_room == 0" ".flow"
check "assets capped" \
	".inventory.assets <= $max_assets and .inventory.assets_evicted >= $n - $max_assets" ".inventory"
check "edges capped" \
	".inventory.edges <= $max_edges and .inventory.edges_evicted >= $n - $max_edges" ".inventory"
check "baseline capped" \
	".baseline.keys <= $max_keys and .baseline.refused > 0" ".baseline | {keys, refused}"
check "asset events rate-limited" \
	".inventory.asset_events_suppressed > 0 and .inventory.asset_events < $n / 10" ".inventory"
jq -e ".assets | length <= $max_assets" "$tmp/inv.json" > /dev/null ||
	bad "inventory file holds more than $max_assets assets"
[ "$(grep -c -- '->' "$tmp/g.dot")" -le $max_edges ] || bad "graph holds more than $max_edges edges"

echo "peak RSS: $small KiB ($((n / 10)) packets), $peak KiB ($n packets)"
if [ "$peak" -eq 0 ]; then
	bad "could not read the resident size from /proc"
else
	[ "$peak" -le "$max_rss" ] || bad "peak RSS $peak KiB above $max_rss KiB"
	[ $((peak - small)) -le "$max_growth" ] ||
		bad "RSS grew by $((peak - small)) KiB from $((n / 10)) to $n packets"
fi

# A Modbus session whose requests are new almost every time: learning fills
# the baseline to its key cap at a cost linear in the requests (learning
# once scanned every channel for each new transition: quadratic).  CPU time
# of --learn against a run without it.
if [ -x /usr/bin/time ]; then
	"$gen" "$tmp/modbus.pcap" "$n" 3 modbus || { echo "FAIL: flood_gen modbus"; exit 1; }
	/usr/bin/time -f %U -o "$tmp/t0" "$ots" -q -r "$tmp/modbus.pcap" --no-flow-log > /dev/null ||
		bad "otsentry failed on the Modbus flood"
	/usr/bin/time -f %U -o "$tmp/t1" "$ots" -q -r "$tmp/modbus.pcap" --no-flow-log \
		--learn "$tmp/mb.json" > "$tmp/out.json" || bad "otsentry --learn failed on the Modbus flood"
	t0=$(tail -n 1 "$tmp/t0") t1=$(tail -n 1 "$tmp/t1")
	echo "Modbus flood: $t0 s CPU, $t1 s CPU learning"
	jq -e 'select(.event_type == "stats") | .stats.baseline | .keys == 100000 and .refused > 0' \
		"$tmp/out.json" > /dev/null || bad "Modbus flood: baseline not filled to its cap"
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b <= 6 * a + 1) }' ||
		bad "learning the Modbus flood took $t1 s CPU against $t0 s without"

	# Tiny out-of-order segments behind a hole: the reassembly keeps a
	# bounded number of them (a longer list costs a longer walk for every
	# segment), gives up on the hole and goes on.
	"$gen" "$tmp/ooo.pcap" 60000 1 ooo || { echo "FAIL: flood_gen ooo"; exit 1; }
	/usr/bin/time -f %U -o "$tmp/t2" "$ots" -q -r "$tmp/ooo.pcap" > "$tmp/out.json" ||
		bad "otsentry failed on tiny out-of-order segments"
	t2=$(tail -n 1 "$tmp/t2")
	echo "60000 tiny out-of-order segments: $t2 s CPU"
	jq -e 'select(.event_type == "stats") | .stats.reassembly |
		.ooo_dropped > 0 and .gaps == 1 and .memuse_peak <= 2048 and .memuse == 0' \
		"$tmp/out.json" > /dev/null ||
		bad "tiny segments: $(jq -c 'select(.event_type == "stats") | .stats.reassembly' "$tmp/out.json")"
	awk -v a="$t0" -v b="$t2" 'BEGIN { exit !(b <= a + 1) }' ||
		bad "60000 tiny out-of-order segments took $t2 s CPU ($t0 s for the $n-request flood)"
fi
# DNP3 header noise (a frame start with a bad CRC every three bytes) after a
# valid frame: every bad header counted, a bounded number of anomaly lines
# per segment rather than one per three bytes.
"$gen" "$tmp/noise.pcap" 2000 1 dnp3noise || { echo "FAIL: flood_gen dnp3noise"; exit 1; }
"$ots" -q -r "$tmp/noise.pcap" > "$tmp/out.json" || bad "otsentry failed on DNP3 noise"
jq -e 'select(.event_type == "stats") | .stats |
	.dissectors.dnp3.bad_crc > 900000 and .protolog.anomaly <= 3 * 2000' "$tmp/out.json" > /dev/null ||
	bad "DNP3 noise: $(jq -c 'select(.event_type == "stats") | .stats | [.dissectors.dnp3, .protolog]' "$tmp/out.json")"

[ $fail -eq 0 ] && echo "PASS: flood of $n spoofed sources, caps held"
exit $fail
