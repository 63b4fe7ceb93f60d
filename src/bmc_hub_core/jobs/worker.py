"""``bmc-hub worker``: runs the jobs of allowed, enabled modules.

One loop, no threads: every round it follows the admin toggles, claims the schedule
ticks that are due (once across every worker and replica), starts due runs in processes
of their own up to ``--concurrency`` (:mod:`.child`), and collects finished ones:
succeeded, failed (with the error; queued again with backoff while retries are left),
or stopped at their ``timeout``. A disabled module's queued runs wait and its ticks are
recorded as ``skipped``; a failed module's schedules pause until it is fixed.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from sqlalchemy.exc import SQLAlchemyError

from ..db import utcnow
from ..hub import Hub
from ..registry import ModuleRecord
from ..state import apply_rows, read_rows
from ..types import ModuleState
from . import queue
from .catalog import declared
from .child import RunEnd, received_end, start_child, stop_at_timeout
from .declare import Job, next_time

log = logging.getLogger(__name__)

#: A run is reaped when it has been "running" this long past its job's timeout.
REAP_GRACE = dt.timedelta(seconds=60)
MAX_BACKOFF = 3600.0
#: The longest the loop waits before trying a failing database again (seconds).
MAX_RETRY_WAIT = 30.0


@dataclass
class Active:
    run: queue.ClaimedRun
    job: Job
    process: BaseProcess
    pipe: Connection
    started: float


class Worker:
    """Runs jobs until ``stop()`` returns True."""

    def __init__(self, hub: Hub, concurrency: int = 2, *, tick: float = 0.2) -> None:
        self.hub = hub
        self.engine = hub.engine
        self.concurrency = concurrency
        self.tick = tick
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.active: dict[int, Active] = {}
        self._states_read = 0.0
        self._cleaned = 0.0
        self._reaped = time.monotonic()
        #: The schedule table as last read (:meth:`_schedules`), and when.
        self._due: dict[str, dt.datetime] = {}
        self._due_read = float("-inf")

    # --- what there is to run --------------------------------------------------------

    def jobs(self) -> dict[str, tuple[ModuleRecord, Job]]:
        """``NAME.job`` → (the module, the job) for every loaded module."""
        return declared(self.hub)

    def enabled(self) -> list[str]:
        return [
            r.name
            for r in self.hub.registry.loaded()
            if r.state is ModuleState.ENABLED and self.hub.registry.blocking_dependency(r) is None
        ]

    # --- the loop --------------------------------------------------------------------

    def run(self, stop: Callable[[], bool]) -> None:
        log.info("worker %s runs jobs of: %s", self.name, ", ".join(sorted(self.jobs())) or "none")
        self._start_schedules()
        self.reap()
        failures = 0
        while not stop():
            try:
                self.round()
            # The database went away (a restart, a failover): the runs in flight go on in
            # their processes; the loop tries again, waiting longer each time.
            except SQLAlchemyError as exc:
                failures += 1
                wait = min(self.tick * 2**failures, MAX_RETRY_WAIT)
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                log.warning(
                    "worker %s: the database failed (%s); trying again in %.1f s",
                    self.name,
                    reason,
                    wait,
                )
                time.sleep(wait)
                continue
            failures = 0
            time.sleep(self.tick)
        for active in list(self.active.values()):
            active.process.join(active.job.timeout)
            self._collect(active)

    def round(self) -> None:
        """One pass: toggles, schedule ticks, finished runs, new runs."""
        now = time.monotonic()
        if now - self._states_read >= self.hub.settings.state_poll_seconds:
            apply_rows(self.hub.registry, read_rows(self.engine))
            self._states_read = now
        if now - self._cleaned >= 3600:
            self._cleanup()
            self._cleaned = now
        if now - self._reaped >= 60:
            self.reap()  # another worker or replica may have died
            self._reaped = now
        self.tick_schedules()
        for active in list(self.active.values()):
            self._check(active)
        while len(self.active) < self.concurrency:
            run = queue.claim(self.engine, self._runnable(), self.name)
            if run is None:
                break
            self._start(run)

    def _runnable(self) -> list[str]:
        known = {record.name for record, _job in self.jobs().values()}
        return [name for name in self.enabled() if name in known]

    # --- schedules -------------------------------------------------------------------

    def _start_schedules(self) -> None:
        now = utcnow()
        for name, (_record, job) in self.jobs().items():
            first = next_time(job, now)
            if first is not None:
                queue.set_schedule(self.engine, name, first)

    def _schedules(self, now: dt.datetime) -> dict[str, dt.datetime]:
        """The schedule table, read again only when a time read last is due, or once a
        state poll interval has passed (another worker's start may have set a time)."""
        read_long_ago = time.monotonic() - self._due_read >= self.hub.settings.state_poll_seconds
        if read_long_ago or any(at <= now for at in self._due.values()):
            self._due = queue.schedules(self.engine)
            self._due_read = time.monotonic()
        return self._due

    def tick_schedules(self) -> None:
        now = utcnow()
        due = self._schedules(now)
        enabled = set(self.enabled())
        for name, (record, job) in self.jobs().items():
            at = due.get(name)
            if at is None or at > now or record.state is ModuleState.FAILED:
                continue  # a failed module's schedules pause
            following = next_time(job, max(now, at))
            assert following is not None
            if not queue.claim_tick(self.engine, name, at, following):
                continue  # another worker runs this tick (the next round reads its time)
            due[name] = following
            runs = record.name in enabled
            if not runs:
                log.info("job %s: skipped its %s run, the module is disabled", name, at.isoformat())
            queue.enqueue(
                self.engine,
                record.name,
                job.name,
                {},
                max_attempts=job.attempts,
                trigger="schedule",
                scheduled_for=at,
                state="queued" if runs else "skipped",
                error=None if runs else "the module was disabled when it was due",
            )

    # --- runs ------------------------------------------------------------------------

    def _start(self, run: queue.ClaimedRun) -> None:
        record, job = self.jobs()[f"{run.module}.{run.job}"]
        assert record.context is not None
        process, receiving = start_child(record.context, job, run.kwargs)
        log.info("job %s.%s: run %d started (attempt %d)", run.module, run.job, run.id, run.attempt)
        self.active[run.id] = Active(run, job, process, receiving, time.monotonic())

    def _check(self, active: Active) -> None:
        if active.process.is_alive():
            if time.monotonic() - active.started > active.job.timeout:
                self._record(active, stop_at_timeout(active.process, active.job))
            return
        self._collect(active)

    def _collect(self, active: Active) -> None:
        self._record(active, received_end(active.process, active.pipe))

    def _record(self, active: Active, end: RunEnd) -> None:
        self.active.pop(active.run.id, None)
        active.pipe.close()
        run = active.run
        error = end.error
        duration = int((time.monotonic() - active.started) * 1000)
        retry_at = None
        if error is not None and not end.final and run.attempt < run.max_attempts:
            delay = end.retry_after
            if delay is None:
                delay = min(active.job.backoff * 2 ** (run.attempt - 1), MAX_BACKOFF)
            retry_at = utcnow() + dt.timedelta(seconds=delay)
        state = queue.finish(
            self.engine, run.id, error=error, duration_ms=duration, retry_at=retry_at
        )
        level = logging.INFO if error is None else logging.ERROR
        log.log(
            level,
            "job %s.%s: run %d %s in %d ms%s",
            run.module,
            run.job,
            run.id,
            "queued again" if state == "queued" else state,
            duration,
            f": {error}" if error else "",
        )

    def reap(self) -> None:
        """Runs a dead worker left running (past their job's timeout and a grace)."""
        longest = max((job.timeout for _r, job in self.jobs().values()), default=300.0)
        reaped = queue.reap(self.engine, utcnow() - dt.timedelta(seconds=longest) - REAP_GRACE)
        if reaped:
            log.warning(
                "found %d run(s) whose worker stopped while they ran: %s", len(reaped), reaped
            )

    def _cleanup(self) -> None:
        days = self.hub.settings.job_history_days
        removed = queue.cleanup(self.engine, utcnow() - dt.timedelta(days=days))
        if removed:
            log.info("forgot %d job run(s) older than %g days", removed, days)
