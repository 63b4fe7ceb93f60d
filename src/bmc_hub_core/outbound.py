"""``module.http``: an HTTP client for a module's integrations, under its safety switches.

An httpx client with timeouts, retries of failed connections and the module's name in
its ``User-Agent``. Requests that change something elsewhere (POST, PUT, PATCH, DELETE)
follow the module's switches, so an integration can be tried against a real accounting
system without changing it:

- DRY_RUN: the request is not sent; it is logged and answered with a stand-in
  ``200 {"dry_run": true, ...}`` carrying ``X-BMC-Dry-Run: true``;
- READ_ONLY: the request is refused (:class:`OutboundRefused`), never sent.

GET, HEAD and OPTIONS are always sent.
"""

from __future__ import annotations

import httpx

from .context import module_logger
from .errors import BmcHubError

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RETRIES = 2  # of connections that failed to open: safe to repeat, nothing was sent


class OutboundRefused(BmcHubError):
    """A read-only module tried to change something in another system."""


class _Switches:
    def __init__(self, module: str, read_only: bool, dry_run: bool) -> None:
        self.module = module
        self.read_only = read_only
        self.dry_run = dry_run
        self.log = module_logger(module)

    def stand_in(self, request: httpx.Request) -> httpx.Response | None:
        """The answer instead of sending ``request``, or None to send it."""
        if request.method not in UNSAFE:
            return None
        if self.read_only:
            raise OutboundRefused(
                f"module '{self.module}' is read-only: {request.method} {request.url} was "
                f"not sent (set MODULES__{self.module.upper()}__READ_ONLY=false to allow it)"
            )
        if self.dry_run:
            self.log.info("dry run: %s %s was not sent", request.method, request.url)
            return httpx.Response(
                200,
                json={"dry_run": True, "method": request.method, "url": str(request.url)},
                headers={"X-BMC-Dry-Run": "true"},
                request=request,
            )
        return None


class SwitchedTransport(httpx.BaseTransport):
    def __init__(self, switches: _Switches) -> None:
        self.switches = switches
        self.inner = httpx.HTTPTransport(retries=RETRIES)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.switches.stand_in(request) or self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncSwitchedTransport(httpx.AsyncBaseTransport):
    def __init__(self, switches: _Switches) -> None:
        self.switches = switches
        self.inner = httpx.AsyncHTTPTransport(retries=RETRIES)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self.switches.stand_in(request) or await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _headers(module: str, version: str) -> dict[str, str]:
    return {"User-Agent": f"bmc-hub-module-{module}/{version}"}


def client(module: str, version: str, *, read_only: bool, dry_run: bool) -> httpx.Client:
    switches = _Switches(module, read_only, dry_run)
    return httpx.Client(
        transport=SwitchedTransport(switches), timeout=TIMEOUT, headers=_headers(module, version)
    )


def async_client(module: str, version: str, *, read_only: bool, dry_run: bool) -> httpx.AsyncClient:
    switches = _Switches(module, read_only, dry_run)
    return httpx.AsyncClient(
        transport=AsyncSwitchedTransport(switches),
        timeout=TIMEOUT,
        headers=_headers(module, version),
    )
