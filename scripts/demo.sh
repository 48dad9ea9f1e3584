#!/usr/bin/env bash
# The demo `make demo` runs, inside scripts/sandbox.sh: a namespace added,
# listed with its id, used, and deleted with the netns CLI. Each command is
# printed before it runs. The binary is ${NETNS:-target/release/netns}.
set -euo pipefail

NETNS=$(realpath -m -- "${NETNS:-target/release/netns}")
[ -x "$NETNS" ] || { echo "demo: no netns binary at $NETNS (cargo build --release -p netns-cli)" >&2; exit 1; }
# Commands below read as a user types them; `netns` inside `netns exec` too.
netns() { "$NETNS" "$@"; }
PATH=$(dirname "$NETNS"):$PATH

step() {
    printf '\n$ %s\n' "$*"
    "$@"
}

die() { echo "demo: FAILED: $*" >&2; exit 1; }
out=/run/netns-demo.out # on the sandbox's tmpfs

step netns add demo
mountpoint -q /run/netns/demo || die "netns add made no mounted /run/netns/demo"
step netns set demo auto
step netns list | tee "$out"
grep -qx 'demo (id: [0-9]*)' "$out" || die "netns list did not show demo with its id"
step netns exec demo ip link | tee "$out"
grep -q '^1: lo:' "$out" || die "netns exec demo ip link did not list lo"
step netns exec demo netns identify | tee "$out"
grep -qx demo "$out" || die "netns identify inside demo did not say demo"
step netns delete demo
[ ! -e /run/netns/demo ] || die "netns delete left /run/netns/demo"
step netns list
printf '\ndemo: done (the sandbox and everything in it vanish now)\n'
