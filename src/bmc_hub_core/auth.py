"""Tokens: the admin token, optional API tokens, and the browser sign-in cookie.

Tokens are compared in constant time and never logged or echoed.
"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request, WebSocketException, status
from fastapi.responses import RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from .settings import Settings

COOKIE_NAME = "bmc_hub_token"


#: Declares the bearer scheme in the OpenAPI document (the docs page's "Authorize"); the
#: checks below read the header themselves, so a missing one is never answered here.
class _DeclaredBearer(HTTPBearer):
    """``HTTPBearer`` for the OpenAPI declaration only, usable on WebSocket routes too
    (FastAPI passes no ``Request`` there); the checks read the header themselves."""

    async def __call__(self, connection: HTTPConnection) -> HTTPAuthorizationCredentials | None:
        return None


BEARER = _DeclaredBearer(
    auto_error=False,
    scheme_name="bearer",
    description="BMC_HUB_ADMIN_TOKEN for /api/v1/modules; "
    "one of BMC_HUB_API_TOKENS (or the admin token) for data routes.",
)
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]


class LoginRequired(Exception):
    """A browser asked for an HTML view without a valid token: send it to /login."""


def login_redirect(request: Request) -> RedirectResponse:
    """To ``/login``, and back to the same page (query string included) after sign-in."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)


def presented_token(request: HTTPConnection) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE_NAME)


def _matches(token: str, candidates: tuple[str, ...]) -> bool:
    # Compare against every candidate (no early exit) so timing reveals nothing.
    found = False
    for candidate in candidates:
        found |= hmac.compare_digest(token.encode(), candidate.encode())
    return found


def _settings(request: HTTPConnection) -> Settings:
    settings: Settings = request.app.state.hub.settings
    return settings


def is_admin_token(settings: Settings, token: str | None) -> bool:
    if settings.admin_token is None or token is None:
        return False
    return _matches(token, (settings.admin_token.get_secret_value(),))


def is_api_token(settings: Settings, token: str | None) -> bool:
    if token is None:
        return False
    return _matches(token, settings.api_token_values) or is_admin_token(settings, token)


def require_admin(request: Request, _bearer: Bearer = None) -> None:
    settings = _settings(request)
    if settings.admin_token is None:
        raise HTTPException(
            403,
            "the admin API is off: set BMC_HUB_ADMIN_TOKEN on the server "
            "(e.g. BMC_HUB_ADMIN_TOKEN=$(openssl rand -hex 32)) and restart",
        )
    token = presented_token(request)
    if token is None:
        raise HTTPException(
            401,
            "admin token required: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not is_admin_token(settings, token):
        raise HTTPException(401, "invalid admin token", headers={"WWW-Authenticate": "Bearer"})


def api_access(connection: HTTPConnection) -> bool:
    """Data routes: open when BMC_HUB_API_TOKENS is unset, else an API or admin token."""
    settings = _settings(connection)
    return not settings.api_token_values or is_api_token(settings, presented_token(connection))


def require_api(connection: HTTPConnection, _bearer: Bearer = None) -> None:
    """Data routes: open when BMC_HUB_API_TOKENS is unset, else an API or admin token.

    HTTP: 401 (a browser asking for a page goes to ``/login``); WebSocket: closed with
    1008 before it is accepted.
    """
    if api_access(connection):
        return
    token = presented_token(connection)
    detail = (
        "API token required: send 'Authorization: Bearer <token>'"
        if token is None
        else "invalid API token"
    )
    if connection.scope["type"] == "websocket":
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, detail)
    accept = connection.headers.get("accept", "")
    if "text/html" in accept and connection.scope.get("method") == "GET":
        raise LoginRequired()
    raise HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})
