"""psycopg2 connections (``psycopg2.connect(connection_factory=...)``) with a DRY_RUN mode.

See :mod:`.drivers` for what DRY_RUN means for a connection. Imported only for
PostgreSQL databases.
"""

from __future__ import annotations

from typing import Any

import psycopg2.extensions as pg

from .common import check_sql, violation


class HubPgCursor(pg.cursor):  # type: ignore[misc]
    """Checks raw SQL while its connection is in DRY_RUN."""

    def _module(self) -> str | None:
        return getattr(self.connection, "dry_run_module", None)

    def execute(self, query: Any, vars: Any = None) -> Any:
        module = self._module()
        if module is not None:
            check_sql(module, query if isinstance(query, str | bytes) else _text(self, query))
        return super().execute(query, vars)

    def executemany(self, query: Any, vars_list: Any) -> Any:
        module = self._module()
        if module is not None:
            check_sql(module, query if isinstance(query, str | bytes) else _text(self, query))
        return super().executemany(query, vars_list)


def _text(cursor: Any, query: Any) -> str:
    as_string = getattr(query, "as_string", None)
    return str(as_string(cursor) if as_string is not None else query)


#: The driver's own descriptor for ``autocommit``.
_BASE_AUTOCOMMIT: Any = pg.connection.__dict__["autocommit"]


class HubPgConnection(pg.connection):  # type: ignore[misc]
    """``psycopg2`` connection with a DRY_RUN mode (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dry_run_module: str | None = None
        self.cursor_factory = HubPgCursor

    def cursor(self, *args: Any, **kwargs: Any) -> Any:
        # cursor(name=None, cursor_factory=None, ...): keep the checks in any factory.
        if len(args) > 1:
            kwargs["cursor_factory"], args = args[1], args[:1]
        factory = kwargs.get("cursor_factory")
        if factory is not None and not issubclass(factory, HubPgCursor):
            kwargs["cursor_factory"] = _checked_cursor_class(factory)
        return super().cursor(*args, **kwargs)

    def commit(self) -> None:
        if self.dry_run_module is None:
            super().commit()

    @property
    def autocommit(self) -> bool:
        return bool(_BASE_AUTOCOMMIT.__get__(self, type(self)))

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        if value and self.dry_run_module is not None:
            raise violation(self.dry_run_module, "switching to autocommit")
        _BASE_AUTOCOMMIT.__set__(self, value)

    def set_session(self, *args: Any, **kwargs: Any) -> None:
        if self.dry_run_module is not None and kwargs.get("autocommit"):
            raise violation(self.dry_run_module, "switching to autocommit")
        super().set_session(*args, **kwargs)

    def set_isolation_level(self, level: int) -> None:
        if self.dry_run_module is not None and level == pg.ISOLATION_LEVEL_AUTOCOMMIT:
            raise violation(self.dry_run_module, "switching to autocommit")
        super().set_isolation_level(level)

    def tpc_begin(self, xid: Any) -> None:
        if self.dry_run_module is not None:
            raise violation(self.dry_run_module, "a two-phase transaction")
        super().tpc_begin(xid)

    def _start_dry_run(self, module: str) -> None:
        self.dry_run_module = module

    def _finish_dry_run(self) -> None:
        self.dry_run_module = None
        pg.connection.rollback(self)


_CHECKED: dict[type, type] = {}


def _checked_cursor_class(factory: type) -> type:
    """``factory`` (e.g. ``RealDictCursor``) with the DRY_RUN checks mixed in."""
    checked = _CHECKED.get(factory)
    if checked is None:
        checked = _CHECKED[factory] = type(f"Hub{factory.__name__}", (HubPgCursor, factory), {})
    return checked
