"""The pyroute2 anchor (pyroute2 from PyPI, in .venv-bench), written the way
its documentation shows: netns.create / netns.remove, IPRoute().link('add',
kind='veth', peer={...}), link_lookup, addr('add'), link('set', state='up'),
IPRoute(netns=NAME) for the in-namespace steps, get_links() / get_addr().

Usage (inside scripts/sandbox.sh):
    pyroute2_runner.py w N       W(N)
    pyroute2_runner.py dump NS   every link and address of namespace NS
Prints one JSON line.
"""

import json
import socket
import sys
import time

from pyroute2 import IPRoute, netns


def host_addr(i):
    k = i + 1
    return f"10.77.{k >> 8}.{k & 255}"


def count(ipr):
    links = len(ipr.get_links())
    addrs = ipr.get_addr()
    ipv4 = sum(
        1
        for a in addrs
        if a["family"] == socket.AF_INET
        and not a.get_attr("IFA_ADDRESS").startswith("127.")
    )
    return {"links": links, "ipv4": ipv4, "addresses": len(addrs)}


def w(n):
    t0 = time.monotonic()
    with IPRoute() as ipr:
        for i in range(n):
            name, host = f"bns{i}", f"bv{i}"
            netns.create(name)
            ipr.link(
                "add",
                ifname=host,
                kind="veth",
                peer={"ifname": "eth0", "net_ns_fd": name},
            )
            idx = ipr.link_lookup(ifname=host)[0]
            ipr.addr("add", index=idx, address=host_addr(i), prefixlen=32)
            ipr.link("set", index=idx, state="up")
            with IPRoute(netns=name) as ns:
                for ifname in ("lo", "eth0"):
                    ns.link("set", index=ns.link_lookup(ifname=ifname)[0], state="up")
        counts = count(ipr)
    for i in range(n):
        netns.remove(f"bns{i}")
    seconds = time.monotonic() - t0
    if counts["links"] != n + 1 or counts["ipv4"] != n:
        sys.exit(f"wrong counts: {counts}")
    print(json.dumps({"impl": "pyroute2", "n": n, **counts, "seconds": seconds}))


def dump(name):
    t0 = time.monotonic()
    with IPRoute(netns=name, flags=0) as ipr:
        links = ipr.get_links()
        addrs = ipr.get_addr()
        checksum = sum(l["index"] + len(l.get_attr("IFLA_IFNAME")) for l in links)
        checksum += sum(a["index"] for a in addrs)
    seconds = time.monotonic() - t0
    print(
        json.dumps(
            {
                "impl": "pyroute2",
                "links": len(links),
                "addresses": len(addrs),
                "seconds": seconds,
                "checksum": checksum,
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "w":
        w(int(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "dump":
        dump(sys.argv[2])
    else:
        sys.exit(__doc__)
