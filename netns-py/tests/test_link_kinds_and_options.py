"""Parity with the core: macvlan, vxlan, ifb (and dummy) specs through
``link_add``/``links_add``; creation options (master, txqlen, ns); device
groups (``links_set(group=)``, ``link_delete_group``); alias, promisc,
hairpin; address options, replace and flush; route scope/protocol/type and
replace; nsids seen from a handle; ``handles``. Against the real kernel, in
the sandbox."""

from __future__ import annotations

import subprocess

import pytest

import netns


def ip(*args: str) -> str:
    return subprocess.run(["ip", *args], check=True, capture_output=True, text=True).stdout


def test_macvlan_born_in_pods_carries_traffic(root_handle: netns.Handle) -> None:
    # A veth as the parent (this kernel has no physical device here); two
    # macvlans on it in bridge mode, each born in its own namespace.
    root_handle.veth("tmvp0", "tmvp1", up=True)
    root_handle.link_set("tmvp1", up=True)
    with netns.temporary("mva") as a, netns.temporary("mvb") as b:
        made = root_handle.links_add(
            [
                netns.MacVlan("eth0", "tmvp0", netns=a, up=True),
                netns.MacVlan("eth0", root_handle.link("tmvp0").index, "bridge", netns=b, up=True),
            ]
        )
        assert [c.peer for c in made] == [None, None]
        assert "eth0" not in {l.name for l in root_handle.links()}
        for ns, addr in ((a, "10.61.0.1/24"), (b, "10.61.0.2/24")):
            with ns.handle() as h:
                link = h.link("eth0")
                assert link.kind == "macvlan" and link.up
                assert link.link_netnsid is not None  # the parent is in another namespace
                h.address_add("eth0", addr)
                h.link_set("lo", up=True)
        out = netns.exec("mva", ["ip", "-d", "link", "show", "eth0"], capture_output=True, text=True)
        assert "macvlan mode bridge" in out.stdout, out.stdout
        ping = netns.exec("mva", ["ping", "-c1", "-W2", "10.61.0.2"], capture_output=True)
        assert ping.returncode == 0, ping.stdout


def test_macvlan_modes_and_bad_input(root_handle: netns.Handle) -> None:
    root_handle.bridge("tmvbr", up=True)
    root_handle.link_add(netns.MacVlan("tmv1", "tmvbr", "private"))
    assert "macvlan mode private" in ip("-d", "link", "show", "tmv1")
    with pytest.raises(ValueError, match="mode"):
        netns.MacVlan("tmv2", "tmvbr", "hub")
    with pytest.raises(netns.NotFoundError):
        root_handle.link_add(netns.MacVlan("tmv3", "tnosuch"))
    with pytest.raises(TypeError):
        netns.MacVlan("tmv4", 1.5)  # type: ignore[arg-type]
    assert "tmv3" not in {l.name for l in root_handle.links()}


def test_vxlan_with_options(root_handle: netns.Handle) -> None:
    root_handle.bridge("tvxu", up=True)
    root_handle.address_add("tvxu", "10.62.0.1/24")
    spec = netns.Vxlan(
        "tvx0", 42, remote="10.62.0.2", local="10.62.0.1", parent="tvxu",
        port=4789, ttl=5, learning=False, mtu=1400, up=True,
    )
    assert (spec.name, spec.kind, spec.vni, spec.up) == ("tvx0", "vxlan", 42, True)
    assert repr(spec) == 'Vxlan("tvx0", 42, up=True)'
    created = root_handle.link_add(spec)
    link = root_handle.link("tvx0")
    assert created.index == link.index and link.kind == "vxlan" and link.mtu == 1400
    detail = ip("-d", "link", "show", "tvx0")
    for part in ("vxlan id 42", "remote 10.62.0.2", "local 10.62.0.1", "dev tvxu",
                 "dstport 4789", "ttl 5", "nolearning"):
        assert part in detail, (part, detail)
    with pytest.raises(netns.InvalidArgumentError, match="24 bits"):
        netns.Vxlan("tvx1", 1 << 24)
    with pytest.raises(netns.InvalidArgumentError):
        netns.Vxlan("tvx1", 7, remote="10.62.0.300")
    with pytest.raises(netns.AlreadyExistsError):
        root_handle.link_add(netns.Vxlan("tvx0", 43))


def test_ifb_and_dummy(root_handle: netns.Handle) -> None:
    created = root_handle.link_add(netns.Ifb("tifb0", txqlen=32, up=True))
    link = root_handle.link("tifb0")
    assert (link.kind, link.up, link.txqlen, created.index) == ("ifb", True, 32, link.index)
    try:
        root_handle.link_add(netns.Dummy("tdum0"))
    except netns.UnsupportedError as e:  # this kernel has no dummy driver
        assert e.kernel_message
    else:
        assert root_handle.link("tdum0").kind == "dummy"


def test_creation_options_master_and_ns(root_handle: netns.Handle) -> None:
    root_handle.link_add(netns.Bridge("tobr", up=True))
    br = root_handle.link("tobr").index
    with netns.temporary("opt") as pod:
        made = root_handle.link_add(
            netns.Veth("topv0", "eth0", pod, master="tobr", txqlen=77, mtu=1300, peer_mtu=1300)
        )
        v = root_handle.link("topv0")
        assert (v.master, v.txqlen, v.mtu, made.index) == (br, 77, 1300, v.index)
        with pod.handle() as h:
            assert h.link("eth0").mtu == 1300 and made.peer == h.link("eth0").index
        # A bridge created directly in the pod (netns=).
        root_handle.link_add(netns.Bridge("tinbr", netns=pod))
        assert "tinbr" not in {l.name for l in root_handle.links()}
        with pod.handle() as h:
            assert h.link("tinbr").kind == "bridge"
    with pytest.raises(netns.NotFoundError):
        root_handle.link_add(netns.Veth("tomv0", "tomv1", master="tnobr"))
    assert "tomv0" not in {l.name for l in root_handle.links()}
    with pytest.raises(TypeError):
        root_handle.link_add("br0")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        root_handle.links_add([netns.Bridge("tx"), "br0"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        netns.LinkSpec()  # type: ignore[call-arg]
    assert isinstance(netns.Veth("a", "b"), netns.LinkSpec)


def test_group_set_and_delete(root_handle: netns.Handle) -> None:
    made = root_handle.links_add([netns.Veth(f"tg{i}", f"tgp{i}") for i in range(4)])
    root_handle.links_set([c.index for c in made[:3] if c.index is not None], group=77)
    root_handle.link_set("tg3", group=78, txqlen=10)
    groups = {l.name: l.group for l in root_handle.links() if l.name.startswith("tg")}
    assert groups == {"tg0": 77, "tg1": 77, "tg2": 77, "tg3": 78, "tgp0": 0, "tgp1": 0,
                      "tgp2": 0, "tgp3": 0}
    assert root_handle.link("tg3").txqlen == 10
    root_handle.link_delete_group(77)
    left = sorted(l.name for l in root_handle.links() if l.name.startswith("tg"))
    assert left == ["tg3", "tgp3"]  # a veth's peer goes with it
    with pytest.raises(netns.NotFoundError):
        root_handle.link_delete_group(77)
    with pytest.raises(netns.InvalidArgumentError, match="group 0"):
        root_handle.link_delete_group(0)
    with pytest.raises(ValueError, match="up= or group="):
        root_handle.links_set(["tg3"])
    root_handle.links_set(["tg3"], up=True, group=79)
    link = root_handle.link("tg3")
    assert (link.up, link.group) == (True, 79)


def test_links_born_in_a_group_go_with_one_delete(root_handle: netns.Handle) -> None:
    with netns.temporary("grp") as pod:
        root_handle.links_add(
            [netns.Veth(f"tgb{i}", f"eth{i}", pod, group=81, peer_group=82) for i in range(3)]
            + [netns.Bridge("tgbr", group=81)]
        )
        assert {l.name: l.group for l in root_handle.links() if l.name.startswith("tgb")} == {
            "tgb0": 81, "tgb1": 81, "tgb2": 81, "tgbr": 81}
        with pod.handle() as h:
            assert {l.name: l.group for l in h.links() if l.name != "lo"} == {
                "eth0": 82, "eth1": 82, "eth2": 82}
            root_handle.link_delete_group(81)
            assert [l.name for l in h.links()] == ["lo"]  # the peers went too
        assert not any(l.name.startswith("tgb") for l in root_handle.links())


def test_alias_promisc_hairpin(root_handle: netns.Handle) -> None:
    root_handle.bridge("thbr")
    root_handle.veth("thv0", "thv1", up=True)
    root_handle.link_set("thv0", master="thbr")
    root_handle.link_set_alias("thv0", "pod web-1")
    assert root_handle.link("thv0").alias == "pod web-1"
    root_handle.link_set_alias("thv0", "")
    assert root_handle.link("thv0").alias is None
    with pytest.raises(netns.InvalidArgumentError):
        root_handle.link_set_alias("thv0", "x" * 256)
    root_handle.link_set_promisc("thv1", True)
    link = root_handle.link("thv1")
    assert link.flags & 0x100 and (link.promiscuity or 0) >= 1
    root_handle.link_set_promisc("thv1", False)
    assert not root_handle.link("thv1").flags & 0x100
    root_handle.bridge_port_set_hairpin("thv0", True)
    out = subprocess.run(["bridge", "-d", "link", "show", "dev", "thv0"], check=True,
                         capture_output=True, text=True).stdout
    assert "hairpin on" in out, out
    with pytest.raises(netns.NetnsError):
        root_handle.bridge_port_set_hairpin("thv1", True)  # not a bridge port


def test_address_options_replace_and_flush(root_handle: netns.Handle) -> None:
    root_handle.bridge("tabr", up=True)
    root_handle.address_add("tabr", "10.63.0.1/24", broadcast="+", label="tabr:web",
                            metric=7)
    root_handle.address_add("tabr", "10.63.0.2/24")  # a secondary
    root_handle.address_add("tabr", "10.64.0.1/16", scope="link", broadcast="10.64.255.254")
    root_handle.address_add("tabr", "fd00:63::1/64", flags=0x02)  # nodad
    by = {a.cidr: a for a in root_handle.addresses("tabr")}
    a = by["10.63.0.1/24"]
    assert (a.broadcast, a.label, a.metric, a.scope) == ("10.63.0.255", "tabr:web", 7, "global")
    assert by["10.64.0.1/16"].scope == "link" and by["10.64.0.1/16"].broadcast == "10.64.255.254"
    assert by["fd00:63::1/64"].flags & 0x02
    with pytest.raises(netns.AlreadyExistsError):
        root_handle.address_add("tabr", "10.63.0.1/24")
    root_handle.address_replace("tabr", "10.63.0.1/24", metric=9)
    assert {x.cidr: x.metric for x in root_handle.addresses("tabr")}["10.63.0.1/24"] == 9
    with pytest.raises(netns.InvalidArgumentError, match="IPv4"):
        root_handle.address_add("tabr", "10.65.0.1/24", broadcast="fd00::1")
    with pytest.raises(ValueError, match="scope"):
        root_handle.address_add("tabr", "10.65.0.1/24", scope="galaxy")
    assert root_handle.address_flush("tabr", family="inet") == 3
    left = [x.cidr for x in root_handle.addresses("tabr") if x.family == "inet"]
    assert left == []
    assert root_handle.address_flush("tabr", family="inet") == 0
    assert root_handle.address_flush("tabr") >= 1  # the IPv6 ones
    assert root_handle.addresses("tabr") == []
    with pytest.raises(netns.NotFoundError):
        root_handle.address_flush("tnosuch")


def test_route_kind_scope_protocol_and_replace(root_handle: netns.Handle) -> None:
    root_handle.bridge("trbr", up=True)
    root_handle.address_add("trbr", "10.66.0.1/24")
    root_handle.route_add("10.67.0.0/16", kind="blackhole", protocol="static")
    root_handle.route_add("10.68.0.0/16", dev="trbr", scope="link", protocol=77, metric=5)
    routes = {r.dst: r for r in root_handle.routes()}
    assert (routes["10.67.0.0/16"].kind, routes["10.67.0.0/16"].protocol) == ("blackhole", "static")
    r = routes["10.68.0.0/16"]
    assert (r.scope, r.protocol, r.metric, r.dev) == ("link", "77", 5, "trbr")
    root_handle.route_replace("10.67.0.0/16", via="10.66.0.2")
    r = {r.dst: r for r in root_handle.routes()}["10.67.0.0/16"]
    assert (r.kind, r.gateway) == ("unicast", "10.66.0.2")
    root_handle.route_add("default", dev="trbr", family="inet6", table=100)
    six = root_handle.routes(table=100, family="inet6")
    assert [(x.dst, x.dev) for x in six] == [("default", "trbr")]
    root_handle.route_del("default", table=100, family="inet6")
    root_handle.route_del("10.68.0.0/16", protocol=77)
    root_handle.route_del("10.67.0.0/16")
    assert {"10.67.0.0/16", "10.68.0.0/16"}.isdisjoint(r.dst for r in root_handle.routes())
    with pytest.raises(ValueError, match="route type"):
        root_handle.route_add("10.69.0.0/16", kind="teleport")
    with pytest.raises(TypeError):
        root_handle.route_add("10.69.0.0/16", scope=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="family"):
        root_handle.route_add("default", dev="trbr", family="inet9")


def test_nsids_seen_from_a_handle_and_handles() -> None:
    with netns.temporary("na") as a, netns.temporary("nb") as b:
        hs = netns.handles([a, b])
        assert len(hs) == 2
        ha, hb = hs
        with ha, hb:
            assert ha.nsid(b) is None
            assert ha.set_nsid(b, 5) == 5
            assert ha.nsid(b) == 5
            assert hb.set_nsid(a) is not None  # the kernel chooses
            with pytest.raises(netns.AlreadyExistsError) as e:
                ha.set_nsid(b, 6)
            assert e.value.kernel_message == "Peer netns already has a nsid assigned"
            with pytest.raises(ValueError):
                ha.set_nsid(b, -2)
            # Each handle is in its own namespace.
            ha.bridge("onlya")
            assert "onlya" in {l.name for l in ha.links()}
            assert "onlya" not in {l.name for l in hb.links()}
        # The caller's namespace gave neither an nsid.
        assert {e.name: e.id for e in netns.list()} == {"na": None, "nb": None}
    assert netns.handles([]) == []
    with pytest.raises(TypeError):
        netns.handles(["na"])  # type: ignore[list-item]
