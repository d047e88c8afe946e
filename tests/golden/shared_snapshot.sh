#!/bin/sh
# shared_snapshot.sh OUTDIR - otsentry's output over every shared capture,
# for comparing two builds (diff -r OLD NEW).  Not a test: the shared
# captures stay outside the tree, so do their outputs.
#   For each capture: the EVE stream with every log on and --learn, the
#   learned baseline, then a detection run of the same capture against it.
set -u
out=${1:?usage: shared_snapshot.sh OUTDIR}
top=${OTS_TOP_BUILDDIR:-.}
src=${OTS_TOP_SRCDIR:-.}
shared=${OTS_SHARED_PCAPS:-$src/../shared/pcaps}
ots=$top/src/otsentry
[ -d "$shared" ] || { echo "no shared captures at $shared" >&2; exit 77; }
mkdir -p "$out"
find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort |
while read -r f; do
	n=$(echo "${f#"$shared"/}" | tr '/' '_')
	"$ots" -q -r "$f" -o "$out/$n.eve.json" --learn "$out/$n.baseline.json" 2> "$out/$n.stderr"
	echo "exit $?" >> "$out/$n.stderr"
	"$ots" -q -r "$f" --baseline "$out/$n.baseline.json" --no-log all --no-flow-log \
		-o "$out/$n.detect.json" 2>> "$out/$n.stderr"
	echo "exit $?" >> "$out/$n.stderr"
done
