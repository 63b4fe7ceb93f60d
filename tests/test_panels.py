"""Module panels on a customer's page: shown as text, asked concurrently, and a module that
raises, hangs or answers nonsense shows "unavailable" while the page still renders."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bmc_hub_core import CustomerInfo, CustomerPanel

from .fakes import fake_module


def add(client: Any, name: str = "Kunde A/S", cvr: str | None = "12345678") -> int:
    answer = client.post("/api/v1/customers", json={"name": name, "cvr": cvr})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def panel_html(html: str, module: str) -> str:
    start = html.index(f'id="panel-{module}"')
    return html[start : html.index("</li>", start)]


def good(customer: CustomerInfo) -> CustomerPanel:
    return CustomerPanel(
        title="Abonnementer",
        rows=[("Aktive", "2"), ("Kunde", customer.name), ("HTML", "<b>bold</b>")],
        link=f"/?customer_id={customer.id}",
        link_text="Se abonnementer",
    )


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Lets hanging hooks finish when the test ends (they run in daemon threads)."""
    event = threading.Event()
    yield event
    event.set()


def test_a_panel_shows_title_rows_as_text_and_a_link_into_the_module(hub_client: Any) -> None:
    client = hub_client(modules={"subs": fake_module("subs", customer_panel=good)})
    number = add(client, "Kunde <script>")
    page = client.get(f"/customers/{number}")
    assert page.status_code == 200
    panel = panel_html(page.text, "subs")
    assert "<h3>Abonnementer</h3>" in panel
    assert "<dt>Aktive</dt><dd>2</dd>" in panel
    assert "<dd>Kunde &lt;script&gt;</dd>" in panel  # the customer the hook was given
    assert "&lt;b&gt;bold&lt;/b&gt;" in panel  # rows are text, never HTML
    assert f'<a href="/subs/?customer_id={number}">Se abonnementer</a>' in panel


def test_a_module_without_a_panel_shows_nothing(hub_client: Any) -> None:
    client = hub_client(
        modules={
            "quiet": fake_module("quiet", customer_panel=lambda: None),
            "other": fake_module("other", health=lambda: True),
        }
    )
    page = client.get(f"/customers/{add(client)}")
    assert page.status_code == 200
    assert 'id="panels"' not in page.text


def wrong_type() -> Any:
    return {"title": "not a panel"}


def bad_link() -> CustomerPanel:
    return CustomerPanel("Away", link="//evil.example/")


def bad_rows() -> CustomerPanel:
    return CustomerPanel("Rows", rows=["just a string"])  # type: ignore[list-item]


def no_title() -> CustomerPanel:
    return CustomerPanel(" ")


def raises() -> CustomerPanel:
    raise RuntimeError("database on fire")


@pytest.mark.parametrize(
    ("hook", "logged"),
    [
        (raises, "raised RuntimeError: database on fire"),
        (wrong_type, "must return a CustomerPanel or None; got dict"),
        (bad_link, "must start with '/' and stay in /broken"),
        (bad_rows, "a row must be a (label, value) pair"),
        (no_title, "title must be a non-empty string"),
    ],
)
def test_a_broken_panel_is_unavailable_and_the_page_renders(
    hub_client: Any, caplog: pytest.LogCaptureFixture, hook: Any, logged: str
) -> None:
    caplog.set_level(logging.WARNING, logger="bmc_hub_core.panels")
    client = hub_client(
        modules={
            "broken": fake_module("broken", customer_panel=hook),
            "subs": fake_module("subs", customer_panel=good),
        }
    )
    page = client.get(f"/customers/{add(client)}")
    assert page.status_code == 200
    broken = panel_html(page.text, "broken")
    assert "hub-card unavailable" in page.text and "Unavailable right now." in broken
    assert "evil.example" not in page.text and "database on fire" not in page.text
    assert "<h3>Abonnementer</h3>" in panel_html(page.text, "subs")
    assert any(logged in r.getMessage() for r in caplog.records), caplog.text


def test_hanging_panels_time_out_together_not_one_after_another(
    hub_client: Any, release: threading.Event
) -> None:
    def hangs() -> CustomerPanel:
        release.wait(30)
        return CustomerPanel("late")

    async def hangs_async() -> CustomerPanel:
        await asyncio.sleep(30)
        return CustomerPanel("late")

    client = hub_client(
        hook_timeout=0.5,
        modules={
            "slow": fake_module("slow", customer_panel=hangs),
            "slower": fake_module("slower", customer_panel=hangs_async),
            "subs": fake_module("subs", customer_panel=good),
        },
    )
    number = add(client)
    started = time.monotonic()
    page = client.get(f"/customers/{number}")
    took = time.monotonic() - started
    assert page.status_code == 200
    assert "Unavailable right now." in panel_html(page.text, "slow")
    assert "Unavailable right now." in panel_html(page.text, "slower")
    assert "<h3>Abonnementer</h3>" in panel_html(page.text, "subs")
    assert took < 1.5, f"panels were asked one after another ({took:.2f}s)"


def test_a_disabled_module_is_not_asked(hub_admin_client: Any) -> None:
    asked: list[int] = []

    def counting(customer: CustomerInfo) -> CustomerPanel:
        asked.append(customer.id)
        return good(customer)

    client = hub_admin_client(modules={"subs": fake_module("subs", customer_panel=counting)})
    number = add(client)
    assert client.post("/api/v1/modules/subs/disable").status_code == 200
    page = client.get(f"/customers/{number}")
    assert page.status_code == 200 and 'id="panel-subs"' not in page.text
    assert asked == []
    assert client.post("/api/v1/modules/subs/enable").status_code == 200
    assert 'id="panel-subs"' in client.get(f"/customers/{number}").text
    assert asked == [number]


def test_long_rows_are_cut(hub_client: Any) -> None:
    def long_rows() -> CustomerPanel:
        return CustomerPanel("Many", rows=[(f"row {n}", "x" * 1000) for n in range(50)])

    client = hub_client(modules={"many": fake_module("many", customer_panel=long_rows)})
    panel = panel_html(client.get(f"/customers/{add(client)}").text, "many")
    assert panel.count("<dt>") == 20
    assert "x" * 299 + "…" in panel and "x" * 300 not in panel
