"""Keeping scans: every database access goes through ``module.session()`` /
``module.transaction()``, which honour DRY_RUN."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bmc_hub_core import ModuleContext
from bmc_hub_core.db import customers

from .models import Scan, ScanList
from .scanning import NewScan
from .tables import scans

#: Every column but the (possibly long) text, for lists and answers.
SUMMARY = [c for c in scans.c if c.name != "text"]


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands timezone-aware columns back naive; every stored time is UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def to_scan(row: sa.RowMapping) -> Scan:
    data = {c.name: row[c.name] for c in SUMMARY}
    data["created_at"] = as_utc(row["created_at"])
    return Scan.model_validate(data)


def save(module: ModuleContext, new: NewScan) -> Scan:
    """Store ``new``, linked to the core customer whose CVR is the vendor's CVR."""
    with module.transaction() as session:
        customer_id = None
        if new.vendor_cvr is not None:
            customer_id = session.execute(
                sa.select(customers.c.id).where(customers.c.cvr == new.vendor_cvr)
            ).scalar_one_or_none()
        row = (
            session.execute(
                sa.insert(scans)
                .values(
                    filename=new.filename,
                    content_type=new.content_type,
                    size_bytes=new.size_bytes,
                    pages=new.pages,
                    status=new.status,
                    message=new.message,
                    fields=new.fields,
                    vendor_cvr=new.vendor_cvr,
                    customer_id=customer_id,
                    text=new.text,
                    created_at=dt.datetime.now(dt.UTC),
                )
                .returning(*SUMMARY)
            )
            .mappings()
            .one()
        )
    module.logger.info("scan %s: %s (%s)", row["id"], new.filename, new.status)
    return to_scan(row)


def page(module: ModuleContext, limit: int, offset: int) -> ScanList:
    """Scans newest first, and how many there are."""
    with module.session() as session:
        total = session.execute(sa.select(sa.func.count()).select_from(scans)).scalar_one()
        rows = session.execute(
            sa.select(*SUMMARY).order_by(scans.c.id.desc()).limit(limit).offset(offset)
        ).mappings()
        items = [to_scan(row) for row in rows]
    return ScanList(total=total, limit=limit, offset=offset, items=items)


def get(module: ModuleContext, scan_id: int) -> tuple[Scan, str] | None:
    """One scan and its text, or None."""
    with module.session() as session:
        row = session.execute(sa.select(scans).where(scans.c.id == scan_id)).mappings().first()
    return None if row is None else (to_scan(row), row["text"])


def delete(module: ModuleContext, scan_id: int) -> bool:
    """Delete one scan; False when there was none."""
    with module.transaction() as session:
        deleted = session.execute(
            sa.delete(scans).where(scans.c.id == scan_id).returning(scans.c.id)
        ).first()
    return deleted is not None


def count(module: ModuleContext) -> int:
    with module.session() as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(scans)).scalar_one())
