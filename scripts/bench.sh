#!/usr/bin/env bash
# The benchmark `make bench` runs, inside scripts/sandbox.sh: the wall time of
# N namespace adds then N deletes, with `netns` and with `ip netns`, one
# process per operation, as a script that swaps one for the other would see.
# N is ${BENCH_N:-200}; the binary is ${NETNS:-target/release/netns}.
set -euo pipefail

N=${BENCH_N:-200}
NETNS=$(realpath -m -- "${NETNS:-target/release/netns}")
[ -x "$NETNS" ] || { echo "bench: no netns binary at $NETNS" >&2; exit 1; }

ms() { echo $(( $(date +%s%N) / 1000000 )); }

bench() {
    local label=$1; shift
    local t0 t1 t2 i
    t0=$(ms)
    for ((i = 0; i < N; i++)); do "$@" add "bench$i"; done
    t1=$(ms)
    for ((i = 0; i < N; i++)); do "$@" delete "bench$i"; done
    t2=$(ms)
    [ -z "$(ls -A /run/netns)" ] || { echo "bench: $label left entries in /run/netns" >&2; exit 1; }
    printf '%-10s %5d adds %6d ms   %5d deletes %6d ms\n' "$label" "$N" $((t1 - t0)) "$N" $((t2 - t1))
}

bench "ip netns" ip netns
bench "netns" "$NETNS"
