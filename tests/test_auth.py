"""API tokens for data routes, browser sign-in, and the serve warning when unprotected."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import SecretStr

from bmc_hub_core import ModuleContext
from bmc_hub_core.auth import is_admin_token, is_api_token
from bmc_hub_core.settings import Settings
from bmc_hub_core.testing import ADMIN_TOKEN

from .fakes import fake_module

TOKENS = SecretStr("reader-1, reader-2")


def routes(module: ModuleContext) -> APIRouter:
    router = APIRouter()

    @router.get("/data")
    def data() -> dict[str, str]:
        return {"module": module.name}

    return router


def views(module: ModuleContext) -> APIRouter:
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    def page() -> str:
        return "<p>the page</p>"

    return router


def demo() -> object:
    return fake_module("demo", register_routes=routes, register_views=views)


@pytest.fixture
def sqlite_settings(sqlite_only_url: str) -> Settings:
    return Settings(_env_file=None, database_url=sqlite_only_url)


def test_data_routes_are_open_without_api_tokens(hub_client):
    client = hub_client(modules={"demo": demo()})
    assert client.get("/api/v1/customers").status_code == 200
    assert client.get("/api/v1/demo/data").status_code == 200
    assert client.get("/demo/").status_code == 200


@pytest.mark.parametrize("token", ["reader-1", "reader-2", ADMIN_TOKEN])
def test_api_or_admin_token_opens_data_routes(hub_client, token):
    client = hub_client(
        modules={"demo": demo()},
        api_tokens=TOKENS,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert client.get("/api/v1/customers").status_code == 200
    assert client.get("/api/v1/demo/data").json() == {"module": "demo"}


def test_data_routes_need_a_token_when_api_tokens_are_set(hub_client):
    client = hub_client(modules={"demo": demo()}, api_tokens=TOKENS)
    for path in ("/api/v1/customers", "/api/v1/demo/data"):
        missing = client.get(path)
        assert missing.status_code == 401, path
        assert "API token required" in missing.json()["detail"]
        wrong = client.get(path, headers={"Authorization": "Bearer reader-3"})
        assert wrong.status_code == 401
        assert wrong.json() == {"detail": "invalid API token"}
    # An API token is not an admin token.
    admin = client.get("/api/v1/modules", headers={"Authorization": "Bearer reader-1"})
    assert admin.status_code == 401


def test_public_routes_stay_public_with_api_tokens(hub_client):
    client = hub_client(modules={"demo": demo()}, api_tokens=TOKENS)
    for path in ("/api/v1/health", "/api/v1/demo/health", "/admin", "/login", "/api/docs"):
        assert client.get(path).status_code == 200, path
    assert client.get("/api/openapi.json").status_code == 200


def test_browser_views_redirect_to_login_and_the_cookie_opens_them(hub_client):
    client = hub_client(modules={"demo": demo()}, api_tokens=TOKENS)
    html = {"Accept": "text/html"}
    first = client.get("/demo/", headers=html, follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=%2Fdemo%2F"
    with_query = client.get("/demo/?page=2&sort=name", headers=html, follow_redirects=False)
    assert with_query.headers["location"] == "/login?next=%2Fdemo%2F%3Fpage%3D2%26sort%3Dname"
    form = client.get(with_query.headers["location"])
    assert 'value="/demo/?page=2&amp;sort=name"' in form.text

    refused = client.post("/login", data={"token": "nope", "next": "/demo/"})
    assert refused.status_code == 401
    signed_in = client.post(
        "/login", data={"token": "reader-1", "next": "/demo/"}, follow_redirects=False
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/demo/"
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert client.get("/demo/", headers=html).text == "<p>the page</p>"
    assert client.get("/api/v1/demo/data").status_code == 200

    client.post("/logout", follow_redirects=False)
    assert client.get("/demo/", headers=html, follow_redirects=False).status_code == 303


def test_login_never_redirects_off_site(hub_client):
    client = hub_client(api_tokens=TOKENS)
    for target in ("//evil.example/", "https://evil.example/", "evil"):
        answer = client.post(
            "/login", data={"token": "reader-1", "next": target}, follow_redirects=False
        )
        assert answer.headers["location"] == "/"


def test_token_checks(sqlite_settings: Settings):
    settings = sqlite_settings.model_copy(
        update={"admin_token": SecretStr("adm"), "api_tokens": TOKENS}
    )
    assert is_admin_token(settings, "adm")
    assert not is_admin_token(settings, "reader-1")
    assert not is_admin_token(settings, None)
    assert is_api_token(settings, "reader-2")
    assert is_api_token(settings, "adm")
    assert not is_api_token(settings, "")
    assert not is_admin_token(sqlite_settings, "anything")  # no admin token configured


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_output(tmp_path: Path, host: str, **env: str) -> str:
    """Start ``bmc-hub serve``, wait until it is up, stop it, return what it printed."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BMC_HUB_")}
    environment.update(
        BMC_HUB_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}", BMC_HUB_MODULES="", **env
    )
    command = [str(Path(sys.executable).parent / "bmc-hub"), "serve", "--host", host]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env=environment,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    return output


@pytest.mark.slow
def test_serve_warns_when_bound_beyond_loopback_without_api_tokens(tmp_path):
    output = serve_output(tmp_path, "0.0.0.0")
    assert "without BMC_HUB_API_TOKENS" in output
    assert "Application startup complete" in output


@pytest.mark.slow
def test_serve_is_quiet_on_loopback_or_with_api_tokens(tmp_path):
    assert "without BMC_HUB_API_TOKENS" not in serve_output(tmp_path, "127.0.0.1")
    protected = serve_output(tmp_path, "0.0.0.0", BMC_HUB_API_TOKENS="t0ken")
    assert "Application startup complete" in protected
    assert "without BMC_HUB_API_TOKENS" not in protected
    assert "t0ken" not in protected


def test_openapi_declares_the_bearer_scheme_on_protected_routes(hub_client):
    client = hub_client(modules={"demo": demo()})
    schema = client.get("/api/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert schema["paths"]["/api/v1/modules"]["get"]["security"] == [{"bearer": []}]
    assert schema["paths"]["/api/v1/demo/data"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in schema["paths"]["/api/v1/health"]["get"]
