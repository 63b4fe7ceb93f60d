"""The page at /cvr/: the lookup form (POST, then 303 to the company), the cached
companies, and problems shown on the page, never as JSON."""

from __future__ import annotations

import re

import pytest

PAGE = "/cvr/"


def error(html: str) -> str:
    match = re.search(r'<p id="error"[^>]*>([^<]*)</p>', html)
    assert match, "no error on the page"
    return match.group(1)


def field(html: str, name: str) -> str:
    match = re.search(rf'<td id="field-{name}">([^<]*)</td>', html)
    assert match, f"no field-{name} on the page"
    return match.group(1)


def test_the_page_has_a_plain_lookup_form_in_the_hub_layout(client):
    page = client.get(PAGE)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "/static/hub/hub.css" in page.text
    assert '<form id="lookup" class="hub-form" method="post"' in page.text
    assert 'action="http://testserver/cvr/lookup"' in page.text
    assert 'id="no-companies"' in page.text
    assert "<script" not in page.text


def test_a_lookup_redirects_to_the_company_which_is_then_listed(client, registry, numbers):
    cvr = next(numbers)
    registry.add(cvr, name="Café Blå I/S", city="Aarhus C", zipcode="8000")
    answer = client.post(
        "/cvr/lookup", data={"cvr": f"DK {cvr[:4]} {cvr[4:]}"}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"http://testserver/cvr/companies/{cvr}"

    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    assert field(page.text, "name") == "Café Blå I/S"
    assert field(page.text, "address") == "Strandvejen 1, 8000 Aarhus C"
    assert field(page.text, "status") == "active"

    listed = client.get(PAGE)
    assert f'id="company-{cvr}"' in listed.text
    assert "Café Blå I/S" in listed.text
    assert "1 of 1 companies." in listed.text


def test_the_form_is_filled_in_from_the_query(client):
    assert 'value="12345674"' in client.get(PAGE, params={"cvr": "12345674"}).text


@pytest.mark.parametrize(
    ("typed", "status", "message"),
    [
        ("12345675", 422, "fails the modulus-11 check"),
        ("abc", 422, "a CVR number is 8 digits"),
        ("", 422, "a CVR number is 8 digits"),
    ],
)
def test_a_bad_number_is_shown_on_the_page(client, registry, typed, status, message):
    page = client.post("/cvr/lookup", data={"cvr": typed})
    assert page.status_code == status
    assert message in error(page.text)
    assert registry.seen == []


def test_registry_errors_are_shown_on_the_page_with_their_status(client, registry, numbers):
    cvr = next(numbers)
    unknown = client.post("/cvr/lookup", data={"cvr": cvr})
    assert unknown.status_code == 404
    assert error(unknown.text) == f"CVR {cvr} is not in the registry"
    assert f'value="{cvr}"' in unknown.text  # what was typed stays in the form

    registry.mode = "rate_limited"
    limited = client.post("/cvr/lookup", data={"cvr": cvr})
    assert limited.status_code == 503
    assert "rate limiting" in error(limited.text)


def test_an_unknown_company_page_is_a_404_page(client):
    for cvr in ("12345674", "nope"):
        page = client.get(f"/cvr/companies/{cvr}")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "has not been looked up yet" in page.text


def test_under_dry_run_the_company_is_shown_but_not_kept(hub_client, cvr_env, registry, numbers):
    client = hub_client(installed=["cvr"], env=cvr_env(dry_run=True))
    cvr = next(numbers)
    registry.add(cvr)
    page = client.post("/cvr/lookup", data={"cvr": cvr}, follow_redirects=False)
    assert page.status_code == 200
    assert field(page.text, "cvr") == cvr
    assert 'id="not-kept"' in page.text
    assert 'id="no-companies"' in client.get(PAGE).text
