#!/usr/bin/env bash
# Usage: tests/hostsysctl/run.sh     (run by `make test-hostsysctl`; needs root)
#
# The tests that read or depend on forwarding and rp_filter, again on a
# simulated forwarding host (a Docker or Kubernetes node): each runs under
# scripts/sandbox.sh with NETNS_SANDBOX_SYSCTLS=forwarding-on, so the sandbox
# and every namespace created inside it start with IPv4 ip_forward,
# conf/{all,default}/forwarding and rp_filter = 1 and IPv6 forwarding = 1,
# while the host's sysctls are never touched (scripts/sandbox-sysctls.c).
# A test that assumes "a fresh namespace does not forward" fails here.
#   - the simulation applies: a namespace made inside the sandbox forwards;
#   - Rust: netns-core's addr_route_kernel and netns-topology's topology_kernel (netns-testkit
#     sandboxes its test threads inside the sandbox);
#   - shell: every tests/shell/*.sh;
#   - C: every tests/c/*.c against the debug libnetns (valgrind: test-c);
#   - Python: netns-py/tests with the package test-py installed into .venv.
# Prints one `ok - CHECK` / `FAILED - CHECK` line per check, then `N passed, M failed`.
set -uo pipefail

cd "$(dirname "$0")/../.."
: "${CARGO:=cargo}"
: "${CC:=gcc}"
: "${STEP_TIMEOUT:=600}"
: "${VENV:=.venv}"
export NETNS_SANDBOX_SYSCTLS=forwarding-on

work=$(mktemp -d /tmp/netns-hostsysctl.XXXXXX)
trap 'rm -rf "$work"' EXIT

# shellcheck source=../lib/check.bash
. tests/lib/check.bash

in_sandbox() { timeout "$STEP_TIMEOUT" scripts/sandbox.sh "$@"; }

# Without this, a preload that silently stopped working would let every
# check below pass on a host that does not forward.
simulation_applies() {
    local out
    out=$(in_sandbox sh -c 'ip netns add probe && ip netns exec probe sysctl -n \
        net.ipv4.ip_forward net.ipv4.conf.default.rp_filter net.ipv4.conf.lo.forwarding \
        net.ipv6.conf.all.forwarding && ip netns delete probe') || return 1
    [ "$(echo $out)" = "1 1 1 1" ] || { echo "a namespace made inside the sandbox has: $(echo $out)"; return 1; }
}

rust_build() {
    "$CARGO" test -q -p netns-core --test addr_route_kernel --no-run 2>&1 &&
        "$CARGO" test -q -p netns-topology --test topology_kernel --no-run 2>&1
}
rust() {
    in_sandbox "$CARGO" test -q --no-fail-fast -p netns-core --test addr_route_kernel 2>&1 &&
        in_sandbox "$CARGO" test -q --no-fail-fast -p netns-topology --test topology_kernel 2>&1
}

shell() { in_sandbox env NETNS=target/debug/netns "tests/shell/$1.sh"; }

# libnetns's soname is libnetns.so.0; the debug build has only libnetns.so.
c_lib() {
    "$CARGO" build -q -p netns-ffi && mkdir -p "$work/lib" &&
        cp target/debug/libnetns.so "$work/lib/libnetns.so.0"
}
c_test() {
    "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -g -pthread -Iinclude -Itests/c \
        -o "$work/$1" "tests/c/$1.c" -L"$work/lib" -l:libnetns.so.0 || return 1
    LD_LIBRARY_PATH=$work/lib in_sandbox "$work/$1" >"$work/$1.log" 2>&1 ||
        { cat "$work/$1.log"; return 1; }
    grep -E '^# ' "$work/$1.log"
}

python() {
    if ! "$VENV/bin/python" -c 'import netns' 2>/dev/null; then
        echo "no netns package in $VENV: run \`make test-py\` first (it installs ./netns-py there)"
        return 1
    fi
    in_sandbox "$VENV/bin/python" -m pytest -p no:cacheprovider -q -rfE netns-py/tests
}

check "the forwarding-host simulation reaches namespaces made inside the sandbox" simulation_applies
if check "build netns-core's kernel tests" rust_build; then
    check "rust: ${rust_tests[*]}" rust
fi
if check "build netns-cli" "$CARGO" build -q -p netns-cli; then
    for t in tests/shell/*.sh; do
        check "shell: $(basename "$t" .sh)" shell "$(basename "$t" .sh)"
    done
fi
if check "build libnetns" c_lib; then
    for t in tests/c/*.c; do
        check "c: $(basename "$t" .c)" c_test "$(basename "$t" .c)"
    done
fi
check "python: netns-py/tests" python

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
