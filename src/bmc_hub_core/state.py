"""Persisted runtime toggles (``hub_module_state``) and the per-worker poller.

Every worker and replica re-reads the table when it changed and swaps the gate's mapping
atomically. On PostgreSQL a toggle also sends a notification every worker listens for
(:mod:`.listener`), so it applies at once; the poll (``BMC_HUB_STATE_POLL_SECONDS``)
stays as the fallback for SQLite and for a lost notification. The table is tiny (one
row per module), so reading it whole is cheap and cannot miss a change.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from .db import hub_module_state, utcnow
from .listener import CHANNEL
from .registry import Registry
from .types import ModuleState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StateRow:
    name: str
    enabled: bool | None
    changed_at: str | None
    changed_by: str | None
    reason: str | None
    change_seq: int
    migration_stage: str | None = None
    migration_error: str | None = None
    migration_revision: str | None = None
    migration_at: str | None = None


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    # SQLite drops the zone of what utcnow() wrote; every timestamp here is UTC.
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()


def read_rows(engine: Engine) -> dict[str, StateRow]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(hub_module_state)).mappings().all()
    return {
        row["name"]: StateRow(
            name=row["name"],
            enabled=row["enabled"],
            changed_at=_iso(row["changed_at"]),
            changed_by=row["changed_by"],
            reason=row["reason"],
            change_seq=int(row["change_seq"] or 0),
            migration_stage=row["migration_stage"],
            migration_error=row["migration_error"],
            migration_revision=row["migration_revision"],
            migration_at=_iso(row["migration_at"]),
        )
        for row in rows
    }


def fingerprint(rows: dict[str, StateRow]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((name, row.change_seq) for name, row in rows.items()))


def write_toggle(engine: Engine, name: str, *, enabled: bool, by: str, reason: str | None) -> None:
    """Persist an admin decision; ``change_seq`` bumps so every poller sees it."""
    values = {"enabled": enabled, "changed_at": utcnow(), "changed_by": by, "reason": reason}
    # Two workers may insert the first row for a module at the same moment: the loser's
    # INSERT fails on the primary key and its retry finds the row to update.
    for attempt in (1, 2):
        try:
            with engine.begin() as conn:
                updated = conn.execute(
                    sa.update(hub_module_state)
                    .where(hub_module_state.c.name == name)
                    .values(**values, change_seq=hub_module_state.c.change_seq + 1)
                ).rowcount
                if not updated:
                    conn.execute(
                        sa.insert(hub_module_state).values(name=name, change_seq=1, **values)
                    )
                if conn.dialect.name == "postgresql":
                    # Delivered at COMMIT to every worker listening (listener.py).
                    conn.execute(sa.select(sa.func.pg_notify(CHANNEL, name)))
            return
        except IntegrityError:
            if attempt == 2:
                raise


def apply_rows(registry: Registry, rows: dict[str, StateRow]) -> list[str]:
    """Apply persisted toggles to loaded modules; the names whose state changed."""
    changed: list[str] = []
    for record in registry.loaded():
        row = rows.get(record.name)
        wanted = (
            ModuleState.DISABLED
            if row is not None and row.enabled is False
            else ModuleState.ENABLED
        )
        if row is not None:
            record.admin_enabled = row.enabled
            record.admin_changed_by = row.changed_by
            record.admin_changed_at = row.changed_at
            record.admin_reason = row.reason
        if record.state is not wanted:
            record.state = wanted
            changed.append(record.name)
    return changed


class StatePoller:
    """Background task: re-read the table every interval, apply and publish on change.

    ``prepare(changed)`` runs after new rows are applied and before ``publish`` swaps the
    gate's view: the lifecycle starts modules enabled at runtime there, so a module is
    served only once its ``on_startup``/``on_enable`` ran. ``after(changed)`` runs once
    the gate answers with the new states (``on_disable``).
    """

    def __init__(
        self,
        engine: Engine,
        registry: Registry,
        interval: float,
        publish: Callable[[], None],
        prepare: Callable[[list[str]], Awaitable[None]] | None = None,
        after: Callable[[list[str]], Awaitable[None]] | None = None,
    ) -> None:
        self.engine = engine
        self.registry = registry
        self.interval = interval
        self.publish = publish
        self.prepare = prepare
        self.after = after
        self._last: tuple[tuple[str, int], ...] | None = None
        self._task: asyncio.Task[None] | None = None
        # One poll at a time: an admin request's poll and the loop's must not apply an
        # older read after a newer one (reads inside the lock are ordered).
        self._lock = asyncio.Lock()
        # Its own thread budget: sync endpoints filling anyio's default limiter must not
        # delay the state refresh.
        self._limiter: anyio.CapacityLimiter | None = None

    def seed(self, rows: dict[str, StateRow]) -> None:
        self._last = fingerprint(rows)

    async def poll_once(self) -> bool:
        """Read the table now; apply and publish if anything changed. True if it did."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(1)
        async with self._lock:
            rows = await anyio.to_thread.run_sync(read_rows, self.engine, limiter=self._limiter)
            mark = fingerprint(rows)
            if mark == self._last:
                return False
            self._last = mark
            changed = apply_rows(self.registry, rows)
            if self.prepare is not None:
                await self.prepare(changed)
            self.publish()
            if self.after is not None:
                await self.after(changed)
            return True

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.poll_once()
            except SQLAlchemyError as exc:
                log.warning("module state refresh failed; keeping the last known state: %s", exc)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(
            self._loop(), name="bmc-hub-state-poller"
        )
        self._task.add_done_callback(_report_death)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        # A later start (the same app served again) may run on another event loop.
        self._lock = asyncio.Lock()
        self._limiter = None


def _report_death(task: asyncio.Task[None]) -> None:
    # Only database errors are expected (and survived) in the loop; anything else ends
    # it, and this process would silently stop following toggles: say so loudly.
    if not task.cancelled() and task.exception() is not None:
        log.critical(
            "module state poller stopped; this process no longer follows admin toggles "
            "(restart it)",
            exc_info=task.exception(),
        )
