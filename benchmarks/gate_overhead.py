"""How much the module gate costs per request, measured against the same app without it.

Calls the ASGI app directly (no sockets) so the figure is the gate's own cost, not the
network's. Three variants of one app, same routes, same run:

- bare: the hub app with the gate removed (the baseline);
- gate: the hub as shipped (pure ASGI gate, module enabled and DRY_RUN on, so the
  dry-run header is added too);
- base_http: the same check written as Starlette ``BaseHTTPMiddleware`` (for comparison).

Prints requests/second and each ratio to the baseline. Run: ``python benchmarks/gate_overhead.py``
(``--quick``: 1 round of 500 requests, only to show the script works).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bmc_hub_core import create_app, hookimpl
from bmc_hub_core.gate import ModuleGate
from bmc_hub_core.settings import Settings

REQUESTS = 4000
ROUNDS = 5


class BenchModule:
    @hookimpl
    def register_routes(self) -> APIRouter:
        router = APIRouter()

        @router.get("/ping")
        async def ping() -> dict[str, str]:
            return {"answer": "pong"}

        return router


def build(tmp: Path, variant: str) -> FastAPI:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp / variant}.db")  # type: ignore[call-arg]
    app = create_app(settings, modules={"bench": BenchModule()})
    if variant != "gate":
        app.user_middleware = [m for m in app.user_middleware if m.cls is not ModuleGate]
    if variant == "base_http":
        view = app.state.lifecycle

        async def check(request: Request, call_next: Any) -> Response:
            name = request.url.path.removeprefix("/api/v1/").partition("/")[0]
            entry = view.view.get(name)
            if entry is not None and entry.status == "disabled":
                return JSONResponse({"detail": f"module '{name}' is disabled"}, 404)
            response: Response = await call_next(request)
            return response

        app.user_middleware.insert(0, Middleware(BaseHTTPMiddleware, dispatch=check))
    return app


async def drive(app: FastAPI, count: int) -> float:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/bench/ping",
        "raw_path": b"/api/v1/bench/ping",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.perf_counter()
    for _ in range(count):
        await app(scope, receive, send)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    assert set(statuses) == {200}, statuses[:3]
    return count / elapsed


async def main(requests: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        apps = {variant: build(tmp, variant) for variant in ("bare", "gate", "base_http")}
        results: dict[str, list[float]] = {v: [] for v in apps}
        for variant, app in apps.items():
            async with app.router.lifespan_context(app):
                await drive(app, 200)  # warm-up
                for _ in range(rounds):
                    results[variant].append(await drive(app, requests))
    base = statistics.median(results["bare"])
    print(f"{'variant':<10} {'req/s (median of ' + str(rounds) + ')':>24} {'ratio to bare':>14}")
    for variant, values in results.items():
        rate = statistics.median(values)
        print(f"{variant:<10} {rate:>24,.0f} {rate / base:>14.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=REQUESTS, help="per round")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--quick", action="store_true", help="1 round of 500 requests")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds = 500, 1
    asyncio.run(main(args.requests, args.rounds))
