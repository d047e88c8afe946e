#!/bin/sh
# stream_attacks.sh - TCP streams and IP fragments under attack, end to end:
# each of otsgen's transport scenarios through otsentry, checked against
# what the receiving hosts saw (see tools/gen_stream.c and the TCP
# REASSEMBLY section of otsentry(8)).
set -u
top=${OTS_TOP_BUILDDIR:-.}
ots=$top/src/otsentry
gen=$top/tools/otsgen
[ -x "$ots" ] && [ -x "$gen" ] || { echo "FAIL: otsentry or otsgen not built"; exit 1; }
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq missing"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ots-stream.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# run SCENARIO [otsentry options]: the capture through otsentry into $tmp/SCENARIO.json
run() {
	sc=$1; shift
	"$gen" --scenario "$sc" -o "$tmp/$sc.pcap" || { bad "otsgen $sc"; return 1; }
	rm -f "$tmp/$sc.json"
	"$ots" -q -r "$tmp/$sc.pcap" -o "$tmp/$sc.json" "$@" || bad "otsentry on $sc exited $?"
}
# q SCENARIO JQ-FILTER: the filter over the whole output (slurped)
q() { jq -s -r "$2" "$tmp/$1.json"; }
expect() {      # expect SCENARIO WHAT JQ-FILTER VALUE
	got=$(q "$1" "$3")
	[ "$got" = "$4" ] || bad "$1: $2: got '$got', want '$4'"
}

# 1. A relay re-sends each response with one register more from its own
# MAC, two bytes further on per response: the first version is followed,
# every relayed copy dropped whole, one anomaly for the direction.
run tcp_conflict
expect tcp_conflict "requests" '[.[] | select(.modbus.direction == "request")] | length' 4
expect tcp_conflict "responses with the original values" \
	'[.[] | select(.modbus.direction == "response" and .modbus.values == [100,200,300,400])] | length' 4
expect tcp_conflict "responses in all" '[.[] | select(.modbus.direction == "response")] | length' 4
expect tcp_conflict "anomalies" '[.[] | select(.event_type == "anomaly") | .anomaly.type + " " + .anomaly.event] | join(",")' \
	"stream stream.reassembly_overlap_different_data"
expect tcp_conflict "conflicts counted on the flow" '.[] | select(.event_type == "flow") | .tcp.conflicts_toclient' 4
expect tcp_conflict "stats" '.[] | select(.event_type == "stats") | .stats.reassembly.overlap_conflicts' 4
# the baseline alerts on it even when it learned the same capture
"$ots" -q -r "$tmp/tcp_conflict.pcap" --learn "$tmp/base.json" -o /dev/null || bad "learning"
run tcp_conflict --baseline "$tmp/base.json"
expect tcp_conflict "alerts" '[.[] | select(.event_type == "alert") | "\(.alert.signature_id) \(.alert.metadata.kind) \(.alert.metadata.mitre_technique_id[0])"] | join(",")' \
	"2000016 conflicting_copy T0830"

# 2. A segment 128 KiB past the window and an ack 2e9 past the data sent
# move nothing: every later exchange decodes (RFC 9293 3.10.7.4).
run tcp_bad_ack
expect tcp_bad_ack "responses" '[.[] | select(.modbus.direction == "response" and .modbus.values == [100,200,300,400])] | length' 4
expect tcp_bad_ack "no response out of place" '[.[] | select(.modbus.direction == "response")] | length' 4
expect tcp_bad_ack "anomalies" '[.[] | select(.event_type == "anomaly") | .anomaly.event] | sort | join(",")' \
	"stream.est_invalid_ack,stream.est_packet_out_of_window"
expect tcp_bad_ack "flow counters" '.[] | select(.event_type == "flow") | "\(.tcp.bad_acks_toserver) \(.tcp.out_of_window_toclient)"' "1 1"
expect tcp_bad_ack "no gap" '.[] | select(.event_type == "flow") | .tcp.gaps_toclient' 0

# 3. Response 2 loses its first 5 bytes, retransmitted 3 s later; response
# 3 waits behind the hole.  Each is stamped with the time of the packet
# that carried its last byte, not with the release.
run tcp_late_release
expect tcp_late_release "response times" \
	'[.[] | select(.modbus.direction == "response") | "\(.modbus.transaction_id)@\(.timestamp[11:26])"] | join(",")' \
	"1@12:00:01.000759,2@12:00:02.000759,3@12:00:03.000759,4@12:00:06.000759"
expect tcp_late_release "response 2 round trip" \
	'.[] | select(.modbus.direction == "response" and .modbus.transaction_id == 2) | .modbus.response_time' 0.0003

# 4. An unanswered SYN, then a SYN with a new ISN from the same port: two flows.
run tcp_syn_retry
expect tcp_syn_retry "flows" '[.[] | select(.event_type == "flow") | "\(.tcp.state) \(.flow.pkts_toserver)"] | sort | join(",")' \
	"closed 8,syn_sent 2"
expect tcp_syn_retry "messages" '[.[] | select(.event_type == "modbus")] | length' 4

# 5. Modbus over IPv6 with every response in two fragments, the last first.
run ipv6_frag
expect ipv6_frag "responses" '[.[] | select(.modbus.direction == "response")] | length' 3
expect ipv6_frag "fragments" '.[] | select(.event_type == "stats") | .stats.decoder.ipv6_frag | "\(.fragments) \(.reassembled) \(.in_progress)"' "6 3 0"

[ $fail = 0 ] && echo "PASS: transport scenarios decode as the hosts saw them"
exit $fail
