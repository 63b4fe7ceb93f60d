"""Module sessions: real commits, or DRY_RUN sessions that never reach the database.

Kept apart from :mod:`.db` so that only code that opens a session imports the ORM.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .db import is_sqlite


class DryRunSession(Session):
    """A session inside an outer transaction that is always rolled back.

    Commits (``session.commit()``, ``with session.begin():``) only release a SAVEPOINT;
    ``close()`` rolls the outer transaction back, so nothing ever reaches the database.
    """

    def __init__(self, bind: Engine, **kwargs: Any) -> None:
        self._dry_connection = bind.connect()
        self._dry_sqlite = is_sqlite(bind.url)
        if self._dry_sqlite:
            # pysqlite would let the first SAVEPOINT open, and its RELEASE commit, the
            # transaction; take transaction control from the driver (SQLAlchemy recipe).
            self._dry_connection.connection.dbapi_connection.isolation_level = None  # type: ignore[union-attr]
        self._dry_outer = self._dry_connection.begin()
        if self._dry_sqlite:
            self._dry_connection.exec_driver_sql("BEGIN")
        super().__init__(
            bind=self._dry_connection, join_transaction_mode="create_savepoint", **kwargs
        )

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._dry_outer.is_active:
                self._dry_outer.rollback()
            if self._dry_sqlite:
                self._dry_connection.connection.dbapi_connection.isolation_level = ""  # type: ignore[union-attr]
            self._dry_connection.close()


def session_factory(engine: Engine, *, dry_run: bool) -> sessionmaker[Session]:
    """A module's ``session()``: real commits, or dry-run rollbacks when DRY_RUN is on."""
    if dry_run:
        return sessionmaker(bind=engine, class_=DryRunSession, expire_on_commit=False)
    return sessionmaker(bind=engine, expire_on_commit=False)
