"""The build backend of the netns package: maturin's, but a build from source
without Rust's ``cargo`` fails at once with a message saying so, instead of
maturin fetching a whole Rust toolchain (hundreds of MB, minutes) on its own.

Set ``NETNS_ALLOW_RUST_DOWNLOAD=1`` to let maturin do that anyway.
"""

from __future__ import annotations

import os
import shutil
from typing import Any, Dict, List, Optional

import maturin
from maturin import *  # noqa: F401,F403 - every hook maturin has, as it has it


def _require_cargo() -> None:
    if os.environ.get("NETNS_ALLOW_RUST_DOWNLOAD") == "1":
        return
    cargo = os.environ.get("CARGO") or "cargo"
    if shutil.which(cargo) is None:
        raise RuntimeError(
            "netns: building from source needs Rust's cargo, and none is on PATH. "
            "Install Rust (https://rustup.rs, or `apt install cargo` on Debian 12 "
            "and later) and try again, or install a prebuilt wheel (`make wheel`). "
            "Set NETNS_ALLOW_RUST_DOWNLOAD=1 to let maturin download a toolchain."
        )


def get_requires_for_build_wheel(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    _require_cargo()
    return list(maturin.get_requires_for_build_wheel(config_settings))


def get_requires_for_build_editable(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    _require_cargo()
    return list(maturin.get_requires_for_build_editable(config_settings))


def build_wheel(
    wheel_directory: str,
    config_settings: Optional[Dict[str, Any]] = None,
    metadata_directory: Optional[str] = None,
) -> str:
    _require_cargo()
    return str(maturin.build_wheel(wheel_directory, config_settings, metadata_directory))


def build_editable(
    wheel_directory: str,
    config_settings: Optional[Dict[str, Any]] = None,
    metadata_directory: Optional[str] = None,
) -> str:
    _require_cargo()
    return str(maturin.build_editable(wheel_directory, config_settings, metadata_directory))
