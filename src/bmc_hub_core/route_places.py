"""Where a module's routes sit (full path, methods), read from its routers as included.

FastAPI answers this itself (``iter_route_contexts``) by building each route's effective
context: a pydantic adapter per parameter and response model, about 1.5 ms a route. The
app builds those anyway when it first serves the module; building them at start-up too,
only to read paths, was most of what each installed module added to a start. Paths and
methods need no adapter: a route's full path is the prefixes it was included under plus
its own path. A route of a kind not known here makes :func:`places` answer None, and the
caller asks FastAPI instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.routing import BaseRoute, Host, Mount, Route, WebSocketRoute


@dataclass(frozen=True)
class RoutePlace:
    """A route and where it is served: the attributes of FastAPI's ``RouteContext``
    that the route checks read."""

    original_route: BaseRoute
    path: str | None
    methods: set[str] | None


def places(routes: Sequence[BaseRoute], prefix: str = "") -> list[RoutePlace] | None:
    """Every route among ``routes`` (included routers followed) with its full path."""
    found: list[RoutePlace] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        context = getattr(route, "include_context", None)
        if inner is not None and context is not None:  # a router included with a prefix
            nested = places(inner.routes, prefix + str(getattr(context, "prefix", "")))
            if nested is None:
                return None
            found.extend(nested)
        elif isinstance(route, Host):
            found.append(RoutePlace(route, None, None))
        elif isinstance(route, Mount):
            found.append(RoutePlace(route, (prefix + route.path).rstrip("/"), None))
        elif isinstance(route, Route | WebSocketRoute):
            found.append(RoutePlace(route, prefix + route.path, getattr(route, "methods", None)))
        else:
            return None
    return found
