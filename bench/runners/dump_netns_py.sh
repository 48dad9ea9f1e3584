#!/usr/bin/env bash
# The netns Python package's dump runner (netns_py_runner.py) with the
# project's .venv (make test-py installs netns-py there).
# Usage: dump_netns_py.sh ARG | --available
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=$here/../../.venv/bin/python
if [ "${1-}" = "--available" ]; then
    "$py" -c 'import netns; netns.Registry' >/dev/null 2>&1 || { echo "netns-py is not installed in .venv (make test-py)"; exit 1; }
    exit 0
fi
exec "$py" "$here/netns_py_runner.py" dump "$1"
