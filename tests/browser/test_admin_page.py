"""The admin page in headless Chromium against a real server.

``BMC_HUB_UPDATE_SCREENSHOTS=1`` refreshes the admin guide's screenshot.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from ..servers import Server, serving
from .chromium import CHROMIUM_ARGS, publish_screenshots

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TOKEN = "browser-admin-token"


@pytest.fixture
def server(chromium: Path, tmp_path: Path) -> Iterator[Server]:
    env = {
        "BMC_HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
        "BMC_HUB_MODULES": "hello,ghost",
        "BMC_HUB_ADMIN_TOKEN": TOKEN,
        "BMC_HUB_STATE_POLL_SECONDS": "1",
    }
    with serving(tmp_path, env) as running:
        yield running


def test_admin_disables_a_module_from_the_page(
    chromium: Path, server: Server, tmp_path: Path
) -> None:
    base = server.base
    foreign: list[str] = []
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.on(
                "request",
                lambda r: None if r.url.startswith(base) else foreign.append(r.url),
            )
            page.on(
                "console",
                lambda m: problems.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: problems.append(str(e)))

            page.goto(base + "/admin")
            page.fill("#admin-token", "wrong")
            page.click("#admin-login button[type=submit]")
            expect(page.locator("#admin-message")).to_have_text("invalid admin token")
            problems.clear()  # the browser logs the refused request (401) itself

            page.fill("#admin-token", TOKEN)
            page.click("#admin-login button[type=submit]")
            row = page.locator("#module-hello")
            expect(row).to_have_attribute("data-state", "enabled")
            expect(row.locator(".module-health .badge")).to_have_text("ok")
            expect(row).to_contain_text("bmc-hub-hello")
            expect(row).to_contain_text("READ_ONLY")
            expect(row).to_contain_text("DRY_RUN")
            expect(page.locator("#module-ghost")).to_contain_text("not installed")
            assert httpx.get(base + "/api/v1/hello/").status_code == 200

            page.fill("#admin-reason", "maintenance window")
            row.locator("button[data-action=disable]").click()
            expect(row).to_have_attribute("data-state", "disabled")
            expect(row.locator(".module-state")).to_contain_text("maintenance window")
            expect(row.locator(".module-health .badge")).to_have_text("disabled")
            expect(row.locator("button[data-action=enable]")).to_be_visible()
            assert httpx.get(base + "/api/v1/hello/").status_code == 404
            assert httpx.get(base + "/hello/").status_code == 404

            # The token was typed once: a reload shows the modules straight away.
            page.reload()
            expect(page.locator("#module-hello")).to_have_attribute("data-state", "disabled")
            expect(page.locator("#admin-login")).to_be_hidden()
            page.screenshot(path=str(tmp_path / "admin.png"), full_page=True)

            page.locator("#module-hello button[data-action=enable]").click()
            expect(page.locator("#module-hello")).to_have_attribute("data-state", "enabled")
            assert httpx.get(base + "/api/v1/hello/").status_code == 200

            page.click("#admin-forget")
            expect(page.locator("#admin-login")).to_be_visible()
            assert page.evaluate("sessionStorage.length") == 0
        finally:
            browser.close()

    assert foreign == [], "the admin page must work offline (no CDN)"
    assert problems == []
    publish_screenshots(tmp_path, ["admin.png"])


def test_admin_runs_a_job_and_retries_its_failed_run_from_the_page(
    chromium: Path, tmp_path: Path
) -> None:
    env = {
        "BMC_HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
        "BMC_HUB_MODULES": "cvr",
        "BMC_HUB_ADMIN_TOKEN": TOKEN,
        "BMC_HUB_STATE_POLL_SECONDS": "1",
        # READ_ONLY (the default) makes the cvr jobs refuse to run: a failed run to retry.
    }
    problems: list[str] = []
    with (
        serving(tmp_path, env, args=("--with-worker",)) as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(server.base + "/admin")
            page.fill("#admin-token", TOKEN)
            page.click("#admin-login button[type=submit]")

            job = page.locator("#job-cvr-fill_customers")
            expect(job).to_contain_text("cron 0 3 * * * (UTC)")
            expect(job).to_contain_text("never")
            expect(page.locator("#job-cvr-refresh")).to_be_visible()
            job.locator("button", has_text="Run now").click()
            expect(page.locator("#admin-message")).to_have_text(
                re.compile(r"Queued run \d+ of cvr.fill_customers\.")
            )
            run = page.locator("#admin-runs tbody tr").first
            expect(run).to_contain_text("cvr.fill_customers")
            expect(run).to_contain_text("manual")

            # The worker next to the server runs it: refused, READ_ONLY, no retry.
            failed = page.locator("#admin-runs tbody tr[data-state=failed]")
            deadline = time.monotonic() + 30
            while failed.count() == 0:
                assert time.monotonic() < deadline, server.output()
                time.sleep(0.5)
                page.click("#admin-refresh")
                page.wait_for_load_state("networkidle")
            expect(failed.first).to_contain_text("module 'cvr' is read-only")
            expect(failed.first).to_contain_text("1 of 3")
            expect(job).to_contain_text("failed")  # its last run

            failed.first.locator("button", has_text="Retry").click()
            expect(page.locator("#admin-message")).to_have_text(
                re.compile(r"Queued run \d+, a retry of run \d+\.")
            )
            expect(page.locator("#admin-runs tbody tr").first).to_contain_text("retry")
            top = page.locator("#jobs-heading").bounding_box()
            bottom = page.locator("#admin-runs").bounding_box()
            assert top and bottom
            page.screenshot(
                path=str(tmp_path / "admin-jobs.png"),
                full_page=True,
                clip={
                    "x": 0,
                    "y": top["y"] - 16,
                    "width": 1280,
                    "height": bottom["y"] + bottom["height"] - top["y"] + 32,
                },
            )
        finally:
            browser.close()
    assert problems == []
    publish_screenshots(tmp_path, ["admin-jobs.png"])
