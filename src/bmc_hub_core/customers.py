"""The tiny core domain: customers (id, name, cvr, email, created_at)."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from .db import customers
from .fields import Offset, RowId, Text, UtcDateTime
from .responses import error_responses

CVR = Annotated[str, Field(pattern=r"^\d{8}$", description="Danish CVR number: 8 digits")]
#: Whitespace spelled out: "\s" means different things to JSON Schema, Python and
#: pydantic's regex engine, so a client could send what the schema allows and get 422.
_NOT_IN_EMAIL = r"[^@ \t\r\n\x00]+"
EMAIL = Annotated[
    str, Field(pattern=rf"^{_NOT_IN_EMAIL}@{_NOT_IN_EMAIL}\.{_NOT_IN_EMAIL}$", max_length=254)
]


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(min_length=1, max_length=200)]
    cvr: CVR | None = None
    email: EMAIL | None = None


class Customer(CustomerIn):
    id: RowId
    created_at: UtcDateTime


class DuplicateCvr(Exception):
    """Another customer has this CVR (the column is unique)."""

    def __init__(self, cvr: str | None) -> None:
        super().__init__(f"a customer with CVR {cvr} already exists")
        self.cvr = cvr


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.hub.engine
    return engine


def _like(text: str) -> str:
    """``text`` as a LIKE pattern that matches itself only (``%`` and ``_`` escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matching(q: str | None) -> list[sa.ColumnElement[bool]]:
    """Conditions for a search: the name contains ``q`` (any case), or, when ``q`` is
    digits (spaces allowed, as CVRs are often written), the CVR starts with them."""
    text = (q or "").strip()
    if not text:
        return []
    found: sa.ColumnElement[bool] = customers.c.name.ilike(f"%{_like(text)}%", escape="\\")
    digits = text.replace(" ", "")
    if digits.isascii() and digits.isdigit():
        found = sa.or_(found, customers.c.cvr.like(f"{digits}%"))
    return [found]


def count(engine: Engine, q: str | None = None) -> int:
    """How many customers match ``q`` (all of them without one)."""
    query = sa.select(sa.func.count()).select_from(customers).where(*_matching(q))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def search(
    engine: Engine, q: str | None = None, *, limit: int, offset: int = 0, by_name: bool = False
) -> list[Customer]:
    """One page of the customers matching ``q``, by id (the API) or by name (the pages)."""
    order = (customers.c.name, customers.c.id) if by_name else (customers.c.id,)
    query = sa.select(customers).where(*_matching(q)).order_by(*order).limit(limit).offset(offset)
    with engine.connect() as conn:
        return [Customer.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def find(engine: Engine, customer_id: int) -> Customer | None:
    with engine.connect() as conn:
        row = (
            conn.execute(sa.select(customers).where(customers.c.id == customer_id))
            .mappings()
            .first()
        )
    return None if row is None else Customer.model_validate(dict(row))


def find_by_cvr(engine: Engine, cvr: str) -> Customer | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(customers).where(customers.c.cvr == cvr)).mappings().first()
    return None if row is None else Customer.model_validate(dict(row))


def insert(engine: Engine, data: CustomerIn) -> Customer:
    """Create a customer; :class:`DuplicateCvr` when its CVR is taken."""
    try:
        with engine.begin() as conn:
            new_id = conn.execute(
                sa.insert(customers).values(**data.model_dump()).returning(customers.c.id)
            ).scalar_one()
    except IntegrityError:
        raise DuplicateCvr(data.cvr) from None
    found = find(engine, new_id)
    assert found is not None
    return found


def update(engine: Engine, customer_id: int, data: CustomerIn) -> Customer | None:
    """Replace a customer's fields; None when there is no such customer,
    :class:`DuplicateCvr` when the new CVR is another customer's."""
    try:
        with engine.begin() as conn:
            changed = conn.execute(
                sa.update(customers)
                .where(customers.c.id == customer_id)
                .values(**data.model_dump())
            ).rowcount
    except IntegrityError:
        raise DuplicateCvr(data.cvr) from None
    return find(engine, customer_id) if changed else None


def _row_or_404(engine: Engine, customer_id: int) -> Customer:
    found = find(engine, customer_id)
    if found is None:
        raise HTTPException(404, f"customer {customer_id} not found")
    return found


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/customers", tags=["customers"])

    @router.get("", response_model=list[Customer], responses=error_responses(401))
    def list_customers(
        request: Request,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Offset = 0,
        q: Annotated[
            Text | None,
            Query(
                max_length=200,
                description="Only customers whose name contains this text (any case), "
                "or whose CVR starts with it when it is digits",
            ),
        ] = None,
    ) -> list[Customer]:
        return search(_engine(request), q, limit=limit, offset=offset)

    @router.post(
        "", response_model=Customer, status_code=201, responses=error_responses(400, 401, 409, 413)
    )
    def create_customer(request: Request, data: CustomerIn) -> Customer:
        try:
            return insert(_engine(request), data)
        except DuplicateCvr as exc:
            raise HTTPException(409, str(exc)) from None

    @router.get("/{customer_id}", response_model=Customer, responses=error_responses(401, 404))
    def get_customer(request: Request, customer_id: RowId) -> Customer:
        return _row_or_404(_engine(request), customer_id)

    @router.put(
        "/{customer_id}",
        response_model=Customer,
        responses=error_responses(400, 401, 404, 409, 413),
    )
    def update_customer(request: Request, customer_id: RowId, data: CustomerIn) -> Customer:
        engine = _engine(request)
        _row_or_404(engine, customer_id)
        try:
            updated = update(engine, customer_id, data)
        except DuplicateCvr as exc:
            raise HTTPException(409, str(exc)) from None
        if updated is None:  # deleted in between
            raise HTTPException(404, f"customer {customer_id} not found")
        return updated

    @router.delete("/{customer_id}", status_code=204, responses=error_responses(401, 404, 409))
    def delete_customer(request: Request, customer_id: RowId) -> Response:
        engine = _engine(request)
        _row_or_404(engine, customer_id)
        try:
            with engine.begin() as conn:
                conn.execute(sa.delete(customers).where(customers.c.id == customer_id))
        except IntegrityError:
            raise HTTPException(
                409, f"customer {customer_id} is still referenced by module data; remove that first"
            ) from None
        return Response(status_code=204)

    return router
