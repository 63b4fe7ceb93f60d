"""The job queue's bookkeeping that no worker process is needed to see: runs a dead
worker left ``running`` are reaped, old finished runs are cleaned up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bmc_hub_core.db import make_engine, utcnow
from bmc_hub_core.jobs import queue
from bmc_hub_core.migrations.core import upgrade_core


@pytest.fixture
def engine(hub_database_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(hub_database_url)
    upgrade_core(engine)
    yield engine
    engine.dispose()


def claimed(engine: sa.Engine, job: str, max_attempts: int) -> int:
    run_id = queue.enqueue(engine, "ledger", job, {}, max_attempts=max_attempts, trigger="manual")
    run = queue.claim(engine, ["ledger"], "a-worker-that-dies")
    assert run is not None and run.id == run_id
    return run_id


def test_runs_a_dead_worker_left_running_are_queued_again_or_failed(engine: sa.Engine) -> None:
    again = claimed(engine, "again", max_attempts=2)
    last = claimed(engine, "last", max_attempts=1)
    # Started before the cutoff: both reaped, and reaping twice changes nothing more.
    assert sorted(queue.reap(engine, utcnow() + dt.timedelta(minutes=1))) == [again, last]
    assert queue.reap(engine, utcnow() + dt.timedelta(minutes=1)) == []
    requeued, failed = queue.get(engine, again), queue.get(engine, last)
    assert requeued is not None and failed is not None
    assert requeued["state"] == "queued" and "queued again" in requeued["error"]
    assert failed["state"] == "failed" and "no attempts left" in failed["error"]
    # The requeued run is claimed again, as its next attempt.
    run = queue.claim(engine, ["ledger"], "another-worker")
    assert run is not None and (run.id, run.attempt) == (again, 2)


def test_a_run_started_after_the_cutoff_is_left_alone(engine: sa.Engine) -> None:
    running = claimed(engine, "busy", max_attempts=1)
    assert queue.reap(engine, utcnow() - dt.timedelta(minutes=1)) == []
    found = queue.get(engine, running)
    assert found is not None and found["state"] == "running"


def test_cleanup_removes_only_finished_runs_older_than_the_cutoff(engine: sa.Engine) -> None:
    done = claimed(engine, "done", max_attempts=1)
    queue.finish(engine, done, error=None, duration_ms=5, retry_at=None)
    waiting = queue.enqueue(engine, "ledger", "later", {}, max_attempts=1, trigger="manual")
    assert queue.cleanup(engine, utcnow() - dt.timedelta(days=1)) == 0
    assert queue.cleanup(engine, utcnow() + dt.timedelta(seconds=1)) == 1
    assert queue.get(engine, done) is None
    assert queue.get(engine, waiting) is not None
