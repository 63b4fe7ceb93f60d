"""The example job, run the way ``bmc-hub worker`` runs it: in a process of its own,
with the module's context and safety switches (``run_job``)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from bmc_hub_core.testing import module_context, module_env, run_job

NAME = "{{ cookiecutter.module_name }}"
WRITABLE = module_env(NAME, read_only=False, dry_run=False)


def test_tidy_is_declared_with_its_schedule(hub_admin_client):
    jobs = hub_admin_client(installed=[NAME]).get("/api/v1/jobs").json()["jobs"]
    tidy = next(job for job in jobs if job["name"] == f"{NAME}.tidy")
    assert tidy["schedule"] == "cron 30 3 * * * (UTC)"


def age(client, item_id, days):
    from {{ cookiecutter.__package_name }}.tables import ItemRow

    with module_context(client.app, NAME).transaction() as session:
        session.execute(
            sa.update(ItemRow)
            .where(ItemRow.id == item_id)
            .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days))
        )


def test_tidy_deletes_old_items_only(hub_client):

    client = hub_client(installed=[NAME], env=WRITABLE)
    old = client.post(f"/api/v1/{NAME}/items", json={"title": "old"}).json()
    new = client.post(f"/api/v1/{NAME}/items", json={"title": "new"}).json()
    age(client, old["id"], days=400)
    assert run_job(client.app, f"{NAME}.tidy").error is None
    remaining = client.get(f"/api/v1/{NAME}/items").json()
    assert [item["id"] for item in remaining] == [new["id"]]


def test_tidy_keeps_everything_in_dry_run(hub_client):
    client = hub_client(installed=[NAME], env=WRITABLE)
    old = client.post(f"/api/v1/{NAME}/items", json={"title": "old"}).json()
    age(client, old["id"], days=400)
    dry = hub_client(installed=[NAME], env=module_env(NAME, read_only=False, dry_run=True))
    assert run_job(dry.app, f"{NAME}.tidy").error is None
    assert [item["id"] for item in dry.get(f"/api/v1/{NAME}/items").json()] == [old["id"]]
