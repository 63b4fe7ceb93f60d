"""The import: check every row, then write every valid row in one transaction.

The natural key of a subscription is (customer, product, start date): a row whose key
matches a stored subscription updates it, so importing the same file twice changes
nothing the second time. Rows with a problem (bad value, unknown or locked customer, a
key repeated in the file) are reported and not written; the other rows are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bmc_hub_core.db import customers

from ..errors import Conflict
from ..schemas import ImportReport, RowError, Subscription, row_to_subscription
from ..store import now
from ..tables import customer_locks, subscriptions
from .columns import recognise
from .rows import Candidate, RowInvalid, parse_row
from .sheet import read_sheet

Key = tuple[int, str, dt.date]
T = TypeVar("T")
#: Values per IN (...) list: far below every database's parameter limit.
CHUNK = 500


def _chunks(items: Iterable[T]) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


class _Customers:
    """The customers the rows name, looked up in bulk (and held FOR SHARE on PostgreSQL,
    like every write to a customer's subscriptions: see ``store``)."""

    def __init__(self, session: Session, candidates: Sequence[Candidate]) -> None:
        self.by_cvr: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        cvrs = {c.cvr for c in candidates if c.cvr}
        names = {c.customer_name for c in candidates if not c.cvr and c.customer_name}
        columns = sa.select(customers.c.id, customers.c.cvr, customers.c.name)
        for cvr_batch in _chunks(sorted(cvrs)):
            query = columns.where(customers.c.cvr.in_(cvr_batch)).with_for_update(read=True)
            for found in session.execute(query):
                self.by_cvr[found.cvr] = found.id
        for name_batch in _chunks(sorted(names)):
            query = columns.where(customers.c.name.in_(name_batch)).with_for_update(read=True)
            for found in session.execute(query.order_by(customers.c.id)):
                self.by_name.setdefault(found.name, []).append(found.id)
        ids = {*self.by_cvr.values(), *(i for same in self.by_name.values() for i in same)}
        self.locks: dict[int, str] = {}
        locks = sa.select(customer_locks.c.customer_id, customer_locks.c.reason)
        for id_batch in _chunks(sorted(ids)):
            where = customer_locks.c.customer_id.in_(id_batch)
            for lock in session.execute(locks.where(where)):
                self.locks[lock.customer_id] = lock.reason

    def resolve(self, candidate: Candidate) -> int:
        """The customer's id, or ``ValueError`` saying why the row cannot have one."""
        if candidate.cvr:
            found = self.by_cvr.get(candidate.cvr)
            if found is None:
                raise ValueError(f"no customer has CVR {candidate.cvr}")
        else:
            matches = self.by_name.get(candidate.customer_name or "", [])
            if not matches:
                raise ValueError(
                    f"no customer is named {candidate.customer_name!r} (the name must match "
                    "exactly; or give the CVR)"
                )
            if len(matches) > 1:
                raise ValueError(
                    f"{len(matches)} customers are named {candidate.customer_name!r}; "
                    "give the CVR instead"
                )
            found = matches[0]
        if found in self.locks:
            raise ValueError(f"customer {found} is locked: {self.locks[found]}")
        return found


def _existing(session: Session, customer_ids: Iterable[int]) -> dict[Key, Subscription]:
    found: dict[Key, Subscription] = {}
    for batch in _chunks(sorted(set(customer_ids))):
        query = sa.select(subscriptions).where(subscriptions.c.customer_id.in_(batch))
        for row in session.execute(query).mappings():
            item = row_to_subscription(row)
            found[(item.customer_id, item.product, item.start_date)] = item
    return found


def _changes(candidate: Candidate, current: Subscription) -> dict[str, Any]:
    wanted = {
        "quantity": candidate.quantity,
        "unit_price": candidate.unit_price,
        "currency": candidate.currency,
        "interval": candidate.interval,
        "end_date": candidate.end_date,
        "status": candidate.status or current.status,
    }
    return {k: v for k, v in wanted.items() if getattr(current, k) != v}


def run_import(
    transaction: Callable[[], AbstractContextManager[Session]],
    data: bytes,
    *,
    default_currency: str,
) -> ImportReport:
    """Import ``data`` (CSV or XLSX bytes) through ``transaction`` (``module.transaction``).

    Raises ``ImportRefused`` for a file that cannot be imported at all (nothing written)
    and ``Conflict`` when a concurrent change collides with the write (nothing written).
    """
    sheet = read_sheet(data)
    columns = recognise(sheet.header[1])
    errors: list[RowError] = []
    candidates: list[Candidate] = []
    for number, cells in sheet.rows:
        try:
            candidates.append(parse_row(number, cells, columns, default_currency))
        except RowInvalid as exc:
            errors.append(RowError(row=number, message=str(exc)))
    created = updated = 0
    try:
        with transaction() as session:
            known = _Customers(session, candidates)
            planned: list[tuple[Candidate, int]] = []
            first_row: dict[Key, int] = {}
            for candidate in candidates:
                try:
                    customer_id = known.resolve(candidate)
                except ValueError as exc:
                    errors.append(RowError(row=candidate.row, message=str(exc)))
                    continue
                key = (customer_id, candidate.product, candidate.start_date)
                if key in first_row:
                    errors.append(
                        RowError(
                            row=candidate.row,
                            message=f"same customer, product and start date as row "
                            f"{first_row[key]}; keep one of them",
                        )
                    )
                    continue
                first_row[key] = candidate.row
                planned.append((candidate, customer_id))
            # Every row is checked; now write the valid ones.
            existing = _existing(session, (customer_id for _, customer_id in planned))
            stamp = now()
            inserts = []
            for candidate, customer_id in planned:
                current = existing.get((customer_id, candidate.product, candidate.start_date))
                if current is None:
                    inserts.append(_new_row(candidate, customer_id, stamp))
                    continue
                updated += 1
                changes = _changes(candidate, current)
                if changes:
                    session.execute(
                        sa.update(subscriptions)
                        .where(subscriptions.c.id == current.id)
                        .values(**changes, updated_at=stamp)
                    )
            if inserts:
                session.execute(sa.insert(subscriptions), inserts)
            created = len(inserts)
    except IntegrityError:
        raise Conflict(
            "the import collided with a change made at the same time (a subscription or "
            "customer changed meanwhile); nothing was written, import the file again"
        ) from None
    errors.sort(key=lambda error: error.row)
    return ImportReport(created=created, updated=updated, skipped=sheet.blank, errors=errors)


def _new_row(candidate: Candidate, customer_id: int, stamp: dt.datetime) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "product": candidate.product,
        "quantity": candidate.quantity,
        "unit_price": candidate.unit_price,
        "currency": candidate.currency,
        "interval": candidate.interval,
        "start_date": candidate.start_date,
        "end_date": candidate.end_date,
        "status": candidate.status or "active",
        "created_at": stamp,
        "updated_at": stamp,
    }
