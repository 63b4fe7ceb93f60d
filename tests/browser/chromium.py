"""The Debian Chromium and where the browser tests' screenshots go.

Playwright's own browser download is not used: the tests drive ``/usr/bin/chromium``.
``BMC_HUB_UPDATE_SCREENSHOTS=1`` copies the screenshots a test takes into docs/images/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def publish_screenshots(folder: Path, names: list[str]) -> None:
    """Copy ``folder/NAME`` into docs/images/ when BMC_HUB_UPDATE_SCREENSHOTS=1."""
    if os.environ.get("BMC_HUB_UPDATE_SCREENSHOTS") != "1":
        return
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(folder / name, IMAGES / name)
