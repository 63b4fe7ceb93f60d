"""Error bodies for bad requests: short, JSON, never an echo of what was sent.

- 422: FastAPI's handler, with each error's ``input`` cut to a short excerpt (a 50 MB
  body that fails validation used to come back whole).
- 413: Starlette answers an over-long ``Content-Length`` with plain text; the hub's
  errors are JSON ``{"detail": ...}``, so :class:`JsonContentTooLarge` rewrites it.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


_TOO_LARGE = json.dumps(
    {"detail": "request body too large; see BMC_HUB_MAX_BODY_BYTES (or the route's limit)"}
).encode()


class JsonContentTooLarge:
    """Pure ASGI: a plain-text 413 from Starlette's body limit becomes a JSON error.

    Only requests that carry a body are watched; the rest pass straight through.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        rewriting = sent = False

        async def send_json(message: Message) -> None:
            nonlocal rewriting, sent
            if message["type"] == "http.response.start" and message["status"] == 413:
                headers = dict(message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(b"text/plain"):
                    rewriting = True
                    message = {
                        **message,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(_TOO_LARGE)).encode()),
                        ],
                    }
            elif message["type"] == "http.response.body" and rewriting:
                if sent:
                    return  # the plain text came in parts: the JSON went out whole
                sent = True
                message = {**message, "body": _TOO_LARGE, "more_body": False}
            await send(message)

        await self.app(scope, receive, send_json)


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return bool(value != b"0")
        if name == b"transfer-encoding":
            return True
    return False
