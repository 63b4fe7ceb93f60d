#!/usr/bin/env python3
"""Mixed load on a two-worker hub while one module is toggled every second.

``bmc-hub serve --workers 2`` on PostgreSQL (a database of the run's own, dropped
afterwards) serves three modules written on the fly from the same source, each with a
table of its own (``NAME_items``), a DB read, a write through ``module.transaction()``
and an async ``ping``:

- ``kept``: READ_ONLY and DRY_RUN off, so its writes are kept;
- ``dry``:  READ_ONLY off, DRY_RUN on (the default), so its writes answer 201 and keep
  nothing;
- ``flip``: disabled and enabled again through the admin API every second, alternately
  on either worker's connection.

An async httpx client keeps ``--concurrency`` requests in flight for ``--seconds``: reads
and writes on ``kept`` and ``dry``, reads and pings on ``flip``, and the public health
endpoint, with every request's send time, answer time and status recorded. Afterwards the
tables are counted. Printed: count, p50 and p99 per route, then the invariants, each
with what was measured:

- no server error (5xx) and no failed connection, on any route;
- no request to ``flip`` sent after its disable was enforced (the admin API's answer plus
  the propagation bound, ``--grace``, 0.2 s: the PostgreSQL target of
  ``toggle_propagation.py``) and answered before the next toggle was sent is answered by
  the module, and no such request after its enable is refused; requests in flight while
  a toggle was on its way are counted and shown too;
- ``dry`` keeps no row; ``kept`` keeps exactly one row per 201 it answered.

The script exits 1 when an invariant does not hold.

    python benchmarks/load_mixed.py [--seconds 60] [--concurrency 16] [--grace 0.2]
                                    [--database-url postgresql+psycopg2://...] [--quick]

``--quick`` (8 s) is the short version CI runs (``tests/test_load.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    BMC_HUB,
    clean_env,
    database,
    free_port,
    machine,
    postgres_server_option,
    running,
    start,
    write_module,
)

API_TOKEN = "load-api-token-0123456789abcdef"
ADMIN_TOKEN = "load-admin-token-0123456789abcdef"
MODULES = ("kept", "dry", "flip")

#: The three modules' source (``{name}`` is the module's name).
MODULE = '''
"""Module {name} of the mixed-load benchmark: a read, a write and an async ping."""
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from bmc_hub_core import ModuleContext, hookimpl

hub_api = ">=1,<2"
ITEMS = sa.table("{name}_items", sa.column("id"), sa.column("name"))


class Item(BaseModel):
    id: int
    name: str


class NewItem(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=80)]


@hookimpl
def register_routes(module: ModuleContext) -> APIRouter:
    router = APIRouter()

    @router.get("/items/{{item_id}}", response_model=Item)
    def read_item(item_id: int) -> Item:
        with module.session() as session:
            row = session.execute(
                sa.select(ITEMS.c.id, ITEMS.c.name).where(ITEMS.c.id == item_id)
            ).one_or_none()
        if row is None:
            raise HTTPException(404, f"no item {{item_id}}")
        return Item(id=row.id, name=row.name)

    @router.post("/items", response_model=Item, status_code=201)
    def add_item(new: NewItem) -> Item:
        with module.transaction() as session:
            new_id = session.execute(
                sa.insert(ITEMS).values(name=new.name).returning(ITEMS.c.id)
            ).scalar_one()
        return Item(id=new_id, name=new.name)

    @router.get("/ping")
    async def ping() -> dict[str, str]:
        return {{"module": module.name}}

    return router
'''

#: Route label → (method, path, weight in the mix).
ROUTES: dict[str, tuple[str, str, int]] = {
    "kept read": ("GET", "/api/v1/kept/items/1", 20),
    "kept write": ("POST", "/api/v1/kept/items", 15),
    "dry read": ("GET", "/api/v1/dry/items/1", 10),
    "dry write": ("POST", "/api/v1/dry/items", 15),
    "flip ping": ("GET", "/api/v1/flip/ping", 20),
    "flip read": ("GET", "/api/v1/flip/items/1", 10),
    "health": ("GET", "/api/v1/health", 10),
}


@dataclass(frozen=True)
class Sent:
    route: str
    sent: float
    answered: float
    status: int  # 0: the connection failed


@dataclass(frozen=True)
class Toggle:
    enabled: bool
    sent: float
    acknowledged: float
    status: int


def seed(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for name in MODULES:
            table = sa.Table(
                f"{name}_items",
                sa.MetaData(),
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("name", sa.String(80), nullable=False),
            )
            table.create(conn)
            conn.execute(sa.insert(table).values(name="seeded"))
    engine.dispose()


def rows(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = {
            name: int(conn.execute(sa.text(f"SELECT count(*) FROM {name}_items")).scalar_one())
            for name in MODULES
        }
    engine.dispose()
    return counts


async def client(
    http: httpx.AsyncClient, until: float, chooser: random.Random, log: list[Sent]
) -> None:
    labels = list(ROUTES)
    weights = [ROUTES[label][2] for label in labels]
    while time.monotonic() < until:
        label = chooser.choices(labels, weights)[0]
        method, path, _ = ROUTES[label]
        body = {"json": {"name": "load"}} if method == "POST" else {}
        sent = time.monotonic()
        try:
            answer = await http.request(method, path, **body)
            status = answer.status_code
        except httpx.TransportError:
            status = 0
        log.append(Sent(label, sent, time.monotonic(), status))


async def toggler(admin: httpx.AsyncClient, until: float, log: list[Toggle]) -> None:
    enabled = True
    while time.monotonic() < until - 1.0:
        await asyncio.sleep(1.0)
        enabled = not enabled
        action = "enable" if enabled else "disable"
        sent = time.monotonic()
        answer = await admin.post(f"/api/v1/modules/flip/{action}")
        log.append(Toggle(enabled, sent, time.monotonic(), answer.status_code))
    if not enabled:  # leave it as found
        sent = time.monotonic()
        answer = await admin.post("/api/v1/modules/flip/enable")
        log.append(Toggle(True, sent, time.monotonic(), answer.status_code))


async def drive(base: str, seconds: float, concurrency: int) -> tuple[list[Sent], list[Toggle]]:
    sent: list[Sent] = []
    toggles: list[Toggle] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    api = {"Authorization": f"Bearer {API_TOKEN}"}
    admin_headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with (
        httpx.AsyncClient(base_url=base, headers=api, limits=limits, timeout=30) as http,
        # Its own connections: a toggle never waits for a free slot behind the load.
        httpx.AsyncClient(base_url=base, headers=admin_headers, timeout=30) as admin,
    ):
        until = time.monotonic() + seconds
        await asyncio.gather(
            toggler(admin, until, toggles),
            *(client(http, until, random.Random(index), sent) for index in range(concurrency)),
        )
    return sent, toggles


def state_at(toggles: list[Toggle], request: Sent, grace: float) -> str:
    """What ``flip`` must answer ``request``: "on", "off", or "changing" when a toggle
    was on its way (sent, not yet enforced on every worker) at any time between the
    request's send and its answer."""
    state = "on"
    for toggle in toggles:
        if toggle.sent > request.answered:
            break
        if request.sent < toggle.acknowledged + grace:
            return "changing"
        state = "on" if toggle.enabled else "off"
    return state


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def report(
    sent: list[Sent], toggles: list[Toggle], counts: dict[str, int], grace: float
) -> list[str]:
    """Print the per-route table and the invariants; return the ones that failed."""
    print(f"{'route':<12}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}  statuses")
    for label in ROUTES:
        mine = [s for s in sent if s.route == label]
        if not mine:
            continue
        waits = [(s.answered - s.sent) * 1000 for s in mine]
        statuses = ", ".join(
            f"{k}: {v}" for k, v in sorted(Counter(s.status for s in mine).items())
        )
        print(
            f"{label:<12}{len(mine):>9}{statistics.median(waits):>9.1f}"
            f"{percentile(waits, 0.99):>9.1f}  {statuses}"
        )
    failed: list[str] = []

    def check(name: str, value: int, detail: str = "", want: int = 0) -> None:
        verdict = "ok" if value == want else "FAILED"
        if value != want:
            failed.append(name)
        print(f"  {name:<44}{value:>7}  {verdict}{'  (' + detail + ')' if detail else ''}")

    flips = [s for s in sent if s.route.startswith("flip")]
    served_off = [s for s in flips if s.status == 200 and state_at(toggles, s, grace) == "off"]
    refused_on = [s for s in flips if s.status == 404 and state_at(toggles, s, grace) == "on"]
    window = [s for s in flips if state_at(toggles, s, grace) == "changing"]
    window_served = sum(1 for s in window if s.status == 200)
    bad_toggles = [t for t in toggles if t.status != 200]
    kept_writes = sum(1 for s in sent if s.route == "kept write" and s.status == 201)
    dry_writes = sum(1 for s in sent if s.route == "dry write" and s.status == 201)
    delays = [(t.acknowledged - t.sent) * 1000 for t in toggles] or [0.0]
    print()
    print(
        f"invariants ({len(toggles)} toggles of flip, admin API answered in median "
        f"{statistics.median(delays):.1f} ms, worst {max(delays):.1f} ms; "
        f"enforced = answered + {grace * 1000:.0f} ms):"
    )
    check("server errors (5xx), every route", sum(1 for s in sent if s.status >= 500))
    check("failed connections", sum(1 for s in sent if s.status == 0))
    check("toggles the admin API refused", len(bad_toggles))
    check(
        "flip served after its disable was enforced",
        len(served_off),
        f"{len(window)} requests sent while a toggle was being enforced, {window_served} served",
    )
    check("flip refused after its enable was enforced", len(refused_on))
    check("dry-run rows kept by dry", counts["dry"] - 1, f"{dry_writes} writes answered 201")
    check(
        "kept rows minus writes kept answered 201",
        counts["kept"] - 1 - kept_writes,
        f"{kept_writes} writes answered 201, {counts['kept'] - 1} rows",
    )
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--grace", type=float, default=0.2, help="propagation bound, s")
    postgres_server_option(parser)
    parser.add_argument("--quick", action="store_true", help="8 s: the version CI runs")
    args = parser.parse_args()
    if args.quick:
        args.seconds = 8.0
    with tempfile.TemporaryDirectory(prefix="bmc-hub-load-") as tmp:
        folder = Path(tmp)
        site = folder / "site"
        for name in MODULES:
            write_module(site, name, MODULE.format(name=name))
        with database(folder, args.database_url, "load") as url:
            seed(url)
            env = clean_env(
                PYTHONPATH=str(site),
                BMC_HUB_DATABASE_URL=url,
                BMC_HUB_MODULES=",".join(MODULES),
                BMC_HUB_API_TOKENS=API_TOKEN,
                BMC_HUB_ADMIN_TOKEN=ADMIN_TOKEN,
                MODULES__KEPT__READ_ONLY="false",
                MODULES__KEPT__DRY_RUN="false",
                MODULES__DRY__READ_ONLY="false",
            )
            port = free_port()
            command = [BMC_HUB, "serve", "--port", str(port), "--workers", str(args.workers)]
            print(
                f"mixed load: {args.workers} workers, PostgreSQL, {args.concurrency} requests "
                f"in flight for {args.seconds:g} s, flip toggled every second; {machine()}"
            )
            with running(start(command, env, folder, "load", port), "/api/v1/health"):
                sent, toggles = asyncio.run(
                    drive(f"http://127.0.0.1:{port}", args.seconds, args.concurrency)
                )
            counts = rows(url)
    rate = len(sent) / args.seconds
    print(f"{len(sent)} requests, {rate:,.0f}/s (one Python client on the workers' machine)")
    failed = report(sent, toggles, counts, args.grace)
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
