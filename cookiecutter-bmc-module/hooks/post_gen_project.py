"""Drop the optional HTML page and example job when they were not asked for.

Optional pieces are removed here rather than with Jinja in file names, so the template
tree stays plain and every generated tree is a subset of it.
"""

import json
import shutil
import sys
from pathlib import Path

INCLUDE_VIEWS: bool = json.loads("{{ cookiecutter.include_views | tojson }}")
INCLUDE_JOB: bool = json.loads("{{ cookiecutter.include_job | tojson }}")
# The pre-generation hook has validated the name: it is a plain identifier here.
PACKAGE = Path("src") / "{{ cookiecutter.__package_name }}"


def main() -> int:
    """Remove ``views.py`` and ``templates/`` when ``include_views`` is off, and
    ``jobs.py`` with its test when ``include_job`` is off."""
    if not INCLUDE_VIEWS:
        (PACKAGE / "views.py").unlink()
        shutil.rmtree(PACKAGE / "templates")
    if not INCLUDE_JOB:
        (PACKAGE / "jobs.py").unlink()
        (Path("tests") / "test_jobs.py").unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
