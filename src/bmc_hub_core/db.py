"""Engines, core tables, the shared naming convention and module-scoped metadata."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError

from .errors import ConfigError, ModuleNameError
from .redact import mask_url_passwords

#: Constraint and index names carry their table's name, so they carry the module prefix.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

core_metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

hub_module_state = sa.Table(
    "hub_module_state",
    core_metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    # NULL: no admin decision yet (the allowlist alone decides).
    sa.Column("enabled", sa.Boolean, nullable=True),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("changed_by", sa.String(200), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    # Bumped on every write of the row; workers reload when the sum over rows changes.
    sa.Column("change_seq", sa.BigInteger, nullable=False, server_default="0"),
    # Last migration outcome, written by whichever process migrated.
    sa.Column("migration_stage", sa.String(32), nullable=True),
    sa.Column("migration_error", sa.Text, nullable=True),
    sa.Column("migration_revision", sa.String(64), nullable=True),
    sa.Column("migration_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("migration_code", sa.String(128), nullable=True),
)

#: Secrets the hub makes for itself when settings give none (the sign-in signing key).
hub_secrets = sa.Table(
    "hub_secrets",
    core_metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: Browser sign-in sessions; the cookie carries only a signed id of one of these rows.
hub_sessions = sa.Table(
    "hub_sessions",
    core_metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    #: sha256 of the token signed in with: rotating the token ends its sessions.
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
)

#: Runs of module jobs: the queue (``queued``) and the history (docs/jobs.md).
hub_job_runs = sa.Table(
    "hub_job_runs",
    core_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("module", sa.String(64), nullable=False),
    sa.Column("job", sa.String(64), nullable=False),
    #: queued | running | succeeded | failed | skipped
    sa.Column("state", sa.String(16), nullable=False),
    #: schedule | manual | module | retry
    sa.Column("trigger", sa.String(16), nullable=False),
    sa.Column("kwargs", sa.Text, nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False, server_default="0"),
    sa.Column("max_attempts", sa.Integer, nullable=False, server_default="1"),
    sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
    #: The schedule tick a scheduled run is for: one run per tick, whoever claimed it.
    sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("duration_ms", sa.Integer, nullable=True),
    sa.Column("worker", sa.String(128), nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.UniqueConstraint("module", "job", "scheduled_for"),
    sa.Index("ix_hub_job_runs_state_run_after", "state", "run_after"),
)

#: When each scheduled job is next due; a worker claims a tick by moving it forward.
hub_job_schedules = sa.Table(
    "hub_job_schedules",
    core_metadata,
    sa.Column("name", sa.String(130), primary_key=True),
    sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
)

customers = sa.Table(
    "customers",
    core_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("cvr", sa.String(8), nullable=True, unique=True),
    sa.Column("email", sa.String(254), nullable=True),
    sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.current_timestamp(),
    ),
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


#: What a URL without a driver means here: the driver the hub installs.
DEFAULT_DRIVERS = {"postgresql": "postgresql+psycopg2"}


def parse_url(url: str) -> URL:
    """The URL, with ``postgresql://`` meaning psycopg2 (SQLAlchemy 2.1 would pick psycopg
    3, which the hub does not install)."""
    try:
        parsed = make_url(url)
        return parsed.set(drivername=DEFAULT_DRIVERS.get(parsed.drivername, parsed.drivername))
    # A port that is not a number is a ValueError, the rest ArgumentError.
    except (ArgumentError, ValueError) as exc:
        reason = mask_url_passwords(str(exc))
        raise ConfigError(
            f"BMC_HUB_DATABASE_URL is not a database URL ({reason}); use e.g. "
            "sqlite:///./bmc_hub.db or postgresql+psycopg2://user@host:5432/db"
        ) from None


def is_sqlite(url: str | URL) -> bool:
    return (make_url(url) if isinstance(url, str) else url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str, *, pre_ping: bool = True, **kwargs: Any) -> Engine:
    """The application engine: SQLite with FKs and a busy timeout, or PostgreSQL (with
    ``pool_pre_ping`` unless ``pre_ping`` is off: ``BMC_HUB_DATABASE_PRE_PING``).

    Its connections can be put in DRY_RUN for a module (:mod:`.dryrun`).
    """
    from .dryrun import drivers
    from .dryrun.engine import install

    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    defaults: dict[str, Any] = drivers.connect_args(backend)
    if backend == "sqlite":
        defaults.update(check_same_thread=False, timeout=30)
    kwargs["connect_args"] = {**defaults, **kwargs.get("connect_args", {})}
    if backend == "sqlite":
        engine = sa.create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        install(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", pre_ping)
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except ImportError as exc:
        raise ConfigError(
            f"BMC_HUB_DATABASE_URL names the driver '{parsed.drivername}', which is not "
            f"installed ({exc}); install it, or use postgresql+psycopg2://, which the hub "
            "installs"
        ) from None
    install(engine)
    return engine


class PrefixedMetaData(sa.MetaData):
    """MetaData that refuses a table outside its module's prefix when it is defined."""

    def __init__(self, module: str) -> None:
        super().__init__(naming_convention=NAMING_CONVENTION)
        self.module = module
        self.prefix = f"{module}_"

    def check_table_name(self, name: str) -> None:
        if not name.startswith(self.prefix):
            raise ModuleNameError(
                f"table {name!r} of module '{self.module}' must start with "
                f"{self.prefix!r}; rename it to {self.prefix + name!r} "
                f"(module.table({name!r}) builds the name)"
            )

    # ``Table(...)`` registers itself here before anything else happens, so refusing the
    # name here leaves the metadata untouched (the hook SQLAlchemy itself uses).
    def _add_table(self, name: str, schema: str | None, table: sa.Table) -> None:
        self.check_table_name(name)
        super()._add_table(name, schema, table)


def module_metadata(name: str) -> sa.MetaData:
    """A ``MetaData`` for module ``name`` with the shared naming convention.

    Defining a table whose name does not start with ``NAME_`` raises
    :class:`~bmc_hub_core.errors.ModuleNameError` at definition time.
    """
    return PrefixedMetaData(name)
