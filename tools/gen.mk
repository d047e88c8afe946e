# tools/gen.mk - otsgen, the plant traffic generator, and the bundled
# captures it writes into pcaps/ (see pcaps/README.md).

noinst_PROGRAMS += tools/otsgen
tools_otsgen_SOURCES = tools/otsgen.c tools/gen_plant.c tools/gen_attack.c \
	tools/gen_stream.c tools/gen_wire.c tools/gen_proto.c tools/gen_iec104.c tools/gen_enip.c tools/gen.h tools/gen_plant.h \
	tools/gen_stream.h tools/gen_enip.h
tools_otsgen_CFLAGS = $(AM_CFLAGS) -Wfloat-conversion
tools_otsgen_LDADD = $(PCAP_LIBS) $(JANSSON_LIBS)

GEN_SCENARIOS = scan unauthorized_write polling_change value_out_of_range \
	identity_change s7_stop s7_download dnp3_cold_restart \
	dnp3_direct_operate_new_master external_modbus lateral_movement \
	iec104_rogue_command iec104_reset_process iec104_interrogation_sweep \
	iec104_gi_flood iec104_injected_iframe \
	enip_identity_reset enip_rogue_forward_open enip_set_attribute enip_io_silent \
	enip_rpi_change enip_list_identity_sweep enip_unauthorised_tag_write \
	umas_download umas_stop
GEN_PCAPS = pcaps/plant_normal.pcap pcaps/plant_normal.truth.json \
	$(foreach s,$(GEN_SCENARIOS),pcaps/plant_attack_$(s).pcap pcaps/plant_attack_$(s).truth.json)

EXTRA_DIST += $(GEN_PCAPS) pcaps/README.md pcaps/otsgen.args tests/oracle/gen_tshark.sh man/otsgen.1 \
	tools/eval_labels.py

# Rebuild the bundled captures, byte for byte, from pcaps/otsgen.args.
pcaps: tools/otsgen$(EXEEXT)
	tools/otsgen$(EXEEXT) -q --scenario all `cat $(srcdir)/pcaps/otsgen.args` \
		-o $(srcdir)/pcaps
.PHONY: pcaps

TESTS += tests/oracle/gen_tshark.sh

# otsgen's building blocks against bytes from real devices.
check_PROGRAMS += tests/unit/check_gen
tests_unit_check_gen_SOURCES = tests/unit/check_gen.c tools/gen_wire.c tools/gen_proto.c tools/gen.h
tests_unit_check_gen_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_gen_LDADD = $(PCAP_LIBS) $(CHECK_LIBS)
TESTS += tests/unit/check_gen
