# server_lib.sh - shell helpers for the tests that start a real server on
# a loopback port (sourced, not run).

# 0 when some socket listens on TCP port $1 (from /proc/net/tcp{,6}).
port_busy() {
	hex=$(printf '%04X' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v h="$hex" '$4 == "0A" { n = split($2, a, ":"); if (a[n] == h) f = 1 } END { exit !f }'
}

# A random TCP port in 20000-59999 nobody listens on; 1 after 50 tries.
free_port() {
	i=0
	while [ $i -lt 50 ]; do
		p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
		port_busy "$p" || { echo "$p"; return 0; }
		i=$((i + 1))
	done
	return 1
}

# Stop the process $1 (SIGTERM, SIGKILL after 10 s) and reap it.
stop_pid() {
	kill "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# Wait (10 s at most) until process $1 listens on TCP port $2: 0, or 1 when
# it exited or never listened.
wait_listen() {
	i=0
	while [ $i -lt 100 ]; do
		port_busy "$2" && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
