# tests/tests.mk - the shared test harness (tests/lib), one library that
# every Check suite links before the sensor's own libraries.
check_LIBRARIES = tests/lib/libots_test.a
tests_lib_libots_test_a_SOURCES = tests/lib/recorder.h tests/lib/recorder.c
tests_lib_libots_test_a_CFLAGS = $(CHECK_CFLAGS_)
