"""Module messages reach the terminal as written: brackets are text, never Rich markup.

The module's distribution is written on the fly (package plus ``.dist-info``, as pip
leaves it) and found through ``PYTHONPATH`` by real ``bmc-hub`` processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .installs import write_module_dist

BMC_HUB = str(Path(sys.executable).with_name("bmc-hub"))
MESSAGE = "cannot open [/etc/brk] with [bold]x[/bold] as list[str]"


@pytest.fixture
def bracket_site(tmp_path: Path) -> Path:
    return write_module_dist(
        tmp_path / "site", "bracket", {"__init__.py": f"raise RuntimeError({MESSAGE!r})\n"}
    )


def _run(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BMC_HUB_", "MODULES__"))}
    env.update(
        PYTHONPATH=str(site),
        BMC_HUB_MODULES="bracket",
        BMC_HUB_DATABASE_URL=f"sqlite:///{cwd / 'hub.db'}",
        COLUMNS="400",
    )
    return subprocess.run(
        [BMC_HUB, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["modules", "list"], 0),
        (["modules", "show", "bracket"], 0),
        (["modules", "check"], 1),
        (["db", "upgrade"], 1),
        (["db", "status"], 0),
    ],
    ids=["list", "show", "check", "upgrade", "status"],
)
def test_brackets_in_module_errors_are_printed_as_text(
    args: list[str], code: int, bracket_site: Path, tmp_path: Path
) -> None:
    result = _run(args, bracket_site, tmp_path)
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert MESSAGE in result.stdout.replace("\n", "")


def test_db_upgrade_reports_an_allowed_module_that_never_loaded(
    bracket_site: Path, tmp_path: Path
) -> None:
    result = _run(["db", "upgrade"], bracket_site, tmp_path)
    assert result.returncode == 1
    assert f"bracket: failed: import: {MESSAGE}" in result.stdout


def test_db_upgrade_notes_an_allowed_module_that_is_not_installed(tmp_path: Path) -> None:
    # Uninstalled after it migrated: its tables stay, and upgrading the rest goes on.
    result = _run(["db", "upgrade"], tmp_path, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "bracket: not installed (in BMC_HUB_MODULES; nothing to migrate)" in result.stdout
