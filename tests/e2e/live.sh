#!/bin/sh
# live.sh - otsentry as an appliance, end to end: capture on a live
# interface, learn for a few seconds of wall time, then detect; signals.
#
# Everything happens inside a private network namespace made for this run,
# holding one veth pair: otsentry listens on one end, tcpreplay sends the
# project's plant captures into the other.  No real interface or address is
# touched; the namespace (and with it the pair) is deleted on exit.
#
#   1. start: periodic stats events appear (--stats-interval 1), a second
#      apart;
#   2. pcaps/plant_normal.pcap replayed inside the 5 s of --learn-for:
#      as many Modbus, DNP3 and S7comm messages as reading the file gives;
#   3. the learning time runs out: the --learn file is written while
#      running, and the stats events go from mode learn to detect;
#   4. plant_attack_unauthorized_write.pcap: an unexpected_write alert;
#   5. SIGUSR1: the --inventory file appears, valid, with assets, and
#      the --report page with as many assets;
#   6. eve.json moved aside, SIGHUP: later lines go to a new eve.json,
#      none to the old one; plant_attack_s7_stop.pcap then raises the
#      S7 STOP rule alert (sid 9100001) in the new file;
#   7. SIGTERM: exit status 0, the last line is a stats event whose
#      packet and kernel capture counters equal what tcpreplay sent, with
#      no drops and no reassembly gaps; stderr holds only the summary.
#
# Needs root, `ip netns`, tcpreplay and jq; exits 77 (skip) without them.
set -u
top=${OTS_TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${OTS_TOP_BUILDDIR:-$top}/src/otsentry
pcaps=$top/pcaps

skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "not root"
command -v ip >/dev/null 2>&1 || skip "no ip(8)"
command -v tcpreplay >/dev/null 2>&1 || skip "no tcpreplay"
command -v jq >/dev/null 2>&1 || skip "no jq"
command -v timeout >/dev/null 2>&1 || skip "no timeout(1)"
for f in plant_normal plant_attack_unauthorized_write plant_attack_s7_stop; do
	[ -f "$pcaps/$f.pcap" ] || skip "no $pcaps/$f.pcap"
done
[ -x "$bin" ] || { echo "FAIL: no $bin"; exit 1; }

ns=otslive$$
va=otsa$$
vb=otsb$$
tmp=$(mktemp -d) || exit 1
pid=
ippid=
made_ns=

cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
	fi
	[ -n "$ippid" ] && wait "$ippid" 2>/dev/null
	[ -n "$made_ns" ] && ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

nsx() { ip netns exec "$ns" "$@"; }

ip netns add "$ns" 2>"$tmp/netns.err" || skip "ip netns add: $(cat "$tmp/netns.err")"
made_ns=1
nsx ip link set lo up || { echo "FAIL: lo up in $ns"; exit 1; }
nsx ip link add "$va" type veth peer name "$vb" 2>"$tmp/veth.err" ||
	skip "no veth in a namespace: $(cat "$tmp/veth.err")"
# no IPv6 on the pair: no router solicitations or DAD among the plant traffic
nsx sh -c "echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6" 2>/dev/null
nsx sh -c "echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6" 2>/dev/null
nsx ip link set "$va" up && nsx ip link set "$vb" up ||
	{ echo "FAIL: cannot bring up the veth pair"; exit 1; }

fail=0
bad() { echo "FAIL: $*"; fail=1; }

# wait_for SECONDS COMMAND...: poll every 0.2 s; 0 when COMMAND succeeded.
wait_for() {
	_n=$(($1 * 5))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	return 1
}
has() { [ -f "$1" ] && grep -q "$2" "$1"; }
count() { if [ -f "$2" ]; then grep -c "$1" "$2"; else echo 0; fi; }
alive() { kill -0 "$pid" 2>/dev/null; }
replay() {
	# a rate tcpreplay keeps on any machine and the veth backlog absorbs
	nsx timeout 30 tcpreplay -q --pps 20000 -i "$vb" "$pcaps/$1.pcap" \
		>"$tmp/replay-$1.out" 2>&1 ||
		{ bad "tcpreplay $1: $(tail -3 "$tmp/replay-$1.out")"; return 1; }
}
finish() {
	[ "$fail" -eq 0 ] && { echo "PASS"; exit 0; }
	echo "---- otsentry stderr"; cat "$tmp/stderr"
	exit 1
}

# what the normal capture decodes to, read as a file
"$bin" -q --no-rules -r "$pcaps/plant_normal.pcap" -o "$tmp/offline.json" ||
	{ echo "FAIL: otsentry -r plant_normal.pcap"; exit 1; }

# ip netns exec forks: signals go to otsentry's own pid, written by the
# shell that becomes otsentry; the status comes back through ip
nsx sh -c 'echo $$ >"$0"; exec "$@"' "$tmp/pid" \
	"$bin" -i "$va" --stats-interval 1 --learn-for 5 --learn "$tmp/base.json" \
	--inventory "$tmp/inv.json" --report "$tmp/report.html" -o "$tmp/eve.json" 2>"$tmp/stderr" &
ippid=$!
t0=$(date +%s)
wait_for 5 test -s "$tmp/pid" || { echo "FAIL: otsentry did not start"; exit 1; }
pid=$(cat "$tmp/pid")
# the watchdog ends within a second of the test (when $tmp goes)
(
	i=0
	while [ $i -lt 50 ] && [ -d "$tmp" ]; do sleep 1; i=$((i + 1)); done
	[ -d "$tmp" ] && kill -KILL "$pid"
) >/dev/null 2>&1 &

# 1. running: the first periodic stats event
if ! wait_for 10 has "$tmp/eve.json" '"event_type":"stats"'; then
	alive || echo "otsentry exited early"
	bad "no stats event within 10 s"
	finish
fi

# 2. normal traffic, inside the learning time: every message the same
# capture gives when read from the file
replay plant_normal
decoded() {
	for p in modbus dnp3 s7comm; do
		printf '%s=%s ' $p "$(count "\"event_type\":\"$p\"" "$1")"
	done
}
want=$(decoded "$tmp/offline.json")
all_decoded() { [ "$(decoded "$tmp/eve.json")" = "$want" ]; }
wait_for 10 all_decoded
echo "live: $(decoded "$tmp/eve.json")"
echo "file: $want"
[ "$(decoded "$tmp/eve.json")" = "$want" ] ||
	bad "live decoding differs from the file's; veth: $(nsx ip -s -o link show "$vb" | tr -s ' ' | cut -c1-300)"
if [ -f "$tmp/base.json" ]; then
	bad "learning ended before the normal capture was replayed ($(( $(date +%s) - t0 )) s); machine too slow"
	finish
fi

# 3. --learn-for counts wall time: the baseline is written while running
if wait_for 10 test -s "$tmp/base.json"; then
	echo "baseline written after $(( $(date +%s) - t0 )) s"
	jq -e . "$tmp/base.json" >/dev/null 2>&1 || bad "the baseline is not valid JSON"
else
	bad "no baseline written after --learn-for 5"
fi

# 4. detection
replay plant_attack_unauthorized_write
wait_for 10 has "$tmp/eve.json" '"kind":"unexpected_write"' ||
	bad "no unexpected_write alert after learning"

# 5. SIGUSR1: an inventory snapshot
[ -e "$tmp/inv.json" ] && bad "inventory written before SIGUSR1"
[ -e "$tmp/report.html" ] && bad "report written before SIGUSR1"
kill -USR1 "$pid"
wait_for 5 test -s "$tmp/inv.json" || bad "no inventory snapshot after SIGUSR1"
n=$(jq '.assets | length' "$tmp/inv.json" 2>/dev/null || echo 0)
[ "$n" -gt 0 ] 2>/dev/null || bad "snapshot: not valid JSON with assets"
echo "snapshot: $n assets"
wait_for 5 test -s "$tmp/report.html" || bad "no report snapshot after SIGUSR1"
grep -q "<body data-assets=\"$n\"" "$tmp/report.html" || bad "report snapshot: not $n assets"
tail -n 1 "$tmp/report.html" | grep -q '</html>' || bad "report snapshot: not a whole page"
alive || bad "otsentry died on SIGUSR1"

# 6. SIGHUP after rotation: the old file stops, a new one starts
mv "$tmp/eve.json" "$tmp/eve.1.json"
kill -HUP "$pid"
wait_for 5 has "$tmp/eve.json" '"event_type":"stats"' ||
	bad "no new eve.json after SIGHUP"
old=$(wc -l <"$tmp/eve.1.json")
replay plant_attack_s7_stop
wait_for 10 has "$tmp/eve.json" '"signature_id":9100001' ||
	bad "no S7 STOP rule alert in the reopened file"
sleep 1.2       # at least one more stats event
[ "$(wc -l <"$tmp/eve.1.json")" -eq "$old" ] || bad "lines still written to the rotated file"
has "$tmp/eve.1.json" '9100001' && bad "S7 STOP alert in the rotated file"
n=$(count '"event_type":"stats"' "$tmp/eve.1.json")
[ "$n" -ge 2 ] || bad "only $n periodic stats events before rotation"
# periodic means a second apart (a tick late at most), not on each new second
gap=$(grep '"event_type":"stats"' "$tmp/eve.1.json" | jq -s '
	[.[].timestamp | (.[11:13] | tonumber) * 3600 + (.[14:16] | tonumber) * 60 + (.[17:26] | tonumber)]
	| [range(1; length) as $i | .[$i] - .[$i - 1] | if . < 0 then . + 86400 else . end] | min')
echo "$gap" | jq -e '. >= 0.99 and . < 3' >/dev/null 2>&1 ||
	bad "stats events not 1 s apart: shortest gap $gap s"
modes=$(cat "$tmp/eve.1.json" "$tmp/eve.json" | grep '"event_type":"stats"' | jq -r .stats.baseline.mode | uniq | tr '\n' ' ')
[ "$modes" = "learn detect " ] || bad "baseline modes in the stats events: '$modes', not 'learn detect'"
echo "before rotation: $n stats events, $old lines"

# 7. SIGTERM: a clean end
t1=$(date +%s)
kill -TERM "$pid"
rc=0
wait "$ippid" || rc=$?
pid= ippid=
[ "$rc" -eq 0 ] || bad "exit status $rc after SIGTERM"
echo "exit status $rc, $(( $(date +%s) - t1 )) s after SIGTERM"
last=$(tail -n 1 "$tmp/eve.json")
echo "$last" | jq -e '.event_type == "stats" and .stats.capture.kernel_packets > 0' \
	>/dev/null 2>&1 || bad "the last line is not a stats event with capture counters: $(echo "$last" | cut -c1-300)"
echo "$last" | jq -c '.stats.capture' 2>/dev/null
# every packet sent was captured and decoded, none lost on the way
sent=$(cat "$tmp"/replay-*.out | sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
echo "$last" | jq -e --argjson n "$sent" '.stats.packets == $n and .stats.capture.kernel_packets == $n
	and .stats.capture.kernel_drops == 0 and .stats.reassembly.gaps == 0' >/dev/null 2>&1 ||
	bad "tcpreplay sent $sent packets; final stats: $(echo "$last" | jq -c '[.stats.packets, .stats.capture, .stats.reassembly.gaps]' 2>&1)"
jq -e '.assets | length > 0' "$tmp/inv.json" >/dev/null 2>&1 || bad "final inventory not valid"
# standard error: the summary, warnings and the rules waiting for site
# variables, nothing else
grep -v -e '^otsentry: [0-9]* packets, 1 input(s) read, 0 failed' -e 'warning:' \
	-e '^otsentry: [0-9]* rules\{0,1\} waits\{0,1\} for \$[A-Z0-9_]* ' \
	"$tmp/stderr" >"$tmp/stderr.other"
[ -s "$tmp/stderr.other" ] && bad "otsentry complained: $(head -5 "$tmp/stderr.other")"
echo "total $(( $(date +%s) - t0 )) s"
finish
