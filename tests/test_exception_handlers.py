"""ExceptionHandlers: a module's exception handlers, for its own routes only."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.middleware import Middleware
from starlette.testclient import TestClient

from bmc_hub_core import ExceptionHandlers

from .fakes import fake_module
from .records import assert_failed


class LibraryError(Exception):
    pass


class SpecificError(LibraryError):
    pass


def routes() -> APIRouter:
    router = APIRouter()

    @router.get("/specific")
    def specific() -> None:
        raise SpecificError("from a subclass")

    @router.get("/other")
    def other() -> None:
        raise KeyError("not listed")

    @router.get("/http")
    def http() -> None:
        raise HTTPException(409, "the hub answers this one")

    @router.get("/stream")
    def stream() -> StreamingResponse:
        def chunks() -> Iterator[str]:
            yield "started, "
            raise LibraryError("too late to answer")

        return StreamingResponse(chunks())

    return router


async def library_error(request: Request, exc: LibraryError) -> JSONResponse:
    return JSONResponse({"handled": str(exc), "path": request.url.path}, status_code=418)


def handled_module() -> Any:
    return fake_module(
        "handled",
        register_routes=routes,
        register_middleware=lambda: [
            Middleware(ExceptionHandlers, handlers={LibraryError: library_error})
        ],
    )


@pytest.fixture
def client(hub_app: Any) -> Iterator[TestClient]:
    with TestClient(
        hub_app(modules={"handled": handled_module()}), raise_server_exceptions=False
    ) as running:
        yield running


def test_the_nearest_listed_base_class_answers_with_an_async_handler(client: TestClient) -> None:
    answer = client.get("/api/v1/handled/specific")
    assert answer.status_code == 418
    assert answer.json() == {"handled": "from a subclass", "path": "/api/v1/handled/specific"}


def test_an_exception_not_listed_stays_a_500(client: TestClient) -> None:
    assert client.get("/api/v1/handled/other").status_code == 500


def test_http_exceptions_keep_the_hubs_answer(client: TestClient) -> None:
    answer = client.get("/api/v1/handled/http")
    assert answer.status_code == 409
    assert answer.json() == {"detail": "the hub answers this one"}


def test_an_exception_after_the_response_started_is_not_answered_twice(
    client: TestClient,
) -> None:
    answer = client.get("/api/v1/handled/stream")
    assert answer.status_code == 200  # the status was sent before the error
    assert answer.text.startswith("started, ")


def test_a_sync_handler_works_too_in_the_threadpool(hub_client: Any) -> None:
    def plain(request: Request, exc: LibraryError) -> PlainTextResponse:
        # Off the event loop, as Starlette runs a ``def`` handler: it may block.
        in_loop = True
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            in_loop = False
        return PlainTextResponse(f"sorry: {exc} (on the loop: {in_loop})", status_code=422)

    module = fake_module(
        "handled",
        register_routes=routes,
        register_middleware=lambda: [Middleware(ExceptionHandlers, handlers={LibraryError: plain})],
    )
    answer = hub_client(modules={"handled": module}).get("/api/v1/handled/specific")
    assert (answer.status_code, answer.text) == (
        422,
        "sorry: from a subclass (on the loop: False)",
    )


class AsyncHandler:
    async def __call__(self, request: Request, exc: LibraryError) -> JSONResponse:
        return await library_error(request, exc)


@pytest.mark.parametrize(
    "handler",
    [functools.partial(library_error), AsyncHandler()],
    ids=["partial", "object"],
)
def test_async_handlers_behind_a_partial_or_an_object_are_awaited(
    hub_client: Any, handler: Any
) -> None:
    module = fake_module(
        "handled",
        register_routes=routes,
        register_middleware=lambda: [
            Middleware(ExceptionHandlers, handlers={LibraryError: handler})
        ],
    )
    answer = hub_client(modules={"handled": module}).get("/api/v1/handled/specific")
    assert answer.status_code == 418 and answer.json()["handled"] == "from a subclass"


@pytest.mark.parametrize(
    ("handlers", "message"),
    [
        ({"LibraryError": library_error}, "'LibraryError' is not an exception class"),
        ({LibraryError: "not callable"}, "the handler for LibraryError is not callable"),
    ],
    ids=["not-a-class", "not-callable"],
)
def test_bad_handlers_fail_the_module_at_stage_middleware(
    hub_client: Any, handlers: dict[Any, Any], message: str
) -> None:
    module = fake_module(
        "handled",
        register_routes=routes,
        register_middleware=lambda: [Middleware(ExceptionHandlers, handlers=handlers)],
    )
    client = hub_client(modules={"handled": module})
    assert_failed(client.app.state.hub, "handled", "middleware", message)
