"""The job queue: rows of ``hub_job_runs`` in the hub's own database.

No broker to run: a run is a row; a worker claims the oldest due one with a single
``UPDATE ... RETURNING`` (on PostgreSQL its sub-select takes the row ``FOR UPDATE SKIP
LOCKED``, so workers never wait for or take the same run; SQLite serialises writers).
Queued runs survive restarts; a run whose worker died is found by :func:`reap`.
Scheduled ticks are claimed by moving ``hub_job_schedules.next_run_at`` forward with a
compare-and-set, so one tick runs once across every worker and replica.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..db import hub_job_runs, hub_job_schedules, utcnow
from ..errors import UsageError
from ..fields import as_utc

RUNS = hub_job_runs


class JobArgumentsError(UsageError):
    """The kwargs of an enqueued job cannot be stored as JSON."""


@dataclass(frozen=True)
class ClaimedRun:
    id: int
    module: str
    job: str
    kwargs: dict[str, Any]
    attempt: int
    max_attempts: int


def dump_kwargs(job: str, kwargs: dict[str, Any]) -> str:
    try:
        return json.dumps(kwargs, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise JobArgumentsError(
            f"the arguments of job {job} must be JSON (strings, numbers, booleans, None, "
            f"lists and dicts of them): {exc}; pass ids or ISO dates instead of objects"
        ) from None


def enqueue(
    engine: Engine,
    module: str,
    job: str,
    kwargs: dict[str, Any],
    *,
    max_attempts: int,
    trigger: str,
    state: str = "queued",
    run_after: dt.datetime | None = None,
    scheduled_for: dt.datetime | None = None,
    error: str | None = None,
) -> int:
    """Add a run; its id."""
    now = utcnow()
    values = {
        "module": module,
        "job": job,
        "state": state,
        "trigger": trigger,
        "kwargs": dump_kwargs(f"{module}.{job}", kwargs),
        "attempt": 0,
        "max_attempts": max_attempts,
        "run_after": run_after or now,
        "scheduled_for": scheduled_for,
        "created_at": now,
        "error": error,
    }
    if state != "queued":
        values.update(finished_at=now)
    with engine.begin() as conn:
        return int(conn.execute(sa.insert(RUNS).values(**values).returning(RUNS.c.id)).scalar_one())


def claim(engine: Engine, modules: list[str], worker: str) -> ClaimedRun | None:
    """Take the oldest due queued run of ``modules`` (enabled ones) for ``worker``."""
    if not modules:
        return None
    now = utcnow()
    oldest = (
        sa.select(RUNS.c.id)
        .where(RUNS.c.state == "queued", RUNS.c.run_after <= now, RUNS.c.module.in_(modules))
        .order_by(RUNS.c.run_after, RUNS.c.id)
        .limit(1)
    )
    if engine.dialect.name == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    update = (
        sa.update(RUNS)
        .where(RUNS.c.id == oldest.scalar_subquery(), RUNS.c.state == "queued")
        .values(state="running", started_at=now, worker=worker, attempt=RUNS.c.attempt + 1)
        .returning(
            RUNS.c.id, RUNS.c.module, RUNS.c.job, RUNS.c.kwargs, RUNS.c.attempt, RUNS.c.max_attempts
        )
    )
    with engine.begin() as conn:
        row = conn.execute(update).first()
    if row is None:
        return None
    return ClaimedRun(
        row.id, row.module, row.job, json.loads(row.kwargs), row.attempt, row.max_attempts
    )


def finish(
    engine: Engine,
    run_id: int,
    *,
    error: str | None,
    duration_ms: int,
    retry_at: dt.datetime | None = None,
) -> str:
    """Record how a run ended; with ``retry_at`` it is queued again. The new state."""
    now = utcnow()
    if error is None:
        values: dict[str, Any] = {"state": "succeeded", "error": None}
    elif retry_at is not None:
        values = {"state": "queued", "error": error, "run_after": retry_at}
    else:
        values = {"state": "failed", "error": error}
    values.update(finished_at=now, duration_ms=duration_ms)
    with engine.begin() as conn:
        conn.execute(sa.update(RUNS).where(RUNS.c.id == run_id).values(**values))
    return str(values["state"])


def reap(engine: Engine, started_before: dt.datetime) -> list[int]:
    """Runs left ``running`` by a worker that died: failed with a note (requeued while
    attempts are left). The ids."""
    query = sa.select(RUNS.c.id, RUNS.c.attempt, RUNS.c.max_attempts).where(
        RUNS.c.state == "running", RUNS.c.started_at < started_before
    )
    with engine.begin() as conn:
        rows = conn.execute(query).all()
        for row in rows:
            left = row.attempt < row.max_attempts
            conn.execute(
                sa.update(RUNS)
                .where(RUNS.c.id == row.id, RUNS.c.state == "running")
                .values(
                    state="queued" if left else "failed",
                    error="its worker stopped while it ran (killed or lost); "
                    + ("queued again" if left else "no attempts left"),
                    finished_at=utcnow(),
                )
            )
    return [row.id for row in rows]


def claim_tick(engine: Engine, name: str, due: dt.datetime, following: dt.datetime) -> bool:
    """Move ``name``'s schedule from ``due`` to ``following``: True for the one worker
    that did it (it runs the tick), False for every other."""
    with engine.begin() as conn:
        moved = conn.execute(
            sa.update(hub_job_schedules)
            .where(hub_job_schedules.c.name == name, hub_job_schedules.c.next_run_at == due)
            .values(next_run_at=following)
        ).rowcount
    return bool(moved)


def schedules(engine: Engine) -> dict[str, dt.datetime]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(hub_job_schedules)).all()
    return {row.name: as_utc(row.next_run_at) for row in rows}


def set_schedule(engine: Engine, name: str, next_run_at: dt.datetime) -> None:
    """First sight of a scheduled job: when it is next due (another worker may have set
    it at the same moment; the first one stays)."""
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(hub_job_schedules).values(name=name, next_run_at=next_run_at))
    except sa.exc.IntegrityError:
        pass


def cleanup(engine: Engine, finished_before: dt.datetime) -> int:
    """Forget finished runs older than the history to keep (``BMC_HUB_JOB_HISTORY_DAYS``)."""
    with engine.begin() as conn:
        return int(
            conn.execute(
                sa.delete(RUNS).where(
                    RUNS.c.state.in_(("succeeded", "failed", "skipped")),
                    RUNS.c.finished_at < finished_before,
                )
            ).rowcount
        )


def runs(
    engine: Engine,
    *,
    module: str | None = None,
    failed: bool = False,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The newest runs, as JSON-ready dicts."""
    query = sa.select(RUNS).order_by(RUNS.c.id.desc()).limit(limit)
    if module is not None:
        query = query.where(RUNS.c.module == module)
    if failed:
        query = query.where(RUNS.c.state == "failed")
    with engine.connect() as conn:
        return [as_json(row._mapping) for row in conn.execute(query)]


def get(engine: Engine, run_id: int) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(RUNS).where(RUNS.c.id == run_id)).first()
    return as_json(row._mapping) if row is not None else None


def as_json(row: Any) -> dict[str, Any]:
    data = dict(row)
    data["name"] = f"{data['module']}.{data['job']}"
    data["kwargs"] = json.loads(data["kwargs"])
    for key in ("run_after", "scheduled_for", "created_at", "started_at", "finished_at"):
        if data[key] is not None:
            data[key] = as_utc(data[key]).isoformat()
    return data
