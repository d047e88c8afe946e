#!/bin/sh
# reload.sh - SIGUSR2 reloads rules and baseline without losing state.
#
# otsentry listens on one end of a veth pair in a private network
# namespace; tcpreplay sends pcaps/plant_attack_unauthorized_write.pcap
# into the other end, once per step (flows time out in between):
#   1. rule file A (sid 9990001 on Modbus writes): its alert;
#   2. the file now holds sid 9990002, SIGUSR2: a "sensor" event, reason
#      "reload"; the replay alerts 9990002 and no longer 9990001;
#   3. the file no longer parses, SIGUSR2: reason "reload_failed" naming
#      the rules, and stderr says why; 9990002 still alerts;
#   4. the rules are good again and the baseline file is corrupt, SIGUSR2:
#      "reload_failed" for the baseline; the model in force keeps its keys
#      and keeps detecting (stats);
#   5. a good baseline file again, SIGUSR2: "reload" for the baseline;
#   6. the flow and packet counters only grow; SIGTERM: exit status 0.
# Needs root, `ip netns`, tcpreplay and jq; exits 77 (skip) without them.
set -u
top=${OTS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${OTS_TOP_BUILDDIR:-$top}/src/otsentry
cap=$top/pcaps/plant_attack_unauthorized_write.pcap
skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "not root"
command -v ip >/dev/null 2>&1 || skip "no ip(8)"
command -v tcpreplay >/dev/null 2>&1 || skip "no tcpreplay"
command -v jq >/dev/null 2>&1 || skip "no jq"
[ -f "$cap" ] && [ -f "$top/pcaps/plant_normal.pcap" ] || skip "no bundled captures"
[ -x "$bin" ] || { echo "FAIL: no $bin"; exit 1; }

ns=otsrl$$ va=otsa$$ vb=otsb$$
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
ip netns add "$ns" 2>"$tmp/e" || skip "ip netns add: $(cat "$tmp/e")"
made_ns=1
nsx ip link set lo up
nsx ip link add "$va" type veth peer name "$vb" 2>"$tmp/e" || skip "no veth: $(cat "$tmp/e")"
nsx sh -c "echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6" 2>/dev/null
nsx ip link set "$va" up && nsx ip link set "$vb" up || { echo "FAIL: veth up"; exit 1; }

fail=0
bad() { echo "FAIL: $*"; fail=1; }
rule() { # sid
	echo "alert modbus any any -> any any (msg:\"reload test $1\"; modbus: access write; sid:$1; rev:1;)" > "$tmp/r.rules"
}
count() { _c=$(grep -c "$1" "$tmp/eve.json" 2>/dev/null); echo "${_c:-0}"; }
wait_for() { # tries command...
	_n=$1; shift
	while [ "$_n" -gt 0 ]; do "$@" && return 0; sleep 0.2; _n=$((_n - 1)); done
	return 1
}
more_than() { [ "$(count "$1")" -gt "$2" ]; }
replay() {
	nsx tcpreplay -q --pps 20000 -i "$vb" "$cap" > /dev/null 2>&1 || bad "tcpreplay failed"
	sleep 2.5        # every flow of the replay times out (--tcp-timeout 1)
}
usr2() { # reason: send SIGUSR2 and wait for one more sensor event with that reason
	_before=$(count "\"reason\":\"$1\"")
	kill -USR2 "$pid"
	wait_for 50 more_than "\"reason\":\"$1\"" "$_before" || bad "SIGUSR2: no \"$1\" sensor event"
}

"$bin" -q --no-rules -r "$top/pcaps/plant_normal.pcap" -o /dev/null --learn "$tmp/base.json" ||
	{ echo "FAIL: learning the baseline"; exit 1; }
cp "$tmp/base.json" "$tmp/base.good"
rule 9990001
nsx sh -c 'echo $$ >"$0"; exec "$@"' "$tmp/pid" \
	"$bin" -i "$va" -q --stats-interval 0 --tcp-timeout 1 --flow-timeout 1 \
	--rules "$tmp/r.rules" --baseline "$tmp/base.json" -o "$tmp/eve.json" 2>"$tmp/stderr" &
ippid=$!
wait_for 50 test -s "$tmp/pid" || { echo "FAIL: otsentry did not start"; cat "$tmp/stderr"; exit 1; }
pid=$(cat "$tmp/pid")
sleep 0.5

# 1.
replay
a1=$(count '"signature_id":9990001')
[ "$a1" -gt 0 ] || bad "rule 9990001 raised no alert before the reload"
bw=$(count '"kind":"unexpected_write"')
[ "$bw" -gt 0 ] || bad "no baseline unexpected_write alert"
# 2.
rule 9990002
usr2 reload
grep -q '"detail":"rules reloaded: 1 rules"' "$tmp/eve.json" || bad "no 'rules reloaded' detail"
replay
[ "$(count '"signature_id":9990002')" -gt 0 ] || bad "the reloaded rule 9990002 raised no alert"
[ "$(count '"signature_id":9990001')" -eq "$a1" ] || bad "the replaced rule 9990001 still alerts"
# 3.
a2=$(count '"signature_id":9990002')
echo 'alert modbus any any -> any any (msg:"broken"; modbus: nonsense; sid:1;)' > "$tmp/r.rules"
usr2 reload_failed
grep -q 'rules reload: rule errors' "$tmp/eve.json" || bad "the failed rules reload does not say why in the event"
grep -q 'rules reload: rule errors' "$tmp/stderr" || bad "the failed rules reload does not say why on stderr"
replay
[ "$(count '"signature_id":9990002')" -gt "$a2" ] || bad "after a failed reload the old rules no longer alert"
# 4.
rule 9990002
echo '{"format": "otsentry-baseline", "version": 1, "assets": [' > "$tmp/base.json"
usr2 reload_failed
grep -q 'baseline reload: .*the previous baseline stays in force' "$tmp/eve.json" ||
	bad "the failed baseline reload does not say why"
grep -q 'baseline reload: .*the previous baseline stays in force' "$tmp/stderr" ||
	bad "the failed baseline reload does not say why on stderr"
replay
# 5.
cp "$tmp/base.good" "$tmp/base.json"
usr2 reload
grep -q '"detail":"baseline reloaded from ' "$tmp/eve.json" || bad "no 'baseline reloaded' event"
# 6.
kill -TERM "$pid"
rc=0
wait "$ippid" || rc=$?
pid= ippid=
[ $rc -eq 0 ] || bad "exit status $rc after SIGTERM"
last=$(tail -n 1 "$tmp/eve.json")
echo "$last" | jq -e '.event_type == "stats" and .stats.flow.created >= 4 and .stats.baseline.mode == "detect"
	and .stats.baseline.keys > 0' > /dev/null 2>&1 ||
	bad "final stats: $(echo "$last" | jq -c '[.stats.flow, .stats.baseline]' 2>&1 | cut -c1-300)"
grep '"event_type":"sensor"' "$tmp/eve.json" | jq -c .sensor
[ $fail -eq 0 ] && echo PASS
exit $fail
