#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, demo and test netns.
# Idempotent: checks first, runs `apt-get update` once and only when something
# is missing. Quiet on success; progress goes to stderr.
set -euo pipefail

log() { printf 'setup: %s\n' "$*" >&2; }

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
    containernetworking-plugins # CNI plugin tests (later issue)
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
    trap 'rm -f "$apt_log"' EXIT
    if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
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

# `scripts/setup.sh bench` (make bench): pyroute2, pinned, from PyPI, into
# .venv-bench/, a venv the benchmark alone uses (bench/README.md).
PYROUTE2_VERSION=0.9.7
if [ "${1-}" = "bench" ]; then
    venv="$(cd "$(dirname "$0")/.." && pwd)/.venv-bench"
    if ! "$venv/bin/python" -c "import pyroute2, sys; sys.exit(pyroute2.__version__ != '$PYROUTE2_VERSION')" 2>/dev/null; then
        log "installing pyroute2 $PYROUTE2_VERSION into $venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q "pyroute2==$PYROUTE2_VERSION" >&2
    fi
fi
