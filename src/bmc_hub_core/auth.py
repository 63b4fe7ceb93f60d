"""Who is asking: a bearer token, or a browser signed in with a session cookie.

- Tokens (``BMC_HUB_ADMIN_TOKEN``, ``BMC_HUB_API_TOKENS``) are compared in constant time
  and never logged or echoed.
- A browser signs in once with a token and then carries a signed session cookie
  (:mod:`.signin`), accepted wherever a bearer token is.
- A request that changes something (any method but GET/HEAD/OPTIONS) and is
  authenticated by the cookie must come from the hub's own pages: its ``Origin`` (or
  ``Referer``) must be the hub's. Bearer-token calls are not affected.

Core routes ask through the dependencies :func:`require_admin` and :func:`require_api`;
every module URL space is checked by the gate with :func:`module_refusal` before the
module's code (routes, mounts, websockets, middleware) runs.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlencode, urlsplit

import anyio
from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from .signin import COOKIE_NAME

if TYPE_CHECKING:
    from .hub import Hub
    from .settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

__all__ = ["COOKIE_NAME", "Principal", "require_admin", "require_api"]


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
    "one of BMC_HUB_API_TOKENS (or the admin token) for data routes. Browsers may sign "
    "in at /login instead (a session cookie).",
)
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]


class LoginRequired(Exception):
    """A browser asked for an HTML page without a valid token: send it to /login."""


def login_redirect(request: HTTPConnection) -> RedirectResponse:
    """To ``/login``, and back to the same page (query string included) after sign-in."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)


@dataclass(frozen=True)
class Principal:
    """Who a request is: ``role`` ``admin`` or ``api``, ``via`` ``bearer`` or ``cookie``."""

    role: str
    via: str


def _matches(token: str | bytes, candidates: tuple[str | bytes, ...]) -> bool:
    # Compare against every candidate (no early exit) so timing reveals nothing.
    given = token.encode() if isinstance(token, str) else token
    found = False
    for candidate in candidates:
        expected = candidate.encode() if isinstance(candidate, str) else candidate
        found |= hmac.compare_digest(given, expected)
    return found


def token_matches(token: str | None, expected: str) -> bool:
    """``token`` is ``expected`` (constant time)."""
    return token is not None and _matches(token, (expected,))


def is_admin_token(settings: Settings, token: str | None) -> bool:
    if settings.admin_token is None or token is None:
        return False
    return _matches(token, (settings.admin_token.get_secret_value(),))


def is_api_token(settings: Settings, token: str | None) -> bool:
    if token is None:
        return False
    return _matches(token, settings.api_token_values) or is_admin_token(settings, token)


def role_of_token(settings: Settings, token: str | None) -> str | None:
    """``admin`` for the admin token, ``api`` for an API token, else None."""
    if is_admin_token(settings, token):
        return "admin"
    return "api" if is_api_token(settings, token) else None


def bearer_token(connection: HTTPConnection) -> str | None:
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def same_origin(connection: HTTPConnection) -> bool:
    """Does the request come from the hub's own pages (``Origin`` or ``Referer``)?"""
    source = connection.headers.get("origin") or connection.headers.get("referer")
    if not source or source == "null":
        return False
    return urlsplit(source).netloc == connection.headers.get("host", "")


def _hub(connection: HTTPConnection) -> Hub:
    hub: Hub = connection.app.state.hub
    return hub


async def authenticate(connection: HTTPConnection, hub: Hub) -> Principal | None:
    """The principal behind a bearer token or a session cookie, or None.

    A cookie costs a database read (in a worker thread) only when its session was not
    checked in the last few seconds.
    """
    token = bearer_token(connection)
    if token is not None:
        role = role_of_token(hub.settings, token)
        return Principal(role, "bearer") if role else None
    session = hub.signin.read(connection.cookies.get(COOKIE_NAME))
    if session is None:
        return None
    active = hub.signin.is_cached(session)
    if active is None:
        active = await anyio.to_thread.run_sync(hub.signin.is_active, session)
    return Principal(session.role, "cookie") if active else None


def _cross_site(connection: HTTPConnection, principal: Principal) -> bool:
    method = connection.scope.get("method", "GET")
    return principal.via == "cookie" and method not in SAFE_METHODS and not same_origin(connection)


CROSS_SITE = (
    "cross-site request refused: a signed-in browser may change data only from the hub's "
    "own pages (the Origin or Referer header must be this hub); API clients send a token"
)


async def require_admin(request: Request, _bearer: Bearer = None) -> None:
    """Dependency of the admin API: the admin token, or a browser signed in with it."""
    hub = _hub(request)
    if hub.settings.admin_token is None:
        raise HTTPException(
            403,
            "the admin API is off: set BMC_HUB_ADMIN_TOKEN on the server "
            "(e.g. BMC_HUB_ADMIN_TOKEN=$(openssl rand -hex 32)) and restart",
        )
    principal = await authenticate(request, hub)
    if principal is None or principal.role != "admin":
        presented = bearer_token(request) is not None or COOKIE_NAME in request.cookies
        raise HTTPException(
            401,
            "invalid admin token"
            if presented
            else "admin token required: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if _cross_site(request, principal):
        raise HTTPException(403, CROSS_SITE)


def _api_detail(connection: HTTPConnection) -> str:
    if bearer_token(connection) is None and COOKIE_NAME not in connection.cookies:
        return "API token required: send 'Authorization: Bearer <token>' or sign in at /login"
    return "invalid API token"


async def api_principal(connection: HTTPConnection, hub: Hub) -> Principal | None:
    """Data routes: the caller, or None when refused. Open (a principal of role ``api``)
    when BMC_HUB_API_TOKENS is unset."""
    principal = await authenticate(connection, hub)
    if principal is None and not hub.settings.api_token_values:
        return Principal("api", "open")
    return principal


async def require_api(request: Request, _bearer: Bearer = None) -> None:
    """Dependency of the core's data routes (customers): an API or admin token."""
    principal = await api_principal(request, _hub(request))
    if principal is None:
        if "text/html" in request.headers.get("accept", "") and request.method == "GET":
            raise LoginRequired()
        raise HTTPException(401, _api_detail(request), headers={"WWW-Authenticate": "Bearer"})
    if _cross_site(request, principal):
        raise HTTPException(403, CROSS_SITE)


async def module_refusal(scope: Scope, hub: Hub) -> ASGIApp | None:
    """What the gate answers instead of a module when the caller may not reach it:
    401 (or /login for a browser page, close 1008 for a websocket), or 403 for a
    cross-site request. None lets the request through."""
    connection = HTTPConnection(scope)
    principal = await api_principal(connection, hub)
    if scope["type"] == "websocket":
        return None if principal is not None else _close_policy_violation
    if principal is None:
        if "text/html" in connection.headers.get("accept", "") and scope["method"] == "GET":
            return login_redirect(connection)
        return JSONResponse(
            {"detail": _api_detail(connection)}, 401, headers={"WWW-Authenticate": "Bearer"}
        )
    if _cross_site(connection, principal):
        return JSONResponse({"detail": CROSS_SITE}, 403)
    return None


class TokenCheck:
    """The gate's check for module URL spaces, with a fast path for the common case.

    A request with ``Authorization: Bearer <token>`` naming a known token is let through
    at once: the header is read from the raw ASGI scope and compared, in constant time
    and against every candidate, with the tokens encoded once here. A bearer call is
    never cross-site. Anything else (a cookie, a wrong or missing token) takes the full
    path, :func:`module_refusal`.
    """

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        settings = hub.settings
        admin = settings.admin_token.get_secret_value() if settings.admin_token else None
        self.tokens: tuple[str | bytes, ...] = tuple(
            token.encode() for token in (*settings.api_token_values, admin) if token
        )

    async def __call__(self, scope: Scope) -> ASGIApp | None:
        for key, value in scope["headers"]:
            if key == b"authorization":
                scheme, _, token = value.partition(b" ")
                token = token.strip()
                if scheme.lower() == b"bearer" and token and _matches(token, self.tokens):
                    return None
                break
        return await module_refusal(scope, self.hub)


async def _close_policy_violation(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "websocket.close", "code": 1008})
