"""Recipe: a server-sent event stream that ends when an admin disables the module
(the ``ticker`` module)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import APIRouter
from sse_starlette import EventSourceResponse

from bmc_hub_core import ModuleContext, hookimpl

TICK_SECONDS = 5.0


@hookimpl
def register_routes(module: ModuleContext) -> APIRouter:
    router = APIRouter()

    @router.get("/ticks")
    async def ticks() -> EventSourceResponse:
        async def events() -> AsyncIterator[dict[str, str]]:
            count = 0
            while module.enabled:
                count += 1
                yield {"event": "tick", "data": str(count)}
                # Wait for the next tick, or stop waiting as soon as the module is disabled.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(module.enabled.wait_disabled(), TICK_SECONDS)
            yield {"event": "end", "data": "the module was disabled"}

        return EventSourceResponse(events())

    return router
