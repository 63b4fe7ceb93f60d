"""The ``Hub``: one app's plugin manager, registry, engine and templates, built per app.

``Hub.build(settings)`` discovers, imports and configures the allowed modules exactly as
the server does; the CLI uses it too, without a server.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
from sqlalchemy.engine import Engine

from . import hookspecs
from .calling import Inflight, Outcome, call_one_async, call_one_sync
from .context import ModuleContext
from .db import make_engine
from .discovery import Candidate, core_version, scan
from .errors import HookReturnError
from .loader import (
    check_hub_api,
    import_module,
    plan,
    template_folder,
    validate_impls,
)
from .module_settings import ModuleSettings, load_module_settings, unknown_keys
from .registry import ModuleRecord, Registry
from .settings import Settings
from .types import ModuleState, Stage

if TYPE_CHECKING:
    from starlette.templating import Jinja2Templates

    from .metrics import HubMetrics, ModuleMetrics
    from .signin import SignIn

log = logging.getLogger(__name__)


class Hub:
    """Everything one hub instance owns. Build with :meth:`build`; no globals anywhere."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.registry = Registry()
        #: In-process modules (tests): installed and allowed by construction.
        self.inprocess: set[str] = set()
        self.core_version = core_version()
        #: name → the module package's ``templates/`` folder.
        self.template_folders: dict[str, Path] = {}
        #: ``module:hook`` of async hooks that blocked the event loop: run in a thread.
        self.loop_blockers: set[str] = set()
        #: Called with every hook outcome (metrics).
        self.observers: list[Callable[[Outcome], None]] = []
        #: The server's metrics (None for CLI commands, which expose none).
        self.metrics: HubMetrics | None = None

    @functools.cached_property
    def templates(self) -> Jinja2Templates:
        """Core and module templates; built on first use (CLI commands never need it).

        A module's templates are addressed as ``"NAME/file.html"``.
        """
        from .templating import build_templates

        return build_templates(self.template_folders)

    @functools.cached_property
    def signin(self) -> SignIn:
        """Browser sessions (the signing key is read at startup, or on first use)."""
        from .signin import SignIn

        return SignIn(self.engine, self.settings)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        engine: Engine | None = None,
        candidates: dict[str, list[Candidate]] | None = None,
        extra_plugins: dict[str, object] | None = None,
        metrics: bool = False,
    ) -> Hub:
        """Discover and load modules.

        ``extra_plugins`` registers in-process module objects (name → object) as if they
        were installed and allowed: the test kit uses it. ``metrics`` collects the
        server's metrics from the first hook call on.
        """
        hub = cls(
            settings,
            engine or make_engine(settings.database_url, pre_ping=settings.database_pre_ping),
        )
        if metrics:
            from .metrics import HubMetrics  # prometheus-client: only servers need it

            hub.metrics = HubMetrics()
            hub.observers.append(hub.metrics.hook)
        found = scan() if candidates is None else candidates
        hub.registry = plan(settings, found, hub.core_version)
        for name, plugin in (extra_plugins or {}).items():
            hub.registry.add(ModuleRecord(name, ModuleState.DISCOVERED))
            hub.inprocess.add(name)
            hub._register_inprocess(name, plugin)
        for record in hub.registry.discovered():
            hub._load(record)
        return hub

    def _register_inprocess(self, name: str, plugin: object) -> None:
        record = self.registry.get(name)
        assert record is not None
        problem = check_hub_api(plugin)
        if problem:
            record.mark_incompatible(problem)
            return
        try:
            self.pm.register(plugin, name=name)
            validate_impls(self.pm, plugin, name)
        except Exception as exc:  # noqa: BLE001 - pluggy raises ValueError or PluginValidationError
            if self.pm.get_plugin(name) is not None:
                self.pm.unregister(name=name)
            record.fail(Stage.IMPORT, exc)
            return
        record.plugin = plugin

    def _load(self, record: ModuleRecord) -> None:
        # At load time every loaded dependency is enabled (toggles come later), so the
        # same question the gate asks at runtime decides here.
        dep = self.registry.blocking_dependency(record)
        if dep is not None:
            message = self.registry.dependency_message(dep)
            record.fail(Stage.DEPENDENCY, f"{message}; fix or allow '{dep}' first")
            return
        if record.plugin is None and not import_module(record, self.pm):
            return
        context = ModuleContext(
            name=record.name,
            version=record.version or "0",
            distribution=record.distribution,
            hub_engine=self.engine,
            template_source=lambda: self.templates,
            metrics_source=self._module_metrics(record.name),
        )
        record.context = context
        if not self._configure(record, context):
            self.pm.unregister(name=record.name)
            return
        if not self._declare_jobs(record, context):
            self.pm.unregister(name=record.name)
            return
        folder = template_folder(record.plugin)
        if folder is not None:
            self.template_folders[record.name] = folder
        record.state = ModuleState.ENABLED

    # --- calling module code: every call site goes through these two --------------

    def _kwargs(self, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        record = self.registry.get(name)
        return {"module": record.context if record else None, **kwargs}

    def _observed(self, outcome: Outcome | None) -> Outcome | None:
        if outcome is not None:
            for observe in self.observers:
                observe(outcome)
        return outcome

    def call(
        self, hook: str, name: str, *, timeout: float | None = None, **kwargs: Any
    ) -> Outcome | None:
        """Call module ``name``'s ``hook`` from sync code: isolated, within ``timeout``
        (default ``BMC_HUB_HOOK_TIMEOUT``), with its context as ``module``; None when the
        module does not implement it."""
        outcome = call_one_sync(
            self.pm,
            hook,
            name,
            self._kwargs(name, kwargs),
            timeout=timeout or self.settings.hook_timeout,
            trace=self.settings.trace_hooks,
        )
        return self._observed(outcome)

    async def acall(
        self,
        hook: str,
        name: str,
        *,
        timeout: float | None = None,
        inflight: dict[str, Inflight] | None = None,
        **kwargs: Any,
    ) -> Outcome | None:
        """:meth:`call` from the event loop (``async def`` hooks run on it, timed step by
        step; sync ones in a thread of their own)."""
        outcome = await call_one_async(
            self.pm,
            hook,
            name,
            self._kwargs(name, kwargs),
            timeout=timeout or self.settings.hook_timeout,
            trace=self.settings.trace_hooks,
            inflight=inflight,
            blockers=self.loop_blockers,
        )
        return self._observed(outcome)

    def _module_metrics(self, name: str) -> Callable[[], ModuleMetrics] | None:
        metrics = self.metrics
        return None if metrics is None else (lambda: metrics.module(name))

    def _configure(self, record: ModuleRecord, context: ModuleContext) -> bool:
        model: type[ModuleSettings] = ModuleSettings
        outcome = self.call("register_settings", record.name)
        if outcome is not None:
            if not outcome.ok:
                assert outcome.error is not None
                record.fail(Stage.SETTINGS, outcome.error)
                return False
            if outcome.value is not None:
                model = outcome.value
        try:
            context.settings = load_module_settings(record.name, model)
        except (ValueError, HookReturnError) as exc:
            record.fail(Stage.SETTINGS, exc)
            return False
        for line in unknown_keys(record.name, model):
            log.warning("%s", line)
            record.warnings.append(line)
        return True

    def _declare_jobs(self, record: ModuleRecord, context: ModuleContext) -> bool:
        from .jobs.declare import check_jobs

        outcome = self.call("register_jobs", record.name)
        if outcome is None:
            return True
        if outcome.error is not None:
            record.fail(Stage.JOBS, outcome.error)
            return False
        try:
            record.jobs = check_jobs(outcome.value)
        except HookReturnError as exc:
            record.fail(Stage.JOBS, exc)
            return False
        context.declared_jobs = {job.name: job for job in record.jobs}
        return True

    def contexts(self, *, enabled_only: bool = False) -> dict[str, ModuleContext]:
        """name → context of every loaded module, in dependency order."""
        wanted = (
            {ModuleState.ENABLED} if enabled_only else {ModuleState.ENABLED, ModuleState.DISABLED}
        )
        return {
            r.name: r.context
            for r in self.registry.loaded()
            if r.context is not None and r.state in wanted
        }

    def is_allowed(self, name: str) -> bool:
        """In the allowlist (the ceiling), or registered in-process."""
        return name in self.inprocess or self.settings.is_allowed(name)

    def allowed_not_enabled(self) -> list[ModuleRecord]:
        """Allowed modules that are not enabled: what strict mode refuses."""
        return [
            r
            for r in self.registry
            if self.is_allowed(r.name)
            and r.state is not ModuleState.ENABLED
            and not (r.state is ModuleState.DISABLED and r.admin_enabled is False)
        ]
