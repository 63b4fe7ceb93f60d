"""Hook implementations of the ``hello`` module (the entry point object)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from bmc_hub_core import HealthResult, ModuleContext, ModuleSettings, hookimpl

hub_api = ">=1,<2"


class HelloSettings(ModuleSettings):
    """``MODULES__HELLO__GREETING`` and the core's safety switches."""

    greeting: Annotated[str, Field(max_length=40)] = "Hello"


class Greeting(BaseModel):
    message: str


@hookimpl
def register_settings() -> type[ModuleSettings]:
    return HelloSettings


@hookimpl
def register_routes(module: ModuleContext) -> APIRouter:
    router = APIRouter()
    settings = module.settings
    assert isinstance(settings, HelloSettings)

    @router.get("/", response_model=Greeting)
    def hello() -> Greeting:
        """Say hello to the world."""
        return Greeting(message=f"{settings.greeting}, world")

    @router.get("/greetings", response_model=Greeting)
    def greet(name: Annotated[str, Query(min_length=1, max_length=80)]) -> Greeting:
        """Greet someone by name with the configured greeting."""
        module.logger.info("greeting %s", name)
        return Greeting(message=f"{settings.greeting}, {name}")

    return router


@hookimpl
def register_views(module: ModuleContext) -> APIRouter:
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        return module.templates.TemplateResponse(
            request, "hello/index.html", {"greeting": module.settings.greeting}  # type: ignore[attr-defined]
        )

    return router


@hookimpl
def health(module: ModuleContext) -> HealthResult:
    greeting = module.settings.greeting  # type: ignore[attr-defined]
    return HealthResult(ok=bool(greeting.strip()), detail=f"greeting is {greeting!r}")
