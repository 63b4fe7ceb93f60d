"""``create_app``: the core surface, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from anyio import from_thread, to_thread
from fastapi import APIRouter
from pydantic import BaseModel, field_validator
from starlette.testclient import TestClient

from bmc_hub_core import create_app
from bmc_hub_core.errors import StrictModeError

from .fakes import fake_module


def boom_routes() -> APIRouter:
    router = APIRouter()

    @router.get("/boom")
    def boom() -> dict[str, str]:
        raise ValueError("secret internal detail")

    @router.get("/fine")
    def fine() -> dict[str, str]:
        return {"fine": "yes"}

    return router


def test_customers_crud(hub_client) -> None:
    client = hub_client()
    created = client.post(
        "/api/v1/customers", json={"name": "Acme ApS", "cvr": "12345678", "email": "ops@acme.dk"}
    )
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "Acme ApS" and body["cvr"] == "12345678" and body["created_at"]
    cid = body["id"]
    assert client.get(f"/api/v1/customers/{cid}").json()["email"] == "ops@acme.dk"
    updated = client.put(f"/api/v1/customers/{cid}", json={"name": "Acme A/S", "cvr": "12345678"})
    assert updated.status_code == 200 and updated.json()["name"] == "Acme A/S"
    assert [c["id"] for c in client.get("/api/v1/customers").json()] == [cid]
    assert client.delete(f"/api/v1/customers/{cid}").status_code == 204
    assert client.get(f"/api/v1/customers/{cid}").status_code == 404


class Reading(BaseModel):
    value: int

    @field_validator("value")
    @classmethod
    def positive(cls, value: int) -> int:
        if value < 0:
            raise ValueError("must be positive")
        return value


def test_bodies_pydantic_cannot_read_are_422_json(hub_client) -> None:
    def register_routes() -> APIRouter:
        router = APIRouter()

        @router.post("/readings")
        def add(reading: Reading) -> Reading:
            return reading

        return router

    client = hub_client(
        modules={"meter": fake_module(register_routes=register_routes)},
        env={"MODULES__METER__READ_ONLY": "false"},
    )
    # A validator's ValueError, a body that is not JSON, JSON sent without its type.
    answers = [
        client.post("/api/v1/meter/readings", json={"value": -1}),
        client.post(
            "/api/v1/customers", content=b"\xff\xfe", headers={"content-type": "application/json"}
        ),
        client.post("/api/v1/customers", content=b'{"name": "x"}'),
    ]
    for answer in answers:
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"][0]["loc"][0] == "body"
    assert "must be positive" in answers[0].json()["detail"][0]["msg"]


def test_customers_bad_input_and_conflicts(hub_client) -> None:
    client = hub_client()
    bad = client.post("/api/v1/customers", json={"name": "", "cvr": "12"})
    assert bad.status_code == 422
    fields = {tuple(e["loc"]) for e in bad.json()["detail"]}
    assert ("body", "name") in fields and ("body", "cvr") in fields
    assert (
        client.post("/api/v1/customers", json={"name": "A", "cvr": "11111111"}).status_code == 201
    )
    clash = client.post("/api/v1/customers", json={"name": "B", "cvr": "11111111"})
    assert clash.status_code == 409
    assert clash.json() == {"detail": "a customer with CVR 11111111 already exists"}
    missing = client.put("/api/v1/customers/999", json={"name": "X"})
    assert missing.status_code == 404 and missing.json() == {"detail": "customer 999 not found"}


def test_unhandled_errors_are_json_without_a_stack_trace(hub_client, hub_app) -> None:
    app = hub_app(
        modules={"boomer": fake_module(register_routes=boom_routes)},
        env={"MODULES__BOOMER__READ_ONLY": "false"},
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/api/v1/boomer/boom")
        assert answer.status_code == 500
        assert answer.json() == {"detail": "internal server error; the hub logged the details"}
        assert "secret internal detail" not in answer.text
        assert client.get("/api/v1/boomer/fine").json() == {"fine": "yes"}


def test_unknown_urls_answer_json_404(hub_client) -> None:
    answer = hub_client().get("/api/v1/nothing-here")
    assert answer.status_code == 404 and answer.json() == {"detail": "Not Found"}


def test_api_docs_are_served_offline_from_the_hub(hub_client) -> None:
    client = hub_client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "/static/docs/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower() and "https://" not in page.text.replace(
        "https://swagger.io", ""
    )
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        assert client.get(f"/static/docs/{asset}").status_code == 200
    assert "fonts.googleapis" not in client.get("/api/redoc").text


def test_openapi_tags_modules_and_documents_core_routes(hub_client) -> None:
    good = fake_module(register_routes=boom_routes)
    schema = hub_client(modules={"tagged": good}).get("/api/openapi.json").json()
    assert schema["paths"]["/api/v1/tagged/fine"]["get"]["tags"] == ["tagged"]
    assert "/api/v1/customers" in schema["paths"] and "/api/v1/health" in schema["paths"]


def test_home_page_lists_enabled_modules_with_links(hub_client) -> None:
    views = APIRouter()

    @views.get("/")
    def page() -> dict[str, str]:
        return {"page": "yes"}

    client = hub_client(
        modules={"viewer": fake_module(register_views=lambda: views, register_routes=boom_routes)}
    )
    home = client.get("/")
    assert home.status_code == 200
    assert 'href="/viewer/"' in home.text
    assert client.get("/viewer/").json() == {"page": "yes"}


def test_strict_mode_refuses_to_start_with_a_failed_allowed_module(
    hub_app, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> APIRouter:
        raise RuntimeError("nope")

    app = hub_app(modules={"broken": fake_module(register_routes=broken)}, strict=True)
    with pytest.raises(StrictModeError, match="broken: failed at routes: nope"), TestClient(app):
        pass
    # Before the server's traceback, the reason in one line.
    reasons = [r.getMessage() for r in caplog.records if r.name == "bmc_hub_core.app"]
    assert reasons == [
        "the hub cannot start: BMC_HUB_STRICT is on and these allowed modules are not "
        "enabled: broken: failed at routes: nope"
    ]


def test_a_refused_start_still_stops_the_modules_that_started(hub_app) -> None:
    events: list[str] = []
    app = hub_app(
        modules={
            "fine": fake_module(
                on_startup=lambda: events.append("start"),
                on_shutdown=lambda: events.append("stop"),
            ),
            "broken": fake_module(register_routes=lambda: 42),
        },
        strict=True,
    )
    with pytest.raises(StrictModeError), TestClient(app):
        pass
    assert events == ["start", "stop"]


def test_strict_mode_refuses_a_missing_allowed_module(hub_app) -> None:
    app = hub_app(extra_allowed=["not_installed_anywhere"], strict=True)
    with pytest.raises(StrictModeError, match="not_installed_anywhere: missing"), TestClient(app):
        pass


def test_each_app_has_its_own_plugin_manager(hub_app) -> None:
    seen: list[str] = []
    first = hub_app(modules={"one": fake_module(on_startup=lambda: seen.append("one"))})
    second = hub_app(modules={"two": fake_module(on_startup=lambda: seen.append("two"))})
    assert first.state.hub.pm is not second.state.hub.pm
    with TestClient(second):
        pass
    assert seen == ["two"]
    assert first.state.hub.registry.get("two") is None


def test_importing_the_package_has_no_side_effects(tmp_path: Any) -> None:
    code = (
        "import os, bmc_hub_core, bmc_hub_core.app, bmc_hub_core.testing, bmc_hub_core.cli;"
        "print(sorted(os.listdir('.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "BMC_HUB_MODULES": "*"},
    )
    assert result.stdout.strip() == "[]"
    assert result.stderr == ""


def test_create_app_builds_without_touching_the_database(tmp_path: Any) -> None:
    from bmc_hub_core.settings import Settings

    db = tmp_path / "never.db"
    create_app(Settings(_env_file=None, database_url=f"sqlite:///{db}"))  # type: ignore[call-arg]
    assert not db.exists()


def test_deleting_a_customer_that_module_data_references_is_409(hub_client) -> None:
    import sqlalchemy as sa

    client = hub_client()
    cid = client.post("/api/v1/customers", json={"name": "Kept"}).json()["id"]
    engine = client.app.state.hub.engine
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE links_refs (id INTEGER PRIMARY KEY, "
                "customer_id INTEGER NOT NULL REFERENCES customers(id))"
            )
        )
        conn.execute(sa.text("INSERT INTO links_refs (id, customer_id) VALUES (1, :c)"), {"c": cid})
    answer = client.delete(f"/api/v1/customers/{cid}")
    assert answer.status_code == 409
    assert answer.json() == {
        "detail": f"customer {cid} is still referenced by module data; remove that first"
    }
    assert client.get(f"/api/v1/customers/{cid}").status_code == 200


def pool_routes() -> APIRouter:
    router = APIRouter()

    @router.get("/threads")
    def threads() -> dict[str, float]:
        # Asked from inside a sync route, i.e. from a thread of that very pool.
        limiter = from_thread.run_sync(to_thread.current_default_thread_limiter)
        return {"total": limiter.total_tokens, "borrowed": limiter.borrowed_tokens}

    return router


@pytest.mark.parametrize(("setting", "expected"), [({}, 40), ({"threadpool_size": 3}, 3)])
def test_sync_routes_share_a_threadpool_of_the_configured_size(
    hub_app, setting: dict[str, int], expected: int
) -> None:
    app = hub_app(modules={"pool": fake_module(register_routes=pool_routes)}, **setting)
    with TestClient(app) as client:
        answer = client.get("/api/v1/pool/threads")
    assert answer.status_code == 200
    assert answer.json() == {"total": expected, "borrowed": 1}
