"""Fixtures of the subscriptions tests: a writable hub, customers and subscriptions."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from bmc_hub_core.testing import module_env

NAME = "subscriptions"
API = "/api/v1/subscriptions"
#: The safety switches are on by default; most tests write for real.
WRITABLE = module_env(NAME, read_only=False, dry_run=False)

_cvrs = itertools.count(10_000_000)


@pytest.fixture
def client(hub_client: Callable[..., Any]) -> Any:
    return hub_client(installed=[NAME], env=WRITABLE)


@pytest.fixture
def make_customer(request: pytest.FixtureRequest) -> Callable[..., dict[str, Any]]:
    """``make_customer(name=..., cvr=..., via=a_client)``: a customer of the core.

    Without ``via`` it uses the ``client`` fixture; tests of the default switches pass
    their own client, so no writable app (and its environment) is built for them.
    """

    def make(name: str | None = None, cvr: str | None = None, via: Any = None) -> dict[str, Any]:
        cvr = cvr or str(next(_cvrs))
        body = {"name": name or f"Kunde {cvr} ApS", "cvr": cvr}
        answer = (via or request.getfixturevalue("client")).post("/api/v1/customers", json=body)
        assert answer.status_code == 201, answer.text
        customer: dict[str, Any] = answer.json()
        return customer

    return make


@pytest.fixture
def subscription_body() -> Callable[..., dict[str, Any]]:
    def body(customer_id: int, **overrides: Any) -> dict[str, Any]:
        return {
            "customer_id": customer_id,
            "product": "Microsoft 365 Business Standard",
            "quantity": 5,
            "unit_price": "95.50",
            "interval": "monthly",
            "start_date": "2026-01-01",
            **overrides,
        }

    return body


@pytest.fixture
def make_subscription(
    client: Any, subscription_body: Callable[..., dict[str, Any]]
) -> Callable[..., dict[str, Any]]:
    def make(customer_id: int, **overrides: Any) -> dict[str, Any]:
        answer = client.post(
            f"{API}/subscriptions", json=subscription_body(customer_id, **overrides)
        )
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    return make
