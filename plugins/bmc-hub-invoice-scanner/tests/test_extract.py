"""extract(): invoice text → fields with confidences, for Danish and English labels."""

from __future__ import annotations

import pytest
from bmc_hub_invoice_scanner.extract import FIELD_NAMES, extract
from extract_cases import BAD_CVR, CVR, OTHER_CVR, confidence, value

DANISH = f"""Nordisk Kaffe ApS
Strandvejen 1, 2900 Hellerup
CVR-nr.: {CVR}

Faktura nr.: 2026-001
Fakturadato: 01-11-2026
Forfaldsdato: 15.11.2026

Kaffebønner 10 kg          1.000,00
Moms 25%                     250,00
I alt                   1.250,00 DKK
Heraf moms 250,00
"""

ENGLISH = f"""INVOICE
Acme Consulting Ltd
VAT no. DK{CVR}

Invoice number
INV-1001
Invoice date: November 1, 2026
Due date: 2026-11-15
Subtotal      DKK 1,000.00
VAT (25%)     DKK 250.00
Amount due    DKK 1,250.00
"""


def test_every_field_is_present_in_the_answer():
    assert tuple(extract("")) == FIELD_NAMES
    assert all(found is None for found in extract("").values())


def test_a_danish_invoice():
    fields = {k: v.value if v else None for k, v in extract(DANISH).items()}
    assert fields == {
        "invoice_number": "2026-001",
        "invoice_date": "2026-11-01",
        "due_date": "2026-11-15",
        "total_amount": "1250.00",
        "vat_amount": "250.00",
        "currency": "DKK",
        "vendor_name": "Nordisk Kaffe ApS",
        "vendor_cvr": CVR,
    }


def test_an_english_invoice():
    fields = {k: v.value if v else None for k, v in extract(ENGLISH).items()}
    assert fields == {
        "invoice_number": "INV-1001",
        "invoice_date": "2026-11-01",
        "due_date": "2026-11-15",
        "total_amount": "1250.00",
        "vat_amount": "250.00",
        "currency": "DKK",
        "vendor_name": "Acme Consulting Ltd",
        "vendor_cvr": CVR,
    }


def test_confidences_are_between_0_and_1():
    for text in (DANISH, ENGLISH):
        for found in extract(text).values():
            assert found is not None
            assert 0 < found.confidence <= 1


@pytest.mark.parametrize(
    "line",
    [
        "Faktura nr. 2026-001",
        "Faktura nr.: 2026-001",
        "Fakturanr. 2026-001",
        "Faktura-nr. 2026-001",
        "Fakturanummer: 2026-001",
        "Faktura nummer 2026-001",
        "Invoice no. 2026-001",
        "Invoice No: 2026-001",
        "Invoice number: 2026-001",
        "Invoice # 2026-001",
        "INVOICE NUMBER 2026-001",
    ],
)
def test_invoice_number_labels(line):
    assert value(line, "invoice_number") == "2026-001"
    assert confidence(line, "invoice_number") == 0.95


def test_a_bare_invoice_word_is_a_weaker_label():
    assert value("FAKTURA 2026-001", "invoice_number") == "2026-001"
    assert confidence("FAKTURA 2026-001", "invoice_number") == 0.7
    assert value("Invoice date: 01-11-2026", "invoice_number") is None


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("Fakturadato: 01-11-2026", "invoice_date"),
        ("Faktura dato 01.11.2026", "invoice_date"),
        ("Invoice date: November 1, 2026", "invoice_date"),
        ("Invoice Date 2026-11-01", "invoice_date"),
        ("Forfaldsdato: 1. november 2026", "due_date"),
        ("Betalingsfrist: 01-11-2026", "due_date"),
        ("Sidste rettidige betalingsdag 01.11.2026", "due_date"),
        ("Due date: Nov 1, 2026", "due_date"),
        ("Payment due 01/11/2026", "due_date"),
    ],
)
def test_date_labels(line, field):
    assert value(line, field) == "2026-11-01"
    assert confidence(line, field) == 0.95


def test_a_plain_date_label_is_not_taken_for_the_due_date():
    text = "Dato: 01-11-2026\nDue date: 15-11-2026"
    assert value(text, "invoice_date") == "2026-11-01"
    assert confidence(text, "invoice_date") == 0.75
    assert value(text, "due_date") == "2026-11-15"


def test_betalingsfrist_in_days_gives_a_due_date_after_the_invoice_date():
    text = "Fakturadato: 01-11-2026\nBetalingsfrist: 14 dage"
    assert value(text, "due_date") == "2026-11-15"
    assert confidence(text, "due_date") == 0.6
    assert value("Invoice date: 2026-11-01\nPayment terms: net 30 days", "due_date") == (
        "2026-12-01"
    )


def test_an_unlabelled_date_is_a_guess():
    assert value("Nordisk Kaffe ApS\n01-11-2026", "invoice_date") == "2026-11-01"
    assert confidence("Nordisk Kaffe ApS\n01-11-2026", "invoice_date") == 0.45


@pytest.mark.parametrize(
    "line",
    [
        "Total: 1.250,00 DKK",
        "Total DKK 1,250.00",
        "I alt kr. 1.250,00",
        "At betale: 1.250,00",
        "Amount due: DKK 1,250.00",
        "Total inkl. moms 1.250,00",
        "Total incl. VAT 1,250.00",
        "Beløb i alt 1.250,00 kr.",
        "TOTAL 1.250,00",
    ],
)
def test_total_labels(line):
    assert value(line, "total_amount") == "1250.00"
    assert confidence(line, "total_amount") >= 0.9


@pytest.mark.parametrize(
    "line",
    [
        "Subtotal 1.000,00\nTotal 1.250,00",
        "Sub-total 1.000,00\nI alt 1.250,00",
        "Total ekskl. moms 1.000,00\nTotal inkl. moms 1.250,00",
        "Total excl. VAT 1,000.00\nMoms i alt 250,00\nAt betale 1.250,00",
    ],
)
def test_net_totals_and_vat_totals_are_not_the_total(line):
    assert value(line, "total_amount") == "1250.00"


def test_the_last_total_wins_among_equal_labels():
    text = "Beskrivelse    Total\nKaffe          1.000,00\nI alt: 1.250,00 DKK"
    assert value(text, "total_amount") == "1250.00"


def test_without_a_total_label_the_largest_amount_is_a_guess():
    text = "Kaffe 1.000,00 kr.\nMoms 250,00 kr.\n1.250,00 kr."
    assert value(text, "total_amount") == "1250.00"
    assert confidence(text, "total_amount") == 0.4


@pytest.mark.parametrize(
    "line",
    [
        "Moms: 250,00",
        "Moms 25%: 250,00",
        "Moms (25%) 250,00 kr.",
        "Heraf moms 250,00",
        "VAT 250.00",
        "VAT (25 %): EUR 250.00",
        "VAT amount 250.00",
    ],
)
def test_vat_labels(line):
    assert value(line, "vat_amount") == "250.00"


@pytest.mark.parametrize(
    "text",
    [
        "Total inkl. moms 1.250,00",
        "Beløb ekskl. moms 1.000,00",
        "VAT no. DK12345674",
        "Momsnr. 12345674",
        "Moms-nr.: 12345674",
    ],
)
def test_other_labels_with_moms_or_vat_in_them_are_not_the_vat_amount(text):
    assert value(text, "vat_amount") is None


@pytest.mark.parametrize(
    "line",
    [
        f"CVR {CVR}",
        f"CVR: {CVR}",
        f"CVR-nr.: {CVR}",
        f"CVR nr. {CVR}",
        f"CVR-nummer {CVR}",
        "CVR: 12 34 56 74",
        f"CVR: DK{CVR}",
    ],
)
def test_cvr_labels(line):
    assert value(line, "vendor_cvr") == CVR
    assert confidence(line, "vendor_cvr") == 0.95


@pytest.mark.parametrize(
    "line", [f"VAT no. DK{CVR}", f"VAT reg. no.: DK {CVR}", f"Momsnr. {CVR}", f"Moms-nr. {CVR}"]
)
def test_vat_numbers_carry_the_cvr(line):
    assert value(line, "vendor_cvr") == CVR
    assert confidence(line, "vendor_cvr") == 0.85


def test_a_cvr_failing_the_modulus_11_check_is_not_accepted():
    assert value(f"CVR-nr.: {BAD_CVR}", "vendor_cvr") is None
    assert value(f"VAT no. DK{BAD_CVR}", "vendor_cvr") is None
    # ... and a valid one further down is found instead
    assert value(f"CVR-nr.: {BAD_CVR}\nCVR {OTHER_CVR}", "vendor_cvr") == OTHER_CVR


@pytest.mark.parametrize("line", [f"SE-nr. {CVR}", f"SE-nr.: DK{CVR}", f"SE nr {CVR}"])
def test_an_se_number_is_not_a_cvr(line):
    assert value(line, "vendor_cvr") is None


def test_the_customers_cvr_is_not_the_vendors():
    text = f"Kunde CVR: {OTHER_CVR}\nNordisk Kaffe ApS\nCVR: {CVR}"
    assert value(text, "vendor_cvr") == CVR
    block = f"Faktureres til:\nKunde A/S\nCVR {OTHER_CVR}\n\nSælger: Nordisk Kaffe ApS\nCVR {CVR}"
    assert value(block, "vendor_cvr") == CVR
    assert value(f"Customer VAT no. DK{OTHER_CVR}", "vendor_cvr") is None


def test_a_cvr_under_a_customer_heading_is_kept_with_less_confidence():
    text = f"Kunde:\nCafé Blå I/S\nCVR {OTHER_CVR}"
    assert value(text, "vendor_cvr") == OTHER_CVR
    assert confidence(text, "vendor_cvr") < 0.5


def test_an_unlabelled_danish_vat_id_is_a_weaker_cvr():
    assert value(f"Nordisk Kaffe ApS · DK{CVR}", "vendor_cvr") == CVR
    assert confidence(f"Nordisk Kaffe ApS · DK{CVR}", "vendor_cvr") == 0.7


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("I alt 1.250,00 DKK", "DKK"),
        ("Total: EUR 99.50", "EUR"),
        ("At betale kr. 1.250,00", "DKK"),
        ("Amount due $120.00", "USD"),
        ("Valuta: SEK\nTotal 1.250,00", "SEK"),
        ("Currency EUR\nTotal 99.50", "EUR"),
    ],
)
def test_currency(text, currency):
    assert value(text, "currency") == currency


def test_currency_without_a_label_or_total_is_the_most_common_one():
    text = "Kaffe EUR 10.00\nTe EUR 5.00\nKage DKK 3,00"
    assert value(text, "currency") == "EUR"
    assert confidence(text, "currency") == 0.6
