#!/bin/bash
# e2e_flows.sh - otsentry over every shared capture: no crash, every output
# line valid JSON, a final stats event, and as many TCP and UDP flow events
# as tshark reports conversations (-z conv,tcp / conv,udp), apart from the
# documented differences in e2e_flows.expected.
set -u

pcaps=${OTS_SHARED_PCAPS:-}
bin=${OTS_TOP_BUILDDIR:-.}/src/otsentry
expected=${OTS_TOP_SRCDIR:-.}/tests/e2e/e2e_flows.expected

if [ -z "$pcaps" ] || [ ! -d "$pcaps" ]; then
	echo "SKIP: no shared captures (OTS_SHARED_PCAPS)"; exit 77
fi
for tool in tshark jq; do
	command -v $tool >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
[ -x "$bin" ] || { echo "FAIL: $bin missing"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0

delta_for() {   # file proto -> expected delta
	awk -v f="$1" -v p="$2" '$1 == f && $2 == p { print $3; found = 1 } END { if (!found) print 0 }' "$expected"
}

while IFS= read -r f; do
	rel=${f#"$pcaps"/}
	n=$((n + 1))
	"$bin" -q --flow-timeout 1e9 --tcp-timeout 1e9 -r "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL $rel: exit $rc: $(head -c 300 "$tmp/err")"; fail=1; continue
	fi
	if ! jq -r 'select(.event_type == "flow") | .proto' "$tmp/out" >"$tmp/protos" 2>"$tmp/jq"; then
		echo "FAIL $rel: invalid JSON: $(head -c 200 "$tmp/jq")"; fail=1; continue
	fi
	if [ "$(tail -n 1 "$tmp/out" | jq -r .event_type)" != stats ]; then
		echo "FAIL $rel: last line is not the stats event"; fail=1
	fi
	tshark -n -q -r "$f" -z conv,tcp -z conv,udp >"$tmp/conv" 2>/dev/null
	for proto in TCP UDP; do
		ours=$(grep -c "^$proto\$" "$tmp/protos")
		theirs=$(awk -v p="$proto" '/Conversations/ { sec = $1 } /<->/ && sec == p { n++ } END { print n + 0 }' "$tmp/conv")
		want=$(delta_for "$rel" "$proto")
		if [ $((ours - theirs)) -ne "$want" ]; then
			echo "FAIL $rel: $proto flows $ours, tshark $theirs (expected difference $want)"
			fail=1
		fi
	done
done < <(find "$pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort)

echo "$n captures checked"
[ $n -gt 0 ] || exit 77
exit $fail
