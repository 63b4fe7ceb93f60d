"""Load evidence in CI: ``benchmarks/load_mixed.py --quick`` (8 s of mixed load on two
workers and PostgreSQL, one module toggled every second) holds every invariant.

The script itself counts; this test runs it as a user would and reads what it printed,
so a broken invariant fails here with the script's table in the message.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .conftest import require_postgres
from .servers import clean_env
from .test_benchmarks_run import BENCHMARKS

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

INVARIANTS = (
    "server errors (5xx), every route",
    "failed connections",
    "toggles the admin API refused",
    "flip served after its disable was enforced",
    "flip refused after its enable was enforced",
    "dry-run rows kept by dry",
    "kept rows minus writes kept answered 201",
)


@pytest.mark.timeout(300)
def test_mixed_load_while_toggling_keeps_every_promise() -> None:
    server = require_postgres()
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "load_mixed.py"), "--quick"],
        cwd=BENCHMARKS.parent,
        env=clean_env(BMC_HUB_TEST_POSTGRES_URL=server),
        capture_output=True,
        text=True,
        timeout=240,
    )
    shown = result.stdout + result.stderr
    assert result.returncode == 0, shown
    for invariant in INVARIANTS:
        assert re.search(rf"^  {re.escape(invariant)}\s+0  ok", result.stdout, re.M), shown
    # Every route was exercised, and the toggled module both answered and refused.
    for route in ("kept read", "kept write", "dry read", "dry write", "flip ping", "health"):
        assert re.search(rf"^{route}\s+[1-9]\d*\s", result.stdout, re.M), shown
    flip = re.search(r"^flip ping .*200: \d+, 404: \d+$", result.stdout, re.M)
    assert flip, shown
