#!/usr/bin/env bash
# `netns neigh …` and `netns rule …` against `ip neigh` and `ip rule`
# (iproute2 as installed by `make setup`): the same listings (text and
# JSON values), the same effects, ip's exit statuses for each kind of
# refusal (as measured on iproute2 6.1: usage 255, missing device 1, bad
# lladdr 1, flush without arguments 1, the kernel's refusals 2).
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

veth() {
    ip link add v0 type veth peer name v1 || fail "veth"
    ip link set v0 up && ip link set v1 up
}

test_neigh_listing_and_changes_match_ip() {
    veth
    must netns neigh add 10.0.0.2 lladdr 02:00:00:00:00:01 dev v0
    ip neigh add 10.0.0.3 lladdr 02:00:00:00:00:03 dev v0 nud stale
    must netns neigh add 2001:db8::5 lladdr 02:00:00:00:00:05 dev v0 router
    assert_same_run "neigh" -- netns neigh -- ip neigh
    assert_same_run "neigh show dev" -- netns neigh show dev v0 -- ip neigh show dev v0
    assert_same_run "neigh nud stale" -- netns neigh show nud stale -- ip neigh show nud stale
    assert_same_run "neigh get" -- netns neigh get 10.0.0.2 dev v0 -- ip neigh get 10.0.0.2 dev v0
    # JSON: the same values (key order aside).
    local a b
    a=$(ip -j neigh show dev v0 | python3 -c 'import json,sys; print(sorted(json.dumps(o, sort_keys=True) for o in json.load(sys.stdin)))')
    b=$(netns -j neigh show dev v0 | python3 -c 'import json,sys; print(sorted(json.dumps(o, sort_keys=True) for o in json.load(sys.stdin)))')
    assert_eq "$a" "$b" "-j neigh show dev v0"
    must netns neigh replace 10.0.0.2 lladdr 02:00:00:00:00:02 dev v0 nud reachable
    ip neigh show 10.0.0.2 dev v0 | grep -q "lladdr 02:00:00:00:00:02 REACHABLE" || fail "replace"
    must netns neigh del 10.0.0.3 dev v0
    ip neigh show 10.0.0.3 dev v0 | grep -q . && fail "del"
    # flush spares permanent entries unless nud all/permanent, as ip.
    must netns neigh flush dev v0
    ip neigh show dev v0 | grep -q "10.0.0.2" || true
    must netns neigh flush dev v0 nud all
    assert_eq "" "$(ip neigh show dev v0)" "nothing left after flush nud all"
    ip link del v0
}

test_neigh_exit_statuses_as_ip() {
    veth
    ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:01 dev v0
    assert_same_status "duplicate add" neigh add 10.0.0.2 lladdr 02:00:00:00:00:01 dev v0
    assert_same_status "missing device" neigh add 10.0.0.3 dev nosuch
    assert_same_status "bad lladdr" neigh add 10.0.0.3 lladdr zz dev v0
    assert_same_status "unknown command" neigh bogus
    assert_same_status "delete of nothing" neigh del 10.0.0.9 dev v0
    assert_same_status "flush without arguments" neigh flush
    assert_same_status "show of a missing device" neigh show dev nosuch
    assert_same_status "get of nothing" neigh get 10.0.0.9 dev v0
    assert_same_status "bad state" neigh add 10.0.0.4 lladdr 02:00:00:00:00:01 dev v0 nud bogus
    ip link del v0
}

test_rule_listing_changes_and_statuses_match_ip() {
    veth
    must netns rule add prio 100 from 10.0.0.0/8 table 100
    must netns rule add fwmark 0x10/0xff iif v0 pref 200 lookup 7
    ip rule add to 192.168.0.0/16 prohibit pref 300
    must netns rule add not from 10.1.0.0/16 pref 400 unreachable
    # A table kept with an action, in both orders (ip: `lookup 15 prohibit`;
    # netns once dropped the table, or the action when the table came last).
    must netns rule add pref 150 table 15 prohibit
    ip rule add pref 151 table 15 prohibit
    must netns rule add pref 160 blackhole table 16
    ip rule add pref 161 blackhole table 16
    assert_eq "150:	from all lookup 15 prohibit" "$(ip rule | grep '^150:')" "table + prohibit"
    assert_eq "160:	from all lookup 16 blackhole" "$(ip rule | grep '^160:')" "blackhole + table"
    assert_eq "$(ip rule | grep '^161:' | cut -f2)" "$(ip rule | grep '^160:' | cut -f2)" "as ip's"
    ip rule del pref 151
    ip rule del pref 161
    must netns rule del pref 150
    must netns rule del pref 160
    assert_same_run "rule" -- netns rule -- ip rule
    assert_same_run "rule list" -- netns rule list -- ip rule list
    assert_same_status "duplicate rule" rule add prio 100 from 10.0.0.0/8 table 100
    assert_same_status "delete of nothing" rule del prio 555
    assert_same_status "unknown command" rule bogus
    must netns rule del prio 100
    must netns rule del pref 200
    must netns rule del to 192.168.0.0/16 prohibit
    must netns rule del pref 400
    assert_same_run "rule after deletes" -- netns rule -- ip rule
    assert_eq 3 "$(ip rule | wc -l)" "the three default rules are left"
    # IPv6 rules, and a flush that keeps the defaults as ip's.
    must netns rule add -6 from 2001:db8::/32 table 5 pref 50
    assert_same_run "-6 rule" -- netns rule -6 -- ip -6 rule
    must netns rule flush -6
    assert_same_run "-6 rule after flush" -- netns rule -6 -- ip -6 rule
    ip link del v0
}

run_tests
