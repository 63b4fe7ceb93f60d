"""The hook contract between the core and its modules.

A module's entry-point object (usually a Python module) holds functions decorated with
``@hookimpl`` whose names are the specs below. Every hook receives the module's own
:class:`~bmc_hub_core.context.ModuleContext` as ``module`` (declare it or leave it out,
pluggy style). Hooks may be ``def`` or ``async def``.

The core never calls a hook for all modules at once: it calls each module's
implementation on its own (``call_each``), with a time budget, and records a failure on
that module only. Implementations must not be wrappers, ``tryfirst`` or ``trylast``.

An ``async def`` hook runs on the server's event loop: blocking code in it (``time.sleep``,
a synchronous HTTP or database call) stops every other request, and a coroutine that never
yields cannot be cancelled. The core times every step of an ``async def`` hook; one that
holds the loop longer than the hook's budget fails with ``EventLoopBlocked`` ("blocked
the event loop for N s"), logged once, and from then on runs in a thread of its own.
Write blocking hooks as plain ``def``: the core runs those in a thread.

The hook reference in ``docs/hooks.md`` is rendered from the docstrings in this file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path

    from fastapi import APIRouter
    from starlette.middleware import Middleware
    from starlette.types import ASGIApp

    from .context import ModuleContext
    from .jobs.declare import Job
    from .module_settings import ModuleSettings
    from .types import CustomerInfo, CustomerPanel, HealthResult, NavItem

PROJECT_NAME = "bmc_hub"

#: The integer version of this hook contract. A module may declare ``hub_api = ">=1,<2"``
#: (a PEP 440 specifier over this number) on its entry object; a mismatch makes the
#: module ``incompatible``.
HUB_API_VERSION = 1

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

#: Hook names in the order the core calls them during startup.
HOOK_NAMES = (
    "register_settings",
    "register_migrations",
    "register_routes",
    "register_views",
    "register_middleware",
    "register_navigation",
    "on_startup",
    "health",
    "on_enable",
    "on_disable",
    "customer_panel",
    "register_jobs",
    "on_shutdown",
)


@hookspec
def register_settings(module: ModuleContext) -> type[ModuleSettings] | None:
    """Declare the module's settings model.

    When: once per process, before any other hook of the module, during discovery
    (``create_app`` and every ``bmc-hub modules``/``db`` command).

    Parameters: ``module`` — the module's context; its ``settings`` is still the base
    :class:`~bmc_hub_core.ModuleSettings` at this point.

    Returns: a subclass of :class:`~bmc_hub_core.ModuleSettings` (a pydantic model), or
    ``None`` for no settings beyond ``read_only`` and ``dry_run``. The core fills it from
    ``MODULES__NAME__KEY`` environment variables (and ``.env``) and puts the validated
    object in ``module.settings``.

    Raising, returning another type, or a value that fails validation: the module is
    ``failed`` at stage ``settings``, with a message naming the variable; the others go on.

    Since: hub API 1.
    """


@hookspec
def register_migrations(module: ModuleContext) -> str | Path | None:
    """Point the core at the module's Alembic versions folder.

    When: by the migration runner (startup with ``BMC_HUB_AUTO_MIGRATE=true``,
    ``bmc-hub db upgrade``, ``bmc-hub db status``), after settings.

    Parameters: ``module`` — the module's context.

    Returns: the path of a folder of Alembic revision files shipped inside the module's
    package (package data), or ``None`` if the module has no tables. Revisions carry
    ``branch_labels=("NAME",)``; every object they create starts with ``NAME_``; the
    module's version table is ``NAME_alembic_version``.

    Raising, or a path that does not exist: the module is ``failed`` at stage
    ``migrate``.

    Since: hub API 1.
    """


@hookspec
def register_routes(module: ModuleContext) -> APIRouter | list[APIRouter] | None:
    """Contribute the module's JSON API.

    When: once per process while the app is built, after settings.

    Parameters: ``module`` — the module's context.

    Returns: a FastAPI ``APIRouter`` (or a list of them) whose paths are relative; the
    core mounts it at ``/api/v1/NAME`` with the OpenAPI tag ``NAME``. ``None`` for no API.
    The module owns exactly ``/api/v1/NAME`` and ``/api/v1/NAME/...``: every route,
    websocket and mount must start with ``/`` (or be empty, meaning the prefix itself);
    a path glued onto the prefix (``"2/x"`` → ``/api/v1/NAME2/x``) or a ``Host`` route
    fails the module.
    A path that collides with a core route (``/health``, any method) fails the module.
    Apps mounted in the router (``router.mount``: static files, sub-apps) ask for the same
    API token as its routes. A router's own ``lifespan=`` (as libraries such as
    fastapi-pagination add) and its startup/shutdown handlers are run by the hub, after
    ``on_startup`` and behind the same guard and budget; one that raises or hangs fails
    the module at stage ``startup``. They are never merged into the app's lifespan.

    Raising (``SystemExit`` included), a wrong return type or a colliding path: the
    module is ``failed`` at stage ``routes`` and its URL space answers 503; the others
    go on. A router whose models cannot produce a JSON schema is served but
    left out of the OpenAPI document.

    Since: hub API 1.
    """


@hookspec
def register_views(module: ModuleContext) -> APIRouter | None:
    """Contribute the module's HTML pages.

    When: once per process while the app is built, after ``register_routes``.

    Parameters: ``module`` — the module's context; render with ``module.templates``
    (templates under the module package's ``templates/`` folder are addressed as
    ``"NAME/page.html"`` and may extend the core's ``"hub/layout.html"``).

    Returns: an ``APIRouter`` of HTML routes, mounted at ``/NAME``, or ``None``. The
    module owns exactly ``/NAME`` and ``/NAME/...`` (an empty path is ``/NAME`` itself).

    Raising, a wrong return type or a path outside ``/NAME``: the module is ``failed`` at
    stage ``routes``.

    Since: hub API 1.
    """


@hookspec
def register_middleware(
    module: ModuleContext,
) -> list[Middleware | Callable[[ASGIApp], ASGIApp]] | None:
    """Wrap the module's own URL space in ASGI middleware.

    When: once per process while the app is built, after ``register_views``.

    Parameters: ``module`` — the module's context.

    Returns: a list of Starlette ``Middleware(cls, *args, **kwargs)`` entries, or of
    callables ``app -> app`` (an ASGI middleware factory), outermost first; ``None`` for
    none. They wrap only ``/api/v1/NAME...`` and ``/NAME...`` (routes, pages, mounts and
    websockets), behind the gate: the token check, the module's state and its safety
    switches come first, so a disabled module's middleware does not run. Requests to
    other modules and to the core never pass through them. Exception handlers for the
    module's own routes (what ``app.add_exception_handler`` does for an app) are an entry
    here: ``Middleware(ExceptionHandlers, handlers={SomeError: handler})``.

    Raising, a wrong return type or a factory that raises: the module is ``failed`` at
    stage ``middleware`` and its URL space answers 503; the others go on.

    Since: hub API 1.
    """


@hookspec
def register_navigation(module: ModuleContext) -> NavItem | list[NavItem] | None:
    """Put the module's pages in the hub's navigation bar.

    When: once per process while the app is built, after ``register_views``.

    Parameters: ``module`` — the module's context.

    Returns: a :class:`~bmc_hub_core.NavItem` (title, a path inside ``/NAME``, order) or a
    list of them; ``None`` for no entry. Only enabled modules are shown: an entry
    disappears at once when an admin disables the module.

    Raising or a wrong return type: logged on the module (a warning); the module is served
    without an entry.

    Since: hub API 1.
    """


@hookspec
def on_startup(module: ModuleContext) -> Awaitable[None] | None:
    """Start the module's background work.

    When: in the core's lifespan, after migrations, before the server accepts requests;
    each module on its own, within ``BMC_HUB_HOOK_TIMEOUT`` seconds.

    Parameters: ``module`` — the module's context.

    Returns: nothing (``def`` or ``async def``).

    Raising, running past the budget or blocking the event loop past it: the module is
    ``failed`` at stage ``startup`` and its URL space answers 503; the core and the other
    modules start normally. With DRY_RUN on, what it writes is not kept either.

    Since: hub API 1.
    """


@hookspec
def on_enable(module: ModuleContext) -> Awaitable[None] | None:
    """React to an admin enabling the module at runtime.

    When: on every worker of every replica, as soon as it applies the toggle (admin API,
    admin page or another worker), before the gate serves the module again; each within
    ``BMC_HUB_HOOK_TIMEOUT`` seconds. Not called at startup (that is ``on_startup``).

    Parameters: ``module`` — the module's context; ``module.enabled`` is already set.

    Returns: nothing (``def`` or ``async def``).

    Raising or running past the budget is logged on the module; it is served anyway.

    Since: hub API 1.
    """


@hookspec
def on_disable(module: ModuleContext) -> Awaitable[None] | None:
    """React to an admin disabling the module at runtime: stop what should not go on.

    When: on every worker of every replica, as soon as it applies the toggle (the gate
    already answers 404 for the module); each within ``BMC_HUB_HOOK_TIMEOUT`` seconds.

    Parameters: ``module`` — the module's context; ``module.enabled`` is already cleared,
    so streams waiting on ``module.enabled.wait_disabled()`` end now.

    Returns: nothing (``def`` or ``async def``).

    Raising or running past the budget is logged on the module; it stays disabled.

    Since: hub API 1.
    """


@hookspec
def customer_panel(
    module: ModuleContext, customer: CustomerInfo
) -> CustomerPanel | Awaitable[CustomerPanel | None] | None:
    """Show what the module knows about a customer on the core's customer page.

    When: each time a customer's page is shown, for every enabled module that implements
    it, each within ``BMC_HUB_HOOK_TIMEOUT`` seconds (prefer a single indexed query).

    Parameters: ``module`` — the module's context; ``customer`` — the customer
    (:class:`~bmc_hub_core.CustomerInfo`: id, name, cvr, email).

    Returns: a :class:`~bmc_hub_core.CustomerPanel` (title, label/value rows shown as
    text, an optional link into the module's pages) or ``None`` for nothing to show.

    Raising, a timeout or a wrong return type: the page shows the panel as unavailable
    (the reason is logged) and everything else on it; a module never breaks the page.

    Since: hub API 1.
    """


@hookspec
def register_jobs(module: ModuleContext) -> Job | list[Job] | None:
    """Declare the module's background jobs.

    When: once per process while modules are loaded (server, ``bmc-hub worker``, CLI),
    after ``register_settings``.

    Parameters: ``module`` — the module's context.

    Returns: :class:`~bmc_hub_core.Job` declarations: ``Job("sync", run=sync,
    cron="0 3 * * *")``, ``Job("poll", run=poll, every=timedelta(seconds=30))``, or
    on-demand only (no schedule). ``run(module, **kwargs)`` may be ``def`` or ``async
    def``; ``bmc-hub worker`` runs it in a process of its own, with the module's context,
    its safety switches applied (DRY_RUN keeps nothing, READ_ONLY refuses writes) and
    within ``timeout``. A module enqueues runs with ``module.jobs.enqueue("sync", ...)``.

    Raising, a wrong return type or an invalid declaration (name, cron, interval under a
    second): the module is ``failed`` at stage ``jobs``.

    Since: hub API 1.
    """


@hookspec
def on_shutdown(module: ModuleContext) -> Awaitable[None] | None:
    """Stop the module's background work.

    When: in the core's lifespan at shutdown, for every module whose ``on_startup``
    succeeded, in reverse order, each within ``BMC_HUB_HOOK_TIMEOUT`` seconds.

    Parameters: ``module`` — the module's context.

    Returns: nothing (``def`` or ``async def``).

    Raising or running past the budget is logged; shutdown goes on.

    Since: hub API 1.
    """


@hookspec
def health(  # type: ignore[empty-body]  # a spec is only a signature and docstring
    module: ModuleContext,
) -> HealthResult | bool | dict[str, Any] | Awaitable[HealthResult | bool | dict[str, Any]]:
    """Report whether the module can do its job.

    When: on ``GET /api/v1/health`` and ``GET /api/v1/NAME/health`` (results cached
    for ``BMC_HUB_HEALTH_CACHE_SECONDS``), every module concurrently, each within
    ``BMC_HUB_HEALTH_TIMEOUT`` seconds. Sync checks run in their own daemon thread so a
    hanging check never blocks a worker; prefer ``async def``.

    Parameters: ``module`` — the module's context.

    Returns: a :class:`~bmc_hub_core.HealthResult`, a ``bool``, or a ``dict`` with an
    ``"ok"`` boolean (other keys are shown as data). A module without this hook is ``ok``.

    Raising: the module's health is ``failing`` with the exception's message. Past the
    budget: ``timeout``. A wrong return type is ``failing``; so is an ``async def`` check
    that blocks the event loop past the budget. Health never changes the module's state.
    The public endpoints show the status only; the reason and data (secrets masked) are
    for the admin API, the admin page and the logs.

    Since: hub API 1.
    """
