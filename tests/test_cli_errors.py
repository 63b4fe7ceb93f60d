"""What ``bmc-hub`` prints when the database is wrong: one line naming it, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from bmc_hub_core.cli.output import fail
from bmc_hub_core.testing.databases import temporary_postgres_database

from .conftest import require_postgres

BMC_HUB = str(Path(sys.executable).with_name("bmc-hub"))

COMMANDS = [
    ["db", "upgrade"],
    ["db", "status"],
    ["db", "status", "--json"],
    ["db", "downgrade", "--module", "hello", "--to", "base", "--yes"],
    ["serve", "--port", "1"],
]


def _run(args: list[str], url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BMC_HUB_", "MODULES__"))}
    env.update(BMC_HUB_DATABASE_URL=url, BMC_HUB_MODULES="hello", COLUMNS="250")
    return subprocess.run(
        [BMC_HUB, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.postgres
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_missing_postgres_database_is_one_line(args: list[str], tmp_path: Path) -> None:
    missing = f"bmc_hub_missing_{uuid.uuid4().hex[:12]}"
    url = sa.make_url(require_postgres()).set(database=missing)
    result = _run(args, url.render_as_string(hide_password=False), tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "database error" in result.stderr
    assert f'database "{missing}" does not exist' in result.stderr
    assert "BMC_HUB_DATABASE_URL" in result.stderr


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_url_is_refused(args: list[str], url: str, tmp_path: Path) -> None:
    result = _run(args, url, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "BMC_HUB_DATABASE_URL" in result.stderr and "in-memory" in result.stderr
    assert "sqlite:///./bmc_hub.db" in result.stderr


def test_error_lines_print_brackets_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    fail("no such table [SQL: SELECT x FROM [bold]t[/bold]]")
    assert "no such table [SQL: SELECT x FROM [bold]t[/bold]]" in capsys.readouterr().err


@pytest.mark.postgres
def test_a_postgresql_url_without_a_driver_uses_psycopg2(tmp_path: Path) -> None:
    with temporary_postgres_database(require_postgres()) as url:
        plain = sa.make_url(url).set(drivername="postgresql").render_as_string(False)
        assert plain.startswith("postgresql://")
        result = _run(["db", "upgrade"], plain, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "core: upgraded to head" in result.stdout


def test_a_missing_driver_is_one_line_naming_it(tmp_path: Path) -> None:
    result = _run(["db", "status"], "postgresql+asyncpg://hub:s3cret@db/hub", tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "s3cret" not in result.stderr
    assert "driver 'postgresql+asyncpg', which is not installed" in result.stderr
