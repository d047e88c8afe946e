# src/inventory/inventory.mk - asset inventory, communication graph, OUI vendors,
# GeoIP, end-of-run report.
libots_inventory_a_SOURCES += \
	src/inventory/inventory.h src/inventory/inventory_int.h src/inventory/inventory.c \
	src/inventory/roles.c src/inventory/document.c src/inventory/export.c \
	src/inventory/observer.c src/inventory/stations.c src/inventory/merge.c \
	src/inventory/graph.h src/inventory/graph.c \
	src/inventory/oui.h src/inventory/oui.c \
	src/inventory/geo.h src/inventory/geo.c \
	src/inventory/report.c \
	src/inventory/report_html.h src/inventory/report_html.c

dist_man_MANS += man/otsentry-inventory.5
EXTRA_DIST += tests/e2e/make_test_mmdb.pl tests/e2e/e2e_inventory.sh tests/e2e/merge_inventory.sh

check_PROGRAMS += tests/unit/check_oui tests/unit/check_geo tests/unit/check_inventory
tests_unit_check_oui_SOURCES = tests/unit/check_oui.c
tests_unit_check_oui_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_oui_LDADD = $(CHECK_LDADD)
tests_unit_check_geo_SOURCES = tests/unit/check_geo.c
tests_unit_check_geo_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_geo_LDADD = $(CHECK_LDADD)
tests_unit_check_inventory_SOURCES = tests/unit/check_inventory.c
tests_unit_check_inventory_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_inventory_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_oui tests/unit/check_geo tests/unit/check_inventory tests/e2e/e2e_inventory.sh \
	tests/e2e/merge_inventory.sh

# The HTML report in a real browser (chromium), hostile identity strings.
check_PROGRAMS += tests/unit/check_report_html
tests_unit_check_report_html_SOURCES = tests/unit/check_report_html.c
tests_unit_check_report_html_CFLAGS = $(CHECK_CFLAGS_)
tests_unit_check_report_html_LDADD = $(CHECK_LDADD)
TESTS += tests/unit/check_report_html tests/e2e/report_browser.sh
EXTRA_DIST += tests/e2e/report_browser.sh tests/e2e/hostile_ident_pcap.py tests/e2e/png_colours.py \
	tools/report_screenshot.sh man/report.png

# The README's picture of the report (needs chromium).
report-screenshot: src/otsentry$(EXEEXT)
	$(srcdir)/tools/report_screenshot.sh '$(abs_top_builddir)' '$(abs_top_srcdir)' \
		'$(abs_top_srcdir)/man/report.png'
.PHONY: report-screenshot
