"""A module other modules depend on."""

from fastapi import APIRouter

from bmc_hub_core import hookimpl


@hookimpl
def register_routes():
    router = APIRouter()

    @router.get("/ping")
    def ping() -> dict[str, str]:
        return {"answer": "base"}

    return router
