"""Module-scoped metadata and the DRY_RUN session, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from bmc_hub_core import module_metadata
from bmc_hub_core.context import ModuleContext
from bmc_hub_core.db import make_engine, parse_url
from bmc_hub_core.errors import ConfigError, ModuleNameError
from bmc_hub_core.hub import Hub
from bmc_hub_core.module_settings import ModuleSettings
from bmc_hub_core.settings import Settings


def test_module_metadata_refuses_a_table_outside_the_prefix() -> None:
    metadata = module_metadata("billing")
    sa.Table("billing_invoices", metadata, sa.Column("id", sa.Integer, primary_key=True))
    with pytest.raises(ModuleNameError, match=r"must start with 'billing_'.*'billing_invoices'"):
        sa.Table("invoices", metadata, sa.Column("id", sa.Integer, primary_key=True))


def test_plain_metadata_is_unaffected() -> None:
    sa.Table("anything", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))


def test_naming_convention_carries_the_table_name() -> None:
    metadata = module_metadata("billing")
    table = sa.Table(
        "billing_lines",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sku", sa.String(20), index=True, unique=True),
    )
    names = {str(c.name) for c in table.constraints} | {str(i.name) for i in table.indexes}
    assert "pk_billing_lines" in names
    assert all("billing_lines" in n for n in names)


@pytest.mark.parametrize(
    "url", ["not a url", "postgresql://hub:s3cret@db:notaport/hub", "://hub:s3cret@db"]
)
def test_bad_database_url_names_the_variable(url: str) -> None:
    with pytest.raises(ConfigError, match="BMC_HUB_DATABASE_URL") as info:
        make_engine(url)
    assert "s3cret" not in str(info.value)


def test_postgresql_without_a_driver_means_psycopg2() -> None:
    assert parse_url("postgresql://hub@db/hub").drivername == "postgresql+psycopg2"
    assert parse_url("postgresql+psycopg2://hub@db/hub").drivername == "postgresql+psycopg2"
    assert parse_url("sqlite:///hub.db").drivername == "sqlite"


def test_a_driver_that_is_not_installed_is_named() -> None:
    with pytest.raises(ConfigError) as info:
        make_engine("postgresql+asyncpg://hub:s3cret@db/hub")
    assert "'postgresql+asyncpg', which is not installed" in str(info.value)
    assert "postgresql+psycopg2://" in str(info.value)


def _context(url: str, *, dry_run: bool) -> tuple[ModuleContext, sa.Table]:
    hub = Hub(Settings(_env_file=None, database_url=url), make_engine(url))  # type: ignore[call-arg]
    metadata = module_metadata("notes")
    table = sa.Table(
        "notes_items",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.String(50)),
    )
    metadata.create_all(hub.engine)
    context = ModuleContext(
        "notes",
        "1",
        None,
        hub.engine,
        lambda: hub.templates,
        settings=ModuleSettings(read_only=False, dry_run=dry_run),
    )
    return context, table


def _count(context: ModuleContext, table: sa.Table) -> int:
    with context.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_dry_run_session_never_writes(hub_database_url: str) -> None:
    context, table = _context(hub_database_url, dry_run=True)
    with context.session() as session:
        session.execute(sa.insert(table).values(text="one"))
        session.commit()
        # Inside the session the write is visible, so the module's logic runs for real.
        assert session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 1
        session.execute(sa.insert(table).values(text="two"))
        session.commit()
    with context.transaction() as session:
        session.execute(sa.insert(table).values(text="three"))
    assert _count(context, table) == 0
    context.engine.dispose()


def test_real_session_commits(hub_database_url: str) -> None:
    context, table = _context(hub_database_url, dry_run=False)
    with context.session() as session:
        session.execute(sa.insert(table).values(text="one"))
        session.commit()
    with context.transaction() as session:
        session.execute(sa.insert(table).values(text="two"))
    assert _count(context, table) == 2
    context.engine.dispose()


def test_context_helpers(tmp_path: Path) -> None:
    context, _ = _context(f"sqlite:///{tmp_path / 'hub.db'}", dry_run=True)
    assert context.table("items") == "notes_items"
    assert context.table_prefix == "notes_"
    assert context.logger.name == "bmc_hub.modules.notes"
    assert context.read_only is False and context.dry_run is True


def test_postgres_engines_pre_ping_unless_told_not_to() -> None:
    from bmc_hub_core.db import make_engine

    url = "postgresql+psycopg2://u@127.0.0.1:1/none"  # never connected to
    assert make_engine(url).pool._pre_ping is True
    assert make_engine(url, pre_ping=False).pool._pre_ping is False


def test_the_setting_reaches_the_hubs_engine(hub_settings) -> None:  # type: ignore[no-untyped-def]
    from bmc_hub_core.hub import Hub

    settings = hub_settings.model_copy(
        update={
            "database_url": "postgresql+psycopg2://u@127.0.0.1:1/none",
            "database_pre_ping": False,
        }
    )
    assert Hub.build(settings).engine.pool._pre_ping is False
