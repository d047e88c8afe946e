#!/bin/sh
# eve_schema.sh - every kind of EVE line otsentry writes over the bundled
# captures (pcaps/: learned on plant_normal, then each attack against that
# baseline, so alerts are in) and the shared public captures validates
# against Suricata's EVE JSON schema (tests/e2e/eve_schema.py: the schema
# with additionalProperties relaxed; the fields both know must agree in
# type and shape).  Of each capture's output the first $EVE_SCHEMA_PER_TYPE
# (20) lines of each event_type are validated; 0 validates every line.
#
# Every run names the sensor (--sensor-name), and every line must carry that
# name as "host".
#
# The schema is not part of the tree: $OTS_EVE_SCHEMA, else
# $OTS_SHARED_PCAPS/../schemas/suricata-eve.schema.json.  Exit 77 (skip)
# without it or without python3-jsonschema.
set -u
top=${OTS_TOP_BUILDDIR:-.}
src=${OTS_TOP_SRCDIR:-.}
ots=$top/src/otsentry
shared=${OTS_SHARED_PCAPS:-}
schema=${OTS_EVE_SCHEMA:-${shared:+$shared/../schemas/suricata-eve.schema.json}}
per_type=${EVE_SCHEMA_PER_TYPE:-20}

[ -x "$ots" ] || { echo "FAIL: $ots not built"; exit 1; }
if [ -z "$schema" ] || [ ! -f "$schema" ]; then
	echo "SKIP: no EVE schema (OTS_EVE_SCHEMA or the shared folder's schemas/)"
	exit 77
fi
if ! python3 -c 'import jsonschema' 2>/dev/null; then
	echo "SKIP: python3-jsonschema not installed"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ots-eveschema.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# One capture through otsentry into the next numbered output file.
n=0
run() {
	out=$tmp/$n.eve.json
	n=$((n + 1))
	"$ots" -q --sensor-name schema-test "$@" -o "$out" 2>>"$tmp/stderr" || {
		echo "FAIL: otsentry $* exited $?"; cat "$tmp/stderr"; exit 1; }
}

(cd "$src" && "$ots" -q --sensor-name schema-test -r pcaps/plant_normal.pcap --learn "$tmp/b.json" \
	-o "$tmp/normal.eve.json") || { echo "FAIL: learning on plant_normal"; exit 1; }
for f in "$src"/pcaps/plant_attack_*.pcap; do
	[ -e "$f" ] || continue
	run -r "$f" --baseline "$tmp/b.json"
done
captures=$n
if [ -d "$shared" ]; then
	for f in $(find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort); do
		run -r "$f"
	done
fi
echo "eve_schema: $((n + 1)) captures ($((n - captures)) shared), $per_type lines per event type each"
python3 "$src/tests/e2e/eve_schema.py" "$schema" --per-type "$per_type" --host schema-test \
	"$tmp/normal.eve.json" "$tmp"/[0-9]*.eve.json > "$tmp/report" 2>&1
rc=$?
head -40 "$tmp/report"
[ "$(wc -l < "$tmp/report")" -le 40 ] || tail -1 "$tmp/report"
# A validation that checked nothing proves nothing.
grep -q 'lines checked (.*alert [1-9].*dnp3 [1-9].*flow [1-9].*modbus [1-9].*s7comm [1-9].*stats [1-9]' "$tmp/report" || {
	echo "FAIL: not every event type was checked"; exit 1; }
exit $rc
