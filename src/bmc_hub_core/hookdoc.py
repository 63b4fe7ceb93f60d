"""Render the hook reference (``docs/hooks.md``) from the docstrings in ``hookspecs``."""

from __future__ import annotations

import inspect
import re
import textwrap

from . import hookspecs

HEADER = """\
# Hook reference

<!-- Generated from src/bmc_hub_core/hookspecs.py by `nox -s docs`
     (python -m bmc_hub_core.hookdoc > docs/hooks.md); a test fails when it is stale. -->

Hook API version: **{version}**. Import the marker with `from bmc_hub_core import hookimpl`.
Every hook receives the module's own `ModuleContext` as `module` (declare it or leave it
out); any hook may be `def` or `async def`.

{intro}
"""


_ROLE = re.compile(r":(?:class|func|data|meth):`~?(?:[\w.]+\.)?(\w+)`")


def _markdown(text: str) -> str:
    """reST roles and double backticks in docstrings → Markdown code spans."""
    return _ROLE.sub(r"`\1`", text).replace("``", "`")


def _signature(name: str) -> str:
    function = getattr(hookspecs, name)
    signature = str(inspect.signature(function, eval_str=False)).replace("'", "")
    return f"{name}{signature}"


def render() -> str:
    intro = _markdown(textwrap.dedent(hookspecs.__doc__ or "").strip())
    parts = [HEADER.format(version=hookspecs.HUB_API_VERSION, intro=intro)]
    for name in hookspecs.HOOK_NAMES:
        doc = _markdown(inspect.getdoc(getattr(hookspecs, name)) or "")
        parts.append(f"## `{name}`\n\n```python\n{_signature(name)}\n```\n\n{doc}\n")
    return "\n".join(parts)


if __name__ == "__main__":  # pragma: no cover - `python -m bmc_hub_core.hookdoc`
    print(render(), end="")  # noqa: T201 - this module's output is the document
