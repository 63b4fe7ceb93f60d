"""One-shot messages after a form post ("Customer created."): a signed cookie, no server state.

A core page that handles a form sets the message on its 303 redirect with :func:`flash`;
the next page that renders the hub's layout shows it and deletes the cookie in the same
response (:func:`take` marks the request, :class:`~bmc_hub_core.layout.HubTemplates`
deletes it), so a reload does not show it again. The cookie is signed with the hub's
session key under its own salt, so no other site or script can put words on the hub's
pages, and it expires after :data:`MAX_AGE` seconds if no page ever shows it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import HTTPConnection
from starlette.responses import Response

if TYPE_CHECKING:
    from .hub import Hub

log = logging.getLogger(__name__)

COOKIE_NAME = "bmc_hub_flash"
#: Long enough for a slow redirect, short enough that a stale message never surprises.
MAX_AGE = 120
#: A message is one sentence: longer text belongs on the page itself.
MAX_LENGTH = 300
_SHOWN = "bmc_hub_flash_shown"

Kind = Literal["ok", "error"]


@dataclass(frozen=True)
class Flash:
    """What the layout shows once: the text and whether it reports success or a problem."""

    message: str
    kind: Kind = "ok"


def _serializer(hub: Hub) -> URLSafeTimedSerializer:
    # The session key, with a salt of its own: a flash can never pass for a session.
    return URLSafeTimedSerializer(hub.signin.serializer.secret_keys, salt="bmc-hub-flash")


def flash(response: Response, hub: Hub, message: str, kind: Kind = "ok") -> Response:
    """Put ``message`` on ``response`` (a redirect) for the next page to show."""
    value = _serializer(hub).dumps({"m": message[:MAX_LENGTH], "k": kind})
    response.set_cookie(
        COOKIE_NAME, str(value), max_age=MAX_AGE, httponly=True, samesite="lax", path="/"
    )
    return response


def take(connection: HTTPConnection, hub: Hub) -> Flash | None:
    """The message waiting for this request, if its signature and age are good.

    Marks the request so the response deletes the cookie (:func:`clear_if_taken`);
    a cookie that is bad or expired is deleted too.
    """
    raw = connection.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    setattr(connection.state, _SHOWN, True)
    try:
        data = _serializer(hub).loads(raw, max_age=MAX_AGE)
    except BadSignature:  # also SignatureExpired
        log.debug("ignoring a flash cookie with a bad signature or age")
        return None
    if not isinstance(data, dict) or not isinstance(data.get("m"), str):
        return None
    kind: Kind = "error" if data.get("k") == "error" else "ok"
    return Flash(data["m"][:MAX_LENGTH], kind)


def clear_if_taken(connection: HTTPConnection, response: Response) -> None:
    """Delete the flash cookie on ``response`` when this request's page showed it."""
    if getattr(connection.state, _SHOWN, False):
        response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
