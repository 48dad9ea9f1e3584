"""pyroute2's own IPRoute tests, ported case by case to netns.

Source: github.com/svinota/pyroute2, ``tests/test_linux/test_ipr/`` at commit
9b42cc252ed94d035b2040e4522b8bf36bea089b (2026-01-21). Each test below names
the file and function it ports; the steps and the assertions are pyroute2's,
written with netns's calls (``ipr.route('add', …)`` → ``Handle.route_add``).
pyroute2's "default interface" is a dummy link; dummy is not built into this
machine's kernel, so a veth (with its peer up) stands in, except where a test
relies on dummy's defaults, which are then set explicitly.

Also ported: ``test_fdb.py`` (``ipr.fdb``), the link tests of altnames, the
ARP flag and bridge ports, and ``test_addr_add_local`` (a peer address).

Not ported, and why: MPLS routes and lwtunnel encaps (``test_route_mpls_*``,
``test_lwtunnel_*``: no MPLS in this kernel), ``test_route_with_rt_file``
(pyroute2's own rt_tables parser), ``test_link_legacy_nla`` and
``test_symbolic_flags*`` (pyroute2's NLA naming), ``test_basic.py`` (its
socket object and policy map), ``test_route_get_target*`` with a default
route to 8.8.8.8 (no uplink in the sandbox; ported with a local default).
"""

from __future__ import annotations

import errno
import ipaddress
import subprocess
from typing import Iterator, Tuple, Union

import pytest

import netns

NS = "pyroute2-port"


def ip(*args: str) -> str:
    return subprocess.run(["ip", "-n", NS, *args], check=True, capture_output=True, text=True).stdout


def bridge(*args: str) -> str:
    return subprocess.run(
        ["ip", "netns", "exec", NS, "bridge", *args], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def ctx() -> Iterator[Tuple[netns.Handle, str, int]]:
    """A handle in a fresh namespace and its "default interface": ``t0``
    (peer ``t0p``), both up, as pyroute2's context gives ``(index, ifname)``."""
    with netns.temporary(NS) as ns, ns.handle() as h:
        h.link_set("lo", up=True)
        h.veth("t0", "t0p", up=True)
        h.link_set("t0p", up=True)
        yield h, "t0", h.link_index("t0")


# ---------------------------------------------------------------- test_addr.py


def test_addr_add(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_addr.py::test_addr_add"""
    h, dev, index = ctx
    h.address_add(index, "10.9.0.1/24")
    assert [a.cidr for a in h.addresses(dev, family="inet")] == ["10.9.0.1/24"]


def test_addr_replace(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_addr.py::test_addr_replace"""
    h, dev, index = ctx
    h.address_add(index, "10.9.0.1/24")
    h.address_replace(index, "10.9.0.2/24")
    assert {a.cidr for a in h.addresses(dev, family="inet")} == {"10.9.0.1/24", "10.9.0.2/24"}
    # Replacing the same address again is accepted (pyroute2 waits for it).
    h.address_replace(index, "10.9.0.2/24")


def test_addr_add_broadcast(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_addr.py::test_addr_add_broadcast"""
    h, dev, _ = ctx
    h.address_add(dev, "10.9.0.1/24", broadcast="10.9.0.77")
    (a,) = h.addresses(dev, family="inet")
    assert a.broadcast == "10.9.0.77"


def test_addr_add_broadcast_default(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_addr.py::test_addr_add_broadcast_default (``broadcast=True``: ip's ``brd +``)"""
    h, dev, _ = ctx
    h.address_add(dev, "10.9.0.1/24", broadcast="+")
    (a,) = h.addresses(dev, family="inet")
    assert a.broadcast == "10.9.0.255"


def test_addr_filter(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_addr.py::test_addr_filter"""
    h, dev, index = ctx
    h.address_add(index, "10.9.0.1/24", broadcast="10.9.0.200")
    h.address_add(index, "10.9.0.2/24", broadcast="10.9.0.200")
    assert len(h.addresses(index)) >= 2  # and the IPv6 link-local one
    assert len([a for a in h.addresses() if a.address == "10.9.0.1"]) == 1
    assert len([a for a in h.addresses() if a.broadcast == "10.9.0.200"]) == 2
    assert len([a for a in h.addresses() if a.index == index]) >= 2


def test_addr_flush(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_addr.py::test_addr_flush"""
    h, dev, index = ctx
    for i in range(1, 5):
        h.address_add(index, f"10.9.0.{i}/24")
    assert len(h.addresses(dev, family="inet")) == 4
    h.address_flush(index)
    assert h.addresses(dev, family="inet") == []


def test_fail_no_such_device(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_addr.py::test_fail_no_such_device: an index past the last link"""
    h, _, _ = ctx
    index = max(link.index for link in h.links()) + 10
    with pytest.raises(netns.NetnsError) as e:
        h.address_add(index, "10.9.0.1/24")
    assert e.value.errno == errno.ENODEV


def test_addr_symbolic_flags(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_addr.py::test_symbolic_flags: an address added so is permanent"""
    h, dev, _ = ctx
    h.address_add(dev, "10.9.0.1/24")
    (a,) = h.addresses(dev, family="inet")
    IFA_F_PERMANENT = 0x80
    assert a.flags & IFA_F_PERMANENT


def test_addr_add_local(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_addr.py::test_addr_add_local: ``address`` (IFA_ADDRESS, the
    peer) and ``local`` (IFA_LOCAL) differ: ``ip addr add LOCAL peer ADDRESS``"""
    h, dev, index = ctx
    h.address_add(index, "10.9.0.2", peer="10.9.0.1/24")
    (a,) = h.addresses(dev, family="inet")
    assert (a.address, a.peer, a.prefixlen) == ("10.9.0.2", "10.9.0.1", 24)
    assert "inet 10.9.0.2 peer 10.9.0.1/24" in ip("addr", "show", dev)


# ---------------------------------------------------------------- test_link.py


def test_updown_link(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_link.py::test_updown_link"""
    h, dev, index = ctx
    h.link_set(index, up=True)
    assert h.link(dev).flags & 1
    h.link_set(index, up=False)
    assert not h.link(dev).flags & 1


def test_link_filter(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_link.py::test_link_filter"""
    h, _, _ = ctx
    assert h.link("lo").name == "lo"
    assert [link.name for link in h.links() if link.name == "lo"] == ["lo"]


def test_link_rename(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_link.py::test_link_rename"""
    h, dev, index = ctx
    h.link_set(dev, up=False)
    h.link_set(index, name="t0new")
    assert h.link_index("t0new") == index
    h.link_set(index, name=dev)
    assert h.link_index(dev) == index


def test_remove_link(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_link.py::test_remove_link"""
    h, dev, index = ctx
    h.link_delete(index)
    assert dev not in {link.name for link in h.links()}
    with pytest.raises(netns.NotFoundError):
        h.link(index)


def test_link_altname_lookup(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_link.py::test_link_altname_lookup"""
    h, dev, index = ctx
    h.link_altname_add(index, "t0-alt")
    assert h.link("t0-alt").index == index
    assert h.link_index(dev) == index
    assert h.link_index("t0-alt") == index


def test_link_altname(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_link.py::test_link_altname: two names, then a long UTF-8 one"""
    h, _, index = ctx
    weird = "test_with_a_very_long_string_and_\u2644\u2695\u269a_utf8_symbol"
    for name in ("t0-alt1", "t0-alt2", weird):
        with pytest.raises(netns.NotFoundError):
            h.link(name)
    h.link_altname_add(index, "t0-alt1")
    h.link_altname_add(index, "t0-alt2")
    assert h.link("t0-alt1").index == index and h.link("t0-alt2").index == index
    assert h.link(index).altnames == ["t0-alt1", "t0-alt2"]
    h.link_altname_del(index, "t0-alt1")
    h.link_altname_del(index, "t0-alt2")
    for name in ("t0-alt1", "t0-alt2"):
        with pytest.raises(netns.NotFoundError):
            h.link(name)
    h.link_altname_add(index, weird)
    assert h.link(weird).index == index
    h.link_altname_del(index, weird)
    with pytest.raises(netns.NotFoundError):
        h.link(weird)


def test_link_arp_flag(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_link.py::test_link_arp_flag (a dummy starts with NOARP; the veth
    standing in for it is given NOARP first)"""
    h, dev, index = ctx
    IFF_NOARP = 0x80
    h.link_set(index, arp=False)
    assert h.link(index).flags & IFF_NOARP
    h.link_set(index, arp=True)
    assert not h.link(index).flags & IFF_NOARP
    h.link_set(index, arp=False)
    assert h.link(index).flags & IFF_NOARP
    assert "NOARP" in ip("link", "show", dev)


def test_brport_basic(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_link.py::test_brport_basic"""
    h, dev, _ = ctx
    h.bridge("tbr0", up=True)
    h.link_set(dev, master="tbr0")
    h.bridge_port_set(dev, flood=False, cost=200, proxy_arp=True)
    port = h.bridge_port(dev)
    assert port is not None
    assert (port["cost"], port["proxy_arp"], port["flood"]) == (200, True, False)


# --------------------------------------------------------------- test_neigh.py


def test_neigh_real_links(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_neigh.py::test_real_links"""
    h, _, _ = ctx
    links = {link.index for link in h.links()}
    assert {n.ifindex for n in h.neighbours()} <= links


def test_neigh_filter(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_neigh.py::test_filter"""
    h, dev, index = ctx
    mac = "00:11:22:33:44:55"
    h.neigh_add("10.9.0.1", index, mac=mac)
    h.neigh_add("10.9.0.2", index, mac=mac)
    assert len(h.neighbours(dev=index, family="inet")) == 2
    assert len(h.neighbours(to="10.9.0.1")) == 1
    assert len([n for n in h.neighbours() if n.ifindex == index and n.family == "inet"]) == 2


def test_neigh_get(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_neigh.py::test_get"""
    h, _, index = ctx
    h.neigh_add("10.9.0.1", index, mac="00:11:22:33:44:55")
    assert h.neigh_get("10.9.0.1", index).dst == "10.9.0.1"


@pytest.mark.parametrize("family,address", (("inet", "10.9.0.1/24"), ("inet6", "fd00:9::1/64")))
def test_neigh_dump(ctx: Tuple[netns.Handle, str, int], family: str, address: str) -> None:
    """test_neigh.py::test_dump: 32 entries on one address (each add after
    the first fails in pyroute2's loop too, which ignores it), then a dump"""
    h, _, index = ctx
    h.address_add(index, address, flags=0x02 if family == "inet6" else 0)  # nodad
    dst = address.split("/")[0].replace("::1", "::2").replace(".1", ".2")
    for last in range(32):
        try:
            h.neigh_add(dst, index, mac=f"00:11:22:33:44:{last:02}")
        except netns.AlreadyExistsError:
            pass
    assert len(h.neighbours(family=family)) > 0


# ---------------------------------------------------------------- test_rule.py


def test_flush_rules(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_rule.py::test_flush_rules"""
    h, _, _ = ctx

    def between() -> list[netns.Rule]:
        return [r for r in h.rules(family="inet") if 100 < r.priority < 500]

    init = len(h.rules(family="inet"))
    assert between() == []
    h.rule_add(table=10, priority=110)
    h.rule_add(table=15, priority=150, action="prohibit")
    h.rule_add(table=20, priority=200, from_="10.9.0.1")
    h.rule_add(table=25, priority=250, to="10.9.0.2")
    assert len(between()) == 4
    assert len([r for r in h.rules() if r.from_ == "10.9.0.1/32"]) == 1
    assert len([r for r in h.rules() if r.to == "10.9.0.2/32"]) == 1
    # pyroute2's flush_rules(priority=…) dumps, filters and deletes; netns's
    # rule_flush is ip's (every rule but priority 0 goes, main and default
    # too), so the filtered flush is written out.
    for r in between():
        h.rule_del(priority=r.priority)
    assert between() == []
    assert len(h.rules(family="inet")) == init


def test_bad_table(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_rule.py::test_bad_table: refused before the kernel"""
    h, _, _ = ctx
    with pytest.raises((ValueError, OverflowError)):
        h.rule_add(table=-1, priority=32000)
    assert [r for r in h.rules() if r.priority == 32000 and r.table != 254] == []


# --------------------------------------------------------------- test_route.py


def test_extended_error_on_route(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_route.py::test_extended_error_on_route: the kernel's refusal
    reaches the caller with errno and its text. pyroute2 asks for dst_len 0
    with a host address; netns refuses that shape itself, so a lookup the
    kernel refuses (an unknown input device) stands in."""
    h, _, _ = ctx
    with pytest.raises(netns.NetnsError) as e:
        h.route_get("10.9.0.1", iif=999)
    assert e.value.errno == errno.ENODEV


@pytest.mark.parametrize("proto,fake", (("static", "boot"), (4, 3), ("boot", 4), (3, "static")))
def test_route_proto(
    ctx: Tuple[netns.Handle, str, int], proto: Union[str, int], fake: Union[str, int]
) -> None:
    """test_route.py::test_route_proto: deleting with another protocol fails"""
    h, dev, _ = ctx
    h.address_add(dev, "10.9.0.1/24")
    h.route_add("10.99.0.0/24", via="10.9.0.2", protocol=proto)
    with pytest.raises(netns.NetnsError):
        h.route_del("10.99.0.0/24", via="10.9.0.2", protocol=fake)
    h.route_del("10.99.0.0/24", via="10.9.0.2", protocol=proto)
    assert "10.99.0.0" not in ip("route")


def test_route_oif(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_route.py::test_route_oif_as_iterable (an index as the device)"""
    h, _, index = ctx
    h.route_add("10.99.0.0/24", dev=index)
    (r,) = [r for r in h.routes(family="inet") if r.dst == "10.99.0.0/24"]
    assert r.oif == index


@pytest.mark.parametrize("dst", ("127.0.0.1", "::1"))
def test_route_get_target_default(ctx: Tuple[netns.Handle, str, int], dst: str) -> None:
    """test_route.py::test_route_get_target_default_ipv4 / _ipv6"""
    h, _, _ = ctx
    r = h.route_get(dst)
    assert r.dev == "lo"


def test_route_get_target(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_route.py::test_route_get_target: a default route (here via t0)
    answers a lookup of 8.8.8.8 in table main"""
    h, dev, _ = ctx
    h.address_add(dev, "10.9.0.1/24")
    h.route_add("default", via="10.9.0.2")
    r = h.route_get("8.8.8.8")
    assert (r.gateway, r.dev) == ("10.9.0.2", dev)


def test_route_multipath(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_route.py::test_route_multipath (mode normal; mode raw: weights)"""
    h, dev, _ = ctx
    h.address_add(dev, "10.9.0.1/24")
    h.route_add(
        "10.99.0.0/24",
        nexthops=[netns.NextHop(via="10.9.0.2", weight=20), netns.NextHop(via="10.9.0.3", weight=30)],
    )
    (r,) = [r for r in h.routes(family="inet") if r.dst == "10.99.0.0/24"]
    assert [(n.via, n.weight) for n in r.nexthops] == [("10.9.0.2", 20), ("10.9.0.3", 30)]


def test_route_onlink(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_route.py::test_route_onlink: a gateway no route reaches"""
    h, _, index = ctx
    h.route_add("10.99.0.0/24", via="10.200.0.1", dev=index, onlink=True)
    (r,) = [r for r in h.routes(family="inet") if r.dst == "10.99.0.0/24"]
    assert (r.oif, r.onlink) == (index, True)
    h.route_del("10.99.0.0/24", via="10.200.0.1", dev=index)


def test_route_onlink_multipath(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_route.py::test_route_onlink_multipath"""
    h, dev, _ = ctx
    h.route_add(
        "10.99.0.0/24",
        nexthops=[
            netns.NextHop(via="10.200.0.1", dev=dev, onlink=True),
            netns.NextHop(via="10.200.0.2", dev=dev, onlink=True),
        ],
    )
    (r,) = [r for r in h.routes(family="inet") if r.dst == "10.99.0.0/24"]
    assert [n.via for n in r.nexthops] == ["10.200.0.1", "10.200.0.2"]
    h.route_del("10.99.0.0/24")


def test_route_replace_existing(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_route.py::test_route_replace_existing"""
    h, dev, _ = ctx
    h.address_add(dev, "10.9.0.1/24")
    h.route_add("10.99.0.0/24", via="10.9.0.2")
    h.route_replace("10.99.0.0/24", via="10.9.0.3")
    assert [r.gateway for r in h.routes(family="inet") if r.dst == "10.99.0.0/24"] == ["10.9.0.3"]


def test_route_replace_not_existing(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_route.py::test_route_replace_not_existing"""
    h, dev, _ = ctx
    h.address_add(dev, "10.9.0.1/24")
    h.route_replace("10.99.0.0/24", via="10.9.0.3")
    assert [r.gateway for r in h.routes(family="inet") if r.dst == "10.99.0.0/24"] == ["10.9.0.3"]


def test_flush_routes(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_route.py::test_flush_routes: an IPv6 flush of the table leaves
    its IPv4 routes, an IPv4 flush removes them"""
    h, dev, index = ctx
    h.address_add(dev, "10.9.0.1/24")
    nets = [ipaddress.ip_network(f"10.{100 + i}.0.0/24") for i in range(10)]
    for net in nets:
        h.route_add(str(net), via="10.9.0.2", table=10101, dev=index)
    assert len(h.routes(table=10101)) == 10
    # pyroute2 flushes client-side, so a table with no IPv6 route flushes
    # nothing; the kernel (and so ip and netns) says the IPv6 table does not
    # exist: `ip -6 route flush table 10101` exits 2 with the same text.
    with pytest.raises(netns.NotFoundError, match="ipv6: FIB table does not exist"):
        h.route_flush(table=10101, family="inet6")
    assert len(h.routes(table=10101)) == 10
    assert h.route_flush(table=10101, family="inet") == 10
    assert "10.100.0.0" not in ip("route", "show", "table", "all")


def test_route_change_existing(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_route.py::test_route_change_existing"""
    h, dev, _ = ctx
    h.address_add(dev, "10.9.0.1/24")
    h.route_add("10.99.0.0/24", via="10.9.0.2")
    h.route_change("10.99.0.0/24", via="10.9.0.3")
    assert [r.gateway for r in h.routes(exact="10.99.0.0/24")] == ["10.9.0.3"]


def test_route_change_not_existing_fail(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_route.py::test_route_change_not_existing_fail"""
    h, dev, _ = ctx
    h.address_add(dev, "10.9.0.1/24")
    with pytest.raises(netns.NetnsError) as e:
        h.route_change("10.99.0.0/24", via="10.9.0.3")
    assert e.value.errno == errno.ENOENT


# ------------------------------------------- ip route show's selectors (ip-route(8))


def test_route_selectors_select_what_ip_route_show_does(ctx: Tuple[netns.Handle, str, int]) -> None:
    """Not pyroute2's (its get_routes filters on any attribute client-side):
    the selectors of ``ip route show``, compared with ip's answer for the
    same words in the same namespace."""
    h, dev, _ = ctx
    h.address_add(dev, "10.9.0.1/24")
    h.route_add("default", via="10.9.0.2")
    h.route_add("10.0.0.0/8", via="10.9.0.3", protocol="static")
    h.route_add("10.5.0.0/16", via="10.9.0.4")
    h.route_add("10.5.1.0/24", dev=dev, metric=7)
    h.route_append("10.5.1.0/24", via="10.9.0.5", metric=7)
    h.route_prepend("10.5.1.0/24", via="10.9.0.6", metric=7)
    cases: list[tuple[dict[str, object], list[str]]] = [
        ({"root": "10.5.0.0/16"}, ["root", "10.5.0.0/16"]),
        ({"match": "10.5.1.0/24"}, ["match", "10.5.1.0/24"]),
        ({"exact": "10.5.0.0/16"}, ["exact", "10.5.0.0/16"]),
        ({"exact": "default"}, ["default"]),
        ({"via": "10.9.0.4"}, ["via", "10.9.0.4"]),
        ({"protocol": "static"}, ["proto", "static"]),
        ({"scope": "link"}, ["scope", "link"]),
        ({"metric": 7}, ["metric", "7"]),
        ({"dev": dev, "src": "10.9.0.0/24"}, ["dev", dev, "src", "10.9.0.0/24"]),
    ]
    for kwargs, words in cases:
        ours = [r.dst for r in h.routes(family="inet", **kwargs)]  # type: ignore[arg-type]
        theirs = [line.split()[0] for line in ip("route", "show", *words).splitlines() if not line.startswith("\t")]
        theirs = [d if "/" in d or d == "default" else d + "/32" for d in theirs]
        assert ours == theirs, (kwargs, ours, theirs)
    # append and prepend order the three routes of 10.5.1.0/24 as ip shows them.
    assert [r.gateway for r in h.routes(exact="10.5.1.0/24")] == ["10.9.0.6", None, "10.9.0.5"]
    assert h.route_flush(exact="10.5.1.0/24") == 3
    assert "10.5.1.0" not in ip("route")


# ---------------------------------------------------------------- test_fdb.py


def test_fdb_vxlan(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_fdb.py::test_fdb_vxlan"""
    h, dev, index = ctx
    h.link_add(netns.Vxlan("tvx0", 500, parent=dev, port=4789))
    h.fdb_add("00:11:22:33:44:55", "tvx0", vni=600, port=5678, dst="10.9.0.9", self_=True)
    r = [e for e in h.fdb_entries(dev="tvx0") if e.mac == "00:11:22:33:44:55"]
    assert len(r) == 1
    assert (r[0].ifindex, r[0].dst, r[0].port, r[0].vni) == (h.link_index("tvx0"), "10.9.0.9", 5678, 600)


def test_fdb_bridge_simple(ctx: Tuple[netns.Handle, str, int]) -> None:
    """test_fdb.py::test_fdb_bridge_simple: an entry on the bridge itself
    (one with vlan 1, one without)"""
    h, _, _ = ctx
    h.bridge("tbr0", up=True)
    index = h.link_index("tbr0")
    h.fdb_add("00:11:22:33:44:55", "tbr0", self_=True)
    r = [e for e in h.fdb_entries(dev="tbr0") if e.mac == "00:11:22:33:44:55"]
    # pyroute2's bridge filters vlans (an entry for vlan 1 and one without);
    # this one does not, so there is one entry, as `bridge fdb show` lists.
    shown = [line for line in bridge("fdb", "show", "dev", "tbr0").splitlines() if "00:11:22:33:44:55" in line]
    assert len(r) == len(shown) == 1
    assert (r[0].ifindex, r[0].master, r[0].vlan) == (index, "tbr0", None)
    # (vlan_filtering, which pyroute2's second half needs, is refused by this
    # kernel: EOPNOTSUPP, for ip too.)
