"""``GET /admin``: the admin page. It holds no data; its script calls the admin API.

The page itself is public: it is static HTML, and everything it shows comes from
``/api/v1/modules`` with the token the admin types (kept in ``sessionStorage``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from .hub import Hub

#: Only the hub's own files: no CDN, no inline script, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def build_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/admin", response_class=HTMLResponse)
    def admin_page(request: Request) -> Response:
        hub: Hub = request.app.state.hub
        response = hub.templates.TemplateResponse(
            request,
            "hub/admin.html",
            {
                "version": hub.core_version,
                "admin_configured": hub.settings.admin_token is not None,
                "poll_seconds": hub.settings.state_poll_seconds,
            },
        )
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    return router
