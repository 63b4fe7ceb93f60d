"""Files the journey uploads, written by the test itself: an XLSX import and a PDF invoice."""

from __future__ import annotations

import datetime as dt
import io

from fpdf import FPDF
from openpyxl import Workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def subscriptions_xlsx(rows: list[list[object]]) -> bytes:
    """A workbook whose first sheet has the Danish header and ``rows``."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Kunde CVR", "Produkt", "Antal", "Enhedspris", "Valuta", "Interval", "Startdato"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def invoice_pdf(vendor_cvr: str) -> bytes:
    """A one-page Danish invoice from ``vendor_cvr`` for 1.250,00 DKK."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for line in [
        "Nordisk Kaffe ApS",
        "Strandvejen 1, 2900 Hellerup",
        f"CVR-nr.: {vendor_cvr}",
        "",
        "FAKTURA",
        "Faktura nr.: 2026-001",
        "Fakturadato: 01-11-2026",
        "Forfaldsdato: 15.11.2026",
        "",
        "Kaffebønner, 10 kg: 1.000,00 DKK",
        "Moms 25%: 250,00 DKK",
        "I alt: 1.250,00 DKK",
    ]:
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
