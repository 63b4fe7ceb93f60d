#!/usr/bin/env python3
"""A module route served by the hub vs the same handler in a bare FastAPI app.

Both are real servers under the same uvicorn, one worker each, each with its request
log as shipped (the hub's own line per request; uvicorn's access log for the bare app;
both written to a file), measured with ``wrk`` (1 thread, 32 connections
unless told) over real sockets. The hub runs ``bmc-hub serve`` with module ``bench``
(written on the fly as an installed distribution), BMC_HUB_API_TOKENS set, and every
request sends a bearer token; the bare app is ``uvicorn bare:app`` with the same
handlers, response models and path prefix, and no auth. Routes:

- ``sync``:  ``def`` handler returning a pydantic model (FastAPI's threadpool);
- ``async``: the same as ``async def``;
- ``read``:  one row read through ``module.session()`` (bare: a plain ``sessionmaker``);
- ``write``: a JSON POST inserting one row in DRY_RUN (bare: the same insert, rolled
  back). The module runs with READ_ONLY off and DRY_RUN on (the default).

Runs alternate (hub, bare, bare, hub, ...), so a machine that gets faster or slower
during the run affects both alike. Next to requests/s, each line shows the server's CPU
time per request (from /proc, Linux only), which other load on a shared machine disturbs
far less. Then the cost of 20 other enabled modules for module ``bench``'s requests: the
hub with ``bench`` alone vs with ``bench`` and 20 trivial modules (three routes each, all
mounted before ``bench``'s, the worst case for route matching), same alternation;
``--other-middleware`` gives each of them a pass-through ASGI middleware through
``register_middleware`` (a core without that hook's call site ignores it, and says so).

    python benchmarks/request_path.py [--seconds 10] [--rounds 5]
                                      [--database-url postgresql+psycopg2://...]
                                      [--routes sync,async] [--others 20] [--quick]
                                      [--hub-setting NAME=VALUE ...]

``--database-url`` is a PostgreSQL server URL; a database of the run's own is created
there and dropped (default: a SQLite file). ``--quick`` (1 round of 2 s, 4 other modules)
only shows the script works. Target: hub/bare >= 0.95 for every route; the other
modules' cost not measurable.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    POST_JSON,
    Server,
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
    write_trivial,
    wrk,
)

TOKEN = "bench-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROUTES = ("sync", "async", "read", "write")
PREFIX = "/api/v1/bench"
TARGET = 0.95

#: The handlers both apps serve; ``{session}`` and ``{write}`` are where they differ.
HANDLERS = """
import sqlalchemy as sa
from typing import Annotated
from fastapi import APIRouter
from pydantic import BaseModel, Field

ITEMS = sa.table("bench_items", sa.column("id"), sa.column("name"))


class Item(BaseModel):
    id: int
    name: str


class NewItem(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=80)]


def build_router(session, write_session) -> APIRouter:
    router = APIRouter()

    @router.get("/sync", response_model=Item)
    def sync_item() -> Item:
        return Item(id=1, name="sync")

    @router.get("/async", response_model=Item)
    async def async_item() -> Item:
        return Item(id=1, name="async")

    @router.get("/read", response_model=Item)
    def read_item() -> Item:
        with session() as s:
            row = s.execute(sa.select(ITEMS.c.id, ITEMS.c.name).where(ITEMS.c.id == 1)).one()
        return Item(id=row.id, name=row.name)

    @router.post("/write", response_model=Item, status_code=201)
    def write_item(new: NewItem) -> Item:
        with write_session() as s:
            new_id = s.execute(
                sa.insert(ITEMS).values(name=new.name).returning(ITEMS.c.id)
            ).scalar_one()
        return Item(id=new_id, name=new.name)

    return router
"""

HUB_MODULE = (
    HANDLERS
    + """

from bmc_hub_core import ModuleContext, hookimpl

hub_api = ">=1,<2"


@hookimpl
def register_routes(module: ModuleContext) -> APIRouter:
    # transaction(): commits on success, and in DRY_RUN the commit keeps nothing.
    return build_router(module.session, module.transaction)
"""
)

BARE_APP = (
    HANDLERS
    + '''

import os
from contextlib import contextmanager

from fastapi import FastAPI
from sqlalchemy.orm import sessionmaker

URL = os.environ["BENCH_DATABASE_URL"]
# The hub's SQLite settings (threads share the pool, a 30 s busy timeout); PostgreSQL as is.
SQLITE = {"check_same_thread": False, "timeout": 30}
engine = sa.create_engine(URL, connect_args=SQLITE if URL.startswith("sqlite") else {})
Session = sessionmaker(engine, expire_on_commit=False)


@contextmanager
def rolled_back():
    """The same write as the module's, rolled back instead of kept."""
    with Session() as s:
        yield s
        s.rollback()


app = FastAPI()
app.include_router(build_router(Session, rolled_back), prefix="/api/v1/bench")
'''
)

#: Pure ASGI middleware each of the 20 other modules registers (``--other-middleware``);
#: a core without the register_middleware call site ignores it.
OTHER_MIDDLEWARE = """

def _tag(app):
    async def tagged(scope, receive, send):
        async def send_tagged(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"x-other", b"1")]}
            await send(message)

        await app(scope, receive, send_tagged)

    return tagged


@hookimpl
def register_middleware():
    return [_tag]
"""


def seed(url: str) -> None:
    engine = sa.create_engine(url)
    items = sa.Table(
        "bench_items",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(80), nullable=False),
    )
    with engine.begin() as conn:
        items.create(conn)
        conn.execute(sa.insert(items).values(name="seeded"))
    engine.dispose()


@dataclass(frozen=True)
class Run:
    """One wrk run against one server: throughput, and the server's CPU time per request."""

    wrk: WrkResult
    cpu_us: float


def alternate(
    targets: dict[str, tuple[Server, str]],
    rounds: int,
    seconds: float,
    post: Path,
    connections: int,
) -> dict[str, list[Run]]:
    """wrk each target (label → (server, route)) once per round, order reversed every
    other round."""
    results: dict[str, list[Run]] = {label: [] for label in targets}
    labels = list(targets)
    for index in range(rounds):
        for label in labels if index % 2 == 0 else reversed(labels):
            server, route = targets[label]
            cpu = server.cpu_seconds()
            result = wrk(
                f"http://127.0.0.1:{server.port}{PREFIX}/{route}",
                seconds,
                connections=connections,
                headers=AUTH,
                script=post if route == "write" else None,
            )
            used = server.cpu_seconds() - cpu
            results[label].append(Run(result, used / result.requests * 1e6))
    return results


def warm(server: Server, routes: list[str], post: Path, connections: int) -> None:
    for route in routes:
        wrk(
            f"http://127.0.0.1:{server.port}{PREFIX}/{route}",
            1,
            connections=connections,
            headers=AUTH,
            script=post if route == "write" else None,
        )


def rate(runs: list[Run]) -> float:
    return median([r.wrk.requests_per_second for r in runs])


def cpu(runs: list[Run]) -> float:
    return median([r.cpu_us for r in runs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each app per route")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--routes", default=",".join(ROUTES), help="comma-separated subset")
    parser.add_argument("--others", type=int, default=20, help="other modules (0: skip)")
    parser.add_argument(
        "--other-middleware",
        action="store_true",
        help="the other modules also register a pass-through ASGI middleware",
    )
    parser.add_argument(
        "--hub-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the hub (repeatable), e.g. "
        "MODULES__BENCH__DRY_RUN=false or BMC_HUB_DATABASE_PRE_PING=false",
    )
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s, 4 other modules")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.others = 2.0, 1, min(args.others, 4)
    if bad := [setting for setting in args.hub_setting if "=" not in setting]:
        parser.error(f"--hub-setting takes NAME=VALUE, not {bad[0]!r}")
    routes = [r for r in args.routes.split(",") if r]
    if unknown := set(routes) - set(ROUTES):
        parser.error(f"unknown routes: {', '.join(sorted(unknown))}")
    ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="bmc-hub-bench-") as tmp:
        folder = Path(tmp)
        run(args, routes, folder)


def report(title: str, results: dict[str, list[Run]], first: str, second: str) -> str:
    """One line: both rates, their ratio, both CPU costs per request and their ratio."""
    first_rate, second_rate = rate(results[first]), rate(results[second])
    first_cpu, second_cpu = cpu(results[first]), cpu(results[second])
    return (
        f"{title:<8}{first_rate:>10,.0f}{second_rate:>10,.0f}{first_rate / second_rate:>7.2f}"
        f"{first_cpu:>10.0f}{second_cpu:>10.0f}{second_cpu / first_cpu:>7.2f}"
    )


def header(first: str, second: str) -> str:
    return (
        f"{'':<8}{'req/s':>20}{'':>7}{'CPU µs/request':>20}\n"
        f"{'route':<8}{first:>10}{second:>10}{'ratio':>7}{first:>10}{second:>10}{'ratio':>7}"
    )


def run(args: argparse.Namespace, routes: list[str], folder: Path) -> None:
    site = folder / "site"
    write_module(site, "bench", HUB_MODULE)
    others = [f"aux{i:02d}" for i in range(args.others)]  # sort before "bench"
    write_trivial(site, others, OTHER_MIDDLEWARE if args.other_middleware else "")
    (folder / "bare.py").write_text(textwrap.dedent(BARE_APP))
    post = folder / "post.lua"
    post.write_text(POST_JSON.format(body='{"name": "bench"}'))
    backend = "PostgreSQL" if args.database_url else "SQLite"
    with database(folder, args.database_url, "request_path") as url:
        seed(url)
        common = {
            "PYTHONPATH": str(site),
            "BMC_HUB_DATABASE_URL": url,
            "BMC_HUB_API_TOKENS": TOKEN,
            "MODULES__BENCH__READ_ONLY": "false",
            **dict(setting.split("=", 1) for setting in args.hub_setting),
        }
        hub_env = clean_env(**common, BMC_HUB_MODULES="bench")
        bare_port = free_port()
        bare_command = [sys.executable, "-m", "uvicorn", "bare:app", "--port", str(bare_port)]
        bare_env = clean_env(BENCH_DATABASE_URL=url)
        settings = f" ({', '.join(args.hub_setting)})" if args.hub_setting else ""
        print(f"request path: hub{settings} vs bare FastAPI, {backend}; {machine()}")
        print(
            f"wrk -t1 -c{args.connections} -d{args.seconds:g}s, median of {args.rounds} "
            "alternating runs; one uvicorn worker each, access log on; ratio = hub/bare "
            "(CPU: bare/hub)"
        )
        with (
            running(start_hub(hub_env, folder), "/api/v1/health") as hub,
            running(
                start(bare_command, bare_env, folder, "bare", bare_port), f"{PREFIX}/sync"
            ) as bare,
        ):
            for server in (hub, bare):
                warm(server, routes, post, args.connections)
            print(header("hub", "bare"))
            for route in routes:
                results = alternate(
                    {"hub": (hub, route), "bare": (bare, route)},
                    args.rounds,
                    args.seconds,
                    post,
                    args.connections,
                )
                ratio = rate(results["hub"]) / rate(results["bare"])
                verdict = "ok" if ratio >= TARGET else "below target"
                print(f"{report(route, results, 'hub', 'bare')}  {verdict}", flush=True)
        if not args.others:
            return
        route = "sync" if "sync" in routes else routes[0]
        crowded_env = clean_env(**common, BMC_HUB_MODULES=",".join(["bench", *others]))
        with (
            running(start_hub(hub_env, folder, "alone"), "/api/v1/health") as alone,
            running(start_hub(crowded_env, folder, "crowded"), "/api/v1/health") as crowded,
        ):
            answer = get(crowded.port, f"/api/v1/{others[0]}/", headers=AUTH)
            layered = "x-other" in answer.headers
            for server in (alone, crowded):
                warm(server, [route], post, args.connections)
            results = alternate(
                {"crowded": (crowded, route), "alone": (alone, route)},
                args.rounds,
                args.seconds,
                post,
                args.connections,
            )
        print()
        what = f"{len(others)} other enabled modules, 3 routes each, mounted before 'bench'"
        if args.other_middleware:
            what += ", each with a middleware" + ("" if layered else " (not called by this core)")
        print(f"other modules: the {route} route of 'bench' with {what} (crowded) vs alone")
        print(header("crowded", "alone"))
        print(report(route, results, "crowded", "alone"))


if __name__ == "__main__":
    main()
