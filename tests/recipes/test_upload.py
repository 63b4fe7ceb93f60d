"""openpyxl: an XLSX upload under the safety switches and the body limits."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import httpx
import openpyxl
import pytest

from bmc_hub_core.testing import module_env

from . import upload_module
from .conftest import Database

LIMIT = 64 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows: list[tuple[str, object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("name", "amount"))
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def upload(data: bytes) -> dict[str, Any]:
    return {"files": {"file": ("rows.xlsx", data, XLSX)}}


def _sheets(hub_client: Any, **switches: object) -> Any:
    return hub_client(
        modules={"sheets": upload_module},
        env=module_env("sheets", **switches),
        max_body_bytes=LIMIT,
    )


def post_streamed(client: Any, path: str, data: bytes) -> tuple[Any, bool]:
    """POST ``data`` as an upload whose body is a stream; the answer, and whether the
    server read the body."""
    encoded = httpx.Request("POST", "http://x/", **upload(data))
    read: list[bool] = []

    def body() -> Iterator[bytes]:
        read.append(True)
        yield encoded.read()

    answer = client.post(
        path, content=body(), headers={"content-type": encoded.headers["content-type"]}
    )
    return answer, bool(read)


def test_read_only_answers_403_without_reading_the_upload(hub_client: Any) -> None:
    client = _sheets(hub_client)  # the default switches: READ_ONLY and DRY_RUN on

    answer, read = post_streamed(client, "/api/v1/sheets/import", workbook([("a", 1)]))

    assert answer.status_code == 403
    assert answer.json() == {"detail": "module 'sheets' is read-only"}
    assert not read
    # The same request to a writable module is read (the check above can fail).
    writable = _sheets(hub_client, read_only=False)
    answer, read = post_streamed(writable, "/api/v1/sheets/import", workbook([("a", 1)]))
    assert answer.json() == {"rows": 1} and read


def test_dry_run_parses_and_answers_but_keeps_nothing(hub_client: Any, database: Database) -> None:
    client = _sheets(hub_client, read_only=False)

    answer = client.post("/api/v1/sheets/import", **upload(workbook([("a", 1), ("b", 2)])))

    assert answer.status_code == 200
    assert answer.json() == {"rows": 2}
    assert answer.headers["x-bmc-dry-run"] == "true"
    assert database.rows("SELECT count(*) FROM sheets_rows") == [(0,)]


def test_with_both_switches_off_the_rows_are_kept(hub_client: Any, database: Database) -> None:
    client = _sheets(hub_client, read_only=False, dry_run=False)

    answer = client.post("/api/v1/sheets/import", **upload(workbook([("a", 1), ("b", 2)])))

    assert answer.json() == {"rows": 2} and "x-bmc-dry-run" not in answer.headers
    rows = database.rows("SELECT name, amount FROM sheets_rows ORDER BY id")
    assert rows == [("a", 1), ("b", 2)]


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"name,amount\na,1\n", "not an XLSX workbook"),
        (workbook([("a", 1), ("b", "two")]), "is not a whole number"),
    ],
    ids=["csv", "text-amount"],
)
def test_a_file_it_cannot_import_is_a_422(
    hub_client: Any, database: Database, data: bytes, detail: str
) -> None:
    client = _sheets(hub_client, read_only=False, dry_run=False)

    answer = client.post("/api/v1/sheets/import", **upload(data))

    assert answer.status_code == 422 and detail in answer.json()["detail"]
    assert database.rows("SELECT count(*) FROM sheets_rows") == [(0,)]


def test_only_the_route_that_raised_the_limit_takes_a_file_over_it(
    hub_client: Any, database: Database
) -> None:
    client = _sheets(hub_client, read_only=False, dry_run=False)
    # Random names: a workbook is a zip file, and these do not compress below the limit.
    big = workbook([(secrets.token_hex(16), n) for n in range(4000)])
    assert len(big) > LIMIT

    refused = client.post("/api/v1/sheets/import", **upload(big))
    accepted = client.post("/api/v1/sheets/import-large", **upload(big))

    assert refused.status_code == 413 and "BMC_HUB_MAX_BODY_BYTES" in refused.json()["detail"]
    assert accepted.status_code == 200 and accepted.json() == {"rows": 4000}
    assert database.rows("SELECT count(*) FROM sheets_rows") == [(4000,)]
