"""Browsers get the hub's answers as pages in its layout; API clients keep JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from bmc_hub_core.testing import ADMIN_TOKEN

from .fakes import fake_module

HTML = {"Accept": "text/html,application/xhtml+xml"}
HERE = {"Origin": "http://testserver"}


def views() -> APIRouter:
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    def page() -> str:
        return "<form method=post><button>Save</button></form>"

    @router.post("/", response_class=HTMLResponse)
    def save() -> str:
        return "saved"

    return router


def routes() -> APIRouter:
    router = APIRouter()

    @router.get("/data")
    def data() -> dict[str, bool]:
        return {"ok": True}

    return router


def _page(answer: Any) -> str:
    assert answer.headers["content-type"].startswith("text/html"), answer.headers
    assert "/static/hub/hub.css" in answer.text  # the hub's layout
    return str(answer.text)


def test_a_disabled_modules_page_is_a_404_page_and_its_api_stays_json(
    hub_admin_client: Any,
) -> None:
    client = hub_admin_client(
        modules={"shop": fake_module("shop", register_views=views, register_routes=routes)}
    )
    assert client.post("/api/v1/modules/shop/disable").status_code == 200
    page = client.get("/shop/", headers=HTML)
    assert page.status_code == 404
    assert "module &#39;shop&#39; is disabled" in _page(page)
    api = client.get("/api/v1/shop/data", headers=HTML)
    assert api.status_code == 404
    assert api.json() == {"detail": "module 'shop' is disabled"}


def test_a_failed_modules_page_is_a_503_page(hub_client: Any) -> None:
    def broken_startup() -> None:
        raise RuntimeError("no printer")

    client = hub_client(
        modules={"shop": fake_module("shop", register_views=views, on_startup=broken_startup)}
    )
    page = client.get("/shop/", headers=HTML)
    assert page.status_code == 503
    assert "is unavailable: startup" in _page(page)
    assert "no printer" not in page.text  # the reason's details are for admins
    assert page.headers["retry-after"] == "30"


def test_a_form_post_to_a_read_only_module_is_a_403_page(hub_client: Any) -> None:
    client = hub_client(modules={"shop": fake_module("shop", register_views=views)})
    answer = client.post("/shop/", headers=HTML)
    assert answer.status_code == 403
    assert "module &#39;shop&#39; is read-only" in _page(answer)
    assert answer.headers["x-bmc-dry-run"] == "true"


def test_admins_get_a_link_to_the_admin_page(hub_client: Any) -> None:
    client = hub_client(modules={"shop": fake_module("shop", register_views=views)})
    anonymous = client.post("/shop/", headers=HTML)
    assert "error-admin-link" not in anonymous.text
    signed_in = client.post(
        "/login", data={"token": ADMIN_TOKEN, "next": "/"}, headers=HERE, follow_redirects=False
    )
    assert signed_in.status_code == 303
    admin = client.post("/shop/", headers={**HTML, **HERE})
    assert 'id="error-admin-link"' in admin.text


def test_a_too_large_form_post_is_a_413_page_naming_the_limit(hub_client: Any) -> None:
    client = hub_client(
        modules={"shop": fake_module("shop", register_views=views)},
        env={"MODULES__SHOP__READ_ONLY": "false"},
        max_body_bytes=2048,
    )
    answer = client.post("/shop/", content=b"x" * 5000, headers=HTML)
    assert answer.status_code == 413
    assert "at most 2048 bytes" in _page(answer)
