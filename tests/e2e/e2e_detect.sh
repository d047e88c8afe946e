#!/bin/sh
# Learn on the project's normal plant capture, detect on every attack
# capture, and hold the baseline alerts to the ground truth written by the
# generator:
#   - every injected event raises an alert of a kind it expects, involving
#     its hosts, at or after its time;
#   - every baseline alert is explained by an injected event (a kind it
#     expects or allows, its hosts);
#   - learning on the first half of the normal capture and detecting on the
#     rest raises no baseline alert at all.
set -u
top=${OTS_TOP_SRCDIR:-$(dirname "$0")/..}
bin=${OTS_TOP_BUILDDIR:-$top}/src/otsentry
pcaps=$top/pcaps
command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skip"; exit 77; }
[ -f "$pcaps/plant_normal.pcap" ] || { echo "no generated captures: skip"; exit 77; }
ls "$pcaps"/plant_attack_*.truth.json >/dev/null 2>&1 || { echo "no ground truth: skip"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
quiet="-q --no-log all --no-flow-log --no-anomaly-log"

"$bin" -r "$pcaps/plant_normal.pcap" --learn "$work/base.json" $quiet >"$work/learn.out" || {
	echo "FAIL: learning run failed"; exit 1; }
[ -s "$work/base.json" ] || { echo "FAIL: no baseline written"; exit 1; }

fail=0
for truth in "$pcaps"/plant_attack_*.truth.json; do
	cap=${truth%.truth.json}.pcap
	name=$(basename "$cap" .pcap)
	"$bin" -r "$cap" --baseline "$work/base.json" $quiet >"$work/$name.out" || {
		echo "FAIL: $name: otsentry exited non-zero"; fail=1; continue; }
	python3 - "$truth" "$work/$name.out" "$name" <<'EOF' || fail=1
import json, sys, datetime as dt
truth = json.load(open(sys.argv[1]))
name = sys.argv[3]
alerts = []
for line in open(sys.argv[2]):
    ev = json.loads(line)
    if ev.get("event_type") != "alert" or ev["alert"].get("gid") != 2:
        continue
    t = dt.datetime.strptime(ev["timestamp"][:26], "%Y-%m-%dT%H:%M:%S.%f")
    t = t.replace(tzinfo=dt.timezone.utc).timestamp()
    hosts = {ev.get("src_ip"), ev.get("dest_ip")} - {None}
    alerts.append((t, ev["alert"]["metadata"].get("kind"), hosts))

def hosts_of(e):
    return {e.get("src_ip"), e.get("dst_ip")} - {None}

ok = True
for e in truth["events"]:
    want = set(e.get("expect", []))
    hit = [a for a in alerts if a[1] in want and a[0] >= e["epoch"] - 1.0
           and (not a[2] or a[2] & hosts_of(e))]
    if not hit:
        print("FAIL: %s: no %s alert for: %s" % (name, "/".join(sorted(want)), e["what"]))
        ok = False
for t, kind, hosts in alerts:
    why = [e for e in truth["events"]
           if kind in set(e.get("expect", [])) | set(e.get("allow", []))
           and t >= e["epoch"] - 1.0 and (not hosts or hosts & hosts_of(e))]
    if not why:
        print("FAIL: %s: unexplained %s alert at %.3f between %s" % (name, kind, t, sorted(hosts)))
        ok = False
print("%s: %s (%d baseline alerts, %d injected events)" % (
    name, "ok" if ok else "FAILED", len(alerts), len(truth["events"])))
sys.exit(0 if ok else 1)
EOF
done

# Normal after learning: learn on the first half, detect on the rest.
"$bin" -r "$pcaps/plant_normal.pcap" --learn-for 300 $quiet >"$work/split.out" || {
	echo "FAIL: split run failed"; exit 1; }
n=$(grep '"event_type":"alert"' "$work/split.out" | grep -c '"gid":2')
if [ "$n" -ne 0 ]; then
	echo "FAIL: $n baseline alerts on normal traffic after learning:"
	grep '"event_type":"alert"' "$work/split.out" | grep '"gid":2' | head -5
	fail=1
else
	echo "normal after learning: 0 baseline alerts"
fi
exit $fail
