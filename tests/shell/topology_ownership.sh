#!/usr/bin/env bash
# What a topology owns: `/etc/netns` files written only through verified
# directories (a planted symlink is refused, never followed); objects that
# existed before an apply are refused unless adopted, and destroy leaves
# what was adopted; applies of one topology are serialised (a lock per
# topology, `--no-wait`); a stale registry entry does not stop apply or
# status.
cd "$(dirname "$0")/../.." || exit 2
. tests/shell/lib.bash

ETC=/run/netns-test-etc
STATE=/run/netns-topology-own
export NETNS_ETC_DIR=$ETC NETNS_STATE_DIR=$STATE

# Every test starts and ends with an empty etc and state directory.
clean_dirs() {
    rm -rf "${ETC:?}"/* "${ETC:?}"/.[!.]* "${STATE:?}" 2>/dev/null
    local l
    for l in $(ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -v '^lo$'); do
        ip link del "$l" 2>/dev/null
    done
    true
}

# own.toml: namespaces a and b, a veth a <-> root, a hosts file for a.
write_topology() {
    mkdir -p "$SCRATCH"
    cat >"$SCRATCH/own.toml" <<'EOF'
name = "own"

[[namespace]]
name = "a"
hosts = "10.61.0.2 gw\n"

[[namespace]]
name = "b"

[[link]]
a = { netns = "a", name = "eth0", address = "10.61.0.1/24" }
b = { name = "own-a", address = "10.61.0.2/24" }
EOF
}

# Root links other than lo, one per line.
root_links() {
    ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -v '^lo$'
}

test_a_symlinked_etc_file_is_refused_and_its_target_untouched() {
    clean_dirs; trap clean_dirs EXIT
    write_topology
    echo "precious" >"$SCRATCH/victim"
    mkdir -p "$ETC/a"
    ln -s "$SCRATCH/victim" "$ETC/a/hosts"
    local out
    out=$(netns apply "$SCRATCH/own.toml" 2>&1); [ $? -eq 2 ] || fail "apply through a symlink must exit 2: $out"
    grep -q "$ETC/a/hosts" <<<"$out" || fail "message does not name the path: $out"
    grep -q "symbolic link" <<<"$out" || fail "message does not say what was found: $out"
    assert_eq "precious" "$(cat "$SCRATCH/victim")" "the symlink's target"
    assert_run_dir_empty
    assert_eq "" "$(root_links)" "root links after the refused apply"
    netns destroy "$SCRATCH/own.toml" >/dev/null 2>&1
    assert_eq "precious" "$(cat "$SCRATCH/victim")" "the symlink's target after destroy"
    [ -L "$ETC/a/hosts" ] || fail "destroy removed the user's symlink"
}

test_a_symlinked_etc_directory_is_refused() {
    clean_dirs; trap clean_dirs EXIT
    write_topology
    mkdir -p "$SCRATCH/elsewhere"
    ln -s "$SCRATCH/elsewhere" "$ETC/a"
    local out
    out=$(netns apply "$SCRATCH/own.toml" 2>&1); [ $? -eq 2 ] || fail "apply through a symlinked directory must exit 2: $out"
    grep -q "$ETC/a" <<<"$out" || fail "message does not name the path: $out"
    grep -q "symbolic link" <<<"$out" || fail "message does not say what was found: $out"
    assert_eq "" "$(ls -A "$SCRATCH/elsewhere")" "the directory the symlink points to"
    assert_run_dir_empty
}

test_a_directory_where_the_file_goes_is_refused() {
    clean_dirs; trap clean_dirs EXIT
    write_topology
    mkdir -p "$ETC/a/hosts"
    local out
    out=$(netns apply "$SCRATCH/own.toml" 2>&1); [ $? -eq 2 ] || fail "exit status: $out"
    grep -q "$ETC/a/hosts.*directory" <<<"$out" || fail "message: $out"
    assert_run_dir_empty
}

test_apply_names_the_real_etc_path_and_destroy_removes_its_files() {
    clean_dirs; trap clean_dirs EXIT
    write_topology
    local out
    out=$(netns apply "$SCRATCH/own.toml") || fail "apply: $out"
    grep -q "^write $ETC/a/hosts$" <<<"$out" || fail "apply did not print the real path: $out"
    assert_eq "10.61.0.2 gw" "$(cat "$ETC/a/hosts")" "hosts"
    must netns destroy "$SCRATCH/own.toml" >/dev/null
    [ ! -e "$ETC/a" ] || fail "destroy left $ETC/a: $(ls -A "$ETC/a")"
    assert_eq "" "$(ls -A "$STATE" 2>/dev/null)" "state directory after destroy"
}

test_destroy_never_follows_a_symlink_planted_after_apply() {
    clean_dirs; trap clean_dirs EXIT
    write_topology
    must netns apply "$SCRATCH/own.toml" >/dev/null
    echo "precious" >"$SCRATCH/victim"
    rm "$ETC/a/hosts"
    ln -s "$SCRATCH/victim" "$ETC/a/hosts"
    local out
    out=$(netns destroy "$SCRATCH/own.toml" 2>&1) || fail "destroy: $out"
    assert_eq "precious" "$(cat "$SCRATCH/victim")" "the symlink's target"
    [ -L "$ETC/a/hosts" ] || fail "destroy removed a symlink it did not write"
    grep -q "kept $ETC/a/hosts" <<<"$out" || fail "destroy did not say what it kept: $out"
    assert_run_dir_empty
}

test_a_file_changed_after_apply_is_kept_by_destroy() {
    clean_dirs; trap clean_dirs EXIT
    write_topology
    must netns apply "$SCRATCH/own.toml" >/dev/null
    echo "edited by hand" >"$ETC/a/hosts"
    must netns destroy "$SCRATCH/own.toml" >/dev/null
    assert_eq "edited by hand" "$(cat "$ETC/a/hosts")" "a file changed since apply"
}

test_a_namespace_that_existed_is_refused_unless_adopted() {
    clean_dirs; trap clean_dirs EXIT
    write_topology
    must netns add a
    local out
    out=$(netns apply "$SCRATCH/own.toml" 2>&1); [ $? -eq 2 ] || fail "apply over a foreign namespace must exit 2: $out"
    grep -q 'namespace "a": exists and was not created by topology "own"' <<<"$out" || fail "message: $out"
    grep -q 'adopt' <<<"$out" || fail "message does not say how to adopt: $out"
    assert_eq "a" "$(ls -A $RUN_DIR | xargs)" "namespaces after the refused apply"
    assert_eq "" "$(root_links)" "root links after the refused apply"
    [ ! -e "$ETC/a" ] || fail "the refused apply wrote $ETC/a"

    out=$(netns apply --adopt "$SCRATCH/own.toml") || fail "apply --adopt: $out"
    out=$(netns apply "$SCRATCH/own.toml") || fail "second apply: $out"
    grep -q ' 0 changes' <<<"$out" || fail "second apply changed something: $out"
    out=$(netns -j status "$SCRATCH/own.toml") || fail "status: $out"
    assert_eq '"adopted"' "$(jq '.ownership.namespaces.a' <<<"$out")" "a's ownership (JSON)"
    assert_eq '"created"' "$(jq '.ownership.namespaces.b' <<<"$out")" "b's ownership (JSON)"
    out=$(netns status "$SCRATCH/own.toml") || fail "status: $out"
    grep -q '^adopted *namespace "a"' <<<"$out" || fail "status text: $out"

    must netns destroy "$SCRATCH/own.toml" >/dev/null
    assert_eq "a" "$(ls -A $RUN_DIR | xargs)" "namespaces after destroy (the adopted one stays)"
    assert_eq "" "$(root_links)" "root links after destroy"
    assert_eq "" "$(ip -n a -o link | awk -F': ' '{print $2}' | grep -v '^lo$')" "links made in the adopted namespace"
}

test_adopt_in_the_file_and_a_foreign_link() {
    clean_dirs; trap clean_dirs EXIT
    mkdir -p "$SCRATCH"
    must ip link add x0 type veth peer name x1
    cat >"$SCRATCH/pair.toml" <<'EOF'
name = "pair"
[[link]]
a = { name = "x0", address = "10.62.0.1/24" }
b = { name = "x1", address = "10.62.0.2/24" }
EOF
    local out
    out=$(netns apply "$SCRATCH/pair.toml" 2>&1); [ $? -eq 2 ] || fail "apply over a foreign link must exit 2: $out"
    grep -q 'link "x0" in root exists and was not created by topology "pair"' <<<"$out" || fail "message: $out"
    assert_eq "" "$(ip -o addr show dev x0)" "x0's addresses after the refused apply"
    sed -i 's/^b = .*/&\nadopt = true/' "$SCRATCH/pair.toml"
    must netns apply "$SCRATCH/pair.toml" >/dev/null
    assert_eq "10.62.0.1/24" "$(ip -o -4 addr show dev x0 | awk '{print $4}')" "x0's address"
    must netns destroy "$SCRATCH/pair.toml" >/dev/null
    ip link show x0 >/dev/null 2>&1 || fail "destroy deleted the adopted link"
    assert_eq "" "$(ip -o -4 addr show dev x0)" "the address apply added to the adopted link"
}

test_a_foreign_etc_file_is_refused_unless_adopted() {
    clean_dirs; trap clean_dirs EXIT
    write_topology
    mkdir -p "$ETC/a"
    echo "mine" >"$ETC/a/hosts"
    local out
    out=$(netns apply "$SCRATCH/own.toml" 2>&1); [ $? -eq 2 ] || fail "exit status: $out"
    grep -q "file $ETC/a/hosts: exists and was not written by topology \"own\"" <<<"$out" || fail "message: $out"
    assert_eq "mine" "$(cat "$ETC/a/hosts")" "the user's file"
    assert_run_dir_empty
}

test_concurrent_applies_of_one_file_are_serialised() {
    clean_dirs; trap clean_dirs EXIT
    local i p1 p2 s1 s2
    mkdir -p "$SCRATCH"
    {
        echo 'name = "par"'
        for ((i = 0; i < 80; i++)); do printf '[[namespace]]\nname = "p%d"\n' "$i"; done
        for ((i = 0; i < 80; i++)); do
            printf '[[link]]\na = { netns = "p%d", name = "eth0" }\nb = { name = "pv%d", address = "10.63.0.%d/32" }\n' "$i" "$i" $((i + 1))
        done
    } >"$SCRATCH/par.toml"
    "$NETNS" apply "$SCRATCH/par.toml" >"$SCRATCH/out1" 2>&1 &
    p1=$!
    "$NETNS" apply "$SCRATCH/par.toml" >"$SCRATCH/out2" 2>&1 &
    p2=$!
    wait "$p1"; s1=$?
    wait "$p2"; s2=$?
    [ "$s1" -eq 0 ] || fail "first apply: $(cat "$SCRATCH/out1")"
    [ "$s2" -eq 0 ] || fail "second apply: $(cat "$SCRATCH/out2")"
    must netns status "$SCRATCH/par.toml" >/dev/null
    must netns destroy "$SCRATCH/par.toml" >/dev/null
    assert_run_dir_empty
    assert_eq "" "$(root_links)" "root links after destroy"
}

test_no_wait_fails_with_busy_while_another_holds_the_lock() {
    clean_dirs; trap clean_dirs EXIT
    write_topology
    must netns apply "$SCRATCH/own.toml" >/dev/null
    # Hold the topology's lock as another apply would.
    flock "$STATE/own.lock" sleep 3 &
    local holder=$! out st
    sleep 0.3
    out=$(netns apply --no-wait "$SCRATCH/own.toml" 2>&1); st=$?
    [ $st -eq 2 ] || fail "apply --no-wait under the lock: exit $st: $out"
    grep -qi 'busy' <<<"$out" || fail "message: $out"
    out=$(netns destroy --no-wait "$SCRATCH/own.toml" 2>&1); st=$?
    [ $st -eq 2 ] || fail "destroy --no-wait under the lock: exit $st: $out"
    # Without --no-wait, it waits for the lock, then finds nothing to do.
    out=$(netns apply "$SCRATCH/own.toml" 2>&1) || fail "apply after waiting: $out"
    grep -q ' 0 changes' <<<"$out" || fail "apply after waiting: $out"
    kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
    must netns destroy "$SCRATCH/own.toml" >/dev/null
    assert_run_dir_empty
}

test_a_stale_entry_is_reported_and_replaced() {
    clean_dirs; trap clean_dirs EXIT
    write_topology
    # What an add killed between creating the entry and mounting on it leaves.
    touch "$RUN_DIR/b"; chmod 0 "$RUN_DIR/b"
    local out st
    out=$(netns status "$SCRATCH/own.toml" 2>&1); st=$?
    [ $st -eq 1 ] || fail "status with a stale entry must report drift (exit 1), got $st: $out"
    grep -q '^missing *namespace "b" (stale entry' <<<"$out" || fail "status: $out"
    out=$(netns apply "$SCRATCH/own.toml" 2>&1) || fail "apply over a stale entry: $out"
    must netns exec b true
    must netns status "$SCRATCH/own.toml" >/dev/null
    must netns destroy "$SCRATCH/own.toml" >/dev/null
    assert_run_dir_empty
}

run_tests
