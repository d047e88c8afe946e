# netns_lib.sh - shell helpers for the live tests that capture in a private
# network namespace on veth pairs fed by tcpreplay (sourced, not run, after
# setting top, the source tree).
#
# The caller may set pid (the sensor, killed at exit) and ippid (its
# `ip netns exec` parent, reaped at exit).

bin=${OTS_TOP_BUILDDIR:-$top}/src/otsentry
normal=$top/pcaps/plant_normal.pcap
attack=$top/pcaps/plant_attack_unauthorized_write.pcap
skip() { echo "skip: $*"; exit 77; }

# Skip (77) unless root with ip, tcpreplay, jq and the commands named, and
# the bundled captures; fail without the program.
netns_require() {
	[ "$(id -u)" -eq 0 ] || skip "not root"
	for _c in ip tcpreplay jq "$@"; do
		command -v "$_c" >/dev/null 2>&1 || skip "no $_c"
	done
	[ -f "$normal" ] && [ -f "$attack" ] || skip "no bundled captures"
	[ -x "$bin" ] || { echo "FAIL: no $bin"; exit 1; }
}

# Make the namespace $1 with lo up and IPv6 off (no router solicitations or
# DAD among the replayed traffic), a scratch directory in $tmp and the
# cleanup at exit.  Skips when namespaces cannot be made.
netns_setup() {
	ns=$1
	tmp=$(mktemp -d) || exit 1
	pid= ippid= made_ns=
	trap netns_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	ip netns add "$ns" 2>"$tmp/netns.err" || skip "ip netns add: $(cat "$tmp/netns.err")"
	made_ns=1
	nsx sh -c "echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6" 2>/dev/null
	nsx ip link set lo up || { echo "FAIL: lo up in $ns"; exit 1; }
}

netns_cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "$ippid" ] && wait "$ippid" 2>/dev/null
	[ -n "$made_ns" ] && ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}

nsx() { ip netns exec "$ns" "$@"; }

# A veth pair $1 <-> $2 in the namespace, both up.
netns_pair() {
	nsx ip link add "$1" type veth peer name "$2" 2>"$tmp/veth.err" ||
		skip "no veth: $(cat "$tmp/veth.err")"
	nsx ip link set "$1" up && nsx ip link set "$2" up || { echo "FAIL: veth up"; exit 1; }
}
