#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, demo and test netns.
# Idempotent: checks first, runs `apt-get update` once and only when something
# is missing. Quiet on success; progress goes to stderr.
#
# Another apt or dpkg (unattended-upgrades, a second setup) may hold the
# package locks: setup waits up to $APT_LOCK_TIMEOUT seconds (default 600) in
# all, saying which pid holds which lock, then gives up. apt-get install waits
# by itself (-o DPkg::Lock::Timeout); apt 2.6's `apt-get update` does not wait
# for /var/lib/apt/lists/lock, so setup waits for it and retries on a lock error.
set -euo pipefail

log() { printf 'setup: %s\n' "$*" >&2; }

: "${APT_LOCK_TIMEOUT:=600}"
# The locks apt and dpkg take (fcntl locks; dpkg's frontend lock first).
APT_LOCK_FILES=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock
    /var/cache/apt/archives/lock)

# lock_holder FILE: the pid of a process holding a lock on FILE (fcntl, OFD
# or flock), from /proc/locks, matched by device and inode; nothing when free.
lock_holder() {
    local dev ino key
    [ -e "$1" ] || return 0
    read -r dev ino < <(stat -L -c '%d %i' -- "$1") || return 0
    # /proc/locks names the device MAJOR:MINOR in hex: glibc's major()/minor() of st_dev.
    key=$(printf '%02x:%02x:%d' $(((dev >> 8) & 0xfff | (dev >> 32) & ~0xfff)) \
        $((dev & 0xff | (dev >> 12) & ~0xff)) "$ino")
    # Holders only: a waiting request's line has `->` in its second field.
    awk -v key="$key" '$2 != "->" && $6 == key { print $5; exit }' /proc/locks
}

# wait_for_apt_locks DEADLINE: returns once no file of APT_LOCK_FILES is held,
# or fails when $SECONDS reaches DEADLINE first. Says who holds what when it
# starts waiting, when the holder changes, and every 30 s.
wait_for_apt_locks() {
    local deadline=$1 started=$SECONDS file pid shown="" said_at=-30 held
    while :; do
        held=""
        for file in "${APT_LOCK_FILES[@]}"; do
            pid=$(lock_holder "$file")
            if [ -n "$pid" ]; then
                held="$file held by pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null || echo '?'))"
                break
            fi
        done
        [ -n "$held" ] || return 0
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "gave up waiting for the apt lock after $((SECONDS - started)) s (APT_LOCK_TIMEOUT=$APT_LOCK_TIMEOUT): $held"
            return 1
        fi
        if [ "$held" != "$shown" ] || [ $((SECONDS - said_at)) -ge 30 ]; then
            log "waiting for the apt lock: $held (up to $((deadline - SECONDS)) s more)"
            shown=$held
            said_at=$SECONDS
        fi
        sleep 1
    done
}

# apt_get DEADLINE ARG...: apt-get ARG... once the locks are free, with what is
# left of the wait as DPkg::Lock::Timeout; a lock taken by someone else in
# between (apt-get's "Could not get lock") sends it back to waiting. Output
# goes to $apt_log.
apt_get() {
    local deadline=$1 status
    shift
    while :; do
        wait_for_apt_locks "$deadline" || return 1
        apt-get -o "DPkg::Lock::Timeout=$((deadline > SECONDS ? deadline - SECONDS : 0))" "$@" \
            >"$apt_log.last" 2>&1 && status=0 || status=$?
        cat "$apt_log.last" >>"$apt_log"
        [ "$status" -ne 0 ] || return 0
        grep -q 'Could not get lock\|Unable to acquire the dpkg frontend lock' "$apt_log.last" &&
            [ "$SECONDS" -lt "$deadline" ] || return "$status"
    done
}

# Sourced (tests/setup/apt_lock.sh), setup.sh only defines the functions above.
if (return 0 2>/dev/null); then return 0; fi

# Debian packages and why.
packages=(
    iproute2                    # ip, ip netns: the reference the tests compare with
    iputils-ping                # ping in the walk-through
    nftables                    # NAT / firewall checks (later issues)
    util-linux                  # unshare, setpriv, nsenter, mount
    procps                      # ps, pgrep
    pkg-config                  # C tests and the Python extension
    gcc                         # C tests (also Rust's linker)
    g++                         # the C tests check that netns.h compiles as C++
    libc6-dev
    make
    valgrind                    # C tests under valgrind
    python3-venv                # Python binding tests (the project venv, .venv)
    python3-dev                 # libpython3.X.so: `cargo build --workspace` links the netns-py extension
    jq                          # JSON output checks in shell tests
    containernetworking-plugins # CNI plugin tests: the reference bridge, ptp, host-local, portmap
    podman                      # tests/cni/podman.sh: netns-cni under a real runtime (CNI backend)
    busybox-static              # the containers' root filesystem in tests/cni/podman.sh (no registry)
)

installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for p in "${packages[@]}"; do
    installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        log "missing packages: ${missing[*]}; run as root to install them"
        exit 1
    fi
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt_log=$(mktemp)
    trap 'rm -f "$apt_log" "$apt_log.last"' EXIT
    deadline=$((SECONDS + APT_LOCK_TIMEOUT))
    if ! { apt_get "$deadline" update -q && apt_get "$deadline" install -y -q --no-install-recommends "${missing[@]}"; }; then
        cat "$apt_log" >&2
        log "apt-get failed"
        exit 1
    fi
fi

# The Rust toolchain is expected on the machine; fmt and clippy are needed by `make test`.
if ! command -v cargo >/dev/null 2>&1; then
    log "cargo not found: install a Rust toolchain (https://rustup.rs) and retry"
    exit 1
fi
for component in rustfmt clippy; do
    sub=${component/rustfmt/fmt}
    if ! cargo "$sub" --version >/dev/null 2>&1; then
        if command -v rustup >/dev/null 2>&1; then
            log "adding rustup component $component"
            rustup component add "$component" >&2
        else
            log "cargo $sub missing and no rustup to add it"
            exit 1
        fi
    fi
done

# `scripts/setup.sh bench` (make bench): pyroute2 and matplotlib (the scale
# plot, bench/plot_scale.py), pinned, from PyPI, into .venv-bench/, a venv the
# benchmark alone uses (bench/README.md).
PYROUTE2_VERSION=0.9.7
MATPLOTLIB_VERSION=3.9.2
if [ "${1-}" = "bench" ]; then
    venv="$(cd "$(dirname "$0")/.." && pwd)/.venv-bench"
    if ! "$venv/bin/python" -c "import pyroute2, matplotlib, sys; sys.exit(pyroute2.__version__ != '$PYROUTE2_VERSION' or matplotlib.__version__ != '$MATPLOTLIB_VERSION')" 2>/dev/null; then
        log "installing pyroute2 $PYROUTE2_VERSION and matplotlib $MATPLOTLIB_VERSION into $venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q "pyroute2==$PYROUTE2_VERSION" "matplotlib==$MATPLOTLIB_VERSION" >&2
    fi
fi
