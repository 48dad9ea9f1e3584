#!/usr/bin/env bash
# Usage: netns-py/build-wheel.sh OUTDIR        (what `make wheel` runs)
#
# Builds the netns wheel and sdist into OUTDIR with maturin (installed from
# PyPI into the project venv, $VENV or .venv): one abi3 wheel for CPython >=
# 3.9, tagged with the oldest manylinux policy the extension satisfies, as
# maturin's built-in auditwheel check finds it (glibc symbol versions, only
# system libraries linked); a plain linux_* tag is refused. Fails at once,
# saying why, when cargo is missing (maturin would download a toolchain).
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:?usage: build-wheel.sh OUTDIR}
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
py=$VENV/bin/python
log() { printf 'wheel: %s\n' "$*" >&2; }

command -v "${CARGO:-cargo}" >/dev/null ||
    { log "cargo is not on PATH: install Rust (https://rustup.rs or apt install cargo)"; exit 1; }
[ -x "$py" ] || "$PYTHON" -m venv "$VENV"
"$py" -m pip --disable-pip-version-check -q install 'maturin>=1.9.4,<2'
maturin=$VENV/bin/maturin
mkdir -p "$out"
rm -f "$out"/netns-*.whl "$out"/netns-*.tar.gz
# --compatibility unset: maturin picks the manylinux policy and checks it.
# On Debian 12 (glibc 2.36) that is manylinux_2_34: the extension links
# GLIBC_2.30..2.34 symbols, so `--compatibility manylinux_2_28` is refused
# here; an older policy needs a manylinux container (or `maturin --zig`).
"$maturin" build --release -m netns-py/Cargo.toml --out "$out" --interpreter "$py" >&2
"$maturin" sdist -m netns-py/Cargo.toml --out "$out" >&2
wheel=$(ls "$out"/netns-*.whl)
case $(basename "$wheel") in
*-cp39-abi3-manylinux_2_*_x86_64*.whl | *-cp39-abi3-manylinux_2_*_aarch64*.whl) ;;
*) log "not a manylinux abi3 wheel: $wheel"; exit 1 ;;
esac
ls "$out"
