"""An enum column: `bmc-hub db revision --autogenerate` writes a revision the sandbox
accepts, whose downgrade drops the type, so the module upgrades again."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bmc_hub_core.testing import module_env
from tests.installs import write_module_dist
from tests.servers import BMC_HUB, clean_env

from . import enums_module
from .conftest import Database

SOURCE = Path(enums_module.__file__).read_text()


class Cli:
    """``bmc-hub`` as an author runs it, with the module installed in ``site``."""

    def __init__(self, url: str, site: Path) -> None:
        self.env = clean_env(BMC_HUB_DATABASE_URL=url, BMC_HUB_MODULES="tasks")
        self.env["PYTHONPATH"] = str(site)
        self.cwd = site.parent

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [BMC_HUB, *args], env=self.env, cwd=self.cwd, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    """A folder for the module's distribution; forgotten by the import system after."""
    yield tmp_path / "site"
    sys.modules.pop("bmc_hub_tasks", None)


def revisions(site: Path) -> list[str]:
    return [path.read_text() for path in (site / "bmc_hub_tasks/migrations/versions").glob("*.py")]


def enum_types(database: Database) -> list[str]:
    if database.engine.dialect.name != "postgresql":
        return []  # SQLite stores an enum as VARCHAR: there is no type to keep or drop
    return [
        name
        for (name,) in database.rows(
            "SELECT typname FROM pg_type WHERE typtype = 'e' AND typname LIKE 'tasks%'"
        )
    ]


def test_autogenerate_then_upgrade_downgrade_and_upgrade_again(
    hub_database_url: str,
    site: Path,
    database: Database,
    hub_client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cli = Cli(hub_database_url, write_module_dist(site, "tasks", {"__init__.py": SOURCE}))

    cli("db", "revision", "--module", "tasks", "-m", "create tasks", "--autogenerate")
    (revision,) = revisions(site)
    assert "sa.Enum('low', 'high', name='tasks_priority')" in revision
    assert "sa.Enum(name='tasks_priority').drop(op.get_bind(), checkfirst=True)" in revision
    assert "# bmc-hub: the enum type" not in revision  # the model names it right

    assert "tasks: upgraded to" in cli("db", "upgrade").stdout  # the sandbox accepts it
    is_postgres = database.engine.dialect.name == "postgresql"
    assert enum_types(database) == (["tasks_priority"] if is_postgres else [])
    gone = cli("db", "downgrade", "--module", "tasks", "--to", "base", "--yes")
    assert "left" not in gone.stdout + gone.stderr
    assert enum_types(database) == []

    # The hub upgrades it again at startup, and the column takes the enum's values.
    monkeypatch.syspath_prepend(str(site))
    client = hub_client(
        installed=["tasks"], env=module_env("tasks", read_only=False, dry_run=False)
    )
    for title, level in (("backup", "high"), ("tidy up", "low")):
        added = client.post("/api/v1/tasks/tasks", json={"title": title, "priority": level})
        assert added.status_code == 201
    assert client.get("/api/v1/tasks/tasks", params={"priority": "high"}).json() == [
        {"title": "backup", "priority": "high"}
    ]
    assert (
        client.post("/api/v1/tasks/tasks", json={"title": "x", "priority": "urgent"}).status_code
        == 422
    )


def test_an_unprefixed_type_name_is_written_prefixed_and_the_author_told(
    sqlite_only_url: str, site: Path
) -> None:
    older = SOURCE.replace('name="tasks_priority"', 'name="priority"')
    assert older != SOURCE
    cli = Cli(sqlite_only_url, write_module_dist(site, "tasks", {"__init__.py": older}))

    done = cli("db", "revision", "--module", "tasks", "-m", "create tasks", "--autogenerate")

    (revision,) = revisions(site)
    assert "sa.Enum('low', 'high', name='tasks_priority')" in revision
    assert "# bmc-hub: the enum type of tasks_tasks.priority is declared as 'priority'" in revision
    told = " ".join(done.stderr.split())  # the terminal wraps the warning
    assert "it is created as 'tasks_priority'" in told
    assert "Name it so in the model: sa.Enum(..., name='tasks_priority')" in told
