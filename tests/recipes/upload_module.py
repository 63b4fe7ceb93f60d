"""Recipe: import the rows of an uploaded XLSX file with openpyxl (the ``sheets`` module)."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, UploadFile
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel

from bmc_hub_core import ModuleContext, error_responses, hookimpl, module_metadata

metadata = module_metadata("sheets")

rows = sa.Table(
    "sheets_rows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("amount", sa.Integer, nullable=False),
)


class Imported(BaseModel):
    rows: int


def read_rows(data: bytes) -> list[dict[str, Any]]:
    """``name, amount`` from the first sheet, below a header row."""
    try:
        book = openpyxl.load_workbook(BytesIO(data), read_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError) as exc:
        raise HTTPException(422, "not an XLSX workbook") from exc
    try:
        found = []
        for name, amount in book.worksheets[0].iter_rows(min_row=2, max_col=2, values_only=True):
            if name is None:
                continue
            if not isinstance(amount, int):
                raise HTTPException(422, f"row {name!r}: amount {amount!r} is not a whole number")
            found.append({"name": str(name)[:80], "amount": amount})
        return found
    finally:
        book.close()


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "sheets"


@hookimpl
def register_routes(module: ModuleContext) -> APIRouter:
    router = APIRouter()

    def import_rows(file: UploadFile) -> Imported:
        found = read_rows(file.file.read())
        if found:
            # Kept only when DRY_RUN is off; the count is the same either way.
            with module.transaction() as session:
                session.execute(sa.insert(rows), found)
        return Imported(rows=len(found))

    @router.post("/import", responses=error_responses(422))
    def import_sheet(file: UploadFile) -> Imported:
        """Import a workbook of up to BMC_HUB_MAX_BODY_BYTES."""
        return import_rows(file)

    # FastAPI's own per-route limit; the hub applies it instead of BMC_HUB_MAX_BODY_BYTES.
    @router.post("/import-large", max_body_size=50 * 1024 * 1024, responses=error_responses(422))
    def import_large_sheet(file: UploadFile) -> Imported:
        """Import a workbook of up to 50 MiB."""
        return import_rows(file)

    return router
