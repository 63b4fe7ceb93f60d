"""The ``{{ cookiecutter.module_name }}`` module via its entry point, with bmc_hub_core.testing.

The tests run on SQLite by default and on a fresh PostgreSQL database when
``BMC_HUB_TEST_DATABASE_URL`` points at a server.
"""

from __future__ import annotations

import pytest
from bmc_hub_core.testing import assert_migrations_conform, module_env

NAME = "{{ cookiecutter.module_name }}"
ITEMS = f"/api/v1/{NAME}/items"
#: The safety switches are on by default; these tests write for real.
WRITABLE = module_env(NAME, read_only=False, dry_run=False)


@pytest.fixture
def client(hub_client):
    return hub_client(installed=[NAME], env=WRITABLE)


def test_module_is_discovered_and_enabled(hub_admin_client):
    client = hub_admin_client(installed=[NAME])
    record = client.get(f"/api/v1/modules/{NAME}").json()
    assert record["state"] == "enabled"
    assert record["distribution"] == "{{ cookiecutter.project_slug }}"
    migration = record["migration"]
    assert migration["head"] is not None
    assert migration["current"] == migration["head"]


def test_migrations_conform(hub_database_url):
    """One head, short ids, branch label, the NAME_ prefix, models = schema, stairway."""
    assert_migrations_conform(NAME, hub_database_url)


def test_items_crud(client):
    created = client.post(ITEMS, json={"title": "First", "body": "Hello"})
    assert created.status_code == 201
    item = created.json()
    assert set(item) == {"id", "title", "body", "created_at"}
    assert (item["title"], item["body"]) == ("First", "Hello")
    url = f"{ITEMS}/{item['id']}"

    assert client.get(url).json() == item
    assert client.get(ITEMS).json() == [item]

    replaced = client.put(url, json={"title": "Renamed"})
    assert replaced.status_code == 200
    assert replaced.json() == {**item, "title": "Renamed", "body": None}

    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert client.get(ITEMS).json() == []


@pytest.mark.parametrize(
    "payload",
    [{}, {"title": ""}, {"title": "x" * 201}, {"title": 3}, {"title": "ok", "extra": 1}],
)
def test_bad_input_is_422(client, payload):
    assert client.post(ITEMS, json=payload).status_code == 422


def test_unknown_item_is_404(client):
    assert client.get(f"{ITEMS}/999").status_code == 404
    assert client.put(f"{ITEMS}/999", json={"title": "x"}).status_code == 404
    assert client.delete(f"{ITEMS}/999").json() == {"detail": "item 999 not found"}


def test_defaults_block_writes(hub_client):
    client = hub_client(installed=[NAME])
    answer = client.post(ITEMS, json={"title": "First"})
    assert answer.status_code == 403
    assert answer.json() == {"detail": f"module '{NAME}' is read-only"}
    assert client.get(ITEMS).status_code == 200


def test_dry_run_commits_nothing(hub_client):
    client = hub_client(installed=[NAME], env=module_env(NAME, read_only=False))
    created = client.post(ITEMS, json={"title": "Ghost"})
    assert created.status_code == 201
    assert created.headers["X-BMC-Dry-Run"] == "true"
    assert client.get(ITEMS).json() == []


def test_page_size_setting_limits_the_list(hub_client):
    env = {**WRITABLE, **module_env(NAME, page_size=2)}
    client = hub_client(installed=[NAME], env=env)
    for title in ("a", "b", "c"):
        client.post(ITEMS, json={"title": title})
    assert [i["title"] for i in client.get(ITEMS).json()] == ["a", "b"]
    assert [i["title"] for i in client.get(ITEMS, params={"offset": 2}).json()] == ["c"]
{%- if cookiecutter.include_views %}


def test_page_lists_items_in_the_core_layout(client):
    client.post(ITEMS, json={"title": "Shown on the page"})
    page = client.get(f"/{NAME}/")
    assert page.status_code == 200
    assert "Shown on the page" in page.text
    assert "/static/hub/hub.css" in page.text
{%- endif %}


def test_health_is_ok(client):
    answer = client.get(f"/api/v1/{NAME}/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
