#!/usr/bin/env bash
# End-to-end: the `netns` CLI against `ip netns`, on the real kernel, inside
# scripts/sandbox.sh (private /run/netns, fresh network namespace).
#   scripts/sandbox.sh tests/shell/walkthrough_netns.sh
# The binary under test is ${NETNS:-target/debug/netns}.

. "$(dirname "$0")/lib.bash"

# add_ns NAME: `netns add NAME`, checked: a mounted namespace file appears.
add_ns() {
    must netns add "$1"
    mountpoint -q "$RUN_DIR/$1" || fail "netns add $1 made no mounted $RUN_DIR/$1"
}

test_binary_present() {
    [ -x "$NETNS" ] || fail "no netns binary at $NETNS (cargo build -p netns-cli)"
}

test_add_then_list_matches_ip() {
    must netns add a
    [ -e "$RUN_DIR/a" ] || fail "no $RUN_DIR/a after add"
    mountpoint -q "$RUN_DIR/a" || fail "$RUN_DIR/a is not a mount point"
    assert_same_run "list" -- netns list -- ip netns list
    assert_same_run "no argument = list" -- netns -- ip netns
    assert_eq "a" "$(netns list)" "netns list"
}

test_ip_sees_netns_namespaces_and_back() {
    add_ns a
    must ip netns exec a true
    must ip netns add b
    must netns exec b true
    assert_eq "$(ip netns list | sort)" "$(netns list | sort)" "sorted listings"
}

test_list_shows_nsid_like_ip() {
    add_ns a
    must netns set a 5
    assert_same_run "list with an id" -- netns list -- ip netns list
    assert_eq "a (id: 5)" "$(netns list)" "netns list"
    assert_same_run "list-id" -- netns list-id -- ip netns list-id
}

test_json_list_matches_ip() {
    add_ns a
    must ip netns set a 3
    assert_eq "$(ip -j netns list | jq -S .)" "$(netns -j list | jq -S .)" "JSON listing"
}

test_exec_ip_link_matches_ip() {
    add_ns a
    assert_same_run "exec ip link" -- netns exec a ip link -- ip netns exec a ip link
    local links
    links=$(netns exec a ip -o link | awk -F': ' '{ print $2 }')
    assert_eq "lo" "$links" "links inside a fresh namespace"
}

test_exec_exit_status_is_the_commands() {
    add_ns a
    netns exec a sh -c 'exit 7'
    assert_eq 7 "$?" "exit status"
}

test_exec_runs_in_the_namespace() {
    add_ns a
    local inside
    inside=$(ip netns exec a readlink /proc/self/ns/net)
    [ -n "$inside" ] && [ "$inside" != "$(readlink /proc/self/ns/net)" ] || fail "ip netns exec a did not run in a"
    assert_eq "$inside" "$(netns exec a readlink /proc/self/ns/net)" "namespace seen by the command"
}

test_identify_pid_matches_ip() {
    add_ns a
    # The command records its own pid: `netns exec` may fork, so $! can be the CLI.
    "$NETNS" exec a sh -c "echo \$\$ > $SCRATCH/pid; exec sleep 10" &
    wait_for_file "$SCRATCH/pid"
    local pid
    pid=$(cat "$SCRATCH/pid")
    assert_same_run "identify PID" -- netns identify "$pid" -- ip netns identify "$pid"
    assert_eq "a" "$(netns identify "$pid")" "identify PID"
    # This shell is in the sandbox's root namespace: no name.
    assert_same_run "identify \$\$" -- netns identify $$ -- ip netns identify $$
    # No PID: the caller itself.
    assert_eq "a" "$(netns exec a "$NETNS" identify)" "identify from inside"
}

test_pids_matches_ip() {
    add_ns a
    "$NETNS" exec a sh -c "echo \$\$ > $SCRATCH/pid; exec sleep 10" &
    wait_for_file "$SCRATCH/pid"
    assert_eq "$(ip netns pids a | sort -n)" "$(netns pids a | sort -n)" "pids"
    netns pids a | grep -qx "$(cat "$SCRATCH/pid")" || fail "pids a misses the sleeping process"
}

test_attach_names_a_process_namespace() {
    unshare --net sh -c "echo \$\$ > $SCRATCH/pid; exec sleep 10" &
    wait_for_file "$SCRATCH/pid"
    local pid
    pid=$(cat "$SCRATCH/pid")
    must netns attach b "$pid"
    assert_eq "b" "$(ip netns identify "$pid")" "ip netns identify after netns attach"
    assert_fails netns attach c 0
}

test_delete_leaves_nothing() {
    add_ns a
    must netns delete a
    assert_run_dir_empty
    assert_no_mounts_below_run_dir
    assert_same_run "list after delete" -- netns list -- ip netns list
    # The name can be used again at once.
    add_ns a
    must netns delete a
    assert_run_dir_empty
}

test_delete_missing_fails_like_ip() {
    assert_fails netns delete nosuch
    netns delete nosuch 2>/dev/null
    local st=$?
    ip netns delete nosuch 2>/dev/null
    assert_eq "$?" "$st" "exit status of deleting a missing namespace"
}

test_delete_all() {
    add_ns a
    add_ns b
    must netns delete --all
    assert_run_dir_empty
    assert_no_mounts_below_run_dir
}

test_add_existing_is_refused_and_keeps_the_first() {
    add_ns a
    assert_fails netns add a
    netns add a 2>/dev/null
    local st=$?
    ip netns add a 2>/dev/null
    assert_eq "$?" "$st" "exit status of adding an existing name"
    must ip netns exec a true
    assert_eq "a" "$(netns list)" "list after the refused add"
}

test_bad_names_are_refused_and_create_nothing() {
    local long name st ip_st
    long=$(printf 'x%.0s' $(seq 256))
    for name in "../x" "a/b" "." ".." "$long" ""; do
        assert_fails netns add "$name"
        netns add "$name" 2>/dev/null
        st=$?
        ip netns add "$name" 2>/dev/null
        ip_st=$?
        assert_eq "$ip_st" "$st" "exit status for name '${name:0:20}'"
        assert_run_dir_empty
        [ ! -e /run/x ] || fail "'../x' escaped the run directory"
        assert_no_mounts_below_run_dir
    done
}

test_255_byte_name_is_accepted() {
    local name
    name=$(printf 'y%.0s' $(seq 255))
    must netns add "$name"
    mountpoint -q "$RUN_DIR/$name" || fail "no mounted namespace file for the 255-byte name"
    assert_eq "$name" "$(netns list)" "list"
    must netns delete "$name"
    assert_run_dir_empty
}

test_exec_all_matches_ip() {
    add_ns a
    add_ns b
    assert_eq "$(ip -all netns exec ip -o link | sort)" \
        "$(netns exec --all ip -o link | sort)" "exec --all output (sorted lines)"
}

test_monitor_reports_add_and_delete() {
    "$NETNS" monitor >"$SCRATCH/monitor" 2>&1 &
    local mon=$! i
    # Wait until the monitor watches the run directory (its inotify fd is open).
    for i in $(seq 100); do
        ls -l "/proc/$mon/fd" 2>/dev/null | grep -q inotify && break
        sleep 0.1
    done
    must ip netns add m
    must ip netns delete m
    sleep 1
    kill "$mon" 2>/dev/null
    wait "$mon" 2>/dev/null
    assert_eq "$(printf 'add m\ndelete m')" "$(cat "$SCRATCH/monitor")" "monitor output"
}

test_walkthrough_swap() {
    # The issue's line: netns add a; netns list; netns exec a ip link; netns identify $$; netns delete a
    local ours theirs
    ours=$(netns add a && netns list && netns exec a ip link && netns identify $$ && netns delete a)
    [ $? -eq 0 ] || fail "netns sequence failed"
    assert_run_dir_empty
    theirs=$(ip netns add a && ip netns list && ip netns exec a ip link && ip netns identify $$ && ip netns delete a)
    assert_eq "$theirs" "$ours" "the walk-through line"
}

run_tests
