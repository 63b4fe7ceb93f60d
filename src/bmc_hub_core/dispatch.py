"""One route in front of all others that sends a module's request to that module's routers.

Starlette matches a request against the app's routes in order: a module's routers come
after the core's routes and every module mounted before it, and FastAPI matches an
included router route by route. Every module request would pay for all of them (about
4 µs a route on the reference machine). The dispatch route asks :func:`urlspace.owner`
(the function the gate and the route checks ask) which module the path belongs to and
matches only that module's routers: core requests pay one dict lookup, and a module's
requests cost the same however many other modules are mounted.

The module routers stay in ``app.router.routes`` too, after the core's, so the OpenAPI
document, ``url_for``, the ``Allow`` list of a 405 and trailing-slash redirects see them
as before. ``GET``/``HEAD`` of ``/api/v1/NAME/health`` is left to the core's route.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from .urlspace import HEALTH_METHODS, app_path, is_core_health, owner

#: The module route the dispatch matched, from ``matches`` to ``handle`` (one request).
SELECTED = "bmc_hub.dispatch.selected"


class ModuleDispatch(BaseRoute):
    """Matches a request against its module's routers only."""

    def __init__(self, routes: Mapping[str, Sequence[BaseRoute]]) -> None:
        self.routes = {name: tuple(found) for name, found in routes.items() if found}

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] not in ("http", "websocket"):
            return Match.NONE, {}
        path = app_path(scope)
        name = owner(path)
        candidates = self.routes.get(name) if name is not None else None
        if candidates is None:
            return Match.NONE, {}
        if scope.get("method") in HEALTH_METHODS and is_core_health(path):
            return Match.NONE, {}
        partial: tuple[BaseRoute, Scope] | None = None
        for route in candidates:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return Match.FULL, {**child_scope, SELECTED: route}
            if match is Match.PARTIAL and partial is None:
                partial = (route, child_scope)
        if partial is not None:
            return Match.PARTIAL, {**partial[1], SELECTED: partial[0]}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute = scope.pop(SELECTED)
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        # URL names resolve through the module routers' own entries in the app's routes.
        raise NoMatchFound(name, path_params)
