#!/usr/bin/env bash
# `netns apply` killed with SIGKILL at random points of a 200-namespace
# apply, KILLS times (default 50): every time, status still answers (exit 0
# or 1, never an error), a re-apply and a destroy converge, and nothing is
# left: run directory empty, no link in the sandbox's root but lo, state and
# etc directories empty.
cd "$(dirname "$0")/../.." || exit 2
. tests/shell/lib.bash

ETC=/run/netns-test-etc
STATE=/run/netns-topology-crash
export NETNS_ETC_DIR=$ETC NETNS_STATE_DIR=$STATE
KILLS=${KILLS:-50}
N=200

# Figures go to the script's own output (fd 3, a copy of it made here: the
# test's subshell has its output captured by lib.bash, shown only on
# failure). Not `>/proc/$$/fd/1`: that reopens the file with O_TRUNC when
# the output is a file, and wipes what was written before.
exec 3>&1
say() { echo "# $*" >&3; }

write_topology() {
    local i
    mkdir -p "$SCRATCH"
    {
        echo 'name = "crash"'
        for ((i = 0; i < N; i++)); do
            printf '[[namespace]]\nname = "c%d"\n' "$i"
            # A few namespaces with /etc/netns files.
            ((i % 50 == 0)) && printf 'hosts = "10.79.0.1 gw\\n"\nresolv_conf = "nameserver 10.79.0.1\\n"\n'
        done
        for ((i = 0; i < N; i++)); do
            printf '[[link]]\na = { netns = "c%d", name = "eth0", address = "10.79.%d.%d/16" }\nb = { name = "cv%d" }\n' \
                "$i" $(((i + 2) >> 8)) $(((i + 2) & 255)) "$i"
        done
    } >"$SCRATCH/crash.toml"
}

# Nothing of the topology left anywhere.
assert_nothing_left() {
    assert_run_dir_empty
    assert_no_mounts_below_run_dir
    assert_eq "lo" "$(ip -o link | awk -F': ' '{print $2}' | xargs)" "root links $1"
    assert_eq "" "$(ls -A "$STATE" 2>/dev/null)" "state directory $1"
    assert_eq "" "$(ls -A "$ETC")" "etc directory $1"
}

test_sigkill_at_random_points_then_reapply_and_destroy_converge() {
    local k t0 full delay pid st out started
    write_topology
    started=$(date +%s.%N)
    # One apply and destroy undisturbed: how long an apply takes.
    t0=$(date +%s.%N)
    must netns apply "$SCRATCH/crash.toml" >/dev/null
    full=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
    must netns destroy "$SCRATCH/crash.toml" >/dev/null
    assert_nothing_left "after an undisturbed apply and destroy"
    say "an undisturbed apply of $N namespaces: ${full}s"
    for ((k = 1; k <= KILLS; k++)); do
        # A point between the start and a little after the end of an apply.
        delay=$(awk -v t="$full" -v r="$RANDOM" 'BEGIN { printf "%.3f", t * 1.1 * r / 32767 }')
        "$NETNS" apply "$SCRATCH/crash.toml" >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        out=$(netns status "$SCRATCH/crash.toml" 2>&1); st=$?
        [ "$st" -le 1 ] || fail "kill $k (after ${delay}s): status failed ($st): $out"
        out=$(netns apply "$SCRATCH/crash.toml" 2>&1) || fail "kill $k (after ${delay}s): re-apply: $out"
        out=$(netns status "$SCRATCH/crash.toml" 2>&1) || fail "kill $k (after ${delay}s): status after re-apply: $out"
        out=$(netns destroy "$SCRATCH/crash.toml" 2>&1) || fail "kill $k (after ${delay}s): destroy: $out"
        assert_nothing_left "after kill $k (after ${delay}s)"
    done
    say "$KILLS kills at random points, each re-applied and destroyed: $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s in all"
}

run_tests
