#!/bin/bash
# bench.sh - otsentry's cost against a bare libpcap read loop (bench/pcap_read,
# which touches every byte) over the same capture of at least 1 M packets,
# in one invocation, and its scaling with the length of the input.
#
# Measured: CPU time (user + system) of the process alone and its peak
# resident set (bench/rusage, from wait4), never wall time: on a shared
# machine the wall clock measures the neighbours.  Each figure is the median
# of three runs, the runs of the modes and of the bare loop interleaved.
#
# Modes:
#   all     every log on (the default)
#   quiet   no protocol, flow or anomaly logs
#   detect  against a baseline learned (untimed) from the same input, logs off
# Scaling: the quiet mode over the capture x1, x4 and x16: CPU time per
# packet (net of the fixed cost of a run, measured on 1,000 packets) and
# peak RSS should stay flat.
#
# Inputs, built once in $OTS_BENCH_DIR (default /tmp/otsentry-bench) from the
# Ethernet captures in $OTS_SHARED_PCAPS: base.pcap, those captures merged;
# xK.pcap, K * ceil(1 M / base) copies of it, copy i shifted by i weeks,
# merged by time (x16 is about 2.2 GB).  Without the shared captures the
# benchmark says so and exits 0.
#
# Usage: bench.sh [BUILDDIR]   (default: the current directory)
#   OTS_BENCH_SCALES="1 4 16"  the scaling inputs (empty: no scaling runs)
#   OTS_BENCH_RUNS=3           runs per figure (the median is shown)
set -euo pipefail

build=${1:-.}
pcaps=${OTS_SHARED_PCAPS:-$(dirname "$0")/../../shared/pcaps}
dir=${OTS_BENCH_DIR:-/tmp/otsentry-bench}
scales=${OTS_BENCH_SCALES-1 4 16}
runs=${OTS_BENCH_RUNS:-3}
min_packets=1000000
ots=$build/src/otsentry
ru=$build/bench/rusage
quiet=(--no-log all --no-flow-log --no-anomaly-log)

if [ ! -d "$pcaps" ]; then
	echo "bench: skipped: no shared captures in $pcaps (set OTS_SHARED_PCAPS)"
	exit 0
fi
for tool in mergecap editcap capinfos; do
	command -v $tool >/dev/null || { echo "bench: $tool missing (apt-get install wireshark-common)"; exit 1; }
done
mkdir -p "$dir"

packets() { capinfos -c -M "$1" | awk '/Number of packets/ {print $NF}'; }

# The merged corpus, once.
if [ ! -s "$dir/base.pcap" ]; then
	mapfile -t files < <(find "$pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort |
		while read -r f; do
			[ "$(capinfos -T -E -r "$f" 2>/dev/null | tail -1 | cut -f2)" = ether ] && echo "$f"
		done)
	mergecap -F pcap -w "$dir/base.pcap.tmp" "${files[@]}"
	mv "$dir/base.pcap.tmp" "$dir/base.pcap"
fi
base_packets=$(packets "$dir/base.pcap")
copies=$(( (min_packets + base_packets - 1) / base_packets ))

# xK.pcap: K * copies shifted copies of the corpus merged by time, once.
make_input() {
	local k=$1 out=$dir/x$1.pcap n i parts=()
	[ -s "$out" ] && return 0
	n=$((k * copies))
	for i in $(seq 0 $((n - 1))); do
		editcap -F pcap -t $((i * 86400 * 7)) "$dir/base.pcap" "$dir/copy$i.pcap"
		parts+=("$dir/copy$i.pcap")
	done
	mergecap -F pcap -w "$out.tmp" "${parts[@]}"
	rm -f "${parts[@]}"
	mv "$out.tmp" "$out"
}
make_input 1
input=$dir/x1.pcap
npk=$(packets "$input")

# One run: CPU seconds and peak RSS (kB) of the command, "CPU RSS".
run() {
	local out=$dir/rusage.$$
	"$ru" "$out" "$@" >/dev/null 2>>"$dir/otsentry.err" || { echo "bench: failed: $*" >&2; cat "$dir/otsentry.err" >&2; exit 1; }
	awk '{ printf "%.3f %d\n", $1 + $2, $3 }' "$out"
	rm -f "$out"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$dir/otsentry.err"
cat "$input" >/dev/null                  # the page cache, warm for every run
"$ots" -q -r "$input" -o /dev/null "${quiet[@]}" --learn "$dir/baseline.json" 2>>"$dir/otsentry.err"

declare -A cpu rss
for r in $(seq "$runs"); do
	read -r c m < <(run "$build/bench/pcap_read" "$input");                           cpu[read]+=" $c"; rss[read]+=" $m"
	read -r c m < <(run "$ots" -q -r "$input" -o /dev/null);                          cpu[all]+=" $c"; rss[all]+=" $m"
	read -r c m < <(run "$ots" -q -r "$input" -o /dev/null "${quiet[@]}");            cpu[quiet]+=" $c"; rss[quiet]+=" $m"
	read -r c m < <(run "$ots" -q -r "$input" -o /dev/null "${quiet[@]}" \
		--baseline "$dir/baseline.json");                                          cpu[detect]+=" $c"; rss[detect]+=" $m"
done

echo "input: $input ($(( $(stat -c %s "$input") / 1048576 )) MiB, $npk packets: $copies copies of the $base_packets-packet shared corpus)"
echo "machine: $(nproc) CPU(s), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "CPU time (user+sys) of the process, median of $runs runs"
printf '%-50s %8s %8s %12s %10s\n' "" "cpu s" "ratio" "packets/s" "peak RSS"
read_med=$(median ${cpu[read]})
for m in read all quiet detect; do
	case $m in
	read) label="bare libpcap read loop" ;;
	all) label="otsentry, every log (goal <= 4x)" ;;
	quiet) label="otsentry, no protocol/flow/anomaly logs (<= 2x)" ;;
	detect) label="otsentry, detect against a baseline (<= 2.5x)" ;;
	esac
	c=$(median ${cpu[$m]})
	awk -v l="$label" -v c="$c" -v r="$read_med" -v n="$npk" -v kb="$(median ${rss[$m]})" 'BEGIN {
		printf "%-50s %8.3f %7.2fx %12.0f %7.1f MB\n", l, c, c / r, (c > 0 ? n / c : 0), kb / 1024 }'
done
echo "(all runs, cpu s: read${cpu[read]}; all${cpu[all]}; quiet${cpu[quiet]}; detect${cpu[detect]})"

# Compressed input: the same capture as .gz and .zst (made once), no logs.
[ -s "$input.gz" ] || gzip -c "$input" > "$input.gz"
[ -s "$input.zst" ] || zstd -q -c "$input" > "$input.zst"
q=$(median ${cpu[quiet]})
for z in gz zst; do
	read -r c m < <(run "$ots" -q -r "$input.$z" -o /dev/null "${quiet[@]}")
	awk -v z="$z" -v c="$c" -v q="$q" 'BEGIN { printf "compressed .%s input, no logs: %.3f s, %.2fx the plain input\n", z, c, c / q }'
done

[ -n "$scales" ] || exit 0
# The fixed cost of a run (nDPI's and the OUI table's setup, the exit) is
# measured on the corpus' first 1,000 packets and taken out of the time per
# packet that should stay flat; the raw figure is printed beside it.
[ -s "$dir/start.pcap" ] || editcap -F pcap -r "$dir/base.pcap" "$dir/start.pcap" 1-1000
cs=""
for r in $(seq "$runs"); do
	read -r c m < <(run "$ots" -q -r "$dir/start.pcap" -o /dev/null "${quiet[@]}")
	cs+=" $c"
done
fixed=$(median $cs)
echo "scaling, no logs (median of $runs runs each; load average $(cut -d' ' -f1-3 /proc/loadavg)):"
echo "fixed cost of a run (1,000 packets): $fixed s"
printf '%-6s %10s %8s %12s %12s %10s\n' "input" "packets" "cpu s" "ns/packet" "net of fixed" "peak RSS"
rows=()
for k in $scales; do
	make_input "$k"
	f=$dir/x$k.pcap
	n=$(packets "$f")
	cs="" ms=""
	cat "$f" >/dev/null
	for r in $(seq "$runs"); do
		read -r c m < <(run "$ots" -q -r "$f" -o /dev/null "${quiet[@]}")
		cs+=" $c" ms+=" $m"
	done
	c=$(median $cs)
	m=$(median $ms)
	awk -v k="$k" -v n="$n" -v c="$c" -v m="$m" -v f="$fixed" 'BEGIN {
		printf "x%-5s %10d %8.3f %12.1f %12.1f %7.1f MB\n", k, n, c, c * 1e9 / n, (c - f) * 1e9 / n, m / 1024 }'
	rows+=("$(awk -v n="$n" -v c="$c" -v m="$m" -v f="$fixed" 'BEGIN { printf "%.3f %d", (c - f) * 1e9 / n, m }')")
done
printf '%s\n' "${rows[@]}" | awk '
	NR == 1 || $1 < tmin { tmin = $1 } NR == 1 || $1 > tmax { tmax = $1 }
	NR == 1 || $2 < mmin { mmin = $2 } NR == 1 || $2 > mmax { mmax = $2 }
	END {
		t = (tmax - tmin) / tmin * 100; m = (mmax - mmin) / mmin * 100
		printf "time per packet (net of the fixed cost) spread %.1f%% (%s), peak RSS spread %.1f%% (%s)\n",
			t, (t <= 15 ? "flat: within 15%" : "NOT within 15%"), m, (m <= 15 ? "flat: within 15%" : "NOT within 15%")
	}'
