"""The module on the hub's pages: its navigation entry and its panel on a customer's page."""

from __future__ import annotations

import re

import pytest

from bmc_hub_core.testing import module_env

NAME = "invoice_scanner"
WRITABLE = module_env(NAME, read_only=False, dry_run=False)


@pytest.fixture
def client(hub_client):
    return hub_client(installed=[NAME], env=WRITABLE)


def customer(client, cvr: str | None) -> int:
    answer = client.post("/api/v1/customers", json={"name": "Nordisk Kaffe ApS", "cvr": cvr})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def panel(html: str) -> str:
    start = html.index(f'id="panel-{NAME}"')
    return html[start : html.index("</li>", start)]


def rows(html: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", panel(html)))


def upload(client, data: bytes, filename: str) -> None:
    answer = client.post(
        f"/{NAME}/scans",
        files={"file": (filename, data, "application/pdf")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def test_the_navigation_bar_has_the_scanner(client):
    page = client.get(f"/{NAME}/")
    expected = f'<a href="/{NAME}/" data-module="{NAME}" aria-current="page">Invoice scanner</a>'
    assert expected in page.text


def test_the_panel_counts_matched_scans_and_links_the_latest(client, invoices):
    number = customer(client, invoices.vendor_cvr)
    before = client.get(f"/customers/{number}")
    assert rows(before.text) == {"Scanned invoices": "0"}
    assert f'<a href="/{NAME}/">Scan an invoice</a>' in panel(before.text)

    upload(client, invoices.danish(), "first.pdf")
    upload(client, invoices.danish(), "second.pdf")
    after = client.get(f"/customers/{number}")
    shown = rows(after.text)
    assert shown["Scanned invoices"] == "2"
    assert shown["Latest"].startswith("second.pdf, ")
    assert shown["Latest total"] == "1250.00 DKK"
    assert f'<a href="/{NAME}/scans/2">Open the latest scan</a>' in panel(after.text)


def test_a_customer_without_a_cvr_has_no_panel(client):
    number = customer(client, None)
    page = client.get(f"/customers/{number}")
    assert page.status_code == 200 and f'id="panel-{NAME}"' not in page.text


def test_the_scan_page_links_the_hubs_customer_page(client, invoices):
    number = customer(client, invoices.vendor_cvr)
    upload(client, invoices.danish(), "invoice.pdf")
    page = client.get(f"/{NAME}/scans/1")
    assert f'<a href="/customers/{number}">customer {number}</a>' in page.text
