"""Migrations at app startup: done (in a worker thread) before the first request is
served; a module whose migration failed answers 503 through the gate."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import APIRouter

from bmc_hub_core import ModuleContext
from bmc_hub_core.errors import CoreMigrationError

from .conftest import RevisionWriter, table_sql
from .helpers import migrating_module


def counting_routes(table: str) -> Callable[..., Any]:
    def register_routes(module: ModuleContext) -> APIRouter:
        router = APIRouter()

        @router.get("/count")
        def count() -> dict[str, int]:
            with module.session() as session:
                value = session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            return {"count": int(value)}

        return router

    return register_routes


def test_auto_migrate_runs_before_requests_are_served(
    hub_client: Callable[..., Any], write_revisions: RevisionWriter
) -> None:
    folder = write_revisions("demo", [table_sql("demo_items")])
    original = folder / "demo_0001.py"
    # The revision records whether an event loop runs in its thread: it must not.
    original.write_text(
        original.read_text().replace(
            "def upgrade():\n",
            "def upgrade():\n    import asyncio, os\n"
            "    try:\n        asyncio.get_running_loop()\n        seen = 'loop'\n"
            "    except RuntimeError:\n        seen = 'no loop'\n"
            "    os.environ['BMC_TEST_MIGRATION_LOOP'] = seen\n",
        )
    )
    client = hub_client(
        modules={"demo": migrating_module(folder, register_routes=counting_routes("demo_items"))}
    )

    assert client.get("/api/v1/demo/count").json() == {"count": 0}
    assert os.environ.pop("BMC_TEST_MIGRATION_LOOP") == "no loop"


def test_failed_module_answers_503_and_others_are_served(
    hub_client: Callable[..., Any], write_revisions: RevisionWriter
) -> None:
    bad = write_revisions("bad", [table_sql("bad_items") + "\nraise RuntimeError('nope')"])
    good = write_revisions("good", [table_sql("good_items")])
    client = hub_client(
        modules={
            "bad": migrating_module(bad, register_routes=counting_routes("bad_items")),
            "good": migrating_module(good, register_routes=counting_routes("good_items")),
        }
    )

    answer = client.get("/api/v1/bad/count")
    assert answer.status_code == 503
    assert answer.json() == {"detail": "module 'bad' is unavailable: migrate"}
    assert client.get("/api/v1/good/count").json() == {"count": 0}


def test_auto_migrate_off_serves_nothing_behind(
    hub_client: Callable[..., Any], hub_database_url: str, write_revisions: RevisionWriter
) -> None:
    folder = write_revisions("demo", [table_sql("demo_items")])
    modules = {"demo": migrating_module(folder, register_routes=counting_routes("demo_items"))}
    # Core schema missing and auto-migrate off: startup stops with the fix in the message.
    with pytest.raises(CoreMigrationError, match="run `bmc-hub db upgrade` first"):
        hub_client(modules=modules, auto_migrate=False)
    hub_client(modules={}).close()  # migrates the core only

    client = hub_client(modules=modules, auto_migrate=False)

    answer = client.get("/api/v1/demo/count")
    assert answer.status_code == 503
    assert answer.json() == {"detail": "module 'demo' is unavailable: migrate"}
    engine = sa.create_engine(hub_database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        assert "demo_items" not in sa.inspect(conn).get_table_names()
    engine.dispose()
