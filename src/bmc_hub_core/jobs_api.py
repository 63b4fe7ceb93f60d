"""The admin API for jobs: what is declared, recent runs, and "Run now"."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.exc import SQLAlchemyError

from .auth import require_admin
from .errors import UsageError
from .fields import RowId
from .hub import Hub
from .jobs import catalog, queue
from .responses import error_responses


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def build_router() -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/jobs",
        tags=["admin"],
        dependencies=[Depends(require_admin)],
        responses=error_responses(401, 403, 503, _503="The database did not answer"),
    )

    @router.get("")
    async def jobs(request: Request, limit: int = 50) -> dict[str, Any]:
        """Declared jobs (schedule, module state, next and last run) and the newest runs."""
        hub = _hub(request)
        limit = max(1, min(limit, 500))

        def read() -> dict[str, Any]:
            return {
                "jobs": catalog.describe(hub),
                "runs": queue.runs(hub.engine, limit=limit),
            }

        try:
            return await anyio.to_thread.run_sync(read)
        except SQLAlchemyError:
            raise HTTPException(503, "the job tables did not answer; try again") from None

    @router.post(
        "/{name}/run",
        status_code=201,
        responses=error_responses(404, _404="No such job (names are MODULE.job)"),
    )
    async def run_now(request: Request, name: str) -> dict[str, Any]:
        """Queue a run now; a worker (``bmc-hub worker``) picks it up. A disabled module's
        run waits until the module is enabled again."""
        hub = _hub(request)
        try:
            run_id = await anyio.to_thread.run_sync(lambda: catalog.run_now(hub, name))
        except UsageError as exc:
            raise HTTPException(404, str(exc)) from None
        return {"id": run_id, "name": name, "state": "queued"}

    @router.post(
        "/runs/{run_id}/retry",
        status_code=201,
        responses=error_responses(
            404, 409, _404="No such run", _409="The run is not failed or skipped"
        ),
    )
    async def retry(request: Request, run_id: RowId) -> dict[str, Any]:
        """Queue a new run of a failed (or skipped) run's job, with the same arguments."""
        hub = _hub(request)
        try:
            new_id = await anyio.to_thread.run_sync(lambda: catalog.retry(hub, run_id))
        except catalog.RunNotRetryable as exc:
            raise HTTPException(409, str(exc)) from None
        except UsageError as exc:
            raise HTTPException(404, str(exc)) from None
        return {"id": new_id, "retry_of": run_id, "state": "queued"}

    return router
