"""Recipe: rate limits with slowapi, and an exception handler for the module's own routes
(the ``quotas`` module)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from slowapi import Limiter
from slowapi.util import get_remote_address
from starlette.middleware import Middleware

from bmc_hub_core import ExceptionHandlers, ModuleContext, hookimpl


class QuotaSpent(Exception):
    """What a quota library raises when a customer has used up the month's calls."""

    def __init__(self, customer_id: int) -> None:
        super().__init__(customer_id)
        self.customer_id = customer_id


def quota_spent(request: Request, exc: QuotaSpent) -> JSONResponse:
    detail = f"customer {exc.customer_id} has used this month's quota"
    return JSONResponse({"detail": detail}, status_code=402)


@hookimpl
def register_middleware(module: ModuleContext) -> list[Middleware]:
    # Where an app would call app.add_exception_handler(QuotaSpent, quota_spent):
    # this handler answers for this module's routes only.
    return [Middleware(ExceptionHandlers, handlers={QuotaSpent: quota_spent})]


@hookimpl
def register_routes(module: ModuleContext) -> APIRouter:
    # The limiter keeps its counts on itself: one per module, never app.state.limiter.
    # RateLimitExceeded is an HTTPException, so the hub answers it: 429 {"detail": ...}.
    limiter = Limiter(key_func=get_remote_address)
    router = APIRouter()

    @router.get("/search")
    @limiter.limit("2/minute")
    def search(request: Request, q: str) -> list[str]:
        return [q.upper()]

    @router.get("/usage/{customer_id}")
    def usage(customer_id: int) -> dict[str, int]:
        raise QuotaSpent(customer_id)

    return router
