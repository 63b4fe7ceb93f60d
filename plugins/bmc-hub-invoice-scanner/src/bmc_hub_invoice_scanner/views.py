"""The HTML pages, mounted by the hub at ``/invoice_scanner``: plain forms, no JavaScript.

``/`` uploads a file and lists recent scans; ``/scans/{id}`` shows one scan's fields.
Errors are shown on the page with the status the API would answer, never as JSON.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from bmc_hub_core import ModuleContext

from . import store
from .api import scan_upload
from .errors import UnreadableDocument
from .extract import FIELD_NAMES
from .limits import body_limit, describe_size, upload_route
from .models import Scan
from .scanning import clean_filename
from .settings import scanner_settings

FIELD_LABELS = {
    "invoice_number": "Invoice number",
    "invoice_date": "Invoice date",
    "due_date": "Due date",
    "total_amount": "Total amount",
    "vat_amount": "VAT amount",
    "currency": "Currency",
    "vendor_name": "Vendor",
    "vendor_cvr": "Vendor CVR",
}
RECENT = 20
MAX_ID = 2_147_483_647


def build_router(module: ModuleContext) -> APIRouter:
    settings = scanner_settings(module)
    router = APIRouter()

    def index(request: Request, error: str | None = None, status_code: int = 200) -> Response:
        context: dict[str, Any] = {
            "scans": store.page(module, RECENT, 0),
            "error": error,
            "read_only": module.read_only,
            "dry_run": module.dry_run,
            "max_upload": describe_size(settings.max_upload_bytes),
        }
        return module.templates.TemplateResponse(
            request, "invoice_scanner/index.html", context, status_code=status_code
        )

    def detail(request: Request, scan: Scan, text: str, *, kept: bool = True) -> Response:
        fields = scan.fields.model_dump()
        context: dict[str, Any] = {
            "scan": scan,
            "text": text,
            "rows": [(name, FIELD_LABELS[name], fields[name]) for name in FIELD_NAMES],
            "kept": kept,
            "read_only": module.read_only,
        }
        return module.templates.TemplateResponse(request, "invoice_scanner/scan.html", context)

    def not_found(request: Request, scan_id: str) -> Response:
        message = f"There is no scan {scan_id[:20]!r}."
        return module.templates.TemplateResponse(
            request, "invoice_scanner/missing.html", {"message": message}, status_code=404
        )

    async def too_large(request: Request, message: str) -> Response:
        return await run_in_threadpool(index, request, message, 413)

    uploads = APIRouter(
        route_class=upload_route(settings.max_upload_bytes, too_large),
        max_body_size=body_limit(settings.max_upload_bytes),
    )

    @router.get("/", response_class=HTMLResponse, name="invoice_scanner.index")
    def page(request: Request) -> Response:
        return index(request)

    @uploads.post("/scans", response_class=HTMLResponse, name="invoice_scanner.upload")
    def upload(request: Request, file: Annotated[UploadFile | None, File()] = None) -> Response:
        """Scan the uploaded file, then show it (303 to its page, so a reload is harmless)."""
        if file is None or not file.filename:
            return index(request, "Choose a file to scan.", 422)
        try:
            scan = scan_upload(module, file)
        except UnreadableDocument as exc:
            return index(request, f"{clean_filename(file.filename)}: {exc.message}", exc.status)
        if module.dry_run:
            # DRY_RUN: nothing was kept, so there is no page to redirect to.
            return detail(request, scan, "", kept=False)
        target = request.url_for("invoice_scanner.scan", scan_id=str(scan.id))
        return RedirectResponse(str(target), status_code=303)

    router.include_router(uploads)

    @router.get("/scans/{scan_id}", response_class=HTMLResponse, name="invoice_scanner.scan")
    def scan_page(request: Request, scan_id: str) -> Response:
        # Any id is answered with a page: a JSON 422 is no answer for a browser.
        if not scan_id.isdigit() or not 1 <= int(scan_id) <= MAX_ID:
            return not_found(request, scan_id)
        found = store.get(module, int(scan_id))
        if found is None:
            return not_found(request, scan_id)
        return detail(request, *found)

    @router.post("/scans/{scan_id}/delete", name="invoice_scanner.delete")
    def delete(request: Request, scan_id: str) -> Response:
        if scan_id.isdigit() and 1 <= int(scan_id) <= MAX_ID:
            store.delete(module, int(scan_id))
        return RedirectResponse(str(request.url_for("invoice_scanner.index")), status_code=303)

    return router
