#!/bin/sh
# archive.sh - a capture archive as an analyst gets it, read with one -r DIR.
#
# Two captures of one plant taken on two mirror ports at the same time
# (shared plant1_ModbusTCP and plant1_S7comm) are cut into rotated pieces
# with editcap, some compressed with gzip, some with zstd, named like a
# rotating capture tool would; mergecap of the two whole captures is the
# reference (the two captures share 18 timestamps: the tie rule matters).  Checks:
#   1. otsentry -r DIR writes the same events (protocol, flow, anomaly and
#      alert lines: everything but stats) and the same inventory as
#      otsentry -r merged.pcap, against a baseline learned on one port (so
#      the other port's traffic raises alerts);
#   2. --no-merge reads the pieces as one stream in name order, and the
#      port captures, out of time order across files, do not match;
#   3. a README and a truncated .gz among them: one line each, the rest
#      read, exit status 3; the cut .gz gets the same libpcap message as
#      the same bytes uncompressed;
#   4. -R follows a subdirectory, without it the subdirectory is named; a
#      symlink loop is named and skipped; over 20 inputs the summary lists
#      only the ones with problems;
#   5. the progress line under a pseudo-terminal (script(1)): shown on a
#      terminal, absent with -q and when stderr is a file.
# Skips (77) without the shared captures, editcap/mergecap, gzip, zstd,
# script or jq.
set -u
PCAPS="${OTS_SHARED_PCAPS:-/work/shared/pcaps}"
BIN="${OTS_TOP_BUILDDIR:-.}/src/otsentry"
A="$PCAPS/modbus/plant1_ModbusTCP.pcap"
B="$PCAPS/s7comm/plant1_S7comm.pcap"
[ -x "$BIN" ] || { echo "no $BIN: skip"; exit 77; }
[ -f "$A" ] && [ -f "$B" ] || { echo "no shared plant1 captures: skip"; exit 77; }
for t in editcap mergecap gzip zstd script jq; do
	command -v $t >/dev/null 2>&1 || { echo "no $t: skip"; exit 77; }
done

TMP=$(mktemp -d /tmp/e2e_archive.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# ---- the archive -----------------------------------------------------------
mkdir -p "$TMP/day/port1" "$TMP/day/port2" "$TMP/split"
editcap -c 2000 "$A" "$TMP/split/port1.pcap" >/dev/null || { bad "editcap"; exit 1; }
editcap -c 5000 "$B" "$TMP/split/port2.pcap" >/dev/null || { bad "editcap"; exit 1; }
n=0
for f in "$TMP"/split/*.pcap; do
	base=$(basename "$f")
	port=${base%%_*}
	case $((n % 3)) in
	0) gzip -c "$f" > "$TMP/day/$port/$base.gz" ;;
	1) zstd -q -c "$f" > "$TMP/day/$port/$base.zst" ;;
	*) cp "$f" "$TMP/day/$port/$base" ;;
	esac
	n=$((n + 1))
done
pieces=$(find "$TMP/day" -type f | wc -l)
[ "$pieces" -ge 8 ] || bad "only $pieces pieces"
[ "$(find "$TMP/day" -name '*.gz' | wc -l)" -ge 2 ] && [ "$(find "$TMP/day" -name '*.zst' | wc -l)" -ge 2 ] ||
	bad "want at least two pieces of each compression"
# Packets with equal timestamps: otsentry takes the input given (or found)
# first, mergecap (wireshark 4.0) the one named last; port1 sorts first in
# the directory, so mergecap gets port 1 last.
mergecap -F pcap -w "$TMP/merged.pcap" "$B" "$A" || { bad "mergecap"; exit 1; }

# a baseline of port 1 alone: port 2's traffic is new to it
"$BIN" -q -r "$A" -o /dev/null --learn "$TMP/base.json" || bad "learn: exit $?"

# run NAME ARGS...: events in $TMP/NAME.json, inventory in $TMP/NAME.inv,
# stderr in $TMP/NAME.err, exit status in $TMP/NAME.rc
run() {
	name=$1
	shift
	rm -f "$TMP/$name.json"
	"$BIN" --baseline "$TMP/base.json" -o "$TMP/$name.json" --inventory "$TMP/$name.inv.raw" \
		"$@" 2> "$TMP/$name.err"
	echo $? > "$TMP/$name.rc"
	sed 's/^ "generated": ".*",$/ "generated": "-",/' "$TMP/$name.inv.raw" > "$TMP/$name.inv" 2>/dev/null
	grep -v '"event_type":"stats"' "$TMP/$name.json" > "$TMP/$name.events"
}

# ---- 1. the directory against the merged file -------------------------------
run ref -q -r "$TMP/merged.pcap"
run dir -r "$TMP/day" -R
[ "$(cat "$TMP/ref.rc")" = 0 ] || bad "merged.pcap: exit $(cat "$TMP/ref.rc")"
[ "$(cat "$TMP/dir.rc")" = 0 ] || { bad "-r DIR: exit $(cat "$TMP/dir.rc")"; cat "$TMP/dir.err"; }
for kind in modbus s7comm alert flow; do
	c=$(grep -c "\"event_type\":\"$kind\"" "$TMP/ref.events")
	[ "$c" -gt 0 ] || bad "the reference has no $kind events"
done
if cmp -s "$TMP/ref.events" "$TMP/dir.events"; then
	echo "ok: -r DIR ($pieces pieces) = mergecap'ed file: $(wc -l < "$TMP/dir.events") events, $(grep -c '"event_type":"alert"' "$TMP/dir.events") alerts"
else
	bad "-r DIR: events differ from the merged file ($(wc -l < "$TMP/dir.events") vs $(wc -l < "$TMP/ref.events"))"
	diff "$TMP/ref.events" "$TMP/dir.events" | head -5
fi
cmp -s "$TMP/ref.inv" "$TMP/dir.inv" || bad "-r DIR: inventory differs from the merged file"
jq -e '.assets | length > 0' "$TMP/dir.inv" >/dev/null || bad "-r DIR: empty inventory"
# the end summary lists each piece
grep -q "^otsentry: $pieces inputs: $pieces read whole, 0 with errors, 0 skipped" "$TMP/dir.err" ||
	{ bad "-r DIR: no input summary"; cat "$TMP/dir.err"; }
grep -q "port1_00000_.*\.pcap\.gz: 2000 packets, 2012-11-12 11:03:00 \.\. " "$TMP/dir.err" ||
	bad "-r DIR: the first piece is not listed with its packets and times"
# the same counters as for the merged file (uptime is the wall clock)
for r in ref dir; do
	jq -c 'select(.event_type == "stats") | del(.stats.uptime)' "$TMP/$r.json" > "$TMP/$r.stats"
done
[ "$(jq -s 'last | .stats.packets' "$TMP/dir.stats")" = 37621 ] || bad "-r DIR: stats.packets is not 37621"
cmp -s "$TMP/ref.stats" "$TMP/dir.stats" || bad "-r DIR: stats differ from the merged file"

# the two port directories named one by one: the same; named the other way
# round, equal timestamps go to port 2, as mergecap port1 port2 does
run dirs -q -r "$TMP/day/port1" "$TMP/day/port2"
cmp -s "$TMP/ref.events" "$TMP/dirs.events" || bad "-r port1 port2: events differ from the merged file"
mergecap -F pcap -w "$TMP/merged21.pcap" "$A" "$B" || bad "mergecap"
run ref21 -q -r "$TMP/merged21.pcap"
run dirs21 -q -r "$TMP/day/port2" "$TMP/day/port1"
cmp -s "$TMP/ref21.events" "$TMP/dirs21.events" || bad "-r port2 port1: events differ from mergecap port1 port2"
cmp -s "$TMP/ref.events" "$TMP/ref21.events" && bad "the tie order makes no difference: the check above checks nothing"

# ---- 2. --no-merge: concatenation ------------------------------------------
run nomerge -q --no-merge -R -r "$TMP/day"
[ "$(cat "$TMP/nomerge.rc")" = 0 ] || bad "--no-merge: exit $(cat "$TMP/nomerge.rc")"
cmp -s "$TMP/ref.events" "$TMP/nomerge.events" && bad "--no-merge gave the merged order"
mergecap -a -F pcap -w "$TMP/concat.pcap" $(find "$TMP/split" -name '*.pcap' | LC_ALL=C sort) ||
	bad "mergecap -a"
run concat -q -r "$TMP/concat.pcap"
cmp -s "$TMP/concat.events" "$TMP/nomerge.events" ||
	bad "--no-merge: events differ from the concatenated file"

# ---- 3. a README and a truncated .gz ---------------------------------------
cp -r "$TMP/day/port1" "$TMP/bad"
printf 'Captures of port 1, rotated every 2000 packets.\n' > "$TMP/bad/README"
last=$(ls "$TMP/split"/port1_* | LC_ALL=C sort | tail -1)
size=$(wc -c < "$last")
head -c $((size * 2 / 3 + 7)) "$last" > "$TMP/cut.pcap"
# gzip of the cut bytes without its 8-byte trailer: the data inflates
# whole, the file is cut short
gzip -c "$TMP/cut.pcap" > "$TMP/cut.full.gz"
zs=$(wc -c < "$TMP/cut.full.gz")
head -c $((zs - 8)) "$TMP/cut.full.gz" > "$TMP/bad/zz_cut.pcap.gz"
run bad -r "$TMP/bad"
[ "$(cat "$TMP/bad.rc")" = 3 ] || bad "README and cut .gz: exit $(cat "$TMP/bad.rc") (want 3)"
grep -q "^otsentry: $TMP/bad/README: not a capture file (unknown file format), skipped$" "$TMP/bad.err" ||
	{ bad "README: no line naming it"; cat "$TMP/bad.err"; }
"$BIN" -q -r "$TMP/cut.pcap" -o /dev/null 2> "$TMP/cut.err"
plain=$(sed -n "s|^otsentry: $TMP/cut.pcap: ||p" "$TMP/cut.err")
gz=$(sed -n "s|^otsentry: $TMP/bad/zz_cut.pcap.gz: ||p" "$TMP/bad.err")
case $plain in *truncated*) ;; *) bad "cut.pcap: no truncation error ($plain)" ;; esac
[ -n "$plain" ] && [ "$plain" = "$gz" ] || bad "cut .gz: '$gz', the plain file: '$plain'"
grep -q "zz_cut.pcap.gz: .* packets, .*error: truncated" "$TMP/bad.err" ||
	bad "cut .gz: not in the summary with its error"
grep -q "README: skipped: not a capture file" "$TMP/bad.err" || bad "README: not in the summary"
[ -s "$TMP/bad.events" ] || bad "README and cut .gz: nothing read"
run bad1 -q -r "$TMP/day/port1"
n_bad=$(grep -c . "$TMP/bad.events")
n_ok=$(grep -c . "$TMP/bad1.events")
[ "$n_bad" -ge "$n_ok" ] || bad "README and cut .gz: fewer events ($n_bad) than the clean directory ($n_ok)"

# ---- many inputs: the compact summary ---------------------------------------
mkdir "$TMP/many"
editcap -c 500 "$A" "$TMP/many/p.pcap" >/dev/null || bad "editcap -c 500"
cp "$TMP/bad/README" "$TMP/many/"
nm=$(ls "$TMP/many" | wc -l)
run many -r "$TMP/many"
[ "$(cat "$TMP/many.rc")" = 3 ] || bad "many: exit $(cat "$TMP/many.rc") (want 3)"
grep -q "^otsentry: $nm inputs: $((nm - 1)) read whole, 0 with errors, 1 skipped; packets from " "$TMP/many.err" ||
	bad "many: no count line"
# only the one with a problem is listed
! grep -q '^  .*p_00000_.*packets' "$TMP/many.err" &&
	grep -q "^  $TMP/many/README: skipped: not a capture file" "$TMP/many.err" ||
	{ bad "many: the compact list is not as it should be"; head -5 "$TMP/many.err"; }

# ---- 4. subdirectories ------------------------------------------------------
run norec -r "$TMP/day"
[ "$(cat "$TMP/norec.rc")" = 1 ] || bad "-r DIR of directories without -R: exit $(cat "$TMP/norec.rc") (want 1)"
grep -q "port1: a directory, not read (give --recursive" "$TMP/norec.err" ||
	bad "-r DIR without -R: the subdirectory is not named"
ln -s .. "$TMP/day/port1/loop"
run loop -q -R -r "$TMP/day"
[ "$(cat "$TMP/loop.rc")" = 3 ] || bad "symlink loop: exit $(cat "$TMP/loop.rc") (want 3)"
grep -q "loop: directory loop" "$TMP/loop.err" || bad "symlink loop: not named"
cmp -s "$TMP/ref.events" "$TMP/loop.events" || bad "symlink loop: events differ from the merged file"
rm "$TMP/day/port1/loop"

# ---- 5. the progress line ---------------------------------------------------
script -qfec "'$BIN' -R -r '$TMP/day' -o /dev/null --no-rules" "$TMP/tty.log" >/dev/null 2>&1 ||
	bad "under script: exit $?"
if grep -a -q 'of [0-9.]* [KMG]iB ([0-9]*%), [0-9]* packets, [0-9]* pkt/s, 0:[0-9][0-9] elapsed' "$TMP/tty.log" &&
   tr '\r' '\n' < "$TMP/tty.log" | grep -a -q '(100%), 37621 packets'; then
	echo "ok: progress line on a terminal: $(tr '\r' '\n' < "$TMP/tty.log" | grep -a -c 'pkt/s') refreshes"
else
	bad "no progress line under a pseudo-terminal"
	tr '\r' '\n' < "$TMP/tty.log" | head -5
fi
script -qfec "'$BIN' -q -R -r '$TMP/day' -o /dev/null --no-rules" "$TMP/tty_q.log" >/dev/null 2>&1
grep -a -q 'pkt/s' "$TMP/tty_q.log" && bad "-q: a progress line"
grep -q 'pkt/s' "$TMP/dir.err" && bad "stderr a file: a progress line"

[ $fail -eq 0 ] || exit 1
echo "archive: ok"
exit 0
