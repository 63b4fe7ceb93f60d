"""Module health: each check concurrent, time-boxed, cached, never blocking a worker."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi.encoders import jsonable_encoder

from .calling import Inflight
from .hub import Hub
from .registry import ModuleRecord
from .types import HealthResult, ModuleState


@dataclass(frozen=True)
class ModuleHealth:
    status: str
    detail: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "detail": self.detail, "data": self.data}


def normalize(value: object) -> ModuleHealth:
    """A health hook's return value as a :class:`ModuleHealth` whose data is JSON."""
    health = _interpret(value)
    try:
        data = jsonable_encoder(health.data)
        json.dumps(data, allow_nan=False)  # NaN and infinities are not JSON either
    # Module data: anything may fail to encode, and that is the module's failure.
    except Exception as exc:  # noqa: BLE001
        return ModuleHealth(
            "failing",
            f"health returned data that cannot be shown as JSON ({type(exc).__name__}); "
            "return strings, numbers, booleans, None, dates, and lists or dicts of them",
        )
    return ModuleHealth(health.status, health.detail, data)


def _interpret(value: object) -> ModuleHealth:
    if isinstance(value, HealthResult):
        return ModuleHealth("ok" if value.ok else "failing", value.detail, dict(value.data))
    if isinstance(value, bool):
        return ModuleHealth("ok" if value else "failing")
    if isinstance(value, dict) and isinstance(value.get("ok"), bool):
        data = {k: v for k, v in value.items() if k not in ("ok", "detail")}
        detail = value.get("detail")
        return ModuleHealth(
            "ok" if value["ok"] else "failing", str(detail) if detail else None, data
        )
    return ModuleHealth(
        "failing",
        f"health returned {type(value).__name__}; expected HealthResult, bool, "
        "or a dict with an 'ok' boolean",
    )


class HealthService:
    """Runs and caches health checks for one hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._cache: dict[str, tuple[float, ModuleHealth]] = {}
        #: name → the one running check every request shares
        self._running: dict[str, asyncio.Future[ModuleHealth]] = {}
        #: name → its check still running past its deadline (see ``call_one_async``)
        self._inflight: dict[str, Inflight] = {}

    def is_reported(self, record: ModuleRecord) -> bool:
        """Loaded modules, and allowed ones (in-process modules count as allowed)."""
        return record.loaded or (
            record.state is not ModuleState.NOT_ALLOWED and self.hub.is_allowed(record.name)
        )

    def reported(self) -> list[ModuleRecord]:
        """Modules the aggregate reports."""
        return [r for r in self.hub.registry if self.is_reported(r)]

    async def check(self, record: ModuleRecord) -> ModuleHealth:
        if record.state is ModuleState.DISABLED:
            return ModuleHealth("disabled", "disabled by an admin")
        if record.state is not ModuleState.ENABLED or record.context is None:
            reason = record.error.message if record.error else record.state.value
            return ModuleHealth("unavailable", reason)
        blocked = self.hub.registry.blocking_dependency(record)
        if blocked is not None:
            return ModuleHealth("unavailable", self.hub.registry.dependency_message(blocked))
        cached = self._cache.get(record.name)
        if cached and time.monotonic() - cached[0] < self.hub.settings.health_cache_seconds:
            return cached[1]
        running = self._running.get(record.name)
        if running is None or running.done():
            running = asyncio.ensure_future(self._run(record))
            self._running[record.name] = running
        # Every request shares the one running check; a caller that goes away must not
        # cancel it for the others. The check itself ends by its deadline: call_one_async
        # gives up on a hook that ignores its cancellation.
        return await asyncio.shield(running)

    async def _run(self, record: ModuleRecord) -> ModuleHealth:
        outcome = await self.hub.acall(
            "health", record.name, timeout=self.hub.settings.health_timeout, inflight=self._inflight
        )
        if outcome is None:
            result = ModuleHealth("ok", "no health hook")
        elif outcome.timed_out:
            # HookTimeout's own advice names the hook budget; health has its own setting.
            result = ModuleHealth(
                "timeout",
                f"health check did not return within {self.hub.settings.health_timeout:g}s; "
                "make it faster or raise BMC_HUB_HEALTH_TIMEOUT",
            )
        elif outcome.error is not None:
            result = ModuleHealth(
                "failing", record.mask(f"{type(outcome.error).__name__}: {outcome.error}")
            )
        else:
            result = normalize(outcome.value)
            if result.detail:
                result = ModuleHealth(result.status, record.mask(result.detail), result.data)
        self._cache[record.name] = (time.monotonic(), result)
        return result

    async def aggregate(self) -> dict[str, Any]:
        """The public summary: states only. Reasons and data are for the admin API."""
        records = self.reported()
        results = await asyncio.gather(*(self.check(r) for r in records))
        healthy = all(h.status in ("ok", "disabled") for h in results)
        return {
            "status": "ok" if healthy else "degraded",
            "modules": {r.name: h.status for r, h in zip(records, results, strict=True)},
        }
