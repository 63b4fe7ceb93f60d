"""Passwords in database URLs never reach a message."""

from __future__ import annotations

import pytest

from bmc_hub_core.redact import mask_url_passwords


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://app:s3cret@db/hub", "postgresql://app:***@db/hub"),
        (
            "got 'postgresql+psycopg2://app:p@ss:w0rd@db:5432/hub'",
            "got 'postgresql+psycopg2://app:***@db:5432/hub'",
        ),
        ("postgresql://app@db/hub", "postgresql://app@db/hub"),
        ("sqlite:///./bmc_hub.db", "sqlite:///./bmc_hub.db"),
        ("a://x:1@h and b://y:2@k", "a://x:***@h and b://y:***@k"),
    ],
)
def test_mask_url_passwords(text: str, expected: str) -> None:
    assert mask_url_passwords(text) == expected
