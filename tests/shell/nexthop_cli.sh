#!/usr/bin/env bash
# `netns nexthop …` against `ip nexthop …` (iproute2 6.1) in the same
# sandbox: the same listings (text byte for byte, JSON, -d), the same
# effects (groups, weights, resilient groups, blackholes, routes through
# nhid, replace, flush), and ip's exit statuses (measured with iproute2 6.1
# on this kernel: usage, unknown device, bad group/type/protocol 255; an
# address of the wrong family 1; a `flush id` of nothing 1; the kernel's
# refusals 2). The cases follow the kernel's selftest
# tools/testing/selftests/net/fib_nexthops.sh (ipv4_fcnal, ipv4_grp_fcnal:
# "Nexthop group with invalid nexthop id", "Blackhole nexthop with other
# attributes", deleting a member shrinks the group, the last member takes
# it with it) and iproute2's man page ip-nexthop(8).
cd "$(dirname "$0")/../.." || exit 2
. tests/shell/lib.bash

status_of() { "$@" >/dev/null 2>&1; echo $?; }

# The exit status of the same words through ip and netns.
assert_same_status() {
    local what=$1; shift
    local a b
    a=$(status_of ip "$@")
    b=$(status_of netns "$@")
    assert_eq "$a" "$b" "exit status of '$what' (ip $a, netns $b)"
}

setup() {
    ip link set lo up
    ip link add v0 type veth peer name v1 || fail "veth"
    ip link set v0 up && ip link set v1 up
    ip addr add 10.0.0.2/24 dev v0
    ip -6 addr add 2001:db8::2/64 dev v0 nodad
}

teardown() {
    ip nexthop flush >/dev/null 2>&1
    ip link del v0 2>/dev/null
}

# Half the nexthops added by netns, half by ip: each must read the other's.
add_mixed() {
    must netns nexthop add id 1 via 10.0.0.1 dev v0
    ip nexthop add id 2 via 10.0.0.3 dev v0 onlink || fail "ip add 2"
    must netns nexthop add id 3 group 1/2
    ip nexthop add id 4 blackhole || fail "ip add 4"
    must netns nexthop add id 5 group 1,10/2,20
    must netns nexthop add id 6 dev v0
    must netns nexthop add id 7 via 2001:db8::1 dev v0
    must netns nexthop add id 8 group 1/2 type resilient buckets 8 idle_timer 120
    must netns nexthop add id 9 via 10.0.0.9 dev v0 proto static
    must netns -6 nexthop add id 10 blackhole
}

test_listings_match_ip() {
    setup
    add_mixed
    assert_same_run "nexthop" -- netns nexthop -- ip nexthop
    assert_same_run "nexthop show" -- netns nexthop show -- ip nexthop show
    assert_same_run "nexthop list" -- netns nexthop list -- ip nexthop list
    assert_same_run "show dev" -- netns nexthop show dev v0 -- ip nexthop show dev v0
    assert_same_run "show groups" -- netns nexthop show groups -- ip nexthop show groups
    assert_same_run "show protocol" -- netns nexthop show protocol 4 -- ip nexthop show protocol 4
    assert_same_run "show id" -- netns nexthop show id 5 -- ip nexthop show id 5
    assert_same_run "get id" -- netns nexthop get id 8 -- ip nexthop get id 8
    assert_same_run "-4" -- netns -4 nexthop -- ip -4 nexthop
    assert_same_run "-6" -- netns -6 nexthop -- ip -6 nexthop
    assert_same_run "-d" -- netns -d nexthop show -- ip -d nexthop show
    assert_same_run "-j" -- netns -j nexthop show -- ip -j nexthop show
    assert_same_run "-j -d" -- netns -j -d nexthop show -- ip -j -d nexthop show
    assert_same_run "-j get" -- netns -j nexthop get id 5 -- ip -j nexthop get id 5
    assert_same_run "-j -p" -- netns -j -p nexthop show id 8 -- ip -j -p nexthop show id 8
    # The lines themselves, as ip-nexthop(8) and fib_nexthops.sh show them.
    netns nexthop show >"$SCRATCH/out"
    grep -qx "id 3 group 1/2 " "$SCRATCH/out" || fail "group line"
    grep -qx "id 5 group 1,10/2,20 " "$SCRATCH/out" || fail "weighted group line"
    grep -qx "id 4 blackhole " "$SCRATCH/out" || fail "blackhole line"
    grep -qx "id 1 via 10.0.0.1 dev v0 scope link " "$SCRATCH/out" || fail "gateway line"
    teardown
}

test_fdb_nexthops_match_ip() {
    setup
    must netns nexthop add id 10 via 10.0.0.1 fdb
    ip nexthop add id 11 group 10 fdb || fail "ip fdb group"
    assert_same_run "fdb" -- netns nexthop -- ip nexthop
    ip nexthop add id 12 via 10.0.0.1 dev v0
    # fdb nexthops only: the kernel gets NHA_FDB as from ip, but Linux 6.18
    # answers with every nexthop (ip 6.1 then prints id 12 too); netns also
    # checks NHA_FDB on what comes back.
    assert_eq "id 10 via 10.0.0.1 scope link fdb
id 11 group 10 fdb" "$(netns nexthop show fdb)" "show fdb"
    assert_same_run "-j fdb" -- netns -j nexthop -- ip -j nexthop
    teardown
}

test_routes_through_nexthop_ids_match_ip() {
    setup
    add_mixed
    must netns route add 10.8.0.0/16 nhid 1
    ip route add 10.9.0.0/16 nhid 3 || fail "ip route nhid"
    must netns route add 10.7.0.0/16 nhid 4
    assert_same_run "route show" -- netns route show -- ip route show
    grep -qx "10.8.0.0/16 nhid 1 via 10.0.0.1 dev v0 " <<<"$(ip route show)" || fail "nhid line"
    # replace moves the routes that use it.
    must netns nexthop replace id 1 via 10.0.0.7 dev v0
    grep -qx "10.8.0.0/16 nhid 1 via 10.0.0.7 dev v0 " <<<"$(ip route show)" || fail "replace"
    assert_same_run "after replace" -- netns nexthop -- ip nexthop
    # Deleting a member shrinks its groups; the route via it goes.
    must netns nexthop del id 1
    assert_eq "id 3 group 2 " "$(ip nexthop show id 3)" "group 3 without member 1"
    grep -q "10.8.0.0" <<<"$(ip route show)" && fail "route via a deleted nexthop"
    assert_same_run "route show after del" -- netns route show -- ip route show
    # The last member takes the groups with it.
    must netns nexthop del id 2
    assert_eq "" "$(ip nexthop show groups)" "no groups left"
    teardown
}

# The same flush through ip and netns, each on the same nexthops: the same
# words, status and what is left.
same_flush() {
    local what=$1; shift
    local a b left_a left_b st_a st_b
    ip nexthop flush >/dev/null; add_mixed
    a=$(ip nexthop flush "$@" 2>/dev/null); st_a=$?
    left_a=$(ip nexthop show)
    ip nexthop flush >/dev/null; add_mixed
    b=$(netns nexthop flush "$@" 2>/dev/null); st_b=$?
    left_b=$(ip nexthop show)
    assert_eq "$a" "$b" "$what: output"
    assert_eq "$st_a" "$st_b" "$what: status"
    assert_eq "$left_a" "$left_b" "$what: what is left"
}

test_flush_matches_ip() {
    setup
    same_flush "flush dev" dev v0
    assert_eq "id 4 blackhole 
id 10 blackhole " "$(ip nexthop show)" "blackholes are not out of v0"
    same_flush "flush" 
    assert_eq "" "$(ip nexthop show)" "all gone"
    same_flush "flush groups" groups
    same_flush "flush protocol" protocol 4
    same_flush "flush id" id 4
    # Nothing to flush: ip's words and status.
    ip nexthop flush >/dev/null
    assert_same_run "flush of nothing" -- netns nexthop flush -- ip nexthop flush
    assert_same_status "flush id of nothing" nexthop flush id 4
    teardown
}

test_exit_statuses_as_ip() {
    setup
    ip nexthop add id 1 via 10.0.0.1 dev v0
    assert_same_status "duplicate add" nexthop add id 1 via 10.0.0.1 dev v0
    assert_same_status "missing device" nexthop add id 2 via 10.0.0.1 dev nosuch
    assert_same_status "show of a missing device" nexthop show dev nosuch
    assert_same_status "weight 0" nexthop add id 2 group 1,0
    assert_same_status "weight 257" nexthop add id 2 group 1,257
    assert_same_status "empty group" nexthop add id 2 group ""
    assert_same_status "unknown word" nexthop add id 2 bogus
    assert_same_status "bad id" nexthop add id x via 10.0.0.1 dev v0
    assert_same_status "no device" nexthop add id 2 via 10.0.0.1
    assert_same_status "invalid member" nexthop add id 2 group 1/99
    assert_same_status "bad type" nexthop add id 2 group 1 type bogus
    assert_same_status "blackhole with a device" nexthop add id 3 blackhole dev v0
    assert_same_status "two families" nexthop add id 3 via 1.2.3.4 via 2001:db8::1
    assert_same_status "zero buckets" nexthop add id 6 group 1 type resilient buckets 0
    assert_same_status "bad protocol" nexthop add id 5 protocol bogus via 10.0.0.1 dev v0
    assert_same_status "show protocol by name" nexthop show protocol static
    assert_same_status "del without id" nexthop del
    assert_same_status "del of nothing" nexthop del id 99
    assert_same_status "get without id" nexthop get
    assert_same_status "get of nothing" nexthop get id 99
    assert_same_status "show id of nothing" nexthop show id 99
    assert_same_status "unknown command" nexthop bogus
    assert_same_status "unknown selector" nexthop show bogus
    assert_same_status "incomplete" nexthop show id
    assert_same_status "help" nexthop help
    # And what was refused left nothing behind.
    assert_same_run "after refusals" -- netns nexthop -- ip nexthop
    assert_eq "id 1 via 10.0.0.1 dev v0 scope link " "$(ip nexthop show)" "only nexthop 1"
    teardown
}

run_tests
