"""Mount each module's API router at ``/api/v1/NAME`` and its views at ``/NAME``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Host, Mount

from .calling import run_sync
from .dispatch import ModuleDispatch
from .errors import HookReturnError
from .hub import Hub
from .module_stacks import ModuleStacks, ModuleUrls
from .registry import ModuleRecord
from .route_places import places
from .types import Stage
from .urlspace import api_prefix, outside, view_prefix

log = logging.getLogger(__name__)

Taken = dict[tuple[str, str], str]


def route_keys(places: Sequence[Any]) -> list[tuple[str, str]]:
    """``(method, path)`` of every route place (:func:`_places`), ``*`` for method-less
    routes (mounts)."""
    keys = []
    for ctx in places:
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


def with_lifespan(routers: list[APIRouter]) -> list[APIRouter]:
    """Routers with their own lifespan or startup/shutdown handlers. The hub runs those
    under its guards (:mod:`.lifespans`); merged into the app's, one raising would stop
    the whole hub from starting."""
    return [r for r in routers if r.on_startup or r.on_shutdown or _has_own_lifespan(r)]


def _call(hub: Hub, hook: str, record: ModuleRecord) -> list[APIRouter]:
    outcome = hub.call(hook, record.name)
    if outcome is None:
        return []
    if outcome.error is not None:
        raise outcome.error
    return _as_routers(outcome.value, hook)


def _middleware(hub: Hub, record: ModuleRecord, stacks: ModuleStacks) -> None:
    """The module's ``register_middleware``, its factories run isolated too; raises."""
    outcome = hub.call("register_middleware", record.name)
    if outcome is None:
        return
    if outcome.error is not None:
        raise outcome.error
    entries = outcome.value
    built = run_sync(
        record.name,
        "middleware factory",
        lambda: stacks.add_middleware(record.name, entries),
        hub.settings.hook_timeout,
    )
    if built.error is not None:
        raise built.error


def _outside(name: str, contexts: list[Any]) -> list[str]:
    """Routes, websockets and mounts whose full path is not in module ``name``'s URL
    space (:func:`urlspace.owner`, the function the gate asks too), and Host routes,
    which would match any path."""
    problems = []
    for ctx in contexts:
        if isinstance(ctx.original_route, Host):
            problems.append(f"Host route {ctx.original_route.host!r} (it would match any path)")
        elif ctx.path is not None and outside(name, ctx.path):
            kind = "mount" if isinstance(ctx.original_route, Mount) else "route"
            problems.append(f"{kind} {ctx.path!r}")
    return problems


def _url_space_message(name: str, problems: list[str]) -> str:
    return (
        f"outside the URL space of module '{name}' ({api_prefix(name)}, "
        f"{api_prefix(name)}/..., {view_prefix(name)}, {view_prefix(name)}/...): "
        + "; ".join(problems)
        + ". Start every path in the module's routers with '/' (or leave it empty for "
        "the prefix itself)"
    )


def _places(included: list[Any]) -> list[Any]:
    """Full paths and methods of the included routes; FastAPI's own (slower) answer
    for a route of a kind :mod:`.route_places` does not know."""
    found = places(included)
    return found if found is not None else list(iter_route_contexts(included))


class _Included:
    """A module's routers included in the app, undone when the module fails: the routes
    its requests are served by are built once, and checked where they are served."""

    def __init__(self, app: FastAPI) -> None:
        self.router = app.router
        self.first = len(self.router.routes)
        self.lifespan = self.router.lifespan_context
        self.handlers = (list(self.router.on_startup), list(self.router.on_shutdown))

    def add(self, routers: list[APIRouter], prefix: str, **options: Any) -> list[Any]:
        start = len(self.router.routes)
        try:
            for router in routers:
                self.router.include_router(router, prefix=prefix, **options)
        finally:
            # include_router merges the module's lifespans into the app's: keep the app's
            # own (the hub runs module lifespans itself, lifespans.py).
            self.router.lifespan_context = self.lifespan
            self.router.on_startup[:], self.router.on_shutdown[:] = self.handlers
        return self.router.routes[start:]

    @property
    def routes(self) -> list[Any]:
        return self.router.routes[self.first :]

    def undo(self) -> None:
        del self.router.routes[self.first :]


def mount_module(
    app: FastAPI,
    hub: Hub,
    record: ModuleRecord,
    taken: Taken,
    stacks: ModuleStacks,
) -> None:
    """Mount one module's routes and views and build its middleware, all or nothing;
    failures fail the module (and leave nothing of it in the app)."""
    name = record.name
    api_at, view_at = api_prefix(name), view_prefix(name)
    included = _Included(app)
    try:
        api = _call(hub, "register_routes", record)
        views = _call(hub, "register_views", record)
        api_included = included.add(api, api_at, tags=[name])
        view_included = included.add(views, view_at, include_in_schema=False)
        api_routes = _places(api_included)
        view_routes = _places(view_included)
    # register_* may raise anything (SystemExit too); so may including and building the
    # routes of what they returned (FastAPI asserts on bad paths): the module's failure.
    except BaseException as exc:
        included.undo()
        if isinstance(exc, KeyboardInterrupt):
            raise
        record.fail(Stage.ROUTES, exc)
        return
    problems = _outside(name, api_routes) + _outside(name, view_routes)
    if problems:
        included.undo()
        record.fail(Stage.ROUTES, _url_space_message(name, problems))
        return
    api_keys, view_keys = route_keys(api_routes), route_keys(view_routes)
    own_taken = {**taken, ("GET", f"{api_at}/health"): "core"}
    clashes = [
        f"{m} {p} (already served by {own_taken[(m, p)]})"
        for m, p in [*api_keys, *view_keys]
        if (m, p) in own_taken
    ]
    # The path of the core's health route belongs to the core under every method.
    clashes += [
        f"{m} {p} (the path of the core's health route)"
        for m, p in api_keys
        if p == f"{api_at}/health" and m != "GET"
    ]
    if clashes:
        included.undo()
        record.fail(
            Stage.ROUTES,
            "route collision: " + "; ".join(clashes) + "; rename the module's path",
        )
        return
    try:
        _middleware(hub, record, stacks)
    # register_middleware and its factories may raise anything: the module's failure.
    except BaseException as exc:
        included.undo()
        if isinstance(exc, KeyboardInterrupt):
            raise
        record.fail(Stage.MIDDLEWARE, exc)
        return
    stacks.routes[name] = included.routes
    stacks.urls[name] = ModuleUrls(included.routes, app.router)
    record.lifespan_routers = with_lifespan([*api, *views])
    record.routes = sorted({p for _, p in api_keys})
    record.views = sorted({p for _, p in view_keys})
    for key in [*api_keys, *view_keys]:
        taken[key] = f"module '{name}'"


def mount_modules(app: FastAPI, hub: Hub) -> ModuleStacks:
    """Mount every loaded module; returns their middleware chains and URL resolvers."""
    stacks = ModuleStacks()
    taken: Taken = {key: "core" for key in route_keys(_places(app.router.routes))}
    for record in hub.registry.loaded():
        if record.context is not None:
            mount_module(app, hub, record, taken, stacks)
    # First of all routes: a module's requests are matched against its own routers only.
    app.router.routes.insert(0, ModuleDispatch(stacks.routes))
    return stacks
