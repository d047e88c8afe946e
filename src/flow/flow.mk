# src/flow/flow.mk - flow table, TCP reassembly, nDPI labels, dissector hand-off.
libots_flow_a_SOURCES += \
	src/flow/flow.h src/flow/flow.c \
	src/flow/stream.h src/flow/stream.c \
	src/flow/classify.h src/flow/classify.c \
	src/flow/applayer.h src/flow/applayer.c

check_PROGRAMS += tests/unit/check_stream tests/unit/check_flow tests/unit/check_applayer
tests_unit_check_stream_SOURCES = tests/unit/check_stream.c
tests_unit_check_stream_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_stream_LDADD = $(CHECK_LDADD)
tests_unit_check_flow_SOURCES = tests/unit/check_flow.c
tests_unit_check_flow_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_flow_LDADD = $(CHECK_LDADD)
tests_unit_check_applayer_SOURCES = tests/unit/check_applayer.c
tests_unit_check_applayer_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_applayer_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_stream tests/unit/check_flow tests/unit/check_applayer

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_stream tests/fuzz/fuzz_flow
tests_fuzz_fuzz_stream_SOURCES = tests/fuzz/fuzz_stream.c
tests_fuzz_fuzz_stream_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_stream_LDADD = $(OTS_LIBS)
tests_fuzz_fuzz_flow_SOURCES = tests/fuzz/fuzz_flow.c
tests_fuzz_fuzz_flow_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_flow_LDADD = $(OTS_LIBS)
endif

# otsgen's transport scenarios end to end (tools/gen_stream.c)
TESTS += tests/e2e/stream_attacks.sh
EXTRA_DIST += tests/e2e/stream_attacks.sh
