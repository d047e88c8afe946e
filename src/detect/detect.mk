# src/detect/detect.mk - detection: the learned baseline, the rules engine
# and the shipped rules, alerts.
libots_detect_a_SOURCES += \
	src/detect/baseline.h src/detect/baseline_int.h src/detect/baseline.c src/detect/baseline_io.c

check_PROGRAMS += tests/unit/check_baseline
tests_unit_check_baseline_SOURCES = tests/unit/check_baseline.c
tests_unit_check_baseline_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_baseline_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_baseline tests/e2e/e2e_detect.sh tests/e2e/learn_save.sh

check_PROGRAMS += tests/unit/check_baseline_load
tests_unit_check_baseline_load_SOURCES = tests/unit/check_baseline_load.c
tests_unit_check_baseline_load_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_baseline_load_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_baseline_load
EXTRA_DIST += tests/e2e/e2e_detect.sh tests/e2e/learn_save.sh

# The quiet side: learn on the first half of real captures, detect on the
# rest, alerts per hour per kind (three plant captures here, with a budget;
# make quiet-side runs every long capture of the shared corpus).
TESTS += tests/e2e/quiet_side.sh
EXTRA_DIST += tests/e2e/quiet_side.sh
quiet-side: src/otsentry$(EXEEXT)
	OTS_TOP_SRCDIR='$(abs_top_srcdir)' OTS_TOP_BUILDDIR='$(abs_top_builddir)' \
		OTS_SHARED_PCAPS="$${OTS_SHARED_PCAPS:-$(abs_top_srcdir)/../shared/pcaps}" \
		QUIET_FULL=1 $(srcdir)/tests/e2e/quiet_side.sh
.PHONY: quiet-side
dist_man_MANS += man/otsentry-baseline.5

libots_detect_a_SOURCES += \
	src/detect/alert.h src/detect/alert.c \
	src/detect/rules.h src/detect/rules_int.h src/detect/rule_parse.c src/detect/rules.c

# Where the default rule set is found (see rules_default_path()).
OTS_CPPFLAGS_RULES = -DOTS_RULESDIR='"$(pkgdatadir)/rules"' \
	-DOTS_BUILDDIR='"$(abs_top_builddir)"'
AM_CPPFLAGS += $(OTS_CPPFLAGS_RULES)
libots_detect_a_CPPFLAGS += $(OTS_CPPFLAGS_RULES)

dist_otsrules_DATA += \
	rules/s7comm.rules rules/dnp3.rules rules/modbus.rules \
	rules/ot-external.rules

check_PROGRAMS += tests/unit/check_alert
tests_unit_check_alert_SOURCES = tests/unit/check_alert.c
tests_unit_check_alert_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_alert_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_alert

check_PROGRAMS += tests/unit/check_rules
tests_unit_check_rules_SOURCES = tests/unit/check_rules.c
tests_unit_check_rules_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_rules_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_rules


# Shipped rules: each fires on a capture with its operation, quiet without.
TESTS += tests/e2e/rules_fire.sh
EXTRA_DIST += tests/e2e/rules_fire.sh
dist_man_MANS += man/otsentry-rules.5

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_rules
tests_fuzz_fuzz_rules_SOURCES = tests/fuzz/fuzz_rules.c
tests_fuzz_fuzz_rules_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_rules_LDADD = $(OTS_LIBS)
endif
