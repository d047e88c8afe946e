#!/bin/sh
# soak.sh - the appliance over time: otsentry on a veth pair in a private
# network namespace while tcpreplay sends the bundled plant capture into
# the other end, again and again, for SOAK_SECONDS (60 in make check;
# make soak runs 600).
#
#   - the sensor's RSS, sampled every second, is flat after warm-up (the
#     first third of the run): the largest sample of the rest is within
#     SOAK_RSS_SLACK percent (10) of the smallest;
#   - no kernel drops; every packet tcpreplay sent is counted in the final
#     stats event;
#   - every Modbus, DNP3 and S7comm message that reading the file gives is
#     found live, in every round (flows time out between rounds, so each
#     round starts afresh, as the file does).
#
# SOAK_PPS sets the replay rate (20000).  SOAK_FIND_RATE=1 instead doubles
# the rate from SOAK_PPS until the kernel drops packets and prints the
# highest rate without loss.
#
# Needs root, `ip netns`, tcpreplay and jq; exits 77 (skip) without them.
set -u
top=${OTS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${OTS_TOP_BUILDDIR:-$top}/src/otsentry
cap=$top/pcaps/plant_normal.pcap
secs=${SOAK_SECONDS:-60}
pps=${SOAK_PPS:-20000}
slack=${SOAK_RSS_SLACK:-10}

skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "not root"
command -v ip >/dev/null 2>&1 || skip "no ip(8)"
command -v tcpreplay >/dev/null 2>&1 || skip "no tcpreplay"
command -v jq >/dev/null 2>&1 || skip "no jq"
[ -f "$cap" ] || skip "no $cap"
[ -x "$bin" ] || { echo "FAIL: no $bin"; exit 1; }
case "${ASAN_OPTIONS:-}${OTS_SANITIZED:-}" in
*?*) [ -z "${SOAK_UNDER_SANITIZER:-}" ] && skip "sanitizer build: memory is not the program's own";;
esac

ns=otssoak$$
va=otsa$$
vb=otsb$$
tmp=$(mktemp -d) || exit 1
pid= ippid= made_ns=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "$ippid" ] && wait "$ippid" 2>/dev/null
	[ -n "$made_ns" ] && ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
nsx() { ip netns exec "$ns" "$@"; }
ip netns add "$ns" 2>"$tmp/netns.err" || skip "ip netns add: $(cat "$tmp/netns.err")"
made_ns=1
nsx ip link set lo up
nsx ip link add "$va" type veth peer name "$vb" 2>"$tmp/veth.err" || skip "no veth: $(cat "$tmp/veth.err")"
nsx sh -c "echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6" 2>/dev/null
nsx sh -c "echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6" 2>/dev/null
nsx ip link set "$va" up && nsx ip link set "$vb" up || { echo "FAIL: veth up"; exit 1; }

fail=0
bad() { echo "FAIL: $*"; fail=1; }
count() { _c=$(grep -c "\"event_type\":\"$1\"" "$2" 2>/dev/null); echo "${_c:-0}"; }

"$bin" -q --no-rules -r "$cap" -o "$tmp/file.json" || { echo "FAIL: otsentry -r"; exit 1; }
fm=$(count modbus "$tmp/file.json") fd=$(count dnp3 "$tmp/file.json") fs=$(count s7comm "$tmp/file.json")

start_sensor() {
	rm -f "$tmp/pid" "$tmp/eve.json"
	nsx sh -c 'echo $$ >"$0"; exec "$@"' "$tmp/pid" \
		"$bin" -i "$va" -q --no-rules --stats-interval 0 --tcp-timeout 1 --flow-timeout 1 \
		-o "$tmp/eve.json" 2>"$tmp/stderr" &
	ippid=$!
	n=0
	while [ ! -s "$tmp/pid" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	pid=$(cat "$tmp/pid" 2>/dev/null)
	[ -n "$pid" ] || { echo "FAIL: otsentry did not start"; exit 1; }
	sleep 0.5
}
stop_sensor() {
	kill -TERM "$pid"
	rc=0
	wait "$ippid" || rc=$?
	pid= ippid=
	[ $rc -eq 0 ] || bad "exit status $rc after SIGTERM: $(cat "$tmp/stderr")"
}
replay() { # pps -> sent packets on stdout
	nsx tcpreplay -q --pps "$1" -i "$vb" "$cap" 2>&1 | sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p'
}
final_stats() { tail -n 1 "$tmp/eve.json"; }

if [ -n "${SOAK_FIND_RATE:-}" ]; then
	# 20 loops of the capture per try (205k packets: more than the kernel
	# buffer holds, so a sensor slower than the wire shows as drops); the
	# rate is what tcpreplay reports it reached
	rate=$pps best=0 bestreal=0
	while [ "$rate" -le 4000000 ]; do
		start_sensor
		nsx tcpreplay --loop="${SOAK_LOOPS:-20}" --pps "$rate" -i "$vb" "$cap" > "$tmp/tr.out" 2>&1
		sent=$(sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p' "$tmp/tr.out")
		real=$(sed -n 's/^Rated: .*, \([0-9.]*\) pps.*/\1/p' "$tmp/tr.out")
		sleep 3
		stop_sensor
		drops=$(final_stats | jq '.stats.capture.kernel_drops + .stats.capture.kernel_ifdrops')
		got=$(final_stats | jq '.stats.packets')
		echo "asked $rate pps, reached $real pps: sent $sent, counted $got, kernel drops $drops"
		[ "$drops" = 0 ] && [ "$got" = "$sent" ] || break
		best=$rate bestreal=$real
		rate=$((rate * 2))
	done
	echo "highest lossless replay rate: $bestreal pps (asked $best)"
	exit 0
fi

start_sensor
t0=$(date +%s)
rounds=0 sent_total=0
: > "$tmp/rss"
while [ $(( $(date +%s) - t0 )) -lt "$secs" ]; do
	s=$(replay "$pps")
	[ -n "$s" ] || { bad "tcpreplay sent nothing"; break; }
	sent_total=$((sent_total + s))
	rounds=$((rounds + 1))
	# let every flow of the round time out (--tcp-timeout 1) before the next
	i=0
	while [ $i -lt 3 ]; do
		sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/"$pid"/status >> "$tmp/rss"
		sleep 1
		i=$((i + 1))
	done
done
stop_sensor

last=$(final_stats)
echo "$rounds rounds of $(basename "$cap") at $pps pps in $(( $(date +%s) - t0 )) s: $sent_total packets sent"
echo "$last" | jq -c '{packets: .stats.packets, capture: .stats.capture}'
echo "$last" | jq -e --argjson n "$sent_total" '.event_type == "stats" and .stats.packets == $n
	and .stats.capture.kernel_drops == 0 and .stats.capture.kernel_ifdrops == 0' > /dev/null 2>&1 ||
	bad "sent $sent_total packets; counted or dropped otherwise (see above)"
for p in "modbus $fm" "dnp3 $fd" "s7comm $fs"; do
	set -- $p
	got=$(count "$1" "$tmp/eve.json")
	[ "$got" -eq $(( $2 * rounds )) ] || bad "$1: $got messages live, $(( $2 * rounds )) expected ($2 a round)"
done
n=$(wc -l < "$tmp/rss")
skipn=$(( n / 3 ))
read -r lo hi <<EOR
$(tail -n +$((skipn + 1)) "$tmp/rss" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo + 0, hi + 0 }')
EOR
echo "RSS after warm-up: $lo..$hi kB over $((n - skipn)) samples (first $skipn skipped)"
[ "$lo" -gt 0 ] || bad "no RSS samples"
[ "$lo" -gt 0 ] && [ $(( hi * 100 )) -le $(( lo * (100 + slack) )) ] ||
	bad "RSS grew after warm-up: $lo -> $hi kB"
[ $fail -eq 0 ] && echo PASS
exit $fail
