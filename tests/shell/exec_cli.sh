#!/usr/bin/env bash
# End-to-end: `netns exec` against `ip netns exec`, on the real kernel, inside
# scripts/sandbox.sh: it becomes the command (same pid, signals reach the
# command), `exec --all`'s children die with it, and a symlinked etc
# directory is not followed.
#   scripts/sandbox.sh tests/shell/exec_cli.sh
# The binary under test is ${NETNS:-target/debug/netns}.

. "$(dirname "$0")/lib.bash"

ETC=/run/netns-test-etc

# Each test starts with an empty etc directory (lib.bash resets the run
# directory and scratch space only).
rm -rf "${ETC:?}"/*

add_ns() {
    rm -rf "${ETC:?}"/*
    must netns add "$1"
    mountpoint -q "$RUN_DIR/$1" || fail "netns add $1 made no mounted $RUN_DIR/$1"
}

# wait_for_pids NAME: waits until some process runs in namespace NAME.
wait_for_pids() {
    local i
    for ((i = 0; i < 50; i++)); do
        [ -n "$(ip netns pids "$1")" ] && return 0
        sleep 0.1
    done
    fail "nothing started in namespace $1"
}

# assert_no_pids NAME...: within 2 s, no process is left in the namespaces.
assert_no_pids() {
    local i left
    for ((i = 0; i < 20; i++)); do
        left=$(for n in "$@"; do ip netns pids "$n"; done)
        [ -z "$left" ] && return 0
        sleep 0.1
    done
    fail "left running in $*: $(for p in $left; do printf '%s(%s) ' "$p" "$(cat "/proc/$p/comm" 2>/dev/null)"; done)"
}

test_binary_present() {
    [ -x "$NETNS" ] || fail "no netns binary at $NETNS (cargo build -p netns-cli)"
}

test_the_command_has_the_pid_of_netns_exec() {
    add_ns a
    "$NETNS" exec a sh -c 'echo $$' >"$SCRATCH/pid" &
    local pid=$!
    wait "$pid"
    assert_eq "$pid" "$(cat "$SCRATCH/pid")" "pid printed by the command vs pid of netns exec"
}

test_sigterm_to_netns_exec_ends_the_command() {
    add_ns a
    "$NETNS" exec a sleep 100 &
    local pid=$!
    wait_for_pids a
    assert_eq "$pid" "$(ip netns pids a)" "the process in the namespace"
    kill -TERM "$pid"
    wait "$pid"
    assert_eq 143 "$?" "exit status after SIGTERM"
    assert_no_pids a
}

test_sigkill_to_netns_exec_ends_the_command() {
    add_ns a
    "$NETNS" exec a sleep 100 &
    local pid=$!
    wait_for_pids a
    kill -KILL "$pid"
    wait "$pid"
    assert_eq 137 "$?" "exit status after SIGKILL"
    assert_no_pids a
}

test_exec_all_children_die_with_netns() {
    add_ns a
    add_ns b
    "$NETNS" exec --all sleep 100 >/dev/null &
    local pid=$!
    wait_for_pids a
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    assert_no_pids a b
}

test_statuses_match_ip() {
    add_ns a
    assert_same_run "exit code" -- netns exec a sh -c 'exit 7' -- ip netns exec a sh -c 'exit 7'
    assert_same_run "killed by a signal" -- netns exec a sh -c 'kill -TERM $$' -- ip netns exec a sh -c 'kill -TERM $$'
    assert_same_run "missing program" -- netns exec a /no/such/program -- ip netns exec a /no/such/program
    assert_same_run "missing namespace" -- netns exec nosuch true -- ip netns exec nosuch true
    local err
    err=$(netns exec a /no/such/program 2>&1)
    assert_eq 'netns: cannot exec "/no/such/program" in network namespace "a": not found' "$err" "message"
}

test_etc_files_are_bound() {
    add_ns a
    mkdir "$ETC/a"
    echo "10.9.9.9 inside" >"$ETC/a/hosts"
    assert_eq "10.9.9.9 inside" "$(NETNS_ETC_DIR=$ETC netns exec a cat /etc/hosts)" "/etc/hosts inside"
}

test_symlinked_etc_name_dir_binds_nothing_and_warns() {
    add_ns a
    mkdir "$ETC/elsewhere"
    echo "10.6.6.6 planted" >"$ETC/elsewhere/hosts"
    ln -s "$ETC/elsewhere" "$ETC/a"
    local out
    out=$(NETNS_ETC_DIR=$ETC netns exec a cat /etc/hosts 2>"$SCRATCH/err")
    assert_eq 0 "$?" "exit status"
    [ "$out" != "10.6.6.6 planted" ] || fail "bound $ETC/elsewhere/hosts through the symlink $ETC/a"
    assert_eq "netns: warning: not binding $ETC/a: it is a symbolic link" "$(cat "$SCRATCH/err")" "warning"
}

test_symlinked_etc_file_is_not_bound_and_warns() {
    add_ns a
    mkdir "$ETC/a"
    echo "10.6.6.6 planted" >"$ETC/planted"
    ln -s "$ETC/planted" "$ETC/a/hosts"
    echo "inside" >"$ETC/a/hostname"
    local out
    out=$(NETNS_ETC_DIR=$ETC netns exec a cat /etc/hosts /etc/hostname 2>"$SCRATCH/err")
    [ "${out%%$'\n'*}" != "10.6.6.6 planted" ] || fail "bound $ETC/planted through the symlink $ETC/a/hosts"
    assert_eq "inside" "${out##*$'\n'}" "/etc/hostname inside (bound from a plain file)"
    assert_eq "netns: warning: not binding $ETC/a/hosts: it is a symbolic link" "$(cat "$SCRATCH/err")" "warning"
}

run_tests
