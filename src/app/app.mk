# src/app/app.mk - the program: options, the capture loop, main; its
# end-to-end tests, golden files and benchmark.
libots_app_a_SOURCES += \
	src/app/options.h src/app/options.c \
	src/app/wiring.h src/app/wiring.c \
	src/app/capture.h src/app/capture.c \
	src/app/conffile.h src/app/conffile.c \
	src/app/privdrop.h src/app/privdrop.c \
	src/app/progress.h src/app/progress.c \
	src/app/merge_cmd.h src/app/merge_cmd.c

OTS_CPPFLAGS_APP = $(CAPNG_CFLAGS) \
	-DOTS_CONFIG_FILE='"$(sysconfdir)/otsentry/otsentry.conf"'
AM_CPPFLAGS += $(OTS_CPPFLAGS_APP)
libots_app_a_CPPFLAGS += $(OTS_CPPFLAGS_APP)

TESTS += tests/e2e/e2e_flows.sh

# The exit status rule of otsentry(8), one case per cause.
TESTS += tests/e2e/exit_status.sh
EXTRA_DIST += tests/e2e/exit_status.sh
EXTRA_DIST += tests/e2e/e2e_flows.sh tests/e2e/e2e_flows.expected

dist_man_MANS += man/otsentry.8

# Benchmark: otsentry against a bare libpcap read loop (make bench).
noinst_PROGRAMS += bench/pcap_read bench/rusage
bench_pcap_read_SOURCES = bench/pcap_read.c
bench_pcap_read_LDADD = $(PCAP_LIBS)
bench_rusage_SOURCES = bench/rusage.c
EXTRA_DIST += bench/bench.sh quickstart.sh

bench: src/otsentry$(EXEEXT) bench/pcap_read$(EXEEXT) bench/rusage$(EXEEXT)
	OTS_SHARED_PCAPS="$${OTS_SHARED_PCAPS:-$(abs_top_srcdir)/../shared/pcaps}" \
		$(srcdir)/bench/bench.sh $(abs_top_builddir)
.PHONY: bench

# Capture archives: directories of rotated, compressed captures of two
# ports against the mergecap'ed file; the progress line under script(1).
TESTS += tests/e2e/archive.sh
EXTRA_DIST += tests/e2e/archive.sh

TESTS += tests/e2e/anomaly_cap.sh
EXTRA_DIST += tests/e2e/anomaly_cap.sh

# Golden EVE files over the bundled captures (tests/golden/golden.sh).
TESTS += tests/golden/golden.sh
EXTRA_DIST += tests/golden/golden.sh tests/golden/shared_snapshot.sh \
	$(patsubst $(srcdir)/%,%,$(wildcard $(srcdir)/tests/golden/*.json))
golden: src/otsentry$(EXEEXT)
	OTS_TOP_BUILDDIR='$(abs_top_builddir)' OTS_TOP_SRCDIR='$(abs_top_srcdir)' \
		$(srcdir)/tests/golden/golden.sh regen
.PHONY: golden

# The service: systemd unit, account, directories, log rotation and an
# example configuration (see otsentry(8), RUNNING AS A SERVICE).
SERVICE_FILES = src/app/service/otsentry.service.in src/app/service/otsentry.sysusers \
	src/app/service/otsentry.tmpfiles src/app/service/otsentry.logrotate \
	src/app/service/otsentry.conf
EXTRA_DIST += $(SERVICE_FILES) tests/e2e/service.sh
noinst_DATA = src/app/service/otsentry.service
CLEANFILES += src/app/service/otsentry.service
src/app/service/otsentry.service: $(srcdir)/src/app/service/otsentry.service.in Makefile
	@$(MKDIR_P) src/app/service
	$(AM_V_GEN)sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(srcdir)/src/app/service/otsentry.service.in > $@.tmp && mv $@.tmp $@

install-data-local:
	@$(MKDIR_P) src/app/service
	$(MKDIR_P) '$(DESTDIR)$(SYSTEMD_UNITDIR)' '$(DESTDIR)$(prefix)/lib/sysusers.d' \
		'$(DESTDIR)$(prefix)/lib/tmpfiles.d' '$(DESTDIR)$(sysconfdir)/logrotate.d' \
		'$(DESTDIR)$(sysconfdir)/otsentry'
	sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(srcdir)/src/app/service/otsentry.service.in > src/app/service/otsentry.service.inst
	$(INSTALL_DATA) src/app/service/otsentry.service.inst '$(DESTDIR)$(SYSTEMD_UNITDIR)/otsentry.service'
	rm -f src/app/service/otsentry.service.inst
	$(INSTALL_DATA) $(srcdir)/src/app/service/otsentry.sysusers '$(DESTDIR)$(prefix)/lib/sysusers.d/otsentry.conf'
	$(INSTALL_DATA) $(srcdir)/src/app/service/otsentry.tmpfiles '$(DESTDIR)$(prefix)/lib/tmpfiles.d/otsentry.conf'
	$(INSTALL_DATA) $(srcdir)/src/app/service/otsentry.logrotate '$(DESTDIR)$(sysconfdir)/logrotate.d/otsentry'
	test -f '$(DESTDIR)$(sysconfdir)/otsentry/otsentry.conf' || \
		$(INSTALL_DATA) $(srcdir)/src/app/service/otsentry.conf '$(DESTDIR)$(sysconfdir)/otsentry/otsentry.conf'

uninstall-local:
	rm -f '$(DESTDIR)$(SYSTEMD_UNITDIR)/otsentry.service' \
		'$(DESTDIR)$(prefix)/lib/sysusers.d/otsentry.conf' \
		'$(DESTDIR)$(prefix)/lib/tmpfiles.d/otsentry.conf' \
		'$(DESTDIR)$(sysconfdir)/logrotate.d/otsentry'
	cmp -s $(srcdir)/src/app/service/otsentry.conf '$(DESTDIR)$(sysconfdir)/otsentry/otsentry.conf' && \
		rm -f '$(DESTDIR)$(sysconfdir)/otsentry/otsentry.conf' || true

TESTS += tests/e2e/service.sh
