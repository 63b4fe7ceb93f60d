"""Error bodies for bad requests: short, JSON, never an echo of what was sent.

- 422: FastAPI's handler, with each error's ``input`` cut to a short excerpt (a 50 MB
  body that fails validation used to come back whole).
- 405: the ``Allow`` header lists every method of the path (:func:`method_not_allowed`).
- 413: Starlette answers an over-long body with a bare "Content Too Large" (plain text,
  or JSON from inside a route); :class:`ContentTooLarge` answers instead, naming the
  limit, as JSON or as a page for a browser.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .answers import Answers, send_json

#: At most this many characters of a rejected input are shown back.
EXCERPT_CHARS = 200


def excerpt(value: Any) -> Any:
    """``value`` itself when short, else the start of its JSON (or text) form."""
    if isinstance(value, bytes):
        shown = value[:EXCERPT_CHARS].decode("utf-8", "replace")
        return f"{shown}… ({len(value)} bytes in all)" if len(value) > EXCERPT_CHARS else shown
    try:
        text = value if isinstance(value, str) else json.dumps(jsonable_encoder(value))
    # Anything pydantic put in the error: if it cannot be shown, say so.
    except Exception:  # noqa: BLE001
        return f"<{type(value).__name__}>"
    if len(text) <= EXCERPT_CHARS:
        return value
    return f"{text[:EXCERPT_CHARS]}… ({len(text)} characters in all)"


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 body (``{"detail": [{loc, msg, type, input, ctx}]}``) with excerpts."""
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        error = dict(error)
        if "input" in error:
            error["input"] = excerpt(error["input"])
        if "ctx" in error:
            error["ctx"] = {key: excerpt(str(value)) for key, value in error["ctx"].items()}
        errors.append(error)
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


#: What Starlette's and FastAPI's body limits answer (plain text, or JSON from the route).
_FRAMEWORK_BODIES = (b"Content Too Large", b'{"detail":"Content Too Large"}')
MAX_BODY_SCOPE_KEY = "starlette.max_body_size"


def too_large_detail(limit: object) -> str:
    shown = f"{limit} bytes" if isinstance(limit, int) else "the limit"
    return (
        f"request body too large: at most {shown} here (BMC_HUB_MAX_BODY_BYTES, or the "
        "route's own max_body_size)"
    )


class ContentTooLarge:
    """Pure ASGI: the framework's bare 413 ("Content Too Large", plain text or JSON)
    becomes the hub's answer, naming the limit: JSON, or a page for a browser.

    Only requests that carry a body are watched, and held to ``limit``
    (``BMC_HUB_MAX_BODY_BYTES``) with Starlette's body limit, which a route's own
    ``max_body_size=`` raises or lowers; the rest pass straight through.
    """

    def __init__(
        self, app: ASGIApp, answers: Answers | None = None, limit: int | None = None
    ) -> None:
        self.app = app
        self.answers = answers
        self.limited: ASGIApp = (
            app if limit is None else RequestBodyLimitMiddleware(app, max_body_size=limit)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        replaced = False

        async def watch(message: Message) -> None:
            nonlocal held, replaced
            if replaced:
                return  # the framework's body is dropped: the hub's answer went out whole
            if message["type"] == "http.response.start" and message["status"] == 413:
                held = message  # decided when its body shows whose answer it is
                return
            if held is not None and message["type"] == "http.response.body":
                start, held = held, None
                if message.get("body", b"").strip() in _FRAMEWORK_BODIES:
                    replaced = True
                    detail = too_large_detail(scope.get(MAX_BODY_SCOPE_KEY))
                    if self.answers is not None:
                        await self.answers.refuse(scope, receive, send, 413, detail)
                    else:
                        await send_json(send, 413, detail)
                    return
                await send(start)
            await send(message)

        await self.limited(scope, receive, watch)


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return bool(value != b"0")
        if name == b"transfer-encoding":
            return True
    return False


def _route_methods(app: Any) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """(path regex, methods) of every route of ``app``, built once: routes never change
    at runtime (toggling a module does not add or remove any)."""
    cached: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(
        app.state, "route_methods", None
    )
    if cached is None:
        cached = []
        for ctx in iter_route_contexts(app.router.routes):
            if ctx.path is not None and ctx.methods:
                regex, _format, _convertors = compile_path(ctx.path)
                cached.append((regex, frozenset(ctx.methods)))
        app.state.route_methods = cached
    return cached


async def method_not_allowed(request: Request, _exc: Exception) -> JSONResponse:
    """405 with an ``Allow`` header listing every method the path has, not only those of
    the first route that matched it (routes for one path are declared one by one)."""
    methods: set[str] = set()
    for regex, route_methods in _route_methods(request.app):
        if regex.match(request.url.path):
            methods |= route_methods
    return JSONResponse(
        {"detail": "Method Not Allowed"},
        status_code=405,
        headers={"Allow": ", ".join(sorted(methods))},
    )
