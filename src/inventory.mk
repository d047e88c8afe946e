# src/inventory.mk - asset inventory, communication graph, OUI vendors,
# GeoIP, end-of-run report.
libotsentry_a_SOURCES += \
	src/inventory.h src/inventory.c \
	src/graph.h src/graph.c \
	src/oui.h src/oui.c \
	src/geo.h src/geo.c \
	src/report.c

dist_man_MANS += man/otsentry-inventory.5
EXTRA_DIST += tests/make_test_mmdb.pl tests/e2e_inventory.sh

check_PROGRAMS += tests/check_oui tests/check_geo tests/check_inventory
tests_check_oui_SOURCES = tests/check_oui.c
tests_check_oui_CFLAGS = $(CHECK_CFLAGS_)
tests_check_oui_LDADD = $(CHECK_LDADD)
tests_check_geo_SOURCES = tests/check_geo.c
tests_check_geo_CFLAGS = $(CHECK_CFLAGS_)
tests_check_geo_LDADD = $(CHECK_LDADD)
tests_check_inventory_SOURCES = tests/check_inventory.c
tests_check_inventory_CFLAGS = $(CHECK_CFLAGS_)
tests_check_inventory_LDADD = $(CHECK_LDADD)
TESTS += tests/check_oui tests/check_geo tests/check_inventory tests/e2e_inventory.sh
