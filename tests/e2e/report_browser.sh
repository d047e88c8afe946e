#!/bin/sh
# report_browser.sh - the HTML report (--report) in a real headless browser
# (Debian's chromium): over the bundled plant captures (learn on
# plant_normal, detect on attack captures) the page loads with its script
# done (data-report-ready on <body>), has one assets-table row and one map
# node per inventory asset, as many alert rows as signatures in the EVE
# output, loads nothing from outside, stays under 1 MB, and its screenshot
# is not blank.  A capture whose Modbus device identification answers carry
# markup, script-closing tags and control bytes (and an input file name
# with markup and a control byte) shows them as text: no injected script
# runs, no injected element exists.  A generated plant of 300+ assets gets
# a grouped map that still accounts for every asset.  Skips (77) without
# chromium, python3, jq or the binary.
set -u
BIN="${OTS_TOP_BUILDDIR:-.}/src/otsentry"
SRC="${OTS_TOP_SRCDIR:-.}"
[ -x "$BIN" ] || { echo "no $BIN: skip"; exit 77; }
command -v chromium >/dev/null 2>&1 || { echo "no chromium: skip"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "no python3: skip"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "no jq: skip"; exit 77; }

TMP=$(mktemp -d /tmp/report_browser.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail=0

# browser ARGS...: one headless chromium, its own profile, no network
# services, killed after 120 s
browser() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --user-data-dir="$TMP/profile" "$@" 2>>"$TMP/chromium.err"
}

count() { grep -o -- "$1" "$2" | wc -l; }

# check_page NAME HTML INVENTORY EVE
check_page() {
	name=$1 html=$2 inv=$3 eve=$4
	size=$(wc -c < "$html")
	assets=$(jq '.assets | length' "$inv")
	echo "$name: $size bytes, $assets assets"
	[ "$size" -lt 1048576 ] || { echo "FAIL: $name: page is $size bytes"; fail=1; }
	# self-contained: a CSP that allows nothing from anywhere, no resource
	# references, exactly the page's own two script blocks
	grep -q "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'nonce-" "$html" ||
		{ echo "FAIL: $name: no CSP"; fail=1; }
	n=$(grep -o -i -E '(src|href|action)="[^#"][^"]*"' "$html" | wc -l)
	[ "$n" -eq 0 ] || { echo "FAIL: $name: $n external references"; fail=1; }
	n=$(grep -o -i '</script' "$html" | wc -l)
	[ "$n" -eq 2 ] || { echo "FAIL: $name: $n '</script' (want 2)"; fail=1; }
	n=$(grep -o -- '<!--' "$html" | wc -l)
	[ "$n" -eq 0 ] || { echo "FAIL: $name: comment opener in the page"; fail=1; }

	browser --dump-dom "file://$html" > "$TMP/dom.html" || { echo "FAIL: $name: chromium failed"; fail=1; return; }
	grep -q 'data-report-ready="1"' "$TMP/dom.html" ||
		{ echo "FAIL: $name: the page script did not finish"; fail=1; }
	rows=$(count '<tr class="asset-row"' "$TMP/dom.html")
	[ "$rows" -eq "$assets" ] || { echo "FAIL: $name: $rows asset rows, inventory has $assets"; fail=1; }
	if [ "$assets" -le 300 ]; then
		nodes=$(count '<g class="node"' "$TMP/dom.html")
		[ "$nodes" -eq "$assets" ] || { echo "FAIL: $name: $nodes map nodes, inventory has $assets"; fail=1; }
	else
		# past 300 the map groups: every asset in exactly one group
		grep -q 'data-grouped="[12]"' "$TMP/dom.html" || { echo "FAIL: $name: $assets assets, map not grouped"; fail=1; }
		nodes=$(grep -o '<g class="node group"[^>]*data-count="[0-9]*"' "$TMP/dom.html" |
			sed 's/.*data-count="//; s/"//' | awk '{ s += $1 } END { print s + 0 }')
		[ "$nodes" -eq "$assets" ] || { echo "FAIL: $name: map groups hold $nodes assets, inventory has $assets"; fail=1; }
		n=$(count '<g class="node' "$TMP/dom.html")
		[ "$n" -le 300 ] || { echo "FAIL: $name: $n map nodes on a grouped map"; fail=1; }
	fi
	sigs=$(jq -r 'select(.event_type == "alert") | "\(.alert.gid):\(.alert.signature_id)"' "$eve" | sort -u | wc -l)
	arows=$(count '<tr class="alert-row"' "$TMP/dom.html")
	[ "$arows" -eq "$sigs" ] || { echo "FAIL: $name: $arows alert rows, EVE has $sigs signatures"; fail=1; }
	if [ "$sigs" -eq 0 ]; then
		grep -q 'id="no-alerts"' "$TMP/dom.html" || { echo "FAIL: $name: no empty state"; fail=1; }
	fi

	rm -f "$TMP/shot.png"
	browser --hide-scrollbars --window-size=1280,1000 --screenshot="$TMP/shot.png" "file://$html" >/dev/null
	[ -s "$TMP/shot.png" ] || { echo "FAIL: $name: no screenshot"; fail=1; return; }
	set -- $(python3 "$SRC/tests/e2e/png_colours.py" "$TMP/shot.png")
	echo "$name: screenshot ${1:-?} colours, top colour ${2:-?} of the pixels"
	[ "${1:-0}" -ge 20 ] || { echo "FAIL: $name: blank screenshot (${1:-0} colours)"; fail=1; }
	python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 0.95 else 1)" "${2:-1}" ||
		{ echo "FAIL: $name: screenshot is one colour"; fail=1; }
}

# learn, then detect on two attacks
"$BIN" -q -r "$SRC/pcaps/plant_normal.pcap" --learn "$TMP/bl.json" -o "$TMP/normal.eve" \
	--inventory "$TMP/normal.inv" --report "$TMP/normal.html" ||
	{ echo "FAIL: otsentry learn run"; exit 1; }
check_page plant_normal "$TMP/normal.html" "$TMP/normal.inv" "$TMP/normal.eve"
for a in s7_stop scan; do
	"$BIN" -q -r "$SRC/pcaps/plant_attack_$a.pcap" --baseline "$TMP/bl.json" -o "$TMP/$a.eve" \
		--inventory "$TMP/$a.inv" --report "$TMP/$a.html" ||
		{ echo "FAIL: otsentry detect run on $a"; fail=1; continue; }
	check_page "plant_attack_$a" "$TMP/$a.html" "$TMP/$a.inv" "$TMP/$a.eve"
done
# conversations the baseline did not know are dashed on the map
grep -q 'stroke-dasharray' "$TMP/scan.html" || { echo "FAIL: scan: no dashed conversation"; fail=1; }
if grep -q 'stroke-dasharray' "$TMP/normal.html"; then
	echo "FAIL: learn run: dashed conversations"; fail=1
fi

# a plant past the map's 300 assets: grouped by level and subnet
"${OTS_TOP_BUILDDIR:-.}/tools/otsgen" -q --plcs 150 --duration 20 -o "$TMP/big.pcap" ||
	{ echo "FAIL: otsgen"; exit 1; }
"$BIN" -q -r "$TMP/big.pcap" -o "$TMP/big.eve" --inventory "$TMP/big.inv" --report "$TMP/big.html" ||
	{ echo "FAIL: otsentry on the big plant"; exit 1; }
check_page big_plant "$TMP/big.html" "$TMP/big.inv" "$TMP/big.eve"
# a group's panel lists its members
browser --dump-dom "file://$TMP/big.html#group-0" > "$TMP/gdom.html"
sed -n '/<aside id="detail"/,/<\/aside>/p' "$TMP/gdom.html" > "$TMP/gpanel.html"
grep -q '<dt>Members</dt>' "$TMP/gpanel.html" && grep -q '<dd>#[0-9]* ' "$TMP/gpanel.html" ||
	{ echo "FAIL: big_plant: no member list in the panel of group 0"; fail=1; }

# hostile identity strings
hostile="$TMP/host<b>ile$(printf '\001').pcap"
python3 "$SRC/tests/e2e/hostile_ident_pcap.py" "$hostile" || { echo "FAIL: hostile capture"; exit 1; }
"$BIN" -q -r "$hostile" -o "$TMP/h.eve" --inventory "$TMP/h.inv" --report "$TMP/h.html" ||
	{ echo "FAIL: otsentry on the hostile capture"; exit 1; }
check_page hostile "$TMP/h.html" "$TMP/h.inv" "$TMP/h.eve"
id=$(jq '.assets[] | select(.identity | length > 0) | .id' "$TMP/h.inv")
nfacts=$(jq '[.assets[].identity[]] | length' "$TMP/h.inv")
[ "$nfacts" -eq 6 ] || { echo "FAIL: hostile: $nfacts identity facts (want 6)"; fail=1; }
# the asset's panel opened through the address (#asset-ID) fills the DOM
# with the values as text
browser --dump-dom "file://$TMP/h.html#asset-$id" > "$TMP/hdom.html"
grep -q 'data-report-ready="1"' "$TMP/hdom.html" || { echo "FAIL: hostile: page script did not finish"; fail=1; }
if grep -q 'data-pwned=' "$TMP/hdom.html"; then
	echo "FAIL: hostile: injected script ran"; fail=1
fi
for tag in '<img' '<svg onload' '<script>document' '<b>ile'; do
	if grep -q -i -- "$tag" "$TMP/hdom.html"; then
		echo "FAIL: hostile: injected element $tag in the DOM"; fail=1
	fi
done
# the text is there, as text: in the table, the map's hover text and the panel
n=$(count '&lt;script&gt;document.body.setAttribute' "$TMP/hdom.html")
[ "$n" -ge 3 ] || { echo "FAIL: hostile: the vendor string shows $n times as text (want 3: table, map, panel)"; fail=1; }
sed -n '/<aside id="detail"/,/<\/aside>/p' "$TMP/hdom.html" > "$TMP/panel.html"
for s in '&lt;script&gt;document' '"&gt;&lt;img src=x onerror=' '&lt;/script&gt;&lt;script&gt;' \
	"'&gt;&lt;svg onload=" 'v1...\[31m.&lt;!--'; do
	grep -q -- "$s" "$TMP/panel.html" || { echo "FAIL: hostile: panel lacks $s"; fail=1; }
done
# the file name: markup as text, the control byte as its picture (U+2401)
grep -q "host&lt;b&gt;ile$(printf '\342\220\201').pcap" "$TMP/hdom.html" ||
	{ echo "FAIL: hostile: input file name not shown as text"; fail=1; }

[ $fail -eq 0 ] && echo "report_browser: ok"
exit $fail
