"""An uploaded file → its text, by content sniffing (never the file name).

A PDF is recognised by its ``%PDF-`` signature, plain text by decoding as UTF-8 or
Windows-1252 without NUL or other control bytes. Anything else is refused with a message
naming what it looks like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from .errors import UnreadableDocument
from .pdf import read_pdf

PDF: Final = "application/pdf"
TEXT: Final = "text/plain"
ContentType = Literal["application/pdf", "text/plain"]

#: Readers accept a PDF whose signature sits within the first 1024 bytes (junk before it
#: is common in mail-gateway output); so do we.
PDF_SIGNATURE = b"%PDF-"
PDF_SIGNATURE_WITHIN = 1024

#: What a refused binary file most likely is, by its first bytes.
KNOWN_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/Excel file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file"),
)

#: Control characters that never occur in a text document (tab, newlines, form feed do).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Document:
    content_type: ContentType
    text: str
    #: Page count of a PDF; None for text.
    pages: int | None


def _refuse(data: bytes) -> UnreadableDocument:
    kind = next((name for sig, name in KNOWN_SIGNATURES if data.startswith(sig)), None)
    what = kind or "binary data"
    hint = "; images need OCR, which this module does not include" if "image" in what else ""
    return UnreadableDocument(
        f"the file is {what}, not a PDF or a plain-text file{hint}", status=415
    )


def decode_text(data: bytes) -> str | None:
    """``data`` as text (UTF-8, with or without BOM, else Windows-1252), or None."""
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if _CONTROL.search(text) else text
    return None


def read_document(data: bytes, *, max_pages: int) -> Document:
    """The text of an uploaded PDF or plain-text file.

    Raises :class:`UnreadableDocument`: 422 when the file is empty or a PDF that cannot
    be read, 415 when it is neither a PDF nor text.
    """
    if not data.strip():
        raise UnreadableDocument("the file is empty" if not data else "the file is blank")
    if PDF_SIGNATURE in data[:PDF_SIGNATURE_WITHIN]:
        pdf = read_pdf(data, max_pages=max_pages)
        return Document(PDF, pdf.text, pdf.pages)
    text = decode_text(data)
    if text is None:
        raise _refuse(data)
    return Document(TEXT, text, None)
