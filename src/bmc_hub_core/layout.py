"""What the hub's layout (``hub/layout.html``) shows around every page, core or module.

The layout calls the Jinja global ``hub_layout(request)`` itself, so a module's
``module.templates.TemplateResponse(request, "NAME/page.html", ...)`` gets the navigation
bar, the sign-in state and the flash message without passing anything. Nothing here
reads the database: the module entries were collected when the app was built
(:mod:`.navigation`), their state is the registry's, and the sign-in state comes from the
session cookie's signature (as the hub's error pages read it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from jinja2 import Environment
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from . import flash as flashes
from .navigation import Navigation, NavLink
from .signin import COOKIE_NAME

if TYPE_CHECKING:
    from starlette.templating import _TemplateResponse

    from .hub import Hub


@dataclass(frozen=True)
class CoreLink:
    title: str
    href: str


#: The core's own entries, after the modules'.
CORE_LINKS = (
    CoreLink("Customers", "/customers"),
    CoreLink("Admin", "/admin"),
    CoreLink("API docs", "/api/docs"),
)


@dataclass(frozen=True)
class PageLayout:
    """Everything ``hub/layout.html`` needs for one request."""

    modules: list[NavLink] = field(default_factory=list)
    core: tuple[CoreLink, ...] = CORE_LINKS
    #: ``admin`` or ``api`` for a signed-in browser, else None.
    role: str | None = None
    flash: flashes.Flash | None = None
    #: This page's path: marks the current entry and brings the browser back after sign-in.
    path: str = "/"

    @property
    def login_href(self) -> str:
        if self.path in ("/", "/login"):
            return "/login"
        return "/login?" + urlencode({"next": self.path})

    def current(self, href: str) -> bool:
        """Is ``href`` the page shown, or a page above it (``/customers`` for ``/customers/5``)?"""
        base = href.rstrip("/")
        return self.path == href or (bool(base) and self.path.startswith(base + "/"))


def hub_of(request: object) -> Hub | None:
    """The hub serving ``request``, or None outside a hub app (a template rendered alone)."""
    if not isinstance(request, Request) or "app" not in request.scope:
        return None
    hub: Hub | None = getattr(request.app.state, "hub", None)
    return hub


def signed_in_role(request: Request, hub: Hub) -> str | None:
    """The role of the browser's session by its signature; None when it has none, or when
    this worker already knows it ended."""
    session = hub.signin.read(request.cookies.get(COOKIE_NAME))
    if session is None or hub.signin.is_cached(session) is False:
        return None
    return session.role


def hub_layout(request: object = None) -> PageLayout:
    """The Jinja global the layout calls with its ``request``."""
    hub = hub_of(request)
    if hub is None:
        return PageLayout()
    assert isinstance(request, Request)
    navigation: Navigation | None = getattr(request.app.state, "navigation", None)
    return PageLayout(
        modules=navigation.links(hub) if navigation else [],
        role=signed_in_role(request, hub),
        flash=flashes.take(request, hub),
        path=request.url.path,
    )


class HubTemplates(Jinja2Templates):
    """The hub's ``Jinja2Templates``: the layout's global, and a shown flash deleted."""

    def _setup_env_defaults(self, env: Environment) -> None:
        super()._setup_env_defaults(env)
        env.globals.setdefault("hub_layout", hub_layout)

    def TemplateResponse(  # Starlette's name
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> _TemplateResponse:
        response = super().TemplateResponse(
            request, name, context, status_code, headers, media_type, background
        )
        # The page is rendered by now: if its layout showed the flash, it is spent.
        flashes.clear_if_taken(request, response)
        return response
