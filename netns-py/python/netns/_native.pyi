"""Type stubs of the private extension module ``netns._native`` (use ``netns``)."""

import builtins
import ipaddress
import os
import subprocess
from pathlib import Path
from types import TracebackType
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
    Union,
    final,
    overload,
)

from typing_extensions import ParamSpec, Self, disjoint_base

__version__: str

__all__ = [
    "__version__",
    "_error_for_errno",
    "Address",
    "AlreadyExistsError",
    "Bridge",
    "BusyError",
    "CreatedLink",
    "Dummy",
    "FdbEntry",
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
    "current",
    "handle",
    "handles",
    "open_path",
    "open_pid",
    "Event",
    "LinkStats",
    "Neighbour",
    "Nexthop",
    "Rule",
    "Subscription",
    "TunTap",
    "subscribe",
    "topology_apply",
    "topology_check",
    "topology_destroy",
    "topology_status",
    "tuntap_add",
]

_P = ParamSpec("_P")
_T = TypeVar("_T")
_Dev = Union[str, int]
# An address as text, or an ipaddress object (an interface or network gives
# its prefix length too).
_Ip = Union[
    str,
    ipaddress.IPv4Address,
    ipaddress.IPv6Address,
    ipaddress.IPv4Interface,
    ipaddress.IPv6Interface,
    ipaddress.IPv4Network,
    ipaddress.IPv6Network,
]
_Table = Union[str, int]
_Named = Union[str, int]  # a name as ip prints it, or a number
_Lifetime = Union[int, str]  # seconds, or 'forever'
_StrPath = Union[str, "os.PathLike[str]"]

# ----- errors ---------------------------------------------------------------

class NetnsError(OSError):
    """A failed netns operation."""

    kernel_message: Optional[str]
    operation: str
    object: str
    batch_index: Optional[int]

class AlreadyExistsError(NetnsError, FileExistsError): ...
class NotFoundError(NetnsError, FileNotFoundError): ...
class PermissionDeniedError(NetnsError, PermissionError): ...
class InvalidArgumentError(NetnsError, ValueError): ...
class BusyError(NetnsError): ...
class StaleError(NetnsError): ...
class UnsupportedError(NetnsError): ...

class InconsistentDumpWarning(RuntimeWarning):
    """Warned (``warnings.warn``) by ``links()``, ``addresses()``,
    ``links_and_addresses()``, ``routes()`` and ``Registry.list_ids()`` when
    the kernel interrupted the dump on every attempt: the result is the last
    attempt's and may be inconsistent."""

# ----- results --------------------------------------------------------------

@final
class NamespaceEntry:
    @property
    def name(self) -> str: ...
    @property
    def id(self) -> Optional[int]: ...
    @property
    def stale(self) -> bool: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class IdEntry:
    @property
    def nsid(self) -> int: ...
    @property
    def current_nsid(self) -> Optional[int]: ...
    @property
    def name(self) -> Optional[str]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class MonitorEvent:
    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Link:
    @property
    def index(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> Optional[str]: ...
    @property
    def up(self) -> bool: ...
    @property
    def flags(self) -> int: ...
    @property
    def operstate(self) -> str: ...
    @property
    def mtu(self) -> Optional[int]: ...
    @property
    def mac(self) -> Optional[str]: ...
    @property
    def master(self) -> Optional[int]: ...
    @property
    def link(self) -> Optional[int]: ...
    @property
    def link_netnsid(self) -> Optional[int]: ...
    @property
    def txqlen(self) -> Optional[int]: ...
    @property
    def carrier(self) -> Optional[bool]: ...
    @property
    def qdisc(self) -> Optional[str]: ...
    @property
    def alias(self) -> Optional[str]: ...
    @property
    def group(self) -> Optional[int]: ...
    @property
    def promiscuity(self) -> Optional[int]: ...
    @property
    def stats(self) -> Optional[LinkStats]: ...
    @property
    def altnames(self) -> List[str]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Address:
    @property
    def index(self) -> int: ...
    @property
    def dev(self) -> Optional[str]: ...
    @property
    def family(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def prefixlen(self) -> int: ...
    @property
    def cidr(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def label(self) -> Optional[str]: ...
    @property
    def broadcast(self) -> Optional[str]: ...
    @property
    def flags(self) -> int: ...
    @property
    def metric(self) -> Optional[int]: ...
    @property
    def peer(self) -> Optional[str]: ...
    @property
    def valid_lft(self) -> Optional[int]: ...
    @property
    def preferred_lft(self) -> Optional[int]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class FdbEntry:
    @property
    def mac(self) -> str: ...
    @property
    def dev(self) -> Optional[str]: ...
    @property
    def ifindex(self) -> int: ...
    @property
    def dst(self) -> Optional[str]: ...
    @property
    def vlan(self) -> Optional[int]: ...
    @property
    def port(self) -> Optional[int]: ...
    @property
    def vni(self) -> Optional[int]: ...
    @property
    def master(self) -> Optional[str]: ...
    @property
    def state(self) -> str: ...
    @property
    def flags(self) -> List[str]: ...
    @property
    def line(self) -> str: ...
    def __str__(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Route:
    @property
    def family(self) -> str: ...
    @property
    def dst(self) -> str: ...
    @property
    def gateway(self) -> Optional[str]: ...
    @property
    def dev(self) -> Optional[str]: ...
    @property
    def oif(self) -> Optional[int]: ...
    @property
    def table(self) -> int: ...
    @property
    def protocol(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def metric(self) -> Optional[int]: ...
    @property
    def prefsrc(self) -> Optional[str]: ...
    @property
    def nexthops(self) -> List[NextHop]: ...
    @property
    def mtu(self) -> Optional[int]: ...
    @property
    def advmss(self) -> Optional[int]: ...
    @property
    def nhid(self) -> Optional[int]: ...
    @property
    def onlink(self) -> bool: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class NextHop:
    """One path of a multipath route (``nexthop via GW dev X weight N onlink``)."""

    def __new__(
        cls, via: Optional[_Ip] = None, dev: Optional[_Dev] = None, *, weight: int = 1, onlink: bool = False
    ) -> Self: ...
    @property
    def via(self) -> Optional[str]: ...
    @property
    def dev(self) -> Optional[str]: ...
    @property
    def oif(self) -> Optional[int]: ...
    @property
    def weight(self) -> int: ...
    @property
    def onlink(self) -> bool: ...
    @property
    def flags(self) -> int: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

# ----- namespaces -----------------------------------------------------------

@final
class Namespace:
    """An open network namespace (a file descriptor on it)."""

    @property
    def name(self) -> Optional[str]: ...
    @property
    def inode(self) -> int: ...
    @property
    def device(self) -> int: ...
    @property
    def closed(self) -> bool: ...
    def fileno(self) -> int: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        *_exc: Union[Optional[type[BaseException]], Optional[BaseException], Optional[TracebackType]],
    ) -> Literal[False]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def run(self, func: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T: ...
    def handle(self) -> Handle: ...
    def sysctl_get(self, key: str) -> str: ...
    def sysctl_set(self, key: str, value: str) -> None: ...
    def subscribe(self, groups: Union[str, Iterable[str]]) -> Subscription: ...
    def tuntap_add(
        self,
        name: str,
        mode: str,
        *,
        owner: Optional[int] = None,
        group: Optional[int] = None,
        persist: bool = True,
        pi: bool = False,
        vnet_hdr: bool = False,
        multi_queue: bool = False,
    ) -> Tuple[str, Optional[int]]: ...

def open_path(path: _StrPath) -> Namespace: ...
def _error_for_errno(errno: int, kernel: bool) -> NetnsError: ...  # for the tests
def open_pid(pid: int) -> Namespace: ...
def current() -> Namespace: ...

@final
class Monitor:
    def __iter__(self) -> Self: ...
    def __next__(self) -> MonitorEvent: ...
    def wait_event(self, timeout: Optional[float] = None) -> Optional[MonitorEvent]: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        *_exc: Union[Optional[type[BaseException]], Optional[BaseException], Optional[TracebackType]],
    ) -> Literal[False]: ...

@final
class Registry:
    def __new__(
        cls, run_dir: Optional[_StrPath] = None, etc_dir: Optional[_StrPath] = None
    ) -> Registry: ...
    @property
    def run_dir(self) -> Path: ...
    @property
    def etc_dir(self) -> Path: ...
    def add(self, name: str) -> Namespace: ...
    def add_with_handle(self, name: str) -> Tuple[Namespace, Handle]: ...
    def attach(self, name: str, pid: int) -> Namespace: ...
    def delete(self, name: str) -> None: ...
    def delete_many(self, names: Sequence[str]) -> List[str]: ...
    def open(self, name: str) -> Namespace: ...
    def list(self) -> List[NamespaceEntry]: ...
    def list_ids(
        self, *, target_nsid: Optional[int] = None, nsid: Optional[int] = None
    ) -> List[IdEntry]: ...
    def set_id(self, name: str, id: Optional[int] = None) -> None: ...
    def identify(self, pid: Optional[int] = None) -> List[str]: ...
    def pids(self, name: str, *, threads: bool = False) -> List[int]: ...
    def monitor(self) -> Monitor: ...
    @overload
    def exec(
        self,
        name: str,
        argv: Sequence[str],
        *,
        capture_output: bool = False,
        check: bool = False,
        input: Optional[bytes] = None,
        timeout: Optional[float] = None,
        text: Literal[False] = False,
        env: Optional[Union[Mapping[str, str], Mapping[bytes, bytes]]] = None,
    ) -> subprocess.CompletedProcess[bytes]: ...
    @overload
    def exec(
        self,
        name: str,
        argv: Sequence[str],
        *,
        capture_output: bool = False,
        check: bool = False,
        input: Optional[str] = None,
        timeout: Optional[float] = None,
        text: Literal[True],
        env: Optional[Union[Mapping[str, str], Mapping[bytes, bytes]]] = None,
    ) -> subprocess.CompletedProcess[str]: ...
    @overload
    def exec(
        self,
        name: str,
        argv: Sequence[str],
        *,
        capture_output: bool = False,
        check: bool = False,
        input: Optional[Union[bytes, str]] = None,
        timeout: Optional[float] = None,
        text: bool = False,
        env: Optional[Union[Mapping[str, str], Mapping[bytes, bytes]]] = None,
    ) -> subprocess.CompletedProcess[Any]: ...

# ----- links, addresses, routes ---------------------------------------------

@final
class CreatedLink:
    @property
    def index(self) -> Optional[int]: ...
    @property
    def peer(self) -> Optional[int]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@disjoint_base
class LinkSpec:
    """A link to create with ``Handle.link_add`` or ``Handle.links_add``."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def up(self) -> bool: ...

@final
class Veth(LinkSpec):
    """A veth pair; ``up=True`` brings up ``name`` only (the peer is created down)."""

    def __new__(
        cls,
        name: str,
        peer: str,
        peer_netns: Optional[Namespace] = None,
        *,
        peer_mtu: Optional[int] = None,
        peer_mac: Optional[str] = None,
        peer_group: Optional[int] = None,
        mtu: Optional[int] = None,
        mac: Optional[str] = None,
        txqlen: Optional[int] = None,
        master: Optional[_Dev] = None,
        group: Optional[int] = None,
        netns: Optional[Namespace] = None,
        up: bool = False,
    ) -> Veth: ...
    @property
    def peer(self) -> str: ...

@final
class Bridge(LinkSpec):
    """A bridge."""

    def __new__(
        cls,
        name: str,
        *,
        mtu: Optional[int] = None,
        mac: Optional[str] = None,
        txqlen: Optional[int] = None,
        master: Optional[_Dev] = None,
        group: Optional[int] = None,
        netns: Optional[Namespace] = None,
        up: bool = False,
    ) -> Bridge: ...

@final
class Dummy(LinkSpec):
    """A dummy device."""

    def __new__(
        cls,
        name: str,
        *,
        mtu: Optional[int] = None,
        mac: Optional[str] = None,
        txqlen: Optional[int] = None,
        master: Optional[_Dev] = None,
        group: Optional[int] = None,
        netns: Optional[Namespace] = None,
        up: bool = False,
    ) -> Dummy: ...

@final
class Ifb(LinkSpec):
    """An intermediate functional block device."""

    def __new__(
        cls,
        name: str,
        *,
        mtu: Optional[int] = None,
        mac: Optional[str] = None,
        txqlen: Optional[int] = None,
        master: Optional[_Dev] = None,
        group: Optional[int] = None,
        netns: Optional[Namespace] = None,
        up: bool = False,
    ) -> Ifb: ...

@final
class MacVlan(LinkSpec):
    """A macvlan on a parent device."""

    def __new__(
        cls,
        name: str,
        parent: _Dev,
        mode: str = "bridge",
        *,
        mtu: Optional[int] = None,
        mac: Optional[str] = None,
        txqlen: Optional[int] = None,
        master: Optional[_Dev] = None,
        group: Optional[int] = None,
        netns: Optional[Namespace] = None,
        up: bool = False,
    ) -> MacVlan: ...

@final
class Vxlan(LinkSpec):
    """A vxlan device."""

    def __new__(
        cls,
        name: str,
        vni: int,
        *,
        remote: Optional[_Ip] = None,
        local: Optional[_Ip] = None,
        parent: Optional[_Dev] = None,
        port: Optional[int] = None,
        ttl: Optional[int] = None,
        learning: Optional[bool] = None,
        mtu: Optional[int] = None,
        mac: Optional[str] = None,
        txqlen: Optional[int] = None,
        master: Optional[_Dev] = None,
        group: Optional[int] = None,
        netns: Optional[Namespace] = None,
        up: bool = False,
    ) -> Vxlan: ...
    @property
    def vni(self) -> int: ...

@final
class Handle:
    """An rtnetlink handle bound to one network namespace."""

    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        *_exc: Union[Optional[type[BaseException]], Optional[BaseException], Optional[TracebackType]],
    ) -> Literal[False]: ...
    def links(self) -> List[Link]: ...
    def link(self, dev: _Dev) -> Link: ...
    def link_index(self, name: str) -> int: ...
    def link_add(self, spec: LinkSpec, *, exist_ok: bool = False) -> CreatedLink: ...
    def veth(
        self,
        name: str,
        peer: str,
        peer_netns: Optional[Namespace] = None,
        *,
        netns: Optional[Namespace] = None,
        mtu: Optional[int] = None,
        peer_mtu: Optional[int] = None,
        mac: Optional[str] = None,
        peer_mac: Optional[str] = None,
        up: bool = False,
    ) -> None: ...
    def bridge(
        self, name: str, *, mtu: Optional[int] = None, mac: Optional[str] = None, up: bool = False
    ) -> None: ...
    def dummy(
        self, name: str, *, mtu: Optional[int] = None, mac: Optional[str] = None, up: bool = False
    ) -> None: ...
    def link_set(
        self,
        dev: _Dev,
        *,
        up: Optional[bool] = None,
        mtu: Optional[int] = None,
        name: Optional[str] = None,
        mac: Optional[str] = None,
        master: Optional[_Dev] = None,
        nomaster: bool = False,
        txqlen: Optional[int] = None,
        group: Optional[int] = None,
        netns: Optional[Union[Namespace, int]] = None,
        arp: Optional[bool] = None,
        multicast: Optional[bool] = None,
        allmulticast: Optional[bool] = None,
        promisc: Optional[bool] = None,
        dynamic: Optional[bool] = None,
        trailers: Optional[bool] = None,
    ) -> None: ...
    def links_add(self, links: Iterable[LinkSpec]) -> List[CreatedLink]: ...
    def links_set(
        self, devs: Iterable[_Dev], *, up: Optional[bool] = None, group: Optional[int] = None
    ) -> None: ...
    def addresses_add(self, addresses: Iterable[Tuple[_Dev, _Ip]]) -> None: ...
    def link_delete(self, dev: _Dev, *, missing_ok: bool = False) -> bool: ...
    def link_delete_group(self, group: int) -> None: ...
    def link_set_alias(self, dev: _Dev, alias: str) -> None: ...
    def link_set_promisc(self, dev: _Dev, on: bool) -> None: ...
    def bridge_port_set_hairpin(self, dev: _Dev, on: bool) -> None: ...
    def link_altname_add(self, dev: _Dev, altname: str) -> None: ...
    def link_altname_del(self, dev: _Dev, altname: str) -> None: ...
    def link_set_type(self, dev: _Dev, kind: str, words: List[str] = ...) -> None: ...
    def bridge_port_set(self, dev: _Dev, **settings: Union[bool, int]) -> None: ...
    def bridge_port(self, dev: _Dev) -> Optional[Dict[str, Union[bool, int]]]: ...
    def link_stats_text(self, dev: _Dev, level: int = 1) -> str: ...
    def address_add(
        self,
        dev: _Dev,
        address: _Ip,
        *,
        broadcast: Optional[_Ip] = None,
        scope: Optional[_Named] = None,
        label: Optional[str] = None,
        metric: Optional[int] = None,
        flags: int = 0,
        peer: Optional[_Ip] = None,
        valid_lft: Optional[_Lifetime] = None,
        preferred_lft: Optional[_Lifetime] = None,
        exist_ok: bool = False,
    ) -> bool: ...
    def address_replace(
        self,
        dev: _Dev,
        address: _Ip,
        *,
        broadcast: Optional[_Ip] = None,
        scope: Optional[_Named] = None,
        label: Optional[str] = None,
        metric: Optional[int] = None,
        flags: int = 0,
        peer: Optional[_Ip] = None,
        valid_lft: Optional[_Lifetime] = None,
        preferred_lft: Optional[_Lifetime] = None,
    ) -> None: ...
    def address_del(
        self, dev: _Dev, address: _Ip, *, peer: Optional[_Ip] = None, missing_ok: bool = False
    ) -> bool: ...
    def address_flush(self, dev: _Dev, *, family: Optional[str] = None) -> int: ...
    def addresses(self, dev: Optional[_Dev] = None, *, family: Optional[str] = None) -> List[Address]: ...
    def links_and_addresses(self) -> Tuple[List[Link], List[Address]]: ...
    def routes(
        self,
        *,
        table: Optional[_Table] = None,
        family: Optional[str] = None,
        dev: Optional[_Dev] = None,
        via: Optional[_Ip] = None,
        src: Optional[_Ip] = None,
        protocol: Optional[_Named] = None,
        scope: Optional[_Named] = None,
        kind: Optional[_Named] = None,
        metric: Optional[int] = None,
        root: Optional[_Ip] = None,
        match: Optional[_Ip] = None,
        exact: Optional[_Ip] = None,
    ) -> List[Route]: ...
    def route_add(
        self,
        dst: _Ip,
        *,
        via: Optional[_Ip] = None,
        dev: Optional[_Dev] = None,
        table: Optional[_Table] = None,
        metric: Optional[int] = None,
        src: Optional[_Ip] = None,
        scope: Optional[_Named] = None,
        protocol: Optional[_Named] = None,
        kind: Optional[_Named] = None,
        family: Optional[str] = None,
        nexthops: Optional[Iterable[NextHop]] = None,
        onlink: bool = False,
        mtu: Optional[int] = None,
        advmss: Optional[int] = None,
        nhid: Optional[int] = None,
        exist_ok: bool = False,
    ) -> bool: ...
    def route_replace(
        self,
        dst: _Ip,
        *,
        via: Optional[_Ip] = None,
        dev: Optional[_Dev] = None,
        table: Optional[_Table] = None,
        metric: Optional[int] = None,
        src: Optional[_Ip] = None,
        scope: Optional[_Named] = None,
        protocol: Optional[_Named] = None,
        kind: Optional[_Named] = None,
        family: Optional[str] = None,
        nexthops: Optional[Iterable[NextHop]] = None,
        onlink: bool = False,
        mtu: Optional[int] = None,
        advmss: Optional[int] = None,
        nhid: Optional[int] = None,
    ) -> None: ...
    def route_change(
        self,
        dst: _Ip,
        *,
        via: Optional[_Ip] = None,
        dev: Optional[_Dev] = None,
        table: Optional[_Table] = None,
        metric: Optional[int] = None,
        src: Optional[_Ip] = None,
        scope: Optional[_Named] = None,
        protocol: Optional[_Named] = None,
        kind: Optional[_Named] = None,
        family: Optional[str] = None,
        nexthops: Optional[Iterable[NextHop]] = None,
        onlink: bool = False,
        mtu: Optional[int] = None,
        advmss: Optional[int] = None,
        nhid: Optional[int] = None,
    ) -> None: ...
    def route_append(
        self,
        dst: _Ip,
        *,
        via: Optional[_Ip] = None,
        dev: Optional[_Dev] = None,
        table: Optional[_Table] = None,
        metric: Optional[int] = None,
        src: Optional[_Ip] = None,
        scope: Optional[_Named] = None,
        protocol: Optional[_Named] = None,
        kind: Optional[_Named] = None,
        family: Optional[str] = None,
        nexthops: Optional[Iterable[NextHop]] = None,
        onlink: bool = False,
        mtu: Optional[int] = None,
        advmss: Optional[int] = None,
        nhid: Optional[int] = None,
    ) -> None: ...
    def route_prepend(
        self,
        dst: _Ip,
        *,
        via: Optional[_Ip] = None,
        dev: Optional[_Dev] = None,
        table: Optional[_Table] = None,
        metric: Optional[int] = None,
        src: Optional[_Ip] = None,
        scope: Optional[_Named] = None,
        protocol: Optional[_Named] = None,
        kind: Optional[_Named] = None,
        family: Optional[str] = None,
        nexthops: Optional[Iterable[NextHop]] = None,
        onlink: bool = False,
        mtu: Optional[int] = None,
        advmss: Optional[int] = None,
        nhid: Optional[int] = None,
    ) -> None: ...
    def route_del(
        self,
        dst: _Ip,
        *,
        via: Optional[_Ip] = None,
        dev: Optional[_Dev] = None,
        table: Optional[_Table] = None,
        metric: Optional[int] = None,
        scope: Optional[_Named] = None,
        protocol: Optional[_Named] = None,
        kind: Optional[_Named] = None,
        family: Optional[str] = None,
        nexthops: Optional[Iterable[NextHop]] = None,
        onlink: bool = False,
        mtu: Optional[int] = None,
        advmss: Optional[int] = None,
        nhid: Optional[int] = None,
        missing_ok: bool = False,
    ) -> bool: ...
    def route_get(
        self,
        dst: _Ip,
        *,
        src: Optional[_Ip] = None,
        iif: Optional[_Dev] = None,
        oif: Optional[_Dev] = None,
        mark: Optional[int] = None,
        fibmatch: bool = False,
    ) -> Route: ...
    def route_flush(
        self,
        *,
        table: Optional[_Table] = None,
        family: Optional[str] = None,
        dev: Optional[_Dev] = None,
        via: Optional[_Ip] = None,
        src: Optional[_Ip] = None,
        protocol: Optional[_Named] = None,
        scope: Optional[_Named] = None,
        kind: Optional[_Named] = None,
        metric: Optional[int] = None,
        root: Optional[_Ip] = None,
        match: Optional[_Ip] = None,
        exact: Optional[_Ip] = None,
    ) -> int: ...
    def nsid(self, netns: Namespace) -> Optional[int]: ...
    def set_nsid(self, netns: Namespace, id: Optional[int] = None) -> Optional[int]: ...
    def neigh_add(
        self,
        dst: _Ip,
        dev: _Dev,
        *,
        mac: Optional[str] = None,
        state: Optional[_Named] = None,
        proxy: bool = False,
        router: bool = False,
        extern_learn: bool = False,
        protocol: Optional[int] = None,
        exist_ok: bool = False,
    ) -> bool: ...
    def neigh_replace(
        self,
        dst: _Ip,
        dev: _Dev,
        *,
        mac: Optional[str] = None,
        state: Optional[_Named] = None,
        proxy: bool = False,
        router: bool = False,
        extern_learn: bool = False,
        protocol: Optional[int] = None,
    ) -> None: ...
    def neigh_change(
        self,
        dst: _Ip,
        dev: _Dev,
        *,
        mac: Optional[str] = None,
        state: Optional[_Named] = None,
        proxy: bool = False,
        router: bool = False,
        extern_learn: bool = False,
        protocol: Optional[int] = None,
    ) -> None: ...
    def neigh_del(
        self, dst: _Ip, dev: _Dev, *, proxy: bool = False, missing_ok: bool = False
    ) -> bool: ...
    def neigh_get(self, dst: _Ip, dev: _Dev, *, proxy: bool = False) -> Neighbour: ...
    def neighbours(
        self,
        *,
        dev: Optional[_Dev] = None,
        family: Optional[str] = None,
        state: Optional[_Named] = None,
        proxy: bool = False,
        to: Optional[_Ip] = None,
        master: Optional[_Dev] = None,
    ) -> List[Neighbour]: ...
    def neigh_flush(
        self,
        *,
        dev: Optional[_Dev] = None,
        family: Optional[str] = None,
        state: Optional[_Named] = None,
        proxy: bool = False,
        to: Optional[_Ip] = None,
        master: Optional[_Dev] = None,
    ) -> int: ...
    def neighs_add(self, entries: Iterable[Dict[str, Any]]) -> None: ...
    def nexthop_add(
        self,
        id: int = 0,
        *,
        via: Optional[_Ip] = None,
        dev: Optional[_Dev] = None,
        onlink: bool = False,
        blackhole: bool = False,
        fdb: bool = False,
        group: Optional[Union[str, Iterable[Union[int, Tuple[int, int]]]]] = None,
        group_type: Optional[str] = None,
        buckets: Optional[int] = None,
        idle_timer: Optional[int] = None,
        unbalanced_timer: Optional[int] = None,
        protocol: Optional[_Named] = None,
        family: Optional[str] = None,
    ) -> None: ...
    def nexthop_replace(
        self,
        id: int = 0,
        *,
        via: Optional[_Ip] = None,
        dev: Optional[_Dev] = None,
        onlink: bool = False,
        blackhole: bool = False,
        fdb: bool = False,
        group: Optional[Union[str, Iterable[Union[int, Tuple[int, int]]]]] = None,
        group_type: Optional[str] = None,
        buckets: Optional[int] = None,
        idle_timer: Optional[int] = None,
        unbalanced_timer: Optional[int] = None,
        protocol: Optional[_Named] = None,
        family: Optional[str] = None,
    ) -> None: ...
    def nexthop_del(self, id: int) -> None: ...
    def nexthop_get(self, id: int) -> Nexthop: ...
    def nexthops(
        self,
        *,
        id: Optional[int] = None,
        dev: Optional[_Dev] = None,
        master: Optional[_Dev] = None,
        groups: bool = False,
        fdb: bool = False,
        protocol: Optional[int] = None,
        family: Optional[str] = None,
    ) -> List[Nexthop]: ...
    def nexthop_flush(
        self,
        *,
        id: Optional[int] = None,
        dev: Optional[_Dev] = None,
        master: Optional[_Dev] = None,
        groups: bool = False,
        fdb: bool = False,
        protocol: Optional[int] = None,
        family: Optional[str] = None,
    ) -> int: ...
    def rule_add(
        self,
        *,
        priority: Optional[int] = None,
        from_: Optional[_Ip] = None,
        to: Optional[_Ip] = None,
        not_: bool = False,
        tos: int = 0,
        fwmark: Optional[int] = None,
        fwmask: Optional[int] = None,
        iif: Optional[_Dev] = None,
        oif: Optional[_Dev] = None,
        table: Optional[_Table] = None,
        goto: Optional[int] = None,
        action: Optional[str] = None,
        suppress_prefixlength: Optional[int] = None,
        protocol: Optional[int] = None,
        family: Optional[str] = None,
        exist_ok: bool = False,
    ) -> bool: ...
    def rule_del(
        self,
        *,
        priority: Optional[int] = None,
        from_: Optional[_Ip] = None,
        to: Optional[_Ip] = None,
        not_: bool = False,
        tos: int = 0,
        fwmark: Optional[int] = None,
        fwmask: Optional[int] = None,
        iif: Optional[_Dev] = None,
        oif: Optional[_Dev] = None,
        table: Optional[_Table] = None,
        goto: Optional[int] = None,
        action: Optional[str] = None,
        suppress_prefixlength: Optional[int] = None,
        protocol: Optional[int] = None,
        family: Optional[str] = None,
        missing_ok: bool = False,
    ) -> bool: ...
    def rules(self, *, family: Optional[str] = None) -> List[Rule]: ...
    def rule_flush(self, *, family: Optional[str] = None) -> int: ...
    def tuntaps(self) -> List[TunTap]: ...
    def tuntap_del(self, dev: _Dev) -> None: ...
    def fdb_add(
        self,
        mac: str,
        dev: _Dev,
        *,
        dst: Optional[_Ip] = None,
        vlan: Optional[int] = None,
        port: Optional[int] = None,
        vni: Optional[int] = None,
        via: Optional[_Dev] = None,
        self_: bool = False,
        master: bool = False,
        state: Optional[str] = None,
        extern_learn: bool = False,
        sticky: bool = False,
        exist_ok: bool = False,
    ) -> bool: ...
    def fdb_append(
        self,
        mac: str,
        dev: _Dev,
        *,
        dst: Optional[_Ip] = None,
        vlan: Optional[int] = None,
        port: Optional[int] = None,
        vni: Optional[int] = None,
        via: Optional[_Dev] = None,
        self_: bool = False,
        master: bool = False,
        state: Optional[str] = None,
        extern_learn: bool = False,
        sticky: bool = False,
    ) -> None: ...
    def fdb_replace(
        self,
        mac: str,
        dev: _Dev,
        *,
        dst: Optional[_Ip] = None,
        vlan: Optional[int] = None,
        port: Optional[int] = None,
        vni: Optional[int] = None,
        via: Optional[_Dev] = None,
        self_: bool = False,
        master: bool = False,
        state: Optional[str] = None,
        extern_learn: bool = False,
        sticky: bool = False,
    ) -> None: ...
    def fdb_del(
        self,
        mac: str,
        dev: _Dev,
        *,
        dst: Optional[_Ip] = None,
        vlan: Optional[int] = None,
        port: Optional[int] = None,
        vni: Optional[int] = None,
        self_: bool = False,
        master: bool = False,
        missing_ok: bool = False,
    ) -> bool: ...
    def fdb_get(
        self,
        mac: str,
        *,
        dev: Optional[_Dev] = None,
        br: Optional[_Dev] = None,
        vlan: Optional[int] = None,
        vni: Optional[int] = None,
        self_: bool = False,
        master: bool = False,
    ) -> FdbEntry: ...
    def fdb_entries(
        self, *, dev: Optional[_Dev] = None, br: Optional[_Dev] = None, vlan: Optional[int] = None
    ) -> List[FdbEntry]: ...
    def fdb_flush(
        self,
        dev: _Dev,
        *,
        port: Optional[_Dev] = None,
        vlan: Optional[int] = None,
        self_: bool = False,
        master: bool = False,
        permanent: Optional[bool] = None,
        static_: Optional[bool] = None,
        dynamic: Optional[bool] = None,
    ) -> None: ...
    def link_stats(self, dev: _Dev) -> LinkStats: ...

def handle() -> Handle: ...
def handles(namespaces: Iterable[Namespace]) -> List[Handle]: ...

# ----- neighbours, rules, statistics, tun/tap -------------------------------

@final
class Nexthop:
    @property
    def id(self) -> int: ...
    @property
    def family(self) -> Optional[str]: ...
    @property
    def gateway(self) -> Optional[str]: ...
    @property
    def dev(self) -> Optional[str]: ...
    @property
    def oif(self) -> Optional[int]: ...
    @property
    def onlink(self) -> bool: ...
    @property
    def blackhole(self) -> bool: ...
    @property
    def fdb(self) -> bool: ...
    @property
    def group(self) -> List[Tuple[int, int]]: ...
    @property
    def group_type(self) -> Optional[str]: ...
    @property
    def buckets(self) -> Optional[int]: ...
    @property
    def idle_timer(self) -> Optional[int]: ...
    @property
    def unbalanced_timer(self) -> Optional[int]: ...
    @property
    def protocol(self) -> int: ...
    @property
    def scope(self) -> int: ...
    @property
    def flags(self) -> int: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Neighbour:
    @property
    def family(self) -> str: ...
    @property
    def dst(self) -> Optional[str]: ...
    @property
    def dev(self) -> Optional[str]: ...
    @property
    def ifindex(self) -> int: ...
    @property
    def mac(self) -> Optional[str]: ...
    @property
    def state(self) -> int: ...
    @property
    def state_name(self) -> str: ...
    @property
    def proxy(self) -> bool: ...
    @property
    def router(self) -> bool: ...
    @property
    def flags(self) -> int: ...
    @property
    def protocol(self) -> Optional[int]: ...
    @property
    def master(self) -> Optional[int]: ...
    @property
    def probes(self) -> Optional[int]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Rule:
    @property
    def family(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def from_(self) -> Optional[str]: ...
    @property
    def to(self) -> Optional[str]: ...
    @property
    def not_(self) -> bool: ...
    @property
    def table(self) -> int: ...
    @property
    def action(self) -> str: ...
    @property
    def goto(self) -> Optional[int]: ...
    @property
    def tos(self) -> int: ...
    @property
    def fwmark(self) -> Optional[int]: ...
    @property
    def fwmask(self) -> Optional[int]: ...
    @property
    def iif(self) -> Optional[str]: ...
    @property
    def oif(self) -> Optional[str]: ...
    @property
    def suppress_prefixlength(self) -> Optional[int]: ...
    @property
    def protocol(self) -> Optional[int]: ...
    @property
    def ipproto(self) -> Optional[int]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class LinkStats:
    @property
    def rx_packets(self) -> int: ...
    @property
    def tx_packets(self) -> int: ...
    @property
    def rx_bytes(self) -> int: ...
    @property
    def tx_bytes(self) -> int: ...
    @property
    def rx_errors(self) -> int: ...
    @property
    def tx_errors(self) -> int: ...
    @property
    def rx_dropped(self) -> int: ...
    @property
    def tx_dropped(self) -> int: ...
    @property
    def multicast(self) -> int: ...
    @property
    def collisions(self) -> int: ...
    @property
    def rx_missed_errors(self) -> int: ...
    @property
    def tx_carrier_errors(self) -> int: ...
    @property
    def rx_nohandler(self) -> int: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class TunTap:
    @property
    def name(self) -> str: ...
    @property
    def index(self) -> int: ...
    @property
    def mode(self) -> Optional[str]: ...
    @property
    def pi(self) -> bool: ...
    @property
    def vnet_hdr(self) -> bool: ...
    @property
    def persist(self) -> bool: ...
    @property
    def multi_queue(self) -> bool: ...
    @property
    def owner(self) -> Optional[int]: ...
    @property
    def group(self) -> Optional[int]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

def tuntap_add(
    name: str,
    mode: str,
    *,
    owner: Optional[int] = None,
    group: Optional[int] = None,
    persist: bool = True,
    pi: bool = False,
    vnet_hdr: bool = False,
    multi_queue: bool = False,
    netns: Optional[Namespace] = None,
) -> Tuple[str, Optional[int]]: ...

# ----- events ---------------------------------------------------------------

_EventObject = Union[Link, Address, Route, Neighbour, Rule, int, None]

@final
class Event:
    @property
    def kind(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def object(self) -> _EventObject: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, other: builtins.object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Subscription:
    @property
    def groups(self) -> List[str]: ...
    @property
    def closed(self) -> bool: ...
    def fileno(self) -> int: ...
    def __iter__(self) -> Self: ...
    def __next__(self) -> Event: ...
    def next(self, timeout: Optional[float] = None) -> Optional[Event]: ...
    def resync(self) -> List[Event]: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        *_exc: Union[Optional[type[BaseException]], Optional[BaseException], Optional[TracebackType]],
    ) -> bool: ...

def subscribe(groups: Union[str, Iterable[str]], netns: Optional[Namespace] = None) -> Subscription: ...

# ----- topologies (netns.topology) ------------------------------------------

_TopologySource = Union[_StrPath, Dict[str, Any]]

def topology_apply(
    source: _TopologySource,
    *,
    adopt: bool = False,
    wait: bool = True,
    state_dir: Optional[_StrPath] = None,
) -> Dict[str, Any]: ...
def topology_destroy(
    source: _TopologySource, *, wait: bool = True, state_dir: Optional[_StrPath] = None
) -> Dict[str, Any]: ...
def topology_status(
    source: _TopologySource, *, adopt: bool = False, state_dir: Optional[_StrPath] = None
) -> Dict[str, Any]: ...
def topology_check(source: _TopologySource, *, timeout: Optional[float] = None) -> Dict[str, Any]: ...
