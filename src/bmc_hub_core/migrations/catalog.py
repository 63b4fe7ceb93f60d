"""Catalog snapshots: every schema object with its owner table and a fingerprint.

The sandbox compares two snapshots taken on the migration connection, inside the
module's transaction, so it also sees what raw ``op.execute`` SQL did.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class CatalogObject:
    """One object: its kind, name, the table it belongs to (indexes, triggers) and shape."""

    kind: str
    name: str
    table: str | None
    fingerprint: str

    @property
    def label(self) -> str:
        on = f" on table '{self.table}'" if self.table and self.table != self.name else ""
        return f"{self.kind} '{self.name}'{on}"


#: (kind, schema-qualified name) → object.
Catalog = dict[tuple[str, str], CatalogObject]

_PG_KINDS = {
    "r": "table",
    "p": "table",
    "v": "view",
    "m": "view",
    "S": "sequence",
    "i": "index",
    "I": "index",
    "f": "table",
    "c": "type",
}

_PG_SYSTEM = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"

_PG_RELATIONS = f"""
SELECT c.oid, n.nspname, c.relname, c.relkind, t.relname AS owner,
       CASE WHEN c.relkind IN ('i', 'I') THEN pg_get_indexdef(c.oid)
            WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid)
            -- TRUNCATE gives a table a new file: rows counters do not see it, this does.
            WHEN c.relkind = 'r' THEN c.relfilenode::text
            ELSE '' END
       -- Grants, owner and row security are changes too (GRANT ALL ON customers ...).
       || ' ' || coalesce(c.relacl::text, '') || ' ' || c.relowner::text
       || ' ' || c.relrowsecurity::text AS definition
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = c.oid
LEFT JOIN pg_class t ON t.oid = i.indrelid
WHERE {_PG_SYSTEM} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'I', 'f', 'c')
"""

_PG_COLUMNS = f"""
SELECT a.attrelid, string_agg(
    a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull::text
    || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE {_PG_SYSTEM} AND a.attnum > 0 AND NOT a.attisdropped
GROUP BY a.attrelid
"""

# Constraints count for the table they are defined on (conrelid): a module's foreign
# key to ``customers`` changes the module's table, not ``customers``.
_PG_CONSTRAINTS = f"""
SELECT co.conrelid, string_agg(co.conname || ' ' || pg_get_constraintdef(co.oid), ', '
                               ORDER BY co.conname)
FROM pg_constraint co
JOIN pg_namespace n ON n.oid = co.connamespace
WHERE {_PG_SYSTEM} AND co.conrelid <> 0
GROUP BY co.conrelid
"""

# Internal triggers are how PostgreSQL implements foreign keys: skip them. tgenabled
# catches ALTER TABLE ... DISABLE TRIGGER.
_PG_TRIGGERS = f"""
SELECT tg.tgrelid, string_agg(tg.tgname || ' ' || tg.tgenabled::text || ' '
                              || pg_get_triggerdef(tg.oid), ', ' ORDER BY tg.tgname)
FROM pg_trigger tg
JOIN pg_class c ON c.oid = tg.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_PG_SYSTEM} AND NOT tg.tgisinternal
GROUP BY tg.tgrelid
"""

# Rewrite rules other than a view's own (CREATE RULE ... ON INSERT TO customers DO
# INSTEAD NOTHING would make inserts vanish).
_PG_RULES = f"""
SELECT r.ev_class, string_agg(r.rulename || ' ' || r.ev_enabled::text || ' '
                              || pg_get_ruledef(r.oid), ', ' ORDER BY r.rulename)
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_PG_SYSTEM} AND r.rulename <> '_RETURN'
GROUP BY r.ev_class
"""

# Row-security policies (relrowsecurity alone does not say what they allow).
_PG_POLICIES = f"""
SELECT p.polrelid, string_agg(p.polname || ' ' || p.polcmd::text || ' ' || p.polpermissive::text
       || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' '
       || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''), ', ' ORDER BY p.polname)
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_PG_SYSTEM}
GROUP BY p.polrelid
"""

# Comments on relations and their columns (objsubid is the column number).
_PG_COMMENTS = f"""
SELECT d.objoid, string_agg(d.objsubid::text || ':' || d.description, ', '
                            ORDER BY d.objsubid)
FROM pg_description d
JOIN pg_class c ON c.oid = d.objoid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE d.classoid = 'pg_class'::regclass AND {_PG_SYSTEM}
GROUP BY d.objoid
"""

_PG_TYPES = f"""
SELECT n.nspname, t.typname, t.typtype::text || ' ' || coalesce(string_agg(e.enumlabel, ','
       ORDER BY e.enumsortorder), '') || ' ' || coalesce(format_type(t.typbasetype, NULL), '')
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE {_PG_SYSTEM} AND t.typtype IN ('e', 'd', 'r', 'm')
GROUP BY n.nspname, t.typname, t.typtype, t.typbasetype
"""

_PG_FUNCTIONS = f"""
SELECT n.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       md5(coalesce(p.prosrc, ''))
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_depend dep ON dep.objid = p.oid AND dep.deptype = 'e'
WHERE {_PG_SYSTEM} AND dep.objid IS NULL
"""

_PG_SCHEMAS = f"SELECT n.nspname FROM pg_namespace n WHERE {_PG_SYSTEM}"


def _qualified(schema: str, name: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"


def _pairs(conn: sa.Connection, sql: str) -> dict[int, str]:
    return {int(key): str(value) for key, value in conn.execute(sa.text(sql))}


def _postgres(conn: sa.Connection) -> Catalog:
    columns: dict[int, str] = _pairs(conn, _PG_COLUMNS)
    constraints: dict[int, str] = _pairs(conn, _PG_CONSTRAINTS)
    triggers: dict[int, str] = _pairs(conn, _PG_TRIGGERS)
    extras = [_pairs(conn, sql) for sql in (_PG_RULES, _PG_POLICIES, _PG_COMMENTS)]
    catalog: Catalog = {}
    for oid, schema, name, relkind, owner, definition in conn.execute(sa.text(_PG_RELATIONS)):
        kind = _PG_KINDS[relkind]
        shape = " | ".join(
            (
                definition or "",
                columns.get(oid, ""),
                constraints.get(oid, ""),
                triggers.get(oid, ""),
                *(extra.get(oid, "") for extra in extras),
            )
        )
        full = _qualified(schema, name)
        table = _qualified(schema, owner) if owner else (full if kind == "table" else None)
        catalog[(kind, full)] = CatalogObject(kind, full, table, shape)
    for schema, name, shape in conn.execute(sa.text(_PG_TYPES)):
        full = _qualified(schema, name)
        catalog[("type", full)] = CatalogObject("type", full, None, shape)
    for schema, name, shape in conn.execute(sa.text(_PG_FUNCTIONS)):
        full = _qualified(schema, name)
        catalog[("function", full)] = CatalogObject("function", full, None, shape)
    for (schema,) in conn.execute(sa.text(_PG_SCHEMAS)):
        if schema != "public":
            catalog[("schema", schema)] = CatalogObject("schema", schema, None, "")
    return catalog


def _sqlite(conn: sa.Connection) -> Catalog:
    catalog: Catalog = {}
    rows = conn.exec_driver_sql(
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    )
    for kind, name, table, sql in rows:
        catalog[(kind, name)] = CatalogObject(kind, name, table, sql)
    return catalog


def snapshot(conn: sa.Connection) -> Catalog:
    """Every user object of the database as the connection sees it (its transaction too)."""
    return _sqlite(conn) if conn.dialect.name == "sqlite" else _postgres(conn)


def row_writes(conn: sa.Connection) -> dict[str, int]:
    """PostgreSQL: rows written per table in the current transaction (SQLite: none).

    ``pg_stat_xact_user_tables`` also holds counters not yet flushed from earlier
    transactions of the session, so only a before/after delta inside one transaction
    means anything.
    """
    if conn.dialect.name == "sqlite":
        return {}
    rows = conn.exec_driver_sql(
        "SELECT schemaname, relname, n_tup_ins + n_tup_upd + n_tup_del "
        "FROM pg_stat_xact_user_tables"
    )
    return {_qualified(schema, name): int(count) for schema, name, count in rows}
