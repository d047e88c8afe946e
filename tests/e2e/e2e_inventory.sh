#!/bin/sh
# e2e_inventory.sh - the inventory over the shared captures, checked against
# tshark: every endpoint tshark sees speaking Modbus, DNP3 or S7comm is an
# asset with the right client/server side; identity facts come out of the
# captures that carry them; the DOT file renders.  Skips (77) without the
# shared captures, tshark, jq or the binary.
set -u
PCAPS="${OTS_SHARED_PCAPS:-/work/shared/pcaps}"
BIN="${OTS_TOP_BUILDDIR:-.}/src/otsentry"
[ -d "$PCAPS" ] || { echo "no shared captures: skip"; exit 77; }
[ -x "$BIN" ] || { echo "no $BIN: skip"; exit 77; }
command -v tshark >/dev/null 2>&1 || { echo "no tshark: skip"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "no jq: skip"; exit 77; }

TMP=$(mktemp -d /tmp/e2e_inv.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail=0
checked=0

# run FILE: inventory into $TMP/inv.json
run() {
	"$BIN" -q -r "$1" -o /dev/null --inventory "$TMP/inv.json" --graph "$TMP/g.dot" \
		--graph "$TMP/g.graphml" 2>"$TMP/err" || { echo "FAIL: otsentry on $1: $(cat "$TMP/err")"; fail=1; return 1; }
}

# check FILE PROTO FILTER SERVERPORTFIELD [tshark options]: every request
# sender is an ot_client and every responder an ot_server of PROTO.
check_sides() {
	file=$1 proto=$2 filter=$3
	shift 3
	run "$file" || return
	tshark -n -r "$file" "$@" -Y "$filter" -T fields -e ip.src -e ip.dst 2>/dev/null |
		sort -u > "$TMP/pairs"
	while read -r cli srv; do
		[ -n "$cli" ] || continue
		for side in client server; do
			ip=$cli
			[ $side = server ] && ip=$srv
			n=$(jq --arg ip "$ip" --arg p "$proto" --arg s "ot_$side" \
				'[.assets[].ips[] | select(.ip == $ip) | select(.[$s] | index($p))] | length' "$TMP/inv.json")
			checked=$((checked + 1))
			if [ "$n" -lt 1 ]; then
				echo "FAIL: $(basename "$file"): $ip is not a $proto $side"
				fail=1
			fi
			# the asset's role matches its side, unless it plays both
			# sides (a gateway, a loopback capture) or is a router
			bad=$(jq --arg ip "$ip" --arg s "$side" --arg p "$proto" '
				[.assets[] |
				 select(any(.ips[]; .ip == $ip and (.["ot_" + $s] | index($p)))) |
				 select(.role != "router") |
				 select(([.ips[].ot_client[]] | length) == 0 or
				        ([.ips[].ot_server[]] | length) == 0) |
				 select(if $s == "server" then .role != "plc"
				        else (.role | IN("hmi", "engineering_workstation",
				                         "scanner", "historian") | not) end)
				 | .role] | join(",")' "$TMP/inv.json")
			checked=$((checked + 1))
			if [ "$bad" != '""' ]; then
				echo "FAIL: $(basename "$file"): $ip ($proto $side) has role $bad"
				fail=1
			fi
		done
	done < "$TMP/pairs"
	dot -Tsvg "$TMP/g.dot" -o "$TMP/g.svg" 2>"$TMP/doterr" || {
		echo "FAIL: $(basename "$file"): dot cannot render: $(cat "$TMP/doterr")"; fail=1; }
}

# Requests (client -> server) as tshark sees them.
check_sides "$PCAPS/modbus/plant1_ModbusTCP.pcap" modbus "mbtcp && tcp.dstport == 502"
check_sides "$PCAPS/modbus/iti_modbus_test.pcap" modbus "mbtcp && tcp.dstport == 502"
check_sides "$PCAPS/modbus/icsnpp_modbus_example.pcap" modbus "mbtcp && tcp.dstport == 502"
for f in "$PCAPS"/dnp3/*.pcap; do
	# DNP3 requests: application function codes 1..128 come from the master
	[ -f "$f" ] && check_sides "$f" dnp3 "dnp3.al.func >= 1 && dnp3.al.func < 129"
done
for f in "$PCAPS"/s7comm/*.pcap "$PCAPS"/s7comm/*.pcapng; do
	# S7comm jobs (ROSCTR 1) toward the CPU's port; during a download the
	# CPU sends jobs back on the same connection, it stays the server
	[ -f "$f" ] && check_sides "$f" s7comm "s7comm.header.rosctr == 1 && tcp.dstport == 102"
done

# Identity facts.
ident() {
	file=$1 proto=$2 key=$3
	run "$file" || return
	n=$(jq --arg p "$proto" --arg k "$key" \
		'[.assets[].identity[] | select(.proto == $p and .key == $k)] | length' "$TMP/inv.json")
	checked=$((checked + 1))
	if [ "$n" -lt 1 ]; then
		echo "FAIL: $(basename "$file"): no $proto $key identity fact"
		fail=1
	fi
}
ident "$PCAPS/modbus/icsnpp_modbus_example.pcap" modbus vendor
[ -f "$PCAPS/s7comm/icsnpp_s7ident.pcap" ] && ident "$PCAPS/s7comm/icsnpp_s7ident.pcap" s7comm module

# The document is the versioned format.
run "$PCAPS/modbus/iti_modicon_test.pcap" && {
	checked=$((checked + 1))
	jq -e '.format == "otsentry-inventory" and .version == 1 and
		([.assets[] | select(.role == "engineering_workstation")] | length) == 1' \
		"$TMP/inv.json" >/dev/null || { echo "FAIL: modicon: no engineering workstation"; fail=1; }
}

# The project's own plant captures carry the true role of every host.
for name in plant_normal plant_attack_scan plant_attack_s7_download; do
	pc="${OTS_TOP_SRCDIR:-.}/pcaps/$name.pcap"
	[ -f "$pc" ] && [ -f "${pc%.pcap}.truth.json" ] || continue
	"$BIN" -q -r "$pc" -o /dev/null --inventory "$TMP/inv.json" || { fail=1; continue; }
	jq -r '.hosts[] | "\(.mac) \(.ip) \(.role)"' "${pc%.pcap}.truth.json" > "$TMP/truth"
	while read -r mac ip role; do
		case $role in
		plc|outstation|io_adapter) want=plc ;;
		hmi|dnp3_master|iec104_master) want=hmi ;;
		engineering_station) want=engineering_workstation ;;
		it_workstation) want=it_host ;;
		it_server) want=server ;;
		# external hosts sit behind the gateway's MAC
		router|external_server) want=router ;;
		*) want=$role ;;
		esac
		[ "$role" = attacker ] && { [ "$name" = plant_attack_scan ] && want=scanner || continue; }
		got=$(jq -r --arg m "$mac" '[.assets[] | select(.mac == $m) | .role] | join(",")' "$TMP/inv.json")
		checked=$((checked + 1))
		if [ "$got" != "$want" ]; then
			echo "FAIL: $name: $ip ($mac) is $role in truth, inventory says '$got'"
			fail=1
		fi
	done < "$TMP/truth"
done

# The EtherNet/IP cell of the plant: the controller is the scanner of the
# two adapters, each class 1 connection an edge with its RPI and sizes.
pc="${OTS_TOP_SRCDIR:-.}/pcaps/plant_normal.pcap"
if [ -f "$pc" ]; then
	checked=$((checked + 1))
	"$BIN" -q -r "$pc" -o /dev/null --inventory "$TMP/inv.json" --graph "$TMP/g.dot" || fail=1
	jq -e '
		def asset($ip): [.assets[] | select(any(.ips[]; .ip == $ip))][0];
		asset("10.10.60.10").ot.enip.io_role == "scanner" and
		asset("10.10.60.10").ot.enip.io_connections_originated == 2 and
		asset("10.10.60.30").ot.enip.io_role == "adapter" and
		asset("10.10.60.31").ot.enip.io_role == "adapter" and
		(asset("10.10.60.10").role_reasons[0] | startswith("EtherNet/IP scanner")) and
		([.edges[] | .io_connections[]? | select(.kind == "connection" and .state == "open")
		  | [.transport_class, .o_t_rpi, .t_o_rpi, .o_t_size, .t_o_size, .path]] | sort) ==
		[[1, 200000, 200000, 14, 18, "class 4/instance 1/point 102"],
		 [1, 500000, 500000, 14, 18, "class 4/instance 1/point 102"]] and
		([.edges[] | .io_connections[]? | select(.kind == "traffic")] | length) == 4' \
		"$TMP/inv.json" >/dev/null || { echo "FAIL: plant_normal: EtherNet/IP scanner, adapters or I/O connections wrong"; fail=1; }
	grep -q 'class 0/1 I/O, RPI 200.0-200.0 ms' "$TMP/g.dot" ||
		{ echo "FAIL: plant_normal: no I/O connection in the DOT labels"; fail=1; }
fi

# GeoIP through the command line, with the test databases.
if perl "${OTS_TOP_SRCDIR:-.}/tests/e2e/make_test_mmdb.pl" "$TMP/city.mmdb" "$TMP/asn.mmdb" 2>/dev/null; then
	checked=$((checked + 1))
	"$BIN" -q -r "$PCAPS/modbus/plant1_ModbusTCP.pcap" -o /dev/null --inventory "$TMP/inv.json" \
		--geoip "$TMP/city.mmdb" --geoip "$TMP/asn.mmdb" &&
	jq -e '[.assets[].ips[] | select(.ip == "141.81.0.10")][0] |
		.external and .geo.country == "DE"' "$TMP/inv.json" >/dev/null ||
		{ echo "FAIL: GeoIP country missing for 141.81.0.10"; fail=1; }
fi
checked=$((checked + 1))
"$BIN" -q -r "$PCAPS/modbus/ndpi_modbus.pcap" -o /dev/null --geoip /nonexistent/x.mmdb 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] || [ "$(wc -l < "$TMP/err")" -ne 1 ] || ! grep -q /nonexistent/x.mmdb "$TMP/err"; then
	echo "FAIL: a bad --geoip path is not a one-line error (rc $rc): $(cat "$TMP/err")"
	fail=1
fi

echo "e2e_inventory: $checked checks, $([ $fail = 0 ] && echo ok || echo FAILED)"
exit $fail
