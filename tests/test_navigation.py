"""The navigation bar: enabled modules' entries, then the core's; a broken hook costs only
the entry."""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

import pytest
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bmc_hub_core import ModuleContext, NavItem
from bmc_hub_core.navigation import href_of

from .fakes import fake_module

HTML = {"Accept": "text/html"}


def module_page(module: ModuleContext) -> APIRouter:
    """A module page rendered with the hub's templates, passing nothing for the layout."""
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        return module.templates.TemplateResponse(request, "hub/error.html", {"status": 200})

    return router


def shop(nav: Any = None, **hooks: Any) -> Any:
    return fake_module(
        "shop",
        register_views=module_page,
        register_navigation=nav or (lambda: NavItem("Shop", "/", order=20)),
        **hooks,
    )


def nav_links(html: str) -> list[str]:
    bar = html.split('<nav class="hub-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)"', bar)


def test_the_bar_lists_module_entries_by_order_then_the_core(hub_client: Any) -> None:
    def two() -> list[NavItem]:
        return [NavItem("Reports", "/reports", order=50), NavItem("Books", "/", order=10)]

    client = hub_client(
        modules={
            "shop": shop(),
            "books": fake_module("books", register_views=module_page, register_navigation=two),
        }
    )
    links = nav_links(client.get("/").text)
    assert links == [
        "/books/",
        "/shop/",
        "/books/reports",
        "/customers",
        "/admin",
        "/api/docs",
    ]


def test_a_module_page_gets_the_bar_without_passing_anything(hub_client: Any) -> None:
    client = hub_client(modules={"shop": shop()})
    page = client.get("/shop/", headers=HTML)
    assert page.status_code == 200
    assert "/shop/" in nav_links(page.text)
    assert 'href="/shop/" data-module="shop" aria-current="page"' in page.text


def test_a_disabled_module_leaves_the_bar_at_once_and_comes_back(hub_admin_client: Any) -> None:
    client = hub_admin_client(modules={"shop": shop()})
    assert "/shop/" in nav_links(client.get("/").text)

    assert client.post("/api/v1/modules/shop/disable").status_code == 200
    assert "/shop/" not in nav_links(client.get("/").text)
    assert "/shop/" not in nav_links(client.get("/customers").text)

    assert client.post("/api/v1/modules/shop/enable").status_code == 200
    assert "/shop/" in nav_links(client.get("/").text)


@pytest.mark.parametrize(
    ("hook", "warning"),
    [
        (lambda: 1 / 0, "register_navigation failed (ZeroDivisionError"),
        (lambda: "Shop", "must return a NavItem, a list of them, or None; got str"),
        (lambda: [NavItem("Shop"), {"title": "x"}], "got dict"),
        (lambda: NavItem("Away", "/../admin"), "must start with '/' and stay inside /shop"),
        (lambda: NavItem("Other", "//evil.example/"), "stay inside /shop"),
        (lambda: NavItem("   ", "/"), "needs a title of 1-40 characters"),
    ],
)
def test_a_broken_register_navigation_costs_only_the_entry(
    hub_admin_client: Any, caplog: pytest.LogCaptureFixture, hook: Any, warning: str
) -> None:
    caplog.set_level(logging.WARNING, logger="bmc_hub_core.navigation")
    client = hub_admin_client(modules={"shop": shop(nav=hook), "books": shop()})
    home = client.get("/")
    assert home.status_code == 200
    assert nav_links(home.text).count("/shop/") <= 1  # the good item of a mixed list stays
    assert client.get("/shop/", headers=HTML).status_code == 200  # the pages still work
    record = client.get("/api/v1/modules/shop").json()
    assert record["state"] == "enabled"
    assert any(warning in line for line in record["warnings"]), record["warnings"]
    assert any(warning in r.getMessage() for r in caplog.records)


def test_a_hanging_register_navigation_is_given_up_on(hub_admin_client: Any) -> None:
    release = threading.Event()

    def hangs() -> NavItem:
        release.wait(10)
        return NavItem("Late")

    try:
        client = hub_admin_client(modules={"shop": shop(nav=hangs)}, hook_timeout=0.3)
        assert "/shop/" not in nav_links(client.get("/").text)
        assert client.get("/shop/", headers=HTML).status_code == 200
        warnings = client.get("/api/v1/modules/shop").json()["warnings"]
        assert any("register_navigation failed (HookTimeout" in line for line in warnings)
    finally:
        release.set()


def test_a_module_without_the_hook_has_no_entry_but_keeps_its_page(hub_client: Any) -> None:
    client = hub_client(modules={"plain": fake_module("plain", register_views=module_page)})
    home = client.get("/").text
    assert "/plain/" not in nav_links(home)
    assert 'href="/plain/"' in home  # the home page still offers it


def test_a_failed_module_has_no_entry(hub_client: Any) -> None:
    def boom() -> None:
        raise RuntimeError("no start")

    client = hub_client(modules={"shop": shop(on_startup=boom)})
    assert "/shop/" not in nav_links(client.get("/").text)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "/shop/"),
        ("/import", "/shop/import"),
        ("/?customer_id=5", "/shop/?customer_id=5"),
        ("", None),
        ("import", None),
        ("//evil.example", None),
        ("/a/../../admin", None),
        ("/a\\b", None),
    ],
)
def test_paths_stay_inside_the_module(path: str, expected: str | None) -> None:
    assert href_of("shop", path) == expected
