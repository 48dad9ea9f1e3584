#!/usr/bin/env bash
# `netns monitor OBJECT…` against `ip monitor OBJECT…` (iproute2 as
# installed by `make setup`): the same changes made while each listens, the
# same lines printed, once interface indexes and random MAC addresses are
# normalised (they differ between the two runs) and IPv6 autoconfiguration
# noise is left out (IPv6 is off in the sandbox's namespace for this).
cd "$(dirname "$0")/../.." || exit 2
. tests/shell/lib.bash

# The changes each monitor sees.
changes() {
    ip link add v0 type veth peer name v1
    ip addr add 10.5.0.1/24 dev v0
    ip link set v0 up
    ip link set v1 up
    ip neigh add 10.5.0.2 lladdr 02:00:00:00:00:09 dev v0
    ip route add 10.6.0.0/16 via 10.5.0.2
    ip rule add pref 77 from 10.5.0.0/24 table 9
    ip rule del pref 77
    ip link del v0
}

# Runs MONITOR… (a program, not a shell function: it is killed by pid) in
# the background around `changes`; prints what it printed, normalised.
watch_with() {
    "$@" >"$SCRATCH/mon.out" 2>"$SCRATCH/mon.err" &
    local pid=$!
    sleep 0.5
    changes
    sleep 0.5
    kill "$pid"
    wait "$pid" 2>/dev/null
    sed -E 's/^(Deleted )?[0-9]+: /\1N: /; s/([0-9a-f]{2}:){5}[0-9a-f]{2}/MAC/g' "$SCRATCH/mon.out"
}

test_monitor_prints_what_ip_monitor_prints() {
    sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    local want got
    want=$(watch_with ip monitor link address route neigh rule)
    got=$(watch_with "$NETNS" monitor link address route neigh rule)
    [ -n "$want" ] || fail "ip monitor printed nothing"
    assert_eq "$want" "$got" "monitor link address route neigh rule"
    # One object, abbreviated as ip takes it.
    want=$(watch_with ip monitor ro)
    got=$(watch_with "$NETNS" monitor ro)
    assert_eq "$want" "$got" "monitor ro (route)"
}

test_monitor_of_a_named_namespace() {
    must netns add m1
    "$NETNS" -n m1 monitor link >"$SCRATCH/m1.out" 2>&1 &
    local pid=$!
    sleep 0.5
    ip -n m1 link add w0 type veth peer name w1
    ip link add h0 type veth peer name h1
    sleep 0.5
    kill "$pid"
    wait "$pid" 2>/dev/null
    grep -q "w0" "$SCRATCH/m1.out" || fail "no event of m1's link: $(cat "$SCRATCH/m1.out")"
    grep -q "h0" "$SCRATCH/m1.out" && fail "an event of another namespace: $(cat "$SCRATCH/m1.out")"
    ip link del h0
    must netns delete m1
}

test_monitor_refuses_unknown_objects() {
    local st
    netns monitor bogus 2>/dev/null; st=$?
    assert_eq 255 "$st" "unknown object (ip: 255)"
}

run_tests
