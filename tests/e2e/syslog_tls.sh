#!/bin/sh
# syslog_tls.sh - syslog over TLS (RFC 5425, syslog+tls://) into a real
# rsyslog with a TLS listener (imtcp with the gtls driver, Debian
# rsyslog-gnutls) on a loopback port, with a throwaway CA made by openssl:
#   1. mutual TLS (rsyslog asks for a client certificate from the same CA):
#      alerts arrive intact, and none is lost or repeated while rsyslog is
#      stopped and restarted (tests/e2e/sink_feed phases, as
#      syslog_rsyslog.sh for plain TCP);
#   2. a server whose certificate another CA signed is refused: nothing is
#      delivered, the refusal is said on stderr and counted (tls_failures),
#      and the lines still queued at exit are reported lost.
# Exit 77 (skip) without rsyslogd, its gtls driver or openssl.
set -u
top=${OTS_TOP_BUILDDIR:-.}
src=${OTS_TOP_SRCDIR:-.}
ots=$top/src/otsentry
feed=$top/tests/e2e/sink_feed
RSYSLOGD=${RSYSLOGD:-$(command -v rsyslogd || echo /usr/sbin/rsyslogd)}
N1=${N1:-100}
N2=${N2:-150}

if [ ! -x "$RSYSLOGD" ] || ! command -v openssl >/dev/null; then
	echo "SKIP: rsyslogd or openssl not installed"; exit 77
fi
gtls=
for f in /usr/lib/*/rsyslog/lmnsd_gtls.so /usr/lib/rsyslog/lmnsd_gtls.so; do
	[ -e "$f" ] && gtls=$f
done
if [ -z "$gtls" ]; then
	echo "SKIP: rsyslog's TLS driver not installed (apt-get install rsyslog-gnutls)"; exit 77
fi
[ -x "$ots" ] && [ -x "$feed" ] || { echo "FAIL: otsentry or sink_feed not built"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ots-tls.XXXXXX") || exit 1
rs_pid=
feed_pid=
cleanup() {
	[ -n "$feed_pid" ] && kill "$feed_pid" 2>/dev/null
	[ -n "$rs_pid" ] && stop_pid "$rs_pid"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
	echo "syslog_tls: FAIL: $*"
	[ -f "$work/rsyslog.err" ] && tail -5 "$work/rsyslog.err" | sed 's/^/  rsyslogd: /'
	exit 1
}
. "$src/tests/e2e/server_lib.sh"
port=$(free_port) || fail "no free port"

# A CA, the server's certificate for 127.0.0.1, a client certificate, and a
# second CA with a server certificate of its own (the impostor).
cd "$work" || exit 1
ossl() { openssl "$@" >>"$work/openssl.log" 2>&1 || fail "openssl $1: $(tail -2 "$work/openssl.log")"; }
newkey() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
for ca in ca wrongca; do
	newkey $ca.key
	ossl req -x509 -new -key $ca.key -out $ca.pem -days 2 -subj "/CN=otsentry test $ca"
done
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > srv.ext
printf 'extendedKeyUsage=clientAuth\n' > cli.ext
sign() {   # name ca ext cn
	newkey "$1.key"
	ossl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$4"
	ossl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 2 \
		-extfile "$3" -out "$1.pem"
}
sign srv ca srv.ext 127.0.0.1
sign cli ca cli.ext otsentry-sensor
sign impostor wrongca srv.ext 127.0.0.1
cd - >/dev/null || exit 1

start_rsyslog() {   # server certificate name
	mkdir -p "$work/spool"
	cat > "$work/rsyslog.conf" <<CONF
global(workDirectory="$work/spool" maxMessageSize="64k"
       DefaultNetstreamDriver="gtls"
       DefaultNetstreamDriverCAFile="$work/ca.pem"
       DefaultNetstreamDriverCertFile="$work/$1.pem"
       DefaultNetstreamDriverKeyFile="$work/$1.key")
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1"
       StreamDriver.AuthMode="x509/certvalid")
template(name="msgonly" type="string" string="%msg%\n")
ruleset(name="feed") {
	action(type="omfile" file="$work/out.log" template="msgonly" flushOnTXEnd="on")
}
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="feed")
CONF
	"$RSYSLOGD" -n -f "$work/rsyslog.conf" -i "$work/rsyslog.pid" >>"$work/rsyslog.err" 2>&1 &
	rs_pid=$!
	wait_listen "$rs_pid" "$port" || fail "rsyslogd does not listen on $port"
}
stop_rsyslog() { stop_pid "$rs_pid"; rs_pid=; }
lines() { [ -f "$work/out.log" ] && wc -l < "$work/out.log" || echo 0; }
wait_lines() {
	i=0
	while [ "$(lines)" -lt "$1" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
}

uri="syslog+tls://127.0.0.1:$port?ca=$work/ca.pem&cert=$work/cli.pem&key=$work/cli.key"

# 1. Delivery over mutual TLS, across a restart of the receiver.
start_rsyslog srv
mkdir -p "$work/ctrl"
"$feed" "$uri" "$work/ctrl" "$N1" "$N2" >"$work/feed.out" 2>"$work/feed.err" &
feed_pid=$!
wait_lines "$N1"
[ "$(lines)" -eq "$N1" ] || fail "phase 1: $(lines) lines, expected $N1 ($(cat "$work/feed.err"))"
stop_rsyslog
touch "$work/ctrl/phase2"
i=0
while [ ! -f "$work/ctrl/queued" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -f "$work/ctrl/queued" ] || fail "the feed did not queue"
sleep 1
start_rsyslog srv
touch "$work/ctrl/phase3"
wait "$feed_pid"
rc=$?
feed_pid=
[ $rc -eq 0 ] || { cat "$work/feed.err"; fail "sink_feed exited $rc"; }
total=$((N1 + N2))
wait_lines "$total"
stop_rsyslog
[ "$(lines)" -eq "$total" ] || fail "$(lines) lines received, expected $total"
sed -n 's/.*"event_type":"alert".*"evidence":{"seq":\([0-9]*\)}.*/\1/p' "$work/out.log" > "$work/seq"
[ "$(wc -l < "$work/seq")" -eq "$total" ] || fail "only $(wc -l < "$work/seq") lines are intact alerts"
seq 0 $((total - 1)) | cmp -s - "$work/seq" || fail "alerts missing, repeated or out of order"
grep -q '"dropped_overflow":0' "$work/feed.out" || fail "overflow: $(cat "$work/feed.out")"
grep -q '"disconnects":1' "$work/feed.out" || fail "the restart was not seen: $(cat "$work/feed.out")"
grep -q '"type":"syslog-tls"' "$work/feed.out" || fail "not the TLS sink: $(cat "$work/feed.out")"
echo "tls: $total alerts over mutual TLS, in order, across a receiver restart"

# 2. The impostor: a certificate from another CA is refused.
rm -f "$work/out.log"
start_rsyslog impostor
"$ots" -q -r "$src/pcaps/plant_attack_s7_stop.pcap" --sink "$uri" -o "$work/eve.json" 2>"$work/err"
rc=$?
stop_rsyslog
# nothing was delivered: events were lost, exit status 1 (otsentry(8))
[ $rc -eq 1 ] || fail "exit status $rc, not 1"
grep -q "lines could not be delivered" "$work/err" || fail "the undelivered lines were not reported: $(cat "$work/err")"
[ "$(lines)" -eq 0 ] || fail "$(lines) lines reached the impostor"
grep -q 'TLS: server certificate refused' "$work/err" || fail "no refusal on stderr: $(cat "$work/err")"
tail -1 "$work/eve.json" | grep -q '"tls_failures":[1-9]' || fail "refusals not counted"
echo "impostor: refused ($(grep -m1 -o 'refused: .*' "$work/err")), nothing delivered"
echo "1 passed, 0 failed"
