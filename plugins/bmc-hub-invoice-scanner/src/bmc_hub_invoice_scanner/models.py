"""What the API answers: scans, their fields and errors (pydantic models)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from bmc_hub_core import ErrorDetail

__all__ = ["ErrorDetail"]  # every error is the hub's ``{"detail": "what went wrong"}``


class UploadError(BaseModel):
    """422: the file cannot be read (``detail`` says why), or the request itself is
    invalid (``detail`` is FastAPI's list of validation errors)."""

    detail: str | list[dict[str, Any]]


class FieldValue(BaseModel):
    """One extracted field: its value (``null`` when not found) and the confidence."""

    value: str | None = None
    confidence: Annotated[float, Field(ge=0, le=1)] = 0.0


class ScanFields(BaseModel):
    """The fields looked for on every invoice; dates are ISO 8601, amounts decimal
    strings with two decimals (``"1250.00"``), the currency an ISO 4217 code."""

    invoice_number: FieldValue
    invoice_date: FieldValue
    due_date: FieldValue
    total_amount: FieldValue
    vat_amount: FieldValue
    currency: FieldValue
    vendor_name: FieldValue
    vendor_cvr: FieldValue


class Scan(BaseModel):
    """One scanned invoice."""

    id: int
    filename: str
    content_type: Literal["application/pdf", "text/plain"] = Field(
        description="What the file is, sniffed from its content (not its name)."
    )
    size_bytes: int
    pages: int | None = Field(description="Page count of a PDF; null for text.")
    status: Literal["extracted", "no_text"] = Field(
        description="no_text: a PDF without a text layer (a scanned image); OCR is not included."
    )
    message: str | None
    fields: ScanFields
    customer_id: int | None = Field(
        description="The core customer whose CVR is the vendor's CVR, if there is one."
    )
    created_at: AwareDatetime


class ScanList(BaseModel):
    """A page of scans, newest first."""

    total: int
    limit: int
    offset: int
    items: list[Scan]
