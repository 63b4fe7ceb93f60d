"""Recipe: a Prometheus counter of the module's own (the ``greeter`` module)."""

from __future__ import annotations

from fastapi import APIRouter

from bmc_hub_core import ModuleContext, hookimpl


@hookimpl
def register_routes(module: ModuleContext) -> APIRouter:
    # Shown at /metrics as bmc_hub_module_greeter_greetings_total{language="..."}.
    greetings = module.metrics.counter("greetings", "Greetings sent", ["language"])
    router = APIRouter()

    @router.get("/hello/{language}")
    def hello(language: str) -> str:
        greetings.labels(language).inc()
        return {"da": "Hej", "en": "Hello"}.get(language, "Hello")

    return router
