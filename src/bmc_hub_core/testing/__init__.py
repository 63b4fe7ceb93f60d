"""``bmc_hub_core.testing``: the pytest plugin for module authors (and the core's tests).

Registered through the ``pytest11`` entry point, so installing ``bmc-hub-core`` makes
these fixtures available:

- ``hub_database_url``: a fresh SQLite file, or a fresh PostgreSQL database when
  ``BMC_HUB_TEST_DATABASE_URL`` points at a server (the database is created and dropped).
- ``hub_settings``: :class:`~bmc_hub_core.Settings` on that database, with the admin
  token :data:`ADMIN_TOKEN`.
- ``hub_app(*, modules=None, installed=(), env=None, **overrides)``: build an app with
  in-process module objects (``{"name": obj}``) and/or installed module names.
- ``hub_client(...)``: the same, started (lifespan run) as a Starlette ``TestClient``.
- ``hub_admin_client(...)``: a ``hub_client`` that sends the admin token.

And helpers: :func:`module_env` builds ``MODULES__NAME__KEY`` variables for ``env=``;
:func:`module_context` is the context a module's hooks get; :func:`run_job` runs one of
its jobs exactly as ``bmc-hub worker`` does (a forked process, its switches, its timeout);
:func:`assert_migrations_conform`, :func:`module_alembic_config` and
:func:`core_tables_engine` (from :mod:`bmc_hub_core.testing.migrations`) check a module's
migrations against the hub's rules and run pytest-alembic's tests on them.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# pytest loads this plugin in every environment that has bmc-hub-core installed, so it
# imports nothing heavy up front: the hub, FastAPI and the test client (which needs
# httpx, a test-only dependency) load when a fixture first needs them.
if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.testclient import TestClient

    from ..context import ModuleContext
    from ..jobs.child import RunEnd
    from ..settings import Settings
    from .migrations import assert_migrations_conform, core_tables_engine, module_alembic_config

ADMIN_TOKEN = "test-admin-token"
DATABASE_ENV = "BMC_HUB_TEST_DATABASE_URL"

__all__ = [
    "ADMIN_TOKEN",
    "DATABASE_ENV",
    "AppFactory",
    "ClientFactory",
    "assert_migrations_conform",
    "core_tables_engine",
    "module_alembic_config",
    "module_context",
    "module_env",
    "run_job",
]

AppFactory = Callable[..., "FastAPI"]
ClientFactory = Callable[..., "TestClient"]


def __getattr__(name: str) -> Any:
    if name in ("assert_migrations_conform", "core_tables_engine", "module_alembic_config"):
        from . import migrations

        return getattr(migrations, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _test_client() -> type[TestClient]:
    try:
        with warnings.catch_warnings():
            # Starlette's deprecation of httpx in its TestClient: not the author's concern.
            warnings.filterwarnings("ignore", message=".*httpx2.*")
            from starlette.testclient import TestClient
    except (ImportError, RuntimeError) as exc:  # Starlette raises RuntimeError without httpx
        pytest.fail(
            f"hub_client needs httpx, the HTTP client of Starlette's TestClient ({exc}); "
            "install it: pip install httpx (bmc-hub-core[test] includes it)",
            pytrace=False,
        )
    return TestClient


def module_env(name: str, **values: object) -> dict[str, str]:
    """``MODULES__NAME__KEY`` variables for ``hub_app(env=...)``/``hub_client(env=...)``.

    ``module_env("invoice_ocr", read_only=False, dry_run=False)`` returns
    ``{"MODULES__INVOICE_OCR__READ_ONLY": "false", "MODULES__INVOICE_OCR__DRY_RUN": "false"}``:
    booleans as ``true``/``false``, everything else with ``str()``.
    """
    from ..module_settings import env_prefix

    prefix = env_prefix(name)
    return {
        f"{prefix}{key.upper()}": (str(value).lower() if isinstance(value, bool) else str(value))
        for key, value in values.items()
    }


def module_context(app: FastAPI, name: str) -> ModuleContext:
    """The ``ModuleContext`` the hub gave module ``name`` in ``app`` (from ``hub_app`` or
    ``hub_client(...).app``), e.g. to call a job function as the worker would:
    ``sync(module_context(client.app, "crm"), customer_id=5)``."""
    record = app.state.hub.registry.get(name)
    if record is None or record.context is None:
        pytest.fail(f"module {name!r} is not loaded in this app", pytrace=False)
    context: ModuleContext = record.context
    return context


def run_job(app: FastAPI, name: str, **kwargs: Any) -> RunEnd:
    """Run job ``name`` (``MODULE.job``) of ``app`` once, as ``bmc-hub worker`` runs a
    claimed run: in a forked process with the module's context, its READ_ONLY
    (read-only database connections) and DRY_RUN (nothing kept) switches, and its
    ``timeout``. Nothing is queued or recorded, and the module's enabled state is not
    checked (the worker checks it before it claims a run).

    Returns how the run ended: ``.error`` is None when it succeeded, else the error a
    run record would show; ``.final`` is True for ``JobFailed``, ``.retry_after`` the
    seconds of a ``RetryLater``::

        end = run_job(client.app, "cvr.refresh", cvr="12345674")
        assert end.error is None
    """
    import json

    from ..errors import UsageError
    from ..jobs.catalog import find
    from ..jobs.child import run_and_wait
    from ..jobs.queue import dump_kwargs

    try:
        record, job = find(app.state.hub, name)
        # The worker hands a job its arguments as they come back from the queue's JSON.
        arguments = json.loads(dump_kwargs(name, kwargs))
    except UsageError as exc:  # an unknown job, or arguments that are not JSON
        pytest.fail(f"run_job({name!r}): {exc}", pytrace=False)
    return run_and_wait(module_context(app, record.name), job, arguments)


@pytest.fixture
def hub_database_url(tmp_path: Path) -> Iterator[str]:
    """A database no other test uses: SQLite by default, PostgreSQL via the env var."""
    from .databases import sqlite_url, temporary_postgres_database

    server = os.environ.get(DATABASE_ENV)
    if server:
        with temporary_postgres_database(server) as url:
            yield url
    else:
        yield sqlite_url(tmp_path)


@pytest.fixture
def hub_settings(hub_database_url: str) -> Settings:
    """Core settings for tests: the test database, an admin token, fast polling."""
    from pydantic import SecretStr

    from ..settings import Settings

    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=hub_database_url,
        modules="",
        admin_token=SecretStr(ADMIN_TOKEN),
        health_timeout=2.0,
        health_cache_seconds=0.0,
        state_poll_seconds=0.2,
        hook_timeout=5.0,
    )


@pytest.fixture
def hub_app(hub_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AppFactory:
    """Factory: ``hub_app(modules={"demo": obj}, installed=["x"], env={...}, **overrides)``."""

    def build(
        *,
        modules: Mapping[str, object] | None = None,
        installed: tuple[str, ...] | list[str] = (),
        env: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> FastAPI:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        allowed = ",".join([*installed, *overrides.pop("extra_allowed", ())])
        settings = hub_settings.model_copy(update={"modules": allowed, **overrides})
        from ..app import create_app

        return create_app(settings, modules=dict(modules or {}))

    return build


@pytest.fixture
def hub_client(hub_app: AppFactory) -> Iterator[ClientFactory]:
    """Factory: like ``hub_app`` but returns a started ``TestClient`` (closed after)."""
    clients: list[TestClient] = []
    client_class = _test_client()

    def build(*, headers: Mapping[str, str] | None = None, **kwargs: Any) -> TestClient:
        client = client_class(hub_app(**kwargs), headers=dict(headers or {}))
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def hub_admin_client(hub_client: ClientFactory) -> ClientFactory:
    """Factory: a ``hub_client`` that sends ``Authorization: Bearer <ADMIN_TOKEN>``."""

    def build(**kwargs: Any) -> TestClient:
        return hub_client(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, **kwargs)

    return build
