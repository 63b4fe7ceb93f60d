"""Small helpers shared by the migration tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bmc_hub_core.hub import Hub
from bmc_hub_core.settings import Settings

from ..fakes import fake_module


def migrating_module(folder: Path | None, **hooks: Any) -> object:
    """An in-process module whose ``register_migrations`` returns ``folder``."""
    return fake_module(register_migrations=lambda: folder, **hooks)


def build_hub(url: str, modules: dict[str, object], **overrides: Any) -> Hub:
    settings = Settings(_env_file=None, database_url=url, **overrides)  # type: ignore[call-arg]
    return Hub.build(settings, candidates={}, extra_plugins=modules)


@contextmanager
def connect(url: str) -> Iterator[sa.Connection]:
    """A connection of its own (no pool left behind), independent of the hub's engine."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def objects(url: str) -> set[str]:
    """Every table and view name in the database."""
    with connect(url) as conn:
        inspector = sa.inspect(conn)
        return {*inspector.get_table_names(), *inspector.get_view_names()}


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    with connect(url) as conn:
        return [tuple(row) for row in conn.execute(sa.text(sql))]


def columns(url: str, table: str) -> list[str]:
    with connect(url) as conn:
        return [c["name"] for c in sa.inspect(conn).get_columns(table)]
