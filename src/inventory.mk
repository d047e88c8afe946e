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
