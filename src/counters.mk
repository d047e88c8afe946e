# src/counters.mk - dissector counters in the stats event.
check_PROGRAMS += tests/check_counters
tests_check_counters_SOURCES = tests/check_counters.c
tests_check_counters_CFLAGS = $(CHECK_CFLAGS_)
tests_check_counters_LDADD = $(CHECK_LDADD)
TESTS += tests/check_counters tests/e2e_counters.sh
EXTRA_DIST += tests/e2e_counters.sh
