#!/bin/sh
# rules_fire.sh - every shipped rule fires on a capture that holds its
# operation and stays quiet on a capture without it.
#
# Captures: the shared public corpus ($OTS_SHARED_PCAPS), the project's
# generated captures (pcaps/), and a few frames built here with text2pcap
# for operations no public capture holds (Modbus broadcast writes and file
# record writes, UMAS stop/start/upload/variable writes, DNP3 Secure
# Authentication errors, analog output
# commands, application and configuration functions, DNP3 from an
# external address).
# Exit 77 (skip) when the shared captures are absent.

top_src=${OTS_TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
top_build=${OTS_TOP_BUILDDIR:-$top_src}
bin=$top_build/src/otsentry
S=${OTS_SHARED_PCAPS:-$top_src/../shared/pcaps}
P=$top_src/pcaps

if [ ! -d "$S/modbus" ]; then
	echo "rules_fire: shared captures not found at $S; skipping"
	exit 77
fi
if [ ! -x "$bin" ]; then
	echo "rules_fire: $bin not built"
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rules_fire.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# Built captures (hex of one TCP payload each; text2pcap adds the headers).
have_t2p=0
if command -v text2pcap >/dev/null 2>&1; then
	have_t2p=1
	build() {       # name src dst sport dport hex
		printf '0000 %s\n' "$(echo "$6" | sed 's/../& /g')" > "$work/$1.txt"
		text2pcap -q -4 "$2,$3" -T "$4,$5" "$work/$1.txt" "$work/$1.pcap" >/dev/null 2>&1
	}
	# Modbus FC 5 write single coil to unit 0 (broadcast)
	build mb_broadcast 10.0.0.5 10.0.0.9 40001 502 00010000000600050001ff00
	# DNP3 FC 33 authenticate error, master 1 -> outstation 10
	build dnp3_auth_err 10.0.0.5 10.0.0.9 40002 20000 056408c40a000100fc42c0c1218c22
	# DNP3 FC 131 authentication response carrying g120v7 (error object)
	build dnp3_auth_err_obj 10.0.0.9 10.0.0.5 20000 40003 05641f4401000a0026a5c0c283000078075b010f000100000001874900010005000000000000ad4e
	# the FC 33 frame again, from an external address
	build dnp3_external 198.51.100.7 10.0.0.9 40004 20000 056408c40a000100fc42c0c1218c22
	# EtherNet/IP SendRRData: CIP Reset (0x05) on Identity instance 1
	build enip_identity_reset 10.0.0.5 10.0.0.9 40005 44818 6f0016000100000000000000000000000000000000000000000000000000020000000000b2000600050220012401
	# six EtherNet/IP ListIdentity requests over UDP from one host
	for i in 1 2 3 4 5 6; do
		echo "0000 63 00 00 00 00 00 00 00 00 00 00 00 0$i 00 00 00 00 00 00 00 00 00 00 00"
	done > "$work/enip_li_sweep.txt"
	text2pcap -q -4 10.0.0.5,10.0.0.255 -u 40006,44818 "$work/enip_li_sweep.txt" \
		"$work/enip_li_sweep.pcap" >/dev/null 2>&1
	# Modbus FC 21 write file record: file 1, record 0, one register
	build mb_write_file 10.0.0.5 10.0.0.9 40010 502 00010000000a011507060001000000011234
	# UMAS (Modbus FC 90, session key 1): stop PLC, start PLC, initialize
	# upload, write variables
	build umas_stop 10.0.0.5 10.0.0.9 40019 502 000100000004015a0141
	build umas_start 10.0.0.5 10.0.0.9 40020 502 000100000004015a0140
	build umas_upload 10.0.0.5 10.0.0.9 40021 502 000100000006015a01300001
	build umas_write_vars 10.0.0.5 10.0.0.9 40022 502 000100000008015a012301020304
	# DNP3 analog output (g41v2, index 3, value 1234) by select, operate,
	# direct operate no ack; application functions without objects or
	# with g90v1 (frames with their link and block CRCs)
	build dnp3_select_g41 10.0.0.5 10.0.0.9 40011 20000 056412c40a0001005686c1c10329022801000300d20400ade0
	build dnp3_operate_g41 10.0.0.5 10.0.0.9 40012 20000 056412c40a0001005686c1c10429022801000300d204000781
	build dnp3_do_nr_g41 10.0.0.5 10.0.0.9 40013 20000 056412c40a0001005686c1c10629022801000300d204001bac
	build dnp3_start_appl 10.0.0.5 10.0.0.9 40014 20000 05640bc40a000100acd1c1c1115a01064d58
	build dnp3_init_appl 10.0.0.5 10.0.0.9 40015 20000 05640bc40a000100acd1c1c1105a0106a59a
	build dnp3_init_data 10.0.0.5 10.0.0.9 40016 20000 056408c40a000100fc42c1c10fd658
	build dnp3_save_config 10.0.0.5 10.0.0.9 40017 20000 056408c40a000100fc42c1c1134ccc
	build dnp3_activate_config 10.0.0.5 10.0.0.9 40018 20000 056408c40a000100fc42c1c11fbdea
	# IEC 104 C_RP_NA_1 reset process (general reset), activation
	build iec104_reset 10.0.0.5 10.0.0.9 40007 2404 680e0000000069010600010000000001
	# IEC 104 F_SC_NA_1 call of file 1, cause file transfer
	build iec104_file 10.0.0.5 10.0.0.9 40008 2404 6811000000007a010d00010000000001000001
	# IEC 104 STOPDT act
	build iec104_stopdt 10.0.0.5 10.0.0.9 40009 2404 680413000000
fi

pass=0
fail=0
skip=0

# count SID CAPTURE [otsentry options...]: alerts of SID on CAPTURE
count() {
	sid=$1
	cap=$2
	shift 2
	"$bin" -q --no-flow-log -r "$cap" "$@" 2>"$work/err" |
		grep -c "\"event_type\":\"alert\".*\"signature_id\":$sid,"
}

# check SID fire|quiet CAPTURE [options...]
check() {
	sid=$1
	want=$2
	cap=$3
	shift 3
	if [ ! -f "$cap" ]; then
		echo "SKIP $sid $want: $cap missing"
		skip=$((skip + 1))
		return
	fi
	n=$(count "$sid" "$cap" "$@")
	if { [ "$want" = fire ] && [ "$n" -ge 1 ]; } || { [ "$want" = quiet ] && [ "$n" -eq 0 ]; }; then
		pass=$((pass + 1))
	else
		echo "FAIL sid $sid should $want on $(basename "$cap") $*: $n alerts"
		sed 's/^/  stderr: /' "$work/err" | head -5
		fail=$((fail + 1))
	fi
}

OPS="--var MODBUS_OPERATORS=192.0.2.1"

# S7comm
check 9100001 fire  "$S/s7comm/gymgit_snap7_s300_stop.pcapng"
check 9100001 quiet "$S/s7comm/gymgit_snap7_s300_readVar.pcapng"
check 9100002 fire  "$S/s7comm/gymgit_snap7_s300_everything.pcapng"
check 9100002 quiet "$S/s7comm/gymgit_snap7_s300_stop.pcapng"
check 9100003 fire  "$S/s7comm/gymgit_tia_s300_downloadOb1.pcapng"
check 9100003 fire  "$P/plant_attack_s7_download.pcap"
check 9100003 quiet "$S/s7comm/gymgit_snap7_s300_everything.pcapng"
check 9100004 fire  "$S/s7comm/gymgit_snap7_s300_everything.pcapng"
check 9100004 quiet "$S/s7comm/gymgit_tia_s300_downloadOb1.pcapng"
check 9100005 fire  "$S/s7comm/gymgit_tia_s300_downloadHwConfig.pcapng"
check 9100005 quiet "$S/s7comm/gymgit_tia_s300_downloadOb1.pcapng"
check 9100006 fire  "$S/s7comm/gymgit_step7_s300_copyRamToRom.pcapng"
check 9100006 quiet "$S/s7comm/gymgit_tia_s300_downloadHwConfig.pcapng"
check 9100007 fire  "$S/s7comm/gymgit_step7_s300_AuthPassword.pcapng"
check 9100007 quiet "$S/s7comm/gymgit_tia_s300_goOnline.pcapng"
check 9100008 fire  "$S/s7comm/gymgit_snap7_s300_everything.pcapng"
check 9100008 quiet "$S/s7comm/gymgit_step7_s300_copyRamToRom.pcapng"
check 9100009 fire  "$S/s7comm/gymgit_tia_s300_downloadOb1.pcapng"
check 9100009 quiet "$S/s7comm/gymgit_snap7_s300_stop.pcapng"
check 9100010 fire  "$S/s7comm/wsk_s7comm_reading_setting_plc_time.pcap"
check 9100010 quiet "$S/s7comm/gymgit_tia_s300_downloadOb1.pcapng"

# DNP3
check 9200001 fire  "$S/dnp3/iti_cold_restart_and_response.pcap"
check 9200001 fire  "$P/plant_attack_dnp3_cold_restart.pcap"
check 9200001 quiet "$S/dnp3/zeek_dnp3_read.pcap"
check 9200002 fire  "$S/dnp3/iti_warm_restart_and_response.pcap"
check 9200002 quiet "$S/dnp3/iti_cold_restart_and_response.pcap"
check 9200003 fire  "$S/dnp3/db_dnp3_test_data_part1.pcap"
check 9200003 quiet "$S/dnp3/emre_DNP3Value.pcap"
check 9200004 fire  "$S/dnp3/iti_disable_unsolcited_and_response.pcap"
check 9200004 quiet "$S/dnp3/iti_enable_unsolicited_and_response.pcap"
check 9200005 fire  "$S/dnp3/zeek_dnp3_file_read.pcap"
check 9200005 quiet "$S/dnp3/zeek_dnp3_file_del.pcap"
check 9200006 fire  "$S/dnp3/zeek_dnp3_file_write.pcap"
check 9200006 quiet "$S/dnp3/zeek_dnp3_write.pcap"
check 9200007 fire  "$S/dnp3/zeek_dnp3_file_del.pcap"
check 9200007 quiet "$S/dnp3/zeek_dnp3_file_write.pcap"
check 9200008 fire  "$S/dnp3/iti_directoperate_and_response.pcap"
check 9200008 fire  "$P/plant_attack_dnp3_direct_operate_new_master.pcap"
check 9200008 quiet "$S/dnp3/zeek_dnp3_select_operate.pcap"
check 9200009 fire  "$S/dnp3/iti_direct_operate_no_ack_crob.pcap"
check 9200009 quiet "$S/dnp3/iti_directoperate_and_response.pcap"
check 9200010 fire  "$S/dnp3/zeek_dnp3_select_operate.pcap"
check 9200010 quiet "$S/dnp3/iti_directoperate_and_response.pcap"
check 9200011 fire  "$S/dnp3/zeek_dnp3_select_operate.pcap"
check 9200011 quiet "$S/dnp3/iti_directoperate_and_response.pcap"
check 9200012 fire  "$S/dnp3/zeek_dnp3_write.pcap"
check 9200012 quiet "$S/dnp3/iti_lan_time_sync.pcap"
check 9200013 fire  "$S/dnp3/iti_lan_time_sync.pcap"
check 9200013 quiet "$S/dnp3/zeek_dnp3_write.pcap"
check 9200016 fire  "$S/dnp3/emre_DNP3Value.pcap"
check 9200016 quiet "$S/dnp3/iti_directoperate_and_response.pcap"
check 9200017 quiet "$S/dnp3/iti_direct_operate_no_ack_crob.pcap"
check 9200018 quiet "$S/dnp3/zeek_dnp3_select_operate.pcap"
check 9200019 quiet "$S/dnp3/zeek_dnp3_select_operate.pcap"
check 9200020 quiet "$S/dnp3/db_dnp3_test_data_part1.pcap"
check 9200021 quiet "$S/dnp3/db_dnp3_test_data_part1.pcap"
check 9200022 quiet "$S/dnp3/iti_cold_restart_and_response.pcap"
check 9200023 quiet "$S/dnp3/zeek_dnp3_write.pcap"
check 9200024 quiet "$S/dnp3/zeek_dnp3_file_write.pcap"
check 9200014 quiet "$S/dnp3/iti_auth_change_session_keys.pcap"
check 9200015 quiet "$S/dnp3/iti_auth_change_session_keys.pcap"

# Modbus
check 9300001 fire  "$S/modbus/db_modbus_test_data_part1.pcap"
check 9300001 quiet "$S/modbus/icsnpp_modbus_example.pcap"
check 9300002 fire  "$S/modbus/db_modbus_test_data_part1.pcap"
check 9300002 quiet "$S/modbus/icsnpp_modbus_example.pcap"
check 9300003 fire  "$S/modbus/zeek_modbus-and-non-modbus-p502.pcap" $OPS
check 9300003 quiet "$S/modbus/zeek_modbus-and-non-modbus-p502.pcap"
check 9300003 quiet "$S/modbus/ndpi_modbus.pcap" $OPS
check 9300004 fire  "$S/modbus/iti_modbus_test.pcap" $OPS
check 9300004 quiet "$S/modbus/iti_modbus_test.pcap"
check 9300004 quiet "$S/modbus/zeek_modbusSmall.pcap" $OPS
check 9300005 fire  "$S/modbus/wsk_modbus-encapsulated-transport.pcap" $OPS
check 9300005 fire  "$P/plant_attack_external_modbus.pcap" $OPS
check 9300005 quiet "$S/modbus/wsk_modbus-encapsulated-transport.pcap"
check 9300006 quiet "$S/modbus/iti_modicon_test.pcap"
check 9300006 quiet "$S/modbus/zeek_modbus-and-non-modbus-p502.pcap"
check 9300007 quiet "$S/modbus/zeek_modbus-and-non-modbus-p502.pcap" $OPS
check 9300008 fire  "$S/modbus/db_modbus_test_data_part1.pcap"
check 9300008 quiet "$S/modbus/icsnpp_modbus_example.pcap"
# UMAS: a real M340 program download session (tshark has no UMAS
# dissector; the function table is checked by check_modbus and here)
check 9300011 fire  "$S/modbus/iti_modicon_test.pcap"
check 9300011 fire  "$P/plant_attack_umas_download.pcap"
check 9300011 quiet "$S/modbus/db_modbus_test_data_part2.pcap"
check 9300009 fire  "$P/plant_attack_umas_stop.pcap"
check 9300009 quiet "$S/modbus/iti_modicon_test.pcap"
check 9300009 quiet "$P/plant_attack_umas_download.pcap"
check 9300010 quiet "$S/modbus/iti_modicon_test.pcap"
check 9300012 quiet "$S/modbus/iti_modicon_test.pcap"
check 9300013 quiet "$S/modbus/iti_modicon_test.pcap" $OPS

# OT protocols with external addresses (HOME_NET narrowed to make one)
check 9400001 fire  "$P/plant_attack_external_modbus.pcap"
check 9400001 quiet "$P/plant_normal.pcap"
check 9400002 quiet "$S/dnp3/iti_cold_restart_and_response.pcap"
check 9400003 fire  "$S/s7comm/gymgit_snap7_s300_stop.pcapng"
check 9400003 quiet "$P/plant_attack_s7_stop.pcap"
check 9400004 fire  "$S/s7comm/iti_S7-1200-Uploading-OB1-TIAV12.pcap" --var HOME_NET=10.0.0.0/8
check 9400004 quiet "$S/s7comm/iti_S7-1200-Uploading-OB1-TIAV12.pcap"

# EtherNet/IP + CIP
check 9500001 fire  "$P/plant_attack_enip_identity_reset.pcap"
check 9500001 quiet "$P/plant_normal.pcap"
check 9500001 quiet "$S/enip/iti_cip_stop_plc.pcap"
check 9500001 quiet "$S/enip/db_CL5000EIP-Software-Download.pcap"
check 9500002 fire  "$S/enip/iti_cip_stop_plc.pcap"
check 9500002 fire  "$S/enip/db_CL5000EIP-Remote-Mode-Change-Attempt.pcap"
check 9500002 quiet "$S/enip/iti_cip_start_plc.pcap"
check 9500003 fire  "$S/enip/iti_cip_start_plc.pcap"
check 9500003 quiet "$S/enip/iti_cip_stop_plc.pcap"
check 9500004 fire  "$S/enip/db_CL5000EIP-Software-Download.pcap"
check 9500004 quiet "$S/enip/db_CL5000EIP-Software-Upload.pcap"
check 9500005 fire  "$S/enip/icsnpp_set_attribute_single_service_cip.pcapng" --var CIP_OPERATORS=192.0.2.1
check 9500005 quiet "$S/enip/icsnpp_set_attribute_single_service_cip.pcapng"
check 9500005 quiet "$S/enip/iti_cip-eth-set-2.pcap" --var CIP_OPERATORS=192.0.2.1
check 9500006 fire  "$S/enip/emre_cip_cotp_proces.pcap" --var CIP_OPERATORS=192.0.2.1
check 9500006 quiet "$S/enip/emre_cip_cotp_proces.pcap"
# the plant: the rogue host writes Speed_SP; hmi1's own Speed_SP writes
# (every 120 s in the normal capture) come from an operator
check 9500006 fire  "$P/plant_attack_enip_unauthorised_tag_write.pcap" --var CIP_OPERATORS=10.10.1.10
check 9500006 quiet "$P/plant_attack_enip_unauthorised_tag_write.pcap" --var CIP_OPERATORS=[10.10.1.10,10.10.1.77]
check 9500006 quiet "$P/plant_normal.pcap" --var CIP_OPERATORS=10.10.1.10
check 9500007 quiet "$S/enip/sv_enip_test1.pcap"
# the plant: a new host sends ListIdentity to 13 addresses in under a
# second; hmi1 asks the three EtherNet/IP devices every 300 s
check 9500007 fire  "$P/plant_attack_enip_list_identity_sweep.pcap"
check 9500007 quiet "$P/plant_normal.pcap"
# IEC 104 (the master of the emre captures is 192.168.1.75)
I104="--var IEC104_CONTROLLING=192.0.2.1"
check 9600001 quiet "$S/iec104/emre_58_59.pcap"
check 9600002 fire  "$S/iec104/emre_58_59.pcap" $I104
check 9600002 fire  "$S/iec104/emre_50.pcap" $I104
check 9600002 quiet "$S/iec104/emre_58_59.pcap"
check 9600002 quiet "$S/iec104/emre_58_59.pcap" --var IEC104_CONTROLLING=192.168.1.75
check 9600003 fire  "$S/iec104/emre_104deneme2.pcap" $I104
check 9600003 quiet "$S/iec104/emre_104deneme2.pcap"
check 9600003 quiet "$S/iec104/emre_58_59.pcap" $I104
check 9600004 fire  "$S/iec104/iti_TestDissectIec104.pcap" $I104
check 9600004 quiet "$S/iec104/iti_TestDissectIec104.pcap"
check 9600004 quiet "$P/plant_normal.pcap" --var IEC104_CONTROLLING=10.10.1.21
check 9600004 fire  "$P/plant_normal.pcap" $I104
check 9600001 fire  "$P/plant_attack_iec104_reset_process.pcap"
check 9600001 quiet "$P/plant_normal.pcap"
check 9600004 quiet "$S/iec104/emre_50.pcap"
check 9600005 quiet "$S/iec104/iti_090813_diverse.pcap"
check 9600006 quiet "$S/iec104/iti_JavaRMI_and_IEC_Misc.pcap"

if [ "$have_t2p" = 1 ]; then
	check 9500001 fire  "$work/enip_identity_reset.pcap"
	check 9500007 fire  "$work/enip_li_sweep.pcap"
	check 9300006 fire  "$work/mb_broadcast.pcap"
	check 9200014 fire  "$work/dnp3_auth_err.pcap"
	check 9200015 fire  "$work/dnp3_auth_err_obj.pcap"
	check 9400002 fire  "$work/dnp3_external.pcap"
	check 9600001 fire  "$work/iec104_reset.pcap"
	check 9600005 fire  "$work/iec104_file.pcap"
	check 9600006 fire  "$work/iec104_stopdt.pcap"
	check 9600005 quiet "$work/iec104_reset.pcap"
	check 9300007 fire  "$work/mb_write_file.pcap" $OPS
	check 9300007 quiet "$work/mb_write_file.pcap"
	check 9300009 fire  "$work/umas_stop.pcap"
	check 9300010 fire  "$work/umas_start.pcap"
	check 9300010 quiet "$work/umas_stop.pcap"
	check 9300012 fire  "$work/umas_upload.pcap"
	check 9300013 fire  "$work/umas_write_vars.pcap" $OPS
	check 9300013 quiet "$work/umas_write_vars.pcap"
	check 9200017 fire  "$work/dnp3_do_nr_g41.pcap"
	check 9200016 quiet "$work/dnp3_do_nr_g41.pcap"
	check 9200018 fire  "$work/dnp3_select_g41.pcap"
	check 9200019 fire  "$work/dnp3_operate_g41.pcap"
	check 9200019 quiet "$work/dnp3_select_g41.pcap"
	check 9200020 fire  "$work/dnp3_start_appl.pcap"
	check 9200020 quiet "$work/dnp3_init_appl.pcap"
	check 9200021 fire  "$work/dnp3_init_appl.pcap"
	check 9200022 fire  "$work/dnp3_init_data.pcap"
	check 9200023 fire  "$work/dnp3_save_config.pcap"
	check 9200024 fire  "$work/dnp3_activate_config.pcap"
else
	echo "SKIP built captures: text2pcap not installed"
	skip=$((skip + 30))
fi

# Site variables: unset, their rules wait and are listed on standard error
# and in the stats event; a var line in the configuration file loads them.
if [ "$have_t2p" = 1 ]; then
	printf 'var MODBUS_OPERATORS=192.0.2.1\n' > "$work/site.conf"
	check 9300007 fire  "$work/mb_write_file.pcap" --config "$work/site.conf"
	"$bin" --no-flow-log -r "$work/mb_write_file.pcap" --config none >"$work/out.json" 2>"$work/err"
	if grep -q '^otsentry: [0-9]* rules wait for \$MODBUS_OPERATORS (.*): .*9300007' "$work/err" &&
		grep '"event_type":"stats"' "$work/out.json" | tail -n 1 |
		grep -q '"waiting_for_vars":\[.*{"sid":9300007,"var":"MODBUS_OPERATORS"}'; then
		pass=$((pass + 1))
	else
		echo "FAIL waiting rules not listed on stderr and in the stats event"
		head -5 "$work/err"
		fail=$((fail + 1))
	fi
fi

# Every shipped rule has a fire check above and a quiet one.
for sid in $(sed -n 's/.*sid:\([0-9]*\);.*/\1/p' "$top_src"/rules/*.rules); do
	for want in fire quiet; do
		if ! grep -q "^[[:space:]]*check $sid $want " "$0"; then
			echo "FAIL sid $sid has no $want check"
			fail=$((fail + 1))
		fi
	done
done

echo "rules_fire: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
