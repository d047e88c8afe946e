# src/baseline.mk - the learned baseline and its anomaly alerts.
libotsentry_a_SOURCES += \
	src/baseline.h src/baseline_int.h src/baseline.c src/baseline_io.c

check_PROGRAMS += tests/check_baseline
tests_check_baseline_SOURCES = tests/check_baseline.c
tests_check_baseline_CFLAGS = $(CHECK_CFLAGS_)
tests_check_baseline_LDADD = $(CHECK_LDADD)
TESTS += tests/check_baseline tests/e2e_detect.sh
EXTRA_DIST += tests/e2e_detect.sh
dist_man_MANS += man/otsentry-baseline.5
