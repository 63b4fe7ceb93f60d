"""The dispatch route: a module's requests go to its own routers first, with the same
answers as ordinary routing (core health, 405, redirects, websockets, root path)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, WebSocket
from starlette.routing import Match
from starlette.testclient import TestClient

from bmc_hub_core.dispatch import ModuleDispatch

from .fakes import fake_module


def routes() -> APIRouter:
    router = APIRouter()

    @router.get("/items")
    def items() -> list[str]:
        return ["a"]

    @router.get("/{anything}")
    def anything(anything: str) -> dict[str, str]:
        return {"caught": anything}

    @router.post("/{anything}")
    def post_anything(anything: str) -> dict[str, str]:
        return {"posted": anything}

    @router.websocket("/echo")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(await websocket.receive_text())
        await websocket.close()

    return router


def writable(name: str) -> dict[str, str]:
    return {f"MODULES__{name.upper()}__READ_ONLY": "false"}


def test_the_dispatch_route_comes_first(hub_client: Any) -> None:
    client = hub_client(modules={"catch": fake_module(register_routes=routes)})
    assert isinstance(client.app.router.routes[0], ModuleDispatch)
    assert client.get("/api/v1/catch/items").json() == ["a"]
    assert client.get("/api/v1/catch/other").json() == {"caught": "other"}


def test_get_of_the_core_health_path_stays_the_cores(hub_client: Any) -> None:
    client = hub_client(
        modules={"catch": fake_module(register_routes=routes)}, env=writable("catch")
    )
    health = client.get("/api/v1/catch/health")
    assert health.status_code == 200 and "status" in health.json()
    # Any other method on that path is the module's, as before.
    assert client.post("/api/v1/catch/health").json() == {"posted": "health"}


def test_a_wrong_method_lists_the_allowed_ones(hub_client: Any) -> None:
    client = hub_client(
        modules={"catch": fake_module(register_routes=routes)}, env=writable("catch")
    )
    answer = client.delete("/api/v1/catch/items")
    assert answer.status_code == 405
    assert set(answer.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_a_trailing_slash_is_redirected_and_an_unknown_path_is_404(hub_client: Any) -> None:
    def listing() -> APIRouter:
        router = APIRouter()

        @router.get("/items")
        def items() -> list[str]:
            return ["a"]

        return router

    client = hub_client(modules={"shop": fake_module(register_routes=listing)})
    redirected = client.get("/api/v1/shop/items/", follow_redirects=False)
    assert redirected.status_code == 307
    assert redirected.headers["location"].endswith("/api/v1/shop/items")
    assert client.get("/api/v1/shop/nothing/here").status_code == 404


def test_websockets_and_a_root_path_are_dispatched_too(hub_app: Any) -> None:
    app = hub_app(modules={"catch": fake_module(register_routes=routes)})
    with TestClient(app) as client, client.websocket_connect("/api/v1/catch/echo") as socket:
        socket.send_text("hi")
        assert socket.receive_text() == "hi"
    with TestClient(app, root_path="/hub") as behind_proxy:
        assert behind_proxy.get("/hub/api/v1/catch/items").json() == ["a"]


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/api/v1/catch/anything", Match.FULL),
        ("GET", "/catch", Match.NONE),  # the module has no views
        ("GET", "/api/v1/health", Match.NONE),
        ("GET", "/api/v1/customers", Match.NONE),
        ("GET", "/admin", Match.NONE),
        ("GET", "/", Match.NONE),
        ("GET", "/api/v1/catch/health", Match.NONE),  # the core's per-module health
        ("HEAD", "/api/v1/catch/health", Match.NONE),
        ("POST", "/api/v1/catch/health", Match.FULL),  # any other method is the module's
    ],
)
def test_the_dispatch_matches_only_its_modules_paths(
    hub_app: Any, method: str, path: str, expected: Match
) -> None:
    app = hub_app(modules={"catch": fake_module(register_routes=routes)})
    dispatch = app.router.routes[0]
    assert isinstance(dispatch, ModuleDispatch)
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    assert dispatch.matches(scope)[0] is expected
