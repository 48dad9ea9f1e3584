#!/usr/bin/env bash
# `netns route … via inet6 ADDR` (an IPv4 route via an IPv6 gateway,
# RTA_VIA) against `ip route` in the same sandbox: the same listings (text
# and JSON), the same effects whichever tool added the route, ip's refusals
# and exit statuses (as measured on iproute2 6.1: `via ADDR` of the other
# family without `inet6` is a usage error, 1; an IPv6 route via IPv4 is
# refused, 2).
cd "$(dirname "$0")/../.." || exit 2
. tests/shell/lib.bash

status_of() { "$@" >/dev/null 2>&1; echo $?; }

veths() {
    ip link del v0 2>/dev/null # left by an earlier test
    ip link add v0 type veth peer name v1 || fail "veth"
    ip link set v0 up && ip link set v1 up
}

json_values() {
    python3 -c 'import json,sys; print(sorted(json.dumps(o, sort_keys=True) for o in json.load(sys.stdin)))'
}

test_via_inet6_is_listed_as_ip_lists_it() {
    veths
    must netns route add 10.0.0.0/24 via inet6 fe80::1 dev v0
    ip route add 10.0.1.0/24 via inet6 fe80::2 dev v1 || fail "ip route add via inet6"
    must netns route add 10.0.2.0/24 nexthop via inet6 fe80::3 dev v0 nexthop via inet6 fe80::4 dev v1
    assert_eq "10.0.0.0/24 via inet6 fe80::1 dev v0 " "$(ip route show 10.0.0.0/24)" "ip shows netns's route"
    assert_same_run "route" -- netns route -- ip route
    assert_same_run "route show dev v1" -- netns route show dev v1 -- ip route show dev v1
    local a b
    a=$(ip -j route | json_values)
    b=$(netns -j route | json_values)
    assert_eq "$a" "$b" "-j route (via objects, nexthops)"
}

test_via_inet6_routes_are_deleted_and_flushed() {
    veths
    ip route add 10.0.0.0/24 via inet6 fe80::1 dev v0
    ip route add 10.0.1.0/24 via inet6 fe80::2 dev v1
    must netns route del 10.0.0.0/24 via inet6 fe80::1 dev v0
    assert_eq "" "$(ip route show 10.0.0.0/24)" "deleted by netns"
    must netns route flush dev v1
    assert_eq "" "$(ip route show dev v1)" "flushed by netns"
}

test_via_refusals_as_ip() {
    veths
    local what words a b
    for words in \
        "route add 10.0.3.0/24 via fe80::1 dev v0" \
        "route add 10.0.3.0/24 via inet6 10.0.0.1 dev v0" \
        "route add 10.0.3.0/24 via inet 2001:db8::1 dev v0" \
        "-6 route add 2001:db8::/64 via inet 10.0.0.1 dev v0"; do
        # shellcheck disable=SC2086
        a=$(status_of ip $words)
        # shellcheck disable=SC2086
        b=$(status_of netns $words)
        assert_eq "$a" "$b" "exit status of '$words' (ip $a, netns $b)"
        [ "$a" -ne 0 ] || fail "ip accepted '$words'"
    done
    # ip's words for the usage error (after each tool's prefix).
    a=$(ip route add 10.0.3.0/24 via fe80::1 dev v0 2>&1)
    b=$(netns route add 10.0.3.0/24 via fe80::1 dev v0 2>&1)
    assert_eq "${a#Error: }" "${b#netns: }" "the message of via ADDR of the other family"
    # Without a destination family yet, ip takes the gateway's: an IPv6 default.
    must netns route add default via inet6 fe80::9 dev v1
    ip -6 route show default | grep -q "default via fe80::9 dev v1" || fail "IPv6 default"
    assert_eq "" "$(ip -4 route show default)" "no IPv4 default"
}

run_tests
