"""The HTML pages at /subscriptions: list, create, edit, pause/cancel, lock, import."""

from __future__ import annotations

import re

import pytest
from conftest import API, NAME

from bmc_hub_core.testing import module_env

SUBS = f"{API}/subscriptions"
FORM = {
    "product": "Managed backup",
    "quantity": "3",
    "unit_price": "1.250,00",
    "currency": "DKK",
    "interval": "monthly",
    "start_date": "2026-11-01",
    "end_date": "",
}


def stored(client):
    return client.get(SUBS).json()["items"]


def test_the_list_renders_in_the_hub_layout(client, make_customer, make_subscription):
    customer = make_customer(name="Brødrene <Hansen> ApS")
    make_subscription(customer["id"], product="Support & drift")
    page = client.get("/subscriptions/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "/static/hub/hub.css" in page.text  # the core's layout
    assert 'class="hub-table"' in page.text
    assert "Brødrene &lt;Hansen&gt; ApS" in page.text  # escaped
    assert "Support &amp; drift" in page.text
    assert 'id="create-form"' in page.text
    assert "<script" not in page.text


def test_create_form_redirects_back_to_the_list(client, make_customer):
    customer = make_customer()
    form = {**FORM, "customer_id": str(customer["id"])}
    answer = client.post("/subscriptions/create", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/subscriptions/?notice=created"
    page = client.post("/subscriptions/create", data={**form, "product": "Mail"})
    assert page.status_code == 200
    assert "Subscription created." in page.text
    assert {item["product"]: item["unit_price"] for item in stored(client)} == {
        "Managed backup": "1250.00",
        "Mail": "1250.00",
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quantity": "0"}, "Quantity: quantity &#39;0&#39; must be greater than 0"),
        ({"unit_price": "-5"}, "Unit price: unit price &#39;-5&#39; is negative"),
        ({"start_date": "2026-11-01", "end_date": "2026-10-01"}, "is before start_date"),
        ({"currency": "kroner"}, "Currency: use a three-letter ISO 4217 code"),
        ({"product": "a\x00b"}, "Product: must not contain control characters"),
        ({"customer_id": "abc"}, "Customer: choose a customer"),
        ({"customer_id": "424242"}, "customer 424242 does not exist"),
    ],
)
def test_form_errors_are_shown_on_the_page(client, make_customer, changes, message):
    customer = make_customer()
    form = {**FORM, "customer_id": str(customer["id"]), **changes}
    page = client.post("/subscriptions/create", data=form)
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert message in page.text
    assert 'id="errors"' in page.text
    assert stored(client) == []


def test_a_form_that_fails_keeps_what_was_typed(client, make_customer):
    customer = make_customer()
    form = {**FORM, "customer_id": str(customer["id"]), "quantity": "0", "product": "Kept"}
    page = client.post("/subscriptions/create", data=form)
    assert 'value="Kept"' in page.text
    assert re.search(rf'<option value="{customer["id"]}"\s+selected>', page.text)


def test_pause_resume_and_cancel_buttons(client, make_customer, make_subscription):
    created = make_subscription(make_customer()["id"])
    url = f"/subscriptions/{created['id']}/status"
    page = client.post(url, data={"status": "paused"})
    assert "Subscription paused." in page.text
    assert client.get(f"{SUBS}/{created['id']}").json()["status"] == "paused"
    assert 'value="active"' in page.text  # the Resume button
    client.post(url, data={"status": "active"})
    assert client.get(f"{SUBS}/{created['id']}").json()["status"] == "active"
    page = client.post(url, data={"status": "cancelled"})
    assert "Subscription cancelled." in page.text
    assert client.get(f"{SUBS}/{created['id']}").json()["status"] == "cancelled"
    assert client.post(url, data={"status": "deleted"}).status_code == 422


def test_edit_page_changes_a_subscription(client, make_customer, make_subscription):
    customer = make_customer()
    created = make_subscription(customer["id"])
    page = client.get(f"/subscriptions/{created['id']}/edit")
    assert page.status_code == 200
    assert 'value="95.50"' in page.text
    form = {
        **FORM,
        "customer_id": str(customer["id"]),
        "product": created["product"],
        "start_date": created["start_date"],
        "quantity": "12",
        "unit_price": "89,00",
        "status": "paused",
    }
    answer = client.post(f"/subscriptions/{created['id']}/edit", data=form, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/subscriptions/?notice=saved")
    item = client.get(f"{SUBS}/{created['id']}").json()
    assert (item["quantity"], item["unit_price"], item["status"]) == (12, "89.00", "paused")

    bad = client.post(f"/subscriptions/{created['id']}/edit", data={**form, "quantity": "-1"})
    assert bad.status_code == 422
    assert "Quantity:" in bad.text
    assert 'id="edit-form"' in bad.text


@pytest.mark.parametrize(
    "path",
    ["/subscriptions/999/edit", "/subscriptions/abc/edit", "/subscriptions/99999999999999/edit"],
)
def test_unknown_subscription_page_is_an_html_404(client, path):
    page = client.get(path)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "There is no subscription" in page.text


def test_lock_and_unlock_from_the_page(client, make_customer, make_subscription):
    customer = make_customer()
    created = make_subscription(customer["id"])
    page = client.post(f"/subscriptions/customers/{customer['id']}/lock", data={"reason": "Unpaid"})
    assert "Customer locked." in page.text
    assert "Unpaid" in page.text
    assert ">Unlock<" in page.text
    lock = client.get(f"{API}/customers/{customer['id']}/lock").json()
    assert (lock["locked"], lock["locked_by"]) == (True, "web")

    # Changes of a locked customer are refused on the page, with the reason.
    page = client.post(f"/subscriptions/{created['id']}/status", data={"status": "paused"})
    assert page.status_code == 409
    assert f"customer {customer['id']} is locked: Unpaid" in page.text
    form = {**FORM, "customer_id": str(customer["id"]), "product": "Other"}
    page = client.post("/subscriptions/create", data=form)
    assert page.status_code == 409
    assert "is locked: Unpaid" in page.text

    page = client.post(f"/subscriptions/customers/{customer['id']}/unlock")
    assert "Customer unlocked." in page.text
    assert client.get(f"{API}/customers/{customer['id']}/lock").json()["locked"] is False


def test_lock_needs_a_reason(client, make_customer):
    customer = make_customer()
    page = client.post(f"/subscriptions/customers/{customer['id']}/lock", data={"reason": " "})
    assert page.status_code == 422
    assert "Reason:" in page.text


def test_import_page_shows_the_report(client, make_customer):
    make_customer(cvr="24242424")
    assert 'enctype="multipart/form-data"' in client.get("/subscriptions/import").text
    data = (
        "Kunde CVR;Produkt;Antal;Enhedspris;Interval;Startdato\r\n"
        "24242424;Support;1;1.250,00;måned;01-11-2026\r\n"
        "99999999;Support;1;1.250,00;måned;01-11-2026\r\n"
    ).encode("cp1252")
    page = client.post("/subscriptions/import", files={"file": ("a.csv", data, "text/csv")})
    assert page.status_code == 200
    assert re.search(r'id="report-created">1<', page.text)
    assert "no customer has CVR 99999999" in page.text
    assert len(stored(client)) == 1


def test_import_page_shows_a_refused_file(client):
    page = client.post("/subscriptions/import", files={"file": ("a.pdf", b"%PDF-1.4", "x/y")})
    assert page.status_code == 422
    assert "a PDF, not a CSV or XLSX file" in page.text
    assert page.headers["content-type"].startswith("text/html")
    page = client.post("/subscriptions/import", data={"file": "not a file"})
    assert page.status_code == 422
    assert "Choose a .csv or .xlsx file" in page.text


def test_read_only_default_refuses_form_posts_and_pages_still_render(hub_client, make_customer):
    client = hub_client(installed=[NAME])
    customer = make_customer(via=client)
    page = client.get("/subscriptions/")
    assert page.status_code == 200
    assert 'id="read-only"' in page.text
    form = {**FORM, "customer_id": str(customer["id"])}
    answer = client.post("/subscriptions/create", data=form, headers={"Accept": "text/html"})
    assert answer.status_code == 403
    assert stored(client) == []


def test_pages_say_when_dry_run_is_on(hub_client):
    client = hub_client(installed=[NAME], env=module_env(NAME, read_only=False))
    page = client.get("/subscriptions/")
    assert 'id="dry-run"' in page.text
    assert 'id="read-only"' not in page.text
