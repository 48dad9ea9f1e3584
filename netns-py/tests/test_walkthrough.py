"""The article's walk-through, from Python."""

from __future__ import annotations

import subprocess

import netns

from conftest import thread_ns


def test_walkthrough() -> None:
    me = thread_ns()
    ns1 = netns.add("netns1")
    try:
        assert [e.name for e in netns.list()] == ["netns1"]

        # Only lo, down; ping cannot reach anything while lo is down.
        with ns1.handle() as h:
            links = h.links()
            assert [(l.name, l.up) for l in links] == [("lo", False)]
        r = netns.exec("netns1", ["ping", "-c1", "-W1", "127.0.0.1"], capture_output=True, text=True)
        assert r.returncode != 0
        assert "Network is unreachable" in r.stderr

        with ns1.handle() as h:
            h.link_set("lo", up=True)
            assert h.link("lo").up
        rb = netns.exec("netns1", ["ping", "-c1", "-W2", "127.0.0.1"], capture_output=True)
        assert rb.returncode == 0, rb

        # A veth pair, the peer born in netns1; addresses; up.
        with netns.handle() as root:
            root.veth("veth0", "veth1", peer_netns=ns1)
            assert root.link("veth0").kind == "veth"
            with ns1.handle() as h:
                assert h.link("veth1").kind == "veth"
                h.address_add("veth1", "10.1.1.1/24")
                h.link_set("veth1", up=True)
            root.address_add("veth0", "10.1.1.2/24")
            root.link_set("veth0", up=True)
            assert [a.cidr for a in root.addresses("veth0", family="inet")] == ["10.1.1.2/24"]

            # Ping both ways.
            out = subprocess.run(["ping", "-c1", "-W2", "10.1.1.1"], capture_output=True, text=True)
            assert out.returncode == 0, out.stdout + out.stderr
            back = netns.exec("netns1", ["ping", "-c1", "-W2", "10.1.1.2"], capture_output=True, text=True)
            assert back.returncode == 0, back.stdout + back.stderr
            assert "1 received" in back.stdout

            # netns1's routes: only 10.1.1.0/24 on veth1.
            with ns1.handle() as h:
                routes = h.routes(family="inet")
                assert [(r.dst, r.dev, r.gateway, r.protocol, r.scope) for r in routes] == [
                    ("10.1.1.0/24", "veth1", None, "kernel", "link")
                ]
                # A default route via the peer, then it is listed, then removed.
                h.route_add("default", via="10.1.1.2")
                assert [(r.dst, r.gateway) for r in h.routes(family="inet")] == [
                    ("default", "10.1.1.2"),
                    ("10.1.1.0/24", None),
                ]
                h.route_del("default")
                assert [r.dst for r in h.routes(family="inet")] == ["10.1.1.0/24"]
            root.link_delete("veth0")
    finally:
        ns1.close()
        netns.delete("netns1")
    assert netns.list() == []
    assert thread_ns() == me
