#!/usr/bin/env bash
# Usage: tests/c/run.sh        (run by `make test-c`; needs root for the sandbox)
#
# The C side of netns, checked from the outside:
#   - include/netns.h is what cbindgen generates now (and a stale copy is caught),
#     its version macros match Cargo.toml, it compiles alone as C99 and as C++;
#   - `make install-lib PREFIX=tmp` installs libnetns.so(.0), libnetns.a, netns.h
#     and netns.pc, and pkg-config finds them;
#   - each tests/c/*.c is built with -std=c99 -Wall -Wextra -Werror -pedantic
#     against the shared and (separately) the static library, and run in a
#     sandbox (scripts/sandbox.sh), the shared build also under valgrind;
#   - examples/c builds with only pkg-config's flags and runs in a sandbox.
# Prints one `ok - CHECK` / `FAILED - CHECK` line per check, then `N passed, M failed`.
set -uo pipefail

cd "$(dirname "$0")/../.."
: "${CARGO:=cargo}"
: "${MAKE:=make}"
: "${CC:=gcc}"
: "${CXX:=g++}"
: "${RUN_TIMEOUT:=180}"
CFLAGS_TEST=(-std=c99 -Wall -Wextra -Werror -pedantic -g -pthread)

work=$(mktemp -d /tmp/netns-c-tests.XXXXXX)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig

# shellcheck source=../lib/check.bash
. tests/lib/check.bash

generator() {
    "$CARGO" run -q -p netns-ffi --example generate_header -- "$@"
}

header_is_fresh() { generator --check include/netns.h; }

stale_header_is_caught() {
    sed 's/NETNS_NOT_FOUND = 5/NETNS_NOT_FOUND = 50/' include/netns.h >"$work/stale.h"
    cmp -s include/netns.h "$work/stale.h" && { echo "could not make a stale copy"; return 1; }
    ! generator --check "$work/stale.h" 2>/dev/null
}

version_macros_match() {
    local version major minor patch
    version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
    IFS=. read -r major minor patch <<<"$version"
    grep -qx "#define NETNS_VERSION \"$version\"" include/netns.h &&
        grep -qx "#define NETNS_VERSION_MAJOR $major" include/netns.h &&
        grep -qx "#define NETNS_VERSION_MINOR $minor" include/netns.h &&
        grep -qx "#define NETNS_VERSION_PATCH $patch" include/netns.h ||
        { echo "header macros do not say $version (Cargo.toml)"; return 1; }
}

header_c99() { "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c include/netns.h; }
header_cxx() { "$CXX" -std=c++11 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c++ include/netns.h; }

install_lib() {
    "$MAKE" --no-print-directory install-lib PREFIX="$prefix" LIB_PROFILE=dev >"$work/install.log" 2>&1 ||
        { cat "$work/install.log"; return 1; }
    local f
    for f in lib/libnetns.so lib/libnetns.so.0 lib/libnetns.a include/netns.h lib/pkgconfig/netns.pc \
        share/netns/valgrind.supp; do
        [ -e "$prefix/$f" ] || { echo "missing $prefix/$f"; return 1; }
    done
    readelf -d "$prefix/lib/libnetns.so" | grep -q 'SONAME.*\[libnetns\.so\.0\]' ||
        { echo "soname is not libnetns.so.0"; return 1; }
}

pkg_config_works() {
    local flags
    flags=$(pkg-config --cflags --libs netns) || return 1
    flags=$(echo $flags) # pkg-config ends with a space
    echo "pkg-config --cflags --libs netns: $flags"
    [ "$flags" = "-I$prefix/include -L$prefix/lib -lnetns" ]
}

build_shared() {
    # shellcheck disable=SC2046
    "$CC" "${CFLAGS_TEST[@]}" $(pkg-config --cflags netns) -Itests/c -o "$work/$1" "tests/c/$1.c" \
        $(pkg-config --libs netns)
}

build_static() {
    local libs
    libs=$(pkg-config --static --libs-only-l netns | sed 's/-lnetns//')
    # shellcheck disable=SC2086
    "$CC" "${CFLAGS_TEST[@]}" $(pkg-config --cflags netns) -Itests/c -o "$work/$1-static" "tests/c/$1.c" \
        "$prefix/lib/libnetns.a" $libs || return 1
    if ldd "$work/$1-static" | grep -q libnetns; then
        echo "$1-static links libnetns.so"
        return 1
    fi
}

# Fully static (`cc -static`), from `pkg-config --static` output alone: the
# private libraries must be archives that exist (gcc_eh, not gcc_s).
build_full_static() {
    # shellcheck disable=SC2046
    "$CC" "${CFLAGS_TEST[@]}" -static $(pkg-config --cflags netns) -Itests/c -o "$work/$1-fullstatic" \
        "tests/c/$1.c" $(pkg-config --static --libs netns) || return 1
    if ! file "$work/$1-fullstatic" | grep -q 'statically linked'; then
        file "$work/$1-fullstatic"
        return 1
    fi
}
run_full_static() { run_test "$1-fullstatic" no "$work/$1-fullstatic"; }

pkg_config_static_is_gcc_eh() {
    local libs
    libs=$(pkg-config --static --libs netns) || return 1
    echo "pkg-config --static --libs netns: $(echo $libs)"
    grep -qw -- -lgcc_eh <<<"$libs" && ! grep -qw -- -lgcc_s <<<"$libs"
}

# `make install-lib` installs what the workspace build made: right after one,
# nothing is compiled again (cargo says only "Finished").
install_rebuilds_nothing() {
    "$MAKE" --no-print-directory install-lib PREFIX="$work/again" LIB_PROFILE=dev >"$work/again.log" 2>&1 ||
        { cat "$work/again.log"; return 1; }
    if grep -q 'Compiling' "$work/again.log"; then
        grep 'Compiling' "$work/again.log"
        return 1
    fi
}

# With CARGO_TARGET_DIR set, install-lib copies from there.
install_honours_cargo_target_dir() {
    local t=$work/targetdir
    mkdir -p "$t/debug"
    for f in libnetns.so libnetns.a; do cp "$prefix/lib/$f" "$t/debug/$f"; done
    # A cargo that does nothing: only the copy from CARGO_TARGET_DIR is under test.
    CARGO_TARGET_DIR=$t "$MAKE" --no-print-directory install-lib PREFIX="$work/tdir" LIB_PROFILE=dev \
        CARGO="$PWD/tests/c/cargo-metadata-only.sh" >"$work/tdir.log" 2>&1 || { cat "$work/tdir.log"; return 1; }
    cmp -s "$t/debug/libnetns.a" "$work/tdir/lib/libnetns.a"
}

in_sandbox() {
    LD_LIBRARY_PATH=$prefix/lib timeout "$RUN_TIMEOUT" scripts/sandbox.sh "$@"
}

# Runs a C test program in a sandbox; its TAP lines go to a log, shown whole
# when it fails, else only its summary. A SKIP is allowed only under valgrind.
run_test() {
    local log=$work/$1.log skip_ok=$2
    shift 2
    in_sandbox "$@" >"$log" 2>&1
    local status=$?
    if [ "$status" -ne 0 ]; then
        cat "$log"
        echo "exit status $status"
        return 1
    fi
    if [ "$skip_ok" = no ] && grep -q '^# SKIP' "$log"; then
        cat "$log"
        echo "a check was skipped outside valgrind"
        return 1
    fi
    grep -E '^# ' "$log" || true
}

run_shared() { run_test "$1" no "$work/$1"; }
run_static() { run_test "$1-static" no "$work/$1-static"; }
# valgrind as a user runs it: leak errors are its defaults (definite and
# possible), with only the installed suppression file (share/netns/valgrind.supp).
run_valgrind() {
    run_test "$1-valgrind" yes valgrind -q --leak-check=full --error-exitcode=1 \
        --suppressions="$prefix/share/netns/valgrind.supp" "$work/$1"
}

# The valgrind check can fail: a program that leaks a registry must not pass.
valgrind_catches_a_leak() {
    printf '%s\n' '#include <netns.h>' \
        'int main(void) { netns_registry *r = 0; return netns_registry_from_env(&r) != NETNS_OK; }' \
        >"$work/leak.c"
    # shellcheck disable=SC2046
    "$CC" -std=c99 $(pkg-config --cflags netns) -o "$work/leak" "$work/leak.c" $(pkg-config --libs netns) &&
        ! run_valgrind leak >/dev/null 2>&1
}

example_builds() {
    cp -r examples/c "$work/example" && "$MAKE" --no-print-directory -C "$work/example"
}

check "include/netns.h is a fresh cbindgen generation" header_is_fresh
check "a stale header fails the check" stale_header_is_caught
check "version macros match Cargo.toml" version_macros_match
check "netns.h compiles alone as C99" header_c99
check "netns.h compiles alone as C++" header_cxx
check "make install-lib PREFIX=tmp installs libraries, header, netns.pc" install_lib
check "pkg-config --cflags --libs netns" pkg_config_works
check "pkg-config --static --libs netns names gcc_eh, not gcc_s" pkg_config_static_is_gcc_eh
check "make install-lib again rebuilds nothing" install_rebuilds_nothing
check "make install-lib copies from CARGO_TARGET_DIR" install_honours_cargo_target_dir

for src in tests/c/*.c; do
    t=$(basename "$src" .c)
    if check "build $t (shared)" build_shared "$t"; then
        check "run $t (shared) in a sandbox" run_shared "$t"
        check "run $t under valgrind" run_valgrind "$t"
    fi
    if check "build $t (static)" build_static "$t"; then
        check "run $t (static) in a sandbox" run_static "$t"
    fi
done

if check "build walkthrough fully static (cc -static, pkg-config --static)" build_full_static walkthrough; then
    check "run walkthrough (fully static) in a sandbox" run_full_static walkthrough
fi

check "valgrind catches a leaked registry" valgrind_catches_a_leak

if check "examples/c builds with pkg-config only" example_builds; then
    check "examples/c walkthrough runs in a sandbox" run_test example no "$work/example/walkthrough"
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
