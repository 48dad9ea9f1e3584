#!/usr/bin/env bash
# `netns link …` against `ip link`: same listings (text and JSON), same
# effects, ip's exit statuses, the kernel's own words on refusals.
cd "$(dirname "$0")/../.." || exit 2
. tests/shell/lib.bash

test_listing_matches_ip() {
    must netns link add v0 type veth peer name v1
    must netns link add br0 type bridge
    must netns link set v0 master br0
    must netns link set dev lo up
    assert_same_run "link" -- netns link -- ip link
    assert_same_run "link show dev" -- netns link show dev v0 -- ip link show dev v0
    assert_same_run "-j link" -- netns -j link -- ip -j link
    must netns link del v0
    must netns link del br0
}

test_veth_peer_born_in_named_namespace() {
    must netns add n1
    must netns link add veth0 type veth peer name veth1 netns n1
    assert_eq "lo veth1" "$(ip -n n1 -o link | awk -F': ' '{split($2, a, "@"); printf "%s ", a[1]}' | sed 's/ $//')" "links in n1"
    assert_same_run "link-netns in text" -- netns link show veth0 -- ip link show veth0
    assert_same_run "-n n1 link" -- netns -n n1 link -- ip -n n1 link
    must netns link del veth0
    must netns delete n1
}

test_set_several_changes_at_once() {
    must netns link add a0 type veth peer name a1
    must netns link set dev a0 up mtu 1400 name b0 address 02:00:00:00:00:0a
    ip -o link show dev b0 | grep -q "mtu 1400" || fail "mtu not set"
    ip -o link show dev b0 | grep -q "link/ether 02:00:00:00:00:0a" || fail "address not set"
    ip -o link show dev b0 | grep -q "<.*UP" || fail "not up"
    must netns link set b0 down
    ip -o link show dev b0 | grep -q ",UP" && fail "still up"
    must netns link del b0
}

test_move_by_name_and_by_pid() {
    must netns add n1
    must netns link add m0 type veth peer name m1
    must netns link set m1 netns n1
    ip -n n1 -o link show dev m1 >/dev/null || fail "m1 not in n1"
    ip netns exec n1 sleep 30 &
    local pid=$!
    sleep 0.2
    must netns link set m0 netns "$pid"
    ip -n n1 -o link show dev m0 >/dev/null || fail "m0 not moved by pid"
    kill "$pid"
    wait "$pid" 2>/dev/null
    must netns delete n1
}

test_exit_statuses_and_kernel_words() {
    local err st
    err=$(netns link add d0 type dummy 2>&1); st=$?
    assert_eq 2 "$st" "exit status of a kernel refusal"
    assert_eq 'netns: cannot add link "d0" (dummy): not supported (kernel: Unknown device type)' "$err"
    netns link show nope 2>/dev/null; assert_eq 1 "$?" "missing device (ip: 1)"
    netns link set nope up 2>/dev/null; assert_eq 1 "$?" "missing device on set"
    netns link set lo mtu 2>/dev/null; assert_eq 255 "$?" "incomplete command (ip: 255)"
    netns link set lo bogus 2>/dev/null; assert_eq 255 "$?" "garbage (ip: 255)"
    netns link add "a/b" type bridge 2>/dev/null; assert_eq 255 "$?" "bad name"
    must netns link add t0 type veth peer name t1
    err=$(netns link set t0 mtu 100000 2>&1); st=$?
    assert_eq 2 "$st" "mtu too big"
    case "$err" in *"(kernel: mtu greater than device maximum)") ;; *) fail "no kernel text: $err" ;; esac
    must netns link del t0
    assert_eq "lo" "$(ip -o link | awk -F': ' '{print $2}')" "nothing was left"
}

run_tests
