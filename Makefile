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

# Per-step time limit for scripts run in the sandbox.
STEP_TIMEOUT ?= 600

.PHONY: all setup build release demo test install bench clean FORCE \
        $(addprefix test-,$(filter-out shell/%,$(TEST_STEPS)))

all: build

setup:
	@scripts/setup.sh

build:
	$(CARGO) build --workspace

release:
	$(CARGO) build --workspace --release

demo: setup release
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

install:
	$(CARGO) install --locked --path netns-cli --root $(PREFIX)

# Benchmarks: namespace add/delete throughput of `netns` against `ip netns`,
# in a sandbox. Later issues add the Rust benches (bench/) here.
bench: setup release
	scripts/sandbox.sh env NETNS=$(RELEASE_BIN) scripts/bench.sh

clean:
	$(CARGO) clean

FORCE:

# The CNI plugin (netns-cni): the same configurations through the reference
# plugins (Debian's containernetworking-plugins) and through netns-cni, each
# script of tests/cni/ in its own sandbox. (Its Rust tests run in test-rust.)
TEST_STEPS += cni
.PHONY: test-cni install-cni bench-cni
test-cni:
	$(CARGO) build -p netns-cni
	for t in tests/cni/*.sh; do \
	    timeout $(STEP_TIMEOUT) scripts/sandbox.sh env NETNS_CNI=target/debug/netns-cni $$t || exit 1; \
	done

# netns-cni into the runtime's plugin directory (see docs/cni.md).
CNI_BIN_DIR ?= /opt/cni/bin
install-cni:
	$(CARGO) build -p netns-cni --release
	install -D -m 0755 target/release/netns-cni $(DESTDIR)$(CNI_BIN_DIR)/netns-cni

# ADD+DEL latency of 100 pods: netns-cni against the reference bridge plugin.
bench-cni: setup
	$(CARGO) build -p netns-cni --release
	scripts/sandbox.sh env NETNS_CNI=target/release/netns-cni bench/cni/bench.sh
