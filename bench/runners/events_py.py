"""The Python receivers of the events benchmark and the Python dumps of the
10,000-entry benchmark (bench/events.py drives them), for the netns package
(run with the project's .venv) and for pyroute2 (with .venv-bench):

    events_py.py recv netns|pyroute2 [RCVBUF]
        subscribes to link and address events in this namespace (as
        `ip monitor link address`), RCVBUF bytes forced (SO_RCVBUFFORCE) or
        the library's default buffer; prints a ready line, then counts events
        until none came for IDLE (3) seconds once the generator has finished
        (the driver creates the file named by EVENTS_GEN_DONE then); prints
        one JSON line.
    events_py.py dump netns|pyroute2 ROUNDS
        ROUNDS dumps of the IPv4 neighbours of nA and of the IPv4 routes of
        table main (bench/rust/src/dump10k.rs set them up); prints one JSON
        line with the median time of each.
"""

import errno
import json
import os
import resource
import signal
import socket
import statistics
import sys
import time

IDLE = 3.0
# The driver creates this file once the generator has finished: a pause
# longer than IDLE before then (the RTNL lock is shared by every namespace)
# does not end the count.
DONE = os.environ.get("EVENTS_GEN_DONE")


def generator_done():
    return DONE is None or os.path.exists(DONE)
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)


def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def buffer_of(fd, force=None):
    """Forces the receive buffer of the socket `fd` to `force` bytes if
    given; returns SO_RCVBUF as the kernel reports it."""
    s = socket.socket(fileno=os.dup(fd))
    try:
        if force:
            s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, force)
        return s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    finally:
        s.close()


def ready(rcvbuf):
    print(json.dumps({"ready": True, "rcvbuf": rcvbuf}), flush=True)


def result(impl, counts, first, last, cpu0, rcvbuf):
    print(json.dumps({
        "impl": impl,
        "received": counts["link"] + counts["address"] + counts["other"],
        "links": counts["link"],
        "addresses": counts["address"],
        "other": counts["other"],
        "overruns": counts["overrun"],
        "first": first,
        "last": last,
        "cpu": cpu() - cpu0,
        "rcvbuf": rcvbuf,
    }))


def recv_netns(force):
    import netns

    sub = netns.subscribe(["link", "address"])
    rcvbuf = buffer_of(sub.fileno(), force)
    ready(rcvbuf)
    cpu0 = cpu()
    counts = {"link": 0, "address": 0, "other": 0, "overrun": 0}
    first = last = 0.0
    while True:
        e = sub.next(timeout=IDLE if first else 120.0)
        if e is None:
            if first and not generator_done():
                continue
            break
        last = time.monotonic()
        if not first:
            first = last
        if e.kind == "overrun":
            counts["overrun"] += 1
        else:
            o = e.object
            # Read what a caller would (the objects are already converted).
            if e.group == "link":
                counts["link"] += 1
                _ = (o.index, o.name)
            elif e.group == "address":
                counts["address"] += 1
                _ = (o.index, o.prefixlen)
            else:
                counts["other"] += 1
    sub.close()
    result("netns-py", counts, first, last, cpu0, rcvbuf)


class Idle(Exception):
    pass


def recv_pyroute2(force):
    from pyroute2 import IPRoute
    from pyroute2.netlink.rtnl import RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR, RTMGRP_LINK

    def subscribe():
        ipr = IPRoute()
        ipr.bind(groups=RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR)
        return ipr, buffer_of(ipr.fileno(), force)

    ipr, rcvbuf = subscribe()

    # `get()` blocks until a message comes (its asyncio loop may already
    # hold messages the socket no longer has, so select() cannot tell):
    # a timer ends the wait once no event came for IDLE seconds.
    def alarm(*_):
        if not generator_done():
            signal.setitimer(signal.ITIMER_REAL, IDLE)
            return
        raise Idle()

    signal.signal(signal.SIGALRM, alarm)
    ready(rcvbuf)
    cpu0 = cpu()
    counts = {"link": 0, "address": 0, "other": 0, "overrun": 0}
    first = last = 0.0
    signal.setitimer(signal.ITIMER_REAL, 120.0)
    try:
        while True:
            try:
                msgs = ipr.get()
            except OSError as e:
                if e.errno != errno.ENOBUFS:
                    raise
                # pyroute2 0.9.7 keeps the error: every later call on this
                # IPRoute raises it again. A program must open a new one
                # (what is announced in between is lost).
                counts["overrun"] += 1
                ipr, _ = subscribe()
                continue
            now = time.monotonic()
            signal.setitimer(signal.ITIMER_REAL, IDLE)
            if not first:
                first = now
            for m in msgs:
                last = now
                event = m["event"]
                if event in ("RTM_NEWLINK", "RTM_DELLINK"):
                    counts["link"] += 1
                    _ = (m["index"], m.get("ifname"))
                elif event in ("RTM_NEWADDR", "RTM_DELADDR"):
                    counts["address"] += 1
                    _ = (m["index"], m["prefixlen"], m.get("address"))
                else:
                    counts["other"] += 1
    except Idle:
        pass
    signal.setitimer(signal.ITIMER_REAL, 0)
    result("pyroute2", counts, first, last, cpu0, rcvbuf)
    os._exit(0)  # pyroute2's event loop may be mid-call after the timer


def dump_netns(rounds):
    import netns

    h = netns.handle()
    idx = h.link_index("nA")

    def neigh():
        return len(h.neighbours(dev="nA", family="inet"))

    def routes():
        return sum(1 for r in h.routes(family="inet") if r.table == 254)

    return idx, neigh, routes


def dump_pyroute2(rounds):
    from pyroute2 import IPRoute

    ipr = IPRoute()
    idx = ipr.link_lookup(ifname="nA")[0]

    def neigh():
        return sum(1 for n in ipr.get_neighbours(family=socket.AF_INET, ifindex=idx))

    def routes():
        return sum(1 for r in ipr.get_routes(family=socket.AF_INET, table=254))

    return idx, neigh, routes


def dump(impl, rounds):
    _, neigh, routes = (dump_netns if impl == "netns" else dump_pyroute2)(rounds)
    neigh(), routes()  # warm up
    nt, rt = [], []
    n = r = 0
    for _ in range(max(rounds, 1)):
        t = time.monotonic()
        n = neigh()
        nt.append(time.monotonic() - t)
        t = time.monotonic()
        r = routes()
        rt.append(time.monotonic() - t)
    print(json.dumps({
        "impl": "netns-py" if impl == "netns" else "pyroute2",
        "neighbours": n,
        "routes": r,
        "neigh_seconds": statistics.median(nt),
        "route_seconds": statistics.median(rt),
    }))


def main():
    a = sys.argv[1:]
    if len(a) >= 2 and a[0] == "recv" and a[1] in ("netns", "pyroute2"):
        force = int(a[2]) if len(a) > 2 else None
        (recv_netns if a[1] == "netns" else recv_pyroute2)(force)
    elif len(a) == 3 and a[0] == "dump" and a[1] in ("netns", "pyroute2"):
        dump(a[1], int(a[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
