"""module.metrics: a module's own counter, scraped at /metrics with the admin token."""

from __future__ import annotations

from typing import Any

from bmc_hub_core.testing import ADMIN_TOKEN

from . import metrics_module

SAMPLE = "bmc_hub_module_greeter_greetings_total"


def test_a_routes_counter_is_scraped_at_metrics(hub_client: Any) -> None:
    client = hub_client(modules={"greeter": metrics_module})
    for language in ("da", "da", "en"):
        assert client.get(f"/api/v1/greeter/hello/{language}").status_code == 200

    assert client.get("/metrics").status_code == 401
    scraped = client.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    assert scraped.status_code == 200
    lines = scraped.text.splitlines()
    assert "# HELP bmc_hub_module_greeter_greetings_total Greetings sent" in lines
    assert "# TYPE bmc_hub_module_greeter_greetings_total counter" in lines
    assert f'{SAMPLE}{{language="da"}} 2.0' in lines
    assert f'{SAMPLE}{{language="en"}} 1.0' in lines
