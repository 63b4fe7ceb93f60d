"""Toggles reach every process sharing the database within the poll interval (+0.5 s).

Real ``bmc-hub serve`` processes on one PostgreSQL database, serving the installed
example module ``hello``: two single-worker servers, and one server with two workers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bmc_hub_core.testing.databases import temporary_postgres_database

from .conftest import require_postgres
from .servers import Server, serving

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

TOKEN = "cross-process-admin-token"
POLL = 0.5
#: The contract: every process applies a toggle within the poll interval plus 0.5 s.
BUDGET = POLL + 0.5
HELLO = "/api/v1/hello/"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with temporary_postgres_database(require_postgres()) as url:
        yield url


def hub_env(database_url: str) -> dict[str, str]:
    return {
        "BMC_HUB_DATABASE_URL": database_url,
        "BMC_HUB_MODULES": "hello",
        "BMC_HUB_ADMIN_TOKEN": TOKEN,
        "BMC_HUB_STATE_POLL_SECONDS": str(POLL),
    }


def toggle(server: Server, action: str) -> float:
    """POST the toggle; the time its answer arrived."""
    answer = httpx.post(
        f"{server.base}/api/v1/modules/hello/{action}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={"reason": "cross-process test"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return time.monotonic()


def status(server: Server) -> int:
    # A fresh connection per request, so a multi-worker server spreads them over workers.
    return httpx.get(server.base + HELLO, timeout=5).status_code


def seconds_until(server: Server, wanted: int, since: float, limit: float = 10.0) -> float:
    """How long after ``since`` the server first answered ``wanted``."""
    while time.monotonic() - since < limit:
        if status(server) == wanted:
            return time.monotonic() - since
        time.sleep(0.02)
    pytest.fail(f"{server.base} still did not answer {wanted} after {limit}s")


def all_answer(server: Server, wanted: int, requests: int = 20) -> list[int]:
    return [code for code in (status(server) for _ in range(requests)) if code != wanted]


def test_two_servers_share_toggles(tmp_path: Path, postgres_url: str) -> None:
    env = hub_env(postgres_url)
    # Started together: they also race for the migration lock on the same database.
    with (
        serving(tmp_path / "a", env, wait=False) as a,
        serving(tmp_path / "b", env, wait=False) as b,
    ):
        a.wait_until_up()
        b.wait_until_up()
        assert status(a) == 200
        assert status(b) == 200

        disabled_at = toggle(a, "disable")
        assert status(a) == 404  # the answering process applied it before answering
        assert seconds_until(b, 404, disabled_at) <= BUDGET
        body = httpx.get(b.base + HELLO, timeout=5).json()
        assert body == {"detail": "module 'hello' is disabled"}

        enabled_at = toggle(b, "enable")
        assert status(b) == 200
        assert seconds_until(a, 200, enabled_at) <= BUDGET


def test_workers_of_one_server_share_toggles(tmp_path: Path, postgres_url: str) -> None:
    with serving(tmp_path, hub_env(postgres_url), workers=2) as server:
        assert all_answer(server, 200) == []

        disabled_at = toggle(server, "disable")
        time.sleep(max(0.0, disabled_at + BUDGET - time.monotonic()))
        assert all_answer(server, 404) == []

        enabled_at = toggle(server, "enable")
        time.sleep(max(0.0, enabled_at + BUDGET - time.monotonic()))
        assert all_answer(server, 200) == []
        assert server.output().count("Started server process") >= 2


def test_a_toggle_is_enforced_at_once_through_notifications(
    tmp_path: Path, postgres_url: str
) -> None:
    # The poll is slow on purpose: only the notification can be this fast.
    env = {**hub_env(postgres_url), "BMC_HUB_STATE_POLL_SECONDS": "30"}
    with (
        serving(tmp_path / "a", env, wait=False) as a,
        serving(tmp_path / "b", env, wait=False, workers=2) as b,
    ):
        a.wait_until_up()
        b.wait_until_up()
        delays = []
        for action, wanted in [("disable", 404), ("enable", 200)] * 3:
            at = toggle(a, action)
            delays.append(seconds_until(b, wanted, at, limit=5))
            time.sleep(0.2)  # both workers of b: none may lag behind
            assert all_answer(b, wanted, requests=10) == []
        assert sorted(delays)[len(delays) // 2] < 0.5, delays


def test_no_request_is_served_after_the_disable_is_enforced(
    tmp_path: Path, postgres_url: str
) -> None:
    """Requests under load on another process: once one answered 404, none that started
    later answers 200."""
    import threading

    env = {**hub_env(postgres_url), "BMC_HUB_STATE_POLL_SECONDS": "30"}
    with (
        serving(tmp_path / "a", env, wait=False) as a,
        serving(tmp_path / "b", env, wait=False) as b,
    ):
        a.wait_until_up()
        b.wait_until_up()
        seen: list[tuple[float, float, int]] = []
        stop = threading.Event()

        def hammer() -> None:
            with httpx.Client(base_url=b.base, timeout=5) as http:
                while not stop.is_set():
                    started = time.monotonic()
                    code = http.get(HELLO).status_code
                    seen.append((started, time.monotonic(), code))

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        toggle(a, "disable")
        time.sleep(1.0)
        stop.set()
        for thread in threads:
            thread.join(10)
    first_404 = min(end for _start, end, code in seen if code == 404)
    served_after = [s for s in seen if s[0] > first_404 and s[2] == 200]
    assert served_after == []
    assert any(code == 200 for *_, code in seen)  # the load ran before the disable


def test_the_listener_reconnects_after_its_connection_is_dropped(
    tmp_path: Path, postgres_url: str
) -> None:
    import sqlalchemy as sa

    env = {**hub_env(postgres_url), "BMC_HUB_STATE_POLL_SECONDS": "30"}
    admin = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool)
    listening = sa.text(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND query LIKE 'LISTEN %'"
    )
    try:
        with serving(tmp_path, env) as server:
            # The listener connects in the background once the server is up.
            deadline = time.monotonic() + 10
            with admin.connect() as conn:
                while not (dropped := conn.execute(listening).all()):
                    assert time.monotonic() < deadline, "no LISTEN connection seen"
                    time.sleep(0.1)
            assert len(dropped) == 1
            time.sleep(2.0)  # the listener's first reconnect is after 0.5 s
            at = toggle_direct(postgres_url)
            assert seconds_until(server, 404, at, limit=5) < 1.0
            assert "reconnecting in" in server.output()
    finally:
        admin.dispose()


def toggle_direct(database_url: str) -> float:
    """A toggle written by another process (as the CLI or another replica would)."""
    from bmc_hub_core.db import make_engine
    from bmc_hub_core.state import write_toggle

    engine = make_engine(database_url)
    try:
        write_toggle(engine, "hello", enabled=False, by="test", reason=None)
    finally:
        engine.dispose()
    return time.monotonic()
