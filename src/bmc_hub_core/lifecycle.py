"""What happens at startup and shutdown of one app, in order, each step guarded."""

from __future__ import annotations

import logging
from types import MappingProxyType

import anyio
from sqlalchemy.exc import SQLAlchemyError

from .advice import advise
from .errors import StrictModeError
from .gate import GateView, compute_view
from .hub import Hub
from .lifespans import RouterLifespans
from .listener import StateListener
from .migrations.runner import run_migrations
from .state import StatePoller, apply_rows, read_rows
from .types import ModuleState, Stage

log = logging.getLogger(__name__)


class Lifecycle:
    """Startup: migrate, apply persisted toggles, on_startup, strict check, poll."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.view: GateView = MappingProxyType({})
        #: Instant toggles on PostgreSQL (None: poll only).
        self.listener: StateListener | None = None
        #: name → the module's entered router lifespans (left at shutdown).
        self.lifespans: dict[str, RouterLifespans] = {}
        self.poller = StatePoller(
            hub.engine,
            hub.registry,
            hub.settings.state_poll_seconds,
            self.publish,
            self._before_serving,
            self._after_disabling,
        )

    def publish(self) -> None:
        """Swap the gate's mapping for one computed from the current states."""
        self.view = compute_view(self.hub.registry)
        if self.hub.metrics is not None:
            self.hub.metrics.states(self.hub.registry)

    def strict_problems(self) -> list[str]:
        return [
            f"{r.name}: {r.state.value}"
            + (f" at {r.error.stage}: {r.error.message}" if r.error else "")
            for r in self.hub.allowed_not_enabled()
        ]

    async def startup(self) -> None:
        settings = self.hub.settings
        self.publish()
        for line in advise(self.hub).warnings:
            log.warning("%s", line)
        # Alembic is synchronous and process-global: never inside the event loop.
        report = await anyio.to_thread.run_sync(
            run_migrations, self.hub, None, not settings.auto_migrate
        )
        if self.hub.metrics is not None:
            self.hub.metrics.migrated(report)
        await anyio.to_thread.run_sync(self.hub.signin.load_key)
        rows = await anyio.to_thread.run_sync(read_rows, self.hub.engine)
        apply_rows(self.hub.registry, rows)
        self.poller.seed(rows)
        await self.start_enabled()
        self._sync_switches()
        self.publish()
        if settings.strict:
            problems = self.strict_problems()
            if problems:
                raise StrictModeError(
                    "BMC_HUB_STRICT is on and these allowed modules are not enabled: "
                    + "; ".join(problems)
                )
        self.poller.start()
        if self.hub.engine.dialect.name == "postgresql":
            self.listener = StateListener(self.hub.engine, self._notified)
            self.listener.start()
        enabled = [r.name for r in self.hub.registry if r.state is ModuleState.ENABLED]
        log.info("hub started with modules: %s", ", ".join(enabled) or "(none)")

    async def start_enabled(self) -> None:
        """Run ``on_startup`` of every enabled module that has not started yet.

        At startup that is every enabled module; later, a module an admin enabled at
        runtime (it was disabled when this process started): the poller calls this
        before the gate serves it.
        """
        for name in self.hub.contexts(enabled_only=True):
            record = self.hub.registry.get(name)
            assert record is not None
            if record.started:
                continue
            outcome = await self.hub.acall("on_startup", name)
            if outcome is not None and outcome.error is not None:
                record.fail(Stage.STARTUP, outcome.error)
                continue
            record.started = True
            if record.lifespan_routers:
                lifespans = RouterLifespans(name, record.lifespan_routers)
                error = await lifespans.start(self.hub.settings.hook_timeout)
                if error is not None:
                    record.fail(Stage.STARTUP, error)
                    continue
                self.lifespans[name] = lifespans

    async def _notified(self) -> None:
        """A toggle was announced: read the table now (the poll's own read)."""
        try:
            await self.poller.poll_once()
        except SQLAlchemyError as exc:
            log.warning("module state refresh failed; the poll tries again: %s", exc)

    def _sync_switches(self) -> None:
        """``module.enabled`` follows each module's state (streams watch it)."""
        for record in self.hub.registry.loaded():
            if record.context is not None:
                record.context.enabled.set(record.state is ModuleState.ENABLED)

    async def _before_serving(self, changed: list[str]) -> None:
        """A toggle was read: start and tell modules enabled now, before the gate serves
        them again."""
        await self.start_enabled()
        for name in changed:
            record = self.hub.registry.get(name)
            if record is None or record.state is not ModuleState.ENABLED:
                continue
            assert record.context is not None
            record.context.enabled.set(True)
            await self._tell(name, "on_enable")

    async def _after_disabling(self, changed: list[str]) -> None:
        """The gate already answers 404 for modules disabled now: tell them to stop."""
        for name in changed:
            record = self.hub.registry.get(name)
            if record is None or record.state is not ModuleState.DISABLED:
                continue
            assert record.context is not None
            record.context.enabled.set(False)
            await self._tell(name, "on_disable")

    async def _tell(self, name: str, hook: str) -> None:
        outcome = await self.hub.acall(hook, name)
        if outcome is not None and outcome.error is not None:
            log.error("module '%s' %s failed: %s", name, hook, outcome.error)

    async def shutdown(self) -> None:
        if self.listener is not None:
            await self.listener.stop()
            self.listener = None
        await self.poller.stop()
        for record in reversed(self.hub.registry.loaded()):
            if not record.started or record.context is None:
                continue
            lifespans = self.lifespans.pop(record.name, None)
            if lifespans is not None:
                error = await lifespans.stop(self.hub.settings.hook_timeout)
                if error is not None:
                    log.error(
                        "module '%s' router lifespan failed at shutdown: %s", record.name, error
                    )
            outcome = await self.hub.acall("on_shutdown", record.name)
            if outcome is not None and outcome.error is not None:
                log.error("module '%s' on_shutdown failed: %s", record.name, outcome.error)
            record.started = False
        for context in self.hub.contexts().values():
            await context.close_clients()
        self.hub.engine.dispose()
