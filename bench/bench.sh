#!/bin/bash
# bench.sh - otsentry's cost against a bare libpcap read loop (bench/pcap_read,
# which touches every byte) over the same capture of at least 1 M packets,
# in one invocation, and its scaling with the length of the input.
#
# Measured: CPU time (user + system) of the process alone and its peak
# resident set (bench/rusage, from wait4), never wall time: on a shared
# machine the wall clock measures the neighbours.  Each CPU figure is the
# best (least) of five runs, the runs of the modes and of the bare loop
# interleaved: the neighbours' noise (steal, caches, clock) only adds time,
# and on a shared virtual machine it comes in spells longer than a run, which
# a median of a few runs does not remove.  Peak RSS: the median.
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
#   OTS_BENCH_RUNS=5           runs per figure (the best CPU time is shown)
#   OTS_BENCH_PROTOS="modbus dnp3 s7comm enip iec104"  per-protocol inputs,
#                              from those folders of the shared captures
#                              (empty: no per-protocol runs)
set -euo pipefail

build=${1:-.}
pcaps=${OTS_SHARED_PCAPS:-$(dirname "$0")/../../shared/pcaps}
dir=${OTS_BENCH_DIR:-/tmp/otsentry-bench}
scales=${OTS_BENCH_SCALES-1 4 16}
runs=${OTS_BENCH_RUNS:-5}
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

# out: n copies of capture in, copy i shifted by i weeks, merged by time.
copies_of() {
	local in=$1 n=$2 out=$3 i parts=()
	for i in $(seq 0 $((n - 1))); do
		editcap -F pcap -t $((i * 86400 * 7)) "$in" "$dir/copy$i.pcap"
		parts+=("$dir/copy$i.pcap")
	done
	mergecap -F pcap -w "$out.tmp" "${parts[@]}"
	rm -f "${parts[@]}"
	mv "$out.tmp" "$out"
}

# xK.pcap: K * copies shifted copies of the corpus, once.
make_input() {
	local out=$dir/x$1.pcap
	[ -s "$out" ] || copies_of "$dir/base.pcap" $(($1 * copies)) "$out"
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
# The least CPU time of the runs: what the neighbours of a shared machine
# do (steal, caches, frequency) only ever adds time.
best() { printf '%s\n' "$@" | sort -g | head -1; }

# The fixed cost of a run (nDPI's and the OUI table's setup, the exit),
# measured on the corpus' first 1,000 packets: CPU seconds, the best run.
fixed_cost() {
	local cs="" r c m
	[ -s "$dir/start.pcap" ] || editcap -F pcap -r "$dir/base.pcap" "$dir/start.pcap" 1-1000
	for r in $(seq "$runs"); do
		read -r c m < <(run "$ots" -q -r "$dir/start.pcap" -o /dev/null "${quiet[@]}")
		cs+=" $c"
	done
	best $cs
}

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
echo "CPU time (user+sys) of the process, best of $runs interleaved runs"
printf '%-50s %8s %8s %12s %10s\n' "" "cpu s" "ratio" "packets/s" "peak RSS"
read_med=$(best ${cpu[read]})
for m in read all quiet detect; do
	case $m in
	read) label="bare libpcap read loop" ;;
	all) label="otsentry, every log (goal <= 4x)" ;;
	quiet) label="otsentry, no protocol/flow/anomaly logs (<= 2x)" ;;
	detect) label="otsentry, detect against a baseline (<= 2.5x)" ;;
	esac
	c=$(best ${cpu[$m]})
	awk -v l="$label" -v c="$c" -v r="$read_med" -v n="$npk" -v kb="$(median ${rss[$m]})" 'BEGIN {
		printf "%-50s %8.3f %7.2fx %12.0f %7.1f MB\n", l, c, c / r, (c > 0 ? n / c : 0), kb / 1024 }'
done
echo "(all runs, cpu s: read${cpu[read]}; all${cpu[all]}; quiet${cpu[quiet]}; detect${cpu[detect]})"

# Compressed input: the same capture as .gz and .zst (made once), no logs.
[ -s "$input.gz" ] || gzip -c "$input" > "$input.gz"
[ -s "$input.zst" ] || zstd -q -c "$input" > "$input.zst"
q=$(best ${cpu[quiet]})
for z in gz zst; do
	read -r c m < <(run "$ots" -q -r "$input.$z" -o /dev/null "${quiet[@]}")
	awk -v z="$z" -v c="$c" -v q="$q" 'BEGIN { printf "compressed .%s input, no logs: %.3f s, %.2fx the plain input\n", z, c, c / q }'
done

# Per protocol: the shared captures of one protocol's folder merged, and
# copied (each copy shifted by a week) to at least 300,000 packets; no logs;
# CPU time per packet net of the fixed cost of a run, as for the scaling.
# EtherNet/IP should cost no more per packet than the first three.
protos=${OTS_BENCH_PROTOS-modbus dnp3 s7comm enip iec104}
if [ -n "$protos" ]; then
	pfixed=$(fixed_cost)
	echo "per protocol, no logs (best of $runs runs each; fixed cost of a run $pfixed s):"
	printf '%-8s %10s %8s %12s\n' "capture" "packets" "cpu s" "net ns/packet"
	declare -A pns
	for proto in $protos; do
		out=$dir/proto_$proto.pcap
		if [ ! -s "$out" ]; then
			mapfile -t files < <(find "$pcaps/$proto" -type f \( -name '*.pcap' -o -name '*.pcapng' \) 2>/dev/null | sort |
				while read -r f; do
					[ "$(capinfos -T -E -r "$f" 2>/dev/null | tail -1 | cut -f2)" = ether ] && echo "$f"
				done)
			[ ${#files[@]} -gt 0 ] || { echo "$proto: no Ethernet captures in $pcaps/$proto"; continue; }
			mergecap -F pcap -w "$dir/proto_one.pcap" "${files[@]}"
			one=$(packets "$dir/proto_one.pcap")
			copies_of "$dir/proto_one.pcap" $(( (300000 + one - 1) / one )) "$out"
			rm -f "$dir/proto_one.pcap"
		fi
		n=$(packets "$out")
		cat "$out" >/dev/null
		cs=""
		for r in $(seq "$runs"); do
			read -r c m < <(run "$ots" -q -r "$out" -o /dev/null "${quiet[@]}")
			cs+=" $c"
		done
		c=$(best $cs)
		pns[$proto]=$(awk -v n="$n" -v c="$c" -v f="$pfixed" 'BEGIN { printf "%.1f", (c - f) * 1e9 / n }')
		printf '%-8s %10d %8.3f %12s\n' "$proto" "$n" "$c" "${pns[$proto]}"
	done
	if [ -n "${pns[enip]:-}" ]; then
		awk -v e="${pns[enip]}" -v m="${pns[modbus]:-0}" -v d="${pns[dnp3]:-0}" -v s="${pns[s7comm]:-0}" 'BEGIN {
			x = m; if (d > x) x = d; if (s > x) x = s
			printf "EtherNet/IP %.1f ns/packet, the dearest of Modbus, DNP3 and S7comm %.1f: %s\n",
				e, x, (e <= x ? "no slower" : "SLOWER")
		}'
	fi
fi

[ -n "$scales" ] || exit 0
# The fixed cost of a run is taken out of the time per packet that should
# stay flat; the raw figure is printed beside it.
fixed=$(fixed_cost)
echo "scaling, no logs (best of $runs runs each; load average $(cut -d' ' -f1-3 /proc/loadavg)):"
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
	c=$(best $cs)
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
