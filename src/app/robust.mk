# src/robust.mk - robustness of the whole sensor: every capture, cut and
# corrupt inputs, bad options and files, a spoofed-source flood, and the
# whole-pipeline fuzz target.

# Every capture with every feature on; truncated and corrupt inputs; bad
# command lines and files.
TESTS += tests/e2e/robust_captures.sh
EXTRA_DIST += tests/e2e/robust_captures.sh

# Memory stays bounded under a spoofed-source flood.
check_PROGRAMS += tests/e2e/flood_gen
tests_e2e_flood_gen_SOURCES = tests/e2e/flood_gen.c
TESTS += tests/e2e/flood.sh
EXTRA_DIST += tests/e2e/flood.sh

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_pcap
tests_fuzz_fuzz_pcap_SOURCES = tests/fuzz/fuzz_pcap.c
tests_fuzz_fuzz_pcap_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_pcap_LDADD = $(OTS_LIBS)
endif
