"""The module-authoring docs cannot go stale: their marked commands and examples run.

``docs/writing-modules.md``: its marked commands are run as written.

A ```` ```bash ```` block preceded by ``<!-- tutorial: run -->`` runs in one shell
session, in order, in a fresh folder and a scratch venv (so ``pip``, ``pytest`` and
``bmc-hub`` are the ones a reader would have). A block marked ``<!-- tutorial: serve -->``
is started in the background; the blocks after it run once the server answers. Only the
port is changed, so parallel runs do not collide.

``docs/testing-modules.md``: a ```` ```python ```` block marked
``<!-- example: PATH -->`` must appear verbatim in PATH of the project the template
generates for ``invoice_ocr``; one marked ``<!-- example: run -->`` is run as a test file.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from bmc_hub_core.scaffold import Answers, render
from tests.scratch_env import ScratchEnv, free_port

pytest_plugins = ("pytester",)

DOCS = Path(__file__).resolve().parents[1] / "docs"
TUTORIAL = DOCS / "writing-modules.md"
TESTING = DOCS / "testing-modules.md"
BLOCK = re.compile(r"<!-- tutorial: (run|serve) -->\n```bash\n(.*?)```", re.DOTALL)
EXAMPLE = re.compile(r"<!-- example: (\S+) -->\n```python\n(.*?)```", re.DOTALL)
DOC_PORT = "8000"


def marked_blocks(text: str) -> list[tuple[str, str]]:
    return [(kind, body) for kind, body in BLOCK.findall(text)]


def script(blocks: list[tuple[str, str]], port: int) -> str:
    lines = ["set -euo pipefail"]
    for kind, body in blocks:
        body = body.replace(f"--port {DOC_PORT}", f"--port {port}")
        body = body.replace(f"127.0.0.1:{DOC_PORT}", f"127.0.0.1:{port}")
        if kind == "serve":
            lines += [
                f'( {body.strip()} ) > "$TUTORIAL_LOG" 2>&1 &',
                "trap 'kill $! 2>/dev/null || true' EXIT",
                "curl -sf --retry 120 --retry-delay 1 --retry-all-errors "
                f"-o /dev/null http://127.0.0.1:{port}/api/v1/health",
            ]
        else:
            lines.append(body)
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_tutorial_marks_the_whole_authoring_path() -> None:
    text = TUTORIAL.read_text()
    blocks = marked_blocks(text)
    assert [kind for kind, _ in blocks].count("serve") == 1
    commands = "\n".join(body for _, body in blocks)
    for step in (
        'bmc-hub modules new invoice_ocr --description "OCR extraction from invoices"',
        "pip install -e ./bmc-hub-invoice-ocr",
        "pytest",
        "BMC_HUB_MODULES=invoice_ocr",
        "bmc-hub serve",
        "curl -sf",
    ):
        assert step in commands
    # Every bash block meant to run is marked; the unmarked ones are examples on purpose.
    assert text.count("<!-- tutorial:") == len(blocks)


@pytest.mark.slow
def test_tutorial_commands_run_as_written(tmp_path: Path) -> None:
    env = ScratchEnv(tmp_path / "venv")
    work = tmp_path / "work"
    work.mkdir()
    log = tmp_path / "serve.log"
    result = subprocess.run(
        ["bash", "-c", script(marked_blocks(TUTORIAL.read_text()), free_port())],
        cwd=work,
        env=env.env(TUTORIAL_LOG=str(log)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    server_log = log.read_text() if log.exists() else ""
    assert result.returncode == 0, result.stdout + result.stderr + server_log
    assert '"title":"Invoice 2026-001"' in result.stdout
    assert '"status":"ok"' in result.stdout
    assert "all allowed modules are healthy" in result.stdout
    assert "bmc-hub-invoice-ocr==0.1.0" in result.stdout
    assert "Traceback" not in server_log


def test_testing_docs_excerpts_match_the_generated_project(tmp_path: Path) -> None:
    project = render(Answers(name="invoice_ocr"), tmp_path)
    excerpts = [
        (where, body) for where, body in EXAMPLE.findall(TESTING.read_text()) if where != "run"
    ]
    assert len(excerpts) >= 3
    for where, body in excerpts:
        assert body in (project / where).read_text(), f"stale excerpt of {where}:\n{body}"


def test_testing_docs_runnable_example_passes(pytester: pytest.Pytester) -> None:
    (example,) = [body for where, body in EXAMPLE.findall(TESTING.read_text()) if where == "run"]
    pytester.makeini("[pytest]\nfilterwarnings =\n    error\n    ignore:.*httpx2.*\n")
    pytester.makepyfile(test_example=example)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=example.count("\ndef test_"))
