"""``/customers``: list and search, create, edit, duplicate CVR, validation, auth."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import SecretStr

from bmc_hub_core.testing import ADMIN_TOKEN

HTML = {"Accept": "text/html"}
HERE = {"Origin": "http://testserver"}


def add(client: Any, name: str, cvr: str | None = None, email: str | None = None) -> int:
    answer = client.post("/api/v1/customers", json={"name": name, "cvr": cvr, "email": email})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/customers/\d+">([^<]*)</a></td>', html)


def test_the_list_is_by_name_with_a_count(hub_client: Any) -> None:
    client = hub_client()
    assert "No customers yet." in client.get("/customers").text
    add(client, "Østergaard ApS", "12345678")
    add(client, "Andersen & Co", "87654321", "info@andersen.dk")
    page = client.get("/customers")
    assert page.status_code == 200
    assert names(page.text) == ["Andersen &amp; Co", "Østergaard ApS"]
    assert "2 customers." in page.text
    assert "info@andersen.dk" in page.text


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ander", ["Andersen A/S"]),
        ("ANDER", ["Andersen A/S"]),
        ("1234", ["Bo Bager"]),
        ("12 34 56", ["Bo Bager"]),
        ("a/s", ["Andersen A/S"]),
        ("%", []),
        ("_", []),
        ("   ", ["Andersen A/S", "Bo Bager"]),
    ],
)
def test_search_by_name_or_cvr(hub_client: Any, q: str, expected: list[str]) -> None:
    client = hub_client()
    add(client, "Andersen A/S", "99999999")
    add(client, "Bo Bager", "12345678")
    page = client.get("/customers", params={"q": q})
    assert page.status_code == 200
    assert names(page.text) == expected
    if q.strip() and not expected:
        assert "No customer matches" in page.text


def test_the_api_searches_the_same_way(hub_client: Any) -> None:
    client = hub_client()
    add(client, "Andersen A/S", "99999999")
    add(client, "Bo Bager", "12345678")
    found = client.get("/api/v1/customers", params={"q": "bager"}).json()
    assert [c["name"] for c in found] == ["Bo Bager"]
    assert len(client.get("/api/v1/customers").json()) == 2  # without q: all, as before
    assert client.get("/api/v1/customers", params={"q": "x" * 201}).status_code == 422
    schema = client.get("/api/openapi.json").json()
    params = schema["paths"]["/api/v1/customers"]["get"]["parameters"]
    assert "q" in [p["name"] for p in params]


def test_pages_of_25_keep_the_search(hub_client: Any) -> None:
    client = hub_client()
    for number in range(30):
        add(client, f"Kunde {number:02d}")
    first = client.get("/customers", params={"q": "kunde"})
    assert len(names(first.text)) == 25
    assert "Page 1 of 2" in first.text
    assert 'href="/customers?page=2&amp;q=kunde" rel="next"' in first.text
    second = client.get("/customers", params={"q": "kunde", "page": "2"})
    assert names(second.text) == [f"Kunde {n}" for n in range(25, 30)]
    for bad in ("0", "-1", "x", "²", "99999999999999"):
        assert client.get("/customers", params={"page": bad}).status_code == 200
    assert "No customers on this page." in client.get("/customers?page=9").text


def test_create_redirects_to_the_customer_with_a_flash(hub_client: Any) -> None:
    client = hub_client()
    form = client.get("/customers/new")
    assert form.status_code == 200 and 'action="/customers/new"' in form.text
    answer = client.post(
        "/customers/new",
        data={"name": "  Hansen ApS ", "cvr": "DK 12 34 56 78", "email": "a@hansen.dk"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    target = answer.headers["location"]
    assert re.fullmatch(r"/customers/\d+", target)
    page = client.get(target)
    assert '<p class="hub-flash ok" id="hub-flash" role="status">Customer Hansen ApS created.' in (
        page.text
    )
    assert '<dd id="customer-cvr">12345678</dd>' in page.text
    stored = client.get(f"/api/v1{target}").json()
    assert (stored["name"], stored["cvr"], stored["email"]) == (
        "Hansen ApS",
        "12345678",
        "a@hansen.dk",
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name of 1-200 characters."),
        ({"name": "x" * 201}, "name", "Enter a name of 1-200 characters."),
        ({"name": "A", "cvr": "1234"}, "cvr", "A CVR number is 8 digits"),
        ({"name": "A", "cvr": "abcdefgh"}, "cvr", "A CVR number is 8 digits"),
        ({"name": "A", "email": "nope"}, "email", "Enter an email address"),
    ],
)
def test_a_form_with_problems_is_shown_again_with_them(
    hub_client: Any, data: dict[str, str], field: str, message: str
) -> None:
    client = hub_client()
    answer = client.post("/customers/new", data=data)
    assert answer.status_code == 422
    assert f'id="{field}-error">{message}' in answer.text
    assert f'id="{field}" name="{field}"' in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert client.get("/api/v1/customers").json() == []


def test_a_duplicate_cvr_is_a_clear_error_naming_the_other_customer(hub_client: Any) -> None:
    client = hub_client()
    first = add(client, "Første A/S", "11223344")
    answer = client.post("/customers/new", data={"name": "Anden A/S", "cvr": "11223344"})
    assert answer.status_code == 409
    assert "Another customer already has CVR 11223344." in answer.text
    assert f'href="/customers/{first}" id="duplicate-link">See Første A/S' in answer.text
    assert 'value="Anden A/S"' in answer.text  # what was typed is kept

    second = add(client, "Anden A/S", "55667788")
    edit = client.post(f"/customers/{second}/edit", data={"name": "Anden", "cvr": "11223344"})
    assert edit.status_code == 409
    assert "Another customer already has CVR 11223344." in edit.text


def test_edit_saves_and_flashes(hub_client: Any) -> None:
    client = hub_client()
    number = add(client, "Gammel navn", "12345678", "x@y.dk")
    form = client.get(f"/customers/{number}/edit")
    assert 'value="Gammel navn"' in form.text and 'value="x@y.dk"' in form.text
    answer = client.post(
        f"/customers/{number}/edit",
        data={"name": "Nyt navn", "cvr": "", "email": ""},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"/customers/{number}"
    page = client.get(answer.headers["location"])
    assert "Customer Nyt navn saved." in page.text
    stored = client.get(f"/api/v1/customers/{number}").json()
    assert (stored["name"], stored["cvr"], stored["email"]) == ("Nyt navn", None, None)

    bad = client.post(f"/customers/{number}/edit", data={"name": ""})
    assert bad.status_code == 422 and "Enter a name" in bad.text


@pytest.mark.parametrize(
    "path", ["/customers/999", "/customers/abc", "/customers/0", "/customers/²", "/customers/٣"]
)
def test_an_unknown_customer_is_a_404_page(hub_client: Any, path: str) -> None:
    client = hub_client()
    for url in (path, path + "/edit"):
        page = client.get(url)
        assert page.status_code == 404
        assert "Customer not found" in page.text and "/static/hub/hub.css" in page.text
    assert client.post(path + "/edit", data={"name": "x"}).status_code == 404


def test_with_api_tokens_a_browser_signs_in_first(hub_client: Any) -> None:
    client = hub_client(api_tokens=SecretStr("api-token"))
    page = client.get("/customers", headers=HTML, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fcustomers"
    assert client.post("/customers/new", data={"name": "x"}).status_code == 401

    signed_in = client.post(
        "/login", data={"token": "api-token", "next": "/customers"}, headers=HERE
    )
    assert signed_in.status_code == 200 and "<h1>Customers</h1>" in signed_in.text
    assert "Signed in as API user" in signed_in.text
    # The hub's own form posts carry its Origin; another site's do not get through.
    assert client.post("/customers/new", data={"name": "Ok"}, headers=HERE).status_code == 200
    foreign = client.post(
        "/customers/new", data={"name": "Evil"}, headers={"Origin": "http://evil.example"}
    )
    assert foreign.status_code == 403
    names_now = [c["name"] for c in client.get("/api/v1/customers").json()]
    assert names_now == ["Ok"]


def test_a_bearer_token_opens_the_pages_too(hub_client: Any) -> None:
    client = hub_client(
        api_tokens=SecretStr("api-token"), headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    assert client.get("/customers").status_code == 200
