"""Recipe: a paginated list with fastapi-pagination (the ``catalog`` module)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi_pagination import Page, add_pagination
from fastapi_pagination.ext.sqlalchemy import paginate
from pydantic import BaseModel, ConfigDict

from bmc_hub_core import ModuleContext, hookimpl, module_metadata

metadata = module_metadata("catalog")

products = sa.Table(
    "catalog_products",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(80), nullable=False),
)


class Product(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "catalog"


@hookimpl
def register_routes(module: ModuleContext) -> APIRouter:
    router = APIRouter()

    @router.get("/products")
    def list_products() -> Page[Product]:
        """The products, a page at a time (``?page=2&size=10``)."""
        with module.session() as session:
            return paginate(session, sa.select(products).order_by(products.c.id))

    # add_pagination gives the router a lifespan of its own; the hub runs it.
    add_pagination(router)
    return router
