"""Job declarations are checked before anything runs; a bad one fails the module."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bmc_hub_core import Job
from bmc_hub_core.errors import HookReturnError
from bmc_hub_core.jobs.declare import check_jobs, next_time

from ..fakes import fake_module
from ..records import assert_failed


def noop(module: Any) -> None:
    """Nothing."""


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ("not a job", "must return a list of bmc_hub_core.Job"),
        ([Job("Bad Name", run=noop)], "lower-case letters"),
        ([Job("a", run=noop), Job("a", run=noop)], "declared twice"),
        ([Job("a", run=noop, cron="every day")], "not a cron expression"),
        ([Job("a", run=noop, every=dt.timedelta(milliseconds=10))], "at least 1 second"),
        ([Job("a", run=noop, cron="* * * * *", every=dt.timedelta(seconds=5))], "not both"),
        ([Job("a", run="run")], "must be a function"),  # type: ignore[arg-type]
        ([Job("a", run=noop, retries=99)], "between 0 and 20"),
        ([Job("a", run=noop, timeout=0)], "timeout"),
    ],
)
def test_bad_declarations_are_refused_with_the_reason(declared: Any, message: str) -> None:
    with pytest.raises(HookReturnError, match=message):
        check_jobs(declared)


def test_good_declarations_pass() -> None:
    jobs = check_jobs(
        [
            Job("nightly", run=noop, cron="0 3 * * *"),
            Job("poll", run=noop, every=dt.timedelta(seconds=30)),
            Job("once", run=noop),
        ]
    )
    assert [j.schedule_text() for j in jobs] == ["cron 0 3 * * * (UTC)", "every 30s", "on demand"]
    assert check_jobs(Job("single", run=noop))[0].name == "single"
    assert check_jobs(None) == []


def test_next_times() -> None:
    at = dt.datetime(2026, 11, 30, 1, 30, tzinfo=dt.UTC)
    assert next_time(Job("n", run=noop, cron="0 3 * * *"), at) == at.replace(hour=3, minute=0)
    assert next_time(Job("p", run=noop, every=dt.timedelta(seconds=30)), at) == at + dt.timedelta(
        seconds=30
    )
    assert next_time(Job("o", run=noop), at) is None


def test_a_bad_declaration_fails_only_that_module_at_stage_jobs(hub_client: Any) -> None:
    def register_jobs() -> list[Job]:
        return [Job("x", run=noop, cron="nonsense")]

    client = hub_client(
        modules={
            "broken": fake_module("broken", register_jobs=register_jobs),
            "fine": fake_module("fine", register_jobs=lambda: [Job("tidy", run=noop)]),
        }
    )
    assert_failed(client.app.state.hub, "broken", "jobs", "not a cron expression")
    assert client.app.state.hub.registry.get("fine").state.value == "enabled"


def test_a_module_enqueues_only_its_declared_jobs_with_json_arguments(hub_client: Any) -> None:
    from bmc_hub_core.errors import UsageError

    client = hub_client(
        modules={"fine": fake_module("fine", register_jobs=lambda: [Job("tidy", run=noop)])}
    )
    context = client.app.state.hub.registry.get("fine").context
    run_id = context.jobs.enqueue("tidy", customer_id=5)
    assert run_id >= 1
    with pytest.raises(UsageError, match="has no job 'nope'"):
        context.jobs.enqueue("nope")
    with pytest.raises(UsageError, match="must be JSON"):
        context.jobs.enqueue("tidy", when=dt.datetime.now())


def test_retry_later_takes_seconds_or_a_timedelta_and_nothing_else() -> None:
    import datetime as dt

    from bmc_hub_core import RetryLater

    assert RetryLater(after=2).after == 2.0
    assert RetryLater("429", after=dt.timedelta(minutes=1)).after == 60.0
    for bad in (-1, "60", True, None):
        with pytest.raises(TypeError, match=r"RetryLater\(after=\.\.\.\) takes seconds"):
            RetryLater(after=bad)
