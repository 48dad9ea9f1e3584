#!/usr/bin/env bash
# W(N) with `ip -batch`: one `ip -batch` for the root namespace (netns add,
# link add with the peer born in its namespace, addr add, link set up), one
# `ip -n bnsI -batch -` per namespace for the in-namespace steps (lo up,
# eth0 up: batch lines cannot take -n), one `ip -j addr show` counted, one
# `ip -batch` of `netns del`.
# Usage: w_ip_batch.sh N   (inside scripts/sandbox.sh)
set -euo pipefail
. "$(dirname "$0")/count_root.sh"
n=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t0=$(now)
{
    for ((i = 0; i < n; i++)); do echo "netns add bns$i"; done
    for ((i = 0; i < n; i++)); do
        echo "link add bv$i type veth peer name eth0 netns bns$i"
        echo "addr add $(host_addr "$i")/32 dev bv$i"
        echo "link set bv$i up"
    done
} >"$tmp/root"
ip -batch "$tmp/root"
for ((i = 0; i < n; i++)); do
    ip -n "bns$i" -batch - <<<$'link set lo up\nlink set eth0 up'
done
counts=$(count_root "$n")
for ((i = 0; i < n; i++)); do echo "netns del bns$i"; done >"$tmp/del"
ip -batch "$tmp/del"
t1=$(now)
printf '{"impl": "ip-batch", "n": %d, %s, "seconds": %s}\n' "$n" "$counts" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')"
