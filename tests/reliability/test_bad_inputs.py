"""The ``py`` rows of tests/reliability/bad_inputs.tsv through the Python
package, in the sandbox (scripts/sandbox.sh): each raises the expected
exception class with the expected text, and creates nothing. Also run here:
the Python leak check (fds and traced memory flat over create/delete cycles).

Run by ``make test-reliability`` with the project venv's pytest."""

from __future__ import annotations

import gc
import os
import subprocess
import tracemalloc
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

import netns

TABLE = Path(__file__).with_name("bad_inputs.tsv")
RUN_DIR = Path("/run/netns")


def decode(word: str) -> str:
    if word.startswith("{") and word.endswith("}"):
        return "a" * int(word[1:-1])
    out = word.replace("\\s", " ")
    return out.encode("latin-1").decode("unicode_escape")


def rows() -> List[List[str]]:
    out = []
    for line in TABLE.read_text().splitlines():
        if line.startswith("#") or not line:
            continue
        cols = line.split("\t")
        if cols[1] == "py":
            out.append(cols)
    return out


def links() -> List[str]:
    return sorted(link.name for link in netns.handle().links())


def op_mtu(args: List[str]) -> None:
    h = netns.handle()
    h.bridge(args[0])
    try:
        h.link_set(args[0], mtu=int(args[1]))
    finally:
        h.link_delete(args[0])


REG = netns.Registry(RUN_DIR)
OPS: Dict[str, Callable[[List[str]], Any]] = {
    "add": lambda a: REG.add(a[0]),
    "add_bytes": lambda a: REG.add(a[0].encode("latin-1")),  # type: ignore[arg-type]
    "attach": lambda a: REG.attach(a[0], int(a[1])),
    "open": lambda a: REG.open(a[0]),
    "open_path": lambda a: netns.open_path(a[0]),
    "address_add": lambda a: netns.handle().address_add(a[0], a[1]),
    "bridge": lambda a: netns.handle().bridge(a[0]),
    "mtu": op_mtu,
    "vxlan": lambda a: netns.handle().link_add(netns.Vxlan(a[0], int(a[1]))),
    "macvlan": lambda a: netns.handle().link_add(netns.MacVlan(a[0], a[1], a[2])),
    "link_delete_group": lambda a: netns.handle().link_delete_group(int(a[0])),
    "address_add_brd": lambda a: netns.handle().address_add(a[0], a[1], broadcast=a[2]),
    "address_flush": lambda a: netns.handle().address_flush(a[0]),
}


def test_the_table_has_py_rows() -> None:
    assert len(rows()) >= 10


@pytest.mark.parametrize("row", rows(), ids=lambda r: r[0])
def test_bad_input(row: List[str]) -> None:
    _id, _front, op, args, expect, message = row
    words = [""] if args == "-" else [decode(w) for w in args.split(" ")]
    want = decode(message) if message.startswith("{") else message
    os.symlink("/proc/1/ns/net", RUN_DIR / "symlink")
    try:
        with pytest.raises(BaseException) as info:
            OPS[op](words)
    finally:
        os.unlink(RUN_DIR / "symlink")
    assert type(info.value).__name__ == expect or any(
        c.__name__ == expect for c in type(info.value).__mro__
    ), f"{type(info.value).__name__}: {info.value}"
    if want != "-":
        assert want in str(info.value), str(info.value)
    if isinstance(info.value, netns.NetnsError):
        assert "cannot" in str(info.value)
    assert sorted(os.listdir(RUN_DIR)) == []
    assert links() == ["lo"]


def test_create_delete_cycles_leak_nothing() -> None:
    cycles = int(os.environ.get("RELIABILITY_PY_CYCLES", "300"))

    def cycle(i: int) -> None:
        ns = REG.add(f"p{i % 5}")
        with ns.handle() as h:
            h.links()
        ns.run(os.getpid)
        ns.close()
        REG.delete(f"p{i % 5}")

    for i in range(30):
        cycle(i)
    gc.collect()
    fds = len(os.listdir("/proc/self/fd"))
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for i in range(cycles):
        cycle(i)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    fds_after = len(os.listdir("/proc/self/fd"))
    print(f"python leaks: {cycles} cycles, fds {fds} -> {fds_after}, traced memory {grown:+d} bytes")
    assert fds_after == fds
    assert grown < 64 * 1024, grown
    assert os.listdir(RUN_DIR) == []
    subprocess.run(["true"], check=True)
