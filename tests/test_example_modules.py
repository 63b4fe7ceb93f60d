"""The example modules in plugins/ are what module authors copy: each is built and
installed as a wheel (not editable) and found through its entry point, its migrations
and templates ship inside it, and its code uses only the hub's public API."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .recipes.test_imports import private_uses

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").is_file())


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_an_example_module_imports_only_the_public_api(plugin: Path) -> None:
    found = {
        str(path.relative_to(plugin)): uses
        for path in sorted((plugin / "src").rglob("*.py"))
        if (uses := private_uses(path.read_text()))
    }
    assert found == {}


@pytest.mark.slow
@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_an_example_module_installs_from_its_wheel_and_is_found(
    plugin: Path, tmp_path: Path
) -> None:
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(plugin)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = wheels.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any("/migrations/versions/" in n and n.endswith(".py") for n in names), names
    if (next((plugin / "src").iterdir()) / "templates").is_dir():
        assert any("/templates/" in n and n.endswith(".html") for n in names), names
    installed = subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr
    # A fresh interpreter that sees only the installed wheel (and the core): the module
    # is discovered from its entry-point metadata and its versions folder exists.
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from bmc_hub_core.discovery import scan;"
        "[c] = [c for cs in scan().values() for c in cs"
        " if str(c.entry_point.dist.locate_file('')).rstrip('/') == sys.argv[1]];"
        "module = c.entry_point.load();"
        "print(c.name, module.__file__)"
    )
    found = subprocess.run([sys.executable, "-c", probe, str(site)], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    name, where = found.stdout.split()
    assert where.startswith(str(site)), where  # the wheel's copy, not the editable one
    assert name == plugin.name.removeprefix("bmc-hub-").replace("-", "_")
