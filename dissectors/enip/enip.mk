# dissectors/enip/enip.mk - EtherNet/IP + CIP dissector, its tests, fuzz target and manual.
libots_dissectors_a_SOURCES += dissectors/enip/enip.h dissectors/enip/enip_parse.c \
	dissectors/enip/enip_names.c dissectors/enip/enip_log.c dissectors/enip/enip_rules.c

check_PROGRAMS += tests/unit/check_enip
tests_unit_check_enip_SOURCES = tests/unit/check_enip.c
tests_unit_check_enip_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dissectors/enip
tests_unit_check_enip_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_enip_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_enip tests/oracle/oracle_enip.sh
EXTRA_DIST += tests/oracle/oracle_enip.sh

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_enip
tests_fuzz_fuzz_enip_SOURCES = tests/fuzz/fuzz_enip.c
tests_fuzz_fuzz_enip_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dissectors/enip
tests_fuzz_fuzz_enip_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_enip_LDADD = $(OTS_LIBS)
endif

dist_otsrules_DATA += rules/enip.rules
dist_man_MANS += man/otsentry-enip.7
