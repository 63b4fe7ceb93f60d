"""Customer locks: a locked customer's subscriptions can be read but not changed."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import API

SUBS = f"{API}/subscriptions"


def lock_url(customer_id: int) -> str:
    return f"{API}/customers/{customer_id}/lock"


def test_an_unlocked_customer_reports_locked_false(client, make_customer):
    customer = make_customer()
    assert client.get(lock_url(customer["id"])).json() == {
        "customer_id": customer["id"],
        "locked": False,
        "reason": None,
        "locked_at": None,
        "locked_by": None,
    }


def test_lock_and_unlock(client, make_customer):
    customer = make_customer()
    answer = client.put(lock_url(customer["id"]), json={"reason": "  unpaid invoices  "})
    assert answer.status_code == 200
    lock = answer.json()
    assert (lock["locked"], lock["reason"], lock["locked_by"]) == (True, "unpaid invoices", "api")
    assert dt.datetime.fromisoformat(lock["locked_at"]).utcoffset() == dt.timedelta(0)
    assert client.get(lock_url(customer["id"])).json() == lock

    # Locking again re-words the lock; it stays locked since the first time.
    again = client.put(lock_url(customer["id"]), json={"reason": "dispute"}).json()
    assert (again["reason"], again["locked_at"]) == ("dispute", lock["locked_at"])

    assert client.delete(lock_url(customer["id"])).status_code == 204
    assert client.get(lock_url(customer["id"])).json()["locked"] is False
    assert client.delete(lock_url(customer["id"])).json() == {
        "detail": f"customer {customer['id']} is not locked"
    }


def test_unknown_customer_is_404(client):
    assert client.get(lock_url(777)).json() == {"detail": "customer 777 not found"}
    assert client.put(lock_url(777), json={"reason": "x"}).status_code == 404
    assert client.delete(lock_url(777)).status_code == 404


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501, "bad\x00reason"])
def test_bad_reason_is_422(client, make_customer, reason):
    customer = make_customer()
    assert client.put(lock_url(customer["id"]), json={"reason": reason}).status_code == 422
    assert client.get(lock_url(customer["id"])).json()["locked"] is False


def test_writes_of_a_locked_customer_answer_409_reads_work(
    client, make_customer, make_subscription, subscription_body
):
    customer = make_customer()
    existing = make_subscription(customer["id"])
    client.put(lock_url(customer["id"]), json={"reason": "unpaid invoices"})
    locked = {"detail": f"customer {customer['id']} is locked: unpaid invoices"}

    create = client.post(SUBS, json=subscription_body(customer["id"], product="Backup"))
    assert (create.status_code, create.json()) == (409, locked)
    pause = client.put(
        f"{SUBS}/{existing['id']}", json=subscription_body(customer["id"], status="paused")
    )
    assert (pause.status_code, pause.json()) == (409, locked)
    delete = client.delete(f"{SUBS}/{existing['id']}")
    assert (delete.status_code, delete.json()) == (409, locked)

    assert client.get(f"{SUBS}/{existing['id']}").json() == existing
    assert client.get(SUBS, params={"customer_id": customer["id"]}).json()["total"] == 1

    assert client.delete(lock_url(customer["id"])).status_code == 204
    assert client.delete(f"{SUBS}/{existing['id']}").status_code == 204


def test_moving_a_subscription_to_a_locked_customer_is_409(
    client, make_customer, make_subscription, subscription_body
):
    free, locked = make_customer(), make_customer()
    existing = make_subscription(free["id"])
    client.put(lock_url(locked["id"]), json={"reason": "closing down"})
    answer = client.put(f"{SUBS}/{existing['id']}", json=subscription_body(locked["id"]))
    assert answer.status_code == 409
    assert answer.json() == {"detail": f"customer {locked['id']} is locked: closing down"}
    assert client.get(f"{SUBS}/{existing['id']}").json()["customer_id"] == free["id"]


def test_a_lock_goes_with_its_customer(client, make_customer):
    """ON DELETE CASCADE on the lock: deleting the customer is not blocked by it."""
    customer = make_customer()
    client.put(lock_url(customer["id"]), json={"reason": "moving away"})
    assert client.delete(f"/api/v1/customers/{customer['id']}").status_code == 204
    assert client.get(lock_url(customer["id"])).status_code == 404
