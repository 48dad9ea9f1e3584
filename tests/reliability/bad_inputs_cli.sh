#!/usr/bin/env bash
# The cli rows of tests/reliability/bad_inputs.tsv against the netns binary
# ($NETNS), in the sandbox (scripts/sandbox.sh): each must exit with its
# status, print a message containing its text on stderr, not panic, and leave
# nothing behind (no new run-directory entry, no link but lo).
set -uo pipefail
cd "$(dirname "$0")/../.."
NETNS=${NETNS:-target/debug/netns}
[ -r /run/netns-sandbox.net ] && [ "$(readlink /proc/self/ns/net)" = "$(cat /run/netns-sandbox.net)" ] ||
    { echo "refusing to run outside scripts/sandbox.sh"; exit 2; }

decode() { # one word of the table -> the bytes
    local w=$1
    case $w in
    \{*\}) n=${w#\{}; n=${n%\}}; printf 'a%.0s' $(seq "$n") ;;
    *) w=${w//\\s/ }; printf '%b' "$w" ;;
    esac
}

passed=0 failed=0
while IFS=$'\t' read -r id front op args expect message; do
    [ "$front" = cli ] || continue
    argv=()
    [ "$op" = - ] || argv+=("$op")
    if [ "$args" != - ]; then
        for w in $args; do argv+=("$(decode "$w")"); done
    fi
    want=$message
    case $message in \{*\}) want=$(decode "$message") ;; esac
    # The planted symlink of the "symlink" rows: to pid 1's namespace.
    ln -sfn /proc/1/ns/net /run/netns/symlink
    err=$(NETNS_RUN_DIR=/run/netns "$NETNS" "${argv[@]}" 2>&1 >/dev/null)
    status=$?
    problems=()
    [ "$status" = "$expect" ] || problems+=("exit status $status, expected $expect")
    [ "$want" = - ] || [[ $err == *"$want"* ]] || problems+=("message lacks '$want'")
    [[ $err == *panicked* ]] && problems+=("panicked")
    left=$(ls -A /run/netns | grep -vx symlink | tr '\n' ' ')
    [ -z "$left" ] || problems+=("left in /run/netns: $left")
    links=$(ip -o link show | wc -l)
    [ "$links" = 1 ] || problems+=("links left: $(ip -o link show | cut -d: -f2 | tr '\n' ' ')")
    if [ ${#problems[@]} -eq 0 ]; then
        echo "ok - $id netns ${argv[*]:0:6} -> $status: ${err%%$'\n'*}"
        passed=$((passed + 1))
    else
        echo "FAILED - $id netns ${argv[*]:0:6}: ${problems[*]}; stderr: $err"
        failed=$((failed + 1))
        for l in $(ip -o link show | cut -d: -f2 | tr -d ' ' | cut -d@ -f1); do [ "$l" = lo ] || ip link del "$l" 2>/dev/null; done
        for f in /run/netns/*; do [ "$(basename "$f")" = symlink ] || "$NETNS" delete "$(basename "$f")" 2>/dev/null || rm -f "$f"; done
    fi
    rm -f /run/netns/symlink
done <tests/reliability/bad_inputs.tsv
echo "cli bad inputs: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -ge 30 ]
