"""The ``bmc-hub`` process entry: what a short command imports and how it starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: A no-op ``db upgrade`` needs none of these; each one costs every command start time.
WEB_STACK = ("fastapi", "starlette", "jinja2", "uvicorn", "sqlalchemy.orm", "filelock")

PROBE = f"""
import gc, json, sys
from bmc_hub_core.cli import main
code = main(sys.argv[1:])
print(json.dumps({{
    "code": code,
    "loaded": [m for m in {WEB_STACK!r} if m in sys.modules],
    "frozen": gc.get_freeze_count(),
    "gc_enabled": gc.isenabled(),
}}))
"""


def _run(tmp_path: Path, *args: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BMC_HUB_", "MODULES__"))}
    env |= {"BMC_HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}", "BMC_HUB_MODULES": ""}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def test_a_noop_db_upgrade_loads_no_web_stack(tmp_path: Path) -> None:
    first = _run(tmp_path, "db", "upgrade")
    assert first["code"] == 0
    again = _run(tmp_path, "db", "upgrade")
    assert again["code"] == 0
    assert again["loaded"] == []


def test_db_status_loads_no_web_stack(tmp_path: Path) -> None:
    _run(tmp_path, "db", "upgrade")
    status = _run(tmp_path, "db", "status", "--json")
    assert status["code"] == 0
    assert status["loaded"] == []


def test_the_entry_freezes_import_objects_and_keeps_gc_on(tmp_path: Path) -> None:
    data = _run(tmp_path, "db", "status", "--json")
    assert data["gc_enabled"] is True
    # Everything the imports created is out of the collector's sight.
    assert isinstance(data["frozen"], int) and data["frozen"] > 10_000


def test_python_dash_m_runs_the_same_cli(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bmc_hub_core.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "db" in result.stdout and "modules" in result.stdout
