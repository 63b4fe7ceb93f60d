"""extract() on real layouts: labels above or beside their values, columns, the vendor
name, and texts too long or hostile, searched in bounded time."""

from __future__ import annotations

import time

import pytest
from bmc_hub_invoice_scanner.extract import MAX_CHARS, extract
from extract_cases import CVR, OTHER_CVR, confidence, value

# --- layouts ------------------------------------------------------------------------


def test_labels_on_the_line_above_their_values():
    text = "Fakturanummer\n2026-001\nFakturadato\n01-11-2026\nAt betale\n1.250,00 DKK"
    assert value(text, "invoice_number") == "2026-001"
    assert value(text, "invoice_date") == "2026-11-01"
    assert value(text, "total_amount") == "1250.00"
    assert confidence(text, "invoice_number") < confidence(
        "Fakturanummer 2026-001", "invoice_number"
    )


def test_a_row_of_labels_over_a_row_of_values():
    text = (
        "Fakturanr.      Fakturadato        Forfaldsdato\n"
        "2026-002        1. november 2026   15-11-2026\n"
    )
    assert value(text, "invoice_number") == "2026-002"
    assert value(text, "invoice_date") == "2026-11-01"
    assert value(text, "due_date") == "2026-11-15"
    assert confidence(text, "due_date") == 0.85


def test_two_columns_side_by_side():
    text = (
        "Nordisk Kaffe ApS                         Kunde\n"
        f"CVR-nr.: {CVR}                          Café Blå I/S\n"
        f"Fakturanr.: 2026-003                      CVR {OTHER_CVR}\n"
        "Fakturadato: 01-11-2026                   Forfaldsdato: 15-11-2026\n"
        "I alt                                     1.250,00 DKK\n"
    )
    fields = extract(text)
    assert fields["vendor_cvr"] is not None and fields["vendor_cvr"].value == CVR
    assert fields["invoice_number"] is not None and fields["invoice_number"].value == "2026-003"
    assert fields["due_date"] is not None and fields["due_date"].value == "2026-11-15"
    assert fields["total_amount"] is not None and fields["total_amount"].value == "1250.00"
    assert fields["vendor_name"] is not None and fields["vendor_name"].value == "Nordisk Kaffe ApS"


def test_a_value_far_right_of_its_label_on_the_same_row():
    assert value("I alt                         1.250,00 DKK", "total_amount") == "1250.00"
    assert confidence("I alt              1.250,00", "total_amount") == 0.85


# --- vendor name --------------------------------------------------------------------


def test_vendor_name_from_a_label():
    assert value("Leverandør: Nordisk Kaffe ApS", "vendor_name") == "Nordisk Kaffe ApS"
    assert confidence("Supplier: Acme Ltd", "vendor_name") == 0.75


def test_vendor_name_before_the_cvr_on_its_line():
    text = f"Nordisk Kaffe ApS, CVR-nr. {CVR}"
    assert value(text, "vendor_name") == "Nordisk Kaffe ApS"
    assert confidence(text, "vendor_name") == 0.6


def test_vendor_name_on_the_line_above_the_cvr():
    text = f"FAKTURA\n\nKunde: Café Blå I/S\n\nNordisk Kaffe ApS\nStrandvejen 1\nCVR {CVR}"
    assert value(text, "vendor_name") == "Nordisk Kaffe ApS"


def test_vendor_name_falls_back_to_the_first_line():
    text = "FAKTURA\nHansens Tømrerfirma\nFakturanr. 17"
    assert value(text, "vendor_name") == "Hansens Tømrerfirma"
    assert confidence(text, "vendor_name") == 0.35


def test_nothing_is_invented_from_unrelated_text():
    fields = extract("Dear customer,\nthank you for your order.\n")
    assert fields["invoice_number"] is None
    assert fields["total_amount"] is None
    assert fields["vendor_cvr"] is None


# --- bounds -------------------------------------------------------------------------


def test_only_the_start_of_a_long_text_is_searched():
    filler = "lorem ipsum\n" * (MAX_CHARS // 12 + 1)
    assert value(f"CVR {CVR}\n{filler}", "vendor_cvr") == CVR
    assert value(f"{filler}CVR {CVR}", "vendor_cvr") is None


@pytest.mark.parametrize(
    "text",
    [
        "1" * 10_000_000,
        "Faktura nr. " * 1_000_000,  # thousands of labels in one cell
        "CVR 12345674 " * 1_000_000,
        "Total  " * 1_000_000,  # thousands of cells in one row
        "Total\n" * 1_000_000,
        "Kunde:\n" * 1_000_000,
    ],
    ids=["digits", "labels", "cvr", "cells", "rows", "headings"],
)
def test_hostile_text_is_handled_in_bounded_time(text):
    started = time.monotonic()
    extract(text)
    # About a second on a laptop; the budget only catches a quadratic regression (minutes).
    assert time.monotonic() - started < 20
