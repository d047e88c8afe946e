#!/bin/sh
# report_screenshot.sh BUILDDIR SRCDIR OUT.png - the picture of the HTML
# report in the README: learn on pcaps/plant_normal.pcap, detect on
# pcaps/plant_attack_s7_stop.pcap with --report, and take a screenshot of
# the page in headless chromium (make report-screenshot).
set -eu
build=$1 src=$2 out=$3
command -v chromium >/dev/null 2>&1 || { echo "report_screenshot: needs chromium (apt-get install chromium)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/report_shot.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$build/src/otsentry" -q -r "$src/pcaps/plant_normal.pcap" --learn "$tmp/bl.json" -o /dev/null
"$build/src/otsentry" -q -r "$src/pcaps/plant_attack_s7_stop.pcap" --baseline "$tmp/bl.json" \
	-o /dev/null --report "$tmp/plant.html"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --user-data-dir="$tmp/profile" \
	--hide-scrollbars --window-size=1400,1000 --screenshot="$tmp/shot.png" \
	"file://$tmp/plant.html#asset-3" >/dev/null 2>&1
[ -s "$tmp/shot.png" ] || { echo "report_screenshot: chromium wrote no screenshot" >&2; exit 1; }
cp "$tmp/shot.png" "$out"
echo "report_screenshot: $out"
