# A tiny test library for the shell end-to-end tests (sourced, not run).
#
# Each test is a function `test_NAME` run in a subshell; assertion helpers exit
# that subshell on failure. `run_tests` runs every test_* function in file
# order, prints `ok NAME` or `not ok NAME` (with the test's output indented
# under it), cleans the sandbox between tests, and exits non-zero if any
# failed. The scripts expect to run inside scripts/sandbox.sh, from the repo
# root.

set -uo pipefail

# The binary under test, made absolute so tests may cd.
NETNS=${NETNS:-target/debug/netns}
case "$NETNS" in
*/*) NETNS=$(realpath -m -- "$NETNS") ;;
esac
RUN_DIR=/run/netns
# Scratch space on the sandbox's tmpfs (never the host's disk).
SCRATCH=/run/netns-shell-test

# Runs the binary under test (so tests read `netns add a`, as a user types).
netns() { "$NETNS" "$@"; }

fail() {
    printf 'FAIL: %s\n' "$*"
    exit 1
}

# must CMD...: runs CMD; fails the test when it exits non-zero.
must() {
    "$@" || fail "command failed (exit $?): $*"
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
    [ "$1" = "$2" ] && return 0
    printf 'FAIL: %s differ\n--- expected\n%s\n--- actual\n%s\n---\n' "${3:-values}" "$1" "$2"
    exit 1
}

# assert_same_run WHAT -- CMD1... -- CMD2...: both commands give the same
# standard output and the same exit status.
assert_same_run() {
    local what=$1 a=() b=()
    shift 2
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do a+=("$1"); shift; done
    shift
    b=("$@")
    local out_a out_b st_a st_b
    out_a=$("${a[@]}" 2>"$SCRATCH/stderr_a"); st_a=$?
    out_b=$("${b[@]}" 2>"$SCRATCH/stderr_b"); st_b=$?
    if [ "$out_a" != "$out_b" ] || [ "$st_a" != "$st_b" ]; then
        printf 'stderr of `%s`:\n' "${a[*]}"; cat "$SCRATCH/stderr_a"
        printf 'stderr of `%s`:\n' "${b[*]}"; cat "$SCRATCH/stderr_b"
    fi
    assert_eq "$out_b" "$out_a" "$what: output of \`${a[*]}\` (actual) vs \`${b[*]}\` (expected)"
    assert_eq "$st_b" "$st_a" "$what: exit status"
}

# assert_fails CMD...: CMD exits non-zero and says something on stderr.
assert_fails() {
    local err st
    err=$("$@" 2>&1 >/dev/null); st=$?
    [ "$st" -ne 0 ] || fail "expected failure, got exit 0: $*"
    [ -n "$err" ] || fail "failed without a message: $*"
}

assert_run_dir_empty() {
    local left
    left=$(ls -A "$RUN_DIR" 2>/dev/null)
    [ -z "$left" ] || fail "left in $RUN_DIR: $left"
}

# Mount points strictly below the run dir (the run dir itself may be one).
mounts_below_run_dir() {
    awk -v d="$RUN_DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo
}

assert_no_mounts_below_run_dir() {
    local left
    left=$(mounts_below_run_dir)
    [ -z "$left" ] || fail "mounts left below $RUN_DIR: $left"
}

# wait_for_file PATH [TENTHS]: waits until PATH exists and is non-empty.
wait_for_file() {
    local i
    for ((i = 0; i < ${2:-50}; i++)); do
        [ -s "$1" ] && return 0
        sleep 0.1
    done
    fail "timed out waiting for $1"
}

# Between tests: kill leftover jobs, delete every namespace, empty scratch.
# (Start background processes as "$NETNS" …, not through the netns function,
# so that $! is the process itself. Whatever escapes is killed with the
# sandbox's pid namespace when the script ends.)
_reset_sandbox() {
    local p
    for p in $(jobs -p); do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    ip -all netns delete >/dev/null 2>&1
    rm -f "$RUN_DIR"/* 2>/dev/null
    rm -rf "${SCRATCH:?}"/* 2>/dev/null
}

run_tests() {
    if [ ! -d "$RUN_DIR" ] || [ ! -r /run/netns-sandbox.net ] ||
        [ "$(readlink /proc/self/ns/net)" != "$(cat /run/netns-sandbox.net)" ]; then
        echo "not ok sandbox: run $0 through scripts/sandbox.sh (refusing to touch the host)"
        exit 2
    fi
    mkdir -p "$SCRATCH"
    local fn name log=$SCRATCH/log passed=0 failed=0
    # Tests run in the order they are written.
    for fn in $(sed -n 's/^\(test_[A-Za-z0-9_]*\)().*/\1/p' "$0"); do
        name=${fn#test_}
        ( "$fn" ) >"$log" 2>&1
        if [ $? -eq 0 ]; then
            echo "ok $name"
            passed=$((passed + 1))
        else
            echo "not ok $name"
            sed 's/^/#   /' "$log"
            failed=$((failed + 1))
        fi
        _reset_sandbox
    done
    echo "# $(basename "$0"): $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
