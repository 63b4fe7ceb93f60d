"""Reading many version tables at once, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bmc_hub_core.db import make_engine
from bmc_hub_core.migrations import tracking
from bmc_hub_core.migrations.tracking import read_current, read_currents, version_tables


def _version_table(conn: sa.Connection, name: str, *revisions: str) -> None:
    table = sa.Table(name, sa.MetaData(), sa.Column("version_num", sa.String(32)))
    table.create(conn)
    for revision in revisions:
        conn.execute(table.insert().values(version_num=revision))


@pytest.mark.parametrize("chunk", [200, 2])
def test_read_currents_matches_one_select_per_table(
    hub_database_url: str, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracking, "_UNION_CHUNK", chunk)
    engine = make_engine(hub_database_url)
    try:
        with engine.begin() as conn:
            _version_table(conn, "alpha_alembic_version", "alpha_0002")
            # Two heads at once (a merge pending) and a name that needs quoting.
            _version_table(conn, "Order_alembic_version", "b2", "a1")
            _version_table(conn, "empty_alembic_version")
            _version_table(conn, "delta_alembic_version", "delta_0001")
        with engine.connect() as conn:
            tables = [
                "alpha_alembic_version",
                "Order_alembic_version",
                "empty_alembic_version",
                "missing_alembic_version",
                "delta_alembic_version",
            ]
            found = read_currents(conn, tables)
            existing = version_tables(conn)
            one_by_one = {table: read_current(conn, table, existing) for table in tables}
        assert found == one_by_one
        assert found == {
            "alpha_alembic_version": ("alpha_0002",),
            "Order_alembic_version": ("a1", "b2"),
            "empty_alembic_version": (),
            "missing_alembic_version": (),
            "delta_alembic_version": ("delta_0001",),
        }
    finally:
        engine.dispose()


def test_read_currents_of_nothing_runs_no_query(hub_database_url: str) -> None:
    engine = make_engine(hub_database_url)
    try:
        with engine.connect() as conn:
            assert read_currents(conn, []) == {}
            assert read_currents(conn, ["gone_alembic_version"]) == {"gone_alembic_version": ()}
    finally:
        engine.dispose()
