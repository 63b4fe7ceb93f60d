"""``Job``: what a module declares in ``register_jobs``, checked before anything runs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import HookReturnError

JOB_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
#: Scheduled jobs run at most once a second.
MIN_EVERY = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Job:
    """A job of a module: ``run(module, **kwargs)`` (``def`` or ``async def``).

    - ``cron="0 3 * * *"`` (UTC) or ``every=timedelta(seconds=30)`` schedules it; with
      neither it runs only when enqueued (``module.jobs.enqueue("name", ...)``, the admin
      page's "Run now", ``bmc-hub jobs run NAME.job``).
    - ``retries``: how many more times a run that raised or timed out is tried, with
      backoff (``backoff`` seconds, doubling each time, at most an hour).
    - ``timeout``: a run taking longer is stopped (its process is killed) and recorded.
    """

    name: str
    run: Callable[..., Any]
    cron: str | None = None
    every: dt.timedelta | None = None
    retries: int = 0
    timeout: float = 300.0
    backoff: float = 10.0
    description: str = ""

    @property
    def attempts(self) -> int:
        """How many times one run may be tried: the first attempt and its retries."""
        return self.retries + 1

    @property
    def scheduled(self) -> bool:
        return self.cron is not None or self.every is not None

    def schedule_text(self) -> str:
        if self.cron is not None:
            return f"cron {self.cron} (UTC)"
        if self.every is not None:
            return f"every {self.every.total_seconds():g}s"
        return "on demand"


def check_jobs(value: object) -> list[Job]:
    """What ``register_jobs`` returned, checked; raises :class:`HookReturnError`."""
    if value is None:
        return []
    items = [value] if isinstance(value, Job) else value
    if not isinstance(items, list | tuple) or not all(isinstance(j, Job) for j in items):
        raise HookReturnError(
            "register_jobs must return a list of bmc_hub_core.Job (or one, or None); "
            f"got {type(value).__name__}"
        )
    seen: set[str] = set()
    for job in items:
        _check(job)
        if job.name in seen:
            raise HookReturnError(f"job {job.name!r} is declared twice; give each job its own name")
        seen.add(job.name)
    return list(items)


def _check(job: Job) -> None:
    where = f"job {job.name!r}"
    if not JOB_NAME.match(job.name):
        raise HookReturnError(
            f"{where}: a job name is lower-case letters, digits and '_' (e.g. 'nightly_sync')"
        )
    if not callable(job.run):
        raise HookReturnError(f"{where}: run must be a function run(module, **kwargs)")
    if job.cron is not None and job.every is not None:
        raise HookReturnError(f"{where}: give cron= or every=, not both")
    if job.cron is not None:
        from croniter import croniter

        if not croniter.is_valid(job.cron):
            raise HookReturnError(f"{where}: cron {job.cron!r} is not a cron expression")
    if job.every is not None and (not isinstance(job.every, dt.timedelta) or job.every < MIN_EVERY):
        raise HookReturnError(f"{where}: every= must be a timedelta of at least 1 second")
    if not 0 <= job.retries <= 20:
        raise HookReturnError(f"{where}: retries must be between 0 and 20")
    if not 0 < job.timeout <= 24 * 3600:
        raise HookReturnError(f"{where}: timeout must be more than 0 and at most a day")
    if job.backoff < 0:
        raise HookReturnError(f"{where}: backoff must not be negative")


def next_time(job: Job, after: dt.datetime) -> dt.datetime | None:
    """When a scheduled job is next due after ``after`` (UTC); None if unscheduled."""
    if job.cron is not None:
        from croniter import croniter

        nxt: dt.datetime = croniter(job.cron, after).get_next(dt.datetime)
        return nxt
    if job.every is not None:
        return after + job.every
    return None
