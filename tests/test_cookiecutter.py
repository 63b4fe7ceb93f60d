"""The ``cookiecutter-bmc-module`` template: every option combination renders the exact
tree, lint-clean and typed; names are refused before anything is written."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.generate import generate_context, generate_files
from cookiecutter.prompt import prompt_for_config

from bmc_hub_core.discovery import core_version
from bmc_hub_core.errors import ModuleNameError, ScaffoldError
from bmc_hub_core.scaffold import LICENSES, Answers, core_requirement, render, template_dir

BIN = Path(sys.executable).parent
#: (license, include_views); include_job is on exactly when include_views is, so both
#: settings of each option are rendered and checked without doubling the combinations.
COMBINATIONS = list(itertools.product(LICENSES, [True, False]))
LONGEST_NAME = "a" * 31 + "z"


def expected_tree(package: str, include_views: bool) -> set[str]:
    tree = {
        ".cookiecutter.json",
        ".gitignore",
        "README.md",
        "noxfile.py",
        "pyproject.toml",
        "tests/test_module.py",
        f"src/{package}/__init__.py",
        f"src/{package}/api.py",
        f"src/{package}/migrations/versions/0001_create_items.py",
        f"src/{package}/module.py",
        f"src/{package}/py.typed",
        f"src/{package}/settings.py",
        f"src/{package}/tables.py",
    }
    if include_views:
        tree |= {f"src/{package}/views.py", f"src/{package}/templates/index.html"}
        tree |= {f"src/{package}/jobs.py", "tests/test_jobs.py"}  # include_job follows it
    return tree


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool], Path]:
    """Every combination, rendered once: (license, include_views) → project folder."""
    out = tmp_path_factory.mktemp("rendered")
    projects = {}
    for number, (license_, views) in enumerate(COMBINATIONS):
        answers = Answers(
            name="invoice_ocr",
            license=license_,  # type: ignore[arg-type]
            include_views=views,
            include_job=views,
        )
        projects[license_, views] = render(answers, out / str(number))
    return projects


@pytest.mark.parametrize(("license_", "views"), COMBINATIONS)
def test_every_combination_renders_the_exact_tree(
    rendered: dict[tuple[str, bool], Path], license_: str, views: bool
) -> None:
    project = rendered[license_, views]
    assert project.name == "bmc-hub-invoice-ocr"
    assert files(project) == expected_tree("bmc_hub_invoice_ocr", views)


@pytest.mark.parametrize(("license_", "views"), COMBINATIONS)
def test_pyproject_declares_entry_point_core_range_and_license(
    rendered: dict[tuple[str, bool], Path], license_: str, views: bool
) -> None:
    data = tomllib.loads((rendered[license_, views] / "pyproject.toml").read_text())
    project = data["project"]
    assert project["name"] == "bmc-hub-invoice-ocr"
    assert project["entry-points"]["bmc_hub.modules"] == {
        "invoice_ocr": "bmc_hub_invoice_ocr.module"
    }
    assert project["dependencies"] == [core_requirement(core_version())]
    assert data["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == [
        "src/bmc_hub_invoice_ocr"
    ]
    if license_ == "Proprietary":
        assert project["license"] == "LicenseRef-Proprietary"
        assert "Private :: Do Not Upload" in project["classifiers"]
    else:
        assert project["license"] == license_
        assert "Private :: Do Not Upload" not in project["classifiers"]


@pytest.mark.parametrize("views", [True, False])
def test_views_hook_exists_only_with_the_page(
    rendered: dict[tuple[str, bool], Path], views: bool
) -> None:
    project = rendered["MIT", views]
    module = (project / "src/bmc_hub_invoice_ocr/module.py").read_text()
    tests = (project / "tests/test_module.py").read_text()
    assert ("def register_views" in module) is views
    assert (", views" in module.split("from . import", 1)[1].split("\n", 1)[0]) is views
    assert ("def register_jobs" in module) is views  # include_job follows include_views here
    assert ("def test_page_lists_items_in_the_core_layout" in tests) is views
    for hook in ("register_settings", "register_migrations", "register_routes", "health"):
        assert f"def {hook}(" in module


def test_replay_file_holds_the_answers_and_no_machine_paths(
    rendered: dict[tuple[str, bool], Path],
) -> None:
    project = rendered["Apache-2.0", False]
    answers = json.loads((project / ".cookiecutter.json").read_text())
    assert answers == {
        "module_name": "invoice_ocr",
        "description": "A BMC Hub module.",
        "author_name": "BMC Hub developer",
        "author_email": "developer@example.com",
        "license": "Apache-2.0",
        "include_views": False,
        "include_job": False,
        "project_slug": "bmc-hub-invoice-ocr",
        "core_requirement": core_requirement(core_version()),
    }


def test_replaying_the_answers_reproduces_the_project(
    rendered: dict[tuple[str, bool], Path], tmp_path: Path
) -> None:
    original = rendered["Proprietary", True]
    answers = json.loads((original / ".cookiecutter.json").read_text())
    template = template_dir()
    context = generate_context(str(template / "cookiecutter.json"), extra_context=answers)
    context["cookiecutter"] = prompt_for_config(context, no_input=True)
    replayed = Path(generate_files(str(template), context, output_dir=str(tmp_path)))
    assert files(replayed) == files(original)
    for name in files(original):
        assert (replayed / name).read_bytes() == (original / name).read_bytes(), name


def test_generated_projects_are_ruff_clean(
    rendered: dict[tuple[str, bool], Path], tmp_path: Path
) -> None:
    """Every combination, the longest legal name (line lengths) and the template's hooks."""
    longest = render(Answers(name=LONGEST_NAME, description="x " * 80), tmp_path)
    hooks = template_dir() / "hooks"
    folders = [str(p) for p in [*rendered.values(), longest, hooks]]
    check = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", *folders], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout
    fmt = subprocess.run(
        [str(BIN / "ruff"), "format", "--check", "--no-cache", *folders],
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout


@pytest.mark.parametrize("views", [True, False])
def test_generated_package_passes_strict_mypy(
    rendered: dict[tuple[str, bool], Path], views: bool, tmp_path: Path
) -> None:
    project = rendered["MIT", views]
    result = subprocess.run(
        [str(BIN / "mypy"), "--cache-dir", str(tmp_path / "mypy")],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_description_and_author_with_quotes_stay_valid_toml(tmp_path: Path) -> None:
    answers = Answers(name="quoted", description='Say "hi" \\ bye', author_name='Ann "A" Lee')
    project = render(answers, tmp_path)
    data = tomllib.loads((project / "pyproject.toml").read_text())
    assert data["project"]["description"] == 'Say "hi" \\ bye'
    assert data["project"]["authors"][0]["name"] == 'Ann "A" Lee'


@pytest.mark.parametrize(
    "name",
    [
        "Bad-Name",
        "ab",
        "a" * 33,
        "1abc",
        "abc_",
        "a__b",
        "admin",
        "api",
        "hub_extra",
        "with space",
        "../evil",
        "",
    ],
)
def test_invalid_names_are_refused_before_anything_is_written(name: str, tmp_path: Path) -> None:
    with pytest.raises(ModuleNameError, match="module name"):
        render(Answers(name=name), tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["abc", LONGEST_NAME, "invoice_ocr", "crm2"])
def test_valid_names_render(name: str, tmp_path: Path) -> None:
    project = render(Answers(name=name), tmp_path)
    assert project.name == "bmc-hub-" + name.replace("_", "-")
    assert (project / "src" / f"bmc_hub_{name}" / "module.py").is_file()


def test_existing_project_folder_is_never_overwritten(tmp_path: Path) -> None:
    existing = tmp_path / "bmc-hub-invoice-ocr"
    existing.mkdir()
    (existing / "keep.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="already exists; nothing was written"):
        render(Answers(name="invoice_ocr"), tmp_path)
    assert files(existing) == {"keep.txt"}


def test_template_hook_refuses_a_bad_name_when_used_without_the_cli(tmp_path: Path) -> None:
    """Plain cookiecutter runs the same rule through the pre-generation hook."""
    template = template_dir()
    context = generate_context(
        str(template / "cookiecutter.json"), extra_context={"module_name": "Bad_Name"}
    )
    context["cookiecutter"] = prompt_for_config(context, no_input=True)
    with pytest.raises(FailedHookException):
        generate_files(str(template), context, output_dir=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_template_default_core_range_matches_this_core() -> None:
    defaults = json.loads((template_dir() / "cookiecutter.json").read_text())
    assert defaults["core_requirement"] == core_requirement(core_version())


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.1.0", "bmc-hub-core>=0.1,<1"),
        ("0.1.7", "bmc-hub-core>=0.1,<1"),
        ("1.4.2", "bmc-hub-core>=1.4,<2"),
        ("2.0.0rc1", "bmc-hub-core>=2.0,<3"),
    ],
)
def test_core_requirement_is_a_compatible_range(version: str, expected: str) -> None:
    assert core_requirement(version) == expected


@pytest.mark.parametrize("views", [True, False])
def test_noxfile_lists_documented_sessions(
    rendered: dict[tuple[str, bool], Path], views: bool
) -> None:
    result = subprocess.run(
        [str(BIN / "nox"), "-l"], cwd=rendered["MIT", views], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    for session in ("* lint -> ", "* typecheck -> ", "* tests -> ", "- build -> "):
        assert session in result.stdout


def test_unwritable_output_dir_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ScaffoldError, match=r"cannot write .*choose a writable --output-dir"):
        render(Answers(name="invoice_ocr"), blocker / "modules")
    assert blocker.read_text() == "not a folder"
