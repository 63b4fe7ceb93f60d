"""Hook implementations of the ``hello`` module (the entry point object)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from bmc_hub_core import HealthResult, ModuleContext, ModuleSettings, NavItem, Text, hookimpl

from .tables import greetings, metadata

hub_api = ">=1,<2"

__all__ = ["metadata"]  # the core's `db revision --autogenerate` compares against it


class HelloSettings(ModuleSettings):
    """``MODULES__HELLO__GREETING`` and the core's safety switches."""

    greeting: Annotated[str, Field(max_length=40)] = "Hello"


class Greeting(BaseModel):
    message: str


class GreetingRequest(BaseModel):
    # Text: no NUL character, which PostgreSQL cannot store (a 422, never a 500).
    name: Annotated[Text, Field(min_length=1, max_length=80)]


@hookimpl
def register_settings() -> type[ModuleSettings]:
    return HelloSettings


@hookimpl
def register_migrations() -> Path:
    """The versions folder ships inside the package (and so inside the wheel)."""
    return Path(__file__).parent / "migrations" / "versions"


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

    @router.post("/greetings", response_model=Greeting, status_code=201)
    def record(request: GreetingRequest) -> Greeting:
        """Greet someone and keep the greeting (honours READ_ONLY and DRY_RUN)."""
        message = f"{settings.greeting}, {request.name}"
        with module.transaction() as session:
            session.execute(sa.insert(greetings).values(name=request.name, message=message))
        return Greeting(message=message)

    @router.get("/greetings/log", response_model=list[Greeting])
    def log() -> list[Greeting]:
        """The kept greetings, newest first."""
        with module.session() as session:
            rows = session.execute(
                sa.select(greetings.c.message).order_by(greetings.c.id.desc()).limit(50)
            ).scalars()
            return [Greeting(message=message) for message in rows]

    return router


@hookimpl
def register_views(module: ModuleContext) -> APIRouter:
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        return module.templates.TemplateResponse(
            request,
            "hello/index.html",
            {"greeting": module.settings.greeting},  # type: ignore[attr-defined]
        )

    return router


@hookimpl
def register_navigation() -> NavItem:
    return NavItem("Hello", "/", order=90)


@hookimpl
def health(module: ModuleContext) -> HealthResult:
    greeting = module.settings.greeting  # type: ignore[attr-defined]
    return HealthResult(ok=bool(greeting.strip()), detail=f"greeting is {greeting!r}")
