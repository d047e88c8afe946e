#!/bin/sh
# merge_inventory.sh - one site from several sensors (--merge-inventory).
# Two sensors watch the bundled plant at different times (cellA the normal
# capture, cellB the identity-change attack, in which a PLC's firmware
# changes); two more inventories are derived from cellA's as other sensors
# would see the plant (cellC: a sensor that saw one asset doing more and
# judged its role otherwise; cellD: a sensor behind a router, which sees
# one PLC by IP address only, once on the PLC's VLAN and once on another).
# Every expectation is computed here from the input files, independently
# of the merge code: assets by MAC else IP+VLAN, the sensors of each asset,
# time spans, counters, identity conflicts and their events, role
# conflicts, edges remapped; then associativity (merging a merged site
# again gives the same site), the graph (rendered by Graphviz when
# present), the page, the caps and the errors.
set -u
BIN="${OTS_TOP_BUILDDIR:-.}/src/otsentry"
SRC="${OTS_TOP_SRCDIR:-.}"
[ -x "$BIN" ] || { echo "no $BIN: skip"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "no python3: skip"; exit 77; }
[ -f "$SRC/pcaps/plant_normal.pcap" ] || { echo "no bundled captures: skip"; exit 77; }

TMP=$(mktemp -d /tmp/merge_inv.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail=0
die() { echo "FAIL: $*"; fail=1; }

"$BIN" -q -r "$SRC/pcaps/plant_normal.pcap" --sensor-name cellA -o /dev/null \
	--inventory "$TMP/a.json" || die "sensor cellA"
"$BIN" -q -r "$SRC/pcaps/plant_attack_identity_change.pcap" --sensor-name cellB -o /dev/null \
	--inventory "$TMP/b.json" || die "sensor cellB"
[ $fail -eq 0 ] || exit 1

# the derived sensors
python3 - "$TMP" <<'EOF' || exit 1
import json, sys
t = sys.argv[1]
a = json.load(open(t + '/a.json'))
assert a.get('sensor') == 'cellA', 'the inventory names its sensor'
plcs = [x for x in a['assets'] if x['role'] == 'plc' and x.get('mac')]
hmis = [x for x in a['assets'] if x['role'] == 'hmi']
assert plcs and hmis
c = json.loads(json.dumps(a))
c['sensor'] = 'cellC'
for x in c['assets']:
    if x['id'] == hmis[0]['id']:
        x['role'], x['role_label'] = 'engineering', 'engineering workstation'
        x['role_reasons'] = ['programmed a PLC']
        x['packets_sent'] += 100000
json.dump(c, open(t + '/c.json', 'w'))
d = json.loads(json.dumps(a))
d['sensor'] = 'cellD'
p = plcs[-1]
ip_only = dict(p, key='ip')
ip_only.pop('mac'); ip_only.pop('mac_local', None)
other_vlan = json.loads(json.dumps(ip_only))
other_vlan['id'] = 999999
other_vlan['vlans'] = [4001]
d['assets'] = [ip_only, other_vlan]
d['edges'] = []
json.dump(d, open(t + '/d.json', 'w'))
open(t + '/routed_plc', 'w').write(p['mac'] + ' ' + p['ips'][0]['ip'])
EOF

"$BIN" --merge-inventory "$TMP/a.json" "$TMP/b.json" "$TMP/c.json" "$TMP/d.json" \
	--inventory "$TMP/site.json" --graph "$TMP/site.dot" --graph "$TMP/site.graphml" \
	--report "$TMP/site.html" --sensor-name soc -o "$TMP/events.json" 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] || die "merge exit status $rc: $(cat "$TMP/err")"
grep -q "merged 4 inventories" "$TMP/err" || die "no summary line: $(cat "$TMP/err")"

python3 - "$TMP" <<'EOF' || fail=1
import json, sys
t = sys.argv[1]
ins = {n: json.load(open('%s/%s.json' % (t, f))) for n, f in
       (('cellA', 'a'), ('cellB', 'b'), ('cellC', 'c'), ('cellD', 'd'))}
site = json.load(open(t + '/site.json'))
events = [json.loads(l) for l in open(t + '/events.json')]
bad = []
def check(cond, msg):
    if not cond:
        bad.append(msg)

# expected grouping: MAC-keyed assets by MAC; IP-keyed ones join the
# (non-router) asset with the same IP on the same VLAN, else stand alone
groups = {}
ipidx = {}
for n, doc in ins.items():
    for x in doc['assets']:
        if x.get('mac') and x.get('key', 'mac') == 'mac':
            groups.setdefault(('mac', x['mac']), []).append((n, x))
for key, members in groups.items():
    for n, x in members:
        if x['role'] == 'router':
            continue
        for r in x['ips']:
            for v in (x['vlans'] or [0]):
                ipidx.setdefault((r['ip'], v), key)
for n, doc in ins.items():
    for x in doc['assets']:
        if x.get('mac') and x.get('key', 'mac') == 'mac':
            continue
        hit = None
        for r in x['ips']:
            for v in (x['vlans'] or [0]):
                hit = hit or ipidx.get((r['ip'], v))
        key = hit or ('ip', x['ips'][0]['ip'], tuple(x['vlans']))
        groups.setdefault(key, []).append((n, x))
        if not hit:
            for r in x['ips']:
                for v in (x['vlans'] or [0]):
                    ipidx.setdefault((r['ip'], v), key)

check(len(site['assets']) == len(groups),
      'site assets %d, expected %d' % (len(site['assets']), len(groups)))
check(site['stats']['assets_in'] == sum(len(d['assets']) for d in ins.values()), 'assets_in')
check([s['sensor'] for s in site['sensors']] == list(ins), 'sensors list')
check(len({x['id'] for x in site['assets']}) == len(site['assets']), 'site ids unique')

def site_asset(members):
    n, x = members[0]
    for s in site['assets']:
        if any(e['sensor'] == n and e['id'] == x['id'] for e in s['sensors']):
            return s
    return None

conflicts = {}
for key, members in groups.items():
    s = site_asset(members)
    if s is None:
        bad.append('no site asset for %s' % (key,)); continue
    names = sorted({n for n, _ in members})
    check(sorted(e['sensor'] for e in s['sensors']) == names,
          '%s: sensors %s, expected %s' % (key, [e['sensor'] for e in s['sensors']], names))
    check(s['first_seen'] == min(x['first_seen'] for _, x in members), '%s first_seen' % (key,))
    check(s['last_seen'] == max(x['last_seen'] for _, x in members), '%s last_seen' % (key,))
    check(s['packets_sent'] == max(x['packets_sent'] for _, x in members), '%s packets_sent' % (key,))
    ips = {r['ip'] for _, x in members for r in x['ips']}
    check({r['ip'] for r in s['ips']} == ips, '%s ips' % (key,))
    known = {x['role'] for _, x in members if x['role'] != 'unknown'}
    if len(known) > 1:
        check(sorted(c['role'] for c in s.get('role_conflict', [])) == sorted(known),
              '%s role_conflict %s, expected %s' % (key, s.get('role_conflict'), known))
        top = max(((x['packets_sent'] + x['packets_received'], x['role']) for _, x in members
                   if x['role'] != 'unknown'))[1]
        check(s['role'] == top, '%s role %s, expected %s' % (key, s['role'], top))
    else:
        check('role_conflict' not in s, '%s: role_conflict without a disagreement' % (key,))
    # identity: each sensor's latest value per (key, proto)
    latest = {}
    for n, x in members:
        for f in x['identity']:
            k = (f['key'], f['proto'])
            cur = latest.setdefault(k, {}).get(n)
            if cur is None or f['last_seen'] > cur['last_seen']:
                latest[k][n] = f
    exp = {k: {f['value'] for f in v.values()} for k, v in latest.items() if len({f['value'] for f in v.values()}) > 1}
    got = {(c['key'], c['proto']): {v['value'] for v in c['values']} for c in s.get('identity_conflicts', [])}
    check(got == exp, '%s identity conflicts %s, expected %s' % (key, got, exp))
    for k in exp:
        conflicts[(s['id'],) + k] = exp[k]
    facts = {(f['key'], f['proto'], f['value']) for _, x in members for f in x['identity']}
    check({(f['key'], f['proto'], f['value']) for f in s['identity']} == facts, '%s identity facts' % (key,))

# the firmware change of the attack capture is a conflict, and an event
check(any(k[1] == 'firmware' for k in conflicts), 'the firmware change is not a conflict')
ev = {(e['asset']['id'], e['change']['key'], e['change']['proto']): {v['value'] for v in e['change']['values']}
      for e in events if e['event_type'] == 'asset' and e['change']['what'] == 'identity_conflict'}
check(ev == conflicts, 'conflict events %s, expected %s' % (ev, conflicts))
check(all(e.get('host') == 'soc' for e in events), 'events carry the merging host')
check(site['stats']['identity_conflicts'] == len(conflicts), 'stats.identity_conflicts')

# the routed PLC: merged by IP on its VLAN, alone on the other VLAN
mac, ip = open(t + '/routed_plc').read().split()
withmac = [s for s in site['assets'] if s.get('mac') == mac]
check(len(withmac) == 1 and 'cellD' in [e['sensor'] for e in withmac[0]['sensors']],
      'the IP-only view of the PLC did not join its MAC asset')
alone = [s for s in site['assets'] if not s.get('mac') and 4001 in s.get('vlans', [])]
check(len(alone) == 1 and [e['sensor'] for e in alone[0]['sensors']] == ['cellD'],
      'the same IP on another VLAN must stay its own asset')

# edges: every input edge, its ends mapped to the site assets of its ends
def site_id(n, orig):
    for s in site['assets']:
        for e in s['sensors']:
            if e['sensor'] == n and e['id'] == orig:
                return s['id']
exp_edges = set()
for n, doc in ins.items():
    for e in doc['edges']:
        exp_edges.add((site_id(n, e['client']), site_id(n, e['server']), e['transport'], e['port']))
got_edges = {(e['client'], e['server'], e['transport'], e['port']) for e in site['edges']}
check(got_edges == exp_edges, 'edges differ: %d vs %d' % (len(got_edges), len(exp_edges)))
for e in site['edges']:
    check(e['packets_to_server'] == max(x['packets_to_server'] for n, d in ins.items()
          for x in d['edges'] if (site_id(n, x['client']), site_id(n, x['server']), x['transport'], x['port'])
          == (e['client'], e['server'], e['transport'], e['port'])), 'edge %d packets' % e['id'])

for b in bad[:20]:
    print('FAIL:', b)
print('checked %d site assets, %d edges, %d identity conflicts' % (len(site['assets']), len(site['edges']), len(conflicts)))
sys.exit(1 if bad else 0)
EOF

# associativity: (a + b) + (c + d) gives the same site as a + b + c + d
"$BIN" -q --merge-inventory "$TMP/a.json" "$TMP/b.json" --inventory "$TMP/ab.json" -o /dev/null || die "merge ab"
"$BIN" -q --merge-inventory "$TMP/c.json" "$TMP/d.json" --inventory "$TMP/cd.json" -o /dev/null || die "merge cd"
"$BIN" -q --merge-inventory "$TMP/ab.json" "$TMP/cd.json" --inventory "$TMP/abcd.json" -o /dev/null || die "merge abcd"
python3 - "$TMP" <<'EOF' || fail=1
import json, sys
t = sys.argv[1]
def canon(path):
    d = json.load(open(path))
    ids = {}
    out = {}
    for s in d['assets']:
        k = s.get('mac') or (s['ips'][0]['ip'], tuple(s['vlans']))
        ids[s['id']] = str(k)
        x = dict(s)
        x.pop('id')
        x['sensors'] = sorted((e['sensor'], e['id']) for e in s['sensors'])
        x['identity'] = sorted(json.dumps(f, sort_keys=True) for f in s['identity'])
        x['ips'] = sorted(json.dumps(r, sort_keys=True) for r in s['ips'])
        x['identity_conflicts'] = sorted(json.dumps(c, sort_keys=True) for c in s.get('identity_conflicts', []))
        out[str(k)] = json.dumps(x, sort_keys=True)
    edges = sorted(json.dumps(dict(e, id=0, client=ids.get(e['client']), server=ids.get(e['server']),
                   sensors=sorted(x['sensor'] for x in e['sensors'])), sort_keys=True) for e in d['edges'])
    return out, edges
one, two = canon(t + '/site.json'), canon(t + '/abcd.json')
diff = [k for k in set(one[0]) | set(two[0]) if one[0].get(k) != two[0].get(k)]
if diff or one[1] != two[1]:
    print('FAIL: merging merged sites differs from one merge:', diff[:3], one[1] != two[1])
    for k in diff[:1]:
        print(' one:', one[0].get(k)[:600]); print(' two:', (two[0].get(k) or '')[:600])
    sys.exit(1)
print('associative: %d assets, %d edges' % (len(one[0]), len(one[1])))
EOF

# the picture: one node per site asset; Graphviz reads it
nodes=$(grep -c '^  a[0-9]* \[label=' "$TMP/site.dot")
want=$(python3 -c "import json;print(len(json.load(open('$TMP/site.json'))['assets']))")
[ "$nodes" -eq "$want" ] || die "site.dot has $nodes asset nodes, the site $want"
if command -v dot >/dev/null 2>&1; then
	dot -Tsvg "$TMP/site.dot" >/dev/null 2>"$TMP/doterr" || die "Graphviz refused site.dot: $(cat "$TMP/doterr")"
fi
python3 -c "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])" "$TMP/site.graphml" ||
	die "site.graphml is not XML"
# the page names the sensors and lists every asset
grep -q 'cellD (2 assets)' "$TMP/site.html" || die "the page does not list the sensors"

# caps: at most --max-assets site assets, the rest counted and said
"$BIN" --merge-inventory "$TMP/a.json" "$TMP/b.json" --max-assets 5 --inventory "$TMP/cap.json" \
	-o /dev/null 2>"$TMP/err" || die "capped merge failed"
python3 -c "
import json,sys; s=json.load(open('$TMP/cap.json'))
assert len(s['assets']) == 5 and s['stats']['assets_dropped'] > 0, s['stats']" || die "--max-assets not applied"
grep -q "over the caps" "$TMP/err" || die "the cap is not said on stderr"

# errors: clear, named, and the exit status of otsentry(8)
printf '{"format": "otsentry-inventory", "version": 1, "assets": [' > "$TMP/trunc.json"
"$BIN" --merge-inventory "$TMP/a.json" "$TMP/trunc.json" --inventory "$TMP/x.json" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] && grep -q "trunc.json:1:" "$TMP/err" || die "truncated input: exit $rc, $(cat "$TMP/err")"
[ ! -e "$TMP/x.json" ] || die "a failed merge wrote its output"
echo '{"format": "something-else"}' > "$TMP/other.json"
"$BIN" --merge-inventory "$TMP/other.json" --inventory "$TMP/x.json" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] && grep -q "other.json: not an otsentry inventory" "$TMP/err" || die "foreign JSON: exit $rc, $(cat "$TMP/err")"
"$BIN" --merge-inventory "$TMP/a.json" -r "$SRC/pcaps/plant_normal.pcap" --inventory "$TMP/x.json" 2>"$TMP/err"
[ $? -eq 2 ] || die "--merge-inventory with -r must be a usage error"
"$BIN" --merge-inventory "$TMP/a.json" 2>"$TMP/err"
[ $? -eq 2 ] && grep -q "nothing to write" "$TMP/err" || die "a merge with no output must be a usage error"
"$BIN" --merge-inventory "$TMP/missing.json" --inventory "$TMP/x.json" 2>"$TMP/err"
[ $? -eq 1 ] && grep -q "missing.json" "$TMP/err" || die "a missing input: $(cat "$TMP/err")"

[ $fail -eq 0 ] && echo "merge_inventory: ok"
exit $fail
