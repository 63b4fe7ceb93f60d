"""Health: concurrent, time-boxed checks that never block a worker; cached; per module."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from bmc_hub_core import HealthResult, ModuleContext, ModuleSettings
from bmc_hub_core.health import normalize
from bmc_hub_core.testing import ADMIN_TOKEN as ADMIN

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
    assert set(body) == {"status", "modules"}  # public: states only
    assert admin_health(client, "dated")["data"] == {"checked": "2026-01-02T03:04:00+00:00"}
    assert "cannot be shown as JSON" in admin_health(client, "opaque")["detail"]
    assert admin_health(client, "cancel")["detail"].startswith("CancelledError")
    one = client.get("/api/v1/dated/health")
    assert one.status_code == 200 and one.json() == {"name": "dated", "status": "ok"}
    assert client.get("/api/v1/opaque/health").status_code == 503
    assert client.get("/api/v1/nan/health").status_code == 503
    assert client.get("/api/v1/cancel_async/health").status_code == 503
    listed = client.get("/api/v1/modules")
    assert listed.status_code == 200
    health = {m["name"]: m["health"]["status"] for m in listed.json() if m["health"]}
    assert health["cancel_async"] == "failing" and health["dated"] == "ok"


def admin_health(client: Any, name: str) -> dict[str, Any]:
    """A module's health as the admin API shows it (with the reason and data)."""
    answer = client.get(f"/api/v1/modules/{name}", headers={"Authorization": f"Bearer {ADMIN}"})
    assert answer.status_code == 200, answer.text
    health: dict[str, Any] = answer.json()["health"]
    return health


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
    assert "database unreachable" not in answer.text  # public: states only
    assert admin_health(client, "broken")["detail"] == "RuntimeError: database unreachable"
    assert admin_health(client, "slow_sync")["detail"] == (
        "health check did not return within 1s; make it faster or raise BMC_HUB_HEALTH_TIMEOUT"
    )
    assert admin_health(client, "dead")["detail"] == "no device"

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
    assert "did not return within 1s" in admin_health(client, "stubborn")["detail"]
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
    assert ok.json() == {"name": "fine", "status": "ok"}
    sick = client.get("/api/v1/sick/health")
    assert sick.status_code == 503
    assert sick.json() == {"name": "sick", "status": "failing"}
    assert admin_health(client, "sick") == {
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


class KeyedSettings(ModuleSettings):
    api_key: str = "k3y-from-the-environment"
    password: SecretStr = SecretStr("pa55word-value")
    region: str = "eu-north"


def test_public_health_tells_nothing_and_admins_see_secrets_masked(hub_client, caplog):
    def register_settings() -> type[ModuleSettings]:
        return KeyedSettings

    def leaky(module: ModuleContext) -> bool:
        settings = module.settings
        assert isinstance(settings, KeyedSettings)
        raise RuntimeError(
            f"api_key={settings.api_key} password={settings.password.get_secret_value()} "
            "url=postgresql://app:db-pa55@db/hub region=" + settings.region
        )

    def failing_import_like() -> None:
        raise RuntimeError("cannot reach postgresql://app:other-pa55@db/hub")

    client = hub_client(
        modules={
            "leaky": fake_module("leaky", register_settings=register_settings, health=leaky),
            "dead": fake_module("dead", on_startup=failing_import_like),
        }
    )
    public = [client.get("/api/v1/health"), client.get("/api/v1/leaky/health")]
    public.append(client.get("/api/v1/dead/health"))
    for answer in public:
        assert "pa55" not in answer.text and "k3y" not in answer.text
        assert "RuntimeError" not in answer.text and "region" not in answer.text
    assert public[0].json() == {
        "status": "degraded",
        "modules": {"dead": "unavailable", "leaky": "failing"},
    }
    detail = admin_health(client, "leaky")["detail"]
    assert detail == (
        "RuntimeError: api_key=********** password=********** "
        "url=postgresql://app:***@db/hub region=eu-north"
    )
    record = client.get("/api/v1/modules/dead", headers={"Authorization": f"Bearer {ADMIN}"}).json()
    assert record["error"]["message"] == "cannot reach postgresql://app:***@db/hub"
    shown = client.get(
        "/api/v1/modules/leaky", headers={"Authorization": f"Bearer {ADMIN}"}
    ).json()["settings"]
    assert shown["api_key"] == "**********" and shown["password"] == "**********"
    assert shown["region"] == "eu-north"
    assert "other-pa55" not in caplog.text


def test_an_async_check_that_blocks_the_loop_is_named_and_then_isolated(hub_client, caplog):
    async def blocks(module: ModuleContext) -> bool:
        time.sleep(1.5)  # blocking code in a coroutine: nothing can interrupt it
        return True

    client = hub_client(
        modules={
            "blocker": fake_module("blocker", health=blocks),
            "fine": fake_module("fine", health=healthy),
        },
        health_timeout=1.0,
    )
    body = client.get("/api/v1/health").json()
    assert body["modules"] == {"blocker": "failing", "fine": "ok"}
    message = "hook health of module 'blocker' blocked the event loop for 1."
    assert caplog.text.count(message) == 1
    assert "make it a plain `def`" in caplog.text
    # From now on the hook runs in a thread of its own: it times out without holding
    # the loop, so other requests are answered meanwhile.
    results: list[float] = []

    def other() -> None:
        time.sleep(0.2)
        started = time.monotonic()
        assert client.get("/api/v1/fine/health").status_code == 200
        results.append(time.monotonic() - started)

    worker = threading.Thread(target=other)
    worker.start()
    assert admin_health(client, "blocker")["status"] == "timeout"
    worker.join(5)
    assert results and results[0] < 0.5, results
    assert caplog.text.count(message) == 1  # logged once
