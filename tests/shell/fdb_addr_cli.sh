#!/usr/bin/env bash
# `netns bridge fdb …` against `bridge fdb`, and `netns addr … peer …
# valid_lft … preferred_lft …` against `ip addr` (iproute2 as installed by
# `make setup`, measured on 6.1): the same listings (text and JSON values),
# the same effects, bridge's exit statuses (usage, missing device and the
# kernel's refusals 255; `get` finding nothing 254).
cd "$(dirname "$0")/../.." || exit 2
. tests/shell/lib.bash

status_of() { "$@" >/dev/null 2>&1; echo $?; }

# The exit status of the same words through `bridge` and `netns bridge`.
assert_same_bridge_status() {
    local what=$1; shift
    local a b
    a=$(status_of bridge "$@")
    b=$(status_of netns bridge "$@")
    assert_eq "$a" "$b" "exit status of '$what' (bridge $a, netns $b)"
}

# The same JSON values (key order aside).
json_values() {
    python3 -c 'import json,sys; print(sorted(json.dumps(o, sort_keys=True) for o in json.load(sys.stdin)))'
}

bridge_and_vxlan() {
    ip link add br0 type bridge || fail "bridge"
    ip link add d0 type veth peer name d1 || fail "veth"
    ip link set d0 master br0
    # d0 learns nothing: d1's IPv6 traffic would otherwise add dynamic
    # entries at any moment, between the two listings compared.
    ip link set d0 type bridge_slave learning off
    ip link set br0 up && ip link set d0 up && ip link set d1 up
    ip link add vx0 type vxlan id 42 dstport 4789 local 10.0.0.1 nolearning || fail "vxlan"
    ip link set vx0 up
}

teardown() {
    ip link del br0 2>/dev/null
    ip link del d0 2>/dev/null
    ip link del vx0 2>/dev/null
}

test_fdb_vxlan_remotes_and_bridge_entries_match_bridge() {
    bridge_and_vxlan
    must netns bridge fdb add 00:11:22:33:44:55 dev vx0 dst 10.0.0.2 self permanent
    bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.3
    must netns bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.4 vni 100 port 4790
    must netns bridge fdb add 02:00:00:00:00:01 dev d0 master static
    bridge fdb add 02:00:00:00:00:02 dev d0 master extern_learn
    must netns bridge fdb add 02:00:00:00:00:04 dev d0 self local
    assert_same_run "fdb" -- netns bridge fdb -- bridge fdb
    assert_same_run "fdb show" -- netns bridge fdb show -- bridge fdb show
    assert_same_run "fdb show dev vx0" -- netns bridge fdb show dev vx0 -- bridge fdb show dev vx0
    assert_same_run "fdb show br br0" -- netns bridge fdb show br br0 -- bridge fdb show br br0
    assert_same_run "fdb show brport d0" -- netns bridge fdb show brport d0 -- bridge fdb show brport d0
    assert_same_run "fdb show state static" -- netns bridge fdb show br br0 state static \
        -- bridge fdb show br br0 state static
    assert_same_run "fdb show dynamic" -- netns bridge fdb show br br0 dynamic -- bridge fdb show br br0 dynamic
    assert_same_run "-s fdb show dev vx0" -- netns -s bridge fdb show dev vx0 -- bridge -s fdb show dev vx0
    netns bridge fdb show dev vx0 | grep -qx "00:11:22:33:44:55 dst 10.0.0.2 self permanent" \
        || fail "vxlan remote line"
    netns bridge fdb show br br0 | grep -qx "02:00:00:00:00:01 dev d0 master br0 static" \
        || fail "bridge master line"
    local a b
    for sel in "dev vx0" "br br0" "brport d0"; do
        # shellcheck disable=SC2086
        a=$(bridge -j fdb show $sel | json_values)
        # shellcheck disable=SC2086
        b=$(netns -j bridge fdb show $sel | json_values)
        assert_eq "$a" "$b" "-j fdb show $sel"
    done
    assert_same_run "fdb get self" -- netns bridge fdb get 00:11:22:33:44:55 dev vx0 self \
        -- bridge fdb get 00:11:22:33:44:55 dev vx0 self
    assert_same_run "fdb get br" -- netns bridge fdb get 02:00:00:00:00:01 br br0 \
        -- bridge fdb get 02:00:00:00:00:01 br br0
    a=$(bridge -j fdb get 02:00:00:00:00:01 br br0 | json_values)
    b=$(netns -j bridge fdb get 02:00:00:00:00:01 br br0 | json_values)
    assert_eq "$a" "$b" "-j fdb get"
    must netns bridge fdb replace 00:11:22:33:44:55 dev vx0 dst 10.0.0.9
    bridge fdb show dev vx0 | grep -qx "00:11:22:33:44:55 dst 10.0.0.9 self permanent" || fail "replace"
    must netns bridge fdb del 00:11:22:33:44:55 dev vx0 dst 10.0.0.9
    bridge fdb show dev vx0 | grep -q "00:11:22:33:44:55" && fail "del"
    must netns bridge fdb del 00:00:00:00:00:00 dev vx0 dst 10.0.0.3
    bridge fdb show dev vx0 | grep -q "dst 10.0.0.3" && fail "del of one remote"
    bridge fdb show dev vx0 | grep -q "dst 10.0.0.4" || fail "the other remote stays"
    # flush of the bridge's entries of one port; the port's own table stays.
    must netns bridge fdb flush dev br0 brport d0
    bridge fdb show br br0 | grep -q "dev d0 master" && fail "flush brport"
    # d0's own entries are dumped from its address lists, which IPv6 keeps
    # changing while the links come up (33:33:… groups): a dump that meets a
    # change can miss lines, so the listing is read again before failing.
    local tries=0
    until bridge fdb show brport d0 | grep -qx "02:00:00:00:00:04 self permanent"; do
        tries=$((tries + 1))
        [ "$tries" -lt 5 ] || fail "flush spared self"
        sleep 0.2
    done
    teardown
}

test_fdb_exit_statuses_as_bridge() {
    bridge_and_vxlan
    bridge fdb add 00:11:22:33:44:55 dev vx0 dst 10.0.0.2
    assert_same_bridge_status "duplicate add" fdb add 00:11:22:33:44:55 dev vx0 dst 10.0.0.2
    assert_same_bridge_status "delete of nothing" fdb del 00:11:22:33:44:99 dev vx0
    assert_same_bridge_status "missing device" fdb add 00:11:22:33:44:56 dev nosuch
    assert_same_bridge_status "bad mac" fdb add 00:11:zz dev vx0
    assert_same_bridge_status "no device" fdb add 00:11:22:33:44:56
    assert_same_bridge_status "unknown command" fdb bogus
    assert_same_bridge_status "get of nothing" fdb get 02:00:00:00:00:09 br br0
    assert_same_bridge_status "get of a missing bridge" fdb get 02:00:00:00:00:09 br nosuch
    assert_same_bridge_status "show of a missing device" fdb show dev nosuch
    assert_same_bridge_status "flush without a device" fdb flush
    assert_same_bridge_status "flush of a missing device" fdb flush dev nosuch
    teardown
}

test_addr_peer_and_lifetimes_match_ip() {
    ip link add v0 type veth peer name v1 || fail "veth"
    must netns addr add 10.0.0.1 peer 10.0.0.2/32 dev v0
    must netns addr add 10.1.0.1/24 dev v0 valid_lft 100 preferred_lft 50
    must netns addr add 10.2.0.1/24 dev v0 valid_lft forever preferred_lft 0
    ip addr add 10.3.0.1 peer 10.3.0.0/24 dev v0
    assert_same_run "addr show dev v0" -- netns addr show dev v0 -- ip addr show dev v0
    assert_same_run "-4 addr" -- netns -4 addr -- ip -4 addr
    netns addr show dev v0 | grep -q "inet 10.0.0.1 peer 10.0.0.2/32 scope global v0" \
        || fail "peer line"
    netns addr show dev v0 | grep -Eq "valid_lft (100|99)sec preferred_lft (50|49)sec" \
        || fail "lifetimes line"
    local a b
    a=$(ip -j addr show dev v0 | json_values)
    b=$(netns -j addr show dev v0 | json_values)
    assert_eq "$a" "$b" "-j addr show dev v0"
    # Deleting a point-to-point address takes its peer, as ip.
    assert_eq "$(status_of ip addr del 10.0.0.1/32 dev v0)" "$(status_of netns addr del 10.0.0.1/32 dev v0)" \
        "exit status of a delete without the peer"
    must netns addr del 10.0.0.1 peer 10.0.0.2/32 dev v0
    ip addr show dev v0 | grep -q "10.0.0.1" && fail "peer address deleted"
    # ip's refusals of lifetimes, same status.
    assert_eq "$(status_of ip addr add 10.4.0.1/24 dev v0 valid_lft 10 preferred_lft 20)" \
        "$(status_of netns addr add 10.4.0.1/24 dev v0 valid_lft 10 preferred_lft 20)" \
        "exit status of preferred_lft > valid_lft"
    assert_eq "$(status_of ip addr add 10.4.0.1/24 dev v0 valid_lft soon)" \
        "$(status_of netns addr add 10.4.0.1/24 dev v0 valid_lft soon)" \
        "exit status of a bad lifetime"
    ip link del v0
}

run_tests
