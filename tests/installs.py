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
