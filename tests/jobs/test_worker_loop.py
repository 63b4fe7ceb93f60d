"""The worker's loop in process: a database that fails for a while does not end it."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from bmc_hub_core.hub import Hub
from bmc_hub_core.jobs.worker import Worker
from bmc_hub_core.migrations.core import upgrade_core
from bmc_hub_core.settings import Settings


def test_the_loop_survives_a_database_that_fails_and_comes_back(
    hub_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(_env_file=None, database_url=hub_database_url, modules="")  # type: ignore[call-arg]
    hub = Hub.build(settings)
    upgrade_core(hub.engine)
    worker = Worker(hub, tick=0.01)
    calls: list[int] = []

    def rename(old: str, new: str) -> None:
        with hub.engine.begin() as conn:
            conn.execute(sa.text(f"ALTER TABLE {old} RENAME TO {new}"))

    def stop() -> bool:
        calls.append(len(calls))
        if len(calls) == 1:  # the next round finds no schedule table: the database "fails"
            rename("hub_job_schedules", "hub_job_schedules_away")
        elif len(calls) == 3:  # two failed rounds later it is back
            rename("hub_job_schedules_away", "hub_job_schedules")
        return len(calls) > 4

    try:
        with caplog.at_level(logging.WARNING, logger="bmc_hub_core.jobs.worker"):
            worker.run(stop)
    finally:
        hub.engine.dispose()
    failed = [r.getMessage() for r in caplog.records if "the database failed" in r.getMessage()]
    assert len(failed) == 2, failed
    assert "hub_job_schedules" in failed[0] and "trying again in 0.0" in failed[0]
    assert len(calls) == 5  # the loop went on after the failures, until told to stop
