"""One broken module never takes the core or another module down: the lifecycle.

Router lifespans, ``on_startup`` and ``on_shutdown`` that raise, exit, hang, swallow
their cancellation or block the event loop fail their own module only; the good module
and the core keep serving. The registration hooks are in tests/test_module_isolation.py.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import APIRouter

from bmc_hub_core import routing

from .fakes import fake_module, ignores_cancellation
from .records import assert_failed
from .test_module_isolation import GOOD, assert_good_still_serves, good_routes, module_json


def _lifespan_routes(lifespan: Any, where: str) -> Any:
    def register_routes() -> APIRouter:
        router = APIRouter(lifespan=lifespan)
        router.include_router(good_routes())
        if where == "own":
            return router
        # FastAPI merges this lifespan with the including router's into a new one.
        outer = APIRouter()
        outer.include_router(router)
        return outer

    return register_routes


@pytest.mark.parametrize("where", ["own", "behind-included-routers"])
def test_a_router_lifespan_is_run_by_the_hub_and_left_at_shutdown(hub_client, where: str) -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: object) -> AsyncIterator[None]:
        events.append(f"entered with {type(app).__name__}")
        yield
        events.append("left")

    client = hub_client(
        modules={
            "good": GOOD,
            "life": fake_module(register_routes=_lifespan_routes(lifespan, where)),
        }
    )
    assert events == ["entered with APIRouter"]  # the router it belongs to, not the app
    assert module_json(client, "life")["state"] == "enabled"
    assert client.get("/api/v1/life/ping").json() == {"answer": "pong"}
    client.__exit__(None, None, None)
    assert events == ["entered with APIRouter", "left"]


@pytest.mark.parametrize("failure", ["raises", "exits", "hangs"])
def test_a_failing_router_lifespan_fails_only_that_module_at_startup(
    hub_client, failure: str
) -> None:
    @asynccontextmanager
    async def lifespan(_app: object) -> AsyncIterator[None]:
        if failure == "raises":
            raise RuntimeError("could not reach the device")
        if failure == "exits":
            raise SystemExit(3)
        await asyncio.sleep(30)
        yield

    client = hub_client(
        modules={
            "good": GOOD,
            "life": fake_module(register_routes=_lifespan_routes(lifespan, "own")),
        },
        hook_timeout=1.0,
    )
    state = module_json(client, "life")
    assert state["state"] == "failed" and state["error"]["stage"] == "startup"
    expected = {"raises": "could not reach the device", "exits": "3", "hangs": "did not return"}
    assert expected[failure] in state["error"]["message"]
    assert client.get("/api/v1/life/ping").status_code == 503
    assert_good_still_serves(client)


def test_a_router_lifespan_never_joins_the_apps_lifespan(
    hub_client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even one the detection misses: it is not run as part of the app's own lifespan.
    monkeypatch.setattr(routing, "_has_own_lifespan", lambda _router: False)
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(_app: object) -> AsyncIterator[None]:
        events.append("started")
        raise RuntimeError("could not reach the device")
        yield

    client = hub_client(
        modules={
            "good": GOOD,
            "hidden": fake_module(register_routes=_lifespan_routes(lifespan, "own")),
        }
    )
    assert events == []
    assert client.get("/api/v1/hidden/ping").json() == {"answer": "pong"}
    assert_good_still_serves(client)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_system_exit_in_on_startup_fails_only_that_module(hub_client, kind: str) -> None:
    def sync_exit() -> None:
        raise SystemExit(1)

    async def async_exit() -> None:
        raise SystemExit(1)

    client = hub_client(
        modules={
            "good": GOOD,
            "quitter": fake_module(
                register_routes=good_routes,
                on_startup=sync_exit if kind == "sync" else async_exit,
            ),
        }
    )
    state = module_json(client, "quitter")
    assert state["error"]["stage"] == "startup" and state["error"]["type"] == "SystemExit"
    assert_good_still_serves(client)


def test_on_startup_swallowing_its_cancellation_cannot_hold_startup(hub_client) -> None:
    release = threading.Event()
    on_startup = ignores_cancellation(release)
    started = time.monotonic()
    client = hub_client(
        modules={
            "good": GOOD,
            "stubborn": fake_module(register_routes=good_routes, on_startup=on_startup),
        },
        hook_timeout=0.3,
    )
    try:
        assert time.monotonic() - started < 10
        assert module_json(client, "stubborn")["error"]["type"] == "HookTimeout"
        assert_good_still_serves(client)
    finally:
        release.set()


def test_on_startup_raising_fails_at_startup(hub_client) -> None:
    def on_startup() -> None:
        raise ConnectionError("device offline")

    client = hub_client(
        modules={
            "good": GOOD,
            "dev": fake_module(register_routes=good_routes, on_startup=on_startup),
        }
    )
    assert module_json(client, "dev")["error"] == {
        "stage": "startup",
        "type": "ConnectionError",
        "message": "device offline",
    }
    assert client.get("/api/v1/dev/ping").json() == {
        "detail": "module 'dev' is unavailable: startup"
    }
    assert_good_still_serves(client)


def test_on_startup_hanging_times_out_and_shutdown_skips_it(hub_client) -> None:
    stopped: list[str] = []

    async def on_startup() -> None:
        await asyncio.sleep(60)

    client = hub_client(
        modules={
            "good": GOOD,
            "slow": fake_module(
                register_routes=good_routes,
                on_startup=on_startup,
                on_shutdown=lambda: stopped.append("slow"),
            ),
        },
        hook_timeout=0.3,
    )
    assert module_json(client, "slow")["error"]["type"] == "HookTimeout"
    assert_good_still_serves(client)
    client.__exit__(None, None, None)
    assert stopped == []


def test_on_shutdown_raising_does_not_stop_the_others(hub_client) -> None:
    stopped: list[str] = []

    def boom() -> None:
        raise RuntimeError("shutdown failed")

    client = hub_client(
        modules={
            "aaa": fake_module(on_shutdown=lambda: stopped.append("aaa")),
            "bbb": fake_module(on_shutdown=boom),
        }
    )
    client.__exit__(None, None, None)
    assert stopped == ["aaa"]


def test_on_startup_blocking_the_event_loop_fails_at_startup_naming_it(hub_client) -> None:
    async def on_startup() -> None:
        time.sleep(1.2)

    client = hub_client(
        modules={"blocky": fake_module("blocky", on_startup=on_startup), "good": GOOD},
        hook_timeout=1.0,
    )
    record = assert_failed(client.app.state.hub, "blocky", "startup", "blocked the event loop")
    assert record.error is not None and record.error.type == "EventLoopBlocked"
    assert_good_still_serves(client)
