#!/usr/bin/env bash
# `netns route show|flush SELECTORS` against `ip route show|flush` (iproute2
# as installed by `make setup`): every selector of iproute2's
# `iproute_list_flush_or_save` that netns reads, with the keyword prefixes ip
# accepts, the same lines (ip leaves out what a selector pinned: dev, proto,
# scope, via, metric), the same exit statuses, and flushes that remove what
# `ip route flush` would. Selector semantics from ip-route(8): `root` routes
# inside the prefix, `match` routes containing it, `exact` (or the prefix
# alone) that prefix only.
cd "$(dirname "$0")/../.." || exit 2
. tests/shell/lib.bash

status_of() { "$@" >/dev/null 2>&1; echo $?; }

routes() {
    ip link add v0 type veth peer name v1 || fail "veth"
    ip link add v2 type veth peer name v3 || fail "veth"
    for d in v0 v1 v2 v3; do ip link set "$d" up; done
    ip addr add 10.1.1.1/24 dev v0 && ip addr add 10.2.2.1/24 dev v2
    ip route add default via 10.1.1.2
    ip route add 10.0.0.0/8 via 10.1.1.3 proto static
    ip route add 10.5.0.0/16 via 10.2.2.2 src 10.2.2.1
    ip route add 10.5.1.0/24 dev v2 scope link metric 7
    ip route add 10.6.0.0/16 nexthop via 10.1.1.2 nexthop via 10.2.2.2
    ip route add unreachable 10.7.0.0/16
    ip route add 10.8.0.0/16 via 10.1.1.2 table 100
}

# The links (and with them their routes) and table 100, gone.
clean() {
    ip link del v0 2>/dev/null
    ip link del v2 2>/dev/null
    ip route flush table 100 2>/dev/null
    ip route flush table main 2>/dev/null
}

SELECTORS=(
    "" "root 10.5.0.0/16" "match 10.5.1.0/24" "exact 10.5.0.0/16" "10.5.0.0/16"
    "to 10.5.0.0/16" "to root 10.0.0.0/8" "default" "via 10.2.2.2" "src 10.2.2.0/24"
    "scope link" "proto static" "type unreachable" "dev v2" "table 100" "table all"
    "ro 10.0.0.0/8" "m 7" "metric 7" "proto all" "scope all" "table all root 10.8.0.0/16"
    "dev v2 scope link" "10.5.0.0/16 10.0.0.0/8"
)

test_show_selectors_match_ip() {
    routes
    local sel
    for sel in "${SELECTORS[@]}"; do
        # shellcheck disable=SC2086 # the selector's words
        assert_same_run "route show $sel" -- netns route show $sel -- ip route show $sel
    done
    # shellcheck disable=SC2043
    for sel in "garbage" "m 10.5.0.1" "scope nowhere-else" "table nosuch"; do
        # shellcheck disable=SC2086
        assert_eq "$(status_of ip route show $sel)" "$(status_of netns route show $sel)" "exit status of 'route show $sel'"
    done
    clean
}

test_flush_selectors_remove_what_ip_removes() {
    local sel
    clean
    for sel in "via 10.2.2.2" "root 10.5.0.0/16" "match 10.5.1.0/24" "10.0.0.0/8" "proto static" "dev v2" "scope link" "table 100"; do
        routes
        # shellcheck disable=SC2086
        must ip route flush $sel
        local want; want=$(ip -4 route show table all)
        clean
        routes
        # shellcheck disable=SC2086
        must netns route flush $sel
        assert_eq "$want" "$(ip -4 route show table all)" "route flush $sel"
        clean
    done
}

test_change_append_prepend_as_ip() {
    clean
    ip link add v0 type veth peer name v1 || fail "veth"
    ip link set v0 up && ip link set v1 up
    ip addr add 10.1.1.1/24 dev v0
    local verb
    must netns route add 10.50.0.0/16 via 10.1.1.2
    ip route add 10.60.0.0/16 via 10.1.1.2
    for verb in "change:10.1.1.3" "append:10.1.1.4" "prepend:10.1.1.5"; do
        must netns route "${verb%%:*}" 10.50.0.0/16 via "${verb#*:}"
        ip route "${verb%%:*}" 10.60.0.0/16 via "${verb#*:}"
    done
    assert_eq "$(ip route show root 10.60.0.0/16 | sed 's/10.60/P/')" \
        "$(ip route show root 10.50.0.0/16 | sed 's/10.50/P/')" "change, append, prepend"
    assert_eq "$(status_of ip route change 10.70.0.0/16 via 10.1.1.2)" \
        "$(status_of netns route change 10.70.0.0/16 via 10.1.1.2)" "exit status of a change of nothing"
    clean
}

run_tests
