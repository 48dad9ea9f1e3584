#!/usr/bin/env bash
# W(N) with `ip -batch`, in the Rust runner's phases:
#   create     one `ip -batch` for the root namespace (netns add, link add
#              with the peer born in its namespace), then one
#              `ip -n bnsI -batch -` per namespace (lo up, eth0 up: batch
#              lines cannot take -n);
#   configure  one `ip -batch` (addr add, link set up of the host ends);
#   dump       one `ip -j addr show`, counted;
#   delete     one `ip -batch` of `netns del`.
# Usage: w_ip_batch.sh N   (inside scripts/sandbox.sh)
set -euo pipefail
. "$(dirname "$0")/count_root.sh"
n=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
    for ((i = 0; i < n; i++)); do echo "netns add bns$i"; done
    for ((i = 0; i < n; i++)); do echo "link add bv$i type veth peer name eth0 netns bns$i"; done
} >"$tmp/create"
for ((i = 0; i < n; i++)); do
    echo "addr add $(host_addr "$i")/32 dev bv$i"
    echo "link set bv$i up"
done >"$tmp/configure"
for ((i = 0; i < n; i++)); do echo "netns del bns$i"; done >"$tmp/del"
t0=$(now)
ip -batch "$tmp/create"
for ((i = 0; i < n; i++)); do
    ip -n "bns$i" -batch - <<<$'link set lo up\nlink set eth0 up'
done
t1=$(now)
ip -batch "$tmp/configure"
t2=$(now)
counts=$(count_root "$n")
t3=$(now)
ip -batch "$tmp/del"
t4=$(now)
printf '{"impl": "ip-batch", "n": %d, %s, "seconds": %s, "phases": {"create": %s, "configure": %s, "dump": %s, "delete": %s}}\n' \
    "$n" "$counts" "$(awk -v a="$t0" -v b="$t4" 'BEGIN { printf "%.6f", b - a }')" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')" \
    "$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.6f", b - a }')" \
    "$(awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.6f", b - a }')" \
    "$(awk -v a="$t3" -v b="$t4" 'BEGIN { printf "%.6f", b - a }')"
