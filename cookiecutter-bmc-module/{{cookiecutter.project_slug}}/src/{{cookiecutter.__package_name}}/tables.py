"""The module's tables: every name starts with ``{{ cookiecutter.module_name }}_``.

The schema itself is created by the Alembic revisions in ``migrations/versions/``; these
mapped classes describe it for queries and must match it.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from bmc_hub_core import module_metadata
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAME = "{{ cookiecutter.module_name }}"


class Base(DeclarativeBase):
    """Mapped classes of this module; the metadata refuses tables outside the prefix."""

    metadata = module_metadata(NAME)


class ItemRow(Base):
    """One item: a title, an optional body and when it was created."""

    __tablename__ = f"{NAME}_items"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.current_timestamp()
    )
