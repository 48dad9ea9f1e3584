"""Topologies: a TOML file (or a dict of the same keys) of namespaces, veth
links, bridges, routes and uplinks, applied, checked and destroyed in one
call each, as ``netns topology apply|status|check|destroy`` does.

    import netns.topology

    report = netns.topology.apply("lab.toml")       # or a dict
    assert netns.topology.status("lab.toml")["clean"]
    assert netns.topology.check("lab.toml")["ok"]
    netns.topology.destroy("lab.toml")

Each returns a plain dict (the same fields as the command's ``-j``
output); failures raise ``netns.NetnsError`` as everywhere else.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Optional, Union

from netns import _native

__all__ = ["apply", "check", "destroy", "status"]

Source = Union[str, "os.PathLike[str]", Dict[str, Any]]


def apply(
    source: Source,
    *,
    adopt: bool = False,
    wait: bool = True,
    state_dir: Optional[Union[str, "os.PathLike[str]"]] = None,
) -> Dict[str, Any]:
    """Makes the system match the topology; returns ``{'topology', 'changes',
    'elapsed'}`` (``changes`` empty when it already matched). ``adopt``
    takes over what exists already; ``wait=False`` raises ``BusyError``
    instead of waiting for another apply of the same topology."""
    return _native.topology_apply(source, adopt=adopt, wait=wait, state_dir=state_dir)


def destroy(
    source: Source,
    *,
    wait: bool = True,
    state_dir: Optional[Union[str, "os.PathLike[str]"]] = None,
) -> Dict[str, Any]:
    """Removes what the topology's applies created; returns ``{'topology',
    'removed', 'kept', 'elapsed'}``."""
    return _native.topology_destroy(source, wait=wait, state_dir=state_dir)


def status(
    source: Source,
    *,
    adopt: bool = False,
    state_dir: Optional[Union[str, "os.PathLike[str]"]] = None,
) -> Dict[str, Any]:
    """The differences between the topology and the system: ``{'topology',
    'drift', 'pending_changes', 'ownership', 'clean'}``."""
    return _native.topology_status(source, adopt=adopt, state_dir=state_dir)


def check(source: Source, *, timeout: Optional[float] = None) -> Dict[str, Any]:
    """Pings every declared link end and route from inside its namespace:
    ``{'topology', 'results', 'ok'}``."""
    return _native.topology_check(source, timeout=timeout)
