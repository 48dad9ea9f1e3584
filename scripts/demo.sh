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

step netns add demo
step netns set demo auto
step netns list
step netns exec demo ip link
step netns exec demo netns identify
step netns delete demo
step netns list
printf '\ndemo: done (the sandbox and everything in it vanish now)\n'
