"""The HTML pages, mounted by the core at ``/subscriptions``.

Plain HTML forms, no JavaScript. A form that succeeds redirects (303) back to the list
with a notice; one that fails shows the list (or the edit page) again with the problems
and the values typed, and an error status (404, 409, 422). Parameters are read as text
and checked here, so a bad value is a message on the page, never a JSON 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from bmc_hub_core import ModuleContext
from bmc_hub_core.db import customers

from . import store
from .errors import SubscriptionsError, TooLarge
from .forms import FormInvalid, parse_id, subscription_input
from .importing import run_import
from .schemas import Reason
from .settings import SubscriptionsSettings

#: Customers per page of the list.
PAGE_SIZE = 50
#: The create form's customer list is a <select>; beyond this many, filter in the API.
SELECT_LIMIT = 1000
NOTICES = {
    "created": "Subscription created.",
    "saved": "Subscription saved.",
    "paused": "Subscription paused.",
    "active": "Subscription resumed.",
    "cancelled": "Subscription cancelled.",
    "locked": "Customer locked.",
    "unlocked": "Customer unlocked.",
}
STATUS_ACTIONS = {"paused", "active", "cancelled"}
RACE = "the change collided with a concurrent change; nothing was written, try again"
Text = Annotated[str, Form()]


def build_views(module: ModuleContext) -> APIRouter:
    settings = module.settings
    assert isinstance(settings, SubscriptionsSettings)
    base = f"/{module.name}"
    router = APIRouter()

    def render(
        request: Request, template: str, context: Mapping[str, Any], status: int = 200
    ) -> HTMLResponse:
        return module.templates.TemplateResponse(
            request,
            f"{module.name}/{template}",
            {"base": base, "settings": settings, **context},
            status_code=status,
        )

    def back(notice: str) -> RedirectResponse:
        return RedirectResponse(f"{base}/?notice={notice}", status_code=303)

    def list_page(
        request: Request,
        *,
        page: int = 1,
        only: int | None = None,
        errors: list[str] | None = None,
        form: Mapping[str, str] | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        with module.session() as session:
            if only is None:
                shown, total = store.customers_page(
                    session, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
                )
            else:  # one customer's subscriptions (the link from the hub's customer page)
                shown = list(
                    session.execute(
                        sa.select(customers.c.id, customers.c.name, customers.c.cvr).where(
                            customers.c.id == only
                        )
                    ).all()
                )
                total = len(shown)
            ids = [customer.id for customer in shown]
            locks = store.locks_of(session, ids)
            by_customer: dict[int, list[Any]] = {customer_id: [] for customer_id in ids}
            for item in store.subscriptions_of(session, ids):
                by_customer[item.customer_id].append(item)
            choices, _ = store.customers_page(session, limit=SELECT_LIMIT, offset=0)
        groups = [
            {"customer": c, "lock": locks.get(c.id), "subscriptions": by_customer[c.id]}
            for c in shown
        ]
        context = {
            "groups": groups,
            "choices": choices,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "only": only,
            "errors": errors or [],
            "form": form or {"currency": settings.default_currency, "customer_id": only or ""},
            "notice": notice,
        }
        return render(request, "index.html", context, status)

    def failed(
        request: Request,
        exc: SubscriptionsError | FormInvalid,
        form: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        if isinstance(exc, FormInvalid):
            return list_page(request, errors=exc.problems, form=form, status=422)
        return list_page(request, errors=[exc.message], form=form, status=exc.status)

    def missing(request: Request, what: str) -> HTMLResponse:
        return render(request, "message.html", {"title": "Not found", "message": what}, 404)

    @router.get("/", response_class=HTMLResponse)
    def index(
        request: Request, page: str = "1", notice: str = "", customer_id: str = ""
    ) -> HTMLResponse:
        number = parse_id(page) or 1
        only = parse_id(customer_id) if customer_id else None
        if customer_id and only is None:
            return missing(request, f"There is no customer {customer_id[:20]!r}.")
        return list_page(request, page=number, only=only, notice=NOTICES.get(notice))

    @router.post("/create", response_class=HTMLResponse)
    def create(
        request: Request,
        customer_id: Text = "",
        product: Text = "",
        quantity: Text = "",
        unit_price: Text = "",
        currency: Text = "",
        interval: Text = "",
        start_date: Text = "",
        end_date: Text = "",
    ) -> Response:
        form = {
            "customer_id": customer_id,
            "product": product,
            "quantity": quantity,
            "unit_price": unit_price,
            "currency": currency,
            "interval": interval,
            "start_date": start_date,
            "end_date": end_date,
        }
        try:
            data = subscription_input(form)
            with module.transaction() as session:
                store.create_subscription(session, data, default_currency=settings.default_currency)
        except (SubscriptionsError, FormInvalid) as exc:
            return failed(request, exc, form)
        except IntegrityError:
            return list_page(request, errors=[RACE], form=form, status=409)
        return back("created")

    @router.post("/{subscription_id}/status", response_class=HTMLResponse)
    def change_status(request: Request, subscription_id: str, status: Text = "") -> Response:
        number = parse_id(subscription_id)
        if number is None:
            return missing(request, f"There is no subscription {subscription_id!r}.")
        if status not in STATUS_ACTIONS:
            return list_page(request, errors=[f"Status: {status!r} is not a status"], status=422)
        try:
            with module.transaction() as session:
                store.set_status(session, number, status)
        except SubscriptionsError as exc:
            return failed(request, exc)
        return back(status)

    @router.get("/{subscription_id}/edit", response_class=HTMLResponse)
    def edit_page(request: Request, subscription_id: str) -> HTMLResponse:
        number = parse_id(subscription_id)
        try:
            if number is None:
                raise LookupError
            with module.session() as session:
                item = store.get_subscription(session, number)
                choices, _ = store.customers_page(session, limit=SELECT_LIMIT, offset=0)
                lock = store.lock_reason(session, item.customer_id)
        except (LookupError, SubscriptionsError):
            return missing(request, f"There is no subscription {subscription_id!r}.")
        form = {
            **item.model_dump(mode="json"),
            "end_date": item.end_date.isoformat() if item.end_date else "",
        }
        context = {"item": item, "form": form, "choices": choices, "lock": lock}
        return render(request, "edit.html", context)

    @router.post("/{subscription_id}/edit", response_class=HTMLResponse)
    def edit(
        request: Request,
        subscription_id: str,
        customer_id: Text = "",
        product: Text = "",
        quantity: Text = "",
        unit_price: Text = "",
        currency: Text = "",
        interval: Text = "",
        start_date: Text = "",
        end_date: Text = "",
        status: Text = "",
    ) -> Response:
        form = {
            "customer_id": customer_id,
            "product": product,
            "quantity": quantity,
            "unit_price": unit_price,
            "currency": currency,
            "interval": interval,
            "start_date": start_date,
            "end_date": end_date,
            "status": status,
        }
        number = parse_id(subscription_id)
        if number is None:
            return missing(request, f"There is no subscription {subscription_id!r}.")
        problems: list[str] = []
        code = 422
        try:
            data = subscription_input(form)
            with module.transaction() as session:
                store.update_subscription(
                    session, number, data, default_currency=settings.default_currency
                )
        except FormInvalid as exc:
            problems = exc.problems
        except SubscriptionsError as exc:
            if exc.status == 404:
                return missing(request, f"There is no subscription {number}.")
            problems, code = [exc.message], exc.status
        except IntegrityError:
            problems, code = [RACE], 409
        if not problems:
            return back("saved")
        with module.session() as session:
            choices, _ = store.customers_page(session, limit=SELECT_LIMIT, offset=0)
        context = {"item": {"id": number}, "form": form, "choices": choices, "errors": problems}
        return render(request, "edit.html", context, code)

    @router.post("/customers/{customer_id}/lock", response_class=HTMLResponse)
    def lock(request: Request, customer_id: str, reason: Text = "") -> Response:
        number = parse_id(customer_id)
        if number is None:
            return missing(request, f"There is no customer {customer_id!r}.")
        try:
            text = _reason(reason)
            with module.transaction() as session:
                store.lock_customer(session, number, text, locked_by="web")
        except (FormInvalid, SubscriptionsError) as exc:
            return failed(request, exc)
        return back("locked")

    @router.post("/customers/{customer_id}/unlock", response_class=HTMLResponse)
    def unlock(request: Request, customer_id: str) -> Response:
        number = parse_id(customer_id)
        if number is None:
            return missing(request, f"There is no customer {customer_id!r}.")
        try:
            with module.transaction() as session:
                store.unlock_customer(session, number)
        except SubscriptionsError as exc:
            return failed(request, exc)
        return back("unlocked")

    @router.get("/import", response_class=HTMLResponse)
    def import_page(request: Request) -> HTMLResponse:
        return render(request, "import.html", {})

    # async: reading the multipart form is awaited; the import itself runs in a thread.
    @router.post("/import", response_class=HTMLResponse)
    async def import_upload(request: Request) -> HTMLResponse:
        limit = settings.import_max_bytes
        async with request.form() as form:  # closes the spooled upload afterwards
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                message = "Choose a .csv or .xlsx file to import."
                return render(request, "import.html", {"errors": [message]}, 422)
            filename, data = upload.filename, await upload.read(limit + 1)
        context: dict[str, Any] = {"filename": filename}
        try:
            if len(data) > limit:
                raise TooLarge(limit)
            context["report"] = await run_in_threadpool(
                run_import, module.transaction, data, default_currency=settings.default_currency
            )
        except SubscriptionsError as exc:
            return render(request, "import.html", {**context, "errors": [exc.message]}, exc.status)
        return render(request, "import.html", context)

    return router


_REASON: TypeAdapter[str] = TypeAdapter(Reason)


def _reason(raw: str) -> str:
    try:
        return _REASON.validate_python(raw)
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise FormInvalid([f"Reason: {message}"]) from None
