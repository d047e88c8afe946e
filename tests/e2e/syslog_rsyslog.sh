#!/bin/sh
# syslog_rsyslog.sh - alerts reach a real rsyslog over TCP syslog (RFC 5424,
# octet-counted framing), intact and as JSON, and none is lost while the
# receiver is stopped and restarted.
#
# The test starts its own rsyslogd on 127.0.0.1 (imtcp on a free port,
# omfile to a file in a temporary work dir), drives tests/sink_feed through
# three phases, stops everything it started.  Exit 77 (skip) when rsyslogd
# is not installed (Debian package rsyslog).

top_build=${OTS_TOP_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)}
feed=$top_build/tests/e2e/sink_feed
RSYSLOGD=${RSYSLOGD:-$(command -v rsyslogd || echo /usr/sbin/rsyslogd)}
N1=${N1:-200}
N2=${N2:-300}

if [ ! -x "$RSYSLOGD" ]; then
	echo "syslog_rsyslog: rsyslogd not installed (apt-get install rsyslog); skipping"
	exit 77
fi
if [ ! -x "$feed" ]; then
	echo "syslog_rsyslog: $feed not built"
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/syslog_rsyslog.XXXXXX") || exit 1
rs_pid=
feed_pid=

cleanup() {
	[ -n "$feed_pid" ] && kill "$feed_pid" 2>/dev/null
	[ -n "$rs_pid" ] && kill "$rs_pid" 2>/dev/null
	[ -n "$rs_pid" ] && wait "$rs_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "syslog_rsyslog: FAIL: $*"
	[ -f "$work/rsyslog.err" ] && sed 's/^/  rsyslogd: /' "$work/rsyslog.err" | tail -5
	exit 1
}

. "${OTS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/server_lib.sh"
port=$(free_port) || fail "no free port"

mkdir -p "$work/spool"
cat > "$work/rsyslog.conf" <<CONF
global(workDirectory="$work/spool" maxMessageSize="64k")
module(load="imtcp")
template(name="msgonly" type="string" string="%msg%\n")
ruleset(name="feed") {
	action(type="omfile" file="$work/out.log" template="msgonly" flushOnTXEnd="on")
}
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="feed")
CONF

start_rsyslog() {
	"$RSYSLOGD" -n -f "$work/rsyslog.conf" -i "$work/rsyslog.pid" >>"$work/rsyslog.err" 2>&1 &
	rs_pid=$!
	wait_listen "$rs_pid" "$port" || fail "rsyslogd does not listen on $port"
}

stop_rsyslog() {
	stop_pid "$rs_pid"
	rs_pid=
}

lines() {
	[ -f "$work/out.log" ] && wc -l < "$work/out.log" || echo 0
}

wait_lines() {
	i=0
	while [ "$(lines)" -lt "$1" ] && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

start_rsyslog
mkdir -p "$work/ctrl"
"$feed" "tcp://127.0.0.1:$port" "$work/ctrl" "$N1" "$N2" >"$work/feed.out" 2>"$work/feed.err" &
feed_pid=$!

# Phase 1: the first alerts arrive.
wait_lines "$N1"
[ "$(lines)" -eq "$N1" ] || fail "phase 1: $(lines) lines, expected $N1"

# Phase 2: the receiver goes away; more alerts are raised meanwhile.
stop_rsyslog
touch "$work/ctrl/phase2"
i=0
while [ ! -f "$work/ctrl/queued" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -f "$work/ctrl/queued" ] || fail "the feed did not queue"
sleep 1

# Phase 3: the receiver comes back; the queue drains into it.
start_rsyslog
touch "$work/ctrl/phase3"
wait "$feed_pid"
rc=$?
feed_pid=
[ $rc -eq 0 ] || { cat "$work/feed.err"; fail "sink_feed exited $rc"; }
total=$((N1 + N2))
wait_lines "$total"
stop_rsyslog

# Every line is an intact alert, and every sequence number is there once.
n=$(lines)
[ "$n" -eq "$total" ] || fail "$n lines received, expected $total"
if command -v jq >/dev/null 2>&1; then
	jq -e -c 'select(.event_type == "alert" and .alert.signature_id == 9900001) | .evidence.seq' \
		"$work/out.log" > "$work/seq" 2>"$work/jq.err" || fail "not JSON: $(head -1 "$work/jq.err")"
else
	sed -n 's/.*"event_type":"alert".*"evidence":{"seq":\([0-9]*\)}.*/\1/p' "$work/out.log" > "$work/seq"
fi
[ "$(wc -l < "$work/seq")" -eq "$total" ] || fail "only $(wc -l < "$work/seq") lines are alerts"
[ "$(sort -n "$work/seq" | uniq | wc -l)" -eq "$total" ] || fail "duplicate alerts"
[ "$(sort -n "$work/seq" | head -1)" -eq 0 ] || fail "first alert missing"
[ "$(sort -n "$work/seq" | tail -1)" -eq $((total - 1)) ] || fail "last alert missing"
grep -q '"dropped_overflow":0' "$work/feed.out" || fail "overflow: $(cat "$work/feed.out")"
grep -q '"disconnects":1' "$work/feed.out" || fail "the receiver restart was not seen: $(cat "$work/feed.out")"
echo "syslog_rsyslog: $total alerts sent, $n received by rsyslog across a restart ($(sed -n 's/.*: \([0-9]*\) queued.*/\1/p' "$work/feed.err") queued meanwhile)"
echo "1 passed, 0 failed"
