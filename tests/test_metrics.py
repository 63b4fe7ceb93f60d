"""GET /metrics: per-module requests, states, hook calls and module metrics; across workers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from pydantic import SecretStr

from bmc_hub_core import ModuleContext
from bmc_hub_core.testing import ADMIN_TOKEN

from .fakes import fake_module
from .servers import serving

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def counting_routes(module: ModuleContext) -> APIRouter:
    imports = module.metrics.counter("imports", "Files imported", ["outcome"])
    router = APIRouter()

    @router.get("/ping")
    def ping() -> str:
        imports.labels("ok").inc()
        return "pong"

    return router


def sick() -> bool:
    raise RuntimeError("down")


def value(text: str, sample: str) -> float:
    """The value of one sample line (``name{labels}``) in Prometheus text."""
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{sample} not in:\n{text}")


def _client(hub_client: Any, **overrides: Any) -> Any:
    return hub_client(
        modules={"counted": fake_module("counted", register_routes=counting_routes, health=sick)},
        **overrides,
    )


def test_metrics_count_each_modules_requests_states_hooks_and_own_metrics(
    hub_client: Any,
) -> None:
    client = _client(hub_client, headers=ADMIN)
    for _ in range(3):
        assert client.get("/api/v1/counted/ping").status_code == 200
    assert client.get("/api/v1/counted/nothing-here").status_code == 404
    client.get("/api/v1/health")
    assert client.post("/api/v1/modules/counted/disable").status_code == 200
    assert client.get("/api/v1/counted/ping").status_code == 404  # the gate's answer
    text = client.get("/metrics").text
    counted = 'module="counted"'
    assert value(text, f'bmc_hub_requests_total{{method="GET",{counted},status="2xx"}}') == 3
    assert value(text, f'bmc_hub_requests_total{{method="GET",{counted},status="4xx"}}') == 2
    assert value(text, f"bmc_hub_request_duration_seconds_count{{{counted}}}") == 5
    assert value(text, f'bmc_hub_module_state{{{counted},state="disabled"}}') == 1
    assert value(text, f'bmc_hub_module_state{{{counted},state="enabled"}}') == 0
    assert (
        value(text, f'bmc_hub_hook_calls_total{{hook="register_routes",{counted},outcome="ok"}}')
        == 1
    )
    assert value(text, f'bmc_hub_hook_calls_total{{hook="health",{counted},outcome="error"}}') >= 1
    assert value(text, 'bmc_hub_module_counted_imports_total{outcome="ok"}') == 3
    # Core routes are not module requests.
    assert 'module="customers"' not in text


def test_metrics_need_the_admin_or_the_metrics_token(hub_client: Any) -> None:
    client = _client(hub_client, metrics_token=SecretStr("scraper"), api_tokens=SecretStr("api"))
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer api"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer scraper"}).status_code == 200
    assert client.get("/metrics", headers=ADMIN).status_code == 200
    # A signed-in browser: an admin's session opens it, an API token holder's does not.
    for token, status in (("api", 401), (ADMIN_TOKEN, 200)):
        browser = _client(hub_client, api_tokens=SecretStr("api"))
        signed_in = browser.post("/login", data={"token": token, "next": "/"})
        assert signed_in.status_code == 200
        assert browser.get("/metrics").status_code == status, token
    off = _client(hub_client, admin_token=None)
    refused = off.get("/metrics")
    assert refused.status_code == 403 and "BMC_HUB_METRICS_TOKEN" in refused.json()["detail"]


@pytest.mark.slow
def test_metrics_add_up_every_worker(tmp_path: Path, hub_database_url: str) -> None:
    env = {
        "BMC_HUB_DATABASE_URL": hub_database_url,
        "BMC_HUB_MODULES": "hello",
        "BMC_HUB_METRICS_TOKEN": "scraper",
    }
    sample = 'bmc_hub_requests_total{method="GET",module="hello",status="2xx"}'
    scraper = {"Authorization": "Bearer scraper"}
    with serving(tmp_path, env, workers=2) as server:
        # A new connection each time: the kernel spreads them over both workers.
        for _ in range(40):
            assert httpx.get(server.base + "/api/v1/hello/").status_code == 200
        for _ in range(10):  # whichever worker answers the scrape sees all 40
            scraped = httpx.get(server.base + "/metrics", headers=scraper).text
            assert value(scraped, sample) == 40


def test_metrics_count_job_runs_by_module_job_and_state(hub_client: Any) -> None:
    from bmc_hub_core import Job

    def register_jobs() -> list[Job]:
        return [Job("sync", run=lambda module: None)]

    client = hub_client(
        modules={"jobbed": fake_module("jobbed", register_jobs=register_jobs)}, headers=ADMIN
    )
    context = client.app.state.hub.registry.get("jobbed").context
    context.jobs.enqueue("sync")
    context.jobs.enqueue("sync")
    text = client.get("/metrics").text
    assert value(text, 'bmc_hub_job_runs{job="sync",module="jobbed",state="queued"}') == 2


def test_metrics_without_the_job_tables_still_answer_and_say_why_in_the_log(
    hub_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = _client(hub_client, headers=ADMIN)
    with client.app.state.hub.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE hub_job_runs RENAME TO hub_job_runs_away")
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert "bmc_hub_requests_total" in answer.text and "bmc_hub_job_runs{" not in answer.text
    assert any("job run counts left out" in r.getMessage() for r in caplog.records)
