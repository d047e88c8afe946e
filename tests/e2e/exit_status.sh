#!/bin/sh
# exit_status.sh - the one exit status rule of otsentry(8), EXIT STATUS:
# 0 success; 1 a failure while running, including events lost on any kind
# of output; 2 bad command line or configuration; 3 an input skipped.
set -u
top=${OTS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${OTS_TOP_BUILDDIR:-$top}/src/otsentry
cap=$top/pcaps/plant_attack_unauthorized_write.pcap
[ -x "$bin" ] || { echo "FAIL: no $bin"; exit 1; }
[ -f "$cap" ] || { echo "skip: no bundled capture"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0

expect() { # status description args...
	_want=$1 _what=$2
	shift 2
	"$bin" "$@" > "$tmp/out" 2> "$tmp/err"
	_rc=$?
	n=$((n + 1))
	if [ $_rc -ne "$_want" ]; then
		echo "FAIL: $_what: exit status $_rc, expected $_want ($*)"
		head -3 "$tmp/err"
		fail=1
	fi
}
# an output that took nothing: the events lost on stderr are every event
# the run wrote (its summary; more than the clean run's: the sensor events
# about the failure are lost too)
all_lost() { # what
	_l=$(sed -n 's/.* \([0-9][0-9]*\) events lost.*/\1/p' "$tmp/err")
	_w=$(sed -n 's/.* \([0-9][0-9]*\) events written.*/\1/p' "$tmp/err")
	[ -n "$_l" ] && [ "$_l" = "$_w" ] && [ "$_l" -ge "$lines" ] ||
		{ echo "FAIL: $1: stderr says ${_l:-no} events lost of ${_w:-?} written ($lines in a clean run)"; fail=1; }
}

lines=$("$bin" -q -r "$cap" -o - | wc -l)

# 0
expect 0 "a clean run" -q -r "$cap" -o "$tmp/ok.json"
[ "$(wc -l < "$tmp/ok.json")" = "$lines" ] || { echo "FAIL: $lines lines expected"; fail=1; }

# 2: usage and configuration, before any input is read
expect 2 "unknown option" -q -r "$cap" --no-such-option
expect 2 "not a number" -q -r "$cap" --stats-interval abc
expect 2 "--max-flows 0" -q -r "$cap" --max-flows 0
expect 2 "--max-flows too large" -q -r "$cap" --max-flows 67108865
expect 2 "--max-assets 1" -q -r "$cap" --max-assets 1
expect 2 "--max-edges 0" -q -r "$cap" --max-edges 0
expect 2 "--max-baseline-keys 0" -q -r "$cap" --max-baseline-keys 0
expect 2 "tcp port 99999" -q -r "$cap" -o /dev/null --sink tcp://127.0.0.1:99999
expect 2 "udp port 0" -q -r "$cap" -o /dev/null --sink udp://127.0.0.1:0
expect 2 "a filter that does not compile" -q -r "$cap" -o /dev/null -f 'tcp port ((('
expect 2 "no input" -q
expect 2 "-r and -i" -q -r "$cap" -i lo
echo "bad-option-line" > "$tmp/bad.conf"
expect 2 "a bad configuration line" --config "$tmp/bad.conf" -q -r "$cap"
expect 2 "--inventory in a missing directory" -q -r "$cap" -o /dev/null --inventory "$tmp/nodir/inv.json"

# 1: failures while running, lost events on every kind of output
expect 1 "nothing readable" -q -r "$tmp/missing.pcap" -o /dev/null
expect 1 "-o on a full device" -r "$cap" -o /dev/full
all_lost "-o /dev/full"
expect 1 "file sink on a full device" -r "$cap" -o /dev/null --sink file:///dev/full
all_lost "--sink file:///dev/full"
expect 1 "unix-dgram sink with no receiver" -r "$cap" -o /dev/null --sink "unix-dgram://$tmp/none.sock"
all_lost "unix-dgram"
expect 1 "unix-stream sink with no receiver" -r "$cap" -o /dev/null --sink "unix-stream://$tmp/none.sock"
all_lost "unix-stream"
# a TCP port nobody listens on: the queue is left at exit
port=$(( 20000 + $$ % 20000 ))
expect 1 "tcp sink with no receiver" -r "$cap" -o /dev/null --sink "tcp://127.0.0.1:$port"
all_lost "tcp"

# 3: read, but an input skipped
echo "not a capture" > "$tmp/README"
expect 3 "one input skipped" -q -r "$cap" "$tmp/README" -o /dev/null

[ $fail -eq 0 ] || exit 1
echo "PASS: $n exit status cases"
exit 0
