"""Install test distributions for real (pip, with .dist-info) into a folder of their own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def pip_install_target(target: Path, *sources: Path) -> Path:
    """``pip install --target`` offline and fast: no dependencies, no build isolation."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            *map(str, sources),
        ],
        check=True,
    )
    return target


def write_module_dist(site: Path, name: str, files: dict[str, str]) -> Path:
    """A module distribution as pip leaves it (package + ``.dist-info`` with the entry
    point) written straight into ``site``, for modules a test builds on the fly.

    ``files`` maps paths inside the package ``bmc_hub_NAME`` to their text.
    """
    package = site / f"bmc_hub_{name}"
    for relative, text in files.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    info = site / f"bmc_hub_{name}-1.0.dist-info"
    info.mkdir(parents=True)
    dist = "bmc-hub-" + name.replace("_", "-")
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[bmc_hub.modules]\n{name} = bmc_hub_{name}\n")
    (info / "RECORD").write_text("")
    return site
