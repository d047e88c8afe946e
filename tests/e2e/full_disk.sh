#!/bin/sh
# full_disk.sh - a full disk: each event line is written whole or not at all,
# the lost lines are counted exactly, and the sensor says so when it happens
# and again when the disk has room.
#
#  1. files: otsentry -r plant_normal.pcap -o FILE on a 64 KiB tmpfs the
#     test mounts: exit status 1; every line of FILE is whole JSON and FILE
#     ends with a newline; the lines in FILE plus the lost count on stderr
#     equal the lines the run wrote (its summary); stderr named the failure
#     (No space left on device) while it happened.
#  2. live, in a network namespace: a 4 MiB tmpfs is filled, otsentry captures
#     into a file on it, a replay's lines are lost (output_failed on
#     stderr); the filler is removed, the next replay is written with an
#     output_recovered event whose lost count, plus the lines in the file,
#     equals what the sensor wrote; no half line.
# Needs root and mount (tmpfs); part 2 also ip netns, tcpreplay and jq.
# Exits 77 (skip) without them.
set -u
top=${OTS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/e2e/netns_lib.sh"
netns_require mount umount
netns_setup otsfd$$
mnt=$tmp/mnt
mkdir -p "$mnt"
umount_mnt() { mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"; }
trap 'umount_mnt; netns_cleanup' EXIT
mount -t tmpfs -o size=64k tmpfs "$mnt" 2>"$tmp/e" || skip "mount tmpfs: $(cat "$tmp/e")"

fail=0
bad() { echo "FAIL: $*"; fail=1; }
# whole lines: every line parses alone, and the file ends with a newline
whole() { # file
	[ ! -s "$1" ] && return 0
	[ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] || { bad "$1 does not end with a newline"; return 1; }
	_n=$(jq -R -r 'try (fromjson | "ok") catch "bad"' "$1" | grep -vc '^ok$')
	[ "$_n" -eq 0 ] || bad "$1: $_n lines are not whole JSON"
}
written() { sed -n 's/.* \([0-9][0-9]*\) events written.*/\1/p' "$1" | tail -1; }
lostn() { sed -n 's/.* \([0-9][0-9]*\) events lost.*/\1/p' "$1" | tail -1; }

# 1. files
"$bin" -r "$normal" --no-rules -o "$mnt/eve.json" 2>"$tmp/err1"
rc=$?
[ $rc -eq 1 ] || bad "full disk: exit status $rc, not 1"
whole "$mnt/eve.json"
inf=$(wc -l < "$mnt/eve.json") w=$(written "$tmp/err1") l=$(lostn "$tmp/err1")
[ -n "$w" ] && [ -n "$l" ] && [ $((inf + l)) -eq "$w" ] ||
	bad "lines in the file $inf + lost ${l:-?} != written ${w:-?}"
grep -q 'No space left on device' "$tmp/err1" || bad "stderr does not name the failure: $(head -3 "$tmp/err1")"
echo "measured (files): $w lines, $inf in a 64 KiB file, $l lost"
rm -f "$mnt/eve.json"

# 2. live: full, then room again (room for all the second replay writes)
umount "$mnt"
mount -t tmpfs -o size=4m tmpfs "$mnt" 2>"$tmp/e" || { bad "mount tmpfs again: $(cat "$tmp/e")"; exit 1; }
netns_pair va vb
dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null
nsx sh -c 'echo $$ >"$0"; exec "$@"' "$tmp/pid" \
	"$bin" -i va --stats-interval 0 --iface-silence 0 --tcp-timeout 1 --flow-timeout 1 \
	--no-rules -o "$mnt/eve.json" 2>"$tmp/err2" &
ippid=$!
n=0
while [ ! -s "$tmp/pid" ] && [ $n -lt 50 ]; do sleep 0.2; n=$((n + 1)); done
pid=$(cat "$tmp/pid")
sleep 1
nsx tcpreplay -q --pps 10000 -i vb "$normal" >/dev/null 2>&1 || bad "tcpreplay failed"
sleep 2.5
grep -q 'events are being lost' "$tmp/err2" || bad "live: no output failure on stderr"
rm -f "$mnt/filler"
nsx tcpreplay -q --pps 10000 -i vb "$attack" >/dev/null 2>&1 || bad "tcpreplay failed"
sleep 2.5
kill -TERM "$pid"
wait "$ippid"; rc=$?
pid= ippid=
[ $rc -eq 1 ] || bad "live: exit status $rc, not 1 (lines were lost)"
whole "$mnt/eve.json"
rec=$(jq -c 'select(.event_type == "sensor" and .sensor.reason == "output_recovered") | .sensor' "$mnt/eve.json" | head -1)
[ -n "$rec" ] || bad "no output_recovered event in the file"
inf=$(wc -l < "$mnt/eve.json") w=$(written "$tmp/err2") l=$(lostn "$tmp/err2")
rl=$(printf '%s' "$rec" | jq -r '.lost_total // empty')
[ -n "$w" ] && [ -n "$l" ] && [ $((inf + l)) -eq "$w" ] ||
	bad "live: lines in the file $inf + lost ${l:-?} != written ${w:-?}"
rn=$(printf '%s' "$rec" | jq -r '.lost // empty')
[ -n "$rl" ] && [ "$rl" = "${l:-0}" ] && [ "${rn:-0}" = "$rl" ] ||
	bad "live: output_recovered says ${rn:-?} lost in the outage, ${rl:-?} in all; the run ${l:-?}"
fl=$(jq -r 'select(.event_type == "stats") | .stats.eve.lost' "$mnt/eve.json" | tail -1)
[ "$fl" = "$l" ] || bad "live: the final stats say ${fl:-?} lost, stderr $l"
echo "measured (live): $w lines, $inf in the file, $l lost; output_recovered: $rec"

if [ $fail -ne 0 ]; then
	echo "--- files:"; cat "$tmp/err1"; echo "--- live:"; cat "$tmp/err2"
	exit 1
fi
echo "PASS: full disk: whole lines only, exact lost counts, failure and recovery reported"
exit 0
