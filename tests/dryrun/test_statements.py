"""Transaction control in raw SQL is found at the start of each statement only."""

from __future__ import annotations

import pytest

from bmc_hub_core.dryrun.statements import reads_only, statements_words, transaction_control


@pytest.mark.parametrize(
    ("sql", "found"),
    [
        ("COMMIT", "COMMIT"),
        ("  commit;", "COMMIT"),
        ("END", "END"),
        ("ROLLBACK", "ROLLBACK"),
        ("ROLLBACK WORK", "ROLLBACK"),
        ("BEGIN", "BEGIN"),
        ("BEGIN IMMEDIATE", "BEGIN"),
        ("START TRANSACTION", "START TRANSACTION"),
        ("ABORT", "ABORT"),
        ("PREPARE TRANSACTION 'x'", "PREPARE TRANSACTION"),
        ("COMMIT PREPARED 'x'", "COMMIT"),
        ("INSERT INTO t VALUES (1); COMMIT", "COMMIT"),
        ("/* a comment */ COMMIT", "COMMIT"),
        ("-- why\nCOMMIT", "COMMIT"),
        ("SELECT 1;\n  end transaction", "END"),
    ],
)
def test_transaction_control_is_found(sql: str, found: str) -> None:
    assert transaction_control(sql) == found


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT CASE WHEN x THEN 1 ELSE 2 END FROM t",
        "INSERT INTO t (note) VALUES ('COMMIT; END')",
        "INSERT INTO t (note) VALUES ('it''s; COMMIT')",
        "INSERT INTO t (note) VALUES (E'a\\'; COMMIT')",
        'SELECT "commit" FROM "end"',
        "SELECT $$; COMMIT$$",
        "SELECT $body$ ; ROLLBACK $body$",
        "ROLLBACK TO SAVEPOINT sp1",
        "ROLLBACK TRANSACTION TO sp1",
        "SAVEPOINT sp1",
        "RELEASE SAVEPOINT sp1",
        "PREPARE plan AS SELECT 1",
        "START something_else",
        "/* COMMIT */ SELECT 1 -- COMMIT",
        "SELECT 1 /* nested /* COMMIT */ still a comment; COMMIT */",
        "CREATE TRIGGER trg AFTER INSERT ON t BEGIN UPDATE t SET x = 1; END",
        "DO $$BEGIN PERFORM 1; END$$",
        "UPDATE t SET ended = 1",
        "",
    ],
)
def test_literals_comments_and_savepoints_are_not_transaction_control(sql: str) -> None:
    assert transaction_control(sql) is None


def test_first_words_of_each_statement() -> None:
    assert statements_words("select a from b; insert into c values (1);") == [
        ["SELECT", "A", "FROM", "B"],
        ["INSERT", "INTO", "C", "VALUES"],
    ]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT id FROM t WHERE id = ?", True),
        ("  select 1;", True),
        ("/* note */ SELECT 1", True),
        ("WITH v AS (SELECT 1) INSERT INTO t SELECT * FROM v", False),
        ("WITH v AS (SELECT 1) SELECT * FROM v", False),  # WITH may front a write: not read
        ("PRAGMA user_version = 3", False),
        ("INSERT INTO t SELECT 1", False),
        ("SELECT 1; DELETE FROM t", False),
        ("", False),
    ],
)
def test_only_one_plain_select_counts_as_read_only(sql: str, expected: bool) -> None:
    assert reads_only(sql) is expected
