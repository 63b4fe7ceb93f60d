"""The README's import example is a real file: it imports as the README says."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import API

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_csv_example_imports(client, make_customer):
    example = re.search(r"```csv\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert example is not None
    make_customer(cvr="12345678")
    hansen = make_customer(name="Brødrene Hansen ApS")
    data = example[1].replace("\n", "\r\n").encode("cp1252")  # as Danish Excel saves it
    answer = client.post(f"{API}/import", files={"file": ("eksempel.csv", data, "text/csv")})
    assert answer.json() == {"created": 3, "updated": 0, "skipped": 0, "errors": []}
    items = client.get(f"{API}/subscriptions", params={"customer_id": hansen["id"]}).json()
    assert [(i["product"], i["currency"], i["interval"]) for i in items["items"]] == [
        ("Domæne", "EUR", "yearly")
    ]
