#!/bin/sh
# gen_tshark.sh - otsgen's captures checked with tshark as the oracle.
#
# 1. The bundled captures in pcaps/ are exactly what otsgen writes from
#    pcaps/otsgen.args (so `make pcaps` rebuilds them byte for byte), a
#    second run gives the same bytes again, there is a capture and a truth
#    file for each scenario `otsgen --help` lists, and tools/gen.mk's
#    GEN_SCENARIOS (what a release ships) names the same attacks.
# 2. tshark decodes every generated capture (the bundled set, a larger
#    plant with another seed, the extra deviations on a small plant) without malformed packets, bad IP/TCP/UDP
#    checksums, bad DNP3 link CRCs, TCP sequence analysis findings
#    (retransmissions, lost or out-of-order segments, duplicate ACKs) or
#    expert warnings (TCP resets excepted: the scan sends them on purpose).
# 3. tshark's Modbus, DNP3 and S7comm message counts and function-code
#    histograms, and its IEC 104 APDU counts by format and type-id
#    histogram, equal what otsgen says it wrote in the truth file.
# Exit 77 (skip) when tshark or jq is missing and part 1 passed.

set -u

top_src=${OTS_TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
top_build=${OTS_TOP_BUILDDIR:-$top_src}
gen=$top_build/tools/otsgen

[ -x "$gen" ] || { echo "FAIL: $gen not built"; exit 1; }
# Without tshark or jq only the byte-for-byte part runs: a failure there
# still fails, a pass is reported as a skip.
missing=
command -v tshark >/dev/null 2>&1 || missing="$missing tshark"
command -v jq >/dev/null 2>&1 || missing="$missing jq"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/otsgen-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL: $*"; fail=1; }

args=$(cat "$top_src/pcaps/otsgen.args") || exit 1

# ---- 1. reproducible, and equal to the committed captures
# shellcheck disable=SC2086
"$gen" -q --scenario all $args -o "$tmp/a" || bad "otsgen --scenario all failed"
# shellcheck disable=SC2086
"$gen" -q --scenario all $args -o "$tmp/b" || bad "second otsgen run failed"
n=0
for f in "$tmp"/a/*; do
	b=$(basename "$f")
	n=$((n + 1))
	cmp -s "$f" "$tmp/b/$b" || bad "$b differs between two runs with the same seed"
	if [ -f "$top_src/pcaps/$b" ]; then
		cmp -s "$f" "$top_src/pcaps/$b" || bad "pcaps/$b is not what otsgen writes now (run make pcaps)"
	else
		bad "pcaps/$b is missing (run make pcaps)"
	fi
done
# a capture and a truth file for each bundled scenario otsgen lists, and
# tools/gen.mk (what `make dist` ships) lists the same attacks
scenarios=$("$gen" --help | sed -n 's/^scenarios: //p')
want=0
for s in $scenarios; do
	case $s in
	normal) b=plant_normal ;;
	*) b=plant_attack_$s ;;
	esac
	for x in pcap truth.json; do
		want=$((want + 1))
		[ -f "$tmp/a/$b.$x" ] || bad "otsgen --scenario all wrote no $b.$x"
	done
done
[ "$want" -ge 2 ] || bad "otsgen --help lists no scenarios"
[ "$n" -eq "$want" ] || bad "expected $want files from --scenario all, got $n"
mk=$(awk '/^GEN_SCENARIOS =/ { on = 1; sub(/^GEN_SCENARIOS =/, "") }
	on { more = sub(/\\$/, ""); print; if (!more) exit }' "$top_src/tools/gen.mk" |
	tr -s ' \t' '\n' | sed '/^$/d' | sort)
[ "$mk" = "$(echo $scenarios | tr ' ' '\n' | grep -vx normal | sort)" ] ||
	bad "GEN_SCENARIOS in tools/gen.mk is not otsgen's list of attacks"

if [ -n "$missing" ]; then
	[ "$fail" -eq 0 ] || exit 1
	echo "SKIP: byte-for-byte checks passed; not installed:$missing"
	exit 77
fi

# a different seed: the same plant layout (IP addresses, roles), other MAC
# addresses and other traffic
for sd in 1 2; do
	"$gen" -q --seed $sd --duration 60 -o "$tmp/s$sd.pcap" --truth "$tmp/s$sd.json" ||
		bad "otsgen --seed $sd failed"
done
cmp -s "$tmp/s1.pcap" "$tmp/s2.pcap" && bad "--seed 2 wrote the same capture as --seed 1"
jq -n -e --slurpfile a "$tmp/s1.json" --slurpfile b "$tmp/s2.json" '
	($a[0].hosts | map({(.name): .}) | add) as $x |
	($b[0].hosts | map({(.name): .}) | add) as $y |
	[$x | keys[] | select($y[.] != null)] as $both |
	($both | length) > 10 and
	all($both[]; $x[.].ip == $y[.].ip and $x[.].role == $y[.].role) and
	$x.hmi1.mac != $y.hmi1.mac and $x["plc-s7-1"].mac != $y["plc-s7-1"].mac' \
	>/dev/null || bad "--seed 2: not the same IP layout with other MAC addresses"

# a larger plant, another seed, one attack
"$gen" -q --seed 7 --plcs 9 --scenario s7_download --duration 60 \
	-o "$tmp/big.pcap" --truth "$tmp/big.truth.json" || bad "otsgen --plcs 9 failed"

# the extra deviations (not bundled), on a plant of one PLC of each kind
mkdir -p "$tmp/x"
for sc in new_address_range error_burst channel_silent new_protocol ip_mac_change \
	iec104_station_silent; do
	"$gen" -q --plcs 1 --scenario "$sc" --duration 60 -o "$tmp/x/plant_attack_$sc.pcap" \
		--truth "$tmp/x/plant_attack_$sc.truth.json" || bad "otsgen --scenario $sc failed"
done

# ---- 2 and 3. tshark: clean decode, equal counts
check_capture() {
	pcap=$1
	truth=$2
	name=$(basename "$pcap")

	errs=$(tshark -n -r "$pcap" \
		-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE \
		-Y '_ws.malformed || tcp.checksum.status==0 || udp.checksum.status==0 ||
		    ip.checksum.status==0 || dnp3.hdr.CRC.incorrect ||
		    dnp3.data_chunk.CRC.incorrect || tcp.analysis.flags ||
		    (_ws.expert.severity >= 0x600000 && !tcp.connection.rst)' \
		2>/dev/null | wc -l)
	[ "$errs" -eq 0 ] || bad "$name: tshark reports $errs malformed/bad-checksum/TCP-analysis/warning frames"

	# one line per frame: modbus frame, function code, dnp3 frame, dnp3
	# application function, s7 rosctr, s7 function
	tshark -n -r "$pcap" -T fields -E separator=/t -E occurrence=f \
		-e mbtcp.trans_id -e modbus.func_code -e dnp3.start -e dnp3.al.func \
		-e s7comm.header.rosctr -e s7comm.param.func 2>/dev/null |
	awk -F'\t' '
		$1 != "" { mb++; fc["modbus." $2]++ }
		$3 != "" { dn++ }
		$4 != "" { fc["dnp3." $4]++ }
		$5 != "" { s7++; if ($5 == 7) ud++ }
		$6 != "" { fc["s7comm." $6]++ }
		END {
			printf "modbus.messages %d\ndnp3.frames %d\ns7comm.pdus %d\ns7comm.userdata %d\n", mb, dn, s7, ud
			for (k in fc) printf "fc.%s %d\n", k, fc[k]
		}' | sort > "$tmp/tshark.txt"

	jq -r '.counts |
		"modbus.messages \(.modbus.messages)",
		"dnp3.frames \(.dnp3.frames)",
		"s7comm.pdus \(.s7comm.pdus)",
		"s7comm.userdata \(.s7comm.userdata)",
		(.modbus.function_codes | to_entries[] | "fc.modbus.\(.key) \(.value)"),
		(.dnp3.function_codes | to_entries[] | "fc.dnp3.\(.key) \(.value)"),
		(.s7comm.functions | to_entries[] | "fc.s7comm.\(.key) \(.value)")' \
		"$truth" | sort > "$tmp/otsgen.txt"

	# IEC 104: APDUs by format and the histogram of type identifications
	tshark -n -r "$pcap" -Y iec60870_104 -T fields -E separator=/t -E occurrence=a \
		-E aggregator=, -e iec60870_104.type -e iec60870_asdu.typeid 2>/dev/null |
	awk -F'\t' '
		{ n = split($1, f, ","); for (i = 1; i <= n; i++) fm[f[i] + 0]++
		  n = split($2, t, ","); for (i = 1; i <= n; i++) if (t[i] != "") ty[t[i]]++ }
		END {
			printf "iec104.i %d\niec104.s %d\niec104.u %d\n", fm[0], fm[1], fm[3]
			for (k in ty) printf "iec104.type.%s %d\n", k, ty[k]
		}' >> "$tmp/tshark.txt"
	jq -r '.counts.iec104 | "iec104.i \(.i_frames)", "iec104.s \(.s_frames)",
		"iec104.u \(.u_frames)", (.type_ids | to_entries[] | "iec104.type.\(.key) \(.value)")' \
		"$truth" >> "$tmp/otsgen.txt"
	sort -o "$tmp/tshark.txt" "$tmp/tshark.txt"
	sort -o "$tmp/otsgen.txt" "$tmp/otsgen.txt"
	if ! cmp -s "$tmp/tshark.txt" "$tmp/otsgen.txt"; then
		bad "$name: tshark counts differ from otsgen's (< tshark, > otsgen):"
		diff "$tmp/tshark.txt" "$tmp/otsgen.txt" | grep '^[<>]'
	fi
	# every capture really holds all three OT protocols
	for k in modbus.messages dnp3.frames s7comm.pdus iec104.i; do
		grep -q "^$k [1-9]" "$tmp/otsgen.txt" || bad "$name: no $k"
	done
	checked=$((checked + 1))
}

checked=0
for p in "$tmp"/a/*.pcap; do
	check_capture "$p" "${p%.pcap}.truth.json"
done
check_capture "$tmp/big.pcap" "$tmp/big.truth.json"
for p in "$tmp"/x/*.pcap; do
	check_capture "$p" "${p%.pcap}.truth.json"
done

# every attack truth file lists at least one event with the fields the
# end-to-end test relies on, inside the capture; the normal capture lists none
for t in "$tmp"/a/plant_attack_*.truth.json "$tmp"/x/*.truth.json; do
	jq -e '(.events | length) >= 1 and
	       all(.events[]; (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")) and
		   (.epoch | type == "number") and (.src_ip | length > 0) and
		   (.dst_ip | length > 0) and (.expect | length >= 1) and
		   .epoch >= $s.start_epoch and .epoch <= $s.end_epoch)' \
		--argjson s "$(jq '{start_epoch, end_epoch}' "$t")" "$t" >/dev/null ||
		bad "$(basename "$t"): events missing or incomplete"
done
# each event's time is the time of a frame between its two hosts
for t in "$tmp"/a/plant_attack_*.truth.json "$tmp"/x/*.truth.json; do
	jq -r '.events[] | "\(.epoch) \(.src_ip) \(.dst_ip)"' "$t" |
	while read -r ep src dst; do
		n=$(tshark -n -r "${t%.truth.json}.pcap" -Y "ip.addr == $src && ip.addr == $dst &&
			frame.time_epoch >= $ep - 0.0000005 && frame.time_epoch <= $ep + 0.0000005" \
			2>/dev/null | wc -l)
		[ "$n" -ge 1 ] || echo "FAIL: $(basename "$t"): no frame $src <-> $dst at $ep"
	done
done | grep FAIL && fail=1
jq -e '.events == []' "$tmp/a/plant_normal.truth.json" >/dev/null ||
	bad "plant_normal.truth.json lists events"
# attack captures start where the learning capture ends
ne=$(jq '.end_epoch' "$tmp/a/plant_normal.truth.json")
for t in "$tmp"/a/plant_attack_*.truth.json; do
	jq -e --argjson ne "$ne" '.start_epoch == $ne' "$t" >/dev/null ||
		bad "$(basename "$t") does not start where the normal capture ends"
done

echo "checked $checked captures"
[ "$fail" -eq 0 ] && echo "PASS" || echo "FAILED"
exit "$fail"
