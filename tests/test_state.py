"""Persisted toggles (``hub_module_state``) and the per-process poller, on both backends."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi import APIRouter
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from bmc_hub_core import create_app
from bmc_hub_core.db import hub_module_state, make_engine
from bmc_hub_core.migrations.core import upgrade_core
from bmc_hub_core.registry import ModuleRecord, Registry
from bmc_hub_core.settings import Settings
from bmc_hub_core.state import (
    StatePoller,
    StateRow,
    apply_rows,
    fingerprint,
    read_rows,
    write_toggle,
)
from bmc_hub_core.testing import ADMIN_TOKEN
from bmc_hub_core.types import ModuleState

from .fakes import fake_module

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def engine(hub_database_url: str) -> Iterator[Engine]:
    engine = make_engine(hub_database_url)
    upgrade_core(engine)
    yield engine
    engine.dispose()


def registry_of(**states: ModuleState) -> Registry:
    registry = Registry()
    for name, state in states.items():
        registry.add(ModuleRecord(name, state))
    return registry


def test_a_toggle_is_persisted_with_who_when_and_why(engine: Engine):
    write_toggle(engine, "demo", enabled=False, by="admin api from 10.0.0.7", reason="upgrade")
    row = read_rows(engine)["demo"]
    assert (row.enabled, row.changed_by, row.reason) == (
        False,
        "admin api from 10.0.0.7",
        "upgrade",
    )
    assert row.changed_at is not None
    assert row.changed_at.endswith("+00:00")  # UTC on both backends (SQLite drops zones)
    assert row.change_seq == 1

    write_toggle(engine, "demo", enabled=True, by="admin api from 10.0.0.8", reason=None)
    row = read_rows(engine)["demo"]
    assert (row.enabled, row.changed_by, row.reason, row.change_seq) == (
        True,
        "admin api from 10.0.0.8",
        None,
        2,
    )


def test_a_toggle_keeps_the_migration_outcome(engine: Engine):
    with engine.begin() as conn:
        conn.execute(
            sa.insert(hub_module_state).values(
                name="demo", migration_stage="migrate", migration_error="boom", change_seq=0
            )
        )
    write_toggle(engine, "demo", enabled=False, by="me", reason=None)
    row = read_rows(engine)["demo"]
    assert (row.enabled, row.migration_stage, row.migration_error) == (False, "migrate", "boom")


def test_simultaneous_first_toggles_of_a_module_all_succeed(engine: Engine):
    writers = 6
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(index: int) -> None:
        barrier.wait()
        try:
            write_toggle(engine, "race", enabled=index % 2 == 0, by=f"w{index}", reason=None)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert read_rows(engine)["race"].change_seq == writers


def test_apply_rows_only_touches_loaded_modules():
    registry = registry_of(
        off=ModuleState.ENABLED,
        back=ModuleState.DISABLED,
        broken=ModuleState.FAILED,
        outside=ModuleState.NOT_ALLOWED,
        fresh=ModuleState.ENABLED,
    )
    rows = {
        "off": _row("off", False),
        "back": _row("back", True),
        "broken": _row("broken", True),
        "outside": _row("outside", True),
    }
    assert sorted(apply_rows(registry, rows)) == ["back", "off"]
    states = {r.name: r.state for r in registry}
    assert states == {
        "off": ModuleState.DISABLED,
        "back": ModuleState.ENABLED,
        "broken": ModuleState.FAILED,  # a failed module is never revived by a toggle
        "outside": ModuleState.NOT_ALLOWED,  # the allowlist stays the ceiling
        "fresh": ModuleState.ENABLED,  # no row: the allowlist decides
    }
    assert registry.get("off").admin_changed_by == "someone"
    assert apply_rows(registry, rows) == []


def _row(name: str, enabled: bool | None, seq: int = 1) -> StateRow:
    return StateRow(name, enabled, "2026-01-01T00:00:00", "someone", None, seq)


def test_fingerprint_changes_with_any_row():
    rows = {"a": _row("a", True, 1), "b": _row("b", False, 4)}
    assert fingerprint(rows) != fingerprint({**rows, "a": _row("a", True, 2)})
    assert fingerprint(rows) != fingerprint({"a": rows["a"]})


def test_poller_applies_a_change_written_elsewhere(engine: Engine):
    registry = registry_of(demo=ModuleState.ENABLED)
    calls: list[str] = []

    async def prepare(changed: list[str]) -> None:
        calls.append(f"prepare:{registry.get('demo').state}:{','.join(changed)}")

    async def scenario() -> None:
        poller = StatePoller(engine, registry, 0.05, lambda: calls.append("publish"), prepare)
        poller.seed(read_rows(engine))
        assert await poller.poll_once() is False
        write_toggle(engine, "demo", enabled=False, by="another process", reason=None)
        poller.start()
        deadline = time.monotonic() + 5
        while "publish" not in calls and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await poller.stop()

    asyncio.run(scenario())
    assert calls == ["prepare:disabled:demo", "publish"]
    assert registry.get("demo").state is ModuleState.DISABLED


def test_poller_keeps_the_last_state_when_the_database_fails(
    engine: Engine, caplog: pytest.LogCaptureFixture
):
    registry = registry_of(demo=ModuleState.ENABLED)
    published: list[int] = []

    async def scenario() -> None:
        poller = StatePoller(engine, registry, 0.05, lambda: published.append(1))
        poller.seed(read_rows(engine))
        with engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE hub_module_state RENAME TO hub_module_state_x"))
        poller.start()
        await asyncio.sleep(0.3)
        assert poller._task is not None
        assert not poller._task.done()
        with engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE hub_module_state_x RENAME TO hub_module_state"))
        write_toggle(engine, "demo", enabled=False, by="x", reason=None)
        deadline = time.monotonic() + 5
        while not published and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await poller.stop()

    with caplog.at_level(logging.WARNING, logger="bmc_hub_core.state"):
        asyncio.run(scenario())
    assert "keeping the last known state" in caplog.text
    assert published == [1]
    assert registry.get("demo").state is ModuleState.DISABLED


def test_a_second_app_on_the_same_database_follows_within_the_poll_interval(
    hub_settings: Settings,
):
    def modules() -> dict[str, object]:
        return {"demo": fake_module("demo", register_routes=_routes)}

    with (
        TestClient(create_app(hub_settings, modules=modules()), headers=ADMIN) as one,
        TestClient(create_app(hub_settings, modules=modules())) as two,
    ):
        assert two.get("/api/v1/demo/ping").status_code == 200
        assert one.post("/api/v1/modules/demo/disable").status_code == 200
        budget = hub_settings.state_poll_seconds + 0.5
        assert _seconds_until(two, 404) <= budget
        assert one.post("/api/v1/modules/demo/enable").status_code == 200
        assert _seconds_until(two, 200) <= budget


def _routes() -> APIRouter:
    router = APIRouter()

    @router.get("/ping")
    def ping() -> str:
        return "pong"

    return router


def _seconds_until(client: TestClient, status: int) -> float:
    started = time.monotonic()
    while time.monotonic() - started < 5:
        if client.get("/api/v1/demo/ping").status_code == status:
            return time.monotonic() - started
        time.sleep(0.02)
    pytest.fail(f"still not {status} after 5s")


def test_a_poller_that_dies_says_so(engine: Engine, caplog: pytest.LogCaptureFixture):
    registry = registry_of(demo=ModuleState.ENABLED)

    def publish() -> None:
        raise RuntimeError("bug in publish")

    async def scenario() -> None:
        poller = StatePoller(engine, registry, 0.02, publish)
        poller.start()
        write_toggle(engine, "demo", enabled=False, by="x", reason=None)
        deadline = time.monotonic() + 5
        while poller._task is not None and not poller._task.done():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)  # let the done callback run

    with caplog.at_level(logging.CRITICAL, logger="bmc_hub_core.state"):
        asyncio.run(scenario())
    assert "no longer follows admin toggles" in caplog.text
    assert "bug in publish" in caplog.text


def test_every_worker_tells_its_modules_when_they_are_enabled_or_disabled(hub_app):
    """Two apps on one database: the toggle on one reaches the other's hooks and switch."""
    import threading

    from starlette.testclient import TestClient

    from bmc_hub_core import ModuleContext
    from bmc_hub_core.testing import ADMIN_TOKEN

    from .fakes import fake_module

    events: list[str] = []

    def watched(worker: str) -> object:
        def on_enable(module: ModuleContext) -> None:
            events.append(f"{worker}: enable, switch {bool(module.enabled)}")

        async def on_disable(module: ModuleContext) -> None:
            events.append(f"{worker}: disable, switch {bool(module.enabled)}")

        def register_routes(module: ModuleContext):  # type: ignore[no-untyped-def]
            from fastapi import APIRouter

            router = APIRouter()

            @router.get("/stream")
            async def stream() -> str:
                await module.enabled.wait_disabled()  # a stream would end here
                return "ended"

            return router

        return fake_module(
            "watched", on_enable=on_enable, on_disable=on_disable, register_routes=register_routes
        )

    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with (
        TestClient(hub_app(modules={"watched": watched("a")}), headers=admin) as first,
        TestClient(hub_app(modules={"watched": watched("b")}), headers=admin) as second,
    ):
        answers: list[str] = []
        waiting = threading.Thread(
            target=lambda: answers.append(second.get("/api/v1/watched/stream").text)
        )
        waiting.start()
        time.sleep(0.3)
        assert answers == []  # still waiting while enabled
        assert first.post("/api/v1/modules/watched/disable").status_code == 200
        waiting.join(10)
        assert answers == ['"ended"']  # the other worker's stream ended (poll: 0.2 s)
        assert first.post("/api/v1/modules/watched/enable").status_code == 200
        deadline = time.monotonic() + 5
        while len(events) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert sorted(events) == [
        "a: disable, switch False",
        "a: enable, switch True",
        "b: disable, switch False",
        "b: enable, switch True",
    ]
