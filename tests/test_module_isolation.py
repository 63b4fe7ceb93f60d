"""One broken module never takes the core or another module down.

Each case registers an in-process fixture module that misbehaves in one hook next to a
good one, then asserts the bad module's state, stage and message AND that the good
module and the core keep serving.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from bmc_hub_core import ModuleSettings

from .fakes import fake_module


def good_routes() -> APIRouter:
    router = APIRouter()

    @router.get("/ping")
    def ping() -> dict[str, str]:
        return {"answer": "pong"}

    return router


GOOD = fake_module("good", register_routes=good_routes)
HANG = threading.Event()  # never set: a hook waiting on it hangs until abandoned


def assert_good_still_serves(client: Any) -> None:
    assert client.get("/api/v1/good/ping").json() == {"answer": "pong"}
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200


def module_json(client: Any, name: str) -> dict[str, Any]:
    hub = client.app.state.hub
    record = hub.registry.get(name)
    return {"state": record.state.value, "error": record.error.as_dict() if record.error else None}


def raising_routes() -> APIRouter:
    raise RuntimeError("routes exploded")


def test_raising_register_routes_fails_only_that_module(hub_client) -> None:
    client = hub_client(modules={"good": GOOD, "bad": fake_module(register_routes=raising_routes)})
    assert module_json(client, "bad") == {
        "state": "failed",
        "error": {"stage": "routes", "type": "RuntimeError", "message": "routes exploded"},
    }
    answer = client.get("/api/v1/bad/anything")
    assert answer.status_code == 503
    assert answer.json() == {"detail": "module 'bad' is unavailable: routes"}
    assert_good_still_serves(client)


def test_hook_hanging_past_its_budget_is_abandoned(hub_client) -> None:
    def hanging_routes() -> APIRouter:
        HANG.wait()
        raise AssertionError("unreachable")

    started = time.monotonic()
    client = hub_client(
        modules={"good": GOOD, "slow": fake_module(register_routes=hanging_routes)},
        hook_timeout=0.5,
    )
    assert time.monotonic() - started < 5
    state = module_json(client, "slow")
    assert state["state"] == "failed"
    assert state["error"]["stage"] == "routes"
    assert state["error"]["type"] == "HookTimeout"
    assert "did not return within 0.5s" in state["error"]["message"]
    assert_good_still_serves(client)


def test_async_hooks_are_awaited(hub_client) -> None:
    events: list[str] = []

    async def register_routes() -> APIRouter:
        await asyncio.sleep(0)
        return good_routes()

    async def on_startup(module: Any) -> None:
        await asyncio.sleep(0)
        events.append(f"started {module.name}")

    async def on_shutdown(module: Any) -> None:
        events.append(f"stopped {module.name}")

    client = hub_client(
        modules={
            "asyncmod": fake_module(
                register_routes=register_routes, on_startup=on_startup, on_shutdown=on_shutdown
            )
        }
    )
    assert client.get("/api/v1/asyncmod/ping").json() == {"answer": "pong"}
    assert events == ["started asyncmod"]
    client.__exit__(None, None, None)
    assert events == ["started asyncmod", "stopped asyncmod"]


@pytest.mark.parametrize(
    ("hook", "value", "expected"),
    [
        ("register_routes", {"not": "a router"}, "register_routes must return a fastapi.APIRouter"),
        ("register_views", "hello", "register_views must return a fastapi.APIRouter"),
    ],
)
def test_wrong_return_type_fails_with_what_was_expected(
    hub_client, hook: str, value: object, expected: str
) -> None:
    client = hub_client(modules={"good": GOOD, "wrong": fake_module(**{hook: lambda: value})})
    state = module_json(client, "wrong")
    assert state["state"] == "failed" and state["error"]["stage"] == "routes"
    assert expected in state["error"]["message"]
    assert_good_still_serves(client)


def test_register_settings_returning_a_non_settings_class(hub_client) -> None:
    client = hub_client(
        modules={"good": GOOD, "wrong": fake_module(register_settings=lambda: dict)}
    )
    state = module_json(client, "wrong")
    assert state["error"]["stage"] == "settings"
    assert "subclass of bmc_hub_core.ModuleSettings" in state["error"]["message"]
    assert_good_still_serves(client)


class LimitSettings(ModuleSettings):
    limit: int = 10


def test_bad_module_setting_fails_that_module_naming_the_variable(hub_client) -> None:
    client = hub_client(
        modules={"good": GOOD, "limited": fake_module(register_settings=lambda: LimitSettings)},
        env={"MODULES__LIMITED__LIMIT": "lots"},
    )
    state = module_json(client, "limited")
    assert state["state"] == "failed" and state["error"]["stage"] == "settings"
    assert "MODULES__LIMITED__LIMIT" in state["error"]["message"]
    assert client.get("/api/v1/limited/x").status_code == 503
    assert_good_still_serves(client)


def test_module_settings_reach_the_context(hub_client) -> None:
    seen: dict[str, Any] = {}

    def on_startup(module: Any) -> None:
        seen.update(limit=module.settings.limit, read_only=module.settings.read_only)

    hub_client(
        modules={
            "limited": fake_module(register_settings=lambda: LimitSettings, on_startup=on_startup)
        },
        env={"MODULES__LIMITED__LIMIT": "42", "MODULES__LIMITED__READ_ONLY": "false"},
    )
    assert seen == {"limit": 42, "read_only": False}


class Opaque:
    """A type pydantic can validate (arbitrary type) but cannot turn into a JSON schema."""


class Device(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    handle: Opaque


def test_a_model_that_breaks_openapi_is_left_out_of_the_schema_only(hub_client) -> None:
    def register_routes() -> APIRouter:
        router = APIRouter()

        @router.post("/devices")
        def add(device: Device) -> dict[str, str]:
            return {"ok": "yes"}

        @router.get("/status")
        def status() -> dict[str, str]:
            return {"status": "fine"}

        return router

    client = hub_client(
        modules={"good": GOOD, "devices": fake_module(register_routes=register_routes)}
    )
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/good/ping" in paths
    assert not any(p.startswith("/api/v1/devices") for p in paths)
    assert client.get("/api/v1/devices/status").json() == {"status": "fine"}
    record = client.app.state.hub.registry.get("devices")
    assert record.state.value == "enabled"
    assert any("left out of the OpenAPI document" in w for w in record.warnings)


def test_a_route_colliding_with_the_core_health_route_fails_the_module(hub_client) -> None:
    def register_routes() -> APIRouter:
        router = APIRouter()

        @router.get("/health")
        def mine() -> dict[str, str]:
            return {"mine": "yes"}

        return router

    client = hub_client(
        modules={"good": GOOD, "clash": fake_module(register_routes=register_routes)}
    )
    state = module_json(client, "clash")
    assert state["state"] == "failed" and state["error"]["stage"] == "routes"
    assert "GET /api/v1/clash/health (already served by core)" in state["error"]["message"]
    assert_good_still_serves(client)


def test_any_method_on_the_core_health_path_fails_the_module(hub_client) -> None:
    def register_routes() -> APIRouter:
        router = APIRouter()

        @router.post("/health")
        def poke() -> dict[str, str]:
            return {"poked": "yes"}

        @router.get("/health/detail")
        def detail() -> dict[str, str]:
            return {"detail": "mine"}

        return router

    client = hub_client(
        modules={"good": GOOD, "clash": fake_module(register_routes=register_routes)}
    )
    state = module_json(client, "clash")
    assert state["state"] == "failed" and state["error"]["stage"] == "routes"
    message = state["error"]["message"]
    assert "POST /api/v1/clash/health (the path of the core's health route)" in message
    assert "/health/detail" not in message
    assert_good_still_serves(client)


@pytest.mark.parametrize("hook", ["register_routes", "register_views"])
def test_system_exit_in_register_hooks_fails_only_that_module(hub_client, hook: str) -> None:
    def leaves() -> APIRouter:
        raise SystemExit(2)

    client = hub_client(modules={"good": GOOD, "quitter": fake_module(**{hook: leaves})})
    state = module_json(client, "quitter")
    assert state["state"] == "failed" and state["error"]["stage"] == "routes"
    assert state["error"]["type"] == "SystemExit"
    assert_good_still_serves(client)


def test_routers_that_include_routers_are_fine(hub_client) -> None:
    def register_routes() -> APIRouter:
        router = APIRouter()
        router.include_router(good_routes(), prefix="/inner")
        return router

    client = hub_client(modules={"nested": fake_module(register_routes=register_routes)})
    assert client.get("/api/v1/nested/inner/ping").json() == {"answer": "pong"}


def test_unknown_hook_names_are_refused_at_import(hub_client) -> None:
    client = hub_client(modules={"good": GOOD, "typo": fake_module(helth=lambda: True)})
    state = module_json(client, "typo")
    assert state["error"]["stage"] == "import"
    assert "unknown hook 'helth'" in state["error"]["message"]
    assert_good_still_serves(client)


def test_wrappers_are_refused(hub_client) -> None:
    from bmc_hub_core import hookimpl

    mod = fake_module()

    @hookimpl(wrapper=True)
    def health() -> Any:
        return (yield)

    mod.health = health  # type: ignore[attr-defined]
    client = hub_client(modules={"good": GOOD, "wrapper": mod})
    state = module_json(client, "wrapper")
    assert state["error"]["stage"] == "import"
    assert "uses wrapper" in state["error"]["message"]


def test_hub_api_mismatch_is_incompatible(hub_client) -> None:
    mod = fake_module(register_routes=good_routes)
    mod.hub_api = ">=2"  # type: ignore[attr-defined]
    client = hub_client(modules={"good": GOOD, "future": mod})
    record = client.app.state.hub.registry.get("future")
    assert record.state.value == "incompatible"
    assert "needs hub API >=2, this core provides hub API 1" in record.error.message
    assert client.get("/api/v1/future/ping").status_code == 503
    assert_good_still_serves(client)
