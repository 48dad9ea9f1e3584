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
#
# NETNS_SANDBOX_SYSCTLS=PROFILE makes the sandbox, and every network namespace
# created inside it, start with the sysctls of another kind of host, without
# touching this host's sysctls (scripts/sandbox-sysctls.c says how):
#   forwarding-on   a forwarding host (Docker, Kubernetes): IPv4 ip_forward,
#                   conf/{all,default}/forwarding and rp_filter = 1, IPv6
#                   conf/{all,default}/forwarding = 1.
# The preload is built with $CC (default gcc) into
# ${CARGO_TARGET_DIR:-target}/sandbox-sysctls/ when missing or stale.
set -euo pipefail

inside_marker=__netns_sandbox_inside__

if [ "${1-}" = "$inside_marker" ]; then
    shift
    mount -t tmpfs -o mode=0755,nosuid,nodev netns-sandbox /run
    mkdir -m 0755 /run/netns /run/netns-test-etc
    readlink /proc/self/ns/net >/run/netns-sandbox.net
    # The sandbox's own namespace must already hold the profile's values.
    for entry in ${NETNS_SANDBOX_NEWNET_SYSCTLS-}; do
        have=$(cat "/proc/sys/${entry%%=*}")
        if [ "$have" != "${entry#*=}" ]; then
            echo "sandbox.sh: NETNS_SANDBOX_SYSCTLS=${NETNS_SANDBOX_SYSCTLS-}: /proc/sys/${entry%%=*} is $have, not ${entry#*=}" >&2
            exit 1
        fi
    done
    exec "$@"
fi

if [ $# -eq 0 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    sed -n '2,25s/^# \{0,1\}//p' "$0" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "sandbox.sh: needs root (to create mount and network namespaces)" >&2
    exit 1
fi

# PATH=VALUE (under /proc/sys) for each sysctl of a profile.
profile_sysctls() {
    case "$1" in
    forwarding-on)
        echo net/ipv4/conf/all/forwarding=1 net/ipv4/conf/default/forwarding=1 \
            net/ipv4/conf/all/rp_filter=1 net/ipv4/conf/default/rp_filter=1 \
            net/ipv6/conf/all/forwarding=1 net/ipv6/conf/default/forwarding=1
        ;;
    *)
        echo "sandbox.sh: unknown NETNS_SANDBOX_SYSCTLS profile '$1' (known: forwarding-on)" >&2
        return 1
        ;;
    esac
}

# Builds scripts/sandbox-sysctls.c when its library is missing or older than
# it (into a temporary name first: sandboxes may start in parallel).
sysctls_preload() {
    local src out tmp
    src=$(dirname "$(readlink -f "$0")")/sandbox-sysctls.c
    out=${CARGO_TARGET_DIR:-$(dirname "$src")/../target}/sandbox-sysctls/libsandbox-sysctls.so
    if [ ! -e "$out" ] || [ "$src" -nt "$out" ]; then
        mkdir -p "$(dirname "$out")"
        tmp=$out.$$
        "${CC:-gcc}" -std=c99 -Wall -Wextra -Werror -pedantic -O2 -shared -fPIC -o "$tmp" "$src" -ldl >&2 ||
            { rm -f "$tmp"; echo "sandbox.sh: cannot build $src" >&2; return 1; }
        mv -f "$tmp" "$out"
    fi
    readlink -f "$out"
}

if [ -n "${NETNS_SANDBOX_SYSCTLS-}" ]; then
    NETNS_SANDBOX_NEWNET_SYSCTLS=$(profile_sysctls "$NETNS_SANDBOX_SYSCTLS") || exit 2
    preload=$(sysctls_preload) || exit 1
    export NETNS_SANDBOX_NEWNET_SYSCTLS LD_PRELOAD=$preload${LD_PRELOAD:+:$LD_PRELOAD}
fi

exec unshare --mount --net --pid --fork --mount-proc --propagation private --kill-child \
    -- "$(readlink -f "$0")" "$inside_marker" "$@"
