"""The module as the hub loads it: discovery, settings, safety switches and health."""

from __future__ import annotations

import pytest
from conftest import API, NAME, WRITABLE

from bmc_hub_core.testing import module_env

SUBS = f"{API}/subscriptions"


def test_module_is_discovered_enabled_and_migrated(hub_admin_client):
    client = hub_admin_client(installed=[NAME])
    record = client.get(f"/api/v1/modules/{NAME}").json()
    assert record["state"] == "enabled"
    assert record["distribution"] == "bmc-hub-subscriptions"
    assert record["migration"]["current"] == record["migration"]["head"] == "subscriptions_0001"


def test_health_is_ok_when_the_tables_answer(client):
    assert client.get("/api/v1/health").json()["modules"][NAME] == "ok"
    assert client.get(f"{API}/health").status_code == 200


@pytest.mark.parametrize("currency", ["dkk", "EURO", "12A", ""])
def test_a_bad_default_currency_fails_only_this_module(hub_client, currency):
    client = hub_client(installed=[NAME], env=module_env(NAME, default_currency=currency))
    answer = client.get(SUBS)
    assert answer.status_code == 503
    assert answer.json() == {"detail": f"module '{NAME}' is unavailable: settings"}
    assert client.get("/api/v1/customers").status_code == 200  # the hub itself runs on


def test_read_only_default_refuses_writes_but_serves_reads(hub_client, subscription_body):
    client = hub_client(installed=[NAME])
    answer = client.post(SUBS, json=subscription_body(1))
    assert answer.status_code == 403
    assert answer.json() == {"detail": f"module '{NAME}' is read-only"}
    assert client.put(f"{API}/customers/1/lock", json={"reason": "x"}).status_code == 403
    assert client.get(SUBS).status_code == 200


def test_dry_run_default_answers_writes_but_keeps_nothing(
    hub_client, make_customer, subscription_body
):
    dry = hub_client(installed=[NAME], env=module_env(NAME, read_only=False))
    customer = make_customer(via=dry)
    answer = dry.post(SUBS, json=subscription_body(customer["id"]))
    assert answer.status_code == 201
    assert answer.headers["x-bmc-dry-run"] == "true"
    assert answer.json()["id"] >= 1
    lock = dry.put(f"{API}/customers/{customer['id']}/lock", json={"reason": "test"})
    assert (lock.status_code, lock.json()["locked"]) == (200, True)

    assert dry.get(SUBS).json()["total"] == 0
    assert dry.get(f"{API}/customers/{customer['id']}/lock").json()["locked"] is False
    # A second app on the same database, with the switches off, sees nothing either.
    real = hub_client(installed=[NAME], env=WRITABLE)
    assert real.get(SUBS).json() == {"items": [], "total": 0, "limit": 50, "offset": 0}
    assert "x-bmc-dry-run" not in real.get(SUBS).headers
