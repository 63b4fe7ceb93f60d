"""Every script in ``benchmarks/`` still runs (``--quick``) and prints its figures.

Performance is measured by the scripts themselves, on a quiet machine, and written to
docs/performance.md; these tests assert nothing about targets, only that the scripts
have not rotted: they start, drive a real hub, and print the lines their figures are in.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import require_postgres
from .servers import clean_env

pytestmark = pytest.mark.slow

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
RATIO = r"\d+\.\d\d"
SECONDS = r"\d+\.\d{3}"

#: Script → lines its output must contain (each a regex, matched per line).
PRINTS = {
    "authoring.py": [r"^\| \*\*total\*\* \| \*\*[\d.]+\*\*"],
    "gate_overhead.py": [rf"^gate\s+[\d,]+\s+{RATIO}$", rf"^base_http\s+[\d,]+\s+{RATIO}$"],
    "health.py": [
        *(rf"^{case}\s+{SECONDS}\s+{SECONDS}\s+{RATIO}\s" for case in ("sync", "sync hang")),
        r"^hang, cached\s+polled\s+[\d,]+\s+[\d.]+\s+[\d.]+$",
    ],
    "memory.py": [rf"^\s+10\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+{RATIO}\s"],
    "migrations_noop.py": [rf"^process\s+[\d.]+s\s+[\d.]+s\s+{RATIO}$"],
    "request_path.py": [
        *(
            rf"^{route}\s+[\d,]+\s+[\d,]+\s+{RATIO}\s"
            for route in ("sync", "async", "read", "write")
        ),
        rf"^sync\s+[\d,]+\s+[\d,]+\s+{RATIO}\s+\d+\s+\d+\s+{RATIO}$",
    ],
    "request_profile.py": [
        rf"^  hub [\d.]+   bare [\d.]+   extra [+-][\d.]+   ratio {RATIO}$",
        r"^\s+[\d.]+\s+[\d.]+\s+[+-][\d.]+\s+[\d.]+  \S+ \(",
    ],
    "slow_neighbour.py": [
        rf"^{route}\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d,]+\s+[\d,]+\s+{RATIO}"
        for route in ("async", "sync")
    ],
    "startup.py": [
        rf"^bmc-hub modules check\s+[\d.]+\s+[\d.]+\s+[+-][\d.]+\s+{RATIO}",
        rf"^serve: first answer\s+[\d.]+\s+[\d.]+\s+[+-][\d.]+\s+{RATIO}",
        rf"^first /api/openapi.json\s+[\d.]+\s+[\d.]+\s+[+-][\d.]+\s+{RATIO}",
    ],
    "toggle_propagation.py": [
        rf"^{backend}\s+toggles=\d+\s+median=\s*[\d.]+ ms\s+p90=\s*[\d.]+ ms\s+worst="
        for backend in ("postgresql", "sqlite")
    ],
}

#: Scripts a test of their own runs, asserting more than their output's shape.
RUN_ELSEWHERE = {"load_mixed.py": "tests/test_load.py"}

#: Scripts that make a database of their own on the test PostgreSQL server.
NEEDS_POSTGRES = {"toggle_propagation.py"}

#: What a script that needs wrk says when it cannot get it.
NO_WRK = "needs the HTTP load generator wrk"


def scripts() -> list[str]:
    return sorted(
        path.name
        for path in BENCHMARKS.glob("*.py")
        if not path.name.startswith("_") and path.name not in RUN_ELSEWHERE
    )


def test_every_benchmark_script_is_run_here() -> None:
    assert set(PRINTS) == set(scripts())
    everything = {p.name for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_")}
    assert set(RUN_ELSEWHERE) <= everything


@pytest.mark.timeout(600)
@pytest.mark.parametrize("script", scripts())
def test_benchmark_runs_quick_and_prints_its_figures(script: str) -> None:
    env = clean_env()
    if script in NEEDS_POSTGRES:  # skipped without the server locally, a failure in CI
        env["BMC_HUB_TEST_POSTGRES_URL"] = require_postgres()
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"],
        cwd=BENCHMARKS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    if result.returncode != 0 and NO_WRK in result.stderr:
        pytest.skip(result.stderr.strip().splitlines()[-1])
    assert result.returncode == 0, result.stdout + result.stderr
    for pattern in PRINTS[script]:
        assert re.search(pattern, result.stdout, re.MULTILINE), (pattern, result.stdout)
