#!/bin/sh
# Learning from capture files writes the baseline once, at the end: the
# periodic rewrite (every 600 s) needs 600 s of traffic that also took 600 s
# to read.  Two copies of the normal plant capture a day apart (a jump of the
# packet clock) are learned under strace; the learn file must be renamed
# into place exactly once, and hold what both copies taught.
set -u
top=${OTS_TOP_SRCDIR:-$(dirname "$0")/../..}
bin=${OTS_TOP_BUILDDIR:-$top}/src/otsentry
cap=$top/pcaps/plant_normal.pcap
[ -f "$cap" ] || { echo "no generated captures: skip"; exit 77; }
for tool in strace editcap capinfos; do
	command -v $tool >/dev/null 2>&1 || { echo "$tool missing: skip"; exit 77; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
quiet="-q --no-log all --no-flow-log --no-anomaly-log"

editcap -t 86400 "$cap" "$work/next_day.pcap" || { echo "FAIL: editcap"; exit 1; }
# LeakSanitizer cannot run under ptrace: leaks are checked by the other runs
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
strace -f -qq -e trace=rename,renameat,renameat2 -o "$work/trace" \
	"$bin" -r "$cap" -r "$work/next_day.pcap" $quiet -o /dev/null --learn "$work/two.json" || {
	echo "FAIL: learning run failed"; exit 1; }
n=$(grep -c 'two\.json"' "$work/trace")
echo "learn file written $n time(s)"
[ "$n" -eq 1 ] || { echo "FAIL: the learn file was written $n times, not once"; cat "$work/trace"; exit 1; }
"$bin" --baseline-show "$work/two.json" >"$work/two.show" || { echo "FAIL: the learned file does not load"; exit 1; }
# both copies: twice the packets of the capture (whatever the generator
# puts in it)
one=$(capinfos -c -M "$cap" 2>/dev/null | awk '/Number of packets/ { print $NF }')
[ -n "$one" ] || { echo "FAIL: capinfos could not count $cap"; exit 1; }
grep -q " $((one * 2)) packets" "$work/two.show" || {
	echo "FAIL: not both copies learned ($((one * 2)) packets expected):"; head -3 "$work/two.show"; exit 1; }
echo "PASS"
