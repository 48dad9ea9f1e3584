"""A listing whose kernel dump keeps changing on every attempt (a real race:
a thread adds and removes an address without pause while thousands of
addresses are dumped) is returned with an ``InconsistentDumpWarning``, as
``ip`` prints "Dump was interrupted and may be inconsistent"; a quiet one
warns nothing."""

from __future__ import annotations

import ipaddress
import threading
import time
import warnings

import netns

ADDRESSES = 10_000


def test_a_dump_changed_on_every_attempt_warns_and_still_returns_the_data() -> None:
    assert issubclass(netns.InconsistentDumpWarning, RuntimeWarning)
    ns, h = netns.add("tdumpintr", handle=True)
    with ns, h:
        h.links_add([netns.Veth("d0", "d1")])
        base = int(ipaddress.IPv4Address("10.88.0.0"))
        h.addresses_add([("d0", f"{ipaddress.IPv4Address(base + i)}/32") for i in range(ADDRESSES)])
        stop = threading.Event()

        def churn(address: str) -> None:
            with ns.handle() as other:
                while not stop.is_set():
                    other.address_add("d0", address)
                    other.address_del("d0", address)

        workers = [threading.Thread(target=churn, args=(f"10.99.0.{k}/32",)) for k in (1, 2)]
        for worker in workers:
            worker.start()
        warned: list[warnings.WarningMessage] = []
        # Usually within a few dumps; on a busy machine the churn thread may
        # not run during a whole dump for a while, hence a deadline.
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    got = h.addresses(family="inet")
                assert sum(a.dev == "d0" for a in got) >= ADDRESSES
                warned = [w for w in caught if issubclass(w.category, netns.InconsistentDumpWarning)]
                if warned:
                    break
        finally:
            stop.set()
            for worker in workers:
                worker.join()
        assert warned, "no dump in 60 s was interrupted on every attempt"
        assert "interrupted and may be inconsistent" in str(warned[0].message)
        assert warned[0].filename == __file__  # points at the caller's line

        # Quiet again: no warning (an "error" filter would raise it).
        with warnings.catch_warnings():
            warnings.simplefilter("error", netns.InconsistentDumpWarning)
            got = h.addresses(family="inet")
            assert sum(a.dev == "d0" for a in got) == ADDRESSES
            assert len(h.links()) == 3
    netns.delete("tdumpintr")
