#!/usr/bin/env bash
# The article's walk-through (REFERENCE.md section 1) with `netns` alone
# (plus `netns exec … ping`), and `netns addr|route` against `ip addr|route`:
# same text, same JSON, same exit statuses, the kernel's words on refusals.
#   scripts/sandbox.sh tests/shell/walkthrough_ip.sh
cd "$(dirname "$0")/../.." || exit 2
. tests/shell/lib.bash

# veth_up: a veth pair veth0/veth1 in the sandbox, both up (made with ip, so
# the addr/route tests do not depend on `netns link`). The sandbox's reset
# between tests deletes namespaces, not links: each test removes its pair
# with veth_down (routes and addresses go with it).
veth_up() {
    ip link del veth0 2>/dev/null
    must ip link add veth0 type veth peer name veth1
    must ip link set veth0 up
    must ip link set veth1 up
}

veth_down() {
    must ip link del veth0
}

test_walkthrough_with_netns_alone() {
    must netns add netns1
    mountpoint -q "$RUN_DIR/netns1" || fail "netns add made no mounted $RUN_DIR/netns1"
    local links
    links=$(netns exec netns1 ip -o link | awk -F': ' '{ print $2 }')
    assert_eq "lo" "$links" "links in a fresh namespace"
    grep -q "state DOWN" <<<"$(netns exec netns1 ip -o link)" || fail "lo is not down"

    local out st
    out=$(netns exec netns1 ping -c1 -W1 127.0.0.1 2>&1); st=$?
    [ "$st" -ne 0 ] || fail "ping 127.0.0.1 answered with lo down"
    case "$out" in *"Network is unreachable"*) ;; *) fail "unexpected ping output: $out" ;; esac

    must netns -n netns1 link set dev lo up
    must netns exec netns1 ping -c1 -W1 127.0.0.1 >/dev/null

    must netns link add veth0 type veth peer name veth1
    must netns link set veth1 netns netns1
    must netns -n netns1 addr add 10.1.1.1/24 dev veth1
    must netns -n netns1 link set veth1 up
    must netns addr add 10.1.1.2/24 dev veth0
    must netns link set veth0 up

    must ping -c1 -W2 10.1.1.1 >/dev/null
    must netns exec netns1 ping -c1 -W2 10.1.1.2 >/dev/null

    assert_eq "10.1.1.0/24 dev veth1 proto kernel scope link src 10.1.1.1 " "$(netns -n netns1 route)" "netns1's routes"
    assert_same_run "route inside netns1" -- netns -n netns1 route -- ip -n netns1 route
    assert_same_run "list" -- netns list -- ip netns list

    # A gateway nothing reaches: exit 2 and the kernel's words.
    out=$(netns -n netns1 route add default via 10.9.9.9 2>&1); st=$?
    assert_eq 2 "$st" "exit status of a refused route"
    assert_eq "netns: cannot add route default via 10.9.9.9: Network is unreachable (kernel: Nexthop has invalid gateway)" "$out" "refusal"
    must netns -n netns1 route add default via 10.1.1.2
    assert_eq "default via 10.1.1.2 dev veth1 " "$(netns -n netns1 route | head -1)" "default route"

    must netns delete netns1
    assert_run_dir_empty
}

test_route_listings_match_ip() {
    veth_up
    must ip addr add 10.1.1.1/24 dev veth0
    must ip addr add 2001:db8::1/64 dev veth0 nodad
    must netns route add default via 10.1.1.254
    must netns route add 10.6.0.0/16 dev veth0 metric 5
    must netns route add 10.5.0.0/16 via 10.1.1.5 dev veth0 proto static
    must netns route add 10.7.0.0/16 dev veth0 table 100 scope link proto static metric 9
    must netns route add 10.8.0.0/16 dev veth1 table 100000
    must netns route add blackhole 10.66.0.0/16
    must netns route add 2001:db8:7::/48 dev veth0 metric 7
    assert_same_run "route" -- netns route -- ip route
    assert_same_run "route show table 100" -- netns route show table 100 -- ip route show table 100
    assert_same_run "route show table 100000" -- netns route show table 100000 -- ip route show table 100000
    assert_same_run "route show table main" -- netns route show table main -- ip route show table main
    assert_eq "$(ip -j route | jq -S .)" "$(netns -j route | jq -S .)" "JSON routes"
    assert_eq "$(ip -j route show table all | jq -S .)" "$(netns -j route show table all | jq -S .)" "JSON routes, all tables"
    assert_same_run "route show table all" -- netns route show table all -- ip route show table all
    veth_down
}

test_route_replace_and_delete_match_ip() {
    veth_up
    must ip addr add 10.1.1.1/24 dev veth0
    must netns route add default via 10.1.1.254
    must netns route replace default via 10.1.1.253
    assert_eq "default via 10.1.1.253 dev veth0 " "$(ip route show default)" "replaced default"
    must netns route del default
    [ -z "$(ip route show default)" ] || fail "default route left"
    must netns route add 10.7.0.0/16 dev veth0 table 100
    must netns route del 10.7.0.0/16 table 100
    [ -z "$(ip route show table 100 2>/dev/null)" ] || fail "table 100 route left"
    veth_down
}

test_exit_statuses_match_ip() {
    veth_up
    must netns addr add 10.1.1.1/24 dev veth0
    assert_same_run "duplicate address" -- netns addr add 10.1.1.1/24 dev veth0 -- ip addr add 10.1.1.1/24 dev veth0
    assert_same_run "missing address" -- netns addr del 10.3.3.3/24 dev veth0 -- ip addr del 10.3.3.3/24 dev veth0
    assert_same_run "bad prefix" -- netns addr add 10.1.1.1/33 dev veth0 -- ip addr add 10.1.1.1/33 dev veth0
    assert_same_run "unknown device" -- netns addr add 10.1.1.1/24 dev nosuch -- ip addr add 10.1.1.1/24 dev nosuch
    assert_same_run "host bits in a route" -- netns route add 10.6.1.0/16 dev veth0 -- ip route add 10.6.1.0/16 dev veth0
    assert_same_run "missing route" -- netns route del 10.99.0.0/16 -- ip route del 10.99.0.0/16
    assert_same_run "missing table" -- netns route show table 123 -- ip route show table 123
    local err
    err=$(netns addr add 10.1.1.1/24 dev veth0 2>&1 >/dev/null)
    assert_eq "netns: cannot add address 10.1.1.1/24 dev veth0: already exists (kernel: ipv4: Address already assigned)" "$err" "kernel text"
    veth_down
}

test_addresses_match_ip() {
    veth_up
    must netns addr add 10.1.1.1/24 dev veth0
    must netns addr add 10.2.1.1/24 brd + dev veth0
    must netns addr add 10.3.1.1/24 brd - dev veth0
    must netns addr add 10.1.1.9/24 dev veth0
    must netns addr add 2001:db8::1/64 dev veth0 nodad
    must netns addr add 10.4.1.1/24 dev veth0 noprefixroute
    # As iproute2 6.x: no broadcast address unless asked. (Read once: with
    # pipefail, `ip | grep -q` fails when grep exits before ip has written.)
    local shown
    shown=$(ip -o -4 addr show dev veth0)
    grep -q "inet 10.1.1.1/24 scope global veth0" <<<"$shown" || fail "brd set without brd +: $shown"
    grep -q "inet 10.2.1.1/24 brd 10.2.1.255 scope" <<<"$shown" || fail "brd + not applied: $shown"
    grep -q "inet 10.3.1.1/24 brd 10.3.1.0 scope" <<<"$shown" || fail "brd - not applied: $shown"
    assert_eq "$(ip -j addr show dev veth0 | jq -S '.[0].addr_info')" \
        "$(netns -j addr show dev veth0 | jq -S '.[0].addr_info')" "JSON addr_info"
    # The whole text, the link's header lines included (the header as ip
    # prints it: flags, mtu, qdisc, state, group, qlen, link/ether … brd …).
    assert_eq "$(ip addr show dev veth0)" "$(netns addr show dev veth0)" "addr show"
    assert_eq "$(ip -o addr show dev veth0)" "$(netns -o addr show dev veth0)" "addr show -o"
    assert_eq "$(ip -br addr show dev veth0)" "$(netns -br addr show dev veth0)" "addr show -br"
    assert_eq "$(ip -j addr show dev veth0)" "$(netns -j addr show dev veth0)" "addr show -j"
    must netns addr del 10.1.1.9/24 dev veth0
    grep -q "10.1.1.9/" <<<"$(ip addr show dev veth0)" && fail "10.1.1.9 not deleted"
    must netns addr flush dev veth0
    [ -z "$(ip -o addr show dev veth0)" ] || fail "flush left: $(ip -o addr show dev veth0)"
    veth_down
}

run_tests
