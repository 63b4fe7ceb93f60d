"""The gate asks for a token before any of a module's code runs: routes, mounts, websockets."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from .fakes import fake_module

TOKENS = SecretStr("reader-1")


def _module(folder: Path) -> object:
    (folder / "logo.txt").write_text("logo")
    sub = FastAPI()

    @sub.get("/ping")
    def ping() -> dict[str, str]:
        return {"sub": "pong"}

    @sub.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hi")
        await websocket.close()

    def register_views() -> APIRouter:
        router = APIRouter()
        router.mount("/static", StaticFiles(directory=folder))
        return router

    async def raw(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("raw data")

    async def raw_ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("raw")
        await websocket.close()

    def register_routes() -> APIRouter:
        router = APIRouter()
        inner = APIRouter()
        inner.mount("/sub", sub)
        router.include_router(inner, prefix="/nested")
        # Plain Starlette routes: FastAPI's dependencies do not reach them either.
        router.add_route("/raw", raw)
        router.add_websocket_route("/raw-ws", raw_ws)

        @router.websocket("/api-ws")
        async def api_ws(websocket: WebSocket) -> None:
            await websocket.accept()
            await websocket.send_text("api")
            await websocket.close()

        return router

    return fake_module(register_views=register_views, register_routes=register_routes)


def test_mounted_files_and_apps_need_a_token(hub_client, tmp_path: Path) -> None:
    client = hub_client(modules={"media": _module(tmp_path)}, api_tokens=TOKENS)
    refused = client.get("/media/static/logo.txt")
    assert refused.status_code == 401
    assert refused.json()["detail"].startswith("API token required: send 'Authorization: Bearer")
    assert client.get("/api/v1/media/nested/sub/ping").status_code == 401
    wrong = client.get("/media/static/logo.txt", headers={"Authorization": "Bearer nope"})
    assert wrong.json() == {"detail": "invalid API token"}
    browser = client.get(
        "/media/static/logo.txt", headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert browser.status_code == 303
    assert browser.headers["location"] == "/login?next=%2Fmedia%2Fstatic%2Flogo.txt"
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/api/v1/media/nested/sub/ws"),
    ):
        pass
    assert closed.value.code == 1008
    assert client.get("/api/v1/media/raw").status_code == 401
    for path in ("/api/v1/media/raw-ws", "/api/v1/media/api-ws"):
        with pytest.raises(WebSocketDisconnect), client.websocket_connect(path) as ws:
            ws.receive_text()

    token = {"Authorization": "Bearer reader-1"}
    assert client.get("/api/v1/media/raw", headers=token).text == "raw data"
    for path, text in (("/api/v1/media/raw-ws", "raw"), ("/api/v1/media/api-ws", "api")):
        with client.websocket_connect(path, headers=token) as ws:
            assert ws.receive_text() == text
    assert client.get("/media/static/logo.txt", headers=token).text == "logo"
    assert client.get("/api/v1/media/nested/sub/ping", headers=token).json() == {"sub": "pong"}
    with client.websocket_connect("/api/v1/media/nested/sub/ws", headers=token) as ws:
        assert ws.receive_text() == "hi"


def test_without_api_tokens_mounts_are_open_as_routes_are(hub_client, tmp_path: Path) -> None:
    client = hub_client(modules={"media": _module(tmp_path)})
    assert client.get("/media/static/logo.txt").text == "logo"
    assert client.get("/api/v1/media/nested/sub/ping").json() == {"sub": "pong"}
    assert client.get("/api/v1/media/raw").text == "raw data"
    with client.websocket_connect("/api/v1/media/api-ws") as ws:
        assert ws.receive_text() == "api"
