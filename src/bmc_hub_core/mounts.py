"""Put the API-token check in front of what FastAPI's dependencies do not reach.

``include_router(dependencies=...)`` reaches FastAPI routes only: a ``Mount`` (static
files, a sub-app) or a plain Starlette ``Route``/``WebSocketRoute`` inside a module's
router would answer anyone even with ``BMC_HUB_API_TOKENS`` set.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import HTTPException, status
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Host, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from .auth import LoginRequired, api_access, login_redirect, require_api


class TokenGuard:
    """ASGI wrapper: the same answer ``require_api`` gives a route, for a mounted app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not api_access(HTTPConnection(scope)):
            await send({"type": "websocket.close", "code": status.WS_1008_POLICY_VIOLATION})
            return
        if scope["type"] == "http":
            refusal = _refusal(Request(scope, receive))
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _refusal(request: Request) -> Response | None:
    try:
        require_api(request)
    except LoginRequired:
        return login_redirect(request)
    except HTTPException as exc:
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
    return None


def _guard(route: BaseRoute) -> bool:
    """Wrap ``route``'s app in :class:`TokenGuard` if dependencies do not reach it."""
    if isinstance(route, APIRoute | APIWebSocketRoute):
        return False  # FastAPI routes get the router's dependencies
    if isinstance(route, Route | WebSocketRoute):
        if isinstance(route.endpoint, TokenGuard):
            return False
        # FastAPI rebuilds plain routes from ``endpoint`` when it includes them: an ASGI
        # endpoint is served as it is, so the guard survives the rebuild.
        route.endpoint = route.app = TokenGuard(route.app)
        return True
    if isinstance(route, Mount | Host) and not isinstance(route.app, TokenGuard):
        route.app = TokenGuard(route.app)  # FastAPI copies mounts with their app
        return True
    return False


def guard_mounts(routes: Sequence[BaseRoute]) -> int:
    """Guard every mounted app and plain Starlette route under ``routes`` (included
    routers too); returns how many were wrapped."""
    return sum(_guard(ctx.route) for ctx in iter_route_contexts(routes))
