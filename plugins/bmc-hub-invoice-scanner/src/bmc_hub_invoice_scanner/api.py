"""The JSON API, mounted by the hub at ``/api/v1/invoice_scanner``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Path, Query, Response, UploadFile, status

from bmc_hub_core import ModuleContext

from . import store
from .errors import UnreadableDocument
from .limits import body_limit, read_upload, upload_route
from .models import ErrorDetail, Scan, ScanList, UploadError
from .scanning import scan
from .settings import scanner_settings

#: Ids are database integers: a larger one is a 422, never a database overflow.
ScanId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The scan's id.")]

READ_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorDetail, "description": "The module is read-only (READ_ONLY)."}
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail, "description": "There is no scan with this id."}
}
UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    **READ_ONLY,
    413: {"model": ErrorDetail, "description": "The file is larger than MAX_UPLOAD_BYTES."},
    415: {"model": ErrorDetail, "description": "The file is neither a PDF nor plain text."},
    422: {
        "model": UploadError,
        "description": "The file is empty, an encrypted or damaged PDF, or no file was sent.",
    },
}


def scan_upload(module: ModuleContext, upload: UploadFile) -> Scan:
    """Read, extract and keep one uploaded file (the API and the page share this)."""
    settings = scanner_settings(module)
    data = read_upload(upload.file, settings.max_upload_bytes)
    return store.save(module, scan(data, upload.filename, max_pages=settings.max_pages))


def build_router(module: ModuleContext) -> APIRouter:
    """The scan endpoints; every database access goes through ``module.session()``."""
    settings = scanner_settings(module)
    router = APIRouter()
    uploads = APIRouter(
        route_class=upload_route(settings.max_upload_bytes),
        max_body_size=body_limit(settings.max_upload_bytes),
    )

    @uploads.post(
        "/scans", response_model=Scan, status_code=status.HTTP_201_CREATED, responses=UPLOAD_ERRORS
    )
    def create_scan(
        file: Annotated[UploadFile, File(description="The invoice: a PDF or a plain-text file.")],
    ) -> Scan:
        """Scan an invoice: extract its fields, match the vendor's CVR to a customer, keep it.

        A PDF without a text layer (a scanned image) is kept with status ``no_text``:
        OCR is not included.
        """
        try:
            return scan_upload(module, file)
        except UnreadableDocument as exc:
            raise HTTPException(exc.status, exc.message) from None

    router.include_router(uploads)

    @router.get("/scans", response_model=ScanList)
    def list_scans(
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> ScanList:
        """Scans, newest first, with the total count."""
        return store.page(module, limit, offset)

    @router.get("/scans/{scan_id}", response_model=Scan, responses=NOT_FOUND)
    def get_scan(scan_id: ScanId) -> Scan:
        """One scan."""
        found = store.get(module, scan_id)
        if found is None:
            raise HTTPException(404, f"scan {scan_id} not found")
        return found[0]

    @router.delete(
        "/scans/{scan_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        responses={**READ_ONLY, **NOT_FOUND},
    )
    def delete_scan(scan_id: ScanId) -> Response:
        """Delete one scan."""
        if not store.delete(module, scan_id):
            raise HTTPException(404, f"scan {scan_id} not found")
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router
