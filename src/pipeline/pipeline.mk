# src/pipeline/pipeline.mk - the sensor: packets -> decode -> flows ->
# dissectors -> observers; flow and stats events; the protocol logs.
libots_pipeline_a_SOURCES += \
	src/pipeline/sensor.h src/pipeline/sensor.c \
	src/pipeline/protolog.h src/pipeline/protolog.c

check_PROGRAMS += tests/unit/check_sensor
tests_unit_check_sensor_SOURCES = tests/unit/check_sensor.c
tests_unit_check_sensor_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_sensor_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_sensor

# Dissector counters in the stats event.
check_PROGRAMS += tests/unit/check_counters
tests_unit_check_counters_SOURCES = tests/unit/check_counters.c
tests_unit_check_counters_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_counters_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_counters tests/e2e/e2e_counters.sh
EXTRA_DIST += tests/e2e/e2e_counters.sh
