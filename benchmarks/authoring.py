"""How long a module author waits: from `modules new` to the module answering a request.

Times the issue's three commands as a user runs them, each a real process, in a fresh
folder and a scratch virtual environment layered on this one (the core is installed).
``pip`` runs as for any user (build isolation, dependencies checked against the index);
``--offline`` skips both, as the test suite does:

1. ``bmc-hub modules new invoice_ocr --description ... --no-input``
2. ``pip install -e ./bmc-hub-invoice-ocr`` then ``pytest`` inside the project
3. ``BMC_HUB_MODULES=invoice_ocr bmc-hub serve`` on a fresh SQLite database, until
   ``GET /api/v1/invoice_ocr/items`` answers 200 (core and module migrated, app served)

Target: all three under 60 s. Prints a Markdown table for docs/performance.md; ``--json
PATH`` also writes the raw figures. Run: ``python benchmarks/authoring.py [--rounds N]``
(``--quick``: one offline round, only to show the script works).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.scratch_env import ScratchEnv, free_port, stop, wait_for  # noqa: E402

NAME = "invoice_ocr"
STEPS = ("modules new", "pip install -e", "pytest (generated)", "serve: first answer")
TARGET_SECONDS = 60.0


def timed(env: ScratchEnv, args: list[str], cwd: Path, offline: bool = True) -> float:
    start = time.perf_counter()
    result = env.run(args, cwd=cwd, timeout=300, offline=offline)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return elapsed


def serve_until_answer(env: ScratchEnv, cwd: Path) -> float:
    port = free_port()
    start = time.perf_counter()
    server = subprocess.Popen(
        ["bmc-hub", "serve", "--port", str(port)],
        cwd=cwd,
        env=env.env(BMC_HUB_MODULES=NAME, BMC_HUB_DATABASE_URL=f"sqlite:///{cwd / 'bench.db'}"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/{NAME}/items", server, timeout=120)
        return time.perf_counter() - start
    finally:
        stop(server)


def one_round(offline: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bmc-hub-authoring-") as tmp:
        work = Path(tmp)
        env = ScratchEnv(work / "venv")
        project = work / "bmc-hub-invoice-ocr"
        new = ["bmc-hub", "modules", "new", NAME, "--description", "OCR of invoices"]
        return {
            STEPS[0]: timed(env, [*new, "--no-input"], work),
            STEPS[1]: timed(env, ["pip", "install", "-e", f"./{project.name}"], work, offline),
            STEPS[2]: timed(env, ["pytest", "-q"], project),
            STEPS[3]: serve_until_answer(env, work),
        }


def table(rounds: list[dict[str, float]], offline: bool) -> str:
    totals = [sum(r.values()) for r in rounds]
    pip = "offline pip" if offline else "pip with build isolation"
    lines = [
        f"{len(rounds)} rounds on {platform.machine()}, Python {platform.python_version()}, "
        f"{pip}, SQLite; seconds, median (max):",
        "",
        "| step | seconds |",
        "|---|---|",
    ]
    for step in STEPS:
        values = [r[step] for r in rounds]
        lines.append(f"| {step} | {statistics.median(values):.2f} ({max(values):.2f}) |")
    verdict = "met" if max(totals) < TARGET_SECONDS else "MISSED"
    lines.append(
        f"| **total** | **{statistics.median(totals):.2f}** ({max(totals):.2f}); "
        f"target < {TARGET_SECONDS:.0f} s: {verdict} |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--offline", action="store_true", help="pip: --no-deps, no isolation")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--quick", action="store_true", help="one round, --offline")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.offline = 1, True
    rounds = [one_round(args.offline) for _ in range(args.rounds)]
    print(table(rounds, args.offline))
    if args.json:
        args.json.write_text(json.dumps({"rounds": rounds}, indent=2) + "\n")


if __name__ == "__main__":
    main()
