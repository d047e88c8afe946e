#!/bin/sh
# service.sh - otsentry as a service: the installed files and the process.
#
#  1. make install into a scratch DESTDIR puts the unit, sysusers, tmpfiles,
#     logrotate and example configuration in place; systemd-analyze verify
#     accepts the unit; its offline security exposure is 2.0 or below;
#     systemd-sysusers and systemd-tmpfiles (--root) create the account and
#     directories; logrotate parses its file.
#  2. --config: options from the file, the command line overriding it;
#     an unknown option, a bad value, a value given to a flag: FILE:LINE
#     and exit 2; the installed example changes nothing.
#  3. (root) live on lo with --user nobody --pidfile: /proc/PID/status of
#     the running sensor shows nobody's uid and gid everywhere, no
#     supplementary groups, no capability but CAP_NET_RAW (effective and
#     permitted, to reopen an interface that comes back), no_new_privs; SIGTERM
#     ends it with status 0 and removes the pid file.  Without --user a root
#     live sensor warns once.
set -u
top=${OTS_TOP_BUILDDIR:-.}
src=${OTS_TOP_SRCDIR:-.}
ots=$top/src/otsentry
[ -x "$ots" ] || { echo "FAIL: $ots not built"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ots-service.XXXXXX") || exit 1
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail=0 skipped=0
bad() { echo "FAIL: $*"; fail=1; }

# 1. installed files
dest=$tmp/dest
if make -s -C "$top" install DESTDIR="$dest" prefix=/usr sysconfdir=/etc \
	SYSTEMD_UNITDIR=/usr/lib/systemd/system > "$tmp/install.log" 2>&1; then
	unit=$dest/usr/lib/systemd/system/otsentry.service
	for f in "$unit" "$dest/usr/lib/sysusers.d/otsentry.conf" \
		"$dest/usr/lib/tmpfiles.d/otsentry.conf" "$dest/etc/logrotate.d/otsentry" \
		"$dest/etc/otsentry/otsentry.conf" "$dest/usr/bin/otsentry"; do
		[ -f "$f" ] || bad "make install did not install $f"
	done
	grep -q '^ExecStart=/usr/bin/otsentry --config /etc/otsentry/otsentry.conf' "$unit" ||
		bad "unit: ExecStart does not run the installed binary with its configuration"
	if command -v systemd-analyze > /dev/null 2>&1; then
		# verify checks that ExecStart's binary exists: point it into DESTDIR
		sed "s#=/usr/bin/otsentry#=$dest/usr/bin/otsentry#" "$unit" > "$tmp/otsentry.service"
		systemd-analyze verify --man=no "$tmp/otsentry.service" > "$tmp/verify.log" 2>&1 ||
			{ bad "systemd-analyze verify:"; cat "$tmp/verify.log"; }
		systemd-analyze security --offline=true "$tmp/otsentry.service" > "$tmp/sec.log" 2>&1
		score=$(sed -n 's/.*Overall exposure level for otsentry.service: \([0-9.]*\).*/\1/p' "$tmp/sec.log")
		echo "systemd-analyze security: exposure $score"
		[ -n "$score" ] || { bad "no security score"; cat "$tmp/sec.log"; }
		[ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ||
			bad "security exposure $score is above 2.0"
	else
		echo "SKIP part: no systemd-analyze"; skipped=1
	fi
	if command -v systemd-sysusers > /dev/null 2>&1; then
		mkdir -p "$tmp/root/etc"
		systemd-sysusers --root="$tmp/root" "$dest/usr/lib/sysusers.d/otsentry.conf" > /dev/null 2>&1
		grep -q '^otsentry:' "$tmp/root/etc/passwd" 2>/dev/null || bad "sysusers made no otsentry account"
		grep -q '^otsentry:.*nologin' "$tmp/root/etc/passwd" 2>/dev/null || bad "the otsentry account can log in"
		systemd-tmpfiles --root="$tmp/root" --create "$dest/usr/lib/tmpfiles.d/otsentry.conf" > /dev/null 2>&1
		for d in var/log/otsentry var/lib/otsentry; do
			[ -d "$tmp/root/$d" ] || bad "tmpfiles did not create /$d"
			[ "$(stat -c %a "$tmp/root/$d" 2>/dev/null)" = 750 ] || bad "/$d is not mode 750"
		done
	fi
	if command -v logrotate > /dev/null 2>&1; then
		logrotate -d "$dest/etc/logrotate.d/otsentry" > "$tmp/lr.log" 2>&1 ||
			{ bad "logrotate refuses its file"; cat "$tmp/lr.log"; }
	fi
	# the example configuration as installed changes nothing
	"$ots" --config "$dest/etc/otsentry/otsentry.conf" -q -r "$src/pcaps/plant_attack_scan.pcap" > "$tmp/a.json" 2>&1 ||
		bad "the installed example configuration is refused"
	"$ots" --config none -q -r "$src/pcaps/plant_attack_scan.pcap" > "$tmp/b.json" 2>&1
	# (uptime is wall-clock seconds: not the configuration's doing)
	sed -i 's/"uptime":[0-9]*,//' "$tmp/a.json" "$tmp/b.json"
	cmp -s "$tmp/a.json" "$tmp/b.json" || bad "the installed example configuration changes the output"
else
	bad "make install failed"; cat "$tmp/install.log"
fi

# 2. the configuration file
cap=$src/pcaps/plant_attack_scan.pcap
printf '# a comment\n\nno-flow-log\nlog = modbus   # only Modbus\nno-rules\n' > "$tmp/c.conf"
"$ots" --config "$tmp/c.conf" -q -r "$cap" > "$tmp/c.json" 2>&1 || bad "--config: exit $?"
grep -q '"event_type":"flow"' "$tmp/c.json" && bad "--config: no-flow-log not applied"
grep -q '"event_type":"dnp3"' "$tmp/c.json" && bad "--config: log = modbus not applied"
grep -q '"event_type":"modbus"' "$tmp/c.json" || bad "--config: no modbus events"
"$ots" --config "$tmp/c.conf" --log all -q -r "$cap" > "$tmp/c2.json" 2>&1
grep -q '"event_type":"dnp3"' "$tmp/c2.json" || bad "--config: the command line does not override the file"
expect_err() { # file content, expected message
	printf '%b' "$1" > "$tmp/e.conf"
	"$ots" --config "$tmp/e.conf" -q -r "$cap" > /dev/null 2> "$tmp/e.err"
	rc=$?
	[ $rc -eq 2 ] || bad "config '$1': exit $rc, not 2"
	grep -qF "$2" "$tmp/e.err" || { bad "config '$1': no '$2' in:"; cat "$tmp/e.err"; }
}
expect_err '\n\nbogus-option 1\n' "e.conf:3: unknown option 'bogus-option'"
expect_err 'max-flows lots\n' "e.conf:1: --max-flows: 'lots' is not a number"
expect_err 'no-flow-log yes\n' "e.conf:1: 'no-flow-log' takes no value"
expect_err 'output\n' "e.conf:1: 'output' needs a value"
expect_err '--output x\n' "e.conf:1: write the option without dashes"
expect_err 'config other.conf\n' "e.conf:1: 'config' is not allowed"
"$ots" --config "$tmp/none.conf" -r "$cap" > /dev/null 2> "$tmp/e.err"
[ $? -eq 2 ] && grep -q 'none.conf: No such file' "$tmp/e.err" || bad "a missing --config file is not a clear error"

# 3. privileges of the running sensor
if [ "$(id -u)" -ne 0 ] || ! id nobody > /dev/null 2>&1 || ! ip link show lo > /dev/null 2>&1; then
	echo "SKIP part: privilege drop needs root, a nobody account and lo"; skipped=1
else
	chmod 755 "$tmp"
	mkdir -p "$tmp/run" && chown nobody "$tmp/run"
	"$ots" -i lo -q --user nobody --pidfile "$tmp/run/otsentry.pid" -o "$tmp/live.json" \
		--stats-interval 0 2> "$tmp/live.err" &
	pid=$!
	n=0
	while [ ! -s "$tmp/run/otsentry.pid" ] || ! grep -q '^Uid:.*65534' /proc/$pid/status 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 100 ] || break
		sleep 0.1
	done
	st=/proc/$pid/status
	if [ -r "$st" ]; then
		nuid=$(id -u nobody) ngid=$(id -g nobody)
		[ "$(cat "$tmp/run/otsentry.pid")" = "$pid" ] || bad "pid file holds '$(cat "$tmp/run/otsentry.pid")', not $pid"
		grep -q "^Uid:[[:space:]]*$nuid[[:space:]]*$nuid[[:space:]]*$nuid[[:space:]]*$nuid\$" "$st" || bad "uid not dropped: $(grep ^Uid "$st")"
		grep -q "^Gid:[[:space:]]*$ngid[[:space:]]*$ngid[[:space:]]*$ngid[[:space:]]*$ngid\$" "$st" || bad "gid not dropped: $(grep ^Gid "$st")"
		grep -q '^Groups:[[:space:]]*$' "$st" || bad "supplementary groups kept: $(grep ^Groups "$st")"
		for c in CapInh CapBnd CapAmb; do
			grep -q "^$c:[[:space:]]*0000000000000000\$" "$st" || bad "$c not empty: $(grep "^$c" "$st")"
		done
		for c in CapPrm CapEff; do    # CAP_NET_RAW (13) only
			grep -q "^$c:[[:space:]]*0000000000002000\$" "$st" || bad "$c not CAP_NET_RAW alone: $(grep "^$c" "$st")"
		done
		grep -q '^NoNewPrivs:[[:space:]]*1$' "$st" || bad "no_new_privs not set"
		kill -TERM "$pid"
		wait "$pid"; rc=$?
		pid=
		[ $rc -eq 0 ] || { bad "SIGTERM: exit $rc"; cat "$tmp/live.err"; }
		[ -e "$tmp/run/otsentry.pid" ] && bad "the pid file is left behind"
		grep -q 'running as root' "$tmp/live.err" && bad "--user given, yet the root warning"
	else
		bad "the sensor did not start:"; cat "$tmp/live.err"
	fi
	# as root without --user: one warning
	"$ots" -i lo -q -o /dev/null --stats-interval 0 2> "$tmp/root.err" &
	pid=$!
	sleep 1
	kill -TERM "$pid"; wait "$pid"; pid=
	[ "$(grep -c 'running as root' "$tmp/root.err")" = 1 ] || { bad "no single root warning:"; cat "$tmp/root.err"; }
fi

[ $fail -eq 0 ] && echo "PASS: service files, configuration file, privilege drop"
exit $fail
