"""READ_ONLY and DRY_RUN are enforced by the core, whatever the module does.

The fixture module writes through ``module.session()`` into a table it owns
(``notes_items``), created in its ``on_startup`` from its prefixed metadata on an engine
of its own, as a migration would (``module.engine`` of a DRY_RUN module keeps nothing).
"""

from __future__ import annotations

import time
import types

import pytest
import sqlalchemy as sa
from fastapi import APIRouter
from starlette.testclient import TestClient

from bmc_hub_core import ModuleContext

from .fakes import TextTable, fake_module
from .fakes import stored_texts as texts_in


def notes_module() -> types.ModuleType:
    items = TextTable("items")

    def register_routes(module: ModuleContext) -> APIRouter:
        router = APIRouter()

        @router.post("/items", status_code=201)
        def add(text: str) -> dict[str, object]:
            with module.session() as session:
                session.execute(sa.insert(items.of(module)).values(text=text))
                session.commit()
            return {"added": text, "dry_run": module.dry_run}

        @router.get("/items")
        def listing() -> list[str]:
            with module.session() as session:
                return list(session.scalars(sa.select(items.of(module).c.text)))

        return router

    return fake_module("notes", on_startup=items.on_startup(), register_routes=register_routes)


def stored_texts(url: str) -> list[str]:
    return texts_in(url, "notes_items")


def switches(read_only: bool, dry_run: bool) -> dict[str, str]:
    return {
        "MODULES__NOTES__READ_ONLY": str(read_only).lower(),
        "MODULES__NOTES__DRY_RUN": str(dry_run).lower(),
    }


def test_by_default_writes_are_refused_and_nothing_is_stored(hub_client, hub_database_url):
    client = hub_client(modules={"notes": notes_module()})
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        answer = client.request(method, "/api/v1/notes/items", params={"text": "a"})
        assert answer.status_code == 403, method
        assert answer.json() == {"detail": "module 'notes' is read-only"}
        assert answer.headers["x-bmc-dry-run"] == "true"
    read = client.get("/api/v1/notes/items")
    assert read.status_code == 200
    assert read.headers["x-bmc-dry-run"] == "true"
    assert stored_texts(hub_database_url) == []


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS"])
def test_safe_methods_pass_a_read_only_module(hub_client, method):
    client = hub_client(modules={"notes": notes_module()})
    # Not 403: the route answers (405 for OPTIONS, as FastAPI does without CORS).
    assert client.request(method, "/api/v1/notes/items").status_code != 403


def test_dry_run_writes_nothing_and_says_so(hub_client, hub_database_url):
    client = hub_client(
        modules={"notes": notes_module()}, env=switches(read_only=False, dry_run=True)
    )
    answer = client.post("/api/v1/notes/items", params={"text": "draft"})
    assert answer.status_code == 201
    assert answer.json() == {"added": "draft", "dry_run": True}
    assert answer.headers["x-bmc-dry-run"] == "true"
    assert stored_texts(hub_database_url) == []
    assert client.get("/api/v1/notes/items").json() == []


def test_both_switches_off_persist(hub_client, hub_database_url):
    client = hub_client(
        modules={"notes": notes_module()}, env=switches(read_only=False, dry_run=False)
    )
    answer = client.post("/api/v1/notes/items", params={"text": "kept"})
    assert answer.status_code == 201
    assert "x-bmc-dry-run" not in answer.headers
    assert stored_texts(hub_database_url) == ["kept"]
    assert client.get("/api/v1/notes/items").json() == ["kept"]


def test_admins_see_both_switches(hub_admin_client):
    client = hub_admin_client(
        modules={"notes": notes_module()}, env=switches(read_only=False, dry_run=True)
    )
    record = client.get("/api/v1/modules/notes").json()
    assert (record["read_only"], record["dry_run"]) == (False, True)


def handles_module() -> types.ModuleType:
    """Writes one row per request through a different handle of ``module``."""
    items = sa.table("handles_items", sa.column("text", sa.String))

    def on_startup(module: ModuleContext) -> None:
        own = sa.create_engine(module.engine.url, poolclass=sa.pool.NullPool)
        with own.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS handles_items (text VARCHAR(50))")
        own.dispose()

    def register_routes(module: ModuleContext) -> APIRouter:
        from sqlalchemy.orm import Session, sessionmaker

        router = APIRouter()
        insert = sa.insert(items).values(text="x")

        @router.post("/engine-begin")
        def engine_begin() -> str:
            with module.engine.begin() as conn:
                conn.execute(insert)
            return "ok"

        @router.post("/own-session")
        def own_session() -> str:
            with Session(module.engine) as session:
                session.execute(insert)
                session.commit()
            return "ok"

        @router.post("/own-sessionmaker")
        def own_sessionmaker() -> str:
            with sessionmaker(bind=module.engine)() as session:
                session.execute(insert)
                session.commit()
            return "ok"

        @router.post("/hub-sessionmaker")
        def hub_sessionmaker() -> str:
            factory = module.sessionmaker()
            factory.configure(autoflush=False)  # what sqladmin does to the factory it gets
            with factory() as session:
                session.execute(insert)
                session.commit()
            return "ok"

        @router.post("/dbapi-commit")
        def dbapi_commit() -> str:
            raw = module.engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute("INSERT INTO handles_items (text) VALUES ('x')")
                raw.commit()
            finally:
                raw.close()
            return "ok"

        @router.post("/raw-commit")
        def raw_commit() -> str:
            with module.engine.connect() as conn:
                conn.execute(insert)
                conn.exec_driver_sql("COMMIT")
            return "ok"

        @router.post("/forgotten")
        def forgotten() -> str:
            session = module.session()  # never closed
            session.execute(insert)
            session.commit()
            return "ok"

        @router.post("/boom")
        def boom() -> str:
            raise RuntimeError("the module broke")

        @router.get("/count")
        def count() -> int:
            with module.session() as session:
                return int(session.scalar(sa.select(sa.func.count()).select_from(items)) or 0)

        return router

    return fake_module("handles", on_startup=on_startup, register_routes=register_routes)


def _handles_kept(url: str) -> int:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(sa.text("SELECT count(*) FROM handles_items")) or 0)
    finally:
        engine.dispose()


HANDLE_ROUTES = [
    "engine-begin",
    "own-session",
    "own-sessionmaker",
    "hub-sessionmaker",
    "dbapi-commit",
]


@pytest.mark.parametrize("route", HANDLE_ROUTES)
def test_dry_run_keeps_nothing_whatever_handle_the_module_writes_through(
    hub_client, hub_database_url, route
):
    env = {"MODULES__HANDLES__READ_ONLY": "false"}
    client = hub_client(modules={"handles": handles_module()}, env=env)
    answer = client.post(f"/api/v1/handles/{route}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-bmc-dry-run"] == "true"
    assert _handles_kept(hub_database_url) == 0
    # The same route with DRY_RUN off does write: the check above could fail.
    live = hub_client(
        modules={"handles": handles_module()},
        env={**env, "MODULES__HANDLES__DRY_RUN": "false"},
    )
    assert "x-bmc-dry-run" not in live.post(f"/api/v1/handles/{route}").headers
    assert _handles_kept(hub_database_url) == 1


def test_a_commit_sent_as_sql_is_refused_with_a_500_that_says_dry_run(
    hub_client, hub_database_url, caplog
):
    client = hub_client(
        modules={"handles": handles_module()}, env={"MODULES__HANDLES__READ_ONLY": "false"}
    )
    answer = client.post("/api/v1/handles/raw-commit")
    assert answer.status_code == 500
    assert answer.json() == {"detail": "internal server error; the hub logged the details"}
    assert answer.headers["x-bmc-dry-run"] == "true"
    assert "module 'handles' is in DRY_RUN: the SQL statement COMMIT" in caplog.text
    assert _handles_kept(hub_database_url) == 0


@pytest.mark.parametrize("dry_run", [True, False])
def test_500s_say_dry_run_exactly_when_it_is_in_force(hub_app, caplog, dry_run):
    env = {"MODULES__HANDLES__READ_ONLY": "false", "MODULES__HANDLES__DRY_RUN": str(dry_run)}
    app = hub_app(modules={"handles": handles_module()}, env=env)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post("/api/v1/handles/boom")
    assert answer.status_code == 500
    assert answer.json() == {"detail": "internal server error; the hub logged the details"}
    assert ("x-bmc-dry-run" in answer.headers) is dry_run
    assert "the module broke" in caplog.text


def test_a_forgotten_dry_run_session_is_rolled_back_at_the_end_of_the_request(
    hub_client, hub_database_url, caplog
):
    client = hub_client(
        modules={"handles": handles_module()},
        env={"MODULES__HANDLES__READ_ONLY": "false"},
        headers={"Authorization": "Bearer test-admin-token"},
    )
    assert client.post("/api/v1/handles/forgotten").status_code == 200
    assert "left 1 database connection(s) open" in caplog.text
    started = time.monotonic()
    # Before: the open session held SQLite's write lock and this waited 30 s, then failed.
    toggled = client.post("/api/v1/modules/handles/disable")
    assert toggled.status_code == 200, toggled.text
    assert time.monotonic() - started < 5
    assert _handles_kept(hub_database_url) == 0
