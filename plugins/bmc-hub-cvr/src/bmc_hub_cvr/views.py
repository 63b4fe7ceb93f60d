"""The HTML pages, mounted by the hub at ``/cvr``: plain forms, no JavaScript.

``/`` has the lookup form and the cached companies; ``/lookup`` (POST) looks a number up
and redirects (303) to ``/companies/{cvr}``, the company's page. Problems are shown on
the page with the status the API would answer, never as JSON.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bmc_hub_core import ModuleContext

from . import store
from .errors import CvrError
from .lookup import cached, lookup
from .number import check_cvr, clean_typed
from .panel import address_line
from .schemas import Company
from .settings import cvr_settings

#: Companies listed on the page (the API pages through all of them).
SHOWN = 100


def build_router(module: ModuleContext) -> APIRouter:
    settings = cvr_settings(module)
    router = APIRouter()

    def render(request: Request, template: str, context: dict[str, Any], status: int) -> Response:
        return module.templates.TemplateResponse(
            request,
            f"{module.name}/{template}",
            {
                "read_only": module.read_only,
                "dry_run": module.dry_run,
                "env": f"MODULES__{module.name.upper()}__",
                "address_line": address_line,
                "cache_hours": settings.cache_hours,
                **context,
            },
            status_code=status,
        )

    def index(
        request: Request, *, typed: str = "", error: str | None = None, status: int = 200
    ) -> Response:
        with module.session() as session:
            companies, total = store.page(session, limit=SHOWN, offset=0)
        context = {"companies": companies, "total": total, "typed": typed, "error": error}
        return render(request, "index.html", context, status)

    def company_page(request: Request, company: Company, *, kept: bool = True) -> Response:
        return render(request, "company.html", {"company": company, "kept": kept}, 200)

    @router.get("/", response_class=HTMLResponse, name="cvr.index")
    def page(request: Request, cvr: str = "") -> Response:
        """The lookup form (``?cvr=`` fills it in) and the cached companies."""
        return index(request, typed=cvr[:40])

    @router.post("/lookup", response_class=HTMLResponse, name="cvr.lookup")
    def lookup_form(request: Request, cvr: Annotated[str, Form()] = "") -> Response:
        """Look the typed number up, then show the company (303 to its page)."""
        typed = cvr[:40]
        try:
            number = check_cvr(clean_typed(typed))
        except ValueError as exc:
            return index(request, typed=typed, error=f"{typed!r}: {exc}", status=422)
        try:
            company = lookup(module, number)
        except CvrError as exc:
            return index(request, typed=typed, error=exc.message, status=exc.status)
        if module.dry_run:
            # DRY_RUN: nothing was cached, so there is no page to redirect to.
            return company_page(request, company, kept=False)
        target = request.url_for("cvr.company", cvr=number)
        return RedirectResponse(str(target), status_code=303)

    @router.get("/companies/{cvr}", response_class=HTMLResponse, name="cvr.company")
    def show(request: Request, cvr: str) -> Response:
        """A cached company."""
        company = cached(module, cvr) if len(cvr) == 8 and cvr.isdigit() else None
        if company is None:
            message = f"CVR {cvr[:20]!r} has not been looked up yet."
            return render(request, "missing.html", {"message": message, "cvr": cvr[:8]}, 404)
        return company_page(request, company)

    return router
