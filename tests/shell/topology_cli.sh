#!/usr/bin/env bash
# `netns apply|status|check|destroy FILE` and `netns demo`, checked against
# what `ip` and `nft` see; the sandbox is left as it was found.
cd "$(dirname "$0")/../.." || exit 2
. tests/shell/lib.bash

export NETNS_ETC_DIR=/run/netns-test-etc NETNS_STATE_DIR=/run/netns-topology-shell

# The sandbox's root state that an apply touches.
state() {
    ip -o link | awk -F': ' '{print $2}'
    ip -o addr | awk '{print $2, $4}'
    nft list tables
    ls -A /run/netns /run/netns-test-etc
    sysctl -n net.ipv4.ip_forward
}

# bridge-nat's NAT uplink turns forwarding on in the root; the change counts
# below include it, so it starts off (a sandbox copies ip_forward from the
# host's, and a Docker host forwards).
test_bridge_nat_example() {
    local before out
    must sysctl -qw net.ipv4.ip_forward=0
    before=$(state)
    trap 'netns destroy examples/bridge-nat.toml >/dev/null 2>&1' EXIT
    out=$(netns apply examples/bridge-nat.toml) || fail "apply: $out"
    grep -q 'topology "bridge-nat": 22 changes' <<<"$out" || fail "apply said: $out"
    assert_eq "blue green red" "$(netns list | awk '{print $1}' | sort | xargs)" "namespaces"
    assert_eq "10.30.0.11/24" "$(ip -n red -o -4 addr show dev eth0 | awk '{print $4}')" "red's address (ip)"
    assert_eq "default via 10.30.0.1 dev eth0" "$(ip -n red route show default | sed 's/ *$//')" "red's default route (ip)"
    assert_eq "br-lab" "$(ip -o link show u-red | grep -o 'master [^ ]*' | cut -d' ' -f2)" "u-red's bridge"
    # Not `nft … | grep -q`: with pipefail, nft killed by SIGPIPE when grep
    # stops reading early would fail the check.
    grep -q 'ip saddr 10.30.0.0/24 ip daddr != 10.30.0.0/24 masquerade' <<<"$(nft list table ip netns-bridge-nat-br-lab)" || fail "no masquerade rule"
    assert_eq 1 "$(sysctl -n net.ipv4.ip_forward)" "ip_forward"

    out=$(netns apply examples/bridge-nat.toml) || fail "second apply: $out"
    grep -q '0 changes' <<<"$out" || fail "second apply changed something: $out"
    must netns status examples/bridge-nat.toml >/dev/null
    out=$(netns check examples/bridge-nat.toml) || fail "check: $out"
    grep -q '9 probes, 0 failed' <<<"$out" || fail "check said: $out"
    out=$(netns -j check examples/bridge-nat.toml) || fail "check -j"
    assert_eq 9 "$(jq '[.results[] | select(.rtt_ms != null and .error == null)] | length' <<<"$out")" "probes answered (JSON)"

    # Drift: an address removed by hand, a link down.
    must ip -n green addr flush dev eth0
    must ip link set u-blue down
    out=$(netns status examples/bridge-nat.toml); [ $? -eq 1 ] || fail "status with drift must exit 1: $out"
    grep -q '^missing *address 10.30.0.12/24 on "eth0" in green' <<<"$out" || fail "status: $out"
    out=$(netns -j status examples/bridge-nat.toml)
    assert_eq '"different"' "$(jq '.drift[] | select(.object | contains("u-blue")) | .kind' <<<"$out")" "u-blue drift (JSON)"
    netns check examples/bridge-nat.toml >/dev/null && fail "check must fail while green has no address"
    out=$(netns apply examples/bridge-nat.toml) || fail "repair: $out"
    grep -q '^topology "bridge-nat": 3 changes' <<<"$out" || fail "repair made: $out"
    must netns check examples/bridge-nat.toml >/dev/null

    must netns destroy examples/bridge-nat.toml >/dev/null
    assert_eq "$before" "$(state)" "sandbox state after destroy"
}

# On a forwarding host the same apply has nothing to turn on, and destroy
# leaves forwarding on.
test_forwarding_already_on_is_left_on() {
    local before out
    must sysctl -qw net.ipv4.ip_forward=1
    before=$(state)
    trap 'netns destroy examples/bridge-nat.toml >/dev/null 2>&1' EXIT
    out=$(netns apply examples/bridge-nat.toml) || fail "apply: $out"
    grep -q 'topology "bridge-nat": 21 changes' <<<"$out" || fail "apply said: $out"
    grep -q 'ip_forward' <<<"$out" && fail "apply planned ip_forward: $out"
    must netns destroy examples/bridge-nat.toml >/dev/null
    assert_eq 1 "$(sysctl -n net.ipv4.ip_forward)" "ip_forward after destroy"
    assert_eq "$before" "$(state)" "sandbox state after destroy"
}

# lo is up in every namespace apply creates (127.0.0.1 answers inside),
# status reports it when someone takes it down, apply brings it back;
# `lo = "down"` leaves it down.
test_lo_is_up_unless_declared_down() {
    local before out
    before=$(state)
    # Whatever fails, the next test starts clean (destroy is idempotent).
    trap 'netns destroy examples/walkthrough.toml >/dev/null 2>&1; netns destroy "$SCRATCH/lo-down.toml" >/dev/null 2>&1' EXIT
    must netns apply examples/walkthrough.toml >/dev/null
    grep -q 'state UNKNOWN\|,UP' <<<"$(ip -n netns1 -o link show lo)" || fail "lo not up: $(ip -n netns1 -o link show lo)"
    must netns exec netns1 ping -c 1 -W 2 127.0.0.1 >/dev/null
    must ip -n netns1 link set lo down
    out=$(netns status examples/walkthrough.toml); [ $? -eq 1 ] || fail "status with lo down must exit 1: $out"
    grep -q '^different link "lo" in netns1 (down)' <<<"$out" || fail "status: $out"
    netns exec netns1 ping -c 1 -W 1 127.0.0.1 >/dev/null 2>&1 && fail "127.0.0.1 answered with lo down"
    out=$(netns apply examples/walkthrough.toml) || fail "repair: $out"
    grep -q '^set link "lo" in netns1 up$' <<<"$out" || fail "repair made: $out"
    grep -q '1 change ' <<<"$out" || fail "repair made: $out"
    must netns exec netns1 ping -c 1 -W 2 127.0.0.1 >/dev/null
    must netns destroy examples/walkthrough.toml >/dev/null
    assert_eq "$before" "$(state)" "state after destroy"

    mkdir -p "$SCRATCH"
    sed 's/^name = "netns1"$/&\nlo = "down"/' examples/walkthrough.toml >"$SCRATCH/lo-down.toml"
    grep -q '^lo = "down"$' "$SCRATCH/lo-down.toml" || fail "lo-down.toml not written"
    must netns apply "$SCRATCH/lo-down.toml" >/dev/null
    grep -q 'state DOWN' <<<"$(ip -n netns1 -o link show lo)" || fail "lo not down: $(ip -n netns1 -o link show lo)"
    must netns status "$SCRATCH/lo-down.toml" >/dev/null
    must netns check "$SCRATCH/lo-down.toml" >/dev/null
    must netns destroy "$SCRATCH/lo-down.toml" >/dev/null
    sed -i 's/^lo = "down"$/lo = "sideways"/' "$SCRATCH/lo-down.toml"
    out=$(netns apply "$SCRATCH/lo-down.toml" 2>&1); [ $? -eq 2 ] || fail "exit status: $out"
    grep -q 'lo-down.toml:[0-9]*:[0-9]*: namespace\[0\].lo: "sideways": lo is "up" (the default) or "down"' <<<"$out" || fail "message: $out"
    assert_eq "$before" "$(state)" "state at the end"
}

# Destroy of many: the root ends are gone when it returns.
test_destroy_of_many_leaves_root_clean() {
    local before i
    before=$(state)
    mkdir -p "$SCRATCH"
    {
        echo 'name = "many"'
        for ((i = 0; i < 60; i++)); do printf '[[namespace]]\nname = "m%d"\n' "$i"; done
        for ((i = 0; i < 60; i++)); do
            printf '[[link]]\na = { netns = "m%d", name = "eth0" }\nb = { name = "mv%d", address = "10.78.0.%d/32" }\n' "$i" "$i" $((i + 1))
        done
    } >"$SCRATCH/many.toml"
    trap 'netns destroy "$SCRATCH/many.toml" >/dev/null 2>&1' EXIT
    must netns apply "$SCRATCH/many.toml" >/dev/null
    assert_eq 60 "$(ip -o link show | grep -c ': mv[0-9]*@')" "root ends after apply"
    must netns exec m59 ping -c 1 -W 2 127.0.0.1 >/dev/null
    assert_eq 120 "$(netns destroy "$SCRATCH/many.toml" | grep -c '^removed')" "removed"
    assert_eq "lo" "$(ip -o link show | awk -F': ' '{print $2}' | xargs)" "root links right after destroy"
    assert_eq "$before" "$(state)" "state after destroy"
}

test_every_example_applies_checks_destroys() {
    local before f
    before=$(state)
    for f in examples/*.toml; do
        must netns apply "$f" >/dev/null
        must netns check "$f" >/dev/null
        must netns status "$f" >/dev/null
        must netns destroy "$f" >/dev/null
        assert_eq "$before" "$(state)" "state after $f"
    done
}

test_lab_files_are_seen_by_exec() {
    must netns apply examples/lab-dns.toml >/dev/null
    assert_eq "nameserver 10.40.0.53" "$(netns exec client head -n1 /etc/resolv.conf)" "resolv.conf inside client"
    must netns destroy examples/lab-dns.toml >/dev/null
    [ ! -e /run/netns-test-etc/client ] || fail "destroy left /etc/netns/client"
}

test_injected_failure_is_undone_and_named() {
    local before out
    must sysctl -qw net.ipv4.ip_forward=0 # counted in "of 22", as above
    before=$(state)
    out=$(NETNS_APPLY_FAIL_AT=10 netns apply examples/bridge-nat.toml 2>&1); [ $? -eq 2 ] || fail "exit status: $out"
    grep -q 'step 11 of 22 (set link "u-red" in root master br-lab up)' <<<"$out" || fail "message: $out"
    grep -q 'injected failure (fail_at test hook); the 10 changes made before were undone' <<<"$out" || fail "message: $out"
    assert_eq "$before" "$(state)" "state after the failed apply"
}

test_validation_errors_name_file_line_and_field() {
    mkdir -p "$SCRATCH"
    printf '[[namespace]]\nname = "a"\n\n[[link]]\na = { netns = "a", name = "eth0", address = "10.1.1.1/24" }\nb = { name = "a-name-too-long-0", address = "10.2.2.2/24", colour = 1 }\n' >"$SCRATCH/bad.toml"
    local out
    out=$(netns apply "$SCRATCH/bad.toml" 2>&1); [ $? -eq 2 ] || fail "exit status: $out"
    grep -q "bad.toml:6:[0-9]*: link\[0\].b.colour: unknown field" <<<"$out" || fail "unknown key: $out"
    sed -i 's/, colour = 1//' "$SCRATCH/bad.toml"
    out=$(netns apply "$SCRATCH/bad.toml" 2>&1)
    grep -q "bad.toml:6:[0-9]*: link\[0\].b.name: bad interface name" <<<"$out" || fail "long name: $out"
    grep -q "bad.toml:5:[0-9]*: link\[0\].a.address: address 10.1.1.1/24 is outside the subnet" <<<"$out" || fail "subnet: $out"
    assert_run_dir_empty
}

test_demo_runs_and_leaves_nothing() {
    local before out
    before=$(state)
    out=$(timeout 60 "$NETNS" demo) || fail "demo failed: $out"
    grep -q '^\$ ip netns add netns1' <<<"$out" || fail "no walk-through: $out"
    grep -q '9 probes, 0 failed' <<<"$out" || fail "no passing check: $out"
    assert_eq "$before" "$(state)" "state after the demo"
}

run_tests
