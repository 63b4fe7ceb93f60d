"""What the gate hands a module's requests to: its own middleware chain and URL names.

Built once while the app is built (``register_middleware``), kept in plain dicts the gate
reads with one lookup per request; requests to other modules and the core never touch a
module's chain.

- **Middleware** wraps only the module's URL space, behind the gate (token, state and
  switches come first). The chain is built around a trampoline to what lies below the
  gate, which Starlette only creates when it builds the middleware stack.
- **URL names** (``request.url_for``) resolve among the module's own routes and mounts
  first: two modules using the same library (sqladmin's mount named ``admin``) each get
  their own URLs, instead of the first one mounted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.datastructures import URLPath
from starlette.middleware import Middleware
from starlette.routing import NoMatchFound
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import HookReturnError

MiddlewareEntry = Middleware | Callable[[ASGIApp], ASGIApp]


class ModuleUrls:
    """``scope["router"]`` for a module's requests: ``url_path_for`` looks in the
    module's routers (full paths), then in the whole app (core names)."""

    def __init__(self, routers: Sequence[Any], app_router: Any) -> None:
        self.routers = list(routers)
        self.app_router = app_router

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for router in [*self.routers, self.app_router]:
            try:
                path: URLPath = router.url_path_for(name, **path_params)
                return path
            except NoMatchFound:
                continue
        raise NoMatchFound(name, path_params)


class ModuleStacks:
    """Per-module middleware chains and URL resolvers, by module name."""

    def __init__(self) -> None:
        self.chains: dict[str, ASGIApp] = {}
        self.urls: dict[str, ModuleUrls] = {}
        #: The entries each module's routers got in the app's routes (for the dispatch).
        self.routes: dict[str, list[Any]] = {}
        #: What lies below the gate; set when the gate is created.
        self.downstream: ASGIApp | None = None

    async def _below_gate(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.downstream is not None, "the gate has not been created yet"
        await self.downstream(scope, receive, send)

    def add_middleware(self, name: str, entries: object) -> None:
        """Build module ``name``'s chain (first entry outermost); raises
        :class:`HookReturnError` for a wrong value, and whatever a factory raises."""
        if entries is None:
            return
        if not isinstance(entries, list | tuple):
            raise HookReturnError(
                "register_middleware must return a list of starlette Middleware(...) "
                f"entries or of app -> app callables, or None; got {type(entries).__name__}"
            )
        app: ASGIApp = self._below_gate
        for entry in reversed(entries):
            app = _wrap(entry, app)
        if entries:
            self.chains[name] = app


def _wrap(entry: object, app: ASGIApp) -> ASGIApp:
    if isinstance(entry, Middleware):
        cls, args, kwargs = entry
        wrapped: ASGIApp = cls(app, *args, **kwargs)
        return wrapped
    if callable(entry):
        made = entry(app)
        if not callable(made):
            raise HookReturnError(
                f"middleware factory {entry!r} returned {type(made).__name__}, not an ASGI app"
            )
        return made  # type: ignore[no-any-return]
    raise HookReturnError(
        f"register_middleware returned {type(entry).__name__} in its list; use "
        "starlette.middleware.Middleware(cls, ...) or a callable app -> app"
    )
