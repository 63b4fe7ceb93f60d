"""``customer_panel``: what the module shows on a customer's page.

The core's customer page is not there yet, so the hook is called here directly, with a
``ModuleContext`` on the database a hub (the ``client`` fixture) has migrated and filled.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bmc_hub_cvr import module as hooks
from bmc_hub_cvr.settings import CvrSettings

from bmc_hub_core import CustomerInfo, CustomerPanel, ModuleContext
from bmc_hub_core.db import make_engine


@pytest.fixture
def context(client, hub_database_url) -> Iterator[ModuleContext]:
    engine = make_engine(hub_database_url)

    def no_templates():
        raise AssertionError("the panel renders no template")

    yield ModuleContext(
        name="cvr",
        version="0.1.0",
        distribution="bmc-hub-cvr",
        hub_engine=engine,
        template_source=no_templates,
        settings=CvrSettings(read_only=False, dry_run=False),
    )
    engine.dispose()


def test_a_cached_company_is_shown(client, context, registry, numbers):
    cvr = next(numbers)
    registry.add(cvr, name="Nordisk Kaffe ApS", status="active")
    fetched = client.post(f"/api/v1/cvr/lookup/{cvr}").json()["fetched_at"]

    panel = hooks.customer_panel(context, CustomerInfo(id=1, name="Kaffe", cvr=cvr))
    assert isinstance(panel, CustomerPanel)
    assert panel.title == "CVR register"
    assert panel.rows == [
        ("CVR", cvr),
        ("Name", "Nordisk Kaffe ApS"),
        ("Address", "Strandvejen 1, 2900 Hellerup"),
        ("Status", "active"),
        ("Fetched", f"{fetched[:10]} {fetched[11:16]} UTC"),
    ]
    assert (panel.link, panel.link_text) == (f"/companies/{cvr}", "Open")
    assert client.get(f"/cvr{panel.link}").status_code == 200  # the link leads somewhere


def test_a_customer_whose_company_is_not_cached_gets_a_link_to_look_it_up(client, context, numbers):
    cvr = next(numbers)
    panel = hooks.customer_panel(context, CustomerInfo(id=2, name="Ny", cvr=cvr))
    assert panel == CustomerPanel(
        title="CVR register",
        rows=[("CVR", cvr), ("Company", "not looked up yet")],
        link=f"/?cvr={cvr}",
        link_text="Look up",
    )
    assert f'value="{cvr}"' in client.get(f"/cvr{panel.link}").text


def test_a_customer_without_cvr_gets_no_panel(context):
    assert hooks.customer_panel(context, CustomerInfo(id=3, name="Privat", cvr=None)) is None
