"""Health: concurrent, time-boxed checks that never block a worker; cached; per module."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Iterator

import pytest

from bmc_hub_core import HealthResult, ModuleContext
from bmc_hub_core.health import normalize

from .fakes import fake_module, ignores_cancellation


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Lets hanging sync checks end when the test is over (their threads are daemons)."""
    event = threading.Event()
    yield event
    event.set()


def healthy() -> bool:
    return True


def test_health_data_is_sent_as_json_or_the_check_is_failing(hub_admin_client) -> None:
    def dated() -> dict[str, object]:
        return {"ok": True, "checked": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)}

    def opaque() -> dict[str, object]:
        return {"ok": True, "connection": object()}

    def not_a_number() -> dict[str, object]:
        return {"ok": True, "latency": float("nan")}

    def cancelled() -> bool:
        raise asyncio.CancelledError

    async def cancelled_async() -> bool:
        raise asyncio.CancelledError

    client = hub_admin_client(
        modules={
            "dated": fake_module("dated", health=dated),
            "opaque": fake_module("opaque", health=opaque),
            "nan": fake_module("nan", health=not_a_number),
            "cancel": fake_module("cancel", health=cancelled),
            "cancel_async": fake_module("cancel_async", health=cancelled_async),
            "fine": fake_module("fine", health=healthy),
        }
    )
    answer = client.get("/api/v1/health")
    assert answer.status_code == 200
    body = answer.json()
    assert body["modules"] == {
        "dated": "ok",
        "opaque": "failing",
        "nan": "failing",
        "cancel": "failing",
        "cancel_async": "failing",
        "fine": "ok",
    }
    assert body["details"]["dated"]["data"] == {"checked": "2026-01-02T03:04:00+00:00"}
    assert "cannot be shown as JSON" in body["details"]["opaque"]["detail"]
    assert body["details"]["cancel"]["detail"].startswith("CancelledError")
    one = client.get("/api/v1/dated/health")
    assert one.status_code == 200 and one.json()["data"]["checked"].startswith("2026-01-02")
    assert client.get("/api/v1/opaque/health").status_code == 503
    assert client.get("/api/v1/nan/health").status_code == 503
    assert client.get("/api/v1/cancel_async/health").status_code == 503
    listed = client.get("/api/v1/modules")
    assert listed.status_code == 200
    health = {m["name"]: m["health"]["status"] for m in listed.json() if m["health"]}
    assert health["cancel_async"] == "failing" and health["dated"] == "ok"


def test_hanging_and_raising_checks_cannot_hold_the_aggregate(hub_client, release):
    def hangs_sync() -> bool:
        release.wait(30)
        return True

    async def hangs_async() -> bool:
        await asyncio.sleep(30)
        return True

    def raises() -> bool:
        raise RuntimeError("database unreachable")

    def on_startup() -> None:
        raise RuntimeError("no device")

    client = hub_client(
        modules={
            "slow_sync": fake_module("slow_sync", health=hangs_sync),
            "slow_async": fake_module("slow_async", health=hangs_async),
            "broken": fake_module("broken", health=raises),
            "fine": fake_module("fine", health=healthy),
            "nohook": fake_module("nohook"),
            "dead": fake_module("dead", on_startup=on_startup),
        },
        health_timeout=1.0,
    )
    started = time.monotonic()
    answer = client.get("/api/v1/health")
    elapsed = time.monotonic() - started
    assert answer.status_code == 200
    assert elapsed < 2.0, f"aggregate took {elapsed:.2f}s"
    body = answer.json()
    assert body["status"] == "degraded"
    assert body["modules"] == {
        "broken": "failing",
        "dead": "unavailable",
        "fine": "ok",
        "nohook": "ok",
        "slow_async": "timeout",
        "slow_sync": "timeout",
    }
    assert body["details"]["broken"]["detail"] == "RuntimeError: database unreachable"
    assert body["details"]["slow_sync"]["detail"] == (
        "health check did not return within 1s; make it faster or raise BMC_HUB_HEALTH_TIMEOUT"
    )
    assert body["details"]["dead"]["detail"] == "no device"

    # The sync check is still stuck in its thread: the next request does not start
    # another one, it reports the timeout at once.
    started = time.monotonic()
    assert client.get("/api/v1/slow_sync/health").json()["status"] == "timeout"
    assert time.monotonic() - started < 0.5


def test_an_async_check_that_swallows_its_cancellation_cannot_hold_the_aggregate(
    hub_client, release
):
    stubborn = ignores_cancellation(release)
    client = hub_client(
        modules={"stubborn": fake_module("stubborn", health=stubborn)}, health_timeout=1.0
    )
    started = time.monotonic()
    body = client.get("/api/v1/health").json()
    assert time.monotonic() - started < 2.0
    assert body["modules"] == {"stubborn": "timeout"}
    assert "did not return within 1s" in body["details"]["stubborn"]["detail"]
    # While it still runs, later requests answer at once instead of waiting again.
    started = time.monotonic()
    assert client.get("/api/v1/stubborn/health").status_code == 503
    assert time.monotonic() - started < 0.5


def test_other_requests_are_served_while_a_check_hangs(hub_client, release):
    def hangs() -> bool:
        release.wait(30)
        return True

    client = hub_client(modules={"slow": fake_module("slow", health=hangs)}, health_timeout=1.0)
    results: list[int] = []
    worker = threading.Thread(
        target=lambda: results.append(client.get("/api/v1/health").status_code)
    )
    worker.start()
    time.sleep(0.2)
    started = time.monotonic()
    assert client.get("/login").status_code == 200
    assert time.monotonic() - started < 0.5
    worker.join(5)
    assert results == [200]


def test_module_health_endpoint_is_200_when_ok_and_503_otherwise(hub_client):
    def failing() -> HealthResult:
        return HealthResult(ok=False, detail="queue is full", data={"depth": 900})

    client = hub_client(
        modules={
            "fine": fake_module("fine", health=healthy),
            "sick": fake_module("sick", health=failing),
        }
    )
    ok = client.get("/api/v1/fine/health")
    assert ok.status_code == 200
    assert ok.json() == {"name": "fine", "status": "ok", "detail": None, "data": {}}
    sick = client.get("/api/v1/sick/health")
    assert sick.status_code == 503
    assert sick.json() == {
        "name": "sick",
        "status": "failing",
        "detail": "queue is full",
        "data": {"depth": 900},
    }
    assert client.get("/api/v1/nosuch/health").status_code == 404
    # Not allowed modules are not reported (hello is installed, not allowed).
    assert client.get("/api/v1/hello/health").status_code == 404


def test_disabled_module_reports_disabled_and_the_hub_stays_ok(hub_admin_client):
    client = hub_admin_client(modules={"fine": fake_module("fine", health=healthy)})
    assert client.post("/api/v1/modules/fine/disable").status_code == 200
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["modules"] == {"fine": "disabled"}
    # The gate lets the health route through for a disabled module.
    answer = client.get("/api/v1/fine/health")
    assert answer.status_code == 503
    assert answer.json()["status"] == "disabled"


def test_results_are_cached_so_probes_cannot_overload_a_module(hub_client):
    calls: list[float] = []

    def counted(module: ModuleContext) -> bool:
        calls.append(time.monotonic())
        return True

    client = hub_client(
        modules={"counted": fake_module("counted", health=counted)}, health_cache_seconds=30.0
    )
    for _ in range(5):
        assert client.get("/api/v1/health").json()["modules"] == {"counted": "ok"}
        assert client.get("/api/v1/counted/health").status_code == 200
    assert len(calls) == 1


def test_concurrent_requests_share_one_running_check(hub_client):
    calls: list[int] = []

    async def slowish() -> bool:
        calls.append(1)
        await asyncio.sleep(0.3)
        return True

    client = hub_client(modules={"slowish": fake_module("slowish", health=slowish)})
    threads = [threading.Thread(target=lambda: client.get("/api/v1/health")) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert calls == [1]


@pytest.mark.parametrize(
    ("value", "status", "detail"),
    [
        (True, "ok", None),
        (False, "failing", None),
        ({"ok": False, "detail": "down", "x": 1}, "failing", "down"),
        (HealthResult(ok=True, detail="fine"), "ok", "fine"),
        ("yes", "failing", "health returned str; expected HealthResult, bool, or a dict"),
    ],
)
def test_health_return_values_are_normalised(value, status, detail):
    result = normalize(value)
    assert result.status == status
    assert (result.detail or "").startswith(detail or "")
