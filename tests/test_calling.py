"""``call_one``/``call_each``: one module at a time, isolated, time-boxed, async-aware."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pluggy
import pytest

from bmc_hub_core import hookspecs
from bmc_hub_core.calling import call_each_async, call_each_sync, call_one_async, call_one_sync
from bmc_hub_core.errors import HookTimeout

from .fakes import fake_module, ignores_cancellation

NEVER = threading.Event()


def manager(**modules: Any) -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for name, module in modules.items():
        pm.register(module, name=name)
    return pm


def ctx(*names: str) -> dict[str, Any]:
    return {name: f"context-of-{name}" for name in names}


def test_each_module_gets_its_own_context_and_one_failure_does_not_stop_the_rest() -> None:
    def boom() -> None:
        raise RuntimeError("b broke")

    pm = manager(
        a=fake_module(health=lambda module: f"a saw {module}"),
        b=fake_module(health=boom),
        c=fake_module(health=lambda module: f"c saw {module}"),
    )
    outcomes = {o.module: o for o in call_each_sync(pm, "health", ctx("a", "b", "c"), timeout=2)}
    assert outcomes["a"].value == "a saw context-of-a"
    assert outcomes["c"].value == "c saw context-of-c"
    assert isinstance(outcomes["b"].error, RuntimeError) and not outcomes["b"].ok


def test_modules_without_the_hook_are_skipped() -> None:
    pm = manager(a=fake_module(), b=fake_module(health=lambda: True))
    assert [o.module for o in call_each_sync(pm, "health", ctx("a", "b"), timeout=1)] == ["b"]
    assert call_one_sync(pm, "health", "a", {"module": None}, timeout=1) is None


def test_sync_call_past_the_budget_is_abandoned() -> None:
    pm = manager(slow=fake_module(health=lambda: NEVER.wait()))
    started = time.monotonic()
    outcome = call_one_sync(pm, "health", "slow", {"module": None}, timeout=0.2)
    assert outcome is not None and outcome.timed_out
    assert isinstance(outcome.error, HookTimeout)
    assert time.monotonic() - started < 1.5


def test_async_impl_called_from_sync_code_is_run_to_completion() -> None:
    async def health() -> str:
        await asyncio.sleep(0.01)
        return "async ok"

    pm = manager(a=fake_module(health=health))
    outcome = call_one_sync(pm, "health", "a", {"module": None}, timeout=2)
    assert outcome is not None and outcome.value == "async ok"


@pytest.mark.anyio
async def test_async_calls_time_out_for_sync_and_async_hangs() -> None:
    async def hang_async() -> None:
        await asyncio.sleep(60)

    pm = manager(s=fake_module(health=lambda: NEVER.wait()), a=fake_module(health=hang_async))
    started = time.monotonic()
    outcomes = await call_each_async(
        pm, "health", ctx("s", "a"), timeout=0.3, concurrent_calls=True
    )
    assert time.monotonic() - started < 1.0  # concurrently: one budget, not two
    assert all(o.timed_out for o in outcomes)


@pytest.mark.anyio
async def test_a_still_running_sync_call_is_not_started_twice() -> None:
    calls: list[int] = []

    def slow() -> None:
        calls.append(1)
        NEVER.wait()

    pm = manager(s=fake_module(health=slow))
    inflight: dict[str, Any] = {}
    first = await call_one_async(
        pm, "health", "s", {"module": None}, timeout=0.1, inflight=inflight
    )
    second = await call_one_async(
        pm, "health", "s", {"module": None}, timeout=0.1, inflight=inflight
    )
    assert first is not None and first.timed_out
    assert second is not None and second.timed_out
    assert calls == [1]


@pytest.mark.anyio
async def test_an_async_hook_that_swallows_its_cancellation_still_times_out() -> None:
    release = threading.Event()
    calls: list[int] = []
    pm = manager(s=fake_module(health=ignores_cancellation(release, calls)))
    inflight: dict[str, Any] = {}
    started = time.monotonic()
    first = await call_one_async(
        pm, "health", "s", {"module": None}, timeout=0.3, inflight=inflight
    )
    assert time.monotonic() - started < 0.6
    assert first is not None and first.timed_out
    # Still running: the next call is a timeout at once, not a second copy of it.
    second = await call_one_async(pm, "health", "s", {"module": None}, timeout=5, inflight=inflight)
    assert second is not None and second.timed_out and calls == [1]
    release.set()


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    "error",
    [SystemExit(3), KeyboardInterrupt(), asyncio.CancelledError(), GeneratorExit()],
    ids=type,
)
async def test_base_exceptions_from_module_code_are_its_outcome(
    kind: str, error: BaseException
) -> None:
    def sync_impl() -> None:
        raise error

    async def async_impl() -> None:
        raise error

    pm = manager(m=fake_module(health=sync_impl if kind == "sync" else async_impl))
    outcome = await call_one_async(pm, "health", "m", {"module": None}, timeout=5)
    assert outcome is not None and isinstance(outcome.error, type(error))
    outcome = call_one_sync(pm, "health", "m", {"module": None}, timeout=5)
    assert outcome is not None and isinstance(outcome.error, type(error))


@pytest.mark.anyio
async def test_a_cancelled_caller_cancels_the_module_call() -> None:
    cancelled = asyncio.Event()

    async def slow() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    pm = manager(m=fake_module(health=slow))
    call = asyncio.ensure_future(call_one_async(pm, "health", "m", {"module": None}, timeout=30))
    await asyncio.sleep(0.05)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await asyncio.wait_for(cancelled.wait(), 1)


def test_trace_logs_every_call(caplog: pytest.LogCaptureFixture) -> None:
    pm = manager(a=fake_module(health=lambda: True))
    with caplog.at_level("INFO", logger="bmc_hub_core.calling"):
        call_one_sync(pm, "health", "a", {"module": None}, timeout=1, trace=True)
    assert "hook health module=a" in caplog.text and "ok" in caplog.text


@pytest.mark.anyio
async def test_trace_logs_one_line_per_async_call(caplog: pytest.LogCaptureFixture) -> None:
    async def fine() -> bool:
        return True

    pm = manager(s=fake_module(health=lambda: True), a=fake_module(health=fine))
    with caplog.at_level("INFO", logger="bmc_hub_core.calling"):
        await call_each_async(pm, "health", ctx("s", "a"), timeout=2, trace=True)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert all(line.endswith(" ok") for line in lines), lines
