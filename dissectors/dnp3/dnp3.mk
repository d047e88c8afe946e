# dissectors/dnp3/dnp3.mk - DNP3 dissector, its tests, fuzz target and manual page.
libots_dissectors_a_SOURCES += dissectors/dnp3/dnp3.h dissectors/dnp3/dnp3.c dissectors/dnp3/dnp3_objects.c \
	dissectors/dnp3/dnp3_names.c dissectors/dnp3/dnp3_log.c dissectors/dnp3/dnp3_rules.c

check_PROGRAMS += tests/unit/check_dnp3
tests_unit_check_dnp3_SOURCES = tests/unit/check_dnp3.c
tests_unit_check_dnp3_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_dnp3_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_dnp3 tests/oracle/oracle_dnp3.sh
EXTRA_DIST += tests/oracle/oracle_dnp3.sh

dist_man_MANS += man/otsentry-dnp3.7

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_dnp3
tests_fuzz_fuzz_dnp3_SOURCES = tests/fuzz/fuzz_dnp3.c
tests_fuzz_fuzz_dnp3_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dnp3_LDADD = $(OTS_LIBS)
endif
