"""Move one module's branch up or down in ONE transaction owned by the core, sandboxed.

Call it while holding the migration lock. Any error rolls the whole module back (SQLite
included: the migration-only engine makes pysqlite's DDL transactional) and is raised
as :class:`~bmc_hub_core.errors.ModuleMigrationError` naming the revision.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from ..errors import DatabaseAheadError, MigrationBusy, ModuleMigrationError, SandboxViolation
from .branch import Branch, alembic_uses_module_scripts
from .catalog import Catalog, row_writes, snapshot
from .engine import ALEMBIC_THREAD_LOCK, migration_engine
from .sandbox import SqliteAuthorizer, violations
from .tracking import read_current

log = logging.getLogger(__name__)

#: A module whose DDL waits this long on a busy table gives up ("busy, retry") instead
#: of stalling startup (``BMC_HUB_MIGRATION_BUSY_SECONDS``).
BUSY_SECONDS = 10.0


@dataclass
class _Watch:
    """Per-step sandbox check (``on_version_apply``) and attribution of errors."""

    branch: Branch
    conn: sa.Connection
    catalog: Catalog
    writes: dict[str, int]
    authorizer: SqliteAuthorizer | None
    applied: list[str] = field(default_factory=list)

    def __call__(self, *, step: Any, **_kw: Any) -> None:
        # Upgrading or downgrading, ``up_revision_id`` is the revision this step ran.
        self.applied.append(step.up_revision_id)
        after = snapshot(self.conn)
        writes = row_writes(self.conn)
        found = violations(self.branch.prefix, self.catalog, after, self.writes, writes)
        if found:
            raise SandboxViolation(
                f"revision {step.up_revision_id} touched objects outside the prefix "
                f"'{self.branch.prefix}': {'; '.join(found)}"
            )
        self.catalog, self.writes = after, writes
        log.debug("module '%s': ran revision %s", self.branch.name, step.up_revision_id)


def _failing_revision(steps: list[str], watch: _Watch | None) -> str | None:
    done = len(watch.applied) if watch else 0
    return steps[done] if done < len(steps) else (steps[-1] if steps else None)


def _error(exc: BaseException, steps: list[str], watch: _Watch | None) -> ModuleMigrationError:
    """The module's error: names the failing revision, and the refused objects if any."""
    failing = _failing_revision(steps, watch)
    if watch is not None and watch.authorizer is not None and watch.authorizer.denied:
        # SQLite itself only says "not authorized"; the authorizer remembers what.
        return SandboxViolation(
            f"revision {failing} touched objects outside the prefix '{watch.branch.prefix}': "
            f"refused to {'; '.join(watch.authorizer.denied)}"
        )
    where = f"revision {failing} failed: " if failing else ""
    if isinstance(exc, ModuleMigrationError):
        return ModuleMigrationError(f"{where}{exc}")
    return ModuleMigrationError(f"{where}{type(exc).__name__}: {_one_line(exc)}")


def _one_line(exc: BaseException) -> str:
    """SQLAlchemy's message without its trailing link, on one line (it is stored and shown)."""
    text = str(exc).split("\n(Background on this error at:")[0]
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def _busy(exc: BaseException) -> bool:
    """A lock wait ran out: PostgreSQL's lock_timeout (55P03) or SQLite's busy timeout."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "pgcode", None) == "55P03":
        return True
    return "database is locked" in str(orig or exc)


def _foreign_key_check(conn: sa.Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        shown = ", ".join(f"{row[0]} row {row[1]} -> {row[2]}" for row in broken[:5])
        raise ModuleMigrationError(f"foreign key check failed: {shown}")


def move(
    app_engine: Engine,
    branch: Branch,
    target: str,
    *,
    upgrade: bool | None = None,
    drop_version_table: bool = False,
    busy_seconds: float = BUSY_SECONDS,
) -> tuple[str, list[str]]:
    """Upgrade (``target='heads'`` or a revision) or downgrade the branch atomically.

    ``upgrade`` defaults to ``target == 'heads'``; pass True to upgrade to a revision.

    Returns the revision now current (``''`` at base) and the revisions run (none when
    another process got there first). Raises ModuleMigrationError.
    """
    engine = migration_engine(app_engine, busy_seconds)
    upgrading = target == "heads" if upgrade is None else upgrade
    watch: _Watch | None = None
    steps: list[str] = []
    try:
        with ALEMBIC_THREAD_LOCK, engine.connect() as conn:
            authorizer = None
            if conn.dialect.name == "sqlite":
                authorizer = SqliteAuthorizer(branch.prefix)
                raw: Any = conn.connection.dbapi_connection
                raw.set_authorizer(authorizer)
            try:
                with conn.begin():
                    if conn.dialect.name == "postgresql":
                        waited = f"{int(busy_seconds * 1000)}ms"
                        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{waited}'")
                    current = read_current(conn, branch.version_table)
                    ahead = branch.ahead_error(current)
                    if ahead is not None:
                        raise ahead
                    steps = _plan(branch, current, target, upgrading)
                    if not steps and not drop_version_table:
                        return (current[0] if current else "", [])
                    watch = _Watch(branch, conn, snapshot(conn), row_writes(conn), authorizer)
                    config = branch.config(conn)
                    config.attributes["on_version_apply"] = watch
                    with alembic_uses_module_scripts(branch.versions):
                        if upgrading:
                            command.upgrade(config, target)
                        else:
                            command.downgrade(config, target)
                    if drop_version_table:
                        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{branch.version_table}"')
                    _foreign_key_check(conn)
                    now = read_current(conn, branch.version_table) if not drop_version_table else ()
            finally:
                if authorizer is not None:
                    raw.set_authorizer(None)
    except (SandboxViolation, DatabaseAheadError):
        raise
    # Revision files are module code: whatever they raise fails this module only.
    except Exception as exc:
        if _busy(exc):
            failing = _failing_revision(steps, watch)
            raise MigrationBusy(
                f"busy, retry: {f'revision {failing}' if failing else 'the migration'} "
                f"waited {busy_seconds:g}s for a lock another session holds "
                f"({_one_line(exc)}); "
                "nothing was changed and the next start or `bmc-hub db upgrade` tries again"
            ) from exc
        raise _error(exc, steps, watch) from exc
    finally:
        engine.dispose()
    return (now[0] if now else "", steps)


def _plan(branch: Branch, current: tuple[str, ...], target: str, upgrading: bool) -> list[str]:
    """The revisions this move applies (upgrade) or removes (downgrade), in order."""
    if upgrading:
        pending = branch.pending(current)
        if target == "heads":
            return pending
        wanted = branch.applied((target,))
        return [rev for rev in pending if rev in wanted]
    done = branch.applied(current)
    if target == "base":
        keep: set[str] = set()
    elif target.startswith("-"):
        ordered = [r for r in branch.order if r in done]
        keep = set(ordered[: max(len(ordered) - int(target[1:]), 0)])
    else:
        resolved = branch.script.get_revision(target)
        if resolved is None:
            raise ModuleMigrationError(f"unknown revision {target!r}")
        keep = branch.applied((resolved.revision,))
    return [r for r in reversed(branch.order) if r in done and r not in keep]
