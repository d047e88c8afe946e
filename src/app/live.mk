# Live capture end to end: otsentry on a veth pair in a private network
# namespace, fed by tcpreplay (root, ip netns and tcpreplay, else skipped).
TESTS += tests/e2e/live.sh
EXTRA_DIST += tests/e2e/live.sh
