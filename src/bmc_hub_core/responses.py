"""Error responses routes declare in the OpenAPI document, so it says what really comes back.

Every error the hub or a module sends is ``{"detail": ...}``. A module declares the ones
its route sends itself::

    from bmc_hub_core import error_responses

    @router.get("/items/{item_id}", responses=error_responses(404))

The core adds what it answers in front of every module route on its own (the gate and the
token check, :data:`MODULE_ROUTE_RESPONSES`); FastAPI adds 422 for routes that take input.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    """The body of every error answer: ``{"detail": "what is wrong and how to fix it"}``."""

    detail: str


#: What each status means when the hub (or a module) sends it.
DESCRIPTIONS: dict[int, str] = {
    400: "The request body could not be parsed (not UTF-8, or not the declared type)",
    401: "Missing or invalid token (BMC_HUB_API_TOKENS, or the admin token)",
    403: "Forbidden: the module is read-only, or the server has no admin token",
    404: "Not found (or the module is disabled)",
    409: "Conflict with the current state",
    413: "Request body too large (BMC_HUB_MAX_BODY_BYTES, or the route's own limit)",
    415: "Unsupported media type",
    503: "The module is unavailable (failed), or the database did not answer",
}


def error_responses(*codes: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for FastAPI: each code with its description and ``ErrorDetail``.

    ``descriptions`` override the standard text per code: ``error_responses(404,
    _404="Unknown customer")``.
    """
    return {
        code: {
            "model": ErrorDetail,
            "description": descriptions.get(f"_{code}", DESCRIPTIONS.get(code, "Error")),
        }
        for code in codes
    }


#: What the core (and FastAPI) may answer for any module route: an unreadable body
#: (400), token check (401), read-only switch (403), disabled (404), body limit (413),
#: failed (503).
MODULE_ROUTE_RESPONSES = error_responses(400, 401, 403, 404, 413, 503)
