"""The JSON API on a fake registry: cache hits and misses, every registry error, the
modulus-11 check, the cache-only read and the refresh route."""

from __future__ import annotations

import pytest

API = "/api/v1/cvr"


def lookup(client, cvr: str):
    return client.post(f"{API}/lookup/{cvr}")


def test_a_lookup_asks_the_registry_once_then_answers_from_the_cache(client, registry, numbers):
    cvr = next(numbers)
    registry.add(cvr, name="Nordisk Kaffe ApS")

    first = lookup(client, cvr)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body | {"fetched_at": None} == {
        "cvr": cvr,
        "name": "Nordisk Kaffe ApS",
        "address": "Strandvejen 1",
        "zipcode": "2900",
        "city": "Hellerup",
        "status": "active",
        "fetched_at": None,
        "source": "registry",
    }
    assert body["fetched_at"].endswith("Z") or body["fetched_at"].endswith("+00:00")
    assert "x-bmc-dry-run" not in first.headers

    second = lookup(client, cvr)
    assert second.status_code == 200
    assert second.json() == {**body, "source": "cache"}
    assert registry.requests_for(cvr) == 1


def test_a_stale_company_is_fetched_again(hub_client, cvr_env, registry, numbers):
    client = hub_client(installed=["cvr"], env=cvr_env(cache_hours=0))
    cvr = next(numbers)
    registry.add(cvr, status="active")
    assert lookup(client, cvr).json()["status"] == "active"
    registry.add(cvr, status="dissolved")
    again = lookup(client, cvr)
    assert again.json()["status"] == "dissolved"
    assert again.json()["source"] == "registry"
    assert registry.requests_for(cvr) == 2
    assert client.get(f"{API}/companies/{cvr}").json()["status"] == "dissolved"


def test_the_cache_only_read(client, registry, numbers):
    cvr = next(numbers)
    missing = client.get(f"{API}/companies/{cvr}")
    assert missing.status_code == 404
    assert missing.json() == {
        "detail": f"CVR {cvr} has not been looked up yet; POST {API}/lookup/{cvr}"
    }
    assert registry.seen == []  # the read never asks the registry

    registry.add(cvr)
    lookup(client, cvr)
    stored = client.get(f"{API}/companies/{cvr}")
    assert stored.status_code == 200
    assert stored.json()["name"] == f"Firma {cvr} ApS"
    assert "source" not in stored.json()
    page = client.get(f"{API}/companies").json()
    assert page["total"] == 1 and [c["cvr"] for c in page["items"]] == [cvr]


def test_optional_fields_may_be_null_or_absent_and_extra_keys_are_kept(client, registry, numbers):
    cvr = next(numbers)
    registry.companies[cvr] = {
        "cvr": cvr,
        "name": "  Anonym ApS  ",
        "status": "active",
        "address": None,
        "industry": "620100",
    }
    body = lookup(client, cvr).json()
    assert (body["name"], body["address"], body["zipcode"], body["city"]) == (
        "Anonym ApS",
        None,
        None,
        None,
    )


def test_an_unknown_cvr_is_404_and_not_cached(client, registry, numbers):
    cvr = next(numbers)
    answer = lookup(client, cvr)
    assert answer.status_code == 404
    assert answer.json() == {"detail": f"CVR {cvr} is not in the registry"}
    assert lookup(client, cvr).status_code == 404
    assert registry.requests_for(cvr) == 2


@pytest.mark.parametrize(
    "cvr",
    ["12345675", "12345678", "00000000", "1234567", "123456789", "1234567a", "DK12345674"],
)
def test_a_number_that_is_not_a_cvr_number_is_422_before_any_request(client, registry, cvr):
    answer = lookup(client, cvr)
    assert answer.status_code == 422
    assert registry.seen == []
    assert client.get(f"{API}/companies/{cvr}").status_code == 422
    assert client.post(f"{API}/refresh/{cvr}").status_code == 422


def test_the_modulus_11_refusal_says_so(client):
    answer = lookup(client, "12345675")
    assert answer.status_code == 422
    assert "12345675 is not a CVR number: it fails the modulus-11 check" in answer.text


def test_a_slow_registry_is_504(client, registry, numbers):
    cvr = next(numbers)
    registry.add(cvr)
    registry.mode = "slow"
    answer = lookup(client, cvr)
    assert answer.status_code == 504
    assert answer.json()["detail"].startswith("the CVR registry (127.0.0.1:")
    assert "did not answer within 0.5 s" in answer.json()["detail"]
    assert client.get(f"{API}/companies/{cvr}").status_code == 404


@pytest.mark.parametrize(("retry_after", "passed_on"), [("30", "30"), (None, None), ("soon", None)])
def test_a_rate_limited_registry_is_503_with_its_retry_after(
    client, registry, numbers, retry_after, passed_on
):
    registry.mode = "rate_limited"
    registry.retry_after = retry_after
    answer = lookup(client, next(numbers))
    assert answer.status_code == 503
    assert "is rate limiting requests" in answer.json()["detail"]
    assert answer.headers.get("retry-after") == passed_on


def test_an_http_date_retry_after_is_passed_on(client, registry, numbers):
    registry.mode = "rate_limited"
    registry.retry_after = "Wed, 21 Oct 2026 07:28:00 GMT"
    answer = lookup(client, next(numbers))
    assert answer.headers["retry-after"] == "Wed, 21 Oct 2026 07:28:00 GMT"


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("malformed", "is not JSON"),
        ("missing_fields", "lacks 'name', 'status'"),
        ("other_company", "is about another company (CVR 12345674)"),
    ],
)
def test_an_answer_that_is_not_a_company_is_502(client, registry, numbers, mode, message):
    cvr = next(numbers)
    registry.mode = mode
    answer = lookup(client, cvr)
    assert answer.status_code == 502
    detail = answer.json()["detail"]
    assert detail.startswith("the CVR registry's answer (127.0.0.1:")
    assert f"for CVR {cvr} {message}" in detail
    assert client.get(f"{API}/companies/{cvr}").status_code == 404


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "answered 500 for CVR"),
        (401, "refused the request (401); check MODULES__CVR__API_TOKEN"),
    ],
)
def test_other_registry_statuses_are_502(client, registry, numbers, status, message):
    registry.mode = "status"
    registry.status_code = status
    answer = lookup(client, next(numbers))
    assert answer.status_code == 502
    assert message in answer.json()["detail"]


def test_a_registry_that_refuses_connections_is_503(hub_client, cvr_env, closed_url, numbers):
    client = hub_client(installed=["cvr"], env=cvr_env(api_url=closed_url))
    answer = lookup(client, next(numbers))
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("the CVR registry (127.0.0.1:")
    assert "could not be reached" in answer.json()["detail"]
    assert "MODULES__CVR__API_URL" in answer.json()["detail"]


def test_the_token_is_sent_as_a_bearer_token_and_never_shown(
    hub_client, hub_admin_client, cvr_env, registry, numbers
):
    client = hub_client(installed=["cvr"], env=cvr_env(api_token="s3cret-token"))
    cvr = next(numbers)
    registry.add(cvr)
    assert lookup(client, cvr).status_code == 200
    assert registry.seen[-1].authorization == "Bearer s3cret-token"
    registry.mode = "status"
    registry.status_code = 403
    refused = lookup(client, next(numbers))
    assert "s3cret-token" not in refused.text
    record = hub_admin_client(installed=["cvr"], env=cvr_env(api_token="s3cret-token"))
    assert "s3cret-token" not in record.get("/api/v1/modules/cvr").text


def test_without_a_token_no_authorization_header_is_sent(client, registry, numbers):
    cvr = next(numbers)
    registry.add(cvr)
    lookup(client, cvr)
    assert registry.seen[-1].authorization is None


def test_the_refresh_route_queues_a_run_of_the_refresh_job(
    hub_admin_client, cvr_env, registry, numbers
):
    client = hub_admin_client(installed=["cvr"], env=cvr_env())
    cvr = next(numbers)
    answer = client.post(f"{API}/refresh/{cvr}")
    assert answer.status_code == 202
    body = answer.json()
    assert body == {"run_id": body["run_id"], "job": "cvr.refresh", "cvr": cvr}
    runs = client.get("/api/v1/jobs").json()["runs"]
    run = next(r for r in runs if r["id"] == body["run_id"])
    assert (run["name"], run["state"], run["trigger"], run["kwargs"]) == (
        "cvr.refresh",
        "queued",
        "module",
        {"cvr": cvr},
    )
    assert registry.seen == []  # the worker asks the registry, not the request


def test_the_openapi_document_declares_every_status(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    lookup_op = paths[f"{API}/lookup/{{cvr}}"]["post"]
    assert {"200", "404", "422", "502", "503", "504"} <= set(lookup_op["responses"])
    assert "Retry-After" in lookup_op["responses"]["503"]["headers"]
    assert {"200", "404", "422"} <= set(paths[f"{API}/companies/{{cvr}}"]["get"]["responses"])
    assert {"202", "422"} <= set(paths[f"{API}/refresh/{{cvr}}"]["post"]["responses"])
