"""The JSON API, mounted by the hub at ``/api/v1/cvr``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import AfterValidator

from bmc_hub_core import ModuleContext, error_responses

from . import store
from .errors import CvrError, RateLimited
from .lookup import cached, lookup
from .number import PATTERN, check_cvr
from .schemas import Company, CompanyPage, Lookup, Queued

#: A CVR number in a path: 8 digits passing the modulus-11 check, else 422.
CvrPath = Annotated[
    str,
    Path(
        pattern=PATTERN,
        description="CVR number: 8 digits, the first not 0, passing the modulus-11 check",
        examples=["12345674"],
    ),
    AfterValidator(check_cvr),
]

RETRY_AFTER = {
    "Retry-After": {
        "description": "the registry's Retry-After (seconds or an HTTP date), when it sent one",
        "schema": {"type": "string"},
    }
}
LOOKUP_ERRORS: dict[int | str, dict[str, Any]] = error_responses(
    404,
    502,
    503,
    504,
    _404="The registry does not know this CVR number",
    _502="The registry answered, but not with a company (malformed JSON, missing "
    "fields, an unexpected status, a refused token)",
    _503="The registry is rate limiting (Retry-After passed on) or cannot be reached; "
    "or the module is unavailable",
    _504="The registry did not answer within MODULES__CVR__TIMEOUT_SECONDS",
)
LOOKUP_ERRORS[503] = {**LOOKUP_ERRORS[503], "headers": RETRY_AFTER}
NOT_CACHED = error_responses(404, _404="Not cached: look it up first (POST /lookup/{cvr})")


def http_error(exc: CvrError) -> HTTPException:
    headers = None
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        headers = {"Retry-After": exc.retry_after}
    return HTTPException(exc.status, exc.message, headers=headers)


def build_router(module: ModuleContext) -> APIRouter:
    router = APIRouter()

    @router.post("/lookup/{cvr}", response_model=Lookup, responses=LOOKUP_ERRORS)
    def lookup_company(cvr: CvrPath) -> Lookup:
        """The company with this CVR number: from the cache while it is fresh
        (``cache_hours``), else from the registry, then cached (not under DRY_RUN)."""
        try:
            return lookup(module, cvr)
        except CvrError as exc:
            raise http_error(exc) from None

    @router.get("/companies", response_model=CompanyPage)
    def list_companies(
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> CompanyPage:
        """Cached companies, most recently fetched first."""
        with module.session() as session:
            items, total = store.page(session, limit=limit, offset=offset)
        return CompanyPage(items=items, total=total, limit=limit, offset=offset)

    @router.get("/companies/{cvr}", response_model=Company, responses=NOT_CACHED)
    def get_company(cvr: CvrPath) -> Company:
        """A cached company, however old; never asks the registry."""
        company = cached(module, cvr)
        if company is None:
            raise HTTPException(
                404,
                f"CVR {cvr} has not been looked up yet; POST /api/v1/{module.name}/lookup/{cvr}",
            )
        return company

    @router.post("/refresh/{cvr}", response_model=Queued, status_code=202)
    def refresh_company(cvr: CvrPath) -> Queued:
        """Queue the ``refresh`` job for this company; ``bmc-hub worker`` runs it (and
        ``GET /api/v1/jobs`` shows the run)."""
        return Queued(run_id=module.jobs.enqueue("refresh", cvr=cvr), cvr=cvr)

    return router
