"""Router lifespans of a module, run by the hub under the same guard and budget as hooks.

Libraries add a lifespan to the router they are given (fastapi-pagination's
``add_pagination(router)`` does). Merged into the app's lifespan, a raising one would
stop the whole hub from starting. The hub runs them instead: at startup, after the
module's ``on_startup``, all of a module's router lifespans are entered in one task of
their own (an ``asynccontextmanager`` must be left in the task that entered it), within
``BMC_HUB_HOOK_TIMEOUT``; at shutdown they are left. Whatever they raise (``SystemExit``
too) or a hang fails that module only, at stage ``startup``. Lifespan state (a dict the
lifespan yields) is not passed on to requests: keep what a module needs on its
``ModuleContext`` or in its own objects.

This is the one place besides :mod:`.calling` that runs module code, because a lifespan
lives across startup and shutdown rather than returning like a hook call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from .errors import HookTimeout

log = logging.getLogger(__name__)


class RouterLifespans:
    """The entered lifespans of one module's routers."""

    def __init__(self, module: str, routers: Sequence[Any]) -> None:
        self.module = module
        self.routers = list(routers)
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        #: SystemExit/KeyboardInterrupt from the lifespan (asyncio would re-raise them out
        #: of the event loop and stop the server): kept here as the module's failure.
        self._exit: BaseException | None = None

    async def _run(self, entered: asyncio.Event, stop: asyncio.Event) -> None:
        try:
            async with contextlib.AsyncExitStack() as stack:
                for router in self.routers:
                    # A router's lifespan gets the router it belongs to as its "app".
                    await stack.enter_async_context(router.lifespan_context(router))
                entered.set()
                await stop.wait()
        except (SystemExit, KeyboardInterrupt) as exc:
            self._exit = exc

    async def start(self, timeout: float) -> BaseException | None:
        """Enter every lifespan; the error that fails the module, or None."""
        entered, self._stop = asyncio.Event(), asyncio.Event()
        self._task = asyncio.create_task(
            self._run(entered, self._stop), name=f"bmc-hub-lifespans-{self.module}"
        )
        waiter = asyncio.create_task(entered.wait())
        try:
            await asyncio.wait({self._task, waiter}, timeout=timeout, return_when="FIRST_COMPLETED")
        finally:
            waiter.cancel()
        if entered.is_set():
            return None
        if not self._task.done():
            self._task.cancel()
            self._task = None
            return HookTimeout("router lifespan", self.module, timeout)
        return self._exit or _error_of(self._task)

    async def stop(self, timeout: float) -> BaseException | None:
        """Leave every lifespan (in reverse order); the error, or None."""
        if self._task is None or self._stop is None:
            return None
        task, self._task = self._task, None
        self._stop.set()
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            task.cancel()
            return HookTimeout("router lifespan", self.module, timeout)
        return self._exit or _error_of(task)


def _error_of(task: asyncio.Task[None]) -> BaseException | None:
    if task.cancelled():
        return asyncio.CancelledError("the router lifespan was cancelled")
    # Module code isolated here: whatever the lifespan raised (SystemExit included, which
    # a task keeps as its exception) is this module's failure, never the server's.
    error = task.exception()
    if error is not None:
        log.debug("module router lifespan failed", exc_info=error)
    return error
