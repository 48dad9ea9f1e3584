#!/bin/sh
# A stand-in for cargo in tests/c/run.sh: `metadata` is answered by the real
# cargo (so CARGO_TARGET_DIR is honoured as cargo honours it); `build` does
# nothing, so only what the Makefile copies is under test.
case "$1" in
metadata) exec cargo "$@" ;;
build) exit 0 ;;
*) echo "cargo-metadata-only: unexpected $*" >&2; exit 1 ;;
esac
