"""The monitor: interruptible by signals (Ctrl-C), closable from another
thread, with a bounded wait; events still arrive."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import List

import pytest

import netns


def test_sigint_interrupts_a_waiting_monitor() -> None:
    with netns.monitor() as m:
        # A thread sends SIGINT to the process while the main thread waits in
        # next(): Python's handler raises KeyboardInterrupt in the main thread.
        timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
        start = time.monotonic()
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            next(m)
        took = time.monotonic() - start
        timer.join()
        assert 0.25 <= took < 1.3, took
        # The monitor is still usable afterwards.
        netns.add("after-int").close()
        ev = m.wait_event(5.0)
        assert ev is not None and (ev.kind, ev.name) == ("add", "after-int")
        netns.delete("after-int")


def test_signal_handler_exception_propagates_from_next() -> None:
    class Alarm(Exception):
        pass

    def on_alarm(signum: int, frame: object) -> None:
        raise Alarm()

    old = signal.signal(signal.SIGALRM, on_alarm)
    try:
        with netns.monitor() as m:
            signal.setitimer(signal.ITIMER_REAL, 0.2)
            start = time.monotonic()
            with pytest.raises(Alarm):
                next(m)
            assert time.monotonic() - start < 1.2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_close_from_another_thread_ends_a_blocked_iteration() -> None:
    m = netns.monitor()
    seen: List[netns.MonitorEvent] = []
    done = threading.Event()

    def consume() -> None:
        for ev in m:
            seen.append(ev)
        done.set()

    t = threading.Thread(target=consume)
    t.start()
    time.sleep(0.3)
    assert not done.is_set()  # blocked in next()
    start = time.monotonic()
    m.close()
    assert done.wait(2.0)
    assert time.monotonic() - start < 1.0
    t.join()
    assert seen == []
    assert m.closed
    m.close()  # idempotent
    with pytest.raises(StopIteration):
        next(m)
    assert m.wait_event(0.1) is None
    assert repr(m) == "<Monitor closed>"


def test_close_wakes_a_main_thread_next() -> None:
    with netns.monitor() as m:
        closer = threading.Timer(0.3, m.close)
        start = time.monotonic()
        closer.start()
        with pytest.raises(StopIteration):
            next(m)
        closer.join()
        assert 0.25 <= time.monotonic() - start < 1.3


def test_wait_event_times_out_then_events_arrive_in_order() -> None:
    with netns.monitor() as m:
        start = time.monotonic()
        assert m.wait_event(0.2) is None
        assert 0.19 <= time.monotonic() - start < 1.0
        assert m.wait_event(0) is None
        netns.add("w1").close()
        netns.add("w2").close()
        netns.delete("w1")
        got = [m.wait_event(5.0) for _ in range(3)]
        pairs = [(e.kind, e.name) for e in got if e is not None]
        # Each name's events in order (names seen in one read may interleave).
        assert sorted(pairs) == [("add", "w1"), ("add", "w2"), ("delete", "w1")]
        assert pairs.index(("add", "w1")) < pairs.index(("delete", "w1"))
        netns.delete("w2")
        ev = next(m)
        assert (ev.kind, ev.name) == ("delete", "w2")
        with pytest.raises(ValueError):
            m.wait_event(-1)
        with pytest.raises(ValueError):
            m.wait_event(float("nan"))
