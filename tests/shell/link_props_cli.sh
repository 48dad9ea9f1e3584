#!/usr/bin/env bash
# Link properties against `ip` and `bridge` (iproute2 6.1) in the same
# sandbox: alternative names (`ip link property`), interface flags (`arp`,
# `multicast`, `allmulticast`, `dynamic`, `trailers`), kind changes
# (`ip link set … type vxlan|bridge|macvlan|bridge_slave`), bridge port
# settings (`bridge link set|show`), and `ip -s link`'s counters. Each
# change is made by netns and read back by ip (and the other way round);
# listings are compared line for line, exit statuses as measured on ip.
cd "$(dirname "$0")/../.." || exit 2
. tests/shell/lib.bash

status_of() { "$@" >/dev/null 2>&1; echo $?; }

assert_same_status() {
    local what=$1; shift
    local a b
    a=$(status_of ip "$@")
    b=$(status_of netns "$@")
    assert_eq "$a" "$b" "exit status of '$what' (ip $a, netns $b)"
}

# The same JSON values, key order aside.
json_sorted() { python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))'; }

ports() {
    local l
    for l in br0 br1 v0 v2 vx0 d0; do ip link del "$l" 2>/dev/null; done
    ip link add br0 type bridge || fail "bridge"
    ip link add v0 type veth peer name v1 || fail "veth"
    ip link set v0 master br0 || fail "master"
}

test_altnames_are_added_shown_found_and_removed_as_by_ip() {
    ports
    must netns link property add dev v0 altname a-rather-long-alternative-name altname short0
    assert_same_run "link show with altnames" -- netns link show dev v0 -- ip link show dev v0
    assert_same_run "lookup by a long altname" -- netns link show dev a-rather-long-alternative-name -- ip link show dev a-rather-long-alternative-name
    assert_same_run "lookup by a short altname" -- netns link show short0 -- ip link show short0
    assert_eq "$(ip -j link show dev v0 | json_sorted)" "$(netns -j link show dev v0 | json_sorted)" "-j altnames"
    assert_same_run "addr show with altnames" -- netns addr show dev v0 -- ip addr show dev v0
    # Every lookup takes an altname: set by it, and ip sees the change.
    must netns link set dev a-rather-long-alternative-name mtu 1400
    ip link show v0 | grep -q "mtu 1400" || fail "set by altname"
    ip link property add dev v1 altname by-ip-name-for-v1
    assert_same_run "ip's altname" -- netns link show dev v1 -- ip link show dev v1
    must netns link property del dev v0 altname short0
    assert_eq "    altname a-rather-long-alternative-name" "$(ip link show dev v0 | grep altname)" "after del"
    assert_same_status "del of an altname the link lacks" link property del dev v0 altname nosuch
    assert_same_status "add to a missing device" link property add dev nosuch altname x
    assert_same_status "a taken altname" link property add dev v1 altname a-rather-long-alternative-name
    assert_same_status "property without altname" link property add dev v0
}

test_link_flags_as_ip() {
    ports
    must netns link set dev v0 arp off multicast off allmulticast on dynamic on trailers off
    assert_same_run "flags" -- netns link show dev v0 -- ip link show dev v0
    ip link show dev v0 | grep -q "<BROADCAST,NOARP,ALLMULTI,DYNAMIC,NOTRAILERS,M-DOWN>" || fail "flags set: $(ip link show dev v0)"
    must netns link set dev v0 arp on multicast on allmulticast off dynamic off trailers on promisc on
    ip link show dev v0 | grep -q "<BROADCAST,MULTICAST,PROMISC,M-DOWN>" || fail "flags back: $(ip link show dev v0)"
    must netns link set dev v0 allmulticast on arp off
    assert_same_run "flags in ip's order" -- netns link show dev v0 -- ip link show dev v0
    must netns link set dev v0 allmulticast off arp on
    ip link set dev v1 arp off
    assert_eq "$(ip -j link show dev v1 | json_sorted)" "$(netns -j link show dev v1 | json_sorted)" "-j NOARP"
    assert_same_status "arp maybe" link set dev v0 arp maybe
    must netns link set dev v0 alias "port of br0"
    assert_same_run "alias" -- netns link show dev v0 -- ip link show dev v0
    ip link property add dev v0 altname the-port-of-br0
    # ip prints the alias, then the counters, then the altnames.
    assert_same_run "-s with alias and altname" -- netns -s link show dev v0 -- ip -s link show dev v0
    assert_same_run "-o with altname" -- netns -o link show dev v0 -- ip -o link show dev v0
}

test_kind_changes_reach_the_kernel_and_its_refusals_come_back() {
    ip link add vx0 type vxlan id 5 dstport 4789 || fail "vxlan"
    must netns link set dev vx0 type vxlan ttl 9 nolearning
    ip -d link show vx0 | grep -q "ttl 9" || fail "vxlan ttl: $(ip -d link show vx0)"
    ip -d link show vx0 | grep -q "nolearning" || fail "vxlan learning"
    local err
    err=$(netns link set dev vx0 type vxlan id 6 2>&1); st=$?
    assert_eq 2 "$st" "exit status of a VNI change (ip: 2)"
    case "$err" in *"Cannot change VNI"*) ;; *) fail "the kernel's text is missing: $err" ;; esac
    must netns link set dev vx0 type vxlan id 5 ttl 10
    ip link add br1 type bridge
    must netns link set dev br1 type bridge stp_state 1 forward_delay 400
    ip -d link show br1 | grep -q "stp_state 1" || fail "stp_state: $(ip -d link show br1)"
    ip -d link show br1 | grep -q "forward_delay 400" || fail "forward_delay"
    ip link add d0 type dummy 2>/dev/null || { ip link del vx0; ip link del br1; return 0; }
    ip link add mv0 link d0 type macvlan mode vepa
    must netns link set dev mv0 type macvlan mode bridge
    ip -d link show mv0 | grep -q "macvlan mode bridge" || fail "macvlan mode: $(ip -d link show mv0)"
    assert_same_status "type change of the wrong kind" link set dev d0 type bridge stp_state 1
}

test_bridge_port_settings_as_bridge() {
    ports
    ip link add v2 type veth peer name v3
    ip link set v2 master br0
    assert_same_run "bridge link" -- netns bridge link -- bridge link
    must netns bridge link set dev v0 learning off flood off cost 7 priority 3 isolated on guard on hairpin on neigh_suppress on mcast_flood off
    assert_same_run "bridge link show" -- netns bridge link show -- bridge link show
    assert_same_run "bridge -d link show" -- netns -d bridge link show -- bridge -d link show
    assert_same_run "bridge link show dev" -- netns bridge link show dev v0 -- bridge link show dev v0
    assert_eq "$(bridge -j link show | json_sorted)" "$(netns -j bridge link show | json_sorted)" "bridge -j link"
    # bridge sets, netns reads; ip link set … type bridge_slave too.
    bridge link set dev v2 learning off
    ip link set dev v2 type bridge_slave cost 11
    must netns link set dev v0 type bridge_slave learning on cost 9
    assert_same_run "after ip's and netns's changes" -- netns -d bridge link show -- bridge -d link show
    assert_same_status "bridge_slave on a link that is no port" link set dev v1 type bridge_slave learning on
    local a b
    a=$(status_of bridge link set dev v1 learning on)
    b=$(status_of netns bridge link set dev v1 learning on)
    assert_eq "$a" "$b" "exit status of bridge link set on a link that is no port"
    a=$(status_of bridge link set dev nosuch learning on)
    b=$(status_of netns bridge link set dev nosuch learning on)
    assert_eq "$a" "$b" "exit status of bridge link set on a missing link"
}

test_stats_as_ip() {
    ip link set lo up
    ping -c 2 -i 0.2 -q 127.0.0.1 >/dev/null 2>&1
    assert_same_run "-s link show lo" -- netns -s link show lo -- ip -s link show lo
    assert_same_run "-s -s link show lo" -- netns -s -s link show lo -- ip -s -s link show lo
    assert_eq "$(ip -s -s -j link show lo | json_sorted)" "$(netns -s -s -j link show lo | json_sorted)" "-s -s -j"
}

run_tests
