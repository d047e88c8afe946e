# dissectors/modbus/modbus.mk - Modbus/TCP dissector, its tests, fuzz target and manual.
libots_dissectors_a_SOURCES += dissectors/modbus/modbus.h dissectors/modbus/modbus_parse.c \
	dissectors/modbus/modbus_names.c dissectors/modbus/modbus_log.c dissectors/modbus/modbus_rules.c

check_PROGRAMS += tests/unit/check_modbus
tests_unit_check_modbus_SOURCES = tests/unit/check_modbus.c
tests_unit_check_modbus_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_modbus_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_modbus tests/oracle/oracle_modbus.sh
EXTRA_DIST += tests/oracle/oracle_modbus.sh

dist_man_MANS += man/otsentry-modbus.7

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_modbus
tests_fuzz_fuzz_modbus_SOURCES = tests/fuzz/fuzz_modbus.c
tests_fuzz_fuzz_modbus_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_modbus_LDADD = $(OTS_LIBS)
endif
