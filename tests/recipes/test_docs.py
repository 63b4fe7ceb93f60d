"""docs/recipes.md quotes the recipe files: each marked block appears in its file verbatim.

A ```` ```python ```` block preceded by ``<!-- recipe: tests/recipes/FILE.py -->`` must
appear, word for word, in that file (the pattern of ``<!-- example: ... -->`` in
``tests/test_docs_tutorial.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RECIPES_DOC = ROOT / "docs" / "recipes.md"
QUOTE = re.compile(r"<!-- recipe: (\S+) -->\n```python\n(.*?)```", re.DOTALL)
QUOTES = QUOTE.findall(RECIPES_DOC.read_text())


def test_every_recipe_module_is_quoted() -> None:
    quoted = {where for where, _ in QUOTES}
    modules = {
        f"tests/recipes/{path.name}" for path in (ROOT / "tests" / "recipes").glob("*_module.py")
    }
    assert modules and modules <= quoted
    assert RECIPES_DOC.read_text().count("<!-- recipe:") == len(QUOTES)  # none malformed


@pytest.mark.parametrize(("where", "body"), QUOTES, ids=[where for where, _ in QUOTES])
def test_a_quoted_block_appears_verbatim_in_its_file(where: str, body: str) -> None:
    assert where.startswith("tests/recipes/"), where
    assert body in (ROOT / where).read_text(), f"stale quote of {where}:\n{body}"
