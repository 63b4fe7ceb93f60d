"""The safety switches at their defaults: DRY_RUN answers lookups but caches nothing,
READ_ONLY refuses the POST routes and serves the reads."""

from __future__ import annotations

from bmc_hub_core.testing import module_env

API = "/api/v1/cvr"


def test_dry_run_answers_a_lookup_but_keeps_nothing(hub_client, cvr_env, registry, numbers):
    dry = hub_client(installed=["cvr"], env=cvr_env(dry_run=True))
    cvr = next(numbers)
    registry.add(cvr)

    first = dry.post(f"{API}/lookup/{cvr}")
    assert first.status_code == 200
    assert first.json()["source"] == "registry"
    assert first.headers["x-bmc-dry-run"] == "true"
    # Nothing was cached: the next lookup asks the registry again (a GET is always sent).
    second = dry.post(f"{API}/lookup/{cvr}")
    assert second.json()["source"] == "registry"
    assert registry.requests_for(cvr) == 2
    assert dry.get(f"{API}/companies/{cvr}").status_code == 404
    assert dry.get(f"{API}/companies").json()["total"] == 0

    # A second app on the same database, with the switches off, sees nothing either.
    real = hub_client(installed=["cvr"], env=cvr_env())
    assert real.get(f"{API}/companies/{cvr}").status_code == 404


def test_dry_run_is_the_default(hub_client, registry, numbers):
    client = hub_client(
        installed=["cvr"], env=module_env("cvr", read_only=False, api_url=registry.url)
    )
    cvr = next(numbers)
    registry.add(cvr)
    assert client.post(f"{API}/lookup/{cvr}").headers["x-bmc-dry-run"] == "true"
    assert client.post(f"{API}/lookup/{cvr}").json()["source"] == "registry"


def test_read_only_is_the_default_and_refuses_the_post_routes(hub_client, registry, numbers):
    client = hub_client(installed=["cvr"], env=module_env("cvr", api_url=registry.url))
    cvr = next(numbers)
    registry.add(cvr)
    for path in (f"{API}/lookup/{cvr}", f"{API}/refresh/{cvr}"):
        answer = client.post(path)
        assert answer.status_code == 403
        assert answer.json() == {"detail": "module 'cvr' is read-only"}
    assert client.post("/cvr/lookup", data={"cvr": cvr}).status_code == 403
    assert registry.seen == []
    assert client.get(f"{API}/companies/{cvr}").status_code == 404
    assert client.get(f"{API}/companies").status_code == 200
    page = client.get("/cvr/")
    assert page.status_code == 200
    assert 'id="read-only"' in page.text and 'id="lookup"' not in page.text
