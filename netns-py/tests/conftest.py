"""Shared fixtures. The suite touches the kernel, so it runs only inside
scripts/sandbox.sh (a private mount + network + pid namespace with an empty
/run/netns): it refuses to start anywhere else."""

from __future__ import annotations

import os
from typing import Iterator

import pytest

import netns

SANDBOX_MARKER = "/run/netns-sandbox.net"


def pytest_configure(config: pytest.Config) -> None:
    try:
        with open(SANDBOX_MARKER) as f:
            expected = f.read().strip()
    except OSError:
        pytest.exit(f"refusing to run outside scripts/sandbox.sh ({SANDBOX_MARKER} missing)", 2)
    if os.readlink("/proc/self/ns/net") != expected:
        pytest.exit("refusing to run: not in the sandbox's network namespace", 2)


def thread_ns() -> str:
    """The calling thread's own network namespace, e.g. ``net:[4026531840]``."""
    return os.readlink("/proc/thread-self/ns/net")


@pytest.fixture(autouse=True)
def clean_registry() -> Iterator[None]:
    """Each test starts with an empty registry and must leave it empty, and the
    test thread's namespace must be unchanged."""
    assert netns.list() == []
    before = thread_ns()
    yield
    leftover = [e.name for e in netns.list()]
    for name in leftover:
        netns.delete(name)
    assert thread_ns() == before, "the test thread changed namespace"
    assert leftover == [], f"test left namespaces behind: {leftover}"


@pytest.fixture
def root_handle() -> Iterator[netns.Handle]:
    """A handle on the sandbox's namespace; links named t* are removed after."""
    with netns.handle() as h:
        yield h
        for link in h.links():
            if link.name.startswith("t") and link.kind is not None:
                try:
                    h.link_delete(link.name)
                except netns.NotFoundError:
                    pass  # the other end of a veth pair deleted just before
