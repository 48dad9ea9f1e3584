# netns: build, demo, test, install, bench.
#
#   make demo     set up the machine, build, run the demo in a throwaway sandbox
#   make test     set up the machine, run every test step, check the host is untouched
#
# Every kernel-touching test runs in a private mount + network namespace:
# Rust tests sandbox their own thread (netns-testkit), scripts run under
# scripts/sandbox.sh. Needs root.

CARGO    ?= cargo
PREFIX   ?= /usr/local
RELEASE_BIN := target/release/netns
DEBUG_BIN   := target/debug/netns

# Shell end-to-end tests: each tests/shell/NAME.sh is one step, shell/NAME.
SHELL_TESTS := $(patsubst tests/shell/%.sh,shell/%,$(sort $(wildcard tests/shell/*.sh)))

# The steps of `make test`, in order; each is a target test-STEP below.
# Later issues append theirs (e.g. TEST_STEPS += c py).
TEST_STEPS := build fmt clippy rust $(SHELL_TESTS) doc
# The C library (netns-ffi): header drift, install + pkg-config, C tests (valgrind).
TEST_STEPS += c

# Per-step time limit for scripts run in the sandbox.
STEP_TIMEOUT ?= 600

.PHONY: all setup build release demo test install install-lib header bench clean FORCE \
        $(addprefix test-,$(filter-out shell/%,$(TEST_STEPS)))

all: build

setup:
	@scripts/setup.sh

build:
	$(CARGO) build --workspace

release:
	$(CARGO) build --workspace --release

# `netns demo` makes its own sandbox too; sandbox.sh around it is belt and braces.
demo: setup release
	scripts/sandbox.sh $(RELEASE_BIN) demo
	scripts/sandbox.sh env NETNS=$(RELEASE_BIN) scripts/demo.sh

test: setup
	@scripts/run-tests.sh $(TEST_STEPS)

test-build:
	$(CARGO) build --workspace --all-targets

test-fmt:
	$(CARGO) fmt --all -- --check

test-clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust:
	$(CARGO) test --workspace

# (A pattern rule cannot be .PHONY; FORCE makes it always run.)
test-shell/%: tests/shell/%.sh FORCE
	$(CARGO) build -p netns-cli
	timeout $(STEP_TIMEOUT) scripts/sandbox.sh env NETNS=$(DEBUG_BIN) $<

test-doc:
	RUSTDOCFLAGS=-Dwarnings $(CARGO) doc --workspace --no-deps

# One name per concept (docs/names.md) in include/netns.h and the Python
# stubs; then the check itself must refuse a copy of the header with a
# retired name put back.
TEST_STEPS += names
.PHONY: test-names
test-names:
	scripts/check-names.py
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	    mkdir -p "$$tmp/docs" "$$tmp/include" "$$tmp/netns-py/python/netns" && \
	    cp docs/names.md "$$tmp/docs/" && cp netns-py/python/netns/_native.pyi "$$tmp/netns-py/python/netns/" && \
	    sed 's/netns_link_index(/netns_link_lookup(/' include/netns.h > "$$tmp/include/netns.h" && \
	    if scripts/check-names.py "$$tmp" 2>/dev/null; then echo "check-names accepted a retired name"; exit 1; fi && \
	    echo "check-names refuses a retired name: ok"

# The Python package (netns-py): `pip install ./netns-py` into the project venv
# (.venv), stubs checked against the built module (mypy.stubtest), mypy --strict,
# then the pytest suite in the sandbox (no tests collected is a failure).
TEST_STEPS += py
.PHONY: test-py
test-py:
	STEP_TIMEOUT=$(STEP_TIMEOUT) netns-py/run-tests.sh

# Where cargo puts what it builds: $CARGO_TARGET_DIR, build.target-dir, or
# target/ (asked of cargo, once, only by the targets that need it).
TARGET_DIR = $(eval TARGET_DIR := $(shell $(CARGO) metadata --format-version 1 --no-deps \
    | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p'))$(TARGET_DIR)

# Installs what `make release` (or `make demo`) built: the same cargo command,
# so nothing is rebuilt when it ran already; the CLI is copied, not rebuilt by
# `cargo install`.
# The Python package for sharing: a manylinux abi3 wheel and the sdist, in
# WHEEL_DIR (maturin from PyPI in .venv; cargo must be installed).
WHEEL_DIR = $(TARGET_DIR)/wheels
.PHONY: wheel test-wheel
wheel:
	netns-py/build-wheel.sh $(WHEEL_DIR)

# The wheel's tags, the wheel and the sdist installed into fresh venvs, and a
# build without cargo failing fast (netns-py/test-wheel.sh).
TEST_STEPS += wheel
test-wheel:
	MAKE=$(MAKE) netns-py/test-wheel.sh

install: install-lib install-cli-docs
	$(CARGO) build --workspace --profile $(LIB_PROFILE)
	install -D -m 0755 $(LIB_BUILD_DIR)/netns $(DESTDIR)$(PREFIX)/bin/netns

# The C library: libnetns.so.VERSION (+ .so.MAJOR and .so links), libnetns.a,
# include/netns.h, lib/pkgconfig/netns.pc, share/netns/valgrind.supp.
# LIB_PROFILE=dev installs the debug build. The library is built by the
# workspace build (`make release`, `make demo`, `make build` for dev), so
# installing after it rebuilds nothing (a `-p netns-ffi` build alone would
# unify features differently and compile netns-core again).
LIB_PROFILE   ?= release
LIB_BUILD_DIR  = $(TARGET_DIR)/$(if $(filter dev,$(LIB_PROFILE)),debug,$(LIB_PROFILE))
LIB_VERSION   := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' Cargo.toml | head -n 1)
LIB_MAJOR     := $(firstword $(subst ., ,$(LIB_VERSION)))
# What libnetns.a needs (rustc's native-static-libs), for `pkg-config --static`:
# gcc_eh (the unwinder as an archive) instead of gcc_s, so `cc -static` links.
LIB_PRIVATE   := -lgcc_eh -lutil -lrt -lpthread -lm -ldl -lc
install-lib:
	$(CARGO) build --workspace --profile $(LIB_PROFILE)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/netns
	install -m 0755 $(LIB_BUILD_DIR)/libnetns.so $(DESTDIR)$(PREFIX)/lib/libnetns.so.$(LIB_VERSION)
	ln -sf libnetns.so.$(LIB_VERSION) $(DESTDIR)$(PREFIX)/lib/libnetns.so.$(LIB_MAJOR)
	ln -sf libnetns.so.$(LIB_MAJOR) $(DESTDIR)$(PREFIX)/lib/libnetns.so
	install -m 0644 $(LIB_BUILD_DIR)/libnetns.a $(DESTDIR)$(PREFIX)/lib/libnetns.a
	install -m 0644 include/netns.h $(DESTDIR)$(PREFIX)/include/netns.h
	install -m 0644 tests/c/valgrind.supp $(DESTDIR)$(PREFIX)/share/netns/valgrind.supp
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(PREFIX)/lib|' \
	    -e 's|@INCLUDEDIR@|$(PREFIX)/include|' -e 's|@VERSION@|$(LIB_VERSION)|' \
	    -e 's|@PRIVATE_LIBS@|$(LIB_PRIVATE)|' netns-ffi/netns.pc.in \
	    >$(DESTDIR)$(PREFIX)/lib/pkgconfig/netns.pc

# Regenerates include/netns.h with cbindgen 0.29.4 (commit the result).
header:
	$(CARGO) run -q -p netns-ffi --example generate_header -- include/netns.h

test-c:
	$(CARGO) build --workspace
	timeout $(STEP_TIMEOUT) env CARGO=$(CARGO) MAKE=$(MAKE) tests/c/run.sh

# Benchmarks (bench/README.md): W(N), the 10,000-link dump and per-call
# latency, netns against ip, ip -batch, pyroute2 and rtnetlink 0.24, each run
# in a fresh sandbox; then (bench/events.py) events received while links and
# addresses are created, and dumps of 10,000 neighbours and routes; writes
# bench/results/*.json and BENCHMARKS.md.
# `make bench N=1000 ROUNDS=3`. Not part of `make test` (bench-smoke is).
N      ?= 1000
ROUNDS ?= 3
BENCH_CARGO = $(CARGO) build --manifest-path bench/rust/Cargo.toml --target-dir target
bench: setup release
	scripts/setup.sh bench
	$(BENCH_CARGO) --release --features anchors
	bench/run.py --n $(N) --rounds $(ROUNDS)
	bench/run.py --plot
	bench/events.py --rounds $(ROUNDS)

# W(N) against N (bench/README.md, "Scale"): netns, the floor runner and
# ip -batch at each N of NS, each run in a fresh sandbox, and `netns list` /
# `list-id` against `ip netns list` with LIST_NAMES names; writes
# bench/results/scale.json, bench/results/w_scale.svg and the scale section
# of BENCHMARKS.md. `make bench-scale NS="1000 2000 4000 8000" SCALE_ROUNDS=3`.
# SCALE_ONLY="netns (Rust),libnetns (C)" limits the sweep to those runners.
# SCALE_IP=8000 first runs netns (Rust), ip -batch and netns (Rust) again at
# 8000 back to back in the same invocation (their ratio); alone with
# `make bench-scale SCALE_IP=8000 NS= LIST_NAMES=0`.
NS           ?= 1000 2000 4000 8000
SCALE_ROUNDS ?= 1
LIST_NAMES   ?= 10000
SCALE_ONLY   ?=
SCALE_IP     ?=
.PHONY: bench-scale
bench-scale: setup release
	scripts/setup.sh bench
	$(BENCH_CARGO) --release
	bench/run.py --rounds $(SCALE_ROUNDS) \
	    $(if $(strip $(SCALE_IP)),--same-run $(SCALE_IP)) \
	    $(if $(strip $(NS)),--sweep "$(NS)") $(if $(strip $(SCALE_ONLY)),--only "$(SCALE_ONLY)") \
	    $(if $(filter-out 0,$(LIST_NAMES)),--list-names $(LIST_NAMES))

# The bench crate kept compiling and its W(20) right (counts checked).
TEST_STEPS += bench-smoke
.PHONY: test-bench-smoke
test-bench-smoke:
	$(CARGO) fmt --manifest-path bench/rust/Cargo.toml -- --check
	$(CARGO) clippy --manifest-path bench/rust/Cargo.toml --target-dir target -- -D warnings
	$(BENCH_CARGO)
	timeout $(STEP_TIMEOUT) bench/run.py --smoke --bench-bin target/debug/netns-bench
	timeout $(STEP_TIMEOUT) bench/events.py --smoke --bench-bin target/debug/netns-bench

clean:
	$(CARGO) clean

FORCE:

# The CNI plugin (netns-cni): the same configurations through the reference
# plugins (Debian's containernetworking-plugins) and through netns-cni
# (compare.sh), and podman with its CNI backend over each (podman.sh, about
# 40 s); each script of tests/cni/ in its own sandbox, at most
# CNI_SCRIPT_TIMEOUT seconds. (Its Rust tests run in test-rust.)
TEST_STEPS += cni
CNI_SCRIPT_TIMEOUT ?= 300
.PHONY: test-cni install-cni bench-cni
test-cni:
	$(CARGO) build -p netns-cni
	for t in tests/cni/*.sh; do \
	    timeout $(CNI_SCRIPT_TIMEOUT) scripts/sandbox.sh env NETNS_CNI=target/debug/netns-cni $$t || exit 1; \
	done

# netns-cni into the runtime's plugin directory (see docs/cni.md): as
# netns-cni, or with AS=reference as `bridge` and `ptp` (a reference plugin
# there is kept as NAME.reference; uninstall-cni puts it back).
CNI_BIN_DIR ?= /opt/cni/bin
AS ?= netns-cni
.PHONY: uninstall-cni
install-cni:
	$(CARGO) build -p netns-cni --release
	netns-cni/install.sh install $(AS) target/release/netns-cni $(DESTDIR)$(CNI_BIN_DIR)
uninstall-cni:
	netns-cni/install.sh uninstall $(AS) target/release/netns-cni $(DESTDIR)$(CNI_BIN_DIR)

# ADD+DEL latency of 100 pods: netns-cni against the reference bridge plugin.
bench-cni: setup
	$(CARGO) build -p netns-cni --release
	scripts/sandbox.sh env NETNS_CNI=target/release/netns-cni bench/cni/bench.sh

# Reliability (RELIABILITY.md): fault injection, fuzz targets replayed on
# stable, the bad-input matrix (CLI, Python), privilege and path checks.
# (The races/confinement/leak tests run in test-rust, the C programs in test-c.)
TEST_STEPS += reliability
.PHONY: test-reliability fuzz soak
test-reliability:
	STEP_TIMEOUT=$(STEP_TIMEOUT) CARGO=$(CARGO) tests/reliability/run.sh

# cargo-fuzz (nightly) on each target for FUZZ_SECONDS, seeds in fuzz/seeds/,
# new inputs in fuzz/corpus/ (ignored); without nightly or cargo-fuzz, the
# stable mutation loop of fuzz/tests/replay.rs for the same time.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := netlink_reply topology cli_words
fuzz:
	@if $(CARGO) +nightly --version >/dev/null 2>&1 && $(CARGO) fuzz --version >/dev/null 2>&1; then \
	    for t in $(FUZZ_TARGETS); do \
	        mkdir -p fuzz/corpus/$$t && \
	        $(CARGO) +nightly fuzz run --fuzz-dir fuzz --features libfuzzer $$t fuzz/corpus/$$t fuzz/seeds/$$t \
	            -- -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 || exit 1; \
	    done; \
	else \
	    echo "no nightly toolchain or cargo-fuzz: the stable mutation loop ($(FUZZ_SECONDS) s per target)"; \
	    FUZZ_SECONDS=$(FUZZ_SECONDS) $(CARGO) test --release --manifest-path fuzz/Cargo.toml --target-dir target -- --nocapture; \
	fi

# The long runs: 10,000 create/delete cycles (Rust, C under valgrind, Python),
# 8 threads x 10,000 confinement calls, a 60 s race.
SOAK_CYCLES ?= 10000
soak: build
	RELIABILITY_CYCLES=$(SOAK_CYCLES) $(CARGO) test -p netns-core --release --test reliability_leaks -- --nocapture
	RELIABILITY_CALLS=$(SOAK_CYCLES) $(CARGO) test -p netns-core --release --test reliability_confinement -- --nocapture
	RELIABILITY_SECONDS=60 $(CARGO) test -p netns-core --release --test reliability_races -- --nocapture
	$(CARGO) build -p netns-ffi
	mkdir -p target/soak-lib && cp target/debug/libnetns.so target/soak-lib/libnetns.so.0
	$(CC) -std=c99 -Wall -g -pthread -Iinclude -Itests/c -o target/soak-lib/cycles tests/c/cycles.c -Ltarget/debug -lnetns
	NETNS_CYCLES=$(SOAK_CYCLES) LD_LIBRARY_PATH=target/soak-lib scripts/sandbox.sh valgrind -q --leak-check=full \
	    --errors-for-leak-kinds=definite,possible --suppressions=tests/c/valgrind.supp --error-exitcode=1 target/soak-lib/cycles
	RELIABILITY_PY_CYCLES=$(SOAK_CYCLES) scripts/sandbox.sh .venv/bin/python -m pytest -p no:cacheprovider -q -s \
	    tests/reliability/test_bad_inputs.py -k leak

# The sysctl-sensitive tests again on a simulated forwarding host (Docker,
# Kubernetes): every sandbox with NETNS_SANDBOX_SYSCTLS=forwarding-on
# (scripts/sandbox.sh), the host's sysctls untouched. Its Python part uses the
# package test-py installed into .venv.
TEST_STEPS += hostsysctl
.PHONY: test-hostsysctl
test-hostsysctl:
	STEP_TIMEOUT=$(STEP_TIMEOUT) CARGO=$(CARGO) tests/hostsysctl/run.sh

# scripts/setup.sh waits for the apt/dpkg locks another process holds: its
# functions and the whole script against locks held in a private mount
# namespace, with a fake apt-get (the host's apt is not touched).
TEST_STEPS += setup-lock
.PHONY: test-setup-lock
test-setup-lock:
	tests/setup/apt_lock.sh

# Real scripts' ip calls (tests/conformance/corpus, each citing its source),
# replayed in sandboxes with the real ip and with an ip shim running netns;
# fails when the share of calls that behave the same drops below the floor
# (docs/cli.md lists the calls that differ and why).
TEST_STEPS += conformance
.PHONY: test-conformance
test-conformance:
	$(CARGO) build -p netns-cli
	timeout 300 tests/conformance/run.sh target/debug/netns

# Man pages (netns.1, netns-COMMAND.1) and bash/zsh/fish completions,
# generated from the clap definitions (netns-cli/examples/gen_docs.rs);
# `make install` puts them under $(PREFIX)/share.
CLI_DOCS := target/cli-docs
.PHONY: cli-docs install-cli-docs
cli-docs:
	$(CARGO) run -q -p netns-cli --example gen_docs -- $(CLI_DOCS)

install-cli-docs: cli-docs
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 $(CLI_DOCS)/man1/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -D -m 0644 $(CLI_DOCS)/completions/netns.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/netns
	install -D -m 0644 $(CLI_DOCS)/completions/_netns $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_netns
	install -D -m 0644 $(CLI_DOCS)/completions/netns.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/netns.fish
