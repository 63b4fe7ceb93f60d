"""``create_app(settings)``: builds one complete hub app. Nothing happens at import."""

from __future__ import annotations

import logging
import logging.config
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError

from . import (
    admin,
    admin_page,
    api_core,
    customers_page,
    docs_ui,
    jobs_api,
    metrics_api,
    openapi_doc,
    pages,
)
from .answers import Answers
from .auth import LoginRequired, TokenCheck, login_redirect
from .discovery import Candidate
from .errors import BmcHubError
from .gate import INTERNAL_ERROR, ModuleGate
from .health import HealthService
from .http_errors import ContentTooLarge, method_not_allowed, validation_error
from .hub import Hub
from .lifecycle import Lifecycle
from .logs import RequestLog, logging_config
from .navigation import Navigation
from .routing import mount_modules
from .settings import Settings, load_settings

log = logging.getLogger(__name__)


def _install_error_handlers(app: FastAPI) -> None:
    async def login_required(request: Request, _exc: Exception) -> Response:
        return login_redirect(request)

    async def unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": INTERNAL_ERROR}, 500)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(405, method_not_allowed)
    app.add_exception_handler(Exception, unhandled)


def create_app(
    settings: Settings | None = None,
    *,
    modules: dict[str, object] | None = None,
    candidates: dict[str, list[Candidate]] | None = None,
) -> FastAPI:
    """Build a hub app: discover and load modules, mount them, gate them.

    ``modules`` registers in-process module objects (name → object holding hookimpls)
    as if installed and allowed; ``candidates`` replaces entry-point discovery. Both are
    for tests; production passes only ``settings``.
    """
    settings = settings or load_settings()
    hub = Hub.build(settings, candidates=candidates, extra_plugins=modules, metrics=True)
    lifecycle = Lifecycle(hub)
    health = HealthService(hub)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Per event loop: the server's loop, where every sync route takes its thread.
        to_thread.current_default_thread_limiter().total_tokens = settings.threadpool_size
        try:
            await lifecycle.startup()
        except BaseException as exc:
            # The reason first, in one line; the server then logs the traceback.
            if isinstance(exc, BmcHubError | SQLAlchemyError):
                reason = (str(exc).strip() or repr(exc)).splitlines()[0]
                log.error("the hub cannot start: %s", reason)
            # A failed start (strict mode, core migration) still stops the modules that
            # did start and releases the database.
            await lifecycle.shutdown()
            raise
        try:
            yield
        finally:
            await lifecycle.shutdown()

    app = FastAPI(
        title="BMC Hub",
        version=hub.core_version,
        lifespan=lifespan,
        openapi_url=None,  # served by openapi_doc (built in a thread, on first use)
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": r.name, "description": f"{r.distribution} {r.version}"}
            for r in hub.registry.loaded()
        ],
    )
    app.state.hub = hub
    app.state.lifecycle = lifecycle
    app.state.health = health
    _install_error_handlers(app)
    static_dir = Path(str(resources.files("bmc_hub_core") / "static"))
    app.mount("/static/hub", StaticFiles(directory=static_dir), name="hub-static")
    docs_ui.install(app)
    for router in (admin, jobs_api, admin_page, api_core, pages, customers_page, metrics_api):
        app.include_router(router.build_router())
    # The gate checks tokens for every module URL space (routes, mounts, websockets)
    # before the module runs; the OpenAPI document declares the bearer scheme for them.
    stacks = mount_modules(app, hub)
    openapi_doc.install(app, openapi_doc.OpenApiDocument(app, hub, stacks.routes))
    app.state.navigation = Navigation.collect(hub)
    lifecycle.publish()
    answers = Answers(hub)
    # BMC_HUB_MAX_BODY_BYTES: a request that carries a body is refused (413) once its
    # Content-Length or what it streams passes the limit; a route's own
    # ``max_body_size=`` raises or lowers it for that route.
    app.add_middleware(ContentTooLarge, answers=answers, limit=settings.max_body_bytes)
    app.add_middleware(
        ModuleGate,
        view=lambda: lifecycle.view,
        guard=TokenCheck(hub) if settings.api_token_values else None,
        answers=answers,
        stacks=stacks,
    )
    # Outermost: every request gets its id and log line, a module's its metrics.
    app.add_middleware(RequestLog, metrics=hub.metrics)
    return app


def app_from_env() -> FastAPI:
    """uvicorn factory (``bmc_hub_core.app:app_from_env``): settings from the environment.

    ``bmc-hub serve`` configures logging through uvicorn; another server (uvicorn or
    gunicorn run by hand) gets the same log lines from here.
    """
    settings = load_settings()
    if not logging.getLogger().handlers:
        logging.config.dictConfig(logging_config(settings.log_level, settings.log_format))
    return create_app(settings)
