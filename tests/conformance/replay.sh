#!/usr/bin/env bash
# Usage (inside scripts/sandbox.sh): replay.sh ip|netns NETNS_BIN CALLS_FILE OUT
#
# Runs each call of CALLS_FILE (one `ip` call per line, the words after
# `ip`) as `ip WORDS`, with either the real ip or a shim that runs netns
# with the same arguments first in PATH; writes to OUT, per call, a record:
#   ### N: WORDS
#   rc=STATUS
#   STDOUT
# A line `-b BATCH:L1|L2|…` runs `ip -b FILE` on a file of those lines.
set -uo pipefail
mode=$1 netns_bin=$2 calls=$3 out=$4
grep -q . /run/netns-sandbox.net 2>/dev/null || { echo "replay.sh: not in a sandbox" >&2; exit 2; }
work=$(mktemp -d)
if [ "$mode" = netns ]; then
    mkdir "$work/shim"
    printf '#!/bin/sh\nexec %q "$@"\n' "$netns_bin" > "$work/shim/ip"
    chmod +x "$work/shim/ip"
    export PATH="$work/shim:$PATH"
fi
: > "$out"
n=0
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    n=$((n + 1))
    if [[ "$line" == "-b BATCH:"* ]]; then
        tr '|' '\n' <<< "${line#-b BATCH:}" > "$work/batch"
        set -- -b "$work/batch"
    else
        eval "set -- $line"
    fi
    {
        printf '### %d: %s\n' "$n" "$line"
        stdout=$(ip "$@" 2>"$work/err")
        printf 'rc=%d\n' $?
        printf '%s\n' "$stdout"
        sed 's/^/stderr: /' "$work/err"
    } >> "$out"
done < "$calls"
rm -rf "$work"
