"""The stubs as a user meets them: ``mypy --strict`` accepts a script using
every public call (with ``with`` blocks that return), the script runs, and
mypy refuses what the stubs must refuse."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import netns

HERE = Path(__file__).parent
SCRIPT = HERE / "typing" / "user_script.py"


def mypy(path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MYPY_CACHE_DIR=str(path.parent / ".mypy-cache"))
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(path)],
        capture_output=True,
        text=True,
        env=env,
    )


def test_user_script_passes_mypy_strict(tmp_path: Path) -> None:
    copy = tmp_path / "user_script.py"
    copy.write_text(SCRIPT.read_text())
    r = mypy(copy)
    assert r.returncode == 0, r.stdout + r.stderr


def test_user_script_runs() -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import user_script  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    version, out = user_script.walkthrough("tt")
    assert version == netns.__version__ and "tu3" in out


@pytest.mark.parametrize(
    "line",
    [
        'h.address_add("lo", object())',
        'h.route_add("default", via=3.5)',
        'b: bytes = netns.exec("x", ["true"], text=True).stdout',
        's: str = netns.exec("x", ["true"]).stdout',
        'n: int = netns.__version__',
    ],
)
def test_mypy_refuses(tmp_path: Path, line: str) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        textwrap.dedent(
            f"""\
            import netns
            with netns.handle() as h:
                {line}
            """
        )
    )
    r = mypy(bad)
    assert r.returncode == 1 and "error:" in r.stdout, (line, r.stdout, r.stderr)


def test_version_is_the_packages() -> None:
    from importlib.metadata import version

    assert netns.__version__ == version("netns")
