#!/usr/bin/env python3
"""How fast a toggle made on one server is enforced on another sharing the database.

Two real ``bmc-hub serve`` processes (one worker each) serve the example module
``hello``. The benchmark disables and enables it through server A's admin API, and
measures how long until server B answers accordingly (404, then 200), asking B every
5 ms. On PostgreSQL a toggle is NOTIFYed and every worker LISTENs, so it is enforced at
once; on SQLite the poll (``BMC_HUB_STATE_POLL_SECONDS``) applies it.

    python benchmarks/toggle_propagation.py [--toggles 20] [--poll 2] [--quick]
                                            [--database-url postgresql+psycopg2://...]

Prints median, 90th percentile and worst delay for each backend, and the target:
median <= 0.2 s on PostgreSQL, every delay <= the poll interval (+ a request) on SQLite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import clean_env, database, postgres_server_option, running, start_hub

TOKEN = "benchmark-admin-token"


def measure(a: str, b: str, toggles: int) -> list[float]:
    delays = []
    admin = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(timeout=10) as http:
        for index in range(toggles):
            action, wanted = ("disable", 404) if index % 2 == 0 else ("enable", 200)
            answer = http.post(f"{a}/api/v1/modules/hello/{action}", headers=admin)
            answer.raise_for_status()
            since = time.monotonic()
            while http.get(b + "/api/v1/hello/").status_code != wanted:
                if time.monotonic() - since > 30:
                    raise SystemExit(f"server B never answered {wanted}")
                time.sleep(0.005)
            delays.append(time.monotonic() - since)
            time.sleep(0.1)
    return delays


def run(database_url: str, poll: float, toggles: int) -> list[float]:
    env = clean_env(
        BMC_HUB_DATABASE_URL=database_url,
        BMC_HUB_MODULES="hello",
        BMC_HUB_ADMIN_TOKEN=TOKEN,
        BMC_HUB_STATE_POLL_SECONDS=str(poll),
    )
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        # One after the other: A has migrated the database before B starts.
        with (
            running(start_hub(env, work, "a"), "/api/v1/health") as a,
            running(start_hub(env, work, "b"), "/api/v1/health") as b,
        ):
            return measure(f"http://127.0.0.1:{a.port}", f"http://127.0.0.1:{b.port}", toggles)


def report(label: str, delays: list[float], target: str) -> None:
    ordered = sorted(delays)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    print(
        f"{label:<12} toggles={len(delays):<3} median={statistics.median(delays) * 1000:7.1f} ms"
        f"  p90={p90 * 1000:7.1f} ms  worst={ordered[-1] * 1000:7.1f} ms   target: {target}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--toggles", type=int, default=20)
    parser.add_argument("--poll", type=float, default=2.0, help="BMC_HUB_STATE_POLL_SECONDS")
    postgres_server_option(parser)
    parser.add_argument("--quick", action="store_true", help="4 toggles per backend")
    args = parser.parse_args()
    toggles = 4 if args.quick else args.toggles
    with (
        tempfile.TemporaryDirectory() as folder,
        database(Path(folder), args.database_url, "toggles") as url,
    ):
        postgres = run(url, args.poll, toggles)
    report("postgresql", postgres, "median <= 200 ms (LISTEN/NOTIFY)")
    with tempfile.TemporaryDirectory() as folder:
        sqlite = run(f"sqlite:///{Path(folder) / 'hub.db'}", args.poll, toggles)
    report("sqlite", sqlite, f"worst <= {args.poll * 1000:.0f} ms + one request (poll)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
