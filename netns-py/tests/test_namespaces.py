"""Namespaces: add, attach, delete, list, open, exec, temporary, identify,
pids, nsids, monitor, custom registries."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pytest

import netns

from conftest import thread_ns


def test_add_list_open_delete() -> None:
    with netns.add("blue") as blue:
        assert blue.name == "blue"
        assert not blue.closed
        assert blue.run(thread_ns) == f"net:[{blue.inode}]"
        with netns.open("blue") as again:
            assert again == blue
            assert hash(again) == hash(blue)
        assert netns.open_path("/run/netns/blue") == blue
        entries = netns.list()
        assert len(entries) == 1
        assert (entries[0].name, entries[0].id, entries[0].stale) == ("blue", None, False)
        assert entries[0].to_dict() == {"name": "blue", "id": None, "stale": False}
    assert blue.closed
    netns.delete("blue")
    assert netns.list() == []
    with pytest.raises(netns.NotFoundError):
        netns.open("blue")


def test_close_is_idempotent_and_closed_objects_refuse() -> None:
    ns = netns.add("c")
    fd = ns.fileno()
    assert os.readlink(f"/proc/self/fd/{fd}") == f"net:[{ns.inode}]"
    ns.close()
    ns.close()
    assert ns.closed
    with pytest.raises(ValueError):
        ns.fileno()
    with pytest.raises(ValueError):
        ns.run(lambda: None)
    with pytest.raises(ValueError):
        ns.handle()
    netns.delete("c")


def test_current_and_from_pid() -> None:
    assert netns.current().inode == os.stat("/proc/thread-self/ns/net").st_ino
    assert netns.open_pid(os.getpid()) == netns.current()
    with netns.add("p") as ns:
        child = subprocess.Popen(["sleep", "30"])
        inside = subprocess.Popen(["nsenter", f"--net=/run/netns/p", "sleep", "30"])
        try:
            assert netns.open_pid(child.pid) == netns.current()
            # nsenter execs sleep in p: wait until it has entered.
            for _ in range(200):
                if netns.open_pid(inside.pid) == ns:
                    break
                time.sleep(0.01)
            assert netns.open_pid(inside.pid) == ns
            assert netns.pids("p") == [inside.pid]
            assert netns.identify(inside.pid) == ["p"]
        finally:
            for proc in (child, inside):
                proc.kill()
                proc.wait()
        assert ns != netns.current()
    netns.delete("p")


def test_attach_identify_pids() -> None:
    ns = netns.attach("me", os.getpid())
    assert ns == netns.current()
    assert netns.identify() == ["me"]
    assert netns.identify(os.getpid()) == ["me"]
    assert os.getpid() in netns.pids("me")
    ns.close()
    netns.delete("me")
    assert netns.identify() == []


def test_exec_like_subprocess_run() -> None:
    with netns.temporary("x"):
        r = netns.exec("x", ["sh", "-c", "cat; echo err >&2; exit 3"], input=b"in", capture_output=True)
        assert isinstance(r, subprocess.CompletedProcess)
        assert (r.args, r.returncode, r.stdout, r.stderr) == (
            ["sh", "-c", "cat; echo err >&2; exit 3"],
            3,
            b"in",
            b"err\n",
        )
        with pytest.raises(subprocess.CalledProcessError) as failed:
            netns.exec("x", ["false"], check=True)
        assert failed.value.returncode == 1
        with pytest.raises(subprocess.TimeoutExpired):
            netns.exec("x", ["sleep", "10"], timeout=0.2)
        # The command sees the namespace: only lo.
        out = netns.exec("x", ["cat", "/proc/net/dev"], capture_output=True, text=True).stdout
        assert [l.split(":")[0].strip() for l in out.splitlines()[2:]] == ["lo"]
        killed = netns.exec("x", ["sh", "-c", "kill -9 $$"])
        assert killed.returncode == -9
        with pytest.raises(netns.NotFoundError):
            netns.exec("x", ["/nonexistent/program"])
        with pytest.raises(TypeError):
            netns.exec("x", "ls")  # type: ignore[arg-type]
    with pytest.raises(netns.NotFoundError):
        netns.exec("x", ["true"])


def test_temporary_deletes_even_on_error() -> None:
    with netns.temporary() as t:
        name = t.name
        assert name is not None and [e.name for e in netns.list()] == [name]
    assert netns.list() == [] and t.closed
    with pytest.raises(RuntimeError, match="boom"):
        with netns.temporary("tmp") as t:
            raise RuntimeError("boom")
    assert netns.list() == [] and t.closed


def test_set_id_and_list_ids() -> None:
    with netns.temporary("a"), netns.temporary("b"):
        netns.set_id("a", 7)
        netns.set_id("b")  # the kernel chooses
        ids = {e.name: e.id for e in netns.list()}
        assert ids["a"] == 7 and ids["b"] is not None and ids["b"] != 7
        assert {(e.nsid, e.name) for e in netns.list_ids()} >= {(7, "a")}
        with pytest.raises(netns.NetnsError) as e:
            netns.set_id("a", 8)
        assert e.value.kernel_message == "Peer netns already has a nsid assigned"


def test_monitor_reports_add_and_delete() -> None:
    with netns.monitor() as m:
        netns.add("m1").close()
        added = next(m)
        netns.delete("m1")
        deleted = next(m)
    assert (added.kind, added.name) == ("add", "m1")
    assert (deleted.kind, deleted.name) == ("delete", "m1")
    assert deleted.to_dict() == {"kind": "delete", "name": "m1"}
    with pytest.raises(StopIteration):
        next(m)  # closed: exhausted


def _unmount_run_dir(path: Path) -> None:
    # add() makes the run directory a shared bind mount, as ip netns does;
    # undo it so the temporary directory can be removed.
    subprocess.run(["umount", str(path)], check=True)


def test_custom_registry_directories() -> None:
    with tempfile.TemporaryDirectory(dir="/run") as d:
        reg = netns.Registry(run_dir=Path(d) / "ns", etc_dir=Path(d) / "etc")
        assert reg.run_dir == Path(d) / "ns"
        (Path(d) / "etc" / "r").mkdir(parents=True)
        (Path(d) / "etc" / "r" / "hostname").write_text("inside\n")
        with reg.add("r") as r:
            assert r.name == "r"
            assert [e.name for e in reg.list()] == ["r"]
            assert netns.list() == []  # not in the default registry
            out = reg.exec("r", ["cat", "/etc/hostname"], capture_output=True, text=True)
            assert out.stdout == "inside\n"
        reg.delete("r")
        assert reg.list() == []
        _unmount_run_dir(Path(d) / "ns")


def test_registry_honours_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with tempfile.TemporaryDirectory(dir="/run") as d:
        monkeypatch.setenv("NETNS_RUN_DIR", d + "/ns")
        netns.add("env").close()
        assert os.listdir(d + "/ns") == ["env"]
        netns.delete("env")
        assert os.listdir(d + "/ns") == []
        _unmount_run_dir(Path(d) / "ns")


def test_sysctl() -> None:
    # A new namespace copies ip_forward from the host's (a Docker host
    # forwards): both values are set here, not assumed.
    with open("/proc/sys/net/ipv4/ip_forward", "w") as f:
        f.write("0")
    with netns.temporary("s") as s:
        s.sysctl_set("net.ipv4.ip_forward", "0")
        assert s.sysctl_get("net.ipv4.ip_forward") == "0"
        s.sysctl_set("net.ipv4.ip_forward", "1")
        assert s.sysctl_get("net/ipv4/ip_forward") == "1"
        # The sandbox's own value is untouched.
        with open("/proc/sys/net/ipv4/ip_forward") as f:
            assert f.read().strip() == "0"


@pytest.mark.skipif(
    not sysconfig.get_config_var("Py_GIL_DISABLED"), reason="not a free-threaded interpreter"
)
def test_import_keeps_the_gil_disabled() -> None:
    # The native module declares gil_used = false: importing it on a
    # free-threaded interpreter must not turn the GIL back on.
    assert not sys._is_gil_enabled()  # type: ignore[attr-defined]


def test_delete_many_deletes_on_threads_and_checks_names_first() -> None:
    reg = netns.Registry()
    names = [f"tmany{i}" for i in range(12)]
    for n in names:
        netns.add(n).close()
    with pytest.raises(ValueError):
        reg.delete_many(["tmany0", "a/b"])
    assert "tmany0" in [e.name for e in netns.list()]
    assert reg.delete_many(names) == names
    assert not [e.name for e in netns.list() if e.name.startswith("tmany")]
    with pytest.raises(FileNotFoundError):
        reg.delete_many(["tmany1", "tmany2"])
    assert reg.delete_many([]) == []
