"""Hook implementations of the ``cvr`` module: the entry-point object.

Hooks stay thin and delegate: ``api.py`` (JSON), ``views.py`` (pages), ``lookup.py``
(cache or registry), ``registry.py`` (the HTTP contract), ``store.py`` (database),
``jobs.py`` (nightly fill and on-demand refresh), ``panel.py`` (the customer page).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError

from bmc_hub_core import (
    CustomerInfo,
    CustomerPanel,
    HealthResult,
    Job,
    ModuleContext,
    ModuleSettings,
    NavItem,
    hookimpl,
)

from . import api, jobs, panel, views
from .settings import CvrSettings
from .tables import companies, metadata

#: The hook contract versions this module is written against.
hub_api = ">=1,<2"

#: The module's tables: `bmc-hub db revision --autogenerate` compares them with the database.
__all__ = ["metadata"]

#: Shipped inside the package (and so inside the wheel) as package data.
MIGRATIONS = Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_settings() -> type[ModuleSettings]:
    return CvrSettings


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
    return NavItem("CVR", "/")


@hookimpl
def register_jobs() -> list[Job]:
    return [
        Job(
            "fill_customers",
            run=jobs.fill_customers,
            cron="0 3 * * *",
            retries=2,
            timeout=600,
            # A rate-limited or unreachable registry: try again in 2, then 4 minutes.
            backoff=120,
            description="Company data for customers with a CVR number (not cached or stale)",
        ),
        Job(
            "refresh",
            run=jobs.refresh,
            retries=2,
            timeout=60,
            backoff=30,
            description="Ask the registry again for one company (cvr=...)",
        ),
    ]


@hookimpl
def customer_panel(module: ModuleContext, customer: CustomerInfo) -> CustomerPanel | None:
    return panel.customer_panel(module, customer)


@hookimpl
def health(module: ModuleContext) -> HealthResult:
    """Healthy when the companies table answers a query."""
    try:
        with module.session() as session:
            session.execute(sa.select(sa.literal(1)).select_from(companies).limit(1)).all()
    except SQLAlchemyError as exc:
        reason = type(exc).__name__
        return HealthResult(ok=False, detail=f"{companies.name} does not answer: {reason}")
    return HealthResult(ok=True, detail=f"{companies.name} answers")
