"""Read what each version table says, without Alembic's per-call overhead.

One catalog query lists the version tables; all of them are then read with one
``UNION ALL`` statement. Used by the lock-free precheck, ``db status`` and the orphan
listing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa

from .engine import CORE_VERSION_TABLE

VERSION_TABLE_SUFFIX = "_alembic_version"


def version_tables(conn: sa.Connection) -> set[str]:
    """Names of every ``*alembic_version`` table in the default schema."""
    return {
        name
        for name in sa.inspect(conn).get_table_names()
        if name.endswith(VERSION_TABLE_SUFFIX) or name == CORE_VERSION_TABLE
    }


def read_current(
    conn: sa.Connection, table: str, existing: set[str] | None = None
) -> tuple[str, ...]:
    """The revisions recorded in ``table`` (empty when the table does not exist)."""
    if existing is None:
        existing = version_tables(conn)
    if table not in existing:
        return ()
    query = sa.select(sa.column("version_num", sa.String)).select_from(sa.table(table))
    return tuple(sorted(str(value) for value in conn.execute(query).scalars()))


#: SQLite refuses a compound SELECT of more than 500 parts; read in chunks well below.
_UNION_CHUNK = 200


def read_currents(
    conn: sa.Connection, tables: Iterable[str], existing: set[str] | None = None
) -> dict[str, tuple[str, ...]]:
    """table → its revisions, for many version tables in one statement (per 200 tables).

    Tables that do not exist read as empty.
    """
    if existing is None:
        existing = version_tables(conn)
    wanted = list(dict.fromkeys(tables))
    present = [table for table in wanted if table in existing]
    found: dict[str, list[str]] = defaultdict(list)
    quote = conn.dialect.identifier_preparer.quote
    for start in range(0, len(present), _UNION_CHUNK):
        chunk = present[start : start + _UNION_CHUNK]
        # Plain SQL: compiling 50 SQLAlchemy selects costs more than running them.
        sql = " UNION ALL ".join(
            f"SELECT {index} AS t, version_num FROM {quote(table)}"
            for index, table in enumerate(chunk)
        )
        for index, version in conn.exec_driver_sql(sql):
            found[chunk[index]].append(str(version))
    return {table: tuple(sorted(found.get(table, ()))) for table in wanted}


def module_of_version_table(table: str) -> str | None:
    """``crm_alembic_version`` → ``crm`` (None for the core's ``alembic_version``)."""
    if table == CORE_VERSION_TABLE or not table.endswith(VERSION_TABLE_SUFFIX):
        return None
    return table[: -len(VERSION_TABLE_SUFFIX)]
