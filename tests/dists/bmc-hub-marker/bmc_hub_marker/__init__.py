"""Leaves a marker file when imported: proves not-allowed modules are never imported."""

import os
from pathlib import Path

_marker = os.environ.get("BMC_HUB_TEST_MARKER")
if _marker:
    Path(_marker).write_text("imported")
