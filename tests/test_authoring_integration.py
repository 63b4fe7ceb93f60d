"""The module author's path end to end, as a user runs it.

``bmc-hub modules new`` → ``pip install -e`` (into a scratch venv) → the generated
project's own tests on SQLite and PostgreSQL → ``bmc-hub serve`` with the module, its
routes and its page called over HTTP. Runs in CI (marked ``slow``, never skipped there).
"""

from __future__ import annotations

import importlib.util
import subprocess
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import require_postgres
from tests.scratch_env import ScratchEnv, free_port, stop, wait_for

pytestmark = pytest.mark.slow

NAME = "invoice_ocr"
PACKAGE = f"bmc_hub_{NAME}"


@pytest.fixture(scope="module")
def authored(tmp_path_factory: pytest.TempPathFactory) -> tuple[ScratchEnv, Path]:
    """A generated, editable-installed module project in a scratch venv."""
    work = tmp_path_factory.mktemp("authoring")
    env = ScratchEnv(work / "venv")
    new = env.run(
        ["bmc-hub", "modules", "new", NAME, "--description", "OCR of invoices", "--no-input"],
        cwd=work,
    )
    assert new.returncode == 0, new.stderr
    project = work / "bmc-hub-invoice-ocr"
    installed = env.run(["pip", "install", "-e", "./bmc-hub-invoice-ocr"], cwd=work)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return env, project


def _generated_tests(env: ScratchEnv, project: Path, **extra: str) -> str:
    result = env.run(["pytest", "-q"], cwd=project, **extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_generated_tests_pass_on_sqlite(authored: tuple[ScratchEnv, Path]) -> None:
    env, project = authored
    summary = _generated_tests(env, project).strip().splitlines()[-1]
    assert " passed" in summary
    assert "skipped" not in summary and "failed" not in summary


@pytest.mark.postgres
def test_generated_tests_pass_on_postgresql(authored: tuple[ScratchEnv, Path]) -> None:
    env, project = authored
    server = require_postgres()
    summary = _generated_tests(env, project, BMC_HUB_TEST_DATABASE_URL=server)
    assert " passed" in summary.strip().splitlines()[-1]


def test_served_module_answers_its_routes_and_page(
    authored: tuple[ScratchEnv, Path], tmp_path: Path
) -> None:
    env, _project = authored
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        ["bmc-hub", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env.env(
            BMC_HUB_MODULES=NAME,
            BMC_HUB_DATABASE_URL=f"sqlite:///{tmp_path / 'hub.db'}",
            MODULES__INVOICE_OCR__READ_ONLY="false",
            MODULES__INVOICE_OCR__DRY_RUN="false",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(f"{base}/api/v1/health", server)
        with httpx.Client(base_url=base, timeout=10) as client:
            assert client.get("/api/v1/health").json()["modules"][NAME] == "ok"
            created = client.post(f"/api/v1/{NAME}/items", json={"title": "Invoice 1"})
            assert created.status_code == 201, created.text
            item = created.json()
            assert client.get(f"/api/v1/{NAME}/items/{item['id']}").json() == item
            assert client.post(f"/api/v1/{NAME}/items", json={}).status_code == 422
            assert client.get(f"/api/v1/{NAME}/items/9999").status_code == 404
            page = client.get(f"/{NAME}/")
            assert page.status_code == 200
            assert "Invoice 1" in page.text
            assert f"/api/v1/{NAME}/items" in client.get("/api/openapi.json").text
    finally:
        output = stop(server)
    assert "Traceback" not in output


def test_module_wheel_ships_migrations_and_templates(authored: tuple[ScratchEnv, Path]) -> None:
    env, project = authored
    dist = project / "dist"
    built = env.run(["pip", "wheel", "--no-deps", "-w", str(dist), str(project)], cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("bmc_hub_invoice_ocr-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert f"{PACKAGE}/migrations/versions/0001_create_items.py" in names
    assert f"{PACKAGE}/templates/index.html" in names
    entry_points = zipfile.ZipFile(wheel).read(
        "bmc_hub_invoice_ocr-0.1.0.dist-info/entry_points.txt"
    )
    assert f"{NAME} = {PACKAGE}.module" in entry_points.decode()
    # The project's own `nox -s build` check agrees.
    spec = importlib.util.spec_from_file_location("generated_noxfile", project / "noxfile.py")
    assert spec is not None and spec.loader is not None
    noxfile = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(noxfile)
    check = env.run(["python", "-c", noxfile.CHECK_WHEEL], cwd=project)
    assert check.returncode == 0, check.stdout + check.stderr


def test_installed_core_wheel_carries_the_template(tmp_path: Path) -> None:
    """`bmc-hub modules new` works from a plain install of the core wheel, not only here."""
    root = Path(__file__).resolve().parents[1]
    env = ScratchEnv(tmp_path / "venv")
    built = env.run(["pip", "wheel", "--no-deps", "-w", str(tmp_path), str(root)], cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = tmp_path.glob("bmc_hub_core-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bmc_hub_core/cookiecutter-bmc-module/cookiecutter.json" in names
    site = tmp_path / "site"
    installed = env.run(
        ["pip", "install", "--no-deps", "--target", str(site), str(wheel)], cwd=tmp_path
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    out = tmp_path / "out"
    # PYTHONPATH puts the wheel's copy of the core ahead of the source checkout.
    new = env.run(
        ["bmc-hub", "modules", "new", "wheel_check", "--no-input", "--output-dir", str(out)],
        cwd=tmp_path,
        PYTHONPATH=str(site),
    )
    assert new.returncode == 0, new.stderr
    where = env.run(
        ["python", "-c", "from bmc_hub_core.scaffold import template_dir; print(template_dir())"],
        cwd=tmp_path,
        PYTHONPATH=str(site),
    )
    assert where.stdout.strip() == str(site / "bmc_hub_core" / "cookiecutter-bmc-module")
    assert (out / "bmc-hub-wheel-check" / "src" / "bmc_hub_wheel_check" / "module.py").is_file()


def test_other_options_give_a_project_that_passes_its_own_tests(tmp_path: Path) -> None:
    """Answered interactively: Proprietary licence, no page, no example job."""
    env = ScratchEnv(tmp_path / "venv")
    typed = "Private ledger\nAda\nada@example.com\nProprietary\nn\nn\n"
    new = subprocess.run(
        ["bmc-hub", "modules", "new", "ledger_sync"],
        cwd=tmp_path,
        env=env.env(),
        input=typed,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert new.returncode == 0, new.stderr
    project = tmp_path / "bmc-hub-ledger-sync"
    assert not (project / "src/bmc_hub_ledger_sync/views.py").exists()
    assert not (project / "src/bmc_hub_ledger_sync/jobs.py").exists()
    installed = env.run(["pip", "install", "-e", str(project)], cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    summary = _generated_tests(env, project).strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary
    built = env.run(["pip", "wheel", "--no-deps", "-w", str(tmp_path), str(project)], cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = tmp_path.glob("bmc_hub_ledger_sync-*.whl")
    archive = zipfile.ZipFile(wheel)
    assert "bmc_hub_ledger_sync/migrations/versions/0001_create_items.py" in archive.namelist()
    metadata = archive.read("bmc_hub_ledger_sync-0.1.0.dist-info/METADATA").decode()
    assert "Classifier: Private :: Do Not Upload" in metadata
    assert "License-Expression: LicenseRef-Proprietary" in metadata
