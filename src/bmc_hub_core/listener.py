"""Instant toggles on PostgreSQL: every worker LISTENs for the NOTIFY a toggle sends.

A toggle (admin API, admin page, CLI) writes ``hub_module_state`` and, in the same
transaction, ``pg_notify('bmc_hub_state', NAME)`` (:func:`.state.write_toggle`). Every
worker of every replica holds one dedicated connection (not from the pool; it is in
autocommit and never runs anything else) LISTENing on that channel, watched by the
event loop (``add_reader``: no thread, no polling). A notification makes the worker
re-read the table at once, exactly as its regular poll does, so a lost notification or
a dropped connection costs at most one poll interval: the poll stays as the fallback,
and the listener reconnects with backoff.

SQLite has no notifications: there the poll alone applies toggles.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

CHANNEL = "bmc_hub_state"
#: Reconnect delays after the listening connection fails (seconds), capped at the last.
BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0)


class StateListener:
    """LISTEN on a dedicated connection; call ``on_notify`` for each batch received."""

    def __init__(self, engine: Engine, on_notify: Callable[[], Awaitable[Any]]) -> None:
        self.engine = engine
        self.on_notify = on_notify
        self._task: asyncio.Task[None] | None = None
        self._connection: Any = None
        #: The watched file descriptor (kept: a dropped connection cannot tell it any more).
        self._fd: int | None = None
        self._wake: asyncio.Event | None = None
        #: Set once listening (tests and the benchmark wait for it).
        self.listening = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name="bmc-hub-state-listener"
        )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._close()

    def _connect(self) -> Any:
        """A raw psycopg2 connection of its own, in autocommit, LISTENing (sync)."""
        args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
        connection: Any = self.engine.dialect.connect(*args, **kwargs)
        connection.autocommit = True
        cursor = connection.cursor()
        cursor.execute(f"LISTEN {CHANNEL}")
        cursor.close()
        return connection

    def _close(self) -> None:
        if self._fd is not None:
            asyncio.get_running_loop().remove_reader(self._fd)
            self._fd = None
        if self._connection is not None:
            with contextlib.suppress(Exception):  # already gone: nothing to release
                self._connection.close()
            self._connection = None
        self.listening.clear()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        failures = 0
        while True:
            try:
                self._connection = await asyncio.to_thread(self._connect)
                self._wake = asyncio.Event()
                self._fd = self._connection.fileno()
                loop.add_reader(self._fd, self._wake.set)
                self.listening.set()
                if failures:
                    log.info("listening for module toggles again (after %d failure(s))", failures)
                    await self.on_notify()  # whatever was sent while it was down
                failures = 0
                while True:
                    await self._wake.wait()
                    self._wake.clear()
                    self._connection.poll()  # raises when the connection is gone
                    if self._connection.notifies:
                        self._connection.notifies.clear()
                        await self.on_notify()
            except asyncio.CancelledError:
                raise
            # A dropped connection or an unreachable database: the poll keeps toggles
            # applied meanwhile; try again with backoff.
            except Exception as exc:  # noqa: BLE001
                delay = BACKOFF[min(failures, len(BACKOFF) - 1)]
                failures += 1
                log.warning(
                    "the module toggle listener lost its connection (%s); the poll keeps "
                    "toggles applied; reconnecting in %gs",
                    str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                    delay,
                )
                self._close()
                await asyncio.sleep(delay)
