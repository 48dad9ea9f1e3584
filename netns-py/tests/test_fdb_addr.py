"""Bridge fdb entries, addresses with a peer and lifetimes, and the
idempotent forms (``exist_ok=True``, ``missing_ok=True``), each compared
with what ``bridge`` / ``ip`` (iproute2) show of the same namespace."""

from __future__ import annotations

import subprocess
from typing import Iterator, List

import pytest

import netns


def run(name: str, tool: str, *args: str) -> str:
    """``ip -n NAME ARGS…`` (or ``bridge -n NAME ARGS…``)'s standard output."""
    r = subprocess.run([tool, "-n", name, *args], capture_output=True, text=True, check=True)
    return r.stdout


def lines(text: str) -> List[str]:
    return [l.rstrip() for l in text.splitlines() if l.strip()]


@pytest.fixture
def lab() -> Iterator[netns.Namespace]:
    """A bridge br0 with port p0 (a veth, peer p1) and a vxlan vx0, all up.
    p0 learns nothing (``bridge link set … learning off``): p1's IPv6
    traffic would otherwise add dynamic entries at any moment, between two
    listings compared."""
    with netns.temporary() as ns:
        assert ns.name is not None
        for args in (
            ["link", "add", "br0", "type", "bridge"],
            ["link", "add", "p0", "type", "veth", "peer", "name", "p1"],
            ["link", "set", "p0", "master", "br0"],
            ["link", "set", "p0", "type", "bridge_slave", "learning", "off"],
            ["link", "set", "br0", "up"],
            ["link", "set", "p0", "up"],
            ["link", "set", "p1", "up"],
            ["link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789",
             "local", "10.0.0.1", "nolearning"],
            ["link", "set", "vx0", "up"],
        ):
            run(ns.name, "ip", *args)
        yield ns


def test_fdb_entries_match_bridge(lab: netns.Namespace) -> None:
    assert lab.name is not None
    with lab.handle() as h:
        assert h.fdb_add("00:11:22:33:44:55", "vx0", dst="10.0.0.2") is True
        h.fdb_append("00:00:00:00:00:00", "vx0", dst="10.0.0.4", vni=100, port=4790)
        h.fdb_add("02:00:00:00:00:01", "p0", master=True, state="static")
        # A learned (dynamic) entry ends with a space, in bridge's line too.
        ours = [str(e).rstrip() for e in h.fdb_entries()]
        assert ours == lines(run(lab.name, "bridge", "fdb", "show"))
        assert [e.line.rstrip() for e in h.fdb_entries(br="br0")] == lines(
            run(lab.name, "bridge", "fdb", "show", "br", "br0")
        )
        e = h.fdb_get("00:11:22:33:44:55", dev="vx0", self_=True)
        assert (e.mac, e.dev, e.dst, e.state, e.flags) == (
            "00:11:22:33:44:55", "vx0", "10.0.0.2", "permanent", ["self"])
        assert str(e) == "00:11:22:33:44:55 dev vx0 dst 10.0.0.2 self permanent"
        m = h.fdb_get("02:00:00:00:00:01", br="br0")
        assert (m.dev, m.master, m.state) == ("p0", "br0", "static")
        flood = [x for x in h.fdb_entries(dev="vx0") if x.mac == "00:00:00:00:00:00"]
        assert [(x.dst, x.vni, x.port) for x in flood] == [("10.0.0.4", 100, 4790)]

        with pytest.raises(FileExistsError):
            h.fdb_add("00:11:22:33:44:55", "vx0", dst="10.0.0.2")
        assert h.fdb_add("00:11:22:33:44:55", "vx0", dst="10.0.0.2", exist_ok=True) is False
        with pytest.raises(FileExistsError, match="it exists with dst 10.0.0.2, not 10.0.0.3"):
            h.fdb_add("00:11:22:33:44:55", "vx0", dst="10.0.0.3", exist_ok=True)
        h.fdb_replace("00:11:22:33:44:55", "vx0", dst="10.0.0.9")
        assert "00:11:22:33:44:55 dst 10.0.0.9 self permanent" in lines(
            run(lab.name, "bridge", "fdb", "show", "dev", "vx0"))
        assert h.fdb_del("00:11:22:33:44:55", "vx0", missing_ok=True) is True
        assert h.fdb_del("00:11:22:33:44:55", "vx0", missing_ok=True) is False
        with pytest.raises(FileNotFoundError):
            h.fdb_del("00:11:22:33:44:55", "vx0")
        with pytest.raises(FileNotFoundError):
            h.fdb_get("02:00:00:00:00:09", br="br0")
        with pytest.raises(ValueError):
            h.fdb_add("02:zz", "p0")

        h.fdb_flush("br0", port="p0")
        # What the test added (and the port's local entry) is gone; a dynamic
        # entry the bridge learns from p0's traffic may come back at any
        # time, so those are not counted.
        assert not [l for l in lines(run(lab.name, "bridge", "fdb", "show", "br", "br0"))
                    if "master br0" in l and ("static" in l or "permanent" in l)]


def test_address_peer_and_lifetimes_show_as_ip(lab: netns.Namespace) -> None:
    assert lab.name is not None
    with lab.handle() as h:
        assert h.address_add("p1", "10.0.0.1", peer="10.0.0.2/32") is True
        h.address_add("p1", "10.1.0.1/24", valid_lft=100, preferred_lft=50)
        h.address_add("p1", "10.2.0.1/24", valid_lft="forever", preferred_lft=0)
        shown = run(lab.name, "ip", "-4", "addr", "show", "dev", "p1")
        assert "inet 10.0.0.1 peer 10.0.0.2/32 scope global p1" in shown
        by_ip = {a.address: a for a in h.addresses("p1", family="inet")}
        p2p = by_ip["10.0.0.1"]
        assert (p2p.peer, p2p.prefixlen, p2p.valid_lft, p2p.preferred_lft) == (
            "10.0.0.2", 32, None, None)
        timed = by_ip["10.1.0.1"]
        assert timed.peer is None
        assert timed.valid_lft in (99, 100) and timed.preferred_lft in (49, 50)
        assert f"valid_lft {timed.valid_lft}sec" in shown or "valid_lft 100sec" in shown
        # preferred_lft 0: deprecated at once (the kernel reports a permanent
        # address's lifetimes as forever).
        assert by_ip["10.2.0.1"].flags & 0x20  # IFA_F_DEPRECATED
        assert "10.2.0.1/24 scope global deprecated p1" in shown

        with pytest.raises(ValueError, match="preferred_lft is greater than valid_lft"):
            h.address_add("p1", "10.3.0.1/24", valid_lft=10, preferred_lft=20)
        with pytest.raises(ValueError):
            h.address_add("p1", "10.3.0.1/24", valid_lft="soon")

        assert h.address_del("p1", "10.0.0.1", peer="10.0.0.2/32") is True
        assert "10.0.0.1" not in run(lab.name, "ip", "addr", "show", "dev", "p1")


def test_exist_ok_and_missing_ok(lab: netns.Namespace) -> None:
    with lab.handle() as h:
        assert h.address_add("p1", "10.5.0.1/24", exist_ok=True) is True
        assert h.address_add("p1", "10.5.0.1/24", exist_ok=True) is False
        with pytest.raises(FileExistsError, match="it exists with scope global, not host"):
            h.address_add("p1", "10.5.0.1/24", scope="host", exist_ok=True)
        with pytest.raises(FileExistsError):
            h.address_add("p1", "10.5.0.1/24")
        assert h.address_del("p1", "10.5.0.9/24", missing_ok=True) is False
        with pytest.raises(FileNotFoundError):
            h.address_del("nosuch", "10.5.0.9/24", missing_ok=True)

        h.address_add("p1", "10.5.0.1/24", exist_ok=True)
        assert h.route_add("10.9.0.0/16", via="10.5.0.2", exist_ok=True) is True
        assert h.route_add("10.9.0.0/16", via="10.5.0.2", exist_ok=True) is False
        with pytest.raises(FileExistsError, match="via 10.5.0.2, not 10.5.0.3"):
            h.route_add("10.9.0.0/16", via="10.5.0.3", exist_ok=True)
        assert h.route_del("10.9.0.0/16", missing_ok=True) is True
        assert h.route_del("10.9.0.0/16", missing_ok=True) is False

        assert h.neigh_add("10.5.0.7", "p1", mac="02:00:00:00:00:07", exist_ok=True) is True
        assert h.neigh_add("10.5.0.7", "p1", mac="02:00:00:00:00:07", exist_ok=True) is False
        with pytest.raises(FileExistsError, match="lladdr"):
            h.neigh_add("10.5.0.7", "p1", mac="02:00:00:00:00:08", exist_ok=True)
        assert h.neigh_del("10.5.0.7", "p1", missing_ok=True) is True
        assert h.neigh_del("10.5.0.7", "p1", missing_ok=True) is False

        assert h.rule_add(priority=700, from_="10.7.0.0/16", exist_ok=True) is True
        assert h.rule_add(priority=700, from_="10.7.0.0/16", exist_ok=True) is False
        assert h.rule_del(priority=700, from_="10.7.0.0/16", missing_ok=True) is True
        assert h.rule_del(priority=700, from_="10.7.0.0/16", missing_ok=True) is False


def test_link_exist_ok_and_missing_ok(lab: netns.Namespace) -> None:
    with lab.handle() as h:
        first = h.link_add(netns.Veth("tl0", "tl1"), exist_ok=True)
        again = h.link_add(netns.Veth("tl0", "tl1"), exist_ok=True)
        assert first.index == again.index == h.link_index("tl0")
        with pytest.raises(FileExistsError):
            h.link_add(netns.Veth("tl0", "tl1"))
        with pytest.raises(FileExistsError):
            h.link_add(netns.Veth("tl0", "other"), exist_ok=True)
        with pytest.raises(FileExistsError):
            h.link_add(netns.Bridge("tl0"), exist_ok=True)
        assert h.link_delete("tl0", missing_ok=True) is True
        assert h.link_delete("tl0", missing_ok=True) is False
        with pytest.raises(FileNotFoundError):
            h.link_delete("tl0")
