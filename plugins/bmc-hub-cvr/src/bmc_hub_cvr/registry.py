"""Asking the registry: ``GET {api_url}/{cvr}`` through ``module.http``.

``module.http`` is the hub's client under the module's safety switches; a GET changes
nothing elsewhere, so it is sent even under DRY_RUN and READ_ONLY. Every way the answer
can go wrong becomes one :mod:`.errors` class with a message naming the registry's host
(never the URL's credentials, nor the token).
"""

from __future__ import annotations

import email.utils
import json
from dataclasses import dataclass

import httpx
from pydantic import ValidationError

from bmc_hub_core import ModuleContext

from .errors import BadAnswer, RateLimited, RegistryTimeout, RegistryUnavailable, UnknownCvr
from .schemas import RegistryCompany
from .settings import cvr_settings

#: A company is a few hundred bytes; a larger answer is not one (and is not cached).
MAX_ANSWER_BYTES = 256 * 1024
#: Connecting takes at most this long (or ``timeout_seconds``, if that is shorter).
CONNECT_SECONDS = 5.0


@dataclass(frozen=True)
class Answer:
    """The registry's company and the JSON text it came as."""

    company: RegistryCompany
    raw: str


def fetch(module: ModuleContext, cvr: str) -> Answer:
    """The registry's answer for ``cvr``; raises a :class:`~.errors.CvrError`."""
    settings = cvr_settings(module)
    url = f"{settings.api_url}/{cvr}"
    where = _where(settings.api_url)
    headers = {"Accept": "application/json"}
    if settings.api_token is not None:
        headers["Authorization"] = f"Bearer {settings.api_token.get_secret_value()}"
    seconds = settings.timeout_seconds
    timeout = httpx.Timeout(seconds, connect=min(CONNECT_SECONDS, seconds))
    try:
        with module.http.stream("GET", url, headers=headers, timeout=timeout) as response:
            status = response.status_code
            retry_after = response.headers.get("Retry-After")
            body = _read(response, where, cvr) if status == 200 else b""
    except httpx.TimeoutException:
        raise RegistryTimeout(
            f"the CVR registry ({where}) did not answer within {seconds:g} s; try again "
            "later (MODULES__CVR__TIMEOUT_SECONDS sets the limit)"
        ) from None
    except httpx.ConnectError:
        raise RegistryUnavailable(
            f"the CVR registry ({where}) could not be reached (connection refused or no "
            "route); check MODULES__CVR__API_URL"
        ) from None
    except httpx.RequestError as exc:
        raise BadAnswer(
            f"the connection to the CVR registry ({where}) broke off ({type(exc).__name__})"
        ) from None
    if status == 404:
        raise UnknownCvr(cvr)
    if status == 429:
        after = valid_retry_after(retry_after)
        wait = f"; it asks to wait {after} s" if after and after.isdigit() else ""
        raise RateLimited(f"the CVR registry ({where}) is rate limiting requests{wait}", after)
    if status in (401, 403):
        raise BadAnswer(
            f"the CVR registry ({where}) refused the request ({status}); check "
            "MODULES__CVR__API_TOKEN"
        )
    if status != 200:
        raise BadAnswer(f"the CVR registry ({where}) answered {status} for CVR {cvr}")
    return Answer(parse(body, cvr, where), body.decode("utf-8"))


def _read(response: httpx.Response, where: str, cvr: str) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            raise BadAnswer(
                f"the CVR registry's answer ({where}) for CVR {cvr} is larger than "
                f"{MAX_ANSWER_BYTES // 1024} KiB; that is not a company"
            )
    return bytes(body)


def parse(body: bytes, cvr: str, where: str = "registry") -> RegistryCompany:
    """The company in a 200 answer, or :class:`BadAnswer` naming what is wrong."""
    what = f"the CVR registry's answer ({where}) for CVR {cvr}"
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadAnswer(f"{what} is not JSON") from None
    if not isinstance(data, dict):
        raise BadAnswer(f"{what} is not a JSON object")
    try:
        company = RegistryCompany.model_validate(data)
    except ValidationError as exc:
        raise BadAnswer(f"{what} {_problems(exc)}") from None
    if company.cvr != cvr:
        raise BadAnswer(f"{what} is about another company (CVR {company.cvr})")
    return company


def _problems(exc: ValidationError) -> str:
    missing = [str(e["loc"][0]) for e in exc.errors() if e["type"] == "missing"]
    if missing:
        return "lacks " + ", ".join(repr(name) for name in missing)
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    return f"has an invalid {field!r}: {first['msg']}"


def valid_retry_after(value: str | None) -> str | None:
    """A ``Retry-After`` value worth passing on: delay-seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return value
    try:
        email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return value


def _where(api_url: str) -> str:
    """The registry's host and port: enough to find it, without credentials or path."""
    url = httpx.URL(api_url)
    return f"{url.host}:{url.port}" if url.port else url.host
