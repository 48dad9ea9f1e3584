#!/usr/bin/env bash
# Usage: netns-py/test-wheel.sh          (what `make test-wheel` runs)
#
# The package as it is shipped: `make wheel` gives a manylinux abi3 wheel
# (its WHEEL file's tags checked) and an sdist; each installs into a fresh
# venv and imports (the version it reports is Cargo.toml's); and a build from
# source without cargo fails at once, saying cargo is missing, instead of
# downloading a toolchain.
set -uo pipefail

cd "$(dirname "$0")/.."
: "${MAKE:=make}"
: "${PYTHON:=python3}"
work=$(mktemp -d /tmp/netns-wheel-tests.XXXXXX)
trap 'rm -rf "$work"' EXIT
out=$work/dist
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)

# shellcheck source=../tests/lib/check.bash
. tests/lib/check.bash

build() { "$MAKE" --no-print-directory wheel WHEEL_DIR="$out" >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; return 1; }; }

wheel_tags() {
    local wheel tags
    wheel=$(ls "$out"/netns-*.whl) || return 1
    tags=$("$PYTHON" - "$wheel" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if n.endswith(".dist-info/WHEEL"))
    print(" ".join(l.split(": ", 1)[1] for l in z.read(name).decode().splitlines() if l.startswith("Tag: ")))
PY
) || return 1
    echo "$(basename "$wheel"): $tags"
    for t in $tags; do
        [[ $t == cp39-abi3-manylinux_2_*_x86_64 || $t == cp39-abi3-manylinux_2_*_aarch64 ||
            $t == cp39-abi3-manylinux2014_* ]] || { echo "tag $t is not manylinux abi3"; return 1; }
    done
}

installs() { # installs KIND FILE
    local venv=$work/venv-$1
    "$PYTHON" -m venv "$venv" &&
        CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target} "$venv/bin/python" -m pip \
            --disable-pip-version-check -q install "$2" >"$work/$1.log" 2>&1 ||
        { tail -30 "$work/$1.log"; return 1; }
    local got
    got=$(cd / && "$venv/bin/python" -c 'import netns; print(netns.__version__)') || return 1
    [ "$got" = "$version" ] || { echo "netns.__version__ is $got, not $version"; return 1; }
}
wheel_installs() { installs wheel "$(ls "$out"/netns-*.whl)"; }
sdist_installs() { installs sdist "$(ls "$out"/netns-*.tar.gz)"; }

no_cargo_fails_fast() {
    local venv=$work/venv-nocargo path=/usr/local/bin:/usr/bin:/bin
    PATH=$path command -v cargo >/dev/null && { echo "cargo is in $path: cannot test"; return 1; }
    "$PYTHON" -m venv "$venv" || return 1
    if PATH=$path CARGO= timeout 300 "$venv/bin/python" -m pip --disable-pip-version-check install \
        ./netns-py >"$work/nocargo.log" 2>&1; then
        echo "installed without cargo"
        return 1
    fi
    grep -q "building from source needs Rust's cargo" "$work/nocargo.log" ||
        { tail -20 "$work/nocargo.log"; return 1; }
    ! grep -qi 'puccinialin\|rustup-init\|Downloading.*rust' "$work/nocargo.log"
}

if check "make wheel builds a wheel and an sdist" build; then
    check "the wheel is tagged manylinux, abi3" wheel_tags
    check "the wheel installs into a fresh venv" wheel_installs
    check "the sdist installs into a fresh venv" sdist_installs
fi
check "without cargo, a build from source fails at once, saying so" no_cargo_fails_fast

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
