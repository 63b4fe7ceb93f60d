"""``bmc_hub_core.testing.run_job``: a job run as the worker runs it (a forked process,
the module's switches, its timeout), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import time
import types
from typing import Any

import pytest
import sqlalchemy as sa

from bmc_hub_core import Job, JobFailed, ModuleContext, RetryLater
from bmc_hub_core.testing import module_env, run_job

from ..fakes import TextTable, fake_module, stored_texts


def ledger_module() -> types.ModuleType:
    entries = TextTable("entries")

    def write(module: ModuleContext, text: str) -> None:
        with module.engine.begin() as conn:
            conn.execute(sa.insert(entries.of(module)).values(text=text))

    def gone(module: ModuleContext) -> None:
        raise JobFailed("no such company")

    def busy(module: ModuleContext) -> None:
        raise RetryLater("rate limited", after=dt.timedelta(seconds=30))

    def slow(module: ModuleContext) -> None:
        time.sleep(30)

    def vanish(module: ModuleContext) -> None:
        os._exit(3)  # no result sent: as a process killed by the OOM killer

    def register_jobs() -> list[Job]:
        return [
            Job("write", run=write),
            Job("gone", run=gone),
            Job("busy", run=busy),
            Job("slow", run=slow, timeout=1),
            Job("vanish", run=vanish),
        ]

    return fake_module("ledger", on_startup=entries.on_startup(), register_jobs=register_jobs)


def kept(url: str) -> list[str]:
    return stored_texts(url, "ledger_entries")


def client_for(hub_client: Any, **switches: bool) -> Any:
    return hub_client(modules={"ledger": ledger_module()}, env=module_env("ledger", **switches))


def test_a_writable_modules_run_keeps_its_writes(hub_client: Any, hub_database_url: str) -> None:
    client = client_for(hub_client, read_only=False, dry_run=False)
    end = run_job(client.app, "ledger.write", text="kept")
    assert end.error is None and not end.final and end.retry_after is None
    assert kept(hub_database_url) == ["kept"]


def test_dry_run_runs_the_job_and_keeps_nothing(hub_client: Any, hub_database_url: str) -> None:
    client = client_for(hub_client, read_only=False, dry_run=True)
    assert run_job(client.app, "ledger.write", text="dropped").error is None
    assert kept(hub_database_url) == []


def test_read_only_refuses_the_write_in_the_database(
    hub_client: Any, hub_database_url: str
) -> None:
    client = client_for(hub_client, read_only=True, dry_run=False)
    end = run_job(client.app, "ledger.write", text="refused")
    assert end.error is not None
    assert "readonly" in end.error.lower().replace("-", "").replace(" ", "")
    assert kept(hub_database_url) == []


def test_the_run_reports_job_failed_retry_later_and_timeouts(hub_client: Any) -> None:
    client = client_for(hub_client)
    gone = run_job(client.app, "ledger.gone")
    assert gone.final and gone.error == "bmc_hub_core.errors.JobFailed: no such company"
    busy = run_job(client.app, "ledger.busy")
    assert busy.retry_after == 30.0 and not busy.final
    started = time.monotonic()
    slow = run_job(client.app, "ledger.slow")
    assert slow.error == "timed out: still running after 1s, so it was stopped"
    assert time.monotonic() - started < 10


def test_an_unknown_job_or_arguments_that_are_not_json_fail_the_test(hub_client: Any) -> None:
    client = client_for(hub_client)
    with pytest.raises(pytest.fail.Exception, match=r"no job named 'ledger\.nope'.*ledger\.write"):
        run_job(client.app, "ledger.nope")
    # The same rules as module.jobs.enqueue: NaN is not JSON either.
    for bad in (object(), float("nan")):
        with pytest.raises(pytest.fail.Exception, match=r"ledger\.write must be JSON"):
            run_job(client.app, "ledger.write", text=bad)


def test_a_process_that_ends_without_a_result_is_the_runs_error(hub_client: Any) -> None:
    end = run_job(client_for(hub_client).app, "ledger.vanish")
    assert end.error == "the job's process ended without a result (exit code 3)"
    assert not end.final
