# src/robust.mk - robustness of the whole sensor: every capture, cut and
# corrupt inputs, bad options and files, a spoofed-source flood, and the
# whole-pipeline fuzz target.

# Every capture with every feature on; truncated and corrupt inputs; bad
# command lines and files.
TESTS += tests/robust_captures.sh
EXTRA_DIST += tests/robust_captures.sh

# Memory stays bounded under a spoofed-source flood.
check_PROGRAMS += tests/flood_gen
tests_flood_gen_SOURCES = tests/flood_gen.c
TESTS += tests/flood.sh
EXTRA_DIST += tests/flood.sh

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_pcap
tests_fuzz_fuzz_pcap_SOURCES = tests/fuzz/fuzz_pcap.c
tests_fuzz_fuzz_pcap_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_pcap_LDADD = $(OTS_LIBS)
endif
