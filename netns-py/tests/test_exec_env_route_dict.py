"""``netns.exec(..., env=...)`` (the child's whole environment, as
``subprocess.run``'s ``env``), ``Route.to_dict()`` with its paths as dicts,
and an IPv4 route via an IPv6 gateway (``via inet6``) from Python, compared
with what ``ip`` shows in the same namespace."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any, Iterator

import pytest

import netns

NS = "exec-env"


def ip(*args: str) -> str:
    """``ip -n exec-env ARGS``'s output."""
    return subprocess.run(["ip", "-n", NS, *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def h() -> Iterator[netns.Handle]:
    """A handle in a fresh namespace with veth0/veth1 up."""
    with netns.temporary(NS) as ns, ns.handle() as handle:
        handle.veth("veth0", "veth1", up=True)
        handle.link_set("veth1", up=True)
        yield handle


def test_exec_env_is_exactly_the_childs_environment(h: netns.Handle) -> None:
    r = netns.exec(NS, ["env"], env={"FOO": "bar baz", "ONLY": "1"}, capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "FOO=bar baz\nONLY=1\n")
    assert netns.exec(NS, ["env"], env={}, capture_output=True).stdout == b""
    # bytes names and values, as os.environb gives them.
    raw = netns.exec(NS, ["env"], env={b"B": b"\xffx"}, capture_output=True)
    assert raw.stdout == b"B=\xffx\n"
    # None inherits the caller's environment.
    os.environ["NETNS_PY_TEST_INHERITED"] = "yes"
    try:
        r = netns.exec(NS, ["env"], capture_output=True, text=True)
        assert "NETNS_PY_TEST_INHERITED=yes\n" in r.stdout
    finally:
        del os.environ["NETNS_PY_TEST_INHERITED"]


def test_exec_env_refuses_what_subprocess_refuses(h: netns.Handle) -> None:
    with pytest.raises(ValueError, match="illegal environment variable name"):
        netns.exec(NS, ["true"], env={"A=B": "x"})
    with pytest.raises(ValueError):
        netns.exec(NS, ["true"], env={"": "x"})
    with pytest.raises(TypeError):
        netns.exec(NS, ["true"], env=5)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        netns.exec(NS, ["true"], env={"A": 1})  # type: ignore[arg-type]


def test_route_to_dict_gives_paths_as_dicts(h: netns.Handle) -> None:
    h.route_add(
        "10.9.0.0/16",
        nexthops=[
            netns.NextHop(via="fe80::2", dev="veth0", weight=2),
            netns.NextHop(via="fe80::3", dev="veth1"),
        ],
    )
    (r,) = [r for r in h.routes(family="inet") if r.dst == "10.9.0.0/16"]
    d: dict[str, Any] = r.to_dict()
    assert all(isinstance(hop, dict) for hop in d["nexthops"])
    assert [(hop["via"], hop["dev"], hop["weight"]) for hop in d["nexthops"]] == [
        ("fe80::2", "veth0", 2),
        ("fe80::3", "veth1", 1),
    ]
    assert d["nexthops"][0] == r.nexthops[0].to_dict()
    json.dumps(d)  # plain data all the way down
    assert "nexthop via inet6 fe80::2 dev veth0 weight 2" in ip("route", "show", "10.9.0.0/16")


def test_an_ipv4_route_via_an_ipv6_gateway_from_python(h: netns.Handle) -> None:
    h.route_add("10.0.0.0/24", via="fe80::1", dev="veth0")
    assert ip("route", "show", "10.0.0.0/24") == "10.0.0.0/24 via inet6 fe80::1 dev veth0 \n"
    (r,) = [r for r in h.routes(family="inet") if r.dst == "10.0.0.0/24"]
    assert (r.family, r.gateway, r.dev) == ("inet", "fe80::1", "veth0")
    with pytest.raises(netns.InvalidArgumentError, match="RTA_VIA"):
        h.route_add("2001:db8::/64", via="10.0.0.1", dev="veth0")
