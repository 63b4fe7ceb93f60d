"""Browser tests need the Debian ``chromium`` package: without it they skip locally and
fail in CI (``BMC_HUB_REQUIRE_BROWSER=1``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .chromium import CHROMIUM


@pytest.fixture
def chromium() -> Path:
    """The Debian Chromium; skip without it, or fail in CI (BMC_HUB_REQUIRE_BROWSER=1)."""
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"{CHROMIUM} is missing: apt-get install chromium"
    if os.environ.get("BMC_HUB_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (BMC_HUB_REQUIRE_BROWSER=1)")
    pytest.skip(message)
