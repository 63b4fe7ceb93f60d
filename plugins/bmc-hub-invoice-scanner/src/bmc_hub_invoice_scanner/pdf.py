"""PDF bytes → text, page by page, with pypdf.

Text keeps each page's horizontal layout (pypdf's ``layout`` mode), so columns stay
apart and a label finds the value under it. No OCR: a page that is only an image has no
text here.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from .errors import UnreadableDocument

logger = logging.getLogger("bmc_hub.modules.invoice_scanner")


@dataclass(frozen=True)
class PdfText:
    text: str
    pages: int


ENCRYPTED = (
    "the PDF is encrypted and needs a password to open; save or print it as a PDF without "
    "a password and upload that"
)


def _page_text(reader: PdfReader, index: int) -> str:
    page = reader.pages[index]
    try:
        return page.extract_text(extraction_mode="layout")
    # Layout mode is the younger code path in pypdf; the plain mode reads more files.
    except Exception:
        logger.debug("layout text failed on page %d; using plain text", index + 1, exc_info=True)
        return page.extract_text()


def read_pdf(data: bytes, *, max_pages: int) -> PdfText:
    """The text of the first ``max_pages`` pages of the PDF in ``data``.

    Raises :class:`UnreadableDocument` (422) when the PDF needs a password or cannot be
    parsed. A PDF protected only against editing (an owner password, no user password)
    opens with the empty password and is read.
    """
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument(ENCRYPTED)
        pages = len(reader.pages)
        text = "\n\f\n".join(_page_text(reader, i) for i in range(min(pages, max_pages)))
    except UnreadableDocument:
        raise
    except FileNotDecryptedError:
        raise UnreadableDocument(ENCRYPTED) from None
    except DependencyError:
        # AES: pypdf decrypts it only with the optional ``cryptography`` package.
        raise UnreadableDocument(
            "the PDF is encrypted with AES, which this server cannot decrypt (pypdf needs the "
            "'cryptography' package); save or print it as a PDF without encryption and "
            "upload that"
        ) from None
    # pypdf raises PdfReadError for most damaged files, but a malformed file can make it
    # raise nearly anything (KeyError, ValueError, zlib.error, RecursionError ...). The
    # file is the client's, so every such failure is a 422 naming the problem.
    except Exception as exc:  # noqa: BLE001
        logger.info("unreadable PDF: %s: %s", type(exc).__name__, exc)
        raise UnreadableDocument(
            f"the PDF cannot be read; it is damaged or not really a PDF ({type(exc).__name__}: "
            f"{str(exc)[:200]})"
        ) from None
    return PdfText(text=text, pages=pages)
