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

# The Python package (netns-py): `pip install ./netns-py` into the project venv
# (.venv), stubs checked against the built module (mypy.stubtest), mypy --strict,
# then the pytest suite in the sandbox (no tests collected is a failure).
TEST_STEPS += py
.PHONY: test-py
test-py:
	STEP_TIMEOUT=$(STEP_TIMEOUT) netns-py/run-tests.sh

install:
	$(CARGO) install --locked --path netns-cli --root $(PREFIX)

# Benchmarks: namespace add/delete throughput of `netns` against `ip netns`,
# in a sandbox. Later issues add the Rust benches (bench/) here.
bench: setup release
	scripts/sandbox.sh env NETNS=$(RELEASE_BIN) scripts/bench.sh

clean:
	$(CARGO) clean

FORCE:
