"""The fast path: a namespace with its handle from one thread
(``add(handle=True)``, ``Registry.add_with_handle``), batched link creation
with the indexes the kernel gives (``links_add``), batched up/down
(``links_set``) and addresses (``addresses_add``), ints as indexes; the
failing entry's ``batch_index``; many namespaces from a thread per core."""

from __future__ import annotations

import ipaddress
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

import netns

from conftest import thread_ns


def by_name(h: netns.Handle) -> dict[str, netns.Link]:
    return {link.name: link for link in h.links()}


def test_add_with_handle_gives_a_handle_inside_the_new_namespace(root_handle: netns.Handle) -> None:
    ns, h = netns.add("tfast1", handle=True)
    with ns, h:
        assert ns.name == "tfast1"
        assert [e.name for e in netns.list()] == ["tfast1"]
        links = by_name(h)
        assert list(links) == ["lo"] and not links["lo"].up
        assert "lo" in by_name(root_handle)  # the caller's namespace is another one
        h.link_set("lo", up=True)
        with ns.handle() as again:
            assert by_name(again)["lo"].up
    netns.delete("tfast1")


def test_registry_add_with_handle_refuses_a_taken_or_bad_name() -> None:
    reg = netns.Registry()
    ns, h = reg.add_with_handle("tfast2")
    with ns, h:
        with pytest.raises(netns.AlreadyExistsError) as e:
            reg.add_with_handle("tfast2")
        assert e.value.batch_index is None
        with pytest.raises(netns.InvalidArgumentError):
            reg.add_with_handle("a/b")
    assert [e.name for e in netns.list()] == ["tfast2"]
    reg.delete("tfast2")
    assert isinstance(netns.add("tfast3"), netns.Namespace)  # the default stays a Namespace
    netns.delete("tfast3")


def test_links_add_returns_each_index_and_the_peer_born_in_root(root_handle: netns.Handle) -> None:
    root = netns.current()
    ns, h = netns.add("tfast4", handle=True)
    with ns, h:
        created = h.links_add(
            [
                netns.Veth("eth0", "tv4", root, up=True),
                netns.Bridge("br0"),
                netns.Veth("in1", "in2", mtu=1400),
            ]
        )
        inside = by_name(h)
        assert created[0].index == inside["eth0"].index
        assert inside["eth0"].up
        assert created[1].index == inside["br0"].index and created[1].peer is None
        assert (created[2].index, created[2].peer) == (inside["in1"].index, inside["in2"].index)
        assert inside["in1"].mtu == 1400
        host = by_name(root_handle)["tv4"]
        assert created[0].peer == host.index and not host.up
        assert created[0].to_dict() == {"index": inside["eth0"].index, "peer": host.index}

        # The host end, by the index the batch gave: up, with addresses.
        root_handle.link_set(host.index, up=True)
        root_handle.addresses_add(
            [(host.index, "10.9.0.1/32"), ("tv4", ipaddress.ip_interface("10.9.0.2/32"))]
        )
        got = {a.cidr for a in root_handle.addresses(host.index, family="inet")}
        assert got == {"10.9.0.1/32", "10.9.0.2/32"}
        assert by_name(root_handle)["tv4"].up
    netns.delete("tfast4")


def test_a_failing_batch_says_which_entry_and_applies_what_came_before() -> None:
    ns, h = netns.add("tfast5", handle=True)
    with ns, h:
        h.links_add([netns.Bridge("br0")])
        with pytest.raises(netns.AlreadyExistsError) as e:
            h.links_add([netns.Bridge("br1"), netns.Bridge("br0"), netns.Bridge("br2")])
        assert e.value.batch_index == 1 and "br0" in str(e.value)
        assert "br1" in by_name(h)

        with pytest.raises(netns.NotFoundError) as nf:
            h.links_set(["lo", 99999], up=True)
        assert nf.value.batch_index == 1
        assert by_name(h)["lo"].up

        lo = by_name(h)["lo"].index
        with pytest.raises(netns.InvalidArgumentError) as bad:
            h.addresses_add([(lo, "10.1.0.1/32"), (lo, "nonsense")])
        assert bad.value.batch_index == 1
        assert h.addresses(lo, family="inet") and all(
            a.cidr != "10.1.0.1/32" for a in h.addresses(lo, family="inet")
        ), "nothing is sent when an entry cannot be parsed"
        with pytest.raises(netns.NotFoundError) as missing:
            h.addresses_add([(lo, "10.1.0.1/32"), ("nosuch", "10.1.0.2/32")])
        assert missing.value.batch_index == 1
        h.addresses_add([(lo, "10.1.0.3/32")])
        with pytest.raises(netns.AlreadyExistsError) as dup:
            h.addresses_add([(lo, "10.1.0.4/32"), (lo, "10.1.0.3/32")])
        assert dup.value.batch_index == 1 and dup.value.errno == 17
        assert "10.1.0.4/32" in {a.cidr for a in h.addresses(lo)}
        h.links_set([], up=True)
        assert h.links_add([]) == []
        h.addresses_add([])
    netns.delete("tfast5")


def test_bad_specs_are_refused_before_the_kernel() -> None:
    with pytest.raises(netns.InvalidArgumentError):
        netns.Veth("this-name-is-too-long", "p")
    with pytest.raises(netns.InvalidArgumentError, match="peer"):
        netns.Veth("ok0", "p/x")
    with pytest.raises(netns.InvalidArgumentError):
        netns.Bridge("br0", mac="01:00:00:00:00:01")  # multicast
    with pytest.raises(TypeError):
        netns.Veth("a", "b", peer_netns="root")  # type: ignore[arg-type]
    with netns.handle() as h:
        with pytest.raises(TypeError, match="link specs"):
            h.links_add(["eth0"])  # type: ignore[list-item]
        with pytest.raises(TypeError):
            h.links_set([1.5], up=True)  # type: ignore[list-item]
        with pytest.raises(ValueError, match="index 0"):
            h.links_set([0], up=True)
    assert repr(netns.Veth("a", "b", up=True)) == 'Veth("a", "b", up=True)'
    assert netns.Bridge("br9").name == "br9"


def test_many_namespaces_from_a_thread_per_core(root_handle: netns.Handle) -> None:
    """The bench's W(N) shape, small: the caller's threads never move."""
    root = netns.current()
    n = 24
    before = thread_ns()

    def make(i: int) -> int:
        ns, h = netns.add(f"tw{i}", handle=True)
        with ns, h:
            h.link_set("lo", up=True)
            (veth,) = h.links_add([netns.Veth("eth0", f"tb{i}", root, up=True)])
        assert thread_ns() == before
        assert veth.peer is not None
        return veth.peer

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        hosts = list(pool.map(make, range(n)))
    root_handle.links_set(hosts, up=True)
    root_handle.addresses_add([(x, f"10.8.0.{i + 1}/32") for i, x in enumerate(hosts)])
    links = by_name(root_handle)
    assert all(links[f"tb{i}"].index == hosts[i] and links[f"tb{i}"].up for i in range(n))
    ipv4 = [a for a in root_handle.addresses(family="inet") if not a.address.startswith("127.")]
    assert len(ipv4) == n
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        list(pool.map(lambda i: netns.delete(f"tw{i}"), range(n)))


def test_links_and_addresses_equals_links_then_addresses() -> None:
    ns, h = netns.add("tfast9", handle=True)
    with ns, h:
        h.veth("va", "vb")
        h.addresses_add([("va", "10.9.0.1/24"), ("vb", "fd00::9/64"), ("lo", "127.0.0.9/8")])
        links, addrs = h.links_and_addresses()
        assert [l.to_dict() for l in links] == [l.to_dict() for l in h.links()]
        assert [a.to_dict() for a in addrs] == [a.to_dict() for a in h.addresses()]
        by_cidr = {a.cidr: a for a in addrs}
        assert by_cidr["10.9.0.1/24"].dev == "va"
        assert by_cidr["fd00::9/64"].dev == "vb"
        assert by_cidr["127.0.0.9/8"].dev == "lo"
    netns.delete("tfast9")
