# dissectors/iec104/iec104.mk - IEC 60870-5-104 dissector (parser, names, log,
# rule keywords), its tests, fuzz target and manual page.
AM_CPPFLAGS += -I$(top_srcdir)/dissectors/iec104
libots_dissectors_a_SOURCES += dissectors/iec104/iec104.h \
	dissectors/iec104/iec104_parse.c dissectors/iec104/iec104_names.c \
	dissectors/iec104/iec104_log.c dissectors/iec104/iec104_rules.c

check_PROGRAMS += tests/unit/check_iec104
tests_unit_check_iec104_SOURCES = tests/unit/check_iec104.c
tests_unit_check_iec104_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_iec104_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_iec104 tests/oracle/oracle_iec104.sh
EXTRA_DIST += tests/oracle/oracle_iec104.sh

dist_man_MANS += man/otsentry-iec104.7

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_iec104
tests_fuzz_fuzz_iec104_SOURCES = tests/fuzz/fuzz_iec104.c
tests_fuzz_fuzz_iec104_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_iec104_LDADD = $(OTS_LIBS)
endif

# The shipped IEC 104 rules (otsentry-rules(5), otsentry-iec104(7)).
dist_otsrules_DATA += rules/iec104.rules
