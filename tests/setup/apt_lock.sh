#!/usr/bin/env bash
# Usage: tests/setup/apt_lock.sh     (run by `make test-setup-lock`; needs root)
#
# scripts/setup.sh waits for the apt and dpkg locks another process holds.
# Runs in a private mount namespace with empty tmpfs over /var/lib/dpkg,
# /var/lib/apt and /var/cache/apt, so the lock files at their real paths are
# this test's own (held with fcntl, as apt and dpkg lock them, or flock) and
# the host's apt state is neither read nor written; apt-get is a fake on PATH
# that records its arguments (the real one is never run: with an empty
# /var/lib/dpkg every package looks missing).
# Prints one `ok - CHECK` / `FAILED - CHECK` line per check, then `N passed, M failed`.
set -uo pipefail

inside_marker=__setup_apt_lock_inside__
if [ "${1-}" != "$inside_marker" ]; then
    [ "$(id -u)" -eq 0 ] || { echo "apt_lock.sh: needs root (mount namespace)" >&2; exit 1; }
    exec unshare --mount --propagation private -- "$(readlink -f "$0")" "$inside_marker"
fi

cd "$(dirname "$0")/../.." || exit 2
for d in /var/lib/dpkg /var/lib/apt /var/cache/apt; do
    mount -t tmpfs -o mode=0755 setup-apt-lock-test "$d" || exit 2
done
mkdir -p /var/lib/apt/lists/partial /var/cache/apt/archives/partial
touch /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock

work=$(mktemp -d /tmp/netns-setup-test.XXXXXX)
holders=()
cleanup() {
    local pid
    for pid in "${holders[@]}"; do kill "$pid" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT

# The fake apt-get: appends its arguments to $work/calls; FAKE_APT_SCRIPT
# (one word per call: ok, lockerr or fail; the last repeats) says how it ends.
mkdir -p "$work/bin"
cat >"$work/bin/apt-get" <<'FAKE'
#!/usr/bin/env bash
echo "$*" >>"$FAKE_APT_DIR/calls"
n=$(wc -l <"$FAKE_APT_DIR/calls")
read -ra script <<<"$FAKE_APT_SCRIPT"
i=$((n - 1 < ${#script[@]} ? n - 1 : ${#script[@]} - 1))
case "${script[$i]}" in
ok) echo "fake apt-get: $*"; exit 0 ;;
lockerr) echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 1 (apt-get)"; exit 100 ;;
*) echo "E: Unable to locate package no-such-thing"; exit 100 ;;
esac
FAKE
chmod +x "$work/bin/apt-get"
export PATH=$work/bin:$PATH FAKE_APT_DIR=$work
[ "$(command -v apt-get)" = "$work/bin/apt-get" ] || { echo "the fake apt-get is not first on PATH" >&2; exit 2; }

# shellcheck source=../../scripts/setup.sh
. scripts/setup.sh
set +e

# shellcheck source=../lib/check.bash
. tests/lib/check.bash

# hold KIND FILE SECONDS: a background process holding FILE's lock (fcntl
# write lock like apt's, or flock); returns once /proc/locks shows it.
hold() {
    local kind=$1 file=$2 secs=$3 i
    python3 -c 'import fcntl, sys, time
f = open(sys.argv[2], "a")
(fcntl.lockf if sys.argv[1] == "fcntl" else fcntl.flock)(f, fcntl.LOCK_EX)
time.sleep(float(sys.argv[3]))' "$kind" "$file" "$secs" &
    holder=$!
    holders+=("$holder")
    for i in $(seq 50); do
        [ "$(lock_holder "$file")" = "$holder" ] && return 0
        sleep 0.1
    done
    echo "the $kind lock on $file never showed in /proc/locks as pid $holder's"
    return 1
}

run_setup() {
    : >"$work/calls"
    APT_LOCK_TIMEOUT=$1 FAKE_APT_SCRIPT=$2 scripts/setup.sh >"$work/out" 2>&1
}

free_locks_do_not_wait() {
    local start=$SECONDS
    [ -z "$(lock_holder /var/lib/dpkg/lock)" ] || { echo "dpkg lock seen as held"; return 1; }
    wait_for_apt_locks $((SECONDS + 5)) 2>"$work/err" || { cat "$work/err"; return 1; }
    [ ! -s "$work/err" ] && [ $((SECONDS - start)) -le 1 ] || { echo "waited: $(cat "$work/err")"; return 1; }
}

waits_until_a_fcntl_holder_lets_go() {
    local start
    hold fcntl /var/lib/dpkg/lock-frontend 3 || return 1
    start=$SECONDS
    wait_for_apt_locks $((SECONDS + 30)) 2>"$work/err" || { cat "$work/err"; return 1; }
    cat "$work/err"
    [ $((SECONDS - start)) -ge 2 ] || { echo "returned after $((SECONDS - start)) s, before the holder let go"; return 1; }
    grep -qx "setup: waiting for the apt lock: /var/lib/dpkg/lock-frontend held by pid $holder (python3) (up to [0-9]* s more)" "$work/err"
}

gives_up_at_the_deadline_naming_the_holder() {
    local start status
    hold flock /var/lib/apt/lists/lock 60 || return 1
    start=$SECONDS
    wait_for_apt_locks $((SECONDS + 2)) 2>"$work/err"
    status=$?
    cat "$work/err"
    kill "$holder"
    [ "$status" -ne 0 ] || { echo "returned 0 while the lock was held"; return 1; }
    [ $((SECONDS - start)) -le 4 ] || { echo "gave up only after $((SECONDS - start)) s"; return 1; }
    grep -qx "setup: gave up waiting for the apt lock after [2-4] s (APT_LOCK_TIMEOUT=[0-9]*): /var/lib/apt/lists/lock held by pid $holder (python3)" "$work/err"
}

# The whole script: `apt-get update` (which does not wait for the lists lock
# by itself) starts only once the lock is free, install gets DPkg::Lock::Timeout.
setup_waits_then_updates_and_installs() {
    local start
    hold fcntl /var/lib/apt/lists/lock 3 || return 1
    start=$SECONDS
    run_setup 60 ok || { cat "$work/out"; return 1; }
    cat "$work/out" "$work/calls"
    [ $((SECONDS - start)) -ge 2 ] || { echo "setup did not wait"; return 1; }
    grep -q "^setup: waiting for the apt lock: /var/lib/apt/lists/lock held by pid $holder (python3)" "$work/out" &&
        [ "$(wc -l <"$work/calls")" -eq 2 ] &&
        grep -qx -- '-o DPkg::Lock::Timeout=[0-9]* update -q' "$work/calls" &&
        grep -qx -- '-o DPkg::Lock::Timeout=[0-9]* install -y -q --no-install-recommends iproute2 .*' "$work/calls"
}

# A lock taken between the wait and apt-get: apt-get's lock error is retried.
setup_retries_after_a_lock_error() {
    run_setup 60 "lockerr ok" || { cat "$work/out"; return 1; }
    cat "$work/calls"
    [ "$(grep -c ' update -q$' "$work/calls")" -eq 2 ] && [ "$(wc -l <"$work/calls")" -eq 3 ]
}

# Any other failure is not retried, and is shown.
setup_stops_on_other_errors() {
    run_setup 60 fail && { echo "setup succeeded"; return 1; }
    cat "$work/out"
    [ "$(wc -l <"$work/calls")" -eq 1 ] &&
        grep -q 'Unable to locate package' "$work/out" && grep -q '^setup: apt-get failed' "$work/out"
}

setup_gives_up_and_never_runs_apt_get() {
    local start status
    hold fcntl /var/lib/dpkg/lock 60 || return 1
    start=$SECONDS
    run_setup 2 ok
    status=$?
    cat "$work/out"
    kill "$holder"
    [ "$status" -ne 0 ] && [ ! -s "$work/calls" ] && [ $((SECONDS - start)) -le 5 ] &&
        grep -qx "setup: gave up waiting for the apt lock after [2-4] s (APT_LOCK_TIMEOUT=2): /var/lib/dpkg/lock held by pid $holder (python3)" "$work/out"
}

check "free locks: no wait, no message" free_locks_do_not_wait
check "waits while a fcntl lock is held, naming the pid" waits_until_a_fcntl_holder_lets_go
check "gives up at the deadline, naming the flock holder" gives_up_at_the_deadline_naming_the_holder
check "setup.sh waits for the lists lock, then update and install" setup_waits_then_updates_and_installs
check "setup.sh retries apt-get after its lock error" setup_retries_after_a_lock_error
check "setup.sh stops on any other apt-get error" setup_stops_on_other_errors
check "setup.sh gives up after APT_LOCK_TIMEOUT without running apt-get" setup_gives_up_and_never_runs_apt_get

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
