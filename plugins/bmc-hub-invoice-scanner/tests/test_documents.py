"""Reading uploads: content sniffing, PDF text, and a clear refusal for every bad file."""

from __future__ import annotations

import pytest
from bmc_hub_invoice_scanner.documents import decode_text, read_document
from bmc_hub_invoice_scanner.errors import UnreadableDocument
from bmc_hub_invoice_scanner.scanning import NO_TEXT, clean_filename, scan


def refusal(data: bytes) -> UnreadableDocument:
    with pytest.raises(UnreadableDocument) as caught:
        read_document(data, max_pages=10)
    return caught.value


@pytest.mark.parametrize("layout", ["danish", "english", "two_column"])
def test_generated_pdfs_are_read_as_pdfs_with_their_text(invoices, layout):
    document = read_document(getattr(invoices, layout)(), max_pages=10)
    assert document.content_type == "application/pdf"
    assert document.pages == 1
    assert invoices.vendor_cvr in document.text


def test_a_two_column_pdf_keeps_its_columns_apart(invoices):
    text = read_document(invoices.two_column(), max_pages=10).text
    row = next(line for line in text.splitlines() if "Fakturanr." in line)
    assert "Fakturanr.   " in row  # a wide gap, not one space, before the next column


def test_danish_letters_survive(invoices):
    assert "Kaffebønner" in read_document(invoices.danish(), max_pages=10).text


def test_a_pdf_that_needs_a_password_is_refused(invoices):
    problem = refusal(invoices.encrypted(user_password="secret"))
    assert problem.status == 422
    assert problem.message.startswith("the PDF is encrypted")


def test_a_pdf_protected_only_against_editing_is_read(invoices):
    document = read_document(invoices.encrypted(user_password=None), max_pages=10)
    assert "2026-009" in document.text


@pytest.mark.parametrize(
    "cut", [lambda pdf: pdf[: len(pdf) // 3], lambda pdf: b"%PDF-1.7\n" + b"\x00garbage" * 40]
)
def test_a_damaged_pdf_is_refused_naming_the_problem(invoices, cut):
    problem = refusal(cut(invoices.danish()))
    assert problem.status == 422
    assert problem.message.startswith("the PDF cannot be read")


def test_only_the_first_pages_are_read(invoices):
    document = read_document(invoices.multi_page(3), max_pages=2)
    assert document.pages == 3
    assert "Side 2" in document.text
    assert "Side 3" not in document.text


def test_a_pdf_signature_after_some_junk_is_still_a_pdf(invoices):
    document = read_document(b"junk from a mail gateway\r\n" + invoices.danish(), max_pages=1)
    assert document.content_type == "application/pdf"


def test_an_image_only_pdf_has_no_text(invoices):
    document = read_document(invoices.image_only(), max_pages=10)
    assert document.content_type == "application/pdf"
    assert document.text.strip() == ""


def test_an_image_only_pdf_scans_as_no_text_with_the_ocr_note(invoices):
    result = scan(invoices.image_only(), "scan.pdf", max_pages=10)
    assert result.status == "no_text"
    assert result.message == NO_TEXT
    assert "OCR" in NO_TEXT
    assert all(field["value"] is None for field in result.fields.values())


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Faktura nr.: 1\nTømrer ApS".encode(), "utf-8"),
        ("\ufeffFaktura nr.: 1\nTømrer ApS".encode(), "utf-8 with BOM"),
        ("Faktura nr.: 1\nTømrer ApS".encode("cp1252"), "cp1252"),
    ],
)
def test_text_files_in_utf8_or_cp1252(data, encoding):
    document = read_document(data, max_pages=1)
    assert document.content_type == "text/plain", encoding
    assert document.text.lstrip("\ufeff").startswith("Faktura nr.: 1")
    assert "Tømrer ApS" in document.text
    assert document.pages is None


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive"),
        (b"text with a \x00 NUL byte", "binary data"),
        ("Faktura".encode("utf-16"), "binary data"),
        (b"\x81\x8d\x8f\x90", "binary data"),  # not UTF-8, and undefined in cp1252
        (b"bell \x07 and escape \x1b", "binary data"),
    ],
)
def test_files_that_are_neither_pdf_nor_text_are_415(data, what):
    problem = refusal(data)
    assert problem.status == 415
    assert problem.message.startswith(f"the file is {what}")
    assert "not a PDF or a plain-text file" in problem.message


def test_a_real_png_named_pdf_is_refused_by_its_content(invoices):
    problem = refusal(invoices.png())
    assert (problem.status, problem.message.split(",")[0]) == (415, "the file is a PNG image")


@pytest.mark.parametrize(
    ("data", "message"), [(b"", "the file is empty"), (b" \n\t", "the file is blank")]
)
def test_empty_files_are_422(data, message):
    problem = refusal(data)
    assert (problem.status, problem.message) == (422, message)


def test_decode_text_refuses_control_characters_but_keeps_tabs_and_form_feeds():
    assert decode_text(b"a\tb\r\nc\x0cd") == "a\tb\r\nc\x0cd"
    assert decode_text(b"a\x01b") is None


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("invoice.pdf", "invoice.pdf"),
        ("C:\\Users\\ada\\invoice.pdf", "invoice.pdf"),
        ("../../etc/passwd", "passwd"),
        ("bad\x00na\x1bme.pdf", "badname.pdf"),
        ("", "upload"),
        (None, "upload"),
        ("x" * 300, "x" * 255),
    ],
)
def test_file_names_are_cleaned(name, clean):
    assert clean_filename(name) == clean
