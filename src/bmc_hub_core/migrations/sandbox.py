"""The prefix sandbox: what a module's migration may create, change, drop and write.

Authoritative check: a catalog diff taken inside the module's transaction (so raw
``op.execute`` SQL is seen too). Every new, changed or dropped object must belong to
the module: its name starts with ``NAME_``, or, for indexes and triggers, the table it
is on does (the shared naming convention names indexes ``ix_NAME_...``). On SQLite an
authorizer also refuses writes and DDL on other tables before they run; on PostgreSQL
rows written to other tables are counted from the transaction's statistics.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from .catalog import Catalog, CatalogObject

#: Batch mode on SQLite rebuilds a table through ``_alembic_tmp_<table>``.
BATCH_TEMP_PREFIX = "_alembic_tmp_"

_INDEX_LIKE = frozenset({"index", "trigger"})


def _bare(name: str) -> str:
    return name.rpartition(".")[2]


def owns(prefix: str, obj: CatalogObject) -> bool:
    """Does the module with ``prefix`` own ``obj``?"""
    if obj.kind in _INDEX_LIKE and obj.table is not None:
        return owns_table(prefix, obj.table)
    return owns_table(prefix, obj.name)


def owns_table(prefix: str, name: str) -> bool:
    bare = _bare(name)
    return bare.startswith(prefix) or bare.startswith(BATCH_TEMP_PREFIX + prefix)


def violations(
    prefix: str,
    before: Catalog,
    after: Catalog,
    writes_before: dict[str, int] | None = None,
    writes_after: dict[str, int] | None = None,
) -> list[str]:
    """Human descriptions of everything the module did outside ``prefix``."""
    found: list[str] = []
    for key, obj in after.items():
        old = before.get(key)
        if owns(prefix, obj):
            continue
        if old is None:
            found.append(f"created {obj.label}")
        elif old.fingerprint != obj.fingerprint:
            found.append(f"changed {obj.label}")
    for key, obj in before.items():
        if key not in after and not owns(prefix, obj):
            found.append(f"dropped {obj.label}")
    for table, count in (writes_after or {}).items():
        delta = count - (writes_before or {}).get(table, 0)
        if delta > 0 and not owns_table(prefix, table):
            found.append(f"wrote {delta} row(s) into table '{table}'")
    return sorted(found)


# sqlite3 authorizer action → (what it does, which argument names the table).
_SQLITE_ACTIONS: dict[int, tuple[str, int]] = {
    sqlite3.SQLITE_INSERT: ("insert into table", 0),
    sqlite3.SQLITE_UPDATE: ("update table", 0),
    sqlite3.SQLITE_DELETE: ("delete from table", 0),
    sqlite3.SQLITE_CREATE_TABLE: ("create table", 0),
    sqlite3.SQLITE_CREATE_TEMP_TABLE: ("create table", 0),
    sqlite3.SQLITE_CREATE_VIEW: ("create view", 0),
    sqlite3.SQLITE_CREATE_TEMP_VIEW: ("create view", 0),
    sqlite3.SQLITE_DROP_TABLE: ("drop table", 0),
    sqlite3.SQLITE_DROP_TEMP_TABLE: ("drop table", 0),
    sqlite3.SQLITE_DROP_VIEW: ("drop view", 0),
    sqlite3.SQLITE_DROP_TEMP_VIEW: ("drop view", 0),
    sqlite3.SQLITE_ALTER_TABLE: ("alter table", 1),
    sqlite3.SQLITE_CREATE_INDEX: ("create an index on table", 1),
    sqlite3.SQLITE_CREATE_TEMP_INDEX: ("create an index on table", 1),
    sqlite3.SQLITE_DROP_INDEX: ("drop an index on table", 1),
    sqlite3.SQLITE_DROP_TEMP_INDEX: ("drop an index on table", 1),
    sqlite3.SQLITE_CREATE_TRIGGER: ("create a trigger on table", 1),
    sqlite3.SQLITE_CREATE_TEMP_TRIGGER: ("create a trigger on table", 1),
    sqlite3.SQLITE_DROP_TRIGGER: ("drop a trigger on table", 1),
    sqlite3.SQLITE_DROP_TEMP_TRIGGER: ("drop a trigger on table", 1),
}


class SqliteAuthorizer:
    """Refuses, at statement prepare time, writes and DDL outside the module's prefix.

    Denials are remembered so the error can name the statement's target even though
    SQLite itself only says "not authorized".
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.denied: list[str] = []

    def __call__(self, action: int, arg1: Any, arg2: Any, _db: Any, _trigger: Any) -> int:
        if action == sqlite3.SQLITE_ATTACH:
            # Another database file is outside every prefix.
            return self._deny(f"attach database {arg1!r}")
        spec = _SQLITE_ACTIONS.get(action)
        if spec is None:
            return sqlite3.SQLITE_OK
        what, index = spec
        table = (arg1, arg2)[index]
        # SQLite maintains its own tables (sqlite_master, sqlite_sequence) during DDL.
        if not table or table.startswith("sqlite_") or owns_table(self.prefix, table):
            return sqlite3.SQLITE_OK
        return self._deny(f"{what} '{table}'")

    def _deny(self, description: str) -> int:
        if description not in self.denied:
            self.denied.append(description)
        return sqlite3.SQLITE_DENY
