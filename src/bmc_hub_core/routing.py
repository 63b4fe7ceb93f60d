"""Mount each module's API router at ``/api/v1/NAME`` and its views at ``/NAME``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.params import Depends
from fastapi.routing import iter_route_contexts

from .calling import call_one_sync
from .errors import HookReturnError
from .hub import Hub
from .mounts import guard_mounts
from .registry import ModuleRecord
from .types import Stage

log = logging.getLogger(__name__)

Taken = dict[tuple[str, str], str]


def route_keys(routes: Sequence[Any]) -> list[tuple[str, str]]:
    """``(method, path)`` of every route, ``*`` for method-less routes (mounts)."""
    keys = []
    for ctx in iter_route_contexts(routes):
        if ctx.path is None:
            continue
        for method in sorted(ctx.methods or {"*"}):
            keys.append((method, ctx.path))
    return keys


def _as_routers(value: object, hook: str) -> list[APIRouter]:
    if value is None:
        return []
    if isinstance(value, APIRouter):
        return [value]
    if isinstance(value, list | tuple) and all(isinstance(v, APIRouter) for v in value):
        return list(value)
    raise HookReturnError(
        f"{hook} must return a fastapi.APIRouter, a list of them, or None; "
        f"got {type(value).__name__}"
    )


def _user_lifespan(lifespan: object, default: type) -> bool:
    """Is ``lifespan``, or one FastAPI merged into it, a module's own?

    ``include_router`` wraps a router's lifespan and the included one in a merged
    lifespan whose closure holds both; follow those down to the originals.
    """
    stack = [lifespan]
    while stack:
        current = stack.pop()
        if isinstance(current, default):
            continue
        if "_merge_lifespan_context" not in getattr(current, "__qualname__", ""):
            return True
        inner = getattr(current, "__wrapped__", current)
        stack.extend(cell.cell_contents for cell in getattr(inner, "__closure__", None) or ())
    return False


def _has_own_lifespan(router: APIRouter) -> bool:
    """Does ``router``, or a router it includes, carry its own lifespan?"""
    default = type(APIRouter().lifespan_context)
    stack = [router]
    while stack:
        current = stack.pop()
        if _user_lifespan(current.lifespan_context, default):
            return True
        for route in current.routes:
            child = getattr(route, "original_router", None)
            if isinstance(child, APIRouter):
                stack.append(child)
    return False


def _refuse_lifespans(routers: list[APIRouter], hook: str) -> None:
    """A router's own lifespan or startup/shutdown handlers would run outside the hub's
    guards, and one raising would stop the whole hub from starting."""
    for router in routers:
        if router.on_startup or router.on_shutdown or _has_own_lifespan(router):
            raise HookReturnError(
                f"a router from {hook} has its own lifespan or startup/shutdown handlers, "
                "which would run outside the hub's guards; use the on_startup and "
                "on_shutdown hooks instead"
            )


def _call(hub: Hub, hook: str, record: ModuleRecord) -> list[APIRouter]:
    outcome = call_one_sync(
        hub.pm,
        hook,
        record.name,
        {"module": record.context},
        timeout=hub.settings.hook_timeout,
        trace=hub.settings.trace_hooks,
    )
    if outcome is None:
        return []
    if outcome.error is not None:
        raise outcome.error
    routers = _as_routers(outcome.value, hook)
    _refuse_lifespans(routers, hook)
    return routers


def _combined(routers: list[APIRouter]) -> APIRouter:
    combined = APIRouter()
    for router in routers:
        combined.include_router(router)
    return combined


def _schema_ok(router: APIRouter, prefix: str, name: str) -> str | None:
    """None if the router's models produce an OpenAPI schema, else the reason."""
    probe = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    probe.include_router(router, prefix=prefix, tags=[name])
    try:
        get_openapi(title=name, version="0", routes=probe.routes)
    # The schema generator runs module-defined models: any exception means "leave it out".
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return None


def mount_module(
    app: FastAPI, hub: Hub, record: ModuleRecord, taken: Taken, dependencies: list[Depends]
) -> None:
    """Mount one module's routes and views, all or nothing; failures fail the module."""
    name = record.name
    api_prefix, view_prefix = f"/api/v1/{name}", f"/{name}"
    try:
        api = _combined(_call(hub, "register_routes", record))
        views = _combined(_call(hub, "register_views", record))
    # register_* may raise anything (SystemExit too); it is the module's failure.
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        record.fail(Stage.ROUTES, exc)
        return
    api_keys = [(m, api_prefix + p) for m, p in route_keys(api.routes)]
    view_keys = [
        (m, (view_prefix + p) if p != "/" else view_prefix + "/")
        for m, p in route_keys(views.routes)
    ]
    own_taken = {**taken, ("GET", f"{api_prefix}/health"): "core"}
    clashes = [
        f"{m} {p} (already served by {own_taken[(m, p)]})"
        for m, p in [*api_keys, *view_keys]
        if (m, p) in own_taken
    ]
    # The path of the core's health route belongs to the core under every method.
    clashes += [
        f"{m} {p} (the path of the core's health route)"
        for m, p in api_keys
        if p == f"{api_prefix}/health" and m != "GET"
    ]
    if clashes:
        record.fail(
            Stage.ROUTES,
            "route collision: " + "; ".join(clashes) + "; rename the module's path",
        )
        return
    schema_problem = _schema_ok(api, api_prefix, name) if api_keys else None
    if schema_problem:
        message = f"routes left out of the OpenAPI document: {schema_problem}"
        log.warning("module '%s': %s", name, message)
        record.warnings.append(message)
    # Route dependencies never reach mounted apps: they get the token check themselves.
    guard_mounts(api.routes)
    guard_mounts(views.routes)
    # include_router merges the module's lifespans into the app's; keep the app's own.
    app_lifespan = app.router.lifespan_context
    if api_keys:
        app.include_router(
            api,
            prefix=api_prefix,
            tags=[name],
            dependencies=dependencies,
            include_in_schema=schema_problem is None,
        )
    if view_keys:
        app.include_router(
            views, prefix=view_prefix, include_in_schema=False, dependencies=dependencies
        )
    app.router.lifespan_context = app_lifespan
    record.routes = sorted({p for _, p in api_keys})
    record.views = sorted({p for _, p in view_keys})
    for key in [*api_keys, *view_keys]:
        taken[key] = f"module '{name}'"


def mount_modules(app: FastAPI, hub: Hub, dependencies: list[Depends]) -> None:
    taken: Taken = {key: "core" for key in route_keys(app.router.routes)}
    for record in hub.registry.loaded():
        if record.context is not None:
            mount_module(app, hub, record, taken, dependencies)
