"""``bmc-hub db ...`` as a user runs it: real processes, real installed distributions
(``ledger``: 3 revisions with a run log, ``notes``: 2), SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from .conftest import DISTS, _install
from .helpers import columns, objects, query

BMC_HUB = str(Path(sys.executable).with_name("bmc-hub"))


def cli_env(sites: list[Path], url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BMC_HUB_", "MODULES__"))}
    env.update(
        PYTHONPATH=os.pathsep.join(map(str, sites)),
        BMC_HUB_DATABASE_URL=url,
        BMC_HUB_MODULES="ledger,notes",
        COLUMNS="250",
    )
    env.update(extra)
    return env


def run(
    args: list[str], sites: list[Path], url: str, cwd: Path, stdin: str | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BMC_HUB, *args],
        capture_output=True,
        text=True,
        env=cli_env(sites, url, **extra),
        cwd=cwd,
        input=stdin,
        timeout=120,
    )


def status(sites: list[Path], url: str, cwd: Path, **extra: str) -> dict[str, Any]:
    result = run(["db", "status", "--json"], sites, url, cwd, **extra)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def by_name(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in data["modules"]}


@pytest.fixture
def both(migration_sites: dict[str, Path]) -> list[Path]:
    return [migration_sites["ledger"], migration_sites["notes"]]


def test_upgrade_brings_core_and_modules_to_head_and_status_shows_it(
    hub_database_url: str, both: list[Path], tmp_path: Path
) -> None:
    before = status(both, hub_database_url, tmp_path)
    assert by_name(before)["ledger"]["pending"] == 3
    assert before["core"]["pending"] == 3
    assert not (tmp_path / "hub.db").exists()  # status never creates a SQLite file

    result = run(["db", "upgrade"], both, hub_database_url, tmp_path)

    assert result.returncode == 0, result.stderr
    assert "ledger: upgraded to ledger_0003" in result.stdout
    data = status(both, hub_database_url, tmp_path)
    assert data["core"] == {"current": "core_0003", "head": "core_0003", "pending": 0}
    modules = by_name(data)
    assert modules["ledger"] | {"error": None} == {
        "name": "ledger",
        "state": "enabled",
        "current": "ledger_0003",
        "head": "ledger_0003",
        "pending": 0,
        "error": None,
    }
    assert modules["notes"]["current"] == "notes_0002"
    assert data["orphans"] == []
    again = run(["db", "upgrade"], both, hub_database_url, tmp_path)
    assert again.returncode == 0
    assert "ledger: at ledger_0003" in again.stdout


def test_core_migration_failure_is_exit_1_with_one_clear_line(
    hub_database_url: str, both: list[Path], tmp_path: Path
) -> None:
    engine = sa.create_engine(hub_database_url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    engine.dispose()

    result = run(["db", "upgrade"], both, hub_database_url, tmp_path)

    assert result.returncode == 1
    assert "the core's database migration failed" in result.stderr
    assert "cannot run without its tables" in result.stderr
    assert "Traceback" not in result.stderr
    assert not {n for n in objects(hub_database_url) if n.startswith(("ledger_", "notes_"))}


def test_upgrade_one_module(hub_database_url: str, both: list[Path], tmp_path: Path) -> None:
    result = run(["db", "upgrade", "--module", "notes"], both, hub_database_url, tmp_path)

    assert result.returncode == 0, result.stderr
    names = objects(hub_database_url)
    assert "notes_items" in names
    assert not {n for n in names if n.startswith("ledger_")}
    for command in (
        ["db", "upgrade", "--module", "nope"],
        ["db", "downgrade", "--module", "nope", "--yes"],
        ["db", "revision", "--module", "nope", "-m", "x"],
    ):
        unknown = run(command, both, hub_database_url, tmp_path)
        assert unknown.returncode == 2, command
        assert "no module named 'nope' is installed" in unknown.stderr


def test_uninstalled_module_is_listed_as_orphan_and_nothing_breaks(
    hub_database_url: str, migration_sites: dict[str, Path], both: list[Path], tmp_path: Path
) -> None:
    assert run(["db", "upgrade"], both, hub_database_url, tmp_path).returncode == 0
    only_notes = [migration_sites["notes"]]

    data = status(only_notes, hub_database_url, tmp_path)
    upgrade = run(["db", "upgrade"], only_notes, hub_database_url, tmp_path)
    listing = run(["modules", "list", "--json"], only_notes, hub_database_url, tmp_path)
    human = run(["db", "status"], only_notes, hub_database_url, tmp_path)

    assert data["orphans"] == [
        {
            "name": "ledger",
            "version_table": "ledger_alembic_version",
            "current": "ledger_0003",
            "tables": ["ledger_entries", "ledger_runs"],
        }
    ]
    for result in (upgrade, listing, human):
        assert result.returncode == 0, result.stderr
        assert "Can't locate revision" not in result.stdout + result.stderr
    assert "orphan: module 'ledger' is not installed" in human.stdout
    assert by_name(data)["notes"]["state"] == "enabled"


def test_downgrade_asks_first_and_to_base_leaves_no_module_object(
    hub_database_url: str, both: list[Path], tmp_path: Path
) -> None:
    assert run(["db", "upgrade"], both, hub_database_url, tmp_path).returncode == 0
    base = ["db", "downgrade", "--module", "ledger", "--to", "base"]

    refused = run(base, both, hub_database_url, tmp_path, stdin="n\n")
    assert refused.returncode == 1
    assert "drop every table of module 'ledger'" in refused.stdout
    assert "ledger_entries" in objects(hub_database_url)

    one = run(
        ["db", "downgrade", "--module", "ledger", "--to", "ledger_0001", "--yes"],
        both,
        hub_database_url,
        tmp_path,
    )
    assert one.returncode == 0, one.stderr
    assert "note" not in columns(hub_database_url, "ledger_entries")
    assert query(hub_database_url, "SELECT revision FROM ledger_runs") == [("ledger_0001",)]

    done = run([*base, "--yes"], both, hub_database_url, tmp_path)
    assert done.returncode == 0, done.stderr
    assert not {n for n in objects(hub_database_url) if n.startswith("ledger_")}
    assert "notes_items" in objects(hub_database_url)
    assert by_name(status(both, hub_database_url, tmp_path))["ledger"]["current"] is None


@pytest.mark.parametrize(
    ("to", "fragment"),
    [
        ("-x", "-N with N a whole number above 0"),
        ("-0", "-N with N a whole number above 0"),
        ("ledger_9999", "has no revision 'ledger_9999'"),
    ],
)
def test_a_bad_downgrade_target_changes_nothing(
    sqlite_only_url: str, both: list[Path], tmp_path: Path, to: str, fragment: str
) -> None:
    assert run(["db", "upgrade"], both, sqlite_only_url, tmp_path).returncode == 0
    # Without --yes: refused before the confirmation prompt.
    result = run(
        ["db", "downgrade", "--module", "ledger", "--to", to], both, sqlite_only_url, tmp_path
    )
    assert result.returncode == 2, result.stderr
    assert fragment in result.stderr and "Traceback" not in result.stderr
    assert "Continue?" not in result.stdout
    assert by_name(status(both, sqlite_only_url, tmp_path))["ledger"]["current"] == "ledger_0003"


def test_failed_module_makes_upgrade_exit_1_and_every_command_reports_it(
    hub_database_url: str, migration_sites: dict[str, Path], both: list[Path], tmp_path: Path
) -> None:
    sites = [*both, migration_sites["sneaky"]]
    allowed = {"BMC_HUB_MODULES": "ledger,notes,sneaky"}

    result = run(["db", "upgrade"], sites, hub_database_url, tmp_path, **allowed)
    listing = run(["modules", "list", "--json"], sites, hub_database_url, tmp_path, **allowed)
    data = status(sites, hub_database_url, tmp_path, **allowed)

    assert result.returncode == 1
    assert "sneaky: failed" in result.stdout
    assert "table 'audit_log'" in result.stdout
    assert "ledger: upgraded to ledger_0003" in result.stdout
    names = objects(hub_database_url)
    assert "audit_log" not in names
    assert "sneaky_items" not in names
    # Another process reads the persisted outcome: the same failed state everywhere.
    assert listing.returncode == 0, listing.stderr
    sneaky = next(m for m in json.loads(listing.stdout) if m["name"] == "sneaky")
    assert sneaky["state"] == "failed"
    assert sneaky["error"]["stage"] == "migrate"
    assert "audit_log" in sneaky["error"]["message"]
    assert sneaky["migration"] == {"current": None, "head": "sneaky_0001"}
    row = by_name(data)["sneaky"]
    assert (row["state"], row["pending"]) == ("failed", 1)


@pytest.mark.slow
def test_four_concurrent_upgrades_all_succeed_and_apply_each_revision_once(
    hub_database_url: str, both: list[Path], tmp_path: Path
) -> None:
    processes = [
        subprocess.Popen(
            [BMC_HUB, "db", "upgrade"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(both, hub_database_url),
            cwd=tmp_path,
        )
        for _ in range(4)
    ]
    outputs = [process.communicate(timeout=180) for process in processes]

    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    assert sorted(query(hub_database_url, "SELECT revision FROM ledger_runs")) == [
        ("ledger_0001",),
        ("ledger_0002",),
        ("ledger_0003",),
    ]
    assert query(hub_database_url, "SELECT version_num FROM alembic_version") == [("core_0003",)]
    assert query(hub_database_url, "SELECT version_num FROM notes_alembic_version") == [
        ("notes_0002",)
    ]
    upgraded = [out for out, _err in outputs if "ledger: upgraded to" in out]
    assert len(upgraded) == 1


@pytest.mark.slow
def test_revision_and_autogenerate_write_into_the_module_versions_folder(
    tmp_path: Path, sqlite_only_url: str
) -> None:
    # A private copy: the revision files are written into the installed package.
    source = tmp_path / "src"
    shutil.copytree(DISTS / "migrations_ledger", source)
    site = _install(source, tmp_path / "site")
    versions = site / "bmc_hub_ledger" / "migrations" / "versions"
    assert run(["db", "upgrade"], [site], sqlite_only_url, tmp_path).returncode == 0
    init = site / "bmc_hub_ledger" / "__init__.py"
    init.write_text(
        init.read_text().replace(
            'sa.Column("note", sa.String(200), nullable=True),',
            'sa.Column("note", sa.String(200), nullable=True),\n'
            '    sa.Column("currency", sa.String(3), nullable=True),',
        )
    )

    result = run(
        ["db", "revision", "--module", "ledger", "-m", "add currency", "--autogenerate"],
        [site],
        sqlite_only_url,
        tmp_path,
    )

    assert result.returncode == 0, result.stderr
    written = sorted(set(versions.glob("*.py")) - set(versions.glob("ledger_000*.py")))
    assert len(written) == 1
    text = written[0].read_text()
    assert "down_revision: str | Sequence[str] | None = 'ledger_0003'" in text
    assert "branch_labels: str | Sequence[str] | None = None" in text
    assert "add_column(sa.Column('currency'" in text
    for foreign in ("customers", "hub_module_state", "alembic_version'", "notes_"):
        assert foreign not in text.replace("ledger_alembic_version", "")
    assert run(["db", "upgrade"], [site], sqlite_only_url, tmp_path).returncode == 0
    assert "currency" in columns(sqlite_only_url, "ledger_entries")


FAILING_REVISION = """
revision = "flaky_0001"
down_revision = None
branch_labels = ("flaky",)
depends_on = None


def upgrade():
    raise RuntimeError("the disk is full")


def downgrade():
    pass
"""

FLAKY_HOOK = """
from pathlib import Path

from bmc_hub_core import hookimpl


@hookimpl
def register_migrations():
    return Path(__file__).parent / "versions"
"""


def test_upgrade_tries_a_failing_migration_once_and_retry_tries_again(
    hub_database_url: str, tmp_path: Path
) -> None:
    from tests.installs import write_module_dist

    site = write_module_dist(
        tmp_path / "site",
        "flaky",
        {"__init__.py": FLAKY_HOOK, "versions/flaky_0001.py": FAILING_REVISION},
    )
    env = {"BMC_HUB_MODULES": "flaky"}
    first = run(["db", "upgrade"], [site], hub_database_url, tmp_path, **env)
    assert first.returncode == 1 and "the disk is full" in first.stdout
    second = run(["db", "upgrade"], [site], hub_database_url, tmp_path, **env)
    assert second.returncode == 1
    assert "not tried again" in second.stdout and "--retry flaky" in second.stdout
    retried = run(["db", "upgrade", "--retry", "flaky"], [site], hub_database_url, tmp_path, **env)
    assert retried.returncode == 1
    assert "the disk is full" in retried.stdout and "not tried again" not in retried.stdout
    unknown = run(["db", "upgrade", "--retry", "nosuch"], [site], hub_database_url, tmp_path, **env)
    assert unknown.returncode == 2 and "no module named 'nosuch'" in unknown.stderr
