"""New revisions and dependency order, in-process (the CLI is covered in test_cli_db)."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bmc_hub_core.db import module_metadata
from bmc_hub_core.errors import BmcHubError
from bmc_hub_core.hub import Hub
from bmc_hub_core.migrations.authoring import downgrade, new_revision
from bmc_hub_core.migrations.runner import run_migrations
from bmc_hub_core.types import ModuleState

from ..records import assert_failed
from .conftest import RevisionWriter, table_sql
from .helpers import build_hub, migrating_module, objects, query


def _field(text: str, name: str) -> str:
    match = re.search(rf"^{name}: .* = (.*)$", text, re.MULTILINE)
    assert match, f"{name} not in revision file"
    return match.group(1)


def test_first_revision_gets_the_branch_label_and_the_next_chains_to_it(
    hub_database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "pkg" / "migrations" / "versions"
    plugin = migrating_module(folder)
    hub = build_hub(hub_database_url, {"demo": plugin})

    first = new_revision(hub, "demo", "create items", autogenerate=False)
    second = new_revision(hub, "demo", "more", autogenerate=False)

    assert first.parent == second.parent == folder
    first_text, second_text = first.read_text(), second.read_text()
    first_id = _field(first_text, "revision").strip("'")
    assert len(first_id) <= 32
    assert _field(first_text, "down_revision") == "None"
    assert _field(first_text, "branch_labels") == "('demo',)"
    assert _field(second_text, "down_revision") == repr(first_id)
    assert _field(second_text, "branch_labels") == "None"
    run_migrations(hub)
    assert hub.registry.get("demo").state is ModuleState.ENABLED  # type: ignore[union-attr]


def test_autogenerate_compares_only_the_module_tables(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    folder = write_revisions("demo", [table_sql("demo_items")])
    plugin = migrating_module(folder)
    metadata = module_metadata("demo")
    sa.Table("demo_items", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("demo_tags", metadata, sa.Column("id", sa.Integer, primary_key=True))
    plugin.metadata = metadata  # type: ignore[attr-defined]
    other = write_revisions("other", [table_sql("other_items")])
    hub = build_hub(hub_database_url, {"demo": plugin, "other": migrating_module(other)})
    run_migrations(hub)

    text = new_revision(hub, "demo", "tags", autogenerate=True).read_text()

    assert "op.create_table('demo_tags'" in text
    for foreign in ("customers", "hub_module_state", "other_items", "drop_table('demo_items"):
        assert foreign not in text


def test_autogenerate_needs_the_module_metadata(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    hub = build_hub(
        hub_database_url, {"demo": migrating_module(write_revisions("demo", [table_sql("x")]))}
    )
    with pytest.raises(BmcHubError, match="exposes no `metadata`"):
        new_revision(hub, "demo", "nothing", autogenerate=True)


def test_a_module_whose_dependency_failed_to_migrate_is_not_migrated(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    base = write_revisions("base", [table_sql("base_items") + "\nraise RuntimeError('x')"])
    user = write_revisions("user", [table_sql("user_items")])
    hub = build_hub(
        hub_database_url, {"user": migrating_module(user), "base": migrating_module(base)}
    )
    # Dependencies come from packaging metadata; set them as the loader would.
    hub.registry.get("user").dependencies = ("base",)  # type: ignore[union-attr]
    hub.registry.reorder(["base", "user"])

    run_migrations(hub)

    assert_failed(hub, "user", "dependency", "requires module 'base', which failed at migrate")
    assert not {n for n in objects(hub_database_url) if n.startswith(("base_", "user_"))}


def test_downgrade_to_base_reports_what_incomplete_downgrades_left(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    folder = write_revisions(
        "demo",
        [table_sql("demo_items"), table_sql("demo_more")],
        downs=["op.drop_table('demo_items')", "pass"],
    )
    hub = build_hub(hub_database_url, {"demo": migrating_module(folder)})
    run_migrations(hub)

    now, left = downgrade(hub, "demo", "base")

    assert now == ""
    assert "table 'demo_more'" in left
    assert "demo_alembic_version" not in objects(hub_database_url)


def _depends_on_core(folder: Path, core_revision: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "demo_0001.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        "revision = 'demo_0001'\ndown_revision = None\nbranch_labels = ('demo',)\n"
        f"depends_on = '{core_revision}'\n\n\n"
        "def upgrade():\n"
        "    op.create_table('demo_orders', sa.Column('id', sa.Integer, primary_key=True),\n"
        "        sa.Column('customer_id', sa.Integer, sa.ForeignKey('customers.id')))\n\n\n"
        "def downgrade():\n    op.drop_table('demo_orders')\n"
    )
    return folder


def test_a_first_revision_may_depend_on_the_cores(hub_database_url: str, tmp_path: Path) -> None:
    folder = _depends_on_core(tmp_path / "versions", "core_0001")
    hub = build_hub(hub_database_url, {"demo": migrating_module(folder)})
    assert run_migrations(hub).ok
    assert "demo_orders" in objects(hub_database_url)
    # A new revision chains onto it; downgrading to base removes the module's table.
    second = new_revision(hub, "demo", "more", autogenerate=False)
    assert "down_revision: str | Sequence[str] | None = 'demo_0001'" in second.read_text()
    downgrade(hub, "demo", "base")
    assert "demo_orders" not in objects(hub_database_url)


def test_depending_on_a_core_revision_this_core_lacks_fails_the_module(
    hub_database_url: str, tmp_path: Path
) -> None:
    folder = _depends_on_core(tmp_path / "versions", "core_0099")
    hub = build_hub(hub_database_url, {"demo": migrating_module(folder)})
    run_migrations(hub)
    assert_failed(
        hub, "demo", "migrate", "depends on core revision core_0099", "newer bmc-hub-core"
    )


def _pg_enum_types(url: str) -> list[str]:
    """The enum types in the database (none on SQLite, which stores enums as VARCHAR)."""
    if not url.startswith("postgresql"):
        return []
    return [name for (name,) in query(url, "SELECT typname FROM pg_type WHERE typtype = 'e'")]


def _upgrade_of(text: str) -> str:
    return text.split("def upgrade()", 1)[1].split("def downgrade()", 1)[0]


def _enum_hub(url: str, folder: Path, *columns: sa.Column[Any]) -> tuple[Hub, sa.MetaData]:
    """A module ``demo`` whose model is ``demo_tasks`` with ``columns`` (and an id)."""
    plugin = migrating_module(folder)
    metadata = module_metadata("demo")
    sa.Table("demo_tasks", metadata, sa.Column("id", sa.Integer, primary_key=True), *columns)
    plugin.metadata = metadata  # type: ignore[attr-defined]
    return build_hub(url, {"demo": plugin}), metadata


@pytest.mark.parametrize(
    ("declared", "created", "said"),
    [
        ("priority", "demo_priority", "declared as 'priority'"),
        (None, "demo_tasks_priority", "declared without a name"),
    ],
    ids=["unprefixed", "unnamed"],
)
def test_autogenerate_prefixes_enum_types_and_tells_the_author(
    hub_database_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    declared: str | None,
    created: str,
    said: str,
) -> None:
    priority = sa.Enum("low", "high", name=declared)
    hub, _ = _enum_hub(hub_database_url, tmp_path / "v", sa.Column("priority", priority))

    with caplog.at_level(logging.WARNING, logger="bmc_hub.modules.demo"):
        text = new_revision(hub, "demo", "tasks", autogenerate=True).read_text()

    assert f"sa.Enum('low', 'high', name='{created}')" in text
    assert f"sa.Enum(name='{created}').drop(op.get_bind(), checkfirst=True)" in text
    assert f"# bmc-hub: the enum type of demo_tasks.priority is {said}" in text
    (told,) = [r.getMessage() for r in caplog.records if r.name == "bmc_hub.modules.demo"]
    assert f"created as '{created}'" in told and f"sa.Enum(..., name='{created}')" in told
    assert priority.name == declared  # the model itself is left as it was
    assert run_migrations(hub).ok  # the sandbox accepts the type
    assert _pg_enum_types(hub_database_url) == (
        [created] if hub_database_url.startswith("postgresql") else []
    )


def test_the_downgrade_drops_the_enum_types_so_the_next_upgrade_works(
    hub_database_url: str, tmp_path: Path
) -> None:
    level = sa.Column("level", sa.Enum("low", "high", name="demo_level"))
    hub, _ = _enum_hub(hub_database_url, tmp_path / "v", level)
    text = new_revision(hub, "demo", "tasks", autogenerate=True).read_text()
    assert "sa.Enum(name='demo_level').drop(op.get_bind(), checkfirst=True)" in text
    assert "bmc-hub: the enum type" not in text  # nothing to tell: it is prefixed
    assert run_migrations(hub).ok

    now, left = downgrade(hub, "demo", "base")

    assert (now, left) == ("", [])
    assert _pg_enum_types(hub_database_url) == []
    assert run_migrations(hub).ok  # no DuplicateObject: the type is created again
    assert "demo_tasks" in objects(hub_database_url)


def test_later_revisions_reuse_existing_types_and_create_those_of_added_columns(
    hub_database_url: str, tmp_path: Path
) -> None:
    hub, metadata = _enum_hub(
        hub_database_url,
        tmp_path / "v",
        sa.Column("priority", sa.Enum("low", "high", name="priority")),
    )
    new_revision(hub, "demo", "tasks", autogenerate=True)
    assert run_migrations(hub).ok
    # A new table using the existing type, a new column with a new type on the old table.
    sa.Table(
        "demo_more",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("priority", sa.Enum("low", "high", name="priority")),
    )
    metadata.tables["demo_tasks"].append_column(sa.Column("size", sa.Enum("s", "m", name="size")))

    text = new_revision(hub, "demo", "more", autogenerate=True).read_text()

    upgrade = _upgrade_of(text)
    assert "postgresql.ENUM('low', 'high', name='demo_priority', create_type=False)" in upgrade
    create = "sa.Enum('s', 'm', name='demo_size').create(op.get_bind(), checkfirst=True)"
    assert create in upgrade and upgrade.index(create) < upgrade.index("add_column(")
    downgrade_body = text.split("def downgrade()", 1)[1]
    assert "drop(op.get_bind()" in downgrade_body and "demo_priority" not in downgrade_body
    assert run_migrations(hub).ok
    is_postgres = hub_database_url.startswith("postgresql")
    assert sorted(_pg_enum_types(hub_database_url)) == (
        ["demo_priority", "demo_size"] if is_postgres else []
    )
    downgrade(hub, "demo", "-1")
    assert _pg_enum_types(hub_database_url) == (["demo_priority"] if is_postgres else [])
    assert downgrade(hub, "demo", "base") == ("", [])
    assert run_migrations(hub).ok
    # The model still says 'priority', the database 'demo_priority': not a change.
    again = new_revision(hub, "demo", "nothing", autogenerate=True).read_text()
    assert "op." not in _upgrade_of(again)


def test_enums_stored_as_text_are_left_alone(hub_database_url: str, tmp_path: Path) -> None:
    as_text = sa.Enum("low", "high", name="priority", native_enum=False)
    hub, _ = _enum_hub(hub_database_url, tmp_path / "v", sa.Column("priority", as_text))

    text = new_revision(hub, "demo", "tasks", autogenerate=True).read_text()

    assert "bmc-hub" not in text and "get_bind()" not in text
    assert run_migrations(hub).ok
    assert _pg_enum_types(hub_database_url) == []
