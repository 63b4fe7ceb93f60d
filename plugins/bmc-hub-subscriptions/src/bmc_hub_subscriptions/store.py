"""Reads and writes of subscriptions and locks, shared by the API, the pages and the import.

Every function takes the caller's ``Session`` (from ``module.session()`` or
``module.transaction()``, which honour DRY_RUN) and never commits itself.

Locks and writes exclude each other on PostgreSQL through the customer's row: a write
to a customer's subscriptions holds ``FOR SHARE`` on it while it checks the lock and
writes, and locking or unlocking holds ``FOR NO KEY UPDATE``. So a subscription is never
changed after its customer's lock was committed. (SQLite writes one at a time anyway.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bmc_hub_core.db import customers

from .errors import Conflict, CustomerLocked, NotFound, UnknownCustomer
from .schemas import Lock, Subscription, SubscriptionIn, row_to_subscription
from .tables import customer_locks, subscriptions

Hold = Literal["write", "lock"] | None


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- customers and locks -----------------------------------------------------------------


def customer_exists(session: Session, customer_id: int, *, hold: Hold = None) -> bool:
    """Whether the core has the customer; ``hold`` row-locks it until the transaction ends.

    ``"write"`` (FOR SHARE) is for writes to the customer's subscriptions, ``"lock"``
    (FOR NO KEY UPDATE) for locking and unlocking: the two conflict, and neither blocks
    the FOR KEY SHARE that foreign-key checks take.
    """
    query = sa.select(customers.c.id).where(customers.c.id == customer_id)
    if hold == "write":
        query = query.with_for_update(read=True)
    elif hold == "lock":
        query = query.with_for_update(key_share=True)
    return session.execute(query).first() is not None


def lock_reason(session: Session, customer_id: int) -> str | None:
    return session.execute(
        sa.select(customer_locks.c.reason).where(customer_locks.c.customer_id == customer_id)
    ).scalar_one_or_none()


def guard_writable(session: Session, customer_id: int) -> None:
    """Raise unless ``customer_id`` exists and is not locked (and keep it so until commit)."""
    if not customer_exists(session, customer_id, hold="write"):
        raise UnknownCustomer(customer_id)
    reason = lock_reason(session, customer_id)
    if reason is not None:
        raise CustomerLocked(customer_id, reason)


def get_lock(session: Session, customer_id: int) -> Lock:
    if not customer_exists(session, customer_id):
        raise NotFound(f"customer {customer_id} not found")
    row = (
        session.execute(
            sa.select(customer_locks).where(customer_locks.c.customer_id == customer_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return Lock(customer_id=customer_id, locked=False)
    return Lock(locked=True, **row)


def lock_customer(session: Session, customer_id: int, reason: str, locked_by: str) -> Lock:
    """Lock (or re-word the lock of) a customer; ``locked_at`` keeps the first lock's time."""
    if not customer_exists(session, customer_id, hold="lock"):
        raise NotFound(f"customer {customer_id} not found")
    if lock_reason(session, customer_id) is None:
        session.execute(
            sa.insert(customer_locks).values(
                customer_id=customer_id, reason=reason, locked_by=locked_by, locked_at=now()
            )
        )
    else:
        session.execute(
            sa.update(customer_locks)
            .where(customer_locks.c.customer_id == customer_id)
            .values(reason=reason, locked_by=locked_by)
        )
    return get_lock(session, customer_id)


def unlock_customer(session: Session, customer_id: int) -> None:
    if not customer_exists(session, customer_id, hold="lock"):
        raise NotFound(f"customer {customer_id} not found")
    removed = session.execute(
        sa.delete(customer_locks)
        .where(customer_locks.c.customer_id == customer_id)
        .returning(customer_locks.c.customer_id)
    ).first()
    if removed is None:
        raise NotFound(f"customer {customer_id} is not locked")


# -- subscriptions -----------------------------------------------------------------------


def list_subscriptions(
    session: Session,
    *,
    customer_id: int | None = None,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Subscription], int]:
    """One page (ordered by id) and how many match in all."""
    conditions = []
    if customer_id is not None:
        conditions.append(subscriptions.c.customer_id == customer_id)
    if status is not None:
        conditions.append(subscriptions.c.status == status)
    total = session.execute(
        sa.select(sa.func.count()).select_from(subscriptions).where(*conditions)
    ).scalar_one()
    query = sa.select(subscriptions).where(*conditions).order_by(subscriptions.c.id)
    rows = session.execute(query.limit(limit).offset(offset)).mappings()
    return [row_to_subscription(row) for row in rows], total


def get_subscription(session: Session, subscription_id: int) -> Subscription:
    row = (
        session.execute(sa.select(subscriptions).where(subscriptions.c.id == subscription_id))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"subscription {subscription_id} not found")
    return row_to_subscription(row)


def find_by_natural_key(
    session: Session, customer_id: int, product: str, start_date: dt.date
) -> Subscription | None:
    row = (
        session.execute(
            sa.select(subscriptions).where(
                subscriptions.c.customer_id == customer_id,
                subscriptions.c.product == product,
                subscriptions.c.start_date == start_date,
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else row_to_subscription(row)


def _values(data: SubscriptionIn, default_currency: str) -> dict[str, Any]:
    values = data.model_dump()
    values["currency"] = data.currency or default_currency
    return values


def _refuse_duplicate(
    session: Session, values: Mapping[str, Any], *, except_id: int | None = None
) -> None:
    twin = find_by_natural_key(
        session, values["customer_id"], values["product"], values["start_date"]
    )
    if twin is not None and twin.id != except_id:
        raise Conflict(
            f"subscription {twin.id} already has customer {twin.customer_id}, product "
            f"{twin.product!r} and start date {twin.start_date}; change that one instead"
        )


def create_subscription(
    session: Session, data: SubscriptionIn, *, default_currency: str
) -> Subscription:
    guard_writable(session, data.customer_id)
    values = _values(data, default_currency)
    _refuse_duplicate(session, values)
    stamp = now()
    row = (
        session.execute(
            sa.insert(subscriptions)
            .values(**values, created_at=stamp, updated_at=stamp)
            .returning(*subscriptions.c)
        )
        .mappings()
        .one()
    )
    return row_to_subscription(row)


def update_subscription(
    session: Session, subscription_id: int, data: SubscriptionIn, *, default_currency: str
) -> Subscription:
    current = get_subscription(session, subscription_id)
    guard_writable(session, current.customer_id)
    if data.customer_id != current.customer_id:
        guard_writable(session, data.customer_id)
    values = _values(data, default_currency)
    _refuse_duplicate(session, values, except_id=subscription_id)
    return _write(session, subscription_id, values)


def set_status(session: Session, subscription_id: int, status: str) -> Subscription:
    current = get_subscription(session, subscription_id)
    guard_writable(session, current.customer_id)
    return _write(session, subscription_id, {"status": status})


def delete_subscription(session: Session, subscription_id: int) -> None:
    current = get_subscription(session, subscription_id)
    guard_writable(session, current.customer_id)
    session.execute(sa.delete(subscriptions).where(subscriptions.c.id == subscription_id))


def _write(session: Session, subscription_id: int, values: Mapping[str, Any]) -> Subscription:
    row = (
        session.execute(
            sa.update(subscriptions)
            .where(subscriptions.c.id == subscription_id)
            .values(**values, updated_at=now())
            .returning(*subscriptions.c)
        )
        .mappings()
        .one()
    )
    return row_to_subscription(row)


# -- what the page shows -----------------------------------------------------------------


def customers_page(session: Session, *, limit: int, offset: int) -> tuple[list[Any], int]:
    """Customers ordered by name (then id), one page, and how many there are."""
    total = session.execute(sa.select(sa.func.count()).select_from(customers)).scalar_one()
    rows = session.execute(
        sa.select(customers.c.id, customers.c.name, customers.c.cvr)
        .order_by(customers.c.name, customers.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def subscriptions_of(session: Session, customer_ids: Sequence[int]) -> list[Subscription]:
    if not customer_ids:
        return []
    rows = session.execute(
        sa.select(subscriptions)
        .where(subscriptions.c.customer_id.in_(customer_ids))
        .order_by(subscriptions.c.start_date, subscriptions.c.id)
    ).mappings()
    return [row_to_subscription(row) for row in rows]


def locks_of(session: Session, customer_ids: Sequence[int]) -> dict[int, Lock]:
    if not customer_ids:
        return {}
    rows = session.execute(
        sa.select(customer_locks).where(customer_locks.c.customer_id.in_(customer_ids))
    ).mappings()
    return {row["customer_id"]: Lock(locked=True, **row) for row in rows}
