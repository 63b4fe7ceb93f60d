"""Exception handlers for one module's routes: the ``register_middleware`` way.

FastAPI keeps exception handlers on the app (``app.add_exception_handler``), where one
module's handler would answer for every module. A module lists
``Middleware(ExceptionHandlers, handlers={SomeError: handler})`` in its
``register_middleware`` instead: the middleware wraps only that module's URL space, and an
exception its routes raise that nothing below answered (the app answers
``HTTPException`` and request validation errors itself, in the hub's format) reaches the
handler of its class, or of the nearest base class listed. A handler is
``(request, exc) -> Response``, ``def`` (run in the threadpool) or ``async def``, like
FastAPI's. An exception
raised after the response started, or of a class not listed, goes on up (a 500).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def _is_async(handler: Handler) -> bool:
    """An ``async def`` function (partials unwrapped), or an object whose ``__call__`` is
    one."""
    while isinstance(handler, functools.partial):
        handler = handler.func
    call = handler if inspect.isroutine(handler) else type(handler).__call__
    return inspect.iscoroutinefunction(call)


class ExceptionHandlers:
    """ASGI middleware answering the listed exception classes with their handlers."""

    def __init__(self, app: ASGIApp, handlers: Mapping[type[BaseException], Handler]) -> None:
        for kind, handler in handlers.items():
            if not (isinstance(kind, type) and issubclass(kind, Exception)):
                raise TypeError(f"ExceptionHandlers: {kind!r} is not an exception class")
            if not callable(handler):
                raise TypeError(
                    f"ExceptionHandlers: the handler for {kind.__name__} is not callable"
                )
        self.app = app
        self.handlers = dict(handlers)

    def _handler(self, exc: Exception) -> Handler | None:
        for kind in type(exc).__mro__:
            if kind in self.handlers:
                return self.handlers[kind]
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            handler = self._handler(exc)
            if handler is None or started:
                raise
            request = Request(scope, receive)
            # As Starlette does: a ``def`` handler runs in the threadpool, off the loop.
            if _is_async(handler):
                response = await handler(request, exc)  # type: ignore[misc]
            else:
                response = await run_in_threadpool(handler, request, exc)
            await response(scope, receive, send)
