"""A business user's day in headless Chromium against a real ``bmc-hub serve`` with the
example modules: sign in, customers, subscriptions (a lock refuses an edit, an XLSX
import), the invoice scanner (a PDF), and an admin switching the scanner off and on.

API tokens are set, so every form post below is a cookie-authenticated write that the
hub lets through only because the browser sends its own Origin.
``BMC_HUB_UPDATE_SCREENSHOTS=1`` refreshes the user guide's screenshots.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright

from ..servers import Server, serving
from .chromium import CHROMIUM_ARGS, publish_screenshots
from .documents import XLSX_TYPE, invoice_pdf, subscriptions_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN_TOKEN = "journey-admin-token"
API_TOKEN = "journey-api-token"
VENDOR_CVR = "12345674"
OTHER_CVR = "29403473"
LOCK_REASON = "Unpaid invoice 2026-001"
SHOTS = [
    "home.png",
    "customers.png",
    "customer-form.png",
    "customer.png",
    "subscriptions.png",
    "subscription-locked.png",
    "import.png",
    "scan.png",
    "disabled.png",
    "phone.png",
]


@pytest.fixture
def server(chromium: Path, tmp_path: Path) -> Iterator[Server]:
    env = {
        "BMC_HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
        "BMC_HUB_MODULES": "hello,subscriptions,invoice_scanner",
        "BMC_HUB_ADMIN_TOKEN": ADMIN_TOKEN,
        "BMC_HUB_API_TOKENS": API_TOKEN,
        "BMC_HUB_STATE_POLL_SECONDS": "1",
        "MODULES__SUBSCRIPTIONS__READ_ONLY": "false",
        "MODULES__SUBSCRIPTIONS__DRY_RUN": "false",
        "MODULES__INVOICE_SCANNER__READ_ONLY": "false",
        "MODULES__INVOICE_SCANNER__DRY_RUN": "false",
    }
    with serving(tmp_path, env) as running:
        yield running


def nav(page: Page, module: str) -> Locator:
    return page.locator(f'.hub-nav a[data-module="{module}"]')


def admin_api(server: Server, name: str, action: str) -> None:
    answer = httpx.post(
        f"{server.base}/api/v1/modules/{name}/{action}",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        json={"reason": "vendor maintenance"},
    )
    assert answer.status_code == 200, answer.text


def test_a_business_day_in_the_hub(chromium: Path, server: Server, tmp_path: Path) -> None:
    base = server.base
    foreign: list[str] = []
    problems: list[str] = []

    def shot(page: Page, name: str) -> None:
        page.screenshot(path=str(tmp_path / name), full_page=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("request", lambda r: None if r.url.startswith(base) else foreign.append(r.url))
            page.on("pageerror", lambda e: problems.append(str(e)))

            # Home: the enabled modules are in the bar; Customers asks for a sign-in.
            page.goto(base + "/")
            for module in ("hello", "subscriptions", "invoice_scanner"):
                expect(nav(page, module)).to_have_count(1)
            page.click('.hub-nav a[href="/customers"]')
            expect(page).to_have_url(re.compile(r"/login\?next=%2Fcustomers$"))
            page.fill("#token", API_TOKEN)
            page.click("form[action='/login'] button[type=submit]")
            expect(page).to_have_url(base + "/customers")
            expect(page.locator("#hub-flash")).to_have_text("Signed in.")
            expect(page.locator("#hub-account")).to_contain_text("Signed in as API user")

            # Customers: create one, then see a duplicate CVR refused on the form.
            page.click("#new-customer")
            page.fill("#name", "Nordisk Kaffe ApS")
            page.fill("#cvr", VENDOR_CVR)
            page.fill("#email", "bogholderi@nordiskkaffe.dk")
            page.click("#customer-form button[type=submit]")
            expect(page).to_have_url(re.compile(r"/customers/\d+$"))
            expect(page.locator("#hub-flash")).to_have_text("Customer Nordisk Kaffe ApS created.")
            customer_id = int(page.url.rsplit("/", 1)[1])
            created = httpx.post(
                base + "/api/v1/customers",
                headers={"Authorization": f"Bearer {API_TOKEN}"},
                json={"name": "Bo Bager ApS", "cvr": OTHER_CVR},
            )
            assert created.status_code == 201, created.text

            page.goto(base + "/customers/new")
            page.fill("#name", "Nordisk Kaffe (dublet)")
            page.fill("#cvr", VENDOR_CVR)
            page.click("#customer-form button[type=submit]")
            expect(page.locator("#cvr-error")).to_contain_text(
                f"Another customer already has CVR {VENDOR_CVR}."
            )
            expect(page.locator("#duplicate-link")).to_have_text("See Nordisk Kaffe ApS")
            shot(page, "customer-form.png")

            page.goto(base + "/customers")
            page.fill("#q", "nordisk")
            page.click("#customer-search button")
            expect(page.locator("#customers tbody tr")).to_have_count(1)
            page.goto(base + "/customers")
            expect(page.locator("#customers tbody tr")).to_have_count(2)
            shot(page, "customers.png")

            # Subscriptions: create one for the customer, lock the customer.
            nav(page, "subscriptions").click()
            expect(page).to_have_url(base + "/subscriptions/")
            page.select_option("#customer_id", str(customer_id))
            page.fill("#product", "Kaffeabonnement")
            page.fill("#quantity", "2")
            page.fill("#unit_price", "1.250,00")
            page.select_option("#interval", "monthly")
            page.fill("#start_date", "2026-12-01")
            page.click("#create-form button[type=submit]")
            expect(page.locator("#notice")).to_have_text("Subscription created.")
            row = page.locator(f"#customer-{customer_id} tbody tr").first
            expect(row).to_contain_text("Kaffeabonnement")
            subscription = (row.get_attribute("id") or "").removeprefix("subscription-")

            page.fill(f"#reason-{customer_id}", LOCK_REASON)
            page.locator(f"#customer-{customer_id} form.subs-lock button").click()
            expect(page.locator("#notice")).to_have_text("Customer locked.")
            expect(page.locator(f"#lock-reason-{customer_id}")).to_contain_text(LOCK_REASON)
            shot(page, "subscriptions.png")

            # Editing a locked customer's subscription is refused, with the reason.
            page.goto(f"{base}/subscriptions/{subscription}/edit")
            expect(page.locator("#locked")).to_contain_text(LOCK_REASON)
            page.fill("#quantity", "3")
            page.click("#edit-form button[type=submit]")
            expect(page.locator("#errors")).to_contain_text(
                f"customer {customer_id} is locked: {LOCK_REASON}"
            )
            shot(page, "subscription-locked.png")

            # Import: one good row, one for the locked customer, one unknown CVR.
            page.goto(base + "/subscriptions/")
            page.click("#import-link")
            workbook = subscriptions_xlsx(
                [
                    [OTHER_CVR, "Brød", 5, "45,50", "DKK", "måned", "01-12-2026"],
                    [VENDOR_CVR, "Filtre", 1, "99,00", "", "kvartal", "01-12-2026"],
                    ["11111111", "Kopper", 2, "30,00", "DKK", "år", "01-12-2026"],
                ]
            )
            page.set_input_files(
                "#file",
                files=[{"name": "abonnementer.xlsx", "mimeType": XLSX_TYPE, "buffer": workbook}],
            )
            page.click("#import-form button[type=submit]")
            expect(page.locator("#report-created")).to_have_text("1")
            expect(page.locator("#report-errors")).to_have_text("2")
            expect(page.locator("#report-error-rows")).to_contain_text(LOCK_REASON)
            shot(page, "import.png")

            # Invoice scanner: a PDF from the customer's CVR, read and matched.
            nav(page, "invoice_scanner").click()
            page.set_input_files(
                "#file",
                files=[
                    {
                        "name": "faktura-2026-001.pdf",
                        "mimeType": "application/pdf",
                        "buffer": invoice_pdf(VENDOR_CVR),
                    }
                ],
            )
            page.click("#upload button[type=submit]")
            expect(page).to_have_url(re.compile(r"/invoice_scanner/scans/\d+$"))
            expect(page.locator("#field-vendor_cvr")).to_have_text(VENDOR_CVR)
            expect(page.locator("#field-total_amount")).to_have_text("1250.00")
            expect(page.locator("#customer a")).to_have_attribute(
                "href", f"/customers/{customer_id}"
            )
            shot(page, "scan.png")

            # The customer's page gathers what the modules know.
            page.click("#customer a")
            expect(page.locator("#panel-subscriptions")).to_contain_text(LOCK_REASON)
            expect(page.locator("#panel-subscriptions dd").first).to_have_text("1")
            expect(page.locator("#panel-invoice_scanner")).to_contain_text("faktura-2026-001.pdf")
            shot(page, "customer.png")

            # An admin switches the scanner off: gone from the bar, its page is a 404.
            admin_api(server, "invoice_scanner", "disable")
            page.reload()
            expect(nav(page, "invoice_scanner")).to_have_count(0)
            expect(page.locator("#panel-invoice_scanner")).to_have_count(0)
            answer = page.goto(base + "/invoice_scanner/")
            assert answer is not None and answer.status == 404
            expect(page.locator("#error-detail")).to_have_text(
                "module 'invoice_scanner' is disabled"
            )
            shot(page, "disabled.png")
            admin_api(server, "invoice_scanner", "enable")
            page.goto(base + "/")
            expect(nav(page, "invoice_scanner")).to_have_count(1)
            shot(page, "home.png")

            # On a phone the page never scrolls sideways; wide tables scroll on their own.
            page.set_viewport_size({"width": 375, "height": 740})
            for path in ("/", "/customers", "/subscriptions/", "/invoice_scanner/"):
                page.goto(base + path)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 375, f"{path} is {width}px wide on a 375px phone"
            page.goto(base + "/subscriptions/")
            shot(page, "phone.png")

            page.click(".hub-signout button")
            expect(page).to_have_url(base + "/login")
            expect(page.locator("#hub-flash")).to_have_text("Signed out.")
        finally:
            browser.close()

    assert foreign == [], "the hub's pages must work offline (no CDN, no web fonts)"
    assert problems == []
    publish_screenshots(tmp_path, SHOTS)
