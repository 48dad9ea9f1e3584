#!/usr/bin/env bash
# Usage: netns-py/run-tests.sh [PYTEST-ARG...]      (what `make test-py` runs)
#
# 1. Creates the project venv (.venv at the repo root, or $VENV) if missing and
#    installs the test tools into it (pytest, mypy), never into the system Python.
# 2. Installs the package the way users do: `pip install ./netns-py` (maturin,
#    fetched from PyPI, is the build backend; an abi3 wheel is built).
# 3. Checks the stubs against the built module (mypy.stubtest) and type-checks
#    the package and its tests against them (mypy --strict).
# 4. Runs the pytest suite inside scripts/sandbox.sh (private mount + net + pid
#    namespaces), printing pytest's summary line. No tests collected (pytest's
#    exit status 5) is a failure, as is any other non-zero status.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
py=$VENV/bin/python
pip=("$py" -m pip --disable-pip-version-check -q)

log() { printf 'test-py: %s\n' "$*" >&2; }

if [ ! -x "$py" ]; then
    log "creating $VENV with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv "$VENV"
fi
"${pip[@]}" install 'pytest>=8' 'mypy>=1.10'

log "pip install ./netns-py"
"${pip[@]}" install --force-reinstall --no-deps ./netns-py

export MYPY_CACHE_DIR=${MYPY_CACHE_DIR:-$VENV/mypy-cache}
log "stubtest"
"$py" -m mypy.stubtest netns   # netns and its submodule netns._native
log "mypy --strict"
"$py" -m mypy --strict --no-warn-unused-ignores netns-py/python/netns netns-py/tests

log "pytest (in the sandbox)"
set +e
timeout "${STEP_TIMEOUT:-600}" scripts/sandbox.sh "$py" -m pytest -p no:cacheprovider \
    -q -rfEs --durations=5 netns-py/tests "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    log "FAILED: pytest collected no tests"
elif [ "$status" -ne 0 ]; then
    log "FAILED: pytest exit status $status"
fi
exit "$status"
