#!/usr/bin/env bash
# W(N) with `netns apply`: the equivalent topology file (N namespaces; N veth
# pairs, eth0 in bnsI and bvI in root with 10.77.x.y/32), applied; one
# `netns -j addr show` of the root namespace counted; `netns destroy` of the
# same file (its namespaces deleted). The file is written before the clock
# starts. Its phases: apply (create and configure: one command does both),
# dump, delete (destroy).
# Usage: w_apply.sh N | --available   (inside scripts/sandbox.sh)
set -euo pipefail
here=$(dirname "$0")
netns=${NETNS:-$here/../../target/release/netns}
if [ "${1-}" = "--available" ]; then
    [ -x "$netns" ] || { echo "no $netns (make release)"; exit 1; }
    "$netns" apply --help >/dev/null 2>&1 || { echo "$netns has no apply"; exit 1; }
    exit 0
fi
. "$here/count_root.sh"
n=$1
file=$(mktemp /run/w-apply.XXXXXX.toml)
trap 'rm -f "$file"' EXIT
{
    echo 'name = "bench"'
    for ((i = 0; i < n; i++)); do printf '[[namespace]]\nname = "bns%d"\n' "$i"; done
    for ((i = 0; i < n; i++)); do
        printf '[[link]]\na = { netns = "bns%d", name = "eth0" }\nb = { netns = "root", name = "bv%d", address = "%s/32" }\n' \
            "$i" "$i" "$(host_addr "$i")"
    done
} >"$file"
t0=$(now)
"$netns" apply "$file" >/dev/null
ta=$(now)
counts=$(count_root "$n" "$netns")
td=$(now)
"$netns" destroy "$file" >/dev/null
t1=$(now)
[ -z "$(ls -A /run/netns)" ] || { echo "w_apply: namespaces left after destroy" >&2; exit 1; }
printf '{"impl": "netns apply", "n": %d, %s, "seconds": %s, "phases": {"apply": %s, "dump": %s, "delete": %s}}\n' \
    "$n" "$counts" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')" \
    "$(awk -v a="$t0" -v b="$ta" 'BEGIN { printf "%.6f", b - a }')" \
    "$(awk -v a="$ta" -v b="$td" 'BEGIN { printf "%.6f", b - a }')" \
    "$(awk -v a="$td" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')"
