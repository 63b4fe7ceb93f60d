"""The example job, run the way ``bmc-hub worker`` runs it: with the module's context."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from bmc_hub_core.testing import module_context, module_env

NAME = "{{ cookiecutter.module_name }}"
WRITABLE = module_env(NAME, read_only=False, dry_run=False)


def test_tidy_is_declared_with_its_schedule(hub_admin_client):
    jobs = hub_admin_client(installed=[NAME]).get("/api/v1/jobs").json()["jobs"]
    tidy = next(job for job in jobs if job["name"] == f"{NAME}.tidy")
    assert tidy["schedule"] == "cron 30 3 * * * (UTC)"


def test_tidy_deletes_old_items_only(hub_client):
    from {{ cookiecutter.__package_name }}.jobs import tidy
    from {{ cookiecutter.__package_name }}.tables import ItemRow

    client = hub_client(installed=[NAME], env=WRITABLE)
    old = client.post(f"/api/v1/{NAME}/items", json={"title": "old"}).json()
    new = client.post(f"/api/v1/{NAME}/items", json={"title": "new"}).json()
    module = module_context(client.app, NAME)
    with module.transaction() as session:
        session.execute(
            sa.update(ItemRow)
            .where(ItemRow.id == old["id"])
            .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=400))
        )
    assert tidy(module) == 1
    remaining = client.get(f"/api/v1/{NAME}/items").json()
    assert [item["id"] for item in remaining] == [new["id"]]
