"""What the CLI and the admin API show about jobs: declared jobs with their schedule,
next and last run, and recent runs."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from ..db import hub_job_runs
from ..errors import UsageError
from ..hub import Hub
from ..registry import ModuleRecord
from . import queue
from .declare import Job


class RunNotRetryable(UsageError):
    """A retry was asked for a run that is queued, running or succeeded."""


def declared(hub: Hub) -> dict[str, tuple[ModuleRecord, Job]]:
    """``NAME.job`` → (the module's record, the job) for every loaded module."""
    return {
        f"{record.name}.{job.name}": (record, job)
        for record in hub.registry.loaded()
        for job in record.jobs
    }


def find(hub: Hub, name: str) -> tuple[ModuleRecord, Job]:
    jobs = declared(hub)
    found = jobs.get(name)
    if found is None:
        known = ", ".join(sorted(jobs)) or "none"
        raise UsageError(f"no job named {name!r} (jobs: {known}); names are MODULE.job")
    return found


def _last_runs(hub: Hub) -> dict[str, dict[str, Any]]:
    newest = (
        sa.select(sa.func.max(hub_job_runs.c.id))
        .where(hub_job_runs.c.state != "queued")
        .group_by(hub_job_runs.c.module, hub_job_runs.c.job)
    )
    with hub.engine.connect() as conn:
        rows = conn.execute(sa.select(hub_job_runs).where(hub_job_runs.c.id.in_(newest))).all()
    return {f"{r.module}.{r.job}": queue.as_json(r._mapping) for r in rows}


def describe(hub: Hub) -> list[dict[str, Any]]:
    """Every declared job: module, schedule, module state, next run, last run."""
    try:
        schedules = queue.schedules(hub.engine)
        last = _last_runs(hub)
    except SQLAlchemyError:  # the job tables are not there yet (run `bmc-hub db upgrade`)
        schedules, last = {}, {}
    described = []
    for name, (record, job) in sorted(declared(hub).items()):
        nxt = schedules.get(name)
        described.append(
            {
                "name": name,
                "module": record.name,
                "job": job.name,
                "description": job.description,
                "schedule": job.schedule_text(),
                "retries": job.retries,
                "timeout": job.timeout,
                "module_state": record.state.value,
                "next_run_at": nxt.isoformat() if nxt and job.scheduled else None,
                "last_run": last.get(name),
            }
        )
    return described


def run_now(
    hub: Hub, name: str, kwargs: dict[str, Any] | None = None, trigger: str = "manual"
) -> int:
    """Queue a run of ``name`` now (the admin's "Run now", ``bmc-hub jobs run``)."""
    record, job = find(hub, name)
    return queue.enqueue(
        hub.engine, record.name, job.name, kwargs or {}, max_attempts=job.attempts, trigger=trigger
    )


def retry(hub: Hub, run_id: int) -> int:
    """Queue a new run with the arguments of a failed (or skipped) run; its id."""
    run = queue.get(hub.engine, run_id)
    if run is None:
        raise UsageError(f"no job run {run_id}; `bmc-hub jobs runs --failed` lists them")
    if run["state"] not in ("failed", "skipped"):
        raise RunNotRetryable(
            f"run {run_id} is {run['state']}; only failed or skipped runs are retried"
        )
    return run_now(hub, run["name"], run["kwargs"], trigger="retry")
