"""The HTML page, mounted by the hub at ``/{{ cookiecutter.module_name }}/``."""

from __future__ import annotations

from bmc_hub_core import ModuleContext
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from .api import list_items


def build_router(module: ModuleContext) -> APIRouter:
    """One page listing the items, in the hub's layout."""
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        context = {
            "items": list_items(module, None, 0),
            "module_name": module.name,
            "read_only": module.read_only,
        }
        # Templates in this package's templates/ folder are addressed as "NAME/file".
        template = f"{module.name}/index.html"
        return module.templates.TemplateResponse(request, template, context)

    return router
