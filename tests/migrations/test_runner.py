"""The migration runner on SQLite and PostgreSQL: atomic per module, sandboxed by prefix,
database-ahead detection, persisted outcome, core failures fatal."""

from __future__ import annotations

from typing import Any

import pytest

from bmc_hub_core.errors import CoreMigrationError
from bmc_hub_core.migrations.runner import run_migrations
from bmc_hub_core.testing.databases import temporary_postgres_database
from bmc_hub_core.types import ModuleState

from ..conftest import require_postgres
from ..fakes import fake_module
from ..records import assert_failed
from .conftest import RevisionWriter, table_sql
from .helpers import build_hub, columns, migrating_module, objects, query

FAIL_HALFWAY = """
op.create_table('demo_half', sa.Column('id', sa.Integer, primary_key=True))
op.execute('CREATE TABLE demo_raw (id INTEGER)')
raise RuntimeError('boom in the middle')
"""


def test_upgrade_creates_prefixed_tables_and_own_version_table(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    folder = write_revisions("demo", [table_sql("demo_items"), table_sql("demo_more")])
    hub = build_hub(hub_database_url, {"demo": migrating_module(folder)})

    report = run_migrations(hub)

    assert report.core_upgraded
    assert report.upgraded == ["demo"]
    assert {"demo_items", "demo_more", "demo_alembic_version"} <= objects(hub_database_url)
    assert query(hub_database_url, "SELECT version_num FROM demo_alembic_version") == [
        ("demo_0002",)
    ]
    assert query(hub_database_url, "SELECT version_num FROM alembic_version") == [("core_0003",)]
    record = hub.registry.get("demo")
    assert record is not None
    assert record.state is ModuleState.ENABLED
    assert record.migration == {"current": "demo_0002", "head": "demo_0002"}


def test_second_run_is_a_no_op_that_still_reports_revisions(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    folder = write_revisions("demo", [table_sql("demo_items")])
    run_migrations(build_hub(hub_database_url, {"demo": migrating_module(folder)}))

    hub = build_hub(hub_database_url, {"demo": migrating_module(folder)})
    report = run_migrations(hub)

    assert not report.core_upgraded
    assert report.upgraded == []
    assert hub.registry.get("demo").migration == {"current": "demo_0001", "head": "demo_0001"}  # type: ignore[union-attr]


def test_failing_revision_rolls_the_whole_module_back_and_others_migrate(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    bad = write_revisions("demo", [table_sql("demo_first"), FAIL_HALFWAY, table_sql("demo_last")])
    good = write_revisions("other", [table_sql("other_items")])
    hub = build_hub(
        hub_database_url, {"demo": migrating_module(bad), "other": migrating_module(good)}
    )

    report = run_migrations(hub)

    names = objects(hub_database_url)
    # Not even the first revision's table survives: one transaction per module.
    assert not {n for n in names if n.startswith("demo_")}
    assert "other_items" in names
    assert_failed(hub, "demo", "migrate", "revision demo_0002 failed", "boom in the middle")
    assert report.failed.keys() == {"demo"}
    assert hub.registry.get("other").state is ModuleState.ENABLED  # type: ignore[union-attr]
    persisted = query(
        hub_database_url,
        "SELECT migration_stage, migration_error, migration_revision FROM hub_module_state "
        "WHERE name = 'demo'",
    )
    assert persisted[0][0] == "migrate"
    assert "boom in the middle" in persisted[0][1]
    assert persisted[0][2] == "demo_0003"


def test_fixed_module_migrates_and_clears_the_persisted_failure(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    bad = write_revisions("demo", [table_sql("demo_first"), FAIL_HALFWAY])
    run_migrations(build_hub(hub_database_url, {"demo": migrating_module(bad)}))
    fixed = write_revisions("demo", [table_sql("demo_first"), table_sql("demo_second")])

    hub = build_hub(hub_database_url, {"demo": migrating_module(fixed)})
    run_migrations(hub)

    assert hub.registry.get("demo").state is ModuleState.ENABLED  # type: ignore[union-attr]
    assert query(
        hub_database_url, "SELECT migration_stage, migration_error FROM hub_module_state"
    ) == [(None, None)]


@pytest.mark.parametrize(
    ("body", "offending"),
    [
        pytest.param(table_sql("sneaky"), "'sneaky'", id="unprefixed-table"),
        pytest.param(
            "op.execute('ALTER TABLE customers ADD COLUMN demo_flag INTEGER')",
            "'customers'",
            id="raw-sql-on-core-table",
        ),
        pytest.param(
            "op.execute(\"INSERT INTO customers (name) VALUES ('intruder')\")",
            "'customers'",
            id="insert-into-customers",
        ),
        pytest.param(
            "op.execute('DELETE FROM customers')", "'customers'", id="delete-from-customers"
        ),
        pytest.param(
            "op.execute('UPDATE customers SET email = NULL')", "'customers'", id="update-customers"
        ),
        pytest.param(
            "op.create_index('demo_ix_customers', 'customers', ['email'])",
            "customers",
            id="index-on-core-table",
        ),
    ],
)
def test_sandbox_rolls_back_and_names_offending_objects(
    hub_database_url: str, write_revisions: RevisionWriter, body: str, offending: str
) -> None:
    folder = write_revisions("demo", [table_sql("demo_items") + "\n" + body])
    good = write_revisions("other", [table_sql("other_items")])
    core_only = build_hub(hub_database_url, {})
    run_migrations(core_only)
    with core_only.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO customers (name) VALUES ('kept')")
    core_only.engine.dispose()
    hub = build_hub(
        hub_database_url, {"demo": migrating_module(folder), "other": migrating_module(good)}
    )

    run_migrations(hub)

    assert_failed(hub, "demo", "migrate", "demo_0001", offending, "outside the prefix 'demo_'")
    names = objects(hub_database_url)
    assert "demo_items" not in names
    assert "sneaky" not in names
    assert "demo_flag" not in columns(hub_database_url, "customers")
    assert query(hub_database_url, "SELECT name FROM customers") == [("kept",)]
    assert hub.registry.get("other").state is ModuleState.ENABLED  # type: ignore[union-attr]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "op.execute('CREATE RULE demo_swallow AS ON INSERT TO customers DO INSTEAD NOTHING')",
            id="rule-on-customers",
        ),
        pytest.param("op.execute(\"COMMENT ON TABLE customers IS 'mine'\")", id="table-comment"),
        pytest.param(
            "op.execute(\"COMMENT ON COLUMN customers.name IS 'mine'\")", id="column-comment"
        ),
        pytest.param("op.execute('CREATE POLICY demo_all ON customers USING (true)')", id="policy"),
    ],
)
def test_postgres_sandbox_sees_rules_comments_and_policies_on_core_tables(
    write_revisions: RevisionWriter, body: str
) -> None:
    folder = write_revisions("demo", [table_sql("demo_items") + "\n" + body])
    # The module's own table may carry all of these.
    own = body.replace("customers.name", "demo_items.id").replace("customers", "demo_items")
    allowed = write_revisions("own", [table_sql("own_items") + "\n" + own.replace("demo", "own")])
    with temporary_postgres_database(require_postgres()) as url:
        hub = build_hub(url, {"demo": migrating_module(folder), "own": migrating_module(allowed)})
        run_migrations(hub)
        assert_failed(hub, "demo", "migrate", "demo_0001", "'customers'", "outside the prefix")
        assert "demo_items" not in objects(url)
        assert hub.registry.get("own").state is ModuleState.ENABLED  # type: ignore[union-attr]
        hub.engine.dispose()


def test_foreign_key_to_core_table_and_batch_rebuild_are_allowed(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    create = (
        "op.create_table('demo_items', sa.Column('id', sa.Integer, primary_key=True),\n"
        "    sa.Column('customer_id', sa.Integer, sa.ForeignKey('customers.id',"
        " ondelete='CASCADE', name='fk_demo_items_customer_id_customers')))\n"
        "op.create_index('ix_demo_items_customer_id', 'demo_items', ['customer_id'])"
    )
    alter = (
        "with op.batch_alter_table('demo_items') as b:\n"
        "    b.add_column(sa.Column('label', sa.String(20), nullable=True))"
    )
    folder = write_revisions("demo", [create, alter])
    hub = build_hub(hub_database_url, {"demo": migrating_module(folder)})

    run_migrations(hub)

    assert hub.registry.get("demo").state is ModuleState.ENABLED  # type: ignore[union-attr]
    assert "label" in columns(hub_database_url, "demo_items")


def test_database_ahead_of_code_is_not_served_and_nothing_is_written(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    newer = write_revisions("demo", [table_sql("demo_items"), table_sql("demo_more")])
    run_migrations(build_hub(hub_database_url, {"demo": migrating_module(newer)}))
    older = write_revisions("demo", [table_sql("demo_items")])
    good = write_revisions("other", [table_sql("other_items")])

    hub = build_hub(
        hub_database_url, {"demo": migrating_module(older), "other": migrating_module(good)}
    )
    assert run_migrations(hub).failed.keys() == {"demo"}

    assert_failed(hub, "demo", "migrate", "database is newer than the code", "demo_0002")
    assert query(hub_database_url, "SELECT version_num FROM demo_alembic_version") == [
        ("demo_0002",)
    ]
    assert query(hub_database_url, "SELECT name FROM hub_module_state") == []
    assert hub.registry.get("other").state is ModuleState.ENABLED  # type: ignore[union-attr]


def test_core_migration_failure_is_fatal_with_a_clear_message(hub_database_url: str) -> None:
    hub = build_hub(hub_database_url, {})
    with hub.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE customers (id INTEGER PRIMARY KEY)")

    with pytest.raises(CoreMigrationError, match="the core's database migration failed") as info:
        run_migrations(hub)

    assert "cannot run without its tables" in str(info.value)
    hub.engine.dispose()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param("long", "limit is 32", id="revision-id-too-long"),
        pytest.param("two-heads", "2 heads", id="two-heads"),
        pytest.param("syntax", "cannot be loaded", id="syntax-error"),
        pytest.param("missing", "does not exist", id="missing-folder"),
    ],
)
def test_broken_branches_fail_only_that_module(
    hub_database_url: str, write_revisions: RevisionWriter, files: str, message: str
) -> None:
    folder = write_revisions("demo", [table_sql("demo_items")])
    first = folder / "demo_0001.py"
    if files == "long":
        first.write_text(first.read_text().replace("'demo_0001'", "'demo_" + "x" * 40 + "'"))
    elif files == "two-heads":
        text = first.read_text().replace("'demo_0001'", "'demo_0009'").replace("('demo',)", "None")
        (folder / "demo_0009.py").write_text(text)
    elif files == "syntax":
        first.write_text("def upgrade(:\n")
    else:
        folder = folder / "nope"
    good = write_revisions("other", [table_sql("other_items")])
    hub = build_hub(
        hub_database_url, {"demo": migrating_module(folder), "other": migrating_module(good)}
    )

    report = run_migrations(hub)

    assert report.failed.keys() == {"demo"}
    assert_failed(hub, "demo", "migrate", message)
    assert hub.registry.get("other").state is ModuleState.ENABLED  # type: ignore[union-attr]


def test_module_without_migrations_reports_no_revisions(hub_database_url: str) -> None:
    hub = build_hub(hub_database_url, {"plain": fake_module(register_migrations=lambda: None)})
    run_migrations(hub)
    record = hub.registry.get("plain")
    assert record is not None
    assert record.state is ModuleState.ENABLED
    assert record.migration == {"current": None, "head": None}


@pytest.mark.parametrize(
    ("hook", "message"),
    [
        pytest.param(lambda: 1 / 0, "register_migrations raised ZeroDivisionError", id="raises"),
        pytest.param(lambda: 42, "register_migrations returned int", id="wrong-type"),
    ],
)
def test_broken_register_migrations_fails_only_that_module(
    hub_database_url: str, hook: Any, message: str
) -> None:
    hub = build_hub(hub_database_url, {"demo": fake_module(register_migrations=hook)})
    run_migrations(hub)
    assert_failed(hub, "demo", "migrate", message)


def test_check_only_never_writes_and_fails_modules_behind(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    folder = write_revisions("demo", [table_sql("demo_items")])
    with pytest.raises(CoreMigrationError, match="BMC_HUB_AUTO_MIGRATE is off"):
        run_migrations(build_hub(hub_database_url, {}), None, True)
    run_migrations(build_hub(hub_database_url, {}))

    hub = build_hub(hub_database_url, {"demo": migrating_module(folder)})
    run_migrations(hub, None, True)

    record = hub.registry.get("demo")
    assert record is not None
    assert record.state is ModuleState.FAILED
    assert record.error is not None
    assert "run `bmc-hub db upgrade`" in record.error.message
    assert "demo_items" not in objects(hub_database_url)


def test_a_failing_migration_is_tried_once_per_code_not_by_every_start(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    bad = write_revisions("demo", [table_sql("demo_first"), FAIL_HALFWAY])
    first = build_hub(hub_database_url, {"demo": migrating_module(bad)})
    assert run_migrations(first).failed.keys() == {"demo"}
    code = query(hub_database_url, "SELECT migration_code FROM hub_module_state")[0][0]
    assert code and code.startswith("0+")  # the version (none in-process) and a digest
    at = query(hub_database_url, "SELECT migration_at FROM hub_module_state")

    # Another worker or replica starting with the same code: no second attempt.
    again = build_hub(hub_database_url, {"demo": migrating_module(bad)})
    report = run_migrations(again)
    assert "not tried again" in report.failed["demo"]
    record = assert_failed(again, "demo", "migrate", "boom in the middle", "not tried again")
    assert record.error is not None and "--retry demo" in record.error.message
    assert query(hub_database_url, "SELECT migration_at FROM hub_module_state") == at

    # --retry tries it (and it fails again, recorded again).
    retried = build_hub(hub_database_url, {"demo": migrating_module(bad)})
    report = run_migrations(retried, retry=["demo"])
    assert "not tried again" not in report.failed["demo"]
    assert "boom in the middle" in report.failed["demo"]
    assert query(hub_database_url, "SELECT migration_at FROM hub_module_state") != at

    # Edited revision files are new code: tried at once, and they work.
    fixed = write_revisions("demo", [table_sql("demo_first"), table_sql("demo_second")])
    hub = build_hub(hub_database_url, {"demo": migrating_module(fixed)})
    assert run_migrations(hub).ok
    assert hub.registry.get("demo").state is ModuleState.ENABLED  # type: ignore[union-attr]


def test_a_lock_timeout_is_busy_retry_and_not_recorded(
    hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    import sqlalchemy as sa

    first_only = write_revisions("demo", [table_sql("demo_items")])
    run_migrations(build_hub(hub_database_url, {"demo": migrating_module(first_only)}))
    both = write_revisions(
        "demo",
        [table_sql("demo_items"), "op.execute('ALTER TABLE demo_items ADD COLUMN note TEXT')"],
    )
    holder = sa.create_engine(hub_database_url, poolclass=sa.pool.NullPool)
    try:
        with holder.connect() as conn:
            # Another session is busy with the module's table and holds its lock.
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("INSERT INTO demo_items DEFAULT VALUES")
            else:
                conn.exec_driver_sql("LOCK TABLE demo_items IN ACCESS EXCLUSIVE MODE")
            hub = build_hub(hub_database_url, {"demo": migrating_module(both)})
            hub.settings = hub.settings.model_copy(update={"migration_busy_seconds": 1.0})
            report = run_migrations(hub)
            conn.rollback()
    finally:
        holder.dispose()
    assert report.failed["demo"].startswith("busy, retry:"), report.failed
    stages = query(hub_database_url, "SELECT migration_stage FROM hub_module_state")
    assert all(stage is None for (stage,) in stages)
    # Nothing recorded: the next start tries again, and now succeeds.
    hub = build_hub(hub_database_url, {"demo": migrating_module(both)})
    assert run_migrations(hub).ok
