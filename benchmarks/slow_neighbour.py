#!/usr/bin/env python3
"""What a slow module costs another module's requests on the same worker.

``bmc-hub serve`` (one worker, its request log as shipped) serves two modules written on
the fly: ``slow``, whose sync route sleeps ``--sleep`` seconds (1 s) in FastAPI's
threadpool, and ``fast``, with an async route and a sync route answering at once. wrk (1
thread, ``--connections``) drives one of ``fast``'s routes, alternately quiet and while
``--slow-clients`` threads of this script keep that many requests to ``slow`` in flight
(each asks again as soon as it is answered; they start spread over one sleep, as
independent clients would). Then the same against a bare FastAPI app with the same four
routes under the same uvicorn: what FastAPI itself does with such a neighbour.

Printed per route: p50, p99 and requests/s, quiet and with the slow neighbour, the p99
ratio, and the slow module's answers a second meanwhile (about ``--slow-clients`` /
``--sleep`` when it kept them all in flight). Target: <= 1.10 for the hub's async
route. ``--control`` makes the slow route ``async def`` awaiting ``asyncio.sleep``: as
slow, but holding no thread.

Sync routes share one threadpool (anyio's; ``BMC_HUB_THREADPOOL_SIZE`` threads, 40 by
default): ``fast``'s sync route keeps its latency while ``slow`` holds fewer threads than
that, and queues behind it once ``slow`` holds them all (``--slow-clients 48``);
``--threadpool`` sets the hub's pool (the bare app keeps 40).

    python benchmarks/slow_neighbour.py [--seconds 5] [--rounds 5] [--slow-clients 16]
                                        [--connections 16] [--threadpool N] [--control]
                                        [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    WrkResult,
    clean_env,
    database,
    ensure_wrk,
    free_port,
    get,
    machine,
    median,
    running,
    start,
    start_hub,
    write_module,
    wrk,
)

TARGET = 1.10

SLOW = '''
"""Route ``wait`` blocks a threadpool thread; ``await`` (the control) waits without one."""
import asyncio
import time

from fastapi import APIRouter

from bmc_hub_core import hookimpl

hub_api = ">=1,<2"


@hookimpl
def register_routes() -> APIRouter:
    router = APIRouter()

    @router.get("/wait")
    def wait() -> dict[str, float]:
        time.sleep({sleep})
        return {{"slept": {sleep}}}

    @router.get("/await")
    async def wait_async() -> dict[str, float]:
        await asyncio.sleep({sleep})
        return {{"slept": {sleep}}}

    return router
'''

FAST = '''
"""A module answering at once, from the event loop and from the threadpool."""
from fastapi import APIRouter

from bmc_hub_core import hookimpl

hub_api = ">=1,<2"


@hookimpl
def register_routes() -> APIRouter:
    router = APIRouter()

    @router.get("/async")
    async def answer_async() -> dict[str, str]:
        return {"answer": "async"}

    @router.get("/sync")
    def answer_sync() -> dict[str, str]:
        return {"answer": "sync"}

    return router
'''


#: The same four routes in a bare FastAPI app under the same uvicorn: the baseline.
BARE = """
import asyncio
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/api/v1/slow/wait")
def wait() -> dict[str, float]:
    time.sleep({sleep})
    return {{"slept": {sleep}}}


@app.get("/api/v1/slow/await")
async def wait_async() -> dict[str, float]:
    await asyncio.sleep({sleep})
    return {{"slept": {sleep}}}


@app.get("/api/v1/fast/async")
async def answer_async() -> dict[str, str]:
    return {{"answer": "async"}}


@app.get("/api/v1/fast/sync")
def answer_sync() -> dict[str, str]:
    return {{"answer": "sync"}}
"""


class SlowLoad:
    """``clients`` threads, each asking ``slow`` again as soon as it is answered."""

    def __init__(self, port: int, clients: int, sleep: float, path: str) -> None:
        self.port, self.clients, self.sleep, self.path = port, clients, sleep, path
        self.stopping = threading.Event()
        #: Answers while ``counting`` (during a wrk run), and failures at any time.
        self.counting = False
        self.answered = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                ok = get(self.port, self.path, timeout=60).status == 200
            except OSError:
                ok = False
            with self._lock:
                self.answered += ok and self.counting
                self.failed += not ok

    def __enter__(self) -> SlowLoad:
        self._threads = [threading.Thread(target=self._loop) for _ in range(self.clients)]
        # Started evenly over one sleep, so the slow answers arrive spread out as they
        # would from independent clients, not as one burst a second.
        for thread in self._threads:
            thread.start()
            time.sleep(self.sleep / self.clients)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join()


def measure(
    port: int, route: str, args: argparse.Namespace
) -> tuple[list[WrkResult], list[WrkResult], float]:
    """Alternating quiet and neighbour runs of wrk on ``fast``'s ``route``, and the slow
    module's answers a second during the neighbour runs."""
    quiet: list[WrkResult] = []
    loaded: list[WrkResult] = []
    slow_answered, measured = 0, 0.0
    url = f"http://127.0.0.1:{port}/api/v1/fast/{route}"
    for index in range(args.rounds):
        for neighbour in (False, True) if index % 2 == 0 else (True, False):
            if not neighbour:
                quiet.append(wrk(url, args.seconds, connections=args.connections))
                continue
            with SlowLoad(port, args.slow_clients, args.sleep, args.slow_path) as load:
                load.counting = True
                started = time.monotonic()
                loaded.append(wrk(url, args.seconds, connections=args.connections))
                load.counting = False
                measured += time.monotonic() - started
            if load.failed:
                raise SystemExit(f"{load.failed} requests to the slow module failed")
            slow_answered += load.answered
    return quiet, loaded, slow_answered / measured


def print_row(
    label: str, quiet: list[WrkResult], loaded: list[WrkResult], slow_per_second: float
) -> float:
    """One table row; returns the p99 ratio (with the neighbour / quiet)."""
    p99 = median([r.p99_ms for r in loaded]) / median([r.p99_ms for r in quiet])
    print(
        f"{label:<12}"
        f"{median([r.p50_ms for r in quiet]):>8.2f}"
        f"{median([r.p50_ms for r in loaded]):>8.2f}"
        f"{median([r.p99_ms for r in quiet]):>8.2f}"
        f"{median([r.p99_ms for r in loaded]):>8.2f}"
        f"{median([r.requests_per_second for r in quiet]):>9,.0f}"
        f"{median([r.requests_per_second for r in loaded]):>9,.0f}"
        f"{p99:>7.2f}{slow_per_second:>9.1f}",
        flush=True,
    )
    return p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--slow-clients", type=int, default=16, help="slow requests in flight")
    parser.add_argument("--sleep", type=float, default=1.0, help="the slow route's sleep, s")
    parser.add_argument(
        "--control",
        action="store_true",
        help="the slow route waits with asyncio.sleep, holding no thread",
    )
    parser.add_argument("--threadpool", type=int, help="BMC_HUB_THREADPOOL_SIZE for the hub")
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = 2.0, 1
    args.slow_path = "/api/v1/slow/await" if args.control else "/api/v1/slow/wait"
    ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="bmc-hub-bench-") as tmp:
        folder = Path(tmp)
        site = folder / "site"
        write_module(site, "slow", SLOW.format(sleep=args.sleep))
        write_module(site, "fast", FAST)
        (folder / "bare.py").write_text(BARE.format(sleep=args.sleep))
        with database(folder, None, "slow_neighbour") as url:
            values = {
                "PYTHONPATH": str(site),
                "BMC_HUB_DATABASE_URL": url,
                "BMC_HUB_MODULES": "slow,fast",
            }
            if args.threadpool:
                values["BMC_HUB_THREADPOOL_SIZE"] = str(args.threadpool)
            pool = args.threadpool or 40
            what = "awaits" if args.control else f"holds a threadpool thread (of {pool})"
            print(f"slow neighbour: one uvicorn worker, SQLite; {machine()}")
            print(
                f"{args.slow_clients} requests to 'slow' in flight, each {what} for "
                f"{args.sleep:g} s; wrk -t1 -c{args.connections} -d{args.seconds:g}s on "
                f"'fast', median of {args.rounds} alternating quiet/slow runs"
            )
            print(
                f"{'route':<12}{'p50 ms':>16}{'p99 ms':>16}{'req/s':>18}{'p99':>7}"
                f"{'slow':>9}\n"
                f"{'':<12}{'quiet':>8}{'slow':>8}{'quiet':>8}{'slow':>8}{'quiet':>9}{'slow':>9}"
                f"{'ratio':>7}{'answ./s':>9}"
            )
            ratios: dict[str, float] = {}
            bare_port = free_port()
            bare = [sys.executable, "-m", "uvicorn", "bare:app", "--port", str(bare_port)]
            servers = (
                ("", lambda: start_hub(clean_env(**values), folder)),
                (", bare", lambda: start(bare, clean_env(), folder, "bare", bare_port)),
            )
            for suffix, launch in servers:
                with running(launch(), "/api/v1/fast/sync") as server:
                    for route in ("async", "sync"):
                        wrk(f"http://127.0.0.1:{server.port}/api/v1/fast/{route}", 1)  # warm
                        quiet, loaded, per_second = measure(server.port, route, args)
                        # What the neighbour was doing meanwhile: its answers a second
                        # (about slow-clients / sleep when it kept them all in flight).
                        if not per_second:
                            raise SystemExit("the slow module answered nothing during the runs")
                        ratios[route + suffix] = print_row(
                            route + suffix, quiet, loaded, per_second
                        )
    hub = ratios["async"]
    met = "met" if hub <= TARGET else "not met"
    print(
        f"target: the async route's p99 ratio <= {TARGET:.2f}: {hub:.2f}, {met} "
        f"(bare FastAPI under the same neighbour: {ratios['async, bare']:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
