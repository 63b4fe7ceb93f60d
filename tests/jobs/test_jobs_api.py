"""The admin API for jobs and the /api/v1/jobs contract."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bmc_hub_core import Job

from ..fakes import fake_module


def noop(module: Any) -> None:
    """Nothing."""


def _jobs() -> list[Job]:
    return [
        Job("nightly", run=noop, cron="0 3 * * *", description="fills in company data"),
        Job("poll", run=noop, every=dt.timedelta(seconds=30), retries=2),
    ]


def test_admins_see_declared_jobs_and_queue_a_run(hub_admin_client: Any) -> None:
    client = hub_admin_client(modules={"cvrish": fake_module("cvrish", register_jobs=_jobs)})
    listing = client.get("/api/v1/jobs").json()
    jobs = {j["name"]: j for j in listing["jobs"]}
    assert jobs["cvrish.nightly"]["schedule"] == "cron 0 3 * * * (UTC)"
    assert jobs["cvrish.nightly"]["description"] == "fills in company data"
    assert jobs["cvrish.poll"]["retries"] == 2 and jobs["cvrish.poll"]["last_run"] is None
    queued = client.post("/api/v1/jobs/cvrish.nightly/run")
    assert queued.status_code == 201 and queued.json()["state"] == "queued"
    runs = client.get("/api/v1/jobs").json()["runs"]
    assert runs[0]["name"] == "cvrish.nightly" and runs[0]["trigger"] == "manual"
    unknown = client.post("/api/v1/jobs/cvrish.nope/run")
    assert unknown.status_code == 404 and "names are MODULE.job" in unknown.json()["detail"]


def test_jobs_need_the_admin_token(hub_client: Any) -> None:
    client = hub_client(modules={"cvrish": fake_module("cvrish", register_jobs=_jobs)})
    assert client.get("/api/v1/jobs").status_code == 401
    assert client.post("/api/v1/jobs/cvrish.nightly/run").status_code == 401


def test_admins_retry_a_failed_run_with_its_arguments(hub_admin_client: Any) -> None:
    from bmc_hub_core.jobs import queue

    client = hub_admin_client(modules={"cvrish": fake_module("cvrish", register_jobs=_jobs)})
    engine = client.app.state.hub.engine
    run = queue.enqueue(
        engine, "cvrish", "nightly", {"cvr": "12345674"}, max_attempts=1, trigger="manual"
    )
    # Queued, not failed: nothing to retry yet.
    early = client.post(f"/api/v1/jobs/runs/{run}/retry")
    assert early.status_code == 409 and "only failed or skipped runs" in early.json()["detail"]
    queue.finish(engine, run, error="RuntimeError: the registry did not answer", duration_ms=5)
    retried = client.post(f"/api/v1/jobs/runs/{run}/retry")
    assert retried.status_code == 201, retried.text
    assert retried.json()["retry_of"] == run and retried.json()["state"] == "queued"
    newest = client.get("/api/v1/jobs").json()["runs"][0]
    assert newest["id"] == retried.json()["id"] and newest["trigger"] == "retry"
    assert newest["kwargs"] == {"cvr": "12345674"}
    missing = client.post("/api/v1/jobs/runs/999999/retry")
    assert missing.status_code == 404 and "no job run 999999" in missing.json()["detail"]
    assert client.post("/api/v1/jobs/runs/0/retry").status_code == 422
