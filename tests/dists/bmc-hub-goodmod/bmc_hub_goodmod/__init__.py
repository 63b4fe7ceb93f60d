"""A well-behaved module: one route, a view-less API, health."""

from fastapi import APIRouter

from bmc_hub_core import hookimpl


@hookimpl
def register_routes(module):
    router = APIRouter()

    @router.get("/ping")
    def ping() -> dict[str, str]:
        return {"module": module.name, "answer": "pong"}

    return router


@hookimpl
def health():
    return True
