"""Core HTML pages: the home page and browser sign-in."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .auth import COOKIE_NAME, CROSS_SITE, authenticate, role_of_token, same_origin
from .flash import flash
from .hub import Hub
from .navigation import Navigation
from .types import ModuleState

#: What an admin's home page lists beside the served modules (``not_allowed`` is not the
#: hub's concern until someone allows it; the admin page lists those).
NOT_SERVED = (
    ModuleState.DISABLED,
    ModuleState.FAILED,
    ModuleState.INCOMPATIBLE,
    ModuleState.MISSING,
)


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def _safe_next(target: str | None) -> str:
    # Only local paths: never redirect a signed-in browser to another site.
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or urlsplit(target).netloc
    ):
        return "/"
    return target


def _from_here(request: Request) -> bool:
    """A form post from the hub's own page (browsers send Origin); tools that send
    neither header are not browsers, and not at risk of cross-site forgery."""
    sent = "origin" in request.headers or "referer" in request.headers
    return not sent or same_origin(request)


def build_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        """The served modules with their pages; an admin also sees the others' states."""
        hub = _hub(request)
        navigation: Navigation = request.app.state.navigation
        principal = await authenticate(request, hub)
        admin = principal is not None and principal.role == "admin"
        modules = [(nav, hub.registry.get(nav.name)) for nav in navigation.serving(hub)]
        served = {nav.name for nav, _ in modules}
        others = [
            r for r in hub.registry if admin and r.state in NOT_SERVED and r.name not in served
        ]
        context = {"modules": modules, "others": others, "admin": admin}
        return hub.templates.TemplateResponse(
            request, "hub/home.html", {**context, "version": hub.core_version}
        )

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> Response:
        return _hub(request).templates.TemplateResponse(
            request, "hub/login.html", {"next": _safe_next(next), "error": None}
        )

    @router.post("/login", response_class=HTMLResponse)
    def login(
        request: Request, token: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
    ) -> Response:
        hub = _hub(request)
        token = token.strip()
        role = role_of_token(hub.settings, token)
        if role is None or not _from_here(request):
            return hub.templates.TemplateResponse(
                request,
                "hub/login.html",
                {"next": _safe_next(next), "error": "That token is not valid."},
                status_code=401,
            )
        response = RedirectResponse(_safe_next(next), status_code=303)
        flash(response, hub, "Signed in as admin." if role == "admin" else "Signed in.")
        # The cookie holds a signed session id, never the token (docs/security.md).
        response.set_cookie(
            COOKIE_NAME,
            hub.signin.start(role, token),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            max_age=hub.signin.max_age,
        )
        return response

    @router.post("/logout")
    def logout(request: Request) -> Response:
        if not _from_here(request):
            return Response(CROSS_SITE, status_code=403, media_type="text/plain")
        hub = _hub(request)
        hub.signin.end(request.cookies.get(COOKIE_NAME))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE_NAME)
        return flash(response, hub, "Signed out.")

    return router
