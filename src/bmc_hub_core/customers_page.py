"""``/customers``: the core's customer pages (list and search, create, edit, one customer
with the modules' panels). Plain HTML forms, no JavaScript.

The same auth as ``/api/v1/customers`` (:func:`~.auth.require_api`): an API token or a
signed-in browser when ``BMC_HUB_API_TOKENS`` is set; a browser without one is sent to
``/login``. A form that succeeds redirects (303) with a flash message; one with problems
is shown again with the values typed and a message at each field (422, or 409 for a CVR
another customer has).
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from . import customers, panels
from .auth import require_api
from .customer_forms import CustomerForm, parse
from .fields import MAX_ROW_ID
from .flash import flash
from .hub import Hub
from .types import CustomerInfo

PAGE_SIZE = 25
#: Beyond this page the list is empty anyway; it also keeps OFFSET small.
MAX_PAGE = 100_000
Field = Annotated[str, Form()]


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def _number(raw: str, upper: int) -> int | None:
    """A positive whole number typed in a URL, or None (never a JSON 422 for a browser)."""
    text = raw.strip()
    # ASCII only: "²" and other Unicode digits pass isdigit() but int() refuses them.
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    value = int(text)
    return value if 1 <= value <= upper else None


def _render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    return _hub(request).templates.TemplateResponse(
        request, f"hub/{template}", context, status_code=status
    )


def _missing(request: Request, raw_id: str) -> Response:
    detail = f"There is no customer {raw_id[:20]!r}."
    context = {"status": 404, "title": "Customer not found", "detail": detail, "admin": False}
    return _render(request, "error.html", context, 404)


def _form_page(
    request: Request,
    form: CustomerForm,
    *,
    customer: customers.Customer | None = None,
    duplicate: customers.Customer | None = None,
    status: int = 200,
) -> Response:
    context = {"form": form, "customer": customer, "duplicate": duplicate}
    return _render(request, "customer_form.html", context, status)


def _saved(request: Request, customer: customers.Customer, message: str) -> Response:
    response = RedirectResponse(f"/customers/{customer.id}", status_code=303)
    return flash(response, _hub(request), message)


def build_router() -> APIRouter:
    router = APIRouter(include_in_schema=False, dependencies=[Depends(require_api)])

    @router.get("/customers", response_class=HTMLResponse)
    def list_page(request: Request, q: str = "", page: str = "1") -> Response:
        engine = _hub(request).engine
        query = q.replace("\x00", "").strip()[:200]
        number = _number(page, MAX_PAGE) or 1
        total = customers.count(engine, query)
        shown = customers.search(
            engine, query, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE, by_name=True
        )
        context = {
            "customers": shown,
            "q": query,
            "page": number,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "total": total,
        }
        return _render(request, "customers.html", context)

    @router.get("/customers/new", response_class=HTMLResponse)
    def new_page(request: Request) -> Response:
        return _form_page(request, CustomerForm())

    @router.post("/customers/new", response_class=HTMLResponse)
    def create(request: Request, name: Field = "", cvr: Field = "", email: Field = "") -> Response:
        data, form = parse({"name": name, "cvr": cvr, "email": email})
        if data is None:
            return _form_page(request, form, status=422)
        engine = _hub(request).engine
        try:
            created = customers.insert(engine, data)
        except customers.DuplicateCvr:
            return _duplicate(request, form, data.cvr)
        return _saved(request, created, f"Customer {created.name} created.")

    @router.get("/customers/{customer_id}", response_class=HTMLResponse)
    async def detail_page(request: Request, customer_id: str) -> Response:
        hub = _hub(request)
        number = _number(customer_id, MAX_ROW_ID)
        found = (
            None
            if number is None
            else await anyio.to_thread.run_sync(customers.find, hub.engine, number)
        )
        if found is None:
            return _missing(request, customer_id)
        info = CustomerInfo(found.id, found.name, found.cvr, found.email)
        shown = await panels.collect(hub, info)
        return _render(request, "customer.html", {"customer": found, "panels": shown})

    @router.get("/customers/{customer_id}/edit", response_class=HTMLResponse)
    def edit_page(request: Request, customer_id: str) -> Response:
        number = _number(customer_id, MAX_ROW_ID)
        found = None if number is None else customers.find(_hub(request).engine, number)
        if found is None:
            return _missing(request, customer_id)
        form = CustomerForm.of(found.name, found.cvr, found.email)
        return _form_page(request, form, customer=found)

    @router.post("/customers/{customer_id}/edit", response_class=HTMLResponse)
    def edit(
        request: Request, customer_id: str, name: Field = "", cvr: Field = "", email: Field = ""
    ) -> Response:
        engine = _hub(request).engine
        number = _number(customer_id, MAX_ROW_ID)
        current = None if number is None else customers.find(engine, number)
        if current is None:
            return _missing(request, customer_id)
        data, form = parse({"name": name, "cvr": cvr, "email": email})
        if data is None:
            return _form_page(request, form, customer=current, status=422)
        try:
            updated = customers.update(engine, current.id, data)
        except customers.DuplicateCvr:
            return _duplicate(request, form, data.cvr, customer=current)
        if updated is None:  # deleted while the form was open
            return _missing(request, customer_id)
        return _saved(request, updated, f"Customer {updated.name} saved.")

    return router


def _duplicate(
    request: Request,
    form: CustomerForm,
    cvr: str | None,
    *,
    customer: customers.Customer | None = None,
) -> Response:
    """The form again, saying whose CVR it is (409)."""
    other = customers.find_by_cvr(_hub(request).engine, cvr) if cvr else None
    form.errors["cvr"] = f"Another customer already has CVR {cvr}."
    return _form_page(request, form, customer=customer, duplicate=other, status=409)
