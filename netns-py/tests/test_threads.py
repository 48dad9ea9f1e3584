"""Threads: 8 threads x 200 calls into different namespaces; every thread's
own namespace unchanged afterwards; one Handle shared by all threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import netns

from conftest import thread_ns

THREADS = 8
CALLS = 200


def test_many_threads_into_different_namespaces() -> None:
    names = [f"th{i}" for i in range(THREADS)]
    spaces = [netns.add(n) for n in names]
    try:
        for i, ns in enumerate(spaces):
            with ns.handle() as h:
                h.bridge(f"br{i}")  # a link only this namespace has
        barrier = threading.Barrier(THREADS)

        def work(i: int) -> tuple[str, str, int]:
            ns = spaces[i]
            before = thread_ns()
            barrier.wait()
            seen = 0
            for call in range(CALLS):
                if call % 2 == 0:
                    with ns.handle() as h:
                        links = sorted(l.name for l in h.links())
                    assert links == sorted(["lo", f"br{i}"]), links
                else:
                    inside = ns.run(thread_ns)
                    assert inside == f"net:[{ns.inode}]"
                seen += 1
            return before, thread_ns(), seen

        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(work, range(THREADS)))
        assert len(results) == THREADS
        for before, after, seen in results:
            assert before == after
            assert seen == CALLS
    finally:
        for ns, name in zip(spaces, names):
            ns.close()
            netns.delete(name)


def test_one_handle_shared_by_threads() -> None:
    with netns.temporary("shared") as ns, ns.handle() as h:
        h.bridge("tshared")

        def work(i: int) -> int:
            before = thread_ns()
            for _ in range(CALLS):
                assert h.link("tshared").kind == "bridge"
                assert len(h.links()) == 2
            assert thread_ns() == before
            return i

        with ThreadPoolExecutor(THREADS) as pool:
            assert sorted(pool.map(work, range(THREADS))) == list(range(THREADS))


def test_blocking_calls_release_the_gil() -> None:
    # While one thread waits inside run() (GIL released), another thread runs
    # Python code: the callable waits for an event only the other thread sets.
    started = threading.Event()
    release = threading.Event()
    with netns.temporary("gil") as ns:

        def inside() -> str:
            started.set()
            assert release.wait(10), "the main thread never ran: the GIL was held"
            return thread_ns()

        with ThreadPoolExecutor(1) as pool:
            fut = pool.submit(ns.run, inside)
            assert started.wait(10)
            release.set()
            assert fut.result(10) == f"net:[{ns.inode}]"
