#!/usr/bin/env bash
# Usage: scripts/check-host-clean.sh snapshot FILE
#        scripts/check-host-clean.sh check FILE
#
# Records (snapshot) or compares (check) the host's view of what netns and its
# tests could leave behind: the entries of /run/netns (or its absence), the
# names of the links, the number of nsfs mounts in /proc/self/mountinfo and the
# entries of /etc/netns (or its absence). `check` prints a diff and exits 1 on
# any difference.
set -euo pipefail

state() {
    echo "## /run/netns"
    if [ -e /run/netns ]; then ls -A1 /run/netns | LC_ALL=C sort; else echo "(absent)"; fi
    echo "## links"
    ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | LC_ALL=C sort
    echo "## nsfs mounts"
    awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "nsfs") n++; break } } END { print n + 0 }' /proc/self/mountinfo
    echo "## /etc/netns"
    if [ -e /etc/netns ]; then ls -A1 /etc/netns | LC_ALL=C sort; else echo "(absent)"; fi
}

usage() { sed -n '2,9s/^# \{0,1\}//p' "$0" >&2; exit 2; }

[ $# -eq 2 ] || usage
case "$1" in
snapshot)
    state >"$2"
    ;;
check)
    [ -r "$2" ] || { echo "check-host-clean: no snapshot at $2" >&2; exit 2; }
    now=$(mktemp)
    trap 'rm -f "$now"' EXIT
    state >"$now"
    if ! diff -u --label "host before" --label "host now" "$2" "$now" >&2; then
        echo "check-host-clean: HOST STATE CHANGED (see the diff above): a test touched the host" >&2
        exit 1
    fi
    ;;
*)
    usage
    ;;
esac
