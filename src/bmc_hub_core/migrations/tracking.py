"""Read what each version table says, without Alembic's per-call overhead.

One catalog query lists the version tables; each existing one is read with one
SELECT. Used by the lock-free precheck, ``db status`` and the orphan listing.
"""

from __future__ import annotations

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


def module_of_version_table(table: str) -> str | None:
    """``crm_alembic_version`` → ``crm`` (None for the core's ``alembic_version``)."""
    if table == CORE_VERSION_TABLE or not table.endswith(VERSION_TABLE_SUFFIX):
        return None
    return table[: -len(VERSION_TABLE_SUFFIX)]
