#!/usr/bin/env python3
"""Resident memory of one hub worker with 0, 10 and 50 enabled trivial modules.

Each configuration is a real ``bmc-hub serve`` (one worker, so the server process is the
worker) on a database of its own. RSS (``VmRSS`` from /proc, Linux only) is read twice:

- served: after start and one request to every module's route;
- with OpenAPI: after the first ``/api/openapi.json`` too (the hub keeps the document).

The modules' own imports are measured apart, in a plain Python process that has imported
the hub: RSS before and after importing the 50 modules' packages. What each module costs
the hub is the growth per module minus that.

    python benchmarks/memory.py [--runs 3] [--counts 0,10,50] [--quick]

Target: at most 1 MB per module beyond the module's own imports (the ratio is the
larger of the two per-module figures over 1 MiB).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import clean_env, database, get, machine, median, running, start_hub, write_trivial

TARGET_MIB = 1.0

OWN_IMPORTS = """
import importlib, sys
from pathlib import Path

def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

import bmc_hub_core.app, bmc_hub_core.cli.main  # what a worker has imported anyway
before = rss()
for name in sys.argv[1:]:
    importlib.import_module(f"bmc_hub_{name}")
print(rss() - before)
"""


def measure(count: int, names: list[str], folder: Path, label: str) -> tuple[int, int]:
    """(RSS KiB once served, RSS KiB after the OpenAPI document) for ``count`` modules."""
    with database(folder, None, label) as url:
        env = clean_env(
            PYTHONPATH=str(folder / "site"),
            BMC_HUB_DATABASE_URL=url,
            BMC_HUB_MODULES=",".join(names[:count]),
        )
        with running(start_hub(env, folder, label), "/api/v1/health") as hub:
            for name in names[:count]:
                if get(hub.port, f"/api/v1/{name}/").status != 200:
                    raise SystemExit(f"module {name} did not answer:\n{hub.output()}")
            served = hub.rss_kib()
            if get(hub.port, "/api/openapi.json", timeout=60).status != 200:
                raise SystemExit(f"/api/openapi.json failed:\n{hub.output()}")
            return served, hub.rss_kib()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--counts", default="0,10,50", help="enabled modules per configuration")
    parser.add_argument("--quick", action="store_true", help="1 run of 0 and 10 modules")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.counts = 1, "0,10"
    counts = sorted({int(c) for c in args.counts.split(",")})
    if counts[0] != 0 or len(counts) < 2:
        parser.error("--counts needs 0 and at least one more count")
    with tempfile.TemporaryDirectory(prefix="bmc-hub-bench-") as tmp:
        run(args, counts, Path(tmp))


def run(args: argparse.Namespace, counts: list[int], folder: Path) -> None:
    names = [f"mod{index:03d}" for index in range(counts[-1])]
    write_trivial(folder / "site", names)
    served: dict[int, list[int]] = {count: [] for count in counts}
    documented: dict[int, list[int]] = {count: [] for count in counts}
    for index in range(args.runs):
        for count in counts if index % 2 == 0 else reversed(counts):
            first, second = measure(count, names, folder, f"m{count}-{index}")
            served[count].append(first)
            documented[count].append(second)
    own = int(
        subprocess.run(
            [sys.executable, "-c", OWN_IMPORTS, *names],
            env=clean_env(PYTHONPATH=str(folder / "site")),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    own_per_module = own / len(names) / 1024
    print(f"memory: one worker's RSS with trivial modules enabled; {machine()}")
    print(
        f"MiB, median of {args.runs}; the modules' own imports: {own_per_module:.3f} MiB "
        "per module (subtracted below)"
    )
    print(f"{'':8}{'RSS':>21}{'per module, own imports out':>30}")
    print(
        f"{'modules':>8}{'served':>9}{'w/ OpenAPI':>12}{'served':>10}{'w/ OpenAPI':>12}{'ratio':>8}"
    )
    base, base_doc = median(served[0]), median(documented[0])
    for count in counts:
        rss, with_doc = median(served[count]), median(documented[count])
        line = f"{count:>8}{rss / 1024:>9.1f}{with_doc / 1024:>12.1f}"
        if count:
            per_module = (rss - base) / count / 1024 - own_per_module
            per_module_doc = (with_doc - base_doc) / count / 1024 - own_per_module
            worst = max(per_module, per_module_doc)
            verdict = "ok" if worst <= TARGET_MIB else "over target"
            line += (
                f"{per_module:>10.3f}{per_module_doc:>12.3f}{worst / TARGET_MIB:>8.2f}  {verdict}"
            )
        print(line)


if __name__ == "__main__":
    main()
