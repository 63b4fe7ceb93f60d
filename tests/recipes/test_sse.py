"""sse-starlette: a stream watching module.enabled ends when an admin disables the module,
on a real server (the module installed as a distribution)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from bmc_hub_core.testing import ADMIN_TOKEN
from tests.installs import write_module_dist
from tests.servers import serving

from . import sse_module

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.mark.slow
def test_a_stream_ends_soon_after_an_admin_disables_the_module(
    hub_database_url: str, tmp_path: Path
) -> None:
    site = write_module_dist(
        tmp_path / "site", "ticker", {"__init__.py": Path(sse_module.__file__).read_text()}
    )
    env = {
        "BMC_HUB_DATABASE_URL": hub_database_url,
        "BMC_HUB_MODULES": "ticker",
        "BMC_HUB_ADMIN_TOKEN": ADMIN_TOKEN,
        "BMC_HUB_STATE_POLL_SECONDS": "0.5",
        "PYTHONPATH": str(site),
    }
    with serving(tmp_path, env, workers=2) as server, httpx.Client(base_url=server.base) as client:
        with client.stream("GET", "/api/v1/ticker/ticks", timeout=10) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            assert next(line for line in lines if line.startswith("event:")) == "event: tick"

            disabled = client.post("/api/v1/modules/ticker/disable", headers=ADMIN)
            assert disabled.status_code == 200
            started = time.monotonic()
            rest = list(lines)  # returns when the server ends the stream
            took = time.monotonic() - started

        # Ticks come every 5 s: ending this soon is the stream watching module.enabled.
        assert took < 2.0, f"the stream ended {took:.1f}s after the toggle"
        assert "event: end" in rest and "data: the module was disabled" in rest
        # Whichever worker answers, the module is gone for new requests.
        for _ in range(4):
            assert client.get("/api/v1/ticker/ticks").status_code == 404
