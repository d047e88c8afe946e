# src/lib/lib.mk - small helpers every layer may use: addresses as text.
libotsentry_a_SOURCES += src/lib/addr.h src/lib/addr.c

# The streaming JSON writer and the one bytes -> JSON-text rule.
libotsentry_a_SOURCES += src/lib/jw.h src/lib/jw.c

check_PROGRAMS += tests/unit/check_jw
tests_unit_check_jw_SOURCES = tests/unit/check_jw.c
tests_unit_check_jw_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_jw_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_jw
