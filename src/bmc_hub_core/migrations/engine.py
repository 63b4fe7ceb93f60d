"""The migration-only engine and the Alembic ``Config`` the core builds in code."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..db import is_sqlite

ENV_DIR = Path(__file__).resolve().parent
CORE_VERSIONS = ENV_DIR / "versions"
CORE_VERSION_TABLE = "alembic_version"

#: Alembic's ``context``/``op`` are process-global proxies: one migration at a time.
ALEMBIC_THREAD_LOCK = threading.RLock()


def _sqlite_no_driver_transactions(busy_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite commits before DDL on its own; take transaction control away from it
        # so a failed module leaves no partial tables (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        # Batch "move and copy" needs FKs off; it is a no-op inside a transaction, so set
        # it here, before BEGIN. ``PRAGMA foreign_key_check`` runs before COMMIT instead.
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.close()

    return on_connect


def _sqlite_begin_immediate(conn: sa.Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def migration_engine(app_engine: Engine, busy_seconds: float = 30.0) -> Engine:
    """A separate engine for migrations (never the app's: BEGIN IMMEDIATE blocks readers).

    On SQLite a statement waits ``busy_seconds`` for another session's lock.
    """
    if is_sqlite(app_engine.url):
        engine = sa.create_engine(app_engine.url, poolclass=sa.pool.NullPool)
        event.listen(engine, "connect", _sqlite_no_driver_transactions(int(busy_seconds * 1000)))
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return sa.create_engine(app_engine.url, poolclass=sa.pool.NullPool)


def make_config(
    connection: sa.Connection | Engine | None,
    *,
    versions: Path,
    version_table: str,
    prefix: str | None = None,
    metadata: sa.MetaData | None = None,
) -> Config:
    """An Alembic ``Config`` for the shared env.py; no alembic.ini is read."""
    config = Config()
    config.set_main_option("script_location", str(ENV_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "newline")
    config.set_main_option("version_locations", str(versions).replace("%", "%%"))
    config.attributes["connection"] = connection
    config.attributes["version_table"] = version_table
    config.attributes["prefix"] = prefix
    config.attributes["module_metadata"] = metadata
    return config


def module_version_table(name: str) -> str:
    """Each module's own version table: an uninstalled module never breaks the others."""
    return f"{name}_alembic_version"
