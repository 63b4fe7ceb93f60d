"""The HTML pages: a plain upload form, the list of scans and a page per scan."""

from __future__ import annotations

import re

import pytest

from bmc_hub_core.testing import module_env

NAME = "invoice_scanner"
PAGE = f"/{NAME}/"
WRITABLE = module_env(NAME, read_only=False, dry_run=False)


@pytest.fixture
def client(hub_client):
    return hub_client(installed=[NAME], env=WRITABLE)


def field(html: str, name: str) -> str:
    """What a browser test reads from ``id="field-NAME"``."""
    match = re.search(rf'<output id="field-{name}">([^<]*)</output>', html)
    assert match, f"no field-{name} on the page"
    return match.group(1)


def confidence(html: str, name: str) -> float:
    match = re.search(rf'id="confidence-{name}" data-confidence="([0-9.]+)"', html)
    assert match, f"no confidence-{name} on the page"
    return float(match.group(1))


def error(html: str) -> str:
    match = re.search(r'<p id="error"[^>]*>([^<]*)</p>', html)
    assert match, "no error on the page"
    return match.group(1)


def submit(client, data: bytes, filename: str = "invoice.pdf", **kwargs):
    return client.post(
        f"/{NAME}/scans", files={"file": (filename, data, "application/octet-stream")}, **kwargs
    )


def test_the_page_has_a_plain_upload_form_in_the_hub_layout(client):
    page = client.get(PAGE)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "/static/hub/hub.css" in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert 'action="http://testserver/invoice_scanner/scans"' in page.text
    assert '<input id="file" name="file" type="file"' in page.text
    assert '<button type="submit">Scan invoice</button>' in page.text
    assert 'id="no-scans"' in page.text
    assert "<script" not in page.text


def test_uploading_through_the_form_shows_the_extracted_fields(client, invoices):
    answer = submit(client, invoices.danish(), follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].endswith(f"/{NAME}/scans/1")

    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    assert field(page.text, "vendor_cvr") == invoices.vendor_cvr
    assert field(page.text, "total_amount") == "1250.00"
    assert field(page.text, "invoice_number") == "2026-001"
    assert field(page.text, "vendor_name") == "Nordisk Kaffe ApS"
    assert confidence(page.text, "vendor_cvr") == 0.95
    assert '<label for="field-vendor_cvr">Vendor CVR</label>' in page.text


def test_the_form_redirect_lands_on_the_scan_page(client, invoices):
    page = submit(client, invoices.two_column(), "two.pdf", follow_redirects=True)
    assert page.status_code == 200
    assert str(page.url).endswith(f"/{NAME}/scans/1")
    assert field(page.text, "vendor_cvr") == invoices.vendor_cvr
    assert field(page.text, "due_date") == "2026-11-15"


def test_a_matched_customer_is_shown(client, invoices):
    customer = client.post("/api/v1/customers", json={"name": "N", "cvr": invoices.vendor_cvr})
    page = submit(client, invoices.danish(), follow_redirects=True)
    assert f"customer {customer.json()['id']}" in page.text


def test_the_list_shows_recent_scans(client, invoices):
    submit(client, invoices.danish(), "first.pdf")
    submit(client, invoices.english(), "second.pdf")
    page = client.get(PAGE).text
    assert page.index("second.pdf") < page.index("first.pdf")  # newest first
    assert 'id="scan-1"' in page and 'id="scan-2"' in page
    assert "Nordisk Kaffe ApS" in page


def test_a_field_that_was_not_found_is_empty_and_says_so(client):
    page = submit(client, b"Faktura nr. 5\n", "note.txt", follow_redirects=True).text
    assert field(page, "invoice_number") == "5"
    assert field(page, "vendor_cvr") == ""
    assert confidence(page, "vendor_cvr") == 0.0
    assert "not found" in page


@pytest.mark.parametrize(
    ("build", "status", "message"),
    [
        ("png", 415, "invoice.pdf: the file is a PNG image"),
        ("encrypted", 422, "invoice.pdf: the PDF is encrypted"),
        ("empty", 422, "invoice.pdf: the file is empty"),
    ],
)
def test_bad_files_are_explained_on_the_page(client, invoices, build, status, message):
    data = b"" if build == "empty" else getattr(invoices, build)()
    answer = submit(client, data)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert error(answer.text).startswith(message)
    assert "Traceback" not in answer.text
    assert 'id="no-scans"' in answer.text  # nothing kept


def test_submitting_without_a_file_is_explained_on_the_page(client):
    answer = client.post(f"/{NAME}/scans", data={})
    assert answer.status_code == 422
    assert error(answer.text) == "Choose a file to scan."


def test_a_too_large_file_is_explained_on_the_page(hub_client):
    client = hub_client(
        installed=[NAME], env={**WRITABLE, **module_env(NAME, max_upload_bytes=1000)}
    )
    answer = submit(client, b"x" * 1001, "big.txt")  # the file itself, counted exactly
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert error(answer.text).endswith(
        "the file is larger than the upload limit of 1000 bytes; send a smaller file, "
        "or raise MODULES__INVOICE_SCANNER__MAX_UPLOAD_BYTES"
    )
    # Far past it, the request itself is refused from its declared length before any of
    # the module's code runs: the hub's own page, in the same layout.
    answer = submit(client, b"x" * 100_000, "big.txt", headers={"Accept": "text/html"})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "request body too large" in answer.text


def test_an_image_only_pdf_page_says_ocr_is_not_included(client, invoices):
    page = submit(client, invoices.image_only(), "scan.pdf", follow_redirects=True).text
    assert '<dd id="status">no_text</dd>' in page
    assert "OCR" in page


@pytest.mark.parametrize("scan_id", ["999", "0", "abc", "99999999999999999999"])
def test_a_missing_scan_is_an_html_404(client, scan_id):
    page = client.get(f"/{NAME}/scans/{scan_id}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert error(page.text).startswith("There is no scan")


def test_the_delete_button_removes_the_scan(client, invoices):
    submit(client, invoices.danish())
    answer = client.post(f"/{NAME}/scans/1/delete", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].endswith(PAGE)
    assert client.get(f"/{NAME}/scans/1").status_code == 404
    assert client.get(f"/api/v1/{NAME}/scans").json()["total"] == 0


def test_dry_run_shows_the_result_without_keeping_it(hub_client, invoices):
    client = hub_client(installed=[NAME], env=module_env(NAME, read_only=False))
    assert 'id="dry-run"' in client.get(PAGE).text
    page = submit(client, invoices.danish(), follow_redirects=False)
    assert page.status_code == 200  # no redirect: there is nothing kept to go to
    assert field(page.text, "vendor_cvr") == invoices.vendor_cvr
    assert "this scan was not kept" in page.text
    assert "Delete this scan" not in page.text
    assert client.get(f"/api/v1/{NAME}/scans").json()["total"] == 0


def test_read_only_hides_the_form(hub_client):
    client = hub_client(installed=[NAME])
    page = client.get(PAGE).text
    assert 'id="read-only"' in page
    assert 'id="upload"' not in page
