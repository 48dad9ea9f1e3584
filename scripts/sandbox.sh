#!/usr/bin/env bash
# Usage: scripts/sandbox.sh CMD [ARG...]
#
# Runs CMD in a throwaway private mount + network + pid namespace:
#   unshare --mount --net --pid --fork --mount-proc --propagation private
# with a tmpfs on /run, an empty /run/netns (the path `ip netns` has
# hard-coded) and an empty /run/netns-test-etc for tests that need an etc
# directory. The network namespace is fresh: only lo, and lo is down.
# CMD is pid 1 of the pid namespace: when it ends, every process it left
# behind is killed by the kernel, so nothing outlives the sandbox.
# Nothing made inside reaches the host's mount table or links; files written
# outside the tmpfs still land on the host's disk. CMD's exit status is the
# script's. /run/netns-sandbox.net holds the sandbox's network namespace
# (as readlink /proc/self/ns/net shows it): tests check it to refuse to run
# on the host. Needs root.
set -euo pipefail

inside_marker=__netns_sandbox_inside__

if [ "${1-}" = "$inside_marker" ]; then
    shift
    mount -t tmpfs -o mode=0755,nosuid,nodev netns-sandbox /run
    mkdir -m 0755 /run/netns /run/netns-test-etc
    readlink /proc/self/ns/net >/run/netns-sandbox.net
    exec "$@"
fi

if [ $# -eq 0 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    sed -n '2,15s/^# \{0,1\}//p' "$0" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "sandbox.sh: needs root (to create mount and network namespaces)" >&2
    exit 1
fi

exec unshare --mount --net --pid --fork --mount-proc --propagation private --kill-child \
    -- "$(readlink -f "$0")" "$inside_marker" "$@"
