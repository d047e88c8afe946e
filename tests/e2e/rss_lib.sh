# rss_lib.sh - the peak resident size of a process while it runs (sourced).

# Sample /proc/PID/status every 0.1 s until process $1 ends; sets peak (its
# VmHWM in KiB) and rc (its exit status, from wait).
peak_rss() {
	peak=0
	while kill -0 "$1" 2>/dev/null; do
		_hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' /proc/"$1"/status 2>/dev/null)
		[ -n "$_hwm" ] && [ "$_hwm" -gt "$peak" ] && peak=$_hwm
		sleep 0.1
	done
	wait "$1"
	rc=$?
}
