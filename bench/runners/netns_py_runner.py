"""The netns Python package (netns-py, installed in the project's .venv by
`make test-py`): W(N), the dump, and per-call latency, with the package's
public API. W(N) takes the fast path the package documents, as the Rust
runner (bench/rust/src/w.rs) does: a thread per core creates namespaces
with `netns.add(name, handle=True)` (namespace and rtnetlink socket from one
thread), brings lo up and creates the veth (eth0 up inside, its peer bvI
born in root) with `Handle.links_add`, whose result gives each peer's index;
then in root one `links_set` batch brings the host ends up by index and one
`addresses_add` batch adds their addresses. The GIL is released around each
call.

Usage (inside scripts/sandbox.sh):
    netns_py_runner.py w N | dump NS | latency K
Prints one JSON line.
"""

import json
import os
import statistics
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import netns


def host_addr(i):
    k = i + 1
    return f"10.77.{k >> 8}.{k & 255}"


def on_threads(fn, n, threads):
    """[fn(0), …, fn(n-1)], computed by `threads` threads, each looping over
    its own share (i = k, k + threads, …), as the Rust runner does: one task
    per thread, not one per item."""

    def share(k):
        return [fn(i) for i in range(k, n, threads)]

    with ThreadPoolExecutor(threads) as pool:
        parts = list(pool.map(share, range(threads)))
    out = [None] * n
    for k, part in enumerate(parts):
        out[k::threads] = part
    return out


def w(n):
    t0 = time.monotonic()
    c = [time.process_time()]  # CPU time of the process (every thread) at each phase's end
    reg = netns.Registry()
    root = netns.current()

    def make(i):
        ns, h = reg.add_with_handle(f"bns{i}")
        h.link_set("lo", up=True)
        (veth,) = h.links_add([netns.Veth("eth0", f"bv{i}", root, up=True)])
        h.close()
        ns.close()
        return veth.peer

    threads = min(os.cpu_count() or 1, max(n, 1))
    hosts = on_threads(make, n, threads)
    created = time.monotonic()
    c.append(time.process_time())
    with netns.handle() as h:
        h.links_set(hosts, up=True)
        h.addresses_add([(x, f"{host_addr(i)}/32") for i, x in enumerate(hosts)])
        configured = time.monotonic()
        c.append(time.process_time())
        # An interrupted dump comes back with InconsistentDumpWarning.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", netns.InconsistentDumpWarning)
            links, addrs = h.links_and_addresses()
        links = len(links)
    consistent = not any(issubclass(x.category, netns.InconsistentDumpWarning) for x in caught)
    ipv4 = sum(1 for a in addrs if a.family == "inet" and not a.address.startswith("127."))
    counts = {"links": links, "ipv4": ipv4, "addresses": len(addrs)}
    dumped = time.monotonic()
    c.append(time.process_time())
    reg.delete_many([f"bns{i}" for i in range(n)])
    end = time.monotonic()
    c.append(time.process_time())
    seconds = end - t0
    if counts["links"] != n + 1 or counts["ipv4"] != n:
        sys.exit(f"wrong counts: {counts}")
    # The phases as the Rust runner times them (bench/run.py --sweep).
    phases = {"create": created - t0, "configure": configured - created,
              "dump": dumped - configured, "delete": end - dumped}
    phases_cpu = {p: c[k + 1] - c[k] for k, p in enumerate(("create", "configure", "dump", "delete"))}
    print(json.dumps({"impl": "netns-py", "n": n, **counts, "consistent": consistent,
                      "seconds": seconds, "phases": phases, "phases_cpu": phases_cpu}))


def dump(name):
    t0 = time.monotonic()
    with netns.open(name) as ns, ns.handle() as h:
        links, addrs = h.links_and_addresses()
        checksum = sum(l.index + len(l.name) for l in links) + sum(a.index for a in addrs)
    seconds = time.monotonic() - t0
    print(json.dumps({"impl": "netns-py", "links": len(links), "addresses": len(addrs),
                      "seconds": seconds, "checksum": checksum}))


def latency(k):
    reg = netns.Registry()
    us = {"ns_add": [], "veth_add": [], "addr_add": []}
    with netns.handle() as h:
        for i in range(k):
            t = time.perf_counter()
            ns = reg.add(f"lat{i}")
            us["ns_add"].append((time.perf_counter() - t) * 1e6)
            t = time.perf_counter()
            h.veth(f"lv{i}", "eth0", ns)
            us["veth_add"].append((time.perf_counter() - t) * 1e6)
            t = time.perf_counter()
            h.address_add(f"lv{i}", f"{host_addr(i)}/32")
            us["addr_add"].append((time.perf_counter() - t) * 1e6)
            ns.close()
    for i in range(k):
        reg.delete(f"lat{i}")

    def stats(v):
        v = sorted(v)
        return {"median_us": statistics.median(v), "p90_us": v[round((len(v) - 1) * 0.9)], "min_us": v[0]}

    print(json.dumps({"impl": "netns-py", "k": k, **{key: stats(v) for key, v in us.items()}}))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("w", "dump", "latency"):
        sys.exit(__doc__)
    arg = sys.argv[2]
    {"w": lambda: w(int(arg)), "dump": lambda: dump(arg), "latency": lambda: latency(int(arg))}[sys.argv[1]]()
