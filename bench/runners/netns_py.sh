#!/usr/bin/env bash
# The netns Python package's runner (netns_py_runner.py: W(N), the dump,
# latency) with the project's .venv (make test-py installs netns-py there).
# Usage: netns_py.sh w|dump|latency ARG | --available
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=$here/../../.venv/bin/python
if [ "${1-}" = "--available" ]; then
    "$py" -c 'import netns; netns.Registry' >/dev/null 2>&1 || { echo "netns-py is not installed in .venv (make test-py)"; exit 1; }
    exit 0
fi
exec "$py" "$here/netns_py_runner.py" "$1" "$2"
