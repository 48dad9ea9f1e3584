#!/usr/bin/env bash
# Usage: tests/conformance/run.sh [NETNS_BIN]   (make test-conformance)
#
# Replays every corpus/*.calls file twice, each time in a fresh sandbox:
# with the real ip, and with an ip shim that runs netns with the same
# arguments (replay.sh); compares each call's exit status and output
# (compare.py). Prints the calls that differ and the share that behave the
# same; fails when that share falls below CONFORMANCE_FLOOR percent (the
# figure measured when the corpus was last extended: a regression fails).
set -uo pipefail
cd "$(dirname "$0")/../.."
netns_bin=$(realpath "${1:-target/debug/netns}")
floor=${CONFORMANCE_FLOOR:-90}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
total=0 same=0
for calls in tests/conformance/corpus/*.calls; do
    name=$(basename "$calls" .calls)
    for mode in ip netns; do
        scripts/sandbox.sh bash tests/conformance/replay.sh "$mode" "$netns_bin" "$calls" "$logs/$name.$mode" \
            || { echo "conformance: replay of $name with $mode failed" >&2; exit 2; }
    done
    result=$(python3 tests/conformance/compare.py "$logs/$name.ip" "$logs/$name.netns")
    echo "== $name"
    echo "$result"
    read -r s m <<< "$(tail -1 <<< "$result" | sed -E 's/same ([0-9]+) of ([0-9]+)/\1 \2/')"
    same=$((same + s)) total=$((total + m))
done
[ "$total" -gt 0 ] || { echo "conformance: no calls replayed" >&2; exit 2; }
pct=$((100 * same / total))
echo "conformance: $same of $total ip calls behave the same under netns ($pct%; floor $floor%)"
[ "$pct" -ge "$floor" ]
