"""Nexthop objects (``ip nexthop``), compared with what ``ip`` (iproute2)
shows of the same namespace. Cases after the kernel's selftest
tools/testing/selftests/net/fib_nexthops.sh: groups and weights, a group
member that does not exist, a blackhole, deleting a member shrinks the
group, a route through a nexthop id."""

from __future__ import annotations

import subprocess
from typing import Iterator, List

import pytest

import netns


def ip(name: str, *args: str) -> str:
    """``ip -n NAME ARGS…``'s standard output."""
    r = subprocess.run(["ip", "-n", name, *args], capture_output=True, text=True, check=True)
    return r.stdout


def lines(text: str) -> List[str]:
    return [l.rstrip() for l in text.splitlines() if l.strip()]


@pytest.fixture
def lab() -> Iterator[netns.Namespace]:
    """A namespace with lo up and a veth ``d0`` (peer ``d0p``) up with 10.9.0.1/24."""
    with netns.temporary() as ns, ns.handle() as h:
        h.link_set("lo", up=True)
        h.veth("d0", "d0p")
        h.address_add("d0", "10.9.0.1/24")
        h.link_set("d0", up=True)
        h.link_set("d0p", up=True)
        yield ns


def test_nexthops_match_ip(lab: netns.Namespace) -> None:
    assert lab.name is not None
    with lab.handle() as h:
        h.nexthop_add(1, via="10.9.0.2", dev="d0")
        h.nexthop_add(2, via="10.9.0.3", dev="d0", onlink=True)
        h.nexthop_add(3, group="1/2")
        h.nexthop_add(4, blackhole=True, protocol="static")
        h.nexthop_add(5, group=[(1, 10), (2, 20)])
        h.nexthop_add(8, group=[1, 2], buckets=8, idle_timer=120)
        ours = [str(n) for n in h.nexthops()]
        assert ours == lines(ip(lab.name, "nexthop", "show"))
        assert "id 5 group 1,10/2,20" in ours
        assert "id 4 blackhole proto static" in ours
        assert [n.id for n in h.nexthops(groups=True)] == [3, 5, 8]
        assert [str(n) for n in h.nexthops(dev="d0")] == lines(ip(lab.name, "nexthop", "show", "dev", "d0"))

        n = h.nexthop_get(5)
        assert (n.id, n.group, n.group_type, n.family) == (5, [(1, 10), (2, 20)], "mpath", None)
        assert n == h.nexthop_get(5) and hash(n) == hash(h.nexthop_get(5))
        assert lines(ip(lab.name, "nexthop", "get", "id", "5")) == [str(n)]
        g = h.nexthop_get(2)
        assert (g.gateway, g.dev, g.onlink, g.family, g.scope) == ("10.9.0.3", "d0", True, "inet", 253)
        r = h.nexthop_get(8)
        assert (r.group_type, r.buckets, r.idle_timer) == ("resilient", 8, 120)
        d = h.nexthop_get(4).to_dict()
        assert d["blackhole"] is True and d["protocol"] == 4 and d["id"] == 4
        assert repr(h.nexthop_get(1)).startswith("Nexthop(id=1, family='inet', gateway='10.9.0.2'")

        # A route through nexthop 3.
        h.route_add("10.50.0.0/16", nhid=3)
        assert "10.50.0.0/16 nhid 3" in ip(lab.name, "route", "show")

        h.nexthop_replace(1, via="10.9.0.7", dev="d0")
        assert h.nexthop_get(1).gateway == "10.9.0.7"
        h.nexthop_del(2)
        assert h.nexthop_get(3).group == [(1, 1)]
        assert h.nexthop_flush(groups=True) == 3
        assert h.nexthop_flush() == 2
        assert h.nexthops() == []
        assert h.nexthop_flush() == 0


def test_nexthop_refusals(lab: netns.Namespace) -> None:
    with lab.handle() as h:
        h.nexthop_add(1, via="10.9.0.2", dev="d0")
        with pytest.raises(netns.AlreadyExistsError):
            h.nexthop_add(1, via="10.9.0.2", dev="d0")
        with pytest.raises(netns.NotFoundError):
            h.nexthop_get(99)
        with pytest.raises(netns.NotFoundError):
            h.nexthop_del(99)
        with pytest.raises(netns.NotFoundError):
            h.nexthop_add(2, via="10.9.0.2", dev="nosuch0")
        # The kernel's words for a member that does not exist.
        with pytest.raises(OSError, match="Invalid nexthop id"):
            h.nexthop_add(6, group="1/42")
        # Bad input never reaches the kernel.
        with pytest.raises(ValueError):
            h.nexthop_add(7, group="1,0")
        with pytest.raises(ValueError):
            h.nexthop_add(7, blackhole=True, dev="d0")
        with pytest.raises(ValueError):
            h.nexthop_add(7, group="1", group_type="bogus")
        with pytest.raises(ValueError):
            h.nexthop_add(7, via="10.9.0.x", dev="d0")
        with pytest.raises(TypeError):
            h.nexthop_add(7, group=[1.5])  # type: ignore[list-item]
        assert [n.id for n in h.nexthops()] == [1]
