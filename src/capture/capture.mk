# src/capture/capture.mk - capture files in (directories, time-ordered merge,
# gzip and zstd), packet decoding (link layer to transport) and IPv4
# fragment reassembly.
libots_capture_a_SOURCES += \
	src/capture/pkt.h \
	src/capture/decode.h src/capture/decode.c \
	src/capture/frag.h src/capture/frag.c \
	src/capture/infile.h src/capture/infile.c \
	src/capture/pcapfile.h src/capture/pcapfile.c \
	src/capture/inputs.h src/capture/inputs.c

check_PROGRAMS += tests/unit/check_capture_input
tests_unit_check_capture_input_SOURCES = tests/unit/check_capture_input.c
tests_unit_check_capture_input_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_capture_input_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_capture_input

check_PROGRAMS += tests/unit/check_decode
tests_unit_check_decode_SOURCES = tests/unit/check_decode.c
tests_unit_check_decode_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_decode_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_decode

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_packets
tests_fuzz_fuzz_packets_SOURCES = tests/fuzz/fuzz_packets.c
tests_fuzz_fuzz_packets_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_packets_LDADD = $(OTS_LIBS)
endif
