"""A user's script: every public call of netns, with ``with`` blocks that
return from inside. ``test_typing.py`` type-checks it with ``mypy --strict``
(as a user of the stubs would) and runs it (in the sandbox)."""

from __future__ import annotations

import ipaddress
import subprocess
from typing import List, Optional, Tuple

import netns


def links_in(ns: netns.Namespace) -> List[str]:
    with ns.handle() as h:
        return [l.name for l in h.links()]  # a return inside `with`


def dump_inside(ns: netns.Namespace) -> str:
    with ns:
        return ns.run(lambda: open("/proc/thread-self/net/dev").read())


def first_event(m: netns.Monitor) -> Optional[netns.MonitorEvent]:
    with m:
        return m.wait_event(0.0)


def walkthrough(tag: str) -> Tuple[str, str]:
    version: str = netns.__version__
    blue_name, red_name = f"{tag}-blue", f"{tag}-red"
    mon = netns.monitor()
    with netns.temporary(blue_name) as blue:
        red, red_h = netns.add(red_name, handle=True)
        with red_h:
            red_h.link_set("lo", up=True)
        # nsids first: a veth across namespaces makes the kernel assign some.
        netns.set_id(red_name, 9)
        with netns.handle() as h:
            nsid: Optional[int] = h.set_nsid(blue)
            assert h.nsid(blue) == nsid
            idx: int = h.link_index("lo")
            assert h.link(idx).name == "lo"
            h.veth("tu0", "eth0", blue, up=True, mtu=1400, peer_mtu=1400, mac="02:00:00:00:00:01")
            h.address_add("tu0", ipaddress.ip_interface("10.61.0.2/24"), label="tu0:a", metric=5)
            h.address_replace("tu0", "10.61.0.2/24")
            h.address_add("tu0", "10.61.1.2/24", broadcast=ipaddress.IPv4Address("10.61.1.255"))
            h.address_del("tu0", ipaddress.IPv4Interface("10.61.1.2/24"))
            h.addresses_add([("tu0", "10.61.2.2/24"), (h.link_index("tu0"), "10.61.3.2/24")])
            h.route_add(ipaddress.ip_network("10.62.0.0/16"), via=ipaddress.ip_address("10.61.0.1"))
            h.route_replace("10.62.0.0/16", dev="tu0", table="main", metric=10)
            h.route_del("10.62.0.0/16", dev="tu0", metric=10)
            routes: List[netns.Route] = h.routes(family="inet")
            addrs: List[netns.Address] = h.addresses("tu0")
            links, all_addrs = h.links_and_addresses()
            assert routes and addrs and links and all_addrs
            assert h.address_flush("tu0", family="inet") >= 1
            created: netns.CreatedLink = h.link_add(netns.Bridge("tubr", up=True))
            assert created.index is not None
            more = h.links_add([netns.Bridge("tud0", group=7), netns.Veth("tug0", "tug1", group=7)])
            assert len(more) == 2 and more[1].peer is not None
            h.links_set(["tud0"], up=True)
            h.link_set("tu0", master="tubr")
            h.link_set("tu0", nomaster=True, txqlen=500, name="tu1")
            h.link_set_alias("tu1", "uplink")
            h.link_set_promisc("tu1", True)
            h.link_set("tu1", master="tubr")
            h.bridge_port_set_hairpin("tu1", True)
            h.bridge("tubr2", mtu=1500)
            h.bridge("tud1", up=True)
            optional: List[netns.LinkSpec] = [
                netns.Dummy("tudm", group=7),
                netns.Ifb("tuifb", group=7),
                netns.MacVlan("tumv", "tud1", "bridge"),
                netns.Vxlan("tuvx", 42, remote=ipaddress.IPv4Address("192.0.2.1"), port=4789),
            ]
            for spec in optional:
                try:
                    h.link_add(spec)
                except netns.UnsupportedError:
                    pass  # no such driver on this kernel
            try:
                h.dummy("tudm2", up=True)
            except netns.UnsupportedError:
                pass
            made = {l.name for l in h.links()}
            h.link_add(netns.Veth("tu2", "tu3", netns=red, peer_netns=blue))
            h.link_delete_group(7)
            for dev in ("tumv", "tuvx", "tudm2", "tud1", "tubr2", "tu1", "tubr"):
                if dev in made:
                    h.link_delete(dev)
        assert "tu3" in links_in(blue)  # eth0 went with tu1, its peer
        assert "tu3" in dump_inside(netns.open(blue_name))
        ids: List[netns.IdEntry] = netns.list_ids()
        assert any(i.nsid == 9 for i in ids)
        entries: List[netns.NamespaceEntry] = netns.list()
        assert {e.name for e in entries} >= {blue_name, red_name}
        done: subprocess.CompletedProcess[str] = netns.exec(
            blue_name, ["ip", "-o", "link"], capture_output=True, text=True, check=True
        )
        raw: subprocess.CompletedProcess[bytes] = netns.exec(blue_name, ["true"])
        assert raw.returncode == 0 and "tu3" in done.stdout
        assert netns.identify() == [] and netns.pids(red_name) == []
        here = netns.current()
        same = netns.open_pid(1)
        path = netns.open_path(f"/run/netns/{red_name}")
        assert path == red and same.inode > 0 and not here.closed
        for ns in (here, same, path):
            ns.close()
        with netns.handles([red])[0] as rh:
            assert rh.link("tu2").name == "tu2"
        red.close()
        netns.delete(red_name)
        attached = netns.attach(red_name, 1)
        assert attached.sysctl_get("net.ipv4.ip_forward") in ("0", "1")
        attached.close()
        netns.Registry().delete(red_name)
        try:
            netns.open(red_name)
            raise AssertionError("opened a deleted name")
        except netns.NotFoundError as e:
            kernel: Optional[str] = e.kernel_message
            assert e.operation == "open" and kernel is None and e.batch_index is None
    event = first_event(mon)
    assert event is None or event.kind in ("add", "delete")
    return version, done.stdout


if __name__ == "__main__":
    print(walkthrough("tu"))
