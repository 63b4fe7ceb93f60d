"""fastapi-pagination: add_pagination(router) as its docs say, paginate() on module.session()."""

from __future__ import annotations

from typing import Any

from . import pagination_module
from .conftest import Database


def _catalog(hub_admin_client: Any, database: Database, count: int) -> Any:
    client = hub_admin_client(modules={"catalog": pagination_module})
    for number in range(1, count + 1):
        database.execute("INSERT INTO catalog_products (name) VALUES (:n)", n=f"p{number:02d}")
    return client


def test_pages_carry_their_items_and_the_total(hub_admin_client: Any, database: Database) -> None:
    client = _catalog(hub_admin_client, database, 25)

    second = client.get("/api/v1/catalog/products", params={"page": 2, "size": 10})
    last = client.get("/api/v1/catalog/products", params={"page": 3, "size": 10})

    assert second.status_code == 200
    body = second.json()
    assert [item["name"] for item in body["items"]] == [f"p{n:02d}" for n in range(11, 21)]
    assert (body["total"], body["page"], body["size"], body["pages"]) == (25, 2, 10, 3)
    assert [item["name"] for item in last.json()["items"]] == [f"p{n:02d}" for n in range(21, 26)]


def test_the_default_page_and_the_bounds_come_from_the_library(
    hub_admin_client: Any, database: Database
) -> None:
    client = _catalog(hub_admin_client, database, 3)

    first = client.get("/api/v1/catalog/products").json()
    assert (first["total"], first["page"], first["size"]) == (3, 1, 50)
    assert client.get("/api/v1/catalog/products", params={"size": 1000}).status_code == 422


def test_the_lifespan_add_pagination_puts_on_the_router_is_served_not_refused(
    hub_admin_client: Any, database: Database
) -> None:
    # The hub runs a router's own lifespan under its guards (it used to fail the module at
    # stage routes); the page parameters reach the OpenAPI document.
    client = _catalog(hub_admin_client, database, 0)

    record = client.get("/api/v1/modules/catalog").json()
    assert record["state"] == "enabled" and record["error"] is None
    schema = client.get("/api/openapi.json").json()
    parameters = schema["paths"]["/api/v1/catalog/products"]["get"]["parameters"]
    assert {p["name"] for p in parameters} >= {"page", "size"}
