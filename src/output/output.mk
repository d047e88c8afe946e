# src/output/output.mk - the EVE writer and its sinks (file, syslog, unix, tcp,
# redis).
libots_output_a_SOURCES += src/output/eve.h src/output/eve.c src/output/sink.h src/output/sink.c \
	src/output/linefile.h src/output/linefile.c \
	src/output/community_id.h src/output/community_id.c \
	src/output/sink_queue.h src/output/sink_queue.c src/output/sink_int.h \
	src/output/sink_redis.c src/output/sink_tls.c

check_PROGRAMS += tests/unit/check_community_id
tests_unit_check_community_id_SOURCES = tests/unit/check_community_id.c
tests_unit_check_community_id_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_community_id_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_community_id

check_PROGRAMS += tests/unit/check_linefile
tests_unit_check_linefile_SOURCES = tests/unit/check_linefile.c
tests_unit_check_linefile_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_linefile_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_linefile

check_PROGRAMS += tests/unit/check_sink
tests_unit_check_sink_SOURCES = tests/unit/check_sink.c
tests_unit_check_sink_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_sink_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_sink

# A real rsyslog receives the feed across a restart.
check_PROGRAMS += tests/e2e/sink_feed
tests_e2e_sink_feed_SOURCES = tests/e2e/sink_feed.c
tests_e2e_sink_feed_LDADD = $(OTS_LIBS)
TESTS += tests/e2e/syslog_rsyslog.sh
EXTRA_DIST += tests/e2e/syslog_rsyslog.sh

check_PROGRAMS += tests/unit/check_eve
tests_unit_check_eve_SOURCES = tests/unit/check_eve.c
tests_unit_check_eve_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_eve_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_eve

# Every kind of EVE line validates against Suricata's EVE schema.
TESTS += tests/e2e/eve_schema.sh
EXTRA_DIST += tests/e2e/eve_schema.sh tests/e2e/eve_schema.py

# community_id recomputed independently; both directions of a flow alike.
TESTS += tests/e2e/community_id.sh
EXTRA_DIST += tests/e2e/community_id.sh tests/e2e/community_id.py

# A real redis-server receives the feed across a restart (list), as a
# stream and on a channel; the bounded queue counts what it drops.
TESTS += tests/e2e/sink_redis.sh
EXTRA_DIST += tests/e2e/sink_redis.sh tests/e2e/server_lib.sh

# Syslog over TLS into a real rsyslog (gtls): mutual TLS across a restart,
# and a server with another CA's certificate refused.
TESTS += tests/e2e/syslog_tls.sh
EXTRA_DIST += tests/e2e/syslog_tls.sh
