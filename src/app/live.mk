# Live capture end to end: otsentry on a veth pair in a private network
# namespace, fed by tcpreplay (root, ip netns and tcpreplay, else skipped).
TESTS += tests/e2e/live.sh
EXTRA_DIST += tests/e2e/live.sh

# The appliance over time: replays in a loop, RSS flat, nothing lost
# (60 s here; make soak runs it for 10 minutes, SOAK_FIND_RATE=1 make soak
# finds the highest lossless replay rate).
TESTS += tests/e2e/soak.sh
EXTRA_DIST += tests/e2e/soak.sh
soak: src/otsentry$(EXEEXT)
	OTS_TOP_SRCDIR='$(abs_top_srcdir)' OTS_TOP_BUILDDIR='$(abs_top_builddir)' \
		SOAK_SECONDS="$${SOAK_SECONDS:-600}" $(srcdir)/tests/e2e/soak.sh
.PHONY: soak

# SIGUSR2 reloads rules and baseline; a broken file leaves the old in force.
TESTS += tests/e2e/reload.sh
EXTRA_DIST += tests/e2e/reload.sh

# Two interfaces in one sensor (in_iface, per-interface counters), an
# interface down/up and deleted/made again, a silent port, capture loss.
TESTS += tests/e2e/iface_health.sh
EXTRA_DIST += tests/e2e/iface_health.sh tests/e2e/netns_lib.sh

# A full disk (a tmpfs the test mounts): whole lines only, the lost lines
# counted exactly, output_failed / output_recovered.
TESTS += tests/e2e/full_disk.sh
EXTRA_DIST += tests/e2e/full_disk.sh
