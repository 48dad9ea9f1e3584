#!/usr/bin/env bash
# libnetns's runner (W(N), the dump, latency): netns_c_runner.c, compiled
# against the release static libnetns.a (make release builds it) the first
# time.
# Usage: netns_c.sh w|dump|latency ARG | --available
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../..
lib=$root/target/release
bin=$root/target/bench-c/netns-bench-c
build() {
    [ -f "$root/include/netns.h" ] && [ -f "$lib/libnetns.a" ] || { echo "no libnetns (make release)"; return 1; }
    if [ ! -x "$bin" ] || [ "$bin" -ot "$here/netns_c_runner.c" ] || [ "$bin" -ot "$lib/libnetns.a" ]; then
        mkdir -p "$(dirname "$bin")"
        gcc -std=c11 -O2 -Wall -Wextra -Werror -I"$root/include" "$here/netns_c_runner.c" \
            "$lib/libnetns.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl -o "$bin"
    fi
}
if [ "${1-}" = "--available" ]; then
    build
    exit
fi
build >&2
exec "$bin" "$1" "$2"
