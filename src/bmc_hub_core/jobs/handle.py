"""``module.jobs``: how a module enqueues its own jobs from its routes and hooks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import Engine

from ..db import utcnow
from ..errors import UsageError
from . import queue
from .declare import Job


class UnknownJobError(UsageError):
    """A module enqueued a job it does not declare."""


class ModuleJobs:
    """``module.jobs.enqueue("sync", customer_id=5)`` queues a run of ``NAME.sync``."""

    def __init__(self, module: str, engine: Engine, declared: dict[str, Job]) -> None:
        self.module = module
        self.engine = engine
        self.declared = declared

    def enqueue(self, job: str, *, delay: dt.timedelta | None = None, **kwargs: Any) -> int:
        """Queue a run now (or after ``delay``); the run's id. ``kwargs`` must be JSON
        (ids, strings, numbers, ISO dates), or :class:`JobArgumentsError` is raised.

        The queued run is written through the hub's engine: it is kept even when the
        module is in DRY_RUN (the run then keeps nothing of its own)."""
        declared = self.declared.get(job)
        if declared is None:
            known = ", ".join(sorted(self.declared)) or "none"
            raise UnknownJobError(
                f"module '{self.module}' has no job {job!r} (its jobs: {known}); declare it "
                "in register_jobs"
            )
        run_after = utcnow() + delay if delay is not None else None
        return queue.enqueue(
            self.engine,
            self.module,
            job,
            kwargs,
            max_attempts=declared.attempts,
            trigger="module",
            run_after=run_after,
        )
