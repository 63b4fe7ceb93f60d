"""The JSON API: create, read, replace, delete, validation, filters and pages."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import API

SUBS = f"{API}/subscriptions"


def test_create_returns_the_stored_subscription(client, make_customer, subscription_body):
    customer = make_customer()
    answer = client.post(SUBS, json=subscription_body(customer["id"], unit_price=1250))
    assert answer.status_code == 201
    created = answer.json()
    assert created["customer_id"] == customer["id"]
    assert created["unit_price"] == "1250.00"
    assert created["currency"] == "DKK"  # the default_currency setting
    assert created["status"] == "active"
    assert created["end_date"] is None
    assert client.get(f"{SUBS}/{created['id']}").json() == created


def test_timestamps_are_utc_and_timezone_aware(client, make_customer, make_subscription):
    created = make_subscription(make_customer()["id"])
    for field in ("created_at", "updated_at"):
        stamp = dt.datetime.fromisoformat(created[field])
        assert stamp.utcoffset() == dt.timedelta(0)
        assert abs(dt.datetime.now(dt.UTC) - stamp) < dt.timedelta(minutes=5)
    read = client.get(f"{SUBS}/{created['id']}").json()
    assert dt.datetime.fromisoformat(read["created_at"]).tzinfo is not None


def test_default_currency_comes_from_the_setting(hub_client, make_customer, subscription_body):
    env = {
        "MODULES__SUBSCRIPTIONS__READ_ONLY": "false",
        "MODULES__SUBSCRIPTIONS__DRY_RUN": "false",
        "MODULES__SUBSCRIPTIONS__DEFAULT_CURRENCY": "EUR",
    }
    euro = hub_client(installed=["subscriptions"], env=env)
    customer = make_customer(via=euro)
    answer = euro.post(SUBS, json=subscription_body(customer["id"]))
    assert answer.json()["currency"] == "EUR"
    answer = euro.post(
        SUBS, json=subscription_body(customer["id"], currency="SEK", product="Backup")
    )
    assert answer.json()["currency"] == "SEK"


def test_put_replaces_and_moves_updated_at(
    client, make_customer, make_subscription, subscription_body
):
    customer = make_customer()
    created = make_subscription(customer["id"])
    body = subscription_body(
        customer["id"],
        quantity=7,
        unit_price="99.95",
        currency="EUR",
        interval="yearly",
        end_date="2027-12-31",
        status="paused",
    )
    answer = client.put(f"{SUBS}/{created['id']}", json=body)
    assert answer.status_code == 200, answer.text
    replaced = answer.json()
    assert {k: replaced[k] for k in ("quantity", "unit_price", "currency", "interval")} == {
        "quantity": 7,
        "unit_price": "99.95",
        "currency": "EUR",
        "interval": "yearly",
    }
    assert replaced["end_date"] == "2027-12-31"
    assert replaced["status"] == "paused"
    assert replaced["created_at"] == created["created_at"]
    moved = dt.datetime.fromisoformat(replaced["updated_at"])
    assert moved >= dt.datetime.fromisoformat(created["updated_at"])


def test_delete_removes_it(client, make_customer, make_subscription):
    created = make_subscription(make_customer()["id"])
    assert client.delete(f"{SUBS}/{created['id']}").status_code == 204
    assert client.get(f"{SUBS}/{created['id']}").status_code == 404
    assert client.delete(f"{SUBS}/{created['id']}").json() == {
        "detail": f"subscription {created['id']} not found"
    }


def test_missing_subscription_is_404(client, subscription_body, make_customer):
    assert client.get(f"{SUBS}/999").json() == {"detail": "subscription 999 not found"}
    body = subscription_body(make_customer()["id"])
    assert client.put(f"{SUBS}/999", json=body).status_code == 404


@pytest.mark.parametrize("path", ["/0", "/-1", "/2147483648", "/99999999999999999999999", "/abc"])
def test_ids_out_of_range_are_422(client, path):
    assert client.get(SUBS + path).status_code == 422
    assert client.delete(SUBS + path).status_code == 422


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -3}, "quantity"),
        ({"quantity": 2**31}, "quantity"),
        ({"unit_price": "-0.01"}, "unit_price"),
        ({"unit_price": "12.345"}, "unit_price"),
        ({"unit_price": "NaN"}, "unit_price"),
        ({"unit_price": "10000000000.00"}, "unit_price"),
        ({"currency": "dkk"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "D1K"}, "currency"),
        ({"product": ""}, "product"),
        ({"product": "   "}, "product"),
        ({"product": "x" * 201}, "product"),
        ({"product": "Office\x00365"}, "product"),
        ({"interval": "weekly"}, "interval"),
        ({"status": "deleted"}, "status"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"customer_id": 0}, "customer_id"),
        ({"customer_id": 2**31}, "customer_id"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_invalid_fields_are_422(client, make_customer, subscription_body, overrides, field):
    body = {**subscription_body(make_customer()["id"]), **overrides}
    answer = client.post(SUBS, json=body)
    assert answer.status_code == 422
    assert field in {str(part) for error in answer.json()["detail"] for part in error["loc"]}
    assert client.get(SUBS).json()["total"] == 0


def test_end_before_start_is_422(client, make_customer, subscription_body):
    body = subscription_body(make_customer()["id"], start_date="2026-05-01", end_date="2026-04-30")
    answer = client.post(SUBS, json=body)
    assert answer.status_code == 422
    assert "end_date 2026-04-30 is before start_date 2026-05-01" in answer.text
    body["end_date"] = "2026-05-01"  # the same day is fine
    assert client.post(SUBS, json=body).status_code == 201


def test_unknown_customer_is_422_with_a_clear_message(client, subscription_body):
    answer = client.post(SUBS, json=subscription_body(4242))
    assert answer.status_code == 422
    assert answer.json() == {
        "detail": "customer 4242 does not exist; create it first (POST /api/v1/customers)"
    }


def test_the_natural_key_is_unique(client, make_customer, make_subscription, subscription_body):
    customer = make_customer()
    first = make_subscription(customer["id"])
    answer = client.post(SUBS, json=subscription_body(customer["id"], quantity=9))
    assert answer.status_code == 409
    assert answer.json()["detail"].startswith(f"subscription {first['id']} already has customer")
    # Another start date is another subscription.
    make_subscription(customer["id"], start_date="2026-02-01")


def test_list_filters_pages_and_counts(client, make_customer, make_subscription):
    alice, bob = make_customer(), make_customer()
    for month in range(1, 8):
        make_subscription(alice["id"], start_date=f"2026-{month:02d}-01")
    make_subscription(bob["id"], status="paused")
    make_subscription(bob["id"], start_date="2026-03-01")

    page = client.get(SUBS, params={"customer_id": alice["id"], "limit": 3, "offset": 2}).json()
    assert page["total"] == 7
    assert (page["limit"], page["offset"]) == (3, 2)
    assert [item["start_date"] for item in page["items"]] == [
        "2026-03-01",
        "2026-04-01",
        "2026-05-01",
    ]
    paused = client.get(SUBS, params={"status": "paused"}).json()
    assert paused["total"] == 1
    assert paused["items"][0]["customer_id"] == bob["id"]
    everything = client.get(SUBS).json()
    assert (everything["total"], everything["limit"], everything["offset"]) == (9, 50, 0)
    ids = [item["id"] for item in everything["items"]]
    assert ids == sorted(ids)
    beyond = client.get(SUBS, params={"offset": 100}).json()
    assert beyond == {"items": [], "total": 9, "limit": 50, "offset": 100}


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 501},
        {"offset": -1},
        {"offset": 10_000_001},
        {"status": "gone"},
        {"customer_id": 2**31},
    ],
)
def test_bad_list_parameters_are_422(client, params):
    assert client.get(SUBS, params=params).status_code == 422


def test_a_customer_with_subscriptions_cannot_be_deleted(client, make_customer, make_subscription):
    """ON DELETE RESTRICT: the core answers 409 and the subscriptions stay."""
    customer = make_customer()
    created = make_subscription(customer["id"])
    answer = client.delete(f"/api/v1/customers/{customer['id']}")
    assert answer.status_code == 409
    assert client.get(f"{SUBS}/{created['id']}").status_code == 200
    assert client.delete(f"{SUBS}/{created['id']}").status_code == 204
    assert client.delete(f"/api/v1/customers/{customer['id']}").status_code == 204


def test_openapi_declares_the_error_statuses(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    one = paths[f"{SUBS}/{{subscription_id}}"]
    assert {"404", "409", "422"} <= set(one["put"]["responses"])
    assert {"404", "409", "422"} <= set(one["delete"]["responses"])
    assert {"409", "422"} <= set(paths[SUBS]["post"]["responses"])
    assert {"409", "413", "422"} <= set(paths[f"{API}/import"]["post"]["responses"])
    lock = paths[f"{API}/customers/{{customer_id}}/lock"]
    assert {"404", "422"} <= set(lock["put"]["responses"])
