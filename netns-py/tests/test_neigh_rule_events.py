"""Neighbours, rules, events, tun/tap, statistics and topologies, each
compared with what ``ip`` (iproute2) shows of the same namespace."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import tempfile
from pathlib import Path
import time
from typing import Callable, Iterator, List

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
    """A namespace with lo up and a veth ``d0`` (peer ``d0p``) up with 10.9.0.1/24
    (the kernel here has no dummy driver)."""
    with netns.temporary() as ns, ns.handle() as h:
        h.link_set("lo", up=True)
        h.veth("d0", "d0p")
        h.address_add("d0", "10.9.0.1/24")
        h.link_set("d0", up=True)
        yield ns


def test_neighbours_match_ip(lab: netns.Namespace) -> None:
    assert lab.name is not None
    with lab.handle() as h:
        h.neigh_add("10.9.0.2", "d0", mac="02:00:00:00:00:02")
        h.neigh_add("10.9.0.3", "d0", mac="02:00:00:00:00:03", state="stale", router=False)
        h.neigh_add("10.9.0.4", "d0", mac="02:00:00:00:00:04", state=0x40)  # NUD_NOARP
        h.neigh_add("10.9.0.9", "d0", proxy=True)
        ours = [str(n) for n in h.neighbours(dev="d0", family="inet", state="all")]
        theirs = lines(ip(lab.name, "neigh", "show", "dev", "d0", "nud", "all"))
        # ip leaves `dev` out when it filters by dev; the objects always name it.
        assert [o.replace(" dev d0", "") for o in ours] == theirs
        assert lines(ip(lab.name, "neigh", "show")) == [
            str(n) for n in h.neighbours(family="inet")
        ] + [str(n) for n in h.neighbours(family="inet6")]
        # Default filter: noarp/none left out, as ip does.
        assert "10.9.0.4" not in [n.dst for n in h.neighbours(dev="d0")]

        n = h.neigh_get("10.9.0.2", "d0")
        assert (n.dst, n.dev, n.mac, n.state_name, n.state) == (
            "10.9.0.2",
            "d0",
            "02:00:00:00:00:02",
            "PERMANENT",
            0x80,
        )
        assert lines(ip(lab.name, "neigh", "get", "10.9.0.2", "dev", "d0")) == [str(n)]
        assert n == h.neigh_get("10.9.0.2", "d0") and hash(n) == hash(h.neigh_get("10.9.0.2", "d0"))
        assert n.to_dict()["mac"] == "02:00:00:00:00:02"

        proxies = h.neighbours(proxy=True)
        assert [(p.dst, p.proxy) for p in proxies] == [("10.9.0.9", True)]
        assert lines(ip(lab.name, "neigh", "show", "proxy")) == [str(p) for p in proxies]

        h.neigh_replace("10.9.0.2", "d0", mac="02:00:00:00:00:22", state="reachable")
        assert "lladdr 02:00:00:00:00:22 REACHABLE" in ip(lab.name, "neigh", "show", "10.9.0.2")
        with pytest.raises(netns.AlreadyExistsError):
            h.neigh_add("10.9.0.3", "d0", mac="02:00:00:00:00:03")
        with pytest.raises(netns.NotFoundError):
            h.neigh_add("10.9.0.5", "nosuch0", mac="02:00:00:00:00:05")
        with pytest.raises(ValueError):
            h.neigh_add("10.9.0.5", "d0", mac="02:zz")
        with pytest.raises(ValueError):
            h.neigh_add("10.9.0.5", "d0", state="sleepy")

        h.neigh_del("10.9.0.3", "d0")
        h.neigh_del("10.9.0.9", "d0", proxy=True)
        assert "10.9.0.3" not in ip(lab.name, "neigh", "show")
        with pytest.raises(netns.NotFoundError):
            h.neigh_del("10.9.0.3", "d0")

        h.neighs_add([{"dst": f"10.9.0.{i}", "dev": "d0", "mac": f"02:00:00:00:01:{i:02x}"} for i in range(10, 20)])
        assert len(lines(ip(lab.name, "neigh", "show", "to", "10.9.0.0/24", "nud", "permanent"))) == 10
        flushed = h.neigh_flush(dev="d0", state="all")
        # 10 new and 10.9.0.2 (reachable); ip's flush leaves noarp entries, even with nud all.
        assert flushed == 11
        left = lines(ip(lab.name, "neigh", "show", "dev", "d0", "nud", "all"))
        assert left == ["10.9.0.4 lladdr 02:00:00:00:00:04 NOARP"]
        assert [str(n).replace(" dev d0", "") for n in h.neighbours(dev="d0", state="all")] == left


def test_rules_match_ip(lab: netns.Namespace) -> None:
    assert lab.name is not None
    with lab.handle() as h:
        before = [str(r) for r in h.rules()]
        assert before == lines(ip(lab.name, "rule", "show"))
        h.rule_add(priority=100, from_="10.0.0.0/8", table=100)
        h.rule_add(priority=200, to="192.0.2.0/24", fwmark=1, fwmask=0xFF, iif="d0", action="blackhole")
        h.rule_add(priority=300, not_=True, from_="10.1.0.0/16", goto=32766)
        h.rule_add(priority=400, family="inet6", from_="2001:db8::/32", table="main")
        ours = [str(r) for r in h.rules()]
        assert ours == lines(ip(lab.name, "rule", "show"))
        assert [str(r) for r in h.rules(family="inet6")] == lines(ip(lab.name, "-6", "rule", "show"))
        r100 = next(r for r in h.rules() if r.priority == 100)
        assert (r100.from_, r100.to, r100.table, r100.action) == ("10.0.0.0/8", None, 100, "lookup")
        r200 = next(r for r in h.rules() if r.priority == 200)
        assert (r200.action, r200.fwmark, r200.fwmask, r200.iif) == ("blackhole", 1, 0xFF, "d0")
        r300 = next(r for r in h.rules() if r.priority == 300)
        assert (r300.not_, r300.action, r300.goto) == (True, "goto", 32766)
        assert len(h.rules(family="all")) == len(h.rules()) + len(h.rules(family="inet6"))
        assert r100 == next(r for r in h.rules() if r.priority == 100)
        assert r100.to_dict()["from_"] == "10.0.0.0/8"

        with pytest.raises(netns.AlreadyExistsError):
            h.rule_add(priority=100, from_="10.0.0.0/8", table=100)
        with pytest.raises(ValueError):
            h.rule_add(priority=500, table=100, goto=7)
        h.rule_del(priority=200)
        assert "200:" not in ip(lab.name, "rule", "show")
        with pytest.raises(netns.NotFoundError):
            h.rule_del(priority=200)
        doomed = len(lines(ip(lab.name, "rule", "show"))) - 1  # all but priority 0
        assert h.rule_flush() == doomed
        # ip rule flush keeps only priority 0.
        assert [l.split(":")[0] for l in lines(ip(lab.name, "rule", "show"))] == ["0"]


def wait_for(sub: netns.Subscription, pred: Callable[[netns.Event], bool], limit: float = 5.0) -> netns.Event:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        e = sub.next(timeout=0.5)
        if e is not None and pred(e):
            return e
    raise AssertionError("no such event")


def test_events_for_links_addresses_routes_neighbours_rules(lab: netns.Namespace) -> None:
    with lab.subscribe("all") as sub, lab.handle() as h:
        assert sub.groups == ["link", "address", "route", "neigh", "rule", "nsid"]
        assert sub.next(timeout=0) is None
        h.veth("d1", "d1p")
        e = wait_for(sub, lambda e: isinstance(e.object, netns.Link) and e.object.name == "d1")
        assert e.kind == "new" and e.group == "link"
        h.address_add("d1", "10.8.0.1/24")
        e = wait_for(sub, lambda e: isinstance(e.object, netns.Address) and e.object.cidr == "10.8.0.1/24")
        assert isinstance(e.object, netns.Address) and (e.kind, e.group, e.object.dev) == ("new", "address", "d1")
        h.link_set("d1", up=True)
        e = wait_for(sub, lambda e: isinstance(e.object, netns.Route) and e.object.dst == "10.8.0.0/24")
        assert isinstance(e.object, netns.Route) and (e.kind, e.group, e.object.dev) == ("new", "route", "d1")
        h.neigh_add("10.8.0.2", "d1", mac="02:00:00:00:00:02")
        e = wait_for(sub, lambda e: e.group == "neigh")
        assert isinstance(e.object, netns.Neighbour)
        assert str(e.object) == "10.8.0.2 dev d1 lladdr 02:00:00:00:00:02 PERMANENT"
        h.rule_add(priority=77, table=77)
        e = wait_for(sub, lambda e: e.group == "rule")
        assert isinstance(e.object, netns.Rule)
        assert (e.kind, e.object.priority, str(e.object)) == ("new", 77, "77:\tfrom all lookup 77")
        h.link_delete("d1")
        e = wait_for(sub, lambda e: isinstance(e.object, netns.Link) and e.kind == "del" and e.object.name == "d1")
        assert e.group == "link"
        assert e.to_dict()["object"]["name"] == "d1"

        # resync: the current state as 'new' events.
        state = sub.resync()
        assert all(e.kind == "new" for e in state)
        assert {o.name for o in (e.object for e in state) if isinstance(o, netns.Link)} == {"lo", "d0", "d0p"}
        assert 77 in {o.priority for o in (e.object for e in state) if isinstance(o, netns.Rule)}
    assert sub.closed
    with pytest.raises(ValueError):
        sub.fileno()


def test_subscription_with_selectors_and_iteration(lab: netns.Namespace) -> None:
    sub = netns.subscribe(["link"], netns=lab)
    sel = selectors.DefaultSelector()
    sel.register(sub, selectors.EVENT_READ)
    try:
        assert sel.select(timeout=0.05) == []
        with lab.handle() as h:
            h.veth("d2", "d2p")
        ready = sel.select(timeout=5)
        assert [k.fileobj for k, _ in ready] == [sub]
        names = []
        for ev in sub:
            assert ev.group == "link" and isinstance(ev.object, netns.Link)
            names.append(ev.object.name)
            if ev.object.name == "d2":
                break
        assert "d2" in names
    finally:
        sel.close()
        sub.close()
    assert list(sub) == []  # closed: the iterator ends
    with pytest.raises(ValueError):
        netns.subscribe(["bogus"])
    with pytest.raises(TypeError):
        netns.subscribe([1])  # type: ignore[list-item]


def test_subscription_in_the_callers_namespace() -> None:
    with netns.subscribe("link") as sub, netns.handle() as h:
        h.veth("tsub0", "tsub0p")
        try:
            e = wait_for(sub, lambda e: isinstance(e.object, netns.Link) and e.object.name == "tsub0")
            assert e.kind == "new"
        finally:
            h.link_delete("tsub0")


def test_tuntap_and_stats(lab: netns.Namespace) -> None:
    assert lab.name is not None
    name, fd = lab.tuntap_add("tap0", "tap", owner=1000, multi_queue=True)
    assert (name, fd) == ("tap0", None)
    name, fd = netns.tuntap_add("tun0", "tun", netns=lab, persist=True, pi=True)
    assert name == "tun0"
    with lab.handle() as h:
        taps = {t.name: t for t in h.tuntaps()}
        assert set(taps) == {"tap0", "tun0"}
        assert (taps["tap0"].mode, taps["tap0"].owner, taps["tap0"].multi_queue) == ("tap", 1000, True)
        assert (taps["tun0"].mode, taps["tun0"].pi) == ("tun", True)
        # (`ip tuntap show` reads /sys, the host's in the sandbox: ip -d link instead.)
        assert "tun type tap" in ip(lab.name, "-d", "link", "show", "tap0")
        assert "multi_queue" in ip(lab.name, "-d", "link", "show", "tap0")
        assert "tun type tun pi on" in ip(lab.name, "-d", "link", "show", "tun0")
        with pytest.raises(netns.AlreadyExistsError):
            lab.tuntap_add("tap0", "tap")
        with pytest.raises(ValueError):
            lab.tuntap_add("tap1", "bogus")
        with pytest.raises(ValueError):
            h.tuntap_del("d0")  # a veth, not a tun/tap device
        h.tuntap_del("tap0")
        h.tuntap_del("tun0")
        assert h.tuntaps() == []
        # A device that is not persistent lives as long as its descriptor.
        name, fd = lab.tuntap_add("tap9", "tap", persist=False)
        assert fd is not None
        assert [t.name for t in h.tuntaps()] == ["tap9"]
        os.close(fd)
        assert h.tuntaps() == []

        # Statistics: lo after a ping, as ip -s -j shows them.
        subprocess.run(["ip", "netns", "exec", lab.name, "ping", "-c2", "-i0.2", "-W1", "127.0.0.1"], check=True, capture_output=True)
        s = h.link_stats("lo")
        link = h.link("lo")
        theirs = json.loads(ip(lab.name, "-s", "-j", "link", "show", "lo"))[0]["stats64"]
        assert s.rx_packets == theirs["rx"]["packets"] >= 4
        assert s.tx_bytes == theirs["tx"]["bytes"] > 0
        assert link.stats is not None and link.stats.rx_packets >= s.rx_packets
        assert h.link_stats(1).rx_packets == s.rx_packets  # by index; nothing sent since
        with pytest.raises(netns.NotFoundError):
            h.link_stats("nosuch0")


TOPOLOGY = """
name = "pylab"
[[namespace]]
name = "tpa"
[[namespace]]
name = "tpb"
[[link]]
a = { netns = "tpa", name = "eth0", address = "10.77.0.1/24" }
b = { netns = "tpb", name = "eth0", address = "10.77.0.2/24" }
"""


def test_topology_from_a_file_and_a_dict() -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "pylab.toml"
        path.write_text(TOPOLOGY)
        state = Path(d) / "state"
        report = netns.topology.apply(path, state_dir=state)
        assert report["topology"] == "pylab" and report["changes"]
        assert sorted(e.name for e in netns.list()) == ["tpa", "tpb"]
        assert "10.77.0.1/24" in ip("tpa", "addr", "show", "eth0")
        status = netns.topology.status(str(path), state_dir=state)
        assert status["clean"] is True and status["drift"] == []
        check = netns.topology.check(path)
        assert check["ok"] is True and len(check["results"]) >= 2
        again = netns.topology.apply(path, state_dir=state)
        assert again["changes"] == []
        gone = netns.topology.destroy(path, state_dir=state)
        assert gone["removed"]
        assert netns.list() == []

        as_dict = {
            "name": "pydict",
            "namespace": [{"name": "tpc"}],
        }
        netns.topology.apply(as_dict, state_dir=state)
        assert [e.name for e in netns.list()] == ["tpc"]
        assert netns.topology.status(as_dict, state_dir=state)["clean"] is True
        netns.topology.destroy(as_dict, state_dir=state)
        assert netns.list() == []
        with pytest.raises(ValueError):
            netns.topology.apply({"name": "bad", "namespace": [{"nom": "x"}]}, state_dir=state)
        with pytest.raises(TypeError):
            netns.topology.apply(42, state_dir=state)  # type: ignore[arg-type]
