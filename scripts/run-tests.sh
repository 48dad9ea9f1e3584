#!/usr/bin/env bash
# Usage: scripts/run-tests.sh STEP...
#
# Runs `make test-STEP` for each STEP, going on past failures, between a
# snapshot and a check of the host's state (scripts/check-host-clean.sh),
# which counts as one more step. Ends with the line `N passed, M failed` and
# exits non-zero when anything failed. `make test` calls it with $(TEST_STEPS).
set -uo pipefail

cd "$(dirname "$0")/.."
: "${MAKE:=make}"

snapshot=$(mktemp)
trap 'rm -f "$snapshot"' EXIT
scripts/check-host-clean.sh snapshot "$snapshot" || { echo "run-tests: cannot snapshot the host" >&2; exit 2; }

passed=0
failed=0
failures=()

record() {
    local name=$1 status=$2 secs=$3
    if [ "$status" -eq 0 ]; then
        printf '=== ok %s (%ss)\n' "$name" "$secs"
        passed=$((passed + 1))
    else
        printf '=== FAILED %s (exit %s, %ss)\n' "$name" "$status" "$secs"
        failed=$((failed + 1))
        failures+=("$name")
    fi
}

for step in "$@"; do
    printf '\n=== %s\n' "$step"
    start=$SECONDS
    "$MAKE" --no-print-directory "test-$step"
    record "$step" $? $((SECONDS - start))
done

printf '\n=== host-clean\n'
start=$SECONDS
scripts/check-host-clean.sh check "$snapshot"
record host-clean $? $((SECONDS - start))

echo
[ "$failed" -eq 0 ] || echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
