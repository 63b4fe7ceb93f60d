"""The prefix rules themselves, without a migration around them."""

from __future__ import annotations

import sqlite3

import pytest

from bmc_hub_core.migrations.catalog import CatalogObject
from bmc_hub_core.migrations.sandbox import SqliteAuthorizer, owns, violations


def obj(kind: str, name: str, table: str | None = None, shape: str = "") -> CatalogObject:
    return CatalogObject(kind, name, table, shape)


@pytest.mark.parametrize(
    ("thing", "owned"),
    [
        (obj("table", "crm_contacts", "crm_contacts"), True),
        (obj("table", "_alembic_tmp_crm_contacts", "_alembic_tmp_crm_contacts"), True),
        (obj("index", "ix_crm_contacts_email", "crm_contacts"), True),
        (obj("index", "crm_ix", "customers"), False),
        (obj("table", "crmx_contacts", "crmx_contacts"), False),
        (obj("type", "crm_status"), True),
        (obj("sequence", "contacts_id_seq"), False),
        (obj("table", "crm.contacts", "crm.contacts"), False),
    ],
)
def test_ownership_follows_the_prefix_or_the_owning_table(
    thing: CatalogObject, owned: bool
) -> None:
    assert owns("crm_", thing) is owned


def test_violations_list_created_changed_dropped_and_written() -> None:
    before = {
        ("table", "customers"): obj("table", "customers", "customers", "a"),
        ("table", "hub_module_state"): obj("table", "hub_module_state", "hub_module_state"),
        ("table", "crm_old"): obj("table", "crm_old", "crm_old"),
    }
    after = {
        ("table", "customers"): obj("table", "customers", "customers", "b"),
        ("table", "crm_new"): obj("table", "crm_new", "crm_new"),
        ("view", "report"): obj("view", "report"),
    }

    found = violations("crm_", before, after, {"customers": 1}, {"customers": 3, "crm_new": 9})

    assert found == [
        "changed table 'customers'",
        "created view 'report'",
        "dropped table 'hub_module_state'",
        "wrote 2 row(s) into table 'customers'",
    ]


def test_sqlite_authorizer_refuses_foreign_writes_before_they_run() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE customers (id INTEGER)")
    authorizer = SqliteAuthorizer("crm_")
    conn.set_authorizer(authorizer)

    conn.execute("CREATE TABLE crm_items (id INTEGER)")
    conn.execute("INSERT INTO crm_items VALUES (1)")
    conn.execute("SELECT * FROM customers").fetchall()
    for statement in (
        "INSERT INTO customers VALUES (1)",
        "CREATE TABLE sneaky (id INTEGER)",
        "ATTACH DATABASE ':memory:' AS other",
        "CREATE INDEX crm_ix ON customers (id)",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
            conn.execute(statement)

    assert authorizer.denied == [
        "insert into table 'customers'",
        "create table 'sneaky'",
        "attach database ':memory:'",
        "create an index on table 'customers'",
    ]
    conn.close()
