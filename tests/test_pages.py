"""The home page, the layout's sign-in state and flash messages, and the stylesheet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bmc_hub_core import NavItem
from bmc_hub_core.flash import COOKIE_NAME as FLASH_COOKIE
from bmc_hub_core.testing import ADMIN_TOKEN

from .fakes import fake_module

HERE = {"Origin": "http://testserver"}
ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "src" / "bmc_hub_core"


def views() -> APIRouter:
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    def page() -> str:
        return "<p>page</p>"

    return router


def modules() -> dict[str, Any]:
    def boom() -> None:
        raise RuntimeError("cannot start")

    return {
        "shop": fake_module(
            "shop", register_views=views, register_navigation=lambda: NavItem("Webshop")
        ),
        "plain": fake_module("plain", register_views=views),
        "paused": fake_module("paused", register_views=views),
        "broken": fake_module("broken", register_views=views, on_startup=boom),
    }


def sign_in(client: Any, token: str = ADMIN_TOKEN) -> Any:
    return client.post("/login", data={"token": token, "next": "/"}, headers=HERE)


def test_anonymous_visitors_see_only_served_modules(hub_admin_client: Any) -> None:
    admin = hub_admin_client(modules=modules())
    assert admin.post("/api/v1/modules/paused/disable").status_code == 200
    admin.headers.pop("Authorization")
    home = admin.get("/")
    assert home.status_code == 200
    assert 'id="module-shop"' in home.text and 'href="/shop/">Webshop' in home.text
    assert 'id="module-plain"' in home.text and 'href="/plain/">Open' in home.text
    assert 'id="module-paused"' not in home.text and 'id="module-broken"' not in home.text
    assert "/admin" not in home.text.split("</header>", 1)[1]
    assert 'id="hub-sign-in"' in home.text


def test_a_signed_in_admin_also_sees_the_others_and_the_admin_link(hub_admin_client: Any) -> None:
    client = hub_admin_client(modules=modules())
    assert (
        client.post(
            "/api/v1/modules/paused/disable", json={"reason": "quarterly close"}
        ).status_code
        == 200
    )
    client.headers.pop("Authorization")
    home = sign_in(client)  # the admin session cookie, as a browser has it
    assert home.status_code == 200
    assert "Signed in as admin" in home.text
    assert '<tr id="module-paused" data-state="disabled">' in home.text
    assert "quarterly close" in home.text
    assert '<tr id="module-broken" data-state="failed">' in home.text
    assert "stage startup" in home.text and "cannot start" not in home.text
    assert 'id="home-admin-link"' in home.text


def test_an_api_user_is_not_an_admin(hub_client: Any) -> None:
    from pydantic import SecretStr

    client = hub_client(modules=modules(), api_tokens=SecretStr("api-token"))
    home = sign_in(client, "api-token")
    assert "Signed in as API user" in home.text
    assert 'id="module-broken"' not in home.text and 'id="home-admin-link"' not in home.text


def test_the_header_signs_out_with_a_post_and_says_so_once(hub_client: Any) -> None:
    client = hub_client()
    page = sign_in(client)
    assert '<form method="post" action="/logout" class="hub-signout">' in page.text
    assert "Signed in as admin." in page.text  # the flash after signing in
    again = client.get("/")
    assert "Signed in as admin." not in again.text  # shown once
    assert "Signed in as admin" in again.text  # the header still says who

    out = client.post("/logout", headers=HERE)
    assert out.status_code == 200 and out.url.path == "/login"
    assert "Signed out." in out.text and 'id="hub-sign-in"' in out.text
    assert "Signed out." not in client.get("/login").text


def test_the_sign_in_link_brings_the_browser_back(hub_client: Any) -> None:
    client = hub_client()
    assert (
        'href="/login?next=%2Fcustomers%2Fnew" id="hub-sign-in"'
        in client.get("/customers/new").text
    )
    assert 'href="/login" id="hub-sign-in"' in client.get("/").text


def test_a_flash_is_deleted_by_the_page_that_shows_it(hub_client: Any) -> None:
    client = hub_client()
    created = client.post("/customers/new", data={"name": "Flash A/S"}, follow_redirects=False)
    assert created.status_code == 303
    cookie = created.headers["set-cookie"]
    assert (
        cookie.startswith(f"{FLASH_COOKIE}=") and "HttpOnly" in cookie and "Max-Age=120" in cookie
    )
    shown = client.get(created.headers["location"])
    assert "Customer Flash A/S created." in shown.text
    assert f'{FLASH_COOKIE}=""' in shown.headers["set-cookie"]  # deleted in the same answer
    assert FLASH_COOKIE not in client.cookies
    assert "Customer Flash A/S created." not in client.get(created.headers["location"]).text


@pytest.mark.parametrize("value", ["forged-message", "eyJtIjoiaGkifQ.bad.signature"])
def test_a_forged_flash_is_not_shown_and_is_deleted(hub_client: Any, value: str) -> None:
    client = hub_client()
    client.cookies.set(FLASH_COOKIE, value)
    page = client.get("/")
    assert 'id="hub-flash"' not in page.text
    assert f'{FLASH_COOKIE}=""' in page.headers["set-cookie"]


def test_a_page_without_a_flash_sets_no_cookie(hub_client: Any) -> None:
    assert "set-cookie" not in hub_client().get("/customers").headers


def test_module_pages_show_the_flash_too(hub_client: Any) -> None:
    def rendered(module: Any) -> APIRouter:
        router = APIRouter()

        @router.get("/", response_class=HTMLResponse)
        def page(request: Request) -> Any:
            return module.templates.TemplateResponse(request, "hub/error.html", {})

        return router

    client = hub_client(modules={"shop": fake_module("shop", register_views=rendered)})
    sign_in(client)  # leaves "Signed in as admin." unless a page shows it
    client.cookies.delete(FLASH_COOKIE)
    created = client.post(
        "/customers/new", data={"name": "Via modul"}, headers=HERE, follow_redirects=False
    )
    assert created.status_code == 303
    page = client.get("/shop/")
    assert "Customer Via modul created." in page.text


# -- the stylesheet and the templates ------------------------------------------------------


def test_the_stylesheet_serves_phones() -> None:
    css = (CORE / "static" / "hub.css").read_text()
    assert re.search(r"@media \(max-width: ?\d+px\)", css)
    phone = css.split("@media", 1)[1]
    assert "overflow-x:auto" in phone  # tables scroll sideways
    assert ".hub-nav" in phone  # the navigation gets its own line and wraps
    assert "flex-wrap:wrap" in css
    layout = (CORE / "templates" / "hub" / "layout.html").read_text()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in layout


def _without_comments(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
        text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    elif path.suffix in (".css", ".js"):
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    if path.suffix == ".js":
        text = re.sub(r"^\s*//.*$", "", text, flags=re.M)
    return text


SHIPPED = sorted(
    [
        *CORE.glob("templates/**/*.html"),
        *CORE.glob("static/**/*"),
        *ROOT.glob("plugins/*/src/*/templates/**/*.html"),
    ]
)


def test_the_shipped_files_exist() -> None:
    assert len(SHIPPED) > 10


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_or_asset_loads_anything_from_outside(path: Path) -> None:
    if not path.is_file():
        return
    found = re.findall(r"https?://[^\s\"'<>)]*", _without_comments(path))
    assert found == [], f"{path.relative_to(ROOT)} refers to {found}: the hub works offline"


def test_the_layout_renders_outside_a_hub_app_too() -> None:
    from bmc_hub_core.templating import build_templates

    html = build_templates({}).env.get_template("hub/layout.html").render()
    assert 'id="hub-sign-in"' in html and 'href="/customers"' in html
    assert 'id="hub-flash"' not in html
