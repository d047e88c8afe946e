#!/bin/sh
# community_id.sh - the community_id of every flow, alert, anomaly and
# protocol line over the bundled captures and every fourth shared capture
# equals the Community ID v1 recomputed independently (Python's hashlib)
# from the line's own addresses, ports and protocol; the lines of one flow,
# written in either direction, all carry the same one; --community-id-seed
# changes the hash as the specification says; --no-community-id removes it.
# Exit 77 without python3.
set -u
top=${OTS_TOP_BUILDDIR:-.}
src=${OTS_TOP_SRCDIR:-.}
ots=$top/src/otsentry
shared=${OTS_SHARED_PCAPS:-}
check=$src/tests/e2e/community_id.py

[ -x "$ots" ] || { echo "FAIL: $ots not built"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ots-cid.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

n=0
for f in "$src"/pcaps/*.pcap; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	"$ots" -q -r "$f" -o "$tmp/b$n.eve.json" || { echo "FAIL: otsentry on $f"; exit 1; }
done
if [ -n "$shared" ] && [ -d "$shared" ]; then
	for f in $(find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort | awk 'NR % 4 == 1'); do
		n=$((n + 1))
		"$ots" -q -r "$f" -o "$tmp/s$n.eve.json" || { echo "FAIL: otsentry on $f"; exit 1; }
	done
else
	echo "no shared captures: bundled ones only"
fi
echo "$n captures"
python3 "$check" "$tmp"/*.eve.json || fail=1

# Seed 1: every value changes, and still matches the specification.
"$ots" -q --community-id-seed 1 -r "$src/pcaps/plant_attack_s7_stop.pcap" -o "$tmp/seed1.json" || fail=1
python3 "$check" --seed 1 "$tmp/seed1.json" || fail=1
if grep -q "$(grep -o '"community_id":"[^"]*"' "$tmp/seed1.json" | head -1)" "$tmp"/b*.eve.json; then
	echo "FAIL: seed 1 gave a seed-0 value"; fail=1
fi

# Off: no line carries one.
"$ots" -q --no-community-id -r "$src/pcaps/plant_attack_s7_stop.pcap" -o "$tmp/off.json" || fail=1
[ -s "$tmp/off.json" ] || { echo "FAIL: no output with --no-community-id"; fail=1; }
if grep -q community_id "$tmp/off.json"; then
	echo "FAIL: community_id written with --no-community-id"; fail=1
fi
"$ots" --community-id-seed 65536 -r x 2>/dev/null
[ $? -eq 2 ] || { echo "FAIL: a seed above 65535 was accepted"; fail=1; }
[ $fail -eq 0 ] && echo "PASS"
exit $fail
