"""``bmc-hub modules new`` as a user runs it: a real process, prompts on stdin, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BMC_HUB = str(Path(sys.executable).with_name("bmc-hub"))


def run(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BMC_HUB_", "MODULES__"))}
    return subprocess.run(
        [BMC_HUB, "modules", "new", *args],
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "200"},
        timeout=120,
    )


def answers(project: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((project / ".cookiecutter.json").read_text())
    return data


def test_no_input_creates_the_project_with_the_description(tmp_path: Path) -> None:
    result = run(
        ["invoice_ocr", "--description", "OCR extraction from invoices", "--no-input"], tmp_path
    )
    assert result.returncode == 0, result.stderr
    project = tmp_path / "bmc-hub-invoice-ocr"
    assert answers(project)["description"] == "OCR extraction from invoices"
    assert (project / "src/bmc_hub_invoice_ocr/module.py").is_file()
    assert "pip install -e ./bmc-hub-invoice-ocr" in result.stdout
    assert "BMC_HUB_MODULES=invoice_ocr bmc-hub serve" in result.stdout


def test_output_dir_is_created_and_used(tmp_path: Path) -> None:
    out = tmp_path / "work" / "modules"
    result = run(["crm_notes", "--no-input", "--output-dir", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (out / "bmc-hub-crm-notes" / "pyproject.toml").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["work"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Bad-Name", "lower-case letters"),
        ("admin", "reserved by the core"),
        ("a__b", "'__' is the settings separator"),
    ],
)
def test_bad_name_exits_2_with_one_line_and_writes_nothing(
    tmp_path: Path, name: str, reason: str
) -> None:
    result = run([name], tmp_path, stdin="\n" * 10)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: module name")
    assert reason in lines[0]
    assert result.stdout == ""  # not even a prompt
    assert list(tmp_path.iterdir()) == []


def test_existing_folder_is_not_overwritten(tmp_path: Path) -> None:
    project = tmp_path / "bmc-hub-invoice-ocr"
    project.mkdir()
    (project / "notes.txt").write_text("keep me")
    result = run(["invoice_ocr", "--no-input"], tmp_path)
    assert result.returncode == 1
    assert "already exists; nothing was written" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert [p.name for p in project.iterdir()] == ["notes.txt"]


def test_prompts_ask_for_what_the_command_line_did_not_give(tmp_path: Path) -> None:
    typed = "\n".join(
        ["Parses invoices", "Ada Lovelace", "ada@example.com", "Apache-2.0", "n", "n"]
    )
    result = run(["invoice_ocr"], tmp_path, stdin=typed + "\n")
    assert result.returncode == 0, result.stderr
    for prompt in ("One-line description", "Author name", "Author e-mail", "License"):
        assert prompt in result.stdout
    project = tmp_path / "bmc-hub-invoice-ocr"
    expected = {
        "description": "Parses invoices",
        "author_name": "Ada Lovelace",
        "author_email": "ada@example.com",
        "license": "Apache-2.0",
        "include_views": False,
        "include_job": False,
    }
    given = answers(project)
    assert {key: given[key] for key in expected} == expected
    assert not (project / "src/bmc_hub_invoice_ocr/views.py").exists()
    assert not (project / "src/bmc_hub_invoice_ocr/jobs.py").exists()


def test_description_option_is_not_asked_again(tmp_path: Path) -> None:
    result = run(["invoice_ocr", "--description", "Given"], tmp_path, stdin="\n" * 5)
    assert result.returncode == 0, result.stderr
    assert "One-line description" not in result.stdout
    project = tmp_path / "bmc-hub-invoice-ocr"
    assert answers(project)["description"] == "Given"
    assert answers(project)["include_views"] is True  # the default answer
    assert answers(project)["include_job"] is True
    assert answers(project)["license"] == "MIT"
