"""slowapi limits per module, and ExceptionHandlers scoped to the module's routes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.testclient import TestClient

from ..fakes import fake_module
from . import ratelimit_module
from .conftest import LoadAgain


def test_the_third_search_in_a_minute_is_refused_with_429(hub_client: Any) -> None:
    client = hub_client(modules={"quotas": ratelimit_module})
    answers = [client.get("/api/v1/quotas/search", params={"q": "cvr"}) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[0].json() == ["CVR"]
    assert answers[2].json() == {"detail": "2 per 1 minute"}


def test_each_module_counts_its_own_limit(hub_client: Any, load_again: LoadAgain) -> None:
    other = load_again(ratelimit_module, "quotas_b")
    client = hub_client(modules={"quotas": ratelimit_module, "quotas_b": other})
    for _ in range(3):
        client.get("/api/v1/quotas/search", params={"q": "x"})
    assert client.get("/api/v1/quotas/search", params={"q": "x"}).status_code == 429
    assert client.get("/api/v1/quotas_b/search", params={"q": "x"}).status_code == 200


def test_the_modules_handler_answers_its_exception_for_its_routes_only(hub_app: Any) -> None:
    def register_routes() -> APIRouter:
        router = APIRouter()

        @router.get("/usage")
        def usage() -> None:
            raise ratelimit_module.QuotaSpent(7)

        return router

    app = hub_app(
        modules={
            "quotas": ratelimit_module,
            "billing": fake_module("billing", register_routes=register_routes),
        }
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        mine = client.get("/api/v1/quotas/usage/42")
        assert mine.status_code == 402
        assert mine.json() == {"detail": "customer 42 has used this month's quota"}
        # The same exception from another module's route is that module's error: a 500.
        assert client.get("/api/v1/billing/usage").status_code == 500
