#!/usr/bin/env bash
# The "what netns will not touch" rows of the bad-input corpus
# (tests/reliability/untouched.tsv): each row plants something netns did
# not make (a user's file, a symlink, a foreign namespace or link, a crash's
# leftovers…), runs one netns command against it, and checks the exit
# status, the message, and that what was planted is exactly as it was.
#
# Every row runs in a throwaway sandbox of its own (scripts/sandbox.sh), with
#   NETNS      the netns binary          ETC  an empty etc directory (NETNS_ETC_DIR)
#   NETNS_CNI  the CNI plugin            STATE an empty topology state directory
#   ROW        a scratch directory for the row's files (outside /run/netns)
# Columns, tab-separated: id  area  setup  command  expect  message  check
#   setup, command, check: bash; expect: the command's exit status; message:
#   text its stdout+stderr must contain (several joined by " && "; - for
#   none); check: must exit 0 after.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
: "${NETNS:=target/debug/netns}" "${NETNS_CNI:=target/debug/netns-cni}"
NETNS=$(readlink -f "$NETNS")
NETNS_CNI=$(readlink -f "$NETNS_CNI" 2>/dev/null || echo "$NETNS_CNI")
table=${1:-tests/reliability/untouched.tsv}
only=${ONLY:-}

# The body of one row, run as pid 1 of its own sandbox.
if [ "${UNTOUCHED_ROW-}" = 1 ]; then
    export ETC=/run/netns-test-etc STATE=/run/netns-test-state ROW=/run/netns-test-row
    export NETNS_ETC_DIR=$ETC NETNS_STATE_DIR=$STATE
    mkdir -p "$STATE" "$ROW"
    cd "$ROW"
    ip link set lo up
    if ! (eval "$SETUP") >"$ROW.setup.log" 2>&1; then
        echo "setup failed: $(cat "$ROW.setup.log")"
        exit 97
    fi
    out=$( (eval "$COMMAND") 2>&1)
    status=$?
    problems=()
    [ "$status" = "$EXPECT" ] || problems+=("exit status $status, expected $EXPECT")
    if [ "$MESSAGE" != - ]; then
        rest=$MESSAGE
        while [ -n "$rest" ]; do # several texts, separated by " && "
            want=${rest%% && *}
            [[ $out == *"$want"* ]] || problems+=("output lacks '$want'")
            [ "$want" = "$rest" ] && rest= || rest=${rest#* && }
        done
    fi
    [[ $out == *panicked* ]] && problems+=("panicked")
    if [ "$CHECK" != - ] && ! check_out=$( (eval "$CHECK") 2>&1); then
        problems+=("check failed: $CHECK ${check_out:+($check_out)}")
    fi
    if [ ${#problems[@]} -eq 0 ]; then
        echo "ok -> $status: ${out%%$'\n'*}"
        exit 0
    fi
    echo "FAILED: ${problems[*]}; output: $out"
    exit 1
fi

passed=0 failed=0
while IFS=$'\t' read -r id area setup command expect message check; do
    case $id in '' | \#*) continue ;; esac
    [ -z "$only" ] || [[ $id == $only ]] || continue
    [ "$setup" = - ] && setup=:
    line=$(cd "$root" && UNTOUCHED_ROW=1 SETUP=$setup COMMAND=$command EXPECT=$expect \
        MESSAGE=$message CHECK=$check NETNS=$NETNS NETNS_CNI=$NETNS_CNI ROOT=$root \
        timeout 120 scripts/sandbox.sh "$root/tests/reliability/untouched.sh" 2>&1)
    if [ $? -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok - $id [$area] ${line#ok }"
    else
        failed=$((failed + 1))
        echo "FAILED - $id [$area] $command: $line"
    fi
done <"$table"
echo "untouched: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
