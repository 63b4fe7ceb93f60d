"""Invoices written by the tests themselves with fpdf2: nothing is downloaded or shipped.

Each builder returns the bytes of a small PDF in one layout. The core fonts of fpdf2
cover Latin-1, so æ, ø and å work and the euro sign is written as EUR.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import pytest
from fpdf import FPDF
from PIL import Image

#: Passes the CVR modulus-11 check (see test_parsing.with_check_digit).
VENDOR_CVR = "12345674"
CUSTOMER_CVR = "29403473"


def _pdf() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2026, 11, 1, tzinfo=dt.UTC))  # same bytes every run
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    return pdf


def _lines(pdf: FPDF, lines: Sequence[str]) -> None:
    for line in lines:
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")


def _row(pdf: FPDF, *columns: tuple[float, str]) -> None:
    """One row of text at the given x positions (mm)."""
    y = pdf.get_y()
    for x, text in columns:
        pdf.set_xy(x, y)
        pdf.cell(80, 7, text)
    pdf.set_xy(pdf.l_margin, y + 7)


def danish_invoice() -> bytes:
    """Labels and values on the same line; amounts like ``1.250,00 DKK``."""
    pdf = _pdf()
    _lines(
        pdf,
        [
            "Nordisk Kaffe ApS",
            "Strandvejen 1, 2900 Hellerup",
            f"CVR-nr.: {VENDOR_CVR}",
            "",
            "FAKTURA",
            "Faktura nr.: 2026-001",
            "Fakturadato: 01-11-2026",
            "Forfaldsdato: 15.11.2026",
            "",
            "Kaffebønner, 10 kg: 1.000,00 DKK",
            "Moms 25%: 250,00 DKK",
            "I alt: 1.250,00 DKK",
        ],
    )
    return bytes(pdf.output())


def english_invoice() -> bytes:
    """Each label on its own line with the value on the next; ``DKK 1,250.00``."""
    pdf = _pdf()
    _lines(
        pdf,
        [
            "INVOICE",
            "Acme Consulting Ltd",
            f"VAT no. DK{VENDOR_CVR}",
            "Invoice number",
            "INV-1001",
            "Invoice date",
            "November 1, 2026",
            "Due date",
            "2026-11-15",
            "VAT",
            "DKK 250.00",
            "Amount due",
            "DKK 1,250.00",
        ],
    )
    return bytes(pdf.output())


def two_column_invoice() -> bytes:
    """Vendor left, customer right (with the customer's own CVR); a row of labels over
    a row of values; the total far right of its label."""
    pdf = _pdf()
    _row(pdf, (10, "Nordisk Kaffe ApS"), (120, "Kunde"))
    _row(pdf, (10, "Strandvejen 1"), (120, "Café Blå I/S"))
    _row(pdf, (10, f"CVR {VENDOR_CVR}"), (120, f"CVR {CUSTOMER_CVR}"))
    pdf.ln(7)
    _row(pdf, (10, "Fakturanr."), (70, "Fakturadato"), (130, "Forfaldsdato"))
    _row(pdf, (10, "2026-002"), (70, "1. november 2026"), (130, "15-11-2026"))
    pdf.ln(7)
    _row(pdf, (10, "Heraf moms"), (150, "250,00"))
    _row(pdf, (10, "At betale"), (150, "kr. 1.250,00"))
    return bytes(pdf.output())


def encrypted_invoice(user_password: str | None = "secret") -> bytes:
    """RC4-encrypted (fpdf2's default, no extra library); without a user password the
    PDF opens for anyone and only editing is protected."""
    pdf = _pdf()
    _lines(pdf, ["Faktura nr.: 2026-009", "I alt: 1.250,00 DKK"])
    pdf.set_encryption(owner_password="owner", user_password=user_password)
    return bytes(pdf.output())


def image_only_invoice() -> bytes:
    """A "scanned" page: one image, no text layer."""
    pdf = _pdf()
    pdf.image(Image.new("RGB", (300, 200), "white"), x=10, y=10, w=150)
    return bytes(pdf.output())


def multi_page_invoice(pages: int) -> bytes:
    pdf = _pdf()
    _lines(pdf, ["Faktura nr.: 2026-100"])
    for page in range(2, pages + 1):
        pdf.add_page()
        _lines(pdf, [f"Side {page}: I alt: {page}.000,00 DKK"])
    return bytes(pdf.output())


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


TEXT_INVOICE = (
    "Hansens Tømrerfirma ApS\n"
    f"CVR: {VENDOR_CVR}\n"
    "Fakturanummer: T-77\n"
    "Fakturadato: 2026-11-01\n"
    "Betalingsfrist: 14 dage\n"
    "At betale: kr. 9.995,00\n"
    "Heraf moms: kr. 1.999,00\n"
)


class Invoices:
    """The builders above, handed to tests by the ``invoices`` fixture (test files do not
    import each other: pytest may run them next to other projects' tests)."""

    vendor_cvr = VENDOR_CVR
    customer_cvr = CUSTOMER_CVR
    text = TEXT_INVOICE
    danish = staticmethod(danish_invoice)
    english = staticmethod(english_invoice)
    two_column = staticmethod(two_column_invoice)
    encrypted = staticmethod(encrypted_invoice)
    image_only = staticmethod(image_only_invoice)
    multi_page = staticmethod(multi_page_invoice)
    png = staticmethod(png_bytes)


@pytest.fixture
def invoices() -> type[Invoices]:
    return Invoices
