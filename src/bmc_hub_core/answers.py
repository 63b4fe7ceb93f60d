"""What the hub answers in a module's place: JSON for API clients, a page for browsers.

The gate (disabled, failed, read-only module, a cross-site write), the body limit (413)
and the token check answer here. An API client gets ``{"detail": ...}``; a browser
asking for a page (``Accept: text/html``, outside ``/api/``) gets the same reason on a
page in the hub's layout, with the status code, and a link to ``/admin`` for admins.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from .signin import COOKIE_NAME
from .urlspace import API_PREFIX

if TYPE_CHECKING:
    from .hub import Hub

HeaderList = Sequence[tuple[bytes, bytes]]

#: The page title for each status the hub answers with.
TITLES = {
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    413: "Too large",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def wants_html(scope: Scope) -> bool:
    """A browser page request: ``Accept: text/html``, and not an API path."""
    path: str = scope.get("path", "")
    if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
        return False
    return "text/html" in Headers(scope=scope).get("accept", "")


async def send_json(send: Send, status: int, detail: str, headers: HeaderList = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Answers:
    """Renders the hub's own error answers for one hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def _admin(self, request: Request) -> bool:
        """An admin's browser (checked from the cookie's signature, no database)."""
        session = self.hub.signin.read(request.cookies.get(COOKIE_NAME))
        return session is not None and session.role == "admin"

    async def refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        status: int,
        detail: str,
        headers: HeaderList = (),
    ) -> None:
        """Answer ``status`` with ``detail``: a page for a browser, else JSON."""
        if not wants_html(scope):
            await send_json(send, status, detail, headers)
            return
        request = Request(scope, receive)
        response = self.hub.templates.TemplateResponse(
            request,
            "hub/error.html",
            {
                "status": status,
                "title": TITLES.get(status, "Error"),
                "detail": detail,
                "admin": self._admin(request),
            },
            status_code=status,
            headers={k.decode("latin-1"): v.decode("latin-1") for k, v in headers},
        )
        await response(scope, receive, send)
