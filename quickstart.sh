#!/bin/sh
# quickstart.sh - install the build dependencies (Debian 12), build otsentry,
# and run it over the bundled sample captures in pcaps/.
set -eu
cd "$(dirname "$0")"

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi
echo "== installing build dependencies (apt-get)"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
	build-essential autoconf automake libtool pkg-config \
	libpcap-dev libndpi-dev libjansson-dev libmaxminddb-dev libcap-ng-dev check ieee-data \
	zlib1g-dev libzstd-dev zstd libssl-dev libhiredis-dev

echo "== building"
mkdir -p m4
autoreconf -fi
./configure -q
make -j"$(nproc)"

if ! ls pcaps/*.pcap >/dev/null 2>&1; then
	echo "== pcaps/ is empty: generating the sample captures"
	make pcaps
fi

out=${TMPDIR:-/tmp}/otsentry-quickstart
# otsentry appends to -o files (as a log does): start each run afresh.
rm -rf "$out"
mkdir -p "$out"

echo
echo "== otsentry -r pcaps/plant_normal.pcap (events in $out/plant_normal.json)"
src/otsentry -r pcaps/plant_normal.pcap -o "$out/plant_normal.json" \
	--inventory "$out/inventory.json" --graph "$out/graph.dot" \
	--learn "$out/plant.baseline" --report "$out/plant_normal.html"
echo
echo "Events by type:"
sed -n 's/.*"event_type":"\([a-z0-9_]*\)".*/\1/p' "$out/plant_normal.json" | sort | uniq -c

for f in pcaps/plant_attack_*.pcap; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .pcap)
	src/otsentry -q --baseline "$out/plant.baseline" -r "$f" -o "$out/$name.json" \
		--report "$out/$name.html"
	n=$(grep -c '"event_type":"alert"' "$out/$name.json" || true)
	echo
	echo "== $name: $n alert(s) against the learned baseline and the shipped rules"
	grep '"event_type":"alert"' "$out/$name.json" |
		sed -n 's/.*"signature":"\([^"]*\)".*/   \1/p' | sort | uniq -c | head -5
done
echo
echo "Done. Event files, inventory, graph and baseline are in $out."
echo "The plant as a page (map, assets, conversations, alerts): open in a browser"
echo "   file://$out/plant_normal.html"
echo "and, per attack capture, file://$out/plant_attack_<name>.html"
echo "Next: 'make check' runs the test suite."
