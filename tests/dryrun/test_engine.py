"""DRY_RUN on every handle: whatever a module writes through its engine is not kept.

Each write path runs twice: through the module's DRY_RUN engine (nothing kept) and
through the hub's own engine (kept), so the check itself can fail.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bmc_hub_core.db import is_sqlite, make_engine
from bmc_hub_core.dryrun.engine import close_request_scope, dry_run_engine, open_request_scope
from bmc_hub_core.errors import DryRunViolation
from bmc_hub_core.testing.databases import temporary_postgres_database

from ..conftest import require_postgres

ITEMS = sa.table("drytest_items", sa.column("text", sa.String))
INSERT = "INSERT INTO drytest_items (text) VALUES ('x')"


@pytest.fixture
def hub_engine(hub_database_url: str) -> Iterator[Engine]:
    engine = make_engine(hub_database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE drytest_items (text VARCHAR(20))")
    yield engine
    engine.dispose()


def kept(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(ITEMS)).scalar_one())


def _cursor_write(dbapi: Any) -> None:
    cursor = dbapi.cursor()
    cursor.execute(INSERT)
    cursor.close()


def via_begin(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(ITEMS).values(text="x"))


def via_connect_commit(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(sa.insert(ITEMS).values(text="x"))
        conn.commit()


def via_session(engine: Engine) -> None:
    with Session(engine) as session:
        session.execute(sa.insert(ITEMS).values(text="x"))
        session.commit()


def via_sessionmaker(engine: Engine) -> None:
    factory = sessionmaker(bind=engine)
    with factory.begin() as session:
        session.execute(sa.insert(ITEMS).values(text="x"))


def via_savepoint(engine: Engine) -> None:
    with engine.begin() as conn, conn.begin_nested():
        conn.execute(sa.insert(ITEMS).values(text="x"))


def via_dbapi_commit(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        _cursor_write(raw.driver_connection)
        raw.driver_connection.commit()
    finally:
        raw.close()


def via_dbapi_context_manager(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        with raw.driver_connection as dbapi:
            _cursor_write(dbapi)
    finally:
        raw.close()


def via_connection_fairy_commit(engine: Engine) -> None:
    with engine.connect() as conn:
        _cursor_write(conn.connection)
        conn.connection.commit()


WRITES: list[Callable[[Engine], None]] = [
    via_begin,
    via_connect_commit,
    via_session,
    via_sessionmaker,
    via_savepoint,
    via_dbapi_commit,
    via_dbapi_context_manager,
    via_connection_fairy_commit,
]


@pytest.mark.parametrize("write", WRITES, ids=lambda f: f.__name__)
def test_no_write_path_is_kept_in_dry_run(hub_engine: Engine, write: Callable[..., None]) -> None:
    write(dry_run_engine(hub_engine, "drytest"))
    assert kept(hub_engine) == 0
    write(hub_engine)  # the same write through the hub's own engine is kept
    assert kept(hub_engine) == 1


def test_a_dry_connection_reads_its_own_writes_after_commit(hub_engine: Engine) -> None:
    with dry_run_engine(hub_engine, "drytest").connect() as conn:
        conn.execute(sa.insert(ITEMS).values(text="x"))
        conn.commit()
        conn.execute(sa.insert(ITEMS).values(text="y"))
        conn.commit()
        assert conn.execute(sa.select(sa.func.count()).select_from(ITEMS)).scalar_one() == 2
    assert kept(hub_engine) == 0


def test_writes_after_a_rollback_are_not_kept_either(hub_engine: Engine) -> None:
    dry = dry_run_engine(hub_engine, "drytest")
    raw = dry.raw_connection()
    try:
        _cursor_write(raw.driver_connection)
        raw.driver_connection.rollback()
        _cursor_write(raw.driver_connection)  # on SQLite this would autocommit without care
        raw.driver_connection.commit()
    finally:
        raw.close()
    assert kept(hub_engine) == 0


def test_a_connection_back_from_dry_run_commits_for_real(hub_engine: Engine) -> None:
    via_begin(dry_run_engine(hub_engine, "drytest"))
    via_begin(hub_engine)  # the pool hands the same connection out again
    assert kept(hub_engine) == 1


@pytest.mark.parametrize(
    "statement",
    ["COMMIT", "END", "ROLLBACK", "BEGIN", f"{INSERT}; COMMIT", "PREPARE TRANSACTION 'x'"],
)
def test_transaction_control_sql_is_refused(hub_engine: Engine, statement: str) -> None:
    with dry_run_engine(hub_engine, "drytest").connect() as conn:
        conn.execute(sa.insert(ITEMS).values(text="x"))
        with pytest.raises(DryRunViolation) as info:
            conn.exec_driver_sql(statement)
    assert "module 'drytest' is in DRY_RUN" in str(info.value)
    assert "MODULES__DRYTEST__DRY_RUN=false" in str(info.value)
    assert kept(hub_engine) == 0


def test_literals_that_look_like_commit_are_fine(hub_engine: Engine) -> None:
    with dry_run_engine(hub_engine, "drytest").connect() as conn:
        conn.exec_driver_sql("INSERT INTO drytest_items (text) VALUES ('COMMIT; END')")
        conn.commit()
    assert kept(hub_engine) == 0


def test_autocommit_is_refused(hub_engine: Engine) -> None:
    dry = dry_run_engine(hub_engine, "drytest")
    with pytest.raises(DryRunViolation), dry.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            sa.insert(ITEMS).values(text="x")
        )
    raw = dry.raw_connection()
    try:
        attribute, value = (
            ("isolation_level", None) if is_sqlite(hub_engine.url) else ("autocommit", True)
        )
        with pytest.raises(DryRunViolation):
            setattr(raw.driver_connection, attribute, value)
    finally:
        raw.close()
    assert kept(hub_engine) == 0


def test_sqlite_executescript_is_refused(sqlite_only_url: str) -> None:
    engine = make_engine(sqlite_only_url)
    raw = dry_run_engine(engine, "drytest").raw_connection()
    try:
        with pytest.raises(DryRunViolation, match="executescript"):
            raw.driver_connection.executescript("CREATE TABLE drytest_x (a INT);")
        with pytest.raises(DryRunViolation, match="executescript"):
            raw.driver_connection.cursor().executescript("CREATE TABLE drytest_x (a INT);")
    finally:
        raw.close()
        engine.dispose()


def test_sqlite_blob_writes_are_not_kept(sqlite_only_url: str) -> None:
    engine = make_engine(sqlite_only_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE drytest_blobs (data BLOB)")
        conn.exec_driver_sql("INSERT INTO drytest_blobs (data) VALUES (zeroblob(4))")
    raw = dry_run_engine(engine, "drytest").raw_connection()
    try:
        # Before any statement and again after a rollback: no transaction is open yet.
        for _ in range(2):
            with raw.driver_connection.blobopen("drytest_blobs", "data", 1) as blob:
                blob.write(b"kept")
            raw.driver_connection.rollback()
    finally:
        raw.close()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT data FROM drytest_blobs").scalar_one() == bytes(4)
    engine.dispose()


def _traced(engine: Engine, work: Callable[[Session], object]) -> list[str]:
    """The first word of every statement SQLite ran for ``work`` in a dry-run session."""
    statements: list[str] = []
    with Session(dry_run_engine(engine, "drytest")) as session:
        session.connection().connection.driver_connection.set_trace_callback(statements.append)
        work(session)
    return [s.split()[0].upper() for s in statements]


def test_a_dry_run_read_sends_only_its_select(sqlite_only_url: str) -> None:
    engine = make_engine(sqlite_only_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE drytest_items (text VARCHAR(20))")
    assert _traced(engine, lambda s: s.execute(sa.select(ITEMS.c.text)).all()) == ["SELECT"]
    engine.dispose()


@pytest.mark.parametrize(
    "first",
    [
        "INSERT INTO drytest_items (text) VALUES ('x')",
        # SQLite lets a CTE front a write, and a PRAGMA can set a value: both start it.
        "WITH v(t) AS (SELECT 'x') INSERT INTO drytest_items (text) SELECT t FROM v",
        "PRAGMA user_version = 7",
    ],
)
def test_a_dry_run_write_opens_the_transaction_first_and_keeps_nothing(
    sqlite_only_url: str, first: str
) -> None:
    engine = make_engine(sqlite_only_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE drytest_items (text VARCHAR(20))")

    def work(session: Session) -> None:
        session.execute(sa.select(ITEMS.c.text)).all()  # a read first: no BEGIN yet
        session.execute(sa.text(first))
        session.commit()  # keeps nothing: the pool rolls the connection back
        assert session.execute(sa.text("SELECT count(*) FROM drytest_items")).scalar() == 0

    words = _traced(engine, work)
    assert words == ["SELECT", "BEGIN", first.split()[0], "ROLLBACK", "SELECT"]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM drytest_items").scalar() == 0
        assert conn.exec_driver_sql("PRAGMA user_version").scalar() == 0
    engine.dispose()


@pytest.mark.postgres
def test_psycopg2_cursor_factories_keep_the_checks() -> None:
    import psycopg2.extras

    with temporary_postgres_database(require_postgres()) as url:
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE drytest_items (text VARCHAR(20))")
            _check_cursor_factory(engine, psycopg2.extras.RealDictCursor)
        finally:
            engine.dispose()


def _check_cursor_factory(hub_engine: Engine, factory: type) -> None:
    raw = dry_run_engine(hub_engine, "drytest").raw_connection()
    try:
        cursor = raw.driver_connection.cursor(cursor_factory=factory)
        with pytest.raises(DryRunViolation):
            cursor.execute(f"{INSERT}; COMMIT")
        cursor.execute("SELECT 1 AS one")
        assert cursor.fetchone() == {"one": 1}
    finally:
        raw.close()
    assert kept(hub_engine) == 0


def test_a_connection_left_open_is_ended_with_the_request(hub_engine: Engine) -> None:
    token = open_request_scope()
    leaked = dry_run_engine(hub_engine, "drytest").connect()
    leaked.execute(sa.insert(ITEMS).values(text="x"))  # holds SQLite's write lock
    with dry_run_engine(hub_engine, "drytest").connect() as closed:
        closed.execute(sa.select(1))
    assert close_request_scope(token, "drytest") == 1  # only the one left open
    started = time.monotonic()
    via_begin(hub_engine)  # would wait for the lock (30 s) if it were still held
    assert time.monotonic() - started < 5
    assert kept(hub_engine) == 1
    with pytest.raises(sa.exc.SQLAlchemyError):
        leaked.execute(sa.select(1))  # the module's forgotten handle no longer works
