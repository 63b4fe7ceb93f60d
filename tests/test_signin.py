"""Browser sign-in: the cookie is a signed, expiring session id, never the token."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter
from pydantic import SecretStr

from bmc_hub_core import ModuleContext
from bmc_hub_core.signin import COOKIE_NAME, SignIn
from bmc_hub_core.testing import ADMIN_TOKEN

from .fakes import fake_module

TOKENS = SecretStr("reader-1")
HERE = {"Origin": "http://testserver"}


def routes(module: ModuleContext) -> APIRouter:
    router = APIRouter()

    @router.get("/data")
    def data() -> dict[str, str]:
        return {"module": module.name}

    @router.post("/data")
    def change() -> dict[str, str]:
        return {"changed": module.name}

    return router


def _client(hub_client: Any, **overrides: Any) -> Any:
    env = {"MODULES__DEMO__READ_ONLY": "false"}
    demo = fake_module("demo", register_routes=routes)
    overrides.setdefault("api_tokens", TOKENS)
    return hub_client(modules={"demo": demo}, env=env, **overrides)


def _sign_in(client: Any, token: str) -> str:
    answer = client.post("/login", data={"token": token, "next": "/"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return str(client.cookies[COOKIE_NAME])


def test_the_cookie_is_a_signed_session_not_the_token(hub_client: Any) -> None:
    client = _client(hub_client)
    cookie = _sign_in(client, "reader-1")
    assert "reader-1" not in cookie
    assert client.get("/api/v1/demo/data").json() == {"module": "demo"}
    assert client.get("/api/v1/customers").status_code == 200
    # The token itself in the cookie opens nothing; neither does a tampered cookie.
    for forged in ("reader-1", cookie[:-2] + ("aa" if not cookie.endswith("aa") else "bb")):
        client.cookies.set(COOKIE_NAME, forged)
        assert client.get("/api/v1/demo/data").status_code == 401


def test_sign_out_ends_the_session_for_a_copied_cookie_too(hub_client: Any) -> None:
    client = _client(hub_client)
    cookie = _sign_in(client, "reader-1")
    assert client.post("/logout", headers=HERE, follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE_NAME, cookie)  # someone kept a copy
    assert client.get("/api/v1/demo/data").status_code == 401


def test_sessions_expire(hub_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client(hub_client, session_hours=1.0)
    _sign_in(client, "reader-1")
    signin: SignIn = client.app.state.hub.signin
    import time as real_time

    later = real_time.time() + 2 * 3600
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    signin._active.clear()
    assert client.get("/api/v1/demo/data").status_code == 401


def test_a_session_made_with_a_token_that_was_rotated_away_is_over(hub_client: Any) -> None:
    client = _client(hub_client)
    cookie = _sign_in(client, "reader-1")
    rotated = _client(hub_client, api_tokens=SecretStr("reader-2"))
    rotated.cookies.set(COOKIE_NAME, cookie)
    assert rotated.get("/api/v1/demo/data").status_code == 401


def test_cookie_writes_must_come_from_the_hubs_own_pages(hub_client: Any) -> None:
    client = _client(hub_client)
    _sign_in(client, "reader-1")
    assert client.post("/api/v1/demo/data", headers=HERE).json() == {"changed": "demo"}
    for headers in ({}, {"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}):
        refused = client.post("/api/v1/demo/data", headers=headers)
        assert refused.status_code == 403, headers
        assert "cross-site request refused" in refused.json()["detail"]
    by_referer = client.post("/api/v1/demo/data", headers={"Referer": "http://testserver/demo/"})
    assert by_referer.status_code == 200
    customers = client.post(
        "/api/v1/customers", json={"name": "x"}, headers={"Origin": "https://e.x"}
    )
    assert customers.status_code == 403
    # A bearer token is not a cookie: no Origin needed.
    client.cookies.clear()
    bearer = client.post("/api/v1/demo/data", headers={"Authorization": "Bearer reader-1"})
    assert bearer.status_code == 200


def test_an_admin_session_opens_the_admin_api_and_an_api_session_does_not(
    hub_client: Any,
) -> None:
    client = _client(hub_client)
    _sign_in(client, "reader-1")
    assert client.get("/api/v1/modules").status_code == 401
    _sign_in(client, ADMIN_TOKEN)
    assert client.get("/api/v1/modules").status_code == 200
    toggled = client.post("/api/v1/modules/demo/disable", headers=HERE)
    assert toggled.status_code == 200
    assert client.post("/api/v1/modules/demo/enable").status_code == 403  # no Origin


def test_every_worker_shares_one_signing_key(hub_client: Any) -> None:
    first = _client(hub_client)
    cookie = _sign_in(first, "reader-1")
    second = _client(hub_client)  # another app on the same database
    second.cookies.set(COOKIE_NAME, cookie)
    assert second.get("/api/v1/demo/data").status_code == 200


def test_a_configured_secret_key_is_used(hub_client: Any) -> None:
    first = _client(hub_client, secret_key=SecretStr("k" * 40))
    cookie = _sign_in(first, "reader-1")
    other_key = _client(hub_client, secret_key=SecretStr("z" * 40))
    other_key.cookies.set(COOKIE_NAME, cookie)
    assert other_key.get("/api/v1/demo/data").status_code == 401
