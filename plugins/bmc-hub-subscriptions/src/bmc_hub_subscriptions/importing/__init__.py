"""Importing subscriptions from CSV and XLSX files (Danish or English headers and formats)."""

from __future__ import annotations

from .run import run_import

__all__ = ["run_import"]
