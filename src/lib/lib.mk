# src/lib/lib.mk - small helpers every layer may use: addresses, the
# intrusive list, hashing, random seeds, growable buffers, atomic file
# writes.
libots_lib_a_SOURCES += \
	src/lib/addr.h src/lib/addr.c \
	src/lib/list.h \
	src/lib/hash.h src/lib/hash.c \
	src/lib/seed.h src/lib/seed.c \
	src/lib/buf.h src/lib/buf.c \
	src/lib/table_mem.h src/lib/table_mem.c \
	src/lib/atomicfile.h src/lib/atomicfile.c

check_PROGRAMS += tests/unit/check_lib
tests_unit_check_lib_SOURCES = tests/unit/check_lib.c
tests_unit_check_lib_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_lib_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_lib

# The streaming JSON writer and the one bytes -> JSON-text rule.
libots_lib_a_SOURCES += src/lib/jw.h src/lib/jw.c src/lib/jtext.h src/lib/jtext.c

check_PROGRAMS += tests/unit/check_jw
tests_unit_check_jw_SOURCES = tests/unit/check_jw.c
tests_unit_check_jw_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_jw_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_jw
