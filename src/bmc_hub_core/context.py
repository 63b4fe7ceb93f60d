"""``ModuleContext``: the narrow view of the hub each module's hooks receive."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .db import module_metadata
from .errors import BmcHubError
from .module_settings import ModuleSettings
from .names import table_prefix

if TYPE_CHECKING:  # the ORM, the templates and metrics are imported when first used
    import httpx
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.templating import Jinja2Templates

    from .jobs.declare import Job
    from .jobs.handle import ModuleJobs
    from .metrics import ModuleMetrics


class EnabledSwitch:
    """``module.enabled``: whether the module is enabled right now, for code that runs
    on (streams, loops) to watch::

        while module.enabled:
            ...
        await module.enabled.wait_disabled()   # returns when an admin disables it

    The core sets it on every worker as soon as a toggle is applied (before
    ``on_enable``/``on_disable`` run). Use it from the server's event loop.
    """

    def __init__(self) -> None:
        self._on = False
        self._changed: asyncio.Event | None = None

    def __bool__(self) -> bool:
        return self._on

    def is_set(self) -> bool:
        return self._on

    def set(self, on: bool) -> None:
        """The core's switch (modules only read it)."""
        if on == self._on:
            return
        self._on = on
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def _wait_until(self, on: bool) -> None:
        while self._on is not on:
            if self._changed is None:
                self._changed = asyncio.Event()
            await self._changed.wait()

    async def wait_disabled(self) -> None:
        """Return once the module is disabled (at once if it is)."""
        await self._wait_until(False)

    async def wait_enabled(self) -> None:
        """Return once the module is enabled (at once if it is)."""
        await self._wait_until(True)


def module_logger(name: str) -> logging.Logger:
    return logging.getLogger(f"bmc_hub.modules.{name}")


@dataclass
class ModuleContext:
    """Everything a module may use from the core, scoped to that module.

    ``engine`` is the hub's database as this module sees it: while the module's DRY_RUN
    switch is on, nothing written through it — ``session()``, ``transaction()``,
    ``sessionmaker()``, ``engine.begin()``, a ``Session(engine)`` of its own, the DBAPI
    connection's ``commit()`` — is kept (see docs/security.md for exactly what is covered).
    """

    name: str
    version: str
    distribution: str | None
    #: The hub's own engine; modules use :attr:`engine`.
    hub_engine: Engine = field(repr=False)
    #: Returns the hub's templates (built on first use).
    template_source: Callable[[], Jinja2Templates] = field(repr=False)
    #: Returns the module's metrics (None outside a server).
    metrics_source: Callable[[], ModuleMetrics] | None = field(default=None, repr=False)
    settings: ModuleSettings = field(default_factory=ModuleSettings)
    logger: logging.Logger = field(init=False)
    #: Whether the module is enabled right now (see :class:`EnabledSwitch`).
    enabled: EnabledSwitch = field(default_factory=EnabledSwitch, init=False)
    #: The module's jobs by name (``register_jobs``).
    declared_jobs: dict[str, Job] = field(default_factory=dict, init=False, repr=False)
    _sessions: sessionmaker[Session] | None = field(default=None, init=False, repr=False)
    _dry_engine: Engine | None = field(default=None, init=False, repr=False)
    _http: httpx.Client | None = field(default=None, init=False, repr=False)
    _async_http: httpx.AsyncClient | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.logger = module_logger(self.name)

    @property
    def engine(self) -> Engine:
        """The hub's database as this module may use it: while DRY_RUN is on, an engine
        on the same pool whose connections keep nothing (:mod:`bmc_hub_core.dryrun`)."""
        if not self.settings.dry_run:
            return self.hub_engine
        if self._dry_engine is None:
            from .dryrun.engine import dry_run_engine

            self._dry_engine = dry_run_engine(self.hub_engine, self.name)
        return self._dry_engine

    @property
    def templates(self) -> Jinja2Templates:
        """The hub's templates; this module's own are addressed as ``"NAME/file.html"``."""
        return self.template_source()

    @property
    def metrics(self) -> ModuleMetrics:
        """The module's own Prometheus collectors, ``bmc_hub_module_NAME_*``, shown at
        ``/metrics``: ``module.metrics.counter("imports", "Files imported")``."""
        if self.metrics_source is None:
            raise BmcHubError(
                f"module '{self.name}': metrics exist only in a running hub (create_app), "
                "not in CLI commands; create collectors in hooks the server calls"
            )
        return self.metrics_source()

    @property
    def http(self) -> httpx.Client:
        """An HTTP client for integrations under the module's safety switches: with
        DRY_RUN on, POST/PUT/PATCH/DELETE are not sent (a stand-in answer comes back);
        with READ_ONLY on they are refused (see :mod:`bmc_hub_core.outbound`)."""
        if self._http is None:
            from .outbound import client

            self._http = client(
                self.name, self.version, read_only=self.read_only, dry_run=self.dry_run
            )
        return self._http

    @property
    def async_http(self) -> httpx.AsyncClient:
        """:attr:`http` for ``async def`` code."""
        if self._async_http is None:
            from .outbound import async_client

            self._async_http = async_client(
                self.name, self.version, read_only=self.read_only, dry_run=self.dry_run
            )
        return self._async_http

    async def close_clients(self) -> None:
        """The core closes the module's HTTP clients when the hub stops."""
        if self._http is not None:
            self._http.close()
            self._http = None
        if self._async_http is not None:
            await self._async_http.aclose()
            self._async_http = None

    @property
    def jobs(self) -> ModuleJobs:
        """Enqueue the module's own jobs: ``module.jobs.enqueue("sync", customer_id=5)``."""
        from .jobs.handle import ModuleJobs

        return ModuleJobs(self.name, self.hub_engine, self.declared_jobs)

    @property
    def table_prefix(self) -> str:
        return table_prefix(self.name)

    @property
    def read_only(self) -> bool:
        return self.settings.read_only

    @property
    def dry_run(self) -> bool:
        return self.settings.dry_run

    def table(self, suffix: str) -> str:
        """``table("items")`` → ``"NAME_items"``."""
        return f"{self.table_prefix}{suffix}"

    def metadata(self) -> sa.MetaData:
        """A prefix-enforcing ``MetaData`` for this module (see ``db.module_metadata``)."""
        return module_metadata(self.name)

    def session(self) -> Session:
        """A new Session; honours DRY_RUN (commit keeps nothing, close rolls back)."""
        if self._sessions is None:
            self._sessions = self.sessionmaker()
        return self._sessions()

    def sessionmaker(self, **options: Any) -> sessionmaker[Session]:
        """A session factory for libraries that ask for one (sqladmin,
        fastapi-pagination, FastAPI-Users), with the same DRY_RUN guarantee as
        ``session()``. ``options`` go to SQLAlchemy's ``sessionmaker`` (``bind`` is the
        module's engine). Each call returns a new factory, so a library that
        ``configure()``s it changes nothing else."""
        from .sessions import session_factory

        return session_factory(self.engine, dry_run=self.dry_run, **options)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """``with module.transaction() as s:`` commits on success (unless DRY_RUN)."""
        with self.session() as session, session.begin():
            yield session
