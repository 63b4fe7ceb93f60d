"""POST /import: CSV and XLSX files, Danish formats, re-imports, error rows, refused files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from conftest import API, NAME
from openpyxl import Workbook

from bmc_hub_core.testing import module_env

SUBS = f"{API}/subscriptions"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DANISH_HEADER = ["Kunde CVR", "Produkt", "Antal", "Enhedspris", "Valuta", "Interval", "Startdato"]


def csv_bytes(rows, *, delimiter=";", encoding="utf-8") -> bytes:
    return "\r\n".join(delimiter.join(row) for row in rows).encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str = "abonnementer.csv", kind: str = "text/csv"):
    return client.post(f"{API}/import", files={"file": (name, data, kind)})


def stored(client, **params):
    return client.get(SUBS, params={"limit": 500, **params}).json()["items"]


def by_product(items):
    return {item["product"]: item for item in items}


def test_danish_csv_in_windows_1252_with_semicolons(client, make_customer):
    customer = make_customer(name="Brødrene Ærø ApS", cvr="12345678")
    data = csv_bytes(
        [
            [*DANISH_HEADER, "Slutdato"],
            ["12345678", "Support \u2013 Sølv", "2", "1.250,00", "DKK", "måned", "01-11-2026", ""],
            ["12 34 56 78", "Hosting", "1", "1250,5", "", "Kvartal", "01.11.2026", "31.10.2027"],
            ["DK12345678", "Domæne", "3", "99", "eur", "årlig", "2026-11-01", ""],
        ],
        encoding="cp1252",
    )
    answer = upload(client, data)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"created": 3, "updated": 0, "skipped": 0, "errors": []}

    items = by_product(stored(client, customer_id=customer["id"]))
    assert set(items) == {"Support \u2013 Sølv", "Hosting", "Domæne"}
    support, hosting, domain = items["Support \u2013 Sølv"], items["Hosting"], items["Domæne"]
    assert (support["unit_price"], support["quantity"], support["interval"]) == (
        "1250.00",
        2,
        "monthly",
    )
    assert (support["start_date"], support["end_date"]) == ("2026-11-01", None)
    assert (hosting["unit_price"], hosting["currency"], hosting["interval"]) == (
        "1250.50",
        "DKK",
        "quarterly",
    )
    assert hosting["end_date"] == "2027-10-31"
    assert (domain["currency"], domain["interval"], domain["status"]) == ("EUR", "yearly", "active")


def test_english_csv_with_commas_bom_and_customer_names(client, make_customer):
    make_customer(name="Acme A/S")
    text = (
        "\ufeffCustomer,Product,Quantity,Unit price,Currency,Interval,Start date\r\n"
        'Acme A/S,Firewall,1,"1,250.00",SEK,monthly,2026-01-15\r\n'
        'Acme A/S,"Licence, named",10,19.99,,quarterly,15-01-2026\r\n'
    )
    answer = upload(client, text.encode("utf-8"))
    assert answer.json() == {"created": 2, "updated": 0, "skipped": 0, "errors": []}
    items = by_product(stored(client))
    assert items["Firewall"]["unit_price"] == "1250.00"
    assert items["Firewall"]["currency"] == "SEK"
    assert items["Licence, named"]["unit_price"] == "19.99"
    assert items["Licence, named"]["start_date"] == "2026-01-15"


def test_xlsx_with_native_and_text_cells(client, make_customer):
    customer = make_customer(cvr="87654321")
    rows = [
        ["CVR", "Produkt", "Antal", "Pris", "Valuta", "Interval", "Startdato", "Noter"],
        [87654321, "Backup", 3, 1250.5, "DKK", "måned", dt.datetime(2026, 11, 1), "ignored"],
        ["87654321", "Mail", "2", "1.250,00", None, "år", "01-11-2026", None],
        [None, None, None, None, None, None, None, None],
        ["87654321", "VPN", 1, 0, "DKK", "kvartal", dt.date(2026, 12, 1), None],
    ]
    answer = upload(client, xlsx_bytes(rows), "abonnementer.xlsx", XLSX_TYPE)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"created": 3, "updated": 0, "skipped": 1, "errors": []}
    items = by_product(stored(client, customer_id=customer["id"]))
    assert items["Backup"]["unit_price"] == "1250.50"
    assert items["Backup"]["start_date"] == "2026-11-01"
    assert items["Mail"]["unit_price"] == "1250.00"
    assert items["VPN"]["unit_price"] == "0.00"
    assert items["VPN"]["start_date"] == "2026-12-01"


def test_reimporting_updates_instead_of_duplicating(client, make_customer):
    make_customer(cvr="11223344")
    first = [
        DANISH_HEADER,
        ["11223344", "Support", "2", "100,00", "DKK", "måned", "01-01-2026"],
        ["11223344", "Hosting", "1", "50,00", "DKK", "måned", "01-01-2026"],
    ]
    assert upload(client, csv_bytes(first)).json()["created"] == 2
    before = by_product(stored(client))

    assert upload(client, csv_bytes(first)).json() == {
        "created": 0,
        "updated": 2,
        "skipped": 0,
        "errors": [],
    }
    again = by_product(stored(client))
    assert again == before  # nothing changed, not even updated_at

    changed = [*first[:2], ["11223344", "Hosting", "4", "45,00", "DKK", "kvartal", "01-01-2026"]]
    assert upload(client, csv_bytes(changed)).json()["updated"] == 2
    after = by_product(stored(client))
    assert len(after) == 2
    assert (after["Hosting"]["quantity"], after["Hosting"]["unit_price"]) == (4, "45.00")
    assert after["Hosting"]["interval"] == "quarterly"
    assert after["Hosting"]["id"] == before["Hosting"]["id"]
    moved = dt.datetime.fromisoformat(after["Hosting"]["updated_at"])
    assert moved > dt.datetime.fromisoformat(before["Hosting"]["updated_at"])


def test_a_reimport_keeps_a_status_the_file_does_not_mention(client, make_customer):
    customer = make_customer(cvr="55667788")
    rows = [DANISH_HEADER, ["55667788", "Support", "1", "10", "DKK", "måned", "01-01-2026"]]
    upload(client, csv_bytes(rows))
    item = stored(client, customer_id=customer["id"])[0]
    fields = ("customer_id", "product", "quantity", "unit_price", "interval", "start_date")
    body = {field: item[field] for field in fields}
    assert client.put(f"{SUBS}/{item['id']}", json={**body, "status": "paused"}).status_code == 200
    upload(client, csv_bytes(rows))
    assert stored(client, customer_id=customer["id"])[0]["status"] == "paused"


def test_error_rows_are_reported_and_valid_rows_written(client, make_customer):
    make_customer(cvr="10101010")
    locked = make_customer(cvr="20202020")
    make_customer(name="Twin ApS", cvr="30303030")
    make_customer(name="Twin ApS", cvr="40404040")
    client.put(f"{API}/customers/{locked['id']}/lock", json={"reason": "unpaid"})
    header = ["cvr", "kunde", "produkt", "antal", "pris", "valuta", "interval", "startdato"]
    rows = [
        header,
        ["10101010", "", "Good", "1", "10,00", "DKK", "måned", "01-01-2026"],  # 2
        ["20202020", "", "Locked", "1", "10,00", "DKK", "måned", "01-01-2026"],  # 3
        ["99999999", "", "Unknown CVR", "1", "10,00", "DKK", "måned", "01-01-2026"],  # 4
        ["", "Nobody ApS", "Unknown name", "1", "10,00", "DKK", "måned", "01-01-2026"],  # 5
        ["10101010", "", "Bad number", "1", "ti kroner", "DKK", "måned", "01-01-2026"],  # 6
        ["10101010", "", "Ambiguous", "1", "1.250", "DKK", "måned", "01-01-2026"],  # 7
        ["", "", "No customer", "1", "10,00", "DKK", "måned", "01-01-2026"],  # 8
        ["10101010", "", "Good", "2", "10,00", "DKK", "måned", "01-01-2026"],  # 9: same key as 2
        ["", "Twin ApS", "Twins", "1", "10,00", "DKK", "måned", "01-01-2026"],  # 10
        ["10101010", "", "Zero", "0", "10,00", "DKK", "uge", "31-02-2026"],  # 11
        ["10101010", "", "Also good", "1", "10,00", "DKK", "år", "01-01-2026"],  # 12
    ]
    answer = upload(client, csv_bytes(rows))
    assert answer.status_code == 200
    report = answer.json()
    assert (report["created"], report["updated"], report["skipped"]) == (2, 0, 0)
    messages = {error["row"]: error["message"] for error in report["errors"]}
    assert sorted(messages) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert messages[3] == f"customer {locked['id']} is locked: unpaid"
    assert messages[4] == "no customer has CVR 99999999"
    assert "no customer is named 'Nobody ApS'" in messages[5]
    assert messages[6] == "unit price 'ti kroner' is not a number"
    assert "ambiguous" in messages[7]
    assert "names no customer" in messages[8]
    assert messages[9] == "same customer, product and start date as row 2; keep one of them"
    assert messages[10] == "2 customers are named 'Twin ApS'; give the CVR instead"
    assert "quantity '0' must be greater than 0" in messages[11]
    assert "interval 'uge' is unknown" in messages[11]
    assert "start date '31-02-2026' is not a valid date" in messages[11]
    assert set(by_product(stored(client))) == {"Good", "Also good"}


def test_row_numbers_count_blank_lines_as_the_sheet_shows_them(client, make_customer):
    make_customer(cvr="12121212")
    rows = [
        DANISH_HEADER,
        ["12121212", "A", "1", "1", "DKK", "måned", "01-01-2026"],
        [""],
        ["12121212", "B", "x", "1", "DKK", "måned", "01-01-2026"],
        [""],
        [""],
    ]
    report = upload(client, csv_bytes(rows)).json()
    assert report["skipped"] == 1  # trailing blank lines are not rows of the sheet
    assert [error["row"] for error in report["errors"]] == [4]

    xlsx = [DANISH_HEADER, [None] * 7, ["12121212", "C", "zero", 1, "DKK", "år", "01-01-2026"]]
    report = upload(client, xlsx_bytes(xlsx), "a.xlsx", XLSX_TYPE).json()
    assert (report["skipped"], [error["row"] for error in report["errors"]]) == (1, [3])


def test_xlsx_rows_keep_their_numbers_when_the_table_starts_lower(client, make_customer):
    make_customer(cvr="31313131")
    workbook = Workbook()
    sheet = workbook.active
    for column, (header, value) in enumerate(
        zip(
            ["cvr", "produkt", "antal", "pris", "interval", "startdato"],
            ["31313131", "Mail", "many", "10", "måned", "01-01-2026"],
            strict=True,
        ),
        start=2,
    ):
        sheet.cell(row=3, column=column, value=header)  # the table starts at B3
        sheet.cell(row=5, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    report = upload(client, out.getvalue(), "a.xlsx", XLSX_TYPE).json()
    assert report["skipped"] == 1  # row 4
    assert report["errors"] == [{"row": 5, "message": "quantity 'many' is not a number"}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\r\n \r\n", "the file is empty"),
        (b"\xef\xbb\xbf", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV or XLSX file"),
        (b"%PDF-1.7\n1 0 obj", "a PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "old Excel .xls"),
        (b"PK\x03\x04 not really a zip", "not an Excel workbook"),
        (b"produkt;antal\r\nSupport;1\r\n", "lacks the column(s) cvr or customer"),
        ("12345678;Support;1;10;DKK;måned;01-01-2026\r\n".encode(), "no recognisable header"),
        (b"\x81\x8d\x8f\x90\x9d", "neither UTF-8 nor Windows-1252"),
        (b"cvr;produkt;produkt\r\n", "names the product column twice"),
    ],
)
def test_files_that_cannot_be_imported_are_422_and_write_nothing(
    client, make_customer, data, message
):
    make_customer(cvr="12345678")
    answer = upload(client, data)
    assert answer.status_code == 422
    assert message in answer.json()["detail"]
    assert stored(client) == []


def test_utf16_csv_as_excel_saves_unicode_text(client, make_customer):
    make_customer(cvr="14141414")
    text = (
        "cvr\tprodukt\tantal\tpris\tinterval\tstartdato\r\n14141414\tÆble\t1\t5\tår\t01-01-2026\r\n"
    )
    assert upload(client, text.encode("utf-16")).json()["created"] == 1
    nul = "cvr\tprodukt\r\n1414\x001414\tx\r\n".encode("utf-16")
    assert upload(client, nul).status_code == 422


def test_a_zip_that_is_not_a_workbook_is_422(client):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("hello.txt", "not a workbook")
    answer = upload(client, archive.getvalue(), "data.xlsx", XLSX_TYPE)
    assert answer.status_code == 422
    assert "not an Excel workbook" in answer.json()["detail"]


def test_a_file_is_required(client):
    assert client.post(f"{API}/import").status_code == 422


def test_a_file_over_the_limit_is_413(hub_client):
    env = module_env(NAME, read_only=False, dry_run=False, import_max_bytes=1000)
    small = hub_client(installed=[NAME], env=env)
    answer = upload(small, b"cvr;produkt\r\n" + b"x" * 2000)
    assert answer.status_code == 413
    assert answer.json() == {
        "detail": "the file is larger than the import limit of 1000 bytes; split it"
    }


def test_dry_run_import_reports_but_keeps_nothing(hub_client, make_customer):
    dry = hub_client(installed=[NAME], env=module_env(NAME, read_only=False))  # DRY_RUN: default
    make_customer(cvr="13131313", via=dry)  # a core write: kept
    rows = [DANISH_HEADER, ["13131313", "Support", "1", "10,00", "DKK", "måned", "01-01-2026"]]
    answer = upload(dry, csv_bytes(rows))
    assert answer.status_code == 200
    assert answer.headers["x-bmc-dry-run"] == "true"
    assert answer.json() == {"created": 1, "updated": 0, "skipped": 0, "errors": []}
    assert stored(dry) == []
    # The second import finds nothing to update: the first one was rolled back.
    assert upload(dry, csv_bytes(rows)).json()["created"] == 1
