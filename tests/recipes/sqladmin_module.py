"""Recipe: an admin UI over the module's own tables with sqladmin.

The module takes every name from its context (``module.table``, ``module.metadata``),
so the same code is served as two modules, ``alpha`` and ``beta``, in the tests.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi import APIRouter
from sqladmin import Admin, ModelView
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bmc_hub_core import ModuleContext, ModuleSettings, hookimpl


class AdminSettings(ModuleSettings):
    """``MODULES__NAME__ADMIN_AT``: where the admin UI lives inside ``/NAME``."""

    admin_at: str = "/admin"


@hookimpl
def register_settings() -> type[ModuleSettings]:
    return AdminSettings


@hookimpl
def register_migrations(module: ModuleContext) -> Path:
    return Path(__file__).parent / "migrations" / module.name


@hookimpl
def register_views(module: ModuleContext) -> APIRouter:
    class Base(DeclarativeBase):
        metadata = module.metadata()

    class Note(Base):
        __tablename__ = module.table("notes")
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str] = mapped_column(sa.String(80))

    class NoteAdmin(ModelView, model=Note):
        column_list = [Note.id, Note.title]
        form_columns = [Note.title]

    settings = module.settings
    assert isinstance(settings, AdminSettings)
    router = APIRouter()
    # sessionmaker(): sessions on the module's engine, so DRY_RUN covers every save.
    admin = Admin(
        router,
        session_maker=module.sessionmaker(),
        base_url=settings.admin_at,
        title=f"{module.name} admin",
    )
    admin.add_view(NoteAdmin)
    return router
