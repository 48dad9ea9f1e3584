#!/usr/bin/env bash
# Usage: scripts/sandbox.sh env NETNS_CNI=target/release/netns-cni bench/cni/bench.sh
#        (or: make bench-cni)
#
# ADD+DEL latency for 100 pods: the reference bridge plugin (with the
# reference host-local, run as a separate process as runtimes run it) against
# netns-cni in bridge mode (built-in host-local compatible IPAM), same
# configuration. Each round: 100 namespaces made beforehand (not timed), 100
# ADDs one after another, then 100 DELs; the bridge and the store are reset
# between rounds. Prints one row per plugin (median of ROUNDS rounds) and
# the ratio; the target is netns-cni <= 0.5x the reference.
set -euo pipefail

fail() { echo "bench-cni: $*" >&2; exit 1; }
[ -r /run/netns-sandbox.net ] && [ "$(readlink /proc/self/ns/net)" = "$(cat /run/netns-sandbox.net)" ] \
    || fail "not inside scripts/sandbox.sh: refusing to touch this namespace"
: "${NETNS_CNI:?set NETNS_CNI to the netns-cni binary}"
NETNS_CNI=$(readlink -f "$NETNS_CNI")
REF=/usr/lib/cni
PODS=${PODS:-100}
ROUNDS=${ROUNDS:-5}
DATA=/run/cni-bench
[ -x "$REF/bridge" ] || fail "$REF/bridge missing: run scripts/setup.sh"

conf='{"cniVersion":"1.0.0","name":"bench","type":"@TYPE@","bridge":"cni0","isGateway":true,"isDefaultGateway":true,
 "ipam":{"type":"host-local","subnet":"10.50.0.0/16","dataDir":"'"$DATA"'"}}'

now() { date +%s%N; }

# round PLUGIN CONF -> prints "add_ns del_ns"
round() {
    local plugin=$1 c=$2 i t0 t1 t2
    for i in $(seq "$PODS"); do ip netns add "b$i"; done
    t0=$(now)
    for i in $(seq "$PODS"); do
        printf '%s' "$c" | CNI_COMMAND=ADD CNI_CONTAINERID="c$i" CNI_NETNS="/run/netns/b$i" \
            CNI_IFNAME=eth0 CNI_PATH="$REF" "$plugin" >/dev/null || fail "$plugin ADD c$i failed"
    done
    t1=$(now)
    for i in $(seq "$PODS"); do
        printf '%s' "$c" | CNI_COMMAND=DEL CNI_CONTAINERID="c$i" CNI_NETNS="/run/netns/b$i" \
            CNI_IFNAME=eth0 CNI_PATH="$REF" "$plugin" >/dev/null || fail "$plugin DEL c$i failed"
    done
    t2=$(now)
    for i in $(seq "$PODS"); do ip netns del "b$i"; done
    ip link del cni0 2>/dev/null || true
    rm -rf "$DATA"
    echo "$((t1 - t0)) $((t2 - t1))"
}

# measure NAME PLUGIN CONF -> "add_ms del_ms total_ms" (medians per pod, ms)
measure() {
    local name=$1 plugin=$2 c=$3 r adds=() dels=() tots=()
    round "$plugin" "$c" >/dev/null # warm-up
    for _ in $(seq "$ROUNDS"); do
        read -r a d < <(round "$plugin" "$c")
        adds+=("$a"); dels+=("$d"); tots+=("$((a + d))")
    done
    median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
    awk -v a="$(median "${adds[@]}")" -v d="$(median "${dels[@]}")" -v t="$(median "${tots[@]}")" -v n="$PODS" \
        'BEGIN { printf "%.3f %.3f %.3f\n", a/n/1e6, d/n/1e6, t/n/1e6 }'
}

ip link set lo up
read -r ra rd rt < <(measure reference "$REF/bridge" "${conf/@TYPE@/bridge}")
read -r oa od ot < <(measure netns-cni "$NETNS_CNI" "${conf/@TYPE@/netns-cni}")
printf '%-28s %10s %10s %12s\n' "plugin ($PODS pods, median of $ROUNDS)" "ADD ms" "DEL ms" "ADD+DEL ms"
printf '%-28s %10s %10s %12s\n' "reference bridge+host-local" "$ra" "$rd" "$rt"
printf '%-28s %10s %10s %12s\n' "netns-cni bridge" "$oa" "$od" "$ot"
awk -v o="$ot" -v r="$rt" 'BEGIN { printf "ratio netns-cni/reference: %.3fx (target <= 0.5x)\n", o/r }'
