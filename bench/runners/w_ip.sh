#!/usr/bin/env bash
# W(N) with one `ip` process per operation, as a shell script would do it:
#   ip netns add bnsI
#   ip link add bvI type veth peer name eth0 netns bnsI    (peer born there)
#   ip addr add 10.77.x.y/32 dev bvI ; ip link set bvI up
#   ip -n bnsI link set lo up ; ip -n bnsI link set eth0 up
# then one `ip -j addr show` counted, then `ip netns del bnsI` for each.
# Usage: w_ip.sh N   (inside scripts/sandbox.sh)
set -euo pipefail
. "$(dirname "$0")/count_root.sh"
n=$1
t0=$(now)
for ((i = 0; i < n; i++)); do
    ip netns add "bns$i"
    ip link add "bv$i" type veth peer name eth0 netns "bns$i"
    ip addr add "$(host_addr "$i")/32" dev "bv$i"
    ip link set "bv$i" up
    ip -n "bns$i" link set lo up
    ip -n "bns$i" link set eth0 up
done
counts=$(count_root "$n")
for ((i = 0; i < n; i++)); do
    ip netns del "bns$i"
done
t1=$(now)
printf '{"impl": "ip", "n": %d, %s, "seconds": %s}\n' "$n" "$counts" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')"
