#!/usr/bin/env bash
# `make test-reliability` (quick, a few minutes): the reliability checks that
# `cargo test --workspace` does not already run (the races, confinement,
# leak and Rust bad-input tests of netns-core/tests/reliability_*.rs run in
# test-rust; the C bad-input and cycles programs in test-c):
#   1. fault injection (netns-core feature fault-injection), lint of the
#      feature-gated code and of the fuzz crate;
#   2. the fuzz targets on stable: every seed + 3,000 mutations each;
#   3. the CLI rows of the bad-input matrix, privilege and path checks, in
#      the sandbox, and the "what netns will not touch" rows (untouched.tsv);
#   4. the Python rows of the matrix and the Python leak check, in the
#      sandbox, with the project venv (`make test-py` installs the package).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${CARGO:=cargo}"
: "${STEP_TIMEOUT:=600}"
log() { printf '\n== %s\n' "$*"; }

log "fault injection (cargo test -p netns-core --features fault-injection)"
"$CARGO" test -q -p netns-core --features fault-injection --test reliability_faults
log "clippy: feature-gated code and the fuzz crate"
"$CARGO" clippy -q -p netns-core --features fault-injection,fuzzing --all-targets -- -D warnings
"$CARGO" fmt --manifest-path fuzz/Cargo.toml -- --check
"$CARGO" clippy -q --manifest-path fuzz/Cargo.toml --target-dir target --all-targets -- -D warnings

log "fuzz targets on stable: seeds + ${FUZZ_ITERATIONS:=3000} mutations each"
FUZZ_ITERATIONS=$FUZZ_ITERATIONS "$CARGO" test -q --manifest-path fuzz/Cargo.toml --target-dir target -- --nocapture

log "CLI bad inputs and privilege (sandbox)"
"$CARGO" build -q -p netns-cli
timeout "$STEP_TIMEOUT" scripts/sandbox.sh env NETNS=target/debug/netns tests/reliability/bad_inputs_cli.sh
timeout "$STEP_TIMEOUT" scripts/sandbox.sh env NETNS=target/debug/netns tests/reliability/privilege.sh

log "what netns will not touch (each row in a sandbox of its own)"
"$CARGO" build -q -p netns-cni
timeout "$STEP_TIMEOUT" env NETNS=target/debug/netns NETNS_CNI=target/debug/netns-cni tests/reliability/untouched.sh

log "Python bad inputs and leaks (sandbox)"
py=${VENV:-.venv}/bin/python
so=$("$py" -c 'import netns._native as n; print(n.__file__)' 2>/dev/null || true)
if [ -z "$so" ] || ! "$py" -c 'import pytest' 2>/dev/null; then
    STEP_TIMEOUT=$STEP_TIMEOUT netns-py/run-tests.sh >/dev/null
elif [ -n "$(find netns-core/src netns-py/src -newer "$so" -name '*.rs' | head -n 1)" ]; then
    # The installed package predates the sources: reinstall it as test-py does.
    "$py" -m pip --disable-pip-version-check -q install --force-reinstall --no-deps ./netns-py
fi
timeout "$STEP_TIMEOUT" scripts/sandbox.sh "$py" -m pytest -p no:cacheprovider -q -s \
    tests/reliability/test_bad_inputs.py
