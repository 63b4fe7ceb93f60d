"""Core JSON routes: health (public) and customers (API token)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import customers
from .auth import require_api
from .health import HealthService
from .names import NAME_PATTERN
from .responses import error_responses
from .types import HealthStatus


def _health(request: Request) -> HealthService:
    service: HealthService = request.app.state.health
    return service


class HubHealth(BaseModel):
    """``GET /api/v1/health``: states only (reasons are in the admin API)."""

    status: Literal["ok", "degraded"]
    modules: dict[str, HealthStatus]


class ModuleHealthState(BaseModel):
    """``GET /api/v1/NAME/health``: 200 when ``ok``, 503 otherwise."""

    name: str
    status: HealthStatus


def build_router() -> APIRouter:
    router = APIRouter()

    @router.get("/api/v1/health", tags=["health"], response_model=HubHealth)
    async def hub_health(request: Request) -> dict[str, Any]:
        """Overall status and each reported module's health state (checked concurrently).
        Always 200: one failing module makes it ``degraded``, not down."""
        return await _health(request).aggregate()

    @router.get(
        "/api/v1/{name}/health",
        tags=["health"],
        response_model=ModuleHealthState,
        responses={
            **error_responses(404, _404="No module of that name is installed and allowed"),
            503: {"model": ModuleHealthState, "description": "The module is not ok"},
        },
    )
    async def module_health(request: Request, name: str) -> JSONResponse:
        """One module's health: 200 when ok, 503 otherwise."""
        service = _health(request)
        record = service.hub.registry.get(name) if NAME_PATTERN.match(name) else None
        if record is None or not service.is_reported(record):
            raise HTTPException(404, f"module '{name}' is not installed or not allowed")
        result = await service.check(record)
        # Public: the state only; the reason is in the admin API, the admin page and logs.
        body = {"name": name, "status": result.status}
        return JSONResponse(body, status_code=200 if result.status == "ok" else 503)

    router.include_router(customers.build_router(), dependencies=[Depends(require_api)])
    return router
