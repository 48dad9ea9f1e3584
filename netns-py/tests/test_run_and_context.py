"""Namespace.run and the context managers."""

from __future__ import annotations

import os
import socket

import pytest

import netns

from conftest import thread_ns


class Boom(Exception):
    pass


def test_run_returns_the_result_with_args_and_kwargs() -> None:
    with netns.temporary("r") as ns:
        def add(a: int, b: int = 0) -> int:
            return a + b

        assert ns.run(add, 2, b=3) == 5
        assert ns.run(thread_ns) == f"net:[{ns.inode}]"
        assert ns.run(thread_ns) != thread_ns()
        # A socket opened inside stays bound to the namespace.
        sock = ns.run(socket.socket, socket.AF_INET, socket.SOCK_DGRAM)
        with sock:
            with pytest.raises(OSError):  # lo is down in r: nothing to bind 127.0.0.1 to
                sock.connect(("10.1.1.1", 9))


def test_run_propagates_the_callables_exception() -> None:
    before = thread_ns()
    with netns.temporary("raise") as ns:
        def fail(x: int) -> None:
            raise Boom(f"inside {x}")

        with pytest.raises(Boom, match="inside 7") as e:
            ns.run(fail, 7)
        assert e.value.__traceback__ is not None
        # The namespace is still usable afterwards.
        assert ns.run(lambda: 1) == 1
    assert thread_ns() == before


def test_namespace_context_manager_closes_on_error() -> None:
    with pytest.raises(Boom):
        with netns.add("cm") as ns:
            fd = ns.fileno()
            raise Boom()
    assert ns.closed
    assert not os.path.exists(f"/proc/self/fd/{fd}") or os.readlink(f"/proc/self/fd/{fd}") != f"net:[{ns.inode}]"
    netns.delete("cm")


def test_handle_context_manager_closes_on_error() -> None:
    with netns.temporary("h") as ns:
        with pytest.raises(Boom):
            with ns.handle() as h:
                h.bridge("tb")
                raise Boom()
        assert h.closed
        with pytest.raises(ValueError):
            h.links()
        h.close()  # idempotent
        with ns.handle() as again:
            assert again.link("tb").kind == "bridge"


def test_temporary_cleans_up_when_an_exception_passes() -> None:
    with pytest.raises(Boom):
        with netns.temporary("boom"):
            assert [e.name for e in netns.list()] == ["boom"]
            raise Boom()
    assert netns.list() == []


def test_results_are_small_immutable_values() -> None:
    with netns.temporary("v") as ns, ns.handle() as h:
        lo = h.link("lo")
        assert lo == h.link(1)
        assert hash(lo) == hash(h.link("lo"))
        assert repr(lo).startswith("Link(index=1, name='lo', kind=None, up=False")
        d = lo.to_dict()
        assert d["name"] == "lo" and d["index"] == 1 and d["up"] is False
        with pytest.raises(AttributeError):
            lo.name = "x"  # type: ignore[misc]
        h.link_set("lo", up=True)
        assert h.link("lo") != lo
        addrs = h.addresses("lo", family="inet")
        assert [(a.cidr, a.scope, a.dev) for a in addrs] == [("127.0.0.1/8", "host", "lo")]
        assert addrs[0].to_dict()["address"] == "127.0.0.1"
        locals_ = h.routes(table="local", family="inet")
        assert ("127.0.0.1/32", "local") in [(r.dst, r.kind) for r in locals_]
        assert all(r.table == 255 for r in locals_)
        assert h.routes(table="all") != []
        entry = netns.list()[0]
        assert repr(entry) == "NamespaceEntry(name='v', id=None, stale=False)"
