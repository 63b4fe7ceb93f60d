"""The hub's OpenAPI document (``/api/openapi.json``): built once, on first use, in a
worker thread.

- **Off the event loop.** With many modules the document takes a noticeable time to
  build (about 10 ms a module); FastAPI builds it inside its ``async`` route, where the
  worker would answer nothing else meanwhile. Here the first request builds it in a
  thread; later ones get the kept document.
- **One bad module never breaks it.** The document is built for all routes at once; only
  when that fails is each module's API tried alone, and the modules whose models cannot
  produce a schema are left out (their routes are still served), with a warning on the
  module's record and in the log.
- **What the hub adds to module routes.** Module routes carry no security dependency
  and no ``responses=`` of the hub's (the gate checks tokens and switches before a
  module runs; a dependency would cost every request, and declared responses a model
  field per status and route, built at start-up). Their operations are declared here:
  ``security: [{"bearer": []}]`` and the errors the hub answers in front of them
  (:data:`~.responses.MODULE_ROUTE_RESPONSES`), unless the route declares its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.routing import BaseRoute

from .auth import BEARER
from .dispatch import ModuleDispatch
from .hub import Hub
from .responses import MODULE_ROUTE_RESPONSES, ErrorDetail
from .urlspace import is_core_health, owner

log = logging.getLogger(__name__)

OPENAPI_URL = "/api/openapi.json"
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


class OpenApiDocument:
    """Builds and keeps the document of ``app`` (thread-safe)."""

    def __init__(
        self, app: FastAPI, hub: Hub, module_routes: Mapping[str, Sequence[BaseRoute]]
    ) -> None:
        self.app = app
        self.hub = hub
        self.module_routes = module_routes
        self._lock = threading.Lock()
        self._schema: dict[str, Any] | None = None

    def get(self) -> dict[str, Any]:
        with self._lock:
            if self._schema is None:
                self._schema = self._build()
            return self._schema

    def _generate(self, routes: list[BaseRoute]) -> dict[str, Any]:
        app = self.app
        return get_openapi(
            title=app.title,
            version=app.version,
            openapi_version=app.openapi_version,
            description=app.description,
            routes=routes,
            tags=app.openapi_tags,
            servers=app.servers,
        )

    def _build(self) -> dict[str, Any]:
        owned = {id(route) for found in self.module_routes.values() for route in found}
        # Every route but the dispatch (it only forwards to the module routers listed).
        routes = [r for r in self.app.routes if not isinstance(r, ModuleDispatch)]
        core = [r for r in routes if id(r) not in owned]
        try:
            schema = self._generate(routes)
        # The generator runs module-defined models: any exception means "find whose".
        except Exception:  # noqa: BLE001
            schema = self._generate(core + self._without_broken_modules())
        self._declare_hub_answers(schema)
        return schema

    def _without_broken_modules(self) -> list[BaseRoute]:
        """Every module's routes whose schema builds alone; the others are left out."""
        kept: list[BaseRoute] = []
        for name, routes in self.module_routes.items():
            try:
                get_openapi(title=name, version="0", routes=list(routes))
            # Module-defined models: any exception leaves the module out of the document.
            except Exception as exc:  # noqa: BLE001
                message = f"routes left out of the OpenAPI document: {type(exc).__name__}: {exc}"
                log.warning("module '%s': %s", name, message)
                record = self.hub.registry.get(name)
                if record is not None and message not in record.warnings:
                    record.warnings.append(message)
                continue
            kept.extend(routes)
        return kept

    def _declare_hub_answers(self, schema: dict[str, Any]) -> None:
        components = schema.setdefault("components", {})
        schemes = components.setdefault("securitySchemes", {})
        schemes.setdefault(
            BEARER.scheme_name, BEARER.model.model_dump(by_alias=True, exclude_none=True)
        )
        components.setdefault("schemas", {}).setdefault(
            ErrorDetail.__name__, ErrorDetail.model_json_schema()
        )
        error = {"$ref": f"#/components/schemas/{ErrorDetail.__name__}"}
        for path, operations in schema.get("paths", {}).items():
            if owner(path) not in self.module_routes or is_core_health(path):
                continue
            for method, operation in operations.items():
                if method not in _METHODS:
                    continue
                operation.setdefault("security", [{BEARER.scheme_name: []}])
                answers = operation.setdefault("responses", {})
                for code, declared in MODULE_ROUTE_RESPONSES.items():
                    answers.setdefault(
                        str(code),
                        {
                            "description": declared["description"],
                            "content": {"application/json": {"schema": error}},
                        },
                    )


def install(app: FastAPI, document: OpenApiDocument) -> None:
    """Serve the document at ``/api/openapi.json`` (built in a thread on first use) and
    make ``app.openapi()`` return it."""
    app.openapi = document.get  # type: ignore[method-assign]

    async def openapi(request: Request) -> JSONResponse:
        schema = await anyio.to_thread.run_sync(document.get)
        root_path = request.scope.get("root_path", "").rstrip("/")
        if root_path:
            schema = {**schema, "servers": [{"url": root_path}, *schema.get("servers", [])]}
        return JSONResponse(schema)

    app.add_route(OPENAPI_URL, openapi, include_in_schema=False)
