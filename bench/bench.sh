#!/bin/bash
# bench.sh - time otsentry against a bare libpcap read loop (bench/pcap_read,
# which touches every byte) over the same large capture, in one invocation,
# and print the ratio.
#
# The input (>= 100 MB) is built once in $OTS_BENCH_DIR (default
# /tmp/otsentry-bench) from the Ethernet captures in $OTS_SHARED_PCAPS:
# merged, then several copies shifted in time by whole days and merged again;
# a gzip and a zstd copy of it time compressed input against plain.
#
# Usage: bench.sh [BUILDDIR]   (default: the current directory)
set -euo pipefail

build=${1:-.}
pcaps=${OTS_SHARED_PCAPS:-$(dirname "$0")/../../shared/pcaps}
dir=${OTS_BENCH_DIR:-/tmp/otsentry-bench}
min_mb=${OTS_BENCH_MB:-100}
input=$dir/merged.pcap

for tool in mergecap editcap capinfos; do
	command -v $tool >/dev/null || { echo "bench: $tool missing (apt-get install wireshark-common)"; exit 1; }
done
[ -d "$pcaps" ] || { echo "bench: no captures in $pcaps (set OTS_SHARED_PCAPS)"; exit 1; }

if [ ! -s "$input" ]; then
	mkdir -p "$dir"
	mapfile -t files < <(find "$pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort |
		while read -r f; do
			[ "$(capinfos -T -E -r "$f" 2>/dev/null | tail -1 | cut -f2)" = ether ] && echo "$f"
		done)
	mergecap -F pcap -w "$dir/base.pcap" "${files[@]}"
	base_mb=$(( $(stat -c %s "$dir/base.pcap") / 1048576 ))
	copies=$(( min_mb / (base_mb > 0 ? base_mb : 1) + 1 ))
	parts=()
	for i in $(seq 0 $((copies - 1))); do
		editcap -F pcap -t $((i * 86400 * 7)) "$dir/base.pcap" "$dir/copy$i.pcap"
		parts+=("$dir/copy$i.pcap")
	done
	mergecap -F pcap -w "$input" "${parts[@]}"
	rm -f "$dir/base.pcap" "${parts[@]}"
fi

size_mb=$(( $(stat -c %s "$input") / 1048576 ))
echo "input: $input ($size_mb MiB, $(capinfos -c -M "$input" | awk '/Number of packets/ {print $NF}') packets)"

# Warm the page cache, then time each once: wall clock and CPU (user+sys);
# on a busy machine the CPU times are the steadier measure.
cat "$input" >/dev/null
TIMEFORMAT='%R %U %S'
{ time "$build/bench/pcap_read" "$input" >"$dir/read.out" 2>&1; } 2>"$dir/time.read"
{ time "$build/src/otsentry" -q -r "$input" -o /dev/null 2>"$dir/otsentry.err"; } 2>"$dir/time.otsentry"
{ time "$build/src/otsentry" -q -r "$input" -o /dev/null --no-log all --no-flow-log \
	--no-anomaly-log 2>>"$dir/otsentry.err"; } 2>"$dir/time.quiet"
# Detection mode: a baseline learned (untimed) from the same input, then
# every packet and message judged against it.
"$build/src/otsentry" -q -r "$input" -o /dev/null --no-log all --no-flow-log \
	--no-anomaly-log --learn "$dir/baseline.json" 2>>"$dir/otsentry.err"
{ time "$build/src/otsentry" -q -r "$input" -o /dev/null --no-log all --no-flow-log \
	--no-anomaly-log --baseline "$dir/baseline.json" 2>>"$dir/otsentry.err"; } 2>"$dir/time.detect"

# Compressed input: the same capture as .gz and .zst (made once), no logs.
[ -s "$input.gz" ] || gzip -c "$input" > "$input.gz"
[ -s "$input.zst" ] || zstd -q -c "$input" > "$input.zst"
cat "$input.gz" "$input.zst" >/dev/null
for z in gz zst; do
	{ time "$build/src/otsentry" -q -r "$input.$z" -o /dev/null --no-log all --no-flow-log \
		--no-anomaly-log 2>>"$dir/otsentry.err"; } 2>"$dir/time.$z"
done

read -r rw ru rs <"$dir/time.read"
read -r ow ou os <"$dir/time.otsentry"
read -r qw qu qs <"$dir/time.quiet"
read -r dw du ds <"$dir/time.detect"
read -r gw gu gs <"$dir/time.gz"
read -r zw zu zs <"$dir/time.zst"
awk -v rw="$rw" -v ru="$ru" -v rs="$rs" -v ow="$ow" -v ou="$ou" -v os="$os" \
    -v qw="$qw" -v qu="$qu" -v qs="$qs" -v dw="$dw" -v du="$du" -v ds="$ds" \
    -v gw="$gw" -v gu="$gu" -v gs="$gs" -v zw="$zw" -v zu="$zu" -v zs="$zs" \
    -v gmb="$(( $(stat -c %s "$input.gz") / 1048576 ))" -v zmb="$(( $(stat -c %s "$input.zst") / 1048576 ))" 'BEGIN {
	rc = ru + rs; oc = ou + os; qc = qu + qs; dc = du + ds; gc = gu + gs; zc = zu + zs
	printf "%-40s %8s %8s\n", "", "wall s", "cpu s"
	printf "%-40s %8.3f %8.3f\n", "bare libpcap read loop", rw, rc
	printf "%-40s %8.3f %8.3f\n", "otsentry (all logs)", ow, oc
	printf "%-40s %8.3f %8.3f\n", "otsentry (no protocol/flow/anomaly logs)", qw, qc
	printf "%-40s %8.3f %8.3f\n", "otsentry detect (--baseline, no logs)", dw, dc
	printf "%-40s %8.3f %8.3f\n", sprintf("otsentry .gz input (%d MiB), no logs", gmb), gw, gc
	printf "%-40s %8.3f %8.3f\n", sprintf("otsentry .zst input (%d MiB), no logs", zmb), zw, zc
	printf "ratio otsentry/read: wall %.2f, cpu %.2f (no logs: wall %.2f, cpu %.2f; detect: wall %.2f, cpu %.2f)\n",
		ow / rw, oc / rc, qw / rw, qc / rc, dw / rw, dc / rc
	printf "compressed input against plain, no logs: .gz wall %.2f, cpu %.2f; .zst wall %.2f, cpu %.2f\n",
		gw / qw, gc / qc, zw / qw, zc / qc
}'
