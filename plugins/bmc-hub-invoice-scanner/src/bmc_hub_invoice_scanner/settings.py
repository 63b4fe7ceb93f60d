"""The module's settings, from ``MODULES__INVOICE_SCANNER__*`` variables."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from bmc_hub_core import ModuleContext, ModuleSettings

MIB = 1024 * 1024


class ScannerSettings(ModuleSettings):
    """Settings of ``invoice_scanner``, validated by the hub at startup.

    Inherited from the core: ``read_only`` (default true: the hub answers uploads with
    403) and ``dry_run`` (default true: scans are answered but not kept).
    """

    #: The largest file accepted, in bytes (``MODULES__INVOICE_SCANNER__MAX_UPLOAD_BYTES``);
    #: a larger upload is answered with 413 before it is read to the end.
    max_upload_bytes: Annotated[int, Field(ge=1, le=100 * MIB)] = 10 * MIB
    #: Pages of a PDF whose text is read (``MODULES__INVOICE_SCANNER__MAX_PAGES``); an
    #: invoice's fields are on its first pages, and text extraction costs time per page.
    max_pages: Annotated[int, Field(ge=1, le=1000)] = 20


def scanner_settings(module: ModuleContext) -> ScannerSettings:
    """``module.settings``, typed: the hub fills it from ``register_settings``' class."""
    settings = module.settings
    assert isinstance(settings, ScannerSettings)
    return settings
