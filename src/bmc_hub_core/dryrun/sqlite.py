"""SQLite connections (``sqlite3.connect(factory=...)``) with a DRY_RUN mode.

See :mod:`.drivers` for what DRY_RUN means for a connection.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Self

from .common import check_sql, violation
from .statements import reads_only


class HubSqliteCursor(sqlite3.Cursor):
    """Checks raw SQL while its connection is in DRY_RUN, and opens the connection's
    transaction before the first statement of one that could write."""

    def _ready(self, sql: str) -> None:
        connection = self.connection
        module = getattr(connection, "dry_run_module", None)
        if module is None:
            return
        check_sql(module, sql)
        # A plain SELECT writes nothing: it runs as it would outside DRY_RUN, and a
        # request that only reads sends no BEGIN and no ROLLBACK.
        pending = getattr(connection, "begin_pending", False)
        if pending and not (isinstance(sql, str) and reads_only(sql)):
            _begin(connection)

    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        self._ready(sql)
        super().execute(sql, parameters)
        return self

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Self:
        self._ready(sql)
        super().executemany(sql, seq_of_parameters)
        return self

    def executescript(self, sql_script: str, /) -> Self:
        module = getattr(self.connection, "dry_run_module", None)
        if module is not None:
            raise violation(module, "executescript() (it commits first)")
        super().executescript(sql_script)
        return self


#: The driver's own descriptor (set in C; setting it commits an open transaction).
_BASE_ISOLATION: Any = sqlite3.Connection.__dict__["isolation_level"]


def _begin(connection: Any) -> None:
    # A plain driver cursor: the hub's own BEGIN is not the module's transaction control.
    connection.begin_pending = False
    sqlite3.Cursor(connection).execute("BEGIN")


class HubSqliteConnection(sqlite3.Connection):
    """``sqlite3.Connection`` with a DRY_RUN mode (see the module docstring)."""

    dry_run_module: str | None = None
    #: In DRY_RUN, the next statement that could write opens a transaction first (none
    #: runs in autocommit; a plain SELECT may).
    begin_pending: bool = False

    def cursor(self, factory: Any = HubSqliteCursor) -> Any:
        if self.dry_run_module is not None and not issubclass(factory, HubSqliteCursor):
            raise violation(self.dry_run_module, f"a cursor of class {factory.__name__}")
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        return self.cursor().executemany(sql, parameters)

    def executescript(self, sql_script: str, /) -> Any:
        return self.cursor().executescript(sql_script)

    def blobopen(self, *args: Any, **kwargs: Any) -> Any:
        # A blob write is a write too: it must land in the DRY_RUN transaction.
        if self.begin_pending:
            _begin(self)
        return super().blobopen(*args, **kwargs)

    def commit(self) -> None:
        if self.dry_run_module is None:
            super().commit()

    def rollback(self) -> None:
        super().rollback()
        if self.dry_run_module is not None:
            # The next transaction opens with the next statement: a session's rollback,
            # then the pool's on return, then the hub's own cost no round of BEGINs.
            self.begin_pending = True

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        if self.dry_run_module is None:
            return super().__exit__(exc_type, exc, tb)
        # The driver's own __exit__ commits in C, past the commit() above.
        if exc_type is None:
            self.commit()
        else:
            self.rollback()
        return False

    @property  # type: ignore[override]
    def isolation_level(self) -> str | None:
        return _BASE_ISOLATION.__get__(self, type(self))  # type: ignore[no-any-return]

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        # Setting it commits the open transaction (in C), so it is refused in DRY_RUN.
        if self.dry_run_module is not None:
            raise violation(self.dry_run_module, "changing isolation_level")
        _BASE_ISOLATION.__set__(self, value)

    def _start_dry_run(self, module: str) -> None:
        self._saved_isolation = _BASE_ISOLATION.__get__(self, type(self))
        _BASE_ISOLATION.__set__(self, None)  # the hub controls the transaction itself
        self.dry_run_module = module
        self.begin_pending = True

    def _finish_dry_run(self) -> None:
        self.dry_run_module = None
        self.begin_pending = False
        sqlite3.Connection.rollback(self)  # nothing is sent when no transaction is open
        _BASE_ISOLATION.__set__(self, self._saved_isolation)
