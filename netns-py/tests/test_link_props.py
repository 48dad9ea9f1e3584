"""Alternative names, interface flags, kind changes, bridge port settings
and ip's counters block from Python, read back with ``ip`` and ``bridge``
in the sandbox."""

from __future__ import annotations

import subprocess

import pytest

import netns


def run(*args: str) -> str:
    return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout


def test_altnames_added_found_listed_removed(root_handle: netns.Handle) -> None:
    root_handle.veth("tap0", "tap1")
    long = "an-alternative-name-of-tap0"
    root_handle.link_altname_add("tap0", long)
    root_handle.link_altname_add("tap0", "tp-alt")
    assert f"altname {long}" in run("ip", "link", "show", "dev", "tap0")
    assert root_handle.link(long).name == "tap0"
    assert root_handle.link_index("tp-alt") == root_handle.link("tap0").index
    assert root_handle.link("tap0").altnames == [long, "tp-alt"]
    assert [l.altnames for l in root_handle.links() if l.name == "tap0"] == [[long, "tp-alt"]]
    root_handle.link_set(long, mtu=1300)
    assert "mtu 1300" in run("ip", "link", "show", "tap0")
    root_handle.link_altname_del("tap0", "tp-alt")
    assert root_handle.link("tap0").altnames == [long]
    with pytest.raises(netns.NotFoundError):
        root_handle.link_altname_del("tap0", "tp-alt")
    with pytest.raises(FileExistsError):
        root_handle.link_altname_add("tap1", long)
    with pytest.raises(ValueError):
        root_handle.link_altname_add("tap0", "a b")


def test_flags_in_one_change(root_handle: netns.Handle) -> None:
    root_handle.veth("tfl0", "tfl1")
    root_handle.link_set("tfl0", arp=False, multicast=False, allmulticast=True, dynamic=True, trailers=False, promisc=True)
    shown = run("ip", "link", "show", "tfl0")
    assert "<BROADCAST,NOARP,ALLMULTI,PROMISC,DYNAMIC,NOTRAILERS,M-DOWN>" in shown, shown
    root_handle.link_set("tfl0", arp=True, multicast=True, allmulticast=False, dynamic=False, trailers=True, promisc=False)
    assert "<BROADCAST,MULTICAST,M-DOWN>" in run("ip", "link", "show", "tfl0")


def test_kind_changes_and_the_kernels_refusal(root_handle: netns.Handle) -> None:
    run("ip", "link", "add", "tvx0", "type", "vxlan", "id", "5", "dstport", "4789")
    root_handle.link_set_type("tvx0", "vxlan", ["ttl", "9", "nolearning"])
    shown = run("ip", "-d", "link", "show", "tvx0")
    assert "ttl 9" in shown and "nolearning" in shown, shown
    with pytest.raises(netns.NetnsError) as err:
        root_handle.link_set_type("tvx0", "vxlan", ["id", "6"])
    assert "Cannot change VNI" in str(err.value)
    with pytest.raises(ValueError):
        root_handle.link_set_type("tvx0", "vxlan", ["bogus"])
    root_handle.bridge("tbr0")
    root_handle.link_set_type("tbr0", "bridge", ["stp_state", "1", "forward_delay", "400"])
    assert "forward_delay 400" in run("ip", "-d", "link", "show", "tbr0")


def test_bridge_port_settings_both_ways(root_handle: netns.Handle) -> None:
    root_handle.bridge("tbr1")
    root_handle.veth("tbp0", "tbp1")
    root_handle.link_set("tbp0", master="tbr1")
    root_handle.bridge_port_set("tbp0", learning=False, flood=False, cost=7, priority=3, isolated=True)
    shown = run("bridge", "-d", "link", "show", "dev", "tbp0")
    assert "priority 3 cost 7" in shown and "learning off" in shown and "isolated on" in shown, shown
    port = root_handle.bridge_port("tbp0")
    assert port is not None
    assert (port["cost"], port["priority"], port["learning"], port["isolated"]) == (7, 3, False, True)
    run("bridge", "link", "set", "dev", "tbp0", "learning", "on")
    port = root_handle.bridge_port("tbp0")
    assert port is not None and port["learning"] is True
    assert root_handle.bridge_port("tbp1") is None
    with pytest.raises(ValueError):
        root_handle.bridge_port_set("tbp0", nosuch=True)
    root_handle.link_set_type("tbp0", "bridge_slave", ["cost", "9"])
    port = root_handle.bridge_port("tbp0")
    assert port is not None and port["cost"] == 9


def test_stats_text_is_ips_block(root_handle: netns.Handle) -> None:
    for level, args in ((1, ["-s"]), (2, ["-s", "-s"])):
        ip_block = "\n".join(run("ip", *args, "link", "show", "lo").splitlines()[2:])
        assert root_handle.link_stats_text("lo", level) == ip_block
