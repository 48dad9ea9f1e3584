"""netns (Python) against pyroute2: namespace add+delete and link lookups.

Run inside the sandbox (it creates namespaces and links), with pyroute2
installed in the venv only for this comparison:

    .venv/bin/python -m pip install pyroute2
    scripts/sandbox.sh .venv/bin/python netns-py/bench/bench_py.py [N]

Prints one line per measurement: name, count, seconds, microseconds per call.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Callable

import netns

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
LINKS = 500  # veth pairs in the namespace during the lookups: 1,000 links


def timed(label: str, count: int, fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    secs = time.perf_counter() - start
    print(f"{label:<44} {count:>6} {secs:8.3f} s {secs / count * 1e6:10.1f} us/call")
    return secs


def main() -> None:
    if not os.path.exists("/run/netns-sandbox.net"):
        sys.exit("run me under scripts/sandbox.sh")
    from pyroute2 import IPRoute
    from pyroute2 import netns as pr_netns

    def netns_add_delete() -> None:
        for i in range(N):
            netns.add(f"b{i}").close()
            netns.delete(f"b{i}")

    def pyroute2_add_delete() -> None:
        for i in range(N):
            pr_netns.create(f"p{i}")
            pr_netns.remove(f"p{i}")

    timed("add+delete  netns", N, netns_add_delete)
    timed("add+delete  pyroute2.netns", N, pyroute2_add_delete)

    with netns.handle() as h:
        for i in range(LINKS):
            h.veth(f"bv{i}", f"bp{i}")
        last = f"bv{LINKS - 1}"

        def netns_lookup() -> None:
            for _ in range(N):
                h.link(last)

        timed(f"link lookup netns Handle.link ({2 * LINKS} links)", N, netns_lookup)

        with IPRoute() as ipr:
            def pr_get() -> None:
                for _ in range(N):
                    ipr.link("get", ifname=last)

            timed(f"link lookup pyroute2 link('get') ({2 * LINKS} links)", N, pr_get)
            few = max(N // 10, 1)

            def pr_lookup() -> None:
                for _ in range(few):
                    ipr.link_lookup(ifname=last)

            timed(f"link lookup pyroute2 link_lookup ({2 * LINKS} links)", few, pr_lookup)

        def netns_dump() -> None:
            for _ in range(few):
                h.links()

        timed(f"links() dump netns ({2 * LINKS} links)", few, netns_dump)
        for i in range(LINKS):
            h.link_delete(f"bv{i}")


if __name__ == "__main__":
    main()
