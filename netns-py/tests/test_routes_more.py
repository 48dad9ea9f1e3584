"""Routes beyond add/del: route types in iproute2's tables, multipath
(``NextHop``), metrics and onlink, lookups (``route_get``) and flushing
(``route_flush``), each compared with what ``ip`` shows or answers in the
same namespace (a temporary one, so flushing touches nothing else)."""

from __future__ import annotations

import subprocess
from typing import Iterator

import pytest

import netns

NS = "routes-more"


def ip(*args: str) -> str:
    """``ip -n routes-more ARGS``'s output."""
    return subprocess.run(["ip", "-n", NS, *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def h() -> Iterator[netns.Handle]:
    """A handle in a fresh namespace with veth0 (10.1.1.1/24) and veth2
    (10.2.2.1/24), each paired and up, so 10.1.1.2 and 10.2.2.2 are
    reachable gateways."""
    with netns.temporary(NS) as ns, ns.handle() as handle:
        handle.link_set("lo", up=True)
        for a, b, address in (("veth0", "veth1", "10.1.1.1/24"), ("veth2", "veth3", "10.2.2.1/24")):
            handle.veth(a, b, up=True)
            handle.link_set(b, up=True)
            handle.address_add(a, address)
        yield handle


def test_a_local_route_lands_in_table_local_as_ip_puts_it(h: netns.Handle) -> None:
    h.route_add("10.77.0.1/32", dev="veth0", kind="local")
    assert "10.77.0.1" not in ip("route")
    assert "local 10.77.0.1 dev veth0 scope host" in ip("route", "show", "table", "local")
    # ip puts the same route in the same place, and routes() reads both there.
    ip("route", "add", "local", "10.77.0.2", "dev", "veth0")
    local = {r.dst: r for r in h.routes(table="local", family="inet")}
    for dst in ("10.77.0.1/32", "10.77.0.2/32"):
        assert (local[dst].kind, local[dst].scope, local[dst].table, local[dst].dev) == (
            "local",
            "host",
            255,
            "veth0",
        )
    # An explicit table wins.
    h.route_add("10.77.0.3/32", dev="veth0", kind="local", table=100)
    assert "local 10.77.0.3 dev veth0 scope host" in ip("route", "show", "table", "100")
    # Deleting looks in table local too.
    h.route_del("10.77.0.1/32", dev="veth0", kind="local")
    assert "10.77.0.1 " not in ip("route", "show", "table", "local")


def test_multipath_routes_are_shown_by_ip_as_added_and_read_back(h: netns.Handle) -> None:
    h.route_add(
        "10.9.0.0/16",
        nexthops=[
            netns.NextHop("10.1.1.2", "veth0", weight=2),
            netns.NextHop(via="10.2.2.2", dev=h.link_index("veth2")),
        ],
    )
    assert ip("route", "show", "10.9.0.0/16") == (
        "10.9.0.0/16 \n\tnexthop via 10.1.1.2 dev veth0 weight 2 \n\tnexthop via 10.2.2.2 dev veth2 weight 1 \n"
    )
    # What ip adds reads back as NextHop values.
    ip("route", "add", "10.8.0.0/16", "nexthop", "via", "10.1.1.2", "weight", "3", "nexthop", "via", "10.2.2.2")
    r = {r.dst: r for r in h.routes()}["10.8.0.0/16"]
    assert (r.gateway, r.dev) == (None, None)
    assert [(n.via, n.dev, n.oif, n.weight, n.onlink) for n in r.nexthops] == [
        ("10.1.1.2", "veth0", h.link_index("veth0"), 3, False),
        ("10.2.2.2", "veth2", h.link_index("veth2"), 1, False),
    ]
    assert repr(r.nexthops[0]).startswith("NextHop(via='10.1.1.2', dev='veth0', oif=")
    # A read-back route's paths delete exactly it.
    h.route_del(r.dst, nexthops=r.nexthops)
    assert "10.8.0.0/16" not in ip("route")
    # replace swaps the paths.
    h.route_replace("10.9.0.0/16", nexthops=[netns.NextHop("10.2.2.2", "veth2")])
    assert ip("route", "show", "10.9.0.0/16") == "10.9.0.0/16 via 10.2.2.2 dev veth2 \n"
    # Bad paths are refused before the kernel, in the caller's words.
    with pytest.raises(netns.InvalidArgumentError, match="weight 257"):
        h.route_add("10.7.0.0/16", nexthops=[netns.NextHop("10.1.1.2", weight=257)])
    with pytest.raises(TypeError, match="NextHop objects, not dict"):
        h.route_add("10.7.0.0/16", nexthops=[{"via": "10.1.1.2"}])  # type: ignore[list-item]
    with pytest.raises(netns.InvalidArgumentError, match="not-an-ip"):
        netns.NextHop("not-an-ip")
    assert "10.7.0.0/16" not in ip("route")


def test_metrics_and_onlink_as_ip_shows_them(h: netns.Handle) -> None:
    h.route_add("10.6.0.0/16", via="10.1.1.2", mtu=1400, advmss=1360, protocol="static")
    assert ip("route", "show", "10.6.0.0/16") == (
        "10.6.0.0/16 via 10.1.1.2 dev veth0 proto static mtu 1400 advmss 1360 \n"
    )
    r = {r.dst: r for r in h.routes()}["10.6.0.0/16"]
    assert (r.mtu, r.advmss, r.nhid, r.onlink, r.nexthops) == (1400, 1360, None, False, [])
    # A gateway no route reaches: refused by the kernel, accepted with onlink.
    with pytest.raises(netns.NetnsError) as err:
        h.route_add("10.5.0.0/16", via="192.0.2.1", dev="veth2")
    assert err.value.kernel_message is not None
    h.route_add("10.5.0.0/16", via="192.0.2.1", dev="veth2", onlink=True)
    assert ip("route", "show", "10.5.0.0/16") == "10.5.0.0/16 via 192.0.2.1 dev veth2 onlink \n"
    assert {r.dst: r for r in h.routes()}["10.5.0.0/16"].onlink
    # A nexthop object (ip nexthop) by id.
    ip("nexthop", "add", "id", "7", "via", "10.1.1.2", "dev", "veth0")
    h.route_add("10.4.0.0/16", nhid=7)
    assert ip("route", "show", "10.4.0.0/16") == "10.4.0.0/16 nhid 7 via 10.1.1.2 dev veth0 \n"
    assert {r.dst: r for r in h.routes()}["10.4.0.0/16"].nhid == 7


def test_route_get_answers_as_ip_route_get(h: netns.Handle) -> None:
    h.route_add("10.6.0.0/16", via="10.1.1.2")
    r = h.route_get("10.6.1.1")
    assert ip("route", "get", "10.6.1.1").startswith(
        f"10.6.1.1 via {r.gateway} dev {r.dev} src {r.prefsrc} "
    )
    assert (r.dst, r.gateway, r.dev, r.oif, r.prefsrc) == (
        "10.6.1.1/32",
        "10.1.1.2",
        "veth0",
        h.link_index("veth0"),
        "10.1.1.1",
    )
    # fibmatch: the FIB entry, as ip route get fibmatch prints it.
    fib = h.route_get("10.6.1.1", fibmatch=True)
    assert fib.dst == "10.6.0.0/16"
    assert ip("route", "get", "fibmatch", "10.6.1.1").startswith("10.6.0.0/16 via 10.1.1.2 dev veth0")
    # oif picks the way out, as ip's; mark and src are accepted as ip takes them.
    r = h.route_get("10.6.1.1", oif="veth2")
    assert r.dev == "veth2"
    assert ip("route", "get", "10.6.1.1", "oif", "veth2").startswith("10.6.1.1 dev veth2 ")
    r = h.route_get("10.2.2.9", src="10.2.2.1", mark=5)
    assert (r.gateway, r.dev) == (None, "veth2")
    assert ip("route", "get", "10.2.2.9", "from", "10.2.2.1", "mark", "5").startswith(
        "10.2.2.9 from 10.2.2.1 dev veth2 "
    )
    # A missing device is a lookup failure; no route is the kernel's refusal.
    with pytest.raises(netns.NotFoundError):
        h.route_get("10.6.1.1", oif="nosuch0")
    h.route_flush(family="inet")
    with pytest.raises(netns.NetnsError) as err:
        h.route_get("10.200.0.1")
    assert "unreachable" in str(err.value)
    with pytest.raises(netns.InvalidArgumentError):
        h.route_get("10.200.0.0/16")


def test_route_flush_removes_what_ip_route_flush_would(h: netns.Handle) -> None:
    for dst, dev in (("10.11.0.0/16", "veth0"), ("10.12.0.0/16", "veth0"), ("10.13.0.0/16", "veth2")):
        h.route_add(dst, dev=dev)
    h.route_add("10.14.0.0/16", dev="veth2", protocol="static")
    h.route_add("10.15.0.0/16", dev="veth0", table=100)
    h.route_add("10.16.0.0/16", kind="blackhole")
    assert h.route_flush(protocol="static") == 1
    assert "10.14.0.0" not in ip("route")
    assert h.route_flush(kind="blackhole") == 1
    assert "blackhole" not in ip("route")
    # By device: veth0's routes of main, the kernel's prefix route included
    # (as ip route flush dev veth0), table 100 untouched.
    assert h.route_flush(dev="veth0", family="inet") == 3
    assert ip("route") == (
        "10.2.2.0/24 dev veth2 proto kernel scope link src 10.2.2.1 \n10.13.0.0/16 dev veth2 scope link \n"
    )
    assert ip("route", "show", "table", "100") == "10.15.0.0/16 dev veth0 scope link \n"
    assert h.route_flush(table=100) == 1
    assert ip("route", "show", "table", "100") == ""
    with pytest.raises(netns.NotFoundError):
        h.route_flush(dev="nosuch0")
    assert "10.13.0.0/16" in ip("route")
    # table='all': every table (local's too), as ip route flush table all.
    assert h.route_flush(table="all", family="inet") > 0
    assert ip("-4", "route", "show", "table", "all") == ""
