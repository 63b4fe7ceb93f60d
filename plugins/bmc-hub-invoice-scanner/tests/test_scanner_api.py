"""The JSON API, through the installed entry point on a real database (no mocks)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bmc_hub_core.testing import module_env

NAME = "invoice_scanner"
SCANS = f"/api/v1/{NAME}/scans"
#: The safety switches are on by default; these tests write for real.
WRITABLE = module_env(NAME, read_only=False, dry_run=False)


@pytest.fixture
def client(hub_client):
    return hub_client(installed=[NAME], env=WRITABLE)


def upload(
    client, data: bytes, filename: str = "invoice.pdf", content_type: str = "application/pdf"
):
    return client.post(SCANS, files={"file": (filename, data, content_type)})


def values(scan: dict) -> dict:
    return {name: field["value"] for name, field in scan["fields"].items()}


def test_module_is_enabled_and_healthy(hub_admin_client):
    client = hub_admin_client(installed=[NAME])
    record = client.get(f"/api/v1/modules/{NAME}").json()
    assert record["state"] == "enabled"
    assert record["distribution"] == "bmc-hub-invoice-scanner"
    assert record["migration"]["current"] == record["migration"]["head"] == "invoice_scanner_0001"
    assert client.get(f"/api/v1/{NAME}/health").status_code == 200


def test_a_danish_pdf_is_scanned(client, invoices):
    answer = upload(client, invoices.danish())
    assert answer.status_code == 201
    scan = answer.json()
    assert scan["status"] == "extracted"
    assert scan["message"] is None
    assert (scan["filename"], scan["content_type"], scan["pages"]) == (
        "invoice.pdf",
        "application/pdf",
        1,
    )
    assert values(scan) == {
        "invoice_number": "2026-001",
        "invoice_date": "2026-11-01",
        "due_date": "2026-11-15",
        "total_amount": "1250.00",
        "vat_amount": "250.00",
        "currency": "DKK",
        "vendor_name": "Nordisk Kaffe ApS",
        "vendor_cvr": invoices.vendor_cvr,
    }
    assert scan["fields"]["vendor_cvr"]["confidence"] == 0.95
    assert scan["fields"]["vendor_name"]["confidence"] < scan["fields"]["vendor_cvr"]["confidence"]
    assert scan["customer_id"] is None


def test_an_english_pdf_with_values_under_their_labels(client, invoices):
    scan = upload(client, invoices.english()).json()
    assert values(scan) == {
        "invoice_number": "INV-1001",
        "invoice_date": "2026-11-01",
        "due_date": "2026-11-15",
        "total_amount": "1250.00",
        "vat_amount": "250.00",
        "currency": "DKK",
        "vendor_name": "Acme Consulting Ltd",
        "vendor_cvr": invoices.vendor_cvr,
    }
    for field in scan["fields"].values():
        assert 0.5 <= field["confidence"] < 0.95  # labelled, but on the next line


def test_a_two_column_pdf_takes_the_vendors_cvr_not_the_customers(client, invoices):
    scan = upload(client, invoices.two_column()).json()
    found = values(scan)
    assert found["vendor_cvr"] == invoices.vendor_cvr
    assert found["invoice_number"] == "2026-002"
    assert (found["invoice_date"], found["due_date"]) == ("2026-11-01", "2026-11-15")
    assert (found["total_amount"], found["vat_amount"], found["currency"]) == (
        "1250.00",
        "250.00",
        "DKK",
    )


def test_a_text_file_is_scanned(client, invoices):
    answer = upload(client, invoices.text.encode("cp1252"), "faktura.txt", "text/plain")
    assert answer.status_code == 201
    scan = answer.json()
    assert (scan["content_type"], scan["pages"]) == ("text/plain", None)
    found = values(scan)
    assert found["invoice_number"] == "T-77"
    assert found["total_amount"] == "9995.00"
    assert found["vat_amount"] == "1999.00"
    assert found["due_date"] == "2026-11-15"  # 14 days after the invoice date
    assert found["vendor_name"] == "Hansens Tømrerfirma ApS"


def test_the_vendor_is_matched_to_the_core_customer_with_its_cvr(client, invoices):
    customer = client.post(
        "/api/v1/customers", json={"name": "Nordisk Kaffe ApS", "cvr": invoices.vendor_cvr}
    )
    assert customer.status_code == 201
    scan = upload(client, invoices.danish()).json()
    assert scan["customer_id"] == customer.json()["id"]
    assert client.get(f"{SCANS}/{scan['id']}").json()["customer_id"] == customer.json()["id"]


def test_deleting_the_customer_keeps_the_scan_and_clears_the_link(client, invoices):
    customer = client.post("/api/v1/customers", json={"name": "N", "cvr": invoices.vendor_cvr})
    scan = upload(client, invoices.danish()).json()
    assert client.delete(f"/api/v1/customers/{customer.json()['id']}").status_code == 204
    kept = client.get(f"{SCANS}/{scan['id']}")
    assert kept.status_code == 200
    assert kept.json()["customer_id"] is None


def test_another_customers_cvr_does_not_match(client, invoices):
    client.post("/api/v1/customers", json={"name": "Café Blå", "cvr": invoices.customer_cvr})
    assert upload(client, invoices.danish()).json()["customer_id"] is None


def test_created_at_is_timezone_aware_utc(client, invoices):
    scan = upload(client, invoices.danish()).json()
    for created in (scan["created_at"], client.get(f"{SCANS}/{scan['id']}").json()["created_at"]):
        parsed = dt.datetime.fromisoformat(created)
        assert parsed.utcoffset() == dt.timedelta(0)
        assert abs(dt.datetime.now(dt.UTC) - parsed) < dt.timedelta(minutes=5)


def test_list_get_and_delete(client, invoices):
    ids = [
        upload(client, build()).json()["id"]
        for build in (invoices.danish, invoices.english, invoices.two_column)
    ]
    listed = client.get(SCANS).json()
    assert listed["total"] == 3
    assert [item["id"] for item in listed["items"]] == ids[::-1]  # newest first
    window = client.get(SCANS, params={"limit": 1, "offset": 1}).json()
    assert (window["total"], window["limit"], window["offset"]) == (3, 1, 1)
    assert [item["id"] for item in window["items"]] == [ids[1]]
    one = client.get(f"{SCANS}/{ids[0]}")
    assert one.status_code == 200
    assert one.json()["fields"]["invoice_number"]["value"] == "2026-001"

    assert client.delete(f"{SCANS}/{ids[0]}").status_code == 204
    assert client.get(f"{SCANS}/{ids[0]}").json() == {"detail": f"scan {ids[0]} not found"}
    assert client.get(f"{SCANS}/{ids[0]}").status_code == 404
    assert client.delete(f"{SCANS}/{ids[0]}").status_code == 404
    assert client.get(SCANS).json()["total"] == 2


@pytest.mark.parametrize(
    "path",
    [
        f"{SCANS}/0",
        f"{SCANS}/-1",
        f"{SCANS}/2147483648",
        f"{SCANS}/99999999999999999999999",
        f"{SCANS}/abc",
    ],
)
def test_out_of_range_ids_are_422_never_500(client, path):
    assert client.get(path).status_code == 422
    assert client.delete(path).status_code == 422


def test_the_largest_id_is_a_plain_404(client):
    assert client.get(f"{SCANS}/2147483647").status_code == 404


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"offset": 10_000_001}, {"limit": "x"}]
)
def test_list_bounds_are_422(client, params):
    assert client.get(SCANS, params=params).status_code == 422


def test_list_accepts_its_bounds(client):
    assert client.get(SCANS, params={"limit": 200, "offset": 10_000_000}).json()["items"] == []


# --- bad files: a clear 4xx, nothing stored -----------------------------------------


def refused(client, data, filename="invoice.pdf", content_type="application/pdf"):
    answer = upload(client, data, filename, content_type)
    assert client.get(SCANS).json()["total"] == 0, "nothing is kept of a refused file"
    return answer.status_code, answer.json()["detail"]


def test_an_encrypted_pdf_is_422(client, invoices):
    status, detail = refused(client, invoices.encrypted())
    assert status == 422
    assert detail.startswith("the PDF is encrypted")


def test_a_corrupt_pdf_is_422(client, invoices):
    status, detail = refused(client, invoices.danish()[:400])
    assert status == 422
    assert detail.startswith("the PDF cannot be read; it is damaged")


def test_an_empty_file_is_422(client):
    assert refused(client, b"") == (422, "the file is empty")


def test_a_png_named_pdf_is_415(client, invoices):
    status, detail = refused(client, invoices.png(), "invoice.pdf", "application/pdf")
    assert status == 415
    assert detail.startswith("the file is a PNG image, not a PDF or a plain-text file")


def test_a_request_without_a_file_is_422(client):
    answer = client.post(SCANS, data={"other": "x"})
    assert answer.status_code == 422
    assert isinstance(answer.json()["detail"], list)


def test_an_image_only_pdf_is_kept_as_no_text(client, invoices):
    answer = upload(client, invoices.image_only(), "scan.pdf")
    assert answer.status_code == 201
    scan = answer.json()
    assert scan["status"] == "no_text"
    assert "OCR" in scan["message"] and "not include" in scan["message"]
    assert set(values(scan).values()) == {None}
    assert client.get(SCANS).json()["total"] == 1


# --- the size limit -------------------------------------------------------------------

SMALL = module_env(NAME, read_only=False, dry_run=False, max_upload_bytes=1000)
TOO_LARGE = "the file is larger than the upload limit of 1000 bytes"


def test_a_file_just_over_the_limit_is_413(hub_client):
    client = hub_client(installed=[NAME], env=SMALL)
    answer = upload(client, b"Faktura nr. 1\n" + b"x" * 1000, "big.txt", "text/plain")
    assert answer.status_code == 413
    assert answer.json()["detail"].startswith(TOO_LARGE)
    assert client.get(SCANS).json()["total"] == 0


def test_a_file_at_the_limit_is_scanned(hub_client):
    client = hub_client(installed=[NAME], env=SMALL)
    data = (b"Faktura nr. 1\n" + b"x" * 1000)[:1000]
    assert upload(client, data, "ok.txt", "text/plain").status_code == 201


def test_a_much_larger_body_is_refused_from_its_declared_length(hub_client):
    client = hub_client(installed=[NAME], env=SMALL)
    answer = upload(client, b"x" * 200_000, "big.txt", "text/plain")
    # Past the multipart envelope the router's own max_body_size answers, before any of
    # the module's code runs: the hub's JSON 413.
    assert answer.status_code == 413
    assert "too large" in answer.json()["detail"]
    assert client.get(SCANS).json()["total"] == 0


def test_a_chunked_body_without_a_length_is_cut_off(hub_client):
    client = hub_client(installed=[NAME], env=SMALL)
    boundary = "scanner-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()

    def body():
        yield head
        for _ in range(100):
            yield b"x" * 10_000
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = client.post(
        SCANS, content=body(), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert answer.status_code == 413
    assert "too large" in answer.json()["detail"].lower()


def test_the_default_limit_is_10_mib(client):
    answer = upload(client, b"x" * (10 * 1024 * 1024 + 1), "big.txt", "text/plain")
    assert answer.status_code == 413
    assert "10 MiB" in answer.json()["detail"]


def test_a_bad_limit_fails_only_this_module(hub_client):
    client = hub_client(installed=[NAME], env=module_env(NAME, max_upload_bytes=0))
    assert client.get(SCANS).json() == {"detail": f"module '{NAME}' is unavailable: settings"}
    assert client.get("/api/v1/customers").status_code == 200


# --- the safety switches -------------------------------------------------------------


def test_dry_run_by_default_answers_but_keeps_nothing(hub_client, invoices):
    client = hub_client(installed=[NAME], env=module_env(NAME, read_only=False))
    answer = upload(client, invoices.danish())
    assert answer.status_code == 201
    assert answer.headers["x-bmc-dry-run"] == "true"
    assert answer.json()["fields"]["vendor_cvr"]["value"] == invoices.vendor_cvr
    assert client.get(SCANS).json()["total"] == 0
    assert client.get(f"{SCANS}/{answer.json()['id']}").status_code == 404


def test_read_only_by_default_refuses_uploads_and_deletes(hub_client, invoices):
    client = hub_client(installed=[NAME])
    answer = upload(client, invoices.danish())
    assert answer.status_code == 403
    assert answer.json() == {"detail": f"module '{NAME}' is read-only"}
    assert client.delete(f"{SCANS}/1").status_code == 403
    assert client.get(SCANS).status_code == 200


# --- the OpenAPI document ---------------------------------------------------------------


def test_openapi_declares_the_error_answers(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    post = paths[SCANS]["post"]["responses"]
    assert {"201", "403", "413", "415", "422"} <= set(post)
    assert post["413"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorDetail")
    item = paths[f"{SCANS}/{{scan_id}}"]
    assert "404" in item["get"]["responses"] and "404" in item["delete"]["responses"]
    scan_id = next(p for p in item["get"]["parameters"] if p["name"] == "scan_id")
    assert (scan_id["schema"]["minimum"], scan_id["schema"]["maximum"]) == (1, 2147483647)


def test_health_fails_when_the_table_does_not_answer(client, hub_database_url):
    assert client.get(f"/api/v1/{NAME}/health").status_code == 200
    engine = sa.create_engine(hub_database_url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE invoice_scanner_scans RENAME TO invoice_scanner_gone"))
    engine.dispose()
    assert client.get(f"/api/v1/{NAME}/health").status_code == 503
    assert client.get("/api/v1/health").json()["modules"][NAME] == "failing"
