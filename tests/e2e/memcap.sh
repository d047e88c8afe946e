#!/bin/sh
# memcap.sh - --memcap holds under a flood.
#
# tests/e2e/flood_gen writes MEMCAP_SOURCES SYNs, each from a new spoofed
# source (a new flow, asset and edge each), and MEMCAP_HOLES TCP sessions
# to a Modbus server that each leave a hole that never fills.  otsentry
# reads both under --memcap MEMCAP; its peak resident size, less that of a
# run over a small capture (the fixed part: program, nDPI, tables of names),
# must stay under MEMCAP; stats.memory must show the caps it derived and a
# total under MEMCAP, and the tables must have shed their oldest entries
# (flows, assets and edges evicted, counted).
# make check: 100000 sources, 20000 holes, 32M; make memcap-flood: 1000000
# sources, 200000 holes, 128M.
set -u
top=${OTS_TOP_BUILDDIR:-.}
src=${OTS_TOP_SRCDIR:-.}
ots=$top/src/otsentry
gen=$top/tests/e2e/flood_gen
sources=${MEMCAP_SOURCES:-100000}
holes=${MEMCAP_HOLES:-20000}
cap=${MEMCAP:-32M}
command -v jq >/dev/null 2>&1 || { echo "skip: no jq"; exit 77; }
[ -x "$ots" ] && [ -x "$gen" ] || { echo "FAIL: $ots or $gen not built"; exit 1; }
case "${ASAN_OPTIONS:-}${OTS_SANITIZED:-}" in
*?*) echo "skip: sanitizer build: memory is not the program's own"; exit 77;;
esac
. "$src/tests/e2e/rss_lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ots-memcap.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# peak resident size (KiB) of otsentry ARGS..., events to $tmp/out.json:
# exact, from wait4 (bench/rusage), where it is built; sampling /proc misses
# the peak of a run shorter than its 0.1 s step (the small capture's).
peak_of() {
	rm -f "$tmp/out.json"
	if [ -x "$top/bench/rusage" ]; then
		"$top/bench/rusage" "$tmp/ru" "$ots" -q --no-flow-log -o "$tmp/out.json" "$@" 2> "$tmp/err"
		rc=$?
		peak=$(awk '{ print $3 }' "$tmp/ru" 2>/dev/null)
	else
		"$ots" -q --no-flow-log -o "$tmp/out.json" "$@" 2> "$tmp/err" &
		peak_rss $!
	fi
	[ $rc -eq 0 ] || { bad "otsentry exited $rc ($*)" >&2; cat "$tmp/err" >&2; }
	echo "$peak"
}

"$gen" "$tmp/sources.pcap" "$sources" 4 && "$gen" "$tmp/holes.pcap" $((2 * holes)) 3 holes ||
	{ echo "FAIL: flood_gen"; exit 1; }
base=$(peak_of -r "$src/pcaps/plant_attack_unauthorized_write.pcap" --memcap "$cap")
peak=$(peak_of -r "$tmp/sources.pcap" "$tmp/holes.pcap" --memcap "$cap")
capk=$(jq -r 'select(.event_type == "stats") | .stats.memory.memcap / 1024' "$tmp/out.json")
jq -c 'select(.event_type == "stats") | .stats' "$tmp/out.json" > "$tmp/stats.json"
check() { jq -e "$2" "$tmp/stats.json" > /dev/null || bad "$1: $(jq -c "$3" "$tmp/stats.json")"; }
check "caps derived" ".memory.caps.max_flows > 0 and .memory.total <= .memory.memcap" ".memory"
check "flows shed" ".flow.created == $sources + $holes and .flow.evicted > 0 and .flow.no_room == 0" ".flow"
check "assets and edges shed" ".inventory.assets_evicted > 0 and .inventory.edges_evicted > 0" ".inventory"
[ -n "$capk" ] && [ $((peak - base)) -le "${capk%.*}" ] ||
	bad "peak RSS $peak KiB - $base KiB fixed = $((peak - base)) KiB, over --memcap $cap (${capk:-?} KiB)"
echo "measured: --memcap $cap, $sources sources, $holes holes: peak RSS $peak KiB, fixed $base KiB, $(jq -c '.memory.caps' "$tmp/stats.json")"
[ $fail -eq 0 ] || exit 1
echo "PASS: --memcap $cap held"
