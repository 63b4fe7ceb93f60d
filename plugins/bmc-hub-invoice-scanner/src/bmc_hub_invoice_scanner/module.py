"""Hook implementations of the ``invoice_scanner`` module: the entry-point object.

Hooks stay thin and delegate: ``api.py`` (JSON), ``views.py`` (pages), ``panel.py`` (the
hub's customer page), ``store.py`` (database), ``scanning.py`` →
``documents.py``/``pdf.py`` (reading) and ``extract.py`` (text → fields).
"""

from __future__ import annotations

from pathlib import Path

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

from . import api, panel, store, views
from .settings import ScannerSettings
from .tables import metadata, scans

#: The hook contract versions this module is written against.
hub_api = ">=1,<2"

#: The module's tables: `bmc-hub db revision --autogenerate` compares them with the database.
__all__ = ["metadata"]

#: Shipped inside the package (and so inside the wheel) as package data.
MIGRATIONS = Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_settings() -> type[ModuleSettings]:
    return ScannerSettings


@hookimpl
def register_migrations() -> Path:
    return MIGRATIONS


@hookimpl
def register_routes(module: ModuleContext) -> APIRouter:
    return api.build_router(module)


@hookimpl
def register_views(module: ModuleContext) -> APIRouter:
    return views.build_router(module)


@hookimpl
def register_navigation() -> NavItem:
    return NavItem("Invoice scanner", "/", order=30)


@hookimpl
def customer_panel(module: ModuleContext, customer: CustomerInfo) -> CustomerPanel | None:
    """How many scanned invoices carry the customer's CVR, and the latest one."""
    return panel.customer_panel(module, customer)


@hookimpl
def health(module: ModuleContext) -> HealthResult:
    """Healthy when the scans table answers a query."""
    try:
        count = store.count(module)
    except SQLAlchemyError as exc:
        return HealthResult(ok=False, detail=f"{scans.name} does not answer: {exc}")
    return HealthResult(ok=True, detail=f"{count} scans", data={"scans": count})
