"""``bmc-hub worker`` processes running a real module's jobs, on SQLite and PostgreSQL:
scheduled, on demand, retried, stopped at their timeout, paused for a disabled module,
one tick once across two workers, queued work kept across restarts, safety switches."""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bmc_hub_core.db import make_engine
from bmc_hub_core.state import write_toggle

from ..installs import write_module_dist
from ..servers import BMC_HUB, clean_env

pytestmark = pytest.mark.slow

MODULE = """
import datetime as dt
import time
from pathlib import Path

import sqlalchemy as sa

from bmc_hub_core import Job, JobFailed, RetryLater, hookimpl


def note(module, what):
    with module.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO jobby_log (what) VALUES (:w)"), {"w": what})


def tick(module):
    note(module, "tick")


def write(module, what="written"):
    note(module, what)


def flaky(module):
    # Fails on its first attempt: the attempt is counted outside the module's switches.
    marker = Path(__file__).with_name("flaky.attempted")
    if not marker.exists():
        marker.write_text("1")
        raise RuntimeError("the registry did not answer")
    note(module, "flaky ok")


def slow(module):
    time.sleep(60)


def gone(module):
    raise JobFailed("company 12345674 is not in the registry")


def busy(module):
    # The first attempt is rate limited; its Retry-After beats the job's hour of backoff.
    marker = Path(__file__).with_name("busy.attempted")
    if not marker.exists():
        marker.write_text("1")
        raise RetryLater("the registry said 429", after=dt.timedelta(seconds=0.5))
    note(module, "busy ok")


async def async_write(module, what):
    note(module, what)


@hookimpl
def register_migrations():
    return Path(__file__).parent / "versions"


@hookimpl
def register_jobs():
    return [
        Job("tick", run=tick, every=dt.timedelta(seconds=1)),
        Job("write", run=write),
        Job("async_write", run=async_write),
        Job("flaky", run=flaky, retries=2, backoff=0.2),
        Job("slow", run=slow, timeout=1.5),
        Job("gone", run=gone, retries=3),
        Job("busy", run=busy, retries=1, backoff=3600),
    ]
"""

REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "jobby_0001"
down_revision = None
branch_labels = ("jobby",)
depends_on = None


def upgrade():
    op.create_table(
        "jobby_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("what", sa.String(40), nullable=False),
    )


def downgrade():
    op.drop_table("jobby_log")
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_module_dist(
        tmp_path / "site", "jobby", {"__init__.py": MODULE, "versions/jobby_0001.py": REVISION}
    )


def hub_env(url: str, site: Path, **switches: str) -> dict[str, str]:
    return clean_env(
        BMC_HUB_DATABASE_URL=url,
        BMC_HUB_MODULES="jobby",
        BMC_HUB_STATE_POLL_SECONDS="0.3",
        PYTHONPATH=str(site),
        MODULES__JOBBY__READ_ONLY=switches.get("read_only", "false"),
        MODULES__JOBBY__DRY_RUN=switches.get("dry_run", "false"),
    )


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BMC_HUB, *args], env=env, capture_output=True, text=True, timeout=120)


@contextmanager
def worker(env: dict[str, str], folder: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder / f"worker-{time.monotonic_ns()}.log").open("wb")
    process = subprocess.Popen(
        [BMC_HUB, "worker", *args], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def wait_for(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def runs_of(url: str, job: str) -> list[tuple[Any, ...]]:
    return query(
        url,
        f"SELECT state, attempt, error, trigger FROM hub_job_runs WHERE job = '{job}' ORDER BY id",
    )


def logged(url: str) -> list[str]:
    return [row[0] for row in query(url, "SELECT what FROM jobby_log ORDER BY id")]


def test_scheduled_on_demand_retried_and_timed_out_runs(
    hub_database_url: str, site: Path, tmp_path: Path
) -> None:
    env = hub_env(hub_database_url, site)
    assert cli(env, "db", "upgrade").returncode == 0
    # Queued before any worker runs: kept, and run once a worker starts.
    queued = cli(env, "jobs", "run", "jobby.write", "--kwargs", '{"what": "before start"}')
    assert queued.returncode == 0, queued.stderr
    assert (
        cli(env, "jobs", "run", "jobby.async_write", "--kwargs", '{"what": "async"}').returncode
        == 0
    )
    assert cli(env, "jobs", "run", "jobby.flaky").returncode == 0
    assert cli(env, "jobs", "run", "jobby.slow").returncode == 0
    with worker(env, tmp_path, "--concurrency", "3"):
        wait_for(lambda: logged(hub_database_url).count("tick") >= 2)
        wait_for(lambda: {"before start", "async", "flaky ok"} <= set(logged(hub_database_url)))
        wait_for(lambda: runs_of(hub_database_url, "slow")[0][0] == "failed")
    flaky = runs_of(hub_database_url, "flaky")
    assert flaky[0][:2] == ("succeeded", 2)  # the same run, tried again after the error
    slow = runs_of(hub_database_url, "slow")[0]
    assert slow[2].startswith("timed out: still running after 1.5s, so it was stopped")
    ticks = runs_of(hub_database_url, "tick")
    assert all(t[3] == "schedule" and t[0] == "succeeded" for t in ticks)
    listed = cli(env, "jobs", "runs", "--failed", "--json")
    assert '"jobby.slow"' in listed.stdout and '"jobby.tick"' not in listed.stdout
    retried = cli(
        env,
        "jobs",
        "retry",
        str(query(hub_database_url, "SELECT id FROM hub_job_runs WHERE job = 'slow'")[0][0]),
    )
    assert retried.returncode == 0 and "a retry of run" in retried.stdout


def test_a_job_can_refuse_a_retry_or_set_its_delay(
    hub_database_url: str, site: Path, tmp_path: Path
) -> None:
    env = hub_env(hub_database_url, site)
    assert cli(env, "db", "upgrade").returncode == 0
    assert cli(env, "jobs", "run", "jobby.gone").returncode == 0
    assert cli(env, "jobs", "run", "jobby.busy").returncode == 0
    with worker(env, tmp_path):
        wait_for(lambda: "busy ok" in logged(hub_database_url))
        wait_for(lambda: runs_of(hub_database_url, "gone")[0][0] == "failed")
    # JobFailed: failed on its first attempt although three retries were left.
    state, attempt, error, _trigger = runs_of(hub_database_url, "gone")[0]
    assert (state, attempt) == ("failed", 1)
    assert error == "bmc_hub_core.errors.JobFailed: company 12345674 is not in the registry"
    # RetryLater: the same run again after half a second, not after the hour of backoff.
    assert runs_of(hub_database_url, "busy")[0][:2] == ("succeeded", 2)


def test_a_disabled_modules_runs_wait_and_its_ticks_are_skipped(
    hub_database_url: str, site: Path, tmp_path: Path
) -> None:
    env = hub_env(hub_database_url, site)
    assert cli(env, "db", "upgrade").returncode == 0
    engine = make_engine(hub_database_url)
    try:
        write_toggle(engine, "jobby", enabled=False, by="test", reason=None)
        assert cli(env, "jobs", "run", "jobby.write").returncode == 0
        with worker(env, tmp_path):
            wait_for(lambda: any(r[0] == "skipped" for r in runs_of(hub_database_url, "tick")))
            assert runs_of(hub_database_url, "write")[0][0] == "queued"  # waits
            assert "written" not in logged(hub_database_url)
            write_toggle(engine, "jobby", enabled=True, by="test", reason=None)
            wait_for(lambda: "written" in logged(hub_database_url))
    finally:
        engine.dispose()
    skipped = [r for r in runs_of(hub_database_url, "tick") if r[0] == "skipped"]
    assert skipped[0][2] == "the module was disabled when it was due"


def test_jobs_list_shows_the_module_state_an_admin_set(hub_database_url: str, site: Path) -> None:
    env = hub_env(hub_database_url, site)
    assert cli(env, "db", "upgrade").returncode == 0

    def states() -> set[str]:
        listed = cli(env, "jobs", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        return {job["module_state"] for job in json.loads(listed.stdout)}

    assert states() == {"enabled"}
    engine = make_engine(hub_database_url)
    try:
        write_toggle(engine, "jobby", enabled=False, by="test", reason=None)
    finally:
        engine.dispose()
    assert states() == {"disabled"}


@pytest.mark.parametrize(
    ("switches", "kept", "state"),
    [
        ({"dry_run": "true"}, [], "succeeded"),
        ({"read_only": "true"}, [], "failed"),
        ({}, ["written"], "succeeded"),
    ],
    ids=["dry-run", "read-only", "live"],
)
def test_a_jobs_writes_follow_the_modules_switches(
    hub_database_url: str,
    site: Path,
    tmp_path: Path,
    switches: dict[str, str],
    kept: list[str],
    state: str,
) -> None:
    env = hub_env(hub_database_url, site, **switches)
    assert cli(env, "db", "upgrade").returncode == 0
    assert cli(env, "jobs", "run", "jobby.write").returncode == 0
    with worker(env, tmp_path):
        wait_for(lambda: runs_of(hub_database_url, "write")[0][0] not in ("queued", "running"))
    run = runs_of(hub_database_url, "write")[0]
    assert run[0] == state, run
    if state == "failed":
        assert "read-only" in run[2] or "readonly" in run[2]
    assert [w for w in logged(hub_database_url) if w != "tick"] == kept


@pytest.mark.postgres
def test_two_workers_run_each_tick_once(site: Path, tmp_path: Path) -> None:
    from bmc_hub_core.testing.databases import temporary_postgres_database

    from ..conftest import require_postgres

    with temporary_postgres_database(require_postgres()) as url:
        env = hub_env(url, site)
        assert cli(env, "db", "upgrade").returncode == 0
        with worker(env, tmp_path / "one"), worker(env, tmp_path / "two"):
            time.sleep(6)
        ticks = query(
            url,
            "SELECT scheduled_for FROM hub_job_runs WHERE job = 'tick' AND state = 'succeeded'",
        )
        moments = sorted(t[0] for t in ticks)
        assert len(moments) == len(set(moments)) >= 3
        assert logged(url).count("tick") == len(moments)  # each tick ran once
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(moments)]
        assert min(gaps) >= 0.9, gaps  # every second, not twice a second


def test_the_worker_needs_a_migrated_database(site: Path, tmp_path: Path) -> None:
    env = hub_env(f"sqlite:///{tmp_path / 'empty.db'}", site)
    result = subprocess.run(
        [BMC_HUB, "worker"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "bmc-hub db upgrade" in result.stderr
    assert "Traceback" not in result.stderr
