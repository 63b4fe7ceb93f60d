"""The ASGI gate: what it answers for disabled, failed, read-only and dry-run modules."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from fastapi import APIRouter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from bmc_hub_core.gate import (
    GateEntry,
    GateView,
    ModuleGate,
    app_path,
    compute_view,
    module_of,
)
from bmc_hub_core.registry import ModuleRecord, Registry
from bmc_hub_core.types import ModuleState, Stage

from .fakes import fake_module


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/demo/items", ("demo", False)),
        ("/api/v1/demo", ("demo", False)),
        ("/api/v1/demo/health", ("demo", True)),
        ("/api/v1/demo/health/", ("demo", False)),
        ("/api/v1/demo/health/x", ("demo", False)),
        ("/api/v1/demo/sub/health", ("demo", False)),
        ("/demo/page", ("demo", False)),
        ("/demo", ("demo", False)),
        ("/", (None, False)),
        ("/api/v1/", (None, False)),
    ],
)
def test_module_of_a_path(path, expected):
    assert module_of(path) == expected


def echo(request: Request) -> JSONResponse:
    return JSONResponse({"path": request.url.path, "method": request.method})


async def ws_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hi")
    await websocket.close()


def gated(view: dict[str, GateEntry], tmp_path: Path, root_path: str = "") -> TestClient:
    (tmp_path / "logo.txt").write_text("logo")
    inner = Starlette(
        routes=[
            Route("/api/v1/{name}/{rest:path}", echo, methods=["GET", "POST", "PUT", "DELETE"]),
            Route("/plain", lambda _r: PlainTextResponse("core")),
            WebSocketRoute("/{name}/ws", ws_echo),
            Mount("/{name}/static", StaticFiles(directory=tmp_path)),
        ]
    )
    frozen: GateView = MappingProxyType(view)
    return TestClient(ModuleGate(inner, view=lambda: frozen), root_path=root_path)


VIEW = {
    "on": GateEntry("enabled", read_only=False, dry_run=False),
    "safe": GateEntry("enabled"),
    "drafts": GateEntry("enabled", read_only=False, dry_run=True),
    "off": GateEntry("disabled"),
    "broken": GateEntry("failed", "migrate"),
}


def test_disabled_module_is_404_on_every_url(tmp_path):
    client = gated(VIEW, tmp_path)
    for path in ("/api/v1/off/items", "/off/static/logo.txt"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.json() == {"detail": "module 'off' is disabled"}
    assert client.get("/on/static/logo.txt").text == "logo"


def test_failed_module_is_503_with_its_stage(tmp_path):
    answer = gated(VIEW, tmp_path).post("/api/v1/broken/items")
    assert answer.status_code == 503
    assert answer.json() == {"detail": "module 'broken' is unavailable: migrate"}
    assert answer.headers["retry-after"] == "30"


def test_health_route_passes_for_a_disabled_module(tmp_path):
    assert gated(VIEW, tmp_path).get("/api/v1/off/health").status_code == 200


def test_only_get_of_the_exact_health_path_passes(tmp_path):
    client = gated(VIEW, tmp_path)
    assert client.get("/api/v1/off/health/").status_code == 404
    assert client.get("/api/v1/off/health/x").status_code == 404
    assert client.post("/api/v1/off/health").status_code == 404
    assert client.post("/api/v1/safe/health").status_code == 403
    assert client.post("/api/v1/drafts/health").headers["x-bmc-dry-run"] == "true"


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({"path": "/hub/api/v1/off/x", "root_path": "/hub"}, "/api/v1/off/x"),
        ({"path": "/hub", "root_path": "/hub"}, "/"),
        ({"path": "/hubs/x", "root_path": "/hub"}, "/hubs/x"),
        ({"path": "/api/v1/off/x", "root_path": ""}, "/api/v1/off/x"),
        ({"path": "/api/v1/off/x"}, "/api/v1/off/x"),
    ],
)
def test_app_path_drops_the_root_path(scope, expected):
    assert app_path(scope) == expected


def test_the_gate_works_behind_a_root_path(tmp_path):
    client = gated(VIEW, tmp_path, root_path="/hub")
    answer = client.post("/hub/api/v1/safe/x")
    assert answer.status_code == 403
    assert answer.json() == {"detail": "module 'safe' is read-only"}
    assert client.get("/hub/api/v1/off/items").status_code == 404
    assert client.post("/hub/api/v1/on/x").status_code == 200


def test_read_only_refuses_writes_and_lets_reads_through(tmp_path):
    client = gated(VIEW, tmp_path)
    assert client.get("/api/v1/safe/x").status_code == 200
    for method in ("POST", "PUT", "DELETE"):
        answer = client.request(method, "/api/v1/safe/x")
        assert answer.status_code == 403
        assert answer.json() == {"detail": "module 'safe' is read-only"}
    assert client.post("/api/v1/on/x").json() == {"path": "/api/v1/on/x", "method": "POST"}


def test_dry_run_header_is_added_to_the_module_answers_only(tmp_path):
    client = gated(VIEW, tmp_path)
    assert client.post("/api/v1/drafts/x").headers["x-bmc-dry-run"] == "true"
    assert client.get("/api/v1/safe/x").headers["x-bmc-dry-run"] == "true"
    assert "x-bmc-dry-run" not in client.get("/api/v1/on/x").headers
    assert "x-bmc-dry-run" not in client.get("/plain").headers


def test_unknown_names_and_core_paths_pass_through(tmp_path):
    client = gated(VIEW, tmp_path)
    assert client.get("/plain").text == "core"
    assert client.post("/api/v1/unknown/x").status_code == 200


def test_websockets_of_disabled_modules_are_closed(tmp_path):
    client = gated(VIEW, tmp_path)
    with client.websocket_connect("/on/ws") as ws:
        assert ws.receive_text() == "hi"
    for name, code in (("off", 1008), ("broken", 1013)):
        with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(f"/{name}/ws"):
            pass
        assert closed.value.code == code


def _record(name: str, state: ModuleState, **kwargs: Any) -> ModuleRecord:
    return ModuleRecord(name, state, **kwargs)


def test_compute_view_from_the_registry():
    registry = Registry()
    registry.add(_record("gone", ModuleState.DISABLED))
    failed = registry.add(_record("broken", ModuleState.ENABLED))
    failed.fail(Stage.MIGRATE, "boom", log_it=False)
    registry.add(_record("outside", ModuleState.NOT_ALLOWED))
    registry.add(_record("ghost", ModuleState.MISSING))
    registry.add(_record("api", ModuleState.FAILED))  # reserved: never owns a URL space
    view = compute_view(registry)
    assert view == {"gone": GateEntry("disabled"), "broken": GateEntry("failed", "migrate")}
    with pytest.raises(TypeError):
        view["x"] = GateEntry("disabled")


def ping_routes() -> APIRouter:
    router = APIRouter()
    router.add_api_route("/ping", lambda: "pong")
    return router


def test_disabling_a_dependency_makes_its_dependents_503(hub_admin_client):
    # In-process modules have no distribution metadata: declare the dependency by hand.
    client = hub_admin_client(
        modules={
            "base": fake_module("base"),
            "addon": fake_module("addon", register_routes=ping_routes),
        }
    )
    hub = client.app.state.hub
    hub.registry.get("addon").dependencies = ("base",)
    client.app.state.lifecycle.publish()
    assert client.get("/api/v1/addon/ping").status_code == 200
    assert client.post("/api/v1/modules/base/disable").status_code == 200
    answer = client.get("/api/v1/addon/ping")
    assert answer.status_code == 503
    assert answer.json() == {"detail": "module 'addon' is unavailable: dependency"}
    # Health agrees with the gate: the dependent is unavailable, naming its dependency.
    health = client.get("/api/v1/addon/health")
    assert health.status_code == 503
    assert health.json()["status"] == "unavailable"
    record = client.get("/api/v1/modules/addon").json()
    assert record["health"]["detail"] == "requires module 'base', which is disabled"
    assert client.get("/api/v1/health").json()["modules"]["addon"] == "unavailable"
    # So does the admin API: failed at stage dependency, naming it.
    record = client.get("/api/v1/modules/addon").json()
    assert record["state"] == "failed"
    assert record["error"] == {
        "stage": "dependency",
        "type": "DependencyUnavailable",
        "message": "requires module 'base', which is disabled; enable 'base' again",
    }
    assert client.post("/api/v1/modules/base/enable").status_code == 200
    assert client.get("/api/v1/addon/ping").status_code == 200
    assert client.get("/api/v1/addon/health").status_code == 200
    record = client.get("/api/v1/modules/addon").json()
    assert (record["state"], record["error"]) == ("enabled", None)


def test_toggling_never_adds_or_removes_routes(hub_admin_client):
    client = hub_admin_client(modules={"demo": fake_module("demo")})
    before = list(client.app.routes)
    assert client.post("/api/v1/modules/demo/disable").status_code == 200
    assert client.post("/api/v1/modules/demo/enable").status_code == 200
    assert list(client.app.routes) == before
