"""Find transaction-control statements in raw SQL, without being fooled by literals.

A DRY_RUN connection keeps its transaction open until the pool takes it back and rolls
it back; a ``COMMIT`` (or a ``ROLLBACK`` after which the driver would run statements in
autocommit) sent as SQL would end that transaction, so such statements are refused.
Only the first words of each top-level statement count: ``CASE ... END`` or a literal
``'COMMIT'`` are not transaction control.
"""

from __future__ import annotations

import functools
import re

#: First words that end or start a transaction.
_CONTROL = frozenset({"BEGIN", "START", "COMMIT", "END", "ABORT", "ROLLBACK", "PREPARE"})
_WORD = re.compile(r"[A-Za-z_]+")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


def _skip_quoted(sql: str, i: int, quote: str) -> int:
    """Index after the literal or quoted identifier that starts at ``i``."""
    n = len(sql)
    backslashes = quote == "'" and i > 0 and sql[i - 1] in "eE"
    i += 1
    while i < n:
        ch = sql[i]
        if backslashes and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if i + 1 < n and sql[i + 1] == quote:  # a doubled quote is an escaped quote
                i += 2
                continue
            return i + 1
        i += 1
    return n


def _skip_block_comment(sql: str, i: int) -> int:
    depth, n = 0, len(sql)
    while i < n:
        if sql.startswith("/*", i):
            depth += 1
            i += 2
        elif sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


def statements_words(sql: str, limit: int = 4) -> list[list[str]]:
    """The first ``limit`` words (upper-cased) of every top-level statement in ``sql``."""
    result: list[list[str]] = [[]]
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"`":
            i = _skip_quoted(sql, i, ch)
        elif ch == "[":
            end = sql.find("]", i)
            i = n if end < 0 else end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif sql.startswith("/*", i):
            i = _skip_block_comment(sql, i)
        elif ch == "$" and (tag := _DOLLAR_TAG.match(sql, i)):
            end = sql.find(tag.group(0), tag.end())
            i = n if end < 0 else end + len(tag.group(0))
        elif ch == ";":
            result.append([])
            i += 1
        elif word := _WORD.match(sql, i):
            if len(result[-1]) < limit and not (i > 0 and (sql[i - 1].isalnum())):
                result[-1].append(word.group(0).upper())
            i = word.end()
        else:
            i += 1
    return [words for words in result if words]


@functools.lru_cache(maxsize=2048)
def transaction_control(sql: str) -> str | None:
    """The words of the first statement in ``sql`` that starts, ends or prepares a
    transaction, or None. ``ROLLBACK TO SAVEPOINT`` and ``PREPARE name AS`` are fine.

    A trigger definition's ``BEGIN ... END`` body is not a transaction.
    """
    for words in statements_words(sql):
        first = words[0]
        if first == "CREATE" and "TRIGGER" in words:
            return None  # the rest is the trigger's body
        if first not in _CONTROL:
            continue
        if first == "ROLLBACK" and "TO" in words[1:3]:
            continue
        if first == "PREPARE" and words[1:2] != ["TRANSACTION"]:
            continue
        if first == "START" and words[1:2] != ["TRANSACTION"]:
            continue
        return " ".join(words[:2]) if first in ("PREPARE", "START") else first
    return None


@functools.lru_cache(maxsize=2048)
def reads_only(sql: str) -> bool:
    """Whether ``sql`` is one plain ``SELECT``: on SQLite such a statement writes nothing,
    so it may run outside a transaction. ``WITH`` is not (SQLite lets a CTE front an
    ``INSERT``), nor is ``PRAGMA`` (some set values) or anything else."""
    return statements_words(sql, 1) == [["SELECT"]]
