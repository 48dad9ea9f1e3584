#!/usr/bin/env bash
# The dump benchmark with ip: `ip -n NS -j link show` + `ip -n NS -j addr
# show`, their JSON written to the sandbox's tmpfs; timed together, then
# counted with jq (not timed).
# Usage: dump_ip.sh NS   (inside scripts/sandbox.sh)
set -euo pipefail
. "$(dirname "$0")/count_root.sh"
ns=$1
out=$(mktemp -d /run/dump-ip.XXXXXX)
trap 'rm -rf "$out"' EXIT
t0=$(now)
ip -n "$ns" -j link show >"$out/links"
ip -n "$ns" -j addr show >"$out/addrs"
t1=$(now)
links=$(jq length "$out/links")
addresses=$(jq 'map(.addr_info | length) | add' "$out/addrs")
printf '{"impl": "ip -j", "links": %d, "addresses": %d, "seconds": %s}\n' "$links" "$addresses" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')"
