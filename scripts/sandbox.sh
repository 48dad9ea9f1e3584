#!/usr/bin/env bash
# Usage: scripts/sandbox.sh CMD [ARG...]
#
# Runs CMD in a throwaway private mount + network namespace:
#   unshare --mount --net --fork --propagation private
# with a tmpfs on /run, an empty /run/netns (the path `ip netns` has
# hard-coded) and an empty /run/netns-test-etc for tests that need an etc
# directory. The network namespace is fresh: only lo, and lo is down.
# Nothing made inside reaches the host's mount table or links; files written
# outside the tmpfs still land on the host's disk. CMD's exit status is the
# script's. Needs root.
set -euo pipefail

inside_marker=__netns_sandbox_inside__

if [ "${1-}" = "$inside_marker" ]; then
    shift
    mount -t tmpfs -o mode=0755,nosuid,nodev netns-sandbox /run
    mkdir -m 0755 /run/netns /run/netns-test-etc
    exec "$@"
fi

if [ $# -eq 0 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    sed -n '2,11s/^# \{0,1\}//p' "$0" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "sandbox.sh: needs root (to create mount and network namespaces)" >&2
    exit 1
fi

exec unshare --mount --net --fork --propagation private --kill-child \
    -- "$(readlink -f "$0")" "$inside_marker" "$@"
