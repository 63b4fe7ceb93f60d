"""The cache in ``cvr_companies``, and what the nightly job reads from ``customers``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bmc_hub_core.db import customers

from .registry import Answer
from .schemas import Company
from .tables import companies

#: The columns an answer fills (the key and the raw text come on top).
FIELDS = ("name", "address", "zipcode", "city", "status")


def get(session: Session, cvr: str) -> Company | None:
    row = session.execute(sa.select(companies).where(companies.c.cvr == cvr)).mappings().first()
    return None if row is None else Company.model_validate(dict(row))


def put(session: Session, answer: Answer, fetched_at: dt.datetime) -> Company:
    """Store (or replace) the registry's answer; the stored company."""
    values: dict[str, Any] = {
        "cvr": answer.company.cvr,
        **{name: getattr(answer.company, name) for name in FIELDS},
        "fetched_at": fetched_at,
        "raw": answer.raw,
    }
    session.execute(_upsert(session.get_bind().dialect.name, values))
    return Company.model_validate(values)


def _upsert(dialect: str, values: dict[str, Any]) -> sa.Executable:
    """INSERT ... ON CONFLICT (cvr) DO UPDATE: two lookups of one new company at the same
    moment both succeed, the later answer wins."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg = pg_insert(companies).values(**values)
        changed = {name: pg.excluded[name] for name in values if name != "cvr"}
        return pg.on_conflict_do_update(index_elements=[companies.c.cvr], set_=changed)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    lite = sqlite_insert(companies).values(**values)
    changed = {name: lite.excluded[name] for name in values if name != "cvr"}
    return lite.on_conflict_do_update(index_elements=[companies.c.cvr], set_=changed)


def page(session: Session, *, limit: int, offset: int) -> tuple[list[Company], int]:
    """Cached companies, most recently fetched first, and how many there are."""
    total = session.execute(sa.select(sa.func.count()).select_from(companies)).scalar_one()
    rows = session.execute(
        sa.select(companies)
        .order_by(companies.c.fetched_at.desc(), companies.c.cvr)
        .limit(limit)
        .offset(offset)
    ).mappings()
    return [Company.model_validate(dict(row)) for row in rows], int(total)


def due_customer_cvrs(session: Session, stale_before: dt.datetime) -> list[str]:
    """CVR numbers of core customers whose company is not cached, or was fetched before
    ``stale_before``: never fetched first, then the stalest. One read, taken before the
    job fetches anything (under DRY_RUN nothing is stored, so asking again would never
    end)."""
    cached = companies.c.fetched_at
    rows = session.execute(
        sa.select(customers.c.cvr)
        .select_from(customers.outerjoin(companies, companies.c.cvr == customers.c.cvr))
        .where(customers.c.cvr.is_not(None), sa.or_(cached.is_(None), cached < stale_before))
        .order_by(cached.is_not(None), cached, customers.c.cvr)
    ).scalars()
    return [str(cvr) for cvr in rows]
