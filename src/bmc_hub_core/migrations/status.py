"""``db status``: core and every module (current, head, pending, state) plus orphans.

Read-only. Version tables of modules that are no longer installed are reported as
orphans with the tables their prefix still owns, never as an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..db import is_sqlite
from ..hub import Hub
from .core import core_current, core_heads, core_pending
from .engine import module_version_table
from .runner import observe_migrations
from .tracking import module_of_version_table, read_currents, version_tables


def _core(hub: Hub) -> dict[str, Any]:
    current = sorted(core_current(hub.engine))
    return {
        "current": current[0] if current else None,
        "head": sorted(core_heads())[0],
        "pending": core_pending(hub.engine),
    }


def _owned_tables(tables: list[str], name: str, longer: list[str]) -> list[str]:
    """Tables under ``name_`` that no longer-named installed module owns."""
    return [
        t
        for t in tables
        if t.startswith(f"{name}_")
        and t != f"{name}_alembic_version"
        and not any(t.startswith(f"{other}_") for other in longer)
    ]


def _missing_sqlite_file(hub: Hub) -> bool:
    database = hub.engine.url.database
    return (
        is_sqlite(hub.engine.url)
        and database not in (None, "", ":memory:")
        and not database.startswith("file:")
        and not Path(database).exists()
    )


def database_status(hub: Hub) -> dict[str, Any]:
    """Everything ``bmc-hub db status`` shows, as JSON-ready data."""
    shown_url = hub.engine.url.render_as_string(hide_password=True)
    if _missing_sqlite_file(hub):
        # Connecting would create the file; an empty in-memory database reads the same.
        hub.engine = sa.create_engine("sqlite://")
    branches, currents = observe_migrations(hub)
    modules = []
    with hub.engine.connect() as conn:
        inspector = sa.inspect(conn)
        tables = sorted([*inspector.get_table_names(), *inspector.get_view_names()])
        existing = version_tables(conn)
        # Modules without a loaded branch, and orphans: every version table in one read.
        stored = read_currents(conn, sorted(existing), existing)
        for record in hub.registry:
            branch = branches.get(record.name)
            current = (
                currents.get(record.name)
                if branch is not None
                else stored.get(module_version_table(record.name))
            ) or ()
            pending: int | None = None
            if branch is not None and branch.ahead_error(current) is None:
                pending = len(branch.pending(current))
            elif record.name in branches:
                pending = 0
            modules.append(
                {
                    "name": record.name,
                    "state": record.state.value,
                    "current": current[0] if current else None,
                    "head": branch.head if branch is not None else None,
                    "pending": pending,
                    "error": record.error.as_dict() if record.error else None,
                }
            )
        installed = {r.name for r in hub.registry if r.candidate is not None or r.loaded}
        orphans = []
        for table in sorted(existing):
            name = module_of_version_table(table)
            if name is None or name in installed:
                continue
            longer = [n for n in installed if n.startswith(f"{name}_")]
            orphans.append(
                {
                    "name": name,
                    "version_table": table,
                    "current": (stored[table] or (None,))[0],
                    "tables": _owned_tables(tables, name, longer),
                }
            )
    return {
        "database": shown_url,
        "core": _core(hub),
        "modules": modules,
        "orphans": orphans,
    }


__all__ = ["database_status"]
