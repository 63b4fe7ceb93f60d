"""Shared fixtures for the core's own tests.

Every test that asks for ``hub_database_url`` (directly or through ``hub_settings``,
``hub_app``, ``hub_client``) runs twice: on SQLite and on a fresh PostgreSQL database.
Without PostgreSQL a local run skips those with the reason; with
``BMC_HUB_REQUIRE_POSTGRES=1`` (CI) they fail instead.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bmc_hub_core.testing.databases import (
    postgres_reachable,
    sqlite_url,
    temporary_postgres_database,
)
from tests.installs import pip_install_target

POSTGRES_URL = os.environ.get(
    "BMC_HUB_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("BMC_HUB_REQUIRE_POSTGRES") == "1"


@functools.cache
def _postgres_problem() -> str | None:
    return postgres_reachable(POSTGRES_URL)


def require_postgres() -> str:
    """The admin URL of the test server, or skip/fail (CI) with the reason."""
    problem = _postgres_problem()
    if problem:
        message = f"PostgreSQL at {POSTGRES_URL} is unreachable: {problem}"
        if REQUIRE_POSTGRES:
            pytest.fail(message + " (BMC_HUB_REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hub_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database on each backend (overrides the plugin's single-backend fixture)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with temporary_postgres_database(require_postgres()) as url:
        yield url


@pytest.fixture
def sqlite_only_url(tmp_path: Path) -> str:
    """For tests about SQLite-specific behaviour (file locks, the default URL)."""
    return sqlite_url(tmp_path)


DISTS = Path(__file__).parent / "dists"
#: Real distributions (good and broken) installed for entry-point tests.
TEST_DISTRIBUTIONS = sorted(p for p in DISTS.glob("bmc-hub-*") if (p / "pyproject.toml").exists())


@pytest.fixture(scope="session")
def installed_dists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test distributions, really installed (pip, with .dist-info) into a folder.

    Nothing is put on ``sys.path`` here: ask for ``with_dists`` (in-process) or pass the
    folder as PYTHONPATH to a subprocess.
    """
    return pip_install_target(tmp_path_factory.mktemp("site"), *TEST_DISTRIBUTIONS)


@pytest.fixture
def with_dists(installed_dists: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the installed test distributions discoverable for this test only."""
    monkeypatch.syspath_prepend(str(installed_dists))
    return installed_dists


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio, the loop uvicorn uses."""
    return "asyncio"
