# dissectors/s7comm/s7comm.mk - S7comm / S7comm-plus dissector, its tests, fuzz target and manual.
libots_dissectors_a_SOURCES += dissectors/s7comm/s7comm.h dissectors/s7comm/s7comm_parse.c dissectors/s7comm/s7comm_szl.c \
	dissectors/s7comm/s7comm_util.c dissectors/s7comm/s7comm_names.c dissectors/s7comm/s7comm_log.c \
	dissectors/s7comm/s7comm_rules.c

check_PROGRAMS += tests/unit/check_s7comm
tests_unit_check_s7comm_SOURCES = tests/unit/check_s7comm.c
tests_unit_check_s7comm_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_s7comm_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_s7comm tests/oracle/oracle_s7comm.sh
EXTRA_DIST += tests/oracle/oracle_s7comm.sh

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_s7comm
tests_fuzz_fuzz_s7comm_SOURCES = tests/fuzz/fuzz_s7comm.c
tests_fuzz_fuzz_s7comm_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_s7comm_LDADD = $(OTS_LIBS)
endif

dist_man_MANS += man/otsentry-s7comm.7
