"""The ASGI gate: answers for disabled, failed and read-only modules before routing.

Written as a pure ASGI middleware (not ``BaseHTTPMiddleware``): it costs one dict lookup
per request and covers routes, mounts and websockets alike. Toggling a module swaps the
mapping the gate reads; routes are never added or removed at runtime.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .answers import Answers, HeaderList, send_json
from .dryrun.engine import close_request_scope, open_request_scope
from .logs import MODULE
from .module_stacks import ModuleStacks
from .names import NAME_PATTERN, RESERVED_NAMES
from .registry import Registry
from .types import ModuleState
from .urlspace import HEALTH_METHODS, app_path, is_core_health, owner

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
INTERNAL_ERROR = "internal server error; the hub logged the details"
DRY_RUN_HEADER = (b"x-bmc-dry-run", b"true")


@dataclass(frozen=True)
class GateEntry:
    """What the gate does for one module's URL space."""

    status: str  # "enabled" | "disabled" | "failed"
    stage: str | None = None
    read_only: bool = True
    dry_run: bool = True


GateView = Mapping[str, GateEntry]


def compute_view(registry: Registry) -> GateView:
    """The gate's mapping for the registry's current states (read-only, swap it whole)."""
    view: dict[str, GateEntry] = {}
    for record in registry:
        if not NAME_PATTERN.match(record.name) or record.name in RESERVED_NAMES:
            continue  # an invalid name never owns a URL space
        if record.state is ModuleState.ENABLED and record.context is not None:
            if registry.blocking_dependency(record) is not None:
                view[record.name] = GateEntry("failed", "dependency")
                continue
            settings = record.context.settings
            view[record.name] = GateEntry("enabled", None, settings.read_only, settings.dry_run)
        elif record.state is ModuleState.DISABLED:
            view[record.name] = GateEntry("disabled")
        elif record.state in (ModuleState.FAILED, ModuleState.INCOMPATIBLE):
            stage = record.error.stage if record.error else "unknown"
            view[record.name] = GateEntry("failed", stage)
    return MappingProxyType(view)


def module_of(path: str) -> tuple[str | None, bool]:
    """``(module name, is the core's health route)`` for a request path.

    The owner comes from :func:`urlspace.owner`, the function the route checks use too.
    Only ``/api/v1/NAME/health`` itself is the core's (routing refuses module routes
    there); ``/health/`` or ``/health/x`` are the module's and gated like the rest.
    """
    return owner(path), is_core_health(path)


class ModuleGate:
    """Pure ASGI middleware in front of the whole app."""

    def __init__(
        self,
        app: ASGIApp,
        view: Callable[[], GateView],
        guard: Callable[[Scope], Awaitable[ASGIApp | None]] | None = None,
        answers: Answers | None = None,
        stacks: ModuleStacks | None = None,
    ) -> None:
        self.app = app
        self.view = view
        #: Each module's own middleware chain and URL names (register_middleware).
        self.stacks = stacks or ModuleStacks()
        self.stacks.downstream = app
        #: The token check for module URL spaces (None: data routes are open).
        self.guard = guard
        #: Pages for browsers (None: JSON only).
        self.answers = answers

    async def _refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        status: int,
        detail: str,
        headers: HeaderList = (),
    ) -> None:
        if self.answers is None:
            await send_json(send, status, detail, headers)
        else:
            await self.answers.refuse(scope, receive, send, status, detail, headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        name, is_health = module_of(app_path(scope))
        entry = self.view().get(name) if name else None
        if name is None or entry is None or (is_health and scope.get("method") in HEALTH_METHODS):
            await self.app(scope, receive, send)
            return
        # Log lines of this request name the module; RequestLog counts it in the metrics.
        MODULE.set(name)
        await self._module_request(scope, receive, send, name, entry)

    async def _module_request(
        self, scope: Scope, receive: Receive, send: Send, name: str, entry: GateEntry
    ) -> None:
        # Who asks comes first: a caller without a token learns nothing about the module.
        if self.guard is not None:
            refusal = await self.guard(scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        if scope["type"] == "websocket":
            if entry.status != "enabled":
                await send(
                    {"type": "websocket.close", "code": 1013 if entry.status == "failed" else 1008}
                )
                return
            await self._serve(scope, receive, send, name, entry)
            return
        if entry.status == "disabled":
            await self._refuse(scope, receive, send, 404, f"module '{name}' is disabled")
            return
        if entry.status == "failed":
            detail = f"module '{name}' is unavailable: {entry.stage}"
            await self._refuse(scope, receive, send, 503, detail, [(b"retry-after", b"30")])
            return
        extra = [DRY_RUN_HEADER] if entry.dry_run else []
        if entry.read_only and scope["method"] not in SAFE_METHODS:
            detail = f"module '{name}' is read-only"
            await self._refuse(scope, receive, send, 403, detail, extra)
            return
        await self._serve(scope, receive, send, name, entry)

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, name: str, entry: GateEntry
    ) -> None:
        """Serve an enabled module's request through its own middleware, with its own URL
        names; a DRY_RUN module's every answer says so (its 500s too) and what it left
        open is rolled back when the request ends."""
        app = self.stacks.chains.get(name, self.app)
        urls = self.stacks.urls.get(name)
        if urls is not None:
            scope["router"] = urls  # request.url_for looks in the module's routes first
        if not entry.dry_run:
            await app(scope, receive, send)
            return
        started = False

        async def send_with_header(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), DRY_RUN_HEADER]}
            await send(message)

        token = open_request_scope()
        try:
            await app(scope, receive, send_with_header)
        except Exception:
            # The app's own 500 is sent outside the gate, without the header: send it here.
            if started or scope["type"] != "http":
                raise
            log.error(
                "module '%s': unhandled error on %s %s",
                name,
                scope["method"],
                scope["path"],
                exc_info=True,
            )
            await self._refuse(scope, receive, send, 500, INTERNAL_ERROR, [DRY_RUN_HEADER])
        finally:
            close_request_scope(token, name)
