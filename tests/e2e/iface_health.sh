#!/bin/sh
# iface_health.sh - several mirror ports in one sensor, and their faults.
#
# Two veth pairs in a private network namespace; otsentry captures on both
# ends a1 and a2 (as nobody when that account exists: reopening must work
# without root); tcpreplay feeds the peers b1 and b2:
#   1. plant_normal.pcap into b1, the attack capture into b2: every flow and
#      protocol line carries in_iface, a1's lines and a2's lines both
#      present, and stats.capture.interfaces counts each interface's
#      packets exactly (kernel and sensor) with no drops;
#   2. a1 gets nothing for longer than --iface-silence: interface_silent;
#      the next replay: interface_traffic;
#   3. ip link set a2 down: interface_down; up again: interface_up, and the
#      next replay on b2 is captured (a2's packet count grows by the
#      capture's size);
#   4. a2 deleted and made again: interface_down, interface_up, captured;
#   5. the capture with every 7th packet removed, replayed twice: the
#      capture loss estimate passes --capture-loss-threshold: a
#      capture_loss event; the whole capture afterwards: capture_loss_ended;
#   6. SIGTERM: exit status 0; downs and reopens in the final stats;
#   7. as root without --user: the first stats event lists the warning.
# Needs root, ip netns, tcpreplay, tshark (editcap-like filtering), jq;
# exits 77 (skip) without them.
set -u
top=${OTS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/e2e/netns_lib.sh"
netns_require tshark capinfos
netns_setup otsih$$
chmod 755 "$tmp"
pair() { netns_pair "a$1" "b$1"; }
pair 1
pair 2

fail=0
bad() { echo "FAIL: $*"; fail=1; }
eve=$tmp/eve.json
npk() { capinfos -M -c "$1" | awk '/Number of packets/ { print $NF }'; }
reasons() { # reason iface: how many sensor events
	jq -r --arg r "$1" --arg i "$2" 'select(.event_type == "sensor" and .sensor.reason == $r
		and ((.sensor.interface // "") == $i)) | 1' "$eve" 2>/dev/null | wc -l
}
wait_for() { # tries command...
	_n=$1; shift
	while [ "$_n" -gt 0 ]; do "$@" && return 0; sleep 0.2; _n=$((_n - 1)); done
	return 1
}
have() { [ "$(reasons "$1" "$2")" -ge "$3" ]; }
replay() { # pair capture
	nsx tcpreplay -q --pps 10000 -i "b$1" "$2" > /dev/null 2>&1 || bad "tcpreplay into b$1 failed"
}
last_stats() { # jq path below .stats
	jq -c "select(.event_type == \"stats\") | .stats$1" "$eve" 2>/dev/null | tail -1
}
stats_at_least() { # jq path, n
	[ "$(last_stats "$1")" -ge "$2" ] 2>/dev/null
}

tshark -r "$normal" -Y 'frame.number % 7 != 0' -w "$tmp/lossy.pcap" 2>/dev/null ||
	skip "tshark cannot filter by frame number"
n_normal=$(npk "$normal") n_attack=$(npk "$attack") n_lossy=$(npk "$tmp/lossy.pcap")
user=
id nobody >/dev/null 2>&1 && user="--user nobody"

nsx sh -c 'echo $$ >"$0"; exec "$@"' "$tmp/pid" \
	"$bin" -i a1 -i a2 $user -q --stats-interval 1 --iface-silence 2 \
	--capture-loss-threshold 5 --capture-loss-interval 1 \
	--tcp-timeout 1 --flow-timeout 1 -o "$eve" 2>"$tmp/stderr" &
ippid=$!
wait_for 50 test -s "$tmp/pid" || { echo "FAIL: otsentry did not start"; cat "$tmp/stderr"; exit 1; }
pid=$(cat "$tmp/pid")
wait_for 50 test -s "$eve" || { echo "FAIL: no stats event"; cat "$tmp/stderr"; exit 1; }

# 1. two interfaces, in_iface, exact counts
replay 1 "$normal"
replay 2 "$attack"
wait_for 50 stats_at_least .capture.interfaces.a1.packets "$n_normal" ||
	bad "a1: $(last_stats .capture.interfaces.a1.packets) packets counted, $n_normal replayed"
wait_for 50 stats_at_least .capture.interfaces.a2.packets "$n_attack" ||
	bad "a2: $(last_stats .capture.interfaces.a2.packets) packets counted, $n_attack replayed"
sleep 2.5       # the flows time out: their flow lines are written
a1k=$(last_stats .capture.interfaces.a1.kernel_packets)
[ "$a1k" = "$n_normal" ] || bad "a1: kernel counted $a1k packets, $n_normal replayed"
[ "$(last_stats .capture.kernel_drops)" = 0 ] || bad "kernel drops: $(last_stats .capture.kernel_drops)"
noiface=$(jq -r 'select(.flow_id != null and .in_iface == null) | 1' "$eve" | wc -l)
[ "$noiface" = 0 ] || bad "$noiface flow lines without in_iface"
for i in a1 a2; do
	n=$(jq -r --arg i $i 'select(.in_iface == $i and (.event_type == "modbus" or .event_type == "flow")) | 1' "$eve" | wc -l)
	[ "$n" -gt 0 ] || bad "no modbus or flow line with in_iface $i"
done
file_lines() { "$bin" -q -r "$1" --no-rules -o - | jq -r "select(.event_type == \"$2\") | 1" | wc -l; }
live1=$(jq -r 'select(.event_type == "modbus" and .in_iface == "a1") | 1' "$eve" | wc -l)
live2=$(jq -r 'select(.event_type == "modbus" and .in_iface == "a2") | 1' "$eve" | wc -l)
file1=$(file_lines "$normal" modbus) file2=$(file_lines "$attack" modbus)
[ "$live1" = "$file1" ] || bad "a1: $live1 modbus lines, the file $file1"
[ "$live2" = "$file2" ] || bad "a2: $live2 modbus lines, the file $file2"

# 2. a silent port (a1 has had nothing since step 1)
wait_for 50 have interface_silent a1 1 || bad "a1 silent: no interface_silent event"
replay 1 "$attack"
wait_for 50 have interface_traffic a1 1 || bad "a1 fed again: no interface_traffic event"

# 3. down and up
nsx ip link set a2 down
wait_for 50 have interface_down a2 1 || bad "a2 down: no interface_down event"
nsx ip link set a2 up
wait_for 100 have interface_up a2 1 || bad "a2 up: no interface_up event"
before=$(last_stats .capture.interfaces.a2.packets)
replay 2 "$attack"
wait_for 50 stats_at_least .capture.interfaces.a2.packets $((before + n_attack)) ||
	bad "a2 after up: $(last_stats .capture.interfaces.a2.packets) packets, expected $((before + n_attack))"

# 4. deleted and made again
nsx ip link del a2
wait_for 50 have interface_down a2 2 || bad "a2 deleted: no interface_down event"
sleep 1
pair 2
wait_for 100 have interface_up a2 2 || bad "a2 made again: no interface_up event"
before=$(last_stats .capture.interfaces.a2.packets)
replay 2 "$attack"
wait_for 50 stats_at_least .capture.interfaces.a2.packets $((before + n_attack)) ||
	bad "a2 made again: $(last_stats .capture.interfaces.a2.packets) packets, expected $((before + n_attack))"
sleep 2.5

# 5. capture loss
replay 1 "$tmp/lossy.pcap"
sleep 2.5
replay 1 "$tmp/lossy.pcap"
wait_for 50 have capture_loss "" 1 || bad "lossy replay: no capture_loss event (loss $(last_stats .capture_loss))"
sleep 2.5
replay 1 "$normal"
sleep 1
replay 1 "$attack"
wait_for 50 have capture_loss_ended "" 1 || bad "whole replay: no capture_loss_ended event ($(last_stats .capture_loss))"

# 6. the end
kill -TERM "$pid"
wait "$ippid"; rc=$?
pid= ippid=
[ $rc -eq 0 ] || bad "SIGTERM: exit status $rc"
[ "$(last_stats .capture.interfaces.a2.downs)" = 2 ] || bad "a2 downs: $(last_stats .capture.interfaces.a2.downs), not 2"
[ "$(last_stats .capture.interfaces.a2.reopens)" = 2 ] || bad "a2 reopens: $(last_stats .capture.interfaces.a2.reopens), not 2"
[ "$(last_stats .capture.interfaces.a1.kernel_packets)" = $((2 * n_normal + 2 * n_attack + 2 * n_lossy)) ] ||
	bad "a1: kernel counted $(last_stats .capture.interfaces.a1.kernel_packets), replayed $((2 * n_normal + 2 * n_attack + 2 * n_lossy))"
[ "$(last_stats .capture.interfaces.a1.packets)" = "$(last_stats .capture.interfaces.a1.kernel_packets)" ] ||
	bad "a1: the sensor saw $(last_stats .capture.interfaces.a1.packets) of $(last_stats .capture.interfaces.a1.kernel_packets)"
if [ -n "$user" ]; then
	grep -q 'running as root' "$tmp/stderr" && bad "--user given, yet the root warning"
fi

# 7. root without --user: the warning in the first stats event
rm -f "$tmp/pid"
nsx sh -c 'echo $$ >"$0"; exec "$@"' "$tmp/pid" \
	"$bin" -i a1 -q --stats-interval 1 -o "$tmp/root.json" </dev/null >/dev/null 2>&1 &
ippid=$!
wait_for 50 test -s "$tmp/pid"
pid=$(cat "$tmp/pid")
wait_for 50 test -s "$tmp/root.json"
kill -TERM "$pid" 2>/dev/null
wait "$ippid"
pid= ippid=
w=$(jq -r 'select(.event_type == "stats") | .stats.warnings // empty | .[]' "$tmp/root.json" | head -1)
case $w in
*"running as root"*) ;;
*) bad "first stats event: no root warning ($(head -c 300 "$tmp/root.json"))" ;;
esac
[ "$(jq -r 'select(.event_type == "stats" and .stats.warnings != null) | 1' "$tmp/root.json" | wc -l)" = 1 ] ||
	bad "the warning is not in exactly one stats event"

if [ $fail -ne 0 ]; then
	echo "--- stderr"; cat "$tmp/stderr"
	echo "--- sensor events"; jq -c 'select(.event_type == "sensor") | .sensor' "$eve"
	exit 1
fi
loss=$(jq -r 'select(.event_type == "sensor" and .sensor.reason == "capture_loss") | .sensor.loss_percent' "$eve" | head -1)
echo "measured: capture loss $loss% with every 7th packet removed; a2 down $(last_stats .capture.interfaces.a2.down_seconds) s in all"
echo "PASS: two interfaces (in_iface, exact counts), silence, down/up, delete/recreate, capture loss, root warning"
exit 0
