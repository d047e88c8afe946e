# src/rules.mk - alert output, rules engine, shipped rules, SIEM sinks.
libotsentry_a_SOURCES += \
	src/alert.h src/alert.c

check_PROGRAMS += tests/check_alert
tests_check_alert_SOURCES = tests/check_alert.c
tests_check_alert_CFLAGS = $(CHECK_CFLAGS_)
tests_check_alert_LDADD = $(CHECK_LDADD)
TESTS += tests/check_alert
