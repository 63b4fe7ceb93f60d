"""The JSON API, mounted by the core at ``/api/v1/subscriptions``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, UploadFile
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bmc_hub_core import ErrorDetail, ModuleContext

from . import store
from .errors import SubscriptionsError, TooLarge
from .importing import run_import
from .schemas import (
    MAX_ID,
    MAX_OFFSET,
    ImportReport,
    Lock,
    LockIn,
    Status,
    Subscription,
    SubscriptionIn,
    SubscriptionPage,
    Unprocessable,
)
from .settings import SubscriptionsSettings

SubscriptionId = Annotated[int, Path(ge=1, le=MAX_ID)]
CustomerId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _error(status: int, description: str) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorDetail, "description": description}}


INVALID: dict[int | str, dict[str, Any]] = {
    422: {
        "model": Unprocessable,
        "description": "invalid input (a list, as FastAPI reports it) or an unknown customer",
    }
}
SUBSCRIPTION_NOT_FOUND = _error(404, "no such subscription")
CUSTOMER_NOT_FOUND = _error(404, "no such customer (or, for DELETE, the customer is not locked)")
LOCKED = _error(409, "the customer is locked, or the natural key is taken")
TOO_LARGE = _error(413, "the file is larger than MODULES__SUBSCRIPTIONS__IMPORT_MAX_BYTES")
IMPORT_CONFLICT = _error(409, "a concurrent change collided with the import; nothing written")


def read_upload(upload: UploadFile, limit: int) -> bytes:
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(limit)
    return data


def build_router(module: ModuleContext) -> APIRouter:
    settings = module.settings
    assert isinstance(settings, SubscriptionsSettings)
    currency = settings.default_currency
    router = APIRouter()

    @contextmanager
    def database() -> Iterator[Session]:
        """``module.transaction()``, with the module's errors turned into HTTP answers."""
        try:
            with module.transaction() as session:
                yield session
        except SubscriptionsError as exc:
            raise HTTPException(exc.status, exc.message) from None
        except IntegrityError:
            # The checks before each write make this a race with another request.
            raise HTTPException(
                409, "the change collided with a concurrent change; nothing was written"
            ) from None

    @router.get("/subscriptions", response_model=SubscriptionPage, responses=INVALID)
    def list_subscriptions(
        customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
        status: Status | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> SubscriptionPage:
        """Subscriptions ordered by id, optionally of one customer or in one status."""
        with module.session() as session:
            items, total = store.list_subscriptions(
                session, customer_id=customer_id, status=status, limit=limit, offset=offset
            )
        return SubscriptionPage(items=items, total=total, limit=limit, offset=offset)

    @router.post(
        "/subscriptions",
        response_model=Subscription,
        status_code=201,
        responses={**INVALID, **LOCKED},
    )
    def create_subscription(data: SubscriptionIn) -> Subscription:
        """Create a subscription; the currency defaults to ``default_currency``."""
        with database() as session:
            return store.create_subscription(session, data, default_currency=currency)

    @router.get(
        "/subscriptions/{subscription_id}",
        response_model=Subscription,
        responses={**SUBSCRIPTION_NOT_FOUND, **INVALID},
    )
    def get_subscription(subscription_id: SubscriptionId) -> Subscription:
        with database() as session:
            return store.get_subscription(session, subscription_id)

    @router.put(
        "/subscriptions/{subscription_id}",
        response_model=Subscription,
        responses={**SUBSCRIPTION_NOT_FOUND, **LOCKED, **INVALID},
    )
    def replace_subscription(subscription_id: SubscriptionId, data: SubscriptionIn) -> Subscription:
        """Replace every field (pausing and cancelling are ``status`` changes)."""
        with database() as session:
            return store.update_subscription(
                session, subscription_id, data, default_currency=currency
            )

    @router.delete(
        "/subscriptions/{subscription_id}",
        status_code=204,
        response_class=Response,
        responses={**SUBSCRIPTION_NOT_FOUND, **LOCKED, **INVALID},
    )
    def delete_subscription(subscription_id: SubscriptionId) -> Response:
        with database() as session:
            store.delete_subscription(session, subscription_id)
        return Response(status_code=204)

    @router.get(
        "/customers/{customer_id}/lock",
        response_model=Lock,
        responses={**CUSTOMER_NOT_FOUND, **INVALID},
    )
    def get_lock(customer_id: CustomerId) -> Lock:
        """The customer's lock; ``{"locked": false, ...}`` when not locked."""
        with database() as session:
            return store.get_lock(session, customer_id)

    @router.put(
        "/customers/{customer_id}/lock",
        response_model=Lock,
        responses={**CUSTOMER_NOT_FOUND, **INVALID},
    )
    def lock_customer(customer_id: CustomerId, data: LockIn) -> Lock:
        """Lock a customer: their subscriptions cannot be created or changed (409)."""
        with database() as session:
            return store.lock_customer(session, customer_id, data.reason, locked_by="api")

    @router.delete(
        "/customers/{customer_id}/lock",
        status_code=204,
        response_class=Response,
        responses={**CUSTOMER_NOT_FOUND, **INVALID},
    )
    def unlock_customer(customer_id: CustomerId) -> Response:
        with database() as session:
            store.unlock_customer(session, customer_id)
        return Response(status_code=204)

    @router.post(
        "/import",
        response_model=ImportReport,
        responses={
            **IMPORT_CONFLICT,
            **TOO_LARGE,
            422: {
                "model": Unprocessable,
                "description": "not a CSV/XLSX file, empty, or no recognisable header; "
                "nothing was written",
            },
        },
    )
    def import_file(file: UploadFile) -> ImportReport:
        """Import subscriptions from a CSV or XLSX file (see the module's README)."""
        try:
            data = read_upload(file, settings.import_max_bytes)
            return run_import(module.transaction, data, default_currency=currency)
        except SubscriptionsError as exc:
            raise HTTPException(exc.status, exc.message) from None

    return router
