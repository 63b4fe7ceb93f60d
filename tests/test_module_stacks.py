"""register_middleware wraps only the module's URL space, behind the gate; URL names are
the module's own."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, Request
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bmc_hub_core.testing import ADMIN_TOKEN

from .fakes import fake_module
from .records import assert_failed

SEEN: list[str] = []


class Tag:
    """Adds ``x-tag: NAME`` to every answer and notes what it saw."""

    def __init__(self, app: ASGIApp, name: str) -> None:
        self.app = app
        self.name = name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        SEEN.append(f"{self.name} {scope['path']}")

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message["headers"], (b"x-tag", self.name.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, tagged)


def ping_routes() -> APIRouter:
    router = APIRouter()

    @router.get("/ping")
    def ping() -> str:
        return "pong"

    router.mount("/files", PlainTextResponse("a file"))
    return router


def tagged_module(*entries: Any) -> object:
    return fake_module(
        "tagged", register_routes=ping_routes, register_middleware=lambda: list(entries)
    )


@pytest.fixture(autouse=True)
def _clear() -> None:
    SEEN.clear()


def test_middleware_wraps_only_its_modules_url_space_in_order(hub_client: Any) -> None:
    client = hub_client(
        modules={
            "tagged": tagged_module(
                Middleware(Tag, name="outer"), lambda app: Tag(app, name="inner")
            ),
            "plain": fake_module("plain", register_routes=ping_routes),
        }
    )
    answer = client.get("/api/v1/tagged/ping")
    assert answer.json() == "pong"
    assert answer.headers.get_list("x-tag") == ["inner", "outer"]  # outer wraps inner
    assert SEEN == ["outer /api/v1/tagged/ping", "inner /api/v1/tagged/ping"]
    assert client.get("/api/v1/tagged/files/a").headers.get_list("x-tag") == ["inner", "outer"]
    SEEN.clear()
    for other in ("/api/v1/plain/ping", "/api/v1/health", "/api/v1/customers", "/"):
        assert "x-tag" not in client.get(other).headers, other
    assert SEEN == []


def test_a_disabled_modules_middleware_does_not_run(hub_admin_client: Any) -> None:
    client = hub_admin_client(modules={"tagged": tagged_module(Middleware(Tag, name="t"))})
    assert client.post("/api/v1/modules/tagged/disable").status_code == 200
    SEEN.clear()
    assert client.get("/api/v1/tagged/ping").status_code == 404
    assert SEEN == []


def test_the_token_check_comes_before_the_middleware(hub_client: Any) -> None:
    from pydantic import SecretStr

    client = hub_client(
        modules={"tagged": tagged_module(Middleware(Tag, name="t"))},
        api_tokens=SecretStr("reader"),
    )
    assert client.get("/api/v1/tagged/ping").status_code == 401
    assert SEEN == []
    ok = client.get("/api/v1/tagged/ping", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert ok.status_code == 200 and SEEN == ["t /api/v1/tagged/ping"]


def _raising_factory(app: ASGIApp) -> ASGIApp:
    raise RuntimeError("no license key")


@pytest.mark.parametrize(
    ("hook", "message"),
    [
        (lambda: [_raising_factory], "no license key"),
        (lambda: [Middleware(Tag)], "missing 1 required positional argument"),
        (lambda: "not a list", "must return a list"),
        (lambda: [42], "returned int in its list"),
        (lambda: [lambda app: "not an app"], "returned str, not an ASGI app"),
    ],
    ids=["factory-raises", "bad-arguments", "not-a-list", "not-middleware", "not-an-app"],
)
def test_bad_middleware_fails_the_module_at_stage_middleware(
    hub_client: Any, hook: Any, message: str
) -> None:
    broken = fake_module("broken", register_routes=ping_routes, register_middleware=hook)
    client = hub_client(
        modules={"broken": broken, "plain": fake_module("plain", register_routes=ping_routes)}
    )
    assert_failed(client.app.state.hub, "broken", "middleware", message)
    assert client.get("/api/v1/broken/ping").status_code == 503
    assert client.get("/api/v1/plain/ping").json() == "pong"


def _admin_like(module_label: str) -> APIRouter:
    """What a library like sqladmin does: mount a sub-app named "admin" whose pages link
    to their static files by name."""

    def statics(request: Request) -> PlainTextResponse:
        return PlainTextResponse(module_label)

    def page(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(request.url_for("admin:statics", path="app.css")))

    sub = Starlette(routes=[Route("/", page), Mount("/statics", app=statics, name="statics")])
    router = APIRouter()
    router.mount("/admin", sub, name="admin")
    return router


def test_url_names_resolve_to_the_modules_own_routes(hub_client: Any) -> None:
    client = hub_client(
        modules={
            "alpha": fake_module("alpha", register_views=lambda: _admin_like("alpha")),
            "beta": fake_module("beta", register_views=lambda: _admin_like("beta")),
        }
    )
    assert client.get("/alpha/admin/").text == "http://testserver/alpha/admin/statics/app.css"
    assert client.get("/beta/admin/").text == "http://testserver/beta/admin/statics/app.css"
