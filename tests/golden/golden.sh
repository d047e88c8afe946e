#!/bin/sh
# golden.sh - the EVE output over every bundled capture, kept in the tree.
#
#   golden.sh check     run otsentry over pcaps/ and diff against tests/golden/
#   golden.sh regen     rewrite tests/golden/ (make golden)
#
# Runs, all with default options (every log on, the shipped rules):
#   plant_normal.pcap   --learn (the baseline and inventory are kept too)
#   plant_attack_*.pcap --baseline <the one learned above>
# Every run names the sensor "golden" (--sensor-name), so the files do not
# depend on the machine's host name.
# Any output change is a visible diff of these files; an intended change is
# committed together with its regenerated golden files.
set -u
mode=${1:-check}
top=${OTS_TOP_BUILDDIR:-.}
src=${OTS_TOP_SRCDIR:-.}
ots=$top/src/otsentry
gold=$src/tests/golden
pcaps=$src/pcaps

[ -x "$ots" ] || { echo "FAIL: $ots not built"; exit 1; }
[ -f "$pcaps/plant_normal.pcap" ] || { echo "SKIP: no pcaps/plant_normal.pcap"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ots-golden.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
mkdir -p "$out"

# The inventory's "generated" field is the wall clock: blank it.
strip_generated() {
	sed 's/^ "generated": ".*",$/ "generated": "-",/' "$1"
}

# The stats event's uptime is wall-clock seconds the sensor ran: zero it.
strip_uptime() {
	sed -i '/"event_type":"stats"/s/"uptime":[0-9]*,/"uptime":0,/' "$@"
}

(cd "$src" && "$ots" -q --sensor-name golden -r pcaps/plant_normal.pcap -o "$out/plant_normal.eve.json" \
	--learn "$tmp/plant.baseline" --inventory "$tmp/inv.json") || {
	echo "FAIL: otsentry on plant_normal.pcap exited $?"; exit 1; }
cp "$tmp/plant.baseline" "$out/plant_normal.baseline.json"
strip_generated "$tmp/inv.json" > "$out/plant_normal.inventory.json"
for f in "$pcaps"/plant_attack_*.pcap; do
	[ -e "$f" ] || continue
	n=$(basename "$f" .pcap)
	(cd "$src" && "$ots" -q --sensor-name golden --baseline "$tmp/plant.baseline" -r "pcaps/$n.pcap" \
		-o "$out/$n.eve.json") || { echo "FAIL: otsentry on $n.pcap exited $?"; exit 1; }
done

strip_uptime "$out"/*.eve.json

case $mode in
regen)
	rm -f "$gold"/*.json
	cp "$out"/*.json "$gold"/
	echo "golden files rewritten in $gold: $(ls "$out" | wc -l) files"
	;;
check)
	fail=0
	for g in "$gold"/*.json; do
		n=$(basename "$g")
		if [ ! -f "$out/$n" ]; then
			echo "FAIL: $n no longer produced"; fail=1
		elif ! cmp -s "$g" "$out/$n"; then
			echo "FAIL: $n differs from the golden file:"
			diff "$g" "$out/$n" | head -20
			fail=1
		fi
	done
	for o in "$out"/*.json; do
		[ -f "$gold/$(basename "$o")" ] || { echo "FAIL: $(basename "$o") has no golden file (make golden)"; fail=1; }
	done
	[ $fail -eq 0 ] && echo "PASS: $(ls "$out" | wc -l) outputs equal their golden files"
	exit $fail
	;;
*) echo "usage: golden.sh check|regen" >&2; exit 2 ;;
esac
