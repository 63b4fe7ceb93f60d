"""The jobs run by a real ``bmc-hub worker`` process against the fake registry, as in
production: ``bmc-hub db upgrade``, customers in the core table, ``bmc-hub jobs run``,
then a worker; the outcome is read from the admin API (``GET /api/v1/jobs``) and
``cvr_companies``."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bmc_hub_core.db import customers

pytestmark = pytest.mark.slow

BMC_HUB = str(Path(sys.executable).with_name("bmc-hub"))


def hub_env(url: str, registry_url: str, **settings: str) -> dict[str, str]:
    """This environment without any hub or module setting, plus the test's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BMC_HUB_", "MODULES__"))}
    env.update(BMC_HUB_DATABASE_URL=url, BMC_HUB_MODULES="cvr")
    values = {"read_only": "false", "dry_run": "false", "api_url": registry_url, **settings}
    env.update({f"MODULES__CVR__{key.upper()}": value for key, value in values.items()})
    return env


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([BMC_HUB, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@contextmanager
def worker(env: dict[str, str], folder: Path) -> Iterator[Path]:
    log = folder / f"worker-{time.monotonic_ns()}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [BMC_HUB, "worker"], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
        try:
            yield log
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_for(check: Callable[[], bool], log: Path, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met in time; the worker said:\n{log.read_text()}")
        time.sleep(0.2)


def ended(runs: Callable[[], list[dict[str, Any]]]) -> Callable[[], bool]:
    """The first run has ended an attempt (succeeded, failed, or queued again)."""

    def check() -> bool:
        found = runs()
        return bool(found) and (
            found[0]["state"] in ("succeeded", "failed")
            or (found[0]["state"] == "queued" and found[0]["error"] is not None)
        )

    return check


@pytest.fixture
def runs_of(hub_admin_client, cvr_env) -> Callable[[str], Callable[[], list[dict[str, Any]]]]:
    """``runs_of("refresh")``: a function returning the job's runs, oldest first, from the
    admin API of a hub in this process on the test database (it serves; it runs no jobs).
    The hub is built at the first call, after the test ran ``bmc-hub db upgrade``."""
    admins: list[Any] = []

    def of(job: str) -> Callable[[], list[dict[str, Any]]]:
        if not admins:
            admins.append(hub_admin_client(installed=["cvr"], env=cvr_env()))

        def runs() -> list[dict[str, Any]]:
            found = admins[0].get("/api/v1/jobs", params={"limit": 500}).json()["runs"]
            return sorted((r for r in found if r["name"] == f"cvr.{job}"), key=lambda r: r["id"])

        return runs

    return of


@contextmanager
def database(url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


def add_customers(url: str, *cvrs: str | None) -> None:
    with database(url) as engine, engine.begin() as conn:
        for number, cvr in enumerate(cvrs):
            conn.execute(sa.insert(customers).values(name=f"Kunde {number}", cvr=cvr))


def cached(url: str) -> dict[str, tuple[Any, ...]]:
    with database(url) as engine, engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT cvr, name, status, fetched_at FROM cvr_companies"))
        return {row[0]: tuple(row[1:]) for row in rows}


def test_fill_customers_fetches_what_is_missing_or_stale_in_batches(
    hub_database_url, registry, numbers, tmp_path, runs_of
):
    env = hub_env(hub_database_url, registry.url, batch_size="2")
    cli(env, "db", "upgrade")
    new = [next(numbers) for _ in range(3)]
    fresh, stale, unknown = next(numbers), next(numbers), next(numbers)
    for cvr in [*new, fresh, stale]:
        registry.add(cvr, status="active")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    with database(hub_database_url) as engine, engine.begin() as conn:
        for cvr, at in ((fresh, dt.datetime.now(dt.UTC)), (stale, long_ago)):
            conn.execute(
                sa.text(
                    "INSERT INTO cvr_companies (cvr, name, status, fetched_at, raw) "
                    "VALUES (:cvr, 'Old name', 'old', :at, '{}')"
                ),
                {"cvr": cvr, "at": at},
            )
    # "12345678" fails the modulus-11 check (the core accepts any 8 digits): skipped.
    add_customers(hub_database_url, *new, fresh, stale, unknown, "12345678", None)

    cli(env, "jobs", "run", "cvr.fill_customers")
    runs = runs_of("fill_customers")
    with worker(env, tmp_path) as log:
        wait_for(ended(runs), log)
    run = runs()[0]
    assert (run["state"], run["attempt"], run["error"]) == ("succeeded", 1, None)

    companies = cached(hub_database_url)
    assert set(companies) == {*new, fresh, stale}
    assert all(companies[cvr][:2] == (f"Firma {cvr} ApS", "active") for cvr in [*new, stale])
    assert companies[fresh][:2] == ("Old name", "old")  # fresh: not asked again
    asked = sorted(seen.path.rsplit("/", 1)[-1] for seen in registry.seen)
    assert asked == sorted([*new, stale, unknown])  # each due number once
    assert "12345678 fails the modulus-11 check" in log.read_text()


@pytest.mark.parametrize(
    ("retry_after", "error", "earliest", "latest"),
    [
        # The registry's Retry-After sets the delay (RetryLater) ...
        ("60", "RetryLater: stopped after storing 2 of 5 companies: ", 50, 70),
        # ... and without one the job's backoff (2 minutes) applies.
        (None, "FillStopped: stopped after storing 2 of 5 companies: ", 110, 130),
    ],
    ids=["retry-after", "backoff"],
)
def test_a_rate_limit_stops_the_run_keeps_what_it_got_and_queues_it_again(
    hub_database_url, registry, numbers, tmp_path, runs_of, retry_after, error, earliest, latest
):
    env = hub_env(hub_database_url, registry.url, batch_size="3")
    cli(env, "db", "upgrade")
    due = [next(numbers) for _ in range(5)]
    for cvr in due:
        registry.add(cvr)
    add_customers(hub_database_url, *due)
    registry.ok_then_limit = 2  # the third request is answered 429
    registry.retry_after = retry_after

    cli(env, "jobs", "run", "cvr.fill_customers")
    runs = runs_of("fill_customers")
    with worker(env, tmp_path) as log:
        wait_for(ended(runs), log)
    run = runs()[0]
    assert (run["state"], run["attempt"]) == ("queued", 1)  # to be tried again
    assert error in run["error"]
    assert "is rate limiting requests" in run["error"]
    wait = dt.datetime.fromisoformat(run["run_after"]) - dt.datetime.fromisoformat(
        run["finished_at"]
    )
    assert earliest <= wait.total_seconds() <= latest
    assert len(registry.seen) == 3  # the batch stopped at the 429
    assert set(cached(hub_database_url)) == set(due[:2])


@pytest.mark.parametrize(
    ("switches", "state", "error"),
    [
        ({"dry_run": "true"}, "succeeded", None),
        # Failed at once: another try would be refused the same way.
        ({"read_only": "true"}, "failed", "JobFailed: module 'cvr' is read-only, and"),
    ],
    ids=["dry-run", "read-only"],
)
def test_the_switches_keep_the_job_from_writing(
    hub_database_url, registry, numbers, tmp_path, runs_of, switches, state, error
):
    env = hub_env(hub_database_url, registry.url, **switches)
    cli(env, "db", "upgrade")
    cvr = next(numbers)
    registry.add(cvr)
    add_customers(hub_database_url, cvr)

    cli(env, "jobs", "run", "cvr.fill_customers")
    runs = runs_of("fill_customers")
    with worker(env, tmp_path) as log:
        wait_for(ended(runs), log)
    run = runs()[0]
    assert run["state"] == state
    assert (error or "") in (run["error"] or "")
    assert (run["error"] is None) == (error is None)
    assert cached(hub_database_url) == {}
    # DRY_RUN asks the registry (a GET) and keeps nothing; READ_ONLY does not even ask.
    assert len(registry.seen) == (1 if "dry_run" in switches else 0)


def test_the_refresh_route_queues_a_run_that_a_worker_carries_out(
    hub_client, cvr_env, hub_database_url, registry, numbers, tmp_path, runs_of
):
    client = hub_client(installed=["cvr"], env=cvr_env())
    cvr, unknown = next(numbers), next(numbers)
    registry.add(cvr, name="Før ApS")
    assert client.post(f"/api/v1/cvr/lookup/{cvr}").json()["name"] == "Før ApS"
    registry.add(cvr, name="Efter ApS")
    queued = [client.post(f"/api/v1/cvr/refresh/{number}") for number in (cvr, unknown)]
    assert [answer.status_code for answer in queued] == [202, 202]

    env = hub_env(hub_database_url, registry.url)
    runs = runs_of("refresh")
    with worker(env, tmp_path) as log:
        wait_for(lambda: [r["state"] for r in runs()] == ["succeeded", "failed"], log)
    assert [(r["id"], r["trigger"], r["attempt"]) for r in runs()] == [
        (answer.json()["run_id"], "module", 1) for answer in queued
    ]
    assert client.get(f"/api/v1/cvr/companies/{cvr}").json()["name"] == "Efter ApS"
    assert registry.requests_for(cvr) == 2
    # An unknown number: failed at once, nothing stored, not retried (the answer would
    # not change, although the job has retries left).
    assert client.get(f"/api/v1/cvr/companies/{unknown}").status_code == 404
    assert registry.requests_for(unknown) == 1
    assert f"JobFailed: CVR {unknown} is not in the registry; nothing stored" in runs()[1]["error"]
