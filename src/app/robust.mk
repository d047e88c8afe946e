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

# --memcap under a flood of spoofed sources and unfilled holes (small here;
# make memcap-flood: 1 M sources, 200 k holes, --memcap 128M).
TESTS += tests/e2e/memcap.sh
EXTRA_DIST += tests/e2e/memcap.sh tests/e2e/rss_lib.sh
memcap-flood: src/otsentry$(EXEEXT) tests/e2e/flood_gen$(EXEEXT)
	OTS_TOP_SRCDIR='$(abs_top_srcdir)' OTS_TOP_BUILDDIR='$(abs_top_builddir)' \
		MEMCAP_SOURCES=1000000 MEMCAP_HOLES=200000 MEMCAP=128M \
		$(srcdir)/tests/e2e/memcap.sh
.PHONY: memcap-flood
