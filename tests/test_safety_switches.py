"""READ_ONLY and DRY_RUN are enforced by the core, whatever the module does.

The fixture module writes through ``module.session()`` into a table it owns
(``notes_items``), created in its ``on_startup`` from its prefixed metadata.
"""

from __future__ import annotations

import types

import pytest
import sqlalchemy as sa
from fastapi import APIRouter

from bmc_hub_core import ModuleContext

from .fakes import fake_module


def notes_module() -> types.ModuleType:
    tables: dict[str, sa.Table] = {}

    def items(module: ModuleContext) -> sa.Table:
        if "items" not in tables:
            metadata = module.metadata()
            tables["items"] = sa.Table(
                module.table("items"),
                metadata,
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("text", sa.String(100), nullable=False),
            )
        return tables["items"]

    def on_startup(module: ModuleContext) -> None:
        items(module).metadata.create_all(module.engine)

    def register_routes(module: ModuleContext) -> APIRouter:
        router = APIRouter()

        @router.post("/items", status_code=201)
        def add(text: str) -> dict[str, object]:
            with module.session() as session:
                session.execute(sa.insert(items(module)).values(text=text))
                session.commit()
            return {"added": text, "dry_run": module.dry_run}

        @router.get("/items")
        def listing() -> list[str]:
            with module.session() as session:
                return list(session.scalars(sa.select(items(module).c.text)))

        return router

    return fake_module("notes", on_startup=on_startup, register_routes=register_routes)


def stored_texts(url: str) -> list[str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(sa.text("SELECT text FROM notes_items ORDER BY id")))
    finally:
        engine.dispose()


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
