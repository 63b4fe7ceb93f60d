#!/usr/bin/env python3
"""What 100 installed / 50 allowed modules add to the CLI and to a server's start.

Two configurations of the same hub, each with a database of its own, already migrated:

- none: no module distribution besides what this environment has installed, and
  ``BMC_HUB_MODULES`` empty;
- modules: 100 trivial module distributions installed (three API routes each), 50 of
  them in ``BMC_HUB_MODULES``.

Measured, each the median of ``--runs`` runs alternating between the configurations:

- ``bmc-hub modules check``, the whole process;
- ``bmc-hub serve`` from starting the process to the first 200 from ``/api/v1/health``;
- the first ``GET /api/openapi.json`` of that server (the document is built on first
  use), and the second one (cached).

    python benchmarks/startup.py [--runs 5] [--installed 100] [--allowed 50]
                                 [--database-url postgresql+psycopg2://...] [--quick]

Target: at most 0.5 s more for the modules configuration than for none, for the check
and for the start.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    BMC_HUB,
    clean_env,
    database,
    get,
    machine,
    median,
    start_hub,
    timed_process,
    write_trivial,
)

TARGET_EXTRA_SECONDS = 0.5


def serve_once(env: dict[str, str], folder: Path) -> tuple[float, float, float]:
    """Seconds to the first answer, to the first OpenAPI document, to the second one."""
    server = start_hub(env, folder, "serve")
    try:
        first_answer = server.wait("/api/v1/health", poll=0.005)
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            answer = get(server.port, "/api/openapi.json", timeout=60)
            timings.append(time.perf_counter() - started)
            if answer.status != 200:
                raise SystemExit(f"/api/openapi.json answered {answer.status}:\n{server.output()}")
        return first_answer, timings[0], timings[1]
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--installed", type=int, default=100)
    parser.add_argument("--allowed", type=int, default=50)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--quick", action="store_true", help="1 run, 20 installed, 10 allowed")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.installed, args.allowed = 1, 20, 10
    if args.allowed > args.installed:
        parser.error("--allowed cannot exceed --installed")
    with tempfile.TemporaryDirectory(prefix="bmc-hub-bench-") as tmp:
        run(args, Path(tmp))


def run(args: argparse.Namespace, folder: Path) -> None:
    names = [f"mod{index:03d}" for index in range(args.installed)]
    (folder / "empty").mkdir()
    write_trivial(folder / "site", names)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    with (
        database(folder, args.database_url, "none") as none_url,
        database(folder, args.database_url, "modules") as modules_url,
    ):
        envs = {
            "none": clean_env(
                PYTHONPATH=str(folder / "empty"),
                BMC_HUB_DATABASE_URL=none_url,
                BMC_HUB_MODULES="",
            ),
            "modules": clean_env(
                PYTHONPATH=str(folder / "site"),
                BMC_HUB_DATABASE_URL=modules_url,
                BMC_HUB_MODULES=",".join(names[: args.allowed]),
            ),
        }
        for env in envs.values():
            timed_process([BMC_HUB, "db", "upgrade"], env, folder)
        check: dict[str, list[float]] = {label: [] for label in envs}
        serve: dict[str, list[tuple[float, float, float]]] = {label: [] for label in envs}
        labels = list(envs)
        for index in range(args.runs):
            for label in labels if index % 2 == 0 else reversed(labels):
                command = [BMC_HUB, "modules", "check"]
                check[label].append(timed_process(command, envs[label], folder))
                serve[label].append(serve_once(envs[label], folder))
    print(
        f"start-up: {args.installed} installed / {args.allowed} allowed trivial modules vs "
        f"none, {backend}; {machine()}"
    )
    print(f"seconds, median of {args.runs} alternating runs")
    print(f"{'':34}{'none':>8}{'modules':>9}{'extra':>8}{'ratio':>7}")
    rows = [
        ("bmc-hub modules check", [median(check[label]) for label in labels], True),
        ("serve: first answer", [median([s[0] for s in serve[label]]) for label in labels], True),
        (
            "first /api/openapi.json",
            [median([s[1] for s in serve[label]]) for label in labels],
            False,
        ),
        (
            "second /api/openapi.json",
            [median([s[2] for s in serve[label]]) for label in labels],
            False,
        ),
    ]
    for title, (none, modules), targeted in rows:
        extra = modules - none
        verdict = ""
        if targeted:
            verdict = "  ok" if extra <= TARGET_EXTRA_SECONDS else "  over target"
        print(f"{title:34}{none:>8.3f}{modules:>9.3f}{extra:>+8.3f}{modules / none:>7.2f}{verdict}")


if __name__ == "__main__":
    main()
