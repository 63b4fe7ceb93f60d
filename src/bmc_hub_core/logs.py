"""The server's log lines: one line per event, as text or JSON (``BMC_HUB_LOG_FORMAT``).

Every line carries the time, level, logger and message, and, when there is one, the
module involved and the request id. The request id is the client's ``X-Request-ID``
(when it is a sane value) or a new one, and is echoed in the response. Each request is
logged once when it ends, with its status and duration: that line replaces uvicorn's
access log, in the same format as every other line. JSON lines come from
python-json-logger.
"""

from __future__ import annotations

import logging
import os
import re
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `bmc-hub db ...` imports this module and must not load the web stack
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from .metrics import HubMetrics

REQUEST_ID: ContextVar[str | None] = ContextVar("bmc_hub_request_id", default=None)
#: The module whose URL space a request is in (set by the gate).
MODULE: ContextVar[str | None] = ContextVar("bmc_hub_module", default=None)

_MODULE_LOGGER = "bmc_hub.modules."
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("bmc_hub.access")


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``module`` to every record (empty when not known)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or ""
        module = getattr(record, "module_name", None) or MODULE.get()
        if not module and record.name.startswith(_MODULE_LOGGER):
            module = record.name[len(_MODULE_LOGGER) :].split(".")[0]
        record.module_name = module or ""
        return True


TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(module_name)s %(request_id)s] %(message)s"
JSON_FIELDS = {
    "asctime": "time",
    "levelname": "level",
    "name": "logger",
    "module_name": "module",
    "request_id": "request_id",
}


def logging_config(level: str, log_format: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server (uvicorn's ``log_config``): every
    logger, uvicorn's included, writes one line per event to stderr in one format."""
    if log_format == "json":
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(module_name)s %(request_id)s %(message)s",
            "rename_fields": JSON_FIELDS,
            "timestamp": False,
        }
    else:
        formatter = {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "bmc_hub_core.logs.ContextFilter"}},
        "formatters": {"hub": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "hub",
                "filters": ["context"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # The hub logs each request itself (RequestLog): uvicorn's would repeat it.
            "uvicorn.access": {"level": "WARNING"},
            "uvicorn": {"level": level},
            "bmc_hub_core": {"level": level},
            "bmc_hub": {"level": level},
        },
    }


class RequestLog:
    """Pure ASGI, outermost: gives each HTTP request its id (echoed as ``X-Request-ID``)
    and logs it once when it ends, with method, path, status and duration; a request to a
    module's URL space (the gate names the module in :data:`MODULE`) is counted in the
    per-module request metrics too, from the same status and duration."""

    def __init__(self, app: ASGIApp, metrics: HubMetrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = REQUEST_ID.set(request_id)
        module_token = MODULE.set(None)
        started, status = time.perf_counter(), 500
        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            module = MODULE.get()
            if module is not None and self.metrics is not None:
                self.metrics.request(module, scope["method"], status, seconds)
            access_log.info(
                "%s %s %d %.1fms",
                scope["method"],
                scope["path"],
                status,
                seconds * 1000,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )
            MODULE.reset(module_token)
            REQUEST_ID.reset(token)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            sent: str = value.decode("latin-1")
            if _SANE_ID.match(sent):
                return sent
            break
    return os.urandom(16).hex()  # 32 hex digits, like a UUID's, at a fraction of the cost
