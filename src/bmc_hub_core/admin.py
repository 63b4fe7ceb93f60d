"""The admin API: list modules, show one, enable or disable it at runtime.

A toggle is written to ``hub_module_state`` (who, when, why) and applied in the answering
process at once; every other worker and replica picks it up with its next poll
(``BMC_HUB_STATE_POLL_SECONDS``). Toggling never adds or removes routes: the gate
answers for a disabled module. The allowlist stays the ceiling: only a module that is
allowed and loaded (``enabled`` or ``disabled``) can be toggled.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Body, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import SQLAlchemyError

from .auth import require_admin
from .errors import ModuleStateError, UnknownModuleError
from .health import HealthService
from .hub import Hub
from .lifecycle import Lifecycle
from .migrations.engine import module_version_table
from .migrations.tracking import read_currents
from .records import module_record
from .registry import ModuleRecord
from .responses import error_responses
from .state import write_toggle
from .types import ModuleState

log = logging.getLogger(__name__)

#: Why a module in each of these states cannot be toggled, and what to do instead.
_NOT_TOGGLEABLE = {
    ModuleState.NOT_ALLOWED: "is not in BMC_HUB_MODULES (the allowlist is the ceiling); "
    "add it there and restart",
    ModuleState.MISSING: "is in BMC_HUB_MODULES but not installed; install its distribution",
    ModuleState.INCOMPATIBLE: "is incompatible with this core",
    ModuleState.FAILED: "failed and is retried at the next start (or `bmc-hub db upgrade` "
    "for a migration); fix the cause first",
    ModuleState.DISCOVERED: "was not loaded",
}


class ToggleRequest(BaseModel):
    """Optional body of ``POST /api/v1/modules/{name}/enable|disable``."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str | None, Field(max_length=500)] = None


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def find_record(hub: Hub, name: str) -> ModuleRecord:
    record = hub.registry.get(name)
    if record is None:
        raise UnknownModuleError(
            f"module '{name}' is not installed; GET /api/v1/modules lists every module"
        )
    return record


def check_toggleable(record: ModuleRecord) -> None:
    """Raise :class:`ModuleStateError` unless an admin may enable/disable ``record``."""
    if record.state in (ModuleState.ENABLED, ModuleState.DISABLED):
        return
    why = _NOT_TOGGLEABLE.get(record.state, f"is {record.state.value}")
    error = f" ({record.error.stage}: {record.error.message})" if record.error else ""
    raise ModuleStateError(f"module '{record.name}' {why}{error}")


def actor(request: Request) -> str:
    """Who changed it, for the audit columns: never the token, only where it came from."""
    client = request.client.host if request.client else "unknown client"
    return f"admin api from {client}"


async def record_json(
    request: Request, record: ModuleRecord, current: dict[str, tuple[str, ...]] | None = None
) -> dict[str, Any]:
    service: HealthService = request.app.state.health
    health = (await service.check(record)).as_dict() if service.is_reported(record) else None
    if current is None:
        current = await live_revisions(_hub(request), [record])
    return module_record(
        record,
        _hub(request).registry,
        health=health,
        detail=True,
        current=current.get(record.name),
    )


async def live_revisions(hub: Hub, records: list[ModuleRecord]) -> dict[str, tuple[str, ...]]:
    """name → the revisions each module's version table holds now (one statement), so a
    database a rolling deploy upgraded shows in the admin API at once."""
    tables = {r.name: module_version_table(r.name) for r in records if r.known_revisions}
    if not tables:
        return {}

    def read() -> dict[str, tuple[str, ...]]:
        with hub.engine.connect() as conn:
            found = read_currents(conn, tables.values())
        return {name: found[table] for name, table in tables.items()}

    try:
        return await anyio.to_thread.run_sync(read)
    except SQLAlchemyError as exc:
        log.warning("module revisions not read: %s", str(exc).splitlines()[0])
        return {}


async def toggle(request: Request, name: str, enabled: bool, reason: str | None) -> ModuleRecord:
    """Persist the decision, then apply it in this process before answering."""
    hub = _hub(request)
    record = find_record(hub, name)
    check_toggleable(record)
    by = actor(request)
    try:
        await anyio.to_thread.run_sync(
            lambda: write_toggle(hub.engine, name, enabled=enabled, by=by, reason=reason)
        )
    except SQLAlchemyError as exc:
        log.error("module '%s': storing the toggle failed: %s", name, exc)
        raise HTTPException(
            503, "the change was not stored: the database did not answer; try again"
        ) from None
    log.info(
        "module '%s' %s by %s%s",
        name,
        "enabled" if enabled else "disabled",
        by,
        f" ({reason})" if reason else "",
    )
    lifecycle: Lifecycle = request.app.state.lifecycle
    try:
        # Read back and apply through the poller, so this worker is instant and the
        # poller does not apply the same change again on its next round.
        await lifecycle.poller.poll_once()
    except SQLAlchemyError as exc:
        log.warning("module '%s': the stored toggle could not be read back: %s", name, exc)
        raise HTTPException(
            503,
            "the change was stored, but this worker could not read it back; every worker "
            f"applies it within {hub.settings.state_poll_seconds:g}s once the database answers",
        ) from None
    return record


def _http(exc: UnknownModuleError | ModuleStateError) -> HTTPException:
    return HTTPException(404 if isinstance(exc, UnknownModuleError) else 409, str(exc))


def build_router() -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/modules",
        tags=["admin"],
        dependencies=[Depends(require_admin)],
        responses=error_responses(
            401,
            403,
            _401="Missing or wrong admin token",
            _403="No admin token configured on the server",
        ),
    )

    @router.get("")
    async def list_modules(request: Request) -> list[dict[str, Any]]:
        """Every discovered module with its state, error, switches and health."""
        records = list(_hub(request).registry)
        current = await live_revisions(_hub(request), records)
        return list(await asyncio.gather(*(record_json(request, r, current) for r in records)))

    @router.get("/{name}", responses=error_responses(404, _404="Unknown module"))
    async def show_module(request: Request, name: str) -> dict[str, Any]:
        """One module's record (404 when no module of that name is known)."""
        try:
            record = find_record(_hub(request), name)
        except UnknownModuleError as exc:
            raise _http(exc) from None
        return await record_json(request, record)

    async def _toggle(
        request: Request, name: str, enabled: bool, body: ToggleRequest | None
    ) -> dict[str, Any]:
        try:
            record = await toggle(request, name, enabled, body.reason if body else None)
        except (UnknownModuleError, ModuleStateError) as exc:
            raise _http(exc) from None
        return await record_json(request, record)

    toggle_responses = error_responses(
        400,
        404,
        409,
        413,
        503,
        _404="Unknown module",
        _409="Not allowed, missing, failed or incompatible",
        _503="The database did not store (or return) the change",
    )

    @router.post("/{name}/enable", responses=toggle_responses)
    async def enable_module(
        request: Request, name: str, body: Annotated[ToggleRequest | None, Body()] = None
    ) -> dict[str, Any]:
        """Enable a disabled module on every worker (persisted; survives restarts)."""
        return await _toggle(request, name, True, body)

    @router.post("/{name}/disable", responses=toggle_responses)
    async def disable_module(
        request: Request, name: str, body: Annotated[ToggleRequest | None, Body()] = None
    ) -> dict[str, Any]:
        """Disable a module on every worker: its URLs answer 404 until enabled again."""
        return await _toggle(request, name, False, body)

    return router
