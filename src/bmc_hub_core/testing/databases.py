"""Throw-away databases for tests: a SQLite file, or a uniquely named PostgreSQL database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from ..db import parse_url


def postgres_reachable(admin_url: str) -> str | None:
    """None when ``admin_url`` answers, else the reason (one line)."""
    engine = sa.create_engine(
        parse_url(admin_url), poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 3}
    )
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    finally:
        engine.dispose()
    return None


@contextmanager
def temporary_postgres_database(admin_url: str) -> Iterator[str]:
    """Create ``bmc_hub_test_<random>`` next to ``admin_url``'s database; drop it after."""
    name = f"bmc_hub_test_{uuid.uuid4().hex[:12]}"
    url = parse_url(admin_url)  # postgresql:// means psycopg2, as for the hub
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'hub.db'}"
