# Sourced by test scripts that count their own checks:
#   check NAME CMD...   runs CMD, prints `ok - NAME` or `FAILED - NAME`,
#                       and counts it in $passed / $failed.
# The script prints `$passed passed, $failed failed` at its end.
passed=0
failed=0
check() {
    local name=$1
    shift
    echo "--- $name"
    if "$@"; then
        echo "ok - $name"
        passed=$((passed + 1))
    else
        echo "FAILED - $name"
        failed=$((failed + 1))
    fi
}
