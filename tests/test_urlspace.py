"""A module owns exactly its URL space: the gate and the route checks ask one function."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, WebSocket
from starlette.responses import PlainTextResponse
from starlette.routing import Host

from bmc_hub_core.urlspace import is_core_health, outside, owner

from .fakes import fake_module
from .records import assert_failed


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/crm", "crm"),
        ("/api/v1/crm/", "crm"),
        ("/api/v1/crm/items/1", "crm"),
        ("/crm", "crm"),
        ("/crm/page", "crm"),
        ("/api/v1/crm2/x", "crm2"),
        ("/api/v1", None),
        ("/api/v1/", None),
        ("/", None),
        ("/api/other", "api"),
        ("/api/v1/crm{rest:path}", "crm{rest:path}"),
    ],
)
def test_owner_of_a_path(path: str, expected: str | None) -> None:
    assert owner(path) == expected


def test_outside_is_any_path_another_segment_owns() -> None:
    assert not outside("probe", "/api/v1/probe")
    assert not outside("probe", "/probe/x")
    assert outside("probe", "/api/v1/probe2/escape")
    assert outside("probe", "/probe2")
    assert outside("adm", "/admin/evil")


def test_only_the_exact_health_path_is_the_cores() -> None:
    assert is_core_health("/api/v1/crm/health")
    assert not is_core_health("/api/v1/crm/health/")
    assert not is_core_health("/crm/health")
    assert not is_core_health("/api/v1//health")


def _router(path: str) -> APIRouter:
    router = APIRouter()

    @router.get(path)
    def answer() -> dict[str, str]:
        return {"served": path}

    return router


def _good() -> APIRouter:
    return _router("/ping")


ESCAPES = [
    pytest.param("probe", "register_routes", "2/escape", "/api/v1/probe2/escape", id="api-glued"),
    pytest.param("adm", "register_views", "in/evil", "/admin/evil", id="view-into-admin"),
    pytest.param(
        "mod", "register_routes", "ules/{name}/secret", "/api/v1/modules/x/secret", id="api-core"
    ),
    pytest.param("probe", "register_routes", "{rest:path}", "/api/v1/probe-x", id="api-param"),
]


@pytest.mark.parametrize(("name", "hook", "path", "url"), ESCAPES)
def test_a_path_outside_the_url_space_fails_the_module_at_routes(
    hub_admin_client: Any, name: str, hook: str, path: str, url: str
) -> None:
    client = hub_admin_client(
        modules={
            name: fake_module(name, **{hook: lambda: _router(path)}),
            "good": fake_module("good", register_routes=_good),
        }
    )
    record = assert_failed(client.app.state.hub, name, "routes", "outside the URL space")
    assert record.error is not None and "Start every path" in record.error.message
    # Nothing of it is served, the module's own space answers 503 and the rest serves on.
    assert client.get(url).status_code in (404, 503)
    prefix = f"/api/v1/{name}" if hook == "register_routes" else f"/{name}"
    assert client.get(prefix + "/anything").status_code == 503
    assert client.get("/api/v1/good/ping").json() == {"served": "/ping"}
    assert client.get(f"/api/v1/modules/{name}").json()["state"] == "failed"


def test_websockets_and_nested_routers_outside_the_space_are_refused(hub_client: Any) -> None:
    def routes() -> APIRouter:
        router = APIRouter()

        @router.websocket("x/ws")
        async def ws(websocket: WebSocket) -> None:
            await websocket.accept()

        outer = APIRouter(prefix="/deep")
        outer.include_router(router)
        top = APIRouter()
        top.add_api_websocket_route("y/ws", ws)
        top.include_router(_router("2/glued"))
        top.include_router(outer)
        return top

    client = hub_client(modules={"wsmod": fake_module("wsmod", register_routes=routes)})
    record = assert_failed(client.app.state.hub, "wsmod", "routes", "outside the URL space")
    assert record.error is not None
    assert "'/api/v1/wsmod2/glued'" in record.error.message
    assert "'/api/v1/wsmody/ws'" in record.error.message
    # Inside /deep the glued websocket stays in the module's space: it is only odd.
    assert "/api/v1/wsmod/deepx/ws" not in record.error.message


def test_host_routes_are_refused(hub_client: Any) -> None:
    def routes() -> APIRouter:
        router = APIRouter()
        router.routes.append(Host("evil.example", app=PlainTextResponse("any path")))
        return router

    client = hub_client(modules={"hosty": fake_module("hosty", register_routes=routes)})
    assert_failed(client.app.state.hub, "hosty", "routes", "Host route 'evil.example'")
    assert client.get("/", headers={"host": "evil.example"}).status_code == 200  # the core's


def test_empty_paths_mean_the_prefix_itself(hub_client: Any) -> None:
    def routes() -> APIRouter:
        router = _router("")
        router.mount("/files", PlainTextResponse("file"))
        return router

    def views() -> APIRouter:
        router = APIRouter()
        router.mount("", PlainTextResponse("the whole view space"))
        return router

    client = hub_client(
        modules={"exact": fake_module("exact", register_routes=routes, register_views=views)}
    )
    assert client.app.state.hub.registry.get("exact").state.value == "enabled"
    assert client.get("/api/v1/exact").json() == {"served": ""}
    assert client.get("/api/v1/exact/files/a").text == "file"
    assert client.get("/exact").text == "the whole view space"
    assert client.get("/exact/deep/page").text == "the whole view space"
