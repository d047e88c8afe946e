# src/core.mk - capture, decode, EVE output, sensor pipeline, main.
libotsentry_a_SOURCES += \
	src/options.h src/options.c \
	src/addr.c \
	src/decode.h src/decode.c \
	src/frag.h src/frag.c \
	src/eve.c \
	src/capture.h src/capture.c \
	src/sensor.c \
	src/protolog.h src/protolog.c

check_PROGRAMS += tests/check_decode
tests_check_decode_SOURCES = tests/check_decode.c
tests_check_decode_CFLAGS = $(CHECK_CFLAGS_)
tests_check_decode_LDADD = $(CHECK_LDADD)
TESTS += tests/check_decode

check_PROGRAMS += tests/check_eve
tests_check_eve_SOURCES = tests/check_eve.c
tests_check_eve_CFLAGS = $(CHECK_CFLAGS_)
tests_check_eve_LDADD = $(CHECK_LDADD)
TESTS += tests/check_eve

TESTS += tests/e2e_flows.sh
EXTRA_DIST += tests/e2e_flows.sh tests/e2e_flows.expected

check_PROGRAMS += tests/check_sensor
tests_check_sensor_SOURCES = tests/check_sensor.c
tests_check_sensor_CFLAGS = $(CHECK_CFLAGS_)
tests_check_sensor_LDADD = $(CHECK_LDADD)
TESTS += tests/check_sensor

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

if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_packets
tests_fuzz_fuzz_packets_SOURCES = tests/fuzz/fuzz_packets.c
tests_fuzz_fuzz_packets_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_packets_LDADD = $(OTS_LIBS)
endif

TESTS += tests/anomaly_cap.sh
EXTRA_DIST += tests/anomaly_cap.sh

# Golden EVE files over the bundled captures (tests/golden/golden.sh).
TESTS += tests/golden/golden.sh
EXTRA_DIST += tests/golden/golden.sh tests/golden/shared_snapshot.sh tests/golden/*.json
golden: src/otsentry$(EXEEXT)
	OTS_TOP_BUILDDIR='$(abs_top_builddir)' OTS_TOP_SRCDIR='$(abs_top_srcdir)' \
		$(srcdir)/tests/golden/golden.sh regen
.PHONY: golden
