# src/rules.mk - alert output, rules engine, shipped rules, SIEM sinks.
libotsentry_a_SOURCES += \
	src/alert.h src/alert.c \
	src/rules.h src/rules_int.h src/rule_parse.c src/rules.c

# Where the default rule set is found (see rules_default_path()).
AM_CPPFLAGS += -DOTS_RULESDIR='"$(pkgdatadir)/rules"' \
	-DOTS_BUILDDIR='"$(abs_top_builddir)"'

otsrulesdir = $(pkgdatadir)/rules
dist_otsrules_DATA = \
	rules/s7comm.rules rules/dnp3.rules rules/modbus.rules \
	rules/ot-external.rules

check_PROGRAMS += tests/check_alert
tests_check_alert_SOURCES = tests/check_alert.c
tests_check_alert_CFLAGS = $(CHECK_CFLAGS_)
tests_check_alert_LDADD = $(CHECK_LDADD)
TESTS += tests/check_alert

check_PROGRAMS += tests/check_rules
tests_check_rules_SOURCES = tests/check_rules.c
tests_check_rules_CFLAGS = $(CHECK_CFLAGS_)
tests_check_rules_LDADD = $(CHECK_LDADD)
TESTS += tests/check_rules

libotsentry_a_SOURCES += src/sink.h src/sink.c

check_PROGRAMS += tests/check_sink
tests_check_sink_SOURCES = tests/check_sink.c
tests_check_sink_CFLAGS = $(CHECK_CFLAGS_)
tests_check_sink_LDADD = $(CHECK_LDADD)
TESTS += tests/check_sink

# Shipped rules: each fires on a capture with its operation, quiet without.
TESTS += tests/rules_fire.sh
EXTRA_DIST += tests/rules_fire.sh

# A real rsyslog receives the feed across a restart.
check_PROGRAMS += tests/sink_feed
tests_sink_feed_SOURCES = tests/sink_feed.c
tests_sink_feed_LDADD = $(OTS_LIBS)
TESTS += tests/syslog_rsyslog.sh
EXTRA_DIST += tests/syslog_rsyslog.sh
dist_man_MANS += man/otsentry-rules.5

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_rules
tests_fuzz_fuzz_rules_SOURCES = tests/fuzz/fuzz_rules.c
tests_fuzz_fuzz_rules_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_rules_LDADD = $(OTS_LIBS)
endif
