#!/usr/bin/env python3
"""Where a module request's extra time goes: the hub vs the bare app, in one process.

``request_path.py`` measures the ratio over real sockets; this script explains it. Both
apps of ``request_path.py`` (module ``bench`` in the hub, API tokens set, the request
sending a bearer token; the same handlers in a bare FastAPI app) are built in this
process and called through their ASGI interface, no server and no sockets, so what is
left is exactly what the apps do differently:

1. CPU time per request (``time.process_time``, so other load on the machine counts
   little), batches of the two apps interleaved, median of ``--rounds``;
2. a cProfile of each app over the same requests: the functions whose inclusive time per
   request differs most between the hub and the bare app (cProfile inflates small calls,
   so read the column for proportions; the first figure is the real one).

    python benchmarks/request_profile.py [--route async] [--requests 8000] [--quick]

For the sync route the handler runs in a worker thread; the profile follows the event
loop's thread only, which is where the two apps differ.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import importlib
import os
import pstats
import sys
import tempfile
import textwrap
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import machine, median, write_module
from request_path import BARE_APP, HUB_MODULE, PREFIX, ROUTES, TOKEN, seed

App = Any


def scope_for(route: str) -> dict[str, Any]:
    method = "POST" if route == "write" else "GET"
    headers = [(b"host", b"127.0.0.1:8000"), (b"authorization", f"Bearer {TOKEN}".encode())]
    if route == "write":
        headers += [(b"content-type", b"application/json"), (b"content-length", b"17")]
    path = f"{PREFIX}/{route}"
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def drive(app: App, route: str, count: int) -> float:
    """CPU seconds per request over ``count`` requests."""
    body = b'{"name": "bench"}' if route == "write" else b""
    statuses: set[int] = set()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    started = time.process_time()
    for _ in range(count):
        await app(scope_for(route), receive, send)
    elapsed = time.process_time() - started
    if not statuses <= {200, 201}:
        raise SystemExit(f"{route} answered {sorted(statuses)}")
    return elapsed / count


def build(folder: Path) -> dict[str, App]:
    site = folder / "site"
    write_module(site, "bench", HUB_MODULE)
    (folder / "bare.py").write_text(textwrap.dedent(BARE_APP))
    url = f"sqlite:///{folder / 'profile.db'}"
    seed(url)
    for key in [k for k in os.environ if k.startswith(("BMC_HUB_", "MODULES__"))]:
        del os.environ[key]
    os.environ.update(
        BMC_HUB_DATABASE_URL=url,
        BMC_HUB_MODULES="bench",
        BMC_HUB_API_TOKENS=TOKEN,
        BMC_HUB_LOG_LEVEL="WARNING",
        MODULES__BENCH__READ_ONLY="false",
        BENCH_DATABASE_URL=url,
    )
    sys.path[:0] = [str(site), str(folder)]
    from bmc_hub_core.app import create_app
    from bmc_hub_core.settings import load_settings

    return {"hub": create_app(load_settings()), "bare": importlib.import_module("bare").app}


def inclusive(profile: cProfile.Profile, count: int) -> dict[str, tuple[float, float]]:
    """function → (inclusive µs, self µs) per request."""
    stats = pstats.Stats(profile)
    table: dict[str, tuple[float, float]] = {}
    for (filename, line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        _calls, _primitive, own, cumulative, _callers = row
        if filename == __file__:
            continue  # the driver itself
        where = filename.split("site-packages/")[-1].split("src/")[-1]
        key = f"{function} ({where}:{line})" if line else f"{function} (built-in)"
        before = table.get(key, (0.0, 0.0))
        table[key] = (
            max(before[0], cumulative / count * 1e6),
            before[1] + own / count * 1e6,
        )
    return table


async def measure(args: argparse.Namespace, apps: dict[str, App]) -> None:
    async with AsyncExitStack() as stack:
        for app in apps.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        gc.collect()
        gc.freeze()  # both apps' start-up objects: no collection walks them while timing
        for app in apps.values():
            await drive(app, args.route, 200)
        samples: dict[str, list[float]] = {label: [] for label in apps}
        batch = max(1, args.requests // args.rounds)
        for index in range(args.rounds):
            for label in apps if index % 2 == 0 else reversed(list(apps)):
                samples[label].append(await drive(apps[label], args.route, batch))
        profiles = {}
        for label, app in apps.items():
            profile = cProfile.Profile()
            profile.enable()
            await drive(app, args.route, args.profiled)
            profile.disable()
            profiles[label] = inclusive(profile, args.profiled)
    hub, bare = median(samples["hub"]) * 1e6, median(samples["bare"]) * 1e6
    print(f"request profile: {args.route} route, hub vs bare app, in-process ASGI; {machine()}")
    print(f"CPU µs per request, median of {args.rounds} interleaved batches of {batch}:")
    print(f"  hub {hub:.1f}   bare {bare:.1f}   extra {hub - bare:+.1f}   ratio {bare / hub:.2f}")
    print()
    print(
        f"functions whose inclusive time differs most (cProfile, {args.profiled} requests "
        "each; µs per request, profiled)"
    )
    print(f"{'hub':>8}{'bare':>8}{'extra':>8}{'hub self':>10}  function")
    rows = []
    for key in profiles["hub"].keys() | profiles["bare"].keys():
        hub_incl, hub_self = profiles["hub"].get(key, (0.0, 0.0))
        bare_incl, _ = profiles["bare"].get(key, (0.0, 0.0))
        rows.append((hub_incl - bare_incl, hub_incl, bare_incl, hub_self, key))
    for extra, hub_incl, bare_incl, hub_self, key in sorted(rows, reverse=True)[: args.top]:
        print(f"{hub_incl:>8.1f}{bare_incl:>8.1f}{extra:>+8.1f}{hub_self:>10.1f}  {key}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--route", choices=ROUTES, default="async")
    parser.add_argument("--requests", type=int, default=8000, help="timed, per app")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--profiled", type=int, default=3000, help="profiled, per app")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="400 timed, 300 profiled")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds, args.profiled, args.top = 400, 4, 300, 15
    with tempfile.TemporaryDirectory(prefix="bmc-hub-bench-") as tmp:
        apps = build(Path(tmp))
        asyncio.run(measure(args, apps))


if __name__ == "__main__":
    main()
