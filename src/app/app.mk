# src/app/app.mk - the program: options, the capture loop, main; its
# end-to-end tests, golden files and benchmark.
libotsentry_a_SOURCES += \
	src/app/options.h src/app/options.c \
	src/app/capture.h src/app/capture.c

TESTS += tests/e2e/e2e_flows.sh
EXTRA_DIST += tests/e2e/e2e_flows.sh tests/e2e/e2e_flows.expected

dist_man_MANS += man/otsentry.8

# Benchmark: otsentry against a bare libpcap read loop (make bench).
noinst_PROGRAMS += bench/pcap_read
bench_pcap_read_SOURCES = bench/pcap_read.c
bench_pcap_read_LDADD = $(PCAP_LIBS)
EXTRA_DIST += bench/bench.sh quickstart.sh

bench: src/otsentry$(EXEEXT) bench/pcap_read$(EXEEXT)
	OTS_SHARED_PCAPS="$${OTS_SHARED_PCAPS:-$(abs_top_srcdir)/../shared/pcaps}" \
		$(srcdir)/bench/bench.sh $(abs_top_builddir)
.PHONY: bench

TESTS += tests/e2e/anomaly_cap.sh
EXTRA_DIST += tests/e2e/anomaly_cap.sh

# Golden EVE files over the bundled captures (tests/golden/golden.sh).
TESTS += tests/golden/golden.sh
EXTRA_DIST += tests/golden/golden.sh tests/golden/shared_snapshot.sh tests/golden/*.json
golden: src/otsentry$(EXEEXT)
	OTS_TOP_BUILDDIR='$(abs_top_builddir)' OTS_TOP_SRCDIR='$(abs_top_srcdir)' \
		$(srcdir)/tests/golden/golden.sh regen
.PHONY: golden
