# src/output/output.mk - the EVE writer and its sinks (file, syslog, unix, tcp).
libotsentry_a_SOURCES += src/output/eve.h src/output/eve.c src/output/sink.h src/output/sink.c

check_PROGRAMS += tests/check_sink
tests_check_sink_SOURCES = tests/check_sink.c
tests_check_sink_CFLAGS = $(CHECK_CFLAGS_)
tests_check_sink_LDADD = $(CHECK_LDADD)
TESTS += tests/check_sink

# A real rsyslog receives the feed across a restart.
check_PROGRAMS += tests/sink_feed
tests_sink_feed_SOURCES = tests/sink_feed.c
tests_sink_feed_LDADD = $(OTS_LIBS)
TESTS += tests/syslog_rsyslog.sh
EXTRA_DIST += tests/syslog_rsyslog.sh

check_PROGRAMS += tests/check_eve
tests_check_eve_SOURCES = tests/check_eve.c
tests_check_eve_CFLAGS = $(CHECK_CFLAGS_)
tests_check_eve_LDADD = $(CHECK_LDADD)
TESTS += tests/check_eve
