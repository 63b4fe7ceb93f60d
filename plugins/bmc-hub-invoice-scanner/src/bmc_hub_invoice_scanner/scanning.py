"""An uploaded file → a scan record: read the document, extract the fields.

No database here; :mod:`.store` keeps what this produces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from .documents import ContentType, read_document
from .extract import FIELD_NAMES, Fields, extract

NO_TEXT = (
    "the PDF has no text layer (it is probably a scanned image); reading images needs "
    "OCR, which this module does not include, so no fields were extracted"
)
#: Stored text is cut here: an invoice's fields are near its start.
MAX_STORED_TEXT = 200_000

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class NewScan:
    """A scan ready to be stored."""

    filename: str
    content_type: ContentType
    size_bytes: int
    pages: int | None
    status: Literal["extracted", "no_text"]
    message: str | None
    fields: dict[str, dict[str, Any]]
    text: str

    @property
    def vendor_cvr(self) -> str | None:
        value = self.fields["vendor_cvr"]["value"]
        return value if isinstance(value, str) else None


def clean_filename(name: str | None) -> str:
    """The last path segment of a client's file name, without control characters."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = _UNSAFE_NAME.sub("", base).strip()
    return base[:255] or "upload"


def fields_as_json(fields: Fields) -> dict[str, dict[str, Any]]:
    """Every field, found or not: ``{"value": None, "confidence": 0.0}`` when not found."""
    return {
        name: {"value": found.value, "confidence": found.confidence}
        if (found := fields[name])
        else {"value": None, "confidence": 0.0}
        for name in FIELD_NAMES
    }


def scan(data: bytes, filename: str | None, *, max_pages: int) -> NewScan:
    """Read ``data`` (a PDF or plain text) and extract its fields.

    Raises :class:`~.errors.UnreadableDocument` for a file that cannot be scanned.
    """
    document = read_document(data, max_pages=max_pages)
    has_text = bool(document.text.strip())
    return NewScan(
        filename=clean_filename(filename),
        content_type=document.content_type,
        size_bytes=len(data),
        pages=document.pages,
        status="extracted" if has_text else "no_text",
        message=None if has_text else NO_TEXT,
        fields=fields_as_json(extract(document.text)),
        text=document.text[:MAX_STORED_TEXT],
    )
