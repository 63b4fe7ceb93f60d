"""``bmc_hub_core.testing.migrations``: the checks module authors run on their branch."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bmc_hub_core.db import module_metadata
from bmc_hub_core.testing.migrations import assert_migrations_conform, module_alembic_config

from .conftest import RevisionWriter, table_sql
from .helpers import migrating_module, objects

DROP = "op.drop_table('demo_items')"


@pytest.fixture
def ledger_installed(
    migration_sites: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.syspath_prepend(str(migration_sites["ledger"]))
    yield
    for name in [m for m in sys.modules if m.startswith("bmc_hub_ledger")]:
        del sys.modules[name]


@pytest.mark.usefixtures("ledger_installed")
def test_installed_module_conforms_and_leaves_nothing_behind(hub_database_url: str) -> None:
    assert_migrations_conform("ledger", hub_database_url)

    assert not {n for n in objects(hub_database_url) if n.startswith("ledger_")}


def test_in_process_module_with_matching_models_conforms(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    folder = write_revisions("demo", [table_sql("demo_items")], downs=[DROP])
    plugin = migrating_module(folder)
    metadata = module_metadata("demo")
    sa.Table("demo_items", metadata, sa.Column("id", sa.Integer, primary_key=True))
    plugin.metadata = metadata  # type: ignore[attr-defined]

    assert_migrations_conform("demo", hub_database_url, plugin=plugin)


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        pytest.param("no-downgrade", "revision demo_0001 failed", id="missing-downgrade"),
        pytest.param("no-label", "must carry branch_labels=('demo',)", id="missing-label"),
        pytest.param("model-drift", "models and migrations differ", id="model-drift"),
    ],
)
def test_broken_rules_are_assertion_errors_naming_them(
    sqlite_only_url: str, write_revisions: RevisionWriter, problem: str, message: str
) -> None:
    folder = write_revisions(
        "demo", [table_sql("demo_items")], downs=None if problem == "no-downgrade" else [DROP]
    )
    if problem == "no-label":
        first = folder / "demo_0001.py"
        first.write_text(first.read_text().replace("('demo',)", "None"))
    plugin = migrating_module(folder)
    if problem == "model-drift":
        metadata = module_metadata("demo")
        sa.Table("demo_items", metadata, sa.Column("id", sa.Integer, primary_key=True))
        sa.Table("demo_extra", metadata, sa.Column("id", sa.Integer, primary_key=True))
        plugin.metadata = metadata  # type: ignore[attr-defined]

    with pytest.raises(AssertionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        assert_migrations_conform("demo", sqlite_only_url, plugin=plugin)


def test_alembic_config_for_pytest_alembic_uses_the_module_version_table(tmp_path: Path) -> None:
    config = module_alembic_config("demo", tmp_path)

    assert config.attributes["version_table"] == "demo_alembic_version"
    assert config.attributes["prefix"] == "demo_"
    assert config.get_main_option("version_locations") == str(tmp_path.resolve())
