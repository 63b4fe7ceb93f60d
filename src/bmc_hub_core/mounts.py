"""Put the API-token check in front of what modules mount (static files, sub-apps).

``include_router(dependencies=...)`` reaches routes only: a ``Mount`` inside a module's
router would serve its files to anyone even with ``BMC_HUB_API_TOKENS`` set.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import HTTPException
from fastapi.routing import iter_route_contexts
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Host, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from .auth import LoginRequired, api_access, login_redirect, require_api

#: WebSocket close code for "policy violation": no valid token.
WS_POLICY_VIOLATION = 1008


class TokenGuard:
    """ASGI wrapper: the same answer ``require_api`` gives a route, for a mounted app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not api_access(HTTPConnection(scope)):
            await send({"type": "websocket.close", "code": WS_POLICY_VIOLATION})
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


def guard_mounts(routes: Sequence[BaseRoute]) -> int:
    """Wrap every mounted app under ``routes`` (included routers too); returns how many."""
    guarded = 0
    for ctx in iter_route_contexts(routes):
        route = ctx.route
        if isinstance(route, Mount | Host) and not isinstance(route.app, TokenGuard):
            route.app = TokenGuard(route.app)
            guarded += 1
    return guarded
