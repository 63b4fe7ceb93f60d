"""``GET /metrics``: the Prometheus text for a scraper, behind a token.

Either the admin token (a bearer token or an admin's browser session), or the separate
``BMC_HUB_METRICS_TOKEN`` a scraper can hold without being an admin.
"""

from __future__ import annotations

import logging

import anyio
import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.exc import SQLAlchemyError

from .auth import Bearer, authenticate, bearer_token, token_matches
from .db import hub_job_runs
from .hub import Hub
from .metrics import job_runs_registry
from .responses import error_responses

log = logging.getLogger(__name__)


def job_counts(hub: Hub) -> dict[tuple[str, str, str], int]:
    """Runs per module, job and state (empty when the job tables are not there yet)."""
    runs = hub_job_runs
    query = sa.select(runs.c.module, runs.c.job, runs.c.state, sa.func.count()).group_by(
        runs.c.module, runs.c.job, runs.c.state
    )
    try:
        with hub.engine.connect() as conn:
            return {(m, j, s): int(n) for m, j, s, n in conn.execute(query)}
    # The rest of /metrics is still worth scraping; the gap is said in the log.
    except SQLAlchemyError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        log.warning("/metrics: job run counts left out, the database failed: %s", reason)
        return {}


def build_router() -> APIRouter:
    router = APIRouter(tags=["metrics"])

    @router.get(
        "/metrics",
        response_class=Response,
        responses={
            200: {"content": {"text/plain": {}}, "description": "Prometheus text format"},
            **error_responses(
                401, 403, _401="Missing or wrong metrics or admin token", _403="No token set"
            ),
        },
    )
    async def metrics(request: Request, _bearer: Bearer = None) -> Response:
        """Per-module requests, latency and status classes, module states, hook calls
        and migrations, and every module's own ``bmc_hub_module_NAME_*`` metrics; added up
        over every worker process of the server."""
        hub: Hub = request.app.state.hub
        settings = hub.settings
        if settings.admin_token is None and settings.metrics_token is None:
            raise HTTPException(
                403,
                "metrics are off: set BMC_HUB_METRICS_TOKEN (for the scraper) or "
                "BMC_HUB_ADMIN_TOKEN on the server and restart",
            )
        scraper = settings.metrics_token is not None and token_matches(
            bearer_token(request), settings.metrics_token.get_secret_value()
        )
        if not scraper:  # else an admin: by bearer token or a signed-in browser
            principal = await authenticate(request, hub)
            if principal is None or principal.role != "admin":
                raise HTTPException(
                    401,
                    "send 'Authorization: Bearer <BMC_HUB_METRICS_TOKEN or admin token>'",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        assert hub.metrics is not None
        counts = await anyio.to_thread.run_sync(lambda: job_counts(hub))
        body, content_type = hub.metrics.render(job_runs_registry(counts))
        return Response(body, media_type=content_type)

    return router
