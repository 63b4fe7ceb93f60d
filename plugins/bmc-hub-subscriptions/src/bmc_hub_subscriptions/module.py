"""Hook implementations of the ``subscriptions`` module (the entry-point object)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError

from bmc_hub_core import (
    CustomerInfo,
    CustomerPanel,
    HealthResult,
    ModuleContext,
    ModuleSettings,
    NavItem,
    hookimpl,
)

from . import panel
from .api import build_router
from .settings import SubscriptionsSettings
from .tables import customer_locks, metadata, subscriptions
from .views import build_views

hub_api = ">=1,<2"

__all__ = ["metadata"]  # the core's `db revision --autogenerate` compares against it


@hookimpl
def register_settings() -> type[ModuleSettings]:
    return SubscriptionsSettings


@hookimpl
def register_migrations() -> Path:
    """The versions folder ships inside the package (and so inside the wheel)."""
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_routes(module: ModuleContext) -> APIRouter:
    return build_router(module)


@hookimpl
def register_views(module: ModuleContext) -> APIRouter:
    return build_views(module)


@hookimpl
def register_navigation() -> NavItem:
    return NavItem("Subscriptions", "/", order=20)


@hookimpl
def customer_panel(module: ModuleContext, customer: CustomerInfo) -> CustomerPanel:
    """Subscriptions by status and the lock, linking to the customer's subscriptions."""
    return panel.customer_panel(module, customer)


@hookimpl
def health(module: ModuleContext) -> HealthResult:
    """Ok when both tables answer a one-row SELECT."""
    try:
        with module.session() as session:
            for table in (subscriptions, customer_locks):
                session.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).all()
    except SQLAlchemyError as exc:
        return HealthResult(ok=False, detail=f"tables do not answer: {type(exc).__name__}")
    return HealthResult(ok=True, detail="tables answer")
