"""Hook implementations of the ``{{ cookiecutter.module_name }}`` module: the entry-point object.

The hub calls each hook with this module's own ``ModuleContext`` as ``module``. Hooks
stay thin and delegate to the files next to this one.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from bmc_hub_core import HealthResult, {% if cookiecutter.include_job %}Job, {% endif %}ModuleContext, ModuleSettings, hookimpl
from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError

from . import api{% if cookiecutter.include_job %}, jobs{% endif %}{% if cookiecutter.include_views %}, views{% endif %}
from .settings import {{ cookiecutter.__class_prefix }}Settings
from .tables import Base, ItemRow

#: The hook contract versions this module is written against.
hub_api = ">=1,<2"

#: The module's tables: `bmc-hub db revision --autogenerate` compares them with the database.
metadata = Base.metadata

#: Shipped inside the package (and so inside the wheel) as package data.
MIGRATIONS = Path(__file__).parent / "migrations" / "versions"

COUNT_ITEMS = sa.select(sa.func.count()).select_from(ItemRow)


@hookimpl
def register_settings() -> type[ModuleSettings]:
    return {{ cookiecutter.__class_prefix }}Settings


@hookimpl
def register_migrations() -> Path:
    return MIGRATIONS


@hookimpl
def register_routes(module: ModuleContext) -> APIRouter:
    return api.build_router(module)
{%- if cookiecutter.include_views %}


@hookimpl
def register_views(module: ModuleContext) -> APIRouter:
    return views.build_router(module)
{%- endif %}


{%- if cookiecutter.include_job %}


@hookimpl
def register_jobs() -> list[Job]:
    return jobs.JOBS
{%- endif %}


@hookimpl
def health(module: ModuleContext) -> HealthResult:
    """Healthy when the items table answers a query."""
    try:
        with module.engine.connect() as connection:
            count = connection.execute(COUNT_ITEMS).scalar_one()
    except SQLAlchemyError as exc:
        return HealthResult(ok=False, detail=f"{ItemRow.__tablename__} does not answer: {exc}")
    return HealthResult(ok=True, detail=f"{count} items", data={"items": count})
