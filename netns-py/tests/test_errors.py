"""Every error mapping: netns-core's kinds become NetnsError subclasses that
are also the built-in exceptions users catch; bad input is ValueError before
the kernel, wrong types TypeError."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from typing import Callable

import pytest

import netns


def test_hierarchy() -> None:
    assert issubclass(netns.NetnsError, OSError)
    for cls, builtin in [
        (netns.AlreadyExistsError, FileExistsError),
        (netns.NotFoundError, FileNotFoundError),
        (netns.PermissionDeniedError, PermissionError),
        (netns.InvalidArgumentError, ValueError),
    ]:
        assert issubclass(cls, netns.NetnsError) and issubclass(cls, builtin)
    for cls in (netns.BusyError, netns.StaleError, netns.UnsupportedError):
        assert issubclass(cls, netns.NetnsError)
    assert netns.NetnsError.__module__ == "netns"


def test_already_exists() -> None:
    with netns.temporary("dup"):
        with pytest.raises(FileExistsError) as e:
            netns.add("dup")
    err = e.value
    assert isinstance(err, netns.AlreadyExistsError)
    assert err.errno == errno.EEXIST
    assert (err.operation, err.object) == ("add", 'network namespace "dup"')
    assert str(err) == '[Errno 17] cannot add network namespace "dup": already exists'


def test_already_exists_from_the_kernel(root_handle: netns.Handle) -> None:
    root_handle.bridge("tbr0")
    with pytest.raises(FileExistsError) as e:
        root_handle.bridge("tbr0")
    assert e.value.errno == errno.EEXIST
    root_handle.address_add("lo", "127.0.0.9/8")
    with pytest.raises(netns.AlreadyExistsError) as a:
        root_handle.address_add("lo", "127.0.0.9/8")
    assert a.value.kernel_message == "ipv4: Address already assigned"
    root_handle.address_del("lo", "127.0.0.9/8")


def test_not_found(root_handle: netns.Handle) -> None:
    cases: list[Callable[[], object]] = [
        lambda: netns.delete("nope"),
        lambda: netns.open("nope"),
        lambda: netns.pids("nope"),
        lambda: netns.open_pid(2**22 + 1),
        lambda: root_handle.link("tnope"),
        lambda: root_handle.link(9999),
        lambda: root_handle.link_delete("tnope"),
        lambda: root_handle.address_add("tnope", "10.0.0.1/24"),
        lambda: root_handle.address_del("lo", "10.77.0.1/24"),
        lambda: root_handle.route_del("10.77.0.0/16"),
    ]
    for case in cases:
        with pytest.raises(FileNotFoundError) as e:
            case()
        assert isinstance(e.value, netns.NotFoundError)
        assert e.value.errno in (errno.ENOENT, errno.ENODEV, errno.ESRCH, errno.EADDRNOTAVAIL)
    with pytest.raises(netns.NotFoundError) as a:
        root_handle.address_del("lo", "10.77.0.1/24")
    assert a.value.kernel_message == "ipv4: Address not found"


def test_permission_denied() -> None:
    # A child without capabilities (as nobody): the kernel refuses, and the
    # error is a PermissionError naming the capability.
    script = textwrap.dedent(
        """
        import netns
        for call in (lambda: netns.add("x"), lambda: netns.handle().bridge("tb")):
            try:
                call()
            except PermissionError as e:
                assert isinstance(e, netns.PermissionDeniedError), type(e)
                print(e.errno, e.operation, str(e))
        """
    )
    out = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
         "--bounding-set=-all", sys.executable, "-c", script],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    assert len(out) == 2, out
    assert out[0].startswith("1 add ") and "needs CAP_SYS_ADMIN" in out[0]
    assert out[1].startswith("1 add ") and "needs CAP_NET_ADMIN" in out[1]
    assert netns.list() == []


def test_bad_names_and_addresses_are_value_errors(root_handle: netns.Handle) -> None:
    bad: list[Callable[[], object]] = [
        lambda: netns.add(""),
        lambda: netns.add("a/b"),
        lambda: netns.add(".."),
        lambda: netns.add("x" * 256),
        lambda: netns.delete("a/b"),
        lambda: root_handle.bridge("name-too-long-for-ifnamsiz"),
        lambda: root_handle.bridge("bad name"),
        lambda: root_handle.address_add("lo", "10.1.1.300/24"),
        lambda: root_handle.address_add("lo", "10.1.1.1/33"),
        lambda: root_handle.route_add("default", via="not-an-ip"),
        lambda: root_handle.route_add("10.0.0.0/8", table="nosuchtable"),
        lambda: root_handle.veth("tv0", "tv1", mac="zz:00:00:00:00:00"),
        lambda: root_handle.link(0),
        lambda: netns.set_id("x", -1),
        lambda: root_handle.addresses(family="ipx"),
    ]
    for case in bad:
        with pytest.raises(ValueError):
            case()
    with pytest.raises(netns.InvalidArgumentError) as e:
        netns.add("a/b")
    assert e.value.errno == errno.EINVAL
    assert "cannot contain '/'" in str(e.value)
    assert [l.name for l in root_handle.links()] == ["lo"]  # nothing was created
    assert netns.list() == []


def test_wrong_types_are_type_errors(root_handle: netns.Handle) -> None:
    wrong: list[Callable[[], object]] = [
        lambda: netns.add(1),  # type: ignore[call-overload]
        lambda: netns.attach("x", "1"),  # type: ignore[arg-type]
        lambda: root_handle.link(1.5),  # type: ignore[arg-type]
        lambda: root_handle.address_add("lo", 42),  # type: ignore[arg-type]
        lambda: root_handle.link_set("lo", netns="netns1"),  # type: ignore[arg-type]
        lambda: root_handle.veth("tv0", "tv1", peer_netns="netns1"),  # type: ignore[arg-type]
        lambda: root_handle.route_add("default", table=1.5),  # type: ignore[arg-type]
        lambda: netns.exec("x", "ls"),  # type: ignore[arg-type]
    ]
    for case in wrong:
        with pytest.raises(TypeError):
            case()


def test_stale_entry() -> None:
    # What an interrupted add leaves: an empty file, mode 0, nothing mounted.
    os.close(os.open("/run/netns/stale", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o000))
    assert [(e.name, e.stale) for e in netns.list()] == [("stale", True)]
    with pytest.raises(netns.StaleError) as e:
        netns.open("stale")
    assert e.value.operation == "open"
    netns.add("stale").close()  # a stale file does not block the name
    assert [(e.name, e.stale) for e in netns.list()] == [("stale", False)]
    netns.delete("stale")


def test_a_users_file_is_refused_and_left() -> None:
    with open("/run/netns/mine", "w") as f:
        f.write("precious\n")
    try:
        with pytest.raises(FileExistsError) as e:
            netns.add("mine")
        assert "not an entry netns made" in str(e.value)
        with pytest.raises(ValueError):
            netns.delete("mine")
        with open("/run/netns/mine") as f:
            assert f.read() == "precious\n"
    finally:
        os.unlink("/run/netns/mine")


def test_busy(root_handle: netns.Handle) -> None:
    # Kernels before 6.x refuse to rename an interface that is up (EBUSY);
    # newer ones rename it live, and nothing else reachable from this API
    # returns EBUSY there, so the mapping is then checked by class only.
    root_handle.bridge("tbusy", up=True)
    try:
        root_handle.link_set("tbusy", name="tbusy2")
    except netns.BusyError as e:
        assert e.errno == errno.EBUSY
        assert (e.operation, e.object) == ("set", 'link "tbusy"')
    else:
        assert root_handle.link("tbusy2").up
        pytest.skip("this kernel renames interfaces that are up: no EBUSY to provoke")


def test_unsupported_or_created(root_handle: netns.Handle) -> None:
    # This kernel may lack the dummy driver: then the kernel's own words.
    try:
        root_handle.dummy("tdummy")
    except netns.UnsupportedError as e:
        assert e.errno == errno.EOPNOTSUPP
        assert e.kernel_message == "Unknown device type"
    else:
        assert root_handle.link("tdummy").kind == "dummy"


def test_kernel_refusal_carries_the_ext_ack_text(root_handle: netns.Handle) -> None:
    with pytest.raises(netns.NetnsError) as e:
        root_handle.route_add("default", via="10.9.9.9")
    err = e.value
    assert type(err) is netns.NetnsError
    assert err.errno == errno.ENETUNREACH
    assert err.kernel_message == "Nexthop has invalid gateway"
    assert (err.operation, err.object) == ("add", "route default via 10.9.9.9")
    assert "(kernel: Nexthop has invalid gateway)" in str(err)
    assert isinstance(err, OSError) and err.strerror == str(err).split("] ", 1)[1]
    assert os.strerror(err.errno) == "Network is unreachable"


@pytest.mark.parametrize("kernel", [False, True], ids=["syscall", "netlink"])
def test_every_errno_is_the_oserror_subclass_cpython_uses(kernel: bool) -> None:
    # The conversion itself, over the whole errno table: whatever netns's own
    # class, the exception is also what OSError(errno, ...) would be.
    for number, name in sorted(errno.errorcode.items()):
        err = netns._native._error_for_errno(number, kernel)
        cpython = type(OSError(number, "x"))
        assert isinstance(err, cpython), (name, type(err).__mro__, cpython)
        assert isinstance(err, netns.NetnsError), name
        assert err.errno == number, name
        assert type(err).__name__.endswith("Error") and type(err).__module__ == "netns"
        if number in (errno.EINVAL, errno.ERANGE):
            assert isinstance(err, netns.InvalidArgumentError), name
            assert isinstance(err, ValueError), name
    esrch = netns._native._error_for_errno(errno.ESRCH, False)
    assert isinstance(esrch, ProcessLookupError) and isinstance(esrch, netns.NotFoundError)
    assert type(esrch).__name__ == "NotFoundError"
    # One class per pair, made once.
    assert type(esrch) is type(netns._native._error_for_errno(errno.ESRCH, True))


def test_a_process_that_does_not_exist_is_process_lookup_error() -> None:
    with pytest.raises(ProcessLookupError) as e:
        netns.attach("tnoproc", 2**22 + 1)
    assert isinstance(e.value, netns.NotFoundError)
    assert e.value.errno == errno.ESRCH
    assert netns.list() == []


def test_kernel_einval_is_a_value_error_as_ours_is(root_handle: netns.Handle) -> None:
    # The kernel refuses the MTU of a bridge (EINVAL): the same class as an
    # argument refused before the kernel.
    root_handle.bridge("tmtu")
    with pytest.raises(ValueError) as e:
        root_handle.link_set("tmtu", mtu=70000)
    assert isinstance(e.value, netns.InvalidArgumentError)
    assert e.value.errno == errno.EINVAL
    assert e.value.kernel_message is not None
    assert 'link "tmtu"' in str(e.value)


def test_open_path_on_a_file_that_is_not_a_namespace(tmp_path: "os.PathLike[str]") -> None:
    path = os.path.join(os.fspath(tmp_path), "plain")
    with open(path, "w") as f:
        f.write("x\n")
    for p in (path, "/proc/self/status"):
        with pytest.raises(netns.InvalidArgumentError) as e:
            netns.open_path(p)
        assert e.value.errno == errno.EINVAL
        assert str(e.value) == (
            f'[Errno 22] cannot open network namespace file "{p}": '
            "Invalid argument: not a network namespace file"
        )


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes are Python 3.11+")
def test_an_int_out_of_range_is_an_overflow_error_naming_the_argument() -> None:
    # Refused while the arguments are converted, before anything is made; the
    # argument is named in the exception's note (shown in the traceback).
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: netns.Veth("tv0", "tv1", mtu=-1), "mtu"),
        (lambda: netns.Veth("tv0", "tv1", peer_mtu=2**40), "peer_mtu"),
        (lambda: netns.Bridge("tbr0", txqlen=2**70), "txqlen"),
        (lambda: netns.Vxlan("tvx0", 2**33), "vni"),
    ]
    for case, name in cases:
        with pytest.raises(OverflowError) as e:
            case()
        assert f"while processing '{name}'" in getattr(e.value, "__notes__", []), name
