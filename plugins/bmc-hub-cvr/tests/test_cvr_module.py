"""The module as the hub loads it: discovery, settings, jobs, health."""

from __future__ import annotations

import pytest
from bmc_hub_cvr import module as hooks

from bmc_hub_core import NavItem
from bmc_hub_core.testing import module_env


def test_the_module_is_discovered_enabled_and_migrated(hub_admin_client):
    client = hub_admin_client(installed=["cvr"])
    record = client.get("/api/v1/modules/cvr").json()
    assert record["state"] == "enabled"
    assert record["distribution"] == "bmc-hub-cvr"
    assert record["migration"]["current"] == record["migration"]["head"] == "cvr_0001"
    assert record["read_only"] is True and record["dry_run"] is True


def test_the_jobs_are_declared(hub_admin_client):
    client = hub_admin_client(installed=["cvr"])
    jobs = {job["name"]: job for job in client.get("/api/v1/jobs").json()["jobs"]}
    assert jobs["cvr.fill_customers"]["schedule"] == "cron 0 3 * * * (UTC)"
    assert jobs["cvr.refresh"]["schedule"] == "on demand"


def test_health_is_ok_when_the_table_answers(client):
    assert client.get("/api/v1/health").json()["modules"]["cvr"] == "ok"
    assert client.get("/api/v1/cvr/health").status_code == 200


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("api_url", "ftp://example.org/cvr"),
        ("api_url", "not a url"),
        ("cache_hours", "-1"),
        ("batch_size", "0"),
        ("timeout_seconds", "0"),
    ],
)
def test_a_bad_setting_fails_only_this_module(hub_client, key, value):
    client = hub_client(installed=["cvr"], env=module_env("cvr", **{key: value}))
    answer = client.get("/api/v1/cvr/companies")
    assert answer.status_code == 503
    assert answer.json() == {"detail": "module 'cvr' is unavailable: settings"}
    assert client.get("/api/v1/customers").status_code == 200  # the hub itself runs on


def test_the_api_url_may_end_with_a_slash(hub_client, cvr_env, registry, numbers):
    client = hub_client(installed=["cvr"], env=cvr_env(api_url=registry.url + "/"))
    cvr = next(numbers)
    registry.add(cvr)
    assert client.post(f"/api/v1/cvr/lookup/{cvr}").status_code == 200
    assert registry.seen[-1].path == f"/cvr/{cvr}"


def test_the_navigation_entry_leads_to_the_page(client):
    """The core does not draw module entries yet; the hook's answer is checked here."""
    entry = hooks.register_navigation()
    assert entry == NavItem("CVR", "/")
    assert client.get(f"/cvr{entry.path}").status_code == 200
