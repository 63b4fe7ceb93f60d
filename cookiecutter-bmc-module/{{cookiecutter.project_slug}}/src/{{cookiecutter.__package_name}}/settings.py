"""The module's settings, from ``{{ cookiecutter.__env_prefix }}KEY`` variables."""

from __future__ import annotations

from typing import Annotated

from bmc_hub_core import ModuleSettings
from pydantic import Field


class {{ cookiecutter.__class_prefix }}Settings(ModuleSettings):
    """Settings of ``{{ cookiecutter.module_name }}``, validated by the hub at startup.

    Inherited from the core: ``read_only`` (default true: the hub answers writes with
    403) and ``dry_run`` (default true: nothing this module writes is committed).
    """

    #: How many items ``GET /items`` returns when the client gives no ``limit``
    #: (``{{ cookiecutter.__env_prefix }}PAGE_SIZE``).
    page_size: Annotated[int, Field(ge=1, le=500)] = 50
