"""The JSON API: CRUD on items, mounted at ``/api/v1/{{ cookiecutter.module_name }}``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import sqlalchemy as sa
from bmc_hub_core import ModuleContext, Offset, RowId, Text, UtcDateTime, error_responses
from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from .settings import {{ cookiecutter.__class_prefix }}Settings
from .tables import ItemRow


class ItemIn(BaseModel):
    """What ``POST /items`` and ``PUT /items/{id}`` take."""

    model_config = ConfigDict(extra="forbid")

    # Text refuses NUL (PostgreSQL cannot store it) and says so in the OpenAPI document.
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    body: Annotated[Text, Field(max_length=10_000)] | None = None


class Item(BaseModel):
    """An item as the API returns it."""

    id: RowId
    title: str
    body: str | None
    #: UTC with its zone in JSON (SQLite hands stored times back without one).
    created_at: UtcDateTime


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_item(row: ItemRow) -> Item:
    return Item(id=row.id, title=row.title, body=row.body, created_at=row.created_at)


def get_row(session: Session, item_id: int) -> ItemRow:
    row = session.get(ItemRow, item_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"item {item_id} not found")
    return row


def list_items(module: ModuleContext, limit: int | None, offset: int) -> list[Item]:
    """Items in creation order; ``limit`` defaults to the ``page_size`` setting."""
    settings = module.settings
    assert isinstance(settings, {{ cookiecutter.__class_prefix }}Settings)
    query = sa.select(ItemRow).order_by(ItemRow.id)
    query = query.limit(limit or settings.page_size).offset(offset)
    with module.session() as session:
        return [to_item(row) for row in session.scalars(query)]


def build_router(module: ModuleContext) -> APIRouter:
    """The five item endpoints; every database access goes through ``module.session()``."""
    router = APIRouter()

    # Ids and offsets are bounded (RowId, Offset): a number the database cannot take is a
    # 422, not a 500. Each route declares the errors it answers itself; the hub adds
    # those it answers in front of every module route (401, 403, 404, 413, 503).
    @router.get("/items", response_model=list[Item])
    def read_items(
        limit: Annotated[int | None, Query(ge=1, le=500)] = None,
        offset: Offset = 0,
    ) -> list[Item]:
        """List items, oldest first."""
        return list_items(module, limit, offset)

    @router.post("/items", response_model=Item, status_code=status.HTTP_201_CREATED)
    def create_item(data: ItemIn) -> Item:
        """Create an item."""
        with module.session() as session:
            row = ItemRow(title=data.title, body=data.body, created_at=utcnow())
            session.add(row)
            session.commit()
            module.logger.info("created item %s", row.id)
            return to_item(row)

    @router.get("/items/{item_id}", response_model=Item, responses=error_responses(404))
    def read_item(item_id: RowId) -> Item:
        """One item; 404 when there is no such item."""
        with module.session() as session:
            return to_item(get_row(session, item_id))

    @router.put("/items/{item_id}", response_model=Item, responses=error_responses(404))
    def replace_item(item_id: RowId, data: ItemIn) -> Item:
        """Replace an item's title and body; 404 when there is no such item."""
        with module.session() as session:
            row = get_row(session, item_id)
            row.title = data.title
            row.body = data.body
            session.commit()
            return to_item(row)

    @router.delete(
        "/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(404)
    )
    def delete_item(item_id: RowId) -> Response:
        """Delete an item; 404 when there is no such item."""
        with module.session() as session:
            session.delete(get_row(session, item_id))
            session.commit()
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router
