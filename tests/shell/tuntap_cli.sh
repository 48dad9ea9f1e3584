#!/usr/bin/env bash
# `netns tuntap …` against `ip tuntap …` / `ip -d link` (iproute2 as
# installed by `make setup`): the devices made are the ones ip makes (kind
# tun, the same type, owner, group, persist, pi/vnet_hdr/multi_queue flags
# as `ip -d link show` reports them), deleted as ip deletes them, in the
# current namespace and with -n in a named one.
cd "$(dirname "$0")/../.." || exit 2
. tests/shell/lib.bash

# The tun part of `ip -d link show DEV` (from "tun type").
tun_details() {
    ip -d -o link show dev "$1" | grep -o 'tun type .*' | sed -E 's/ (addrgenmode|numtxqueues|gso_max|gro_max|tso_max|parentbus|parentdev).*//'
}

test_add_matches_ip_tuntap_add() {
    ip tuntap add dev iptap0 mode tap user 1000 group 1001 vnet_hdr
    must netns tuntap add dev nstap0 mode tap user 1000 group 1001 vnet_hdr
    assert_eq "$(tun_details iptap0)" "$(tun_details nstap0)" "tap with owner, group, vnet_hdr"
    ip tuntap add iptun0 mode tun pi
    must netns tuntap add nstun0 mode tun pi
    assert_eq "$(tun_details iptun0)" "$(tun_details nstun0)" "tun with pi"
    ip tuntap add ipmq0 mode tap multi_queue
    must netns tuntap add nsmq0 mode tap multi_queue
    assert_eq "$(tun_details ipmq0)" "$(tun_details nsmq0)" "tap with multi_queue"
    local shown
    shown=$(netns tuntap show)
    echo "$shown" | grep -qx "nstap0: tap vnet_hdr persist user 1000 group 1001" || fail "show: $shown"
    echo "$shown" | grep -qx "nstun0: tun pi persist" || fail "show: $shown"
    must netns tuntap del nstap0 mode tap
    must netns tuntap del dev nstun0
    ip link show nstap0 >/dev/null 2>&1 && fail "nstap0 left"
    ip tuntap del iptap0 mode tap
    ip tuntap del iptun0 mode tun
    ip tuntap del ipmq0 mode tap multi_queue
    must netns tuntap del nsmq0
}

test_refusals() {
    local st
    must netns tuntap add dev t0 mode tap
    netns tuntap add dev t0 mode tap 2>/dev/null; st=$?
    [ "$st" -ne 0 ] || fail "a second t0 was accepted"
    netns tuntap add dev t1 mode bogus 2>/dev/null; st=$?
    assert_eq 255 "$st" "bad mode"
    ip link add v0 type veth peer name v1
    netns tuntap del v0 2>/dev/null; st=$?
    [ "$st" -ne 0 ] || fail "deleted a veth as a tun"
    ip link show v0 >/dev/null 2>&1 || fail "v0 was deleted"
    ip link del v0
    must netns tuntap del t0
}

test_in_a_named_namespace() {
    must netns add t1
    must netns -n t1 tuntap add dev tapn mode tap
    ip -n t1 link show tapn >/dev/null || fail "tapn not in t1"
    ip link show tapn >/dev/null 2>&1 && fail "tapn in the current namespace"
    assert_eq "tapn: tap persist" "$(netns -n t1 tuntap show)" "show in t1"
    must netns -n t1 tuntap del tapn
    must netns delete t1
}

run_tests
