"""One migration run at a time across processes and replicas.

PostgreSQL: a session-level advisory lock on a dedicated connection (it survives the
per-module transactions in between). SQLite: a file lock next to the database file;
each transaction also starts with ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..db import is_sqlite
from ..errors import MigrationLockTimeout

#: A stable 63-bit key: blake2b of the project's lock name.
ADVISORY_KEY = (
    int.from_bytes(hashlib.blake2b(b"bmc_hub:migrations:v1", digest_size=8).digest(), "big") >> 1
)


def sqlite_lock_path(engine: Engine) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).resolve().with_name(Path(database).name + ".migrate.lock")


@contextmanager
def migration_lock(engine: Engine, timeout: float) -> Iterator[None]:
    """Hold the hub-wide migration lock for the duration of the block."""
    if is_sqlite(engine.url):
        path = sqlite_lock_path(engine)
        if path is None:
            yield
            return
        from filelock import FileLock
        from filelock import Timeout as FileLockTimeout

        lock = FileLock(str(path))
        try:
            lock.acquire(timeout=timeout)
        except FileLockTimeout:
            raise MigrationLockTimeout(
                f"another process has held the migration lock {path} for over {timeout:g}s; "
                "wait for it to finish or raise BMC_HUB_MIGRATION_LOCK_TIMEOUT"
            ) from None
        try:
            yield
        finally:
            lock.release()
        return
    # A dedicated, unpooled connection: a session lock must never go back to a pool
    # (another checkout could not release it), and closing the session releases it.
    dedicated = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
    try:
        with dedicated.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            deadline = time.monotonic() + timeout
            while not conn.execute(
                sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}
            ).scalar():
                if time.monotonic() > deadline:
                    raise MigrationLockTimeout(
                        f"another process has held the migration advisory lock "
                        f"({ADVISORY_KEY}) for over {timeout:g}s; wait for it or raise "
                        "BMC_HUB_MIGRATION_LOCK_TIMEOUT"
                    )
                time.sleep(0.1)
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
    finally:
        dedicated.dispose()
