"""The module on the hub's pages: its navigation entry, its panel on a customer's page and
its list filtered to one customer (where the panel links to)."""

from __future__ import annotations

import re

from conftest import API, NAME


def panel(html: str) -> str:
    start = html.index(f'id="panel-{NAME}"')
    return html[start : html.index("</li>", start)]


def rows(html: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", panel(html)))


def test_the_navigation_bar_links_the_list(client):
    home = client.get("/")
    assert '<a href="/subscriptions/" data-module="subscriptions">Subscriptions</a>' in home.text


def test_the_panel_counts_subscriptions_by_status_and_shows_the_lock(
    client, make_customer, make_subscription
):
    customer = make_customer(name="Panel ApS")
    other = make_customer()
    first = make_subscription(customer["id"], product="Backup")
    make_subscription(customer["id"], product="Mail")
    make_subscription(other["id"], product="Not theirs")
    paused = client.post(f"/{NAME}/{first['id']}/status", data={"status": "paused"})
    assert paused.status_code == 200, paused.text

    page = client.get(f"/customers/{customer['id']}")
    assert page.status_code == 200
    assert rows(page.text) == {"Active": "1", "Paused": "1", "Cancelled": "0", "Locked": "No"}
    link = f'<a href="/{NAME}/?customer_id={customer["id"]}">Open subscriptions</a>'
    assert link in panel(page.text)

    locked = client.put(f"{API}/customers/{customer['id']}/lock", json={"reason": "Unpaid <3>"})
    assert locked.status_code == 200, locked.text
    lock = rows(client.get(f"/customers/{customer['id']}").text)["Locked"]
    assert lock.startswith("Yes, since ") and lock.endswith(": Unpaid &lt;3&gt;")


def test_a_customer_without_subscriptions_gets_zeros(client, make_customer):
    customer = make_customer()
    page = client.get(f"/customers/{customer['id']}")
    assert rows(page.text)["Active"] == "0"


def test_the_list_filtered_to_one_customer(client, make_customer, make_subscription):
    mine = make_customer(name="Min Kunde ApS")
    theirs = make_customer(name="Anden Kunde ApS")
    make_subscription(mine["id"], product="Mine")
    make_subscription(theirs["id"], product="Theirs")
    page = client.get(f"/{NAME}/", params={"customer_id": mine["id"]})
    assert page.status_code == 200
    assert "Min Kunde ApS" in page.text and "Anden Kunde ApS</h2>" not in page.text
    assert ">Mine</td>" in page.text and ">Theirs</td>" not in page.text
    assert f'href="/customers/{mine["id"]}" id="customer-link"' in page.text
    # The create form starts with that customer chosen.
    assert re.search(rf'<option value="{mine["id"]}" selected>', page.text)


def test_a_filter_on_an_unknown_customer_is_a_page_not_an_error(client):
    assert client.get(f"/{NAME}/", params={"customer_id": "x"}).status_code == 404
    page = client.get(f"/{NAME}/", params={"customer_id": "999"})
    assert page.status_code == 200 and "There is no customer 999." in page.text


def test_the_edit_page_says_the_customer_is_locked(client, make_customer, make_subscription):
    customer = make_customer()
    item = make_subscription(customer["id"])
    client.put(f"{API}/customers/{customer['id']}/lock", json={"reason": "Dispute"})
    page = client.get(f"/{NAME}/{item['id']}/edit")
    assert "This customer is locked: Dispute." in page.text
    form = {
        "customer_id": str(customer["id"]),
        "product": "Changed",
        "quantity": "1",
        "unit_price": "10,00",
        "interval": "monthly",
        "start_date": "2026-01-01",
        "status": "active",
    }
    refused = client.post(f"/{NAME}/{item['id']}/edit", data=form)
    assert refused.status_code == 409
    assert f"customer {customer['id']} is locked: Dispute" in refused.text
