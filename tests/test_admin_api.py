"""The admin API: every status code, persisted toggles, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import types
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import APIRouter
from starlette.testclient import TestClient

from bmc_hub_core import ModuleContext, create_app
from bmc_hub_core.db import hub_module_state
from bmc_hub_core.settings import Settings
from bmc_hub_core.testing import ADMIN_TOKEN

from .fakes import fake_module

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def demo_routes(module: ModuleContext) -> APIRouter:
    router = APIRouter()

    @router.get("/ping")
    def ping() -> dict[str, str]:
        return {"module": module.name}

    return router


def demo(**hooks: Callable[..., Any]) -> types.ModuleType:
    return fake_module("demo", register_routes=demo_routes, **hooks)


def state_row(url: str, name: str) -> dict[str, object] | None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(hub_module_state).where(hub_module_state.c.name == name)
            ).mappings()
            found = row.first()
            return dict(found) if found else None
    finally:
        engine.dispose()


def test_missing_token_is_401(hub_client):
    client = hub_client(modules={"demo": demo()})
    answer = client.get("/api/v1/modules")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert "admin token required" in answer.json()["detail"]


def test_wrong_token_is_401(hub_client):
    client = hub_client(modules={"demo": demo()}, headers={"Authorization": "Bearer nope"})
    for method, path in [
        ("GET", "/api/v1/modules"),
        ("GET", "/api/v1/modules/demo"),
        ("POST", "/api/v1/modules/demo/disable"),
    ]:
        answer = client.request(method, path)
        assert answer.status_code == 401, path
        assert answer.json() == {"detail": "invalid admin token"}
    # Nothing was toggled by the refused request.
    assert client.get("/api/v1/demo/ping").status_code == 200


def test_no_admin_token_configured_is_403_saying_how_to_set_one(hub_client):
    client = hub_client(modules={"demo": demo()}, admin_token=None, headers=ADMIN)
    answer = client.get("/api/v1/modules")
    assert answer.status_code == 403
    detail = answer.json()["detail"]
    assert "BMC_HUB_ADMIN_TOKEN" in detail
    assert "openssl rand" in detail
    assert client.post("/api/v1/modules/demo/disable").status_code == 403


def test_lists_every_module_with_the_documented_record(hub_admin_client):
    client = hub_admin_client(modules={"demo": demo()})
    records = {r["name"]: r for r in client.get("/api/v1/modules").json()}
    # hello is installed in the test environment but not in the allowlist.
    assert records["hello"]["state"] == "not_allowed"
    assert records["hello"]["health"] is None
    record = records["demo"]
    for key in (
        "name",
        "distribution",
        "version",
        "state",
        "error",
        "table_prefix",
        "read_only",
        "dry_run",
        "migration",
        "routes",
        "health",
    ):
        assert key in record
    assert record["state"] == "enabled"
    assert record["table_prefix"] == "demo_"
    assert (record["read_only"], record["dry_run"]) == (True, True)
    assert record["routes"] == ["/api/v1/demo/ping"]
    assert record["health"]["status"] == "ok"


def test_unknown_module_is_404(hub_admin_client):
    client = hub_admin_client(modules={"demo": demo()})
    assert client.get("/api/v1/modules/nosuch").status_code == 404
    for action in ("enable", "disable"):
        answer = client.post(f"/api/v1/modules/nosuch/{action}")
        assert answer.status_code == 404
        assert "module 'nosuch' is not installed" in answer.json()["detail"]


def test_not_allowed_module_is_409(hub_admin_client):
    client = hub_admin_client(modules={"demo": demo()})
    answer = client.post("/api/v1/modules/hello/enable")
    assert answer.status_code == 409
    assert "BMC_HUB_MODULES" in answer.json()["detail"]


def test_missing_module_is_409(hub_admin_client):
    client = hub_admin_client(extra_allowed=["ghost"])
    answer = client.post("/api/v1/modules/ghost/enable")
    assert answer.status_code == 409
    assert "not installed" in answer.json()["detail"]


def test_failed_module_is_409_with_the_reason(hub_admin_client):
    def on_startup() -> None:
        raise RuntimeError("cannot reach the device")

    client = hub_admin_client(modules={"demo": demo(on_startup=on_startup)})
    assert client.get("/api/v1/modules/demo").json()["state"] == "failed"
    for action in ("enable", "disable"):
        answer = client.post(f"/api/v1/modules/demo/{action}")
        assert answer.status_code == 409
        detail = answer.json()["detail"]
        assert "module 'demo' failed" in detail
        assert "cannot reach the device" in detail


def test_incompatible_module_is_409(hub_admin_client):
    old = demo()
    old.hub_api = ">=99"  # the contract range this core does not meet
    client = hub_admin_client(modules={"demo": old})
    assert client.get("/api/v1/modules/demo").json()["state"] == "incompatible"
    answer = client.post("/api/v1/modules/demo/enable")
    assert answer.status_code == 409
    assert "incompatible" in answer.json()["detail"]
    assert "hub API" in answer.json()["detail"]


def test_disable_then_enable_is_instant_and_persisted(hub_admin_client, hub_database_url):
    client = hub_admin_client(modules={"demo": demo()})
    assert client.get("/api/v1/demo/ping").status_code == 200

    answer = client.post("/api/v1/modules/demo/disable", json={"reason": "maintenance"})
    assert answer.status_code == 200
    record = answer.json()
    assert record["state"] == "disabled"
    assert record["health"]["status"] == "disabled"
    assert record["admin"]["enabled"] is False
    assert record["admin"]["reason"] == "maintenance"
    assert record["admin"]["changed_by"] == "admin api from testclient"
    # The answering worker applies the change before it answers.
    assert client.get("/api/v1/demo/ping").json() == {"detail": "module 'demo' is disabled"}

    row = state_row(hub_database_url, "demo")
    assert row is not None
    assert row["enabled"] is False
    assert row["changed_by"] == "admin api from testclient"
    assert row["reason"] == "maintenance"
    assert row["changed_at"] is not None

    answer = client.post("/api/v1/modules/demo/enable")
    assert answer.status_code == 200
    assert answer.json()["state"] == "enabled"
    assert answer.json()["admin"]["reason"] is None
    assert client.get("/api/v1/demo/ping").status_code == 200
    row = state_row(hub_database_url, "demo")
    assert row is not None
    assert row["enabled"] is True


def test_a_body_other_than_a_reason_is_422(hub_admin_client):
    client = hub_admin_client(modules={"demo": demo()})
    assert client.post("/api/v1/modules/demo/disable", json={"why": "x"}).status_code == 422
    too_long = {"reason": "x" * 501}
    assert client.post("/api/v1/modules/demo/disable", json=too_long).status_code == 422


def test_disabled_module_stays_disabled_after_restart(hub_settings: Settings):
    settings = hub_settings.model_copy(update={"modules": "hello"})
    with TestClient(create_app(settings), headers=ADMIN) as first:
        assert first.post("/api/v1/modules/hello/disable").status_code == 200
    # A new app on the same database: hello is still in the allowlist, yet disabled.
    with TestClient(create_app(settings), headers=ADMIN) as second:
        assert second.get("/api/v1/hello/").status_code == 404
        record = second.get("/api/v1/modules/hello").json()
        assert record["state"] == "disabled"
        assert record["admin"]["changed_by"] == "admin api from testclient"
        assert second.post("/api/v1/modules/hello/enable").status_code == 200
    with TestClient(create_app(settings)) as third:
        assert third.get("/api/v1/hello/").status_code == 200


def test_allowlist_stays_the_ceiling(hub_settings: Settings):
    """A module enabled by an admin, then taken out of the allowlist, is not served."""
    allowed = hub_settings.model_copy(update={"modules": "hello"})
    with TestClient(create_app(allowed), headers=ADMIN) as client:
        assert client.post("/api/v1/modules/hello/enable").status_code == 200
    not_allowed = hub_settings.model_copy(update={"modules": ""})
    with TestClient(create_app(not_allowed), headers=ADMIN) as client:
        assert client.get("/api/v1/hello/").status_code == 404
        assert client.get("/api/v1/modules/hello").json()["state"] == "not_allowed"


def test_module_enabled_at_runtime_runs_its_on_startup_first(hub_settings: Settings):
    started: list[str] = []

    def on_startup(module: ModuleContext) -> None:
        started.append(module.name)

    settings = hub_settings.model_copy(update={"modules": ""})
    with TestClient(create_app(settings, modules={"demo": demo()}), headers=ADMIN) as client:
        assert client.post("/api/v1/modules/demo/disable").status_code == 200
    app = create_app(settings, modules={"demo": demo(on_startup=on_startup)})
    with TestClient(app, headers=ADMIN) as client:
        assert started == []  # disabled when the process started
        assert client.post("/api/v1/modules/demo/enable").json()["state"] == "enabled"
        assert started == ["demo"]
        assert client.get("/api/v1/demo/ping").status_code == 200


def test_the_token_never_appears_in_logs_or_responses(hub_client, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    client = hub_client(modules={"demo": demo()}, headers=ADMIN)
    bodies = [
        client.get("/api/v1/modules").text,
        client.get("/api/v1/modules/demo").text,
        client.post("/api/v1/modules/demo/disable", json={"reason": "x"}).text,
        client.post("/api/v1/modules/demo/enable").text,
        client.get("/admin").text,
    ]
    wrong = client.get("/api/v1/modules", headers={"Authorization": "Bearer wrong-guess"})
    bodies.append(wrong.text)
    assert "module 'demo' disabled by admin api from testclient (x)" in caplog.text
    for text in [*bodies, caplog.text]:
        assert ADMIN_TOKEN not in text
        assert "wrong-guess" not in text


def test_a_toggle_the_database_cannot_store_is_503_and_changes_nothing(
    hub_admin_client, hub_database_url
):
    client = hub_admin_client(modules={"demo": demo()})
    engine = sa.create_engine(hub_database_url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE hub_module_state RENAME TO hub_module_state_gone"))
    try:
        answer = client.post("/api/v1/modules/demo/disable")
        assert answer.status_code == 503
        assert answer.json() == {
            "detail": "the change was not stored: the database did not answer; try again"
        }
        assert client.get("/api/v1/demo/ping").status_code == 200
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE hub_module_state_gone RENAME TO hub_module_state"))
        engine.dispose()
