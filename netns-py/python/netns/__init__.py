"""Linux network namespaces, links, addresses and routes.

``ip netns`` semantics (same ``/run/netns``, same names) without its sharp
edges: the calling thread never changes namespace (work inside one runs on a
short-lived dedicated thread), every blocking call releases the GIL, and
errors carry the kernel's own extended-ack text.

    import netns

    with netns.temporary("blue") as blue:
        with netns.handle() as h:
            h.veth("veth0", "eth0", peer_netns=blue)
            h.address_add("veth0", "10.1.1.2/24")
            h.link_set("veth0", up=True)
        with blue.handle() as h:
            h.link_set("lo", up=True)
            h.address_add("eth0", "10.1.1.1/24")
            h.link_set("eth0", up=True)
        netns.exec("blue", ["ping", "-c1", "10.1.1.2"], check=True)

Many namespaces, fast: ``netns.add(name, handle=True)`` (namespace and
handle from one thread), ``Handle.links_add([Veth(...), Bridge(...)])``
(one batch; returns the indexes the kernel gave, veth peers included),
``Handle.links_set(devs, up=True)`` and ``Handle.addresses_add([(dev,
address), ...])`` (batches; an ``int`` dev is an index and needs no lookup);
``Handle.links_set(devs, group=N)`` then ``Handle.link_delete_group(N)``
deletes them all with one message.

Links of every kind the kernel here has: ``Handle.link_add(spec)`` or
``Handle.links_add([spec, ...])`` with ``Veth``, ``Bridge``, ``MacVlan``,
``Vxlan``, ``Ifb`` or ``Dummy`` specs (subclasses of ``LinkSpec``).

The module-level functions use the default registry (``/run/netns`` and
``/etc/netns``, or ``$NETNS_RUN_DIR`` and ``$NETNS_ETC_DIR``); ``Registry``
takes other directories.

Errors are ``NetnsError`` (an ``OSError``) with ``errno``,
``kernel_message``, ``operation`` and ``object``; its subclasses are also
the built-in exceptions one expects (``AlreadyExistsError`` is a
``FileExistsError``, ``NotFoundError`` a ``FileNotFoundError``,
``PermissionDeniedError`` a ``PermissionError``, ``InvalidArgumentError`` a
``ValueError``). An argument the kernel refuses (``EINVAL``, ``ERANGE``) is
an ``InvalidArgumentError`` too, and every exception is also the ``OSError``
subclass CPython picks for its errno (``ESRCH``: ``ProcessLookupError``).
Arguments of the wrong type raise ``TypeError``; an integer out of range
``OverflowError``. ``netns.__version__`` is the package's version.
A listing whose kernel dump kept changing on every attempt is returned with
an ``InconsistentDumpWarning`` (a ``RuntimeWarning``), as ``ip`` prints "Dump
was interrupted and may be inconsistent".
"""

from __future__ import annotations

import builtins
import contextlib
import os
import secrets
import subprocess
from typing import Any, Iterator, Literal, Mapping, Optional, Sequence, Tuple, Union, overload

from netns._native import (
    __version__,
    Address,
    AlreadyExistsError,
    Bridge,
    BusyError,
    CreatedLink,
    Dummy,
    Handle,
    IdEntry,
    Ifb,
    InconsistentDumpWarning,
    InvalidArgumentError,
    Link,
    LinkSpec,
    MacVlan,
    Monitor,
    MonitorEvent,
    Namespace,
    NamespaceEntry,
    NetnsError,
    NextHop,
    NotFoundError,
    PermissionDeniedError,
    Registry,
    Route,
    StaleError,
    UnsupportedError,
    Veth,
    Vxlan,
    current,
    handle,
    handles,
    open_path,
    open_pid,
)

__all__ = [
    "__version__",
    "Address",
    "AlreadyExistsError",
    "Bridge",
    "BusyError",
    "CreatedLink",
    "Dummy",
    "Handle",
    "IdEntry",
    "Ifb",
    "InconsistentDumpWarning",
    "InvalidArgumentError",
    "Link",
    "LinkSpec",
    "MacVlan",
    "Monitor",
    "MonitorEvent",
    "Namespace",
    "NamespaceEntry",
    "NetnsError",
    "NextHop",
    "NotFoundError",
    "PermissionDeniedError",
    "Registry",
    "Route",
    "StaleError",
    "UnsupportedError",
    "Veth",
    "Vxlan",
    "add",
    "attach",
    "current",
    "delete",
    "exec",
    "handle",
    "handles",
    "identify",
    "list",
    "list_ids",
    "monitor",
    "open",
    "open_path",
    "open_pid",
    "pids",
    "set_id",
    "temporary",
]

_Arg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


def _registry() -> Registry:
    # Built per call, so $NETNS_RUN_DIR / $NETNS_ETC_DIR changes are honoured.
    return Registry()


@overload
def add(name: str, *, handle: Literal[False] = False) -> Namespace: ...
@overload
def add(name: str, *, handle: Literal[True]) -> Tuple[Namespace, Handle]: ...
def add(name: str, *, handle: bool = False) -> Union[Namespace, Tuple[Namespace, Handle]]:
    """Creates a network namespace named *name* (as ``ip netns add``) and returns it open.

    With ``handle=True``, returns ``(namespace, handle)``: an rtnetlink
    ``Handle`` inside the new namespace, opened on the same short-lived
    thread that created it (``Registry.add_with_handle``): the fast way to
    create and configure many namespaces, e.g. from a thread per core::

        ns, h = netns.add("pod1", handle=True)
        with h:
            h.link_set("lo", up=True)
            (veth,) = h.links_add([netns.Veth("eth0", "vpod1", netns.current(), up=True)])
        # veth.peer: vpod1's index in the caller's namespace (no lookup)

    Raises ``AlreadyExistsError`` (a ``FileExistsError``) if the name is taken,
    ``InvalidArgumentError`` (a ``ValueError``) for a bad name; nothing is left
    behind on failure.
    """
    if handle:
        return _registry().add_with_handle(name)
    return _registry().add(name)


def attach(name: str, pid: int) -> Namespace:
    """Names the network namespace of process *pid* (as ``ip netns attach``)."""
    return _registry().attach(name, pid)


def delete(name: str) -> None:
    """Removes the name *name* (as ``ip netns delete``).

    The namespace itself lives on while processes or open ``Namespace``
    objects use it. Raises ``NotFoundError`` if there is no such name.
    """
    _registry().delete(name)


def open(name: str) -> Namespace:  # noqa: A001 - the natural name, as os.open
    """Opens the namespace named *name*."""
    return _registry().open(name)


def list() -> builtins.list[NamespaceEntry]:  # noqa: A001
    """Every named namespace, sorted: ``NamespaceEntry(name, id, stale)``."""
    return _registry().list()


def list_ids(
    *, target_nsid: Optional[int] = None, nsid: Optional[int] = None
) -> builtins.list[IdEntry]:
    """The nsids known in the caller's namespace (as ``ip netns list-id``)."""
    return _registry().list_ids(target_nsid=target_nsid, nsid=nsid)


def set_id(name: str, id: Optional[int] = None) -> None:  # noqa: A002
    """Assigns nsid *id* to namespace *name* (``None``: the kernel chooses)."""
    _registry().set_id(name, id)


def identify(pid: Optional[int] = None) -> builtins.list[str]:
    """The names of the namespace of process *pid* (the calling thread's when ``None``)."""
    return _registry().identify(pid)


def pids(name: str, *, threads: bool = False) -> builtins.list[int]:
    """The processes in namespace *name* (thread ids too with *threads*)."""
    return _registry().pids(name, threads=threads)


def monitor() -> Monitor:
    """An iterator of ``MonitorEvent(kind, name)``: names added (once mounted) and deleted.

    ``next()`` blocks, with the GIL released, until something happens; a
    Ctrl-C (any signal with a Python handler) is handled while it waits, and
    ``close()`` from another thread ends it (``StopIteration``).
    ``wait_event(timeout)`` waits at most *timeout* seconds (``None`` when
    nothing came).
    """
    return _registry().monitor()


@overload
def exec(  # noqa: A001
    name: str,
    argv: Sequence[_Arg],
    *,
    capture_output: bool = False,
    check: bool = False,
    input: Optional[bytes] = None,  # noqa: A002
    timeout: Optional[float] = None,
    text: Literal[False] = False,
    env: Optional[Union[Mapping[str, str], Mapping[bytes, bytes]]] = None,
) -> "subprocess.CompletedProcess[bytes]": ...
@overload
def exec(  # noqa: A001
    name: str,
    argv: Sequence[_Arg],
    *,
    capture_output: bool = False,
    check: bool = False,
    input: Optional[str] = None,  # noqa: A002
    timeout: Optional[float] = None,
    text: Literal[True],
    env: Optional[Union[Mapping[str, str], Mapping[bytes, bytes]]] = None,
) -> "subprocess.CompletedProcess[str]": ...
@overload
def exec(  # noqa: A001
    name: str,
    argv: Sequence[_Arg],
    *,
    capture_output: bool = False,
    check: bool = False,
    input: Optional[Union[bytes, str]] = None,  # noqa: A002
    timeout: Optional[float] = None,
    text: bool = False,
    env: Optional[Union[Mapping[str, str], Mapping[bytes, bytes]]] = None,
) -> "subprocess.CompletedProcess[Any]": ...
def exec(  # noqa: A001 - as `ip netns exec`
    name: str,
    argv: Sequence[_Arg],
    *,
    capture_output: bool = False,
    check: bool = False,
    input: Optional[Union[bytes, str]] = None,  # noqa: A002 - as subprocess.run
    timeout: Optional[float] = None,
    text: bool = False,
    env: Optional[Union[Mapping[str, str], Mapping[bytes, bytes]]] = None,
) -> "subprocess.CompletedProcess[Any]":
    """Runs *argv* inside namespace *name*, as ``ip netns exec``, like ``subprocess.run``.

    The child enters the namespace, gets a private mount namespace with the
    namespace's ``/sys`` and the files of ``/etc/netns/NAME/`` bound over
    ``/etc``; the caller's threads never move. Returns a
    ``subprocess.CompletedProcess``; *capture_output* collects stdout and
    stderr (as ``bytes``, or ``str`` with *text*), *input* is fed to stdin,
    *timeout* kills the child and raises ``subprocess.TimeoutExpired``, and
    *check* raises ``subprocess.CalledProcessError`` on a non-zero status.
    *env*, as in ``subprocess.run``, is the child's whole environment (a
    mapping of names to values; ``None`` inherits the caller's).
    """
    args = [os.fsdecode(a) for a in argv] if not isinstance(argv, (str, bytes)) else argv
    return _registry().exec(
        name,
        args,
        capture_output=capture_output,
        check=check,
        input=input,
        timeout=timeout,
        text=text,
        env=env,
    )


@contextlib.contextmanager
def temporary(name: Optional[str] = None) -> Iterator[Namespace]:
    """A context manager: a new named namespace, deleted (and closed) on exit.

    *name* defaults to a fresh ``tmp-XXXXXXXX``. The namespace is deleted even
    when an exception passes through the ``with`` block.
    """
    registry = _registry()
    if name is None:
        name = "tmp-" + secrets.token_hex(4)
    ns = registry.add(name)
    try:
        yield ns
    finally:
        try:
            ns.close()
        finally:
            registry.delete(name)


# Neighbours, rules, events, tun/tap, statistics and topologies (issue 14).
from netns._native import (  # noqa: E402
    Event,
    FdbEntry,
    LinkStats,
    Neighbour,
    Nexthop,
    Rule,
    Subscription,
    TunTap,
    subscribe,
    tuntap_add,
)
from netns import topology  # noqa: E402

__all__ += [
    "Event",
    "FdbEntry",
    "LinkStats",
    "Neighbour",
    "Nexthop",
    "Rule",
    "Subscription",
    "TunTap",
    "subscribe",
    "topology",
    "tuntap_add",
]
