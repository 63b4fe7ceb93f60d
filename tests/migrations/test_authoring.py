"""New revisions and dependency order, in-process (the CLI is covered in test_cli_db)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from bmc_hub_core.db import module_metadata
from bmc_hub_core.errors import BmcHubError
from bmc_hub_core.migrations.authoring import downgrade, new_revision
from bmc_hub_core.migrations.runner import run_migrations
from bmc_hub_core.types import ModuleState

from ..records import assert_failed
from .conftest import RevisionWriter, table_sql
from .helpers import build_hub, migrating_module, objects


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
