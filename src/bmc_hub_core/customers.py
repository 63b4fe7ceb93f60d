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


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.hub.engine
    return engine


def _row_or_404(engine: Engine, customer_id: int) -> Customer:
    with engine.connect() as conn:
        row = (
            conn.execute(sa.select(customers).where(customers.c.id == customer_id))
            .mappings()
            .first()
        )
    if row is None:
        raise HTTPException(404, f"customer {customer_id} not found")
    return Customer.model_validate(dict(row))


def _conflict(exc: IntegrityError, data: CustomerIn) -> HTTPException:
    return HTTPException(409, f"a customer with CVR {data.cvr} already exists")


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/customers", tags=["customers"])

    @router.get("", response_model=list[Customer], responses=error_responses(401))
    def list_customers(
        request: Request,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Offset = 0,
    ) -> list[Customer]:
        query = sa.select(customers).order_by(customers.c.id).limit(limit).offset(offset)
        with _engine(request).connect() as conn:
            return [Customer.model_validate(dict(r)) for r in conn.execute(query).mappings()]

    @router.post(
        "", response_model=Customer, status_code=201, responses=error_responses(400, 401, 409, 413)
    )
    def create_customer(request: Request, data: CustomerIn) -> Customer:
        engine = _engine(request)
        try:
            with engine.begin() as conn:
                new_id = conn.execute(
                    sa.insert(customers).values(**data.model_dump()).returning(customers.c.id)
                ).scalar_one()
        except IntegrityError as exc:
            raise _conflict(exc, data) from None
        return _row_or_404(engine, new_id)

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
            with engine.begin() as conn:
                conn.execute(
                    sa.update(customers)
                    .where(customers.c.id == customer_id)
                    .values(**data.model_dump())
                )
        except IntegrityError as exc:
            raise _conflict(exc, data) from None
        return _row_or_404(engine, customer_id)

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
