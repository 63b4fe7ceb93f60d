#!/usr/bin/env python3
"""No-op ``bmc-hub db upgrade`` with 50 modules x 5 revisions vs one plain Alembic env.

Both databases are at head before timing, so this measures what every start (and every
release step) pays when there is nothing to do: the hub discovers and loads 50 modules,
loads 50 revision maps and reads 51 version tables; plain Alembic loads one map of the
same 250 revisions and reads one version table.

    python benchmarks/migrations_noop.py [--runs 7] [--modules 50] [--revisions 5]
                                         [--database-url postgresql+psycopg2://...]
                                         [--quick]

(``--quick``: 1 run, 5 modules x 2 revisions, only to show the script works.)

Four measurements, each the median of ``--runs`` (process runs alternate between the
programs, so a machine getting slower or faster during the run affects both):
- process: the whole command as ops run it (interpreter start and imports included);
- in-process: only the work after imports (``Hub.build`` + ``run_migrations`` vs
  ``alembic.command.upgrade``);
- start only: ``bmc-hub --help`` vs ``python -m alembic --help``, the fixed cost of
  starting each program, whatever the modules;
- process, GC default: the same ``db upgrade`` started without the ``bmc-hub`` entry
  point's garbage-collector handling (what that handling is worth).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import database, write_module

REVISION = """\
import sqlalchemy as sa
from alembic import op

revision = {rev!r}
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = None


def upgrade():
    op.create_table({table!r}, sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table({table!r})
"""

MODULE = """\
from pathlib import Path

from bmc_hub_core import hookimpl


@hookimpl
def register_migrations():
    return Path(__file__).parent / "versions"
"""

PLAIN_ENV = """\
from alembic import context
import sqlalchemy as sa

url = context.config.get_main_option("sqlalchemy.url")
engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
"""


def write_modules(site: Path, modules: int, revisions: int) -> list[str]:
    """Module distributions as pip leaves them (:func:`_harness.write_module`), each with
    ``revisions`` revision files."""
    names = []
    for index in range(modules):
        name = f"bench{index:02d}"
        names.append(name)
        write_module(site, name, MODULE)
        versions = site / f"bmc_hub_{name}" / "versions"
        versions.mkdir()
        for step in range(1, revisions + 1):
            (versions / f"{name}_{step:04d}.py").write_text(
                REVISION.format(
                    rev=f"{name}_{step:04d}",
                    down=f"{name}_{step - 1:04d}" if step > 1 else None,
                    labels=(name,) if step == 1 else None,
                    table=f"{name}_t{step}",
                )
            )
    return names


def write_plain(root: Path, total: int, url: str) -> Path:
    (root / "versions").mkdir(parents=True)
    (root / "env.py").write_text(PLAIN_ENV)
    (root / "script.py.mako").write_text("")
    for step in range(1, total + 1):
        (root / "versions" / f"plain_{step:04d}.py").write_text(
            REVISION.format(
                rev=f"plain_{step:04d}",
                down=f"plain_{step - 1:04d}" if step > 1 else None,
                labels=None,
                table=f"plain_t{step}",
            )
        )
    ini = root / "alembic.ini"
    ini.write_text(
        f"[alembic]\nscript_location = {root}\npath_separator = os\n"
        f"sqlalchemy.url = {url.replace('%', '%%')}\n"
    )
    return ini


def timed(commands: list[list[str]], env: dict[str, str], runs: int) -> list[float]:
    """Median wall time of each command; runs alternate so drift hits all alike."""
    samples: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, bucket in zip(commands, samples, strict=True):
            started = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            bucket.append(time.perf_counter() - started)
    return [statistics.median(bucket) for bucket in samples]


#: ``bmc-hub db upgrade`` without the entry point's GC handling (gc.disable + gc.freeze).
GC_DEFAULT = "import sys; from bmc_hub_core.cli.main import main; sys.exit(main(['db', 'upgrade']))"


IN_PROCESS_HUB = textwrap.dedent(
    """
    import statistics, sys, time
    from bmc_hub_core.hub import Hub
    from bmc_hub_core.migrations.runner import run_migrations
    from bmc_hub_core.settings import load_settings
    samples = []
    for _ in range(int(sys.argv[1])):
        started = time.perf_counter()
        hub = Hub.build(load_settings())
        run_migrations(hub)
        samples.append(time.perf_counter() - started)
        hub.engine.dispose()
    print(statistics.median(samples))
    """
)

IN_PROCESS_PLAIN = textwrap.dedent(
    """
    import statistics, sys, time
    from alembic import command
    from alembic.config import Config
    samples = []
    for _ in range(int(sys.argv[1])):
        started = time.perf_counter()
        command.upgrade(Config(sys.argv[2]), "heads")
        samples.append(time.perf_counter() - started)
    print(statistics.median(samples))
    """
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--modules", type=int, default=50)
    parser.add_argument("--revisions", type=int, default=5)
    parser.add_argument("--database-url", help="a PostgreSQL admin URL (default: SQLite files)")
    parser.add_argument("--quick", action="store_true", help="1 run, 5 modules x 2 revisions")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.modules, args.revisions = 1, 5, 2
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as databases:
        root = Path(tmp)
        names = write_modules(root / "site", args.modules, args.revisions)
        # Databases of this run's own (SQLite files, or PostgreSQL ones dropped at the end).
        hub_url = databases.enter_context(database(root, args.database_url, "hub"))
        plain_url = databases.enter_context(database(root, args.database_url, "plain"))
        ini = write_plain(root / "plain", args.modules * args.revisions, plain_url)
        env = {
            # Real deployments have .pyc files; both sides load 250 revision files.
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith("BMC_HUB_") and k != "PYTHONDONTWRITEBYTECODE"
            },
            "PYTHONPATH": str(root / "site"),
            "BMC_HUB_DATABASE_URL": hub_url,
            "BMC_HUB_MODULES": ",".join(names),
            "BMC_HUB_LOG_LEVEL": "WARNING",
        }
        hub_cmd = [str(bin_dir / "bmc-hub"), "db", "upgrade"]
        plain_cmd = [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "heads"]
        subprocess.run(hub_cmd, env=env, check=True, capture_output=True)
        subprocess.run(plain_cmd, env=env, check=True, capture_output=True)
        gc_cmd = [sys.executable, "-c", GC_DEFAULT]
        hub_process, plain_process, gc_default = timed([hub_cmd, plain_cmd, gc_cmd], env, args.runs)
        # The fixed cost of starting each program (interpreter + imports), no database.
        hub_floor, plain_floor = timed(
            [[str(bin_dir / "bmc-hub"), "--help"], [sys.executable, "-m", "alembic", "--help"]],
            env,
            args.runs,
        )
        hub_inner = float(
            subprocess.run(
                [sys.executable, "-c", IN_PROCESS_HUB, str(args.runs)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        plain_inner = float(
            subprocess.run(
                [sys.executable, "-c", IN_PROCESS_PLAIN, str(args.runs), str(ini)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
    backend = "PostgreSQL" if args.database_url else "SQLite"
    total = args.modules * args.revisions
    print(f"no-op upgrade, {args.modules} modules x {args.revisions} revisions vs one env with")
    print(f"{total} revisions, {backend}, median of {args.runs} runs")
    print(f"{'':20}{'bmc-hub':>10}{'alembic':>10}{'ratio':>8}")
    for label, hub_s, plain_s in (
        ("process", hub_process, plain_process),
        ("in-process", hub_inner, plain_inner),
        ("start only", hub_floor, plain_floor),
        ("process, GC default", gc_default, plain_process),
    ):
        print(f"{label:20}{hub_s:>9.3f}s{plain_s:>9.3f}s{hub_s / plain_s:>8.2f}")


if __name__ == "__main__":
    main()
