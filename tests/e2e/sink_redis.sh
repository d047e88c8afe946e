#!/bin/sh
# sink_redis.sh - the Redis sink against a real redis-server on a loopback
# port that this test starts (append-only file, so the list survives the
# server's restart) and stops:
#   1. list mode across a restart: the alerts otsentry raises over the
#      bundled attack captures (learned on plant_normal) go through
#      tests/e2e/sink_feed; the first half arrives, the server is stopped,
#      the second half is queued, the server comes back, and the list then
#      holds every alert exactly once and in order (byte for byte);
#   2. stream mode from the otsentry binary (--sink): one stream entry per
#      EVE line, the same lines in the same order;
#   3. channel mode: a subscriber gets every alert;
#   4. a server that never answers: the queue holds ?queue=N lines, the rest
#      are dropped and counted in the stats event (dropped_overflow).
# Exit 77 (skip) without redis-server and redis-cli (Debian redis-server).
set -u
top=${OTS_TOP_BUILDDIR:-.}
src=${OTS_TOP_SRCDIR:-.}
ots=$top/src/otsentry
feed=$top/tests/e2e/sink_feed
REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
REDIS_CLI=${REDIS_CLI:-$(command -v redis-cli || echo /usr/bin/redis-cli)}

if [ ! -x "$REDIS_SERVER" ] || [ ! -x "$REDIS_CLI" ]; then
	echo "SKIP: redis-server not installed (apt-get install redis-server)"
	exit 77
fi
[ -x "$ots" ] && [ -x "$feed" ] || { echo "FAIL: otsentry or sink_feed not built"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ots-redis.XXXXXX") || exit 1
rs_pid=
feed_pid=
sub_pid=
cleanup() {
	[ -n "$feed_pid" ] && kill "$feed_pid" 2>/dev/null
	[ -n "$sub_pid" ] && kill "$sub_pid" 2>/dev/null
	[ -n "$rs_pid" ] && kill "$rs_pid" 2>/dev/null
	[ -n "$rs_pid" ] && wait "$rs_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "sink_redis: FAIL: $*"
	[ -f "$work/redis.log" ] && tail -5 "$work/redis.log" | sed 's/^/  redis: /'
	exit 1
}

. "$src/tests/e2e/server_lib.sh"
port=$(free_port) || fail "no free port"

cli() { "$REDIS_CLI" -h 127.0.0.1 -p "$port" "$@"; }

start_redis() {
	"$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --dir "$work" \
		--appendonly yes --appendfsync always --save '' --daemonize no \
		--logfile "$work/redis.log" &
	rs_pid=$!
	i=0
	while [ $i -lt 100 ]; do
		[ "$(cli ping 2>/dev/null)" = PONG ] && return 0
		kill -0 "$rs_pid" 2>/dev/null || fail "redis-server exited"
		sleep 0.1
		i=$((i + 1))
	done
	fail "redis-server does not answer on $port"
}
stop_redis() {
	stop_pid "$rs_pid"
	rs_pid=
}
wait_for() {   # command expected-value
	i=0
	while [ "$($1 2>/dev/null)" != "$2" ] && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$($1 2>/dev/null)" = "$2" ]
}

# A capture's alerts: learn on the normal plant, detect on every attack.
(cd "$src" && "$ots" -q -r pcaps/plant_normal.pcap --learn "$work/b.json" -o /dev/null) ||
	fail "learning"
for f in "$src"/pcaps/plant_attack_*.pcap; do
	"$ots" -q --baseline "$work/b.json" -r "$f" -o - | grep '"event_type":"alert"' >> "$work/alerts"
done
total=$(wc -l < "$work/alerts")
[ "$total" -ge 4 ] || fail "only $total alerts to send"
n1=$((total / 2))
n2=$((total - n1))

# 1. list mode across a server restart.
start_redis
key=otsentry:alerts
mkdir -p "$work/ctrl"
"$feed" "redis://127.0.0.1:$port/$key?mode=list" "$work/ctrl" "$n1" "$n2" "$work/alerts" \
	> "$work/feed.out" 2> "$work/feed.err" &
feed_pid=$!
llen() { cli llen "$key"; }
wait_for llen "$n1" || fail "phase 1: $(llen) entries, expected $n1"
stop_redis
touch "$work/ctrl/phase2"
i=0
while [ ! -f "$work/ctrl/queued" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -f "$work/ctrl/queued" ] || fail "the feed did not queue"
sleep 1
grep -q ": $n2 queued while" "$work/feed.err" || fail "not all $n2 queued: $(cat "$work/feed.err")"
start_redis
touch "$work/ctrl/phase3"
wait "$feed_pid"
rc=$?
feed_pid=
[ $rc -eq 0 ] || { cat "$work/feed.err"; fail "sink_feed exited $rc"; }
wait_for llen "$total" || fail "$(llen) entries after the restart, expected $total; feed: $(cat "$work/feed.out" "$work/feed.err")"
cli --raw lrange "$key" 0 -1 > "$work/got"
cmp -s "$work/alerts" "$work/got" || { diff "$work/alerts" "$work/got" | head -5; fail "the list is not the alerts in order"; }
grep -q '"dropped_overflow":0' "$work/feed.out" || fail "overflow: $(cat "$work/feed.out")"
grep -q '"disconnects":1' "$work/feed.out" || fail "the restart was not seen: $(cat "$work/feed.out")"
echo "list: $total alerts, $n2 queued while the server was down, all delivered once and in order"

# 2. stream mode from otsentry itself.
"$ots" -q --sensor-name redis-test -r "$src/pcaps/plant_attack_s7_stop.pcap" \
	--sink "redis://127.0.0.1:$port/ots-stream?mode=stream" -o "$work/eve.json" ||
	fail "otsentry with a stream sink exited $?"
lines=$(wc -l < "$work/eve.json")
# every line but the stats one, which is written after the sink counted it
[ "$(cli xlen ots-stream)" -ge $((lines - 1)) ] || fail "stream has $(cli xlen ots-stream) entries, $lines lines written"
cli --raw xrange ots-stream - + | awk 'prev == "event" { print } { prev = $0 }' > "$work/stream"
head -n "$(wc -l < "$work/stream")" "$work/eve.json" | cmp -s - "$work/stream" ||
	fail "stream entries differ from the EVE lines"
echo "stream: $(wc -l < "$work/stream") of $lines EVE lines as stream entries, in order"

# 3. channel mode: a subscriber receives the alerts.
"$REDIS_CLI" -h 127.0.0.1 -p "$port" --raw subscribe ots-chan > "$work/sub" &
sub_pid=$!
wait_for "cli pubsub numsub ots-chan" "ots-chan
1" || fail "the subscriber did not subscribe"
"$ots" -q -r "$src/pcaps/plant_attack_s7_stop.pcap" --sink "redis://127.0.0.1:$port/ots-chan?mode=channel" \
	-o "$work/eve2.json" || fail "otsentry with a channel sink exited $?"
sleep 0.5
kill "$sub_pid" 2>/dev/null
sub_pid=
want=$(grep -c '"event_type":"alert"' "$work/eve2.json")
got=$(grep -c '"event_type":"alert"' "$work/sub")
[ "$want" -ge 1 ] && [ "$got" -eq "$want" ] || fail "subscriber got $got alerts of $want"
echo "channel: $got alerts published and received"
stop_redis

# 4. nobody listening: the bounded queue drops and counts.
"$ots" -q -r "$src/pcaps/plant_attack_s7_stop.pcap" --sink "redis://127.0.0.1:$port/k?queue=10" \
	-o "$work/eve3.json" 2> "$work/err3"
[ $? -eq 1 ] || fail "lost events did not give exit status 1"
tail -1 "$work/eve3.json" | grep -q '"queue_cap":10,"dropped_overflow":[1-9]' ||
	fail "no dropped_overflow in the stats event: $(tail -1 "$work/eve3.json" | grep -o '"redis[^}]*}')"
grep -q '10 lines could not be delivered' "$work/err3" || fail "exit loss not reported: $(cat "$work/err3")"
echo "overflow: $(tail -1 "$work/eve3.json" | grep -o '"dropped_overflow":[0-9]*' | tail -1) counted, 10 reported lost at exit"
echo "1 passed, 0 failed"
